"""The editor's articles at /admin/articles: a real `serve` on 127.0.0.1, port 0.

The secretary's job (a new article with a pasted photo) is done through
the browser only; the security promises are tested with plain HTTP requests
a browser would not send.  Every network call has a timeout and every wait
a deadline.
"""

from __future__ import annotations

import base64
import datetime as dt
import difflib
import io
import re
from urllib.parse import quote, unquote

import pytest
from PIL import Image

from branchboard.editor.siteinfo import SiteFiles
from branchboard.scaffold.new import slugify
from conftest import MINIMAL_SITE, snapshot
from tools.editor_client import Client, screen_items, soup, wait_until
from tools.serving import serving

TODAY = dt.date.today()
OLD = """\
---
# 十一月的支部大会
标题: 支部大会召开   # 标题写短一点
日期: 2026-11-20
摘要:            # 一两句话的简介
标签: [组织生活]
---

会议由支部书记主持。
"""
FAR = TODAY + dt.timedelta(days=400)
GONE = TODAY - dt.timedelta(days=400)


def article(title: str, *fields: str) -> str:
    return "\n".join(["---", f"标题: {title}", f"日期: {GONE:%Y-%m-%d}", *fields, "---", "", f"{title}的正文。", ""])


ARTICLES = {
    "content/news/old.md": OLD,
    "content/news/draft.md": article("还在写的", "草稿: true"),
    "content/news/later.md": article("明年的通知", f"发布: {FAR:%Y-%m-%d}"),
    "content/notices/gone.md": article("过期的通知", f"下架: {GONE + dt.timedelta(days=10):%Y-%m-%d}"),
}
BROKEN = article("写错日期的", "发布: 2026-13-45")  # a site with it builds nothing: only where a test needs it


@pytest.fixture
def served(make_site):
    """served(now=None) -> (site, server): the articles above, built and
    served (editor included) for the clock's today until the test ends."""
    with serving(make_site, ARTICLES, None) as start:
        yield start


def png(size=(40, 30), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def upload(client: Client, fields: dict, filename: str, data: bytes, content_type="image/png"):
    """An image sent to the articles' upload address."""
    return client.upload("/admin/articles/upload", fields, filename, data, content_type)


def edit_form(client: Client, rel: str) -> dict:
    status, _headers, page = client.request("GET", f"/admin/articles/edit?file={quote(rel)}")
    assert status == 200, page
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    fields.update(re.findall(r'<input id="f-[a-z]+" name="(m\.[a-z]+)" type="(?:text|date)" value="([^"]*)"', page))
    fields.update(re.findall(r'<textarea id="f-[a-z]+" name="(m\.[a-z]+)" rows="\d+">([^<]*)</textarea>', page))
    fields["body"] = re.search(r'name="body" rows="\d+" class="markdown">\n([^<]*)</textarea>', page).group(1)
    import html

    return {k: html.unescape(v) for k, v in fields.items()}


def outside_public(site) -> dict:
    return {k: v for k, v in snapshot(site.root).items() if not k.startswith("public/")}


# -- the list ------------------------------------------------------------------------------

def test_the_list_shows_each_article_with_the_status_the_build_gives_it(served):
    site, server = served()
    site.write("content/notices/broken.md", BROKEN)
    status, _headers, page = Client(server).request("GET", "/admin/articles")
    assert status == 200
    rows = {title: state for title, state in
            re.findall(r'<a href="/admin/articles/edit\?file=[^"]+">([^<]+)</a></td>\s*<td>[^<]*</td>\s*'
                       r'<td><span class="status">([^<]+)</span>', page)}
    assert rows == {"支部大会召开": "已发布", "还在写的": "草稿", "明年的通知": "定时",
                    "过期的通知": "已下架", "写错日期的": "有错误"}
    assert "这个日期不存在" in page
    assert page.index("支部动态") < page.index("支部大会召开") < page.index("通知公告") < page.index("过期的通知")


# -- writing an article in the browser -------------------------------------------------

PASTE_IMAGE = """async () => {
    const canvas = document.createElement("canvas");
    canvas.width = 64; canvas.height = 48;
    const g = canvas.getContext("2d");
    g.fillStyle = "#c00"; g.fillRect(0, 0, 64, 48);
    const blob = await new Promise(done => canvas.toBlob(done, "image/png"));
    const data = new DataTransfer();
    data.items.add(new File([blob], "image.png", {type: "image/png"}));
    const body = document.getElementById("f-body");
    body.focus();
    body.selectionStart = body.selectionEnd = body.value.length;
    body.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
}"""


def test_a_new_article_with_a_pasted_photo_is_written_previewed_and_built(served, browser):
    site, server = served()
    title, text = "煤泥水系统检修动员会", "全班组十二人参加，分工落实到人。"
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{server.url}admin/articles")
        page.get_by_role("link", name="写新文章").first.click()
        page.get_by_label("标题").fill(title)
        page.get_by_label("摘要").fill("检修前的动员。")
        page.get_by_label("标签").fill("安全生产、检修")
        page.get_by_label("正文（Markdown）").fill(f"## 会议内容\n\n{text}\n\n")
        preview = page.frame_locator("#preview")
        preview.get_by_text(text).wait_for()  # the preview showed the text before anything was saved
        preview.get_by_role("heading", name="会议内容").wait_for()
        assert not list((site.root / "content" / "news").glob(f"*{slugify(title)}*"))
        page.evaluate(PASTE_IMAGE)
        wait_until(lambda: "![](images/" in page.get_by_label("正文（Markdown）").input_value())
        preview.locator("img").wait_for()
        wait_until(lambda: page.frame_locator("#preview").locator("img").evaluate("i => i.complete && i.naturalWidth"))
        page.get_by_role("button", name="保存").click()
        page.get_by_text("已保存").wait_for()
    finally:
        context.close()
    rel = f"content/news/{TODAY:%Y-%m-%d}-{slugify(title)}.md"
    written = (site.root / rel).read_text(encoding="utf-8")
    front, body = written.split("\n---\n", 1)
    assert front.splitlines() == ["---", f"标题: {title}", f"日期: {TODAY:%Y-%m-%d}", "摘要: 检修前的动员。",
                                  "标签: [安全生产, 检修]"]
    image = re.search(r"!\[\]\(images/(照片-[0-9a-f-]+\.png)\)", body).group(1)
    assert body.startswith(f"\n## 会议内容\n\n{text}\n\n![](images/{image})")
    assert "待填写" not in written and "在这里写正文" not in written
    with Image.open(site.root / "content" / "news" / "images" / image) as im:
        assert im.format == "PNG" and im.size == (64, 48)
    built = site.out / "news" / f"{TODAY:%Y-%m-%d}-{slugify(title)}.html"
    wait_until(lambda: built.is_file() and text in built.read_text(encoding="utf-8"), timeout=30)
    html = built.read_text(encoding="utf-8")
    src = re.search(r'<div class="prose">.*?<img [^>]*src="([^"]+)"', html, re.S).group(1)
    assert (built.parent / unquote(src)).resolve().is_file()  # a URL: the Chinese name percent-encoded
    titles = [item.select_one(".item-head").get_text() for item in screen_items(site, "articles")]
    assert title in titles  # the meeting-room screen shows it among the newest articles


# -- changing an article ------------------------------------------------------------------

def test_a_change_rewrites_only_the_changed_lines_of_the_front_matter(served):
    site, server = served()
    path = site.root / "content" / "news" / "old.md"
    client = Client(server)
    form = edit_form(client, "content/news/old.md")
    assert form["m.title"] == "支部大会召开" and form["body"] == "\n会议由支部书记主持。\n"
    form.update({"m.title": "支部大会顺利召开", "m.summary": "选举了新一届支委。", "m.tags": "组织生活、选举",
                 "m.pinned": "1", "body": form["body"].replace("\n", "\r\n") + "会上选举了支委。\r\n",
                 "do": "save"})
    status, headers, page = client.request("POST", "/admin/articles/save", form)
    assert status == 303, page
    after = path.read_text(encoding="utf-8")
    diff = [d for d in difflib.ndiff(OLD.splitlines(), after.splitlines()) if d[0] in "+-"]
    assert diff == ["- 标题: 支部大会召开   # 标题写短一点", "+ 标题: 支部大会顺利召开   # 标题写短一点",
                    "- 摘要:            # 一两句话的简介", "+ 摘要: 选举了新一届支委。            # 一两句话的简介",
                    "- 标签: [组织生活]", "+ 标签: [组织生活, 选举]", "+ 置顶: true", "+ 会上选举了支委。"]
    assert [p.read_text(encoding="utf-8") for p in (site.root / ".history" / "content" / "news" / "old.md").iterdir()] \
        == [OLD]


def test_an_invalid_value_is_shown_at_its_field_and_nothing_is_written(served):
    site, server = served()
    client = Client(server)
    form = edit_form(client, "content/news/old.md")
    before = outside_public(site)
    status, _headers, page = client.request("POST", "/admin/articles/save",
                                            {**form, "m.expire": "2026-02-30", "do": "save"})
    assert status == 422
    field = page[page.index('name="m.expire"'):]
    assert field.index("这个日期不存在") < field.index("</div>")  # beside its field
    status, _headers, page = client.request("POST", "/admin/articles/save", {**form, "m.title": "", "do": "save"})
    assert status == 422 and "标题不能为空" in page[page.index('name="m.title"'):page.index('name="m.date"')]
    assert outside_public(site) == before


def test_a_hand_edit_since_the_form_opened_is_never_overwritten(served):
    site, server = served()
    path = site.root / "content" / "news" / "old.md"
    client = Client(server)
    form = edit_form(client, "content/news/old.md")
    path.write_text(OLD.replace("主持", "主持并讲话"), encoding="utf-8")
    status, _headers, page = client.request("POST", "/admin/articles/save",
                                            {**form, "m.title": "新标题", "do": "save"})
    assert status == 409 and "主持并讲话" in page and "新标题" in page
    assert "新标题" not in path.read_text(encoding="utf-8")


def test_the_preview_is_cleaned_as_the_build_cleans_html(served):
    _site, server = served()
    client = Client(server)
    form = edit_form(client, "content/news/old.md")
    body = '正文<script>alert(1)</script>\n\n<img src="x.png" onerror="alert(2)">\n\n[链接](javascript:alert(3))'
    status, _headers, page = client.request("POST", "/admin/articles/preview", {**form, "body": body})
    assert status == 200 and "正文" in page
    prose = page[page.index('<div class="prose">'):]
    assert "<script" not in prose and "onerror" not in prose and "javascript:" not in prose, prose
    assert "onerror（点击等事件时运行的脚本）已删除" in page  # the build's warning, shown above it


# -- security ----------------------------------------------------------------------------------

def test_uploads_that_are_not_safe_images_are_refused_and_nothing_is_written(served):
    site, server = served()
    client = Client(server)
    form = edit_form(client, "content/news/old.md")
    fields = {"csrf": form["csrf"], "folder": "content/news"}
    before = outside_public(site)
    php = b"<?php system($_GET['c']); ?>\n"
    attempts = [
        (fields, "../../site.yaml", b"title: hacked\n", "text/yaml"),
        (fields, "../../site.yaml", png(), "image/png"),
        (fields, "shell.jpg", php, "image/jpeg"),
        (fields, "shell.php.jpg", b"\xff\xd8\xff\xe0" + php, "image/jpeg"),  # a JPEG's first bytes, then PHP
        ({**fields, "folder": "content/../data"}, "a.png", png(), "image/png"),
        ({**fields, "folder": "data"}, "a.png", png(), "image/png"),
        ({**fields, "folder": "content/news/../../.."}, "a.png", png(), "image/png"),
    ]
    for sent, name, data, kind in attempts:
        status, reply = upload(client, sent, name, data, kind)
        assert status in (400, 415), (name, reply)
        assert outside_public(site) == before, name
    big = png() + b"\0" * (50 * 1024 * 1024)
    status, _reply = upload(client, fields, "big.png", big)
    assert status == 413
    assert outside_public(site) == before
    status, reply = upload(client, fields, "photo.png", png())  # the same, right, is saved
    assert status == 200 and '"markdown": "![](images/' in reply
    saved = [k for k in outside_public(site) if k not in before and k != ".cache/branchboard/edit.lock"]  # every save's lock
    assert len(saved) == 1 and re.fullmatch(r"content/news/images/照片-\d{8}-\d{6}-[0-9a-f]{6}\.png", saved[0])


def test_every_article_post_without_its_token_is_refused(served):
    site, server = served()
    client = Client(server)
    form = edit_form(client, "content/news/old.md")
    before = outside_public(site)
    no_token = {k: v for k, v in form.items() if k != "csrf"}
    for path in ("/admin/articles/save", "/admin/articles/preview"):
        status, _headers, _page = client.request("POST", path, {**no_token, "m.title": "改了", "do": "save"})
        assert status == 403, path
    status, _reply = upload(client, {"folder": "content/news"}, "photo.png", png())
    assert status == 403
    status, _reply = upload(client, {"folder": "content/news", "csrf": "wrong"}, "photo.png", png())
    assert status == 403
    assert outside_public(site) == before


def test_the_preview_button_shows_the_page_without_script_and_writes_nothing(served):
    site, server = served()
    client = Client(server)
    form = edit_form(client, "content/news/old.md")
    before = outside_public(site)
    status, _headers, page = client.request("POST", "/admin/articles/save",
                                            {**form, "body": "## 新的小标题\n\n新写的一段。", "do": "preview"})
    assert status == 200
    assert "&lt;h2 id=&#34;新的小标题&#34;&gt;" in page or "新的小标题" in page[page.index("srcdoc="):]
    assert "新写的一段。" in page[page.index("srcdoc="):]  # in the preview
    assert outside_public(site) == before


# -- history, the new article's date -------------------------------------------------------

def test_an_article_links_to_its_earlier_versions_and_one_is_restored(served):
    site, server = served()
    path = site.root / "content" / "news" / "old.md"
    client = Client(server)
    form = edit_form(client, "content/news/old.md")
    status, _headers, page = client.request("POST", "/admin/articles/save", {**form, "m.title": "改过的标题",
                                                                             "do": "save"})
    assert status == 303, page
    assert "改过的标题" in path.read_text(encoding="utf-8")
    status, _headers, page = client.request("GET", "/admin/articles/edit?file=content/news/old.md")
    link = soup(page).find("a", string="以前的版本")
    assert link is not None, page
    status, _headers, page = client.request("GET", link["href"])
    assert status == 200, page
    restore = soup(page).find("form", action="/admin/restore")
    fields = {i["name"]: i["value"] for i in restore.find_all("input", type="hidden")}
    assert fields["file"] == "content/news/old.md"
    status, headers, page = client.request("POST", "/admin/restore", fields)
    assert status == 303, page
    assert path.read_text(encoding="utf-8") == OLD
    status, _headers, page = client.request("GET", headers["Location"])
    back = soup(page).find("a", string="回到这篇文章的修改页")
    assert back is not None and client.request("GET", back["href"])[0] == 200
    kept = sorted((site.root / ".history" / "content" / "news" / "old.md").iterdir())
    assert [p.read_text(encoding="utf-8") for p in kept] == [OLD, OLD.replace("支部大会召开", "改过的标题")]


def test_a_new_article_is_dated_by_the_editor_s_today_in_a_date_input(served):
    now = dt.datetime(2026, 11, 20, 9, 30)
    site, server = served(now=now)
    client = Client(server)
    status, _headers, page = client.request("GET", "/admin/articles/edit?section=news")
    assert status == 200, page
    date = soup(page).find("input", id="f-date")
    assert (date["type"], date["value"]) == ("date", "2026-11-20")
    status, _headers, page = client.request("GET", "/admin/articles/edit?section=news")
    form = {i["name"]: i.get("value", "") for i in soup(page).select("#article-form input[name]")
            if i.get("type") != "checkbox"}
    status, _headers, page = client.request("POST", "/admin/articles/save", {**form, "m.title": "冬季四防",
                                                                             "body": "做好防火。", "do": "save"})
    assert status == 303, page
    written = (site.root / "content" / "news" / f"2026-11-20-{slugify('冬季四防')}.md").read_text(encoding="utf-8")
    assert "日期: 2026-11-20\n" in written


def test_a_date_with_a_time_stays_a_text_field(served):
    site, server = served()
    site.write("content/news/timed.md", article("有时间的", ).replace(f"日期: {GONE:%Y-%m-%d}",
                                                                     "日期: 2026-11-20 09:30"))
    status, _headers, page = Client(server).request("GET", "/admin/articles/edit?file=content/news/timed.md")
    date = soup(page).find("input", id="f-date")
    assert (date["type"], date["value"]) == ("text", "2026-11-20 09:30")


# -- photos: the same intake as the data forms' ------------------------------------------------

def heic_photo() -> bytes:
    pillow_heif = pytest.importorskip("pillow_heif")
    image = Image.new("RGB", (120, 80), (30, 90, 200))
    out = io.BytesIO()
    pillow_heif.from_pillow(image).save(out)
    return out.getvalue()


PASTE_FILE = """async ([b64, name, type]) => {
    const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
    const data = new DataTransfer();
    data.items.add(new File([bytes], name, {type: type}));
    const body = document.getElementById("f-body");
    body.focus();
    body.selectionStart = body.selectionEnd = body.value.length;
    body.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
}"""


def test_a_pasted_iphone_photo_lands_beside_the_article_and_shows_in_the_preview(served, browser):
    heic = heic_photo()
    site, server = served()
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{server.url}admin/articles/edit?file=content/news/old.md")
        body = page.get_by_label("正文（Markdown）")
        page.evaluate(PASTE_FILE, [base64.b64encode(heic).decode(), "IMG_0001.HEIC", ""])  # Windows gives no type
        wait_until(lambda: "![](images/" in body.input_value())
        wait_until(lambda: page.frame_locator("#preview").locator("img").evaluate("i => i.complete && i.naturalWidth"))
    finally:
        context.close()
    saved = list((site.root / "content" / "news" / "images").iterdir())
    assert len(saved) == 1 and re.fullmatch(r"照片-\d{8}-\d{6}-[0-9a-f]{6}\.heic", saved[0].name)
    assert saved[0].read_bytes() == heic


def test_article_and_data_photo_uploads_check_a_file_the_same_way(served):
    site, server = served()
    client = Client(server)
    form = edit_form(client, "content/news/old.md")
    gif = io.BytesIO()
    Image.new("RGB", (8, 8)).save(gif, "GIF")
    for data in (b"not a photo", png()[:60], gif.getvalue()):
        article_reply = upload(client, {"csrf": form["csrf"], "folder": "content/news"}, "a.png", data)
        data_reply = client.upload("/admin/photo/upload", {"csrf": form["csrf"], "name": "王建国"}, "a.png", data,
                                   "image/png")
        assert article_reply == data_reply and article_reply[0] == 415
    assert not (site.root / "content" / "news" / "images").exists() and not (site.root / "data").exists()


# -- the editor's reading of the site is never stale ----------------------------------------------

def test_a_changed_site_yaml_a_new_article_and_a_hand_edit_are_seen_by_the_next_request(served):
    site, server = served()
    client = Client(server)
    status, _headers, page = client.request("GET", "/admin/articles")
    assert "支部动态" in page
    site.write("site.yaml", MINIMAL_SITE.replace("支部动态", "支部新闻"))
    site.write("content/news/new.md", article("刚写好的"))
    site.write("content/notices/gone.md", article("改了名字的通知"))
    status, _headers, page = client.request("GET", "/admin/articles")
    titles = [a.get_text() for a in soup(page).select("table.articles a")]
    assert "支部新闻" in page and "支部动态" not in page
    assert "刚写好的" in titles and "改了名字的通知" in titles and "过期的通知" not in titles
    form = edit_form(client, "content/news/old.md")
    status, _headers, page = client.request("POST", "/admin/articles/preview", {**form, "body": "[见](new.md)"})
    assert 'href="/news/new.html"' in page
    (site.root / "content" / "news" / "new.md").unlink()
    status, _headers, page = client.request("POST", "/admin/articles/preview", {**form, "body": "[见](new.md)"})
    assert 'href="/news/new.html"' not in page and "new.md" in page


def test_a_changed_theme_is_seen_at_once(make_site):
    site = make_site({"site.yaml": MINIMAL_SITE + "theme: mine\n",
                      "themes/mine/theme.yaml": "extends: default\n"})
    files = SiteFiles(site.root)
    assert [d.name for d in files.settings().theme.dirs] == ["mine", "default"]
    site.write("themes/mine/theme.yaml", "name: mine\n")  # extends nothing now
    assert [d.name for d in files.settings().theme.dirs] == ["mine"]
    site.write("site.yaml", MINIMAL_SITE + "theme: missing\n")
    assert files.settings().theme is None and "找不到主题" in files.settings().problems[0].message
