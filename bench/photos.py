"""Measure the photo stage against Hugo's image processing, in one run.

    python3 bench/photos.py                      50 and 200 photos, 3 rounds
    python3 bench/photos.py --sizes 11 --repeat 1

The photos are phone-sized (4032x3024 JPEGs, noisy so that they weigh what a
phone's do, GPS tags, EXIF orientation 6 on every other one), generated once
into a temporary folder (not timed) and hard-linked into each tool's site.
Each tool makes the same widths of each photo: the widths of derive.USES,
read when this runs, at derive.JPEG_QUALITY.

For each size and round the tools take turns (who goes first alternates):
cold build (no output, no cache), warm build with nothing changed, warm
build with public/ deleted but the cache kept.  It prints each round, then
the medians, Hugo's cold time per photo over branchboard's, and the aims of
issue 21 beside them.  Nothing here asserts; every cold build's derived files
are checked for their number and orientation, or the figures would compare
different work.

Peak memory is the peak of the sum of the resident memory (RSS) of the
build's whole process tree (branchboard forks worker processes), polled
every POLL_SECONDS from /proc while the build runs.  It is not the
``ru_maxrss`` that wait4 or RUSAGE_CHILDREN give: that is the largest one
process, which for a parent and two workers is far less than the three
together.  The sum counts twice what a forked worker still shares with its
parent, so the proportional share (PSS) of the tree is printed beside it:
reading PSS costs about 10 ms a process, too dear to poll, so it is read each
time the RSS sum grows by PSS_STEP, which makes it a lower bound.

Hugo (when ``hugo`` is on PATH) builds a throwaway site: one page bundle per
photo whose template calls ``.Resize "<width>x q82"`` for each width.  Hugo
does not apply EXIF orientation when it resizes, in 0.111 nor since (0.122
added an ``images.AutoOrient`` filter, not a default), so the template reads
``.Exif.Tags.Orientation`` and adds ``r270``, ``r90`` or ``r180``, the way
Hugo's users do (0.111 has no flip: orientations 2, 4, 5 and 7 would stay
mirrored; these photos have none).  Its originals are not published
(``publishResources: false``), as branchboard's are not.  Hugo as it comes:
Box resampling (branchboard: Lanczos), baseline JPEG (branchboard:
progressive, optimised), default worker count; it makes one resized image at
a time (its imageProcWorkers is 1; the resize itself uses every core) and
decodes the source again for each width.  Cold is a fresh --cacheDir and no
resources/ or public/; warm uses them again.
"""

from __future__ import annotations

import argparse
import compileall
import io
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(HERE))

import PIL  # noqa: E402
from PIL import Image  # noqa: E402

from branchboard.parallel import map_in_processes  # noqa: E402
from branchboard.photos.derive import JPEG_QUALITY, USES, widths_for  # noqa: E402
from run import cpu_model  # noqa: E402

NOW = "2026-11-29"  # the day the builds take as today
PHOTO_SIZE = (4032, 3024)  # as stored; orientation 6 shows it 3024 wide
POLL_SECONDS = 0.02
PSS_STEP = 1.05
DISK_PER_PHOTO = 16e6  # bytes: the photo, and one round's cache and outputs of both tools
AIM_RATIO, AIM_WARM_S, AIM_PEAK_MB = 2.0, 0.2, 300


def is_turned(index: int) -> bool:
    return index % 2 == 1


def phone_photo(seed: int) -> bytes:
    """A 12-megapixel JPEG with GPS tags; odd seeds are held upright (stored
    on their side, EXIF orientation 6), even ones are not turned."""
    noise = [Image.effect_noise(PHOTO_SIZE, 40 + 5 * ((seed + i) % 4)) for i in range(3)]
    image = Image.merge("RGB", noise)
    exif = Image.Exif()
    exif[0x0112] = 6 if is_turned(seed) else 1
    exif[0x8825] = {1: "N", 2: (37.0, 51.0, 12.5), 3: "E", 4: (112.0, 32.0, 41.2)}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=75, exif=exif)
    return out.getvalue()


def _write_photo(folder: Path, index: int) -> None:
    (folder / f"p{index}.jpg").write_bytes(phone_photo(index))


def write_photos(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True)
    list(map_in_processes(_write_photo, list(range(count)), min_items=2, state=folder))
    return [folder / f"p{i}.jpg" for i in range(count)]


class Widths(NamedTuple):
    """The widths made of a photo, by its shape: a slot a photo fills makes
    a landscape one wider than a portrait one."""

    turned: tuple[int, ...]  # stored on its side (orientation 6): shown portrait
    upright: tuple[int, ...]  # shown as stored: landscape

    def of(self, turned: bool) -> tuple[int, ...]:
        return self.turned if turned else self.upright

    def __str__(self) -> str:
        return f"{', '.join(map(str, self.turned))} (portrait) and {', '.join(map(str, self.upright))} (landscape)"


def widths_made() -> Widths:
    """Every width branchboard makes of these photos, whatever the use."""
    def every(size: tuple[int, int]) -> tuple[int, ...]:
        return tuple(sorted({w for use in USES.values() for w in widths_for(size, use)}))

    width, height = PHOTO_SIZE
    return Widths(every((height, width)), every((width, height)))


class Run(NamedTuple):
    """One build, measured."""

    seconds: float
    rss_mb: float  # peak of the process tree's summed RSS
    pss_mb: float  # the tree's summed PSS, read at the RSS sum's highs


class MemoryWatch:
    """The peak memory of a process and all its descendants, polled from
    /proc in a thread while it runs (Linux)."""

    def __init__(self, pid: int):
        self.pid = pid
        self.rss = 0  # bytes
        self.pss = 0
        self._pss_read_at = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> "MemoryWatch":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _poll(self) -> None:
        page = os.sysconf("SC_PAGE_SIZE")
        while not self._stop.wait(POLL_SECONDS):
            pids = process_tree(self.pid)
            rss = sum(_statm_rss(pid) for pid in pids) * page
            if rss > self.rss:
                self.rss = rss
                if rss > self._pss_read_at * PSS_STEP:
                    self._pss_read_at = rss
                    self.pss = max(self.pss, sum(_pss_kb(pid) for pid in pids) * 1024)


def process_tree(pid: int) -> list[int]:
    """The process and its descendants, as /proc lists each thread's children."""
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        found.append(parent)
        try:
            threads = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for thread in threads:
            try:
                with open(f"/proc/{parent}/task/{thread}/children") as fh:
                    todo.extend(int(child) for child in fh.read().split())
            except OSError:
                pass
    return found


def _statm_rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1])
    except (OSError, IndexError, ValueError):  # ended meanwhile
        return 0


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, IndexError, ValueError):
        pass
    return 0


def run_measured(cmd: list[str], cwd: Path, env: dict[str, str]) -> Run:
    """Wall seconds and peak memory of one command; its errors if it fails."""
    with tempfile.TemporaryFile() as errors:  # not a pipe: progress lines could fill it
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        with MemoryWatch(proc.pid) as memory:
            try:
                proc.wait()
            except BaseException:  # Ctrl-C: the build ends before its folder is deleted
                proc.kill()
                proc.wait()
                raise
        seconds = time.perf_counter() - started
        if proc.returncode != 0:
            errors.seek(0)
            raise RuntimeError(f"{' '.join(cmd)} failed (exit {proc.returncode}):\n"
                               f"{errors.read().decode('utf-8', 'replace')[-2000:]}")
    return Run(seconds, memory.rss / 2**20, memory.pss / 2**20)


class Tool:
    """A site of the photos in one tool's layout, and its three builds."""

    name = ""
    outputs: tuple[str, ...] = ()  # what a cold build starts without
    derived_name = re.compile("")  # a derived file's name; group 1: its photo

    def __init__(self, root: Path, trash: Path):
        self.root = root
        self.trash = trash

    def command(self) -> list[str]:
        raise NotImplementedError

    def cold(self) -> Run:
        self.set_aside(self.outputs)
        return self.build()

    def warm(self) -> Run:
        return self.build()

    def warm_without_public(self) -> Run:
        self.set_aside(("public",))
        return self.build()

    def build(self) -> Run:
        env = {k: v for k, v in os.environ.items() if k != "HUGO_NUMWORKERMULTIPLIER"}
        return run_measured(self.command(), self.root, env)

    def set_aside(self, names: tuple[str, ...]) -> None:
        """Moved, not deleted: deleting hundreds of files just before a
        build would time the disk's bookkeeping too (see run.py's clean)."""
        self.trash.mkdir(exist_ok=True)
        aside = Path(tempfile.mkdtemp(dir=self.trash))
        for name in names:
            if (self.root / name).exists():
                (self.root / name).rename(aside / name)

    def derived(self) -> dict[str, list[Path]]:
        """The published files made of the photos, by photo."""
        found: dict[str, list[Path]] = {}
        for path in (self.root / "public").rglob("*.jpg"):
            matched = self.derived_name.fullmatch(path.name)
            if matched:
                found.setdefault(matched.group(1), []).append(path)
        return found


class Branchboard(Tool):
    name = "branchboard"
    outputs = ("public", ".cache")
    derived_name = re.compile(r"(p\d+)-\d+w\.[0-9a-f]+\.jpg")

    def command(self) -> list[str]:
        return [sys.executable, str(PROJECT / "build.py"), "build", "--now", NOW]


class Hugo(Tool):
    name = "Hugo"
    outputs = ("public", "resources", ".hugo_cache")
    derived_name = re.compile(r"(p\d+)_hu.*_resize_.*\.jpg")

    def command(self) -> list[str]:
        return ["hugo", "--quiet", "--cacheDir", str(self.root / ".hugo_cache")]


def make_branchboard_site(root: Path, photos: list[Path]) -> None:
    """Each photo the cover and the body image of an article."""
    (root / "content/news/images").mkdir(parents=True)
    (root / "site.yaml").write_text("title: 测试\nsections: [news]\n", encoding="utf-8")
    for i, photo in enumerate(photos):
        os.link(photo, root / f"content/news/images/{photo.name}")
        (root / f"content/news/a{i}.md").write_text(
            f"---\ntitle: 文章{i}\ndate: 2026-11-{i % 28 + 1:02d}\ncover: images/{photo.name}\n---\n"
            f"正文。\n\n![照片](images/{photo.name})\n", encoding="utf-8")


HUGO_CONFIG = """\
baseURL = "https://example.org/"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
"""

# Hugo's r<n> turns counter-clockwise, before it resizes
HUGO_SINGLE = """\
{{- range .Resources.ByType "image" }}
  {{- $image := . }}
  {{- $orientation := 1 }}
  {{- with .Exif }}{{ with .Tags.Orientation }}{{ $orientation = . }}{{ end }}{{ end }}
  {{- $turn := cond (eq $orientation 6) " r270" (cond (eq $orientation 8) " r90"
       (cond (eq $orientation 3) " r180" "")) }}
  {{- range cond (or (eq $orientation 6) (eq $orientation 8)) (slice TURNED) (slice UPRIGHT) }}
    {{- with $image.Resize (printf "%dx qQUALITY%s" . $turn) }}
<img src="{{ .RelPermalink }}" width="{{ .Width }}" height="{{ .Height }}">
    {{- end }}
  {{- end }}
{{- end }}
"""


def make_hugo_site(root: Path, photos: list[Path], widths: Widths) -> None:
    """Each photo a page bundle's resource, resized to every width."""
    (root / "layouts/_default").mkdir(parents=True)
    (root / "config.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    single = (HUGO_SINGLE.replace("TURNED", " ".join(map(str, widths.turned)))
              .replace("UPRIGHT", " ".join(map(str, widths.upright))).replace("QUALITY", str(JPEG_QUALITY)))
    (root / "layouts/_default/single.html").write_text(single, encoding="utf-8")
    (root / "layouts/_default/list.html").write_text("{{ .Title }}\n", encoding="utf-8")
    for i, photo in enumerate(photos):
        bundle = root / f"content/news/a{i}"
        bundle.mkdir(parents=True)
        os.link(photo, bundle / photo.name)
        (bundle / "index.md").write_text(
            f"---\ntitle: 文章{i}\ndate: 2026-11-{i % 28 + 1:02d}\n_build:\n  publishResources: false\n---\n"
            "正文。\n", encoding="utf-8")


def check_derived(tool: Tool, count: int, widths: Widths) -> None:
    """Every photo made at every width, upright: else the figures compare different work."""
    derived = tool.derived()
    for i in range(count):
        files = derived.get(f"p{i}", [])
        sizes = sorted(_size(path) for path in files)
        wanted = list(widths.of(is_turned(i)))
        if [w for w, _h in sizes] != wanted or any((h > w) != is_turned(i) for w, h in sizes):
            raise RuntimeError(f"{tool.name} made {sizes} of p{i}.jpg, not {wanted} wide "
                               f"{'portrait' if is_turned(i) else 'landscape'}")
    if len(derived) != count:
        raise RuntimeError(f"{tool.name} made files of {len(derived)} photos, not {count}")


def _size(path: Path) -> tuple[int, int]:
    with Image.open(path) as image:
        return image.size


@dataclass
class Measured:
    """One tool's builds at one size, round by round."""

    cold: list[Run] = field(default_factory=list)
    warm: list[Run] = field(default_factory=list)  # nothing changed
    warm_cached: list[Run] = field(default_factory=list)  # public/ deleted, the cache kept


BUILDS = (("cold", Tool.cold), ("warm", Tool.warm), ("warm_cached", Tool.warm_without_public))


def measure(tools: list[Tool], count: int, widths: Widths, repeat: int) -> dict[str, Measured]:
    """The tools' builds in turns, round by round; each round is printed."""
    results = {tool.name: Measured() for tool in tools}
    for round_no in range(repeat):
        order = tools if round_no % 2 == 0 else tools[::-1]  # neither always goes first
        for kind, build in BUILDS:
            for tool in order:
                getattr(results[tool.name], kind).append(build(tool))
                if kind == "cold":
                    check_derived(tool, count, widths)
        print(f"round {round_no + 1}/{repeat}, {count} photos, load {os.getloadavg()[0]:.1f}: "
              + "; ".join(_last_round(tool.name, results[tool.name]) for tool in order), flush=True)
        for tool in tools:
            shutil.rmtree(tool.trash, ignore_errors=True)
    return results


def _last_round(name: str, m: Measured) -> str:
    return (f"{name} cold {m.cold[-1].seconds:.2f} s ({m.cold[-1].rss_mb:.0f} MB), "
            f"warm {m.warm[-1].seconds:.2f} s, public/ gone {m.warm_cached[-1].seconds:.2f} s")


def median(runs: list[Run], what: str) -> float:
    return statistics.median(getattr(run, what) for run in runs)


def print_table(results: dict[int, dict[str, Measured]]) -> None:
    print(f"\nmedians{'':12} photos  cold s  cold ms/photo  warm s  warm s, public/ gone"
          "  peak MB (RSS sum)  PSS MB")
    for count, by_tool in results.items():
        for name, m in by_tool.items():
            cold = median(m.cold, "seconds")
            print(f"{name:19} {count:6} {cold:7.2f} {cold / count * 1000:14.0f} {median(m.warm, 'seconds'):7.2f}"
                  f" {median(m.warm_cached, 'seconds'):21.2f} {median(m.cold, 'rss_mb'):18.0f}"
                  f" {median(m.cold, 'pss_mb'):7.0f}")


def print_aims(results: dict[int, dict[str, Measured]]) -> None:
    ratios = {count: median(by_tool["Hugo"].cold, "seconds") / median(by_tool["branchboard"].cold, "seconds")
              for count, by_tool in results.items() if "Hugo" in by_tool}
    if ratios:
        print("\nratio hugo/branchboard cold per photo: "
              + ", ".join(f"{count} photos {ratio:.2f}x" for count, ratio in ratios.items())
              + f" (aim: at least {AIM_RATIO:g}x)")
    largest = max(results)
    ours = results[largest]["branchboard"]
    print(f"branchboard, {largest} photos: warm (nothing changed) {median(ours.warm, 'seconds'):.2f} s "
          f"(aim: under {AIM_WARM_S} s for 200); peak {median(ours.cold, 'rss_mb'):.0f} MB RSS sum, "
          f"{median(ours.cold, 'pss_mb'):.0f} MB PSS (aim: under {AIM_PEAK_MB} MB with 200)")


def hugo_version() -> str | None:
    if shutil.which("hugo") is None:
        return None
    words = subprocess.run(["hugo", "version"], capture_output=True, text=True).stdout.split()
    return words[1] if len(words) > 1 else "?"


def main() -> None:
    parser = argparse.ArgumentParser(description="photo benchmark: branchboard against Hugo")
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 200], help="photos per site")
    parser.add_argument("--repeat", type=int, default=3, help="rounds per size")
    parser.add_argument("--no-hugo", action="store_true", help="measure branchboard alone")
    args = parser.parse_args()
    widths, hugo = widths_made(), None if args.no_hugo else hugo_version()
    print(f"# photo benchmark\n\n{os.cpu_count()} cores ({cpu_model()}), Python {platform.python_version()}, "
          f"Pillow {PIL.__version__}; widths {widths} at quality {JPEG_QUALITY}")
    print(f"Hugo {hugo}" if hugo else "measuring branchboard alone" + ("" if args.no_hugo else " (hugo is not on PATH)"),
          flush=True)
    compileall.compile_dir(PROJECT / "branchboard", quiet=1)  # measured as installed: bytecode compiled
    with tempfile.TemporaryDirectory(prefix="branchboard-photos-") as tmp:
        work = Path(tmp)
        needed = max(args.sizes) * DISK_PER_PHOTO
        if shutil.disk_usage(work).free < needed:
            sys.exit(f"{work} has less than the {needed / 1e9:.1f} GB free this needs (TMPDIR can name another)")
        print(f"generating {max(args.sizes)} photos", flush=True)
        photos = write_photos(work / "photos", max(args.sizes))
        results = {}
        for count in args.sizes:
            tools: list[Tool] = [Branchboard(work / f"branchboard-{count}", work / "trash-branchboard")]
            make_branchboard_site(tools[0].root, photos[:count])
            if hugo:
                tools.append(Hugo(work / f"hugo-{count}", work / "trash-hugo"))
                make_hugo_site(tools[1].root, photos[:count], widths)
            results[count] = measure(tools, count, widths, args.repeat)
            for tool in tools:
                shutil.rmtree(tool.root)
        print_table(results)
        print_aims(results)


if __name__ == "__main__":
    main()
