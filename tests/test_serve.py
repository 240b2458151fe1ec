"""`serve`: a real server on 127.0.0.1, port 0, driven by real file edits.

Every network call has a timeout and every wait a deadline, so a broken
server fails a test instead of hanging it.
"""

from __future__ import annotations

import datetime as dt
import http.client
import io
import os
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
from bs4 import BeautifulSoup

from branchboard.serve import server as serve_mod
from branchboard.serve.livereload import SCRIPT_URL, inject_script
from branchboard.build.pipeline import Options
from branchboard.serve.app import ForbiddenPath, url_parts
from branchboard.serve.server import DevServer
from branchboard.serve.watch import BuildLoop, Watcher
from conftest import BUILD_PY, article
from tools.editor_client import wait_until
from tools.serving import serving

NOW = dt.datetime(2026, 11, 25)
SECRET = "TOP-SECRET-4711"


@pytest.fixture
def served(make_site):
    """served(files) -> (site, server): a site built and served until the test ends."""
    with serving(make_site, {"content/news/a.md": article("第一版标题", body="第一版正文。")}, NOW) as start:
        yield start


def get(server: DevServer, path: str, method: str = "GET"):
    """(status, headers, body text) without raising on 4xx and 5xx."""
    conn = http.client.HTTPConnection("127.0.0.1", server.http.port, timeout=5)
    try:
        conn.request(method, path)
        response = conn.getresponse()
        return response.status, response.headers, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def raw(server: DevServer, request: bytes) -> bytes:
    """Send bytes as they are; everything the server answers before it closes."""
    with socket.create_connection(("127.0.0.1", server.http.port), timeout=5) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


class EventStream:
    """A live-reload client reading /__live/events over a plain socket."""

    def __init__(self, server: DevServer):
        self.sock = socket.create_connection(("127.0.0.1", server.http.port), timeout=5)
        self.sock.sendall(b"GET /__live/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        self.buffer = b""
        head = self._read_until(b"\r\n\r\n", 5)
        assert b" 200 " in head.split(b"\r\n")[0] and b"text/event-stream" in head

    def _read_until(self, marker: bytes, timeout: float) -> bytes:
        deadline = time.monotonic() + timeout
        while marker not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError("no event in time")
            self.sock.settimeout(remaining)
            chunk = self.sock.recv(4096)
            if not chunk:
                raise EOFError("event stream closed")
            self.buffer += chunk
        block, self.buffer = self.buffer.split(marker, 1)
        return block

    def next_build(self, timeout: float = 5) -> str:
        """The stamp of the next `build` event."""
        deadline = time.monotonic() + timeout
        while True:
            block = self._read_until(b"\n\n", max(0.01, deadline - time.monotonic())).decode()
            lines = block.split("\n")
            if "event: build" in lines:
                return next(line[len("data: "):] for line in lines if line.startswith("data: "))

    def close(self):
        self.sock.close()


def changes_seen(server: DevServer) -> str:
    """The terminal lines naming the files that caused rebuilds."""
    return "\n".join(line for line in server.out.getvalue().splitlines() if "文件有改动" in line)


def test_a_page_is_served_with_the_reload_script_while_the_file_on_disk_stays_as_built(served):
    site, server = served()
    status, headers, body = get(server, "/news/a.html")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Cache-Control"] == "no-cache"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "第一版标题" in body and SCRIPT_URL in body
    on_disk = (site.out / "news/a.html").read_bytes()
    assert SCRIPT_URL.encode() not in on_disk
    assert body.encode() == inject_script(on_disk, server.channel.state.stamp)
    status, headers, _ = get(server, "/")
    assert status == 200 and SCRIPT_URL in _
    status, headers, script = get(server, SCRIPT_URL)
    assert status == 200 and headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert "EventSource" in script


def test_an_edit_reaches_a_connected_client_and_the_page_within_a_second(served):
    site, server = served()
    events = EventStream(server)
    try:
        first = events.next_build()
        assert first == server.channel.state.stamp
        saved = time.monotonic()
        site.write("content/news/a.md", article("第二版标题", body="第二版正文。"))
        second = events.next_build(timeout=5)
        page = get(server, "/news/a.html")[2]
        took = time.monotonic() - saved
    finally:
        events.close()
    assert second != first
    assert "第二版标题" in page and "第一版标题" not in page
    assert took < 1.0, f"the edit took {took:.2f} s to reach the browser"
    assert "content/news/a.md" in changes_seen(server)
    assert "重新生成完毕" in server.out.getvalue()


def test_every_open_page_in_a_browser_follows_the_saves(served, page):
    expect = pytest.importorskip("playwright.sync_api").expect
    site, server = served({"content/news/a.md": article("第一版标题"), "content/notices/b.md": article("通知")})
    other = page.context.new_page()
    page.goto(server.url + "news/a.html")
    other.goto(server.url + "notices/b.html")
    wait_until(lambda: server.channel.streams == 2)  # each page has its live-reload stream open

    site.write("content/news/a.md", article("第二版标题"))
    expect(page.locator("h1")).to_contain_text("第二版标题", timeout=5000)

    site.write("content/news/a.md", article("第二版标题", date="2026-13-01"))
    for tab in (page, other):
        expect(tab.locator("h1")).to_contain_text("网站没有生成", timeout=5000)
        expect(tab.locator("pre.problem")).to_contain_text("content/news/a.md:3:", timeout=5000)

    site.write("content/news/a.md", article("第三版标题"))
    expect(page.locator("h1")).to_contain_text("第三版标题", timeout=5000)
    expect(other.locator("h1")).to_contain_text("通知", timeout=5000)


def test_a_broken_save_shows_the_errors_everywhere_and_the_next_good_save_restores_the_site(served):
    site, server = served({"content/news/a.md": article("第一版标题"), "content/notices/b.md": article("通知")})
    events = EventStream(server)
    try:
        events.next_build()
        site.write("content/news/a.md", article("第一版标题", date="2026-13-01"))
        events.next_build()
        expected = site.run("check", "--now", "2026-11-25").err.split("\n\n发现")[0].strip()
        for path in ("/news/a.html", "/", "/notices/b.html", "/news/"):
            status, headers, body = get(server, path)
            page = BeautifulSoup(body, "html.parser")
            assert status == 500 and headers["Content-Type"] == "text/html; charset=utf-8"
            assert page.html["lang"] == "zh-CN"
            problems = [pre.get_text() for pre in page.select("pre.problem")]
            assert "\n".join(problems) == expected
            assert "content/news/a.md:3:" in body and "这个日期不存在" in body
            assert page.find("script", src=SCRIPT_URL)  # it reloads when the error is fixed
            assert "第一版标题" not in page.get_text()
        assert get(server, "/static/style.css")[0] == 200  # only pages are replaced
        assert "content/news/a.md:3:" in server.err.getvalue()

        site.write("content/news/a.md", article("改好的标题"))
        events.next_build()
        status, _, body = get(server, "/news/a.html")
    finally:
        events.close()
    assert status == 200 and "改好的标题" in body


def test_the_error_page_shows_each_problem_exactly_as_check_prints_it(served):
    site, server = served({"content/news/a.md": article("甲"), "content/news/b.md": article(title=None)})
    check = site.run("check", "--now", "2026-11-25")
    printed = check.err.split("\n\n发现")[0].strip()
    status, _, body = get(server, "/")
    shown = "\n".join(pre.get_text() for pre in BeautifulSoup(body, "html.parser").select("pre.problem"))
    assert status == 500 and shown == printed
    assert "content/news/b.md:1:1: 错误：缺少标题" in shown and "提示：" in shown


def _screen_page(site, server) -> bytes:
    """/screen/index.html as the last good build wrote it (a stand-in until the theme has one)."""
    screen = site.out / "screen/index.html"
    if not screen.is_file():
        stamp = server.channel.state.stamp
        site.write("content/screen/index.html",
                   '<!DOCTYPE html>\n<html lang="zh-CN"><body><p>大屏：第一版</p></body></html>\n')
        wait_until(lambda: server.channel.state.stamp != stamp and screen.is_file())
    return screen.read_bytes()


def test_the_screen_keeps_the_last_good_board_while_an_error_stands(served):
    site, server = served()
    good = _screen_page(site, server)
    stamp = server.channel.state.stamp
    site.write("content/news/a.md", "没有文章信息的文章\n")
    wait_until(lambda: server.channel.state.is_broken and server.channel.state.stamp != stamp)

    conn = http.client.HTTPConnection("127.0.0.1", server.http.port, timeout=5)
    conn.request("GET", "/screen/index.html")
    response = conn.getresponse()
    body = response.read()
    conn.close()
    assert response.status == 200 and body == good  # byte for byte: no script, no error page
    assert get(server, "/screen/")[2].encode() == good
    assert get(server, "/news/a.html")[0] == 500


def test_an_exception_inside_the_build_shows_a_generic_error_page_and_the_server_survives(served,
                                                                                          monkeypatch):
    site, server = served()
    real_build = serve_mod.build

    def broken_build(options):
        raise RuntimeError("模拟的程序错误")

    monkeypatch.setattr(serve_mod, "build", broken_build)
    stamp = server.channel.state.stamp
    site.write("content/news/a.md", article("第二版标题"))
    wait_until(lambda: server.channel.state.stamp != stamp)
    status, _, body = get(server, "/news/a.html")
    assert status == 500 and "程序出错" in body and "模拟的程序错误" in body
    assert "Traceback" in server.err.getvalue()

    monkeypatch.setattr(serve_mod, "build", real_build)
    stamp = server.channel.state.stamp
    site.write("content/news/a.md", article("第三版标题"))
    wait_until(lambda: server.channel.state.stamp != stamp)
    assert "第三版标题" in get(server, "/news/a.html")[2]


def test_no_full_collection_interrupts_a_rebuild_or_the_reload_and_one_runs_when_idle(served, monkeypatch):
    """The cycle collector waits while serve builds (a full collection walks
    everything the cache keeps) and runs in full only once no save has come
    for a moment, not while the open pages fetch what was rebuilt."""
    import gc

    site, server = served({f"content/news/n{i}.md": article(f"动态{i}") for i in range(300)})
    wait_until(lambda: not server.loop._idle_owed)  # the first build's collection is done
    full: list[tuple[str, float]] = []  # (when, seconds after the pages were published)
    building = threading.Event()
    published: list[float] = []
    real_build, real_publish = serve_mod.build, server.publish

    def watched_build(options):
        building.set()
        try:
            return real_build(options)
        finally:
            building.clear()

    def watched_publish(**outcome):
        published.append(time.monotonic())
        return real_publish(**outcome)

    def on_collection(phase, info):
        if phase == "start" and info["generation"] == 2:
            since = time.monotonic() - published[-1] if published else -1.0
            full.append(("during" if building.is_set() else "after", since))

    monkeypatch.setattr(serve_mod, "build", watched_build)
    monkeypatch.setattr(server, "publish", watched_publish)
    gc.callbacks.append(on_collection)
    try:
        site.write("content/news/n3.md", article("新标题", body="改过的正文。"))
        wait_until(lambda: full, timeout=10)
    finally:
        gc.callbacks.remove(on_collection)
    assert "新标题" in get(server, "/news/n3.html")[2]
    assert not [e for e in full if e[0] == "during"], full
    assert full[0][1] >= 0.9 * server.loop.idle_after, full  # not held right after the reload


def test_the_build_loop_goes_idle_once_after_the_saves_stop():
    builds: list[float] = []
    idle: list[float] = []
    loop = BuildLoop(lambda names: builds.append(time.monotonic()), settled=0.01,
                     idle=lambda: idle.append(time.monotonic()), idle_after=0.4)
    loop.start()
    try:
        loop.changed({"content/news/a.md"}, complete=True)
        wait_until(lambda: builds)
        time.sleep(0.2)
        loop.changed({"content/news/b.md"}, complete=True)  # a second save before the loop is idle
        wait_until(lambda: idle)
        time.sleep(0.8)  # idle once, not again and again
    finally:
        loop.stop()
    assert len(builds) == 2 and len(idle) == 1
    assert idle[0] - builds[-1] >= 0.4


def test_deleted_files_and_renamed_folders_do_not_stop_the_server(served):
    site, server = served({"content/news/a.md": article("甲"), "content/notices/b.md": article("乙")})
    stamp = server.channel.state.stamp
    (site.root / "content/notices/b.md").unlink()
    wait_until(lambda: server.channel.state.stamp != stamp)
    assert wait_until(lambda: get(server, "/notices/b.html")[0] == 404)

    stamp = server.channel.state.stamp
    os.rename(site.root / "content", site.root / "content-old")
    wait_until(lambda: server.channel.state.stamp != stamp)
    assert get(server, "/")[0] in (200, 500)

    stamp = server.channel.state.stamp
    os.rename(site.root / "content-old", site.root / "content")
    wait_until(lambda: server.channel.state.stamp != stamp)
    # the folder came back: edits inside it are seen again
    stamp = server.channel.state.stamp
    site.write("content/news/a.md", article("回来了"))
    wait_until(lambda: server.channel.state.stamp != stamp and "回来了" in get(server, "/news/a.html")[2])


def test_editor_swap_and_temporary_files_cause_no_rebuild(served):
    site, server = served()
    for name in (".#a.md", "a.md~", "a.md.swp", "#a.md#", "a.md.tmp", ".hidden.md"):
        site.write(f"content/news/{name}", "半截内容")
    (site.root / "content/news/a.md.swp").unlink()
    time.sleep(0.6)  # four debounce periods
    assert changes_seen(server) == ""
    stamp = server.channel.state.stamp
    site.write("content/news/a.md", article("真正的修改"))  # the watcher still works
    wait_until(lambda: server.channel.state.stamp != stamp)
    assert "content/news/a.md" in changes_seen(server)
    assert "swp" not in changes_seen(server) and "#" not in changes_seen(server)


def test_a_save_that_touches_several_files_builds_once(served):
    site, server = served()
    stamp = server.channel.state.stamp
    for i in range(5):
        site.write(f"content/news/n{i}.md", article(f"新闻{i}"))
    wait_until(lambda: server.channel.state.stamp != stamp)
    time.sleep(0.5)
    rebuilds = [line for line in changes_seen(server).splitlines() if "content/news/n" in line]
    assert len(rebuilds) == 1 and "等 5 个文件" in rebuilds[0]
    assert all(get(server, f"/news/n{i}.html")[0] == 200 for i in range(5))


def test_pages_never_go_missing_while_builds_swap_the_output_folder(served):
    site, server = served({"content/news/a.md": article("甲"), "content/notices/b.md": article("乙")})
    stop = threading.Event()

    def rebuild_again_and_again():
        while not stop.is_set():
            server.run_build(["content/news/a.md"])

    builder = threading.Thread(target=rebuild_again_and_again)
    builder.start()
    statuses = []
    try:
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline:
            for path in ("/news/a.html", "/static/style.css", "/notices/"):
                statuses.append((path, get(server, path)[0]))
    finally:
        stop.set()
        builder.join(timeout=30)
    assert server.builds > 5
    assert all(status == 200 for _path, status in statuses), [s for s in statuses if s[1] != 200][:5]


TRAVERSALS = [
    "/../secret.txt", "/%2e%2e/secret.txt", "/%2e%2e%2fsecret.txt", "/..%2fsecret.txt",
    "/..%5csecret.txt", "/%252e%252e/secret.txt", "/%252e%252e%252fsecret.txt", "/..\\secret.txt",
    "/news/../../secret.txt", "/news/%2e%2e/%2e%2e/secret.txt", "/%2E%2E/secret.txt",
    "/.%2e/secret.txt", "/%c0%ae%c0%ae/secret.txt", "/leak.txt", "/leak-folder/secret.txt", "/leak-beside.txt",
    "/.branchboard-output", "/%2ebranchboard-output", "//secret.txt", "/news/..", "/C:/secret.txt",
    "http://127.0.0.1/../secret.txt",
]


def test_nothing_outside_the_output_folder_is_ever_served(served):
    site, server = served()
    site.write("secret.txt", SECRET)
    os.symlink(site.root / "secret.txt", site.out / "leak.txt")
    os.symlink(site.root, site.out / "leak-folder")
    beside = site.out.with_name(site.out.name + "-old")  # its name begins as the output folder's does
    beside.mkdir()
    (beside / "secret.txt").write_text(SECRET, encoding="utf-8")
    os.symlink(beside / "secret.txt", site.out / "leak-beside.txt")
    for target in TRAVERSALS:
        answer = raw(server, f"GET {target} HTTP/1.0\r\n\r\n".encode("latin-1"))
        status = int(answer.split(b" ", 2)[1])
        assert status in (403, 404), (target, answer[:200])
        assert SECRET.encode() not in answer, target
        assert "这个文件夹由 branchboard 生成".encode() not in answer, target


def test_url_parts_decode_once_and_refuse_what_climbs_or_hides():
    assert url_parts("/news/a.html?x=1") == ["news", "a.html"]
    assert url_parts("/%E6%94%AF%E9%83%A8/") == ["支部"]
    assert url_parts("/%252e%252e/x") == ["%2e%2e", "x"]  # a harmless literal name
    for bad in ("/..", "/a/../b", "/%2e%2e", "/a%5cb", "/a\\b", "/.git/config", "/%00", "x", "/%ff"):
        with pytest.raises(ForbiddenPath):
            url_parts(bad)


def test_folders_serve_their_index_and_are_never_listed(served):
    site, server = served({"content/news/a.md": article("甲"),
                           "content/news/images/p.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>"})
    status, headers, _ = get(server, "/news")
    assert status == 301 and headers["Location"] == "/news/"
    assert get(server, "/news/")[0] == 200
    status, _, body = get(server, "/news/images/")
    assert status == 404 and "p.svg" not in body
    status, headers, body = get(server, "/news/images/p.svg")
    assert status == 200 and headers["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert headers["X-Content-Type-Options"] == "nosniff"
    status, headers, body = get(server, "/static/style.css")
    assert headers["Content-Type"] == "text/css; charset=utf-8"
    status, headers, body = get(server, "/news/a.html", method="HEAD")
    assert status == 200 and body == "" and int(headers["Content-Length"]) > 0


def test_only_get_and_head_are_allowed(served):
    _site, server = served()
    for method in ("POST", "PUT", "DELETE", "OPTIONS", "PATCH", "BREW"):
        status, headers, _ = get(server, "/news/a.html", method=method)
        assert status == 405 and headers["Allow"] == "GET, HEAD", method


def test_the_server_survives_malformed_requests(served):
    _site, server = served()
    for junk in (b"\x00\xff\xfe garbage\r\n\r\n", b"GET\r\n\r\n", b"GET / HTTP/9.9 extra words\r\n\r\n",
                 b"GET /" + b"a" * 70000 + b" HTTP/1.0\r\n\r\n", b"GET /%zz HTTP/1.0\r\n\r\n"):
        answer = raw(server, junk)
        assert answer == b"" or any(code in answer for code in (b"400", b"404", b"414")), junk[:30]
    # a blank line before the request line is skipped, as HTTP asks (RFC 9112, 2.2)
    assert raw(server, b"\r\nGET /news/a.html HTTP/1.0\r\n\r\n").startswith(b"HTTP/1.0 200 ")
    with socket.create_connection(("127.0.0.1", server.http.port), timeout=5) as sock:
        sock.sendall(b"\r\n")  # and one that never comes holds no thread: the pages are still answered
        assert get(server, "/news/a.html")[0] == 200
    with socket.create_connection(("127.0.0.1", server.http.port), timeout=5):
        pass  # a client that connects and leaves at once
    assert get(server, "/news/a.html")[0] == 200


def test_a_page_is_answered_while_every_stream_is_taken(served, monkeypatch):
    """Each open page's event stream holds a server thread: with as many
    streams open as are let in, one more is told to retry, and pages are
    still answered by the threads kept for them."""
    monkeypatch.setattr(serve_mod, "STREAMS", 3)
    monkeypatch.setattr(serve_mod, "PAGE_THREADS", 1)
    _site, server = served()
    streams = [EventStream(server) for _ in range(3)]
    try:
        for events in streams:
            events.next_build()
        assert server.channel.streams == 3
        status, headers, _ = get(server, "/__live/events")
        assert status == 503 and headers["Retry-After"] == "5"
        assert [get(server, "/news/a.html")[0] for _ in range(10)] == [200] * 10
        stamp = server.channel.state.stamp
        server.run_build([])  # the open streams still hear of a build
        assert all(events.next_build() != stamp for events in streams)
    finally:
        for events in streams:
            events.close()


def test_stopping_ends_open_event_streams(served):
    _site, server = served()
    events = EventStream(server)
    events.next_build()
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 3  # no thread waits out an open stream (Ctrl-C ends at once)
    with pytest.raises((EOFError, ConnectionError)):
        events.next_build(timeout=3)
    events.close()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", server.http.port), timeout=1).close()


def test_the_watcher_names_site_and_theme_files_and_ignores_the_rest(tmp_path):
    site, bundled = tmp_path / "site", tmp_path / "bundled"
    watcher = Watcher(site, site / "public", [site / "themes", bundled], lambda names, complete: None)
    assert watcher.name_of(str(site / "content/news/a.md")) == "content/news/a.md"
    assert watcher.name_of(str(site / "site.yaml")) == "site.yaml"
    assert watcher.name_of(str(site / "schemas/honors.yaml")) == "schemas/honors.yaml"
    assert watcher.name_of(str(bundled / "default/templates/base.html")) == "themes/default/templates/base.html"
    for ignored in ("public/index.html", ".public.staging-1/x.html", "content/news/.#a.md",
                    "content/news/a.md~", "data/.honors.yaml.swp", "README.md", ".git/index",
                    "content/news/#a.md#", "content/news/a.md.tmp"):
        assert watcher.name_of(str(site / ignored)) is None, ignored


def test_a_complete_save_builds_at_once_and_a_file_still_being_written_waits_for_quiet():
    builds: list[list[str]] = []
    done = threading.Event()
    loop = BuildLoop(lambda names: (builds.append(names), done.set()), quiet=3.0, settled=0.01)
    loop.start()
    try:
        loop.changed({"content/news/a.md"})  # written, not yet closed
        assert not done.wait(1.0)  # well inside the quiet period: no build yet
        loop.changed({"content/news/a.md"}, complete=True)  # now closed
        assert done.wait(1.0)
        assert builds == [["content/news/a.md"]]
        done.clear()
        loop.changed({"content/news/b.md"})
        loop.changed({"content/news/c.md"}, complete=True)  # b is still open: wait for it
        assert not done.wait(1.0)
        assert done.wait(5.0)
        assert builds[1] == ["content/news/b.md", "content/news/c.md"]
    finally:
        loop.stop()


def test_the_watcher_tells_a_closed_file_from_one_being_written(tmp_path):
    (tmp_path / "content/news").mkdir(parents=True)
    seen: list[tuple[frozenset, bool]] = []
    closed = threading.Event()

    def on_change(names, complete):
        seen.append((frozenset(names), complete))
        if complete:
            closed.set()

    watcher = Watcher(tmp_path, tmp_path / "public", [], on_change)
    watcher.start()
    try:
        time.sleep(0.2)
        with open(tmp_path / "content/news/a.md", "w", encoding="utf-8") as fh:
            fh.write("---\n")
            fh.flush()
            time.sleep(0.3)
            assert all(not complete for _names, complete in seen)  # open: not complete
        assert closed.wait(5.0)
        assert (frozenset({"content/news/a.md"}), True) in seen
    finally:
        watcher.stop()


def read_lines_until(proc: subprocess.Popen, marker: str, timeout: float) -> list[str]:
    """Lines of the child's stdout up to the one containing ``marker``, never blocking past timeout."""
    lines, pending = [], b""
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if not selector.select(timeout=max(0.0, deadline - time.monotonic())):
                continue
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk:
                break
            pending += chunk
            *done, pending = pending.split(b"\n")
            lines += [line.decode("utf-8") for line in done]
            if any(marker in line for line in lines):
                return lines
    raise AssertionError("no address printed:\n" + "\n".join(lines) + pending.decode("utf-8", "replace"))


def test_serve_command_prints_the_address_and_stops_cleanly_on_ctrl_c(make_site):
    site = make_site({"content/news/a.md": article("甲")})
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, str(BUILD_PY), "serve", "--port", "0", "--site", str(site.root),
                             "--now", "2026-11-25"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env, cwd=site.root)
    try:
        lines = read_lines_until(proc, "网站预览：http://127.0.0.1:", timeout=30)
        address = next(line for line in lines if "网站预览：" in line).split("网站预览：", 1)[1].strip()
        assert address.startswith("http://127.0.0.1:"), "".join(lines)
        conn = http.client.HTTPConnection(address[len("http://"):].rstrip("/"), timeout=5)
        conn.request("GET", "/news/a.html")
        assert conn.getresponse().status == 200
        conn.close()
        assert any("生成完毕：" in line for line in lines)
        proc.send_signal(signal.SIGINT)
        # stopping waits for a build under way (up to 30 s), the server and the
        # watcher (5 s each): a bound for a hang, not a measure of speed
        out, _err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)
    assert proc.returncode == 0
    assert "已停止预览" in out.decode("utf-8")


def test_serve_refuses_a_port_already_in_use(make_site):
    site = make_site({"content/news/a.md": article("甲")})
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = site.run("serve", "--port", str(port))
    assert result.code == 2 and "Traceback" not in result.text
    assert "--port" in result.err


def test_lan_addresses_leave_out_loopback():
    assert all(not address.startswith("127.") for address in serve_mod.lan_addresses())


def test_a_request_under_another_name_is_refused(served):
    """A web page elsewhere can point a name of its own at 127.0.0.1 (DNS
    rebinding) and read the board through the browser: only this server's
    own names and addresses are answered."""
    _site, server = served()
    port = server.http.port
    for host, status in ((f"127.0.0.1:{port}", 200), (f"localhost:{port}", 200), ("evil.example.com", 421),
                         (f"evil.example.com:{port}", 421), (f"[::1]:{port}", 200)):
        answer = raw(server, f"GET /news/a.html HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        assert answer.startswith(f"HTTP/1.0 {status}".encode()) or answer.startswith(f"HTTP/1.1 {status}".encode()), \
            (host, answer[:60])


def test_the_crash_page_shows_no_path_of_this_machine(served, monkeypatch):
    site, server = served()

    def broken_build(options, on_wait=None):
        raise RuntimeError(f"模拟的程序错误 in {site.root}/branchboard/build/pages.py")

    monkeypatch.setattr(serve_mod, "build", broken_build)
    stamp = server.channel.state.stamp
    site.write("content/news/a.md", article("第二版标题"))
    wait_until(lambda: server.channel.state.stamp != stamp)
    status, _, body = get(server, "/news/a.html")
    assert status == 500 and "模拟的程序错误" in body and "pages.py" in body
    assert str(site.root) not in body and "/branchboard/" not in body


def test_listening_on_every_address_warns_who_can_see_the_board(make_site):
    site = make_site({"content/news/a.md": article("甲")})
    server = DevServer(Options(site.root, now=NOW), host="0.0.0.0", port=8000, out=io.StringIO(),
                       err=io.StringIO())  # never started: only what it would print
    serve_mod.print_addresses(server)
    assert "局域网里的任何电脑和手机都能打开" in server.out.getvalue()


def test_many_clients_at_once_are_all_answered(served):
    """200 requests at once (a screen and a room of phones reloading): none
    is refused or dropped; how fast is for bench/serve_load.py to say."""
    from concurrent.futures import ThreadPoolExecutor

    _site, server = served()

    def fetch(_i):
        return get(server, "/news/a.html")[0]

    with ThreadPoolExecutor(max_workers=200) as pool:
        statuses = list(pool.map(fetch, range(200)))
    assert statuses == [200] * 200
