"""The editor's pages under /admin/ (后台), served by `serve` beside the site.

    GET  /admin/                     the dashboard and the data files
    GET  /admin/login, POST          the password, for another computer
    POST /admin/logout
    GET  /admin/static/<file>        the editor's stylesheet and scripts
    /admin/data/, save, move, new, add, remove    a data file's entries (datapages)
    /admin/history, restore          a file's kept versions (history)
    /admin/articles/...              the articles (articles)
    /admin/photo/...                 photo uploads and previews (photos)
    /admin/performance/...           a 绩效考核 period's whole form (performance)

``EditorApp`` is the door: every request is first let in or not
(``_admit``: this computer, or a logged-in session); every POST must carry
its session's CSRF token and come from a page of this server (Origin).  The
Host header has been checked by the board's app before a request gets
here.  Then ``_route`` hands it to the module whose pages it asks for; each
writes through ``files.save``, which refuses to overwrite a hand edit.
"""

from __future__ import annotations

import contextvars
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request, Response

from branchboard.command import command_name
from branchboard.editor import articles, dashboard, datapages, forms, history, performance, photos, security, siteinfo

HERE = Path(__file__).parent
MAX_FORM = 1024 * 1024  # bytes: a form of the data files is far smaller
STATIC = {"admin.css": "text/css; charset=utf-8", "photos.js": "text/javascript; charset=utf-8",
          "performance.js": "text/javascript; charset=utf-8", "forms.js": "text/javascript; charset=utf-8"}
HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
}


class EditorApp:
    """The /admin/ pages of one site."""

    def __init__(self, site_dir: Path, site_url: str = "/", now=None):
        self.now = now  # the build's "today" (a fixed day in tests), else the clock
        self.site_dir = Path(site_dir)
        self.site_url = site_url
        self.site_files = siteinfo.SiteFiles(self.site_dir)  # what requests read of the site, kept while unchanged
        self.dashboard = dashboard.Dashboard(self.site_dir, self.site_files)  # the first page, kept while nothing changed
        self.sessions = security.Sessions()
        self.throttle = security.LoginThrottle()
        self.env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]),
                               trim_blocks=True, lstrip_blocks=True)
        self.env.globals["command"] = command_name()  # as the hints name it on this computer

    # -- the door -------------------------------------------------------------

    def __call__(self, request: Request) -> Response:
        request.max_form_memory_size = MAX_FORM
        path = request.path.rstrip("/") or "/"
        request.max_content_length = photos.body_limit(path, articles.body_limit(path, MAX_FORM))
        if path.startswith("/admin/static/") and path[len("/admin/static/"):] in STATIC:
            return self._static(path[len("/admin/static/"):])
        LOGGED_IN_ELSEWHERE.set(False)
        session_id = request.cookies.get(security.COOKIE)
        session = self.sessions.get(session_id)
        new_cookie = None
        if session is None and request.method != "POST":
            session_id, session = self.sessions.new()
            new_cookie = session_id
        try:
            response = self._admit(request, path, session_id, session)
        except RequestEntityTooLarge:
            response = self._page("message.html", 413, title="没有保存", message="提交的内容太大，没有保存。")
        if new_cookie:
            response.set_cookie(security.COOKIE, new_cookie, **security.cookie_options())
        response.headers.update(HEADERS)
        return response

    def _admit(self, request: Request, path: str, session_id, session) -> Response:
        if request.method == "POST":
            refused = self._refuse_post(request, session)
            if refused is not None:
                return refused
        if not security.is_local_client(request.remote_addr):
            if not security.has_password(self.site_dir):
                return self._page("message.html", 403, title="不能打开后台",
                                  message="这台电脑不能打开后台：后台只能在运行网站的那台电脑上打开。"
                                          f"要让别的电脑也能用，请在那台电脑上先运行 {self.env.globals['command']} password 设置密码。")
            if path == "/admin/login":
                return self._login(request, session_id, session)
            if not session.logged_in:
                return self._page("login.html", 401, title="登录后台", csrf=session.csrf, failed=False)
            LOGGED_IN_ELSEWHERE.set(True)  # only such a session has anything to log out of
        if path == "/admin/logout" and request.method == "POST":
            self.sessions.drop(session_id)
            return redirect("/admin/")
        return self._route(request, path, session)

    def _refuse_post(self, request: Request, session) -> Response | None:
        """A POST is refused unless it comes from one of these pages: same origin, right token."""
        if not security.is_same_origin(request.headers.get("Host"), request.headers.get("Origin"),
                                       request.headers.get("Referer")):
            return self._page("message.html", 403, title="拒绝", message="这个请求不是从本后台的网页发出的，没有执行。")
        if not security.is_valid_token(session, request.form.get("csrf")):
            return self._page("message.html", 403, title="拒绝",
                              message="网页已经过期（或不是从本后台打开的），没有保存。请刷新网页后重新填写。")
        return None

    def _login(self, request: Request, session_id, session) -> Response:
        if request.method != "POST":
            return self._page("login.html", 200, title="登录后台", csrf=session.csrf, failed=False)
        address = request.remote_addr
        wait = self.throttle.wait(address)
        if wait:
            return self._page("message.html", 429, title="请稍后再试",
                              message=f"密码输错的次数太多，为了安全，请 {wait} 秒后再试。")
        if not security.check_password(self.site_dir, request.form.get("password", "")):
            self.throttle.failed(address)
            return self._page("login.html", 401, title="登录后台", csrf=session.csrf, failed=True)
        self.throttle.succeeded(address)
        self.sessions.drop(session_id)  # a new id after logging in: one seen before is worth nothing
        new_id, _session = self.sessions.new(logged_in=True)
        response = redirect("/admin/")
        response.set_cookie(security.COOKIE, new_id, **security.cookie_options())
        return response

    # -- the pages ----------------------------------------------------------------

    def _route(self, request: Request, path: str, session) -> Response:
        if path == articles.PREFIX or path.startswith(articles.PREFIX + "/"):
            return articles.handle(self, request, path, session)
        if path == photos.PREFIX or path.startswith(photos.PREFIX + "/"):
            return photos.handle(self, request, path)
        if path == performance.PREFIX or path.startswith(performance.PREFIX + "/"):
            return performance.handle(self, request, path, session)
        if path == "/admin" and request.method != "POST":
            return self._home(session)
        if datapages.is_theirs(path):
            return datapages.handle(self, request, path, session)
        if path in history.PATHS:
            return history.handle(self, request, path, session)
        if path == "/admin/login":
            return redirect("/admin/")
        return self._page("message.html", 404, title="找不到", message="后台没有这个网页。")

    def _home(self, session) -> Response:
        info = forms.site_info(self.site_dir, self.site_files)
        kinds = [(name, schema.root.label) for name, schema in forms.data_files(info).items()]
        listed = dict(kinds)
        today = self.dashboard.today(self.now)
        jobs = [("新文章", articles.PREFIX)]  # the list, with a 新文章 button per section
        jobs += [(label, today.job_url(name, url)) for label, name, url in JOBS if name in listed]
        return self._page("home.html", 200, title="后台", kinds=kinds, problems=info.problems, jobs=jobs,
                          today=today, csrf=session.csrf)

    # -- helpers -------------------------------------------------------------------

    def _page(self, template: str, status: int, **values) -> Response:
        body = self.env.get_template(template).render(can_log_out=LOGGED_IN_ELSEWHERE.get(), **values)
        return Response(body, status, content_type="text/html; charset=utf-8")

    def _static(self, name: str) -> Response:
        return Response((HERE / "static" / name).read_bytes(), 200, content_type=STATIC[name],
                        headers={"Cache-Control": "no-cache"})


# whether this request comes from another computer logged in with the password
LOGGED_IN_ELSEWHERE: contextvars.ContextVar[bool] = contextvars.ContextVar("logged_in_elsewhere", default=False)

JOBS = (  # the dashboard's buttons: (label, the data file they need, where they go)
    ("本月光荣榜", "honors.yaml", "/admin/new?file=data/honors.yaml&list="),
    ("本月考核", "performance.yaml", performance.PREFIX),
    ("取消/加一次学习", "study.yaml", "/admin/data/study.yaml"),
    ("答复来信", "mailbox.yaml", "/admin/data/mailbox.yaml"),
    ("新条幅", "banners.yaml", "/admin/new?file=data/banners.yaml&list="),
)


def redirect(location: str) -> Response:
    return Response(b"", 303, {"Location": location})
