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
from factstore.schema import Row

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


LATEST = "0005_apostrophes_joined"  # the schema this code reads and writes


def _fill_normalized(tx: Tx) -> None:
    """0003: the normalised name of each entity and term, for exact lookups by index."""
    from factstore.resolver import normalize

    for table, column in (("entities", "name"), ("definitions", "term")):
        rows = tx.query(f"SELECT id, {column} AS text FROM {table}")
        if rows:
            tx.executemany(f"UPDATE {table} SET normalized = ? WHERE id = ?",
                           [(normalize(r["text"])[:255], r["id"]) for r in rows])


def _join_apostrophes(tx: Tx) -> None:
    """0005: the normalised names normalize() now writes (an apostrophe inside a word no longer
    parts it), where they changed: entities' and terms' in place; an alias row whose spellings
    normalise otherwise moves to its new key (its bookkeeping kept), its spellings added to
    the row of its entity already there, if any (one row per normalised name). Only names
    with an apostrophe can change: the others are not normalised again."""
    from factstore.resolver import has_apostrophe, normalize
    from factstore.schema import TABLES, alias_spellings, dump_spellings, insert_sql

    for table, column in (("entities", "name"), ("definitions", "term")):
        rows = tx.query(f"SELECT id, {column} AS text, normalized FROM {table}")
        changed = [(key, r["id"]) for r in rows if has_apostrophe(r["text"])
                   and (key := normalize(r["text"])[:255]) != r["normalized"]]
        if changed:
            tx.executemany(f"UPDATE {table} SET normalized = ? WHERE id = ?", changed)
    by_entity: dict[str, list[Row]] = {}
    for r in tx.query("SELECT * FROM aliases"):
        by_entity.setdefault(r["entity_id"], []).append(r)
    moved = sorted(entity for entity, own in by_entity.items() if any(
        has_apostrophe(s["alias"]) and normalize(s["alias"])[:255] != r["normalized"]
        for r in own for s in alias_spellings(r)))
    aliases = TABLES["aliases"]
    columns = (*aliases.columns, "recorded_by", "reason", "rev")
    for entity in moved:
        own = sorted(by_entity[entity], key=lambda r: r["normalized"])
        keyed: dict[str, tuple[Row, list[Row]]] = {}  # new key -> (its row, its spellings)
        for staying in (True, False):  # a key's own spellings first, then those moved to it
            for r in own:
                for s in alias_spellings(r):
                    key = normalize(s["alias"])[:255]
                    if (key == r["normalized"]) == staying:
                        _, spelled = keyed.setdefault(key, (r, []))
                        if s["alias"] not in {t["alias"] for t in spelled}:
                            spelled.append(s)
        old = {r["normalized"]: r for r in own}
        for key in sorted(old.keys() - keyed.keys()):
            tx.execute("DELETE FROM aliases WHERE entity_id = ? AND normalized = ?",
                       [entity, key])
        for key, (r, spelled) in sorted(keyed.items()):
            new = {**r, **spelled[0], "normalized": key, "spellings": dump_spellings(spelled[1:])}
            if key not in old:
                tx.execute(insert_sql("aliases", columns), [new[c] for c in columns])
            elif new != old[key]:
                tx.execute(aliases.update_sql("?"), aliases.update_params(
                    new, new["recorded_by"], new["reason"], new["rev"]))


FILLS: dict[str, Callable[[Tx], None]] = {"0003_spellings_captured": _fill_normalized,
                                           "0005_apostrophes_joined": _join_apostrophes}


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
