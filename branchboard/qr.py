"""QR codes that open a page of the published site on a phone.

site.yaml's ``base_url`` says where the site is published; a page's address
is that plus its output path, each character outside ASCII percent-encoded
as UTF-8 (a phone's browser sends nothing else).  Without ``base_url`` there
is no address and so no code: ``qr_code`` gives an empty text and the
templates leave the code's element out.  The codes are drawn at build time
with segno as inline SVG, black on a white quiet zone whatever the page's
colours, so they read on the screen's dark slides and on paper.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit

from markupsafe import Markup, escape

QUIET_ZONE = 4  # modules of white around the code, as the standard asks
ERROR_LEVEL = "m"  # 15% of the code may be lost (glare on the screen, a crease in a card)


def normalise_base_url(text: str) -> str:
    """``text`` as a base address: ``http(s)://host/path/``, the path's
    characters outside ASCII percent-encoded.  Raises ValueError (in Chinese)
    when it is not an absolute http(s) address."""
    text = text.strip()
    if not text:
        raise ValueError("发布网址不能为空")
    if any(ch.isspace() for ch in text):
        raise ValueError(f"发布网址“{text}”里有空格")
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError(f"发布网址“{text}”要以 http:// 或 https:// 开头")
    if not parts.hostname:
        raise ValueError(f"发布网址“{text}”里没有服务器地址")
    try:
        parts.port  # noqa: B018  (a port that is not a number raises here)
    except ValueError:
        raise ValueError(f"发布网址“{text}”的端口号不对") from None
    if parts.query or parts.fragment:
        raise ValueError(f"发布网址“{text}”不能带 ? 或 # 后面的部分")
    path = quote(parts.path, safe="/%") or "/"
    if not path.endswith("/"):
        path += "/"  # the site's folder: its pages are found under it
    return urlunsplit((parts.scheme.lower(), parts.netloc, path, "", ""))


def page_address(base_url: str, path: str) -> str:
    """The absolute address of the page at output ``path`` (``news/安全.html``)."""
    return base_url + quote(str(path).lstrip("/"), safe="/")


def qr_svg(address: str) -> Markup:
    """Inline SVG of a QR code for ``address``, sized by the page's CSS (viewBox only)."""
    import segno  # made only when a page shows a code

    code = segno.make(address, error=ERROR_LEVEL, micro=False)
    svg = code.svg_inline(border=QUIET_ZONE, dark="#000", light="#fff", omitsize=True,
                          svgclass="qr-code", lineclass=None)
    label = escape(f"二维码：{address}")
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))


def qr_code(site, path: str) -> Markup:
    """The QR code of the page at ``path``, or an empty text when site.yaml
    gives no ``base_url``.  Templates pass ``site`` by name, so that the
    pages' keys follow site.yaml."""
    if not site.base_url:
        return Markup("")
    return qr_svg(page_address(site.base_url, path))
