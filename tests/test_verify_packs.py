"""The verifier's corpus against items built by the product from the fixture store.

tests/test_verify.py checks the rules on hand-made items; here every item comes out of
`store.context()` on the Northwind store as of FY26-Q3 (the text, value, quote and source a
model would see), so a change in how packs word their items cannot quietly break the verifier.
The period and status cases are about other companies: this module's store (module-scoped, so
no other module sees them) imports them from EXTRA after the FY26-Q4 tag, and their packs are
built at HEAD, where the product labels each item (outranked, conflicting, superseded …).
"""

from __future__ import annotations

import pytest

from factstore import FactStore
from factstore.models import ContextPack, PackItem, PackOptions
from factstore.verify import verify

from .conftest import AUTHOR
from .test_verify import (
    BW_Q3,
    BW_Q3_LOW,
    CHANGED,
    CORRECT,
    HELD_OUT_CHANGED,
    HELD_OUT_CORRECT,
    Case,
)

# The records behind test_verify.py's other companies; the pack labels the statuses.
EXTRA = """\
factstore: 1
entities:
  - {id: brightwater-foods, kind: customer, name: Brightwater Foods}
  - {id: quillon-robotics, kind: customer, name: Quillon Robotics GmbH}
  - {id: marlowe-insurance, kind: customer, name: Marlowe Insurance Group}
  - {id: pemberton-rail, kind: customer, name: Pemberton Rail}
  - {id: tessaract-labs, kind: customer, name: Tessaract Labs}
  - {id: oakhurst-credit-union, kind: customer, name: Oakhurst Credit Union}
facts:
  - {id: "fact:brightwater-foods-arr-fy26q3", subject: brightwater-foods, predicate: arr,
     value: 2410000, value_type: money, unit: USD, period: FY26-Q3, source: "src:billing",
     quote: "Brightwater Foods ARR at quarter end: 2.41M"}
  - {id: "fact:brightwater-foods-arr-fy26q3-playbook", subject: brightwater-foods,
     predicate: arr, value: 2500000, value_type: money, unit: USD, period: FY26-Q3,
     source: "src:sales-playbook", quote: "Brightwater is a 2.5M ARR logo"}
  - {id: "fact:brightwater-foods-arr-fy26q2", subject: brightwater-foods, predicate: arr,
     value: 2250000, value_type: money, unit: USD, period: FY26-Q2, source: "src:billing",
     quote: "Brightwater Foods ARR at quarter end: 2.25M"}
  - {id: "fact:brightwater-foods-bookings-fy26h1", subject: brightwater-foods,
     predicate: bookings, value: 3100000, value_type: money, unit: USD, period: FY26-H1,
     source: "src:controller-q3-memo", quote: "H1 bookings for Brightwater were USD 3.1M"}
  - {id: "fact:quillon-robotics-seats-fy26q3", subject: quillon-robotics, predicate: seats,
     value: 410, value_type: number, unit: seats, period: FY26-Q3, source: "src:crm",
     quote: "Licensed seats: 410"}
  - {id: "fact:quillon-robotics-seats-fy26q3-cs", subject: quillon-robotics, predicate: seats,
     value: 445, value_type: number, unit: seats, period: FY26-Q3, source: "src:cs-platform",
     quote: "Provisioned seats: 445"}
  - {id: "fact:quillon-robotics-list-price", subject: quillon-robotics, predicate: list_price,
     value: 95, value_type: money, unit: USD, source: "src:contracts",
     quote: "List price: USD 95 per seat per month", valid_from: 2025-05-01,
     valid_to: 2025-12-31}
  - {id: "fact:marlowe-insurance-acv-fy26q2", subject: marlowe-insurance, predicate: acv,
     value: 880000, value_type: money, unit: USD, period: FY26-Q2, source: "src:crm",
     quote: "ACV 880K (incl. 75K onboarding)"}
  - {id: "fact:marlowe-insurance-acv-fy26q2-contract", subject: marlowe-insurance,
     predicate: acv, value: 805000, value_type: money, unit: USD, period: FY26-Q2,
     source: "src:contracts", supersedes: "fact:marlowe-insurance-acv-fy26q2",
     quote: "Order Form MI-2025-07, section 3: annual subscription fees USD 805,000"}
  - {id: "fact:pemberton-rail-support-tier", subject: pemberton-rail, predicate: support_tier,
     value: Gold, value_type: text, source: "src:crm", quote: "Support tier: Gold",
     status: deprecated}
  - {id: "fact:pemberton-rail-support-tier-contract", subject: pemberton-rail,
     predicate: support_tier, value: Platinum, value_type: text, source: "src:contracts",
     quote: "Support tier: Platinum"}
  - {id: "fact:tessaract-labs-discount-proposed", subject: tessaract-labs, predicate: discount,
     value: 18, value_type: percent, unit: "%", source: "src:crm",
     quote: "Deal desk proposal: raise the discount to 18%", status: proposed}
  - {id: "fact:tessaract-labs-discount", subject: tessaract-labs, predicate: discount,
     value: 12, value_type: percent, unit: "%", source: "src:contracts",
     quote: "Discount: 12% off list"}
  - {id: "fact:oakhurst-credit-union-mau-2025-09", subject: oakhurst-credit-union,
     predicate: monthly_active_users, value: 12400, value_type: number, unit: users,
     period: 2025-09, source: "src:cs-platform",
     quote: "Monthly active users (September): 12,400"}
rules:
  - {id: "rule:support-sla", applies_to: "kind:customer", valid_from: 2025-02-01,
     source: "src:policy-handbook",
     text: "P1 (priority-1) tickets get a first response within 4 hours, around the clock."}
  - {id: "rule:support-sla-oakhurst", applies_to: oakhurst-credit-union,
     overrides: "rule:support-sla", valid_from: 2025-02-01, source: "src:contracts",
     text: "Oakhurst Credit Union's P1 tickets get a first response within 1 hour under its
       premium support addendum."}
"""
EXTRA_IDS = {"brightwater-foods", "quillon-robotics", "marlowe-insurance", "pemberton-rail",
             "tessaract-labs", "oakhurst-credit-union", "rule:support-sla",
             "rule:support-sla-oakhurst"}
CORPUS = CORRECT + CHANGED + HELD_OUT_CORRECT + HELD_OUT_CHANGED


def _extra(item_id: str) -> bool:
    return any(name in item_id for name in EXTRA_IDS)


def _questions(store: FactStore, ids: set[str], as_of: str | None, customer: str
               ) -> list[str]:
    """Questions whose packs hold every item the corpus cites; a rule for every customer is
    asked about `customer`."""
    questions = []
    for item_id in sorted(ids):
        if item_id.startswith("def:"):
            row = store.get(item_id, as_of=as_of)
            questions.append(f"What is {row['term']}?")
            continue
        if item_id.startswith("fact:"):
            subject = store.get(item_id, as_of=as_of)["subject_id"]
        elif item_id.startswith("rule:"):
            subject = store.get(item_id, as_of=as_of)["applies_to"]
        else:
            subject = item_id.split(":", 1)[1].split("/", 1)[0]
        if subject.startswith("kind:"):
            subject = customer  # its pack holds the rules for every customer
        name = store.get(subject)["name"]
        questions += [f"Tell me about {name} in {p}" for p in ("FY26-Q2", "FY26-Q3", "FY26-Q4")]
    return list(dict.fromkeys(questions))


@pytest.fixture(scope="module")
def other_companies(northwind: FactStore, tmp_path_factory: pytest.TempPathFactory
                    ) -> FactStore:
    """The Northwind store with EXTRA imported after its FY26-Q4 tag."""
    extra = tmp_path_factory.mktemp("verify") / "other-companies.yaml"
    extra.write_text(EXTRA, encoding="utf-8")
    northwind.import_file(extra, author=AUTHOR, reason="the verifier's other companies")
    return northwind


@pytest.fixture(scope="module")
def real_items(other_companies: FactStore) -> dict[str, PackItem]:
    northwind = other_companies
    ids = {i for case in CORPUS for i in case.items}
    northwind_ids = {i for i in ids if not _extra(i)}
    found: dict[str, PackItem] = {}
    for question in _questions(northwind, northwind_ids, "FY26-Q3", "acme-corp"):
        for item in northwind.context(question, as_of="FY26-Q3", valid_at="2025-11-05",
                                      record=False).items:
            found.setdefault(item.id, item)
    # Oakhurst's packs first: there the rule for every customer is overridden
    asked = _questions(northwind, ids - northwind_ids, None, "oakhurst-credit-union")
    for question in sorted(asked, key=lambda q: "Oakhurst" not in q):
        for item in northwind.context(question, valid_at="2025-11-05", record=False).items:
            found.setdefault(item.id, item)
    missing = ids - found.keys()
    assert not missing, f"no pack held {sorted(missing)}"
    return found


@pytest.fixture(scope="module")
def fiscal_start(northwind: FactStore) -> int:
    return northwind.fiscal_start_month()


def _pack(case: Case, items: dict[str, PackItem]) -> ContextPack:
    numbered = [items[i].model_copy(update={"n": n}) for n, i in enumerate(case.items, 1)]
    return ContextPack(hash="", version="", question="", options=PackOptions(
        valid_at="2025-11-05"), terms=[], periods=[], entities=[], items=numbered,
        trimmed=[], text="")


def test_corpus_sizes() -> None:
    assert len(CORRECT) >= 20 and len(CHANGED) >= 20


def test_the_other_companies_carry_the_statuses_the_corpus_assumes(
        real_items: dict[str, PackItem]) -> None:
    from .test_verify import LIBRARY

    assert {i: real_items[i].status for i in real_items if _extra(i)} == {
        i: LIBRARY[i].status for i in real_items if _extra(i)}


@pytest.mark.parametrize("case", CORRECT + HELD_OUT_CORRECT, ids=lambda c: c.name)
def test_correct_answers_pass_on_real_items(case: Case, real_items: dict[str, PackItem],
                                            fiscal_start: int) -> None:
    report = verify(case.answer, _pack(case, real_items), fiscal_start_month=fiscal_start)
    assert report.ok, [p.reason for s in report.sentences for p in s.problems]


@pytest.mark.parametrize("case", CHANGED + HELD_OUT_CHANGED, ids=lambda c: c.name)
def test_changed_answers_are_caught_on_real_items(case: Case, real_items: dict[str, PackItem],
                                                 fiscal_start: int) -> None:
    report = verify(case.answer, _pack(case, real_items), fiscal_start_month=fiscal_start)
    assert not report.ok
    assert any(case.wrong in p.claim for s in report.sentences for p in s.problems)


def test_on_a_whole_pack_a_wrong_period_is_caught(other_companies: FactStore) -> None:
    pack = other_companies.context("What was Brightwater Foods' ARR in FY26-Q3?",
                                   valid_at="2025-11-05", record=False)
    current = {item.id: item.n for item in pack.items}[BW_Q3]
    assert verify(f"Brightwater Foods' ARR in FY26-Q3 was $2.41M [{current}].", pack).ok
    wrong_period = verify(f"Brightwater Foods' ARR in FY26-Q2 was $2.41M [{current}].", pack)
    assert [p.kind for s in wrong_period.sentences for p in s.problems] == ["period"]


def test_on_a_whole_pack_a_status_problem_names_what_outranks_the_item(
        other_companies: FactStore) -> None:
    pack = other_companies.context("What was Brightwater Foods' ARR in FY26-Q3?",
                                   valid_at="2025-11-05", record=False)
    number = {item.id: item.n for item in pack.items}
    low, current = number[BW_Q3_LOW], number[BW_Q3]
    report = verify(f"Brightwater Foods' ARR in FY26-Q3 was $2.5M [{low}].", pack)
    assert [(p.kind, p.reason) for s in report.sentences for p in s.problems] == [
        ("status", f"$2.5M is from cited [{low}], which is outranked by [{current}]; the "
                   f"sentence gives it as the answer without saying so")]
    assert verify(f"Brightwater Foods' ARR in FY26-Q3 was $2.41M [{current}]; a lower-authority "
                  f"sales estimate said $2.5M [{low}].", pack).ok
