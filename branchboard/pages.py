"""The pages of the site: Markdown bodies, then one function per page kind.

Each function adds its pages to the build's Outputs; the write stage catches
two pages claiming one path.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from . import board as board_mod
from . import printing, screen
from .config import SiteConfig
from .content import CONTENT_DIR, Source
from .errors import BoardError, Report
from .markup import LinkProblemError, MarkdownRenderer, line_of, relative_url
from .model import Article, SiteModel, home_sections, tag_url
from .render import Renderer, Theme, make_environment, safe_html
from .write import Outputs

DATA_DIR = "data"


@dataclass(frozen=True)
class Body:
    html: str
    toc: str
    headings: int


def convert_articles(model: SiteModel, sources: list[Source], assets: list[str],
                     report: Report) -> dict[str, Body]:
    """Markdown of every visible article, by source; link problems reported with lines."""
    renderer = MarkdownRenderer()
    by_rel = {s.rel: s for s in sources}
    asset_set = set(assets)
    bodies = {}
    for article in model.articles:
        source = by_rel[article.source]
        resolver = _resolver(article, model, asset_set)
        rendered = renderer.render(source.body, resolver)
        for problem in rendered.problems:
            line = line_of(source.body, problem.url, source.body_line)
            if problem.level == "error":
                report.error(source.path, line, None, problem.message, problem.hint)
            else:
                report.warning(source.path, line, None, problem.message, problem.hint)
        bodies[article.source] = Body(rendered.html, rendered.toc, rendered.headings)
    return bodies


def _resolver(article: Article, model: SiteModel, assets: set[str]):
    folder = posixpath.dirname(article.source)

    def resolve(target: str, is_image: bool) -> str:
        path = posixpath.normpath(posixpath.join(folder, target))
        if path.startswith("../") or path == "..":
            raise LinkProblemError(f"“{target}”指向 content 文件夹之外",
                                   "图片和文件请放在 content 文件夹里，用相对路径引用。")
        if path.endswith(".md"):
            if path in model.by_source:
                return relative_url(model.by_source[path].url, article.url)
            if path in model.hidden:
                raise LinkProblemError(
                    f"链接的文章 {CONTENT_DIR}/{path} 今天不显示（草稿、未到发布日期或已下架），这个链接暂时打不开",
                    level="warning", url=relative_url(path[:-3] + ".html", article.url))
            raise LinkProblemError(f"链接的文章 {CONTENT_DIR}/{path} 不存在",
                                   "检查文件名和所在文件夹；链接写成相对于本文的路径，例如 ../study/文章.md。")
        if path in assets:
            return relative_url(path, article.url)
        kind = "图片" if is_image else "链接的文件"
        raise LinkProblemError(f"{kind} {CONTENT_DIR}/{path} 不存在",
                               "检查文件名（包括大小写和扩展名）和所在文件夹。")

    return resolve


def render_pages(config: SiteConfig, theme: Theme, model: SiteModel, bodies: dict[str, Body],
                 data: dict, board, assets: list[str], now: dt.datetime,
                 report: Report) -> Outputs:
    env = make_environment(theme)
    board_links = board_mod.board_pages(board) if board else []
    # screen and print pages come from their own modules: (path, template, context)
    extra_pages = []
    for provider in (screen.screen_pages, printing.print_pages):
        extra_pages += provider(config, model, board, now, report)
    common = {
        "site": config,
        "model": model,
        "sections": model.sections,
        "data": data,
        "board": board,
        "board_menu": [(path, ctx.get("title", path)) for path, _tpl, ctx in board_links],
        "footer_menu": [(path, ctx["footer_label"]) for path, _tpl, ctx in extra_pages
                        if ctx.get("footer_label")],
        "now": now,
        "build_date": now,
        "tag_url": tag_url,
    }
    renderer = Renderer(env, common, config.site_dir)
    outputs = Outputs()
    steps = [
        lambda: _home(renderer, model, outputs, report),
        lambda: _articles(renderer, model, bodies, outputs, report),
        lambda: _listings(renderer, model, outputs, report),
        lambda: _tags(renderer, model, outputs, report),
        lambda: _board(renderer, board_links, outputs, report),
        lambda: _board(renderer, extra_pages, outputs, report),
    ]
    for step in steps:
        try:
            step()
        except BoardError as err:
            report.add(err)
    _copies(theme, config.site_dir, assets, outputs, report)
    return outputs


def _home(renderer: Renderer, model: SiteModel, outputs: Outputs, report: Report) -> None:
    pinned = [a for a in model.articles if a.pinned]
    html = renderer.render("index.html", "index.html", title="首页",
                           latest=home_sections(model), pinned=pinned)
    outputs.add_page("index.html", html, "首页", report)


def _articles(renderer, model, bodies, outputs, report) -> None:
    for section in model.sections:
        for article in section.articles:
            body = bodies[article.source]
            newer, older = model.neighbours.get(article.url, (None, None))
            # a cover that the body shows again is not shown twice
            name = posixpath.basename(article.cover)
            cover_in_body = bool(name) and (f'/{quote(name)}"' in body.html or f'"{quote(name)}"' in body.html)
            html = renderer.render("article.html", article.url, title=article.title,
                                   article=article, section=section,
                                   show_cover=bool(article.cover) and not cover_in_body,
                                   content=safe_html(body.html),
                                   toc=safe_html(body.toc) if body.headings >= 3 else "",
                                   newer=newer, older=older)
            outputs.add_page(article.url, html, article.path, report)


def _listings(renderer, model, outputs, report) -> None:
    for section in model.sections:
        for listing in section.pages:
            html = renderer.render("section.html", listing.url, title=section.title,
                                   section=section, listing=listing)
            outputs.add_page(listing.url, html, f"栏目 {section.id}", report)


def _tags(renderer, model, outputs, report) -> None:
    for tag in model.tags:
        html = renderer.render("tag.html", tag.url, title=f"标签：{tag.name}", tag=tag)
        outputs.add_page(tag.url, html, f"标签 {tag.name}", report)
    html = renderer.render("tags.html", "tags/index.html", title="全部标签", tags=model.tags)
    outputs.add_page("tags/index.html", html, "标签索引", report)


def _board(renderer, specs, outputs, report) -> None:
    """Pages given as (path, template, context) by the board, screen and print modules."""
    for path, template, context in specs:
        html = renderer.render(template, path, **context)
        outputs.add_page(path, html, f"页面 {template}", report)


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
                    and not any(p.startswith(".") for p in path.relative_to(data_root).parts):
                rel = f"{DATA_DIR}/{path.relative_to(data_root).as_posix()}"
                outputs.add_copy(rel, path, rel, report)
