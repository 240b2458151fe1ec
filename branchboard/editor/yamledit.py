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
"""

from __future__ import annotations

import copy
import json
from typing import NamedTuple

import yaml

from branchboard.errors import BoardError
from branchboard.scaffold.yamlappend import Refused
from branchboard.site.yamlio import load_yaml, loader_class

REMOVE = object()  # a change's value that removes the key or the list item


class _Splice(NamedTuple):
    start: int  # offsets in the raw text
    end: int
    text: str


class _Text:
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


def _parsed(raw: str, rel: str):
    """The text, the data it holds and its node tree (with the marks); a
    file with a mistake is refused."""
    try:
        doc = load_yaml(normalised(raw), rel)[0]
    except BoardError as err:
        raise Refused(f"{rel} 里有错误，先改正它才能保存：第 {err.line} 行，{err.message}") from None
    return _Text(raw), doc, yaml.compose(normalised(raw), Loader=loader_class())


def change(raw: str, rel: str, changes: dict[tuple, object]) -> str:
    """The text with each path set to its value (or removed, REMOVE)."""
    text, doc, root = _parsed(raw, rel)
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


def _splice(text: _Text, root, path: tuple, value, rel: str) -> _Splice:
    parent, node, key_node = _find(root, path, rel)
    if value is REMOVE:
        return _removal(text, parent, node, key_node, rel)
    if node is None:
        return _addition(text, parent, path[-1], value, rel)
    if isinstance(node, yaml.SequenceNode) and isinstance(value, list):
        return _list_replaced(text, node, value, rel, path)
    if not isinstance(node, yaml.ScalarNode) or isinstance(value, (list, dict)):
        raise Refused(f"{rel} 里“{_shown(path)}”不是单个值，不能这样修改。")
    column = (key_node or node).start_mark.column  # a block's lines go deeper than this
    written = _scalar(value, node, text, column)
    if node.value == "" and not node.style and key_node is not None:  # "摘要:" stands right after its colon
        written = " " + written
    return _Splice(text.offset(node.start_mark), _scalar_end(text, node), written)


def _find(root, path: tuple, rel: str):
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
            raise Refused(f"{rel} 里找不到“{_shown(path)}”，文件可能刚被别人改过。请重新打开再改。")
        if node is None and step is not path[-1]:
            raise Refused(f"{rel} 里找不到“{_shown(path)}”，文件可能刚被别人改过。请重新打开再改。")
    return parent, node, key_node


def _shown(path: tuple) -> str:
    return " → ".join(f"第 {p + 1} 项" if isinstance(p, int) else str(p) for p in path)


def _scalar_end(text: _Text, node) -> int:
    """Where a scalar's own text ends: a block scalar's end mark lies after
    its line break and any blank lines, which stay."""
    end = text.offset(node.end_mark)
    if node.style in ("|", ">"):
        while end > 0 and text.raw[end - 1] in "\r\n":
            end -= 1
    return end


def _scalar(value, node, text: _Text, column: int) -> str:
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


def _block(value: str, node, text: _Text, column: int) -> str:
    """A ``|`` block, its lines at the depth the node's lines had (or two
    deeper than its key), line ends as the file writes them."""
    indent = column + 2
    if node is not None and node.style in ("|", ">"):
        lines = text.raw[text.offset(node.start_mark):_scalar_end(text, node)].split("\n")[1:]
        written = [len(line) - len(line.lstrip(" ")) for line in lines if line.strip()]
        if written and written[0] > column:
            indent = written[0]
    chomp = "" if value.endswith("\n") else "-"
    lines = value.rstrip("\n").split("\n")
    body = text.newline.join((" " * indent + line) if line else "" for line in lines)
    return f"|{chomp}{text.newline}{body}"


def _addition(text: _Text, mapping, key: str, value, rel: str) -> _Splice:
    if not isinstance(mapping, yaml.MappingNode) or mapping.flow_style or not mapping.value:
        raise Refused(f"{rel} 里这一项写在一行的花括号 {{ }} 里（或是空的），无法自动加上“{key}”。"
                      "请改成每个键一行的写法后再保存。")
    col = mapping.value[0][0].start_mark.column
    last = max(_last_line(v) for pair in mapping.value for v in pair)
    at = text.line_start(last + 1)
    gap = "" if at == 0 or text.raw[at - 1] == "\n" else text.newline
    return _Splice(at, at, gap + _key_lines(text, key, value, col))


def _key_lines(text: _Text, key: str, value, col: int) -> str:
    """``key: value`` at ``col``: a list of values as ``[a, b]``, a mapping
    as its keys on the lines below, two deeper."""
    if isinstance(value, dict):
        return f"{' ' * col}{key}:{text.newline}" + "".join(
            _key_lines(text, k, v, col + 2) for k, v in value.items())
    written = _flow(value, text) if isinstance(value, list) else _scalar(value, None, text, col)
    return f"{' ' * col}{key}: {written}{text.newline}"


def _flow(values: list, text: _Text) -> str:
    return "[" + ", ".join(_scalar(v, None, text, 0) for v in values) + "]"


def _list_replaced(text: _Text, node, values: list, rel: str, path: tuple) -> _Splice:
    """A list of single values written anew in its own style: ``[a, b]`` on
    its line, or one ``- a`` line per value where the old ones stood."""
    if node.flow_style:
        return _Splice(text.offset(node.start_mark), text.offset(node.end_mark), _flow(values, text))
    if not values or not node.value or any(not isinstance(v, yaml.ScalarNode) for v in node.value):
        raise Refused(f"{rel} 里“{_shown(path)}”不是一列单个的值，无法这样修改。请用记事本修改。")
    first, last = node.value[0].start_mark.line, _last_line(node)
    if any(_is_comment(text, line) for line in range(first, last + 1)):
        raise Refused(f"{rel} 里“{_shown(path)}”的各项之间有注释，为了不弄丢它们，请用记事本修改。")
    dash = node.start_mark.column
    lines = "".join(f"{' ' * dash}- {_scalar(v, None, text, dash)}{text.newline}" for v in values)
    return _Splice(text.line_start(first), text.line_start(last + 1), lines)


def _removal(text: _Text, parent, node, key_node, rel: str) -> _Splice:
    if node is None or getattr(parent, "flow_style", False):
        raise Refused(f"{rel} 里没有找到要删除的内容，或它写在一行的括号里；没有保存。")
    first = (key_node or node).start_mark.line
    if isinstance(parent, yaml.SequenceNode):  # the item's "- " is on its first line
        first = min(first, node.start_mark.line)
    start, end = text.line_start(first), text.line_start(_last_line(node) + 1)
    if isinstance(parent, yaml.SequenceNode) and first > 0 and _is_blank(text, first - 1):
        if end >= len(text.raw) or _is_blank(text, _last_line(node) + 1):  # one separating blank goes too
            start = text.line_start(first - 1)
    elif isinstance(parent, yaml.SequenceNode) and parent.value[0] is node and len(parent.value) > 1 \
            and _is_blank(text, _last_line(node) + 1):  # the first item: the blank after it goes
        end = text.line_start(_last_line(node) + 2)
    return _Splice(start, end, "")


def _is_blank(text: _Text, line: int) -> bool:
    if line >= len(text.starts):
        return True
    end = text.raw.find("\n", text.starts[line])
    return not text.raw[text.starts[line]:end if end >= 0 else len(text.raw)].strip()


def _last_line(node) -> int:
    """The last line (0-based) holding part of a node."""
    if isinstance(node, yaml.ScalarNode) or getattr(node, "flow_style", False):
        end = node.end_mark
        if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
            return end.line - 1 if end.column == 0 else end.line
        return end.line if end.column > 0 else end.line - 1
    children = node.value if isinstance(node, yaml.SequenceNode) else [c for pair in node.value for c in pair]
    return max((_last_line(c) for c in children), default=node.start_mark.line)


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
    try:
        same = load_yaml(normalised(new), rel)[0] == expected
    except BoardError:
        same = False
    if not same:
        raise Refused(f"无法自动修改 {rel}（改完读出来和要改的不一样），文件没有改动。请用记事本手动修改。")


def _plain(value):
    """A value as the file will read back: numbers and true/false as they are, the rest as text."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value if isinstance(value, (bool, int, float)) else str(value)


# -- a new list item, a moved one ---------------------------------------------------------

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
    text, doc, root = _parsed(raw, rel)
    if root is None and not path:
        splice = _Splice(len(raw), len(raw), _item(text, item, 0, 2))
    else:
        parent, node, _key = _find(root, path, rel) if path else (None, root, None)
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
    text, doc, root = _parsed(raw + ending, rel)
    parent, node, _key = _find(root, path, rel)
    if not isinstance(parent, yaml.SequenceNode) or parent.flow_style or not isinstance(path[-1], int):
        raise Refused(f"{rel} 里“{_shown(path)}”不是以“- ”开头的列表里的一项，无法移动。请用记事本调整顺序。")
    if not 0 <= to < len(parent.value):
        raise Refused(f"{rel} 里“{_shown(path)}”已经在最前面（或最后面）了，没有移动。")
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


def _item_span(text: _Text, sequence, index: int) -> tuple[int, int]:
    """(start, end) offsets of a list item's lines (``_item_lines``)."""
    first, last = _item_lines(text, sequence, index)
    return text.line_start(first), text.line_start(last + 1)


def _item_lines(text: _Text, sequence, index: int) -> tuple[int, int]:
    """(first, last) line of a list item: from the comment lines right above
    it (not for the first item) to its last line."""
    node = sequence.value[index]
    first = node.start_mark.line
    if index > 0:
        floor = _last_line(sequence.value[index - 1])
        while first - 1 > floor and _is_comment(text, first - 1):
            first -= 1
    return first, _last_line(node)


def _is_comment(text: _Text, line: int) -> bool:
    end = text.raw.find("\n", text.starts[line])
    return text.raw[text.starts[line]:end if end >= 0 else len(text.raw)].strip().startswith("#")


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
    try:
        same = load_yaml(normalised(new), rel)[0] == expected
    except BoardError:
        same = False
    if not same:
        raise Refused(message)


def _insert_splice(text: _Text, node, index: int, item, rel: str, path: tuple) -> _Splice:
    if node.flow_style:
        raise Refused(f"{rel} 里“{_shown(path)}”写在一行的方括号 [ ] 里，无法自动添加。请用记事本手动添加。")
    dash = node.start_mark.column
    first = node.value[0]
    key = first.start_mark.column if isinstance(first, yaml.MappingNode) else dash + 2
    at = _item_span(text, node, index)[0]
    apart = len(node.value) > 1 and _is_blank(text, _item_lines(text, node, 1)[0] - 1)
    return _Splice(at, at, _item(text, item, dash, key) + (text.newline if apart else ""))


def _append_splice(text: _Text, parent, node, path: tuple, item, rel: str) -> _Splice:
    if node is None or (isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")):
        if not isinstance(parent, yaml.MappingNode) or parent.flow_style or not parent.value:
            raise Refused(f"{rel} 里这一项写在一行的花括号 {{ }} 里（或是空的），无法自动添加。"
                          "请改成每个键一行的写法后再保存。")
        col = parent.value[0][0].start_mark.column
        if node is not None:  # "表彰:" with nothing after it: the items go on the next lines
            key_node = next(k for k, v in parent.value if v is node)
            at = text.line_start(key_node.start_mark.line + 1)
            gap = "" if at == 0 or text.raw[at - 1] == "\n" else text.newline
            return _Splice(at, at, gap + _item(text, item, col + 2, col + 4))
        last = max(_last_line(v) for pair in parent.value for v in pair)
        at = text.line_start(last + 1)
        gap = "" if at == 0 or text.raw[at - 1] == "\n" else text.newline
        return _Splice(at, at, f"{gap}{' ' * col}{path[-1]}:{text.newline}{_item(text, item, col + 2, col + 4)}")
    if not isinstance(node, yaml.SequenceNode) or node.flow_style:
        raise Refused(f"{rel} 里“{_shown(path)}”不是每项一段、以“- ”开头的列表，无法自动添加。"
                      "请用记事本手动添加。")
    if not node.value:
        raise Refused(f"{rel} 里“{_shown(path)}”是空的 [ ]，无法自动添加。请用记事本手动添加。")
    dash = node.start_mark.column
    first = node.value[0]
    key = first.start_mark.column if isinstance(first, yaml.MappingNode) else dash + 2
    last = _last_line(node)
    at = text.line_start(last + 1)
    gap = "" if at == 0 or text.raw[at - 1] == "\n" else text.newline
    if len(node.value) > 1 and _is_blank(text, node.value[-1].start_mark.line - 1):
        gap += text.newline  # the items are set apart by blank lines
    return _Splice(at, at, gap + _item(text, item, dash, key))


def _item(text: _Text, item, dash: int, key: int) -> str:
    """One list item's lines: "- " at ``dash``, its keys at ``key``."""
    nl = text.newline
    head = " " * dash + "-" + " " * (key - dash - 1)
    if not isinstance(item, dict):
        return head + _scalar(item, None, text, dash) + nl
    lines = []
    for name, value in item.items():
        lead = head if not lines else " " * key
        if isinstance(value, list):
            lines.append(f"{lead}{name}:{nl}" + "".join(_item(text, v, key + 2, key + 4) for v in value))
        else:
            lines.append(f"{lead}{name}: {_scalar(value, None, text, key)}{nl}")
    if not lines:
        raise Refused("新的一条是空的，没有保存。")
    return "".join(lines)
