"""The buttons inside a form that change the form, not the file: a row
added to a new entry's list, one removed or moved up or down, a box added
to a list of single values, a missing group opened to be filled in.

The form comes back with what she typed kept; nothing is saved until she
presses 保存.  The form carries its own shape in hidden fields: ``rows.<path>``
(how many rows a list shows) and ``open`` (the groups opened), and a button
says what it does as ``op=<verb>:<path>``: add, del, up, down, open.
"""

from __future__ import annotations

from typing import NamedTuple

from branchboard.editor.datafile import parse_at

VERBS = ("add", "del", "up", "down", "open")


class FormState(NamedTuple):
    rows: dict  # English path of a list of records -> how many rows it shows
    opened: frozenset  # English paths of the absent groups being filled in


def state_of(form) -> FormState:
    rows = {}
    for key in form:
        if key.startswith("rows.") and form.get(key, "").isdigit():
            rows[parse_at(key[len("rows."):])] = min(int(form.get(key)), 50)
    return FormState(rows, frozenset(parse_at(p) for p in form.getlist("open") if p))


def parsed_op(text: str) -> tuple[str, tuple] | None:
    """("up", path) from "up:0.awards.1"; None for anything else."""
    verb, _colon, where = text.partition(":")
    return (verb, parse_at(where)) if verb in VERBS and where else None


def apply(op: tuple[str, tuple], values: dict, state: FormState) -> tuple[dict, FormState]:
    """The values and the form's shape after one button."""
    verb, path = op
    if verb == "open":
        return values, state._replace(opened=state.opened | {path})
    listed = path if verb == "add" else path[:-1]
    if listed in state.rows:
        return _rows_changed(verb, path, values, state)
    items = list(values.get(listed) or [])
    if verb == "add":
        items.append("")
    elif isinstance(path[-1], int) and 0 <= path[-1] < len(items):
        items = _reordered(verb, path[-1], items)
    return {**values, listed: items}, state


def _reordered(verb: str, index: int, items: list) -> list:
    if verb == "del":
        return items[:index] + items[index + 1:]
    other = index - 1 if verb == "up" else index + 1
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    return items


def _rows_changed(verb: str, path: tuple, values: dict, state: FormState) -> tuple[dict, FormState]:
    """A list of records: its rows' values renumbered as the rows move."""
    rows = dict(state.rows)
    if verb == "add":
        rows[path] += 1
        return values, state._replace(rows=rows)
    listed, index = path[:-1], path[-1]
    order = _reordered(verb, index, list(range(rows[listed])))
    rows[listed] = len(order)
    new_place = {old: new for new, old in enumerate(order)}
    moved = {}
    for key, value in values.items():
        if key[:len(listed)] == listed and len(key) > len(listed) and isinstance(key[len(listed)], int):
            if key[len(listed)] not in new_place:
                continue  # the removed row
            key = listed + (new_place[key[len(listed)]],) + key[len(listed) + 1:]
        moved[key] = value
    return moved, state._replace(rows=rows)

