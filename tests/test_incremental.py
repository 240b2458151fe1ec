"""Incremental builds: exactly what changed is made again, and the output is
byte-identical to a clean full build of the same files."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from branchboard.build.bodies import EXCERPT_CHARS
from branchboard.build.cache import BuildCache
from branchboard.build.context import BuildContext
from branchboard.errors import BuildFailed, Report
from branchboard.build.inputs import SiteFiles, read_inputs
from branchboard.build.pipeline import Options, build
from branchboard.site.theme import find_theme
from conftest import PROJECT, article, snapshot

NOW = dt.datetime(2026, 11, 25)


def run(root: Path, out: Path | None = None, now=NOW, cache=None):
    return build(Options(site_dir=root, out_dir=out, now=now, cache=cache))


def clean_build(root: Path, tmp: Path, now=NOW) -> dict:
    """A full build of the same files in a fresh copy, without any cache."""
    copy = tmp / "clean"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("public", ".cache", ".public*"))
    run(copy, now=now)
    return snapshot(copy / "public")


@pytest.fixture
def site(make_site):
    files = {f"content/news/n{i}.md": article(f"动态{i}", date=f"2026-11-{i + 1:02d}", 标签="[安全]",
                                              body=f"正文{i}。\n\n[相关](n{2 if i != 2 else 3}.md)\n")
             for i in range(6)}
    files["content/notices/a.md"] = article("通知", date="2026-11-02")
    files["site.yaml"] = "title: 测试\npage_size: 4\nsections: [{id: news, title: 动态}, {id: notices, title: 通知}]\n"
    files["data/duty.yaml"] = "- 王建国\n"
    site = make_site(files)
    run(site.root)
    return site


def small_phone_photo(colour) -> bytes:
    """A photo as a phone writes it (stored on its side, EXIF orientation 6,
    GPS), small enough to keep the tests quick."""
    from PIL import Image

    image = Image.new("RGB", (1800, 1350), colour)
    image.paste((255, 0, 0), (0, 0, 300, 300))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x8825] = {1: "N", 2: (37.0, 51.0, 12.5), 3: "E", 4: (112.0, 32.0, 41.2)}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, exif=exif)
    return out.getvalue()


EDITS = {
    "edit body": lambda r: (r / "content/news/n2.md").write_text(article("动态2", date="2026-11-03", body="改过的正文。\n"), encoding="utf-8"),
    "add article": lambda r: (r / "content/news/new.md").write_text(article("新文章", date="2026-11-20"), encoding="utf-8"),
    "delete article": lambda r: (r / "content/news/n5.md").unlink(),
    "rename article": lambda r: (r / "content/news/n1.md").rename(r / "content/news/renamed.md"),
    "title moves it in listings": lambda r: (r / "content/news/n0.md").write_text(
        article("置顶了", date="2026-11-01", 置顶="true"), encoding="utf-8"),
    "data edit": lambda r: (r / "data/duty.yaml").write_text("- 李红梅\n", encoding="utf-8"),
    "site.yaml edit": lambda r: (r / "site.yaml").write_text(
        "title: 新标题\npage_size: 3\nsections: [{id: news, title: 新闻}, {id: notices, title: 通知}]\n", encoding="utf-8"),
    "theme edit": lambda r: (r / "themes/default/templates").mkdir(parents=True) or
        (r / "themes/default/templates/tag.html").write_text(
            '{% extends "base.html" %}{% block content %}<p>改过的标签页 {{ tag.name }}</p>{% endblock %}',
            encoding="utf-8"),
}


def add_photos(root: Path) -> None:
    """An article's cover and body image, and a model post's photo."""
    (root / "content/notices/images").mkdir(parents=True, exist_ok=True)
    (root / "content/notices/images/scene.jpg").write_bytes(small_phone_photo((30, 90, 200)))
    (root / "content/notices/scene.md").write_text(
        article("现场", date="2026-11-04", 封面="images/scene.jpg", body="正文。\n\n![现场](images/scene.jpg)\n"),
        encoding="utf-8")
    (root / "data/photos").mkdir(parents=True, exist_ok=True)
    (root / "data/photos/wang.jpg").write_bytes(small_phone_photo((200, 120, 40)))
    (root / "data/model_posts.yaml").write_text("- {岗位: 检修岗, 带头人: 王建国, 照片: photos/wang.jpg}\n",
                                                encoding="utf-8")


def add_a_photo(root: Path) -> None:
    (root / "content/news/images").mkdir(exist_ok=True)
    (root / "content/news/images/new.jpg").write_bytes(small_phone_photo((0, 0, 0)))
    (root / "content/news/n4.md").write_text(article("动态4", date="2026-11-05", body="![新](images/new.jpg)\n"),
                                             encoding="utf-8")


def remove_a_photo(root: Path) -> None:
    (root / "content/notices/scene.md").write_text(article("现场", date="2026-11-04"), encoding="utf-8")
    (root / "content/notices/images/scene.jpg").unlink()


PHOTO_EDITS = {
    "replace a photo": lambda r: (r / "content/notices/images/scene.jpg").write_bytes(small_phone_photo((20, 160, 60))),
    "replace a board photo": lambda r: (r / "data/photos/wang.jpg").write_bytes(small_phone_photo((90, 90, 90))),
    "add a photo": add_a_photo,
    "remove a photo": remove_a_photo,
}


@pytest.mark.parametrize("change", sorted(PHOTO_EDITS))
def test_incremental_output_with_photos_is_byte_identical_to_a_full_build(site, tmp_path, change):
    add_photos(site.root)
    assert run(site.root).photos_made == 2
    PHOTO_EDITS[change](site.root)
    result = run(site.root)
    assert not result.unchanged and result.photos_made == (change != "remove a photo")
    assert snapshot(site.out) == clean_build(site.root, tmp_path)


@pytest.mark.parametrize("change", sorted(EDITS))
def test_incremental_output_is_byte_identical_to_a_full_build(site, tmp_path, change):
    if change == "theme edit":  # a site theme extending the bundled one
        (site.root / "themes/local").mkdir(parents=True)
        (site.root / "themes/local/theme.yaml").write_text("extends: default\n", encoding="utf-8")
        run(site.root)
    EDITS[change](site.root)
    if change == "theme edit":
        shutil.move(str(site.root / "themes/default/templates"), str(site.root / "themes/local/templates"))
        shutil.rmtree(site.root / "themes/default")
        text = (site.root / "site.yaml").read_text(encoding="utf-8")
        (site.root / "site.yaml").write_text(text + "theme: local\n", encoding="utf-8")
    result = run(site.root)
    assert not result.unchanged
    assert snapshot(site.out) == clean_build(site.root, tmp_path)


def test_a_second_build_renders_nothing_and_writes_nothing(site):
    before = {p: p.stat().st_mtime_ns for p in site.out.rglob("*")}
    result = run(site.root)
    assert result.unchanged and result.rendered == 0
    assert {p: p.stat().st_mtime_ns for p in site.out.rglob("*")} == before


def test_one_edit_renders_only_the_pages_that_show_it(site):
    cache = BuildCache.load(site.root)
    before = {p.relative_to(site.out).as_posix(): p.stat().st_mtime_ns for p in site.out.rglob("*.html")}
    (site.root / "content/news/n3.md").write_text(
        article("动态3", date="2026-11-04", 标签="[安全]", body="只改正文。\n"), encoding="utf-8")
    result = run(site.root, cache=cache)
    after = {p.relative_to(site.out).as_posix(): p.stat().st_mtime_ns for p in site.out.rglob("*.html")}
    changed = sorted(p for p in after if after[p] != before.get(p))
    assert changed == ["news/n3.html", "screen/index.html"]  # the screen shows its first paragraph
    assert result.rendered == 2


def test_a_data_edit_renders_only_the_pages_whose_templates_name_the_data(site):
    banner = "- 内容: 安全第一　预防为主\n  尺寸: 600x70cm\n  样式: 红底黄字\n  开始: 2026-11-01\n  结束: 2026-12-31\n"
    (site.root / "data/banners.yaml").write_text(banner, encoding="utf-8")
    run(site.root)
    before = {p.relative_to(site.out).as_posix(): p.stat().st_mtime_ns for p in site.out.rglob("*.html")}
    (site.root / "data/banners.yaml").write_text(banner.replace("预防为主", "综合治理"), encoding="utf-8")
    result = run(site.root)
    after = {p.relative_to(site.out).as_posix(): p.stat().st_mtime_ns for p in site.out.rglob("*.html")}
    changed = sorted(p for p in after if after[p] != before.get(p))
    assert changed and result.rendered == len(changed)
    # articles, listings and tag pages never name the board's data: a value a
    # template does not name is no dependency of its pages
    assert not [p for p in changed if p.startswith(("news/", "notices/", "tags/"))], changed


def test_the_board_is_made_again_only_when_its_data_its_day_or_the_articles_addresses_change(
        site, tmp_path, monkeypatch):
    """The last board made is kept in the cache under what it was made from:
    a build that changes none of that takes it from there, and every build's
    output is still that of a clean build."""
    from branchboard.board import figures as board

    study = ("安排: {星期: [周三, 周五], 时间: '16:30', 地点: 学习室, 主讲: 王书记, 开始: 2026-11-04,"
             " 结束: 2026-12-31}\n课程:\n  - {日期: 2026-11-04, 主题: 学党章, 主讲: 王书记, 文章: news/n2.md}\n")
    (site.root / "data/study.yaml").write_text(study, encoding="utf-8")
    run(site.root)
    made = []
    original = board.build_board
    monkeypatch.setattr(board, "build_board", lambda *args: made.append(args[1]) or original(*args))
    steps = [
        ("edit body", EDITS["edit body"], NOW, 0),
        ("add article", EDITS["add article"], NOW, 1),  # the study calendar may link any article
        ("nothing", lambda r: None, NOW + dt.timedelta(hours=3), 0),
        ("next day", lambda r: None, NOW + dt.timedelta(days=1), 1),
        ("data edit", lambda r: (r / "data/study.yaml").write_text(study.replace("学党章", "学准则"),
                                                                  encoding="utf-8"), NOW, 1),
    ]
    for name, step, now, builds in steps:
        made.clear()
        step(site.root)
        run(site.root, now=now)
        assert len(made) == builds, name
        assert snapshot(site.out) == clean_build(site.root, tmp_path, now), name


def test_serve_sorts_and_groups_the_articles_again_only_when_what_it_shows_changed(site, tmp_path, monkeypatch):
    """A long-running process keeps its last model: an edit to an article's
    body takes it as it was; a new title, an article appearing on the day it
    is published, or a new page size make it again.  Each build's output is
    that of a clean build."""
    from branchboard.site import model

    (site.root / "content/notices/later.md").write_text(
        article("下周的通知", date="2026-11-20", 发布="2026-11-26"), encoding="utf-8")
    cache = BuildCache.load(site.root)
    run(site.root, cache=cache)
    made = []
    original = model.paginate
    monkeypatch.setattr(model, "paginate", lambda *args: made.append(args[2]) or original(*args))
    steps = [
        ("edit body", lambda r: (r / "content/news/n2.md").write_text(
            article("动态2", date="2026-11-03", 标签="[安全]", body="只改正文。\n"), encoding="utf-8"), NOW, False),
        ("title moves it in listings", EDITS["title moves it in listings"], NOW, True),
        ("edit body again", lambda r: (r / "content/news/n2.md").write_text(
            article("动态2", date="2026-11-03", 标签="[安全]", body="又改了。\n"), encoding="utf-8"), NOW, False),
        ("published today", lambda r: None, dt.datetime(2026, 11, 26), True),
        ("site.yaml edit", EDITS["site.yaml edit"], dt.datetime(2026, 11, 26), True),
    ]
    for name, step, now, remade in steps:
        made.clear()
        step(site.root)
        run(site.root, now=now, cache=cache)
        assert bool(made) == remade, name
        assert snapshot(site.out) == clean_build(site.root, tmp_path, now), name


def test_a_new_day_re_decides_what_is_visible_without_any_file_changing(site):
    (site.root / "content/notices/later.md").write_text(
        article("下周的通知", date="2026-11-20", 发布="2026-11-26"), encoding="utf-8")
    run(site.root)
    assert not (site.out / "notices/later.html").exists()
    result = run(site.root, now=dt.datetime(2026, 11, 26))
    assert not result.unchanged
    assert (site.out / "notices/later.html").is_file()


def test_a_publish_time_later_today_is_honoured_on_the_same_day(site):
    (site.root / "content/notices/afternoon.md").write_text(
        article("下午发布", date="2026-11-25", 发布="2026-11-25 16:00"), encoding="utf-8")
    run(site.root, now=dt.datetime(2026, 11, 25, 9, 0))
    assert not (site.out / "notices/afternoon.html").exists()
    run(site.root, now=dt.datetime(2026, 11, 25, 16, 30))
    assert (site.out / "notices/afternoon.html").is_file()


def test_front_matter_read_by_helper_processes_equals_that_read_in_one(make_site, monkeypatch):
    """Many articles are parsed in a pool: the same sources, the same problems
    in the same order (a broken file among them), and the cache's memo too."""
    from branchboard.site import content

    files = {f"content/news/n{i:02d}.md": article(f"动态{i}", date=f"2026-11-{i % 28 + 1:02d}", 标签="[安全, 生产]",
                                                  body=f"正文{i}。\n")
             for i in range(30)}
    files["content/news/n07.md"] = "---\n标题: 少了日期\n---\n正文\n"
    files["content/news/n13.md"] = "---\n标题: [没有闭合\n日期: 2026-11-02\n---\n"
    files["content/loose.md"] = article("不在栏目里", date="2026-11-01")
    site = make_site(files)
    results = []
    for threshold in (10 ** 9, 1):
        monkeypatch.setattr(content, "PARALLEL_READS", threshold)
        report, memo = Report(), {}
        sources, assets = content.read_sources(site.root, report, memo)
        results.append((sources, [s.body for s in sources], assets, [str(p) for p in report.sorted()], memo))
    assert results[0] == results[1]
    sources, _bodies, _assets, problems, _memo = results[0]
    assert len(sources) == 28 and any("n07.md" in p for p in problems) and any("n13.md" in p for p in problems)


def test_parallel_conversion_equals_serial(tmp_path):
    from branchboard.build.bodies import convert_articles
    from branchboard.site.config import load_config
    from branchboard.site.content import read_sources
    from branchboard.errors import Report
    from branchboard.site.model import build_model

    report = Report()
    config = load_config(PROJECT, report)
    sources, assets = read_sources(PROJECT, report)
    model = build_model(BuildContext(PROJECT, config, None, NOW, report, BuildCache()), sources, assets)
    one, two = BuildCache(), BuildCache()  # no folder: the HTML stays in memory
    import branchboard.build.bodies as bodies
    old, bodies.PARALLEL_MIN = bodies.PARALLEL_MIN, 10 ** 9
    try:
        serial = convert_articles(BuildContext(PROJECT, config, None, NOW, Report(), one), model, sources, assets)
        bodies.PARALLEL_MIN = 1
        parallel = convert_articles(BuildContext(PROJECT, config, None, NOW, Report(), two), model, sources, assets)
    finally:
        bodies.PARALLEL_MIN = old
    assert parallel == serial and len(serial) >= 12
    assert {rel: two.body_html(key) for rel, (key, _body) in parallel.items()} == \
        {rel: one.body_html(key) for rel, (key, _body) in serial.items()}


def test_a_cached_body_is_not_reused_when_its_link_target_moves(site, tmp_path):
    (site.root / "content/news/n2.md").write_text(
        article("动态2", date="2026-11-03", 标签="[安全]", slug="moved", body="正文2。\n"), encoding="utf-8")
    run(site.root)
    page = (site.out / "news/n0.html").read_text(encoding="utf-8")
    assert 'href="moved.html"' in page
    assert snapshot(site.out) == clean_build(site.root, tmp_path)


def site_files(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
            if p.is_file() and p.relative_to(root).parts[0] not in ("public", ".cache")}


def tiny_png(colour) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize("told", [False, True], ids=["walks", "told what changed"])
def test_one_cache_kept_across_a_day_of_edits_matches_full_builds(site, tmp_path, told):
    """serve keeps one cache in memory (articles, fingerprints, checked links,
    the board) across rebuilds, and tells it which files its watcher saw
    change: after each of a run of edits, the output is still that of a clean
    build."""
    (site.root / "content/news/photo.png").write_bytes(tiny_png((200, 30, 30)))
    (site.root / "content/news/cover.md").write_text(
        article("有封面", date="2026-11-10", 封面="photo.png", body="![图](photo.png)\n"), encoding="utf-8")
    banner = "- 内容: {}\n  尺寸: 600x70cm\n  样式: 红底黄字\n  开始: 2026-01-01\n  结束: 2026-12-31\n"
    (site.root / "data/banners.yaml").write_text(banner.format("安全第一"), encoding="utf-8")
    add_photos(site.root)
    cache = BuildCache.load(site.root)
    run(site.root, cache=cache)
    steps = [lambda r: edit_body(r, 3, "只改了正文。")]  # the same fields: the model, its sections are kept
    steps += [EDITS[name] for name in ("edit body", "add article", "title moves it in listings",
                                       "rename article", "data edit", "delete article", "site.yaml edit")]
    steps += [lambda r: edit_body(r, 4, "又只改了正文。")]
    steps += [
        lambda r: (r / "content/news/n2.md").write_text(  # n0 links to n2: its page must follow the move
            article("动态2", date="2026-11-03", slug="elsewhere"), encoding="utf-8"),
        lambda r: (r / "content/news/n0.md").write_text(article("动态0", date="2026-11-01"), encoding="utf-8"),
        lambda r: (r / "data/banners.yaml").write_text(banner.format("质量为本"), encoding="utf-8"),
        lambda r: (r / "content/news/photo.png").write_bytes(tiny_png((30, 160, 60))),  # new files, new URLs
        PHOTO_EDITS["replace a board photo"],  # the others are taken from what this process checked before
        PHOTO_EDITS["add a photo"],
        PHOTO_EDITS["remove a photo"],
    ]
    for step in steps:
        before = site_files(site.root)
        step(site.root)
        after = site_files(site.root)
        if told:  # as the watcher names them
            cache.memo.watched_files().changed(
                {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)})
        run(site.root, cache=cache)
        assert snapshot(site.out) == clean_build(site.root, tmp_path), step
        # what the inputs add up to, updated from the names told, is what a walk of every file finds
        walked = BuildContext(site.root, None, find_theme(site.root, "default", Report()), NOW, Report(),
                              BuildCache(), out=site.out)
        assert cache.fingerprint == read_inputs(walked).fingerprint, step
    (site.root / "content/news/photo.png").unlink()  # the cover vanishes: the same article is now an error
    if told:
        cache.memo.watched_files().changed({"content/news/photo.png"})
    with pytest.raises(BuildFailed) as failed:
        run(site.root, cache=cache)
    assert any("封面图片" in p.message for p in failed.value.report.errors)


def test_a_one_edit_build_reads_no_other_article_s_html(site, monkeypatch):
    read = []
    original = BuildCache.body_html
    monkeypatch.setattr(BuildCache, "body_html", lambda self, key: read.append(key) or original(self, key))
    (site.root / "content/news/n3.md").write_text(
        article("动态3", date="2026-11-04", 标签="[安全]", body="只改正文。\n"), encoding="utf-8")
    result = run(site.root)
    # the edited article's own, from the store it went to (the screen, showing
    # its first paragraph, takes that from the index)
    assert result.rendered == 2 and len(read) == 1
    (site.root / "site.yaml").write_text(  # every page again: every body read
        "title: 改名了\npage_size: 4\nsections: [{id: news, title: 动态}, {id: notices, title: 通知}]\n",
        encoding="utf-8")
    read.clear()
    run(site.root)
    assert len(read) == 7  # six news articles and the notice, n3 too: the last build stored it


BANNER = "- 内容: 安全第一　预防为主\n  尺寸: 600x70cm\n  样式: 红底黄字\n  开始: 2026-11-01\n  结束: 2026-12-31\n"
LOADED = ("import sys; from branchboard import cli; cli.main(sys.argv[1:]); "
          "print(' '.join(sorted(m for m in sys.modules if m.startswith('branchboard.'))))")


def test_an_edit_no_board_page_shows_loads_neither_the_board_nor_its_pages_code(site, tmp_path):
    """The board, the screen and the print pages are kept from the last
    build while what they are made from stays the same: a body edit imports
    none of their code (a third of a one-edit build's start-up); a new title
    on the home page, which shows the board, loads the board and makes them
    again.  Each build's output is that of a clean build."""
    (site.root / "data/banners.yaml").write_text(BANNER, encoding="utf-8")
    beginning = "正" * EXCERPT_CHARS + "。\n\n"  # as much as the screen may show of a text
    (site.root / "content/news/n3.md").write_text(
        article("动态3", date="2026-11-04", 标签="[安全]", body=beginning + "原来的结尾。\n"), encoding="utf-8")
    run(site.root)
    board_code = {"branchboard.board.figures", "branchboard.board.performance", "branchboard.board.data",
                  "branchboard.printing.pages", "branchboard.screen.pages",
                  "branchboard.screen.slides"}
    steps = [
        ("edit body past what the screen shows", lambda r: (r / "content/news/n3.md").write_text(
            article("动态3", date="2026-11-04", 标签="[安全]", body=beginning + "只改结尾。\n"), encoding="utf-8"),
         set()),
        ("new title on the home page", lambda r: (r / "content/news/n5.md").write_text(
            article("新标题", date="2026-11-06", 标签="[安全]"), encoding="utf-8"), board_code),
    ]
    for name, step, expected in steps:
        step(site.root)
        built = subprocess.run([sys.executable, "-c", LOADED, "build", "--site", str(site.root), "--now", "2026-11-25"],
                               cwd=PROJECT, capture_output=True, text=True, timeout=120)
        assert built.returncode == 0, built.stderr
        loaded = set(built.stdout.splitlines()[-1].split())
        assert loaded & board_code == expected, name
        assert snapshot(site.out) == clean_build(site.root, tmp_path), name


def test_a_body_edit_parses_no_yaml_and_still_shows_the_front_matter_s_warning(site, tmp_path):
    """site.yaml, the theme's files and an article's front matter found as an
    earlier build parsed them are not parsed again: a body edit does not even
    import the YAML parser, and the warning about the front matter is still
    shown; a front matter edit reads it again.  Each build's output is that
    of a clean build."""
    def edit(title: str, body: str) -> None:
        (site.root / "content/news/n3.md").write_text(
            article(title, date="2026-11-04", 标签="[安全]", 颜色="红", body=body), encoding="utf-8")

    edit("动态3", "第一版。\n")
    run(site.root)
    for name, title, body, parsed in [("edit body", "动态3", "第二版。\n", False),
                                      ("edit title", "改了标题", "第二版。\n", True)]:
        edit(title, body)
        built = subprocess.run([sys.executable, "-c", "import sys; from branchboard import cli; "
                                "cli.main(sys.argv[1:]); print('yaml' in sys.modules)",
                                "build", "--site", str(site.root), "--now", "2026-11-25"],
                               cwd=PROJECT, capture_output=True, text=True, timeout=120)
        assert built.returncode == 0, built.stderr
        assert built.stdout.splitlines()[-1] == str(parsed), name
        assert "content/news/n3.md:5" in built.stdout + built.stderr and "颜色" in built.stdout + built.stderr
        page = (site.out / "news/n3.html").read_text(encoding="utf-8")
        assert title in page and body.strip() in page, name
        assert snapshot(site.out) == clean_build(site.root, tmp_path), name


def test_a_slide_ending_within_the_day_leaves_the_screen_at_that_time(site, tmp_path):
    """Slides may end at a time of day: a later build takes them off the
    screen with no file changed, and the screen kept from an earlier build is
    used only between the moments around it (also when told an earlier time)."""
    text = (site.root / "site.yaml").read_text(encoding="utf-8")
    (site.root / "site.yaml").write_text(
        text + "screen:\n  slides:\n    - {type: articles, until: 2026-11-25 12:00}\n"
               "    - {type: articles, section: notices, until: 2026-11-25 15:00}\n", encoding="utf-8")
    at = lambda hour: NOW.replace(hour=hour)  # noqa: E731
    run(site.root, now=at(9))
    steps = [("edit body before noon", True, at(10)),
             ("nothing changed after the first slide ended", False, at(13)),
             ("edit body before the second ends", True, at(14)),
             ("told an earlier time", True, at(11))]
    for name, edit, now in steps:
        if edit:
            (site.root / "content/news/n3.md").write_text(
                article("动态3", date="2026-11-04", 标签="[安全]", body=f"{name}。\n"), encoding="utf-8")
        result = run(site.root, now=now)
        assert not result.unchanged, name
        assert snapshot(site.out) == clean_build(site.root, tmp_path, now), name
    kinds = lambda: re.findall(r'class="slide[^"]*" data-kind="(\w+)"',  # noqa: E731
                               (site.out / "screen/index.html").read_text(encoding="utf-8"))
    assert kinds() == ["articles", "articles", "fallback"]  # at 11:00
    run(site.root, now=at(16))
    assert kinds() == ["fallback"]


@pytest.mark.parametrize("damage", ["deleted", "garbage", "emptied"])
def test_a_damaged_html_store_costs_a_full_build_not_a_wrong_one(site, tmp_path, damage):
    store = site.root / ".cache/branchboard/bodies.sqlite"
    assert store.is_file()
    if damage == "deleted":
        store.unlink()
    elif damage == "garbage":
        store.write_bytes(b"not a database" * 100)
    else:
        import sqlite3
        with sqlite3.connect(store) as db:
            db.execute("DELETE FROM bodies")
        db.close()
    (site.root / "site.yaml").write_text(  # every page is rendered again: the HTML is needed
        "title: 改名了\npage_size: 4\nsections: [{id: news, title: 动态}, {id: notices, title: 通知}]\n",
        encoding="utf-8")
    run(site.root)
    assert snapshot(site.out) == clean_build(site.root, tmp_path)
    assert not run(site.root).rendered  # and the cache is whole again


def test_pages_rendered_by_helper_processes_equal_those_rendered_in_one(site, tmp_path, monkeypatch):
    import branchboard.build.pages as pages

    monkeypatch.setattr(pages, "PARALLEL_PAGES", 1)  # this small site renders in a pool too
    shutil.rmtree(site.out)
    run(site.root)
    parallel = snapshot(site.out)
    monkeypatch.setattr(pages, "PARALLEL_PAGES", 10 ** 9)
    assert parallel == clean_build(site.root, tmp_path)


def test_a_template_mistake_met_in_a_helper_process_is_reported_and_nothing_is_written(
        make_site, monkeypatch):
    import branchboard.build.pages as pages

    monkeypatch.setattr(pages, "PARALLEL_PAGES", 1)
    site = make_site({
        "site.yaml": "title: 测试\ntheme: mine\n",
        "themes/mine/theme.yaml": "extends: default\n",
        "themes/mine/templates/article.html": "{% extends \"base.html\" %}\n{% block content %}\n"
                                              "{{ article.no_such_field.title }}\n{% endblock %}\n",
        **{f"content/news/a{i}.md": article(f"文章{i}") for i in range(3)},
    })
    before = snapshot(site.root)
    with pytest.raises(BuildFailed) as failed:
        run(site.root)
    messages = [str(p) for p in failed.value.report.errors]
    assert len(messages) == 3 and all("themes/mine/templates/article.html:3" in m for m in messages), messages
    after = snapshot(site.root)
    assert {k: v for k, v in after.items() if not k.startswith(".cache/")} == before
    assert not [p for p in site.root.parent.iterdir() if ".staging-" in p.name]
    assert not [p for p in site.root.iterdir() if ".staging-" in p.name]


def test_a_site_with_warnings_keeps_its_cache(site):
    (site.root / "content/news/odd.md").write_text(  # an unknown field: a warning, kept in the cache
        "---\n标题: 多了一项\n日期: 2026-11-05\n心情: 好\n---\n正文。\n", encoding="utf-8")
    first = run(site.root)
    assert first.report.warnings
    again = run(site.root)
    assert again.unchanged and [str(w) for w in again.report.warnings] == [str(w) for w in first.report.warnings]
    (site.root / "content/news/n3.md").write_text(
        article("动态3", date="2026-11-04", 标签="[安全]", body="只改正文。\n"), encoding="utf-8")
    edited = run(site.root)
    # the article, and the screen page, whose slides show the beginning of bodies
    assert edited.rendered == 2 and [str(w) for w in edited.report.warnings] == [str(w) for w in first.report.warnings]


def test_a_change_the_watcher_never_reported_is_found_by_the_next_full_look(site):
    files = SiteFiles()
    cache = BuildCache.load(site.root)
    cache.memo.files = files
    run(site.root, cache=cache)
    (site.root / "content/news/n3.md").write_text(article("没人报告的修改", date="2026-11-04"), encoding="utf-8")
    run(site.root, cache=cache)  # told nothing, walked a moment ago: not seen yet
    assert "没人报告的修改" not in (site.out / "news/n3.html").read_text(encoding="utf-8")
    files.max_age = 0  # the last walk is now too old
    run(site.root, cache=cache)
    assert "没人报告的修改" in (site.out / "news/n3.html").read_text(encoding="utf-8")


def converted(monkeypatch) -> list:
    """Records the article of every body converted from Markdown."""
    import branchboard.build.bodies as bodies

    seen = []
    original = bodies.convert_one
    monkeypatch.setattr(bodies, "convert_one", lambda ctx, renderer, source, *rest:
                        seen.append(source) or original(ctx, renderer, source, *rest))
    return seen


def edit_body(root: Path, n: int, text: str) -> None:
    (root / f"content/news/n{n}.md").write_text(
        article(f"动态{n}", date=f"2026-11-{n + 1:02d}", 标签="[安全]", body=f"{text}\n"), encoding="utf-8")


def test_a_one_edit_build_adds_its_changes_to_the_journal_and_the_next_build_reads_them(
        site, tmp_path, monkeypatch):
    folder = site.root / ".cache/branchboard"
    index = (folder / "index.pickle").read_bytes()
    seen = converted(monkeypatch)
    edit_body(site.root, 3, "第一次改。")
    run(site.root)
    assert seen == ["news/n3.md"]
    assert (folder / "index.pickle").read_bytes() == index  # the index itself is not written again
    journal = (folder / "index.journal").stat().st_size
    assert 0 < journal < len(index)
    seen.clear()
    edit_body(site.root, 4, "第二次改。")
    run(site.root)  # a new process's cache: the index and what the journal adds to it
    assert seen == ["news/n4.md"]  # n3's new body came back from the journal
    assert (folder / "index.journal").stat().st_size > journal
    assert snapshot(site.out) == clean_build(site.root, tmp_path)


def test_a_journal_record_cut_short_costs_only_its_own_work(site, tmp_path, monkeypatch):
    folder = site.root / ".cache/branchboard"
    edit_body(site.root, 3, "改了。")
    run(site.root)
    journal = folder / "index.journal"
    journal.write_bytes(journal.read_bytes()[:-5])  # a build stopped while writing it
    seen = converted(monkeypatch)
    edit_body(site.root, 4, "也改了。")
    run(site.root)
    assert sorted(seen) == ["news/n3.md", "news/n4.md"]
    assert snapshot(site.out) == clean_build(site.root, tmp_path)
    seen.clear()
    (site.root / "site.yaml").write_text(  # every page again, every body from the cache
        "title: 改名了\npage_size: 4\nsections: [{id: news, title: 动态}, {id: notices, title: 通知}]\n",
        encoding="utf-8")
    run(site.root)
    assert seen == []


def test_a_grown_journal_is_folded_into_the_index(site, tmp_path, monkeypatch):
    import branchboard.build.cache as cache

    monkeypatch.setattr(cache, "JOURNAL_MIN", 0)  # the index's eighth is the only limit
    for i in range(60):  # an index some records long
        (site.root / f"content/notices/m{i}.md").write_text(article(f"通知{i}", date="2026-10-01"), encoding="utf-8")
    run(site.root)
    folder = site.root / ".cache/branchboard"
    index = (folder / "index.pickle").read_bytes()
    journals = []
    for n in range(8):
        edit_body(site.root, n % 6, f"第{n}次改。")
        run(site.root)
        journals.append((folder / "index.journal").stat().st_size if (folder / "index.journal").exists() else 0)
    assert 0 in journals and max(journals) > 0, journals  # it grew, and was folded in
    assert max(journals) <= len(index) // 8 + 4096
    assert (folder / "index.pickle").read_bytes() != index
    seen = converted(monkeypatch)
    (site.root / "site.yaml").write_text(
        "title: 改名了\npage_size: 4\nsections: [{id: news, title: 动态}, {id: notices, title: 通知}]\n",
        encoding="utf-8")
    run(site.root)
    assert seen == []  # all the edits' bodies are in the index or its journal
    assert snapshot(site.out) == clean_build(site.root, tmp_path)


def test_the_html_store_keeps_only_the_bodies_in_use(site):
    import sqlite3

    def stored() -> int:
        db = sqlite3.connect(site.root / ".cache/branchboard/bodies.sqlite")
        try:
            return db.execute("SELECT COUNT(*) FROM bodies").fetchone()[0]
        finally:
            db.close()

    assert stored() == 7  # six news and a notice
    for n in range(4):
        edit_body(site.root, 3, f"第{n}次改。")
        run(site.root)
        assert stored() == 7
    (site.root / "content/news/n5.md").unlink()
    run(site.root)
    assert stored() == 6


def test_the_saved_index_keeps_no_markdown_and_forgets_a_deleted_article(site):
    def index_on_disk() -> dict:
        cache = BuildCache.load(site.root)  # what a new process reads: index and journal
        return cache._store()

    for step in ("journal", "whole"):  # past the beginning the screen shows, which the index keeps
        edit_body(site.root, 3, "正" * EXCERPT_CHARS + f"。\n\n独一无二的正文{step}。")
        (site.root / "content/news/n5.md").unlink(missing_ok=True)
        if step == "whole":
            (site.root / ".cache/branchboard/index.pickle").unlink()  # the next save writes it whole
        run(site.root)
        index = index_on_disk()
        kept = [entry[1] for entry in index["sources"].values()] + [s for s, _a in index["articles"].values()]
        assert kept and all(source.body is None for source in kept), step
        assert "news/n5.md" not in index["sources"] and "news/n5.md" not in index["articles"], step
        assert "news/n3.md" in index["articles"], step
        for name in ("index.pickle", "index.journal"):
            path = site.root / ".cache/branchboard" / name
            assert not path.exists() or f"独一无二的正文{step}".encode() not in path.read_bytes(), (step, name)


def test_the_build_id_changes_exactly_when_a_page_does(site, tmp_path):
    """Pages served over HTTP reload when build-id.txt changes: an edit
    changes it, taking the edit back brings the first one back, and a clean
    build of the same files (pages listed in another order) writes the same."""
    from branchboard.build.write import Outputs

    first = (site.out / "build-id.txt").read_text(encoding="utf-8")
    edit_body(site.root, 3, "改了。")
    run(site.root)
    assert (site.out / "build-id.txt").read_text(encoding="utf-8") != first
    edit_body(site.root, 3, "正文3。\n\n[相关](n2.md)")  # as it was
    run(site.root)
    assert (site.out / "build-id.txt").read_text(encoding="utf-8") == first
    assert clean_build(site.root, tmp_path)["build-id.txt"] == first.encode("utf-8")
    one, other = Outputs(), Outputs()
    one.keys.update({"a.html": "1", "b.html": "2"})
    other.keys.update({"b.html": "2", "a.html": "1"})
    assert one.build_id() == other.build_id()
    other.keys["a.html"] = "3"
    assert one.build_id() != other.build_id()
    other.keys.update({"a.html": "2", "b.html": "1"})  # the same keys on other pages
    assert one.build_id() != other.build_id()


def test_no_article_s_markdown_outlives_its_conversion(site, monkeypatch):
    """Once converted, an article's Markdown is let go of (at 5,000 articles
    it is ~30 MB of a cold build's peak), also by what serve keeps in memory
    from one build to the next."""
    import gc
    import weakref

    import branchboard.build.pipeline as pipeline

    texts = []
    original = pipeline.read_sources

    def read_sources(*args, **kwargs):
        sources, assets = original(*args, **kwargs)
        texts.extend(weakref.ref(s) for s in sources if s.body is not None)
        return sources, assets

    monkeypatch.setattr(pipeline, "read_sources", read_sources)
    shutil.rmtree(site.root / ".cache")
    cache = BuildCache.load(site.root)  # kept, as serve keeps it
    run(site.root, cache=cache)
    edit_body(site.root, 3, "改了。")
    run(site.root, cache=cache)
    gc.collect()
    assert len(texts) == 8  # every article read in the first build, the edited one in the second
    assert [ref().rel for ref in texts if ref() is not None] == []
