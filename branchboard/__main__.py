"""The `branchboard` command of an installed package, and `python -m branchboard`:
the same as `python build.py` in a checkout."""

import sys


def main() -> None:
    try:
        from branchboard.cli import run
    except KeyboardInterrupt:  # Ctrl-C while Python was still loading: nothing was begun
        print("已中断：还没有开始生成，上一次生成的网站保持不变。", file=sys.stderr)
        sys.exit(130)
    run(sys.argv[1:])


if __name__ == "__main__":
    main()
