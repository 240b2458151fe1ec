"""One source image in, the files a page shows of it out: pure functions.

A photo is turned upright (its EXIF orientation applied, then dropped), its
colours converted to sRGB, and it is scaled down to each width its use asks
for, never up.  What is written carries no EXIF, GPS, maker notes, XMP,
comments or colour profile.  A photo becomes a progressive JPEG; an image
with transparency or few colours stays a PNG.  HEIC/HEIF (an iPhone's
photos) is read with pillow-heif and published as JPEG.  Big JPEGs are decoded at a
reduced scale when the widest target allows it (``Image.draft``).
"""

from __future__ import annotations

import hashlib
import io
from typing import NamedTuple

import PIL
from PIL import Image, ImageOps

PROCESSED = (".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif")  # SVG and GIF are published as they are
JPEG_QUALITY = 82
FEW_COLOURS = 256  # a PNG with at most this many colours is a drawing, not a photo
_ORIENTATION = 0x0112
_SWAPS_SIDES = {5, 6, 7, 8}  # orientations that turn the picture a quarter



def _heif_version() -> str:
    try:
        from importlib.metadata import version

        return version("pillow-heif")
    except Exception:  # not installed: HEIC images are an error naming it
        return "none"


# what decides the bytes made (with the source's bytes and the widths): a
# change here, in Pillow or in pillow-heif makes every derived file again
PARAMS = (f"derive 1; jpeg q{JPEG_QUALITY} progressive optimized; png optimized; Pillow {PIL.__version__}; "
          f"pillow-heif {_heif_version()}")


class Use(NamedTuple):
    """A named way pages show an image: the widths made of it, in pixels."""

    name: str
    widths: tuple[int, ...]


USES = {
    "thumb": Use("thumb", (480,)),  # a listing's or the home page's card
    "body": Use("body", (800, 1600)),  # in an article, and its cover there (srcset)
}


class Derived(NamedTuple):
    """One file made of a source image."""

    width: int
    height: int
    suffix: str  # ".jpg" or ".png"
    data: bytes

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


class PhotoError(Exception):
    """The source is not an image Pillow can read (message in Chinese)."""


def is_processed(rel: str) -> bool:
    return rel.lower().endswith(PROCESSED)


def widths_for(source_width: int, wanted: tuple[int, ...]) -> tuple[int, ...]:
    """The widths to make of an image this wide: never wider than it is."""
    return tuple(sorted({min(w, source_width) for w in wanted}))


def derive(data: bytes, uses: list[Use]) -> dict[str, list[Derived]]:
    """Every use's files of one source image (its bytes), narrowest first."""
    try:
        image = _open_upright(data, max(w for use in uses for w in use.widths))
        keeps_png = _keeps_png(image)
        image = _in_srgb(image, keeps_png)
    except Image.DecompressionBombError:
        raise PhotoError(f"图片的像素多得不正常（超过 {2 * Image.MAX_IMAGE_PIXELS // 10000} 万像素），"
                         "可能是损坏或伪造的文件，为了安全没有处理；请换一张正常的照片") from None
    except (OSError, ValueError, SyntaxError) as exc:
        raise PhotoError(f"图片打不开：{exc}") from None
    made: dict[int, Derived] = {}
    result = {}
    for use in uses:
        result[use.name] = [made.get(w) or made.setdefault(w, _scaled(image, w, keeps_png))
                            for w in widths_for(image.width, use.widths)]
    return result


def _open_upright(data: bytes, widest: int) -> Image.Image:
    if data[4:8] == b"ftyp":  # HEIF's box: Pillow reads it only with pillow-heif's opener
        _open_heif()
    image = Image.open(io.BytesIO(data))
    if image.format == "JPEG":
        # decode at 1/2, 1/4 or 1/8 scale when that is still as wide as the
        # widest file wanted: a 12-megapixel photo costs a quarter or less
        turned = image.getexif().get(_ORIENTATION) in _SWAPS_SIDES
        width, height = image.size
        shown_width = height if turned else width
        if widest < shown_width:
            scale = widest / shown_width
            image.draft("RGB", (max(1, int(width * scale + 0.999)), max(1, int(height * scale + 0.999))))
    image.load()
    upright = ImageOps.exif_transpose(image)
    return upright if upright is not None else image


def _open_heif() -> None:
    """Let Pillow open HEIC/HEIF (pillow-heif applies the orientation as it reads)."""
    try:
        import pillow_heif
    except ImportError:
        raise PhotoError("这是 HEIC 格式的照片（苹果手机），需要先安装 pillow-heif：pip install pillow-heif") from None
    pillow_heif.register_heif_opener()


def _keeps_png(image: Image.Image) -> bool:
    """An image with transparency or few colours stays a PNG."""
    if image.format == "JPEG":
        return False
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        alpha = image.convert("RGBA").getchannel("A")
        if alpha.getextrema()[0] < 255:
            return True
    if image.format == "PNG":
        return image.mode in ("1", "P") or image.convert("RGB").getcolors(FEW_COLOURS) is not None
    return False


def _in_srgb(image: Image.Image, keeps_png: bool) -> Image.Image:
    """The pixels in sRGB, in the mode the file will be written in."""
    profile = image.info.get("icc_profile")
    mode = "RGBA" if keeps_png and _has_alpha(image) else "RGB"
    if profile:
        from PIL import ImageCms

        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            converted = ImageCms.profileToProfile(image.convert("RGBA" if mode == "RGBA" else "RGB"), source,
                                                  ImageCms.createProfile("sRGB"), outputMode=mode)
            if converted is not None:
                return converted
        except (ImageCms.PyCMSError, OSError):
            pass  # a broken profile: the pixels as they are
    return image.convert(mode) if image.mode != mode else image


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def _scaled(image: Image.Image, width: int, as_png: bool) -> Derived:
    if width < image.width:
        height = max(1, round(image.height * width / image.width))
        image = image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
    image.info = {}  # nothing of the source's metadata is written
    out = io.BytesIO()
    if as_png:
        image.save(out, "PNG", optimize=True)
        return Derived(image.width, image.height, ".png", out.getvalue())
    image.save(out, "JPEG", quality=JPEG_QUALITY, progressive=True, optimize=True)
    return Derived(image.width, image.height, ".jpg", out.getvalue())
