"""The board model: plain frozen data built once from the checked data files.

Every figure a board page shows (scores, ranks, changes, rates, the study
calendar, which banners hang today) is computed here, the performance
figures in board.performance, so templates only lay out what they are
given and tests can check the figures without rendering.
Numbers are :class:`~decimal.Decimal` so that 0.1 + 0.2 is 0.3 and rates
round half up; each figure comes with its display text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from markupsafe import Markup

from branchboard.board import charts
from branchboard.board.data import WEEKDAYS, as_date, as_moment, format_number, is_scheduled
from branchboard.board.performance import Performance, build_performance

# When the weekly study rule has no end date, the calendar runs this far ahead.
OPEN_SCHEDULE_WEEKS = 8
STATUS_CLASSES = {"已受理": "status-accepted", "办理中": "status-doing", "已办结": "status-done",
                  "未开始": "status-todo", "整改中": "status-doing", "已完成": "status-done"}
BANNER_CLASSES = {"红底黄字": "banner-red-yellow", "红底白字": "banner-red-white",
                  "白底红字": "banner-white-red"}
PAGES = (  # (Board attribute, output path and template, Chinese title)
    ("model_posts", "board/model-posts.html", "党员示范岗"),
    ("honors", "board/honors.html", "光荣榜"),
    ("performance", "board/performance.html", "绩效考核"),
    ("study", "board/study.html", "学习培训"),
    ("mailbox", "board/mailbox.html", "职工信箱"),
    ("evaluations", "board/evaluations.html", "半年考评"),
    ("banners", "board/banners.html", "条幅"),
)


def percent(part, whole) -> Decimal | None:
    """part / whole as a percentage rounded half up to one decimal."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def percent_text(rate: Decimal | None) -> str:
    return "—" if rate is None else f"{rate}%"


def cn_date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _photo(path: str | None) -> str | None:
    """Data photos are copied to the output under data/, same relative path."""
    return f"data/{path}" if path else None


# -- 党员示范岗 ------------------------------------------------------------------

@dataclass(frozen=True)
class ModelPost:
    post: str
    leader: str
    team: str | None
    photo: str | None  # site-root-relative output path
    pledge: str | None
    since: dt.date | None


def build_model_posts(records: list) -> tuple[ModelPost, ...]:
    return tuple(ModelPost(r["post"], r["leader"], r["team"], _photo(r["photo"]), r["pledge"],
                           r["since"]) for r in records)


# -- 光荣榜 ----------------------------------------------------------------------

@dataclass(frozen=True)
class Award:
    title: str
    who: str  # the person, or the team for a team award
    is_team: bool
    stars: int | None
    stars_text: str  # ★★★★☆ for 4 stars, "" without stars
    stars_label: str  # "4 星", for screen readers
    deeds: str | None
    reward: str | None
    photo: str | None


@dataclass(frozen=True)
class TitleGroup:
    title: str
    awards: tuple[Award, ...]
    preview: str  # a few names for the home page: 王建国、李红、张伟 等 5 人


@dataclass(frozen=True)
class HonorPeriod:
    period: str
    date: dt.date
    groups: tuple[TitleGroup, ...]


@dataclass(frozen=True)
class Honors:
    latest: HonorPeriod | None
    archive: tuple[HonorPeriod, ...]  # older periods, newest first


def build_award(record: dict) -> Award:
    stars = record["stars"]
    return Award(
        title=record["title"], who=record["name"] or record["team"] or "",
        is_team=not record["name"], stars=stars,
        stars_text="★" * stars + "☆" * (5 - stars) if stars else "",
        stars_label=f"{stars} 星" if stars else "", deeds=record["deeds"],
        reward=record["reward"], photo=_photo(record["photo"]))


def group_by_title(awards: list[Award], preview_size: int = 3) -> tuple[TitleGroup, ...]:
    """Groups in the order their titles first appear in the file."""
    titles = list(dict.fromkeys(a.title for a in awards))
    groups = []
    for title in titles:
        members = tuple(a for a in awards if a.title == title)
        preview = "、".join(a.who for a in members[:preview_size])
        if len(members) > preview_size:
            preview += f" 等 {len(members)} {'个' if members[0].is_team else '人'}"
        groups.append(TitleGroup(title, members, preview))
    return tuple(groups)


def build_honors(records: list) -> Honors:
    periods = sorted(
        (HonorPeriod(r["period"], r["date"], group_by_title([build_award(a) for a in r["awards"]]))
         for r in records), key=lambda p: as_moment(p.date), reverse=True)
    return Honors(periods[0] if periods else None, tuple(periods[1:]))


# -- 学习培训 --------------------------------------------------------------------

@dataclass(frozen=True)
class Session:
    date: dt.date
    weekday: str  # 周三
    time: str | None
    place: str | None
    topic: str | None
    speaker: str | None
    article_url: str | None
    cancelled: bool
    reason: str | None
    extra: bool


@dataclass(frozen=True)
class Study:
    rule_text: str  # 每周三、周五 16:30，地点：党员活动室；"" without a weekly rule
    range_text: str  # 2026年9月1日至2026年12月31日
    upcoming: tuple[Session, ...]  # soonest first, from today on
    past: tuple[Session, ...]  # newest first
    next_session: Session | None  # the first upcoming session that is not cancelled
    notice: str = ""  # 学习培训每周三 16:30 在队部会议室，请党员按时参加；"" without a weekly rule
    rule_until: dt.date | None = None  # the weekly rule's last day, if it has one


def rule_dates(schedule: dict | None, today: dt.date) -> list[dt.date]:
    """The weekly rule expanded between from and until (or some weeks past today)."""
    if not schedule or not schedule["weekdays"] or not schedule["from"]:
        return []
    start = as_date(schedule["from"])
    end = as_date(schedule["until"]) or today + dt.timedelta(weeks=OPEN_SCHEDULE_WEEKS)
    days = (start + dt.timedelta(days=n) for n in range((end - start).days + 1))
    return [day for day in days if is_scheduled(schedule, day)]


def study_calendar(data: dict, today: dt.date, article_urls: dict) -> list[Session]:
    """The rule's dates merged with the dated sessions: a dated session on a rule date replaces it."""
    schedule = data["schedule"] or {}
    covered = {as_date(s["date"]) for s in data["sessions"]}
    merged = [(day, {"date": day}) for day in rule_dates(schedule, today) if day not in covered]
    merged += [(as_date(s["date"]), s) for s in data["sessions"]]
    calendar = []
    for day, s in sorted(merged, key=lambda pair: as_moment(pair[1]["date"])):
        moment = s["date"]
        written_time = f"{moment.hour}:{moment.minute:02d}" if isinstance(moment, dt.datetime) else None
        calendar.append(Session(
            date=day, weekday=WEEKDAYS[day.weekday()],
            time=written_time or s.get("time") or schedule.get("time"),
            place=s.get("place") or schedule.get("place"), topic=s.get("topic"),
            speaker=s.get("speaker") or schedule.get("speaker"),
            article_url=article_urls.get(s.get("article")) if s.get("article") else None,
            cancelled=bool(s.get("cancelled")), reason=s.get("reason"), extra=bool(s.get("extra"))))
    return calendar


def describe_rule(schedule: dict | None) -> tuple[str, str]:
    if not schedule or not schedule["weekdays"]:
        return "", ""
    parts = ["每" + "、".join(schedule["weekdays"]) + (f" {schedule['time']}" if schedule["time"] else "")]
    parts += [f"{label}：{schedule[key]}" for key, label in (("place", "地点"), ("speaker", "主讲"))
              if schedule[key]]
    start, until = schedule["from"], schedule["until"]
    span = f"{cn_date(start)}至{cn_date(until)}" if until else f"{cn_date(start)}起" if start else ""
    return "，".join(parts), span


def rule_notice(schedule: dict | None) -> str:
    """The weekly rule as one line for the screen's ticker, so the time and
    place are written once, in data/study.yaml, and never typed again."""
    if not schedule or not schedule["weekdays"]:
        return ""
    when = "每" + "、".join(schedule["weekdays"]) + (f" {schedule['time']}" if schedule["time"] else "")
    where = f" 在{schedule['place']}" if schedule["place"] else ""
    return f"学习培训{when}{where}，请党员按时参加"


def build_study(data: dict, now: dt.datetime, article_urls: dict) -> Study:
    today = now.date()
    calendar = study_calendar(data, today, article_urls)
    upcoming = tuple(s for s in calendar if s.date >= today)
    rule, span = describe_rule(data["schedule"])
    schedule = data["schedule"] or {}
    return Study(rule, span, upcoming, tuple(reversed([s for s in calendar if s.date < today])),
                 next((s for s in upcoming if not s.cancelled), None),
                 rule_notice(data["schedule"]), as_date(schedule.get("until")))


# -- 职工信箱 --------------------------------------------------------------------

@dataclass(frozen=True)
class Letter:
    date: dt.date
    topic: str
    category: str | None
    content: str | None
    status: str
    status_class: str
    reply: str | None
    replied: dt.date | None


@dataclass(frozen=True)
class StatusCount:
    status: str
    status_class: str
    count: int


@dataclass(frozen=True)
class Mailbox:
    letters: tuple[Letter, ...]  # newest first
    counts: tuple[StatusCount, ...]  # 已受理, 办理中, 已办结
    total: int


def build_mailbox(records: list) -> Mailbox:
    letters = sorted((Letter(r["date"], r["topic"], r["category"], r["content"], r["status"],
                             STATUS_CLASSES.get(r["status"], "status-other"), r["reply"], r["replied"])
                      for r in records), key=lambda letter: as_moment(letter.date), reverse=True)
    counts = tuple(StatusCount(s, STATUS_CLASSES[s], sum(1 for x in letters if x.status == s))
                   for s in ("已受理", "办理中", "已办结"))
    return Mailbox(tuple(letters), counts, len(letters))


# -- 半年考评 --------------------------------------------------------------------

@dataclass(frozen=True)
class ItemRate:
    name: str
    satisfied: int
    basic: int
    unsatisfied: int
    votes: int
    rate: Decimal | None  # (满意 + 基本满意) / votes, in percent
    rate_text: str


@dataclass(frozen=True)
class Measure:
    issue: str
    action: str | None
    owner: str | None
    due: dt.date | None
    status: str
    status_class: str


@dataclass(frozen=True)
class Evaluation:
    period: str
    date: dt.date
    headcount: int
    participants: int
    participation: Decimal | None  # 实参评 / 应参评, in percent
    participation_text: str
    items: tuple[ItemRate, ...]
    measures: tuple[Measure, ...]
    chart: Markup | None  # satisfaction per item as bars


def build_evaluation(r: dict) -> Evaluation:
    items = []
    for i in r["items"]:
        votes = i["satisfied"] + i["basic"] + i["unsatisfied"]
        rate = percent(i["satisfied"] + i["basic"], votes)
        items.append(ItemRate(i["name"], i["satisfied"], i["basic"], i["unsatisfied"], votes,
                              rate, percent_text(rate)))
    measures = tuple(Measure(m["issue"], m["action"], m["owner"], m["due"], m["status"],
                             STATUS_CLASSES.get(m["status"], "status-other")) for m in r["measures"])
    rated = [(i.name, i.rate, i.rate_text) for i in items if i.rate is not None]
    chart = charts.bar_chart(f"{r['period']} 各项满意率", rated, maximum=Decimal(100)) if rated else None
    participation = percent(r["participants"], r["headcount"])
    return Evaluation(r["period"], r["date"], r["headcount"], r["participants"], participation,
                      percent_text(participation), tuple(items), measures, chart)


# -- 条幅 ------------------------------------------------------------------------

@dataclass(frozen=True)
class Banner:
    text: str
    width_mm: int
    height_mm: int
    size_text: str  # 6 × 0.7 米
    style: str
    style_class: str
    start: dt.date | None
    end: dt.date | None
    tiles: str | None  # A4 or A3: one character per sheet
    tile_count: int  # sheets to print one character per sheet
    preview: Markup


@dataclass(frozen=True)
class Banners:
    current: tuple[Banner, ...]  # hanging today
    upcoming: tuple[Banner, ...]  # soonest first


def is_current(start, end, today: dt.date) -> bool:
    """from <= today <= until; a missing end is open."""
    return (start is None or as_date(start) <= today) and (end is None or today <= as_date(end))


def build_banner(r: dict) -> Banner:
    width, height = r["size"]
    return Banner(
        r["text"], width, height, f"{format_number(Decimal(width) / 1000)} × "
        f"{format_number(Decimal(height) / 1000)} 米", r["style"],
        BANNER_CLASSES.get(r["style"], "banner-other"), r["from"], r["until"], r["tiles"],
        sum(1 for ch in r["text"] if not ch.isspace()),
        charts.banner_preview(r["text"], width, height, r["style"]))


def build_banners(records: list, today: dt.date) -> Banners:
    banners = [build_banner(r) for r in records]
    upcoming = sorted((b for b in banners if b.start and as_date(b.start) > today),
                      key=lambda b: as_moment(b.start))
    return Banners(tuple(b for b in banners if is_current(b.start, b.end, today)), tuple(upcoming))


# -- the whole board ---------------------------------------------------------------

@dataclass(frozen=True)
class Board:
    """Each part is None when its data file is missing."""

    model_posts: tuple[ModelPost, ...] | None
    honors: Honors | None
    performance: Performance | None
    study: Study | None
    mailbox: Mailbox | None
    evaluations: tuple[Evaluation, ...] | None  # newest first
    banners: Banners | None
    fingerprint: str | None = field(default=None, compare=False, repr=False)  # see Fingerprinter.of

    @property
    def has_highlights(self) -> bool:
        """Whether the home page's board panel (board/_highlights.html) has
        anything to show: a new board's empty files leave it out, not empty."""
        return bool((self.banners and self.banners.current) or (self.honors and self.honors.latest)
                    or (self.performance and self.performance.latest)
                    or (self.study and self.study.next_session))


def build_board(data: dict, now: dt.datetime, article_urls: dict[str, str],
                fingerprint: str | None = None) -> Board | None:
    """The board from read_data's result, or None when there is no board data at all.
    ``fingerprint``, if given, stands for the board wherever pages are keyed:
    it must change whenever what the board is made from does."""
    def part(stem, build):
        value = data.get(stem)
        return None if value is None else build(value)

    board = Board(
        model_posts=part("model_posts", build_model_posts),
        honors=part("honors", build_honors),
        performance=part("performance", build_performance),
        study=part("study", lambda d: build_study(d, now, article_urls)),
        mailbox=part("mailbox", build_mailbox),
        evaluations=part("evaluations", lambda rs: tuple(sorted(
            (build_evaluation(r) for r in rs), key=lambda e: as_moment(e.date), reverse=True))),
        banners=part("banners", lambda rs: build_banners(rs, now.date())),
        fingerprint=fingerprint,
    )
    return None if all(getattr(board, name) is None for name, _, _ in PAGES) else board


def board_pages(board: Board | None) -> list[tuple[str, str, dict]]:
    """(output path, template, extra context) for each board page whose data file exists."""
    if board is None:
        return []
    return [(path, path, {"title": title}) for name, path, title in PAGES
            if getattr(board, name) is not None]
