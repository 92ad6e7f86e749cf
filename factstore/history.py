"""Transaction time: refs (tags, branches, hashes, dates, fiscal quarters), row history and the
semantic diff — all read from Dolt's own commit graph and diff tables, never a copy of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from factstore.backends.base import Backend, Row
from factstore.errors import InvalidInput
from factstore.periods import is_period, period_range

REF_SUFFIX = re.compile(r"^(.+?)~(\d+)$")
HASH_PREFIX = re.compile(r"^[0-9a-v]{6,40}$")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?Z?$")
BOOKKEEPING = ("recorded_by", "reason", "rev")


def resolve_ref(backend: Backend, ref: str,
                fiscal_start_month: int | Callable[[], int] = 1) -> str:
    """A commit, tag, branch, HEAD, hash prefix, date/datetime or period (+ '~N') -> full hash.

    A tag wins over a period of the same name; a date or period means the last commit at or
    before its end.
    """
    ref = ref.strip()
    match = REF_SUFFIX.match(ref)
    base, back = (match.group(1), int(match.group(2))) if match else (ref, 0)
    commit = _resolve_base(backend, base, fiscal_start_month)
    for _ in range(back):
        parents = backend.query(
            "SELECT parent_hash FROM dolt_commit_ancestors WHERE commit_hash = ? "
            "AND parent_index = 0", [commit])
        if not parents or not parents[0]["parent_hash"]:
            raise InvalidInput(f"ref {ref!r}: history is not that long")
        commit = parents[0]["parent_hash"]
    return commit


def _resolve_base(backend: Backend, ref: str,
                  fiscal_start_month: int | Callable[[], int]) -> str:
    if not ref:
        raise InvalidInput("ref: empty")
    for sql in ("SELECT tag_hash AS h FROM dolt_tags WHERE tag_name = ?",
                "SELECT hash AS h FROM dolt_branches WHERE name = ?"):
        rows = backend.query(sql, [ref])
        if rows:
            return str(rows[0]["h"])
    if ref.upper() == "HEAD":
        return backend.head()
    if HASH_PREFIX.match(ref):
        rows = backend.query("SELECT commit_hash FROM dolt_log WHERE commit_hash LIKE ?",
                             [ref + "%"])
        if len(rows) == 1:
            return str(rows[0]["commit_hash"])
        if len(rows) > 1:
            raise InvalidInput(f"ref {ref!r} is ambiguous: it starts {len(rows)} commits")
    cutoff = _cutoff(ref, fiscal_start_month)
    if cutoff is not None:
        rows = backend.query("SELECT commit_hash, date FROM dolt_log")
        for row in rows:  # newest first
            if str(row["date"]) <= cutoff:
                return str(row["commit_hash"])
        raise InvalidInput(f"ref {ref!r}: no commit at or before {cutoff}")
    raise InvalidInput(f"unknown ref {ref!r} (not a commit, tag, branch, date or period)")


def _cutoff(ref: str, fiscal_start_month: int | Callable[[], int]) -> str | None:
    """The last moment a date, datetime or period covers, as dolt_log writes dates."""
    if DATETIME.match(ref) and len(ref) > 10:
        text = ref.rstrip("Z").replace("T", " ")
        return text if len(text) == 19 else text + ":59"
    if is_period(ref):
        month = fiscal_start_month() if callable(fiscal_start_month) else fiscal_start_month
        _, end = period_range(ref, month)
        return f"{end.isoformat()} 23:59:59"
    return None


# --- valid time ------------------------------------------------------------------------------


def valid_at(row: Row, day: date, fiscal_start_month: int) -> bool:
    """Was the row true on day? Its valid_from/valid_to, else the period it is about."""
    start, end = row.get("valid_from"), row.get("valid_to")
    if start is None and end is None and row.get("period"):
        first, last = period_range(row["period"], fiscal_start_month)
        start, end = first.isoformat(), last.isoformat()
    text = day.isoformat()
    return (start is None or start <= text) and (end is None or text <= end)


# --- diffs -----------------------------------------------------------------------------------


def split_diff_row(raw: Row) -> tuple[Row | None, Row | None, str]:
    """A dolt_diff row -> (from row, to row, diff_type), without the commit columns."""
    skip = {"commit", "commit_date"}
    before = {k[5:]: v for k, v in raw.items() if k.startswith("from_") and k[5:] not in skip}
    after = {k[3:]: v for k, v in raw.items() if k.startswith("to_") and k[3:] not in skip}
    kind = str(raw["diff_type"])
    return (None if kind == "added" else before), (None if kind == "removed" else after), kind


def changed_fields(before: Row | None, after: Row | None) -> dict[str, dict[str, Any]]:
    """Field by field, knowledge only (bookkeeping columns are reported separately)."""
    names = list((after or before or {}).keys())
    fields = {}
    for name in names:
        if name in BOOKKEEPING:
            continue
        old = before.get(name) if before else None
        new = after.get(name) if after else None
        if old != new:
            fields[name] = {"from": old, "to": new}
    return fields


def iso(value: Any) -> str:
    if isinstance(value, datetime):
        value = value.strftime("%Y-%m-%d %H:%M:%S")
    text = str(value)
    return text.replace(" ", "T", 1) + ("" if text.endswith("Z") else "Z")
