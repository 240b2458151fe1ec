"""What the editor reads of the site on nearly every request (site.yaml, the
theme, the sections, every article's fields), read again only when a file
it came from has changed.

    SiteFiles(site_dir)     one for each editor, shared by its threads
      .settings()           site.yaml and the theme chain it names, with their problems
      .sections()           section id -> title: site.yaml's, then content/'s other folders
      .content()            the files under content/ now, each with its stamp
      .sources()            every article read as the build reads it, with the problems

A file's stamp is its modification time (in nanoseconds), size and inode,
taken before the file is read: a save, a hand edit or a new file changes
it, so the very next request sees the change.  (files.save replaces a file
by renaming a new one over it, so even a save of the same size within the
clock's tick gets a new inode.)  content/ is walked on every request, which
is how a new or removed article is seen; only parsing is saved.  The
articles are kept with the build's own memo of ``read_sources``, whose
entries it replaces when a file's stamp changes.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Callable, NamedTuple

from branchboard.errors import BoardError, Report
from branchboard.site.config import CONFIG_FILE, SiteConfig, load_config
from branchboard.site.content import CONTENT_DIR, Source, native_path, read_sources, walk_files
from branchboard.site.theme import BUNDLED_THEMES, Theme, find_theme

Stamp = tuple  # (st_mtime_ns, st_size, st_ino), or None for a file that is not there


def stamp_of(path: Path | str) -> Stamp | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_mtime_ns, found.st_size, found.st_ino


class Settings(NamedTuple):
    config: SiteConfig | None  # None: site.yaml has errors
    theme: Theme | None  # None: site.yaml has errors or the theme is not found
    problems: list[BoardError]


class Content(NamedTuple):
    articles: list[str]  # the Markdown files, relative to content/
    assets: list[str]  # every other file
    stamps: dict[str, str]  # rel -> its stamp as text, for read_sources' memo


class Sources(NamedTuple):
    sources: list[Source]
    assets: list[str]
    problems: list[BoardError]


class Kept(NamedTuple):
    """A value with the stamps of the files it was made from."""

    stamps: tuple
    value: object


class SiteFiles:
    """The site's settings and articles for the editor, kept while their files stay the same."""

    def __init__(self, site_dir: Path):
        self.site_dir = Path(site_dir)
        self._lock = threading.Lock()  # one request reads at a time: read_sources changes the memo
        self._settings: Kept | None = None
        self._sections: Kept | None = None
        self._parsed: dict = {}  # read_sources' memo: content rel -> ParsedFile

    def settings(self) -> Settings:
        stamps = self._settings_stamps()
        with self._lock:
            self._settings = self._fresh(self._settings, stamps, self._read_settings)
            return self._settings.value

    def sections(self) -> dict[str, str]:
        from branchboard.scaffold.new import known_sections

        stamps = (*self._settings_stamps(), stamp_of(self.site_dir / CONTENT_DIR))  # a folder added changes it
        config = self.settings().config
        with self._lock:
            self._sections = self._fresh(self._sections, stamps,
                                         lambda: known_sections(self.site_dir, config) if config else {})
            return dict(self._sections.value)

    def content(self) -> Content:
        folder = self.site_dir / CONTENT_DIR
        articles, assets, stamps = [], [], {}
        for rel in walk_files(folder):
            (articles if rel.lower().endswith(".md") else assets).append(rel)
            if rel.lower().endswith(".md"):
                stamps[rel] = repr(stamp_of(native_path(folder, rel)))
        return Content(articles, assets, stamps)

    def sources(self) -> Sources:
        found = self.content()
        report = Report()
        with self._lock:
            sources, assets = read_sources(self.site_dir, report, self._parsed,
                                           {**found.stamps, **dict.fromkeys(found.assets, "")})
        return Sources(sources, assets, report.problems)

    # -- helpers ---------------------------------------------------------------------

    def _read_settings(self) -> Settings:
        report = Report()
        config = load_config(self.site_dir, report)
        theme = find_theme(self.site_dir, config.theme, report) if config else None
        return Settings(config, theme, report.errors)

    def _settings_stamps(self) -> tuple:
        """The stamps of site.yaml and of every place the theme chain is looked
        up in: the theme folders (a theme added or removed) and each theme.yaml."""
        paths = [self.site_dir / CONFIG_FILE]
        for base in (self.site_dir / "themes", BUNDLED_THEMES):
            paths.append(base)
            if base.is_dir():
                paths += [theme / "theme.yaml" for theme in sorted(base.iterdir())]
        return tuple((str(path), stamp_of(path)) for path in paths)

    @staticmethod
    def _fresh(kept: Kept | None, stamps: tuple, make: Callable[[], object]) -> Kept:
        return kept if kept is not None and kept.stamps == stamps else Kept(stamps, make())
