"""A large JSONL import on doltlite ends its SQL transaction each time it stages (Tx.stage:
doltlite writes a transaction's new chunks out at its COMMIT, slowly when they are many), so
other writers may come in between its transactions. The import stays whole all the same: a
failed import leaves its branch as it was (working set too), what an import cut short by a
crash left on its branch is cleaned by the next, one import runs at a time (import_lock),
and a write whose branch another process moved in between stops."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import factstore
from factstore import FactStore, FactstoreError, InvalidInput
from factstore.backends import versioning
from factstore.store.imports import WAITING, import_branch

from .conftest import AUTHOR


@pytest.fixture(autouse=True)
def staged_often(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file read by a second process in chunks of three lines, and staged after each
    chunk written: the file's every chunk is a transaction of its own."""
    monkeypatch.setattr("factstore.importers.JSONL_CHUNK", 3)
    monkeypatch.setattr("factstore.store.streaming.READ_APART", 0)
    monkeypatch.setattr("factstore.store.streaming.FIRST_APART", 2)
    monkeypatch.setattr("factstore.store.streaming.STAGE_EVERY", 1)


def _file(path: Path, facts: int, value: int = 0, last: dict[str, Any] | None = None) -> Path:
    records: list[dict[str, Any]] = [
        {"type": "source", "id": "src:ledger", "title": "Ledger", "kind": "system_of_record",
         "authority": 80},
        {"type": "entity", "id": "dk", "kind": "customer", "name": "Dalkvist Kemi AB"}]
    records += [{"type": "fact", "id": f"fact:dk-{i}", "subject": "dk", "predicate": "orders",
                 "value": i + value, "source": "src:ledger"} for i in range(facts)]
    path.write_text("".join(json.dumps(r) + "\n" for r in [*records, *([last] if last else [])]),
                    encoding="utf-8")
    return path


def _uncommitted_on(store: FactStore, branch: str) -> list[Any]:
    side = store.backend.on_branch(branch)
    try:
        return side.query("SELECT table_name FROM dolt_status")
    finally:
        side.close()


def test_a_failed_import_leaves_its_branch_as_it_was(store: FactStore, tmp_path: Path
                                                      ) -> None:
    """A file imported before, then again with a bad last line: the import stops after
    several of its transactions, and the import branch keeps its head and a clean working
    set; main has the first import's rows; the file mended imports exactly its changes."""
    path = _file(tmp_path / "orders.jsonl", 12)
    store.import_file(path, author=AUTHOR)
    branch, head = import_branch(path), store.head()
    before = versioning.branch_head(store.backend, branch)
    _file(path, 12, value=100, last={"type": "fact", "id": "fact:dk-x", "subject": "nobody",
                                     "predicate": "orders", "value": 1, "source": "src:ledger"})
    with pytest.raises(InvalidInput, match=r"subject: no entity 'nobody'"):
        store.import_file(path, author=AUTHOR)
    assert versioning.branch_head(store.backend, branch) == before
    assert _uncommitted_on(store, branch) == []
    assert store.head() == head
    assert {r["value"] for r in store.backend.query("SELECT value FROM facts")} == \
        {str(i) for i in range(12)}
    result = store.import_file(_file(path, 12, value=100), author=AUTHOR)
    assert len(result.changed) == 12
    assert {r["value"] for r in store.backend.query("SELECT value FROM facts")} == \
        {str(i + 100) for i in range(12)}


def test_what_an_import_cut_short_left_is_not_imported(store: FactStore, tmp_path: Path
                                                        ) -> None:
    """Rows in the import branch's working set that no commit has (a crash between two of
    an import's transactions) are dropped by the next import of the file: it imports the
    file, not them."""
    path = _file(tmp_path / "orders.jsonl", 6)
    store.import_file(path, author=AUTHOR)
    head = store.head()
    side = store.backend.on_branch(import_branch(path))
    try:
        side.record("INSERT INTO facts (id, subject_id, predicate, value, value_type, status, "
                    "recorded_by, rev) VALUES ('fact:half', 'dk', 'orders', '9', 'number', "
                    "'active', ?, 1)", [AUTHOR])
        side.record("UPDATE facts SET value = '77' WHERE id = 'fact:dk-0'")
    finally:
        side.close()
    assert _uncommitted_on(store, import_branch(path))
    result = store.import_file(path, author=AUTHOR)  # the same file: nothing changed
    assert result.commit is None and store.head() == head
    assert _uncommitted_on(store, import_branch(path)) == []
    result = store.import_file(_file(path, 7), author=AUTHOR)
    assert result.changed == ["fact:dk-6"]
    rows = {r["id"]: r["value"] for r in store.backend.query("SELECT id, value FROM facts")}
    assert "fact:half" not in rows and rows["fact:dk-0"] == "0"


@pytest.fixture
def lite(tmp_path: Path) -> Iterator[FactStore]:
    """A doltlite store: the tests below are of its write's several transactions (on a Dolt
    server an import's write is one, and its import_lock nothing)."""
    url = str(tmp_path / "lite" / "facts.db")
    factstore.init_store(url, author=AUTHOR).close()
    with factstore.open_store(url) as opened:
        yield opened


def test_one_import_at_a_time(lite: FactStore, tmp_path: Path) -> None:
    """An import waits while another holds the store's import lock (another process's
    import), then runs."""
    store = lite
    path = _file(tmp_path / "orders.jsonl", 6)
    done: list[Any] = []
    told: list[tuple[str, int, int]] = []
    url = store.backend.url
    with store.backend.import_lock():
        def other() -> None:
            with factstore.open_store(url, progress=lambda *said: told.append(said)) as opened:
                done.append(opened.import_file(path, author=AUTHOR))

        thread = threading.Thread(target=other)
        thread.start()
        time.sleep(0.5)
        assert not done and thread.is_alive()
        assert told == [(WAITING, 0, 1)]  # said while it waits
    thread.join(60)
    assert done and len(done[0].changed) == 8
    assert told[:2] == [(WAITING, 0, 1), (WAITING, 1, 1)]


class _AfterCommit:
    """A connection that runs `then` right after each COMMIT it is given: another writer
    coming in between two of a write's transactions."""

    def __init__(self, conn: sqlite3.Connection, then: Callable[[], None]) -> None:
        self._conn, self._then = conn, then

    def execute(self, sql: str, *params: Any) -> sqlite3.Cursor:
        cursor = self._conn.execute(sql, *params)
        if sql == "COMMIT":
            self._then()
        return cursor


def _write_between(store: FactStore, branch: str, then: Callable[[], None]) -> str | None:
    """A write on `branch` (made at main's head if new) that inserts a fact, stages, lets
    `then` run between its transactions, inserts another and commits."""
    if not versioning.branch_head(store.backend, branch):
        versioning.create_branch(store.backend, branch, store.head())
    backend = store.backend.on_branch(branch)
    try:
        def body(tx: Any) -> str:
            tx.execute("INSERT INTO facts (id, subject_id, predicate, value, value_type, "
                       "status, recorded_by, rev) VALUES ('fact:a', 'x', 'p', '1', 'number', "
                       "'active', ?, 1)", [AUTHOR])
            tx._conn = _AfterCommit(tx._conn, then)
            tx.stage()
            tx.execute("INSERT INTO facts (id, subject_id, predicate, value, value_type, "
                       "status, recorded_by, rev) VALUES ('fact:b', 'x', 'p', '2', 'number', "
                       "'active', ?, 1)", [AUTHOR])
            return "two facts"

        return backend.write(body, AUTHOR)
    finally:
        backend.close()


def _source(backend: Any, ident: str) -> None:
    """A commit on the backend's branch: one source added."""
    backend.write(lambda tx: tx.execute(
        "INSERT INTO sources (id, title, kind, authority, status, recorded_by, rev) "
        "VALUES (?, 'A source', 'document', 50, 'active', ?, 1)", [ident, AUTHOR])
        and f"add {ident}", AUTHOR)


def _facts_on(store: FactStore, branch: str) -> list[str]:
    side = store.backend.on_branch(branch)
    try:
        return [r["id"] for r in side.query("SELECT id FROM facts ORDER BY id")]
    finally:
        side.close()


def test_another_writer_comes_in_between(lite: FactStore) -> None:
    """A commit on main between two transactions of a write on another branch: both
    commit (the one-writer lock is let go in between, not the write's wholeness)."""
    store = lite
    other = store.backend.on_branch("main")
    try:
        commit = _write_between(store, "side", lambda: _source(other, "src:between"))
    finally:
        other.close()
    assert versioning.branch_head(store.backend, "side") == commit
    assert store.backend.query("SELECT id FROM sources WHERE id = 'src:between'")
    assert _facts_on(store, "side") == ["fact:a", "fact:b"]


def test_a_branch_moved_in_between_stops_the_write(lite: FactStore) -> None:
    """Another process moves the branch between two transactions of a write to it: the
    write stops with that said, and nothing of it stays (the working set is the branch's
    new head)."""
    store = lite
    versioning.create_branch(store.backend, "side", store.head())
    _source(store.backend, "src:later")
    mover = store.backend.on_branch("main")
    try:
        with pytest.raises(FactstoreError, match=r"branch side was moved by another process "
                                                 r"while a write to it ran; nothing was "
                                                 r"written"):
            _write_between(store, "side",
                           lambda: versioning.move_branch(mover, "side", store.head()))
    finally:
        mover.close()
    assert versioning.branch_head(store.backend, "side") == store.head()
    assert _uncommitted_on(store, "side") == []
    assert _facts_on(store, "side") == []
