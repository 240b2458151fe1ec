"""The command line: build | check (serve, print and new join them later).

Exit codes: 0 success, 1 content errors, 2 usage errors.  Everything printed
is Chinese, for the secretary; a Python traceback only ever means a bug in
branchboard itself.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from .errors import BuildFailed, Report
from .pipeline import BuildResult, Options, build

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
PROJECT_DIR = Path(__file__).resolve().parent.parent


class UsageError(Exception):
    pass


class ChineseParser(argparse.ArgumentParser):
    def error(self, message):  # argparse calls this for every usage mistake
        self.print_usage(sys.stderr)
        message = (message.replace("the following arguments are required", "缺少参数")
                   .replace("unrecognized arguments", "不认识的参数")
                   .replace("invalid choice", "无效的选项")
                   .replace("expected one argument", "需要一个值"))
        print(f"用法错误：{message}", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def _date(text: str) -> dt.datetime:
    try:
        return dt.datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是日期，请写成 2026-11-25") from None


def make_parser() -> ChineseParser:
    parser = ChineseParser(prog="python build.py", description="党支部宣传栏生成器 branchboard")
    commands = parser.add_subparsers(dest="command", metavar="命令", parser_class=ChineseParser)

    def common(sub, out=True):
        sub.add_argument("--site", type=Path, help="网站文件夹（含 site.yaml），默认当前文件夹")
        if out:
            sub.add_argument("--out", type=Path, help="输出文件夹，默认 <网站文件夹>/public")
        sub.add_argument("--drafts", action="store_true", help="草稿也生成")
        sub.add_argument("--now", type=_date, help="把这一天当作今天（YYYY-MM-DD），用于发布/下架判断")

    common(commands.add_parser("build", help="生成网站"))
    common(commands.add_parser("check", help="检查所有文件，不写任何东西"), out=False)
    return parser


def find_site(given: Path | None) -> Path:
    if given is not None:
        site = given.resolve()
        if not (site / "site.yaml").is_file():
            raise UsageError(f"{given} 里没有 site.yaml，请用 --site 指定网站文件夹")
        return site
    cwd = Path.cwd()
    return cwd if (cwd / "site.yaml").is_file() else PROJECT_DIR


def print_problems(report: Report, stream=sys.stderr) -> None:
    for problem in report.sorted():
        print(problem, file=stream)


def main(argv: list[str]) -> int:
    parser = make_parser()
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv = ["build", *argv]  # `python build.py` means `python build.py build`
    args = parser.parse_args(argv)
    try:
        site = find_site(args.site)
    except UsageError as exc:
        print(f"用法错误：{exc}", file=sys.stderr)
        return EXIT_USAGE
    options = Options(site_dir=site, out_dir=getattr(args, "out", None), drafts=args.drafts,
                      now=args.now, write=args.command == "build")
    try:
        result = build(options)
    except BuildFailed as failed:
        print_problems(failed.report)
        n = len(failed.report.errors)
        kept = "，上一次生成的网站保持不变" if options.write else ""
        print(f"\n发现 {n} 个错误，请按上面的提示修改后重新运行{kept}。", file=sys.stderr)
        return EXIT_CONTENT
    print_problems(result.report)
    report_success(args.command, options, result)
    return EXIT_OK


def report_success(command: str, options: Options, result: BuildResult) -> None:
    warnings = len(result.report.warnings)
    note = f"，{warnings} 个警告" if warnings else ""
    if command == "check":
        print(f"检查完毕：没有错误{note}（共 {result.pages} 个网页）。")
    else:
        print(f"生成完毕：{result.pages} 个网页，用时 {result.seconds:.2f} 秒{note}。")
        print(f"打开 {options.out / 'index.html'} 查看。")
