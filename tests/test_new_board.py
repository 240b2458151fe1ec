"""`new board DIR`: a complete, empty board that builds at once, every link in
it resolving and no empty slide on the screen; asked on a terminal or given
as options; never written over a folder that holds anything."""

from __future__ import annotations

import os
import posixpath
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from branchboard.site.yamlio import loader_class
from conftest import BUILD_PY, PROJECT, Site, hint_command, snapshot
from test_example_site import all_urls
from test_new import fill_in


NOW = ("--now", "2026-11-25")


def load(text: str):
    """YAML as the secretary wrote it, dates left as text."""
    return yaml.load(text, Loader=loader_class())


def new_board(tmp_path: Path, *options: str, stdin=subprocess.DEVNULL) -> tuple[Site, subprocess.CompletedProcess]:
    """Run `new board` as a script does (no terminal), in tmp_path, for the folder 机电队."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run([sys.executable, str(BUILD_PY), "new", "board", "机电队", *options, *NOW],
                          cwd=tmp_path, stdin=stdin, capture_output=True, text=True, encoding="utf-8",
                          env=env, timeout=120)
    return Site(tmp_path / "机电队"), proc


def assert_links_resolve(out: Path) -> int:
    """Every href and src of every page names a file of the output; how many were checked."""
    checked = 0
    for page, tag, url in all_urls(out):
        parts = urlsplit(url)
        if tag == "style" or not parts.path or (tag == "a" and parts.scheme):
            continue
        assert not parts.scheme and not url.startswith("/"), f"{page}: {url}"
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(parts.path)))
        assert (out / target).is_file(), f"{page}: {url} -> {target} does not exist"
        checked += 1
    return checked


def assert_no_empty_slide(site: Site) -> list[str]:
    """Every slide of the screen page has something to read; the kinds, in order."""
    slides = site.page("screen/index.html").select("section.slide")
    for slide in slides:
        assert slide.get_text(strip=True), slide
        if slide["data-kind"] != "fallback":
            items = slide.select("li.item")
            assert items and all(item.get_text(strip=True) for item in items), slide
    return [s["data-kind"] for s in slides]


def assert_tidy_home(site: Site) -> None:
    main = site.page("index.html").find("main")
    for box in main.select("section, div, ul"):
        assert box.get_text(strip=True), box


def test_a_new_board_from_options_builds_and_every_link_resolves(tmp_path):
    site, proc = new_board(tmp_path, "--name", "机电队党支部", "--yes")

    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and "错误" not in proc.stdout + proc.stderr
    assert "--site 机电队" in proc.stdout and f"{hint_command(tmp_path)} edit" in proc.stdout
    assert not (site.root / "themes").exists()
    schemas = {p.name for p in (PROJECT / "themes/default/schemas").glob("*.yaml")}
    assert {p.name for p in (site.root / "data").glob("*.yaml")} == schemas
    assert {p.name for p in (site.root / "content").iterdir()} == {"news", "notices", "study", "experience"}
    assert len(list((site.root / "content").rglob("*.md"))) == 1
    config = load((site.root / "site.yaml").read_text(encoding="utf-8"))
    assert config["title"] == "机电队党支部宣传栏"
    assert assert_links_resolve(site.out) > 20
    assert assert_no_empty_slide(site) == ["articles", "fallback"]
    assert_tidy_home(site)
    assert "还没有表彰记录" in site.page("board/honors.html").get_text()


def test_the_data_files_hold_no_entry_and_their_examples_are_comments(tmp_path):
    site, proc = new_board(tmp_path, "--name", "机电队党支部", "--yes")
    assert proc.returncode == 0, proc.stderr
    for path in (site.root / "data").glob("*.yaml"):
        doc = load(path.read_text(encoding="utf-8"))
        lists = [doc] if not isinstance(doc, dict) else [v for k, v in doc.items() if k != "班组"]
        assert all(not value for value in lists), path.name
        assert "写好的" in path.read_text(encoding="utf-8") or path.name in ("performance.yaml", "study.yaml")


def test_an_article_and_a_filled_in_honor_join_the_new_board(tmp_path):
    site, proc = new_board(tmp_path, "--name", "机电队党支部", "--teams", "机电一班、维修班", "--yes")
    assert proc.returncode == 0, proc.stderr
    assert site.run("new", "article", "支部动态", "十一月主题党日", *NOW).code == 0
    assert site.run("new", "honor", *NOW).code == 0
    assert site.run("build", *NOW).code == 1  # 待填写 never goes live
    fill_in(site)

    site.build()

    assert assert_links_resolve(site.out) > 20
    assert assert_no_empty_slide(site) == ["honors", "articles", "fallback"]
    assert "2026年11月" in site.page("board/honors.html").get_text()
    assert_tidy_home(site)


def test_the_answers_fill_the_board_and_the_study_line_reaches_the_ticker(tmp_path):
    site, proc = new_board(tmp_path, "--name", "机电队党支部", "--unit", "红旗煤矿", "--secretary", "李明",
                           "--teams", "机电一班，机电二班 维修班", "--study", "每周三、周五 16:30 队部会议室",
                           "--screen", "竖", "--yes")
    assert proc.returncode == 0, proc.stderr
    config = load((site.root / "site.yaml").read_text(encoding="utf-8"))
    assert config["organization"] == "红旗煤矿机电队党支部" and "李明" in config["footer"]
    assert config["ticker"] == []
    perf = load((site.root / "data/performance.yaml").read_text(encoding="utf-8"))
    assert perf["班组"] == ["机电一班", "机电二班", "维修班"]
    study = load((site.root / "data/study.yaml").read_text(encoding="utf-8"))
    assert study["安排"]["星期"] == ["周三", "周五"] and study["安排"]["地点"] == "队部会议室"
    screen = site.page("screen/index.html")
    assert [t.get_text() for t in screen.select(".ticker-copy")[0].select(".ticker-item")] == [
        "学习培训每周三、周五 16:30 在队部会议室，请党员按时参加"]
    assert assert_no_empty_slide(site) == ["study", "articles", "fallback"]
    assert "下次学习" in site.page("index.html").get_text()


def test_without_a_terminal_or_a_name_nothing_is_asked_and_the_option_is_named(tmp_path):
    site, proc = new_board(tmp_path)
    assert proc.returncode == 2 and "--name" in proc.stderr and "Traceback" not in proc.stderr
    assert not site.root.exists()
    site, proc = new_board(tmp_path, "--name", "机电队党支部")
    assert proc.returncode == 0, proc.stderr
    assert "默认值" in proc.stdout and "--teams" in proc.stdout


def test_a_folder_with_anything_in_it_is_refused_and_left_alone(tmp_path):
    (tmp_path / "机电队").mkdir()
    (tmp_path / "机电队/笔记.txt").write_text("书记的笔记", encoding="utf-8")
    before = snapshot(tmp_path)
    _site, proc = new_board(tmp_path, "--name", "机电队党支部", "--yes")
    assert proc.returncode == 1 and "已经存在" in proc.stderr and "Traceback" not in proc.stderr
    assert snapshot(tmp_path) == before


def test_an_empty_folder_is_taken(tmp_path):
    (tmp_path / "机电队").mkdir()
    site, proc = new_board(tmp_path, "--name", "机电队党支部", "--yes")
    assert proc.returncode == 0, proc.stderr
    assert (site.out / "index.html").is_file()


def test_an_answer_that_cannot_be_read_is_a_usage_error_naming_the_option(tmp_path):
    site, proc = new_board(tmp_path, "--name", "机电队党支部", "--study", "队部会议室", "--screen", "斜", "--yes")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "--study" in proc.stderr and "--screen" in proc.stderr
    assert not site.root.exists()


def run_on_a_terminal(args: list[str], typed: str, cwd: Path) -> tuple[int, str]:
    """Run the command with a pseudo-terminal as stdin and stdout, typing ``typed``."""
    import pty
    import select

    controller, terminal = pty.openpty()
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.Popen([sys.executable, str(BUILD_PY), *args], cwd=cwd, env=env,
                            stdin=terminal, stdout=terminal, stderr=terminal, close_fds=True)
    os.close(terminal)
    os.write(controller, typed.encode("utf-8"))
    output = b""
    while True:
        ready, _, _ = select.select([controller], [], [], 120)
        if not ready:
            proc.kill()
            break
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the other end closed: the command has finished
            break
        if not chunk:
            break
        output += chunk
    os.close(controller)
    return proc.wait(timeout=120), output.decode("utf-8", "replace")


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_the_questions_are_asked_on_a_terminal_and_a_bad_answer_is_asked_again(tmp_path):
    typed = "机电队党支部\n红旗煤矿\n李明\n机电一班、维修班\n队部\n每周四 16:00 党员活动室\n竖\n"
    code, output = run_on_a_terminal(["new", "board", "机电队", *NOW], typed, tmp_path)

    assert code == 0, output
    assert "支部名称" in output and "学习日与时间地点" in output and "请重新输入" in output
    site = Site(tmp_path / "机电队")
    study = load((site.root / "data/study.yaml").read_text(encoding="utf-8"))
    assert study["安排"] == {"星期": ["周四"], "时间": "16:00", "地点": "党员活动室", "主讲": "李明",
                            "开始": "2026-11-25"}
    assert "竖屏" in (site.root / "site.yaml").read_text(encoding="utf-8")
    assert (site.out / "screen/index.html").is_file()


def test_no_sections_and_no_articles_still_make_a_tidy_board(tmp_path):
    site, proc = new_board(tmp_path, "--name", "机电队党支部", "--yes")
    assert proc.returncode == 0, proc.stderr
    for article in (site.root / "content").rglob("*.md"):
        article.unlink()
    config = site.root / "site.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text[:text.index("sections:")] + "sections: []\n" + text[text.index("\n# 光荣榜"):],
                      encoding="utf-8")

    site.build()

    assert assert_links_resolve(site.out) > 10
    assert assert_no_empty_slide(site) == ["fallback"]
    assert_tidy_home(site)
    assert "宣传栏还没有发布内容" in site.page("index.html").get_text()
