"""build(): the stages in order, nothing else.

    start_build       site.yaml, the theme, the screen settings  site.config, site.theme,
                                                                 screen.settings
    read_inputs       every input's digest; if nothing changed   build.inputs
                      since the last build, stop here
    read_board_data   data/*.yaml against the schemas, in a      board.data
                      helper process while ...
    read_sources      ... the articles' front matter is read     site.content
    build_model       what is visible today, listings, URLs      site.model
    process_photos    images under content/ upright, clean and   photos.stage
                      sized for each use, cached by their bytes
    convert_articles  Markdown to HTML, cached by body           build.bodies
    _board            the board's figures, made only when a      board.figures
                      page shows them
    render_pages      every page whose key changed               build.pages
    write_outputs     a full build: staging folder, then swap;   build.write
    / write_changes   else only the pages that changed
    remember          what the next build needs to know          build.cache

Every stage reads the build's context (build.context.BuildContext).
Problems are gathered in one report; the build stops between stages when it
holds errors, so the secretary sees every problem of a stage at once and the
previous output is never touched by a failed build.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, NamedTuple

from branchboard.build.cache import BuildCache, CacheDamaged, TemplateMemo
from branchboard.build.context import BuildContext, SiteContent
from branchboard.site.config import load_config
from branchboard.site.content import CONTENT_DIR, find_content, in_section, read_sources
from branchboard.errors import BoardError, BuildFailed, Report
from branchboard.fingerprint import digest
from branchboard.build.inputs import read_inputs
from branchboard.site.model import build_model
from branchboard.site.theme import find_theme
from branchboard.build.write import (BUILD_ID, Outputs, check_output_dir, is_whole, recover_output, write_changes,
                                     write_outputs)
from branchboard.locks import site_lock
from branchboard.site.yamlio import Documents


@dataclass(frozen=True)
class Options:
    """What a build is asked to do (the command line's options)."""

    site_dir: Path
    out_dir: Path | None = None  # default: <site>/public
    drafts: bool = False
    now: dt.datetime | None = None  # default: SOURCE_DATE_EPOCH, else the clock
    write: bool = True  # False for `check`
    cache: BuildCache | None = field(default=None, compare=False)  # serve keeps one in memory
    # called with (done, total) while photos are made, once that has taken a while
    on_photos: Callable[[int, int], None] | None = field(default=None, compare=False)

    @property
    def out(self) -> Path:
        return self.out_dir if self.out_dir is not None else self.site_dir / "public"


@dataclass
class BuildResult:
    """What a build found and wrote."""

    report: Report
    outputs: Outputs = field(default_factory=Outputs)
    seconds: float = 0.0
    unchanged: bool = False  # nothing had changed: nothing was written
    photos_made: int = 0  # images processed, not taken from the cache

    @property
    def pages(self) -> int:
        return sum(1 for p in self.outputs.keys if p.endswith(".html"))

    @property
    def rendered(self) -> int:
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


def build(options: Options, on_wait=None) -> BuildResult:
    """Run the whole pipeline.  Raises BuildFailed with every problem found.

    A build that writes holds the site's build lock (``on_wait`` is called
    if another build has it, and this one waits), and first tidies what a
    build stopped half-way left beside the output folder."""
    if not options.write or not _may_write(options):  # a refused output folder is reported by the build
        return _build_with_cache(options)
    with site_lock(options.site_dir, "build", on_wait=on_wait):
        recover_output(options.out)
        return _build_with_cache(options)


def _may_write(options: Options) -> bool:
    try:
        check_output_dir(options.out, options.site_dir)
    except BoardError:
        return False
    return True


def _build_with_cache(options: Options) -> BuildResult:
    started = time.perf_counter()
    cache = options.cache if options.cache is not None else BuildCache.load(options.site_dir)
    try:
        return _build(options, cache, started)
    except CacheDamaged:  # found before anything was written: build again from nothing
        cache.forget()
        return _build(options, cache, started)


def _build(options: Options, cache: BuildCache, started: float) -> BuildResult:
    ctx = start_build(options, cache)
    inputs = read_inputs(ctx)
    for path, problem in inputs.refused:  # nothing is read from outside the site
        ctx.report.error(path, None, None, f"{path} {problem}",
                         "删掉这个链接（快捷方式），把要用的文件本身复制到网站文件夹里。")
    if inputs.refused:
        raise BuildFailed(ctx.report)
    if ctx.writes and not ctx.report.has_errors() and is_up_to_date(cache, inputs.fingerprint, ctx.out, ctx.now):
        ctx.report.extend(cache.warnings)
        return BuildResult(ctx.report, Outputs(), time.perf_counter() - started, unchanged=True)

    # the heavy stages are imported only when there is work to do
    from branchboard.build.bodies import convert_articles
    from branchboard.build.pages import render_pages
    from branchboard.photos.stage import process_photos

    articles = [rel for rel in find_content(ctx.site_dir, inputs.content)[0] if in_section(rel)]
    data_problems = Report()
    with read_board_data(ctx, articles, inputs.others) as board_data:
        sources, assets = read_sources(ctx.site_dir, ctx.report, cache.sources, inputs.content)
        checked, data_key = board_data.result(data_problems)
    data = checked.data
    model = build_model(ctx, sources, assets)
    unreadable = ctx.report.has_errors()  # an article that cannot be read: the rest would mislead
    ctx.report.extend(data_problems.problems)  # else the data's mistakes stop the build after the bodies'
    if unreadable:
        raise BuildFailed(ctx.report)

    if not ctx.writes:
        cache.read_only()
    photos = process_photos(ctx, _images(ctx, assets, inputs), options.on_photos)
    bodies = convert_articles(ctx, model, sources, assets, photos)
    light = cache.drop_texts()  # converted: the Markdown is not needed any more
    sources = [light.get(s.rel, s) for s in sources]
    board = _board(ctx, data, data_key, model.urls)
    if photos.broken:
        _report_broken_images(ctx, model, sources, checked, bodies, photos)
    _stop_if_errors(ctx.report)

    incremental = ctx.writes and is_ours_as_left(cache, ctx.out)
    _forget_templates_if_the_theme_changed(ctx, inputs.others)
    outputs = Outputs(page_digests=ctx.memo.page_digests)
    if ctx.writes and not incremental:
        outputs.stage(ctx.out)  # a full build writes each page as it is rendered
    try:
        render_pages(ctx, SiteContent(model, bodies, assets, data, board, photos, checked.images), outputs,
                     incremental)
        _stop_if_errors(ctx.report)
        if ctx.writes:
            if incremental:
                build_id = write_changes(outputs, ctx.out, set(cache.page_keys) | set(cache.copy_paths))
            else:
                build_id = write_outputs(outputs, ctx.out)
    except BaseException:
        outputs.discard()
        raise
    if ctx.writes:
        remember(ctx, outputs, build_id, inputs.fingerprint, valid_until(sources, ctx.now, cache.board_side))
        used = {key for key, _body in bodies.values()}
        if ctx.long_running:
            cache.used_bodies = used  # a long-running caller saves when it stops
        else:
            cache.save(ctx.site_dir, used)
    return BuildResult(ctx.report, outputs, time.perf_counter() - started, photos_made=photos.made)


def _report_broken_images(ctx: BuildContext, model, sources, checked: "CheckedData", bodies: dict,
                          photos) -> None:
    """Images that cannot be read, at the lines that name them (photos.uses)."""
    from branchboard.photos.uses import Shown, body_images, check_broken

    by_rel = {s.rel: s for s in sources}
    shown = [Shown(a.cover, f"{CONTENT_DIR}/{a.source}", *by_rel[a.source].line_of("cover"))
             for a in model.articles if a.cover and a.source in by_rel]
    shown += [Shown(use.image, use.file, use.line, use.col) for use in checked.images.values()]
    check_broken(ctx.report, photos, shown, body_images(bodies))


def _images(ctx: BuildContext, assets: list[str], inputs) -> dict:
    """The images the photo stage processes, with their digests."""
    from branchboard.build.inputs import file_digest
    from branchboard.build.pages import data_files
    from branchboard.photos.stage import image_sources

    data = {}
    for rel in data_files(ctx.site_dir):
        path = str(ctx.site_dir / rel)
        data[rel] = inputs.others.get(path) or file_digest(path, {})
    return image_sources(ctx.site_dir, assets, inputs.content, data)


def start_build(options: Options, cache: BuildCache) -> BuildContext:
    """The build's context: site.yaml, the theme and the screen settings read
    and checked (every problem reported), or BuildFailed."""
    report = Report()
    now = resolve_now(options.now)
    if options.write:
        try:
            check_output_dir(options.out, options.site_dir)
        except BoardError as err:
            report.add(err)
    documents = Documents(cache.documents)
    config = load_config(options.site_dir, report, documents)
    theme = find_theme(options.site_dir, config.theme, report, documents) if config else None
    if config is not None:
        from branchboard.screen.settings import read_screen_settings

        read_screen_settings(config, report, now)  # reported now, with the content's own mistakes
    if config is None or theme is None:
        raise BuildFailed(report)
    if options.write:
        cache.documents = documents.used
    return BuildContext(options.site_dir, config, theme, now, report, cache,
                        out=options.out if options.write else None, drafts=options.drafts,
                        long_running=options.cache is not None)


def _forget_templates_if_the_theme_changed(ctx: BuildContext, digests: dict) -> None:
    """What each template uses is kept while the theme's files stay the same."""
    prefixes = tuple(f"{t}{os.sep}" for t in ctx.theme.dirs)
    theme_digest = hashlib.sha256(repr(sorted((p, d) for p, d in digests.items() if p.startswith(prefixes)))
                                  .encode("utf-8")).hexdigest()
    if ctx.cache.templates is None or ctx.cache.templates.theme != theme_digest:
        ctx.cache.templates = TemplateMemo(theme_digest)


def read_board_data(ctx: BuildContext, articles: list[str], digests: dict) -> "BoardData":
    """data/*.yaml read and checked, or taken from the cache when none of
    the data files, schemas, article paths or settings changed; with the key
    those make (equal keys, equal data).  ``articles``: the content paths a
    data file may name; ``digests``: of every input outside content/."""
    site_dir = ctx.site_dir
    schema_dirs = [site_dir / "schemas", *ctx.theme.schema_dirs]
    settings = {"honor_titles": list(ctx.config.honor_titles)}
    prefixes = tuple(f"{d}{os.sep}" for d in [site_dir / "data", *schema_dirs])
    # each file by its folder's place in that list and its path inside it: the
    # key (and the board's fingerprint made from it) is the same wherever the
    # site lies, as the pages are
    inputs = sorted((i, p[len(prefix):], d) for p, d in digests.items() if p.startswith(prefixes)
                    for i, prefix in enumerate(prefixes) if p.startswith(prefix))
    key = hashlib.sha256(repr((inputs, sorted(articles), settings)).encode("utf-8")).hexdigest()
    return BoardData(key, ctx.cache.data, (site_dir, schema_dirs, set(articles), settings),
                     in_background=not ctx.long_running)


class BoardData:
    """The board's data, being read: ``with`` it, the articles are parsed,
    then ``result`` gives it.  Checking the data first imports jsonschema,
    most of the time it takes: a build that runs
    once (``in_background``; not serve, which imports it once and keeps it)
    reads the data in a helper process while the articles are parsed."""

    def __init__(self, key: str, cached: dict, read_with: tuple, in_background: bool):
        self.key = key
        self._cached = cached  # the cache's: key -> CheckedData; one entry
        self._read_with = read_with
        self._in_background = in_background and key not in cached
        self._helper = None  # parallel.Background

    def __enter__(self) -> "BoardData":
        if self._in_background:
            from branchboard.parallel import Background  # multiprocessing: only when there is work

            self._helper = Background(_read_data, *self._read_with).__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self._helper is not None:
            self._helper.__exit__(*exc)

    def result(self, report: Report) -> tuple["CheckedData", str]:
        if self.key not in self._cached:
            made = self._helper.result() if self._helper is not None else _read_data(*self._read_with)
            self._cached.clear()
            self._cached[self.key] = made
        checked = self._cached[self.key]
        report.extend(checked.problems)
        return checked, self.key


class CheckedData(NamedTuple):
    """The board's data as read and checked, and what was wrong in it."""

    data: dict
    problems: list
    images: dict  # (data stem, path) -> board.data.ImageUse: the fields that name a photo


def _read_data(site_dir, schema_dirs, articles, settings) -> CheckedData:
    from branchboard.board import data as data_mod  # jsonschema is imported only when data changed

    own, images = Report(), {}
    data = data_mod.read_data(site_dir, schema_dirs, articles, settings, own, images)
    return CheckedData(data, own.problems, images)


@dataclass
class BoardMemo:
    """The board reference of the last build in this process, and what it was
    made from."""

    data: dict
    made_from: tuple  # (the day, the articles' addresses)
    board: "BoardRef"


def _board(ctx: BuildContext, data, data_key: str, article_urls: dict) -> "BoardRef":
    """The board, as a reference that makes it only when a page needs it; a
    long-running process keeps one while the data, the day and the articles'
    addresses stay the same (the board reads only the date).  The board is
    made from just these (and branchboard's code, which the cache is keyed
    by), so they are its fingerprint too: the pages that show it need not
    walk its thousands of figures to know it is unchanged, and the last
    board made is kept in the cache under it (``cache.boards``)."""
    now, memo = ctx.now, ctx.memo
    made_from = (now.date(), article_urls)
    if memo.board is None or memo.board.data is not data or memo.board.made_from != made_from:
        fingerprint = digest("board", data_key, now.date().isoformat(), repr(sorted(article_urls.items())))
        memo.board = BoardMemo(data, made_from, BoardRef(fingerprint, ctx.cache.boards, data, now, article_urls))
    return memo.board.board


class BoardRef:
    """The board (board.figures.Board, or None when there is no board data),
    made or read back from the cache on first use.  Most edits change no page
    that shows it: such a build never loads the board, nor imports the
    code that makes it, its screen and its print pages."""

    def __init__(self, fingerprint: str, stored: dict, data, now: dt.datetime, article_urls: dict):
        self.fingerprint = fingerprint
        # the cache's: fingerprint -> the board pickled, or None for no board; one entry
        self._stored = stored
        self._made_from = (data, now, article_urls)
        self._board = _NOT_YET

    def get(self):
        if self._board is _NOT_YET:
            if self.fingerprint in self._stored:
                kept = self._stored[self.fingerprint]
                self._board = None if kept is None else pickle.loads(kept)
            else:
                from branchboard.board import figures

                self._board = figures.build_board(*self._made_from, self.fingerprint)
                self._stored.clear()
                self._stored[self.fingerprint] = (None if self._board is None else
                                                  pickle.dumps(self._board, pickle.HIGHEST_PROTOCOL))
        return self._board


_NOT_YET = object()


def is_ours_as_left(cache: BuildCache, out: Path) -> bool:
    """The output folder is the one the cache describes, untouched since."""
    out = out.resolve()
    if cache.out != str(out) or not cache.build_id or not is_whole(out):
        return False
    try:
        return (out / BUILD_ID).read_text(encoding="utf-8").strip() == cache.build_id
    except OSError:
        return False


def is_up_to_date(cache: BuildCache, fingerprint: str, out: Path, now: dt.datetime) -> bool:
    return (cache.fingerprint == fingerprint and is_ours_as_left(cache, out)
            and (cache.valid_until is None or now < cache.valid_until))


def valid_until(sources, now: dt.datetime, board_side) -> dt.datetime | None:
    """The next moment at which the pages change with the time alone: an
    article appears or disappears, or (``board_side``, see
    pages.board_side) a slide or a banner ends."""
    moments = [m for s in sources for m in (s.meta.get("publish"), s.meta.get("expire")) if m and m > now]
    board_until = board_side.span.until if board_side is not None else None
    return min(filter(None, (*moments, board_until)), default=None)


def remember(ctx: BuildContext, outputs: Outputs, build_id: str, fingerprint: str, until) -> None:
    """What the next build needs to know of this one."""
    cache = ctx.cache
    cache.page_keys = dict(outputs.keys)
    cache.copy_paths = sorted(outputs.copies)
    cache.fingerprint = fingerprint
    cache.out = str(ctx.out.resolve())
    cache.build_id = build_id
    cache.valid_until = until
    cache.warnings = list(ctx.report.warnings)
