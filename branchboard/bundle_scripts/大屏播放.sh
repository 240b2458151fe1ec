#!/bin/sh
# 大屏播放：生成网站，再用浏览器全屏播放大屏页面。按 Alt+F4 退出全屏播放。
cd "$(dirname "$0")" || exit 1
fail() { echo; echo "$1"; printf '按回车键关闭……'; read -r _; exit 1; }
[ -x venv/bin/python ] || fail "还没有安装宣传栏程序：请先运行“安装”。"
venv/bin/python app/build.py build --site board || fail "没有生成成功，请按上面的提示修改后重新运行“大屏播放”。"
[ -f "@SCREEN_PAGE@" ] || fail "没有找到大屏页面 @SCREEN_PAGE@，请先运行“生成网站”看看有什么提示。"
for browser in chromium chromium-browser google-chrome microsoft-edge; do
  if command -v "$browser" >/dev/null 2>&1; then
    "$browser" --kiosk "file://$PWD/@SCREEN_PAGE@" --no-first-run --user-data-dir="$HOME/.cache/branchboard-screen" >/dev/null 2>&1 &
    exit 0
  fi
done
xdg-open "@SCREEN_PAGE@" >/dev/null 2>&1 &
echo "没有找到 Chromium、Chrome 或 Edge，已用默认浏览器打开大屏页面，请按 F11 全屏。"
