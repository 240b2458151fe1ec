"""The photo stage: every JPEG, PNG and WebP image under content/ and data/
made into the files its uses need (derive.py), taken from the cache when it
holds them (store.py), else made in processes, one per core.

Pages link the derived files, never the source: each is published beside
its source as ``<name>-<width>w.<digest>.<suffix>``, so a changed photo gets
new addresses.  The source itself is published only when site.yaml says
``publish_originals: true``.
"""

from __future__ import annotations

import hashlib
import posixpath
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, NamedTuple

from branchboard.photos import store
from branchboard.photos.derive import USES, PhotoError, derive, is_processed
from branchboard.site.content import CONTENT_DIR
from branchboard.parallel import map_in_processes

if TYPE_CHECKING:
    from branchboard.build.context import BuildContext

PARALLEL_MIN = 2  # a photo takes long enough that two are worth a second process
SHOW_PROGRESS_AFTER = 2.0  # seconds


class Picture(NamedTuple):
    """The files of one use of one image, as pages link them."""

    files: tuple[tuple[str, int, int], ...]  # (output path, width, height), narrowest first

    @property
    def src(self) -> str:
        return self.files[0][0]

    @property
    def widest(self) -> str:
        return self.files[-1][0]

    @property
    def size(self) -> tuple[int, int]:
        return self.files[0][1], self.files[0][2]


@dataclass(frozen=True)
class Photos:
    """What the photo stage made: the pictures of each image, and where the
    files to publish are in the cache."""

    pictures: dict = field(default_factory=dict)  # the image's output path -> {use name: Picture}
    files: dict = field(default_factory=dict)  # output path -> (file in the cache, the image as messages name it)
    made: int = 0  # images processed by this build (not taken from the cache)
    fingerprint: str = ""  # of every picture: pages that name the photos depend on it
    sizes: dict = field(default_factory=dict)  # the image's output path -> its size upright, as taken
    broken: dict = field(default_factory=dict)  # the image's output path -> why it cannot be read (Chinese)

    def picture(self, rel: str, use: str) -> Picture | None:
        return self.pictures.get(rel, {}).get(use)

    def of_use(self, use: str) -> dict:
        """content rel -> Picture of one use."""
        return {rel: uses[use] for rel, uses in self.pictures.items() if use in uses}


class ImageSource(NamedTuple):
    """An image to process, under the path it would be published at."""

    file: Path
    digest: str  # sha256 of its bytes
    owner: str  # the file as messages name it


def image_sources(site_dir: Path, assets: list[str], digests: dict[str, str], data_files: dict[str, str]
                  ) -> dict[str, ImageSource]:
    """The images to process: the files beside the articles (``assets``,
    content rels, with their ``digests``) and the photos of the board's data
    (``data_files``: data/<name> -> sha256; DATA_DIR's files but the YAML)."""
    found = {rel: ImageSource(site_dir / CONTENT_DIR / rel, digests[rel], f"{CONTENT_DIR}/{rel}")
             for rel in assets if is_processed(rel)}
    found.update((rel, ImageSource(site_dir / rel, digest, rel))
                 for rel, digest in data_files.items() if is_processed(rel))
    return found


class _Job(NamedTuple):
    rel: str  # where the image would be published
    file: Path
    uses: tuple[str, ...]  # the uses the cache did not hold


def process_photos(ctx: BuildContext, images: dict[str, ImageSource],
                   progress: Callable[[int, int], None] | None = None) -> Photos:
    """The pictures of every image to process (see image_sources).  An image
    that cannot be read is kept in ``broken``: the places that show it
    report it with their lines (check_image_uses).  ``progress(done,
    total)`` is called as photos are made, once making them has taken a while."""
    where = store.folder(ctx.site_dir)
    checked = ctx.memo.photo_sets
    found: dict[str, dict[str, store.StoredSet]] = {}
    broken: dict[str, str] = {}
    jobs: list[_Job] = []
    for rel, image in images.items():
        sets = {name: store.read_set(where, store.set_key(image.digest, use), checked)
                for name, use in USES.items()}
        found[rel] = sets
        missing = tuple(name for name, files in sets.items() if files is None)
        if missing:
            jobs.append(_Job(rel, image.file, missing))
    started = time.perf_counter()
    state = (where, ctx.writes)
    for done, (job, outcome) in enumerate(zip(jobs, map_in_processes(_make, jobs, min_items=PARALLEL_MIN,
                                                                      state=state)), start=1):
        if isinstance(outcome, str):
            broken[job.rel] = outcome
            del found[job.rel]
            continue
        found[job.rel].update(outcome)
        if ctx.writes:
            for name, made in outcome.items():
                store.remember(where, store.set_key(images[job.rel].digest, USES[name]), made, checked)
        if progress is not None and time.perf_counter() - started > SHOW_PROGRESS_AFTER:
            progress(done, len(jobs))
    photos = _published(where, found, broken, images, len(jobs))
    keys = {store.set_key(images[rel].digest, USES[name]) for rel in found for name in USES}
    for key in set(checked) - keys:  # a photo changed or gone
        del checked[key]
    if ctx.writes and not ctx.report.has_errors():
        keep = {posixpath.basename(str(path)) for path, _rel in photos.files.values()}
        keep |= {f"{key}{store.RECORD}" for key in keys}
        store.prune(where, keep)
    return photos


def _make(state: tuple[Path, bool], job: _Job) -> dict[str, store.StoredSet] | str:
    """In a worker: the job's uses of one image made (and stored when the
    build writes), or what is wrong with the image."""
    where, writes = state
    try:
        data = job.file.read_bytes()
        made = derive(data, [USES[name] for name in job.uses])
    except PhotoError as exc:
        return str(exc)
    except OSError as exc:
        return f"读不出来：{exc.strerror or exc}"
    source_digest = hashlib.sha256(data).hexdigest()
    if not writes:  # `check`: the names are enough
        return {name: store.StoredSet(made.size, [store.StoredFile(d.width, d.height, store.stored_name(d))
                                                  for d in files])
                for name, files in made.files.items()}
    return {name: store.write_set(where, store.set_key(source_digest, USES[name]), made.size, files)
            for name, files in made.files.items()}


def _published(where: Path, found: dict[str, dict[str, store.StoredSet]], broken: dict[str, str],
               images: dict[str, ImageSource], made: int) -> Photos:
    pictures, files, sizes = {}, {}, {}
    for rel in sorted(found):
        stem, _suffix = posixpath.splitext(rel)
        uses = {}
        for name, stored in found[rel].items():
            entries = []
            for f in stored.files:
                path = f"{stem}-{f.width}w.{f.digest[:10]}{posixpath.splitext(f.name)[1]}"
                files[path] = (where / f.name, images[rel].owner)
                entries.append((path, f.width, f.height))
            uses[name] = Picture(tuple(entries))
            sizes[rel] = stored.size
        pictures[rel] = uses
    fingerprint = hashlib.sha256(repr(sorted((rel, sorted(uses.items())) for rel, uses in pictures.items()))
                                 .encode("utf-8")).hexdigest()[:24]
    return Photos(pictures, files, made, fingerprint, sizes, broken)
