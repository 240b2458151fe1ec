"""What the built pages show, read from the parsed HTML."""

from __future__ import annotations

from conftest import article


def titles(soup, selector=".card-title a"):
    return [a.get_text(strip=True) for a in soup.select(selector)]


def test_listing_is_newest_first_with_pinned_first_and_paginated(make_site):
    files = {f"content/news/a{i}.md": article(f"文章{i}", date=f"2026-11-{i + 1:02d}") for i in range(5)}
    files["content/news/old-pinned.md"] = article("置顶旧文", date="2026-01-01", 置顶="true")
    site = make_site({**files, "site.yaml": "title: 测试\npage_size: 4\nsections: [{id: news, title: 动态}]\n"})
    site.build()

    first = site.page("news/index.html")
    assert titles(first) == ["置顶旧文", "文章4", "文章3", "文章2"]
    assert first.select_one(".pager a[rel=next]")["href"] == "page2.html"
    second = site.page("news/page2.html")
    assert titles(second) == ["文章1", "文章0"]
    assert second.select_one(".pager a[rel=prev]")["href"] == "index.html"


def test_article_page_shows_chinese_date_author_tags_and_neighbours(make_site):
    site = make_site({
        "content/news/a.md": article("较早", date="2026-11-01"),
        "content/news/b.md": article("中间", date="2026-11-25 16:30", 作者="李明", 标签="[安全, 学习]"),
        "content/news/c.md": article("较新", date="2026-11-28"),
    })
    site.build("--now", "2026-12-01")
    page = site.page("news/b.html")
    assert page.h1.get_text() == "中间"
    assert page.select_one(".article-header time").get_text() == "2026年11月25日 星期三 16:30"
    assert "作者：李明" in page.select_one(".article-header .meta").get_text()
    tags = {a.get_text(): a["href"] for a in page.select(".tags a")}
    assert tags == {"安全": "../tags/%E5%AE%89%E5%85%A8.html", "学习": "../tags/%E5%AD%A6%E4%B9%A0.html"}
    assert page.select_one("a[rel=prev]")["href"] == "a.html"
    assert page.select_one("a[rel=next]")["href"] == "c.html"
    tag_page = site.page("tags/安全.html")
    assert titles(tag_page) == ["中间"]


def test_drafts_appear_only_with_the_drafts_flag(make_site):
    site = make_site({"content/news/d.md": article("草稿文", 草稿="true"),
                      "content/news/p.md": article("正式文")})
    site.build()
    assert not (site.out / "news/d.html").exists()
    assert titles(site.page("news/index.html")) == ["正式文"]
    site.build("--drafts")
    assert (site.out / "news/d.html").exists()
    assert "草稿" in site.page("news/d.html").select_one(".article-header").get_text()


def test_publish_and_expire_follow_the_given_day(make_site):
    site = make_site({
        "content/notices/future.md": article("下周发布", date="2026-11-20", 发布="2026-12-01"),
        "content/notices/expiring.md": article("月底下架", date="2026-11-20", 下架="2026-11-30"),
    })
    site.build("--now", "2026-11-30")
    assert titles(site.page("notices/index.html")) == ["月底下架"]
    site.build("--now", "2026-12-01")
    assert titles(site.page("notices/index.html")) == ["下周发布"]


def test_source_date_epoch_fixes_today(make_site):
    site = make_site({"content/notices/n.md": article("过期通知", 下架="2026-11-30")})
    # 2026-12-05 00:00 UTC
    result = site.run("build", env={"SOURCE_DATE_EPOCH": "1796428800"})
    assert result.code == 0, result.text
    assert titles(site.page("notices/index.html")) == []
    assert "2026年12月5日" in site.page("index.html").select_one(".today").get_text()


def test_home_shows_latest_of_each_section_with_pinned_first(make_site):
    site = make_site({
        "content/news/a.md": article("动态一", date="2026-11-01"),
        "content/news/b.md": article("动态二", date="2026-11-02"),
        "content/notices/n.md": article("重要通知", date="2026-10-01", 置顶="是"),
    })
    site.build()
    home = site.page("index.html")
    assert [a.get_text() for a in home.select(".pinned-list a")] == ["重要通知"]
    sections = {s.h2.get_text(strip=True): [a.get_text() for a in s.select(".latest-list li > a")]
                for s in home.select(".home-section")}
    assert sections == {"支部动态": ["动态二", "动态一"], "通知公告": ["重要通知"]}


def test_unlisted_section_still_builds_with_a_warning(make_site):
    site = make_site({"content/extra/a.md": article("额外")})
    result = site.build()
    assert "content/extra 没有写在 site.yaml 的 sections 里" in result.err
    assert site.page("extra/index.html").h1.get_text() == "extra"


def test_chinese_file_name_with_spaces_keeps_its_name(make_site):
    site = make_site({"content/news/2026-11-20 主题 党日.md": article("主题党日")})
    site.build()
    assert (site.out / "news/2026-11-20 主题 党日.html").is_file()
    link = site.page("news/index.html").select_one(".card-title a")["href"]
    assert link == "2026-11-20%20%E4%B8%BB%E9%A2%98%20%E5%85%9A%E6%97%A5.html"


def test_titles_and_text_are_escaped(make_site):
    site = make_site({"content/news/x.md": article('<script>alert("x")</script>', 摘要="<b>粗</b>")})
    site.build()
    raw = (site.out / "news/index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in raw
    assert "&lt;script&gt;" in raw
    assert site.page("news/index.html").select_one(".summary").get_text() == "<b>粗</b>"


def test_site_theme_extending_default_overrides_one_template(make_site):
    site = make_site({
        "site.yaml": "title: 测试\ntheme: mine\nsections: [{id: news, title: 动态}]\n",
        "themes/mine/theme.yaml": "extends: default\n",
        "themes/mine/templates/tag.html": '{% extends "base.html" %}{% block content %}<p id="mine">{{ tag.name }}</p>{% endblock %}',
        "themes/mine/static/extra.css": "body{}",
        "content/news/a.md": article("甲", 标签="[红色]"),
    })
    site.build()
    assert site.page("tags/红色.html").select_one("#mine").get_text() == "红色"
    assert site.page("news/a.html").h1.get_text() == "甲"  # from default
    assert (site.out / "static/extra.css").is_file() and (site.out / "static/style.css").is_file()


def test_template_error_names_the_template_and_line(make_site):
    site = make_site({
        "site.yaml": "title: 测试\ntheme: mine\n",
        "themes/mine/theme.yaml": "extends: default\n",
        "themes/mine/templates/tags.html": "line one\n{% if %}\n",
    })
    result = site.run("check")
    assert result.code == 1 and "Traceback" not in result.text
    assert "themes/mine/templates/tags.html:2: 错误：模板语法错误" in result.err


def test_a_template_naming_an_unknown_filter_is_reported_with_its_line(make_site):
    # found when the template is compiled, not when it is parsed
    site = make_site({
        "site.yaml": "title: 测试\ntheme: mine\n",
        "themes/mine/theme.yaml": "extends: default\n",
        "themes/mine/templates/tags.html": "line one\n\n{{ title | no_such_filter }}\n",
    })
    for command in ("check", "build"):
        result = site.run(command)
        assert result.code == 1 and "Traceback" not in result.text
        assert "themes/mine/templates/tags.html:3: 错误：模板语法错误" in result.err
        assert "no_such_filter" in result.err


def test_unknown_theme_is_reported(make_site):
    site = make_site({"site.yaml": "title: 测试\ntheme: nothing\n"})
    result = site.run("check")
    assert result.code == 1
    assert "找不到主题“nothing”" in result.err


def test_cover_is_shown_once(make_site):
    svg = "<svg xmlns='http://www.w3.org/2000/svg'/>"
    site = make_site({
        "content/news/images/封面 图.svg": svg,
        "content/news/a.md": article("只有封面", 封面="images/封面 图.svg"),
        "content/news/b.md": article("正文也有", 封面="images/封面 图.svg", body="![图](<images/封面 图.svg>)\n"),
    })
    site.build()
    a, b = site.page("news/a.html"), site.page("news/b.html")
    assert [img["src"] for img in a.select("img") if "emblem" not in img["src"]] == ["images/%E5%B0%81%E9%9D%A2%20%E5%9B%BE.svg"]
    assert [img["src"] for img in b.select("img") if "emblem" not in img["src"]] == ["images/%E5%B0%81%E9%9D%A2%20%E5%9B%BE.svg"]
    listing = site.page("news/index.html")
    assert len(listing.select(".card-cover img")) == 2


def test_data_file_without_schema_is_available_to_templates(make_site):
    site = make_site({
        "site.yaml": "title: 测试\ntheme: mine\n",
        "themes/mine/theme.yaml": "extends: default\n",
        "themes/mine/templates/tags.html":
            '{% extends "base.html" %}{% block content %}<ul id="duty">'
            '{% for d in data.duty %}<li>{{ d.日期 }} {{ d.值班 }}</li>{% endfor %}</ul>{% endblock %}',
        "data/duty.yaml": "- {日期: 2026-11-25, 值班: 王建国}\n- {日期: 2026-11-26, 值班: 李红梅}\n",
    })
    site.build()
    items = [li.get_text() for li in site.page("tags/index.html").select("#duty li")]
    assert items == ["2026-11-25 王建国", "2026-11-26 李红梅"]
