"""The editor at /admin/: a real `serve` on 127.0.0.1, port 0, its files on disk.

A secretary's job is done through the browser only (Playwright driving
Debian's Chromium); the security promises are tested with plain HTTP
requests that a browser would never send.  Every network call has a timeout
and every wait a deadline.
"""

from __future__ import annotations

import http.client
import io
import re
from urllib.parse import unquote

import pytest

from branchboard.editor import security
from conftest import BUILD_PY, PROJECT, hint_command
from tools.editor_client import (HONORS, MAILBOX, STUDY, Client, changed_lines, open_page, screen_items,
                                 screen_subtitle, soup, wait_until, wrong_token)
from tools.serving import ServeProcess, free_port, is_routable

BUILD_PY_RUN = hint_command()  # the command the hints name when build.py runs here

LETTER = 10  # the last letter of the example's mailbox: 已受理, not yet answered
REPLY = "已联系物资科，本周内在介质库东侧搭建防雨棚，滚筒移入棚内存放。"


def answer(fields: dict) -> dict:
    return {**fields, f"v.{LETTER}.reply": REPLY, f"v.{LETTER}.replied": "2026-11-25",
            f"v.{LETTER}.status": "已办结"}


# -- a secretary's job, through the browser --------------------------------------------

def test_answering_a_letter_in_the_browser_changes_only_its_lines(served, browser):
    site, server = served()
    path = site.root / "data" / "mailbox.yaml"
    before = path.read_text(encoding="utf-8")
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{server.url}admin/")
        page.get_by_role("link", name="职工信箱").click()
        page.get_by_role("link", name=re.compile("磁选机备用滚筒")).click()
        page.get_by_label("回复", exact=True).fill(REPLY)
        page.get_by_label("回复日期").fill("2026-11-25")
        page.get_by_label("状态").select_option("已办结")
        page.get_by_role("button", name="保存").click()
        page.get_by_text("已保存").wait_for()
    finally:
        context.close()
    after = path.read_text(encoding="utf-8")
    gone, added = changed_lines(before, after)
    assert gone == ["  状态: 已受理"]
    assert added == ["  状态: 已办结", f"  回复: {REPLY}", "  回复日期: 2026-11-25"]
    assert after.startswith("# 职工信箱\n#\n")  # the comments at the top, among the unchanged lines
    kept = list((site.root / ".history" / "data" / "mailbox.yaml").iterdir())
    assert [p.read_text(encoding="utf-8") for p in kept] == [before]
    built = site.out / "board" / "mailbox.html"
    wait_until(lambda: built.is_file() and REPLY in built.read_text(encoding="utf-8"))
    letters = wait_until(lambda: REPLY in str(screen_items(site, "mailbox")) and screen_items(site, "mailbox"))
    assert letters[0].select_one(".item-head").get_text() == "磁选机备用滚筒露天存放易锈蚀"  # the newest answer first
    assert letters[0].select_one(".reply").get_text() == f"答复{REPLY}"
    assert letters[0].select_one(".meta").get_text() == "11月22日来信 · 生产建议 · 已办结 · 11月25日答复"


# -- security, with requests a browser would not send ------------------------------------------

def test_a_save_without_the_right_token_or_from_elsewhere_is_refused(served):
    site, server = served()
    path = site.root / "data" / "mailbox.yaml"
    client = Client(server)
    good = answer(client.form(f"/admin/data/mailbox.yaml?at={LETTER}"))
    port = server.http.port
    attempts = [
        ({k: v for k, v in good.items() if k != "csrf"}, {}),
        ({**good, "csrf": good["csrf"][:-1] + ("A" if good["csrf"][-1] != "A" else "B")}, {}),
        ({**good, "csrf": ""}, {}),
        (good, {"Origin": "http://evil.example"}),
        (good, {"Origin": f"http://127.0.0.1:{port + 1}"}),
        (good, {"Origin": None, "Referer": "http://evil.example/page.html"}),
        (good, {"Origin": None}),  # neither Origin nor Referer
        (good, {"Origin": "null"}),
    ]
    for body, headers in attempts:
        status, _headers, page = client.request("POST", "/admin/save", body, headers)
        assert status == 403, (headers, page)
        assert path.read_text(encoding="utf-8") == MAILBOX
    status, _headers, _page = client.request("POST", "/admin/save", good, {"Host": "evil.example"})
    assert status == 421
    other = Client(server)  # another session's token is not this one's
    other.request("GET", "/admin/")
    status, _headers, _page = other.request("POST", "/admin/save", good)
    assert status == 403
    assert path.read_text(encoding="utf-8") == MAILBOX
    assert not (site.root / ".history").exists()
    status, headers, _page = client.request("POST", "/admin/save", good)  # the same, right, is saved
    assert status == 303 and headers["Location"].endswith("saved=1")
    assert REPLY in path.read_text(encoding="utf-8")


def test_an_oversized_form_is_refused_in_chinese(served):
    site, server = served()
    client = Client(server)
    good = answer(client.form(f"/admin/data/mailbox.yaml?at={LETTER}"))
    status, _headers, page = client.request("POST", "/admin/save", {**good, f"v.{LETTER}.reply": "长" * 400_000})
    assert status == 413 and "太大" in page
    assert (site.root / "data" / "mailbox.yaml").read_text(encoding="utf-8") == MAILBOX


def test_a_file_named_outside_the_data_files_is_refused(served):
    site, server = served()
    (site.root / "data" / "notes.yaml").write_text("a: 1\n", encoding="utf-8")  # no schema: not listed
    client = Client(server)
    good = answer(client.form(f"/admin/data/mailbox.yaml?at={LETTER}"))
    before = {p: p.read_bytes() for p in site.root.rglob("*") if p.is_file() and "public" not in p.parts}
    for name in ("../site.yaml", "data/../site.yaml", "data/../../mailbox.yaml", "/etc/passwd",
                 "data/..\\site.yaml", "data\\mailbox.yaml", "data/./mailbox.yaml", "data/notes.yaml",
                 "data/mailbox.yaml/../../site.yaml", "content/../data/mailbox.yaml", "C:/data/mailbox.yaml"):
        status, _headers, page = client.request("POST", "/admin/save", {**good, "file": name})
        assert status == 400, (name, page)
        assert "不能修改" in page
    for at in ("../..", "99", "-1", "0.0", "reply"):
        status, _headers, _page = client.request("POST", "/admin/save", {**good, "at": at})
        assert status == 409, at
    for name in ("../site.yaml", "..%2Fsite.yaml", "notes.yaml"):
        status, _headers, _page = client.request("GET", f"/admin/data/{name}")
        assert status in (403, 404), name
    after = {p: p.read_bytes() for p in site.root.rglob("*") if p.is_file() and "public" not in p.parts}
    assert after == before


def test_an_invalid_value_is_shown_at_its_field_and_never_written(served):
    site, server = served()
    path = site.root / "data" / "mailbox.yaml"
    client = Client(server)
    form = answer(client.form(f"/admin/data/mailbox.yaml?at={LETTER}"))
    status, _headers, page = client.request("POST", "/admin/save", {**form, f"v.{LETTER}.replied": "2026-11-01"})
    assert status == 422
    assert path.read_text(encoding="utf-8") == MAILBOX
    field = page[page.index('name="v.10.replied"'):]
    assert field.index("回复日期 2026-11-01 早于 日期 2026-11-22") < field.index("</div>")  # beside its field
    assert REPLY in page  # what she typed is still in the form
    status, _headers, page = client.request("POST", "/admin/save", {**form, f"v.{LETTER}.topic": ""})
    assert status == 422 and "缺少 主题" in page
    assert path.read_text(encoding="utf-8") == MAILBOX


def test_a_hand_edit_since_the_form_opened_is_never_overwritten(served):
    site, server = served()
    path = site.root / "data" / "mailbox.yaml"
    client = Client(server)
    form = answer(client.form(f"/admin/data/mailbox.yaml?at={LETTER}"))
    by_hand = MAILBOX.replace("只盖了一层彩条布", "只盖了一层旧彩条布")
    path.write_text(by_hand, encoding="utf-8")
    status, _headers, page = client.request("POST", "/admin/save", form)
    assert status == 409
    assert "没有保存" in page and "只盖了一层旧彩条布" in page and REPLY in page  # both versions shown
    assert path.read_text(encoding="utf-8") == by_hand


def test_the_session_cookie_is_httponly_and_samesite_strict(served):
    _site, server = served()
    status, headers, _page = Client(server).request("GET", "/admin/")
    assert status == 200
    cookie = headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/admin/" in cookie
    assert headers["X-Frame-Options"] == "DENY" and headers["Cache-Control"] == "no-store"


def test_another_computer_without_a_password_set_gets_no_editor(served):
    site, server = served()
    other = Client(server, source="127.0.0.2")  # stands in for a second machine
    for path in ("/admin/", f"/admin/data/mailbox.yaml?at={LETTER}", "/admin/login"):
        status, _headers, page = other.request("GET", path)
        assert status == 403 and f"{BUILD_PY_RUN} password" in page
    status, _headers, page = other.request("GET", "/")  # the site itself stays viewable
    assert status == 200
    form = answer(Client(server).form(f"/admin/data/mailbox.yaml?at={LETTER}"))
    status, _headers, _page = other.request("POST", "/admin/save", form)
    assert status == 403
    assert (site.root / "data" / "mailbox.yaml").read_text(encoding="utf-8") == MAILBOX


def test_serve_on_every_address_keeps_the_editor_to_this_computer_without_a_password(make_site):
    """`build.py serve --host 0.0.0.0` for real: another address (127.0.0.2
    stands in for a computer on the network) sees the board, not the editor."""
    if not is_routable("127.0.0.2"):
        pytest.skip("127.0.0.2 不能用作第二个地址（这台机器的回环网络只有 127.0.0.1），无法模拟另一台电脑")
    site = make_site({"data/mailbox.yaml": MAILBOX})
    port = free_port("0.0.0.0")
    serve = ServeProcess(BUILD_PY, site.root, "--host", "0.0.0.0", "--port", str(port), "--now", "2026-11-25")
    try:
        said = serve.read_until("按 Ctrl+C 停止")
        # the terminal says what other computers can do with the editor
        assert any(line.startswith("编辑后台：没有设置密码，局域网里的其他电脑打不开后台") for line in said), said
        status, page = plain_get("127.0.0.2", port, "/board/mailbox.html")
        assert status == 200 and "职工信箱" in page
        status, page = plain_get("127.0.0.2", port, "/admin/")
        assert status == 403 and "这台电脑不能打开后台" in page and f"{hint_command(site.root)} password" in page
        status, page = plain_get("127.0.0.1", port, "/admin/")
        assert status == 200 and "宣传栏今天显示的" in page
    finally:
        serve.stop()
    assert serve.proc.returncode == 0


def plain_get(address: str, port: int, path: str) -> tuple[int, str]:
    """GET from ``address`` to the same address, as a computer on the network would ask it."""
    conn = http.client.HTTPConnection(address, port, timeout=10, source_address=(address, 0))
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def test_another_computer_logs_in_with_the_password(served):
    site, server = served()
    security.set_password(site.root, "煤质第一2026")
    stored = (site.root / security.PASSWORD_FILE).read_text(encoding="ascii")
    assert stored.startswith("scrypt$") and "2026" not in stored
    other = Client(server, source="127.0.0.2")
    status, _headers, page = other.request("GET", "/admin/data/mailbox.yaml")
    assert status == 401 and "登录后台" in page and "职工信箱" not in page
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    status, _headers, page = other.request("POST", "/admin/login", {"csrf": csrf, "password": "煤质第一"})
    assert status == 401 and "密码不对" in page
    status, _headers, _page = other.request("POST", "/admin/login", {"password": "煤质第一2026"})
    assert status == 403  # no token: refused before the password is even tried
    before = other.cookie
    status, headers, _page = other.request("POST", "/admin/login", {"csrf": csrf, "password": "煤质第一2026"})
    assert status == 303 and other.cookie != before  # a new session id once logged in
    form = answer(other.form(f"/admin/data/mailbox.yaml?at={LETTER}"))
    status, _headers, _page = other.request("POST", "/admin/save", form)
    assert status == 303
    assert REPLY in (site.root / "data" / "mailbox.yaml").read_text(encoding="utf-8")
    assert not (site.out / security.PASSWORD_FILE).exists()


def test_the_password_is_kept_as_a_salted_scrypt_hash(tmp_path):
    one, two = security.hash_password("secret-1"), security.hash_password("secret-1")
    assert one != two  # a random salt each time
    assert security.is_right_password(one, "secret-1") and security.is_right_password(two, "secret-1")
    assert not security.is_right_password(one, "secret-2")
    assert not security.is_right_password("garbage", "secret-1")
    assert not security.check_password(tmp_path, "secret-1")  # none set


def test_serve_prints_the_editors_address(served):
    from branchboard.serve.server import print_addresses

    _site, server = served()
    print_addresses(server)
    shown = server.out.getvalue()
    assert f"编辑后台：{server.url}admin/" in shown


def test_edit_is_serve_that_opens_the_editor(monkeypatch, make_site):
    from branchboard import cli
    from branchboard.serve import server as serve_mod

    seen = {}
    monkeypatch.setattr(serve_mod, "run", lambda options, host, port, open_editor=False:
                        seen.update(host=host, port=port, open_editor=open_editor) or 0)
    site = make_site({"data/mailbox.yaml": MAILBOX})
    assert cli.main(["edit", "--site", str(site.root), "--port", "8123"]) == 0
    assert seen == {"host": "127.0.0.1", "port": 8123, "open_editor": True}
    assert cli.main(["serve", "--site", str(site.root)]) == 0
    assert seen["open_editor"] is False


# -- new entries, removed entries, history ------------------------------------------------------

def test_this_months_honor_roll_is_added_in_the_browser(served, browser):
    site, server = served({"data/honors.yaml": HONORS})
    path = site.root / "data" / "honors.yaml"
    before = path.read_text(encoding="utf-8")
    context, page = open_page(browser, f"{server.url}admin/")
    try:
        page.get_by_role("link", name="光荣榜", exact=True).click()
        page.get_by_role("link", name="新增一条", exact=True).click()
        assert page.get_by_label("期次").input_value() == "2026年11月"  # this month, as the file writes 期次
        page.get_by_label("期次").fill("2026年11月")
        page.get_by_label("日期").fill("2026-11-25")
        page.get_by_role("button", name="保存这一条").click()
        page.get_by_text("已保存").wait_for()
        for title, name, team, deeds in (("生产标兵", "高永福", "甲班", "当月主洗岗位零误操作。"),
                                         ("革新能手", "石小兵", "检修班", "改进了浮选机刮板。")):
            page.get_by_role("link", name="新增一条表彰").click()
            page.get_by_label("称号").select_option(title)
            page.get_by_label("姓名").fill(name)
            page.get_by_label("班组").fill(team)
            page.get_by_label("事迹").fill(deeds)
            page.get_by_role("button", name="保存这一条").click()
            page.get_by_text("已保存").wait_for()
    finally:
        context.close()
    after = path.read_text(encoding="utf-8")
    assert after.startswith(before)  # every line that was there, comments first, is kept
    assert after[len(before):] == (
        "\n- 期次: 2026年11月\n  日期: 2026-11-25\n  表彰:\n"
        "    - 称号: 生产标兵\n      姓名: 高永福\n      班组: 甲班\n      事迹: 当月主洗岗位零误操作。\n"
        "    - 称号: 革新能手\n      姓名: 石小兵\n      班组: 检修班\n      事迹: 改进了浮选机刮板。\n")
    assert "待填写" not in after
    built = site.out / "board" / "honors.html"
    wait_until(lambda: built.is_file() and "石小兵" in built.read_text(encoding="utf-8")
               and "高永福" in built.read_text(encoding="utf-8"))
    wait_until(lambda: screen_subtitle(site, "honors") == "2026年11月")  # the screen shows the new month only
    awards = [(i.select_one(".name").get_text(), i.select_one(".badge").get_text())
              for i in screen_items(site, "honors")]
    assert awards == [("高永福", "生产标兵"), ("石小兵", "革新能手")]


def test_a_study_session_is_cancelled_and_an_extra_one_added_in_the_browser(served, browser):
    site, server = served({"data/study.yaml": STUDY})
    path = site.root / "data" / "study.yaml"
    before = path.read_text(encoding="utf-8")
    context, page = open_page(browser, f"{server.url}admin/")
    try:
        page.get_by_role("link", name="学习培训", exact=True).click()
        page.get_by_role("link", name=re.compile("冬季皮带机防冻与巡检要点")).click()
        page.get_by_label("取消", exact=True).check()
        page.get_by_label("原因", exact=True).fill("停电检修，改期")
        page.get_by_role("button", name="保存").click()
        page.get_by_text("已保存").wait_for()
        page.get_by_role("link", name="新增一条课程").click()
        page.get_by_label("日期").fill("2026-11-28")
        page.get_by_label("主题").fill("停电检修现场安全确认")
        page.get_by_label("主讲").fill("高志刚")
        page.get_by_label("加课").check()
        page.get_by_role("button", name="保存这一条").click()
        page.get_by_text("已保存").wait_for()
    finally:
        context.close()
    after = path.read_text(encoding="utf-8")
    gone, added = changed_lines(before, after)
    assert gone == []
    assert added == ["    取消: true", "    原因: 停电检修，改期",
                     "", "  - 日期: 2026-11-28", "    主题: 停电检修现场安全确认", "    主讲: 高志刚", "    加课: true"]
    assert "主题: 冬季皮带机防冻与巡检要点\n    主讲: 何玉兰\n    取消: true\n    原因: 停电检修，改期\n" in after
    built = site.out / "board" / "study.html"
    wait_until(lambda: built.is_file() and "停电检修现场安全确认" in built.read_text(encoding="utf-8"))
    shown = built.read_text(encoding="utf-8")
    assert "<s>冬季皮带机防冻与巡检要点</s>" in shown and "取消原因：停电检修，改期" in shown
    sessions = wait_until(lambda: "停电检修现场安全确认" in str(screen_items(site, "study"))
                          and {i.select_one(".when strong").get_text(): i for i in screen_items(site, "study")})
    cancelled, extra = sessions["11月27日"], sessions["11月28日"]
    assert cancelled.select_one(".topic").get_text(" ", strip=True) == "取消 冬季皮带机防冻与巡检要点"
    assert cancelled.select_one(".meta").get_text() == "停电检修，改期"
    assert extra.select_one(".topic").get_text(" ", strip=True) == "加课 停电检修现场安全确认"
    assert extra.select_one(".meta").get_text() == "主讲：高志刚"


def test_an_entry_is_removed_after_asking(served):
    site, server = served()
    path = site.root / "data" / "mailbox.yaml"
    client = Client(server)
    status, _headers, page = client.request("GET", f"/admin/remove?file=data/mailbox.yaml&at={LETTER}")
    assert status == 200 and "确定删除" in page and "磁选机备用滚筒" in page
    assert path.read_text(encoding="utf-8") == MAILBOX  # asking writes nothing
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    status, _headers, _page = client.request("POST", "/admin/remove", form)
    assert status == 303
    after = path.read_text(encoding="utf-8")
    gone, added = changed_lines(MAILBOX, after)
    assert added == [] and gone[0] == "" and gone[1].startswith("- 日期: 2026-11-22")
    assert "磁选机备用滚筒" not in after and after.startswith("# 职工信箱\n")


def test_a_new_entry_that_fails_the_checks_is_shown_and_not_written(served):
    site, server = served()
    path = site.root / "data" / "mailbox.yaml"
    client = Client(server)
    form = client.form("/admin/new?file=data/mailbox.yaml&list=")
    _status, _headers, page = client.request("GET", "/admin/new?file=data/mailbox.yaml&list=")
    assert '<option value="已受理" selected>' in page  # the schema's default
    assert not any(form[k] for k in form if k.startswith("v."))  # and nothing else is filled in
    status, _headers, page = client.request("POST", "/admin/add", {**form, "v.11.date": "2026-11-24",
                                                                   "v.11.replied": "2026-11-01"})
    assert status == 422 and "缺少 主题" in page
    assert path.read_text(encoding="utf-8") == MAILBOX
    status, _headers, page = client.request("POST", "/admin/add", {**form, "v.11.date": "2026-11-24",
                                                                   "v.11.topic": "食堂窗口", "v.11.status": "已受理"})
    assert status == 303
    assert path.read_text(encoding="utf-8") == MAILBOX + "\n- 日期: 2026-11-24\n  主题: 食堂窗口\n  状态: 已受理\n"


def test_a_previous_version_is_restored_from_the_history_page(served, browser):
    site, server = served()
    path = site.root / "data" / "mailbox.yaml"
    client = Client(server)
    status, _headers, _page = client.request("POST", "/admin/save", answer(client.form(f"/admin/data/mailbox.yaml?at={LETTER}")))
    assert status == 303
    answered = path.read_bytes()
    built = site.out / "board" / "mailbox.html"
    wait_until(lambda: REPLY in str(screen_items(site, "mailbox")) and REPLY in built.read_text(encoding="utf-8"))
    context, page = open_page(browser, f"{server.url}admin/data/mailbox.yaml")
    try:
        page.get_by_role("link", name="以前的版本").click()
        assert REPLY in page.locator("pre.diff").inner_text()  # what changed since
        page.get_by_role("button", name="恢复这个版本").click()
        page.get_by_text("已恢复").wait_for()
    finally:
        context.close()
    assert path.read_bytes() == MAILBOX.encode("utf-8")
    kept = sorted((site.root / ".history" / "data" / "mailbox.yaml").iterdir())
    assert [p.read_bytes() for p in kept] == [MAILBOX.encode("utf-8"), answered]  # the answered one kept too
    # the rebuild takes the answer off the board page and the screen again
    wait_until(lambda: REPLY not in built.read_text(encoding="utf-8") and screen_items(site, "mailbox")
               and REPLY not in str(screen_items(site, "mailbox")), timeout=30)


def test_the_new_endpoints_refuse_a_missing_or_wrong_token_and_other_origins(served):
    site, server = served()
    path = site.root / "data" / "mailbox.yaml"
    client = Client(server)
    client.request("POST", "/admin/save", answer(client.form(f"/admin/data/mailbox.yaml?at={LETTER}")))
    answered = path.read_bytes()
    added = {**client.form("/admin/new?file=data/mailbox.yaml&list="), "v.11.date": "2026-11-24", "v.11.topic": "食堂"}
    status, _headers, page = client.request("GET", "/admin/remove?file=data/mailbox.yaml&at=0")
    removed = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    status, _headers, page = client.request("GET", "/admin/history?file=data/mailbox.yaml")
    restored = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.split("/admin/restore")[1]))
    assert "v" in restored and "csrf" in removed and "csrf" in added
    port = server.http.port
    for url, good in (("/admin/add", added), ("/admin/remove", removed), ("/admin/restore", restored)):
        for body, headers in (({k: v for k, v in good.items() if k != "csrf"}, {}),
                              ({**good, "csrf": wrong_token(good["csrf"])}, {}),
                              (good, {"Origin": "http://evil.example"}),
                              (good, {"Origin": f"http://127.0.0.1:{port + 1}"}),
                              (good, {"Origin": None})):
            status, _headers, _page = client.request("POST", url, body, headers)
            assert status == 403, (url, headers)
        status, _headers, _page = client.request("POST", url, good, {"Host": "evil.example"})
        assert status == 421
    assert path.read_bytes() == answered
    assert len(list((site.root / ".history" / "data" / "mailbox.yaml").iterdir())) == 1
    for name in ("../site.yaml", "site.yaml", "data/../site.yaml", ".history/data/mailbox.yaml"):
        status, _headers, _page = client.request("POST", "/admin/restore", {**restored, "file": name})
        assert status == 400, name
        status, _headers, _page = client.request("POST", "/admin/add", {**added, "file": name})
        assert status == 400, name
    status, _headers, _page = client.request("POST", "/admin/restore", {**restored, "v": "../../site.yaml"})
    assert status == 400
    assert path.read_bytes() == answered


def test_wrong_passwords_from_one_address_make_it_wait(served):
    site, server = served()
    security.set_password(site.root, "煤质第一2026")
    other = Client(server, source="127.0.0.2")
    _status, _headers, page = other.request("GET", "/admin/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    for _try in range(security.LoginThrottle.FREE_TRIES):
        status, _headers, page = other.request("POST", "/admin/login", {"csrf": csrf, "password": "猜一猜"})
        assert status == 401, page
    status, _headers, page = other.request("POST", "/admin/login", {"csrf": csrf, "password": "煤质第一2026"})
    assert status == 429 and "秒后再试" in page  # even the right one, until the wait is over
    here = Client(server)  # this computer is not kept out by another's guesses
    assert here.request("GET", "/admin/")[0] == 200


def test_the_wait_doubles_and_the_right_password_resets_it():
    now = [0.0]
    throttle = security.LoginThrottle(clock=lambda: now[0])
    for _try in range(throttle.FREE_TRIES):
        throttle.failed("10.0.0.5")
    assert throttle.wait("10.0.0.5") == 30 and throttle.wait("10.0.0.6") == 0
    now[0] += 30
    throttle.failed("10.0.0.5")
    assert throttle.wait("10.0.0.5") == 60
    throttle.succeeded("10.0.0.5")
    assert throttle.wait("10.0.0.5") == 0


# -- photos in the data forms ---------------------------------------------------------------------

def jpeg(size=(80, 40), orientation=None, gps=False) -> bytes:
    """A small JPEG, red on its stored left half and blue on its right, with
    an EXIF orientation and a GPS position when asked."""
    from PIL import ExifTags, Image

    image = Image.new("RGB", size, (220, 20, 20))
    image.paste((20, 20, 220), (size[0] // 2, 0, size[0], size[1]))
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    if gps:
        where = exif.get_ifd(ExifTags.IFD.GPSInfo)
        where.update({1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 17.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95, exif=exif.tobytes())
    return out.getvalue()


def site_files(site) -> dict[str, bytes]:
    """Every file of the site but what the build makes."""
    return {p.relative_to(site.root).as_posix(): p.read_bytes() for p in site.root.rglob("*")
            if p.is_file() and not p.is_relative_to(site.out) and ".cache" not in p.parts}


def upload_photo(client: Client, fields: dict, filename: str, data: bytes, content_type="image/jpeg"):
    """A photo sent to the data forms' upload address."""
    return client.upload("/admin/photo/upload", fields, filename, data, content_type)


def test_an_honor_roll_with_two_photos_is_added_in_the_browser(served, browser, tmp_path):
    from PIL import Image

    site, server = served({"data/honors.yaml": HONORS})
    path = site.root / "data" / "honors.yaml"
    before = path.read_text(encoding="utf-8")
    turned = jpeg((80, 40), orientation=6, gps=True)  # stored on its side: upright it is 40 x 80
    plain = jpeg((40, 60))
    (tmp_path / "IMG_0001.jpg").write_bytes(turned)
    (tmp_path / "微信图片.jpg").write_bytes(plain)
    context, page = open_page(browser, f"{server.url}admin/")
    try:
        page.get_by_role("link", name="光荣榜", exact=True).click()
        page.get_by_role("link", name="新增一条", exact=True).click()
        page.get_by_label("期次").fill("2026年11月")
        page.get_by_label("日期").fill("2026-11-25")
        page.get_by_role("button", name="保存这一条").click()
        page.get_by_text("已保存").wait_for()
        for title, name, photo in (("生产标兵", "高永福", "IMG_0001.jpg"), ("革新能手", "石小兵", "微信图片.jpg")):
            page.get_by_role("link", name="新增一条表彰").click()
            page.get_by_label("称号").select_option(title)
            page.get_by_label("姓名").fill(name)
            page.get_by_label("上传照片").set_input_files(str(tmp_path / photo))
            page.get_by_text(f"照片已上传：photos/{name}.jpg").wait_for()
            assert page.get_by_label("照片", exact=True).input_value() == f"photos/{name}.jpg"
            page.wait_for_function("document.querySelector('.photo img').naturalWidth > 0")  # the preview
            page.get_by_role("button", name="保存这一条").click()
            page.get_by_text("已保存").wait_for()
    finally:
        context.close()
    after = path.read_text(encoding="utf-8")
    assert after.startswith(before)  # every line that was there, comments first, is kept
    assert after[len(before):] == (
        "\n- 期次: 2026年11月\n  日期: 2026-11-25\n  表彰:\n"
        "    - 称号: 生产标兵\n      姓名: 高永福\n      照片: photos/高永福.jpg\n"
        "    - 称号: 革新能手\n      姓名: 石小兵\n      照片: photos/石小兵.jpg\n")
    photos = sorted(p.name for p in (site.root / "data" / "photos").iterdir())
    assert photos == ["石小兵.jpg", "高永福.jpg"]  # nothing else: no temporary file left
    assert (site.root / "data" / "photos" / "高永福.jpg").read_bytes() == turned  # her bytes, as sent
    assert (site.root / "data" / "photos" / "石小兵.jpg").read_bytes() == plain
    built = site.out / "board" / "honors.html"
    wait_until(lambda: built.is_file() and "石小兵的照片" in built.read_text(encoding="utf-8"), timeout=30)
    shown = built.read_text(encoding="utf-8")
    for name, upright in (("高永福", (40, 80)), ("石小兵", (40, 60))):
        tag = re.search(rf'<img class="award-photo" [^>]*alt="{name}的照片"', shown).group(0)
        src = unquote(re.search(r'src="([^"]+)"', tag).group(1))
        assert name in src and src.endswith(".jpg") and not src.endswith(f"{name}.jpg")  # a derived file
        published = (built.parent / src).resolve()
        assert published.is_relative_to(site.out.resolve())
        with Image.open(published) as image:
            assert image.size == upright
            assert not image.getexif() and "exif" not in image.info
            top, bottom = image.getpixel((upright[0] // 2, 2)), image.getpixel((upright[0] // 2, upright[1] - 3))
        if name == "高永福":  # turned a quarter clockwise: the stored left (red) half is on top
            assert top[0] > 150 > top[2] and bottom[2] > 150 > bottom[0]
        assert b"GPS" not in published.read_bytes()


def test_unsafe_photo_uploads_are_refused_and_nothing_is_written(served):
    site, server = served({"data/honors.yaml": HONORS})
    client = Client(server)
    csrf = client.form("/admin/new?file=data/honors.yaml&list=0.awards")["csrf"]
    before = site_files(site)
    php = b"<?php system($_GET['c']); ?>\n"
    good = {"csrf": csrf, "name": "高永福"}
    attempts = [
        (good, "shell.jpg", php),  # a PHP file renamed .jpg
        (good, "shell.php.jpg", b"\xff\xd8\xff\xe0" + php),  # a JPEG's first bytes, then PHP
        (good, "../../site.yaml", b"title: hacked\n"),
        (good, "../../site.yaml", jpeg()),
        (good, "..\\..\\site.yaml", jpeg()),
        (good, "photos/../../a.jpg", jpeg()),
    ]
    for sent, name, data in attempts:
        status, reply = upload_photo(client, sent, name, data)
        assert status in (400, 415), (name, reply)
        assert site_files(site) == before, name
    status, _reply = upload_photo(client, good, "big.jpg", jpeg() + b"\0" * (21 * 1024 * 1024))
    assert status == 413
    status, _reply = upload_photo(client, {"name": "高永福"}, "a.jpg", jpeg())  # no token
    assert status == 403
    assert site_files(site) == before
    for name, stored in (("../../site", "site.jpg"), ("高永福", "高永福.jpg"), ("", None)):
        status, reply = upload_photo(client, {**good, "name": name}, "a.jpg", jpeg())
        assert status == 200, reply
        value = re.search(r'"value": "([^"]+)"', reply).group(1)
        assert value.startswith("photos/") and "/" not in value[len("photos/"):]
        if stored:
            assert value == f"photos/{stored}"
    status, reply = upload_photo(client, good, "b.jpg", jpeg((50, 50)))  # another photo of the same name
    assert status == 200 and '"value": "photos/高永福-2.jpg"' in reply
    assert (site.root / "data" / "photos" / "高永福.jpg").read_bytes() == jpeg()  # not overwritten
    assert not (site.root / "site.jpg").exists() and (site.root / "site.yaml").read_bytes() == before["site.yaml"]


def test_a_photo_preview_shows_only_images_under_data(served):
    site, server = served({"data/honors.yaml": HONORS, "data/photos/王建国.jpg": jpeg(orientation=6, gps=True),
                           "content/news/images/a.jpg": jpeg()})
    client = Client(server)
    status, headers, _body = client.request("GET", "/admin/photo?file=photos/%E7%8E%8B%E5%BB%BA%E5%9B%BD.jpg")
    assert status == 200 and headers["Content-Type"] == "image/jpeg"
    for name in ("../site.yaml", "../content/news/images/a.jpg", "photos/../../site.yaml", "/etc/passwd",
                 "../honors.yaml", "honors.yaml", "photos/none.jpg", ".history/x.jpg"):
        status, _headers, _body = client.request("GET", f"/admin/photo?file={name}")
        assert status == 404, name


def test_a_model_posts_photo_is_named_after_its_leader(served, browser, tmp_path):
    posts = re.sub(r"\n +照片: .*", "", (PROJECT / "data" / "model_posts.yaml").read_text(encoding="utf-8"))
    site, server = served({"data/model_posts.yaml": posts})
    (tmp_path / "DSC_0042.jpg").write_bytes(jpeg((40, 60)))
    context, page = open_page(browser, f"{server.url}admin/new?file=data/model_posts.yaml&list=")
    try:
        page.get_by_label("带头人").fill("刘振华")
        page.get_by_label("上传照片").set_input_files(str(tmp_path / "DSC_0042.jpg"))
        page.get_by_text("照片已上传：photos/刘振华.jpg").wait_for()
        assert page.get_by_label("照片", exact=True).input_value() == "photos/刘振华.jpg"
    finally:
        context.close()
    assert (site.root / "data" / "photos" / "刘振华.jpg").read_bytes() == jpeg((40, 60))
    assert (site.root / "data" / "model_posts.yaml").read_text(encoding="utf-8") == posts  # not saved yet


# -- what the pages show a secretary ------------------------------------------------------------

def test_a_records_heading_and_delete_link_name_the_record(served):
    site, server = served({"data/honors.yaml": HONORS})
    status, _headers, page = Client(server).request("GET", "/admin/data/honors.yaml?at=0")
    assert status == 200, page
    html = soup(page)
    legends = [legend.get_text(strip=True) for legend in html.select("section.form fieldset fieldset > legend")]
    assert legends[:3] == ["革新能手 · 马国庆", "革新能手 · 赵铁军", "生产标兵 · 王建国"], legends
    assert not any(legend.startswith("第 ") for legend in legends), legends
    removes = [a.get_text(strip=True) for a in html.select("fieldset a.remove")]
    assert "删除这一条（生产标兵 · 王建国）" in removes, removes
    # a 高产班组 has no 姓名: its 班组 names it
    teams = [legend for legend in legends if legend.startswith("高产班组")]
    assert teams and all(legend.split(" · ")[1] for legend in teams), legends


def test_a_record_without_a_name_keeps_its_number():
    from branchboard.editor import forms

    assert forms.item_label({"事迹": "x"}) == ""
    assert forms.item_label({"topic": "食堂", "date": "2026-11-01"}) == "食堂"
    assert forms.item_label({"date": "2026-11-01"}) == "2026-11-01"
    assert forms.item_label({"title": "高产班组", "name": "", "team": "甲班"}) == "高产班组 · 甲班"


def test_the_mailbox_list_shows_each_letters_status_and_marks_the_unanswered(served):
    site, server = served()
    status, _headers, page = Client(server).request("GET", "/admin/data/mailbox.yaml")
    assert status == 200, page
    letters = soup(page).select("nav.entries li a")
    shown = [a.select_one(".status") for a in letters]
    assert len(letters) == LETTER + 1 and all(shown), page
    assert {s.get_text() for s in shown} <= {"已受理", "办理中", "已办结"}
    for s in shown:
        assert ("status-open" in s["class"]) == (s.get_text() != "已办结"), s
    assert shown[LETTER].get_text() == "已受理" and "status-open" in shown[LETTER]["class"]
    assert any(s.get_text() == "已办结" and "status-done" in s["class"] for s in shown)


def test_the_logout_button_shows_only_to_another_computer_logged_in(served):
    site, server = served()
    here = Client(server)
    for path in ("/admin/", "/admin/data/mailbox.yaml", "/admin/history?file=data/mailbox.yaml"):
        status, _headers, page = here.request("GET", path)
        assert status == 200 and not soup(page).select("form.logout"), path
    security.set_password(site.root, "煤质第一2026")
    other = Client(server, source="127.0.0.2")
    _status, _headers, page = other.request("GET", "/admin/login")
    assert not soup(page).select("form.logout")
    csrf = soup(page).find("input", {"name": "csrf"})["value"]
    status, _headers, _page = other.request("POST", "/admin/login", {"csrf": csrf, "password": "煤质第一2026"})
    assert status == 303
    status, _headers, page = other.request("GET", "/admin/data/mailbox.yaml")
    button = soup(page).select_one("form.logout button")
    assert status == 200 and button is not None and button.get_text() == "退出"
    status, _headers, page = here.request("GET", "/admin/")
    assert status == 200 and not soup(page).select("form.logout")


def test_the_history_diff_reads_as_plain_chinese(served):
    site, server = served()
    client = Client(server)
    status, _headers, _page = client.request("POST", "/admin/save", answer(client.form(f"/admin/data/mailbox.yaml?at={LETTER}")))
    assert status == 303
    status, _headers, page = client.request("GET", "/admin/history?file=data/mailbox.yaml")
    assert status == 200, page
    diff = soup(page).select_one("pre.diff")
    assert "@@" not in diff.get_text()
    heads = [s.get_text() for s in diff.select("span.diff_at")]
    assert heads and all(re.fullmatch(r"第 \d+ 行附近：", h) for h in heads), heads
    added = diff.select("span.diff_add")
    removed = diff.select("span.diff_sub")
    assert added and removed
    assert all(s.select_one(".mark").get_text() == "新增" for s in added)
    assert all(s.select_one(".mark").get_text() == "删除" for s in removed)
    assert any(REPLY in s.get_text() for s in added)
    assert not any(s.get_text().startswith(("+", "-")) for s in added + removed)
    first = int(re.search(r"\d+", heads[0]).group())
    now = (site.root / "data" / "mailbox.yaml").read_text(encoding="utf-8").splitlines()
    assert any(REPLY in line for line in now[first - 1:first + 8])
