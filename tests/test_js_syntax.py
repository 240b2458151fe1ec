"""The browser scripts use no syntax newer than Chrome/Edge 109 and Firefox
ESR parse: acorn (tests/tools/js_syntax.mjs) reads each at ECMAScript 2020."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from conftest import PROJECT

CHECKER = PROJECT / "tests" / "tools" / "js_syntax.mjs"
SCRIPTS = sorted([*PROJECT.glob("branchboard/editor/static/*.js"), *PROJECT.glob("themes/default/static/*.js")])


def check(*files) -> subprocess.CompletedProcess:
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have node: tests/install.sh installs it")
        pytest.skip("没有找到 node（bash tests/install.sh 会安装），跳过脚本语法检查")
    return subprocess.run([node, str(CHECKER), *map(str, files)], cwd=PROJECT,
                          capture_output=True, text=True, encoding="utf-8", timeout=60)


def test_every_browser_script_parses_as_ecmascript_2020():
    assert len(SCRIPTS) >= 5  # the editor's four and the screen's
    ran = check(*(script.relative_to(PROJECT) for script in SCRIPTS))
    assert ran.stdout + ran.stderr == "", "newer than ECMAScript 2020:\n" + ran.stdout + ran.stderr
    assert ran.returncode == 0


def test_a_newer_construct_is_named_with_its_file_and_line(tmp_path):
    assign = tmp_path / "assign.js"
    assign.write_text("var a = null;\na?.b ?? 1;\na ??= 1;\n", encoding="utf-8")  # ?. and ?? are 2020: fine
    block = tmp_path / "block.js"
    block.write_text("class Board {\n  static { this.ready = true; }\n}\n", encoding="utf-8")
    ran = check(assign, block)
    assert ran.returncode == 1, ran.stderr
    assert ran.stdout.splitlines() == [f"{assign}:3:5: Unexpected token: a ??= 1;",
                                       f"{block}:2:10: Unexpected token: static {{ this.ready = true; }}"]
