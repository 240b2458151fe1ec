"""MODEL: plain data computed once from the sources.

Each article knows its source, its output path and what it shows.  The model
decides what is visible on the build's day, orders listings, paginates and
catches two things claiming one output path.  It does no I/O (other than
asking whether a cover file exists) and knows nothing of Jinja.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, NamedTuple

import datetime as dt
import functools
import posixpath
from operator import attrgetter
from dataclasses import dataclass, field

from branchboard.site.content import CONTENT_DIR, Source
from branchboard.errors import Report
from branchboard.fingerprint import compared_fields, digest

if TYPE_CHECKING:
    from branchboard.build.context import BuildContext

HOME_PER_SECTION = 5
# a page's name (and the temporary name it is written under, 19 bytes longer)
# must fit the 255 bytes every file system allows
MAX_NAME_BYTES = 200


@dataclass(frozen=True)
class Article:
    """An article as its pages show it, made from its checked front matter."""

    _repr_is_stable: ClassVar[bool] = True  # no sets inside: repr is a stable fingerprint

    source: str  # relative to content/
    section: str
    title: str
    date: dt.datetime
    has_time: bool
    url: str  # output path relative to the site root
    summary: str = ""
    cover: str = ""  # output path of the cover image, or ""
    author: str = ""
    tags: tuple[str, ...] = ()
    draft: bool = False
    pinned: bool = False
    publish: dt.datetime | None = None
    expire: dt.datetime | None = None

    @property
    def path(self) -> str:
        return f"{CONTENT_DIR}/{self.source}"

    @functools.cached_property
    def newest_first(self) -> tuple:
        """Sort key: newest first, the title and file breaking ties (made once, kept in the cache)."""
        return (-self.date.timestamp(), self.title, self.source)

    @functools.cached_property
    def fingerprint(self) -> str:
        """Digest of every field, made once (and kept with the article in the build cache)."""
        return digest(repr(self))[:24]

    def is_visible(self, now: dt.datetime, drafts: bool) -> bool:
        if self.draft and not drafts:
            return False
        if self.publish and now < self.publish:
            return False
        if self.expire and now > self.expire:
            return False
        return True


@dataclass(frozen=True)
class Listing:
    """One page of a paginated list of articles."""

    url: str
    title: str
    articles: tuple[Article, ...]
    number: int
    count: int
    first_url: str
    prev_url: str | None
    next_url: str | None

    @functools.cached_property
    def fingerprint(self) -> str:
        return _fingerprint_by_articles(self)


@dataclass(frozen=True)
class Section:
    """A section's visible articles and the listing pages they fill."""

    id: str
    title: str
    articles: tuple[Article, ...]  # pinned first, then newest first
    pages: tuple[Listing, ...]

    @property
    def url(self) -> str:
        return self.pages[0].url


@dataclass(frozen=True)
class Tag:
    """The visible articles that carry a tag, for its page."""

    name: str
    url: str
    articles: tuple[Article, ...]

    @functools.cached_property
    def fingerprint(self) -> str:
        return _fingerprint_by_articles(self)


def _fingerprint_by_articles(record) -> str:
    """Digest of every field of a listing or a tag, its articles by their own
    kept fingerprints (made once): a page's key walked them one by one, a few
    thousand a build for a tag page."""
    parts = [type(record).__name__]
    for name in compared_fields(type(record)):
        value = getattr(record, name)
        parts.append(" ".join(a.fingerprint for a in value) if name == "articles" else repr(value))
    return digest(*parts)[:24]


@dataclass(frozen=True)
class SiteModel:
    """Everything the pages show of the articles on the build's day."""

    articles: tuple[Article, ...]  # every visible article, newest first
    sections: tuple[Section, ...]
    tags: tuple[Tag, ...]
    neighbours: dict = field(default_factory=dict)  # url -> (newer, older)
    by_source: dict = field(default_factory=dict)  # content rel -> Article (visible)
    hidden: frozenset = frozenset()  # content rel of articles not shown today
    pending: tuple = ()  # articles whose publish date is still to come (the screen shows them on the day)

    @functools.cached_property
    def urls(self) -> dict[str, str]:
        """Content rel -> url of every visible article; made once (serve keeps
        the model while no article's fields change)."""
        return {a.source: a.url for a in self.articles}


class KeptArticle(NamedTuple):
    """An article as the build cache keeps it, with the source it was made of."""

    source: Source
    article: Article


class LastModel(NamedTuple):
    """The model a long-running process made last, and what it was made of."""

    made_of: tuple
    model: SiteModel


def listing_order(articles) -> list[Article]:
    """Pinned first, then newest first; the title breaks ties for a stable order."""
    return sorted(articles, key=lambda a: (not a.pinned, -a.date.timestamp(), a.title, a.source))


def tag_url(name: str) -> str:
    safe = "".join("-" if c in '\\/:*?"<>|#%' else c for c in name)
    return f"tags/{safe}.html"


def make_article(source: Source, assets: set[str], report: Report) -> Article | None:
    meta = source.meta
    when, has_time = meta["date"]
    folder = posixpath.dirname(source.rel)
    name = meta.get("slug") or source.stem
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        line, col = source.line_of("slug") if meta.get("slug") else (1, 1)
        what = "网址名（slug）" if meta.get("slug") else "文件名"
        report.error(source.path, line, col,
                     f"{what}太长：{len(name.encode('utf-8'))} 个字节，系统最多允许 {MAX_NAME_BYTES} 个字节",
                     f"改短一些：一个汉字占 3 个字节，最多约 {MAX_NAME_BYTES // 3} 个汉字。")
        return None
    cover = ""
    if meta.get("cover"):
        cover = posixpath.normpath(posixpath.join(folder, meta["cover"]))
        if cover not in assets:
            line, col = source.line_of("cover")
            same = next((a for a in assets if a.lower() == cover.lower()), None)
            hint = (f"是不是想写“{posixpath.relpath(same, folder)}”？文件名的大小写要和文件完全一样。" if same
                    else f"把图片放到 {CONTENT_DIR}/{cover}，或改正文件名（注意大小写和扩展名）。")
            report.error(source.path, line, col, f"封面图片“{meta['cover']}”不存在", hint)
            return None
    return Article(
        source=source.rel,
        section=source.section,
        title=meta["title"],
        date=when,
        has_time=has_time,
        url=posixpath.join(folder, f"{name}.html"),
        summary=meta.get("summary", ""),
        cover=cover,
        author=meta.get("author", ""),
        tags=meta.get("tags", ()),
        draft=meta.get("draft", False),
        pinned=meta.get("pinned", False),
        publish=meta.get("publish"),
        expire=meta.get("expire"),
    )


def paginate(articles, title: str, base: str, page_size: int) -> tuple[Listing, ...]:
    """``base`` is the folder ("news/") or file stem ("tags/安全") of the listing."""
    chunks = [articles[i:i + page_size] for i in range(0, len(articles), page_size)] or [[]]

    def url(n):
        if base.endswith("/"):
            return f"{base}index.html" if n == 1 else f"{base}page{n}.html"
        return f"{base}.html" if n == 1 else f"{base}-{n}.html"

    count = len(chunks)
    return tuple(
        Listing(url(n), title, tuple(chunk), n, count, url(1),
                url(n - 1) if n > 1 else None, url(n + 1) if n < count else None)
        for n, chunk in enumerate(chunks, start=1)
    )


def build_model(ctx: BuildContext, sources: list[Source], assets: list[str]) -> SiteModel:
    """What the site shows on the build's day.  The build cache's
    ``articles`` (content rel -> KeptArticle) give an unchanged source the
    same Article as last time, whose fingerprint is then already known.  A
    long-running process keeps the last model (``ctx.memo.model``) and gets
    it again when the articles shown, those waiting and the sections are the
    same (an edit that changes only an article's body), instead of sorting
    and grouping them all again."""
    config, now, drafts, report = ctx.config, ctx.now, ctx.drafts, ctx.report
    asset_set = set(assets)
    memo = ctx.cache.articles
    all_articles = []
    for source in sources:
        kept = memo.get(source.rel)
        if kept is not None and (kept.source is source or kept.source == source) \
                and (not kept.article.cover or kept.article.cover in asset_set):
            all_articles.append(kept.article)
            continue
        article = make_article(source, asset_set, report)
        if article is None:
            memo.pop(source.rel, None)
        else:
            memo[source.rel] = KeptArticle(source, article)
            all_articles.append(article)
    for rel in set(memo) - {s.rel for s in sources}:
        del memo[rel]
    visible, hidden_list = [], []
    for article in all_articles:
        (visible if article.is_visible(now, drafts) else hidden_list).append(article)
    hidden = frozenset(a.source for a in hidden_list)
    pending = tuple(listing_order(a for a in hidden_list if a.publish and a.publish > now
                                  and (drafts or not a.draft) and not (a.expire and a.expire < a.publish)))
    _check_unique_urls(visible, sources, report)

    known = {s.id for s in config.sections}
    present = {a.section for a in all_articles}
    for sid in sorted(present - known):
        report.warning("site.yaml", None, None,
                       f"栏目文件夹 content/{sid} 没有写在 site.yaml 的 sections 里，栏目名暂用“{sid}”",
                       f"在 site.yaml 的 sections 下加一行：- {{id: {sid}, title: 栏目名称}}")
    order = [(s.id, s.title) for s in config.sections] + [(sid, sid) for sid in sorted(present - known)]
    made_of = (visible, hidden, pending, order, config.page_size)
    last = ctx.memo.model
    if last is not None and last.made_of == made_of:
        return last.model
    # sorted once; grouping keeps the order
    newest_first = sorted(visible, key=attrgetter("newest_first"))
    in_listing_order = sorted(newest_first, key=lambda a: not a.pinned)  # stable: pinned first, then newest
    by_section: dict[str, list[Article]] = {sid: [] for sid, _title in order}
    by_tag: dict[str, list[Article]] = {}
    for art in in_listing_order:
        by_section[art.section].append(art)
        for name in art.tags:
            by_tag.setdefault(name, []).append(art)
    sections = [Section(sid, title, tuple(by_section[sid]),
                        paginate(by_section[sid], title, f"{sid}/", config.page_size))
                for sid, title in order]
    tags = [Tag(name, tag_url(name), tuple(by_tag[name])) for name in sorted(by_tag)]

    neighbours = {}
    by_date: dict[str, list[Article]] = {}
    for art in newest_first:
        by_date.setdefault(art.section, []).append(art)
    for members in by_date.values():
        for i, art in enumerate(members):
            newer = members[i - 1] if i > 0 else None
            older = members[i + 1] if i + 1 < len(members) else None
            neighbours[art.url] = (newer, older)

    model = SiteModel(
        articles=tuple(newest_first),
        sections=tuple(sections),
        tags=tuple(tags),
        neighbours=neighbours,
        by_source={a.source: a for a in visible},
        hidden=hidden,
        pending=pending,
    )
    ctx.memo.model = LastModel(made_of, model)
    return model


def _check_unique_urls(articles, sources, report: Report) -> None:
    if len({a.url for a in articles}) == len(articles):
        return  # as nearly always: no need to look further
    by_rel = {s.rel: s for s in sources}
    owners: dict[str, Article] = {}
    for art in sorted(articles, key=lambda a: a.source):
        first = owners.setdefault(art.url, art)
        if first is not art:
            src = by_rel[art.source]
            line, col = src.line_of("slug") if src.meta.get("slug") else (1, 1)
            report.error(art.path, line, col,
                         f"这篇文章的网址 {art.url} 和 {first.path} 相同，两篇会互相覆盖",
                         "改一下其中一篇的文件名，或在文章信息里写不同的 slug（网址名）。")


def home_sections(model: SiteModel) -> list[tuple[Section, tuple[Article, ...]]]:
    return [(s, s.articles[:HOME_PER_SECTION]) for s in model.sections if s.articles]
