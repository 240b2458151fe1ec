@echo off
chcp 936 >nul
rem 安装宣传栏程序：在这个文件夹里建一个 Python 环境（venv），从 wheels 文件夹安装，不需要联网。
cd /d "%~dp0"
title 安装宣传栏程序
if exist "venv\Scripts\python.exe" "venv\Scripts\python.exe" -c "" >nul 2>&1 || rmdir /s /q venv >nul 2>&1
if not exist "venv\Scripts\python.exe" call :make_venv
if not exist "venv\Scripts\python.exe" goto no_python
echo 正在安装宣传栏程序（不需要联网），请稍候……
"venv\Scripts\python.exe" -m pip install --disable-pip-version-check --no-index --find-links wheels -r app\requirements.txt
if errorlevel 1 goto failed
if exist "wheels\branchboard-*.whl" "venv\Scripts\python.exe" -m pip install --disable-pip-version-check --no-index --find-links wheels branchboard
if errorlevel 1 goto failed
echo.
echo 正在检查网站文件……
"venv\Scripts\python.exe" app\build.py check --site board
echo.
echo 安装完成。以后双击“生成网站”“编辑预览”“打印”“大屏播放”即可使用。
pause
exit /b 0

:make_venv
for %%V in (3.13 3.12 3.11 3.10 3) do (
  py -%%V -m venv venv >nul 2>&1 && exit /b 0
)
python -m venv venv >nul 2>&1
exit /b 0

:no_python
echo.
echo 安装失败：这台电脑上没有找到 Python。
echo 请先安装 Python 3.10 到 3.13 中的一个版本（64 位，安装时勾选“Add python.exe to PATH”），再双击“安装”。
pause
exit /b 1

:failed
rmdir /s /q venv >nul 2>&1
echo.
echo 安装失败，请看上面的提示。
echo 这个文件夹里的安装包只适用于 64 位 Windows 上的 Python 3.10 到 3.13；
echo 如果电脑上的 Python 是别的版本，请安装其中一个版本后再双击“安装”。
pause
exit /b 1
