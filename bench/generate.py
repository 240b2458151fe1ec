"""Generate a synthetic Chinese board of N articles for the benchmark.

The same articles can be laid out for branchboard, Hugo, Pelican and MkDocs,
so every tool builds the same text.  Articles are 800 to 3,000 characters with
front matter, headings, a table, lists and an image; the board data has the
size of a real branch's (ten categories, 80 items, six teams, a year of
periods).  Deterministic for a given seed.

    python bench/generate.py --articles 1000 --out bench/out/board1000 [--tool hugo]
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

SECTIONS = [("news", "支部动态"), ("notices", "通知公告"), ("study", "学习园地"), ("experience", "经验交流")]
WORDS = ("党支部 洗选 精煤 灰分 安全生产 隐患排查 设备检修 重介 浮选 压滤 皮带 班组 党员 示范岗 "
         "学习 培训 考核 指标 产率 电耗 介耗 节能 降耗 技术革新 质量 标准化 现场 文明 劳动纪律 "
         "责任 落实 推进 提升 保障 完成 组织 开展 加强 坚持 创新 服务 群众 职工 生产 任务").split()
PUNCT = "，，，。；、"
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="800" height="450" viewBox="0 0 800 450">'
       '<rect width="800" height="450" fill="#b71c1c"/><circle cx="400" cy="225" r="120" fill="#f2c14e"/></svg>\n')


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(4, 9))]
    text = "".join(w + (rng.choice(PUNCT) if rng.random() < 0.3 else "") for w in words)
    return text.rstrip("，；、") + "。"


def paragraph(rng: random.Random, chars: int) -> str:
    text = ""
    while len(text) < chars:
        text += sentence(rng)
    return text


def body(rng: random.Random, image: str) -> str:
    size = rng.randint(800, 3000)
    parts = []
    while sum(len(p) for p in parts) < size:
        parts.append(f"## {rng.choice(WORDS)}{rng.choice(WORDS)}")
        parts.append(paragraph(rng, rng.randint(120, 320)))
        if rng.random() < 0.4:
            parts.append("\n".join(f"- {sentence(rng)}" for _ in range(rng.randint(2, 5))))
    table = ["| 指标 | 计划 | 完成 |", "| --- | ---: | ---: |"]
    table += [f"| {rng.choice(WORDS)} | {rng.randint(50, 99)}.{rng.randint(0, 9)} | {rng.randint(50, 99)}.{rng.randint(0, 9)} |"
              for _ in range(4)]
    parts.insert(2, "\n".join(table))
    parts.insert(3, f"![现场照片]({image})")
    return "\n\n".join(parts) + "\n"


def articles(n: int, seed: int = 7):
    """(section, name, title, date, summary, tags, body) for n articles."""
    rng = random.Random(seed)
    for i in range(n):
        section = SECTIONS[i % len(SECTIONS)][0]
        day = 1 + (i * 7) % 28
        month = 1 + (i // 28) % 12
        year = 2026 - i // (28 * 12)
        title = f"{rng.choice(WORDS)}{rng.choice(WORDS)}工作第{i + 1}期"
        tags = sorted({rng.choice(WORDS[:20]) for _ in range(2)})
        yield (section, f"a{i:05d}", title, f"{year}-{month:02d}-{day:02d}",
               sentence(rng), tags, body(rng, "images/photo.svg"))


def write_branchboard(out: Path, n: int) -> None:
    out.mkdir(parents=True)
    sections = "\n".join(f"  - {{id: {sid}, title: {title}}}" for sid, title in SECTIONS)
    (out / "site.yaml").write_text(
        f"title: 基准测试支部宣传栏\norganization: 基准测试党支部\npage_size: 20\nsections:\n{sections}\n",
        encoding="utf-8")
    for sid, _ in SECTIONS:
        (out / "content" / sid / "images").mkdir(parents=True)
        (out / "content" / sid / "images" / "photo.svg").write_text(SVG, encoding="utf-8")
    for section, name, title, date, summary, tags, text in articles(n):
        front = f"---\n标题: {title}\n日期: {date}\n摘要: {summary}\n标签: [{', '.join(tags)}]\n---\n"
        (out / "content" / section / f"{name}.md").write_text(front + text, encoding="utf-8")
    write_board_data(out / "data")


def write_board_data(data: Path) -> None:
    """Board data of realistic size: 10 categories x 8 items, 6 teams, 12 periods."""
    rng = random.Random(11)
    data.mkdir(parents=True, exist_ok=True)
    teams = ["甲班", "乙班", "丙班", "丁班", "检修班", "装车班"]
    lines = ["大项:"]
    for c in range(10):
        cid = "ABCDEFGHIJ"[c]
        lines += [f"  - id: {cid}", f"    名称: 类别{cid}", "    小项:"]
        lines += [f"      - {{id: {cid}{k:02d}, 名称: 小项{cid}{k:02d}, 分值: {rng.randint(2, 4)}}}" for k in range(1, 9)]
    lines += ["班组: [" + ", ".join(teams) + "]", "考核期:"]
    for m in range(1, 13):
        lines += [f"  - 期次: 2026年{m}月", f"    日期: 2026-{m:02d}-28", "    扣分:"]
        for _ in range(10):
            item = f"{'ABCDEFGHIJ'[rng.randrange(10)]}{rng.randint(1, 8):02d}"
            lines.append(f"      - {{班组: {rng.choice(teams)}, 小项: {item}, 分数: 0.5, 原因: 现场检查发现问题}}")
        lines += ["    加分:", f"      - {{班组: {rng.choice(teams)}, 小项: A01, 分数: 1, 原因: 技术革新}}"]
    (data / "performance.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_hugo(out: Path, n: int) -> None:
    out.mkdir(parents=True)
    (out / "hugo.toml").write_text('baseURL = "/"\ntitle = "基准"\nlanguageCode = "zh-cn"\n'
                                   'hasCJKLanguage = true\n[markup.goldmark.extensions.cjk]\n'
                                   'enable = true\neastAsianLineBreaks = true\n', encoding="utf-8")
    layouts = out / "layouts" / "_default"
    layouts.mkdir(parents=True)
    (layouts / "baseof.html").write_text(
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>'
        '<body><nav>{{ range .Site.Sections }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</nav>'
        '{{ block "main" . }}{{ end }}</body></html>', encoding="utf-8")
    (layouts / "single.html").write_text('{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}{{ end }}',
                                         encoding="utf-8")
    (layouts / "list.html").write_text(
        '{{ define "main" }}<h1>{{ .Title }}</h1>{{ range .Paginator.Pages }}'
        '<p><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Summary }}</p>{{ end }}{{ end }}', encoding="utf-8")
    for section, name, title, date, summary, tags, text in articles(n):
        folder = out / "content" / section / name
        folder.mkdir(parents=True)
        (folder / "images").mkdir()
        (folder / "images" / "photo.svg").write_text(SVG, encoding="utf-8")
        front = f'---\ntitle: "{title}"\ndate: {date}\nsummary: "{summary}"\ntags: {tags}\n---\n'
        (folder / "index.md").write_text(front + text, encoding="utf-8")


def write_pelican(out: Path, n: int) -> None:
    content = out / "content"
    (content / "images").mkdir(parents=True)
    (content / "images" / "photo.svg").write_text(SVG, encoding="utf-8")
    (out / "pelicanconf.py").write_text(
        'SITENAME = "基准"\nPATH = "content"\nTIMEZONE = "Asia/Shanghai"\nDEFAULT_LANG = "zh"\n'
        'DEFAULT_PAGINATION = 20\nSTATIC_PATHS = ["images"]\nFEED_ALL_ATOM = None\n'
        'MARKDOWN = {"extension_configs": {"markdown.extensions.extra": {}, "markdown.extensions.toc": {}}}\n',
        encoding="utf-8")
    for section, name, title, date, summary, tags, text in articles(n):
        folder = content / section
        folder.mkdir(exist_ok=True)
        front = (f"Title: {title}\nDate: {date}\nCategory: {section}\nTags: {', '.join(tags)}\n"
                 f"Summary: {summary}\n\n")
        (folder / f"{name}.md").write_text(front + text.replace("images/photo.svg", "{static}/images/photo.svg"),
                                           encoding="utf-8")


def write_mkdocs(out: Path, n: int) -> None:
    docs = out / "docs"
    docs.mkdir(parents=True)
    (out / "mkdocs.yml").write_text("site_name: 基准\nuse_directory_urls: false\n"
                                    "markdown_extensions: [tables, toc, attr_list, footnotes]\n", encoding="utf-8")
    (docs / "index.md").write_text("# 基准\n", encoding="utf-8")
    for sid, _ in SECTIONS:
        (docs / sid / "images").mkdir(parents=True)
        (docs / sid / "images" / "photo.svg").write_text(SVG, encoding="utf-8")
    for section, name, title, date, summary, tags, text in articles(n):
        (docs / section / f"{name}.md").write_text(f"# {title}\n\n{text}", encoding="utf-8")


WRITERS = {"branchboard": write_branchboard, "hugo": write_hugo, "pelican": write_pelican, "mkdocs": write_mkdocs}


def generate(tool: str, out: Path, n: int) -> Path:
    if out.exists():
        shutil.rmtree(out)
    WRITERS[tool](out, n)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--tool", choices=sorted(WRITERS), default="branchboard")
    args = parser.parse_args()
    generate(args.tool, args.out, args.articles)
    print(f"{args.articles} articles for {args.tool} in {args.out}")


if __name__ == "__main__":
    main()
