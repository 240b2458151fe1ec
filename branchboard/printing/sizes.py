"""Paper, limits and the plain records the print pages and the print command share."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from branchboard.board.data import format_number

# Chromium refuses a page side over 65,535 pt (23,119 mm); a little is kept in hand.
CHROMIUM_MAX_MM = 23_100
# Acrobat and the viewers built on it refuse a page side over 200 in.
ACROBAT_MAX_MM = 5_080
PANEL_OVERLAP_MM = 50  # panels of an over-long banner overlap by this strip
PAPER = {"A5": (148, 210), "A4": (210, 297), "A3": (297, 420)}  # portrait, mm
SCREEN_MAX_PX = (1100, 2400)  # how large a print page is shown on screen
SCREEN_THUMB_PX = (300, 430)  # sheets of a set (tiles) side by side
PX_PER_MM = 96 / 25.4


@dataclass(frozen=True)
class PdfFile:
    """A PDF the print command writes beside its page."""

    name: str  # banner-01.pdf, in print/
    width_mm: float  # of each page
    height_mm: float
    pages: int
    label: str  # 原大, 1:10 缩样, A4 纵向, ...

    @property
    def size_text(self) -> str:
        return f"{mm_text(self.width_mm)} × {mm_text(self.height_mm)} 毫米"


@dataclass(frozen=True)
class Printable:
    """One line of the print index."""

    group: str  # the index heading it is listed under
    title: str
    page: str  # the print page, site-root-relative
    size_text: str
    pages: int
    files: tuple[PdfFile, ...]
    send: str  # the PDF to give the print shop; "" for an office printer
    advice: str
    detail: str = ""


def mm_text(value: float) -> str:
    """605.7, 6000 (one decimal at most)."""
    return format_number(Decimal(str(value)).quantize(Decimal("0.1"), ROUND_HALF_UP))


def metres(value_mm: float) -> str:
    return format_number((Decimal(str(value_mm)) / 1000).quantize(Decimal("0.01"), ROUND_HALF_UP))


def screen_zoom(width_mm: float, height_mm: float, largest: tuple[int, int] = SCREEN_MAX_PX) -> float:
    """The zoom that shows a page whole on screen (print is always at 100 %)."""
    max_w, max_h = largest
    return round(min(1.0, max_w / (width_mm * PX_PER_MM), max_h / (height_mm * PX_PER_MM)), 4)
