"""The installable package: `pip wheel .` makes a wheel that holds every file
branchboard reads (the default theme among them), and its `branchboard`
command builds a board exactly as `python build.py` does, from anywhere.

The wheel is built offline from a copy of the repository (an in-place build
would leave build/ and *.egg-info in the checkout) and installed, without
its dependencies, into a new environment that sees the test environment's
packages through a .pth file.  (`venv --system-site-packages` would not do:
when the tests themselves run in .venv/, it shows the system's packages,
not .venv's.)  Then the board is built from a folder outside the repository,
with no themes/ folder of its own, so nothing of the checkout can help.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
BUILD_PY = PROJECT / "build.py"
NOW = "2026-11-25"
# what a copy of the repository needs no more than a fresh clone has: the
# top-level folders git ignores, and compiled Python anywhere
NOT_COPIED_AT_TOP = {".git", ".venv", "public", ".cache", "build", "dist", "branchboard.egg-info",
                     ".pytest_cache", "test-output", "node_modules"}


def not_copied(folder: str, names: list[str]) -> set[str]:
    at_top = Path(folder) in (PROJECT, PROJECT / "tests" / "tools")
    return {n for n in names if n == "__pycache__" or n.endswith(".pyc") or n.startswith(".public.")
            or (at_top and n in NOT_COPIED_AT_TOP)}


def run(cmd: list, cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("PYTHONPATH", None)  # the checkout must not be importable by the installed command
    env.pop("SOURCE_DATE_EPOCH", None)
    return subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=300, **kwargs)


def in_venv(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / name


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(PROJECT, source, ignore=not_copied)
    built = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                 "--wheel-dir", work / "dist", source], cwd=work)
    assert built.returncode == 0, built.stdout + built.stderr
    wheels = list((work / "dist").glob("branchboard-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A new environment with the wheel installed and the test environment's
    packages (branchboard's dependencies, and pip) visible behind it."""
    venv = tmp_path_factory.mktemp("installed") / "venv"
    made = run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=venv.parent)
    assert made.returncode == 0, made.stderr
    python = in_venv(venv, "python")
    purelib = run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=venv)
    ours = [p for p in sys.path if Path(p).name in ("site-packages", "dist-packages") and Path(p).is_dir()]
    assert ours, sys.path
    (Path(purelib.stdout.strip()) / "test-environment.pth").write_text("\n".join(ours) + "\n", encoding="utf-8")
    installed = run([python, "-m", "pip", "install", "--no-deps", "--no-index", wheel], cwd=venv)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return venv


def files_under(root: Path) -> dict[str, Path]:
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}


def copy_of_example_board(where: Path) -> Path:
    """The example board as the secretary's folder: no themes/ of its own."""
    for name in ("site.yaml", "content", "data"):
        source = PROJECT / name
        if source.is_dir():
            shutil.copytree(source, where / name, ignore=not_copied)
        else:
            where.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, where / name)
    return where


def test_wheel_holds_every_file_the_package_reads(wheel):
    in_wheel = {n for n in zipfile.ZipFile(wheel).namelist() if ".dist-info/" not in n}
    expected = {"branchboard/" + rel for rel in files_under(PROJECT / "branchboard")
                if "__pycache__" not in rel and not rel.endswith(".pyc")}
    expected |= {"branchboard/themes/" + rel for rel in files_under(PROJECT / "themes")}
    assert "branchboard/themes/default/theme.yaml" in expected
    assert "branchboard/editor/templates/base.html" in expected
    assert sorted(expected - in_wheel) == []
    assert sorted(in_wheel - expected) == []


def test_wheel_asks_for_requirements_txt_and_names_the_command(wheel):
    archive = zipfile.ZipFile(wheel)
    info = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
    required = sorted(re.sub(r"[<>=,.\d\s]", "", line.split(":", 1)[1]).lower()
                      for line in archive.read(info).decode().splitlines() if line.startswith("Requires-Dist:"))
    listed = sorted(re.sub(r"[<>=,.\d\s]", "", line.split("#")[0]).lower()
                    for line in (PROJECT / "requirements.txt").read_text(encoding="utf-8").splitlines()
                    if line.split("#")[0].strip())
    assert required == listed
    scripts = archive.read(info.replace("METADATA", "entry_points.txt")).decode()
    assert re.search(r"^branchboard = branchboard\.__main__:main$", scripts, re.M), scripts


def test_installed_package_reads_its_own_code_and_themes(venv):
    probe = run([in_venv(venv, "python"), "-c",
                 "import branchboard, branchboard.site.theme as t; print(branchboard.__file__); print(t.BUNDLED_THEMES)"],
                cwd=venv.parent)
    assert probe.returncode == 0, probe.stderr
    module, themes = (Path(line) for line in probe.stdout.splitlines())
    assert module.resolve().is_relative_to(venv.resolve())
    assert themes == module.parent / "themes"
    assert (themes / "default" / "theme.yaml").is_file()


def test_installed_command_builds_the_example_board_as_build_py_does(venv, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    installed = copy_of_example_board(tmp_path / "installed-board")
    checkout = copy_of_example_board(tmp_path / "checkout-board")
    by_command = run([in_venv(venv, "branchboard"), "build", "--site", installed, "--now", NOW], cwd=elsewhere)
    assert by_command.returncode == 0, by_command.stderr
    assert "生成完毕" in by_command.stdout
    by_build_py = run([sys.executable, BUILD_PY, "build", "--site", checkout, "--now", NOW], cwd=elsewhere)
    assert by_build_py.returncode == 0, by_build_py.stderr

    made, expected = files_under(installed / "public"), files_under(checkout / "public")
    assert list(made) == list(expected)
    for page in ("index.html", "screen/index.html", "print/index.html", "static/style.css"):
        assert page in made, page
    assert any(name.startswith("board/") for name in made)
    # build-id.txt only tells the screen a new build is out: it is made from
    # the copied files' stamps, and the two themes' copies were made apart
    assert "build-id.txt" in made
    differ = [name for name in made if name != "build-id.txt"
              and made[name].read_bytes() != expected[name].read_bytes()]
    assert differ == []


def test_installed_command_answers_help(venv, tmp_path):
    helped = run([in_venv(venv, "branchboard"), "--help"], cwd=tmp_path)
    assert helped.returncode == 0, helped.stderr
    assert helped.stdout.startswith("用法：branchboard "), helped.stdout  # as she types it, not build.py
    for command in ("build", "check", "serve", "edit", "print", "new"):
        assert command in helped.stdout
    as_module = run([in_venv(venv, "python"), "-m", "branchboard", "--help"], cwd=tmp_path)
    assert (as_module.returncode, as_module.stdout) == (0, helped.stdout)


def test_installed_command_outside_a_board_asks_for_one(venv, tmp_path):
    """Installed, there is no example board beside the code to fall back on."""
    built = run([in_venv(venv, "branchboard"), "build"], cwd=tmp_path)
    assert built.returncode != 0
    assert "当前文件夹里没有 site.yaml" in built.stderr and "Traceback" not in built.stderr
    assert list(tmp_path.iterdir()) == []  # nothing written


def fresh_machine_commands() -> list[str]:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## On a fresh machine", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", section, re.S)]


def test_ci_runs_the_readme_commands_in_order():
    build, tests = fresh_machine_commands()
    ci = (PROJECT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert build in ci and tests in ci
    assert ci.index(build) < ci.index(tests)
