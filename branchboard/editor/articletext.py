"""Articles as the editor's form shows and writes them: the fields read
from the file's front matter, and the file's new text (no web here).

    open_article(text, rel)            the form's values from the file
    typed_values(form), typed_body(form)   what the form sent
    input_type(kind, value)            the input a field is shown in (a date picker for a plain date)
    changed_text(old, rel, values, body)   the front matter changed in place, the body as typed
    new_text(values, body, author)     a new article's text (never a placeholder)
    new_rel(sections, section, title, today)   its file, named as ``build.py new article`` names it

Front matter is changed with ``yamledit.change`` on its own text, so
comments, key order and the key's language (标题 or title) stay; a tag list
is rewritten in place as ``[a, b]``.  The list of articles is in
articlelist, the checks and the preview in articlecheck.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

import yaml

from branchboard.editor.yamledit import REMOVE, change
from branchboard.errors import BoardError
from branchboard.scaffold.new import slugify, yaml_text
from branchboard.scaffold.yamlappend import Refused
from branchboard.site.content import CONTENT_DIR, FIELDS, _convert, split_front_matter
from branchboard.site.yamlio import load_yaml, loader_class

# the fields the form shows: (English name, label, widget, hint)
FORM_FIELDS = (
    ("title", "标题", "text", ""),
    ("date", "日期", "date", "点一下选日期；要写时间的，写成 2026-11-25 09:30"),
    ("summary", "摘要", "textarea", "一两句话的简介，显示在栏目列表里；可以不写"),
    ("tags", "标签", "text", "几个标签用顿号或逗号隔开，例如 主题党日、组织生活"),
    ("cover", "封面", "text", "封面图片，例如 images/照片.jpg；可以不写"),
    ("draft", "草稿", "checkbox", "勾上后不在网站上显示"),
    ("pinned", "置顶", "checkbox", "勾上后排在栏目最前面"),
    ("publish", "发布", "text", "到这个时间才显示，例如 2026-12-01 08:00；可以不写"),
    ("expire", "下架", "text", "过了这一天就不再显示，例如 2026-12-31；可以不写"),
)
LABELS = {name: label for name, label, _kind, _hint in FORM_FIELDS}
BOOLEAN = ("draft", "pinned")
REMOVED_WHEN_EMPTY = ("summary", "cover", "publish", "expire")
TAG_SPLIT = re.compile(r"[,，、]\s*")
FLOW_UNSAFE = set("[]{},:#&*!|>'\"%@`")
PLAIN_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")  # what a date input holds


# -- the form's values ------------------------------------------------------------------

@dataclass
class Opened:
    """An article file as the form shows it."""

    rel: str  # content/news/x.md
    values: dict  # English field name -> text (or bool)
    body: str


def values_from(raw: dict) -> dict:
    """The form's values of the front matter as loaded (keys as written)."""
    values = {}
    for name, _label, kind, _hint in FORM_FIELDS:
        written = written_key(raw, name)
        value = raw.get(written) if written else None
        if kind == "checkbox":
            try:
                values[name] = bool(_convert(name, value))
            except ValueError:
                values[name] = False
        elif name == "tags":
            values[name] = "、".join(str(t) for t in value) if isinstance(value, list) else str(value or "")
        else:
            values[name] = "" if value is None else str(value)
    return values


def written_key(raw: dict, name: str) -> str | None:
    """The key the file uses for a field (English or Chinese), if any."""
    return next((k for k in (name, *FIELDS[name]) if k in raw), None)


def parts_of(text: str, rel: str) -> tuple[str, str, str, str]:
    """(BOM, newline, front matter, body) of an article's text; "\\n" inside."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    newline = "\r\n" if "\r\n" in text else "\n"
    front, body, _line = split_front_matter(text[len(bom):].replace("\r\n", "\n"), rel)
    return bom, newline, front, body


def open_article(text: str, rel: str) -> Opened:
    _bom, _nl, front, body = parts_of(text, rel)
    raw = load_yaml(front, rel, line_offset=1)[0] or {}
    if not isinstance(raw, dict):
        raise BoardError(rel, 2, 1, "文章信息应当由“键: 值”组成，例如 标题: 支部大会")
    return Opened(rel, values_from(raw), body)


def typed_values(form) -> dict:
    """The form's values as submitted (a checkbox is there or not)."""
    values = {}
    for name, _label, kind, _hint in FORM_FIELDS:
        if kind == "checkbox":
            values[name] = form.get(f"m.{name}") == "1"
        else:
            values[name] = form.get(f"m.{name}", "").replace("\r\n", "\n").strip()
    return values


def input_type(kind: str, value) -> str:
    """The input a text field is shown in: a date picker for an empty or
    plain date (it cannot hold a time: a date with one stays text)."""
    if kind == "date":
        return "date" if not value or PLAIN_DATE.fullmatch(str(value)) else "text"
    return kind


def typed_body(form) -> str:
    return form.get("body", "").replace("\r\n", "\n")


# -- writing ------------------------------------------------------------------------------

def changed_text(old: str, rel: str, values: dict, body: str) -> str:
    """The article with the fields that differ from the file changed in its
    front matter's own text, and the body as typed."""
    bom, newline, front, _old_body = parts_of(old, rel)
    raw = load_yaml(front, rel, line_offset=1)[0] or {}
    chinese = any(k in FIELDS[n] for n in FIELDS for k in raw) or not raw
    changes, tags = {}, None
    for name, _label, kind, _hint in FORM_FIELDS:
        written = written_key(raw, name)
        key = written or (FIELDS[name][0] if chinese else name)
        new = values[name]
        if kind == "checkbox":
            old_value = values_from(raw)[name]
            if new != old_value and (written or new):
                changes[(key,)] = new
        elif name == "tags":
            items = [t.strip() for t in TAG_SPLIT.split(new) if t.strip()]
            try:
                before = list(_convert("tags", raw.get(written))) if written else []
            except ValueError:
                before = None
            if items != before:
                tags = (key, written is not None, items)
        else:
            before = "" if not written or raw[written] is None else str(raw[written])
            if new == before:
                continue
            if not new and name in REMOVED_WHEN_EMPTY:
                changes[(key,)] = REMOVE
            else:
                changes[(key,)] = new
    written = front
    if changes:
        front = change(front, rel, changes)
    if tags is not None:
        front = _set_tags(front, rel, *tags)
    if front.endswith("\n") and not written.endswith("\n"):  # a key added last brings its own line end
        front = front[:-1]
    text = f"---\n{front}\n---\n{body}" if front else f"---\n---\n{body}"
    return bom + (text.replace("\n", "\r\n") if newline == "\r\n" else text)


def _set_tags(front: str, rel: str, key: str, present: bool, items: list[str]) -> str:
    """The tag list written as ``[a, b]`` where the old value stood (or as a new last key)."""
    if not items:
        return change(front, rel, {(key,): REMOVE}) if present else front
    if not present:
        front = change(front, rel, {(key,): "-"})  # a stand-in, replaced below
    root = yaml.compose(front, Loader=loader_class())
    node = next(v for k, v in root.value if str(k.value) == key)
    starts = [0] + [i + 1 for i, c in enumerate(front) if c == "\n"]
    start = starts[node.start_mark.line] + node.start_mark.column
    end = starts[node.end_mark.line] + node.end_mark.column if node.end_mark.line < len(starts) else len(front)
    while end > start and front[end - 1] in " \n":
        end -= 1
    flow = "[" + ", ".join(json.dumps(t, ensure_ascii=False) if set(t) & FLOW_UNSAFE else t for t in items) + "]"
    new = front[:start] + flow + front[end:]
    try:
        same = (load_yaml(new, rel)[0] or {}).get(key) == items
    except BoardError:
        same = False
    if not same:
        raise Refused(f"无法自动修改 {rel} 的标签，文件没有改动。请用记事本手动修改。")
    return new


def new_text(values: dict, body: str, author: str = "") -> str:
    """A new article's text: the fields filled in, in the order ``new article`` writes them."""
    lines = ["---", f"标题: {yaml_text(values['title'])}", f"日期: {yaml_text(values['date'])}"]
    if author:
        lines.append(f"作者: {yaml_text(author)}")
    if values["summary"]:
        summary = values["summary"]
        lines.append(f"摘要: {yaml_text(summary)}" if "\n" not in summary
                     else "摘要: |-\n" + "\n".join("  " + line if line else "" for line in summary.split("\n")))
    items = [t.strip() for t in TAG_SPLIT.split(values["tags"]) if t.strip()]
    if items:
        lines.append("标签: [" + ", ".join(json.dumps(t, ensure_ascii=False) if set(t) & FLOW_UNSAFE else t
                                           for t in items) + "]")
    for name in ("cover", "publish", "expire"):
        if values[name]:
            lines.append(f"{FIELDS[name][0]}: {yaml_text(values[name])}")
    for name in BOOLEAN:
        if values[name]:
            lines.append(f"{FIELDS[name][0]}: true")
    return "\n".join(lines) + "\n---\n\n" + body.strip("\n") + "\n"


def new_rel(sections: dict[str, str], section: str, title: str, today: dt.date) -> str:
    """The new article's file (relative to the site), as ``python build.py new article`` names it."""
    if section not in sections:
        raise Refused(f"没有“{section}”这个栏目。")
    slug = slugify(" ".join(title.split()))
    if not slug:
        raise Refused(f"标题“{title}”里没有可以用作文件名的字，请换一个标题。")
    return f"{CONTENT_DIR}/{section}/{today:%Y-%m-%d}-{slug}.md"
