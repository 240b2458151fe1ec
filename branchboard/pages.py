"""The pages of the site: Markdown bodies, then one function per page kind.

Each function adds its pages to the build's Outputs; the write stage catches
two pages claiming one path.
"""

from __future__ import annotations

from typing import Callable, ClassVar

import datetime as dt
import functools
import os
import posixpath
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from . import board as board_mod
from . import printing, screen
from .config import SiteConfig
from .bodies import Body
from .content import CONTENT_DIR, is_ignored, walk_files
from .errors import BoardError, Report
from .model import SiteModel, home_sections, tag_url
from .render import PageMemory, Renderer, StoredHtml, Theme, make_environment
from .write import Outputs, write_page

DATA_DIR = "data"


@dataclass(frozen=True)
class SectionLink:
    """What a page needs to know of a section to link to it (not its articles)."""

    _repr_is_stable: ClassVar[bool] = True  # no sets inside: repr is a stable fingerprint

    id: str
    title: str
    url: str


@dataclass(frozen=True)
class TagLink:
    _repr_is_stable: ClassVar[bool] = True  # no sets inside: repr is a stable fingerprint

    name: str
    url: str
    count: int


@dataclass(frozen=True)
class PageSpec:
    path: str
    template: str
    context: dict | Callable[[], dict]  # or made only if the page is rendered ...
    owner: str  # who made it, for messages about two pages on one path
    inputs: str | None = None  # ... from what these fingerprints say, which then decide the page's key

    def what_it_shows(self):
        """What the page's key is made of (besides its templates and site-wide values)."""
        return self.context if self.inputs is None else self.inputs

    def make_context(self) -> dict:
        return self.context() if callable(self.context) else self.context


def render_pages(config: SiteConfig, theme: Theme, model: SiteModel, bodies: dict[str, Body],
                 data: dict, board, assets: list[str], now: dt.datetime,
                 report: Report, previous_keys: dict | None = None, out: Path | None = None,
                 template_memo: dict | None = None, bytecode_dir: Path | None = None,
                 memory: PageMemory | None = None, html_of=None,
                 outputs: Outputs | None = None) -> Outputs:
    """Every page of the site.  A page whose key (what it is made from) equals
    ``previous_keys[path]`` and whose file is still in ``out`` is not rendered
    again: the write stage keeps the existing file."""
    board_links = board_mod.board_pages(board) if board else []
    # screen and print pages come from their own modules: (path, template, context)
    extra_pages = []
    for provider in (screen.screen_pages, printing.print_pages):
        extra_pages += provider(config, model, board, now, report)
    day = dt.datetime(now.year, now.month, now.day)  # pages show the day; keys change daily
    common = {
        "site": config,
        "model": model,
        "sections": tuple(SectionLink(s.id, s.title, s.url) for s in model.sections),
        "data": data,
        "board": board,
        "board_menu": [(path, ctx.get("title", path)) for path, _tpl, ctx in board_links],
        "footer_menu": [(path, ctx["footer_label"]) for path, _tpl, ctx in extra_pages
                        if ctx.get("footer_label")],
        "now": day,
        "build_date": day,
        "tag_url": tag_url,
    }
    renderer = Renderer(make_environment(theme, bytecode_dir), common, config.site_dir, template_memo,
                        memory)
    specs = [*_home(model), *_articles(model, bodies, renderer.memory.memo("article pages"), html_of,
                                      renderer.memory.fingerprints.of),
             *_listings(model),
             *_tags(model),
             *(PageSpec(path, tpl, ctx, f"页面 {tpl}") for path, tpl, ctx in board_links + extra_pages)]
    outputs = outputs if outputs is not None else Outputs()
    previous_keys = previous_keys or {}
    present = set(walk_files(out, skip_ignored=False)) if previous_keys and out is not None else set()
    todo: list[tuple[PageSpec, str]] = []
    for spec in specs:
        key = renderer.page_key(spec.template, spec.path, spec.what_it_shows())
        if previous_keys.get(spec.path) == key and spec.path in present:
            outputs.keep_page(spec.path, key, spec.owner, report)
        elif outputs.claim(spec.path, spec.owner, report):
            todo.append((spec, key))
    _render_all(renderer, todo, outputs, report)
    _copies(theme, config.site_dir, assets, outputs, report)
    return outputs


PARALLEL_PAGES = 400  # below this many pages to render, one process is quicker
_JOB: dict = {}  # what forked renderers share with the parent: set just before the pool starts


def _render_all(renderer: Renderer, todo: list[tuple[PageSpec, str]], outputs: Outputs,
                report: Report) -> None:
    """Render the pages to do; a full build with many of them renders in a
    pool of forked processes, each writing its pages into the staging folder."""
    workers = min(os.cpu_count() or 1, 8)
    if (outputs.staging is None or len(todo) < PARALLEL_PAGES or workers < 2
            or not hasattr(os, "fork")):
        for spec, key in todo:
            try:
                outputs.put_page(spec.path, renderer.render(spec.template, spec.path, **spec.make_context()), key)
            except BoardError as err:
                report.add(err)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    for template in {spec.template for spec, _key in todo}:  # compiled once, before the fork
        renderer.preload(template)
    _JOB.update(renderer=renderer, todo=todo, staging=outputs.staging)
    chunks = [range(i, min(i + 64, len(todo))) for i in range(0, len(todo), 64)]
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
            for done in pool.map(_render_chunk, chunks):
                for index, error in done:
                    if error is None:
                        outputs.put_written(todo[index][0].path, todo[index][1])
                    else:
                        report.add(error)
    finally:
        _JOB.clear()


def _render_chunk(indices: range) -> list[tuple[int, BoardError | None]]:
    renderer, todo, staging = _JOB["renderer"], _JOB["todo"], _JOB["staging"]
    made: set = set()
    done = []
    for index in indices:
        spec, _key = todo[index]
        try:
            html = renderer.render(spec.template, spec.path, **spec.make_context())
        except BoardError as err:
            done.append((index, err))
            continue
        write_page(staging, spec.path, html, made)
        done.append((index, None))
    return done


def _link(section) -> SectionLink:
    return SectionLink(section.id, section.title, section.url)


def _home(model: SiteModel) -> list[PageSpec]:
    pinned = tuple(a for a in model.articles if a.pinned)
    return [PageSpec("index.html", "index.html",
                     {"title": "首页", "pinned": pinned,  # a section's link, not all its articles
                      "latest": tuple((_link(s), articles) for s, articles in home_sections(model))}, "首页")]


def _articles(model: SiteModel, bodies, memo: dict, html_of, fingerprint_of) -> list[PageSpec]:
    """An article's page; ``memo`` (url -> (what it was made of, PageSpec)) gives
    a page whose article, body and neighbours are the same objects as in the
    previous build of this process the same spec, so that nothing has to be
    compared again.  The body's HTML is read (``html_of(key)``) only if the
    page is rendered."""
    specs = []
    made = {}
    for section in model.sections:
        link = _link(section)
        link_print = fingerprint_of(link)
        for article in section.articles:
            key, body = bodies[article.source]
            newer, older = model.neighbours.get(article.url, (None, None))
            kept = memo.get(article.url)
            if kept is not None and kept[0][0] is article and kept[0][1] is body and kept[0][2] == link \
                    and kept[0][3] is newer and kept[0][4] is older:
                specs.append(kept[1])
                made[article.url] = kept
                continue
            # a cover that the body shows again is not shown twice
            name = posixpath.basename(article.cover)
            show_cover = bool(article.cover) and not (name and body.shows(quote(name)))
            has_toc = body.headings >= 3
            context = functools.partial(_article_context, article, link, show_cover, key, body, has_toc,
                                        newer, older, html_of)
            # the context is made of exactly these: their fingerprints (the articles'
            # are kept with them in the build cache) are the page's key
            inputs = (f"{article.fingerprint} {link_print} {show_cover:d} {body.fingerprint} {has_toc:d} "
                      f"{newer.fingerprint if newer else '-'} {older.fingerprint if older else '-'}")
            specs.append(PageSpec(article.url, "article.html", context, article.path, inputs))
            made[article.url] = ((article, body, link, newer, older), specs[-1])
    memo.clear()
    memo.update(made)
    return specs


def _article_context(article, link, show_cover, key, body, has_toc, newer, older, html_of) -> dict:
    read = functools.lru_cache(maxsize=1)(lambda: html_of(key))  # body and contents in one read
    return {"title": article.title, "article": article, "section": link, "show_cover": show_cover,
            "content": StoredHtml(body.fingerprint, lambda: read()[0]),
            "toc": StoredHtml(body.fingerprint + "toc", lambda: read()[1]) if has_toc else "",
            "newer": newer, "older": older}


def _listings(model: SiteModel) -> list[PageSpec]:
    return [PageSpec(listing.url, "section.html",
                     {"title": section.title, "section": _link(section), "listing": listing},
                     f"栏目 {section.id}")
            for section in model.sections for listing in section.pages]


def _tags(model: SiteModel) -> list[PageSpec]:
    specs = [PageSpec(tag.url, "tag.html", {"title": f"标签：{tag.name}", "tag": tag}, f"标签 {tag.name}")
             for tag in model.tags]
    specs.append(PageSpec("tags/index.html", "tags.html",
                          {"title": "全部标签", "tags": tuple(TagLink(t.name, t.url, len(t.articles)) for t in model.tags)},
                          "标签索引"))
    return specs


def _copies(theme: Theme, site_dir: Path, assets: list[str], outputs: Outputs,
            report: Report) -> None:
    for path, source in theme.static_files().items():
        outputs.add_copy(path, source, f"主题 {theme.name}", report)
    for rel in assets:
        outputs.add_copy(rel, site_dir / CONTENT_DIR / rel, f"{CONTENT_DIR}/{rel}", report)
    data_root = site_dir / DATA_DIR
    if data_root.is_dir():
        for path in sorted(data_root.rglob("*")):
            if path.is_file() and path.suffix.lower() not in (".yaml", ".yml") \
                    and not any(is_ignored(p) for p in path.relative_to(data_root).parts):
                rel = f"{DATA_DIR}/{path.relative_to(data_root).as_posix()}"
                outputs.add_copy(rel, path, rel, report)
