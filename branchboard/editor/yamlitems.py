"""List items written into a YAML file's own text: a new item appended
(``append``) or put before another (``insert``), an item moved within its
list (``move``).  ``yamledit`` describes how; its callers import these
from there.

Each new text is parsed before it is given back and must read as the old
data with exactly this item added or moved; anything else is refused
(``Refused``, with a Chinese message) and nothing is written.
"""

from __future__ import annotations

import copy

import yaml

from branchboard.editor.yamltext import (Splice, Text, find, is_blank, is_comment, last_line, parsed, reads_as,
                                         scalar, shown)
from branchboard.scaffold.yamlappend import Refused


def append(raw: str, rel: str, path: tuple, item) -> str:
    """The text with ``item`` (a value, or a dict of keys as the file spells
    them, whose values may be lists of such dicts) added as the last item of
    the list at ``path``; a missing last key of ``path`` is added to its
    mapping, holding the list."""
    return insert(raw, rel, path, item, None)


def insert(raw: str, rel: str, path: tuple, item, index: int | None) -> str:
    """The text with ``item`` put before the list's item ``index`` (its
    comment lines too), or after its last one (``index`` None), at the
    columns of the other items and set apart as they are."""
    text, doc, root = parsed(raw, rel)
    if root is None and not path:
        splice = Splice(len(raw), len(raw), _item(text, item, 0, 2))
    else:
        parent, node, _key = find(root, path, rel) if path else (None, root, None)
        if index is None or not isinstance(node, yaml.SequenceNode) or index >= len(node.value):
            splice = _append_splice(text, parent, node, path, item, rel)
        else:
            splice = _insert_splice(text, node, index, item, rel, path)
    new = raw[:splice.start] + splice.text + raw[splice.end:]

    def put(items):
        items.insert(len(items) if index is None else index, item)

    _verify_list(doc, new, path, put, rel, f"无法自动在 {rel} 里添加（加完读出来和要加的不一样），文件没有改动。请用记事本手动添加。")
    return new


def move(raw: str, rel: str, path: tuple, to: int) -> str:
    """The text with the list item at ``path`` moved to place ``to`` of its
    list.  The items' own lines change places (each with the comment lines
    right above it; the first item's are taken to be about the whole list
    and stay); the blank lines and comments between items stay where they
    are, so the list keeps its look."""
    ending = "" if raw.endswith("\n") or not raw else "\n"  # the last item needs its line end to move
    text, doc, root = parsed(raw + ending, rel)
    parent, node, _key = find(root, path, rel)
    if not isinstance(parent, yaml.SequenceNode) or parent.flow_style or not isinstance(path[-1], int):
        raise Refused(f"{rel} 里“{shown(path)}”不是以“- ”开头的列表里的一项，无法移动。请用记事本调整顺序。")
    if not 0 <= to < len(parent.value):
        raise Refused(f"{rel} 里“{shown(path)}”已经在最前面（或最后面）了，没有移动。")
    spans = [_item_span(text, parent, i) for i in range(len(parent.value))]
    order = list(range(len(spans)))
    order.insert(to, order.pop(path[-1]))
    new = text.raw[:spans[0][0]]
    for place, item in enumerate(order):
        new += text.raw[spans[item][0]:spans[item][1]]
        if place + 1 < len(spans):
            new += text.raw[spans[place][1]:spans[place + 1][0]]  # what stood between, stays
    new += text.raw[spans[-1][1]:]
    new = new[:len(new) - len(ending)]

    def shift(items):
        items.insert(to, items.pop(path[-1]))

    _verify_list(doc, new, path[:-1], shift, rel, f"无法自动调整 {rel} 里的顺序（调完读出来和要的不一样），文件没有改动。")
    return new


def _item_span(text: Text, sequence, index: int) -> tuple[int, int]:
    """(start, end) offsets of a list item's lines (``_item_lines``)."""
    first, last = _item_lines(text, sequence, index)
    return text.line_start(first), text.line_start(last + 1)


def _item_lines(text: Text, sequence, index: int) -> tuple[int, int]:
    """(first, last) line of a list item: from the comment lines right above
    it (not for the first item) to its last line."""
    node = sequence.value[index]
    first = node.start_mark.line
    if index > 0:
        floor = last_line(sequence.value[index - 1])
        while first - 1 > floor and is_comment(text, first - 1):
            first -= 1
    return first, last_line(node)


def _verify_list(doc, new: str, path: tuple, edit, rel: str, message: str) -> None:
    """The new text must read as the old data with ``edit`` done to the list at ``path``."""
    expected = copy.deepcopy(doc)
    if not path:
        expected = expected if isinstance(expected, list) else []
        edit(expected)
    else:
        holder = expected
        for step in path[:-1]:
            holder = holder[step]
        if holder.get(path[-1]) is None:
            holder[path[-1]] = []
        edit(holder[path[-1]])
    if not reads_as(new, rel, expected):
        raise Refused(message)


def _insert_splice(text: Text, node, index: int, item, rel: str, path: tuple) -> Splice:
    if node.flow_style:
        raise Refused(f"{rel} 里“{shown(path)}”写在一行的方括号 [ ] 里，无法自动添加。请用记事本手动添加。")
    dash = node.start_mark.column
    first = node.value[0]
    key = first.start_mark.column if isinstance(first, yaml.MappingNode) else dash + 2
    at = _item_span(text, node, index)[0]
    apart = len(node.value) > 1 and is_blank(text, _item_lines(text, node, 1)[0] - 1)
    return Splice(at, at, _item(text, item, dash, key) + (text.newline if apart else ""))


def _append_splice(text: Text, parent, node, path: tuple, item, rel: str) -> Splice:
    if node is None or (isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")):
        if not isinstance(parent, yaml.MappingNode) or parent.flow_style or not parent.value:
            raise Refused(f"{rel} 里这一项写在一行的花括号 {{ }} 里（或是空的），无法自动添加。"
                          "请改成每个键一行的写法后再保存。")
        col = parent.value[0][0].start_mark.column
        if node is not None:  # "表彰:" with nothing after it: the items go on the next lines
            key_node = next(k for k, v in parent.value if v is node)
            at = text.line_start(key_node.start_mark.line + 1)
            gap = "" if at == 0 or text.raw[at - 1] == "\n" else text.newline
            return Splice(at, at, gap + _item(text, item, col + 2, col + 4))
        last = max(last_line(v) for pair in parent.value for v in pair)
        at = text.line_start(last + 1)
        gap = "" if at == 0 or text.raw[at - 1] == "\n" else text.newline
        return Splice(at, at, f"{gap}{' ' * col}{path[-1]}:{text.newline}{_item(text, item, col + 2, col + 4)}")
    if not isinstance(node, yaml.SequenceNode) or node.flow_style:
        raise Refused(f"{rel} 里“{shown(path)}”不是每项一段、以“- ”开头的列表，无法自动添加。"
                      "请用记事本手动添加。")
    if not node.value:
        raise Refused(f"{rel} 里“{shown(path)}”是空的 [ ]，无法自动添加。请用记事本手动添加。")
    dash = node.start_mark.column
    first = node.value[0]
    key = first.start_mark.column if isinstance(first, yaml.MappingNode) else dash + 2
    last = last_line(node)
    at = text.line_start(last + 1)
    gap = "" if at == 0 or text.raw[at - 1] == "\n" else text.newline
    if len(node.value) > 1 and is_blank(text, node.value[-1].start_mark.line - 1):
        gap += text.newline  # the items are set apart by blank lines
    return Splice(at, at, gap + _item(text, item, dash, key))


def _item(text: Text, item, dash: int, key: int) -> str:
    """One list item's lines: "- " at ``dash``, its keys at ``key``."""
    nl = text.newline
    head = " " * dash + "-" + " " * (key - dash - 1)
    if not isinstance(item, dict):
        return head + scalar(item, None, text, dash) + nl
    lines = []
    for name, value in item.items():
        lead = head if not lines else " " * key
        if isinstance(value, list):
            lines.append(f"{lead}{name}:{nl}" + "".join(_item(text, v, key + 2, key + 4) for v in value))
        else:
            lines.append(f"{lead}{name}: {scalar(value, None, text, key)}{nl}")
    if not lines:
        raise Refused("新的一条是空的，没有保存。")
    return "".join(lines)
