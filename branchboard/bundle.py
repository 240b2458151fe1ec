"""bundle: a folder to carry on a USB stick and install with no internet.

    wheels/      every requirement as a wheel, for each Python 3.10 to 3.13
                 of each chosen system (and branchboard itself, when the
                 project builds as a wheel)
    app/         build.py and requirements.txt (and branchboard's source
                 when there is no wheel of it)
    board/       the board: site.yaml, content/, data/ (schemas/, themes/)
    安装.bat ...  double-click scripts, from bundle_scripts/

Fetching the wheels is the only step that needs the internet; it is one
function, ``fetch_wheels``, so that tests can put their own in its place.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from branchboard.errors import EXIT_CONTENT, EXIT_OK, describe_os_error
from branchboard.screen.pages import OUTPUT as SCREEN_PAGE

PROJECT_DIR = Path(__file__).resolve().parent.parent
SCRIPTS_DIR = Path(__file__).resolve().parent / "bundle_scripts"
PYTHON_VERSIONS = ("3.10", "3.11", "3.12", "3.13")
SCRIPT_NAMES = ("安装", "生成网站", "编辑预览", "打印", "大屏播放")
BOARD_PARTS = ("site.yaml", "content", "data", "schemas", "themes")
APP_PARTS = ("branchboard", "themes")  # copied when branchboard has no wheel
NOT_COPIED = shutil.ignore_patterns("__pycache__", "*.pyc", ".*")


@dataclass(frozen=True)
class Target:
    """One system the bundle is made for."""

    name: str  # as on the command line: --windows
    label: str  # what the secretary reads
    platforms: tuple[str, ...]  # one download each (a Mac is arm64 or Intel)
    suffix: str  # of its scripts
    encoding: str  # of its scripts' bytes
    newline: str  # of its scripts' lines


# Windows scripts are GBK bytes and first switch the console to code page
# 936: cmd reads a batch file in the console's code page, which on Chinese
# Windows already is 936, and `chcp 936` also covers a PC set to UTF-8.
TARGETS = {
    "windows": Target("windows", "Windows", ("win_amd64",), ".bat", "gbk", "\r\n"),
    "linux": Target("linux", "Linux", ("manylinux2014_x86_64",), ".sh", "utf-8", "\n"),
    "macos": Target("macos", "macOS", ("macosx_11_0_arm64", "macosx_10_13_x86_64"), ".command", "utf-8", "\n"),
}
DEFAULT_TARGETS = ("windows",)


class BundleRefused(Exception):
    """The bundle cannot be made; the message says why, in Chinese."""


def fetch_wheels(requirements: Path, wheels: Path, platform: str, python_version: str) -> None:
    """Download a wheel of every requirement (and theirs) for one system and
    one Python into ``wheels``.  The one step that needs the internet."""
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
               "-r", str(requirements), "--platform", platform, "--python-version", python_version,
               "--implementation", "cp", "--only-binary=:all:", "-d", str(wheels)]
    done = subprocess.run(command, capture_output=True, text=True, encoding="utf-8", errors="replace")
    if done.returncode != 0:
        said = [line for line in done.stderr.splitlines() if line.strip() and "WARNING" not in line]
        raise BundleRefused(f"没能下载 Python {python_version}（{platform}）的安装包。下载需要联网："
                            "请连上互联网后重新运行。\npip 的说明：" + "\n".join(said[-3:]))


def run_bundle(args, site: Path) -> int:
    """Make the offline folder for the systems asked for (Windows when none is)."""
    names = [name for name in TARGETS if getattr(args, name)] or list(DEFAULT_TARGETS)
    targets = [TARGETS[name] for name in names]
    try:
        make_bundle(args.dest, site, targets, say=lambda text: print(text, flush=True))
    except BundleRefused as refused:
        print(f"没有做成安装文件夹：{refused}", file=sys.stderr)
        return EXIT_CONTENT
    except OSError as exc:
        print(f"没有做成安装文件夹：{describe_os_error(exc)}", file=sys.stderr)
        return EXIT_CONTENT
    first = " 或 ".join(f"安装{target.suffix}" for target in targets)
    print(f"安装文件夹已做好：{args.dest}\n把整个文件夹拷到 U 盘，在要用的电脑上先双击 {first}（不需要联网），"
          "以后双击“生成网站”“编辑预览”“打印”“大屏播放”即可。宣传栏的文件在其中的 board 文件夹里。")
    return EXIT_OK


def make_bundle(dest: Path, site_dir: Path, targets: list[Target], say=print) -> Path | None:
    """Make the bundle in ``dest`` (new or empty) and check it is whole; on
    failure nothing is left there.  ``say`` tells how far it is.  Returns
    branchboard's own wheel, or None when its source was copied."""
    created = _claim_folder(dest, site_dir)
    try:
        wheels = dest / "wheels"
        wheels.mkdir()
        for target in targets:
            for platform in target.platforms:
                for version in PYTHON_VERSIONS:
                    say(f"正在下载 {target.label}（{platform}）Python {version} 的安装包……")
                    fetch_wheels(PROJECT_DIR / "requirements.txt", wheels, platform, version)
        own = copy_app(dest / "app", wheels)
        copy_board(site_dir, dest / "board")
        for target in targets:
            write_scripts(dest, target)
        missing = verify_bundle(dest)
        if missing:
            raise BundleRefused("下载的安装包不全：\n" + "\n".join(missing))
    except BaseException:
        _empty_folder(dest, remove=created)
        raise
    return own


def _claim_folder(dest: Path, site_dir: Path) -> bool:
    """``dest`` may be used: new or empty, and not inside the board it copies.
    True when it was made here."""
    dest, site = dest.resolve(), site_dir.resolve()
    if dest == site or site in dest.parents:
        raise BundleRefused(f"{dest} 在网站文件夹里面，不能放在这里。请换一个网站文件夹以外的位置（例如 U 盘）。")
    if dest.exists():
        if not dest.is_dir() or any(dest.iterdir()):
            raise BundleRefused(f"{dest} 已经存在而且不是空文件夹。为了不覆盖别的文件，请写一个新的文件夹名。")
        return False
    dest.mkdir(parents=True)
    return True


def _empty_folder(dest: Path, remove: bool) -> None:
    if remove:
        shutil.rmtree(dest, ignore_errors=True)
        return
    for child in dest.iterdir():
        shutil.rmtree(child, ignore_errors=True) if child.is_dir() else child.unlink(missing_ok=True)


def copy_app(app: Path, wheels: Path) -> Path | None:
    """build.py and requirements.txt, and branchboard as a wheel in
    ``wheels`` or, when the project does not build as one, its source."""
    app.mkdir()
    for name in ("build.py", "requirements.txt"):
        shutil.copy2(PROJECT_DIR / name, app / name)
    own = build_own_wheel(wheels)
    if own is None:
        for name in APP_PARTS:
            shutil.copytree(PROJECT_DIR / name, app / name, ignore=NOT_COPIED)
    return own


def build_own_wheel(wheels: Path) -> Path | None:
    """branchboard as a wheel in ``wheels``, or None when pip cannot make one."""
    with tempfile.TemporaryDirectory() as scratch:
        done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                               "--disable-pip-version-check", "-w", scratch, str(PROJECT_DIR)],
                              capture_output=True)
        made = sorted(Path(scratch).glob("branchboard-*.whl"))
        if done.returncode != 0 or not made:
            return None
        return Path(shutil.copy2(made[0], wheels / made[0].name))


def copy_board(site_dir: Path, board: Path) -> None:
    """The secretary's files, never the output, the cache or the editor's password."""
    board.mkdir()
    for name in BOARD_PARTS:
        source = site_dir / name
        if name == "themes" and site_dir.resolve() == PROJECT_DIR:
            continue  # the project's own themes come with the program
        if source.is_dir():
            shutil.copytree(source, board / name, ignore=NOT_COPIED)
        elif source.is_file():
            shutil.copy2(source, board / name)


def write_scripts(dest: Path, target: Target) -> list[Path]:
    """The double-click scripts for one system, in its encoding and line ends."""
    written = []
    for name in SCRIPT_NAMES:
        text = script_template(name, target).replace("@SCREEN_PAGE@", screen_page(target))
        path = dest / f"{name}{target.suffix}"
        path.write_bytes(text.replace("\n", target.newline).encode(target.encoding))
        if target.suffix != ".bat":
            path.chmod(0o755)
        written.append(path)
    return written


def script_template(name: str, target: Target) -> str:
    """A system's own template, else the one shared by Linux and macOS (.sh)."""
    own = SCRIPTS_DIR / f"{name}{target.suffix}"
    path = own if own.is_file() else SCRIPTS_DIR / f"{name}.sh"
    return path.read_text(encoding="utf-8")


def screen_page(target: Target) -> str:
    """Where the built screen page is, from the bundle's folder."""
    rel = f"board/public/{SCREEN_PAGE}"
    return rel.replace("/", "\\") if target.name == "windows" else rel


def verify_bundle(dest: Path) -> list[str]:
    """What the bundle lacks, in Chinese ([] when whole): a wheel for every
    requirement in its app/requirements.txt, for every Python version and
    platform of each system it has an install script for."""
    targets = [t for t in TARGETS.values() if (dest / f"安装{t.suffix}").is_file()]
    if not targets:
        return [f"{dest} 里没有安装脚本（安装.bat、安装.sh 或 安装.command）"]
    wheels = [tags for path in sorted((dest / "wheels").glob("*.whl")) if (tags := wheel_tags(path.name))]
    missing = []
    for target in targets:
        for platform in target.platforms:
            for version in PYTHON_VERSIONS:
                for name in requirement_names(dest / "app" / "requirements.txt"):
                    if not any(w.name == name and w.fits(version, platform) for w in wheels):
                        missing.append(f"缺少 {name} 的 {target.label} 安装包（Python {version}，{platform}）")
    return missing


def canonical_name(name: str) -> str:
    """A distribution's name as packaging compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_names(requirements: Path) -> list[str]:
    names = []
    for line in requirements.read_text(encoding="utf-8").splitlines():
        found = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line.split("#", 1)[0])
        if found:
            names.append(canonical_name(found[1]))
    return names


@dataclass(frozen=True)
class WheelTags:
    """A wheel file's name, read (PEP 427): the project and where it installs."""

    name: str  # canonical
    pythons: frozenset[str]  # cp312, py3, cp39 ...
    abis: frozenset[str]  # cp312, abi3, none
    platforms: frozenset[str]  # win_amd64, manylinux_2_17_x86_64, any ...

    def fits(self, version: str, platform: str) -> bool:
        """Installs on CPython ``version`` (3.12) on ``platform``."""
        cp = "cp" + version.replace(".", "")
        if not any(platform_fits(have, platform) for have in self.platforms):
            return False
        for python in self.pythons:
            for abi in self.abis:
                if python == cp and abi in (cp, "abi3", "none"):
                    return True
                if abi == "abi3" and python.startswith("cp3") and int(python[3:]) <= int(cp[3:]):
                    return True
                if python in ("py3", "py" + version.replace(".", "")) and abi == "none":
                    return True
        return False


def wheel_tags(filename: str) -> WheelTags | None:
    parts = filename[:-len(".whl")].split("-") if filename.endswith(".whl") else []
    if len(parts) not in (5, 6):
        return None
    python, abi, platform = (frozenset(tag.split(".")) for tag in parts[-3:])
    return WheelTags(canonical_name(parts[0]), python, abi, platform)


_MANYLINUX = re.compile(r"manylinux(?:_2_(?P<minor>\d+)|(?P<legacy>1|2010|2014))_(?P<arch>\w+)$")
_LEGACY_GLIBC = {"1": 5, "2010": 12, "2014": 17}
_MACOS = re.compile(r"macosx_(?P<major>\d+)_(?P<minor>\d+)_(?P<arch>\w+)$")


def platform_fits(have: str, wanted: str) -> bool:
    """A wheel for ``have`` installs on ``wanted``: the same, pure, or an
    older glibc or macOS on the same processor."""
    if have in ("any", wanted):
        return True
    for pattern, version in ((_MANYLINUX, _glibc), (_MACOS, _macos)):
        ours, theirs = pattern.match(have), pattern.match(wanted)
        if ours and theirs:
            same_chip = ours["arch"] == theirs["arch"] or (pattern is _MACOS and ours["arch"] == "universal2")
            return same_chip and version(ours) <= version(theirs)
    return False


def _glibc(found: re.Match) -> int:
    return int(found["minor"]) if found["minor"] else _LEGACY_GLIBC[found["legacy"]]


def _macos(found: re.Match) -> tuple[int, int]:
    return int(found["major"]), int(found["minor"])
