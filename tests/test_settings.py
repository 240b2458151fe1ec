"""site.yaml, checked by the declared-schema steps the board data goes through:
the same kinds of message, each with its line; Chinese keys and short forms."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

from branchboard.errors import Report
from branchboard.site.config import SITE, SiteConfig, load_config
from conftest import PROJECT


def read(tmp_path, text: str):
    (tmp_path / "site.yaml").write_text(text, encoding="utf-8")
    report = Report()
    return load_config(tmp_path, report), report


def problems(report):
    return [(p.location(), p.level, p.message) for p in report.sorted()]


def test_every_declared_key_is_an_attribute_of_the_config():
    attributes = {f.name for f in dataclasses.fields(SiteConfig)} - {"site_dir", "positions"}
    assert attributes == set(SITE.fields)


def test_site_yaml_mistakes_are_told_like_board_data_mistakes(tmp_path):
    config, report = read(tmp_path, """\
title: [测试]
page_size: 0
sections:
  - {id: news, titel: 动态}
  - news
honor_titles: {a: b}
""")
    assert config is None
    assert problems(report) == [
        ("site.yaml:1:1", "error", "title 必须是 文字，这里是 一个列表"),
        ("site.yaml:2:1", "error", "page_size 必须是 不小于 1 的整数，这里是 0"),
        ("site.yaml:4:16", "error", "不认识的键“titel”"),
        ("site.yaml:5:5", "error", "id“news”重复了，第 4 行已经用过"),
        ("site.yaml:6:15", "error", "honor_titles 第 1 项 必须是 文字，这里是 一组“键: 值”"),
    ]
    assert report.sorted()[0].hint == "改成 文字，例如 title: …"
    assert report.sorted()[2].hint == "是不是想写“title”？这里可以写：id、title。"


def test_an_unknown_key_is_ignored_with_a_warning(tmp_path):
    config, report = read(tmp_path, "title: 测试\npage_sise: 5\n")
    assert config.page_size == 10
    assert problems(report) == [("site.yaml:2:1", "warning", "site.yaml 不认识“page_sise”这一项，已忽略")]
    assert report.problems[0].hint.startswith("是不是想写“page_size”？")


def test_a_missing_or_empty_title(tmp_path):
    assert problems(read(tmp_path, "")[1]) == [("site.yaml:1:1", "error", "site.yaml 缺少必填项“title”")]
    assert problems(read(tmp_path, "# 设置\ntitle:\n")[1]) == [("site.yaml:2:1", "error", "title 不能为空")]


def test_chinese_keys_and_short_forms(tmp_path):
    config, report = read(tmp_path, """\
标题: 测试
每页篇数: 5
栏目: [news, {id: study, 标题: 学习园地}]
荣誉称号: 安全卫士
滚动字幕: 安全第一，预防为主
footer: 2026
""")
    assert report.problems == []
    assert (config.title, config.page_size) == ("测试", 5)
    assert [(s.id, s.title, s.line) for s in config.sections] == [("news", "news", 3), ("study", "学习园地", 3)]
    assert config.honor_titles == ("安全卫士",)
    assert config.ticker == ("安全第一，预防为主",)  # one line, not split at its comma
    assert config.footer == "2026"
    assert (config.language, config.theme, config.screen) == ("zh-CN", "default", None)


def test_one_key_written_in_both_languages_is_an_error(tmp_path):
    config, report = read(tmp_path, "标题: 测试\ntitle: 测试\n")
    assert config is None
    assert problems(report) == [("site.yaml:2:1", "error", "“标题”和“title”是同一项，只能写一个")]


def test_reading_site_yaml_imports_neither_jsonschema_nor_the_board_data_code():
    code = ("import sys; from pathlib import Path; from branchboard.errors import Report; "
            "from branchboard.site.config import load_config; "
            f"assert load_config(Path({str(PROJECT)!r}), Report()) is not None; "
            "print(sorted(m for m in sys.modules if m.startswith(('jsonschema', 'branchboard.board'))))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
