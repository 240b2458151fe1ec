"""Make the editor screenshots used in docs/使用指南.md.

Run from the project folder:

    python3 docs/make_screenshots.py

It copies the example board (site.yaml, content/, data/, themes/) into a
temporary folder, starts `build.py serve` on it (127.0.0.1, a free port,
"today" fixed to 2026-11-25 so the pictures do not change with the date),
drives Chromium through Playwright at 1280x800 and writes PNG files into
docs/images/.  The project's own files are never touched; the server is
stopped by its process id and the temporary folder removed at the end.

Needs: the python package playwright and a Chromium (Debian's
/usr/bin/chromium by default; another one with CHROMIUM=/path/to/chrome).
Pillow shrinks any picture over 150 KB to a 256-colour PNG.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

PROJECT = Path(__file__).resolve().parent.parent
IMAGES = PROJECT / "docs" / "images"
TODAY = "2026-11-25"
LIMIT = 150_000  # bytes per picture
# the browser tests' flags (tests/conftest.py CHROMIUM_FLAGS), and Chinese for the
# browser's own words (dates as 2026/11/25, 选择文件) where its Chinese is installed
# (Debian: chromium-l10n)
CHROMIUM_FLAGS = ["--lang=zh-CN", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--allow-file-access-from-files"]
REPLY = "已联系物资科，本周内在介质库东侧搭建防雨棚，滚筒移入棚内存放。"
LETTER = "磁选机备用滚筒"
DEDUCTIONS = (("甲班", "劳动防护", "3", "11月4日两人未戴防尘口罩"),
              ("乙班", "H03", "1", "浮选药剂消耗超出计划"),
              ("丙班", "消防器材", "0.5", "一具灭火器压力不足"))
BONUS = ("丁班", "C01", "2", "精煤灰分合格率居首位")
AWARDS = (("生产标兵", "高永福", "甲班", "当月主洗岗位零误操作。"),
          ("革新能手", "石小兵", "检修班", "改进了浮选机刮板，减少停机。"))

# a photo pasted into the article text, as a phone picture copied would be
PASTE_IMAGE = """async () => {
    const canvas = document.createElement("canvas");
    canvas.width = 480; canvas.height = 270;
    const g = canvas.getContext("2d");
    const sky = g.createLinearGradient(0, 0, 0, 270);
    sky.addColorStop(0, "#9cc3e6"); sky.addColorStop(1, "#e8eef4");
    g.fillStyle = sky; g.fillRect(0, 0, 480, 270);
    g.fillStyle = "#555"; g.fillRect(40, 150, 400, 90);
    g.fillStyle = "#b22"; g.fillRect(60, 120, 360, 34);
    g.fillStyle = "#fff"; g.font = "bold 22px sans-serif";
    g.fillText("煤泥水系统检修动员会", 130, 145);
    const blob = await new Promise(done => canvas.toBlob(done, "image/png"));
    const data = new DataTransfer();
    data.items.add(new File([blob], "image.png", {type: "image/png"}));
    const body = document.getElementById("f-body");
    body.focus();
    body.selectionStart = body.selectionEnd = body.value.length;
    body.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_example(to: Path) -> None:
    shutil.copy2(PROJECT / "site.yaml", to / "site.yaml")
    for name in ("content", "data", "themes"):
        shutil.copytree(PROJECT / name, to / name, ignore=shutil.ignore_patterns(".history", ".cache", "public"))


def wait_for(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server did not answer at {url}")


def shoot(page, name: str, whole: bool = False) -> None:
    path = IMAGES / name
    page.screenshot(path=str(path), type="png", full_page=whole)
    if path.stat().st_size > LIMIT:
        from PIL import Image

        with Image.open(path) as image:
            small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
        small.save(path, optimize=True)
    print(f"{path.relative_to(PROJECT)}: {path.stat().st_size // 1000} KB")


def take(page, base: str) -> None:
    # 1. the dashboard, down to the problems and the data files
    page.goto(base + "admin/")
    shoot(page, "后台-首页.png", whole=True)

    # 2. answering a letter
    page.goto(base + "admin/")
    page.get_by_role("link", name="答复来信").click()
    page.get_by_role("link", name=LETTER).click()
    page.get_by_label("回复", exact=True).fill(REPLY)
    page.get_by_label("回复日期").fill(TODAY)
    page.get_by_label("状态").select_option("已办结")
    shoot(page, "后台-答复来信.png", whole=True)

    # 3. a wrong value: a reply dated before the letter; nothing is saved
    page.get_by_label("回复日期").fill("2026-11-01")
    page.get_by_role("button", name="保存").click()
    page.locator(".problem, [role=alert]").first.wait_for()
    shoot(page, "后台-填错了.png", whole=True)

    # save it right, so that the file has a previous version
    page.get_by_label("回复日期").fill(TODAY)
    page.get_by_role("button", name="保存").click()
    page.get_by_text("已保存").first.wait_for()

    # 4. the history of the mailbox
    page.get_by_role("link", name="以前的版本").click()
    page.locator("pre.diff").wait_for()
    shoot(page, "后台-以前的版本.png")

    # 5. a new article with a pasted photo and the live preview
    page.goto(base + "admin/articles")
    page.get_by_role("link", name="写新文章").first.click()
    page.get_by_label("标题").fill("煤泥水系统检修动员会")
    page.get_by_label("摘要").fill("检修前的动员，分工落实到人。")
    page.get_by_label("标签").fill("安全生产、检修")
    body = page.get_by_label("正文（Markdown）")
    body.fill("## 会议内容\n\n11月24日，队部召开煤泥水系统检修动员会，全班组十二人参加，"
              "高志刚讲解检修安全注意事项，分工落实到人。\n\n")
    page.evaluate(PASTE_IMAGE)
    deadline = time.monotonic() + 15
    while "![](images/" not in body.input_value():
        if time.monotonic() > deadline:
            raise SystemExit("the pasted photo did not show up in the text")
        time.sleep(0.1)
    preview = page.frame_locator("#preview")
    preview.locator("img").wait_for()
    page.wait_for_timeout(800)
    shoot(page, "后台-写文章.png", whole=True)

    take_board_jobs(page, base)


def take_board_jobs(page, base: str) -> None:
    """The month's jobs: the 绩效考核 period page, a new honors period, a banner."""
    # 6. this month's 绩效考核: a few rows filled in, the totals as they change
    page.goto(base + "admin/")
    page.get_by_role("link", name="本月考核").click()
    for row, values in zip(page.locator("#deductions tr.row").all(), DEDUCTIONS):
        fill_row(row, *values)
    fill_row(page.locator("#bonuses tr.row").first, *BONUS)
    page.locator(".item-found").first.wait_for()
    shoot(page, "后台-本月考核.png", whole=True)

    # 7. a new honors period with two awards, saved in one go
    page.goto(base + "admin/")
    page.get_by_role("link", name="本月光荣榜").click()
    page.get_by_label("期次").fill("2026年11月")
    for _ in AWARDS:
        page.get_by_role("button", name="添加一条表彰").click()
    for row, (title, name, team, deeds) in zip(page.locator("fieldset.row").all(), AWARDS):
        row.get_by_label("称号").select_option(title)
        row.get_by_label("姓名").fill(name)
        row.get_by_label("班组").fill(team)
        row.get_by_label("事迹").fill(deeds)
    shoot(page, "后台-本月光荣榜.png", whole=True)

    # 8. a banner: its size in three boxes, 上移/下移
    page.goto(base + "admin/data/banners.yaml")
    page.locator("nav.entries li a").nth(1).click()
    shoot(page, "后台-条幅.png", whole=True)


def fill_row(row, team: str, item: str, points: str, reason: str) -> None:
    row.get_by_label("班组").select_option(team)
    row.get_by_label("小项").fill(item)
    row.get_by_label("分数").fill(points)
    row.get_by_label("原因").fill(reason)


def main() -> int:
    IMAGES.mkdir(parents=True, exist_ok=True)
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    with tempfile.TemporaryDirectory(prefix="branchboard-shots-") as tmp:
        site = Path(tmp)
        copy_example(site)
        port = free_port()
        base = f"http://127.0.0.1:{port}/"
        server = subprocess.Popen([sys.executable, str(PROJECT / "build.py"), "serve", "--site", str(site),
                                   "--port", str(port), "--now", TODAY],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for(base + "admin/")
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
                try:
                    context = browser.new_context(viewport={"width": 1280, "height": 800}, device_scale_factor=1,
                                                  locale="zh-CN", timezone_id="Asia/Shanghai")
                    page = context.new_page()
                    page.set_default_timeout(15_000)
                    take(page, base)
                finally:
                    browser.close()
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
