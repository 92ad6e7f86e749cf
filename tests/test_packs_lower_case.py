"""Questions typed in lower case, about companies some of whose names are ordinary words
(Summit, Pioneer, Harvest Moon) and written the way people write them in other countries: a
Danish cycle shop, a Mexican food maker, a region with a two-letter code. A name said by its
first words or possessive is found; the same word as an ordinary noun ("the summit", "a
pioneer") is not a name, nor is a two-letter word ("as", "mx"). Built once per module on each
backend.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

import pytest

from factstore import FactStore

from .conftest import loaded_store, pack_of

NORDSUR = """
factstore: 1
default_source: src:books
sources:
  - {id: src:books, title: Group ledger, kind: system_of_record, authority: 90,
     captured_at: 2026-10-01}
entities:
  - {id: osterbro-cykler, kind: customer, name: Østerbro Cykler ApS}
  - {id: summit-freight, kind: customer, name: Summit Freight A/S}
  - {id: pioneer-alimentos, kind: customer, name: "Pioneer Alimentos, S.A. de C.V."}
  - {id: harvest-moon, kind: customer, name: Harvest Moon Brewing}
  - {id: tulum, kind: customer, name: Cervecería Tulum S. de R.L. de C.V.}
  - id: mexico-region
    kind: region
    name: Mexico region
    aliases: [{alias: MX, kind: abbreviation}]
  - {id: automotive, kind: segment, name: Automotive segment}
  - {id: brisa-norte, kind: customer, name: Brisa do Norte Hotelaria S.A.}
facts:
  - {id: fact:osterbro-rev, subject: osterbro-cykler, predicate: revenue, value: 410000,
     unit: DKK, period: FY26}
  - {id: fact:summit-rev, subject: summit-freight, predicate: revenue, value: 2300000,
     unit: DKK, period: FY26}
  - {id: fact:pioneer-rev, subject: pioneer-alimentos, predicate: revenue, value: 8800000,
     unit: MXN, period: FY26}
  - {id: fact:harvest-rev, subject: harvest-moon, predicate: revenue, value: 950000,
     unit: USD, period: FY26}
  - {id: fact:tulum-rev, subject: tulum, predicate: revenue, value: 120000, unit: MXN,
     period: FY26}
relations:
  - {src: pioneer-alimentos, rel: located_in, dst: mexico-region}
  - {src: tulum, rel: located_in, dst: mexico-region}
rules:
  - {id: rule:mx-invoices, applies_to: mexico-region, text: "Invoices in Mexico carry a CFDI
       stamp."}
"""
ON = "2026-11-15"


@pytest.fixture(scope="module", params=["doltlite", "dolt"])
def nordsur(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[FactStore]:
    yield from loaded_store(request, tmp_path_factory, "Nordsur", NORDSUR)


_pack = partial(pack_of, valid_at=ON)


def _named(store: FactStore, question: str) -> list[tuple[str, str | None]]:
    return [(m.status, m.entity["id"] if m.entity else None)
            for m in _pack(store, question).entities]


@pytest.mark.parametrize("question,entity", [
    ("what was østerbro's revenue in FY26?", "osterbro-cykler"),
    ("how much did summit sell in FY26?", "summit-freight"),
    ("what was pioneer's revenue in FY26?", "pioneer-alimentos"),
    ("revenue of harvest moon in FY26", "harvest-moon"),
    ("what did cervecería tulum make in FY26?", "tulum"),
    # a particle between its words ("do", "de", "of"): the name goes on after it
    ("how much did brisa do norte bill in FY26?", "brisa-norte"),
])
def test_a_company_named_in_lower_case_by_its_first_words_is_found(
        nordsur: FactStore, question: str, entity: str) -> None:
    assert _named(nordsur, question) == [("resolved", entity)]
    if "revenue" in question:
        pack = _pack(nordsur, question)
        assert [i.id for i in pack.items if i.kind == "fact"] == [
            f"fact:{entity.split('-')[0]}-rev"], pack.text


def test_a_lower_case_name_goes_on_across_a_particle(nordsur: FactStore) -> None:
    """'brisa do norte' is one name: taken as 'brisa' alone, 'norte bill' was asked for as
    a metric ('no fact for norte bill')."""
    pack = _pack(nordsur, "how much did brisa do norte bill in FY26?")
    assert [m.text for m in pack.entities] == ["brisa do norte"]
    assert "norte" not in " ".join(pack.missing), pack.missing


def test_a_later_word_of_a_name_in_lower_case_is_no_name(nordsur: FactStore) -> None:
    """Only a name's first words: 'freight' and 'tulum' are words of longer names, and a word
    such as 'freight' is more often an ordinary one."""
    assert _named(nordsur, "what are our freight costs in FY26?") == []
    assert _named(nordsur, "how much revenue did tulum make") == []


@pytest.mark.parametrize("question", [
    "who chaired the summit on freight pricing?",
    "was there a pioneer discount for new customers?",
    "what is the harvest season for hops?",
    "what counts as a customer?",
    "what are the invoice rules for mx?",
    "is any pioneer programme running in FY26?",
    "how much harvest revenue came from hops?",
])
def test_an_ordinary_word_in_lower_case_names_nothing(nordsur: FactStore, question: str
                                                      ) -> None:
    assert _named(nordsur, question) == []


def test_a_two_letter_code_is_a_name_in_capitals_and_given_alone(nordsur: FactStore) -> None:
    """In a question 'mx' is a word like 'as' and 'in'; in capitals, or given alone to a
    command, it is the region's code."""
    assert _named(nordsur, "what are the invoice rules for MX?") == [
        ("resolved", "mexico-region")]
    for said in ("mx", "MX", "Mx"):
        assert nordsur.show(said).id == "mexico-region", said
        answer = nordsur.resolve(said)
        assert answer.entity and answer.entity["id"] == "mexico-region", said
