"""Articles as the editor reads, checks, changes and previews them, with
the build's own reader, model and Markdown (no web here).

    article_list(site, now)            every article by section with its status, as the build sees it
    open_article(site, rel)            the form's values from the file
    changed_text(old, rel, values)     the front matter changed in place, the body as typed
    new_text(values, author)           a new article's text (never a placeholder)
    new_rel(site, config, section, title, today)   its file, named as ``build.py new article`` names it
    check_text(site, rel, text)        the build's problems with the article, with their lines
    preview(site, rel, body, ...)      its body as the build converts it, cleaned, for the preview
    save_image(site, folder, data)     an uploaded image checked by content, saved under a made name

Front matter is changed with ``yamledit.change`` on its own text, so
comments, key order and the key's language (标题 or title) stay; a tag list
is rewritten in place as ``[a, b]``.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import posixpath
import re
import secrets
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from branchboard.build import rawhtml
from branchboard.build.bodies import LinkContext, convert_one
from branchboard.build.markup import MarkdownRenderer
from branchboard.editor.yamledit import REMOVE, change
from branchboard.errors import BoardError, Report
from branchboard.scaffold.new import slugify, yaml_text
from branchboard.scaffold.yamlappend import Refused
from branchboard.site import placeholders
from branchboard.site.content import (CONTENT_DIR, FIELDS, _convert, find_content, in_section, read_source,
                                      read_sources, split_front_matter)
from branchboard.site.model import make_article
from branchboard.site.yamlio import load_yaml, loader_class, read_text

# the fields the form shows: (English name, label, widget, hint)
FORM_FIELDS = (
    ("title", "标题", "text", ""),
    ("date", "日期", "text", "例如 2026-11-25 或 2026-11-25 09:30"),
    ("summary", "摘要", "textarea", "一两句话的简介，显示在栏目列表里；可以不写"),
    ("tags", "标签", "text", "几个标签用顿号或逗号隔开，例如 主题党日、组织生活"),
    ("cover", "封面", "text", "封面图片，例如 images/照片.jpg；可以不写"),
    ("draft", "草稿", "checkbox", "勾上后不在网站上显示"),
    ("pinned", "置顶", "checkbox", "勾上后排在栏目最前面"),
    ("publish", "发布", "text", "到这个时间才显示，例如 2026-12-01 08:00；可以不写"),
    ("expire", "下架", "text", "过了这一天就不再显示，例如 2026-12-31；可以不写"),
)
LABELS = {name: label for name, label, _kind, _hint in FORM_FIELDS}
BOOLEAN = ("draft", "pinned")
REMOVED_WHEN_EMPTY = ("summary", "cover", "publish", "expire")
TAG_SPLIT = re.compile(r"[,，、]\s*")
FLOW_UNSAFE = set("[]{},:#&*!|>'\"%@`")

STATUS = {"draft": "草稿", "scheduled": "定时", "live": "已发布", "expired": "已下架", "broken": "有错误"}
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
IMAGE_FOLDER = "images"


# -- the list -----------------------------------------------------------------------

@dataclass
class Listed:
    """One article in the list."""

    rel: str  # relative to the site: content/news/x.md
    title: str
    date: str
    status: str  # a key of STATUS
    problem: str = ""  # the first error, when the build cannot show it


@dataclass
class SectionList:
    id: str
    title: str
    articles: list[Listed] = field(default_factory=list)


def status_of(article, now: dt.datetime) -> str:
    """The article's state on the build's day, in the order Article.is_visible decides it."""
    if article.draft:
        return "draft"
    if article.publish and now < article.publish:
        return "scheduled"
    if article.expire and now > article.expire:
        return "expired"
    return "live"


def article_list(site_dir: Path, sections: dict[str, str], now: dt.datetime) -> list[SectionList]:
    """Every article under content/ by section, newest first, read as the build reads them."""
    report = Report()
    sources, assets = read_sources(site_dir, report)
    by_section = {sid: SectionList(sid, title) for sid, title in sections.items()}
    first_error: dict[str, BoardError] = {}
    for problem in report.errors:
        first_error.setdefault(problem.path, problem)
    read = set()
    for source in sources:
        read.add(source.rel)
        own = Report()
        article = make_article(source, set(assets), own)
        section = by_section.setdefault(source.section, SectionList(source.section, source.section))
        when = source.meta["date"][0]
        error = first_error.get(source.path) or (own.errors[0] if own.errors else None)
        if article is None or error is not None:
            section.articles.append(Listed(source.path, source.meta["title"], f"{when:%Y-%m-%d}", "broken",
                                           error.message if error else ""))
        else:
            section.articles.append(Listed(source.path, article.title, f"{when:%Y-%m-%d}",
                                           status_of(article, now)))
    for rel in find_content(site_dir)[0]:
        if in_section(rel) and rel not in read:  # its front matter could not be read
            path = f"{CONTENT_DIR}/{rel}"
            sid = rel.split("/", 1)[0]
            section = by_section.setdefault(sid, SectionList(sid, sid))
            error = first_error.get(path)
            section.articles.append(Listed(path, _title_of(site_dir, path) or rel.rsplit("/", 1)[-1][:-3], "",
                                           "broken", error.message if error else "文章信息有错误"))
    for section in by_section.values():
        section.articles.sort(key=lambda a: (a.date, a.rel), reverse=True)
    return list(by_section.values())


def _title_of(site_dir: Path, rel: str) -> str:
    """The title written in an article whose fields have errors, if it can be read at all."""
    try:
        raw = load_yaml(parts_of(read_text(site_dir / rel, rel), rel)[2], rel)[0]
        key = written_key(raw, "title") if isinstance(raw, dict) else None
        return str(raw[key]) if key and raw[key] else ""
    except BoardError:
        return ""


# -- the form's values ------------------------------------------------------------------

@dataclass
class Opened:
    """An article file as the form shows it."""

    rel: str  # content/news/x.md
    values: dict  # English field name -> text (or bool)
    body: str


def values_from(raw: dict) -> dict:
    """The form's values of the front matter as loaded (keys as written)."""
    values = {}
    for name, _label, kind, _hint in FORM_FIELDS:
        written = written_key(raw, name)
        value = raw.get(written) if written else None
        if kind == "checkbox":
            try:
                values[name] = bool(_convert(name, value))
            except ValueError:
                values[name] = False
        elif name == "tags":
            values[name] = "、".join(str(t) for t in value) if isinstance(value, list) else str(value or "")
        else:
            values[name] = "" if value is None else str(value)
    return values


def written_key(raw: dict, name: str) -> str | None:
    """The key the file uses for a field (English or Chinese), if any."""
    return next((k for k in (name, *FIELDS[name]) if k in raw), None)


def parts_of(text: str, rel: str) -> tuple[str, str, str, str]:
    """(BOM, newline, front matter, body) of an article's text; "\\n" inside."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    newline = "\r\n" if "\r\n" in text else "\n"
    front, body, _line = split_front_matter(text[len(bom):].replace("\r\n", "\n"), rel)
    return bom, newline, front, body


def open_article(text: str, rel: str) -> Opened:
    _bom, _nl, front, body = parts_of(text, rel)
    raw = load_yaml(front, rel, line_offset=1)[0] or {}
    if not isinstance(raw, dict):
        raise BoardError(rel, 2, 1, "文章信息应当由“键: 值”组成，例如 标题: 支部大会")
    return Opened(rel, values_from(raw), body)


def typed_values(form) -> dict:
    """The form's values as submitted (a checkbox is there or not)."""
    values = {}
    for name, _label, kind, _hint in FORM_FIELDS:
        if kind == "checkbox":
            values[name] = form.get(f"m.{name}") == "1"
        else:
            values[name] = form.get(f"m.{name}", "").replace("\r\n", "\n").strip()
    return values


def typed_body(form) -> str:
    return form.get("body", "").replace("\r\n", "\n")


# -- writing ------------------------------------------------------------------------------

def changed_text(old: str, rel: str, values: dict, body: str) -> str:
    """The article with the fields that differ from the file changed in its
    front matter's own text, and the body as typed."""
    bom, newline, front, _old_body = parts_of(old, rel)
    raw = load_yaml(front, rel, line_offset=1)[0] or {}
    chinese = any(k in FIELDS[n] for n in FIELDS for k in raw) or not raw
    changes, tags = {}, None
    for name, _label, kind, _hint in FORM_FIELDS:
        written = written_key(raw, name)
        key = written or (FIELDS[name][0] if chinese else name)
        new = values[name]
        if kind == "checkbox":
            old_value = values_from(raw)[name]
            if new != old_value and (written or new):
                changes[(key,)] = new
        elif name == "tags":
            items = [t.strip() for t in TAG_SPLIT.split(new) if t.strip()]
            try:
                before = list(_convert("tags", raw.get(written))) if written else []
            except ValueError:
                before = None
            if items != before:
                tags = (key, written is not None, items)
        else:
            before = "" if not written or raw[written] is None else str(raw[written])
            if new == before:
                continue
            if not new and name in REMOVED_WHEN_EMPTY:
                changes[(key,)] = REMOVE
            else:
                changes[(key,)] = new
    written = front
    if changes:
        front = change(front, rel, changes)
    if tags is not None:
        front = _set_tags(front, rel, *tags)
    if front.endswith("\n") and not written.endswith("\n"):  # a key added last brings its own line end
        front = front[:-1]
    text = f"---\n{front}\n---\n{body}" if front else f"---\n---\n{body}"
    return bom + (text.replace("\n", "\r\n") if newline == "\r\n" else text)


def _set_tags(front: str, rel: str, key: str, present: bool, items: list[str]) -> str:
    """The tag list written as ``[a, b]`` where the old value stood (or as a new last key)."""
    if not items:
        return change(front, rel, {(key,): REMOVE}) if present else front
    if not present:
        front = change(front, rel, {(key,): "-"})  # a stand-in, replaced below
    root = yaml.compose(front, Loader=loader_class())
    node = next(v for k, v in root.value if str(k.value) == key)
    starts = [0] + [i + 1 for i, c in enumerate(front) if c == "\n"]
    start = starts[node.start_mark.line] + node.start_mark.column
    end = starts[node.end_mark.line] + node.end_mark.column if node.end_mark.line < len(starts) else len(front)
    while end > start and front[end - 1] in " \n":
        end -= 1
    flow = "[" + ", ".join(json.dumps(t, ensure_ascii=False) if set(t) & FLOW_UNSAFE else t for t in items) + "]"
    new = front[:start] + flow + front[end:]
    try:
        same = (load_yaml(new, rel)[0] or {}).get(key) == items
    except BoardError:
        same = False
    if not same:
        raise Refused(f"无法自动修改 {rel} 的标签，文件没有改动。请用记事本手动修改。")
    return new


def new_text(values: dict, body: str, author: str = "") -> str:
    """A new article's text: the fields filled in, in the order ``new article`` writes them."""
    lines = ["---", f"标题: {yaml_text(values['title'])}", f"日期: {yaml_text(values['date'])}"]
    if author:
        lines.append(f"作者: {yaml_text(author)}")
    if values["summary"]:
        summary = values["summary"]
        lines.append(f"摘要: {yaml_text(summary)}" if "\n" not in summary
                     else "摘要: |-\n" + "\n".join("  " + line if line else "" for line in summary.split("\n")))
    items = [t.strip() for t in TAG_SPLIT.split(values["tags"]) if t.strip()]
    if items:
        lines.append("标签: [" + ", ".join(json.dumps(t, ensure_ascii=False) if set(t) & FLOW_UNSAFE else t
                                           for t in items) + "]")
    for name in ("cover", "publish", "expire"):
        if values[name]:
            lines.append(f"{FIELDS[name][0]}: {yaml_text(values[name])}")
    for name in BOOLEAN:
        if values[name]:
            lines.append(f"{FIELDS[name][0]}: true")
    return "\n".join(lines) + "\n---\n\n" + body.strip("\n") + "\n"


def new_rel(sections: dict[str, str], section: str, title: str, today: dt.date) -> str:
    """The new article's file (relative to the site), as ``python build.py new article`` names it."""
    if section not in sections:
        raise Refused(f"没有“{section}”这个栏目。")
    slug = slugify(" ".join(title.split()))
    if not slug:
        raise Refused(f"标题“{title}”里没有可以用作文件名的字，请换一个标题。")
    return f"{CONTENT_DIR}/{section}/{today:%Y-%m-%d}-{slug}.md"


# -- checking --------------------------------------------------------------------------

def check_text(site_dir: Path, rel: str, text: str) -> list[BoardError]:
    """The errors the build would report for this article's text (its
    front matter, cover and any placeholder left in it), with their lines."""
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
        make_article(source, set(find_content(site_dir)[1]), report)
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


def preview(site_dir: Path, rel: str, body: str, now: dt.datetime, site_url: str = "/") -> Preview:
    """The body converted as the build converts it (the same links
    resolved, the same problems), then cleaned with the build's nh3 rules
    whatever the site trusts: the editor's pages must run nothing from it."""
    inner = rel[len(CONTENT_DIR) + 1:]
    sources, assets = read_sources(site_dir, Report())
    articles = [a for a in (make_article(s, set(assets), Report()) for s in sources) if a is not None]
    urls = {a.source: a.url for a in articles if a.is_visible(now, False)}
    links = LinkContext(urls, frozenset(a.source for a in articles if a.source not in urls), frozenset(assets))
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
    opens the built site.  The srcset the build gives processed images is
    not made here."""
    def rewrite(match: re.Match) -> str:
        attr, url = match.groups()
        if not url or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^/|^#", url):
            return match.group(0)
        path = posixpath.normpath(posixpath.join(posixpath.dirname(page), url.split("#")[0]))
        if attr == "src":
            return f'src="/admin/articles/image?file={CONTENT_DIR}/{_quote(path)}"'
        return f'href="{site_url}{_quote(path)}"'

    return _ADDRESS.sub(rewrite, html)


def _quote(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/")


# -- images -----------------------------------------------------------------------------

def image_format(data: bytes) -> str | None:
    """The file's extension if Pillow reads it as a whole image of a kind a
    web page shows (JPEG, PNG, GIF, WebP), else None."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format
                image.verify()
            with Image.open(io.BytesIO(data)) as image:  # verify() leaves it unusable: decode it whole
                image.load()
    except Exception:  # Pillow raises many kinds for a file that is not an image
        return None
    return IMAGE_FORMATS.get(kind)


def image_folder(site_dir: Path, folder: str, sections: dict[str, str]) -> Path:
    """The article folder's images/ folder, if ``folder`` names a folder of a
    section under content/ and nothing that leads out of it."""
    parts = folder.replace("\\", "/").split("/")
    if (len(parts) < 2 or parts[0] != CONTENT_DIR or parts[1] not in sections
            or any(p in ("", ".", "..") or p.startswith(".") or ":" in p for p in parts)):
        raise Refused("不能把图片放在这里：图片只能放在 content 里某个栏目的 images 文件夹。")
    content = (site_dir / CONTENT_DIR).resolve()
    target = site_dir.joinpath(*parts, IMAGE_FOLDER)
    if not target.resolve().is_relative_to(content):
        raise Refused("不能把图片放在这里：它指向网站文件夹之外。")
    return target


def save_image(target: Path, data: bytes, kind: str, now: dt.datetime) -> str:
    """The image written under a name made here (never the uploaded name); returns that name."""
    target.mkdir(parents=True, exist_ok=True)
    name = f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}.{kind}"
    tmp = target / f".{name}.saving"
    try:
        with open(tmp, "xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target / name)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return name
