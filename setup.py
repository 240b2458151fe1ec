"""What the installed package holds: branchboard's code, the files it reads
beside its code (the editor's templates and static files), and the bundled
themes.

The themes stay at the repository's top level, because the repository is
itself the example board; the package carries them as branchboard/themes/,
where branchboard.site.theme looks first.  A folder without __init__.py is
data: all its files go in, so a file added there later is never left out.
Everything else about the package is in pyproject.toml.
"""

from pathlib import Path

from setuptools import find_namespace_packages, setup

THEMES = "branchboard.themes"


def code_and_data_packages() -> list[str]:
    """Every folder of branchboard/ and of themes/, as setuptools wants even
    data folders listed."""
    code = find_namespace_packages(include=["branchboard", "branchboard.*"], exclude=["*.__pycache__"])
    themes = [f"{THEMES}.{name}" for name in find_namespace_packages(where="themes")]
    return [*code, THEMES, *themes]


def folder_of(package: str) -> Path:
    if package == THEMES or package.startswith(THEMES + "."):
        return Path("themes", *package.split(".")[2:])
    return Path(*package.split("."))


packages = code_and_data_packages()
setup(
    packages=packages,
    package_dir={THEMES: "themes"},
    package_data={p: ["*"] for p in packages if not (folder_of(p) / "__init__.py").is_file()},
)
