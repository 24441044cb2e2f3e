#!/usr/bin/env bash
# Extract every translatable string into the French catalogue (src/lawdesk/locale/fr/…/django.po)
# the way tests/core/test_catalogue.py does: no locations, no obsolete entries, the frozen rule
# archive left out. New strings arrive with an empty msgstr (or marked fuzzy): translate them,
# drop the fuzzy mark, then `make messages`. Usage: scripts/make-messages.sh [LANG…] (default fr).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v xgettext >/dev/null || ./scripts/ensure-system-libs.sh
root=$PWD
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
cd src/lawdesk
for lang in "${@:-fr}"; do
  LAWDESK_HOME="$home" PYTHONPATH="$root/src" "$root/.venv/bin/lawdesk" manage makemessages \
    -l "$lang" --no-location --no-obsolete -i 'law/archive/*' -i 'static/*'
done
