"""Names: which row an id, term, entity name or alias means (`resolve`, and the lookups every
command that takes a NAME uses), and the alias index behind them, kept per commit in memory
and, for large stores, on disk (factstore.index_cache).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from factstore import index_cache
from factstore.errors import Ambiguous, InvalidInput, NotFound
from factstore.results import Match, MatchedBy
from factstore.periods import parse_day
from factstore.resolver import (
    FORM_RUNS,
    LEGAL_SUFFIXES,
    MORE_FORMS,
    AliasIndex,
    full_name,
    legal_form,
    match_key,
    normalize,
    normalize_0004,
    spellings,
    split_form,
)
from factstore.schema import (
    MAX_ID,
    TABLES,
    Row,
    Table,
    alias_spellings,
    key_from_id,
    table_for_id,
)
from factstore.store.core import StoreCore

if TYPE_CHECKING:
    from factstore.resolver import Resolution

LIVE = "status <> 'retracted'"
INDEXED_NAMES = "0003_spellings_captured"  # the migration that indexes normalised names
JOINED_NAMES = "0005_apostrophes_joined"  # ... that stores "O'Brien" as "obrien", not "o brien"
PROGRESS_FROM = 100_000  # names from which building the alias index reports progress
CHANGE_KEYS = {"entities": ("id",), "aliases": ("entity_id", "normalized"),
               "relations": ("src_id", "rel", "dst_id")}
CHUNK = 500  # keys per IN (...) when reading the changed rows
# the legal forms normalize() keeps in a stored name ("a s" of A/S, "aps", "oyj"): a name
# given without one finds the name stored with it (Names._exact_entities)
KEPT_FORMS = sorted((MORE_FORMS - LEGAL_SUFFIXES) | {" ".join(p) for p in FORM_RUNS})
NEAR = 80  # a term, id, kind, predicate or period spelled this close (rapidfuzz ratio) to
#           one given is suggested for it


class Names:
    # Names (entities + aliases) from which the alias index is written to disk: below it a
    # rebuild takes well under a second, less than reading and checking a file would save.
    index_cache_from = 20_000
    # Changed rows a table (between the cached commit and the one asked for) up to which the
    # cached index is updated; beyond, rebuilt (an import of many names).
    update_most = 5_000

    def __init__(self, core: StoreCore) -> None:
        self.core = core
        self._indexes: dict[str, AliasIndex] = {}
        self._migrated_at: dict[tuple[str, str], bool] = {}

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
            folder = self.core.backend.cache_dir
            cached = (index_cache.load(folder, commit) or self._update(folder, commit)
                      or self._build(commit))
            self._indexes = {commit: cached}
        return cached

    def _build(self, commit: str) -> AliasIndex:
        """Every live name read and indexed, in primary-key order (whatever order the engine
        returns rows in), so that a later commit's index can be updated from it."""
        progress = self.core.progress
        if progress and self._count(commit) < PROGRESS_FROM:
            progress = None
        if progress:
            progress("reading names", 0, 1)
        entities = sorted(self.core.select("entities", LIVE, [], commit),
                          key=lambda r: r["id"])
        aliases = sorted(self.core.select("aliases", LIVE, [], commit),
                         key=lambda r: (r["entity_id"], r["normalized"]))
        relations = sorted(self.core.select("relations", LIVE, [], commit),
                           key=lambda r: (r["src_id"], r["rel"], r["dst_id"]))
        if progress:
            progress("reading names", 1, 1)
        index = AliasIndex.build(entities, aliases, relations, progress)
        if len(entities) + len(aliases) >= self.index_cache_from:
            index_cache.save(index, self.core.backend.cache_dir, commit, progress,
                             in_key_order=True)
        return index

    def _update(self, folder: Path, commit: str) -> AliasIndex | None:
        """The index of commit from the newest cache file of another commit and Dolt's diff
        between the two, saved as commit's file; None (rebuild) when there is none, the diff
        is larger than update_most rows a table, or it cannot be read."""
        from factstore import index_update
        from factstore.backends import versioning

        older = [c for c in index_cache.cached_commits(folder) if c != commit][:1]
        base = index_cache.load(folder, older[0]) if older else None
        if base is None:
            return None
        backend, most = self.core.backend, self.update_most
        changed = {table: versioning.changed_keys(backend, table, older[0], commit, key, most)
                   for table, key in CHANGE_KEYS.items()}
        if any(keys is None for keys in changed.values()):
            return None
        if not any(changed.values()):  # a fact corrected: the names are the same
            if index_cache.link(folder, commit, older[0]):
                return index_cache.load(folder, commit) or base
            return base
        touched = sorted({k[0] for t in ("entities", "aliases") for k in changed[t] or ()})
        entities: dict[str, Row | None] = dict.fromkeys(touched)
        aliases: list[Row] = []
        for start in range(0, len(touched), CHUNK):
            chunk = touched[start:start + CHUNK]
            marks = ", ".join("?" * len(chunk))
            entities.update((r["id"], r) for r in self.core.select(
                "entities", f"id IN ({marks}) AND {LIVE}", chunk, commit))
            aliases += self.core.select("aliases", f"entity_id IN ({marks}) AND {LIVE}", chunk,
                                        commit)
        relations = dict.fromkeys(changed["relations"] or (), False)
        sources = sorted({src for src, _, _ in relations})
        for start in range(0, len(sources), CHUNK):
            chunk = sources[start:start + CHUNK]
            for r in self.core.select("relations", f"src_id IN ({', '.join('?' * len(chunk))})"
                                      f" AND {LIVE}", chunk, commit):
                key = (r["src_id"], r["rel"], r["dst_id"])
                if key in relations:
                    relations[key] = True
        sections = index_update.updated(base, entities, aliases, relations)
        if sections is None:
            return None
        if index_cache.write(sections, folder, commit, in_key_order=True):
            return index_cache.load(folder, commit) or index_cache.in_memory(sections)
        return index_cache.in_memory(sections)

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
    #
    # A write acts only on the row a NAME names exactly: an id, or (normalised) a defined term,
    # an entity's name or one of its aliases. Anything else is refused with the rows it may
    # have meant ("did you mean"). A read may follow the one entity the resolver confidently
    # names, and says so (Match.matched_by == "fuzzy"); an ambiguous answer is never a match.

    def lookup(self, name: str, commit: str | None = None, *, fuzzy: bool = False) -> Found:
        """An id, else a defined term, else an entity by exact name or alias; with fuzzy
        (reads), else the entity the resolver resolves the name to."""
        return self.exact(name, commit) or self.near(name, commit, fuzzy=fuzzy)

    def exact(self, name: str, commit: str | None = None) -> Found | None:
        """The row an id, term, entity name or alias names exactly; None when none does,
        Ambiguous when several do."""
        by_id = self._by_id(name, commit)
        if by_id is not None:
            return by_id
        found = [Found(TABLES["definitions"], r, "term", r["term"])
                 for r in self.terms(name, commit=commit)] + self._named(name, commit)
        if len(found) > 1:
            raise ambiguous(name, [f.row for f in found])
        return found[0] if found else None

    def entity(self, name: str, commit: str | None = None, *, fuzzy: bool = False) -> Found:
        """The entity an id, name or alias names exactly; with fuzzy (reads), else the one the
        resolver resolves the name to."""
        rows = self.core.select("entities", "id = ?", [name], commit)
        if rows:
            return Found(TABLES["entities"], rows[0])
        found = self._named(name, commit)
        if len(found) > 1:
            raise ambiguous(name, [f.row for f in found], hint="use the entity id")
        return found[0] if found else self.near(name, commit, fuzzy=fuzzy, terms=False)

    def near(self, name: str, commit: str | None = None, *, fuzzy: bool = False,
             terms: bool = True) -> Found:
        """For a name nothing matches exactly: with fuzzy, the entity the resolver resolves it
        to; otherwise (or when the resolver is not sure) the error that lists what it may
        mean: Ambiguous (exit 2) with candidates, NotFound (exit 3) when nothing is close."""
        table = table_for_id(name)
        if table.prefix:  # an id by its prefix: it names that row or nothing
            raise NotFound(f"no {table.singular} {name!r}")
        index = self.index(commit or self.core.head())
        answer = index.resolve(name, on=date.today().isoformat())
        if fuzzy and answer.status == "resolved":
            top = answer.candidates[0]
            return Found(TABLES["entities"], dict(index.entities[top.id]), "fuzzy", top.name,
                         top.score)
        candidates = [{"id": c.id, "label": f"{c.name} ({c.kind}, score {c.score})",
                       "score": c.score} for c in answer.candidates]
        if terms:
            candidates += self._near_terms(name, commit)
        if not candidates:
            raise NotFound(f"nothing named {name!r} (no id, term, name or alias matches)")
        shown = ", ".join(str(c["id"]) for c in candidates)
        if fuzzy and (unsure := answer.not_sure()) and len(candidates) == 1:  # one near miss
            raise Ambiguous(f"{unsure} Nothing is named {name!r} exactly; use the id",
                            candidates)
        if fuzzy and answer.status == "ambiguous":  # a read never guesses between them
            raise Ambiguous(f"{name!r} is ambiguous ({shown}); use the id", candidates)
        if fuzzy:
            raise Ambiguous(f"nothing is named {name!r} exactly; did you mean {shown}?",
                            candidates)
        raise Ambiguous(f"{name!r} is not an exact id, name, alias or term, and a write acts "
                        f"only on the row it names; did you mean {shown}?", candidates)

    def _by_id(self, name: str, commit: str | None) -> Found | None:
        try:
            table = table_for_id(name)
            rows = self.core.select(table.name, table.where_key(), key_from_id(name), commit)
        except InvalidInput:
            return None
        return Found(table, rows[0]) if rows else None

    def entities_named(self, name: str, commit: str, *, ids: bool = True) -> list[str]:
        """The entities a name names exactly: the one whose id it is (ids=False: the caller
        has looked ids up already), else the live ones whose name or live alias it is
        (normalised); none, one, or several (ambiguous). No near match is ever followed."""
        if ids and self.core.select("entities", "id = ?", [name], commit):
            return [name]
        return [found.id for found in self._named(name, commit)]

    def _indexed(self, commit: str | None) -> bool:
        """Whether the store at commit has the normalised-name columns and indexes exact
        lookups read (migration 0003); a commit from before it is looked up in the alias
        index."""
        return self._has(INDEXED_NAMES, commit)

    def _has(self, migration: str, commit: str | None) -> bool:
        """Whether the store had a migration at commit (remembered per commit)."""
        if commit is not None and (migration, commit) in self._migrated_at:
            return self._migrated_at[migration, commit]
        found = self.core.has_migration(migration, commit)
        if commit is not None:
            self._migrated_at[migration, commit] = found
        return found

    def _keys(self, name: str, commit: str | None) -> list[str]:
        """The normalised keys a name is stored under at commit: before migration 0005 also
        as normalize() wrote them then ("o brien" for O'Brien), when that differs."""
        wanted = normalize(name)
        old = wanted if self._has(JOINED_NAMES, commit) else normalize_0004(name)
        return [wanted] if old == wanted else [wanted, old]

    def _named(self, name: str, commit: str | None) -> list[Found]:
        """The live entities a name names exactly (_exact_entities), else those it names
        written without the letters NFKD keeps whole or the umlauts (folded)."""
        return self._exact_entities(name, commit) or (
            folded(self.index(commit or self.core.head()), name)
            if match_key(normalize(name)) else [])

    def _exact_entities(self, name: str, commit: str | None, *, formed: bool = False
                        ) -> list[Found]:
        """Live entities whose name or live alias normalises as `name` does (an acronym the
        resolver derives is no exact name); each entity once, by its name before an alias.
        A name that gives a legal form ("Acme Corporation") names only what is stored with
        that form: "Acme GmbH" normalises as it does, but is another company. A name with
        no legal form that names nothing so also names what is stored with one of the
        forms normalize() keeps (formed: "Østerbro Sport" for "Østerbro Sport A/S", as
        "Acme" names "Acme GmbH"). Read by index on the normalised name: the alias index is
        not needed."""
        if not self._indexed(commit):
            return self._exact_in_index(name, commit, formed=formed)
        wanted, full = normalize(name), full_name(name)
        said = self._keys(name, commit)  # stored names keep 255 characters of a key
        keys = sorted({f"{w} {form}"[:255] for w in said for form in KEPT_FORMS} if formed
                      else {*said, *(w[:255] for w in said)})
        marks = ", ".join("?" * len(keys))
        found: dict[str, Found] = {}
        for e in self.core.select("entities", f"normalized IN ({marks}) AND {LIVE}", keys,
                                  commit):
            if normalize(e["name"]) in keys and (full == wanted or full_name(e["name"]) == full):
                found[e["id"]] = Found(TABLES["entities"], e, "name", e["name"])
        aliases = self.core.select("aliases", f"normalized IN ({marks}) AND {LIVE}", keys,
                                   commit)
        owners = sorted({a["entity_id"] for a in aliases} - found.keys())
        live = {e["id"]: e for start in range(0, len(owners), 500) for e in self.core.select(
            "entities", f"id IN ({', '.join('?' * len(owners[start:start + 500]))}) AND "
            f"{LIVE}", owners[start:start + 500], commit)}
        for a in sorted(aliases, key=lambda a: (a["entity_id"], a["normalized"])):
            if a["entity_id"] not in live or a["entity_id"] in found:
                continue
            spelled = [s["alias"] for s in alias_spellings(a) if s["status"] != "retracted"
                       and (full == wanted or full_name(s["alias"]) == full)]
            if spelled:
                found[a["entity_id"]] = Found(TABLES["entities"], live[a["entity_id"]],
                                              "alias", spelled[0])
        if not found and not formed and wanted and not split_form(full)[1]:
            return self._exact_entities(name, commit, formed=True)
        return [found[e] for e in sorted(found)]

    def _exact_in_index(self, name: str, commit: str | None, *, formed: bool = False
                        ) -> list[Found]:
        """_exact_entities at a commit from before the normalised-name columns, with the
        same retry of a bare name with the forms normalize() keeps."""
        index = self.index(commit or self.core.head())
        wanted, full = normalize(name), full_name(name)
        said = self._keys(name, commit)  # stored aliases keep 255 characters of a key
        keys = ({f"{w} {form}"[:255] for w in said for form in KEPT_FORMS} if formed else
                {*said, *(w[:255] for w in said)})
        found = _entities_of(index, (
            i for key in keys for i in index.exact.bucket(key)
            if (index.aliases.normalized[i] in keys
                or normalize(index.aliases.text[i])[:255] in keys)
            and (full == wanted or index.aliases[i].full == full)))
        if not found and not formed and wanted and not split_form(full)[1]:
            return self._exact_in_index(name, commit, formed=True)
        return found

    def _near_terms(self, name: str, commit: str | None) -> list[dict[str, Any]]:
        """Defined terms spelled like `name`, as candidates."""
        terms: dict[str, list[str]] = {}
        for r in self.core.select("definitions", LIVE, [], commit, "id"):
            terms.setdefault(normalize(r["term"]), []).append(r["id"])
        return [{"id": i, "label": f"term {term!r}", "score": round(score)}
                for term, score in spelled_like(normalize(name), list(terms))
                for i in terms[term]]

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
        wanted = normalize(name)
        if self._indexed(commit):
            keys = [k[:255] for k in self._keys(name, commit)]
            rows = self.core.select("definitions",
                                    f"normalized IN ({', '.join('?' * len(keys))}) AND {LIVE}",
                                    keys, commit, "id")
        else:
            rows = self.core.select("definitions", LIVE, [], commit, "id")
        return [r for r in rows if normalize(r["term"]) == wanted
                and (scope is None or r["scope"] == scope)]

    def definition(self, name: str, scope: str | None) -> Row:
        """The definition a correction names: its id, or its exact term (and scope)."""
        if name.startswith("def:"):
            return self.get(name)
        self._not_another_kind(name, "definition")
        found = self.terms(name, scope)
        if len(found) == 1:
            return found[0]
        if found:
            raise ambiguous(name, found, hint="pass --scope or the definition id")
        if scope is not None and (scoped := self.terms(name)):
            shown = ", ".join(str(r["id"]) for r in scoped)
            raise Ambiguous(f"no definition of {name!r} in scope {scope!r}; a correction acts "
                            f"only on the scope it names exactly: did you mean {shown}?",
                            [_candidate(r) for r in scoped])
        if scope is None or not self.terms(name):
            near = self._near_terms(name, None)
            if near:
                shown = ", ".join(str(c["id"]) for c in near)
                raise Ambiguous(f"no definition of {name!r}; a correction acts only on the "
                                f"term it names exactly: did you mean {shown}?", near)
        raise NotFound(f"no definition of {name!r}" + (f" in scope {scope!r}" if scope
                                                       else ""))

    def fact(self, name: str, predicate: str | None, period: str | None,
             source: str | None = None) -> Row:
        """The fact a correction names: its id, or its entity (id, exact name or alias) with
        predicate and period; when several facts still match, `source` picks the one from
        that source."""
        if name.startswith("fact:"):
            return self.get(name)
        self._not_another_kind(name, "fact")
        entity = self.entity(name).row["id"]
        live = self.core.select("facts", f"subject_id = ? AND {LIVE}", [entity], None, "id")
        facts = [f for f in live if (predicate is None or f["predicate"] == predicate)
                 and (period is None or f["period"] == period)]
        if len(facts) > 1 and source is not None:
            narrowed = [f for f in facts if f["source_id"] == source]
            facts = narrowed or facts
            if not narrowed:
                raise ambiguous(name, facts, hint=f"none is from {source}; use the fact id")
        if len(facts) == 1:
            return facts[0]
        if not facts:
            near = _near_facts(live, predicate, period)
            if near:
                shown = ", ".join(str(f["id"]) for f in near)
                raise Ambiguous(f"no active fact of {entity} matches predicate={predicate} "
                                f"period={period}; a correction acts only on the fact it "
                                f"names exactly: did you mean {shown}?",
                                [_candidate(f) for f in near])
            raise NotFound(f"no active fact of {entity} matches "
                           f"predicate={predicate} period={period}")
        narrow = [flag for flag, given in (("--predicate", predicate), ("--period", period),
                                           ("--source", source)) if given is None]
        raise ambiguous(name, facts, hint=f"pass {', '.join([*narrow, 'or the fact id'])}"
                        if narrow else "pass the fact id")


    def _not_another_kind(self, name: str, wanted: str) -> None:
        """A correction of a fact given a definition's id (or of a definition given a fact's,
        a rule's …) is refused as the wrong kind, saying how that row is changed, rather than
        reported as a row that does not exist."""
        table = table_for_id(name)
        if not table.prefix or table.singular == wanted:
            return
        if self.core.select(table.name, table.where_key(), key_from_id(name), None):
            raise InvalidInput(f"{name} is a {table.singular}, not a {wanted}: "
                               + CHANGED_BY.get(table.singular, CHANGED_BY["other"])
                               .replace("ID", name).replace("KIND", table.singular))


# how a row of each kind is changed, for a correction given the wrong kind of id
CHANGED_BY = {
    "fact": "correct it with --value",
    "definition": "correct it with --def",
    "rule": "change its text with `facts add rule --id ID --update --text …`",
    "alias": "add the alias again with `facts add alias … --update`, or retract it",
    "relation": "add the relation again with `facts add relation … --update`, or retract it",
    "other": "change it with `facts add KIND --id ID --update`",
}


def folded(index: AliasIndex, name: str) -> list[Found]:
    """The entities whose name or alias is `name` but for ø æ ł đ written o ae l d, or ä ö
    ü written ae oe ue ("Lodz Pharma" for Łódź Pharma sp. z o.o., "Mueller" for Müller):
    the stored key keeps those letters, so the SQL lookup misses them, while the alias
    index matches under both spellings (match_key, spellings). A name giving a legal form
    names only what is stored with that form. Asked only when nothing is named otherwise."""
    key, form = match_key(normalize(name)), legal_form(name)
    texts, keys = index.aliases.text, index.aliases.normalized
    return _entities_of(index, (
        i for i in index.exact.bucket(key)
        if key in spellings(texts[i], keys[i])[1:]
        and not (form and legal_form(texts[i]) != form)))


def _entities_of(index: AliasIndex, ids: Iterable[int]) -> list[Found]:
    """The live entities of these aliases, each once, by its name before an alias."""
    found: dict[str, Found] = {}
    for i in ids:
        alias = index.aliases[i]
        if alias.entity not in index.entities:
            continue
        by: MatchedBy = "name" if alias.kind == "entity name" else "alias"
        if alias.entity not in found or by == "name":
            found[alias.entity] = Found(TABLES["entities"], dict(index.entities[alias.entity]),
                                        by, alias.text)
    return [found[e] for e in sorted(found)]


def _near_facts(facts: list[Row], predicate: str | None, period: str | None) -> list[Row]:
    """An entity's facts whose predicate and period are each the one given or spelled close
    to it (a typo: otiff, FY26Q1), for a correction that matched none."""
    from rapidfuzz import fuzz

    def close(given: str | None, value: str | None) -> bool:
        return given is None or value == given or fuzz.ratio(
            given.casefold(), (value or "").casefold()) >= NEAR

    return [f for f in facts if close(predicate, f["predicate"]) and close(period, f["period"])
            ][:10]


def spelled_like(given: str, choices: Iterable[str]) -> list[tuple[str, float]]:
    """The three of choices spelled most like `given`, at least NEAR alike, with their
    scores: what a typo may have meant."""
    from rapidfuzz import fuzz, process

    return [(c, score) for c, score, _ in process.extract(
        given, choices, scorer=fuzz.ratio, score_cutoff=NEAR, limit=3)]


def did_you_mean(tx: Any, target: str, ref: str, rows: dict[str, list[Row]] | None = None,
                 besides: str | None = None) -> str:
    """'; did you mean …?' with the ids of `target` spelled close to a missing reference (and,
    for an entity, those whose name or alias it is exactly), or ''. Only on the error path:
    it reads the table's ids. rows: a batch's rows being written, by table, named too."""
    ids = {r["id"] for r in (rows or {}).get(target, [])} | {
        r["id"] for r in tx.query(f"SELECT id FROM {TABLES[target].name}")}
    ids.discard(besides)  # (the row that names it)
    near = [i for i, _ in spelled_like(ref, ids)]
    if target == "entities":
        name, old = normalize(ref)[:MAX_ID], normalize_0004(ref)[:MAX_ID]  # (before 0005)
        named = [r["id"] for r in tx.query(
            "SELECT id FROM entities WHERE normalized IN (?, ?) UNION "
            "SELECT entity_id AS id FROM aliases WHERE normalized IN (?, ?)",
            [name, old, name, old])]
        near = sorted(set(named)) + [i for i in near if i not in named]
    return f"; did you mean {', '.join(near[:5])}?" if near else ""



@dataclass(frozen=True)
class Found:
    """A row a NAME found, and how (models.Match)."""

    table: Table
    row: Row
    matched_by: MatchedBy = "id"
    matched_name: str | None = None
    match_score: int | None = None

    @property
    def id(self) -> str:
        return self.table.item_id(self.row)

    def match(self) -> Match:
        return Match(id=self.id, matched_by=self.matched_by, matched_name=self.matched_name,
                     match_score=self.match_score)


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
    """The rows a name matched, each with what tells it from the others: a fact's value and
    source, a definition's scope, an entity's name."""
    candidates = [_candidate(r) for r in rows]
    ids = ", ".join(str(c["id"]) for c in candidates)
    return Ambiguous(f"{name!r} is ambiguous ({ids}); {hint}", candidates)


def _candidate(row: Row) -> dict[str, Any]:
    ident = table_for_id(row["id"]).item_id(row) if "id" in row else TABLES["aliases"].item_id(
        row)
    label = row.get("term") or row.get("name") or row.get("predicate") or ""
    if "value" in row:  # a fact: facts that differ only by source are told apart here
        unit = f" {row['unit']}" if row.get("unit") else ""
        label = f"{label} = {row['value']}{unit}, source {row.get('source_id') or '(none)'}"
    start, end = row.get("valid_from"), row.get("valid_to")
    return {"id": ident, "label": label, "scope": row.get("scope"),
            "period": row.get("period"), "value": row.get("value"),
            "source": row.get("source_id"), "status": row.get("status"),
            # a retired definition beside the current one is told apart by these two
            "valid": f"valid {start or '…'}..{end or '…'}" if start or end else None}


__all__ = [
    "CHANGED_BY", "CHANGE_KEYS", "CHUNK", "INDEXED_NAMES", "JOINED_NAMES", "KEPT_FORMS", "LIVE",
    "NEAR", "PROGRESS_FROM", "Found", "Names", "ambiguous", "batch_queries", "did_you_mean",
    "folded", "spelled_like"
]
