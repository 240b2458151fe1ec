"""What `new` writes for the secretary to replace, and how a build finds it
left in: a page never goes live with 待填写 on it.

An entry `new` adds to a data file has 待填写 in each field to fill in; a
new article's body starts with BODY.  Either left in a page that would be
published is an error at its line (a draft article is not published, so
it may keep them)."""

from __future__ import annotations

from typing import Iterator

PLACEHOLDER = "待填写"
BODY = "在这里写正文。"  # the first line of a new article's body

HINT = "把它改成实际内容；暂时不想发布的，删掉这一项（文章可以写 草稿: true）。"


def in_line(line: str) -> str | None:
    """The placeholder a line of an article's body is, if any.  Only `new`'s
    own line counts: a notice may well speak of a form's 待填写 fields."""
    return BODY if line.strip().startswith(BODY) else None


def in_value(value, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """(path, placeholder) of every text in a YAML value that is one (the
    whole value, as `new` writes it: 待填写 within a sentence is text)."""
    if isinstance(value, str):
        if value.strip() == PLACEHOLDER:
            yield path, PLACEHOLDER
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from in_value(item, path + (key,))
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from in_value(item, path + (i,))


def message(found: str, where: str = "") -> str:
    return f"{where}还是“{found}”，没有填上实际内容，不能发布"
