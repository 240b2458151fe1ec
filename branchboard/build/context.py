"""What the stages of one build share: the build context, and what they made.

A stage takes the :class:`BuildContext` and the few things it works on, and
reads the site, its settings, the day, the report and the cache from the
context; nothing is threaded through the pipeline as loose arguments.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from branchboard.errors import Report

if TYPE_CHECKING:
    from branchboard.build.cache import BuildCache, Memo
    from branchboard.site.config import SiteConfig
    from branchboard.site.model import SiteModel
    from branchboard.site.theme import Theme

JINJA_DIR = "jinja"  # compiled templates, in the cache's folder


@dataclass(frozen=True)
class BuildContext:
    """One build: the site, what it is asked for, and where it keeps things."""

    site_dir: Path
    config: SiteConfig
    theme: Theme | None
    now: dt.datetime  # the moment visibility, windows and dates are decided for
    report: Report  # every problem every stage finds
    cache: BuildCache
    out: Path | None = None  # the output folder; None for `check`, which writes nothing
    drafts: bool = False
    long_running: bool = False  # serve: the cache stays in memory between builds

    @property
    def writes(self) -> bool:
        return self.out is not None

    @property
    def memo(self) -> Memo:
        """What a long-running process keeps between its builds."""
        return self.cache.memo

    @property
    def bytecode_dir(self) -> Path | None:
        """Where compiled templates are kept; None when nothing may be written."""
        from branchboard.build.cache import CACHE_DIR

        return self.site_dir / CACHE_DIR / JINJA_DIR if self.writes else None


class SiteContent(NamedTuple):
    """What the stages before rendering made: everything a page can show."""

    model: SiteModel
    bodies: dict  # content rel -> (body key, bodies.Body)
    assets: list[str]  # files beside the articles, copied as they are
    data: dict  # the board's data files, checked
    board: object  # pipeline.BoardRef: the board, made when a page needs it
    photos: object  # photos.stage.Photos: the derived files of each image
    images: dict = {}  # the data's image fields: (data stem, path) -> board.data.ImageUse
