"""build(): the stages in order, nothing else.

    1. read site.yaml                         config.load_config
    2. find the theme chain                   render.find_theme
    3. read the articles and data             content.read_sources, data.read_data
    4. build the model                        model.build_model, board.build_board
    5. convert Markdown                       markup.MarkdownRenderer
    6. render every page                      pages.render_pages
    7. write to a staging folder and swap     write.write_outputs

Problems are gathered in one report; the build stops between stages when it
holds errors, so the secretary sees every problem of a stage at once and the
previous output is never touched by a failed build.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import board as board_mod
from . import data as data_mod
from .config import load_config
from .content import read_sources
from .errors import BoardError, BuildFailed, Report
from .model import build_model
from .pages import convert_articles, render_pages
from .render import find_theme
from .write import Outputs, check_output_dir, write_outputs


@dataclass(frozen=True)
class Options:
    site_dir: Path
    out_dir: Path | None = None  # default: <site>/public
    drafts: bool = False
    now: dt.datetime | None = None  # default: SOURCE_DATE_EPOCH, else the clock
    write: bool = True  # False for `check`

    @property
    def out(self) -> Path:
        return self.out_dir if self.out_dir is not None else self.site_dir / "public"


@dataclass
class BuildResult:
    report: Report
    outputs: Outputs = field(default_factory=Outputs)
    seconds: float = 0.0

    @property
    def pages(self) -> int:
        return sum(1 for p in self.outputs.pages if p.endswith(".html"))


def resolve_now(now: dt.datetime | None) -> dt.datetime:
    if now is not None:
        return now
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).replace(tzinfo=None)
    return dt.datetime.now().replace(microsecond=0)


def _stop_if_errors(report: Report) -> None:
    if report.has_errors():
        raise BuildFailed(report)


def build(options: Options) -> BuildResult:
    """Run the whole pipeline.  Raises BuildFailed with every problem found."""
    started = time.perf_counter()
    report = Report()
    site_dir = options.site_dir
    now = resolve_now(options.now)

    if options.write:
        try:
            check_output_dir(options.out, site_dir)
        except BoardError as err:
            report.add(err)
    config = load_config(site_dir, report)
    theme = find_theme(site_dir, config.theme, report) if config else None
    _stop_if_errors(report)

    sources, assets = read_sources(site_dir, report)
    schema_dirs = [site_dir / "schemas", *theme.schema_dirs]
    settings = {"honor_titles": list(config.honor_titles)}
    data = data_mod.read_data(site_dir, schema_dirs, {s.rel for s in sources}, settings, report)
    model = build_model(config, sources, assets, now, options.drafts, report)
    _stop_if_errors(report)

    articles = convert_articles(model, sources, assets, report)
    article_urls = {a.source: a.url for a in model.articles}
    board = board_mod.build_board(data, now, article_urls)
    _stop_if_errors(report)

    outputs = render_pages(config, theme, model, articles, data, board, assets, now, report)
    _stop_if_errors(report)

    if options.write:
        write_outputs(outputs, options.out)
    return BuildResult(report, outputs, time.perf_counter() - started)
