"""Board data: the YAML files under data/, checked against declared schemas.

A schema file (``<theme>/schemas/honors.yaml`` for ``data/honors.yaml``) is
written in the format of ``branchboard.site.schema``.  Each data file goes
through the schema's steps (normalise, validate, convert, the declared
cross-checks) and then the kind's named ``checks:``, which need more than one
field at a time; every problem of every file is added to the report in one
run.  Validation compiles the schema to JSON Schema (Draft 2020-12) and checks
it with jsonschema; each error is mapped back to its line and column.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from branchboard.errors import BoardError, Report
from branchboard.site import placeholders
from branchboard.site.schema import (Context, Document, Field, Schema, as_date, choices, convert,
                                     declared_checks, explain, format_number, inside, missing, normalise,
                                     parse_size, parse_time, read_schema, referenced, shown)
from branchboard.site.yamlio import load_yaml, parse_datetime, read_text

class ImageUse(NamedTuple):
    """A field of a data file that names an image: where, and which."""

    image: str  # the image's path in the site, data/<value>
    file: str  # the data file, data/<name>.yaml
    line: int | None
    col: int | None
    label: str  # the field's name as the file spells it (照片)


WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")

FORMATS = {"date", "time", "size", "image", "article"}


def is_scheduled(schedule: dict, day: dt.date) -> bool:
    """Whether the weekly rule puts a session on ``day`` (until may be open)."""
    start, until = as_date(schedule.get("from")), as_date(schedule.get("until"))
    return (WEEKDAYS[day.weekday()] in (schedule.get("weekdays") or ())
            and (start is None or start <= day) and (until is None or day <= until))


def as_moment(day) -> dt.datetime:
    """A sort key that puts dates and date-times on one line."""
    return day if isinstance(day, dt.datetime) else dt.datetime.combine(day, dt.time())


# -- validation with jsonschema --------------------------------------------------

def _json_schema(spec: Field, doc, ctx: Context) -> dict:
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
        return {"enum": choices(spec, ctx)}
    if kind == "ref":
        return {"type": "string", "enum": sorted(set(referenced(doc, spec.to)))}
    if kind in FORMATS:
        return {"type": "string", "format": kind}
    return {"type": kind if kind == "boolean" else "string", **({"minLength": 1} if spec.required else {})}


def _format_checker(ctx: Context, presets: dict):
    """Formats for values written as text; other values are left to the type check."""
    tests = {
        "date": parse_datetime, "time": parse_time, "size": lambda v: parse_size(v, presets),
        "image": lambda v: bool((path := inside(ctx.data_dir, v)) and path.is_file()),
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


def _validate(doc, f: Document, ctx: Context) -> None:
    from jsonschema import Draft202012Validator  # imported only when data is checked

    schema = _json_schema(f.root, doc, ctx)
    validator = Draft202012Validator(schema, format_checker=_format_checker(ctx, _all_presets(f.root)))
    reported = set()
    for err in validator.iter_errors(doc):
        path = tuple(err.absolute_path)
        if err.validator == "required":
            for name in err.validator_value:
                if name not in err.instance and (path, name) not in reported:
                    reported.add((path, name))
                    missing(path, name, f)
        elif path not in f.bad:
            f.bad.add(path)
            f.error(path, *explain(path, err.instance, doc, f, ctx))


# -- the named checks ------------------------------------------------------------

def _check_award_names(doc: list, f: Document) -> None:
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


def _check_deductions(doc: dict, f: Document) -> None:
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


def _check_assessed_teams(doc: dict, f: Document) -> None:
    """A period that lists the teams it assesses gives points only to them."""
    for i, period in enumerate(doc["periods"]):
        if not period.get("teams"):
            continue
        for kind, word in (("deductions", "扣分"), ("bonuses", "加分")):
            for j, entry in enumerate(period[kind]):
                if entry["team"] is not None and entry["team"] not in period["teams"]:
                    f.error(("periods", i, kind, j, "team"),
                            f"{entry['team']} 不在 {period['period']} 的参加班组里，不能{word}",
                            "把这个班组加进这一期的“参加班组”，或者改正班组名。")


def _check_votes(doc: list, f: Document) -> None:
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


def _check_sessions(doc: dict, f: Document) -> None:
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
            until = shown(as_date(schedule["until"])) if schedule["until"] else "以后"
            problem = f"不在学习安排的起止日期（{shown(as_date(schedule['from']))} 至 {until}）之内"
        else:
            problem = f"是{WEEKDAYS[day.weekday()]}，不在{rule}的安排里"
        f.error(("sessions", i, "date"), f"{day.isoformat()} {problem}",
                "如果这是额外加的课，请在这一项里加上“加课: 是”；否则请核对日期。")


CHECKS = {
    "award_names_person_or_team": _check_award_names,
    "deductions_within_item_max": _check_deductions,
    "entries_for_assessed_teams": _check_assessed_teams,
    "votes_within_participants": _check_votes,
    "sessions_on_schedule": _check_sessions,
}


# -- the stage -----------------------------------------------------------------------

def read_data(site_dir: Path, schema_dirs: list[Path], content_articles: set[str],
              settings: dict, report: Report, images: dict | None = None) -> dict[str, object]:
    """Load, check and convert every data/*.yaml (and .yml); problems go to report.

    A file whose stem has a schema (first match in schema_dirs) comes back
    with English keys and typed values; a file without one comes back as-is.
    Every field its schema types ``image`` is added to ``images``: (stem,
    path in the converted value) -> ImageUse.
    """
    data_dir = Path(site_dir) / "data"
    ctx = Context(data_dir, frozenset(content_articles), dict(settings or {}))
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
            schema = _find_schema(path.stem, schema_dirs, Path(site_dir))
        except BoardError as problem:
            report.add(problem)
            continue
        found = _read_file(text, rel, schema, ctx, report)
        if found is None:
            continue
        result[path.stem], document = found
        if images is not None and document is not None:
            for at in _image_paths(schema.root, result[path.stem], ()):
                images[(path.stem, at)] = ImageUse(f"data/{_value_at(result[path.stem], at)}", rel,
                                                   *document.where(at), document.name(at))
    return result


def check_data_text(site_dir: Path, schema_dirs: list[Path], content_articles: set[str],
                    settings: dict, name: str, text: str) -> Report:
    """Every problem the build would report in ``data/<name>`` if it held
    ``text``: the editor checks a file this way before it writes it."""
    report = Report()
    ctx = Context(Path(site_dir) / "data", frozenset(content_articles), dict(settings or {}))
    try:
        schema = _find_schema(Path(name).stem, schema_dirs, Path(site_dir))
    except BoardError as problem:
        report.add(problem)
        return report
    _read_file(text, f"data/{name}", schema, ctx, report)
    return report


def _read_file(text: str, rel: str, schema: Schema | None, ctx: Context, report: Report):
    """(the value, its Document) of one data file's text, None when it cannot be read
    at all; the Document is None for a file without a schema."""
    try:
        value, positions = load_yaml(text, rel)
    except BoardError as problem:
        report.add(problem)
        return None
    if schema is None:
        return value, None
    document = Document(rel, text, positions, schema.root, report)
    value = _check_file(value, schema, document, ctx)
    for at, found in placeholders.in_value(value):
        document.error(at, placeholders.message(found, f"“{document.name(at)}”"), placeholders.HINT)
    return value, document


def _image_paths(spec: Field, value, path: tuple):
    """The paths of the image fields in a converted value that name a file."""
    if spec.type == "image" and isinstance(value, str) and value:
        yield path
    elif spec.type == "mapping" and isinstance(value, dict):
        for name, sub in spec.fields.items():
            yield from _image_paths(sub, value.get(name), path + (name,))
    elif spec.type == "list" and isinstance(value, list) and spec.item is not None:
        for i, item in enumerate(value):
            yield from _image_paths(spec.item, item, path + (i,))


def _value_at(value, path: tuple):
    for step in path:
        value = value[step]
    return value


def _find_schema(stem: str, schema_dirs: list[Path], site_dir: Path) -> Schema | None:
    for folder in schema_dirs:
        for path in (Path(folder) / f"{stem}.yaml", Path(folder) / f"{stem}.yml"):
            if path.is_file():
                rel = path.relative_to(site_dir) if path.is_relative_to(site_dir) else path
                return read_schema(path, rel.as_posix(), CHECKS)
    return None


def _check_file(value, schema: Schema, f: Document, ctx: Context):
    root = schema.root
    if value is None:  # an empty file: nothing entered yet
        return [] if root.type == "list" else None
    doc = normalise(root, value, (), (), f)
    _validate(doc, f, ctx)
    doc = convert(root, doc, (), f)
    declared_checks(root, doc, (), f, {})
    for name in schema.checks:
        CHECKS[name](doc, f)
    return doc
