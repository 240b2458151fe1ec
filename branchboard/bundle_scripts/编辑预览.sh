#!/bin/sh
# 编辑预览：打开浏览器里的编辑后台，保存后网站自动更新。用完关闭这个窗口即可。
cd "$(dirname "$0")" || exit 1
fail() { echo; echo "$1"; printf '按回车键关闭……'; read -r _; exit 1; }
[ -x venv/bin/python ] || fail "还没有安装宣传栏程序：请先运行“安装”。"
echo "正在打开编辑后台，浏览器会自动打开。用完后关闭这个窗口即可。"
venv/bin/python app/build.py edit --site board || fail "编辑预览没能运行，请看上面的提示。"
