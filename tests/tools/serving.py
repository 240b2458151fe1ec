"""Servers for tests: `serve` in this process (DevServer on 127.0.0.1, port
0), or `python build.py serve` as a real process, stopped by its PID.

Every wait has a deadline, so a broken server fails a test instead of
hanging it.
"""

from __future__ import annotations

import contextlib
import io
import os
import selectors
import signal
import socket
import subprocess
import sys
import time

from branchboard.build.pipeline import Options
from branchboard.serve.server import DevServer


@contextlib.contextmanager
def serving(make_site, default_files: dict, default_now):
    """A function start(files=None, now=default_now) -> (site, server): a
    tiny site built and served (editor included) on a free port, every one
    stopped on leaving.  ``now`` None: the clock's today."""
    started: list[DevServer] = []

    def start(files=None, now=default_now):
        site = make_site(files or default_files)
        server = DevServer(Options(site.root, now=now), port=0, out=io.StringIO(), err=io.StringIO())
        started.append(server)
        server.start()
        return site, server

    try:
        yield start
    finally:
        for server in started:
            server.stop()


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now (the OS may give it away again: good enough for one test)."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def is_routable(address: str) -> bool:
    """Whether this machine can send from ``address`` (127.0.0.2 is not everywhere)."""
    try:
        with socket.socket() as probe:
            probe.bind((address, 0))
        return True
    except OSError:
        return False


class ServeProcess:
    """`python build.py serve ARGS` running in its own process; its stdout read line by line."""

    def __init__(self, build_py, site_root, *args: str):
        env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONUNBUFFERED": "1"}
        env.pop("SOURCE_DATE_EPOCH", None)
        self.proc = subprocess.Popen([sys.executable, str(build_py), "serve", "--site", str(site_root), *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=site_root)
        self.lines: list[str] = []
        self._pending = b""

    def read_until(self, marker: str, timeout: float = 60.0) -> list[str]:
        """Every line printed so far, once one contains ``marker``; fails past the timeout."""
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as selector:
            selector.register(self.proc.stdout, selectors.EVENT_READ)
            while not any(marker in line for line in self.lines):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"“{marker}” never printed:\n" + "\n".join(self.lines))
                if not selector.select(timeout=left):
                    continue
                chunk = os.read(self.proc.stdout.fileno(), 4096)
                if not chunk:
                    raise AssertionError("serve ended:\n" + "\n".join(self.lines) + self._stderr())
                *done, self._pending = (self._pending + chunk).split(b"\n")
                self.lines += [line.decode("utf-8") for line in done]
        return self.lines

    def stop(self) -> None:
        """Ctrl+C by its PID, then a kill if it has not ended within a bound for a hang."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.proc.stdout.close()
        self.proc.stderr.close()

    def _stderr(self) -> str:
        self.proc.wait(timeout=10)
        return self.proc.stderr.read().decode("utf-8", "replace")
