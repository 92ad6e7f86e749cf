"""Packs and the verifier on a hospital chain (a controller's and an agent builder's user
test): Kaveri Arogya Hospitals, India, fiscal year from April. Its metrics are named as a
finance team names them (units_sold, order_backlog, bed_occupancy, arpob), asked for in
everyday words ("how much did X sell", "X's backlog", "occupancy"), over a year or half that
has quarters missing; answers write Indian amounts (Rs 106 crore, 4.32 lakh units,
1,06,00,00,000). Built once per module on each backend.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial

import pytest

from factstore import FactStore
from factstore.verify import verify

from .conftest import assert_answers, loaded_store, pack_of

KAVERI = """
factstore: 1
calendar: {fiscal_year_start_month: 4}
default_source: src:close
sources:
  - {id: src:close, title: Quarterly finance close pack, kind: system_of_record, authority: 95,
     captured_at: 2026-10-20}
  - {id: src:his, title: Hospital information system census, kind: system_of_record,
     authority: 90, captured_at: 2026-10-18}
  - {id: src:deck, title: Management MIS deck, kind: email, authority: 50,
     captured_at: 2026-01-10}
entities:
  - id: khj
    kind: hospital
    name: Kaveri Hospital Jayanagar
    aliases: [{alias: KHJ, kind: abbreviation}]
  - id: chennai
    kind: hospital
    name: Kaveri Hospital Chennai
    aliases: [{alias: Sri Lakshmi Multispeciality Hospital, kind: former, valid_to: 2025-06-30}]
  - {id: pharmacy, kind: business_unit, name: Kaveri Pharmacy}
  - {id: medisupply, kind: supplier, name: MediSupply Distributors}
definitions:
  - {id: "def:arpob-fy26@finance", term: ARPOB, scope: finance, valid_from: 2023-04-01,
     valid_to: 2026-03-31, text: "Gross in-patient billing per occupied bed day."}
  - {id: "def:arpob@finance", term: ARPOB, scope: finance, valid_from: 2026-04-01,
     text: "In-patient net revenue after TPA disallowances per occupied bed day."}
  - {id: "def:alos@finance", term: ALOS, scope: finance, status: proposed,
     text: "Average length of stay: inpatient days over discharges."}
rules:
  - {id: rule:discount, applies_to: "kind:hospital", text: "Package discounts above 10% need
     the unit medical director's approval."}
  - {id: rule:discount-chennai-draft, applies_to: chennai, overrides: rule:discount,
     status: proposed, text: "Chennai package discounts above 5% need the cluster head's
     approval."}
  - {id: rule:weekend-discount, applies_to: khj, status: deprecated, text: "Weekend package
     discounts above 8% need the unit head's approval."}
facts:
  - {id: fact:khj-arpob-fy26q3, subject: khj, predicate: arpob, value: 54000, unit: INR,
     value_type: money, period: FY26-Q3}
  - {id: fact:khj-revenue-fy26q3, subject: khj, predicate: revenue, value: 1060000000,
     unit: INR, value_type: money, period: FY26-Q3}
  - {id: fact:khj-revenue-fy26q3-deck, subject: khj, predicate: revenue, value: 1100000000,
     unit: INR, value_type: money, period: FY26-Q3, source: src:deck}
  - {id: fact:khj-revenue-fy27q1, subject: khj, predicate: revenue, value: 1120000000,
     unit: INR, value_type: money, period: FY27-Q1}
  - {id: fact:khj-revenue-fy27q2, subject: khj, predicate: revenue, value: 1150000000,
     unit: INR, value_type: money, period: FY27-Q2}
  - {id: fact:khj-arpob-fy27q2, subject: khj, predicate: arpob, value: 57000, unit: INR,
     value_type: money, period: FY27-Q2}
  - {id: fact:chennai-occupancy-fy26q4, subject: chennai, predicate: bed_occupancy, value: 73,
     unit: "%", value_type: percent, period: FY26-Q4, source: src:his}
  - {id: fact:pharmacy-units-fy27q1, subject: pharmacy, predicate: units_sold, value: 432000,
     unit: units, period: FY27-Q1, source: src:his}
  - {id: fact:pharmacy-units-fy27q2, subject: pharmacy, predicate: units_sold, value: 441000,
     unit: units, period: FY27-Q2, source: src:his}
  - {id: fact:medisupply-backlog-fy27q2, subject: medisupply, predicate: order_backlog,
     value: 1710000, unit: INR, value_type: money, period: FY27-Q2}
"""

ON = "2026-10-30"  # valid-at: FY27-Q3 under way (the fiscal year starts in April)


@pytest.fixture(scope="module", params=["doltlite", "dolt"])
def kaveri(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[FactStore]:
    yield from loaded_store(request, tmp_path_factory, "Kaveri", KAVERI)


_pack = partial(pack_of, valid_at=ON)

# (question, items the pack must hold (with their status), items it must not hold)
CASES: list[tuple[str, dict[str, str], set[str]]] = [
    # "sell"/"sold" are the words of units_sold: "no fact for sell" before
    ("How much did Kaveri Pharmacy sell in FY27-Q1?",
     {"fact:pharmacy-units-fy27q1": "current"}, {"fact:pharmacy-units-fy27q2"}),
    ("what did kaveri pharmacy sell last quarter",
     {"fact:pharmacy-units-fy27q2": "current"}, {"fact:pharmacy-units-fy27q1"}),
    # the last word of a predicate's name alone names it, as its first word does
    ("What is MediSupply's backlog?", {"fact:medisupply-backlog-fy27q2": "current"}, set()),
    ("What was occupancy at Sri Lakshmi Multispeciality Hospital in FY26-Q4?",
     {"fact:chennai-occupancy-fy26q4": "current"}, set()),
    # a definition as it held in the period asked about, and as it holds now; a proposed one
    # is labelled so (it was 'current', as every definition was)
    ("What was KHJ's ARPOB in FY26-Q3?", {"fact:khj-arpob-fy26q3": "current",
                                          "def:arpob-fy26@finance": "current"},
     {"def:arpob@finance", "fact:khj-arpob-fy27q2"}),
    ("What does ARPOB mean for finance?", {"def:arpob@finance": "current"},
     {"def:arpob-fy26@finance"}),
    ("What will ARPOB mean in FY28?", {"def:arpob@finance": "current"},
     {"def:arpob-fy26@finance"}),
    ("What is ALOS?", {"def:alos@finance": "proposed"}, set()),
    # a proposed or deprecated rule is labelled so, and a proposed exception overrides
    # nothing: both were 'current', the general rule 'overridden' by a draft
    ("What discount rules apply to Kaveri Hospital Chennai?",
     {"rule:discount": "current", "rule:discount-chennai-draft": "proposed"}, set()),
    ("What discount rules apply to KHJ?",
     {"rule:discount": "current", "rule:weekend-discount": "deprecated"}, set()),
    # the entity's kind beside the metric does not make a longer metric of it
    ("What was the KHJ hospital's revenue last quarter?",
     {"fact:khj-revenue-fy27q2": "current"}, {"fact:khj-revenue-fy27q1"}),
]


@pytest.mark.parametrize("question,must,must_not", CASES, ids=[c[0] for c in CASES])
def test_a_user_question_gets_what_answers_it(kaveri: FactStore, question: str,
                                              must: dict[str, str], must_not: set[str]
                                              ) -> None:
    pack = _pack(kaveri, question)
    assert_answers(pack, must, must_not)
    assert not [m for m in pack.missing if m.startswith("no fact for")], pack.missing


# (question, what the pack must say it did not find): a year to date, a half or a year
# asked for says which of its quarters (begun by valid-at) have no fact, so a model does not
# give the quarters it has as the whole
GAPS = [
    ("What is KHJ's ARPOB year to date?",
     ["no fact for arpob of Kaveri Hospital Jayanagar in FY27-Q1",
      "no fact for arpob of Kaveri Hospital Jayanagar in FY27-Q3"]),
    ("What is KHJ revenue YTD?", ["no fact for revenue of Kaveri Hospital Jayanagar in FY27-Q3"]),
    ("What was KHJ's ARPOB in H1 FY27?",
     ["no fact for arpob of Kaveri Hospital Jayanagar in FY27-Q1"]),
    ("What was KHJ's ARPOB in FY26?",
     [f"no fact for arpob of Kaveri Hospital Jayanagar in FY26-Q{q}" for q in (1, 2, 4)]),
    ("What was KHJ's revenue in the first half of FY27?", []),
    ("What was KHJ's revenue in FY26?",
     [f"no fact for revenue of Kaveri Hospital Jayanagar in FY26-Q{q}" for q in (1, 2, 4)]),
    ("What was KHJ's revenue in FY27-Q2?", []),
]


@pytest.mark.parametrize("question,missing", GAPS, ids=[c[0] for c in GAPS])
def test_a_year_or_half_says_which_quarters_it_lacks(kaveri: FactStore, question: str,
                                                     missing: list[str]) -> None:
    pack = _pack(kaveri, question)
    assert pack.missing == missing, pack.text
    assert [i for i in pack.items if i.kind == "fact"], pack.text


# (question, answer with {id} for the item's number, the kinds of problem it must have)
VERDICTS = [
    ("What was KHJ's revenue in FY26-Q3?",
     "KHJ's revenue in FY26-Q3 was Rs 106 crore [{fact:khj-revenue-fy26q3}].", []),
    ("What was KHJ's revenue in FY26-Q3?",
     "KHJ's revenue in FY26-Q3 was ₹106 Cr [{fact:khj-revenue-fy26q3}].", []),
    ("What was KHJ's revenue in FY26-Q3?",
     "KHJ's revenue in FY26-Q3 was Rs. 1,06,00,00,000 [{fact:khj-revenue-fy26q3}].", []),
    ("What was KHJ's revenue in FY26-Q3?",
     "KHJ's revenue in FY26-Q3 was 1,060 million rupees [{fact:khj-revenue-fy26q3}].", []),
    ("What was KHJ's revenue in FY26-Q3?",
     "KHJ's revenue in FY26-Q3 was Rs 116 crore [{fact:khj-revenue-fy26q3}].", ["number"]),
    ("What was KHJ's revenue in FY26-Q3?",
     "KHJ's revenue in FY26-Q3 was Rs. 1,16,00,00,000 [{fact:khj-revenue-fy26q3}].",
     ["number"]),
    ("What was KHJ's revenue in FY26-Q3?",
     "KHJ's revenue in FY26-Q3 was USD 106 crore [{fact:khj-revenue-fy26q3}].", ["currency"]),
    ("What was KHJ's revenue in FY26-Q3?",
     "KHJ's revenue in FY26-Q3 was Rs 110 crore [{fact:khj-revenue-fy26q3-deck}].",
     ["status"]),
    ("What was KHJ's revenue in FY26-Q3?",
     "KHJ's revenue in FY26-Q2 was Rs 106 crore [{fact:khj-revenue-fy26q3}].", ["period"]),
    ("How much did Kaveri Pharmacy sell in FY27-Q1?",
     "Kaveri Pharmacy sold 4.32 lakh units in FY27-Q1 [{fact:pharmacy-units-fy27q1}].", []),
    ("How much did Kaveri Pharmacy sell in FY27-Q1?",
     "Kaveri Pharmacy sold 4.5 lakh units in FY27-Q1 [{fact:pharmacy-units-fy27q1}].",
     ["number"]),
]


@pytest.mark.parametrize("question,answer,kinds", VERDICTS, ids=[v[1] for v in VERDICTS])
def test_the_verifier_reads_indian_amounts(kaveri: FactStore, question: str, answer: str,
                                           kinds: list[str]) -> None:
    """Lakhs and crores, Rs and ₹, and the lakh grouping of digits are read as amounts in
    rupees: "Rs 106 crore" failed as "106" against 1,060,000,000, with "Rs" and "Cr" taken
    for names the cited item lacks; "Rs." ended a sentence."""
    pack = _pack(kaveri, question)
    number = {i.id: i.n for i in pack.items}
    written = re.sub(r"\{([^}]+)\}", lambda m: str(number[m[1]]), answer)
    report = verify(written, pack, fiscal_start_month=kaveri.fiscal_start_month())
    assert report.summary.sentences == 1
    assert [p.kind for s in report.sentences for p in s.problems] == kinds, pack.text
