"""A Dolt server's bulk insert of new rows: LOAD DATA LOCAL INFILE of a temporary file.

A Dolt server reads LOAD DATA's tab-separated lines faster than the same rows as INSERT
statements (an import of 100k facts spends most of its time in the server's insert path).
It does only where the server allows LOCAL: its global `local_infile` is 1 (Dolt's default
is 0; the server's config.yaml sets it with `system_variables: {local_infile: 1}`). Elsewhere,
and for rows this file cannot carry exactly, the caller sends INSERT statements as before.

Exact round trip: the file is UTF-8, one row a line, cells split by tabs, with backslash,
tab, newline, carriage return and NUL written as \\\\ \\t \\n \\r \\0 and NULL as \\N (LOAD
DATA's own escapes, spelled out in the statement). Dolt reads a cell that is exactly `NULL`
as NULL (MySQL reads it as text), so a row with that text goes as an INSERT. Only str, int,
finite float and None cells are written (a float as repr, which reads back as the same
double); a row of any other value, or text that is not UTF-8 (a lone surrogate), leaves the
whole batch to INSERT, whose behaviour it then is.

REPLACE, not LOAD DATA LOCAL's default IGNORE: under IGNORE a value too long is cut, a NOT
NULL column given NULL takes a zero value and a duplicate key is skipped, each only a
warning; under REPLACE each is the error an INSERT gives. The rows are new (the caller
looked their keys up), so a duplicate would show as a count of rows written that is not
theirs: that is an error as well, and the caller's transaction is rolled back.

pymysql sends any file a server names in answer to any statement once the connection is
opened with local_infile: the backend's connection offers it (the capability is fixed at
connect time) but serves a file only while `run` sends its own statement. (During that
statement a hostile server could still name another file: pymysql does not check the name.)
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from collections.abc import Sequence
from typing import Any

from factstore.errors import FactstoreError

LOAD_FROM = 1000  # rows in one insert from which it is sent as LOAD DATA
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\0": "\\0"})
_SPECIAL = re.compile(r"[\\\t\n\r\0]")
NULL = "\\N"
# Dolt's reading of a cell that is this text, unescaped: NULL (see the module's doc)
READ_AS_NULL = "NULL"


def allowed(conn: Any) -> bool:
    """Whether this connection may send LOAD DATA LOCAL: pymysql serves files through it
    (the backend's connection; see the module's doc) and the server allows LOCAL."""
    if not hasattr(conn, "_local_infile"):  # a pymysql that keeps the switch elsewhere
        return False
    with conn.cursor() as cur:
        cur.execute("SELECT @@GLOBAL.local_infile")
        row = cur.fetchone()
    return bool(row and row[0] and int(row[0]) == 1)


def tsv(rows: Sequence[Sequence[Any]]) -> tuple[bytes, list[int]] | None:
    """The rows as LOAD DATA's file, and the indexes of the rows left out of it (a cell
    reading as NULL: send them as INSERT); None when a cell has no exact text form here."""
    if not rows:
        return b"", []
    columns: list[Sequence[str]] = []
    inserted: set[int] = set()
    for values in zip(*rows, strict=True):
        cells = _cells(values)
        if cells is None:
            return None
        columns.append(cells)
        if READ_AS_NULL in values:
            inserted.update(i for i, v in enumerate(values) if v == READ_AS_NULL)
    lines = list(map("\t".join, zip(*columns, strict=True)))
    if inserted:
        lines = [line for i, line in enumerate(lines) if i not in inserted]
    try:
        data = ("\n".join(lines) + "\n").encode("utf-8") if lines else b""
    except UnicodeEncodeError:
        return None
    return data, sorted(inserted)


def _cells(values: tuple[Any, ...]) -> Sequence[str] | None:
    """One column's cells as the file's text; None for a value with no exact text form."""
    kinds = set(map(type, values))
    nulls = type(None) in kinds
    kinds.discard(type(None))
    if not kinds:
        return (NULL,) * len(values)
    if kinds == {str}:
        text = [v for v in values if v is not None] if nulls else values
        if _SPECIAL.search("".join(text)):
            return [NULL if v is None else v.translate(_ESCAPES) for v in values]
        return [NULL if v is None else v for v in values] if nulls else values
    if kinds == {int}:  # (bool is a type of its own, not written here)
        return [NULL if v is None else str(v) for v in values]
    if kinds <= {int, float}:
        if not all(math.isfinite(v) for v in values if v is not None):
            return None
        return [NULL if v is None else repr(v) for v in values]
    return None


def write_file(rows: Sequence[Sequence[Any]]) -> tuple[str, int, list[Sequence[Any]]] | None:
    """The rows as LOAD DATA's file: its path (a new temporary file: `run` removes it), the
    count of rows in it, and the rows left for an INSERT; None when none could go in it."""
    made = tsv(rows)
    if made is None or not made[0]:
        return None
    data, left = made
    fd, name = tempfile.mkstemp(prefix="factstore-load-", suffix=".tsv")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
    except BaseException:
        os.unlink(name)
        raise
    return name, len(rows) - len(left), [rows[i] for i in left]


def run(cur: Any, table: str, columns: Sequence[str], name: str, expected: int) -> None:
    """LOAD DATA LOCAL the file `write_file` made (then removed) into table (columns in the
    rows' order, names from the schema's allow-list), in the caller's transaction."""
    conn = cur.connection
    try:
        sql = (f"LOAD DATA LOCAL INFILE %s REPLACE INTO TABLE {table} CHARACTER SET utf8mb4 "
               "FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' "
               f"({', '.join(columns)})")
        conn._local_infile = True
        try:
            written = int(cur.execute(sql, (name,)))
        finally:
            conn._local_infile = False
    finally:
        os.unlink(name)
    if written != expected:
        raise FactstoreError(f"bulk load into {table}: the server counted {written} rows "
                             f"written for {expected} new ones; nothing was written")


def load(cur: Any, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
         ) -> list[Sequence[Any]]:
    """LOAD DATA LOCAL the rows into table in the caller's transaction, at once; the rows
    it left for an INSERT."""
    made = write_file(rows)
    if made is None:
        return list(rows)
    name, expected, left = made
    run(cur, table, columns, name, expected)
    return left


__all__ = ["LOAD_FROM", "NULL", "READ_AS_NULL", "allowed", "load", "run", "tsv", "write_file"]
