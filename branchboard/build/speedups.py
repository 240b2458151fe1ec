"""The speed-ups that reach into Python-Markdown's and Jinja's internals, all here.

Markdown (with markup.py, which also leaves out the extensions a text cannot
use, through Markdown's public API):

* ``LeanTocExtension``: the toc extension, making the contents of plain
  headings itself instead of serializing each heading;
* ``remember_block_levels``: Markdown's ``is_block_level`` answered once a tag;
* ``InlinePatterns``: a text's run of inline patterns, less those that cannot
  match it, as a plain list.

Jinja:

* ``TreeReusingEnvironment``: compiles a template from the tree the renderer
  already parsed to find its dependencies (``keep_parsed``).

Each gives the same output as the library alone; the equality tests
(tests/test_markdown.py, tests/test_speedups.py) say so for the releases in
``TESTED``.  With another release installed, or with ``BRANCHBOARD_PLAIN=1``
in the environment, branchboard uses plain Markdown (every extension, its
own toc) and plain Jinja: the same pages, made more slowly.  The choice is
made once per process (``CHOSEN``); the converted-body cache's key says
whether Markdown's speed-ups were on.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Mapping

import jinja2
import markdown
from jinja2 import nodes
from markdown.extensions.toc import TocExtension, TocTreeprocessor, nest_toc_tokens, unique

# (major, minor) of the first and last releases the equality tests
# (tests/test_markdown.py, tests/test_speedups.py) passed on, every patch
# release of them included.  To move a bound: install the new release, run
# them, and if they pass, change the range here and the cap in
# requirements.txt (README: "Upgrading Python-Markdown and Jinja").
TESTED = {
    "markdown": ((3, 7), (3, 11)),
    "jinja2": ((3, 1), (3, 1)),
}
SWITCH = "BRANCHBOARD_PLAIN"  # set to anything but "" or "0": no speed-ups


@dataclass(frozen=True)
class Speedups:
    """Which speed-ups a process uses."""

    markdown: bool
    jinja: bool


def installed_version(module) -> str:
    """The version an imported library says it is (else its package's)."""
    version = getattr(module, "__version__", None)
    if isinstance(version, str):
        return version
    import importlib.metadata  # only then: importing it costs more than the rest of this module

    return importlib.metadata.version(module.__name__)


def is_tested(library: str, version: str) -> bool:
    """Whether the equality tests passed on this release of the library."""
    first, last = TESTED[library]
    numbers = re.match(r"(\d+)\.(\d+)", version)
    return numbers is not None and first <= (int(numbers[1]), int(numbers[2])) <= last


def choose(environ: Mapping[str, str] = os.environ) -> Speedups:
    """The speed-ups to use: those for tested versions, none when switched off."""
    if environ.get(SWITCH, "") not in ("", "0"):
        return Speedups(markdown=False, jinja=False)
    return Speedups(markdown=is_tested("markdown", installed_version(markdown)),
                    jinja=is_tested("jinja2", installed_version(jinja2)))


CHOSEN = choose()


# --- Python-Markdown ---------------------------------------------------------

_NOT_PLAIN = re.compile('[&<>"\x02\x03]')  # what Markdown's serializer or postprocessors would change


class LeanToc(TocTreeprocessor):
    """Markdown's table of contents, the same ids, tokens and HTML, made
    without serializing each heading and the contents again (a sixth of a
    conversion) when every heading is plain text: no markup in it, nothing
    the serializer would escape, no placeholder, no label of its own.  Any
    other text, and any setting this does not make, takes Markdown's way."""

    def run(self, doc):
        headings = [el for el in doc.iter() if isinstance(el.tag, str) and self.header_rgx.match(el.tag)]
        if self.marker or self.title or self.use_anchors or self.use_permalinks not in (False, None) \
                or _NOT_PLAIN.search(self.toc_class) or not all(map(_is_plain_heading, headings)):
            return super().run(doc)
        used_ids = {el.attrib["id"] for el in doc.iter() if "id" in el.attrib}
        tokens = []
        for el in headings:
            self.set_level(el)
            inner = (el.text or "").strip()
            name = " ".join(inner.split())
            if "id" not in el.attrib:
                el.attrib["id"] = unique(self.slugify(name, self.sep), used_ids)
            level = int(el.tag[-1])
            if self.toc_top <= level <= self.toc_bottom:
                tokens.append({"level": level, "id": el.attrib["id"], "name": name, "html": inner,
                               "data-toc-label": ""})
        tokens = nest_toc_tokens(tokens)
        self.md.toc_tokens = tokens
        self.md.toc = f'<div class="{self.toc_class}">\n{_toc_list(tokens)}\n</div>\n'


def _is_plain_heading(el) -> bool:
    return (not len(el) and "data-toc-label" not in el.attrib
            and not _NOT_PLAIN.search(el.text or "") and not _NOT_PLAIN.search(el.attrib.get("id", "")))


def _toc_list(tokens) -> str:
    """The list of the contents as Markdown's serializer writes it."""
    if not tokens:
        return "<ul></ul>"
    items = []
    for t in tokens:
        inner = f"{_toc_list(t['children'])}\n" if t["children"] else ""
        items.append(f'<li><a href="#{t["id"]}">{t["name"]}</a>{inner}</li>\n')
    return "<ul>\n" + "".join(items) + "</ul>"


class LeanTocExtension(TocExtension):
    """The toc extension with the same settings, its contents made by LeanToc."""

    TreeProcessorClass = LeanToc


def remember_block_levels(md: markdown.Markdown) -> None:
    """Markdown's is_block_level, answered once for each tag: it looks a tag
    up in a list of some sixty names, for most elements several times over
    (a twentieth of a conversion).  The list is final once the instance is
    made with its extensions."""
    is_block_level = md.is_block_level
    answers: dict = {}

    def remembered(tag) -> bool:
        answer = answers.get(tag)
        if answer is None:
            answer = answers[tag] = is_block_level(tag)
        return answer

    md.is_block_level = remembered


# Inline patterns are tried at every position of every run of text: one that
# needs what the text does not have (any of the strings given) is left out.
# (Markdown's own patterns by the names they are registered under; any other
# pattern is always tried.)  A reference link shows only when its text
# defines the reference ("[id]: ..."): without a definition the four
# reference patterns find nothing they may replace.  A hard line break is two
# spaces at the end of a line, or a tab that Markdown turns into spaces.
_PATTERN_NEEDS = {
    "backtick": ("`",), "escape": ("\\",), "html": ("<",), "autolink": ("<",), "automail": ("<",),
    "entity": ("&",), "link": ("[",), "image_link": ("![",), "footnote": ("[^",),
    **{name: ("]:",) for name in ("reference", "image_reference", "short_reference", "short_image_ref")},
    "linebreak": ("  \n", "  \r", "\t"),
    # emphasis: one pattern for both marks in newer Markdown, two in older
    "em_strong": ("*", "_"), "em_strong2": ("_",), "not_strong": ("*", "_"),
}


class InlinePatterns:
    """Sets the inline patterns a Markdown instance tries on a text: its own
    in their order, less those that cannot match the text; a plain list,
    also spared the registry's lookup by position on every try.  The lists
    are kept for each instance and set of missing characters."""

    def __init__(self):
        self.lists: dict[tuple, list] = {}  # (instance, characters missing) -> its inline patterns

    def use_for(self, md: markdown.Markdown, text: str) -> None:
        missing = tuple(name for name, needs in _PATTERN_NEEDS.items() if not any(n in text for n in needs))
        key = (id(md), missing)
        patterns = self.lists.get(key)
        if patterns is None:
            registry = md.inlinePatterns
            left_out = {id(registry[name]) for name in missing if name in registry}
            patterns = self.lists[key] = [pattern for pattern in registry if id(pattern) not in left_out]
        md.treeprocessors["inline"].inlinePatterns = patterns


# --- Jinja -------------------------------------------------------------------

class TreeReusingEnvironment(jinja2.Environment):
    """An environment that compiles a template from the tree the renderer
    parsed to find what the template uses (``keep_parsed``), instead of
    parsing its source a second time: a cold build compiles every template."""

    def __init__(self, **options):
        super().__init__(**options)
        self.parsed: dict[tuple[str, str], nodes.Template] = {}  # (name, source) -> its tree, until compiled

    def compile(self, source, name=None, filename=None, raw=False, defer_init=False):
        if isinstance(source, str):
            source = self.parsed.pop((name, source), source)
        return super().compile(source, name, filename, raw, defer_init)


def environment_class(speedups: bool) -> type[jinja2.Environment]:
    return TreeReusingEnvironment if speedups else jinja2.Environment


def keep_parsed(env: jinja2.Environment, name: str, source: str, tree: nodes.Template) -> None:
    """Give the environment a template's parsed tree to compile it from
    (a plain environment has no use for it)."""
    if isinstance(env, TreeReusingEnvironment):
        env.parsed[(name, source)] = tree
