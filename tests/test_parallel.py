"""Work spread over processes gives what one process gives, forked or spawned.

Windows has no fork: there, workers are spawned and get only what can be
pickled.  A build forced to spawn must write the same bytes as a forked one.
"""

from __future__ import annotations

import multiprocessing
import shutil

from branchboard import parallel
from branchboard.build import bodies, pages
from branchboard.build.pipeline import Options, build
from branchboard.site import content
from conftest import article, snapshot

from test_incremental import NOW


def _spy_on_start_methods(monkeypatch) -> list[str]:
    """The start method of every pool or helper process parallel.py starts."""
    used: list[str] = []
    real = multiprocessing.get_context

    def get_context(method=None):
        used.append(method)
        return real(method)

    monkeypatch.setattr(parallel.multiprocessing, "get_context", get_context)
    return used


def test_a_build_with_spawned_workers_writes_what_a_forked_one_does(make_site, tmp_path, monkeypatch):
    for module, name in ((content, "PARALLEL_READS"), (bodies, "PARALLEL_MIN"), (pages, "PARALLEL_PAGES")):
        monkeypatch.setattr(module, name, 2)  # this small site takes every parallel path
    monkeypatch.setattr(parallel, "workers", lambda: 2)  # also on a machine with one core
    files = {f"content/news/n{i:02d}.md": article(f"动态{i}", date=f"2026-11-{i % 28 + 1:02d}", 标签="[安全, 生产]",
                                                  body=f"## 第{i}条\n\n正文{i}，见[上一条](n{(i + 1) % 24:02d}.md)。\n")
             for i in range(24)}
    files["content/notices/a.md"] = article("通知", date="2026-11-02", 置顶="true")
    files["data/banners.yaml"] = "- 内容: 安全第一\n  尺寸: 600x70cm\n"
    site = make_site(files)
    used = _spy_on_start_methods(monkeypatch)
    outputs = {}
    for method in ("fork", "spawn"):
        monkeypatch.setattr(parallel, "START_METHOD", method)
        shutil.rmtree(site.root / ".cache", ignore_errors=True)
        result = build(Options(site_dir=site.root, out_dir=tmp_path / method, now=NOW))
        assert result.pages > 30 and not result.report.errors
        outputs[method] = snapshot(tmp_path / method)
    assert outputs["spawn"] == outputs["fork"]
    # forked: front matter, Markdown, pages and the board's data in helpers;
    # spawned: front matter and Markdown (pages share the parent's memory and
    # stay in the process, and so does the data, which would not pay)
    assert used == ["fork"] * 4 + ["spawn"] * 2


def test_results_come_in_the_order_of_the_items_however_they_were_handed_out(monkeypatch):
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    items = list(range(50))
    for last_first in (False, True):
        got = list(parallel.map_in_processes(_square_plus, items, min_items=1, chunk=7, state=1000,
                                             last_first=last_first))
        assert got == [1000 + i * i for i in items]


def test_below_the_threshold_the_work_stays_in_this_process(monkeypatch):
    used = _spy_on_start_methods(monkeypatch)
    got = list(parallel.map_in_processes(_square_plus, [1, 2, 3], min_items=4, state=0, setup=_doubled))
    assert got == [1, 4, 9] and used == []


def test_a_job_sharing_memory_stays_in_this_process_where_workers_are_spawned(monkeypatch):
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    monkeypatch.setattr(parallel, "START_METHOD", "spawn")
    used = _spy_on_start_methods(monkeypatch)
    got = list(parallel.map_in_processes(_square_plus, list(range(10)), min_items=1, state=5, shares_memory=True))
    assert got == [5 + i * i for i in range(10)] and used == []


def test_a_fault_in_a_background_helper_is_raised_in_the_parent(monkeypatch):
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    with parallel.Background(_fails, "坏了") as helper:
        try:
            helper.result()
        except RuntimeError as exc:
            assert str(exc) == "坏了"
        else:
            raise AssertionError("the helper's fault was not raised")


def _square_plus(state: int, item: int) -> int:
    return state + item * item


def _doubled(state: int) -> int:
    return state * 2


def _fails(message: str):
    raise RuntimeError(message)
