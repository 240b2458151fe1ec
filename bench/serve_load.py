"""How the dev server answers many clients at once, on loopback.

Starts `serve` for the example board (in process, port 0 on 127.0.0.1),
then sends rounds of concurrent GET requests for a mix of pages and
files, each client on its own connection, and prints the latency
percentiles and every failure.  Bounded: --clients requests a round,
--rounds rounds, a 20 s timeout each; nothing is sent anywhere but
127.0.0.1.  The figures are for people to read; nothing here asserts.

    python bench/serve_load.py --clients 200 --rounds 5
"""

from __future__ import annotations

import argparse
import http.client
import io
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from branchboard.build.pipeline import Options  # noqa: E402
from branchboard.serve.server import DevServer  # noqa: E402

PATHS = ["/", "/index.html", "/screen/", "/static/style.css", "/build-id.txt", "/board/honors.html"]


def fetch(port: int, path: str) -> tuple[float, str]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        outcome = "" if response.status in (200, 301, 404) else f"HTTP {response.status}"
    except OSError as exc:
        outcome = type(exc).__name__
    finally:
        conn.close()
    return time.perf_counter() - started, outcome


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="branchboard-load-"))
    site = work / "site"
    shutil.copytree(PROJECT, site, ignore=shutil.ignore_patterns(".git", "public", ".cache", "tests", "bench"))
    server = DevServer(Options(site), port=0, out=io.StringIO(), err=io.StringIO())
    server.start()
    try:
        port = server.http.port
        times: list[float] = []
        failures: list[str] = []
        with ThreadPoolExecutor(max_workers=args.clients) as pool:
            for _round in range(args.rounds):
                paths = [PATHS[i % len(PATHS)] for i in range(args.clients)]
                for seconds, outcome in pool.map(lambda path: fetch(port, path), paths):
                    times.append(seconds)
                    if outcome:
                        failures.append(outcome)
        times.sort()
        cut = statistics.quantiles(times, n=100)
        print(f"{len(times)} requests, {args.clients} at once, {args.rounds} rounds, 127.0.0.1")
        print(f"median {cut[49] * 1000:.1f} ms, 99th percentile {cut[98] * 1000:.1f} ms, "
              f"slowest {times[-1] * 1000:.1f} ms")
        print(f"failures: {len(failures)}" + (f" ({', '.join(sorted(set(failures)))})" if failures else ""))
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
