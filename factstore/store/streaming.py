"""A JSONL import streamed: the file read, validated and written a chunk at a time on its
import branch, then committed there, so memory follows a chunk, not the file.

Nothing is written unless the whole file is valid: a problem found in any chunk (a malformed
line, a key seen twice, a reference that is neither in the file nor in the store) raises
before the commit, and the write is undone with every chunk already written (the backend's:
a rollback, and on doltlite, whose Tx.stage ends transactions, the branch's working set put
back to its head).
Checks that span chunks keep what they need across them: the keys seen so far (to refuse one
twice) and the first row naming each reference not yet seen (a fact may come before its
subject). They need the file alone, so they run where it is read (_FileChecks): a large file
is read, validated and checked by a second process while the chunk before is written
(_read_apart), and the writer keeps only what needs the store.

A table the import branch has no rows in takes every row of the file as new: its rows are
sent as the INSERT's parameters, sorted by key, with their ids (a Packed), not as rows to
compare with stored ones; the columns NULL in every row of the chunk are left out of the
INSERT (the same NULL is stored), and facts come dated (their capture day). While the writer
waits for the next chunk it stages what it wrote (Tx.stage), so that the commit has little
left to do.

What is kept across chunks is kept compact, for a 1M-line file's peak memory: the keys seen
as 64-bit hashes in sorted numpy arrays (a hash seen before is confirmed against the file,
so a collision refuses nothing), and the ids written as one text per chunk, made a list only
after the commit, when the engine's transaction has let its memory go.
"""

from __future__ import annotations

import functools
import itertools
import operator
import os
import re
import zlib
from datetime import UTC, datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from factstore.backends.base import Tx
from factstore.errors import FactstoreError, InvalidInput
from factstore.models import KnowledgeBatch
from factstore.resolver import Progress
from factstore.schema import (
    BOOKKEEPING,
    MAX_ID,
    REFERENCES,
    TABLES,
    Row,
    Table,
    alias_spellings,
    dump_spellings,
    spelling_of,
)
from factstore.store.imports import LINKS, WRITE_CHUNK, Captured, stored_rows, upsert
from factstore.store.names import did_you_mean, spelled_like

AT_ONCE = 500  # keys per IN (...) lookup

# Where the store's own rows are read (the table at the store's head, as the engine names
# it): references the file does not define must be there.
StoreAt = Callable[[str], tuple[str, list[Any]]]
Ref = tuple[str, str, str]  # (table, column, target)
Link = tuple[str, str]  # (table, column): a fact's supersedes, a rule's overrides


@dataclass
class Packed:
    """A chunk's rows of a table that had none: the INSERT's parameters (of `columns`: the
    table's, then recorded_by, reason and rev, but for those NULL in every row of the chunk),
    sorted by key, and their ids in the file's order, joined by newlines and compressed (as
    ChangedIds keeps them)."""

    params: list[tuple[Any, ...]]
    ids: bytes
    count: int
    columns: tuple[str, ...]


@dataclass
class Chunk:
    batch: KnowledgeBatch  # the rows to compare with stored ones (none of a packed table)
    packed: dict[str, Packed]  # table -> its rows, when the table had none
    done: int  # characters read so far


@dataclass
class Outcome:
    """What the file's checks leave for the writer once every chunk is read: the references
    it named and never defined (the first row naming each: the store must have them), and
    the spellings of an alias that came after the chunk that wrote its row."""

    unresolved: dict[Ref, dict[str, tuple[int, str]]]
    late: dict[Any, list[Row]] = field(default_factory=dict)
    # the supersedes and overrides the file named and did not define (the store must have
    # them), the kinds its rules apply to that none of its entities has, and its entities'
    links: dict[Link, dict[str, tuple[int, str]]] = field(default_factory=dict)
    kinds: dict[str, tuple[int, str]] = field(default_factory=dict)
    entity_kinds: set[str] = field(default_factory=set)


class _FileChecks:
    """What the file alone must hold to, across chunks, checked where it is read: ids fit,
    no key twice, one alias row per normalised name; and the first row naming each reference
    not yet defined. Rows of the `packed` tables leave as Packed."""

    def __init__(self, path: Path, packed: Iterable[str], tail: tuple[Any, ...],
                 days: dict[str, Any] | None = None) -> None:
        self.path, self.where = path, path.name
        self.packed, self.tail = frozenset(packed), tail
        # Packed facts get their capture day here, as Captured would give it when they are
        # written: a fact without one takes its source's captured_at as the file gave it
        # so far, else as the import branch had it before the import (`days`: its dated
        # sources), else the day (UTC). The writer then sends the rows as they come.
        self.days = days if days is not None else {}
        # ids so far of the tables references name (exact: a reference must be right)
        self.seen: dict[str, set[Any]] = {target: set() for _, _, target in REFERENCES}
        # keys so far, the large tables' as hashes; none for aliases: _spellings keeps every
        # alias key of the file (and merges a key's rows), so none reaches a write twice
        self.keys = {name: _Hashes(self.seen.get(name)) for name in TABLES
                     if name != "aliases"}
        self.rows = dict.fromkeys(TABLES, 0)  # rows so far, by table
        # (table, column, target) -> reference not yet seen -> (index, item id) of its first row
        self.pending: dict[Ref, dict[str, tuple[int, str]]] = {ref: {} for ref in REFERENCES}
        # the same for a fact's supersedes and a rule's overrides (imports.LINKS): only the
        # ids they name are kept, and the file's own ids are asked of self.keys; and the
        # kinds rules apply to (kind:K), with the kinds of the file's entities
        self.linked: dict[Link, dict[str, tuple[int, str]]] = {link: {} for link in LINKS}
        self.kinds: set[str] = set()
        self.ruled: dict[str, tuple[int, str]] = {}
        # Spellings of one normalised alias may fall into different chunks: the first
        # chunk's row is written, later spellings are kept here and added to it at the end
        # (_Stream.finish), so the row is the one the whole file would give.
        self.spelled: dict[Any, tuple[str, ...]] = {}  # alias key -> the file's spellings
        self.late: dict[Any, list[Row]] = {}  # alias key -> spellings from later chunks
        self.outcome: Outcome | None = None  # the reading process's, when it read the file

    def take(self, batch: KnowledgeBatch, done: int) -> Chunk:
        if batch.aliases:
            batch.aliases = self._spellings(batch.aliases)
        for name in TABLES:
            if rows := getattr(batch, name):
                self._check_keys(TABLES[name], rows)
        for ref in REFERENCES:
            self._note_references(ref, getattr(batch, ref[0]))
        for link in LINKS:
            self._note_links(link, getattr(batch, link[0]))
        self._note_kinds(batch)
        if batch.sources:  # (they date facts of this chunk and later ones)
            self.days.update(map(operator.itemgetter("id", "captured_at"), batch.sources))
        packed = {}
        for name in self.packed:
            if rows := getattr(batch, name):
                packed[name] = self._pack(TABLES[name], rows)
                setattr(batch, name, [])
        if packed and not any(getattr(batch, name) for name in TABLES):
            batch.omitted = None  # (it is asked of stored rows only, and carries the lines)
        return Chunk(batch, packed, done)

    def _pack(self, table: Table, rows: list[Row]) -> Packed:
        # tuple + tail, row by row, without a Python frame per row; in key order (the key's
        # columns come first, and no key is there twice): doltlite's tree takes sorted rows
        # faster and with fewer pages held until the commit. A column NULL in every row is
        # left out of the INSERT, which stores the same NULL: doltlite binds a NULL
        # parameter slowly (100k facts with their 8 empty columns left out: 0.33 s, not 0.53)
        nullable = _nullable()[table.name]
        columns = tuple(c for c in table.columns if c not in nullable or rows[0][c] is not None
                        or list(map(operator.itemgetter(c), rows)).count(None) < len(rows))
        kept = [(c, v) for c, v in zip(BOOKKEEPING, self.tail, strict=True)
                if v is not None or c not in nullable]
        tail = tuple(v for _, v in kept)
        tails: Iterable[tuple[Any, ...]] = itertools.repeat(tail)
        if table.name == "facts" and "captured_at" not in columns:  # none gives its day
            columns = tuple(c for c in columns if c != "captured_at")
            kept.append(("captured_at", None))
            tails = self._dated(rows, tail)
        elif table.name == "facts":
            self._date(rows)
        get = operator.itemgetter(*columns)
        params = list(map(tuple.__add__, map(get, rows) if len(columns) > 1 else
                          zip(map(get, rows)), tails))
        params.sort()
        return Packed(params, zlib.compress("\n".join(table.ids(rows)).encode(), 1), len(rows),
                      (*columns, *(c for c, _ in kept)))

    def _dated(self, rows: list[Row], tail: tuple[Any, ...]) -> Iterator[tuple[Any, ...]]:
        """The tail of each fact, its capture day last, for facts that give none: each
        takes its source's (one tail a source)."""
        today = datetime.now(UTC).date().isoformat()
        sources = list(map(operator.itemgetter("source_id"), rows))
        tails = {source: (*tail, self.days.get(source) or today) for source in set(sources)}
        return map(tails.__getitem__, sources)

    def _date(self, rows: list[Row]) -> None:
        """Captured.fill, for facts a table that had none takes (the file's sources and the
        import branch's dated ones are known here); its rows are about to be packed."""
        days, today = self.days, datetime.now(UTC).date().isoformat()
        for row in rows:
            if row["captured_at"] is None:
                row["captured_at"] = days.get(row["source_id"]) or today

    def result(self) -> Outcome:
        """The references named and not defined, and the late spellings (after the last
        chunk)."""
        if self.outcome is not None:
            return self.outcome
        unresolved = {(table, column, target): {r: at for r, at in pending.items()
                                                 if r not in self.seen[target]}
                      for (table, column, target), pending in self.pending.items()}
        linked = {link: dict(pending) for link, pending in self.linked.items() if pending}
        kinds = {kind: at for kind, at in self.ruled.items() if kind not in self.kinds}
        return Outcome(unresolved, self.late, linked, kinds, self.kinds)

    def _check_keys(self, table: Table, rows: list[Row]) -> None:
        """As imports._check_keys, across the whole file: ids fit, no key twice."""
        offset = self.rows[table.name]
        keys = list(map(operator.itemgetter(*table.key), rows))
        if "id" in table.key and max(map(len, keys)) > MAX_ID:
            index = next(i for i, key in enumerate(keys) if len(key) > MAX_ID)
            raise InvalidInput(f"{self.where}: {table.name}[{offset + index}]: id: "
                               f"{keys[index][:60]!r}… is {len(keys[index])} characters, over "
                               f"the {MAX_ID} an id may have; give the record a shorter id")
        seen = self.keys.get(table.name)
        known = None if seen is None else seen.add(keys)
        if known is not None or len(set(keys)) != len(keys):
            self._twice(table, rows, keys, known, offset)
        self.rows[table.name] += len(keys)

    def _twice(self, table: Table, rows: list[Row], keys: list[Any], known: Any,
               offset: int) -> None:
        """The first key of the chunk that is there twice (in the chunk, or in an earlier
        one: its hash was seen, and the file says whether the key was), as the error."""
        local: dict[Any, int] = {}
        for index, key in enumerate(keys):
            first = local.get(key)
            if first is None and known is not None and known[index]:
                first = self._first(table, key, offset)
            if first is None:
                local[key] = index
                continue
            if table.name == "aliases":  # as the whole file's: spellings are merged already
                raise InvalidInput(f"{self.where}: aliases of {key[0]}: "
                                   f"{rows[index]['alias']!r} is given twice")
            where = offset + first if key in local else first
            raise InvalidInput(f"{self.where}: {table.name}[{offset + index}]: "
                               f"{table.item_id(rows[index])} appears twice (also "
                               f"{table.name}[{where}])")

    def _spellings(self, rows: list[Row]) -> list[Row]:
        """The chunk's alias rows whose normalised name is new to the file; the spellings
        of one an earlier chunk wrote are kept for finish (a spelling given twice is
        refused, as in a whole file)."""
        key_of, spelled = operator.itemgetter("entity_id", "normalized"), self.spelled
        fresh = []
        for row in rows:
            key = key_of(row)
            texts = spelled.get(key)
            spellings = alias_spellings(row) if row["spellings"] else [row]
            if texts is None:
                fresh.append(row)
                spelled[key] = (row["alias"],) if len(spellings) == 1 else \
                    tuple(s["alias"] for s in spellings)
                continue
            for spelling in spellings:
                if spelling["alias"] in texts:
                    raise InvalidInput(f"{self.where}: aliases of {key[0]}: "
                                       f"{spelling['alias']!r} is given twice")
                texts += (spelling["alias"],)
                self.late.setdefault(key, []).append(spelling_of(spelling))
            spelled[key] = texts
        return fresh

    def _first(self, table: Table, key: Any, before: int) -> int | None:
        """Where the file first had a key, if before row `before` of its table (only hashes
        of keys are kept, so the file is read again: for an error, or a hash's collision)."""
        from factstore.importers import jsonl_chunks

        key_of, count = operator.itemgetter(*table.key), 0
        for batch, _ in jsonl_chunks(self.path):
            rows = getattr(batch, table.name)
            for index, row in enumerate(rows[:max(before - count, 0)]):
                if key_of(row) == key:
                    return count + index
            count += len(rows)
            if count >= before:
                return None
        return None

    def _note_references(self, ref: Ref, rows: list[Row]) -> None:
        """Remember the first row naming each reference the file has not defined yet."""
        table, column, target = ref
        if not rows:
            return
        named = set(map(operator.itemgetter(column), rows))
        unseen = {r for r in named - self.seen[target]
                  if r is not None and not r.startswith("kind:")}
        pending = self.pending[ref]
        unseen -= pending.keys()
        if not unseen:
            return
        offset = self.rows[table] - len(rows)
        for index, row in enumerate(rows):
            value = row[column]
            if value in unseen:
                unseen.discard(value)
                pending[value] = (offset + index, TABLES[table].item_id(row))


    def _note_links(self, link: Link, rows: list[Row]) -> None:
        """Remember the first row naming each supersedes / overrides the file has not
        defined before it; drop those this chunk defines."""
        table, column = link
        pending = self.linked[link]
        named = {r[column] for r in rows if r[column]}
        if not rows or not (named or pending):
            return
        ids = set(map(operator.itemgetter("id"), rows))
        for ident in ids & pending.keys():  # defined after a row that names it
            del pending[ident]
        new = list(named - ids - pending.keys())
        if not new:
            return
        before = self.keys[table].has(new)  # defined in an earlier chunk
        new_set = {ident for ident, known in zip(new, before, strict=True) if not known}
        offset = self.rows[table] - len(rows)
        for index, row in enumerate(rows):
            value = row[column]
            if value in new_set:
                new_set.discard(value)
                pending[value] = (offset + index, row["id"])

    def _note_kinds(self, batch: KnowledgeBatch) -> None:
        """The kinds of the file's entities, and the first rule applying to each kind:K."""
        self.kinds.update(map(operator.itemgetter("kind"), batch.entities))
        if not batch.rules:
            return
        offset = self.rows["rules"] - len(batch.rules)
        for index, row in enumerate(batch.rules):
            target = row["applies_to"]
            if target.startswith("kind:") and target[5:] not in self.ruled:
                self.ruled[target[5:]] = (offset + index, row["id"])


class _Stream:
    """What one streamed import writes, chunk by chunk, and what it needs of the store."""

    def __init__(self, tx: Tx, path: Path, store_at: StoreAt, who: str, reason: str | None
                 ) -> None:
        self.tx, self.where, self.store_at = tx, path.name, store_at
        self.who, self.reason = who, reason
        self.counts: dict[str, list[int]] = {name: [0, 0] for name in TABLES}
        self.changed = ChangedIds()
        # tables the import branch had no rows in: every row of the file is new there (their
        # chunks come packed), and no chunk needs to look for stored rows
        self.empty = {name for name in TABLES
                      if not tx.query(f"SELECT 1 AS one FROM {name} LIMIT 1")}
        # source id -> its captured_at, for the facts of later chunks (Captured): one query
        # for a source the file does not give, not one a chunk
        self.days: dict[str, Any] = {}

    def take(self, chunk: Chunk) -> None:
        batch, packed = chunk.batch, chunk.packed
        sources = batch.sources
        if "sources" in packed:  # (the capture day of a fact without one is its source's)
            pack = packed["sources"]
            day = pack.columns.index("captured_at") if "captured_at" in pack.columns else None
            sources = [{"id": p[0], "captured_at": None if day is None else p[day]}
                       for p in pack.params]
        captured = Captured(self.tx, sources)
        captured.days = {**self.days, **captured.days}
        for name, table in TABLES.items():
            if name in packed:
                self._insert(table, packed[name])
            elif rows := getattr(batch, name):
                self._write(table, rows, batch, captured)
        # what later chunks' facts would read of these sources: as written (a field the
        # record left out is the stored one), and the store's own as read
        self.days.update(captured.days)
        self.days.update((s["id"], s["captured_at"]) for s in sources)

    def _insert(self, table: Table, pack: Packed) -> None:
        """A packed chunk written: every row new (its facts dated where it was read)."""
        params = pack.params
        columns = pack.columns  # (the bookkeeping among them)
        for start in range(0, len(params), WRITE_CHUNK):
            self.tx.insert(table.name, columns, params[start:start + WRITE_CHUNK])
        self.counts[table.name][0] += pack.count
        self.changed.add_packed(pack, table.name)

    def finish(self, late: dict[Any, list[Row]], branch_at: StoreAt) -> None:
        """Spellings from later chunks added to the alias row an earlier chunk wrote: the
        row, its rev and what the import reports are those of the whole file (compared with
        the import branch's row before the import, read through branch_at)."""
        table = TABLES["aliases"]
        cols, data = ", ".join(table.columns), operator.itemgetter(*table.data_columns)
        source, params = branch_at("aliases")
        written = set(self.changed.of("aliases")) if late else set()
        for key, extra in late.items():
            row = self.tx.query(f"SELECT {cols} FROM aliases WHERE {table.where_key()}",
                                list(key))[0]
            row["spellings"] = dump_spellings([*alias_spellings(row)[1:], *extra])
            before = self.tx.query(f"SELECT {cols}, recorded_by, reason, rev FROM {source} "
                                   f"WHERE {table.where_key()}", [*params, *key])
            ident, counts = table.item_id(row), self.counts["aliases"]
            if not before:  # added by this import: rev 1 still
                self.tx.execute("UPDATE aliases SET spellings = ? WHERE "
                                f"{table.where_key()}", [row["spellings"], *key])
                continue
            old = before[0]
            same = data(old) == data(row)
            who, reason, rev = (old["recorded_by"], old["reason"], old["rev"]) if same \
                else (self.who, self.reason, old["rev"] + 1)
            self.tx.execute(table.update_sql("?"), table.update_params(row, who, reason, rev))
            if same and ident in written:  # the earlier chunk's change is undone
                self.changed.drop(ident)
                counts[1] -= 1
            elif not same and ident not in written:
                self.changed.add([ident], "aliases")
                counts[1] += 1

    def check_references(self, unresolved: dict[Ref, dict[str, tuple[int, str]]]) -> None:
        """Every reference the file named but did not define is in the store, else the first
        row naming one that is not (in imports._check_references' order) is the error."""
        missing: dict[str, set[str]] = {}
        for (_, _, target), pending in unresolved.items():
            missing.setdefault(target, set()).update(pending)
        for target, refs in missing.items():
            refs -= self._in_store(target, refs)
        for (table, column, target), pending in unresolved.items():
            gone = [(index, ident, ref) for ref, (index, ident) in pending.items()
                    if ref in missing[target]]
            if gone:
                index, ident, ref = min(gone)
                field = {"source_id": "source", "subject_id": "subject", "entity_id": "entity",
                         "src_id": "src", "dst_id": "dst"}.get(column, column)
                raise InvalidInput(
                    f"{self.where}: {table}[{index}] ({ident}): {field}: no "
                    f"{TABLES[target].singular} {ref!r} in the file or the store")

    def check_links(self, links: dict[Link, dict[str, tuple[int, str]]],
                    kinds: dict[str, tuple[int, str]], entity_kinds: set[str]) -> None:
        """Every supersedes and overrides the file named but did not define is in the store,
        and a rule's kind:K is a kind some entity has unless no kind is spelled close to it,
        as imports._check_links has it for a whole file; else the first row is the error."""
        for (table, column), pending in links.items():
            missing = set(pending) - self._in_store(table, set(pending))
            if missing:
                index, ident, ref = min((*pending[ref], ref) for ref in missing)
                raise InvalidInput(
                    f"{self.where}: {table}[{index}] ({ident}): {column}: no "
                    f"{TABLES[table].singular} {ref!r} in the file or the store"
                    f"{did_you_mean(self.tx, table, ref, None, besides=ident)}")
        if not kinds:
            return
        source, params = self.store_at("entities")
        known = {r["kind"] for r in self.tx.query(f"SELECT DISTINCT kind FROM {source}",
                                                   params)} | entity_kinds
        for kind, (index, ident) in sorted(kinds.items(), key=lambda item: item[1]):
            near = [k for k, _ in spelled_like(kind, known)] if kind not in known else []
            if near:
                raise InvalidInput(
                    f"{self.where}: rules[{index}] ({ident}): applies_to: no entity is of "
                    f"kind {kind!r}; did you mean {', '.join('kind:' + k for k in near)}?")

    def _in_store(self, target: str, refs: set[str]) -> set[str]:
        found: set[str] = set()
        source, params = self.store_at(target)
        ids = sorted(refs)
        for start in range(0, len(ids), AT_ONCE):
            chunk = ids[start:start + AT_ONCE]
            marks = ", ".join("?" * len(chunk))
            found |= {r["id"] for r in self.tx.query(
                f"SELECT id FROM {source} WHERE id IN ({marks})", [*params, *chunk])}
        return found

    def _write(self, table: Table, rows: list[Row], batch: KnowledgeBatch,
               captured: Captured) -> None:
        """Insert new rows, update changed ones, leave identical ones alone: the same upsert
        as a whole file's (a field a record leaves out keeps the branch's value, a fact gets
        its capture date)."""
        added, modified = upsert(self.tx, table, rows, self.who, self.reason, None,
                                 batch.omitted, captured, stored_rows(self.tx, table, rows))
        self.counts[table.name][0] += len(added)
        self.counts[table.name][1] += len(modified)
        self.changed.add(added + modified, table.name)


def write_jsonl(tx: Tx, path: Path, store_at: StoreAt, branch_at: StoreAt, who: str,
                reason: str | None, progress: Progress | None
                ) -> tuple[ChangedIds, dict[str, tuple[int, int]]]:
    """Stream a JSONL file into `tx`: the ids added or changed (compact: list them after the
    commit), and (added, changed) by
    table. store_at reads the store's head, branch_at the import branch before the import.
    Raises (InvalidInput) before the caller commits when any part of it is invalid. A file
    over READ_APART bytes is read by a second process (_read_apart) where it can fork."""
    from factstore.importers import jsonl_chunks

    stream = _Stream(tx, path, store_at, who, reason)
    days = None
    if "facts" in stream.empty:  # (packed: dated where the file is read)
        days = {r["id"]: r["captured_at"] for r in tx.query(
            "SELECT id, captured_at FROM sources WHERE captured_at IS NOT NULL")}
    checks = _FileChecks(path, stream.empty, (who, reason, 1), days)
    try:
        size = max(path.stat().st_size, 1)
    except OSError:  # jsonl_chunks says what is wrong with the path, in one line
        size = 1
    apart = size > READ_APART and hasattr(os, "fork")  # (not on Windows)
    chunks = _read_apart(path, checks, tx.stage) if apart else \
        itertools.starmap(checks.take, jsonl_chunks(path))
    for chunk in chunks:
        stream.take(chunk)
        if progress:
            progress(f"importing {path.name}", min(chunk.done, size), size)
    outcome = checks.result()
    stream.finish(outcome.late, branch_at)
    stream.check_references(outcome.unresolved)
    stream.check_links(outcome.links, outcome.kinds, outcome.entity_kinds)
    counts = {name: (a, m) for name, (a, m) in stream.counts.items() if a or m}
    return stream.changed, counts


@functools.cache
def _nullable() -> dict[str, frozenset[str]]:
    """Table -> its columns that may be NULL (schema.sql: no NOT NULL), which an INSERT may
    leave out to store NULL: no column has a DEFAULT (a test holds schema.sql to that)."""
    from factstore.migrations import SCHEMA_FILE

    out: dict[str, set[str]] = {}
    table = None
    for line in SCHEMA_FILE.read_text(encoding="utf-8").splitlines():
        if created := re.match(r"CREATE TABLE (\w+) \(", line):
            table = created[1]
            out[table] = set()
        elif line.startswith(")"):
            table = None
        elif added := re.match(r"ALTER TABLE (\w+) ADD COLUMN (\w+) (.*)", line):
            if "NOT NULL" not in added[3] and "DEFAULT" not in added[3].upper():
                out[added[1]].add(added[2])
        elif table and (column := re.match(r"\s+(\w+) (.*)", line)) and \
                column[1] not in ("PRIMARY", "UNIQUE", "KEY", "INDEX", "CONSTRAINT") and \
                "NOT NULL" not in column[2] and "DEFAULT" not in column[2].upper():
            out[table].add(column[1])
    return {name: frozenset(columns) for name, columns in out.items()}


class _Hashes:
    """A set of keys: exact while small, then kept as their 64-bit hashes (8 bytes a key, not
    a str object and a set slot) in sorted numpy arrays, one of each size, merged as they
    grow (a binary counter). numpy is loaded only for a file that large."""

    SMALL = 1 << 17  # keys kept exact (a small file's import does not load numpy)

    def __init__(self, exact: set[Any] | None = None) -> None:
        """exact: a set to keep the keys in, exact however many (the caller's)."""
        self.exact: set[Any] | None = set() if exact is None else exact
        self.keep = exact is not None
        self.runs: list[Any] = []  # sorted int64 arrays, largest first

    def add(self, keys: list[Any]) -> Any:
        """Add the keys; which of them were there before, or None when none was (a True may
        be another key's hash: confirm it)."""
        exact = self.exact
        if exact is not None:
            known = None if exact.isdisjoint(keys) else [key in exact for key in keys]
            exact.update(keys)
            if len(exact) > self.SMALL and not self.keep:
                self.exact = None
                self._merge(list(exact))
            return known
        hashes, found = self._found(keys)
        self._merge(keys, hashes)
        return found if found.any() else None

    def has(self, keys: list[Any]) -> list[bool]:
        """Which of the keys were added (a hashed key's True may be another key's hash:
        one in 2**64 per pair)."""
        if self.exact is not None:
            return [key in self.exact for key in keys]
        return [bool(f) for f in self._found(keys)[1]]

    def _found(self, keys: list[Any]) -> tuple[Any, Any]:
        """The keys' hashes, and which of them the runs hold."""
        import numpy as np

        hashes = np.fromiter(map(hash, keys), np.int64, len(keys))
        found = np.zeros(len(keys), dtype=bool)
        for run in self.runs:
            at = np.searchsorted(run, hashes)
            at[at == len(run)] = 0
            found |= run[at] == hashes
        return hashes, found

    def _merge(self, keys: list[Any], hashes: Any = None) -> None:
        import numpy as np

        run = np.sort(np.fromiter(map(hash, keys), np.int64, len(keys))
                      if hashes is None else hashes)
        while self.runs and len(self.runs[-1]) <= len(run):
            run = np.sort(np.concatenate((self.runs.pop(), run)), kind="stable")
        self.runs.append(run)


class ChangedIds:
    """The ids an import added or changed, in order, kept as one compressed text per write
    (ids hold no newline; they repeat their prefixes, so zlib takes them to a tenth) until
    `listed` makes them a list; `drop` takes one out."""

    def __init__(self) -> None:
        self.parts: list[tuple[str, bytes]] = []  # (table, its ids joined by newlines)
        self.count = 0
        self.dropped: set[str] = set()

    def add(self, ids: list[str], table: str = "") -> None:
        if ids:
            self.parts.append((table, zlib.compress("\n".join(ids).encode(), 1)))
            self.count += len(ids)

    def add_packed(self, pack: Packed, table: str) -> None:
        """The ids of a packed chunk, compressed already where the file was read."""
        if pack.count:
            self.parts.append((table, pack.ids))
            self.count += pack.count

    def drop(self, ident: str) -> None:
        self.dropped.add(ident)
        self.count -= 1

    def __len__(self) -> int:
        return self.count

    def of(self, table: str) -> list[str]:
        return [i for name, part in self.parts if name == table for i in _split(part)
                if i not in self.dropped]

    def listed(self) -> list[str]:
        """The ids, as a list (an id dropped and added again comes where it was added)."""
        out: list[str] = []
        for _, part in self.parts:
            ids = _split(part)
            if self.dropped:
                ids = [i for i in ids if i not in self.dropped]
            out.extend(ids)
        return out


def _split(part: bytes) -> list[str]:
    return zlib.decompress(part).decode().split("\n")


READ_APART = 1 << 20  # bytes: a larger file is read and validated by a second process
FIRST_APART = 1_000  # lines in that process's first chunk
# chunks written between two stagings (Tx.stage): doltlite stages only what changed since the
# last, and 10k rows at a time cost less in all than once at the commit (100k facts: insert
# and stage took 0.62 s of CPU so, 0.66 s staged at the end, 0.67 s staged every chunk)
STAGE_EVERY = 4


def _read_apart(path: Path, checks: _FileChecks, idle: Callable[[], None] | None = None
                ) -> Iterator[Chunk]:
    """jsonl_chunks(path) taken by `checks`, read, validated and checked by a forked process
    while the caller writes the chunk before (pydantic-core and the engine's inserts each hold
    the interpreter lock, so a thread would only take turns with the writer). Its error is
    raised here, in order; after the last chunk `checks` holds its Outcome. The pipe holds
    about one chunk: the reader waits while the writer is a chunk behind, so memory still
    follows the chunk. Leaving early (an error while writing) stops it. `idle` (the
    transaction's stage) is called every STAGE_EVERY chunks written, when the writer would
    wait for the next one (else after twice as many): the work the commit would do later,
    done in time the writer would otherwise spend waiting."""
    import multiprocessing
    import pickle

    context = multiprocessing.get_context("fork")
    inbox, outbox = context.Pipe(duplex=False)
    reader = context.Process(target=_reader, args=(path, checks, outbox), daemon=True,
                             name="factstore-import-reader")
    reader.start()
    outbox.close()  # the reader's end: a reader gone is an EOF here
    try:
        wrote = 0  # chunks since idle() was last called
        while True:
            if idle is not None and wrote >= STAGE_EVERY and (
                    wrote >= 2 * STAGE_EVERY or not inbox.poll()):
                idle()
                wrote = 0
            try:
                kind, item = pickle.loads(inbox.recv_bytes())
            except EOFError:
                reader.join()
                raise FactstoreError(f"{path.name}: the import's reader process ended "
                                     f"(exit code {reader.exitcode}); nothing was written"
                                     ) from None
            if kind == "end":
                checks.outcome = item
                return
            if kind == "error":
                raise item
            yield item
            wrote += 1
    finally:
        inbox.close()
        reader.kill()
        reader.join()


def _reader(path: Path, checks: _FileChecks, outbox: Any) -> None:
    """The reading process: each chunk checked and pickled to the pipe, then "end" with the
    checks' Outcome, or the error."""
    import gc
    import pickle
    import signal

    from factstore.importers import jsonl_chunks

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the writer's to handle
    # no cycle collection: what a chunk makes goes when it is sent (no cycles among rows),
    # and the collector's passes over the growing keys cost a tenth of the reading
    gc.disable()
    try:
        # a short first chunk: the writer waits for it (and for the validator's build)
        for batch, done in jsonl_chunks(path, first=FIRST_APART):
            outbox.send_bytes(pickle.dumps(("chunk", checks.take(batch, done)),
                                           pickle.HIGHEST_PROTOCOL))
        message: tuple[str, Any] = ("end", checks.result())
    except BrokenPipeError:
        return  # the writer left
    except Exception as exc:  # handed to the writer, raised there
        message = ("error", exc)
    try:
        blob = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
    except Exception:  # an error that does not pickle: its words
        blob = pickle.dumps(("error", FactstoreError(f"{path.name}: {message[1]}")))
    try:
        outbox.send_bytes(blob)
    except OSError:
        return


__all__ = ["AT_ONCE", "FIRST_APART", "READ_APART", "STAGE_EVERY", "ChangedIds", "Chunk", "Link",
           "Outcome", "Packed", "Ref", "StoreAt", "write_jsonl"]
