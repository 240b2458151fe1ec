"""`new study --加课 DATE` and `new study --取消 DATE --原因 …`: a session
out of the weekly rule, and a session called off, written the way
data/study.yaml already says them (加课: true; 取消: true with 原因:).

An extra session takes its time and place from the schedule, so they are
not written again; the lines to change them are there, as comments.  A
cancelled session that is already in the file gets the two lines added to
it; one that is only in the weekly rule is added as a dated entry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from branchboard.board import data as data_mod
from branchboard.command import command_name
from branchboard.site.placeholders import PLACEHOLDER
from branchboard.scaffold.yamlappend import Refused


def _schedule(doc) -> dict:
    return (doc.get("schedule") if isinstance(doc, dict) else None) or {}


def _sessions(doc) -> list:
    return (doc.get("sessions") if isinstance(doc, dict) else None) or []


def _on(day: dt.date, session) -> bool:
    return isinstance(session, dict) and data_mod.as_date(session.get("date")) == day


def _rule_text(schedule: dict) -> str:
    return "每" + "、".join(schedule.get("weekdays") or ()) if schedule.get("weekdays") else "没有每周固定的学习"


def extra_session(doc, today: dt.date, day: dt.date) -> tuple[list[str], str]:
    """The lines of an extra session on ``day`` (an ordinary one if the rule has it)."""
    if any(_on(day, s) for s in _sessions(doc)):
        raise Refused(f"data/study.yaml 里已经有 {day:%Y-%m-%d} 的课，没有再加。要修改就直接打开这个文件。")
    schedule = _schedule(doc)
    regular = bool(schedule.get("weekdays")) and data_mod.is_scheduled(schedule, day)
    lines = [f"# {today:%Y-%m-%d} 用 {command_name()} new study --加课 添加：把“{PLACEHOLDER}”改成实际内容",
             f"- 日期: {day:%Y-%m-%d}", f"  主题: {PLACEHOLDER}", f"  主讲: {PLACEHOLDER}"]
    if not regular:
        lines.append("  加课: true          # 不在每周固定安排里的课")
    time, place = schedule.get("time"), schedule.get("place")
    lines.append(f'  # 时间: "{time or "16:30"}"     （{"和平时不同时" if time else "要写时间时"}删掉开头的 # 号再改）')
    lines.append(f"  # 地点: {place or '队部会议室'}     （{'和平时不同时' if place else '要写地点时'}删掉开头的 # 号再改）")
    label = f"学习培训的{'加课' if not regular else '一次课'}（{day:%Y-%m-%d}）"
    return lines, label


@dataclass(frozen=True)
class Cancellation:
    """How a session is marked cancelled: keys added to entry ``index``, or (index None) a new entry."""

    index: int | None
    lines: list[str]
    label: str


def cancellation(doc, today: dt.date, day: dt.date, reason: str | None) -> Cancellation:
    """What to write to call off the session on ``day``; Refused when there is none."""
    from branchboard.scaffold.new import yaml_text

    why = yaml_text(" ".join(reason.split())) if reason and reason.strip() else PLACEHOLDER
    label = f" {day:%Y-%m-%d} 的课标为取消"
    for index, session in enumerate(_sessions(doc)):
        if _on(day, session):
            if session.get("cancelled"):
                raise Refused(f"{day:%Y-%m-%d} 的课已经是取消的了，文件没有改动。")
            if session.get("reason"):
                raise Refused(f"{day:%Y-%m-%d} 的课已经写了“原因”，请直接打开 data/study.yaml 把“取消:”改成 true。")
            return Cancellation(index, ["取消: true", f"原因: {why}"], label)
    schedule = _schedule(doc)
    if not (schedule.get("weekdays") and data_mod.is_scheduled(schedule, day)):
        raise Refused(f"{day:%Y-%m-%d} 不是学习日（{_rule_text(schedule)}），data/study.yaml 里也没有这一天的课，"
                      "没有可以取消的。请核对日期。")
    lines = [f"# {today:%Y-%m-%d} 用 {command_name()} new study --取消 添加",
             f"- 日期: {day:%Y-%m-%d}", "  取消: true", f"  原因: {why}"]
    return Cancellation(None, lines, label)
