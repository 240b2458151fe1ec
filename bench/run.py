"""Measure branchboard, and Hugo, Pelican and MkDocs where they are installed.

For each size it generates the same synthetic articles in each tool's layout
and measures, as medians over several runs (the tools taking turns, one round
each per run):

* cold build (no output, no cache),
* build again with nothing changed,
* build after editing one article,
* peak memory of a cold build,
* for branchboard, the dev server's latency from saving an article to the
  rebuilt pages being ready (the server running in a process of its own, as
  `serve` runs it, the median of five saves per round).

It prints a table and the ratios the project promises.  Nothing here asserts:
the figures are for people to read.

With ``--against REV`` it also measures branchboard at another revision as
one more tool, in the same rounds, and prints the working tree's figures
over that revision's (new ÷ old), overall and round by round:

    python bench/run.py --sizes 1000 5000 --runs 3
    python bench/run.py --sizes 1000 --runs 5 --against c5c1c3d --tools none
"""

from __future__ import annotations

import argparse
import datetime as dt
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

import checkout  # noqa: E402
import generate  # noqa: E402

NOW = "2026-11-25"  # the day the builds take as today, so that pages and keys stay put
SERVE_SAVES = 5  # saves measured per round


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
    layout = ""  # bench/generate.py's layout of the articles
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

    def serve_latency(self) -> float | None:
        return None


class Branchboard(Tool):
    """branchboard from the working tree, or from another revision's code."""

    name = "branchboard"
    layout = "branchboard"
    outputs = ("public", ".cache")

    def __init__(self, root: Path, code: Path = PROJECT, revision: str = ""):
        super().__init__(root)
        self.code = code
        if revision:
            self.name = f"branchboard {revision}"

    @property
    def command(self) -> list[str]:
        return [sys.executable, str(self.code / "build.py"), "build", "--now", NOW]

    def available(self) -> bool:
        # Measured as installed: with its bytecode compiled, as pip leaves a
        # package and as Python leaves a checkout after its first run (unless
        # PYTHONDONTWRITEBYTECODE is set, which would add ~40 ms to each run).
        import compileall

        compileall.compile_dir(self.code / "branchboard", quiet=1)
        return True

    def article(self) -> Path:
        return self.root / "content" / "news" / "a00000.md"

    def serve_latency(self) -> float | None:
        """Median ms from saving an article to the rebuilt pages being ready,
        measured in a process running this branchboard's code, so that every
        revision is measured alike; None when the code has no such measure.
        The server takes the builds' day as today (SOURCE_DATE_EPOCH): on
        another day every page would change, and its first build and the
        next `build` would render them all again."""
        day = dt.datetime.fromisoformat(NOW).replace(tzinfo=dt.timezone.utc)
        proc = subprocess.run([sys.executable, str(HERE / "serve_latency.py"), str(self.code), str(self.root),
                               str(self.article()), str(SERVE_SAVES)],
                              cwd=self.code, capture_output=True, text=True,
                              env={**os.environ, "SOURCE_DATE_EPOCH": str(int(day.timestamp()))})
        if proc.returncode == 3:
            return None
        if proc.returncode != 0:
            raise RuntimeError(f"measuring {self.name}'s dev server failed:\n{proc.stderr[-2000:]}")
        return float(proc.stdout.split()[-1])

    def rewritten(self) -> int:
        """Files written by a build with nothing changed."""
        out = self.root / "public"
        before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
        self.build()
        after = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
        return sum(1 for p, m in after.items() if before.get(p) != m)


class Hugo(Tool):
    name = "Hugo"
    layout = "hugo"
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
    layout = "pelican"
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
    layout = "mkdocs"
    module = "mkdocs"
    arguments = ["build", "-q"]
    outputs = ("site",)

    def article(self) -> Path:
        return self.root / "docs" / "news" / "a00000.md"


def one_round(tool: Tool, n: int) -> dict:
    """Cold build (and its peak memory), build again, build after one edit,
    then the dev server's edit-to-ready latency where the tool has one."""
    tool.clean()
    cold, memory = tool.build()
    again = tool.build()[0]
    edit_one(tool.article(), n)
    edit = tool.build()[0]
    return {"cold": cold, "memory": memory, "again": again, "edit": edit, "serve": tool.serve_latency()}


def median_of(figures: list[dict], key: str) -> float | None:
    values = [f[key] for f in figures if f[key] is not None]
    return statistics.median(values) if values else None


def measure(tools: list[Tool], size: int, runs: int) -> dict:
    """Each available tool's medians.  The tools take turns, one round each
    per run, in the opposite order every other run: a machine that slows
    down for a while (a shared host does) slows every tool's figures alike,
    and the ratios stand."""
    tools = [tool for tool in tools if tool.available()]
    for tool in tools:
        generate.generate(tool.layout, tool.root, size)
    rounds: dict[str, list[dict]] = {tool.name: [] for tool in tools}
    for n in range(runs):
        for tool in tools if n % 2 == 0 else tools[::-1]:
            rounds[tool.name].append(one_round(tool, n))
    results = {}
    for tool in tools:
        figures = rounds[tool.name]
        results[tool.name] = {key: median_of(figures, key) for key in ("cold", "again", "edit", "serve")}
        results[tool.name]["memory"] = max(f["memory"] for f in figures)
        results[tool.name]["rounds"] = figures
        if isinstance(tool, Branchboard):
            results[tool.name]["rewritten"] = tool.rewritten()
        print(f"  measured {tool.name} at {size}", file=sys.stderr)
    return results


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


def per_round(theirs: list[dict], ours: list[dict], key: str, what: str = "their time ÷ ours",
              digits: int = 1) -> str:
    """The ratio within each round, where the two tools ran seconds apart:
    the machine's drift (a shared host speeds up and slows down for minutes
    at a time) moves both figures of a round alike, and the spread of these
    ratios shows how far one run's ratio can be trusted."""
    ratios = sorted(t[key] / o[key] for t, o in zip(theirs, ours) if t[key] and o[key])
    if not ratios:
        return ""
    return (f" ({what} by round: median {statistics.median(ratios):.{digits}f}, "
            f"{ratios[0]:.{digits}f} to {ratios[-1]:.{digits}f})")


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
    print()
    for name, r in results.items():
        if "rewritten" in r:
            print(f"{name}, nothing changed: {r['rewritten']} files rewritten")
    bb = results["branchboard"]
    for name, r in results.items():
        if name.startswith("branchboard"):  # another revision's is reported by report_against
            continue
        print(f"- vs {name}: one-edit build {faster(r['edit'], bb['edit'])}"
              f"{per_round(r['rounds'], bb['rounds'], 'edit')}, "
              f"cold build {faster(r['cold'], bb['cold'])}{per_round(r['rounds'], bb['rounds'], 'cold')}, "
              f"memory {smaller(r['memory'], bb['memory'])}")


MEASURES = {"cold": "cold build", "again": "nothing changed", "edit": "one article edited",
            "serve": "serve: edit to ready", "memory": "peak memory"}


def report_against(results: dict, revision: str) -> None:
    """The working tree's figures over another revision's, measured in the same rounds."""
    new, was = results["branchboard"], results[f"branchboard {revision}"]
    print(f"\nworking tree ÷ {revision} (new ÷ old; below 1: the working tree is quicker or smaller):")
    for key, what in MEASURES.items():
        if new[key] and was[key]:
            print(f"- {what}: {new[key] / was[key]:.2f}"
                  f"{per_round(new['rounds'], was['rounds'], key, 'new ÷ old', 2)}")


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
    parser.add_argument("--tools", nargs="+", choices=[*others, "none"], default=others, metavar="TOOL",
                        help=f"which of {', '.join(others)} to measure beside branchboard, "
                             "when installed (default: all; none: only branchboard)")
    parser.add_argument("--against", metavar="REV",
                        help="also measure branchboard at this git revision, in the same rounds")
    args = parser.parse_args()
    try:
        against = checkout.label(args.against) if args.against else ""
    except ValueError as err:
        parser.error(str(err))
    print(f"# branchboard benchmark\n\n{os.cpu_count()} cores ({cpu_model()}), "
          f"Python {platform.python_version()} ({sys.executable}), {platform.system()} {platform.machine()}")
    classes = [Branchboard] + [cls for cls in OTHERS if cls.name in args.tools]
    for tool in (cls(Path()) for cls in classes if issubclass(cls, PythonTool)):
        if tool.available():
            used = tool.interpreter()
            print(f"{tool.name} runs on {'the same Python' if used == sys.executable else used}")
    if against:
        print(f"branchboard: the {checkout.label(None)}; branchboard {against}: that revision")
    work = args.keep or Path(tempfile.mkdtemp(prefix="branchboard-bench-"))
    try:
        if against:
            code = work / f"code-{against}"
            shutil.rmtree(code, ignore_errors=True)
            checkout.export(args.against, code)
        for size in args.sizes:
            tools = [cls(work / f"{cls.layout}-{size}-{cls.__name__}") for cls in classes]
            if against:
                tools.insert(1, Branchboard(work / f"branchboard-{size}-{against}", code, against))
            results = measure(tools, size, args.runs)
            report(size, results)
            if against:
                report_against(results, against)
    finally:
        shutil.rmtree(work / ".trash", ignore_errors=True)
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
