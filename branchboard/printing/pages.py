"""Printable banners and posters (public/print/), and what the print command makes of them.

    1. find each banner's number and line in data/banners.yaml   locate_banners
    2. fit each slogan to its banner, check it can be read        fit.fit_slogan
    3. plan the printables: pages, paper, the PDFs, which file
       goes to the print shop                                     plan_banner, plan_*
    4. the pages as (path, template, context), the index last     print_pages

Every print page declares its own paper with CSS ``@page`` in millimetres;
a page that has a PDF names it, its pages and its size on ``<html
data-pdf=...>``, so the print command (printing.pdf) renders exactly the pages
this module planned.  Pages do not link to the PDFs: a plain build has
none, and the site keeps no broken links.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path

from branchboard.board.figures import Banner, Board
from branchboard.site.config import SiteConfig
from branchboard.errors import BoardError, Report
from branchboard.site.model import SiteModel
from branchboard.printing.fit import END_MARGIN, MIN_EM_OF_BREADTH, fit_slogan, needed_length, tile_characters
from branchboard.printing.posters import plan_honors, plan_model_posts
from branchboard.printing.sizes import (ACROBAT_MAX_MM, CHROMIUM_MAX_MM, PAPER, PANEL_OVERLAP_MM, SCREEN_MAX_PX,
                         SCREEN_THUMB_PX, PdfFile, Printable, metres, mm_text, screen_zoom)
from branchboard.board.data import as_date
from branchboard.site.yamlio import load_yaml, parse_datetime, read_text

BANNERS_FILE = "data/banners.yaml"
INDEX = "print/index.html"
LABEL = "打印"
SCALES = (10, 20, 50, 100)  # 1:10 is what print shops take; longer banners go smaller still
TILE_EM_OF_HEIGHT = 0.8  # a tile's character, as a share of the sheet height
TILE_SIDE_MARGIN_MM = 12  # office printers cannot print to the edge


@dataclass(frozen=True)
class Located:
    number: int  # position in data/banners.yaml, from 1
    line: int | None  # of the banner's text
    col: int | None = None


def print_pages(config: SiteConfig, model: SiteModel, board: Board | None, now: dt.datetime,
                report: Report) -> list[tuple[str, str, dict]]:
    """(path, template, context) of the print pages; problems go to ``report``."""
    if board is None:
        return []
    plans = banner_plans(config.site_dir, board, report)
    plans += [plan for plan in (plan_honors(board.honors), plan_model_posts(board.model_posts, config))
              if plan is not None]
    if not plans:
        return []
    printables = [printable for printable, _ in plans]
    index = {"title": LABEL, "footer_label": LABEL, "groups": _groups(printables)}
    return [page for _, pages in plans for page in pages] + [(INDEX, "print/index.html", index)]


def banner_plans(site_dir: Path, board: Board, report: Report) -> list[tuple[Printable, list]]:
    """Every banner hanging today or later, in file order; a slogan that cannot be printed is reported."""
    if board.banners is None:
        return []
    banners = board.banners.current + board.banners.upcoming
    located = locate_banners(site_dir, banners)
    plans = []
    for banner in sorted(banners, key=lambda b: located[id(b)].number):
        where = located[id(banner)]
        try:
            plans += plan_banner(banner, where.number, banner in board.banners.upcoming)
        except BoardError as problem:
            report.add(BoardError(BANNERS_FILE, where.line, where.col, problem.message, problem.hint))
    return plans


GROUPS = ("正在悬挂的条幅", "即将悬挂的条幅", "单字拼贴", "光荣榜", "党员示范岗")


def _groups(printables: list[Printable]) -> list[tuple[str, list[Printable]]]:
    """The index's headings in a fixed order, each with its printables in file order."""
    return [(name, [p for p in printables if p.group == name]) for name in GROUPS
            if any(p.group == name for p in printables)]


# -- where each banner is written ------------------------------------------------------

def locate_banners(site_dir: Path, banners: tuple[Banner, ...]) -> dict[int, Located]:
    """Each banner's position and text line in data/banners.yaml, keyed by id().

    The board keeps only the banners hanging today or later, without their
    lines; the file is read again for positions alone (it has already been
    checked, so this cannot fail in a way the secretary has not been told of).
    A banner is the first unclaimed record with its text and start date.
    """
    try:
        value, positions = load_yaml(read_text(site_dir / BANNERS_FILE, BANNERS_FILE), BANNERS_FILE)
    except (BoardError, OSError):
        value, positions = None, None
    records = []  # (number, text, start date, (line, col))
    for i, record in enumerate(value if isinstance(value, list) else []):
        if isinstance(record, dict):
            text_key = _key(record, "text", "内容")
            where = positions.of_key((i, text_key)) if text_key else positions.of((i,))
            records.append((i + 1, str(record.get(text_key, "")).strip(),
                            _day(record.get(_key(record, "from", "开始"))), where))
    found: dict[int, Located] = {}
    for order, banner in enumerate(banners):
        start = as_date(banner.start)
        match = next((r for r in records if r[1] == banner.text and r[2] == start), None)
        if match is None:  # cannot happen with a checked file; keep a stable, unique number
            found[id(banner)] = Located(1000 + order, None)
            continue
        records.remove(match)
        found[id(banner)] = Located(match[0], *match[3])
    return found


def _key(record: dict, name: str, alias: str) -> str | None:
    return next((k for k in record if str(k).lower() == name or k == alias), None)


def _day(value) -> dt.date | None:
    try:
        return parse_datetime(value)[0].date() if value is not None else None
    except ValueError:
        return None


# -- banners ---------------------------------------------------------------------------

def plan_banner(banner: Banner, number: int, upcoming: bool) -> list[tuple[Printable, list]]:
    """The banner's printables (the banner, and its tiles when asked for) with their pages.

    Raises BoardError (without a line) when the slogan cannot be printed.
    """
    fit = _checked_fit(banner)
    stem, name = f"banner-{number:02d}", f"条幅 {number}"
    base = {"banner": banner, "name": name, "style_class": banner.style_class, "fit": fit}
    pages, files = _full_size(banner, base, stem, name)
    send, scale = files[0], 1
    if max(banner.width_mm, banner.height_mm) > ACROBAT_MAX_MM:
        # the full-size file opens in few viewers: a scale copy is what goes to the print shop
        page, send, scale = _scale_copy(banner, base, stem, name)
        pages.append(page)
        files.append(send)
    finished = f"成品 {metres(banner.width_mm)} × {metres(banner.height_mm)} 米"
    advice = f"交印刷厂 {send.name}，说明按 1:{scale} 比例放大喷绘，{finished}" if scale > 1 \
        else f"交印刷厂 {send.name}（原大，{finished}）"
    across = "宽" if fit.vertical else "高"
    printable = Printable(
        group="即将悬挂的条幅" if upcoming else "正在悬挂的条幅", title=f"{name}：{banner.text}",
        page=f"print/{stem}.html", size_text=f"{banner.size_text}，{banner.style}", pages=1,
        files=tuple(files), send=send.name, advice=advice,
        detail=f"字高约 {mm_text(fit.em)} 毫米（条幅{across}度的 {round(fit.share_of_breadth * 100)}%）")
    planned = [(printable, pages)]
    if banner.tiles:
        planned.append(_plan_tiles(banner, number, name))
    return planned


def _checked_fit(banner: Banner):
    fit = fit_slogan(banner.text, banner.width_mm, banner.height_mm)
    if not fit.units:
        raise BoardError(BANNERS_FILE, None, None, f"条幅内容“{banner.text}”里只有标点，没有可以印的字",
                         "写上条幅的文字；词组之间用空格隔开。")
    if fit.is_too_small:
        _too_long(banner, fit)
    return fit


def _full_size(banner: Banner, base: dict, stem: str, name: str) -> tuple[list, list[PdfFile]]:
    """The banner at its size: one page, or panels when Chromium cannot make a page that long."""
    full = PdfFile(f"{stem}.pdf", banner.width_mm, banner.height_mm, 1, "原大")
    fits = max(banner.width_mm, banner.height_mm) <= CHROMIUM_MAX_MM
    pages = [(f"print/{stem}.html", "print/banner.html",
              {**base, **_sheet(banner.width_mm, banner.height_mm), "title": f"{name}（原大）",
               "pdf": full if fits else None, "scale": 1})]
    if fits:
        return pages, [full]
    panels = _panels(banner.width_mm, banner.height_mm)
    each = PdfFile(f"{stem}-panels.pdf", panels[0]["width"], panels[0]["height"], len(panels),
                   f"原大分 {len(panels)} 段")
    pages.append((f"print/{stem}-panels.html", "print/banner-panels.html",
                  {**base, **_sheet(each.width_mm, each.height_mm), "title": f"{name}（原大分段）",
                   "pdf": each, "panels": panels, "overlap": PANEL_OVERLAP_MM,
                   "full_width": banner.width_mm, "full_height": banner.height_mm}))
    return pages, [each]


def _scale_copy(banner: Banner, base: dict, stem: str, name: str) -> tuple[tuple, PdfFile, int]:
    length = max(banner.width_mm, banner.height_mm)
    scale = next((s for s in SCALES if length / s <= ACROBAT_MAX_MM), SCALES[-1])
    small = PdfFile(f"{stem}-1to{scale}.pdf", round(banner.width_mm / scale, 2),
                    round(banner.height_mm / scale, 2), 1, f"1:{scale} 缩样")
    page = (f"print/{stem}-1to{scale}.html", "print/banner.html",
            {**base, **_sheet(small.width_mm, small.height_mm), "title": f"{name}（1:{scale} 缩样）",
             "fit": base["fit"].scaled(1 / scale), "pdf": small, "scale": scale})
    return page, small, scale


def _too_long(banner: Banner, fit) -> None:
    count = len(tile_characters(banner.text))
    need = needed_length(fit)
    across = "宽" if fit.vertical else "高"
    along = "高" if fit.vertical else "长"
    raise BoardError(
        BANNERS_FILE, None, None,
        f"条幅“{_short(banner.text)}”有 {count} 个字，{banner.size_text}的条幅上每个字只有 "
        f"{mm_text(fit.em)} 毫米，不到条幅{across}度的 {round(MIN_EM_OF_BREADTH * 100)}%，远处看不清",
        f"这么多字，条幅至少要 {metres(need)} 米{along}（两端各留 {mm_text(END_MARGIN * fit.breadth)} 毫米）；"
        f"或者删减文字、分成几条条幅。")


def _short(text: str, limit: int = 12) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _sheet(width: float, height: float, largest=SCREEN_MAX_PX) -> dict:
    return {"page_width": width, "page_height": height, "zoom": screen_zoom(width, height, largest),
            "paper_text": f"{mm_text(width)} × {mm_text(height)} 毫米"}


def _panels(width: float, height: float) -> list[dict]:
    """Equal panels along the length, each within Chromium's limit, overlapping by a strip."""
    vertical = height > width
    length = max(width, height)
    count = math.ceil((length - PANEL_OVERLAP_MM) / (CHROMIUM_MAX_MM - PANEL_OVERLAP_MM))
    each = math.ceil((length + (count - 1) * PANEL_OVERLAP_MM) / count * 10) / 10
    panels = []
    for i in range(count):
        start = min(i * (each - PANEL_OVERLAP_MM), length - each)
        panels.append({
            "number": i + 1, "count": count, "start": round(start, 1), "end": round(start + each, 1),
            "width": width if vertical else each,
            "height": each if vertical else height, "vertical": vertical,
            "offset_x": 0 if vertical else round(start, 1), "offset_y": round(start, 1) if vertical else 0,
            "joins_next": i + 1 < count, "joins_previous": i > 0,
        })
    return panels


def _plan_tiles(banner: Banner, number: int, name: str) -> tuple[Printable, list]:
    chars = tile_characters(banner.text)
    paper_w, paper_h = PAPER[banner.tiles]
    em = TILE_EM_OF_HEIGHT * paper_h
    squeeze = min(1.0, (paper_w - 2 * TILE_SIDE_MARGIN_MM) / em)
    stem = f"banner-{number:02d}-tiles"
    pdf = PdfFile(f"{stem}.pdf", paper_w, paper_h, len(chars), f"{banner.tiles} 纵向")
    sheets = [{"char": ch, "mark": f"{i}/{len(chars)}"} for i, ch in enumerate(chars, 1)]
    page = (f"print/{stem}.html", "print/tiles.html",
            {"title": f"{name} 单字拼贴（{banner.tiles}）", "name": name, "banner": banner, "sheets": sheets,
             "em": round(em, 2), "squeeze": round(squeeze, 3), "pdf": pdf,
             **_sheet(paper_w, paper_h, SCREEN_THUMB_PX)})
    printable = Printable(
        group="单字拼贴", title=f"{name} 单字拼贴：{banner.text}", page=f"print/{stem}.html",
        size_text=f"{banner.tiles} 纵向，每张一个字", pages=len(chars), files=(pdf,), send="",
        advice=f"办公室打印机用 {banner.tiles} 纸打印 {stem}.pdf，按右下角的编号（1/{len(chars)} 起）"
               f"{'从上到下' if banner.height_mm > banner.width_mm else '从左到右'}拼贴",
        detail=f"标点和空格不单独打印，共 {len(chars)} 张")
    return printable, [page]
