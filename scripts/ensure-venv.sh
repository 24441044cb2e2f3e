#!/usr/bin/env bash
# Create the project's virtual environment with Python 3.11, installing python3-venv when
# Debian's Python lacks it.
set -euo pipefail
py=${1:-python3}
venv=${2:-.venv}
if ! "$py" -c 'import sys; assert sys.version_info[:2] == (3, 11), sys.version' 2>/dev/null; then
  echo "lawdesk needs Python 3.11 (found: $("$py" --version 2>&1))." >&2
  exit 1
fi
if ! "$py" -m venv "$venv" 2>/dev/null; then
  echo "Installing python3-venv (needs root)…"
  rm -rf "$venv"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3.11-venv python3-pip
  "$py" -m venv "$venv"
fi
"$(dirname "$0")/pip-install.sh" "$venv" "pip, setuptools and wheel" --upgrade pip setuptools wheel
