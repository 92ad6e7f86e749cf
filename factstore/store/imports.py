"""Imports: a file's knowledge upserted as one commit, and a reload that never undoes what
people did since the file was last imported.

Each import file has its own branch, `imports/NAME` (NAME from the file's name), holding what
that file last said. An import writes the file's rows there (identical rows untouched, absent
rows kept: an import never deletes), then merges that branch into the store's branch with
Dolt's own three-way merge. The merge base is the file's previous import, so a row the file
did not change keeps the store's version (an expert's correction, a retraction), a row only
the file changed takes the file's, and a row changed on both sides is a conflict: reported
as base / store / file, nothing written (the import branch is put back), unless the caller
prefers the file's or the store's side. `add` and a restore write directly (import_batch).
"""

from __future__ import annotations

import itertools
import operator
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from factstore import migrations
from factstore.authors import SYSTEM_AUTHOR, check_author
from factstore.backends import versioning
from factstore.backends.base import Backend, Tx
from factstore.errors import Ambiguous, Conflict, InvalidInput, NotFound, Refused
from factstore.models import COLUMN_OF, KnowledgeBatch, Omitted, WriteResult, slug
from factstore.resolver import Progress
from factstore.schema import (
    BOOKKEEPING,
    CONFIG,
    FISCAL_START,
    MAX_ID,
    REFERENCES,
    TABLES,
    VERSIONED,
    Row,
    Table,
    knowledge,
    row_id,
)
from factstore.store.core import Captured as Captured  # (it was defined here before)
from factstore.store.core import StoreCore
from factstore.store.core import message as commit_message
from factstore.store.names import Names, did_you_mean, spelled_like
from factstore.store.sharing import IMPORTS, conflict_sides

if TYPE_CHECKING:
    from factstore.importers import ImportOptions
    from factstore.store.streaming import ChangedIds

IMPORT_PROGRESS_BYTES = 8 << 20  # files from which an import reports progress
AT_ONCE = 500  # keys per IN (...) lookup
WRITE_CHUNK = 50_000  # rows per executemany, a progress report between two
PREFER = {"file": "theirs", "store": "ours"}
FIELD_OF = {column: field for field, column in COLUMN_OF.items()}  # column -> import field


WAITING = "waiting for another import of this store to end"  # (a progress stage)


def import_branch(path: Path) -> str:
    """The branch that holds what an import file last said: imports/northwind-yaml."""
    return f"{IMPORTS}{slug(path.name)}"


class Imports:
    def __init__(self, core: StoreCore, names: Names | None = None) -> None:
        self.core = core
        self.names = names or Names(core)

    def import_file(self, path: Path, *, author: str | None, reason: str | None = None,
                    prefer: str | None = None, options: ImportOptions | None = None
                    ) -> WriteResult:
        from factstore.importers import load_file

        who = check_author(author)
        if prefer not in (None, *PREFER):
            raise InvalidInput("prefer: expected 'file' or 'store'")
        if path.is_dir():  # a dbt project: named by its folder, also when given as "."
            path = Path(os.path.abspath(path))
        big = self.core.progress is not None and path.is_file() and \
            path.stat().st_size >= IMPORT_PROGRESS_BYTES
        report = self.core.progress if big else None
        if path.suffix == ".jsonl":  # streamed: memory follows a chunk, not the file
            return self._through_branch(path, self._streamed(path, who, reason, report),
                                        who, reason, prefer, report)
        if report:
            report(f"validating {path.name}", 0, 1)
        batch = load_file(path, options, _StoreNames(self.core, self.names))
        if report:
            report(f"validating {path.name}", 1, 1)
        rows = _rows(batch)
        _check_keys(rows, path.name)
        _check_references(self.core.backend, rows, path.name)
        return self._through_branch(
            path, lambda tx, done: _upsert_all(tx, rows, batch, who, reason,
                                               f"Import {path.name}", done, report),
            who, reason, prefer, report)

    def _streamed(self, path: Path, who: str, reason: str | None, progress: Progress | None
                  ) -> Callable[[Tx, Upsert], str | None]:
        """The import branch's write of a JSONL file read a chunk at a time (streaming.py);
        references the file does not define are looked up at the store's head."""
        from factstore.store.streaming import write_jsonl

        head, backend = self.core.head(), self.core.backend
        # the import branch before this import (made at the store's head when it is new)
        base = versioning.branch_head(backend, import_branch(path)) or head

        def body(tx: Tx, done: Upsert) -> str | None:
            changed, counts = write_jsonl(tx, path, lambda table: backend.table_at(table, head),
                                          lambda table: backend.table_at(table, base),
                                          who, reason, progress)
            done.changed[:] = []
            done.compact = changed
            return _finish(done, f"Import {path.name}", counts, reason, progress)

        return body

    def _through_branch(self, path: Path, write: Callable[[Tx, Upsert], str | None],
                        who: str, reason: str | None, prefer: str | None,
                        progress: Progress | None) -> WriteResult:
        """The file written on its import branch (a commit there), then merged into the
        store's branch; one import at a time (the backend's import_lock)."""
        told = self.core.progress
        waited = []

        def waiting() -> None:  # (another import holds the lock: say so while this waits)
            waited.append(True)
            if told:
                told(WAITING, 0, 1)

        with self.core.backend.import_lock(waiting):
            if waited and told:
                told(WAITING, 1, 1)
            return self._merged_through(path, write, who, reason, prefer, progress)

    def _merged_through(self, path: Path, write: Callable[[Tx, Upsert], str | None],
                        who: str, reason: str | None, prefer: str | None,
                        progress: Progress | None) -> WriteResult:
        backend = self.core.backend
        self.core.require_clean(backend)  # the merge commit must carry only the file's rows
        branch = import_branch(path)
        before = versioning.branch_head(backend, branch)
        start = self.core.head() if before is None else None
        if start is not None:
            versioning.create_branch(backend, branch, start)
        done = Upsert()
        commit: str | None = None
        try:
            side = backend.on_branch(branch)
            try:
                # what an import ended by a crash left in its branch's working set (its
                # write ends SQL transactions before its commit: Tx.stage)
                versioning.discard_uncommitted(side)
                # a branch made before an upgrade gets the same one (both sides of the merge
                # then made the same change of schema, which Dolt merges)
                migrations.ensure(side, migrations.LATEST, SYSTEM_AUTHOR, like=backend)
                commit = side.write(lambda tx: write(tx, done), who)
            finally:
                side.close()
            kept: list[tuple[Table, Row]] = []
            if start is not None and commit is not None and done.modified:
                kept = self._first_import(path, branch, start, commit, prefer, done.modified)
            head = self.core.head()
            title = (done.title or f"Import {path.name}") + f" (via {branch})" + (
                f"; {len(kept)} row(s) kept as the store has them" if kept else "")
            message = commit_message(title, reason, None)
            merged, conflicts = self.core.flushed().merge(
                branch, message, who, PREFER.get(prefer or ""), fast_forward=not kept,
                keep=_put_back_rows(kept) if kept else None)
            if conflicts and merged is None and all(_only_added(t, r) for t, r in conflicts):
                merged, conflicts = self.core.flushed().merge(branch, message, who,
                                                              PREFER["file"])
        except BaseException:
            self._put_back(branch, before, commit, made=before is None)
            raise
        if progress and commit:
            progress("committing", 1, 1)
        if conflicts and merged is None:
            self._put_back(branch, before, commit, made=before is None)
            listed = [conflict_sides(table, row, ("base", "store", "file"))
                      for table, row in conflicts]
            raise Conflict(
                f"{path.name} changed {len(listed)} row(s) that were also changed in the "
                f"store since its last import: {'; '.join(c['id'] for c in listed)}; nothing "
                "was imported (import again with --prefer file or --prefer store)",
                {"conflicts": listed})
        if merged is None:
            return WriteResult(commit=None, changed=[])
        if commit == merged:  # fast-forward: exactly what the file changed
            return WriteResult(commit=merged, changed=done.listed())
        return WriteResult(commit=merged, changed=changed_ids(self.core, head, merged))

    def _first_import(self, path: Path, branch: str, start: str, commit: str,
                      prefer: str | None, tables: set[str]) -> list[tuple[Table, Row]]:
        """The store's rows that the first import of a file (no import branch yet: a new
        file name, such as a dated nightly export, or a store restored from an export or
        cloned) must not overwrite: its import branch starts at the store's head, so Dolt's
        merge would take every row the file says differently. A row the store holds as an
        imported file last said it is the file's to change; a row the file says as another
        file last said it, while the store says otherwise (an expert's correction since), is
        kept; any other difference — no file ever said the store's version nor the file's —
        is a conflict (nothing imported), unless `prefer` names the side that wins.
        Returns the store's rows to keep, as the store holds them. `tables`: those where
        the file changed stored rows (only they are diffed: a first load adds rows only)."""
        from factstore.store.timeline import changed_fields

        backend = self.core.backend
        others = [head for name, head in versioning.branch_heads(backend).items()
                  if name.startswith(IMPORTS) and name != branch]
        kept: list[tuple[Table, Row]] = []
        conflicts: list[dict[str, Any]] = []
        for name, table in TABLES.items():
            if name not in tables:
                continue
            changed = [(old, new) for old, new, _ in versioning.diff_rows(
                backend, name, start, commit, modified_only=True)
                if old and new and changed_fields(old, new)]
            if not changed:
                continue
            said = _said_by_files(backend, table, [new for _, new in changed], others)
            for store_row, file_row in changed:
                versions = said.get(table.key_of(file_row), [])
                if any(not changed_fields(v, store_row) for v in versions):
                    continue  # the store still says what a file said: the file's to change
                if prefer == "store" or any(not changed_fields(v, file_row) for v in versions):
                    kept.append((table, store_row))
                elif prefer != "file":
                    conflicts.append({"table": name, "id": table.item_id(store_row),
                                      "base": knowledge(versions[0]) if versions else None,
                                      "store": knowledge(store_row),
                                      "file": knowledge(file_row)})
        if conflicts and not others:
            raise Conflict(
                f"{path.name} is imported for the first time into a store with no import "
                "branch (restored from an export, or cloned or pulled from a remote that "
                "holds none), so no earlier version of any file tells an expert's correction "
                f"from the file's own change: it says {len(conflicts)} row(s) otherwise than "
                f"the store: {'; '.join(c['id'] for c in conflicts)}; nothing was imported "
                "(--prefer store keeps the store's version of all of them, the corrections "
                "and the old values the file changed alike, and later reloads merge as "
                "usual; --prefer file takes the file's, undoing the corrections)",
                {"conflicts": conflicts})
        if conflicts:
            raise Conflict(
                f"{path.name} is imported for the first time and says {len(conflicts)} "
                "row(s) otherwise than the store, which no imported file said as the store "
                f"holds them (changed in the store): {'; '.join(c['id'] for c in conflicts)}; "
                "nothing was imported (import again with --prefer file or --prefer store)",
                {"conflicts": conflicts})
        return kept

    def _put_back(self, branch: str, before: str | None, commit: str | None, *, made: bool
                  ) -> None:
        """After a refused or failed import the import branch must be as it was: keeping the
        file's new version would make the next import of the same file see nothing to
        change, and a branch this import made would outlive it."""
        if made:
            versioning.delete_branch(self.core.backend, branch)
        elif commit is not None and before is not None:
            versioning.move_branch(self.core.backend, branch, before)

    def import_batch(self, batch: KnowledgeBatch, *, author: str | None, message: str,
                     reason: str | None = None, where: str = "input",
                     progress: Progress | None = None) -> WriteResult:
        """Upsert a validated batch as one commit straight onto the store's branch."""
        who = check_author(author)
        rows = _rows(batch)
        _check_keys(rows, where)
        done = Upsert()

        def body(tx: Tx) -> str | None:
            _check_references(tx, rows, where)
            return _upsert_all(tx, rows, batch, who, reason, message, done, progress)

        commit = self.core.write(body, who)
        if progress and commit:
            progress("committing", 1, 1)
        return WriteResult(commit=commit, changed=done.changed if commit else [])


    def restore_file(self, path: Path, *, author: str | None, reason: str | None = None
                     ) -> WriteResult:
        """Load an export into an empty store as one commit, keeping each row's recorded_by
        and reason (a record without them is recorded by the restorer)."""
        from factstore.importers import load_file

        who = check_author(author)
        if any(self.core.select(name, "1 = 1 LIMIT 1", [], None) for name in TABLES):
            raise Refused(f"restore of {path.name}: the store is not empty; restore into a new "
                          "store (`facts init`), or import the file instead")
        batch = load_file(path)
        rows = _rows(batch)
        _check_keys(rows, path.name)
        done = Upsert()

        def body(tx: Tx) -> str:
            _check_references(tx, rows, path.name, links=False)
            Captured(tx, rows["sources"]).fill(rows["facts"])  # an export from before 0003
            for name, table in TABLES.items():
                _insert_as_recorded(tx, table, rows[name], who, reason)
                done.changed.extend(table.ids(rows[name]))
            if batch.calendar:
                set_config(tx, FISCAL_START, str(batch.calendar.fiscal_year_start_month), who,
                           reason)
                done.changed.append(f"config:{FISCAL_START}")
            return commit_message(f"Restore {path.name}: {len(done.changed)} rows", reason,
                                  None)

        return WriteResult(commit=self.core.write(body, who), changed=done.changed)


def _said_by_files(backend: Backend, table: Table, rows: list[Row], commits: list[str]
                   ) -> dict[Any, list[Row]]:
    """Each row's versions (by key) on the import branches at these commits: what the other
    import files last said of them. Newest branch first is not known; order is the list's."""
    said: dict[Any, list[Row]] = {}
    if not rows or not commits:
        return said
    first = table.key[0]
    wanted = {table.key_of(r) for r in rows}
    lead = sorted({r[first] for r in rows})
    for commit in commits:
        source, params = backend.table_at(table.name, commit)
        for start in range(0, len(lead), AT_ONCE):
            chunk = lead[start:start + AT_ONCE]
            marks = ", ".join("?" * len(chunk))
            for r in backend.query(f"SELECT * FROM {source} WHERE {first} IN ({marks})",
                                   [*params, *chunk]):
                if (k := table.key_of(r)) in wanted:
                    said.setdefault(k, []).append(r)
    return said


def _put_back_rows(rows: list[tuple[Table, Row]]) -> Callable[[Tx], None]:
    """A merge's `keep`: these rows as the store held them, bookkeeping and rev included,
    so the merge commit leaves them as they were."""

    def keep(tx: Tx) -> None:
        for table, row in rows:
            tx.execute(table.update_sql("?"), table.update_params(
                row, row["recorded_by"], row["reason"], row["rev"]))

    return keep


class _StoreNames:
    """The exact lookups an import of CSV facts makes, at the store's head (EntityNames):
    the CSV looks every subject up as an id first, in bulk, then the rest as names."""

    def __init__(self, core: StoreCore, names: Names) -> None:
        self.core, self.names = core, names
        self.commit: str | None = None

    def entities_named(self, name: str) -> list[str]:
        self.commit = self.commit or self.core.head()
        return self.names.entities_named(name, self.commit, ids=False)  # ids: existing()

    def existing(self, table: str, ids: set[str]) -> set[str]:
        return _existing_ids(self.core.backend, table, ids)

    def near(self, target: str, ref: str) -> str:
        """An entity's name is compared by the resolver (a misspelt name: "Tesaly Foods"),
        every other reference, and an id, by its spelling."""
        if target == "entities":
            try:
                self.names.near(ref, self.commit or self.core.head(), terms=False)
            except Ambiguous as exc:  # (NotFound: nothing is named like it)
                if ids := [str(c["id"]) for c in exc.candidates][:5]:
                    return f"; did you mean {', '.join(ids)}?"
            except NotFound:
                pass
        return did_you_mean(self.core.backend, target, ref)


@dataclass
class Upsert:
    """What a write of a batch did: the ids it added or changed, and its message's title."""

    changed: list[str] = field(default_factory=list)
    title: str | None = None
    compact: ChangedIds | None = None  # a streamed import's: listed after the commit
    modified: set[str] = field(default_factory=set)  # tables where it changed stored rows

    def listed(self) -> list[str]:
        return self.compact.listed() if self.compact is not None else self.changed


def changed_ids(core: StoreCore, old: str, new: str) -> list[str]:
    """The rows whose knowledge differs between two commits (bookkeeping alone is no
    change), from Dolt's diff: the cost follows the change, not the store."""
    from factstore.store.timeline import changed_fields

    return [row_id(name, after or before or {})
            for name in VERSIONED
            for before, after, kind in versioning.diff_rows(core.backend, name, old, new)
            if kind != "modified" or changed_fields(before, after)]


def _only_added(table: str, raw: Row) -> bool:
    """A conflict only because both sides gained a column (the same migration, run on the
    import branch and on the store's) and the file set it while the store's row, otherwise
    as the base had it, left it empty: Dolt has no base value for the new column. The
    file's row is then what a merge would have given."""
    sides = conflict_sides(table, raw)
    base, ours, theirs = sides["base"], sides["ours"], sides["theirs"]
    if not (base and ours and theirs):
        return False
    return all(ours[c] is None if c in ADDED and base.get(c) is None
               else ours[c] == base.get(c) for c in ours)


ADDED = frozenset({"spellings", "normalized", "captured_at"})  # by migration 0003


def _rows(batch: KnowledgeBatch) -> dict[str, list[Row]]:
    return {name: getattr(batch, name) for name in TABLES}


def _upsert_all(tx: Tx, rows: dict[str, list[Row]], batch: KnowledgeBatch, who: str,
                reason: str | None, title: str, done: Upsert,
                progress: Progress | None) -> str | None:
    """Every table's rows, then the calendar; the commit message, or None when nothing
    changed. `done` hears what was written."""
    written = done.changed
    written.clear()
    counts = {}
    captured = Captured(tx, rows["sources"])
    for name, table in TABLES.items():
        added, modified = upsert(tx, table, rows[name], who, reason, progress,
                                  batch.omitted, captured)
        written.extend(added + modified)
        if added or modified:
            counts[name] = (len(added), len(modified))
    if batch.calendar:
        month = str(batch.calendar.fiscal_year_start_month)
        op = set_config(tx, FISCAL_START, month, who, reason)
        if op:
            written.append(f"config:{FISCAL_START}")
            counts[CONFIG] = (1, 0) if op == "added" else (0, 1)
    return _finish(done, title, counts, reason, progress)


def _finish(done: Upsert, title: str, counts: dict[str, tuple[int, int]], reason: str | None,
            progress: Progress | None) -> str | None:
    """The commit message of a write that changed `done.changed` (None when nothing did),
    its title kept in `done`."""
    done.modified = {name for name, (_, modified) in counts.items() if modified}
    if not done.changed and not done.compact:
        return None
    if progress:
        progress("committing", 0, 1)
    done.title = f"{title}: {_summary(counts)}"
    return commit_message(done.title, reason, None)


# --- checking and writing rows ---------------------------------------------------------


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
                raise InvalidInput(f"{where}: aliases of {key[0]}: "
                                   f"{table_rows[index]['alias']!r} is given twice")
            if key in seen:
                raise InvalidInput(
                    f"{where}: {name}[{index}]: {table.item_id(table_rows[index])} appears "
                    f"twice (also {name}[{seen[key]}])"
                )
            seen[key] = index


def _existing_ids(tx: Tx | Backend, table: str, wanted: set[str]) -> set[str]:
    found: set[str] = set()
    ids = sorted(wanted)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ", ".join("?" * len(chunk))
        found |= {r["id"] for r in tx.query(f"SELECT id FROM {table} WHERE id IN ({marks})",
                                             chunk)}
    return found


def _check_references(tx: Tx | Backend, rows: dict[str, list[Row]], where: str, *,
                      links: bool = True) -> None:
    """Every subject, source, alias owner and relation end must exist, in the batch or store.
    Set arithmetic first (fast for 100k rows); rows are searched only when one is missing.
    links: also check supersedes, overrides and applies_to kinds (_check_links; not for a
    restore, which loads an export as it was made)."""
    named: dict[str, set[Any]] = {"sources": set(), "entities": set()}
    for table, column, target in REFERENCES:
        named[target].update(map(operator.itemgetter(column), rows[table]))
    named["sources"].discard(None)
    named["entities"] = {e for e in named["entities"] if not e.startswith("kind:")}
    known = {target: {r["id"] for r in rows[target]} for target in named}
    for target, ids in known.items():
        ids |= _existing_ids(tx, target, named[target] - ids)
    if not all(named[t] <= known[t] for t in named):
        for table, column, target in REFERENCES:
            for index, row in enumerate(rows[table]):
                ref = row[column]
                if ref is not None and ref not in known[target] and not ref.startswith("kind:"):
                    raise InvalidInput(
                        f"{where}: {table}[{index}] ({TABLES[table].item_id(row)}): "
                        f"{FIELD_OF.get(column, column)}: no {TABLES[target].singular} {ref!r} "
                        f"in the file or the store{did_you_mean(tx, target, ref, rows)}")
    if links:
        _check_links(tx, rows, where)


# The ids a fact's `supersedes` and a rule's `overrides` name: not references a row needs to
# exist (REFERENCES: a streamed file would keep every fact id exactly to check them), but a
# typo in one silently unlinks a supersession or a rule's exception, so a file or an `add`
# read whole has them checked, with what they may mean (a streamed JSONL file keeps only the
# ids they name, and asks its own keys and the store: streaming._FileChecks).
LINKS = (("facts", "supersedes"), ("rules", "overrides"))


def _check_links(tx: Tx | Backend, rows: dict[str, list[Row]], where: str) -> None:
    """Every supersedes and overrides names a row of its table in the file or the store, and
    a rule's applies_to kind:K a kind some entity has, unless no kind is spelled close to K
    (a rule may come before its first entity of a new kind)."""
    for table, column in LINKS:
        named = {r[column] for r in rows[table] if r[column]}
        missing = named - {r["id"] for r in rows[table]}
        missing -= _existing_ids(tx, table, missing)
        for index, row in enumerate(rows[table]):
            if row[column] in missing:
                raise InvalidInput(
                    f"{where}: {table}[{index}] ({row['id']}): {column}: no "
                    f"{TABLES[table].singular} {row[column]!r} in the file or the store"
                    f"{did_you_mean(tx, table, row[column], rows, besides=row['id'])}")
    kinds = {r["applies_to"][5:] for r in rows["rules"] if r["applies_to"].startswith("kind:")}
    kinds -= {r["kind"] for r in rows["entities"]}
    if not kinds:
        return
    known = {r["kind"] for r in tx.query("SELECT DISTINCT kind FROM entities")} | {
        r["kind"] for r in rows["entities"]}
    for index, row in enumerate(rows["rules"]):
        kind = row["applies_to"][5:] if row["applies_to"].startswith("kind:") else None
        if kind is None or kind in known:
            continue
        near = [k for k, _ in spelled_like(kind, known)]
        if near:
            raise InvalidInput(
                f"{where}: rules[{index}] ({row['id']}): applies_to: no entity is of kind "
                f"{kind!r}; did you mean {', '.join('kind:' + k for k in near)}?")


def upsert(tx: Tx, table: Table, rows: list[Row], who: str, reason: str | None,
            progress: Progress | None = None, omitted: Omitted | None = None,
            captured: Captured | None = None, existing: dict[Any, Row] | None = None
            ) -> tuple[list[str], list[str]]:
    """Insert new rows, update changed ones, leave identical ones alone. A field a record
    left out (omitted) keeps the stored row's value; a fact is given its capture date.
    `existing`: the stored rows sharing a key with `rows`, when the caller has them."""
    if not rows:
        return [], []
    if existing is None:
        existing = _existing_rows(tx, table, rows)
    key, values = operator.itemgetter(*table.key), operator.itemgetter(*table.columns)
    facts = table.name == "facts"
    if existing:
        new, changed = [], []
        for row in rows:
            old = existing.get(key(row))
            if old is None:
                new.append(row)
                continue
            if facts:
                _same_capture(row, old)
            if omitted is not None and values(old) != values(row):
                # only rows that differ ask what their record left out (a JSONL line is
                # read again for it): a reload that changes little stays cheap
                keep_omitted(table, row, old, omitted(table.name, row))
                if facts:
                    _same_capture(row, old)
            if values(old) != values(row):
                changed.append(row)
    else:  # the bulk load of a new store: every row is new
        new, changed = rows, []
    if captured is not None and facts:
        captured.fill(new)
        captured.fill(changed)
    if new:
        tail, cols = (who, reason, 1), (*table.columns, *BOOKKEEPING)
        for start in range(0, len(new), WRITE_CHUNK):
            # tuple + tail, row by row, without a Python frame per row; in key order (the
            # key's columns come first, and no key is there twice): doltlite's tree takes
            # sorted rows faster and with fewer pages held until the commit
            params = list(map(tuple.__add__, map(values, new[start:start + WRITE_CHUNK]),
                              itertools.repeat(tail)))
            params.sort()
            tx.insert(table.name, cols, params)
            if progress:
                progress(f"writing {table.name}", min(start + WRITE_CHUNK, len(new)), len(new))
    if changed:
        tx.executemany(table.update_sql("rev + 1"), [
            [*(row[c] for c in table.data_columns), who, reason, *table.key_of(row)]
            for row in changed])
    return table.ids(new), table.ids(changed)


def _insert_as_recorded(tx: Tx, table: Table, rows: list[Row], who: str, reason: str | None
                        ) -> None:
    """Insert rows with the provenance their records carry (an export's), else the writer's."""
    values = operator.itemgetter(*table.columns)
    for start in range(0, len(rows), WRITE_CHUNK):
        tx.executemany(table.insert_sql(), [
            (*values(row), row.get("recorded_by") or who,
             row.get("reason") if row.get("recorded_by") else reason, 1)
            for row in rows[start:start + WRITE_CHUNK]])


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


def stored_rows(tx: Tx, table: Table, rows: list[Row]) -> dict[Any, Row]:
    """Stored rows sharing a key with `rows`, by key, looked up by key (the key's first
    column, which leads the primary key's index): the cost follows `rows`, not the table."""
    cols = ", ".join(table.columns)
    key, first = operator.itemgetter(*table.key), table.key[0]
    wanted = set(map(key, rows))
    lead = sorted(set(map(operator.itemgetter(first), rows)))
    found: dict[Any, Row] = {}
    for start in range(0, len(lead), AT_ONCE):
        chunk = lead[start:start + AT_ONCE]
        marks = ", ".join("?" * len(chunk))
        for r in tx.query(f"SELECT {cols} FROM {table.name} WHERE {first} IN ({marks})",
                          chunk):
            if (k := key(r)) in wanted:
                found[k] = r
    return found


def keep_omitted(table: Table, row: Row, stored: Row, omitted: Iterable[str]) -> None:
    """The stored value of each column the record left out (an explicit None clears it):
    one rule for a file's records and for `add --update`. A fact whose value or source
    changes is captured again (captured_at left out: see Captured)."""
    for column in omitted:
        if column in stored and column not in table.key:
            row[column] = stored[column]
    if table.name == "facts" and "captured_at" in omitted and (
            row["value"] != stored["value"] or row["source_id"] != stored["source_id"]):
        row["captured_at"] = None


def _same_capture(row: Row, stored: Row) -> None:
    """A fact whose value and source are the stored ones keeps its capture date unless the
    record gives one."""
    if row["captured_at"] is None and row["value"] == stored["value"] and (
            row["source_id"] == stored["source_id"]):
        row["captured_at"] = stored["captured_at"]


def set_config(tx: Tx, name: str, value: str, who: str, reason: str | None) -> str | None:
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


__all__ = [
    "ADDED", "AT_ONCE", "FIELD_OF", "IMPORT_PROGRESS_BYTES", "LINKS", "PREFER", "WAITING",
    "WRITE_CHUNK", "Captured", "Imports", "Upsert", "changed_ids", "import_branch",
    "keep_omitted", "set_config", "stored_rows", "upsert"
]
