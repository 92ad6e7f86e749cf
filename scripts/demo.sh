#!/usr/bin/env bash
# The README's first command: install factstore, then load Northwind's knowledge into a new
# embedded store, have an expert correct a definition, render the context pack a model would
# get (the correction is in it at once), and show the result and the log.
# The store is created in a new folder (DEMO_DIR, default a fresh temp dir).
set -euo pipefail
source "$(dirname "$0")/demo-lib.sh"

run init --by "Ana Ruiz <ana@northwind.test>"
run import "$repo/fixtures/northwind.yaml" --by "Ana Ruiz <ana@northwind.test>" -m "FY26-Q3 load"
run show "def:acv@finance"
run correct ACV --scope finance \
    --def "Annualised value of recurring contract revenue, excl. one-off fees" \
    --reason "Finance reclassified implementation services as one-off" \
    --source src:finance-glossary-v3 --by "Priya Nair <priya@northwind.test>"
run context "What was Acme GmbH's ACV in FY26-Q3?" --scope finance --valid-at 2025-11-10
run show "def:acv@finance"
run log -n 5
printf '\nThe store is in %s/.facts; cd there and keep exploring (facts --help).\n' "$demo"
