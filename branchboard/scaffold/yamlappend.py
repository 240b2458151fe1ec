"""Adding one entry to a YAML list without changing a byte of what is there.

The secretary's data files carry comments, blank lines and an order that
matter to her, so an entry is never added by loading and dumping the YAML.
It is written as text, in the file's own indentation and line ends:

* at the end of the file when the list is the file itself, or the list is
  the file's last key (after a final newline, if the file lacked one);
* otherwise right after the list's last item (the only case that is an
  insertion rather than an append).

The new text is parsed before it is written, and must read as the old data
plus exactly the new entry; anything else is refused and the file is left
alone.  A list written inline (``[a, b]``) is refused too.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import yaml

from branchboard.errors import BoardError
from branchboard.site.yamlio import load_yaml, loader_class, read_text


class Refused(Exception):
    """Nothing was written; the Chinese message says why."""


def start_list_file(path: Path, header: str, lines: list[str], list_keys: tuple[str, ...]) -> int:
    """Create ``path`` with a header comment and the entry; the entry's first line.

    ``lines`` are the entry's lines with "- " at column 0 and its keys at 2.
    """
    head = header + "\n"
    if list_keys:
        head += f"{list_keys[0]}:\n"
    text = head + indented(lines, 2 if list_keys else 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8", newline="\n") as f:
        f.write(text)
    return head.count("\n") + 1


def append_entry(path: Path, rel: str, lines: list[str], list_keys: tuple[str, ...], write: bool = True) -> int:
    """Add the entry to the list (the file itself, or under one of ``list_keys``).

    Returns the line where the entry starts.  Raises BoardError for a YAML
    mistake in the file and Refused where the entry cannot safely go; with
    ``write`` False, only finds out (nothing is written).
    """
    raw = _read_raw(path, rel)
    doc, root = _parse(raw, rel)
    offset, gap, text, key = _plan(raw, root, list_keys, lines, rel)
    new_raw = raw[:offset] + gap + text + raw[offset:]
    _verify(doc, new_raw, key, lines, rel)
    if write:
        _write(path, raw, new_raw, offset)
    return new_raw.count("\n", 0, offset + len(gap)) + 1


def add_to_item(path: Path, rel: str, list_keys: tuple[str, ...], index: int, lines: list[str],
                write: bool = True) -> int:
    """Add ``lines`` (keys at column 0) to the end of item ``index`` of the
    list under one of ``list_keys``, at the item's own indentation.

    Returns the line of the first added key.  As with append_entry, the new
    text must read as the old data with exactly those keys added.
    """
    raw = _read_raw(path, rel)
    doc, root = _parse(raw, rel)
    item, key = _item_node(root, list_keys, index, rel)
    newline = "\r\n" if "\r\n" in raw else "\n"
    offset = _line_start(raw, _last_line(item) + 1)
    gap = "" if offset is not None or raw.endswith("\n") else newline
    offset = len(raw) if offset is None else offset
    text = newline.join(" " * item.start_mark.column + line for line in lines) + newline
    new_raw = raw[:offset] + gap + text + raw[offset:]
    added = load_yaml("\n".join(lines), rel)[0]
    expected = dict(doc)
    expected[key] = [dict(entry, **added) if i == index else entry for i, entry in enumerate(doc[key])]
    try:
        same = load_yaml(_normalised(new_raw), rel)[0] == expected
    except BoardError:
        same = False
    if not same:
        raise Refused(f"无法自动修改 {rel}，文件没有改动。请照着文件开头的说明手动修改。")
    if write:
        _write(path, raw, new_raw, offset)
    return new_raw.count("\n", 0, offset + len(gap)) + 1


def _item_node(root, list_keys: tuple[str, ...], index: int, rel: str):
    """The node of one item of the list under ``list_keys`` (a block mapping), and the list's key."""
    found = [(k, v) for k, v in (root.value if isinstance(root, yaml.MappingNode) else ())
             if str(k.value) in list_keys or str(k.value).lower() in list_keys]
    if not found or not isinstance(found[0][1], yaml.SequenceNode) or len(found[0][1].value) <= index:
        raise Refused(f"无法自动修改 {rel}，文件没有改动。请照着文件开头的说明手动修改。")
    item = found[0][1].value[index]
    if not isinstance(item, yaml.MappingNode) or item.flow_style:
        raise Refused(f"{rel} 里这一项写在一行的花括号 {{ }} 里，无法自动修改。请改成每个键一行的写法后再运行。")
    return item, str(found[0][0].value)


def _read_raw(path: Path, rel: str) -> str:
    """The file's text exactly as stored (a BOM and CRLF line ends kept)."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        read_text(path, rel)  # raises the Chinese message naming the line
        raise


def _normalised(raw: str) -> str:
    """What read_text makes of the file: no BOM, \\n line ends."""
    return raw.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _parse(raw: str, rel: str):
    """The data and the node tree; a YAML mistake raises BoardError."""
    text = _normalised(raw)
    doc = load_yaml(text, rel)[0]
    return doc, yaml.compose(text, Loader=loader_class())


def indented(lines: list[str], dash: int, key: int | None = None, newline: str = "\n") -> str:
    """Entry lines written with "- " at column 0 and keys at 2, moved to ``dash`` and ``key``."""
    key = dash + 2 if key is None or key <= dash else key
    out = []
    for line in lines:
        text = line.lstrip(" ")
        depth = len(line) - len(text)
        if depth == 0 and text.startswith("- "):
            out.append(" " * dash + "-" + " " * (key - dash - 1) + text[2:])
        elif depth == 0:
            out.append(" " * dash + text)  # the comment above the entry
        else:
            out.append(" " * (key + depth - 2) + text)
    return newline.join(out) + newline


def _plan(raw: str, root, list_keys: tuple[str, ...], lines: list[str], rel: str):
    """Where the entry goes: (offset, blank lines before it, its text, the list's key)."""
    newline = "\r\n" if "\r\n" in raw else "\n"
    if not list_keys:
        dash, key = _list_columns(root, rel, 0)
        return (*_at_end(raw, newline), indented(lines, dash, key, newline), None)
    if root is None:
        name = list_keys[0]
        return (*_at_end(raw, newline), f"{name}:{newline}" + indented(lines, 2, 4, newline), name)
    if not isinstance(root, yaml.MappingNode) or root.flow_style:
        raise Refused(f"{rel} 的内容应当是“键: 值”的形式（安排:、{list_keys[0]}:），请先改正。")
    found = [(k, v) for k, v in root.value if str(k.value) in list_keys
             or str(k.value).lower() in list_keys]
    if not found:
        name, col = list_keys[0], root.start_mark.column
        text = " " * col + f"{name}:{newline}" + indented(lines, col + 2, col + 4, newline)
        return (*_at_end(raw, newline), text, name)
    key_node, value = found[0]
    name = str(key_node.value)
    if isinstance(value, yaml.ScalarNode) and value.tag.endswith(":null") and not value.value:
        col = key_node.start_mark.column
        offset = _line_start(raw, key_node.start_mark.line + 1)
        text = indented(lines, col + 2, col + 4, newline)
        if offset is None:  # "课程:" is the file's last line
            return len(raw), "" if raw.endswith("\n") else newline, text, name
        return offset, "", text, name
    dash, key = _list_columns(value, rel, key_node.start_mark.column + 2, name)
    text = indented(lines, dash, key, newline)
    if root.value[-1][0] is key_node:
        return (*_at_end(raw, newline), text, name)
    return _line_start(raw, _last_line(value) + 1), newline, text, name


def _list_columns(node, rel: str, default: int, name: str = "") -> tuple[int, int]:
    """The columns of "- " and of the keys in an existing block list."""
    where = f"{rel} 的“{name}”" if name else rel
    if node is None:
        return default, default + 2
    if not isinstance(node, yaml.SequenceNode):
        raise Refused(f"{where} 应当是一个列表（每项以“- ”开头），请先改正。")
    if node.flow_style:
        raise Refused(f"{where} 写在一行的方括号 [ ] 里，无法自动添加。"
                      "请改成每项一段、以“- ”开头的写法后再运行。")
    if not node.value:
        return default, default + 2
    dash, first = node.start_mark.column, node.value[0]
    key = first.start_mark.column if isinstance(first, yaml.MappingNode) else dash + 2
    return dash, key


def _at_end(raw: str, newline: str) -> tuple[int, str]:
    """Append at the end: a final newline first when missing, then a blank line."""
    gap = "" if not raw or raw.endswith("\n") else newline
    text = raw + gap
    if text.strip("\ufeff") and not text.endswith(newline * 2):
        gap += newline
    return len(raw), gap


def _line_start(raw: str, line: int) -> int | None:
    """Offset of a 0-based line in the text, None past the last line."""
    offset = 0
    for _ in range(line):
        offset = raw.find("\n", offset) + 1
        if offset == 0:
            return None
    return offset if offset < len(raw) or line == 0 else None


def _last_line(node) -> int:
    """The last line (0-based) holding part of a node."""
    if isinstance(node, yaml.ScalarNode) or getattr(node, "flow_style", False):
        end = node.end_mark
        return end.line if end.column > 0 else end.line - 1
    children = node.value if isinstance(node, yaml.SequenceNode) else [c for pair in node.value for c in pair]
    return max((_last_line(c) for c in children), default=node.start_mark.line)


def _verify(doc, new_raw: str, key: str | None, lines: list[str], rel: str) -> None:
    """The new text must read as the old data plus exactly the entry."""
    entry = load_yaml(indented(lines, 0), rel)[0][0]
    if key is None:
        expected = [*(doc or []), entry]
    else:
        expected = dict(doc or {})
        expected[key] = [*(expected.get(key) or []), entry]
    try:
        same = load_yaml(_normalised(new_raw), rel)[0] == expected
    except BoardError:
        same = False
    if not same:
        raise Refused(f"无法自动在 {rel} 里添加，文件没有改动。请照着文件里已有的样子手动添加一项。")


def _write(path: Path, raw: str, new_raw: str, offset: int) -> None:
    """Append when the entry goes at the end; otherwise replace the file in one step."""
    if offset == len(raw):
        with open(path, "ab") as f:
            f.write(new_raw[len(raw):].encode("utf-8"))
        return
    temporary = path.with_name(f".{path.name}.new-{uuid.uuid4().hex[:8]}")
    try:
        temporary.write_bytes(new_raw.encode("utf-8"))
        os.chmod(temporary, path.stat().st_mode & 0o7777)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
