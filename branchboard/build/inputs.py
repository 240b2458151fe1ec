"""What a build reads: every input file, its digest, and one fingerprint of all.

A build walks the site's folders and the theme's and stats every file; a
file is read and hashed again only when its size or modification time
changed.  The dev server knows from its watcher which files changed: it hands
their names to :class:`SiteFiles`, and its next build looks at those files
only, instead of walking and statting everything again, and updates the
digests and the fingerprint's text of the build before instead of making
them again.  A name it cannot place (a folder, a theme file) makes that
build walk everything as usual.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from branchboard.build.cache import CODE_DIGEST
from branchboard.site.content import CONTENT_DIR, link_problem, native_path, walk_files

if TYPE_CHECKING:
    from branchboard.build.context import BuildContext

SITE_FOLDERS = ("content", "data", "schemas")


class InputFile(NamedTuple):
    """A file a build reads."""

    root: str  # the site's folder or a theme's
    rel: str  # its name under root, with /
    path: str  # its path on this system


class FileStat(NamedTuple):
    """What the cache remembers of a file, to read it again only when it changed."""

    mtime_ns: int
    size: int
    digest: str  # sha256 of its bytes


@dataclass
class Inputs:
    """What the files a build reads add up to, and their digests."""

    fingerprint: str  # of every file, the code, the output folder, drafts and the day
    content: dict  # files under content/, relative to it -> sha256
    others: dict  # file path -> sha256 of every input not under content/ (data, schemas, themes): few
    refused: list  # (path, problem) of links that lead outside the site, nowhere or in a loop


class SiteFiles:
    """The site's files as the last walk found them, and the names changed since.

    A change the watcher never reported (its queue can overflow) is not lost
    for long: a build more than ``max_age`` seconds after the last walk walks
    and stats everything again."""

    def __init__(self, max_age: float = 60.0):
        self._roots: list[InputFile] | None = None  # every input, sorted
        self.refused: list = []  # links the last walk did not follow (see walk_inputs)
        self._theme_dirs: tuple = ()
        self._site = ""
        self._known: dict[str, InputFile] = {}  # name -> its entry in _roots, of the site's own files
        self._folders: set[str] = set()  # the folders those lie in, and the folders above them
        self._changed: set[str] = set()
        self._walked = 0.0
        self.max_age = max_age
        self.last: _Reading | None = None  # what read_inputs made of ``_roots`` last time

    def changed(self, names) -> None:
        """Names relative to the site (as the watcher gives them) changed."""
        self._changed |= set(names)

    def roots(self, site_dir: Path, theme_dirs: tuple) -> tuple[list, set | None]:
        """Every input file, and the paths that may have changed (None: all).
        The list stays the same object while no file came or went."""
        names, self._changed = self._changed, set()
        recent = time.monotonic() - self._walked < self.max_age
        if (self._roots is not None and theme_dirs == self._theme_dirs and str(site_dir) == self._site
                and recent and self._apply(site_dir, names)):
            return self._roots, {native_path(site_dir, n) for n in names}
        (self._roots, self.refused), self._theme_dirs = walk_inputs(site_dir, theme_dirs), theme_dirs
        self._walked = time.monotonic()
        self._site = str(site_dir)
        self._known = {entry.rel: entry for entry in self._roots if entry.root == self._site}
        self._folders = set()
        for name in self._known:
            self._add_folders(name)
        return self._roots, None

    def _add_folders(self, name: str) -> None:
        folder = name.rpartition("/")[0]
        while folder and folder not in self._folders:
            self._folders.add(folder)
            folder = folder.rpartition("/")[0]

    def _apply(self, site_dir: Path, names: set[str]) -> bool:
        """Add or drop the changed names in the list; False when a name is
        not a plain file of the site's (a folder, a theme file): walk again."""
        changed = False
        for name in names:
            top = name.split("/", 1)[0]
            if not (name == "site.yaml" or (top in SITE_FOLDERS and "/" in name)):
                return False
            path = native_path(site_dir, name)
            if name in self._folders or os.path.isdir(path) or os.path.islink(path) or self.refused:
                return False  # a folder or a link appeared or went: walk (and check) everything
            if os.path.isfile(path):
                if name not in self._known:
                    self._known[name] = InputFile(self._site, name, path)
                    self._add_folders(name)
                    changed = True
            elif name in self._known:
                del self._known[name]
                changed = True
        if changed:
            others = [entry for entry in self._roots if entry.root != self._site]
            self._roots = sorted(others + list(self._known.values()))
        return True


def walk_inputs(site_dir: Path, theme_dirs) -> tuple[list[InputFile], list]:
    """Every file a build reads, and the links it will not follow: a file is
    read only from inside the site (a bundled theme, from inside itself)."""
    refused: list = []
    roots = []
    site_yaml = native_path(site_dir, "site.yaml")
    problem = link_problem(site_yaml, os.path.realpath(site_dir) + os.sep) if os.path.islink(site_yaml) else ""
    if problem:
        refused.append(("site.yaml", problem))
    else:
        roots.append(InputFile(str(site_dir), "site.yaml", site_yaml))
    for name in SITE_FOLDERS:
        folder = site_dir / name
        roots += [InputFile(str(site_dir), f"{name}/{rel}", native_path(folder, rel))
                  for rel in walk_files(folder, ordered=False, within=site_dir, refused=refused)]
    for theme_dir in theme_dirs:
        own = site_dir if theme_dir.is_relative_to(site_dir) else theme_dir
        roots += [InputFile(str(theme_dir), rel, native_path(theme_dir, rel))
                  for rel in walk_files(theme_dir, skip_ignored=False, ordered=False, within=own, refused=refused)]
    return sorted(roots), refused  # the order _apply keeps too


def file_digest(path: str, stats: dict) -> str:
    """sha256 of a file, read again only when its size or modification time changed."""
    try:
        st = os.stat(path)
        seen = stats.get(path)
        if seen and seen.mtime_ns == st.st_mtime_ns and seen.size == st.st_size:
            return seen.digest
        with open(path, "rb") as fh:
            value = hashlib.sha256(fh.read()).hexdigest()
    except OSError:  # vanished while we looked: the reader reports it
        return ""
    stats[path] = FileStat(st.st_mtime_ns, st.st_size, value)
    return value


def read_inputs(ctx: BuildContext) -> Inputs:
    """Everything a build reads, and the day it decides visibility for.

    The cache's ``stats`` (path -> FileStat) are updated in place.  When
    serve's watcher named the files that changed since the last build
    (``ctx.memo.files``), only those are looked at, when it can tell."""
    site_dir, theme_dirs, stats, files = ctx.site_dir, ctx.theme.dirs, ctx.cache.stats, ctx.memo.files
    out = ctx.out if ctx.out is not None else site_dir / "public"  # `check`: the fingerprint is never stored
    if files is not None:
        roots, maybe_changed = files.roots(site_dir, tuple(theme_dirs))
    else:
        (roots, refused), maybe_changed = walk_inputs(site_dir, theme_dirs), None
    last = files.last if files is not None else None
    if last is not None and last.roots is roots and maybe_changed is not None:
        reading = last.updated(maybe_changed, stats)  # the same files: only the named ones are looked at
    else:
        reading = _Reading.read(str(site_dir), roots, maybe_changed, stats)
    if files is not None:
        files.last = reading
    head = f"{CODE_DIGEST}\0{out.resolve()}\0{ctx.drafts}\0{ctx.now.date()}\0"
    return Inputs(hashlib.sha256((head + "".join(reading.entries)).encode()).hexdigest(),
                  reading.content, reading.others, files.refused if files is not None else refused)


class _Reading:
    """One list of input files as read: the fingerprint's text (an entry a
    file) and the digests by content rel and by path, kept by SiteFiles so
    that a build told which files changed updates these instead of making
    them again."""

    def __init__(self, site: str, roots: list, entries: list, content: dict, others: dict):
        self.site = site
        self.roots = roots
        self.entries = entries  # "root\0rel\0digest\0", in the order of roots
        self.content = content  # rel under content/ -> sha256
        self.others = others  # path -> sha256 of every other input
        self._where: dict | None = None  # path -> (index in roots, rel under content/ or None)

    @classmethod
    def read(cls, site: str, roots: list, maybe_changed: set | None, stats: dict) -> "_Reading":
        digests = {}
        for root, rel, path in roots:
            seen = stats.get(path) if maybe_changed is not None and path not in maybe_changed else None
            digests[path] = seen.digest if seen else file_digest(path, stats)
        for gone in set(stats) - set(digests):
            del stats[gone]
        prefix = f"{CONTENT_DIR}/"
        content, others = {}, {}
        for root, rel, path in roots:
            if root == site and rel.startswith(prefix):
                content[rel[len(prefix):]] = digests[path]
            else:
                others[path] = digests[path]
        entries = [f"{root}\0{rel}\0{digests[path]}\0" for root, rel, path in roots]
        return cls(site, roots, entries, content, others)

    def updated(self, paths: set, stats: dict) -> "_Reading":
        """The same files, of which ``paths`` may have changed."""
        if self._where is None:
            prefix = f"{CONTENT_DIR}/"
            self._where = {path: (i, rel[len(prefix):] if root == self.site and rel.startswith(prefix) else None)
                           for i, (root, rel, path) in enumerate(self.roots)}
        entries, content, others = list(self.entries), dict(self.content), dict(self.others)
        for path in paths:
            if path not in self._where:
                continue  # not an input (a name the watcher gave that no build reads)
            i, content_rel = self._where[path]
            value = file_digest(path, stats)
            root, rel, _path = self.roots[i]
            entries[i] = f"{root}\0{rel}\0{value}\0"
            if content_rel is not None:
                content[content_rel] = value
            else:
                others[path] = value
        updated = _Reading(self.site, self.roots, entries, content, others)
        updated._where = self._where
        return updated
