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
import hashlib
import os
import pickle
import time
from dataclasses import dataclass, field
from pathlib import Path

from branchboard.build.cache import CACHE_DIR, BuildCache, CacheDamaged
from branchboard.site.config import load_config
from branchboard.site.content import find_content, in_section, read_sources
from branchboard.errors import BoardError, BuildFailed, Report
from branchboard.fingerprint import digest
from branchboard.build.inputs import read_inputs
from branchboard.site.model import build_model
from branchboard.site.theme import find_theme
from branchboard.build.write import BUILD_ID, MARKER, Outputs, check_output_dir, write_changes, write_outputs
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


def build(options: Options) -> BuildResult:
    """Run the whole pipeline.  Raises BuildFailed with every problem found."""
    started = time.perf_counter()
    cache = options.cache if options.cache is not None else BuildCache.load(options.site_dir)
    try:
        return _build(options, cache, started)
    except CacheDamaged:  # found before anything was written: build again from nothing
        cache.forget()
        return _build(options, cache, started)


def _build(options: Options, cache: BuildCache, started: float) -> BuildResult:
    report = Report()
    site_dir = options.site_dir
    now = resolve_now(options.now)

    if options.write:
        try:
            check_output_dir(options.out, site_dir)
        except BoardError as err:
            report.add(err)
    documents = Documents(cache.documents)
    config = load_config(site_dir, report, documents)
    theme = find_theme(site_dir, config.theme, report, documents) if config else None
    if config is not None:
        from branchboard.screen.settings import read_screen_settings

        read_screen_settings(config, report, now)  # reported now, with the content's own mistakes
    if config is None or theme is None:
        raise BuildFailed(report)

    inputs = read_inputs(site_dir, theme.dirs, options.out, options.drafts, now, cache.stats,
                         cache.kept("files"))  # serve's watcher says what changed
    fingerprint = inputs.fingerprint
    if options.write and not report.has_errors() and is_up_to_date(cache, fingerprint, options.out, now):
        report.extend(cache.warnings)
        return BuildResult(report, Outputs(), time.perf_counter() - started, unchanged=True)

    # the heavy stages are imported only when there is work to do
    from branchboard.build.bodies import convert_articles
    from branchboard.build.pages import render_pages
    from branchboard.build.render import PageMemory

    articles = [rel for rel in find_content(site_dir, inputs.content)[0] if in_section(rel)]
    with read_board_data(site_dir, config, theme, articles, inputs.others, cache,
                         helper=options.cache is None) as board_data:
        sources, assets = read_sources(site_dir, report, cache.sources, inputs.content)
        data, data_key = board_data.result(report)
    model = build_model(config, sources, assets, now, options.drafts, report, cache.articles,
                        cache.live("model", dict))
    _stop_if_errors(report)

    if not options.write:
        cache.read_only()
    bodies = convert_articles(model, sources, assets, report, cache, site_dir)
    light = cache.drop_texts()  # converted: the Markdown is not needed any more
    sources = [light.get(s.rel, s) for s in sources]
    board = _board(cache.live("board", dict), cache.boards, data, data_key, now, model.urls)
    _stop_if_errors(report)

    incremental = options.write and is_ours_as_left(cache, options.out)
    theme_digest = hashlib.sha256(repr(sorted((p, d) for p, d in inputs.others.items()
                                              if p.startswith(tuple(f"{t}{os.sep}" for t in theme.dirs))))
                                  .encode("utf-8")).hexdigest()
    if cache.templates.get("theme") != theme_digest:
        cache.templates = {"theme": theme_digest}  # what each template uses, while the theme stays
    outputs = Outputs()
    if options.write and not incremental:
        outputs.stage(options.out)  # a full build writes each page as it is rendered
    try:
        render_pages(config, theme, model, bodies, data, board, assets, now, report,
                     cache.page_keys if incremental else None, options.out.resolve(),
                     cache.templates, site_dir / CACHE_DIR / "jinja" if options.write else None,
                     cache.live("pages", PageMemory), cache.body_html, outputs, cache.board_pages)
        _stop_if_errors(report)
        if options.write:
            if incremental:
                build_id = write_changes(outputs, options.out, set(cache.page_keys) | set(cache.copy_paths))
            else:
                build_id = write_outputs(outputs, options.out)
    except BaseException:
        outputs.discard()
        raise
    if options.write:
        remember(cache, outputs, build_id, fingerprint, options.out,
                 valid_until(sources, now, cache.board_pages["span"][1]), report)
        cache.documents = documents.used
        used = {key for key, _body in bodies.values()}
        if options.cache is None:
            cache.save(site_dir, used)
        else:
            cache.used_bodies = used  # a long-running caller saves when it stops
    return BuildResult(report, outputs, time.perf_counter() - started)


def read_board_data(site_dir, config, theme, articles: list[str], digests, cache: BuildCache,
                    helper: bool = False) -> "BoardData":
    """data/*.yaml read and checked, or taken from the cache when none of
    the data files, schemas, article paths or settings changed; with the key
    those make (equal keys, equal data).  ``articles``: the content paths a
    data file may name; ``helper``: see BoardData."""
    schema_dirs = [site_dir / "schemas", *theme.schema_dirs]
    settings = {"honor_titles": list(config.honor_titles)}
    prefixes = tuple(f"{d}{os.sep}" for d in [site_dir / "data", *schema_dirs])
    # each file by its folder's place in that list and its path inside it: the
    # key (and the board's fingerprint made from it) is the same wherever the
    # site lies, as the pages are
    inputs = sorted((i, p[len(prefix):], d) for p, d in digests.items() if p.startswith(prefixes)
                    for i, prefix in enumerate(prefixes) if p.startswith(prefix))
    key = hashlib.sha256(repr((inputs, sorted(articles), settings)).encode("utf-8")).hexdigest()
    return BoardData(key, cache.data, (site_dir, schema_dirs, set(articles), settings), helper)


class BoardData:
    """The board's data, being read: ``with`` it, the articles are parsed,
    then ``result`` gives it.  Checking the data first imports jsonschema,
    most of the 60 ms it takes at a thousand articles: a build that runs
    once (``helper``; not serve, which imports it once and keeps it) reads
    the data in a forked helper process while the articles are parsed.  (A
    process, not a pool: a pool's thread would be running when the article
    parsers are forked.)"""

    def __init__(self, key: str, cached: dict, read_with: tuple, helper: bool):
        self.key = key
        self._cached = cached  # the cache's: key -> (data, problems); one entry
        self._read_with = read_with
        self._use_helper = helper
        self._helper = None
        self._answer = None  # the helper's end of the pipe

    def __enter__(self) -> "BoardData":
        if self._use_helper and self.key not in self._cached and (os.cpu_count() or 1) > 1 \
                and hasattr(os, "fork"):
            import multiprocessing

            fork = multiprocessing.get_context("fork")
            self._answer, child_end = fork.Pipe(duplex=False)
            self._helper = fork.Process(target=_read_data_for, args=(child_end, *self._read_with), daemon=True)
            self._helper.start()
            child_end.close()
        return self

    def __exit__(self, *exc) -> None:
        if self._helper is not None:
            if self.key not in self._cached:  # never asked for: the build failed before
                self._helper.terminate()
            self._helper.join()
            self._answer.close()

    def result(self, report: Report) -> tuple[dict, str]:
        if self.key not in self._cached:
            if self._helper is not None:
                outcome, made = self._answer.recv()
                if outcome == "failed":
                    raise made
            else:
                made = _read_data(*self._read_with)
            self._cached.clear()
            self._cached[self.key] = made
        data, problems = self._cached[self.key]
        report.extend(problems)
        return data, self.key


def _read_data(site_dir, schema_dirs, articles, settings) -> tuple[dict, list]:
    from branchboard.board import data as data_mod  # jsonschema is imported only when data changed

    own = Report()
    data = data_mod.read_data(site_dir, schema_dirs, articles, settings, own)
    return data, own.problems


def _read_data_for(parent, *args) -> None:
    """In the helper: the data, or what went wrong, sent to the parent."""
    try:
        answer = ("made", _read_data(*args))
    except Exception as exc:  # a fault in branchboard: raised again in the build
        answer = ("failed", exc)
    parent.send(answer)
    parent.close()


def _board(memo: dict, stored: dict, data, data_key: str, now: dt.datetime, article_urls: dict) -> "BoardRef":
    """The board, as a reference that makes it only when a page needs it; a
    long-running process keeps one while the data, the day and the articles'
    addresses stay the same (the board reads only the date).  The board is
    made from just these (and branchboard's code, which the cache is keyed
    by), so they are its fingerprint too: the pages that show it need not
    walk its thousands of figures to know it is unchanged, and the last
    board made is kept in the cache under it (``stored``)."""
    key = (now.date(), article_urls)
    if memo.get("data") is not data or memo.get("key") != key:
        made_of = digest("board", data_key, now.date().isoformat(), repr(sorted(article_urls.items())))
        memo.update(data=data, key=key, board=BoardRef(made_of, stored, data, now, article_urls))
    return memo["board"]


class BoardRef:
    """The board (board.Board, or None when there is no board data), made
    or read back from the cache on first use.  Most edits change no page
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
                from branchboard.board import figures as board_mod

                self._board = board_mod.build_board(*self._made_from, self.fingerprint)
                self._stored.clear()
                self._stored[self.fingerprint] = (None if self._board is None else
                                                  pickle.dumps(self._board, pickle.HIGHEST_PROTOCOL))
        return self._board


_NOT_YET = object()


def is_ours_as_left(cache: BuildCache, out: Path) -> bool:
    """The output folder is the one the cache describes, untouched since."""
    out = out.resolve()
    if cache.out != str(out) or not cache.build_id or not (out / MARKER).is_file():
        return False
    try:
        return (out / BUILD_ID).read_text(encoding="utf-8").strip() == cache.build_id
    except OSError:
        return False


def is_up_to_date(cache: BuildCache, fingerprint: str, out: Path, now: dt.datetime) -> bool:
    return (cache.fingerprint == fingerprint and is_ours_as_left(cache, out)
            and (cache.valid_until is None or now < cache.valid_until))


def valid_until(sources, now: dt.datetime, board_until: dt.datetime | None):
    """The next moment at which the pages change with the time alone: an
    article appears or disappears, or (``board_until``, see
    pages.board_side) a slide or a banner ends."""
    moments = [m for s in sources for m in (s.meta.get("publish"), s.meta.get("expire")) if m and m > now]
    return min(filter(None, (*moments, board_until)), default=None)


def remember(cache: BuildCache, outputs: Outputs, build_id: str, fingerprint: str, out: Path, until,
             report: Report) -> None:
    cache.page_keys = dict(outputs.keys)
    cache.copy_paths = sorted(outputs.copies)
    cache.fingerprint = fingerprint
    cache.out = str(out.resolve())
    cache.build_id = build_id
    cache.valid_until = until
    cache.warnings = list(report.warnings)
