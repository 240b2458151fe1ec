#!/bin/sh
# 打印：生成网站，并把条幅、海报的打印页做成 PDF（用电脑上的 Chromium、Chrome 或 Edge）。
cd "$(dirname "$0")" || exit 1
fail() { echo; echo "$1"; printf '按回车键关闭……'; read -r _; exit 1; }
[ -x venv/bin/python ] || fail "还没有安装宣传栏程序：请先运行“安装”。"
venv/bin/python app/build.py print --site board || fail "没有做成 PDF，请按上面的提示处理后重新运行“打印”。"
echo
echo "PDF 在 board/public/print 文件夹里。"
printf '按回车键关闭……'; read -r _
