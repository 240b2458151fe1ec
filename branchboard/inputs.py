"""What a build reads: every input file, its digest, and one fingerprint of all.

A build walks the site's folders and the theme's and stats every file; a
file is read and hashed again only when its size or modification time
changed.  The dev server knows from its watcher which files changed: it hands
their names to :class:`SiteFiles`, and its next build looks at those files
only, instead of walking and statting everything again.  A name it cannot
place (a folder, a theme file) makes that build walk everything as usual.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

from .cache import CODE_DIGEST
from .content import CONTENT_DIR, native_path, walk_files

SITE_FOLDERS = ("content", "data", "schemas")


@dataclass
class Inputs:
    """What the files a build reads add up to, and their digests."""

    fingerprint: str  # of every file, the code, the output folder, drafts and the day
    content: dict  # files under content/, relative to it -> sha256
    others: dict  # file path -> sha256 of every input not under content/ (data, schemas, themes): few


class SiteFiles:
    """The site's files as the last walk found them, and the names changed since.

    A change the watcher never reported (its queue can overflow) is not lost
    for long: a build more than ``max_age`` seconds after the last walk walks
    and stats everything again."""

    def __init__(self, max_age: float = 60.0):
        self._roots: list | None = None  # (root, name, path) of every input, sorted
        self._theme_dirs: tuple = ()
        self._changed: set[str] = set()
        self._walked = 0.0
        self.max_age = max_age

    def changed(self, names) -> None:
        """Names relative to the site (as the watcher gives them) changed."""
        self._changed |= set(names)

    def roots(self, site_dir: Path, theme_dirs: tuple) -> tuple[list, set | None]:
        """Every input file, and the paths that may have changed (None: all)."""
        names, self._changed = self._changed, set()
        recent = time.monotonic() - self._walked < self.max_age
        if self._roots is not None and theme_dirs == self._theme_dirs and recent:
            updated = _apply(self._roots, site_dir, names)
            if updated is not None:
                self._roots = updated
                return updated, {native_path(site_dir, n) for n in names}
        self._roots, self._theme_dirs = walk_inputs(site_dir, theme_dirs), theme_dirs
        self._walked = time.monotonic()
        return self._roots, None


def _apply(roots: list, site_dir: Path, names: set[str]) -> list | None:
    """``roots`` with the changed names added or dropped; None when a name is
    not a plain file of the site's (a folder, a theme file): walk again."""
    site = str(site_dir)
    known = {entry[1]: entry for entry in roots if entry[0] == site}
    added = False
    for name in names:
        top = name.split("/", 1)[0]
        if not (name == "site.yaml" or (top in SITE_FOLDERS and "/" in name)):
            return None
        path = native_path(site_dir, name)
        if os.path.isdir(path) or any(k.startswith(f"{name}/") for k in known):
            return None  # a folder appeared or went: its files are not named one by one
        if os.path.isfile(path):
            if name not in known:
                known[name] = (site, name, path)
                added = True
        elif name in known:
            del known[name]
            added = True
    if not added:
        return roots
    others = [entry for entry in roots if entry[0] != site]
    return sorted(others + list(known.values()))


def walk_inputs(site_dir: Path, theme_dirs) -> list:
    roots = [(str(site_dir), "site.yaml", native_path(site_dir, "site.yaml"))]
    for name in SITE_FOLDERS:
        folder = site_dir / name
        roots += [(str(site_dir), f"{name}/{rel}", native_path(folder, rel))
                  for rel in walk_files(folder, ordered=False)]
    for theme_dir in theme_dirs:
        roots += [(str(theme_dir), rel, native_path(theme_dir, rel))
                  for rel in walk_files(theme_dir, skip_ignored=False, ordered=False)]
    return sorted(roots)  # the order _apply keeps too


def file_digest(path: str, stats: dict) -> str:
    """sha256 of a file, read again only when its size or modification time changed."""
    try:
        st = os.stat(path)
        seen = stats.get(path)
        if seen and seen[0] == st.st_mtime_ns and seen[1] == st.st_size:
            return seen[2]
        with open(path, "rb") as fh:
            value = hashlib.sha256(fh.read()).hexdigest()
    except OSError:  # vanished while we looked: the reader reports it
        return ""
    stats[path] = (st.st_mtime_ns, st.st_size, value)
    return value


def read_inputs(site_dir: Path, theme_dirs, out: Path, drafts: bool, now: dt.datetime,
                stats: dict, files: SiteFiles | None = None) -> Inputs:
    """Everything a build reads, and the day it decides visibility for.

    ``stats`` (path -> (mtime, size, digest)) is updated in place.  With
    ``files``, only the files named as changed since the last build are
    looked at, when it can tell."""
    if files is not None:
        roots, maybe_changed = files.roots(site_dir, tuple(theme_dirs))
    else:
        roots, maybe_changed = walk_inputs(site_dir, theme_dirs), None
    digests = {}
    for root, rel, path in roots:
        seen = stats.get(path) if maybe_changed is not None and path not in maybe_changed else None
        digests[path] = seen[2] if seen else file_digest(path, stats)
    h = hashlib.sha256(f"{CODE_DIGEST}\0{out.resolve()}\0{drafts}\0{now.date()}\0".encode())
    h.update("".join(f"{root}\0{rel}\0{digests[path]}\0" for root, rel, path in roots).encode())
    for gone in set(stats) - set(digests):
        del stats[gone]
    site, prefix = str(site_dir), f"{CONTENT_DIR}/"
    content, others = {}, {}
    for root, rel, path in roots:
        if root == site and rel.startswith(prefix):
            content[rel[len(prefix):]] = digests[path]
        else:
            others[path] = digests[path]
    return Inputs(h.hexdigest(), content, others)
