"""site.yaml as a declared, validated schema.

Its keys are declared below in the format of the board data's schemas
(``branchboard.site.schema``) and checked by the same steps, with the same
messages: every key has a type, a default and a check; unknown keys are
reported with a "did you mean" and ignored; every problem is gathered
before the build stops.  A new setting is one line in ``SITE`` and one
attribute of ``SiteConfig``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from branchboard.errors import BoardError, Report
from branchboard.qr import normalise_base_url
from branchboard.site.schema import Context, Document, check, declare
from branchboard.site.yamlio import Documents, Positions, read_text

CONFIG_FILE = "site.yaml"


@dataclass(frozen=True)
class SectionConfig:
    """A section as site.yaml lists it (``line``: where, for messages)."""

    id: str
    title: str
    line: int | None = None


@dataclass(frozen=True)
class SiteConfig:
    """site.yaml, checked."""

    site_dir: Path = field(compare=False)  # where, not what: no part of any page
    title: str  # each key's type, default and check: SITE below
    organization: str
    language: str
    theme: str
    author: str
    page_size: int
    footer: str
    sections: tuple[SectionConfig, ...]
    honor_titles: tuple[str, ...]
    mailbox_intro: str
    screen: Any  # as written: checked by branchboard.screen.settings
    ticker: tuple[str, ...]
    chromium: str
    raw_html: bool  # the articles' HTML is published as written, not cleaned
    publish_originals: bool  # the photos' source files are published too, not only the derived ones
    base_url: str  # where the site is published, "" when not said: pages then carry no QR codes
    positions: Positions = field(default_factory=Positions, compare=False, repr=False)

    def section_title(self, section_id: str) -> str:
        for s in self.sections:
            if s.id == section_id:
                return s.title
        return section_id


# site.yaml's keys, in the format of the board data's schemas.
SITE_KEYS = {
    "title": {"alias": ["标题", "站点标题"], "required": True},
    "organization": {"alias": ["单位", "组织"], "default": ""},
    "language": {"alias": "语言", "default": "zh-CN"},
    "theme": {"alias": "主题", "default": "default"},
    "author": {"alias": "作者", "default": ""},
    "page_size": {"alias": "每页篇数", "type": "integer", "min": 1, "default": 10},
    "footer": {"alias": "页脚", "default": ""},
    "sections": {"alias": "栏目", "type": "list", "item": {  # `- news` is {id: news, title: news}
        "shorthand": "id", "fields": {"id": {"required": True, "unique": True},
                                      "title": {"alias": "标题", "label": "title"}}}},
    "honor_titles": {"alias": "荣誉称号", "type": "list", "single": True, "item": "text"},
    "mailbox_intro": {"alias": "信箱说明", "default": ""},
    "screen": {"alias": "大屏", "type": "any"},
    "ticker": {"alias": "滚动字幕", "type": "list", "single": True, "item": "text"},
    "chromium": {"alias": "浏览器路径", "default": ""},
    # HTML in articles is cleaned (build/rawhtml.py) unless the site trusts it
    "raw_html": {"alias": "保留网页代码", "type": "boolean", "default": False},
    # photos are published resized and without EXIF/GPS (photos/); their
    # source files (as the phone made them) only if the site asks for it
    "publish_originals": {"alias": "发布原图", "type": "boolean", "default": False},
    # where the site is published (http://10.2.3.4/dangzhibu/): the screen's
    # slides and the printed posters and cards carry QR codes of their pages
    "base_url": {"alias": ["发布网址", "网址"], "default": ""},
}
# The file is written with the English names: they are the labels messages use.
SITE = declare(CONFIG_FILE, {"unknown": "warn", "fields": {
    name: {"label": name, **spec} for name, spec in SITE_KEYS.items()}})


def load_config(site_dir: Path, report: Report, documents: Documents | None = None) -> SiteConfig | None:
    """Read and check site.yaml; problems go to ``report``.  ``documents``:
    the YAML files earlier builds parsed."""
    path = site_dir / CONFIG_FILE
    try:
        text = read_text(path, CONFIG_FILE)
        raw, positions = (documents or Documents()).load(text, CONFIG_FILE)
    except BoardError as err:
        report.add(err)
        return None
    doc = Document(CONFIG_FILE, text, positions, SITE, report)
    values = check(doc, {} if raw is None else raw, Context())
    values["base_url"] = _base_url(doc, values["base_url"])
    if report.has_errors():
        return None
    sections = tuple(SectionConfig(section["id"], section["title"] or section["id"],
                                   positions.of(doc.written(("sections", i)))[0])
                     for i, section in enumerate(values.pop("sections")))
    lists = {key: tuple(values.pop(key)) for key in ("honor_titles", "ticker")}
    return SiteConfig(site_dir=site_dir, positions=positions, sections=sections, **lists, **values)


def _base_url(doc: Document, text: str) -> str:
    """site.yaml's ``base_url`` as an address pages are found under ("" when
    not given); one that is not an absolute http(s) address is reported at its line."""
    if not text:
        return ""
    try:
        return normalise_base_url(text)
    except ValueError as problem:
        doc.error(("base_url",), str(problem),
                  "写成网站发布后在手机浏览器里打开的地址，例如 base_url: http://10.2.3.4/dangzhibu/")
        return ""
