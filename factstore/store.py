"""FactStore: the one public entry point. Every write is one transaction and one Dolt commit.

Table and column names come from TABLES, a fixed allow-list; every value is a parameter.
"""

from __future__ import annotations

import json
import operator
import os
import re
import subprocess
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from factstore.backends.base import Backend, Row, Tx, schema_statements
from factstore.errors import Ambiguous, Conflict, FactstoreError, InvalidInput, NotFound, Refused
from factstore.models import (
    Alias,
    Change,
    ContextPack,
    PackFormat,
    PackOptions,
    Diff,
    History,
    Tag,
    Version,
    COLUMN_OF,
    Author,
    Commit,
    Definition,
    Entity,
    Fact,
    HealthReport,
    KnowledgeBatch,
    Relation,
    Rule,
    ShowResult,
    Source,
    WriteResult,
    value_text,
)
from factstore.history import BOOKKEEPING, changed_fields, iso, resolve_ref, split_diff_row
from factstore.history import valid_at as history_valid_at
from factstore.periods import parse_day
from factstore import index_cache
from factstore.context import Builder
from factstore.text import clean_for_pack as clean
from factstore.resolver import AliasIndex, Progress, Resolution, normalize

STORE_DIR = ".facts"
STORE_FILE = "facts.db"
INDEX_CACHE_FROM = 20_000
PROGRESS_FROM = 100_000  # names from which building the alias index reports progress
IMPORT_PROGRESS_BYTES = 8 << 20  # files from which an import reports progress
WRITE_CHUNK = 50_000  # rows per executemany, a progress report between two
# Writes with no human author: the schema commit, a tag made without --by.
SYSTEM_AUTHOR = "factstore <factstore@localhost>"
MIGRATIONS = ("0001_initial", "0002_packs")  # all of them are in schema.sql
MAX_QUESTION = 2_000  # characters: a question, not a document
MAX_ID = 255  # characters: the id columns are VARCHAR(255)
FISCAL_START = "calendar.fiscal_year_start_month"  # the config row of the fiscal calendar
DEFAULT_MAX_SOURCE_AGE = 180  # days: `facts health` calls an older source stale


@dataclass(frozen=True)
class Table:
    name: str
    key: tuple[str, ...]
    columns: tuple[str, ...]  # the knowledge itself; BOOKKEEPING columns come on top

    def item_id(self, row: Row) -> str:
        if self.name == "aliases":
            return f"alias:{row['entity_id']}/{row['normalized']}"
        if self.name == "relations":
            return f"rel:{row['src_id']}/{row['rel']}/{row['dst_id']}"
        return str(row["id"])

    def ids(self, rows: list[Row]) -> list[str]:
        """item_id of each row, without a Python call per row for the id-keyed tables."""
        if "id" in self.key:
            return list(map(operator.itemgetter("id"), rows))
        return list(map(self.item_id, rows))

    def key_of(self, row: Row) -> tuple[Any, ...]:
        if len(self.key) == 1:
            return (row[self.key[0]],)
        return tuple(row[k] for k in self.key)

    def where_key(self) -> str:
        return " AND ".join(f"{k} = ?" for k in self.key)

    @property
    def singular(self) -> str:
        """'entities' -> 'entity', 'aliases' -> 'alias', 'facts' -> 'fact'."""
        return {"entities": "entity", "aliases": "alias"}.get(self.name, self.name[:-1])

    @property
    def data_columns(self) -> tuple[str, ...]:
        return tuple(c for c in self.columns if c not in self.key)

    def insert_sql(self) -> str:
        """INSERT of the knowledge columns, then recorded_by, reason, rev."""
        cols = [*self.columns, *BOOKKEEPING]
        return (f"INSERT INTO {self.name} ({', '.join(cols)}) "
                f"VALUES ({', '.join('?' * len(cols))})")

    def update_sql(self, rev: str) -> str:
        """UPDATE of the data columns, recorded_by, reason and rev (an SQL expression),
        by key: parameters are the data values, who, reason, [rev], then the key."""
        sets = ", ".join(f"{c} = ?" for c in self.data_columns)
        return (f"UPDATE {self.name} SET {sets}, recorded_by = ?, reason = ?, rev = {rev} "
                f"WHERE {self.where_key()}")


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table("sources", ("id",), ("id", "title", "uri", "kind", "authority", "captured_at",
                                   "status")),
        Table("entities", ("id",), ("id", "kind", "name", "description", "source_id", "status")),
        Table("aliases", ("entity_id", "normalized"),
              ("entity_id", "normalized", "alias", "alias_kind", "valid_from", "valid_to",
               "source_id", "status")),
        Table("relations", ("src_id", "rel", "dst_id"),
              ("src_id", "rel", "dst_id", "valid_from", "valid_to", "source_id", "status")),
        Table("definitions", ("id",),
              ("id", "term", "scope", "text", "formula", "owner", "valid_from", "valid_to",
               "source_id", "status")),
        Table("facts", ("id",),
              ("id", "subject_id", "predicate", "value", "value_type", "unit", "period",
               "valid_from", "valid_to", "source_id", "quote", "confidence", "supersedes",
               "status")),
        Table("rules", ("id",),
              ("id", "applies_to", "text", "overrides", "valid_from", "valid_to", "source_id",
               "status")),
    )
}
# Writes go in dependency order so a reader never sees a fact before its subject.
WRITE_ORDER = ("sources", "entities", "aliases", "relations", "definitions", "facts", "rules")
PREFIX_TABLE = {"src:": "sources", "def:": "definitions", "fact:": "facts", "rule:": "rules",
                "alias:": "aliases", "rel:": "relations"}


def table_for_id(item_id: str) -> Table:
    for prefix, name in PREFIX_TABLE.items():
        if item_id.startswith(prefix):
            return TABLES[name]
    return TABLES["entities"]


def key_from_id(item_id: str) -> tuple[str, ...]:
    table = table_for_id(item_id)
    if table.name in ("aliases", "relations"):
        parts = item_id.split(":", 1)[1].split("/")
        if len(parts) != len(table.key):
            raise InvalidInput(f"bad id {item_id!r}: expected {table.name} key parts")
        return tuple(parts)
    return (item_id,)


# --- authors ---------------------------------------------------------------------------------


_AUTHOR: TypeAdapter[str] = TypeAdapter(Author)


def check_author(author: str | None) -> str:
    """The author of a write, as 'Name <email>'; writes without one are refused."""
    if not author:
        raise Refused(
            "no author: pass --by 'Name <email>', set FACTS_AUTHOR, or set git user.name/email"
        )
    try:
        return _AUTHOR.validate_python(author.strip())
    except ValidationError:
        raise InvalidInput(f"author: expected 'Name <email>', got {author!r}") from None


def default_author() -> str | None:
    """FACTS_AUTHOR, else git's user.name and user.email, else None."""
    if os.environ.get("FACTS_AUTHOR"):
        return os.environ["FACTS_AUTHOR"]

    def git(key: str) -> str:
        try:
            out = subprocess.run(["git", "config", key], capture_output=True, text=True,
                                 timeout=5)
        except (OSError, subprocess.SubprocessError):
            return ""
        return out.stdout.strip()

    name, email = git("user.name"), git("user.email")
    return f"{name} <{email}>" if name and email else None


# --- opening ---------------------------------------------------------------------------------


def _doltlite_path(target: str) -> Path:
    path = Path(target.removeprefix("doltlite://")).expanduser()
    return path if path.suffix == ".db" else path / STORE_FILE


def find_store(start: Path | None = None) -> Path:
    """The .facts/ store in start or its nearest parent, as git finds .git."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / STORE_DIR / STORE_FILE
        if candidate.is_file():
            return candidate
    raise NotFound("no factstore here or in any parent folder (run `facts init`, or set FACTS_URL)")


def _backend(url: str | None, create: bool = False, branch: str | None = None) -> Backend:
    url = url or os.environ.get("FACTS_URL")
    if url and url.startswith("mysql://"):
        from factstore.backends.dolt import DoltServerBackend

        return DoltServerBackend.create(url) if create else DoltServerBackend(url, branch)
    from factstore.backends.doltlite import DoltliteBackend

    if create:
        return DoltliteBackend.create(_doltlite_path(url or STORE_DIR))
    return DoltliteBackend(_doltlite_path(url) if url else find_store(), branch)


def open_store(url: str | None = None, *, branch: str | None = None,
               progress: Progress | None = None) -> FactStore:
    """Open an existing store: url, else FACTS_URL, else .facts/ here or in a parent; on its
    default branch, or on `branch` (reads and writes then stay on that branch). progress is
    told about long work (see FactStore); the library prints nothing itself."""
    return FactStore(_backend(url, branch=branch), progress)


def clone_store(remote_url: str, target: str) -> FactStore:
    """Clone a remote into a new store: a folder/path (doltlite) or a mysql:// URL whose
    database does not exist yet (Dolt server)."""
    if target.startswith("mysql://"):
        from factstore.backends.dolt import DoltServerBackend

        return FactStore(DoltServerBackend.clone(remote_url, target))
    from factstore.backends.doltlite import DoltliteBackend

    path = Path(target)
    if path.suffix != ".db":
        path = path / STORE_DIR / STORE_FILE
    return FactStore(DoltliteBackend.clone(remote_url, path))


def init_store(url: str | None = None, author: str | None = None) -> FactStore:
    """Create a store (./.facts/ by default) and commit the schema as its first commit."""
    who = check_author(author or default_author() or SYSTEM_AUTHOR)
    store = FactStore(_backend(url, create=True))
    applied_at = datetime.now(UTC).isoformat(timespec="seconds")

    def body(tx: Tx) -> str:
        for stmt in schema_statements():
            tx.execute(stmt)
        tx.executemany("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                       [(name, applied_at) for name in MIGRATIONS])
        return "Initialise factstore schema"

    store.backend.write(body, who, stage=(".",))
    return store


# --- the store -------------------------------------------------------------------------------


class FactStore:
    # Names (entities + aliases) from which the alias index is written to disk: below it a
    # rebuild takes well under a second, less than reading and checking a file would save.
    index_cache_from = INDEX_CACHE_FROM

    def __init__(self, backend: Backend, progress: Progress | None = None) -> None:
        """progress, when given, is told about long work (building a large alias index)."""
        self.backend = backend
        self.progress = progress
        self._indexes: dict[str, AliasIndex] = {}
        self._small: dict[str, tuple[list[Row], list[Row], int]] = {}
        self._packs_table = False

    def __enter__(self) -> FactStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.backend.close()

    @property
    def url(self) -> str:
        return self.backend.url

    def head(self) -> str:
        return self.backend.head()

    # -- writes ---------------------------------------------------------------------------

    def import_file(
        self, path: Path, *, author: str | None, reason: str | None = None
    ) -> WriteResult:
        """Import a YAML/JSON/JSONL file as one commit; validated completely first."""
        from factstore.importers import load_file

        who = check_author(author)
        big = self.progress is not None and path.is_file() and \
            path.stat().st_size >= IMPORT_PROGRESS_BYTES
        report = self.progress if big else None
        if report:
            report(f"validating {path.name}", 0, 1)
        batch = load_file(path)
        if report:
            report(f"validating {path.name}", 1, 1)
        return self.import_batch(batch, author=who, reason=reason,
                                 message=f"Import {path.name}", where=path.name,
                                 progress=report)

    def import_batch(
        self, batch: KnowledgeBatch, *, author: str | None, message: str,
        reason: str | None = None, where: str = "input", progress: Progress | None = None,
    ) -> WriteResult:
        """Upsert a validated batch as one commit: identical rows untouched, none deleted.
        progress, when given, hears of each table's rows as they are written."""
        who = check_author(author)
        changed: list[str] = []

        rows = {name: getattr(batch, name) for name in WRITE_ORDER}
        _check_keys(rows, where)

        def body(tx: Tx) -> str | None:
            changed.clear()
            _check_references(tx, rows, where)
            counts = {}
            for name in WRITE_ORDER:
                added, modified = _upsert(tx, TABLES[name], rows[name], who, reason, progress)
                changed.extend(added + modified)
                if added or modified:
                    counts[name] = (len(added), len(modified))
            if batch.calendar:
                month = str(batch.calendar.fiscal_year_start_month)
                op = _set_config(tx, FISCAL_START, month, who, reason)
                if op:
                    changed.append(f"config:{FISCAL_START}")
                    counts["config"] = (1, 0) if op == "added" else (0, 1)
            if not changed:
                return None
            if progress:
                progress("committing", 0, 1)
            return _message(f"{message}: {_summary(counts)}", reason, None)

        commit = self._write(body, who)
        if progress and commit:
            progress("committing", 1, 1)
        return WriteResult(commit=commit, changed=list(changed) if commit else [])

    def add(
        self,
        item: Source | Entity | Alias | Relation | Definition | Fact | Rule,
        *,
        author: str | None,
        reason: str | None = None,
    ) -> WriteResult:
        """Add (or update) one item as one commit."""
        from factstore.importers import SECTIONS

        section = next(s for s, model in SECTIONS.items() if type(item) is model)
        return self.import_batch(KnowledgeBatch.of(section, item), author=author, reason=reason,
                                 message=f"Add {TABLES[section].singular}")

    def correct_definition(
        self,
        name: str,
        text: str,
        *,
        author: str | None,
        reason: str | None,
        source: str | None = None,
        scope: str | None = None,
        expect: str | None = None,
    ) -> WriteResult:
        """Replace a definition's text in place; its earlier version stays in history."""
        who = check_author(author)
        new = Definition(term="x", text=text, source=source)  # validates text and source
        target = self._find_definition(name, scope)
        return self._correct(
            target, {"text": new.text, "source_id": new.source}, who, reason, expect,
            what=f"definition of {target['term']}" + (f" ({target['scope']})"
                                                       if target["scope"] else ""),
        )

    def correct_fact(
        self,
        name: str,
        value: str | int | float,
        *,
        author: str | None,
        reason: str | None,
        source: str | None = None,
        predicate: str | None = None,
        period: str | None = None,
        quote: str | None = None,
        expect: str | None = None,
    ) -> WriteResult:
        """Replace a fact's value in place; its earlier version stays in history."""
        who = check_author(author)
        target = self._find_fact(name, predicate, period)
        parsed = _parse_value(value, target["value_type"])
        new = Fact(subject=target["subject_id"], predicate=target["predicate"], value=parsed,
                   source=source, quote=quote)
        text, _ = value_text(new.value)
        changes = {"value": text, "source_id": new.source, "quote": new.quote}
        what = f"{target['predicate']} of {target['subject_id']}" + (
            f" for {target['period']}" if target["period"] else "")
        return self._correct(target, changes, who, reason, expect, what=what)

    def retract(self, item_id: str, *, author: str | None, reason: str | None) -> WriteResult:
        """Mark a row retracted (kept, with its history; left out of current answers)."""
        who = check_author(author)
        if not reason:
            raise InvalidInput("reason: a retraction needs --reason")
        table = table_for_id(item_id)
        row = self.get(item_id)
        if row["status"] == "retracted":
            raise InvalidInput(f"{item_id} is already retracted")
        return self._update(
            table, row, {"status": "retracted"}, who, reason, None,
            title=f"Retract {item_id}",
        )

    def _correct(
        self, target: Row, changes: dict[str, Any], who: str, reason: str | None,
        expect: str | None, *, what: str,
    ) -> WriteResult:
        changes = {k: v for k, v in changes.items() if v is not None}
        table = table_for_id(target["id"])
        base_rev = self._expected_rev(table, target, expect)
        if base_rev is not None and base_rev != target["rev"]:
            raise Conflict(
                f"{target['id']} changed since rev {base_rev} (now rev {target['rev']}); "
                "re-read it and try again",
                {"id": target["id"], "expected_rev": base_rev, "current": target},
            )
        if all(target[k] == v for k, v in changes.items()):
            raise InvalidInput(f"{target['id']} already says that; nothing to correct")
        return self._update(table, target, changes, who, reason, base_rev,
                            title=f"Correct {what} ({target['id']})")

    def _update(
        self, table: Table, row: Row, changes: dict[str, Any], who: str, reason: str | None,
        base_rev: int | None, *, title: str,
    ) -> WriteResult:
        """Compare-and-set: the row must still be at the rev it was read at (or expected)."""
        item_id = table.item_id(row)
        rev = row["rev"] if base_rev is None else base_rev
        sets = ", ".join(f"{c} = ?" for c in changes)
        sql = (f"UPDATE {table.name} SET {sets}, recorded_by = ?, reason = ?, rev = rev + 1 "
               f"WHERE {table.where_key()} AND rev = ?")
        params = [*changes.values(), who, reason, *table.key_of(row), rev]
        before = {k: row[k] for k in changes}

        def body(tx: Tx) -> str:
            if tx.execute(sql, params) != 1:
                current = tx.query(f"SELECT * FROM {table.name} WHERE {table.where_key()}",
                                   table.key_of(row))
                raise Conflict(
                    f"{item_id} changed since rev {rev} (now rev "
                    f"{current[0]['rev'] if current else '?'}); re-read it and try again",
                    {"id": item_id, "expected_rev": rev,
                     "current": current[0] if current else None},
                )
            return _message(title, reason, changes.get("source_id"), before=before,
                            after=changes)

        commit = self._write(body, who)
        return WriteResult(commit=commit, changed=[item_id])

    def _expected_rev(self, table: Table, row: Row, expect: str | None) -> int | None:
        """--expect takes a row rev (a number) or a commit/ref the caller read the row at."""
        if expect is None:
            return None
        if expect.isdigit():
            return int(expect)
        source, params = self.backend.table_at(table.name, expect)
        try:
            rows = self.backend.query(
                f"SELECT rev FROM {source} WHERE {table.where_key()}",
                [*params, *table.key_of(row)],
            )
        except FactstoreError:
            raise InvalidInput(f"expect: unknown commit or ref {expect!r}") from None
        if not rows:
            raise Conflict(f"{table.item_id(row)} did not exist at {expect}")
        return int(rows[0]["rev"])

    # -- reads ----------------------------------------------------------------------------
    # Every read takes as_of (transaction time: any ref, see history.resolve_ref) and the
    # listing reads valid_at (valid time: what was true on that day).

    def fiscal_start_month(self) -> int:
        return self._start_month(None) or 1

    def _start_month(self, at: str | None) -> int | None:
        """The fiscal year's first month as set at a commit (None: HEAD), None if never set."""
        rows = self._select("config", "name = ?", [FISCAL_START], at)
        return int(rows[0]["value"]) if rows else None

    def resolve_ref(self, ref: str) -> str:
        """Any ref (commit, prefix, tag, branch, HEAD~N, date, fiscal quarter) -> full hash."""
        return resolve_ref(self.backend, ref, self.fiscal_start_month)

    def _from(self, table: str, as_of: str | None) -> tuple[str, list[Any]]:
        if table not in TABLES and table != "config":
            raise InvalidInput(f"unknown table {table!r}")
        if as_of is None:
            return table, []
        return self.backend.table_at(table, as_of)

    def _select(self, table: str, where: str, params: Sequence[Any], as_of: str | None,
                order: str = "") -> list[Row]:
        source, first = self._from(table, as_of)
        sql = f"SELECT * FROM {source} WHERE {where}" + (f" ORDER BY {order}" if order else "")
        try:
            return self.backend.query(sql, [*first, *params])
        except FactstoreError:
            if as_of and not self.backend.query(
                    "SELECT parent_hash FROM dolt_commit_ancestors WHERE commit_hash = ? "
                    "AND parent_hash IS NOT NULL", [self.resolve_ref(as_of)]):
                raise NotFound(f"{as_of[:12]} is the repository's first commit, made before "
                               "the store's tables: there is nothing to read there") from None
            raise

    def get(self, item_id: str, *, as_of: str | None = None) -> Row:
        """The row of any id (entity slug, src:, def:, fact:, rule:, alias:, rel:)."""
        table = table_for_id(item_id)
        key = key_from_id(item_id)
        rows = self._select(table.name, table.where_key(), key,
                            self.resolve_ref(as_of) if as_of else None)
        if not rows:
            at = f" at {as_of}" if as_of else ""
            raise NotFound(f"no {table.singular} {item_id!r}{at}")
        return rows[0]

    def show(self, name: str, *, as_of: str | None = None) -> ShowResult:
        """A row by id or name, with its source and the commit that last changed it."""
        commit = self.resolve_ref(as_of) if as_of else None
        table, row = self._lookup(name, commit)
        source = None
        if row.get("source_id"):
            found = self._select("sources", "id = ?", [row["source_id"]], commit)
            source = found[0] if found else None
        return ShowResult(id=table.item_id(row), table=table.name, row=row, source=source,
                          last_change=self._last_change(table, row, commit))

    def _last_change(self, table: Table, row: Row, commit: str | None) -> Commit | None:
        if commit is None:
            rows = self.backend.query(
                f"SELECT * FROM dolt_blame_{table.name} WHERE {table.where_key()}",
                table.key_of(row))
            if rows:
                b = rows[0]
                return Commit(commit=b["commit"], author=f"{b['committer']} <{b['email']}>",
                              date=iso(b["commit_date"]), message=b["message"])
            return None
        for version in self.history(table.item_id(row)).versions:
            if version.row and version.row.get("rev") == row["rev"]:
                return Commit(commit=version.commit, author=version.author,
                              date=version.date, message=version.message)
        return None

    def rows(
        self,
        table: str,
        *,
        kind: str | None = None,
        subject: str | None = None,
        status: str | None = None,
        as_of: str | None = None,
        valid_at: str | None = None,
    ) -> list[Row]:
        """Rows of one table (retracted ones only when asked for by status)."""
        if table not in TABLES:
            raise InvalidInput(f"table: expected one of {', '.join(TABLES)}, got {table!r}")
        spec = TABLES[table]
        where, params = [], []
        if kind is not None:
            if "kind" not in spec.columns:
                raise InvalidInput(f"--kind does not apply to {table}")
            where.append("kind = ?")
            params.append(kind)
        if subject is not None:
            if table != "facts":
                raise InvalidInput("--subject applies to facts only")
            where.append("subject_id = ?")
            params.append(subject)
        where.append("status = ?" if status else "status <> 'retracted'")
        params += [status] if status else []
        rows = self._select(table, " AND ".join(where), params,
                            self.resolve_ref(as_of) if as_of else None, ", ".join(spec.key))
        if valid_at is None:
            return rows
        day, month = parse_day(valid_at, "valid-at"), self.fiscal_start_month()
        return [r for r in rows if history_valid_at(r, day, month)]

    def log(
        self,
        limit: int | None = None,
        *,
        author: str | None = None,
        since: str | None = None,
        until: str | None = None,
        item_id: str | None = None,
    ) -> list[Commit]:
        """Commits, newest first; filtered by author (name or email part), dates, or an id."""
        touching = ({v.commit for v in self.history(item_id).versions} if item_id else None)
        since_text = parse_day(since, "since").isoformat() if since else None
        until_text = f"{parse_day(until, 'until').isoformat()}T23:59:59Z" if until else None
        commits = []
        for c in self._commits():
            if author and author.casefold() not in c.author.casefold():
                continue
            if (since_text and c.date < since_text) or (until_text and c.date > until_text):
                continue
            if touching is not None and c.commit not in touching:
                continue
            commits.append(c)
            if limit and len(commits) >= limit:
                break
        return commits

    def _commits(self) -> list[Commit]:
        """The current branch's commits, newest first."""
        return [Commit(commit=str(r["commit_hash"]), author=f"{r['committer']} <{r['email']}>",
                       date=iso(r["date"]), message=str(r["message"]))
                for r in self.backend.query(
                    "SELECT commit_hash, committer, email, date, message FROM dolt_log")]

    # -- history --------------------------------------------------------------------------

    def history(self, name: str) -> History:
        """Every version of one row, newest first.

        Read from Dolt's dolt_history_<table> (the row at each commit, found by primary key,
        so the cost follows the number of commits, not the size of the store): a version
        starts at each commit, oldest first, where the row differs from the commit before —
        including commits where it appears or disappears.
        """
        table, key = self._history_key(name)
        commit_cols = {"commit_hash", "committer", "commit_date"}
        at_commit = {
            str(r["commit_hash"]): {k: v for k, v in r.items() if k not in commit_cols}
            for r in self.backend.query(
                f"SELECT * FROM dolt_history_{table.name} WHERE {table.where_key()}", key)
        }
        if not at_commit:
            raise NotFound(f"no history for {name!r}")
        versions: list[Version] = []
        previous: Row | None = None
        for entry in reversed(self._commits()):  # oldest first
            row = at_commit.get(entry.commit)
            if row == previous:
                continue
            versions.append(Version(**entry.model_dump(), reason=(row or {}).get("reason"),
                                    source=(row or {}).get("source_id"), row=row))
            previous = row
        ident = table.item_id(dict(zip(table.key, key, strict=True)))
        return History(id=ident, versions=versions[::-1])

    def _history_key(self, name: str) -> tuple[Table, tuple[Any, ...]]:
        try:
            table, row = self._lookup(name)
            return table, table.key_of(row)
        except NotFound:
            if ":" in name or re.fullmatch(r"[a-z0-9][a-z0-9._-]*", name):
                return table_for_id(name), key_from_id(name)  # a removed row keeps history
            raise

    def blame(self, target: str) -> list[dict[str, Any]]:
        """Who last changed each row of a table, or one row by id or name."""
        if target in TABLES:
            table, where, params = TABLES[target], "1 = 1", []
        else:
            table, row = self._lookup(target)
            where, params = table.where_key(), list(table.key_of(row))
        rows = self.backend.query(
            f"SELECT * FROM dolt_blame_{table.name} WHERE {where}", params)
        return [{"id": table.item_id(r), "commit": r["commit"],
                 "author": f"{r['committer']} <{r['email']}>", "date": iso(r["commit_date"]),
                 "message": str(r["message"]).splitlines()[0]} for r in rows]

    def diff(self, from_ref: str, to_ref: str, *, table: str | None = None,
             item_id: str | None = None) -> Diff:
        """What the knowledge changed between two refs, row by row and field by field."""
        old, new = self.resolve_ref(from_ref), self.resolve_ref(to_ref)
        tables = [table] if table else [*WRITE_ORDER, "config"]
        if table and table not in TABLES and table != "config":
            raise InvalidInput(f"table: expected one of {', '.join(TABLES)}, got {table!r}")
        changes: list[Change] = []
        for name in tables:
            changes += self._table_changes(name, old, new)
        if item_id:
            changes = [c for c in changes if c.id == item_id]
        summary: dict[str, dict[str, int]] = {}
        for change in changes:
            counts = summary.setdefault(change.table, {"added": 0, "modified": 0,
                                                       "removed": 0})
            counts[change.op] += 1
        return Diff.model_validate({"from": from_ref, "to": to_ref, "from_commit": old,
                                    "to_commit": new, "changes": changes, "summary": summary})

    def _table_changes(self, name: str, old: str, new: str) -> list[Change]:
        source, params = self.backend.diff_from(name, old, new)
        changes = []
        for raw in self.backend.query(f"SELECT * FROM {source}", params):
            before, after, kind = split_diff_row(raw)
            fields = changed_fields(before, after)
            if kind == "modified" and not fields:
                continue  # only bookkeeping moved (e.g. a revert to identical content)
            ident = _row_id(name, after or before or {})
            changes.append(Change(table=name, id=ident, op=kind,  # type: ignore[arg-type]
                                  fields=fields,
                                  by=(after or {}).get("recorded_by"),
                                  reason=(after or {}).get("reason")))
        return changes

    # -- revert ---------------------------------------------------------------------------

    def revert(self, item_id: str, *, author: str | None, reason: str | None,
               to: str | None = None, commit: str | None = None) -> WriteResult:
        """Undo one row's change as a new commit; every other row stays as it is.

        Default: undo the row's latest change. `commit`: undo what that commit did to this
        row (exit 5 if the row changed again since). `to`: restore the row as it was at a ref.
        A row the undone change created is removed; a row it removed comes back.
        """
        who = check_author(author)
        if not reason:
            raise InvalidInput("reason: a revert needs --reason")
        table, key = table_for_id(item_id), key_from_id(item_id)
        versions = self.history(item_id).versions
        current = versions[0].row
        if to is not None:
            at = self.resolve_ref(to)
            found = self._select(table.name, table.where_key(), key, at)
            target, undone = (found[0] if found else None), f"its state at {to}"
        else:
            index = 0
            if commit is not None:
                wanted = self.resolve_ref(commit)
                index = next((i for i, v in enumerate(versions) if v.commit == wanted), -1)
                if index < 0:
                    raise InvalidInput(f"commit {commit} did not change {item_id}")
                if index > 0:
                    raise Conflict(
                        f"{item_id} changed again after {commit[:12]} (in "
                        f"{versions[0].commit[:12]} by {versions[0].author}); revert that "
                        "first or use --to REF",
                        {"id": item_id, "undone": versions[index].row, "current": current})
            target = versions[index + 1].row if index + 1 < len(versions) else None
            undone = f"undo {versions[index].commit[:12]}"
        if not changed_fields(current, target):
            raise InvalidInput(f"{item_id} is already as it would be after the revert")
        rev = max((v.row or {}).get("rev") or 0 for v in versions)
        title = f"Revert {item_id} ({undone})"

        def body(tx: Tx) -> str:
            now = tx.query(f"SELECT rev FROM {table.name} WHERE {table.where_key()}", key)
            if (now[0]["rev"] if now else None) != (current or {}).get("rev"):
                raise Conflict(f"{item_id} changed while reverting; try again")
            users = _referenced_by(tx, table.name, key[0]) if target is None else []
            if users:
                raise Refused(f"reverting would remove {item_id}, still named by "
                              f"{', '.join(users[:5])}{' …' if len(users) > 5 else ''}; "
                              "retract it instead (it stays, marked retracted), or revert "
                              "those first")
            _restore(tx, table, key, current, target, who, reason, rev + 1)
            return _message(title, reason, None, before=_knowledge(current),
                            after=_knowledge(target))

        return WriteResult(commit=self._write(body, who), changed=[item_id])

    def revert_commit(self, commit: str, *, author: str | None) -> WriteResult:
        """Undo a whole commit with Dolt's revert, as a new commit by author."""
        who = check_author(author)
        target = self.resolve_ref(commit)
        touched = self.backend.query("SELECT table_name FROM dolt_diff WHERE commit_hash = ?",
                                     [target])
        if any(r["table_name"] == "packs" for r in touched):
            raise Refused(f"commit {target[:12]} records rendered context packs: the render "
                          "log is append-only and is not reverted")
        changes = self.diff(f"{target}~1", target).changes
        ids = [c.id for c in changes]
        created = {c.id for c in changes if c.op == "added"}
        for c in changes:  # what the revert removes must not be named by what it leaves
            if c.op == "added" and c.table in ("entities", "sources"):
                users = [u for u in _referenced_by(self.backend, c.table, c.id)
                         if u not in created]
                if users:
                    raise Refused(f"reverting {target[:12]} would remove {c.id}, still named "
                                  f"by {', '.join(users[:5])}{' …' if len(users) > 5 else ''}"
                                  "; revert or retract those first")
        return WriteResult(commit=self._flushed().revert_commit(target, who), changed=ids)

    # -- branches -------------------------------------------------------------------------

    @property
    def branch(self) -> str:
        return self.backend.branch

    def branches(self) -> list[dict[str, Any]]:
        rows = self.backend.query("SELECT * FROM dolt_branches ORDER BY name")
        return [{"name": r["name"], "commit": r["hash"],
                 "author": f"{r['latest_committer']} <{r['latest_committer_email']}>",
                 "date": iso(r["latest_commit_date"]),
                 "message": str(r["latest_commit_message"]).splitlines()[0],
                 "current": r["name"] == self.branch} for r in rows]

    def propose(self, name: str, *, from_ref: str = "main") -> str:
        """Create a branch for proposed corrections; returns the commit it starts at."""
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
            raise InvalidInput(f"branch: {name!r} is not a valid branch name")
        if self.backend.query("SELECT name FROM dolt_branches WHERE name = ?", [name]):
            raise InvalidInput(f"branch {name!r} already exists")
        start = self.resolve_ref(from_ref)
        self.backend.call("dolt_branch", name, start)
        return start

    def review(self, name: str, *, into: str = "main") -> Diff:
        """What merging branch `name` would change: its diff from where it left `into`."""
        self._require_branch(name)
        base = self.backend.query("SELECT dolt_merge_base(?, ?) AS h", [into, name])[0]["h"]
        return self.diff(str(base), name)

    def merge(self, name: str, *, author: str | None, prefer: str | None = None) -> WriteResult:
        """Merge a branch into the current one (main) as one commit.

        Conflicting rows (both sides changed the same row differently) stop the merge with
        Conflict listing base/ours/theirs for each, and nothing is written — unless prefer is
        'ours' or 'theirs'."""
        who = check_author(author)
        self._require_branch(name)
        if prefer not in (None, "ours", "theirs"):
            raise InvalidInput("prefer: expected 'ours' or 'theirs'")
        if name == self.branch:
            raise InvalidInput(f"cannot merge {name!r} into itself")
        review = self.review(name, into=self.branch)
        message = _message(f"Merge {name} into {self.branch}", None, None) + (
            f"\nConflicts resolved: prefer {prefer}" if prefer else "")
        commit, raw = self._flushed().merge(name, message, who, prefer)
        if raw and commit is None:
            conflicts = [_conflict(table, row) for table, row in raw]
            listed = "; ".join(c["id"] for c in conflicts)
            raise Conflict(f"merge of {name!r} conflicts on {len(conflicts)} row(s): {listed}; "
                           "nothing was merged (fix them on the branch, or --prefer "
                           "ours|theirs)", {"conflicts": conflicts})
        return WriteResult(commit=commit, changed=[c.id for c in review.changes] if commit
                           else [])

    def _require_branch(self, name: str) -> None:
        if not self.backend.query("SELECT name FROM dolt_branches WHERE name = ?", [name]):
            raise NotFound(f"no branch {name!r}")

    # -- remotes --------------------------------------------------------------------------

    def remotes(self) -> list[dict[str, str]]:
        return [{"name": r["name"], "url": r["url"]}
                for r in self.backend.query("SELECT name, url FROM dolt_remotes ORDER BY name")]

    def add_remote(self, name: str, url: str) -> None:
        """Add a Dolt remote: file:///dir (both backends), or a DoltHub/DoltLab URL (server)."""
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
            raise InvalidInput(f"remote: {name!r} is not a valid remote name")
        if any(r["name"] == name for r in self.remotes()):
            raise InvalidInput(f"remote {name!r} already exists")
        self.backend.call("dolt_remote", "add", name, self.backend.remote_url(url))

    def push(self, remote: str = "origin", branch: str | None = None) -> str:
        """Push a branch (default: the current one) and the tags; returns its commit."""
        self._require_remote(remote)
        self._flushed().push(remote, branch or self.branch)
        return self.resolve_ref(branch or self.branch)

    def pull(self, remote: str = "origin", branch: str | None = None) -> str:
        """Fetch and merge a remote branch into the current one; returns the new HEAD."""
        self._require_remote(remote)
        self._flushed().pull(remote, branch or self.branch)
        return self.head()

    def _require_remote(self, name: str) -> None:
        if not any(r["name"] == name for r in self.remotes()):
            raise NotFound(f"no remote {name!r} (add one with `facts remote add`)")

    # -- tags and config ------------------------------------------------------------------

    def tag(self, name: str, ref: str = "HEAD", *, message: str | None = None,
            author: str | None = None) -> Tag:
        """Name a commit (a quarter close, a release of the knowledge)."""
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._/-]*", name):
            raise InvalidInput(f"tag: {name!r} is not a valid tag name")
        if self.backend.query("SELECT tag_name FROM dolt_tags WHERE tag_name = ?", [name]):
            raise InvalidInput(f"tag {name!r} already exists")
        commit = self.resolve_ref(ref)
        who = check_author(author or default_author() or SYSTEM_AUTHOR)
        self.backend.tag(name, commit, message or "", who)
        return next(t for t in self.tags() if t.name == name)

    def tags(self) -> list[Tag]:
        rows = self.backend.query("SELECT * FROM dolt_tags ORDER BY date DESC, tag_name")
        return [Tag(name=r["tag_name"], commit=r["tag_hash"],
                    tagger=f"{r['tagger']} <{r['email']}>", date=iso(r["date"]),
                    message=r["message"] or "") for r in rows]

    def config(self) -> dict[str, str]:
        return {r["name"]: r["value"] for r in self.backend.query("SELECT * FROM config")}

    def set_config(self, name: str, value: str, *, author: str | None,
                   reason: str | None = None) -> WriteResult:
        """Set a store setting as one commit (versioned like the knowledge)."""
        who = check_author(author)
        if name != FISCAL_START:
            raise InvalidInput(f"config: unknown setting {name!r} (known: {FISCAL_START})")
        if not value.isdigit() or not 1 <= int(value) <= 12:
            raise InvalidInput(f"{name}: expected a month number 1-12, got {value!r}")

        def body(tx: Tx) -> str | None:
            if _set_config(tx, name, str(int(value)), who, reason) is None:
                return None
            return _message(f"Set {name} = {int(value)}", reason, None)

        commit = self._write(body, who)
        return WriteResult(commit=commit, changed=[f"config:{name}"] if commit else [])

    # -- resolving names ------------------------------------------------------------------

    def resolve(self, name: str, *, context: str | None = None, kind: str | None = None,
                as_of: str | None = None, valid_at: str | None = None) -> Resolution:
        """Which entity does a name mean? resolved / ambiguous / unknown, with reasons."""
        commit = self.resolve_ref(as_of) if as_of else self.head()
        on = parse_day(valid_at, "valid-at").isoformat() if valid_at else date.today().isoformat()
        return self._index(commit).resolve(name, context=context, kind=kind, on=on)

    def _index(self, commit: str) -> AliasIndex:
        """The alias index of one commit: kept while the store is open, and on disk for the
        next process once the store is large enough for a rebuild to be felt."""
        cached = self._indexes.get(commit)
        if cached is None:
            cached = index_cache.load(self.backend.cache_dir, commit) or self._build_index(
                commit)
            self._indexes = {commit: cached}
        return cached

    def _build_index(self, commit: str) -> AliasIndex:
        live = "status <> 'retracted'"
        progress = self.progress if self.progress and self._names(commit) >= PROGRESS_FROM else None
        if progress:
            progress("reading names", 0, 1)
        entities = self._select("entities", live, [], commit)
        aliases = self._select("aliases", live, [], commit)
        relations = self._select("relations", live, [], commit)
        if progress:
            progress("reading names", 1, 1)
        index = AliasIndex.build(entities, aliases, relations, progress)
        if len(entities) + len(aliases) >= self.index_cache_from:
            index_cache.save(index, self.backend.cache_dir, commit, progress)
        return index

    def _names(self, commit: str) -> int:
        """How many entities and aliases the index of commit will hold (a count is ~20x
        cheaper than reading them: worth it only to know whether to report progress)."""
        total = 0
        for table in ("entities", "aliases"):
            source, params = self._from(table, commit)
            rows = self.backend.query(f"SELECT COUNT(*) AS n FROM {source} WHERE status <> "
                                      "'retracted'", params)
            total += int(rows[0]["n"])
        return total

    # -- context packs and the render log ------------------------------------------------

    def context(self, question: str, *, as_of: str | None = None, valid_at: str | None = None,
                scope: str | None = None, max_tokens: int | None = None,
                format: PackFormat = "md", record: bool = True) -> ContextPack:
        """The knowledge that applies to a question, ranked and cited, rendered for a prompt.

        Recorded in the render log (unless record=False) so `replay` can rebuild it."""
        if not question.strip():
            raise InvalidInput("question: must not be empty")
        if len(question) > MAX_QUESTION:
            raise InvalidInput(f"question: {len(question)} characters; the limit is "
                               f"{MAX_QUESTION}")
        if max_tokens is not None and max_tokens < 1:
            raise InvalidInput(f"max-tokens: must be a positive number, got {max_tokens}")
        as_of = as_of.strip() if as_of else None
        head = self.head()
        commit = self.resolve_ref(as_of) if as_of else head
        # Relative periods ("last quarter") are read against valid-at: for a look back with
        # --as-of, the day of that commit, not today.
        day = parse_day(valid_at, "valid-at") if valid_at else self._commit_day(
            commit if as_of else None)
        options = PackOptions(as_of=as_of, valid_at=day.isoformat(),
                              scope=self._check_scope(scope, commit), max_tokens=max_tokens,
                              format=format)
        pack = self._pack(question, commit, options, live=commit == head)
        if record:
            self._record(pack)
        return pack

    def _commit_day(self, commit: str | None) -> date:
        """The UTC day of a commit of this branch (today for None or a commit not on it)."""
        if commit:
            rows = self.backend.query("SELECT date FROM dolt_log WHERE commit_hash = ?",
                                      [commit])
            if rows:
                return date.fromisoformat(iso(rows[0]["date"])[:10])
        return datetime.now(UTC).date()

    def _check_scope(self, scope: str | None, commit: str) -> str | None:
        if scope is None:
            return None
        known = sorted({d["scope"] for d in self._pack_tables(commit)[0] if d["scope"]})
        if scope not in known:
            raise InvalidInput(f"scope: {clean(scope)[:60]!r} is not the scope of any "
                               f"definition ({', '.join(known) or 'none has one'})")
        return scope

    def health(self, *, as_of: str | None = None, valid_at: str | None = None,
               max_age_days: int = DEFAULT_MAX_SOURCE_AGE) -> HealthReport:
        """What to look at before trusting answers (factstore.health): facts without source
        or quote, stale sources, open conflicts, names shared by entities, unowned terms."""
        from factstore.health import CHECKS, findings

        if max_age_days < 0:
            raise InvalidInput(f"max-age-days: must be 0 or more, got {max_age_days}")
        as_of = as_of.strip() if as_of else None
        at = self.resolve_ref(as_of) if as_of else None
        day = parse_day(valid_at, "valid-at") if valid_at else self._commit_day(at)
        tables = {t: self._select(t, "1 = 1", [], at)
                  for t in ("sources", "entities", "aliases", "definitions", "facts")}
        found = findings(tables, day, max_age_days)
        counts = {check: sum(f.check == check for f in found) for check in CHECKS}
        return HealthReport(commit=at or self.head(), valid_at=day.isoformat(),
                            max_age_days=max_age_days,
                            counts=counts, findings=found)

    def export(self, *, as_of: str | None = None) -> dict[str, Any]:
        """The knowledge at HEAD (or a ref) as an import document: importing it into an empty
        store gives the same rows, retracted ones included (factstore.export)."""
        from factstore.export import document

        as_of = as_of.strip() if as_of else None
        at = self.resolve_ref(as_of) if as_of else None
        tables = {name: self._select(name, "1 = 1", [], at, ", ".join(TABLES[name].key))
                  for name in WRITE_ORDER}
        return document(tables, self._start_month(at))

    def replay(self, pack_hash: str) -> ContextPack:
        """Rebuild a logged pack from its commit, question and options: byte for byte."""
        logged = self._logged(pack_hash)
        pack = self._pack(logged["question"], logged["version"],
                          PackOptions.model_validate_json(logged["options"]))
        if pack.hash != logged["hash"]:
            raise FactstoreError(f"replay of pack {logged['hash'][:12]} gave {pack.hash[:12]}: "
                                 "the rendering changed since it was logged")
        return pack

    def packs(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The render log, newest first."""
        if not self._has_packs():
            return []
        rows = self.backend.query("SELECT * FROM packs ORDER BY created_at DESC, id")
        logged = [{**r, "options": json.loads(r["options"]), "items": json.loads(r["items"])}
                  for r in rows]
        return logged[:limit] if limit else logged

    def _pack(self, question: str, commit: str, options: PackOptions,
              live: bool | None = None) -> ContextPack:
        """Build a pack from the knowledge at commit. At the branch head the live tables are
        read (indexed; Dolt's as-of reads scan), and the head is checked again afterwards: if
        a write landed meanwhile, the pack is rebuilt from the commit itself."""
        live = commit == self.head() if live is None else live
        definitions, rules, month = self._pack_tables(commit)
        builder = Builder(select=lambda table, where, params: self._select(
                              table, where, params, None if live else commit),
                          index=self._index(commit), definitions=definitions, rules=rules,
                          start_month=month)
        pack = builder.build(question, commit, options)
        if live and self.head() != commit:
            return self._pack(question, commit, options, live=False)
        return pack

    def _pack_tables(self, commit: str) -> tuple[list[Row], list[Row], int]:
        """Definitions, rules and the fiscal calendar at a commit: small, read once."""
        cached = self._small.get(commit)
        if cached is None:
            live = "status <> 'retracted'"
            cached = (self._select("definitions", live, [], commit, "id"),
                      self._select("rules", live, [], commit, "id"),
                      self._start_month(commit) or 1)
            self._small = {commit: cached}
        return cached

    def _record(self, pack: ContextPack) -> None:
        if not self._has_packs():
            self._migrate_packs()
        self.backend.record(
            "INSERT INTO packs (id, hash, version, question, options, items, created_at, "
            "created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [uuid.uuid4().hex, pack.hash, pack.version, pack.question,
             pack.options.model_dump_json(), json.dumps([i.id for i in pack.items]),
             datetime.now(UTC).isoformat(timespec="microseconds"), default_author()])

    def _logged(self, pack_hash: str) -> Row:
        if not re.fullmatch(r"[0-9a-f]{4,64}", pack_hash):
            raise InvalidInput(f"pack: expected a pack hash (4-64 hex digits), got {pack_hash!r}")
        rows = self.backend.query("SELECT * FROM packs WHERE hash LIKE ? ORDER BY created_at",
                                  [pack_hash + "%"]) if self._has_packs() else []
        hashes = {r["hash"] for r in rows}
        if not rows:
            raise NotFound(f"no pack {pack_hash!r} in the render log of branch {self.branch}")
        if len(hashes) > 1:
            raise InvalidInput(f"pack: {pack_hash!r} is the start of {len(hashes)} pack hashes; "
                               "give more digits")
        return rows[0]

    def _has_packs(self) -> bool:
        if not self._packs_table:
            self._packs_table = bool(self.backend.query(
                "SELECT name FROM schema_migrations WHERE name = '0002_packs'"))
        return self._packs_table

    def _migrate_packs(self) -> None:
        """Stores made before the render log get its table, as one commit."""
        statements = [s for s in schema_statements() if " packs" in s]

        def body(tx: Tx) -> str:
            for stmt in statements:
                tx.execute(stmt)
            tx.execute("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                       ("0002_packs", datetime.now(UTC).isoformat(timespec="seconds")))
            return "Add the render log (schema migration 0002_packs)"

        self.backend.write(body, SYSTEM_AUTHOR, stage=(".",))
        self._packs_table = True

    def _write(self, body: Callable[[Tx], str | None], who: str) -> str | None:
        return self._flushed().write(body, who)

    def _flushed(self) -> Backend:
        """The backend, after committing rendered packs waiting in the working set as their
        own commit, so a knowledge commit never carries render-log rows."""
        pending = self.backend.query(
            "SELECT table_name FROM dolt_status WHERE table_name = 'packs'")
        if pending:
            self.backend.write(lambda tx: "Record rendered context packs", SYSTEM_AUTHOR,
                               stage=("packs",))
        return self.backend

    # -- name lookup ----------------------------------------------------------------------

    def _lookup(self, name: str, commit: str | None = None) -> tuple[Table, Row]:
        """An id, else a defined term, else an entity by name or alias."""
        try:
            table = table_for_id(name)
            key = key_from_id(name)
            rows = self._select(table.name, table.where_key(), key, commit)
            if rows:
                return table, rows[0]
        except InvalidInput:
            pass
        terms = self._terms(name, commit=commit)
        entities = self._entities_named(name, commit)
        if len(terms) + len(entities) == 1:
            return (TABLES["definitions"], terms[0]) if terms else (TABLES["entities"],
                                                                     entities[0])
        found = [*terms, *entities]
        if not found:
            raise NotFound(f"nothing named {name!r} (no id, term, name or alias matches)")
        raise _ambiguous(name, found)

    def _terms(self, name: str, scope: str | None = None, commit: str | None = None
               ) -> list[Row]:
        rows = self._select("definitions", "status <> 'retracted'", [], commit, "id")
        wanted = normalize(name)
        return [r for r in rows if normalize(r["term"]) == wanted
                and (scope is None or r["scope"] == scope)]

    def _entities_named(self, name: str, commit: str | None = None) -> list[Row]:
        """The entity a name resolves to, or the candidates when it is ambiguous."""
        index = self._index(commit or self.head())
        found = index.resolve(name, on=date.today().isoformat())
        if found.status == "unknown":
            return []
        ids = [found.entity["id"]] if found.entity else [c.id for c in found.candidates]
        return [index.entities[i] for i in ids]

    def _find_definition(self, name: str, scope: str | None) -> Row:
        if name.startswith("def:"):
            return self.get(name)
        found = self._terms(name, scope)
        if len(found) == 1:
            return found[0]
        if not found:
            raise NotFound(f"no definition of {name!r}" + (f" in scope {scope!r}" if scope else ""))
        raise _ambiguous(name, found, hint="pass --scope or the definition id")

    def _find_fact(self, name: str, predicate: str | None, period: str | None) -> Row:
        if name.startswith("fact:"):
            return self.get(name)
        entities = self._entities_named(name)
        if not entities and table_for_id(name).name == "entities":
            entities = [self.get(name)]
        if len(entities) > 1:
            raise _ambiguous(name, entities, hint="use the entity id")
        if not entities:
            raise NotFound(f"no fact or entity named {name!r}")
        facts = [f for f in self.rows("facts", subject=entities[0]["id"])
                 if (predicate is None or f["predicate"] == predicate)
                 and (period is None or f["period"] == period)]
        if len(facts) == 1:
            return facts[0]
        if not facts:
            raise NotFound(f"no active fact of {entities[0]['id']} matches "
                           f"predicate={predicate} period={period}")
        raise _ambiguous(name, facts, hint="pass --predicate/--period or the fact id")


# --- write helpers -------------------------------------------------------------------------


def _knowledge(row: Row | None) -> dict[str, Any]:
    if row is None:
        return {"row": "(absent)"}
    return {k: v for k, v in row.items() if k not in BOOKKEEPING}


def _referenced_by(tx: Tx | Backend, target: str, ref: Any) -> list[str]:
    """Ids of the rows that name entity or source `ref` (REFERENCES), a few per column."""
    found: list[str] = []
    for table, column, to in REFERENCES:
        if to == target:
            rows = tx.query(f"SELECT * FROM {table} WHERE {column} = ? LIMIT 6", [ref])
            found += TABLES[table].ids(rows)
    return found


def _restore(tx: Tx, table: Table, key: Sequence[Any], current: Row | None,
             target: Row | None, who: str, reason: str, rev: int) -> None:
    """Make the row equal to target (None: absent), under a new revision."""
    if target is None:
        tx.execute(f"DELETE FROM {table.name} WHERE {table.where_key()}", key)
        return
    if current is None:
        tx.execute(table.insert_sql(), [*(target[c] for c in table.columns), who, reason, rev])
        return
    tx.execute(table.update_sql("?"),
               [*(target[c] for c in table.data_columns), who, reason, rev, *key])


def _conflict(table: str, raw: Row) -> dict[str, Any]:
    """A dolt_conflicts_<table> row as {table, id, base, ours, theirs} (knowledge fields)."""
    sides = {}
    for side, prefix in (("base", "base_"), ("ours", "our_"), ("theirs", "their_")):
        row = {k[len(prefix):]: v for k, v in raw.items()
               if k.startswith(prefix) and not k.endswith("diff_type")}
        sides[side] = None if all(v is None for v in row.values()) else _knowledge(row)
    present = next(r for r in sides.values() if r)
    return {"table": table, "id": _row_id(table, present), **sides}


def _row_id(table: str, row: Row) -> str:
    """The id a row is known by in diffs and conflicts; config rows have no Table."""
    return TABLES[table].item_id(row) if table in TABLES else f"config:{row['name']}"


def _ambiguous(name: str, rows: Iterable[Row], hint: str = "use the id") -> Ambiguous:
    candidates = [
        {"id": table_for_id(r["id"]).item_id(r) if "id" in r else TABLES["aliases"].item_id(r),
         "label": r.get("term") or r.get("name") or r.get("predicate") or "",
         "scope": r.get("scope"), "period": r.get("period")}
        for r in rows
    ]
    ids = ", ".join(str(c["id"]) for c in candidates)
    return Ambiguous(f"{name!r} is ambiguous ({ids}); {hint}", candidates)


def _check_keys(rows: dict[str, list[Row]], where: str) -> None:
    """Keys fit their columns (a derived id can outgrow 255 characters) and are unique."""
    for name, table_rows in rows.items():
        table = TABLES[name]
        keys = list(map(operator.itemgetter(*table.key), table_rows))
        if "id" in table.key and max(map(len, keys), default=0) > MAX_ID:
            index = next(i for i, key in enumerate(keys) if len(key) > MAX_ID)
            raise InvalidInput(f"{where}: {name}[{index}]: id: {keys[index][:60]!r}… is "
                               f"{len(keys[index])} characters, over the {MAX_ID} an id may "
                               "have; give the record a shorter id")
        if len(set(keys)) == len(keys):
            continue
        seen: dict[Any, int] = {}
        for index, key in enumerate(keys):
            if key in seen and name == "aliases":
                first, again = table_rows[seen[key]], table_rows[index]
                raise InvalidInput(
                    f"{where}: aliases of {key[0]}: {again['alias']!r} and {first['alias']!r} "
                    f"both normalise to {key[1]!r}; an entity keeps one alias per normalised "
                    "form (matching ignores case, accents, punctuation and legal suffixes)"
                )
            if key in seen:
                raise InvalidInput(
                    f"{where}: {name}[{index}]: {table.item_id(table_rows[index])} appears "
                    f"twice (also {name}[{seen[key]}])"
                )
            seen[key] = index


def _existing_ids(tx: Tx, table: str, wanted: set[str]) -> set[str]:
    if not wanted:
        return set()
    found: set[str] = set()
    ids = sorted(wanted)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ", ".join("?" * len(chunk))
        found |= {r["id"] for r in tx.query(f"SELECT id FROM {table} WHERE id IN ({marks})",
                                             chunk)}
    return found


# What a row names that must exist, in the same batch or the store: (table, column, target).
REFERENCES = (*((t, "source_id", "sources") for t in WRITE_ORDER if t != "sources"),
              ("aliases", "entity_id", "entities"), ("relations", "src_id", "entities"),
              ("relations", "dst_id", "entities"), ("facts", "subject_id", "entities"),
              ("rules", "applies_to", "entities"))
FIELD_OF = {column: field for field, column in COLUMN_OF.items()}  # column -> import field


def _check_references(tx: Tx, rows: dict[str, list[Row]], where: str) -> None:
    """Every subject, source, alias owner and relation end must exist, in the batch or store.
    Set arithmetic first (fast for 100k rows); rows are searched only when one is missing."""
    named: dict[str, set[Any]] = {"sources": set(), "entities": set()}
    for table, column, target in REFERENCES:
        named[target].update(map(operator.itemgetter(column), rows[table]))
    named["sources"].discard(None)
    named["entities"] = {e for e in named["entities"] if not e.startswith("kind:")}
    known = {target: {r["id"] for r in rows[target]} for target in named}
    for target, ids in known.items():
        ids |= _existing_ids(tx, target, named[target] - ids)
    if all(named[t] <= known[t] for t in named):
        return
    for table, column, target in REFERENCES:
        for index, row in enumerate(rows[table]):
            ref = row[column]
            if ref is not None and ref not in known[target] and not ref.startswith("kind:"):
                raise InvalidInput(
                    f"{where}: {table}[{index}] ({TABLES[table].item_id(row)}): "
                    f"{FIELD_OF.get(column, column)}: no {TABLES[target].singular} {ref!r} "
                    "in the file or the store")


def _upsert(
    tx: Tx, table: Table, rows: list[Row], who: str, reason: str | None,
    progress: Progress | None = None,
) -> tuple[list[str], list[str]]:
    """Insert new rows, update changed ones, leave identical ones alone."""
    if not rows:
        return [], []
    existing = _existing_rows(tx, table, rows)
    key, values = operator.itemgetter(*table.key), operator.itemgetter(*table.columns)
    if existing:
        new, changed = [], []
        for row in rows:
            old = existing.get(key(row))
            if old is None:
                new.append(row)
            elif values(old) != values(row):
                changed.append(row)
    else:  # the bulk load of a new store: every row is new
        new, changed = rows, []
    if new:
        tail, sql = (who, reason, 1), table.insert_sql()
        for start in range(0, len(new), WRITE_CHUNK):
            tx.executemany(sql, [values(row) + tail for row in new[start:start + WRITE_CHUNK]])
            if progress:
                progress(f"writing {table.name}", min(start + WRITE_CHUNK, len(new)), len(new))
    if changed:
        tx.executemany(table.update_sql("rev + 1"), [
            [*(row[c] for c in table.data_columns), who, reason, *table.key_of(row)]
            for row in changed])
    return table.ids(new), table.ids(changed)


def _existing_rows(tx: Tx, table: Table, rows: list[Row]) -> dict[Any, Row]:
    """Stored rows sharing a key with `rows`, by key (a value, or a tuple for a composite
    key, as operator.itemgetter gives it): by key lookups for a few, one scan for many."""
    cols = ", ".join(table.columns)
    key = operator.itemgetter(*table.key)
    if len(rows) > 200 or len(table.key) > 1:
        return {key(r): r for r in tx.query(f"SELECT {cols} FROM {table.name}")}
    keys = list(map(key, rows))
    found: dict[Any, Row] = {}
    for start in range(0, len(keys), 100):
        chunk = keys[start:start + 100]
        marks = ", ".join("?" * len(chunk))
        found.update((key(r), r) for r in tx.query(
            f"SELECT {cols} FROM {table.name} WHERE {table.key[0]} IN ({marks})", chunk))
    return found


def _set_config(tx: Tx, name: str, value: str, who: str, reason: str | None) -> str | None:
    """Set one config value; returns 'added', 'modified' or None when it already had it."""
    rows = tx.query("SELECT value FROM config WHERE name = ?", [name])
    if rows and rows[0]["value"] == value:
        return None
    if rows:
        tx.execute("UPDATE config SET value = ?, recorded_by = ?, reason = ?, rev = rev + 1 "
                   "WHERE name = ?", [value, who, reason, name])
        return "modified"
    tx.execute("INSERT INTO config (name, value, recorded_by, reason, rev) "
               "VALUES (?, ?, ?, ?, 1)", [name, value, who, reason])
    return "added"


def _summary(counts: dict[str, tuple[int, int]]) -> str:
    parts = []
    for name, (added, modified) in counts.items():
        bits = ([f"+{added}"] if added else []) + ([f"~{modified}"] if modified else [])
        parts.append(f"{name} {' '.join(bits)}")
    return ", ".join(parts)


def _one_line(value: Any, limit: int = 120) -> str:
    text = re.sub(r"\s+", " ", str(value)).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _message(
    title: str, reason: str | None, source: str | None,
    before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
) -> str:
    """First line says what changed; the body carries reason, source and the change."""
    lines = [_one_line(title, 200), ""]
    lines.append(f"Reason: {reason}" if reason else "Reason: (none given)")
    if source:
        lines.append(f"Source: {source}")
    for field in after or {}:
        if before is not None and before.get(field) != after[field]:  # type: ignore[index]
            lines.append(f"{field}: {_one_line(before.get(field))} -> "
                         f"{_one_line(after[field])}")  # type: ignore[index]
    return "\n".join(lines)


def _parse_value(value: str | int | float, value_type: str) -> str | int | float:
    """CLI values arrive as text; numeric facts stay numeric or the correction is refused."""
    if not isinstance(value, str) or value_type not in ("number", "money", "percent"):
        return value
    try:
        return int(value) if re.fullmatch(r"-?\d+", value) else float(value)
    except ValueError:
        raise InvalidInput(f"value: {value!r} is not a number (this fact is {value_type})") \
            from None
