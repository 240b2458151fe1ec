"""The output folder: swapped in whole, guarded by its marker, opening anywhere."""

from __future__ import annotations

import http.server
import os
import threading
import urllib.request
from functools import partial

from conftest import article, hint_command, snapshot



def test_build_refuses_a_non_empty_folder_it_did_not_make(make_site, tmp_path):
    precious = tmp_path / "home"
    precious.mkdir()
    (precious / "工作总结.docx").write_bytes(b"important")
    site = make_site({"content/news/a.md": article("甲")})
    result = site.run("build", "--out", str(precious))
    assert result.code == 1 and "Traceback" not in result.text
    assert "不是 branchboard 生成的" in result.err
    assert snapshot(precious) == {"工作总结.docx": b"important"}


def test_build_refuses_the_site_folder_itself(make_site):
    site = make_site({"content/news/a.md": article("甲")})
    before = snapshot(site.root)
    result = site.run("build", "--out", str(site.root))
    assert result.code == 1
    assert snapshot(site.root) == before


def test_the_cache_lives_under_the_site_and_is_safe_to_delete(make_site):
    import shutil

    site = make_site({"content/news/a.md": article("甲")})
    site.build()
    first = snapshot(site.out)
    assert (site.root / ".cache" / "branchboard").is_dir()
    shutil.rmtree(site.root / ".cache")
    shutil.rmtree(site.out)
    site.build()
    assert snapshot(site.out) == first


def test_rebuild_replaces_the_whole_output_and_prunes_stale_files(make_site):
    site = make_site({"content/news/a.md": article("甲"), "content/news/b.md": article("乙")})
    site.build()
    assert (site.out / ".branchboard-output").is_file()
    (site.root / "content/news/b.md").unlink()
    site.build()
    assert not (site.out / "news/b.html").exists()
    assert (site.out / "news/a.html").exists()
    leftovers = [p.name for p in site.root.iterdir() if p.name.startswith(".public")]
    assert leftovers == []


def test_build_never_modifies_the_sources(make_site):
    site = make_site({"content/news/a.md": article("甲", 封面="images/c.svg"),
                      "content/news/images/c.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>"})
    before = {k: v for k, v in snapshot(site.root).items()}
    site.build()
    (site.out / "news/images/c.svg").write_text("changed in output", encoding="utf-8")
    after = {k: v for k, v in snapshot(site.root).items() if not k.startswith(("public/", ".cache/"))}
    assert after == before


def test_usage_errors_exit_2(make_site, tmp_path):
    site = make_site()
    for day in ("tomorrow", "2026-13-01", "2026-02-30", "26-11-25", ""):
        result = site.run("build", "--now", day)
        assert result.code == 2 and "不是日期，请写成 2026-11-25" in result.err, (day, result.text)
    assert site.run("explode").code == 2
    result = site.run("build", "--site", str(tmp_path / "nowhere"))
    assert result.code == 2 and "没有 site.yaml" in result.err


def test_help_and_usage_mistakes_are_in_chinese(make_site):
    site = make_site()
    for args in (("-h",), ("build", "-h"), ("serve", "--help"), ("new", "article", "-h")):
        result = site.run(*args)
        assert result.code == 0 and result.out.startswith(f"用法：{hint_command(site.root)} "), (args, result.text)
        assert "显示这段说明" in result.out and "选项" in result.out, (args, result.out)
        for english in ("usage:", "options:", "show this help", "positional arguments"):
            assert english not in result.out, (args, english)
    result = site.run("explode")
    assert result.code == 2 and "用法错误：命令：无效的选项" in result.err and "可选" in result.err, result.err
    assert "argument" not in result.err and "choose from" not in result.err


def test_plain_build_py_means_build(make_site):
    site = make_site({"content/news/a.md": article("甲")})
    result = site.run("--now", "2026-11-25")
    assert result.code == 0, result.text
    assert (site.out / "news/a.html").is_file()


def test_the_day_given_decides_what_is_published(make_site):
    """--now takes the day as the secretary writes it, with or without leading zeros."""
    site = make_site({"content/news/a.md": article("甲", date="2026-01-02", 发布="2026-01-05")})
    assert site.run("build", "--now", "2026-1-4").code == 0
    assert not (site.out / "news/a.html").exists()
    assert site.run("build", "--now", "2026-1-5").code == 0
    assert (site.out / "news/a.html").is_file()


def test_a_build_s_last_words_and_exit_code_reach_a_pipe(make_site):
    """build and check end the process at once when done: what they printed
    must still arrive in full, warnings and errors too, with the right code."""
    site = make_site({"content/news/a.md": "---\n标题: 甲\n日期: 2026-11-01\n心情: 好\n---\n正文。\n"})
    buffered = {"PYTHONUNBUFFERED": ""}  # as a pipe normally is: printed text waits in a buffer
    built = site.run("build", "--now", "2026-11-25", env=buffered)
    assert built.code == 0 and "心情" in built.err and built.out.rstrip().endswith("index.html 查看。"), built.text
    checked = site.run("check", "--now", "2026-11-25", env=buffered)
    assert checked.code == 0 and checked.out.startswith("检查完毕"), checked.text
    site.write("content/news/b.md", "---\n标题: 乙\n日期: 二〇二六年\n---\n")
    failed = site.run("build", "--now", "2026-11-25", env=buffered)
    assert failed.code == 1 and "content/news/b.md:3" in failed.err and "上一次生成的网站保持不变" in failed.err, failed.text


def test_a_reader_that_stops_after_the_first_line_gets_no_traceback(make_site):
    """`python build.py | head -1`: the build's last line finds the pipe
    closed; it ends quietly (the site is built all the same)."""
    import subprocess
    import sys

    from conftest import BUILD_PY

    site = make_site({"content/news/a.md": article("甲")})
    proc = subprocess.Popen([sys.executable, str(BUILD_PY), "build", "--site", str(site.root), "--now", "2026-11-25"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})  # each line written as printed
    first = proc.stdout.readline().decode("utf-8")
    proc.stdout.close()  # as `head -1` does
    err = proc.stderr.read().decode("utf-8")
    proc.wait(timeout=60)
    assert first.startswith("生成完毕") and "Traceback" not in err, err
    assert (site.out / "news/a.html").is_file()


def test_a_build_run_inside_a_longer_process_leaves_the_cycle_collector_on(make_site):
    """A one-shot build keeps Python's cycle collector off to its end; called
    from a process that goes on (a test, a script), the collector is on again
    after it, as it was found, also when the build fails."""
    import gc

    from branchboard import cli

    site = make_site({"content/news/a.md": article("甲")})
    assert gc.isenabled()
    assert cli.main(["build", "--site", str(site.root), "--now", "2026-11-25"]) == cli.EXIT_OK
    assert gc.isenabled()
    site.write("content/news/b.md", "---\n标题: 乙\n日期: 二〇二六年\n---\n")
    assert cli.main(["build", "--site", str(site.root), "--now", "2026-11-25"]) == cli.EXIT_CONTENT
    assert gc.isenabled()


def test_reproducible_with_a_fixed_day(make_site, tmp_path):
    site = make_site({"content/news/a.md": article("甲", 标签="[一, 二]")})
    site.build("--out", str(tmp_path / "one"))
    site.build("--out", str(tmp_path / "two"))
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")


def test_chinese_names_with_spaces_work_over_http(make_site):
    site = make_site({"content/news/2026 主题 党日.md": article("党日", 封面="images/封 面.svg"),
                      "content/news/images/封 面.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>"})
    site.build()
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(site.out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_port}/"
        listing = site.page("news/index.html")
        href = listing.select_one(".card-title a")["href"]
        with urllib.request.urlopen(base + "news/" + href, timeout=5) as resp:
            page = resp.read().decode("utf-8")
        assert "<h1>党日</h1>" in page
        from bs4 import BeautifulSoup
        src = BeautifulSoup(page, "html.parser").select_one(".cover img")["src"]
        with urllib.request.urlopen(base + "news/" + src, timeout=5) as resp:
            assert resp.status == 200
    finally:
        server.shutdown()
        server.server_close()


def test_editor_leftovers_beside_data_photos_are_not_published(make_site):
    svg = "<svg xmlns='http://www.w3.org/2000/svg'/>"
    site = make_site({"data/photos/王建国.svg": svg, "data/photos/王建国.svg~": svg,
                      "data/photos/.王建国.svg.swp": "x", "data/photos/#王建国.svg#": svg})
    site.build()
    assert sorted(p.name for p in (site.out / "data/photos").iterdir()) == ["王建国.svg"]
