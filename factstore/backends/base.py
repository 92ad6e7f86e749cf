"""The Backend protocol: the one seam between factstore and a Dolt engine.

Callers write SQL with `?` placeholders and never branch on which backend is active; what
differs between doltlite (embedded, SQLite dialect) and a Dolt sql-server (MySQL dialect) stays
behind these methods.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from factstore.schema import COMMITTED, Row

__all__ = ["Backend", "Row", "Tx", "WriteBody"]


class Tx(Protocol):
    """An open write transaction."""

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; returns the number of rows it changed."""
        ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
               ) -> None:
        """Insert rows whose keys are not in table (values in the order of columns, names
        from the schema's allow-list): insert_sql's statement for each row, or the engine's
        bulk load of the same values (a Dolt server's LOAD DATA)."""
        ...

    def stage(self) -> None:
        """Stage what the transaction wrote so far, as the commit will (its tables): a
        long write calls it while it waits on something else, so that the commit has less
        left to do. Undone with the write if it fails; a no-op where it would not help. It
        may end the SQL transaction and begin the next (doltlite): only a write holding the
        backend's import_lock calls it."""
        ...


# A write body runs inside the transaction and returns the commit message, or None when it
# found nothing to change (then nothing is committed: no empty commits).
WriteBody = Callable[[Tx], str | None]


class Backend(Protocol):
    kind: str  # "doltlite" | "dolt"
    url: str
    branch: str  # the branch this connection reads and writes

    @property
    def cache_dir(self) -> Path:
        """Where data derived from commits (the alias index) may be cached on disk."""
        ...

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...

    def query_tuples(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """The rows of a query as tuples, in the order of its columns: for reads of many rows
        (an export), where making a dict of each is most of the time."""
        ...

    def query_blocks(self, sql: str, params: Sequence[Any] = (), size: int = 5000
                     ) -> Iterator[list[tuple[Any, ...]]]:
        """query_tuples' rows in blocks of at most `size` (a block may be all of them), the
        statement run at the call (its errors raised there) and its rows read as the blocks
        are taken: a whole-store read that is done with a block before taking the next holds
        one block's rows at a time, not a 100k-row table's."""
        ...

    def pin(self, at: str | None) -> str | None:
        """Where a read of several statements reads `at` so that every statement sees the same
        rows, whatever is written meanwhile: at itself when given. For the working set (None):
        on a Dolt server, HEAD's hash when the working set holds no uncommitted change to the
        committed tables (the same rows, at a commit other connections can read too); None
        otherwise, and on doltlite (each statement reads the working set as it is then)."""
        ...

    def query_all(self, queries: Sequence[tuple[str, Sequence[Any]]]) -> list[list[Row]]:
        """Each query's rows, in order: doltlite runs them one after another; a Dolt server
        concurrently, each on a connection of its own (the waiting is the server's)."""
        ...

    def write(self, body: WriteBody, author: str, stage: Sequence[str] = COMMITTED
              ) -> str | None:
        """Run body in one transaction and make it one Dolt commit by author of the tables
        in stage (the knowledge tables unless told otherwise; "." stages every table).

        Returns the commit hash, or None when body reported nothing to change. Any exception
        leaves the store exactly as it was.
        """
        ...

    def record(self, sql: str, params: Sequence[Any] = ()) -> None:
        """Run one statement in its own SQL transaction, without a Dolt commit: the change
        stays in the working set (the render log; see schema.sql's packs table)."""
        ...

    def table_at(self, table: str, ref: str) -> tuple[str, list[Any]]:
        """A FROM-clause fragment reading `table` as it was at ref, with its parameters."""
        ...

    def diff_from(self, table: str, from_commit: str, to_commit: str) -> tuple[str, list[Any]]:
        """A FROM-clause fragment of Dolt's two-commit diff of `table`, with its parameters.

        Columns: to_<col>…, from_<col>…, to_commit, from_commit, diff_type."""
        ...

    def call(self, procedure: str, *args: str) -> list[Row]:
        """Run a Dolt version-control procedure (dolt_tag, dolt_branch, …) outside a write."""
        ...

    def tag(self, name: str, commit: str, message: str, author: str) -> None: ...

    def merge(self, branch: str, message: str, author: str, prefer: str | None,
              fast_forward: bool = False, keep: Callable[[Tx], None] | None = None
              ) -> tuple[str | None, list[tuple[str, Row]]]:
        """Merge branch into this connection's branch as one commit by author (or, with
        fast_forward, by moving the branch when it has not moved since they parted).
        keep: run in the merge's transaction before its commit (not on a fast-forward),
        to put rows back as this branch had them (an import's rows kept for the store).

        Returns (commit or None when already up to date, conflicts as (table, row of
        dolt_conflicts_<table>)). With conflicts and no prefer ('ours'|'theirs'), nothing is
        written and the commit is None. A merge commit carries, for every row it changed
        whose rev did not grow, that row's rev + 1 (versioning.raise_merged_revs)."""
        ...

    def on_branch(self, branch: str) -> Backend:
        """A second connection to the same store, reading and writing `branch`."""
        ...

    def import_lock(self, waiting: Callable[[], None] | None = None
                    ) -> contextlib.AbstractContextManager[None]:
        """Held for a whole import (Imports): one at a time on the store, where an import's
        write may end its SQL transaction before it commits (Tx.stage), `waiting` called
        before it waits for another; else nothing."""
        ...

    def remote_url(self, url: str, *, create: bool = True) -> str:
        """The engine's form of a remote URL (file:///dir works on both; a Dolt remotesapi
        http(s)://host:port/db on a Dolt server only); refused under /proc, /sys, /dev.
        create: the folder of a file remote may be made (not its parents);
        without, the remote must exist (a clone)."""
        ...

    def push(self, remote: str, branch: str, user: str | None = None) -> None:
        """Push branch and the tags; user: the remote's user (its password is
        DOLT_REMOTE_PASSWORD in the environment of the process that talks to the remote)."""
        ...

    def push_branches(self, remote: str, names: Sequence[str], user: str | None = None
                      ) -> dict[str, str]:
        """Push each of these branches (user: as for push); one the remote refuses (it moved
        on its own there: not a fast-forward) is left as the remote has it. Returns those
        refused, name -> the engine's reason."""
        ...

    def set_branches(self, moves: Mapping[str, tuple[str | None, str]]) -> list[str]:
        """Compare-and-set branches: name -> (the commit it must be at now, None: it must
        not exist; the commit to point it at). One that is elsewhere (a writer moved or
        made it meanwhile) is left as it is. In one write (the heads file written once).
        Returns the names set."""
        ...

    def fetch(self, remote: str, user: str | None = None) -> None:
        """Fetch every branch of remote into remote-tracking branches (remotes/REMOTE/…).
        (A glob refspec such as refs/heads/imports/* fails on both engines when the remote
        has no branch it matches.)"""
        ...

    def pull(self, remote: str, branch: str, author: str, user: str | None = None,
             prefer: str | None = None) -> list[tuple[str, Row]]:
        """Fetch remote's branch and merge it into this connection's branch, as merge does
        (revs raised, one commit by author; user: the remote's, as for push; prefer: as
        merge's). Returns the conflicts left, as merge does; with any, nothing is merged."""
        ...

    def head(self) -> str: ...

    def close(self) -> None: ...
