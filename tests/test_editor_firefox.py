"""The editor's scripts in Firefox ESR, the other browser offices use.

tests/tools/firefox_smoke.mjs drives Debian's firefox-esr (puppeteer-core
over WebDriver BiDi; Playwright drives only its own Firefox build) through
three pages of a served site and prints what they showed; the files on disk
are read afterwards.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess

import pytest
import yaml

from conftest import PROJECT
from test_editor_forms import DUTY, DUTY_SCHEMA

PERFORMANCE = (PROJECT / "data" / "performance.yaml").read_text(encoding="utf-8")
FILES = {"data/performance.yaml": PERFORMANCE, "schemas/duty.yaml": DUTY_SCHEMA, "data/duty.yaml": DUTY}
SCRIPT = PROJECT / "tests" / "tools" / "firefox_smoke.mjs"


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must have {name}: tests/install.sh installs it")
        pytest.skip(f"没有找到 {name}（bash tests/install.sh 会安装），跳过 Firefox 测试")
    return found


def run_smoke(node: str, firefox: str, url: str) -> tuple[str, str, int]:
    """The script's output; past the bound, it and the Firefox it started are killed by their group's id."""
    proc = subprocess.Popen([node, str(SCRIPT), firefox, url], cwd=SCRIPT.parent, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    try:
        out, err = proc.communicate(timeout=180)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate(timeout=30)
        raise AssertionError("the Firefox script did not end within 180 s:\n" + err)
    return out, err, proc.returncode


def test_the_editors_scripts_work_in_firefox_esr(served):
    node, firefox = tool("node"), tool("firefox-esr")
    site, server = served(FILES)
    out, err, code = run_smoke(node, firefox, server.url)
    assert code == 0, err
    shown = json.loads(out)
    assert shown["version"].startswith("firefox/")

    assert shown["performance"] == {
        "start": "200",
        "found": "A02 劳动防护用品正确佩戴（满分 5）",
        "overWarning": "甲班在小项“劳动防护用品正确佩戴”本期共扣 6 分，超过了这一小项的分值 5 分",
        "overTotal": "194",
        "warning": "",
        "total": "195.5",
        "saved": True,
    }
    period = yaml.safe_load((site.root / "data" / "performance.yaml").read_text(encoding="utf-8"))["考核期"][-1]
    assert [(d["班组"], d["小项"], d["分数"]) for d in period["扣分"]] == [("甲班", "A02", 3), ("甲班", "A02", 1.5)]

    assert "全班组十二人参加。" in shown["article"]["preview"]
    assert sorted(p.name for p in (site.root / "content").rglob("*.md")) == []  # a preview writes nothing

    assert shown["choice"] == {"chosen": "检修班", "shown": ["检修班"], "saved": True}
    assert (site.root / "data" / "duty.yaml").read_text(encoding="utf-8") \
        == DUTY + "  - 日期: 2026-11-27\n    值班班组: 检修班\n"

    # the collector catches a thrown error and a console error; the editor's pages gave none
    assert any("probe-throw" in e for e in shown["errors"].pop("probe"))
    assert shown["errors"] == {"performance": [], "article": [], "choice": []}
