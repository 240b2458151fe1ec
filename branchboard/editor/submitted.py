"""What a submitted form changes in its data file, and the checks before saving.

    submitted(group, form)         English path -> the text (or True/False) submitted for it
    changes_from(data, group, values)   {path as the file writes it: new value}, only what differs
    new_item(data, group, values)  (the list's path as the file writes it, the item to append)
    new_problems(...)              the checks the build makes, on the text about to be saved
    place_problems(...)            each problem beside the field it is about

A key the file does not have yet is spelled as its neighbours are: in
Chinese beside Chinese keys, in English beside English ones.
"""

from __future__ import annotations

from collections import Counter

from branchboard.editor.datafile import DataFile, SiteInfo, raw_at, value_at
from branchboard.editor.widgets import Group, widgets
from branchboard.editor.yamledit import REMOVE
from branchboard.errors import BoardError
from branchboard.site.schema import Field


class FormValues(dict):
    """English path -> the text (or True/False) submitted for it."""


def submitted(group: Group, form) -> FormValues:
    values = FormValues()
    for w in widgets(group):
        if w.kind == "readonly":
            continue
        if w.kind == "checkbox":
            values[w.path] = form.get(w.name) == "1"
        elif w.name in form:
            values[w.path] = form.get(w.name).replace("\r\n", "\n").replace("\r", "\n").strip()
    return values


def changes_from(data: DataFile, group: Group, values: FormValues) -> dict[tuple, object]:
    """{path as the file writes it: new value or REMOVE}, only for values that changed."""
    changes: dict[tuple, object] = {}
    for w in widgets(group):
        if w.path not in values:
            continue
        new = values[w.path]
        if w.kind == "checkbox":
            current = value_at(data.value, w.path)
            if new == (current if current is not None else bool(w.spec.default)):
                continue
            changes[_written(data, w.path)] = new
            continue
        if new == w.value:
            continue
        exists = data.doc is not None and w.path in data.doc.raw_paths
        if new == "":
            if exists:
                changes[_written(data, w.path)] = REMOVE
            continue
        changes[_written(data, w.path)] = _typed(w.spec, new)
    return changes


def _typed(spec: Field, text: str):
    """The value to write: a number for a number field (when it is one; the
    check says what is wrong otherwise), text for everything else."""
    if spec.type in ("integer", "number"):
        try:
            number = float(text)
        except ValueError:
            return text
        if number.is_integer() and "." not in text and "e" not in text.lower():
            return int(number)
        return text if spec.type == "integer" else number
    return text


def _written(data: DataFile, path: tuple) -> tuple:
    """The path as the file spells it; a key it lacks spelled as its neighbours are."""
    doc = data.doc
    if path in doc.raw_paths:
        return doc.raw_paths[path]
    parent = doc.raw_paths[path[:-1]]
    spec = data.schema.root.at(path)
    siblings = raw_at(data, path[:-1])
    chinese = isinstance(siblings, dict) and any(
        str(k) in sub.aliases for k in siblings for sub in data.schema.root.at(path[:-1]).fields.values())
    return parent + ((spec.aliases[0] if chinese and spec.aliases else spec.name),)


def new_item(data: DataFile, group: Group, values: FormValues) -> tuple[tuple, object]:
    """(the list's path as the file writes it, the new item with keys spelled
    as the list's other items spell them); empty values are left out, and a
    checkbox only when it differs from its default."""
    at = group.path[:-1]
    spec = data.schema.root.at(at).item
    item = {}
    for w in widgets(group):
        new = values.get(w.path)
        if w.kind == "checkbox":
            if new == bool(w.spec.default):
                continue
        elif new in (None, ""):
            continue
        else:
            new = _typed(w.spec, new)
        if spec.type != "mapping":
            return _written_list(data, at), new
        item[_key_for(data, at, w.path[-1], w.spec)] = new
    return _written_list(data, at), item


def _written_list(data: DataFile, at: tuple) -> tuple:
    return _written(data, at) if at else ()


def _key_for(data: DataFile, at: tuple, name: str, spec: Field) -> str:
    """A key as the list's items spell it; for a key none of them has, in
    Chinese where they (or the file) use Chinese keys."""
    siblings = [k for item in (raw_at(data, at) if at else data.raw) or [] if isinstance(item, dict)
                for k in item]
    for key in siblings:
        if str(key) == name or str(key) in spec.aliases:
            return str(key)
    keys = siblings or list(_all_keys(data.raw))
    chinese = any(not str(k).isascii() for k in keys)
    return spec.aliases[0] if chinese and spec.aliases else name


def _all_keys(value):
    if isinstance(value, dict):
        for key, sub in value.items():
            yield key
            yield from _all_keys(sub)
    elif isinstance(value, list):
        for sub in value:
            yield from _all_keys(sub)


# -- checking before saving ------------------------------------------------------------

def new_problems(info: SiteInfo, name: str, old_text: str, new_text: str) -> list[BoardError]:
    """The errors the build would find in ``new_text`` that ``old_text`` did
    not have: a mistake already in another entry does not stop this save."""
    from branchboard.board.data import check_data_text

    def errors(text):
        return check_data_text(info.site_dir, info.schema_dirs, info.articles, info.settings, name, text).errors

    before = Counter((p.message, p.hint) for p in errors(old_text))
    found = []
    for problem in errors(new_text):
        key = (problem.message, problem.hint)
        if before[key]:
            before[key] -= 1
        else:
            found.append(problem)
    return found


def place_problems(group: Group, after: DataFile, problems: list[BoardError]) -> list[str]:
    """Put each problem beside the field it is about (on its line, naming it);
    ``after``: the file as the save would leave it.  The rest come back, to be
    shown above the form."""
    spots = []
    for w in widgets(group):
        raw_path = after.doc.raw_paths.get(w.path) if after.doc is not None else None
        if raw_path:
            spots.append((w, after.doc.positions.of_key(raw_path)[0], {w.label, str(raw_path[-1])}))
    rest = []
    for problem in problems:
        text = problem.message + (f"（{problem.hint}）" if problem.hint else "")
        target = next((w for w, line, names in spots
                       if line == problem.line and any(n in problem.message for n in names)), None)
        if target is None:
            rest.append(f"第 {problem.line} 行：{text}" if problem.line else text)
        else:
            target.problems.append(text)
    return rest
