#!/bin/sh
# 生成网站：把 board 文件夹里的文章和数据生成网站，放在 board/public 里。
cd "$(dirname "$0")" || exit 1
fail() { echo; echo "$1"; printf '按回车键关闭……'; read -r _; exit 1; }
[ -x venv/bin/python ] || fail "还没有安装宣传栏程序：请先运行“安装”。"
venv/bin/python app/build.py build --site board \
  || fail "没有生成成功，请按上面的提示修改后重新运行“生成网站”。上一次生成的网站保持不变。"
echo
echo "网站在 board/public 文件夹里，打开其中的 index.html 即可查看。"
printf '按回车键关闭……'; read -r _
