"""FactStore: the one public entry point. Every write is one transaction and one Dolt commit.

Table and column names come from TABLES, a fixed allow-list; every value is a parameter.
"""

from __future__ import annotations

import operator
import os
import re
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from factstore.backends.base import Backend, Row, Tx, schema_statements
from factstore.errors import Ambiguous, Conflict, FactstoreError, InvalidInput, NotFound, Refused
from factstore.models import (
    Alias,
    Author,
    Commit,
    Definition,
    Entity,
    Fact,
    KnowledgeBatch,
    Relation,
    Rule,
    ShowResult,
    Source,
    WriteResult,
    value_text,
)
from factstore.resolver import normalize

STORE_DIR = ".facts"
STORE_FILE = "facts.db"
BOOKKEEPING = ("recorded_by", "reason", "rev")


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

    def key_of(self, row: Row) -> tuple[Any, ...]:
        if len(self.key) == 1:
            return (row[self.key[0]],)
        return tuple(row[k] for k in self.key)

    def where_key(self) -> str:
        return " AND ".join(f"{k} = ?" for k in self.key)


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


def check_author(author: str | None) -> str:
    """The author of a write, as 'Name <email>'; writes without one are refused."""
    if not author:
        raise Refused(
            "no author: pass --by 'Name <email>', set FACTS_AUTHOR, or set git user.name/email"
        )
    try:
        from pydantic import TypeAdapter

        return TypeAdapter(Author).validate_python(author.strip())
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


def _backend(url: str | None, create: bool = False) -> Backend:
    url = url or os.environ.get("FACTS_URL")
    if url and url.startswith("mysql://"):
        from factstore.backends.dolt import DoltServerBackend

        return DoltServerBackend.create(url) if create else DoltServerBackend(url)
    from factstore.backends.doltlite import DoltliteBackend

    if create:
        return DoltliteBackend.create(_doltlite_path(url or STORE_DIR))
    return DoltliteBackend(_doltlite_path(url) if url else find_store())


def open_store(url: str | None = None) -> FactStore:
    """Open an existing store: url, else FACTS_URL, else .facts/ here or in a parent."""
    return FactStore(_backend(url))


def init_store(url: str | None = None, author: str | None = None) -> FactStore:
    """Create a store (./.facts/ by default) and commit the schema as its first commit."""
    who = check_author(author or default_author() or "factstore <factstore@localhost>")
    store = FactStore(_backend(url, create=True))
    applied_at = datetime.now(UTC).isoformat(timespec="seconds")

    def body(tx: Tx) -> str:
        for stmt in schema_statements():
            tx.execute(stmt)
        tx.execute("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                   ("0001_initial", applied_at))
        return "Initialise factstore schema"

    store.backend.write(body, who)
    return store


# --- the store -------------------------------------------------------------------------------


class FactStore:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend

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
        return self.import_batch(load_file(path), author=who, reason=reason,
                                 message=f"Import {path.name}", where=path.name)

    def import_batch(
        self, batch: KnowledgeBatch, *, author: str | None, message: str,
        reason: str | None = None, where: str = "input",
    ) -> WriteResult:
        """Upsert a validated batch as one commit: identical rows untouched, none deleted."""
        who = check_author(author)
        changed: list[str] = []

        rows = {name: [item.row() for item in getattr(batch, name)] for name in WRITE_ORDER}
        _check_duplicates(rows, where)

        def body(tx: Tx) -> str | None:
            changed.clear()
            _check_references(tx, batch, where)
            counts = {}
            for name in WRITE_ORDER:
                added, modified = _upsert(tx, TABLES[name], rows[name], who, reason)
                changed.extend(added + modified)
                if added or modified:
                    counts[name] = (len(added), len(modified))
            if batch.calendar:
                month = str(batch.calendar.fiscal_year_start_month)
                op = _set_config(tx, "calendar.fiscal_year_start_month", month, who, reason)
                if op:
                    changed.append("config:calendar.fiscal_year_start_month")
                    counts["config"] = (1, 0) if op == "added" else (0, 1)
            if not changed:
                return None
            return _message(f"{message}: {_summary(counts)}", reason, None)

        commit = self.backend.write(body, who)
        return WriteResult(commit=commit, changed=list(changed) if commit else [])

    def add(
        self,
        item: Source | Entity | Alias | Relation | Definition | Fact | Rule,
        *,
        author: str | None,
        reason: str | None = None,
    ) -> WriteResult:
        """Add (or update) one item as one commit."""
        section = {Source: "sources", Entity: "entities", Alias: "aliases",
                   Relation: "relations", Definition: "definitions", Fact: "facts",
                   Rule: "rules"}[type(item)]
        batch = KnowledgeBatch(**{section: [item]})
        if isinstance(item, Entity):
            from factstore.importers import _flatten_entities

            _flatten_entities(batch)
        label = section.rstrip("s").replace("entitie", "entity").replace("aliase", "alias")
        return self.import_batch(batch, author=author, reason=reason, message=f"Add {label}")

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
        row = self._get(table, key_from_id(item_id))
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

        commit = self.backend.write(body, who)
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

    def get(self, item_id: str) -> Row:
        """The current row of any id (entity slug, src:, def:, fact:, rule:, alias:, rel:)."""
        return self._get(table_for_id(item_id), key_from_id(item_id))

    def _get(self, table: Table, key: Sequence[Any]) -> Row:
        rows = self.backend.query(f"SELECT * FROM {table.name} WHERE {table.where_key()}", key)
        if not rows:
            raise NotFound(f"no {table.name[:-1].replace('entitie', 'entity')} "
                           f"{':'.join(map(str, key))!r}")
        return rows[0]

    def show(self, name: str) -> ShowResult:
        """A row by id or name, with its source and the commit that last changed it."""
        table, row = self._lookup(name)
        source = None
        if row.get("source_id"):
            found = self.backend.query("SELECT * FROM sources WHERE id = ?", [row["source_id"]])
            source = found[0] if found else None
        return ShowResult(id=table.item_id(row), table=table.name, row=row, source=source,
                          last_change=self._last_change(table, row))

    def _last_change(self, table: Table, row: Row) -> Commit | None:
        rows = self.backend.query(
            f"SELECT * FROM dolt_blame_{table.name} WHERE {table.where_key()}",
            table.key_of(row),
        )
        if not rows:
            return None
        b = rows[0]
        return Commit(commit=b["commit"], author=f"{b['committer']} <{b['email']}>",
                      date=_iso(b["commit_date"]), message=b["message"])

    def list(
        self,
        table: str,
        *,
        kind: str | None = None,
        subject: str | None = None,
        status: str | None = None,
    ) -> list[Row]:
        """Rows of one table, retracted ones only when asked for by status."""
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
        order = ", ".join(spec.key)
        return self.backend.query(
            f"SELECT * FROM {table} WHERE {' AND '.join(where)} ORDER BY {order}", params
        )

    def log(self, limit: int | None = None) -> list[Commit]:
        """Commits, newest first."""
        sql = "SELECT commit_hash, committer, email, date, message FROM dolt_log"
        rows = self.backend.query(sql + (f" LIMIT {int(limit)}" if limit else ""))
        return [Commit(commit=r["commit_hash"], author=f"{r['committer']} <{r['email']}>",
                       date=_iso(r["date"]), message=r["message"]) for r in rows]

    # -- name lookup ----------------------------------------------------------------------

    def _lookup(self, name: str) -> tuple[Table, Row]:
        """An id, else a defined term, else an entity by name or alias."""
        try:
            return table_for_id(name), self.get(name)
        except (NotFound, InvalidInput):
            pass
        terms = self._terms(name)
        entities = self._entities_named(name)
        if len(terms) + len(entities) == 1:
            return (TABLES["definitions"], terms[0]) if terms else (TABLES["entities"],
                                                                     entities[0])
        found = [*terms, *entities]
        if not found:
            raise NotFound(f"nothing named {name!r} (no id, term, name or alias matches)")
        raise _ambiguous(name, found)

    def _terms(self, name: str, scope: str | None = None) -> list[Row]:
        rows = self.backend.query(
            "SELECT * FROM definitions WHERE status <> 'retracted' ORDER BY id"
        )
        wanted = normalize(name)
        return [r for r in rows if normalize(r["term"]) == wanted
                and (scope is None or r["scope"] == scope)]

    def _entities_named(self, name: str) -> list[Row]:
        wanted = normalize(name)
        ids = {r["entity_id"] for r in self.backend.query(
            "SELECT entity_id FROM aliases WHERE normalized = ? AND status <> 'retracted'",
            [wanted])}
        rows = self.backend.query("SELECT * FROM entities WHERE status <> 'retracted'")
        return [r for r in rows if r["id"] in ids or normalize(r["name"]) == wanted]

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
        facts = [f for f in self.list("facts", subject=entities[0]["id"])
                 if (predicate is None or f["predicate"] == predicate)
                 and (period is None or f["period"] == period)]
        if len(facts) == 1:
            return facts[0]
        if not facts:
            raise NotFound(f"no active fact of {entities[0]['id']} matches "
                           f"predicate={predicate} period={period}")
        raise _ambiguous(name, facts, hint="pass --predicate/--period or the fact id")


# --- write helpers ---------------------------------------------------------------------------


def _ambiguous(name: str, rows: Iterable[Row], hint: str = "use the id") -> Ambiguous:
    candidates = [
        {"id": table_for_id(r["id"]).item_id(r) if "id" in r else TABLES["aliases"].item_id(r),
         "label": r.get("term") or r.get("name") or r.get("predicate") or "",
         "scope": r.get("scope"), "period": r.get("period")}
        for r in rows
    ]
    ids = ", ".join(c["id"] for c in candidates)
    return Ambiguous(f"{name!r} is ambiguous ({ids}); {hint}", candidates)


def _check_duplicates(rows: dict[str, list[Row]], where: str) -> None:
    for name, table_rows in rows.items():
        table = TABLES[name]
        keys = [table.key_of(row) for row in table_rows]
        if len(set(keys)) == len(keys):
            continue
        seen: dict[tuple[Any, ...], int] = {}
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


def _check_references(tx: Tx, batch: KnowledgeBatch, where: str) -> None:
    """Every subject, source, alias owner and relation end must exist, in the batch or store."""
    entity_ids = {e.id for e in batch.entities}
    source_ids = {s.id for s in batch.sources}
    refs: list[tuple[str, int, str, str, str]] = []  # section, index, field, table, id
    for name in ("entities", "aliases", "relations", "definitions", "facts", "rules"):
        for i, item in enumerate(getattr(batch, name)):
            if item.source:
                refs.append((name, i, "source", "sources", item.source))
    refs += [("aliases", i, "entity", "entities", a.entity) for i, a in enumerate(batch.aliases)]
    for i, r in enumerate(batch.relations):
        refs += [("relations", i, "src", "entities", r.src),
                 ("relations", i, "dst", "entities", r.dst)]
    refs += [("facts", i, "subject", "entities", f.subject) for i, f in enumerate(batch.facts)]
    refs += [("rules", i, "applies_to", "entities", r.applies_to)
             for i, r in enumerate(batch.rules) if not r.applies_to.startswith("kind:")]
    local = {"entities": entity_ids, "sources": source_ids}
    missing_by_table = {
        table: {ref for _, _, _, t, ref in refs if t == table} - local[table]
        for table in local
    }
    stored = {t: _existing_ids(tx, t, ids) for t, ids in missing_by_table.items()}
    for section, index, field, table, ref in refs:
        if ref not in local[table] and ref not in stored[table]:
            item = getattr(batch, section)[index]
            ident = getattr(item, "key", None) or getattr(item, "id", None)
            label = f"{section}[{index}]" + (f" ({ident})" if ident else "")
            raise InvalidInput(f"{where}: {label}: {field}: no {table[:-1].replace('entitie', 'entity')} "
                               f"{ref!r} in the file or the store")


def _upsert(
    tx: Tx, table: Table, rows: list[Row], who: str, reason: str | None
) -> tuple[list[str], list[str]]:
    """Insert new rows, update changed ones, leave identical ones alone."""
    if not rows:
        return [], []
    existing = _existing_rows(tx, table, rows)
    inserts, updates, added, modified = [], [], [], []
    values = operator.itemgetter(*table.columns)
    for row in rows:
        old = existing.get(table.key_of(row)) if existing else None
        if old is None:
            inserts.append((*values(row), who, reason, 1))
            added.append(table.item_id(row))
        elif any(old[c] != row[c] for c in table.columns):
            data = [c for c in table.columns if c not in table.key]
            updates.append([row[c] for c in data] + [who, reason] + list(table.key_of(row)))
            modified.append(table.item_id(row))
    cols = [*table.columns, *BOOKKEEPING]
    if inserts:
        tx.executemany(
            f"INSERT INTO {table.name} ({', '.join(cols)}) "
            f"VALUES ({', '.join('?' * len(cols))})", inserts)
    if updates:
        data = [c for c in table.columns if c not in table.key]
        sets = ", ".join(f"{c} = ?" for c in data)
        tx.executemany(
            f"UPDATE {table.name} SET {sets}, recorded_by = ?, reason = ?, rev = rev + 1 "
            f"WHERE {table.where_key()}", updates)
    return added, modified


def _existing_rows(tx: Tx, table: Table, rows: list[Row]) -> dict[tuple[Any, ...], Row]:
    """Stored rows sharing a key with `rows`: by key lookups for a few, one scan for many."""
    cols = ", ".join(table.columns)
    if len(rows) > 200 or len(table.key) > 1:
        stored = tx.query(f"SELECT {cols} FROM {table.name}")
        return {table.key_of(r): r for r in stored}
    keys = [row[table.key[0]] for row in rows]
    found: dict[tuple[Any, ...], Row] = {}
    for start in range(0, len(keys), 100):
        chunk = keys[start:start + 100]
        marks = ", ".join("?" * len(chunk))
        for r in tx.query(f"SELECT {cols} FROM {table.name} WHERE {table.key[0]} IN ({marks})",
                          chunk):
            found[table.key_of(r)] = r
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


def _iso(value: Any) -> str:
    text = str(value)
    return text.replace(" ", "T", 1) + ("Z" if "+" not in text and "Z" not in text else "")
