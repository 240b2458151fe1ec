"""The 绩效考核 period form as data, and the file's text with it saved.

    catalogue(value)            the file's 小项 by code
    assessed_teams(data, at)    the teams a period assesses (参加班组), or the file's whole list
    find_item(typed, items)     the items a row's 小项 text names: code, whole name, or part of one name
    standings(form, teams, items)   each team's total: full marks − deductions + bonuses
    proposal(today, periods)    期次 and 日期 for a new period, in the file's style
    existing_form / new_form / typed_form   the form from the file, for a new period, as sent
    period_text(data, form)     the new text: a period appended, or only its changed values
    place_problems(...)         the build's problems put beside their rows

Paths in English (``("periods", 3, "deductions", 0)``) are what the schema
uses; keys are written as the file spells them, a new period's in the
order the period before it has them.  ``参加班组`` is written only when not
every team is ticked or the period (for a new one: the period before it)
has it, in the way that one writes it (甲班、乙班 or a list).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from branchboard.editor.datafile import raw_at, value_at
from branchboard.editor.yamledit import REMOVE, append, change
from branchboard.site.schema import format_number, referenced

KINDS = {"d": ("deductions", "扣分"), "b": ("bonuses", "加分")}  # form prefix: (list, its label)
ROW_FIELDS = ("team", "item", "points", "reason")
PERIOD_FIELDS = ("period", "date")
EARLY_DAYS = 5  # in a month's first days the period proposed is last month's
MAX_ROWS = 500  # rows a form may send
PLAIN_NUMBER = re.compile(r"-?\d{1,9}(\.\d{1,6})?")
ROW_NAME = re.compile(r"^([db])\.(\d{1,4})\.(team|item|points|reason|at)$")
TEAM_NAME = re.compile(r"^teams\.\d{1,4}$")  # a ticked 参加班组 box; the form's "teams" says it showed them
TEAMS_SEPARATOR = re.compile(r"\s*[、，,；;]\s*|\s+")

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
    problems: dict = field(default_factory=dict)  # period/date/teams -> messages
    teams: list[str] | None = None  # the teams ticked as assessed; None: the form sent no boxes

    def of(self, kind: str) -> list[Row]:
        return [r for r in self.rows if r.kind == kind]


def catalogue(value) -> dict[str, Item]:
    """The file's 小项 by code."""
    found = {}
    categories = value.get("categories") if isinstance(value, dict) else None
    for category in categories if isinstance(categories, list) else []:
        items = category.get("items") if isinstance(category, dict) else None
        for item in items if isinstance(items, list) else []:
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


def file_teams(data) -> list[str]:
    """The file's 班组, in its order."""
    return list(dict.fromkeys(referenced(data.value, "teams")))


def listed_teams(data, at: int | None) -> list[str] | None:
    """Period ``at``'s 参加班组 as the file lists them; None when it lists none."""
    teams = value_at(data.value, ("periods", at, "teams")) if at is not None else None
    return [str(t) for t in teams] if isinstance(teams, list) and teams else None


def assessed_teams(data, at: int | None) -> list[str]:
    """The teams period ``at`` assesses; for a new period (None) those of the period before it."""
    source = at if at is not None else len(periods_of(data)) - 1
    return listed_teams(data, source if source >= 0 else None) or file_teams(data)


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
    padded = any(re.fullmatch(r"\D*\d{4}\D+0\d\D*", n) for n in names)  # 2026-09, not 2026-9
    before, _year, between, _month, after = styled.groups()
    month_text = f"{month:02d}" if padded else str(month)
    return f"{before}{year}{between}{month_text}{after}", today.isoformat()


def new_form(data, today: dt.date) -> PeriodForm:
    period, date = proposal(today, periods_of(data))
    return PeriodForm(None, {"period": period, "date": date}, [], teams=assessed_teams(data, None))


def existing_form(data, at: int) -> PeriodForm:
    period = periods_of(data)[at]
    items = catalogue(data.value)
    rows = []
    for kind, (name, _label) in KINDS.items():
        entries = period.get(name)
        for j, entry in enumerate(entries if isinstance(entries, list) else []):
            entry = entry if isinstance(entry, dict) else {}
            values = {f: text_of(entry.get(f)) for f in ROW_FIELDS}
            if values["item"] in items:
                values["item"] = items[values["item"]].label
            rows.append(Row(kind, j, values))
    return PeriodForm(at, {f: text_of(period.get(f)) for f in PERIOD_FIELDS}, rows, teams=assessed_teams(data, at))


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
    teams = None
    if "teams" in submitted:
        ticked = [submitted.get(key).strip() for key in submitted if TEAM_NAME.match(key)]
        teams = list(dict.fromkeys(t for t in ticked if t))
    return PeriodForm(at, values, made, teams=teams)


# -- the new text --------------------------------------------------------------------------------

def period_text(data, form: PeriodForm) -> str:
    """The file's text with the period appended (a new one) or changed."""
    keys = Spelling(data)
    teams = _teams_written(data, form)
    if form.at is None:
        period = {keys.period(f): form.values[f] for f in PERIOD_FIELDS if form.values[f]}
        if teams is not None:
            period[keys.period("teams")] = teams
        for kind, (name, _label) in KINDS.items():
            entries = [keys.entry(r.values) for r in form.of(kind)]
            if entries:
                period[keys.period(name)] = entries
        return append(data.text, data.rel, keys.periods, keys.in_period_order(period))
    return _changed(data, form, keys, teams)


def _teams_written(data, form: PeriodForm):
    """What the period's 参加班组 is to hold (None: it is not written): the
    ticked teams in the file's order, as the period (a new one: the period
    before it) writes them, a text such as 甲班、乙班 unless it has a list."""
    source = form.at if form.at is not None else len(periods_of(data)) - 1
    had = source >= 0 and value_at(data.value, ("periods", source, "teams")) is not None
    everyone = file_teams(data)
    ticked = form.teams if form.teams is not None else assessed_teams(data, form.at)
    ticked = [t for t in everyone if t in ticked] + [t for t in ticked if t not in everyone]
    if not had and set(ticked) >= set(everyone):
        return None
    written = raw_at(data, ("periods", source, "teams")) if had else None
    if isinstance(written, list):
        return ticked
    separator = TEAMS_SEPARATOR.search(written.strip()) if isinstance(written, str) else None
    return (separator.group(0) if separator else "、").join(ticked)


def _changed(data, form: PeriodForm, keys: "Spelling", teams) -> str:
    raw = data.doc.raw_paths
    here = ("periods", form.at)
    changes = {}
    for f in PERIOD_FIELDS:
        _set(changes, raw, here + (f,), raw[here] + (keys.period(f),), form.values[f], value_at(data.value, here + (f,)))
    listed = value_at(data.value, here + ("teams",))
    if teams is not None and form.teams is not None and set(form.teams) != set(listed or ()):
        changes[raw.get(here + ("teams",), raw[here] + (keys.period("teams"),))] = teams
    later = []
    for kind, (name, _label) in KINDS.items():
        kept = {r.at: r for r in form.of(kind) if r.at is not None}
        for j, _entry in enumerate(value_at(data.value, here + (name,)) or []):
            path = here + (name, j)
            if j not in kept:
                changes[raw[path]] = REMOVE
                continue
            for f in ROW_FIELDS:
                _set(changes, raw, path + (f,), raw[path] + (keys.entry_key(f),), kept[j].values[f],
                     value_at(data.value, path + (f,)))
        list_path = raw.get(here + (name,), raw[here] + (keys.period(name),))
        later += [(list_path, keys.entry(r.values)) for r in form.of(kind) if r.at is None]
    text = change(data.text, data.rel, changes) if changes else data.text
    for list_path, entry in later:
        text = append(text, data.rel, list_path, entry)
    return text


def _set(changes: dict, raw: dict, path: tuple, spelled: tuple, typed: str, old) -> None:
    """One value's change, if it differs from the file's (points compared as numbers)."""
    value = _typed(typed) if path[-1] == "points" else typed
    if typed == text_of(old) or (old is not None and typed != "" and value == old):
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

    def in_period_order(self, period: dict) -> dict:
        """A new period's keys in the order the last period has them; a key
        it lacks (参加班组) right after the one before it in the schema."""
        fields = list(self.root.fields["periods"].item.fields)
        spelled = {self.period(name): name for name in fields}
        rank: dict[str, float] = {}
        for key in sorted(period, key=lambda k: fields.index(spelled[k])):
            before = [rank[k] for k in rank if fields.index(spelled[k]) < fields.index(spelled[key])]
            rank[key] = self.last_period.index(key) if key in self.last_period else max(before, default=-1) + 0.5
        return dict(sorted(period.items(), key=lambda pair: rank[pair[0]]))


# -- problems beside their rows ----------------------------------------------------------------

def place_problems(form: PeriodForm, after, at: int, problems) -> list[str]:
    """Each problem put on the row (or the 期次/日期) whose lines it names; the rest come back."""
    doc = after.doc
    spots = []
    here = ("periods", at)
    for f in PERIOD_FIELDS:
        spots.append((_lines(doc, [here + (f,)]), form.problems.setdefault(f, [])))
    listed = value_at(after.value, here + ("teams",))
    spots.append((_lines(doc, [here + ("teams",)] + [here + ("teams", k) for k in range(len(listed or []))]),
                  form.problems.setdefault("teams", [])))
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

def periods_of(data) -> list:
    value = data.value if isinstance(data.value, dict) else {}
    return value.get("periods") if isinstance(value.get("periods"), list) else []


def forget_missing_rows(data, form: PeriodForm) -> None:
    """A row naming an entry the period does not have (any more) is a new row."""
    for row in form.rows:
        if row.at is not None and row.at >= len(value_at(data.value, ("periods", form.at, KINDS[row.kind][0])) or []):
            row.at = None


def text_of(value) -> str:
    """A value as the form shows it: 1.5, 2026-09-03, "" for nothing."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return format_number(value)
    return str(value)


def index_of(data, form: PeriodForm) -> int:
    return form.at if form.at is not None else len(periods_of(data))


def _decimal(value) -> Decimal | None:
    """A number written plainly (3, 0.5, -1); None for anything else (1e9, NaN, 文字)."""
    if isinstance(value, bool) or value is None:
        return None
    text = str(value).strip()
    return Decimal(text) if PLAIN_NUMBER.fullmatch(text) else None


def _typed(text: str):
    """A number where the text is one (1, 0.5), else the text: the checks say what is wrong."""
    number = _decimal(text)
    if number is None:
        return text
    return int(number) if "." not in text else float(number)
