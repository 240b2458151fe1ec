"""Derived images kept in the build cache, ``.cache/branchboard/photos/``.

Each file made is stored under the digest of its bytes (``<sha256>.jpg``);
each source and use has a small sealed record (``<key>.set``) naming its
files, where the key is the digest of the source's bytes, the use's name
and widths and the code's parameters (derive.PARAMS).  A record is trusted
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
    return hashlib.sha256(f"{source_digest}\0{use.name}\0{use.widths}\0{PARAMS}".encode("utf-8")).hexdigest()


def stored_name(derived: Derived) -> str:
    return derived.digest + derived.suffix


def read_set(where: Path, key: str) -> list[StoredFile] | None:
    """The files of a set, if its record and every file it names are whole."""
    try:
        with open(where / f"{key}{RECORD}", "rb") as fh:
            payload = unseal_from(fh)
        files = pickle.loads(payload) if payload is not None else None
        if not isinstance(files, list) or not files:
            return None
        files = [StoredFile(*f) for f in files]
        for f in files:
            if hashlib.sha256((where / f.name).read_bytes()).hexdigest() != f.digest:
                return None
        return files
    except Exception:  # missing, cut short or damaged: made again
        return None


def write_set(where: Path, key: str, derived: list[Derived]) -> list[StoredFile]:
    """Store the files, then their record.  A file that cannot be written
    (a full disk, a read-only site) only costs making it again next time."""
    files = [StoredFile(d.width, d.height, stored_name(d)) for d in derived]
    try:
        where.mkdir(parents=True, exist_ok=True)
        for d, f in zip(derived, files):
            _write_atomically(where / f.name, d.data)
        _write_atomically(where / f"{key}{RECORD}",
                          seal(pickle.dumps([tuple(f) for f in files], protocol=pickle.HIGHEST_PROTOCOL)))
    except OSError:
        pass
    return files


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
