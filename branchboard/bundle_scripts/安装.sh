#!/bin/sh
# 安装宣传栏程序：在这个文件夹里建一个 Python 环境（venv），从 wheels 文件夹安装，不需要联网。
cd "$(dirname "$0")" || exit 1
fail() { echo; echo "$1"; printf '按回车键关闭……'; read -r _; exit 1; }
if [ -x venv/bin/python ] && ! venv/bin/python -c "" 2>/dev/null; then rm -rf venv; fi
if [ ! -x venv/bin/python ]; then
  for py in python3.13 python3.12 python3.11 python3.10 python3; do
    if command -v "$py" >/dev/null 2>&1 && "$py" -m venv venv >/dev/null 2>&1; then break; fi
    rm -rf venv
  done
fi
[ -x venv/bin/python ] || fail "安装失败：没有找到能建 venv 的 Python 3.10 到 3.13（Debian/Ubuntu 上还要安装 python3-venv）。"
echo "正在安装宣传栏程序（不需要联网），请稍候……"
venv/bin/python -m pip install --disable-pip-version-check --no-index --find-links wheels -r app/requirements.txt \
  || { rm -rf venv; fail "安装失败，请看上面的提示。这里的安装包只适用于 Python 3.10 到 3.13。"; }
if ls wheels/branchboard-*.whl >/dev/null 2>&1; then
  venv/bin/python -m pip install --disable-pip-version-check --no-index --find-links wheels branchboard \
    || { rm -rf venv; fail "安装失败，请看上面的提示。"; }
fi
echo
echo "正在检查网站文件……"
venv/bin/python app/build.py check --site board
echo
echo "安装完成。以后运行“生成网站”“编辑预览”“打印”“大屏播放”即可使用。"
printf '按回车键关闭……'; read -r _
