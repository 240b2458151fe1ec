"""QR codes of the pages, from site.yaml's base_url: every code found in a page
is read back into its modules and decoded by zxing-cpp (a decoder that has
nothing to do with segno, which drew it), and must give the page's address."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess

import pytest
from bs4 import BeautifulSoup

from branchboard.errors import Report
from branchboard.qr import normalise_base_url, page_address
from branchboard.site.config import load_config
from conftest import MINIMAL_SITE, article, find_chromium

zxingcpp = pytest.importorskip("zxingcpp")
Image = pytest.importorskip("PIL.Image")

BASE = "http://10.2.3.4/dangzhibu/"
NEWS = "news/安全生产月.html"  # a Chinese file name: its address is percent-encoded
NEWS_ADDRESS = BASE + "news/%E5%AE%89%E5%85%A8%E7%94%9F%E4%BA%A7%E6%9C%88.html"
NOTICE_ADDRESS = BASE + "notices/%E5%81%9C%E7%94%B5%20%E9%80%9A%E7%9F%A5.html"  # its space too
SCREEN = """\
screen:
  slides:
    - type: notices
    - type: articles
    - type: mailbox
    - type: model_posts
"""
MAILBOX = """\
- 日期: 2026-11-09
  主题: 工作服难以晾干
  状态: 已办结
  回复: 已配置烘干柜。
  回复日期: 2026-11-16
"""
MODEL_POSTS = """\
- 岗位: 重介洗选主洗岗
  带头人: 王建国
  班组: 甲班
  承诺: 当班悬浮液密度波动不超过正负0.01。
"""


def board_files(base_url: str | None) -> dict[str, str]:
    site = MINIMAL_SITE + (f"base_url: {base_url}\n" if base_url else "") + SCREEN
    return {"site.yaml": site,
            "content/news/安全生产月.md": article("安全生产月活动", "2026-11-20", summary="开展安全生产月。"),
            "content/notices/停电 通知.md": article("停电通知", "2026-11-21", pinned="true"),
            "data/mailbox.yaml": MAILBOX, "data/model_posts.yaml": MODEL_POSTS}


def modules(svg) -> list[list[bool]]:
    """The code's modules, read from the path segno draws: ``M x y`` and ``m dx dy``
    move, ``h n`` paints n dark modules of the row at y (a line half a module down)."""
    size = int(svg["viewbox"].split()[2])
    grid = [[False] * size for _ in range(size)]
    dark = svg.find("path", attrs={"stroke": True})
    x = y = 0.0
    for op, args in re.findall(r"([MmHh])([^MmHh]*)", dark["d"]):
        numbers = [float(n) for n in args.replace(",", " ").split()]
        if op == "M":
            x, y = numbers
        elif op == "m":
            x, y = x + numbers[0], y + numbers[1]
        else:
            length = numbers[0] if op == "h" else numbers[0] - x
            for column in range(int(x), int(x + length)):
                grid[int(y)][column] = True
            x += length
    return grid


def decode(svg) -> str:
    """The text a phone reads from the inline SVG: its modules drawn 8 pixels each, decoded."""
    grid = modules(svg)
    image = Image.new("L", (len(grid) * 8, len(grid) * 8), 255)
    for row, cells in enumerate(grid):
        for column, is_dark in enumerate(cells):
            if is_dark:
                image.paste(0, (column * 8, row * 8, column * 8 + 8, row * 8 + 8))
    found = zxingcpp.read_barcodes(image)
    assert len(found) == 1, "the code does not decode"
    return found[0].text


def codes(page: BeautifulSoup) -> list:
    return page.select("svg.qr-code")


def all_html(site) -> dict[str, BeautifulSoup]:
    return {p.relative_to(site.out).as_posix(): BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser")
            for p in site.out.rglob("*.html")}


def test_a_page_address_is_the_base_and_the_percent_encoded_path():
    assert page_address(BASE, NEWS) == NEWS_ADDRESS
    assert page_address(BASE, "notices/停电 通知.html") == NOTICE_ADDRESS
    assert page_address(BASE, "news/a#1?.html") == BASE + "news/a%231%3F.html"
    assert page_address(BASE, "news/100%.html") == BASE + "news/100%25.html"


@pytest.mark.parametrize("written, address", [
    ("http://10.2.3.4/dangzhibu", "http://10.2.3.4/dangzhibu/"),  # a folder: its pages are under it
    ("HTTPS://dj.example.com:8443", "https://dj.example.com:8443/"),
    ("http://10.2.3.4/党支部/", "http://10.2.3.4/%E5%85%9A%E6%94%AF%E9%83%A8/"),
])
def test_base_url_is_kept_as_a_folder_address(written, address):
    assert normalise_base_url(written) == address


@pytest.mark.parametrize("written, message", [
    ("10.2.3.4/dangzhibu/", "发布网址“10.2.3.4/dangzhibu/”要以 http:// 或 https:// 开头"),
    ("ftp://10.2.3.4/", "发布网址“ftp://10.2.3.4/”要以 http:// 或 https:// 开头"),
    ("http:///dangzhibu/", "发布网址“http:///dangzhibu/”里没有服务器地址"),
    ("http://10.2.3.4:80a/", "发布网址“http://10.2.3.4:80a/”的端口号不对"),
    ("http://10.2.3.4/d?x=1", "发布网址“http://10.2.3.4/d?x=1”不能带 ? 或 # 后面的部分"),
    ("'http://10.2.3.4/党 支部/'", "发布网址“http://10.2.3.4/党 支部/”里有空格"),
])
def test_a_base_url_that_is_no_http_address_is_an_error_at_its_line(tmp_path, written, message):
    (tmp_path / "site.yaml").write_text(f"title: 测试\n\n发布网址: {written}\n", encoding="utf-8")
    report = Report()
    assert load_config(tmp_path, report) is None
    assert [(p.location(), p.message) for p in report.sorted()] == [("site.yaml:3:1", message)]
    assert "http://10.2.3.4/dangzhibu/" in report.sorted()[0].hint


def test_screen_slides_carry_codes_that_open_their_pages(make_site):
    site = make_site(board_files(BASE))
    site.build()
    page = site.page("screen/index.html")
    found = {slide["data-kind"]: [decode(svg) for svg in codes(slide)] for slide in page.select("section.slide")}
    assert found == {"notices": [NOTICE_ADDRESS],
                     "articles": [NOTICE_ADDRESS, NEWS_ADDRESS],  # newest first
                     "mailbox": [BASE + "board/mailbox.html"],  # the letters have no pages of their own
                     "model_posts": [], "fallback": []}
    # each address is a page the build wrote, at the path the address names
    assert (site.out / NEWS).is_file() and (site.out / "notices/停电 通知.html").is_file()
    svg = codes(page)[0]
    assert svg["role"] == "img" and svg["aria-label"] == f"二维码：{NOTICE_ADDRESS}"


def test_the_post_cards_and_the_honor_poster_carry_codes_of_their_board_pages(make_site):
    honors = "- 期次: 2026年10月\n  日期: 2026-11-06\n  表彰:\n    - {称号: 革新能手, 姓名: 李红梅}\n"
    site = make_site({**board_files(BASE), "data/honors.yaml": honors})
    site.build()
    assert [decode(svg) for svg in codes(site.page("print/model-posts.html"))] == [BASE + "board/model-posts.html"]
    assert [decode(svg) for svg in codes(site.page("print/honors.html"))] == [BASE + "board/honors.html"]


def test_without_base_url_no_page_has_a_code_or_its_box(make_site):
    site = make_site(board_files(None))
    site.build()
    pages = all_html(site)
    assert {"screen/index.html", "print/model-posts.html", NEWS} <= pages.keys()
    assert {path: len(page.select("svg.qr-code, .qr, .print-qr")) for path, page in pages.items()
            if page.select("svg.qr-code, .qr, .print-qr")} == {}
    assert len(pages["screen/index.html"].select("section.slide-articles li.item")) == 2  # the slides are there


def test_changing_base_url_makes_the_pages_with_codes_again(make_site):
    site = make_site(board_files(BASE))
    site.build()
    before = {path: (site.out / path).read_bytes() for path in ("screen/index.html", "print/model-posts.html")}
    other = "https://dj.example.com/"
    site.write("site.yaml", board_files(other)["site.yaml"])
    site.build()  # incremental: the cache of the first build is there
    page = site.page("screen/index.html")
    assert [decode(svg) for svg in codes(page.select_one("section.slide-mailbox"))] == [other + "board/mailbox.html"]
    assert [decode(svg) for svg in codes(site.page("print/model-posts.html"))] == [other + "board/model-posts.html"]
    assert all((site.out / path).read_bytes() != data for path, data in before.items())
    site.write("site.yaml", board_files(None)["site.yaml"])
    site.build()
    assert codes(site.page("screen/index.html")) == [] and codes(site.page("print/model-posts.html")) == []


def test_the_printed_post_card_pdf_carries_a_code_a_phone_reads(tmp_path):
    """The print command's PDF, rendered by poppler as a scanner would see the
    paper, decodes to the model posts' page."""
    from branchboard.build.pipeline import Options
    from branchboard.printing.pdf import run_print
    from test_print_pdf import need

    import shutil

    chromium = need(find_chromium(), "Chromium")
    pdftoppm = need(shutil.which("pdftoppm"), "pdftoppm (poppler-utils)")
    root = tmp_path / "site"
    for rel, text in board_files(BASE).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    out = io.StringIO()
    assert run_print(Options(root, now=dt.datetime(2026, 11, 25)), chromium, out=out, err=out) == 0, out.getvalue()
    pdf = root / "public/print/model-posts.pdf"
    subprocess.run([pdftoppm, "-r", "150", "-png", "-singlefile", str(pdf), str(tmp_path / "card")],
                   capture_output=True, check=True, timeout=60)
    found = zxingcpp.read_barcodes(Image.open(tmp_path / "card.png"))
    assert [code.text for code in found] == [BASE + "board/model-posts.html"]
