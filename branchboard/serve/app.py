"""The web application `serve` runs: what each address answers.

    /__live/events       the live-reload stream (Server-Sent Events), a bounded number at once
    /__live/reload.js    the script a served page carries
    /admin/              the editor (branchboard.editor.web), when serve runs it
    anything else        a file of the output folder

It is a WSGI application on Werkzeug: requests and responses are Werkzeug's,
and its routes are a Werkzeug URL map, where the editor's will join them.
Every request first has its Host header checked: a page elsewhere cannot
point a name of its own at this machine (DNS rebinding) and read the board.

The output folder is served strictly: only files inside it, no ``..`` in any
encoding, no backslashes, no symbolic link that leads outside, no hidden files
(the output marker among them), no folder listings; GET and HEAD only.  The
pipeline swaps the output folder in whole, so a request sees either the old
site or the new one; a request that comes in the instant between the two
renames waits for the new one.  After a failed build every page shows the
problems, except the meeting-room screen (/screen/), which keeps the last good
board and never gets an injected script.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import stat
import threading
import time
from pathlib import Path
from typing import BinaryIO, Iterator
from urllib.parse import quote, unquote_to_bytes, urlsplit

from werkzeug.exceptions import MethodNotAllowed
from werkzeug.routing import BaseConverter, Map, Rule
from werkzeug.wrappers import Request, Response
from werkzeug.wsgi import FileWrapper

from branchboard.serve import livereload
from branchboard.serve.livereload import LiveChannel, SiteState

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
READ_SIZE = 64 * 1024  # a file is handed to the server in pieces of this size


class ForbiddenPath(Exception):
    """A request path that tries to leave the output folder or reach a hidden file."""


class _Anything(BaseConverter):
    """Any path at all, slashes included: the output folder's own checks judge it."""

    regex = ".*"
    part_isolating = False


class BoardResponse(Response):
    """A response that names its content type only when given one (a redirect has none)."""

    default_mimetype = None


class BoardApp:
    """The WSGI application: at most ``streams`` event streams are open at once."""

    def __init__(self, out_dir: Path, channel: LiveChannel, names: frozenset[str], streams: int,
                 editor=None):
        self.out_dir = Path(out_dir)
        self.editor = editor  # branchboard.editor.web.EditorApp: /admin/, or None
        self.channel = channel
        self.names = names  # the Host header names this server answers to (see is_own_host)
        self.streams = threading.BoundedSemaphore(streams)
        only_read = ["GET", "HEAD"]
        editor_rules = [Rule(path, endpoint=self.send_editor, methods=["GET", "HEAD", "POST"])
                        for path in ("/admin", "/admin/<anything:_path>")] if editor is not None else []
        self.urls = Map([*editor_rules,
            Rule(livereload.EVENTS_URL, endpoint=self.send_events, methods=only_read),
            Rule(livereload.SCRIPT_URL, endpoint=self.send_script, methods=only_read),
            Rule("/<anything:_path>", endpoint=self.send_output, methods=only_read),
        ], converters={"anything": _Anything}, strict_slashes=False, merge_slashes=False)

    def __call__(self, environ, start_response):
        response = self.respond(Request(environ))
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response(environ, start_response)

    def respond(self, request: Request) -> Response:
        host = request.headers.get("Host")
        if host is not None and not is_own_host(host, self.names):
            # another name pointing at this machine (DNS rebinding): not ours to answer
            return text_response(421, "这个地址不是本预览的地址。\n")
        try:
            endpoint, _args = self.urls.bind_to_environ(request.environ).match()
        except MethodNotAllowed as refused:
            allowed = sorted(refused.valid_methods or ())
            return text_response(405, f"只能用 {' 或 '.join(allowed)} 访问。\n",
                                 headers={"Allow": ", ".join(allowed)})
        return endpoint(request)

    def send_editor(self, request: Request) -> Response:
        return self.editor(request)

    def send_script(self, _request: Request) -> Response:
        return text_response(200, livereload.SCRIPT, "text/javascript; charset=utf-8")

    def send_events(self, request: Request) -> Response:
        """Server-Sent Events: the current build at once, then every new one.

        The stream holds a server thread while its page is open, so only so
        many are let in; a page beyond them is told to try again shortly."""
        headers = {"Cache-Control": "no-cache"}
        kind = "text/event-stream; charset=utf-8"
        if request.method == "HEAD":
            return BoardResponse(b"", 200, headers, content_type=kind)
        if not self.streams.acquire(blocking=False):
            return text_response(503, "打开的网页太多，稍后再连。\n", headers={"Retry-After": "5"})
        response = BoardResponse(self._events(), 200, headers, content_type=kind)
        response.call_on_close(self.streams.release)  # the server closes every response it started
        return response

    def _events(self) -> Iterator[bytes]:
        yield f"retry: {livereload.RETRY_MS}\n\n".encode()
        seen = None
        with self.channel.stream() as channel:
            while (state := channel.wait(seen, PING_EVERY)) is not None:  # None: the server is stopping
                if state.stamp == seen:
                    yield b": ping\n\n"  # finds out when the browser has gone
                else:
                    yield livereload.event_message(state)
                    seen = state.stamp

    def send_output(self, request: Request) -> Response:
        """A file of the output folder, a folder's index.html, or why not."""
        target = request_target(request.environ)
        route = target.split("?", 1)[0]
        try:
            parts = url_parts(target)
        except ForbiddenPath:
            return text_response(403, "禁止访问。\n")
        is_screen = parts[:1] == [SCREEN_FOLDER]
        state = self.channel.state
        if state.is_broken and not is_screen and is_page_request(parts, target):
            return page_response(500, livereload.error_page(state).encode(), state)
        found = self.open_file(parts, wants_folder=route.endswith("/"))
        if found == "folder":
            return BoardResponse(b"", 301, {"Location": route + "/" + target[len(route):]})
        if found is None:
            page = livereload.not_found_page("/" + "/".join(parts)).encode()
            return page_response(404, page, None if is_screen else state)
        stream, path = found
        kind = content_type(path)
        if kind.startswith("text/html"):
            with stream:
                return page_response(200, stream.read(), None if is_screen else state)
        size = os.fstat(stream.fileno()).st_size
        # copied piece by piece into the server's buffer (a temporary file past
        # 1 MB) and closed: a slow phone keeps no file of the output folder
        # open, which on Windows would stop the next build replacing it
        return BoardResponse(FileWrapper(stream, READ_SIZE), 200,
                             {"Content-Length": str(size), "Cache-Control": "no-cache"}, content_type=kind)

    def open_file(self, parts: list[str], wants_folder: bool) -> tuple[BinaryIO, str] | str | None:
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
        """Raises FileNotFoundError for anything missing, so a swap can be waited out.

        Paths are plain strings here: every request resolves two of them,
        and pathlib's objects cost more than the checks themselves."""
        root = os.path.realpath(self.out_dir, strict=True)
        path = os.path.realpath(os.path.join(root, *parts), strict=True)
        if not _is_inside(path, root):
            return None  # a symbolic link leading out of the output folder
        mode = os.stat(path).st_mode
        if stat.S_ISDIR(mode):
            if not wants_folder:
                return "folder"
            path = os.path.realpath(os.path.join(path, "index.html"), strict=True)
            if not _is_inside(path, root):
                return None
            mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            return None  # never open a device or a pipe: reading it could block
        return open(path, "rb"), path


def text_response(status: int, body: str | bytes, kind: str = "text/plain; charset=utf-8",
                  headers: dict[str, str] | None = None) -> Response:
    data = body.encode() if isinstance(body, str) else body
    return BoardResponse(data, status, {"Cache-Control": "no-cache", **(headers or {})}, content_type=kind)


def page_response(status: int, page: bytes, state: SiteState | None) -> Response:
    """An HTML page; with a state, it carries the live-reload script."""
    if state is not None:
        page = livereload.inject_script(page, state.stamp)
    return text_response(status, page, "text/html; charset=utf-8")


def request_target(environ) -> str:
    """The path and query as the request line sent them, not yet decoded
    (PATH_INFO has been decoded once already: url_parts decodes exactly once)."""
    target = environ.get("REQUEST_URI") or environ.get("RAW_URI")
    if target is None:  # a server that keeps only what WSGI requires
        target = quote(environ.get("PATH_INFO", "/"), safe="/", encoding="latin-1")
        if environ.get("QUERY_STRING"):
            target += "?" + environ["QUERY_STRING"]
    return target


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
    """The Content-Type for a file name (or path)."""
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


def own_names(host: str) -> frozenset[str]:
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


def _is_inside(path: str, root: str) -> bool:
    """Whether a resolved path is root or below it, with no hidden name on the way."""
    if path == root:
        return True
    prefix = os.path.join(root, "")  # with its separator: /out is not inside /o
    if not os.path.normcase(path).startswith(os.path.normcase(prefix)):
        return False
    return not any(name.startswith(".") for name in path[len(prefix):].split(os.sep))
