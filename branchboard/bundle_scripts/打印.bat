@echo off
chcp 936 >nul
rem 打印：生成网站，并把条幅、海报的打印页做成 PDF（用电脑上的 Edge 或 Chrome）。
cd /d "%~dp0"
title 打印
if not exist "venv\Scripts\python.exe" goto not_installed
"venv\Scripts\python.exe" app\build.py print --site board
if errorlevel 1 goto failed
echo.
echo PDF 在 board\public\print 文件夹里。
pause
exit /b 0

:failed
echo.
echo 没有做成 PDF，请按上面的提示处理后重新双击“打印”。
pause
exit /b 1

:not_installed
echo 还没有安装宣传栏程序：请先双击“安装”。
pause
exit /b 1
