"""`python build.py serve`: build, watch, rebuild, serve, reload.

    DevServer.start()
      1. build once                          pipeline.build
      2. serve the output folder             app.BoardApp (a WSGI app) on web.WebServer (waitress)
      3. watch the site's files              watch.Watcher
      4. rebuild after each save             watch.BuildLoop: debounced, one build thread
      5. tell every open page                livereload.LiveChannel (Server-Sent Events)

After a failed build the output folder still holds the last good site: the
meeting-room screen (/screen/) keeps showing it, while every other page shows
the problems until the next good save (app.py says what is served and how).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
import re
import socket
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import TextIO

from branchboard.build.cache import BuildCache
from branchboard.errors import BuildFailed, describe_os_error
from branchboard.locks import Busy
from branchboard.serve.app import SCREEN_FOLDER, BoardApp, own_names
from branchboard.serve.livereload import LiveChannel, SiteState
from branchboard.build.pipeline import Options, build
from branchboard.site.theme import BUNDLED_THEMES
from branchboard.serve.watch import BuildLoop, Watcher
from branchboard.serve.web import WebServer

# An open page's event stream holds a server thread while the page is open:
# at most STREAMS of them do, and PAGE_THREADS more always answer pages.
STREAMS = 48
PAGE_THREADS = 16


class DevServer:
    """build + watch + serve + reload, started and stopped as one."""

    def __init__(self, options: Options, host: str = "127.0.0.1", port: int = 8000,
                 out: TextIO | None = None, err: TextIO | None = None, quiet: float = 0.03,
                 editor: bool = True):
        # one cache kept in memory across rebuilds: an edit re-reads and re-renders only what it touches
        self.options = dataclasses.replace(options, cache=options.cache or BuildCache.load(options.site_dir))
        self.host, self.port = host, port
        self.editor = editor  # serve the editor at /admin/ too
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.channel = LiveChannel()
        self.builds = 0  # finished builds, good or bad
        self._building = threading.Lock()  # never two builds at once, whoever asks
        # the full cycle collection waits for a pause in the saves (see run_build)
        self.loop = BuildLoop(self.rebuild, quiet=quiet, idle=gc.collect)
        self.watcher = Watcher(options.site_dir, options.out,
                               [options.site_dir / "themes", BUNDLED_THEMES], self.loop.changed)
        self.http: WebServer | None = None

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://{host}:{self.http.port if self.http else self.port}/"

    def start(self) -> None:
        """Build once, then serve and watch; raises OSError when the port is taken."""
        from branchboard.editor.web import EditorApp

        editor = EditorApp(self.options.site_dir, now=self.options.now) if self.editor else None
        app = BoardApp(self.options.out, self.channel, own_names(self.host), streams=STREAMS, editor=editor)
        self.http = WebServer(app, self.host, self.port, threads=STREAMS + PAGE_THREADS)
        self.run_build([])
        self.http.start()
        self.watcher.start()
        self.loop.start()

    def stop(self) -> None:
        self.watcher.stop()
        self.loop.stop()
        self.channel.close()  # ends every event stream, so the server's threads can end
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
    if server.editor:
        say(f"编辑后台：{server.url}admin/")
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
        if server.editor:
            say(editor_access(server.options.site_dir))
            say(f"在这台电脑上请用 {server.url}admin/ 打开后台（不用密码）；"
                "用局域网地址打开，会被当作别的电脑。")
    say("修改文件并保存后，网站会自动重新生成，打开的网页会自动刷新。按 Ctrl+C 停止。")


def editor_access(site_dir: Path) -> str:
    """Whether other computers may use the editor, said for the terminal."""
    from branchboard.command import command_name
    from branchboard.editor.security import has_password

    if has_password(site_dir):
        return f"编辑后台：局域网里的其他电脑要输入密码才能打开（密码用 {command_name()} password 修改）。"
    return ("编辑后台：没有设置密码，局域网里的其他电脑打不开后台，只有本机能打开；"
            f"要让别的电脑也能编辑，请先运行 {command_name()} password 设置密码。")


def run(options: Options, host: str, port: int, open_editor: bool = False) -> int:
    """The `serve` command (and `edit`, which opens the editor in the browser): returns the exit code."""
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
        if open_editor:
            import webbrowser

            if not webbrowser.open(f"{server.url}admin/"):
                server.say(f"没能自动打开浏览器，请在浏览器里打开 {server.url}admin/")
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
