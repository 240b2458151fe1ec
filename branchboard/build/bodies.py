"""Markdown bodies of the visible articles: cached, and converted in parallel.

Python-Markdown is about 95% of a cold build, so a body is converted only
when something that decides its HTML changed.  A cached body is keyed by the
hash of its Markdown and of the renderer (branchboard's and Markdown's
versions, the extension settings) and by the article's address, and it
remembers every link the body asked the resolver about and what came back:
it is reused only while each of those links still resolves the same way (an
article it links to may have moved or gone).  That is checked again only
when some article's address, visibility or an asset changed since the body
was last found valid.  Cache misses are converted in a pool of processes
when there are enough of them to pay for it; the results are the same as a
serial run.

The HTML itself stays in the cache's store until a page that shows it is
rendered (``render.StoredHtml``), so a build that renders one article reads
one article's HTML.
"""

from __future__ import annotations

import functools
import hashlib
import os
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

import markdown

from branchboard.build.cache import CODE_DIGEST, BuildCache
from branchboard.site.content import CONTENT_DIR, Source
from branchboard.errors import Report
from branchboard.build.markup import EXTENSIONS, LinkProblemError, MarkdownRenderer, line_of, relative_url
from branchboard.site.model import Article, SiteModel

RENDERER_KEY = f"{CODE_DIGEST}; markdown {markdown.__version__}; {EXTENSIONS}"
PARALLEL_MIN = 48  # below this many misses a process pool costs more than it saves
_ADDRESS = re.compile(r'(?:src|href)="([^"]*)"')


@dataclass(frozen=True)
class Body:
    """An article's converted Markdown: what its pages ask of it, and the HTML
    while it is at hand."""

    fingerprint: str  # digest of html and toc
    headings: int
    problems: tuple = ()  # (line, message, hint, level)
    links: tuple = ()  # ((target, is_image), outcome) as the resolver answered
    names: frozenset = frozenset()  # last parts of the addresses the HTML points at
    # the HTML, when it is at hand (just converted); else it is in the cache's store
    html: str | None = field(default=None, compare=False, repr=False)
    toc: str | None = field(default=None, compare=False, repr=False)

    def shows(self, url_name: str) -> bool:
        """Whether the HTML points at a file of this (URL-quoted) name."""
        return url_name in self.names

    def stored(self) -> "Body":
        """The body without its HTML, as the cache's index keeps it."""
        return Body(self.fingerprint, self.headings, self.problems, self.links, self.names)


@dataclass(frozen=True)
class LinkContext:
    """What link resolution may look at: picklable, sent once to each worker."""

    urls: dict  # content rel of a visible article -> its url
    hidden: frozenset
    assets: frozenset

    def digest(self) -> str:
        if _LAST_LINKS and _LAST_LINKS[0] == self:  # a rebuild in serve: most often the same
            return _LAST_LINKS[1]
        h = hashlib.sha256()
        for rel, url in sorted(self.urls.items()):
            h.update(f"{rel}\0{url}\0".encode("utf-8"))
        h.update(repr((sorted(self.hidden), sorted(self.assets))).encode("utf-8"))
        _LAST_LINKS[:] = [self, h.hexdigest()]
        return _LAST_LINKS[1]


_LAST_LINKS: list = []  # [LinkContext, its digest], of the last build in this process


def body_key(source: Source, url: str) -> str:
    """What decides a body's HTML before its links: its Markdown, the renderer and the page's address."""
    return _body_key(source.body_digest, source.rel, url)


@functools.lru_cache(maxsize=1 << 16)
def _body_key(body_digest: str, rel: str, url: str) -> str:
    return hashlib.sha256(f"{RENDERER_KEY}\0{body_digest}\0{rel}\0{url}".encode("utf-8")).hexdigest()


def resolve_link(ctx: LinkContext, source: str, page: str, target: str, is_image: bool) -> str:
    """The new URL of a relative link in article ``source`` shown at ``page``."""
    path = posixpath.normpath(posixpath.join(posixpath.dirname(source), target))
    if path.startswith("../") or path == "..":
        raise LinkProblemError(f"“{target}”指向 content 文件夹之外",
                               "图片和文件请放在 content 文件夹里，用相对路径引用。")
    if path.endswith(".md"):
        if path in ctx.urls:
            return relative_url(ctx.urls[path], page)
        if path in ctx.hidden:
            raise LinkProblemError(
                f"链接的文章 {CONTENT_DIR}/{path} 今天不显示（草稿、未到发布日期或已下架），这个链接暂时打不开",
                level="warning", url=relative_url(path[:-3] + ".html", page))
        raise LinkProblemError(f"链接的文章 {CONTENT_DIR}/{path} 不存在",
                               "检查文件名和所在文件夹；链接写成相对于本文的路径，例如 ../study/文章.md。")
    if path in ctx.assets:
        return relative_url(path, page)
    kind = "图片" if is_image else "链接的文件"
    raise LinkProblemError(f"{kind} {CONTENT_DIR}/{path} 不存在",
                           "检查文件名（包括大小写和扩展名）和所在文件夹。")


def _outcome(ctx, source, page, target, is_image):
    try:
        return ("ok", resolve_link(ctx, source, page, target, is_image))
    except LinkProblemError as exc:
        return ("problem", exc.message, exc.hint, exc.level, exc.url)


def _recording_resolver(ctx: LinkContext, source: str, page: str, record: list):
    def resolve(target: str, is_image: bool) -> str:
        outcome = _outcome(ctx, source, page, target, is_image)
        record.append(((target, is_image), outcome))
        if outcome[0] == "ok":
            return outcome[1]
        _, message, hint, level, url = outcome
        raise LinkProblemError(message, hint, level, url)

    return resolve


def convert_one(ctx: LinkContext, renderer: MarkdownRenderer, source: str, page: str, text: str,
                body_line: int) -> Body:
    record: list = []
    rendered = renderer.render(text, _recording_resolver(ctx, source, page, record))
    problems = tuple((line_of(text, p.url, body_line), p.message, p.hint, p.level) for p in rendered.problems)
    fingerprint = hashlib.sha256(f"{rendered.html}\0{rendered.toc}".encode("utf-8")).hexdigest()[:24]
    names = frozenset(value.rsplit("/", 1)[-1] for value in _ADDRESS.findall(rendered.html))
    return Body(fingerprint, rendered.headings, problems, tuple(dict.fromkeys(record)), names,
                rendered.html, rendered.toc)


def is_still_valid(body: Body, ctx: LinkContext, source: str, page: str) -> bool:
    return all(_outcome(ctx, source, page, target, is_image) == outcome
               for (target, is_image), outcome in body.links)


# A pool worker's own state, set once by the initializer (one per process).
_WORKER: dict = {}


def _init_worker(ctx: LinkContext) -> None:
    _WORKER["ctx"] = ctx
    _WORKER["renderer"] = MarkdownRenderer()


def _convert_in_worker(job: tuple[str, str, str, int]) -> Body:
    return convert_one(_WORKER["ctx"], _WORKER["renderer"], *job)


def convert_articles(model: SiteModel, sources: list[Source], assets: list[str], report: Report,
                     cache: BuildCache | None = None, site_dir: Path | None = None,
                     jobs: int | None = None) -> dict[str, tuple[str, Body]]:
    """Markdown of every visible article: content rel -> (body key, Body).
    Link problems are reported with their lines.  ``cache`` is updated."""
    cache = cache if cache is not None else BuildCache()
    by_rel = {s.rel: s for s in sources}
    ctx = LinkContext(model.urls, model.hidden, frozenset(assets))
    links = ctx.digest()
    bodies: dict[str, tuple[str, Body]] = {}
    misses: list[tuple[Article, str]] = []
    stored, checks = cache.bodies, cache.body_checks
    # the previous build of this process: an article whose Markdown has the
    # same digest, at the same address, with the links resolving as then, has
    # the same body, checked then (the digest, not the Source: that would keep
    # every article's Markdown alive through a cold build)
    memo = cache.live("bodies by article", dict)
    last = memo.pop(links, {})
    memo.clear()
    memo[links] = kept = {}
    for article in model.articles:
        source = by_rel[article.source]
        seen = last.get(article.source)
        if seen is not None and seen[0] == source.body_digest and seen[1] == article.url:
            bodies[article.source] = seen[2]
            kept[article.source] = seen
            continue
        key = body_key(source, article.url)
        cached = stored.get(key)
        if cached is not None and (checks.get(key) == links
                                   or is_still_valid(cached, ctx, article.source, article.url)):
            bodies[article.source] = (key, cached)
            checks[key] = links
        else:
            misses.append((article, key))

    work = [(a.source, a.url, by_rel[a.source].body_text(site_dir or Path(".")), by_rel[a.source].body_line)
            for a, _key in misses]
    made: list[tuple[str, Body]] = []
    for (article, key), body in zip(misses, _convert_all(ctx, work, jobs)):
        made.append((key, body))
        checks[key] = links
        if len(made) >= 256:  # the HTML goes to the cache's store as it comes, not all held at once
            cache.add_bodies(made)
            made = []
    cache.add_bodies(made)
    for article, key in misses:
        bodies[article.source] = (key, cache.bodies[key])

    for article in model.articles:
        if article.source not in kept:
            kept[article.source] = (by_rel[article.source].body_digest, article.url, bodies[article.source])
        for line, message, hint, level in bodies[article.source][1].problems:
            (report.error if level == "error" else report.warning)(
                by_rel[article.source].path, line, None, message, hint)
    return bodies


@functools.lru_cache(maxsize=1)
def _shared_renderer() -> MarkdownRenderer:
    """One Markdown instance for this process (it is reset before each body;
    builds never run two at a time)."""
    return MarkdownRenderer()


def _convert_all(ctx: LinkContext, work: list[tuple[str, str, str, int]], jobs: int | None):
    """The converted bodies, in the order of ``work``, as they come."""
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(work) < PARALLEL_MIN:
        renderer = _shared_renderer()
        yield from (convert_one(ctx, renderer, *job) for job in work)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    with ProcessPoolExecutor(max_workers=min(workers, 8), mp_context=multiprocessing.get_context(method),
                             initializer=_init_worker, initargs=(ctx,)) as pool:
        # small chunks: results are taken (and their HTML stored) as they come, not held in bulk,
        # and the processes end within a few articles of each other
        yield from pool.map(_convert_in_worker, work, chunksize=16)
