"""The persistent build cache: under the site in .cache/, ignored by git, safe to delete.

It holds what is costly to make again and cheap to check: converted Markdown
bodies (see bodies.py), the key of every page written last time (see
pages.py), and the fingerprint of the last build's inputs.  Anything that
cannot be read back (an older branchboard, a damaged file) is ignored and the
build simply does the work.

Three files (one with a journal), read as far as a build needs them:

* ``state.pickle``: what the last build was made from and wrote; a build
  with nothing to do reads only this;
* ``index.pickle``: every article's checked front matter (without its body)
  and every body's fingerprint, links and problems; the board data;
  ``index.journal`` beside it holds what later builds changed in it, so that
  a build which changed one article writes one article's entries, not the
  whole index (the journal is folded back in once it has grown);
* ``bodies.sqlite``: the HTML of each body, read one by one when a page that
  shows it is rendered.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import sqlite3
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from branchboard import __version__

if TYPE_CHECKING:
    from branchboard.build.inputs import SiteFiles
    from branchboard.build.pages import ArticlePages
    from branchboard.build.pipeline import BoardMemo
    from branchboard.build.render import PageMemory
    from branchboard.site.model import LastModel


def _code_digest() -> str:
    """branchboard's own code, every module of every subpackage: a changed
    engine means a changed output."""
    package = Path(__file__).resolve().parent.parent
    h = hashlib.sha256(__version__.encode())
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode() + b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()


CODE_DIGEST = _code_digest()
CACHE_DIR = ".cache/branchboard"
STATE_FILE = "state.pickle"
INDEX_FILE = "index.pickle"
JOURNAL_FILE = "index.journal"
SECTIONS = ("bodies", "body_checks", "sources", "articles", "data", "boards")
JOURNAL_MIN = 1 << 16  # the journal may always grow to this many bytes before it is folded in
HTML_FILE = "bodies.sqlite"
FORMAT = f"branchboard-cache {CODE_DIGEST}"


_CONNECTED: list = []  # weak references to caches with an open store


def _forget_connections() -> None:
    """In a forked child: a SQLite connection must not cross a fork, so the
    child opens its own if it needs one."""
    for ref in _CONNECTED:
        cache = ref()
        if cache is not None:
            cache._db = None
    _CONNECTED.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_connections)


def html_fingerprint(html: str, toc: str) -> str:
    """A converted body's fingerprint: the digest of its HTML and contents."""
    return hashlib.sha256(f"{html}\0{toc}".encode("utf-8")).hexdigest()[:24]


class CacheDamaged(Exception):
    """The cache promised something its files no longer hold."""


# What the cache keeps of the last build's pages.  These live here, not in
# the modules that make them: state.pickle is read by every build, also one
# with nothing to do, and unpickling a type imports its module (the page
# makers import Jinja and Markdown).

@dataclass
class TemplateMemo:
    """What each template uses, kept in the build cache while the theme's
    files stay the same."""

    theme: str  # digest of the theme's files
    closures: dict = field(default_factory=dict)  # template name -> (hash of its files, names it uses)


class Span(NamedTuple):
    """The moments around a build's time between which the board's pages stay
    as made: the last that has passed and the next to come (None: none)."""

    after: dt.datetime | None
    until: dt.datetime | None

    def holds(self, now: dt.datetime) -> bool:
        return (self.after is None or self.after < now) and (self.until is None or now <= self.until)


@dataclass(frozen=True)
class BoardSideMemo:
    """The board side as last made, kept in the build cache."""

    key: str  # digest of what it was made from (see board_side)
    span: Span
    problems: list  # what making it reported, told again while it is kept
    pages: list  # (path, template, fingerprint of the context) of each page
    board_menu: list
    footer_menu: list
    has_board: bool


@dataclass
class Memo:
    """What a long-running process (serve) keeps in memory from one build to
    the next, so that a rebuild after one save does little; never saved.  A
    build run once starts with an empty one.  Each field belongs to the
    stage named beside it."""

    files: SiteFiles | None = None  # which files the watcher saw change (build.inputs)
    model: LastModel | None = None  # the last model and what it was made of (site.model)
    bodies: dict = field(default_factory=dict)  # links digest -> (LinkContext, {rel: SeenBody}) (build.bodies)
    board: BoardMemo | None = None  # the last board reference (build.pipeline)
    pages: PageMemory | None = None  # what the last pages showed (build.render)
    article_pages: ArticlePages | None = None  # the article pages' specs (build.pages)
    page_digests: dict = field(default_factory=dict)  # the build id's terms (build.write.Outputs)
    photo_sets: dict = field(default_factory=dict)  # set key -> (its files' stats, StoredSet) (photos.store)

    def watched_files(self) -> SiteFiles:
        """The site's files as the watcher reports them; made on first use."""
        if self.files is None:
            from branchboard.build.inputs import SiteFiles

            self.files = SiteFiles()
        return self.files


@dataclass
class BuildCache:
    """State kept between builds; serve keeps one in memory across rebuilds."""

    site_dir: Path | None = None
    page_keys: dict = field(default_factory=dict)  # output path -> key of what it was made from
    copy_paths: list = field(default_factory=list)  # files copied as they are, last time
    fingerprint: str = ""  # inputs of the last build that was written
    out: str = ""  # where that build was written
    valid_until: object = None  # a moment that changes what is visible, or None
    build_id: str = ""
    warnings: list = field(default_factory=list)  # shown again when nothing had to be done
    templates: TemplateMemo | None = None  # what each template uses, while the theme stays the same
    board_side: BoardSideMemo | None = None  # the board's own pages as last made (see pages.board_side)
    stats: dict = field(default_factory=dict)  # file -> (mtime_ns, size, sha256): read only what changed
    documents: dict = field(default_factory=dict)  # site.yaml and the theme's files as parsed (yamlio.Documents)
    used_bodies: set = field(default_factory=set, repr=False)  # bodies the last build used
    _index: dict | None = None
    _on_disk: dict = field(default_factory=dict)  # the index as the files hold it: section -> its entries
    _base: str = ""  # names the index file the journal adds to
    _journal_size: int = 0
    _fresh: dict = field(default_factory=dict)  # body key -> (html, toc) made by this process, not saved yet
    _db: sqlite3.Connection | None = None
    _read_only: bool = False
    memo: Memo = field(default_factory=Memo, repr=False)  # kept in memory between builds; never saved

    def _store(self) -> dict:
        """The index, read from disk on first use."""
        if self._index is None:
            stored = _read(self.site_dir, INDEX_FILE) if self.site_dir else None
            ok = isinstance(stored, dict) and all(isinstance(stored.get(n), dict) for n in SECTIONS)
            self._index = {name: stored[name] if ok else {} for name in SECTIONS}
            self._base = stored.get("base", "") if ok else ""
            if self._base:
                journal = self.site_dir / CACHE_DIR / JOURNAL_FILE
                self._journal_size = _replay(journal, self._base, self._index)
                if self._journal_size != _size(journal):  # a damaged end: records added after it would be lost
                    self._base = ""  # so the next save writes the whole index
            self._on_disk = {name: dict(entries) for name, entries in self._index.items()}
        return self._index

    @property
    def bodies(self) -> dict:
        """body key -> Body, without its HTML (see body_html)."""
        return self._store()["bodies"]

    @property
    def body_checks(self) -> dict:
        """body key -> digest of the links it was last found valid for."""
        return self._store()["body_checks"]

    @property
    def sources(self) -> dict:
        """content rel -> site.content.ParsedFile."""
        return self._store()["sources"]

    @property
    def articles(self) -> dict:
        """content rel -> site.model.KeptArticle."""
        return self._store()["articles"]

    @property
    def data(self) -> dict:
        """digest of the data, schemas and articles -> (data, problems); one entry."""
        return self._store()["data"]

    @property
    def boards(self) -> dict:
        """the board's fingerprint -> the board made from it, pickled (None:
        there is no board data); one entry, unpickled only if a page needs it."""
        return self._store()["boards"]

    def add_bodies(self, made: list[tuple[str, object]]) -> None:
        """Bodies just converted: their HTML goes to the store at once (not
        held in memory), or is kept here when the store cannot be written."""
        for key, body in made:
            self.bodies[key] = body.stored()
        self._fresh.update((key, (body.html, body.toc)) for key, body in made)
        if not self._read_only and self.site_dir is not None:
            self._store_fresh()

    def _store_fresh(self) -> bool:
        """Move the HTML held here into the store; False when it cannot be
        written (a read-only site still builds: the HTML stays here)."""
        try:
            with self._html_db() as db:
                db.executemany("INSERT OR REPLACE INTO bodies VALUES (?, ?, ?)",
                               [(key, html, toc) for key, (html, toc) in self._fresh.items()])
        except (OSError, sqlite3.Error):
            return False
        self._fresh = {}
        return True

    def body_html(self, key: str) -> tuple[str, str]:
        """(html, toc) of a body; CacheDamaged when the store has lost it or
        holds something else than was stored (its fingerprint is the digest
        of exactly that HTML)."""
        if key in self._fresh:
            return self._fresh[key]
        try:
            row = self._html_db().execute("SELECT html, toc FROM bodies WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error:
            row = None
        body = self.bodies.get(key)
        if row is None or body is None or not isinstance(row[0], str) or not isinstance(row[1], str) \
                or html_fingerprint(*row) != body.fingerprint:
            raise CacheDamaged(key)
        return row

    def _html_db(self) -> sqlite3.Connection:
        if self._db is None:
            folder = self.site_dir / CACHE_DIR
            if not self._read_only:
                folder.mkdir(parents=True, exist_ok=True)
            # `check` writes nothing, not even here: it only reads
            uri = f"{(folder / HTML_FILE).resolve().as_uri()}?mode={'ro' if self._read_only else 'rwc'}"
            # builds never run two at a time, but serve's first build and the later ones run on different threads
            self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
            _CONNECTED.append(weakref.ref(self))
            if self._read_only:
                return self._db
            # a cache: losing the last rows to a power cut only costs a full build (see CacheDamaged)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("CREATE TABLE IF NOT EXISTS bodies (key TEXT PRIMARY KEY, html TEXT, toc TEXT)")
        return self._db

    def drop_texts(self) -> dict:
        """Let go of the articles' Markdown (read again from its file if it
        is ever needed).  Returns content rel -> the Source without it, for
        the sources that held it."""
        index = self._store()
        sources, articles = index["sources"], index["articles"]
        # only the entries that hold text change: the others stay the same
        # objects, and the journal writes only what changed
        light = {rel: parsed.source.without_body() for rel, parsed in sources.items()
                 if parsed.source is not None and parsed.source.body is not None}
        for rel, source in light.items():
            sources[rel] = sources[rel]._replace(source=source)
        for rel in [rel for rel in articles if rel not in sources or sources[rel].source is None]:
            del articles[rel]  # its file is gone, or no longer reads
        for rel, kept in articles.items():
            if kept.source.body is not None:
                articles[rel] = kept._replace(source=light.get(rel, sources[rel].source))
        return light

    def read_only(self) -> None:
        """Write nothing to disk (for `check`)."""
        self._read_only = True

    @classmethod
    def load(cls, site_dir: Path) -> "BuildCache":
        state = _read(site_dir, STATE_FILE)
        if isinstance(state, dict):
            try:
                return cls(site_dir=site_dir, **state)
            except TypeError:
                pass
        return cls(site_dir=site_dir)

    def forget(self) -> None:
        """Start again from nothing, on disk too (the cache was found damaged)."""
        site_dir = self.site_dir
        if self._db is not None:
            self._db.close()
        for name in (STATE_FILE, INDEX_FILE, JOURNAL_FILE, HTML_FILE, f"{HTML_FILE}-wal", f"{HTML_FILE}-shm"):
            try:
                (site_dir / CACHE_DIR / name).unlink()
            except (OSError, TypeError):
                pass
        self.__init__(site_dir=site_dir)

    def save(self, site_dir: Path, used_bodies: set) -> None:
        """Write, keeping only the bodies this build used.  The HTML goes in
        first and old HTML goes last, so that a build stopped half-way leaves
        files that still agree."""
        self.site_dir = site_dir
        index = self._store()
        self._fresh = {k: v for k, v in self._fresh.items() if k in used_bodies}
        if not self._store_fresh():
            return  # a read-only site still builds; the next build is just slower
        db = self._html_db()
        dropped = [k for k in index["bodies"] if k not in used_bodies]
        for key in dropped:
            del index["bodies"][key]
        for key in [k for k in index["body_checks"] if k not in used_bodies]:
            del index["body_checks"][key]
        self.drop_texts()
        state = {k: v for k, v in vars(self).items()
                 if not k.startswith("_") and k not in ("site_dir", "used_bodies", "memo")}
        whole = self._save_index(site_dir)
        _write(site_dir, STATE_FILE, state)
        try:
            with db:
                if not whole:  # the HTML of the bodies this build let go of
                    db.executemany("DELETE FROM bodies WHERE key = ?", [(k,) for k in dropped])
                elif db.execute("SELECT COUNT(*) FROM bodies").fetchone()[0] > len(used_bodies):
                    # with the whole index written, HTML no index names (left by a build
                    # stopped half-way) goes too
                    db.execute("CREATE TEMP TABLE IF NOT EXISTS used (key TEXT PRIMARY KEY)")
                    db.execute("DELETE FROM used")
                    db.executemany("INSERT OR IGNORE INTO used VALUES (?)", [(k,) for k in used_bodies])
                    db.execute("DELETE FROM bodies WHERE key NOT IN (SELECT key FROM used)")
        except sqlite3.Error:
            pass

    def _save_index(self, site_dir: Path) -> bool:
        """What changed since the index was read goes to the journal; the
        whole index is written again when there is none yet or the journal
        has grown to an eighth of the index (read back, it would cost more
        than it saves).  True when the whole index was written."""
        index, before = self._index, self._on_disk
        folder = site_dir / CACHE_DIR
        whole = True
        if self._base:  # else there is no index to add to: it is written whole, nothing to weigh
            changes = {}
            for name, entries in index.items():
                old = before.get(name, {})
                changed = {k: v for k, v in entries.items() if k not in old or (old[k] is not v and old[k] != v)}
                gone = [k for k in old if k not in entries]
                if changed or gone:
                    changes[name] = (changed, gone)
            if not changes:
                return False
            record = seal(pickle.dumps({"format": FORMAT, "base": self._base, "changes": changes},
                                          protocol=pickle.HIGHEST_PROTOCOL))
            whole = self._journal_size + len(record) > max(_size(folder / INDEX_FILE) // 8, JOURNAL_MIN)
        if not whole:
            try:
                with open(folder / JOURNAL_FILE, "ab") as fh:
                    fh.write(record)
                self._journal_size += len(record)
            except OSError:
                return False  # the next build is just slower
        else:
            base = os.urandom(8).hex()
            if not _write(site_dir, INDEX_FILE, {"base": base, **index}):
                return False
            self._base, self._journal_size = base, 0
            try:
                (folder / JOURNAL_FILE).unlink()
            except OSError:
                pass  # none yet; or it stays, naming the old index, and is ignored
        self._on_disk = {name: dict(entries) for name, entries in index.items()}
        return whole


def _replay(path: Path, base: str, index: dict) -> int:
    """Apply the journal's records made on top of ``base``; a record cut short
    (a build stopped while writing it) or damaged ends the replay.  Returns
    the size read."""
    size = 0
    try:
        with open(path, "rb") as fh:
            while True:
                payload = unseal_from(fh)
                if payload is None:
                    break
                record = pickle.loads(payload)
                if not (isinstance(record, dict) and record.get("format") == FORMAT
                        and record.get("base") == base):
                    break
                for name, (changed, gone) in record["changes"].items():
                    entries = index[name]
                    for key in gone:
                        entries.pop(key, None)
                    entries.update(changed)
                size = fh.tell()
    except Exception:  # no journal, or a damaged one: what it held is only built again
        pass
    return size


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _read(site_dir: Path, name: str):
    try:
        with open(site_dir / CACHE_DIR / name, "rb") as fh:
            payload = unseal_from(fh)
            if payload is None or fh.read(1):
                return None
        stored = pickle.loads(payload)
        return stored["value"] if stored.get("format") == FORMAT else None
    except Exception:  # a damaged or old cache is only a slower build
        return None


# Every part of the cache on disk is sealed: its length and a checksum before
# its bytes.  A part whose checksum does not match (a flipped bit, a write
# cut short) is not read: the build does that part's work again instead.
_SEAL = b"BBC1"
_SEAL_HEAD = len(_SEAL) + 8 + 32  # mark, length, sha256


def seal(payload: bytes) -> bytes:
    return _SEAL + len(payload).to_bytes(8, "big") + hashlib.sha256(payload).digest() + payload


def unseal_from(fh) -> bytes | None:
    """The next sealed part in a file, or None at its end or at damage."""
    head = fh.read(_SEAL_HEAD)
    if len(head) != _SEAL_HEAD or not head.startswith(_SEAL):
        return None
    size = int.from_bytes(head[len(_SEAL):len(_SEAL) + 8], "big")
    payload = fh.read(size)
    if len(payload) != size or hashlib.sha256(payload).digest() != head[len(_SEAL) + 8:]:
        return None
    return payload


def _write(site_dir: Path, name: str, value) -> bool:
    folder = site_dir / CACHE_DIR
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f"{name}.{os.getpid()}.tmp"
        with open(tmp, "wb") as fh:
            fh.write(seal(pickle.dumps({"format": FORMAT, "value": value}, protocol=pickle.HIGHEST_PROTOCOL)))
        os.replace(tmp, folder / name)
        return True
    except OSError:
        return False  # a read-only site still builds; the next build is just slower
