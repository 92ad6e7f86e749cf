"""Transaction time: the log, one row's history and blame, the semantic diff between two refs,
and revert (of one row, or of a whole commit) — all read from Dolt's own commit graph, history
and diff tables (factstore.backends.versioning), never a copy of them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from factstore.authors import check_author
from factstore.backends import versioning
from factstore.backends.base import Backend, Tx
from factstore.errors import Conflict, InvalidInput, NotFound, Refused
from factstore.models import BlameLine, Change, Commit, Diff, History, Version, WriteResult
from factstore.periods import parse_day
from factstore.schema import (
    BOOKKEEPING,
    CONFIG,
    REFERENCES,
    TABLES,
    VERSIONED,
    Row,
    Table,
    key_from_id,
    knowledge,
    row_id,
    table_for_id,
)
from factstore.store.core import StoreCore, message
from factstore.store.names import Names


class Timeline:
    def __init__(self, core: StoreCore, names: Names) -> None:
        self.core = core
        self.names = names

    # -- reading history ------------------------------------------------------------------

    def log(self, limit: int | None = None, *, author: str | None = None,
            since: str | None = None, until: str | None = None,
            item_id: str | None = None) -> list[Commit]:
        touching = ({v.commit for v in self.history(item_id).versions} if item_id else None)
        since_text = parse_day(since, "since").isoformat() if since else None
        until_text = f"{parse_day(until, 'until').isoformat()}T23:59:59Z" if until else None
        commits = []
        for c in versioning.commits(self.core.backend):
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

    def history(self, name: str) -> History:
        """A version starts at each commit, oldest first, where the row differs from the
        commit before — including commits where it appears or disappears."""
        table, key = self._history_key(name)
        at_commit = versioning.row_at_commits(self.core.backend, table, key)
        if not at_commit:
            raise NotFound(f"no history for {name!r}")
        versions: list[Version] = []
        previous: Row | None = None
        for entry in reversed(versioning.commits(self.core.backend)):  # oldest first
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
            table, row = self.names.lookup(name)
            return table, table.key_of(row)
        except NotFound:
            if ":" in name or re.fullmatch(r"[a-z0-9][a-z0-9._-]*", name):
                return table_for_id(name), key_from_id(name)  # a removed row keeps history
            raise

    def last_change(self, table: Table, row: Row, commit: str | None) -> Commit | None:
        """The commit that made this version of the row (at HEAD, or at a commit)."""
        if commit is None:
            return versioning.last_change(self.core.backend, table, table.key_of(row))
        for version in self.history(table.item_id(row)).versions:
            if version.row and version.row.get("rev") == row["rev"]:
                return Commit(commit=version.commit, author=version.author,
                              date=version.date, message=version.message)
        return None

    def blame(self, target: str) -> list[BlameLine]:
        if target in TABLES:
            return versioning.blame(self.core.backend, TABLES[target])
        table, row = self.names.lookup(target)
        return versioning.blame(self.core.backend, table, table.key_of(row))

    def diff(self, from_ref: str, to_ref: str, *, table: str | None = None,
             item_id: str | None = None) -> Diff:
        old, new = self.core.resolve_ref(from_ref), self.core.resolve_ref(to_ref)
        if table and table not in VERSIONED:
            raise InvalidInput(f"table: expected one of {', '.join(TABLES)}, got {table!r}")
        changes: list[Change] = []
        for name in [table] if table else VERSIONED:
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
        changes = []
        for before, after, kind in versioning.diff_rows(self.core.backend, name, old, new):
            fields = changed_fields(before, after)
            if kind == "modified" and not fields:
                continue  # only bookkeeping moved (e.g. a revert to identical content)
            changes.append(Change(table=name, id=row_id(name, after or before or {}),
                                  op=kind,  # type: ignore[arg-type]
                                  fields=fields, by=(after or {}).get("recorded_by"),
                                  reason=(after or {}).get("reason")))
        return changes

    # -- revert ---------------------------------------------------------------------------

    def revert(self, item_id: str, *, author: str | None, reason: str | None,
               to: str | None = None, commit: str | None = None) -> WriteResult:
        who = check_author(author)
        if not reason:
            raise InvalidInput("reason: a revert needs --reason")
        table, key = table_for_id(item_id), key_from_id(item_id)
        versions = self.history(item_id).versions
        current = versions[0].row
        if to is not None:
            found = self.core.select(table.name, table.where_key(), key,
                                     self.core.resolve_ref(to))
            target, undone = (found[0] if found else None), f"its state at {to}"
        else:
            index = self._undone_version(item_id, versions, commit)
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
            users = referenced_by(tx, table.name, key[0]) if target is None else []
            if users:
                raise Refused(f"reverting would remove {item_id}, still named by "
                              f"{_listed(users)}; retract it instead (it stays, marked "
                              "retracted), or revert those first")
            _restore(tx, table, key, current, target, who, reason, rev + 1)
            return message(title, reason, None, before=knowledge(current),
                           after=knowledge(target))

        return WriteResult(commit=self.core.write(body, who), changed=[item_id])

    def _undone_version(self, item_id: str, versions: list[Version], commit: str | None
                        ) -> int:
        """Which version a revert undoes: the latest, or the one `commit` made (which must
        still be the latest)."""
        if commit is None:
            return 0
        wanted = self.core.resolve_ref(commit)
        index = next((i for i, v in enumerate(versions) if v.commit == wanted), -1)
        if index < 0:
            raise InvalidInput(f"commit {commit} did not change {item_id}")
        if index > 0:
            raise Conflict(
                f"{item_id} changed again after {commit[:12]} (in {versions[0].commit[:12]} "
                f"by {versions[0].author}); revert that first or use --to REF",
                {"id": item_id, "undone": versions[index].row, "current": versions[0].row})
        return index

    def revert_commit(self, commit: str, *, author: str | None, reason: str | None
                      ) -> WriteResult:
        """Undo everything a commit did (against its first parent) as one new commit by
        author, with the reason in its message. Each row goes back to its state before the
        commit, under a new revision (rev only grows); refused, with nothing written, when a
        row changed again since, or when the commit is the schema's or the render log's."""
        who = check_author(author)
        if not reason:
            raise InvalidInput("reason: a revert needs --reason")
        target = self.core.resolve_ref(commit)
        touched = versioning.tables_changed_by(self.core.backend, target)
        if "schema_migrations" in touched or not versioning.has_parent(self.core.backend,
                                                                       target):
            raise Refused(f"commit {target[:12]} sets up the store's schema; it is not "
                          "reverted")
        if "packs" in touched:
            raise Refused(f"commit {target[:12]} records rendered context packs: the render "
                          "log is append-only and is not reverted")
        parent = self.core.resolve_ref(f"{target}~1")
        undone = [(name, before, after) for name in VERSIONED
                  for before, after, kind in versioning.diff_rows(self.core.backend, name,
                                                                  parent, target)
                  if kind != "modified" or changed_fields(before, after)]
        ids = [row_id(name, after or before or {}) for name, before, after in undone]
        title = f"Revert {target[:12]}: " + _first_line(self.core, target)

        def body(tx: Tx) -> str | None:
            moved = [i for i, (name, before, after) in zip(ids, undone, strict=True)
                     if not _same(_current(tx, name, after or before or {}), after)]
            if moved:
                raise Conflict(f"cannot revert {target[:12]}: {_listed(moved)} changed since; "
                               "revert those rows one by one (facts revert ID --to REF)")
            created = {i for i, (_, before, _) in zip(ids, undone, strict=True) if not before}
            for i, (name, before, _) in zip(ids, undone, strict=True):
                if before is None and name in ("entities", "sources"):
                    users = [u for u in referenced_by(tx, name, i) if u not in created]
                    if users:
                        raise Refused(f"reverting {target[:12]} would remove {i}, still named "
                                      f"by {_listed(users)}; revert or retract those first")
            for name, before, after in undone:
                table = _table(name)
                key = table.key_of(after or before or {})
                revs = [(r or {}).get("rev") or 0 for r in (before, after)]
                _restore(tx, table, key, after, before, who, reason, max(revs) + 1)
            if not undone:
                return None
            return message(title, reason, None) + f"\nReverts: {target}"

        return WriteResult(commit=self.core.write(body, who), changed=ids)


def changed_fields(before: Row | None, after: Row | None) -> dict[str, dict[str, Any]]:
    """Field by field, knowledge only (bookkeeping columns are reported separately)."""
    fields = {}
    for name in (after or before or {}):
        if name in BOOKKEEPING:
            continue
        old = before.get(name) if before else None
        new = after.get(name) if after else None
        if old != new:
            fields[name] = {"from": old, "to": new}
    return fields


def referenced_by(db: Tx | Backend, target: str, ref: Any) -> list[str]:
    """Ids of the rows that name entity or source `ref`, a few per column."""
    found: list[str] = []
    for table, column, to in REFERENCES:
        if to == target:
            rows = db.query(f"SELECT * FROM {table} WHERE {column} = ? LIMIT 6", [ref])
            found += TABLES[table].ids(rows)
    return found


CONFIG_TABLE = Table(CONFIG, "setting", ("name",), ("name", "value"), "config:")


def _table(name: str) -> Table:
    return CONFIG_TABLE if name == CONFIG else TABLES[name]


def _current(tx: Tx, name: str, row: Row) -> Row | None:
    """The row with row's key as it is now, inside the write."""
    table = _table(name)
    found = tx.query(f"SELECT * FROM {table.name} WHERE {table.where_key()}",
                     list(table.key_of(row))) if row else []
    return found[0] if found else None


def _same(one: Row | None, other: Row | None) -> bool:
    """Two versions of a row hold the same values (compared as text, as both engines may
    return a number or a string for the same column)."""
    def text(row: Row | None) -> dict[str, str | None] | None:
        return None if row is None else {k: None if v is None else str(v)
                                         for k, v in row.items()}
    return text(one) == text(other)


def _first_line(core: StoreCore, commit: str) -> str:
    found = [c for c in versioning.commits(core.backend) if c.commit == commit]
    return found[0].message.splitlines()[0] if found else commit[:12]


def _listed(ids: list[str]) -> str:
    return ", ".join(ids[:5]) + (" …" if len(ids) > 5 else "")


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
