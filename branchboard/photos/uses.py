"""The places that show an image, checked against what the photo stage
found: an image that cannot be read is an error at each line that names it
(an article's cover, a data entry's photo; an article's body reports its own
through the link check, build.bodies), and a photo with too few pixels for
the print slot it fills is a warning at its entry.  An image nothing names
that cannot be read is only a warning: it is not published at all.
"""

from __future__ import annotations

import math
import posixpath
from typing import NamedTuple

from branchboard.errors import Report
from branchboard.site.content import CONTENT_DIR

REEXPORT = "用手机或电脑重新导出这张图片（JPEG 或 PNG），再放回原处。"
SHARP_DPI = 150  # below this a printed photo looks soft at arm's length


class Shown(NamedTuple):
    """One place that names an image."""

    image: str  # the image's path in the output (content rel, or data/…)
    file: str  # the file that names it, as messages name it
    line: int | None
    col: int | None


class Printed(NamedTuple):
    """A photo on a print product, and the slot it fills there."""

    image: str
    product: str  # 光荣榜海报
    slot_mm: tuple[float, float]  # width, height
    place: Shown  # the entry that names it


def image_name(image: str) -> str:
    """An image's path as the secretary knows it (under content/ or data/)."""
    return image if image.startswith("data/") else f"{CONTENT_DIR}/{image}"


def broken_problem(image: str, reason: str) -> str:
    return f"图片 {image_name(image)} {reason}"


def check_broken(report: Report, photos, shown: list[Shown], named_elsewhere: set[str]) -> None:
    """Report the broken images at every place in ``shown``, and the unnamed
    broken ones at themselves (``named_elsewhere``: images an article's
    body names, reported there)."""
    named = set(named_elsewhere)
    for place in shown:
        named.add(place.image)
        if place.image in photos.broken:
            report.error(place.file, place.line, place.col, broken_problem(place.image, photos.broken[place.image]),
                         REEXPORT)
    for image, reason in sorted(photos.broken.items()):
        if image not in named:
            report.warning(image_name(image), None, None, f"{broken_problem(image, reason)}，没有发布",
                           f"{REEXPORT}不用这张图片就把它删掉。")


def check_print_sizes(report: Report, photos, printed: list[Printed]) -> None:
    """Warn at the entry of each printed photo too small for its slot."""
    for photo in printed:
        size = photos.sizes.get(photo.image)
        if size is None:
            continue
        needed = tuple(math.ceil(mm / 25.4 * SHARP_DPI) for mm in photo.slot_mm)
        # the slot is filled (object-fit: cover): the side that fills it decides
        scale = max(needed[0] / size[0], needed[1] / size[1])
        if scale > 1:
            dpi = int(SHARP_DPI / scale)
            place = photo.place
            report.warning(place.file, place.line, place.col,
                           f"照片分辨率太低，印在{photo.product}上会模糊：{image_name(photo.image)} 只有 "
                           f"{size[0]}×{size[1]} 像素，印出来约 {dpi} dpi",
                           f"换一张原图（至少 {needed[0]}×{needed[1]} 像素）：用手机原相机拍的照片，"
                           "不要用微信里转发过、被压缩的图片。")


def body_images(bodies: dict) -> set[str]:
    """The content rels an article's body names as images or links."""
    named = set()
    for rel, entry in bodies.items():
        for (target, _is_image), _answer in entry.body.links:
            named.add(posixpath.normpath(posixpath.join(posixpath.dirname(rel), target)))
    return named
