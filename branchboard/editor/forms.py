"""Forms made from the data schemas, and the changes a submitted form makes.

    EditorSite.data_files()        the data files that have a schema
    EditorSite.open_data(name)     one file read: text, version, schema, values by English path
    entries(data)                  what the file's page lists (a list's items, a mapping's groups)
    form_for(data, at, site)       the entry's form: one Widget per value, grouped as the schema is
    new_form(data, list_at, site)  an empty form for a new item of a list, defaults from the schema
    new_item(data, group, form)    (the list's path as the file writes it, the item to append)
    changes_from(data, nodes, form)   {path as the file writes it: new value}, only what differs
    new_problems(...)              the checks the build makes, on the text about to be saved

Paths in English (``(10, "reply")``) are what the schema and the form use;
paths as the file spells them (``(10, "回复")``) are what yamledit writes.
A key the file does not have yet is spelled as its neighbours are: in
Chinese beside Chinese keys, in English beside English ones.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from branchboard.board.figures import STATUS_CLASSES
from branchboard.editor import files
from branchboard.editor.yamledit import REMOVE
from branchboard.errors import BoardError, Report
from branchboard.site.schema import (Context, Document, Field, Schema, choices, format_number, normalise,
                                     referenced)
from branchboard.site.yamlio import load_yaml

LONG_TEXT = {"content", "reply", "body", "text", "summary", "description", "note", "remark"}
LONG_AFTER = 30  # characters: a longer value gets a text area
PERSON_FIELDS = ("name", "leader")  # an award's 姓名, a model post's 带头人: what a photo is named after


@dataclass
class SiteInfo:
    """What checking the site's data needs: where schemas are, the articles, settings."""

    site_dir: Path
    schema_dirs: list[Path]
    articles: set[str]
    settings: dict
    problems: list[BoardError]  # site.yaml or the theme could not be read


def site_info(site_dir: Path) -> SiteInfo:
    from branchboard.site.config import load_config
    from branchboard.site.content import find_content
    from branchboard.site.theme import find_theme

    report = Report()
    config = load_config(site_dir, report)
    theme = find_theme(site_dir, config.theme, report) if config else None
    schema_dirs = [site_dir / "schemas", *(theme.schema_dirs if theme else [])]
    settings = {"honor_titles": list(config.honor_titles)} if config else {}
    return SiteInfo(site_dir, schema_dirs, set(find_content(site_dir)[0]), settings, report.errors)


@dataclass
class DataFile:
    """One data file as the form sees it."""

    name: str  # mailbox.yaml
    text: str
    version: str
    schema: Schema
    raw: object  # as loaded, keys as written
    value: object  # normalised: English keys (None when the file cannot be read)
    doc: Document | None
    problem: BoardError | None = None  # why the file cannot be read

    @property
    def rel(self) -> str:
        return f"data/{self.name}"

    @property
    def label(self) -> str:
        return self.schema.root.label


def data_files(info: SiteInfo) -> dict[str, Schema]:
    """name -> schema, for every data/*.yaml that has one."""
    from branchboard.board.data import _find_schema

    folder = info.site_dir / "data"
    found = {}
    for path in sorted(folder.glob("*.y*ml")) if folder.is_dir() else []:
        if path.suffix not in (".yaml", ".yml") or path.name.startswith(".") or not path.is_file():
            continue
        try:
            schema = _find_schema(path.stem, info.schema_dirs, info.site_dir)
        except BoardError:
            continue
        if schema is not None:
            found[path.name] = schema
    return found


def open_data(info: SiteInfo, name: str, schema: Schema) -> DataFile:
    text, version = files.open_file(info.site_dir, f"data/{name}")
    return parsed(name, text, version, schema)


def parsed(name: str, text: str, version: str, schema: Schema) -> DataFile:
    """A data file's text read with its schema's names (problems are for the checks)."""
    rel = f"data/{name}"
    try:
        raw, positions = load_yaml(text, rel)
    except BoardError as problem:
        return DataFile(name, text, version, schema, None, None, None, problem)
    doc = Document(rel, text, positions, schema.root, Report())
    value = normalise(schema.root, raw, (), (), doc) if raw is not None else None
    return DataFile(name, text, version, schema, raw, value, doc)


# -- what a file's page lists ---------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    at: tuple  # its English path
    title: str
    group: str  # the list it belongs to ("" for the file's own list)
    status: str = ""  # its 状态 (a letter's 已受理, 办理中, 已办结), if it has one

    @property
    def status_class(self) -> str:
        """"status-done" for a finished one; "status-open" (and its own) for one still waiting."""
        if not self.status:
            return ""
        own = STATUS_CLASSES.get(self.status, "")
        return " ".join(c for c in ("status", "status-done" if self.status in DONE else "status-open", own) if c)


DONE = ("已办结", "已完成")


def entries(data: DataFile) -> list[Entry]:
    root, value = data.schema.root, data.value
    if root.type == "list":
        return [Entry((i,), _title(root.item, item), "", _status(item)) for i, item in enumerate(value or [])]
    found = []
    for name, sub in root.fields.items():
        item_value = (value or {}).get(name) if isinstance(value, dict) else None
        if sub.type == "list" and sub.item is not None and sub.item.type == "mapping":
            found += [Entry((name, i), _title(sub.item, item), sub.label, _status(item))
                      for i, item in enumerate(item_value or [])]
        else:
            found.append(Entry((name,), sub.label, ""))
    return found


def entry_lists(data: DataFile) -> list[tuple[tuple, str]]:
    """(path, label) of the lists whose items the file's page lists."""
    root = data.schema.root
    if root.type == "list":
        return [((), root.label)] if is_list(data, ()) else []
    return [((name,), sub.label) for name, sub in root.fields.items()
            if sub.type == "list" and sub.item is not None and sub.item.type == "mapping"
            and is_list(data, (name,))]


def entry_of(data: DataFile, path: tuple) -> tuple:
    """The listed entry that holds ``path`` (or is it)."""
    listed = {entry.at for entry in entries(data)}
    return next((path[:n] for n in range(len(path), 0, -1) if path[:n] in listed), ())


def _status(value) -> str:
    return _shown(value.get("status")) if isinstance(value, dict) else ""


def _title(spec: Field, value) -> str:
    if not isinstance(value, dict):
        return _shown(value) or "（空）"
    words = [_shown(value.get(n)) for n, sub in spec.fields.items()
             if sub.type not in ("list", "mapping", "any") and value.get(n) not in (None, "")][:3]
    return " ".join(w for w in words if w)[:60] or "（空）"


def parse_at(text: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in text.split(".") if p)


def at_text(at: tuple) -> str:
    return ".".join(str(p) for p in at)


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
    return _node(data, spec, _value_at(data.value, at), at, ctx, writable=True)


def _node(data: DataFile, spec: Field, value, path: tuple, ctx: Context, writable: bool):
    raw = _raw_at(data, path)
    label = _label(data, spec, path, value)
    if spec.type == "mapping":
        here = isinstance(raw, dict)
        children = [_node(data, sub, value.get(name) if isinstance(value, dict) else None,
                          path + (name,), ctx, writable and here) for name, sub in spec.fields.items()]
        note = "" if here or not writable else "文件里还没有这一组，暂时不能在这里添加，请用记事本添加。"
        return Group(path, label, children, note, "item" if here and path and isinstance(path[-1], int) else "")
    if spec.type == "list":
        if raw is None and writable and spec.item is not None and spec.item.type == "mapping" \
                and isinstance(_raw_at(data, path[:-1]), dict):
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
    shown = _shown(value)
    if kind == "checkbox":
        shown = "1" if value is True or (value is None and spec.default is True) else ""
    return Widget(path, label, kind, shown, spec, options, note=note)


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
        return next((_shown(value.get(n)) for n in names if value.get(n) not in (None, "")), "")

    words = [w for w in (_shown(value.get("title")) if value.get("title") not in (None, "") else "",
                         first(WHO_FIELDS)) if w]
    return " · ".join(words) or first(WHAT_FIELDS)


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
        return format_number(value)
    if isinstance(value, list):
        return "、".join(_shown(v) for v in value)
    return str(value)


def widgets(group: Group):
    for child in group.children:
        if isinstance(child, Group):
            yield from widgets(child)
        else:
            yield child


def _value_at(value, path: tuple):
    for step in path:
        if isinstance(value, dict) and isinstance(step, str):
            value = value.get(step)
        elif isinstance(value, list) and isinstance(step, int) and 0 <= step < len(value):
            value = value[step]
        else:
            return None
    return value


def _raw_at(data: DataFile, path: tuple):
    if data.doc is None or path not in data.doc.raw_paths:
        return None
    value = data.raw
    for step in data.doc.raw_paths[path]:
        value = value[step]
    return value


def has_entry(data: DataFile, at: tuple) -> bool:
    return any(entry.at == at for entry in entries(data))


def is_list(data: DataFile, at: tuple) -> bool:
    """Whether ``at`` names a list of entries a new one can be added to."""
    try:
        spec = data.schema.root.at(at)
    except (KeyError, AttributeError, TypeError):
        return False
    if spec.type != "list" or spec.item is None or data.doc is None:
        return False
    if not at:
        return data.raw is None or isinstance(data.raw, list)
    holder = _raw_at(data, at[:-1]) if at[:-1] else data.raw
    return isinstance(holder, dict) and isinstance(_raw_at(data, at), (list, type(None)))


def new_form(data: DataFile, at: tuple, info: SiteInfo) -> Group:
    """An empty form for a new item of the list at ``at``: one widget per
    value (lists inside it are added to once it is saved), each showing the
    schema's default, or nothing."""
    spec = data.schema.root.at(at).item
    ctx = Context(info.site_dir / "data", frozenset(info.articles), info.settings)
    path = at + (len(_value_at(data.value, at) or []),)
    if spec.type != "mapping":
        return Group(path, spec.label, [_widget(data, spec, spec.default, path, ctx, _kind(spec, None), spec.label)])
    children = [_widget(data, sub, sub.default, path + (name,), ctx, _kind(sub, None), sub.label)
                for name, sub in spec.fields.items() if sub.type not in ("list", "mapping", "any")]
    later = [sub.label for sub in spec.fields.values() if sub.type == "list"]
    note = f"{'、'.join(later)}：保存这一条之后，在这一条里逐条新增。" if later else ""
    return Group(path, f"新的{data.schema.root.at(at).label}", children, note)


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
    siblings = [k for item in (_raw_at(data, at) if at else data.raw) or [] if isinstance(item, dict)
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


# -- a submitted form --------------------------------------------------------------------

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
            current = _value_at(data.value, w.path)
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
    siblings = _raw_at(data, path[:-1])
    chinese = isinstance(siblings, dict) and any(
        str(k) in sub.aliases for k in siblings for sub in data.schema.root.at(path[:-1]).fields.values())
    return parent + ((spec.aliases[0] if chinese and spec.aliases else spec.name),)


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
