"""A ranking that shows the ranking: bars from a baseline that makes close
scores differ, the rank and the move since last period (↑2 / ↓1 / 持平 / 新)
beside each team, on the screen's slide and on the board page's chart."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup

from branchboard.board.charts import bar_chart, baseline
from conftest import MINIMAL_SITE

# Full marks 110.5.  September assesses four teams, October five: 新班 starts.
PERFORMANCE = """\
大项:
  - 编号: A
    名称: 安全
    小项:
      - {编号: A1, 名称: 培训, 分值: 100}
      - {编号: A2, 名称: 消防, 分值: 10.5}
班组: [甲班, 乙班, 丙班, 丁班, 新班]
考核期:
  - 期次: 2026年9月
    日期: 2026-09-30
    参加班组: 甲班、乙班、丙班、丁班
    扣分:
      - {班组: 甲班, 小项: A1, 分数: 3}
      - {班组: 丙班, 小项: A1, 分数: 1}
      - {班组: 丁班, 小项: A1, 分数: 2}
  - 期次: 2026年10月
    日期: 2026-10-31
    扣分:
      - {班组: 甲班, 小项: A1, 分数: 0.5}
      - {班组: 乙班, 小项: A1, 分数: 1.5}
      - {班组: 丁班, 小项: A2, 分数: 1.5}
      - {班组: 丙班, 小项: A1, 分数: 3.5}
"""
# September: 乙 110.5 (1), 丙 109.5 (2), 丁 108.5 (3), 甲 107.5 (4)
# October:   新 110.5 (1), 甲 110 (2), 乙 109 (3), 丁 109 (3, tied), 丙 107 (5)
OCTOBER = [("新班", 1, "110.5", "新"), ("甲班", 2, "110", "↑2"), ("乙班", 3, "109", "↓2"),
           ("丁班", 3, "109", "持平"), ("丙班", 5, "107", "↓3")]
SCREEN = "screen:\n  slides:\n    - type: performance\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from conftest import Site

    site = Site(tmp_path_factory.mktemp("ranking") / "site")
    site.write("site.yaml", MINIMAL_SITE + SCREEN)
    site.write("data/performance.yaml", PERFORMANCE)
    site.build()
    return site


def bar_rows(built) -> list[tuple[str, int, str, str, float]]:
    """(team, rank, score, move, bar length in %) of each row of the screen's slide."""
    rows = []
    for li in built.page("screen/index.html").select("section.slide-performance li.item"):
        width = re.fullmatch(r"width: ([\d.]+)%", li.select_one(".bar-fill")["style"]).group(1)
        move = li.select_one(".bar-move")
        rows.append((li.select_one(".bar-label").text, int(li.select_one(".rank").text),
                     li.select_one(".bar-value").text, move.text if move else "", float(width)))
    return rows


def chart_rows(svg) -> list[tuple[str, int, str, str, float]]:
    """(team, rank, score, move, bar length) of each bar of a chart's SVG."""
    rows = []
    for g in svg.find_all("g"):
        texts = g.find_all("text")
        move = g.select_one("tspan.bar-move")
        value = texts[-1].contents[0]
        rows.append((texts[1].text, int(g.select_one("text.bar-rank").text), str(value).strip(),
                     move.text if move else "", float(g.select_one("rect.bar")["width"])))
    return rows


def check_lengths_show_the_ranking(rows) -> None:
    scores = [Decimal(score) for _team, _rank, score, _move, _length in rows]
    lengths = [length for *_, length in rows]
    assert scores == sorted(scores, reverse=True)
    assert lengths == sorted(lengths, reverse=True)
    for (a, la), (b, lb) in zip(zip(scores, lengths), zip(scores[1:], lengths[1:])):
        assert (a == b) == (la == lb)  # a tie has one length, a difference a different one
    by_score = dict(zip(scores, lengths))
    assert by_score[Decimal(110)] - by_score[Decimal(107)] >= 0.1 * max(lengths)


def test_the_slide_shows_ranks_moves_and_bars_that_differ(built):
    rows = bar_rows(built)
    assert [(team, rank, score, move) for team, rank, score, move, _ in rows] == OCTOBER
    check_lengths_show_the_ranking(rows)
    slide = built.page("screen/index.html").select_one("section.slide-performance")
    assert slide.select_one(".slide-sub").text == "2026年10月 · 满分 110.5 分 · 条形从 105 分起"
    assert [m["class"] for m in slide.select(".bar-move")] == [
        ["bar-move", "move-new"], ["bar-move", "move-up"], ["bar-move", "move-down"], ["bar-move"],
        ["bar-move", "move-down"]]


def test_the_board_page_chart_shows_ranks_moves_and_bars_that_differ(built):
    page = built.page("board/performance.html")
    october, september = page.select("section.performance-period svg.chart")
    rows = chart_rows(october)
    assert [(team, rank, score, move) for team, rank, score, move, _ in rows] == OCTOBER
    check_lengths_show_the_ranking(rows)
    assert october["aria-label"] == "2026年10月 各班组得分（条形从 105 分起）"
    assert october.select_one("text.bar-base").text == "条形从 105 分起，不从 0 起"
    # the first period has nothing to move from: ranks, and no moves
    assert [(team, rank, move) for team, rank, _, move, _ in chart_rows(september)] == [
        ("乙班", 1, ""), ("丙班", 2, ""), ("丁班", 3, ""), ("甲班", 4, "")]


def test_a_team_not_assessed_has_no_score_that_period(built):
    page = built.page("board/performance.html")
    september = page.select("section.performance-period")[1]
    assert [th.text for th in september.select(".rank-table tbody th")] == ["乙班", "丙班", "丁班", "甲班"]


def test_points_for_a_team_not_assessed_that_period_are_an_error(make_site):
    text = PERFORMANCE.replace("      - {班组: 丁班, 小项: A1, 分数: 2}", "      - {班组: 新班, 小项: A1, 分数: 2}")
    site = make_site({"data/performance.yaml": text})
    result = site.run("check", "--now", "2026-11-25")
    assert result.code == 1
    assert "data/performance.yaml:15:10: 错误：新班 不在 2026年9月 的参加班组里，不能扣分" in result.text


@pytest.mark.parametrize("scores, top, base", [
    (["110", "109", "107"], "110.5", "105"),  # close scores: from a round number below them
    (["25", "25"], "25", "24.5"),  # all equal: still a bar
    (["80", "40", "20"], "100", "0"),  # a wide spread reads rightly from zero
])
def test_the_baseline_is_a_round_number_below_the_lowest_or_zero(scores, top, base):
    assert baseline([Decimal(s) for s in scores], Decimal(top)) == Decimal(base)


def test_a_chart_from_zero_says_nothing_of_a_baseline():
    svg = BeautifulSoup(bar_chart("满意率", [("A", Decimal(90), "90%"), ("B", Decimal(45), "45%")],
                                  Decimal(100)), "html.parser").svg
    assert svg.select("text.bar-base") == [] and svg["aria-label"] == "满意率"
    assert [float(r["width"]) for r in svg.select("rect.bar")] == [pytest.approx(2 * float(
        svg.select("rect.bar")[1]["width"])), float(svg.select("rect.bar")[1]["width"])]
