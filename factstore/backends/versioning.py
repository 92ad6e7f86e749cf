"""Dolt's version control as factstore sees it: every read of Dolt's system tables (dolt_log,
dolt_commit_ancestors, dolt_tags, dolt_branches, dolt_remotes, dolt_status, dolt_diff,
dolt_merge_status, dolt_history_*, dolt_blame_*) and every call of its procedures outside a
write, returning models; and what a merge does to rows before its commit (their revs).
Both engines expose these under the same names; what differs (AS OF vs dolt_at_*, the diff
table function, merge and revert) stays in the backend classes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from factstore.backends.base import Backend, Tx
from factstore.errors import FactstoreError, InvalidInput
from factstore.results import Branch, Commit, Remote, Tag
from factstore.periods import is_period, period_range
from factstore.schema import BOOKKEEPING, TABLES, VERSIONED, Row, Table, insert_sql, row_id

REF_SUFFIX = re.compile(r"^(.+?)~(\d+)$")
HASH_PREFIX = re.compile(r"^[0-9a-v]{6,40}$")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?Z?$")
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")  # a branch or remote name
TAG_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*")
COMMIT_COLUMNS = frozenset({"commit_hash", "committer", "commit_date"})


def author(name: Any, email: Any) -> str:
    """Dolt's committer columns as one 'Name <email>' string."""
    return f"{name} <{email}>"


def iso(value: Any) -> str:
    """A Dolt timestamp as ISO 8601 UTC ('2026-10-01T09:30:00Z')."""
    if isinstance(value, datetime):
        value = value.strftime("%Y-%m-%d %H:%M:%S")
    text = str(value)
    return text.replace(" ", "T", 1) + ("" if text.endswith("Z") else "Z")


# --- commits and refs ------------------------------------------------------------------------


def commits(backend: Backend) -> list[Commit]:
    """The current branch's commits, newest first."""
    return [Commit(commit=str(r["commit_hash"]), author=author(r["committer"], r["email"]),
                   date=iso(r["date"]), message=str(r["message"]))
            for r in backend.query(
                "SELECT commit_hash, committer, email, date, message FROM dolt_log")]


def commits_from(backend: Backend, head: str) -> dict[str, Commit]:
    """Every commit reachable from head (any parent), by hash."""
    return {str(r["commit_hash"]): Commit(commit=str(r["commit_hash"]),
                                          author=author(r["committer"], r["email"]),
                                          date=iso(r["date"]), message=str(r["message"]))
            for r in backend.query(
                "SELECT commit_hash, committer, email, date, message FROM dolt_log(?)", [head])}


def parents(backend: Backend) -> dict[str, tuple[str, ...]]:
    """Every commit of the repository (all branches) -> its parents, first parent first (a
    merge has two; the first commit none). Neither engine's dolt_log has --first-parent:
    walking this map from a head is how a branch's own line is followed."""
    found: dict[str, list[tuple[int, str]]] = {}
    for r in backend.query(
            "SELECT commit_hash, parent_hash, parent_index FROM dolt_commit_ancestors"):
        listed = found.setdefault(str(r["commit_hash"]), [])
        if r["parent_hash"]:
            listed.append((int(r["parent_index"]), str(r["parent_hash"])))
    return {commit: tuple(p for _, p in sorted(listed)) for commit, listed in found.items()}


def commit_day(backend: Backend, commit: str) -> date | None:
    """The UTC day of a commit of the current branch; None when it is not on it."""
    rows = backend.query("SELECT date FROM dolt_log WHERE commit_hash = ?", [commit])
    return date.fromisoformat(iso(rows[0]["date"])[:10]) if rows else None


def on_branch(backend: Backend, commit: str) -> bool:
    """Is commit the current branch's head or one of its ancestors?"""
    return bool(backend.query("SELECT commit_hash FROM dolt_log WHERE commit_hash = ?",
                              [commit]))


def branch_heads(backend: Backend) -> dict[str, str]:
    """Every branch's head commit, by name."""
    return {str(r["name"]): str(r["hash"])
            for r in backend.query("SELECT name, hash FROM dolt_branches")}


def has_schema(backend: Backend) -> bool:
    """Does the store hold factstore's tables (its migrations table)?"""
    try:
        backend.query("SELECT name FROM schema_migrations LIMIT 1")
    except FactstoreError:
        return False
    return True


def has_parent(backend: Backend, commit: str) -> bool:
    return bool(backend.query(
        "SELECT parent_hash FROM dolt_commit_ancestors WHERE commit_hash = ? "
        "AND parent_hash IS NOT NULL", [commit]))


def resolve_ref(backend: Backend, ref: str,
                fiscal_start_month: int | Callable[[], int] = 1) -> str:
    """A commit, tag, branch, HEAD, hash prefix, date/datetime or period (+ '~N') -> full hash.

    A tag wins over a period of the same name; a date or period means the last commit at or
    before its end.
    """
    ref = ref.strip()
    match = REF_SUFFIX.match(ref)
    base, back = (match.group(1), int(match.group(2))) if match else (ref, 0)
    commit = _resolve_base(backend, base, fiscal_start_month)
    for _ in range(back):
        parents = backend.query(
            "SELECT parent_hash FROM dolt_commit_ancestors WHERE commit_hash = ? "
            "AND parent_index = 0", [commit])
        if not parents or not parents[0]["parent_hash"]:
            raise InvalidInput(f"ref {ref!r}: history is not that long")
        commit = parents[0]["parent_hash"]
    return commit


def _resolve_base(backend: Backend, ref: str,
                  fiscal_start_month: int | Callable[[], int]) -> str:
    if not ref:
        raise InvalidInput("ref: empty")
    for sql in ("SELECT tag_hash AS h FROM dolt_tags WHERE tag_name = ?",
                "SELECT hash AS h FROM dolt_branches WHERE name = ?"):
        rows = backend.query(sql, [ref])
        if rows:
            return str(rows[0]["h"])
    if ref.upper() == "HEAD":
        return backend.head()
    if HASH_PREFIX.match(ref):
        rows = backend.query("SELECT commit_hash FROM dolt_log WHERE commit_hash LIKE ?",
                             [ref + "%"])
        if len(rows) == 1:
            return str(rows[0]["commit_hash"])
        if len(rows) > 1:
            raise InvalidInput(f"ref {ref!r} is ambiguous: it starts {len(rows)} commits")
    cutoff = _cutoff(ref, fiscal_start_month)
    if cutoff is not None:
        rows = backend.query("SELECT commit_hash, date FROM dolt_log")
        for row in rows:  # newest first
            if str(row["date"]) <= cutoff:
                return str(row["commit_hash"])
        raise InvalidInput(f"ref {ref!r}: no commit at or before {cutoff}")
    raise InvalidInput(f"unknown ref {ref!r} (not a commit, tag, branch, date or period)")


def _cutoff(ref: str, fiscal_start_month: int | Callable[[], int]) -> str | None:
    """The last moment a date, datetime or period covers, as dolt_log writes dates."""
    if DATETIME.match(ref) and len(ref) > 10:
        text = ref.rstrip("Z").replace("T", " ")
        return text if len(text) == 19 else text + ":59"
    if is_period(ref):
        month = fiscal_start_month() if callable(fiscal_start_month) else fiscal_start_month
        _, end = period_range(ref, month)
        return f"{end.isoformat()} 23:59:59"
    return None


# --- rows through time -----------------------------------------------------------------------


def row_at_commits(backend: Backend, table: Table, key: Sequence[Any]) -> dict[str, Row]:
    """One row at every commit that has it (dolt_history_<table>), by commit hash; found by
    primary key, so the cost follows the number of commits, not the size of the store."""
    return {
        str(r["commit_hash"]): {k: v for k, v in r.items() if k not in COMMIT_COLUMNS}
        for r in backend.query(
            f"SELECT * FROM dolt_history_{table.name} WHERE {table.where_key()}", key)
    }


def diff_rows(backend: Backend, table: str, old: str, new: str,
              db: Tx | Backend | None = None, *, modified_only: bool = False
              ) -> Iterator[tuple[Row | None, Row | None, str]]:
    """Dolt's diff of one table between two commits: (from row, to row, diff_type) per
    changed row, without the commit columns. db: read inside that transaction."""
    source, params = backend.diff_from(table, old, new)
    where = " WHERE diff_type = 'modified'" if modified_only else ""
    rows = (db or backend).query(f"SELECT * FROM {source}{where}", params)
    if not rows:
        return
    skip = {"commit", "commit_date"}
    # which raw column is which side's column: worked out once, not per row
    sides = [[(k, k[len(p):]) for k in rows[0] if k.startswith(p) and k[len(p):] not in skip]
             for p in ("from_", "to_")]
    for raw in rows:
        kind = str(raw["diff_type"])
        before = None if kind == "added" else {c: raw[k] for k, c in sides[0]}
        after = None if kind == "removed" else {c: raw[k] for k, c in sides[1]}
        yield before, after, kind


def diff_presence(backend: Backend, table: str, old: str, new: str, columns: Sequence[str]
                  ) -> Iterator[tuple[Row | None, Row | None, str]]:
    """diff_rows of the rows added or removed only, each side with just `columns` (a table's
    key, recorded_by…): a commit that loaded 100k rows is read without their other columns."""
    source, params = backend.diff_from(table, old, new)
    picked = ", ".join(f"{side}{c}" for side in ("from_", "to_") for c in columns)
    for raw in backend.query(f"SELECT diff_type, {picked} FROM {source} "
                             "WHERE diff_type <> 'modified'", params):
        kind = str(raw["diff_type"])
        side = {c: raw[("to_" if kind == "added" else "from_") + c] for c in columns}
        yield (None, side, kind) if kind == "added" else (side, None, kind)


def changed_keys(backend: Backend, table: str, old: str, new: str, columns: Sequence[str],
                 most: int) -> set[tuple[Any, ...]] | None:
    """The keys (`columns`, on either side) of the rows of a table that differ between two
    commits; None when more than `most` rows do, or when the diff cannot be read (a commit
    this repository no longer has)."""
    source, params = backend.diff_from(table, old, new)
    picked = ", ".join(f"{side}{c}" for side in ("from_", "to_") for c in columns)
    try:
        rows = backend.query(f"SELECT {picked} FROM {source} LIMIT ?", [*params, most + 1])
    except FactstoreError:
        return None
    if len(rows) > most:
        return None
    keys = set()
    for row in rows:
        for side in ("from_", "to_"):
            key = tuple(row[side + c] for c in columns)
            if key[0] is not None:
                keys.add(key)
    return keys


def tables_changed(backend: Backend, commits: Sequence[str]) -> dict[str, set[str]]:
    """The tables each of these commits changed (for a merge, against its first parent), in
    one query per hundred commits."""
    found: dict[str, set[str]] = {}
    for start in range(0, len(commits), 100):
        chunk = list(commits[start:start + 100])
        for r in backend.query("SELECT commit_hash, table_name FROM dolt_diff WHERE "
                               f"commit_hash IN ({', '.join('?' * len(chunk))})", chunk):
            found.setdefault(str(r["commit_hash"]), set()).add(str(r["table_name"]))
    return found


def tables_changed_by(backend: Backend, commit: str) -> set[str]:
    rows = backend.query("SELECT table_name FROM dolt_diff WHERE commit_hash = ?", [commit])
    return {str(r["table_name"]) for r in rows}


def uncommitted(db: Tx | Backend, table: str) -> bool:
    """Does the working set hold changes to `table` that no commit has yet?"""
    return bool(db.query("SELECT table_name FROM dolt_status WHERE table_name = ?", [table]))


def uncommitted_rows(db: Tx | Backend, backend: Backend, tables: Sequence[str]
                     ) -> dict[str, list[str]]:
    """The rows of `tables` that the working set changed since HEAD (dolt_status, then the
    diff of HEAD and WORKING), by table; read through db (a write's own transaction)."""
    dirty = {str(r["table_name"]) for r in db.query("SELECT table_name FROM dolt_status")}
    found: dict[str, list[str]] = {}
    for table in (t for t in tables if t in dirty):
        ids = [_changed_id(table, before, after) for before, after, _ in
               diff_rows(backend, table, "HEAD", "WORKING", db)]
        found[table] = ids or ["the table itself"]
    return found


def _changed_id(table: str, before: Row | None, after: Row | None) -> str:
    row = after or before or {}
    if table in TABLES or table == "config":
        return row_id(table, row)
    return str(row.get("name") or row)[:60]


# --- merges ----------------------------------------------------------------------------------


def merging(db: Tx | Backend) -> bool:
    """Is a merge under way in the working set (made with --no-commit, or stopped by
    conflicts), waiting for its commit?"""
    rows = db.query("SELECT is_merging FROM dolt_merge_status")
    return bool(rows and rows[0]["is_merging"])


def raise_merged_revs(db: Tx, backend: Backend) -> int:
    """Keep `rev` a compare-and-set counter across a merge; call it in the merge's
    transaction, before its commit. Returns how many rows it gave a new rev.

    A row's rev only ever grows on a branch's line and changes whenever the row changes. A
    merge can break that: a conflict resolved for the other side's version brings that
    side's rev, which may be no higher than ours (both sides corrected the row once: rev 2
    and rev 2); Dolt merges cells, so two sides that changed different columns of a row from
    rev 1 to rev 2 merge cleanly into a row that is neither side's, at rev 2. A correction
    that read our rev 2 would then succeed against a row that changed: a lost update.

    So every row of a versioned table whose merged version differs from the receiving
    branch's version before the merge (Dolt's diff of HEAD and the working set, 'modified'
    rows only) and whose rev is not greater than that version's rev gets that rev + 1. A row
    whose merged rev is greater (one the other branch alone changed, or whose version won a
    conflict with a higher rev) keeps it: it is still higher than any rev this branch's line
    gave the row. Rows the merge added or removed have no earlier version here to compare.
    Only the tables dolt_status lists are read, and of those only the rows the merge changed;
    the comparison of revs runs in the engine."""
    dirty = {str(r["table_name"]) for r in db.query("SELECT table_name FROM dolt_status")}
    raised = 0
    for name in (t for t in VERSIONED if t in dirty):
        key = TABLES[name].key if name in TABLES else ("name",)
        source, params = backend.diff_from(name, "HEAD", "WORKING")
        rows = db.query(f"SELECT {', '.join(f'to_{k}' for k in key)}, from_rev, to_rev "
                        f"FROM {source} WHERE diff_type = 'modified' AND to_rev <= from_rev",
                        params)
        if not rows:
            continue
        where = " AND ".join(f"{k} = ?" for k in key)
        db.executemany(f"UPDATE {name} SET rev = ? WHERE {where} AND rev = ?",
                       [(int(r["from_rev"]) + 1, *(r[f"to_{k}"] for k in key), r["to_rev"])
                        for r in rows])
        raised += len(rows)
    return raised


# --- branches, tags, remotes -----------------------------------------------------------------


def branches(backend: Backend) -> list[Branch]:
    rows = backend.query("SELECT * FROM dolt_branches ORDER BY name")
    return [Branch(name=r["name"], commit=r["hash"],
                   author=author(r["latest_committer"], r["latest_committer_email"]),
                   date=iso(r["latest_commit_date"]),
                   message=str(r["latest_commit_message"]).splitlines()[0],
                   current=r["name"] == backend.branch) for r in rows]


def has_branch(backend: Backend, name: str) -> bool:
    return bool(backend.query("SELECT name FROM dolt_branches WHERE name = ?", [name]))


def create_branch(backend: Backend, name: str, start: str) -> None:
    backend.call("dolt_branch", name, start)


def branch_head(backend: Backend, name: str) -> str | None:
    rows = backend.query("SELECT hash FROM dolt_branches WHERE name = ?", [name])
    return str(rows[0]["hash"]) if rows else None


def remote_branch_heads(backend: Backend, remote: str) -> dict[str, str]:
    """The remote-tracking branches of one remote (as its clone or last fetch left them),
    by their name on the remote: remotes/origin/imports/crm-yaml -> imports/crm-yaml."""
    prefix = f"remotes/{remote}/"
    return {str(r["name"])[len(prefix):]: str(r["hash"])
            for r in backend.query("SELECT name, hash FROM dolt_remote_branches")
            if str(r["name"]).startswith(prefix)}


def is_ancestor(backend: Backend, commit: str, of: str) -> bool:
    """Is commit `of` itself or one of its ancestors?"""
    return commit == of or merge_base(backend, commit, of) == commit


def discard_uncommitted(backend: Backend) -> None:
    """The branch's working set put back to its head, if anything is uncommitted there."""
    if backend.query("SELECT table_name FROM dolt_status LIMIT 1"):
        backend.call("dolt_reset", "--hard")


def move_branch(backend: Backend, name: str, commit: str) -> None:
    """Point an existing branch at another commit (git branch -f)."""
    backend.call("dolt_branch", "-f", name, commit)


def delete_branch(backend: Backend, name: str) -> None:
    backend.call("dolt_branch", "-D", name)


# Tables a merge settles itself: both sides of a branch upgraded apart recorded the same
# migration, each at its own time (their schema changes, alike, merge by themselves).
SETTLED_BY_MERGE = ("schema_migrations",)


def conflicted(branch: str, tables: Sequence[str]) -> tuple[list[str], list[str]]:
    """A merge's conflicted tables: (the knowledge's, reported to the user or settled by
    --prefer; those the merge settles itself, taking its own side: SETTLED_BY_MERGE).
    Raises for any other, whose conflict neither a user nor factstore may settle."""
    other = [t for t in tables if t not in VERSIONED and t not in SETTLED_BY_MERGE]
    if other:
        raise FactstoreError(f"merge of {branch!r}: conflicting rows in {', '.join(other)}, "
                             "which a merge cannot settle; nothing was merged")
    return ([t for t in tables if t in VERSIONED],
            [t for t in tables if t in SETTLED_BY_MERGE])


# What a conflicted row's sides are compared without: who recorded it, why, its rev, and the
# day its value was captured (a correction is captured on its own day).
NOT_COMPARED = frozenset({*BOOKKEEPING, "captured_at"})


def settle_rows(tx: Tx, conflicts: list[tuple[str, Row]], prefer: str | None
                ) -> list[tuple[str, Row]]:
    """Settle a merge's conflicted rows one by one, in the open merge, and return those left
    (none when `prefer` is given). A row both sides changed to the same knowledge keeps
    ours (a source that caught up with a correction; two people who made the same one); a
    row whose knowledge only one side changed (the other touched only who recorded it, why
    or when, or changed it and changed it back) takes that side's; any other takes
    `prefer`'s side ("ours" or "theirs"), or is left to report. The side taken is written
    to the table; with none left, the caller resolves each table's conflicts as ours (what
    the table now holds)."""
    left = []
    for table, raw in conflicts:
        base, ours, theirs = (_known(raw, side) for side in ("base_", "our_", "their_"))
        side = ("ours" if ours is not None and ours == theirs else
                "theirs" if ours == base else "ours" if theirs == base else prefer)
        if side is None:
            left.append((table, raw))
        elif side == "theirs":
            _take_theirs(tx, table, raw)
    return left


def _side(raw: Row, prefix: str) -> Row | None:
    """One side of a conflicted row, whole; None where that side has no row."""
    row = {k[len(prefix):]: v for k, v in raw.items()
           if k.startswith(prefix) and not k.endswith("diff_type")}
    return None if all(v is None for v in row.values()) else row


def _known(raw: Row, prefix: str) -> Row | None:
    row = _side(raw, prefix)
    return None if row is None else {k: v for k, v in row.items() if k not in NOT_COMPARED}


def _take_theirs(tx: Tx, table: str, raw: Row) -> None:
    theirs, ours = _side(raw, "their_"), _side(raw, "our_")
    key = TABLES[table].key if table in TABLES else ("name",)
    present = ours or theirs
    if present is None:
        return
    tx.execute(f"DELETE FROM {table} WHERE {' AND '.join(f'{k} = ?' for k in key)}",
               [present[k] for k in key])
    if theirs is not None:
        tx.execute(insert_sql(table, list(theirs)), list(theirs.values()))


def merge_base(backend: Backend, one: str, other: str) -> str:
    return str(backend.query("SELECT dolt_merge_base(?, ?) AS h", [one, other])[0]["h"])


def tags(backend: Backend) -> list[Tag]:
    rows = backend.query("SELECT * FROM dolt_tags ORDER BY date DESC, tag_name")
    return [Tag(name=r["tag_name"], commit=r["tag_hash"], tagger=author(r["tagger"], r["email"]),
                date=iso(r["date"]), message=r["message"] or "") for r in rows]


def delete_tag(backend: Backend, name: str) -> None:
    backend.call("dolt_tag", "-d", name)


def has_tag(backend: Backend, name: str) -> bool:
    return bool(backend.query("SELECT tag_name FROM dolt_tags WHERE tag_name = ?", [name]))


def remotes(backend: Backend) -> list[Remote]:
    return [Remote(name=r["name"], url=r["url"])
            for r in backend.query("SELECT name, url FROM dolt_remotes ORDER BY name")]


def add_remote(backend: Backend, name: str, url: str) -> None:
    backend.call("dolt_remote", "add", name, backend.remote_url(url))


__all__ = [
    "COMMIT_COLUMNS", "DATETIME", "HASH_PREFIX", "NAME", "NOT_COMPARED", "REF_SUFFIX",
    "SETTLED_BY_MERGE", "TAG_NAME", "add_remote", "author", "branch_head", "branch_heads",
    "branches", "changed_keys", "commit_day", "commits", "commits_from", "conflicted",
    "create_branch", "delete_branch", "delete_tag", "diff_presence", "diff_rows",
    "discard_uncommitted", "has_branch", "has_parent", "has_schema", "has_tag", "is_ancestor",
    "iso", "merge_base", "merging", "move_branch", "on_branch", "parents", "raise_merged_revs",
    "remote_branch_heads", "remotes", "resolve_ref", "row_at_commits", "settle_rows",
    "tables_changed", "tables_changed_by", "tags", "uncommitted", "uncommitted_rows"
]
