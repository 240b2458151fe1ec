"""Every slide of the example board, sized in the browser, at every screen size and with each Chinese font.

One page load per size and font; the slides are walked with the → key.  Noto
Sans CJK SC and Noto Serif CJK SC are forced on the whole page by a stylesheet
injected before the page's own script runs; WenQuanYi Zen Hei is seen as a
machine without Noto sees it: a browser whose fontconfig hides Noto, so that
it is only reached as the fallback for Chinese.  On each slide: nothing
overflows its box or leaves its slide, no text is under 3.5% of the short side,
a slide of several items is at least half covered by them; over each list:
every item shows exactly once, in order, on pages whose sizes differ by at
most one.  Screenshots of every slide at 1920x1080, for each font, land in
test-output/screen-fit/.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest
from bs4 import BeautifulSoup

from conftest import FALLBACK_CJK_FONT, TEST_OUTPUT
from tools.screen_page import FIT_CHECK, MORNING, SLIDE_TYPES, screen_url

SIZES = {"1920x1080": (1920, 1080), "3840x2160": (3840, 2160), "portrait 1080x1920": (1080, 1920),
         "1366x768": (1366, 768)}
FONTS = ("Noto Sans CJK SC", "Noto Serif CJK SC", FALLBACK_CJK_FONT)
FORCE_FONT = """(() => {
  const style = document.createElement('style');
  style.textContent = '*, *::before, *::after { font-family: "%s" !important; }';
  new MutationObserver((_, watch) => {
    if (document.head) { document.head.append(style); watch.disconnect(); }
  }).observe(document, {childList: true, subtree: true});
})();"""

# What the showing slide holds: which list it belongs to (the n-th slide of the
# build), the key of each item it shows, its page number, what is wrong with it,
# and how much of it the items' text and pictures cover.
SLIDE_CHECK = """() => {
  const slide = document.querySelector('.deck .slide.is-current');
  let first = slide;
  while (first.classList.contains('is-continued')) first = first.previousElementSibling;
  const list = [...document.querySelectorAll('.deck .slide:not(.is-continued):not(.slide-fallback)')].indexOf(first);
  const shown = el => el.getClientRects().length > 0;
  const name = el => el.tagName.toLowerCase() + '.' + String(el.className).trim().split(/\\s+/).join('.');
  const s = slide.getBoundingClientRect(), problems = [];
  for (const el of slide.querySelectorAll('*')) {
    if (!shown(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.left < s.left - 0.5 || r.top < s.top - 0.5 || r.right > s.right + 0.5 || r.bottom > s.bottom + 0.5)
      problems.push(`${name(el)} leaves its slide`);
    if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)
      problems.push(`${name(el)} scrolls`);
  }
  const items = [...slide.querySelectorAll('.items > .item')].filter(shown);
  const keys = items.map(item => {  // its whole text, as the build wrote it (before any was cut)
    const copy = item.cloneNode(true);
    copy.querySelectorAll('[data-full]').forEach(el => { el.textContent = el.dataset.full; });
    return copy.textContent.replace(/\\s+/g, '');
  });
  let top = Infinity, left = Infinity, bottom = -Infinity, right = -Infinity;
  const take = r => { if (r.width && r.height) { top = Math.min(top, r.top); left = Math.min(left, r.left);
    bottom = Math.max(bottom, r.bottom); right = Math.max(right, r.right); } };
  for (const item of items) {
    for (const img of item.querySelectorAll('img')) take(img.getBoundingClientRect());
    const walk = document.createTreeWalker(item, NodeFilter.SHOW_TEXT);
    while (walk.nextNode()) {
      if (!walk.currentNode.textContent.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(walk.currentNode);
      for (const r of range.getClientRects()) take(r);
    }
  }
  const covered = items.length ? (right - left) * (bottom - top) / (s.width * s.height) : 0;
  return {list, keys, page: slide.querySelector('.page-no').textContent, kind: slide.dataset.kind,
          problems: [...new Set(problems)], covered};
}"""

def built_lists(out, now: dt.datetime) -> dict[int, list[str]]:
    """The text of the items of each slide that is on at now, as the build wrote
    them, before the page paginates them (n: the n-th slide of the build)."""
    html = BeautifulSoup((out / "screen/index.html").read_text(encoding="utf-8"), "html.parser")
    slides = [s for s in html.select(".deck .slide") if "slide-fallback" not in s["class"]]
    local = now.replace(tzinfo=None).isoformat()
    return {n: [re.sub(r"\s+", "", item.get_text()) for item in s.select(".items > .item")]
            for n, s in enumerate(slides) if s.get("data-from", "") <= local <= s.get("data-until", "9999")}


def open_board(context, url: str, font: str | None):
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda err: page.errors.append(str(err)))
    page.clock.install(time=MORNING - dt.timedelta(seconds=1))
    page.clock.pause_at(MORNING)
    if font:
        page.add_init_script(FORCE_FONT % font)
    page.goto(url)
    page.evaluate("document.fonts.ready.then(() => null)")
    page.clock.run_for(300)  # a tick, after the fonts are ready
    return page


@pytest.mark.parametrize("font", FONTS, ids=["sans", "serif", "wqy-fallback"])
@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_every_slide_is_sized_to_its_room_with_every_font(example, browser, browser_without_noto, size, font):
    fallback_only = font == FALLBACK_CJK_FONT
    context = (browser_without_noto if fallback_only else browser).new_context(
        viewport={"width": size[0], "height": size[1]}, locale="zh-CN", timezone_id="Asia/Shanghai")
    shots = None
    if size == (1920, 1080):
        shots = TEST_OUTPUT / "screen-fit" / re.sub(r"\W+", "-", font)
        shutil.rmtree(shots, ignore_errors=True)
        shots.mkdir(parents=True)
    try:
        page = open_board(context, screen_url(example), None if fallback_only else font)
        family = page.evaluate("getComputedStyle(document.querySelector('.slide-title')).fontFamily")
        assert (font in family) != fallback_only, family
        shown: dict[int, list[list[str]]] = {}
        kinds = set()
        page.keyboard.press("Home")
        seen = set()
        while (where := page.evaluate("[...document.querySelectorAll('.deck .slide')]"
                                      ".indexOf(document.querySelector('.deck .slide.is-current'))")) not in seen:
            seen.add(where)
            slide = page.evaluate(SLIDE_CHECK)
            name = f"{slide['kind']}{slide['page']} at {size} in {font}"
            fit = page.evaluate(FIT_CHECK)
            assert slide["problems"] + fit["problems"] == [], name
            if len(slide["keys"]) > 1:
                assert slide["covered"] >= 0.5, f"{name}: its items cover {slide['covered']:.0%} of it"
            shown.setdefault(slide["list"], []).append(slide["keys"])
            kinds.add(slide["kind"])
            if shots is not None:
                page.screenshot(path=str(shots / f"{len(seen):02d}-{slide['kind']}.png"), animations="disabled")
            page.keyboard.press("ArrowRight")
        assert kinds == SLIDE_TYPES
        expected = built_lists(example, MORNING)
        assert sorted(shown) == sorted(expected)
        for n, pages in shown.items():
            assert [key for keys in pages for key in keys] == expected[n], f"list {n}: every item once, in order"
            sizes = [len(keys) for keys in pages]
            assert max(sizes) - min(sizes) <= 1, f"list {n} ({slide['kind']}): pages of {sizes}"
        assert page.errors == []
    finally:
        context.close()
