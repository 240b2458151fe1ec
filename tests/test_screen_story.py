"""What a notice's and an article's slide says: a notice the beginning of
its text, an article its summary or else its first paragraph, taken from the
body the build converts, always as plain, escaped text."""

from __future__ import annotations

import pytest

from branchboard.build.bodies import EXCERPT_CHARS
from branchboard.build.cache import BuildCache
from conftest import MINIMAL_SITE, article, snapshot
from test_incremental import clean_build, run
from test_screen import screen_of
from tools.screen_page import screen_url, showing

SLIDES = MINIMAL_SITE + """\
screen:
  slides:
    - {type: notices}
    - {type: articles, section: news}
"""
NOTICE_BODY = """\
各位党员：
根据上级安排，定于本周五下午召开支部大会。

## 会议议程

1. 传达学习上级精神；
2. 讨论发展党员事宜[^1]。

![会场](hall.png)

请准时参加，不得无故缺席。

[^1]: 由组织委员介绍。
"""
NOTICE_TEXT = ["各位党员：根据上级安排，定于本周五下午召开支部大会。", "会议议程", "传达学习上级精神；",
               "讨论发展党员事宜。", "请准时参加，不得无故缺席。"]
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a5e1b4f30000000049454e44ae426082")


def story_lines(page, kind: str) -> list[list[str]]:
    """The lines of text of each story on the slides of a kind."""
    return [p.get_text().split("\n") if p else [] for p in
            (item.select_one(".story-text") for item in page.select(f".slide-{kind} .item"))]


def build_site(make_site, files: dict):
    site = make_site({"site.yaml": SLIDES, **files})
    run(site.root)
    return site


def test_a_notice_without_a_summary_shows_the_beginning_of_its_text(make_site):
    site = build_site(make_site, {"content/notices/meeting.md": article("支部大会通知", 置顶="true", body=NOTICE_BODY),
                                  "content/notices/hall.png": PNG})
    page = screen_of(site.out)
    assert story_lines(page, "notices") == [NOTICE_TEXT]
    text = page.select_one(".slide-notices .story-text")
    assert "data-clamp" in text.attrs and not text.find(True)  # plain text, cut by the page where it must be
    assert text.find_next_sibling("p")["class"] == ["more"]
    assert text.find_next_sibling("p").get_text() == "全文详见支部网站“通知公告”"
    assert page.select(".slide-notices .item img") == []  # the body's picture is not the text


def test_an_article_without_a_summary_shows_its_cover_and_first_paragraph(make_site):
    site = build_site(make_site, {
        "content/news/day.md": article("主题党日", 封面="hall.png", body="重温入党誓词，\n参观教育基地。\n\n下午座谈。\n"),
        "content/news/hall.png": PNG,
    })
    page = screen_of(site.out)
    assert story_lines(page, "articles") == [["重温入党誓词，参观教育基地。"]]
    assert page.select_one(".slide-articles .item img.cover")


def test_with_a_summary_an_article_shows_it_and_a_notice_its_text(make_site):
    site = build_site(make_site, {
        "content/notices/meeting.md": article("支部大会通知", 置顶="true", 摘要="周五开会。", body=NOTICE_BODY),
        "content/notices/hall.png": PNG,
        "content/news/day.md": article("主题党日", 摘要="活动回顾。", body="重温入党誓词。\n"),
    })
    page = screen_of(site.out)
    assert story_lines(page, "notices") == [NOTICE_TEXT]
    assert story_lines(page, "articles") == [["活动回顾。"]]


def test_a_notice_with_no_text_shows_its_summary_or_just_its_title(make_site):
    site = build_site(make_site, {
        "content/notices/a.md": article("一号通知", date="2026-11-20", 置顶="true", 摘要="周五开会。", body="![](x.png)\n"),
        "content/notices/x.png": PNG,
        "content/notices/b.md": article("二号通知", date="2026-11-19", 置顶="true", body=""),
    })
    page = screen_of(site.out)
    assert story_lines(page, "notices") == [["周五开会。"], []]
    assert [h.get_text() for h in page.select(".slide-notices .item-head")] == ["一号通知", "二号通知"]


def test_a_long_notice_gives_the_screen_its_first_characters_and_says_it_goes_on(make_site):
    first = "一" * (EXCERPT_CHARS - 10)
    site = build_site(make_site, {"content/notices/long.md": article(
        "长通知", 置顶="true", body=f"{first}\n\n{'二' * 30}\n\n三。\n")})
    assert story_lines(screen_of(site.out), "notices") == [[first, "二" * 10 + "……"]]


def test_a_notice_waiting_for_its_day_already_carries_its_text(make_site):
    site = build_site(make_site, {"content/notices/later.md": article(
        "明日例会通知", date="2026-11-25", 置顶="true", 发布="2026-11-26", body="明早八点开会。\n")})
    assert not (site.out / "notices/later.html").exists()
    item = screen_of(site.out).select_one(".slide-notices .item")
    assert item["data-from"] == "2026-11-26T00:00:00.000"
    assert item.select_one(".story-text").get_text() == "明早八点开会。"


@pytest.mark.parametrize("raw_html", [False, True], ids=["cleaned", "raw html kept"])
def test_markup_in_a_body_reaches_the_screen_only_as_text(make_site, raw_html):
    body = ("通知`<script>alert(1)</script>`内容 &lt;b&gt;\n\n"
            "<script>alert(2)</script><div><b>加粗</b><img src=x onerror=alert(3)></div>\n")
    site = build_site(make_site, {
        "site.yaml": SLIDES + ("raw_html: true\n" if raw_html else ""),
        "content/notices/a.md": article("通知", 置顶="true", body=body),
    })
    text = screen_of(site.out).select_one(".slide-notices .story-text")
    assert text.get_text().split("\n") == ["通知<script>alert(1)</script>内容 <b>", "加粗"]
    assert not text.find(True)
    html = (site.out / "screen/index.html").read_text(encoding="utf-8")
    assert "alert(2)" not in html and "alert(3)" not in html
    assert "通知&lt;script&gt;alert(1)&lt;/script&gt;内容 &lt;b&gt;" in html


@pytest.mark.parametrize("kept", [False, True], ids=["a build", "serve's kept cache"])
def test_editing_only_a_notice_s_body_updates_the_screen_as_a_clean_build(make_site, tmp_path, kept):
    site = make_site({"site.yaml": SLIDES,
                      "content/notices/a.md": article("停水通知", 置顶="true", body="周三停水。\n"),
                      "content/news/n.md": article("动态", body="正文。\n")})
    cache = BuildCache.load(site.root) if kept else None
    run(site.root, cache=cache)
    (site.root / "content/notices/a.md").write_text(article("停水通知", 置顶="true", body="周四停水。\n"),
                                                    encoding="utf-8")
    result = run(site.root, cache=cache)
    assert "screen/index.html" in result.outputs.pages
    assert story_lines(screen_of(site.out), "notices") == [["周四停水。"]]
    assert snapshot(site.out) == clean_build(site.root, tmp_path)


def test_on_the_screen_a_notice_too_long_for_its_slide_keeps_its_beginning(make_site, open_screen):
    paragraphs = [f"第{n}段：" + "根据上级安排，支部将组织全体党员集中学习。" * 3 for n in range(1, 8)]
    site = build_site(make_site, {"content/notices/long.md": article(
        "学习安排通知", 置顶="true", body="\n\n".join(paragraphs) + "\n")})
    page = open_screen(screen_url(site.out))
    assert showing(page) == "notices"
    shown = page.evaluate("""() => { const slide = document.querySelector('.deck .slide.is-current');
        const more = slide.querySelector('.more').getBoundingClientRect();
        const text = [...slide.querySelectorAll('.story-text')];
        return {text: text.map(p => p.textContent).join('\\n'), built: text.map(p => p.dataset.full).join('\\n'),
                more: more.bottom <= slide.getBoundingClientRect().bottom}; }""")
    assert len(shown["text"]) < len(shown["built"]) - 50  # the page cut it, not only the build
    lines = shown["text"].split("\n")
    assert lines[:2] == paragraphs[:2] and lines[-1].endswith("……")  # cut at its end, not its first lines
    assert shown["more"]
    assert page.errors == []
