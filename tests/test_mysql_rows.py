"""factstore.backends.mysql_rows reads a Dolt server's rows exactly as pymysql's own reader:
the same cells, of the same types, for every column type factstore's schema uses and the
lengths where the protocol's encoding of a cell changes (1, 3 and 8-byte lengths, a row
longer than one packet), ASCII or not."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pymysql
import pytest

from factstore.backends.dolt import parse_url, pymysql_connect
from factstore.backends.mysql_rows import result_class
from tests.doltserver import DoltServer

TEXTS = ["", "a", "plain ascii", "Müller & Søn", "zero\u200bwidth", "emoji \U0001F600",
         "x" * 127, "y" * 128, "é" * 125, "z" * 250, "w" * 251, "ß" * 300, "v" * 70_000,
         "ü" * 40_000]


@pytest.fixture
def connections(dolt_server: DoltServer) -> Iterator[tuple[Any, Any]]:
    database = "rows" + uuid.uuid4().hex[:10]
    params = parse_url(f"{dolt_server.url}/{database}")
    kwargs = {"host": params["host"], "port": params["port"], "user": params["user"],
              "password": params["password"], "charset": "utf8mb4", "autocommit": True}
    ours = pymysql_connect(**kwargs)
    with ours.cursor() as cur:
        cur.execute(f"CREATE DATABASE {database}")
    ours.select_db(database)
    theirs = pymysql.connect(database=database, **kwargs)
    try:
        yield ours, theirs
    finally:
        theirs.close()
        ours.close()


def _both(connections: tuple[Any, Any], sql: str) -> tuple[Any, Any]:
    out = []
    for conn in connections:
        with conn.cursor() as cur:
            cur.execute(sql)
            out.append((cur.description, cur.fetchall()))
    return out[0], out[1]


def test_our_connections_read_rows_with_mysql_rows(connections: tuple[Any, Any]) -> None:
    ours, theirs = connections
    with ours.cursor() as cur:
        cur.execute("SELECT 1")
        assert isinstance(ours._result, result_class())
    with theirs.cursor() as cur:
        cur.execute("SELECT 1")
        assert not isinstance(theirs._result, result_class())


def test_every_cell_is_read_as_pymysql_reads_it(connections: tuple[Any, Any]) -> None:
    ours, _ = connections
    with ours.cursor() as cur:
        cur.execute("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(255), m MEDIUMTEXT, "
                    "d DOUBLE, n INT, dec_ DECIMAL(12, 3), dt DATETIME, b VARBINARY(64), "
                    "j JSON)")
        rows = [(i, text[:255], text, 0.1 * i if i % 3 else None, i - 5 if i % 4 else None,
                 "1234.5" if i % 2 else None, "2026-12-04 21:50:00" if i % 5 else None,
                 bytes([i, 0, 251, 255]) if i % 2 else None, '{"k": [1, "é"]}' if i % 3
                 else None) for i, text in enumerate(TEXTS)]
        rows.append((len(TEXTS), None, None, None, None, None, None, None, None))
        cur.executemany("INSERT INTO t VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)", rows)
    mine, pymysqls = _both(connections, "SELECT * FROM t ORDER BY id")
    assert mine == pymysqls
    assert [row[2] for row in mine[1][:len(TEXTS)]] == TEXTS


def test_a_row_longer_than_one_packet(connections: tuple[Any, Any]) -> None:
    ours, _ = connections
    big = "é" * (9 * 1024 * 1024)  # 18 MiB of UTF-8: two packets
    with ours.cursor() as cur:
        cur.execute("CREATE TABLE t (id INT PRIMARY KEY, m LONGTEXT)")
        cur.execute("INSERT INTO t VALUES (1, %s), (2, 'after')", (big,))
    mine, pymysqls = _both(connections, "SELECT id, m FROM t ORDER BY id")
    assert mine == pymysqls
    assert mine[1] == ((1, big), (2, "after"))


def test_empty_results_and_errors_as_pymysql(connections: tuple[Any, Any]) -> None:
    ours, _ = connections
    with ours.cursor() as cur:
        cur.execute("CREATE TABLE t (id INT PRIMARY KEY)")
    assert _both(connections, "SELECT id FROM t")[0][1] == ()
    for conn in connections:
        with conn.cursor() as cur, pytest.raises(pymysql.err.ProgrammingError):
            cur.execute("SELECT nope FROM missing")
        with conn.cursor() as cur:  # the connection still reads the next result
            cur.execute("SELECT 7")
            assert cur.fetchall() == ((7,),)
