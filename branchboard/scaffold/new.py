"""`python build.py new`: start an article or a board entry from a template.

    new article <栏目> <标题>   content/<栏目>/<日期>-<标题>.md, front matter filled in
    new honor [--期次 …]       a new period at the end of data/honors.yaml (periods.py)
    new study                  a new session at the end of 课程: in data/study.yaml
    new study --加课 / --取消   an extra session; a session called off (sessions.py)
    new mailbox                a new letter at the end of data/mailbox.yaml
    new board DIR              a new, empty board (board.py)

Nothing is overwritten: an article whose file exists is refused, and a data
file keeps every byte it had (yamlappend).  Every entry is valid for its
schema as it stands; its placeholders (待填写, and a new article's first
line) are for the secretary to replace, and a build refuses a page that
still shows one (site.placeholders).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from branchboard.board import data as data_mod
from branchboard.command import command_name
from branchboard.site.config import SiteConfig
from branchboard.site.content import CONTENT_DIR, find_content, is_ignored
from branchboard.site.placeholders import BODY, PLACEHOLDER
from branchboard.errors import BoardError, Report, did_you_mean
from branchboard.site.theme import find_theme
from branchboard.locks import site_lock
from branchboard.scaffold import periods, sessions
from branchboard.scaffold.yamlappend import Refused, add_to_item, append_entry, start_list_file
from branchboard.site.yamlio import load_yaml

_UNSAFE = re.compile(r'[\\/:*?"<>|#%\s\x00-\x1f]+')
SLUG_LENGTH = 60  # characters; a Chinese character takes three bytes of a 255-byte name


@dataclass(frozen=True)
class Created:
    rel: str  # the file, relative to the site folder
    line: int  # where the new text starts
    what: str  # what was added, for the message


def slugify(title: str) -> str:
    """The title as a file name: unsafe characters become "-", Chinese stays."""
    slug = _UNSAFE.sub("-", title).strip("-. ")
    return re.sub(r"-{2,}", "-", slug)[:SLUG_LENGTH].rstrip("-. ")


def yaml_text(value: str) -> str:
    """A YAML scalar that reads back as exactly ``value`` (plain when it can be)."""
    try:
        plain = load_yaml(f"k: {value}", "")[0] == {"k": value}
    except BoardError:
        plain = False
    return value if plain else json.dumps(value, ensure_ascii=False)


# -- articles ------------------------------------------------------------------------

ARTICLE = """\
---
标题: {title}
日期: {date}
作者: {author}
摘要:            # 一两句话的简介，显示在栏目列表里；可以不写
标签: []         # 例如 [主题党日, 组织生活]
# 封面: images/照片.jpg     （要封面图时删掉这一行开头的 # 号，照片放在 {folder}/images/ 里）
---

{body}段与段之间空一行。

<!--
插入照片：把照片放进 {folder}/images/ 文件夹，然后在正文里单独写一行：
![照片说明](images/照片文件名.jpg)
写好后运行 {command} check 检查，再运行 {command} 生成网站。
这几行提示不会显示在网页上，可以删掉。
-->
"""


def known_sections(site_dir: Path, config: SiteConfig) -> dict[str, str]:
    """Section id -> title: site.yaml's sections, then other folders under content/."""
    sections = {s.id: s.title for s in config.sections}
    root = site_dir / CONTENT_DIR
    if root.is_dir():
        for folder in sorted(root.iterdir()):
            if folder.is_dir() and not is_ignored(folder.name):
                sections.setdefault(folder.name, folder.name)
    return sections


def new_article(site_dir: Path, config: SiteConfig, section: str, title: str,
                today: dt.date) -> Created:
    sections = known_sections(site_dir, config)
    by_title = {t: i for i, t in sections.items()}
    section_id = section if section in sections else by_title.get(section)
    if section_id is None:
        listed = "、".join(f"{i}（{t}）" if t != i else i for i, t in sections.items()) or "（还没有栏目）"
        hint = did_you_mean(section, list(sections) + list(by_title))
        raise Refused(f"没有“{section}”这个栏目。可以用的栏目：{listed}。{hint}".rstrip())
    title = " ".join(title.split())
    slug = slugify(title)
    if not slug:
        raise Refused(f"标题“{title}”里没有可以用作文件名的字，请换一个标题。")
    folder = f"{CONTENT_DIR}/{section_id}"
    rel = f"{folder}/{today:%Y-%m-%d}-{slug}.md"
    text = ARTICLE.format(title=yaml_text(title), date=f"{today:%Y-%m-%d}",
                          author=yaml_text(config.author) if config.author else "", folder=folder, body=BODY,
                          command=command_name())
    path = site_dir / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8", newline="\n") as f:
            f.write(text)
    except FileExistsError:
        raise Refused(f"{rel} 已经存在，没有改动它。要修改就直接打开这个文件；"
                      "要再写一篇，请换一个标题。") from None
    return Created(rel, 1, f"新文章“{title}”")


# -- data entries --------------------------------------------------------------------

@dataclass(frozen=True)
class EntryKind:
    file: str  # under data/
    what: str
    header: str  # the comment a new file starts with; {command} names the command
    list_keys: tuple[str, ...]  # the key holding the list; () when the file is the list
    entry: Callable[..., tuple[list[str], str]]  # (doc, today, config, **options) -> lines, label


def _honor(doc, today: dt.date, config: SiteConfig, period: str | None = None) -> tuple[list[str], str]:
    """A new period: named as given, else for this month (last month on its first days)."""
    existing = [str(p.get("period")) for p in doc or [] if isinstance(p, dict)]
    if period is not None:
        period = periods.given_period(period, today, existing)
        if period in existing:
            raise Refused(f"光荣榜里已经有“{period}”这一期了，没有再加。要修改就直接打开 data/honors.yaml。")
    else:
        first = periods.in_style(*periods.proposed_month(today), existing)
        period, n = first, 2
        while period in existing:
            period, n = f"{first}（{n}）", n + 1
    titles = "、".join(dict.fromkeys(["革新能手", "生产标兵", "高产班组", "星级职工", *config.honor_titles]))
    return [
        f"# {today:%Y-%m-%d} 用 {command_name()} new honor 添加：把“{PLACEHOLDER}”改成实际内容",
        f"- 期次: {yaml_text(period)}",
        f"  日期: {today:%Y-%m-%d}",
        "  表彰:",
        f"    - 称号: 生产标兵     # 只能是：{titles}",
        f"      姓名: {PLACEHOLDER}       # “高产班组”不写姓名，只写班组",
        f"      班组: {PLACEHOLDER}",
        f"      事迹: {PLACEHOLDER}",
        f"      奖励: {PLACEHOLDER}",
        "      # 星级: 4            （只有“星级职工”写，1 到 5；删掉开头的 # 号）",
        "      # 照片: photos/姓名.jpg  （先把照片放进 data/photos/；删掉开头的 # 号）",
    ], f"光荣榜新的一期（{period}）"


def _session_day(doc, today: dt.date) -> tuple[dt.date, bool]:
    """The first free day of the weekly schedule from today on, or today as an extra session."""
    try:
        schedule = doc.get("schedule") if isinstance(doc, dict) else None
        if not schedule or not schedule.get("weekdays"):
            return today, False
        taken = {data_mod.as_date(s.get("date")) for s in doc.get("sessions") or []}
        for offset in range(366):
            day = today + dt.timedelta(days=offset)
            if day not in taken and data_mod.is_scheduled(schedule, day):
                return day, False
    except (AttributeError, TypeError, ValueError):
        pass  # a file with mistakes: check will name them
    return today, True


def _session(doc, today: dt.date, config: SiteConfig, extra_day: dt.date | None = None) -> tuple[list[str], str]:
    """A new session on the schedule's next free day, or an extra one on ``extra_day``."""
    if extra_day is not None:
        return sessions.extra_session(doc, today, extra_day)
    day, extra = _session_day(doc, today)
    lines = [
        f"# {today:%Y-%m-%d} 用 {command_name()} new study 添加：把“{PLACEHOLDER}”改成实际内容",
        f"- 日期: {day:%Y-%m-%d}",
        f"  主题: {PLACEHOLDER}",
        f"  主讲: {PLACEHOLDER}",
    ]
    if extra:
        lines.append("  加课: true          # 不在每周固定安排里的课")
    lines.append("  # 文章: study/文章文件名.md  （学习园地里有对应文章时写；删掉开头的 # 号）")
    return lines, f"学习培训新的一次课（{day:%Y-%m-%d}）"


def _letter(doc, today: dt.date, config: SiteConfig) -> tuple[list[str], str]:
    return [
        f"# {today:%Y-%m-%d} 用 {command_name()} new mailbox 添加：把“{PLACEHOLDER}”改成实际内容",
        f"- 日期: {today:%Y-%m-%d}",
        f"  主题: {PLACEHOLDER}",
        f"  类别: {PLACEHOLDER}     # 如：生产建议、生活后勤、安全隐患、技术革新",
        f"  内容: {PLACEHOLDER}",
        "  状态: 已受理     # 只能写：已受理、办理中、已办结",
        "  # 回复: 答复的内容    （答复后删掉这两行开头的 # 号再填写）",
        f"  # 回复日期: {today:%Y-%m-%d}",
    ], "职工信箱新的一条来信"


KINDS = {
    "honor": EntryKind("honors.yaml", "光荣榜", """\
# 光荣榜 · 星级职工评选台
#
# 每一期以“- 期次:”开头，下面的“表彰:”列出本期上榜的人和班组。
# 新增一期：运行 {command} new honor，再把“待填写”改成实际内容。
# 日期写成 2026-09-05 这样的格式；冒号后面要有一个空格。
""", (), _honor),
    "study": EntryKind("study.yaml", "学习培训", """\
# 学习培训
#
# 课程 —— 每一次课以“- 日期:”开头。新增一次课：运行 {command} new study。
# 可以在文件开头加上每周固定的安排，例如：
#   安排:
#     星期: [周三, 周五]
#     时间: "16:30"
#     地点: 队部二楼学习室
#     开始: 2026-09-02
""", ("课程", "sessions"), _session),
    "mailbox": EntryKind("mailbox.yaml", "职工信箱", """\
# 职工信箱
#
# 职工来信逐条登记在这里，每条以“- 日期:”开头，不写来信人姓名。
# 新增一条：运行 {command} new mailbox，再把“待填写”改成实际内容。
# 状态只能写：已受理、办理中、已办结。
""", (), _letter),
}


def new_entry(site_dir: Path, config: SiteConfig, kind_name: str, today: dt.date, **options) -> Created:
    """Add one template entry to a data file, or start the file with it.
    One `new` at a time writes the site's data (the lock): each reads the
    file as the one before left it, so no entry is lost.  ``options``: the
    kind's own (period=, extra_day=)."""
    kind = KINDS[kind_name]
    rel = f"data/{kind.file}"
    path = site_dir / rel
    if path.exists():  # a mistake or a refusal is said before anything is written, even the lock
        lines, _label = kind.entry(board_data(site_dir, config).get(Path(kind.file).stem), today, config, **options)
        append_entry(path, rel, lines, kind.list_keys, write=False)
    with site_lock(site_dir, "new", wait=60):
        if not path.exists():
            lines, label = kind.entry(None, today, config, **options)
            return Created(rel, start_list_file(path, kind.header.format(command=command_name()), lines, kind.list_keys), label)
        board = board_data(site_dir, config).get(Path(kind.file).stem)
        lines, label = kind.entry(board, today, config, **options)
        return Created(rel, append_entry(path, rel, lines, kind.list_keys), label)


def cancel_session(site_dir: Path, config: SiteConfig, day: dt.date, reason: str | None,
                   today: dt.date) -> Created:
    """Mark the session on ``day`` cancelled, with its reason (under the lock, as new_entry)."""
    rel = "data/study.yaml"
    path = site_dir / rel
    if not path.exists():
        raise Refused(f"还没有 {rel}，没有可以取消的课。")

    def write(really: bool) -> Created:
        plan = sessions.cancellation(board_data(site_dir, config).get("study"), today, day, reason)
        if plan.index is None:
            return Created(rel, append_entry(path, rel, plan.lines, KINDS["study"].list_keys, write=really), plan.label)
        return Created(rel, add_to_item(path, rel, KINDS["study"].list_keys, plan.index, plan.lines, write=really),
                       plan.label)

    write(False)  # a mistake or a refusal is said before anything is written, even the lock
    with site_lock(site_dir, "new", wait=60):
        return write(True)


def board_data(site_dir: Path, config: SiteConfig) -> dict:
    """Every data file as the build reads it (English keys, dates as dates)."""
    report = Report()  # the file's own mistakes are for check to report
    theme = find_theme(site_dir, config.theme, report)
    schema_dirs = [site_dir / "schemas", *(theme.schema_dirs if theme else [])]
    settings = {"honor_titles": list(config.honor_titles)}
    return data_mod.read_data(site_dir, schema_dirs, set(find_content(site_dir)[0]), settings, report)
