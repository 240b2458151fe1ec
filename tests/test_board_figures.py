"""Figures on the board pages, each against a hand-computed expectation."""

import datetime as dt
import posixpath
import textwrap
from decimal import Decimal
from pathlib import Path

import jinja2
import pytest

from branchboard.board.figures import board_pages, build_board, is_current, percent, percent_text
from branchboard.board.performance import change_text, rank
from branchboard.board.data import read_data
from branchboard.errors import Report

THEME = Path(__file__).resolve().parents[1] / "themes" / "default"
NOW = dt.datetime(2026, 11, 20, 10, 0)  # a Friday


def board_from(tmp_path, files, now=NOW, article_urls=None):
    """The board built from data files written into a tiny site."""
    (tmp_path / "data").mkdir(exist_ok=True)
    for name, text in files.items():
        (tmp_path / "data" / name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    report = Report()
    data = read_data(tmp_path, [THEME / "schemas"], set(article_urls or ()), {}, report)
    assert report.problems == []
    return build_board(data, now, article_urls or {})


# -- 绩效考核 -----------------------------------------------------------------------

PERFORMANCE = """
    大项:
      - 编号: A
        名称: 安全
        小项:
          - {编号: A1, 名称: 培训, 分值: 10}
          - {编号: A2, 名称: 消防, 分值: 5}
      - 编号: B
        名称: 质量
        小项:
          - {编号: B1, 名称: 合格率, 分值: 10}
    班组: [一班, 二班, 三班, 四班]
    考核期:
      - 期次: 2026年10月
        日期: 2026-10-31
        扣分:
          - {班组: 一班, 小项: A1, 分数: 0.5, 原因: 迟到}
          - {班组: 二班, 小项: B1, 分数: 3, 原因: 返工}
          - {班组: 三班, 小项: B1, 分数: 1.5}
          - {班组: 三班, 小项: A2, 分数: 1.5}
        加分:
          - {班组: 四班, 小项: A2, 分数: 1, 原因: 合理化建议}
      - 期次: 2026年9月
        日期: 2026-09-30
        扣分:
          - {班组: 一班, 小项: A1, 分数: 2, 原因: 未培训}
"""


@pytest.fixture
def performance(tmp_path):
    return board_from(tmp_path, {"performance.yaml": PERFORMANCE}).performance


def test_score_is_full_marks_minus_deductions_plus_bonuses(performance):
    assert performance.full_marks == Decimal(25)  # 10 + 5 + 10
    october = performance.periods[0]
    scores = {row.team: row.score_text for row in october.standings}
    assert scores == {"一班": "24.5", "二班": "22", "三班": "22", "四班": "26"}


def test_periods_are_newest_first_and_ranked_with_shared_ranks(performance):
    assert [p.period for p in performance.periods] == ["2026年10月", "2026年9月"]
    october = performance.periods[0]
    assert [(row.rank, row.team) for row in october.standings] == [
        (1, "四班"), (2, "一班"), (3, "二班"), (3, "三班")]
    assert [row.team for row in october.podium] == ["四班", "一班", "二班", "三班"]
    assert performance.latest is october


def test_change_against_the_previous_period(performance):
    october, september = performance.periods
    assert {r.team: r.change_text for r in october.standings} == {
        "一班": "+1.5", "二班": "−3", "三班": "−3", "四班": "+1"}  # September: 23, 25, 25, 25
    assert {r.change_text for r in september.standings} == {"—"}


def test_score_by_category_and_the_entries_behind_it(performance):
    october = performance.periods[0]
    third = next(r for r in october.standings if r.team == "三班")
    assert [(c.category, c.score_text, c.max_text) for c in third.categories] == [
        ("安全", "13.5", "15"), ("质量", "8.5", "10")]
    fourth = next(r for r in october.standings if r.team == "四班")
    assert [(b.item_name, b.category, b.points_text, b.reason) for b in fourth.bonuses] == [
        ("消防", "安全", "1", "合理化建议")]
    first = next(r for r in october.standings if r.team == "一班")
    assert [(d.item_id, d.points_text, d.reason) for d in first.deductions] == [("A1", "0.5", "迟到")]


def test_charts_come_with_the_figures(performance):
    assert performance.trend_chart is not None and "各班组得分走势" in performance.trend_chart
    assert 'aria-label="2026年10月 各班组得分（条形从 20 分起）"' in performance.periods[0].chart


def test_decimal_points_add_up_exactly(tmp_path):
    board = board_from(tmp_path, {"performance.yaml": """
        大项: [{编号: A, 名称: 安全, 小项: [{编号: A1, 名称: 培训, 分值: 1}]}]
        班组: [一班]
        考核期:
          - 期次: 一期
            日期: 2026-10-31
            扣分: [{班组: 一班, 小项: A1, 分数: 0.1}, {班组: 一班, 小项: A1, 分数: 0.2}]
        """})
    assert board.performance.periods[0].standings[0].score == Decimal("0.7")


def test_entries_count_towards_their_own_category_even_when_names_repeat(tmp_path):
    board = board_from(tmp_path, {"performance.yaml": """
        大项:
          - {编号: A, 名称: 管理, 小项: [{编号: A1, 名称: 台账, 分值: 10}]}
          - {编号: B, 名称: 管理, 小项: [{编号: B1, 名称: 例会, 分值: 5}]}
        班组: [一班]
        考核期:
          - {期次: 一期, 日期: 2026-10-31, 扣分: [{班组: 一班, 小项: B1, 分数: 2}]}
        """})
    row = board.performance.periods[0].standings[0]
    assert [c.score_text for c in row.categories] == ["10", "3"]


def test_competition_ranking_shares_ranks_on_ties():
    scores = [("甲", Decimal(9)), ("乙", Decimal(10)), ("丙", Decimal(9)), ("丁", Decimal(8))]
    assert rank(scores) == [(1, "乙", 10), (2, "甲", 9), (2, "丙", 9), (4, "丁", 8)]


@pytest.mark.parametrize("change, text", [
    (Decimal("1.5"), "+1.5"), (Decimal("-2.0"), "−2"), (Decimal(0), "0"), (None, "—")])
def test_change_text(change, text):
    assert change_text(change) == text


# -- rates ------------------------------------------------------------------------------

@pytest.mark.parametrize("part, whole, expected", [
    (1, 16, "6.3"),    # 6.25: half up, where banker's rounding would give 6.2
    (1, 2000, "0.1"),  # 0.05
    (1, 8, "12.5"),
    (2, 3, "66.7"),
    (48, 50, "96.0"),
])
def test_percent_rounds_half_up_to_one_decimal(part, whole, expected):
    assert percent(part, whole) == Decimal(expected)


def test_percent_of_nothing_is_shown_as_a_dash():
    assert percent(0, 0) is None
    assert percent_text(None) == "—"


def test_participation_and_satisfaction_rates(tmp_path):
    board = board_from(tmp_path, {"evaluations.yaml": """
        - 期次: 2025年下半年
          日期: 2026-01-10
          应参评人数: 40
          实参评人数: 40
        - 期次: 2026年上半年
          日期: 2026-07-01
          应参评人数: 50
          实参评人数: 48
          测评项目:
            - {名称: 班子团结, 满意: 40, 基本满意: 6, 不满意: 2}
            - {名称: 作风建设, 满意: 1, 基本满意: 0, 不满意: 15}
            - {名称: 未投票}
          整改措施:
            - {问题: 会议多, 措施: 精简会议, 状态: 推进中}
        """})
    latest = board.evaluations[0]
    assert latest.period == "2026年上半年"
    assert latest.participation_text == "96.0%"
    assert [(i.name, i.votes, i.rate_text) for i in latest.items] == [
        ("班子团结", 48, "95.8%"), ("作风建设", 16, "6.3%"), ("未投票", 0, "—")]
    assert [(m.status, m.status_class) for m in latest.measures] == [("整改中", "status-doing")]
    assert board.evaluations[1].chart is None  # no items, nothing to draw


# -- 学习培训 ---------------------------------------------------------------------------

STUDY = """
    安排:
      星期: [周三, 周五]
      时间: 16:30
      地点: 党员活动室
      主讲: 秦卫东
      开始: 2026-11-01
      结束: 2026-11-30
    课程:
      - {日期: 2026-11-11, 主题: 党章, 文章: study/dangzhang.md}
      - {日期: 2026-11-25, 取消: 是, 原因: 检修}
      - {日期: "2026-11-29 09:00", 主题: 周日加课, 加课: 是, 主讲: 汪成}
"""


@pytest.fixture
def study(tmp_path):
    return board_from(tmp_path, {"study.yaml": STUDY},
                      article_urls={"study/dangzhang.md": "study/dangzhang.html"}).study


def test_weekly_rule_is_expanded_and_merged_with_dated_sessions(study):
    # Wednesdays and Fridays in November 2026: 4, 6, 11, 13, 18, 20, 25, 27; plus the extra 29th.
    assert [s.date.day for s in study.upcoming] == [20, 25, 27, 29]
    assert [s.date.day for s in study.past] == [18, 13, 11, 6, 4]
    assert [s.date.day for s in study.upcoming if s.cancelled] == [25]
    assert study.upcoming[1].reason == "检修"


def test_session_details_fall_back_to_the_rule(study):
    extra = study.upcoming[-1]
    assert (extra.extra, extra.time, extra.speaker, extra.place, extra.weekday) == (
        True, "9:00", "汪成", "党员活动室", "周日")
    lesson = next(s for s in study.past if s.date.day == 11)
    assert (lesson.topic, lesson.time, lesson.speaker, lesson.article_url) == (
        "党章", "16:30", "秦卫东", "study/dangzhang.html")


def test_next_session_skips_cancelled_ones(tmp_path):
    board = board_from(tmp_path, {"study.yaml": STUDY}, now=dt.datetime(2026, 11, 21, 8, 0),
                       article_urls={"study/dangzhang.md": "study/dangzhang.html"})
    assert board.study.upcoming[0].cancelled
    assert board.study.next_session.date == dt.date(2026, 11, 27)


def test_weekly_rule_in_words(study):
    assert study.rule_text == "每周三、周五 16:30，地点：党员活动室，主讲：秦卫东"
    assert study.range_text == "2026年11月1日至2026年11月30日"


def test_an_open_rule_runs_eight_weeks_past_today(tmp_path):
    board = board_from(tmp_path, {"study.yaml": "安排: {星期: [周三], 开始: 2026-11-01}\n"})
    # Wednesdays from Nov 20 to Jan 15: Nov 25; Dec 2, 9, 16, 23, 30; Jan 6, 13.
    assert len(board.study.upcoming) == 8
    assert board.study.upcoming[-1].date == dt.date(2027, 1, 13)
    assert board.study.range_text == "2026年11月1日起"


# -- 条幅 ---------------------------------------------------------------------------------

BANNERS = """
    - {内容: 安全第一　预防为主, 尺寸: 600x70cm, 开始: 2026-11-01, 结束: 2026-11-20, 单字打印: A4}
    - {内容: 不忘初心, 尺寸: 会议室横幅, 样式: 白底红字, 开始: 2026-11-21}
    - {内容: 常年挂, 尺寸: 3x0.5m}
    - {内容: 已撤下, 尺寸: 3x0.5m, 结束: 2026-11-19}
"""


@pytest.mark.parametrize("today, current", [
    (dt.date(2026, 10, 31), ["常年挂", "已撤下"]),
    (dt.date(2026, 11, 20), ["安全第一　预防为主", "常年挂"]),  # the last day still counts
    (dt.date(2026, 11, 21), ["不忘初心", "常年挂"]),
])
def test_current_banners_on_a_date(tmp_path, today, current):
    board = board_from(tmp_path, {"banners.yaml": BANNERS}, now=dt.datetime.combine(today, dt.time(9)))
    assert [b.text for b in board.banners.current] == current


def test_banner_figures(tmp_path):
    banners = board_from(tmp_path, {"banners.yaml": BANNERS}).banners
    first = banners.current[0]
    assert (first.width_mm, first.height_mm, first.size_text) == (6000, 700, "6 × 0.7 米")
    assert first.tile_count == 8  # the full-width space is not printed
    assert [b.text for b in banners.upcoming] == ["不忘初心"]
    assert banners.upcoming[0].style_class == "banner-white-red"


def test_is_current_treats_missing_ends_as_open():
    day = dt.date(2026, 11, 20)
    assert is_current(None, None, day)
    assert not is_current(dt.date(2026, 11, 21), None, day)
    assert not is_current(None, dt.date(2026, 11, 19), day)


# -- 光荣榜, 职工信箱 -------------------------------------------------------------------------

def test_latest_honors_first_grouped_by_title(tmp_path):
    board = board_from(tmp_path, {"honors.yaml": """
        - 期次: 2026年9月
          日期: 2026-09-28
          表彰: [{称号: 生产标兵, 姓名: 孙强}]
        - 期次: 2026年10月
          日期: 2026-10-28
          表彰:
            - {称号: 星级职工, 姓名: 王建国, 星级: 4}
            - {称号: 革新能手, 姓名: 李红}
            - {称号: 星级职工, 姓名: 张伟, 星级: 5}
            - {称号: 星级职工, 姓名: 赵敏, 星级: 3}
            - {称号: 星级职工, 姓名: 钱多, 星级: 1}
            - {称号: 高产班组, 班组: 检修一班}
        """})
    latest = board.honors.latest
    assert latest.period == "2026年10月"
    assert [g.title for g in latest.groups] == ["星级职工", "革新能手", "高产班组"]
    star = latest.groups[0].awards[0]
    assert (star.stars_text, star.stars_label) == ("★★★★☆", "4 星")
    assert latest.groups[0].preview == "王建国、张伟、赵敏 等 4 人"
    assert latest.groups[2].awards[0].is_team
    assert [p.period for p in board.honors.archive] == ["2026年9月"]


def test_mailbox_counts_and_newest_first(tmp_path):
    board = board_from(tmp_path, {"mailbox.yaml": """
        - {日期: 2026-11-01, 主题: 食堂, 状态: 已办结, 回复: 已调整, 回复日期: 2026-11-03}
        - {日期: 2026-11-10, 主题: 班车, 状态: 办理中}
        - {日期: "2026-11-10 08:00", 主题: 澡堂}
        - {日期: 2026-11-05, 主题: 工装, 状态: 已办结}
        """})
    mailbox = board.mailbox
    assert [letter.topic for letter in mailbox.letters] == ["澡堂", "班车", "工装", "食堂"]
    assert [(c.status, c.count) for c in mailbox.counts] == [("已受理", 1), ("办理中", 1), ("已办结", 2)]
    assert mailbox.total == 4


# -- the whole board --------------------------------------------------------------------------

def test_no_board_data_means_no_board():
    assert build_board({}, NOW, {}) is None
    assert board_pages(None) == []


def test_pages_for_the_kinds_that_have_a_file(tmp_path):
    board = board_from(tmp_path, {"honors.yaml": "", "mailbox.yaml": "[]\n"})
    assert board.honors.latest is None and board.mailbox.total == 0
    assert board_pages(board) == [
        ("board/honors.html", "board/honors.html", {"title": "光荣榜"}),
        ("board/mailbox.html", "board/mailbox.html", {"title": "职工信箱"}),
    ]


def test_valid_but_empty_data_builds(tmp_path):
    board = board_from(tmp_path, {
        "performance.yaml": "大项: []\n班组: []\n",
        "study.yaml": "课程: []\n",
        "evaluations.yaml": "[]\n",
        "banners.yaml": "[]\n",
        "model_posts.yaml": "[]\n",
    })
    assert board.performance.latest is None and board.performance.trend_chart is None
    assert board.study.upcoming == () and board.study.rule_text == ""
    assert board.evaluations == () and board.banners.current == () and board.model_posts == ()


# -- templates ------------------------------------------------------------------------------------

FULL_SITE = {
    "performance.yaml": PERFORMANCE, "study.yaml": STUDY, "banners.yaml": BANNERS,
    "honors.yaml": "- {期次: 2026年10月, 日期: 2026-10-28, 表彰: [{称号: 星级职工, 姓名: 王<b>, 星级: 4}]}\n",
    "mailbox.yaml": '- {日期: 2026-11-01, 主题: 食堂, 内容: "第一行\\n第二行"}\n',
    "evaluations.yaml": "- {期次: 上半年, 日期: 2026-07-01, 应参评人数: 5, 实参评人数: 4, "
                        "测评项目: [{名称: 团结, 满意: 3, 基本满意: 1}], 整改措施: [{问题: 会多}]}\n",
    "model_posts.yaml": "- {岗位: 检修岗, 带头人: 王建国, 设岗日期: 2024-03-01}\n",
}


def render_board(board, data=None):
    """Every board page and the highlights, through a stand-in base.html."""
    base = ('<html lang="zh-CN"><title>{% block title %}{% endblock %}</title>'
            '<main>{% block content %}{% endblock %}</main></html>')
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.DictLoader({"base.html": base}),
                                    jinja2.FileSystemLoader(THEME / "templates")]),
        autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["cn_date"] = lambda d: f"{d.year}年{d.month}月{d.day}日"
    env.filters["cn_date_short"] = lambda d: f"{d.month}月{d.day}日"
    site = {"title": "宣传栏", "organization": "支部", "honor_titles": [], "mailbox_intro": "投信箱"}
    pages = {}
    for path, template, extra in board_pages(board) + [("index.html", "board/_highlights.html", {})]:
        env.globals["url"] = lambda target, here=path: posixpath.relpath(target, posixpath.dirname(here) or ".")
        pages[path] = env.get_template(template).render(
            site=site, board=board, data=data or {}, now=NOW, page_path=path, **extra)
    return pages


def test_every_board_page_renders(tmp_path):
    pages = render_board(board_from(tmp_path, FULL_SITE, article_urls={"study/dangzhang.md": "study/dangzhang.html"}))
    assert len(pages) == 8
    assert "<title>绩效考核</title>" in pages["board/performance.html"]
    assert '<th scope="row">四班</th>' in pages["board/performance.html"]
    assert 'aria-label="4 星">★★★★☆</span>' in pages["board/honors.html"]
    assert "王&lt;b&gt;" in pages["board/honors.html"]
    assert '<a href="../study/dangzhang.html">' in pages["board/study.html"]
    assert "<p>第一行</p><p>第二行</p>" in pages["board/mailbox.html"]
    assert 'href="board/honors.html"' in pages["index.html"]
