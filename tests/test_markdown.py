"""Markdown the way Chinese articles need it, checked on built pages."""

from __future__ import annotations

from conftest import article


def test_soft_line_breaks_between_chinese_characters_vanish(make_site):
    body = "我们党支部\n召开了会议，\n**认真学习**\n了文件。\nEnglish words\nstay apart.\n"
    site = make_site({"content/news/a.md": article("换行", body=body)})
    site.build()
    text = site.page("news/a.html").select_one(".prose p").get_text()
    assert text == "我们党支部召开了会议，认真学习了文件。\nEnglish words\nstay apart."


def test_a_line_break_next_to_a_rare_ideograph_vanishes_too(make_site):
    body = "王\U00020BB7\n同志发言。\n"  # 𠮷, outside the Basic Multilingual Plane, as in some names
    site = make_site({"content/news/a.md": article("换行", body=body)})
    site.build()
    assert site.page("news/a.html").select_one(".prose p").get_text() == "王\U00020BB7同志发言。"


def test_a_line_break_between_two_bold_or_linked_chinese_runs_vanishes_too(make_site):
    body = ("**安全生产**\n**人人有责**\n\n[学习通知](b.md)\n[会议纪要](b.md)\n\n"
            "- **甲班**\n  **乙班**\n\n**Safety**\n**first**\n\n**第一行**  \n**第二行**\n")
    site = make_site({"content/news/a.md": article("换行", body=body),
                      "content/news/b.md": article("目标")})
    site.build()
    page = site.page("news/a.html")
    texts = [p.get_text() for p in page.select(".prose p")]
    assert texts[:2] == ["安全生产人人有责", "学习通知会议纪要"]
    assert page.select_one(".prose li").get_text() == "甲班乙班"
    assert texts[2] == "Safety\nfirst"  # between Latin words the break is a space
    assert page.select_one(".prose p br") is not None and texts[3] == "第一行\n第二行"  # a hard break stays
    assert "人人有责</strong></p>\n<p>" in str(page.select_one(".prose"))  # between blocks: as laid out


def test_line_breaks_inside_code_are_kept(make_site):
    body = "```\n第一行\n第二行\n```\n"
    site = make_site({"content/news/a.md": article("代码", body=body)})
    site.build()
    assert site.page("news/a.html").select_one(".prose pre code").get_text() == "第一行\n第二行\n"


def test_heading_anchors_keep_chinese_and_toc_appears(make_site):
    body = "## 一、学习内容\n\n正文\n\n## 二、讨论\n\n正文\n\n### 发言摘要\n\n正文\n"
    site = make_site({"content/news/a.md": article("目录", body=body)})
    site.build()
    page = site.page("news/a.html")
    ids = [h["id"] for h in page.select(".prose h2, .prose h3")]
    assert ids == ["一学习内容", "二讨论", "发言摘要"]
    assert [a["href"] for a in page.select(".toc-box a")] == ["#一学习内容", "#二讨论", "#发言摘要"]


def test_tables_and_footnotes(make_site):
    body = "| 指标 | 数值 |\n| --- | --- |\n| 精煤产率 | 62.5% |\n\n见注释[^1]。\n\n[^1]: 数据来自调度室。\n"
    site = make_site({"content/news/a.md": article("表格", body=body)})
    site.build()
    page = site.page("news/a.html")
    assert [td.get_text() for td in page.select(".prose table td")] == ["精煤产率", "62.5%"]
    assert "数据来自调度室" in page.select_one(".prose .footnote").get_text()


def test_relative_links_to_articles_and_images_are_rewritten(make_site):
    body = "见[学习文章](../study/lesson.md#第一部分)和[通知](n.md)。\n\n![图](images/a%20b.svg)\n\n![图2](<images/a b.svg>)\n"
    site = make_site({
        "content/news/a.md": article("链接", body=body),
        "content/news/n.md": article("通知", slug="notice-1"),
        "content/news/images/a b.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
        "content/study/lesson.md": article("学习"),
        "site.yaml": "title: 测试\nsections: [{id: news, title: 动态}, {id: study, title: 学习}]\n",
    })
    site.build()
    page = site.page("news/a.html")
    hrefs = [a["href"] for a in page.select(".prose a")]
    assert hrefs == ["../study/lesson.html#%E7%AC%AC%E4%B8%80%E9%83%A8%E5%88%86", "notice-1.html"] or \
        hrefs == ["../study/lesson.html#第一部分", "notice-1.html"]
    assert [img["src"] for img in page.select(".prose img")] == ["images/a%20b.svg", "images/a%20b.svg"]
    assert (site.out / "news/images/a b.svg").is_file()


def test_external_images_are_refused_but_external_links_are_fine(make_site):
    body = "[新华网](http://www.xinhuanet.com/)\n\n![远程](https://example.com/x.png)\n"
    site = make_site({"content/news/a.md": article("外链", body=body)})
    result = site.run("check")
    assert result.code == 1
    assert "content/news/a.md:7: 错误：图片来自外网" in result.err
    assert "xinhuanet" not in result.err


SAMPLES = {
    "plain": "我们党支部\n召开了会议。\n\n- 一\n- 二\n\n1. 甲\n2. 乙\n",
    "table": "| 指标 | 数值 |\n| --- | ---: |\n| 精煤产率 | 62.5% |\n",
    "pipe in text only": "选煤 | 洗煤，不是表格。\n",
    "footnote": "见注释[^1]。\n\n[^1]: 数据来自调度室。\n",
    "attributes": "## 标题 {: #custom .big }\n\n段落{: .note }\n",
    "attributes without a colon": "## 标题 {#plain-id}\n\n正文。\n",
    "braces in text only": "集合 {甲, 乙} 不是属性。\n",
    "fenced": "```python\nprint('第一行')\n```\n\n~~~\n第二段\n~~~\n",
    "abbreviation": "QC 小组活动。\n\n*[QC]: 质量控制\n",
    "definition": "精煤\n:   洗选后的煤。\n\n原煤\n: 未经洗选。\n",
    "colon at line start": "会议决定：\n: 这一行以冒号开头\n",
    "headings": "## 一、学习\n\n### 发言\n\n#### 小结\n\n正文。\n",
    "code": "用 `grep` 查找，**加粗**与_斜体_。\n",
    "escapes": "\\*不是强调\\*，\\[不是链接\\]。\n",
    "links and images": "见[通知](a.md)、[参考][r]和[r]。\n\n![照片](images/a.jpg)\n\n[r]: b.md\n",
    "autolinks and tags": "网址 <http://example.com>，信箱 <a@b.cn>，<b>粗</b>。\n",
    "entities": "&copy; &#169; 与 AT&T。\n",
    "hard line break": "第一行  \n第二行\n",
    "hard line break, Windows line ends": "第一行  \r\n第二行\r\n",
    "hard line break from a tab": "第一二行\t\n第二行\n",
    "underscores only": "__加粗__与_斜体_，不用星号。\n",
    "asterisks only": "**加粗**与*斜体*。\n",
    "reference not defined": "见[通知][甲]、[乙]和![图][丙]。\n",
    "references defined": "见[通知][甲]、[甲]和![图][丙]、![丙]。\n\n[甲]: a.md\n[丙]: images/c.jpg\n",
    "image only": "![照片](images/a.jpg)\n",
    "headings outside the contents": "# 总标题\n\n## 一\n\n##### 细目\n\n###### 更细\n\n正文。\n",
    "headings skipping and returning": "#### 四级\n\n## 二级\n\n#### 又四级\n\n### 三级\n",
    "headings repeated": "## 小结\n\n## 小结\n\n## 小结_1\n\n## 小结\n\n##\n\n## \n",
    "heading underlined": "学习体会\n--------\n\n正文。\n",
    "heading with its own id": "## 标题 {: #own }\n\n## own\n\n## 标题\n",
    "headings with marks": "## A&B 与 &copy;\n\n## `代码`\n\n## [链接](a.md)\n\n## **粗**\n\n## 1 < 2 > 0\n",
    "heading with a footnote": "## 标题[^1]\n\n[^1]: 注。\n",
    "heading with a label": "## 很长的标题 { data-toc-label=\"短\" }\n",
    "heading with quotes and escapes": "## 他说\"好\"\n\n## \\*星号\\*\n",
    "contents marker": "[TOC]\n\n## 一、学习\n\n### 发言\n\n正文。\n",
    "everything": "## 总结 {: #sum }\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n注[^n]。QC。\n\n"
                  "```\ncode\n```\n\n术语\n: 解释\n\n*[QC]: 质量控制\n\n[^n]: 脚注。\n",
}


# the samples whose contents branchboard leaves to Markdown's toc
NOT_PLAIN_HEADINGS = {"headings with marks", "heading with a footnote", "heading with a label",
                      "heading with quotes and escapes", "contents marker"}


def test_every_sample_converts_the_same_with_speedups_on_and_off(monkeypatch):
    """The speed-ups (speedups.py, and extensions left out of a text that
    cannot use them) against plain Markdown with every extension.  Run this
    on a new Markdown release before raising speedups.TESTED."""
    from markdown.extensions.toc import TocTreeprocessor

    from branchboard.build.markup import MarkdownRenderer

    markdowns_contents = []  # texts whose contents Markdown's own toc made
    own_run = TocTreeprocessor.run

    def counted_run(self, doc):
        markdowns_contents.append(self.md)
        return own_run(self, doc)

    monkeypatch.setattr(TocTreeprocessor, "run", counted_run)
    plain, fast = MarkdownRenderer(speedups=False), MarkdownRenderer(speedups=True)
    for name, text in SAMPLES.items():
        markdowns_contents.clear()
        assert fast.render(text, None) == plain.render(text, None), name
        assert len(markdowns_contents) == (2 if name in NOT_PLAIN_HEADINGS else 1), name  # plain: always
    assert len(fast._instances) > 2  # the samples did need different sets
    assert len({len(patterns) for patterns in fast._inline_patterns.lists.values()}) > 2  # and inline patterns


def test_switched_off_markdown_is_used_as_it_comes(monkeypatch):
    """No speed-up is left: every extension, Markdown's own toc, its own
    is_block_level, and its inline patterns as registered."""
    import markdown
    from markdown.extensions.toc import TocTreeprocessor

    from branchboard.build.markup import EXTENSIONS, MarkdownRenderer

    contents_made_by = []
    own_run = TocTreeprocessor.run

    def recorded_run(self, doc):
        contents_made_by.append(type(self))
        return own_run(self, doc)

    monkeypatch.setattr(TocTreeprocessor, "run", recorded_run)
    plain = MarkdownRenderer(speedups=False)
    for text in SAMPLES.values():
        plain.render(text, None)
    assert contents_made_by == [TocTreeprocessor] * len(SAMPLES)
    (key, md), = plain._instances.items()
    assert key[0] == tuple(EXTENSIONS)
    assert md.treeprocessors["inline"].inlinePatterns is md.inlinePatterns
    assert md.is_block_level.__func__ is markdown.Markdown.is_block_level

    contents_made_by.clear()  # and the speed-ups, on, are seen by this test
    fast = MarkdownRenderer(speedups=True)
    for text in SAMPLES.values():
        fast.render(text, None)
    assert TocTreeprocessor not in contents_made_by
