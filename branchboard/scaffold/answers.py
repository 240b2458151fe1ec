"""The answers a new board starts from, read from the secretary's own words.

`new board` asks six things (or takes them as options).  Each answer is
read as she would type it: teams separated by 、，or spaces, a study rule
written as 每周三、周五 16:30 队部会议室, the screen as 横 or 竖.  A reading
that fails raises ValueError with the Chinese message to show.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

_DAY_CHARS = "一二三四五六日"
_DAY = r"(?:周|星期|礼拜)?[一二三四五六日天]"
_DAYS = re.compile(rf"每?(?:周|星期|礼拜)[一二三四五六日天](?:\s*[、，,和及与/]?\s*{_DAY})*")
_CLOCK = re.compile(r"(\d{1,2})\s*[:：]\s*(\d{2})|(\d{1,2})\s*点\s*(?:(半)|(\d{1,2})\s*分?)?")
_SEPARATORS = re.compile(r"[、，,；;\s]+")


@dataclass(frozen=True)
class StudyRule:
    """The weekly study: which days, at what time ("" if not said), where ("" if not said)."""

    weekdays: tuple[str, ...]
    time: str
    place: str


@dataclass(frozen=True)
class Answers:
    """What the new board is made from; everything but the name may stay empty."""

    name: str  # 机电队党支部
    unit: str = ""  # 某某煤矿
    secretary: str = ""
    teams: tuple[str, ...] = ()
    study: StudyRule | None = None
    portrait: bool = False  # the meeting-room screen hangs upright

    @property
    def organization(self) -> str:
        """The branch as the masthead names it: with its unit, said once."""
        if self.unit and not self.name.startswith(self.unit):
            return self.unit + self.name
        return self.name


def read_name(text: str) -> str:
    name = " ".join(text.split())
    if not name:
        raise ValueError("支部名称不能空着，例如：机电队党支部")
    return name


def read_plain(text: str) -> str:
    return " ".join(text.split())


def read_teams(text: str) -> tuple[str, ...]:
    """甲班、乙班，丙班 丁班 -> (甲班, 乙班, 丙班, 丁班), each once."""
    return tuple(dict.fromkeys(t for t in _SEPARATORS.split(text) if t))


def read_screen(text: str) -> bool:
    """Whether the screen hangs upright: 竖 (portrait) or 横 (landscape, the default)."""
    word = text.strip().lower()
    if word in ("", "横", "横屏", "横的", "横着", "landscape"):
        return False
    if word in ("竖", "竖屏", "竖的", "竖着", "portrait"):
        return True
    raise ValueError(f"大屏横竖只能写“横”或“竖”，这里写的是“{text.strip()}”")


def read_study(text: str) -> StudyRule | None:
    """每周三、周五 16:30 队部会议室 -> the days, the time and the place; "" -> None."""
    text = text.strip()
    if not text:
        return None
    days = _DAYS.search(text)
    if days is None:
        raise ValueError(f"“{text}”里没有看出每周哪几天学习，请写成：每周三、周五 16:30 队部会议室")
    from branchboard.board.data import WEEKDAYS  # not imported by the command line's parser

    weekdays = tuple(dict.fromkeys(WEEKDAYS[_DAY_CHARS.index("日" if c == "天" else c)]
                                   for c in re.sub(r"(?:周|星期|礼拜)", "", days.group())
                                   if c in _DAY_CHARS + "天"))
    rest = text[:days.start()] + " " + text[days.end():]
    time, rest = _read_clock(rest)
    place = re.sub(r"^[\s、，,在]+|[\s、，,。]+$", "", rest)
    place = re.sub(r"\s+", " ", place).removesuffix("学习").strip()
    return StudyRule(weekdays, time, place)


def _read_clock(text: str) -> tuple[str, str]:
    """The first time of day in the text as 16:30, and the text without it."""
    found = _CLOCK.search(text)
    if found is None:
        return "", text
    hour = int(found.group(1) or found.group(3))
    minute = int(found.group(2) or (30 if found.group(4) else found.group(5) or 0))
    before = text[:found.start()]
    if re.search(r"(下午|晚上)\s*$", before) and hour < 12:
        hour += 12
    before = re.sub(r"(上午|下午|晚上|早上)\s*$", "", before)
    if hour > 23 or minute > 59:
        raise ValueError(f"“{found.group().strip()}”不是时间，请写成 16:30 这样")
    return f"{hour}:{minute:02d}", before + " " + text[found.end():]


@dataclass(frozen=True)
class Question:
    field: str  # the Answers field it fills
    option: str  # the command-line option that answers it
    prompt: str  # asked on the terminal
    default_text: str  # what an empty answer means, said in the prompt
    parse: Callable[[str], object]


QUESTIONS = (
    Question("name", "--name", "支部名称（例如 机电队党支部）", "", read_name),
    Question("unit", "--unit", "单位（例如 某某煤矿；没有就直接按回车）", "不写", read_plain),
    Question("secretary", "--secretary", "支部书记姓名", "不写", read_plain),
    Question("teams", "--teams", "班组，用顿号、逗号或空格隔开（例如 甲班、乙班、检修班）", "不写", read_teams),
    Question("study", "--study", "学习日与时间地点（例如 每周三、周五 16:30 队部会议室）", "不写", read_study),
    Question("portrait", "--screen", "会议室大屏是横屏还是竖屏（横/竖）", "横", read_screen),
)
