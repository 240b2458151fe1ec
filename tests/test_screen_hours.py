"""The screen's hours: dark outside them, back by itself, and the week's
schedule (screen/schedule.html) saying what the running page shows.

A tiny board built for Wednesday 2026-11-25: the screen is on on working
days 07:00-18:00 and on Saturday 09:00-12:00; Friday 11-27 is a holiday and
Sunday 11-29 a make-up working day.  One notice expires at the end of
Thursday, one is published on Monday at 09:00, and two slides have windows
of their own.  The page runs in Debian's Chromium on Playwright's fake clock
(Asia/Shanghai), moved on with fast_forward and never reloaded.
"""

from __future__ import annotations

import datetime as dt

import pytest
from bs4 import BeautifulSoup

from branchboard.build.pipeline import Options, build
from conftest import MINIMAL_SITE, article

TZ = dt.timezone(dt.timedelta(hours=8))
HOURS = MINIMAL_SITE + """\
screen:
  reload_minutes: 100000
  on: [工作日 07:00-18:00, 周六 09:00-12:00]
  holidays: [2026-11-27 感恩节调休]
  workdays: [2026-11-29]
  slides:
    - {type: articles, section: news, seconds: 5}
    - {type: notices, seconds: 5, hours: 8-12}
    - {type: articles, section: notices, title: 通知公告, seconds: 5, weekdays: [周一, 周三]}
"""
FILES = {
    "site.yaml": HOURS,
    "content/news/a.md": article("支部召开主题党日活动", date="2026-11-20"),
    "content/notices/b.md": article("停电检修通知", date="2026-11-18", 置顶="true", 下架="2026-11-26"),
    "content/notices/c.md": article("组织生活会通知", date="2026-11-30", 置顶="true", 发布="2026-11-30 09:00"),
}
NOTICES_TITLE = "重要通知"


def moment(month: int, day: int, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, second, tzinfo=TZ)


def built(make_site, files=FILES):
    site = make_site(files)
    result = build(Options(site.root, now=dt.datetime(2026, 11, 25, 8, 0)))
    assert not result.report.has_errors(), result.report.problems
    return site


def schedule_of(site) -> BeautifulSoup:
    return site.page("screen/schedule.html")


def scheduled(soup: BeautifulSoup, when: dt.datetime) -> tuple[bool, set[str]]:
    """(on, slide titles) of the schedule's row that holds ``when``."""
    stamp = when.strftime("%Y-%m-%dT%H:%M")
    for row in soup.select(".schedule-periods tr[data-start]"):
        if row["data-start"] <= stamp < row["data-end"]:
            return row["data-on"] == "yes", {s.get_text() for s in row.select(".slide-name")}
    raise AssertionError(f"no row for {stamp}")


# -- in the browser ----------------------------------------------------------------------

@pytest.fixture
def open_screen(browser):
    """open_screen(url, time) -> a page on a fake clock paused at ``time``."""
    contexts = []

    def open_(url: str, time: dt.datetime):
        context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="zh-CN",
                                      timezone_id="Asia/Shanghai")
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda err: page.errors.append(str(err)))
        page.clock.install(time=time - dt.timedelta(seconds=1))
        page.clock.pause_at(time)
        page.goto(url)
        page.evaluate("window.sameLoad = true")  # gone if the page reloads
        return page

    yield open_
    for context in contexts:
        context.close()


def url_of(site) -> str:
    return (site.out / "screen/index.html").as_uri()


def go_to(page, when: dt.datetime) -> None:
    """Move the page's clock on to ``when``; the next tick sees it."""
    now = page.evaluate("Date.now()")
    page.clock.fast_forward(int(when.timestamp() * 1000) - now)
    page.clock.run_for(300)


def screen_state(page) -> dict:
    return page.evaluate("""() => {
      const cover = document.querySelector('.screen-off');
      const clock = cover && cover.querySelector('.off-clock');
      return {
        off: document.body.dataset.off || null,
        covered: !!cover && getComputedStyle(cover).display !== 'none'
                 && document.elementFromPoint(innerWidth / 2, innerHeight / 2) === cover,
        clock: clock && clock.getClientRects().length > 0 ? clock.textContent.trim() : null,
        deck: getComputedStyle(document.querySelector('.deck')).visibility,
        sameLoad: window.sameLoad === true,
      };
    }""")


def rotation(page) -> set[str]:
    """The titles of the slides the page rotates through now (→ steps over the others)."""
    read = """() => { const s = document.querySelector('.deck .slide.is-current');
        if (s.dataset.kind === 'fallback') return 'fallback';
        const t = s.querySelector('.slide-title').cloneNode(true);
        t.querySelector('.page-no').remove(); return t.textContent.trim(); }"""
    page.keyboard.press("Home")
    seen: list[str] = []
    for _ in range(12):
        title = page.evaluate(read)
        if title in seen:
            break
        seen.append(title)
        page.keyboard.press("ArrowRight")
    return set(seen)


def test_screen_goes_dark_at_18_with_a_small_clock(make_site, open_screen):
    page = open_screen(url_of(built(make_site)), moment(11, 25, 17, 59, 30))
    assert screen_state(page)["off"] is None
    assert not screen_state(page)["covered"]
    go_to(page, moment(11, 25, 18, 0, 5))
    state = screen_state(page)
    assert state == {"off": "clock", "covered": True, "clock": "18:00", "deck": "hidden", "sameLoad": True}
    assert page.evaluate("getComputedStyle(document.querySelector('.screen-off')).backgroundColor") == "rgb(0, 0, 0)"
    go_to(page, moment(11, 25, 18, 1, 5))  # the clock moves, so it does not burn in either
    assert screen_state(page)["clock"] == "18:01"
    assert page.errors == []


def test_screen_comes_on_at_7_on_a_working_day(make_site, open_screen):
    page = open_screen(url_of(built(make_site)), moment(11, 26, 6, 59, 30))
    assert screen_state(page)["off"] == "clock"
    go_to(page, moment(11, 26, 7, 0, 5))
    state = screen_state(page)
    assert (state["off"], state["covered"], state["deck"]) == (None, False, "visible")
    assert page.evaluate("document.querySelector('.deck .slide.is-current').dataset.kind") == "articles"
    assert page.errors == []


def test_screen_stays_off_on_a_listed_holiday(make_site, open_screen):
    page = open_screen(url_of(built(make_site)), moment(11, 27, 10, 0))
    assert screen_state(page)["off"] == "clock"
    go_to(page, moment(11, 27, 15, 0))
    assert screen_state(page)["covered"]


def test_screen_comes_back_by_itself_after_the_night_without_reloading(make_site, open_screen):
    page = open_screen(url_of(built(make_site)), moment(11, 25, 17, 0))
    go_to(page, moment(11, 25, 21, 0))
    assert screen_state(page)["off"] == "clock"
    go_to(page, moment(11, 26, 8, 30))  # two slides run then: 支部动态 and 重要通知
    state = screen_state(page)
    assert (state["off"], state["covered"], state["sameLoad"]) == (None, False, True)
    first = page.evaluate("document.querySelector('.deck .slide.is-current').dataset.kind")
    page.clock.run_for(5_300)  # the rotation runs again: 5 seconds a slide
    assert page.evaluate("document.querySelector('.deck .slide.is-current').dataset.kind") != first
    assert page.errors == []


@pytest.mark.parametrize("off_slide, expected", [("黑屏", {"off": "black", "covered": True, "clock": None}),
                                                 ("标语", {"off": "slogan", "covered": False, "clock": None})])
def test_off_slide_can_be_black_or_the_slogan(make_site, open_screen, off_slide, expected):
    files = {**FILES, "site.yaml": HOURS.replace("  slides:", f"  off_slide: {off_slide}\n  slides:")}
    page = open_screen(url_of(built(make_site, files)), moment(11, 25, 20, 0))
    state = screen_state(page)
    assert {key: state[key] for key in expected} == expected
    if off_slide == "标语":
        assert page.evaluate("document.querySelector('.deck .slide.is-current').dataset.kind") == "fallback"
        assert page.evaluate("getComputedStyle(document.querySelector('.ticker, .screen-header')).visibility") == "hidden"


SAMPLES = [moment(11, 25, 9, 30), moment(11, 25, 13, 0), moment(11, 25, 20, 0), moment(11, 26, 7, 10),
           moment(11, 27, 10, 0), moment(11, 28, 10, 30), moment(11, 28, 14, 0), moment(11, 29, 10, 0),
           moment(11, 30, 9, 15), moment(12, 1, 17, 59), moment(12, 1, 18, 0, 30)]


def test_schedule_page_agrees_with_the_running_page(make_site, open_screen):
    site = built(make_site)
    soup = schedule_of(site)
    page = open_screen(url_of(site), SAMPLES[0] - dt.timedelta(minutes=1))
    seen = []
    for when in SAMPLES:
        go_to(page, when)
        state = screen_state(page)
        on_page = state["off"] is None
        shown = rotation(page) if on_page else set()
        shown = {"支部名称、标语和时钟" if t == "fallback" else t for t in shown}
        assert scheduled(soup, when) == (on_page, shown), when
        assert state["sameLoad"]
        seen.append((on_page, frozenset(shown)))
    # the samples cover each kind of moment, so the agreement means something
    everything = {"支部动态", NOTICES_TITLE, "通知公告"}
    assert seen == [
        (True, everything),                        # Wednesday morning: the old notice still up
        (True, {"支部动态", "通知公告"}),           # the notices slide runs 8-12 only
        (False, set()),                            # the evening
        (True, {"支部动态"}),                       # Thursday before 8; 通知公告 runs Monday and Wednesday
        (False, set()),                            # the holiday
        (True, {"支部动态"}),                       # Saturday 9-12; the old notice has expired
        (False, set()),                            # Saturday afternoon
        (True, {"支部动态"}),                       # the make-up Sunday; the new notice not yet out
        (True, everything),                        # Monday after the new notice's 9:00
        (True, {"支部动态"}),                       # Tuesday 17:59
        (False, set()),                            # Tuesday 18:00
    ]
    assert page.errors == []


# -- the schedule page and check's line ----------------------------------------------------

def test_schedule_lists_each_day_its_hours_and_what_comes_and_goes(make_site):
    site = built(make_site)
    soup = schedule_of(site)
    days = [(s["data-date"], s.h2.get_text(" ", strip=True)) for s in soup.select(".schedule-day")]
    assert days == [
        ("2026-11-25", "11月25日 星期三 07:00–18:00 开"),
        ("2026-11-26", "11月26日 星期四 07:00–18:00 开"),
        ("2026-11-27", "11月27日 星期五 全天关（感恩节调休）"),
        ("2026-11-28", "11月28日 星期六 09:00–12:00 开"),
        ("2026-11-29", "11月29日 星期日 07:00–18:00 开"),
        ("2026-11-30", "11月30日 星期一 07:00–18:00 开"),
        ("2026-12-01", "12月1日 星期二 07:00–18:00 开"),
    ]
    events = [li.get_text() for li in soup.select(".schedule-events li")]
    assert events == ["当天显示到最后：停电检修通知（重要通知、通知公告）",
                      "09:00 起显示：组织生活会通知（重要通知、通知公告）"]
    links = [a["href"] for a in soup.select("a[href]")] + [l["href"] for l in soup.select("link[href]")]
    assert links and all(not h.startswith(("/", "http:", "https:", "file:")) for h in links), links


def test_check_prints_the_week_in_one_line(make_site):
    site = make_site(FILES)
    result = site.run("check", "--now", "2026-11-25")
    assert result.code == 0, result.text
    assert result.out.splitlines()[-1] == ("大屏：未来 7 天有 5 天 07:00–18:00 开，11月27日 全天关，"
                                           "11月28日 09:00–12:00 开；本周有 1 条内容到期、1 条内容上线")


def test_without_hours_the_screen_is_always_on(make_site):
    site = make_site({**FILES, "site.yaml": MINIMAL_SITE})
    result = site.run("check", "--now", "2026-11-25")
    assert result.out.splitlines()[-1].startswith("大屏：未来 7 天每天 全天开；"), result.text
    site.build()
    assert site.page("screen/index.html").select(".screen-off, .screen-hours") == []


def test_schedule_starts_again_on_the_next_day(make_site):
    site = make_site(FILES)
    site.run("build", "--now", "2026-11-25")
    assert schedule_of(site).select_one(".schedule-day")["data-date"] == "2026-11-25"
    result = site.run("build", "--now", "2026-11-26")
    assert result.code == 0, result.text
    assert schedule_of(site).select_one(".schedule-day")["data-date"] == "2026-11-26"


BAD_HOURS = MINIMAL_SITE + """\
screen:
  on:
    - 工作日 07:00-18:00
    - 周八 08:00-12:00
    - 每天 22:00-06:00
    - 周一至周五 7-25
    - 每天
  holidays: [2026-12-25, 2027-01-03 至 2027-01-01, 2026-13-01, 2026-10-01 08:00]
  workdays: [2026-12-25]
  off_slide: 黑色
"""


def test_hour_mistakes_are_reported_in_chinese_at_their_line(make_site):
    site = make_site({"site.yaml": BAD_HOURS})
    result = site.run("check", "--now", "2026-11-25")
    assert result.code == 1, result.text
    assert "Traceback" not in result.text
    errors = [line for line in result.err.splitlines() if "错误：" in line]
    assert errors == [
        "site.yaml:9:7: 错误：大屏设置（screen）的开屏时间“周八 08:00-12:00”里的“周八”不是星期",
        "site.yaml:10:7: 错误：大屏设置（screen）的开屏时间“每天 22:00-06:00”开始不早于结束",
        "site.yaml:11:7: 错误：大屏设置（screen）的开屏时间“周一至周五 7-25”超出了 0–24 点",
        "site.yaml:12:7: 错误：大屏设置（screen）的开屏时间“每天”没有看懂的时段",
        "site.yaml:13:26: 错误：大屏设置（screen）的节假日“2027-01-03 至 2027-01-01”结束早于开始",
        "site.yaml:13:51: 错误：大屏设置（screen）的节假日：“2026-13-01”这个日期不存在（月份 1–12，日期不能超过当月天数）",
        "site.yaml:13:63: 错误：大屏设置（screen）的节假日“2026-10-01 08:00”只写日期，不写时刻",
        "site.yaml:14:14: 错误：大屏设置（screen）的调休上班日期 2026-12-25 也列在节假日里",
        "site.yaml:15:14: 错误：大屏设置（screen）的 off_slide（关屏画面）“黑色”不存在",
    ]
