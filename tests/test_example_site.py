"""The repo's own example board builds cleanly and every link in it resolves."""

from __future__ import annotations

import posixpath
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup

from conftest import BUILD_PY, PROJECT

LINK_ATTRS = {"a": "href", "link": "href", "img": "src", "script": "src", "source": "src",
              "iframe": "src", "video": "src", "audio": "src", "image": "href", "use": "href"}


def test_the_example_checks_without_warnings():
    proc = subprocess.run([sys.executable, str(BUILD_PY), "check", "--site", str(PROJECT), "--now", "2026-11-25"],
                          capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "警告" not in proc.stderr, proc.stderr


def all_urls(out: Path):
    for page in sorted(out.rglob("*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        rel = page.relative_to(out).as_posix()
        for tag, attr in LINK_ATTRS.items():
            for el in soup.find_all(tag):
                value = el.get(attr) or el.get("xlink:href")
                if value:
                    yield rel, tag, value
        for el in soup.find_all(srcset=True):
            for part in el["srcset"].split(","):
                yield rel, "srcset", part.split()[0]
        for el in soup.find_all(style=True):
            if "url(" in el["style"]:
                yield rel, "style", el["style"]


def test_example_has_enough_articles_in_every_section(example):
    soup = BeautifulSoup((example / "index.html").read_text(encoding="utf-8"), "html.parser")
    sections = [a.get_text() for a in soup.select(".home-section h2 a")]
    assert sections == ["支部动态", "通知公告", "学习园地", "经验交流"]
    articles = [p for p in example.glob("*/*.html") if not p.name.startswith(("index", "page"))
                and p.parent.name not in ("tags", "board", "screen", "print")]
    assert len(articles) >= 12


def test_every_link_in_the_example_resolves_to_a_file_and_none_is_external(example):
    checked = 0
    for page, tag, url in all_urls(example):
        parts = urlsplit(url)
        if tag == "a" and parts.scheme in ("http", "https", "mailto", "tel"):
            continue  # a link the reader may follow; nothing is fetched
        assert not parts.scheme and not url.startswith("//"), f"{page}: external {tag} {url}"
        assert not url.startswith("/"), f"{page}: absolute URL {url}"
        if tag == "style":
            continue
        if not parts.path:
            continue  # an anchor within the page
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(parts.path)))
        assert not target.startswith(".."), f"{page}: {url} leaves the site"
        assert (example / target).is_file(), f"{page}: {url} -> {target} does not exist"
        checked += 1
    assert checked > 100


def test_no_page_links_to_a_bare_folder(example):
    for page, tag, url in all_urls(example):
        path = urlsplit(url).path
        if tag == "a" and path:
            assert not path.endswith("/") and path not in (".", ".."), f"{page}: {url}"


def test_every_page_declares_chinese(example):
    for page in example.rglob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        assert soup.html.get("lang") == "zh-CN", page
