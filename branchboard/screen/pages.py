"""The meeting-room screen: a full-screen rotating board (public/screen/index.html).

    1. check site.yaml's screen: block        settings.read_screen_settings
    2. build the slides from model and board  slides.build_slides
    3. the ticker line and the fallback slide  (here)
    4. when the screen is on at all            schedule.hours_rules
    5. the week ahead (screen/schedule.html)   schedule.build_schedule

The page is one HTML file with every slide in it and a small script in the
theme (static/screen.js): one timer drives the clock, the rotation, the time
windows, the check for a new build and the hidden cursor.  Nothing is fetched
but ``build-id.txt`` over HTTP, so the page also runs opened as a file.
"""

from __future__ import annotations

import datetime as dt

from branchboard.board.figures import Board
from branchboard.site.config import SiteConfig
from branchboard.errors import Report
from branchboard.site.model import SiteModel
from branchboard.screen.schedule import OUTPUT as SCHEDULE_OUTPUT, Shown, build_schedule, hours_rules
from branchboard.screen.settings import read_screen_settings
from branchboard.screen.slides import (Item, Slogan, banner_dates, banner_slogan, build_slides, dated,
                            day_start, hanging_banners, study_ticker)

OUTPUT = "screen/index.html"
LABEL = "大屏播放"
SCHEDULE_TITLE = "大屏播放日程"
TICKER_SECONDS_PER_CHAR = 0.4  # two and a half characters a second: read as they pass
TICKER_MIN_SECONDS = 20


def screen_pages(config: SiteConfig, model: SiteModel, board: Board | None, now: dt.datetime,
                 report: Report, excerpts: dict) -> list[tuple[str, str, dict]]:
    """(path, template, context) of the screen pages; problems in site.yaml's
    ``screen:`` go to ``report``.  ``excerpts``: content rel -> the
    beginning of its body, for the notices and articles the slides show."""
    settings = read_screen_settings(config, report, now)
    if settings is None or not settings.enabled:
        return []
    banners = [(b, dated(*banner_dates(b))) for b in hanging_banners(board, now)]
    ticker = [Item(text) for text in config.ticker if text.strip()] + study_ticker(board, now)
    ticker += [Item(b.text, attrs) for b, attrs in banners]
    slogans = [Item(banner_slogan(b), attrs) for b, attrs in banners]
    if settings.slogan:
        slogans.append(Item(Slogan(settings.slogan, tuple(settings.slogan.split()))))
    chars = sum(len(item.value) for item in ticker)
    slides = build_slides(settings.slides, config, model, board, now, excerpts)
    shown = Shown(hours_rules(settings.hours), slides, tuple(ticker), tuple(slogans))
    context = {
        "title": LABEL,
        "footer_label": LABEL,
        "branch": config.organization or config.title,
        "screen": settings,
        "slides": slides,
        "ticker": ticker,
        "ticker_seconds": max(TICKER_MIN_SECONDS, round(chars * TICKER_SECONDS_PER_CHAR)),
        "slogans": slogans,
        "hours_rules": shown.rules,
    }
    schedule = {
        "title": SCHEDULE_TITLE,
        "schedule": build_schedule(settings.hours, shown, now),
        "hours": settings.hours,
    }
    return [(OUTPUT, "screen/index.html", context), (SCHEDULE_OUTPUT, "screen/schedule.html", schedule)]


def ends(config: SiteConfig, board: Board | None, now: dt.datetime | None = None) -> list[dt.datetime]:
    """Every moment at which the screen pages change with the time of day
    alone: the end of each slide's window and of each banner (``is_over``
    decides with them; the page checks the rest of its dates as it runs),
    and the start and end of ``now``'s day (the schedule starts each day)."""
    settings = read_screen_settings(config, Report())
    if settings is None or not settings.enabled:
        return []
    banners = (*board.banners.current, *board.banners.upcoming) if board and board.banners else ()
    # a build at the very start of a day (``--now`` gives a date) is already in it
    days = tuple(d for d in (day_start(now), day_start(now) + dt.timedelta(days=1)) if d != now) if now else ()
    return [end for end in (*(spec.window.end for spec in settings.slides),
                            *(banner_dates(b)[1] for b in banners), *days) if end is not None]
