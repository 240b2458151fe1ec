"""The secretary's commonest YAML typing mistakes, found line by line.

The YAML parser reports many of these a line late (a full-width colon makes
the key line a plain text that only fails on the next line) or not at all
(``标签: [主题党日，组织生活]`` reads as one tag).  :func:`scan` reads the text
as lines, the way the secretary wrote it, and names each mistake at the
character to change, with the fix in Chinese.

A *definite* hint is a mistake even when YAML reads the text; it comes with
the line repaired in memory, so the parser can still look for further
mistakes in the same run.  The other hints (an unclosed quote, an
indentation slip) only explain an error the parser found at or after them:
on their own they may be legal YAML (a quoted text spanning lines, a long
text continued on an indented line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Front matter splits these at ，and 、 (content.py): there a full-width comma is what she meant.
COMMA_SPLIT_KEYS = ("标签", "tags")

_KEY = r"[^\s:：#'\"\[\]{},，、。“”‘’【】()（）&*!|>%@`-][^\s:：#'\"\[\]{},，、。“”‘’【】]{0,19}"
_FULL_WIDTH_KEY = re.compile(rf"({_KEY})[ \t]*：")
_PLAIN_KEY = re.compile(r"""([^\s#'"\[\]{},&*!|>%@`-][^#]*?|"[^"]*"|'[^']*')[ \t]*:(?=[ \t]|$)""")
_CRAMPED_KEY = re.compile(rf"({_KEY}):(?=[^\s/:])")
_BLOCK_SCALAR = re.compile(r"[|>][-+0-9]*$")
_ANCHOR_ONLY = re.compile(r"\s*[&!]\S+\s*$")
_QUOTED_ITEM = re.compile(r"“[^,\]，“”]*”[ \t]*(?=[,\]，]|$)")

_TAB_HINT = "YAML 只能用空格缩进：把这个 Tab 删掉，换成和同一级的其他行一样多的空格。"
_COLON_FIX = "把中文冒号“：”改成英文冒号“:”，冒号后面加一个空格"


@dataclass(frozen=True)
class Hint:
    """One mistake: where (1-based, in the text scanned), what, how to fix it."""

    line: int
    col: int
    message: str
    hint: str = ""
    definite: bool = True  # False: only explains a parser error at or after it


@dataclass
class Row:
    """What one line holds, as far as the structure goes."""

    indent: int  # spaces before the first character
    col: int  # column of the content, after any "- " markers
    dash: bool  # the line starts a list item
    key: str | None = None
    kind: str | None = None  # "plain" (key: value), "full-width" (key：), "cramped" (key:value)
    value: str = ""  # what follows the key (or the dash), comment and spaces stripped
    value_at: int = 0  # its column
    inner: bool = False  # inside a text or list begun on an earlier line


@dataclass
class Scan:
    """Every hint in a text, and the text with the definite mistakes repaired
    (None when one cannot be: a tab's intended width is unknown)."""

    hints: list[Hint] = field(default_factory=list)
    repaired: str | None = None
    has_tab: bool = False

    @property
    def definite(self) -> list[Hint]:
        return [h for h in self.hints if h.definite]

    def explaining(self, line: int) -> list[Hint]:
        """The hints that may explain a parser error found at ``line``."""
        return [h for h in self.hints if not h.definite and h.line <= line]


def scan(text: str) -> Scan:
    """Every typing mistake in ``text`` that :mod:`yamlhints` knows."""
    lines = text.split("\n")
    found = Scan()
    rows = _read_rows(lines, found)
    for number, row in enumerate(rows, 1):
        if row is not None and not row.inner:
            _check_value(row, number, lines, found)  # first: a key's repair may lengthen the line
            _check_key(rows, number, lines, found)
    _check_indentation(rows, found)
    found.hints.sort(key=lambda h: (h.line, h.col))
    found.repaired = None if found.has_tab else "\n".join(lines)
    return found


def _read_rows(lines: list[str], found: Scan) -> list[Row | None]:
    """One Row per line (None: blank or comment), tabs and flow lists checked."""
    rows: list[Row | None] = []
    flows: list[bool] = []  # open [ or {: does a full-width comma split tags there?
    scalar_above = quote_open = None  # column a block scalar's lines go beyond; an open quote
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        indent = len(line) - len(line.lstrip(" "))
        if scalar_above is not None and (not stripped or indent > scalar_above):
            rows.append(None)
            continue
        scalar_above = None
        if quote_open:
            rows.append(None)
            quote_open = None if quote_open in line else quote_open
            continue
        if not stripped or stripped.startswith("#"):
            rows.append(None)
            continue
        _check_tab(line, number, found)
        row = _row(line, inner=bool(flows))
        rows.append(row)
        if not row.inner and _BLOCK_SCALAR.match(row.value):
            scalar_above = row.col if row.key is not None else row.indent
        quote_open = _walk(line, number, row, flows, found, lines)
    return rows


def _row(line: str, inner: bool) -> Row:
    indent = len(line) - len(line.lstrip(" "))
    col = indent
    while line[col:col + 2] == "- " or line[col:].rstrip() == "-":
        col = len(line) if line[col:].rstrip() == "-" else col + 2
        col += len(line[col:]) - len(line[col:].lstrip(" "))
    row = Row(indent, col, col > indent, inner=inner)
    if inner:
        return row
    rest = line[col:]
    for kind, pattern in (("full-width", _FULL_WIDTH_KEY), ("plain", _PLAIN_KEY), ("cramped", _CRAMPED_KEY)):
        m = pattern.match(rest)
        if m and not m.group(1).isdigit() and not (kind == "plain" and "：" in m.group(1)):
            row.key, row.kind = m.group(1).strip(), kind
            start = col + m.end() + (kind == "plain")
            break
    else:
        start = col
    value = re.split(r"(?:^|[ \t])#", line[start:], maxsplit=1)[0]
    row.value = "" if _ANCHOR_ONLY.match(value) else value.strip()  # item: &entry opens a block
    row.value_at = start + len(value) - len(value.lstrip())
    return row


def _check_tab(line: str, number: int, found: Scan) -> None:
    lead = line[:len(line) - len(line.lstrip(" \t-"))]
    if "\t" in lead:
        found.has_tab = True
        found.hints.append(Hint(number, lead.index("\t") + 1, "缩进里有制表符（Tab）", _TAB_HINT))


def _walk(line: str, number: int, row: Row, flows: list[bool], found: Scan, lines: list[str]):
    """Follow the line's quotes and flow lists; returns the quote left open, if any."""
    i = row.col if not row.inner else 0
    while i < len(line):
        ch = line[i]
        before = line[:i].rstrip()[-1:]
        at_token = i == row.value_at or bool(flows) and before in ("", "[", "{", ",")
        if ch in "\"'" and at_token:
            end = _closing_quote(line, i)
            if end is None:
                found.hints.append(Hint(number, i + 1, f"引号没有配对：这里的 {ch} 开始了一段文字，这一行里却没有结束的 {ch}",
                                        f"在这段文字的末尾补上 {ch}，或者删掉开头的 {ch}。", definite=False))
                return ch
            i = end
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            break
        elif ch in "[{" and (flows or at_token):  # within a text a bracket is a bracket
            flows.append(bool(flows and flows[-1]) or row.key in COMMA_SPLIT_KEYS)
        elif ch in "]}" and flows:
            flows.pop()
        elif flows:
            _check_in_flow(line, number, i, flows, found, lines)
        i += 1
    return None


def _closing_quote(line: str, start: int) -> int | None:
    quote, i = line[start], start + 1
    while i < len(line):
        if line[i] == "\\" and quote == '"':
            i += 2
            continue
        if line[i] == quote:
            if quote == "'" and line[i + 1:i + 2] == "'":
                i += 2
                continue
            return i
        i += 1
    return None


def _check_in_flow(line: str, number: int, i: int, flows: list[bool], found: Scan, lines: list[str]) -> None:
    ch = line[i]
    if ch == "，" and not flows[-1]:
        _definite(found, lines, number, i, ",", "方括号里用了中文逗号“，”：请改成英文逗号“,”，项目之间用英文逗号隔开")
    elif ch == "】" and not line[i + 1:].split(" #")[0].strip():
        flows.pop()
        _definite(found, lines, number, i, "]", "列表用了中文方括号“】”：请改成英文方括号“]”")
    elif ch == "“" and line[:i].rstrip()[-1:] in ("[", ",", "，") and _QUOTED_ITEM.match(line, i):
        end = _QUOTED_ITEM.match(line, i).group(0).rstrip().rfind("”") + i
        _definite(found, lines, number, i, '"', "中文引号“ ”不能当作 YAML 的引号：请改成英文引号 \" \"，或者去掉引号")
        lines[number - 1] = lines[number - 1][:end] + '"' + lines[number - 1][end + 1:]


def _definite(found: Scan, lines: list[str], number: int, i: int, fix: str, message: str, hint: str = "") -> None:
    """A definite mistake at 0-based column ``i``, repaired in ``lines`` by ``fix``."""
    found.hints.append(Hint(number, i + 1, message, hint))
    line = lines[number - 1]
    lines[number - 1] = line[:i] + fix + line[i + 1:]


def _check_key(rows: list[Row | None], number: int, lines: list[str], found: Scan) -> None:
    row = rows[number - 1]
    if row.kind not in ("full-width", "cramped") or not _is_key_position(rows, number):
        return
    line = lines[number - 1]
    if row.kind == "full-width":
        at = line.index("：", row.col)
        _definite(found, lines, number, at, ": ", f"“{row.key}”后面用了中文冒号：{_COLON_FIX}",
                  f"例如 {row.key}: {row.value or '…'}")
    else:
        at = line.index(":", row.col)
        _definite(found, lines, number, at, ": ",
                  f"“{row.key}:”的冒号后面少了一个空格，这一行就不是“{row.key}”这一项了：请在冒号后面加一个空格",
                  f"例如 {row.key}: {line[at + 1:].strip()}")


def _is_key_position(rows: list[Row | None], number: int) -> bool:
    """Whether a line written "key：value" stands where keys stand: at the
    left edge, or among sibling lines that are keys.  Deeper than a line
    with a value, it continues that value and is left alone."""
    row = rows[number - 1]
    if row.col == 0:
        return True
    siblings, parent = [], None
    for step in (-1, 1):
        j = number - 1 + step
        while 0 <= j < len(rows):
            other = rows[j]
            if other is not None and not other.inner:
                if other.col < row.col:
                    parent = other if step == -1 else parent
                    break
                if other.col == row.col:
                    siblings.append(other)
            j += step
    if parent is not None and (parent.value or parent.key is None and not parent.dash):
        return False  # a text continued on the next line
    if any(s.kind == "plain" for s in siblings):
        return True
    return not row.dash and any(s.kind and not s.dash for s in siblings)  # a list of texts may hold "："


def _check_value(row: Row, number: int, lines: list[str], found: Scan) -> None:
    """【…】 written for [ ], and “…” written for quotes around a whole value."""
    value, at = row.value, row.value_at
    if value.startswith("【") and value.endswith(("】", "]")) and re.search(r"[,，、]", value):
        line = lines[number - 1]
        end = at + len(value) - 1
        lines[number - 1] = line[:end] + "]" + line[end + 1:]
        _definite(found, lines, number, at, "[", "列表用了中文方括号“【 】”：请改成英文方括号“[ ]”")
    elif value.startswith("“") and value.endswith("”") and (": " in value or " #" in value):
        line = lines[number - 1]
        end = at + len(value) - 1
        lines[number - 1] = line[:end] + '"' + line[end + 1:]
        _definite(found, lines, number, at, '"', "中文引号“ ”不能当作 YAML 的引号：请改成英文引号 \" \"")


def _check_indentation(rows: list[Row | None], found: Scan) -> None:
    """A line one or two spaces off its siblings (explains the parser's error)."""
    above: list[tuple[int, Row]] = []  # earlier structural lines, nearest last
    for number, row in enumerate(rows, 1):
        if row is None or row.inner:
            continue
        if above:
            siblings = _sibling_indent(row, [r for _, r in above])
            if siblings is not None and siblings != row.indent:
                more = row.indent - siblings
                others = f"是 {siblings} 个空格" if siblings else "顶格写（前面没有空格）"
                found.hints.append(Hint(
                    number, row.indent + 1,
                    f"缩进不对：这一行前面有 {row.indent} 个空格，同一级的其他行{others}"
                    f"（{'多' if more > 0 else '少'}了 {abs(more)} 个）",
                    "同一级的各行要用同样多的空格开头："
                    + (f"把这一行改成 {siblings} 个空格。" if siblings else "把这一行前面的空格删掉。"),
                    definite=False))
        above.append((number, row))


def _sibling_indent(row: Row, above: list[Row]) -> int | None:
    """How far the line should be indented, or None when it may stand where it is."""
    last = above[-1]
    if row.indent > last.col:
        if last.key is not None and last.value and not _BLOCK_SCALAR.match(last.value) and row.kind == "plain":
            return last.col  # a key deeper than a line that already has its value
        return None
    levels, enclosing = {last.col, last.indent}, last.indent
    for other in reversed(above):
        if other.indent < enclosing:  # a line this block hangs from
            levels.update((other.col, other.indent))
            enclosing = other.indent
    if row.indent in levels:
        return None
    return min(levels, key=lambda level: (abs(level - row.indent), -level))
