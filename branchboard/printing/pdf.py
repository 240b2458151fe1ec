"""The print command: build the site, then a PDF beside each print page.

    1. build the site                                pipeline.build
    2. find the print pages that name a PDF          pdf_jobs
    3. find a headless Chromium, Chrome or Edge      find_browser
    4. render each page to a temporary file,
       check it and rename it into place             render_pdf

Chromium's own command line is enough (``--print-to-pdf`` honours CSS
``@page`` sizes to 0.2 mm), so printing needs nothing beyond the browser.
Each run gets a fresh profile in a temporary folder; PDFs are only ever
written inside the output folder.  Without a browser the command explains
how to print from one and still leaves the HTML print pages.
"""

from __future__ import annotations

import dataclasses
import html
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from branchboard.command import command_name
from branchboard.build import pipeline
from branchboard.site.config import load_config
from branchboard.errors import BuildFailed, Report

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable",
                 "chrome", "msedge", "microsoft-edge", "microsoft-edge-stable")
# Where Windows and macOS install them (not on PATH there).
INSTALLED = (
    r"%ProgramFiles%\Google\Chrome\Application\chrome.exe",
    r"%ProgramFiles(x86)%\Google\Chrome\Application\chrome.exe",
    r"%LocalAppData%\Google\Chrome\Application\chrome.exe",
    r"%ProgramFiles(x86)%\Microsoft\Edge\Application\msedge.exe",
    r"%ProgramFiles%\Microsoft\Edge\Application\msedge.exe",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
)
QUIET_FLAGS = ("--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-extensions", "--disable-breakpad", "--no-default-browser-check",
               "--no-pdf-header-footer")
TIMEOUT_SECONDS = 180
# Most of a render is the browser starting: two at once on two cores are
# faster than one after another.
WORKERS = max(1, min(2, os.cpu_count() or 1))
PDF_TARGET = re.compile(r'<html [^>]*data-pdf="([^"]+)" data-pdf-pages="(\d+)" '
                        r'data-pdf-size-mm="([\d.]+) ([\d.]+)"')
MEDIABOX = re.compile(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]")
SIZE_TOLERANCE_MM = 1.0
PRINT_DIR = "print"

NO_BROWSER_HELP = """\
没有找到 Chromium、Google Chrome 或 Microsoft Edge，所以没有生成 PDF；打印网页已经生成在 {folder}。

在浏览器里打印（Chrome、Edge 或 Chromium）：
  1. 用浏览器打开 {index}，点开要打印的条幅、单字拼贴、光荣榜或示范岗牌；
  2. 按 Ctrl+P，“目标打印机”选“另存为 PDF”（或直接选打印机）；
  3. 点“更多设置”：缩放选“实际大小”（100%），边距选“无”，勾选“背景图形”；
     纸张大小已经由打印页设定好，不要改。
  条幅超过 5.08 米时，请同时打开旁边的 1:10 缩样页另存一份，交印刷厂按比例放大喷绘。

装好浏览器后再运行 {command} print，就会自动生成 PDF：
  Debian、统信 UOS、麒麟等 Linux：sudo apt install chromium（Ubuntu：sudo snap install chromium）
  Windows：安装 Google Chrome 或 Microsoft Edge（Windows 10/11 自带 Edge）
  浏览器装在别处时，在 site.yaml 里写一行 浏览器路径: 后面跟浏览器程序的完整路径。"""


@dataclass(frozen=True)
class PdfJob:
    page: Path  # the print page, inside the output folder
    target: Path  # the PDF beside it
    pages: int  # what the page declares
    width_mm: float
    height_mm: float


@dataclass(frozen=True)
class Rendered:
    job: PdfJob
    ok: bool
    seconds: float
    sizes: tuple[tuple[float, float], ...] = ()  # of each page, mm
    problem: str = ""


def run_print(options, chromium: str | None = None, out=sys.stdout, err=sys.stderr) -> int:
    """`python build.py print`: 0 when the pages (and any PDFs) are written, 1 otherwise."""
    options = dataclasses.replace(options, write=True)
    try:
        result = pipeline.build(options)
    except BuildFailed as failed:
        for problem in failed.report.sorted():
            print(problem, file=err)
        print(f"\n发现 {len(failed.report.errors)} 个错误，请按上面的提示修改后重新运行；没有生成打印页和 PDF。",
              file=err)
        return 1
    for problem in result.report.sorted():
        print(problem, file=err)
    out_dir = options.out.resolve()
    if result.unchanged:
        print("网站内容没有变化，网页不用重新生成。", file=out)
    else:
        print(f"生成完毕：{result.pages} 个网页，用时 {result.seconds:.2f} 秒。", file=out)
    # from the folder, not the build's outputs: a build that changed little rendered little
    jobs = pdf_jobs(written_print_pages(out_dir), out_dir)
    if not jobs:
        print("没有可打印的内容：data 里没有正在或即将悬挂的条幅、光荣榜或党员示范岗。", file=out)
        return 0
    config = load_config(options.site_dir, Report())
    configured = config.chromium if config else ""
    browser, problem = find_browser(chromium, configured, options.site_dir)
    if browser is None:
        if problem:
            print(problem, file=out)
        print(NO_BROWSER_HELP.format(folder=out_dir / "print", index=out_dir / "print" / "index.html",
                                     command=command_name()), file=out)
        return 0
    return _render_all(browser, jobs, out_dir, out, err)


def written_print_pages(out_dir: Path) -> dict[str, str]:
    folder = out_dir / PRINT_DIR
    return {f"{PRINT_DIR}/{p.name}": p.read_text(encoding="utf-8")
            for p in sorted(folder.glob("*.html"))} if folder.is_dir() else {}


def remove_stale_pdfs(out_dir: Path, jobs: list[PdfJob]) -> list[str]:
    """PDFs an earlier print run made for pages that are gone or now make another file."""
    current = {job.target for job in jobs}
    stale = [p for p in sorted((out_dir / PRINT_DIR).glob("*.pdf")) if p.resolve() not in current]
    for path in stale:
        path.unlink()
    return [p.name for p in stale]


def _render_all(browser: str, jobs: list[PdfJob], out_dir: Path, out, err) -> int:
    started = time.perf_counter()
    print(f"用 {browser} 生成 {len(jobs)} 个 PDF……", file=out)
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        results = list(pool.map(lambda job: render_pdf(browser, job), jobs))
    failed = 0
    for r in results:
        rel = r.job.target.relative_to(out_dir).as_posix()
        if not r.ok:
            failed += 1
            print(f"{rel}: 错误：{r.problem}", file=err)
            continue
        w, h = r.sizes[0]
        print(f"  {rel}：{len(r.sizes)} 页，{w:.1f} × {h:.1f} 毫米，{r.seconds:.1f} 秒", file=out)
        if len(r.sizes) != r.job.pages or any(
                abs(pw - r.job.width_mm) > SIZE_TOLERANCE_MM or abs(ph - r.job.height_mm) > SIZE_TOLERANCE_MM
                for pw, ph in r.sizes):
            print(f"{rel}: 警告：应为 {r.job.pages} 页、每页 {r.job.width_mm:g} × {r.job.height_mm:g} 毫米，"
                  f"请检查打印页 {r.job.page.name}", file=err)
    total = time.perf_counter() - started
    for name in remove_stale_pdfs(out_dir, jobs):
        print(f"  已删除过时的 {PRINT_DIR}/{name}", file=out)
    if failed:
        print(f"\n{failed} 个 PDF 没有生成（见上面的错误）；打印页仍可在浏览器里打印。", file=err)
        return 1
    print(f"PDF 生成完毕：{len(results)} 个，用时 {total:.1f} 秒，在 {out_dir / 'print'}；"
          f"交印刷厂哪个文件，见 {out_dir / 'print' / 'index.html'}。", file=out)
    return 0


def pdf_jobs(pages: dict[str, str], out_dir: Path) -> list[PdfJob]:
    """Every written print page that names its PDF, in path order."""
    jobs = []
    for rel in sorted(pages):
        if not rel.startswith(f"{PRINT_DIR}/") or not rel.endswith(".html"):
            continue
        found = PDF_TARGET.search(pages[rel])
        if not found:
            continue
        page = out_dir.joinpath(*rel.split("/"))
        target = (page.parent / html.unescape(found.group(1))).resolve()
        if target.parent != page.parent.resolve() or target.suffix != ".pdf":
            continue  # a theme may not send a PDF anywhere but beside its page
        jobs.append(PdfJob(page, target, int(found.group(2)), float(found.group(3)), float(found.group(4))))
    return jobs


def find_browser(given: str | None, configured: str, site_dir: Path) -> tuple[str | None, str]:
    """(path, "") of a Chromium-family browser, or (None, why) when there is none.

    A path given on the command line or in site.yaml is used as it is; only
    without one are PATH and the usual install folders searched.
    """
    for chosen, where, base in ((given, "指定的", Path.cwd()), (configured, " site.yaml 里写的", site_dir)):
        if chosen:
            path = base / os.path.expandvars(os.path.expanduser(chosen))
            found = path if path.is_file() else shutil.which(chosen)
            if found:
                return _real_binary(str(found)), ""
            return None, f"找不到{where}浏览器程序：{chosen}"
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return _real_binary(found), ""
    for candidate in INSTALLED:
        path = Path(os.path.expandvars(candidate))
        if "%" not in str(path) and path.is_file():
            return str(path), ""
    return None, ""


def _real_binary(path: str) -> str:
    """Debian's /usr/bin/chromium is a shell script around /usr/lib/chromium/chromium."""
    real = Path("/usr/lib") / Path(path).name / Path(path).name
    try:
        is_script = Path(path).read_bytes()[:2] == b"#!"
    except OSError:
        return path
    return str(real) if is_script and real.is_file() else path


def render_pdf(browser: str, job: PdfJob) -> Rendered:
    """One page to one PDF: a temporary name beside the target, checked, then renamed."""
    started = time.perf_counter()
    partial = job.target.with_name(f".{job.target.stem}.{uuid.uuid4().hex[:8]}.part.pdf")
    with tempfile.TemporaryDirectory(prefix="branchboard-print-") as scratch:
        # the browser keeps its profile, crash reports and caches in the scratch folder
        env = {**os.environ, "HOME": scratch, "XDG_CONFIG_HOME": scratch, "XDG_CACHE_HOME": scratch}
        command = [browser, *QUIET_FLAGS, f"--user-data-dir={Path(scratch) / 'profile'}",
                   f"--print-to-pdf={partial}", job.page.as_uri()]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.insert(1, "--no-sandbox")  # Chromium will not start as root with its sandbox
        try:
            proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                    start_new_session=True)
            try:
                _, stderr = proc.communicate(timeout=TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                _stop(proc)
                return _failed(job, partial, started, f"浏览器 {TIMEOUT_SECONDS} 秒内没有完成")
        except OSError as exc:
            return _failed(job, partial, started, f"无法启动浏览器 {browser}：{exc}")
    data = partial.read_bytes() if partial.is_file() else b""
    sizes = pdf_page_sizes(data)
    if not data.startswith(b"%PDF") or not sizes:
        detail = _last_error(stderr.decode("utf-8", "replace"))
        return _failed(job, partial, started, "浏览器没有输出 PDF" + (f"（{detail}）" if detail else ""))
    os.replace(partial, job.target)
    return Rendered(job, True, time.perf_counter() - started, sizes)


def _stop(proc: subprocess.Popen) -> None:
    """End the browser we started and the helpers it started, by their group."""
    try:
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except ProcessLookupError:
        pass
    proc.wait()


def _failed(job: PdfJob, partial: Path, started: float, problem: str) -> Rendered:
    partial.unlink(missing_ok=True)
    job.target.unlink(missing_ok=True)  # an older PDF of this page would no longer match it
    return Rendered(job, False, time.perf_counter() - started, problem=problem)


def _last_error(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if "ERROR" in line and "dbus" not in line]
    return lines[-1].split("] ", 1)[-1][:200] if lines else ""


def pdf_page_sizes(data: bytes) -> tuple[tuple[float, float], ...]:
    """Each page's size in mm, read from its MediaBox (Chromium writes them uncompressed)."""
    sizes = []
    for box in MEDIABOX.finditer(data):
        x0, y0, x1, y1 = (float(v) for v in box.groups())
        sizes.append((round((x1 - x0) * 25.4 / 72, 2), round((y1 - y0) * 25.4 / 72, 2)))
    return tuple(sizes)
