"""The editor's writer: a change to a data file differs from the file only
in the changed values' lines; comments, order, quoting, blank lines, BOM
and line ends stay; anything it cannot do exactly is refused."""

from __future__ import annotations

import pytest

from branchboard.editor.yamledit import REMOVE, append, change, insert, move
from branchboard.scaffold.yamlappend import Refused
from branchboard.site.yamlio import load_yaml
from conftest import PROJECT

DATA_FILES = sorted(p.name for p in (PROJECT / "data").glob("*.yaml"))


def scalar_paths(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from scalar_paths(item, path + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from scalar_paths(item, path + (i,))
    elif value is not None:
        yield path, value


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    """The lines that differ, once the lines both share at the start and the end are taken off."""
    old, new = before.split("\n"), after.split("\n")
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    return old[start:len(old) - end], new[start:len(new) - end]


def new_value(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value + 1
    return "改过的值：含冒号" if len(str(value)) % 2 else "改过 #不是注释"


@pytest.mark.parametrize("name", DATA_FILES)
def test_every_value_of_the_example_changes_only_its_own_lines(name):
    raw = (PROJECT / "data" / name).read_text(encoding="utf-8")
    doc = load_yaml(raw, name)[0]
    paths = list(scalar_paths(doc))
    assert paths
    step = max(1, len(paths) // 120)  # each value of the small files; of 绩效考核's 700, one in six
    for path, value in paths[::step]:
        after = change(raw, name, {path: new_value(value)})
        old, new = changed_lines(raw, after)
        multi_line = isinstance(value, str) and "\n" in value.rstrip("\n")
        assert 1 <= len(new) and (len(old) == 1 or multi_line), (path, old, new)
        if not multi_line:  # the rest of its line (a comment after it) stays
            prefix = old[0][:old[0].index(":") + 1] if ":" in old[0] and not old[0].lstrip().startswith("- ") \
                else old[0][:len(old[0]) - len(old[0].lstrip(" -"))]
            assert new[0].startswith(prefix), (path, old, new)
            if " #" in old[0] and not str(value).count("#"):
                assert new[0].endswith(old[0][old[0].index(" #"):]), (path, old, new)


def test_a_comment_after_a_value_quoting_and_a_plain_value_stay_as_written():
    raw = ("# 来信\n- 日期: 2026-11-20\n  主题: 待填写       # 写一句话\n  类别: '生产建议'\n"
           "  内容: \"原来的\"\n\n- 日期: 2026-11-21\n  主题: 第二封\n")
    after = change(raw, "data/mailbox.yaml", {(0, "主题"): "食堂饭菜", (0, "类别"): "生活后勤",
                                              (0, "内容"): "加一个窗口"})
    assert after == ("# 来信\n- 日期: 2026-11-20\n  主题: 食堂饭菜       # 写一句话\n  类别: '生活后勤'\n"
                     "  内容: \"加一个窗口\"\n\n- 日期: 2026-11-21\n  主题: 第二封\n")


def test_a_key_left_empty_gets_its_value_after_a_space_and_keeps_its_comment():
    raw = "标题: 支部大会\n摘要:            # 一两句话的简介\n作者:\n"
    after = change(raw, "content/news/a.md", {("摘要",): "一句话", ("作者",): "张三"})
    assert after == "标题: 支部大会\n摘要: 一句话            # 一两句话的简介\n作者: 张三\n"


def test_a_value_that_would_not_read_back_plain_is_quoted():
    raw = "- 主题: 旧的\n"
    for value, written in [("是", "是"), ("yes", '"yes"'), ("12", '"12"'), ("a: b", '"a: b"'),
                           ("# 开头", '"# 开头"'), ("", '""'), (" 空格", '" 空格"')]:
        assert change(raw, "x.yaml", {(0, "主题"): value}) == f"- 主题: {written}\n", value


def test_multi_line_text_becomes_a_block_at_the_right_depth_and_a_block_stays_one():
    raw = "- 主题: 一\n  回复: 旧\n  状态: 已办结\n"
    after = change(raw, "x.yaml", {(0, "回复"): "第一行\n第二行"})
    assert after == "- 主题: 一\n  回复: |-\n    第一行\n    第二行\n  状态: 已办结\n"
    again = change(after, "x.yaml", {(0, "回复"): "只有一行了"})
    assert again == "- 主题: 一\n  回复: |-\n    只有一行了\n  状态: 已办结\n"


def test_a_missing_key_is_added_after_the_mapping_s_last_key():
    raw = "- 日期: 2026-11-20\n  主题: 一\n  # 回复: 答复的内容\n\n- 日期: 2026-11-21\n  主题: 二\n"
    after = change(raw, "x.yaml", {(0, "回复"): "已经修好", (0, "回复日期"): "2026-11-25"})
    assert after == ("- 日期: 2026-11-20\n  主题: 一\n  回复: 已经修好\n  回复日期: 2026-11-25\n"
                     "  # 回复: 答复的内容\n\n- 日期: 2026-11-21\n  主题: 二\n")


def test_an_item_is_removed_with_its_lines_and_the_others_stay():
    raw = "课程:\n  - 日期: 2026-12-02\n    主题: 一\n  - 日期: 2026-12-04\n    主题: 二\n  - 日期: 2026-12-09\n"
    after = change(raw, "x.yaml", {("课程", 1): REMOVE})
    assert after == "课程:\n  - 日期: 2026-12-02\n    主题: 一\n  - 日期: 2026-12-09\n"


def test_windows_line_ends_and_a_bom_are_kept():
    raw = "\ufeff- 主题: 旧的\r\n  内容: 保留\r\n"
    after = change(raw, "x.yaml", {(0, "主题"): "新的", (0, "回复"): "一\n二"})
    assert after == "\ufeff- 主题: 新的\r\n  内容: 保留\r\n  回复: |-\r\n    一\r\n    二\r\n"


def test_what_cannot_be_done_exactly_is_refused():
    with pytest.raises(Refused):  # a key of an inline mapping
        change("- {主题: 一}\n", "x.yaml", {(0, "回复"): "加不上"})
    with pytest.raises(Refused):  # a path the file does not have (changed by hand meanwhile)
        change("- 主题: 一\n", "x.yaml", {(3, "主题"): "二"})
    with pytest.raises(Refused):  # a file with a mistake
        change("- 主题: 一\n 内容: 歪了\n", "x.yaml", {(0, "主题"): "二"})


# -- new items and removed items ------------------------------------------------------------

def test_an_appended_item_follows_the_lists_own_style():
    raw = (PROJECT / "data" / "study.yaml").read_text(encoding="utf-8")
    new = append(raw, "data/study.yaml", ("课程",), {"日期": "2026-12-12", "时间": "16:30", "加课": True})
    assert new.startswith(raw)  # nothing that was there changes
    assert new[len(raw):] == '\n  - 日期: 2026-12-12\n    时间: "16:30"\n    加课: true\n'


def test_an_item_goes_into_a_nested_list_or_a_new_key_holding_one():
    raw = "# 光荣榜\n- 期次: 一\n  日期: 2026-01-02\n  表彰:\n    - 称号: 生产标兵\n      姓名: 甲\n\n- 期次: 二\n  日期: 2026-02-02\n"
    one = append(raw, "data/honors.yaml", (0, "表彰"), {"称号": "革新能手", "姓名": "乙"})
    assert one == raw.replace("姓名: 甲\n", "姓名: 甲\n    - 称号: 革新能手\n      姓名: 乙\n")
    two = append(raw, "data/honors.yaml", (1, "表彰"), {"称号": "革新能手", "姓名": "丙"})
    assert two == raw + "  表彰:\n    - 称号: 革新能手\n      姓名: 丙\n"


def test_an_append_that_would_not_read_back_is_refused():
    with pytest.raises(Refused):
        append("a: [1, 2]\n", "data/x.yaml", ("a",), 3)
    with pytest.raises(Refused):
        append("- x\n", "data/x.yaml", (), {})


def test_a_removed_item_takes_one_separating_blank_line_with_it():
    raw = "l:\n  - a: 1\n\n  - a: 2\n\n  - a: 3\n"
    assert change(raw, "data/x.yaml", {("l", 1): REMOVE}) == "l:\n  - a: 1\n\n  - a: 3\n"
    assert change(raw, "data/x.yaml", {("l", 2): REMOVE}) == "l:\n  - a: 1\n\n  - a: 2\n"
    assert change(raw, "data/x.yaml", {("l", 0): REMOVE}) == "l:\n  - a: 2\n\n  - a: 3\n"


# -- moved items, inserted items, whole lists and groups ------------------------------------------

def test_a_moved_item_takes_only_its_own_lines_and_the_comments_stay():
    raw = (PROJECT / "data" / "banners.yaml").read_text(encoding="utf-8")
    doc = load_yaml(raw, "data/banners.yaml")[0]
    after = move(raw, "data/banners.yaml", (2,), 1)
    assert sorted(after.split("\n")) == sorted(raw.split("\n"))  # the same lines, none rewritten
    assert after.split("\n- 内容:")[0] == raw.split("\n- 内容:")[0]  # the comments at the top stay first
    assert load_yaml(after, "data/banners.yaml")[0] == [doc[0], doc[2], doc[1], *doc[3:]]
    assert move(after, "data/banners.yaml", (1,), 2) == raw  # and back again, byte for byte


def test_an_items_own_comment_moves_with_it_and_the_blank_lines_stay_put():
    raw = "课程:\n  - 日期: 1\n\n  # 补课\n  - 日期: 2  # 行尾\n    主题: 二\n\n  - 日期: 3\n# 结尾\n"
    assert move(raw, "x.yaml", ("课程", 1), 2) == (
        "课程:\n  - 日期: 1\n\n  - 日期: 3\n\n  # 补课\n  - 日期: 2  # 行尾\n    主题: 二\n# 结尾\n")
    crlf = raw.replace("\n", "\r\n").rstrip("\r\n")  # CRLF, no line end after the last line
    assert move(crlf, "x.yaml", ("课程", 2), 0) == (
        "课程:\r\n  - 日期: 3\r\n\r\n  - 日期: 1\r\n\r\n  # 补课\r\n  - 日期: 2  # 行尾\r\n    主题: 二\r\n# 结尾")


def test_a_move_it_cannot_make_is_refused():
    with pytest.raises(Refused):  # already the first
        move("- a\n- b\n", "x.yaml", (0,), -1)
    with pytest.raises(Refused):  # an inline list
        move("l: [a, b]\n", "x.yaml", ("l", 0), 1)
    with pytest.raises(Refused):  # not a list item
        move("a: 1\n", "x.yaml", ("a",), 0)


def test_an_inserted_item_adds_only_its_lines_before_the_given_one():
    raw = (PROJECT / "data" / "study.yaml").read_text(encoding="utf-8")
    sessions = load_yaml(raw, "data/study.yaml")[0]["课程"]
    at = next(i for i, s in enumerate(sessions) if str(s["日期"]) > "2026-11-28")
    after = insert(raw, "data/study.yaml", ("课程",), {"日期": "2026-11-28", "主题": "加课"}, at)
    gone, added = changed_lines(raw, after)
    assert gone == [] and sorted(added) == sorted(["  - 日期: 2026-11-28", "    主题: 加课", ""])
    assert load_yaml(after, "data/study.yaml")[0]["课程"][at]["主题"] == "加课"


def test_a_list_of_single_values_is_written_in_its_own_style():
    flow = "安排:\n  星期: [周三, 周五]   # 每周\n  地点: 二楼\n"
    assert change(flow, "x.yaml", {("安排", "星期"): ["周一", "周三"]}) == \
        "安排:\n  星期: [周一, 周三]   # 每周\n  地点: 二楼\n"
    block = "班组:\n  - 甲班\n  - 乙班\n考核期: []\n"
    assert change(block, "x.yaml", {("班组",): ["乙班", "甲班", "丙班"]}) == \
        "班组:\n  - 乙班\n  - 甲班\n  - 丙班\n考核期: []\n"
    with pytest.raises(Refused):  # a comment between the values would be lost
        change("班组:\n  - 甲班\n  # 新组\n  - 乙班\n", "x.yaml", {("班组",): ["乙班"]})


def test_a_missing_group_is_added_with_its_keys():
    raw = "# 学习\n课程:\n  - 日期: 2026-09-02\n"
    after = change(raw, "x.yaml", {("安排",): {"星期": ["周三"], "时间": "16:30", "开始": "2026-09-02"}})
    assert after == raw + '安排:\n  星期: [周三]\n  时间: "16:30"\n  开始: 2026-09-02\n'
