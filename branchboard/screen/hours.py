"""When the meeting-room screen is on: site.yaml's ``screen:`` keys ``on``,
``holidays``, ``workdays`` and ``off_slide``, checked.

    screen:
      on: 工作日 07:00-18:00          or a list: [周一至周五 07:30-12:00, 周一至周五 13:30-17:30]
      holidays: [2026-12-25, 2027-01-01 至 2027-01-03 元旦]
      workdays: [2027-01-09]          调休上班: “工作日”的时段这天也开
      off_slide: 时钟                 关屏时显示：时钟（默认）、黑屏 或 标语

Without ``on`` the screen is always on (holidays still turn it off).  A rule
is days and a time of day; the time may not run overnight (two rules do).
``工作日`` is Monday to Friday plus the listed make-up working days; a
holiday turns the screen off all day whatever the rules say.

The rules become windows (:class:`settings.Window`) that the page checks
with the same code as a slide's window; ``schedule.is_screen_on`` and
``screen.js`` combine them the same way: on when some on-window holds (or
there are none) and no off-window does.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from branchboard.errors import did_you_mean
from branchboard.site.yamlio import parse_datetime

DAY_MINUTES = 24 * 60
WEEKDAY_CHARS = "一二三四五六日"
OFF_SLIDES = {"clock": "时钟", "black": "黑屏", "slogan": "标语"}
DAY_WORDS = {"每天": tuple(range(7)), "每日": tuple(range(7)), "全周": tuple(range(7)),
             "工作日": (0, 1, 2, 3, 4), "周末": (5, 6)}
_DAY_RE = re.compile(r"^(?:周|星期)([一二三四五六日天])$")
_SPAN_RE = re.compile(r"^(.+?)\s*(?:至|到|~|～|-|—|–)\s*(.+)$")
_TIME_RE = re.compile(r"^(\d{1,2})(?:[:：](\d{2}))?\s*(?:-|–|—|~|～|至|到)\s*(\d{1,2})(?:[:：](\d{2}))?$")
_HOLIDAY_RE = re.compile(r"^(\S+?)(?:\s*(?:至|到|~|～)\s*(\S+?))?(?:\s+(\S.*))?$")
ON_HINT = "写成 on: 工作日 07:00-18:00，或 每天 07:00-22:00、周一至周六 07:30-17:30；几段时间写成列表。"


@dataclass(frozen=True)
class OnRule:
    """One of ``on``'s lines: these days, from start to end (minutes of the day)."""

    text: str
    weekdays: tuple[int, ...]  # 0 = Monday
    start: int
    end: int
    workdays: bool = False  # 工作日: the make-up working days too


@dataclass(frozen=True)
class Holiday:
    first: dt.date
    last: dt.date  # inclusive
    name: str = ""


@dataclass(frozen=True)
class ScreenHours:
    """When the screen is on; the default is always."""

    rules: tuple[OnRule, ...] = ()  # empty: on around the clock
    holidays: tuple[Holiday, ...] = ()
    workdays: tuple[dt.date, ...] = ()  # make-up working days (调休上班)
    off_slide: str = "clock"

    @property
    def is_always_on(self) -> bool:
        return not self.rules and not self.holidays


def read_hours(check, found: dict) -> ScreenHours:
    """The checked hours from the ``screen:`` block's keys (``found``: key -> (value, path))."""
    rules = _rules(check, *found["on"]) if "on" in found else ()
    holidays = _holidays(check, *found["holidays"]) if "holidays" in found else ()
    workdays = _workdays(check, *found["workdays"], holidays) if "workdays" in found else ()
    if workdays and not any(rule.workdays for rule in rules):
        check.warning(found["workdays"][1], "的 workdays（调休上班）只对“工作日”的开屏时间起作用，"
                      "这里 on 没有写“工作日”", "例如 on: 工作日 07:00-18:00")
    off_slide = _off_slide(check, *found["off_slide"]) if "off_slide" in found else "clock"
    return ScreenHours(rules, holidays, workdays, off_slide)


def _listed(value) -> list:
    return value if isinstance(value, list) else [value]


def _item_path(value, path: tuple, i: int) -> tuple:
    return path + (i,) if isinstance(value, list) else path


def _rules(check, value, path: tuple) -> tuple[OnRule, ...]:
    if value in (None, "", []):
        check.error(path, "的 on（开屏时间）是空的，大屏永远不会开", "一直开着就删掉这一行；" + ON_HINT)
        return ()
    rules = []
    for i, text in enumerate(_listed(value)):
        rule = _rule(check, text, _item_path(value, path, i))
        if rule is not None:
            rules.append(rule)
    return tuple(rules)


def _rule(check, text, path: tuple) -> OnRule | None:
    if not isinstance(text, str):
        check.error(path, f"的开屏时间“{text}”看不懂", ON_HINT)
        return None
    text = text.strip()
    split = re.search(r"\d", text)
    days_text, time_text = (text[:split.start()].strip(), text[split.start():].strip()) if split else (text, "")
    days = _days(days_text) if days_text else tuple(range(7))
    if days is None:
        check.error(path, f"的开屏时间“{text}”里的“{days_text}”不是星期",
                    "写 每天、工作日、周末、周一至周五 或 周一、周三、周五。")
        return None
    match = _TIME_RE.match(time_text)
    if not match:
        check.error(path, f"的开屏时间“{text}”没有看懂的时段", ON_HINT)
        return None
    h1, m1, h2, m2 = (int(g) if g else 0 for g in match.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if max(m1, m2) > 59 or max(start, end) > DAY_MINUTES:
        check.error(path, f"的开屏时间“{text}”超出了 0–24 点", ON_HINT)
        return None
    if start >= end:
        check.error(path, f"的开屏时间“{text}”开始不早于结束",
                    "跨夜请分成两段，例如 [每天 00:00-06:00, 每天 22:00-24:00]。")
        return None
    return OnRule(text, days, start, end, workdays=days_text == "工作日")


def _days(text: str) -> tuple[int, ...] | None:
    """Weekdays (0 = Monday) named by text, or None when a part is not a day."""
    if text in DAY_WORDS:
        return DAY_WORDS[text]
    days: set[int] = set()
    for part in re.split(r"\s*[、,，/]\s*", text):
        span = _SPAN_RE.match(part)
        first, last = (_day(span.group(1)), _day(span.group(2))) if span else (_day(part), _day(part))
        if first is None or last is None:
            return None
        days.update((first + n) % 7 for n in range((last - first) % 7 + 1))
    return tuple(sorted(days))


def _day(text: str) -> int | None:
    match = _DAY_RE.match(text.strip())
    return None if match is None else WEEKDAY_CHARS.index(match.group(1).replace("天", "日"))


def _date(check, value, path: tuple, what: str) -> dt.date | None:
    try:
        when, has_time = parse_datetime(value)
    except ValueError as exc:
        check.error(path, f"的{what}：{exc}")
        return None
    if has_time:
        check.error(path, f"的{what}“{value}”只写日期，不写时刻", "节假日整天关屏，调休上班整天按工作日。")
        return None
    return when.date()


def _holidays(check, value, path: tuple) -> tuple[Holiday, ...]:
    holidays = []
    for i, item in enumerate(_listed(value) if value not in (None, "") else []):
        at = _item_path(value, path, i)
        match = _HOLIDAY_RE.match(str(item).strip())
        if not match:
            check.error(at, f"的节假日“{item}”看不懂", "写成 2026-12-25 或 2027-01-01 至 2027-01-03 元旦。")
            continue
        first_text, last_text, name = match.groups()
        if name and re.match(r"\d{1,2}[:：]\d{2}", name):
            check.error(at, f"的节假日“{item}”只写日期，不写时刻", "节假日整天关屏。")
            continue
        first = _date(check, first_text, at, "节假日")
        last = _date(check, last_text, at, "节假日") if last_text else first
        if first is None or last is None:
            continue
        if last < first:
            check.error(at, f"的节假日“{item}”结束早于开始", "检查两个日期是不是写反了。")
            continue
        holidays.append(Holiday(first, last, name or ""))
    return tuple(sorted(holidays, key=lambda h: h.first))


def _workdays(check, value, path: tuple, holidays: tuple[Holiday, ...]) -> tuple[dt.date, ...]:
    days = []
    for i, item in enumerate(_listed(value) if value not in (None, "") else []):
        at = _item_path(value, path, i)
        day = _date(check, item, at, "调休上班日期")
        if day is None:
            continue
        if any(h.first <= day <= h.last for h in holidays):
            check.error(at, f"的调休上班日期 {item} 也列在节假日里", "一天只能是其中一种。")
            continue
        if day.weekday() < 5:
            check.warning(at, f"的调休上班日期 {item} 本来就是工作日", "调休上班写周六或周日的日期。")
        days.append(day)
    return tuple(sorted(set(days)))


def _off_slide(check, value, path: tuple) -> str:
    text = str(value).strip()
    for key, name in OFF_SLIDES.items():
        if text in (key, name):
            return key
    choices = "、".join(f"{name}（{key}）" for key, name in OFF_SLIDES.items())
    check.error(path, f"的 off_slide（关屏画面）“{value}”不存在",
                did_you_mean(text, [*OFF_SLIDES, *OFF_SLIDES.values()]) + f"可以写：{choices}。")
    return "clock"
