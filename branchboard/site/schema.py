"""Declared schemas: one format to declare the board's data files and
site.yaml, and the steps that check a document against its declaration.

A schema is one node: ``fields:`` makes a mapping, ``item:`` a list, anything
else is a value with a ``type``.  Every field has an English name and may
have Chinese ``alias`` names; the secretary may write either, mixed in one
file.  A theme's ``schemas/honors.yaml`` declares ``data/honors.yaml``;
``branchboard.site.config`` declares site.yaml in Python, in the same format
(``declare``).  A list may allow one text split at 、，; (``split``) or one
value (``single``) in its place, a mapping one value for one of its fields
(``shorthand``); a mapping may ignore unknown keys with a warning
(``unknown: warn``); a value of type ``any`` is passed on unchecked.

``check`` runs the steps, each adding every problem it finds to the report:

1. ``normalise``: keys become the English names (unknown and doubled keys
   are reported), enum spellings become the canonical choice, and numbers
   that YAML read out of a text field get their written text back (``1.10``);
2. ``validate``: each value the declaration refuses is marked and explained
   (``explain``), each missing required field reported (``missing``);
3. ``convert``: dates become ``datetime.date`` (``datetime`` when a time is
   given), sizes become millimetres, missing fields get their defaults;
4. ``declared_checks``: ``unique``, ``not_before``, ``not_above``.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from branchboard.errors import BoardError, Report, case_hint, did_you_mean
from branchboard.site.yamlio import Positions, load_yaml, loader_class, parse_datetime, read_text

TYPES = {"text", "integer", "number", "boolean", "date", "time", "enum", "image",
         "article", "ref", "size", "list", "mapping", "any"}
# Types whose value is written as text: YAML may still read 16:30 as 990 or
# 1.10 as 1.1, so the written text is recovered from the source line.
TEXTUAL = {"text", "date", "time", "enum", "image", "article", "ref", "size"}
FIELD_KEYS = {"type", "alias", "label", "required", "default", "min", "max", "choices",
              "synonyms", "more_choices", "to", "unique", "not_before", "not_above",
              "presets", "split", "single", "fields", "item", "shorthand", "unknown"}


@dataclass(frozen=True, eq=False)
class Field:
    """One node of a declared schema."""

    name: str
    type: str
    label: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    default: object = None
    min: float | None = None
    max: float | None = None
    choices: tuple = ()
    synonyms: dict = field(default_factory=dict)
    more_choices: str = ""
    to: str = ""
    unique: bool = False
    not_before: str = ""
    not_above: str = ""
    presets: dict = field(default_factory=dict)
    split: bool = False  # a list may be one text, split at 、，; and spaces
    single: bool = False  # a list may be one value, its only item
    fields: dict = field(default_factory=dict)
    item: Field | None = None
    shorthand: str = ""  # a mapping may be one value, this field's
    unknown: str = "error"  # a mapping's unknown keys: "error", or "warn" and ignore them

    def lookup(self, key: str) -> Field | None:
        """The field a key names, in English (any case) or by a Chinese alias."""
        for f in self.fields.values():
            if key.lower() == f.name.lower() or key in f.aliases:
                return f
        return None

    def at(self, path: tuple) -> Field:
        node = self
        for step in path:
            node = node.item if isinstance(step, int) else node.fields[step]
        return node


class Schema(NamedTuple):
    """A schema file: its declaration and the named checks it asks for."""

    root: Field
    checks: tuple[str, ...]


# -- reading schema files ------------------------------------------------------

def _schema_error(rel, positions, path, message):
    line, col = positions.of_key(path)
    return BoardError(rel, line, col, message, "这是主题的数据格式定义文件，请联系维护网站的同事。")


def _read_field(name, raw, path, rel, positions) -> Field:
    if not isinstance(raw, dict):
        raw = {"type": raw}  # `period: text` is short for `period: {type: text}`
    for key in raw:
        if key not in FIELD_KEYS:
            raise _schema_error(rel, positions, path + (key,), f"格式定义里不认识“{key}”")
    kind = raw.get("type") or ("mapping" if "fields" in raw else "list" if "item" in raw else "text")
    if kind not in TYPES:
        raise _schema_error(rel, positions, path + ("type",), f"没有“{kind}”这种类型")
    needed = {"enum": "choices", "ref": "to", "list": "item"}.get(kind)
    if needed and not raw.get(needed):
        raise _schema_error(rel, positions, path, f"“{name}”是 {kind} 类型，要写 {needed}")
    if raw.get("unknown", "error") not in ("error", "warn"):
        raise _schema_error(rel, positions, path + ("unknown",), "unknown 只能写 error 或 warn")
    if raw.get("shorthand") and raw["shorthand"] not in (raw.get("fields") or {}):
        raise _schema_error(rel, positions, path + ("shorthand",), "shorthand 要写 fields 里的一项")
    aliases = raw.get("alias") or ()
    aliases = (aliases,) if isinstance(aliases, str) else tuple(aliases)
    fields = {k: _read_field(k, v, path + ("fields", k), rel, positions)
              for k, v in (raw.get("fields") or {}).items()}
    item = raw.get("item")
    return Field(
        name=name, type=kind, label=raw.get("label") or (aliases[0] if aliases else name),
        aliases=aliases, required=bool(raw.get("required")), default=raw.get("default"),
        min=raw.get("min"), max=raw.get("max"), choices=tuple(raw.get("choices") or ()),
        synonyms={str(k).lower(): v for k, v in (raw.get("synonyms") or {}).items()},
        more_choices=raw.get("more_choices", ""), to=raw.get("to", ""),
        unique=bool(raw.get("unique")), not_before=raw.get("not_before", ""),
        not_above=raw.get("not_above", ""), presets=dict(raw.get("presets") or {}),
        split=bool(raw.get("split")), single=bool(raw.get("single")), fields=fields,
        item=_read_field(name, item, path + ("item",), rel, positions) if item else None,
        shorthand=raw.get("shorthand", ""), unknown=raw.get("unknown", "error"))


def read_schema(path: Path, rel: str, known_checks=()) -> Schema:
    """Read one schema file; raises BoardError when it is malformed.
    ``known_checks``: the names its ``checks:`` may list."""
    raw, positions = load_yaml(read_text(path, rel), rel)
    if not isinstance(raw, dict):
        raise BoardError(rel, 1, 1, "格式定义文件应该是一组“键: 值”")
    raw = dict(raw)
    label, names = raw.pop("label", path.stem), tuple(raw.pop("checks", None) or ())
    for name in names:
        if name not in known_checks:
            raise _schema_error(rel, positions, ("checks",), f"没有名为“{name}”的检查")
    return Schema(_read_field(label, raw, (), rel, positions), names)


def declare(label: str, raw: dict) -> Field:
    """A schema written in Python, in the format of a schema file."""
    return _read_field(label, raw, (), label, Positions())


# -- values --------------------------------------------------------------------

_UNIT_MM = {"mm": 1, "毫米": 1, "cm": 10, "厘米": 10, "m": 1000, "米": 1000}
_NUM, _UNIT = r"(-?\d+(?:\.\d+)?)", r"(mm|cm|m|毫米|厘米|米)"
# patterns, compiled by re on first use: reading site.yaml needs neither
# width, its unit (may be left out), the cross, height, unit; spaces taken out first
SIZE_PATTERN = rf"(?i)^{_NUM}{_UNIT}?([x×X*＊]){_NUM}{_UNIT}$"
_TIME = r"^(\d{1,2})[:：](\d{2})(?:\s*[-–—~～至到]\s*(\d{1,2})[:：](\d{2}))?$"


def parse_size(value, presets: dict) -> tuple[int, int]:
    """``600x70cm``, ``6x0.7m`` or a preset name -> (width, height) in mm."""
    from decimal import ROUND_HALF_UP, Decimal

    text = str(presets.get(value, value)).replace(" ", "")
    m = re.match(SIZE_PATTERN, text)
    if not m:
        if not re.search(r"\d", text):
            raise ValueError(f"没有叫“{value}”的预设尺寸")
        raise ValueError(f"“{value}”不是尺寸，应写成“宽x高”并带单位，如 600x70cm、6x0.7m")
    width, width_unit, _cross, height, height_unit = m.groups()
    sizes = [Decimal(width) * _UNIT_MM[(width_unit or height_unit).lower()],
             Decimal(height) * _UNIT_MM[height_unit.lower()]]
    mm = tuple(int(v.to_integral_value(ROUND_HALF_UP)) for v in sizes)
    if min(mm) <= 0:
        raise ValueError(f"“{value}”的宽和高都必须大于 0")
    return mm


def parse_time(value) -> str:
    """``16:30`` or ``16:30-17:30`` (full-width colons too), normalised."""
    m = re.match(_TIME, str(value).strip())
    if not m or any(int(h) > 23 for h in m.groups()[::2] if h) or \
            any(int(mi) > 59 for mi in m.groups()[1::2] if mi):
        raise ValueError(f"“{value}”不是时间，应写成 16:30 或 16:30-17:30")
    h1, m1, h2, m2 = m.groups()
    return f"{int(h1)}:{m1}" + (f"–{int(h2)}:{m2}" if h2 else "")


def format_number(value) -> str:
    """98.5, 98 (never 98.0); exact for Decimal, int and float."""
    from decimal import Decimal

    text = format(Decimal(str(value)).normalize(), "f")
    return "0" if text == "-0" else text


def as_date(value) -> dt.date | None:
    return value.date() if isinstance(value, dt.datetime) else value


def _clean_path(value: str, prefix: str) -> str:
    value = value.replace("\\", "/").strip()
    while value.startswith("./"):
        value = value[2:]
    return value[len(prefix):] if value.startswith(prefix) else value


def inside(base: Path, rel: str) -> Path | None:
    """``base / rel``, or None when it leads out of ``base``."""
    target = (base / rel).resolve()
    return target if target.is_relative_to(base.resolve()) else None


# -- one document ----------------------------------------------------------------

class Context(NamedTuple):
    """What checking a value needs beyond the document itself."""

    data_dir: Path | None = None  # where an image's path starts
    articles: frozenset = frozenset()  # the article files an ``article`` may name
    settings: dict = {}  # where ``more_choices`` are found (never changed)


@dataclass
class Document:
    """One document being checked: where its nodes are, what went wrong."""

    rel: str
    text: str
    positions: Positions
    root: Field
    report: Report
    raw_paths: dict = field(default_factory=dict)  # English path -> path as written
    bad: set = field(default_factory=set)  # paths whose value the declaration refused

    def written(self, path: tuple) -> tuple:
        for cut in range(len(path), -1, -1):
            if path[:cut] in self.raw_paths:
                return self.raw_paths[path[:cut]] + path[cut:]
        return path

    def where(self, path: tuple) -> tuple:
        line, col = self.positions.of_key(self.written(path))
        return (1, 1) if line is None and not path else (line, col)  # an empty document: its start

    def name(self, path: tuple) -> str:
        """The field's name as the file spells it (its label when not written)."""
        keys = [i for i, step in enumerate(path) if isinstance(step, str)]
        if not keys:
            return self.root.label
        cut = keys[-1] + 1
        name = str(self.raw_paths[path[:cut]][-1]) if path[:cut] in self.raw_paths \
            else self.root.at(path[:cut]).label
        return f"{name} 第 {path[-1] + 1} 项" if isinstance(path[-1], int) else name

    def error(self, path: tuple, message: str, hint: str = "") -> None:
        line, col = self.where(path)
        self.report.error(self.rel, line, col, message, hint)

    def source_text(self, raw_path: tuple, value):
        """The scalar as written, for a number YAML read out of a text field."""
        import yaml

        line, col = self.positions.of(raw_path)
        if line is None:
            return str(value)
        written = re.split(r"\s#|[,\]}]", self.text.split("\n")[line - 1][col - 1:])[0].strip()
        try:
            same = yaml.load(written, Loader=loader_class()) == value
        except yaml.YAMLError:
            same = False
        return written if same else str(value)


def check(doc: Document, value, ctx: Context):
    """``value`` checked against ``doc.root``: normalised, validated, converted
    and cross-checked, every problem in ``doc.report``."""
    whole = normalise(doc.root, value, (), (), doc)
    validate(doc.root, whole, (), whole, doc, ctx)
    converted = convert(doc.root, whole, (), doc)
    declared_checks(doc.root, converted, (), doc, {})
    return converted


# -- 1. normalise ------------------------------------------------------------------

def normalise(spec: Field, value, path: tuple, raw_path: tuple, doc: Document):
    """The value with English keys and canonical spellings; bad keys are reported."""
    doc.raw_paths[path] = raw_path
    if spec.type == "any":
        return value
    if spec.type == "mapping" and spec.shorthand and value is not None and not isinstance(value, (dict, list)):
        value = {spec.shorthand: value}
    if spec.type == "mapping" and isinstance(value, dict):
        return _normalise_mapping(spec, value, path, raw_path, doc)
    if spec.type == "list":
        if isinstance(value, str) and spec.split:
            value = [part for part in re.split(r"[、，,；;\s]+", value) if part]
        elif spec.single and value is not None and not isinstance(value, list):
            value = [value]
        if isinstance(value, list):
            return [normalise(spec.item, v, path + (i,), raw_path + (i,), doc)
                    for i, v in enumerate(value)]
        return value
    if spec.type in TEXTUAL and isinstance(value, (int, float)):  # bool too: YAML reads `on` as True
        value = doc.source_text(raw_path, value)
    if isinstance(value, str):
        value = value.strip()
        if spec.type == "enum":
            value = spec.synonyms.get(value.lower(), next(
                (c for c in spec.choices if str(c).lower() == value.lower()), value))
        elif spec.type == "boolean":
            value = {"是": True, "对": True, "否": False, "不": False}.get(value, value)
        elif spec.type in ("image", "article"):
            value = _clean_path(value, "content/" if spec.type == "article" else "")
    return value


def _normalise_mapping(spec: Field, value: dict, path, raw_path, doc: Document) -> dict:
    result, spelled = {}, {}
    for key, sub in value.items():
        known = spec.lookup(key)
        if known is None:
            names = [n for sub_spec in spec.fields.values() for n in (sub_spec.name, *sub_spec.aliases)]
            keys = "、".join(s.label for s in spec.fields.values())
            hint = (did_you_mean(key, names) + f"这里可以写：{keys}。").strip()
            if spec.unknown == "warn":
                doc.report.warning(doc.rel, *doc.positions.of_key(raw_path + (key,)),
                                   f"{spec.label} 不认识“{key}”这一项，已忽略", hint)
            else:
                doc.report.error(doc.rel, *doc.positions.of_key(raw_path + (key,)), f"不认识的键“{key}”", hint)
        elif known.name in spelled:
            doc.report.error(doc.rel, *doc.positions.of_key(raw_path + (key,)),
                             f"“{spelled[known.name]}”和“{key}”是同一项，只能写一个", "删掉其中一个。")
        else:
            spelled[known.name] = key
            if sub is not None or known.required:  # an empty optional field is as good as absent
                result[known.name] = normalise(known, sub, path + (known.name,), raw_path + (key,), doc)
    return result


# -- 2. validate -------------------------------------------------------------------

def validate(spec: Field, value, path: tuple, whole, doc: Document, ctx: Context) -> None:
    """Explain each value the declaration refuses (marked in ``doc.bad``) and
    each required field that is missing; ``whole``: the normalised document."""
    if not _fits(spec, value, whole, ctx):
        doc.bad.add(path)
        doc.error(path, *explain(path, value, whole, doc, ctx))
    elif spec.type == "mapping":
        for name, sub in spec.fields.items():
            if name in value:
                validate(sub, value[name], path + (name,), whole, doc, ctx)
        for name, sub in spec.fields.items():
            if sub.required and name not in value:
                missing(path, name, doc)
    elif spec.type == "list":
        for i, item in enumerate(value):
            validate(spec.item, item, path + (i,), whole, doc, ctx)


def _fits(spec: Field, value, whole, ctx: Context) -> bool:
    kind = spec.type
    if kind in ("any", "mapping", "list"):
        return kind == "any" or isinstance(value, dict if kind == "mapping" else list)
    if kind in ("integer", "number"):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or \
                kind == "integer" and isinstance(value, float) and not value.is_integer():
            return False
        return (spec.min is None or value >= spec.min) and (spec.max is None or value <= spec.max)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "enum":  # True is not 1 here
        return any(value == c and isinstance(value, bool) == isinstance(c, bool) for c in choices(spec, ctx))
    if not isinstance(value, str):
        return False
    if kind == "ref":
        return value in referenced(whole, spec.to)
    if kind == "image":
        return bool((path := inside(ctx.data_dir, value)) and path.is_file())
    if kind == "article":
        return value in ctx.articles
    parse = {"date": parse_datetime, "time": parse_time, "size": lambda v: parse_size(v, spec.presets)}.get(kind)
    if parse is None:
        return bool(value) or not spec.required
    try:
        parse(value)
    except ValueError:
        return False
    return True


def missing(path: tuple, name: str, doc: Document) -> None:
    """A required field not written."""
    label = doc.root.at(path + (name,)).label
    if path:
        doc.error(path, f"缺少 {label}", f"在这一项里加上“{label}: …”。")
    else:
        doc.error(path, f"{doc.root.label} 缺少必填项“{label}”", f"加一行，例如：{label}: …")

def choices(spec: Field, ctx: Context) -> list:
    return list(spec.choices) + list(ctx.settings.get(spec.more_choices) or ()) \
        if spec.more_choices else list(spec.choices)


def referenced(whole, to: str) -> list[str]:
    """Every value at a dotted path such as ``categories.items.id``."""
    values = [whole]
    for step in to.split("."):
        values = [v.get(step) for v in values if isinstance(v, dict)]
        values = [x for v in values for x in (v if isinstance(v, list) else [v])]
    return [v for v in values if isinstance(v, str)]


def shown(value) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
        return format_number(value)
    if isinstance(value, (list, dict)):
        return "一个列表" if isinstance(value, list) else "一组“键: 值”"
    return f"“{value}”"


def _describe(spec: Field, ctx: Context) -> tuple[str, str]:
    """What a value of this field must be, and an example."""
    if spec.type in ("integer", "number"):
        low, high = (None if v is None else format_number(v) for v in (spec.min, spec.max))
        noun = "整数" if spec.type == "integer" else "数字"
        bound = f"{low} 到 {high} 之间的" if low and high else f"不小于 {low} 的" if low \
            else f"不大于 {high} 的" if high else ""
        return bound + noun, high or low or "1"
    allowed = choices(spec, ctx)
    return {
        "enum": ("以下之一：" + "、".join(map(str, allowed)), allowed[0] if allowed else ""),
        "boolean": ("是 或 否", "是"),
        "date": ("写成 2026-11-25 的日期", "2026-11-25"),
        "time": ("写成 16:30 的时间", "16:30"),
        "list": ("一个列表", ""),
        "mapping": ("一组“键: 值”", ""),
        "size": ("“宽x高”加单位的尺寸", "600x70cm"),
    }.get(spec.type, ("文字", "…"))


def explain(path: tuple, value, whole, doc: Document, ctx: Context) -> tuple[str, str]:
    """The Chinese message and hint for a value the declaration refused;
    ``whole``: the normalised document, where references are looked up."""
    spec, name = doc.root.at(path), doc.name(path)
    if value is None or value == "":
        if path and isinstance(path[-1], int):
            return f"{name} 不能为空", "在“- ”后面写上内容，或者删掉这个空的“- ”。"
        return f"{name} 不能为空", f"在“{name}:”后面写上内容，或者删掉这一行。"
    if isinstance(value, str) and spec.type in ("date", "time", "size"):
        parse = {"date": parse_datetime, "time": parse_time}.get(spec.type) or \
            (lambda v: parse_size(v, spec.presets))
        try:
            parse(value)
        except ValueError as exc:
            return f"{name} {exc}", _format_hint(spec, value)
    if isinstance(value, str) and spec.type == "image":
        if inside(ctx.data_dir, value) is None:
            return f"{name} 的路径不能跳出 data 文件夹：“{value}”", "把照片放进 data 文件夹，再从 data 下面写路径。"
        folder = ctx.data_dir / Path(value).parent
        files = [p.name for p in folder.iterdir()] if folder.is_dir() else []
        beside = [posixpath.join(posixpath.dirname(value), f) for f in files]
        return (f"{name} 找不到照片文件 data/{value}",
                case_hint(value, beside, "") or did_you_mean(Path(value).name, files)
                or "把照片放进 data 文件夹（如 data/photos/），路径从 data 下面写起。")
    if isinstance(value, str) and spec.type == "article":
        return (f"{name} 指向的文章 content/{value} 不存在",
                did_you_mean(value, ctx.articles) or "文章路径从 content 下面写起，例如 study/2026-11-25.md。")
    if isinstance(value, str) and spec.type == "ref":
        where = doc.root.fields[spec.to.split(".")[0]].label
        return (f"没有{name}“{value}”",
                (did_you_mean(value, referenced(whole, spec.to)) + f"只能写 {where} 里已经列出的{name}。").strip())
    what, example = _describe(spec, ctx)
    if spec.type == "enum":
        hint = did_you_mean(value, map(str, choices(spec, ctx))) or "从上面几个里选一个照抄。"
    elif spec.type in ("list", "mapping"):
        hint = "列表的每一项另起一行，以“- ”开头。" if spec.type == "list" else "每一项另起一行，写成“键: 值”。"
    else:
        hint = f"改成 {what}，例如 {name}: {example}"
    return f"{name} 必须是 {what}，这里是 {shown(value)}", hint


def _format_hint(spec: Field, value) -> str:
    if spec.type == "size" and not re.search(r"\d", str(value)) and spec.presets:
        named = "、".join(f"{k}（{v}）" for k, v in spec.presets.items())
        return (did_you_mean(value, spec.presets) + f"可用的预设尺寸：{named}。").strip()
    return {"date": "日期写成 2026-11-25，带时间写成 2026-11-25 16:30。",
            "time": "时间写成 16:30，或者 16:30-17:30。",
            "size": "写成“宽x高”加单位，例如 600x70cm、6000x700mm 或 6x0.7m。"}[spec.type]


# -- 3. convert and 4. cross-check -----------------------------------------------------

def convert(spec: Field, value, path: tuple, doc: Document):
    """Typed values with defaults; a value the declaration refused becomes its default."""
    if spec.type == "mapping":
        if not isinstance(value, dict):
            if value is None and path and isinstance(path[-1], str):
                return None  # an optional group that is not written
            value = {}
        return {n: convert(sub, value.get(n), path + (n,), doc) for n, sub in spec.fields.items()}
    if spec.type == "list":
        if not isinstance(value, list):
            return []
        return [convert(spec.item, v, path + (i,), doc) for i, v in enumerate(value)]
    if value is None or path in doc.bad:
        return spec.default
    if spec.type == "date":
        moment, has_time = parse_datetime(value)
        return moment if has_time else moment.date()
    if spec.type == "time":
        return parse_time(value)
    if spec.type == "size":
        return parse_size(value, spec.presets)
    return int(value) if spec.type == "integer" else value


def declared_checks(spec: Field, value, path: tuple, doc: Document, seen: dict) -> None:
    """``unique`` across the whole document, ``not_before`` and ``not_above`` within a record."""
    if spec.unique and value is not None and path not in doc.bad:
        first = seen.setdefault((id(spec), value), path)
        if first != path:
            name = doc.name(path)
            doc.error(path, f"{name}“{value}”重复了，第 {doc.where(first)[0]} 行已经用过",
                      f"每一项的 {name} 都要不同。")
    if spec.type == "list":
        for i, item in enumerate(value):
            declared_checks(spec.item, item, path + (i,), doc, seen)
    elif spec.type == "mapping" and isinstance(value, dict):
        for name, sub in spec.fields.items():
            declared_checks(sub, value[name], path + (name,), doc, seen)
            _compare(sub, value, path, doc)


def _compare(spec: Field, record: dict, path: tuple, doc: Document) -> None:
    for rule, other in (("not_before", spec.not_before), ("not_above", spec.not_above)):
        mine, theirs = record.get(spec.name), record.get(other) if other else None
        if mine is None or theirs is None:
            continue
        here, there = path + (spec.name,), path + (other,)
        if rule == "not_before" and as_date(mine) < as_date(theirs):
            doc.error(here, f"{doc.name(here)} {shown(mine)} 早于 {doc.name(there)} {shown(theirs)}",
                      "检查这两个日期是不是写反了。")
        elif rule == "not_above" and mine > theirs:
            doc.error(here, f"{doc.name(here)} {shown(mine)} 超过了 {doc.name(there)} {shown(theirs)}",
                      f"{doc.name(here)} 不能多于 {doc.name(there)}，请核对人数。")
