"""Inline SVG charts: well-formed, accessible, escaped, and drawn to scale."""

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from markupsafe import Markup

from branchboard.board.charts import (BANNER_COLOURS, banner_preview, bar_chart, line_chart, nice_range,
                                text_width)

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg):
    assert isinstance(svg, Markup)
    return ET.fromstring(str(svg))


def test_bar_chart_is_an_accessible_image():
    root = parse(bar_chart("10月 各班组得分", [("一班", Decimal(90), "90")], maximum=Decimal(100)))
    assert root.get("role") == "img"
    assert root.get("aria-label") == "10月 各班组得分"
    assert root[0].tag == f"{SVG}title" and root[0].text == "10月 各班组得分"


def test_bars_are_measured_from_zero_to_the_maximum():
    root = parse(bar_chart("得分", [("一班", Decimal(100), "100"), ("二班", Decimal("25.5"), "25.5")],
                           maximum=Decimal(100)))
    groups = root.findall(f"{SVG}g")
    tracks, bars = zip(*[[float(r.get("width")) for r in g.findall(f"{SVG}rect")] for g in groups])
    assert bars[0] == pytest.approx(tracks[0])
    assert bars[1] == pytest.approx(tracks[1] * 0.255, abs=0.1)
    assert [g.find(f"{SVG}title").text for g in groups] == ["一班：100", "二班：25.5"]
    assert [g.findall(f"{SVG}text")[1].text for g in groups] == ["100", "25.5"]


def test_a_score_above_the_maximum_stretches_the_scale():
    root = parse(bar_chart("得分", [("一班", Decimal(26), "26"), ("二班", Decimal(13), "13")],
                           maximum=Decimal(25)))
    bars = [float(g.findall(f"{SVG}rect")[1].get("width")) for g in root.findall(f"{SVG}g")]
    assert bars[1] == pytest.approx(bars[0] / 2)


def test_text_in_charts_is_escaped():
    label = '<script>alert("x")</script> & 班'
    svg = bar_chart(f"{label}的得分", [(label, Decimal(1), "1")], maximum=Decimal(2))
    assert "<script>" not in svg
    root = parse(svg)  # still well-formed XML
    assert root.get("aria-label") == f"{label}的得分"
    assert root.find(f"{SVG}g/{SVG}text").text == label


def test_line_chart_draws_one_line_per_team_and_leaves_gaps():
    root = parse(line_chart("走势", ["8月", "9月", "10月"],
                            [("一班", [Decimal(98), Decimal(99), None]),
                             ("二班", [None, Decimal(97), Decimal("97.5")])]))
    lines = root.findall(f"{SVG}g")
    assert [g.find(f"{SVG}title").text for g in lines] == ["一班", "二班"]
    assert [len(g.findall(f"{SVG}circle")) for g in lines] == [2, 2]
    assert [c.find(f"{SVG}title").text for c in lines[1].findall(f"{SVG}circle")] == [
        "二班 9月：97", "二班 10月：97.5"]
    texts = [t.text for t in root.findall(f"{SVG}text")]
    assert {"8月", "9月", "10月", "一班", "二班"} <= set(texts)


def test_line_chart_end_labels_do_not_overlap():
    same = [Decimal(95), Decimal(95)]
    root = parse(line_chart("走势", ["9月", "10月"], [("一班", same), ("二班", same), ("三班", same)]))
    names = [t for t in root.findall(f"{SVG}text") if t.text in ("一班", "二班", "三班")]
    ys = sorted(float(t.get("y")) for t in names)
    assert all(b - a >= 14 for a, b in zip(ys, ys[1:]))


@pytest.mark.parametrize("values, expected", [
    ([96.5, 100.5], (96, 102, 2)),  # steps of 1 would need six lines
    ([22, 26], (22, 26, 1)),
    ([40, 100], (40, 100, 20)),
    ([95, 95], (95, 95.5, 0.5)),
])
def test_nice_range_uses_round_steps(values, expected):
    assert nice_range(values) == expected


def test_line_ticks_cover_the_values():
    root = parse(line_chart("走势", ["9月", "10月"], [("一班", [Decimal("96.5"), Decimal("100.5")])]))
    ticks = [t.text for t in root.findall(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert ticks == ["96", "98", "100", "102"]


@pytest.mark.parametrize("style", ["红底黄字", "红底白字", "白底红字"])
def test_banner_preview_is_drawn_to_scale_in_its_colours(style):
    root = parse(banner_preview("不忘初心", 6000, 700, style))
    assert root.get("viewBox") == "0 0 6000 700"
    assert (root.get("width"), root.get("height")) == ("600", "70")
    background, ink = BANNER_COLOURS[style]
    assert root.find(f"{SVG}rect").get("fill") == background
    text = root.find(f"{SVG}text")
    assert (text.get("fill"), text.text) == (ink, "不忘初心")
    assert float(text.get("font-size")) == pytest.approx(490)  # 70% of the height: four characters fit


def test_long_banner_text_is_shrunk_to_fit_the_width():
    text = "热烈庆祝中国共产党成立一百零五周年"  # 17 characters on a 6 m banner
    root = parse(banner_preview(text, 6000, 700, "红底黄字"))
    assert float(root.find(f"{SVG}text").get("font-size")) == pytest.approx(6000 * 0.92 / 17, abs=0.1)


def test_text_width_counts_chinese_as_square():
    assert text_width("班组", 10) == 20
    assert text_width("A1", 10) == 12
