"""The form of one entry, made from its schema: one Widget per value,
grouped as the schema is.

    form_for(data, at, info)        the entry's form
    widgets(group)                  every Widget of a form, in order
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from branchboard.editor import sizetext
from branchboard.editor.datafile import DataFile, SiteInfo, at_text, raw_at, shown, value_at
from branchboard.site.schema import Context, Field, choices, referenced

LONG_TEXT = {"content", "reply", "body", "text", "summary", "description", "note", "remark"}
LONG_AFTER = 30  # characters: a longer value gets a text area
PERSON_FIELDS = ("name", "leader")  # an award's 姓名, a model post's 带头人: what a photo is named after


# -- the form ------------------------------------------------------------------------

@dataclass
class Widget:
    """One value's control."""

    path: tuple  # English
    label: str
    kind: str  # text, textarea, integer, number, checkbox, date, time, select, image, size, list, readonly
    value: str  # as shown; for a checkbox "1" or ""
    spec: Field
    choices: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    note: str = ""  # why it cannot be changed here
    items: list[str] = field(default_factory=list)  # a list of single values: each one, in order
    size: sizetext.Size | None = None  # a size: its boxes
    size_style: sizetext.Style = sizetext.Style()  # how the file writes sizes

    @property
    def name(self) -> str:
        return "v." + at_text(self.path)

    @property
    def required(self) -> bool:
        return self.spec.required

    @property
    def id(self) -> str:
        return "f-" + self.name.replace(".", "-")

    @property
    def is_ref(self) -> bool:
        """A choice from another list of the file: the form offers a search box over it."""
        return self.spec.type == "ref"

    @property
    def person_ids(self) -> str:
        """The ids of the fields beside an image field that may hold the
        person's name (its upload is named after the first one filled in)."""
        return " ".join(Widget(self.path[:-1] + (key,), "", "", "", self.spec).id for key in PERSON_FIELDS)


@dataclass
class Group:
    """A mapping or a list: its label and what is inside."""

    path: tuple
    label: str
    children: list  # Widgets and Groups
    note: str = ""
    # "list": items can be added; "item": one of a list's, can be removed and moved;
    # "absent": a group the entry does not have, offered with an 添加 button; "opened": one being added;
    # "rows": a new entry's list, filled in on its page; "row": one of its items
    kind: str = ""

    @property
    def at_text(self) -> str:
        return at_text(self.path)


class _Build(NamedTuple):
    """What building one form needs besides the schema."""

    data: DataFile
    ctx: Context
    opened: frozenset  # English paths of absent groups the secretary chose to add


def form_for(data: DataFile, at: tuple, info: SiteInfo, opened=frozenset()) -> Group:
    """The entry's form; ``opened``: the absent groups to show as empty boxes to fill in."""
    spec = data.schema.root.at(at)
    build = _Build(data, context(info), frozenset(opened))
    return _node(build, spec, value_at(data.value, at), at, writable=True)


def context(info: SiteInfo) -> Context:
    return Context(info.site_dir / "data", frozenset(info.articles), info.settings)


def _node(build: _Build, spec: Field, value, path: tuple, writable: bool):
    data = build.data
    raw = raw_at(data, path)
    label = _label(data, spec, path, value)
    if spec.type == "mapping":
        return _mapping(build, spec, value, path, writable, label)
    if spec.type == "list" and _is_single_values(spec) and writable and (
            isinstance(raw, list) or raw is None or (isinstance(raw, str) and spec.split)):
        return list_widget(data, spec, value, path, build.ctx, label)
    if spec.type == "list":
        if raw is None and writable and spec.item is not None and spec.item.type == "mapping" \
                and isinstance(raw_at(data, path[:-1]), dict):
            return Group(path, label, [], kind="list")  # none yet: the first can be added
        if not isinstance(raw, list):
            return widget_for(data, spec, value, path, build.ctx, "readonly", label,
                           "这一项写成了一行，暂时只能用记事本修改。" if raw is not None else "")
        return Group(path, label, [_node(build, spec.item, item, path + (i,), writable)
                                   for i, item in enumerate(value or [])],
                     kind="list" if writable and spec.item is not None and spec.item.type == "mapping" else "")
    if spec.type == "any" or not writable or isinstance(raw, (dict, list)):
        return widget_for(data, spec, value, path, build.ctx, "readonly", label,
                       "" if not writable else "暂时只能用记事本修改。")
    return widget_for(data, spec, value, path, build.ctx, kind_for(spec, value), label)


def _mapping(build: _Build, spec: Field, value, path: tuple, writable: bool, label: str) -> Group:
    """A group of keys; one the entry lacks is offered to be added (an 添加 button),
    or shown empty to be filled in once she asked for it."""
    here = isinstance(raw_at(build.data, path), dict)
    can_add = not here and writable and bool(path) and isinstance(path[-1], str) \
        and isinstance(raw_at(build.data, path[:-1]), dict)
    if can_add and path not in build.opened:
        return Group(path, label, [], kind="absent")
    children = [_node(build, sub, value.get(name) if isinstance(value, dict) else None,
                      path + (name,), writable and (here or can_add)) for name, sub in spec.fields.items()]
    if can_add:
        return Group(path, label, children, kind="opened")
    note = "" if here or not writable else "文件里还没有这一组，暂时不能在这里添加，请用记事本添加。"
    return Group(path, label, children, note, "item" if here and path and isinstance(path[-1], int) else "")


def _is_single_values(spec: Field) -> bool:
    return spec.item is not None and spec.item.type not in ("mapping", "list", "any")


def list_widget(data, spec: Field, value, path, ctx: Context, label: str) -> Widget:
    """A list of single values: one box per value, to add to, remove from and reorder."""
    items = [shown(v) for v in value] if isinstance(value, list) else []
    options = [str(c) for c in choices(spec.item, ctx)] if spec.item.type == "enum" else []
    return Widget(path, label, "list", "、".join(items), spec, options, items=items)


def widget_for(data, spec: Field, value, path, ctx: Context, kind: str, label: str, note: str = "") -> Widget:
    options: list[str] = []
    if kind == "select":
        if spec.type == "enum":
            options = [str(c) for c in choices(spec, ctx)]
        elif spec.type == "ref":
            options = list(dict.fromkeys(referenced(data.value, spec.to)))
        else:  # article
            options = sorted(ctx.articles)
    text = shown(value)
    if kind == "checkbox":
        text = "1" if value is True or (value is None and spec.default is True) else ""
    if kind != "size":
        return Widget(path, label, kind, text, spec, options, note=note)
    siblings = value_at(data.value, path[:-2]) if len(path) > 1 and isinstance(path[-2], int) else None
    written = [item.get(path[-1]) for item in siblings or [] if isinstance(item, dict)]
    return Widget(path, label, kind, text, spec, list(spec.presets), note=note,
                  size=sizetext.parts(text, spec.presets), size_style=sizetext.style_of([text, *written]))


def kind_for(spec: Field, value) -> str:
    if spec.type == "text":
        long = spec.name in LONG_TEXT or (isinstance(value, str) and (len(value) > LONG_AFTER or "\n" in value))
        return "textarea" if long else "text"
    if spec.type == "date":
        # a date with a time of day stays a text field: the date control cannot hold one
        return "date" if value is None or _is_plain_date(value) else "text"
    if spec.type == "size":  # a size written some other way stays a text field
        return "size" if value is None or sizetext.parts(str(value), spec.presets) != ("", "", "") else "text"
    return {"integer": "integer", "number": "number", "boolean": "checkbox", "time": "time",
            "enum": "select", "ref": "select", "article": "select", "image": "image"}.get(spec.type, "text")


def _is_plain_date(value) -> bool:
    import re

    return isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) is not None


WHO_FIELDS = ("name", "leader", "team")  # who a record is about: 姓名, 带头人, 班组
WHAT_FIELDS = ("topic", "period", "date")  # otherwise what it is: 主题, 期次, 日期


def _label(data: DataFile, spec: Field, path: tuple, value=None) -> str:
    if path and isinstance(path[-1], int):
        return item_label(value) or f"第 {path[-1] + 1} 项"
    return spec.label


def item_label(value) -> str:
    """A list item's own name, e.g. "生产标兵 · 王建国": its 称号 and who it is
    about, or else its 主题, 期次 or 日期; "" when it has none of them."""
    if not isinstance(value, dict):
        return ""

    def first(names):
        return next((shown(value.get(n)) for n in names if value.get(n) not in (None, "")), "")

    words = [w for w in (shown(value.get("title")) if value.get("title") not in (None, "") else "",
                         first(WHO_FIELDS)) if w]
    return " · ".join(words) or first(WHAT_FIELDS)


def widgets(group: Group):
    for child in group.children:
        if isinstance(child, Group):
            yield from widgets(child)
        else:
            yield child
