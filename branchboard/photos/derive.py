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
import math
from typing import NamedTuple

import PIL
from PIL import Image

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
PARAMS = (f"derive 3; jpeg q{JPEG_QUALITY} progressive optimized; png optimized; Pillow {PIL.__version__}; "
          f"pillow-heif {_heif_version()}")


class Use(NamedTuple):
    """A named way pages show an image: the boxes it fills, in pixels.

    A box ``(width, 0)`` is a width (a card, an article's column); a box
    ``(width, height)`` is a slot the image covers (CSS ``object-fit:
    cover``), so a photo wider than the slot's shape is made wider to fill
    its height.  One file is made per box, none wider than the photo."""

    name: str
    boxes: tuple[tuple[int, int], ...]


def _mm_at(dpi: int, mm: float) -> int:
    return math.ceil(mm / 25.4 * dpi)


PRINT_DPI = 300
# the largest photo slot of the print products, in mm: the model post card's
# photo (44 x 58, A5); the honor poster's is at most 40.5 x 54 (A3)
PRINT_SLOT_MM = (44, 58)

USES = {
    # a listing's or the home page's card (480 wide), which also fills the
    # screen's photo slot, 13 x 17.3 vmin: 281 x 374 at 3840 x 2160
    "thumb": Use("thumb", ((480, 374),)),
    # in an article, and its cover there (srcset); also a slide's cover on
    # the screen, 32 x 18 vmin: 692 x 389 at 3840 x 2160 (a portrait screen
    # shows it 100vw wide: 1600 is its srcset's widest, not a 2160 file more,
    # which would cost more than every other size of the photo together)
    "body": Use("body", ((800, 0), (1600, 0))),
    # the print products, at 300 dpi for their slot: no more pixels than a
    # printer can put on paper (a phone photo would be 2,400 dpi there)
    "print": Use("print", ((_mm_at(PRINT_DPI, PRINT_SLOT_MM[0]), _mm_at(PRINT_DPI, PRINT_SLOT_MM[1])),)),
}


def box_width(box: tuple[int, int], size: tuple[int, int]) -> int:
    """How wide an image of ``size`` is made to fill ``box`` (never wider than it is)."""
    width, height = box
    needed = max(width, math.ceil(height * size[0] / size[1])) if height else width
    return min(needed, size[0])


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
    """The source is not an image Pillow can read: what is wrong, in Chinese,
    to follow the image's name ("图片 a.jpg 打不开：…")."""


def is_processed(rel: str) -> bool:
    return rel.lower().endswith(PROCESSED)


SUFFIXES = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "HEIF": ".heic"}  # what the stage reads


def image_suffix(data: bytes) -> str | None:
    """The suffix an image is saved under if the photo stage reads it as a
    whole JPEG, PNG, WebP or HEIC picture (decoded, as a build would), else None."""
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image, _size, kind, _turn = _open(data, [])
            image.close()
    except Exception:  # Pillow (and pillow-heif) raise many kinds for what is not an image
        return None
    return SUFFIXES.get(kind)


def widths_for(size: tuple[int, int], use: Use) -> tuple[int, ...]:
    """The widths to make of an upright image of ``size`` for a use."""
    return tuple(sorted({box_width(box, size) for box in use.boxes}))


class Made(NamedTuple):
    """What derive made of one source image."""

    size: tuple[int, int]  # of the source, upright
    files: dict[str, list[Derived]]  # use name -> its files, narrowest first


def derive(data: bytes, uses: list[Use]) -> Made:
    """Every use's files of one source image (its bytes).

    The full-size picture is held once: each file is scaled from it (or
    from the next wider file) in the orientation it is stored in, and only
    the small result is turned upright and converted to sRGB, so a
    12-megapixel photo never has a second full-size copy in memory."""
    try:
        image, size, kind, turn = _open(data, uses)
        keeps_png = _keeps_png(image, kind)
        palette = keeps_png and image.mode in ("1", "P")  # a drawing in few colours: a palette PNG again
        profile = image.info.get("icc_profile")
        image = _resizable(_eight_bit(image), keeps_png)
    except Image.DecompressionBombError:
        raise PhotoError(f"的像素多得不正常（超过 {2 * Image.MAX_IMAGE_PIXELS // 10000} 万像素），"
                         "可能是损坏或伪造的文件，为了安全没有处理") from None
    except Image.UnidentifiedImageError:
        raise PhotoError("打不开：这不是图片文件（也许是网页、文档或别的文件改了扩展名）") from None
    except (OSError, ValueError, SyntaxError) as exc:
        if "truncated" in str(exc):
            raise PhotoError("打不开：文件不完整（可能没有复制完，或者传输时断了）") from None
        raise PhotoError(f"打不开：图片文件坏了（{exc}）") from None
    made: dict[int, Derived] = {}
    wanted = {w for use in uses for w in widths_for(size, use)}
    source = image
    # widest first, each from the one before: scaling 1600 to 800 costs a
    # sixth of scaling the photo itself, and looks the same.  Every use's
    # widths are in the chain, asked for or not, so a file's bytes never
    # depend on which others were made with it (a cache refilled in part
    # makes the same files as a cold build)
    chain = {w for use in (*USES.values(), *uses) for w in widths_for(size, use)}
    for width in sorted(chain, reverse=True):
        height = max(1, round(size[1] * width / size[0]))
        stored = (height, width) if turn in _SWAPS_SIDES else (width, height)
        if stored != source.size:
            source = source.resize(stored, Image.Resampling.LANCZOS, reducing_gap=3.0)
        shown = source.transpose(_TURNS[turn]) if turn in _TURNS else source
        if width in wanted:
            made[width] = _saved(_in_srgb(shown, keeps_png, profile), keeps_png, palette)
    return Made(size, {use.name: [made[w] for w in widths_for(size, use)] for use in uses})


# EXIF orientation -> how the stored picture is turned upright (as ImageOps.exif_transpose)
_TURNS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _open(data: bytes, uses: list[Use]) -> tuple[Image.Image, tuple[int, int], str, int]:
    """The image decoded as stored (at a reduced scale where the uses
    allow), its full size upright, its format (JPEG, PNG, ...) and its EXIF
    orientation."""
    if data[4:8] == b"ftyp":  # HEIF's box: Pillow reads it only with pillow-heif's opener
        _open_heif()
    image = Image.open(io.BytesIO(data))
    turn = image.getexif().get(_ORIENTATION, 1)
    width, height = image.size
    shown = (height, width) if turn in _SWAPS_SIDES else (width, height)
    if image.format == "JPEG":
        # decode at 1/2, 1/4 or 1/8 scale when that is still as wide as the
        # widest file wanted: a 12-megapixel photo costs a quarter or less
        widest = max(w for use in (*USES.values(), *uses) for w in widths_for(shown, use))  # as derive's chain
        if widest < shown[0]:
            scale = widest / shown[0]
            image.draft(image.mode, (max(1, math.ceil(width * scale)), max(1, math.ceil(height * scale))))
    image.load()
    # the size as taken, not as decoded: what a print needs is judged by it
    return image, shown, image.format, turn


def _open_heif() -> None:
    """Let Pillow open HEIC/HEIF (pillow-heif applies the orientation as it reads)."""
    try:
        import pillow_heif
    except ImportError:
        raise PhotoError("是 HEIC 格式的照片（苹果手机），需要先安装 pillow-heif：pip install pillow-heif") from None
    pillow_heif.register_heif_opener()


def _keeps_png(image: Image.Image, kind: str) -> bool:
    """An image with transparency or few colours stays a PNG."""
    if kind == "JPEG":
        return False
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        alpha = image.convert("RGBA").getchannel("A")
        if alpha.getextrema()[0] < 255:
            return True
    if kind == "PNG":
        return image.mode in ("1", "P") or _eight_bit(image).convert("RGB").getcolors(FEW_COLOURS) is not None
    return False


def _eight_bit(image: Image.Image) -> Image.Image:
    """A 16-bit (or 32-bit) grey image as 8 bits: Pillow's own conversion
    would clip every value above 255 to white."""
    if image.mode.startswith("I"):
        high = 65535 if image.mode.startswith("I;16") else max(image.getextrema()[1], 1)
        return image.convert("I").point(lambda v: v * (255 / high)).convert("L")
    if image.mode == "F":
        return image.point(lambda v: v * 255).convert("L")
    return image


def _in_srgb(image: Image.Image, keeps_png: bool, profile: bytes | None) -> Image.Image:
    """The pixels in sRGB (from the source's colour ``profile``), in the
    mode the file will be written in."""
    mode = "RGBA" if keeps_png and _has_alpha(image) else "RGB"
    if profile:
        from PIL import ImageCms

        # the pixels in the profile's own space: CMYK and grey converted by
        # it, not first by Pillow's naive formula
        pixels = image if mode == "RGB" and image.mode in ("CMYK", "L") else image.convert(mode)
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            converted = ImageCms.profileToProfile(pixels, source, ImageCms.createProfile("sRGB"), outputMode=mode)
            if converted is not None:
                return converted
        except (ImageCms.PyCMSError, OSError):
            pass  # a broken profile: the pixels as they are
    return image.convert(mode) if image.mode != mode else image


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def _resizable(image: Image.Image, keeps_png: bool) -> Image.Image:
    """The pixels in a mode Pillow scales with Lanczos (not a palette, not
    1-bit), transparency as an alpha channel (scaling keeps no colour key)."""
    if keeps_png and _has_alpha(image):
        return image if image.mode == "RGBA" else image.convert("RGBA")
    if image.mode in ("P", "PA", "1", "LA", "RGBA"):
        return image.convert("RGB")
    return image


def _saved(image: Image.Image, as_png: bool, palette: bool) -> Derived:
    """One file: nothing of the source's metadata is written."""
    image.info = {}
    out = io.BytesIO()
    if as_png:
        if palette:  # a quarter of the bytes for a logo or a chart
            image = image.quantize(FEW_COLOURS, Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        image.save(out, "PNG", optimize=True)
        return Derived(image.width, image.height, ".png", out.getvalue())
    image.save(out, "JPEG", quality=JPEG_QUALITY, progressive=True, optimize=True)
    return Derived(image.width, image.height, ".jpg", out.getvalue())
