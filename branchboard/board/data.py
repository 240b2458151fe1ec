"""Board data: the YAML files under data/, checked against declared schemas.

A schema file (``<theme>/schemas/honors.yaml`` for ``data/honors.yaml``) is
one node: ``fields:`` makes a mapping, ``item:`` a list, anything else is a
value with a ``type``.  Every field has an English name and a Chinese
``alias``; the secretary may write either, mixed in one file.

Each data file goes through five steps, and every problem of every file is
added to the report in one run:

1. normalise: keys become the English names (unknown and doubled keys are
   reported), enum spellings become the canonical choice, and numbers that
   YAML read out of a text field get their written text back (``1.10``);
2. validate: the schema is compiled to JSON Schema (Draft 2020-12) and
   checked with jsonschema; each error is mapped back to its line and column;
3. convert: dates become ``datetime.date`` (``datetime`` when a time is
   given), sizes become millimetres, missing fields get their defaults;
4. the declared cross-checks: ``unique``, ``not_before``, ``not_above``;
5. the kind's named ``checks:``, which need more than one field at a time.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import yaml

from branchboard.errors import BoardError, Report, did_you_mean
from branchboard.site.yamlio import Positions, load_yaml, loader_class, parse_datetime, read_text

WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")

TYPES = {"text", "integer", "number", "boolean", "date", "time", "enum", "image",
         "article", "ref", "size", "list", "mapping"}
# Types whose value is written as text: YAML may still read 16:30 as 990 or
# 1.10 as 1.1, so the written text is recovered from the source line.
TEXTUAL = {"text", "date", "time", "enum", "image", "article", "ref", "size"}
FORMATS = {"date", "time", "size", "image", "article"}
FIELD_KEYS = {"type", "alias", "label", "required", "default", "min", "max", "choices",
              "synonyms", "more_choices", "to", "unique", "not_before", "not_above",
              "presets", "split", "fields", "item"}


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
    split: bool = False
    fields: dict = field(default_factory=dict)
    item: Field | None = None

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


@dataclass(frozen=True, eq=False)
class Schema:
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
        split=bool(raw.get("split")), fields=fields,
        item=_read_field(name, item, path + ("item",), rel, positions) if item else None)


def read_schema(path: Path, rel: str) -> Schema:
    """Read one schema file; raises BoardError when it is malformed."""
    raw, positions = load_yaml(read_text(path, rel), rel)
    if not isinstance(raw, dict):
        raise BoardError(rel, 1, 1, "格式定义文件应该是一组“键: 值”")
    raw = dict(raw)
    label, names = raw.pop("label", path.stem), tuple(raw.pop("checks", None) or ())
    for name in names:
        if name not in CHECKS:
            raise _schema_error(rel, positions, ("checks",), f"没有名为“{name}”的检查")
    return Schema(_read_field(label, raw, (), rel, positions), names)


# -- values --------------------------------------------------------------------

_UNIT_MM = {"mm": 1, "毫米": 1, "cm": 10, "厘米": 10, "m": 1000, "米": 1000}
_NUM, _UNIT = r"(-?\d+(?:\.\d+)?)", r"(mm|cm|m|毫米|厘米|米)"
_SIZE_RE = re.compile(rf"^{_NUM}{_UNIT}?[x×X*＊]{_NUM}{_UNIT}$", re.IGNORECASE)
_TIME_RE = re.compile(r"^(\d{1,2})[:：](\d{2})(?:\s*[-–—~～至到]\s*(\d{1,2})[:：](\d{2}))?$")


def parse_size(value, presets: dict) -> tuple[int, int]:
    """``600x70cm``, ``6x0.7m`` or a preset name -> (width, height) in mm."""
    text = str(presets.get(value, value)).replace(" ", "")
    m = _SIZE_RE.match(text)
    if not m:
        if not re.search(r"\d", text):
            raise ValueError(f"没有叫“{value}”的预设尺寸")
        raise ValueError(f"“{value}”不是尺寸，应写成“宽x高”并带单位，如 600x70cm、6x0.7m")
    width, width_unit, height, height_unit = m.groups()
    sizes = [Decimal(width) * _UNIT_MM[(width_unit or height_unit).lower()],
             Decimal(height) * _UNIT_MM[height_unit.lower()]]
    mm = tuple(int(v.to_integral_value(ROUND_HALF_UP)) for v in sizes)
    if min(mm) <= 0:
        raise ValueError(f"“{value}”的宽和高都必须大于 0")
    return mm


def parse_time(value) -> str:
    """``16:30`` or ``16:30-17:30`` (full-width colons too), normalised."""
    m = _TIME_RE.match(str(value).strip())
    if not m or any(int(h) > 23 for h in m.groups()[::2] if h) or \
            any(int(mi) > 59 for mi in m.groups()[1::2] if mi):
        raise ValueError(f"“{value}”不是时间，应写成 16:30 或 16:30-17:30")
    h1, m1, h2, m2 = m.groups()
    return f"{int(h1)}:{m1}" + (f"–{int(h2)}:{m2}" if h2 else "")


def format_number(value) -> str:
    """98.5, 98 (never 98.0); exact for Decimal, int and float."""
    text = format(Decimal(str(value)).normalize(), "f")
    return "0" if text == "-0" else text


def as_date(value) -> dt.date | None:
    return value.date() if isinstance(value, dt.datetime) else value


def is_scheduled(schedule: dict, day: dt.date) -> bool:
    """Whether the weekly rule puts a session on ``day`` (until may be open)."""
    start, until = as_date(schedule.get("from")), as_date(schedule.get("until"))
    return (WEEKDAYS[day.weekday()] in (schedule.get("weekdays") or ())
            and (start is None or start <= day) and (until is None or day <= until))


def _clean_path(value: str, prefix: str) -> str:
    value = value.replace("\\", "/").strip()
    while value.startswith("./"):
        value = value[2:]
    return value[len(prefix):] if value.startswith(prefix) else value


def _inside(base: Path, rel: str) -> Path | None:
    target = (base / rel).resolve()
    return target if target.is_relative_to(base.resolve()) else None


# -- one data file ---------------------------------------------------------------

@dataclass
class _File:
    """One data file being checked: where its nodes are, what went wrong."""

    rel: str
    text: str
    positions: Positions
    schema: Schema
    report: Report
    raw_paths: dict = field(default_factory=dict)  # English path -> path as written
    bad: set = field(default_factory=set)  # paths whose value failed the schema

    def written(self, path: tuple) -> tuple:
        for cut in range(len(path), -1, -1):
            if path[:cut] in self.raw_paths:
                return self.raw_paths[path[:cut]] + path[cut:]
        return path

    def where(self, path: tuple) -> tuple:
        return self.positions.of_key(self.written(path))

    def name(self, path: tuple) -> str:
        """The field's name as the file spells it (its label when not written)."""
        keys = [i for i, step in enumerate(path) if isinstance(step, str)]
        if not keys:
            return self.schema.root.label
        cut = keys[-1] + 1
        name = str(self.raw_paths[path[:cut]][-1]) if path[:cut] in self.raw_paths \
            else self.schema.root.at(path[:cut]).label
        return f"{name} 第 {path[-1] + 1} 项" if isinstance(path[-1], int) else name

    def error(self, path: tuple, message: str, hint: str = "") -> None:
        line, col = self.where(path)
        self.report.error(self.rel, line, col, message, hint)

    def source_text(self, raw_path: tuple, value):
        """The scalar as written, for a number YAML read out of a text field."""
        line, col = self.positions.of(raw_path)
        if line is None:
            return str(value)
        written = re.split(r"\s#|[,\]}]", self.text.split("\n")[line - 1][col - 1:])[0].strip()
        try:
            same = yaml.load(written, Loader=loader_class()) == value
        except yaml.YAMLError:
            same = False
        return written if same else str(value)


def _normalise(spec: Field, value, path: tuple, raw_path: tuple, f: _File):
    f.raw_paths[path] = raw_path
    if spec.type == "mapping" and isinstance(value, dict):
        return _normalise_mapping(spec, value, path, raw_path, f)
    if spec.type == "list":
        if isinstance(value, str) and spec.split:
            value = [part for part in re.split(r"[、，,；;\s]+", value) if part]
        if isinstance(value, list):
            return [_normalise(spec.item, v, path + (i,), raw_path + (i,), f)
                    for i, v in enumerate(value)]
        return value
    if spec.type in TEXTUAL and isinstance(value, (int, float)):  # bool too: YAML reads `on` as True
        value = f.source_text(raw_path, value)
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


def _normalise_mapping(spec: Field, value: dict, path, raw_path, f: _File) -> dict:
    result, spelled = {}, {}
    for key, sub in value.items():
        known = spec.lookup(key)
        if known is None:
            names = [n for sub_spec in spec.fields.values() for n in (sub_spec.name, *sub_spec.aliases)]
            keys = "、".join(s.label for s in spec.fields.values())
            f.report.error(f.rel, *f.positions.of_key(raw_path + (key,)), f"不认识的键“{key}”",
                           (did_you_mean(key, names) + f"这里可以写：{keys}。").strip())
        elif known.name in spelled:
            f.report.error(f.rel, *f.positions.of_key(raw_path + (key,)),
                           f"“{spelled[known.name]}”和“{key}”是同一项，只能写一个", "删掉其中一个。")
        else:
            spelled[known.name] = key
            if sub is not None or known.required:  # an empty optional field is as good as absent
                result[known.name] = _normalise(known, sub, path + (known.name,), raw_path + (key,), f)
    return result


# -- validation with jsonschema --------------------------------------------------

@dataclass(frozen=True)
class _Context:
    """What checking a value needs beyond the value itself."""

    data_dir: Path
    articles: frozenset
    settings: dict


def _choices(spec: Field, ctx: _Context) -> list:
    return list(spec.choices) + list(ctx.settings.get(spec.more_choices) or ()) \
        if spec.more_choices else list(spec.choices)


def _referenced(doc, to: str) -> list[str]:
    """Every value at a dotted path such as ``categories.items.id``."""
    values = [doc]
    for step in to.split("."):
        values = [v.get(step) for v in values if isinstance(v, dict)]
        values = [x for v in values for x in (v if isinstance(v, list) else [v])]
    return [v for v in values if isinstance(v, str)]


def _json_schema(spec: Field, doc, ctx: _Context) -> dict:
    """Compile a declared node to JSON Schema; references become enums of this file's values."""
    kind = spec.type
    if kind == "mapping":
        return {"type": "object", "properties": {n: _json_schema(f, doc, ctx) for n, f in spec.fields.items()},
                "required": [n for n, f in spec.fields.items() if f.required]}
    if kind == "list":
        return {"type": "array", "items": _json_schema(spec.item, doc, ctx)}
    if kind in ("integer", "number"):
        bounds = {"minimum": spec.min, "maximum": spec.max}
        return {"type": kind, **{k: v for k, v in bounds.items() if v is not None}}
    if kind == "enum":
        return {"enum": _choices(spec, ctx)}
    if kind == "ref":
        return {"type": "string", "enum": sorted(set(_referenced(doc, spec.to)))}
    if kind in FORMATS:
        return {"type": "string", "format": kind}
    return {"type": kind if kind == "boolean" else "string", **({"minLength": 1} if spec.required else {})}


def _format_checker(ctx: _Context, presets: dict):
    """Formats for values written as text; other values are left to the type check."""
    tests = {
        "date": parse_datetime, "time": parse_time, "size": lambda v: parse_size(v, presets),
        "image": lambda v: bool((path := _inside(ctx.data_dir, v)) and path.is_file()),
        "article": lambda v: v in ctx.articles,
    }
    from jsonschema import FormatChecker  # imported only when data is checked

    checker = FormatChecker(formats=())
    for kind, test in tests.items():
        checker.checks(kind, raises=ValueError)(
            lambda value, test=test: not isinstance(value, str) or test(value) is not False)
    return checker


def _all_presets(spec: Field) -> dict:
    found = dict(spec.presets)
    for sub in [*spec.fields.values(), *([spec.item] if spec.item else [])]:
        found.update(_all_presets(sub))
    return found


def _validate(doc, f: _File, ctx: _Context) -> None:
    from jsonschema import Draft202012Validator  # imported only when data is checked

    schema = _json_schema(f.schema.root, doc, ctx)
    validator = Draft202012Validator(schema, format_checker=_format_checker(ctx, _all_presets(f.schema.root)))
    missing = set()
    for err in validator.iter_errors(doc):
        path = tuple(err.absolute_path)
        if err.validator == "required":
            for name in err.validator_value:
                if name not in err.instance and (path, name) not in missing:
                    missing.add((path, name))
                    label = f.schema.root.at(path + (name,)).label
                    f.error(path, f"缺少 {label}", f"在这一项里加上“{label}: …”。")
        elif path not in f.bad:
            f.bad.add(path)
            f.error(path, *_explain(err, f, ctx))


def _shown(value) -> str:
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


def _describe(spec: Field, ctx: _Context) -> tuple[str, str]:
    """What a value of this field must be, and an example."""
    if spec.type in ("integer", "number"):
        low, high = (None if v is None else format_number(v) for v in (spec.min, spec.max))
        noun = "整数" if spec.type == "integer" else "数字"
        bound = f"{low} 到 {high} 之间的" if low and high else f"不小于 {low} 的" if low \
            else f"不大于 {high} 的" if high else ""
        return bound + noun, high or low or "1"
    choices = _choices(spec, ctx)
    return {
        "enum": ("以下之一：" + "、".join(map(str, choices)), choices[0] if choices else ""),
        "boolean": ("是 或 否", "是"),
        "date": ("写成 2026-11-25 的日期", "2026-11-25"),
        "time": ("写成 16:30 的时间", "16:30"),
        "list": ("一个列表", ""),
        "mapping": ("一组“键: 值”", ""),
        "size": ("“宽x高”加单位的尺寸", "600x70cm"),
    }.get(spec.type, ("文字", "…"))


def _explain(err, f: _File, ctx: _Context) -> tuple[str, str]:
    """The Chinese message and hint for a value the schema refused."""
    path, value = tuple(err.absolute_path), err.instance
    spec, name = f.schema.root.at(path), f.name(path)
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
        if _inside(ctx.data_dir, value) is None:
            return f"{name} 的路径不能跳出 data 文件夹：“{value}”", "把照片放进 data 文件夹，再从 data 下面写路径。"
        folder = ctx.data_dir / Path(value).parent
        files = [p.name for p in folder.iterdir()] if folder.is_dir() else []
        return (f"{name} 找不到照片文件 data/{value}",
                did_you_mean(Path(value).name, files) or "把照片放进 data 文件夹（如 data/photos/），路径从 data 下面写起。")
    if isinstance(value, str) and spec.type == "article":
        return (f"{name} 指向的文章 content/{value} 不存在",
                did_you_mean(value, ctx.articles) or "文章路径从 content 下面写起，例如 study/2026-11-25.md。")
    if isinstance(value, str) and spec.type == "ref":
        where = f.schema.root.fields[spec.to.split(".")[0]].label
        return (f"没有{name}“{value}”",
                (did_you_mean(value, err.validator_value) + f"只能写 {where} 里已经列出的{name}。").strip())
    what, example = _describe(spec, ctx)
    if spec.type == "enum":
        hint = did_you_mean(value, map(str, _choices(spec, ctx))) or "从上面几个里选一个照抄。"
    elif spec.type in ("list", "mapping"):
        hint = "列表的每一项另起一行，以“- ”开头。" if spec.type == "list" else "每一项另起一行，写成“键: 值”。"
    else:
        hint = f"改成 {what}，例如 {name}: {example}"
    return f"{name} 必须是 {what}，这里是 {_shown(value)}", hint


def _format_hint(spec: Field, value) -> str:
    if spec.type == "size" and not re.search(r"\d", str(value)) and spec.presets:
        named = "、".join(f"{k}（{v}）" for k, v in spec.presets.items())
        return (did_you_mean(value, spec.presets) + f"可用的预设尺寸：{named}。").strip()
    return {"date": "日期写成 2026-11-25，带时间写成 2026-11-25 16:30。",
            "time": "时间写成 16:30，或者 16:30-17:30。",
            "size": "写成“宽x高”加单位，例如 600x70cm、6000x700mm 或 6x0.7m。"}[spec.type]


# -- converting and cross-checking -------------------------------------------------

def _convert(spec: Field, value, path: tuple, f: _File):
    """Typed values with defaults; a value the schema refused becomes its default."""
    if spec.type == "mapping":
        if not isinstance(value, dict):
            if value is None and path and isinstance(path[-1], str):
                return None  # an optional group that is not written
            value = {}
        return {n: _convert(sub, value.get(n), path + (n,), f) for n, sub in spec.fields.items()}
    if spec.type == "list":
        if not isinstance(value, list):
            return []
        return [_convert(spec.item, v, path + (i,), f) for i, v in enumerate(value)]
    if value is None or path in f.bad:
        return spec.default
    if spec.type == "date":
        moment, has_time = parse_datetime(value)
        return moment if has_time else moment.date()
    if spec.type == "time":
        return parse_time(value)
    if spec.type == "size":
        return parse_size(value, spec.presets)
    return int(value) if spec.type == "integer" else value


def _declared_checks(spec: Field, value, path: tuple, f: _File, seen: dict) -> None:
    """``unique`` across the whole file, ``not_before`` and ``not_above`` within a record."""
    if spec.unique and value is not None and path not in f.bad:
        first = seen.setdefault((id(spec), value), path)
        if first != path:
            name = f.name(path)
            f.error(path, f"{name}“{value}”重复了，第 {f.where(first)[0]} 行已经用过",
                    f"每一项的 {name} 都要不同。")
    if spec.type == "list":
        for i, item in enumerate(value):
            _declared_checks(spec.item, item, path + (i,), f, seen)
    elif spec.type == "mapping" and isinstance(value, dict):
        for name, sub in spec.fields.items():
            _declared_checks(sub, value[name], path + (name,), f, seen)
            _compare(sub, value, path, f)


def _compare(spec: Field, record: dict, path: tuple, f: _File) -> None:
    for rule, other in (("not_before", spec.not_before), ("not_above", spec.not_above)):
        mine, theirs = record.get(spec.name), record.get(other) if other else None
        if mine is None or theirs is None:
            continue
        here, there = path + (spec.name,), path + (other,)
        if rule == "not_before" and as_date(mine) < as_date(theirs):
            f.error(here, f"{f.name(here)} {_shown(mine)} 早于 {f.name(there)} {_shown(theirs)}",
                    "检查这两个日期是不是写反了。")
        elif rule == "not_above" and mine > theirs:
            f.error(here, f"{f.name(here)} {_shown(mine)} 超过了 {f.name(there)} {_shown(theirs)}",
                    f"{f.name(here)} 不能多于 {f.name(there)}，请核对人数。")


def _check_award_names(doc: list, f: _File) -> None:
    """高产班组 honours a team; every other award names someone; 星级职工 have stars."""
    for i, period in enumerate(doc):
        for j, award in enumerate(period["awards"]):
            path = (i, "awards", j)
            if path in f.bad:  # not a record at all; already reported
                continue
            if award["title"] == "高产班组" and award["name"]:
                f.error(path + ("name",), f"高产班组 表彰的是班组，这里写的是个人“{award['name']}”",
                        "把“姓名”改成“班组”，写上班组名称，例如 班组: 检修一班。")
            elif not award["name"] and not award["team"]:
                f.error(path, "这项表彰没有写 姓名 或 班组", "加上“姓名: …”（个人）或“班组: …”（集体）。")
            if award["title"] == "星级职工" and award["stars"] is None and path + ("stars",) not in f.bad:
                f.error(path, "星级职工 要写 星级", "加上“星级: 1”到“星级: 5”之间的一个。")


def _check_deductions(doc: dict, f: _File) -> None:
    """Deductions on one item, summed per team and period, stay within the item's maximum."""
    items = {item["id"]: item for category in doc["categories"] for item in category["items"]}
    for i, period in enumerate(doc["periods"]):
        totals: dict = {}
        for j, entry in enumerate(period["deductions"]):
            item = items.get(entry["item"])
            if item is None or None in (entry["team"], entry["points"], item["max"]):
                continue
            key = (entry["team"], entry["item"])
            before = totals.get(key, Decimal(0))
            totals[key] = before + Decimal(str(entry["points"]))
            if before <= Decimal(str(item["max"])) < totals[key]:
                f.error(("periods", i, "deductions", j, "points"),
                        f"{entry['team']} 在 {period['period']} 的小项“{item['name']}”共扣 "
                        f"{format_number(totals[key])} 分，超过了这一小项的分值 {format_number(item['max'])}",
                        "同一班组同一小项在一期里的扣分合计不能超过这一小项的分值，请核对扣分。")


def _check_votes(doc: list, f: _File) -> None:
    """The votes on an item add up to no more than the participants."""
    for i, evaluation in enumerate(doc):
        participants = evaluation["participants"]
        for j, item in enumerate(evaluation["items"]):
            votes = [item[k] for k in ("satisfied", "basic", "unsatisfied")]
            if participants is None or None in votes or sum(votes) <= participants:
                continue
            f.error((i, "items", j), f"“{item['name']}”的票数合计 {sum(votes)} 超过了"
                    f"{f.name((i, 'participants'))} {participants}",
                    "满意、基本满意、不满意三项的票数相加不能多于实参评人数，请核对票数。")


def _check_sessions(doc: dict, f: _File) -> None:
    """A session off the weekly rule must be marked extra."""
    schedule = doc["schedule"]
    weekdays = [day for day in (schedule or {}).get("weekdays") or () if day]
    if not weekdays or ("schedule", "from") in f.bad:
        return
    rule = "每" + "、".join(weekdays)
    for i, session in enumerate(doc["sessions"]):
        day = as_date(session["date"])
        if day is None or session["extra"] or is_scheduled(schedule, day):
            continue
        if WEEKDAYS[day.weekday()] in weekdays:
            until = _shown(as_date(schedule["until"])) if schedule["until"] else "以后"
            problem = f"不在学习安排的起止日期（{_shown(as_date(schedule['from']))} 至 {until}）之内"
        else:
            problem = f"是{WEEKDAYS[day.weekday()]}，不在{rule}的安排里"
        f.error(("sessions", i, "date"), f"{day.isoformat()} {problem}",
                "如果这是额外加的课，请在这一项里加上“加课: 是”；否则请核对日期。")


CHECKS = {
    "award_names_person_or_team": _check_award_names,
    "deductions_within_item_max": _check_deductions,
    "votes_within_participants": _check_votes,
    "sessions_on_schedule": _check_sessions,
}


# -- the stage -----------------------------------------------------------------------

def read_data(site_dir: Path, schema_dirs: list[Path], content_articles: set[str],
              settings: dict, report: Report) -> dict[str, object]:
    """Load, check and convert every data/*.yaml (and .yml); problems go to report.

    A file whose stem has a schema (first match in schema_dirs) comes back
    with English keys and typed values; a file without one comes back as-is.
    """
    data_dir = Path(site_dir) / "data"
    ctx = _Context(data_dir, frozenset(content_articles), dict(settings or {}))
    paths = sorted(p for p in data_dir.glob("*.y*ml") if p.suffix in (".yaml", ".yml")) \
        if data_dir.is_dir() else []
    result: dict[str, object] = {}
    for path in paths:
        rel = f"data/{path.name}"
        if path.stem in result:
            report.error(rel, None, None, f"“{path.stem}”的数据有两个文件",
                         "只保留一个（.yaml 和 .yml 二选一），删掉另一个。")
            continue
        result[path.stem] = None
        try:
            text = read_text(path, rel)
            value, positions = load_yaml(text, rel)
            schema = _find_schema(path.stem, schema_dirs, Path(site_dir))
        except BoardError as problem:
            report.add(problem)
            continue
        result[path.stem] = value if schema is None else \
            _check_file(value, _File(rel, text, positions, schema, report), ctx)
    return result


def _find_schema(stem: str, schema_dirs: list[Path], site_dir: Path) -> Schema | None:
    for folder in schema_dirs:
        for path in (Path(folder) / f"{stem}.yaml", Path(folder) / f"{stem}.yml"):
            if path.is_file():
                rel = path.relative_to(site_dir) if path.is_relative_to(site_dir) else path
                return read_schema(path, rel.as_posix())
    return None


def _check_file(value, f: _File, ctx: _Context):
    root = f.schema.root
    if value is None:  # an empty file: nothing entered yet
        return [] if root.type == "list" else None
    doc = _normalise(root, value, (), (), f)
    _validate(doc, f, ctx)
    doc = _convert(root, doc, (), f)
    _declared_checks(root, doc, (), f, {})
    for name in f.schema.checks:
        CHECKS[name](doc, f)
    return doc
