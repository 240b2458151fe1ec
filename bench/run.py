"""Measure branchboard, and Hugo, Pelican and MkDocs where they are installed.

For each size it generates the same synthetic articles in each tool's layout
and measures, as medians over several runs (the tools taking turns, one round
each per run):

* cold build (no output, no cache),
* build again with nothing changed,
* build after editing one article,
* peak memory of a cold build,
* for branchboard, the dev server's latency from saving an article to the
  rebuilt pages being ready (in process, as `serve` does it).

It prints a table and the ratios the project promises.  Nothing here asserts:
the figures are for people to read.

    python bench/run.py --sizes 1000 5000 --runs 3
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(HERE))

import generate  # noqa: E402


def run_measured(cmd: list[str], cwd: Path, env: dict | None = None) -> tuple[float, float]:
    """Wall seconds and peak memory (MiB) of one command."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**os.environ, **(env or {})})
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{err[-2000:]}")
    proc.stderr.close()
    return seconds, usage.ru_maxrss / 1024


def edit_one(path: Path, n: int) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text + f"\n补充说明第{n}次。\n", encoding="utf-8")


class Tool:
    name = ""
    command: list[str] = []

    def __init__(self, root: Path):
        self.root = root
        self.trash = root.parent / ".trash"

    def available(self) -> bool:
        return shutil.which(self.command[0]) is not None

    def clean(self) -> None:
        """Take the output and the cache away, into a folder deleted when the
        benchmark ends.  Deleted here, their thousands of files would slow
        down the next build's: for minutes after, ext4 looks at each recently
        freed inode and passes it over before it gives a new file one (by
        hand, 1,000 pages took 0.06 s to create in one folder and 0.8 s in
        another), so the cold build would measure the disk's recent past, and
        by luck, more than the tool."""
        self.trash.mkdir(exist_ok=True)
        aside = Path(tempfile.mkdtemp(dir=self.trash))
        for name in self.outputs:
            if (self.root / name).exists():
                (self.root / name).rename(aside / name)

    def build(self) -> tuple[float, float]:
        return run_measured(self.command, self.root)

    def article(self) -> Path:
        raise NotImplementedError


class Branchboard(Tool):
    name = "branchboard"
    command = [sys.executable, str(PROJECT / "build.py"), "build", "--now", "2026-11-25"]
    outputs = ("public", ".cache")

    def available(self) -> bool:
        # Measured as installed: with its bytecode compiled, as pip leaves a
        # package and as Python leaves a checkout after its first run (unless
        # PYTHONDONTWRITEBYTECODE is set, which would add ~40 ms to each run).
        import compileall

        compileall.compile_dir(PROJECT / "branchboard", quiet=1)
        return True

    def article(self) -> Path:
        return self.root / "content" / "news" / "a00000.md"


class Hugo(Tool):
    name = "Hugo"
    command = ["hugo", "--quiet"]
    outputs = ("public", "resources")

    def article(self) -> Path:
        return self.root / "content" / "news" / "a00000" / "index.md"


class PythonTool(Tool):
    """A tool written in Python.  Installed beside branchboard, it runs on the
    same interpreter (``python -m``), so that what the interpreter costs (how
    it was compiled, what its start-up runs) counts alike for every Python
    tool; otherwise on the one its command on PATH names, which the table
    shows."""

    module = ""
    arguments: list[str] = []

    @functools.cached_property
    def command(self) -> list[str]:
        if importlib.util.find_spec(self.module) is not None:
            return [sys.executable, "-m", self.module, *self.arguments]
        return [self.module, *self.arguments]

    def interpreter(self) -> str:
        if self.command[0] == sys.executable:
            return sys.executable
        script = shutil.which(self.command[0])
        try:
            with open(script, "rb") as file:
                first = file.readline().decode("utf-8", "replace")
        except (OSError, TypeError):
            return "?"
        return first[2:].strip() if first.startswith("#!") else "?"


class Pelican(PythonTool):
    name = "Pelican"
    module = "pelican"
    arguments = ["content", "-s", "pelicanconf.py", "-q"]
    outputs = ("output", "cache")

    def article(self) -> Path:
        return self.root / "content" / "news" / "a00000.md"


class PelicanCached(Pelican):
    name = "Pelican (cache)"
    arguments = [*Pelican.arguments, "--cache-path", "cache",
                 "-e", "CACHE_CONTENT=true", "LOAD_CONTENT_CACHE=true", "CHECK_MODIFIED_METHOD=\"mtime\""]


class MkDocs(PythonTool):
    name = "MkDocs"
    module = "mkdocs"
    arguments = ["build", "-q"]
    outputs = ("site",)

    def article(self) -> Path:
        return self.root / "docs" / "news" / "a00000.md"


LAYOUT = {"branchboard": "branchboard", "Hugo": "hugo", "Pelican": "pelican",
          "Pelican (cache)": "pelican", "MkDocs": "mkdocs"}


def one_round(tool: Tool, n: int) -> dict:
    """Cold build (and its peak memory), build again, build after one edit."""
    tool.clean()
    cold, memory = tool.build()
    again = tool.build()[0]
    edit_one(tool.article(), n)
    return {"cold": cold, "memory": memory, "again": again, "edit": tool.build()[0]}


def measure(classes: list, size: int, runs: int, work: Path) -> dict:
    """Each available tool's medians.  The tools take turns, one round each
    per run: a machine that slows down for a while (a shared host does)
    slows every tool's figures alike, and the ratios stand."""
    tools = []
    for cls in classes:
        tool = cls(work / f"{LAYOUT[cls.name]}-{size}-{cls.__name__}")
        if tool.available():
            generate.generate(LAYOUT[tool.name], tool.root, size)
            tools.append(tool)
    rounds: dict[str, list[dict]] = {tool.name: [] for tool in tools}
    for n in range(runs):
        for tool in tools:
            rounds[tool.name].append(one_round(tool, n))
    results = {}
    for tool in tools:
        figures = rounds[tool.name]
        results[tool.name] = {key: statistics.median(f[key] for f in figures) for key in ("cold", "again", "edit")}
        results[tool.name]["memory"] = max(f["memory"] for f in figures)
        results[tool.name]["rounds"] = figures
        if isinstance(tool, Branchboard):
            results[tool.name].update(measure_branchboard_extras(tool.root, runs))
        print(f"  measured {tool.name} at {size}", file=sys.stderr)
    return results


def measure_branchboard_extras(root: Path, runs: int) -> dict:
    """Files written by a build with nothing changed, and the serve latency."""
    out = root / "public"
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    Branchboard(root).build()
    after = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    rewritten = sum(1 for p, m in after.items() if before.get(p) != m)
    return {"rewritten": rewritten, "serve": measure_serve(root, runs)}


def measure_serve(root: Path, runs: int) -> float | None:
    """Median ms from saving an article to the rebuilt pages being ready."""
    try:
        from branchboard.serve.server import measure_edit_latency
    except ImportError:
        return None
    article = Branchboard(root).article()
    return measure_edit_latency(root, article, runs=max(runs, 5))


def fmt(value, unit="s") -> str:
    if value is None:
        return "–"
    if unit == "ms":
        return f"{value:.0f} ms"
    if unit == "MiB":
        return f"{value:.0f} MiB"
    return f"{value:.2f} s"


def faster(theirs, ours) -> str:
    """How much quicker (or slower) branchboard's figure is than another tool's."""
    if not theirs or not ours:
        return "–"
    return f"{theirs / ours:.1f}× faster" if theirs >= ours else f"{ours / theirs:.1f}× slower"


def per_round(theirs: list[dict], ours: list[dict], key: str) -> str:
    """The ratio within each round, where the two tools ran seconds apart:
    the machine's drift (a shared host speeds up and slows down for minutes
    at a time) moves both figures of a round alike, and the spread of these
    ratios shows how far one run's ratio can be trusted."""
    ratios = sorted(t[key] / o[key] for t, o in zip(theirs, ours) if t[key] and o[key])
    if not ratios:
        return ""
    return (f" (their time ÷ ours by round: median {statistics.median(ratios):.1f}, "
            f"{ratios[0]:.1f} to {ratios[-1]:.1f})")


def smaller(theirs, ours) -> str:
    if not theirs or not ours:
        return "–"
    return f"{theirs / ours:.1f}× less" if theirs >= ours else f"{ours / theirs:.1f}× more"


def report(size: int, results: dict) -> None:
    print(f"\n## {size} articles\n")
    print("| tool | cold build | nothing changed | one article edited | serve: edit to ready | peak memory |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, r in results.items():
        print(f"| {name} | {fmt(r['cold'])} | {fmt(r['again'])} | {fmt(r['edit'])} | "
              f"{fmt(r.get('serve'), 'ms')} | {fmt(r['memory'], 'MiB')} |")
    bb = results["branchboard"]
    print(f"\nbranchboard, nothing changed: {bb['rewritten']} files rewritten")
    for name, r in results.items():
        if name == "branchboard":
            continue
        print(f"- vs {name}: one-edit build {faster(r['edit'], bb['edit'])}"
              f"{per_round(r['rounds'], bb['rounds'], 'edit')}, "
              f"cold build {faster(r['cold'], bb['cold'])}{per_round(r['rounds'], bb['rounds'], 'cold')}, "
              f"memory {smaller(r['memory'], bb['memory'])}")


OTHERS = (Hugo, Pelican, PelicanCached, MkDocs)


def cpu_model() -> str:
    """The processor, as Linux names it; the figures depend on it more than on anything else."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "processor unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description="branchboard benchmark")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="keep generated sites in this folder")
    others = [cls.name for cls in OTHERS]
    parser.add_argument("--tools", nargs="+", choices=others, default=others, metavar="TOOL",
                        help=f"which of {', '.join(others)} to measure beside branchboard, "
                             "when installed (default: all)")
    args = parser.parse_args()
    print(f"# branchboard benchmark\n\n{os.cpu_count()} cores ({cpu_model()}), "
          f"Python {platform.python_version()} ({sys.executable}), {platform.system()} {platform.machine()}")
    classes = [Branchboard] + [cls for cls in OTHERS if cls.name in args.tools]
    for tool in (cls(Path()) for cls in classes if issubclass(cls, PythonTool)):
        if tool.available():
            used = tool.interpreter()
            print(f"{tool.name} runs on {'the same Python' if used == sys.executable else used}")
    work = args.keep or Path(tempfile.mkdtemp(prefix="branchboard-bench-"))
    try:
        for size in args.sizes:
            report(size, measure(classes, size, args.runs, work))
    finally:
        shutil.rmtree(work / ".trash", ignore_errors=True)
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
