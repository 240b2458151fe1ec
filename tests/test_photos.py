"""Photos: published upright, without EXIF or GPS, no wider than their use,
under names that change with them; the sources stay unpublished; an
unchanged photo is never made again."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil

import pytest
from PIL import Image, ImageCms

from branchboard.build.pipeline import Options, build
from branchboard.photos import store
from branchboard.photos.derive import USES
from conftest import article, snapshot

NOW = dt.datetime(2026, 11, 25)
RED = (255, 0, 0)
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()  # converted, then not written


def phone_photo(colour=(30, 90, 200)) -> bytes:
    """A 4032x3024 JPEG as a phone writes it held upright: stored on its
    side with EXIF orientation 6, the GPS position and a red corner (the
    stored image's top left, which is the top right once upright)."""
    image = Image.new("RGB", (4032, 3024), colour)
    image.paste(RED, (0, 0, 600, 600))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F], exif[0x0110] = "Phone maker", "Phone 12"
    exif[0x8825] = {1: "N", 2: (37.0, 51.0, 12.5), 3: "E", 4: (112.0, 32.0, 41.2)}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif, icc_profile=SRGB, comment=b"Shot on Phone 12")
    return out.getvalue()


def transparent_png() -> bytes:
    image = Image.new("RGBA", (1200, 400), (0, 0, 0, 0))
    image.paste((200, 30, 30, 255), (0, 0, 600, 400))
    out = io.BytesIO()
    image.save(out, "PNG", icc_profile=SRGB)
    return out.getvalue()


def run(root, **options):
    return build(Options(site_dir=root, now=NOW, **options))


@pytest.fixture
def site(make_site):
    return make_site({
        "content/news/a.md": article("照片新闻", 封面="images/photo.jpg",
                                     body="正文。\n\n![会场](images/photo.jpg)\n\n![标志](images/logo.png)\n"),
        "content/news/b.md": article("只有封面", date="2026-11-19", 封面="images/photo.jpg"),
        "content/news/images/photo.jpg": phone_photo(),
        "content/news/images/logo.png": transparent_png(),
    })


def published_images(out):
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.suffix in (".jpg", ".png"))


def test_published_photos_are_upright_clean_and_no_wider_than_their_use(site):
    result = run(site.root)
    assert result.photos_made == 2
    images = published_images(site.out)
    assert images and "news/images/photo.jpg" not in images and "news/images/logo.png" not in images
    for rel in images:
        image = Image.open(site.out / rel)
        assert image.width <= 2160, rel  # the widest any page shows: a portrait 4K screen
        assert not image.getexif(), rel
        assert not {"exif", "icc_profile", "xmp", "comment"} & set(image.info), (rel, image.info.keys())
        assert b"Phone 12" not in (site.out / rel).read_bytes()
        if rel.startswith("news/images/photo-"):
            assert image.format == "JPEG" and image.info.get("progressive")
            assert image.height > image.width  # upright: portrait, as it was held
            assert _is_red(image.getpixel((image.width - 3, 2)))  # the corner turned to the top right
            assert not _is_red(image.getpixel((2, 2)))
        else:
            assert image.format == "PNG" and image.mode == "RGBA"  # transparency kept
            assert image.width <= 1200  # never enlarged
            assert image.getpixel((image.width - 1, 0))[3] == 0


def _is_red(pixel) -> bool:
    r, g, b = pixel[:3]
    return r > 200 and g < 60 and b < 60


def test_pages_link_the_derived_files_and_every_srcset_url_exists(site):
    run(site.root)
    html = (site.out / "news/a.html").read_text(encoding="utf-8")
    listing = (site.out / "news/index.html").read_text(encoding="utf-8")
    assert "images/photo.jpg" not in html + listing + (site.out / "news/b.html").read_text(encoding="utf-8")
    body_img = re.search(r'<img alt="会场" [^>]*>', html).group()
    assert 'sizes="' in body_img and 'width="800"' in body_img
    srcset = re.search(r'srcset="([^"]*)"', body_img).group(1)
    urls = [part.split()[0] for part in srcset.split(",")]
    assert len(urls) == 2
    assert '<figure class="cover">' not in html  # the body shows it: not twice
    cover_page = (site.out / "news/b.html").read_text(encoding="utf-8")
    cover = re.search(r'<figure class="cover"><img ([^>]*)>', cover_page).group(1)
    assert 'sizes="' in cover
    urls += [part.split()[0] for part in re.search(r'srcset="([^"]*)"', cover).group(1).split(",")]
    thumb = re.search(r'<a class="card-cover"[^>]*><img ([^>]*)>', listing).group(1)
    urls.append(re.search(r'src="([^"]*)"', thumb).group(1))
    assert "-480w." in urls[-1]
    for url in urls:
        assert (site.out / "news" / url).is_file(), url


def test_originals_are_published_only_when_site_yaml_asks(site):
    (site.root / "site.yaml").write_text("title: 测试\n发布原图: true\n", encoding="utf-8")
    run(site.root)
    assert (site.out / "news/images/photo.jpg").read_bytes() == phone_photo()


def test_an_unchanged_photo_is_never_made_again(site):
    assert run(site.root).photos_made == 2
    (site.root / "content/news/a.md").write_text(
        article("照片新闻", 封面="images/photo.jpg", body="改过。\n\n![会场](images/photo.jpg)\n"), encoding="utf-8")
    assert run(site.root).photos_made == 0
    shutil.rmtree(site.out)  # a full build takes them from the cache too
    assert run(site.root).photos_made == 0


def test_a_changed_photo_gets_new_urls_and_incremental_output_equals_a_clean_build(site, tmp_path):
    run(site.root)
    before = set(published_images(site.out))
    (site.root / "content/news/images/photo.jpg").write_bytes(phone_photo((20, 160, 60)))
    assert run(site.root).photos_made == 1
    after = set(published_images(site.out))
    assert {p for p in before if "photo-" in p}.isdisjoint(after)
    html = (site.out / "news/a.html").read_text(encoding="utf-8")
    body_files = [p for p in after if "photo-800w" in p or "photo-1600w" in p]
    assert len(body_files) == 2 and all(p.split("/")[-1] in html for p in body_files)
    clean = tmp_path / "clean"
    shutil.copytree(site.root, clean, ignore=shutil.ignore_patterns("public", ".cache"))
    run(clean)
    assert snapshot(site.out) == snapshot(clean / "public")


@pytest.mark.parametrize("damage", ["flip a byte", "delete"])
def test_a_damaged_cached_file_is_made_again(site, damage):
    run(site.root)
    good = snapshot(site.out)
    where = store.folder(site.root)
    victim = next(p for p in sorted(where.iterdir()) if p.suffix == ".jpg")
    if damage == "delete":
        victim.unlink()
    else:
        data = bytearray(victim.read_bytes())
        data[len(data) // 2] ^= 0xFF
        victim.write_bytes(bytes(data))
    shutil.rmtree(site.out)
    assert run(site.root).photos_made == 1
    assert snapshot(site.out) == good


def test_an_image_that_cannot_be_read_is_an_error_at_each_line_that_names_it(make_site):
    truncated = phone_photo()[:40000]  # a copy cut short: the header reads, the pixels do not
    site = make_site({
        "content/news/a.md": article("坏图", body="第一段。\n\n![x](images/bad.jpg)\n"),
        "content/news/b.md": article("坏封面", 封面="images/cut.jpg"),
        "content/news/images/bad.jpg": b"not a jpeg",
        "content/news/images/cut.jpg": truncated,
        "content/news/images/unused.jpg": b"<html>saved from a browser</html>",
        "data/photos/wang.jpg": truncated,
        "data/model_posts.yaml": "# 示范岗\n- 岗位: 检修岗\n  带头人: 王建国\n  照片: photos/wang.jpg\n"})
    result = site.run("build", "--now", "2026-11-25")
    assert result.code == 1 and "Traceback" not in result.err, result.text
    # all of them in one run, each where the secretary wrote its name
    assert re.search(r"content/news/a\.md:7: 错误：图片 content/news/images/bad\.jpg 打不开", result.err), result.err
    assert re.search(r"content/news/b\.md:4:\d+: 错误：图片 content/news/images/cut\.jpg 打不开", result.err)
    assert re.search(r"data/model_posts\.yaml:4:\d+: 错误：图片 data/photos/wang\.jpg 打不开", result.err)
    assert re.search(r"content/news/images/unused\.jpg: 警告：.*没有发布", result.err)
    assert "重新导出" in result.err
    assert not site.out.exists()  # the first build failed: nothing published


def test_an_unreadable_image_nothing_names_is_a_warning_and_never_published(make_site):
    site = make_site({"content/news/a.md": article("好的"),
                      "content/news/images/unused.jpg": b"not a jpeg but maybe private"})
    result = site.run("build", "--now", "2026-11-25")
    assert result.code == 0 and "unused.jpg" in result.err and "警告" in result.err, result.text
    assert not list(site.out.rglob("unused*"))


def test_a_long_photo_stage_shows_how_far_it_is(site, monkeypatch):
    from branchboard.photos import stage

    monkeypatch.setattr(stage, "SHOW_PROGRESS_AFTER", 0.0)  # as if each photo took seconds
    told = []
    run(site.root, on_photos=lambda done, total: told.append((done, total)))
    assert told[-1] == (2, 2)


def test_progress_is_one_line_on_a_terminal():
    from branchboard.cli import show_photo_progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    shown = Terminal()
    for done in (1, 2, 3):
        show_photo_progress(done, 3, shown)
    assert shown.getvalue() == "\r正在处理照片 1/3\r正在处理照片 2/3\r正在处理照片 3/3\n"


def test_the_boards_photos_are_processed_like_the_articles(make_site):
    site = make_site({"content/news/a.md": article("甲"),
                      "data/photos/wang.jpg": phone_photo(),
                      "data/model_posts.yaml": "- {岗位: 检修岗, 带头人: 王建国, 照片: photos/wang.jpg}\n"})
    assert run(site.root).photos_made == 1
    assert not (site.out / "data/photos/wang.jpg").exists()
    pages = {p: p.read_text(encoding="utf-8") for p in site.out.rglob("*.html")}
    showing = {p: html for p, html in pages.items() if "王建国的照片" in html}
    assert len(showing) >= 2, sorted(showing)  # the board's page and its print page at least
    for page, html in showing.items():
        img = re.search(r'<img [^>]*alt="王建国的照片"[^>]*>', html).group()
        assert "wang.jpg" not in img
        src = re.search(r'src="([^"]*)"', img).group(1)
        image = Image.open(page.parent / src)
        assert not image.getexif() and image.height > image.width


def test_srcset_survives_the_cleaning_of_html_written_in_the_article(make_site):
    site = make_site({"content/news/a.md": article("有HTML", body="<span style=\"color: red\">红字</span>\n\n"
                                                                  "![会场](images/photo.jpg)\n"),
                      "content/news/images/photo.jpg": phone_photo()})
    run(site.root)
    img = re.search(r'<img alt="会场"[^>]*>', (site.out / "news/a.html").read_text(encoding="utf-8")).group()
    assert 'srcset="' in img and 'sizes="' in img and 'loading="lazy"' in img, img


def test_an_image_written_as_html_gets_the_derived_files(make_site):
    site = make_site({"content/news/a.md": article("贴的", body='<p><img src="images/photo.jpg" alt="贴的"></p>\n\n'
                                                               '一段<img src="images/logo.svg" alt="标">。\n'),
                      "content/news/images/photo.jpg": phone_photo(),
                      "content/news/images/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>'})
    run(site.root)
    html = (site.out / "news/a.html").read_text(encoding="utf-8")
    img = re.search(r'<img [^>]*alt="贴的"[^>]*>', html).group()
    assert "photo.jpg" not in img and 'srcset="' in img, img
    for url in re.findall(r"(\S+) \d+w", re.search(r'srcset="([^"]*)"', img).group(1)):
        assert (site.out / "news" / url).is_file()
    assert '<img src="images/logo.svg" alt="标">' in html  # not processed: as written


def test_an_iphone_heic_photo_is_published_as_an_upright_clean_jpeg(make_site):
    pillow_heif = pytest.importorskip("pillow_heif")
    image = Image.new("RGB", (2000, 1500), (30, 90, 200))
    image.paste(RED, (0, 0, 300, 300))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x8825] = {1: "N", 2: (37.0, 51.0, 12.5), 3: "E", 4: (112.0, 32.0, 41.2)}
    heic = io.BytesIO()
    pillow_heif.from_pillow(image).save(heic, exif=exif.tobytes())  # Pillow is left unable to read it
    site = make_site({"content/news/a.md": article("苹果手机", body="![会场](images/IMG_0001.HEIC)\n"),
                      "content/news/images/IMG_0001.HEIC": heic.getvalue()})
    run(site.root)
    html = (site.out / "news/a.html").read_text(encoding="utf-8")
    src = re.search(r'<img alt="会场" [^>]*\bsrc="([^"]*)"', html).group(1)
    assert src.endswith(".jpg") and not (site.out / "news/images/IMG_0001.HEIC").exists()
    published = Image.open(site.out / "news" / src)
    assert published.format == "JPEG" and not published.getexif()
    assert published.height > published.width and _is_red(published.getpixel((published.width - 3, 2)))


def _png_claiming(width: int, height: int) -> bytes:
    """A few hundred bytes whose header claims a huge picture (a decompression bomb)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
            + chunk(b"IEND", b""))


def test_a_picture_claiming_a_huge_size_is_refused_in_chinese(make_site):
    site = make_site({"content/news/a.md": article("炸弹", body="![图](bomb.png)\n"),
                      "content/news/bomb.png": _png_claiming(30000, 30000)})
    result = site.run("build", "--now", "2026-11-25")
    assert result.code == 1 and "Traceback" not in result.err, result.text
    assert re.search(r"content/news/a\.md:5: 错误：图片 content/news/bomb\.png 的像素多得不正常", result.err), \
        result.err


@pytest.mark.parametrize("where", ["body", "cover", "data"])
def test_a_name_that_differs_only_in_case_gets_a_did_you_mean(make_site, where):
    files = {"content/news/images/Photo.JPG": phone_photo()}
    if where == "data":
        files = {"content/news/a.md": article("甲"), "data/photos/王建国.JPG": phone_photo(),
                 "data/photos/王建华.jpg": phone_photo(),  # close, but not the one
                 "data/model_posts.yaml": "- {岗位: 检修岗, 带头人: 王建国, 照片: photos/王建国.jpg}\n"}
        result = make_site(files).run("build", "--now", "2026-11-25")
        assert result.code == 1 and "是不是想写“photos/王建国.JPG”" in result.err, result.text
        return
    if where == "body":
        files["content/news/a.md"] = article("大小写", body="![现场](images/photo.jpg)\n")
    else:
        files["content/news/a.md"] = article("大小写", 封面="images/photo.jpg")
    site = make_site(files)
    result = site.run("build", "--now", "2026-11-25")
    assert result.code == 1, result.text
    assert "是不是想写“images/Photo.JPG”" in result.err


def _saved(image: Image.Image, kind: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()


def _sixteen_bit_grey(width: int, height: int, level: int) -> bytes:
    """A 16-bit grey PNG (a scanner's), every pixel at ``level`` of 65535."""
    return _saved(Image.new("I;16", (width, height), level), "PNG")


def _animated_gif() -> bytes:
    frames = [Image.new("RGB", (200, 100), colour) for colour in ((200, 0, 0), (0, 200, 0), (0, 0, 200))]
    return _saved(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=200, loop=0)


def test_cmyk_16_bit_palette_and_animated_images_come_out_right(make_site):
    cmyk = Image.new("CMYK", (2400, 1600), (0, 255, 255, 0))  # red, as a print shop's scan
    logo = Image.new("RGB", (1200, 800), (200, 30, 30))
    logo.paste((255, 255, 255), (0, 0, 600, 400))
    gif = _animated_gif()
    site = make_site({
        "content/news/a.md": article("各种图片", body="![印刷](images/cmyk.jpg)\n\n![扫描](images/scan.png)\n\n"
                                                   "![标志](images/logo.png)\n\n![动图](images/moving.gif)\n"),
        "content/news/images/cmyk.jpg": _saved(cmyk, "JPEG", quality=90),
        "content/news/images/scan.png": _sixteen_bit_grey(900, 600, 20000),
        "content/news/images/logo.png": _saved(logo.quantize(4), "PNG"),
        "content/news/images/moving.gif": gif})
    run(site.root)
    html = (site.out / "news/a.html").read_text(encoding="utf-8")

    def shown(alt: str) -> Image.Image:
        src = re.search(rf'<img alt="{alt}" [^>]*\bsrc="([^"]*)"', html).group(1)
        return Image.open(site.out / "news" / src)

    printed = shown("印刷")
    assert printed.format == "JPEG" and printed.mode == "RGB" and _is_red(printed.getpixel((10, 10)))
    scan = shown("扫描")  # 20000 of 65535 is a dark grey, not white
    assert all(60 < c < 95 for c in scan.convert("RGB").getpixel((10, 10)))
    drawing = shown("标志")
    assert drawing.format == "PNG" and drawing.mode == "P", drawing.mode  # a drawing stays a palette PNG
    assert drawing.convert("RGB").getpixel((drawing.width * 3 // 4, drawing.height * 3 // 4))[0] > 190
    moving = Image.open(site.out / "news" / re.search(r'<img alt="动图" [^>]*\bsrc="([^"]*)"', html).group(1))
    assert moving.n_frames == 3  # passed through as it is
    assert (site.out / "news/images/moving.gif").read_bytes() == gif


def _print_pages_images(out, page: str) -> list[tuple[str, Image.Image]]:
    html = (out / "print" / page).read_text(encoding="utf-8")
    return [(src, Image.open(out / "print" / src)) for src in re.findall(r'<img class="(?:honor|post)-photo" src="([^"]*)"', html)]


def test_print_pages_use_files_sized_for_300_dpi_in_their_slot(make_site):
    site = make_site({
        "content/news/a.md": article("甲"),
        "data/photos/wang.jpg": phone_photo(),
        "data/model_posts.yaml": "- {岗位: 检修岗, 带头人: 王建国, 照片: photos/wang.jpg}\n",
        "data/honors.yaml": "- 期次: 2026年11月\n  日期: 2026-11-20\n  表彰:\n"
                            "    - {称号: 生产标兵, 姓名: 王建国, 照片: photos/wang.jpg}\n"})
    run(site.root)
    for page in ("model-posts.html", "honors.html"):
        found = _print_pages_images(site.out, page)
        assert found, page
        for src, image in found:
            assert "wang.jpg" not in src
            # the card's slot is 44 x 58 mm: 520 x 685 pixels at 300 dpi,
            # filled by a portrait photo 3024 x 4032 at 520 wide
            assert 500 <= image.width <= 560 and image.height > image.width, (page, image.size)


def test_a_photo_too_small_for_its_print_slot_is_a_warning_at_its_entry(make_site):
    small = _saved(Image.new("RGB", (160, 200), (30, 90, 200)), "JPEG")  # from a group chat, shrunk
    site = make_site({
        "content/news/a.md": article("甲"),
        "data/photos/small.jpg": small,
        "data/photos/wang.jpg": phone_photo(),
        "data/honors.yaml": "- 期次: 2026年11月\n  日期: 2026-11-20\n  表彰:\n"
                            "    - {称号: 生产标兵, 姓名: 王建国, 照片: photos/wang.jpg}\n"
                            "    - 称号: 生产标兵\n      姓名: 李红梅\n      照片: photos/small.jpg\n"})
    result = site.run("build", "--now", "2026-11-25")
    assert result.code == 0, result.text
    warned = re.findall(r"data/honors\.yaml:(\d+):\d+: 警告：照片分辨率太低，印在光荣榜海报上会模糊", result.err)
    assert warned == ["7"], result.err  # 李红梅's photo, not 王建国's
    assert "160×200" in result.err
    # the same warning from `check`, and again from a build that changed nothing
    assert "分辨率太低" in site.run("check", "--now", "2026-11-25").err
    assert "分辨率太低" in site.run("build", "--now", "2026-11-25").err


def test_serve_reads_back_only_the_new_photo_s_files(site, monkeypatch):
    """A long-running build (serve) keeps which cached files it checked: a
    new photo costs making it, not hashing every other photo's files again."""
    from branchboard.build.cache import BuildCache
    from branchboard.photos import store

    cache = BuildCache.load(site.root)
    run(site.root, cache=cache)
    read = []
    real = store._read_set
    monkeypatch.setattr(store, "_read_set", lambda where, key: read.append(key) or real(where, key))
    (site.root / "content/news/c.md").write_text(article("新照片", date="2026-11-21", 封面="images/new.jpg"),
                                                 encoding="utf-8")
    (site.root / "content/news/images/new.jpg").write_bytes(phone_photo((90, 90, 90)))
    result = run(site.root, cache=cache)
    assert result.photos_made == 1
    assert len(read) == len(USES)  # the new photo's sets, found missing; none of the others'
    damaged = next((site.root / ".cache/branchboard/photos").glob("*.jpg"))
    damaged.write_bytes(b"damaged")  # a file changed on disk is checked again, and made again
    (site.root / "content/news/c.md").write_text(article("新照片", date="2026-11-22", 封面="images/new.jpg"),
                                                 encoding="utf-8")
    assert run(site.root, cache=cache).photos_made == 1


def test_a_photo_cache_that_cannot_be_written_says_the_cache_may_be_deleted(site):
    shutil.rmtree(site.root / ".cache", ignore_errors=True)
    (site.root / ".cache/branchboard").mkdir(parents=True)
    (site.root / ".cache/branchboard/photos").write_text("a file where the folder goes", encoding="utf-8")
    result = site.run("build", "--now", "2026-11-25")
    assert result.code == 1 and "Traceback" not in result.err, result.text
    assert ".cache/branchboard/photos" in result.err and "可以整个删掉" in result.err
    shutil.rmtree(site.root / ".cache")  # as the message says
    assert site.run("build", "--now", "2026-11-25").code == 0
