"""The performance figures (绩效考核): each team's score by category, its
deductions and bonuses, its rank with ties sharing a place, its change and
move since the previous period, and the charts of the ranking and the trend.

Part of the board model (board.figures.Board.performance); numbers are
:class:`~decimal.Decimal`, each with its display text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup

from branchboard.board import charts
from branchboard.board.data import as_moment, format_number


def change_text(change: Decimal | None) -> str:
    """+1.5, −2 (a true minus sign), 0, or — when there is nothing to compare."""
    if change is None:
        return "—"
    if change == 0:
        return "0"
    return ("+" if change > 0 else "−") + format_number(abs(change))


@dataclass(frozen=True)
class Adjustment:
    """One deduction or bonus, with the item it was given on."""

    team: str
    item_id: str
    item_name: str
    category_id: str
    category: str
    points: Decimal
    points_text: str
    reason: str | None


@dataclass(frozen=True)
class CategoryScore:
    category: str
    score: Decimal
    score_text: str
    max_text: str


@dataclass(frozen=True)
class TeamScore:
    team: str
    rank: int  # ties share a rank: 1, 2, 2, 4
    score: Decimal
    score_text: str
    categories: tuple[CategoryScore, ...]
    deductions: tuple[Adjustment, ...]
    bonuses: tuple[Adjustment, ...]
    change: Decimal | None  # against the previous period; None for a team's first
    change_text: str
    places_up: int | None = None  # places gained (lost: negative) since the previous period
    is_new: bool = False  # ranked this period and not the previous one
    move_text: str = ""  # ↑2, ↓1, 持平, 新; "" in the first period


@dataclass(frozen=True)
class PerformancePeriod:
    period: str
    date: dt.date
    standings: tuple[TeamScore, ...]  # ranked
    podium: tuple[TeamScore, ...]  # ranks 1 to 3 (more than three teams when tied)
    chart: Markup | None  # None without teams


@dataclass(frozen=True)
class Performance:
    full_marks: Decimal
    full_marks_text: str
    categories: tuple[str, ...]
    teams: tuple[str, ...]
    periods: tuple[PerformancePeriod, ...]  # newest first
    latest: PerformancePeriod | None
    trend_chart: Markup | None  # each team across the periods


def rank(scores: list[tuple[str, Decimal]]) -> list[tuple[int, str, Decimal]]:
    """Competition ranking, highest first; ties keep their given order and share a rank."""
    ordered = sorted(scores, key=lambda pair: -pair[1])
    return [(1 + sum(1 for _, other in ordered if other > score), team, score)
            for team, score in ordered]


def move_text(places_up: int | None, is_new: bool) -> str:
    """↑2, ↓1, 持平 (same place), 新 (new this period), or "" with nothing to compare."""
    if is_new:
        return "新"
    if places_up is None:
        return ""
    return "持平" if places_up == 0 else f"↑{places_up}" if places_up > 0 else f"↓{-places_up}"


def _sum(values) -> Decimal:
    return sum(values, Decimal(0))


def _adjustments(entries: list, items: dict) -> list[Adjustment]:
    result = []
    for e in entries:
        item, category = items[e["item"]]
        points = Decimal(str(e["points"]))
        result.append(Adjustment(e["team"], e["item"], item["name"], category["id"], category["name"],
                                 points, format_number(points), e["reason"]))
    return result


@dataclass(frozen=True)
class Tally:
    """One team's figures for one period, before ranking."""

    score: Decimal
    categories: tuple[CategoryScore, ...]
    deductions: tuple[Adjustment, ...]
    bonuses: tuple[Adjustment, ...]


def score_period(period: dict, categories: list, teams: list) -> dict[str, Tally]:
    """Each item's maximum, less the team's deductions on it, plus its bonuses, summed by category."""
    items = {i["id"]: (i, c) for c in categories for i in c["items"]}
    deductions, bonuses = _adjustments(period["deductions"], items), _adjustments(period["bonuses"], items)
    tallies = {}
    for team in teams:
        off = tuple(a for a in deductions if a.team == team)
        on = tuple(a for a in bonuses if a.team == team)
        by_category = []
        for c in categories:
            cap = _sum(Decimal(str(i["max"])) for i in c["items"])
            score = cap - _sum(a.points for a in off if a.category_id == c["id"]) \
                + _sum(a.points for a in on if a.category_id == c["id"])
            by_category.append(CategoryScore(c["name"], score, format_number(score), format_number(cap)))
        tallies[team] = Tally(_sum(c.score for c in by_category), tuple(by_category), off, on)
    return tallies


def build_performance(data: dict) -> Performance:
    categories, teams = data["categories"], data["teams"]
    full = _sum(Decimal(str(i["max"])) for c in categories for i in c["items"])
    periods, previous, history = [], None, {team: [] for team in teams}
    for p in sorted(data["periods"], key=lambda p: as_moment(p["date"])):
        assessed = [t for t in teams if t in p["teams"]] if p.get("teams") else list(teams)
        tallies = score_period(p, categories, assessed)
        standings = []
        for place, team, score in rank([(t, tallies[t].score) for t in assessed]):
            before = previous.get(team) if previous else None
            change = score - before[1] if before else None
            places_up = before[0] - place if before else None
            is_new = previous is not None and before is None
            t = tallies[team]
            standings.append(TeamScore(team, place, score, format_number(score), t.categories,
                                       t.deductions, t.bonuses, change, change_text(change),
                                       places_up, is_new, move_text(places_up, is_new)))
        for team in teams:
            history[team].append(tallies[team].score if team in tallies else None)
        chart = _ranking_chart(p["period"], standings, full) if standings else None
        periods.append(PerformancePeriod(p["period"], p["date"], tuple(standings),
                                         tuple(s for s in standings if s.rank <= 3), chart))
        previous = {s.team: (s.rank, s.score) for s in standings}
    trend = charts.line_chart("各班组得分走势", [p.period for p in periods],
                              [(team, history[team]) for team in teams]) if len(periods) > 1 and teams else None
    periods.reverse()
    return Performance(full, format_number(full), tuple(c["name"] for c in categories), tuple(teams),
                       tuple(periods), periods[0] if periods else None, trend)


def _ranking_chart(period: str, standings: list[TeamScore], full: Decimal) -> Markup:
    """The period's bars from the baseline (charts.baseline) that shows the
    differences, each with its rank and its move."""
    top = max([full, *(s.score for s in standings)])
    base = charts.baseline([s.score for s in standings], top)
    rows = [charts.BarRow(s.team, s.score, s.score_text, str(s.rank), s.move_text) for s in standings]
    return charts.bar_chart(f"{period} 各班组得分", rows, maximum=top, base=base)
