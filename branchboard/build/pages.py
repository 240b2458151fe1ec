"""The pages of the site: a spec for every page, one function per page kind,
and the rendering of those whose key changed.

Each page kind (home, articles, listings, tags, and the board side: board
pages, screen, print pages) makes PageSpecs; render_pages keys them, keeps
the unchanged, renders the rest (in processes, in a full build of many
pages) and adds them to the build's Outputs, where the write stage catches
two pages claiming one path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, ClassVar, NamedTuple

import datetime as dt
import functools
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from branchboard.site.content import CONTENT_DIR, walk_files
from branchboard.errors import BoardError, Report
from branchboard.fingerprint import digest
from branchboard.site.model import SiteModel, home_sections, tag_url
from branchboard.build.render import PageMemory, Renderer, StoredHtml, make_environment
from branchboard.build.write import Outputs, write_page
from branchboard.build.cache import BoardSideMemo, Span
from branchboard.parallel import map_in_processes, start_method

if TYPE_CHECKING:
    from branchboard.build.bodies import Body, BodyEntry
    from branchboard.build.context import BuildContext, SiteContent
    from branchboard.photos.stage import Photos
    from branchboard.site.model import Article

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


def render_pages(ctx: BuildContext, content: SiteContent, outputs: Outputs, incremental: bool) -> None:
    """Every page of the site, added to ``outputs``.  In an incremental
    build, a page whose key (what it is made from) equals the one the cache
    kept for its path and whose file is still in the output folder is not
    rendered again: the write stage keeps the existing file."""
    config, model, board, report = ctx.config, content.model, content.board, ctx.report
    common: dict = {}
    memory = ctx.memo.pages = ctx.memo.pages or PageMemory()
    renderer = Renderer(make_environment(ctx.theme, ctx.bytecode_dir), common, ctx.site_dir,
                        ctx.cache.templates.closures, memory)
    side = board_side(ctx, content, renderer.memory.fingerprints.of)
    now = ctx.now
    day = dt.datetime(now.year, now.month, now.day)  # pages show the day; keys change daily
    common.update({
        "site": config,
        "model": model,
        "sections": tuple(SectionLink(s.id, s.title, s.url) for s in model.sections),
        "data": content.data,
        "board": board if side.has_board else None,  # its fingerprint until a page shows it
        "board_menu": side.board_menu,
        "footer_menu": side.footer_menu,
        "now": day,
        "build_date": day,
        "tag_url": tag_url,
        "photos": content.photos,  # the pages that show images name it: their keys follow the photos
    })
    specs = [*_home(model),
             *_articles(model, content.bodies, ctx.memo, ctx.cache.body_html, memory.fingerprints.of,
                        content.photos),
             *_listings(model),
             *_tags(model),
             *side.specs]
    previous_keys = ctx.cache.page_keys if incremental else {}
    present = set(walk_files(ctx.out.resolve(), skip_ignored=False, ordered=False)) if previous_keys else set()
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
    _copies(ctx, content.assets, content.photos, outputs)


class BoardSide(NamedTuple):
    specs: list[PageSpec]
    board_menu: list[tuple[str, str]]  # the board pages, for every page's menu
    footer_menu: list[tuple[str, str]]  # the screen and print pages, for every page's footer
    has_board: bool


def board_side(ctx: BuildContext, content: SiteContent, fingerprint_of) -> BoardSide:
    """The pages made from the board and site.yaml rather than from an
    article: the board pages, the screen and the print pages, and the menus
    they add to every page.

    They are made from the board (its fingerprint), site.yaml, the articles
    the screen may show and the beginning of their bodies and, within a day,
    the time: a slide or a banner
    ending today leaves the screen (screen.pages.ends).  While none of these
    changed since they were last made (the cache's ``board_side``), their
    keys are made from what they showed then, and the board, the code that
    makes these pages and their contexts are loaded only if one of them is
    rendered.  Most edits change none of them."""
    config, model, board, now, report = ctx.config, content.model, content.board, ctx.now, ctx.report
    key = digest("board side", board.fingerprint, fingerprint_of(config), content.photos.fingerprint,
                 *(article.fingerprint for article in model.articles), "pending",
                 *(article.fingerprint for article in model.pending), "excerpts",
                 *(repr(content.bodies[article.source].body.excerpt)
                   for article in (*model.articles, *model.pending)))
    kept = ctx.cache.board_side
    if kept is not None and kept.key == key and kept.span.holds(now):
        report.extend(kept.problems)

        @functools.cache
        def made() -> dict:  # their contexts, only if one of them is rendered
            links, extra = _board_pages(config, content, board.get(), now, Report())  # problems: replayed above
            return {path: context for path, _template, context in links + extra}

        specs = [PageSpec(path, template, functools.partial(_context_of, made, path), f"页面 {template}", shown)
                 for path, template, shown in kept.pages]
        return BoardSide(specs, kept.board_menu, kept.footer_menu, kept.has_board)
    own = Report()
    made_board = board.get()
    links, extra = _board_pages(config, content, made_board, now, own)
    report.extend(own.problems)
    specs = [PageSpec(path, template, context, f"页面 {template}", fingerprint_of(context))
             for path, template, context in links + extra]
    side = BoardSide(specs, [(path, context.get("title", path)) for path, _template, context in links],
                     [(path, context["footer_label"]) for path, _template, context in extra
                      if context.get("footer_label")], made_board is not None)
    ctx.cache.board_side = BoardSideMemo(key, _span(config, made_board, now), own.problems,
                                         [(spec.path, spec.template, spec.inputs) for spec in specs],
                                         side.board_menu, side.footer_menu, side.has_board)
    return side


def _board_pages(config, content: SiteContent, board, now, report) -> tuple[list, list]:
    """(path, template, context) of the board pages, and of the screen and
    print pages, in the order they are claimed.  A printed photo with too
    few pixels for its slot is a warning at its entry."""
    from branchboard.board import figures as board_mod
    from branchboard.photos.uses import check_print_sizes
    from branchboard.printing import pages as printing
    from branchboard.printing.posters import printed_photos
    from branchboard.screen import pages as screen

    links = board_mod.board_pages(board)
    model = content.model
    if board is not None:
        check_print_sizes(report, content.photos, printed_photos(board, content.data, content.images))
    excerpts = {rel: entry.body.excerpt for rel, entry in content.bodies.items()}
    return links, screen.screen_pages(config, model, board, now, report, excerpts) + printing.print_pages(
        config, model, board, now, report)


def _context_of(made, path: str) -> dict:
    return made()[path]


def _span(config, board, now: dt.datetime) -> Span:
    from branchboard.screen import pages as screen

    ends = screen.ends(config, board, now)
    return Span(max((e for e in ends if e < now), default=None), min((e for e in ends if e >= now), default=None))


PARALLEL_PAGES = 400  # below this many pages to render, one process is quicker


def _render_all(renderer: Renderer, todo: list[tuple[PageSpec, str]], outputs: Outputs,
                report: Report) -> None:
    """Render the pages to do.  A full build with many of them renders in
    processes, one per core, each writing its pages into the staging folder
    (they share the renderer and the pages' contexts, which cannot be
    pickled: where workers cannot be forked, the pages are rendered here)."""
    if outputs.staging is None or len(todo) < PARALLEL_PAGES or start_method(shares_memory=True) is None:
        for spec, key in todo:
            try:
                outputs.put_page(spec.path, renderer.render(spec.template, spec.path, **spec.make_context()), key)
            except BoardError as err:
                report.add(err)
        return
    for template in {spec.template for spec, _key in todo}:  # compiled once, before the fork
        renderer.preload(template)
    # the pages at the end of the list (listings, tags, the board's pages)
    # show many articles or figures each and are the slowest: last_first
    # renders them first, so that the processes end together
    job = _RenderJob(renderer, todo, outputs.staging)
    for index, error in map_in_processes(_render_one, range(len(todo)), min_items=PARALLEL_PAGES, chunk=64,
                                         state=job, setup=_RenderJob.in_process, last_first=True,
                                         shares_memory=True):
        if error is None:
            outputs.put_written(todo[index][0].path, todo[index][1])
        else:
            report.add(error)


class _RenderJob(NamedTuple):
    """What the rendering processes share with this one."""

    renderer: Renderer
    todo: list[tuple[PageSpec, str]]
    staging: Path
    made: set | None = None  # the folders this process has made, so that each is made once

    def in_process(self) -> "_RenderJob":
        return self._replace(made=set())


def _render_one(job: _RenderJob, index: int) -> tuple[int, BoardError | None]:
    """In a rendering process: the page written into the staging folder."""
    spec, _key = job.todo[index]
    try:
        html = job.renderer.render(spec.template, spec.path, **spec.make_context())
    except BoardError as err:
        return index, err
    write_page(job.staging, spec.path, html, job.made)
    return index, None


def _link(section) -> SectionLink:
    return SectionLink(section.id, section.title, section.url)


def _home(model: SiteModel) -> list[PageSpec]:
    pinned = tuple(a for a in model.articles if a.pinned)
    return [PageSpec("index.html", "index.html",
                     {"title": "首页", "pinned": pinned,  # a section's link, not all its articles
                      "latest": tuple((_link(s), articles) for s, articles in home_sections(model))}, "首页")]


class KeptSection(NamedTuple):
    """A section's article pages as the previous build of this process made them."""

    section: object  # model.Section
    link: SectionLink
    entries: list[BodyEntry]  # its articles' bodies, in order
    specs: list[PageSpec]


class KeptSpec(NamedTuple):
    """An article page's spec, and the objects it was made from."""

    article: Article
    body: Body
    link: SectionLink
    newer: Article | None
    older: Article | None
    spec: PageSpec


@dataclass
class ArticlePages:
    """What the previous build of this process made of the article pages."""

    sections: dict[str, KeptSection] = field(default_factory=dict)
    by_url: dict[str, KeptSpec] = field(default_factory=dict)


def _articles(model: SiteModel, bodies: dict[str, BodyEntry], memo, html_of, fingerprint_of,
              photos: Photos) -> list[PageSpec]:
    """An article's page.  ``memo.article_pages`` keeps what the previous
    build of this process made.  While a section is the same object (the
    model is kept while no article's fields changed, see model.build_model),
    only the pages whose body is not the same are made again; else a page
    whose article, body and neighbours are the same objects as before is the
    same spec.  Either way nothing has to be compared again.  The body's
    HTML is read (``html_of(key)``) only if the page is rendered."""
    kept_pages = memo.article_pages = memo.article_pages or ArticlePages()
    last_sections, by_url = kept_pages.sections, kept_pages.by_url
    make = _ArticleSpecs(model, html_of, by_url, photos).spec
    sections = {}
    specs = []
    for section in model.sections:
        link = _link(section)
        entries = [bodies[article.source] for article in section.articles]
        kept = last_sections.get(section.id)
        if kept is not None and kept.section is section and kept.link == link:
            made = kept.specs
            if entries != kept.entries:  # the same articles and neighbours: only some bodies changed
                made = list(made)
                link_print = fingerprint_of(link)
                for i, (entry, before) in enumerate(zip(entries, kept.entries)):
                    if entry is not before:
                        made[i] = make(section.articles[i], link, link_print, entry)
        else:
            link_print = fingerprint_of(link)
            made = [make(article, link, link_print, entry) for article, entry in zip(section.articles, entries)]
        sections[section.id] = KeptSection(section, link, entries, made)
        specs += made
    if len(by_url) > len(specs):  # pages gone since
        urls = {spec.path for spec in specs}
        for url in [url for url in by_url if url not in urls]:
            del by_url[url]
    kept_pages.sections = sections
    return specs


@dataclass
class _ArticleSpecs:
    """Makes the specs of article pages: the same object as in the previous
    build when a page's article, body, link and neighbours are (``by_url``)."""

    model: SiteModel
    html_of: Callable  # body key -> (html, toc), read from the cache's store
    by_url: dict[str, KeptSpec]
    photos: Photos

    def spec(self, article: Article, link: SectionLink, link_print: str, entry: BodyEntry) -> PageSpec:
        body = entry.body
        newer, older = self.model.neighbours.get(article.url, (None, None))
        kept = self.by_url.get(article.url)
        if kept is not None and kept.article is article and kept.body is body and kept.link == link \
                and kept.newer is newer and kept.older is older:
            return kept.spec
        # a cover that the body shows again is not shown twice
        cover = self.photos.picture(article.cover, "body") if article.cover else None
        name = posixpath.basename(cover.src if cover is not None else article.cover) if article.cover else ""
        show_cover = bool(article.cover) and not (name and body.shows(quote(name)))
        has_toc = body.headings >= 3
        page = ArticlePage(article, link, entry, newer, older, show_cover, has_toc, self.html_of)
        # the context is made of exactly these: their fingerprints (the articles'
        # are kept with them in the build cache) are the page's key
        inputs = (f"{article.fingerprint} {link_print} {show_cover:d} {body.fingerprint} {has_toc:d} "
                  f"{newer.fingerprint if newer else '-'} {older.fingerprint if older else '-'}")
        spec = PageSpec(article.url, "article.html", page.context, article.path, inputs)
        self.by_url[article.url] = KeptSpec(article, body, link, newer, older, spec)
        return spec


class ArticlePage(NamedTuple):
    """What an article's page shows; its context is made only if it is rendered."""

    article: Article
    section: SectionLink
    entry: BodyEntry
    newer: Article | None
    older: Article | None
    show_cover: bool
    has_toc: bool
    html_of: Callable

    def context(self) -> dict:
        key, body = self.entry
        read = functools.lru_cache(maxsize=1)(lambda: self.html_of(key))  # body and contents in one read
        return {"title": self.article.title, "article": self.article, "section": self.section,
                "show_cover": self.show_cover,
                "content": StoredHtml(body.fingerprint, lambda: read()[0]),
                "toc": StoredHtml(body.fingerprint + "toc", lambda: read()[1]) if self.has_toc else "",
                "newer": self.newer, "older": self.older}


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


def _copies(ctx: BuildContext, assets: list[str], photos: Photos, outputs: Outputs) -> None:
    """Files published as they are: the theme's, the files beside the
    articles (a processed image's source only if site.yaml asks for it),
    the photos' derived files, and what lies in data/ besides the YAML
    (a processed photo's source, again, only if asked for)."""
    theme, site_dir, report = ctx.theme, ctx.site_dir, ctx.report
    for path, source in theme.static_files().items():
        outputs.add_copy(path, source, f"主题 {theme.name}", report)
    originals = ctx.config.publish_originals
    for rel in assets:
        if rel in photos.broken:  # not a picture: what it holds is not known, so never published
            continue
        if originals or rel not in photos.pictures:
            outputs.add_copy(rel, site_dir / CONTENT_DIR / rel, f"{CONTENT_DIR}/{rel}", report)
    for path, (stored, owner) in photos.files.items():
        outputs.add_copy(path, stored, owner, report, named_by_content=True)
    for rel in data_files(site_dir):
        if rel in photos.broken:
            continue
        if originals or rel not in photos.pictures:
            outputs.add_copy(rel, site_dir / rel, rel, report)


def data_files(site_dir: Path) -> list[str]:
    """data/<name> of every file in data/ but the YAML: published (photos
    processed) for the pages that show them."""
    # a link out of the site is never followed
    return [f"{DATA_DIR}/{name}" for name in walk_files(site_dir / DATA_DIR, within=site_dir)
            if not name.lower().endswith((".yaml", ".yml"))]
