"""The editor's article pages under /admin/articles (文章).

    GET  /admin/articles                      every article by section, with its status
    GET  /admin/articles/edit?file=content/<section>/<name>.md   its form
    GET  /admin/articles/edit?section=<id>    the form for a new article
    POST /admin/articles/save                 checked, then written (预览: shown, nothing written)
    POST /admin/articles/preview              the body as the build makes it, a small HTML page
    POST /admin/articles/upload               an image for the body (multipart), saved beside the article
                                              through the photos' intake (photos.take_upload)
    GET  /admin/articles/image?file=content/...   an image under content/, for the preview (HEIC made JPEG)
    GET  /admin/articles/static/<file>       the form's script (preview, pasted photos) and styles

The editor's door (``web.EditorApp``) has let the request in and checked a
POST's Origin and CSRF token before it gets here.  Saves go through
``files.save``: history kept (the form links to /admin/history), a hand
edit never overwritten.  What every request reads of the site (site.yaml,
the sections, every article's fields) comes from the editor's
``siteinfo.SiteFiles``, read again only when a file has changed.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
from pathlib import Path
from urllib.parse import quote

from werkzeug.wrappers import Request, Response

from branchboard.build.pipeline import resolve_now
from branchboard.editor import articlecheck, articlelist, files, photos
from branchboard.editor import articletext as at
from branchboard.editor.photos import MAX_UPLOAD, answer
from branchboard.errors import BoardError
from branchboard.photos.derive import Use, is_processed
from branchboard.scaffold.yamlappend import Refused
from branchboard.site.content import CONTENT_DIR

PREFIX = "/admin/articles"
UPLOAD = f"{PREFIX}/upload"
IMAGE_FOLDER = "images"  # an article's pictures: in images/ beside it
SHOWN = Use("article-preview", ((1200, 0),))  # a HEIC picture, made for the preview
BROWSERS_SHOW = ("image/jpeg", "image/png", "image/gif", "image/webp", "image/svg+xml")
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
        self.site = app.site_files  # siteinfo.SiteFiles
        self.session = session
        self.now = resolve_now(app.now)  # the build's "today" (a fixed day in tests)

    # -- the list and the form --------------------------------------------------------

    def listing(self) -> Response:
        found = articlelist.article_list(self.site_dir, self.site.sections(), self.site.sources(),
                                         self.site.content().articles, self.now)
        return self.app._page("articles.html", 200, title="文章", sections=found, labels=articlelist.STATUS,
                              csrf=self.session.csrf)

    def edit(self, args) -> Response:
        rel = args.get("file", "")
        if not rel:
            section = args.get("section", "")
            if section not in self.site.sections():
                return self.message(404, "找不到", f"没有“{section}”这个栏目。")
            values = {name: (False if kind == "checkbox" else "") for name, _l, kind, _h in at.FORM_FIELDS}
            values["date"] = f"{self.now:%Y-%m-%d}"
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
                target = at.new_rel(self.site.sections(), section, values["title"], self.now.date())
                files.editable(self.site_dir, target)
                text, version = at.new_text(values, body, self._author()), files.version_of(b"")
        except FileNotFoundError:
            return self.message(404, "找不到", f"没有 {rel} 这篇文章。")
        except (Refused, BoardError) as refused:
            return self._form(422, **shown, errors=[str(refused)])
        problems = articlecheck.check_text(self.site_dir, rel or target, text, self.site.content().assets)
        if form.get("do") == "preview" or problems:
            placed, rest = articlecheck.place_problems(text, rel or target, problems)
            page = self._preview(rel or target, body)
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
        section, values = shown["section"], shown["values"]
        types = {name: at.input_type(kind, values.get(name)) for name, _label, kind, _hint in at.FORM_FIELDS}
        return self.app._page("articles_edit.html", status, title=values.get("title") or "新文章",
                              fields=at.FORM_FIELDS, types=types, folder=f"{CONTENT_DIR}/{section}" if not shown["rel"]
                              else shown["rel"].rsplit("/", 1)[0],
                              section_title=self.site.sections().get(section, section),
                              history=f"/admin/history?file={quote(shown['rel'])}" if shown["rel"] else "",
                              preview_doc=self._document(values.get("title", ""), shown.get("preview")),
                              csrf=self.session.csrf, site_url=self.app.site_url, **shown)

    # -- the preview, images -------------------------------------------------------------

    def preview(self, form) -> Response:
        rel = form.get("file", "") or f"{CONTENT_DIR}/{form.get('section', '')}/新文章.md"
        try:
            files.editable(self.site_dir, rel)
        except Refused as refused:
            return Response(str(refused), 400, content_type="text/plain; charset=utf-8")
        page = self._preview(rel, at.typed_body(form))
        return Response(self._document(form.get("m.title", ""), page), 200, content_type="text/html; charset=utf-8")

    def _preview(self, rel: str, body: str) -> articlecheck.Preview:
        return articlecheck.preview(rel, body, self.site.sources(), self.now, self.app.site_url)

    def _document(self, title: str, page) -> str:
        return self.app.env.get_template("articles_preview.html").render(
            title=title, page=page, site_url=self.app.site_url)

    def upload(self, request: Request) -> Response:
        """A picture pasted, dropped or chosen for the body, through the data photos' intake."""
        folder = self._image_folder(request.form.get("folder", ""))
        if folder is None:
            return answer(400, "不能把图片放在这里：图片只能放在 content 里某个栏目的 images 文件夹。")
        try:
            rel = photos.take_upload(self.site_dir, request.files.get("image"), folder,
                                     photos.made_up_stem(dt.datetime.now()))
        except photos.NotSaved as refused:
            return answer(refused.status, str(refused))
        return answer(200, "已上传。", markdown=f"![]({IMAGE_FOLDER}/{rel.rsplit('/', 1)[1]})", file=rel)

    def _image_folder(self, folder: str) -> str | None:
        """The images/ folder beside the article, if ``folder`` is a section's
        folder under content/ and nothing that leads out of it (files.image_target
        checks again, links too, once it holds the lock)."""
        parts = folder.replace("\\", "/").split("/")
        if (len(parts) < 2 or parts[0] != CONTENT_DIR or parts[1] not in self.site.sections()
                or any(p in ("", ".", "..") or p.startswith(".") or ":" in p for p in parts)):
            return None
        return f"{'/'.join(parts)}/{IMAGE_FOLDER}"

    def image(self, rel: str) -> Response:
        parts = rel.split("/")
        path = self.site_dir.joinpath(*parts)
        kind = mimetypes.guess_type(rel.lower())[0] or ""
        content = (self.site_dir / CONTENT_DIR).resolve()
        if (parts[0] != CONTENT_DIR or any(p in ("", ".", "..") for p in parts) or not kind.startswith("image/")
                or not path.is_file() or not path.resolve().is_relative_to(content)):
            return self.message(404, "找不到", "没有这张图片。")
        if is_processed(rel) and kind not in BROWSERS_SHOW:
            return photos.made_image(path, SHOWN)
        return Response(path.read_bytes(), 200, content_type=kind, headers=photos.IMAGE_HEADERS)

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

    def _author(self) -> str:
        config = self.site.settings().config
        return (config.author or "") if config else ""


def redirect(location: str) -> Response:
    from urllib.parse import quote

    return Response(b"", 303, {"Location": quote(location, safe="/?=&")})
