"""HTML written into an article's Markdown: checked and cleaned.

Python-Markdown passes raw HTML through as it is, so a pasted ``<script>``,
an ``onclick``, a ``javascript:`` link or an image from another site would
reach the published pages (and the meeting-room screen, which has no
network).  A body whose Markdown holds a tag goes through nh3 (the Rust
sanitizer ammonia, well kept and fast): scripts, frames, forms, styles,
event handlers and unsafe URLs are dropped, and the tables, line breaks,
superscripts and coloured spans the secretary pastes are kept.  What is
dropped is named in a warning with its line; a resource from outside the
site (an image, a video) is an error, as an external image in Markdown
syntax is.  A site that trusts its HTML says ``raw_html: true`` in
site.yaml and nothing is cleaned.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

HAS_TAG = re.compile(r"<[A-Za-z/!?]")  # a body without one is never touched

TAGS = {
    # what Python-Markdown and its extensions make
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "em", "strong", "a", "img", "code", "pre",
    "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "th",
    "td", "caption", "colgroup", "col", "abbr", "sup", "sub", "div",
    # what a secretary pastes from a document or a web page
    "span", "b", "i", "u", "s", "del", "ins", "mark", "small", "big", "font", "center", "section",
    "figure", "figcaption", "ruby", "rt", "rp", "q", "cite", "time", "kbd", "samp", "var", "wbr",
}
ATTRIBUTES = {
    "*": {"id", "class", "title", "lang", "dir", "style", "align"},
    "a": {"href", "name"},
    # srcset, sizes and loading: what the photo stage gives an image (an
    # external srcset is an error, see _RESOURCES)
    "img": {"src", "alt", "width", "height", "srcset", "sizes", "loading"},
    "td": {"colspan", "rowspan", "valign"},
    "th": {"colspan", "rowspan", "valign", "scope"},
    "col": {"span", "width"},
    "ol": {"start", "type"},
    "font": {"color", "size"},
    "time": {"datetime"},
}
STYLE_PROPERTIES = {
    "color", "background-color", "font-weight", "font-style", "font-size", "text-align", "text-decoration",
    "text-indent", "line-height", "letter-spacing", "vertical-align", "width", "border", "border-collapse",
    "padding", "margin",
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

# tags that load or run something, and the attributes that name what they load
_RESOURCES = {"img": ("src", "srcset"), "video": ("src", "poster"), "audio": ("src",), "source": ("src", "srcset"),
              "iframe": ("src",), "embed": ("src",), "object": ("data",), "link": ("href",),
              "script": ("src",), "track": ("src",), "input": ("src",)}
_ACTIVE = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "input", "button",
           "textarea", "select", "style", "link", "meta", "base", "svg", "math", "template"}


def clean(html: str) -> tuple[str, list[tuple[str, str, str, str]]]:
    """The body's HTML cleaned, and its problems as (text to find its line
    by, message, hint, level)."""
    import nh3  # only for a body that holds HTML

    scan = _Scan()
    scan.feed(html)
    scan.close()
    cleaned = nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
                        filter_style_properties=STYLE_PROPERTIES, link_rel=None, strip_comments=True)
    return cleaned, scan.problems


class _Scan(HTMLParser):
    """What the cleaning will drop, and what the page would fetch from outside."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[tuple[str, str, str, str]] = []
        self._seen: set[str] = set()

    def _add(self, needle: str, message: str, hint: str, level: str = "warning") -> None:
        if needle not in self._seen:
            self._seen.add(needle)
            self.problems.append((needle, message, hint, level))

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            value = value or ""
            if name in _RESOURCES.get(tag, ()) and _is_external(value):
                self._add(value, f"<{tag}> 要从外网加载 {value}，大屏在没有网络时显示不出来",
                          "把文件下载下来，放进文章旁边的文件夹，再用相对路径引用。", "error")
            elif name.startswith("on"):
                self._add(name, f"HTML 里的 {name}（点击等事件时运行的脚本）已删除，网页上不会运行",
                          "宣传栏的网页不运行文章里的脚本；删掉这一段就不再提示。")
            elif name in ("href", "src") and urlsplit(value.strip()).scheme.lower() not in URL_SCHEMES | {""}:
                self._add(value, f"链接 {value[:40]} 不是网页地址，已删除", "链接请写 http(s):// 开头的网址或相对路径。")
            elif name == "style" and "url(" in value.replace(" ", "").lower():
                self._add(value, "样式里引用了外部文件（url(...)），已删除", "背景图片请改成普通图片插入。")
        if tag in _ACTIVE:
            self._add(f"<{tag}", f"HTML 里的 <{tag}> 已删除，网页上不会出现或运行",
                      "宣传栏的网页只保留文字、表格和图片这类内容；删掉这一段就不再提示。")


def _is_external(url: str) -> bool:
    url = url.strip()
    return url.startswith("//") or urlsplit(url).scheme.lower() in ("http", "https", "ftp")
