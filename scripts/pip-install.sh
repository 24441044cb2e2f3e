#!/usr/bin/env bash
# pip install into the project's venv, quietly: pip's own output (and the warnings a machine's
# pip configuration can add, such as find-links or index locations that do not exist) goes to
# a log under LAWDESK_HOME; the terminal gets one line, or the end of the log on failure.
# Usage: pip-install.sh VENV LABEL PIP-ARGS...
set -euo pipefail
venv=$1
label=$2
shift 2
home=${LAWDESK_HOME:-var}
log="$home/log/install.log"
mkdir -p "$home/log"
# pip's wheel cache too stays inside LAWDESK_HOME, unless the caller chose one.
export PIP_CACHE_DIR=${PIP_CACHE_DIR:-$home/cache/pip}
echo "=== $(date -u '+%Y-%m-%d %H:%M:%S') pip install $*" >>"$log"
if "$venv/bin/pip" install --quiet --disable-pip-version-check "$@" >>"$log" 2>&1; then
  echo "Installed $label into $venv (pip's output: $log)"
else
  echo "Installing $label failed. The end of $log:" >&2
  tail -n 40 "$log" >&2
  exit 1
fi
