"""The name of a new honor period (期次), written the way the file already writes them.

A board that says 2026年8月 gets 2026年11月; one that says 2026-08 gets
2026-11.  Without a name given, the period is this month, or last month in
the first days of a month (the roll of a month is drawn up after it ends).
A name given that is only a year and a month (2026年11月, 2026-11, 11月) is
written in the file's way too; any other name is taken as written.
"""

from __future__ import annotations

import datetime as dt
import re

LAST_MONTH_UNTIL_DAY = 5  # on days 1 to 5 of a month, the new period is last month's
DEFAULT_STYLE = "2026年8月"
_YEAR_MONTH = re.compile(r"(?P<year>\d{4})(?P<sep>\s*(?:年|[-./])\s*)(?P<month>\d{1,2})(?P<end>\s*月)?")
_REPEAT = re.compile(r"（\d+）$")  # the "(2)" new adds to a second period of one month


def proposed_month(today: dt.date) -> tuple[int, int]:
    """(year, month) the period of a roll drawn up today is for."""
    if today.day > LAST_MONTH_UNTIL_DAY:
        return today.year, today.month
    last = today.replace(day=1) - dt.timedelta(days=1)
    return last.year, last.month


def in_style(year: int, month: int, existing: list[str]) -> str:
    """The year and month written as the latest period of ``existing`` that names one."""
    sample = next((p for p in reversed(existing) if _is_month(_YEAR_MONTH.search(p))), DEFAULT_STYLE)
    found = _YEAR_MONTH.search(sample)
    padded = any(m and len(m["month"]) == 2 and int(m["month"]) < 10
                 for m in map(_YEAR_MONTH.search, existing))
    padded = padded or (not found["end"] and found["sep"].strip() != "年")
    written = f"{year}{found['sep']}{month:02d}" if padded else f"{year}{found['sep']}{month}"
    base = _REPEAT.sub("", sample)
    found = _YEAR_MONTH.search(base)
    return base[:found.start()] + written + (found["end"] or "") + base[found.end():]


def given_period(text: str, today: dt.date, existing: list[str]) -> str:
    """A name the secretary gave: a bare year and month in the file's way, else as written."""
    text = " ".join(text.split())
    whole = _YEAR_MONTH.fullmatch(text)
    if _is_month(whole):
        return in_style(int(whole["year"]), int(whole["month"]), existing)
    month_only = re.fullmatch(r"(\d{1,2})\s*月", text)
    if month_only and 1 <= int(month_only[1]) <= 12:
        month = int(month_only[1])
        return in_style(today.year if month <= today.month else today.year - 1, month, existing)
    return text


def _is_month(found: re.Match | None) -> bool:
    return bool(found) and 1 <= int(found["month"]) <= 12
