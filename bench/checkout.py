"""Another revision of branchboard, laid out in a folder of its own.

bench/compare_outputs.py and ``bench/run.py --against`` build with two
revisions side by side: each gets its own copy of the repository, exported
from git (no worktree to prune if a run is interrupted), or, for the working
tree, copied file by file with what git would commit (uncommitted edits
included, ignored files such as public/ and .cache/ left out).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def git(*args: str) -> bytes:
    return subprocess.run(["git", "-C", str(PROJECT), *args], check=True, capture_output=True).stdout


def resolve(rev: str) -> str:
    """The commit's full hash; ValueError when git does not know ``rev``."""
    try:
        return git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").decode().strip()
    except subprocess.CalledProcessError:
        raise ValueError(f"git does not know the revision {rev!r}") from None


def label(rev: str | None) -> str:
    """How a revision is named in reports: its short hash, or the working tree's."""
    if rev is None:
        return f"working tree (on {label('HEAD')})"
    return git("rev-parse", "--short", resolve(rev)).decode().strip()


def export(rev: str | None, dest: Path) -> Path:
    """Lay out ``rev`` (None: the working tree) in ``dest``, which must not exist."""
    dest.mkdir(parents=True)
    if rev is None:
        listed = git("ls-files", "-z", "--cached", "--others", "--exclude-standard").decode()
        for name in filter(None, listed.split("\0")):
            source = PROJECT / name
            if source.is_file():  # a tracked file deleted in the working tree is left out
                (dest / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, dest / name)
    else:
        archive = subprocess.Popen(["git", "-C", str(PROJECT), "archive", "--format=tar", resolve(rev)],
                                   stdout=subprocess.PIPE)
        subprocess.run(["tar", "-x", "-C", str(dest)], stdin=archive.stdout, check=True)
        archive.stdout.close()
        if archive.wait() != 0:
            raise RuntimeError(f"git archive {rev} failed")
    return dest
