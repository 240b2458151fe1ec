"""Derived images kept in the build cache, ``.cache/branchboard/photos/``.

Each file made is stored under the digest of its bytes (``<sha256>.jpg``);
each source and use has a small sealed record (``<key>.set``) naming its
files and the source's size, where the key is the digest of the source's
bytes, the use's name and boxes and the code's parameters (derive.PARAMS).  A record is trusted
only when every file it names is there and its bytes still have the digest
of its name: a damaged or missing file is made again.  Files are written
to a temporary name and renamed.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import NamedTuple

from branchboard.build.cache import CACHE_DIR, seal, unseal_from
from branchboard.photos.derive import PARAMS, Derived, Use

PHOTOS_DIR = "photos"
RECORD = ".set"


class StoredSet(NamedTuple):
    """A use's files of one source, and the source's size (upright)."""

    size: tuple[int, int]
    files: list["StoredFile"]


class StoredFile(NamedTuple):
    """One derived file in the cache."""

    width: int
    height: int
    name: str  # <sha256 of its bytes><suffix>, in the photos folder

    @property
    def digest(self) -> str:
        return self.name.split(".", 1)[0]


def folder(site_dir: Path) -> Path:
    return site_dir / CACHE_DIR / PHOTOS_DIR


def set_key(source_digest: str, use: Use) -> str:
    """What decides a use's files: the source's bytes, the use and the code."""
    return hashlib.sha256(f"{source_digest}\0{use.name}\0{use.boxes}\0{PARAMS}".encode("utf-8")).hexdigest()


def stored_name(derived: Derived) -> str:
    return derived.digest + derived.suffix


def read_set(where: Path, key: str, checked: dict | None = None) -> StoredSet | None:
    """A use's set, if its record and every file it names are whole.
    ``checked`` (a long-running process's: key -> (stats, StoredSet)) spares
    reading the files again while none of them changed on disk."""
    if checked is not None and key in checked:
        stats, found = checked.pop(key)
        if _stats(where, key, found) == stats:
            checked[key] = (stats, found)
            return found
    found = _read_set(where, key)
    if checked is not None and found is not None:
        remember(where, key, found, checked)
    return found


def remember(where: Path, key: str, found: StoredSet, checked: dict) -> None:
    """Keep a set just read or written as checked, while its files stay as they are."""
    stats = _stats(where, key, found)
    if stats is not None:
        checked[key] = (stats, found)


def _stats(where: Path, key: str, found: StoredSet) -> tuple | None:
    try:
        return tuple((s.st_mtime_ns, s.st_size, s.st_ino) for s in
                     (os.stat(where / name) for name in (f"{key}{RECORD}", *(f.name for f in found.files))))
    except OSError:
        return None


def _read_set(where: Path, key: str) -> StoredSet | None:
    try:
        with open(where / f"{key}{RECORD}", "rb") as fh:
            payload = unseal_from(fh)
        size, files = pickle.loads(payload) if payload is not None else (None, None)
        if not files:
            return None
        found = StoredSet(tuple(size), [StoredFile(*f) for f in files])
        for f in found.files:
            if hashlib.sha256((where / f.name).read_bytes()).hexdigest() != f.digest:
                return None
        return found
    except Exception:  # missing, cut short or damaged: made again
        return None


def write_set(where: Path, key: str, size: tuple[int, int], derived: list[Derived]) -> StoredSet:
    """Store the files, then their record.  A file that cannot be written
    (a full disk, a read-only site) only costs making it again next time."""
    made = StoredSet(size, [StoredFile(d.width, d.height, stored_name(d)) for d in derived])
    try:
        where.mkdir(parents=True, exist_ok=True)
        for d, f in zip(derived, made.files):
            _write_atomically(where / f.name, d.data)
        record = (tuple(size), [tuple(f) for f in made.files])
        _write_atomically(where / f"{key}{RECORD}", seal(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)))
    except OSError:
        pass
    return made


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def prune(where: Path, keep: set[str]) -> None:
    """Remove what no set of this build names (photos changed or gone)."""
    try:
        names = os.listdir(where)
    except OSError:
        return
    for name in names:
        if name not in keep:
            try:
                os.unlink(where / name)
            except OSError:
                pass
