#!/usr/bin/env bash
# The README's second command: install test dependencies, get Dolt (and, when missing,
# Playwright and Chromium for the review site's browser tests), run the whole suite on both
# backends (embedded doltlite and a real dolt sql-server started by the fixtures).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install -q -e '.[test]'
# dbt-metricflow ships the sample dbt project the dbt tests import; its dependency dbt-core
# downloads a binary from outside the package registry at install time, so only the wheel.
python3 -m pip install -q --no-deps 'dbt-metricflow==0.15.0'
DOLT_BIN="$(scripts/install-dolt.sh)"
export DOLT_BIN
scripts/install-browser.sh
python3 -m pytest "$@"
