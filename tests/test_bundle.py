"""`build.py bundle`: the offline install folder, made without the internet.

The one step that downloads (bundle.fetch_wheels) is replaced by one that
writes an empty, correctly named wheel for each requirement it is asked
for; building branchboard's own wheel (which needs the internet for its
build tools) is replaced by "no wheel", so its source is copied.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from branchboard import bundle, cli
from conftest import BUILD_PY, MINIMAL_SITE, article

ALL_SYSTEMS = ("--windows", "--linux", "--macos")
CMD_SPECIALS = set(b'|&<>^%"\\()!')


def fake_fetch(asked: list):
    """A fetch_wheels that writes what pip would, named for what it was asked."""

    def fetch(requirements: Path, wheels: Path, platform: str, python_version: str) -> None:
        asked.append((platform, python_version))
        cp = "cp" + python_version.replace(".", "")
        for name in bundle.requirement_names(requirements):
            wheel = f"{name.replace('-', '_')}-1.0-{cp}-{cp}-{platform}.whl"
            (wheels / wheel).write_bytes(b"")

    return fetch


@pytest.fixture
def offline(monkeypatch):
    asked: list = []
    monkeypatch.setattr(bundle, "fetch_wheels", fake_fetch(asked))
    monkeypatch.setattr(bundle, "build_own_wheel", lambda wheels: None)
    return asked


@pytest.fixture
def board(make_site):
    site = make_site({"content/news/2026-11-20-a.md": article("主题党日")})
    site.write("data/notes.yaml", "[]\n")
    return site


def make(board, dest: Path, *systems: str) -> int:
    return cli.main(["bundle", str(dest), "--site", str(board.root), *systems])


def test_bundle_holds_a_windows_wheel_of_every_requirement_for_each_python(board, offline, tmp_path):
    dest = tmp_path / "U盘" / "宣传栏"
    assert make(board, dest) == 0  # Windows when no system is named
    assert offline == [("win_amd64", v) for v in ("3.10", "3.11", "3.12", "3.13")]
    assert bundle.verify_bundle(dest) == []
    names = bundle.requirement_names(bundle.PROJECT_DIR / "requirements.txt")
    assert {"pillow", "pillow-heif", "nh3", "watchdog", "pyyaml", "jsonschema"} <= set(names)
    assert sorted(p.name for p in dest.glob("*.bat")) == sorted(f"{n}.bat" for n in bundle.SCRIPT_NAMES)
    assert not list(dest.glob("*.sh")) and not list(dest.glob("*.command"))
    assert (dest / "board" / "site.yaml").read_text(encoding="utf-8") == MINIMAL_SITE
    assert (dest / "board" / "data" / "notes.yaml").is_file()
    assert (dest / "app" / "branchboard" / "cli.py").is_file() and (dest / "app" / "themes" / "default").is_dir()


def test_verify_bundle_fails_on_a_bundle_missing_one_wheel(board, offline, tmp_path):
    dest = tmp_path / "bundle"
    assert make(board, dest) == 0
    (dest / "wheels" / "pillow-1.0-cp313-cp313-win_amd64.whl").unlink()
    assert bundle.verify_bundle(dest) == ["缺少 pillow 的 Windows 安装包（Python 3.13，win_amd64）"]


def test_verify_bundle_wants_the_right_system_and_python(board, offline, tmp_path):
    dest = tmp_path / "bundle"
    assert make(board, dest) == 0
    wheels = dest / "wheels"
    (wheels / "nh3-1.0-cp312-cp312-win_amd64.whl").rename(wheels / "nh3-1.0-cp312-cp312-manylinux2014_x86_64.whl")
    (wheels / "pyyaml-1.0-cp311-cp311-win_amd64.whl").rename(wheels / "pyyaml-1.0-cp39-cp39-win_amd64.whl")
    assert bundle.verify_bundle(dest) == ["缺少 pyyaml 的 Windows 安装包（Python 3.11，win_amd64）",
                                          "缺少 nh3 的 Windows 安装包（Python 3.12，win_amd64）"]


def test_wheel_tags_as_pip_downloads_them():
    fits = [("nh3-0.3.8-cp39-abi3-win_amd64.whl", "3.13", "win_amd64"),
            ("watchdog-7.1.1-py3-none-win_amd64.whl", "3.10", "win_amd64"),
            ("rpds_py-2026.9.1-cp312-cp312-win_amd64.whl", "3.12", "win_amd64"),
            ("jinja2-3.1.6-py3-none-any.whl", "3.11", "macosx_11_0_arm64"),
            ("pyyaml-6.0.4-cp311-cp311-manylinux2014_x86_64.manylinux_2_17_x86_64.whl", "3.11", "manylinux2014_x86_64"),
            ("markupsafe-3.0.4-cp311-cp311-macosx_10_9_x86_64.whl", "3.11", "macosx_10_13_x86_64"),
            ("nh3-0.3.8-cp39-abi3-macosx_10_12_universal2.whl", "3.12", "macosx_11_0_arm64")]
    for name, version, platform in fits:
        assert bundle.wheel_tags(name).fits(version, platform), name
    misfits = [("rpds_py-2026.9.1-cp312-cp312-win_amd64.whl", "3.13", "win_amd64"),
               ("nh3-0.3.8-cp39-abi3-win32.whl", "3.12", "win_amd64"),
               ("pillow-12-cp311-cp311-manylinux_2_28_x86_64.whl", "3.11", "manylinux2014_x86_64"),
               ("pillow-12-cp311-cp311-macosx_14_0_arm64.whl", "3.11", "macosx_11_0_arm64"),
               ("pillow-12-cp311-cp311-macosx_10_10_x86_64.whl", "3.11", "macosx_11_0_arm64")]
    for name, version, platform in misfits:
        assert not bundle.wheel_tags(name).fits(version, platform), name
    assert bundle.wheel_tags("Pillow_HEIF-1.0-cp312-cp312-win_amd64.whl").name == "pillow-heif"


def script_commands(script: Path) -> list[list[str]]:
    """The arguments each line of a script gives build.py."""
    text = script.read_bytes().decode("gbk" if script.suffix == ".bat" else "utf-8")
    commands = []
    for line in text.splitlines():
        found = re.search(r"app[\\/]build\.py\s+(.*?)(?:\s+(?:\|\||&&|\\)\s*.*)?$", line)
        if found and not line.lstrip().startswith(("rem", "#")):
            commands.append(shlex.split(found[1].replace("\\", "/")))
    return commands


def test_every_script_runs_a_command_the_cli_accepts(board, offline, tmp_path):
    dest = tmp_path / "bundle"
    assert make(board, dest, *ALL_SYSTEMS) == 0
    parser = cli.make_parser()
    seen = set()
    scripts = sorted(p for p in dest.iterdir() if p.suffix in (".bat", ".sh", ".command"))
    assert len(scripts) == 3 * len(bundle.SCRIPT_NAMES)
    for script in scripts:
        commands = script_commands(script)
        assert commands, f"{script.name} never runs build.py"
        for argv in commands:
            args = parser.parse_args(argv)  # a usage error would exit here
            assert args.site == Path("board") and (dest / args.site / "site.yaml").is_file()
            seen.add((script.stem, args.command))
    assert {command for _, command in seen} == {"check", "build", "edit", "print"}
    assert ("编辑预览", "edit") in seen and ("打印", "print") in seen and ("大屏播放", "build") in seen


def test_the_screen_script_opens_the_page_the_build_makes(board, offline, tmp_path):
    dest = tmp_path / "bundle"
    assert make(board, dest, "--windows", "--linux") == 0
    built = subprocess.run([sys.executable, str(dest / "app" / "build.py"), "build", "--site", "board"],
                           cwd=dest, capture_output=True, text=True, encoding="utf-8", timeout=120,
                           env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert built.returncode == 0, built.stderr
    bat = (dest / "大屏播放.bat").read_bytes().decode("gbk")
    start = next(line for line in bat.splitlines() if line.startswith("start "))
    page = re.search(r'"file:///%~dp0([^"]+)"', start)[1]
    assert "msedge --kiosk" in start and "--edge-kiosk-type=fullscreen" in start
    assert (dest / page.replace("\\", "/")).is_file() and "/" not in page
    sh = (dest / "大屏播放.sh").read_text(encoding="utf-8")
    page = re.search(r'"file://\$PWD/([^"]+)"', sh)[1]
    assert (dest / page).is_file()


def test_bat_files_are_crlf_gbk_and_readable_in_any_code_page(board, offline, tmp_path):
    dest = tmp_path / "bundle"
    assert make(board, dest, "--windows") == 0
    for script in dest.glob("*.bat"):
        data = script.read_bytes()
        assert data.count(b"\n") == data.count(b"\r\n") > 5, script.name
        text = data.decode("gbk")  # strict: every byte is GBK
        assert "\ufeff" not in text and not re.search(r"[\u4e00-\u9fff]", data.decode("ascii", "replace"))
        assert text.splitlines()[:2] == ["@echo off", "chcp 936 >nul"], script.name
        assert 'cd /d "%~dp0"' in text
        for char in set(text) - set(map(chr, range(128))):
            # no second byte that cmd would read as | & < > ^ % ... were the code page another
            assert not CMD_SPECIALS & set(char.encode("gbk")[1:]), (script.name, char)


def test_every_bat_pauses_with_a_chinese_message_when_it_fails(board, offline, tmp_path):
    dest = tmp_path / "bundle"
    assert make(board, dest, "--windows") == 0
    for script in dest.glob("*.bat"):
        text = script.read_bytes().decode("gbk")
        jumps = set(re.findall(r"goto (\w+)", text))
        assert jumps, script.name
        for label in jumps:
            section = text.split(f"\r\n:{label}\r\n", 1)[1].split("\r\n\r\n", 1)[0]
            assert re.search(r"echo .*[\u4e00-\u9fff]", section) and "pause" in section, (script.name, label)
            assert section.rstrip().endswith("exit /b 1"), (script.name, label)


def test_unix_scripts_are_executable_lf_utf8_and_parse(board, offline, tmp_path):
    dest = tmp_path / "bundle"
    assert make(board, dest, "--linux", "--macos") == 0
    scripts = list(dest.glob("*.sh")) + list(dest.glob("*.command"))
    assert len(scripts) == 2 * len(bundle.SCRIPT_NAMES)
    for script in scripts:
        data = script.read_bytes()
        assert b"\r" not in data and data.startswith(b"#!/bin/sh\n"), script.name
        assert os.stat(script).st_mode & 0o111 == 0o111, script.name
        assert 'cd "$(dirname "$0")"' in data.decode("utf-8")
        checked = subprocess.run(["sh", "-n", str(script)], capture_output=True, text=True, timeout=30)
        assert checked.returncode == 0, (script.name, checked.stderr)
    assert "open -na" in (dest / "大屏播放.command").read_text(encoding="utf-8")


def test_a_folder_with_files_in_it_is_refused_and_left_alone(board, offline, tmp_path, capsys):
    dest = tmp_path / "bundle"
    dest.mkdir()
    (dest / "别人的文件.txt").write_text("留着", encoding="utf-8")
    assert make(board, dest) == cli.EXIT_CONTENT
    assert "不是空文件夹" in capsys.readouterr().err
    assert [p.name for p in dest.iterdir()] == ["别人的文件.txt"] and offline == []


def test_without_the_internet_it_says_so_in_chinese_and_leaves_nothing(board, tmp_path):
    """The real pip, told to find nothing anywhere: the same failure as no network."""
    dest = tmp_path / "bundle"
    env = {**os.environ, "PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1",
           "PIP_FIND_LINKS": str(tmp_path), "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([sys.executable, str(BUILD_PY), "bundle", str(dest), "--site", str(board.root)],
                          capture_output=True, text=True, encoding="utf-8", env=env, timeout=120)
    assert done.returncode == 1
    assert "没有做成安装文件夹" in done.stderr and "联网" in done.stderr
    assert "Traceback" not in done.stderr
    assert not dest.exists()


def test_the_bundle_copies_no_output_cache_or_password(board, offline, tmp_path):
    board.build()
    board.write(".cache/x", "cache")
    board.write("content/news/.~lock.md#", "lock")
    dest = tmp_path / "bundle"
    assert make(board, dest) == 0
    copied = {p.relative_to(dest / "board").as_posix() for p in (dest / "board").rglob("*")}
    assert copied == {"site.yaml", "content", "content/news", "content/news/2026-11-20-a.md",
                      "data", "data/notes.yaml"}
    shutil.rmtree(dest)
