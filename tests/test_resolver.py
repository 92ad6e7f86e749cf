"""The resolver: which "Acme"? Unit behaviours on a small index, then through the store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from factstore.resolver import AliasIndex, acronym, normalize

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
    typo = index.resolve("Bluefinn Helth")
    assert typo.status == "resolved" and typo.entity["id"] == "bluefin"  # type: ignore[index]
    assert typo.candidates[0].reasons[0].startswith("fuzzy")
    assert index.resolve("Initech").status == "unknown"


def test_kind_hint_ranks_other_kinds_lower() -> None:
    result = _index().resolve("EMEA", kind="customer")
    assert result.candidates[0].score < 75


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


def test_resolve_as_of_an_older_commit(facts: Facts) -> None:
    facts("add", "entity", "--id", "globex", "--kind", "customer", "--name", "Globex", "--by",
          AUTHOR)
    facts("add", "entity", "--id", "globex", "--kind", "customer", "--name", "Globex Prime",
          "--by", AUTHOR)
    now = json.loads(facts("resolve", "Globex Prime", "--json").output)
    before = json.loads(facts("resolve", "Globex Prime", "--as-of", "HEAD~1", "--json").output)
    assert now["status"] == "resolved"
    assert before["entity"] is None or before["candidates"][0]["score"] < now["candidates"][0][
        "score"]
