#!/usr/bin/env bash
# Make .venv/, the board's own Python environment, and install into it what
# branchboard needs: requirements.txt, or the file given (tests/install.sh
# passes requirements-dev.txt).  Debian's and Ubuntu's Python refuse
# `pip install` outside an environment (PEP 668); one inside the repository
# needs no root and leaves the system's Python alone.  Safe to run again: a
# working .venv/ is kept, and pip skips what is already installed.
set -euo pipefail
cd "$(dirname "$0")/.."
requirements="${1:-requirements.txt}"
python="${PYTHON:-python3}"

# Debian and Ubuntu ship venv's pip installer (ensurepip) apart, in pythonX.Y-venv
install_venv_support() {
  local version
  version="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "Please install Python's venv module (ensurepip) for $python, then run this again." >&2
    exit 1
  fi
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "python${version}-venv" >/dev/null
}

# an environment whose pip runs is kept; a broken one (made without ensurepip,
# or left behind by a Python since removed) is made again
if ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
  "$python" -c 'import ensurepip' 2>/dev/null || install_venv_support
  rm -rf .venv
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install -q -r "$requirements"
