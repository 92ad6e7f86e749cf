"""A legal form in a question says whose name it is (a user test: a Czech machine-tools
distributor whose customers are named after towns the store also holds). "Krupka s.r.o." or
"Teplice GmbH" is not the town however few towns the store holds, when a customer named
Krupka … s.r.o. or Teplice … GmbH is there: the pack asks which one is meant and shows
neither's facts; without the form, the town. Built once per module on each backend.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

import pytest

from factstore import FactStore

from .conftest import item_ids, loaded_store, pack_of

NARADI = """
factstore: 1
sources:
  - {id: "src:erp", title: ERP ledger, kind: system_of_record, authority: 90}
entities:
  - {id: krupka, kind: town, name: Krupka}
  - {id: brno, kind: town, name: Brno}
  - {id: teplice, kind: town, name: Teplice}
  - {id: krupka-naradi, kind: customer, name: "Krupka Nářadí s.r.o.",
     relations: [{rel: located_in, dst: teplice}]}
  - {id: novak, kind: customer, name: "Novák a syn s.r.o.",
     relations: [{rel: located_in, dst: brno}]}
  - {id: brno-stroje, kind: customer, name: "Brno Stroje a.s.",
     relations: [{rel: located_in, dst: brno}]}
  - {id: teplice-glas, kind: customer, name: "Teplice Glas GmbH",
     relations: [{rel: located_in, dst: teplice}]}
facts:
  - {id: "fact:krupka-naradi-revenue", subject: krupka-naradi, predicate: revenue, value: 1840000,
     unit: CZK, period: FY26-Q3, source: "src:erp", quote: "Krupka Nářadí: tržby Q3"}
  - {id: "fact:krupka-population", subject: krupka, predicate: population, value: 13000,
     source: "src:erp", quote: "Krupka: 13 000 obyvatel"}
  - {id: "fact:brno-stroje-revenue", subject: brno-stroje, predicate: revenue, value: 920000,
     unit: CZK, period: FY26-Q3, source: "src:erp", quote: "Brno Stroje: tržby Q3"}
"""


@pytest.fixture(scope="module", params=["doltlite", "dolt"])
def naradi(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[FactStore]:
    yield from loaded_store(request, tmp_path_factory, "Naradi", NARADI)


_pack = partial(pack_of, valid_at="2026-12-01")


@pytest.mark.parametrize("question", [
    "What was Krupka s.r.o. revenue in FY26-Q3?",
    "krupka s.r.o. revenue FY26-Q3",
    "How much did KRUPKA S.R.O., the tool dealer, book in FY26-Q3?",
])
def test_a_town_s_name_with_a_customer_s_form_is_asked_about(naradi: FactStore,
                                                             question: str) -> None:
    pack = _pack(naradi, question)
    (mention,) = pack.entities
    assert mention.status == "ambiguous", pack.text
    assert [c["id"] for c in mention.candidates][:2] == ["krupka-naradi", "krupka"]
    assert mention.text.lower() == "krupka s.r.o."
    assert "fact:krupka-population" not in item_ids(pack), pack.text


@pytest.mark.parametrize("question", ["What was Teplice GmbH revenue in FY26-Q3?",
                                      "Teplice GmbH's revenue FY26-Q3"])
def test_a_form_inside_the_name_met_is_read_as_written(naradi: FactStore,
                                                       question: str) -> None:
    """'Teplice GmbH' is met exactly as the town's name with a form the index drops: as
    written, the form says a customer of the town's name may be meant."""
    (mention,) = _pack(naradi, question).entities
    assert mention.status == "ambiguous" and mention.text == "Teplice GmbH"
    assert [c["id"] for c in mention.candidates][:2] == ["teplice-glas", "teplice"]


@pytest.mark.parametrize(("question", "fact"), [
    ("What is the population of Krupka?", "fact:krupka-population"),
    ("What was Krupka Nářadí s.r.o. revenue in FY26-Q3?", "fact:krupka-naradi-revenue"),
    ("Brno Stroje a.s. revenue FY26-Q3", "fact:brno-stroje-revenue"),
])
def test_the_name_said_whole_or_without_a_form_is_answered(naradi: FactStore, question: str,
                                                           fact: str) -> None:
    pack = _pack(naradi, question)
    assert [m.status for m in pack.entities] == ["resolved"], pack.text
    assert fact in item_ids(pack), pack.text
