"""A new entry: its form, the item it makes, and where in its list it goes.

    new_form(data, list_at, info, rows, now)   an empty form for a new item of a list
    new_item(data, group, values)              (the list's path as the file writes it, the new item)
    place_for(data, list_at, values, path)     where it goes: at its date in a list kept in date order

A new item's own lists of records (a new 光荣榜 period's 表彰) are filled in
on the same page, a row each, and saved with it.  A new period (an item
with a 期次) starts with this month's 期次, written as the file writes the
others, and today's 日期.
"""

from __future__ import annotations

import datetime as dt
import re

from branchboard.editor.datafile import DataFile, SiteInfo, raw_at, value_at
from branchboard.editor.submitted import FormValues, all_keys, filled, typed_value, written_path
from branchboard.editor.widgets import Group, Widget, context, kind_for, list_widget, widget_for
from branchboard.site.schema import Context, Field
from branchboard.site.yamlio import parse_datetime

SIMPLE = ("list", "mapping", "any")  # what is not one box of the form


def new_form(data: DataFile, at: tuple, info: SiteInfo, rows: dict | None = None,
             now: dt.datetime | None = None) -> Group:
    """An empty form for a new item of the list at ``at``: one widget per
    value, each showing the schema's default, or nothing; ``rows``: how many
    rows each of its lists of records shows (English path -> count)."""
    spec = data.schema.root.at(at).item
    ctx = context(info)
    path = at + (len(value_at(data.value, at) or []),)
    if spec.type != "mapping":
        return Group(path, spec.label, [widget_for(data, spec, spec.default, path, ctx, kind_for(spec, None), spec.label)])
    children = _record_widgets(data, spec, path, ctx, rows or {})
    if "period" in spec.fields and now is not None:
        _prefill(children, path, this_period(data, at, now), now)
    lists = [child.label for child in children if isinstance(child, Group)]
    return Group(path, f"新的{data.schema.root.at(at).label}", children, _help(lists))


def _record_widgets(data: DataFile, spec: Field, path: tuple, ctx: Context, rows: dict) -> list:
    children = []
    for name, sub in spec.fields.items():
        here = path + (name,)
        if sub.type not in SIMPLE:
            children.append(widget_for(data, sub, sub.default, here, ctx, kind_for(sub, None), sub.label))
        elif sub.type == "list" and sub.item is not None and sub.item.type not in SIMPLE:
            children.append(list_widget(data, sub, None, here, ctx, sub.label))
        elif sub.type == "list" and sub.item is not None and sub.item.type == "mapping":
            count = rows.get(here, 0)
            children.append(Group(here, sub.label, [
                Group(here + (i,), f"第 {i + 1} 条{sub.label}",
                      _record_widgets(data, sub.item, here + (i,), ctx, {}), kind="row")
                for i in range(count)], kind="rows"))
    return children


def _help(lists: list[str]) -> str:
    if not lists:
        return ""
    names = "、".join(lists)
    return (f"先填上面的各项。{names}就在下面填：点“添加一条{lists[0]}”会多出一组空白的格子，"
            f"每条填一组，可以添加好几条，也可以删掉或调整先后。全部填好后点最下面的“保存这一条”，一起保存。")


def _prefill(children: list, path: tuple, period: str, now: dt.datetime) -> None:
    for child in children:
        if isinstance(child, Widget) and child.path == path + ("period",):
            child.value = period
        elif isinstance(child, Widget) and child.path == path + ("date",) and child.kind == "date":
            child.value = now.date().isoformat()


PERIOD = re.compile(r"^(\d{4})(\D+?)(\d{1,2})(\D*)$")


def this_period(data: DataFile, at: tuple, now: dt.datetime) -> str:
    """This month's 期次 written as the list's last one is (2026年11月, 2026-11,
    2026.11 ...); 2026年11月 when there is none to follow."""
    written = [str(item.get("period")) for item in value_at(data.value, at) or [] if isinstance(item, dict)]
    shapes = [found for found in map(PERIOD.match, written) if found]
    if not shapes:
        return f"{now.year}年{now.month}月"
    _year, between, _month, after = shapes[-1].groups()
    padded = any(len(found.group(3)) == 2 and found.group(3).startswith("0") for found in shapes)
    return f"{now.year}{between}{now.month:02d}{after}" if padded else f"{now.year}{between}{now.month}{after}"


# -- the item it makes ----------------------------------------------------------------

def new_item(data: DataFile, group: Group, values: FormValues) -> tuple[tuple, object]:
    """(the list's path as the file writes it, the new item with keys spelled
    as the list's other items spell them); empty values are left out, and a
    checkbox only when it differs from its default; empty rows too."""
    at = group.path[:-1]
    written_at = written_path(data, at) if at else ()
    if data.schema.root.at(at).item.type != "mapping":
        widget = group.children[0]
        return written_at, _value(widget, values.get(widget.path))
    return written_at, _record(data, group, values, at)


def _record(data: DataFile, group: Group, values: FormValues, at: tuple) -> dict:
    item = {}
    for child in group.children:
        if isinstance(child, Group):  # a list of records: its rows that are not empty
            rows = [row for row in (_record(data, r, values, child.path) for r in child.children) if row]
            if rows:
                item[_key_for(data, at, child.path[-1], data.schema.root.at(child.path))] = rows
            continue
        value = _value(child, values.get(child.path))
        if value is not None:
            item[_key_for(data, at, child.path[-1], child.spec)] = value
    return item


def _value(widget: Widget, sent):
    if widget.kind == "checkbox":
        return None if sent == bool(widget.spec.default) else sent
    if widget.kind == "list":
        return filled(sent or []) or None
    if sent in (None, "", []):
        return None
    return typed_value(widget.spec, sent)


def _key_for(data: DataFile, at: tuple, name: str, spec: Field) -> str:
    """A key as the list's items spell it; for a key none of them has, in
    Chinese where they (or the file) use Chinese keys."""
    siblings = [k for item in (raw_at(data, at) if at else data.raw) or [] if isinstance(item, dict)
                for k in item]
    for key in siblings:
        if str(key) == name or str(key) in spec.aliases:
            return str(key)
    keys = siblings or list(all_keys(data.raw))
    chinese = any(not str(k).isascii() for k in keys)
    return spec.aliases[0] if chinese and spec.aliases else name


# -- where it goes --------------------------------------------------------------------

def place_for(data: DataFile, at: tuple, values: FormValues, path: tuple) -> int | None:
    """The index a new item with a 日期 goes to in a list kept in date order
    (earliest first, or latest first); None (the end) for any other list."""
    items = value_at(data.value, at) or []
    dates = [_moment(item.get("date")) if isinstance(item, dict) else None for item in items]
    new = _moment(values.get(path + ("date",)))
    if not items or new is None or None in dates:
        return None
    if all(a <= b for a, b in zip(dates, dates[1:])):
        return next((i for i, d in enumerate(dates) if d > new), None)
    if all(a >= b for a, b in zip(dates, dates[1:])):
        return next((i for i, d in enumerate(dates) if d < new), None)
    return None


def _moment(value):
    try:
        return parse_datetime(value)[0] if value not in (None, "") else None
    except ValueError:
        return None
