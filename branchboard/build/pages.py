"""The pages of the site: Markdown bodies, then one function per page kind.

Each function adds its pages to the build's Outputs; the write stage catches
two pages claiming one path.
"""

from __future__ import annotations

from typing import Callable, ClassVar, NamedTuple

import datetime as dt
import functools
import os
import posixpath
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from branchboard.site.config import SiteConfig
from branchboard.build.bodies import Body
from branchboard.site.content import CONTENT_DIR, is_ignored, walk_files
from branchboard.errors import BoardError, Report
from branchboard.fingerprint import digest
from branchboard.site.model import SiteModel, home_sections, tag_url
from branchboard.build.render import PageMemory, Renderer, StoredHtml, Theme, make_environment
from branchboard.build.write import Outputs, write_page

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
    """A tag as the tag index lists it."""

    _repr_is_stable: ClassVar[bool] = True  # no sets inside: repr is a stable fingerprint

    name: str
    url: str
    count: int


class PageSpec(NamedTuple):  # one for every page of every build: a tuple is made quicker
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
                 outputs: Outputs | None = None, board_memo: dict | None = None) -> Outputs:
    """Every page of the site.  A page whose key (what it is made from) equals
    ``previous_keys[path]`` and whose file is still in ``out`` is not rendered
    again: the write stage keeps the existing file.  ``board`` is the
    pipeline's BoardRef; ``board_memo`` keeps the board's own pages between
    builds (see board_side)."""
    common: dict = {}
    renderer = Renderer(make_environment(theme, bytecode_dir), common, config.site_dir, template_memo,
                        memory)
    side = board_side(config, model, board, now, report, {} if board_memo is None else board_memo,
                      renderer.memory.fingerprints.of)
    day = dt.datetime(now.year, now.month, now.day)  # pages show the day; keys change daily
    common.update({
        "site": config,
        "model": model,
        "sections": tuple(SectionLink(s.id, s.title, s.url) for s in model.sections),
        "data": data,
        "board": board if side.has_board else None,  # its fingerprint until a page shows it
        "board_menu": side.board_menu,
        "footer_menu": side.footer_menu,
        "now": day,
        "build_date": day,
        "tag_url": tag_url,
    })
    specs = [*_home(model), *_articles(model, bodies, renderer.memory.memo("article pages"), html_of,
                                      renderer.memory.fingerprints.of),
             *_listings(model),
             *_tags(model),
             *side.specs]
    outputs = outputs if outputs is not None else Outputs()
    previous_keys = previous_keys or {}
    present = set(walk_files(out, skip_ignored=False, ordered=False)) if previous_keys and out is not None else set()
    todo: list[tuple[PageSpec, str]] = []
    keys = renderer.page_keys([(spec.template, spec.path, spec.what_it_shows()) for spec in specs])
    keep, claim = outputs.keep_page, outputs.claim
    for spec, key in zip(specs, keys):
        path = spec.path
        if previous_keys.get(path) == key and path in present:
            keep(path, key, spec.owner, report)
        elif claim(path, spec.owner, report):
            todo.append((spec, key))
    if side.has_board and any("board" in renderer.names(spec.template) for spec, _key in todo):
        common["board"] = board.get()  # (the same fingerprint: the keys above stand)
    _render_all(renderer, todo, outputs, report)
    _copies(theme, config.site_dir, assets, outputs, report)
    return outputs


class BoardSide(NamedTuple):
    specs: list[PageSpec]
    board_menu: list[tuple[str, str]]  # the board pages, for every page's menu
    footer_menu: list[tuple[str, str]]  # the screen and print pages, for every page's footer
    has_board: bool


def board_side(config: SiteConfig, model: SiteModel, board, now: dt.datetime, report: Report,
               kept: dict, fingerprint_of) -> BoardSide:
    """The pages made from the board and site.yaml rather than from an
    article: the board pages, the screen and the print pages, and the menus
    they add to every page.

    They are made from the board (its fingerprint), site.yaml, the articles
    the screen may show and, within a day, the time: a slide or a banner
    ending today leaves the screen (screen.ends).  While none of these
    changed since they were last made (``kept``: what the cache holds of
    them), their keys are made from what they showed then, and the board,
    the code that makes these pages and their contexts are loaded only if
    one of them is rendered.  Most edits change none of them."""
    key = digest("board side", board.fingerprint, fingerprint_of(config),
                 *(article.fingerprint for article in model.articles), "pending",
                 *(article.fingerprint for article in model.pending))
    if kept.get("key") == key and _within(kept["span"], now):
        report.extend(kept["problems"])

        @functools.cache
        def made() -> dict:  # their contexts, only if one of them is rendered
            links, extra = _board_pages(config, model, board.get(), now, Report())  # problems: replayed above
            return {path: context for path, _template, context in links + extra}

        specs = [PageSpec(path, template, functools.partial(_context_of, made, path), f"页面 {template}", shown)
                 for path, template, shown in kept["pages"]]
        return BoardSide(specs, kept["board_menu"], kept["footer_menu"], kept["has_board"])
    own = Report()
    made_board = board.get()
    links, extra = _board_pages(config, model, made_board, now, own)
    report.extend(own.problems)
    specs = [PageSpec(path, template, context, f"页面 {template}", fingerprint_of(context))
             for path, template, context in links + extra]
    side = BoardSide(specs, [(path, context.get("title", path)) for path, _template, context in links],
                     [(path, context["footer_label"]) for path, _template, context in extra
                      if context.get("footer_label")], made_board is not None)
    kept.clear()
    kept.update(key=key, span=_span(config, made_board, now), problems=own.problems,
                pages=[(spec.path, spec.template, spec.inputs) for spec in specs],
                board_menu=side.board_menu, footer_menu=side.footer_menu, has_board=side.has_board)
    return side


def _board_pages(config, model, board, now, report) -> tuple[list, list]:
    """(path, template, context) of the board pages, and of the screen and
    print pages, in the order they are claimed."""
    from branchboard.board import figures as board_mod
    from branchboard.printing import pages as printing
    from branchboard.screen import pages as screen

    links = board_mod.board_pages(board)
    return links, screen.screen_pages(config, model, board, now, report) + printing.print_pages(
        config, model, board, now, report)


def _context_of(made, path: str) -> dict:
    return made()[path]


def _span(config, board, now: dt.datetime) -> tuple:
    """The moments around ``now`` between which the board's pages stay as made:
    the last that has passed and the next to come (None: none)."""
    from branchboard.screen import pages as screen

    ends = screen.ends(config, board)
    return (max((e for e in ends if e < now), default=None), min((e for e in ends if e >= now), default=None))


def _within(span: tuple, now: dt.datetime) -> bool:
    after, until = span
    return (after is None or after < now) and (until is None or now <= until)


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
    # the pages at the end of the list (listings, tags, the board's pages)
    # show many articles or figures each and are the slowest: they are
    # rendered first, so that the processes end together rather than one
    # rendering them alone at the end (the order of the files is no matter)
    chunks = [range(end - 1, max(end - 64, 0) - 1, -1) for end in range(len(todo), 0, -64)]
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
    """An article's page.  ``memo`` keeps what the previous build of this
    process made: for each section, the section, its link, its articles'
    bodies and their specs; and for each url, what its spec was made of.
    While a section is the same object (the model is kept while no article's
    fields changed, see model.build_model), only the pages whose body is not
    the same are made again; else a page whose article, body and neighbours
    are the same objects as before is the same spec.  Either way nothing has
    to be compared again.  The body's HTML is read (``html_of(key)``) only
    if the page is rendered."""
    last_sections = memo.get("sections", {})
    by_url = memo.setdefault("by url", {})
    sections = {}
    specs = []
    for section in model.sections:
        link = _link(section)
        entries = [bodies[article.source] for article in section.articles]
        kept = last_sections.get(section.id)
        if kept is not None and kept[0] is section and kept[1] == link:
            made = kept[3]
            if entries != kept[2]:  # the same articles and neighbours: only some bodies changed
                made = list(made)
                link_print = fingerprint_of(link)
                for i, (entry, before) in enumerate(zip(entries, kept[2])):
                    if entry is not before:
                        made[i] = _article_spec(section.articles[i], link, link_print, entry, model, html_of, by_url)
        else:
            link_print = fingerprint_of(link)
            made = [_article_spec(article, link, link_print, entry, model, html_of, by_url)
                    for article, entry in zip(section.articles, entries)]
        sections[section.id] = (section, link, entries, made)
        specs += made
    if len(by_url) > len(specs):  # pages gone since
        urls = {spec.path for spec in specs}
        for url in [url for url in by_url if url not in urls]:
            del by_url[url]
    memo["sections"] = sections
    return specs


def _article_spec(article, link: SectionLink, link_print: str, entry: tuple, model: SiteModel, html_of,
                  by_url: dict) -> PageSpec:
    """The spec of an article's page; the same object as in the previous
    build when its article, body, link and neighbours are (``by_url``)."""
    key, body = entry
    newer, older = model.neighbours.get(article.url, (None, None))
    kept = by_url.get(article.url)
    if kept is not None and kept[0][0] is article and kept[0][1] is body and kept[0][2] == link \
            and kept[0][3] is newer and kept[0][4] is older:
        return kept[1]
    # a cover that the body shows again is not shown twice
    name = posixpath.basename(article.cover) if article.cover else ""
    show_cover = bool(article.cover) and not (name and body.shows(quote(name)))
    has_toc = body.headings >= 3
    context = functools.partial(_article_context, article, link, show_cover, key, body, has_toc,
                                newer, older, html_of)
    # the context is made of exactly these: their fingerprints (the articles'
    # are kept with them in the build cache) are the page's key
    inputs = (f"{article.fingerprint} {link_print} {show_cover:d} {body.fingerprint} {has_toc:d} "
              f"{newer.fingerprint if newer else '-'} {older.fingerprint if older else '-'}")
    spec = PageSpec(article.url, "article.html", context, article.path, inputs)
    by_url[article.url] = ((article, body, link, newer, older), spec)
    return spec


def _article_context(article, link, show_cover, key, body, has_toc, newer, older, html_of) -> dict:
    read = functools.lru_cache(maxsize=1)(lambda: html_of(key))  # body and contents in one read
    return {"title": article.title, "article": article, "section": link, "show_cover": show_cover,
            "content": StoredHtml(body.fingerprint, lambda: read()[0]),
            "toc": StoredHtml(body.fingerprint + "toc", lambda: read()[1]) if has_toc else "",
            "newer": newer, "older": older}


def _listings(model: SiteModel) -> list[PageSpec]:
    return [PageSpec(listing.url, "section.html", {"title": section.title, "section": link, "listing": listing},
                     f"栏目 {section.id}")
            for section, link in ((s, _link(s)) for s in model.sections) for listing in section.pages]


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
