"""Phone photos made with Pillow: plausible scenes of a coal-washing team
(a worker before a red banner, a conveyor gallery, a group photo under a
banner), written as a phone writes them: 4032x3024 JPEGs with sensor
noise, a camera's EXIF (make, model, date taken, GPS position) and, for a
photo held upright, the picture stored on its side with orientation 6 or 8.

The example board's photos were made with ``main()`` once and committed:

    python3 tests/tools/phone_photos.py            # writes them into the repository
    python3 tests/tools/phone_photos.py --out DIR  # or under DIR, same paths

Tests import it for sources with everything a phone leaves in a file:
``phone_jpeg(scene("portrait"), orientation=6)``.  The noise is seeded, so
a photo's pixels are the same on every run.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
from pathlib import Path
from typing import Callable, NamedTuple

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

SIZE = (4032, 3024)  # a 12-megapixel phone sensor, as stored
QUALITY = 92  # what phones write: 3 to 5 MB for a noisy 12-megapixel picture
NOISE = 4.5  # standard deviation of the sensor noise, in 8-bit levels

RED, YELLOW, WHITE = (200, 16, 46), (255, 215, 0), (250, 248, 240)
NAVY, SKIN, HAIR = (38, 52, 82), (214, 168, 132), (30, 26, 24)
FONT_FILES = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
              "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc",
              "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc")

# a coal washing plant in Shanxi, as a phone's GPS writes it (degrees, minutes, seconds)
PLANT = {"latitude": (37.0, 53.0, 20.4), "longitude": (112.0, 9.0, 48.6), "altitude": 1032.4}
CAMERA = {"make": "HUAWEI", "model": "NOH-AN00", "software": "NOH-AN00 4.0.0.168"}


# -- drawing helpers ----------------------------------------------------------------

def cjk_font(size: int) -> ImageFont.FreeTypeFont | None:
    """Noto Sans CJK SC Bold when installed (fonts-noto-cjk), else None."""
    for path in FONT_FILES:
        if not Path(path).is_file():
            continue
        for index in range(6):
            try:
                font = ImageFont.truetype(path, size, index=index)
            except OSError:
                break
            if font.getname()[0] == "Noto Sans CJK SC":
                return font
    return None


def text_centred(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], text: str, colour, size: int) -> None:
    """Text centred in a box; without a CJK font, a bar where each character would be."""
    left, top, right, bottom = box
    cx, cy = (left + right) // 2, (top + bottom) // 2
    font = cjk_font(size)
    while font is not None and size > 8 and font.getlength(text) > 0.92 * (right - left):
        size = int(size * 0.9)
        font = cjk_font(size)
    if font is not None:
        draw.text((cx, cy), text, fill=colour, font=font, anchor="mm")
        return
    size = min(size, int(0.92 * (right - left) / len(text) / 0.95))
    width = int(len(text) * size * 0.95)
    for i in range(len(text)):
        x = cx - width // 2 + int(i * size * 0.95)
        draw.rectangle((x + size // 8, cy - size // 3, x + size * 3 // 4, cy + size // 3), fill=colour)


def vertical_gradient(size: tuple[int, int], top, bottom) -> Image.Image:
    column = Image.linear_gradient("L").resize((1, size[1]))
    return Image.composite(Image.new("RGB", (1, size[1]), bottom), Image.new("RGB", (1, size[1]), top),
                           column).resize(size)


def banner(draw: ImageDraw.ImageDraw, box, lines: list[tuple[str, tuple, float]]) -> None:
    """A red cloth banner with a darker hem and one or more lines of text;
    each line is (text, colour, share of the banner's height)."""
    left, top, right, bottom = box
    draw.rectangle(box, fill=RED)
    hem = max(4, (bottom - top) // 30)
    draw.rectangle((left, top, right, top + hem), fill=(150, 10, 30))
    draw.rectangle((left, bottom - hem, right, bottom), fill=(150, 10, 30))
    y = top + hem
    inner = bottom - top - 2 * hem
    for text, colour, share in lines:
        h = int(inner * share)
        text_centred(draw, (left, y, right, y + h), text, colour, int(h * 0.62))
        y += h


def worker(draw: ImageDraw.ImageDraw, cx: int, top: int, scale: float, *, helmet=YELLOW, uniform=NAVY,
           badge: bool = True, full: bool = False, seed: int = 0) -> None:
    """A person in a work jacket, in a hard hat (``helmet`` a colour) or
    bareheaded (``helmet=None``), head and shoulders or the whole figure
    (``full``): ``top`` is the top of the head, ``scale`` the head's width."""
    rng = random.Random(seed)
    s = scale
    shade = lambda colour, by: tuple(max(0, c - by) for c in colour)  # noqa: E731
    skin = shade(SKIN, rng.randint(-12, 18))
    head_w, head_h = s, s * 1.25
    head_top = top + s * 0.3
    shoulder_y = head_top + head_h * 1.05
    body_bottom = shoulder_y + s * (3.9 if full else 3.4)
    # legs, then the jacket over them
    if full:
        legs_top = body_bottom - s * 0.3
        for side in (-1, 1):
            x = cx + side * s * 0.42
            draw.rectangle((x - s * 0.34, legs_top, x + s * 0.34, legs_top + s * 3.7), fill=shade(uniform, 14))
            draw.rounded_rectangle((x - s * 0.4 + side * s * 0.08, legs_top + s * 3.6, x + s * 0.4 + side * s * 0.08,
                                    legs_top + s * 3.95), radius=int(s * 0.12), fill=(25, 22, 20))
    waist = s * (1.15 if full else 1.45)
    draw.polygon([(cx - s * 1.25, shoulder_y + s * 0.25), (cx + s * 1.25, shoulder_y + s * 0.25),
                  (cx + waist, body_bottom), (cx - waist, body_bottom)], fill=uniform)
    draw.ellipse((cx - s * 1.45, shoulder_y, cx + s * 1.45, shoulder_y + s * 1.0), fill=uniform)  # shoulders
    for side in (-1, 1):  # the arms hang beside the body
        x = cx + side * s * 1.28
        draw.rounded_rectangle((x - s * 0.36, shoulder_y + s * 0.2, x + s * 0.36, body_bottom - s * 0.15),
                               radius=int(s * 0.3), fill=shade(uniform, 10))
        if full:
            draw.ellipse((x - s * 0.25, body_bottom - s * 0.4, x + s * 0.25, body_bottom + s * 0.1), fill=skin)
    strip = shoulder_y + s * 1.55  # reflective strip across the chest and arms
    for x0, x1 in ((cx - s * 1.64, cx - s * 0.95), (cx - s * 0.9, cx + s * 0.9), (cx + s * 0.95, cx + s * 1.64)):
        draw.rectangle((x0, strip, x1, strip + s * 0.22), fill=(235, 150, 40))
        draw.rectangle((x0, strip + s * 0.07, x1, strip + s * 0.15), fill=(215, 215, 205))
    draw.polygon([(cx - s * 0.38, shoulder_y + s * 0.02), (cx + s * 0.38, shoulder_y + s * 0.02),
                  (cx, shoulder_y + s * 0.6)], fill=(228, 228, 222))  # the shirt's collar
    draw.line([(cx - s * 0.38, shoulder_y + s * 0.02), (cx, shoulder_y + s * 0.62),
               (cx + s * 0.38, shoulder_y + s * 0.02)], fill=shade(uniform, 25), width=max(2, int(s * 0.07)))
    draw.line([(cx, shoulder_y + s * 0.62), (cx, body_bottom)], fill=shade(uniform, 22), width=max(2, int(s * 0.03)))
    if badge:  # the party badge on the left breast
        bx, by = cx + s * 0.7, shoulder_y + s * 0.9
        draw.ellipse((bx - s * 0.13, by - s * 0.13, bx + s * 0.13, by + s * 0.13), fill=RED)
        draw.ellipse((bx - s * 0.055, by - s * 0.055, bx + s * 0.055, by + s * 0.055), fill=YELLOW)
    # neck, ears, head, face
    draw.rectangle((cx - s * 0.22, head_top + head_h * 0.8, cx + s * 0.22, shoulder_y + s * 0.2), fill=shade(skin, 25))
    for side in (-1, 1):
        ex = cx + side * head_w * 0.5
        draw.ellipse((ex - s * 0.07, head_top + head_h * 0.42, ex + s * 0.07, head_top + head_h * 0.62),
                     fill=shade(skin, 20))
    draw.ellipse((cx - head_w / 2, head_top, cx + head_w / 2, head_top + head_h), fill=skin)
    eye_y = head_top + head_h * 0.52
    for side in (-1, 1):
        ex = cx + side * head_w * 0.19
        draw.ellipse((ex - s * 0.06, eye_y - s * 0.035, ex + s * 0.06, eye_y + s * 0.035), fill=HAIR)
        draw.line([(ex - s * 0.1, eye_y - s * 0.11), (ex + s * 0.1, eye_y - s * 0.12)], fill=HAIR,
                  width=max(2, int(s * 0.04)))
    draw.line([(cx, eye_y + s * 0.05), (cx - s * 0.04, eye_y + s * 0.24)], fill=shade(skin, 35),
              width=max(2, int(s * 0.03)))
    smile = rng.uniform(0.02, 0.06) * s
    draw.arc((cx - s * 0.16, eye_y + s * 0.26 - smile, cx + s * 0.16, eye_y + s * 0.38 + smile), 20, 160,
             fill=(150, 70, 70), width=max(2, int(s * 0.035)))
    if helmet is None:  # hair: a cap of it over the forehead and down the sides
        hair = shade(HAIR, -rng.randint(0, 20))
        draw.chord((cx - head_w * 0.54, head_top - s * 0.08, cx + head_w * 0.54, head_top + head_h * 0.7),
                   180, 360, fill=hair)
        draw.rectangle((cx - head_w * 0.54, head_top + head_h * 0.3, cx - head_w * 0.44, head_top + head_h * 0.45),
                       fill=hair)
        draw.rectangle((cx + head_w * 0.44, head_top + head_h * 0.3, cx + head_w * 0.54, head_top + head_h * 0.45),
                       fill=hair)
        return
    # hard hat: dome, ridge and brim
    hat_top, brim_y = top, head_top + head_h * 0.3
    draw.chord((cx - s * 0.62, hat_top, cx + s * 0.62, brim_y + (brim_y - hat_top)), 180, 360, fill=helmet)
    draw.line([(cx, hat_top + s * 0.02), (cx, brim_y - s * 0.04)], fill=shade(helmet, 45), width=max(2, int(s * 0.08)))
    draw.rounded_rectangle((cx - s * 0.72, brim_y - s * 0.04, cx + s * 0.72, brim_y + s * 0.1),
                           radius=int(s * 0.05), fill=shade(helmet, 30))


def vignette(image: Image.Image, strength: float = 0.35) -> Image.Image:
    """Corners darker than the middle, as a phone's small lens leaves them."""
    mask = Image.radial_gradient("L").resize(image.size, Image.Resampling.BILINEAR)
    mask = mask.point(lambda v: int(255 * strength * max(0.0, (v - 90) / 165) ** 1.6))
    return Image.composite(Image.new("RGB", image.size, (0, 0, 0)), image, mask)


# -- the scenes, drawn upright ----------------------------------------------------------

def portrait(banner_lines: list[str], helmet=YELLOW, seed: int = 1) -> Image.Image:
    """A worker at the plant, head and shoulders, before a red banner: held upright (3024x4032)."""
    w, h = SIZE[1], SIZE[0]
    image = vertical_gradient((w, h), (120, 132, 128), (70, 76, 74))
    draw = ImageDraw.Draw(image)
    for x in (w * 0.08, w * 0.9):  # steel columns of the hall
        draw.rectangle((x - 70, 0, x + 70, h), fill=(58, 64, 70))
        draw.rectangle((x - 70, 0, x - 40, h), fill=(80, 88, 94))
    draw.polygon([(0, h * 0.52), (w, h * 0.38), (w, h * 0.43), (0, h * 0.58)], fill=(52, 56, 58))  # a gallery
    for i in range(9):  # the gallery's windows
        x = i * w / 8
        y = h * 0.52 - (h * 0.14) * x / w
        draw.rectangle((x + 30, y - h * 0.09, x + w / 8 - 40, y - h * 0.02), fill=(205, 215, 222))
    banner(draw, (int(w * 0.05), int(h * 0.05), int(w * 0.95), int(h * 0.25)),
           [(banner_lines[0], YELLOW, 0.6), (banner_lines[1], WHITE, 0.4)])
    worker(draw, w // 2, int(h * 0.36), w * 0.22, helmet=helmet, seed=seed)
    return vignette(image.filter(ImageFilter.GaussianBlur(2.2)))


def conveyor(seed: int = 2) -> Image.Image:
    """A belt conveyor's gallery in perspective, coal on the belt, a worker on the walkway."""
    w, h = SIZE
    rng = random.Random(seed)
    image = vertical_gradient((w, h), (96, 102, 104), (46, 48, 50))
    draw = ImageDraw.Draw(image)
    vx, vy = w * 0.62, h * 0.42  # vanishing point
    draw.polygon([(0, h), (w, h), (vx + 60, vy), (vx - 60, vy)], fill=(84, 82, 78))  # floor
    for i in range(1, 14):  # ceiling lights towards the far end
        t = 1 - 0.82 ** i
        x, y = w * 0.35 + (vx - w * 0.35) * t, 0 + vy * t * 0.9
        r = 110 * (1 - t) + 8
        draw.ellipse((x - r * 2, y - r * 0.5, x + r * 2, y + r * 0.5), fill=(245, 240, 215))
    belt = [(w * 0.42, h), (w * 1.02, h), (vx + 40, vy + 8), (vx - 25, vy + 8)]

    def on_belt(t: float, across: float) -> tuple[float, float]:
        """A point on the belt: ``t`` 0 near to 1 far, ``across`` 0 left edge to 1 right edge."""
        left = belt[0][0] + (belt[3][0] - belt[0][0]) * t
        right = belt[1][0] + (belt[2][0] - belt[1][0]) * t
        return left + (right - left) * across, h + (vy + 8 - h) * t

    for i in range(1, 18):  # the idlers' stands under the belt's edges
        t = 1 - 0.86 ** i
        for across in (0.0, 1.0):
            x, y = on_belt(t, across)
            draw.rectangle((x - 30 * (1 - t) - 2, y, x + 30 * (1 - t) + 2, y + 260 * (1 - t) + 4), fill=(70, 72, 74))
    draw.polygon(belt, fill=(30, 30, 32))
    draw.polygon([on_belt(0, 0.04), on_belt(0, 0.12), on_belt(1, 0.12), on_belt(1, 0.04)], fill=(52, 52, 54))
    draw.polygon([on_belt(0, 0.88), on_belt(0, 0.96), on_belt(1, 0.96), on_belt(1, 0.88)], fill=(52, 52, 54))
    draw.polygon([on_belt(0, 0.2), on_belt(0, 0.8), on_belt(1, 0.6), on_belt(1, 0.4)], fill=(20, 20, 21))
    for i in range(900):  # lumps of coal, glinting where the light falls on them
        t = 1 - rng.random() ** 0.5
        x, y = on_belt(t, rng.gauss(0.5, 0.12))
        r = (1 - t) * rng.uniform(25, 90) + 3
        grey = rng.randint(14, 40)
        draw.polygon([(x + r * dx * rng.uniform(0.7, 1.2), y + r * dy * 0.55 * rng.uniform(0.7, 1.2))
                      for dx, dy in ((-1, 0), (-0.5, -0.9), (0.4, -1), (1, -0.1), (0.5, 0.7), (-0.6, 0.6))],
                     fill=(grey, grey, grey + 2))
        if rng.random() < 0.5:
            draw.line([(x - r * 0.4, y - r * 0.35), (x + r * 0.2, y - r * 0.45)], fill=(grey + 60,) * 3,
                      width=max(1, int(r * 0.12)))
    rail = [(0, h * 0.62), (vx - 120, vy - 40)]  # yellow railing of the walkway
    for k, dy in enumerate((0, 160)):
        draw.line([(x, y + dy * (1 - (x / vx) * 0.9)) for x, y in rail], fill=(230, 185, 30), width=34 - 12 * k)
    for i in range(8):
        t = 1 - 0.8 ** i
        x = rail[0][0] + (rail[1][0] - rail[0][0]) * t
        y = rail[0][1] + (rail[1][1] - rail[0][1]) * t
        draw.line([(x, y), (x, y + 420 * (1 - t) + 30)], fill=(220, 175, 25), width=max(4, int(30 * (1 - t))))
    banner(draw, (int(w * 0.22), int(h * 0.06), int(w * 0.68), int(h * 0.17)),
           [("安全第一　预防为主", YELLOW, 1.0)])
    # the worker stands left of the middle: a 3:4 crop of the middle still holds all of him
    worker(draw, int(w * 0.37), int(h * 0.3), w * 0.055, helmet=YELLOW, full=True, seed=seed)
    return vignette(image.filter(ImageFilter.GaussianBlur(2.0)))


def group(seed: int = 3) -> Image.Image:
    """Branch members in two rows in a meeting room, a banner over them."""
    w, h = SIZE
    rng = random.Random(seed)
    image = vertical_gradient((w, h), (226, 218, 200), (180, 170, 150))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, h * 0.78, w, h), fill=(120, 92, 70))  # floor
    draw.rectangle((w * 0.06, h * 0.05, w * 0.94, h * 0.5), fill=(170, 20, 36))  # the red backdrop
    banner(draw, (int(w * 0.06), int(h * 0.07), int(w * 0.94), int(h * 0.22)),
           [("原煤洗选队党支部十一月主题党日活动", YELLOW, 1.0)])
    text_centred(draw, (int(w * 0.06), int(h * 0.26), int(w * 0.94), int(h * 0.36)), "不忘初心　牢记使命",
                 WHITE, int(h * 0.06))
    coats = [NAVY, (40, 40, 44), (70, 60, 52), (32, 62, 70), (54, 54, 62)]
    for row, (count, top, scale) in enumerate(((9, h * 0.38, w * 0.043), (8, h * 0.5, w * 0.048))):
        for i in range(count):
            cx = w * (0.1 + 0.8 * (i + 0.5 * (1 - row) + 0.25) / (count + 0.5))
            worker(draw, int(cx + rng.uniform(-20, 20)), int(top + rng.uniform(-25, 25)), scale,
                   helmet=None, uniform=rng.choice(coats), badge=rng.random() < 0.85, seed=seed * 100 + i)
    return vignette(image.filter(ImageFilter.GaussianBlur(1.8)), 0.3)


SCENES: dict[str, Callable[[], Image.Image]] = {
    "portrait": lambda: portrait(["党员示范岗", "重介洗选主洗岗"]),
    "conveyor": conveyor,
    "group": group,
}


# -- as a phone writes them ----------------------------------------------------------------

def sensor_noise(image: Image.Image, sigma: float = NOISE, seed: int = 0) -> Image.Image:
    """Grain like a small sensor's: luminance noise on every channel and a
    little colour noise on each, seeded (Python's random, not the C library's)."""
    rng = random.Random(seed)
    w, h = image.size

    def noise(amount: float) -> Image.Image:
        # the mean of two uniform images is near enough to a bell curve
        a = Image.frombytes("L", (w, h), rng.randbytes(w * h))
        b = Image.frombytes("L", (w, h), rng.randbytes(w * h))
        spread = amount / 52.0  # the mean of two uniforms in 0..255 has a deviation of about 52
        return ImageChops.add(a, b, scale=2.0).point(lambda v: max(0, min(255, round(128 + (v - 127.5) * spread))))

    luma = noise(sigma)
    channels = [ImageChops.add(ImageChops.add(c, luma, offset=-128), noise(sigma * 0.4), offset=-128)
                for c in image.convert("RGB").split()]
    return Image.merge("RGB", channels)


def phone_exif(orientation: int = 1, taken: str = "2026:10:30 10:12:05", gps: dict | None = PLANT,
               camera: dict = CAMERA) -> Image.Exif:
    """What a phone writes: orientation, make and model, the time taken, the position."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F], exif[0x0110], exif[0x0131] = camera["make"], camera["model"], camera["software"]
    exif[0x0132] = taken
    exif[0x8769] = {0x9003: taken, 0x9004: taken, 0x829A: (1, 120), 0x829D: (18, 10), 0x8827: 200,
                    0x920A: (5580, 1000)}  # exposure, f-number, ISO, focal length
    if gps:
        exif[0x8825] = {1: "N", 2: gps["latitude"], 3: "E", 4: gps["longitude"], 5: b"\x00",
                        6: gps["altitude"]}
    return exif


def stored(upright: Image.Image, orientation: int) -> Image.Image:
    """The pixels as the phone stores them for this EXIF orientation."""
    turn = {1: None, 3: Image.Transpose.ROTATE_180, 6: Image.Transpose.ROTATE_90, 8: Image.Transpose.ROTATE_270}
    return upright if turn[orientation] is None else upright.transpose(turn[orientation])


def phone_jpeg(upright: Image.Image, orientation: int = 1, seed: int = 0, quality: int = QUALITY,
               **exif) -> bytes:
    """The JPEG file a phone writes of a picture held ``upright``."""
    image = sensor_noise(stored(upright, orientation), seed=seed)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, exif=phone_exif(orientation, **exif), subsampling="4:2:0")
    return out.getvalue()


class ExamplePhoto(NamedTuple):
    path: str  # in the repository
    draw: Callable[[], Image.Image]
    orientation: int
    taken: str


EXAMPLE = (
    ExamplePhoto("data/photos/王建国.jpg", SCENES["portrait"], 6, "2026:10:30 10:12:05"),
    ExamplePhoto("data/photos/马国庆.jpg", lambda: portrait(["党员示范岗", "重介旋流器及脱介筛包机岗"],
                                                            helmet=(235, 235, 230), seed=4), 8,
                 "2026:10:29 14:40:31"),
    ExamplePhoto("data/photos/何玉兰.jpg", SCENES["conveyor"], 1, "2026:10:30 09:25:48"),
    ExamplePhoto("content/news/images/主题党日合影.jpg", SCENES["group"], 1, "2026:11:20 15:47:12"),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the example board's phone photos.")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[2],
                        help="folder the photos' paths are under (default: the repository)")
    args = parser.parse_args(argv)
    if cjk_font(10) is None:
        print("Noto Sans CJK SC not found (apt-get install fonts-noto-cjk): banners get bars, not text",
              file=sys.stderr)
    total = 0
    for seed, photo in enumerate(EXAMPLE, start=1):
        data = phone_jpeg(photo.draw(), photo.orientation, seed=seed, taken=photo.taken)
        target = args.out / photo.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        total += len(data)
        print(f"{photo.path}: {len(data) / 1e6:.2f} MB, orientation {photo.orientation}")
    print(f"{len(EXAMPLE)} photos, {total / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
