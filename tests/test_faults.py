"""The README's promises, tested by breaking things.

A build killed or interrupted at any point, a full disk, a damaged cache and
two builds at once must never leave wrong pages: the next build repairs
whatever was left, byte for byte as a clean build, and leaves nothing stray
beside the output folder and no process behind.
"""

from __future__ import annotations

import errno
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from branchboard.build import write
from branchboard.build.pipeline import Options, build
from branchboard.locks import site_lock
from conftest import BUILD_PY, MINIMAL_SITE, article, snapshot

NOW = "2026-11-25"
LINUX = sys.platform.startswith("linux")


def make_big_site(root: Path, count: int = 160, footer: str = "原煤洗选队党支部") -> Path:
    """A site large enough that a build takes a while, with links between articles."""
    root.mkdir(parents=True)
    (root / "site.yaml").write_text(MINIMAL_SITE + f"footer: {footer}\n", encoding="utf-8")
    for i in range(count):
        section = "news" if i % 4 else "notices"
        path = root / "content" / section / f"a{i:04d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        body = "\n\n".join(f"## 第{j}节\n\n第{i}篇的第{j}段正文，讲安全生产和学习。" for j in range(6))
        path.write_text(article(f"文章{i}", date=f"2026-{i % 11 + 1:02d}-{i % 27 + 1:02d}",
                                标签=f"[标签{i % 7}, 安全]", body=body), encoding="utf-8")
    return root


def command(root: Path, *extra: str) -> list[str]:
    return [sys.executable, str(BUILD_PY), "build", "--site", str(root), "--now", NOW, *extra]


def run_build(root: Path, *extra: str, tag: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "BRANCHBOARD_TEST_TAG": tag}
    return subprocess.run(command(root, *extra), capture_output=True, text=True, encoding="utf-8",
                          env=env, timeout=300)


def start_build(root: Path, tag: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "BRANCHBOARD_TEST_TAG": tag}
    return subprocess.Popen(command(root), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            start_new_session=True)  # its own process group, as a terminal's job


def clean_build(root: Path, tmp: Path) -> dict:
    """What a build of the same sources makes from nothing."""
    copy = tmp / f"clean-{uuid.uuid4().hex[:6]}"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("public", ".cache", ".public*"))
    result = run_build(copy)
    assert result.returncode == 0, result.stderr
    made = snapshot(copy / "public")
    shutil.rmtree(copy)
    return made


def tagged_processes(tag: str) -> list[int]:
    """Processes still running that a build with this tag started (Linux)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if f"BRANCHBOARD_TEST_TAG={tag}".encode() in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def leftovers(out: Path) -> list[str]:
    """Anything a stopped build left: staging and old folders beside the
    output, temporary files and the unfinished mark inside it."""
    beside = [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]
    inside = [p.name for p in out.rglob("*") if p.name.endswith(".tmp")] if out.exists() else []
    return beside + inside


def wait_gone(tag: str, seconds: float = 10.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while (alive := tagged_processes(tag)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return alive


def wait_for(path: Path, proc: subprocess.Popen, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert proc.poll() is None and time.monotonic() < deadline, "the build never began to write"
        time.sleep(0.001)


def edit_footer(root: Path, footer: str) -> None:
    text = (root / "site.yaml").read_text(encoding="utf-8")
    head = text[:text.index("footer:")]
    (root / "site.yaml").write_text(head + f"footer: {footer}\n", encoding="utf-8")


@pytest.fixture(scope="module")
def timing(tmp_path_factory) -> dict:
    """How long a cold and an incremental build of the big site take here."""
    root = make_big_site(tmp_path_factory.mktemp("timing") / "site")
    started = time.monotonic()
    assert run_build(root).returncode == 0
    cold = time.monotonic() - started
    edit_footer(root, "改过的页脚")
    started = time.monotonic()
    assert run_build(root).returncode == 0
    return {"cold": cold, "incremental": time.monotonic() - started}


@pytest.mark.skipif(not LINUX, reason="finds leftover processes through /proc")
def test_a_killed_incremental_build_is_repaired_by_the_next_build(tmp_path, timing):
    root = make_big_site(tmp_path / "site")
    assert run_build(root).returncode == 0
    rng = random.Random(20)
    for trial in range(6):
        edit_footer(root, f"页脚第{trial}版")  # every page changes
        tag = uuid.uuid4().hex
        proc = start_build(root, tag)
        if trial < 3:  # at a random moment
            time.sleep(timing["incremental"] * rng.uniform(0.3, 1.0))
        else:  # while it changes the output folder in place, the moment that matters most
            wait_for(root / "public" / write.WRITING, proc)
            time.sleep(rng.uniform(0, 0.02))
        proc.kill()
        proc.wait(timeout=30)
        assert wait_gone(tag) == [], "a worker outlived the killed build"
        if trial % 2:  # take the edit back: the pages must not stay as the killed build left them
            edit_footer(root, f"页脚第{trial - 1}版" if trial else "原煤洗选队党支部")
        result = run_build(root)
        assert result.returncode == 0, result.stderr
        assert snapshot(root / "public") == clean_build(root, tmp_path), f"trial {trial}"
        assert leftovers(root / "public") == []


@pytest.mark.skipif(not LINUX, reason="finds leftover processes through /proc")
def test_a_killed_cold_build_leaves_the_last_output_and_no_process(tmp_path, timing):
    root = make_big_site(tmp_path / "site")
    assert run_build(root).returncode == 0
    first = snapshot(root / "public")
    rng = random.Random(21)
    for trial in range(4):
        shutil.rmtree(root / ".cache")  # a cold build, in processes
        edit_footer(root, f"冷启动第{trial}版")
        tag = uuid.uuid4().hex
        proc = start_build(root, tag)
        time.sleep(timing["cold"] * rng.uniform(0.2, 0.9))
        proc.kill()
        proc.wait(timeout=30)
        assert wait_gone(tag) == [], "a worker outlived the killed build"
        out = snapshot(root / "public")
        # killed before the swap: the last output whole; after it: the new one whole
        assert out == first or out == clean_build(root, tmp_path)
        result = run_build(root)
        assert result.returncode == 0, result.stderr
        assert snapshot(root / "public") == clean_build(root, tmp_path)
        assert leftovers(root / "public") == []
        first = snapshot(root / "public")


@pytest.mark.skipif(os.name != "posix", reason="sends SIGINT to the job's process group")
def test_ctrl_c_says_what_became_of_the_site_and_shows_no_traceback(tmp_path, timing):
    root = make_big_site(tmp_path / "site")
    assert run_build(root).returncode == 0
    for trial, share in enumerate((0.5, 0.8, 0.95)):
        edit_footer(root, f"中断第{trial}版")
        proc = start_build(root, uuid.uuid4().hex)
        time.sleep(timing["incremental"] * share)
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole job
        out, err = proc.communicate(timeout=60)
        err = err.decode("utf-8")
        assert "Traceback" not in err, err
        if proc.returncode != 0:  # else it had finished
            assert proc.returncode == 130 and "已中断" in err, err
            assert any(truth in err for truth in ("保持不变", "下次生成时会整个重新生成", "网站已经生成完毕")), err
        result = run_build(root)
        assert result.returncode == 0, result.stderr
        assert snapshot(root / "public") == clean_build(root, tmp_path)


def test_a_write_that_fails_half_way_is_repaired_by_the_next_build(make_site, tmp_path, monkeypatch):
    """A full disk (or any fault) after some pages of an incremental build
    were written: the next build writes the whole folder again."""
    site = make_site({f"content/news/a{i}.md": article(f"文章{i}", date=f"2026-11-{i + 1:02d}")
                      for i in range(12)})
    options = Options(site_dir=site.root, now=write_now())
    build(options)
    for fail_after in (1, 5, 12):
        (site.root / "site.yaml").write_text(MINIMAL_SITE + f"footer: 第{fail_after}版\n", encoding="utf-8")
        real, calls = write._replace, []

        def failing(target, fill, real=real, calls=calls, fail_after=fail_after):
            calls.append(target)
            if len(calls) > fail_after:
                raise OSError(errno.ENOSPC, "No space left on device", str(target))
            real(target, fill)

        monkeypatch.setattr(write, "_replace", failing)
        with pytest.raises(OSError):
            build(options)
        monkeypatch.setattr(write, "_replace", real)
        assert (site.out / write.WRITING).exists()
        if fail_after == 5:  # and back to what the output held before
            (site.root / "site.yaml").write_text(MINIMAL_SITE + "footer: 第1版\n", encoding="utf-8")
        build(options)
        assert snapshot(site.out) == clean_build(site.root, tmp_path)
        assert leftovers(site.out) == []


def write_now():
    import datetime as dt

    return dt.datetime(2026, 11, 25, 12, 0)


def test_a_build_stopped_between_the_renames_of_the_swap_gets_its_output_back(make_site, tmp_path):
    site = make_site({"content/news/a.md": article("甲")})
    assert run_build(site.root).returncode == 0
    before = snapshot(site.out)
    os.replace(site.out, site.root / ".public.old-0123abcd")  # the moment between the two renames
    (site.root / ".public.staging-89abcdef").mkdir()  # and a staging folder of a killed build
    result = run_build(site.root)
    assert result.returncode == 0, result.stderr
    assert snapshot(site.out) == before
    assert leftovers(site.out) == []


def mount_tmpfs(folder: Path, size: str) -> bool:
    folder.mkdir(parents=True)
    if not LINUX or os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True)
    return done.returncode == 0


@pytest.fixture
def small_disk(tmp_path):
    """A 4 MB disk of its own (a tmpfs; needs root, as CI runs)."""
    disk = tmp_path / "disk"
    if not mount_tmpfs(disk, "4m"):
        pytest.skip("cannot mount a small tmpfs here (needs root on Linux)")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=False)


def fill(disk: Path, leave_kb: int) -> Path:
    """Fill the disk up to leave_kb kilobytes."""
    filler = disk / "filler"
    free = shutil.disk_usage(disk).free
    with open(filler, "wb") as fh:
        fh.write(b"\0" * max(free - leave_kb * 1024, 0))
    return filler


def test_a_full_disk_gives_a_chinese_message_and_the_next_build_repairs(small_disk, tmp_path):
    root = make_big_site(tmp_path / "site", count=60)
    out = small_disk / "public"
    assert run_build(root, "--out", str(out)).returncode == 0
    before = snapshot(out)
    # a full build on a full disk: the output stays as it was
    shutil.rmtree(root / ".cache")
    filler = fill(small_disk, 64)
    result = run_build(root, "--out", str(out))
    assert result.returncode == 1 and "磁盘已满" in result.stderr and "Traceback" not in result.stderr
    assert "上一次生成的网站保持不变" in result.stderr
    assert snapshot(out) == before and leftovers(out) == []
    filler.unlink()
    # an incremental build that fills the disk half-way through its pages
    assert run_build(root, "--out", str(out)).returncode == 0
    edit_footer(root, "很长的页脚" * 400)  # every page grows by a few kilobytes
    filler = fill(small_disk, 300)
    result = run_build(root, "--out", str(out))
    assert result.returncode == 1 and "磁盘已满" in result.stderr and "Traceback" not in result.stderr
    filler.unlink()
    result = run_build(root, "--out", str(out))
    assert result.returncode == 0, result.stderr
    copy = tmp_path / "copy"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".cache"))
    assert run_build(copy).returncode == 0
    assert snapshot(out) == snapshot(copy / "public")


def test_a_full_disk_under_the_site_only_costs_its_cache(small_disk, tmp_path):
    """The site on a full disk, the output elsewhere: the cache (and the
    compiled templates) cannot be written, and the build still succeeds."""
    root = make_big_site(small_disk / "site", count=20)
    filler = fill(small_disk, 16)
    out = tmp_path / "public"
    result = run_build(root, "--out", str(out))
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    filler.unlink()
    copy = tmp_path / "copy"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".cache"))
    assert run_build(copy).returncode == 0
    assert snapshot(out) == snapshot(copy / "public")


def test_a_second_build_waits_for_the_first(make_site, tmp_path):
    site = make_site({"content/news/a.md": article("甲")})
    with site_lock(site.root, "build"):  # a build under way
        proc = subprocess.Popen(command(site.root), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env={**os.environ, "PYTHONIOENCODING": "utf-8"})
        line = proc.stderr.readline().decode("utf-8")
        assert "另一个生成正在进行" in line
        assert proc.poll() is None and not site.out.exists()
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err.decode("utf-8")
    assert snapshot(site.out) == clean_build(site.root, tmp_path)


def test_two_builds_at_once_both_succeed_and_agree(tmp_path):
    root = make_big_site(tmp_path / "site", count=60)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    procs = [subprocess.Popen(command(root), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
             for _ in range(2)]
    for proc in procs:
        _out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0 and b"Traceback" not in err, err.decode("utf-8")
    assert snapshot(root / "public") == clean_build(root, tmp_path)
    assert leftovers(root / "public") == []


CACHE_PARTS = ("state.pickle", "index.pickle", "index.journal", "bodies.sqlite", "bodies.sqlite-wal")


def damaged(data: bytes, rng: random.Random, in_text: bool) -> bytes:
    """One bit flipped: anywhere, or inside a text the pages show (a title,
    a body), where a flip that goes unnoticed changes a published page."""
    spots = [i for word in ("文章".encode(), "正文".encode()) for i in _find_all(data, word)]
    at = rng.choice(spots) + rng.randrange(3) if in_text and spots else rng.randrange(len(data))
    flipped = bytearray(data)
    flipped[at] ^= 1 << rng.randrange(8)
    return bytes(flipped)


def _find_all(data: bytes, word: bytes) -> list[int]:
    found, at = [], data.find(word)
    while at >= 0:
        found.append(at)
        at = data.find(word, at + 1)
    return found


def test_a_damaged_cache_only_costs_a_full_build(make_site, tmp_path):
    files = {f"content/news/a{i}.md": article(f"文章“{i}”", date=f"2026-11-{i + 1:02d}",
                                              body=f"正文{i}，链接[下一篇](a{(i + 1) % 8}.md)。\n\n## 小节\n\n更多正文。\n")
             for i in range(8)}
    site = make_site(files)
    cache = site.root / ".cache/branchboard"
    assert run_build(site.root).returncode == 0
    # a journal too: an incremental build after one edit
    (site.root / "content/news/a3.md").write_text(article("改过的文章", date="2026-11-04"), encoding="utf-8")
    assert run_build(site.root).returncode == 0
    parts = [part for part in CACHE_PARTS if (cache / part).is_file()]
    parts += sorted(f"jinja/{p.name}" for p in (cache / "jinja").iterdir())[:3]  # compiled templates
    assert {"state.pickle", "index.pickle", "index.journal"} <= set(parts) and "bodies.sqlite" in parts
    pristine = tmp_path / "pristine"
    shutil.copytree(cache, pristine)
    expected = clean_build(site.root, tmp_path)
    rng = random.Random(4)
    for trial in range(4 * len(parts)):
        shutil.rmtree(cache)
        shutil.copytree(pristine, cache)
        part = cache / parts[trial % len(parts)]
        part.write_bytes(damaged(part.read_bytes(), rng, in_text=trial % 4 < 2))
        if trial % 2:
            shutil.rmtree(site.out)  # every page made from the cache's bodies
        else:  # one article edited: its neighbours' pages from the cache's index
            text = (site.root / "content/news/a5.md").read_text(encoding="utf-8")
            (site.root / "content/news/a5.md").write_text(text + f"\n补充{trial}。\n", encoding="utf-8")
            expected = clean_build(site.root, tmp_path)
        result = run_build(site.root)
        assert result.returncode == 0 and "Traceback" not in result.stderr, (part.name, trial, result.stderr)
        assert snapshot(site.out) == expected, (part.name, trial)


# ------------------------------------------------------------ nothing from outside

SECRET = "不该发布的秘密"


@pytest.fixture
def outside(tmp_path) -> Path:
    """A folder outside the site with a secret in it (as /etc would be)."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "passwd").write_text(SECRET, encoding="utf-8")
    (folder / "note.md").write_text(article("外面的文章", body=SECRET), encoding="utf-8")
    return folder


def published(out: Path) -> str:
    if not out.exists():
        return ""
    return "".join(p.read_bytes().decode("utf-8", "replace") for p in out.rglob("*") if p.is_file())


@pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")
@pytest.mark.parametrize("link, target", [
    ("content/news/etc", ""),  # a whole folder
    ("content/news/images/pw.png", "passwd"),  # an image
    ("content/news/note.md", "note.md"),  # an article
    ("data/photo.jpg", "passwd"),  # a file beside the data
    ("themes/mine/static/pw.css", "passwd"),  # a theme's file
])
def test_a_link_that_leads_out_of_the_site_is_an_error_and_nothing_is_published(make_site, outside, link, target):
    files = {"content/news/a.md": article("甲")}
    if link.startswith("themes/"):
        files["site.yaml"] = MINIMAL_SITE + "theme: mine\n"
        files["themes/mine/theme.yaml"] = "extends: default\n"
    site = make_site(files)
    path = site.root / link
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(outside / target if target else outside)
    result = site.run("build", "--now", NOW)
    assert result.code == 1 and "Traceback" not in result.err, result.text
    assert f"{link}" in result.err and "网站文件夹之外" in result.err
    assert SECRET not in published(site.out)


@pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")
def test_a_link_in_a_loop_is_an_error_not_a_crash(make_site):
    site = make_site({"content/news/a.md": article("甲")})
    (site.root / "content/news/loop").symlink_to(site.root / "content/news/loop")
    result = site.run("build", "--now", NOW)
    assert result.code == 1 and "Traceback" not in result.err, result.text
    assert "content/news/loop" in result.err and "绕圈" in result.err


@pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")
def test_a_link_inside_the_site_is_followed(make_site):
    logo = b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'  # published as it is
    site = make_site({"content/news/a.md": article("甲", body="![图](images/logo.svg)\n"),
                      "shared/logo.svg": logo})
    (site.root / "content/news/images").symlink_to(site.root / "shared")
    site.build()
    assert (site.out / "news/images/logo.svg").read_bytes() == logo


# ------------------------------------------------------------ hostile YAML

def _laughs(levels: int = 9) -> str:
    """Ten lines of aliases that stand for a billion strings."""
    lines = ['a0: &a0 ["哈", "哈", "哈", "哈", "哈", "哈", "哈", "哈", "哈"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


HOSTILE = {
    "billion laughs": _laughs(),
    "alias to itself": "a: &a [1, *a]\n",
    "deep brackets": "a: " + "[" * 900 + "]" * 900 + "\n",
    "deeper brackets": "a: " + "[" * 5000 + "]" * 5000 + "\n",
    "deep blocks": "".join("  " * i + f"k{i}:\n" for i in range(300)) + "  " * 300 + "end: 1\n",
}


# Runs a command as a child of a small Python and prints the child's peak
# memory last: a process forked straight from pytest starts with pytest's
# own pages counted in its peak (the kernel keeps the high-water mark of
# the image it replaced), which grows with every test run before it.
MEASURED = """\
import os, resource, sys
pid = os.fork()
if pid == 0:
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))  # a runaway never takes the machine down
    os.execvp(sys.argv[1], sys.argv[1:])
_pid, status, usage = os.wait4(pid, 0)
sys.stdout.flush()
print(usage.ru_maxrss)
sys.exit(os.waitstatus_to_exitcode(status))
"""


@pytest.mark.skipif(not LINUX, reason="measures the child's memory with wait4 and caps it with setrlimit")
@pytest.mark.parametrize("where", ["data", "front matter"])
@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_yaml_is_a_chinese_error_in_bounded_time_and_memory(make_site, kind, where):
    text = HOSTILE[kind]
    if where == "data":
        site = make_site({"content/news/a.md": article("甲"), "data/honors.yaml": text})
        expected = "data/honors.yaml:"
    else:
        site = make_site({"content/news/a.md": "---\n标题: 甲\n日期: 2026-11-20\n" + text + "---\n正文\n"})
        expected = "content/news/a.md:"

    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", MEASURED, *command(site.root)], capture_output=True,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"}, timeout=120)
    seconds = time.monotonic() - started
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 1, err
    assert "Traceback" not in err and expected in err, err
    assert any(word in err for word in ("别名", "层")), err
    peak = int(proc.stdout.decode("utf-8").split()[-1])
    assert peak < 200 * 1024, f"{peak // 1024} MiB"  # KiB on Linux
    assert seconds < 10  # the process as a whole; the check itself is milliseconds (see bench)


# ------------------------------------------------------------ raw HTML

PASTED = """\
正文第一段。

<script>alert("hi")</script>

<p onclick="steal()">点我 <span style="color:red;position:fixed">红字</span><br>第二行 x<sup>2</sup></p>

<iframe src="https://video.example.com/x"></iframe>

<table><tr><td>甲班</td><td>98.5</td></tr></table>

[坏链接](javascript:alert(1))
"""


def test_raw_html_is_cleaned_and_every_removal_is_named_with_its_line(make_site):
    from bs4 import BeautifulSoup

    body = PASTED
    site = make_site({"content/news/a.md": article("贴来的", body=body)})
    result = site.run("build", "--now", NOW)
    assert result.code == 1, result.text  # the javascript: link and the frame from outside are errors
    assert "content/news/a.md:15:" in result.err and "javascript" in result.err
    assert "content/news/a.md:11:" in result.err and "外网" in result.err
    body = body.replace("[坏链接](javascript:alert(1))", "").replace("https://video.example.com/x", "video.html")
    site.write("content/news/a.md", article("贴来的", body=body))
    result = site.run("build", "--now", NOW)
    assert result.code == 0, result.text
    lines = {line.split(": ", 1)[0] for line in result.err.splitlines() if "content/news/a.md:" in line}
    assert {"content/news/a.md:7", "content/news/a.md:9", "content/news/a.md:11"} <= lines, result.err
    page = (site.out / "news/a.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(page, "html.parser").select_one("main") or BeautifulSoup(page, "html.parser")
    text = str(soup)
    assert "alert" not in text and "onclick" not in text and "iframe" not in text and "position" not in text
    assert soup.find("span", style="color:red") and soup.find("td", string="98.5") and soup.find("sup")


def test_an_image_from_outside_in_raw_html_is_an_error_with_its_line(make_site):
    site = make_site({"content/news/a.md": article("贴来的", body="一段。\n\n<img src=\"https://mp.example.com/a.jpg\">\n")})
    result = site.run("build", "--now", NOW)
    assert result.code == 1 and "content/news/a.md:7:" in result.err and "外网" in result.err, result.text


def test_a_name_too_long_for_the_file_system_is_an_error_at_its_line(make_site):
    site = make_site({"content/news/a.md": article("甲", 网址名="很长" * 60)})
    result = site.run("build", "--now", NOW)
    assert result.code == 1 and "Traceback" not in result.err, result.text
    assert "content/news/a.md:4:" in result.err and "太长" in result.err


def test_a_site_that_trusts_its_html_says_so_and_gets_it_as_written(make_site):
    site = make_site({"site.yaml": MINIMAL_SITE + "raw_html: true\n",
                      "content/news/a.md": article("自己的代码", body='<div class="clock" onclick="tick()">钟</div>\n')})
    result = site.run("build", "--now", NOW)
    assert result.code == 0 and "onclick" not in result.err, result.text
    assert 'onclick="tick()"' in (site.out / "news/a.html").read_text(encoding="utf-8")
    site.write("site.yaml", MINIMAL_SITE)  # and cleaned again once it no longer says so
    assert site.run("build", "--now", NOW).code == 0
    assert "onclick" not in (site.out / "news/a.html").read_text(encoding="utf-8")


def test_a_read_only_output_folder_gives_a_chinese_message_and_stays_as_it_was(small_disk, tmp_path):
    root = make_big_site(tmp_path / "site", count=10)
    out = small_disk / "public"
    assert run_build(root, "--out", str(out)).returncode == 0
    before = snapshot(out)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    try:
        edit_footer(root, "只读时改的页脚")
        result = run_build(root, "--out", str(out))
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        assert "只读" in result.stderr and "public" in result.stderr
        assert snapshot(out) == before
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
    assert run_build(root, "--out", str(out)).returncode == 0


@pytest.mark.parametrize("code, winerror, words", [
    (errno.ENOSPC, None, "磁盘已满"),
    (errno.EROFS, None, "只读"),
    (errno.ENAMETOOLONG, None, "文件名太长"),
    (errno.EACCES, None, "没有权限"),
    (errno.EACCES, 32, "正被别的程序打开"),  # Windows: a file another program holds open
    (errno.EIO, None, "无法读写"),
])
def test_every_fault_of_the_machine_is_said_in_chinese_with_its_path(tmp_path, code, winerror, words):
    from branchboard.errors import describe_os_error

    exc = OSError(code, os.strerror(code), str(tmp_path / "site" / "public" / "news" / "a.html"))
    if winerror is not None:
        exc.winerror = winerror
    message = describe_os_error(exc, tmp_path / "site")
    assert words in message and "public/news/a.html" in message and str(tmp_path) not in message
