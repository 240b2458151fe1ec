"""What the meeting-room screen will show over the next days
(public/screen/schedule.html), so the secretary can check it before a meeting.

The screen page decides everything from ``data-*`` attributes as it runs
(static/screen.js ``isOn`` and ``isScreenOn``).  The schedule reads the very
attributes the page is given (the slides, items, ticker texts, slogans and
the screen's hours, as pages.screen_pages renders them) and applies the same
rules to them here: :func:`is_on` and :func:`is_screen_on` are those two
functions line for line, and tests/test_screen_hours.py runs the page at
sampled moments to check that both agree.

    1. the moments at which anything can change     _moments
    2. the state in the minute from each moment      _state
    3. equal states in a row become one period       _periods
    4. dated things starting or ending: events       _events
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from typing import Any

from branchboard.screen.hours import OFF_SLIDES, ScreenHours
from branchboard.screen.settings import Window
from branchboard.screen.slides import Attrs, Item, Slide, day_end, day_start, window_attrs

OUTPUT = "screen/schedule.html"
DAYS = 7
WEEKDAYS = "一二三四五六日"
FALLBACK = "支部名称、标语和时钟"
MINUTE = dt.timedelta(minutes=1)
# the page checks the time once a minute, at the first tick of the minute
SETTLED = dt.timedelta(seconds=1)


# -- the page's rules, as screen.js applies them --------------------------------------

def _local(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f")


def is_on(attrs: Attrs, moment: dt.datetime) -> bool:
    """screen.js ``isOn``: data-from / data-until (inclusive), data-days
    (Sunday is 0), data-hours (minutes of the day, overnight when start > end)."""
    d = dict(attrs)
    if "data-from" in d and moment < _local(d["data-from"]):
        return False
    if "data-until" in d and moment > _local(d["data-until"]):
        return False
    if "data-days" in d and str((moment.weekday() + 1) % 7) not in d["data-days"].split(" "):
        return False
    if "data-hours" in d:
        start, end = (int(n) for n in d["data-hours"].split("-"))
        minute = moment.hour * 60 + moment.minute
        return start <= minute < end if start < end else minute >= start or minute < end
    return True


@dataclass(frozen=True)
class HoursRule:
    """One element of the page's hours: the screen is on (or, for a holiday, off) while it holds."""

    on: bool
    attrs: Attrs


def hours_rules(hours: ScreenHours) -> tuple[HoursRule, ...]:
    rules = []
    for rule in hours.rules:
        days = rule.weekdays if len(rule.weekdays) < 7 else ()
        rules.append(HoursRule(True, window_attrs(Window(weekdays=days, hours=(rule.start, rule.end)))))
        if rule.workdays:  # 工作日 includes the make-up working days
            rules += [HoursRule(True, window_attrs(Window(day_start(day), day_end(day), hours=(rule.start, rule.end))))
                      for day in hours.workdays]
    rules += [HoursRule(False, window_attrs(Window(day_start(h.first), day_end(h.last)))) for h in hours.holidays]
    return tuple(rules)


def is_screen_on(rules: tuple[HoursRule, ...], moment: dt.datetime) -> bool:
    """screen.js ``isScreenOn``: on when some on-rule holds (or there is none) and no off-rule does."""
    ons = [r for r in rules if r.on]
    offs = [r for r in rules if not r.on]
    return (not ons or any(is_on(r.attrs, moment) for r in ons)) and not any(is_on(r.attrs, moment) for r in offs)


def is_slide_on(slide: Slide, moment: dt.datetime) -> bool:
    """screen.js ``isShowable``: the slide's window holds and one of its items shows."""
    return is_on(slide.attrs, moment) and any(is_on(item.attrs, moment) for item in slide.items)


# -- the schedule ----------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    """A stretch of one day during which the screen shows the same."""

    start: dt.datetime
    end: dt.datetime
    on: bool
    slides: tuple[str, ...]  # the titles in the order they rotate; empty when off

    @property
    def time_text(self) -> str:
        end = "24:00" if self.end.time() == dt.time() else f"{self.end:%H:%M}"
        return f"{self.start:%H:%M}–{end}"


@dataclass(frozen=True)
class Event:
    """Something dated starting or ending on the screen."""

    moment: dt.datetime  # when it starts showing, or the last moment it shows
    starts: bool
    label: str
    places: tuple[str, ...]  # where it shows: slide titles, 滚动字幕, 空屏标语

    @property
    def time_text(self) -> str:
        if self.starts:
            return f"{self.moment:%H:%M} 起显示"
        return "当天显示到最后" if self.moment.time() >= dt.time(23, 59) else f"{self.moment:%H:%M} 后不再显示"


@dataclass(frozen=True)
class Day:
    date: dt.date
    periods: tuple[Period, ...]
    events: tuple[Event, ...]
    holiday: str  # the holiday's name, 节假日 when it has none, "" on other days

    @property
    def title(self) -> str:
        return f"{self.date.month}月{self.date.day}日 星期{WEEKDAYS[self.date.weekday()]}"

    @property
    def on_text(self) -> str:
        """When the screen is on this day: 07:00–18:00, 全天开 or 全天关."""
        spans: list[list[dt.datetime]] = []  # periods in a row that are on, as one span
        for p in self.periods:
            if p.on and spans and spans[-1][1] == p.start:
                spans[-1][1] = p.end
            elif p.on:
                spans.append([p.start, p.end])
        if not spans:
            return "全天关"
        if spans == [[self.periods[0].start, self.periods[-1].end]]:
            return "全天开"
        return "、".join(Period(a, b, True, ()).time_text for a, b in spans) + " 开"


@dataclass(frozen=True)
class Schedule:
    days: tuple[Day, ...]
    off_slide: str  # what the screen shows when off (hours.OFF_SLIDES' name)

    @property
    def summary(self) -> str:
        """One line for ``build.py check``."""
        groups: dict[str, list[Day]] = {}
        for day in self.days:
            groups.setdefault(day.on_text, []).append(day)
        common, *others = sorted(groups.items(), key=lambda g: -len(g[1]))
        parts = [f"未来 {len(self.days)} 天" + ("每天 " if not others else f"有 {len(common[1])} 天 ") + common[0]]
        parts += ["、".join(f"{d.date.month}月{d.date.day}日" for d in days) + " " + text for text, days in others]
        ending = sum(1 for day in self.days for e in day.events if not e.starts)
        starting = sum(1 for day in self.days for e in day.events if e.starts)
        news = f"本周有 {ending} 条内容到期" if ending else "本周没有内容到期"
        if starting:
            news += f"、{starting} 条内容上线"
        return f"大屏：{'，'.join(parts)}；{news}"


@dataclass(frozen=True)
class Shown:
    """Everything on the page that comes and goes with the clock."""

    rules: tuple[HoursRule, ...]
    slides: tuple[Slide, ...]
    ticker: tuple[Item, ...]
    slogans: tuple[Item, ...]


def build_schedule(hours: ScreenHours, shown: Shown, now: dt.datetime, days: int = DAYS) -> Schedule:
    """The screen day by day, from the start of ``now``'s day for ``days`` days."""
    first = day_start(now)
    moments = _moments(shown, first, first + dt.timedelta(days=days))
    events = _events(shown, first, first + dt.timedelta(days=days))
    result = []
    for n in range(days):
        start = first + dt.timedelta(days=n)
        end = start + dt.timedelta(days=1)
        today = [m for m in moments if start <= m < end]
        holiday = next((h.name or "节假日" for h in hours.holidays if h.first <= start.date() <= h.last), "")
        result.append(Day(start.date(), _periods(shown, today, end),
                          tuple(e for e in events if e.moment.date() == start.date()), holiday))
    return Schedule(tuple(result), OFF_SLIDES[hours.off_slide])


def _all_attrs(shown: Shown):
    yield from (rule.attrs for rule in shown.rules)
    for slide in shown.slides:
        yield slide.attrs
        yield from (item.attrs for item in slide.items)
    yield from (item.attrs for item in (*shown.ticker, *shown.slogans))


def _moments(shown: Shown, first: dt.datetime, last: dt.datetime) -> list[dt.datetime]:
    """Every minute in [first, last) from which what the page shows may differ."""
    found = {first + dt.timedelta(days=n) for n in range((last - first).days)}
    for attrs in _all_attrs(shown):
        d = dict(attrs)
        for key in ("data-from", "data-until"):
            if key in d:
                at = _local(d[key]).replace(second=0, microsecond=0)
                found.update((at, at + MINUTE))
        if "data-hours" in d:
            for minute in (int(n) for n in d["data-hours"].split("-")):
                found.update(first + dt.timedelta(days=n, minutes=minute) for n in range((last - first).days))
    return sorted(m for m in found if first <= m < last)


def _state(shown: Shown, minute: dt.datetime) -> tuple[bool, tuple[str, ...]]:
    moment = minute + SETTLED
    if not is_screen_on(shown.rules, moment):
        return False, ()
    titles = tuple(dict.fromkeys(s.title for s in shown.slides if is_slide_on(s, moment)))
    return True, titles or (FALLBACK,)


def _periods(shown: Shown, moments: list[dt.datetime], end: dt.datetime) -> tuple[Period, ...]:
    periods: list[Period] = []
    for start, stop in zip(moments, [*moments[1:], end]):
        on, slides = _state(shown, start)
        if periods and (periods[-1].on, periods[-1].slides) == (on, slides):
            periods[-1] = Period(periods[-1].start, stop, on, slides)
        else:
            periods.append(Period(start, stop, on, slides))
    return tuple(periods)


def label(value: Any) -> str:
    """How a dated thing on the screen is named in the schedule."""
    if isinstance(value, str):
        return value
    for wrapped in ("article", "letter"):  # a notice, an article, a letter on a slide of its own
        if getattr(value, wrapped, None) is not None:
            return label(getattr(value, wrapped))
    for name in ("title", "topic", "text", "who", "label"):
        text = getattr(value, name, None)
        if isinstance(text, str) and text:
            return text
    if hasattr(value, "date") and hasattr(value, "topic"):  # a study session without a topic
        return "集中学习"
    return str(value)


def _events(shown: Shown, first: dt.datetime, last: dt.datetime) -> tuple[Event, ...]:
    """Dated things that start or end showing in [first, last); one event for
    each thing and moment, however many places show it."""
    places: dict[tuple, list[str]] = {}
    dated = [(item, slide.title) for slide in shown.slides for item in slide.items]
    dated += [(item, "滚动字幕") for item in shown.ticker] + [(item, "空屏标语") for item in shown.slogans]
    # a slide of one item (a banner's) is named by it, so its dates read as one event
    dated += [(Item(slide.items[0].value if len(slide.items) == 1 else f"“{slide.title}”幻灯片", slide.attrs),
               slide.title) for slide in shown.slides]
    for item, place in dated:
        d = dict(item.attrs)
        for key, starts in (("data-from", True), ("data-until", False)):
            if key in d and first <= _local(d[key]) < last:
                where = places.setdefault((_local(d[key]), starts, label(item.value)), [])
                if place not in where:
                    where.append(place)
    return tuple(Event(moment, starts, text, tuple(where))
                 for (moment, starts, text), where in sorted(places.items(), key=lambda kv: kv[0][:2]))


_SUMMARY_RE = re.compile(r'<p class="schedule-summary">(.*?)</p>', re.S)


def summary_in(page: str) -> str | None:
    """The summary line of a rendered schedule page (templates/screen/schedule.html)."""
    match = _SUMMARY_RE.search(page)
    return html.unescape(match.group(1)).strip() if match else None
