"""`python build.py serve`: build, watch, rebuild, serve, reload.

    DevServer.start()
      1. build once                          pipeline.build
      2. serve the output folder             BoardServer (http.server, one thread per request)
      3. watch the site's files              watch.Watcher
      4. rebuild after each save             watch.BuildLoop: debounced, one build thread
      5. tell every open page                livereload.LiveChannel (Server-Sent Events)

The pipeline swaps the output folder in whole, so a request sees either the
old site or the new one; the server only has to wait out the instant between
the two renames.  After a failed build the output folder still holds the last
good site: the meeting-room screen (/screen/) keeps showing it, while every
other page shows the problems until the next good save.

The server hands out only files inside the output folder: no ``..`` in any
encoding, no backslashes, no symbolic link that leads outside, no hidden files
(the output marker among them), no folder listings; GET and HEAD only.
"""

from __future__ import annotations

import contextlib
import ipaddress
import dataclasses
import datetime as dt
import gc
import os
import re
import shutil
import socket
import stat
import sys
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from socketserver import TCPServer
from typing import TextIO
from urllib.parse import unquote_to_bytes, urlsplit

from branchboard.serve import livereload
from branchboard.build.cache import BuildCache
from branchboard.errors import BuildFailed, describe_os_error
from branchboard.locks import Busy
from branchboard.serve.livereload import LiveChannel, SiteState
from branchboard.build.pipeline import Options, build
from branchboard.site.theme import BUNDLED_THEMES
from branchboard.serve.watch import BuildLoop, Watcher

SCREEN_FOLDER = "screen"  # the wall's slideshow: never an injected script, never an error page
SWAP_WAIT = 1.0  # seconds a request waits for the output folder to be swapped back in
PING_EVERY = 15.0  # seconds between keep-alive comments on an event stream
TEXT_TYPES = {
    ".html": "text/html", ".htm": "text/html", ".css": "text/css", ".js": "text/javascript",
    ".mjs": "text/javascript", ".svg": "image/svg+xml", ".txt": "text/plain",
    ".json": "application/json", ".xml": "application/xml", ".csv": "text/csv",
    ".webmanifest": "application/manifest+json",
}
BINARY_TYPES = {
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
    ".webp": "image/webp", ".avif": "image/avif", ".ico": "image/x-icon", ".bmp": "image/bmp",
    ".pdf": "application/pdf", ".woff": "font/woff", ".woff2": "font/woff2", ".ttf": "font/ttf",
    ".otf": "font/otf", ".mp4": "video/mp4", ".webm": "video/webm", ".mp3": "audio/mpeg",
}


class ForbiddenPath(Exception):
    """A request path that tries to leave the output folder or reach a hidden file."""


def url_parts(target: str) -> list[str]:
    """The path segments a request names, decoded once; raises ForbiddenPath.

    ``%252e%252e`` decodes to the harmless name ``%2e%2e``: decoding once is
    what makes double encoding safe.
    """
    if target.startswith(("http://", "https://")):
        target = urlsplit(target).path or "/"
    path = target.split("?", 1)[0].split("#", 1)[0]
    if not path.startswith("/"):
        raise ForbiddenPath(target)
    try:
        text = unquote_to_bytes(path.encode("latin-1")).decode("utf-8")
    except UnicodeError:
        raise ForbiddenPath(target) from None
    if any(c in text for c in "\\\x00:"):
        raise ForbiddenPath(target)  # Windows separators, NUL, drive letters
    parts = [p for p in text.split("/") if p]
    if any(p.startswith(".") for p in parts):
        raise ForbiddenPath(target)  # "..", "." and hidden files alike
    return parts


def content_type(name: str) -> str:
    suffix = os.path.splitext(name)[1].lower()
    if suffix in TEXT_TYPES:
        return TEXT_TYPES[suffix] + "; charset=utf-8"
    return BINARY_TYPES.get(suffix, "application/octet-stream")


def is_page_request(parts: list[str], target: str) -> bool:
    """Whether a request asks for a web page (a folder, .html, or no extension)."""
    if not parts or target.split("?", 1)[0].endswith("/"):
        return True
    last = parts[-1].lower()
    return last.endswith((".html", ".htm")) or "." not in last


class BoardServer(HTTPServer):
    """Serves one output folder, with live reload; start on port 0 in tests.

    Requests are answered by a fixed pool of threads; connections the pool
    has not reached yet wait in the listen queue (a long one: a screen and a
    room of phones reloading at once are never turned away).  An open page's
    event stream holds its thread while the page is open, so at most
    STREAMS of them are held and the rest of the pool always answers pages;
    a page beyond that is told to try again in a moment."""

    request_queue_size = 1024  # the listen backlog (the system may cap it)
    THREADS = 64
    STREAMS = 48

    def __init__(self, out_dir: Path, channel: LiveChannel, host: str = "127.0.0.1", port: int = 0):
        self.out_dir = Path(out_dir)
        self.channel = channel
        self._thread: threading.Thread | None = None
        self._pool = ThreadPoolExecutor(max_workers=self.THREADS, thread_name_prefix="branchboard-request")
        self.streams = threading.BoundedSemaphore(self.STREAMS)
        super().__init__((host, port), BoardRequestHandler)
        self.names = _own_names(host, self.port)

    def process_request(self, request, client_address) -> None:
        self._pool.submit(self._answer, request, client_address)

    def _answer(self, request, client_address) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)

    def handle_error(self, request, client_address) -> None:
        pass  # a client that went away mid-answer; our own faults are caught in the handler

    def server_bind(self) -> None:
        # HTTPServer.server_bind asks DNS for the host's full name: not wanted here
        TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    @property
    def port(self) -> int:
        return self.server_address[1]

    def start(self) -> None:
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="branchboard-http", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.channel.close()  # ends every event stream
        if self._thread is not None:
            self.shutdown()
            self._thread.join(timeout=5)
        self.server_close()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def open_file(self, parts: list[str], wants_folder: bool):
        """(open file, its path), "folder" when a folder URL lacks its slash, or None."""
        deadline = time.monotonic() + SWAP_WAIT
        misses = 0
        while True:
            try:
                return self._open_inside(parts, wants_folder)
            except FileNotFoundError:
                # Between a build's two renames the output folder is missing for an
                # instant: wait for it.  A file missing twice from a present folder
                # is missing for good.
                if self.out_dir.is_dir():
                    misses += 1
                    if misses == 2:
                        return None
                elif time.monotonic() > deadline:
                    return None
                else:
                    time.sleep(0.005)
            except (OSError, RuntimeError):  # not a folder, a name too long, a link loop
                return None

    def _open_inside(self, parts: list[str], wants_folder: bool):
        """Raises FileNotFoundError for anything missing, so a swap can be waited out."""
        root = self.out_dir.resolve(strict=True)
        path = root.joinpath(*parts).resolve(strict=True)
        if not _is_inside(path, root):
            return None  # a symbolic link leading out of the output folder
        if stat.S_ISDIR(path.stat().st_mode):
            if not wants_folder:
                return "folder"
            path = (path / "index.html").resolve(strict=True)
            if not _is_inside(path, root):
                return None
        if not stat.S_ISREG(path.stat().st_mode):
            return None  # never open a device or a pipe: reading it could block
        return open(path, "rb"), path


def _own_names(host: str, port: int) -> frozenset[str]:
    """The names a Host header may give for this server: localhost, the
    host it was started on, and this machine's own names when it listens
    on every address (any address written as numbers is accepted too)."""
    names = {"localhost", host.lower()}
    if host in ("0.0.0.0", "", "::"):
        names |= {socket.gethostname().lower(), socket.getfqdn().lower()}
    return frozenset(name for name in names if name)


def is_own_host(value: str, names: frozenset[str]) -> bool:
    """Whether a Host header names this server.  A web page elsewhere can
    make a browser send a request here under a name of its own (DNS
    rebinding) to read the board; such a name is refused.  An address
    written as numbers cannot be rebound, so it is always accepted."""
    value = value.strip().lower()
    if value.startswith("["):  # [::1]:8000
        return "]" in value
    name = value.rsplit(":", 1)[0] if value.count(":") == 1 else value
    if name in names:
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _is_inside(path: Path, root: Path) -> bool:
    if path != root and root not in path.parents:
        return False
    return not any(p.startswith(".") for p in path.relative_to(root).parts)


class BoardRequestHandler(BaseHTTPRequestHandler):
    server: BoardServer
    server_version = "branchboard"
    sys_version = ""
    timeout = 30  # a client that connects and says nothing does not hold a thread forever

    def handle_one_request(self) -> None:
        """BaseHTTPRequestHandler's, answering 405 (not 501) to every other method."""
        try:
            self.raw_requestline = self.rfile.readline(65537)
            if len(self.raw_requestline) > 65536:
                self.requestline = self.request_version = self.command = ""
                self.send_error(414)
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():
                return  # parse_request has answered 400
            if self.command in ("GET", "HEAD"):
                self.respond(head=self.command == "HEAD")
            else:
                self.send_text(405, "只能用 GET 或 HEAD 访问。\n", extra={"Allow": "GET, HEAD"})
            self.wfile.flush()
        except (TimeoutError, ConnectionError):
            self.close_connection = True

    def version_string(self) -> str:
        return self.server_version

    def end_headers(self) -> None:
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def log_message(self, format, *args) -> None:  # noqa: A002 - the base class's name
        pass  # the secretary's terminal shows builds, not every request

    def respond(self, head: bool) -> None:
        target = self.path
        route = target.split("?", 1)[0]
        host = self.headers.get("Host")
        if host is not None and not is_own_host(host, self.server.names):
            # another name pointing at this machine (DNS rebinding): not ours to answer
            return self.send_text(421, "这个地址不是本预览的地址。\n", head=head)
        if route == livereload.EVENTS_URL:
            if not self.server.streams.acquire(blocking=False):
                return self.send_text(503, "打开的网页太多，稍后再连。\n", head=head,
                                      extra={"Retry-After": "5"})
            try:
                return self.stream_events(head)
            finally:
                self.server.streams.release()
        if route == livereload.SCRIPT_URL:
            return self.send_text(200, livereload.SCRIPT, "text/javascript; charset=utf-8", head)
        try:
            parts = url_parts(target)
        except ForbiddenPath:
            return self.send_text(403, "禁止访问。\n", head=head)
        is_screen = parts[:1] == [SCREEN_FOLDER]
        state = self.server.channel.state
        if state.is_broken and not is_screen and is_page_request(parts, target):
            return self.send_page(500, livereload.error_page(state).encode(), state, head)
        found = self.server.open_file(parts, wants_folder=route.endswith("/"))
        if found == "folder":
            return self.redirect(route + "/" + target[len(route):])
        if found is None:
            page = livereload.not_found_page("/" + "/".join(parts)).encode()
            return self.send_page(404, page, None if is_screen else state, head)
        with found[0] as stream:
            self.send_file(stream, found[1], None if is_screen else state, head)

    def send_file(self, stream, path: Path, state: SiteState | None, head: bool) -> None:
        kind = content_type(path.name)
        if kind.startswith("text/html"):
            return self.send_page(200, stream.read(), state, head)
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(os.fstat(stream.fileno()).st_size))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if not head:
            shutil.copyfileobj(stream, self.wfile)

    def send_page(self, code: int, page: bytes, state: SiteState | None, head: bool) -> None:
        """An HTML page; with a state, it carries the live-reload script."""
        if state is not None:
            page = livereload.inject_script(page, state.stamp)
        self.send_text(code, page, "text/html; charset=utf-8", head)

    def send_text(self, code: int, body: str | bytes, kind: str = "text/plain; charset=utf-8",
                  head: bool = False, extra: dict | None = None) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-cache")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def redirect(self, location: str) -> None:
        self.send_response(301)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def stream_events(self, head: bool) -> None:
        """Server-Sent Events: the current build at once, then every new one."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if head:
            return
        self.close_connection = True
        self.wfile.write(f"retry: {livereload.RETRY_MS}\n\n".encode())
        seen = None
        with self.server.channel.stream() as channel:
            while True:
                state = channel.wait(seen, PING_EVERY)
                if state is None:
                    return  # the server is stopping
                if state.stamp == seen:
                    self.wfile.write(b": ping\n\n")  # finds out when the browser has gone
                else:
                    self.wfile.write(livereload.event_message(state))
                    seen = state.stamp


class DevServer:
    """build + watch + serve + reload, started and stopped as one."""

    def __init__(self, options: Options, host: str = "127.0.0.1", port: int = 8000,
                 out: TextIO | None = None, err: TextIO | None = None, quiet: float = 0.03):
        # one cache kept in memory across rebuilds: an edit re-reads and re-renders only what it touches
        self.options = dataclasses.replace(options, cache=options.cache or BuildCache.load(options.site_dir))
        self.host, self.port = host, port
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.channel = LiveChannel()
        self.builds = 0  # finished builds, good or bad
        self._building = threading.Lock()  # never two builds at once, whoever asks
        # the full cycle collection waits for a pause in the saves (see run_build)
        self.loop = BuildLoop(self.rebuild, quiet=quiet, idle=gc.collect)
        self.watcher = Watcher(options.site_dir, options.out,
                               [options.site_dir / "themes", BUNDLED_THEMES], self.loop.changed)
        self.http: BoardServer | None = None

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://{host}:{self.http.port if self.http else self.port}/"

    def start(self) -> None:
        """Build once, then serve and watch; raises OSError when the port is taken."""
        self.http = BoardServer(self.options.out, self.channel, self.host, self.port)
        self.run_build([])
        self.http.start()
        self.watcher.start()
        self.loop.start()

    def stop(self) -> None:
        self.watcher.stop()
        self.loop.stop()
        if self.http is not None:
            self.http.stop()
        with self._building:  # the next build, or `build`, starts from what this one knew
            cache = self.options.cache
            if cache is not None and cache.used_bodies:
                cache.save(self.options.site_dir, cache.used_bodies)

    def rebuild(self, changed: list[str]) -> None:
        """Called by the build loop after a save."""
        shown = "、".join(changed[:3]) + (f" 等 {len(changed)} 个文件" if len(changed) > 3 else "")
        self.say(f"\n[{dt.datetime.now():%H:%M:%S}] 文件有改动：{shown}")
        self.watcher.refresh()  # a folder may have been created, renamed or replaced
        self.options.cache.memo.watched_files().changed(changed)  # the build looks at these only
        self.run_build(changed)

    def run_build(self, changed: list[str]) -> SiteState:
        """Build, report in the terminal, and tell every open page.

        Python's cycle collector is paused while building: the objects the
        cache keeps between builds are many, and a collection that started
        in the middle of a rebuild walked them all, every few saves.  The full collection waits until no save
        has come for a moment (the build loop's ``idle``): run right after
        the build, it held every thread, and the open pages' reload with them."""
        with self._building:
            gc.disable()
            try:
                return self._build_and_report("重新生成" if changed else "生成")
            finally:
                gc.enable()

    def _build_and_report(self, action: str) -> SiteState:
        try:
            result = build(self.options)
        except BuildFailed as failed:
            problems = tuple(failed.report.sorted())
            self.say("\n".join(str(p) for p in problems), self.err)
            self.say(f"发现 {len(failed.report.errors)} 个错误，网站没有更新。"
                     "浏览器里打开的网页会显示这些错误；改好保存后会自动恢复。", self.err)
            return self.publish(problems=problems, failed=True)
        except (OSError, Busy) as exc:  # the machine, not the content: a full disk, a file held open
            message = describe_os_error(exc, self.options.site_dir) if isinstance(exc, OSError) else \
                "另一个生成一直没有完成，这次没有生成。"
            self.say(f"{message}\n网站没有更新（下次保存时会再试）。", self.err)
            return self.publish(crash=message)
        except Exception as exc:  # our bug: the traceback goes to the terminal
            traceback.print_exc(file=self.err)
            self.say("生成时程序出错（这是 branchboard 的问题，不是您的文件写错了），网站没有更新。",
                     self.err)
            # the page shows no path of this machine: it may be open on another one
            return self.publish(crash=_without_paths(f"{type(exc).__name__}: {exc}"))
        for problem in result.report.sorted():
            self.say(str(problem), self.err)
        warnings = len(result.report.warnings)
        note = f"，{warnings} 个警告" if warnings else ""
        self.say(f"{action}完毕：{result.pages} 个网页，用时 {result.seconds:.2f} 秒{note}。")
        return self.publish(problems=tuple(result.report.sorted()))

    def publish(self, **outcome) -> SiteState:
        state = self.channel.publish(**outcome)
        self.builds += 1
        return state

    def say(self, text: str, stream: TextIO | None = None) -> None:
        stream = stream or self.out
        print(text, file=stream, flush=True)


_ABSOLUTE_PATH = re.compile(r"(?:[A-Za-z]:\\|/)(?:[^\s'\"]+[/\\])+")


def _without_paths(text: str) -> str:
    """An error's text with the folders of any path left out (the file name stays)."""
    return _ABSOLUTE_PATH.sub("", text)


def lan_addresses() -> list[str]:
    """This machine's IPv4 addresses on the local network, found without sending anything."""
    found: list[str] = []
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        # connecting a UDP socket sends no packet: it only picks the outgoing interface
        probe.connect(("10.254.254.254", 9))
        found.append(probe.getsockname()[0])
    with contextlib.suppress(OSError):
        for *_rest, address in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.append(address[0])
    return [a for a in dict.fromkeys(found) if not a.startswith(("127.", "0."))]


def print_addresses(server: DevServer) -> None:
    say = server.say
    say(f"\n网站预览：{server.url}")
    if (server.options.out / SCREEN_FOLDER / "index.html").is_file():
        say(f"大屏页面：{server.url}{SCREEN_FOLDER}/")
    if server.host in ("0.0.0.0", ""):
        say("注意：现在局域网里的任何电脑和手机都能打开这个预览（包括草稿和还没公开的内容），"
            "只在需要时这样用；平时不写 --host，只有本机能打开。")
        port = server.http.port if server.http else server.port
        addresses = lan_addresses()
        has_screen = (server.options.out / SCREEN_FOLDER / "index.html").is_file()
        for address in addresses:
            say(f"局域网里的电脑打开：http://{address}:{port}/")
            if has_screen:
                say(f"会议室大屏的浏览器里输入：http://{address}:{port}/{SCREEN_FOLDER}/")
        if not addresses:
            say("没有找到本机的局域网地址：请在本机的网络设置里查看 IP 地址，"
                f"大屏上输入 http://<IP 地址>:{port}/{SCREEN_FOLDER}/")
    say("修改文件并保存后，网站会自动重新生成，打开的网页会自动刷新。按 Ctrl+C 停止。")


def run(options: Options, host: str, port: int) -> int:
    """The `serve` command: returns the exit code."""
    server = DevServer(options, host, port)
    try:
        try:
            server.start()
        except OSError as exc:
            print(f"无法在 {host}:{port} 上启动预览（{exc.strerror or exc}）。"
                  f"可能已经有一个预览在运行：关掉它，或换一个端口，例如 --port {port + 1}。",
                  file=sys.stderr)
            return 2
        print_addresses(server)
        while True:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    print("\n已停止预览。")
    return 0


def measure_edit_latency(site_dir: Path, article: Path, runs: int = 5, quiet: float = 0.03) -> float:
    """Median milliseconds from saving ``article`` to the rebuilt pages being
    ready, with the dev server running (for bench/run.py)."""
    import io
    import statistics

    server = DevServer(Options(site_dir=site_dir), "127.0.0.1", 0, io.StringIO(), io.StringIO(), quiet=quiet)
    server.start()
    times = []
    try:
        for i in range(runs):
            time.sleep(0.3)  # let the watcher settle between saves
            done = server.builds
            started = time.perf_counter()
            with open(article, "a", encoding="utf-8") as fh:
                fh.write(f"\n编辑第{i}次。\n")
            while server.builds == done and time.perf_counter() - started < 30:
                time.sleep(0.0005)
            times.append((time.perf_counter() - started) * 1000)
    finally:
        server.stop()
    return statistics.median(times)
