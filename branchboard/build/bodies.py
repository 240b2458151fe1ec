"""Markdown bodies of the visible articles: cached, and converted in parallel.

Python-Markdown is most of a cold build, so a body is converted only
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
one article's HTML.  The beginning of its text (``Body.excerpt``: plain
paragraphs, for the meeting-room screen) is taken from the HTML as it is
converted and kept in the index with the rest of the body.
"""

from __future__ import annotations

import functools
import hashlib
from html.parser import HTMLParser
import posixpath
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

import markdown
import nh3

from branchboard.build.cache import CODE_DIGEST, html_fingerprint
from branchboard.site.content import CONTENT_DIR, Source
from branchboard.build.markup import (EXTENSIONS, LinkProblemError, MarkdownRenderer, ResolvedImage, line_of,
                                      relative_url)
from branchboard.build.speedups import CHOSEN
from branchboard.site.model import Article, SiteModel
from branchboard.parallel import map_in_processes
from branchboard.errors import case_hint
from branchboard.photos.uses import REEXPORT, broken_problem
from branchboard.site import placeholders

if TYPE_CHECKING:
    from branchboard.build.context import BuildContext
    from branchboard.photos.stage import Photos

# the HTML is meant to be the same with Markdown's speed-ups on and off, but a
# body cached with them is never taken for one made without, nor the reverse
# (and raw HTML is cleaned by nh3: its release decides that HTML too)
RENDERER_KEY = (f"{CODE_DIGEST}; markdown {markdown.__version__}; {EXTENSIONS}; "
                f"speed-ups {'on' if CHOSEN.markdown else 'off'}; nh3 {nh3.__version__}")
PARALLEL_MIN = 48  # below this many misses a process pool costs more than it saves
EXCERPT_CHARS = 400  # more than a screen's slide holds at its smallest readable size
_ADDRESS = re.compile(r'(?:src|href)="([^"]*)"')


@dataclass(frozen=True)
class Body:
    """An article's converted Markdown: what its pages ask of it, and the HTML
    while it is at hand."""

    fingerprint: str  # digest of html and toc
    headings: int
    problems: tuple[BodyProblem, ...] = ()
    links: tuple = ()  # ((target, is_image), LinkAnswer): what the resolver answered
    names: frozenset = frozenset()  # last parts of the addresses the HTML points at
    excerpt: tuple[str, ...] = ()  # the text's first paragraphs, plain (see plain_excerpt)
    # the HTML, when it is at hand (just converted); else it is in the cache's store
    html: str | None = field(default=None, compare=False, repr=False)
    toc: str | None = field(default=None, compare=False, repr=False)

    def shows(self, url_name: str) -> bool:
        """Whether the HTML points at a file of this (URL-quoted) name."""
        return url_name in self.names

    def stored(self) -> "Body":
        """The body without its HTML, as the cache's index keeps it."""
        return Body(self.fingerprint, self.headings, self.problems, self.links, self.names, self.excerpt)


@dataclass(frozen=True)
class LinkContext:
    """What link resolution may look at: picklable, sent once to each worker."""

    urls: dict  # content rel of a visible article -> its url
    hidden: frozenset
    assets: frozenset
    pictures: dict = field(default_factory=dict)  # content rel of a processed image -> its body Picture
    originals: bool = False  # the processed images' sources are published too
    broken: dict = field(default_factory=dict)  # content rel of an image that cannot be read -> why

    def digest(self) -> str:
        h = hashlib.sha256()
        for rel, url in sorted(self.urls.items()):
            h.update(f"{rel}\0{url}\0".encode("utf-8"))
        h.update(repr((sorted(self.hidden), sorted(self.assets))).encode("utf-8"))
        h.update(repr((sorted(self.pictures.items()), self.originals, sorted(self.broken.items())))
                 .encode("utf-8"))
        return h.hexdigest()


class BodyProblem(NamedTuple):
    """A link in a body that points at nothing, or at a hidden article."""

    line: int
    message: str
    hint: str
    level: str  # "error" or "warning"


class LinkAnswer(NamedTuple):
    """What the resolver answered for one link: its new URL, or a problem."""

    url: str | None  # None: a problem
    problem: tuple = ()  # (message, hint, level, url) of LinkProblemError


class BodyEntry(NamedTuple):
    """An article's body in a build: its key in the cache, and the body."""

    key: str
    body: Body


class SeenBody(NamedTuple):
    """An article's body as the previous build of this process had it."""

    body_digest: str  # of the Markdown
    url: str  # of the page
    entry: BodyEntry


def body_key(source: Source, url: str, raw_html: bool = False) -> str:
    """What decides a body's HTML before its links: its Markdown, the renderer and the page's address."""
    return _body_key(source.body_digest, source.rel, url, raw_html)


@functools.lru_cache(maxsize=1 << 16)
def _body_key(body_digest: str, rel: str, url: str, raw_html: bool) -> str:
    trusted = "\0raw html" if raw_html else ""  # the key of a cleaned body is as it always was
    return hashlib.sha256(f"{RENDERER_KEY}\0{body_digest}\0{rel}\0{url}{trusted}".encode("utf-8")).hexdigest()


def resolve_link(ctx: LinkContext, source: str, page: str, target: str, is_image: bool) -> str | ResolvedImage:
    """The new URL of a relative link in article ``source`` shown at ``page``;
    for an image that is processed, its files (``ResolvedImage``).  A link
    (not an image) to a processed image opens its widest file, or its
    source where sources are published."""
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
    if path in ctx.broken:
        raise LinkProblemError(broken_problem(path, ctx.broken[path]), REEXPORT)
    picture = ctx.pictures.get(path)
    if picture is not None and is_image:
        return ResolvedImage(relative_url(picture.src, page),
                             ", ".join(f"{relative_url(p, page)} {w}w" for p, w, _h in picture.files),
                             *picture.size)
    if picture is not None and not ctx.originals:
        return relative_url(picture.widest, page)
    if path in ctx.assets:
        return relative_url(path, page)
    kind = "图片" if is_image else "链接的文件"
    raise LinkProblemError(f"{kind} {CONTENT_DIR}/{path} 不存在",
                           case_hint(path, ctx.assets, posixpath.dirname(source))
                           or "检查文件名（包括大小写和扩展名）和所在文件夹。")


def _outcome(ctx, source, page, target, is_image) -> LinkAnswer:
    try:
        return LinkAnswer(resolve_link(ctx, source, page, target, is_image))
    except LinkProblemError as exc:
        return LinkAnswer(None, (exc.message, exc.hint, exc.level, exc.url))


def _recording_resolver(ctx: LinkContext, source: str, page: str, record: list):
    def resolve(target: str, is_image: bool) -> str:
        outcome = _outcome(ctx, source, page, target, is_image)
        record.append(((target, is_image), outcome))
        if outcome.url is not None:
            return outcome.url
        raise LinkProblemError(*outcome.problem)

    return resolve


def convert_one(ctx: LinkContext, renderer: MarkdownRenderer, source: str, page: str, text: str,
                body_line: int) -> Body:
    record: list = []
    rendered = renderer.render(text, _recording_resolver(ctx, source, page, record))
    problems = tuple(BodyProblem(line_of(text, p.url, body_line), p.message, p.hint, p.level)
                     for p in rendered.problems)
    problems += tuple(BodyProblem(body_line + i, placeholders.message(found, "正文"), placeholders.HINT, "error")
                      for i, found in enumerate(map(placeholders.in_line, text.split("\n"))) if found)
    fingerprint = html_fingerprint(rendered.html, rendered.toc)
    names = frozenset(value.rsplit("/", 1)[-1] for value in _ADDRESS.findall(rendered.html))
    return Body(fingerprint, rendered.headings, problems, tuple(dict.fromkeys(record)), names,
                plain_excerpt(rendered.html), rendered.html, rendered.toc)


# a line of their own; anything else runs on within its line
_BLOCKS = frozenset({"address", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "h1", "h2", "h3", "h4",
                     "h5", "h6", "hr", "li", "ol", "p", "pre", "table", "tr", "ul"})
# not the text to read first: raw HTML's code, a [TOC], the footnotes' marks and notes
_HIDDEN = frozenset({"script", "style", "template", "noscript", "iframe", "object", "svg", "math", "select"})
_HIDDEN_CLASSES = frozenset({"footnote", "footnote-ref", "footnote-backref", "toc"})
_WIDE = "\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
# a line break in the Markdown between two Chinese characters is no space
_WIDE_BREAK = re.compile(f"(?<=[{_WIDE}])[ \t]*\n[ \t\n]*(?=[{_WIDE}])")
_SPACES = re.compile(r"[ \t\r\n]+")  # not the ideographic space: the author's own


def plain_excerpt(html: str, limit: int = EXCERPT_CHARS) -> tuple[str, ...]:
    """The first ``limit`` characters of a body's text as plain lines: a
    paragraph, a heading or a list item each, without markup or images; a
    line cut short ends in "……"."""
    parser = _PlainText(limit)
    try:
        parser.feed(html)
        parser.close()
        parser.end_line()
    except _Enough:
        pass
    lines, left = [], limit
    for line in parser.lines:
        if left <= 0:
            break
        if len(line) > left:
            lines.append(line[:left] + "……")
            break
        lines.append(line)
        left -= len(line)
    return tuple(lines)


class _Enough(Exception):
    """The excerpt has all the text it keeps."""


class _PlainText(HTMLParser):
    """Collects the lines of text of an HTML body until it has ``limit``
    characters and one more (to know that the text goes on)."""

    def __init__(self, limit: int):
        super().__init__(convert_charrefs=True)
        self.limit = limit
        self.size = 0
        self.lines: list[str] = []
        self.line: list[str] = []
        self.hidden: list[str] = []  # the hidden element being skipped, as often as it is open

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if self.hidden:
            if tag == self.hidden[0]:
                self.hidden.append(tag)
            return
        classes = set((dict(attrs).get("class") or "").split())
        if tag in _HIDDEN or classes & _HIDDEN_CLASSES:
            if tag not in ("br", "hr", "img", "input", "wbr"):  # nothing inside those to skip
                self.hidden.append(tag)
            return
        if tag in _BLOCKS:
            self.end_line()
        elif tag in ("td", "th") and self.line:
            self.line.append("\u3000")  # the cells of a row apart

    def handle_endtag(self, tag: str) -> None:
        if self.hidden:
            if tag == self.hidden[0]:
                self.hidden.pop()
            return
        if tag in _BLOCKS:
            self.end_line()

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.line.append(data)

    def end_line(self) -> None:
        text = _SPACES.sub(" ", _WIDE_BREAK.sub("", "".join(self.line))).strip(" ")
        self.line = []
        if text:
            self.lines.append(text)
            self.size += len(text)
            if self.size > self.limit:
                raise _Enough


def is_still_valid(body: Body, ctx: LinkContext, source: str, page: str) -> bool:
    return all(_outcome(ctx, source, page, target, is_image) == outcome
               for (target, is_image), outcome in body.links)


def convert_articles(ctx: BuildContext, model: SiteModel, sources: list[Source],
                     assets: list[str], photos: Photos | None = None) -> dict[str, BodyEntry]:
    """Markdown of every visible article, and of those still to be published
    (the screen shows their text on their day): content rel -> BodyEntry.
    Link problems of the visible ones are reported with their lines.  The
    cache is updated."""
    cache = ctx.cache
    by_rel = {s.rel: s for s in sources}
    link_ctx = LinkContext(model.urls, model.hidden, frozenset(assets),
                           photos.of_use("body") if photos is not None else {}, ctx.config.publish_originals,
                           photos.broken if photos is not None else {})
    # links digest -> (LinkContext, {content rel: SeenBody}), of the previous build
    memo = ctx.memo.bodies
    # a rebuild in serve most often has the same links as the build before
    links = next((d for d, (before, _seen) in memo.items() if before == link_ctx), None) or link_ctx.digest()
    bodies: dict[str, BodyEntry] = {}
    misses: list[tuple[Article, str]] = []
    stored, checks = cache.bodies, cache.body_checks
    # the previous build of this process: an article whose Markdown has the
    # same digest, at the same address, with the links resolving as then, has
    # the same body, checked then (the digest, not the Source: that would keep
    # every article's Markdown alive through a cold build)
    _context, last = memo.pop(links, (None, {}))
    memo.clear()
    kept: dict[str, SeenBody] = {}
    memo[links] = (link_ctx, kept)
    for article in (*model.articles, *model.pending):
        source = by_rel[article.source]
        seen = last.get(article.source)
        if seen is not None and seen.body_digest == source.body_digest and seen.url == article.url:
            bodies[article.source] = seen.entry
            kept[article.source] = seen
            continue
        key = body_key(source, article.url, ctx.config.raw_html)
        cached = stored.get(key)
        if cached is not None and (checks.get(key) == links
                                   or is_still_valid(cached, link_ctx, article.source, article.url)):
            bodies[article.source] = BodyEntry(key, cached)
            checks[key] = links
        else:
            misses.append((article, key))

    work = [(a.source, a.url, by_rel[a.source].body_text(ctx.site_dir), by_rel[a.source].body_line)
            for a, _key in misses]
    made: list[tuple[str, Body]] = []
    for (article, key), body in zip(misses, _convert_all(link_ctx, ctx.config.raw_html, work)):
        made.append((key, body))
        checks[key] = links
        if len(made) >= 256:  # the HTML goes to the cache's store as it comes, not all held at once
            cache.add_bodies(made)
            made = []
    cache.add_bodies(made)
    for article, key in misses:
        bodies[article.source] = BodyEntry(key, cache.bodies[key])

    for article in (*model.articles, *model.pending):
        if article.source not in kept:
            kept[article.source] = SeenBody(by_rel[article.source].body_digest, article.url, bodies[article.source])
    report = ctx.report
    for article in model.articles:  # a waiting article's links are checked on its day
        for line, message, hint, level in bodies[article.source].body.problems:
            (report.error if level == "error" else report.warning)(
                by_rel[article.source].path, line, None, message, hint)
    return bodies


def _convert_all(links: LinkContext, raw_html: bool, work: list[tuple[str, str, str, int]]):
    """The converted bodies, in the order of ``work``, as they come; many
    are converted in processes, one per core, 16 at a time: results are
    taken (and their HTML stored) as they come, not held in bulk, and the
    processes end within a few articles of each other."""
    return map_in_processes(_convert_job, work, min_items=PARALLEL_MIN, chunk=16, state=(links, raw_html),
                            setup=_with_renderer)


def _with_renderer(state: tuple[LinkContext, bool]) -> tuple[LinkContext, MarkdownRenderer]:
    links, raw_html = state
    return links, _shared_renderer(raw_html)


@functools.lru_cache(maxsize=2)
def _shared_renderer(raw_html: bool) -> MarkdownRenderer:
    """One Markdown instance for each process (it is reset before each body;
    a process converts one body at a time)."""
    return MarkdownRenderer(raw_html=raw_html)


def _convert_job(state: tuple[LinkContext, MarkdownRenderer], job: tuple[str, str, str, int]) -> Body:
    links, renderer = state
    return convert_one(links, renderer, *job)
