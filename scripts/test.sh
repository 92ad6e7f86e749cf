#!/usr/bin/env bash
# The README's second command: install test dependencies, get Dolt (and, when missing,
# Playwright and Chromium for the review site's browser tests), run the whole suite on both
# backends (embedded doltlite and a real dolt sql-server started by the fixtures).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install -q -e '.[test]'
DOLT_BIN="$(scripts/install-dolt.sh)"
export DOLT_BIN
scripts/install-browser.sh
python3 -m pytest "$@"
