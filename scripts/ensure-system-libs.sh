#!/usr/bin/env bash
# System libraries the runtime needs: Pango for WeasyPrint (PDF certificates and reports),
# the age command-line tool (independent verification of encrypted packages) and GNU gettext
# (the translation catalogues).
set -euo pipefail
missing=()
ldconfig -p | grep -q 'libpango-1.0.so' || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
command -v age >/dev/null || missing+=(age)
# pdftotext: the evidence tests read the certificate PDF's text.
command -v pdftotext >/dev/null || missing+=(poppler-utils)
# unzip and openssl: the tests check packages with independent tools.
command -v unzip >/dev/null || missing+=(unzip)
command -v openssl >/dev/null || missing+=(openssl)
# msgfmt and xgettext: compiling and checking the translation catalogues (decision 0020).
command -v msgfmt >/dev/null && command -v xgettext >/dev/null || missing+=(gettext)
fc-list 2>/dev/null | grep -qi dejavu || missing+=(fonts-dejavu-core)
if ((${#missing[@]})); then
  echo "Installing system packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
