#!/usr/bin/env bash
# The history demo: two quarters of Northwind's knowledge, a quarter diff, time travel, a
# single-fact revert, and a proposed correction reviewed and merged from a branch.
# Runs in a new folder (DEMO_DIR, default a fresh temp dir) on the embedded store.
set -euo pipefail
source "$(dirname "$0")/demo-lib.sh"
export FACTS_AUTHOR="Ana Ruiz <ana@northwind.test>"

run init
run import "$repo/fixtures/northwind.yaml" -m "FY26-Q3 load"
run tag FY26-Q3 -m "Q3 close"
run import "$repo/fixtures/northwind-q4.yaml" -m "FY26-Q4 load"
run correct ACV --scope finance \
    --def "Annualised value of recurring contract revenue, excl. one-off fees" \
    --reason "Finance reclassified implementation services as one-off" \
    --source src:finance-glossary-v4 --by "Priya Nair <priya@northwind.test>"
run tag FY26-Q4 -m "Q4 close"
run diff FY26-Q3 FY26-Q4 --table definitions
run show def:acv@finance --as-of FY26-Q3
run history def:acv@finance
run correct fact:acme-corp-acv-fy26q4 --value 9900000 --reason "typo" --by "Bo Lind <bo@northwind.test>"
run revert fact:acme-corp-acv-fy26q4 --reason "undo Bo's typo; nothing else touched"
run history fact:acme-corp-acv-fy26q4
run propose fix-acme-seats
run --branch fix-acme-seats correct fact:acme-gmbh-seats-fy26q3 --value 320 \
    --reason "Gainsight count confirmed by the account team"
run review fix-acme-seats
run merge fix-acme-seats
run log -n 6
printf '\nThe store is in %s/.facts; cd there and keep exploring (facts --help).\n' "$demo"
