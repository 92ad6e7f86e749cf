"""Transaction time: the log, one row's history and blame, the semantic diff between two refs,
and revert (of one row, or of a whole commit) — all read from Dolt's own commit graph, history
and diff tables (factstore.backends.versioning), never a copy of them.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from factstore.authors import SYSTEM_AUTHOR, check_author
from factstore.backends import versioning
from factstore.backends.base import Backend, Tx
from factstore.errors import Conflict, InvalidInput, NotFound, Refused
from factstore.periods import parse_day
from factstore.resolver import normalize
from factstore.results import BlameLine, Commit, History, Match, Version, WriteResult
from factstore.schema import (
    BACKFILLED,
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
from factstore.store.core import RENDER_LOG_COMMIT, StoreCore, message
from factstore.store.names import Names

if TYPE_CHECKING:
    from factstore.models import Change, Diff

ID_LIKE = re.compile(r"[a-z]+:\S+|[a-z0-9][a-z0-9._-]*")  # could be the id of a removed row


LINE_CHUNK = 50  # commits whose changed tables are asked for at once


class Timeline:
    def __init__(self, core: StoreCore, names: Names) -> None:
        self.core = core
        self.names = names

    # -- reading history ------------------------------------------------------------------

    def line(self, head: str | None = None) -> Line:
        """head's first-parent line (default: this branch's HEAD): what the branch itself went
        through, each merge standing for everything it brought in."""
        head = head or self.core.head()
        line = Line([], versioning.parents(self.core.backend))
        known = versioning.commits_from(self.core.backend, head)
        commit: str | None = head
        while commit in known:
            line.commits.append(known[commit])
            commit = line.parent(commit)
        return line

    def log(self, limit: int | None = None, *, author: str | None = None,
            since: str | None = None, until: str | None = None,
            item_id: str | None = None, all_commits: bool = False) -> list[Commit]:
        """This branch's own line, newest first, without render-log commits; all_commits: every
        commit reachable (the render log's, and those merges brought in from branches)."""
        touching = ({v.commit for v in self.history(item_id, fuzzy=False).versions}
                    if item_id else None)
        since_text = parse_day(since, "since").isoformat() if since else None
        until_text = f"{parse_day(until, 'until').isoformat()}T23:59:59Z" if until else None
        listed = (versioning.commits(self.core.backend) if all_commits else
                  [c for c in self.line().commits if not _render_log(c)])
        commits = []
        for c in listed:
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
        """Every version of one row along this branch's first-parent line, newest first. The
        row is found as Names.lookup finds it (fuzzy: reads may follow a name the resolver is
        sure of); an id of a removed row still has its history."""
        found = self.names.exact(name)
        versions: list[Version] = []
        if found is None and ID_LIKE.fullmatch(name):  # a removed row keeps its history
            table, key = table_for_id(name), key_from_id(name)
            versions = self._versions(table, key)
            if not versions:
                found = self.names.near(name, fuzzy=fuzzy)
        elif found is None:
            found = self.names.near(name, fuzzy=fuzzy)  # raises unless a read may follow it
        if found is not None:
            table, key = found.table, found.table.key_of(found.row)
            versions = self._versions(table, key)
        if not versions:
            raise NotFound(f"no history for {name!r}")
        ident = table.item_id(dict(zip(table.key, key, strict=True)))
        how = found.match() if found else Match(id=ident)
        return History(id=ident, versions=versions, matched_by=how.matched_by,
                       matched_name=how.matched_name, match_score=how.match_score)

    def _versions(self, table: Table, key: Sequence[Any], head: str | None = None
                  ) -> list[Version]:
        """A version starts at each commit of head's first-parent line where the row differs
        from the commit before — including where it appears or disappears; newest first."""
        at_commit = versioning.row_at_commits(self.core.backend, table, key)
        if not at_commit:
            return []
        versions: list[Version] = []
        previous: Row | None = None
        for entry in reversed(self.line(head).commits):  # oldest first
            row = at_commit.get(entry.commit)
            if row == previous or (row and previous and not changed_fields(previous, row)
                                   and knowledge(row) != knowledge(previous)
                                   and all(row[k] == previous[k] for k in BOOKKEEPING)):
                continue  # only a column the migration filled in: no new version
            versions.append(_version(entry, row))
            previous = row
        return versions[::-1]

    def last_change(self, table: Table, row: Row, commit: str | None) -> Commit | None:
        """The commit that last changed this row's knowledge (at HEAD, or at a commit)."""
        versions = self._versions(table, table.key_of(row), commit)
        if not versions or (versions[0].row or {}).get("rev") != row.get("rev"):
            return None  # a commit HEAD cannot reach: its rows are not in HEAD's history
        made = _last_knowledge_change(versions)
        assert made is not None
        return Commit(commit=made.commit, author=made.author, date=made.date,
                      message=made.message)

    def blame(self, target: str) -> list[BlameLine]:
        """Who last changed the knowledge of each row (or one row), along this branch's line."""
        if target in TABLES:
            return self._blame_table(TABLES[target])
        found = self.names.lookup(target)
        table, row = found.table, found.row
        made = _last_knowledge_change(self._versions(table, table.key_of(row)))
        return [] if made is None else [_blame_line(table.item_id(row), made)]

    def _blame_table(self, table: Table) -> list[BlameLine]:
        """Walk the line newest first through the diffs of the commits that changed the table,
        until every row is named: the cost is what changed since the oldest of those rows'
        last change, never a commit's worth of rows per commit."""
        keys = ", ".join(table.key)
        rows = self.core.backend.query(f"SELECT {keys} FROM {table.name} ORDER BY {keys}")
        order = [table.key_of(r) for r in rows]
        pending = set(order)
        found: dict[tuple[Any, ...], BlameLine] = {}
        for entry, _, before, after in self._line_changes(self.line(), [table.name],
                                                          lambda: bool(pending), narrow=True):
            row = after or before or {}
            key = table.key_of(row)
            if key in pending:
                pending.discard(key)
                found[key] = BlameLine(id=table.item_id(row), commit=entry.commit,
                                       author=entry.author, date=entry.date,
                                       message=entry.message.split("\n", 1)[0],
                                       recorded_by=(after or {}).get("recorded_by"))
        return [found[k] for k in order if k in found]

    def _line_changes(self, line: Line, tables: Sequence[str],
                      more: Callable[[], bool] = lambda: True, *, narrow: bool = False
                      ) -> Iterator[tuple[Commit, str, Row | None, Row | None]]:
        """(commit, table, row before, row after) for each row a commit of the line changed
        in one of `tables` (its knowledge, or its presence), newest commit first, while
        more(): each commit's diff against its first parent, for the tables it changed (a
        merge: all of them). narrow: added and removed rows carry only their key and
        bookkeeping (enough for blame; a commit that loaded a whole table is read quickly)."""
        for start in range(0, len(line.commits), LINE_CHUNK):
            chunk = line.commits[start:start + LINE_CHUNK]
            changed = versioning.tables_changed(self.core.backend, [c.commit for c in chunk])
            for entry in chunk:
                parent = line.parent(entry.commit)
                if parent is None or not more():
                    return
                for name in tables:
                    if line.is_merge(entry.commit) or name in changed.get(entry.commit, ()):
                        for before, after in self._commit_changes(name, parent, entry.commit,
                                                                  narrow):
                            yield entry, name, before, after

    def _commit_changes(self, name: str, old: str, new: str, narrow: bool
                        ) -> Iterator[tuple[Row | None, Row | None]]:
        backend = self.core.backend
        if narrow:
            key = TABLES[name].key if name in TABLES else ("name",)
            for before, after, _ in versioning.diff_presence(backend, name, old, new,
                                                             [*key, *BOOKKEEPING]):
                yield before, after
        for before, after, kind in versioning.diff_rows(backend, name, old, new,
                                                        modified_only=narrow):
            if kind != "modified" or changed_fields(before, after):
                yield before, after

    def diff(self, from_ref: str, to_ref: str, *, table: str | None = None,
             item_id: str | None = None) -> Diff:
        from factstore.models import Diff

        old, new = self.core.resolve_ref(from_ref), self.core.resolve_ref(to_ref)
        if table and table not in VERSIONED:
            raise InvalidInput(f"table: expected one of {', '.join(TABLES)}, got {table!r}")
        changes: list[Change] = []
        for name in [table] if table else VERSIONED:
            changes += self._table_changes(name, old, new)
        if item_id:
            changes = [c for c in changes if c.id == item_id]
        self._add_commits(changes, old, new)
        summary: dict[str, dict[str, int]] = {}
        for change in changes:
            counts = summary.setdefault(change.table, {"added": 0, "modified": 0,
                                                       "removed": 0})
            counts[change.op] += 1
        return Diff.model_validate({"from": from_ref, "to": to_ref, "from_commit": old,
                                    "to_commit": new, "changes": changes, "summary": summary})

    def _add_commits(self, changes: list[Change], old: str, new: str) -> None:
        """Each change's commits: those of new's first-parent line that old does not have,
        which changed that row — read from their diffs, only for the tables that changed."""
        from factstore.models import ChangeCommit

        if not changes:
            return
        by_id = {(c.table, c.id): c for c in changes}
        tables = list(dict.fromkeys(c.table for c in changes))
        for entry, name, before, after in self._line_changes(self.line(new).since(old), tables):
            change = by_id.get((name, row_id(name, after or before or {})))
            if change is not None:
                change.commits.append(ChangeCommit(
                    commit=entry.commit, author=entry.author, date=entry.date,
                    reason=(after or {}).get("reason"),
                    recorded_by=(after or {}).get("recorded_by")))

    def _table_changes(self, name: str, old: str, new: str) -> list[Change]:
        from factstore.models import Change

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


@dataclass(frozen=True)
class Line:
    """A head's first-parent line, newest first, and every commit's parents."""

    commits: list[Commit]
    parents: dict[str, tuple[str, ...]]

    def parent(self, commit: str) -> str | None:
        return next(iter(self.parents.get(commit, ())), None)

    def is_merge(self, commit: str) -> bool:
        return len(self.parents.get(commit, ())) > 1

    def since(self, commit: str) -> Line:
        """The newest part of the line, down to the first commit that `commit` has too."""
        behind = self.reachable(commit)
        return Line(list(itertools.takewhile(lambda c: c.commit not in behind, self.commits)),
                    self.parents)

    def reachable(self, commit: str) -> set[str]:
        """commit and every commit it descends from, through any parent."""
        seen, todo = set(), [commit]
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo.extend(self.parents.get(current, ()))
        return seen


def _render_log(commit: Commit) -> bool:
    return commit.author == SYSTEM_AUTHOR and commit.message == RENDER_LOG_COMMIT


def _version(entry: Commit, row: Row | None) -> Version:
    """The version a commit made of a row (None: the commit removed it)."""
    return Version(**entry.model_dump(), reason=(row or {}).get("reason"),
                   recorded_by=(row or {}).get("recorded_by"),
                   source=(row or {}).get("source_id"), row=row)


def _last_knowledge_change(versions: list[Version]) -> Version | None:
    """The newest version whose knowledge differs from the one before it (a version that only
    moved bookkeeping, such as a merge re-recording the same values, is passed over)."""
    for newer, older in zip(versions, [*versions[1:], None], strict=True):
        if older is None or changed_fields(older.row, newer.row) or (
                (older.row is None) != (newer.row is None)):
            return newer
    return None


def _blame_line(ident: str, made: Version) -> BlameLine:
    return BlameLine(id=ident, commit=made.commit, author=made.author, date=made.date,
                     message=made.message.splitlines()[0] if made.message else "",
                     recorded_by=made.recorded_by)


def changed_fields(before: Row | None, after: Row | None) -> dict[str, dict[str, Any]]:
    """Field by field, knowledge only (bookkeeping columns are reported separately)."""
    fields = {}
    for name in (after or before or {}):
        if name in BOOKKEEPING:
            continue
        old = before.get(name) if before else None
        new = after.get(name) if after else None
        if name in BACKFILLED and before and after and (old is None or new is None):
            continue  # a column one version had not got yet (a migration filled it)
        if name == "normalized" and before and after and any(
                k in after and before.get(k) == after[k] for k in ("name", "term")):
            continue  # the same name normalised anew (migration 0005: "o brien" -> "obrien")
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
    """Make the row equal to target (None: absent), under a new revision. A version from
    before a migration gets the columns it added: normalised names derived again, a fact's
    capture date kept."""
    if target is None:
        tx.execute(f"DELETE FROM {table.name} WHERE {table.where_key()}", key)
        return
    target = {c: target.get(c) for c in table.columns}
    if "normalized" in table.columns and table.name != "aliases":
        target["normalized"] = normalize(target["term" if "term" in target
                                                else "name"])[:255]
    if table.name == "facts" and target["captured_at"] is None and current is not None:
        target["captured_at"] = current.get("captured_at")
    if current is None:
        tx.execute(table.insert_sql(), [*(target[c] for c in table.columns), who, reason, rev])
        return
    tx.execute(table.update_sql("?"), table.update_params(target, who, reason, rev))


__all__ = [
    "CONFIG_TABLE", "ID_LIKE", "LINE_CHUNK", "Line", "Timeline", "changed_fields", "referenced_by"
]
