"""The commonest typing mistakes in YAML, named at the character to change.

Each case takes a file that builds, makes one mistake in it, and runs the
real build: exit 1, no traceback, the exact line:col and the fix in Chinese,
and the last good output left as it was."""

from __future__ import annotations

import pytest

from conftest import MINIMAL_SITE, snapshot

ARTICLE = "content/news/a.md"
FRONT = """\
---
标题: 支部大会
日期: 2026-11-20
作者: 张三
标签: [主题党日, 组织生活]
---
正文。
"""
SITE = MINIMAL_SITE + """\
honor_titles: [安全卫士, 节能标兵]
screen:
  seconds: 15
  slogan: 不忘初心
"""
HONORS = "data/honors.yaml"
DATA = """\
- 期次: 2026年10月
  日期: 2026-11-05
  表彰:
    - 称号: 生产标兵
      姓名: 张三
      事迹: 带头抢修
"""
GOOD = {ARTICLE: FRONT, "site.yaml": SITE, HONORS: DATA}

FULL_WIDTH_COLON = "中文冒号：把中文冒号“：”改成英文冒号“:”，冒号后面加一个空格"
NO_SPACE = "的冒号后面少了一个空格"
COMMA = "方括号里用了中文逗号“，”：请改成英文逗号“,”"
BRACKETS = "列表用了中文方括号"
QUOTES = "中文引号“ ”不能当作 YAML 的引号：请改成英文引号"
TAB = "缩进里有制表符（Tab）"
UNCLOSED = "引号没有配对"

# (file, what was right, the mistake, where: line:col, what the message says)
MISTAKES = {
    "full-width colon, front matter": (ARTICLE, "标题: 支部大会", "标题：支部大会", "2:3", f"“标题”后面用了{FULL_WIDTH_COLON}"),
    "full-width colon, second key": (ARTICLE, "日期: 2026", "日期：2026", "3:3", f"“日期”后面用了{FULL_WIDTH_COLON}"),
    "full-width colon, site.yaml": (
        "site.yaml", "title: 测试", "title：测试", "1:6", f"“title”后面用了{FULL_WIDTH_COLON}"),
    "full-width colon, nested in site.yaml": (
        "site.yaml", "  slogan: 不忘", "  slogan：不忘", "9:9", f"“slogan”后面用了{FULL_WIDTH_COLON}"),
    "full-width colon, data": (HONORS, "姓名: 张三", "姓名：张三", "5:9", f"“姓名”后面用了{FULL_WIDTH_COLON}"),
    "no space, front matter": (ARTICLE, "作者: 张三", "作者:张三", "4:3", f"“作者:”{NO_SPACE}"),
    "no space, site.yaml": ("site.yaml", "slogan: 不忘", "slogan:不忘", "9:9", f"“slogan:”{NO_SPACE}"),
    "no space, data": (HONORS, "日期: 2026-11-05", "日期:2026-11-05", "2:5", f"“日期:”{NO_SPACE}"),
    "full-width comma, front matter": (ARTICLE, "作者: 张三", "作者: [张三，李四]", "4:8", COMMA),
    "full-width comma, site.yaml": ("site.yaml", "安全卫士, 节能", "安全卫士，节能", "6:20", COMMA),
    "full-width comma, data": (HONORS, "事迹: 带头抢修", "事迹: [带头抢修，连续作战]", "6:16", COMMA),
    "lenticular brackets, front matter": (
        ARTICLE, "[主题党日, 组织生活]", "【主题党日, 组织生活】", "5:5", f"{BRACKETS}“【 】”：请改成英文方括号“[ ]”"),
    "lenticular brackets, site.yaml": (
        "site.yaml", "[安全卫士, 节能标兵]", "【安全卫士，节能标兵】", "6:15", f"{BRACKETS}“【 】”"),
    "closing lenticular bracket, site.yaml": (
        "site.yaml", "节能标兵]", "节能标兵】", "6:26", f"{BRACKETS}“】”：请改成英文方括号“]”"),
    "chinese quotes, front matter": (ARTICLE, "标题: 支部大会", "标题: “通知: 明天开会”", "2:5", QUOTES),
    "chinese quotes, site.yaml": ("site.yaml", "[安全卫士,", "[“安全卫士”,", "6:16", QUOTES),
    "chinese quotes, data": (HONORS, "事迹: 带头抢修", "事迹: “带头抢修: 连续作战”", "6:11", QUOTES),
    "tab, front matter": (ARTICLE, "作者: 张三", "\t作者: 张三", "4:1", TAB),
    "tab, site.yaml": ("site.yaml", "  slogan", "  \tslogan", "9:3", TAB),
    "tab, data": (HONORS, "      姓名", "\t      姓名", "5:1", TAB),
    "unclosed quote, front matter": (ARTICLE, "标题: 支部大会", '标题: "支部大会', "2:5", f"{UNCLOSED}：这里的 \" 开始了"),
    "unclosed quote, site.yaml": ("site.yaml", "slogan: 不忘初心", 'slogan: "不忘初心', "9:11", UNCLOSED),
    "unclosed quote, data": (HONORS, "姓名: 张三", "姓名: '张三", "5:11", f"{UNCLOSED}：这里的 ' 开始了"),
    "unclosed quote in a list, front matter": (ARTICLE, "[主题党日,", '["主题党日,', "5:6", UNCLOSED),
    "indented one more, front matter": (
        ARTICLE, "日期: 2026", " 日期: 2026", "3:2", "缩进不对：这一行前面有 1 个空格，同一级的其他行顶格写"),
    "indented one more, site.yaml": (
        "site.yaml", "  slogan", "   slogan", "9:4", "缩进不对：这一行前面有 3 个空格，同一级的其他行是 2 个空格（多了 1 个）"),
    "indented one less, site.yaml": (
        "site.yaml", "  slogan", " slogan", "9:2", "缩进不对：这一行前面有 1 个空格，同一级的其他行是 2 个空格（少了 1 个）"),
    "indented one less, data": (
        HONORS, "      姓名", "     姓名", "5:6", "缩进不对：这一行前面有 5 个空格，同一级的其他行是 6 个空格（少了 1 个）"),
    "indented two more, data": (
        HONORS, "      事迹", "        事迹", "6:9", "缩进不对：这一行前面有 8 个空格，同一级的其他行是 6 个空格（多了 2 个）"),
}


def built_site(make_site, changed: dict | None = None):
    """A good site built once, then the files in ``changed`` written over it."""
    site = make_site(dict(GOOD))
    site.build()
    before = snapshot(site.out)
    for rel, text in (changed or {}).items():
        site.write(rel, text)
    return site, before


def assert_reported(site, before, *expected: str):
    result = site.run("build", "--now", "2026-11-25")
    assert result.code == 1, result.text
    assert "Traceback" not in result.text
    for line in expected:
        assert line in result.err, result.err
    assert snapshot(site.out) == before


def mistaken(rel: str, right: str, wrong: str) -> str:
    assert GOOD[rel].count(right) == 1, right
    return GOOD[rel].replace(right, wrong)


@pytest.mark.parametrize("case", list(MISTAKES))
def test_typing_mistake_is_named_at_its_character(make_site, case):
    rel, right, wrong, where, message = MISTAKES[case]
    site, before = built_site(make_site, {rel: mistaken(rel, right, wrong)})
    assert_reported(site, before, f"{rel}:{where}: 错误：YAML 格式错误：{message}")


def test_every_mistake_in_a_file_is_named_in_one_run(make_site):
    text = mistaken(HONORS, "姓名: 张三", "姓名：张三").replace("事迹: 带头抢修", "事迹: '带头抢修")
    text = text.replace("  日期: 2026", "\t日期: 2026")
    site, before = built_site(make_site, {HONORS: text})
    assert_reported(site, before,
                    f"{HONORS}:2:1: 错误：YAML 格式错误：{TAB}",
                    f"{HONORS}:5:9: 错误：YAML 格式错误：“姓名”后面用了{FULL_WIDTH_COLON}")


def test_repaired_mistake_does_not_hide_the_next_one(make_site):
    text = mistaken(HONORS, "姓名: 张三", "姓名：张三").replace("事迹: 带头抢修", "事迹: '带头抢修")
    site, before = built_site(make_site, {HONORS: text})
    assert_reported(site, before,
                    f"{HONORS}:5:9: 错误：YAML 格式错误：“姓名”后面用了{FULL_WIDTH_COLON}",
                    f"{HONORS}:6:11: 错误：YAML 格式错误：{UNCLOSED}")


@pytest.mark.parametrize("rel, right, fine", [
    (ARTICLE, "作者: 张三", "作者: 时间：11月"),
    (ARTICLE, "作者: 张三", "作者: 见附件[1，2]"),
    (ARTICLE, "作者: 张三", "作者: 会议议程\n  第一项：学习党章\n  第二项：讨论"),
    ("site.yaml", "screen:", "ticker:\n  - 时间：11月\n  - 地点：会议室\nscreen:"),
    (HONORS, "事迹: 带头抢修", "事迹: 带头抢修，时间：11月"),
])
def test_a_full_width_colon_or_comma_in_a_value_is_fine(make_site, rel, right, fine):
    site = make_site({**GOOD, rel: mistaken(rel, right, fine)})
    result = site.build()
    assert "YAML" not in result.err


@pytest.mark.parametrize("written", ["[主题党日，组织生活]", "主题党日、组织生活", "[主题党日、组织生活]"])
def test_tags_written_with_chinese_commas_are_separate_tags(make_site, written):
    site = make_site({**GOOD, ARTICLE: mistaken(ARTICLE, "[主题党日, 组织生活]", written)})
    site.build()
    tags = [li.get_text() for li in site.page("news/a.html").select("ul.tags li")]
    assert tags == ["主题党日", "组织生活"]
