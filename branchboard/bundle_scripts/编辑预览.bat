@echo off
chcp 936 >nul
rem 编辑预览：打开浏览器里的编辑后台，保存后网站自动更新。用完关闭这个窗口即可。
cd /d "%~dp0"
title 编辑预览（用完请关闭这个窗口）
if not exist "venv\Scripts\python.exe" goto not_installed
echo 正在打开编辑后台，浏览器会自动打开。用完后关闭这个窗口即可。
"venv\Scripts\python.exe" app\build.py edit --site board
if errorlevel 1 goto failed
exit /b 0

:failed
echo.
echo 编辑预览没能运行，请看上面的提示。
pause
exit /b 1

:not_installed
echo 还没有安装宣传栏程序：请先双击“安装”。
pause
exit /b 1
