"""A YAML file's own text, for writing changes into it: where its lines
start, the node tree with the marks, and one value written as the file
would write it.  ``yamledit`` (values changed, keys removed) and
``yamlitems`` (list items added or moved) both splice with these.
"""

from __future__ import annotations

import json
from typing import NamedTuple

import yaml

from branchboard.errors import BoardError
from branchboard.scaffold.yamlappend import Refused
from branchboard.site.yamlio import load_yaml, loader_class


class Splice(NamedTuple):
    start: int  # offsets in the raw text
    end: int
    text: str


class Text:
    """The raw text and where its lines start (the marks count in the text
    without its BOM and with \\n line ends; columns are the same)."""

    def __init__(self, raw: str):
        self.raw = raw
        self.bom = 1 if raw.startswith("\ufeff") else 0
        self.newline = "\r\n" if "\r\n" in raw else "\n"
        self.starts = [0]
        for i, char in enumerate(raw):
            if char == "\n":
                self.starts.append(i + 1)

    def offset(self, mark) -> int:
        if mark.line >= len(self.starts):
            return len(self.raw)
        return self.starts[mark.line] + mark.column + (self.bom if mark.line == 0 else 0)

    def line_start(self, line: int) -> int:
        return self.starts[line] if line < len(self.starts) else len(self.raw)


def normalised(raw: str) -> str:
    return raw.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def parsed(raw: str, rel: str):
    """The text, the data it holds and its node tree (with the marks); a
    file with a mistake is refused."""
    try:
        doc = load_yaml(normalised(raw), rel)[0]
    except BoardError as err:
        raise Refused(f"{rel} 里有错误，先改正它才能保存：第 {err.line} 行，{err.message}") from None
    return Text(raw), doc, yaml.compose(normalised(raw), Loader=loader_class())


def reads_as(new: str, rel: str, expected) -> bool:
    """Whether the new text reads back as ``expected``: the check every
    change passes before it is given back."""
    try:
        return load_yaml(normalised(new), rel)[0] == expected
    except BoardError:
        return False


def find(root, path: tuple, rel: str):
    """(parent node, the node or None when the last key is missing, its key node)."""
    parent, node, key_node = None, root, None
    for step in path:
        parent = node
        if isinstance(node, yaml.MappingNode) and isinstance(step, str):
            found = next(((k, v) for k, v in node.value if str(k.value) == step), None)
            key_node, node = found if found else (None, None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
            key_node, node = None, node.value[step]
        else:
            raise Refused(f"{rel} 里找不到“{shown(path)}”，文件可能刚被别人改过。请重新打开再改。")
        if node is None and step is not path[-1]:
            raise Refused(f"{rel} 里找不到“{shown(path)}”，文件可能刚被别人改过。请重新打开再改。")
    return parent, node, key_node


def shown(path: tuple) -> str:
    return " → ".join(f"第 {p + 1} 项" if isinstance(p, int) else str(p) for p in path)


def scalar_end(text: Text, node) -> int:
    """Where a scalar's own text ends: a block scalar's end mark lies after
    its line break and any blank lines, which stay."""
    end = text.offset(node.end_mark)
    if node.style in ("|", ">"):
        while end > 0 and text.raw[end - 1] in "\r\n":
            end -= 1
    return end


def scalar(value, node, text: Text, column: int) -> str:
    """A value written as the node it replaces was (if any), where that
    reads back as the value; ``column``: of its key, or of its list item."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    value = str(value)
    if node is not None and node.style in ("|", ">") or "\n" in value.rstrip("\n"):
        return _block(value, node, text, column)
    style = node.style if node is not None else None
    if style == "'" and "\n" not in value:
        return "'" + value.replace("'", "''") + "'"
    if style != '"' and _reads_back_plain(value):
        return value
    return json.dumps(value, ensure_ascii=False)


def _reads_back_plain(value: str) -> bool:
    if not value or value != value.strip() or " #" in value or value.startswith("#"):
        return False
    try:
        return load_yaml(f"k: {value}\n", "")[0] == {"k": value}
    except BoardError:
        return False


def _block(value: str, node, text: Text, column: int) -> str:
    """A ``|`` block, its lines at the depth the node's lines had (or two
    deeper than its key), line ends as the file writes them."""
    indent = column + 2
    if node is not None and node.style in ("|", ">"):
        lines = text.raw[text.offset(node.start_mark):scalar_end(text, node)].split("\n")[1:]
        written = [len(line) - len(line.lstrip(" ")) for line in lines if line.strip()]
        if written and written[0] > column:
            indent = written[0]
    chomp = "" if value.endswith("\n") else "-"
    lines = value.rstrip("\n").split("\n")
    body = text.newline.join((" " * indent + line) if line else "" for line in lines)
    return f"|{chomp}{text.newline}{body}"


def last_line(node) -> int:
    """The last line (0-based) holding part of a node."""
    if isinstance(node, yaml.ScalarNode) or getattr(node, "flow_style", False):
        end = node.end_mark
        if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
            return end.line - 1 if end.column == 0 else end.line
        return end.line if end.column > 0 else end.line - 1
    children = node.value if isinstance(node, yaml.SequenceNode) else [c for pair in node.value for c in pair]
    return max((last_line(c) for c in children), default=node.start_mark.line)


def is_blank(text: Text, line: int) -> bool:
    if line >= len(text.starts):
        return True
    end = text.raw.find("\n", text.starts[line])
    return not text.raw[text.starts[line]:end if end >= 0 else len(text.raw)].strip()


def is_comment(text: Text, line: int) -> bool:
    end = text.raw.find("\n", text.starts[line])
    return text.raw[text.starts[line]:end if end >= 0 else len(text.raw)].strip().startswith("#")
