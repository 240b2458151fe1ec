"""Size budgets of the example board's phone photos, and the promises that
go with them, on the repository's own board built as the other tests build
it (for 2026-11-25): the photos cost the output a small share of their
bytes, no published image carries EXIF or GPS, no source photo is
published, a photo held upright is published upright, the A3 honor-roll
poster's PDF is small, quick and made of print-sized pictures, and the
meeting-room screen loads little.

The example's photos are 4032x3024 phone JPEGs with EXIF orientation,
GPS and camera (made by tests/tools/phone_photos.py).  A source photo is
a file of a format phones and cameras write (SOURCE_SUFFIXES), chosen here
and not taken from the engine, so that a format the engine stopped
processing would still be looked for in the output.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import posixpath
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup
from PIL import Image

from branchboard.printing.pdf import pdf_jobs, render_pdf, written_print_pages
from conftest import BUILD_PY, PROJECT, find_chromium

SOURCE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif")
IMAGE_SUFFIXES = SOURCE_SUFFIXES + (".gif", ".svg")
MB = 1_000_000
PHOTO_SHARE = 0.15  # of the source photos' bytes the output may grow by
POSTER_MAX_BYTES = 10 * MB
# Wall time of the print command's step for the poster.  On the project's
# 2-core machines, shared and busy, it takes about half of this, most of it
# Chromium starting (a banner with no photo takes nearly as long); the other
# half is a generous margin for a busier machine.  The three photos cost a
# few tenths of a second in all; the originals in their place cost more
# than three times the budget (the commit that set it has the figures).
POSTER_MAX_SECONDS = 10.0
SCREEN_MAX_IMAGE_BYTES = 8 * MB
ORIENTATION, MAKE, MODEL, GPS_IFD = 0x0112, 0x010F, 0x0110, 0x8825
TURNED = {5, 6, 7, 8}  # orientations that store the picture on its side
DERIVED = re.compile(r"-(\d+)w\.[0-9a-f]{10}\.(jpg|png)$")  # photo-800w.3f2a9c1b7e.jpg


def source_photos(site: Path) -> dict[str, Path]:
    """Every source photo under content/ and data/, by its path in the site."""
    return {p.relative_to(site).as_posix(): p for folder in ("content", "data")
            for p in sorted((site / folder).rglob("*")) if p.is_file() and p.suffix.lower() in SOURCE_SUFFIXES}


def published_as(rel: str) -> str:
    """Where a source would be published: content/ is the output's root, data/ stays data/."""
    return rel.removeprefix("content/")


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_example(site: Path, out: Path) -> Path:
    proc = subprocess.run([sys.executable, str(BUILD_PY), "build", "--site", str(site), "--out", str(out),
                           "--now", "2026-11-25"], capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def one_pixel_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1, 1), (128, 128, 128)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture(scope="module")
def without_photos(tmp_path_factory) -> Path:
    """The example built with every source photo replaced by a one-pixel
    JPEG of the same name: the output of the site's own files."""
    site = tmp_path_factory.mktemp("without-photos") / "site"
    site.mkdir()
    shutil.copy(PROJECT / "site.yaml", site)
    for name in ("content", "data"):
        shutil.copytree(PROJECT / name, site / name)
    for path in source_photos(site).values():
        path.write_bytes(one_pixel_jpeg())
    return build_example(site, site / "public")


def test_the_example_has_phone_photos_with_exif_and_gps():
    """What the other tests stand on: the sources carry what a phone writes."""
    photos = source_photos(PROJECT)
    assert len(photos) >= 3, sorted(photos)
    exifs = [Image.open(p).getexif() for p in photos.values()]
    assert any(ex.get(ORIENTATION) in TURNED for ex in exifs)
    assert any(ex.get_ifd(GPS_IFD) and ex.get(MODEL) for ex in exifs)


def test_photos_add_at_most_15_percent_of_their_bytes_to_the_output(example, without_photos):
    """The whole output is at most the site's own bytes plus 15% of the
    source photos' bytes.  The site's own bytes are measured, not guessed
    from file names: the output of the same site built with every photo
    replaced by a one-pixel JPEG of the same name (its pages, styles, SVGs,
    and a few hundred bytes of one-pixel derived files, which makes the
    budget looser by that much).  Each photo's derived files (480, 800 and
    1600 px) come out of that 15%, and so would an original published by
    mistake: publish_originals: true breaks it at once."""
    originals = sum(p.stat().st_size for p in source_photos(PROJECT).values())
    total, own = folder_bytes(example), folder_bytes(without_photos)
    allowed = own + PHOTO_SHARE * originals
    assert total <= allowed, (f"output {total / MB:.2f} MB > site's own {own / MB:.2f} MB "
                              f"+ {PHOTO_SHARE:.0%} of {originals / MB:.2f} MB of photos; "
                              f"the photos cost {(total - own) / MB:.2f} MB ({(total - own) / originals:.1%})")


def test_no_published_image_carries_exif_gps_or_the_camera(example):
    cameras = {str(value).encode() for p in source_photos(PROJECT).values()
               for value in map(Image.open(p).getexif().get, (MAKE, MODEL)) if value}
    images = [p for p in sorted(example.rglob("*")) if p.suffix.lower() in SOURCE_SUFFIXES + (".gif",)]
    assert sum(1 for p in images if DERIVED.search(p.name)) >= 3 * len(source_photos(PROJECT))
    for path in images:
        rel = path.relative_to(example).as_posix()
        image = Image.open(path)
        assert not image.getexif(), rel
        assert not {"exif", "xmp", "XML:com.adobe.xmp", "comment"} & set(image.info), (rel, sorted(image.info))
        data = path.read_bytes()
        assert b"Exif\x00\x00" not in data, rel
        assert not [c for c in cameras if c in data], rel


def test_no_source_photo_is_published(example):
    """No output file has the bytes of a source photo, under any name."""
    sources = {sha256(p): rel for rel, p in source_photos(PROJECT).items()}
    published = {sha256(p): p.relative_to(example).as_posix() for p in example.rglob("*") if p.is_file()}
    assert {published[d]: sources[d] for d in published.keys() & sources.keys()} == {}
    for rel in sources.values():
        assert not (example / published_as(rel)).exists(), rel


def test_a_photo_held_upright_is_published_upright(example):
    turned = [rel for rel, p in source_photos(PROJECT).items() if Image.open(p).getexif().get(ORIENTATION) in TURNED]
    assert turned
    for rel in turned:
        stem = posixpath.splitext(published_as(rel))[0]
        made = [p for p in (example / posixpath.dirname(stem)).iterdir()
                if p.name.startswith(posixpath.basename(stem) + "-") and DERIVED.search(p.name)]
        assert len(made) >= 3, rel
        for path in made:
            width, height = Image.open(path).size
            assert height > width, (path.name, width, height)


# -- the A3 honor-roll poster ------------------------------------------------------------

@pytest.fixture(scope="module")
def poster(example, tmp_path_factory):
    """The honor roll's PDF rendered as `python build.py print` renders it
    (render_pdf, the print command's step for one product), in a copy of
    the example's output, and the wall time that took."""
    chromium = find_chromium()
    if chromium is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have Chromium: tests/install.sh installs it")
        pytest.skip("没有找到 Chromium（Debian: bash tests/install.sh），跳过 PDF 测试")
    out = tmp_path_factory.mktemp("poster") / "public"
    shutil.copytree(example, out)
    [job] = [j for j in pdf_jobs(written_print_pages(out), out) if j.target.name == "honors.pdf"]
    started = time.perf_counter()
    rendered = render_pdf(chromium, job)
    seconds = time.perf_counter() - started
    assert rendered.ok, rendered.problem
    return {"pdf": job.target, "seconds": seconds, "page": job.page}


def test_the_honor_roll_poster_is_under_10_mb(poster):
    size = poster["pdf"].stat().st_size
    assert size < POSTER_MAX_BYTES, f"{size / MB:.2f} MB"


def test_the_honor_roll_poster_renders_in_under_10_s(poster):
    assert poster["seconds"] < POSTER_MAX_SECONDS, f"{poster['seconds']:.1f} s"


def pdf_images(pdf: Path) -> list[tuple[int, int]]:
    """(width, height) in pixels of every image the PDF's pages draw, forms included."""
    pypdf = pytest.importorskip("pypdf")
    found, seen = [], set()

    def walk(resources) -> None:
        xobjects = resources.get_object().get("/XObject") if resources is not None else None
        for ref in (xobjects.get_object().values() if xobjects is not None else ()):
            key = getattr(ref, "idnum", None) or id(ref)
            if key in seen:
                continue
            seen.add(key)
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image":
                found.append((int(obj["/Width"]), int(obj["/Height"])))
            elif obj.get("/Subtype") == "/Form":
                walk(obj.get("/Resources"))

    for page in pypdf.PdfReader(pdf).pages:
        walk(page.get("/Resources"))
    return found


def test_the_poster_embeds_print_sized_pictures_not_the_originals(poster):
    """Each photo in the poster's PDF is the print-sized file: 300 dpi for
    the largest print slot, 44 x 58 mm (520 x 686 pixels), filled as CSS
    object-fit: cover fills it (a 4:3 landscape photo 915 wide), and never
    the phone's 4032x3024 picture."""
    page = BeautifulSoup(poster["page"].read_text(encoding="utf-8"), "html.parser")
    photos = [img for img in page.select("img.honor-photo") if not img["src"].endswith(".svg")]
    assert photos, "the poster shows no photo"
    originals = set()
    for p in source_photos(PROJECT).values():
        image = Image.open(p)
        originals |= {image.size, image.size[::-1]}
    images = pdf_images(poster["pdf"])
    assert len(images) >= len({img["src"] for img in photos}), images
    for width, height in images:
        assert (width, height) not in originals
        filled = max(520, math.ceil(686 * width / height))  # the slot, filled at this shape
        assert width <= filled + 1 and (width >= 519 or height >= 685), (width, height)


# -- the meeting-room screen -------------------------------------------------------------------

def screen_images(out: Path) -> list[list[Path]]:
    """Every image the screen page names, as the files it may load for it,
    largest first: an img's (or a picture's source's) srcset candidates or
    its src, and every url() in its inline styles and its stylesheets."""
    page = out / "screen" / "index.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")

    def local(base: Path, url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.scheme or not parts.path:
            return None  # a data: URL is part of the page's own bytes
        return (base.parent / unquote(parts.path)).resolve()

    def url_of_each(css: str) -> list[str]:
        return re.findall(r"url\(['\"]?([^'\")]+)", css)

    groups = []
    for img in soup.find_all(["img", "source"]):
        candidates = [c.split() for c in img.get("srcset", "").split(",") if c.strip()]
        candidates.sort(key=lambda c: float(c[1][:-1]) if len(c) > 1 else 1.0, reverse=True)  # 800w, 2x
        groups.append([local(page, c[0]) for c in candidates] + ([local(page, img["src"])] if img.get("src") else []))
    for el in soup.find_all(style=True):
        groups += [[local(page, u)] for u in url_of_each(el["style"])]
    for link in soup.find_all("link", rel="stylesheet"):
        css = local(page, link["href"])
        groups += [[local(css, u)] for u in url_of_each(css.read_text(encoding="utf-8"))]
    return [g for g in groups if g[0] is not None and g[0].suffix.lower() in IMAGE_SUFFIXES]


def largest_files(groups: list[list[Path]]) -> set[Path]:
    return {g[0] for g in groups}


def test_the_screen_page_loads_under_8_mb_of_images(example):
    """Counted from the page, not from one browser: every image the page
    names, each srcset by its largest file, so the sum holds for any screen
    (a 4K television at device pixel ratio 2 takes the 1600 px files; at
    3840x2160 and ratio 1 Chromium takes the 800 px cover, fewer bytes) and
    for every slide whichever is showing.  The next test checks in Chromium
    that this count misses nothing the browser fetches."""
    files = largest_files(screen_images(example))
    assert [f for f in files if f.suffix.lower() in SOURCE_SUFFIXES], "the screen shows no photo"
    missing = [f for f in files if not f.is_file()]
    assert missing == []
    total = sum(f.stat().st_size for f in files)
    assert total < SCREEN_MAX_IMAGE_BYTES, f"{total / MB:.2f} MB in {len(files)} files"


def test_chromium_at_3840x2160_fetches_no_image_the_count_misses(example, browser):
    context = browser.new_context(viewport={"width": 3840, "height": 2160}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    try:
        page = context.new_page()
        fetched = []
        page.on("requestfinished", lambda r: fetched.append(r.url) if r.resource_type == "image" else None)
        page.clock.install()
        page.goto((example / "screen" / "index.html").as_uri(), wait_until="load")
        page.clock.run_for(60_000)  # a few slides on
    finally:
        context.close()
    files = {Path(unquote(urlsplit(url).path)).resolve() for url in fetched}
    assert [f for f in files if f.suffix.lower() in SOURCE_SUFFIXES], fetched
    groups = screen_images(example)
    assert files - {f for g in groups for f in g} == set()  # each fetched file is one the page names
    fetched_bytes = sum(f.stat().st_size for f in files)
    assert fetched_bytes <= sum(f.stat().st_size for f in largest_files(groups))


def test_every_photo_on_a_3840x2160_screen_has_the_pixels_of_its_slot(example, browser):
    """Sized for the slot: on a 4K screen no photo is stretched (each file
    has at least as many pixels as the slot it fills, object-fit: cover)."""
    context = browser.new_context(viewport={"width": 3840, "height": 2160}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    shown = {}
    try:
        page = context.new_page()
        page.goto((example / "screen" / "index.html").as_uri(), wait_until="load")
        for _slide in range(16):
            page.wait_for_function("[...document.images].every(i => i.complete)")
            for found in page.evaluate("""() => [...document.images]
                    .filter(i => i.offsetWidth > 0 && !i.currentSrc.endsWith('.svg'))
                    .map(i => [i.currentSrc, i.naturalWidth, i.naturalHeight, i.clientWidth, i.clientHeight])"""):
                shown[found[0]] = found[1:]
            page.keyboard.press("ArrowRight")
    finally:
        context.close()
    assert shown, "no photo was shown on any slide"
    for src, (_width, _height, slot_width, slot_height) in shown.items():
        # the file's own pixels: naturalWidth is divided by the density the
        # srcset's sizes attribute implied, which is not the slot's size
        with Image.open(Path(unquote(urlsplit(src).path))) as im:
            width, height = im.size
        stretched = max(slot_width / width, slot_height / height)
        assert stretched <= 1.02, (src, (width, height), (slot_width, slot_height))
