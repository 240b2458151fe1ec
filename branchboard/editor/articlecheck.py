"""What the build would say of an article the secretary is writing, before
anything is saved: its problems at their fields, and its body as the page
will show it (no web here).

    check_text(site_dir, rel, text, assets)   the build's problems with the article, with their lines
    place_problems(text, rel, problems)       each problem at its field, the rest apart
    preview(rel, body, read, now, site_url)   its body as the build converts it, cleaned, for the preview
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

from branchboard.build import rawhtml
from branchboard.build.bodies import LinkContext, convert_one
from branchboard.build.markup import MarkdownRenderer
from branchboard.editor.articletext import LABELS, parts_of
from branchboard.editor.siteinfo import Sources
from branchboard.errors import BoardError, Report
from branchboard.site import placeholders
from branchboard.site.content import CONTENT_DIR, FIELDS, read_source
from branchboard.site.model import make_article
from branchboard.site.yamlio import load_yaml

IMAGE_ADDRESS = "/admin/articles/image?file="  # where the editor serves an image under content/


# -- checking --------------------------------------------------------------------------

def check_text(site_dir: Path, rel: str, text: str, assets: list[str]) -> list[BoardError]:
    """The errors the build would report for this article's text (its
    front matter, cover and any placeholder left in it), with their lines.
    ``assets``: the files under content/ that are not articles."""
    inner = rel[len(CONTENT_DIR) + 1:]
    report = Report()
    with tempfile.TemporaryDirectory(prefix="branchboard-check-") as tmp:
        path = Path(tmp, CONTENT_DIR, *inner.split("/"))
        path.parent.mkdir(parents=True)
        path.write_bytes(text.encode("utf-8"))
        try:
            source = read_source(Path(tmp), inner, report)
        except BoardError as err:
            report.add(err)
            source = None
    if source is not None and not report.has_errors():
        make_article(source, set(assets), report)
        if not source.meta.get("draft"):
            for i, line in enumerate(source.body.split("\n")):
                found = placeholders.in_line(line)
                if found:
                    report.error(rel, source.body_line + i, None, placeholders.message(found, "正文"),
                                 placeholders.HINT)
    return report.errors


def place_problems(text: str, rel: str, problems: list[BoardError]) -> tuple[dict[str, list[str]], list[str]]:
    """Each problem at its field ("body" for the body), by its line; the rest apart."""
    lines: dict[int, str] = {}
    body_line = 0
    try:
        _bom, _nl, front, _body = parts_of(text, rel)
        body_line = front.count("\n") + 3 if front else 3
        raw, positions = load_yaml(front, rel, line_offset=1)
        for written in (raw or {}) if isinstance(raw, dict) else ():
            name = written if written in FIELDS else next((n for n in FIELDS if written in FIELDS[n]), None)
            if name:
                lines[positions.of_key((written,))[0]] = name
    except BoardError:
        pass
    placed: dict[str, list[str]] = {}
    rest = []
    for problem in problems:
        shown = problem.message + (f"（{problem.hint}）" if problem.hint else "")
        name = lines.get(problem.line)
        if name is None:
            name = next((n for n, label in LABELS.items() if problem.line == 1 and f"缺少{label}" in problem.message),
                        None)
        if name is None and problem.line and body_line and problem.line >= body_line:
            name = "body"
        if name in LABELS or name == "body":
            placed.setdefault(name, []).append(shown)
        else:
            rest.append(f"第 {problem.line} 行：{shown}" if problem.line else shown)
    return placed, rest


# -- the preview --------------------------------------------------------------------------

@dataclass
class Preview:
    html: str  # cleaned, its addresses made to work in the editor
    problems: list[str]


def preview(rel: str, body: str, read: Sources, now: dt.datetime, site_url: str = "/") -> Preview:
    """The body converted as the build converts it (the same links
    resolved against the articles as ``read``, the same problems), then
    cleaned with the build's nh3 rules whatever the site trusts: the
    editor's pages must run nothing from it."""
    inner = rel[len(CONTENT_DIR) + 1:]
    articles = [a for a in (make_article(s, set(read.assets), Report()) for s in read.sources) if a is not None]
    urls = {a.source: a.url for a in articles if a.is_visible(now, False)}
    links = LinkContext(urls, frozenset(a.source for a in articles if a.source not in urls), frozenset(read.assets))
    page = urls.get(inner) or inner[:-3] + ".html"
    body_line = 1
    converted = convert_one(links, MarkdownRenderer(raw_html=False), inner, page, body, body_line)
    html = rawhtml.clean(converted.html)[0]
    html = _addresses_for_editor(html, page, site_url)
    problems = [f"正文第 {p.line} 行：{p.message}" if p.line else p.message for p in converted.problems]
    return Preview(html, problems)


_ADDRESS = re.compile(r'\b(src|href)="([^"]*)"')


def _addresses_for_editor(html: str, page: str, site_url: str) -> str:
    """A relative image address (relative to the page) is served from
    content/ by the editor, the image may not be built yet; a relative link
    opens the built site (both given once percent-encoded).  The srcset the build gives processed images is
    not made here."""
    def rewrite(match: re.Match) -> str:
        attr, url = match.groups()
        if not url or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^/|^#", url):
            return match.group(0)
        # the build writes a Chinese file name percent-encoded: decoded here, encoded once below
        path = posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(url.split("#")[0])))
        if attr == "src":
            return f'src="{IMAGE_ADDRESS}{CONTENT_DIR}/{quote(path, safe="/")}"'
        return f'href="{site_url}{quote(path, safe="/")}"'

    return _ADDRESS.sub(rewrite, html)
