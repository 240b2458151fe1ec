"""The editor's article pages under /admin/articles (文章).

    GET  /admin/articles                      every article by section, with its status
    GET  /admin/articles/edit?file=content/<section>/<name>.md   its form
    GET  /admin/articles/edit?section=<id>    the form for a new article
    POST /admin/articles/save                 checked, then written (预览: shown, nothing written)
    POST /admin/articles/preview              the body as the build makes it, a small HTML page
    POST /admin/articles/upload               an image for the body (multipart), saved beside the article
    GET  /admin/articles/image?file=content/...   an image under content/, for the preview
    GET  /admin/articles/static/<file>       the form's script (preview, pasted photos) and styles

The editor's door (``web.EditorApp``) has let the request in and checked a
POST's Origin and CSRF token before it gets here.  Saves go through
``files.save``: history kept, a hand edit never overwritten.
"""

from __future__ import annotations

import datetime as dt
import json
import mimetypes
from pathlib import Path

from werkzeug.wrappers import Request, Response

from branchboard.build.pipeline import resolve_now
from branchboard.editor import articletext as at
from branchboard.editor import files
from branchboard.errors import BoardError, Report
from branchboard.scaffold.yamlappend import Refused
from branchboard.site.content import CONTENT_DIR

PREFIX = "/admin/articles"
UPLOAD = f"{PREFIX}/upload"
MAX_UPLOAD = 20 * 1024 * 1024  # bytes: a phone photo is a few; the photo stage makes the page's sizes
HERE = Path(__file__).parent
STATIC = {"articles.js": "text/javascript; charset=utf-8", "articles.css": "text/css; charset=utf-8"}


def body_limit(path: str, usual: int) -> int:
    """The largest request body a path takes: an image upload more than a form."""
    return MAX_UPLOAD + 64 * 1024 if path == UPLOAD else usual


def handle(app, request: Request, path: str, session) -> Response:
    """One request to the article pages (``app``: the EditorApp)."""
    pages = Pages(app, session)
    post = request.method == "POST"
    routes = {
        (PREFIX, False): lambda: pages.listing(),
        (f"{PREFIX}/edit", False): lambda: pages.edit(request.args),
        (f"{PREFIX}/save", True): lambda: pages.save(request.form),
        (f"{PREFIX}/preview", True): lambda: pages.preview(request.form),
        (UPLOAD, True): lambda: pages.upload(request),
        (f"{PREFIX}/image", False): lambda: pages.image(request.args.get("file", "")),
        (f"{PREFIX}/static/articles.js", False): lambda: pages.static("articles.js"),
        (f"{PREFIX}/static/articles.css", False): lambda: pages.static("articles.css"),
    }
    route = routes.get((path, post))
    if route is None:
        return pages.message(404, "找不到", "后台没有这个网页。")
    return route()


class Pages:
    def __init__(self, app, session):
        self.app = app
        self.site_dir = app.site_dir
        self.session = session

    # -- the list and the form --------------------------------------------------------

    def listing(self) -> Response:
        sections = self._sections()
        found = at.article_list(self.site_dir, sections, resolve_now(None))
        return self.app._page("articles.html", 200, title="文章", sections=found, labels=at.STATUS,
                              csrf=self.session.csrf)

    def edit(self, args) -> Response:
        rel = args.get("file", "")
        if not rel:
            section = args.get("section", "")
            sections = self._sections()
            if section not in sections:
                return self.message(404, "找不到", f"没有“{section}”这个栏目。")
            values = {name: (False if kind == "checkbox" else "") for name, _l, kind, _h in at.FORM_FIELDS}
            values["date"] = f"{dt.date.today():%Y-%m-%d}"
            return self._form(200, rel="", section=section, values=values, body="", version="",
                              saved=False)
        try:
            text, version = self._open(rel)
            opened = at.open_article(text, rel)
        except Refused as refused:
            return self.message(400, "不能打开", str(refused))
        except FileNotFoundError:
            return self.message(404, "找不到", f"没有 {rel} 这篇文章。")
        except BoardError as err:
            return self.message(422, "不能打开", f"{rel} 的文章信息有错误，请先用记事本改正：{err}")
        return self._form(200, rel=rel, section=rel.split("/")[1], values=opened.values, body=opened.body,
                          version=version, saved=args.get("saved") == "1")

    def save(self, form) -> Response:
        rel, section = form.get("file", ""), form.get("section", "")
        values, body = at.typed_values(form), at.typed_body(form)
        shown = dict(rel=rel, section=section, values=values, body=body, version=form.get("version", ""))
        try:
            if rel:  # saved against the version the form was made from: a hand edit since is a conflict
                old, _now = self._open(rel)
                text, version = at.changed_text(old, rel, values, body), form.get("version", "")
            else:
                target = at.new_rel(self._sections(), section, values["title"], dt.date.today())
                files.editable(self.site_dir, target)
                text, version = at.new_text(values, body, self._author()), files.version_of(b"")
        except FileNotFoundError:
            return self.message(404, "找不到", f"没有 {rel} 这篇文章。")
        except (Refused, BoardError) as refused:
            return self._form(422, **shown, errors=[str(refused)])
        problems = at.check_text(self.site_dir, rel or target, text)
        if form.get("do") == "preview" or problems:
            placed, rest = at.place_problems(text, rel or target, problems)
            page = at.preview(self.site_dir, rel or target, body, resolve_now(None), self.app.site_url)
            return self._form(422 if problems else 200, **shown, placed=placed, errors=rest,
                              invalid=bool(problems), preview=page)
        if not rel and (self.site_dir / target).exists():
            return self._form(409, **shown, errors=[f"{target} 已经存在，没有保存。请换一个标题，"
                                                    "或在文章列表里打开那篇文章修改。"])
        try:
            files.save(self.site_dir, rel or target, text, version)
        except files.Conflict as conflict:
            return self.app._page("articles_conflict.html", 409, title="没有保存：文件已被改过", rel=rel or target,
                                  conflict=conflict, theirs=conflict.theirs, ours=text, csrf=self.session.csrf)
        except Refused as refused:
            return self.message(400, "没有保存", str(refused))
        return redirect(f"{PREFIX}/edit?file={rel or target}&saved=1")

    def _form(self, status: int, **shown) -> Response:
        shown.setdefault("placed", {})
        shown.setdefault("errors", [])
        section = shown["section"]
        return self.app._page("articles_edit.html", status, title=shown["values"].get("title") or "新文章",
                              fields=at.FORM_FIELDS, folder=f"{CONTENT_DIR}/{section}" if not shown["rel"]
                              else shown["rel"].rsplit("/", 1)[0], section_title=self._sections().get(section, section),
                              preview_doc=self._document(shown["values"].get("title", ""), shown.get("preview")),
                              csrf=self.session.csrf, site_url=self.app.site_url, **shown)

    # -- the preview, images -------------------------------------------------------------

    def preview(self, form) -> Response:
        rel = form.get("file", "") or f"{CONTENT_DIR}/{form.get('section', '')}/新文章.md"
        try:
            files.editable(self.site_dir, rel)
        except Refused as refused:
            return Response(str(refused), 400, content_type="text/plain; charset=utf-8")
        page = at.preview(self.site_dir, rel, at.typed_body(form), resolve_now(None), self.app.site_url)
        return Response(self._document(form.get("m.title", ""), page), 200, content_type="text/html; charset=utf-8")

    def _document(self, title: str, page) -> str:
        return self.app.env.get_template("articles_preview.html").render(
            title=title, page=page, site_url=self.app.site_url)

    def upload(self, request: Request) -> Response:
        given = request.files.get("image")
        if given is None:
            return answer(400, "没有收到图片。")
        name = given.filename or ""
        if "/" in name or "\\" in name or ".." in name or "\x00" in name:
            return answer(400, "图片的文件名不对，没有保存。")
        try:
            folder = at.image_folder(self.site_dir, request.form.get("folder", ""), self._sections())
        except Refused as refused:
            return answer(400, str(refused))
        data = given.stream.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            return answer(413, f"图片太大（超过 {MAX_UPLOAD // 1024 // 1024} MB），没有保存。")
        kind = at.image_format(data)
        if kind is None:
            return answer(415, "这个文件不是图片（或已经损坏），没有保存。可以用 JPG、PNG、GIF 或 WebP 图片。")
        saved = at.save_image(folder, data, kind, dt.datetime.now())
        return answer(200, "已上传。", markdown=f"![]({at.IMAGE_FOLDER}/{saved})",
                      file=f"{folder.relative_to(self.site_dir).as_posix()}/{saved}")

    def image(self, rel: str) -> Response:
        parts = rel.split("/")
        path = self.site_dir.joinpath(*parts)
        kind = mimetypes.guess_type(rel)[0] or ""
        content = (self.site_dir / CONTENT_DIR).resolve()
        if (parts[0] != CONTENT_DIR or any(p in ("", ".", "..") for p in parts) or not kind.startswith("image/")
                or not path.is_file() or not path.resolve().is_relative_to(content)):
            return self.message(404, "找不到", "没有这张图片。")
        return Response(path.read_bytes(), 200, content_type=kind,
                        headers={"X-Content-Type-Options": "nosniff",
                                 "Content-Security-Policy": "default-src 'none'; sandbox"})

    def static(self, name: str) -> Response:
        return Response((HERE / "static" / name).read_bytes(), 200, content_type=STATIC[name],
                        headers={"Cache-Control": "no-cache"})

    # -- helpers --------------------------------------------------------------------------

    def message(self, status: int, title: str, message: str) -> Response:
        return self.app._page("message.html", status, title=title, message=message, csrf=self.session.csrf)

    def _open(self, rel: str) -> tuple[str, str]:
        """The article's text and version; only a Markdown file in a section's folder."""
        if not rel.endswith(".md") or rel.count("/") < 2:
            raise Refused(f"不能修改“{rel}”：它不是栏目里的文章。")
        files.editable(self.site_dir, rel)
        if not (self.site_dir / rel).is_file():
            raise FileNotFoundError(rel)
        return files.open_file(self.site_dir, rel)

    def _config(self):
        from branchboard.site.config import load_config

        return load_config(self.site_dir, Report())

    def _sections(self) -> dict[str, str]:
        from branchboard.scaffold.new import known_sections

        config = self._config()
        if config is None:
            return {}
        return known_sections(self.site_dir, config)

    def _author(self) -> str:
        config = self._config()
        return (config.author or "") if config else ""


def answer(status: int, message: str, **values) -> Response:
    """A reply to the page's script: JSON with a Chinese message."""
    return Response(json.dumps({"message": message, **values}, ensure_ascii=False), status,
                    content_type="application/json; charset=utf-8")


def redirect(location: str) -> Response:
    from urllib.parse import quote

    return Response(b"", 303, {"Location": quote(location, safe="/?=&")})
