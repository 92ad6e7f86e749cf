"""A write acts only on the row it names (an id, or exactly a term, entity name or alias);
reads may follow a name the resolver is sure of and say so; provenance follows every change.
On both backends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from factstore import Ambiguous, Fact, FactStore, NotFound
from factstore.importers import load_file

from .conftest import AUTHOR, Facts

BANKS = """
factstore: 1
sources:
  - {id: src:crm, title: CRM export, kind: system_of_record, authority: 90,
     captured_at: 2025-11-05}
  - {id: src:board, title: Board deck, kind: policy, authority: 90, captured_at: 2025-10-01}
entities:
  - {id: tern-bank, kind: customer, name: Tern Bank}
  - {id: fern-bank, kind: customer, name: Fern Bank}
  - id: acme-corp
    kind: customer
    name: Acme Corporation
    aliases: [{alias: ACME Inc., kind: name}]
definitions:
  - {id: "def:acv@finance", term: ACV, scope: finance, text: "Annual contract value"}
facts:
  - {id: fact:tern-acv, subject: tern-bank, predicate: acv, value: 100, value_type: money,
     unit: USD, period: FY26-Q3, source: src:crm, quote: "ACV 100"}
  - {id: fact:fern-acv, subject: fern-bank, predicate: acv, value: 200, period: FY26-Q3,
     source: src:crm}
  - {id: fact:acme-acv, subject: acme-corp, predicate: acv, value: 1200000, unit: USD,
     period: FY26-Q3, source: src:crm, quote: "ACV 1.2M"}
  - {id: fact:acme-acv-board, subject: acme-corp, predicate: acv, value: 1250000, unit: USD,
     period: FY26-Q3, source: src:board}
"""
BY = ("--by", AUTHOR)


@pytest.fixture
def banks_file(tmp_path: Path) -> Path:
    path = tmp_path / "banks.yaml"
    path.write_text(BANKS, encoding="utf-8")
    return path


@pytest.fixture
def banks(store: FactStore, banks_file: Path) -> FactStore:
    store.import_batch(load_file(banks_file), author=AUTHOR, message="Import banks")
    return store


@pytest.fixture
def cli(facts: Facts, banks_file: Path) -> Facts:
    facts("import", str(banks_file), *BY)
    return facts


def _head(facts: Facts) -> str:
    return str(json.loads(facts("log", "-n", "1", "--json").output)[0]["commit"])


def _row(facts: Facts, item_id: str) -> dict[str, object]:
    return dict(json.loads(facts("show", item_id, "--json").output)["row"])


# -- 1. a write acts only on the row named ----------------------------------------------------


def test_correct_by_a_misspelt_name_exits_2_with_did_you_mean_and_writes_nothing(
        cli: Facts) -> None:
    head = _head(cli)
    result = cli("correct", "Tern Bnak", "--predicate", "acv", "--value", "5", "--reason", "r",
                 *BY, ok=False)
    assert result.exit_code == 2
    assert "did you mean" in result.output and "tern-bank" in result.output
    assert _head(cli) == head
    assert _row(cli, "fact:tern-acv")["value"] == "100"


def test_a_name_the_resolver_calls_ambiguous_with_one_candidate_is_no_match(
        store: FactStore) -> None:
    from factstore import Entity

    store.add(Entity(id="tern-bank", kind="customer", name="Tern Bank"), author=AUTHOR)
    store.add(Fact(subject="tern-bank", predicate="seats", value=10), author=AUTHOR)
    answer = store.resolve("Tern")
    assert answer.status == "ambiguous" and [c.id for c in answer.candidates] == ["tern-bank"]
    head = store.head()
    with pytest.raises(Ambiguous):
        store.correct_fact("Tern", "11", predicate="seats", author=AUTHOR, reason="r")
    with pytest.raises(Ambiguous):
        store.show("Tern")
    assert store.head() == head


def test_a_name_with_another_legal_form_is_not_exact_for_a_write(banks: FactStore) -> None:
    head = banks.head()
    with pytest.raises(Ambiguous, match="did you mean acme-corp"):
        banks.correct_fact("Acme GmbH", "1", predicate="acv", source="src:crm",
                           author=AUTHOR, reason="r")
    assert banks.head() == head


def test_retract_by_a_misspelt_name_exits_2_and_writes_nothing(cli: Facts) -> None:
    head = _head(cli)
    result = cli("retract", "Fern Bnak", "--reason", "gone", *BY, ok=False)
    assert result.exit_code == 2 and "did you mean" in result.output
    assert _head(cli) == head


def test_revert_by_a_misspelt_name_exits_2_and_writes_nothing(cli: Facts) -> None:
    cli("correct", "fact:tern-acv", "--value", "101", "--reason", "typo", *BY)
    head = _head(cli)
    result = cli("revert", "Tern Bnak", "--reason", "undo", *BY, ok=False)
    assert result.exit_code == 2 and "tern-bank" in result.output
    assert _head(cli) == head


def test_correct_definition_by_a_misspelt_term_suggests_the_term(banks: FactStore) -> None:
    head = banks.head()
    with pytest.raises(Ambiguous, match="did you mean def:acv@finance"):
        banks.correct_definition("ACVV", "x", author=AUTHOR, reason="r")
    assert banks.head() == head


def test_add_fact_about_a_misspelt_subject_id_exits_2_and_writes_nothing(cli: Facts) -> None:
    head = _head(cli)
    result = cli("add", "fact", "--subject", "tern-bnak", "--predicate", "seats", "--value",
                 "3", *BY, ok=False)
    assert result.exit_code == 2 and "no entity 'tern-bnak'" in result.output
    result = cli("add", "alias", "--entity", "tern-bnak", "--alias", "Tern", *BY, ok=False)
    assert result.exit_code == 2
    assert _head(cli) == head


def test_an_unknown_id_with_a_prefix_is_not_found_not_guessed(cli: Facts) -> None:
    assert cli("show", "fact:tern-acvv", ok=False).exit_code == 3
    assert cli("retract", "fact:tern-acvv", "--reason", "r", *BY, ok=False).exit_code == 3


# -- reads follow a sure match and say so -------------------------------------------------------


def test_show_follows_a_sure_fuzzy_match_and_says_so(cli: Facts) -> None:
    shown = json.loads(cli("show", "Tern Bnak", "--json").output)
    assert shown["id"] == "tern-bank"
    assert shown["matched_by"] == "fuzzy" and shown["matched_name"] == "Tern Bank"
    assert shown["match_score"] >= 75
    text = cli("show", "Tern Bnak").output
    assert f"matched 'Tern Bank' (fuzzy, score {shown['match_score']})" in text


def test_show_says_whether_it_matched_by_id_term_name_or_alias(banks: FactStore) -> None:
    assert banks.show("tern-bank").matched_by == "id"
    assert banks.show("acv").matched_by == "term"
    assert (banks.show("tern bank").matched_by, banks.show("tern bank").matched_name) == (
        "name", "Tern Bank")
    assert (banks.show("Acme Inc").matched_by, banks.show("Acme Inc").id) == ("alias",
                                                                             "acme-corp")


def test_show_of_a_name_the_resolver_is_unsure_of_lists_candidates_and_exits_2(
        cli: Facts) -> None:
    result = cli("show", "Tern", ok=False)
    assert result.exit_code == 2
    assert "tern-bank" in result.output and "fern-bank" in result.output


def test_history_follows_a_sure_fuzzy_match_and_says_so(cli: Facts) -> None:
    history = json.loads(cli("history", "Tern Bnak", "--json").output)
    assert (history["id"], history["matched_by"]) == ("tern-bank", "fuzzy")
    assert "matched 'Tern Bank' (fuzzy" in cli("history", "Tern Bnak").output


def test_list_subject_by_a_sure_fuzzy_name_says_so(cli: Facts) -> None:
    result = cli("list", "facts", "--subject", "Tern Bnak")
    assert "matched 'Tern Bank' (fuzzy" in result.output
    assert "fact:tern-acv" in result.output and "fact:fern-acv" not in result.output


# -- 5. filters and names that fail loudly ----------------------------------------------------


def test_list_with_an_unknown_status_exits_2(cli: Facts) -> None:
    result = cli("list", "facts", "--status", "bogus", ok=False)
    assert result.exit_code == 2 and "status: expected one of active" in result.output


def test_list_with_an_unknown_kind_exits_2(cli: Facts) -> None:
    assert cli("list", "entities", "--kind", "custmer", ok=False).exit_code == 2
    assert cli("list", "sources", "--kind", "crm", ok=False).exit_code == 2
    assert "tern-bank" in cli("list", "entities", "--kind", "customer").output


def test_list_subject_takes_an_exact_entity_name(cli: Facts) -> None:
    result = cli("list", "facts", "--subject", "Acme Corporation", "--json")
    rows = json.loads(result.stdout)
    assert [r["id"] for r in rows] == ["fact:acme-acv", "fact:acme-acv-board"]
    assert "matched 'Acme Corporation' (name)" in result.stderr


def test_retract_takes_an_exact_entity_name(cli: Facts) -> None:
    cli("retract", "Fern Bank", "--reason", "churned", *BY)
    assert _row(cli, "fern-bank")["status"] == "retracted"


def test_retract_of_a_name_nothing_is_close_to_is_not_found(banks: FactStore) -> None:
    with pytest.raises(NotFound):
        banks.retract("Zyxwvut", author=AUTHOR, reason="r")
