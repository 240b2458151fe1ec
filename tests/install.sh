#!/usr/bin/env bash
# Install what the tests need on a Debian or Ubuntu machine: Debian's Chromium
# and real CJK fonts for the browser and PDF tests (Noto, and WenQuanYi Zen Hei
# to check the screen with other fonts than Noto's), poppler for PDF pictures,
# and the Python packages.  Safe to run again; it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(chromium firefox-esr fonts-noto-cjk fonts-wqy-zenhei poppler-utils)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
# the Nu HTML Checker runs on Java; node and npm bring it and axe-core
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ "${#missing[@]}" -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "Please install: ${missing[*]} (Chromium, Noto CJK and WenQuanYi Zen Hei fonts, poppler-utils)" >&2
  else
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi
# the Python packages go into .venv/ (the system's pip refuses them: PEP 668)
bash tools/setup.sh requirements-dev.txt
# offline checkers (Nu HTML Checker, axe-core), pinned in tests/tools/package-lock.json;
# install scripts are skipped: the checker's would download a Java runtime
npm ci --prefix tests/tools --ignore-scripts --no-audit --no-fund --loglevel=error
