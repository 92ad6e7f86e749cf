"""The one registry of the store's tables: names, keys, columns, id prefixes, references.

schema.sql creates the tables; this module says what they mean to the rest of the code, and
tests/test_schema.py fails if the two (or the input models) disagree. Table and column names
used in SQL come from here, a fixed allow-list; every value is a parameter.

Ids are one namespace across tables: entities are slugs (`acme-corp`), every other table's
ids carry its prefix (`src:`, `def:`, `fact:`, `rule:`); aliases and relations, keyed by what
they are, read `alias:ENTITY/NORMALIZED` and `rel:SRC/REL/DST`.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from factstore.errors import InvalidInput

Row = dict[str, Any]

# What some columns may hold (the input models check them, reads name them in errors).
SourceKind = Literal["system_of_record", "policy", "contract", "wiki", "expert", "email", "chat"]
AliasKind = Literal["name", "abbreviation", "former", "ticker", "code"]
Status = Literal["active", "proposed", "deprecated", "retracted"]
ValueType = Literal["number", "money", "percent", "text", "date", "bool"]
NUMERIC = ("number", "money", "percent")  # the value types whose values are numbers

# Every versioned row carries who recorded it, why, and a revision for compare-and-set.
BOOKKEEPING = ("recorded_by", "reason", "rev")
MAX_ID = 255  # characters: the id columns are VARCHAR(255)


@dataclass(frozen=True)
class Table:
    name: str
    singular: str
    key: tuple[str, ...]
    columns: tuple[str, ...]  # the knowledge itself; BOOKKEEPING columns come on top
    prefix: str  # of its ids ('' for entities, whose ids are bare slugs)
    references: tuple[tuple[str, str], ...] = ()  # (column, table whose id it names)
    derived: tuple[str, ...] = ()  # columns filled in on import, not written by the user

    def item_id(self, row: Row) -> str:
        if len(self.key) > 1 or "id" not in self.key:
            return self.prefix + "/".join(str(row[k]) for k in self.key)
        return str(row["id"])

    def ids(self, rows: list[Row]) -> list[str]:
        """item_id of each row, without a Python call per row for the id-keyed tables."""
        if self.key == ("id",):
            return list(map(operator.itemgetter("id"), rows))
        shape = self.prefix + "/".join(["{}"] * len(self.key))  # alias:{}/{}, as item_id's
        return list(itertools.starmap(shape.format, map(operator.itemgetter(*self.key), rows)))

    def key_of(self, row: Row) -> tuple[Any, ...]:
        if len(self.key) == 1:
            return (row[self.key[0]],)
        return tuple(row[k] for k in self.key)

    def where_key(self) -> str:
        return " AND ".join(f"{k} = ?" for k in self.key)

    @property
    def data_columns(self) -> tuple[str, ...]:
        return tuple(c for c in self.columns if c not in self.key)

    def insert_sql(self) -> str:
        """INSERT of the knowledge columns, then recorded_by, reason, rev."""
        return insert_sql(self.name, (*self.columns, *BOOKKEEPING))

    def update_sql(self, rev: str) -> str:
        """UPDATE of the data columns, recorded_by, reason and rev (an SQL expression),
        by key: parameters are the data values, who, reason, then the key."""
        sets = ", ".join(f"{c} = ?" for c in self.data_columns)
        return (f"UPDATE {self.name} SET {sets}, recorded_by = ?, reason = ?, rev = {rev} "
                f"WHERE {self.where_key()}")

    def update_params(self, row: Row, who: str | None, reason: str | None, rev: int
                      ) -> list[Any]:
        """update_sql("?")'s parameters that set a row to `row` under rev, by its key."""
        return [*(row[c] for c in self.data_columns), who, reason, rev, *self.key_of(row)]


def insert_sql(table: str, columns: Sequence[str]) -> str:
    """INSERT of one row's values into these columns (names from this module)."""
    return (f"INSERT INTO {table} ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' * len(columns))})")


_SOURCED = (("source_id", "sources"),)

# The seven knowledge tables, in write order: a reader never sees a fact before its subject.
TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table("sources", "source", ("id",),
              ("id", "title", "uri", "kind", "authority", "captured_at", "status"), "src:"),
        Table("entities", "entity", ("id",),
              ("id", "kind", "name", "description", "source_id", "status", "normalized"), "",
              _SOURCED, derived=("normalized",)),
        # One row per normalised name of an entity: its first spelling in alias/alias_kind…,
        # further spellings of the same name (with their kinds) in `spellings` (JSON).
        Table("aliases", "alias", ("entity_id", "normalized"),
              ("entity_id", "normalized", "alias", "alias_kind", "valid_from", "valid_to",
               "source_id", "status", "spellings"), "alias:",
              (*_SOURCED, ("entity_id", "entities")), derived=("normalized", "spellings")),
        Table("relations", "relation", ("src_id", "rel", "dst_id"),
              ("src_id", "rel", "dst_id", "valid_from", "valid_to", "source_id", "status"),
              "rel:", (*_SOURCED, ("src_id", "entities"), ("dst_id", "entities"))),
        Table("definitions", "definition", ("id",),
              ("id", "term", "scope", "text", "formula", "owner", "valid_from", "valid_to",
               "source_id", "status", "normalized"), "def:", _SOURCED,
              derived=("normalized",)),
        Table("facts", "fact", ("id",),
              ("id", "subject_id", "predicate", "value", "value_type", "unit", "period",
               "valid_from", "valid_to", "source_id", "quote", "confidence", "supersedes",
               "status", "captured_at"), "fact:", (*_SOURCED, ("subject_id", "entities"))),
        Table("rules", "rule", ("id",),
              ("id", "applies_to", "text", "overrides", "valid_from", "valid_to", "source_id",
               "status"), "rule:", (*_SOURCED, ("applies_to", "entities"))),
    )
}
SINGULAR = {t.singular: t.name for t in TABLES.values()}  # 'fact' -> 'facts'

# Store settings (the fiscal calendar): versioned like the knowledge, keyed by name.
CONFIG = "config"
FISCAL_START = "calendar.fiscal_year_start_month"
# The versioned tables a diff or a merge reports on.
VERSIONED = (*TABLES, CONFIG)
# What a write commits: the knowledge and settings, never the render log, which may gain
# rows from a concurrent reader at any moment and is committed on its own.
COMMITTED = (*VERSIONED, "schema_migrations")
RENDER_LOG = "packs"

# What a row names that must exist, in the same batch or the store: (table, column, target).
REFERENCES = tuple((t.name, column, target) for t in TABLES.values()
                   for column, target in t.references)


def table_for_id(item_id: str) -> Table:
    for table in TABLES.values():
        if table.prefix and item_id.startswith(table.prefix):
            return table
    return TABLES["entities"]


def key_from_id(item_id: str) -> tuple[str, ...]:
    table = table_for_id(item_id)
    if table.key == ("id",):
        return (item_id,)
    parts = item_id.removeprefix(table.prefix).split("/")
    if len(parts) != len(table.key):
        raise InvalidInput(f"bad id {item_id!r}: expected {table.name} key parts")
    return tuple(parts)


def row_id(table: str, row: Row) -> str:
    """The id a row is known by in diffs and conflicts; config rows are `config:NAME`."""
    return TABLES[table].item_id(row) if table in TABLES else f"config:{row['name']}"


# Columns a migration added and filled in for rows that were already there: a row that gained
# one (None before, a value after) did not change its knowledge. Normalised names are derived
# from the name itself; a fact's capture date was its source's.
BACKFILLED = frozenset({"normalized", "captured_at"})


SPELLING = ("alias", "alias_kind", "valid_from", "valid_to", "source_id", "status")


def spelling_of(row: Row) -> Row:
    """One spelling of an alias row's name, as `spellings` holds it."""
    return {k: row.get(k) for k in SPELLING}


def alias_spellings(row: Row) -> list[Row]:
    """Every spelling an alias row holds: its own first, then those in `spellings`."""
    extra = row.get("spellings")
    return [spelling_of(row), *(json.loads(extra) if extra else ())]


def dump_spellings(spellings: list[Row]) -> str | None:
    """The `spellings` column for these further spellings (None for none)."""
    if not spellings:
        return None
    return json.dumps([spelling_of(s) for s in spellings], ensure_ascii=False,
                      sort_keys=True, separators=(",", ":"))


def knowledge(row: Row | None) -> dict[str, Any]:
    """A row without its bookkeeping columns; an absent row says so."""
    if row is None:
        return {"row": "(absent)"}
    return {k: v for k, v in row.items() if k not in BOOKKEEPING}


# --- what rows mean to each other -----------------------------------------------------


def authority_of(source: Row | None) -> int:
    """The authority a source lends its facts: none when it is unknown or retracted."""
    if not source or source.get("status") == "retracted":
        return 0
    return int(source.get("authority") or 0)


def same_value(fact: Row) -> tuple[Any, str]:
    """What two facts must share to agree: the value (as a number when it is one, so 300 and
    300.0 agree) and the unit (100 USD and 100 EUR do not)."""
    value = fact["value"]
    if fact.get("value_type") in NUMERIC:
        with contextlib.suppress(ArithmeticError, ValueError):
            return Decimal(value), fact.get("unit") or ""
    return value, fact.get("unit") or ""



__all__ = [
    "BACKFILLED", "BOOKKEEPING", "COMMITTED", "CONFIG", "FISCAL_START", "MAX_ID", "NUMERIC",
    "REFERENCES", "RENDER_LOG",
    "SINGULAR", "SPELLING", "TABLES", "VERSIONED", "AliasKind", "Row", "SourceKind", "Status",
    "Table", "ValueType", "alias_spellings", "authority_of", "dump_spellings", "insert_sql",
    "key_from_id",
    "knowledge", "row_id", "same_value", "spelling_of", "table_for_id"
]
