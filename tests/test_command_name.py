"""Every hint names the command as the secretary types it on this computer:
`branchboard` when installed, `py build.py` on Windows, `python3 build.py`
on Linux and macOS (as docs/使用指南.md says)."""

from __future__ import annotations

import ast
import os
import re
import sys
from pathlib import Path

import pytest
from werkzeug.test import EnvironBuilder

from branchboard import cli
from branchboard.command import command_name
from branchboard.editor import security
from branchboard.editor.web import EditorApp
from branchboard.scaffold import board
from conftest import MINIMAL_SITE, PROJECT

# how the process was started, the system, and the command her hints must name
RUNS = {
    "installed": ("/home/shuji/.local/bin/branchboard", "linux", "branchboard"),
    "windows": (r"C:\Users\shuji\宣传栏\build.py", "win32", "py build.py"),
    "linux": ("/home/shuji/宣传栏/build.py", "linux", "python3 build.py"),
}
HARD_CODED = re.compile(r"\b(python3?|py) build\.py\b")


@pytest.fixture(autouse=True)
def system_python(monkeypatch):
    """These runs use the system's Python, whatever environment runs the tests."""
    monkeypatch.setattr(sys, "prefix", sys.base_prefix)


@pytest.mark.parametrize(("argv0", "platform", "expected"), [
    ("/usr/local/bin/branchboard", "linux", "branchboard"),
    (r"C:\Users\shuji\AppData\Roaming\Python\Scripts\branchboard", "win32", "branchboard"),
    (r"C:\Python313\Scripts\branchboard.exe", "win32", "branchboard"),
    ("/venv/lib/python3.12/site-packages/branchboard/__main__.py", "linux", "branchboard"),  # python -m branchboard
    ("build.py", "win32", "py build.py"),
    (r"D:\宣传栏\app\build.py", "win32", "py build.py"),
    ("build.py", "linux", "python3 build.py"),
    ("/Users/shuji/宣传栏/build.py", "darwin", "python3 build.py"),
])
def test_the_command_follows_how_the_program_was_started(argv0, platform, expected):
    assert command_name(argv0, platform) == expected


def test_a_virtual_environment_inside_the_folder_is_named_by_its_path(tmp_path, monkeypatch):
    """The README's .venv/: the system's python3 lacks the packages, so the
    hint names the environment's Python, as typed from where she is."""
    monkeypatch.setattr(sys, "prefix", str(tmp_path / ".venv"))
    monkeypatch.setattr(sys, "executable", str(tmp_path / ".venv" / "bin" / "python"))
    monkeypatch.chdir(tmp_path)
    assert command_name("build.py", "linux") == ".venv/bin/python build.py"
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")  # the environment is not in this folder
    assert command_name("build.py", "linux") == "python3 build.py"


def test_the_offline_bundle_s_environment_is_named_as_its_scripts_call_it(monkeypatch):
    """The bundle's scripts run venv\\Scripts\\python app\\build.py from the bundle's folder."""
    monkeypatch.setattr(sys, "prefix", r"D:\宣传栏\venv")
    monkeypatch.setattr(sys, "executable", r"D:\宣传栏\venv\Scripts\python.exe")
    monkeypatch.setattr(os, "getcwd", lambda: r"D:\宣传栏")
    assert command_name(r"app\build.py", "win32") == r"venv\Scripts\python app\build.py"
    monkeypatch.setattr(os, "getcwd", lambda: r"E:\别处")  # another drive: no relative path
    assert command_name(r"app\build.py", "win32") == r"py app\build.py"


@pytest.fixture(params=list(RUNS))
def started(request, monkeypatch) -> str:
    """This process as if started that way on that system: the command expected."""
    argv0, platform, expected = RUNS[request.param]
    monkeypatch.setattr(sys, "argv", [argv0])
    monkeypatch.setattr(sys, "platform", platform)
    return expected


@pytest.fixture
def site(tmp_path) -> Path:
    root = tmp_path / "site"
    root.mkdir()
    (root / "site.yaml").write_text(MINIMAL_SITE, encoding="utf-8")
    return root


def test_help_s_usage_line_names_the_command(started, capsys):
    with pytest.raises(SystemExit) as ended:
        cli.main(["-h"])
    assert ended.value.code == 0
    assert capsys.readouterr().out.startswith(f"用法：{started} [-h] 命令 ...")


def test_a_new_board_s_next_steps_name_the_command(started):
    steps = board.next_steps("机电队")
    assert f"1. 在浏览器里边改边看（编辑后台）：{started} edit --site 机电队" in steps
    assert f"3. 改完后重新生成网站：{started} build --site 机电队" in steps


def test_a_new_entry_says_to_check_with_the_command(started, site, capsys):
    assert cli.main(["new", "honor", "--site", str(site), "--now", "2026-11-25"]) == cli.EXIT_OK
    said = capsys.readouterr().out
    assert said.rstrip().endswith(f"然后运行 {started} check 检查。"), said
    written = (site / "data" / "honors.yaml").read_text(encoding="utf-8")
    assert f"# 新增一期：运行 {started} new honor，再把“待填写”改成实际内容。" in written
    assert f"# 2026-11-25 用 {started} new honor 添加" in written


def test_a_new_article_says_to_check_and_build_with_the_command(started, site, capsys):
    assert cli.main(["new", "article", "news", "主题党日", "--site", str(site), "--now", "2026-11-25"]) == cli.EXIT_OK
    said = capsys.readouterr().out
    assert f"运行 {started} check 检查，再运行 {started} 生成网站（或用 {started} serve 边改边看）。" in said
    written = (site / "content" / "news" / "2026-11-25-主题党日.md").read_text(encoding="utf-8")
    assert f"写好后运行 {started} check 检查，再运行 {started} 生成网站。" in written


def from_another_computer(app: EditorApp, path: str) -> str:
    request = EnvironBuilder(path=path, environ_base={"REMOTE_ADDR": "192.168.1.20"}).get_request()
    return app(request).get_data(as_text=True)


def test_the_editor_tells_another_computer_how_to_set_the_password(started, site):
    page = from_another_computer(EditorApp(site), "/admin/")
    assert f"请在那台电脑上先运行 {started} password 设置密码。" in page
    security.set_password(site, "六位以上的密码")
    page = from_another_computer(EditorApp(site), "/admin/")
    assert f"密码是在运行网站的电脑上用 {started} password 设置的。" in page


def docstrings(tree: ast.AST) -> set[int]:
    """The ids of the nodes that are a module's, class's or function's docstring."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def test_no_message_hard_codes_the_command():
    package = PROJECT / "branchboard"
    hard_coded = []
    for path in sorted(set(package.rglob("*.py")) - {package / "command.py"}):  # the one place that names it
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = docstrings(tree)
        hard_coded += [f"{path.relative_to(PROJECT)}:{node.lineno}" for node in ast.walk(tree)
                       if isinstance(node, ast.Constant) and isinstance(node.value, str)
                       and id(node) not in skip and HARD_CODED.search(node.value)]
    for path in sorted(package.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        hard_coded += [f"{path.relative_to(PROJECT)}:{text.count(chr(10), 0, m.start()) + 1}"
                       for m in HARD_CODED.finditer(text)]
    assert hard_coded == []
