"""The example board checked by tools nobody here wrote, in a real browser.

* every page passes the Nu HTML Checker with no errors;
* axe-core finds no critical or serious violation on the main page kinds;
* Chinese text is drawn by a real CJK font, not as boxes.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import PROJECT

TOOLS = PROJECT / "tests" / "tools" / "node_modules"
VNU = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = TOOLS / "axe-core" / "axe.min.js"


def test_every_page_passes_the_nu_html_checker(example):
    if not VNU.is_file() or not shutil.which("java"):
        pytest.skip("Nu HTML Checker 未安装（bash tests/install.sh 会安装）")
    pages = sorted(str(p) for p in example.rglob("*.html"))
    proc = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--format", "json", *pages],
                          capture_output=True, text=True, timeout=300)
    messages = json.loads(proc.stderr or proc.stdout or '{"messages": []}')["messages"]
    problems = [f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}" for m in messages
                if m.get("type") == "error"]
    assert problems == [], "\n".join(problems[:30])
    assert len(pages) > 20


def axe_violations(page, url: str) -> list[str]:
    page.goto(url)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("critical", "serious")]


def main_pages(example: Path) -> list[Path]:
    article = next(p for p in sorted((example / "news").glob("*.html"))
                   if not p.name.startswith(("index", "page")))
    candidates = [example / "index.html", article, example / "board/honors.html",
                  example / "board/performance.html", example / "screen/index.html"]
    return [p for p in candidates if p.is_file()]


def test_axe_finds_no_serious_violation_on_the_main_pages(example, page):
    if not AXE.is_file():
        pytest.skip("axe-core 未安装（bash tests/install.sh 会安装）")
    pages = main_pages(example)
    assert len(pages) >= 2
    found = {p.relative_to(example).as_posix(): axe_violations(page, p.as_uri()) for p in pages}
    assert {k: v for k, v in found.items() if v} == {}


def test_chinese_is_drawn_by_a_cjk_font(example, page):
    page.goto((example / "index.html").as_uri())
    client = page.context.new_cdp_session(page)
    client.send("DOM.enable")
    client.send("CSS.enable")
    root = client.send("DOM.getDocument")["root"]["nodeId"]
    node = client.send("DOM.querySelector", {"nodeId": root, "selector": ".brand-title"})["nodeId"]
    fonts = client.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    families = [f["familyName"] for f in fonts]
    assert any("CJK" in name or "Hei" in name or "Song" in name for name in families), families
