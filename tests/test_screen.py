"""The meeting-room screen as the build makes it: site.yaml's screen: block
checked with exact messages and lines, and the slides the page is given."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from branchboard.site.config import load_config
from branchboard.errors import Report
from branchboard.screen.settings import SLIDE_TYPES, read_screen_settings
from conftest import MINIMAL_SITE, article

NOW = dt.datetime(2026, 11, 25, 9, 0)


def screen_of(out: Path) -> BeautifulSoup:
    return BeautifulSoup((out / "screen/index.html").read_text(encoding="utf-8"), "html.parser")


def settings_of(make_site, screen_yaml: str):
    site = make_site({"site.yaml": MINIMAL_SITE + screen_yaml})
    report = Report()
    config = load_config(site.root, report)
    assert config is not None, report.problems
    return read_screen_settings(config, report, NOW), report


# -- site.yaml's screen: block ----------------------------------------------------------

BAD_SCREEN = """\
screen:
  seconds: -5
  reload_minuts: 10
  slides:
    - type: honor
    - type: articles
      secnds: 10
      section: nwes
    - type: study
      from: 2026-12-01
      until: 2026-11-01
    - type: mailbox
      weekdays: []
    - type: evaluation
      hours: 7-25
    - type: performance
      hours: 8-8
    - type: banner
      from: 2026-11-23
      until: 2026-11-24
      weekdays: [周五]
    - type: model_posts
      weekdays: [周八]
    - {seconds: 3}
"""


def test_every_screen_mistake_is_reported_with_its_line_in_one_run(make_site):
    site = make_site({"site.yaml": MINIMAL_SITE + BAD_SCREEN})
    result = site.run("check", "--now", "2026-11-25")
    assert result.code == 1, result.text
    assert "Traceback" not in result.text
    errors = [line for line in result.err.splitlines() if "错误：" in line]
    assert errors == [
        "site.yaml:7:12: 错误：大屏设置（screen）的 seconds（秒数）应当是大于 0 的数，这里是“-5”",
        "site.yaml:8:3: 错误：大屏设置（screen）里没有“reload_minuts”这一项",
        "site.yaml:10:13: 错误：第 1 张幻灯片的类型“honor”不存在",
        "site.yaml:12:7: 错误：第 2 张幻灯片（最新文章）里没有“secnds”这一项",
        "site.yaml:13:16: 错误：第 2 张幻灯片（最新文章）的栏目“nwes”不存在",
        "site.yaml:16:14: 错误：第 3 张幻灯片（学习培训）的结束日期 2026-11-01 早于开始日期 2026-12-01，永远不会显示",
        "site.yaml:18:17: 错误：第 4 张幻灯片（职工信箱）的 weekdays（星期）是空的，永远不会显示",
        "site.yaml:20:14: 错误：第 5 张幻灯片（半年考评）的时段“7-25”超出了 0–24 点",
        "site.yaml:22:14: 错误：第 6 张幻灯片（绩效考核）的时段“8-8”开始和结束相同，永远不会显示",
        "site.yaml:26:17: 错误：第 7 张幻灯片（条幅）的日期 2026-11-23 到 2026-11-24 之间没有所列的星期，永远不会显示",
        "site.yaml:28:18: 错误：第 8 张幻灯片（党员示范岗）的星期“周八”写得不对",
        "site.yaml:29:7: 错误：第 9 张幻灯片没有写 type（类型）",
    ]
    hints = result.err
    assert "提示：是不是想写“reload_minutes”？" in hints
    assert "提示：是不是想写“honors”？可用的类型：honors（光荣榜）" in hints
    assert "提示：是不是想写“seconds”？" in hints
    assert "提示：是不是想写“news”？" in hints
    assert "跨夜写 18-8" in hints


def test_a_bad_screen_block_leaves_the_last_good_screen(make_site):
    site = make_site({"content/news/a.md": article("一篇文章")})
    site.build()
    before = (site.out / "screen/index.html").read_bytes()
    site.write("site.yaml", MINIMAL_SITE + "screen:\n  slides:\n    - type: nothing\n")
    result = site.run("build", "--now", "2026-11-25")
    assert result.code == 1
    assert "site.yaml:8:13: 错误：第 1 张幻灯片的类型“nothing”不存在" in result.err
    assert (site.out / "screen/index.html").read_bytes() == before


@pytest.mark.parametrize("written, minutes", [
    ("7-19", (420, 1140)),
    ('"7:30-18:00"', (450, 1080)),
    ("[7, 19]", (420, 1140)),
    ("0-24", (0, 1440)),
    ("18-8", (1080, 480)),  # overnight: 18:00 up to 8:00 the next morning
    ("22:30～6", (1350, 360)),
])
def test_hours_are_read_as_minutes_of_the_day(make_site, written, minutes):
    settings, report = settings_of(make_site, f"screen:\n  slides:\n    - type: honors\n      hours: {written}\n")
    assert report.problems == []
    assert settings.slides[0].window.hours == minutes


def test_chinese_types_keys_and_weekdays_are_accepted(make_site):
    settings, report = settings_of(make_site, """\
大屏:
  秒数: 12
  幻灯片:
    - 光荣榜
    - 类型: 条幅
      星期: [周一, 星期五, 7]
      开始: 2026-11-01
      结束: 2026-11-30
""")
    assert report.problems == []
    first, second = settings.slides
    assert (first.type, first.seconds) == ("honors", 12)
    assert second.type == "banner"
    assert second.window.weekdays == (0, 4, 6)
    assert second.window.start == dt.datetime(2026, 11, 1)
    assert second.window.end == dt.datetime(2026, 11, 30, 23, 59, 59, 999000)  # until: the whole day


def test_no_screen_block_shows_every_slide_type(make_site):
    settings, report = settings_of(make_site, "")
    assert report.problems == []
    assert [s.type for s in settings.slides] == list(SLIDE_TYPES)
    assert {s.seconds for s in settings.slides} == {15}


def test_an_empty_slide_list_leaves_the_fallback_with_a_warning(make_site):
    settings, report = settings_of(make_site, "screen:\n  slides: []\n")
    assert settings.slides == ()
    assert [str(p).splitlines()[0] for p in report.problems] == [
        "site.yaml:7:11: 警告：大屏设置（screen）的 slides（幻灯片）是空的，大屏只显示支部名称、标语和时钟"]


def test_a_slide_that_has_ended_is_left_out_with_a_warning(make_site):
    site = make_site({
        "site.yaml": MINIMAL_SITE + "screen:\n  slides:\n    - type: articles\n      until: 2026-11-24\n"
                                    "    - type: notices\n",
        "content/notices/a.md": article("置顶通知", 置顶="true"),
    })
    result = site.build()
    assert "site.yaml:9:14: 警告：第 1 张幻灯片（最新文章）的结束日期 2026-11-24 已经过去，不会再显示" in result.err
    assert [s["data-kind"] for s in screen_of(site.out).select(".deck .slide")] == ["notices", "fallback"]


def test_screen_false_makes_no_screen_page(make_site):
    site = make_site({"site.yaml": MINIMAL_SITE + "screen: false\n", "content/news/a.md": article("文")})
    site.build()
    assert not (site.out / "screen").exists()
    assert "大屏播放" not in site.page("index.html").get_text()


# -- what the page is given ---------------------------------------------------------------

def test_example_board_has_every_slide_type(example):
    page = screen_of(example)
    kinds = [s["data-kind"] for s in page.select(".deck .slide")]
    assert set(kinds) == set(SLIDE_TYPES) | {"fallback"}
    assert kinds[-1] == "fallback"
    assert page.html["lang"] == "zh-CN"
    assert page.select_one("h1.brand").get_text() == "原煤洗选队党支部"
    honors = page.select_one(".slide-honors")
    assert honors["data-seconds"] == "20"
    assert len(honors.select(".item")) == 14  # every award of 2026年10月; the page splits them


def test_footer_links_to_the_screen_from_every_page(example):
    pages = [p for p in example.rglob("*.html") if "screen" not in p.parts and "print" not in p.parts]
    assert len(pages) > 20
    for path in pages:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        links = [a for a in soup.select(".site-footer a") if a.get_text() == "大屏播放"]
        assert links, path
        target = (path.parent / links[0]["href"]).resolve()
        assert target == (example / "screen/index.html").resolve()


def test_the_screen_needs_nothing_from_outside(example):
    page = screen_of(example)
    urls = [el.get("src") or el.get("href") for el in page.select("[src], [href]")]
    assert urls and all(not u.startswith(("http:", "https:", "//", "/")) for u in urls), urls
    assert [s["src"] for s in page.select("script[src]")] == ["../static/screen.js"]
    assert page.body["data-build-id"] == "../build-id.txt"
    for rel in ("static/screen.js", "static/screen.css", "build-id.txt"):
        assert (example / rel).is_file()
    script = (example / "static/screen.js").read_text(encoding="utf-8")
    assert ".json" not in script and "http" not in script


def test_dates_the_page_checks_are_written_on_slides_and_items(make_site):
    site = make_site({
        "site.yaml": MINIMAL_SITE + """\
screen:
  slides:
    - type: notices
      weekdays: [周五, 周六]
      hours: 18-8
    - type: banner
      from: 2026-11-20
      until: 2026-12-10
""",
        "content/notices/a.md": article("停电通知", 置顶="true", 下架="2026-11-25"),
        "data/banners.yaml": "- 内容: 安全第一　预防为主\n  尺寸: 600x70cm\n  样式: 红底黄字\n"
                             "  开始: 2026-11-01\n  结束: 2026-12-31\n",
    })
    site.build()
    page = screen_of(site.out)
    notices = page.select_one(".slide-notices")
    assert (notices["data-days"], notices["data-hours"]) == ("5 6", "1080-480")  # Sunday is 0 in the browser
    assert notices.select_one(".item")["data-until"] == "2026-11-25T23:59:59.999"
    banner = page.select_one(".slide-banner")  # the slide's window cut to the banner's dates
    assert (banner["data-from"], banner["data-until"]) == ("2026-11-20T00:00:00.000", "2026-12-10T23:59:59.999")
    assert [s.get_text() for s in banner.select(".slogan span")] == ["安全第一", "预防为主"]
    ticker = page.select(".ticker-copy")[0].select(".ticker-item")
    assert [t.get_text() for t in ticker] == ["安全第一　预防为主"]
    assert ticker[0]["data-from"] == "2026-11-01T00:00:00.000"


def test_slides_without_data_are_left_out(make_site):
    site = make_site({"content/news/a.md": article("只有一篇文章")})
    site.build()
    page = screen_of(site.out)
    assert [s["data-kind"] for s in page.select(".deck .slide")] == ["articles", "fallback"]
    assert page.select_one(".ticker") is None
    assert page.select_one(".fallback-branch").get_text() == "测试党支部"


def test_performance_bars_share_one_scale(example):
    bars = screen_of(example).select(".slide-performance .item")
    assert [b.select_one(".bar-label").get_text() for b in bars][:2] == ["丙班", "丁班"]
    assert bars[0].select_one(".bar-fill")["style"] == "width: 100.0%"  # 200.5 of 200.5 (over full marks)
    assert bars[0].select_one(".rank").get_text() == bars[1].select_one(".rank").get_text() == "1"
