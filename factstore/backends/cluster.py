"""Dolt's cluster replication and branch permissions, as factstore sees them (a Dolt
sql-server only): a server's cluster role and epoch, its standbys' replication lag
(dolt_cluster.dolt_cluster_status), a switchover (dolt_assume_cluster_role), finding which of
several servers is the primary now, and the dolt_branch_control /
dolt_branch_namespace_control rows that protect a branch.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel

from factstore.errors import FactstoreError, InvalidInput, Refused

if TYPE_CHECKING:
    from factstore.backends.base import Backend

PROBE_TIMEOUT_S = 2  # seconds to reach a server when looking for the primary
USER = r"[A-Za-z0-9_.-]{1,32}"  # a MySQL user name factstore writes into permission rows


class Replica(BaseModel):
    """One standby as the server reporting it sees it (a row of dolt_cluster_status)."""

    database: str
    remote: str
    role: str
    epoch: int | None
    lag_ms: int | None
    last_update: str | None
    error: str | None


class ServerStatus(BaseModel):
    """Where a store lives and what it is there: `role` is primary, standby or
    detected_broken_config in a Dolt cluster; `server` for a Dolt sql-server outside one,
    `embedded` for doltlite; `unreachable` (with `error`) when it did not answer."""

    url: str
    use: str  # "write" (FACTS_URL) or "read" (FACTS_READ_URL)
    kind: str
    role: str
    epoch: int | None = None
    branch: str | None = None
    head: str | None = None
    replicas: list[Replica] = []
    error: str | None = None


def redact(url: str) -> str:
    """A store URL without its password, to print."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def role(backend: Backend) -> tuple[str, int] | None:
    """(role, epoch) of the server behind backend; None outside a cluster or on doltlite."""
    if backend.kind != "dolt":
        return None
    try:
        rows = backend.query("SELECT @@GLOBAL.dolt_cluster_role AS role, "
                             "@@GLOBAL.dolt_cluster_role_epoch AS epoch")
    except FactstoreError:  # not started in cluster mode: the variables are not there
        return None
    if not rows or not rows[0]["role"]:
        return None
    return str(rows[0]["role"]), int(rows[0]["epoch"] or 0)


def replicas(backend: Backend) -> list[Replica]:
    """The standbys this server replicates to (on a standby: the peers it would replicate to
    once primary), for the store's database."""
    database = backend.url.rsplit("/", 1)[-1]
    try:
        rows = backend.query("SELECT * FROM dolt_cluster.dolt_cluster_status WHERE "
                             "`database` = ?", [database])
    except FactstoreError:
        return []
    return [Replica(database=str(r["database"]), remote=str(r["standby_remote"]),
                    role=str(r["role"]), epoch=r["epoch"], lag_ms=r["replication_lag_millis"],
                    last_update=None if r["last_update"] is None else str(r["last_update"]),
                    error=r["current_error"] or None) for r in rows]


def status(backend: Backend, use: str) -> ServerStatus:
    """The role, epoch, head and standbys of the server a store is open on."""
    if backend.kind != "dolt":
        return ServerStatus(url=redact(backend.url), use=use, kind=backend.kind,
                            role="embedded", branch=backend.branch, head=backend.head())
    found = role(backend)
    return ServerStatus(url=redact(backend.url), use=use, kind=backend.kind,
                        role=found[0] if found else "server",
                        epoch=found[1] if found else None, branch=backend.branch,
                        head=backend.head(), replicas=replicas(backend) if found else [])


def assume_role(backend: Backend, new_role: str, epoch: int) -> None:
    """Make this server primary or standby at a new epoch (a switchover: first demote the
    primary, then promote the standby, with the same higher epoch). Connections to it must
    be opened again afterwards."""
    if new_role not in ("primary", "standby"):
        raise InvalidInput(f"role: expected primary or standby, got {new_role!r}")
    backend.call("dolt_assume_cluster_role", new_role, str(epoch))


def switchover(primary: Backend, standby: Backend) -> int:
    """Make standby the primary and primary a standby, at the next epoch, which is returned.
    The primary is demoted first: Dolt waits there until its standbys have every commit it
    acknowledged (and refuses when they cannot get them), so nothing acknowledged is lost.
    A server whose role is not the expected one is refused before anything changes."""
    found, other = role(primary), role(standby)
    if found is None or found[0] != "primary":
        raise Refused(f"switchover: {redact(primary.url)} is not a cluster primary "
                      f"({found[0] if found else 'not in a cluster'})")
    if other is None or other[0] != "standby":
        raise Refused(f"switchover: {redact(standby.url)} is not a cluster standby "
                      f"({other[0] if other else 'not in a cluster'})")
    epoch = max(found[1], other[1]) + 1
    assume_role(primary, "standby", epoch)
    assume_role(standby, "primary", epoch)
    return epoch


def find_primary(urls: Sequence[str]) -> str | None:
    """The first of urls whose server is a cluster primary now, or None; servers that do not
    answer within PROBE_TIMEOUT_S are passed over."""
    import pymysql

    from factstore.backends.dolt import parse_url, pymysql_connect

    for url in urls:
        if not url.startswith("mysql://"):
            continue
        params = parse_url(url)
        with contextlib.suppress(pymysql.err.MySQLError, OSError):
            conn = pymysql_connect(host=params["host"], port=params["port"],
                                   user=params["user"], password=params["password"],
                                   connect_timeout=PROBE_TIMEOUT_S)
            try:
                with conn.cursor() as cur:
                    cur.execute("SELECT @@GLOBAL.dolt_cluster_role")
                    found = (cur.fetchone() or (None,))[0]
            finally:
                conn.close()
            if found == "primary":
                return url
    return None


def _users(names: Sequence[str], what: str) -> list[str]:
    import re

    for name in names:
        if not re.fullmatch(USER, name):
            raise InvalidInput(f"{what}: {name!r} is not a user name (letters, digits, "
                               "'_', '.', '-', at most 32)")
    return list(dict.fromkeys(names))


def protect(backend: Backend, branch: str, admins: Sequence[str], mergers: Sequence[str]
            ) -> list[dict[str, Any]]:
    """Protect `branch` of this database with Dolt's branch permissions: admins may do
    anything on it, mergers may merge into it (Dolt's `merge`), everyone else only reads it;
    every other branch of the database stays writable by everyone (proposals). Only admins
    may create (or force-move) a branch of that name. Rows for other databases on the server
    are left alone: Dolt uses the most specific matching row, so these win over its default
    `% % % % write` row. Returns the database's rows afterwards."""
    if backend.kind != "dolt":
        raise Refused("branch permissions exist only on a Dolt sql-server (Dolt's "
                      "dolt_branch_control); an embedded store is protected by its file's "
                      "permissions")
    admins = _users(admins, "admin")
    mergers = _users(mergers, "merger")
    if not admins:
        raise InvalidInput("admin: protecting a branch needs at least one admin")
    database = backend.url.rsplit("/", 1)[-1]
    rows = [(database, branch, "%", "read"), (database, "%", "%", "write")]
    rows += [(database, branch, user, "merge") for user in mergers if user not in admins]
    rows += [(database, b, user, "admin") for user in admins for b in (branch, "%")]

    # The permission tables are not versioned: each statement takes effect on its own. Dolt
    # refuses a row that a broader one with the same permissions already covers (its
    # default `% % % % write`, say) as a duplicate key: that row is not needed.
    for where in (branch, "%"):
        backend.record("DELETE FROM dolt_branch_control WHERE `database` = ? AND branch = ?",
                       [database, where])
    for row in rows:
        _insert(backend, "INSERT INTO dolt_branch_control VALUES (?, ?, ?, '%', ?)", row)
    backend.record("DELETE FROM dolt_branch_namespace_control WHERE `database` = ? AND "
                   "branch = ?", [database, branch])
    for user in admins:
        _insert(backend, "INSERT INTO dolt_branch_namespace_control VALUES (?, ?, ?, '%')",
                (database, branch, user))
    return permissions(backend)


def _insert(backend: Backend, sql: str, row: Sequence[str]) -> None:
    try:
        backend.record(sql, row)
    except FactstoreError as exc:
        if "duplicate primary key" not in str(exc):
            raise


def permissions(backend: Backend) -> list[dict[str, Any]]:
    """This database's branch permission rows: (kind 'branch' or 'namespace', branch, user,
    host, permissions)."""
    if backend.kind != "dolt":
        return []
    database = backend.url.rsplit("/", 1)[-1]
    found = [{"kind": "branch", **r} for r in backend.query(
        "SELECT branch, user, host, permissions FROM dolt_branch_control WHERE `database` = ? "
        "ORDER BY branch, user", [database])]
    found += [{"kind": "namespace", **r, "permissions": "create"} for r in backend.query(
        "SELECT branch, user, host FROM dolt_branch_namespace_control WHERE `database` = ? "
        "ORDER BY branch, user", [database])]
    return found


__all__ = [
    "PROBE_TIMEOUT_S", "USER", "Replica", "ServerStatus", "assume_role", "find_primary",
    "permissions", "protect", "redact", "replicas", "role", "status", "switchover"
]
