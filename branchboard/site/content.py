"""READ: find the articles under content/ and read their front matter.

One narrow contract: a path in, checked metadata and the Markdown body out.
Fields are accepted under their English or Chinese key; every problem is
reported with the line it stands on.
"""

from __future__ import annotations

import dataclasses
import errno
import datetime as dt
import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from branchboard.errors import BoardError, Report, did_you_mean
from branchboard.site import placeholders
from branchboard.site.yamlio import Positions, load_yaml, parse_datetime, read_text

CONTENT_DIR = "content"

# English name -> Chinese aliases.  The English name is what the model uses.
FIELDS = {
    "title": ("标题",),
    "date": ("日期",),
    "summary": ("摘要",),
    "cover": ("封面",),
    "author": ("作者",),
    "tags": ("标签",),
    "draft": ("草稿",),
    "publish": ("发布",),
    "expire": ("下架",),
    "pinned": ("置顶",),
    "slug": ("网址名",),
}
_ALIASES = {alias: name for name, aliases in FIELDS.items() for alias in aliases}
_TRUE = {True, "true", "yes", "是", "对", "1", 1}
_FALSE = {False, None, "false", "no", "否", "不", "0", 0, ""}
_SLUG_BAD = re.compile(r'[\\/:*?"<>|#%\x00-\x1f]')


@dataclass(frozen=True)
class Source:
    """One article as the secretary wrote it, with its fields checked.

    The build cache keeps sources without their body (``without_body``): the
    Markdown is read again from the file only when it has to be converted."""

    rel: str  # relative to content/, e.g. "news/2026-11-20 主题党日.md"
    meta: dict  # English field names; dates are datetimes
    body: str | None = field(compare=False, repr=False)  # None: not kept, see body_text(); body_digest tells
    body_line: int  # line of the file on which the body starts
    lines: dict  # key as written -> (line, column) of its value
    body_digest: str = ""  # sha256 of the body
    front_digest: str = ""  # sha256 of the front matter: unchanged, the fields need not be read again

    @property
    def path(self) -> str:
        """Path for messages, relative to the site folder."""
        return f"{CONTENT_DIR}/{self.rel}"

    @property
    def section(self) -> str:
        return self.rel.split("/", 1)[0]

    @property
    def stem(self) -> str:
        return self.rel.rsplit("/", 1)[-1][:-3]

    def line_of(self, name: str) -> tuple[int | None, int | None]:
        """Where the value of a field stands, under whichever key the file used."""
        for written in (name, *FIELDS.get(name, ())):
            if written in self.lines:
                return self.lines[written]
        return 1, 1

    def without_body(self) -> "Source":
        return dataclasses.replace(self, body=None)

    def body_text(self, site_dir: Path) -> str:
        """The Markdown body, read again from the file when it was not kept."""
        if self.body is not None:
            return self.body
        path = f"{CONTENT_DIR}/{self.rel}"
        return split_front_matter(read_text(site_dir / CONTENT_DIR / self.rel, path), path)[1]


class ParsedFile(NamedTuple):
    """An article file as a build read it (the build cache keeps one for each)."""

    file_digest: str | None  # sha256 of the whole file, when the caller knew it
    source: Source | None  # None: its front matter could not be read
    problems: list


def is_ignored(name: str) -> bool:
    """Editor temporaries, swap files and hidden files are never content."""
    return (
        name.startswith((".", "#", "~"))
        or name.endswith(("~", ".swp", ".swx", ".tmp", ".bak", "#"))
    )


def walk_files(folder: Path, skip_ignored: bool = True, ordered: bool = True,
               within: Path | None = None, refused: list | None = None) -> list[str]:
    """Every file under ``folder`` as a relative path with "/", in a stable
    order (or as found, for a caller that sorts or only looks up); editor
    leftovers (``is_ignored``) and what is under them are left out unless
    ``skip_ignored`` is False.  os.scandir: a rebuild walks the whole site,
    so this has to be quick.

    With ``within``, a link (a symlink, or a junction on Windows) is followed
    only when it leads to a file or folder inside ``within``: one that leads
    outside, nowhere or round in a loop is left out and added to ``refused``
    as (its path relative to ``within``, the problem)."""
    found = []
    limit = os.path.realpath(within) + os.sep if within is not None else None
    pending = [("", str(folder))]
    if limit is not None and os.path.islink(folder):
        problem = link_problem(str(folder), limit)
        if problem:
            _refuse(refused, within, str(folder), problem)
            return []
    while pending:
        prefix, path = pending.pop()
        try:
            entries = list(os.scandir(path))
        except OSError:  # not a folder, or gone
            continue
        for entry in entries:
            if skip_ignored and is_ignored(entry.name):
                continue
            if limit is not None and entry.is_symlink():
                problem = link_problem(entry.path, limit)
                if problem:
                    _refuse(refused, within, entry.path, problem)
                    continue
            rel = prefix + entry.name
            if entry.is_dir():
                pending.append((rel + "/", entry.path))
            elif entry.is_file():
                found.append(rel)
    return sorted(found, key=lambda rel: rel.split("/")) if ordered else found


def link_problem(path: str, limit: str) -> str:
    """What is wrong with following the link at ``path`` ("" when it leads
    inside ``limit``, a real path ending in a separator)."""
    try:
        target = os.path.realpath(path, strict=True)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "是一个绕圈的链接（链接指向自己或互相指向），无法读取"
        return "是一个指向不存在位置的链接"
    except RuntimeError:  # a loop, as older Pythons say it
        return "是一个绕圈的链接（链接指向自己或互相指向），无法读取"
    if not (target + os.sep).startswith(limit):
        return f"是一个指向网站文件夹之外（{target}）的链接，为了安全不会读取或发布"
    return ""


def _refuse(refused: list | None, within: Path, path: str, problem: str) -> None:
    if refused is not None:
        try:
            rel = Path(path).relative_to(within).as_posix()
        except ValueError:
            rel = path
        refused.append((rel, problem))


def native_path(folder: Path, rel: str) -> str:
    """The path of ``rel`` (with "/") under ``folder``, as the system writes it."""
    return f"{folder}{os.sep}{rel.replace('/', os.sep)}"


def find_content(site_dir: Path, files: Iterable[str] | None = None) -> tuple[list[str], list[str]]:
    """Markdown files and other files (assets) under content/, as relative paths."""
    articles, assets = [], []
    for rel in walk_files(site_dir / CONTENT_DIR) if files is None else files:
        (articles if rel.lower().endswith(".md") else assets).append(rel)
    return articles, assets


def in_section(rel: str) -> bool:
    """Whether an article lies in a section's folder: only those get a page."""
    return "/" in rel


PARALLEL_READS = 400  # below this many files to parse, one process is quicker


def read_sources(site_dir: Path, report: Report, memo: dict | None = None,
                 files: dict[str, str] | None = None) -> tuple[list[Source], list[str]]:
    """Read every article; problems go to ``report``.  Returns sources and assets.

    ``files``: the files under content/ when the caller knows them, with the
    digests of what they hold now; with ``memo`` (content rel ->
    ParsedFile) an unchanged file is then not parsed again.
    """
    articles, assets = find_content(site_dir, files)
    memo = {} if memo is None else memo
    files = files or {}
    placed = [rel for rel in articles if in_section(rel)]
    current = {rel: files.get(rel) for rel in placed}
    fresh = [rel for rel in placed if not (current[rel] and rel in memo and memo[rel].file_digest == current[rel])]
    for rel, (source, problems) in zip(fresh, _parse_all(site_dir, fresh, memo)):
        memo[rel] = ParsedFile(current[rel], source, problems)
    sources = []
    for rel in articles:
        if not in_section(rel):
            report.warning(f"{CONTENT_DIR}/{rel}", None, None,
                           "文章要放在栏目文件夹里（例如 content/news/），这篇没有生成网页")
            continue
        _digest, source, problems = memo[rel]
        if problems:
            report.extend(problems)
        if source is not None:
            sources.append(source)
    for rel in set(memo) - set(placed):
        del memo[rel]
    return sources, assets


def _parse_all(site_dir: Path, rels: list[str], memo: dict) -> list[tuple[Source | None, list]]:
    """(source, problems) of each file, in order; many files are parsed in
    processes, one per core (a cold build of thousands of articles spends a
    tenth of its time here).  ``memo``: as read_sources'."""
    from branchboard.parallel import map_in_processes

    return list(map_in_processes(_parse, [(rel, memo.get(rel)) for rel in rels],
                                 min_items=PARALLEL_READS, chunk=256, state=site_dir))


def _parse(site_dir: Path, job: tuple[str, ParsedFile | None]) -> tuple[Source | None, list]:
    rel, before = job
    own = Report()
    try:
        source = read_source(site_dir, rel, own, before)
    except BoardError as err:
        own.add(err)
        source = None
    return source, own.problems


def split_front_matter(text: str, path: str) -> tuple[str, str, int]:
    """Split ``---`` front matter from the body.  Returns (yaml, body, body_line)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise BoardError(path, 1, 1, "文章开头缺少 --- 包起来的文章信息（标题、日期等）",
                         "第一行写 ---，接着写“标题: …”“日期: 2026-11-25”，再写一行 --- 后开始正文。")
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1:]), i + 2
    raise BoardError(path, 1, 1, "文章信息开头的 --- 没有对应的结束行 ---",
                     "在文章信息（标题、日期等）之后加一行 ---，再写正文。")


def read_source(site_dir: Path, rel: str, report: Report, before: ParsedFile | None = None) -> Source | None:
    """The article at ``rel``; ``before``: the file as an earlier build read
    it, whose fields stand while its front matter is the same text (most
    edits change the body only)."""
    path = f"{CONTENT_DIR}/{rel}"
    text = read_text(site_dir / CONTENT_DIR / rel, path)
    front, body, body_line = split_front_matter(text, path)
    front_digest = hashlib.sha256(front.encode("utf-8")).hexdigest()
    body_digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    if before is not None and before.source is not None and before.source.front_digest == front_digest:
        report.extend(before.problems)
        return dataclasses.replace(before.source, body=body, body_line=body_line, body_digest=body_digest)
    raw, positions = load_yaml(front, path, line_offset=1)
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        report.error(path, 2, 1, "文章信息应当由“键: 值”组成，例如 标题: 支部大会")
        return None
    meta, ok = _check_fields(raw, positions, path, report)
    if not ok:
        return None
    lines = {key[0]: positions.of(key) for key in positions.values if len(key) == 1}
    source = Source(rel=rel, meta=meta, body=body, body_line=body_line, lines=lines,
                    body_digest=body_digest, front_digest=front_digest)
    if not meta.get("draft"):  # a draft is not published: it may keep them
        for (name, *_rest), found in placeholders.in_value(meta):
            report.error(path, *source.line_of(name), placeholders.message(found, FIELDS[name][0]),
                         placeholders.HINT)
    return source


def _check_fields(raw: dict, positions: Positions, path: str, report: Report):
    meta, ok = {}, True
    for written, value in raw.items():
        name = written if written in FIELDS else _ALIASES.get(written)
        line, col = positions.of_key((written,))
        if name is None:
            report.warning(path, line, col, f"不认识的文章信息“{written}”，已忽略",
                           did_you_mean(written, list(FIELDS) + list(_ALIASES)))
            continue
        if name in meta:
            report.error(path, line, col, f"“{written}”和另一个同义的键重复了，只保留一个")
            ok = False
            continue
        try:
            meta[name] = _convert(name, value)
        except ValueError as exc:
            vline, vcol = positions.of((written,))
            report.error(path, vline, vcol, f"{written}：{exc}")
            ok = False
    for name, example in (("title", "标题: 支部大会召开"), ("date", "日期: 2026-11-25")):
        if name not in meta and name not in [_ALIASES.get(w, w) for w in raw]:
            report.error(path, 1, 1, f"缺少{FIELDS[name][0]}（{name}）",
                         f"在文章开头的 --- 之间加一行：{example}")
            ok = False
    return meta, ok


def _convert(name: str, value):
    if name in ("date", "publish", "expire"):
        if value in (None, ""):
            raise ValueError("日期不能为空")
        when, has_time = parse_datetime(value)
        if name == "expire" and not has_time:
            # "hidden after this date": the whole day still shows it
            when = when + dt.timedelta(days=1) - dt.timedelta(microseconds=1)
        if name == "date":
            return when, has_time
        return when
    if name in ("draft", "pinned"):
        key = value.strip().lower() if isinstance(value, str) else value
        if key in _TRUE:
            return True
        if key in _FALSE:
            return False
        raise ValueError(f"应当写 true（是）或 false（否），这里是“{value}”")
    if name == "tags":
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or any(isinstance(v, (list, dict)) for v in value):
            raise ValueError("应当是标签列表，例如 [主题党日, 组织生活]")
        # [主题党日，组织生活] and 主题党日、组织生活 are two tags, as in data lists marked split
        parts = (part.strip() for v in value for part in re.split(r"[,，、]", str(v)))
        return tuple(dict.fromkeys(part for part in parts if part))
    if isinstance(value, (list, dict)):
        raise ValueError("应当是一段文字")
    text = "" if value is None else str(value).strip()
    if name == "title" and not text:
        raise ValueError("标题不能为空")
    if name == "slug":
        if not text or _SLUG_BAD.search(text) or text in (".", ".."):
            raise ValueError(f"网址名“{text}”不能为空，也不能含有 \\ / : * ? \" < > | # % 等字符")
    return text
