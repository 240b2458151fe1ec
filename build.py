#!/usr/bin/env python3
"""branchboard: 党支部宣传栏生成器 (a party branch's publicity board from plain files).

    python build.py                 same as `python build.py build`
    python build.py build           build the site into public/
    python build.py check           check every file, write nothing
    python build.py serve           preview while editing, with live reload (and the editor at /admin/)
    python build.py edit            serve, and open the editor in the browser
    python build.py password        set the password other computers use for the editor
    python build.py print           PDFs of the banners, posters and post cards
    python build.py new ...         start an article or a data entry
"""

import sys

if __name__ == "__main__":
    try:
        from branchboard.cli import run
    except KeyboardInterrupt:  # Ctrl-C while Python was still loading: nothing was begun
        print("已中断：还没有开始生成，上一次生成的网站保持不变。", file=sys.stderr)
        sys.exit(130)
    run(sys.argv[1:])
