#!/usr/bin/env bash
# Compile lawdesk's translation catalogues (src/lawdesk/locale/*/LC_MESSAGES/*.po) into the .mo
# files Django reads; only those older than their .po. GNU gettext's msgfmt (decision 0020).
set -euo pipefail
shopt -s nullglob
cd "$(dirname "$0")/.."
command -v msgfmt >/dev/null || ./scripts/ensure-system-libs.sh
for po in src/lawdesk/locale/*/LC_MESSAGES/*.po; do
  mo="${po%.po}.mo"
  if [[ ! -f "$mo" || "$po" -nt "$mo" ]]; then
    msgfmt --check --output-file="$mo" "$po"
  fi
done
