"""Shared fixtures: tiny sites built from dicts, and the command line run for real."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

PROJECT = Path(__file__).resolve().parent.parent
BUILD_PY = PROJECT / "build.py"

MINIMAL_SITE = """\
title: 测试支部宣传栏
organization: 测试党支部
sections:
  - {id: news, title: 支部动态}
  - {id: notices, title: 通知公告}
"""


def article(title="标题", date="2026-11-20", body="正文。", **fields) -> str:
    """Markdown text of an article with the given front matter."""
    lines = ["---", f"标题: {title}" if title is not None else "", f"日期: {date}" if date is not None else ""]
    lines += [f"{key}: {value}" for key, value in fields.items()]
    lines = [line for line in lines if line]
    return "\n".join(lines) + "\n---\n" + textwrap.dedent(body)


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


@dataclass
class Site:
    root: Path

    @property
    def out(self) -> Path:
        return self.root / "public"

    def write(self, rel: str, content: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    def run(self, *args: str, env: dict | None = None) -> Run:
        """Run `python build.py ARGS --site ROOT` in a real subprocess."""
        cmd = [sys.executable, str(BUILD_PY), *args]
        if "--site" not in args and (not args or not args[0].startswith("-")):
            cmd += ["--site", str(self.root)]
        full_env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
        full_env.pop("SOURCE_DATE_EPOCH", None)
        full_env.update(env or {})
        proc = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8",
                              cwd=self.root, env=full_env, timeout=120)
        return Run(proc.returncode, proc.stdout, proc.stderr)

    def build(self, *args: str) -> Run:
        result = self.run("build", "--now", "2026-11-25", *args)
        assert result.code == 0, result.text
        return result

    def page(self, rel: str) -> BeautifulSoup:
        return BeautifulSoup((self.out / rel).read_text(encoding="utf-8"), "html.parser")


@pytest.fixture(scope="session")
def example(tmp_path_factory) -> Path:
    """The repo's own example board, built once for 2026-11-25; tests only read it."""
    out = tmp_path_factory.mktemp("example") / "public"
    proc = subprocess.run([sys.executable, str(BUILD_PY), "build", "--site", str(PROJECT),
                           "--out", str(out), "--now", "2026-11-25"],
                          capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


@pytest.fixture
def make_site(tmp_path):
    """make_site({"content/news/a.md": "...", ...}) -> Site with site.yaml unless given."""

    def make(files: dict[str, str | bytes] | None = None) -> Site:
        site = Site(tmp_path / "site")
        site.root.mkdir()
        files = dict(files or {})
        files.setdefault("site.yaml", MINIMAL_SITE)
        for rel, content in files.items():
            site.write(rel, content)
        return site

    return make


@pytest.fixture
def served(make_site):
    """served(files=None) -> (site, server): a site (the example's mailbox
    unless given files) built and served, editor included, for NOW, until
    the test ends.  Test modules whose sites differ define their own."""
    from tools.editor_client import MAILBOX, NOW
    from tools.serving import serving

    with serving(make_site, {"data/mailbox.yaml": MAILBOX}, NOW) as start:
        yield start


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below a folder with its bytes, to prove nothing changed."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------- browser

CHROMIUM_CANDIDATES = ("/usr/lib/chromium/chromium", "chromium", "chromium-browser",
                       "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--allow-file-access-from-files"]


def find_chromium() -> str | None:
    import shutil

    for name in CHROMIUM_CANDIDATES:
        found = name if Path(name).is_file() else shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium per test session (never a downloaded browser)."""
    path = find_chromium()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have Chromium: tests/install.sh installs Debian's chromium")
        pytest.skip("没有找到 Chromium（Debian: apt-get install chromium），跳过浏览器测试")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield b
        b.close()


FALLBACK_CJK_FONT = "WenQuanYi Zen Hei"  # Debian's fonts-wqy-zenhei: other metrics than Noto's
# Chinese fonts other than the fallback are taken away: Noto by its folder, any
# other by the language it covers (Droid Sans Fallback, for ja and zh-tw, stays
# but loses to a zh-cn font on a zh-CN page).
WITHOUT_NOTO_CONF = f"""<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include ignore_missing="no">/etc/fonts/fonts.conf</include>
  <selectfont>
    <acceptfont><pattern><patelt name="family"><string>{FALLBACK_CJK_FONT}</string></patelt></pattern></acceptfont>
    <rejectfont>
      <glob>/usr/share/fonts/opentype/noto/*</glob>
      <pattern><patelt name="lang"><string>zh-cn</string></patelt></pattern>
    </rejectfont>
  </selectfont>
</fontconfig>
"""


def has_font(family: str) -> bool:
    import shutil

    if shutil.which("fc-list") is None:
        return False
    found = subprocess.run(["fc-list", family, "family"], capture_output=True, text=True, timeout=60)
    return found.returncode == 0 and bool(found.stdout.strip())


@pytest.fixture(scope="session")
def browser_without_noto(browser, tmp_path_factory):
    """A second Chromium that cannot see the Noto CJK fonts: its Chinese is drawn by
    FALLBACK_CJK_FONT, as on a machine (the meeting-room PC) with other fonts."""
    if not has_font(FALLBACK_CJK_FONT):
        message = f"没有字体 {FALLBACK_CJK_FONT}（Debian: apt-get install fonts-wqy-zenhei），跳过"
        if os.environ.get("CI"):
            pytest.fail(f"CI must have {FALLBACK_CJK_FONT}: tests/install.sh installs fonts-wqy-zenhei")
        pytest.skip(message)
    conf = tmp_path_factory.mktemp("fontconfig") / "fonts.conf"
    conf.write_text(WITHOUT_NOTO_CONF, encoding="utf-8")
    other = browser.browser_type.launch(executable_path=find_chromium(), args=CHROMIUM_FLAGS,
                                        env={**os.environ, "FONTCONFIG_FILE": str(conf)})
    yield other
    other.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    pg = context.new_page()
    yield pg
    context.close()


TEST_OUTPUT = PROJECT / "test-output"


def hint_command(cwd: Path | None = None) -> str:
    """The command build.py's hints name when this Python runs it from
    ``cwd`` (by default the folder the tests run in, as a subprocess does)."""
    from branchboard.command import command_name

    here = os.getcwd()
    os.chdir(cwd or here)
    try:
        return command_name("build.py")
    finally:
        os.chdir(here)


@pytest.fixture
def open_screen(browser):
    """open_screen(url, size=(w, h), time=MORNING) -> a page on a fake clock, errors in page.errors."""
    from tools.screen_page import screen_opener

    yield from screen_opener(browser)
