"""Three misses a user found on a company of their own (#13): a metric written out where the
store abbreviates it (and the reverse), a question about paying that shares no word with the
rules governing the entity, and an exact former name that only one entity ever held.

The store is Halvard Components' (invented here; unlike Northwind's or Saltmarsh's): a
supplier of robot parts whose customers are machine builders and food producers, a
segment that governs by relation, predicates stored both as initials (arr, nps) and written
out (annual_recurring_revenue, customer_acquisition_cost), a customer renamed at the turn of
the year. Built once per module on each backend; every test only reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

import pytest

from factstore import FactStore

from .conftest import item_ids, loaded_store, pack_of, Facts

HALVARD = """
factstore: 1
default_source: src:erp
sources:
  - {id: src:erp, title: Halvard ERP ledger, uri: "erp://halvard/ledger",
     kind: system_of_record, authority: 90, captured_at: 2026-04-03}
  - {id: src:terms, title: Commercial terms sheet, kind: policy, authority: 80,
     uri: "https://intranet.halvard.test/terms", captured_at: 2026-01-10}
entities:
  - id: quillon
    kind: customer
    name: Quillon Robotics GmbH
    aliases:
      - {alias: Quillon Automation, kind: former, valid_to: 2025-12-31}
  - {id: ferrow, kind: supplier, name: Ferrow Tooling}
  - id: brightwater
    kind: customer
    name: Brightwater Foods
    aliases:
      - {alias: Kelda Trading, kind: former, valid_to: 2024-06-30}
  - id: tessaly
    kind: customer
    name: Tessaly Marine AS
    aliases:
      - {alias: Kelda Trading, kind: former, valid_to: 2023-12-31}
  - {id: food-producers, kind: segment, name: Food producers}
relations:
  - {src: brightwater, rel: part_of, dst: food-producers}
facts:
  - {subject: quillon, predicate: arr, value: 1250000, value_type: money, unit: EUR,
     period: 2026-Q2}
  - {subject: quillon, predicate: nps, value: 41, value_type: number, period: 2026-Q2}
  - {subject: quillon, predicate: headcount, value: 85, value_type: number, period: 2026-Q2}
  - {subject: tessaly, predicate: annual_recurring_revenue, value: 300000, value_type: money,
     unit: EUR, period: 2026-Q2}
  - {subject: tessaly, predicate: customer_acquisition_cost, value: 18000, value_type: money,
     unit: EUR, period: 2026-Q2}
  - {subject: brightwater, predicate: seats, value: 40, value_type: number, period: 2026-Q2}
rules:
  - {id: "rule:net-30", applies_to: "kind:customer", source: src:terms,
     text: "Invoices are settled within 30 days of issue by bank transfer."}
  - {id: "rule:food-net-14", applies_to: food-producers, source: src:terms,
     text: "Grocery accounts settle within 14 days; late settlement suspends deliveries."}
  - {id: "rule:supplier-audit", applies_to: "kind:supplier", source: src:terms,
     text: "Suppliers are audited once a year."}
"""
ON = "2026-05-10"  # valid-at of every pack here: inside 2026-Q2, after the rename


@pytest.fixture(scope="module", params=["doltlite", "dolt"])
def halvard(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[FactStore]:
    yield from loaded_store(request, tmp_path_factory, "Halvard", HALVARD)


_pack = partial(pack_of, valid_at=ON)


# --- 1. a metric written out, a predicate of its initials (and the reverse) -------------------


@pytest.mark.parametrize("question", [
    "How much annual recurring revenue does Quillon have this quarter?",
    "What is Quillon Robotics' Annual Recurring Revenue?",
    "What's the A.R.R. of Quillon?",
])
def test_a_spelled_out_metric_finds_the_predicate_of_its_initials(halvard: FactStore,
                                                                 question: str) -> None:
    pack = _pack(halvard, question)
    assert item_ids(pack, "fact") == ["fact:quillon-arr-2026q2"], pack.text
    assert pack.missing == []


@pytest.mark.parametrize(("question", "fact"), [
    ("What is Tessaly's ARR?", "fact:tessaly-annual-recurring-revenue-2026q2"),
    ("What was Tessaly Marine's CAC in 2026-Q2?", "fact:tessaly-customer-acquisition-cost-2026q2"),
])
def test_initials_find_the_predicate_written_out(halvard: FactStore, question: str, fact: str
                                                 ) -> None:
    pack = _pack(halvard, question)
    assert item_ids(pack, "fact") == [fact], pack.text
    assert pack.missing == []


def test_words_whose_initials_are_not_a_predicate_still_say_not_found(halvard: FactStore
                                                                      ) -> None:
    pack = _pack(halvard, "What is Quillon's net promoter rating?")  # npr, not nps
    assert item_ids(pack, "fact") == []
    assert pack.missing == ["no fact for net promoter rating of Quillon Robotics GmbH"]


# --- 2. paying: the rules governing the entity, and no ordinary word is a metric ---------------


def test_a_question_about_paying_gets_the_rules_that_govern_the_entity(halvard: FactStore
                                                                       ) -> None:
    pack = _pack(halvard, "When do customers like Brightwater Foods need to pay?")
    # by kind and through its segment, though neither says "pay"; not the supplier rule
    assert set(item_ids(pack, "rule")) == {"rule:net-30", "rule:food-net-14"}, pack.text
    assert pack.missing == []  # "like" and "pay" are no metrics it lacks


def test_a_question_about_a_due_date_shares_a_word_with_one_rule(halvard: FactStore) -> None:
    pack = _pack(halvard, "When must Tessaly Marine settle its invoices?")
    assert item_ids(pack, "rule") == ["rule:net-30"]


def test_a_need_answered_by_a_fact_gets_the_fact_not_the_rules(halvard: FactStore) -> None:
    pack = _pack(halvard, "How many seats does Brightwater need?")
    assert item_ids(pack, "fact") == ["fact:brightwater-seats-2026q2"]
    assert item_ids(pack, "rule") == []


def test_like_is_never_a_metric(halvard: FactStore) -> None:
    pack = _pack(halvard, "What would a customer like Tessaly Marine look like?")
    assert not any("like" in note for note in pack.missing), pack.missing


# --- 3. an exact former name only one entity held -----------------------------------------------


def test_an_exact_former_name_resolves_and_says_it_is_former(halvard: FactStore) -> None:
    answer = halvard.resolve("Quillon Automation", valid_at=ON)
    assert answer.status == "resolved" and answer.entity is not None
    assert answer.entity["id"] == "quillon"
    assert "former name until 2025-12-31" in answer.candidates[0].reasons


def test_the_cli_resolves_a_former_name_with_exit_0(halvard: FactStore) -> None:
    out = Facts(halvard.url)("resolve", "Quillon Automation").output
    assert out.startswith("resolved: quillon"), out
    assert "former name until 2025-12-31" in out


def test_a_former_name_two_entities_held_is_ambiguous(halvard: FactStore) -> None:
    answer = halvard.resolve("Kelda Trading", valid_at=ON)
    assert answer.status == "ambiguous"
    assert {c.id for c in answer.candidates} == {"brightwater", "tessaly"}
