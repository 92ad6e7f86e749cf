"""A Dolt server's bulk path for an import's new rows (LOAD DATA LOCAL, factstore.backends.
loaddata): every value comes back exactly as validated, on both backends and on a server that
refuses LOCAL; a load or an import that fails part-way leaves the store as it was."""

from __future__ import annotations

import json
import operator
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

import factstore
from factstore.backends import loaddata
from factstore.errors import FactstoreError, InvalidInput
from factstore.importers import load_file
from factstore.schema import BOOKKEEPING, TABLES

from .conftest import AUTHOR
from .doltserver import DoltServer

# Texts LOAD DATA's file must carry: its own separators and escapes, what Dolt reads as NULL,
# quotes, SQL-looking text, and Unicode beyond the BMP.
AWKWARD = [
    "tab\there", "line\nbreak", "cr\rlf\r\n", "\\N", "\\", "back\\slash\\", "\\t not a tab",
    "\\\\N", "NULL", "null", "N", "quote ' \" ` \\'", "emoji 😀, astral 𝄞 𠜎", "é and e\u0301",
    "\x1a ctrl-z \x08 backspace", "trailing space ", "%s %d ? :name", "'; DROP TABLE facts; --",
    "\t", "\n", "\\n\\t\\r\\0\\Z\\b",
]
FACTS = loaddata.LOAD_FROM + 200  # over the threshold: the bulk path


def _lines(facts: int = FACTS, bad: dict[int, dict[str, Any]] | None = None
           ) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = [
        {"type": "source", "id": "src:crm", "title": "CRM \t\\N 😀", "kind": "system_of_record",
         "authority": 90, "captured_at": "2026-01-15"}]
    lines += [{"type": "entity", "id": f"e{i}", "kind": "customer",
               "name": f"{text.strip() or 'x'} {i}", "description": [text, "", None][i % 3],
               "source": "src:crm"} for i, text in enumerate(AWKWARD)]
    lines += [{"type": "alias", "entity": f"e{i}", "alias": f"{text.strip() or 'y'} alias",
               "kind": "name"} for i, text in enumerate(AWKWARD)]
    for i in range(facts):
        text = AWKWARD[i % len(AWKWARD)]
        line = {"type": "fact", "id": f"fact:n{i}", "subject": f"e{i % len(AWKWARD)}",
                "predicate": "note", "value": text if text.strip() else f"v{text}",
                "value_type": "text", "unit": [None, "", text[:64]][i % 3],
                "quote": [text, "", None, "NULL"][i % 4],
                "confidence": [None, 0.1, 1 / 3, 5e-324, 1.0, 0.0][i % 6],
                "captured_at": "2026-02-01", "source": "src:crm"}
        lines.append({**line, **(bad or {}).get(i, {})})
    return lines


def _write(path: Path, lines: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def _stored(store: factstore.FactStore) -> dict[str, list[dict[str, Any]]]:
    out = {}
    for name, table in TABLES.items():
        cols = ", ".join(table.columns)
        rows = store.backend.query(f"SELECT {cols} FROM {name}")
        out[name] = sorted(rows, key=operator.itemgetter(*table.key))
    return out


def _expected(path: Path) -> dict[str, list[dict[str, Any]]]:
    batch = load_file(path)
    out = {}
    for name, table in TABLES.items():
        rows = [{c: row[c] for c in table.columns} for row in getattr(batch, name)]
        out[name] = sorted(rows, key=operator.itemgetter(*table.key))
    return out


def _state(store: factstore.FactStore) -> tuple[Any, ...]:
    """What a failed write must leave as it was: head, branches, working set, every row."""
    backend = store.backend
    return (backend.head(),
            sorted((r["name"], r["hash"]) for r in backend.query(
                "SELECT name, hash FROM dolt_branches")),
            backend.query("SELECT * FROM dolt_status"),
            _stored(store))


def test_awkward_values_round_trip(store_url: str, tmp_path: Path) -> None:
    path = _write(tmp_path / "awkward.jsonl", _lines())
    expected = _expected(path)
    # the file's awkward texts reach the rows to write as they are (else this tests nothing)
    quotes = {r["quote"] for r in expected["facts"]}
    assert {"NULL", "", None, "\\N", "tab\there", "cr\rlf\r\n", "emoji 😀, astral 𝄞 𠜎"} <= quotes
    with factstore.open_store(store_url) as store:
        result = store.import_file(path, author=AUTHOR, reason="awkward \\N\t")
        assert result.commit and len(result.changed) == sum(map(len, expected.values()))
        assert _stored(store) == expected
        who = store.backend.query("SELECT DISTINCT recorded_by, reason, rev FROM facts")
    assert who == [{"recorded_by": AUTHOR, "reason": "awkward \\N\t", "rev": 1}]


def test_a_server_that_refuses_local_gets_inserts(dolt_server: DoltServer, tmp_path: Path
                                                  ) -> None:
    """local_infile = 0 (Dolt's default): the same rows, as INSERT statements."""
    path = _write(tmp_path / "awkward.jsonl", _lines())
    url = f"{dolt_server.url}/refused"
    factstore.init_store(url, author=AUTHOR).close()
    with _local_infile(dolt_server, False), factstore.open_store(url) as store:
        with store.backend._conn.cursor() as cur:
            assert not loaddata.allowed(cur.connection)
        store.import_file(path, author=AUTHOR)
        assert _stored(store) == _expected(path)


def test_load_leaves_only_text_read_as_null_to_insert(dolt_server: DoltServer) -> None:
    url = f"{dolt_server.url}/direct"
    factstore.init_store(url, author=AUTHOR).close()
    cols = (*TABLES["sources"].columns, *BOOKKEEPING)
    rows = [(f"src:s{i:05}", AWKWARD[i % len(AWKWARD)], None, "wiki", i, None,
             "NULL" if i == 7 else "active", AUTHOR, None if i % 2 else "", 1)
            for i in range(loaddata.LOAD_FROM)]
    left: list[Any] = []

    def body(tx: Any) -> str:
        assert loaddata.allowed(tx._cur.connection)
        left.extend(loaddata.load(tx._cur, "sources", cols, rows))
        tx.executemany(TABLES["sources"].insert_sql(), left)
        return "direct"

    with factstore.open_store(url) as store:
        store.backend.write(body, AUTHOR)
        got = store.backend.query_tuples(f"SELECT {', '.join(cols)} FROM sources ORDER BY id")
    assert left == [r for r in rows if "NULL" in r] and rows[7] in left
    assert len(left) < len(rows) // 10  # the rest went as LOAD DATA
    assert got == rows


def test_a_failing_load_leaves_nothing(store_url: str) -> None:
    """A row the table refuses (NULL in a NOT NULL column) fails the whole write: on a
    server, an error of LOAD DATA itself (REPLACE: not IGNORE's warning and zero value)."""
    cols = (*TABLES["sources"].columns, *BOOKKEEPING)
    rows = [(f"src:s{i:05}", f"S {i}", None, "wiki", i, None, "active", AUTHOR, None, 1)
            for i in range(loaddata.LOAD_FROM + 10)]
    rows[500] = (*rows[500][:3], None, *rows[500][4:])  # kind is NOT NULL
    with factstore.open_store(store_url) as store:
        before = _state(store)
        with pytest.raises(FactstoreError, match="kind"):
            store.backend.write(lambda tx: tx.insert("sources", cols, rows) or "m", AUTHOR)
        assert _state(store) == before


def test_a_duplicate_key_in_a_load_is_an_error(store_url: str) -> None:
    """The rows given are new: a key already there (REPLACE would overwrite it) fails."""
    cols = (*TABLES["sources"].columns, *BOOKKEEPING)
    rows = [(f"src:s{i:05}", f"S {i}", None, "wiki", i, None, "active", AUTHOR, None, 1)
            for i in range(loaddata.LOAD_FROM + 10)]
    with factstore.open_store(store_url) as store:
        store.backend.write(lambda tx: tx.insert("sources", cols, rows[:1]) or "one", AUTHOR)
        before = _state(store)
        with pytest.raises(FactstoreError):
            store.backend.write(lambda tx: tx.insert("sources", cols, rows) or "m", AUTHOR)
        assert _state(store) == before


@pytest.mark.parametrize("problem", ["key twice", "no subject"])
def test_an_import_failing_after_loads_leaves_nothing(store_url: str, tmp_path: Path,
                                                      problem: str) -> None:
    """Chunks already loaded when a later one (a key twice) or the end (a reference to
    nothing) fails: main's head, the branches, the working set and the rows are as before."""
    count = 12_500  # > READ_APART bytes: a first chunk, a full one, then the rest
    bad = {count - 1: {"id": "fact:n5"}} if problem == "key twice" else \
        {count - 1: {"subject": "nobody"}}
    path = _write(tmp_path / "late.jsonl", _lines(count, bad))
    with factstore.open_store(store_url) as store:
        store.import_file(_write(tmp_path / "first.jsonl", _lines(3)), author=AUTHOR)
        before = _state(store)
        with pytest.raises(InvalidInput, match=r"n5|nobody"):
            store.import_file(path, author=AUTHOR)
        assert _state(store) == before
        good = _write(tmp_path / "late.jsonl", _lines(count))
        assert store.import_file(good, author=AUTHOR).commit
        assert len(_stored(store)["facts"]) == count


@contextmanager
def _local_infile(server: DoltServer, on: bool) -> Iterator[None]:
    """The server's global local_infile set for the block, put back after it."""
    from factstore.backends.dolt import parse_url, pymysql_connect

    params = parse_url(f"{server.url}/x")

    def put(value: int | None) -> int:
        conn = pymysql_connect(host=params["host"], port=params["port"], user=params["user"],
                               password=params["password"], autocommit=True)
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT @@GLOBAL.local_infile")
                (was,) = cur.fetchone()
                if value is not None:
                    cur.execute("SET GLOBAL local_infile = %s", (value,))
                return int(was)
        finally:
            conn.close()

    was = put(int(on))
    try:
        yield
    finally:
        put(was)


def test_tsv_escapes() -> None:
    data, left = loaddata.tsv([("a\tb", None, 1, 0.1), ("\\N", "", -2, 1e-300),
                               ("x\ny\r\\", "\x00", 3, None), ("NULL", "k", 4, 2.0)]) or (b"", [])
    assert data == (b"a\\tb\t\\N\t1\t0.1\n"
                    b"\\\\N\t\t-2\t1e-300\n"
                    b"x\\ny\\r\\\\\t\\0\t3\t\\N\n")
    assert left == [3]
    assert loaddata.tsv([("😀 𝄞",)]) == ("😀 𝄞\n".encode(), [])


@pytest.mark.parametrize("value", [True, float("nan"), float("inf"), b"x", "\ud800"])
def test_tsv_leaves_what_it_cannot_carry_exactly(value: object) -> None:
    assert loaddata.tsv([("a", value), ("b", None)]) is None

