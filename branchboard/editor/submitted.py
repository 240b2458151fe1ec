"""What a submitted form changes in its data file, and the checks before saving.

    submitted(group, form)         English path -> the text (or True/False) submitted for it
    changes_from(data, group, values)   {path as the file writes it: new value}, only what differs
    ref_problems(group, values)    a choice from another list must be in that list
    new_problems(...)              the checks the build makes, on the text about to be saved
    place_problems(...)            each problem beside the field it is about

A key the file does not have yet is spelled as its neighbours are: in
Chinese beside Chinese keys, in English beside English ones.
"""

from __future__ import annotations

from collections import Counter

from branchboard.editor import sizetext
from branchboard.editor.datafile import DataFile, SiteInfo, raw_at, value_at
from branchboard.editor.widgets import Group, Widget, widgets
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
        elif w.kind == "list":
            values[w.path] = _list_sent(w, form)
        elif w.kind == "size":
            values[w.path] = _size_sent(w, form)
        elif w.name in form:
            values[w.path] = _text_sent(form.get(w.name))
    return values


def _text_sent(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _list_sent(w: Widget, form) -> list[str]:
    """The boxes ``v.<path>.0``, ``v.<path>.1`` ... in their order (empty ones
    too, so a box just added stays on the form; ``filled`` leaves them out)."""
    boxes = sorted((int(key[len(w.name) + 1:]), key) for key in form
                   if key.startswith(w.name + ".") and key[len(w.name) + 1:].isdigit())
    return [_text_sent(form.get(key)) for _i, key in boxes]


def filled(items: list[str]) -> list[str]:
    return [item for item in items if item]


def _size_sent(w: Widget, form) -> str:
    """The size's boxes as one value, written as the file writes sizes; a
    preset chosen wins over the boxes."""
    size = sizetext.Size(*(_text_sent(form.get(f"{w.name}:{part}", "")) for part in ("width", "height", "unit")),
                         preset=_text_sent(form.get(f"{w.name}:preset", "")))
    return sizetext.written(size, w.size_style)


def shown_values(group: Group, values: FormValues) -> None:
    """Put what she typed back into the form's widgets, for a form that comes back to her."""
    for w in widgets(group):
        if w.path not in values:
            continue
        sent = values[w.path]
        if w.kind == "checkbox":
            w.value = "1" if sent else ""
        elif w.kind == "list":
            w.items = list(sent)
        else:
            w.value = sent
            if w.kind == "size":
                w.size = sizetext.parts(sent, w.spec.presets)


def ref_problems(group: Group, values: FormValues) -> bool:
    """Mark each choice from another list that is not in that list; whether there was one."""
    found = False
    for w in widgets(group):
        sent = values.get(w.path)
        if w.is_ref and sent and sent not in w.choices:
            w.problems.append(f"“{sent}”不在{w.label}的名单里，请从列出的里面选一个。")
            found = True
    return found


def changes_from(data: DataFile, group: Group, values: FormValues) -> dict[tuple, object]:
    """{path as the file writes it: new value or REMOVE}, only for values that
    changed; the values of a group the entry did not have go in as one new key."""
    changes: dict[tuple, object] = {}
    added: dict[tuple, dict] = {}  # an opened group's English path -> {key as written: value}
    for w in widgets(group):
        if w.path not in values:
            continue
        new = _changed(data, w, values[w.path])
        if new is None:
            continue
        if data.doc is not None and w.path[:-1] not in data.doc.raw_paths:
            if new is not REMOVE:
                added.setdefault(w.path[:-1], {})[_spelled(data, w.spec)] = new
            continue
        changes[written_path(data, w.path)] = new
    for path, keys in added.items():
        changes[written_path(data, path)] = keys
    return changes


def _changed(data: DataFile, w: Widget, new):
    """The value to write for a widget, REMOVE, or None when it did not change."""
    exists = data.doc is not None and w.path in data.doc.raw_paths
    if w.kind == "checkbox":
        current = value_at(data.value, w.path)
        return None if new == (current if current is not None else bool(w.spec.default)) else new
    if w.kind == "list":
        new = filled(new)
        if new == w.items:
            return None
        if not new:
            return REMOVE if exists else None
        raw = raw_at(data, w.path)
        return _joined(raw, new) if isinstance(raw, str) else new
    if new == w.value:
        return None
    if new == "":
        return REMOVE if exists else None
    return typed_value(w.spec, new)


def _joined(raw: str, items: list[str]) -> str:
    """A list the file writes as one text (周三、周五), joined the same way."""
    separator = next((s for s in ("、", "，", ",", "；", ";", " ") if s in raw), "、")
    return (separator if separator != "," else ", ").join(items)


def _spelled(data: DataFile, spec: Field) -> str:
    chinese = any(not str(k).isascii() for k in all_keys(data.raw))
    return spec.aliases[0] if chinese and spec.aliases else spec.name


def typed_value(spec: Field, text: str):
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


def written_path(data: DataFile, path: tuple) -> tuple:
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


def all_keys(value):
    if isinstance(value, dict):
        for key, sub in value.items():
            yield key
            yield from all_keys(sub)
    elif isinstance(value, list):
        for sub in value:
            yield from all_keys(sub)


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
