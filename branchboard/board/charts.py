"""Inline SVG charts drawn at build time, so the board needs no script in the browser.

Every chart is an ``<svg role="img">`` with an ``aria-label`` and a ``<title>``,
and shows its figures as text next to the marks, so a reader without colour
vision or a screen reader loses nothing.  Every text put into the markup is
escaped here; the result is :class:`markupsafe.Markup` and goes into
templates as it is.
"""

from __future__ import annotations

import math
from decimal import ROUND_FLOOR, Decimal
from typing import NamedTuple

from markupsafe import Markup, escape

RED, DARK_RED, GOLD_LIGHT, INK, GRID = "#c8102e", "#9b0d22", "#f6e7c1", "#222222", "#d9d0c0"
# Dark enough on white to read as lines and labels (contrast 3:1 or more), red and gold first.
SERIES_COLOURS = ("#b71c1c", "#9a6b00", "#1f4e79", "#2e7d32", "#6a1b9a", "#5d4037", "#00695c", "#ad1457")
BANNER_COLOURS = {"红底黄字": (RED, "#ffd700"), "红底白字": (RED, "#ffffff"), "白底红字": ("#ffffff", RED)}
FONT_SIZE = 14
MOVE_COLOURS = {"↑": "#b71c1c", "↓": "#1f4e79", "新": "#9a6b00"}  # up in red, as the board's colours are


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """Rough width of a label: Chinese characters are square, others about half as wide."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.6 for ch in str(text))


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _svg(width: float, height: float, label: str, body: list[str], css_class: str = "chart",
         shown_width: float | None = None) -> Markup:
    """The outer element; drawn in ``width`` x ``height`` units, shown ``shown_width`` wide."""
    shown = shown_width or width
    head = (f'<svg class="{css_class}" xmlns="http://www.w3.org/2000/svg" role="img" '
            f'viewBox="0 0 {_num(width)} {_num(height)}" width="{_num(shown)}" '
            f'height="{_num(height * shown / width)}" '
            f'aria-label="{escape(label)}" font-size="{FONT_SIZE}">')
    return Markup("\n".join([head, f"<title>{escape(label)}</title>", *body, "</svg>"]))


class BarRow(NamedTuple):
    """One bar: its label and value, and for a ranking the rank and the move since last time."""

    label: str
    value: Decimal
    value_text: str
    rank: str = ""
    move: str = ""  # ↑2, ↓1, 持平, 新


NICE_STEPS = (Decimal("0.5"), 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)


def baseline(values: list[Decimal], top: Decimal) -> Decimal:
    """Where a ranking's bars start, so that close scores get visibly different
    bars: a round number below the lowest score by half the spread (the lowest
    bar is then about a third of the longest), or 0 when that is below half
    the top anyway (wide spreads read rightly from zero)."""
    top, low = Decimal(top), min(Decimal(v) for v in values)
    spread = max(top - low, Decimal(1))
    step = next((Decimal(s) for s in NICE_STEPS if Decimal(s) * 4 >= spread), Decimal(NICE_STEPS[-1]))
    base = ((low - spread / 2) / step).to_integral_value(ROUND_FLOOR) * step
    return Decimal(0) if base <= top / 2 else base


def bar_chart(title: str, bars: list[tuple], maximum: Decimal, width: float = 640,
              base: Decimal = Decimal(0)) -> Markup:
    """Horizontal bars, one per (label, value, value text[, rank, move]) (a
    BarRow), measured from ``base`` to ``maximum``.  A base above 0 is written
    under the bars' start and in the chart's label, so no one reads the bars
    as from zero; a ranking has its ranks before the labels and its moves
    after the values."""
    bars = [BarRow(*b) for b in bars]
    row, bar = 30, 18
    rank_width = max([text_width(b.rank) for b in bars] + [0]) + 10 if any(b.rank for b in bars) else 0
    label_width = rank_width + min(max([text_width(b.label) for b in bars] + [0]) + 12, 220)
    value_width = max([text_width(f"{b.value_text} {b.move}") for b in bars] + [0]) + 12
    track = width - label_width - value_width
    top = max([Decimal(maximum)] + [b.value for b in bars]) or Decimal(1)
    base = min(Decimal(base), top - 1) if base else Decimal(0)
    body = []
    for n, b in enumerate(bars):
        y = 8 + n * row
        length = float(max(b.value - base, Decimal(0)) / (top - base)) * track
        rank = (f'<text class="bar-rank" x="{_num(rank_width - 10)}" y="{_num(y + bar - 4)}" text-anchor="end" '
                f'font-weight="bold" fill="{DARK_RED}">{escape(b.rank)}</text>') if b.rank else ""
        move = (f'<tspan class="bar-move" dx="6" font-weight="bold" fill="{MOVE_COLOURS.get(b.move[:1], INK)}">'
                f'{escape(b.move)}</tspan>') if b.move else ""
        said = "".join(f"，{part}" for part in (f"第 {b.rank} 名" if b.rank else "", b.move) if part)
        body.append(
            f'<g><title>{escape(b.label)}：{escape(b.value_text)}{escape(said)}</title>{rank}'
            f'<text x="{_num(label_width - 8)}" y="{_num(y + bar - 4)}" text-anchor="end" fill="{INK}">'
            f'{escape(b.label)}</text>'
            f'<rect x="{_num(label_width)}" y="{y}" width="{_num(track)}" height="{bar}" fill="{GOLD_LIGHT}"/>'
            f'<rect class="bar" x="{_num(label_width)}" y="{y}" width="{_num(length)}" height="{bar}" fill="{RED}"/>'
            f'<text x="{_num(label_width + length + 6)}" y="{_num(y + bar - 4)}" fill="{INK}">'
            f'{escape(b.value_text)}{move}</text></g>')
    height = 16 + len(bars) * row
    if base:
        body.append(f'<text class="bar-base" x="{_num(label_width)}" y="{_num(height + 6)}" fill="{INK}" '
                    f'font-size="12">条形从 {escape(_num(float(base)))} 分起，不从 0 起</text>')
        height += 16
        title = f"{title}（条形从 {_num(float(base))} 分起）"
    return _svg(width, height, title, body)


def nice_range(values: list[float], ticks: int = 5) -> tuple[float, float, float]:
    """(low, high, step) with a round step such that about ``ticks`` lines cover the values."""
    low, high = min(values), max(values)
    for step in (0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000):
        bottom, top = math.floor(low / step) * step, math.ceil(high / step) * step
        if top == bottom:
            top += step
        if (top - bottom) / step <= ticks - 1:
            return bottom, top, step
    return low, high + 1, (high + 1 - low) / (ticks - 1)


def _spread(ys: list[float], gap: float, lowest: float) -> list[float]:
    """Move end labels apart so that close scores do not print on top of each other,
    keeping them above ``lowest`` (where the x labels begin)."""
    order = sorted(range(len(ys)), key=lambda i: ys[i])
    placed = list(ys)
    for before, after in zip(order, order[1:]):
        placed[after] = max(placed[after], placed[before] + gap)
    limit = lowest
    for i in reversed(order):
        placed[i] = limit = min(placed[i], limit)
        limit -= gap
    return placed


def line_chart(title: str, x_labels: list[str], series: list[tuple[str, list]],
               width: float = 640, height: float = 300) -> Markup:
    """One line per (name, values) across the x labels; a None value leaves a gap."""
    values = [float(v) for _, vs in series for v in vs if v is not None] or [0.0]
    low, high, step = nice_range(values)
    name_width = max([text_width(name) for name, _ in series] + [0]) + 16
    left, right, top, bottom = 48, width - name_width, 12, height - 36
    span = max(len(x_labels) - 1, 1)

    def x(i):
        return left + (right - left) * i / span

    def y(v):
        return bottom - (bottom - top) * (float(v) - low) / (high - low)

    body = []
    for n in range(round((high - low) / step) + 1):
        tick = low + n * step
        body.append(f'<line x1="{left}" x2="{_num(right)}" y1="{_num(y(tick))}" y2="{_num(y(tick))}" '
                    f'stroke="{GRID}"/><text x="{left - 6}" y="{_num(y(tick) + 5)}" text-anchor="end" '
                    f'fill="{INK}">{_num(tick)}</text>')
    body += [f'<text x="{_num(x(i))}" y="{_num(height - 12)}" text-anchor="middle" fill="{INK}">'
             f'{escape(label)}</text>' for i, label in enumerate(x_labels)]
    ends = []
    for n, (name, vs) in enumerate(series):
        colour = SERIES_COLOURS[n % len(SERIES_COLOURS)]
        points = [(x(i), y(v), v, x_labels[i]) for i, v in enumerate(vs) if v is not None]
        path = " ".join(f"{'M' if k == 0 else 'L'}{_num(px)},{_num(py)}" for k, (px, py, _, _) in enumerate(points))
        dots = "".join(f'<circle cx="{_num(px)}" cy="{_num(py)}" r="4" fill="{colour}"><title>{escape(name)} '
                       f'{escape(label)}：{escape(_num(float(v)))}</title></circle>' for px, py, v, label in points)
        body.append(f'<g><title>{escape(name)}</title><path d="{path}" fill="none" stroke="{colour}" '
                    f'stroke-width="2.5"/>{dots}</g>')
        if points:
            ends.append((name, colour, points[-1][1]))
    for (name, colour, _), label_y in zip(ends, _spread([end[2] for end in ends], FONT_SIZE + 2, bottom)):
        body.append(f'<text x="{_num(right + 8)}" y="{_num(label_y + 5)}" fill="{colour}">{escape(name)}</text>')
    return _svg(width, height, title, body)


def banner_preview(text: str, width_mm: int, height_mm: int, style: str) -> Markup:
    """The banner to scale, in its colours, with the text as large as fits."""
    background, ink = BANNER_COLOURS.get(style, BANNER_COLOURS["红底黄字"])
    size = min(height_mm * 0.7, width_mm * 0.92 / max(text_width(text, 1), 1))
    body = [f'<rect width="{width_mm}" height="{height_mm}" fill="{background}" stroke="{RED}" '
            f'stroke-width="{_num(height_mm * 0.02)}"/>',
            f'<text x="{_num(width_mm / 2)}" y="{_num(height_mm / 2)}" font-size="{_num(size)}" fill="{ink}" '
            f'text-anchor="middle" dominant-baseline="central" font-weight="bold">{escape(text)}</text>']
    # Drawn in millimetres, shown at a width a page can hold.
    return _svg(width_mm, height_mm, f"条幅预览：{text}（{style}）", body, "chart banner-preview", 600)
