"""Audit details (issue #12): a whole-commit revert carries its reason, a row's rev never goes
backwards, and a read-only store still answers `facts context`, saying the pack was not
logged."""

from __future__ import annotations

import factstore  # noqa: F401  (loads doltlite before sqlite3)

import json
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from factstore import FactStore, open_store
from factstore.cli import cli

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


# --- a read-only store still serves context packs ---------------------------------------------


def _read_only_url(store_url: str, store: FactStore, tmp_path: Path) -> str:
    """The same store, read only: a SELECT-only user on the server; on doltlite, a copy of
    the store on a tmpfs remounted read-only (skipped where mounting is not allowed)."""
    if store_url.startswith("mysql://"):
        from factstore.backends.dolt import DoltServerBackend

        backend = store.backend
        assert isinstance(backend, DoltServerBackend)
        database = store_url.rsplit("/", 1)[1]
        user = f"r{uuid.uuid4().hex[:8]}"
        backend.query(f"CREATE USER '{user}'@'%' IDENTIFIED BY 'pw'")
        backend.query(f"GRANT SELECT ON `{database}`.* TO '{user}'@'%'")
        return store_url.replace("root@", f"{user}:pw@")
    where = tmp_path / "ro"
    where.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(where)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs to make a read-only store: {done.stderr.strip()}")
    store.close()
    for name in ("facts.db", "facts.db.head"):
        (where / name).write_bytes((Path(store_url).parent / name).read_bytes())
    subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True)
    return str(where / "facts.db")


def test_context_on_a_read_only_store_serves_the_pack_and_says_it_was_not_logged(
        loaded: tuple[Facts, FactStore], store_url: str, tmp_path: Path) -> None:
    _, store = loaded
    url = _read_only_url(store_url, store, tmp_path)
    try:
        with open_store(url) as read_only:
            pack = read_only.context("What was Acme GmbH's ACV in FY26-Q3?")
            assert not pack.logged and pack.items
            assert read_only.packs() == []
        result = CliRunner().invoke(cli, ["--url", url, "context", "--json",
                                          "What was Acme GmbH's ACV in FY26-Q3?"])
        assert result.exit_code == 0, result.output
        shown: dict[str, Any] = json.loads(result.stdout)
        assert shown["logged"] is False and shown["hash"] == pack.hash
        assert "not logged" in result.stderr
    finally:
        if not url.startswith("mysql://"):
            subprocess.run(["umount", "-l", str(Path(url).parent)], check=False)


def test_context_on_a_writable_store_is_logged(loaded: tuple[Facts, FactStore]) -> None:
    facts, store = loaded
    result = facts("context", "--json", "What was Acme GmbH's ACV in FY26-Q3?")
    assert json.loads(result.stdout)["logged"] is True and "not logged" not in result.stderr
    assert len(store.packs()) == 1
