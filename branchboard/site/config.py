"""site.yaml as a declared, validated schema.

Every key has a type, a default and a check.  Unknown keys are reported with a
"did you mean"; every problem is gathered before the build stops.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from branchboard.errors import BoardError, Report, did_you_mean
from branchboard.site.yamlio import Documents, Positions, read_text

CONFIG_FILE = "site.yaml"


@dataclass(frozen=True)
class SectionConfig:
    """A section as site.yaml lists it (``line``: where, for messages)."""

    id: str
    title: str
    line: int | None = None


@dataclass(frozen=True)
class SiteConfig:
    """site.yaml, checked."""

    site_dir: Path = field(compare=False)  # where, not what: no part of any page
    title: str
    organization: str = ""
    language: str = "zh-CN"
    theme: str = "default"
    author: str = ""
    page_size: int = 10
    footer: str = ""
    sections: tuple[SectionConfig, ...] = ()
    honor_titles: tuple[str, ...] = ()
    mailbox_intro: str = ""
    screen: Any = None  # validated by the screen module
    ticker: tuple[str, ...] = ()
    chromium: str = ""
    positions: Positions = field(default_factory=Positions, compare=False, repr=False)

    def section_title(self, section_id: str) -> str:
        for s in self.sections:
            if s.id == section_id:
                return s.title
        return section_id


def _text(value, where, errors):
    if isinstance(value, (dict, list)):
        errors.append((where, "应当是一段文字"))
        return None
    return "" if value is None else str(value)


def _positive_int(value, where, errors):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        errors.append((where, f"应当是大于 0 的整数，这里是“{value}”"))
        return None
    return value


def _text_list(value, where, errors):
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or any(isinstance(v, (dict, list)) for v in value):
        errors.append((where, "应当是文字列表，例如 [革新能手, 安全卫士]"))
        return None
    return tuple(str(v) for v in value)


def _sections(value, where, errors, positions):
    if value is None:
        return ()
    if not isinstance(value, list):
        errors.append((where, "应当是栏目列表，每项写成 - {id: news, title: 支部动态}"))
        return None
    result, seen = [], set()
    for i, item in enumerate(value):
        path = where + (i,)
        if isinstance(item, str):
            item = {"id": item, "title": item}
        if not isinstance(item, dict) or not item.get("id"):
            errors.append((path, "每个栏目要写 id（content 下的文件夹名）和 title（栏目名称）"))
            continue
        for key in item:
            if key not in ("id", "title", "标题"):
                errors.append((path + (key,), f"栏目里没有“{key}”这一项" + did_you_mean(key, ["id", "title"])))
        sid = str(item["id"])
        if sid in seen:
            errors.append((path + ("id",), f"栏目“{sid}”重复了"))
        seen.add(sid)
        title = item.get("title", item.get("标题")) or sid
        result.append(SectionConfig(sid, str(title), positions.of(path)[0]))
    return tuple(result)


def _any(value, where, errors):
    return value


# key: (aliases, check, default, required)
OPTIONS: dict[str, tuple[tuple[str, ...], Callable, Any, bool]] = {
    "title": (("标题", "站点标题"), _text, None, True),
    "organization": (("单位", "组织"), _text, "", False),
    "language": (("语言",), _text, "zh-CN", False),
    "theme": (("主题",), _text, "default", False),
    "author": (("作者",), _text, "", False),
    "page_size": (("每页篇数",), _positive_int, 10, False),
    "footer": (("页脚",), _text, "", False),
    "sections": (("栏目",), _sections, (), False),
    "honor_titles": (("荣誉称号",), _text_list, (), False),
    "mailbox_intro": (("信箱说明",), _text, "", False),
    "screen": (("大屏",), _any, None, False),
    "ticker": (("滚动字幕",), _text_list, (), False),
    "chromium": (("浏览器路径",), _text, "", False),
}


def load_config(site_dir: Path, report: Report, documents: Documents | None = None) -> SiteConfig | None:
    """Read and check site.yaml; problems go to ``report``.  ``documents``:
    the YAML files earlier builds parsed."""
    path = site_dir / CONFIG_FILE
    try:
        text = read_text(path, CONFIG_FILE)
        raw, positions = (documents or Documents()).load(text, CONFIG_FILE)
    except BoardError as err:
        report.add(err)
        return None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        report.error(CONFIG_FILE, 1, 1, "site.yaml 应当由“键: 值”组成，例如 title: 原煤洗选队党支部宣传栏")
        return None

    by_alias = {alias: key for key, (aliases, *_rest) in OPTIONS.items() for alias in aliases}
    values: dict[str, Any] = {}
    errors: list[tuple[tuple, str]] = []
    for written, value in raw.items():
        key = written if written in OPTIONS else by_alias.get(written)
        if key is None:
            line, col = positions.of_key((written,))
            report.warning(CONFIG_FILE, line, col, f"site.yaml 不认识“{written}”这一项，已忽略",
                           did_you_mean(written, list(OPTIONS) + list(by_alias)))
            continue
        check = OPTIONS[key][1]
        if check is _sections:
            checked = check(value, (written,), errors, positions)
        else:
            checked = check(value, (written,), errors)
        if checked is not None:
            values[key] = checked

    for where, message in errors:
        line, col = positions.of(where)
        report.error(CONFIG_FILE, line, col, f"{where[0]}: {message}")

    for key, (aliases, _check, default, required) in OPTIONS.items():
        if required and not values.get(key):
            if not any(w == key or w in aliases for w in raw):
                report.error(CONFIG_FILE, 1, 1, f"site.yaml 缺少必填项“{key}”",
                             f"加一行，例如：{key}: 原煤洗选队党支部宣传栏")
            elif not any(where[0] in (key, *aliases) for where, _ in errors):
                line, col = positions.of((key,))
                report.error(CONFIG_FILE, line, col, f"“{key}”不能为空")
        values.setdefault(key, default)

    if report.has_errors():
        return None
    return SiteConfig(site_dir=site_dir, positions=positions, **values)
