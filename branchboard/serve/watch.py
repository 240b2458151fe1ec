"""Watching the site's files for `serve`, and the one thread that rebuilds.

:class:`Watcher` reports changed paths under site.yaml, content/, data/,
schemas/ and the theme folders, leaving out editors' temporary and swap files
(``content.is_ignored``) and the output folder.  :class:`BuildLoop` gathers
those reports and runs one build once the files have been quiet for a moment,
so an editor's save that touches several files builds once; a change that
arrives during a build is kept for the next one, and two builds never run at
the same time.

The moment is short when every changed file is known to be complete: closed
after writing, renamed into place or deleted.  A file still open for writing
(written but not yet closed) makes the loop wait for the usual quiet.
Once the saves have stopped for a while, the loop calls ``idle`` (serve
collects garbage then, when no page is waiting for it).
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Callable, Iterable

from watchdog.events import (DirCreatedEvent, DirDeletedEvent, DirMovedEvent, FileClosedEvent,
                             FileCreatedEvent, FileDeletedEvent, FileModifiedEvent,
                             FileMovedEvent, FileSystemEvent, FileSystemEventHandler)
from watchdog.observers import Observer

from branchboard.site.content import is_ignored

SITE_FILES = ("site.yaml",)
SITE_FOLDERS = ("content", "data", "schemas", "themes")
# Only writes, creations, deletions and renames: reading files (as the build
# does) must never look like a change.
EVENTS = [FileCreatedEvent, FileDeletedEvent, FileModifiedEvent, FileMovedEvent, FileClosedEvent,
          DirCreatedEvent, DirDeletedEvent, DirMovedEvent]


# a file is complete after these; after any other event it may still be being written
COMPLETE = {"closed", "moved", "deleted"}


class Watcher:
    """Calls ``on_change(names, complete)`` with the site-relative names of
    changed files and whether they are complete (see COMPLETE)."""

    def __init__(self, site_dir: Path, out_dir: Path, theme_dirs: Iterable[Path],
                 on_change: Callable[[set[str], bool], None]):
        self.site_dir = site_dir.resolve()
        self.out_dir = out_dir.resolve()
        self.theme_dirs = [d.resolve() for d in theme_dirs]
        self.on_change = on_change
        self._observer = Observer()
        self._handler = _Handler(self)
        self._watches: dict[Path, tuple[object, tuple[int, int]]] = {}
        self._lock = threading.Lock()

    def start(self) -> None:
        self.refresh()
        self._observer.start()

    def stop(self) -> None:
        self._observer.stop()
        if self._observer.is_alive():
            self._observer.join(timeout=5)

    def roots(self) -> list[tuple[Path, bool]]:
        """The folders to watch and whether to watch below them."""
        wanted = [(self.site_dir, False)]  # site.yaml, and folders appearing or renamed
        wanted += [(self.site_dir / name, True) for name in SITE_FOLDERS]
        wanted += [(d, True) for d in self.theme_dirs if not _is_within(d, self.site_dir)]
        return wanted

    def refresh(self) -> None:
        """Watch the folders that exist now: one created, renamed or replaced
        since the last call gets a new watch, one that vanished loses its watch."""
        with self._lock:
            for root, recursive in self.roots():
                identity = _identity(root)
                old = self._watches.get(root)
                if old is not None and old[1] == identity:
                    continue
                if old is not None:
                    self._unschedule(old[0])
                    del self._watches[root]
                if identity is not None:
                    watch = self._observer.schedule(self._handler, str(root), recursive=recursive,
                                                    event_filter=EVENTS)
                    self._watches[root] = (watch, identity)

    def _unschedule(self, watch) -> None:
        try:
            self._observer.unschedule(watch)
        except (KeyError, OSError):
            pass  # its folder is already gone

    def name_of(self, path: str) -> str | None:
        """A changed path as the site names it, or None when it does not matter."""
        target = Path(os.path.abspath(path))
        if _is_within(target, self.out_dir):
            return None
        for base, is_theme in [(self.site_dir, False)] + [(d, True) for d in self.theme_dirs]:
            if not _is_within(target, base):
                continue
            parts = target.relative_to(base).parts
            if not parts or any(is_ignored(p) for p in parts):
                return None
            if is_theme:
                return "/".join(("themes", *parts))
            if parts[0] in SITE_FILES or parts[0] in SITE_FOLDERS:
                return "/".join(parts)
        return None


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: Watcher):
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory and event.event_type == "modified":
            return  # a folder's time changes whenever a file in it (even a swap file) does
        paths = [event.src_path, getattr(event, "dest_path", "")]
        names = {self.watcher.name_of(os.fsdecode(p)) for p in paths if p}
        names.discard(None)
        if names:
            complete = not event.is_directory and event.event_type in COMPLETE
            self.watcher.on_change(names, complete)


def _identity(folder: Path) -> tuple[int, int] | None:
    try:
        stat = folder.stat()
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino) if folder.is_dir() else None


def _is_within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


class BuildLoop:
    """One build thread: debounced, never two builds at once, nothing lost."""

    def __init__(self, run_build: Callable[[list[str]], None], quiet: float = 0.03,
                 longest_wait: float = 2.0, settled: float = 0.005,
                 idle: Callable[[], object] | None = None, idle_after: float = 1.0):
        self.run_build = run_build
        self.idle = idle  # called once after builds, when no change has come for idle_after
        self.idle_after = idle_after
        self._idle_owed = idle is not None
        self.quiet = quiet  # build once the files have been still this long
        self.settled = settled  # ... or this long when every changed file is complete
        self.longest_wait = longest_wait  # ... or when changes keep coming this long
        self._cond = threading.Condition()
        self._pending: set[str] = set()
        self._writing: set[str] = set()  # changed, and not known to be complete
        self._last_change = 0.0
        self._stopping = False
        self._thread = threading.Thread(target=self._loop, name="branchboard-build", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 30) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def changed(self, names: Iterable[str], complete: bool = False) -> None:
        with self._cond:
            names = set(names)
            self._pending |= names
            if complete:
                self._writing -= names
            else:
                self._writing |= names
            self._last_change = time.monotonic()
            self._cond.notify_all()

    def _loop(self) -> None:
        while True:
            names = self._next_batch()
            if names is None:
                return
            if names:
                self.run_build(names)
                self._idle_owed = self.idle is not None
            else:
                self._idle_owed = False
                self.idle()

    def _next_batch(self) -> list[str] | None:
        """Wait for changes, then for quiet; the changed names, an empty list
        when the loop has been idle long enough to call ``idle``, or None to stop."""
        with self._cond:
            if not self._cond.wait_for(lambda: self._pending or self._stopping,
                                       self.idle_after if self._idle_owed else None):
                return []
            first = time.monotonic()
            while not self._stopping:
                now = time.monotonic()
                still = self._last_change + (self.quiet if self._writing else self.settled) - now
                if still <= 0 or now - first >= self.longest_wait:
                    break
                self._cond.wait(min(still, first + self.longest_wait - now))
            if self._stopping:
                return None
            names, self._pending, self._writing = sorted(self._pending), set(), set()
            return names
