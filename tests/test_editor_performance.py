"""The 绩效考核 period editor at /admin/performance: a real `serve` on 127.0.0.1.

The secretary's month (five deductions and a bonus for a new period) is done
through the browser only, then read back from the file on disk, the built
board page and the meeting-room screen; what the server refuses is tested
with plain HTTP requests a browser would not send.
"""

from __future__ import annotations

import datetime as dt
import re

import yaml

from branchboard.editor.performance import proposal
from conftest import PROJECT
from tools.editor_client import Client, changed_lines, open_page, soup, wrong_token

PERFORMANCE = (PROJECT / "data" / "performance.yaml").read_text(encoding="utf-8")
FILES = {"data/performance.yaml": PERFORMANCE}
NEW_PERIOD = """\
  - 期次: 2026年11月
    日期: 2026-11-25
    扣分:
      - 班组: 甲班
        小项: A02
        分数: 3
        原因: 11月4日两人未戴防尘口罩
      - 班组: 甲班
        小项: A02
        分数: 1.5
        原因: 11月18日一人未戴安全帽
      - 班组: 乙班
        小项: H03
        分数: 1
        原因: 浮选药剂消耗超出计划
      - 班组: 丙班
        小项: J04
        分数: 0.5
        原因: 一具灭火器压力不足
      - 班组: 检修班
        小项: B07
        分数: 1
        原因: 检修延时导致非计划停车
    加分:
      - 班组: 丁班
        小项: C01
        分数: 2
        原因: 精煤灰分合格率居首位
"""
SCORES = {"甲班": "195.5", "乙班": "199", "丙班": "199.5", "丁班": "202", "检修班": "199", "装车班": "200"}


def fill_row(row, team, item, points, reason):
    row.get_by_label("班组").select_option(team)
    row.get_by_label("小项").fill(item)
    row.get_by_label("分数").fill(points)
    row.get_by_label("原因").fill(reason)


def total(page, team) -> str:
    return page.locator(f'#totals tr[data-team="{team}"] .score').inner_text()


def test_a_months_deductions_and_bonus_are_entered_in_the_browser(served, browser, tmp_path):
    site, server = served(FILES)
    path = site.root / "data" / "performance.yaml"
    context, page = open_page(browser, f"{server.url}admin/")
    try:
        page.get_by_role("link", name="本月考核").click()
        assert page.get_by_label("期次").input_value() == "2026年11月"
        assert page.get_by_label("日期").input_value() == "2026-11-25"
        rows = page.locator("#deductions tr.row")
        fill_row(rows.nth(0), "甲班", "劳动防护", "3", "11月4日两人未戴防尘口罩")  # found by its name
        assert rows.nth(0).locator(".item-found").inner_text() == "A02 劳动防护用品正确佩戴（满分 5）"
        fill_row(rows.nth(1), "甲班", "a02", "3", "11月18日一人未戴安全帽")  # found by its code
        assert rows.nth(1).locator(".item-found").inner_text() == "A02 劳动防护用品正确佩戴（满分 5）"
        warning = rows.nth(1).locator(".row-check")
        assert warning.inner_text() == "甲班在小项“劳动防护用品正确佩戴”本期共扣 6 分，超过了这一小项的分值 5 分"
        assert total(page, "甲班") == "194"
        rows.nth(1).get_by_label("分数").fill("1.5")
        assert warning.inner_text() == ""
        assert total(page, "甲班") == "195.5"
        fill_row(rows.nth(2), "乙班", "H03", "1", "浮选药剂消耗超出计划")
        fill_row(rows.nth(3), "丙班", "消防器材管理", "0.5", "一具灭火器压力不足")
        page.get_by_role("button", name="再加一行扣分").click()
        page.get_by_role("button", name="再加一行扣分").click()
        assert rows.count() == 7
        fill_row(rows.nth(5), "检修班", "B07", "1", "检修延时导致非计划停车")
        rows.nth(6).get_by_role("button", name="删除这一行").click()
        assert rows.count() == 6
        fill_row(page.locator("#bonuses tr.row").nth(0), "丁班", "C01", "2", "精煤灰分合格率居首位")
        assert {team: total(page, team) for team in SCORES} == SCORES
        page.get_by_role("button", name="保存这一期").click()
        page.get_by_text("已保存").wait_for()
        assert page.get_by_label("期次").input_value() == "2026年11月"  # the saved period, open again
    finally:
        context.close()
    after = path.read_text(encoding="utf-8")
    gone, _added = changed_lines(PERFORMANCE, after)
    assert gone == [] and after == PERFORMANCE + NEW_PERIOD  # comments and every old line kept
    assert yaml.safe_load(after)["考核期"][-1]["扣分"][1]["分数"] == 1.5
    out = tmp_path / "out"
    built = site.run("build", "--now", "2026-11-25", "--out", str(out))
    assert built.code == 0, built.text
    board = soup((out / "board" / "performance.html").read_text(encoding="utf-8"))
    latest = board.select_one(".performance-period.latest")
    assert latest.h2.get_text() == "2026年11月"
    assert {r.th.get_text(): r.select_one(".score").get_text() for r in latest.select(".rank-table tbody tr")} == SCORES
    screen = soup((out / "screen" / "index.html").read_text(encoding="utf-8")).select_one(".slide-performance")
    assert screen.select_one(".slide-sub").get_text().startswith("2026年11月")
    assert {b.select_one(".bar-label").get_text(): b.select_one(".bar-value").get_text()
            for b in screen.select(".item")} == SCORES


# -- what the server refuses -----------------------------------------------------------------

def period_form(client: Client, rows: dict, path: str = "/admin/performance?new=1") -> dict:
    """The page's hidden fields, 期次/日期 as proposed and the 参加班组 boxes
    ticked, as a browser sends them, with ``rows`` ({"d.0.team": ...}) filled in."""
    status, _headers, page = client.request("GET", path)
    assert status == 200, page
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    fields.update(re.findall(r'name="(period|date)" type="[a-z]+" value="([^"]*)"', page))
    fields.update((box["name"], box["value"]) for box in soup(page).select("input[type=checkbox][checked]"))
    return {**fields, **rows}


def untick(fields: dict, team: str) -> dict:
    return {name: value for name, value in fields.items() if not (name.startswith("teams.") and value == team)}


def row_problems(page: str, name: str) -> list[str]:
    """The problems shown in the row whose fields are named ``name``.*."""
    row = soup(page).find("select", attrs={"name": f"{name}.team"}).find_parent("tr")
    return [p.get_text() for p in row.select("p.problem")]


def test_points_over_an_items_maximum_are_refused_at_the_row(served):
    site, server = served(FILES)
    path = site.root / "data" / "performance.yaml"
    client = Client(server)
    sent = period_form(client, {"d.0.team": "甲班", "d.0.item": "A02", "d.0.points": "3", "d.0.reason": "未戴口罩",
                                "d.1.team": "甲班", "d.1.item": "劳动防护用品正确佩戴", "d.1.points": "2.5"})
    status, _headers, page = client.request("POST", "/admin/performance/save", sent)
    assert status == 422, page
    assert row_problems(page, "d.0") == []
    assert row_problems(page, "d.1") == [
        "甲班 在 2026年11月 的小项“劳动防护用品正确佩戴”共扣 5.5 分，超过了这一小项的分值 5"
        "（同一班组同一小项在一期里的扣分合计不能超过这一小项的分值，请核对扣分。）"]
    assert "有填写不对的地方，没有保存" in page
    shown = soup(page)
    assert shown.find("input", attrs={"name": "d.1.points"})["value"] == "2.5"  # what she typed stays
    assert shown.select_one('#totals tr[data-team="甲班"] .score').get_text() == "194.5"
    assert path.read_text(encoding="utf-8") == PERFORMANCE
    assert not (site.root / ".history").exists()


def test_an_unknown_team_or_item_is_refused_at_its_row(served):
    site, server = served(FILES)
    path = site.root / "data" / "performance.yaml"
    client = Client(server)
    sent = period_form(client, {"d.0.team": "戊班", "d.0.item": "A02", "d.0.points": "1",
                                "d.1.team": "乙班", "d.1.item": "Z99", "d.1.points": "1",
                                "b.7.team": "丙班", "b.7.item": "不存在的小项", "b.7.points": "1"})
    status, _headers, page = client.request("POST", "/admin/performance/save", sent)
    assert status == 422, page
    assert [p.split("（")[0] for p in row_problems(page, "d.0")] == ["没有班组“戊班”"]
    assert [p.split("（")[0] for p in row_problems(page, "d.1")] == ["没有小项“Z99”"]
    assert [p.split("（")[0] for p in row_problems(page, "b.7")] == ["没有小项“不存在的小项”"]
    assert path.read_text(encoding="utf-8") == PERFORMANCE


def test_the_period_save_refuses_a_missing_or_wrong_token_and_other_origins(served):
    site, server = served(FILES)
    path = site.root / "data" / "performance.yaml"
    client = Client(server)
    good = period_form(client, {"d.0.team": "甲班", "d.0.item": "A02", "d.0.points": "1"})
    port = server.http.port
    for body, headers in (({k: v for k, v in good.items() if k != "csrf"}, {}),
                          ({**good, "csrf": wrong_token(good["csrf"])}, {}),
                          (good, {"Origin": "http://evil.example"}),
                          (good, {"Origin": f"http://127.0.0.1:{port + 1}"}),
                          (good, {"Origin": None, "Referer": "http://evil.example/page.html"}),
                          (good, {"Origin": None})):
        status, _headers, _page = client.request("POST", "/admin/performance/save", body, headers)
        assert status == 403, headers
    status, _headers, _page = client.request("POST", "/admin/performance/save", good, {"Host": "evil.example"})
    assert status == 421
    other = Client(server)  # another session's token is not this one's
    other.request("GET", "/admin/")
    status, _headers, _page = other.request("POST", "/admin/performance/save", good)
    assert status == 403
    assert path.read_text(encoding="utf-8") == PERFORMANCE
    status, headers, _page = client.request("POST", "/admin/performance/save", good)  # the same, right, is saved
    assert status == 303 and headers["Location"] == "/admin/performance?at=3&saved=1"
    assert path.read_text(encoding="utf-8").endswith("      - 班组: 甲班\n        小项: A02\n        分数: 1\n")
    _status, _headers, page = client.request("GET", "/admin/performance")  # 本月考核 now opens that period
    assert soup(page).h1.contents[0].strip() == "绩效考核：2026年11月"
    assert soup(page).find("input", attrs={"name": "at"})["value"] == "3"


def test_a_hand_edit_since_the_page_opened_is_never_overwritten(served):
    site, server = served(FILES)
    path = site.root / "data" / "performance.yaml"
    client = Client(server)
    sent = period_form(client, {"d.0.team": "甲班", "d.0.item": "A02", "d.0.points": "1"})
    hand = PERFORMANCE.replace("# 绩效考核\n", "# 绩效考核（手改）\n", 1)
    path.write_text(hand, encoding="utf-8")
    status, _headers, page = client.request("POST", "/admin/performance/save", sent)
    assert status == 409 and "被别人（或记事本）改过了" in page
    assert path.read_text(encoding="utf-8") == hand


# -- an existing period -----------------------------------------------------------------------

def test_changing_a_period_rewrites_only_the_changed_rows(served):
    site, server = served(FILES)
    path = site.root / "data" / "performance.yaml"
    client = Client(server)
    sent = period_form(client, {}, "/admin/performance?at=2")  # 2026年10月
    assert sent["period"] == "2026年10月" and sent["d.0.at"] == "0"
    status, _headers, page = client.request("GET", "/admin/performance?at=2")
    shown = soup(page)
    typed = {i["name"]: i.get("value", "") for i in shown.select("input[name]")}
    typed.update({s["name"]: s.select_one("option[selected]").get_text() for s in shown.select("select")
                  if s.select_one("option[selected]")})
    typed.update(sent)
    typed["d.0.points"] = "0.5"  # 甲班 E04: 1 -> 0.5
    for field in ("team", "item", "points", "reason"):  # 乙班 A01 cleared: removed
        typed[f"d.2.{field}"] = ""
    typed.update({"b.30.team": "甲班", "b.30.item": "J08", "b.30.points": "1", "b.30.reason": "及时报送信息"})
    status, headers, page = client.request("POST", "/admin/performance/save", typed)
    assert status == 303, page
    assert headers["Location"] == "/admin/performance?at=2&saved=1"
    gone, added = changed_lines(PERFORMANCE, path.read_text(encoding="utf-8"))
    assert gone == ["        分数: 1", "      - 班组: 乙班", "        小项: A01", "        分数: 1",
                    "        原因: 抽查班前会，手指口述流于形式"]
    assert added == ["        分数: 0.5", "      - 班组: 甲班", "        小项: J08", "        分数: 1",
                     "        原因: 及时报送信息"]
    assert path.read_text(encoding="utf-8").endswith("亏吨\n      - 班组: 甲班\n        小项: J08\n"
                                                     "        分数: 1\n        原因: 及时报送信息\n")


# -- the way in ---------------------------------------------------------------------------------

def test_this_months_button_and_the_files_page_lead_to_the_period_page(served):
    site, server = served(FILES)
    client = Client(server)
    _status, _headers, home = client.request("GET", "/admin/")
    assert '<a class="button" href="/admin/performance">本月考核</a>' in home
    _status, _headers, page = client.request("GET", "/admin/data/performance.yaml?at=periods.1")
    links = {a.get_text(): a["href"] for a in soup(page).select("a.button")}
    assert links["按期填写考核（扣分、加分）"] == "/admin/performance"
    assert links["在考核表里修改这一期"] == "/admin/performance?at=1"


def test_a_new_period_is_this_month_or_last_month_in_its_first_days():
    periods = [{"period": "2026年9月"}, {"period": "2026年10月"}]
    assert proposal(dt.date(2026, 11, 25), periods) == ("2026年11月", "2026-11-25")
    assert proposal(dt.date(2026, 12, 5), periods) == ("2026年11月", "2026-12-05")
    assert proposal(dt.date(2027, 1, 3), periods) == ("2026年12月", "2027-01-03")
    assert proposal(dt.date(2026, 12, 6), [{"period": "2026-09"}, {"period": "2026-10"}]) == ("2026-12", "2026-12-06")
    assert proposal(dt.date(2026, 11, 25), []) == ("2026年11月", "2026-11-25")


def test_the_page_works_without_its_script(served):
    """Blank rows to fill in and a plain form: a browser without JavaScript still saves a month."""
    site, server = served(FILES)
    client = Client(server)
    status, _headers, page = client.request("GET", "/admin/performance")
    shown = soup(page)
    assert len(shown.select("#deductions tr.row")) == 5 and len(shown.select("#bonuses tr.row")) == 3
    assert shown.select_one("#items option[data-code=A02]")["value"] == "A02 劳动防护用品正确佩戴（满分 5）"
    assert all(button.has_attr("hidden") for button in shown.select(".add-row, .remove-row"))


def test_points_that_are_not_a_plain_number_are_refused_at_the_row(served):
    site, server = served(FILES)
    path = site.root / "data" / "performance.yaml"
    client = Client(server)
    sent = period_form(client, {"d.0.team": "甲班", "d.0.item": "A02", "d.0.points": "sNaN",
                                "d.1.team": "乙班", "d.1.item": "A03", "d.1.points": "1e999999",
                                "d.2.team": "丙班", "d.2.item": "A04", "d.2.points": "-1",
                                "d.3.team": "丁班", "d.3.item": "安全", "d.3.points": "1"})
    status, _headers, page = client.request("POST", "/admin/performance/save", sent)
    assert status == 422, page
    for row in ("d.0", "d.1", "d.2"):
        assert row_problems(page, row), row
    assert row_problems(page, "d.3")[0].startswith("有 ")  # two items' names hold 安全
    assert path.read_text(encoding="utf-8") == PERFORMANCE


# -- 参加班组: the teams a period assesses -------------------------------------------------------

TEAMS = ["甲班", "乙班", "丙班", "丁班", "检修班", "装车班"]
OCTOBER = "  - 期次: 2026年10月\n    日期: 2026-11-06\n"
LISTED = PERFORMANCE.replace(OCTOBER, OCTOBER + "    参加班组: 甲班、乙班、丙班、丁班、检修班\n", 1)


def ticked(page) -> list[str]:
    return [box["value"] for box in page.select("#f-teams input[type=checkbox]") if box.has_attr("checked")]


def ranked(page) -> list[str]:
    return [tr["data-team"] for tr in page.select("#totals tr[data-team]") if not tr.has_attr("hidden")]


def test_an_unticked_team_leaves_the_totals_and_the_saved_period_lists_the_others(served, tmp_path):
    site, server = served(FILES)
    path = site.root / "data" / "performance.yaml"
    client = Client(server)
    _status, _headers, page = client.request("GET", "/admin/performance?new=1")
    assert ticked(soup(page)) == TEAMS and ranked(soup(page)) == TEAMS  # the file lists none: all of them
    sent = untick(period_form(client, {"d.0.team": "甲班", "d.0.item": "A02", "d.0.points": "1"}), "装车班")
    status, headers, page = client.request("POST", "/admin/performance/save", sent)
    assert status == 303, page
    gone, added = changed_lines(PERFORMANCE, path.read_text(encoding="utf-8"))
    assert gone == [] and added[:3] == ["  - 期次: 2026年11月", "    日期: 2026-11-25",
                                        "    参加班组: 甲班、乙班、丙班、丁班、检修班"]
    _status, _headers, page = client.request("GET", headers["Location"])
    assert ticked(soup(page)) == TEAMS[:5] and ranked(soup(page)) == TEAMS[:5]
    out = tmp_path / "out"
    built = site.run("build", "--now", "2026-11-25", "--out", str(out))
    assert built.code == 0, built.text
    board = soup((out / "board" / "performance.html").read_text(encoding="utf-8"))
    latest = board.select_one(".performance-period.latest")
    assert sorted(r.th.get_text() for r in latest.select(".rank-table tbody tr")) == sorted(TEAMS[:5])


def test_a_row_for_a_team_not_ticked_is_refused_at_the_row(served):
    site, server = served(FILES)
    path = site.root / "data" / "performance.yaml"
    client = Client(server)
    sent = untick(period_form(client, {"d.0.team": "甲班", "d.0.item": "A02", "d.0.points": "1",
                                       "b.6.team": "装车班", "b.6.item": "C01", "b.6.points": "2"}), "装车班")
    status, _headers, page = client.request("POST", "/admin/performance/save", sent)
    assert status == 422, page
    assert row_problems(page, "d.0") == []
    assert row_problems(page, "b.6") == ["装车班 不在 2026年11月 的参加班组里，不能加分"
                                         "（把这个班组加进这一期的“参加班组”，或者改正班组名。）"]
    assert ticked(soup(page)) == TEAMS[:5]  # what she ticked stays
    assert path.read_text(encoding="utf-8") == PERFORMANCE


def test_a_new_period_proposes_the_last_periods_teams_and_keeps_writing_them(served):
    site, server = served({"data/performance.yaml": LISTED})
    path = site.root / "data" / "performance.yaml"
    client = Client(server)
    sent = period_form(client, {"d.0.team": "甲班", "d.0.item": "A02", "d.0.points": "1"})
    assert sorted(v for k, v in sent.items() if k.startswith("teams.")) == sorted(TEAMS[:5])
    sent["teams.5"] = "装车班"  # 装车班 joins this month: every team ticked, and still written
    status, _headers, page = client.request("POST", "/admin/performance/save", sent)
    assert status == 303, page
    gone, added = changed_lines(LISTED, path.read_text(encoding="utf-8"))
    assert gone == [] and added[2] == "    参加班组: 甲班、乙班、丙班、丁班、检修班、装车班"


def test_no_team_ticked_is_refused_at_the_teams(served):
    site, server = served(FILES)
    path = site.root / "data" / "performance.yaml"
    client = Client(server)
    sent = period_form(client, {"d.0.team": "甲班", "d.0.item": "A02", "d.0.points": "1"})
    status, _headers, page = client.request("POST", "/admin/performance/save",
                                            {k: v for k, v in sent.items() if not k.startswith("teams.")})
    assert status == 422, page
    assert [p.get_text() for p in soup(page).select("#f-teams p.problem")] == ["请至少勾选一个参加这一期考核的班组。"]
    assert path.read_text(encoding="utf-8") == PERFORMANCE


def test_unticking_a_team_in_the_browser_flags_its_row_and_drops_its_total(served, browser, tmp_path):
    site, server = served(FILES)
    path = site.root / "data" / "performance.yaml"
    context, page = open_page(browser, f"{server.url}admin/performance?new=1")
    try:
        rows = page.locator("#deductions tr.row")
        fill_row(rows.nth(0), "装车班", "A02", "1", "未戴口罩")
        assert total(page, "装车班") == "199"
        page.get_by_label("装车班", exact=True).uncheck()
        assert page.locator('#totals tr[data-team="装车班"]').is_hidden()
        assert rows.nth(0).locator(".row-check").inner_text() == "装车班 不在 2026年11月 的参加班组里，不能扣分"
        rows.nth(0).get_by_label("班组").select_option("甲班")
        assert rows.nth(0).locator(".row-check").inner_text() == ""
        assert total(page, "甲班") == "199"
        page.get_by_role("button", name="保存这一期").click()
        page.get_by_text("已保存").wait_for()
        assert not page.get_by_label("装车班", exact=True).is_checked()
    finally:
        context.close()
    gone, added = changed_lines(PERFORMANCE, path.read_text(encoding="utf-8"))
    assert gone == [] and added == ["  - 期次: 2026年11月", "    日期: 2026-11-25",
                                    "    参加班组: 甲班、乙班、丙班、丁班、检修班", "    扣分:", "      - 班组: 甲班",
                                    "        小项: A02", "        分数: 1", "        原因: 未戴口罩"]
    built = site.run("build", "--now", "2026-11-25", "--out", str(tmp_path / "out"))
    assert built.code == 0, built.text


def test_changing_a_periods_teams_rewrites_only_that_line(served):
    site, server = served({"data/performance.yaml": LISTED})
    path = site.root / "data" / "performance.yaml"
    client = Client(server)
    _status, _headers, page = client.request("GET", "/admin/performance?at=2")
    shown = soup(page)
    assert ticked(shown) == TEAMS[:5] and ranked(shown) == TEAMS[:5]
    typed = {i["name"]: i.get("value", "") for i in shown.select("input[name]") if i.get("type") != "checkbox"}
    typed.update({s["name"]: s.select_one("option[selected]").get_text() for s in shown.select("select")
                  if s.select_one("option[selected]")})
    typed.update({f"teams.{i}": team for i, team in enumerate(TEAMS[:5]) if team != "丙班"})
    typed.update({name: "" for name in typed if re.match(r"[db]\.\d+\.", name)
                  and typed.get(name[:name.rindex(".")] + ".team") == "丙班"})  # 丙班's rows go too
    status, _headers, page = client.request("POST", "/admin/performance/save", typed)
    assert status == 303, page
    gone, added = changed_lines(LISTED, path.read_text(encoding="utf-8"))
    assert gone[0] == "    参加班组: 甲班、乙班、丙班、丁班、检修班" and added == ["    参加班组: 甲班、乙班、丁班、检修班"]
    before, after = (yaml.safe_load(text)["考核期"][2] for text in (LISTED, path.read_text(encoding="utf-8")))
    for kind in ("扣分", "加分"):  # the rest of what went are 丙班's rows
        assert after.get(kind, []) == [e for e in before.get(kind, []) if e["班组"] != "丙班"]
