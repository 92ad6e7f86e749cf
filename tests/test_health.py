"""`facts health`: each check on a store built to trip it, the Northwind fixtures'
known problems, as-of reads, and the CLI's exit codes — on both backends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from factstore import FactStore

from .conftest import AUTHOR, Facts

TRIPS = """
factstore: 1
sources:
  - {id: src:crm, title: CRM, kind: system_of_record, authority: 90, captured_at: 2026-06-01}
  - {id: src:billing, title: Billing, kind: system_of_record, authority: 90,
     captured_at: 2026-06-20}
  - {id: src:wiki, title: Team wiki, kind: wiki, authority: 40}
  - {id: src:old-deck, title: Old deck, kind: wiki, authority: 90, captured_at: 2025-01-10}
entities:
  - {id: acme-corp, kind: customer, name: Acme Corporation, source: src:crm}
  - {id: acme-gmbh, kind: customer, name: Acme GmbH, source: src:crm,
     aliases: [{alias: "ACME", kind: abbreviation}]}
  - {id: kestrel, kind: customer, name: Kestrel Bank, source: src:crm}
definitions:
  - {id: "def:acv@finance", term: ACV, scope: finance, text: Annual value, owner: finance,
     source: src:wiki}
  - {id: "def:arr@finance", term: ARR, scope: finance, text: Annual recurring revenue,
     source: src:wiki}
facts:
  - {id: "fact:kestrel-seats", subject: kestrel, predicate: seats, value: 10, period: FY26-Q3}
  - {id: "fact:kestrel-tier", subject: kestrel, predicate: tier, value: gold, source: src:crm}
  - {id: "fact:acme-arr-crm", subject: acme-corp, predicate: arr, value: 100, period: FY26-Q3,
     source: src:crm, quote: "ARR 100"}
  - {id: "fact:acme-arr-billing", subject: acme-corp, predicate: arr, value: 120,
     period: FY26-Q3, source: src:billing, quote: "ARR 120"}
  - {id: "fact:acme-arr-wiki", subject: acme-corp, predicate: arr, value: 90, period: FY26-Q3,
     source: src:wiki, quote: "about 90"}
  - {id: "fact:gmbh-seats-old", subject: acme-gmbh, predicate: seats, value: 5,
     period: FY26-Q3, source: src:crm, quote: "5 seats"}
  - {id: "fact:gmbh-seats-new", subject: acme-gmbh, predicate: seats, value: 7,
     period: FY26-Q3, source: src:crm, quote: "7 seats", supersedes: "fact:gmbh-seats-old"}
  - {id: "fact:kestrel-hq-old", subject: kestrel, predicate: headquarters, value: Berlin,
     valid_from: 2020-01-01, valid_to: 2024-12-31, source: src:crm, quote: "Berlin"}
  - {id: "fact:kestrel-hq-new", subject: kestrel, predicate: headquarters, value: Munich,
     valid_from: 2025-01-01, source: src:crm, quote: "Munich"}
  - {id: "fact:kestrel-nps-crm", subject: kestrel, predicate: nps, value: 40, period: FY26-Q3,
     source: src:crm, quote: "40"}
  - {id: "fact:kestrel-nps-billing", subject: kestrel, predicate: nps, value: 40.0,
     period: FY26-Q3, source: src:billing, quote: "40.0"}
  - {id: "fact:kestrel-fee-crm", subject: kestrel, predicate: fee, value: 100, unit: USD,
     period: FY26-Q3, source: src:crm, quote: "100 USD"}
  - {id: "fact:kestrel-fee-billing", subject: kestrel, predicate: fee, value: 100, unit: EUR,
     period: FY26-Q3, source: src:billing, quote: "100 EUR"}
"""


@pytest.fixture
def tripped(store: FactStore, tmp_path: Path) -> FactStore:
    path = tmp_path / "trips.yaml"
    path.write_text(TRIPS, encoding="utf-8")
    store.import_file(path, author=AUTHOR, reason="health test")
    return store


def _ids(report: object, check: str) -> list[list[str]]:
    return [f.ids for f in report.findings if f.check == check]  # type: ignore[attr-defined]


def test_each_check_finds_what_it_names_and_nothing_else(tripped: FactStore) -> None:
    report = tripped.health(valid_at="2026-07-01")
    assert _ids(report, "no_source") == [["fact:kestrel-seats"]]
    assert _ids(report, "no_quote") == [["fact:kestrel-tier"]]
    # older than 180 days, and never dated; crm (30 days) and billing are fresh
    assert _ids(report, "stale_source") == [["src:old-deck"], ["src:wiki"]]
    assert [f.lag_days for f in report.findings if f.check == "stale_source"] == [537, None]
    # crm and billing tie at 90 with different values (or units: 100 USD is not 100 EUR;
    # 40 and 40.0 agree); the wiki (40) is outranked, not in it; a superseded value is not a
    # conflict with the value that replaced it, nor is a value that held on other days
    assert _ids(report, "conflict") == [["fact:acme-arr-billing", "fact:acme-arr-crm"],
                                        ["fact:kestrel-fee-billing", "fact:kestrel-fee-crm"]]
    assert _ids(report, "shared_alias") == [["acme-corp", "acme-gmbh"]]
    assert _ids(report, "no_owner") == [["def:arr@finance"]]
    assert report.counts == {"no_source": 1, "no_quote": 1, "stale_source": 2, "conflict": 2,
                             "shared_alias": 1, "no_owner": 1}
    assert not report.ok and report.commit == tripped.head()


def test_fixing_the_knowledge_clears_its_findings(tripped: FactStore) -> None:
    tripped.retract("fact:acme-arr-billing", author=AUTHOR, reason="billing export was wrong")
    tripped.retract("fact:kestrel-fee-billing", author=AUTHOR, reason="wrong currency")
    tripped.retract("fact:kestrel-seats", author=AUTHOR, reason="no source for it")
    report = tripped.health(valid_at="2026-07-01", max_age_days=1000)
    assert report.counts["conflict"] == 0 and report.counts["no_source"] == 0
    assert _ids(report, "stale_source") == [["src:wiki"]]  # undated stays a finding


def test_a_retracted_source_loses_the_tie(tripped: FactStore) -> None:
    tripped.retract("src:billing", author=AUTHOR, reason="export was broken")
    assert _ids(tripped.health(valid_at="2026-07-01"), "conflict") == []


def test_packs_label_what_health_calls_a_conflict(tripped: FactStore) -> None:
    pack = tripped.context("What are Kestrel Bank's fee and NPS in FY26-Q3?", record=False)
    labels = {item.id: item.status for item in pack.items}
    assert labels["fact:kestrel-fee-crm"] == labels["fact:kestrel-fee-billing"] == "conflicting"
    assert {labels["fact:kestrel-nps-crm"], labels["fact:kestrel-nps-billing"]} == {"current"}


def test_as_of_reads_the_store_at_that_commit(tripped: FactStore) -> None:
    before = tripped.head()
    tripped.retract("fact:acme-arr-billing", author=AUTHOR, reason="wrong")
    then = tripped.health(as_of=before, valid_at="2026-07-01")
    assert then.commit == before and then.counts["conflict"] == 2
    assert tripped.health(valid_at="2026-07-01").counts["conflict"] == 1


def test_the_fixtures_known_problems(northwind: FactStore) -> None:
    report = northwind.health(valid_at="2025-12-01")
    assert _ids(report, "conflict") == [["fact:acme-gmbh-seats-fy26q3",
                                         "fact:acme-gmbh-seats-fy26q3-cs"]]
    assert ["acme-corp", "acme-gmbh"] in _ids(report, "shared_alias")
    assert _ids(report, "stale_source") == [["src:legal-email-bluefin"]]
    # the superseded Veridian ACV differs from its replacement: not a conflict
    assert not any("veridian" in i for ids in _ids(report, "conflict") for i in ids)


def test_cli_strict_json_and_bad_options(facts: Facts, tripped: FactStore) -> None:
    shown = facts("health", "--valid-at", "2026-07-01", "--limit", "0")
    assert "conflict" in shown.output and "… and 2 more" in shown.output
    assert facts("health", "--strict", ok=False).exit_code == 1
    data = json.loads(facts("health", "--json", "--valid-at", "2026-07-01").output)
    assert data["counts"]["no_owner"] == 1 and data["valid_at"] == "2026-07-01"
    assert {f["check"] for f in data["findings"]} == set(data["counts"])
    bad = facts("health", "--max-age-days", "-1", ok=False)
    assert bad.exit_code == 2 and "max-age-days" in bad.output
    assert facts("health", "--valid-at", "2026-02-30", ok=False).exit_code == 2
    unknown = facts("health", "--as-of", "no-such-tag", ok=False)
    assert unknown.exit_code == 2 and "unknown ref 'no-such-tag'" in unknown.output
