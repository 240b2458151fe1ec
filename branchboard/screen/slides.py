"""What each slide of the meeting-room screen shows, from the model and the board.

One builder per slide type turns a :class:`SlideSpec` into a slide, or into
nothing when its data is empty.  Anything that must change while the page
runs for days (a slide's time window, a notice's publish and expire dates, a
banner's hanging dates, a study session's day) becomes ``data-*`` attributes
that the page checks against the clock; the build decides nothing the clock
can overturn, except to leave out what has already ended.

How many items fit on one slide, and how large its type can be, are not
decided here: they depend on the fonts of the machine that shows the page, so
the page measures the list, shares it evenly among further slides of the same
kind and sizes the text to the room each slide has.  A notice, an article and
a letter each take a slide of their own, and say where to read the rest: a
notice shows the beginning of its text, an article its summary or else its
first paragraph (the body's excerpt, build.bodies).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter
from typing import Any, Callable

from branchboard.board.charts import baseline
from branchboard.board.figures import Banner, Board
from branchboard.site.config import SiteConfig
from branchboard.board.data import as_date, format_number
from branchboard.site.model import SiteModel, listing_order
from branchboard.screen.settings import SLIDE_TYPES, SlideSpec, Window

BANNER_HEADING = "宣传标语"
DEFAULT_COUNTS = {"study": 6, "notices": 6, "articles": 6, "mailbox": 4}
Attrs = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Item:
    """One entry of a slide's list: a board or model object, and when it shows."""

    value: Any
    attrs: Attrs = ()


@dataclass(frozen=True)
class Bar:
    """A labelled bar of a ranking: its length is a share of the scale, 0 to 100."""

    label: str
    value_text: str
    percent: str  # CSS width, e.g. "98.5%"
    rank: int | None = None
    note: str = ""  # change against the previous period
    move: str = ""  # places moved since the previous period: ↑2, ↓1, 持平, 新

    @property
    def move_class(self) -> str:
        return {"↑": "move-up", "↓": "move-down", "新": "move-new"}.get(self.move[:1], "")


@dataclass(frozen=True)
class Slogan:
    """A banner's text as the screen shows it; the page sizes it to the room it has."""

    text: str
    phrases: tuple[str, ...]  # the banner's words, broken only between phrases
    style_class: str = "banner-red-yellow"


@dataclass(frozen=True)
class Story:
    """A notice or an article on a slide of its own, and where the rest of it is read."""

    article: Any  # site.model.Article
    where: str  # 全文详见支部网站“通知公告”栏目
    text: tuple[str, ...] = ()  # its paragraphs as the slide shows them, as much as fits


def story_text(article, excerpt: tuple[str, ...], notice: bool) -> tuple[str, ...]:
    """What a story's slide says: a notice is its text, so it shows the
    beginning of its body, even when it has a summary; an article shows its
    summary, or else its first paragraph.  A body with no text leaves the
    summary."""
    if notice and excerpt:
        return excerpt
    if article.summary:
        return (article.summary,)
    return excerpt[:1]


@dataclass(frozen=True)
class Letter:
    """A letter to the mailbox and its reply, on a slide of its own."""

    letter: Any  # board.figures.Letter
    where: str


MAILBOX_PAGE = "职工信箱"


@dataclass(frozen=True)
class Slide:
    kind: str
    title: str
    subtitle: str
    seconds: float
    attrs: Attrs
    items: tuple[Item, ...]


def iso(moment: dt.datetime) -> str:
    """Local time as the browser's Date.parse reads it (no zone: local)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{moment.microsecond // 1000:03d}"


def day_start(day) -> dt.datetime:
    return dt.datetime.combine(as_date(day), dt.time())


def day_end(day) -> dt.datetime:
    return dt.datetime.combine(as_date(day), dt.time(23, 59, 59, 999000))


def window_attrs(window: Window) -> Attrs:
    pairs = []
    if window.start:
        pairs.append(("data-from", iso(window.start)))
    if window.end:
        pairs.append(("data-until", iso(window.end)))
    if window.weekdays:  # the browser counts from Sunday = 0
        pairs.append(("data-days", " ".join(str((d + 1) % 7) for d in window.weekdays)))
    if window.hours:
        pairs.append(("data-hours", f"{window.hours[0]}-{window.hours[1]}"))
    return tuple(pairs)


def dated(start: dt.datetime | None, end: dt.datetime | None) -> Attrs:
    return window_attrs(Window(start, end))


def narrow(window: Window, start: dt.datetime | None, end: dt.datetime | None) -> Window | None:
    """The window cut to [start, end]; None when nothing is left."""
    begin = max(filter(None, (window.start, start)), default=None)
    finish = min(filter(None, (window.end, end)), default=None)
    if begin and finish and begin > finish:
        return None
    return Window(begin, finish, window.weekdays, window.hours)


def is_over(end: dt.datetime | None, now: dt.datetime) -> bool:
    return end is not None and end < now


def share(value: Decimal, top: Decimal, base: Decimal = Decimal(0)) -> str:
    """(value - base) / (top - base) as a CSS percentage, kept within 0 to 100."""
    if top <= base:
        return "0%"
    part = min(max((Decimal(value) - base) * 100 / (Decimal(top) - base), Decimal(0)), Decimal(100))
    return f"{part.quantize(Decimal('0.1'))}%"


def banner_slogan(banner: Banner) -> Slogan:
    return Slogan(banner.text, tuple(banner.text.split()), banner.style_class)


def banner_dates(banner: Banner) -> tuple[dt.datetime | None, dt.datetime | None]:
    """When a banner hangs: from the start of its first day to the end of its last."""
    return (day_start(banner.start) if banner.start else None, day_end(banner.end) if banner.end else None)


def hanging_banners(board: Board | None, now: dt.datetime) -> list[Banner]:
    """Banners hanging now or later; the page checks their dates as it runs."""
    if board is None or board.banners is None:
        return []
    return [b for b in (*board.banners.current, *board.banners.upcoming) if not is_over(banner_dates(b)[1], now)]


def study_ticker(board: Board | None, now: dt.datetime) -> list[Item]:
    """The study rule's line for the ticker, from data/study.yaml, shown until the rule ends."""
    study = board.study if board else None
    if not study or not study.notice:
        return []
    end = day_end(study.rule_until) if study.rule_until else None
    return [] if is_over(end, now) else [Item(study.notice, dated(None, end))]


# -- one builder per slide type: (spec, context) -> slides ----------------------------

@dataclass(frozen=True)
class Sources:
    config: SiteConfig
    model: SiteModel
    board: Board | None
    now: dt.datetime
    excerpts: dict  # content rel -> the beginning of its body (Body.excerpt)


def _slide(spec: SlideSpec, items, subtitle: str = "", title: str = "") -> list[Slide]:
    items = tuple(items)
    if not items:
        return []
    heading = spec.title or title or SLIDE_TYPES[spec.type][0]
    return [Slide(spec.type, heading, subtitle, spec.seconds, window_attrs(spec.window), items)]


def _count(spec: SlideSpec) -> int | None:
    return spec.count or DEFAULT_COUNTS.get(spec.type)


def honors_slides(spec: SlideSpec, src: Sources) -> list[Slide]:
    honors = src.board.honors if src.board else None
    if not honors or not honors.latest:
        return []
    awards = (Item(a) for group in honors.latest.groups for a in group.awards)
    return _slide(spec, awards, honors.latest.period)


def model_post_slides(spec: SlideSpec, src: Sources) -> list[Slide]:
    posts = src.board.model_posts if src.board else None
    return _slide(spec, (Item(p) for p in posts or ()))


def performance_slides(spec: SlideSpec, src: Sources) -> list[Slide]:
    perf = src.board.performance if src.board else None
    if not perf or not perf.latest:
        return []
    standings = perf.latest.standings
    top = max([perf.full_marks, *(s.score for s in standings)])
    base = baseline([s.score for s in standings], top)  # as the board page's chart: differences show
    bars = (Item(Bar(s.team, s.score_text, share(s.score, top, base), s.rank,
                     "" if s.change_text == "—" else f"较上期 {s.change_text}", s.move_text))
            for s in standings)
    from_base = f" · 条形从 {format_number(base)} 分起" if base else ""
    return _slide(spec, bars, f"{perf.latest.period} · 满分 {perf.full_marks_text} 分{from_base}")


def study_slides(spec: SlideSpec, src: Sources) -> list[Slide]:
    study = src.board.study if src.board else None
    if not study:
        return []
    sessions = study.upcoming[:_count(spec)]
    return _slide(spec, (Item(s, dated(None, day_end(s.date))) for s in sessions), study.rule_text)


def banner_slides(spec: SlideSpec, src: Sources) -> list[Slide]:
    slides = []
    for banner in hanging_banners(src.board, src.now)[:_count(spec)]:
        window = narrow(spec.window, *banner_dates(banner))
        if window is not None:
            slides.append(Slide(spec.type, spec.title or BANNER_HEADING, "", spec.seconds,
                                window_attrs(window), (Item(banner_slogan(banner)),)))
    return slides


def _articles(spec: SlideSpec, src: Sources, pinned_only: bool):
    """The stories of a slide: the pinned articles are the notices."""
    # visible today, and those still to be published: the page shows each only
    # between its publish and expire moments, so a notice comes and goes on its day
    chosen = [a for a in (*src.model.articles, *src.model.pending)
              if (not spec.sections or a.section in spec.sections) and (a.pinned or not pinned_only)]
    chosen = listing_order(chosen) if pinned_only else sorted(chosen, key=attrgetter("newest_first"))
    return (Item(Story(a, where_to_read(src.config.section_title(a.section)),
                       story_text(a, src.excerpts.get(a.source, ()), pinned_only)), dated(a.publish, a.expire))
            for a in chosen[:_count(spec)])


def where_to_read(page: str) -> str:
    return f"全文详见支部网站“{page}”"


def _section_title(spec: SlideSpec, src: Sources) -> str:
    return src.config.section_title(spec.sections[0]) if len(spec.sections) == 1 else ""


def notice_slides(spec: SlideSpec, src: Sources) -> list[Slide]:
    return _slide(spec, _articles(spec, src, pinned_only=True))


def article_slides(spec: SlideSpec, src: Sources) -> list[Slide]:
    return _slide(spec, _articles(spec, src, pinned_only=False), title=_section_title(spec, src))


def mailbox_slides(spec: SlideSpec, src: Sources) -> list[Slide]:
    mailbox = src.board.mailbox if src.board else None
    answered = sorted((letter for letter in (mailbox.letters if mailbox else ()) if letter.reply),
                      key=lambda letter: (letter.replied or letter.date, letter.date), reverse=True)
    where = where_to_read(MAILBOX_PAGE)
    return _slide(spec, (Item(Letter(letter, where)) for letter in answered[:_count(spec)]), "来信答复")


def evaluation_slides(spec: SlideSpec, src: Sources) -> list[Slide]:
    evaluations = src.board.evaluations if src.board else None
    if not evaluations:
        return []
    latest = evaluations[0]
    bars = (Item(Bar(i.name, i.rate_text, share(i.rate, Decimal(100)))) for i in latest.items
            if i.rate is not None)
    return _slide(spec, bars, f"{latest.period} · 满意率（参评 {latest.participants}/{latest.headcount} 人，"
                              f"参评率 {latest.participation_text}）")


BUILDERS: dict[str, Callable[[SlideSpec, Sources], list[Slide]]] = {
    "honors": honors_slides,
    "model_posts": model_post_slides,
    "performance": performance_slides,
    "study": study_slides,
    "banner": banner_slides,
    "notices": notice_slides,
    "articles": article_slides,
    "mailbox": mailbox_slides,
    "evaluation": evaluation_slides,
}
assert set(BUILDERS) == set(SLIDE_TYPES)


def build_slides(specs, config: SiteConfig, model: SiteModel, board: Board | None,
                 now: dt.datetime, excerpts: dict) -> tuple[Slide, ...]:
    """The slides in the configured order; a slide whose window has ended is
    left out.  ``excerpts``: content rel -> the beginning of its body."""
    src = Sources(config, model, board, now, excerpts)
    slides = []
    for spec in specs:
        if not is_over(spec.window.end, now):
            slides += BUILDERS[spec.type](spec, src)
    return tuple(slides)
