"""Named, ordered schema migrations, recorded in the store's schema_migrations table.

The migrations are the sections of schema.sql, each opened by a `-- migration: NAME` line, in
file order. A new store gets all of them in its first commit; a store made by an earlier
release gets the ones it lacks, one commit for the lot, when it is opened for writing
(`ensure`). A shipped migration is never edited: a change of schema is a new section. A
migration may have a step in Python (FILLS) for what SQL cannot compute: it runs after the
migration's statements, in the same commit.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from factstore.backends.base import Backend, Tx

SCHEMA_FILE = Path(__file__).resolve().parent / "schema.sql"
MARKER = re.compile(r"^--\s*migration:\s*(\S+)\s*$")


@dataclass(frozen=True)
class Migration:
    name: str
    statements: tuple[str, ...]


@functools.cache
def migrations() -> tuple[Migration, ...]:
    """schema.sql's migrations in order, each as its statements (split on ';' lines)."""
    sections: list[tuple[str, list[str]]] = []
    for line in SCHEMA_FILE.read_text(encoding="utf-8").splitlines():
        marker = MARKER.match(line)
        if marker:
            sections.append((marker.group(1), []))
        elif sections and not line.lstrip().startswith("--"):
            sections[-1][1].append(line)
    return tuple(Migration(name, tuple(s.strip() for s in "\n".join(body).split("\n;")
                                       if s.strip()))
                 for name, body in sections)


def applied(backend: Backend) -> set[str]:
    return {str(r["name"]) for r in backend.query("SELECT name FROM schema_migrations")}


def pending(backend: Backend) -> list[Migration]:
    done = applied(backend)
    return [m for m in migrations() if m.name not in done]


LATEST = "0004_packs_copy"  # the schema this code reads and writes


def _fill_normalized(tx: Tx) -> None:
    """0003: the normalised name of each entity and term, for exact lookups by index."""
    from factstore.resolver import normalize

    for table, column in (("entities", "name"), ("definitions", "term")):
        rows = tx.query(f"SELECT id, {column} AS text FROM {table}")
        if rows:
            tx.executemany(f"UPDATE {table} SET normalized = ? WHERE id = ?",
                           [(normalize(r["text"])[:255], r["id"]) for r in rows])


FILLS: dict[str, Callable[[Tx], None]] = {"0003_spellings_captured": _fill_normalized}


def apply_in(tx: Tx, todo: list[Migration], when: dict[str, str] | None = None) -> None:
    """Run migrations inside a write and record them (at `when[name]` where given: a branch
    upgraded like another records the same row, or their merge would conflict on it)."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    for migration in todo:
        for statement in migration.statements:
            tx.execute(statement)
        if migration.name in FILLS:
            FILLS[migration.name](tx)
    tx.executemany("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                   [(m.name, (when or {}).get(m.name, now)) for m in todo])


def ensure(backend: Backend, name: str, author: str, like: Backend | None = None) -> None:
    """Apply every pending migration up to and including `name`, as one commit; recorded
    as `like` (another branch of the store) recorded them, if it has."""
    names = [m.name for m in migrations()]
    todo = [m for m in pending(backend) if names.index(m.name) <= names.index(name)]
    if not todo:
        return
    when = {str(r["name"]): str(r["applied_at"]) for r in like.query(
        "SELECT name, applied_at FROM schema_migrations")} if like is not None else None

    def body(tx: Tx) -> str:
        apply_in(tx, todo, when)
        return f"Upgrade the store's schema ({', '.join(m.name for m in todo)})"

    backend.write(body, author, stage=(".",))


__all__ = [
    "FILLS", "LATEST", "MARKER", "SCHEMA_FILE", "Migration", "applied", "apply_in", "ensure",
    "migrations", "pending"
]
