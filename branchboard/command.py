"""The command as the secretary types it on this computer, for every hint
that tells her what to run next.

    branchboard         the installed package's command (and `python -m branchboard`)
    py build.py         build.py on Windows, as the guide has it (`python3`
                        there opens the Microsoft Store)
    python3 build.py    build.py on Linux and macOS, where `python` is often missing

It follows from how this process was started (its argv[0]) and the system,
so every hint of one run names the same command.
"""

from __future__ import annotations

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
    return "py build.py" if platform == "win32" else "python3 build.py"
