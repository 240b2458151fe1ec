"""The 绩效考核 period editor under /admin/performance: one page for a whole
period (期次, 日期, its 扣分 and 加分 rows), saved in one go.

    GET  /admin/performance            this month's period: the one in the file, else a new one
    GET  /admin/performance?at=<i>     the file's period i;  ?new=1  a new period
    POST /admin/performance/save       checked with the build's own checks, then written

The page's script shows as she types what the server will find (the 小项 a
row names, a team's points over an item's 分值, a row for a team not ticked
in 参加班组, each ticked team's total); the server checks the whole new
text again with ``forms.new_problems`` (the schema,
``deductions_within_item_max`` and ``entries_for_assessed_teams``), puts
each problem beside its row and writes nothing until there is none.  Every
write goes through ``files.save``.  The form and the text are made in ``performancetext``.

The editor's door (``web.EditorApp``) has let the request in and checked a
POST's Origin and CSRF token before it gets here.
"""

from __future__ import annotations

from werkzeug.wrappers import Request, Response

from branchboard.build.pipeline import resolve_now
from branchboard.editor import files, forms
from branchboard.editor.performancetext import (KINDS, PERIOD_FIELDS, ROW_FIELDS, PeriodForm, Row, catalogue,
                                                existing_form, file_teams, find_item, forget_missing_rows,
                                                full_marks, index_of, new_form, period_text, periods_of,
                                                place_problems, proposal, standings, text_of, typed_form)
from branchboard.scaffold.yamlappend import Refused
from branchboard.site.schema import format_number

PREFIX = "/admin/performance"
NAME = "performance.yaml"
EMPTY_ROWS = {"d": 5, "b": 3}  # blank rows for a browser without the script


def handle(app, request: Request, path: str, session) -> Response:
    pages = Pages(app, session)
    if path == PREFIX and request.method != "POST":
        return pages.edit(request.args)
    if path == f"{PREFIX}/save" and request.method == "POST":
        return pages.save(request.form)
    return app._page("message.html", 404, title="找不到", message="后台没有这个网页。")


def tools(name: str, at: tuple) -> list[tuple[str, str]]:
    """The file page's buttons to this editor: for the whole file, and for the period open."""
    if name != NAME:
        return []
    found = [("按期填写考核（扣分、加分）", PREFIX)]
    if len(at) >= 2 and at[0] == "periods" and isinstance(at[1], int):
        found.append(("在考核表里修改这一期", f"{PREFIX}?at={at[1]}"))
    return found


# -- the pages ------------------------------------------------------------------------------

class Pages:
    def __init__(self, app, session):
        self.app = app
        self.session = session

    def _open(self):
        """(site info, the performance file); the file is None when the site has none with a schema."""
        info = forms.site_info(self.app.site_dir, self.app.site_files)
        schema = forms.data_files(info).get(NAME)
        return (info, forms.open_data(info, NAME, schema)) if schema else (info, None)

    def edit(self, args) -> Response:
        info, data = self._open()
        if data is None or data.doc is None:
            return self._broken(data)
        periods = periods_of(data)
        at = int(args["at"]) if args.get("at", "").isdigit() else None
        if at is not None and at >= len(periods):
            return self.app._page("message.html", 404, title="找不到", message="文件里没有这一期考核，请从后台重新打开。")
        if at is None and args.get("new") != "1":
            period, _date = proposal(resolve_now(self.app.now).date(), periods)
            at = next((i for i, p in enumerate(periods) if isinstance(p, dict) and p.get("period") == period), None)
        form = existing_form(data, at) if at is not None else new_form(data, resolve_now(self.app.now).date())
        return self._form(data, form, 200, saved=args.get("saved") == "1")

    def save(self, submitted) -> Response:
        info, data = self._open()
        if data is None or data.doc is None:
            return self._broken(data)
        form = typed_form(submitted, len(periods_of(data)))
        if form is None:
            return self.app._page("message.html", 409, title="没有保存",
                                  message="文件里找不到要修改的这一期（可能刚被改过），没有保存。请重新打开。")
        forget_missing_rows(data, form)
        if data.version != submitted.get("version"):
            return self._conflict(data, form, None)
        if form.teams == []:
            form.problems["teams"] = ["请至少勾选一个参加这一期考核的班组。"]
            return self._form(data, form, 422, invalid=True)
        items = catalogue(data.value)
        for row in form.rows:  # the file gets the code; text naming no one item is left for the checks
            found = find_item(row.values["item"], items)
            if len(found) == 1:
                row.values["item"] = found[0].code
            elif found:
                row.problems.append(f"有 {len(found)} 个小项的名称含“{row.values['item']}”，请多写几个字或写编号："
                                    + "、".join(item.label for item in found[:5]))
        try:
            new_text = period_text(data, form)
        except Refused as refused:
            return self._form(data, form, 422, errors=[str(refused)])
        if new_text == data.text:
            return _redirect(f"{PREFIX}?at={index_of(data, form)}&saved=1")
        problems = forms.new_problems(info, NAME, data.text, new_text)
        if problems or any(row.problems for row in form.rows):
            after = forms.parsed(NAME, new_text, "", data.schema)
            return self._form(data, form, 422, errors=place_problems(form, after, index_of(data, form), problems),
                              invalid=True)
        try:
            files.save(self.app.site_dir, data.rel, new_text, data.version)
        except files.Conflict as conflict:
            data.text = conflict.theirs
            return self._conflict(data, form, new_text)
        except Refused as refused:
            return self.app._page("message.html", 400, title="没有保存", message=str(refused))
        return _redirect(f"{PREFIX}?at={index_of(data, form)}&saved=1")

    def _form(self, data, form: PeriodForm, status: int, **shown) -> Response:
        items = catalogue(data.value)
        teams = file_teams(data)
        ticked = form.teams if form.teams is not None else teams
        for kind in KINDS:  # blank rows to fill in, also without the script
            form.rows += [Row(kind, None, dict.fromkeys(ROW_FIELDS, "")) for _ in range(EMPTY_ROWS[kind])]
        periods = [(i, text_of(p.get("period")) or f"第 {i + 1} 期")
                   for i, p in enumerate(periods_of(data)) if isinstance(p, dict)]
        title = f"绩效考核：{form.values['period']}" if form.at is not None else "新的一期考核"
        return self.app._page("performance.html", status, title=title, data=data, form=form, kinds=KINDS,
                              items=items, teams=teams, ticked=ticked,
                              choices=teams + [t for t in ticked if t not in teams],
                              standings=standings(form, teams, items),
                              full=format_number(full_marks(items)), periods=periods,
                              found=lambda text: find_item(text, items), csrf=self.session.csrf,
                              blank=Row("", None, dict.fromkeys(ROW_FIELDS, "")),
                              errors=shown.pop("errors", []), **shown)

    def _broken(self, data) -> Response:
        if data is None:
            return self.app._page("message.html", 404, title="找不到", message="这个网站没有绩效考核的数据文件。")
        return self.app._page("message.html", 422, title="不能打开",
                              message=f"{data.rel} 里有错误，先用记事本改正它：{data.problem}")

    def _conflict(self, data, form: PeriodForm, ours: str | None) -> Response:
        typed = [(label, form.values[name]) for name, label in zip(PERIOD_FIELDS, ("期次", "日期"))]
        typed += [(KINDS[r.kind][1], " ".join(r.values[f] for f in ROW_FIELDS if r.values[f]))
                  for r in form.rows if not r.is_blank()]
        return self.app._page("conflict.html", 409, title="没有保存：文件已被改过", data=data, theirs=data.text,
                              ours=ours, typed=typed, conflict=files.Conflict(data.rel, data.text),
                              csrf=self.session.csrf)


def _redirect(location: str) -> Response:
    return Response(b"", 303, {"Location": location})
