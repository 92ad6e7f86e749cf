"""Packs and the verifier on a company shaped unlike the other fixtures (#13 points 1-4, a
user test): Kawasemi Seiki, a Japanese bearing maker with a Mexican subsidiary. Its fiscal
year starts in April; its customers have tickers (four-digit codes), its plants a kind of
their own; predicates are named as its ledger names them (contract_end, employees, net_sales)
while people ask in their own words ("contract expiry date", "headcount"). Built once per
module on each backend.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial

import pytest

from factstore import FactStore
from factstore.verify import verify

from .conftest import assert_answers, loaded_store, pack_of

KAWASEMI = """
factstore: 1
calendar: {fiscal_year_start_month: 4}
default_source: src:erp
sources:
  - {id: src:erp, title: SAP sales and production ledger, kind: system_of_record,
     uri: "sap://kawasemi/prd/sd", authority: 95, captured_at: 2026-11-20}
  - {id: src:contracts, title: Signed supply agreements, kind: contract,
     uri: "https://legal.kawasemi.test/agreements", authority: 100, captured_at: 2026-10-01}
  - {id: src:sales-sheet, title: Sales forecast spreadsheet, kind: wiki, authority: 40,
     uri: "https://drive.kawasemi.test/forecast.xlsx", captured_at: 2026-11-01}
  - {id: src:hr, title: HR headcount report, kind: system_of_record, authority: 90,
     uri: "workday://kawasemi/headcount", captured_at: 2026-10-15}
  - {id: src:quality, title: QMS monthly report, kind: system_of_record, authority: 90,
     uri: "qms://kawasemi/ppm", captured_at: 2026-10-10}
  - {id: src:policy, title: Credit and quality policy 2026, kind: policy, authority: 85,
     uri: "https://wiki.kawasemi.test/policy", captured_at: 2026-04-01}
entities:
  - id: kawasemi
    kind: company
    name: "Kawasemi Seiki Co., Ltd."
    aliases:
      - {alias: Kawasemi, kind: name}
      - {alias: "TYO: 6487", kind: ticker}
      - {alias: Kawasemi Bearing Works, kind: former, valid_to: 2024-03-31}
  - {id: chubu, kind: region, name: Chubu}
  - {id: kanto, kind: region, name: Kanto}
  - {id: mexico, kind: region, name: Mexico}
  - {id: automotive, kind: segment, name: Automotive segment}
  - {id: yuki-sato, kind: person, name: Yuki Sato}
  - id: tobu-motors
    kind: customer
    name: Tobu Motors Corporation
    aliases:
      - {alias: Tobu, kind: name}
      - {alias: "TYO: 7299", kind: ticker}
  - {id: aztlan, kind: customer, name: "Aztlán Automotriz S.A. de C.V."}
  - {id: plant-hamamatsu, kind: plant, name: Hamamatsu Plant}
  - {id: qro-bearings, kind: company, name: "Rodamientos Querétaro S.A."}
relations:
  - {src: kawasemi, rel: owns, dst: qro-bearings, valid_from: 2019-07-01}
  - {src: plant-hamamatsu, rel: part_of, dst: kawasemi}
  - {src: plant-hamamatsu, rel: located_in, dst: chubu}
  - {src: plant-hamamatsu, rel: managed_by, dst: yuki-sato}
  - {src: tobu-motors, rel: located_in, dst: kanto}
  - {src: tobu-motors, rel: part_of, dst: automotive}
  - {src: aztlan, rel: located_in, dst: mexico}
  - {src: aztlan, rel: part_of, dst: automotive}
definitions:
  - {term: Net sales, text: "Invoiced revenue less returns, rebates and volume discounts."}
  - {term: Defect rate, text: "Share of shipped units returned as defective within 90 days."}
facts:
  - {id: "fact:hamamatsu-defect-fy27q1", subject: plant-hamamatsu, predicate: defect_rate,
     value: 0.38, value_type: percent, unit: "%", period: FY27-Q1, source: src:quality}
  - {id: "fact:hamamatsu-defect-fy27q2", subject: plant-hamamatsu, predicate: defect_rate,
     value: 0.43, value_type: percent, period: FY27-Q2, source: src:quality}
  - {id: "fact:hamamatsu-employees-fy27q2", subject: plant-hamamatsu, predicate: employees,
     value: 1280, value_type: number, unit: people, period: FY27-Q2, source: src:hr}
  - {id: "fact:tobu-net-sales-fy27q1", subject: tobu-motors, predicate: net_sales,
     value: 2450000000, value_type: money, unit: JPY, period: FY27-Q1}
  - {id: "fact:tobu-net-sales-fy27q2", subject: tobu-motors, predicate: net_sales,
     value: 2610000000, value_type: money, unit: JPY, period: FY27-Q2}
  - {id: "fact:tobu-net-sales-fy27q2-sheet", subject: tobu-motors, predicate: net_sales,
     value: 2800000000, value_type: money, unit: JPY, period: FY27-Q2, source: src:sales-sheet}
  - {id: "fact:tobu-contract-end", subject: tobu-motors, predicate: contract_end,
     value: 2027-03-31, value_type: date, source: src:contracts}
  - {id: "fact:aztlan-contract-end", subject: aztlan, predicate: contract_end,
     value: 2028-06-30, value_type: date, source: src:contracts}
rules:
  - {id: "rule:payment-terms", applies_to: "kind:customer", source: src:policy,
     text: "Customers pay invoices within 60 days of the end of the month of shipment."}
  - {id: "rule:payment-terms-automotive", applies_to: automotive, source: src:policy,
     overrides: "rule:payment-terms",
     text: "Automotive customers pay within 90 days of the end of the month of shipment, as
       their supply agreements allow."}
  - {id: "rule:defect-escalation", applies_to: "kind:plant", source: src:policy,
     text: "A plant whose monthly defect rate exceeds 0.5% must escalate to the Head of
       Quality within 24 hours."}
"""
ON = "2026-12-04"  # valid-at: FY27-Q3 (the fiscal year starts in April)


@pytest.fixture(scope="module", params=["doltlite", "dolt"])
def kawasemi(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[FactStore]:
    yield from loaded_store(request, tmp_path_factory, "Kawasemi", KAWASEMI)


_pack = partial(pack_of, valid_at=ON)


# (question, items the pack must hold with their labels, items it must not hold)
CASES: list[tuple[str, dict[str, str], set[str]]] = [
    # a year in a period is not a code an entity's neighbours have (its ticker's 6487)
    ("What was the defect rate at Hamamatsu Plant in the quarter ending Sept 2026?",
     {"fact:hamamatsu-defect-fy27q2": "current"}, {"fact:hamamatsu-defect-fy27q1"}),
    ("What was Hamamatsu Plant's defect rate in 2026?",
     {"fact:hamamatsu-defect-fy27q2": "current"}, set()),
    # a predicate's words said in everyday words
    ("What is the contract expiry date for Tobu Motors?",
     {"fact:tobu-contract-end": "current"}, {"rule:payment-terms"}),
    ("When does our agreement with Aztlán Automotriz expire?",
     {"fact:aztlan-contract-end": "current"}, {"rule:payment-terms-automotive"}),
    ("When does the Tobu contract expire?", {"fact:tobu-contract-end": "current"}, set()),
    ("What is the headcount at the Hamamatsu Plant?",
     {"fact:hamamatsu-employees-fy27q2": "current"}, {"fact:hamamatsu-defect-fy27q2"}),
    ("How big is the Hamamatsu Plant's staff?",
     {"fact:hamamatsu-employees-fy27q2": "current"}, {"fact:hamamatsu-defect-fy27q2"}),
    # what a plant must do: its rule on the words its fact explains, beside the fact
    ("What must the Hamamatsu Plant do if its defect rate is above 0.5%?",
     {"rule:defect-escalation": "current", "fact:hamamatsu-defect-fy27q2": "current"}, set()),
    ("What is the Hamamatsu Plant's defect rate?",  # a fact asked for: no rule
     {"fact:hamamatsu-defect-fy27q2": "current"}, {"rule:defect-escalation"}),
    # a predicate written as stored, by an agent that read it from another pack
    ("contract_end tobu-motors", {"fact:tobu-contract-end": "current"}, set()),
    # a word of a value's type is a word of its predicate's name
    ("What is the Hamamatsu Plant's defect rate percentage in FY27-Q2?",
     {"fact:hamamatsu-defect-fy27q2": "current"}, set()),
    # a question with no entity that asks a duty gets the general rules on it
    # and never without their exceptions: "60 days" is not true of automotive customers
    ("How long do customers have to pay?", {"rule:payment-terms": "current",
                                            "rule:payment-terms-automotive": "exception"},
     set()),
    # a quarter or half said in words, and the year to date, are periods: not the latest one
    ("What were Tobu Motors' net sales in the first quarter of fiscal 2027?",
     {"fact:tobu-net-sales-fy27q1": "current"}, {"fact:tobu-net-sales-fy27q2"}),
    ("What was the Hamamatsu Plant's defect rate in the second quarter of FY27?",
     {"fact:hamamatsu-defect-fy27q2": "current"}, {"fact:hamamatsu-defect-fy27q1"}),
    ("What were Tobu Motors' net sales year to date?",
     {"fact:tobu-net-sales-fy27q1": "current", "fact:tobu-net-sales-fy27q2": "current"},
     set()),
    ("What are Tobu's net sales YTD?",
     {"fact:tobu-net-sales-fy27q1": "current", "fact:tobu-net-sales-fy27q2": "current"},
     set()),
    ("What were Tobu Motors' net sales in the first half of FY27?",
     {"fact:tobu-net-sales-fy27q1": "current", "fact:tobu-net-sales-fy27q2": "current"},
     set()),
]


@pytest.mark.parametrize("question,must,must_not", CASES, ids=[c[0] for c in CASES])
def test_a_user_question_gets_what_answers_it(kawasemi: FactStore, question: str,
                                              must: dict[str, str], must_not: set[str]
                                              ) -> None:
    pack = _pack(kawasemi, question)
    assert_answers(pack, must, must_not)
    assert all(m.status == "resolved" for m in pack.entities), pack.entities


def test_a_lower_case_two_letter_word_is_no_acronym(kawasemi: FactStore) -> None:
    """'as' is not the Automotive Segment (AS), nor 'us' anything else: a function word."""
    pack = _pack(kawasemi, "What counts as a customer?")
    assert pack.entities == [] and not [i for i in pack.items if i.kind == "relation"]


def test_a_term_not_defined_whole_is_said_beside_the_terms_that_share_its_words(
        kawasemi: FactStore) -> None:
    """'What does rate mean?': Defect rate is what the store has, and the pack says that no
    term is defined as 'rate' (a model would otherwise give Defect rate's text as rate's)."""
    pack = _pack(kawasemi, "What is the definition of a rate?")
    assert [i.text.split(":")[0] for i in pack.items] == ["Defect rate"]
    assert pack.missing[0] == ("no definition of rate: the definitions given are of terms "
                               "that share its words")
    assert not [m for m in _pack(kawasemi, "What does net sales mean?").missing
                if m.startswith("no definition")]


@pytest.mark.parametrize("question,alias", [
    ("What is Tobu's ticker?", "alias:tobu-motors/tyo 7299"),
    ("What was Kawasemi called before?", "alias:kawasemi/kawasemi bearing works"),
    ("What is the ticker symbol of Kawasemi?", "alias:kawasemi/tyo 6487"),
])
def test_a_name_asked_for_is_its_alias_not_a_missing_fact(kawasemi: FactStore, question: str,
                                                           alias: str) -> None:
    pack = _pack(kawasemi, question)
    assert alias in [i.id for i in pack.items if i.kind == "alias"], pack.text
    assert pack.missing == [], pack.text


# (question, the relations the pack must list, what it must say it did not find)
ROLES = [
    ("What is Kawasemi's parent company?", [], ["no parent of Kawasemi Seiki Co., Ltd."]),
    ("What are Kawasemi's subsidiaries?", ["rel:kawasemi/owns/qro-bearings"], []),
    ("What is the parent company of Rodamientos Querétaro?",
     ["rel:kawasemi/owns/qro-bearings"], []),
    ("Does Rodamientos Querétaro have subsidiaries?", [],
     ["no subsidiaries of Rodamientos Querétaro S.A."]),
    ("Who owns Rodamientos Querétaro?", ["rel:kawasemi/owns/qro-bearings"], []),
]


@pytest.mark.parametrize("question,relations,missing", ROLES, ids=[r[0] for r in ROLES])
def test_a_parent_or_subsidiary_is_asked_in_one_direction(kawasemi: FactStore, question: str,
                                                          relations: list[str],
                                                          missing: list[str]) -> None:
    """X owns Y makes X Y's parent, never Y X's: 'What is Kawasemi's parent company?' listed
    Kawasemi owns Rodamientos Querétaro, a child a model could give as the parent."""
    pack = _pack(kawasemi, question)
    assert [i.id for i in pack.items if i.kind == "relation"] == relations, pack.text
    assert pack.missing == missing, pack.text


# (question, what the pack must say it did not find): never a guess at another metric
NOT_FOUND = [
    ("What is the Hamamatsu Plant's contract end date?",
     ["no fact for contract end date of Hamamatsu Plant"]),
    ("When does Tobu Motors' warranty expire?",
     ["no fact for warranty expire of Tobu Motors Corporation"]),
]


@pytest.mark.parametrize("question,missing", NOT_FOUND, ids=[c[0] for c in NOT_FOUND])
def test_a_pack_says_what_it_did_not_find(kawasemi: FactStore, question: str,
                                          missing: list[str]) -> None:
    pack = _pack(kawasemi, question)
    assert pack.missing == missing, pack.text
    assert not [i for i in pack.items if i.kind == "fact"], pack.text


def test_a_percent_with_no_unit_is_shown_and_checked_as_a_percent(kawasemi: FactStore
                                                                   ) -> None:
    pack = _pack(kawasemi, "What was the Hamamatsu Plant's defect rate in FY27-Q2?")
    assert [i.text for i in pack.items if i.kind == "fact"] == [
        "Hamamatsu Plant - defect rate (FY27-Q2): 0.43%"]  # not a bare 0.43 (43%?)
    start = kawasemi.fiscal_start_month()
    assert verify("The Hamamatsu Plant's defect rate in FY27-Q2 was 0.43% [1].", pack,
                  fiscal_start_month=start).ok
    assert not verify("The Hamamatsu Plant's defect rate in FY27-Q2 was 43% [1].", pack,
                      fiscal_start_month=start).ok


# --- the verifier: a period by the month it ends in, a date-valued fact's period -------------

VERDICTS = [
    ("What were Tobu Motors' net sales last quarter?",
     "Tobu's net sales in the quarter ending September 2026 were JPY 2.61bn "
     "[{fact:tobu-net-sales-fy27q2}].", []),
    ("What were Tobu Motors' net sales last quarter?",  # read as the month alone, it passed
     "Tobu's net sales in the half-year ending September 2026 were JPY 2.61bn "
     "[{fact:tobu-net-sales-fy27q2}].", ["period"]),
    ("What were Tobu Motors' net sales last quarter?",
     "Tobu's net sales in the year ended 31 March 2027 were JPY 2.61bn "
     "[{fact:tobu-net-sales-fy27q2}].", ["period"]),
    ("What were Tobu Motors' net sales last quarter?",
     "Tobu's net sales in the quarter ending December 2026 were JPY 2.61bn "
     "[{fact:tobu-net-sales-fy27q2}].", ["period"]),
    ("What were Tobu Motors' net sales in FY27-Q1?",
     "Tobu's net sales in the quarter ended June 30, 2026 were JPY 2.45bn "
     "[{fact:tobu-net-sales-fy27q1}].", []),
    ("What were Tobu Motors' net sales last quarter?",
     "Tobu's net sales last quarter were JPY 2.8bn [{fact:tobu-net-sales-fy27q2-sheet}].",
     ["status"]),
    # "since YEAR" is when a cited item begins
    ("Who owns Rodamientos Querétaro?",
     "Kawasemi has owned Rodamientos Querétaro since 2019 [{rel:kawasemi/owns/qro-bearings}].",
     []),
    ("Who owns Rodamientos Querétaro?",
     "Kawasemi has owned Rodamientos Querétaro since 2015 [{rel:kawasemi/owns/qro-bearings}].",
     ["period"]),
    # a date-valued fact with no period is about its date
    ("What is the contract expiry date for Tobu Motors?",
     "Tobu's contract ends in FY27 [{fact:tobu-contract-end}].", []),
    ("What is the contract expiry date for Tobu Motors?",
     "Tobu's contract ends in FY26 [{fact:tobu-contract-end}].", ["period"]),
    ("What is the contract expiry date for Tobu Motors?",
     "Tobu's contract ends in the quarter ending March 2027 [{fact:tobu-contract-end}].", []),
    ("What is the contract expiry date for Tobu Motors?",
     "Tobu's contract ends in 2026 [{fact:tobu-contract-end}].", ["period"]),
]


@pytest.mark.parametrize("question,answer,kinds", VERDICTS, ids=[v[1] for v in VERDICTS])
@pytest.mark.parametrize("calendar", [True, False], ids=["calendar", "any-calendar"])
def test_the_verifier_checks_period_and_status(kawasemi: FactStore, question: str,
                                               answer: str, kinds: list[str],
                                               calendar: bool) -> None:
    pack = _pack(kawasemi, question)
    number = {i.id: i.n for i in pack.items}
    written = re.sub(r"\{([^}]+)\}", lambda m: str(number[m[1]]), answer)
    report = verify(written, pack,
                    fiscal_start_month=kawasemi.fiscal_start_month() if calendar else None)
    assert [p.kind for s in report.sentences for p in s.problems] == kinds, pack.text
