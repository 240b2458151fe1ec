"""Markdown to HTML, the way Chinese articles need it.

* Heading anchors keep their Chinese characters (toc with a Unicode slugify).
* A soft line break between two Chinese characters vanishes instead of
  showing as a space (what Goldmark's eastAsianLineBreaks does for Hugo).
* Relative links to other ``.md`` files and to images are rewritten to the
  built pages and copied files, as MkDocs does; a target that does not exist
  is reported with the line it stands on.

Markdown is used through its public API; the speed-ups that reach into its
internals are in speedups.py, and with them off (or with a Markdown release
they were not tested on) every text is converted with every extension.
"""

from __future__ import annotations

import functools
import importlib
import posixpath
import re
from dataclasses import dataclass
from html import escape, unescape
from pathlib import PurePath
from typing import Callable, NamedTuple
from urllib.parse import quote, unquote, urlsplit

import markdown
from markdown.extensions import Extension
from markdown.extensions.toc import slugify_unicode
from markdown.postprocessors import Postprocessor
from markdown.treeprocessors import Treeprocessor

from branchboard.build import rawhtml
from branchboard.build.speedups import CHOSEN, InlinePatterns, LeanTocExtension, remember_block_levels

EXTENSIONS = ["tables", "footnotes", "toc", "attr_list", "fenced_code", "sane_lists", "abbr", "def_list"]
EXTENSION_CONFIGS = {
    "toc": {"slugify": slugify_unicode, "toc_depth": "2-4"},
    "footnotes": {"BACKLINK_TITLE": "返回正文第 %d 处"},
}


# An extension that finds nothing to do in a text still costs time on every
# block and every run of text (a fifth of a conversion).  With the speed-ups
# on, these are left out for a text that cannot contain what they look for;
# the HTML is the same (tests/test_markdown.py converts with and without).
_NEEDED_WHEN = {
    "tables": lambda text: "|" in text,
    "footnotes": lambda text: "[^" in text,
    "attr_list": lambda text: "{" in text,
    "fenced_code": lambda text: "```" in text or "~~~" in text,
    "abbr": lambda text: "*[" in text,
    "def_list": lambda text: re.search(r"(?m)^ {0,3}:", text) is not None,
}


def _extensions(names, toc_marker: bool, lean: bool) -> list[Extension]:
    """Markdown's own extensions, made directly: given by name, Markdown would
    first search every installed package's entry points for them.  toc looks
    through the whole tree for a paragraph that is just "[TOC]" to put the
    contents there: only a text that has one needs that search.  ``lean``:
    toc makes the contents of plain headings itself (speedups.LeanToc)."""
    made = []
    for name in names:
        module = importlib.import_module(f"markdown.extensions.{name}")
        config = EXTENSION_CONFIGS.get(name, {})
        if name == "toc" and not toc_marker:
            config = {**config, "marker": ""}
        if name == "toc" and lean:
            made.append(LeanTocExtension(**config))
        else:
            made.append(module.makeExtension(**config))
    return made


# wide East Asian characters, as Goldmark's eastAsianLineBreaks takes them; the
# last range holds the rarer ideographs (CJK extensions B to H) of some names.
# Tested by code point, not by a regular expression: re compiles a class this
# wide by walking its 30,000 characters one by one, at every start.
_CJK_RANGES = ((0x2E80, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),
               (0xFE30, 0xFE4F), (0xFF00, 0xFFEF), (0x20000, 0x3134F))
_BREAK = re.compile(r"[ \t]*\n[ \t]*")
_BREAK_AT_END = re.compile(r"[ \t]*\n[ \t]*$")


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _CJK_RANGES)


def _join_cjk_lines(text: str) -> str:
    """Drop each line break that stands between two wide characters."""
    def join(match):
        start, end = match.span()
        return "" if start and end < len(text) and _is_cjk(text[start - 1]) and _is_cjk(text[end]) \
            else match.group()
    return _BREAK.sub(join, text)


def _drop_leading_break(text: str) -> str:
    """A break at the start of ``text`` dropped if a wide character follows."""
    match = _BREAK.match(text)
    return text[match.end():] if match and match.end() < len(text) and _is_cjk(text[match.end()]) else text


def _drop_trailing_break(text: str) -> str:
    """A break at the end of ``text`` dropped if a wide character precedes."""
    return _BREAK_AT_END.sub(lambda m: "" if m.start() and _is_cjk(text[m.start() - 1]) else m.group(), text)


_SKIP_TAGS = {"pre", "code", "script", "style"}


@dataclass(frozen=True)
class LinkProblem:
    """A link the resolver could not make (``url``: as written, to find its line)."""

    url: str
    message: str
    hint: str = ""
    level: str = "error"


@dataclass(frozen=True)
class Rendered:
    """One Markdown text as HTML, with its table of contents and link problems."""

    html: str
    toc: str
    headings: int
    problems: tuple[LinkProblem, ...]


class ResolvedImage(NamedTuple):
    """An image published as files of several widths, as an ``img`` shows it."""

    src: str  # the narrowest file
    srcset: str  # "url 800w, url 1600w"
    width: int  # of the narrowest file: the browser keeps the space before it loads
    height: int


# how wide an image in an article is shown: the article's column (style.css .article)
BODY_SIZES = "(max-width: 54rem) 100vw, 54rem"

# A resolver gets a link target as written (relative, unquoted, no fragment)
# and returns the new relative URL (an image: perhaps a ResolvedImage), or
# raises LinkProblem.
Resolver = Callable[[str, bool], "str | ResolvedImage"]


class _CjkLineBreaks(Treeprocessor):
    """Drop soft line breaks that stand between two Chinese characters."""

    def run(self, root):
        for el in root.iter():
            if el.tag in _SKIP_TAGS:
                continue
            # a break with nothing but white space before the first element
            # cannot stand between two characters
            if el.text and "\n" in el.text and not el.text.isspace():
                el.text = _join_cjk_lines(el.text)
                if len(el) and _starts_cjk(el[0]):
                    el.text = _drop_trailing_break(el.text)
            for i, child in enumerate(el):
                if not child.tail or "\n" not in child.tail:
                    continue
                if child.tail.isspace():
                    # only a break between two runs of text (bold, a link) is
                    # seen: between blocks it is just how the HTML is laid out
                    if i + 1 < len(el) and not self.md.is_block_level(child.tag) \
                            and not self.md.is_block_level(el[i + 1].tag) \
                            and _ends_cjk(child) and _starts_cjk(el[i + 1]):
                        child.tail = ""
                    continue
                tail = _join_cjk_lines(child.tail)
                if _ends_cjk(child):
                    tail = _drop_leading_break(tail)
                if i + 1 < len(el) and _starts_cjk(el[i + 1]):
                    tail = _drop_trailing_break(tail)
                child.tail = tail


def _ends_cjk(el) -> bool:
    if el.tag in _SKIP_TAGS:
        return False
    text = "".join(el.itertext())
    text = text[:-1] if text.endswith("\n") else text  # as a pattern's $ would take it
    return bool(text) and _is_cjk(text[-1])


def _starts_cjk(el) -> bool:
    if el.tag in _SKIP_TAGS:
        return False
    first = next((text for text in el.itertext() if text), "")  # of the element's text, only its start matters
    return bool(first) and _is_cjk(first[0])


class _RewriteLinks(Treeprocessor):
    """Rewrite relative href/src through the resolver; collect problems."""

    resolver: Resolver | None = None
    problems: list

    def run(self, root):
        self.problems = []
        if self.resolver is None:
            return
        for el in root.iter():
            for attr, is_image in (("href", False), ("src", True)):
                value = el.get(attr)
                if value is None or (el.tag == "a" and el.get("class") in ("footnote-ref", "footnote-backref")):
                    continue
                new = self._resolve(value, is_image)
                if isinstance(new, ResolvedImage):
                    self._set_image(el, new)
                elif new is not None:
                    el.set(attr, new)

    @staticmethod
    def _set_image(el, image: ResolvedImage) -> None:
        el.set("src", image.src)
        if el.tag != "img":
            return
        if "," in image.srcset:  # more than one file (a comma in a URL is quoted)
            el.set("srcset", image.srcset)
            el.set("sizes", BODY_SIZES)
        if el.get("width") is None and el.get("height") is None:  # sizes the author wrote stay
            el.set("width", str(image.width))
            el.set("height", str(image.height))
        el.set("loading", "lazy")

    def _resolve(self, value: str, is_image: bool) -> str | None:
        parts = urlsplit(value)
        if parts.scheme and parts.scheme.lower() not in rawhtml.URL_SCHEMES:
            self.problems.append(LinkProblem(
                value, f"链接“{value[:40]}”不是网页地址（{parts.scheme}:），不能放在宣传栏上",
                "链接请写 http(s):// 开头的网址，或相对于本文的路径。"))
            return "#"
        if parts.scheme or value.startswith("//"):
            if is_image and parts.scheme in ("http", "https", "") and value.startswith(("http", "//")):
                self.problems.append(LinkProblem(
                    value, f"图片来自外网：{value}，大屏在没有网络时显示不出来",
                    "把图片下载下来，放进文章旁边的 images 文件夹，再用相对路径引用。"))
            return None
        if not parts.path:  # "#anchor" within the page
            return None
        if parts.path.startswith("/"):
            self.problems.append(LinkProblem(
                value, f"链接“{value}”以 / 开头，网站放在文件夹里打开时会失效",
                "请写相对于本文的路径，例如 images/photo.jpg 或 ../study/文章.md。"))
            return None
        try:
            target = self.resolver(unquote(parts.path), is_image)
        except LinkProblemError as exc:
            self.problems.append(LinkProblem(value, exc.message, exc.hint, exc.level))
            if exc.url is None:
                return None
            target = exc.url
        if isinstance(target, ResolvedImage):
            return target
        return target + (f"#{parts.fragment}" if parts.fragment else "")


_RAW_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_RAW_SRC = re.compile(r"""\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_RAW_SIZED = re.compile(r"\s(?:width|height)\s*=", re.IGNORECASE)


class _RawImages(Postprocessor):
    """Images written as HTML (``<img src="images/x.jpg">``) that the photo
    stage processed get its files, as an image in Markdown does; any other
    ``src`` is left as written.  Runs before the raw HTML is put back."""

    resolver: Resolver | None = None

    def run(self, text: str) -> str:
        if self.resolver is not None:
            stash = self.md.htmlStash
            stash.rawHtmlBlocks = [_RAW_IMG.sub(self._image, block)
                                   if isinstance(block, str) and "<img" in block.lower() else block
                                   for block in stash.rawHtmlBlocks]
        return text

    def _image(self, match: re.Match) -> str:
        tag = match.group()
        src = _RAW_SRC.search(tag)
        if src is None:
            return tag
        parts = urlsplit(unescape(src.group(1) if src.group(1) is not None else src.group(2)))
        if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"):
            return tag
        try:
            found = self.resolver(unquote(parts.path), True)
        except LinkProblemError:
            return tag  # what was written stays (and is reported nowhere, as before)
        if not isinstance(found, ResolvedImage):
            return tag
        attrs = f' src="{escape(found.src)}"'
        if "," in found.srcset and "srcset" not in tag.lower():
            attrs += f' srcset="{escape(found.srcset)}" sizes="{BODY_SIZES}"'
        if not _RAW_SIZED.search(tag):
            attrs += f' width="{found.width}" height="{found.height}"'
        return tag[:src.start()] + attrs + tag[src.end():]


class LinkProblemError(Exception):
    """Raised by a resolver for a link it cannot resolve."""

    def __init__(self, message: str, hint: str = "", level: str = "error", url: str | None = None):
        super().__init__(message)
        self.message, self.hint, self.level, self.url = message, hint, level, url


class _BoardExtension(Extension):
    def extendMarkdown(self, md):
        md.treeprocessors.register(_RewriteLinks(md), "branchboard_links", 7)
        md.treeprocessors.register(_CjkLineBreaks(md), "branchboard_cjk", 6)
        md.postprocessors.register(_RawImages(md), "branchboard_raw_images", 35)  # raw_html is 30


class MarkdownRenderer:
    """Markdown instances reused for every article (reset between them).
    With the speed-ups (``speedups``; by default as this process chose,
    speedups.CHOSEN), one for each set of extensions the texts need (see
    _NEEDED_WHEN); without, one with every extension, as Markdown makes it."""

    def __init__(self, speedups: bool | None = None, raw_html: bool = False):
        self.speedups = CHOSEN.markdown if speedups is None else speedups
        self.raw_html = raw_html  # the site trusts HTML in its articles: nothing is cleaned
        self._instances: dict[tuple, markdown.Markdown] = {}
        self._inline_patterns = InlinePatterns() if self.speedups else None

    def _instance(self, text: str) -> markdown.Markdown:
        if self.speedups:
            names = tuple(n for n in EXTENSIONS if n not in _NEEDED_WHEN or _NEEDED_WHEN[n](text))
            key = (names, "[TOC]" in text, True)
        else:
            key = (tuple(EXTENSIONS), True, False)
        md = self._instances.get(key)
        if md is None:
            md = markdown.Markdown(extensions=[*_extensions(*key), _BoardExtension()], output_format="html")
            if self.speedups:
                remember_block_levels(md)
            self._instances[key] = md
        return md

    def render(self, text: str, resolver: Resolver | None) -> Rendered:
        md = self._instance(text)
        md.reset()
        if self._inline_patterns is not None:
            self._inline_patterns.use_for(md, text)
        links = md.treeprocessors["branchboard_links"]
        links.resolver = resolver
        links.problems = []
        md.postprocessors["branchboard_raw_images"].resolver = resolver
        html = md.convert(text)
        problems = list(links.problems)
        if not self.raw_html and rawhtml.HAS_TAG.search(text):
            html, found = rawhtml.clean(html)
            reported = {p.url for p in problems}  # an external image in Markdown syntax, already said
            problems += [LinkProblem(*problem) for problem in found if problem[0] not in reported]
        return Rendered(
            html=html,
            toc=getattr(md, "toc", ""),
            headings=_count_tokens(getattr(md, "toc_tokens", [])),
            problems=tuple(problems),
        )


def _count_tokens(tokens) -> int:
    return sum(1 + _count_tokens(t.get("children", [])) for t in tokens)


def relative_url(target, from_page: str | PurePath) -> str:
    """Relative, percent-encoded URL from one output page to another output path.

    Both are site-root-relative.  An address has forward slashes on every
    system: a path given as a Path, or as a string Windows made with
    backslashes, is turned round first.  A target ending in "/" names a
    folder and gets "index.html", since browsers show a file listing when
    they open a folder from file://.
    """
    target, from_page = url_path(target), url_path(from_page)
    if target.endswith("/") or target == "":
        target += "index.html"
    return _relative(target, posixpath.dirname(from_page) or ".")


def url_path(path) -> str:
    """An output path with "/" (no output path has a backslash of its own:
    write refuses one); a template may give any value, which is made text."""
    if isinstance(path, PurePath):
        return path.as_posix()
    path = str(path)
    return path.replace("\\", "/") if "\\" in path else path


@functools.lru_cache(maxsize=1 << 16)
def _relative(target: str, start: str) -> str:
    # every page names the same few addresses from the same few folders: worked out once
    return quote(posixpath.relpath(target, start), safe="/#")


def line_of(body: str, needle: str, first_line: int) -> int:
    """Line in the file where ``needle`` first appears in the body."""
    for candidate in (needle, quote(needle, safe="/#%"), unquote(needle)):
        index = body.find(candidate)
        if index >= 0:
            return first_line + body.count("\n", 0, index)
    return first_line
