"""Every hint names the command as the secretary types it on this computer:
`branchboard` when installed, `py build.py` on Windows, `python3 build.py`
on Linux and macOS (as docs/使用指南.md says)."""

from __future__ import annotations

import pytest

from branchboard.command import command_name


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

