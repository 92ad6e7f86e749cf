"""A metric asked for in the words of its definition, not by its name (#13 point 3), and a
name the resolver is not sure of (#13 point 5).

The store is Halvorsen Marine's (invented here, nothing like Northwind's, Saltmarsh's or
Halvard's fixtures): a shipping group whose definitions say what its metrics are in plain
words ("The yearly value of a customer's signed contract."), two of them alike on purpose
(ACV and TCV), customers that lack some facts. A question phrased in a definition's words
reaches that definition's facts; one that only shares a word or two with a definition, or
that two definitions answer alike, says "no fact for ..." instead of guessing. Built once per
module on each backend; every test only reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

import pytest

from factstore import FactStore

from .conftest import item_ids, loaded_store, pack_of, Facts

HALVORSEN = """
factstore: 1
default_source: src:crm
sources:
  - {id: src:crm, title: Halvorsen CRM, uri: "crm://halvorsen/accounts",
     kind: system_of_record, authority: 90, captured_at: 2026-10-02}
  - {id: src:glossary, title: Commercial glossary, kind: policy, authority: 80,
     uri: "https://wiki.halvorsen.test/glossary", captured_at: 2026-01-15}
  - {id: src:terms, title: Charter terms, kind: policy, authority: 80, captured_at: 2026-01-15}
entities:
  - {id: halvorsen, kind: customer, name: Halvorsen Marine ASA}
  - {id: brekke, kind: customer, name: Brekke Fiskeri AS}
  - {id: solvik, kind: supplier, name: Solvik Bunkers}
facts:
  - {subject: halvorsen, predicate: acv, value: 840000, value_type: money, unit: NOK,
     period: FY26-Q3}
  - {subject: halvorsen, predicate: headcount, value: 120, value_type: number, period: FY26-Q3}
  - {subject: halvorsen, predicate: bunker_spend, value: 96000, value_type: money, unit: NOK,
     period: FY26-Q3}
  - {subject: brekke, predicate: acv, value: 120000, value_type: money, unit: NOK,
     period: FY26-Q3}
definitions:
  - {id: "def:acv", term: ACV, source: src:glossary,
     text: "The yearly value of a customer's signed contract. Fuel surcharges and port fees
            are counted only once invoiced."}
  - {id: "def:tcv", term: TCV, source: src:glossary,
     text: "The total value of a customer's signed contract over its whole term."}
  - {id: "def:headcount", term: Headcount, source: src:glossary,
     text: "Number of people a customer employs, from its latest annual report."}
  - {id: "def:bunker-spend", term: Bunker spend, source: src:glossary,
     text: "What a customer pays for ship fuel in a quarter."}
rules:
  - {id: "rule:invoice-30", applies_to: "kind:customer", source: src:terms,
     text: "Charter invoices are settled within 30 days by bank transfer."}
"""
ON = "2026-10-10"  # valid-at: FY26-Q3 (a calendar fiscal year) has started


@pytest.fixture(scope="module", params=["doltlite", "dolt"])
def halvorsen(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[FactStore]:
    yield from loaded_store(request, tmp_path_factory, "Halvorsen", HALVORSEN)


_pack = partial(pack_of, valid_at=ON)


# --- 1. a metric said in its definition's words ------------------------------------------------


@pytest.mark.parametrize("question", [
    "How much is the Halvorsen contract worth per year?",
    "What is the contract worth annually for Halvorsen Marine?",
    "How much does Halvorsen pay us a year?",
    "What is the yearly value of Halvorsen's contract?",
    "What's Halvorsen's annual deal value?",
])
def test_a_question_in_the_words_of_a_definition_gets_its_facts(halvorsen: FactStore,
                                                                question: str) -> None:
    pack = _pack(halvorsen, question)
    assert item_ids(pack, "fact") == ["fact:halvorsen-acv-fy26q3"], pack.text
    assert item_ids(pack, "definition") == ["def:acv"]
    assert pack.terms == ["ACV"]
    assert pack.missing == []
    assert item_ids(pack, "rule") == []  # "pay" asked how much, not when: no payment rule


@pytest.mark.parametrize(("question", "fact", "definition"), [
    ("How many people does Halvorsen employ?", "fact:halvorsen-headcount-fy26q3",
     "def:headcount"),
    ("How much does Halvorsen pay for fuel each quarter?", "fact:halvorsen-bunker-spend-fy26q3",
     "def:bunker-spend"),
])
def test_other_definitions_are_reached_the_same_way(halvorsen: FactStore, question: str,
                                                    fact: str, definition: str) -> None:
    pack = _pack(halvorsen, question)
    assert item_ids(pack, "fact") == [fact], pack.text
    assert item_ids(pack, "definition") == [definition]


def test_an_entity_without_that_fact_says_so_with_the_definition(halvorsen: FactStore) -> None:
    pack = _pack(halvorsen, "How many people does Brekke Fiskeri employ?")
    assert item_ids(pack, "fact") == []  # not Brekke's ACV: another metric
    assert item_ids(pack) == ["def:headcount"]
    assert pack.missing == ["no fact for people and employ of Brekke Fiskeri AS"]


def test_a_question_naming_no_entity_gets_the_definition(halvorsen: FactStore) -> None:
    pack = _pack(halvorsen, "What is the yearly value of a signed contract?")
    assert item_ids(pack) == ["def:acv"]


@pytest.mark.parametrize(("question", "missing"), [
    # both say "customer": a kind, no metric; Brekke has no headcount fact
    ("What is Brekke's customer headcount?", "no fact for headcount of Brekke"),
    ("How much is Halvorsen's contract worth per month?", "no fact for contract worth of"),
    ("What is Halvorsen's yearly fuel value?", "no fact for fuel of"),  # ACV or bunker? neither
    ("What is Halvorsen's contract value?", "no fact for contract of"),  # ACV and TCV alike
    ("How many people work on the Halvorsen contract?", "no fact for people work and contract"),
])
def test_words_a_definition_only_partly_shares_say_not_found(halvorsen: FactStore,
                                                             question: str, missing: str
                                                             ) -> None:
    pack = _pack(halvorsen, question)
    assert item_ids(pack, "fact") == [], pack.text
    assert any(missing in m for m in pack.missing), pack.missing


@pytest.mark.parametrize("question", [
    "How much is Halvorsen worth?",  # one word of ACV's: its value as a company, maybe
    "How much does Halvorsen pay?",
    "When must Halvorsen pay its yearly contract?",  # a date and a duty: the rules' to say
    "What are the terms of Halvorsen's yearly contract?",
    "What is Halvorsen's fuel surcharge per year?",  # ACV's second sentence: not what it is
])
def test_no_fact_is_attached_by_a_word_in_passing(halvorsen: FactStore, question: str) -> None:
    pack = _pack(halvorsen, question)
    assert "fact:halvorsen-acv-fy26q3" not in item_ids(pack), pack.text
    assert "def:acv" not in item_ids(pack)


def test_a_question_about_paying_still_gets_the_rules(halvorsen: FactStore) -> None:
    pack = _pack(halvorsen, "When must Halvorsen pay its yearly contract?")
    assert item_ids(pack, "rule") == ["rule:invoice-30"]


# --- 2. one near candidate: not sure, said as such everywhere -----------------------------------


def test_one_near_candidate_is_not_followed_and_said_as_a_question(halvorsen: FactStore) -> None:
    facts = Facts(halvorsen.url)
    shown = facts("show", "Halvorsn Marine", ok=False)
    assert shown.exit_code == 2  # still not resolved: a read never follows it
    first = shown.output.splitlines()[0]
    assert first.startswith("error: not sure: did you mean Halvorsen Marine ASA (halvorsen, "
                            "score "), first
    assert "ambiguous" not in first
    resolved = facts("resolve", "Halvorsn Marine", ok=False)
    assert resolved.exit_code == 5  # the status is a contract: ambiguous, one candidate
    assert resolved.output.startswith("ambiguous: 'Halvorsn Marine'; not sure: did you mean "
                                      "Halvorsen Marine ASA (halvorsen, score ")
    answer = halvorsen.resolve("Halvorsn Marine")
    assert answer.status == "ambiguous" and [c.id for c in answer.candidates] == ["halvorsen"]
    assert answer.not_sure() == (f"not sure: did you mean Halvorsen Marine ASA (halvorsen, "
                                 f"score {answer.candidates[0].score})?")
    (mention,) = _pack(halvorsen, "What is Halvorsn Marine's ACV?").entities
    assert mention.status == "ambiguous" and [c["id"] for c in mention.candidates] == [
        "halvorsen"]


def test_several_candidates_are_still_ambiguous(halvorsen: FactStore) -> None:
    assert halvorsen.resolve("Halvorsen Brekke").not_sure() is None
    assert halvorsen.resolve("Halvorsen Marine ASA").not_sure() is None  # resolved
