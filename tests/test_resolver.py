"""The resolver: which "Acme"? Unit behaviours on a small index, then through the store."""

from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path
from collections.abc import Sequence
from typing import Any

import pytest

from factstore import (
    FactStore, evidence, index_cache, name_index, name_likeness, open_store, resolver,
)
from factstore.store import names as names_module
from factstore.resolver import AliasIndex, Resolution, acronym, normalize
from factstore.store.names import Names

from .conftest import AUTHOR, FIXTURES, Facts


def _index() -> AliasIndex:
    entities = [
        {"id": "acme-corp", "kind": "customer", "name": "Acme Corporation"},
        {"id": "acme-gmbh", "kind": "customer", "name": "Acme GmbH"},
        {"id": "ibm", "kind": "customer", "name": "International Business Machines"},
        {"id": "nestle", "kind": "customer", "name": "Nestlé S.A."},
        {"id": "bluefin", "kind": "customer", "name": "Bluefin Health"},
        {"id": "emea", "kind": "region", "name": "EMEA"},
        {"id": "amer", "kind": "region", "name": "Americas"},
    ]
    aliases = [
        {"entity_id": "bluefin", "alias": "Harbor Medical Systems",
         "normalized": normalize("Harbor Medical Systems"), "alias_kind": "former",
         "valid_from": None, "valid_to": "2025-03-31"},
    ]
    relations = [{"src_id": "acme-gmbh", "rel": "located_in", "dst_id": "emea"},
                 {"src_id": "acme-corp", "rel": "located_in", "dst_id": "amer"}]
    return AliasIndex.build(entities, aliases, relations)


@pytest.mark.parametrize("raw,normal", [
    ("ACME Inc.", "acme"), ("Acme Corporation", "acme"), ("Nestlé S.A.", "nestle"),
    ("AT&T", "at and t"), ("  Foo,  Bar GmbH ", "foo bar"), ("Co", "co"),
    ("O'Brien & Sons Ltd.", "obrien and sons"), ("U.S. Steel Corp", "us steel"),
    ("x_y-z", "x_y z"),
])
def test_normalisation_folds_case_accents_punctuation_and_legal_suffixes(raw: str,
                                                                         normal: str) -> None:
    assert normalize(raw) == normal


def test_acronyms_are_generated_keys() -> None:
    assert acronym("international business machines") == "ibm"
    assert _index().resolve("IBM").entity == {"id": "ibm", "name":
                                              "International Business Machines",
                                              "kind": "customer"}


def test_two_acmes_are_ambiguous_until_context_splits_them() -> None:
    index = _index()
    plain = index.resolve("Acme")
    assert plain.status == "ambiguous"
    assert {c.id for c in plain.candidates} == {"acme-corp", "acme-gmbh"}
    emea = index.resolve("Acme", context="EMEA renewal")
    assert emea.status == "resolved" and emea.entity and emea.entity["id"] == "acme-gmbh"
    assert any("near EMEA via located_in" in r for r in emea.candidates[0].reasons)
    amer = index.resolve("Acme", context="renewal in the Americas")
    assert amer.entity and amer.entity["id"] == "acme-corp"


def test_a_legal_form_in_the_query_picks_the_entity_with_that_form() -> None:
    assert _index().resolve("ACME GmbH").entity["id"] == "acme-gmbh"  # type: ignore[index]
    assert _index().resolve("Acme Corp").entity["id"] == "acme-corp"  # type: ignore[index]


def test_accents_and_former_names_resolve_with_reasons() -> None:
    index = _index()
    assert index.resolve("nestle").entity["id"] == "nestle"  # type: ignore[index]
    former = index.resolve("Harbor Medical Systems", on="2026-01-01")
    assert former.status == "resolved" and former.entity["id"] == "bluefin"  # type: ignore[index]
    assert "former name until 2025-03-31" in former.candidates[0].reasons


def test_a_typo_still_resolves_and_nobody_is_unknown() -> None:
    index = _index()
    typo = index.resolve("International Busines Machines")
    assert typo.status == "resolved" and typo.entity["id"] == "ibm"  # type: ignore[index]
    assert typo.candidates[0].reasons[0].startswith("fuzzy")
    # two slips in a name of two words, and nothing else said: likely, not sure (the weights
    # fitted on the labelled sets give it 95); the one candidate is listed
    short = index.resolve("Bluefinn Helth")
    assert short.status == "ambiguous" and [c.id for c in short.candidates] == ["bluefin"]
    assert index.resolve("Initech").status == "unknown"


def test_kind_hint_ranks_other_kinds_lower() -> None:
    result = _index().resolve("EMEA", kind="customer")
    assert result.candidates[0].score < 75



def _people() -> AliasIndex:
    names = {"maria-h": "Maria Hernandez", "mario-l": "Mario Lopes", "john-smith": "John Smith",
             "joan-smithers": "Joan Smithers", "campbell": "Campbell",
             "jack-campbell": "Jack Campbell"}
    entities = [{"id": i, "kind": "person", "name": n} for i, n in names.items()]
    entities += [{"id": "berlin", "kind": "city", "name": "Berlin"},
                 {"id": "sydney", "kind": "city", "name": "Sydney"},
                 {"id": "p2000", "kind": "postcode", "name": "2000"}]
    relations = [{"src_id": "maria-h", "rel": "lives_in", "dst_id": "berlin"},
                 {"src_id": "jack-campbell", "rel": "lives_in", "dst_id": "sydney"},
                 {"src_id": "jack-campbell", "rel": "has_postcode", "dst_id": "p2000"}]
    # Sydney is a city of many: living there tells less than a postcode only Jack has
    entities += [{"id": f"resident-{i}", "kind": "person", "name": f"Resident {i}"}
                 for i in range(40)]
    relations += [{"src_id": f"resident-{i}", "rel": "lives_in", "dst_id": "sydney"}
                  for i in range(40)]
    return AliasIndex.build(entities, [], relations)


def test_words_in_another_order_still_resolve() -> None:
    result = _people().resolve("Smith John")
    assert result.status == "resolved" and result.entity["id"] == "john-smith"  # type: ignore[index]


def test_each_entity_the_context_names_adds_evidence_even_against_an_exact_name() -> None:
    index = _people()
    assert index.resolve("Campbell").entity["id"] == "campbell"  # type: ignore[index]
    one = index.resolve("Campbell", context="Sydney")
    assert one.status == "ambiguous"
    assert {c.id for c in one.candidates} == {"campbell", "jack-campbell"}
    two = index.resolve("Campbell", context="Sydney 2000")
    assert two.entity and two.entity["id"] == "jack-campbell"
    assert {"near Sydney via lives_in", "near 2000 via has_postcode"} <= set(
        two.candidates[0].reasons)


def test_the_context_brings_in_its_neighbours_whose_name_is_only_partly_right() -> None:
    index = _people()
    assert "maria-h" not in {c.id for c in index.resolve("Maria Lopez").candidates}
    near = index.resolve("Maria Lopez", context="the Berlin office")
    assert "maria-h" in {c.id for c in near.candidates}


def _companies() -> AliasIndex:
    """Business names, located in cities."""
    names = {"tern": "Tern Systems Ltd", "sparrow": "Sparrow Logistics GmbH",
             "mueller": "Müller & Söhne KG", "sonder": "Søndergaard A/S",
             "kestrel-de": "Kestrel Analytics GmbH", "kestrel-uk": "Kestrel Foods Ltd",
             "weiss": "Weiß Strauß AG"}
    entities = [{"id": i, "kind": "customer", "name": n} for i, n in names.items()]
    entities += [{"id": c, "kind": "city", "name": c.title()}
                 for c in ("berlin", "hamburg", "london", "oslo")]
    aliases = [_alias("sparrow", "NYSE: SPRW", "ticker"), _alias("kestrel-de", "KAG",
                                                                   "abbreviation"),
               _alias("kestrel-uk", "CUST-1001", "code"),
               _alias("tern", "Arctic Tern Holdings", "former", valid_to="2024-12-31")]
    located = {"tern": "oslo", "sparrow": "hamburg", "mueller": "berlin", "sonder": "oslo",
               "kestrel-de": "berlin", "kestrel-uk": "london", "weiss": "berlin"}
    relations = [{"src_id": e, "rel": "located_in", "dst_id": c} for e, c in located.items()]
    return AliasIndex.build(entities, aliases, relations)


def _alias(entity: str, alias: str, kind: str, valid_to: str | None = None
           ) -> dict[str, str | None]:
    return {"entity_id": entity, "alias": alias, "normalized": normalize(alias),
            "alias_kind": kind, "valid_from": None, "valid_to": valid_to}


def test_a_unique_short_name_resolves() -> None:
    for query in ("Tern", "tern"):
        answer = _companies().resolve(query)
        assert answer.status == "resolved" and answer.entity, query
        assert answer.entity["id"] == "tern"
        assert answer.candidates[0].reasons == ["leading words of 'Tern Systems Ltd'"]


def test_a_short_name_two_entities_share_is_ambiguous_until_the_city_says_which() -> None:
    index = _companies()
    plain = index.resolve("Kestrel")
    assert plain.status == "ambiguous"
    assert {c.id for c in plain.candidates} == {"kestrel-de", "kestrel-uk"}
    london = index.resolve("Kestrel", context="London")
    assert london.entity and london.entity["id"] == "kestrel-uk"


def test_short_capitals_match_tickers_abbreviations_and_acronyms_exactly() -> None:
    index = _companies()
    assert index.resolve("SPRW").entity["id"] == "sparrow"  # type: ignore[index]
    assert index.resolve("SPRW").candidates[0].reasons == ["exact ticker"]
    assert index.resolve("KAG").entity["id"] == "kestrel-de"  # type: ignore[index]
    assert _index().resolve("IBM").candidates[0].reasons == ["exact acronym"]


@pytest.mark.parametrize("query", ["ARR", "arr", "PARR", "SPARR"])
def test_a_short_token_never_matches_inside_a_longer_word(query: str) -> None:
    answer = _companies().resolve(query)
    assert "sparrow" not in {c.id for c in answer.candidates}
    assert answer.status == "unknown"


def test_a_code_matches_exactly_or_not_at_all() -> None:
    index = _companies()
    assert index.resolve("CUST-1001").entity["id"] == "kestrel-uk"  # type: ignore[index]
    assert index.resolve("CUST-1002").status == "unknown"


@pytest.mark.parametrize("query,entity", [
    ("Mueller & Soehne", "mueller"), ("Muller & Sohne KG", "mueller"),
    ("Sondergaard", "sonder"), ("Soendergaard AS", "sonder"), ("Søndergaard A/S", "sonder"),
    ("Weiss Strauss", "weiss"), ("WEISS STRAUSS AG", "weiss"),
])
def test_transliterations_meet_the_name_they_spell(query: str, entity: str) -> None:
    answer = _companies().resolve(query)
    assert answer.status == "resolved" and answer.entity and answer.entity["id"] == entity
    assert answer.candidates[0].reasons[0].startswith("exact")


def _resolves_exactly(index: AliasIndex, query: str, entity: str) -> None:
    answer = index.resolve(query)
    assert answer.status == "resolved" and answer.entity and answer.entity["id"] == entity
    assert answer.candidates[0].reasons[0].startswith("exact"), answer.candidates[0].reasons


def _partnerships_and_sociedades() -> AliasIndex:
    """Danish partnerships (I/S, K/S, P/S) and Mexican companies (S.A. de C.V. and kin)."""
    names = {"smorrebrod": "Smørrebrødshuset Vesterbro I/S",
             "fjordvind": "Fjordvind Invest K/S", "revisorhuset": "Revisorhuset Aarhus P/S",
             "espiga": "Panadería La Espiga, S.A. de C.V.",
             "sierra": "Transportes Sierra Madre S. de R.L. de C.V.",
             "cumbre": "Desarrollos Cumbre S.A.P.I. de C.V.",
             "nopal": "Grupo Nopal S.A.B. de C.V.", "huasteca": "Taller Huasteca S. de R.L."}
    return AliasIndex.build([{"id": i, "kind": "customer", "name": n} for i, n in names.items()],
                            [], [])


@pytest.mark.parametrize("query,entity", [
    ("Smorrebrodshuset Vesterbro", "smorrebrod"), ("Fjordvind Invest", "fjordvind"),
    ("revisorhuset aarhus", "revisorhuset"), ("Panaderia La Espiga", "espiga"),
    ("Panadería La Espiga SA de CV", "espiga"), ("Transportes Sierra Madre", "sierra"),
    ("Desarrollos Cumbre", "cumbre"), ("Grupo Nopal", "nopal"), ("Taller Huasteca", "huasteca"),
])
def test_a_partnership_or_sociedad_is_its_name_without_the_form(query: str, entity: str
                                                                ) -> None:
    _resolves_exactly(_partnerships_and_sociedades(), query, entity)


def test_the_forms_of_partnerships_and_sociedades_are_kept_in_the_stored_name() -> None:
    """Like A/S and ApS: the stored key keeps them (no stored key changes), matching drops
    them, and another form is evidence against the name."""
    assert normalize("Fjordvind Invest K/S") == "fjordvind invest k s"
    assert normalize("Grupo Nopal, S.A.B. de C.V.") == "grupo nopal sab de cv"
    assert resolver.legal_form("Taller Huasteca S. de R.L.") == "sderl"
    assert resolver.split_form("banco de cv") == ("banco de cv", "")  # a name, not a form
    other = _partnerships_and_sociedades().resolve("Desarrollos Cumbre S.A.")
    assert other.status != "resolved" and "legal form differs" in other.candidates[0].reasons[0]


def test_a_context_naming_an_entity_with_no_relation_is_read() -> None:
    """A context may name an entity nothing is related to (a payer, a new customer): it is
    near nothing and says nothing against a candidate of another kind; it used to raise
    KeyError from the relation graph ('facts resolve Kaveri --context "Star Health"')."""
    entities = [{"id": "kaveri", "kind": "hospital", "name": "Kaveri Arogya Hospitals"},
                {"id": "pune", "kind": "city", "name": "Pune"},
                {"id": "star", "kind": "insurer", "name": "Star Health"}]
    relations = [{"src_id": "kaveri", "rel": "located_in", "dst_id": "pune"}]
    index = AliasIndex.build(entities, [], relations)
    answer = index.resolve("Kaveri", context="Star Health claims")
    assert answer.entity and answer.entity["id"] == "kaveri"
    assert index.resolve("Kaveri", context="Star Health, Pune").status == "resolved"


def test_a_name_that_leaves_out_middle_words_is_its_first_words() -> None:
    """"Kaveri Jayanagar" is Kaveri Hospital Jayanagar (found by a user test: it was a near
    miss at 6, 'words of'), as "Maria Garcia" is Maria José Garcia Lopez: the first word
    first, the others in order. Words out of order, or a first word of its own, are not."""
    entities = [{"id": "khj", "kind": "hospital", "name": "Kaveri Hospital Jayanagar"},
                {"id": "khp", "kind": "hospital", "name": "Kaveri Hospital Pune"},
                {"id": "maria", "kind": "person", "name": "Maria José Garcia Lopez"}]
    index = AliasIndex.build(entities, [], [])
    for query, entity in (("Kaveri Jayanagar", "khj"), ("Maria Garcia", "maria")):
        answer = index.resolve(query)
        assert answer.status == "resolved" and answer.entity and answer.entity["id"] == entity
        assert answer.candidates[0].reasons[0].startswith("its first word, then words of")
    assert index.resolve("Jayanagar Kaveri").status != "resolved"
    assert index.resolve("Hospital Jayanagar").status != "resolved"


def _central_european() -> AliasIndex:
    """Polish, Czech, Spanish, German, Nordic and Brazilian companies as their registries
    write them."""
    names = {"lodz": "Łódź Pharma sp. z o.o.", "gabinety": "Gabinety Olearczyk Sp.j.",
             "wieliczka": "Kopalnia Wieliczka Sp.k.", "hruba": "Jaroš Hrubá v.o.s.",
             "vlcek": "Pokorná Vlček spol. s r.o.", "rosello": "Hermanos Roselló S.Coop.",
             "roskoth": "Roskoth e.V.", "pennanen": "Pennanen Huttunen Osk",
             "teixeira": "Nunes Teixeira S/A", "dekker": "Dekker & Reimes VOF",
             "berglund": "Berglund Nordström HB"}
    return AliasIndex.build([{"id": i, "kind": "customer", "name": n} for i, n in names.items()],
                            [], [])


@pytest.mark.parametrize("query,entity", [
    ("Lodz Pharma", "lodz"), ("Łódź Pharma", "lodz"), ("Gabinety Olearczyk", "gabinety"),
    ("kopalnia wieliczka", "wieliczka"), ("Jaros Hruba", "hruba"), ("Pokorna Vlcek", "vlcek"),
    ("Hermanos Rosello", "rosello"), ("Roskoth", "roskoth"), ("Pennanen Huttunen", "pennanen"),
    ("Nunes Teixeira", "teixeira"), ("Dekker & Reimes", "dekker"),
    ("Berglund Nordstrom", "berglund"),
])
def test_polish_czech_and_other_forms_are_the_name_without_them(query: str, entity: str
                                                                ) -> None:
    _resolves_exactly(_central_european(), query, entity)


def test_the_first_part_of_a_compound_name_is_not_its_short_name() -> None:
    entities = [{"id": "bb", "kind": "customer", "name": "Baker-Bates"},
                {"id": "bmm", "kind": "customer", "name": "Brooks, Mason and Mccann"},
                {"id": "blanc", "kind": "city", "name": "Blanc-sur-Colin"},
                {"id": "gomes", "kind": "customer", "name": "Gomes da Mata - ME"}]
    index = AliasIndex.build(entities, [], [])
    for query in ("Baker", "Brooks", "Blanc"):  # any Baker's, Brooks's, Blanc's company
        answer = index.resolve(query)
        assert answer.status != "resolved", query
        assert answer.candidates[0].reasons[0].startswith("the first part of"), query
    for query, entity in (("Baker Bates", "bb"), ("Brooks Mason", "bmm"),
                          ("Gomes da Mata", "gomes")):  # a dash with spaces joins nothing
        assert index.resolve(query).entity["id"] == entity, query  # type: ignore[index]


def test_a_name_written_without_its_stroked_letters_is_met_by_its_first_words() -> None:
    """"Lodz" for Łódź Pharma sp. z o.o.: ł (and ø, æ, đ) are letters NFKD keeps whole, so
    the leading words are compared as matched, with them folded."""
    answer = _central_european().resolve("Lodz")
    assert answer.status == "resolved" and answer.entity and answer.entity["id"] == "lodz"
    assert answer.candidates[0].reasons[0] == "leading words of 'Łódź Pharma sp. z o.o.'"


@pytest.mark.parametrize("raw,normal", [
    ("Siobhán O'Connell", "siobhan oconnell"), ("Siobhan OConnell", "siobhan oconnell"),
    ("Anaïs D’Almeida", "anais dalmeida"), ("Anais D´Almeida", "anais dalmeida"),
    ("Kaʻimana Hawaiʻi Tours", "kaimana hawaii tours"), ("Sainsbury's", "sainsbury s"),
    ("Dunkin' Bakery", "dunkin bakery"), ("the ‘Brightwater’ account", "the brightwater account"),
])
def test_an_apostrophe_inside_a_word_joins_it(raw: str, normal: str) -> None:
    """"O'Connell", "OConnell" and "O’Connell" are one name; an apostrophe between a word's
    letters is no gap between words; a final "'s" still is (a possessive)."""
    assert normalize(raw) == normal


def test_a_name_without_its_apostrophe_or_accents_is_the_name_exactly() -> None:
    index = AliasIndex.build([
        {"id": "dalmeida", "kind": "person", "name": "Anaïs D’Almeida"},
        {"id": "oconnell", "kind": "person", "name": "Siobhán O'Connell"},
        {"id": "lakes", "kind": "customer", "name": "Land O'Lakes Dairy"},
    ], [], [])
    for query, entity in (("Anais DAlmeida", "dalmeida"), ("anais d'almeida", "dalmeida"),
                          ("Siobhan OConnell", "oconnell"), ("Land OLakes Dairy", "lakes")):
        answer = index.resolve(query)
        assert answer.entity and answer.entity["id"] == entity, query
        assert answer.candidates[0].reasons[0] == "exact entity name", query


def test_a_namesake_in_another_city_is_not_resolved() -> None:
    index = _companies()
    assert index.resolve("Sparrow Logistics", context="Hamburg").status == "resolved"
    elsewhere = index.resolve("Sparrow Logistics", context="Oslo")
    assert elsewhere.status != "resolved"
    assert "the context names Oslo, not its city" in elsewhere.candidates[0].reasons


def _located(country: tuple[str, str], towns: dict[str, str],
             customers: dict[str, tuple[str, str | None]],
             aliases: Sequence[dict[str, Any]] = ()) -> AliasIndex:
    """Customers (id -> name, the id of its town or None) located in towns (id -> name) of
    one country (id, name)."""
    entities = [{"id": country[0], "kind": "country", "name": country[1]}]
    relations = []
    for town, name in towns.items():
        entities.append({"id": town, "kind": "city", "name": name})
        relations.append({"src_id": town, "rel": "in_country", "dst_id": country[0]})
    for customer, (name, town) in customers.items():
        entities.append({"id": customer, "kind": "customer", "name": name})
        if town is not None:
            relations.append({"src_id": customer, "rel": "located_in", "dst_id": town})
    return AliasIndex.build(entities, list(aliases), relations)


def _towns() -> AliasIndex:
    """Companies named after families, each in one town of its country (as a registry
    has them): Stahr in Bonn and Jülich's Koch, both German."""
    return _located(("de", "Germany"), {"bonn": "Bonn", "juelich": "Jülich"},
                    {"stahr": ("Stahr", "bonn"), "koch": ("Koch Maschinenbau GmbH", "juelich")})


def test_a_namesake_in_another_town_of_its_country_is_not_resolved() -> None:
    index = _towns()
    assert index.resolve("Stahr", context="Bonn").status == "resolved"
    elsewhere = index.resolve("Stahr", context="Jülich")  # the country the towns share
    assert elsewhere.status == "ambiguous"  # is no support against the other town
    assert [c.id for c in elsewhere.candidates] == ["stahr"]
    assert "the context names Jülich, not its city" in elsewhere.candidates[0].reasons


def test_a_country_the_other_town_implies_is_no_support() -> None:
    """'Jülich, Germany' names Germany because Jülich is there: once the store shows that
    its towns each lie in one country, the country says nothing for the Stahr of Bonn."""
    towns = ["Bonn", "Jülich", "Aachen", "Köln", "Essen", "Minden"]
    entities = [{"id": "de", "kind": "country", "name": "Germany"}]
    relations = []
    for n, town in enumerate(towns):
        entities.append({"id": f"t{n}", "kind": "city", "name": town})
        relations.append({"src_id": f"t{n}", "rel": "in_country", "dst_id": "de"})
        for m in range(2):
            name = "Stahr" if (n, m) == (0, 0) else f"Firma {n}{m}"
            entities.append({"id": f"c{n}{m}", "kind": "customer", "name": name})
            relations.append({"src_id": f"c{n}{m}", "rel": "located_in", "dst_id": f"t{n}"})
    index = AliasIndex.build(entities, [], relations)
    assert index.resolve("Stahr", context="Bonn, Germany").status == "resolved"
    elsewhere = index.resolve("Stahr", context="Jülich, Germany")
    assert elsewhere.status == "ambiguous", elsewhere.candidates[0].reasons
    assert "Germany goes with Jülich, said against it" in elsewhere.candidates[0].reasons


@pytest.mark.parametrize("town", ["Lüneburg", "Sainte Renédan", "Sá de Goiás", "Bad-Tölz",
                                  "Frankfurt am Main", "Stoke-on-Trent", "St. Louis"])
def test_a_town_the_store_does_not_hold_is_not_the_candidate_s(town: str) -> None:
    answer = _towns().resolve("Stahr", context=town)
    assert answer.status == "ambiguous" and answer.candidates[0].id == "stahr", town
    assert (f"the context names {town}, which the store does not hold, not its city"
            in answer.candidates[0].reasons)


def _rare_names() -> AliasIndex:
    """A rare two-word name (among 400 others, it weighs more than 'nothing near' takes
    away), a town of two words starting like another's, a town named like a family, and
    enough towns none of whose names carries a legal form for a form to say it is not a
    town's."""
    towns = ["Sainte-Marie", "Wormer", "Madrid", "Lisboa", "Garcia", "Merle-la-Forêt",
             *(f"Town {chr(65 + n)}" for n in range(20))]
    customers: dict[str, tuple[str, str | None]] = {
        "loos": ("Simon Loos", "t1"), "fleury": ("Fleury", "t0"),
        "garcia-co": ("Garcia Hermanos S.L.", "t2"), "ribeiro": ("Ribeiro Ltda.", None),
        "kramer": ("Kramer GmbH", None), "carvalho": ("Carvalho", "t3"),
        "merle": ("Merle SA", "t5"), **{f"c{n}": (f"Client {n:03}", None) for n in range(400)}}
    return _located(("fr", "France"), {f"t{n}": town for n, town in enumerate(towns)},
                    customers)


def test_a_rare_name_in_a_town_the_store_does_not_hold_is_not_resolved() -> None:
    """However rare the name (the weight of a rare exact name outweighs 'nothing near'), a
    town the store cannot place it in makes it a question for a person, not an answer."""
    index = _rare_names()
    assert index.resolve("Simon Loos", context="Wormer").status == "resolved"
    elsewhere = index.resolve("Simon Loos", context="Jorwert")
    assert elsewhere.status == "ambiguous", elsewhere.candidates[0].reasons
    assert [c.id for c in elsewhere.candidates] == ["loos"]


def test_a_town_that_shares_a_word_with_the_candidate_s_is_not_it() -> None:
    """'Sainte Édith' is not Sainte-Marie: one word in common is no support, while the
    town written in part, or with a slip, still is."""
    index = _rare_names()
    for town in ("Sainte-Marie", "Sainte Marie", "Sainte Marei"):
        assert index.resolve("Fleury", context=town).status == "resolved", town
    other = index.resolve("Fleury", context="Sainte Édith")
    assert other.status == "ambiguous"
    assert ("the context names Sainte Édith, which the store does not hold, not its city"
            in other.candidates[0].reasons)


def test_a_name_the_context_names_that_is_not_connected_to_the_candidate() -> None:
    """'Carvalho' names a customer, and the query's town; the store's Simon Loos has
    nothing to do with it. Its own town named with its name's word still counts."""
    index = _rare_names()
    unconnected = index.resolve("Simon Loos", context="Carvalho")
    assert unconnected.status == "ambiguous"
    assert ("the context names Carvalho, which the store cannot connect to it, not its city"
            in unconnected.candidates[0].reasons)
    assert index.resolve("Merle SA", context="Merle-la-Forêt").status == "resolved"


@pytest.mark.parametrize("query", ["Garcia Ltda.", "GARCIA S.A.", "Garcia GmbH"])
def test_a_legal_form_written_as_one_is_no_town_s_name(query: str) -> None:
    answer = _rare_names().resolve(query)
    assert answer.status != "resolved", query
    town = next(c for c in answer.candidates if c.id == "t4")
    assert any("no city has one" in r for r in town.reasons)


@pytest.mark.parametrize("query", ["Garcia", "garcia sa", "Garcia Sa"])
def test_a_word_that_may_be_a_form_or_a_name_leaves_the_town(query: str) -> None:
    """Lower case or capitalised like the rest of the name, 'sa' is as likely the surname
    Sá as the form S.A.: the town stays what the name means."""
    assert _rare_names().resolve(query).entity == {"id": "t4", "name": "Garcia",
                                                   "kind": "city"}, query


def test_a_form_says_nothing_in_a_store_whose_names_have_none() -> None:
    """Customers kept by their short names ("Globex"), none with a form: "Globex Corp." is
    still Globex. So is a form no stored name has, where other names have forms ("Garcia
    OY": no name of the store ends in Oy)."""
    plain = AliasIndex.build([{"id": f"c{n}", "kind": "customer", "name": name} for n, name
                              in enumerate(["Globex", *(f"Client {n:02}" for n in range(25))])],
                             [], [])
    assert plain.resolve("Globex Corp.").status == "resolved"
    assert _rare_names().resolve("Garcia OY").entity == {"id": "t4", "name": "Garcia",
                                                         "kind": "city"}


def _krupka() -> AliasIndex:
    """Three towns (too few for towns to be known formless by their count) and customers,
    one named after its town: Krupka Nářadí s.r.o. (of Teplice), and the town Krupka."""
    return _located(("cz", "Czechia"), {"krupka": "Krupka", "brno": "Brno", "teplice": "Teplice"},
                    {"krupka-naradi": ("Krupka Nářadí s.r.o.", "teplice"),
                     "novak": ("Novák a syn s.r.o.", "brno"), "globex": ("Globex", "brno"),
                     "globex-log": ("Globex Logistics a.s.", "brno")})


@pytest.mark.parametrize("query", ["Krupka s.r.o.", "KRUPKA S.R.O.", "Krupka sro",
                                   "Krupka SRO"])
def test_a_form_a_rival_s_name_has_is_no_town_s_name_however_few_towns(query: str) -> None:
    """'Krupka s.r.o.' is not the town Krupka, exactly as its name is written without the
    form: a customer whose name is those words and that form may be meant (listed first), the
    town hardly; typed as a plain word ('Krupka sro') too, beside that customer. Without the
    form, or with one no such name has, the town; a customer named exactly beside a longer
    customer's name with the form stays that customer."""
    index = _krupka()
    answer = index.resolve(query)
    assert answer.status == "ambiguous", answer
    assert [c.id for c in answer.candidates] == ["krupka-naradi", "krupka"]
    assert "no city has one" in answer.candidates[1].reasons[-1]
    assert index.resolve("Krupka").entity["id"] == "krupka"  # type: ignore[index]
    # a form no name like it has, among three towns: nothing says whose it is
    assert index.resolve("Krupka GmbH").entity["id"] == "krupka"  # type: ignore[index]
    assert index.resolve("Krupka gmbh").entity["id"] == "krupka"  # type: ignore[index]
    # a customer named exactly, beside a customer whose longer name has the form
    assert index.resolve("Globex a.s.").entity["id"] == "globex"  # type: ignore[index]


@pytest.mark.parametrize("context", ["EMEA renewal", "EMEA", "Q3 review", "invoice 2026",
                                     "renewal for the Lüneburg office", "Germany", "Bonn"])
def test_a_context_that_is_no_bare_name_or_names_its_neighbour_is_no_unknown_town(
        context: str) -> None:
    assert _towns().resolve("Stahr", context=context).status == "resolved", context


def test_in_a_question_a_town_is_not_contradicted_by_a_customer_named_beside_it() -> None:
    """'Sá da Bandeira volume in Braga': the customer (of Porto) is in doubt, not Braga, whose
    customers are not its own relations; the customer's town is."""
    places = ("pt", "Portugal"), {"porto": "Porto", "braga": "Braga"}, {
        "sab": ("Café Sá da Bandeira Lda.", "porto"), "ze": ("Pastelaria do Zé", "braga")}
    index = _located(*places)
    named = _located(*places, [_alias("sab", "Sá da Bandeira", "name")])
    for each in (index, named):  # its words, or a name the store holds
        assert each.resolve("Braga", context="Sá da Bandeira volume in",
                            question=True).status == "resolved"
    assert index.resolve("Café Sá da Bandeira", context="volume in Braga",
                         question=True).status == "ambiguous"


def test_a_question_s_other_words_are_no_unknown_town() -> None:
    index = _towns()  # "Umsatz Stahr FY26-Q2": the pack reads Umsatz as the context
    assert index.resolve("Stahr", context="Umsatz", question=True).status == "resolved"
    assert index.resolve("Stahr", context="Umsatz").status == "ambiguous"


def test_another_legal_form_is_evidence_against_a_name() -> None:
    index = _companies()
    assert index.resolve("Tern Systems AG").status != "resolved"
    assert index.resolve("Tern Systems Limited").entity["id"] == "tern"  # type: ignore[index]


def test_scores_are_probabilities_that_share_out_between_candidates() -> None:
    acme = _index().resolve("Acme")
    assert [c.score for c in acme.candidates] == [50, 50]
    alone = _index().resolve("Bluefin Health")
    assert alone.candidates[0].score >= round(100 * evidence.DEFAULT.resolve_at)


def test_a_config_preset_sets_the_operating_point() -> None:
    strict = evidence.PRESETS["strict"]
    assert strict.resolve_at > evidence.DEFAULT.resolve_at
    index = _index()
    typo = "International Busines Machines"
    default, sure = index.resolve(typo), index.resolve(typo, config=strict)
    assert default.status == "resolved" and sure.status == "ambiguous"
    assert sure.candidates[0].id == "ibm"
    with pytest.raises(ValueError):
        evidence.ResolverConfig(**{**strict.model_dump(), "nobody": "often"})
    assert strict.with_weights(strict.weights) == strict


def test_cli_resolve_json_and_batch(facts: Facts, tmp_path: Path) -> None:
    facts("import", str(FIXTURES / "northwind.yaml"), "--by", AUTHOR)
    out = json.loads(facts("resolve", "Acme", "--context", "EMEA renewal", "--json").output)
    assert set(out) == {"query", "status", "entity", "candidates"}
    assert out["status"] == "resolved" and out["entity"]["id"] == "acme-gmbh"
    batch = tmp_path / "names.jsonl"
    batch.write_text('{"query": "Acme"}\n{"query": "Acme", "context": "EMEA"}\n'
                     '{"query": "Initech"}\n', encoding="utf-8")
    lines = [json.loads(x) for x in facts("resolve", "--batch", str(batch)).output.splitlines()]
    assert [x["status"] for x in lines] == ["ambiguous", "resolved", "unknown"]


def test_cli_resolve_exits_3_for_unknown_and_5_for_ambiguous(facts: Facts) -> None:
    facts("import", str(FIXTURES / "northwind.yaml"), "--by", AUTHOR)
    assert facts("resolve", "Acme", "--context", "EMEA renewal").exit_code == 0
    assert facts("resolve", "BrightPath", "--context", "EMEA").exit_code == 0
    elsewhere = facts("resolve", "BrightPath", "--context", "Lakemont", "--json", ok=False)
    assert elsewhere.exit_code == 5, elsewhere.output  # a town the store does not hold
    assert json.loads(elsewhere.output)["candidates"][0]["id"] == "brightpath-consulting"
    ambiguous = facts("resolve", "Acme", "--json", ok=False)
    assert ambiguous.exit_code == 5 and json.loads(ambiguous.output)["status"] == "ambiguous"
    unknown = facts("resolve", "Zyxqvut Pmbrk", ok=False)
    assert unknown.exit_code == 3 and unknown.output.startswith("unknown:")


def test_resolve_as_of_an_older_commit(facts: Facts) -> None:
    facts("add", "entity", "--id", "globex", "--kind", "customer", "--name", "Globex", "--by",
          AUTHOR)
    facts("add", "entity", "--id", "globex", "--kind", "customer", "--name", "Globex Prime",
          "--update", "--by", AUTHOR)
    now = json.loads(facts("resolve", "Globex Prime", "--json").output)
    before = json.loads(facts("resolve", "Globex Prime", "--as-of", "HEAD~1", "--json",
                              ok=False).output)
    assert now["status"] == "resolved"
    assert before["entity"] is None or before["candidates"][0]["score"] < now["candidates"][0][
        "score"]


# -- the alias index on disk ---------------------------------------------------------------

QUERIES = [("Acme", None), ("Acme", "EMEA renewal"), ("acme gmbh", None), ("Bluefn Grup", None),
           ("Harbor Medical Systems", None), ("Initech", None), ("Kaito", "Asia-Pacific")]


@pytest.fixture
def cached_url(store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A store holding the fixtures whose alias index is cached on disk whatever its size
    (a Dolt server's cache goes under XDG_CACHE_HOME, here in tmp_path)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.setattr(Names, "index_cache_from", 0)
    with open_store(store_url) as store:
        store.import_file(FIXTURES / "northwind.yaml", author=AUTHOR)
    return store_url


def _answers(store: FactStore) -> list[Resolution]:
    return [store.resolve(q, context=c, valid_at="2026-01-01") for q, c in QUERIES]


def _cache_file(url: str) -> Path:
    with open_store(url) as store:
        return index_cache.cache_path(store.backend.cache_dir, store.head())


def test_a_second_store_on_the_same_commit_loads_the_alias_index_from_disk(
        cached_url: str) -> None:
    with open_store(cached_url) as first:
        built = _answers(first)
        assert first._names.index(first.head()).origin is None
    path = _cache_file(cached_url)
    assert path.is_file()
    with open_store(cached_url) as second:
        assert _answers(second) == built
        assert second._names.index(second.head()).origin == path
        assert second.show("Acme GmbH").id == "acme-gmbh"  # rows come back whole


def test_a_new_commit_gets_its_own_cache_file(cached_url: str, facts: Facts) -> None:
    before = _cache_file(cached_url)
    with open_store(cached_url) as store:
        assert store.resolve("Globex").status == "unknown"
    facts("add", "entity", "--id", "globex", "--kind", "customer", "--name", "Globex",
          "--by", AUTHOR)
    after = _cache_file(cached_url)
    assert after != before
    with open_store(cached_url) as store:
        assert store.resolve("Globex").entity == {"id": "globex", "name": "Globex",
                                                  "kind": "customer"}
    assert after.is_file() and before.is_file()
    with open_store(cached_url) as store:
        assert store._names.index(store.head()).origin == after


@pytest.mark.parametrize("damage", ["truncated", "one byte flipped", "not an index"])
def test_a_damaged_cache_file_is_ignored_and_rebuilt(cached_url: str, damage: str) -> None:
    with open_store(cached_url) as first:
        built = _answers(first)
    path = _cache_file(cached_url)
    data = bytearray(path.read_bytes())
    if damage == "truncated":
        del data[len(data) // 2:]
    elif damage == "one byte flipped":
        data[len(data) // 2] ^= 0xFF
    else:
        data = bytearray(b"\x00" * 100)
    path.write_bytes(bytes(data))
    with open_store(cached_url) as second:
        assert _answers(second) == built
        assert second._names.index(second.head()).origin is None
    with open_store(cached_url) as third:
        assert third._names.index(third.head()).origin == path


def test_old_cache_files_and_abandoned_temporary_files_are_removed(cached_url: str,
                                                                  facts: Facts) -> None:
    folder = _cache_file(cached_url).parent
    folder.mkdir(parents=True, exist_ok=True)
    abandoned, in_progress = folder / ".writing-killed", folder / ".writing-now"
    abandoned.write_bytes(b"half a file")
    in_progress.write_bytes(b"being written")
    os.utime(abandoned, (time.time() - 7200, time.time() - 7200))
    for i in range(index_cache.KEEP + 1):
        facts("add", "entity", "--id", f"e{i}", "--kind", "customer", "--name", f"E {i}",
              "--by", AUTHOR)
        with open_store(cached_url) as store:
            store.resolve("Acme")
    assert len(list(folder.glob("aliases-*.idx"))) == index_cache.KEEP
    assert _cache_file(cached_url).is_file()
    assert not abandoned.exists() and in_progress.exists()


def test_small_stores_write_no_cache(store_url: str, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    with open_store(store_url) as store:
        store.import_file(FIXTURES / "northwind.yaml", author=AUTHOR)
        assert store.resolve("Acme", context="EMEA").status == "resolved"
        assert not index_cache.cache_path(store.backend.cache_dir, store.head()).exists()


def test_a_long_build_reports_its_progress_and_ends_each_stage() -> None:
    entities = [{"id": f"c{i}", "kind": "customer", "name": f"Customer {i} GmbH"}
                for i in range(25_000)]
    told: list[tuple[str, int, int]] = []
    index = AliasIndex.build(entities, [], [], progress=lambda *a: told.append(a))
    stages = list(dict.fromkeys(stage for stage, _, _ in told))
    assert stages == ["indexing names", "indexing trigrams"]
    for stage in stages:
        assert [(d, t) for s, d, t in told if s == stage][-1] == (25_000, 25_000)
    assert index.resolve("Customer 12345").entity["id"] == "c12345"  # type: ignore[index]


def test_large_and_small_builds_file_the_same_postings(monkeypatch: pytest.MonkeyPatch) -> None:
    names = ["Nestlé S.A.", "Acme Corporation", "日本 電気", "A", "Acme Acme Acme", "Co"] * 3
    entities = [{"id": f"e{i}", "kind": "customer", "name": n} for i, n in enumerate(names)]
    small = AliasIndex.build(entities, [], [])
    monkeypatch.setattr(name_index, "VECTORISE_FROM", 1)
    monkeypatch.setattr(name_index, "CHUNK", 5)
    large = AliasIndex.build(entities, [], [])
    for name in ("exact", "tokens", "grams", "by_entity"):
        a, b = getattr(small, name), getattr(large, name)
        assert dict(a) == dict(b), name


def test_a_store_reports_a_long_build_to_its_callback_and_prints_nothing(
        store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capfd: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.setattr(names_module, "PROGRESS_FROM", 10)  # "long" for this small store
    monkeypatch.setattr(Names, "index_cache_from", 0)
    told: list[tuple[str, int, int]] = []
    with open_store(store_url, progress=lambda *a: told.append(a)) as store:
        store.import_file(FIXTURES / "northwind.yaml", author=AUTHOR)
        capfd.readouterr()
        assert store.resolve("Acme", context="EMEA").status == "resolved"
    assert list(dict.fromkeys(stage for stage, _, _ in told)) == [
        "reading names", "indexing names", "indexing trigrams", "caching the index"]
    assert capfd.readouterr() == ("", "")


def test_large_and_small_indexes_shortlist_the_same_aliases_in_the_same_order(
        monkeypatch: pytest.MonkeyPatch) -> None:
    words = ["acme", "globex", "initech", "umbrella", "stark", "wayne", "tyrell", "cyberdyne"]
    names = [f"{a} {b} {i % 7}" for i, (a, b) in enumerate(
        (a, b) for a in words for b in words for _ in range(5))]
    entities = [{"id": f"e{i}", "kind": "customer", "name": n} for i, n in enumerate(names)]
    index = AliasIndex.build(entities, [], [])
    queries = ["acme globx 3", "wayne", "tyrel cyberdine", "stark umbrella 6", "zzz"]
    small = [index.shortlist(q, limit=25, budget=300) for q in queries]
    monkeypatch.setattr(name_index, "VECTORISE_FROM", 1)
    assert [index.shortlist(q, limit=25, budget=300) for q in queries] == small
    assert all(small[:4])


def test_a_full_legal_name_is_not_made_ambiguous_by_context_neighbours() -> None:
    index = AliasIndex.build(
        [{"id": "acme-corp", "kind": "customer", "name": "Acme Corporation"},
         {"id": "amer", "kind": "region", "name": "Americas"},
         {"id": "lakemont", "kind": "customer", "name": "City of Lakemont"},
         {"id": "orbital", "kind": "customer", "name": "Orbital Freight"}],
        [{"entity_id": "amer", "alias": "AMER", "normalized": "amer", "alias_kind": "code",
          "valid_from": None, "valid_to": None}],
        [{"src_id": "lakemont", "rel": "located_in", "dst_id": "amer"},
         {"src_id": "orbital", "rel": "located_in", "dst_id": "amer"}])
    answer = index.resolve("Acme Corporation", context="approval for City of Lakemont")
    assert answer.status == "resolved" and answer.entity and answer.entity["id"] == "acme-corp"
    # "of" in the context is a stopword, not the acronym of Orbital Freight
    assert index._read_context("City of Lakemont")[0] == {"lakemont"}


def _residents() -> AliasIndex:
    people = [("p1", "Jake Warnock", "Taralga", "2474", "1964-10-01"),
              ("p2", "Jake Warnock", "Bellevue", "6056", "1971-03-12"),
              ("p3", "Mia Hollis", "Mount Isa", "4825", "1988-05-09")]
    entities: list[dict[str, Any]] = []
    relations = []
    for pid, name, suburb, postcode, born in people:
        entities.append({"id": pid, "kind": "person", "name": name})
        for kind, value, rel in (("suburb", suburb, "lives_in"),
                                 ("postcode", postcode, "has_postcode"),
                                 ("born", born, "born_on")):
            key = f"{kind}:{value}"
            if not any(e["id"] == key for e in entities):
                entities.append({"id": key, "kind": kind, "name": value})
            relations.append({"src_id": pid, "rel": rel, "dst_id": key})
    return AliasIndex.build(entities, [], relations)


@pytest.mark.parametrize("context", [
    "tarlga 2744",  # both misspelt: a slip for p1's suburb, two digits swapped in its postcode
    "Taralga 2447",
    "born 1946-10-01",  # p1's birth date with two digits of the year swapped
])
def test_a_context_that_misspells_the_attributes_is_for_the_candidate(context: str) -> None:
    answer = _residents().resolve("Jake Warnock", context=context)
    assert answer.entity is not None and answer.entity["id"] == "p1", answer
    assert any("like names near it" in r for r in answer.candidates[0].reasons), answer


def test_a_word_split_in_two_in_the_context_is_the_word() -> None:
    answer = _residents().resolve("Mia Hollis", context="moun t isa")
    assert answer.entity is not None and answer.entity["id"] == "p3"
    found, _ = _residents().evidence("Mia Hollis", context="moun t isa")
    assert "mount" in found["p3"].near_words


def test_a_context_unlike_either_namesake_leaves_them_ambiguous() -> None:
    answer = _residents().resolve("Jake Warnock", context="Darwin 0800")
    assert answer.status != "resolved"


def _persons(*names: str) -> AliasIndex:
    return AliasIndex.build([{"id": f"p{i}", "kind": "person", "name": n}
                             for i, n in enumerate(names)], [], [])


def test_another_given_name_like_the_stored_one_is_evidence_against_it() -> None:
    index = _persons("Charles Orchard", "Christopher Vane", "Mia Hollis")
    found, _ = index.evidence("Charlotte Orchard")
    assert found["p0"].differs == [("charlotte", "charles")]
    assert "'charlotte' is another name than 'charles'" in found["p0"].reasons()
    assert found["p0"].features(evidence.DEFAULT)["word_differs"] == 1
    # what the two share is "orchard" alone: as common as that word, not as the whole name
    assert (found["p0"].common or 0.0) > (index.evidence("Charles Orchard")[0]["p0"].common
                                          or 0.0)
    # a slip, a short form and an initial are the name, not another one
    assert index.evidence("Charels Orchard")[0]["p0"].differs == []
    for said, theirs in (("chris vane", "christopher vane"), ("c vane", "christopher vane"),
                         ("mia hollsi", "mia hollis"), ("satte rley", "satterley")):
        assert resolver._differs(said.split(), theirs.split()) == [], said


def test_a_name_of_one_word_counts_how_many_entities_have_it() -> None:
    index = _persons("Jack Bruinewoud", "Jack Orchard", "Jack Vane", "Tern Hollis")
    found, _ = index.evidence("Jack")
    assert {e: ev.common_word for e, ev in found.items()} == {
        f"p{i}": round(math.log(3), 2) for i in range(3)}
    assert index.evidence("Tern")[0]["p3"].common_word == 0.0  # the only one: nothing less
    assert index.evidence("Jack Vane")[0]["p2"].common_word is None  # two words: `common`


def test_a_name_with_its_legal_form_is_not_the_first_words_of_a_longer_one() -> None:
    index = AliasIndex.build([{"id": "d", "kind": "customer", "name": "Diadortel Materials"}],
                             [], [])
    found, _ = index.evidence("Diadortel GmbH")
    assert found["d"].features(evidence.DEFAULT)["cut_short"] == 1
    assert index.resolve("Diadortel GmbH").status != "resolved"
    assert index.resolve("Diadortel").status == "resolved"  # no legal form: the first words


def test_a_year_that_agrees_only_inside_a_birth_date_that_does_not_is_no_agreement() -> None:
    entities = [{"id": "p", "kind": "person", "name": "Sebastian Schneider"},
                {"id": "y", "kind": "birth year", "name": "2001"},
                {"id": "d", "kind": "born", "name": "2001-05-03"},
                {"id": "o", "kind": "born", "name": "2001-09-30"},
                {"id": "s", "kind": "born", "name": "2001-05-08"},
                {"id": "q", "kind": "person", "name": "Mia Hollis"}]
    relations = [{"src_id": "q", "rel": "born_on", "dst_id": "s"},
                 {"src_id": "p", "rel": "born_in", "dst_id": "y"},
                 {"src_id": "p", "rel": "born_on", "dst_id": "d"},
                 {"src_id": "q", "rel": "born_in", "dst_id": "y"},
                 {"src_id": "q", "rel": "born_on", "dst_id": "o"}]
    index = AliasIndex.build(entities, [], relations)
    found, _ = index.evidence("Sebastian Schneider", context="2001-09-30 2001")
    assert found["p"].partial == 1 and not found["p"].slips  # 09-30 is no slip of 05-03
    found, _ = index.evidence("Sebastian Schneider", context="2001-05-08 2001")
    assert found["p"].partial == 0 and found["p"].slips  # one digit off: a slip


def test_two_parts_of_its_birth_date_are_something_for_it() -> None:
    """'2003-10-23' for the Andrea Wolf born 1988-10-23: the year is against her, but the
    month and day of her birth date are for her, so 'nothing for it' does not apply; one
    part alone (a month shared by one person in twelve) is not enough to lift it."""
    entities = [{"id": "p", "kind": "person", "name": "Andrea Wolf"},
                {"id": "y", "kind": "birth year", "name": "1988"},
                {"id": "d", "kind": "born", "name": "1988-10-23"},
                {"id": "y2", "kind": "birth year", "name": "2003"}]
    relations = [{"src_id": "p", "rel": "born_in", "dst_id": "y"},
                 {"src_id": "p", "rel": "born_on", "dst_id": "d"}]
    index = AliasIndex.build(entities, [], relations)
    two = index.evidence("Andrea Wolf", context="2003-10-23 2003")[0]["p"]
    assert two.near_words == ["10", "23"] and two.contradicts
    assert "nothing_near" not in two.features(evidence.DEFAULT)
    one = index.evidence("Andrea Wolf", context="2003-10-05 2003")[0]["p"]
    assert one.near_words == ["10"]
    assert one.features(evidence.DEFAULT)["nothing_near"] == 1


def test_a_word_many_stored_names_carry_unlike_any_of_the_name_is_another_persons() -> None:
    index = _persons("Charles Orchard", "Charlotte Vane", "Charlotte Hollis", "Charlotte Bruin",
                     "Charlotte Quay", "Mia Tarrant")
    found, _ = index.evidence("Charlotte Orchard")
    assert found["p0"].other_words == ["charlotte"]  # four others are named charlotte
    assert found["p0"].features(evidence.DEFAULT)["other_word"] == 1
    assert "'charlotte' is a name many others have, unlike its words" in found["p0"].reasons()
    # a slip of its own word, a word nobody else has: no other person's name
    for query in ("Charels Orchard", "Charlyx Orchard"):
        assert index.evidence(query)[0]["p0"].other_words == [], query


def test_a_word_joined_to_its_neighbour_is_like_a_word_of_the_name_only_as_a_split_word(
        ) -> None:
    """"reid" joined to "charlotte" is as like "charlotte" as "charlotte" alone: no split
    word, so "charlotte reid" has a word unlike "charlotte clarke"'s; "satte rley" is one."""
    index = _persons("Charlotte Clarke", "Charlotte Vane", "Charlotte Hollis", "Charlotte Bruin",
                     "Mia Reid", "Ella Reid", "Zoe Reid", "Ada Reid", "Garth Satterley")
    found, _ = index.evidence("Charlotte Reid")
    assert found["p0"].other_words == ["reid"]
    assert "p8" in index.evidence("Garth Satte Rley")[0]
    assert not index.evidence("Garth Satte Rley")[0]["p8"].rare_word
    assert name_likeness.unlike(["rley"], ["satte", "rley"], ["satterley"], 80) == []
    assert name_likeness.unlike(["reid"], ["charlotte", "reid"], ["charlotte", "clarke"],
                                80) == ["reid"]
    # an initial is never unlike, nor a word the name has as its initial
    assert name_likeness.unlike(["d", "jay"], ["james", "d", "jay", "anderson"],
                                ["james", "j", "anderson"], 80) == []


def test_an_entitys_own_spellings_are_one_holder_of_its_words() -> None:
    """"GRANITE POINT CORP" in a store of two companies: its words are on four aliases, all
    Granite Point's, so the name is rare (no namesake expected), and an exact name with nothing
    else said resolves at the fitted weight (no hand-set one)."""
    def alias(text: str, kind: str) -> dict[str, object]:
        return {"entity_id": "granite", "alias": text, "normalized": normalize(text),
                "alias_kind": kind, "valid_from": None, "valid_to": None}

    index = AliasIndex.build(
        [{"id": "granite", "kind": "customer", "name": "Granite Point"},
         {"id": "orvik", "kind": "customer", "name": "Orvik Systems"}],
        [alias("Granite Point Corp", "name"), alias("Granite Point Corporation", "former"),
         alias("GRANITE POINT CORP", "code")], [])
    found, _ = index.evidence("GRANITE POINT CORP")
    assert found["granite"].common is not None and found["granite"].common < 0
    assert index.resolve("GRANITE POINT CORP").status == "resolved"


def _townsfolk(pairs: bool) -> AliasIndex:
    """Twelve people, two to each town and each birth date. pairs: every town lies in one
    region and every date in one year, as a city lies in its country (the town implies the
    region); otherwise each of a town's two people lives in another region, as Febrl's
    suburbs and postcodes vary apart."""
    given = ["Maren", "Odile", "Petra", "Rasmus", "Soren", "Tilde"]
    family = ["Quastberg", "Vellacott", "Harrowgate", "Blenkiron", "Dunmore", "Pellinor",
              "Tregothnan", "Ashbury", "Corlander", "Myddleton", "Fenwarth", "Grisedale"]
    entities: list[dict[str, Any]] = []
    relations = []
    for i, surname in enumerate(family):
        pid = f"p{i}"
        entities.append({"id": pid, "kind": "person", "name": f"{given[i // 2]} {surname}"})
        region = 0 if pairs else i % 2
        for kind, value, rel in (("town", f"Town{i // 2}", "lives_in"),
                                 ("region", f"Region{region}", "in_region"),
                                 ("born", f"1941-0{i // 2 + 1}-11", "born_on"),
                                 ("birth year", "1941" if pairs else f"19{40 + i % 2}",
                                  "born_in")):
            key = f"{kind}:{value}"
            if not any(e["id"] == key for e in entities):
                entities.append({"id": key, "kind": kind, "name": value})
            relations.append({"src_id": pid, "rel": rel, "dst_id": key})
    return AliasIndex.build(entities, [], relations)


def test_a_context_entity_another_one_implies_counts_once() -> None:
    """Everyone born on 1941-01-11 is born in 1941, everyone in Town0 is in Region0: the
    second says nothing the first did not. A person not in the store who shares the given
    name and both with p0, with another surname like hers, is not taken for her on the
    context counted twice (it was, at 100); the stored person herself still is."""
    index = _townsfolk(pairs=True)
    found, _ = index.evidence("Maren Quastor", context="1941-01-11 1941")
    assert len(found["p0"].near) == 1, found["p0"].near
    assert "1941 goes with 1941-01-11, counted once" in found["p0"].reasons()
    for context in ("1941-01-11 1941", "Town0 Region0"):
        assert index.resolve("Maren Quastor", context=context).status != "resolved", context
        answer = index.resolve("Maren Quastberg", context=context)
        assert answer.entity is not None and answer.entity["id"] == "p0", answer


def test_context_entities_of_kinds_that_vary_apart_each_count() -> None:
    """A town whose people live in different regions does not imply a region (Febrl's
    suburb and postcode): both count."""
    index = _townsfolk(pairs=False)
    found, _ = index.evidence("Maren Quastor", context="Town0 Region0")
    assert found["p0"].near and found["p0"].features(evidence.DEFAULT)["near1"] == 2
    assert len(found["p0"].near) == 2 and not found["p0"].implied, found["p0"].reasons()
