@echo off
chcp 936 >nul
rem 生成网站：把 board 文件夹里的文章和数据生成网站，放在 board\public 里。
cd /d "%~dp0"
title 生成网站
if not exist "venv\Scripts\python.exe" goto not_installed
"venv\Scripts\python.exe" app\build.py build --site board
if errorlevel 1 goto failed
echo.
echo 网站在 board\public 文件夹里，双击其中的 index.html 即可查看。
pause
exit /b 0

:failed
echo.
echo 没有生成成功，请按上面的提示修改后重新双击“生成网站”。上一次生成的网站保持不变。
pause
exit /b 1

:not_installed
echo 还没有安装宣传栏程序：请先双击“安装”。
pause
exit /b 1
