"""Live reload for `serve`: what each open page is told, and what it is shown.

Every finished build, good or bad, is published on a :class:`LiveChannel` as
a new *build stamp*.  A page served by `serve` carries the stamp it was served
under (an injected ``<script>`` that reads ``/__live/events``, a Server-Sent
Events stream); the stream sends the current stamp as soon as the page
connects and again after every build, and a page whose stamp differs reloads
itself.  So a page that connects just after a build still notices it, and a
page the server restarted under reloads too.

While the last build failed, HTML requests get an error page listing every
problem exactly as `python build.py check` prints it; the next good build
publishes a new stamp and every page reloads into the site again.  Nothing
here touches the files on disk: the script is added to the response only.
"""

from __future__ import annotations

import contextlib
import html
import secrets
import threading
from dataclasses import dataclass

from branchboard.errors import BoardError

EVENTS_URL = "/__live/events"
SCRIPT_URL = "/__live/reload.js"
RETRY_MS = 1000  # how soon a browser reconnects after the server restarts

SCRIPT = """\
(function () {
  "use strict";
  var me = document.currentScript;
  var shown = me && me.getAttribute("data-build");
  if (!shown || !window.EventSource) { return; }
  var events = new EventSource("%s");
  events.addEventListener("build", function (event) {
    if (event.data !== shown) { events.close(); window.location.reload(); }
  });
})();
""" % EVENTS_URL


@dataclass(frozen=True)
class SiteState:
    """The outcome of the latest build, under the stamp pages compare."""

    stamp: str
    problems: tuple[BoardError, ...] = ()  # as `check` prints them (warnings of a good build too)
    failed: bool = False  # the content has errors: problems says which
    crash: str = ""  # an exception inside branchboard: its one-line summary

    @property
    def is_broken(self) -> bool:
        return self.failed or bool(self.crash)


class LiveChannel:
    """The latest SiteState, and a way to wait for the next one."""

    def __init__(self) -> None:
        self._run = secrets.token_hex(4)  # differs between runs of the server
        self._count = 0
        self._cond = threading.Condition()
        self._state = SiteState(self._next_stamp())
        self._closed = False
        self.streams = 0  # open event streams (a closed tab's until its next ping fails)

    def _next_stamp(self) -> str:
        self._count += 1
        return f"{self._run}-{self._count}"

    @property
    def state(self) -> SiteState:
        with self._cond:
            return self._state

    def publish(self, problems: tuple[BoardError, ...] = (), failed: bool = False,
                crash: str = "") -> SiteState:
        """Record a finished build and wake every waiting stream."""
        with self._cond:
            self._state = SiteState(self._next_stamp(), tuple(problems), failed, crash)
            self._cond.notify_all()
            return self._state

    @contextlib.contextmanager
    def stream(self):
        """Counts an open event stream while the block runs."""
        with self._cond:
            self.streams += 1
        try:
            yield self
        finally:
            with self._cond:
                self.streams -= 1

    def wait(self, seen: str | None, timeout: float) -> SiteState | None:
        """The state once its stamp differs from ``seen`` (or after ``timeout``).

        Returns None when the channel is closed: the stream should end.
        """
        with self._cond:
            self._cond.wait_for(lambda: self._closed or self._state.stamp != seen, timeout)
            return None if self._closed else self._state

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()


def event_message(state: SiteState) -> bytes:
    """One Server-Sent Event naming the current build."""
    return f"event: build\ndata: {state.stamp}\n\n".encode()


def inject_script(page: bytes, stamp: str) -> bytes:
    """The page with the live-reload script added before ``</body>``."""
    tag = f'<script src="{SCRIPT_URL}" data-build="{html.escape(stamp)}"></script>\n'.encode()
    at = page.lower().rfind(b"</body>")
    if at < 0:
        return page + b"\n" + tag
    return page[:at] + tag + page[at:]


_STYLE = """\
body { margin: 0; background: #fdf6f0; color: #222; font: 18px/1.7 "Noto Sans CJK SC",
  "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif; }
main { max-width: 60rem; margin: 0 auto; padding: 2rem 1.5rem 4rem; }
h1 { color: #b3121b; font-size: 1.7rem; margin: 0 0 .5rem; }
.lead { margin: 0 0 1.5rem; }
ol { padding: 0; list-style: none; }
li { background: #fff; border-left: .4rem solid #b3121b; border-radius: .3rem;
  margin: 0 0 1rem; padding: .8rem 1rem; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
li.warning { border-left-color: #c77800; }
.problem { margin: 0; white-space: pre-wrap; word-break: break-all; font: inherit; }
.problem strong { font-family: "Noto Sans Mono CJK SC", Consolas, monospace; color: #7a0c12; }
.note { color: #555; font-size: .95rem; border-top: 1px solid #e0cfc4; padding-top: 1rem; }
"""


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(title)}</title>\n<style>\n{_STYLE}</style>\n</head>\n"
            f"<body>\n<main>\n{body}</main>\n</body>\n</html>\n")


def _problem_item(problem: BoardError) -> str:
    """One problem, its text exactly as `check` prints it."""
    text = str(problem)
    where = problem.location()
    rest = text[len(where):] if text.startswith(where) else text
    return (f'<li class="{problem.level}"><pre class="problem"><strong>{html.escape(where)}</strong>'
            f"{html.escape(rest)}</pre></li>\n")


def error_page(state: SiteState) -> str:
    """The page every open page shows while the latest build failed."""
    note = ("<p class=\"note\">改好并保存后，这个页面会自动刷新。在改好之前，"
            "大屏页面（screen）继续显示上一次生成的内容。</p>\n")
    if state.crash:
        body = ("<h1>生成网站时程序出错</h1>\n"
                "<p class=\"lead\">这不是您的文件写错了，而是 branchboard 程序本身的问题。"
                "请把终端窗口里从 Traceback 开始的出错信息发给维护网站的同事。</p>\n"
                f"<ol><li><pre class=\"problem\">{html.escape(state.crash)}</pre></li></ol>\n")
        return _page("生成网站时程序出错", body + note)
    errors = sum(1 for p in state.problems if p.level == "error")
    items = "".join(_problem_item(p) for p in state.problems)
    body = (f"<h1>网站没有生成：发现 {errors} 个错误</h1>\n"
            "<p class=\"lead\">请按下面的提示修改文件。每条开头是文件名和行号（文件:行:列）。</p>\n"
            f"<ol>\n{items}</ol>\n")
    return _page(f"网站没有生成：{errors} 个错误", body + note)


def not_found_page(path: str) -> str:
    body = (f"<h1>没有这个网页</h1>\n<p class=\"lead\">网站里没有 {html.escape(path)}。</p>\n"
            '<p><a href="/">回到首页</a></p>\n')
    return _page("没有这个网页", body)
