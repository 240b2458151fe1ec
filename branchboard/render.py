"""RENDER: the Jinja environment over the theme chain, and one function per page kind.

A site's own ``themes/<name>/`` is found before the bundled themes; a theme
that says ``extends: default`` overrides only the templates and static files
it has.  Autoescaping is on for every template.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup

from .errors import BoardError, Report
from .markup import relative_url
from .yamlio import load_yaml, read_text

BUNDLED_THEMES = Path(__file__).resolve().parent.parent / "themes"
WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class Theme:
    name: str
    dirs: tuple[Path, ...]  # the theme first, then what it extends

    @property
    def template_dirs(self) -> list[Path]:
        return [d / "templates" for d in self.dirs if (d / "templates").is_dir()]

    @property
    def schema_dirs(self) -> list[Path]:
        return [d / "schemas" for d in self.dirs if (d / "schemas").is_dir()]

    def static_files(self) -> dict[str, Path]:
        """Output path -> file, the child theme's files winning."""
        files: dict[str, Path] = {}
        for d in reversed(self.dirs):
            root = d / "static"
            if root.is_dir():
                for path in sorted(root.rglob("*")):
                    if path.is_file() and not path.name.startswith("."):
                        files["static/" + path.relative_to(root).as_posix()] = path
        return files


def find_theme(site_dir: Path, name: str, report: Report) -> Theme | None:
    search = [site_dir / "themes", BUNDLED_THEMES]
    dirs: list[Path] = []
    current = name
    while current:
        found = next((base / current for base in search if (base / current).is_dir()), None)
        if found is None:
            where = "site.yaml" if not dirs else _rel(dirs[-1] / "theme.yaml", site_dir)
            report.error(where, None, None, f"找不到主题“{current}”",
                         "主题放在 themes/<主题名>/ 文件夹里；不确定时写 theme: default。")
            return None
        if found in dirs:
            report.error(_rel(found / "theme.yaml", site_dir), None, None, f"主题“{current}”的 extends 形成了循环")
            return None
        dirs.append(found)
        current = _theme_parent(found, site_dir, report)
    return Theme(name, tuple(dirs))


def _theme_parent(theme_dir: Path, site_dir: Path, report: Report) -> str | None:
    meta_path = theme_dir / "theme.yaml"
    if not meta_path.is_file():
        return None
    rel = _rel(meta_path, site_dir)
    try:
        meta, _ = load_yaml(read_text(meta_path, rel), rel)
    except BoardError as err:
        report.add(err)
        return None
    parent = (meta or {}).get("extends") if isinstance(meta, dict) else None
    return str(parent) if parent else None


def _rel(path: Path, site_dir: Path) -> str:
    try:
        return path.relative_to(site_dir).as_posix()
    except ValueError:
        return path.as_posix()


def cn_date(value, with_time: bool = False) -> str:
    if not value:
        return ""
    text = f"{value.year}年{value.month}月{value.day}日 星期{WEEKDAYS[value.weekday()]}"
    if with_time and isinstance(value, dt.datetime):
        text += f" {value.hour:02d}:{value.minute:02d}"
    return text


def cn_date_short(value) -> str:
    return f"{value.month}月{value.day}日" if value else ""


def iso_date(value) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


@jinja2.pass_context
def url(ctx, target: str) -> str:
    """Relative URL from the page being rendered to a site-root-relative path."""
    return relative_url(str(target), ctx["page_path"])


def make_environment(theme: Theme) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in theme.template_dirs]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["url"] = url
    env.filters["cn_date"] = cn_date
    env.filters["cn_date_short"] = cn_date_short
    env.filters["iso_date"] = iso_date
    return env


class Renderer:
    """Renders pages; a template mistake becomes a BoardError naming the template."""

    def __init__(self, env: jinja2.Environment, common: dict, site_dir: Path):
        self.env = env
        self.common = common
        self.site_dir = site_dir

    def render(self, template: str, page_path: str, **context) -> str:
        try:
            tpl = self.env.get_template(template)
            return tpl.render(self.common, page_path=page_path, **context)
        except jinja2.TemplateSyntaxError as exc:
            raise BoardError(self._where(exc.filename), exc.lineno, None,
                             f"模板语法错误：{exc.message}") from None
        except jinja2.TemplateNotFound as exc:
            raise BoardError("themes", None, None, f"主题里缺少模板 {exc.name}") from None
        except (jinja2.UndefinedError, TypeError, ValueError) as exc:
            filename, line = _template_frame(exc)
            if filename is None:
                raise
            raise BoardError(self._where(filename), line, None,
                             f"生成 {page_path} 时模板出错：{exc}") from None

    def _where(self, filename: str | None) -> str:
        return _rel(Path(filename), self.site_dir) if filename else "themes"


def _template_frame(exc: BaseException):
    """The innermost template file and line in a traceback, if any."""
    tb = exc.__traceback__
    found = (None, None)
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith((".html", ".xml", ".txt", ".js", ".css")):
            found = (name, tb.tb_lineno)
        tb = tb.tb_next
    return found


def safe_html(html: str) -> Markup:
    """HTML that branchboard produced itself (Markdown output, SVG charts)."""
    return Markup(html)
