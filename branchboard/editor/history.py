"""A file's kept versions under /admin/ (以前的版本), and putting one back.

    GET  /admin/history?file=[&v=]   the versions ``files.save`` kept, one compared with now
    POST /admin/restore              that version written back (``files.restore``)

The comparison reads as plain Chinese: "第 94 行附近：", then each line
marked 删除 or 新增.  A restore refuses to overwrite a change made since
the page was opened, as a save does.

The editor's door (``web.EditorApp``) has let the request in and checked a
POST's Origin and CSRF token before it gets here.
"""

from __future__ import annotations

import difflib
import re
from urllib.parse import quote

from werkzeug.wrappers import Request, Response

from branchboard.editor import files
from branchboard.scaffold.yamlappend import Refused

PAGE = "/admin/history"
RESTORE = "/admin/restore"
PATHS = (PAGE, RESTORE)
HUNK = re.compile(r"@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@")


def handle(app, request: Request, path: str, session) -> Response:
    """One request to the history pages (``app``: the EditorApp)."""
    if path == PAGE and request.method == "GET":
        return history(app, request.args, session)
    if path == RESTORE and request.method == "POST":
        return restore(app, request.form)
    return app._page("message.html", 404, title="找不到", message="后台没有这个网页。")


def history(app, args, session) -> Response:
    rel, chosen = args.get("file", ""), args.get("v", "")
    try:
        kept = files.versions(app.site_dir, rel)
        current, version = files.open_file(app.site_dir, rel)
    except Refused as refused:
        return app._page("message.html", 404, title="找不到", message=str(refused))
    old = next((v for v in kept if v.name == chosen), kept[0] if kept else None)
    diff = []
    if old is not None:
        then = (app.site_dir / files.HISTORY / rel / old.name).read_bytes().decode("utf-8", "replace")
        diff = [_diff_line(line) for line in difflib.unified_diff(
            then.splitlines(), current.splitlines(), "这个版本", "现在的文件", lineterm="", n=3)][2:]
    name = rel[len("data/"):] if rel.startswith("data/") else ""
    return app._page("history.html", 200, title=f"以前的版本：{rel}", rel=rel, kept=kept, old=old,
                     diff=diff, version=version, data_name=name, csrf=session.csrf,
                     restored=args.get("restored") == "1")


def restore(app, form) -> Response:
    rel, chosen = form.get("file", ""), form.get("v", "")
    try:
        files.restore(app.site_dir, rel, chosen, form.get("version", ""))
    except files.Conflict:
        return app._page("message.html", 409, title="没有恢复",
                         message=f"{rel} 在你打开这一页之后又被改过了，为了不覆盖那些修改，这次没有恢复。请重新打开再恢复。")
    except Refused as refused:
        return app._page("message.html", 400, title="没有恢复", message=str(refused))
    return Response(b"", 303, {"Location": f"{PAGE}?file={quote(rel)}&restored=1"})


def _diff_line(line: str) -> tuple[str, str, str]:
    """(CSS class, 删除/新增 or "", the text) of one line of a unified diff;
    a hunk header "@@ -94,4 +94,6 @@" becomes "第 94 行附近：" (the line in the file as it is now)."""
    hunk = HUNK.match(line)
    if hunk:
        return "diff_at", "", f"第 {max(int(hunk.group(1)), 1)} 行附近："
    kind, mark = {"+": ("diff_add", "新增"), "-": ("diff_sub", "删除")}.get(line[:1], ("", ""))
    return kind, mark, line[1:]
