"""WRITE: the last line of defence.

Two sources claiming one output path is an error.  Everything is written to a
staging folder beside the output and swapped in whole, so a viewer never sees
a half-written site and a failed build leaves the last good output as it was.
The output folder is the tool's own: it carries a marker file, and a folder
that is not empty and has no marker is never written into or deleted.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from branchboard.errors import BoardError, BuildFailed, Report

MARKER = ".branchboard-output"
MARKER_TEXT = "这个文件夹由 branchboard 生成，每次生成都会整个替换，请不要在这里修改文件。\n"
BUILD_ID = "build-id.txt"  # pages served over HTTP poll it to notice a new build
# present while an incremental build changes the output folder in place: a
# build stopped on the way (killed, Ctrl-C, a full disk, a power cut) leaves
# it, and the next build makes the whole folder again instead of trusting it
WRITING = ".branchboard-writing"
# Windows refuses to rename a folder while a program holds a file in it
# open (a PDF reader, a virus scanner looking at a new file): the swap is
# tried again after each of these pauses (seconds) before it gives up
SWAP_PAUSES = (0.1, 0.2, 0.4, 0.8)
_LEFTOVER = re.compile(r"^\.(?P<out>.+)\.(?P<kind>staging|old)-[0-9a-f]{8}$")


@dataclass
class Outputs:
    """What one build produces: pages, files copied as they are, and pages kept.

    A kept page is one whose key (what it is made from) is the same as last
    time: its file in the output folder is left as it is.
    """

    pages: dict[str, str | None] = field(default_factory=dict)  # path -> text (None: in the staging folder)
    copies: dict[str, Path] = field(default_factory=dict)  # path -> source file
    named_by_content: set[str] = field(default_factory=set)  # copies whose name holds their bytes' digest
    kept: set[str] = field(default_factory=set)  # paths of pages left as they are
    keys: dict[str, str] = field(default_factory=dict)  # page path -> key
    owners: dict[str, str] = field(default_factory=dict)  # path -> who made it
    # a full build writes each page into its staging folder as soon as it is
    # rendered (``stage``), rather than holding every page in memory
    staging: Path | None = None
    # (page path, key) -> its term in build_id; a long-running process keeps them (cache.Memo)
    page_digests: dict[tuple[str, str], int] = field(default_factory=dict, repr=False)
    _made: set = field(default_factory=set, repr=False)

    def put_page(self, path: str, text: str, key: str = "") -> None:
        """A claimed page, rendered."""
        if self.staging is not None:
            write_page(self.staging, path, text, self._made)
            self.pages[path] = None  # written already
        else:
            self.pages[path] = text
        self.keys[path] = key or hashlib.sha256(text.encode("utf-8")).hexdigest()

    def put_written(self, path: str, key: str) -> None:
        """A claimed page that a helper process rendered into the staging folder."""
        self.pages[path] = None
        self.keys[path] = key

    def stage(self, out: Path) -> None:
        """Write pages from now on into a new staging folder beside ``out``."""
        out = out.resolve()
        out.parent.mkdir(parents=True, exist_ok=True)
        self.staging = out.parent / f".{out.name}.staging-{os.urandom(4).hex()}"
        self.staging.mkdir()

    def discard(self) -> None:
        """The build failed: its staging folder goes, the output stays as it was."""
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None

    def keep_page(self, path: str, key: str, owner: str, report: Report) -> None:
        if self.owners.setdefault(path, owner) == owner or self.claim(path, owner, report):
            self.kept.add(path)
            self.keys[path] = key

    def add_copy(self, path: str, source: Path, owner: str, report: Report, named_by_content: bool = False) -> None:
        """``named_by_content``: the path holds a digest of the file's bytes
        (a derived photo): its name alone says whether it changed."""
        if self.claim(path, owner, report):
            self.copies[path] = source
            if named_by_content:
                self.named_by_content.add(path)

    def claim(self, path: str, owner: str, report: Report) -> bool:
        """Take a path for what is about to be made; False (and an error) if it is taken."""
        first = self.owners.setdefault(path, owner)
        if first != owner:
            report.error(owner, None, None,
                         f"生成的文件 {path} 与 {first} 生成的文件重名，会互相覆盖",
                         "给其中一个改名（或在文章信息里写不同的 slug）。")
            return False
        return True

    def __len__(self) -> int:
        return len(self.keys) + len(self.copies)

    def build_id(self) -> str:
        """Changes exactly when some output changes (a page's key decides its
        text): the sum of a digest of each page's path and key, which needs no
        sorting, and whose terms a long-running process keeps (``page_digests``)."""
        known = self.page_digests
        total = 0
        for page in self.keys.items():
            term = known.get(page)
            if term is None:
                path, key = page
                term = known[page] = int.from_bytes(
                    hashlib.blake2b(f"{path}\0{key}".encode(), digest_size=16).digest(), "big")
            total += term
        if len(known) > 2 * len(self.keys) + 1024:  # keys of pages as they were long ago
            known.clear()
        text = f"{total % (1 << 128):032x}\0"
        for rel in sorted(self.copies):
            if rel in self.named_by_content:
                text += f"{rel}\0"
                continue
            stat = self.copies[rel].stat()
            text += f"{rel}\0{stat.st_size}\0{stat.st_mtime_ns}\0"
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def check_output_dir(out: Path, site_dir: Path) -> None:
    """Refuse an output folder that is not ours; raises BoardError."""
    out = out.resolve()
    site = site_dir.resolve()
    for name in ("content", "data", "themes"):
        inner = site / name
        if out == inner or inner in out.parents:
            raise BoardError("site.yaml", None, None,
                             f"输出文件夹 {out} 在 {name}/ 里面，不能这样设置",
                             "输出文件夹请用默认的 public，或放在网站文件夹之外。")
    if out == site or out in site.parents:
        raise BoardError("site.yaml", None, None, f"输出文件夹 {out} 是网站文件夹本身或它的上级，不能使用",
                         "输出文件夹请用默认的 public。")
    if out.exists():
        if not out.is_dir():
            raise BoardError("site.yaml", None, None, f"输出位置 {out} 是一个文件，不是文件夹")
        if any(out.iterdir()) and not (out / MARKER).is_file():
            raise BoardError("site.yaml", None, None,
                             f"输出文件夹 {out} 里已经有别的文件，而且不是 branchboard 生成的，为了不误删文件，已停止",
                             "换一个空文件夹或新的文件夹名作为输出（--out）。")


def write_outputs(outputs: Outputs, out: Path) -> str:
    """Write into a staging folder beside ``out``, then swap it in whole.
    Returns the build id written."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    assert not outputs.kept, "kept pages need write_changes"
    if outputs.staging is None:
        outputs.stage(out)
    staging = outputs.staging
    old = out.parent / f".{out.name}.old-{os.urandom(4).hex()}"
    try:
        made: set[Path] = set()
        for rel, text in outputs.pages.items():
            if text is not None:  # not yet written
                write_page(staging, rel, text, made)
        for rel, source in outputs.copies.items():
            # a copy, never a hard link: editing the output must not change the source
            shutil.copy2(source, _target(staging, rel, made))
        build_id = outputs.build_id()
        (staging / BUILD_ID).write_text(build_id + "\n", encoding="utf-8")
        (staging / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        _make_folder_durable(staging)  # before the swap: a power cut leaves old or new, whole
        swap_in(staging, out, old)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if old.exists() and not out.exists():
            os.replace(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)
    return build_id


def swap_in(staging: Path, out: Path, old: Path) -> None:
    """``out`` moved aside to ``old``, ``staging`` in its place; tried again
    while Windows refuses (SWAP_PAUSES), then BuildFailed naming the file a
    program holds open.  A stop between the two renames leaves no output
    folder, only the old one beside it: the next build puts it back
    (recover_output), as write_outputs does on any failure."""
    for pause in (*SWAP_PAUSES, None):
        try:
            if out.exists():
                os.replace(out, old)
            os.replace(staging, out)
            return
        except PermissionError:
            if pause is None:
                raise BuildFailed(_held_open(out)) from None
            time.sleep(pause)


def _held_open(out: Path) -> Report:
    """The file in ``out`` another program holds open, as an error (the
    folder itself when no single file can be named)."""
    for root, _dirs, names in os.walk(out):
        held = next((Path(root, name) for name in sorted(names) if _is_held(Path(root, name))), None)
        if held is not None:
            return _held_report(out, held)
    return _held_report(out, None)


def _held_report(out: Path, held: Path | None) -> Report:
    where = "/".join((out.name, *held.relative_to(out).parts)) if held else out.name
    report = Report()
    report.error(where, None, None,
                 f"{'这个文件' if held else '这个文件夹里有文件'}正被别的程序打开（例如 PDF 阅读器、浏览器或 WPS），网站没能更新",
                 "请关闭那个程序（或它打开的这个文件）后再生成。")
    return report


def write_changes(outputs: Outputs, out: Path, previous: set[str]) -> str:
    """Bring an output folder this tool wrote up to date, file by file.

    Only changed pages and copies are written, each to a temporary name and
    renamed over the old file, so no file is ever half-written; files that
    nothing produces any more are removed; unchanged files keep their
    modification time.  Everything was rendered before the first write, so a
    failed build never gets here.  Before the first write, every file about
    to be replaced or removed is checked to be free (Windows refuses to
    replace a PDF a reader holds open): tried again after SWAP_PAUSES, then
    BuildFailed with nothing changed.  A build stopped while it writes
    leaves the WRITING mark, and the next build makes the whole folder
    again.  Returns the build id written.
    """
    out = out.resolve()
    made: set[Path] = set()
    pages = {_target(out, rel, made): text.encode("utf-8") for rel, text in outputs.pages.items()}
    pages = {target: data for target, data in pages.items() if not _holds(target, data)}
    copies = {_target(out, rel, made): source for rel, source in outputs.copies.items()}
    copies = {target: source for target, source in copies.items() if not _same_copy(target, source)}
    current = set(outputs.keys) | set(outputs.copies)
    stale = [target for target in (_target(out, rel, made) for rel in sorted(previous - current)) if target.is_file()]
    _wait_until_free([*pages, *copies, *stale, *(_printed(page) for page in [*pages, *stale])], out)
    mark = out / WRITING
    mark.write_text("", encoding="utf-8")
    _make_durable([mark])
    written: list[Path] = []
    for target, data in pages.items():
        _replace(target, lambda tmp: tmp.write_bytes(data))
        _drop_printed(target)
        written.append(target)
    for target, source in copies.items():
        _replace(target, lambda tmp: shutil.copy2(source, tmp))
        written.append(target)
    for target in stale:
        target.unlink()
        _drop_printed(target)
        _remove_empty_parents(target.parent, out)
    build_id = outputs.build_id()
    id_file = out / BUILD_ID
    if not id_file.is_file() or id_file.read_text(encoding="utf-8") != build_id + "\n":
        _replace(id_file, lambda tmp: tmp.write_text(build_id + "\n", encoding="utf-8"))
        written.append(id_file)
    _make_durable(written)  # every change on disk before the mark goes
    mark.unlink()
    sync_folder(out)
    return build_id


def _holds(target: Path, data: bytes) -> bool:
    return target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data


def _same_copy(target: Path, source: Path) -> bool:
    src, dst = source.stat(), (target.stat() if target.is_file() else None)
    return dst is not None and (dst.st_size, dst.st_mtime_ns) == (src.st_size, src.st_mtime_ns)


def _wait_until_free(paths: list[Path], out: Path) -> None:
    """Return once no file in ``paths`` is held open by another program;
    after SWAP_PAUSES, BuildFailed naming the first one still held."""
    for pause in (*SWAP_PAUSES, None):
        held = next((path for path in paths if _is_held(path)), None)
        if held is None:
            return
        if pause is None:
            raise BuildFailed(_held_report(out, held))
        time.sleep(pause)


def _is_held(path: Path) -> bool:
    """Another program holds the file open so that it cannot be replaced (a
    reader shares it for reading only: opening it for writing is refused)."""
    try:
        os.close(os.open(path, os.O_RDWR))
    except PermissionError:
        return True
    except OSError:  # not there (any more): nothing holds it
        return False
    return False


def is_whole(out: Path) -> bool:
    """The output folder is as a finished build left it (it has our marker
    and no build was stopped while changing it in place)."""
    return (out / MARKER).is_file() and not (out / WRITING).exists()


def recover_output(out: Path) -> None:
    """Tidy what a build stopped half-way left beside the output folder: its
    staging folder goes; a build stopped between the two renames of the swap
    left no output folder but the old one, which is put back.  Called with
    the site's build lock held, so no other build is using them."""
    out = out.resolve()
    try:
        names = os.listdir(out.parent)
    except OSError:
        return
    for name in sorted(names):
        found = _LEFTOVER.match(name)
        if found is None or found["out"] != out.name:
            continue
        leftover = out.parent / name
        if found["kind"] == "old" and not out.exists() and (leftover / MARKER).is_file():
            os.replace(leftover, out)
        else:
            shutil.rmtree(leftover, ignore_errors=True)


SYNC_ALL_FROM = 64  # this many files or more: one sync() of everything beats a fsync() each


def _make_durable(files: list[Path]) -> None:
    """These files' data and names on disk, not just in the system's memory."""
    if len(files) >= SYNC_ALL_FROM and hasattr(os, "sync"):
        os.sync()
        return
    for path in files:
        with open(path, "rb+") as fh:
            os.fsync(fh.fileno())
    for folder in {path.parent for path in files}:
        sync_folder(folder)


def _make_folder_durable(folder: Path) -> None:
    """Every file below ``folder`` on disk: one sync() where the system has
    it (a full build writes hundreds of files), else a fsync() each."""
    if hasattr(os, "sync"):
        os.sync()
        return
    _make_durable([Path(root, name) for root, _dirs, names in os.walk(folder) for name in names])


def sync_folder(folder: Path) -> None:
    """A removed name on disk (POSIX; Windows commits names with the data)."""
    if os.name == "posix":
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_page(root: Path, rel: str, text: str, made: set) -> None:
    _target(root, rel, made).write_text(text, encoding="utf-8", newline="\n")


def _printed(page: Path) -> Path:
    """The PDF `print` made of a print page (it may not exist)."""
    return page.with_suffix(".pdf") if page.suffix == ".html" and page.parent.name == "print" else page


def _drop_printed(page: Path) -> None:
    """A print page changed or went away: its PDF (made by `print`) is out of date."""
    if _printed(page) != page:
        _printed(page).unlink(missing_ok=True)


def _replace(target: Path, fill) -> None:
    tmp = target.with_name(f".{target.name}.{os.urandom(4).hex()}.tmp")
    try:
        fill(tmp)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _remove_empty_parents(folder: Path, root: Path) -> None:
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _target(root: Path, rel: str, made: set[Path]) -> Path:
    parts = rel.split("/")
    if rel.startswith("/") or any(p in ("", ".", "..") for p in parts) or "\\" in rel:
        raise AssertionError(f"output path escapes the output folder: {rel}")
    target = root.joinpath(*parts)
    parent = target.parent
    if parent not in made:
        parent.mkdir(parents=True, exist_ok=True)
        made.add(parent)
    return target
