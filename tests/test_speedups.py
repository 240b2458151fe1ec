"""The speed-ups that reach into Markdown's and Jinja's internals: used only
on tested versions, switched off by BRANCHBOARD_PLAIN, and never changing a
byte of the board.  (The Markdown samples, both ways: test_markdown.py.)"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from conftest import BUILD_PY, PROJECT, snapshot

from branchboard.build import speedups

# What a fresh process chooses, with the versions it sees set first (empty:
# as installed): what its Markdown renderer, Jinja environment and body
# cache key use.
PROBE = r"""
import json, sys, types
import jinja2, markdown
if sys.argv[1]:
    markdown.__version__ = sys.argv[1]
if sys.argv[2]:
    jinja2.__version__ = sys.argv[2]
from branchboard.build import speedups
from branchboard.build.bodies import RENDERER_KEY
from branchboard.build.markup import MarkdownRenderer
from branchboard.build.render import make_environment
renderer = MarkdownRenderer()
renderer.render("## 一\n\n正文\n", None)
(md,) = renderer._instances.values()
print(json.dumps({
    "chosen": [speedups.CHOSEN.markdown, speedups.CHOSEN.jinja],
    "toc": type(md.treeprocessors["toc"]).__name__,
    "environment": type(make_environment(types.SimpleNamespace(template_dirs=[]))).__name__,
    "key": RENDERER_KEY,
}))
"""

FIRST_TESTED = {library: "{}.{}.0".format(*first) for library, (first, _last) in speedups.TESTED.items()}


def probe(markdown_version: str = FIRST_TESTED["markdown"], jinja_version: str = FIRST_TESTED["jinja2"],
          plain: str | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != speedups.SWITCH}
    if plain is not None:
        env[speedups.SWITCH] = plain
    proc = subprocess.run([sys.executable, "-c", PROBE, markdown_version, jinja_version],
                          capture_output=True, text=True, cwd=PROJECT, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_the_switch_turns_every_speedup_off():
    on, off = probe(), probe(plain="1")
    assert on["chosen"] == [True, True] and probe(plain="0")["chosen"] == [True, True]
    assert (on["toc"], on["environment"]) == ("LeanToc", "TreeReusingEnvironment")
    assert off["chosen"] == [False, False]
    assert (off["toc"], off["environment"]) == ("TocTreeprocessor", "Environment")
    assert on["key"] != off["key"]  # a body cached one way is never taken for the other's


def test_a_release_outside_the_tested_range_turns_its_speedups_off():
    on = probe()
    (_, last_markdown), (_, last_jinja) = speedups.TESTED["markdown"], speedups.TESTED["jinja2"]
    newer_markdown = probe(markdown_version=f"{last_markdown[0]}.{last_markdown[1] + 1}.0")
    assert newer_markdown["chosen"] == [False, True]
    assert (newer_markdown["toc"], newer_markdown["environment"]) == ("TocTreeprocessor", "TreeReusingEnvironment")
    assert newer_markdown["key"] != on["key"]
    newer_jinja = probe(jinja_version=f"{last_jinja[0]}.{last_jinja[1] + 1}.0")
    assert newer_jinja["chosen"] == [True, False]
    assert (newer_jinja["toc"], newer_jinja["environment"]) == ("LeanToc", "Environment")
    assert newer_jinja["key"] == on["key"]  # Jinja has no say in a body's HTML


def test_tested_range_takes_every_patch_release_of_its_ends(monkeypatch):
    first, last = speedups.TESTED["markdown"]
    assert speedups.is_tested("markdown", f"{first[0]}.{first[1]}")
    assert speedups.is_tested("markdown", f"{last[0]}.{last[1]}.9")
    assert not speedups.is_tested("markdown", f"{first[0]}.{first[1] - 1}.9")
    assert not speedups.is_tested("markdown", f"{last[0]}.{last[1] + 1}.0")
    assert not speedups.is_tested("markdown", f"{last[0] + 1}.0")
    assert not speedups.is_tested("markdown", "unknown")
    import markdown

    monkeypatch.setattr(markdown, "__version__", f"{last[0]}.{last[1] + 1}.0")
    assert speedups.choose({}).markdown is False


def test_templates_compile_to_the_same_code_from_the_kept_tree():
    import jinja2

    from branchboard.build.render import make_environment
    from branchboard.errors import Report
    from branchboard.site.theme import find_theme

    theme = find_theme(PROJECT, "default", Report())
    plain, fast = make_environment(theme, speedups=False), make_environment(theme, speedups=True)
    assert type(plain) is jinja2.Environment and isinstance(fast, speedups.TreeReusingEnvironment)
    names = plain.list_templates()
    assert len(names) > 20
    for name in names:
        source, filename, _ = plain.loader.get_source(plain, name)
        speedups.keep_parsed(fast, name, source, fast.parse(source, name, filename))
        assert fast.parsed
        assert fast.compile(source, name, filename, raw=True) == plain.compile(source, name, filename, raw=True), name
        assert not fast.parsed  # the tree was taken


def build_example_board(folder, plain: str | None) -> dict[str, bytes]:
    """The example board built cold in a copy (no cached bodies or compiled
    templates), its files with their bytes but build-id.txt (a digest of
    the pages' keys and the copied files' times)."""
    site = folder / "site"
    site.mkdir(parents=True)
    shutil.copy(PROJECT / "site.yaml", site)
    for name in ("content", "data"):
        shutil.copytree(PROJECT / name, site / name)
    env = {k: v for k, v in os.environ.items() if k != speedups.SWITCH}
    if plain is not None:
        env[speedups.SWITCH] = plain
    out = folder / "public"
    proc = subprocess.run([sys.executable, str(BUILD_PY), "build", "--site", str(site), "--out", str(out),
                           "--now", "2026-11-25"], capture_output=True, text=True, encoding="utf-8",
                          env=env, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    files = snapshot(out)
    files.pop("build-id.txt")
    return files


def test_the_example_board_is_the_same_without_speedups(tmp_path):
    if not (speedups.CHOSEN.markdown or speedups.CHOSEN.jinja):
        pytest.skip("the speed-ups are off here: both builds would be plain")
    with_speedups = build_example_board(tmp_path / "on", None)
    without = build_example_board(tmp_path / "off", "1")
    assert with_speedups.keys() == without.keys() and len(without) > 50
    assert [rel for rel in with_speedups if with_speedups[rel] != without[rel]] == []
