"""The honor roll poster (A3 portrait) and the model post cards (A5 landscape).

Both are laid out at build time so that they always fill exactly one sheet:
the honor roll picks the number of columns that gives the cards the best
shape for this period's awards, the cards size the post name and the pledge
to their length.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from branchboard.board.figures import Board, Honors, ModelPost
from branchboard.photos.derive import PRINT_SLOT_MM
from branchboard.photos.uses import Printed, Shown
from branchboard.site.config import SiteConfig
from branchboard.printing.sizes import PAPER, PdfFile, Printable, mm_text, screen_zoom

# The honor roll, A3 portrait, in mm: a title band, the groups, a footer line.
POSTER_W, POSTER_H = PAPER["A3"]
POSTER_PAD = 12  # left and right
POSTER_HEAD, POSTER_FOOT = 72, 14
GROUP_HEAD, ROW_GAP = 19, 4  # a group's heading and the space after the group; between card rows
CARD_ASPECT = 2.1  # cards read best about twice as wide as tall
MIN_ROW = 26  # below this a card holds a name and little else

# A model post card, A5 landscape, in mm.
CARD_W, CARD_H = PAPER["A5"][1], PAPER["A5"][0]
POST_NAME_SPACE = 128  # width for the post name beside the photo
POST_QR_SPACE = 38  # what the QR code takes from it (print.css: .post-qr and the gap before it)
PLEDGE_W, PLEDGE_H = 184, 36  # the pledge box's text area
PLEDGE_SIZES = (8.0, 3.2)  # largest and smallest pledge type, mm
POST_PHOTO_MM = PRINT_SLOT_MM  # the card's photo: the largest print slot, the print files are sized for it


@dataclass(frozen=True)
class PosterGrid:
    columns: int
    row_height: float  # mm
    card_width: float
    photo_width: float
    name_size: float  # type sizes, mm
    text_size: float
    deed_lines: int  # lines of deeds a card has room for (0: none shown)


def poster_grid(group_sizes: list[int]) -> PosterGrid:
    """Columns and card size that fit every group of the period on one A3 sheet."""
    body = POSTER_H - POSTER_HEAD - POSTER_FOOT - 8
    inner = POSTER_W - 2 * POSTER_PAD
    options = []
    for columns in range(1, 6):
        rows = sum(math.ceil(n / columns) for n in group_sizes)
        row = (body - len(group_sizes) * GROUP_HEAD - (rows - len(group_sizes)) * ROW_GAP) / max(rows, 1)
        width = (inner - (columns - 1) * ROW_GAP) / columns
        options.append((columns, min(row, 60.0), width))
    fitting = [o for o in options if o[1] >= MIN_ROW] or [max(options, key=lambda o: o[1])]
    columns, row, width = min(fitting, key=lambda o: abs(o[2] / o[1] - CARD_ASPECT))
    name = max(4.5, min(8.0, row * 0.17))
    text = max(3.0, min(4.6, row * 0.1))
    photo = min((row - 6) * 0.75, width * 0.36)
    free = row - 6 - name * 1.3 - text * 1.5  # after the name and the stars (or 集体) line
    return PosterGrid(columns, round(row, 2), round(width, 2), round(photo, 2), round(name, 2),
                      round(text, 2), max(0, int(free // (text * 1.45))))


def plan_honors(honors: Honors | None) -> tuple[Printable, list] | None:
    if honors is None or honors.latest is None:
        return None
    latest = honors.latest
    grid = poster_grid([len(g.awards) for g in latest.groups])
    pdf = PdfFile("honors.pdf", POSTER_W, POSTER_H, 1, "A3 纵向")
    context = {"title": f"光荣榜 {latest.period}（A3 海报）", "period": latest, "grid": grid, "pdf": pdf,
               "page_width": POSTER_W, "page_height": POSTER_H, "zoom": screen_zoom(POSTER_W, POSTER_H),
               "paper_text": "A3 纵向（297 × 420 毫米）"}
    count = sum(len(g.awards) for g in latest.groups)
    printable = Printable(
        group="光荣榜", title=f"光荣榜 {latest.period}", page="print/honors.html",
        size_text="A3 纵向（297 × 420 毫米）", pages=1, files=(pdf,), send="",
        advice="彩色打印机用 A3 纸打印 honors.pdf；要印大幅海报可把 honors.pdf 交图文店按比例放大",
        detail=f"{len(latest.groups)} 个称号，{count} 项表彰")
    return printable, [("print/honors.html", "print/honors.html", context)]


@dataclass(frozen=True)
class PostCard:
    post: ModelPost
    name_size: float  # mm
    pledge_size: float  # mm, 0 without a pledge


def pledge_size(text: str) -> float:
    """The largest type (mm) at which the pledge fits its box, lines 1.55 apart."""
    size = PLEDGE_SIZES[0]
    while size > PLEDGE_SIZES[1]:
        per_line = max(1, int(PLEDGE_W / size))
        if math.ceil(len(text) / per_line) * size * 1.55 <= PLEDGE_H:
            break
        size -= 0.25
    return round(size, 2)


def plan_model_posts(posts: tuple[ModelPost, ...] | None, config: SiteConfig) -> tuple[Printable, list] | None:
    if not posts:
        return None
    space = POST_NAME_SPACE - (POST_QR_SPACE if config.base_url else 0)
    cards = [PostCard(p, round(min(13.0, space / max(len(p.post), 1)), 2),
                      pledge_size(p.pledge) if p.pledge else 0) for p in posts]
    pdf = PdfFile("model-posts.pdf", CARD_W, CARD_H, len(cards), "A5 横向")
    context = {"title": "党员示范岗牌（A5 横向）", "cards": cards, "pdf": pdf, "photo_mm": POST_PHOTO_MM,
               "branch": config.organization or config.title,
               "page_width": CARD_W, "page_height": CARD_H, "zoom": screen_zoom(CARD_W, CARD_H),
               "paper_text": "A5 横向（210 × 148 毫米）"}
    printable = Printable(
        group="党员示范岗", title="党员示范岗牌", page="print/model-posts.html",
        size_text=f"A5 横向（{mm_text(CARD_W)} × {mm_text(CARD_H)} 毫米），每岗一张", pages=len(cards),
        files=(pdf,), send="", advice="用 A5 纸横向打印 model-posts.pdf，每岗一张，过塑后挂在岗位上",
        detail=f"{len(cards)} 个示范岗")
    return printable, [("print/model-posts.html", "print/model-posts.html", context)]


def printed_photos(board: Board, data: dict, images: dict) -> list[Printed]:
    """The photos the honor poster and the post cards print, with their
    slots, each at the data entry that names it (``images``: the data's
    image fields, (stem, path) -> board.data.ImageUse)."""
    found = []

    def add(stem: str, path: tuple, product: str, slot: tuple[float, float]) -> None:
        use = images.get((stem, path))
        if use is not None:
            found.append(Printed(use.image, product, slot, Shown(use.image, use.file, use.line, use.col)))

    honors = board.honors
    if honors is not None and honors.latest is not None:
        latest = honors.latest
        grid = poster_grid([len(g.awards) for g in latest.groups])
        slot = (grid.photo_width, grid.row_height - 6)  # the card's height inside its 3 mm padding
        for i, period in enumerate(data.get("honors") or ()):
            if (period["period"], period["date"]) == (latest.period, latest.date):
                for j, _award in enumerate(period["awards"]):
                    add("honors", (i, "awards", j, "photo"), "光荣榜海报", slot)
    for i, _post in enumerate(data.get("model_posts") or () if board.model_posts else ()):
        add("model_posts", (i, "photo"), "示范岗牌", POST_PHOTO_MM)
    return found
