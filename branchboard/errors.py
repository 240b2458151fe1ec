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

from dataclasses import dataclass, field
from typing import Iterable


@dataclass(frozen=True)
class BoardError(Exception):
    """One problem in what the secretary wrote (or a warning about it)."""

    path: str  # relative to the site folder, with forward slashes
    line: int | None  # 1-based
    col: int | None  # 1-based
    message: str
    hint: str = ""
    level: str = "error"  # "error" or "warning"

    def __reduce__(self):
        # an exception is pickled as its args, and a frozen dataclass cannot be
        # refilled field by field: rebuilt whole (for the build cache and helper processes)
        return (type(self), (self.path, self.line, self.col, self.message, self.hint, self.level))

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
        self.problems.append(problem)

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


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A Chinese "did you mean" hint, or "" when nothing is close."""
    import difflib  # only when a mistake is being explained

    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.5)
    return f"是不是想写“{close[0]}”？" if close else ""
