"""The pages of one data file under /admin/: its entries and their forms.

    GET  /admin/data/<file>          its entries; ?at=<entry> that entry's form
    POST /admin/save                 one entry's changed values, checked, then written
    POST /admin/move                 the same, and a list item moved up or down (上移, 下移)
    GET  /admin/new?file=&list=      an empty form for a new item of a list; POST /admin/add
    GET  /admin/remove?file=&at=     asks before an item goes; POST /admin/remove

Only a data file the editor lists, named as it lists it, is read or
written.  A save changes only the values that differ from the file, checks
the whole new text with the build's own checks (``forms.new_problems``)
and writes through ``files.save``, which refuses to overwrite a hand edit:
then both versions are shown and nothing is written.  The forms themselves
are made in ``forms``; the text in ``yamledit``.

The editor's door (``web.EditorApp``) has let the request in and checked a
POST's Origin and CSRF token before it gets here.
"""

from __future__ import annotations

from werkzeug.wrappers import Request, Response

from branchboard.build import pipeline
from branchboard.editor import files, forms, performance
from branchboard.editor.yamledit import REMOVE, change, insert, move
from branchboard.scaffold.yamlappend import Refused

DATA = "/admin/data/"
ROUTES = {  # path -> {method: Pages method}
    "/admin/save": {"POST": "save"},
    "/admin/move": {"POST": "move"},
    "/admin/new": {"GET": "new_form"},
    "/admin/add": {"POST": "add"},
    "/admin/remove": {"GET": "remove", "POST": "remove"},
}


def is_theirs(path: str) -> bool:
    """Whether a path is one of these pages (whatever the method)."""
    return path.startswith(DATA) or path in ROUTES


def handle(app, request: Request, path: str, session) -> Response:
    """One request to the data file pages (``app``: the EditorApp)."""
    pages = Pages(app, session)
    if path.startswith(DATA) and request.method != "POST":
        return pages.data_page(path[len(DATA):], request.args)
    method = ROUTES.get(path, {}).get(request.method)
    if method is None:
        return app._page("message.html", 404, title="找不到", message="后台没有这个网页。")
    return getattr(pages, method)(request)


class Pages:
    def __init__(self, app, session):
        self.app = app
        self.session = session

    # -- a file's entries, one entry's form and its save ------------------------------------

    def data_page(self, name: str, args, **shown) -> Response:
        info = forms.site_info(self.app.site_dir, self.app.site_files)
        schema = forms.data_files(info).get(name)
        if schema is None:
            return self.app._page("message.html", 404, title="找不到", message=f"没有“{name}”这个数据文件。")
        data = shown.pop("data", None) or forms.open_data(info, name, schema)
        at = forms.parse_at(args.get("at", ""))
        group = shown.pop("group", None)
        if group is None and at and data.doc is not None and forms.has_entry(data, at):
            group = forms.form_for(data, at, info)
        return self.app._page("data.html", shown.pop("status", 200), title=data.label, data=data,
                              entries=forms.entries(data) if data.doc is not None else [], at=at,
                              lists=forms.entry_lists(data), places=len(forms.value_at(data.value, at[:-1]) or []),
                              at_text=forms.at_text(at), group=group, csrf=self.session.csrf,
                              tools=performance.tools(name, at),
                              saved=args.get("saved") == "1", site_url=self.app.site_url, **shown)

    def save(self, request: Request, moving: tuple | None = None) -> Response:
        """One entry's changed values, checked, then written; ``moving``: (a
        list item's path, -1 or 1) to move it up or down in the same save."""
        form = request.form
        rel, at = form.get("file", ""), forms.parse_at(form.get("at", ""))
        info, data = self._listed_file(rel)
        if data is None:
            return self._not_listed(rel)
        name = data.name
        if data.doc is None or not forms.has_entry(data, at) or not _can_move(data, moving):
            return self.app._page("message.html", 409, title="没有保存",
                                  message=f"{rel} 里找不到要修改的这一项（可能刚被改过或有错误），没有保存。请重新打开。")
        state = forms.state_of(form)
        group = forms.form_for(data, at, info, state.opened)
        values = forms.submitted(group, form)
        op = forms.parsed_op(form.get("op", ""))
        if op is not None:  # a button that changes the form: it comes back, nothing is written
            values, state = forms.apply(op, values, state)
            group = forms.form_for(data, at, info, state.opened)
            forms.shown_values(group, values)
            return self.data_page(name, {"at": forms.at_text(at)}, data=data, group=group)
        if data.version != form.get("version"):
            return self._conflict(data, group, values, None)
        changes = forms.changes_from(data, group, values)
        forms.shown_values(group, values)  # what she typed stays in the form if it comes back
        if forms.ref_problems(group, values):
            return self.data_page(name, {"at": forms.at_text(at)}, data=data, group=group, status=422, invalid=True)
        if not changes and moving is None:
            return _redirect(f"/admin/data/{name}?at={forms.at_text(at)}&saved=1")
        try:
            new_text = change(data.text, data.rel, changes) if changes else data.text
            if moving is not None:
                path, step = moving
                new_text = move(new_text, data.rel, data.doc.raw_paths[path], path[-1] + step)
                at = _moved(at, path, path[-1] + step)
        except Refused as refused:
            return self.data_page(name, {"at": forms.at_text(at)}, data=data, group=group,
                                  status=422, errors=[str(refused)])
        problems = forms.new_problems(info, name, data.text, new_text)
        if problems:
            rest = forms.place_problems(group, forms.parsed(name, new_text, "", data.schema), problems)
            return self.data_page(name, {"at": forms.at_text(at)}, data=data, group=group,
                                  status=422, errors=rest, invalid=True)
        return self._write(data, new_text, group, values) \
            or _redirect(f"/admin/data/{name}?at={forms.at_text(at)}&saved=1")

    def move(self, request: Request) -> Response:
        """上移 / 下移 on a list item: what she typed is saved too, then the item moves."""
        where, _colon, step = request.form.get("move", "").rpartition(":")
        return self.save(request, (forms.parse_at(where), -1 if step == "up" else 1))

    # -- a new item ---------------------------------------------------------------------------

    def new_form(self, request: Request) -> Response:
        rel, at = request.args.get("file", ""), forms.parse_at(request.args.get("list", ""))
        info, data = self._listed_file(rel)
        if data is None or not forms.is_list(data, at):
            return self.app._page("message.html", 404, title="找不到", message="找不到要新增的这一类，请从后台重新打开。")
        now = pipeline.resolve_now(self.app.now)
        return self._new_page(data, at, forms.new_form(data, at, info, {}, now), 200)

    def add(self, request: Request) -> Response:
        form = request.form
        rel, at = form.get("file", ""), forms.parse_at(form.get("list", ""))
        info, data = self._listed_file(rel)
        if data is None:
            return self._not_listed(rel)
        if not forms.is_list(data, at):
            return self.app._page("message.html", 409, title="没有保存",
                                  message=f"{rel} 里找不到要新增到的地方（可能刚被改过或有错误），没有保存。请重新打开。")
        state = forms.state_of(form)
        group = forms.new_form(data, at, info, state.rows)
        values = forms.submitted(group, form)
        op = forms.parsed_op(form.get("op", ""))
        if op is not None:  # a row added, removed or moved: the form comes back, nothing is written
            values, state = forms.apply(op, values, state)
            group = forms.new_form(data, at, info, state.rows)
            forms.shown_values(group, values)
            return self._new_page(data, at, group, 200)
        forms.shown_values(group, values)  # what she typed stays in the form if it comes back
        if data.version != form.get("version"):
            return self._conflict(data, group, values, None)
        if forms.ref_problems(group, values):
            return self._new_page(data, at, group, 422, invalid=True)
        written_at, item = forms.new_item(data, group, values)
        if item in ({}, None):
            return self._new_page(data, at, group, 422, errors=["什么都没有填写，没有保存。"])
        place = forms.place_for(data, at, values, group.path)
        try:
            new_text = insert(data.text, data.rel, written_at, item, place)
        except Refused as refused:
            return self._new_page(data, at, group, 422, errors=[str(refused)])
        problems = forms.new_problems(info, data.name, data.text, new_text)
        if problems:
            after = forms.parsed(data.name, new_text, "", data.schema)
            rest = forms.place_problems(group, after, problems)
            return self._new_page(data, at, group, 422, errors=rest, invalid=True)
        refused = self._write(data, new_text, group, values)
        if refused is not None:
            return refused
        after = forms.parsed(data.name, new_text, "", data.schema)
        added = group.path if place is None else at + (place,)
        return _redirect(f"/admin/data/{data.name}?at={forms.at_text(forms.entry_of(after, added))}&saved=1")

    def _new_page(self, data, at, group, status, **shown) -> Response:
        return self.app._page("new.html", status, title=f"新增：{data.label}", data=data, list_at=forms.at_text(at),
                              group=group, csrf=self.session.csrf, **shown)

    # -- a removed item -------------------------------------------------------------------------

    def remove(self, request: Request) -> Response:
        """GET asks before the item goes (it shows the entry's title); POST removes it."""
        source = request.form if request.method == "POST" else request.args
        rel, at = source.get("file", ""), forms.parse_at(source.get("at", ""))
        info, data = self._listed_file(rel)
        if data is None:
            return self._not_listed(rel)
        if not _is_list_item(data, at):
            return self.app._page("message.html", 409, title="没有删除",
                                  message=f"{rel} 里找不到要删除的这一条（可能刚被改过），没有删除。请重新打开。")
        holder = forms.entry_of(data, at[:-1]) if len(at) > 1 else ()
        if request.method != "POST":
            title = forms.entry_title(data.schema.root.at(at), forms.value_at(data.value, at))
            back = f"/admin/data/{data.name}?at={forms.at_text(holder or at)}"
            return self.app._page("remove.html", 200, title="删除这一条", data=data, at_text=forms.at_text(at),
                                  entry=title, back=back, csrf=self.session.csrf)
        changed_since = self.app._page("message.html", 409, title="没有删除",
                                       message=f"{rel} 在你打开之后被改过了，为了不删错，这次没有删除。请重新打开再删。")
        if data.version != source.get("version"):
            return changed_since
        try:
            new_text = change(data.text, data.rel, {data.doc.raw_paths[at]: REMOVE})
        except Refused as refused:
            return self.app._page("message.html", 422, title="没有删除", message=str(refused))
        problems = forms.new_problems(info, data.name, data.text, new_text)
        if problems:
            return self.app._page("message.html", 422, title="没有删除",
                                  message="删除以后文件会有错误，没有删除：" + "；".join(
                                      f"第 {p.line} 行，{p.message}" for p in problems))
        try:
            files.save(self.app.site_dir, data.rel, new_text, data.version)
        except files.Conflict:
            return changed_since
        return _redirect(f"/admin/data/{data.name}" + (f"?at={forms.at_text(holder)}&saved=1" if holder else "?saved=1"))

    # -- shared -----------------------------------------------------------------------------------

    def _listed_file(self, rel: str):
        """(site info, the data file) for a data file the editor lists, by its own name; else (info, None)."""
        info = forms.site_info(self.app.site_dir, self.app.site_files)
        kinds = forms.data_files(info)
        name = rel[len("data/"):] if rel.startswith("data/") else ""
        if name not in kinds or rel != f"data/{name}":
            return info, None
        return info, forms.open_data(info, name, kinds[name])

    def _not_listed(self, rel: str) -> Response:
        return self.app._page("message.html", 400, title="没有保存", message=f"不能修改“{rel}”：它不是后台列出的数据文件。")

    def _write(self, data, new_text: str, group, values) -> Response | None:
        """The new text written; a page saying why not, or None when it was."""
        try:
            files.save(self.app.site_dir, data.rel, new_text, data.version)
        except files.Conflict as conflict:
            data.text = conflict.theirs
            return self._conflict(data, group, values, new_text)
        except Refused as refused:
            return self.app._page("message.html", 400, title="没有保存", message=str(refused))
        return None

    def _conflict(self, data, group, values, ours: str | None) -> Response:
        """The file changed since the form was opened: both versions, nothing written."""
        typed = [(w.label, values[w.path]) for w in forms.widgets(group) if w.path in values]
        return self.app._page("conflict.html", 409, title="没有保存：文件已被改过", data=data, theirs=data.text,
                              ours=ours, typed=typed, conflict=files.Conflict(data.rel, data.text),
                              csrf=self.session.csrf)


def _is_list_item(data, at: tuple) -> bool:
    """Whether ``at`` names an item of one of the file's lists."""
    if not at or not isinstance(at[-1], int) or not forms.is_list(data, at[:-1]):
        return False
    return 0 <= at[-1] < len(forms.value_at(data.value, at[:-1]) or [])


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


def _redirect(location: str) -> Response:
    return Response(b"", 303, {"Location": location})
