"""The editor's list of articles: every article under content/ by section,
newest first, with the state the build gives it today.

    article_list(site_dir, sections, read, now)   [SectionList], from the articles as read
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from branchboard.editor.articletext import parts_of, written_key
from branchboard.editor.siteinfo import Sources
from branchboard.errors import BoardError, Report
from branchboard.site.content import CONTENT_DIR, in_section
from branchboard.site.model import make_article
from branchboard.site.yamlio import load_yaml, read_text

STATUS = {"draft": "草稿", "scheduled": "定时", "live": "已发布", "expired": "已下架", "broken": "有错误"}


@dataclass
class Listed:
    """One article in the list."""

    rel: str  # relative to the site: content/news/x.md
    title: str
    date: str
    status: str  # a key of STATUS
    problem: str = ""  # the first error, when the build cannot show it


@dataclass
class SectionList:
    id: str
    title: str
    articles: list[Listed] = field(default_factory=list)


def status_of(article, now: dt.datetime) -> str:
    """The article's state on the build's day, in the order Article.is_visible decides it."""
    if article.draft:
        return "draft"
    if article.publish and now < article.publish:
        return "scheduled"
    if article.expire and now > article.expire:
        return "expired"
    return "live"


def article_list(site_dir: Path, sections: dict[str, str], read: Sources, articles: list[str],
                 now: dt.datetime) -> list[SectionList]:
    """Every article by section, newest first: ``read`` as the build reads
    them, ``articles`` every Markdown file under content/ (those whose fields
    could not be read are listed as broken)."""
    by_section = {sid: SectionList(sid, title) for sid, title in sections.items()}
    first_error: dict[str, BoardError] = {}
    for problem in read.problems:
        if problem.level == "error":
            first_error.setdefault(problem.path, problem)
    assets = set(read.assets)
    for source in read.sources:
        section = by_section.setdefault(source.section, SectionList(source.section, source.section))
        section.articles.append(_listed(source, assets, first_error.get(source.path), now))
    shown = {source.rel for source in read.sources}
    for rel in articles:
        if in_section(rel) and rel not in shown:  # its front matter could not be read
            path = f"{CONTENT_DIR}/{rel}"
            sid = rel.split("/", 1)[0]
            section = by_section.setdefault(sid, SectionList(sid, sid))
            error = first_error.get(path)
            section.articles.append(Listed(path, _title_of(site_dir, path) or rel.rsplit("/", 1)[-1][:-3], "",
                                           "broken", error.message if error else "文章信息有错误"))
    for section in by_section.values():
        section.articles.sort(key=lambda a: (a.date, a.rel), reverse=True)
    return list(by_section.values())


def _listed(source, assets: set[str], error: BoardError | None, now: dt.datetime) -> Listed:
    own = Report()
    article = make_article(source, assets, own)
    when = f"{source.meta['date'][0]:%Y-%m-%d}"
    error = error or (own.errors[0] if own.errors else None)
    if article is None or error is not None:
        return Listed(source.path, source.meta["title"], when, "broken", error.message if error else "")
    return Listed(source.path, article.title, when, status_of(article, now))


def _title_of(site_dir: Path, rel: str) -> str:
    """The title written in an article whose fields have errors, if it can be read at all."""
    try:
        raw = load_yaml(parts_of(read_text(site_dir / rel, rel), rel)[2], rel)[0]
        key = written_key(raw, "title") if isinstance(raw, dict) else None
        return str(raw[key]) if key and raw[key] else ""
    except BoardError:
        return ""
