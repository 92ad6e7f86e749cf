"""Names: which row an id, term, entity name or alias means (`resolve`, and the lookups every
command that takes a NAME uses), and the alias index behind them, kept per commit in memory
and, for large stores, on disk (factstore.index_cache).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

from factstore import index_cache
from factstore.errors import Ambiguous, InvalidInput, NotFound
from factstore.periods import parse_day
from factstore.resolver import AliasIndex, Resolution, normalize
from factstore.schema import TABLES, Row, Table, key_from_id, table_for_id
from factstore.store.core import StoreCore

LIVE = "status <> 'retracted'"
PROGRESS_FROM = 100_000  # names from which building the alias index reports progress


class Names:
    # Names (entities + aliases) from which the alias index is written to disk: below it a
    # rebuild takes well under a second, less than reading and checking a file would save.
    index_cache_from = 20_000

    def __init__(self, core: StoreCore) -> None:
        self.core = core
        self._indexes: dict[str, AliasIndex] = {}

    def resolve(self, name: str, *, context: str | None = None, kind: str | None = None,
                as_of: str | None = None, valid_at: str | None = None) -> Resolution:
        commit = self.core.resolve_ref(as_of) if as_of else self.core.head()
        on = parse_day(valid_at, "valid-at").isoformat() if valid_at else date.today().isoformat()
        return self.index(commit).resolve(name, context=context, kind=kind, on=on)

    def resolve_batch(self, path: Path, *, kind: str | None = None, as_of: str | None = None,
                      valid_at: str | None = None) -> Iterator[Resolution]:
        """One answer per line of a JSONL file of {"query", "context"}, in order; every line
        is validated before the first is answered."""
        for query, context in batch_queries(path):
            yield self.resolve(query, context=context, kind=kind, as_of=as_of,
                               valid_at=valid_at)

    # -- the alias index ------------------------------------------------------------------

    def index(self, commit: str) -> AliasIndex:
        """The alias index of one commit: kept while the store is open, and on disk for the
        next process once the store is large enough for a rebuild to be felt."""
        cached = self._indexes.get(commit)
        if cached is None:
            cached = index_cache.load(self.core.backend.cache_dir, commit) or self._build(
                commit)
            self._indexes = {commit: cached}
        return cached

    def _build(self, commit: str) -> AliasIndex:
        progress = self.core.progress
        if progress and self._count(commit) < PROGRESS_FROM:
            progress = None
        if progress:
            progress("reading names", 0, 1)
        entities = self.core.select("entities", LIVE, [], commit)
        aliases = self.core.select("aliases", LIVE, [], commit)
        relations = self.core.select("relations", LIVE, [], commit)
        if progress:
            progress("reading names", 1, 1)
        index = AliasIndex.build(entities, aliases, relations, progress)
        if len(entities) + len(aliases) >= self.index_cache_from:
            index_cache.save(index, self.core.backend.cache_dir, commit, progress)
        return index

    def _count(self, commit: str) -> int:
        """How many entities and aliases the index of commit will hold (a count is ~20x
        cheaper than reading them: worth it only to know whether to report progress)."""
        total = 0
        for table in ("entities", "aliases"):
            source, params = self.core.backend.table_at(table, commit)
            rows = self.core.backend.query(f"SELECT COUNT(*) AS n FROM {source} WHERE {LIVE}",
                                           params)
            total += int(rows[0]["n"])
        return total

    # -- lookups --------------------------------------------------------------------------

    def lookup(self, name: str, commit: str | None = None) -> tuple[Table, Row]:
        """An id, else a defined term, else an entity by name or alias."""
        try:
            table = table_for_id(name)
            rows = self.core.select(table.name, table.where_key(), key_from_id(name), commit)
            if rows:
                return table, rows[0]
        except InvalidInput:
            pass
        terms = self.terms(name, commit=commit)
        entities = self.entities_named(name, commit)
        if len(terms) + len(entities) == 1:
            return (TABLES["definitions"], terms[0]) if terms else (TABLES["entities"],
                                                                     entities[0])
        found = [*terms, *entities]
        if not found:
            raise NotFound(f"nothing named {name!r} (no id, term, name or alias matches)")
        raise ambiguous(name, found)

    def get(self, item_id: str, at: str | None = None, as_of: str | None = None) -> Row:
        """The row of any id; `as_of` names the ref in the not-found message."""
        table = table_for_id(item_id)
        rows = self.core.select(table.name, table.where_key(), key_from_id(item_id), at)
        if not rows:
            raise NotFound(f"no {table.singular} {item_id!r}" + (f" at {as_of}" if as_of
                                                                    else ""))
        return rows[0]

    def terms(self, name: str, scope: str | None = None, commit: str | None = None
              ) -> list[Row]:
        rows = self.core.select("definitions", LIVE, [], commit, "id")
        wanted = normalize(name)
        return [r for r in rows if normalize(r["term"]) == wanted
                and (scope is None or r["scope"] == scope)]

    def entities_named(self, name: str, commit: str | None = None) -> list[Row]:
        """The entity a name resolves to, or the candidates when it is ambiguous."""
        index = self.index(commit or self.core.head())
        found = index.resolve(name, on=date.today().isoformat())
        if found.status == "unknown":
            return []
        ids = [found.entity["id"]] if found.entity else [c.id for c in found.candidates]
        return [index.entities[i] for i in ids]

    def definition(self, name: str, scope: str | None) -> Row:
        """The definition a correction names: its id, or its term (and scope)."""
        if name.startswith("def:"):
            return self.get(name)
        found = self.terms(name, scope)
        if len(found) == 1:
            return found[0]
        if not found:
            raise NotFound(f"no definition of {name!r}" + (f" in scope {scope!r}" if scope
                                                           else ""))
        raise ambiguous(name, found, hint="pass --scope or the definition id")

    def fact(self, name: str, predicate: str | None, period: str | None) -> Row:
        """The fact a correction names: its id, or its entity with predicate and period."""
        if name.startswith("fact:"):
            return self.get(name)
        entities = self.entities_named(name)
        if not entities and table_for_id(name).name == "entities":
            entities = [self.get(name)]
        if len(entities) > 1:
            raise ambiguous(name, entities, hint="use the entity id")
        if not entities:
            raise NotFound(f"no fact or entity named {name!r}")
        facts = [f for f in self.core.select("facts", f"subject_id = ? AND {LIVE}",
                                             [entities[0]["id"]], None, "id")
                 if (predicate is None or f["predicate"] == predicate)
                 and (period is None or f["period"] == period)]
        if len(facts) == 1:
            return facts[0]
        if not facts:
            raise NotFound(f"no active fact of {entities[0]['id']} matches "
                           f"predicate={predicate} period={period}")
        raise ambiguous(name, facts, hint="pass --predicate/--period or the fact id")


def batch_queries(path: Path) -> list[tuple[str, str | None]]:
    """The queries of a --batch file; a bad line names its number."""
    queries = []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path.name}: cannot read ({exc})") from None
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"{path.name}: line {lineno}: malformed JSON: {exc.msg}") from None
        if not isinstance(item, dict) or not isinstance(item.get("query"), str) or not (
                set(item) <= {"query", "context"}) or not isinstance(item.get("context", ""), str):
            raise InvalidInput(f'{path.name}: line {lineno}: expected {{"query": TEXT, '
                               '"context": TEXT (optional)}')
        queries.append((item["query"], item.get("context")))
    return queries


def ambiguous(name: str, rows: Iterable[Row], hint: str = "use the id") -> Ambiguous:
    candidates = [
        {"id": table_for_id(r["id"]).item_id(r) if "id" in r else TABLES["aliases"].item_id(r),
         "label": r.get("term") or r.get("name") or r.get("predicate") or "",
         "scope": r.get("scope"), "period": r.get("period")}
        for r in rows
    ]
    ids = ", ".join(str(c["id"]) for c in candidates)
    return Ambiguous(f"{name!r} is ambiguous ({ids}); {hint}", candidates)
