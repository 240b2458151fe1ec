"""Printable banners and posters: the fitting rule, the print pages, the index,
the secretary's mistakes and the print command without a browser."""

from __future__ import annotations

import datetime as dt
import io
import os
import re

import pytest

from branchboard.printing import fit as printfit
from branchboard.build.pipeline import Options
from branchboard.printing.fit import fit_slogan, needed_length, split_units, tile_characters
from branchboard.printing.pdf import find_browser, pdf_jobs, run_print

SITE = "title: 测试支部宣传栏\norganization: 测试党支部\n"

BANNERS = """\
- 内容: 不忘初心　牢记使命
  尺寸: 600x70cm
  样式: 红底黄字
- 内容: 安全第一，预防为主！综合治理
  尺寸: 300x50cm
  样式: 白底红字
  单字打印: A4
- 内容: 党员带头 争创一流
  尺寸: 8x1m
  样式: 红底白字
- 内容: 凝心聚力开新局　安全高效创佳绩
  尺寸: 30x1m
  样式: 红底黄字
- 内容: 去年的条幅
  尺寸: 宣传栏条幅
  开始: 2025-01-01
  结束: 2025-12-31
"""

HONORS = """\
- 期次: 2026年9月
  日期: 2026-10-08
  表彰:
    - {称号: 生产标兵, 姓名: 旧人}
- 期次: 2026年10月
  日期: 2026-11-06
  表彰:
    - 称号: 革新能手
      姓名: 马国庆
      班组: 检修班
      事迹: 改造分流箱。
      照片: photos/ma.svg
    - 称号: 高产班组
      班组: 甲班
      事迹: 入洗原煤7.6万吨。
    - 称号: 星级职工
      姓名: 何玉兰
      星级: 4
"""

MODEL_POSTS = """\
- 岗位: 重介洗选主洗岗
  带头人: 王建国
  班组: 甲班
  照片: photos/wang.svg
  承诺: 当班悬浮液密度波动不超过正负0.01。
  设岗日期: 2025-03-01
- 岗位: 浮选司机岗
  带头人: 李红梅
"""

PHOTO = ('<svg xmlns="http://www.w3.org/2000/svg" width="300" height="400" viewBox="0 0 300 400">'
         '<rect width="300" height="400" fill="#dbe9f6"/></svg>')


def print_site(make_site, banners: str = BANNERS, **more):
    files = {"site.yaml": SITE, "data/banners.yaml": banners, "data/honors.yaml": HONORS,
             "data/model_posts.yaml": MODEL_POSTS, "data/photos/ma.svg": PHOTO,
             "data/photos/wang.svg": PHOTO, **more}
    return make_site(files)


def page_size(soup) -> tuple[float, float]:
    """The @page size the print page declares, in mm."""
    css = "".join(s.get_text() for s in soup.find_all("style"))
    found = re.search(r"@page\s*{\s*size:\s*([\d.]+)mm\s+([\d.]+)mm;\s*margin:\s*0", css)
    assert found, css
    return float(found.group(1)), float(found.group(2))


# -- the fitting rule ------------------------------------------------------------------

def test_character_size_comes_from_the_height_when_the_banner_is_long_enough():
    fit = fit_slogan("不忘初心　牢记使命", 6000, 700)
    assert fit.em == pytest.approx(0.72 * 700)
    assert not fit.vertical
    # the space left over spreads the letters, up to 0.6 character apart
    assert printfit.MIN_TRACKING * fit.em < fit.tracking <= printfit.MAX_TRACKING * fit.em
    assert fit.span == pytest.approx(6000 - 2 * 0.4 * 700, abs=0.1)


def test_character_size_comes_from_the_length_when_the_slogan_is_long():
    fit = fit_slogan("安全第一　预防为主　综合治理", 10000, 900)
    usable = 10000 - 2 * 0.4 * 900
    # 12 characters, two phrase gaps of one character, 11 letter gaps of 0.12 character
    assert fit.em == pytest.approx(usable / (12 + 2 + 0.12 * 11), abs=0.01)
    assert fit.tracking == pytest.approx(0.12 * fit.em, abs=0.01)
    assert fit.span == pytest.approx(usable, abs=0.1)


def test_a_short_slogan_stays_in_the_middle_with_letters_at_most_six_tenths_apart():
    fit = fit_slogan("安全", 6000, 700)
    assert fit.em == pytest.approx(504)
    assert fit.tracking == pytest.approx(0.6 * 504, abs=0.01)
    assert fit.span == pytest.approx(504 * 2.6, abs=0.1)


def test_spaces_and_full_width_spaces_separate_phrases():
    phrases = split_units("党员带头 争创一流　岗位建功")
    assert [["".join(p.text for p in parts) for parts, _, _ in phrase] for phrase in phrases] == [
        list("党员带头"), list("争创一流"), list("岗位建功")]
    fit = fit_slogan("党员带头 争创一流　岗位建功", 6000, 700)
    gaps = [u.gap for u in fit.units]
    assert gaps[4] == gaps[8] == pytest.approx(fit.em + fit.tracking, abs=0.02)
    assert set(gaps[1:4] + gaps[5:8]) == {fit.tracking}


def test_punctuation_is_glued_to_a_character_and_never_starts_a_phrase():
    units = [u.text for u in fit_slogan("抓好冬季“四防”　，确保安全！", 6000, 700).units]
    assert units == ["抓", "好", "冬", "季", "“四", "防”，", "确", "保", "安", "全！"]
    assert not any(printfit.is_mark(u[0]) and u[0] not in printfit.OPENING for u in units)


def test_half_width_marks_and_latin_runs_have_their_own_widths():
    fit = fit_slogan("决胜2026，再创佳绩", 6000, 700)
    widths = {u.text: round(u.width / fit.em, 2) for u in fit.units}
    assert widths["2026，"] == pytest.approx(4 * 0.6 + 0.5)
    assert widths["决"] == 1.0


def test_a_banner_taller_than_wide_is_set_top_to_bottom():
    fit = fit_slogan("不忘初心", 800, 6000)
    assert fit.vertical and fit.em == pytest.approx(0.72 * 800)


def test_tiles_leave_out_spaces_and_punctuation():
    assert tile_characters("安全第一，预防为主！综合治理") == list("安全第一预防为主综合治理")
    assert tile_characters("抓好“四防”　确保") == list("抓好四防确保")


def test_the_needed_length_gives_characters_of_five_percent_of_the_height():
    fit = fit_slogan("安全生产人人有责" * 20, 6000, 700)
    assert fit.is_too_small
    need = needed_length(fit)
    assert need % 100 == 0
    longer = fit_slogan("安全生产人人有责" * 20, need, 700)
    assert not longer.is_too_small
    assert fit_slogan("安全生产人人有责" * 20, need - 100, 700).is_too_small


# -- the print pages ---------------------------------------------------------------

def test_each_banner_is_a_page_of_its_physical_size_in_its_style(make_site):
    site = print_site(make_site)
    site.build()
    page = site.page("print/banner-01.html")
    assert page.html["lang"] == "zh-CN"
    assert page_size(page) == (6000, 700)
    sheet = page.select_one(".sheet.banner")
    assert "banner-red-yellow" in sheet["class"]
    assert "".join(u.get_text() for u in sheet.select(".unit")) == "不忘初心牢记使命"
    slogan = sheet.select_one(".slogan")
    assert slogan["style"] == "font-size: 504.0mm"
    for unit in sheet.select(".unit"):  # every length in millimetres
        assert re.fullmatch(r"inline-size: [\d.]+mm; margin-inline-start: [\d.]+mm", unit["style"])
    assert page_size(site.page("print/banner-02.html")) == (3000, 500)
    assert "banner-white-red" in site.page("print/banner-02.html").select_one(".sheet")["class"]
    assert "banner-red-white" in site.page("print/banner-03.html").select_one(".sheet")["class"]
    # the style sheet has the colours, the heavy CJK faces and no margins
    css = (site.out / "static/print.css").read_text(encoding="utf-8")
    assert '"Noto Serif CJK SC", "Noto Sans CJK SC", "SimHei", "Microsoft YaHei", serif' in css
    assert "font-weight: 900" in css
    assert ".banner-red-white { background: var(--banner-red); color: #fff; }" in css


def test_an_expired_banner_is_not_printed(make_site):
    site = print_site(make_site)
    site.build()
    assert not (site.out / "print/banner-05.html").exists()
    assert "去年的条幅" not in site.page("print/index.html").get_text()


def test_banners_are_numbered_by_their_place_in_the_file(make_site):
    site = print_site(make_site, banners="""\
- 内容: 同一句
  尺寸: 3x0.5m
  开始: 2026年1月1日
- 内容: 同一句
  尺寸: 4x0.5m
  开始: 2026/12/01
- 内容: 去年的
  尺寸: 3x0.5m
  结束: 2025-12-31
- 内容: 第四条
  尺寸: 3x0.5m
""")
    site.build()
    assert page_size(site.page("print/banner-01.html")) == (3000, 500)
    assert page_size(site.page("print/banner-02.html")) == (4000, 500)
    assert not (site.out / "print/banner-03.html").exists()
    assert (site.out / "print/banner-04.html").is_file()
    groups = [h.get_text() for h in site.page("print/index.html").select(".print-index h2")]
    assert groups == ["正在悬挂的条幅", "即将悬挂的条幅", "光荣榜", "党员示范岗"]


def test_long_banners_get_a_scale_copy_and_over_long_ones_panels(make_site):
    site = print_site(make_site)
    site.build()
    assert page_size(site.page("print/banner-02.html")) == (3000, 500)
    assert not (site.out / "print/banner-02-1to10.html").exists()  # 3 m opens everywhere
    assert page_size(site.page("print/banner-03-1to10.html")) == (800, 100)
    small = site.page("print/banner-03-1to10.html").select_one(".slogan")
    assert small["style"] == "font-size: 72.0mm"  # a tenth of 720 mm
    panels = site.page("print/banner-04-panels.html")
    width, height = page_size(panels)
    sheets = panels.select(".sheet.panel")
    assert len(sheets) == 2 and height == 1000 and width <= 23_100
    assert 2 * width - 50 >= 30_000
    assert page_size(site.page("print/banner-04-1to10.html")) == (3000, 100)
    # the 30 m page itself cannot become a PDF: it names none
    assert not site.page("print/banner-04.html").html.has_attr("data-pdf")


def test_tiles_are_one_character_per_portrait_sheet_with_assembly_marks(make_site):
    site = print_site(make_site)
    site.build()
    page = site.page("print/banner-02-tiles.html")
    assert page_size(page) == (210, 297)
    sheets = page.select(".sheet.tile")
    assert [s.select_one(".tile-char").get_text() for s in sheets] == list("安全第一预防为主综合治理")
    assert [s.select_one(".tile-mark").contents[0] for s in sheets][:3] == ["1/12", "2/12", "3/12"]
    char = sheets[0].select_one(".tile-char")
    assert char["style"].startswith("font-size: 237.6mm")  # 80 % of 297 mm


def test_the_honor_roll_poster_shows_the_latest_period_grouped_by_title(make_site):
    site = print_site(make_site)
    site.build()
    page = site.page("print/honors.html")
    assert page_size(page) == (297, 420)
    poster = page.select_one(".poster")
    assert poster.select_one(".poster-title").get_text() == "光荣榜"
    assert "2026年10月" in poster.select_one(".poster-period").get_text()
    groups = {g.select_one(".honor-title").get_text(strip=True):
              [n.get_text() for n in g.select(".honor-name")] for g in poster.select(".honor-group")}
    assert groups == {"革新能手": ["马国庆"], "高产班组": ["甲班"], "星级职工": ["何玉兰"]}
    assert poster.select_one(".stars")["aria-label"] == "4 星"
    assert poster.select_one(".stars").get_text() == "★★★★☆"
    assert poster.select_one(".honor-photo")["src"] == "../data/photos/ma.svg"
    assert "旧人" not in poster.get_text()


def test_each_model_post_gets_an_a5_landscape_card(make_site):
    site = print_site(make_site)
    site.build()
    page = site.page("print/model-posts.html")
    assert page_size(page) == (210, 148)
    cards = page.select(".sheet.post-card")
    assert [c.select_one(".post-name").get_text() for c in cards] == ["重介洗选主洗岗", "浮选司机岗"]
    first = cards[0].get_text()
    assert "王建国" in first and "甲班" in first and "当班悬浮液密度波动不超过正负0.01。" in first
    assert cards[0].select_one(".post-photo")["src"] == "../data/photos/wang.svg"
    assert cards[1].select_one(".post-photo") is None and cards[1].select_one(".post-pledge") is None


def test_the_index_lists_every_printable_with_size_pages_and_the_file_for_the_print_shop(make_site):
    site = print_site(make_site)
    site.build()
    index = site.page("print/index.html")
    rows = {r.th.a.get_text(): [td.get_text(" ", strip=True) for td in r.find_all("td")]
            for r in index.select("table.print-list tbody tr")}
    assert list(rows) == ["条幅 1：不忘初心　牢记使命", "条幅 2：安全第一，预防为主！综合治理",
                          "条幅 3：党员带头 争创一流", "条幅 4：凝心聚力开新局　安全高效创佳绩",
                          "条幅 2 单字拼贴：安全第一，预防为主！综合治理", "光荣榜 2026年10月", "党员示范岗牌"]
    size, pages, files, advice = rows["条幅 1：不忘初心　牢记使命"]
    assert size == "6 × 0.7 米，红底黄字" and pages == "1 页"
    assert "banner-01.pdf ：原大，6000 × 700 毫米，1 页" in files
    assert "banner-01-1to10.pdf ：1:10 缩样，600 × 70 毫米，1 页 （交印刷厂）" in files
    assert advice == "交印刷厂 banner-01-1to10.pdf，说明按 1:10 比例放大喷绘，成品 6 × 0.7 米"
    assert rows["条幅 2：安全第一，预防为主！综合治理"][3] == "交印刷厂 banner-02.pdf（原大，成品 3 × 0.5 米）"
    assert "banner-04-panels.pdf ：原大分 2 段" in rows["条幅 4：凝心聚力开新局　安全高效创佳绩"][2]
    assert rows["条幅 2 单字拼贴：安全第一，预防为主！综合治理"][1] == "12 页"
    assert rows["光荣榜 2026年10月"][:2] == ["A3 纵向（297 × 420 毫米）", "1 页"]
    assert rows["党员示范岗牌"][1] == "2 页"
    links = {a["href"] for a in index.select("table a")}  # the PDFs exist only after `print`
    assert links == {"banner-01.html", "banner-02.html", "banner-03.html", "banner-04.html",
                     "banner-02-tiles.html", "honors.html", "model-posts.html"}


def test_every_page_has_a_footer_link_to_the_print_index(make_site):
    site = print_site(make_site, **{"content/news/a.md": "---\n标题: 一篇\n日期: 2026-11-20\n---\n正文。\n"})
    site.build()
    expected = {"index.html": "print/index.html", "news/a.html": "../print/index.html",
                "board/banners.html": "../print/index.html", "print/index.html": "index.html"}
    for rel, href in expected.items():
        links = {a.get_text(): a["href"] for a in site.page(rel).select(".footer-links a")}
        assert links["打印"] == href, rel


def test_a_site_without_board_data_has_no_print_pages(make_site):
    site = make_site()
    site.build()
    assert not (site.out / "print").exists()
    assert "打印" not in site.page("index.html").select_one(".footer-links").get_text()


def test_every_print_page_names_the_pdf_it_becomes(make_site, tmp_path):
    site = print_site(make_site)
    site.build()
    pages = {p.relative_to(site.out).as_posix(): p.read_text(encoding="utf-8")
             for p in (site.out / "print").glob("*.html")}
    jobs = {j.target.name: (j.pages, j.width_mm, j.height_mm) for j in pdf_jobs(pages, site.out)}
    assert jobs == {
        "banner-01.pdf": (1, 6000, 700), "banner-01-1to10.pdf": (1, 600, 70),
        "banner-02.pdf": (1, 3000, 500), "banner-02-tiles.pdf": (12, 210, 297),
        "banner-03.pdf": (1, 8000, 1000), "banner-03-1to10.pdf": (1, 800, 100),
        "banner-04-panels.pdf": (2, 15025, 1000), "banner-04-1to10.pdf": (1, 3000, 100),
        "honors.pdf": (1, 297, 420), "model-posts.pdf": (2, 210, 148)}
    assert all(j.target.parent == site.out / "print" for j in pdf_jobs(pages, site.out))


# -- the secretary's mistakes --------------------------------------------------------

def test_mistakes_the_data_check_already_reports_name_the_file_and_line(make_site):
    site = make_site({"site.yaml": SITE, "data/banners.yaml": """\
- 内容: ""
  尺寸: 600x70cm
- 内容: 安全
  尺寸: 600x70
- 内容: 安全
  尺寸: 0x70cm
- 内容: 安全
  尺寸: -600x70cm
- 内容: 安全
  尺寸: 大厅横幅
- 内容: 安全
  尺寸: 600x70cm
  样式: 蓝底白字
"""})
    result = site.run("check", "--now", "2026-11-25")
    assert result.code == 1
    assert "data/banners.yaml:1:3: 错误：内容 不能为空" in result.err
    assert "data/banners.yaml:4:3: 错误：尺寸 “600x70”不是尺寸，应写成“宽x高”并带单位，如 600x70cm、6x0.7m" in result.err
    assert "data/banners.yaml:6:3: 错误：尺寸 “0x70cm”的宽和高都必须大于 0" in result.err
    assert "data/banners.yaml:8:3: 错误：尺寸 “-600x70cm”的宽和高都必须大于 0" in result.err
    assert "data/banners.yaml:10:3: 错误：尺寸 没有叫“大厅横幅”的预设尺寸" in result.err
    assert "data/banners.yaml:13:3: 错误：样式 必须是 以下之一：红底黄字、红底白字、白底红字，这里是 “蓝底白字”" in result.err


def test_a_slogan_too_long_for_its_banner_says_how_long_the_banner_must_be(make_site):
    text = "安全生产人人有责" * 20
    site = make_site({"site.yaml": SITE, "data/banners.yaml": f"""\
- 内容: 好
  尺寸: 600x70cm
- 尺寸: 600x70cm
  内容: {text}
- 内容: ！！
  尺寸: 3x0.5m
"""})
    for command in ("check", "build"):
        result = site.run(command, "--now", "2026-11-25")
        assert result.code == 1
        assert ("data/banners.yaml:4:3: 错误：条幅“安全生产人人有责安全生产…”有 160 个字，6 × 0.7 米的条幅上"
                "每个字只有 30.4 毫米，不到条幅高度的 5%，远处看不清\n"
                "    提示：这么多字，条幅至少要 6.9 米长（两端各留 280 毫米）；或者删减文字、分成几条条幅。") in result.err
        assert ("data/banners.yaml:5:3: 错误：条幅内容“！！”里只有标点，没有可以印的字\n"
                "    提示：写上条幅的文字；词组之间用空格隔开。") in result.err
    assert not site.out.exists()


def test_a_tall_banner_too_short_for_its_slogan_speaks_of_width_and_height(make_site):
    site = make_site({"site.yaml": SITE, "data/banners.yaml": "- 内容: " + "安全" * 60 + "\n  尺寸: 50x300cm\n"})
    result = site.run("check", "--now", "2026-11-25")
    assert "不到条幅宽度的 5%" in result.err and "米高（两端各留 200 毫米）" in result.err


# -- the print command without a browser ---------------------------------------------

def run(site, **kwargs) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    options = Options(site.root, now=dt.datetime(2026, 11, 25))
    code = run_print(options, out=out, err=err, **kwargs)
    return code, out.getvalue(), err.getvalue()


def test_without_a_browser_print_explains_how_to_print_and_keeps_the_pages(make_site, monkeypatch):
    site = print_site(make_site)
    code, out, err = run(site, chromium=str(site.root / "no-such-browser"))
    assert code == 0, err
    assert f"找不到指定的浏览器程序：{site.root / 'no-such-browser'}" in out
    for words in ("没有生成 PDF", "实际大小", "边距选“无”", "背景图形", "sudo apt install chromium",
                  "Google Chrome 或 Microsoft Edge", "浏览器路径"):
        assert words in out
    assert (site.out / "print/banner-01.html").is_file() and (site.out / "print/index.html").is_file()
    assert list((site.out / "print").glob("*.pdf")) == []

    monkeypatch.setenv("PATH", "")
    code, out, _ = run(site)
    assert code == 0 and "没有找到 Chromium、Google Chrome 或 Microsoft Edge" in out
    assert list((site.out / "print").glob("*.pdf")) == []


def test_a_browser_path_in_site_yaml_is_used_as_written(make_site):
    site = print_site(make_site, **{"site.yaml": SITE + "浏览器路径: tools/chrome.exe\n"})
    code, out, _ = run(site)
    assert code == 0 and "找不到 site.yaml 里写的浏览器程序：tools/chrome.exe" in out
    assert find_browser(None, "tools/chrome.exe", site.root) == (
        None, "找不到 site.yaml 里写的浏览器程序：tools/chrome.exe")


def test_print_stops_on_content_errors_with_exit_code_1(make_site):
    site = make_site({"site.yaml": SITE, "data/banners.yaml": "- 内容: 好\n  尺寸: 600x70\n"})
    code, out, err = run(site, chromium="/nonexistent")
    assert code == 1
    assert "data/banners.yaml:2:3: 错误：尺寸" in err and "没有生成打印页和 PDF" in err
    assert not site.out.exists()


FAKE_BROWSER = """#!{python}
import sys
target = next(a.split("=", 1)[1] for a in sys.argv if a.startswith("--print-to-pdf="))
open(target, "wb").write(b"%PDF-1.4 half written")
sys.exit(0)
"""


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="the stand-in browser is a POSIX script")
def test_a_half_written_pdf_never_appears(make_site, tmp_path):
    site = print_site(make_site)
    code, out, err = run(site, chromium=fake_browser(tmp_path, FAKE_BROWSER))
    assert code == 1
    assert "print/banner-01.pdf: 错误：浏览器没有输出 PDF" in err
    assert list((site.out / "print").glob("*.pdf")) == []
    assert [p.name for p in (site.out / "print").iterdir() if p.name.startswith(".")] == []


GOOD_BROWSER = """#!{python}
import sys
target = next(a.split("=", 1)[1] for a in sys.argv if a.startswith("--print-to-pdf="))
open(target, "wb").write(b"%PDF-1.4\\n<< /Type /Page /MediaBox [0 0 595.28 841.89] >>\\n%%EOF\\n")
"""


def fake_browser(tmp_path, script: str):
    import sys

    fake = tmp_path / "fake-chromium"
    fake.write_text(script.format(python=sys.executable), encoding="utf-8")
    fake.chmod(0o755)
    return str(fake)


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="the stand-in browser is a POSIX script")
def test_print_renders_every_page_again_and_removes_pdfs_of_banners_gone(make_site, tmp_path):
    site = print_site(make_site)
    browser = fake_browser(tmp_path, GOOD_BROWSER)
    code, out, err = run(site, chromium=browser)
    assert code == 0, err
    made = sorted(p.name for p in (site.out / "print").glob("*.pdf"))
    assert len(made) == 10
    # a fake A4 page: the size check warns, naming what the page declares
    assert "print/banner-01.pdf: 警告：应为 1 页、每页 6000 × 700 毫米" in err

    code, out, _ = run(site, chromium=browser)  # nothing changed: the pages are not rebuilt
    assert code == 0 and "PDF 生成完毕：10 个" in out

    site.write("data/banners.yaml", BANNERS.split("- 内容: 安全第一")[0])
    code, out, _ = run(site, chromium=browser)
    assert code == 0
    assert sorted(p.name for p in (site.out / "print").glob("*.pdf")) == [
        "banner-01-1to10.pdf", "banner-01.pdf", "honors.pdf", "model-posts.pdf"]
    # the build itself dropped the PDF of the print page that went away
