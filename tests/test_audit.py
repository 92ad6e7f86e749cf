"""Audit details (issue #12): a whole-commit revert carries its reason, and a row's rev never
goes backwards."""

from __future__ import annotations

import factstore  # noqa: F401  (loads doltlite before sqlite3)

import json

import pytest

from factstore import FactStore

from .conftest import AUTHOR, FIXTURES, Facts

EXPERT = "Priya Nair <priya@northwind.test>"
SEATS = "fact:acme-gmbh-seats-fy26q3"


@pytest.fixture
def loaded(facts: Facts, store: FactStore) -> tuple[Facts, FactStore]:
    store.import_file(FIXTURES / "northwind.yaml", author=AUTHOR)
    return facts, store


def _write(facts: Facts, *args: str) -> str:
    return str(json.loads(facts(*args, "--by", AUTHOR, "--json").output)["commit"])


# --- revert of a whole commit -----------------------------------------------------------------


def test_revert_of_a_commit_puts_the_reason_in_its_message(loaded: tuple[Facts, FactStore]
                                                           ) -> None:
    facts, store = loaded
    bad = _write(facts, "correct", SEATS, "--value", "5", "--reason", "typo")
    out = json.loads(facts("revert", "--commit", bad, "--reason", "the CRM was right",
                           "--by", EXPERT, "--json").output)
    assert out["changed"] == [SEATS]
    top = store.log(1)[0]
    assert top.commit == out["commit"] and top.author == EXPERT
    assert top.message.splitlines()[0].startswith(f"Revert {bad[:12]}: Correct seats")
    assert "Reason: the CRM was right" in top.message and f"Reverts: {bad}" in top.message
    row = store.get(SEATS)
    assert (row["value"], row["reason"], row["recorded_by"]) == ("300", "the CRM was right",
                                                                 EXPERT)


def test_revert_of_a_commit_without_a_reason_exits_2(loaded: tuple[Facts, FactStore]) -> None:
    facts, store = loaded
    bad = _write(facts, "correct", SEATS, "--value", "5", "--reason", "typo")
    result = facts("revert", "--commit", bad, "--by", AUTHOR, ok=False)
    assert result.exit_code == 2 and "--reason" in result.output
    assert store.head() == bad


def test_revert_of_a_commit_moves_rev_forward(loaded: tuple[Facts, FactStore]) -> None:
    facts, store = loaded
    bad = _write(facts, "correct", SEATS, "--value", "5", "--reason", "typo")
    assert store.get(SEATS)["rev"] == 2
    _write(facts, "revert", "--commit", bad, "--reason", "undo")
    assert store.get(SEATS)["rev"] == 3
    stale = facts("correct", SEATS, "--value", "7", "--reason", "r", "--expect", "1",
                  "--by", AUTHOR, ok=False)  # read before the typo: must not win now
    assert stale.exit_code == 5


def test_revert_of_a_row_moves_rev_forward(loaded: tuple[Facts, FactStore]) -> None:
    facts, store = loaded
    for value in ("5", "6"):
        _write(facts, "correct", SEATS, "--value", value, "--reason", "recount")
    _write(facts, "revert", SEATS, "--to", "HEAD~2", "--reason", "back to the load")
    revs = [v.row["rev"] for v in store.history(SEATS).versions if v.row]
    assert revs == [4, 3, 2, 1]


def test_revert_of_a_commit_whose_row_changed_since_exits_5(loaded: tuple[Facts, FactStore]
                                                            ) -> None:
    facts, store = loaded
    bad = _write(facts, "correct", SEATS, "--value", "5", "--reason", "typo")
    head = _write(facts, "correct", SEATS, "--value", "6", "--reason", "recount")
    result = facts("revert", "--commit", bad, "--reason", "r", "--by", AUTHOR, ok=False)
    assert result.exit_code == 5 and f"{SEATS} changed since" in result.output
    assert store.head() == head


def test_revert_of_the_schema_commit_is_refused(loaded: tuple[Facts, FactStore]) -> None:
    facts, store = loaded
    schema = store.log()[-2].commit  # the oldest is Dolt's own empty first commit
    head = store.head()
    result = facts("revert", "--commit", schema, "--reason", "r", "--by", AUTHOR, ok=False)
    assert result.exit_code == 4 and "schema" in result.output
    assert store.head() == head
