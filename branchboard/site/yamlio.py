"""Reading the secretary's text files: UTF-8 checks and YAML with positions.

YAML is loaded with libyaml when it is present.  Dates are *not* resolved by
YAML: an impossible date such as 2026-13-01 would otherwise crash the loader,
and ``2026-11-25 16:30`` would come back as a string while ``2026-11-25``
comes back as a date.  Every date is a string here and is parsed where the
field is known, with the field's line number at hand.

``load_yaml`` returns the value and a :class:`Positions` table that maps the
path of every node (a tuple of keys and indexes) to its line and column, so a
schema error deep in a list can name the line the secretary has to fix.

PyYAML is imported on first use: a build that finds every document as an
earlier build left it (:class:`Documents`, and the articles' front matter in
the build cache) does not pay for importing it.
"""

from __future__ import annotations

import dataclasses
import functools
import pickle
import re
from dataclasses import dataclass, field
from pathlib import Path

from branchboard.errors import BoardError
from branchboard.site import yamlhints


@functools.cache
def loader_class():
    """SafeLoader (libyaml's when present) without implicit timestamps (dates stay strings)."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = type("Loader", (base,), {"__doc__": loader_class.__doc__})
    loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in base.yaml_implicit_resolvers.items()
    }
    return loader


@dataclass
class Positions:
    """Line and column (1-based) of each node, by its path in the document."""

    values: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    keys: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    line_offset: int = 0

    def of(self, path: tuple) -> tuple[int | None, int | None]:
        """Where the value at ``path`` stands, or its nearest parent."""
        path = tuple(path)
        while True:
            if path in self.values:
                line, col = self.values[path]
                return line + self.line_offset, col
            if not path:
                return None, None
            path = path[:-1]

    def of_key(self, path: tuple) -> tuple[int | None, int | None]:
        """Where the key that names ``path`` stands (falls back to the value)."""
        path = tuple(path)
        if path in self.keys:
            line, col = self.keys[path]
            return line + self.line_offset, col
        return self.of(path)


def read_text(path: Path, rel: str) -> str:
    """Read a text file as UTF-8 (a BOM is accepted); newlines become \\n."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        guess = ""
        try:
            data.decode("gb18030")
            guess = "（看起来是 GBK/GB18030 编码）"
        except UnicodeDecodeError:
            pass
        raise BoardError(
            rel, line, col,
            f"文件不是 UTF-8 编码{guess}，无法读取",
            "请用记事本或 WPS 打开该文件，选择“另存为”，编码选“UTF-8”后保存。",
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


# English problems from the YAML parser, and what they mean to the secretary.
_YAML_PROBLEMS = [
    ("mapping values are not allowed",
     "这里不能出现冒号",
     "“键: 值”的冒号后要有一个空格；如果内容本身含有英文冒号，请把整段内容用引号括起来。"),
    ("found character '\\t' that cannot start any token",
     "这里有制表符（Tab）",
     "YAML 只能用空格缩进，请把 Tab 换成空格。"),
    ("found a tab character",
     "这里有制表符（Tab）",
     "YAML 只能用空格缩进，请把 Tab 换成空格。"),
    ("could not find expected ':'",
     "缺少冒号",
     "每一项应写成“键: 值”，冒号是英文冒号，后面跟一个空格。"),
    ("while parsing a flow",
     "方括号 [ ] 或花括号 { } 没有配对，或者里面少了逗号",
     "检查这一行开始的 [ ] 和 { } 是否成对，项目之间用英文逗号隔开。"),
    ("found unexpected end of stream",
     "引号或括号没有配对",
     "检查这一行开始的引号（\"、'）、方括号 [ ] 和花括号 { } 是否成对。"),
    ("found undefined alias",
     "引用了不存在的锚点",
     "以 * 开头的内容会被当作引用；如果是普通文字，请用引号括起来。"),
    ("expected <block end>, but found",
     "缩进不一致",
     "同一级的项目要用相同数量的空格缩进。"),
    ("did not find expected key",
     "缩进不一致或格式错误",
     "同一级的项目要用相同数量的空格缩进；列表项以“- ”开头。"),
    ("did not find expected '-' indicator",
     "列表格式错误",
     "列表中的每一项都以“- ”开头，并且缩进相同。"),
    ("found character that cannot start any token",
     "这里有不能作为开头的字符",
     "以 @ 或 ` 开头的内容请用引号括起来。"),
    ("found unknown escape character",
     "双引号里有无法识别的反斜杠",
     "在双引号中反斜杠要写成 \\\\，或者改用单引号。"),
]


def _yaml_error(exc, rel: str, text: str, line_offset: int) -> BoardError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if "nesting depth" in str(getattr(exc, "problem", "")) and mark is not None:
        # libyaml 0.2.5's own limit (PyYAML's wheels since 6.0.2): deeper than any board's data
        return _too_deep(rel, mark.line + 1 + line_offset, mark.column + 1)
    if "end of stream" in str(getattr(exc, "problem", "")) and getattr(exc, "context_mark", None):
        mark = exc.context_mark  # where the unclosed quote began
    if "flow" in str(getattr(exc, "context", "")) and mark is not None:
        opened = _unclosed_bracket(text, mark.index)
        if opened is not None:  # point at the bracket that was never closed
            line = text.count("\n", 0, opened) + 1 + line_offset
            col = opened - (text.rfind("\n", 0, opened) + 1) + 1
            return BoardError(rel, line, col, "YAML 格式错误：方括号 [ ] 或花括号 { } 没有配对，或者里面少了逗号",
                              "检查这一行开始的 [ ] 和 { } 是否成对，项目之间用英文逗号隔开。")
    line = mark.line + 1 + line_offset if mark else None
    col = mark.column + 1 if mark else None
    problem = f"{getattr(exc, 'problem', '') or ''} {getattr(exc, 'context', '') or ''}"
    if mark and 0 <= mark.index < len(text) and text[mark.index] == "\t":
        problem = "found a tab character"
    for english, chinese, hint in _YAML_PROBLEMS:
        if english in problem:
            return BoardError(rel, line, col, f"YAML 格式错误：{chinese}", hint)
    return BoardError(
        rel, line, col,
        f"YAML 格式错误（{problem.strip() or exc}）",
        "检查这一行及上一行的缩进、冒号和引号。",
    )


def _unclosed_bracket(text: str, upto: int) -> int | None:
    """Index of the last [ or { before ``upto`` that is not closed (quotes skipped)."""
    stack, quote = [], None
    for i, ch in enumerate(text[:upto]):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'" and (i == 0 or text[i - 1] in " \t[{,:\n"):
            quote = ch
        elif ch in "[{":
            stack.append(i)
        elif ch in "]}" and stack:
            stack.pop()
        elif ch == "#" and (i == 0 or text[i - 1] in " \t\n"):
            end = text.find("\n", i)
            quote = "\n" if end != -1 else None  # skip the comment to the line end
    return stack[-1] if stack else None


def load_yaml(text: str, rel: str, line_offset: int = 0):
    """Parse one YAML document.  Returns ``(value, positions)``.

    Raises :class:`BoardError` for syntax errors and duplicate keys: the
    typing mistakes :mod:`yamlhints` knows are named at the character to
    change, all of them at once (the first error carries the others in
    ``also``).  ``line_offset`` is added to every line (front matter starts
    at line 2).
    """
    import yaml

    found = yamlhints.scan(text)
    problems = [_hint_error(h, rel, line_offset) for h in found.definite]
    positions = Positions(line_offset=line_offset)
    value = None
    if found.repaired is not None:  # further mistakes, past the ones repaired in memory
        try:
            value = _parse(found.repaired, rel, positions)
        except BoardError as err:
            problems.append(err)
        except yaml.YAMLError as exc:
            problems += _explained(exc, found, rel, line_offset, {h.line for h in found.definite})
    if problems:
        raise dataclasses.replace(problems[0], also=tuple(problems[1:])) from None
    return value, positions


def _parse(text: str, rel: str, positions: Positions):
    loader = loader_class()(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_shape(node, rel, positions.line_offset)  # before anything walks it
        return _convert(loader, node, (), positions, rel)
    except RecursionError:  # the pure-Python parser, on nesting deeper than it can follow
        raise _too_deep(rel, _deepest_line(text) + positions.line_offset) from None
    finally:
        loader.dispose()


def _hint_error(hint: yamlhints.Hint, rel: str, line_offset: int) -> BoardError:
    return BoardError(rel, hint.line + line_offset, hint.col, f"YAML 格式错误：{hint.message}", hint.hint)


def _explained(exc, found: yamlhints.Scan, rel: str, line_offset: int, repaired_lines: set) -> list[BoardError]:
    """The parser's error, told by the hints at or before it when there are
    any (an unclosed quote, a slipped indentation), else in its own terms;
    nothing when it falls on a line whose mistake is already named."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark else len(found.repaired.split("\n"))
    explaining = found.explaining(line)
    if explaining:
        return [_hint_error(h, rel, line_offset) for h in explaining]
    if line in repaired_lines:
        return []
    return [_yaml_error(exc, rel, found.repaired, line_offset)]


# What one document may hold.  A board's data file has a few hundred nodes
# and no aliases; these are far above any real file and far below what
# would cost memory or time: ten lines of aliases can stand for billions of
# nodes (the "billion laughs"), and deep nesting exhausts the stack.
MAX_DEPTH = 64
MAX_NODES = 200_000  # with every alias expanded
MAX_ALIASES = 200


def _check_shape(root, rel: str, line_offset: int) -> None:
    """Depth, aliases and the size with every alias expanded, counted on the
    parsed nodes (an alias is the node it names, met again), in one pass
    that never expands anything; each limit is an error at its line."""
    import yaml

    expanded: dict[int, int] = {}  # id(node) -> its size, every alias expanded
    aliases = 0
    stack = [(root, 1, False)]
    open_nodes: set[int] = set()
    while stack:
        node, depth, children_done = stack.pop()
        key = id(node)
        if children_done:
            open_nodes.discard(key)
            size = 1 + sum(expanded[id(c)] for c in _children(node, yaml))
            if size > MAX_NODES:
                raise BoardError(rel, node.start_mark.line + 1 + line_offset, node.start_mark.column + 1,
                                 f"别名（& 和 *）展开后有 {size} 项以上，太大了，无法读取",
                                 "不要用 & 和 * 引用别处的内容，把内容直接写出来。")
            expanded[key] = size
            continue
        if key in expanded or key in open_nodes:
            aliases += 1
            if key in open_nodes:
                raise BoardError(rel, node.start_mark.line + 1 + line_offset, node.start_mark.column + 1,
                                 "这里的别名（*）指向了包含它自己的内容，会无限展开",
                                 "不要用 & 和 * 引用别处的内容，把内容直接写出来。")
            if aliases > MAX_ALIASES:
                raise BoardError(rel, node.start_mark.line + 1 + line_offset, node.start_mark.column + 1,
                                 f"别名（*）用了 {MAX_ALIASES} 次以上，太多了",
                                 "不要用 & 和 * 引用别处的内容，把内容直接写出来。")
            continue
        if depth > MAX_DEPTH:
            raise _too_deep(rel, node.start_mark.line + 1 + line_offset, node.start_mark.column + 1)
        open_nodes.add(key)
        stack.append((node, depth, True))
        stack.extend((child, depth + 1, False) for child in reversed(_children(node, yaml)))


def _children(node, yaml) -> list:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _too_deep(rel: str, line: int | None, col: int | None = None) -> BoardError:
    return BoardError(rel, line, col, f"内容一层套一层，超过了 {MAX_DEPTH} 层，无法读取",
                      "检查这一行附近的缩进和括号：数据通常只有三四层。")


def _deepest_line(text: str) -> int:
    """The line (1-based) where the brackets or the indentation go deepest."""
    best, best_line, depth, line = -1, 1, 0, 1
    for ch in text:
        if ch == "\n":
            line += 1
        elif ch in "[{":
            depth += 1
            if depth > best:
                best, best_line = depth, line
        elif ch in "]}":
            depth -= 1
    if best <= 0:
        indents = [len(row) - len(row.lstrip(" -")) for row in text.split("\n")]
        best_line = indents.index(max(indents)) + 1 if indents else 1
    return best_line


def _convert(loader, node, path, positions, rel):
    import yaml

    positions.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_object(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(loader, child, path + (i,), positions, rel)
            for i, child in enumerate(node.value)
        ]
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        result = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if isinstance(key, (list, dict)):
                raise BoardError(
                    rel, key_node.start_mark.line + 1 + positions.line_offset,
                    key_node.start_mark.column + 1, "键名不能是列表或映射")
            if key is None:
                key = ""
            key = key if isinstance(key, str) else str(key)
            if key in result:
                raise BoardError(
                    rel, key_node.start_mark.line + 1 + positions.line_offset,
                    key_node.start_mark.column + 1,
                    f"“{key}”在同一处写了两次",
                    "同一级里每个键只能出现一次，删掉多余的一个。")
            positions.keys[path + (key,)] = (
                key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = _convert(loader, value_node, path + (key,), positions, rel)
        return result
    return loader.construct_object(node, deep=True)  # pragma: no cover


class Documents:
    """YAML files parsed by earlier builds (site.yaml, the theme's), by
    their text: one found as it was is not parsed again.  ``used`` holds
    what this build read, for the cache to keep."""

    def __init__(self, known: dict | None = None):
        self.known = known if known is not None else {}  # (rel, text) -> (value, positions) pickled
        self.used: dict = {}

    def load(self, text: str, rel: str):
        """As load_yaml(text, rel); the value is the caller's own to change."""
        key = (rel, text)
        kept = self.known.get(key)
        if kept is None:
            kept = pickle.dumps(load_yaml(text, rel), pickle.HIGHEST_PROTOCOL)  # a mistake is not kept
        self.used[key] = kept
        return pickle.loads(kept)


_DATE_RE = re.compile(
    r"^\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
    r"(?:[ T]+(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?)?\s*$")


def parse_datetime(value):
    """Parse ``2026-11-25``, ``2026-11-25 16:30`` or ``2026年11月25日``.

    Returns ``(datetime, has_time)``; raises ValueError with a Chinese message.
    """
    import datetime as dt

    if isinstance(value, dt.datetime):
        return value, True
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day), False
    m = _DATE_RE.match(str(value))
    if not m:
        raise ValueError(f"“{value}”不是日期，日期应写成 2026-11-25 或 2026-11-25 16:30")
    y, mo, d, h, mi, s = (int(g) if g else None for g in m.groups())
    try:
        result = dt.datetime(y, mo, d, h or 0, mi or 0, s or 0)
    except ValueError:
        raise ValueError(f"“{value}”这个日期不存在（月份 1–12，日期不能超过当月天数）") from None
    return result, h is not None
