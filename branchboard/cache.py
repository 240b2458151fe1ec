"""The persistent build cache: under the site in .cache/, ignored by git, safe to delete.

It holds what is costly to make again and cheap to check: converted Markdown
bodies (see bodies.py), the key of every page written last time (see
pages.py), and the fingerprint of the last build's inputs.  Anything that
cannot be read back (an older branchboard, a damaged file) is ignored and the
build simply does the work.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__


def _code_digest() -> str:
    """branchboard's own code: a changed engine means a changed output."""
    h = hashlib.sha256(__version__.encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        h.update(path.read_bytes())
    return h.hexdigest()


CODE_DIGEST = _code_digest()
CACHE_DIR = ".cache/branchboard"
STATE_FILE = "state.pickle"
BIG_FILE = "sources.pickle"
FORMAT = f"branchboard-cache {CODE_DIGEST}"


@dataclass
class BuildCache:
    """State kept between builds; serve keeps one in memory across rebuilds.

    The small state (what the last build was made from and wrote) and the
    large one (converted bodies) live in two files, so that a build with
    nothing to do reads only the small one.
    """

    site_dir: Path | None = None
    page_keys: dict = field(default_factory=dict)  # output path -> key of what it was made from
    copy_paths: list = field(default_factory=list)  # files copied as they are, last time
    fingerprint: str = ""  # inputs of the last build that was written
    out: str = ""  # where that build was written
    valid_until: object = None  # a moment that changes what is visible, or None
    build_id: str = ""
    warnings: list = field(default_factory=list)  # shown again when nothing had to be done
    templates: dict = field(default_factory=dict)  # what each template uses, for one theme digest
    stats: dict = field(default_factory=dict)  # file -> (mtime_ns, size, sha256): read only what changed
    used_bodies: set = field(default_factory=set, repr=False)  # bodies the last build used
    _big: dict | None = None
    _live: dict = field(default_factory=dict)  # what a long-running process keeps between builds; never saved

    def _store(self) -> dict:
        """The large part, read from disk on first use."""
        if self._big is None:
            stored = _read(self.site_dir, BIG_FILE) if self.site_dir else None
            self._big = stored if isinstance(stored, dict) else {}
            for name in ("bodies", "sources", "data"):
                self._big.setdefault(name, {})
        return self._big

    @property
    def bodies(self) -> dict:
        """(body key, source, url) -> Body."""
        return self._store()["bodies"]

    @property
    def sources(self) -> dict:
        """content rel -> (file digest, Source, problems)."""
        return self._store()["sources"]

    @property
    def data(self) -> dict:
        """digest of the data, schemas and articles -> (data, problems); one entry."""
        return self._store()["data"]

    def live(self, name: str, make):
        """An in-memory helper kept across the builds of one process."""
        if name not in self._live:
            self._live[name] = make()
        return self._live[name]

    def kept(self, name: str):
        """An in-memory helper if some caller made one, else None."""
        return self._live.get(name)

    @classmethod
    def load(cls, site_dir: Path) -> "BuildCache":
        state = _read(site_dir, STATE_FILE)
        if isinstance(state, dict):
            try:
                return cls(site_dir=site_dir, **state)
            except TypeError:
                pass
        return cls(site_dir=site_dir)

    def save(self, site_dir: Path, used_bodies: set) -> None:
        """Write atomically, keeping only the bodies this build used."""
        big = self._store()
        big["bodies"] = {k: v for k, v in big["bodies"].items() if k in used_bodies}
        state = {k: v for k, v in vars(self).items()
                 if not k.startswith("_") and k not in ("site_dir", "used_bodies")}
        _write(site_dir, STATE_FILE, state)
        _write(site_dir, BIG_FILE, big)


def _read(site_dir: Path, name: str):
    try:
        with open(site_dir / CACHE_DIR / name, "rb") as fh:
            stored = pickle.load(fh)
        return stored["value"] if stored.get("format") == FORMAT else None
    except Exception:  # a damaged or old cache is only a slower build
        return None


def _write(site_dir: Path, name: str, value) -> None:
    folder = site_dir / CACHE_DIR
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f"{name}.{os.getpid()}.tmp"
        with open(tmp, "wb") as fh:
            pickle.dump({"format": FORMAT, "value": value}, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, folder / name)
    except OSError:
        pass  # a read-only site still builds; the next build is just slower
