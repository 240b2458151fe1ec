"""How fast the editor answers an article's 保存 and 预览, on loopback.

For the example board and a generated board of --articles articles (each
copied or generated into a temporary folder), starts `build.py serve` as a
process of its own on 127.0.0.1 and a free port, opens one article's form
the way the browser does (cookie, CSRF token), then --runs times:

    save      POST /admin/articles/save with the body changed (a real write),
              then the GET of the form it redirects to
    preview   POST /admin/articles/preview, the request the form sends after
              保存 and after a pause in typing, until its HTML is back
    total     the two together: from 保存 to the preview shown

Between runs it waits for the rebuild the save started, so each run starts
from a quiet server.  Prints the median and the 90th percentile of each, in
milliseconds; the aims (150 ms on the example board, 300 ms at 1,000
articles, for the total) are printed beside them.  Nothing here asserts.
The server is stopped by its process id.

    python3 bench/editor.py [--articles 1000] [--runs 20]
"""

from __future__ import annotations

import argparse
import http.client
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlencode

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT / "bench"))

import generate  # noqa: E402

AIMS = {"example": 150, "generated": 300}  # ms, from 保存 to the preview shown
READY_SECONDS = 300  # the first build of a generated board, on a slow machine
QUIET_SECONDS = 10  # the longest wait for a save's rebuild to finish


class Editor:
    """One editor page on a served board, as the browser holds it: cookie, form."""

    def __init__(self, port: int, rel: str):
        self.port = port
        self.rel = rel
        self.cookie = ""
        self.form: dict[str, str] = {}

    def request(self, method: str, path: str, fields: dict | None = None) -> tuple[int, dict, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        body = None
        if fields is not None:
            body = urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://127.0.0.1:{self.port}"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            conn.close()
        cookie = response.headers.get("Set-Cookie") or ""
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return response.status, dict(response.headers), text

    def open(self) -> None:
        """The form's fields as the page holds them."""
        import html

        status, _headers, page = self.request("GET", f"/admin/articles/edit?file={quote(self.rel)}")
        if status != 200:
            raise RuntimeError(f"the form did not open: HTTP {status}")
        found = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)
        found += re.findall(r'<input id="f-[a-z]+" name="(m\.[a-z]+)" type="[a-z]+" value="([^"]*)"', page)
        found += re.findall(r'<textarea id="f-[a-z]+" name="(m\.[a-z]+)" rows="\d+">([^<]*)</textarea>', page)
        found.append(("body", re.search(r'class="markdown">\n([^<]*)</textarea>', page, re.S).group(1)))
        self.form = {name: html.unescape(value) for name, value in found}

    def save(self, body: str) -> float:
        """Seconds for a save and the form it leads to; the form's version follows the file."""
        started = time.perf_counter()
        status, headers, page = self.request("POST", "/admin/articles/save", {**self.form, "body": body,
                                                                                "do": "save"})
        if status != 303:
            raise RuntimeError(f"the save was refused: HTTP {status}\n{page[:2000]}")
        self.request("GET", headers["Location"])
        seconds = time.perf_counter() - started
        self.open()
        return seconds

    def preview(self, body: str) -> float:
        started = time.perf_counter()
        status, _headers, page = self.request("POST", "/admin/articles/preview", {**self.form, "body": body})
        if status != 200 or "prose" not in page:
            raise RuntimeError(f"no preview: HTTP {status}")
        return time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(site: Path, port: int) -> subprocess.Popen:
    """`build.py serve` for the site, its output thrown away."""
    return subprocess.Popen([sys.executable, str(PROJECT / "build.py"), "serve", "--site", str(site),
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_until_ready(editor: Editor, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"serve ended with exit code {process.returncode}")
        try:
            editor.open()
            return
        except (OSError, RuntimeError):
            time.sleep(0.2)
    raise RuntimeError("serve did not answer in time")


def wait_for_rebuild(editor: Editor, before: str) -> str:
    """The build id once the save's rebuild has replaced ``before`` (or after QUIET_SECONDS)."""
    deadline = time.monotonic() + QUIET_SECONDS
    while time.monotonic() < deadline:
        status, _headers, now = editor.request("GET", "/build-id.txt")
        if status == 200 and now != before:
            return now
        time.sleep(0.05)
    return before


def measure(site: Path, rel: str, runs: int) -> dict[str, list[float]]:
    port = free_port()
    process = serve(site, port)
    try:
        editor = Editor(port, rel)
        wait_until_ready(editor, process)
        original = editor.form["body"]
        build_id = editor.request("GET", "/build-id.txt")[2]
        times: dict[str, list[float]] = {"save": [], "preview": [], "total": []}
        for run in range(runs):
            body = f"{original.rstrip()}\n\n第 {run + 1} 次修改。\n"
            saved = editor.save(body)
            previewed = editor.preview(body)
            times["save"].append(saved)
            times["preview"].append(previewed)
            times["total"].append(saved + previewed)
            build_id = wait_for_rebuild(editor, build_id)
        return times
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def copy_example(into: Path) -> Path:
    site = into / "example"
    shutil.copytree(PROJECT, site, ignore=shutil.ignore_patterns(".git", "public", ".cache", ".history", "tests",
                                                                 "bench", "docs", "__pycache__"))
    return site


def first_article(site: Path) -> str:
    found = sorted((site / "content").rglob("*.md"))
    return found[0].relative_to(site).as_posix()


def report(name: str, times: dict[str, list[float]], aim: int) -> None:
    print(f"{name}:")
    for what, seconds in times.items():
        ms = sorted(s * 1000 for s in seconds)
        p90 = statistics.quantiles(ms, n=10)[8] if len(ms) > 1 else ms[0]
        aim_text = f"   (aim: under {aim} ms)" if what == "total" else ""
        print(f"  {what:8} median {statistics.median(ms):6.1f} ms   p90 {p90:6.1f} ms{aim_text}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="branchboard-editor-bench-"))
    try:
        example = copy_example(work)
        report("example board", measure(example, first_article(example), args.runs), AIMS["example"])
        generated = generate.generate("branchboard", work / "generated", args.articles)
        report(f"{args.articles} generated articles", measure(generated, first_article(generated), args.runs),
               AIMS["generated"])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
