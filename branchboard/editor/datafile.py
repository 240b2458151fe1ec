"""A data file as the editor reads it, and the entries its page lists.

    site_info(site_dir)            what checking the data needs: schemas, articles, settings
    data_files(info)               the data files that have a schema
    open_data(info, name, schema)  one file read: text, version, schema, values by English path
    entries(data)                  what the file's page lists (a list's items, a mapping's groups)
    is_list(data, at)              whether a new item can be added to the list at ``at``

Paths in English (``(10, "reply")``) are what the schema and the form use;
``data.doc.raw_paths`` gives them as the file spells them (``(10, "回复")``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from branchboard.board.figures import STATUS_CLASSES
from branchboard.editor import files
from branchboard.errors import BoardError, Report
from branchboard.site.schema import Document, Field, Schema, format_number, normalise
from branchboard.site.yamlio import load_yaml


@dataclass
class SiteInfo:
    """What checking the site's data needs: where schemas are, the articles, settings."""

    site_dir: Path
    schema_dirs: list[Path]
    articles: set[str]
    settings: dict
    problems: list[BoardError]  # site.yaml or the theme could not be read


def site_info(site_dir: Path, site_files=None) -> SiteInfo:
    """What checking the data needs; through ``site_files`` (the editor's
    siteinfo.SiteFiles) site.yaml and the theme are read only when changed."""
    from branchboard.editor.siteinfo import SiteFiles

    site_files = site_files or SiteFiles(site_dir)
    config, theme, problems = site_files.settings()
    schema_dirs = [site_dir / "schemas", *(theme.schema_dirs if theme else [])]
    settings = {"honor_titles": list(config.honor_titles)} if config else {}
    return SiteInfo(site_dir, schema_dirs, set(site_files.content().articles), settings, list(problems))


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
        return [Entry((i,), entry_title(root.item, item), "", _status(item)) for i, item in enumerate(value or [])]
    found = []
    for name, sub in root.fields.items():
        item_value = (value or {}).get(name) if isinstance(value, dict) else None
        if sub.type == "list" and sub.item is not None and sub.item.type == "mapping":
            found += [Entry((name, i), entry_title(sub.item, item), sub.label, _status(item))
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
    return shown(value.get("status")) if isinstance(value, dict) else ""


def entry_title(spec: Field, value) -> str:
    if not isinstance(value, dict):
        return shown(value) or "（空）"
    words = [shown(value.get(n)) for n, sub in spec.fields.items()
             if sub.type not in ("list", "mapping", "any") and value.get(n) not in (None, "")][:3]
    return " ".join(w for w in words if w)[:60] or "（空）"


def parse_at(text: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in text.split(".") if p)


def at_text(at: tuple) -> str:
    return ".".join(str(p) for p in at)


def value_at(value, path: tuple):
    for step in path:
        if isinstance(value, dict) and isinstance(step, str):
            value = value.get(step)
        elif isinstance(value, list) and isinstance(step, int) and 0 <= step < len(value):
            value = value[step]
        else:
            return None
    return value


def raw_at(data: DataFile, path: tuple):
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
    holder = raw_at(data, at[:-1]) if at[:-1] else data.raw
    return isinstance(holder, dict) and isinstance(raw_at(data, at), (list, type(None)))



def shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
        return format_number(value)
    if isinstance(value, list):
        return "、".join(shown(v) for v in value)
    return str(value)
