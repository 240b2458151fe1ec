"""What the editor writes: only inside content/ and data/, atomically, the
previous version kept in .history/, a hand edit never overwritten."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from branchboard.editor import files
from branchboard.editor.files import Conflict, open_file, restore, save, versions
from branchboard.scaffold.yamlappend import Refused
from conftest import article

LETTERS = "# 职工信箱\n- 日期: 2026-11-20\n  主题: 食堂\n  内容: 加窗口\n  状态: 已受理\n"


@pytest.fixture
def site(make_site):
    return make_site({"content/news/a.md": article("甲"), "data/mailbox.yaml": LETTERS})


def everything(root) -> dict:
    """Every file of the site but the cache (where the editor's lock lies)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
            if p.is_file() and not p.relative_to(root).as_posix().startswith(".cache/")}


def test_a_save_keeps_the_previous_version_and_a_restore_brings_it_back(site):
    text, version = open_file(site.root, "data/mailbox.yaml")
    assert text == LETTERS
    new_version = save(site.root, "data/mailbox.yaml", text.replace("已受理", "已办结"), version)
    assert (site.root / "data/mailbox.yaml").read_text(encoding="utf-8").endswith("状态: 已办结\n")
    kept = versions(site.root, "data/mailbox.yaml")
    assert len(kept) == 1 and (site.root / ".history/data/mailbox.yaml" / kept[0].name).read_text(
        encoding="utf-8") == LETTERS
    restore(site.root, "data/mailbox.yaml", kept[0].name, new_version)
    assert (site.root / "data/mailbox.yaml").read_text(encoding="utf-8") == LETTERS
    assert len(versions(site.root, "data/mailbox.yaml")) == 2  # the one replaced by the restore, too
    result = site.run("build", "--now", "2026-11-25")
    assert result.code == 0 and not list((site.out).rglob("*history*")), result.text


def test_a_hand_edit_since_the_form_was_opened_is_never_overwritten(site):
    text, version = open_file(site.root, "data/mailbox.yaml")
    by_hand = LETTERS + "- 日期: 2026-11-21\n  主题: 记事本加的\n  内容: 手写\n  状态: 已受理\n"
    (site.root / "data/mailbox.yaml").write_text(by_hand, encoding="utf-8")
    before = everything(site.root)
    with pytest.raises(Conflict) as refused:
        save(site.root, "data/mailbox.yaml", text.replace("食堂", "澡堂"), version)
    assert refused.value.theirs == by_hand and "没有保存" in str(refused.value)
    assert everything(site.root) == before


@pytest.mark.parametrize("rel", ["site.yaml", "../site.yaml", "content/../site.yaml", "data/../../x.yaml",
                                 "/etc/passwd.yaml", "C:/x.md", "data/x.php", ".history/data/mailbox.yaml",
                                 "content/.hidden.md", "data\\..\\site.yaml", "themes/default/theme.yaml",
                                 "content/link/x.md"])
def test_nothing_is_written_outside_content_and_data(site, tmp_path, rel):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    os.symlink(outside, site.root / "content/link")
    before = everything(site.root)
    with pytest.raises(Refused):
        save(site.root, rel, "写进去了\n", files.version_of(b""))
    assert everything(site.root) == before and not list(outside.iterdir())


def test_a_save_that_fails_halfway_leaves_the_old_file_whole(site, monkeypatch):
    text, version = open_file(site.root, "content/news/a.md")

    def full_disk(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", full_disk)
    with pytest.raises(OSError):
        save(site.root, "content/news/a.md", text + "\n多写一段。\n", version, now=dt.datetime(2026, 11, 25))
    assert (site.root / "content/news/a.md").read_text(encoding="utf-8") == text
    assert not [p for p in site.root.rglob("*.saving")]
