"""Every mistake the secretary can make: a Chinese message with file:line, exit 1,
all problems in one run, no traceback, and the last good output untouched."""

from __future__ import annotations

import re

import pytest

from conftest import article, snapshot


def assert_failed_cleanly(result):
    assert result.code == 1, result.text
    assert "Traceback" not in result.text
    assert "错误" in result.err


def test_every_problem_is_reported_in_one_run_and_the_last_output_survives(make_site):
    site = make_site({"content/news/good.md": article("好文章")})
    site.build()
    before = snapshot(site.out)

    site.write("content/news/no-title.md", article(title=None))
    site.write("content/news/bad-date.md", article("坏日期", date="2026-13-01"))
    site.write("content/notices/bad-yaml.md", "---\n标题: 通知: 明天开会\n日期: 2026-11-20\n---\n正文\n")
    site.write("data/honors.yaml", "- 期次: 2026年10月\n  表彰: [\n")
    result = site.run("build", "--now", "2026-11-25")

    assert_failed_cleanly(result)
    assert "content/news/no-title.md:1:1: 错误：缺少标题" in result.err
    assert re.search(r"content/news/bad-date.md:3:\d+: 错误：日期：“2026-13-01”这个日期不存在", result.err)
    assert "content/notices/bad-yaml.md:2:" in result.err and "冒号" in result.err
    assert "data/honors.yaml:2:" in result.err
    assert snapshot(site.out) == before


def test_syntax_error_in_site_yaml_names_the_line(make_site):
    site = make_site({"site.yaml": "title: 测试\nsections:\n  - {id: news, title: 动态\n"})
    result = site.run("check")
    assert_failed_cleanly(result)
    assert re.search(r"^site\.yaml:3:\d+: 错误：YAML 格式错误", result.err, re.M)


def test_missing_date_and_missing_title_both_reported(make_site):
    site = make_site({"content/news/a.md": "---\n作者: 张三\n---\n正文\n"})
    result = site.run("check")
    assert_failed_cleanly(result)
    assert "content/news/a.md:1:1: 错误：缺少标题" in result.err
    assert "content/news/a.md:1:1: 错误：缺少日期" in result.err


def test_two_articles_with_one_url_are_an_error(make_site):
    site = make_site({
        "content/news/a.md": article("甲", slug="same"),
        "content/news/b.md": article("乙", slug="same"),
    })
    result = site.run("build", "--now", "2026-11-25")
    assert_failed_cleanly(result)
    assert "content/news/b.md:4:7: 错误：这篇文章的网址 news/same.html 和 content/news/a.md 相同" in result.err
    assert not site.out.exists()


def test_article_named_index_collides_with_the_listing(make_site):
    site = make_site({"content/news/index.md": article("首页冲突")})
    result = site.run("build", "--now", "2026-11-25")
    assert_failed_cleanly(result)
    assert "news/index.html" in result.err and "重名" in result.err


def test_missing_image_and_linked_page_name_their_lines(make_site):
    body = "第一段。\n\n![照片](images/missing.png)\n\n见[另一篇](other.md)。\n"
    site = make_site({"content/news/a.md": article("缺图", body=body)})
    result = site.run("check")
    assert_failed_cleanly(result)
    assert "content/news/a.md:7: 错误：图片 content/news/images/missing.png 不存在" in result.err
    assert "content/news/a.md:9: 错误：链接的文章 content/news/other.md 不存在" in result.err


def test_missing_cover_names_the_field(make_site):
    site = make_site({"content/news/a.md": article("封面", 封面="images/none.svg")})
    result = site.run("check")
    assert_failed_cleanly(result)
    assert "content/news/a.md:4:5: 错误：封面图片“images/none.svg”不存在" in result.err


def test_unknown_front_matter_key_is_a_warning_with_a_suggestion(make_site):
    site = make_site({"content/news/a.md": article("拼错", 摘用="一句话", tittle="x")})
    result = site.build()
    assert "content/news/a.md:4:1: 警告：不认识的文章信息“摘用”" in result.err
    assert "是不是想写“摘要”？" in result.err
    assert "是不是想写“title”？" in result.err
    assert (site.out / "news/a.html").is_file()


def test_unknown_site_key_suggests_the_right_one(make_site):
    from conftest import MINIMAL_SITE
    site = make_site({"site.yaml": MINIMAL_SITE + "page_sise: 5\n"})
    result = site.build()
    assert "site.yaml:6:1: 警告：site.yaml 不认识“page_sise”这一项" in result.err
    assert "是不是想写“page_size”？" in result.err


def test_missing_site_title_is_an_error(make_site):
    site = make_site({"site.yaml": "organization: 测试\n"})
    result = site.run("check")
    assert_failed_cleanly(result)
    assert "site.yaml:1:1: 错误：site.yaml 缺少必填项“title”" in result.err


def test_a_file_that_is_not_utf8_is_named_with_its_line(make_site):
    text = article("编码", body="第一行\n第二行是GBK\n")
    site = make_site({"content/news/gbk.md": text.encode("gbk")})
    result = site.run("check")
    assert_failed_cleanly(result)
    assert re.search(r"content/news/gbk\.md:2:\d+: 错误：文件不是 UTF-8 编码（看起来是 GBK/GB18030 编码）", result.err)
    assert "另存为" in result.err


def test_a_utf8_file_with_bom_and_crlf_is_fine(make_site):
    text = "\ufeff" + article("记事本", body="第一段\r\n").replace("\n", "\r\n")
    site = make_site({"content/news/bom.md": text.encode("utf-8")})
    site.build()
    assert site.page("news/bom.html").h1.get_text() == "记事本"


def test_duplicate_key_in_yaml_is_an_error(make_site):
    site = make_site({"content/news/a.md": "---\n标题: 一\n标题: 二\n日期: 2026-11-20\n---\n"})
    result = site.run("check")
    assert_failed_cleanly(result)
    assert "content/news/a.md:3:1: 错误：“标题”在同一处写了两次" in result.err


def test_front_matter_without_closing_line(make_site):
    site = make_site({"content/news/a.md": "---\n标题: 一\n日期: 2026-11-20\n正文\n"})
    result = site.run("check")
    assert_failed_cleanly(result)
    assert "content/news/a.md:1:1: 错误：文章信息开头的 --- 没有对应的结束行 ---" in result.err


@pytest.mark.parametrize("value", ["明天", "2026-02-30", "11/25"])
def test_impossible_or_unreadable_dates(make_site, value):
    site = make_site({"content/news/a.md": article("日期", date=value)})
    result = site.run("check")
    assert_failed_cleanly(result)
    assert "content/news/a.md:3:5: 错误：日期：" in result.err


def test_check_writes_nothing(make_site):
    site = make_site({"content/news/a.md": article("检查")})
    result = site.run("check", "--now", "2026-11-25")
    assert result.code == 0, result.text
    assert "检查完毕" in result.out
    assert not site.out.exists()


def test_screen_settings_and_content_mistakes_come_out_together(make_site):
    from conftest import MINIMAL_SITE
    site = make_site({
        "site.yaml": MINIMAL_SITE + "screen:\n  slides:\n    - {type: honours}\n",
        "content/news/a.md": article(title=None),
    })
    result = site.run("check")
    assert_failed_cleanly(result)
    assert "content/news/a.md:1:1: 错误：缺少标题" in result.err
    assert re.search(r"^site\.yaml:8:\d+: 错误：.*honours", result.err, re.M), result.err
