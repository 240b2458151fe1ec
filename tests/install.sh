#!/usr/bin/env bash
# Install what the tests need on a Debian or Ubuntu machine: Debian's Chromium
# and real CJK fonts for the browser and PDF tests, poppler for PDF pictures,
# and the Python packages.  Safe to run again; it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(chromium fonts-noto-cjk poppler-utils)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "Please install: ${missing[*]} (Chromium, Noto CJK fonts, poppler-utils)" >&2
  else
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi
python3 -m pip install -q -r requirements-dev.txt
