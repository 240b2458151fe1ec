"""What the editor's tests share: an HTTP client that keeps the editor's
cookie, a page parsed, the lines a save changed, a browser page opened, a
deadline for waiting; and the example's data files a tiny site is given.
"""

from __future__ import annotations

import datetime as dt
import difflib
import http.client
import re
import secrets
import time
from pathlib import Path
from urllib.parse import urlencode

from bs4 import BeautifulSoup

from branchboard.editor import security
from branchboard.serve.server import DevServer

PROJECT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 11, 25)  # the editor's today in these tests
MAILBOX = (PROJECT / "data" / "mailbox.yaml").read_text(encoding="utf-8")
# the example's honors and study without photos and articles, which a tiny site lacks
HONORS = re.sub(r"\n +照片: .*", "", (PROJECT / "data" / "honors.yaml").read_text(encoding="utf-8"))
STUDY = re.sub(r"\n +文章: .*", "", (PROJECT / "data" / "study.yaml").read_text(encoding="utf-8"))


class Client:
    """An HTTP client keeping the editor's cookie, from a chosen source address."""

    def __init__(self, server: DevServer, source: str = "127.0.0.1"):
        self.port = server.http.port
        self.source = source
        self.cookie = ""

    def request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10, source_address=(self.source, 0))
        sent = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookie:
            sent["Cookie"] = self.cookie
        data = None
        if body is not None:
            data = urlencode(body).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Origin"] = f"http://127.0.0.1:{self.port}"
        sent.update(headers or {})
        sent = {k: v for k, v in sent.items() if v is not None}
        try:
            conn.request(method, path, body=data, headers=sent)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            conn.close()
        found = re.match(rf"{security.COOKIE}=([^;]+)", response.headers.get("Set-Cookie") or "")
        if found:
            self.cookie = f"{security.COOKIE}={found.group(1)}"
        return response.status, response.headers, text

    def upload(self, path: str, fields: dict, filename: str, data: bytes, content_type: str):
        """A multipart POST of one file (named ``image``) with ``fields``: (status, page)."""
        boundary = "----board" + secrets.token_hex(8)
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                 for k, v in fields.items() if v is not None]
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="{filename}"\r\n'
                     f"Content-Type: {content_type}\r\n\r\n".encode() + data + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Host": f"127.0.0.1:{self.port}", "Origin": f"http://127.0.0.1:{self.port}",
                   "Cookie": self.cookie, "Content-Type": f"multipart/form-data; boundary={boundary}"}
        try:
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, response.read().decode("utf-8", "replace")
        except (BrokenPipeError, ConnectionResetError):  # refused before the whole body was read
            return 413, ""
        finally:
            conn.close()

    def form(self, path: str) -> dict:
        """The hidden fields and values of the form on a page."""
        status, _headers, page = self.request("GET", path)
        assert status == 200, page
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
        fields.update(re.findall(r'name="(v\.[^"]+)" type="[a-z]+" value="([^"]*)"', page))
        fields.update(re.findall(r'name="(v\.[^"]+)" rows="\d+">([^<]*)</textarea>', page))
        return fields


def soup(page: str) -> BeautifulSoup:
    return BeautifulSoup(page, "html.parser")


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    """(lines only before, lines only after)."""
    diff = list(difflib.ndiff(before.splitlines(), after.splitlines()))
    return [d[2:] for d in diff if d.startswith("- ")], [d[2:] for d in diff if d.startswith("+ ")]


def open_page(browser, url):
    """(context, page): ``url`` opened in a Chinese browser tab; the test closes the context."""
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(url)
    return context, page


def wait_until(predicate, timeout=15.0, every=0.05):
    """The predicate's first true value; a test fails past the deadline instead of hanging."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError("timed out waiting")


def screen_items(site, kind: str) -> list:
    """The items of the meeting-room screen's slides of one kind, as built."""
    page = site.out / "screen" / "index.html"
    if not page.is_file():
        return []
    return soup(page.read_text(encoding="utf-8")).select(f"section.slide-{kind} li.item")


def screen_subtitle(site, kind: str) -> str:
    page = site.out / "screen" / "index.html"
    found = soup(page.read_text(encoding="utf-8")).select_one(f"section.slide-{kind} .slide-sub")
    return found.get_text() if found else ""


def wrong_token(token: str) -> str:
    """The token with its first character changed (never the token itself)."""
    return ("y" if token[:1] == "x" else "x") + token[1:]
