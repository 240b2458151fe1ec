@echo off
chcp 936 >nul
rem 大屏播放：生成网站，再用 Edge 全屏播放大屏页面。按 Alt+F4 退出全屏播放。
cd /d "%~dp0"
title 大屏播放
if not exist "venv\Scripts\python.exe" goto not_installed
"venv\Scripts\python.exe" app\build.py build --site board
if errorlevel 1 goto failed
if not exist "@SCREEN_PAGE@" goto no_screen
echo 正在用 Edge 全屏播放大屏页面，按 Alt+F4 退出。
start "" msedge --kiosk "file:///%~dp0@SCREEN_PAGE@" --edge-kiosk-type=fullscreen --no-first-run --user-data-dir="%LOCALAPPDATA%\branchboard\screen-edge"
if errorlevel 1 goto no_edge
exit /b 0

:failed
echo.
echo 没有生成成功，请按上面的提示修改后重新双击“大屏播放”。
pause
exit /b 1

:no_screen
echo 没有找到大屏页面 @SCREEN_PAGE@，请先双击“生成网站”看看有什么提示。
pause
exit /b 1

:no_edge
echo 没能打开 Edge 浏览器。也可以用浏览器打开 @SCREEN_PAGE@，再按 F11 全屏。
pause
exit /b 1

:not_installed
echo 还没有安装宣传栏程序：请先双击“安装”。
pause
exit /b 1
