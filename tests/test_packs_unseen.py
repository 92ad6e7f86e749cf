"""Packs and the verifier on a company shaped unlike every other fixture (#13 points 1-4, a
user test): Hollin Marine, a bunker-fuel supplier. Its customers are `operator`s, places are
ports in a country (a chain of *_in relations), a `fleet_class` and a fund stand for segment
and parent, relations are named managed_by, headquartered_in, acquired_by, chief_executive,
classed_as, repaired_at; scopes are finance, credit, operations; a customer was renamed; the
fiscal year starts in July. Questions are phrased as a user would, not as the code expects:
verbs no relation is named by ("looks after", "runs", "bought"), terms by their initials or
spelled out, names the store lacks or misspells. Built once per module on each backend.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from functools import partial

import pytest

from factstore import FactStore
from factstore.verify import verify

from .conftest import assert_answers, item_ids, loaded_store, pack_of, Facts

HOLLIN = """
factstore: 1
calendar: {fiscal_year_start_month: 7}
default_source: src:bunkerdesk
sources:
  - {id: src:bunkerdesk, title: BunkerDesk delivery and invoice ledger, kind: system_of_record,
     uri: "ledger://bunkerdesk/deliveries", authority: 90, captured_at: 2025-10-08}
  - {id: src:credit-manual, title: Marine credit manual rev 7, kind: policy,
     uri: "https://intranet.hollin.test/credit-manual", authority: 80, captured_at: 2025-07-01}
  - {id: src:desk-sheet, title: Desk allocation sheet, kind: wiki,
     uri: "https://intranet.hollin.test/desks", authority: 50, captured_at: 2025-09-01}
  - {id: src:broker-call, title: Notes from a broker call, kind: chat, authority: 20,
     captured_at: 2025-09-20}
entities:
  - id: pellow
    kind: operator
    name: Pellow Shipping AS
    aliases:
      - {alias: Pellow Rederi, kind: former, valid_to: 2024-06-30}
  - {id: tarrant, kind: operator, name: Tarrant Ferries Ltd}
  - {id: kovac, kind: operator, name: Kovač Tankers d.o.o.}
  - {id: tern, kind: operator, name: Tern Line}
  - {id: brightwater, kind: fund, name: Brightwater Capital}
  - {id: aberwyn, kind: shipyard, name: Aberwyn Drydock}
  - {id: bergen, kind: port, name: Bergen}
  - {id: hull, kind: port, name: Hull}
  - {id: split-port, kind: port, name: Split}
  - {id: norway, kind: country, name: Norway}
  - {id: passenger, kind: fleet_class, name: Passenger fleet}
  - {id: solveig-brandt, kind: person, name: Solveig Brandt}
  - {id: aled-pryce, kind: person, name: Aled Pryce}
  - {id: mirela-horvat, kind: person, name: Mirela Horvat}
relations:
  - {src: pellow, rel: managed_by, dst: solveig-brandt, valid_from: 2025-01-01, source:
       src:desk-sheet}
  - {src: pellow, rel: managed_by, dst: aled-pryce, valid_to: 2024-12-31, source: src:desk-sheet}
  - {src: tarrant, rel: managed_by, dst: aled-pryce, source: src:desk-sheet}
  - {src: pellow, rel: headquartered_in, dst: bergen}
  - {src: kovac, rel: headquartered_in, dst: split-port}
  - {src: tarrant, rel: headquartered_in, dst: hull}
  - {src: bergen, rel: located_in, dst: norway}
  - {src: tarrant, rel: acquired_by, dst: brightwater, valid_from: 2025-02-01}
  - {src: tarrant, rel: chief_executive, dst: mirela-horvat}
  - {src: tarrant, rel: classed_as, dst: passenger}
  - {src: tern, rel: classed_as, dst: passenger}
  - {src: kovac, rel: repaired_at, dst: aberwyn}
definitions:
  - {term: GMV, scope: finance,
     text: "Gross merchandise value: every delivery invoiced in the period at its invoice
       price, before rebates."}
  - {term: Days sales outstanding, scope: credit,
     text: "Receivables at period end over the period's invoiced sales, times the days in the
       period."}
  - {term: Account manager, scope: operations,
     text: "The Hollin employee in charge of an operator's account and its renewals."}
  - {term: Laytime, scope: operations,
     text: "The hours a vessel may wait at berth for a delivery before demurrage is charged."}
facts:
  - {subject: pellow, predicate: fuel_volume, value: 12400, value_type: number, unit: tonnes,
     period: FY26-Q1}
  - {id: "fact:pellow-fuel-volume-fy26q1-broker", subject: pellow, predicate: fuel_volume,
       value: 11800, value_type: number, unit: tonnes,
     period: FY26-Q1, source: src:broker-call}
  - {subject: pellow, predicate: gmv, value: 3100000, value_type: money, unit: USD, period: FY26-Q1}
  - {subject: pellow, predicate: gmv, value: 2700000, value_type: money, unit: USD, period: FY25-Q4}
  - {subject: tarrant, predicate: days_sales_outstanding, value: 41, value_type: number,
     unit: days, period: FY26-Q1}
  - {id: "fact:tarrant-dso-fy26q1-restated", subject: tarrant, predicate: days_sales_outstanding,
     value: 38, value_type: number, unit: days, period: FY26-Q1,
     supersedes: "fact:tarrant-days-sales-outstanding-fy26q1"}
  - {id: "fact:kovac-credit-limit-proposed", subject: kovac, predicate: credit_limit,
     value: 1200000, value_type: money, unit: EUR, valid_from: 2025-10-01, status: proposed}
  - {subject: tarrant, predicate: fuel_volume, value: 5200, value_type: number, unit: tonnes,
     period: FY26-Q1}
  - {subject: kovac, predicate: credit_limit, value: 800000, value_type: money, unit: EUR,
     valid_from: 2025-01-01}
  - {subject: tern, predicate: fuel_volume, value: 900, value_type: number, unit: tonnes,
     period: FY26-Q1}
rules:
  - {id: "rule:bunker-terms", applies_to: "kind:operator", source: src:credit-manual,
     text: "Bunker deliveries are invoiced on the day of delivery and settled within 30 days;
       credit above 500k needs treasury sign-off."}
  - {id: "rule:bunker-terms-passenger", applies_to: passenger, overrides: "rule:bunker-terms",
     source: src:credit-manual,
     text: "Passenger-fleet operators settle bunker invoices within 14 days of delivery."}
  - {id: "rule:bunker-terms-kovac", applies_to: kovac, overrides: "rule:bunker-terms",
     source: src:credit-manual, text: "Kovač Tankers prepays every delivery in full."}
  - {id: "rule:nox-levy", applies_to: norway, source: src:credit-manual,
     text: "Deliveries in Norwegian waters carry the NOx levy, itemised on each invoice."}
  - {id: "rule:portfolio-billing", applies_to: brightwater, source: src:credit-manual,
     text: "Brightwater portfolio companies are billed in USD; contracts above 1M need fund
       approval."}
  - {id: "rule:yard-access", applies_to: "kind:shipyard", source: src:credit-manual,
     text: "Yard deliveries need a hot-work permit from the yard's safety officer."}
"""
ON = "2025-10-15"  # valid-at: FY26-Q2 (the fiscal year starts in July)
NO_ENTITY = "no entity named: the question names no company, person or other entity the store holds"


@pytest.fixture(scope="module", params=["doltlite", "dolt"])
def hollin(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[FactStore]:
    yield from loaded_store(request, tmp_path_factory, "Hollin", HOLLIN)


_pack = partial(pack_of, valid_at=ON)


# (question, items the pack must hold (with their status), items it must not hold)
BUNKER, PASSENGER, KOVAC = "rule:bunker-terms", "rule:bunker-terms-passenger", \
    "rule:bunker-terms-kovac"
CASES: list[tuple[str, dict[str, str], set[str]]] = [
    # 1. rules by entity: directly, by kind, through a chain of places, a segment, a parent
    ("What rules apply to Pellow Shipping?",
     {BUNKER: "current", "rule:nox-levy": "current"}, {PASSENGER, "rule:portfolio-billing"}),
    ("What are Tarrant Ferries' payment terms?",
     {PASSENGER: "exception", BUNKER: "overridden", "rule:portfolio-billing": "current"},
     {KOVAC, "rule:nox-levy"}),
    ("When must Kovač Tankers pay for deliveries?",
     {KOVAC: "exception", BUNKER: "overridden"}, {PASSENGER}),
    ("When does Tern Line have to settle its invoices?",
     {PASSENGER: "exception", BUNKER: "overridden"}, {KOVAC, "rule:portfolio-billing"}),
    ("Which policies govern Kovac Tankers?", {KOVAC: "exception", BUNKER: "overridden"},
     {"rule:yard-access"}),
    ("What rules apply to Aberwyn Drydock?", {"rule:yard-access": "current"}, {BUNKER}),
    ("Is there a levy on deliveries to Pellow Shipping?", {"rule:nox-levy": "current"},
     {"rule:portfolio-billing"}),
    ("How is Tarrant Ferries billed?", {"rule:portfolio-billing": "current"},
     {"rule:nox-levy"}),
    ("What rules apply to the passenger fleet?", {PASSENGER: "exception",
                                                   BUNKER: "overridden"}, {KOVAC}),
    ("What rules cover passenger fleet operators?", {PASSENGER: "exception"}, {KOVAC}),
    # no fact of the entity answers and one word of the question is a rule's: that rule
    ("How long does delivery take for Tern Line?", {PASSENGER: "exception",
                                                     BUNKER: "overridden"},
     {KOVAC, "rule:nox-levy"}),
    ("What is the delivery time for Kovač Tankers?", {KOVAC: "exception", BUNKER: "overridden"},
     {PASSENGER}),
    ("What is the settlement period for Pellow Shipping?", {BUNKER: "current"},
     {"rule:portfolio-billing"}),
    # ... unless the question asks after a metric: Tern's fuel volume is not its delivery's
    ("What is Tern Line's delivery volume?", {}, {BUNKER, PASSENGER}),
    # 2. relations, both directions, in verbs no relation is named by
    ("Who looks after Pellow?", {"rel:pellow/managed_by/solveig-brandt": "current"},
     {"rel:pellow/headquartered_in/bergen", "fact:pellow-gmv-fy26q1", BUNKER}),
    ("Who is in charge of the Tarrant Ferries account?",
     {"rel:tarrant/managed_by/aled-pryce": "current"},
     {"rel:tarrant/chief_executive/mirela-horvat", "rel:tarrant/headquartered_in/hull"}),
    ("Who runs Tarrant Ferries?", {"rel:tarrant/chief_executive/mirela-horvat": "current",
                                   "rel:tarrant/managed_by/aled-pryce": "current"},
     {"rel:tarrant/headquartered_in/hull", "rel:tarrant/classed_as/passenger"}),
    ("Who bought Tarrant Ferries?", {"rel:tarrant/acquired_by/brightwater": "current"},
     {"rel:tarrant/headquartered_in/hull"}),
    ("What did Brightwater Capital acquire?",
     {"rel:tarrant/acquired_by/brightwater": "current"}, set()),
    ("Where is Pellow based?", {"rel:pellow/headquartered_in/bergen": "current"},
     {"rel:pellow/managed_by/solveig-brandt"}),
    ("Where is Kovač Tankers headquartered?",
     {"rel:kovac/headquartered_in/split-port": "current"}, {"rel:kovac/repaired_at/aberwyn"}),
    ("Which operators are headquartered in Bergen?",
     {"rel:pellow/headquartered_in/bergen": "current"}, {"rel:bergen/located_in/norway"}),
    ("Which accounts does Aled Pryce manage?",
     {"rel:tarrant/managed_by/aled-pryce": "current"},
     {"rel:pellow/managed_by/aled-pryce"}),  # no longer, on valid-at
    ("Who manages Pellow Shipping?", {"rel:pellow/managed_by/solveig-brandt": "current"},
     {"rel:pellow/managed_by/aled-pryce"}),
    ("Who was Pellow's account manager in 2024?",
     {"rel:pellow/managed_by/aled-pryce": "current"},
     {"rel:pellow/managed_by/solveig-brandt"}),
    ("Which operators are in the passenger fleet?",
     {"rel:tarrant/classed_as/passenger": "current", "rel:tern/classed_as/passenger": "current"},
     set()),
    ("Who is the chief executive of Tarrant?",
     {"rel:tarrant/chief_executive/mirela-horvat": "current"},
     {"rel:tarrant/managed_by/aled-pryce"}),
    ("Who is Solveig Brandt?", {"rel:pellow/managed_by/solveig-brandt": "current"}, set()),
    ("Where is Bergen?", {"rel:bergen/located_in/norway": "current"}, set()),
    # 3. metrics, terms by initials both ways, and labels
    ("What does gross merchandise value mean?", {"def:gmv@finance": "current"}, set()),
    ("What is DSO?", {"def:days-sales-outstanding@credit": "current"}, set()),
    ("How is days sales outstanding defined?",
     {"def:days-sales-outstanding@credit": "current"}, set()),
    ("What is the gross merchandise value of Pellow Shipping in FY26-Q1?",
     {"fact:pellow-gmv-fy26q1": "current", "def:gmv@finance": "current"},
     {"fact:pellow-gmv-fy25q4", "fact:pellow-fuel-volume-fy26q1"}),
    ("What was Tarrant's DSO last quarter?",
     {"fact:tarrant-dso-fy26q1-restated": "current",
      "fact:tarrant-days-sales-outstanding-fy26q1": "superseded",
      "def:days-sales-outstanding@credit": "current"}, set()),
    ("What is the credit limit of Kovac?", {"fact:kovac-credit-limit": "current",
                                           "fact:kovac-credit-limit-proposed": "proposed"},
     set()),
    ("How many tonnes did Tern Line take in Q1 FY26?",
     {"fact:tern-fuel-volume-fy26q1": "current"}, set()),
    ("What was Pellow's fuel volume in FY26-Q1?",
     {"fact:pellow-fuel-volume-fy26q1": "current",
      "fact:pellow-fuel-volume-fy26q1-broker": "outranked"}, {"fact:pellow-gmv-fy26q1"}),
    ("How much fuel did Pellow take in FY26-Q1?",  # fuel_volume by its first word
     {"fact:pellow-fuel-volume-fy26q1": "current"}, {"fact:pellow-gmv-fy26q1"}),
    ("How much credit does Kovač get?", {"fact:kovac-credit-limit": "current"}, set()),
    # asked in another language: its short function words are not part of a metric's name
    ("Qual foi o GMV da Pellow Shipping no FY26-Q1?", {"fact:pellow-gmv-fy26q1": "current"},
     {"fact:pellow-gmv-fy25q4", "fact:pellow-fuel-volume-fy26q1"}),
    ("Wie hoch war der GMV von Pellow Shipping im FY26-Q1?",
     {"fact:pellow-gmv-fy26q1": "current"}, {"fact:pellow-gmv-fy25q4"}),
    ("What is Pellow Rederi's GMV for FY25-Q4?",
     {"fact:pellow-gmv-fy25q4": "current", "alias:pellow/pellow rederi": "former"},
     {"fact:pellow-gmv-fy26q1"}),
]


@pytest.mark.parametrize("question,must,must_not", CASES, ids=[c[0] for c in CASES])
def test_a_user_question_gets_what_answers_it(hollin: FactStore, question: str,
                                              must: dict[str, str], must_not: set[str]
                                              ) -> None:
    pack = _pack(hollin, question)
    assert_answers(pack, must, must_not)


# (question, the mentions as (text, status, ids), what the pack must say it did not find)
NOT_FOUND: list[tuple[str, list[tuple[str, str, list[str]]], list[str]]] = [
    ("What is Harwick Marine's fuel volume?", [("Harwick Marine", "unknown", [])], []),
    ("What rules apply to Harwick Marine?", [("Harwick Marine", "unknown", [])], []),
    ("What is Pelow Shiping's GMV?", [("Pelow Shiping", "ambiguous", ["pellow"])], []),
    ("What is Tarrant Ferries' GMV?", [("Tarrant Ferries", "resolved", ["tarrant"])],
     ["no fact for GMV of Tarrant Ferries Ltd"]),
    ("What is Tern Line's credit limit?", [("Tern Line", "resolved", ["tern"])],
     ["no fact for credit limit of Tern Line"]),
    # its own port, named to place it, is not asked about ('no fact for GMV of Bergen')
    ("What was Pellow's GMV in Bergen in FY26-Q1?", [("Pellow", "resolved", ["pellow"]),
                                                     ("Bergen", "resolved", ["bergen"])], []),
    ("What was Pellow's fuel volume in FY25-Q2?", [("Pellow", "resolved", ["pellow"])],
     ["no fact for fuel volume of Pellow Shipping AS in FY25-Q2"]),
    ("What is Kovač Tankers' laytime?", [("Kovač Tankers", "resolved", ["kovac"])],
     ["no fact for laytime of Kovač Tankers d.o.o."]),
    ("What is laytime?", [], [NO_ENTITY]),
    ("What is GMV?", [], [NO_ENTITY]),
    ("Who's the account manager for Tern Line?", [("Tern Line", "resolved", ["tern"])],
     ["no managed by relation of Tern Line"]),  # not a guess at another relation
    ("Who handles Kovač Tankers?", [("Kovač Tankers", "resolved", ["kovac"])],
     ["no managed by relation of Kovač Tankers d.o.o."]),
    ("Which shipyard repairs Tern Line?", [("Tern Line", "resolved", ["tern"])],
     ["no repaired at relation of Tern Line"]),
    ("Who acquired Tarrant in 2024?", [("Tarrant", "resolved", ["tarrant"])],
     ["no acquired by relation of Tarrant Ferries Ltd in 2024"]),  # from 2025-02-01 only
    ("What is Tern Line's delivery volume?", [("Tern Line", "resolved", ["tern"])],
     ["no fact for delivery volume of Tern Line"]),
    ("What was Pellow's GMV growth in FY26-Q1?", [("Pellow", "resolved", ["pellow"])],
     ["no fact for GMV growth of Pellow Shipping AS"]),  # a longer metric's name
    ("Who bought Tern Line?", [("Tern Line", "resolved", ["tern"])],
     ["no relation of Tern Line is named 'bought'"]),
    # what 'how many' counts is asked, even a word that alone asks nothing ('customers')
    ("How many customers does Tarrant Ferries have?", [("Tarrant Ferries", "resolved",
                                                        ["tarrant"])],
     ["no fact for customers of Tarrant Ferries Ltd"]),
    ("How many accounts does Pellow Shipping manage?", [("Pellow Shipping", "resolved",
                                                         ["pellow"])],
     ["no fact for accounts of Pellow Shipping AS"]),
]


@pytest.mark.parametrize("question,mentions,missing", NOT_FOUND,
                         ids=[c[0] for c in NOT_FOUND])
def test_a_pack_says_what_it_did_not_find(hollin: FactStore, question: str,
                                          mentions: list[tuple[str, str, list[str]]],
                                          missing: list[str]) -> None:
    pack = _pack(hollin, question)
    assert [(m.text, m.status, [m.entity["id"]] if m.entity else
             [c["id"] for c in m.candidates]) for m in pack.entities] == mentions
    assert pack.missing == missing
    if mentions and mentions[0][1] != "resolved":
        assert not [i for i in pack.items if i.kind in ("fact", "rule")]  # never guessed
    if any(" relation of " in m and "listed" not in m for m in missing):
        assert item_ids(pack, "relation") == []


@pytest.mark.parametrize("question,said", [
    ("How much fuel did Pellow Shipping take in Hull?", "Pellow Shipping"),  # it is in Bergen
    ("How much fuel did Pellow Shiping take?", "Pellow Shiping")])  # not quite its name
def test_a_name_the_store_is_not_sure_of_is_asked_about(hollin: FactStore, question: str,
                                                         said: str) -> None:
    pack = _pack(hollin, question)
    [mention] = [m for m in pack.entities if m.text == said]
    assert mention.status == "ambiguous" and [c["id"] for c in mention.candidates] == ["pellow"]
    assert (f'- "{said}" may mean Pellow Shipping AS (pellow), but the store is not sure'
            in pack.text)
    assert not [i for i in pack.items if i.kind in ("fact", "rule")]  # never guessed


def test_a_relation_question_lists_neither_facts_nor_rules(hollin: FactStore) -> None:
    pack = _pack(hollin, "Who looks after Pellow?")
    assert [i.kind for i in pack.items if i.kind != "alias"] == ["relation"]
    assert pack.missing == []


def test_a_rule_question_with_who_gets_rules_not_a_guessed_relation(hollin: FactStore
                                                                     ) -> None:
    pack = _pack(hollin, "Who must sign off credit for Pellow Shipping?")
    assert BUNKER in item_ids(pack, "rule") and item_ids(pack, "relation") == []


# --- 4. the verifier: period and status, on both backends and through the CLI --------------

VERDICTS = [
    ("What was Pellow's fuel volume in FY26-Q1?",
     "Pellow took 12,400 tonnes of fuel in FY26-Q1 [{fact:pellow-fuel-volume-fy26q1}].", []),
    ("What was Pellow's fuel volume in FY26-Q1?",
     "Pellow took 12,400 tonnes of fuel in FY25-Q4 [{fact:pellow-fuel-volume-fy26q1}].",
     ["period"]),
    ("What was Pellow's fuel volume in FY26-Q1?",
     "Pellow took 12,400 tonnes of fuel in Q2 FY26 [{fact:pellow-fuel-volume-fy26q1}].",
     ["period"]),
    ("What was Pellow's fuel volume in FY26-Q1?",  # a bare year no cited time overlaps
     "Pellow took 12,400 tonnes of fuel in 2024 [{fact:pellow-fuel-volume-fy26q1}].",
     ["period"]),
    ("What was Pellow's fuel volume in FY26-Q1?",
     "In 2026 Pellow took 12,400 tonnes [{fact:pellow-fuel-volume-fy26q1}].", ["period"]),
    ("What was Pellow's fuel volume in FY26-Q1?",
     "During 2025 Pellow took 12,400 tonnes [{fact:pellow-fuel-volume-fy26q1}].", []),
    ("What was Pellow's fuel volume in FY26-Q1?",
     "Pellow took 11,800 tonnes of fuel in FY26-Q1 "
     "[{fact:pellow-fuel-volume-fy26q1-broker}].", ["status"]),
    ("What was Pellow's fuel volume in FY26-Q1?",
     "Pellow took 12,400 tonnes in FY26-Q1 [{fact:pellow-fuel-volume-fy26q1}]; a broker's "
     "11,800 tonnes is outranked [{fact:pellow-fuel-volume-fy26q1-broker}].", []),
    ("What was Tarrant's DSO last quarter?",
     "Tarrant's DSO was 41 days in FY26-Q1 "
     "[{fact:tarrant-days-sales-outstanding-fy26q1}].", ["status"]),
    ("What was Tarrant's DSO last quarter?",
     "Tarrant's DSO was 38 days in FY26-Q1 [{fact:tarrant-dso-fy26q1-restated}].", []),
    ("What is the credit limit of Kovac?",
     "Kovač Tankers has a credit limit of EUR 1,200,000 [{fact:kovac-credit-limit-proposed}].",
     ["status"]),
    ("What is the credit limit of Kovac?",
     "Kovač Tankers has a credit limit of EUR 800,000 [{fact:kovac-credit-limit}].", []),
    ("When does Tern Line have to settle its invoices?",
     "Tern Line settles within 30 days of delivery [{rule:bunker-terms}].", ["status"]),
    ("When does Tern Line have to settle its invoices?",
     "Tern Line settles bunker invoices within 14 days of delivery "
     "[{rule:bunker-terms-passenger}].", []),
]


@pytest.mark.parametrize("question,answer,kinds", VERDICTS, ids=[v[1] for v in VERDICTS])
def test_the_verifier_checks_period_and_status(hollin: FactStore, question: str, answer: str,
                                               kinds: list[str]) -> None:
    pack = _pack(hollin, question)
    number = {i.id: i.n for i in pack.items}
    written = re.sub(r"\{([^}]+)\}", lambda m: str(number[m[1]]), answer)
    report = verify(written, pack,
                    fiscal_start_month=hollin.fiscal_start_month())
    assert [p.kind for s in report.sentences for p in s.problems] == kinds, pack.text


def test_cli_context_json_and_verify_on_the_user_questions(hollin: FactStore,
                                                           tmp_path: Path) -> None:
    facts = Facts(hollin.url)
    out = facts("context", "Who looks after Pellow?", "--valid-at", ON, "--json").output
    pack = json.loads(out[:out.rindex("}") + 1])
    assert ("relation", "rel:pellow/managed_by/solveig-brandt") in [
        (i["kind"], i["id"]) for i in pack["items"]]
    out = facts("context", "What was Pellow's fuel volume in FY26-Q1?", "--valid-at", ON,
                "--json").output
    saved = tmp_path / "pack.json"
    saved.write_text(out[:out.rindex("}") + 1], encoding="utf-8")
    number = {i["id"]: i["n"] for i in json.loads(saved.read_text())["items"]}
    answer = tmp_path / "answer.txt"
    answer.write_text(f"Pellow took 11,800 tonnes in FY26-Q1 "
                      f"[{number['fact:pellow-fuel-volume-fy26q1-broker']}].", encoding="utf-8")
    assert facts("verify", str(answer), "--pack", str(saved), ok=False).exit_code == 1
    answer.write_text(f"Pellow took 12,400 tonnes in FY26-Q1 "
                      f"[{number['fact:pellow-fuel-volume-fy26q1']}].", encoding="utf-8")
    facts("verify", str(answer), "--pack", str(saved))
