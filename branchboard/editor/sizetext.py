"""A size value (``600x70cm``) taken apart for the form's three boxes, and
put back together the way the file already writes sizes.

    parts(text)                Size(width, height, unit, preset) of a written size ("" where unknown)
    style_of(texts)            how the file writes sizes: the x it uses, a unit after both numbers or one
    written(size, style)       the text to save: "" when nothing is filled in

The build reads ``600x70cm``, ``6x0.7m``, ``600厘米×70厘米`` and a preset's
name alike; the secretary's file keeps whichever she used, so a size she
did not change is written back exactly as it was.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from branchboard.site.schema import SIZE_PATTERN

_SIZE = re.compile(SIZE_PATTERN)  # the build's own grammar of a size


class Size(NamedTuple):
    width: str  # as written: "600", "0.7"
    height: str
    unit: str  # "cm", "厘米", ...
    preset: str = ""  # a preset's name, when the value is one


class Style(NamedTuple):
    cross: str = "x"  # the letter between width and height
    both_units: bool = False  # 600cmx70cm rather than 600x70cm


def parts(text: str, presets: dict) -> Size:
    if text in presets:
        return Size("", "", "", text)
    found = _SIZE.match(_spaceless(text))
    if not found:
        return Size("", "", "")
    width, width_unit, _cross, height, height_unit = found.groups()
    return Size(width, height, height_unit)


def style_of(texts) -> Style:
    """The style of the first written size among ``texts`` (a value's own text first)."""
    for text in texts:
        found = _SIZE.match(_spaceless(text))
        if found:
            return Style(found.group(3), found.group(2) is not None)
    return Style()


def written(size: Size, style: Style) -> str:
    if size.preset:
        return size.preset
    if not size.width and not size.height:
        return ""
    unit = size.unit or "cm"
    first = size.width + (unit if style.both_units else "")
    return f"{first}{style.cross}{size.height}{unit}"


def _spaceless(text) -> str:
    """As the build reads a size: spaces do not count."""
    return str(text or "").replace(" ", "")
