"""Photos the secretary uploads: the one intake for the data forms' photos
and the pictures pasted into an article, and the data photos' previews.

    POST /admin/photo/upload    an image (multipart: csrf, image, name), saved in data/photos/
    GET  /admin/photo?file=photos/<name>   a small preview of a data image, made in memory
    take_upload(site, given, folder, stem)   the intake both upload addresses use

An upload is checked by content with the photo stage's own reader (JPEG,
PNG, WebP, HEIC: what a build can publish), named by the caller (a data
photo after the person the form is about, else a made-up name; never the
uploaded file's name) and written through ``files.save_image``, which never
replaces another file.  The reply gives the value to put in the form:
``photos/<name>``.  A preview is the photo stage's making of the image,
upright and without EXIF, kept in memory: nothing is published or cached.

The editor's door (``web.EditorApp``) has let the request in and checked a
POST's Origin and CSRF token before it gets here.
"""

from __future__ import annotations

import datetime as dt
import json
import mimetypes
import secrets
from pathlib import Path

from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Request, Response

from branchboard.editor import files
from branchboard.photos.derive import PhotoError, Use, derive, image_suffix, is_processed
from branchboard.scaffold.yamlappend import Refused

PREFIX = "/admin/photo"
UPLOAD = f"{PREFIX}/upload"
FOLDER = "data/photos"
PREVIEW = Use("preview", ((240, 0),))
MAX_UPLOAD = 20 * 1024 * 1024  # bytes: a phone photo is a few; the photo stage makes the page's sizes
LONGEST_NAME = 40  # characters of a person's name kept in a file name
IMAGE_HEADERS = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox"}
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}


def body_limit(path: str, usual: int) -> int:
    """The largest request body a path takes: the photo upload more than a form."""
    return MAX_UPLOAD + 64 * 1024 if path == UPLOAD else usual


def handle(app, request: Request, path: str) -> Response:
    if path == UPLOAD and request.method == "POST":
        return upload(app.site_dir, request)
    if path == PREFIX and request.method != "POST":
        return preview(app.site_dir, request.args.get("file", ""))
    return app._page("message.html", 404, title="找不到", message="后台没有这个网页。")


def upload(site_dir, request: Request) -> Response:
    stem = safe_stem(request.form.get("name", "")) or made_up_stem(dt.datetime.now())
    try:
        rel = take_upload(site_dir, request.files.get("image"), FOLDER, stem)
    except NotSaved as refused:
        return answer(refused.status, str(refused))
    value = rel[len("data/"):]
    return answer(200, "已上传。", value=value, preview=f"{PREFIX}?file={value}")


class NotSaved(Exception):
    """An upload refused, with the HTTP status to answer and the secretary's message."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def take_upload(site_dir: Path, given: FileStorage | None, folder: str, stem: str) -> str:
    """The uploaded image, if the photo stage reads it whole, written as
    ``<folder>/<stem><its suffix>`` through files.save_image; returns its
    rel.  Raises NotSaved with the reason otherwise."""
    if given is None:
        raise NotSaved(400, "没有收到照片。")
    name = given.filename or ""
    if "/" in name or "\\" in name or ".." in name or "\x00" in name:
        raise NotSaved(400, "照片的文件名不对，没有保存。")
    data = given.stream.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise NotSaved(413, f"照片太大（超过 {MAX_UPLOAD // 1024 // 1024} MB），没有保存。")
    suffix = image_suffix(data)
    if suffix is None:
        raise NotSaved(415, "这个文件不是照片（或已经损坏），没有保存。可以用 JPG、PNG、WebP 或 HEIC（苹果手机）照片。")
    try:
        return files.save_image(site_dir, folder, stem, suffix, data)
    except Refused as refused:
        raise NotSaved(400, str(refused)) from None


def answer(status: int, message: str, **values) -> Response:
    """A reply to a page's script: JSON with a Chinese message."""
    return Response(json.dumps({"message": message, **values}, ensure_ascii=False), status,
                    content_type="application/json; charset=utf-8")


def safe_stem(name: str) -> str:
    """A person's name as a file name: letters and digits (Chinese ones too),
    ``-`` and ``_``; nothing Windows refuses; "" when nothing is left."""
    kept = "".join(c for c in name.strip() if c.isalnum() or c in "-_")[:LONGEST_NAME]
    if kept.upper() in WINDOWS_RESERVED:
        kept += "-照片"
    return kept


def made_up_stem(now: dt.datetime) -> str:
    return f"照片-{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def preview(site_dir, value: str) -> Response:
    """A data image (``photos/王建国.jpg``), small and upright; only images under data/."""
    parts = value.replace("\\", "/").split("/")
    kind = mimetypes.guess_type(value)[0] or ""
    data_dir = (site_dir / "data").resolve()
    path = site_dir.joinpath("data", *parts)
    if (not value or any(p in ("", ".", "..") or p.startswith(".") or ":" in p for p in parts)
            or not (kind.startswith("image/") or is_processed(value)) or not path.is_file()
            or not path.resolve().is_relative_to(data_dir)):
        return Response("没有这张照片。", 404, content_type="text/plain; charset=utf-8")
    if not is_processed(value):  # SVG, GIF: shown as they are, like the build publishes them
        return Response(path.read_bytes(), 200, content_type=kind, headers=IMAGE_HEADERS)
    return made_image(path, PREVIEW)


def made_image(path: Path, use: Use) -> Response:
    """The photo stage's making of an image for ``use``, upright and without
    EXIF (a HEIC photo too, which no browser shows as it is)."""
    try:
        made = derive(path.read_bytes(), [use]).files[use.name][0]
    except PhotoError:
        return Response("这张照片打不开。", 422, content_type="text/plain; charset=utf-8")
    return Response(made.data, 200, content_type="image/png" if made.suffix == ".png" else "image/jpeg",
                    headers=IMAGE_HEADERS)
