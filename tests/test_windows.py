"""What a Windows PC does differently, made to happen here.

Backslashed paths, a PDF reader holding a file in the output open, a GBK
console, and worker processes that are spawned because there is no fork.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath, PureWindowsPath

import jinja2
import pytest

from branchboard import cli
from branchboard.build import write
from branchboard.build.markup import relative_url
from branchboard.build.render import url
from conftest import BUILD_PY, PROJECT, article, snapshot


# ------------------------------------------------------------ URLs have "/"

def test_paths_windows_writes_with_backslashes_become_addresses_with_slashes():
    page, target = PureWindowsPath(r"tags\安全\index.html"), PureWindowsPath(r"news\2026\党日 1.html")
    assert relative_url(target, page) == "../../news/2026/%E5%85%9A%E6%97%A5%201.html"
    assert relative_url(str(target), str(page)) == relative_url(target.as_posix(), page.as_posix())
    assert relative_url(PureWindowsPath(r"static\screen.css"), PurePosixPath("screen/index.html")) \
        == "../static/screen.css"
    assert relative_url("news\\", "index.html") == "news/index.html"


def test_the_url_filter_makes_slashes_of_a_windows_path_a_template_is_given():
    env = jinja2.Environment()
    env.filters["url"] = url
    template = env.from_string('<a href="{{ target | url }}">')
    html = template.render(target=PureWindowsPath(r"news\images\党日.jpg"), page_path=r"news\a.html")
    assert html == '<a href="images/%E5%85%9A%E6%97%A5.jpg">'


def test_no_address_in_a_built_site_has_a_backslash(make_site):
    site = make_site({
        "content/news/2026/2026-11-20 党日.md": article("党日", 封面="images/党 日.svg", 标签="[组织生活]",
                                                      body="![合影](images/党 日.svg)\n\n[通知](../../notices/n.md)\n"),
        "content/news/2026/images/党 日.svg": "<svg xmlns='http://www.w3.org/2000/svg' width='8' height='4'/>",
        "content/notices/n.md": article("通知"),
    })
    site.build()
    pages = list(site.out.rglob("*.html"))
    assert len(pages) > 5
    for page in pages:
        soup = site.page(page.relative_to(site.out).as_posix())
        for tag in soup.find_all(["a", "img", "link", "script"]):
            for attr in ("href", "src", "srcset"):
                value = tag.get(attr) or ""
                assert "\\" not in value and "%5C" not in value.upper(), (page, tag)


# ------------------------------------------- a file held open in the output

@pytest.fixture
def held_pdf(make_site, monkeypatch):
    """A built site whose print PDF a reader holds open, as Windows treats
    that: the output folder cannot be renamed and the PDF cannot be opened
    for writing (os.replace and os.open refuse, as they do there)."""
    site = make_site({"content/news/a.md": article("第一篇"), "data/banners.yaml": "- 内容: 安全第一\n  尺寸: 600x70cm\n"})
    site.build()
    pdf = next(site.out.glob("print/*.html")).with_suffix(".pdf")
    pdf.write_bytes(b"%PDF-1.4 printed earlier")
    shutil.rmtree(site.root / ".cache")  # the next build is a whole one, swapped in
    monkeypatch.setattr(write, "SWAP_PAUSES", (0, 0, 0))
    return site, pdf


def refuse_while(refusals: list, out: Path, pdf: Path, monkeypatch) -> None:
    """os.replace of ``out`` refused while ``refusals`` has items (each is used up)."""
    real_replace, real_open = os.replace, os.open

    def replace(src, dst, **kw):
        if Path(src) == out.resolve() and refusals:
            refusals.pop()
            raise PermissionError(errno.EACCES, "Access is denied", str(src))
        return real_replace(src, dst, **kw)

    def open_(path, flags, *args, **kw):
        if Path(path) == pdf and flags & os.O_RDWR:
            raise PermissionError(errno.EACCES, "The process cannot access the file", str(path))
        return real_open(path, flags, *args, **kw)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(os, "open", open_)


def test_an_output_file_held_open_is_named_and_the_last_output_kept(held_pdf, monkeypatch, capsys):
    site, pdf = held_pdf
    site.write("content/news/b.md", article("第二篇"))
    before = snapshot(site.out)
    refusals = ["held"] * (len(write.SWAP_PAUSES) + 1)
    refuse_while(refusals, site.out, pdf, monkeypatch)
    code = cli.main(["build", "--site", str(site.root), "--now", "2026-11-25"])
    err = capsys.readouterr().err
    assert code == cli.EXIT_CONTENT and refusals == []
    rel = f"public/print/{pdf.name}"
    assert f"{rel}: 错误：这个文件正被别的程序打开（例如 PDF 阅读器" in err
    assert "请关闭那个程序" in err and "上一次生成的网站保持不变" in err and "Traceback" not in err
    assert snapshot(site.out) == before
    assert sorted(p.name for p in site.root.iterdir() if p.name.startswith(".public")) == []


def test_a_refusal_that_clears_on_the_next_try_is_no_failure(held_pdf, monkeypatch, capsys):
    site, pdf = held_pdf
    site.write("content/news/b.md", article("第二篇"))
    refusals = ["virus scanner"]
    refuse_while(refusals, site.out, pdf, monkeypatch)
    assert cli.main(["build", "--site", str(site.root), "--now", "2026-11-25"]) == cli.EXIT_OK
    assert refusals == [] and "生成完毕" in capsys.readouterr().out
    assert "第二篇" in (site.out / "news" / "b.html").read_text(encoding="utf-8")


def test_an_update_in_place_waits_for_a_held_pdf_and_changes_nothing(make_site, monkeypatch, capsys):
    """With the cache kept, the build changes the output in place: a banner
    changed means its print page is rewritten and its PDF removed; while a
    reader holds that PDF, nothing at all is written."""
    site = make_site({"content/news/a.md": article("第一篇"), "data/banners.yaml": "- 内容: 安全第一\n  尺寸: 600x70cm\n"})
    site.build()
    pdf = next(site.out.glob("print/*.html")).with_suffix(".pdf")
    pdf.write_bytes(b"%PDF-1.4 printed earlier")
    site.write("data/banners.yaml", "- 内容: 安全第二\n  尺寸: 600x70cm\n")
    site.write("content/news/b.md", article("第二篇"))
    before = snapshot(site.out)
    monkeypatch.setattr(write, "SWAP_PAUSES", (0, 0, 0))
    refused = []
    real_open = os.open

    def open_(path, flags, *args, **kw):
        if Path(path) == pdf and flags & os.O_RDWR:
            refused.append(path)
            raise PermissionError(errno.EACCES, "The process cannot access the file", str(path))
        return real_open(path, flags, *args, **kw)

    monkeypatch.setattr(os, "open", open_)
    code = cli.main(["build", "--site", str(site.root), "--now", "2026-11-25"])
    err = capsys.readouterr().err
    assert code == cli.EXIT_CONTENT and len(refused) == len(write.SWAP_PAUSES) + 1
    assert f"public/print/{pdf.name}: 错误：这个文件正被别的程序打开" in err and "Traceback" not in err
    assert snapshot(site.out) == before and not (site.out / write.WRITING).exists()
    monkeypatch.setattr(os, "open", real_open)  # the reader is closed: the next build goes through
    assert cli.main(["build", "--site", str(site.root), "--now", "2026-11-25"]) == cli.EXIT_OK
    assert not pdf.exists() and "第二篇" in (site.out / "news" / "b.html").read_text(encoding="utf-8")


# ----------------------------------------------------------- a GBK console

def run_gbk(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "gbk"}
    return subprocess.run([sys.executable, str(BUILD_PY), *args], cwd=cwd, env=env,
                          capture_output=True, timeout=120)


def test_a_gbk_console_shows_what_it_can_and_the_exit_code_is_right(make_site, tmp_path):
    site = make_site({"content/news/好😀.md": article("安全😀生产")})
    folder = site.root.rename(tmp_path / "宣传栏😀")  # printed in "打开 …/index.html 查看"
    built = run_gbk("build", "--site", str(folder), "--now", "2026-11-25", cwd=tmp_path)
    out, err = built.stdout.decode("gbk"), built.stderr.decode("gbk")
    assert built.returncode == 0, err
    assert "生成完毕" in out and "宣传栏?" in out and "Traceback" not in err
    (folder / "content/news/坏😀.md").write_text("---\n标题: [坏\n---\n", encoding="utf-8")
    checked = run_gbk("check", "--site", str(folder), "--now", "2026-11-25", cwd=tmp_path)
    err = checked.stderr.decode("gbk")
    assert checked.returncode == 1 and "content/news/坏" in err and "发现 1 个错误" in err
    assert "Traceback" not in err and "UnicodeEncodeError" not in err


# ------------------------------------------------- no fork: spawned workers

SPAWN_ONLY = """\
import multiprocessing, os
multiprocessing.get_all_start_methods = lambda: ["spawn"]  # as on Windows
from branchboard import parallel
from branchboard.build import bodies
from branchboard.site import content
content.PARALLEL_READS = bodies.PARALLEL_MIN = 2  # this small site takes the parallel paths
parallel.workers = lambda: 2
_real = multiprocessing.get_context
def _spy(method=None):
    with open(os.environ["SPAWN_LOG"], "a") as log:
        log.write(f"{method}\\n")
    return _real(method)
parallel.multiprocessing.get_context = _spy
"""


def test_a_build_without_fork_writes_the_same_bytes(make_site, tmp_path):
    files = {f"content/news/n{i:02d}.md": article(f"动态{i}", body=f"正文{i}，见[下一条](n{(i + 1) % 12:02d}.md)。\n")
             for i in range(12)}
    site = make_site(files)
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(SPAWN_ONLY, encoding="utf-8")
    log = tmp_path / "spawn.log"
    outputs = {}
    for name, env in (("fork", {}), ("spawn", {"PYTHONPATH": f"{hook}{os.pathsep}{PROJECT}", "SPAWN_LOG": str(log)})):
        result = site.run("build", "--now", "2026-11-25", "--out", str(tmp_path / name), env=env)
        assert result.code == 0, result.text
        outputs[name] = snapshot(tmp_path / name)
        shutil.rmtree(site.root / ".cache", ignore_errors=True)  # each build from nothing
    assert log.read_text().split() == ["spawn", "spawn"]  # front matter and Markdown in spawned workers
    assert outputs["spawn"] == outputs["fork"] and len(outputs["fork"]) > 12
