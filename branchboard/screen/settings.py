"""site.yaml's ``screen:`` block, checked: which slides the meeting-room screen
shows, in which order, for how long and when.

    screen:
      seconds: 15                 default seconds per slide
      reload_minutes: 10          opened as a file, reload this often
      slogan: 不忘初心 牢记使命     fallback slogan when no banner hangs
      slides:
        - honors                  a type alone is enough
        - type: articles
          section: news           one section id or a list of them
          count: 4                how many items in all (they may span slides)
          seconds: 20
          from: 2026-11-01        dates; until is inclusive
          until: 2026-11-30
          weekdays: [周一, 周五]
          hours: 7-19             7:00 up to 19:00; 18-8 runs overnight
      on: 工作日 07:00-18:00       when the screen is on at all (hours.py): also
      holidays: [2026-12-25]      holidays, workdays (调休上班) and off_slide

The weekday and the hours are checked separately against the present moment,
so ``weekdays: [周五]`` with ``hours: 18-8`` shows on Friday evening and on
Friday before 8:00.  A window that can never be true (from after until, an
empty weekday list, hours that start where they end or leave 0-24, weekdays
that fall on no day between from and until) is an error, as are unknown slide
types, unknown keys and durations that are not positive: every one reported
with its line, all in one run.

Unlike the rest of site.yaml, this block is checked here rather than declared
in the schema format (``branchboard.site.schema``): a slide's options depend
on its type, its seconds default to the block's, a window may run overnight,
and each message names the slide (第 2 张幻灯片（最新文章）) and points at the
value where the schema steps name the key.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from branchboard.site.config import CONFIG_FILE, SiteConfig
from branchboard.errors import Report, did_you_mean
from branchboard.site.yamlio import parse_datetime
from branchboard.screen.hours import ScreenHours, read_hours

DEFAULT_SECONDS = 15
DEFAULT_RELOAD_MINUTES = 10
DAY_MINUTES = 24 * 60

# type: (Chinese name, the options it takes beyond the common ones)
SLIDE_TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "honors": ("光荣榜", ()),
    "model_posts": ("党员示范岗", ()),
    "performance": ("绩效考核", ()),
    "study": ("学习培训", ("count",)),
    "banner": ("条幅", ("count",)),
    "notices": ("重要通知", ("count", "section")),
    "articles": ("最新文章", ("count", "section")),
    "mailbox": ("职工信箱", ("count",)),
    "evaluation": ("半年考评", ()),
}
COMMON_OPTIONS = ("type", "seconds", "title", "from", "until", "weekdays", "hours")
SCREEN_OPTIONS = ("seconds", "reload_minutes", "slogan", "slides", "on", "holidays", "workdays", "off_slide")
KEY_ALIASES = {"类型": "type", "秒数": "seconds", "标题": "title", "开始": "from", "结束": "until",
               "星期": "weekdays", "时段": "hours", "条数": "count", "栏目": "section",
               "刷新分钟": "reload_minutes", "标语": "slogan", "幻灯片": "slides",
               "True": "on",  # YAML reads the key `on:` as true
               "开屏时间": "on", "节假日": "holidays", "调休上班": "workdays", "关屏画面": "off_slide"}
WEEKDAY_NAMES = {f"{prefix}{day}": n for prefix in ("周", "星期") for n, day in enumerate("一二三四五六日")}
WEEKDAY_NAMES.update({"周天": 6, "星期天": 6})
_HOURS_RE = re.compile(r"^\s*(\d{1,2})(?:[:：](\d{2}))?\s*(?:-|–|—|~|～|至|到)\s*(\d{1,2})(?:[:：](\d{2}))?\s*$")
_TYPE_LIST = "、".join(f"{key}（{name}）" for key, (name, _) in SLIDE_TYPES.items())


@dataclass(frozen=True)
class Window:
    """When a slide may show; every part is optional."""

    start: dt.datetime | None = None
    end: dt.datetime | None = None  # inclusive
    weekdays: tuple[int, ...] = ()  # 0 = Monday; empty: every day
    hours: tuple[int, int] | None = None  # minutes of the day, [start, end); start > end: overnight


@dataclass(frozen=True)
class SlideSpec:
    """One slide as site.yaml's screen: block asks for it."""

    type: str
    seconds: float
    window: Window = Window()
    title: str = ""  # "" for the type's own heading
    count: int | None = None
    sections: tuple[str, ...] = ()  # empty: every section


@dataclass(frozen=True)
class ScreenSettings:
    """site.yaml's screen: block, checked."""

    enabled: bool = True
    seconds: float = DEFAULT_SECONDS
    reload_minutes: float = DEFAULT_RELOAD_MINUTES
    slogan: str = ""
    slides: tuple[SlideSpec, ...] = ()
    hours: ScreenHours = ScreenHours()  # when the screen is on at all


def default_slides(seconds: float) -> tuple[SlideSpec, ...]:
    return tuple(SlideSpec(kind, seconds) for kind in SLIDE_TYPES)


class _Checker:
    """Reports problems at the line of a node below ``screen:``; ``where`` starts each message."""

    def __init__(self, config: SiteConfig, report: Report, where: str = "大屏设置（screen）"):
        self.config = config
        self.report = report
        self.where = where
        self.root = next((key for key in ("screen", "大屏") if (key,) in config.positions.values), "screen")

    def for_slide(self, number: int) -> _Checker:
        return _Checker(self.config, self.report, f"第 {number} 张幻灯片")

    def errors(self) -> int:
        return len(self.report.errors)

    def error(self, path: tuple, message: str, hint: str = "", key: bool = False) -> None:
        at = (self.root, *path)
        line, col = self.config.positions.of_key(at) if key else self.config.positions.of(at)
        self.report.error(CONFIG_FILE, line, col, f"{self.where}{message}", hint)

    def warning(self, path: tuple, message: str, hint: str = "") -> None:
        line, col = self.config.positions.of((self.root, *path))
        self.report.warning(CONFIG_FILE, line, col, f"{self.where}{message}", hint)

    def mapping(self, value: dict, path: tuple, allowed: tuple[str, ...]) -> dict[str, tuple]:
        """{canonical key: (value, written path)}; unknown keys are reported."""
        found = {}
        for written, item in value.items():
            key = KEY_ALIASES.get(written, written)
            if key not in allowed:
                self.error(path + (written,), f"里没有“{written}”这一项",
                           did_you_mean(written, list(allowed)) or f"可以写的项：{'、'.join(allowed)}。",
                           key=True)
                continue
            found[key] = (item, path + (written,))
        return found

    def positive(self, value, path: tuple, name: str, example: str) -> float | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            self.error(path, f"的 {name}应当是大于 0 的数，这里是“{value}”", f"例如 {example}")
            return None
        return value

    def count(self, value, path: tuple) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.error(path, f"的 count（条数）应当是大于 0 的整数，这里是“{value}”", "例如 count: 4")
            return None
        return value


def read_screen_settings(config: SiteConfig, report: Report,
                         now: dt.datetime | None = None) -> ScreenSettings | None:
    """The checked ``screen:`` block; None when it holds errors (they are in ``report``)."""
    raw = config.screen
    if raw is False:
        return ScreenSettings(enabled=False)
    if raw is None:
        return ScreenSettings(slides=default_slides(DEFAULT_SECONDS))
    check = _Checker(config, report)
    if not isinstance(raw, dict):
        check.error((), "应当由“键: 值”组成，例如 seconds: 15 和 slides: 列表",
                    "不需要大屏时写 screen: false。")
        return None
    before = check.errors()
    found = check.mapping(raw, (), SCREEN_OPTIONS)
    seconds = DEFAULT_SECONDS
    if "seconds" in found:
        seconds = check.positive(*found["seconds"], "seconds（秒数）", "seconds: 15") or DEFAULT_SECONDS
    reload_minutes = DEFAULT_RELOAD_MINUTES
    if "reload_minutes" in found:
        reload_minutes = check.positive(*found["reload_minutes"], "reload_minutes（刷新分钟）",
                                        "reload_minutes: 10") or DEFAULT_RELOAD_MINUTES
    slogan = found.get("slogan", ("", ()))[0]
    if isinstance(slogan, (dict, list)):
        check.error(found["slogan"][1], "的 slogan（标语）应当是一段文字", "例如 slogan: 不忘初心 牢记使命")
        slogan = ""
    slides = default_slides(seconds)
    if "slides" in found:
        slides = _slides(check, *found["slides"], seconds, now)
    hours = read_hours(check, found)
    if check.errors() > before:
        return None
    return ScreenSettings(True, seconds, reload_minutes, str(slogan or ""), slides, hours)


def _slides(check: _Checker, value, path: tuple, seconds: float,
            now: dt.datetime | None) -> tuple[SlideSpec, ...]:
    if not isinstance(value, list):
        check.error(path, "的 slides（幻灯片）应当是列表，每一项以“- type:”开头",
                    "例如：slides: [honors, performance, articles]")
        return ()
    if not value:
        check.warning(path, "的 slides（幻灯片）是空的，大屏只显示支部名称、标语和时钟",
                      "要播放全部内容，删掉 slides 这一项即可。")
    specs = (_slide(check.for_slide(i + 1), item, path + (i,), seconds, now) for i, item in enumerate(value))
    return tuple(spec for spec in specs if spec is not None)


def _slide(check: _Checker, item, path: tuple, seconds: float,
           now: dt.datetime | None) -> SlideSpec | None:
    if isinstance(item, str):
        item = {"type": item}
    if not isinstance(item, dict):
        check.error(path, "应当写成“- type: 类型”", f"可用的类型：{_TYPE_LIST}。")
        return None
    written_type = next((w for w in item if KEY_ALIASES.get(w, w) == "type"), None)
    if written_type is None:
        check.error(path, "没有写 type（类型）", f"可用的类型：{_TYPE_LIST}。")
        return None
    kind = _slide_type(item[written_type])
    if kind is None:
        names = [*SLIDE_TYPES, *(name for name, _ in SLIDE_TYPES.values())]
        check.error(path + (written_type,), f"的类型“{item[written_type]}”不存在",
                    did_you_mean(item[written_type], names) + f"可用的类型：{_TYPE_LIST}。")
        return None
    check.where += f"（{SLIDE_TYPES[kind][0]}）"
    found = check.mapping(item, path, COMMON_OPTIONS + SLIDE_TYPES[kind][1])
    if "seconds" in found:
        seconds = check.positive(*found["seconds"], "seconds（秒数）", "seconds: 15") or seconds
    count = check.count(*found["count"]) if "count" in found else None
    sections = _sections(check, *found["section"]) if "section" in found else ()
    title = found.get("title", ("", ()))[0]
    return SlideSpec(kind, seconds, _window(check, found, now), str(title or ""), count, sections)


def _slide_type(value) -> str | None:
    text = str(value).strip()
    if text in SLIDE_TYPES:
        return text
    return next((key for key, (name, _) in SLIDE_TYPES.items() if name == text), None)


def _sections(check: _Checker, value, path: tuple) -> tuple[str, ...]:
    names = value if isinstance(value, list) else [value]
    known = [s.id for s in check.config.sections]
    for i, name in enumerate(names):
        if str(name) not in known:
            check.error(path + (i,) if isinstance(value, list) else path, f"的栏目“{name}”不存在",
                        did_you_mean(str(name), known) or f"写 site.yaml 的 sections 里的 id：{'、'.join(known)}。")
    return tuple(str(n) for n in names)


def _window(check: _Checker, found: dict, now: dt.datetime | None) -> Window:
    before = check.errors()
    start = _date(check, *found["from"], end=False) if "from" in found else None
    end = _date(check, *found["until"], end=True) if "until" in found else None
    weekdays = _weekdays(check, *found["weekdays"]) if "weekdays" in found else ()
    hours = _hours(check, *found["hours"]) if "hours" in found else None
    if start and end and start > end:
        check.error(found["until"][1], f"的结束日期 {found['until'][0]} 早于开始日期 {found['from'][0]}，"
                    "永远不会显示", "检查 from 和 until 是不是写反了。")
    elif start and end and weekdays and (end - start).days < 7:
        span = range((end.date() - start.date()).days + 1)
        if not {(start.date() + dt.timedelta(days=n)).weekday() for n in span} & set(weekdays):
            check.error(found["weekdays"][1], f"的日期 {found['from'][0]} 到 {found['until'][0]} "
                        "之间没有所列的星期，永远不会显示", "改一下日期或星期。")
    if end and now and end < now and check.errors() == before:
        check.warning(found["until"][1], f"的结束日期 {found['until'][0]} 已经过去，不会再显示",
                      "不再需要时可以把这一项删掉。")
    return Window(start, end, weekdays, hours)


def _date(check: _Checker, value, path: tuple, end: bool) -> dt.datetime | None:
    try:
        when, has_time = parse_datetime(value)
    except ValueError as exc:
        check.error(path, f"的 {path[-1]}：{exc}")
        return None
    if end and not has_time:  # until a date: the whole day
        when += dt.timedelta(days=1, microseconds=-1000)
    return when


def _weekdays(check: _Checker, value, path: tuple) -> tuple[int, ...]:
    names = value if isinstance(value, list) else [value] if value not in (None, "") else []
    if not names:
        check.error(path, "的 weekdays（星期）是空的，永远不会显示",
                    "不限星期就删掉这一行；否则写成 weekdays: [周一, 周三, 周五]")
        return ()
    days = []
    for i, name in enumerate(names):
        day = WEEKDAY_NAMES.get(str(name).strip())
        if day is None and isinstance(name, int) and not isinstance(name, bool) and 1 <= name <= 7:
            day = name - 1
        if day is None:
            check.error(path + (i,) if isinstance(value, list) else path, f"的星期“{name}”写得不对",
                        "写 周一 到 周日（或 1 到 7，1 是周一）。")
            continue
        days.append(day)
    return tuple(sorted(set(days)))


def _hours(check: _Checker, value: Any, path: tuple) -> tuple[int, int] | None:
    hint = "写成 hours: 7-19（7 点到 19 点）或 hours: \"7:30-18:00\"；跨夜写 18-8。"
    if isinstance(value, list) and len(value) == 2:
        value = f"{value[0]}-{value[1]}"
    match = _HOURS_RE.match(str(value)) if isinstance(value, str) else None
    if not match:
        check.error(path, f"的时段“{value}”看不懂", hint)
        return None
    h1, m1, h2, m2 = (int(g) if g else 0 for g in match.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if any(m > 59 for m in (m1, m2)) or max(start, end) > DAY_MINUTES:
        check.error(path, f"的时段“{value}”超出了 0–24 点", hint)
        return None
    start %= DAY_MINUTES  # starting at 24:00 is starting at 0:00; ending at 24:00 is the day's end
    if start == end % DAY_MINUTES and (start, end) != (0, DAY_MINUTES):
        check.error(path, f"的时段“{value}”开始和结束相同，永远不会显示", "全天显示就删掉这一行。")
        return None
    return start, end
