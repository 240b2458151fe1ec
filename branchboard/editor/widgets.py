"""The form of one entry, made from its schema: one Widget per value,
grouped as the schema is.

    form_for(data, at, info)        the entry's form
    new_form(data, list_at, info)   an empty form for a new item of a list, defaults from the schema
    widgets(group)                  every Widget of a form, in order
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
    kind: str  # text, textarea, integer, number, checkbox, date, time, select, image, readonly
    value: str  # as shown; for a checkbox "1" or ""
    spec: Field
    choices: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    note: str = ""  # why it cannot be changed here

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
    kind: str = ""  # "list": items can be added; "item": one of a list's, can be removed


def form_for(data: DataFile, at: tuple, info: SiteInfo) -> Group:
    spec = data.schema.root.at(at)
    ctx = Context(info.site_dir / "data", frozenset(info.articles), info.settings)
    return _node(data, spec, value_at(data.value, at), at, ctx, writable=True)


def _node(data: DataFile, spec: Field, value, path: tuple, ctx: Context, writable: bool):
    raw = raw_at(data, path)
    label = _label(data, spec, path, value)
    if spec.type == "mapping":
        here = isinstance(raw, dict)
        children = [_node(data, sub, value.get(name) if isinstance(value, dict) else None,
                          path + (name,), ctx, writable and here) for name, sub in spec.fields.items()]
        note = "" if here or not writable else "文件里还没有这一组，暂时不能在这里添加，请用记事本添加。"
        return Group(path, label, children, note, "item" if here and path and isinstance(path[-1], int) else "")
    if spec.type == "list":
        if raw is None and writable and spec.item is not None and spec.item.type == "mapping" \
                and isinstance(raw_at(data, path[:-1]), dict):
            return Group(path, label, [], kind="list")  # none yet: the first can be added
        if not isinstance(raw, list):
            return _widget(data, spec, value, path, ctx, "readonly", label,
                           "这一项写成了一行，暂时只能用记事本修改。" if raw is not None else "")
        return Group(path, label, [_node(data, spec.item, item, path + (i,), ctx, writable)
                                   for i, item in enumerate(value or [])],
                     kind="list" if writable and spec.item is not None and spec.item.type == "mapping" else "")
    if spec.type == "any" or not writable or isinstance(raw, (dict, list)):
        return _widget(data, spec, value, path, ctx, "readonly", label,
                       "" if not writable else "暂时只能用记事本修改。")
    return _widget(data, spec, value, path, ctx, _kind(spec, value), label)


def _widget(data, spec: Field, value, path, ctx: Context, kind: str, label: str, note: str = "") -> Widget:
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
    return Widget(path, label, kind, text, spec, options, note=note)


def _kind(spec: Field, value) -> str:
    if spec.type == "text":
        long = spec.name in LONG_TEXT or (isinstance(value, str) and (len(value) > LONG_AFTER or "\n" in value))
        return "textarea" if long else "text"
    if spec.type == "date":
        # a date with a time of day stays a text field: the date control cannot hold one
        return "date" if value is None or _is_plain_date(value) else "text"
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


def new_form(data: DataFile, at: tuple, info: SiteInfo) -> Group:
    """An empty form for a new item of the list at ``at``: one widget per
    value (lists inside it are added to once it is saved), each showing the
    schema's default, or nothing."""
    spec = data.schema.root.at(at).item
    ctx = Context(info.site_dir / "data", frozenset(info.articles), info.settings)
    path = at + (len(value_at(data.value, at) or []),)
    if spec.type != "mapping":
        return Group(path, spec.label, [_widget(data, spec, spec.default, path, ctx, _kind(spec, None), spec.label)])
    children = [_widget(data, sub, sub.default, path + (name,), ctx, _kind(sub, None), sub.label)
                for name, sub in spec.fields.items() if sub.type not in ("list", "mapping", "any")]
    later = [sub.label for sub in spec.fields.values() if sub.type == "list"]
    note = f"{'、'.join(later)}：保存这一条之后，在这一条里逐条新增。" if later else ""
    return Group(path, f"新的{data.schema.root.at(at).label}", children, note)


