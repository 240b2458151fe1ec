"""Build the same boards with two revisions of branchboard; compare the output byte for byte.

    python3 bench/compare_outputs.py OLD_REV [NEW_REV] [--articles 1000] [--keep DIR]

NEW_REV defaults to the working tree.  Each revision, from its own copy of
the repository and with its own build.py, builds

1. the example board (the repository itself is the example site),
2. a board of N articles made once by bench/generate.py and copied for each,
3. that board again after one article was edited, into the same output and
   with the cache the second build left, as an editor's next build would.

After each, it prints each build's summary line (how many pages it rendered)
and compares the two output trees: files only in one, files that differ, and
a short unified diff of the first few differing HTML files.
build-id.txt is a stamp made from the pages' keys, which include a digest of
branchboard's own code, and from the times of the files copied as they are,
so it differs between two checkouts: it is reported apart, as expected, never
as a difference.

Every build is given ``--now`` and SOURCE_DATE_EPOCH, so that no date comes
from the clock.  Exit status, as diff(1): 0 identical, 1 different,
2 a revision could not be checked out or built.
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import checkout  # noqa: E402
import generate  # noqa: E402

NOW = "2026-12-07"
EPOCH = str(int(dt.datetime.fromisoformat(NOW).replace(tzinfo=dt.timezone.utc).timestamp()))
BUILD_ID = "build-id.txt"  # a stamp that differs between any two checkouts
EDITED = Path("content") / "news" / "a00000.md"
EXAMPLE_INPUTS = ("site.yaml", "content", "data")
LISTED = 20  # file names listed per kind of difference
DIFFS_SHOWN = 3  # HTML files whose unified diff is printed
DIFF_LINES = 30  # lines of each diff
LINE_WIDTH = 160  # characters of each diff line


class BuildFailed(Exception):
    pass


@dataclass(frozen=True)
class Side:
    """One revision's copy of the code, its copy of the generated board, its outputs."""

    name: str
    root: Path

    @property
    def code(self) -> Path:
        return self.root / "code"

    @property
    def board(self) -> Path:
        return self.root / "board"

    def out(self, what: str) -> Path:
        return self.root / f"out-{what}"


@dataclass(frozen=True)
class Comparison:
    """How two output trees differ; paths relative to the tree."""

    files: int
    only_old: list[str]
    only_new: list[str]
    differ: list[str]
    expected: list[str]  # build-id.txt, when the two differ

    @property
    def identical(self) -> bool:
        return not (self.only_old or self.only_new or self.differ)


def build(code: Path, site: Path, out: Path) -> str:
    """One build with the revision in ``code``; its summary line."""
    proc = subprocess.run([sys.executable, str(code / "build.py"), "build", "--site", str(site),
                           "--out", str(out), "--now", NOW],
                          cwd=code, env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise BuildFailed(f"the build of {site} with {code} failed (exit {proc.returncode}):\n"
                          f"{(proc.stderr or proc.stdout)[-3000:]}")
    return proc.stdout.strip().splitlines()[0] if proc.stdout.strip() else ""


def files(root: Path) -> dict[str, Path]:
    """Relative POSIX path -> file, for every file under ``root``."""
    if root.is_file():
        return {root.name: root}
    return {p.relative_to(root).as_posix(): p for p in root.rglob("*") if p.is_file()}


def compare_trees(old: Path, new: Path) -> Comparison:
    a, b = files(old), files(new)
    differ, expected = [], []
    for rel in sorted(a.keys() & b.keys()):
        if not filecmp.cmp(a[rel], b[rel], shallow=False):
            (expected if rel == BUILD_ID else differ).append(rel)
    return Comparison(len(a.keys() | b.keys()), sorted(a.keys() - b.keys()), sorted(b.keys() - a.keys()),
                      differ, expected)


def short_diff(old: Path, new: Path, old_name: str, new_name: str, rel: str) -> list[str]:
    """The first lines of a unified diff, long lines cut."""
    a = old.read_text(encoding="utf-8", errors="replace").splitlines()
    b = new.read_text(encoding="utf-8", errors="replace").splitlines()
    lines = list(difflib.unified_diff(a, b, f"{old_name}/{rel}", f"{new_name}/{rel}", n=2, lineterm=""))
    shown = [line if len(line) <= LINE_WIDTH else line[:LINE_WIDTH] + " …" for line in lines[:DIFF_LINES]]
    if len(lines) > DIFF_LINES:
        shown.append(f"… {len(lines) - DIFF_LINES} more lines of diff")
    return shown


def listing(names: list[str]) -> str:
    more = f"\n    … and {len(names) - LISTED} more" if len(names) > LISTED else ""
    return "".join(f"\n    {name}" for name in names[:LISTED]) + more


def report(title: str, old: Side, new: Side, what: str, notes: list[str]) -> bool:
    """Print how the two sides' outputs for ``what`` compare; True when identical."""
    result = compare_trees(old.out(what), new.out(what))
    print(f"\n## {title}\n")
    for note in filter(None, notes):
        print(note)
    if result.identical:
        print(f"identical: {result.files} files")
    else:
        print(f"DIFFERENT: {len(result.differ)} files differ, {len(result.only_old)} only in {old.name}, "
              f"{len(result.only_new)} only in {new.name} (of {result.files} files)")
        if result.only_old:
            print(f"  only in {old.name}:{listing(result.only_old)}")
        if result.only_new:
            print(f"  only in {new.name}:{listing(result.only_new)}")
        if result.differ:
            print(f"  differ:{listing(result.differ)}")
        for rel in [r for r in result.differ if r.endswith(".html")][:DIFFS_SHOWN]:
            print()
            print("\n".join(short_diff(old.out(what) / rel, new.out(what) / rel, old.name, new.name, rel)))
    if result.expected:
        print(f"{BUILD_ID} differs, as expected: it stamps the pages' keys, which hold a digest "
              "of the code, and the times of the files copied as they are")
    return result.identical


def example_note(old: Side, new: Side) -> str:
    """The example board is each revision's own: a note when its files differ,
    since its output then may too, whatever the code does."""
    changed = [name for name in EXAMPLE_INPUTS
               if not compare_trees(old.code / name, new.code / name).identical]
    if not changed:
        return ""
    return f"note: the example board's own files differ between the revisions ({', '.join(changed)})"


def edit_article(board: Path) -> None:
    """Retitle one article and add a paragraph: its page, its section's list,
    its tags' pages and the front page change."""
    path = board / EDITED
    text = path.read_text(encoding="utf-8")
    text = text.replace("\n标题: ", "\n标题: 修订：", 1) + "\n修订时补充的一段说明。\n"
    path.write_text(text, encoding="utf-8")


def build_both(old: Side, new: Side, site: str, what: str) -> list[str]:
    """Build with each side (``site``: "code" for the example board, or
    "board"); each build's summary line, which says how many pages it rendered."""
    return [f"{side.name}: {build(side.code, getattr(side, site), side.out(what))}" for side in (old, new)]


def compare(old: Side, new: Side, articles: int, work: Path) -> bool:
    """Build every board with both sides; True when every output is identical."""
    generated = generate.generate("branchboard", work / "generated", articles)
    for side in (old, new):
        shutil.copytree(generated, side.board)
    notes = build_both(old, new, "code", "example")
    same = report("example board", old, new, "example", [*notes, example_note(old, new)])
    notes = build_both(old, new, "board", "board")
    same &= report(f"generated board, {articles} articles", old, new, "board", notes)
    for side in (old, new):
        edit_article(side.board)
    notes = build_both(old, new, "board", "board")
    same &= report(f"generated board after editing {EDITED.as_posix()} (incremental build)",
                   old, new, "board", notes)
    return same


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", metavar="OLD_REV")
    parser.add_argument("new", metavar="NEW_REV", nargs="?", help="default: the working tree")
    parser.add_argument("--articles", type=int, default=1000, help="size of the generated board (default 1000)")
    parser.add_argument("--keep", type=Path, help="build in this new folder and leave it there")
    args = parser.parse_args()
    try:
        old_name, new_name = checkout.label(args.old), checkout.label(args.new)
    except ValueError as err:
        print(err, file=sys.stderr)
        return 2
    if args.keep is not None and args.keep.exists():
        parser.error(f"--keep {args.keep}: the folder exists already")
    work = args.keep or Path(tempfile.mkdtemp(prefix="branchboard-compare-"))
    print(f"# branchboard output: {old_name} (old) against {new_name} (new)")
    try:
        old, new = Side(old_name, work / "old"), Side(new_name, work / "new")
        checkout.export(args.old, old.code)
        checkout.export(args.new, new.code)
        same = compare(old, new, args.articles, work)
    except BuildFailed as err:
        print(f"\n{err}", file=sys.stderr)
        return 2
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    if same:
        print(f"\nidentical: {old_name} and {new_name} build the same bytes ({BUILD_ID} aside)")
    else:
        print(f"\nDIFFERENT: {old_name} and {new_name} build different bytes")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
