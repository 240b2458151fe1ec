"""`new`: articles and data entries in the file's own style, never a lost byte, and
never live before they are filled in."""

from __future__ import annotations

import re
import shutil

import pytest
import yaml

from branchboard.scaffold.new import slugify
from branchboard.scaffold.yamlappend import append_entry
from branchboard.site.yamlio import loader_class
from conftest import PROJECT, article, hint_command, snapshot


NOW = ("--now", "2026-11-25")  # a Wednesday
SITE_WITH_AUTHOR = """\
title: 测试支部宣传栏
author: 张丽华
sections:
  - {id: news, title: 支部动态}
  - {id: notices, title: 通知公告}
"""


def data_of(site, name: str):
    """A data file as YAML reads it, dates left as written."""
    return yaml.load((site.root / "data" / name).read_text(encoding="utf-8"), Loader=loader_class())


def is_insertion(old: str, new: str) -> bool:
    """Whether ``new`` is ``old`` with one piece of text put in somewhere."""
    same = 0
    while same < min(len(old), len(new)) and old[same] == new[same]:
        same += 1
    rest = len(old) - same
    return len(new) > len(old) and new[len(new) - rest:] == old[same:]


def fill_in(site) -> None:
    """Replace what `new` left to fill in, as the secretary does."""
    for path in [*site.root.glob("data/*.yaml"), *site.root.rglob("content/**/*.md")]:
        text = path.read_bytes().decode("utf-8")
        filled = text.replace("待填写", "已填写").replace("在这里写正文。", "正文。")
        if filled != text:
            path.write_bytes(filled.encode("utf-8"))


def assert_checks(site):
    """What `new` wrote is right but for its placeholders: check names only
    those, and passes once they are filled in."""
    first = site.run("check", *NOW)
    errors = [line for line in first.err.splitlines() if ": 错误：" in line]
    assert errors and all("没有填上实际内容" in line for line in errors), first.text
    fill_in(site)
    result = site.run("check", *NOW)
    assert result.code == 0, result.text


def test_a_new_article_has_its_front_matter_filled_in_and_builds(make_site):
    site = make_site({"site.yaml": SITE_WITH_AUTHOR})
    result = site.run("new", "article", "news", "支部召开主题党日活动", *NOW)
    assert result.code == 0, result.text
    rel = "content/news/2026-11-25-支部召开主题党日活动.md"
    assert rel in result.out and "下一步" in result.out
    text = (site.root / rel).read_text(encoding="utf-8")
    front = yaml.load(text.split("---\n")[1], Loader=loader_class())
    assert front == {"标题": "支部召开主题党日活动", "日期": "2026-11-25", "作者": "张丽华",
                     "摘要": None, "标签": []}
    fill_in(site)
    site.build()
    page = site.page("news/2026-11-25-支部召开主题党日活动.html")
    assert "支部召开主题党日活动" in page.get_text()
    assert "插入照片" not in page.get_text()  # the hints are for the file, not the board


def test_unsafe_characters_in_a_title_become_dashes_and_the_title_survives(make_site):
    site = make_site()
    title = '通知: 3/4号 "停电"检修?'
    result = site.run("new", "article", "notices", title, *NOW)
    assert result.code == 0, result.text
    path = site.root / "content/notices/2026-11-25-通知-3-4号-停电-检修.md"
    assert path.is_file(), result.out
    fill_in(site)
    site.build()
    assert title in site.page("notices/2026-11-25-通知-3-4号-停电-检修.html").get_text()


@pytest.mark.parametrize("title, slug", [
    ("支部大会", "支部大会"), ("a/b\\c", "a-b-c"), ("  两头空格  ", "两头空格"), ("问？号", "问？号"),
    ("..", ""), ("a  b", "a-b"), ("C:盘", "C-盘"), ("#1 <第一期>", "1-第一期"),
])
def test_slugify_keeps_chinese_and_replaces_what_file_names_cannot_hold(title, slug):
    assert slugify(title) == slug


def test_the_same_title_twice_on_one_day_is_refused_and_the_first_file_is_untouched(make_site):
    site = make_site()
    assert site.run("new", "article", "news", "支部大会", *NOW).code == 0
    path = site.root / "content/news/2026-11-25-支部大会.md"
    path.write_text(path.read_text(encoding="utf-8") + "书记写好的正文。\n", encoding="utf-8")
    before = path.read_bytes()
    result = site.run("new", "article", "news", "支部大会", *NOW)
    assert result.code == 1 and "Traceback" not in result.text
    assert "已经存在" in result.err and "content/news/2026-11-25-支部大会.md" in result.err
    assert path.read_bytes() == before


def test_an_unknown_section_is_refused_with_the_list_of_sections(make_site):
    site = make_site({"content/experience/a.md": article("经验")})
    result = site.run("new", "article", "nwes", "标题", *NOW)
    assert result.code == 1 and "Traceback" not in result.text
    assert "news（支部动态）" in result.err and "notices（通知公告）" in result.err
    assert "experience" in result.err and "是不是想写“news”" in result.err
    assert not (site.root / "content/nwes").exists()


def test_a_section_may_be_named_by_its_title_or_an_existing_folder(make_site):
    site = make_site({"content/experience/a.md": article("经验")})
    assert site.run("new", "article", "支部动态", "用栏目名称", *NOW).code == 0
    assert (site.root / "content/news/2026-11-25-用栏目名称.md").is_file()
    assert site.run("new", "article", "experience", "已有的文件夹", *NOW).code == 0
    assert (site.root / "content/experience/2026-11-25-已有的文件夹.md").is_file()


# -- data files ------------------------------------------------------------------------

def copy_of_the_example(make_site, data_file: str):
    """The repository's site.yaml, articles and photos, with one of its data files."""
    site = make_site({"site.yaml": (PROJECT / "site.yaml").read_text(encoding="utf-8")})
    shutil.copytree(PROJECT / "content", site.root / "content")
    shutil.copytree(PROJECT / "data/photos", site.root / "data/photos")
    shutil.copyfile(PROJECT / "data" / data_file, site.root / "data" / data_file)
    return site


@pytest.mark.parametrize("kind, data_file", [("honor", "honors.yaml"), ("study", "study.yaml"),
                                             ("mailbox", "mailbox.yaml")])
def test_a_new_entry_keeps_every_byte_of_the_example_file_and_checks(make_site, kind, data_file):
    site = copy_of_the_example(make_site, data_file)
    assert site.run("check", *NOW).code == 0
    before = (site.root / "data" / data_file).read_bytes()
    entries = len(data_of(site, data_file)["课程"] if kind == "study" else data_of(site, data_file))

    result = site.run("new", kind, *NOW)

    assert result.code == 0, result.text
    assert f"data/{data_file}" in result.out and "行" in result.out
    after = (site.root / "data" / data_file).read_bytes()
    assert after.startswith(before) and len(after) > len(before)
    added = data_of(site, data_file)
    listed = added["课程"] if kind == "study" else added
    assert len(listed) == entries + 1 and "待填写" in str(listed[-1])
    assert_checks(site)


def test_every_new_honor_period_gets_its_own_name(make_site):
    site = copy_of_the_example(make_site, "honors.yaml")
    for _ in range(3):
        assert site.run("new", "honor", *NOW).code == 0
    periods = [p["期次"] for p in data_of(site, "honors.yaml")[-3:]]
    assert periods == ["2026年11月", "2026年11月（2）", "2026年11月（3）"]
    assert_checks(site)


@pytest.mark.parametrize("kind, data_file", [("honor", "honors.yaml"), ("study", "study.yaml"),
                                             ("mailbox", "mailbox.yaml")])
def test_a_missing_data_file_is_started_with_a_header_comment(make_site, kind, data_file):
    site = make_site({"content/news/a.md": article("甲")})
    result = site.run("new", kind, *NOW)
    assert result.code == 0, result.text
    text = (site.root / "data" / data_file).read_text(encoding="utf-8")
    assert text.startswith("# ") and "待填写" in text
    assert_checks(site)
    assert site.run("new", kind, *NOW).code == 0  # and the started file takes more
    assert_checks(site)


def test_a_file_without_a_final_newline_gets_one_before_the_entry(make_site):
    old = "- 日期: 2026-11-02\n  主题: 食堂饭菜\n  状态: 已受理".encode()
    site = make_site({"data/mailbox.yaml": old})
    assert site.run("new", "mailbox", *NOW).code == 0
    after = (site.root / "data/mailbox.yaml").read_bytes()
    assert after.startswith(old + b"\n")
    assert [m["日期"] for m in data_of(site, "mailbox.yaml")] == ["2026-11-02", "2026-11-25"]
    assert_checks(site)


def test_windows_line_ends_are_kept_and_used_for_the_entry(make_site):
    old = "\ufeff# 光荣榜\r\n- 期次: 2026年10月\r\n  日期: 2026-11-01\r\n  表彰:\r\n    - 称号: 生产标兵\r\n      姓名: 王建国\r\n"
    site = make_site({"data/honors.yaml": old.encode()})
    assert site.run("new", "honor", *NOW).code == 0
    after = (site.root / "data/honors.yaml").read_bytes()
    assert after.startswith(old.encode())
    assert b"\n" not in after.replace(b"\r\n", b"")
    assert_checks(site)


STUDY_SESSIONS_FIRST = """\
课程:
  - 日期: 2026-11-18   # 周三
    主题: 党章

# 每周三学习
安排:
  星期: 周三
  开始: 2026-09-02
"""


def test_a_session_goes_at_the_end_of_the_sessions_list_even_when_other_keys_follow(make_site):
    site = make_site({"data/study.yaml": STUDY_SESSIONS_FIRST})
    result = site.run("new", "study", *NOW)
    assert result.code == 0, result.text
    text = (site.root / "data/study.yaml").read_text(encoding="utf-8")
    assert text.endswith("# 每周三学习\n安排:\n  星期: 周三\n  开始: 2026-09-02\n")
    assert is_insertion(STUDY_SESSIONS_FIRST, text)
    assert [s["日期"] for s in data_of(site, "study.yaml")["课程"]] == ["2026-11-18", "2026-11-25"]
    assert_checks(site)


def test_a_session_takes_the_next_free_day_of_the_schedule(make_site):
    site = make_site({"data/study.yaml": "安排:\n  星期: [周三, 周五]\n  开始: 2026-09-02\n"
                                         "课程:\n  - 日期: 2026-11-25\n    主题: 已有\n"})
    assert site.run("new", "study", *NOW).code == 0
    session = data_of(site, "study.yaml")["课程"][-1]
    assert session["日期"] == "2026-11-27" and "加课" not in session  # Friday: Wednesday is taken
    assert_checks(site)


def test_a_session_outside_the_schedule_is_marked_extra(make_site):
    site = make_site({"data/study.yaml": "安排:\n  星期: 周三\n  开始: 2026-09-02\n  结束: 2026-10-28\n"
                                         "课程:\n"})
    assert site.run("new", "study", *NOW).code == 0
    session = data_of(site, "study.yaml")["课程"][-1]
    assert session["日期"] == "2026-11-25" and session["加课"] is True
    assert_checks(site)


@pytest.mark.parametrize("kind, data_file, text, message", [
    ("honor", "honors.yaml", "- 期次: 2026年10月\n  表彰: [\n", "data/honors.yaml:2:"),
    ("study", "study.yaml", "课程: []\n", "方括号"),
    ("mailbox", "mailbox.yaml", "日期: 2026-11-01\n", "列表"),
])
def test_a_file_the_entry_cannot_safely_join_is_left_alone(make_site, kind, data_file, text, message):
    site = make_site({f"data/{data_file}": text})
    before = snapshot(site.root)
    result = site.run("new", kind, *NOW)
    assert result.code == 1 and "Traceback" not in result.text
    assert message in result.err
    assert snapshot(site.root) == before


ENTRY = ["# 新的一项", "- 日期: 2026-11-25", "  主题: 待填写", "  # 文章: 可不写"]


@pytest.mark.parametrize("text, list_keys", [
    ("", ()),
    ("# 只有注释\n", ()),
    ("- 日期: 2026-11-01\n  主题: 甲\n", ()),
    ("-   日期: 2026-11-01\n    主题: 甲\n# 结尾的注释\n", ()),
    ("- 日期: 2026-11-01\n  内容: |\n    第一行\n\n    第二行\n\n", ()),
    ("课程:\n- 日期: 2026-11-01\n  主题: 甲\n安排:\n  星期: 周三\n", ("课程",)),
    ("课程:\n    - 日期: 2026-11-01\n      主题: 甲\n\n\n# 安排的说明\n安排:\n  星期: 周三\n", ("课程",)),
    ("课程:\n安排:\n  星期: 周三\n", ("课程",)),
    ("安排:\n  星期: 周三\n课程:", ("课程",)),
    ("安排:\n  星期: 周三\n", ("课程",)),
    ("sessions:\n  - date: 2026-11-01\nschedule: {weekdays: 周三}\n", ("课程", "sessions")),
])
def test_an_entry_joins_any_block_list_as_an_insertion_that_parses(tmp_path, text, list_keys):
    path = tmp_path / "list.yaml"
    path.write_bytes(text.encode())
    line = append_entry(path, "data/list.yaml", ENTRY, list_keys)
    after = path.read_bytes().decode()
    assert is_insertion(text, after)
    assert after.split("\n")[line - 1].strip() in ("# 新的一项", "课程:")  # where the new text starts
    doc = yaml.load(after, Loader=loader_class())
    items = doc if not list_keys else next(doc[k] for k in list_keys if k in doc)
    assert items[-1] == {"日期": "2026-11-25", "主题": "待填写"}


def test_a_mistyped_new_command_is_a_usage_error(make_site):
    site = make_site()
    before = snapshot(site.root)
    for args in (("new",), ("new", "honour"), ("new", "article", "news")):
        result = site.run(*args)
        assert result.code == 2 and "用法错误" in result.err, args
    assert snapshot(site.root) == before


def test_eight_news_at_once_lose_no_entry(make_site):
    """Each `new` reads the file as the one before left it (a lock): run
    together, none writes over another's entry, also where the list is not
    the file's last key."""
    import os
    import subprocess
    import sys

    from conftest import BUILD_PY

    site = make_site({"data/study.yaml": STUDY_SESSIONS_FIRST})
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    procs = [subprocess.Popen([sys.executable, str(BUILD_PY), "new", "study", "--site", str(site.root), *NOW],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
             for _ in range(8)]
    for proc in procs:
        _out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode("utf-8")
    sessions = data_of(site, "study.yaml")["课程"]
    assert len(sessions) == 9 and len({s["日期"] for s in sessions}) == 9
    text = (site.root / "data/study.yaml").read_text(encoding="utf-8")
    assert text.endswith("# 每周三学习\n安排:\n  星期: 周三\n  开始: 2026-09-02\n")
    assert_checks(site)


def test_what_new_leaves_to_fill_in_never_goes_live(make_site):
    """A new entry's 待填写 and a new article's first line are errors at
    their lines until they are replaced; a draft may keep them, and 待填写
    within a sentence is text."""
    site = make_site({"site.yaml": SITE_WITH_AUTHOR,
                      "content/notices/form.md": article("填表", body="表格里待填写的栏目请用黑色笔填写。\n")})
    assert site.run("new", "honor", *NOW).code == 0
    assert site.run("new", "article", "news", "支部大会", *NOW).code == 0
    (site.root / "content/news/draft.md").write_text(article("草稿", 摘要="待填写", 草稿="true"), encoding="utf-8")
    result = site.run("build", *NOW)
    assert result.code == 1 and "Traceback" not in result.err, result.text
    honors = (site.root / "data/honors.yaml").read_text(encoding="utf-8").split("\n")
    wanted = {f"data/honors.yaml:{n}:" for n, line in enumerate(honors, 1)
              if re.search(r":\s*待填写(\s|$)", line)}
    assert len(wanted) == 4  # 姓名, 班组, 事迹, 奖励
    found = set(re.findall(r"^(data/honors\.yaml:\d+:)\d+: 错误：.*还是“待填写”", result.err, re.M))
    assert found == wanted, result.err
    assert re.search(r"^content/news/2026-11-25-支部大会\.md:\d+: 错误：正文还是“在这里写正文。”", result.err, re.M)
    assert "form.md" not in result.err and "draft.md" not in result.err
    assert not site.out.exists()


# -- new honor --期次, new study --加课 / --取消 ---------------------------------------------

def added_lines(before: str, after: str) -> list[str]:
    """The lines of ``after`` that ``before`` lacks, when ``after`` is ``before`` with lines put in
    (after the last line both share: a blank line before an appended entry counts as shared)."""
    old, new = before.split("\n"), after.split("\n")
    assert is_insertion(before, after)
    start = next(i for i, (a, b) in enumerate(zip(old + [None], new)) if a != b)
    return new[start:start + len(new) - len(old)]


def run_new_on_the_example(make_site, data_file: str, *args: str) -> list[str]:
    site = copy_of_the_example(make_site, data_file)
    before = (site.root / "data" / data_file).read_text(encoding="utf-8")
    result = site.run("new", *args)
    assert result.code == 0, result.text
    after = (site.root / "data" / data_file).read_text(encoding="utf-8")
    return added_lines(before, after), site


def test_new_honor_names_the_period_given(make_site):
    added, site = run_new_on_the_example(make_site, "honors.yaml", "honor", "--期次", "2026年11月",
                                         "--now", "2026-12-10")
    assert added[:3] == [f"# 2026-12-10 用 {hint_command(site.root)} new honor 添加：把“待填写”改成实际内容",
                         "- 期次: 2026年11月", "  日期: 2026-12-10"]
    again = site.run("new", "honor", "--期次", "2026-11", "--now", "2026-12-10")  # the same month, another way
    assert again.code == 1 and "已经有“2026年11月”" in again.err
    assert_checks(site)


@pytest.mark.parametrize("today, period", [("2026-12-03", "2026年11月"), ("2026-12-06", "2026年12月"),
                                           ("2027-01-05", "2026年12月")])
def test_in_the_first_days_of_a_month_new_honor_proposes_last_month(make_site, today, period):
    added, _site = run_new_on_the_example(make_site, "honors.yaml", "honor", "--now", today)
    assert f"- 期次: {period}" in added


def test_a_proposed_period_follows_the_files_own_way_of_writing_it(make_site):
    site = make_site({"data/honors.yaml": "- 期次: 2026-09\n  日期: 2026-10-08\n  表彰:\n"
                                          "    - 称号: 生产标兵\n      姓名: 王建国\n"})
    assert site.run("new", "honor", "--now", "2026-11-02").code == 0
    assert site.run("new", "honor", "--期次", "2026年11月", "--now", "2026-12-01").code == 0
    assert [p["期次"] for p in data_of(site, "honors.yaml")] == ["2026-09", "2026-10", "2026-11"]


def test_new_study_extra_adds_a_session_marked_extra_with_the_schedules_time_as_a_comment(make_site):
    added, site = run_new_on_the_example(make_site, "study.yaml", "study", "--加课", "2026-12-17", *NOW)
    assert added == [
        f"  # 2026-11-25 用 {hint_command(site.root)} new study --加课 添加：把“待填写”改成实际内容",
        "  - 日期: 2026-12-17",
        "    主题: 待填写",
        "    主讲: 待填写",
        "    加课: true          # 不在每周固定安排里的课",
        '    # 时间: "16:30"     （和平时不同时删掉开头的 # 号再改）',
        "    # 地点: 队部二楼学习室     （和平时不同时删掉开头的 # 号再改）",
        "",
    ]
    again = site.run("new", "study", "--加课", "2026-12-17", *NOW)
    assert again.code == 1 and "已经有 2026-12-17 的课" in again.err
    assert_checks(site)
    site.build()
    session = next(li for li in site.page("board/study.html").select("li.session") if "12月17日" in li.get_text())
    assert "加课" in session.get_text() and "地点：队部二楼学习室" in session.get_text()


def test_new_study_cancel_adds_two_lines_to_the_session_of_that_day(make_site):
    added, site = run_new_on_the_example(make_site, "study.yaml", "study", "--取消", "2026-12-09",
                                         "--原因", "全矿停电检修", *NOW)
    assert added == ["    取消: true", "    原因: 全矿停电检修"]
    text = (site.root / "data/study.yaml").read_text(encoding="utf-8")
    assert "    主讲: 曹永强\n    取消: true\n    原因: 全矿停电检修\n" in text
    site.build()
    session = next(li for li in site.page("board/study.html").select("li.session") if "12月9日" in li.get_text())
    assert "已取消" in session.get_text() and "全矿停电检修" in session.get_text()
    again = site.run("new", "study", "--取消", "2026-12-09", "--原因", "又一次", *NOW)
    assert again.code == 1 and "已经是取消的" in again.err


def test_a_cancelled_day_of_the_weekly_rule_is_added_as_a_dated_cancelled_session(make_site):
    site = make_site({"data/study.yaml": "安排:\n  星期: [周三]\n  开始: 2026-09-02\n课程:\n"
                                         "  - 日期: 2026-11-25\n    主题: 党章\n"})
    before = (site.root / "data/study.yaml").read_text(encoding="utf-8")
    result = site.run("new", "study", "--取消", "2026-12-02", *NOW)
    assert result.code == 0, result.text
    added = added_lines(before, (site.root / "data/study.yaml").read_text(encoding="utf-8"))
    assert "\n".join(added).endswith("  - 日期: 2026-12-02\n    取消: true\n    原因: 待填写\n")
    assert_checks(site)  # the reason is asked for like any 待填写


def test_cancelling_a_day_that_has_no_session_is_refused_and_nothing_changes(make_site):
    site = copy_of_the_example(make_site, "study.yaml")
    before = snapshot(site.root)
    result = site.run("new", "study", "--取消", "2026-12-10", "--原因", "停电", *NOW)  # a Thursday
    assert result.code == 1 and "不是学习日（每周三、周五）" in result.err and "Traceback" not in result.err
    assert snapshot(site.root) == before
