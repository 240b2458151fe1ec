"""One writer at a time: a lock file under the site's cache folder.

Two builds of one site at once would write one output folder and one cache
from two processes; two `new` commands at once would each append to the
same data file from what it held before the other wrote.  Each takes a
lock first.  The lock is the operating system's (flock, or a locked byte
on Windows) on a file in ``.cache/branchboard/``: a process that dies,
however it dies, lets go of it, so no lock is ever left behind.  A site
whose folder cannot be written (a read-only copy) is built without one.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable

LOCK_FOLDER = ".cache/branchboard"
POLL_SECONDS = 0.1


class Busy(Exception):
    """Another process held the lock for longer than we waited."""


class site_lock:  # noqa: N801 - used as a function: `with site_lock(site, "build"):`
    """Hold the site's lock called ``name`` while the block runs.  When it is
    taken, ``on_wait`` is called once and we wait up to ``wait`` seconds for
    it, then raise Busy.  (A class, not a generator: an exception raised in
    the block passes through untouched, the secretary's BoardError too.)"""

    def __init__(self, site_dir: Path, name: str, wait: float = 600.0,
                 on_wait: Callable[[], None] | None = None):
        self.path = site_dir / LOCK_FOLDER / f"{name}.lock"
        self.wait, self.on_wait = wait, on_wait
        self._fd: int | None = None

    def __enter__(self) -> "site_lock":
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:  # a read-only site: nothing else can write it either
            return self
        try:
            if not _try_lock(fd):
                if self.on_wait is not None:
                    self.on_wait()
                deadline = time.monotonic() + self.wait
                while not _try_lock(fd):
                    if time.monotonic() > deadline:
                        raise Busy(self.path.stem)
                    time.sleep(POLL_SECONDS)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self._fd is not None:
            try:
                _unlock(self._fd)
            finally:
                os.close(self._fd)
                self._fd = None


if os.name == "nt":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
