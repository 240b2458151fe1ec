"""The meeting-room screen in Debian's Chromium, as the room sees it.

The example board is built once for the module; tiny sites cover the edge
cases.  Time is Playwright's fake clock (one context per test, Asia/Shanghai),
so a slide's seconds, a notice's expiry at midnight and the 30-second check
for a new build run in milliseconds.  Screenshots of every slide at 1920x1080
land in test-output/screen/ for people to look at.  Every slide is also
checked in a browser that cannot see the Noto fonts, as a machine with other
Chinese fonts would show it.
"""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import shutil
import threading
from pathlib import Path

import pytest

from branchboard.build.pipeline import Options, build
from conftest import FALLBACK_CJK_FONT, MINIMAL_SITE, TEST_OUTPUT, article
from tools.screen_page import FIT_CHECK, SLIDE_TYPES, TZ, screen_url, showing

SIZES = {"1920x1080": (1920, 1080), "3840x2160": (3840, 2160), "portrait 1080x1920": (1080, 1920)}
SITE = MINIMAL_SITE
THREE_SLIDES = SITE + """\
screen:
  reload_minutes: 600
  slogan: 不忘初心　牢记使命
  slides:
    - {type: articles, section: news, seconds: 5}
    - {type: notices, seconds: 7}
    - {type: articles, section: notices, title: 通知公告, seconds: 5}
"""
THREE_ARTICLES = {
    "site.yaml": THREE_SLIDES,
    "content/news/a.md": article("支部召开主题党日活动", date="2026-11-20", 摘要="重温入党誓词。"),
    "content/notices/b.md": article("停电检修通知", date="2026-11-18", 置顶="true", 下架="2026-11-25"),
    "content/notices/c.md": article("组织生活会通知", date="2026-11-24", 置顶="true"),
}

# Everything the room must be able to read, checked on the slide that is showing:
# nothing scrolls, nothing leaves the screen or its box, no text is clipped,
# no text is smaller than 3.5% of the short side, headlines about 6%.
CURRENT_INDEX = ("[...document.querySelectorAll('.deck .slide')]"
                 ".indexOf(document.querySelector('.deck .slide.is-current'))")


def current_index(page) -> int:
    return page.evaluate(CURRENT_INDEX)


def every_slide(page):
    """Step through the rotation with the → key, yielding (number, name) of each slide once."""
    seen = set()
    page.keyboard.press("Home")
    while current_index(page) not in seen:
        seen.add(current_index(page))
        yield len(seen), showing(page)
        page.keyboard.press("ArrowRight")


def built(make_site, files: dict):
    """A tiny site, built in this process (a subprocess would cost a second each)."""
    site = make_site(files)
    result = build(Options(site.root, now=dt.datetime(2026, 11, 25)))
    assert not result.report.has_errors(), result.report.problems
    return site


# -- the example board ----------------------------------------------------------------------

def test_every_slide_type_shows_and_is_photographed(example, open_screen):
    page = open_screen(screen_url(example))
    folder = TEST_OUTPUT / "screen"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    names = []
    for number, name in every_slide(page):
        names.append(name)
        page.screenshot(path=str(folder / f"{number:02d}-{name.replace('（', '-').replace('/', 'of').rstrip('）')}.png"),
                        animations="disabled")
    assert {name.split("（")[0] for name in names} == SLIDE_TYPES
    assert names[0] == "honors（1/4）"
    assert page.errors == []


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_every_slide_fits_and_reads_from_the_back_of_the_room(example, open_screen, size):
    page = open_screen(screen_url(example), size=size)
    checked = {}
    for _number, name in every_slide(page):
        result = page.evaluate(FIT_CHECK)
        assert result["problems"] == [], f"{name} at {size}: {result['problems']}"
        assert result["texts"] > 3
        checked[name] = round(result["headline"], 2)
    assert {name.split("（")[0] for name in checked} == SLIDE_TYPES
    assert all(abs(h - 6) < 0.01 for n, h in checked.items() if not n.startswith("banner")), checked
    page.evaluate("document.querySelectorAll('.deck .slide').forEach(s => s.dataset.until = '2026-01-01T00:00')")
    page.clock.run_for(1000)  # no slide is current any more: the fallback
    assert showing(page) == "fallback"
    assert page.evaluate(FIT_CHECK)["problems"] == []


PHRASE_LINES = """() => [...document.querySelectorAll('.deck .slide.is-current .slogan span')].map(span => {
  const range = document.createRange();
  range.selectNodeContents(span);
  return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
})"""


def platform_fonts(page):
    """fonts(selector) -> the families Chromium really drew the element's text with."""
    client = page.context.new_cdp_session(page)
    client.send("DOM.enable")
    client.send("CSS.enable")

    def fonts(selector: str) -> list[str]:
        root = client.send("DOM.getDocument")["root"]["nodeId"]
        node = client.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        assert node, selector
        return [f["familyName"] for f in client.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]]

    return fonts


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_every_slide_fits_with_other_chinese_fonts_than_noto(example, browser_without_noto, open_screen, size):
    context = browser_without_noto.new_context(viewport={"width": size[0], "height": size[1]},
                                               locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        page = open_screen(screen_url(example), context=context)
        fonts = platform_fonts(page)
        checked = set()
        for _number, name in every_slide(page):
            result = page.evaluate(FIT_CHECK)
            assert result["problems"] == [], f"{name} at {size} in {FALLBACK_CJK_FONT}: {result['problems']}"
            texts = [".deck .slide.is-current .slide-title"]
            if name.startswith("banner"):
                texts.append(".deck .slide.is-current .slogan span")
                assert set(page.evaluate(PHRASE_LINES)) == {1}, f"{name}: a phrase is broken in two"
            for selector in texts:
                drawn = fonts(selector)
                assert FALLBACK_CJK_FONT in drawn and not any("Noto" in f for f in drawn), (name, drawn)
            checked.add(name.split("（")[0])
        assert checked == SLIDE_TYPES
        for selector in (".screen-header .brand", ".screen-header .date", ".ticker-item"):
            assert FALLBACK_CJK_FONT in fonts(selector), (selector, fonts(selector))
        page.evaluate("document.querySelectorAll('.deck .slide').forEach(s => s.dataset.until = '2026-01-01T00:00')")
        page.clock.run_for(1000)
        assert showing(page) == "fallback"
        assert page.evaluate(FIT_CHECK)["problems"] == []
        assert FALLBACK_CJK_FONT in fonts(".slide-fallback .fallback-slogan:not([hidden]) .slogan span")
        assert page.errors == []
    finally:
        context.close()


def test_a_slogan_takes_the_room_it_has_when_the_screen_turns(example, open_screen):
    page = open_screen(screen_url(example))
    while "四防" not in page.evaluate("document.querySelector('.deck .slide.is-current .slogan')?.textContent || ''"):
        page.keyboard.press("ArrowRight")
    slogan_size = ("() => parseFloat(getComputedStyle(document.querySelector('.deck .slide.is-current .slogan'))"
                   ".fontSize) / Math.min(innerWidth, innerHeight) * 100")
    assert page.evaluate(slogan_size) == pytest.approx(11, abs=0.01)  # the largest size, as wide as it is
    page.evaluate("window.resizes = 0; addEventListener('resize', () => window.resizes++)")

    def turn(width, height, turns):
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_function(f"window.resizes === {turns}")
        page.clock.run_for(300)  # the next tick lays the page out again

    turn(1080, 1920, 1)
    assert 3.5 <= page.evaluate(slogan_size) < 11
    assert page.evaluate(PHRASE_LINES) == [1, 1]  # smaller, not broken
    assert page.evaluate(FIT_CHECK)["problems"] == []
    turn(1920, 1080, 2)
    assert page.evaluate(slogan_size) == pytest.approx(11, abs=0.01)
    assert page.errors == []


def test_laying_the_page_out_again_keeps_the_slide_on_screen(example, open_screen):
    page = open_screen(screen_url(example))
    page.keyboard.press("ArrowRight")
    assert showing(page) == "honors（2/4）"
    page.evaluate("dispatchEvent(new Event('resize'))")
    page.clock.run_for(300)  # the next tick lays the page out again (and the fonts are ready)
    assert showing(page) == "honors（2/4）"
    assert page.errors == []


def test_runs_from_a_file_with_the_network_blocked(example, browser, open_screen):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    requests = []
    context.on("request", lambda request: requests.append(request.url))
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                  else route.abort())
    try:
        page = open_screen(screen_url(example), context=context)
        page.clock.run_for(65_000)  # several slides and two 30-second periods
        assert [url for url in requests if not url.startswith("file:")] == []
        assert page.errors == []
        assert showing(page) != "honors（1/4）"
        assert page.evaluate("document.fonts.size") == 0  # system fonts only, nothing to download
        photos = page.evaluate("[...document.querySelectorAll('.deck img')].map(i => i.naturalWidth)")
        assert photos and all(width > 0 for width in photos)
    finally:
        context.close()


def test_chinese_is_drawn_by_cjk_fonts(example, open_screen):
    page = open_screen(screen_url(example))
    client = page.context.new_cdp_session(page)
    client.send("DOM.enable")
    client.send("CSS.enable")
    root = client.send("DOM.getDocument")["root"]["nodeId"]

    def fonts(selector):
        node = client.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        return [f["familyName"] for f in client.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]]

    assert "Noto Serif CJK SC" in fonts(".brand")
    assert "Noto Serif CJK SC" in fonts(".slide-honors .slide-title")
    assert "Noto Sans CJK SC" in fonts(".slide-honors .item .body")
    assert "Noto Sans CJK SC" in fonts(".ticker-item")


# -- rotation and keys ------------------------------------------------------------------------

def test_rotation_advances_after_the_configured_seconds(make_site, open_screen):
    site = built(make_site, THREE_ARTICLES)
    page = open_screen(screen_url(site.out))
    assert showing(page) == "articles"
    page.clock.run_for(4_500)
    assert showing(page) == "articles"
    page.clock.run_for(1_000)
    assert showing(page) == "notices（1/2）"  # a notice to a slide
    page.clock.run_for(6_000)
    assert showing(page) == "notices（1/2）"  # this one is configured for 7 seconds
    page.clock.run_for(1_000)
    assert showing(page) == "notices（2/2）"
    page.clock.run_for(7_000)
    assert page.evaluate("document.querySelector('.slide.is-current .slide-title').textContent") == "通知公告（1/2）"
    progress = page.evaluate("document.querySelector('.progress-bar').style.transform")
    assert progress.startswith("scaleX(")

    fast = open_screen(screen_url(site.out, "?speed=50"))
    fast.clock.run_for(5_000 / 50 + 300)
    assert showing(fast) == "notices（1/2）"
    assert page.errors == fast.errors == []


def test_keys_for_a_meeting(make_site, open_screen):
    site = built(make_site, THREE_ARTICLES)
    page = open_screen(screen_url(site.out))
    title = "document.querySelector('.slide.is-current .slide-title').textContent"
    order = []
    for key in ("ArrowRight", "ArrowRight", "ArrowLeft", "Home", "PageDown", "PageUp"):
        page.keyboard.press(key)
        order.append(page.evaluate(title))
    assert order == ["重要通知（1/2）", "重要通知（2/2）", "重要通知（1/2）", "支部动态", "重要通知（1/2）", "支部动态"]

    page.keyboard.press(" ")
    assert page.is_visible(".paused-note")
    page.clock.run_for(60_000)
    assert page.evaluate(title) == "支部动态"
    page.keyboard.press(" ")
    assert not page.is_visible(".paused-note")
    page.clock.run_for(5_500)
    assert page.evaluate(title) == "重要通知（1/2）"

    page.keyboard.press("f")
    page.wait_for_function("document.fullscreenElement !== null")
    page.keyboard.press("F")
    page.wait_for_function("document.fullscreenElement === null")

    page.mouse.move(200, 200)
    assert "no-cursor" not in page.evaluate("document.body.className")
    page.clock.run_for(3_500)
    assert "no-cursor" in page.evaluate("document.body.className")
    page.mouse.move(300, 300)
    assert "no-cursor" not in page.evaluate("document.body.className")


def test_an_error_in_one_slide_does_not_stop_the_rotation(make_site, open_screen):
    site = built(make_site, THREE_ARTICLES)
    page = open_screen(screen_url(site.out))
    page.evaluate("""Object.defineProperty(document.querySelectorAll('.deck .slide')[1], 'dataset',
                     {get() { throw new Error('broken slide'); }})""")
    seen = []
    for _ in range(8):
        page.clock.run_for(5_100)
        seen.append(showing(page))
    assert "notices（1/2）" not in seen
    assert {"notices（2/2）", "articles（1/2）", "articles（2/2）"} <= set(seen), seen
    assert page.errors == []


def test_runs_for_days_with_one_timer_and_no_new_elements(make_site, open_screen):
    site = built(make_site, THREE_ARTICLES)
    count_timers = """window.timers = {interval: 0, timeout: 0};
        for (const [name, key] of [['setInterval', 'interval'], ['setTimeout', 'timeout']]) {
          const original = window[name];
          window[name] = function (...args) { window.timers[key]++; return original.apply(this, args); };
        }"""
    page = open_screen(screen_url(site.out), script=count_timers)
    count = "document.getElementsByTagName('*').length"
    before = page.evaluate(count)
    page.clock.run_for(10 * 60_000)  # about 35 rounds of the three slides
    assert page.evaluate(count) == before
    assert page.evaluate("window.timers") == {"interval": 1, "timeout": 0}
    assert page.errors == []


# -- the clock decides what shows ------------------------------------------------------------

def test_a_notice_disappears_when_it_expires_while_the_page_runs(make_site, open_screen):
    site = built(make_site, THREE_ARTICLES)
    page = open_screen(screen_url(site.out), time=dt.datetime(2026, 11, 25, 23, 59, 30, tzinfo=TZ))
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert showing(page) == "notices（2/2）"  # a notice to a slide, the newest first
    assert page.get_by_text("停电检修通知").first.is_visible()
    page.clock.run_for(31_000)  # past midnight: 2026-11-26 is after 下架 2026-11-25
    assert page.evaluate("document.querySelector('.screen-header .clock').textContent") == "00:00"
    assert page.evaluate("document.querySelector('.screen-header .date').textContent") == "2026年11月26日 星期四"
    assert not page.get_by_text("停电检修通知").first.is_visible()
    assert page.evaluate("[...document.querySelectorAll('.item')].filter(i => !i.hidden).map(i => i.textContent)"
                         ".join()").count("停电检修通知") == 0
    assert page.get_by_text("组织生活会通知").first.is_visible()


def test_a_notice_appears_on_its_publish_day_without_a_rebuild(make_site, open_screen):
    files = dict(THREE_ARTICLES)
    files["content/notices/d.md"] = article("明日安全例会通知", date="2026-11-25", 置顶="true", 发布="2026-11-26")
    site = built(make_site, files)
    assert not (site.out / "notices/d.html").exists()  # the site itself waits for the day
    page = open_screen(screen_url(site.out), time=dt.datetime(2026, 11, 25, 23, 59, 30, tzinfo=TZ))
    page.keyboard.press("ArrowRight")
    assert showing(page) == "notices（1/2）"
    assert not page.get_by_text("明日安全例会通知").first.is_visible()
    page.clock.run_for(31_000)  # past midnight: 2026-11-26 is its publish day
    assert page.get_by_text("明日安全例会通知").first.is_visible()


def test_the_fallback_shows_when_no_slide_is_current(make_site, open_screen):
    site = built(make_site, {
        "site.yaml": SITE + """\
screen:
  reload_minutes: 1440
  slogan: 不忘初心　牢记使命
  slides:
    - {type: articles, hours: 7-9}
""",
        "content/news/a.md": article("支部召开主题党日活动"),
        "data/banners.yaml": "- 内容: 安全第一　预防为主\n  尺寸: 600x70cm\n  样式: 红底黄字\n"
                             "  开始: 2026-11-01\n  结束: 2026-11-25\n",
    })
    page = open_screen(screen_url(site.out), time=dt.datetime(2026, 11, 25, 10, 15, tzinfo=TZ))
    assert showing(page) == "fallback"
    fallback = page.locator(".slide-fallback")
    assert fallback.locator(".fallback-branch").inner_text() == "测试党支部"
    assert fallback.locator(".clock").inner_text() == "10:15"
    assert fallback.locator(".slogan:visible").inner_text().split() == ["安全第一", "预防为主"]
    assert page.evaluate(FIT_CHECK)["problems"] == []

    page.clock.set_system_time(dt.datetime(2026, 11, 26, 7, 30, tzinfo=TZ))  # the next morning, 7-9
    page.clock.run_for(1_000)
    assert showing(page) == "articles"
    page.clock.set_system_time(dt.datetime(2026, 11, 26, 9, 0, tzinfo=TZ))
    page.clock.run_for(1_000)
    assert showing(page) == "fallback"
    assert fallback.locator(".slogan:visible").inner_text().split() == ["不忘初心", "牢记使命"]  # banner over
    assert page.errors == []


def test_a_missing_image_does_not_stop_the_slide(make_site, open_screen):
    photo = '<svg xmlns="http://www.w3.org/2000/svg" width="30" height="40"><rect width="30" height="40"/></svg>'
    site = built(make_site, {
        "site.yaml": SITE + "screen:\n  slides:\n    - {type: model_posts, seconds: 5}\n    - articles\n",
        "data/model_posts.yaml": "- 岗位: 主洗岗\n  带头人: 王建国\n  照片: photos/王建国.svg\n  承诺: 密度波动不超过正负0.01。\n",
        "data/photos/王建国.svg": photo,
        "content/news/a.md": article("主题党日", 封面="images/a.svg"),
        "content/news/images/a.svg": photo,
    })
    (site.out / "data/photos/王建国.svg").unlink()
    (site.out / "news/images/a.svg").unlink()
    page = open_screen(screen_url(site.out))
    assert showing(page) == "model_posts"
    assert page.locator(".deck img").count() == 0
    assert page.get_by_text("密度波动不超过正负0.01。").is_visible()
    assert page.evaluate(FIT_CHECK)["problems"] == []
    page.clock.run_for(5_100)
    assert showing(page) == "articles"
    assert page.errors == []


def test_thirty_awards_continue_on_further_slides_and_a_long_slogan_fits(make_site, open_screen):
    awards = "".join(f"    - 称号: 生产标兵\n      姓名: 职工{n:02d}\n      班组: 甲班\n"
                     f"      事迹: 当月主洗岗位精煤快灰合格率100%，连续{n}个班无密度超限记录。\n" for n in range(30))
    long_slogan = "坚持安全第一预防为主综合治理方针全面落实安全生产责任制" * 2  # no spaces to break at
    site = built(make_site, {
        "site.yaml": SITE + "screen:\n  slides: [honors, banner]\n",
        "data/honors.yaml": f"- 期次: 2026年10月\n  日期: 2026-11-05\n  表彰:\n{awards}",
        "data/banners.yaml": f"- 内容: {long_slogan}\n  尺寸: 3000x90cm\n  样式: 红底黄字\n",
    })
    for size in (SIZES["1920x1080"], SIZES["portrait 1080x1920"]):  # 4K is 1920x1080 scaled
        page = open_screen(screen_url(site.out), size=size)
        names, slides = [], []
        for _number, name in every_slide(page):
            slides.append(name)
            assert page.evaluate(FIT_CHECK)["problems"] == [], (size, name)
            names += page.locator(".slide.is-current .item .name").all_inner_texts()
        assert names == [f"职工{n:02d}" for n in range(30)], size
        assert len(slides) >= 4 and slides[-1] == "banner", (size, slides)
        assert slides[0] == f"honors（1/{len(slides) - 1}）"


# -- new content reaches the wall -------------------------------------------------------------

@pytest.fixture
def served(tmp_path):
    """serve(folder) -> base URL of a local HTTP server for the folder."""
    servers = []

    def serve(folder: Path) -> str:
        handler = functools.partial(QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_a_new_build_over_http_reloads_at_the_next_slide_change(make_site, open_screen, served):
    site = built(make_site, THREE_ARTICLES)
    base = served(site.out)
    page = open_screen(base + "screen/index.html")
    page.wait_for_function("document.body.dataset.build")
    page.evaluate("window.beforeReload = true")
    (site.out / "build-id.txt").write_text("a-new-build\n", encoding="utf-8")
    page.clock.run_for(4_000)  # still the first slide, before the 30-second check
    with page.expect_response("**/build-id.txt"):
        page.clock.run_for(26_500)
    page.wait_for_function("document.body.dataset.newBuild === 'a-new-build'")
    assert page.evaluate("window.beforeReload") is True  # waits for the slide to end

    index = site.out / "screen/index.html"
    index.rename(index.with_name("away.html"))  # the server answers 404 for a moment
    shown = current_index(page)
    page.clock.run_for(7_100)
    page.wait_for_function(f"{CURRENT_INDEX} !== {shown}")  # no error page: the rotation goes on
    assert page.evaluate("window.beforeReload") is True
    index.with_name("away.html").rename(index)

    shown = current_index(page)
    with page.expect_navigation():
        page.clock.run_for(7_100)
    assert page.evaluate("window.beforeReload") is None
    assert current_index(page) == (shown + 1) % 3  # the rotation carries on where it was
    assert page.errors == []


def test_opened_as_a_file_it_reloads_every_few_minutes(make_site, open_screen):
    site = built(make_site, {**THREE_ARTICLES,
                             "site.yaml": THREE_SLIDES.replace("reload_minutes: 600", "reload_minutes: 1")})
    page = open_screen(screen_url(site.out))
    page.evaluate("window.beforeReload = true")
    page.clock.run_for(59_000)
    assert page.evaluate("window.beforeReload") is True
    shown = current_index(page)
    with page.expect_navigation():
        page.clock.run_for(7_100)  # the minute is up: reload at the next slide change
    assert page.evaluate("window.beforeReload") is None
    assert current_index(page) == (shown + 1) % 3
    assert page.errors == []
