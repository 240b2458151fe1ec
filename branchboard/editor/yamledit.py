"""Changing values in a YAML file the way a person would: only the changed
values' text differs.

The secretary's data files carry comments, blank lines, key order, quoting
and keys in Chinese or English that matter to her; a load-and-dump writer
(Decap CMS's most resented habit) loses them.  Here each change is written
into the file's own text:

* a value that is there is replaced where it stands, in its own style
  (plain, quoted, or a ``|`` block) where the new value allows it;
* a key that is not there is added as the mapping's last key, at the
  column of its other keys;
* a list item (or a key) is removed with its lines (and a blank line
  that separated it from its neighbours);
* a new item is appended to a list (``append``): after its last item, at
  the columns of its other items, a blank line before it where the items
  are separated by blank lines; to a list the file does not have yet as a
  new key of its mapping.  ``insert`` puts it before a given item instead;
* an item is moved within its list (``move``) with its own lines and the
  comment lines right above it; what stood between the items stays;
* a list of single values is written anew in its own style (``[a, b]``
  or ``- a`` lines), and a missing group of keys is added as a new key.

The new text is parsed before it is given back, and must read as the old
data with exactly these changes; anything else is refused (``Refused``,
with a Chinese message) and nothing is written.  A BOM and CRLF line ends
are kept.  Paths name keys as the file writes them (``("表彰", 0, "姓名")``).

``change`` is written here; ``append``, ``insert`` and ``move`` in
``yamlitems``; what both need of the text (line starts, node marks, a
value in the file's own style) in ``yamltext``.
"""

from __future__ import annotations

import copy

import yaml

from branchboard.editor.yamlitems import append, insert, move
from branchboard.editor.yamltext import (Splice, Text, find, is_blank, is_comment, last_line, parsed, reads_as,
                                         scalar, scalar_end, shown)
from branchboard.scaffold.yamlappend import Refused

__all__ = ["REMOVE", "append", "change", "insert", "move"]  # the writers import all from here

REMOVE = object()  # a change's value that removes the key or the list item


def change(raw: str, rel: str, changes: dict[tuple, object]) -> str:
    """The text with each path set to its value (or removed, REMOVE)."""
    text, doc, root = parsed(raw, rel)
    splices = [_splice(text, root, path, value, rel) for path, value in changes.items()]
    # from the end of the text back, so offsets stand; two keys added at one
    # place keep the order they were given in
    splices = [s for _i, s in sorted(enumerate(splices), key=lambda pair: (pair[1].start, pair[0]), reverse=True)]
    for before, after in zip(splices[1:], splices):
        if before.end > after.start:
            raise Refused(f"同时修改的几处在 {rel} 里重叠了，没有保存。请一处一处地改。")
    new = raw
    for s in splices:
        new = new[:s.start] + s.text + new[s.end:]
    _verify(doc, new, changes, rel)
    return new


def _splice(text: Text, root, path: tuple, value, rel: str) -> Splice:
    parent, node, key_node = find(root, path, rel)
    if value is REMOVE:
        return _removal(text, parent, node, key_node, rel)
    if node is None:
        return _addition(text, parent, path[-1], value, rel)
    if isinstance(node, yaml.SequenceNode) and isinstance(value, list):
        return _list_replaced(text, node, value, rel, path)
    if not isinstance(node, yaml.ScalarNode) or isinstance(value, (list, dict)):
        raise Refused(f"{rel} 里“{shown(path)}”不是单个值，不能这样修改。")
    column = (key_node or node).start_mark.column  # a block's lines go deeper than this
    written = scalar(value, node, text, column)
    if node.value == "" and not node.style and key_node is not None:  # "摘要:" stands right after its colon
        written = " " + written
    return Splice(text.offset(node.start_mark), scalar_end(text, node), written)


def _addition(text: Text, mapping, key: str, value, rel: str) -> Splice:
    if not isinstance(mapping, yaml.MappingNode) or mapping.flow_style or not mapping.value:
        raise Refused(f"{rel} 里这一项写在一行的花括号 {{ }} 里（或是空的），无法自动加上“{key}”。"
                      "请改成每个键一行的写法后再保存。")
    col = mapping.value[0][0].start_mark.column
    last = max(last_line(v) for pair in mapping.value for v in pair)
    at = text.line_start(last + 1)
    gap = "" if at == 0 or text.raw[at - 1] == "\n" else text.newline
    return Splice(at, at, gap + _key_lines(text, key, value, col))


def _key_lines(text: Text, key: str, value, col: int) -> str:
    """``key: value`` at ``col``: a list of values as ``[a, b]``, a mapping
    as its keys on the lines below, two deeper."""
    if isinstance(value, dict):
        return f"{' ' * col}{key}:{text.newline}" + "".join(
            _key_lines(text, k, v, col + 2) for k, v in value.items())
    written = _flow(value, text) if isinstance(value, list) else scalar(value, None, text, col)
    return f"{' ' * col}{key}: {written}{text.newline}"


def _flow(values: list, text: Text) -> str:
    return "[" + ", ".join(scalar(v, None, text, 0) for v in values) + "]"


def _list_replaced(text: Text, node, values: list, rel: str, path: tuple) -> Splice:
    """A list of single values written anew in its own style: ``[a, b]`` on
    its line, or one ``- a`` line per value where the old ones stood."""
    if node.flow_style:
        return Splice(text.offset(node.start_mark), text.offset(node.end_mark), _flow(values, text))
    if not values or not node.value or any(not isinstance(v, yaml.ScalarNode) for v in node.value):
        raise Refused(f"{rel} 里“{shown(path)}”不是一列单个的值，无法这样修改。请用记事本修改。")
    first, last = node.value[0].start_mark.line, last_line(node)
    if any(is_comment(text, line) for line in range(first, last + 1)):
        raise Refused(f"{rel} 里“{shown(path)}”的各项之间有注释，为了不弄丢它们，请用记事本修改。")
    dash = node.start_mark.column
    lines = "".join(f"{' ' * dash}- {scalar(v, None, text, dash)}{text.newline}" for v in values)
    return Splice(text.line_start(first), text.line_start(last + 1), lines)


def _removal(text: Text, parent, node, key_node, rel: str) -> Splice:
    if node is None or getattr(parent, "flow_style", False):
        raise Refused(f"{rel} 里没有找到要删除的内容，或它写在一行的括号里；没有保存。")
    first = (key_node or node).start_mark.line
    if isinstance(parent, yaml.SequenceNode):  # the item's "- " is on its first line
        first = min(first, node.start_mark.line)
    start, end = text.line_start(first), text.line_start(last_line(node) + 1)
    if isinstance(parent, yaml.SequenceNode) and first > 0 and is_blank(text, first - 1):
        if end >= len(text.raw) or is_blank(text, last_line(node) + 1):  # one separating blank goes too
            start = text.line_start(first - 1)
    elif isinstance(parent, yaml.SequenceNode) and parent.value[0] is node and len(parent.value) > 1 \
            and is_blank(text, last_line(node) + 1):  # the first item: the blank after it goes
        end = text.line_start(last_line(node) + 2)
    return Splice(start, end, "")


def _verify(doc, new: str, changes: dict[tuple, object], rel: str) -> None:
    expected = copy.deepcopy(doc)
    # removals from one list from the last item up, so the indices stand
    for path, value in sorted(changes.items(), key=lambda c: [(isinstance(p, str), p) for p in c[0]],
                              reverse=True):
        holder = expected
        for step in path[:-1]:
            holder = holder[step]
        if value is REMOVE:
            del holder[path[-1]]
        else:
            holder[path[-1]] = _plain(value)
    if not reads_as(new, rel, expected):
        raise Refused(f"无法自动修改 {rel}（改完读出来和要改的不一样），文件没有改动。请用记事本手动修改。")


def _plain(value):
    """A value as the file will read back: numbers and true/false as they are, the rest as text."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value if isinstance(value, (bool, int, float)) else str(value)
