"""The data forms' widgets and new entries: rows filled in on the new
entry's page, items moved, a choice found by typing part of it, sizes in
three boxes, an absent group added, a new item at its date's place.

Each test reads the file on disk afterwards: only the lines of what changed
may differ.
"""

from __future__ import annotations

import re

from branchboard.site.yamlio import load_yaml
from conftest import PROJECT
from tools.editor_client import HONORS, STUDY, Client, changed_lines, open_page, soup

BANNERS = (PROJECT / "data" / "banners.yaml").read_text(encoding="utf-8")
DUTY_SCHEMA = """\
label: 值班
fields:
  teams: {type: list, alias: 班组, item: {type: text, label: 班组}}
  duties:
    type: list
    alias: 值班表
    item:
      fields:
        date: {type: date, alias: 日期, required: true}
        team: {type: ref, alias: 值班班组, to: teams, required: true}
"""
DUTY = "# 值班\n班组: [甲班, 乙班, 检修班, 装车班]\n值班表:\n  - 日期: 2026-11-20\n    值班班组: 甲班\n"


def page_form(page: str) -> dict:
    """Every value a browser would send from the page's first form (without a button)."""
    html = soup(page).select_one("form[action^='/admin/s'], form[action='/admin/add']")
    sent = {}
    for box in html.select("input[name], textarea[name], select[name]"):
        if box.name == "input" and box.get("type") == "checkbox":
            if box.has_attr("checked"):
                sent[box["name"]] = box.get("value", "on")
        elif box.name == "select":
            chosen = box.select_one("option[selected]") or box.select_one("option")
            sent[box["name"]] = chosen["value"] if chosen else ""
        elif box.name == "textarea":
            sent[box["name"]] = box.get_text()
        else:
            sent[box["name"]] = box.get("value", "")
    return sent


# -- through the browser --------------------------------------------------------------------

def test_a_new_honors_period_is_saved_with_its_two_awards_in_one_go(served, browser):
    site, server = served({"data/honors.yaml": HONORS})
    path = site.root / "data" / "honors.yaml"
    before = path.read_text(encoding="utf-8")
    context, page = open_page(browser, f"{server.url}admin/new?file=data/honors.yaml&list=")
    try:
        assert page.get_by_label("日期").input_value() == "2026-11-25"  # today, as the app's clock says
        assert "一起保存" in page.locator("p.hint").first.inner_text()
        page.get_by_label("期次").fill("2026年11月")
        for _ in range(2):
            page.get_by_role("button", name="添加一条表彰").click()
        rows = page.locator("fieldset.row")
        assert rows.count() == 2
        for row, (title, name, deeds) in zip((rows.nth(0), rows.nth(1)),
                                             (("生产标兵", "高永福", "当月主洗岗位零误操作。"),
                                              ("革新能手", "石小兵", "改进了浮选机刮板。"))):
            row.get_by_label("称号").select_option(title)
            row.get_by_label("姓名").fill(name)
            row.get_by_label("事迹").fill(deeds)
        page.get_by_role("button", name="保存这一条").click()
        page.get_by_text("已保存").wait_for()
    finally:
        context.close()
    after = path.read_text(encoding="utf-8")
    assert after.startswith(before)  # one save, only the new lines
    assert after[len(before):] == (
        "\n- 期次: 2026年11月\n  日期: 2026-11-25\n  表彰:\n"
        "    - 称号: 生产标兵\n      姓名: 高永福\n      事迹: 当月主洗岗位零误操作。\n"
        "    - 称号: 革新能手\n      姓名: 石小兵\n      事迹: 改进了浮选机刮板。\n")


def test_two_banners_change_places_and_only_their_lines_move(served, browser):
    site, server = served({"data/banners.yaml": BANNERS})
    path = site.root / "data" / "banners.yaml"
    context, page = open_page(browser, f"{server.url}admin/data/banners.yaml")
    try:
        page.get_by_role("link", name=re.compile("不忘初心")).click()
        page.get_by_role("button", name="上移一位").click()
        page.get_by_text("已保存").wait_for()
        assert page.locator("nav.entries li.here").inner_text().startswith("不忘初心")
    finally:
        context.close()
    after = path.read_text(encoding="utf-8")
    assert sorted(after.split("\n")) == sorted(BANNERS.split("\n"))  # the same lines, none rewritten
    before_items, after_items = load_yaml(BANNERS, "b")[0], load_yaml(after, "b")[0]
    assert after_items == [before_items[1], before_items[0], *before_items[2:]]
    assert after.split("\n- 内容:")[0] == BANNERS.split("\n- 内容:")[0]  # the comments stay on top


def test_a_choice_from_another_list_is_found_by_typing_part_of_it(served, browser):
    site, server = served({"schemas/duty.yaml": DUTY_SCHEMA, "data/duty.yaml": DUTY})
    path = site.root / "data" / "duty.yaml"
    context, page = open_page(browser, f"{server.url}admin/new?file=data/duty.yaml&list=duties")
    try:
        page.get_by_label("日期").fill("2026-11-27")
        page.get_by_label("查找值班班组").fill("检修")
        assert page.locator("select[name='v.duties.1.team']").input_value() == "检修班"
        page.get_by_role("button", name="保存这一条").click()
        page.get_by_text("已保存").wait_for()
    finally:
        context.close()
    assert path.read_text(encoding="utf-8") == DUTY + "  - 日期: 2026-11-27\n    值班班组: 检修班\n"


# -- through plain requests -----------------------------------------------------------------

def test_a_choice_not_in_the_other_list_is_refused_at_its_field(served):
    site, server = served({"schemas/duty.yaml": DUTY_SCHEMA, "data/duty.yaml": DUTY})
    client = Client(server)
    _status, _headers, page = client.request("GET", "/admin/new?file=data/duty.yaml&list=duties")
    form = page_form(page)
    status, _headers, page = client.request("POST", "/admin/add", {**form, "v.duties.1.date": "2026-11-27",
                                                                   "v.duties.1.team": "锅炉班"})
    assert status == 422
    problem = soup(page).select_one(".field.has-problem")
    assert "锅炉班" in problem.get_text() and problem.select_one("select")["name"] == "v.duties.1.team"
    assert (site.root / "data" / "duty.yaml").read_text(encoding="utf-8") == DUTY


def test_an_extra_study_session_goes_between_the_right_dates(served):
    site, server = served({"data/study.yaml": STUDY})
    path = site.root / "data" / "study.yaml"
    client = Client(server)
    _status, _headers, page = client.request("GET", "/admin/new?file=data/study.yaml&list=sessions")
    form = page_form(page)
    new = {k: v for k, v in form.items() if not k.startswith("v.")}
    new.update({k: "" for k in form if k.startswith("v.") and not k.endswith((".cancelled", ".extra"))})
    at = next(k for k in form if k.endswith(".date"))[:-len(".date")]
    new.update({f"{at}.date": "2026-10-20", f"{at}.topic": "临时加课", f"{at}.extra": "1"})
    status, headers, _page = client.request("POST", "/admin/add", new)
    assert status == 303, _page
    after = path.read_text(encoding="utf-8")
    gone, added = changed_lines(STUDY, after)
    assert gone == []
    assert sorted(added) == sorted(["", "  - 日期: 2026-10-20", "    主题: 临时加课", "    加课: true"])
    dates = [str(s["日期"]) for s in load_yaml(after, "s")[0]["课程"]]
    place = dates.index("2026-10-20")
    assert dates[place - 1] < "2026-10-20" < dates[place + 1]
    assert f"at=sessions.{place}" in headers["Location"]  # her new session is the one shown


def test_a_new_item_of_a_list_not_in_date_order_goes_at_the_end(served):
    mixed = "- 日期: 2026-11-20\n  主题: 二\n- 日期: 2026-11-01\n  主题: 一\n- 日期: 2026-11-22\n  主题: 三\n"
    site, server = served({"data/mailbox.yaml": mixed})
    client = Client(server)
    form = page_form(client.request("GET", "/admin/new?file=data/mailbox.yaml&list=")[2])
    status, _headers, page = client.request("POST", "/admin/add", {**form, "v.3.date": "2026-11-10",
                                                                   "v.3.topic": "四"})
    assert status == 303, page
    assert (site.root / "data" / "mailbox.yaml").read_text(encoding="utf-8") == \
        mixed + "- 日期: 2026-11-10\n  主题: 四\n  状态: 已受理\n"


def test_a_size_comes_back_unchanged_and_changes_in_the_files_own_style(served):
    written = BANNERS.replace("尺寸: 600x70cm\n  样式: 红底黄字\n  开始: 2026-07-01", "尺寸: 6米×0.7米\n  样式: 红底黄字\n  开始: 2026-07-01")
    site, server = served({"data/banners.yaml": written})
    path = site.root / "data" / "banners.yaml"
    client = Client(server)
    _status, _headers, page = client.request("GET", "/admin/data/banners.yaml?at=1")
    boxes = soup(page).select_one("#f-v-1-size")
    assert [b.get("value") for b in boxes.select("input")] == ["6", "0.7"]
    assert boxes.select_one("select option[selected]")["value"] == "米"
    form = page_form(page)
    assert client.request("POST", "/admin/save", form)[0] == 303
    assert path.read_text(encoding="utf-8") == written  # nothing she did not change is rewritten
    assert client.request("POST", "/admin/save", {**form, "v.1.size:height": "0.8"})[0] == 303
    after = path.read_text(encoding="utf-8")
    assert changed_lines(written, after) == (["  尺寸: 6米×0.7米"], ["  尺寸: 6米×0.8米"])
    form = page_form(client.request("GET", "/admin/data/banners.yaml?at=0")[2])
    assert client.request("POST", "/admin/save", {**form, "v.0.size:width": "800"})[0] == 303
    assert changed_lines(after, path.read_text(encoding="utf-8")) == (["  尺寸: 1000x90cm"], ["  尺寸: 800x90cm"])
    form = page_form(client.request("GET", "/admin/data/banners.yaml?at=0")[2])
    assert client.request("POST", "/admin/save", {**form, "v.0.size:preset": "会议室横幅"})[0] == 303
    assert "  尺寸: 会议室横幅\n" in path.read_text(encoding="utf-8")


def test_an_absent_optional_group_is_offered_and_added_with_its_list(served):
    no_schedule = re.sub(r"\n安排:\n(  .*\n)+", "\n", STUDY)
    assert "安排" not in no_schedule.split("课程:")[1] and "\n安排:" not in no_schedule
    site, server = served({"data/study.yaml": no_schedule})
    path = site.root / "data" / "study.yaml"
    client = Client(server)
    _status, _headers, page = client.request("GET", "/admin/data/study.yaml?at=schedule")
    button = soup(page).select_one("button[name=op][value='open:schedule']")
    assert button is not None and button.get_text() == "添加安排"
    assert not soup(page).select("[name^='v.schedule.']")  # nothing forced on her
    status, _headers, page = client.request("POST", "/admin/save", {**page_form(page), "op": "open:schedule"})
    assert status == 200 and soup(page).select_one("input[name=open]")["value"] == "schedule"
    assert path.read_text(encoding="utf-8") == no_schedule  # opening it writes nothing
    form = page_form(page)
    status, _headers, page = client.request("POST", "/admin/save", {**form, "op": "add:schedule.weekdays"})
    form = page_form(page)
    status, _headers, page = client.request("POST", "/admin/save", {**form, "op": "add:schedule.weekdays"})
    form = page_form(page)
    assert {"v.schedule.weekdays.0", "v.schedule.weekdays.1"} <= set(form)
    form.update({"v.schedule.weekdays.0": "周五", "v.schedule.weekdays.1": "周三",
                 "v.schedule.from": "2026-09-02", "v.schedule.until": "2027-01-29", "v.schedule.time": "16:30"})
    status, _headers, page = client.request("POST", "/admin/save", {**form, "op": "up:schedule.weekdays.1"})
    form = page_form(page)
    assert (form["v.schedule.weekdays.0"], form["v.schedule.weekdays.1"]) == ("周三", "周五")
    status, _headers, page = client.request("POST", "/admin/save", form)
    assert status == 303, page
    gone, added = changed_lines(no_schedule, path.read_text(encoding="utf-8"))
    assert gone == []
    assert added == ["安排:", "  星期: [周三, 周五]", '  时间: "16:30"', "  开始: 2026-09-02", "  结束: 2027-01-29"]


def test_every_example_entry_comes_back_unchanged_when_saved_as_shown(served):
    files = {f"data/{p.name}": p.read_text(encoding="utf-8") for p in (PROJECT / "data").glob("*.yaml")}
    files = {rel: re.sub(r"\n +(照片|文章): .*", "", text) for rel, text in files.items()}
    site, server = served(files)
    client = Client(server)
    for rel, text in files.items():
        name = rel[len("data/"):]
        _status, _headers, listing = client.request("GET", f"/admin/data/{name}")
        ats = [a["href"].split("at=")[1] for a in soup(listing).select("nav.entries li a")][:6]
        for at in ats:
            status, _headers, page = client.request("GET", f"/admin/data/{name}?at={at}")
            assert status == 200, (name, at)
            status, _headers, page = client.request("POST", "/admin/save", page_form(page))
            assert status == 303, (name, at, page[:2000])
        assert (site.root / rel).read_text(encoding="utf-8") == text, name
