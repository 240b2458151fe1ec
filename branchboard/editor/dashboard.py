"""What the editor's first page shows: the board as it stands today, the
screen's week (public/screen/schedule.html in one line) and every problem
`check` finds, each with a link to the entry or article it is about, made by
the build's own code (nothing written).

    Dashboard(site_dir, site_files).today(now)   a Today, made again only when it may differ

Making a Today runs a whole build that writes nothing.  The page is opened
again and again while nothing changed, so the last Today is kept with the
fingerprint of the build's input files (read again only when their size or
time changed) and the day: a saved file, by the editor or by hand, changes
the fingerprint and shows at the next visit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

from branchboard.build.cache import BuildCache
from branchboard.build.inputs import file_digest, walk_inputs
from branchboard.build.pipeline import Options, build, resolve_now
from branchboard.editor import forms
from branchboard.editor.articletext import LABELS
from branchboard.editor.siteinfo import SiteFiles
from branchboard.errors import BoardError, BuildFailed, Report
from branchboard.screen.pages import screen_pages
from branchboard.screen.schedule import OUTPUT as SCHEDULE_OUTPUT, Schedule
from branchboard.site.content import CONTENT_DIR, FIELDS
from branchboard.site.schema import as_date

SOON = dt.timedelta(days=7)  # what comes down within this is shown
ARTICLE_EDIT = "/admin/articles/edit?file="
FRONT_KEY = re.compile(r"^\s*([^\s:：#][^:：]*?)\s*[:：]")


@dataclass(frozen=True)
class Problem:
    """One problem `check` reports, and where in the editor it is mended."""

    error: BoardError
    link: str  # the entry's or article's page, with the field's anchor when known; "" when none


@dataclass(frozen=True)
class Ending:
    """Something the board stops showing within SOON."""

    kind: str  # 文章 or 条幅
    title: str
    last_day: dt.date
    link: str


@dataclass(frozen=True)
class Today:
    """The board as the site shows it today, and what `check` finds."""

    honors: object  # figures.HonorPeriod or None
    top: tuple  # its first three awards (figures.Award)
    study: object  # figures.Session or None: the next one that is held
    banners: tuple  # figures.Banner hanging today
    notices: tuple  # model.Article: the pinned ones shown today (首页置顶通知, 大屏重要通知)
    ending: tuple[Ending, ...]  # soonest first
    problems: tuple[Problem, ...]  # errors first, then warnings
    stopped: bool  # errors kept the build from making the board: honors, study, banners not known
    screen: Schedule | None  # the screen's week from today, as screen/schedule.html shows it; None: no screen
    study_at: str  # the first listed study session from today on ("sessions.12"), or ""
    until: dt.datetime | None  # the next moment at which this changes with the time alone

    def job_url(self, file: str, url: str) -> str:
        """A job's button: the study job opens the next session, not the year's first."""
        if file == "study.yaml" and self.study_at:
            return f"{url}?at={self.study_at}"
        return url


class _Kept(NamedTuple):
    fingerprint: str
    today: Today


class Dashboard:
    """The dashboard of one site; the last Today kept while its inputs and the day stay the same."""

    def __init__(self, site_dir: Path, site_files: SiteFiles | None = None):
        self.site_dir = Path(site_dir)
        self.site_files = site_files or SiteFiles(self.site_dir)  # site.yaml and the theme, kept while unchanged
        self._stats: dict = {}  # path -> FileStat: a file is hashed again only when it changed
        self._kept: _Kept | None = None

    def today(self, now: dt.datetime | None = None) -> Today:
        now = resolve_now(now)
        theme = self.site_files.settings().theme
        fingerprint = inputs_fingerprint(self.site_dir, tuple(theme.dirs) if theme else (), now, self._stats)
        kept = self._kept
        if kept and kept.fingerprint == fingerprint and (kept.today.until is None or now < kept.today.until):
            return kept.today
        today = make_today(self.site_dir, now, self.site_files)
        self._kept = _Kept(fingerprint, today)
        return today


def inputs_fingerprint(site_dir: Path, theme_dirs: tuple, now: dt.datetime, stats: dict) -> str:
    """Of every file a build reads (site.yaml, content, data, schemas, the
    theme's) and the day; ``stats`` keeps each file's digest until its size
    or modification time changes."""
    parts = [now.date().isoformat()]
    roots, refused = walk_inputs(site_dir, theme_dirs)
    parts += [f"{path}\0{file_digest(path, stats)}" for _root, _rel, path in roots]
    parts += [f"{path}\0{problem}" for path, problem in refused]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def make_today(site_dir: Path, now: dt.datetime, site_files: SiteFiles | None = None) -> Today:
    """Run the build without writing; what it made (the model of the
    articles, the board) is read from the cache it was given."""
    cache = BuildCache.load(site_dir)
    try:
        report = build(Options(site_dir, now=now, write=False, cache=cache)).report
    except BuildFailed as failed:
        report = failed.report
    last_model = cache.memo.model
    model = last_model.model if last_model else None
    board, stopped = _board(cache, report)
    info = forms.site_info(site_dir, site_files)
    honors = board.honors.latest if board and board.honors else None
    return Today(
        stopped=stopped,
        screen=None if stopped else _screen_week(site_dir, model, board, now),
        honors=honors,
        top=tuple(a for g in honors.groups for a in g.awards)[:3] if honors else (),
        study=board.study.next_session if board and board.study else None,
        banners=board.banners.current if board and board.banners else (),
        notices=tuple(a for a in model.articles if a.pinned) if model else (),
        ending=_ending(model, board, now, info),
        problems=tuple(Problem(p, problem_link(info, p)) for p in (*report.errors, *report.warnings)),
        study_at=_next_listed_session(info, now.date()),
        until=_changes_at(model, now),
    )


def _board(cache: BuildCache, report: Report) -> tuple[object, bool]:
    """The board the build made (None: no board data), and whether it could
    not be made: the build stopped before it, or data `check` reports as
    broken made it fail (with no problem reported, a failure is our bug)."""
    if cache.memo.board is None:
        return None, report.has_errors()
    try:
        return cache.memo.board.board.get(), False
    except Exception:
        if not report.has_errors():
            raise
        return None, True


def _screen_week(site_dir: Path, model, board, now: dt.datetime) -> Schedule | None:
    """The week the build's schedule page shows, made again by the screen's
    own code from the model and board the build made (site.yaml's problems
    are the build's to report)."""
    from branchboard.site.config import load_config

    config = load_config(site_dir, Report()) if model is not None else None
    if config is None:
        return None
    pages = screen_pages(config, model, board, now, Report(), excerpts={})  # the schedule needs no slide text
    return next((context["schedule"] for path, _template, context in pages if path == SCHEDULE_OUTPUT), None)


def _ending(model, board, now: dt.datetime, info: forms.SiteInfo) -> tuple[Ending, ...]:
    found = [Ending("文章", a.title, a.expire.date(), article_link(a.path))
             for a in (model.articles if model else ()) if a.expire and a.expire <= now + SOON]
    banners = board.banners.current if board and board.banners else ()
    found += [Ending("条幅", b.text, as_date(b.end), _banner_link(info, b))
              for b in banners if b.end and as_date(b.end) <= now.date() + SOON]
    return tuple(sorted(found, key=lambda e: e.last_day))


def _changes_at(model, now: dt.datetime) -> dt.datetime | None:
    """An article appears, comes down, or comes within SOON of coming down."""
    if model is None:
        return None
    moments = [a.publish for a in model.pending if a.publish]
    moments += [m for a in model.articles if a.expire for m in (a.expire, a.expire - SOON)]
    return min((m for m in moments if m > now), default=None)


def _next_listed_session(info: forms.SiteInfo, today: dt.date) -> str:
    data = _open(info, "study.yaml")
    sessions = data.value.get("sessions") if data and isinstance(data.value, dict) else None
    for i, session in enumerate(sessions if isinstance(sessions, list) else []):
        day = _day(session.get("date") if isinstance(session, dict) else None)
        if day is not None and day >= today:
            return forms.at_text(("sessions", i))
    return ""


def _day(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


# -- links to where a thing is mended ------------------------------------------------------

def problem_link(info: forms.SiteInfo, problem: BoardError) -> str:
    path = problem.path or ""
    if path.startswith("data/"):
        return data_link(info, path[len("data/"):], problem)
    if path.startswith(f"{CONTENT_DIR}/") and path.endswith(".md"):
        return article_link(path, _front_field(info.site_dir / path, problem.line))
    return ""


def data_link(info: forms.SiteInfo, name: str, problem: BoardError) -> str:
    """The data file's page, opened at the entry that holds the problem's
    line and scrolled to its field when one can be told."""
    data = _open(info, name)
    if data is None:
        return ""
    url = f"/admin/data/{name}"
    entry = _entry_at_line(data, problem.line) if data.doc is not None and problem.line else None
    if entry is None:
        return url
    field = _field_id(data, forms.form_for(data, entry, info), problem)
    return f"{url}?at={forms.at_text(entry)}" + (f"#{field}" if field else "")


def _field_id(data: forms.DataFile, group: forms.Group, problem: BoardError) -> str:
    """The field the problem names: one on its line (as the form places a
    save's problems), else one the file lacks ("缺少 主题")."""
    def is_named(w):
        return w.label in problem.message or str(w.path[-1]) in problem.message

    shown = list(forms.widgets(group))
    on_line = [w for w in shown if _key_line(data, w.path) == problem.line]
    lacking = [w for w in shown if w.path not in data.doc.raw_paths]
    found = next((w for w in on_line if is_named(w)), None) or next((w for w in lacking if is_named(w)), None)
    return found.id if found else ""


def _entry_at_line(data: forms.DataFile, line: int) -> tuple | None:
    """The last entry of the file's page that starts on or before ``line``."""
    starts = [(start, entry.at) for entry in forms.entries(data)
              if (start := _value_line(data, entry.at)) is not None and start <= line]
    return max(starts)[1] if starts else None


def _value_line(data: forms.DataFile, path: tuple) -> int | None:
    raw = data.doc.raw_paths.get(path)
    return data.doc.positions.of(raw)[0] if raw is not None else None


def _key_line(data: forms.DataFile, path: tuple) -> int | None:
    raw = data.doc.raw_paths.get(path)
    return data.doc.positions.of_key(raw)[0] if raw is not None else None


def article_link(rel: str, field: str = "") -> str:
    return f"{ARTICLE_EDIT}{quote(rel, safe='/')}" + (f"#f-{field}" if field else "")


def _front_field(path: Path, line: int | None) -> str:
    """The article form's field for the front-matter key on ``line``, or ""."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return ""
    if not line or not lines or lines[0].strip() != "---" or line > len(lines) or line < 2:
        return ""
    if any(text.strip() == "---" for text in lines[1:line - 1]):
        return ""  # past the front matter: the body
    key = FRONT_KEY.match(lines[line - 1])
    written = key.group(1) if key else ""
    return next((name for name, aliases in FIELDS.items() if written in (name, *aliases) and name in LABELS), "")


def _banner_link(info: forms.SiteInfo, banner) -> str:
    data = _open(info, "banners.yaml")
    for i, record in enumerate(data.value if data and isinstance(data.value, list) else []):
        if isinstance(record, dict) and record.get("text") == banner.text:
            return f"/admin/data/banners.yaml?at={i}"
    return "/admin/data/banners.yaml"


def _open(info: forms.SiteInfo, name: str) -> forms.DataFile | None:
    schema = forms.data_files(info).get(name)
    if schema is None:
        return None
    try:
        return forms.open_data(info, name, schema)
    except OSError:
        return None
