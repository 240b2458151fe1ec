"""`python build.py new board DIR`: a new, empty board in a new folder.

    1. the answers: options first, then questions on the terminal  gather_answers
    2. the files, written only into a folder that is new or empty  create_board
    3. the normal build (run_new_board), then what to do next      next_steps

A folder that already holds anything is refused before a byte is written:
a new board never overwrites.  If writing fails halfway, what was written
is taken away again, so a second try starts from the same empty folder.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
from dataclasses import replace
from pathlib import Path
from typing import Callable

from branchboard.build.pipeline import resolve_now
from branchboard.command import command_name
from branchboard.errors import EXIT_CONTENT, EXIT_USAGE, describe_os_error
from branchboard.scaffold.answers import QUESTIONS, Answers, Question
from branchboard.scaffold.boardfiles import SECTIONS, board_files
from branchboard.scaffold.yamlappend import Refused


class Missing(Exception):
    """An answer that has no default was not given; the message says which option gives it."""


def run_new_board(args, build_with: Callable[[list[str]], int]) -> int:
    """Ask what was not given (on a terminal), write the board, build it
    with ``build_with`` (the command line's main), say what next."""
    shown = str(args.dir)
    target = args.dir.resolve()
    try:
        check_folder(target, shown)
        values, problems = from_options({q.field: getattr(args, q.field) for q in QUESTIONS})
        if problems:
            print("\n".join(f"用法错误：{p}" for p in problems), file=sys.stderr)
            return EXIT_USAGE
        given = set(values)
        ask = input if not args.yes and sys.stdin.isatty() else None
        answers = gather_answers(values, ask, print)
        today = resolve_now(args.now).date()
        create_board(target, answers, today, shown)
    except Missing as missing:
        print(f"没有新建：{missing}", file=sys.stderr)
        return EXIT_USAGE
    except Refused as refused:
        print(f"没有新建：{refused}", file=sys.stderr)
        return EXIT_CONTENT
    except OSError as exc:
        print(f"没有新建：{describe_os_error(exc, target)}", file=sys.stderr)
        return EXIT_CONTENT
    if ask is None and not args.yes:
        unanswered = defaulted(given)
        if unanswered:
            print(f"没有终端可以提问，这几项用了默认值：{'、'.join(unanswered)}（可以改 site.yaml 和 data 里的文件）。")
    print(f"新的宣传栏已经建好：{target}")
    built = build_with(["build", "--site", str(target), *(["--now", f"{args.now:%Y-%m-%d}"] if args.now else [])])
    print(next_steps(shown))
    return built


def from_options(given: dict[str, str | None]) -> tuple[dict[str, object], list[str]]:
    """The answers given as options (field -> value), and a message for each that cannot be read."""
    values, problems = {}, []
    for q in QUESTIONS:
        text = given.get(q.field)
        if text is None:
            continue
        try:
            values[q.field] = q.parse(text)
        except ValueError as problem:
            problems.append(f"{q.option}：{problem}")
    return values, problems


def gather_answers(values: dict[str, object], ask: Callable[[str], str] | None,
                   say: Callable[[str], None]) -> Answers:
    """The answers: those given, then each other asked with ``ask`` (None:
    nothing may be asked, every other answer takes its default)."""
    for q in QUESTIONS:
        if q.field in values:
            continue
        if ask is None:
            if q.field == "name":
                raise Missing("没有写支部名称：请加上 --name 支部名称，例如 --name 机电队党支部")
            continue
        values[q.field] = _ask_until_read(q, ask, say)
    return replace(Answers(name=""), **values)


def _ask_until_read(q: Question, ask: Callable[[str], str], say: Callable[[str], None]):
    """One question, asked again after an answer that cannot be read; the
    end of input takes the default (or is Missing for the name)."""
    prompt = f"{q.prompt}{f'［直接回车：{q.default_text}］' if q.default_text else ''}："
    while True:
        try:
            text = ask(prompt)
        except EOFError:
            if q.field == "name":
                raise Missing("没有输入支部名称，没有新建。") from None
            return q.parse("")
        try:
            return q.parse(text)
        except ValueError as problem:
            say(f"{problem}。请重新输入。")


def defaulted(answered: set[str]) -> list[str]:
    """The options of the questions not answered (fields not in ``answered``): they took their defaults."""
    return [q.option for q in QUESTIONS if q.field not in answered]


# -- the folder ------------------------------------------------------------------------

def check_folder(target: Path, shown: str) -> None:
    """Refuse a folder that exists and is not empty (or a file by that name)."""
    if target.exists() and not target.is_dir():
        raise Refused(f"{shown} 已经是一个文件，不是文件夹。请换一个新文件夹的名字。")
    if target.is_dir() and any(target.iterdir()):
        raise Refused(f"文件夹 {shown} 已经存在而且里面有东西，没有改动它。"
                      "新宣传栏要放在一个新的（或空的）文件夹里，请换一个名字。")


def create_board(target: Path, answers: Answers, today: dt.date, shown: str) -> list[str]:
    """Write the new board into ``target``; the files written, in order."""
    check_folder(target, shown)
    existed = target.is_dir()
    files = board_files(answers, today, as_argument(shown))
    try:
        target.mkdir(parents=True, exist_ok=True)
        for section_id, _title in SECTIONS:
            (target / "content" / section_id).mkdir(parents=True, exist_ok=True)
        (target / "data" / "photos").mkdir(parents=True, exist_ok=True)
        for rel, text in files.items():
            path = target / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "x", encoding="utf-8", newline="\n") as f:
                f.write(text)
    except BaseException:
        _take_away(target, existed)
        raise
    return list(files)


def _take_away(target: Path, existed: bool) -> None:
    """Undo a half-written board: the folder was new or empty, so all in it is ours."""
    if not target.is_dir():
        return
    if not existed:
        shutil.rmtree(target, ignore_errors=True)
        return
    for child in target.iterdir():
        if child.is_dir():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def as_argument(shown: str) -> str:
    """The folder as a command line takes it: quoted when it has a space."""
    return f'"{shown}"' if any(c.isspace() for c in shown) else shown


def next_steps(shown: str) -> str:
    """What the secretary does next, with the commands for this folder."""
    site, sep, run = as_argument(shown), os.sep, command_name()
    return f"""
下一步：
  1. 在浏览器里边改边看（编辑后台）：{run} edit --site {site}
  2. 写第一篇文章：{run} new article 支部动态 文章标题 --site {site}
  3. 改完后重新生成网站：{run} build --site {site}
     生成的网站是 {shown}{sep}public{sep}index.html，会议室大屏打开 {shown}{sep}public{sep}screen{sep}index.html
  网站设置在 {shown}{sep}site.yaml，光荣榜、学习培训等在 {shown}{sep}data 里，每个文件开头都写了怎么填。"""
