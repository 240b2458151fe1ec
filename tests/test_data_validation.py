"""Board data files: schema errors and cross-checks with their exact messages and places."""

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from branchboard.board.data import check_data_text, read_data
from branchboard.errors import Report

SCHEMAS = Path(__file__).resolve().parents[1] / "themes" / "default" / "schemas"


def read_site(tmp_path, files, articles=(), settings=None):
    """Write files (paths relative to the site folder) and read the board data."""
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    report = Report()
    data = read_data(tmp_path, [SCHEMAS], set(articles), settings or {}, report)
    return data, report


def problems(report):
    """Each problem as (where, message), in file and line order."""
    return [(p.location(), p.message) for p in report.sorted()]


def only_problem(report):
    assert len(report.problems) == 1, problems(report)
    return report.problems[0]


# -- keys ------------------------------------------------------------------------

def test_english_and_chinese_keys_mix_in_one_file(tmp_path):
    data, report = read_site(tmp_path, {"data/honors.yaml": """
        - period: 2026年10月
          日期: 2026-10-28
          awards:
            - 称号: 星级职工
              name: 王建国
              星级: 4
            - title: 高产班组
              班组: 检修一班
        """})
    assert report.problems == []
    period = data["honors"][0]
    assert period["period"] == "2026年10月"
    assert period["date"] == dt.date(2026, 10, 28)
    assert period["awards"][0]["name"] == "王建国"
    assert period["awards"][0]["stars"] == 4
    assert period["awards"][1]["team"] == "检修一班"
    assert period["awards"][1]["name"] is None  # every declared field is present


def test_unknown_key_is_reported_with_a_suggestion(tmp_path):
    _, report = read_site(tmp_path, {"data/honors.yaml": """
        - 期次: 2026年10月
          日期: 2026-10-28
          表彰:
            - 称号: 星级职工
              姓名: 王建国
              星极: 4
        """})
    errors = [p for p in report.problems if p.message == "不认识的键“星极”"]
    assert len(errors) == 1
    assert errors[0].location() == "data/honors.yaml:6:7"
    assert errors[0].hint.startswith("是不是想写“星级”？")


def test_unknown_english_key_suggests_the_english_name(tmp_path):
    _, report = read_site(tmp_path, {"data/mailbox.yaml": """
        - date: 2026-11-01
          topic: 食堂
          stauts: 已受理
        """})
    problem = only_problem(report)
    assert (problem.location(), problem.message) == ("data/mailbox.yaml:3:3", "不认识的键“stauts”")
    assert problem.hint.startswith("是不是想写“status”？")


def test_one_field_written_in_both_languages_is_an_error(tmp_path):
    _, report = read_site(tmp_path, {"data/mailbox.yaml": """
        - date: 2026-11-01
          日期: 2026-11-02
          主题: 食堂
        """})
    assert problems(report) == [("data/mailbox.yaml:2:3", "“date”和“日期”是同一项，只能写一个")]


def test_missing_required_field_names_it_in_chinese(tmp_path):
    _, report = read_site(tmp_path, {"data/model_posts.yaml": """
        - post: 检修岗
          team: 检修一班
        """})
    problem = only_problem(report)
    assert (problem.location(), problem.message) == ("data/model_posts.yaml:1:3", "缺少 带头人")
    assert "带头人:" in problem.hint


def test_empty_required_value_is_an_error(tmp_path):
    _, report = read_site(tmp_path, {"data/model_posts.yaml": """
        - 岗位: 检修岗
          带头人:
        """})
    assert problems(report) == [("data/model_posts.yaml:2:3", "带头人 不能为空")]


# -- values ----------------------------------------------------------------------

def test_stars_outside_one_to_five(tmp_path):
    _, report = read_site(tmp_path, {"data/honors.yaml": """
        - 期次: 2026年10月
          日期: 2026-10-28
          表彰:
            - 称号: 星级职工
              姓名: 王建国
              星级: 6
            - title: 星级职工
              name: 李红
              stars: 0
        """})
    assert problems(report) == [
        ("data/honors.yaml:6:7", "星级 必须是 1 到 5 之间的整数，这里是 6"),
        ("data/honors.yaml:9:7", "stars 必须是 1 到 5 之间的整数，这里是 0"),
    ]
    assert report.problems[0].hint == "改成 1 到 5 之间的整数，例如 星级: 5"


def test_non_numeric_and_negative_points(tmp_path):
    _, report = read_site(tmp_path, {"data/performance.yaml": """
        大项:
          - {编号: A, 名称: 安全, 小项: [{编号: A1, 名称: 培训, 分值: 10}]}
        班组: [一班]
        考核期:
          - 期次: 2026年10月
            日期: 2026-10-31
            扣分:
              - {班组: 一班, 小项: A1, 分数: 三分}
              - {班组: 一班, 小项: A1, 分数: -1}
        """})
    assert problems(report) == [
        ("data/performance.yaml:8:26", "分数 必须是 不小于 0 的数字，这里是 “三分”"),
        ("data/performance.yaml:9:26", "分数 必须是 不小于 0 的数字，这里是 -1"),
    ]


def test_unknown_title_is_an_error_unless_the_site_declares_it(tmp_path):
    files = {"data/honors.yaml": """
        - 期次: 2026年10月
          日期: 2026-10-28
          表彰:
            - {称号: 技术能手, 姓名: 王建国}
        """}
    _, report = read_site(tmp_path, files)
    problem = only_problem(report)
    assert problem.location() == "data/honors.yaml:4:8"
    assert problem.message == "称号 必须是 以下之一：革新能手、生产标兵、高产班组、星级职工，这里是 “技术能手”"
    _, report = read_site(tmp_path, files, settings={"honor_titles": ["技术能手"]})
    assert report.problems == []


def test_impossible_date(tmp_path):
    _, report = read_site(tmp_path, {"data/mailbox.yaml": """
        - 日期: 2026-13-01
          主题: 食堂
        """})
    assert problems(report) == [
        ("data/mailbox.yaml:1:3", "日期 “2026-13-01”这个日期不存在（月份 1–12，日期不能超过当月天数）")]


def test_dates_become_dates_and_times_become_datetimes(tmp_path):
    data, report = read_site(tmp_path, {"data/mailbox.yaml": """
        - {日期: 2026年11月1日, 主题: 食堂}
        - {日期: "2026-11-02 16:30", 主题: 班车, 状态: 受理}
        """})
    assert report.problems == []
    assert data["mailbox"][0]["date"] == dt.date(2026, 11, 1)
    assert data["mailbox"][1]["date"] == dt.datetime(2026, 11, 2, 16, 30)
    assert [m["status"] for m in data["mailbox"]] == ["已受理", "已受理"]  # default, then synonym


def test_numbers_in_text_fields_keep_their_written_form(tmp_path):
    # YAML reads 16:30 as 990 (base 60) and 1.10 as 1.1; both are text here.
    data, report = read_site(tmp_path, {"data/performance.yaml": """
        大项:
          - 编号: 1
            名称: 安全
            小项:
              - {编号: 1.1, 名称: 培训, 分值: 10}
              - {编号: 1.10, 名称: 消防, 分值: 5}
        班组: [一班]
        """, "data/study.yaml": """
        安排: {星期: [周三], 时间: 16:30, 开始: 2026-11-01}
        """})
    assert report.problems == []
    assert [i["id"] for i in data["performance"]["categories"][0]["items"]] == ["1.1", "1.10"]
    assert data["performance"]["categories"][0]["id"] == "1"
    assert data["study"]["schedule"]["time"] == "16:30"


@pytest.mark.parametrize("written", ["[周三, 周五]", "[星期三, 礼拜五]", "[Wednesday, fri]", "周三、周五"])
def test_weekday_spellings(tmp_path, written):
    data, report = read_site(tmp_path, {"data/study.yaml": f"安排: {{星期: {written}, 开始: 2026-11-01}}\n"})
    assert report.problems == []
    assert data["study"]["schedule"]["weekdays"] == ["周三", "周五"]


def test_unknown_weekday(tmp_path):
    _, report = read_site(tmp_path, {"data/study.yaml": """
        安排:
          星期: [周三, 周八]
          开始: 2026-11-01
        """})
    assert problems(report) == [
        ("data/study.yaml:2:12", "星期 第 2 项 必须是 以下之一：周一、周二、周三、周四、周五、周六、周日，这里是 “周八”")]


# -- photos and articles ------------------------------------------------------------

def test_missing_photo(tmp_path):
    _, report = read_site(tmp_path, {
        "data/photos/wang.jpg": b"jpeg",
        "data/model_posts.yaml": """
        - {岗位: 检修岗, 带头人: 王建国, 照片: photos/wang.jpg}
        - {岗位: 运行岗, 带头人: 李红, 照片: photos/wang.jpeg}
        """})
    problem = only_problem(report)
    assert (problem.location(), problem.message) == (
        "data/model_posts.yaml:2:22", "照片 找不到照片文件 data/photos/wang.jpeg")
    assert problem.hint == "是不是想写“wang.jpg”？"


def test_photo_outside_the_data_folder(tmp_path):
    _, report = read_site(tmp_path, {
        "secret.jpg": b"jpeg",
        "data/model_posts.yaml": "- {岗位: 检修岗, 带头人: 王建国, 照片: ../secret.jpg}\n"})
    assert problems(report) == [
        ("data/model_posts.yaml:1:23", "照片 的路径不能跳出 data 文件夹：“../secret.jpg”")]


def test_missing_article(tmp_path):
    data, report = read_site(tmp_path, {"data/study.yaml": """
        课程:
          - {日期: 2026-11-04, 文章: content/study/a.md}
          - {日期: 2026-11-06, 文章: study/b.md}
        """}, articles={"study/a.md", "study/c.md"})
    assert problems(report) == [("data/study.yaml:3:22", "文章 指向的文章 content/study/b.md 不存在")]
    assert data["study"]["sessions"][0]["article"] == "study/a.md"


# -- cross-checks ----------------------------------------------------------------------

def test_team_award_that_names_a_person(tmp_path):
    _, report = read_site(tmp_path, {"data/honors.yaml": """
        - 期次: 2026年10月
          日期: 2026-10-28
          表彰:
            - 称号: 高产班组
              姓名: 张三
        """})
    problem = only_problem(report)
    assert (problem.location(), problem.message) == (
        "data/honors.yaml:5:7", "高产班组 表彰的是班组，这里写的是个人“张三”")


def test_star_employee_needs_stars(tmp_path):
    _, report = read_site(tmp_path, {"data/honors.yaml": """
        - 期次: 2026年10月
          日期: 2026-10-28
          表彰:
            - {称号: 星级职工, 姓名: 王建国}
        """})
    assert problems(report) == [("data/honors.yaml:4:7", "星级职工 要写 星级")]


PERFORMANCE_HEAD = """
        大项:
          - 编号: A
            名称: 安全
            小项:
              - {编号: A1, 名称: 培训, 分值: 10}
              - {编号: A2, 名称: 消防, 分值: 5}
        班组: [一班, 二班]
        考核期:
          - 期次: 2026年10月
            日期: 2026-10-31
            扣分:"""


def test_deduction_on_unknown_team_or_item(tmp_path):
    _, report = read_site(tmp_path, {"data/performance.yaml": PERFORMANCE_HEAD + """
              - {班组: 三班, 小项: A1, 分数: 1}
              - {班组: 一班, 小项: A22, 分数: 1}
        """})
    assert problems(report) == [
        ("data/performance.yaml:12:10", "没有班组“三班”"),
        ("data/performance.yaml:13:18", "没有小项“A22”"),
    ]
    assert report.sorted()[1].hint == "是不是想写“A2”？只能写 大项 里已经列出的小项。"


def test_deductions_above_the_item_maximum_are_summed_per_team_item_and_period(tmp_path):
    _, report = read_site(tmp_path, {"data/performance.yaml": PERFORMANCE_HEAD + """
              - {班组: 一班, 小项: A2, 分数: 3}
              - {班组: 二班, 小项: A2, 分数: 3}
              - {班组: 一班, 小项: A1, 分数: 3}
              - {班组: 一班, 小项: A2, 分数: 2.5}
          - 期次: 2026年11月
            日期: 2026-11-30
            扣分:
              - {班组: 一班, 小项: A2, 分数: 5}
        """})
    assert problems(report) == [
        ("data/performance.yaml:15:26",
         "一班 在 2026年10月 的小项“消防”共扣 5.5 分，超过了这一小项的分值 5"),
    ]


def test_duplicate_category_and_item_ids(tmp_path):
    _, report = read_site(tmp_path, {"data/performance.yaml": """
        大项:
          - 编号: A
            名称: 安全
            小项:
              - {编号: A1, 名称: 培训, 分值: 10}
          - id: A
            name: 质量
            items:
              - {id: A1, name: 合格率, max: 10}
        班组: [一班, 一班]
        """})
    assert problems(report) == [
        ("data/performance.yaml:6:5", "id“A”重复了，第 2 行已经用过"),
        ("data/performance.yaml:9:10", "id“A1”重复了，第 5 行已经用过"),
        ("data/performance.yaml:10:10", "班组 第 2 项“一班”重复了，第 10 行已经用过"),
    ]


EVALUATION = """
    - 期次: 2026年上半年
      日期: 2026-07-01
      应参评人数: {headcount}
      实参评人数: {participants}
      测评项目:
        - {{名称: 班子团结, 满意: 40, 基本满意: 6, 不满意: 2}}
"""


def test_votes_above_participants(tmp_path):
    _, report = read_site(tmp_path, {"data/evaluations.yaml": EVALUATION.format(headcount=50, participants=47)})
    assert problems(report) == [("data/evaluations.yaml:6:7", "“班子团结”的票数合计 48 超过了实参评人数 47")]


def test_participants_above_headcount(tmp_path):
    _, report = read_site(tmp_path, {"data/evaluations.yaml": EVALUATION.format(headcount=45, participants=48)})
    assert problems(report) == [("data/evaluations.yaml:4:3", "实参评人数 48 超过了 应参评人数 45")]


STUDY = """
    安排:
      星期: [周三, 周五]
      开始: 2026-11-01
      结束: 2026-11-30
    课程:"""


def test_session_off_the_weekly_rule_must_be_extra(tmp_path):
    _, report = read_site(tmp_path, {"data/study.yaml": STUDY + """
          - {日期: 2026-11-04, 主题: 在周三}
          - {日期: 2026-11-03, 主题: 在周二}
          - {日期: 2026-11-10, 主题: 周二加课, 加课: 是}
          - {日期: 2026-12-02, 主题: 结束之后的周三}
        """})
    assert problems(report) == [
        ("data/study.yaml:7:10", "2026-11-03 是周二，不在每周三、周五的安排里"),
        ("data/study.yaml:9:10", "2026-12-02 不在学习安排的起止日期（2026-11-01 至 2026-11-30）之内"),
    ]


def test_until_before_from(tmp_path):
    _, report = read_site(tmp_path, {"data/banners.yaml": """
        - 内容: 安全生产
          尺寸: 6x0.7m
          开始: 2026-11-10
          结束: 2026-11-01
        """})
    assert problems(report) == [("data/banners.yaml:4:3", "结束 2026-11-01 早于 开始 2026-11-10")]


# -- banners -----------------------------------------------------------------------------

@pytest.mark.parametrize("size, mm", [
    ("600x70cm", (6000, 700)), ("6000x700mm", (6000, 700)), ("6x0.7m", (6000, 700)),
    ("6 × 0.7 米", (6000, 700)), ("60cmx70cm", (600, 700)), ("会议室横幅", (6000, 700)),
])
def test_banner_sizes_become_millimetres(tmp_path, size, mm):
    data, report = read_site(tmp_path, {"data/banners.yaml": f"- {{内容: 安全生产, 尺寸: {size}}}\n"})
    assert report.problems == []
    assert data["banners"][0]["size"] == mm
    assert data["banners"][0]["style"] == "红底黄字"  # the default


def test_broken_banners_each_name_their_line(tmp_path):
    _, report = read_site(tmp_path, {"data/banners.yaml": """
        - {内容: "", 尺寸: 6x0.7m}
        - {内容: 安全生产, 尺寸: 六米}
        - {内容: 安全生产, 尺寸: 600x0cm}
        - {内容: 安全生产, 尺寸: 600x70}
        - {内容: 安全生产, 尺寸: 会议室条幅}
        - {内容: 安全生产, 尺寸: 6x0.7m, 样式: 黄底红字}
        """})
    assert problems(report) == [
        ("data/banners.yaml:1:4", "内容 不能为空"),
        ("data/banners.yaml:2:14", "尺寸 没有叫“六米”的预设尺寸"),
        ("data/banners.yaml:3:14", "尺寸 “600x0cm”的宽和高都必须大于 0"),
        ("data/banners.yaml:4:14", "尺寸 “600x70”不是尺寸，应写成“宽x高”并带单位，如 600x70cm、6x0.7m"),
        ("data/banners.yaml:5:14", "尺寸 没有叫“会议室条幅”的预设尺寸"),
        ("data/banners.yaml:6:26", "样式 必须是 以下之一：红底黄字、红底白字、白底红字，这里是 “黄底红字”"),
    ]
    assert report.sorted()[4].hint.startswith("是不是想写“会议室横幅”？")


# -- files ----------------------------------------------------------------------------------

def test_all_problems_of_two_broken_files_come_out_of_one_call(tmp_path):
    _, report = read_site(tmp_path, {
        "data/mailbox.yaml": """
        - {日期: 2026-11-01, 主题: 食堂, 状态: 已解决}
        - {日期: 2026-11-02}
        """,
        "data/honors.yaml": """
        - 期次: 2026年10月
          日期: 2026-10-28
          表彰:
            - {称号: 星级职工, 姓名: 王建国, 星级: 9}
        """})
    assert [where for where, _ in problems(report)] == [
        "data/honors.yaml:4:27", "data/mailbox.yaml:1:28", "data/mailbox.yaml:2:3"]


def test_a_yaml_error_does_not_stop_the_other_files(tmp_path):
    data, report = read_site(tmp_path, {
        "data/banners.yaml": "- 内容: [安全生产\n",
        "data/model_posts.yaml": "- {岗位: 检修岗, 带头人: 王建国}\n"})
    assert [p.path for p in report.problems] == ["data/banners.yaml"]
    assert data["model_posts"][0]["leader"] == "王建国"


def test_a_file_without_a_schema_is_loaded_as_it_is(tmp_path):
    data, report = read_site(tmp_path, {"data/phones.yml": "值班室: 8801\n"})
    assert report.problems == []
    assert data == {"phones": {"值班室": 8801}}


def test_an_empty_file_is_an_empty_kind(tmp_path):
    data, report = read_site(tmp_path, {"data/honors.yaml": "# 还没有\n", "data/study.yaml": ""})
    assert report.problems == []
    assert data == {"honors": [], "study": None}


def test_a_site_schema_comes_before_the_theme_schema(tmp_path):
    site_schemas = tmp_path / "schemas"
    site_schemas.mkdir()
    (site_schemas / "duty.yaml").write_text(
        "label: 值班表\ntype: list\nitem:\n  fields:\n    name: {type: text, alias: 姓名, required: true}\n",
        encoding="utf-8")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "duty.yaml").write_text("- 姓名: 王建国\n- 名字: 李红\n", encoding="utf-8")
    report = Report()
    data = read_data(tmp_path, [site_schemas, SCHEMAS], set(), {}, report)
    assert data["duty"][0] == {"name": "王建国"}
    assert problems(report) == [("data/duty.yaml:2:3", "不认识的键“名字”"),
                                ("data/duty.yaml:2:3", "缺少 姓名")]


def test_a_broken_schema_file_is_reported_at_its_line(tmp_path):
    site_schemas = tmp_path / "schemas"
    site_schemas.mkdir()
    (site_schemas / "duty.yaml").write_text(
        "label: 值班表\ntype: list\nitem:\n  fields:\n    name: {type: txt}\n", encoding="utf-8")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "duty.yaml").write_text("- name: 王建国\n", encoding="utf-8")
    report = Report()
    read_data(tmp_path, [site_schemas, SCHEMAS], set(), {}, report)
    assert problems(report) == [("schemas/duty.yaml:5:12", "没有“txt”这种类型")]


def test_one_data_files_text_is_checked_as_the_build_checks_it(tmp_path):
    (tmp_path / "data").mkdir()
    on_disk = "- 日期: 2026-11-22\n  主题: 来信\n"
    (tmp_path / "data" / "mailbox.yaml").write_text(on_disk, encoding="utf-8")
    text = "- 日期: 2026-11-22\n  主题: 来信\n  状态: 已完\n  回复日期: 2026-11-01\n"
    report = check_data_text(tmp_path, [SCHEMAS], set(), {}, "mailbox.yaml", text)
    assert problems(report) == [("data/mailbox.yaml:3:3", "状态 必须是 以下之一：已受理、办理中、已办结，这里是 “已完”"),
                                ("data/mailbox.yaml:4:3", "回复日期 2026-11-01 早于 日期 2026-11-22")]
    assert (tmp_path / "data" / "mailbox.yaml").read_text(encoding="utf-8") == on_disk  # only the text is read
    placeholder = check_data_text(tmp_path, [SCHEMAS], set(), {}, "mailbox.yaml", "- 日期: 2026-11-22\n  主题: 待填写\n")
    assert [p.line for p in placeholder.errors] == [2]
