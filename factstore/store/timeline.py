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
from factstore.models import (
    BlameLine,
    Change,
    Commit,
    Diff,
    History,
    Match,
    Version,
    WriteResult,
)
from factstore.periods import parse_day
from factstore.schema import (
    BOOKKEEPING,
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

ID_LIKE = re.compile(r"[a-z]+:\S+|[a-z0-9][a-z0-9._-]*")  # could be the id of a removed row


class Timeline:
    def __init__(self, core: StoreCore, names: Names) -> None:
        self.core = core
        self.names = names

    # -- reading history ------------------------------------------------------------------

    def log(self, limit: int | None = None, *, author: str | None = None,
            since: str | None = None, until: str | None = None,
            item_id: str | None = None) -> list[Commit]:
        touching = ({v.commit for v in self.history(item_id, fuzzy=False).versions}
                    if item_id else None)
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

    def history(self, name: str, *, fuzzy: bool = True) -> History:
        """A version starts at each commit, oldest first, where the row differs from the
        commit before — including commits where it appears or disappears. The row is found
        as Names.lookup finds it (fuzzy: reads may follow a name the resolver is sure of);
        an id of a removed row still has its history."""
        found = self.names.exact(name)
        if found is None and ID_LIKE.fullmatch(name):  # a removed row keeps its history
            table, key = table_for_id(name), key_from_id(name)
            at_commit = versioning.row_at_commits(self.core.backend, table, key)
            if not at_commit:
                found = self.names.near(name, fuzzy=fuzzy)
        elif found is None:
            found = self.names.near(name, fuzzy=fuzzy)  # raises unless a read may follow it
        if found is not None:
            table, key = found.table, found.table.key_of(found.row)
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
        how = found.match() if found else Match(id=ident)
        return History(id=ident, versions=versions[::-1], matched_by=how.matched_by,
                       matched_name=how.matched_name, match_score=how.match_score)

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
        found = self.names.lookup(target)
        return versioning.blame(self.core.backend, found.table, found.table.key_of(found.row))

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
        named = self.history(item_id, fuzzy=False)  # an exact name: a write guesses nothing
        item_id, versions = named.id, named.versions
        table, key = table_for_id(item_id), key_from_id(item_id)
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

    def revert_commit(self, commit: str, *, author: str | None) -> WriteResult:
        who = check_author(author)
        target = self.core.resolve_ref(commit)
        if "packs" in versioning.tables_changed_by(self.core.backend, target):
            raise Refused(f"commit {target[:12]} records rendered context packs: the render "
                          "log is append-only and is not reverted")
        changes = self.diff(f"{target}~1", target).changes
        created = {c.id for c in changes if c.op == "added"}
        for c in changes:  # what the revert removes must not be named by what it leaves
            if c.op == "added" and c.table in ("entities", "sources"):
                users = [u for u in referenced_by(self.core.backend, c.table, c.id)
                         if u not in created]
                if users:
                    raise Refused(f"reverting {target[:12]} would remove {c.id}, still named "
                                  f"by {_listed(users)}; revert or retract those first")
        return WriteResult(commit=self.core.flushed().revert_commit(target, who),
                           changed=[c.id for c in changes])


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
