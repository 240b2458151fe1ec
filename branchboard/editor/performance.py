"""The 绩效考核 period editor under /admin/performance: one page for a whole
period (期次, 日期, its 扣分 and 加分 rows), saved in one go.

    GET  /admin/performance            this month's period: the one in the file, else a new one
    GET  /admin/performance?at=<i>     the file's period i;  ?new=1  a new period
    POST /admin/performance/save       checked with the build's own checks, then written

A row names its 小项 by code, by the datalist's text ("A02 劳动防护用品正确佩戴
（满分 5）"), by its name or by a part of the name only one item has; the
file gets the code.  The page's script shows the same as she types (the item
found, a team's points over an item's 分值, each team's total); the server
checks the whole new text again with ``forms.new_problems`` (schema and
``deductions_within_item_max``) and puts each problem beside its row.  A new
period is appended after the last one, keys spelled and ordered as the one
before it; an existing one changes only the values that differ.  Every
write goes through ``files.save``.

The editor's door (``web.EditorApp``) has let the request in and checked a
POST's Origin and CSRF token before it gets here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from werkzeug.wrappers import Request, Response

from branchboard.build.pipeline import resolve_now
from branchboard.editor import files, forms
from branchboard.editor.yamledit import REMOVE, append, change
from branchboard.scaffold.yamlappend import Refused
from branchboard.site.schema import format_number, referenced

PREFIX = "/admin/performance"
NAME = "performance.yaml"
KINDS = {"d": ("deductions", "扣分"), "b": ("bonuses", "加分")}  # form prefix: (list, its label)
ROW_FIELDS = ("team", "item", "points", "reason")
PERIOD_FIELDS = ("period", "date")
EMPTY_ROWS = {"d": 5, "b": 3}  # blank rows for a browser without the script
EARLY_DAYS = 5  # in a month's first days the period proposed is last month's
MAX_ROWS = 500  # rows a form may send
ROW_NAME = re.compile(r"^([db])\.(\d{1,4})\.(team|item|points|reason|at)$")


def handle(app, request: Request, path: str, session) -> Response:
    pages = Pages(app, session)
    if path == PREFIX and request.method != "POST":
        return pages.edit(request.args)
    if path == f"{PREFIX}/save" and request.method == "POST":
        return pages.save(request.form)
    return app._page("message.html", 404, title="找不到", message="后台没有这个网页。")


def tools(name: str, at: tuple) -> list[tuple[str, str]]:
    """The file page's buttons to this editor: for the whole file, and for the period open."""
    if name != NAME:
        return []
    found = [("按期填写考核（扣分、加分）", PREFIX)]
    if len(at) >= 2 and at[0] == "periods" and isinstance(at[1], int):
        found.append(("在考核表里修改这一期", f"{PREFIX}?at={at[1]}"))
    return found


# -- what the page holds ------------------------------------------------------------------

@dataclass(frozen=True)
class Item:
    code: str
    name: str
    max: Decimal | None

    @property
    def label(self) -> str:
        """What the list shows and the field holds once found: "A02 名称（满分 5）"."""
        return f"{self.code} {self.name}（满分 {format_number(self.max) if self.max is not None else '?'}）"


@dataclass
class Row:
    kind: str  # "d" or "b"
    at: int | None  # its index in the file's list; None for a new row
    values: dict  # team, item, points, reason as typed
    problems: list[str] = field(default_factory=list)

    def is_blank(self) -> bool:
        return not any(self.values.get(f, "").strip() for f in ROW_FIELDS)


@dataclass
class PeriodForm:
    at: int | None  # the period's index in the file; None for a new one
    values: dict  # period, date
    rows: list[Row]
    problems: dict = field(default_factory=dict)  # period/date -> messages

    def of(self, kind: str) -> list[Row]:
        return [r for r in self.rows if r.kind == kind]


def catalogue(value) -> dict[str, Item]:
    """The file's 小项 by code."""
    found = {}
    for category in (value or {}).get("categories") or []:
        for item in (category or {}).get("items") or [] if isinstance(category, dict) else []:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                found[item["id"]] = Item(item["id"], str(item.get("name") or ""), _decimal(item.get("max")))
    return found


def find_item(typed: str, items: dict[str, Item]) -> list[Item]:
    """The items ``typed`` names: its code (or the list's text, which starts
    with it), its whole name, else every item whose name holds it."""
    text = typed.strip()
    if not text:
        return []
    code = text.split(" ", 1)[0].upper()
    if code in {c.upper() for c in items}:
        return [next(i for c, i in items.items() if c.upper() == code)]
    exact = [i for i in items.values() if i.name == text]
    return exact or [i for i in items.values() if text in i.name]


def full_marks(items: dict[str, Item]) -> Decimal:
    return sum((i.max for i in items.values() if i.max is not None), Decimal(0))


def standings(form: PeriodForm, teams: list[str], items: dict[str, Item]) -> list[tuple]:
    """(team, deducted, added, score) texts per team: full marks − deductions + bonuses."""
    full = full_marks(items)
    table = []
    for team in teams:
        sums = {kind: sum((_decimal(r.values.get("points")) or Decimal(0) for r in form.of(kind)
                           if r.values.get("team") == team), Decimal(0)) for kind in KINDS}
        table.append((team, format_number(sums["d"]), format_number(sums["b"]),
                      format_number(full - sums["d"] + sums["b"])))
    return table


# -- the pages ------------------------------------------------------------------------------

class Pages:
    def __init__(self, app, session):
        self.app = app
        self.session = session

    def _open(self):
        """(site info, the performance file), or None when the site has no such data file."""
        info = forms.site_info(self.app.site_dir)
        schema = forms.data_files(info).get(NAME)
        return (info, forms.open_data(info, NAME, schema)) if schema else (info, None)

    def edit(self, args) -> Response:
        info, data = self._open()
        if data is None or data.doc is None:
            return self._broken(data)
        periods = _periods(data)
        at = int(args["at"]) if args.get("at", "").isdigit() else None
        if at is not None and at >= len(periods):
            return self.app._page("message.html", 404, title="找不到", message="文件里没有这一期考核，请从后台重新打开。")
        if at is None and args.get("new") != "1":
            period, _date = proposal(resolve_now(self.app.now).date(), periods)
            at = next((i for i, p in enumerate(periods) if isinstance(p, dict) and p.get("period") == period), None)
        form = existing_form(data, at) if at is not None else new_form(data, resolve_now(self.app.now).date())
        return self._form(data, form, 200, saved=args.get("saved") == "1")

    def save(self, submitted) -> Response:
        info, data = self._open()
        if data is None or data.doc is None:
            return self._broken(data)
        form = typed_form(submitted, len(_periods(data)))
        if form is None:
            return self.app._page("message.html", 409, title="没有保存",
                                  message="文件里找不到要修改的这一期（可能刚被改过），没有保存。请重新打开。")
        _forget_missing_rows(data, form)
        if data.version != submitted.get("version"):
            return self._conflict(data, form, None)
        items = catalogue(data.value)
        for row in form.rows:
            found = find_item(row.values["item"], items)
            row.values["item"] = found[0].code if len(found) == 1 else row.values["item"]
        try:
            new_text = period_text(data, form)
        except Refused as refused:
            return self._form(data, form, 422, errors=[str(refused)])
        if new_text == data.text:
            return _redirect(f"{PREFIX}?at={_index(data, form)}&saved=1")
        problems = forms.new_problems(info, NAME, data.text, new_text)
        if problems:
            after = forms.parsed(NAME, new_text, "", data.schema)
            return self._form(data, form, 422, errors=place_problems(form, after, _index(data, form), problems),
                              invalid=True)
        try:
            files.save(self.app.site_dir, data.rel, new_text, data.version)
        except files.Conflict as conflict:
            data.text = conflict.theirs
            return self._conflict(data, form, new_text)
        except Refused as refused:
            return self.app._page("message.html", 400, title="没有保存", message=str(refused))
        return _redirect(f"{PREFIX}?at={_index(data, form)}&saved=1")

    def _form(self, data, form: PeriodForm, status: int, **shown) -> Response:
        items = catalogue(data.value)
        teams = list(dict.fromkeys(referenced(data.value, "teams")))
        for kind in KINDS:  # blank rows to fill in, also without the script
            form.rows += [Row(kind, None, dict.fromkeys(ROW_FIELDS, "")) for _ in range(EMPTY_ROWS[kind])]
        periods = [(i, _text(p.get("period")) or f"第 {i + 1} 期")
                   for i, p in enumerate(_periods(data)) if isinstance(p, dict)]
        title = f"绩效考核：{form.values['period']}" if form.at is not None else "新的一期考核"
        return self.app._page("performance.html", status, title=title, data=data, form=form, kinds=KINDS,
                              items=items, teams=teams, standings=standings(form, teams, items),
                              full=format_number(full_marks(items)), periods=periods,
                              found=lambda text: find_item(text, items), csrf=self.session.csrf,
                              blank=Row("", None, dict.fromkeys(ROW_FIELDS, "")),
                              errors=shown.pop("errors", []), **shown)

    def _broken(self, data) -> Response:
        if data is None:
            return self.app._page("message.html", 404, title="找不到", message="这个网站没有绩效考核的数据文件。")
        return self.app._page("message.html", 422, title="不能打开",
                              message=f"{data.rel} 里有错误，先用记事本改正它：{data.problem}")

    def _conflict(self, data, form: PeriodForm, ours: str | None) -> Response:
        typed = [(label, form.values[name]) for name, label in zip(PERIOD_FIELDS, ("期次", "日期"))]
        typed += [(f"{KINDS[r.kind][1]}", " ".join(r.values[f] for f in ROW_FIELDS if r.values[f]))
                  for r in form.rows if not r.is_blank()]
        return self.app._page("conflict.html", 409, title="没有保存：文件已被改过", data=data, theirs=data.text,
                              ours=ours, typed=typed, conflict=files.Conflict(data.rel, data.text),
                              csrf=self.session.csrf)


# -- forms from the file and from the request ---------------------------------------------------

def proposal(today: dt.date, periods: list) -> tuple[str, str]:
    """(期次, 日期) for a new period: this month in the style of the file's
    last 期次 (last month in a month's first days), and today."""
    year, month = (today.year, today.month) if today.day > EARLY_DAYS else \
        ((today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12))
    names = [str(p.get("period")) for p in periods if isinstance(p, dict) and p.get("period")]
    styled = re.fullmatch(r"(\D*)(\d{4})(\D+?)(\d{1,2})(\D*)", names[-1]) if names else None
    if styled is None:
        return f"{year}年{month}月", today.isoformat()
    padded = any(re.fullmatch(r"\D*\d{4}\D+0\d\D*", n) for n in names)
    before, _y, between, _m, after = styled.groups()
    return f"{before}{year}{between}{month:02d}{after}" if padded else f"{before}{year}{between}{month}{after}", \
        today.isoformat()


def new_form(data, today: dt.date) -> PeriodForm:
    period, date = proposal(today, _periods(data))
    return PeriodForm(None, {"period": period, "date": date}, [])


def existing_form(data, at: int) -> PeriodForm:
    period = _periods(data)[at]
    items = catalogue(data.value)
    rows = []
    for kind, (name, _label) in KINDS.items():
        for j, entry in enumerate(period.get(name) or []):
            entry = entry if isinstance(entry, dict) else {}
            values = {f: _text(entry.get(f)) for f in ROW_FIELDS}
            if values["item"] in items:
                values["item"] = items[values["item"]].label
            rows.append(Row(kind, j, values))
    return PeriodForm(at, {f: _text(period.get(f)) for f in PERIOD_FIELDS}, rows)


def typed_form(submitted, period_count: int) -> PeriodForm | None:
    """The form as sent: rows in the order of their numbers, blank ones left out;
    None when it names a period the file does not have."""
    at_text = submitted.get("at", "")
    at = int(at_text) if at_text.isdigit() else None
    if (at_text and at is None) or (at is not None and at >= period_count):
        return None
    rows: dict[tuple[str, int], dict] = {}
    for key in submitted:
        found = ROW_NAME.match(key)
        if found and len(rows) < MAX_ROWS:
            rows.setdefault((found.group(1), int(found.group(2))), {})[found.group(3)] = \
                submitted.get(key).replace("\r", " ").replace("\n", " ").strip()
    made, seen = [], set()
    for (kind, _n), values in sorted(rows.items(), key=lambda pair: (pair[0][0] != "d", pair[0][1])):
        index = int(values["at"]) if at is not None and values.get("at", "").isdigit() else None
        if index is not None and (kind, index) in seen:
            index = None
        seen.add((kind, index))
        row = Row(kind, index, {f: values.get(f, "") for f in ROW_FIELDS})
        if not row.is_blank():
            made.append(row)
    values = {f: submitted.get(f, "").strip() for f in PERIOD_FIELDS}
    return PeriodForm(at, values, made)


# -- the new text --------------------------------------------------------------------------------

def period_text(data, form: PeriodForm) -> str:
    """The file's text with the period appended (a new one) or changed."""
    keys = Spelling(data)
    if form.at is None:
        period = {keys.period(f): form.values[f] for f in PERIOD_FIELDS if form.values[f]}
        for kind, (name, _label) in KINDS.items():
            entries = [keys.entry(r.values) for r in form.of(kind)]
            if entries:
                period[keys.period(name)] = entries
        period = dict(sorted(period.items(), key=lambda pair: keys.order(pair[0], keys.last_period)))
        return append(data.text, data.rel, keys.periods, period)
    return _changed(data, form, keys)


def _changed(data, form: PeriodForm, keys: "Spelling") -> str:
    raw = data.doc.raw_paths
    here = ("periods", form.at)
    changes = {}
    for f in PERIOD_FIELDS:
        _set(changes, raw, here + (f,), raw[here] + (keys.period(f),), form.values[f], _old(data, here + (f,)))
    later = []
    for kind, (name, _label) in KINDS.items():
        kept = {r.at: r for r in form.of(kind) if r.at is not None}
        for j, _entry in enumerate(_old(data, here + (name,)) or []):
            path = here + (name, j)
            if j not in kept:
                changes[raw[path]] = REMOVE
                continue
            for f in ROW_FIELDS:
                _set(changes, raw, path + (f,), raw[path] + (keys.entry_key(f),), kept[j].values[f],
                     _old(data, path + (f,)))
        list_path = raw.get(here + (name,), raw[here] + (keys.period(name),))
        later += [(list_path, keys.entry(r.values)) for r in form.of(kind) if r.at is None]
    text = change(data.text, data.rel, changes) if changes else data.text
    for list_path, entry in later:
        text = append(text, data.rel, list_path, entry)
    return text


def _set(changes: dict, raw: dict, path: tuple, spelled: tuple, typed: str, old) -> None:
    """One value's change, if it differs from the file's (points compared as numbers)."""
    value = _typed(typed) if path[-1] == "points" else typed
    if typed == _text(old) or (old is not None and typed != "" and value == old):
        return
    if typed == "":
        if path in raw:
            changes[raw[path]] = REMOVE
        return
    changes[raw.get(path, spelled)] = value


class Spelling:
    """Keys as the file writes them, and the order the last period has them in."""

    def __init__(self, data):
        top = data.raw if isinstance(data.raw, dict) else {}
        self.chinese = any(not str(k).isascii() for k in top)
        self.root = data.schema.root
        self.periods = data.doc.raw_paths.get(("periods",)) or (self._spelled(self.root.fields["periods"]),)
        written = top.get(self.periods[0]) if isinstance(top.get(self.periods[0]), list) else []
        self.last_period = [str(k) for k in written[-1]] if written and isinstance(written[-1], dict) else []
        entries = [e for p in written if isinstance(p, dict) for v in p.values() if isinstance(v, list)
                   for e in v if isinstance(e, dict)]
        self.last_entry = [str(k) for k in entries[-1]] if entries else []
        self.period_keys = {str(k) for p in written if isinstance(p, dict) for k in p}
        self.entry_keys = {str(k) for e in entries for k in e}

    def _spelled(self, spec, used=()) -> str:
        known = next((k for k in used if k == spec.name or k in spec.aliases), None)
        return known or (spec.aliases[0] if self.chinese and spec.aliases else spec.name)

    def period(self, name: str) -> str:
        return self._spelled(self.root.fields["periods"].item.fields[name], self.period_keys)

    def entry_key(self, name: str) -> str:
        spec = self.root.fields["periods"].item.fields["deductions"].item.fields[name]
        return self._spelled(spec, self.entry_keys)

    def entry(self, values: dict) -> dict:
        entry = {self.entry_key(f): _typed(values[f]) if f == "points" else values[f]
                 for f in ROW_FIELDS if values[f]}
        return dict(sorted(entry.items(), key=lambda pair: self.order(pair[0], self.last_entry)))

    @staticmethod
    def order(key: str, model: list[str]) -> int:
        return model.index(key) if key in model else len(model)


# -- problems beside their rows ----------------------------------------------------------------

def place_problems(form: PeriodForm, after, at: int, problems) -> list[str]:
    """Each problem put on the row (or the 期次/日期) whose lines it names; the rest come back."""
    doc = after.doc
    spots = []
    here = ("periods", at)
    for f in PERIOD_FIELDS:
        spots.append((_lines(doc, [here + (f,)]), form.problems.setdefault(f, [])))
    for kind, (name, _label) in KINDS.items():
        for j, row in enumerate(_in_file_order(form, kind)):
            path = here + (name, j)
            spots.append((_lines(doc, [path] + [path + (f,) for f in ROW_FIELDS]), row.problems))
    spots.append((_lines(doc, [here]), form.problems.setdefault("period", [])))  # a missing 期次/日期
    rest = []
    for problem in problems:
        text = problem.message + (f"（{problem.hint}）" if problem.hint else "")
        spot = next((found for lines, found in spots if problem.line in lines), None)
        if spot is None:
            rest.append(f"第 {problem.line} 行：{text}" if problem.line else text)
        else:
            spot.append(text)
    return rest


def _in_file_order(form: PeriodForm, kind: str) -> list[Row]:
    """A list's rows as the saved file holds them: the kept ones, then the new ones."""
    rows = form.of(kind)
    kept = sorted((r for r in rows if r.at is not None), key=lambda r: r.at)
    return kept + [r for r in rows if r.at is None]


def _lines(doc, paths: list[tuple]) -> set[int]:
    found = set()
    for path in paths:
        if path in doc.raw_paths:
            found.add(doc.positions.of_key(doc.raw_paths[path])[0])
            found.add(doc.positions.of(doc.raw_paths[path])[0])
    return found


# -- small helpers -------------------------------------------------------------------------------

def _periods(data) -> list:
    value = data.value if isinstance(data.value, dict) else {}
    return value.get("periods") if isinstance(value.get("periods"), list) else []


def _forget_missing_rows(data, form: PeriodForm) -> None:
    """A row naming an entry the period does not have (any more) is a new row."""
    for row in form.rows:
        if row.at is not None and row.at >= len(_old(data, ("periods", form.at, KINDS[row.kind][0])) or []):
            row.at = None


def _old(data, path: tuple):
    """The file's value at an English path, or None."""
    value = data.value
    for step in path:
        if isinstance(value, dict) and isinstance(step, str):
            value = value.get(step)
        elif isinstance(value, list) and isinstance(step, int) and 0 <= step < len(value):
            value = value[step]
        else:
            return None
    return value


def _text(value) -> str:
    """A value as the form shows it: 1.5, 2026-09-03, "" for nothing."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return format_number(value)
    return str(value)


def _index(data, form: PeriodForm) -> int:
    return form.at if form.at is not None else len(_periods(data))


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(str(value).strip()) if value not in (None, "") and not isinstance(value, bool) else None
    except InvalidOperation:
        return None


def _typed(text: str):
    """A number where the text is one (1, 0.5), else the text: the checks say what is wrong."""
    number = _decimal(text)
    if number is None or not number.is_finite():
        return text
    return int(number) if number == number.to_integral_value() and "." not in text else float(number)


def _redirect(location: str) -> Response:
    return Response(b"", 303, {"Location": location})
