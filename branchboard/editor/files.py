"""The only code that writes the secretary's files: inside content/ and
data/, each save atomic, every previous version kept, a hand edit never
overwritten.

    open_file(site, rel)             the text and its version (a digest of its bytes)
    save(site, rel, new, version)    refused (Conflict) if the file changed since
    versions(site, rel)              what .history holds of it, newest first
    restore(site, rel, name, version)   an old version saved back (itself a save)
    image_target(site, rel)          the image file ``rel`` names, if images may be written there
    save_image(site, folder, stem, suffix, data)   a new image, never over another file

Before a file is replaced, its bytes are copied to ``.history/<rel>/<time>``
beside content/ and data/ (not in .cache/, which is safe to delete).  A new
file is written to a temporary name in its folder, flushed to disk and
renamed over the old one, so a crash leaves the old file or the new, never
half of one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path
from typing import NamedTuple

from branchboard.build.write import sync_folder
from branchboard.locks import site_lock
from branchboard.scaffold.yamlappend import Refused

EDITABLE = ("content", "data")  # the folders the editor may write in
HISTORY = ".history"
TEXT_SUFFIXES = (".md", ".yaml", ".yml")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif")
PHOTOS = ("data", "photos")  # the data's photos; an article's are in content/<section>/.../images/
IMAGE_FOLDER = "images"


class Conflict(Refused):
    """The file changed on disk since it was opened (a hand edit): both texts."""

    def __init__(self, rel: str, theirs: str):
        super().__init__(f"{rel} 在你打开之后被别人（或记事本）改过了，为了不覆盖那些修改，这次没有保存。"
                         "下面是文件现在的内容和你要保存的内容，请对照后重新修改。")
        self.theirs = theirs


class Version(NamedTuple):
    name: str  # its file name in .history/<rel>/
    when: dt.datetime
    size: int


def version_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def editable(site_dir: Path, rel: str) -> Path:
    """The file ``rel`` names, if the editor may write it: under content/ or
    data/, no way out of them (``..``, a link, a drive), a text file."""
    parts = _parts(rel)
    if not parts or ":" in parts[0] or parts[0] not in EDITABLE or not rel.lower().endswith(TEXT_SUFFIXES):
        raise Refused(f"不能修改“{rel}”：编辑器只修改 content 和 data 文件夹里的文章和数据文件。")
    return _inside(site_dir, parts, f"不能修改“{rel}”：它指向网站文件夹之外。")


def _parts(rel: str) -> list[str] | None:
    """A path's parts, or None when its name alone leads out or to a hidden
    file (empty, absolute, ``.``, ``..``, a name starting with a dot)."""
    parts = rel.replace("\\", "/").split("/")
    if not rel or rel.startswith("/") or any(p in ("", ".", "..") or p.startswith(".") for p in parts):
        return None
    return parts


def _inside(site_dir: Path, parts: list[str], refused: str) -> Path:
    """The file, if no link takes it out of its top folder (content/ or data/)."""
    path = site_dir / Path(*parts)
    if not path.resolve().is_relative_to((site_dir / parts[0]).resolve()):
        raise Refused(refused)
    return path


def image_target(site_dir: Path, rel: str) -> Path:
    """The image file ``rel`` names, if the editor may write it: directly in
    data/photos/ or in an images/ folder under content/, an image's suffix,
    no way out (``..``, a hidden name, a link, a drive)."""
    parts = _parts(rel)
    folder = tuple(parts[:-1]) if parts else ()
    in_place = folder == PHOTOS or (len(folder) >= 3 and folder[0] == EDITABLE[0] and folder[-1] == IMAGE_FOLDER)
    if not parts or not in_place or ":" in rel or "\x00" in rel or not parts[-1].lower().endswith(IMAGE_SUFFIXES):
        raise Refused(f"不能保存“{rel}”：图片只能放在 data/photos 或 content 里的 images 文件夹。")
    return _inside(site_dir, parts, f"不能保存“{rel}”：它指向网站文件夹之外。")


def save_image(site_dir: Path, folder: str, stem: str, suffix: str, data: bytes) -> str:
    """Write a new image as ``<folder>/<stem><suffix>`` (``stem-2``, ``-3``...
    when another file has that name; the same bytes already there are
    reused).  Never replaces a file: the new one is linked in only where no
    file is.  Returns its rel."""
    with site_lock(site_dir, "edit", wait=10.0):
        for n in range(1, 100):
            rel = f"{folder}/{stem}{'' if n == 1 else f'-{n}'}{suffix}"
            path = image_target(site_dir, rel)
            if path.exists():
                if path.is_file() and not path.is_symlink() and path.read_bytes() == data:
                    return rel
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            if _link_new(path, data):
                return rel
    raise Refused(f"{folder} 里同名的图片太多，没有保存。")


def open_file(site_dir: Path, rel: str) -> tuple[str, str]:
    """The file's text and its version ("" and the version of nothing, for a new file)."""
    path = editable(site_dir, rel)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        data = b""
    return data.decode("utf-8"), version_of(data)


def save(site_dir: Path, rel: str, text: str, version: str, now: dt.datetime | None = None) -> str:
    """Write ``text`` to the file if it is still the ``version`` the form
    was made from; the previous bytes go to .history first.  Returns the
    new version."""
    path = editable(site_dir, rel)
    data = text.encode("utf-8")
    with site_lock(site_dir, "edit", wait=10.0):
        try:
            current = path.read_bytes()
        except FileNotFoundError:
            current = None
        if version_of(current or b"") != version:
            raise Conflict(rel, (current or b"").decode("utf-8", "replace"))
        if current == data:
            return version
        if current is not None:
            _keep(site_dir, rel, current, now or dt.datetime.now())
        path.parent.mkdir(parents=True, exist_ok=True)
        _replace(path, data)
    return version_of(data)


def versions(site_dir: Path, rel: str) -> list[Version]:
    folder = site_dir / HISTORY / Path(*editable(site_dir, rel).relative_to(site_dir).parts)
    found = []
    for entry in sorted(folder.iterdir(), reverse=True) if folder.is_dir() else []:
        try:
            when = dt.datetime.strptime(entry.name.split(".", 1)[0], "%Y%m%d-%H%M%S-%f")
        except ValueError:
            continue
        found.append(Version(entry.name, when, entry.stat().st_size))
    return found


def restore(site_dir: Path, rel: str, name: str, version: str) -> str:
    """Save the version ``name`` of .history back (the current one is kept too)."""
    if name not in {v.name for v in versions(site_dir, rel)}:
        raise Refused(f"没有找到 {rel} 的这个历史版本。")
    old = (site_dir / HISTORY / rel / name).read_bytes()
    return save(site_dir, rel, old.decode("utf-8"), version)


def _keep(site_dir: Path, rel: str, data: bytes, now: dt.datetime) -> None:
    folder = site_dir / HISTORY / rel
    folder.mkdir(parents=True, exist_ok=True)
    stamp = now.strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{stamp}{Path(rel).suffix}"
    n = 1
    while target.exists():  # two saves within a microsecond's stamp
        target = folder / f"{stamp}.{n}{Path(rel).suffix}"
        n += 1
    _replace(target, data)


def _link_new(path: Path, data: bytes) -> bool:
    """Write ``data`` at ``path`` whole (temporary file, flushed, then linked
    in); False when a file appeared there meanwhile, which is left alone."""
    tmp = _written_beside(path, data, "xb")
    try:
        os.link(tmp, path)  # unlike a rename, never replaces what is there
    except FileExistsError:
        return False
    finally:
        tmp.unlink(missing_ok=True)
    return True


def _replace(path: Path, data: bytes) -> None:
    tmp = _written_beside(path, data, "wb")
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    sync_folder(path.parent)  # the rename itself on disk


def _written_beside(path: Path, data: bytes, mode: str) -> Path:
    """``data`` in a temporary file beside ``path``, on disk (fsync)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.saving")
    try:
        with open(tmp, mode) as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp
