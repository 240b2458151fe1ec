"""What the editor's first page shows: the board as it stands today and
every problem `check` finds, made by the build's own code (nothing written).

    today(site_dir, now)    a Today: honors, next study session, banners, notices ending soon, problems
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from branchboard.errors import BoardError, BuildFailed, Report

SOON_DAYS = 7  # notices that come down within this many days are shown


@dataclass(frozen=True)
class Today:
    honors: object  # figures.HonorPeriod or None
    top: tuple  # its first awards (figures.Award)
    study: object  # figures.Session or None: the next one that is held
    banners: tuple  # figures.Banner hanging today
    ending: tuple  # (article, its last day) of notices ending within SOON_DAYS
    problems: tuple[BoardError, ...]  # errors first, then warnings


def today(site_dir: Path, now: dt.datetime | None = None) -> Today:
    from branchboard.board import figures
    from branchboard.build import pipeline
    from branchboard.editor import forms
    from branchboard.site.content import read_sources
    from branchboard.site.model import make_article

    now = pipeline.resolve_now(now)
    problems = _checked(site_dir, now)
    info = forms.site_info(site_dir)
    data = pipeline._read_data(site_dir, info.schema_dirs, info.articles, info.settings).data
    try:
        board = figures.build_board(data, now, {})
    except Exception:  # a file `check` reports as broken: its part stays empty here
        board = None
    honors = board.honors.latest if board and board.honors else None
    top = tuple(a for g in honors.groups for a in g.awards)[:3] if honors else ()
    study = board.study.next_session if board and board.study else None
    banners = board.banners.current if board and board.banners else ()
    quiet = Report()
    articles = [a for a in (make_article(s, set(), quiet) for s in read_sources(site_dir, quiet)[0]) if a]
    ending = tuple(sorted(((a, a.expire) for a in articles
                           if a.expire and not a.draft and now <= a.expire <= now + dt.timedelta(days=SOON_DAYS)),
                          key=lambda pair: pair[1]))
    return Today(honors, top, study, banners, ending, problems)


def _checked(site_dir: Path, now: dt.datetime) -> tuple[BoardError, ...]:
    from branchboard.build.pipeline import Options, build

    try:
        report = build(Options(site_dir, now=now, write=False)).report
    except BuildFailed as failed:
        report = failed.report
    return tuple(report.errors) + tuple(report.warnings)
