"""The command line: build | check | serve | edit | password | print | new.

Exit codes: 0 success, 1 content errors, 2 usage errors.  Everything printed
is Chinese, for the secretary; a Python traceback only ever means a bug in
branchboard itself.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import re
import sys
from pathlib import Path

from branchboard.command import command_name
from branchboard.site.config import load_config
from branchboard.errors import (EXIT_CONTENT, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, BoardError, BuildFailed,
                                Report, describe_os_error)
from branchboard.build.pipeline import BuildResult, Options, build, resolve_now
from branchboard.build.write import WRITING
from branchboard.locks import Busy

PROJECT_DIR = Path(__file__).resolve().parent.parent


class UsageError(Exception):
    pass


class ChineseHelp(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


class ChineseParser(argparse.ArgumentParser):
    """argparse with its own words in Chinese too: the help's headings, the
    help option and the usage mistakes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, formatter_class=ChineseHelp, add_help=False, **kwargs)
        self._positionals.title = "参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="显示这段说明")

    def error(self, message):  # argparse calls this for every usage mistake
        self.print_usage(sys.stderr)
        message = (message.replace("the following arguments are required", "缺少参数")
                   .replace("unrecognized arguments", "不认识的参数")
                   .replace("invalid choice", "无效的选项")
                   .replace("choose from", "可选")
                   .replace("expected one argument", "需要一个值"))
        message = re.sub(r"^argument ([^:]+): ", r"\1：", message)
        print(f"用法错误：{message}", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def _date(text: str) -> dt.datetime:
    # what strptime("%Y-%m-%d") takes, without importing it and the locale
    # machinery behind it, a cost every build given a date would pay
    found = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text.strip(), re.ASCII)
    try:
        if found is None:
            raise ValueError(text)
        return dt.datetime(*map(int, found.groups()))
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是日期，请写成 2026-11-25") from None


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"“{text}”不是端口号，请写 0 到 65535 之间的数字，例如 8000")
    return int(text)


def make_parser() -> ChineseParser:
    parser = ChineseParser(prog=command_name(), description="党支部宣传栏生成器 branchboard")
    commands = parser.add_subparsers(dest="command", metavar="命令", parser_class=ChineseParser)

    def common(sub, out=True):
        sub.add_argument("--site", type=Path, help="网站文件夹（含 site.yaml），默认当前文件夹")
        if out:
            sub.add_argument("--out", type=Path, help="输出文件夹，默认 <网站文件夹>/public")
        sub.add_argument("--drafts", action="store_true", help="草稿也生成")
        sub.add_argument("--now", type=_date, help="把这一天当作今天（YYYY-MM-DD），用于发布/下架判断")

    common(commands.add_parser("build", help="生成网站"))
    common(commands.add_parser("check", help="检查所有文件，不写任何东西"), out=False)
    common(commands.add_parser("print", help="生成网站，并把条幅、海报的打印页生成 PDF（需要 Chromium、Chrome 或 Edge）"))
    for name, what in (("serve", "边改边看：生成网站并在浏览器里预览，保存后自动刷新（后台在 /admin/）"),
                       ("edit", "和 serve 一样，并在浏览器里打开编辑后台")):
        serve = commands.add_parser(name, help=what)
        common(serve)
        serve.add_argument("--host", default="127.0.0.1",
                           help="监听的地址，默认只有本机能打开；写 0.0.0.0 让局域网里的大屏也能打开")
        serve.add_argument("--port", type=_port, default=8000, help="端口，默认 8000")
    password = commands.add_parser("password", help="设置编辑后台的密码（局域网里的其他电脑要用它登录）")
    password.add_argument("--site", type=Path, help="网站文件夹（含 site.yaml），默认当前文件夹")
    add_new_commands(commands.add_parser("new", help="新建文章，或在光荣榜、学习培训、职工信箱里新加一项"))
    add_bundle_command(commands)
    return parser


def add_new_commands(new: ChineseParser) -> None:
    kinds = new.add_subparsers(dest="kind", metavar="类型", parser_class=ChineseParser, required=True)
    article = kinds.add_parser("article", help="新建一篇文章：new article 栏目 标题")
    article.add_argument("section", metavar="栏目", help="栏目的 id 或名称，例如 news 或 支部动态")
    article.add_argument("title", metavar="标题", nargs="+", help="文章标题")
    for kind, what in (("honor", "光荣榜新的一期"), ("study", "学习培训新的一次课"),
                       ("mailbox", "职工信箱新的一条来信")):
        kinds.add_parser(kind, help=f"在数据文件末尾加上{what}")
    kinds.choices["honor"].add_argument("--期次", "--period", dest="period", metavar="期次",
                                        help="这一期的名称，例如 2026年11月；不写时按日期推算（每月 1 到 5 日算上个月）")
    study = kinds.choices["study"]
    study.add_argument("--加课", "--extra", dest="extra", type=_date, metavar="日期",
                       help="在这一天临时加一次课（时间地点按学习安排）")
    study.add_argument("--取消", "--cancel", dest="cancel", type=_date, metavar="日期", help="取消这一天的课")
    study.add_argument("--原因", "--reason", dest="reason", metavar="原因", help="取消的原因（和 --取消 一起用）")
    for sub in kinds.choices.values():
        sub.add_argument("--site", type=Path, help="网站文件夹（含 site.yaml），默认当前文件夹")
        sub.add_argument("--now", type=_date, help="把这一天当作今天（YYYY-MM-DD）")
    add_new_board(kinds.add_parser("board", help="新建一个空的宣传栏：new board 文件夹"))


def add_new_board(board: ChineseParser) -> None:
    from branchboard.scaffold.answers import QUESTIONS

    board.add_argument("dir", metavar="文件夹", type=Path, help="新宣传栏的文件夹（新的或空的）")
    chinese = {"name": "--支部名称", "unit": "--单位", "secretary": "--书记", "teams": "--班组",
               "study": "--学习", "portrait": "--大屏"}
    for q in QUESTIONS:
        board.add_argument(q.option, chinese[q.field], dest=q.field, metavar="…", help=q.prompt)
    board.add_argument("--yes", "-y", action="store_true", help="不提问：没有写的都用默认值")
    board.add_argument("--now", type=_date, help="把这一天当作今天（YYYY-MM-DD）")


def add_bundle_command(commands) -> None:
    bundle = commands.add_parser(
        "bundle", help="做一个离线安装文件夹：拷到 U 盘，在不能上网的电脑上双击安装和使用",
        description="做一个离线安装文件夹：程序要用的安装包、程序本身、宣传栏的文件（site.yaml、content、data）"
                    "和双击就能用的脚本（安装、生成网站、编辑预览、打印、大屏播放）。"
                    "做的时候要联网（下载安装包），用的时候不用。"
                    "不写 --windows、--linux、--macos 时只做 Windows 的；可以同时写几个。")
    bundle.add_argument("dest", metavar="文件夹", type=Path, help="放安装文件夹的位置，要是新的或空的文件夹，例如 E:\\宣传栏")
    bundle.add_argument("--windows", action="store_true", help="给 Windows 电脑（.bat 脚本，64 位，Python 3.10 到 3.13）；默认")
    bundle.add_argument("--linux", action="store_true", help="给 Linux 电脑（.sh 脚本，x86_64）")
    bundle.add_argument("--macos", action="store_true", help="给苹果电脑（.command 脚本，M 系列芯片和 Intel）")
    bundle.add_argument("--site", type=Path, help="网站文件夹（含 site.yaml），默认当前文件夹")


def find_site(given: Path | None) -> Path:
    if given is not None:
        site = given.resolve()
        if not (site / "site.yaml").is_file():
            raise UsageError(f"{given} 里没有 site.yaml，请用 --site 指定网站文件夹")
        return site
    cwd = Path.cwd()
    if (cwd / "site.yaml").is_file():
        return cwd
    if (PROJECT_DIR / "site.yaml").is_file():  # build.py in a checkout: the example board beside it
        return PROJECT_DIR
    raise UsageError("当前文件夹里没有 site.yaml：请先进入网站文件夹，或者用 --site 指定网站文件夹")


def print_problems(report: Report, stream=None) -> None:
    stream = stream or sys.stderr  # the one in use now (a test may have put its own)
    for problem in report.sorted():
        print(problem, file=stream)


_ONE_SHOT: list = []  # set by main() once a build or check has finished


def run(argv: list[str]):
    """main(), then end the process.  After a build or a check nothing is left
    to tidy: the process ends without freeing its objects one by one, which
    grows with the site (mypy ends the same way).  serve, print and
    new end as usual, their helpers and threads stopped in order."""
    tolerate_narrow_consoles()
    try:
        code = main(argv, process_ends=True)
    except KeyboardInterrupt:  # outside a build's own handling (main says what became of a build)
        print("\n已中断。", file=sys.stderr)
        code = EXIT_INTERRUPTED
    except BrokenPipeError:  # whoever read our output stopped reading (`| head -1`)
        # nothing more can be said there, and Python's own last flush must not try
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 1  # as Python's own exit on a closed pipe
    if _ONE_SHOT:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # a closed pipe: nothing more can be said there
                pass
        os._exit(code)
    sys.exit(code)


def tolerate_narrow_consoles() -> None:
    """A character the console's encoding lacks (an emoji in a title, on a
    GBK console or in a log Windows writes as GBK) prints as "?" instead of
    stopping the program with UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")


def show_photo_progress(done: int, total: int, stream=None) -> None:
    """How far the photos are, once making them takes a while: one line
    rewritten on a terminal, a line every ten photos elsewhere (a log)."""
    stream = stream or sys.stderr
    last = done == total
    if stream.isatty():
        print(f"\r正在处理照片 {done}/{total}", end="\n" if last else "", file=stream, flush=True)
    elif last or done % 10 == 0:
        print(f"正在处理照片 {done}/{total}", file=stream, flush=True)


def main(argv: list[str], process_ends: bool = False) -> int:
    parser = make_parser()
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv = ["build", *argv]  # `python build.py` means `python build.py build`
    args = parser.parse_args(argv)
    if args.command == "new" and args.kind == "board":
        from branchboard.scaffold.board import run_new_board

        return run_new_board(args, build_with=main)
    try:
        site = find_site(args.site)
    except UsageError as exc:
        print(f"用法错误：{exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.command == "new":
        return run_new(args, site)
    if args.command == "password":
        from branchboard.editor.security import run_password

        return run_password(site)
    if args.command == "bundle":
        from branchboard.bundle import run_bundle

        return run_bundle(args, site)
    options = Options(site_dir=site, out_dir=getattr(args, "out", None), drafts=args.drafts,
                      now=args.now, write=args.command != "check", on_photos=show_photo_progress)
    if args.command == "print":
        from branchboard.printing.pdf import run_print

        return run_print(options)
    if args.command in ("serve", "edit"):
        from branchboard.serve import server as serve  # watchdog is imported only when serving

        return serve.run(options, args.host, args.port, open_editor=args.command == "edit")
    # One build in a process that ends with it: the cycle collector's passes
    # over the cache's many objects take time and free nothing a build needs
    # back (peak memory measured the same).  Turned on again after the build,
    # its first pass would walk all of them once more just before the
    # process ends (run()).  Figures: docs/speed.md.
    gc.disable()
    try:
        result = build(options, on_wait=lambda: print("另一个生成正在进行，等它完成……", file=sys.stderr, flush=True))
    except BuildFailed as failed:
        print_problems(failed.report)
        n = len(failed.report.errors)
        kept = "，上一次生成的网站保持不变" if options.write else ""
        print(f"\n发现 {n} 个错误，请按上面的提示修改后重新运行{kept}。", file=sys.stderr)
        return EXIT_CONTENT
    except KeyboardInterrupt:
        print(f"\n已中断，{what_became_of(options)}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Busy:
        print("另一个生成一直没有完成，这次没有生成。请等它结束（或关掉它）后重新运行。", file=sys.stderr)
        return EXIT_CONTENT
    except OSError as exc:
        print(f"{describe_os_error(exc, options.site_dir)}\n{what_became_of(options)}", file=sys.stderr)
        return EXIT_CONTENT
    finally:
        if not process_ends:
            gc.enable()
        _ONE_SHOT.append(args.command)
    try:
        print_problems(result.report)
        report_success(args.command, options, result)
    except KeyboardInterrupt:  # the build had finished: say so, not that the site is as it was
        print("\n已中断；网站已经生成完毕。" if options.write else "\n已中断；检查已经完成。", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_OK


def what_became_of(options: Options) -> str:
    """The truth about the output folder after a build that did not finish."""
    if not options.write:
        return "没有写入任何文件。"
    if (options.out / WRITING).exists():
        return "网站只更新了一部分；下次生成时会整个重新生成。"
    return "上一次生成的网站保持不变。"


def report_success(command: str, options: Options, result: BuildResult) -> None:
    warnings = len(result.report.warnings)
    note = f"，{warnings} 个警告" if warnings else ""
    if command == "check":
        print(f"检查完毕：没有错误{note}（共 {result.pages} 个网页）。")
        from branchboard.screen.schedule import OUTPUT as SCHEDULE, summary_in

        summary = summary_in(result.outputs.pages.get(SCHEDULE) or "")
        if summary:  # the screen's week, as screen/schedule.html shows it
            print(summary)
    else:
        if result.unchanged:
            print(f"没有改动，网站保持不变（用时 {result.seconds:.2f} 秒）{note}。")
        else:
            print(f"生成完毕：{result.pages} 个网页（重新生成 {result.rendered} 个），"
                  f"用时 {result.seconds:.2f} 秒{note}。")
        print(f"打开 {options.out / 'index.html'} 查看。")


def new_options(args) -> dict:
    """The kind's own options of `new honor` and `new study`, as new_entry takes them."""
    if args.kind == "honor":
        return {"period": args.period}
    if args.kind == "study":
        return {"extra_day": args.extra.date() if args.extra else None}
    return {}


def run_new(args, site: Path) -> int:
    from branchboard.scaffold import new
    from branchboard.site.placeholders import PLACEHOLDER

    report = Report()
    config = load_config(site, report)
    if config is None:
        print_problems(report)
        print("\nsite.yaml 有错误，请先改正。", file=sys.stderr)
        return EXIT_CONTENT
    today = resolve_now(args.now).date()
    if args.kind == "study" and (args.extra and args.cancel or args.reason and not args.cancel):
        print("用法错误：--加课 和 --取消 不能一起用；--原因 要和 --取消 一起用。", file=sys.stderr)
        return EXIT_USAGE
    try:
        if args.kind == "article":
            created = new.new_article(site, config, args.section, " ".join(args.title), today)
        elif args.kind == "study" and args.cancel:
            created = new.cancel_session(site, config, args.cancel.date(), args.reason, today)
        else:
            created = new.new_entry(site, config, args.kind, today, **new_options(args))
    except BoardError as problem:  # the data file has a mistake the entry cannot go past
        print(problem, file=sys.stderr)
        print("\n请先改正上面的错误，再运行 new。文件没有改动。", file=sys.stderr)
        return EXIT_CONTENT
    except new.Refused as refused:
        print(f"没有新建：{refused}", file=sys.stderr)
        return EXIT_CONTENT
    except Busy:
        print("没有新建：另一个 new 命令一直没有完成。请等它结束后再运行。文件没有改动。", file=sys.stderr)
        return EXIT_CONTENT
    except OSError as exc:
        print(f"没有新建：{describe_os_error(exc, site)}", file=sys.stderr)
        return EXIT_CONTENT
    where = f"（第 {created.line} 行起）" if created.line > 1 else ""
    run = command_name()
    if args.kind == "study" and args.cancel:
        print(f"已把{created.what}：{created.rel}{where}")
        print(f"下一步：{'把“' + PLACEHOLDER + '”改成取消的原因，' if not args.reason else ''}"
              f"运行 {run} 重新生成网站，学习培训页和大屏上这次课会标明取消。")
        return EXIT_OK
    print(f"已添加{created.what}：{created.rel}{where}")
    if args.kind == "article":
        print(f"下一步：用记事本打开 {created.rel}，写好正文并保存；运行 {run} check 检查，"
              f"再运行 {run} 生成网站（或用 {run} serve 边改边看）。")
    else:
        print(f"下一步：用记事本打开 {created.rel}{where}，把“{PLACEHOLDER}”改成实际内容并保存，"
              f"然后运行 {run} check 检查。")
    return EXIT_OK
