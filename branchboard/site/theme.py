"""The theme chain: a site's own themes/<name>/ before the bundled ones.

A theme that says ``extends: default`` in its theme.yaml overrides only the
templates and static files it has.  Kept apart from render.py so that a build
with nothing to do never imports Jinja.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from branchboard.errors import BoardError, Report
from branchboard.site.content import walk_files
from branchboard.site.yamlio import Documents, read_text


def bundled_themes_dir() -> Path:
    """The themes that come with branchboard: an installed package carries
    them inside (branchboard/themes/); a checkout has them at the top level,
    since the repository is itself the example board."""
    package = Path(__file__).resolve().parents[1]
    inside = package / "themes"
    return inside if inside.is_dir() else package.parent / "themes"


BUNDLED_THEMES = bundled_themes_dir()


@dataclass(frozen=True)
class Theme:
    """A theme and the themes it extends, found on disk."""

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
            for rel in walk_files(root, within=d):  # a link out of the theme is never followed
                files["static/" + rel] = root / rel
        return files


def find_theme(site_dir: Path, name: str, report: Report, documents: Documents | None = None) -> Theme | None:
    """The theme and the themes it extends; ``documents``: the YAML files earlier builds parsed."""
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
        current = _theme_parent(found, site_dir, report, documents)
    return Theme(name, tuple(dirs))


def _theme_parent(theme_dir: Path, site_dir: Path, report: Report, documents: Documents | None) -> str | None:
    meta_path = theme_dir / "theme.yaml"
    if not meta_path.is_file():
        return None
    rel = _rel(meta_path, site_dir)
    try:
        text = read_text(meta_path, rel)
        meta, _ = (documents or Documents()).load(text, rel)
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
