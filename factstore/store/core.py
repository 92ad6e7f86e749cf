"""What every part of the store shares: the backend, reading a table at a commit, refs, the
fiscal calendar, and writing one commit (after the render log's pending rows, if any, got
their own). Also the shape of a commit message.

A write commits only its own changes: inside the write lock, before its body runs, it refuses
when the knowledge tables hold changes no commit has yet (another SQL user's UPDATE on the
server, a direct edit of the file), rather than commit them under its author's name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from factstore.authors import SYSTEM_AUTHOR
from factstore.backends import versioning
from factstore.backends.base import Backend, Tx
from factstore.errors import FactstoreError, InvalidInput, NotFound, Refused
from factstore.resolver import Progress
from factstore.schema import COMMITTED, CONFIG, FISCAL_START, RENDER_LOG, TABLES, Row


# The message of the commits that hold only rendered packs (by SYSTEM_AUTHOR): never a version
# of a knowledge row, left out of `facts log` unless asked for.
RENDER_LOG_COMMIT = "Record rendered context packs"


class StoreCore:
    def __init__(self, backend: Backend, progress: Progress | None = None) -> None:
        self.backend = backend
        self.progress = progress
        self.migrated: set[str] = set()  # migrations the working set is known to have

    @property
    def branch(self) -> str:
        return self.backend.branch

    def head(self) -> str:
        return self.backend.head()

    # -- reading --------------------------------------------------------------------------

    def select(self, table: str, where: str, params: Sequence[Any], at: str | None,
               order: str = "") -> list[Row]:
        """Rows of a table (allow-listed name) at a commit (None: the working set)."""
        sql, args = self.select_sql(table, where, params, at, order)
        return self.select_all([(sql, args)], at)[0]

    def select_sql(self, table: str, where: str, params: Sequence[Any], at: str | None,
                   order: str = "", columns: str = "*") -> tuple[str, list[Any]]:
        """select's statement and its parameters (columns: allow-listed names)."""
        if table not in TABLES and table != CONFIG:
            raise InvalidInput(f"unknown table {table!r}")
        source, first = (table, []) if at is None else self.backend.table_at(table, at)
        sql = (f"SELECT {columns} FROM {source} WHERE {where}"
               + (f" ORDER BY {order}" if order else ""))
        return sql, [*first, *params]

    def select_all(self, queries: Sequence[tuple[str, Sequence[Any]]], at: str | None
                   ) -> list[list[Row]]:
        """The rows of each of these statements (select_sql's, at `at`), in order: on a Dolt
        server concurrently (Backend.query_all)."""
        try:
            return self.backend.query_all(queries)
        except FactstoreError:
            if at and not versioning.has_parent(self.backend, self.resolve_ref(at)):
                raise NotFound(f"{at[:12]} is the repository's first commit, made before "
                               "the store's tables: there is nothing to read there") from None
            raise

    def has_migration(self, name: str, at: str | None) -> bool:
        """Whether the store had migration `name` at a commit (None: the working set, where a
        migration once applied stays: those are remembered, from the check on open too)."""
        if at is None and name in self.migrated:
            return True
        source, first = (("schema_migrations", []) if at is None
                         else self.backend.table_at("schema_migrations", at))
        try:
            found = bool(self.backend.query(f"SELECT name FROM {source} WHERE name = ?",
                                            [*first, name]))
        except FactstoreError:
            return False
        if found and at is None:
            self.migrated.add(name)
        return found

    def resolve_ref(self, ref: str) -> str:
        """Any ref (commit, prefix, tag, branch, HEAD~N, date, fiscal quarter) -> full hash."""
        return versioning.resolve_ref(self.backend, ref, self.fiscal_start_month)

    def at(self, as_of: str | None) -> str | None:
        """The commit an --as-of names, None for none."""
        as_of = as_of.strip() if as_of else None
        return self.resolve_ref(as_of) if as_of else None

    def start_month(self, at: str | None) -> int | None:
        """The fiscal year's first month as set at a commit (None: HEAD), None if never set."""
        rows = self.select(CONFIG, "name = ?", [FISCAL_START], at)
        return int(rows[0]["value"]) if rows else None

    def fiscal_start_month(self) -> int:
        return self.start_month(None) or 1

    def commit_day(self, commit: str | None) -> date:
        """The UTC day of a commit of this branch (today for None or a commit not on it)."""
        day = versioning.commit_day(self.backend, commit) if commit else None
        return day or datetime.now(UTC).date()

    # -- writing --------------------------------------------------------------------------

    def write(self, body: Callable[[Tx], str | None], who: str) -> str | None:
        """One commit by who of what body changes: pending render-log rows get their own
        commit first; inside the write's lock, before body runs, uncommitted changes of
        someone else's to the knowledge tables stop it (Refused)."""
        self.flush()

        def guarded(tx: Tx) -> str | None:
            self.require_clean(tx)
            return body(tx)

        return self.backend.write(guarded, who)

    def flushed(self) -> Backend:
        """The backend, after committing rendered packs waiting in the working set as their
        own commit, so a knowledge commit never carries render-log rows."""
        self.flush()
        return self.backend

    def flush(self) -> None:
        """Commit the render log's pending rows, if any, as their own commit. The look
        outside the lock only saves taking it; the decision is made again inside it, so two
        writers flushing at once never both commit (the second finds nothing pending and
        makes no commit, instead of failing with "nothing to commit")."""
        if not versioning.uncommitted(self.backend, RENDER_LOG):
            return
        self.backend.write(
            lambda tx: RENDER_LOG_COMMIT if versioning.uncommitted(tx, RENDER_LOG) else None,
            SYSTEM_AUTHOR, stage=(RENDER_LOG,))

    def require_clean(self, db: Tx | Backend) -> None:
        """Refuse to write over changes in the working set that no commit has: a commit
        would carry them under the wrong author. The render log is exempt (pending by
        design, and committed on its own)."""
        dirty = versioning.uncommitted_rows(db, self.backend, COMMITTED)
        if dirty:
            listed = ", ".join(f"{table} ({', '.join(ids[:5])}{' …' if len(ids) > 5 else ''})"
                               for table, ids in dirty.items())
            raise Refused(f"uncommitted changes in {listed}; commit or discard them first "
                          "(a factstore commit carries only its own changes)")


class Captured:
    """The day each fact was captured, for the facts of a write that do not say: its
    source's captured_at at the time of the write (from the batch, else the store), else the
    day of the write (UTC). Kept from then on: re-dating the source later re-dates nothing."""

    def __init__(self, db: Tx | Backend, sources: list[Row]) -> None:
        self.db = db
        self.days = {s["id"]: s["captured_at"] for s in sources}
        self.today = datetime.now(UTC).date().isoformat()

    def fill(self, facts: list[Row]) -> None:
        todo = [f for f in facts if f.get("captured_at") is None]
        if not todo:
            return
        wanted = sorted({f["source_id"] for f in todo if f["source_id"]} - self.days.keys())
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            marks = ", ".join("?" * len(chunk))
            self.days.update((r["id"], r["captured_at"]) for r in self.db.query(
                f"SELECT id, captured_at FROM sources WHERE id IN ({marks})", chunk))
        for f in todo:
            f["captured_at"] = self.days.get(f["source_id"]) or self.today

    def day(self, source: str | None) -> str:
        self.fill(probe := [{"source_id": source, "captured_at": None}])
        return str(probe[0]["captured_at"])


def one_line(value: Any, limit: int = 120) -> str:
    text = re.sub(r"\s+", " ", str(value)).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def message(
    title: str, reason: str | None, source: str | None,
    before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
) -> str:
    """A commit message: the first line says what changed; the body carries reason, source
    and, field by field, the change."""
    lines = [one_line(title, 200), ""]
    lines.append(f"Reason: {reason}" if reason else "Reason: (none given)")
    if source:
        lines.append(f"Source: {source}")
    for field, new in (after or {}).items():
        if before is not None and before.get(field) != new:
            lines.append(f"{field}: {_shown(before.get(field))} -> {_shown(new)}")
    return "\n".join(lines)


def _shown(value: Any) -> str:
    """A field's value in a commit message: (none) for no value, as history and diff show
    it (a quote reading 'None' is text)."""
    return "(none)" if value is None else one_line(value)


__all__ = [
    "RENDER_LOG_COMMIT", "Captured", "StoreCore", "message", "one_line"
]
