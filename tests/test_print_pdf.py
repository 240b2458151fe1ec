"""The print command with the system Chromium: every PDF checked with pypdf and
looked at through pdftoppm, as a print shop would receive it."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import struct
import subprocess
import unicodedata
import zlib
from pathlib import Path

import pytest

from conftest import find_chromium, snapshot
from test_print import BANNERS, HONORS, MODEL_POSTS, PHOTO, SITE

from branchboard.build.pipeline import Options
from branchboard.printing.pdf import run_print
from branchboard.printing.sizes import CHROMIUM_MAX_MM, PANEL_OVERLAP_MM

pypdf = pytest.importorskip("pypdf")

RED, YELLOW, WHITE = (200, 16, 46), (255, 215, 0), (255, 255, 255)
# file: (pages, width mm, height mm), from the data in test_print.BANNERS
EXPECTED = {
    "banner-01.pdf": (1, 6000, 700), "banner-01-1to10.pdf": (1, 600, 70),
    "banner-02.pdf": (1, 3000, 500), "banner-02-tiles.pdf": (12, 210, 297),
    "banner-03.pdf": (1, 8000, 1000), "banner-03-1to10.pdf": (1, 800, 100),
    "banner-04-1to10.pdf": (1, 3000, 100),
    "honors.pdf": (1, 297, 420), "model-posts.pdf": (2, 210, 148),
}
SLOGANS = {"banner-01.pdf": "不忘初心　牢记使命", "banner-01-1to10.pdf": "不忘初心　牢记使命",
           "banner-02.pdf": "安全第一，预防为主！综合治理", "banner-03.pdf": "党员带头 争创一流",
           "banner-03-1to10.pdf": "党员带头 争创一流", "banner-04-1to10.pdf": "凝心聚力开新局　安全高效创佳绩"}


def need(tool: str | None, what: str):
    if tool is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must have {what}: tests/install.sh installs it")
        pytest.skip(f"没有找到 {what}（Debian: bash tests/install.sh），跳过 PDF 测试")
    return tool


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """The print command run once on a site with every kind of printable."""
    chromium = need(find_chromium(), "Chromium")
    root = tmp_path_factory.mktemp("print") / "site"
    files = {"site.yaml": SITE, "data/banners.yaml": BANNERS, "data/honors.yaml": HONORS,
             "data/model_posts.yaml": MODEL_POSTS, "data/photos/ma.svg": PHOTO, "data/photos/wang.svg": PHOTO}
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    before = snapshot(root)
    out, err = io.StringIO(), io.StringIO()
    code = run_print(Options(root, now=dt.datetime(2026, 11, 25)), chromium, out=out, err=err)
    assert code == 0, out.getvalue() + err.getvalue()
    return {"root": root, "before": before, "stdout": out.getvalue(), "folder": root / "public" / "print"}


def mm(points) -> float:
    return float(points) * 25.4 / 72


def sizes(path: Path) -> list[tuple[float, float]]:
    return [(mm(p.mediabox.width), mm(p.mediabox.height)) for p in pypdf.PdfReader(path).pages]


def text_of(path: Path) -> str:
    """The PDF's text layer; Chromium writes some characters as Kangxi radicals."""
    text = "".join(p.extract_text() for p in pypdf.PdfReader(path).pages)
    return "".join(unicodedata.normalize("NFKC", text).split())


def test_every_pdf_has_the_declared_pages_and_size(printed):
    for name, (pages, width, height) in EXPECTED.items():
        found = sizes(printed["folder"] / name)
        assert len(found) == pages, name
        for w, h in found:
            assert abs(w - width) <= 1 and abs(h - height) <= 1, (name, w, h)


def test_the_slogan_is_in_the_pdf_text(printed):
    for name, slogan in SLOGANS.items():
        text = text_of(printed["folder"] / name)
        wanted = unicodedata.normalize("NFKC", slogan)  # full-width marks come back half-width
        assert all(ch in text for ch in wanted if not ch.isspace()), (name, text)
    tiles = text_of(printed["folder"] / "banner-02-tiles.pdf")
    assert tiles.startswith("安1/12")  # each sheet: the character, then its assembly mark


def test_a_tiled_slogan_of_twelve_characters_and_two_marks_gives_twelve_sheets(printed):
    reader = pypdf.PdfReader(printed["folder"] / "banner-02-tiles.pdf")
    assert len(reader.pages) == 12
    chars = [unicodedata.normalize("NFKC", p.extract_text()).split()[0][0] for p in reader.pages]
    assert chars == list("安全第一预防为主综合治理")


def test_fonts_are_embedded(printed):
    for pdf in sorted(printed["folder"].glob("*.pdf")):
        for page in pypdf.PdfReader(pdf).pages:
            fonts = page["/Resources"].get_object().get("/Font", {})
            for ref in fonts.values():
                font = ref.get_object()
                if font["/Subtype"] == "/Type3":
                    continue
                for f in [font, *(d.get_object() for d in font.get("/DescendantFonts", []))]:
                    if "/FontDescriptor" in f:
                        descriptor = f["/FontDescriptor"].get_object()
                        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), (pdf.name, f)


def test_a_banner_over_5080_mm_gets_a_one_to_ten_copy(printed):
    [(w, h)] = sizes(printed["folder"] / "banner-03-1to10.pdf")
    assert abs(w - 800) <= 1 and abs(h - 100) <= 1
    assert not (printed["folder"] / "banner-02-1to10.pdf").exists()  # 3 m needs none


def test_a_banner_over_chromiums_limit_is_split_into_overlapping_panels(printed):
    panels = sizes(printed["folder"] / "banner-04-panels.pdf")
    assert len(panels) == 2
    assert all(w <= CHROMIUM_MAX_MM and abs(h - 1000) <= 1 for w, h in panels)
    covered = sum(w for w, _ in panels) - (len(panels) - 1) * PANEL_OVERLAP_MM
    assert covered >= 30_000 - 1
    assert not (printed["folder"] / "banner-04.pdf").exists()
    text = text_of(printed["folder"] / "banner-04-panels.pdf")
    assert "第1段/共2段" in text and "第2段/共2段" in text


def test_print_writes_nothing_outside_the_output_folder(printed):
    root = printed["root"]
    # .cache/ is the build's own cache, which every build keeps under the site
    after = {k: v for k, v in snapshot(root).items() if not k.startswith(("public/", ".cache/"))}
    assert after == printed["before"]
    left = [p.name for p in printed["folder"].iterdir() if p.name.startswith(".")]
    assert left == []
    assert sorted(p.name for p in printed["folder"].glob("*.pdf")) == sorted(
        [*EXPECTED, "banner-04-panels.pdf"])


def test_the_output_tells_which_pdfs_were_made(printed):
    out = printed["stdout"]
    assert "print/banner-01.pdf：1 页，6000.1 × 699.9 毫米" in out or "print/banner-01.pdf：1 页，6000.0 × 700.0 毫米" in out
    assert "PDF 生成完毕：10 个" in out


# -- what the banner looks like ----------------------------------------------------

def read_png(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and RGB rows of an 8-bit RGB PNG (what pdftoppm writes)."""
    data, pos, idat, header = path.read_bytes(), 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", data[pos + 8:pos + 8 + length])
        elif kind == b"IDAT":
            idat.append(data[pos + 8:pos + 8 + length])
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert (depth, colour, interlace) == (8, 2, 0), header
    raw, stride, rows, prev = zlib.decompress(b"".join(idat)), width * 3, [], bytearray(width * 3)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        if kind == 2:
            line = bytearray((v + u) & 255 for v, u in zip(line, prev))
        elif kind:
            for i in range(stride):
                a = line[i - 3] if i >= 3 else 0
                b, c = prev[i], prev[i - 3] if i >= 3 else 0
                if kind == 1:
                    line[i] = (line[i] + a) & 255
                elif kind == 3:
                    line[i] = (line[i] + ((a + b) >> 1)) & 255
                else:  # Paeth
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, rows


def render(pdf: Path, tmp_path: Path) -> tuple[int, int, list[bytes]]:
    pdftoppm = need(shutil.which("pdftoppm"), "pdftoppm (poppler-utils)")
    subprocess.run([pdftoppm, "-r", "20", "-png", "-singlefile", str(pdf), str(tmp_path / pdf.stem)],
                   check=True, timeout=120)
    return read_png(tmp_path / f"{pdf.stem}.png")


def near(pixel, colour, tolerance=40) -> bool:
    return sum(abs(a - b) for a, b in zip(pixel, colour)) <= tolerance


@pytest.mark.parametrize("name, width_mm, height_mm, background, ink", [
    ("banner-01.pdf", 6000, 700, RED, YELLOW),
    ("banner-02.pdf", 3000, 500, WHITE, RED),
])
def test_a_banner_is_a_balanced_slogan_on_its_colour_with_clean_edges(
        printed, tmp_path, name, width_mm, height_mm, background, ink):
    width, height, rows = render(printed["folder"] / name, tmp_path)
    px = width / width_mm  # pixels per mm

    def pixel(x, y):
        return rows[y][3 * x:3 * x + 3]

    inked = [(x, y) for y in range(height) for x in range(0, width)
             if near(pixel(x, y), ink, 90)]
    assert len(inked) > 0.05 * width * height  # the slogan is there, in its colour
    # edges: the outer strips (0.35 of the height at the ends, 0.1 above and below)
    # hold nothing but the background, so no character is cut by the page edge
    end, side = int(0.35 * height_mm * px), int(0.1 * height_mm * px)
    strips = [(x, y) for y in range(1, height - 1) for x in [*range(1, end), *range(width - end, width - 1)]]
    strips += [(x, y) for x in range(1, width - 1) for y in [*range(1, side), *range(height - side, height - 1)]]
    assert all(near(pixel(x, y), background) for x, y in strips)
    # balanced: the ink is centred on the page both ways
    xs, ys = [x for x, _ in inked], [y for _, y in inked]
    assert abs((min(xs) + max(xs)) / 2 - width / 2) < 0.01 * width
    assert abs((min(ys) + max(ys)) / 2 - height / 2) < 0.04 * height
    # and spread along it: the slogan takes most of the length
    assert max(xs) - min(xs) > 0.75 * width


def test_the_print_pages_pass_the_nu_html_checker(printed):
    vnu = Path(__file__).parent / "tools/node_modules/vnu-jar/build/dist/vnu.jar"
    if not vnu.is_file() or not shutil.which("java"):
        pytest.skip("Nu HTML Checker 未安装（bash tests/install.sh 会安装）")
    pages = sorted(str(p) for p in printed["folder"].glob("*.html"))
    proc = subprocess.run(["java", "-jar", str(vnu), "--errors-only", *pages],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[:3000]


def test_axe_finds_no_serious_violation_on_the_print_pages(printed, page):
    axe = Path(__file__).parent / "tools/node_modules/axe-core/axe.min.js"
    if not axe.is_file():
        pytest.skip("axe-core 未安装（bash tests/install.sh 会安装）")
    found = {}
    for name in ("index.html", "banner-01.html", "banner-02-tiles.html", "honors.html", "model-posts.html"):
        page.goto((printed["folder"] / name).as_uri())
        page.add_script_tag(path=str(axe))
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        found[name] = [f"{v['id']} ({v['impact']}): {v['help']}" for v in result["violations"]
                       if v["impact"] in ("critical", "serious")]
    assert {k: v for k, v in found.items() if v} == {}
