"""The command as the secretary types it on this computer, for every hint
that tells her what to run next.

    branchboard         the installed package's command (and `python -m branchboard`)
    py build.py         build.py on Windows, as the guide has it (`python3`
                        there opens the Microsoft Store)
    python3 build.py    build.py on Linux and macOS, where `python` is often missing
    .venv/bin/python build.py, venv\\Scripts\\python app\\build.py
                        build.py run by a virtual environment's Python that
                        lies inside the current folder (the README's setup,
                        the offline bundle's scripts): the system's Python
                        there lacks the packages

It follows from how this process was started (its argv[0], its Python, the
folder it runs in) and the system, so every hint of one run names the same
command.
"""

from __future__ import annotations

import ntpath
import os
import posixpath
import re
import sys

ENTRY_POINT = re.compile(r"branchboard(-script\.pyw?|\.exe)?", re.IGNORECASE)


def command_name(argv0: str | None = None, platform: str | None = None) -> str:
    """``branchboard``, ``py build.py`` or ``python3 build.py`` (see above);
    by default for this process."""
    argv0 = sys.argv[0] if argv0 is None else argv0
    platform = sys.platform if platform is None else platform
    parts = re.split(r"[\\/]", argv0)
    if ENTRY_POINT.fullmatch(parts[-1]) or parts[-2:] == ["branchboard", "__main__.py"]:
        return "branchboard"
    paths = ntpath if platform == "win32" else posixpath
    script = argv0 if argv0.endswith("build.py") and not paths.isabs(argv0) else "build.py"
    python = _venv_python(paths) or ("py" if platform == "win32" else "python3")
    return f"{python} {script}"


def _venv_python(paths) -> str | None:
    """This virtual environment's Python as typed from the current folder,
    when the environment lies inside it; else None."""
    if sys.prefix == sys.base_prefix:
        return None
    try:
        relative = paths.relpath(sys.executable, os.getcwd())
    except (OSError, ValueError):  # no current folder, or another drive
        return None
    if relative.startswith(".."):
        return None
    name = relative[:-4] if relative.lower().endswith(".exe") else relative
    return name if paths.dirname(name) else paths.join(".", name)
