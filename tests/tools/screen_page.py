"""The meeting-room screen page in the browser: a page on a fake clock, the
fit check every slide must pass, and where the screen page of a build is."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

TZ = dt.timezone(dt.timedelta(hours=8))  # the contexts run in Asia/Shanghai
MORNING = dt.datetime(2026, 11, 25, 9, 0, tzinfo=TZ)
SLIDE_TYPES = {"honors", "model_posts", "performance", "study", "banner", "notices", "articles",
               "mailbox", "evaluation"}

FIT_CHECK = """() => {
  const vw = innerWidth, vh = innerHeight, unit = Math.min(vw, vh) / 100, problems = [];
  const slide = document.querySelector('.deck .slide.is-current');
  const header = document.querySelector('.screen-header'), ticker = document.querySelector('.ticker');
  const name = el => el.tagName.toLowerCase() + '.' + String(el.className).trim().split(/\\s+/).join('.');
  const shown = el => el.getClientRects().length > 0;
  const root = document.documentElement;
  if (root.scrollWidth > vw || root.scrollHeight > vh) problems.push('the page scrolls');
  const boxes = [slide, ...slide.querySelectorAll('*'), header, ...header.querySelectorAll('*')];
  if (ticker) boxes.push(ticker);
  for (const el of boxes) {
    if (!shown(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.left < -0.5 || r.top < -0.5 || r.right > vw + 0.5 || r.bottom > vh + 0.5)
      problems.push(`${name(el)} leaves the screen`);
    if (el !== ticker && getComputedStyle(el).display !== 'inline'  // the ticker runs past its box on purpose
        && (el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1))
      problems.push(`${name(el)} overflows its box`);
  }
  const texts = [];
  for (const scope of [slide, header, ticker].filter(Boolean)) {
    const walk = document.createTreeWalker(scope, NodeFilter.SHOW_TEXT);
    while (walk.nextNode()) if (walk.currentNode.textContent.trim() && shown(walk.currentNode.parentElement))
      texts.push([scope, walk.currentNode]);
  }
  for (const [scope, node] of texts) {
    const parent = node.parentElement, size = parseFloat(getComputedStyle(parent).fontSize);
    if (size < 3.5 * unit - 0.01) problems.push(`“${node.textContent.trim()}” is ${(size / unit).toFixed(2)}%`);
    if (scope === ticker) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) {
      for (let el = parent; el && el !== scope.parentElement; el = el.parentElement) {
        if (getComputedStyle(el).overflow === 'visible') continue;
        const box = el.getBoundingClientRect();
        if (r.top < box.top - 1 || r.bottom > box.bottom + 1 || r.left < box.left - 1 || r.right > box.right + 1)
          problems.push(`“${node.textContent.trim().slice(0, 12)}” is cut off by ${name(el)}`);
      }
    }
  }
  const title = slide.querySelector('.slide-title, .fallback-branch');
  const head = parseFloat(getComputedStyle(title).fontSize) / unit;
  if (head < 5.5 || head > 7.5) problems.push(`headline is ${head.toFixed(2)}%`);
  return {problems: [...new Set(problems)], texts: texts.length, headline: head};
}"""


def screen_opener(browser):
    """open_screen(url, size=(w, h), time=MORNING) -> a page on a fake clock, errors in page.errors."""
    contexts = []

    def open_(url: str, size=(1920, 1080), time=MORNING, context=None, script=None):
        if context is None:
            context = browser.new_context(viewport={"width": size[0], "height": size[1]},
                                          locale="zh-CN", timezone_id="Asia/Shanghai")
            contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda err: page.errors.append(str(err)))
        page.clock.install(time=time - dt.timedelta(seconds=1))
        page.clock.pause_at(time)  # from here time moves only with run_for
        if script:
            page.add_init_script(script)
        page.goto(url)
        return page

    yield open_
    for context in contexts:
        context.close()



def screen_url(out: Path, query: str = "") -> str:
    return (out / "screen/index.html").as_uri() + query


def showing(page) -> str:
    """The current slide: its kind and, when it is continued, its page: "honors（2/4）"."""
    return page.evaluate("""() => { const s = document.querySelector('.deck .slide.is-current');
        const no = s.querySelector('.page-no'); return s.dataset.kind + (no ? no.textContent : ''); }""")
