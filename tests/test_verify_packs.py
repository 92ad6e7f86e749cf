"""The verifier's corpus against items built by the product from the fixture store.

tests/test_verify.py checks the rules on hand-made items; here every item comes out of
`store.context()` on the Northwind store as of FY26-Q3 (the text, value, quote and source a
model would see), so a change in how packs word their items cannot quietly break the verifier.
"""

from __future__ import annotations

import pytest

from factstore import FactStore
from factstore.models import ContextPack, PackItem, PackOptions
from factstore.verify import verify

from .test_verify import CHANGED, CORRECT, Case


def _questions(store: FactStore, ids: set[str]) -> list[str]:
    """Questions whose packs hold every item the corpus cites."""
    questions = []
    for item_id in sorted(ids):
        if item_id.startswith("def:"):
            row = store.get(item_id, as_of="FY26-Q3")
            questions.append(f"What is {row['term']}?")
            continue
        if item_id.startswith("fact:"):
            subject = store.get(item_id, as_of="FY26-Q3")["subject_id"]
        elif item_id.startswith("rule:"):
            subject = store.get(item_id, as_of="FY26-Q3")["applies_to"]
        else:
            subject = item_id.split(":", 1)[1].split("/", 1)[0]
        if subject.startswith("kind:"):
            subject = "acme-corp"  # any customer: its pack holds the rules for every customer
        name = store.get(subject)["name"]
        questions += [f"Tell me about {name} in {p}" for p in ("FY26-Q2", "FY26-Q3", "FY26-Q4")]
    return list(dict.fromkeys(questions))


@pytest.fixture(scope="module")
def real_items(northwind: FactStore) -> dict[str, PackItem]:
    ids = {i for case in CORRECT + CHANGED for i in case.items}
    found: dict[str, PackItem] = {}
    for question in _questions(northwind, ids):
        for item in northwind.context(question, as_of="FY26-Q3", valid_at="2025-11-05",
                                      record=False).items:
            found.setdefault(item.id, item)
    missing = ids - found.keys()
    assert not missing, f"no pack held {sorted(missing)}"
    return found


def _pack(case: Case, items: dict[str, PackItem]) -> ContextPack:
    numbered = [items[i].model_copy(update={"n": n}) for n, i in enumerate(case.items, 1)]
    return ContextPack(hash="", version="", question="", options=PackOptions(
        valid_at="2025-11-05"), terms=[], periods=[], entities=[], items=numbered,
        trimmed=[], text="")


def test_corpus_sizes() -> None:
    assert len(CORRECT) >= 20 and len(CHANGED) >= 20


@pytest.mark.parametrize("case", CORRECT, ids=lambda c: c.name)
def test_correct_answers_pass_on_real_items(case: Case, real_items: dict[str, PackItem]
                                           ) -> None:
    report = verify(case.answer, _pack(case, real_items))
    assert report.ok, [p.reason for s in report.sentences for p in s.problems]


@pytest.mark.parametrize("case", CHANGED, ids=lambda c: c.name)
def test_changed_answers_are_caught_on_real_items(case: Case, real_items: dict[str, PackItem]
                                                 ) -> None:
    report = verify(case.answer, _pack(case, real_items))
    assert not report.ok
    assert any(case.wrong in p.claim for s in report.sentences for p in s.problems)
