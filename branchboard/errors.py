"""The secretary's mistakes.

A :class:`BoardError` is a problem in the content the secretary wrote: it names
the file, the line and column where known, what is wrong and how to fix it, in
Chinese.  Any other exception escaping the pipeline is a bug in branchboard and
keeps its traceback.

Stages never stop at the first problem: they add every problem they find to a
:class:`Report` and the pipeline stops between stages when the report holds
errors, so one run tells the secretary everything that needs fixing.
"""

from __future__ import annotations

from pathlib import Path

from dataclasses import dataclass, field
from typing import Iterable

# How a command ends, for the shell: success, mistakes in the content (or a
# refusal), mistakes in how the command was typed, stopped by Ctrl-C.
EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # as a shell reports a program stopped by Ctrl-C


@dataclass(frozen=True)
class BoardError(Exception):
    """One problem in what the secretary wrote (or a warning about it)."""

    path: str  # relative to the site folder, with forward slashes
    line: int | None  # 1-based
    col: int | None  # 1-based
    message: str
    hint: str = ""
    level: str = "error"  # "error" or "warning"
    also: tuple = ()  # further problems found in the same file at the same time

    def __reduce__(self):
        # an exception is pickled as its args, and a frozen dataclass cannot be
        # refilled field by field: rebuilt whole (for the build cache and helper processes)
        return (type(self), (self.path, self.line, self.col, self.message, self.hint, self.level, self.also))

    def location(self) -> str:
        where = self.path or "site.yaml"
        if self.line:
            where += f":{self.line}"
            if self.col:
                where += f":{self.col}"
        return where

    def __str__(self) -> str:
        label = "错误" if self.level == "error" else "警告"
        text = f"{self.location()}: {label}：{self.message}"
        if self.hint:
            text += f"\n    提示：{self.hint}"
        return text


@dataclass
class Report:
    """Problems gathered during one build, in the order they were found."""

    problems: list[BoardError] = field(default_factory=list)

    def error(self, path, line, col, message, hint=""):
        self.problems.append(BoardError(path, line, col, message, hint, "error"))

    def warning(self, path, line, col, message, hint=""):
        self.problems.append(BoardError(path, line, col, message, hint, "warning"))

    def add(self, problem: BoardError) -> None:
        """Add a problem, and the ones found with it (``problem.also``)."""
        self.problems.append(problem)
        self.problems.extend(problem.also)

    def extend(self, problems: Iterable[BoardError]) -> None:
        self.problems.extend(problems)

    @property
    def errors(self) -> list[BoardError]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[BoardError]:
        return [p for p in self.problems if p.level == "warning"]

    def has_errors(self) -> bool:
        return any(p.level == "error" for p in self.problems)

    def sorted(self) -> list[BoardError]:
        """Problems grouped by file, then by line, keeping duplicates out."""
        seen, unique = set(), []
        for p in self.problems:
            if p not in seen:
                seen.add(p)
                unique.append(p)
        return sorted(unique, key=lambda p: (p.path, p.line or 0, p.col or 0))


class BuildFailed(Exception):
    """Raised between stages when the report holds errors."""

    def __init__(self, report: Report):
        super().__init__(f"{len(report.errors)} 个错误")
        self.report = report


def case_hint(path: str, files, folder: str) -> str:
    """A "did you mean" for a name that differs from a file's only in case
    (photo.JPG for photo.jpg), written as from ``folder``: Windows does not
    mind, a web server does.  ``files`` are paths from the same root as ``path``."""
    import posixpath

    same = [f for f in files if f.lower() == path.lower()]
    if not same:
        return ""
    written = posixpath.relpath(same[0], folder) if folder else same[0]
    return f"是不是想写“{written}”？文件名的大小写要和文件完全一样（网站放到服务器上时大小写不同就打不开）。"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A Chinese "did you mean" hint, or "" when nothing is close."""
    import difflib  # only when a mistake is being explained

    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.5)
    return f"是不是想写“{close[0]}”？" if close else ""


def describe_os_error(exc: OSError, site_dir: Path | None = None) -> str:
    """What the operating system refused, in Chinese: the path, why, and
    what to do.  For faults of the machine, not of the content: a full disk,
    a read-only folder, a file another program holds open."""
    import errno

    path = exc.filename or ""
    if path and site_dir is not None:
        try:
            path = Path(path).resolve().relative_to(site_dir.resolve()).as_posix()
        except ValueError:
            pass
    where = f" {path}" if path else ""
    code = exc.errno
    if code == errno.ENOSPC or getattr(exc, "winerror", None) == 112:
        return f"磁盘已满，写不进{where}。请删掉一些不用的文件（或用 --out 换一个磁盘上的输出文件夹）后重新运行。"
    if code == errno.EROFS:
        return f"{where.strip() or '这个位置'} 所在的磁盘是只读的，不能写入。请把网站文件夹复制到可以写入的位置（例如电脑的 D 盘）再运行。"
    if getattr(exc, "winerror", None) in (32, 33):
        return f"文件{where} 正被别的程序打开（例如浏览器、WPS 或杀毒软件），请关闭那个程序后重新运行。"
    if code == errno.ENAMETOOLONG:
        return f"文件名太长，系统不允许：{path}。请把文件名或文章信息里的网址名（slug）改短一些。"
    in_cache = ".cache/" in path.replace("\\", "/")
    cache_hint = "（.cache 是缓存文件夹，可以整个删掉，不会丢失任何内容；删掉后重新运行。）" if in_cache else ""
    if code in (errno.EACCES, errno.EPERM):
        return (f"没有权限写入{where}。请检查这个文件夹是否允许修改（文件属性里的“只读”），"
                f"或换一个输出文件夹（--out）。{cache_hint}")
    if code in (errno.ENOTDIR, errno.EISDIR, errno.EEXIST):
        return f"无法写入{where}：那里的文件和文件夹对不上（一个同名的文件挡住了文件夹，或者反过来）。{cache_hint}"
    return f"无法读写{where}：{exc.strerror or exc}。{cache_hint}"
