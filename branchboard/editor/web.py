"""The editor's pages under /admin/ (后台), served by `serve` beside the site.

    GET  /admin/                     the data files
    GET  /admin/data/<file>          its entries; ?at=<entry> that entry's form
    POST /admin/save                 one entry's changed values, checked, then written
    POST /admin/move                 the same, and a list item moved up or down (上移, 下移)
    GET  /admin/new?file=&list=      an empty form for a new item of a list; POST /admin/add
    GET  /admin/remove?file=&at=     asks before an item goes; POST /admin/remove
    GET  /admin/history?file=[&v=]   a file's kept versions, one compared with now; POST /admin/restore
    GET  /admin/login, POST          the password, for another computer
    POST /admin/logout
    POST /admin/photo/upload         a photo for an image field; GET /admin/photo?file= its preview
    GET  /admin/performance          a 绩效考核 period's whole form; POST /admin/performance/save
    GET  /admin/static/<file>        the editor's stylesheet, the photo fields' script

Every request is first let in or not (``_admit``: this computer, or a
logged-in session); every POST must carry its session's CSRF token and come
from a page of this server (Origin).  The Host header has been checked by
the board's app before a request gets here.  A save changes only the values
that differ from the file, checks the whole new text with the build's own
checks, and writes through ``files.save``, which refuses to overwrite a
hand edit.
"""

from __future__ import annotations

import contextvars
import difflib
import re
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request, Response

from branchboard.build import pipeline
from branchboard.editor import articles, dashboard, files, forms, performance, photos, security, siteinfo
from branchboard.editor.yamledit import REMOVE, change, insert, move
from branchboard.scaffold.yamlappend import Refused

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
        self.dashboard = dashboard.Dashboard(self.site_dir)  # the first page, kept while nothing changed
        self.sessions = security.Sessions()
        self.throttle = security.LoginThrottle()
        self.env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]),
                               trim_blocks=True, lstrip_blocks=True)

    # -- the door -------------------------------------------------------------

    def __call__(self, request: Request) -> Response:
        request.max_content_length = MAX_FORM
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
                                          "要让别的电脑也能用，请在那台电脑上先运行 python build.py password 设置密码。")
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
        if path.startswith("/admin/data/") and request.method != "POST":
            return self._data_page(path[len("/admin/data/"):], request.args, session)
        if path == "/admin/save" and request.method == "POST":
            return self._save(request.form, session)
        if path in LIST_PAGES and request.method in LIST_PAGES[path]:
            return getattr(self, LIST_PAGES[path][request.method])(request, session)
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

    def _data_page(self, name: str, args, session, **shown) -> Response:
        info = forms.site_info(self.site_dir, self.site_files)
        schema = forms.data_files(info).get(name)
        if schema is None:
            return self._page("message.html", 404, title="找不到", message=f"没有“{name}”这个数据文件。")
        data = shown.pop("data", None) or forms.open_data(info, name, schema)
        at = forms.parse_at(args.get("at", ""))
        group = shown.pop("group", None)
        if group is None and at and data.doc is not None and forms.has_entry(data, at):
            group = forms.form_for(data, at, info)
        return self._page("data.html", shown.pop("status", 200), title=data.label, data=data,
                          entries=forms.entries(data) if data.doc is not None else [], at=at,
                          lists=forms.entry_lists(data), places=len(forms.value_at(data.value, at[:-1]) or []),
                          at_text=forms.at_text(at), group=group, csrf=session.csrf,
                          tools=performance.tools(name, at),
                          saved=args.get("saved") == "1", site_url=self.site_url, **shown)

    def _save(self, form, session, moving: tuple | None = None) -> Response:
        """One entry's changed values, checked, then written; ``moving``: (a
        list item's path, -1 or 1) to move it up or down in the same save."""
        info = forms.site_info(self.site_dir, self.site_files)
        kinds = forms.data_files(info)
        rel = form.get("file", "")
        name = rel[len("data/"):] if rel.startswith("data/") else ""
        if name not in kinds or rel != f"data/{name}":  # only a data file the editor lists, by its own name
            return self._page("message.html", 400, title="没有保存", message=f"不能修改“{rel}”：它不是后台列出的数据文件。")
        data = forms.open_data(info, name, kinds[name])
        at = forms.parse_at(form.get("at", ""))
        if data.doc is None or not forms.has_entry(data, at) or not _can_move(data, moving):
            return self._page("message.html", 409, title="没有保存",
                              message=f"{rel} 里找不到要修改的这一项（可能刚被改过或有错误），没有保存。请重新打开。")
        state = forms.state_of(form)
        group = forms.form_for(data, at, info, state.opened)
        values = forms.submitted(group, form)
        op = forms.parsed_op(form.get("op", ""))
        if op is not None:  # a button that changes the form: it comes back, nothing is written
            values, state = forms.apply(op, values, state)
            group = forms.form_for(data, at, info, state.opened)
            forms.shown_values(group, values)
            return self._data_page(name, {"at": forms.at_text(at)}, session, data=data, group=group)
        if data.version != form.get("version"):
            return self._conflict(data, group, values, None, session)
        changes = forms.changes_from(data, group, values)
        forms.shown_values(group, values)  # what she typed stays in the form if it comes back
        if forms.ref_problems(group, values):
            return self._data_page(name, {"at": forms.at_text(at)}, session, data=data, group=group,
                                   status=422, invalid=True)
        if not changes and moving is None:
            return redirect(f"/admin/data/{name}?at={forms.at_text(at)}&saved=1")
        try:
            new_text = change(data.text, data.rel, changes) if changes else data.text
            if moving is not None:
                path, step = moving
                new_text = move(new_text, data.rel, data.doc.raw_paths[path], path[-1] + step)
                at = _moved(at, path, path[-1] + step)
        except Refused as refused:
            return self._data_page(name, {"at": forms.at_text(at)}, session, data=data, group=group,
                                   status=422, errors=[str(refused)])
        problems = forms.new_problems(info, name, data.text, new_text)
        if problems:
            rest = forms.place_problems(group, forms.parsed(name, new_text, "", kinds[name]), problems)
            return self._data_page(name, {"at": forms.at_text(at)}, session, data=data, group=group,
                                   status=422, errors=rest, invalid=True)
        try:
            files.save(self.site_dir, data.rel, new_text, data.version)
        except files.Conflict as conflict:
            data.text = conflict.theirs
            return self._conflict(data, group, values, new_text, session)
        except Refused as refused:
            return self._page("message.html", 400, title="没有保存", message=str(refused))
        return redirect(f"/admin/data/{name}?at={forms.at_text(at)}&saved=1")

    def _move(self, request: Request, session) -> Response:
        """上移 / 下移 on a list item: what she typed is saved too, then the item moves."""
        where, _colon, step = request.form.get("move", "").rpartition(":")
        moving = (forms.parse_at(where), -1 if step == "up" else 1)
        return self._save(request.form, session, moving)

    def _conflict(self, data, group, values, ours: str | None, session) -> Response:
        """The file changed since the form was opened: both versions, nothing written."""
        typed = [(w.label, values[w.path]) for w in forms.widgets(group) if w.path in values]
        return self._page("conflict.html", 409, title="没有保存：文件已被改过", data=data, theirs=data.text,
                          ours=ours, typed=typed, conflict=files.Conflict(data.rel, data.text), csrf=session.csrf)

    # -- new items, removed items ---------------------------------------------------

    def _listed_file(self, rel: str):
        """(site info, the data file) for a data file the editor lists, by its own name; else None."""
        info = forms.site_info(self.site_dir, self.site_files)
        kinds = forms.data_files(info)
        name = rel[len("data/"):] if rel.startswith("data/") else ""
        if name not in kinds or rel != f"data/{name}":
            return info, None
        return info, forms.open_data(info, name, kinds[name])

    def _not_listed(self, rel: str) -> Response:
        return self._page("message.html", 400, title="没有保存", message=f"不能修改“{rel}”：它不是后台列出的数据文件。")

    def _new_form(self, request: Request, session) -> Response:
        rel, at = request.args.get("file", ""), forms.parse_at(request.args.get("list", ""))
        info, data = self._listed_file(rel)
        if data is None or not forms.is_list(data, at):
            return self._page("message.html", 404, title="找不到", message="找不到要新增的这一类，请从后台重新打开。")
        return self._new_page(data, at, forms.new_form(data, at, info, {}, pipeline.resolve_now(self.now)),
                              session, 200)

    def _new_page(self, data, at, group, session, status, **shown) -> Response:
        return self._page("new.html", status, title=f"新增：{data.label}", data=data, list_at=forms.at_text(at),
                          group=group, csrf=session.csrf, **shown)

    def _add(self, request: Request, session) -> Response:
        form = request.form
        rel, at = form.get("file", ""), forms.parse_at(form.get("list", ""))
        info, data = self._listed_file(rel)
        if data is None:
            return self._not_listed(rel)
        if not forms.is_list(data, at):
            return self._page("message.html", 409, title="没有保存",
                              message=f"{rel} 里找不到要新增到的地方（可能刚被改过或有错误），没有保存。请重新打开。")
        state = forms.state_of(form)
        group = forms.new_form(data, at, info, state.rows)
        values = forms.submitted(group, form)
        op = forms.parsed_op(form.get("op", ""))
        if op is not None:  # a row added, removed or moved: the form comes back, nothing is written
            values, state = forms.apply(op, values, state)
            group = forms.new_form(data, at, info, state.rows)
            forms.shown_values(group, values)
            return self._new_page(data, at, group, session, 200)
        forms.shown_values(group, values)  # what she typed stays in the form if it comes back
        if data.version != form.get("version"):
            return self._conflict(data, group, values, None, session)
        if forms.ref_problems(group, values):
            return self._new_page(data, at, group, session, 422, invalid=True)
        written_at, item = forms.new_item(data, group, values)
        if item in ({}, None):
            return self._new_page(data, at, group, session, 422, errors=["什么都没有填写，没有保存。"])
        place = forms.place_for(data, at, values, group.path)
        try:
            new_text = insert(data.text, data.rel, written_at, item, place)
        except Refused as refused:
            return self._new_page(data, at, group, session, 422, errors=[str(refused)])
        problems = forms.new_problems(info, data.name, data.text, new_text)
        if problems:
            after = forms.parsed(data.name, new_text, "", data.schema)
            rest = forms.place_problems(group, after, problems)
            return self._new_page(data, at, group, session, 422, errors=rest, invalid=True)
        try:
            files.save(self.site_dir, data.rel, new_text, data.version)
        except files.Conflict as conflict:
            data.text = conflict.theirs
            return self._conflict(data, group, values, new_text, session)
        after = forms.parsed(data.name, new_text, "", data.schema)
        added = group.path if place is None else at + (place,)
        return redirect(f"/admin/data/{data.name}?at={forms.at_text(forms.entry_of(after, added))}&saved=1")

    def _remove(self, request: Request, session) -> Response:
        source = request.form if request.method == "POST" else request.args
        rel, at = source.get("file", ""), forms.parse_at(source.get("at", ""))
        info, data = self._listed_file(rel)
        if data is None:
            return self._not_listed(rel)
        if not at or not isinstance(at[-1], int) or not forms.is_list(data, at[:-1]) \
                or not 0 <= at[-1] < len(forms.value_at(data.value, at[:-1]) or []):
            return self._page("message.html", 409, title="没有删除",
                              message=f"{rel} 里找不到要删除的这一条（可能刚被改过），没有删除。请重新打开。")
        spec = data.schema.root.at(at)
        title = forms.entry_title(spec, forms.value_at(data.value, at))
        holder = forms.entry_of(data, at[:-1]) if len(at) > 1 else ()
        back = f"/admin/data/{data.name}" + (f"?at={forms.at_text(holder or at)}")
        if request.method != "POST":
            return self._page("remove.html", 200, title="删除这一条", data=data, at_text=forms.at_text(at),
                              entry=title, back=back, csrf=session.csrf)
        if data.version != source.get("version"):
            return self._page("message.html", 409, title="没有删除",
                              message=f"{rel} 在你打开之后被改过了，为了不删错，这次没有删除。请重新打开再删。")
        try:
            new_text = change(data.text, data.rel, {data.doc.raw_paths[at]: REMOVE})
        except Refused as refused:
            return self._page("message.html", 422, title="没有删除", message=str(refused))
        problems = forms.new_problems(info, data.name, data.text, new_text)
        if problems:
            return self._page("message.html", 422, title="没有删除",
                              message="删除以后文件会有错误，没有删除：" + "；".join(
                                  f"第 {p.line} 行，{p.message}" for p in problems))
        try:
            files.save(self.site_dir, data.rel, new_text, data.version)
        except files.Conflict:
            return self._page("message.html", 409, title="没有删除",
                              message=f"{rel} 在你打开之后被改过了，为了不删错，这次没有删除。请重新打开再删。")
        return redirect(f"/admin/data/{data.name}" + (f"?at={forms.at_text(holder)}&saved=1" if holder else "?saved=1"))

    # -- history ----------------------------------------------------------------------

    def _history(self, request: Request, session, status: int = 200, **shown) -> Response:
        rel, chosen = request.args.get("file", ""), request.args.get("v", "")
        try:
            kept = files.versions(self.site_dir, rel)
            current, version = files.open_file(self.site_dir, rel)
        except Refused as refused:
            return self._page("message.html", 404, title="找不到", message=str(refused))
        old = next((v for v in kept if v.name == chosen), kept[0] if kept else None)
        diff = []
        if old is not None:
            then = (self.site_dir / files.HISTORY / rel / old.name).read_bytes().decode("utf-8", "replace")
            diff = [_diff_line(line) for line in difflib.unified_diff(
                then.splitlines(), current.splitlines(), "这个版本", "现在的文件", lineterm="", n=3)][2:]
        name = rel[len("data/"):] if rel.startswith("data/") else ""
        return self._page("history.html", status, title=f"以前的版本：{rel}", rel=rel, kept=kept, old=old,
                          diff=diff, version=version, data_name=name, csrf=session.csrf,
                          restored=request.args.get("restored") == "1", **shown)

    def _restore(self, request: Request, session) -> Response:
        form = request.form
        rel, chosen = form.get("file", ""), form.get("v", "")
        try:
            files.restore(self.site_dir, rel, chosen, form.get("version", ""))
        except files.Conflict:
            return self._page("message.html", 409, title="没有恢复",
                              message=f"{rel} 在你打开这一页之后又被改过了，为了不覆盖那些修改，这次没有恢复。请重新打开再恢复。")
        except Refused as refused:
            return self._page("message.html", 400, title="没有恢复", message=str(refused))
        return redirect(f"/admin/history?file={quote(rel)}&restored=1")

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

LIST_PAGES = {  # path -> {method: EditorApp method}
    "/admin/new": {"GET": "_new_form"},
    "/admin/add": {"POST": "_add"},
    "/admin/move": {"POST": "_move"},
    "/admin/remove": {"GET": "_remove", "POST": "_remove"},
    "/admin/history": {"GET": "_history"},
    "/admin/restore": {"POST": "_restore"},
}


def _can_move(data, moving) -> bool:
    """Whether ``moving`` (path, step) names a list item that has a place to go; no move is fine."""
    if moving is None:
        return True
    path, step = moving
    if not path or not isinstance(path[-1], int) or path not in data.doc.raw_paths:
        return False
    return 0 <= path[-1] + step < len(forms.value_at(data.value, path[:-1]) or [])


def _moved(at: tuple, path: tuple, to: int) -> tuple:
    """The entry ``at`` once the item at ``path`` went to place ``to`` (it, or one inside it, moves along)."""
    return path[:-1] + (to,) + at[len(path):] if at[:len(path)] == path else at


HUNK = re.compile(r"@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@")


def _diff_line(line: str) -> tuple[str, str, str]:
    """(CSS class, 删除/新增 or "", the text) of one line of a unified diff;
    a hunk header "@@ -94,4 +94,6 @@" becomes "第 94 行附近：" (the line in the file as it is now)."""
    hunk = HUNK.match(line)
    if hunk:
        return "diff_at", "", f"第 {max(int(hunk.group(1)), 1)} 行附近："
    kind, mark = {"+": ("diff_add", "新增"), "-": ("diff_sub", "删除")}.get(line[:1], ("", ""))
    return kind, mark, line[1:]


def redirect(location: str) -> Response:
    return Response(b"", 303, {"Location": location})
