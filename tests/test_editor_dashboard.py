"""The editor's first page (/admin/): what the board shows today, what comes
down soon, every problem `check` finds with a link to where it is mended,
and the job buttons; made again only when a file or the time changed."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import yaml

from branchboard.editor import dashboard
from conftest import MINIMAL_SITE, PROJECT, article
from tools.editor_client import HONORS, MAILBOX, NOW, STUDY, Client, soup, wait_until

BANNERS = """\
- 内容: 安全第一　预防为主
  尺寸: 600x70cm
  结束: 2026-11-28
- 内容: 不忘初心　牢记使命
  尺寸: 600x70cm
  结束: 2026-12-31
- 内容: 已经撤下的条幅
  尺寸: 600x70cm
  结束: 2026-11-20
"""
NOTICES = {  # only the first two are pinned and shown on 2026-11-25
    "content/notices/meeting.md": article("组织生活会通知", 置顶="true"),
    "content/notices/power.md": article("停电检修通知", 置顶="true", 下架="2026-11-30"),
    "content/notices/gone.md": article("过期的通知", 置顶="true", 下架="2026-11-20"),
    "content/notices/later.md": article("下月的通知", 置顶="true", 发布="2026-12-01"),
    "content/notices/draft.md": article("没写完的通知", 置顶="true", 草稿="true"),
    "content/news/plain.md": article("支部动态", 下架="2026-12-10"),
}


def home(server) -> object:
    status, _headers, page = Client(server).request("GET", "/admin/")
    assert status == 200
    return soup(page)


def follow(server, href: str):
    """The page a link opens, and the element its #anchor names (None without one)."""
    parts = urlsplit(href)
    status, _headers, page = Client(server).request("GET", f"{parts.path}?{parts.query}")
    assert status == 200, href
    page = soup(page)
    return page, (page.find(id=parts.fragment) if parts.fragment else None)


def texts(page, selector: str) -> list[str]:
    return [element.get_text().strip() for element in page.select(selector)]


def test_the_dashboard_shows_today_and_the_job_buttons(served):
    banners = (PROJECT / "data" / "banners.yaml").read_text(encoding="utf-8")
    _site, server = served({"data/honors.yaml": HONORS, "data/study.yaml": STUDY, "data/mailbox.yaml": MAILBOX,
                            "data/banners.yaml": banners})
    page = home(server)
    assert texts(page, "section.honors strong") == ["2026年10月"]
    assert texts(page, "section.honors li")[0] == "革新能手：李红梅"
    assert "开好组织生活会" in page.select_one("section.study").get_text()  # the next session, on 2026-11-25
    assert "安全第一　预防为主　综合治理（10 × 0.9 米）" in texts(page, "section.banners li")
    jobs = {a.get_text(): a["href"] for a in page.select("ul.jobs a")}
    assert jobs["本月光荣榜"] == "/admin/new?file=data/honors.yaml&list="
    assert jobs["答复来信"] == "/admin/data/mailbox.yaml"
    assert jobs["新条幅"] == "/admin/new?file=data/banners.yaml&list="
    assert "本月考核" not in jobs  # no performance.yaml here
    assert texts(page, "ul.problems li") == [] and "没有发现问题" in page.get_text()


def test_the_study_job_opens_the_next_session_not_the_years_first(served):
    _site, server = served({"data/study.yaml": STUDY})
    sessions = yaml.safe_load(STUDY)["课程"]
    upcoming = next(i for i, s in enumerate(sessions) if s["日期"] >= NOW.date())
    href = next(a["href"] for a in home(server).select("ul.jobs a") if a.get_text() == "取消/加一次学习")
    assert href == f"/admin/data/study.yaml?at=sessions.{upcoming}"
    form, _field = follow(server, href)
    assert form.find(id=f"f-v-sessions-{upcoming}-date")["value"] == "2026-11-25"
    assert form.find(id=f"f-v-sessions-{upcoming}-topic")["value"].startswith("开好组织生活会")


def test_the_notices_box_shows_the_pinned_articles_shown_today_as_the_screen_does(served):
    site, server = served(NOTICES)
    page = home(server)
    assert texts(page, "section.notices li a") == ["停电检修通知", "组织生活会通知"]
    assert texts(site.page("index.html"), ".pinned-list li a") == texts(page, "section.notices li a")
    screen = soup((site.out / "screen" / "index.html").read_text(encoding="utf-8"))
    assert {"停电检修通知", "组织生活会通知"} <= set(texts(screen, "section.slide-notices .item-head"))
    link = page.select("section.notices li a")[0]["href"]
    edit, _field = follow(server, link)
    assert edit.find(id="f-title")["value"] == "停电检修通知"


def test_what_comes_down_within_seven_days_is_listed_soonest_first(served):
    _site, server = served({**NOTICES, "data/banners.yaml": BANNERS})
    page = home(server)
    assert texts(page, "section.ending li") == ["条幅：安全第一　预防为主（11月28日是最后一天）",
                                                "文章：停电检修通知（11月30日是最后一天）"]
    banner, article_link = (a["href"] for a in page.select("section.ending li a"))
    form, _field = follow(server, banner)
    assert form.find(id="f-v-0-text").get_text() == "安全第一　预防为主"
    edit, _field = follow(server, article_link)
    assert edit.find(id="f-expire")["value"] == "2026-11-30"


def test_every_problem_links_to_the_field_that_causes_it(served):
    mailbox = (MAILBOX.replace("  主题: 磁选机备用滚筒露天存放易锈蚀\n", "  题目: 磁选机备用滚筒露天存放易锈蚀\n")
               .replace("  回复日期: 2026-06-15\n", "  回复日期: 2026-13-15\n", 1))
    assert mailbox.count("题目") == 1 and "2026-13-15" in mailbox
    site, server = served({"data/mailbox.yaml": mailbox,
                           "content/news/a.md": article("有封面的", 封面="images/没有这张.jpg")})
    problems = {li.get_text(): li.find("a")["href"] for li in home(server).select("ul.problems li")}
    assert len(problems) == 4, problems

    def the(word):
        return next(href for text, href in problems.items() if word in text)

    assert the("不认识的键“题目”") == "/admin/data/mailbox.yaml?at=10"  # the entry; no field is called 题目
    page, field = follow(server, the("缺少 主题"))
    assert field.name == "input" and field["name"] == "v.10.topic" and page.find(id="f-v-10-date")
    page, field = follow(server, the("2026-13-15"))
    assert field["value"] == "2026-13-15"
    page, field = follow(server, the("封面"))
    assert field["value"] == "images/没有这张.jpg" and page.find(id="f-title")["value"] == "有封面的"


def test_a_second_visit_does_not_build_again_but_a_saved_file_shows_at_once(served, monkeypatch):
    site, server = served({"data/honors.yaml": HONORS})
    builds = []
    real = dashboard.build
    monkeypatch.setattr(dashboard, "build", lambda options, **kw: builds.append(options) or real(options, **kw))
    first = home(server)
    assert texts(first, "section.honors li")[0] == "革新能手：李红梅" and len(builds) == 1
    assert texts(home(server), "section.honors") == texts(first, "section.honors") and len(builds) == 1
    site.write("data/honors.yaml", HONORS.replace("李红梅", "王建国", 1))  # the same size: the digest tells
    assert texts(home(server), "section.honors li")[0] == "革新能手：王建国" and len(builds) == 2
    assert len(home(server).select("section.honors li")) == 3 and len(builds) == 2


def test_a_notice_that_comes_down_between_two_visits_is_gone_at_the_second(make_site, monkeypatch):
    site = make_site({"content/notices/power.md": article("停电检修通知", 置顶="true", 下架="2026-11-25 12:00")})
    builds = []
    real = dashboard.build
    monkeypatch.setattr(dashboard, "build", lambda options, **kw: builds.append(options) or real(options, **kw))
    board = dashboard.Dashboard(site.root)
    assert [a.title for a in board.today(dt.datetime(2026, 11, 25, 9)).notices] == ["停电检修通知"]
    assert [a.title for a in board.today(dt.datetime(2026, 11, 25, 11)).notices] == ["停电检修通知"]
    assert len(builds) == 1
    assert board.today(dt.datetime(2026, 11, 25, 13)).notices == () and len(builds) == 2


def test_data_too_broken_to_make_the_board_shows_its_problems_not_a_crash(served):
    _site, server = served({"data/honors.yaml": HONORS, "data/study.yaml": STUDY.replace("星期: [周三, 周五]", "星期: 周八")})
    page = home(server)
    assert "光荣榜、学习和条幅暂时看不到" in page.select_one("p.problem").get_text()
    assert not page.select("section.honors") and page.select("section.notices")
    links = [a["href"] for a in page.select("ul.problems li a")]
    assert links and all(link.startswith("/admin/data/study.yaml?at=schedule") for link in links), links


SCREEN_HOURS = MINIMAL_SITE + "screen:\n  on: 工作日 07:00-18:00\n  holidays: [2026-11-27 感恩节]\n"


def test_the_screen_week_box_shows_the_schedule_line_and_opens_the_schedule_page(served):
    site, server = served({"data/mailbox.yaml": MAILBOX, "site.yaml": SCREEN_HOURS})
    box = home(server).select_one("section.screen-week")
    assert box.select_one(".screen-today").get_text() == "今天（11月25日）：07:00–18:00 开"
    line = box.select_one(".screen-summary").get_text()
    assert line.startswith("大屏：未来 7 天有 4 天 07:00–18:00 开，11月27日、11月28日、11月29日 全天关；"), line
    assert line == site.run("check", "--now", "2026-11-25").out.splitlines()[-1]  # the line `check` prints
    status, _headers, page = Client(server).request("GET", box.find("a")["href"])
    assert status == 200
    schedule = soup(page)
    assert schedule_summary(schedule) == line
    first = schedule.select_one(".schedule-day")
    assert first["data-date"] == "2026-11-25" and first.h2.get_text().startswith("11月25日 星期三")


def test_new_screen_hours_in_site_yaml_show_at_the_next_visit(served):
    site, server = served({"data/mailbox.yaml": MAILBOX, "site.yaml": SCREEN_HOURS})
    assert texts(home(server), ".screen-today") == ["今天（11月25日）：07:00–18:00 开"]
    site.write("site.yaml", MINIMAL_SITE + "screen:\n  on: 每天 08:30-17:00\n  holidays: [2026-11-25 支部活动日]\n")
    page = home(server)
    assert texts(page, ".screen-today") == ["今天（11月25日）：全天关（支部活动日）"]
    line = texts(page, ".screen-summary")[0]
    assert line.startswith("大屏：未来 7 天有 6 天 08:30–17:00 开，11月25日 全天关；"), line

    def served_line():  # serve builds the site again on its own
        _status, _headers, text = Client(server).request("GET", "/screen/schedule.html")
        return schedule_summary(soup(text)) == line
    wait_until(served_line)


def test_the_footer_links_the_schedule_next_to_the_screen_but_the_screen_does_not(make_site):
    site = make_site({"site.yaml": SCREEN_HOURS})
    site.build()
    footer = [a["href"] for a in site.page("index.html").select(".footer-links a")]
    assert footer[footer.index("screen/index.html") + 1] == "screen/schedule.html"
    assert (site.out / "screen" / "schedule.html").is_file()
    assert not site.page("screen/index.html").select('a[href*="schedule"]')


def schedule_summary(page) -> str:
    return page.select_one(".schedule-summary").get_text().strip()
