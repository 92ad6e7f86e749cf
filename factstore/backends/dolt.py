"""A Dolt sql-server reached through pymysql (`mysql://user:pass@host:port/db`).

Writes run in one SQL transaction closed by CALL DOLT_COMMIT; serialization failures (a
concurrent writer touched the same rows) are retried from the start of the body, which is why
a write is a function and not a sequence of calls.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from factstore.backends import loaddata, local, versioning
from factstore.backends.base import Tx, WriteBody
from factstore.backends.mysql_rows import result_class
from factstore.schema import COMMITTED, Row, insert_sql
from factstore.errors import FactstoreError, InvalidInput, NotFound, Refused

RETRYABLE_ERRNOS = {1213, 1205}  # serialization failure / deadlock, lock wait timeout
MAX_ATTEMPTS = 5
LOCK_TIMEOUT_S = 30
READERS = 4  # connections a query_all spreads its statements over, this one included
DB_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]*$")


def _mysql_sql(sql: str) -> str:
    # pymysql interpolates with %-formatting: escape literal % before turning ? into %s.
    return sql.replace("%", "%%").replace("?", "%s")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return value


def _rows(cursor: Any) -> list[Row]:
    names = [d[0] for d in cursor.description or ()]
    return [{n: _plain(v) for n, v in zip(names, values, strict=True)}
            for values in cursor.fetchall()]


def _plain_tuples(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Rows with each cell as `_plain` makes it, converting only the columns that need it: a
    column's cells are all of one type, so its first non-null cell says."""
    if not rows:
        return rows
    convert = [i for i in range(len(rows[0]))
               if isinstance(next((r[i] for r in rows if r[i] is not None), None),
                             (datetime, bytes))]
    if not convert:
        return rows
    return [tuple(_plain(v) if i in convert else v for i, v in enumerate(r)) for r in rows]


BIG_BATCH = 1000  # rows in one executemany from which its statements are made larger
BIG_STATEMENT = 16 * 1024 * 1024  # bytes in one of them at most (and under max_allowed_packet)


class _Tx:
    def __init__(self, cursor: Any) -> None:
        self._cur = cursor
        self._load: bool | None = None  # LOAD DATA LOCAL allowed, once asked
        self._loading: _Loading | None = None  # a LOAD DATA still running

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        self.wait()
        self._cur.execute(_mysql_sql(sql), tuple(params))
        return _rows(self._cur)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        self.wait()
        return int(self._cur.execute(_mysql_sql(sql), tuple(params)))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.wait()
        if len(rows) >= BIG_BATCH and self._cur.max_stmt_length < BIG_STATEMENT:
            # pymysql joins an INSERT's rows into statements of at most 1 MB; far fewer,
            # larger ones save the server most of its per-statement work (an import of 100k
            # facts writes ~20% faster), kept under what the server accepts in one packet
            self._cur.execute("SELECT @@max_allowed_packet")
            (packet,) = self._cur.fetchone()
            self._cur.max_stmt_length = max(self._cur.max_stmt_length,
                                            min(BIG_STATEMENT, int(packet) - 64 * 1024))
        self._cur.executemany(_mysql_sql(sql), rows)

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
               ) -> None:
        """New rows as LOAD DATA LOCAL where the server allows it (loaddata.py), the rest
        (or all) as INSERT statements. The LOAD DATA runs on a thread while the caller goes
        on (an import reads and checks its next chunk meanwhile): whatever uses the
        connection next waits for it first, and raises its error."""
        made = None
        if len(rows) >= loaddata.LOAD_FROM and self._local_files():
            made = loaddata.write_file(rows)  # (while the load before may still run)
            if made is not None:
                rows = made[2]
        if rows:
            self.executemany(insert_sql(table, columns), rows)
        if made is not None:
            self.wait()
            self._loading = _Loading(self._cur, table, columns, made[0], made[1])

    def stage(self) -> None:
        """Nothing: the server does its staging in its own process (and a LOAD DATA may be
        running on this connection)."""

    def wait(self) -> None:
        """Wait for the LOAD DATA still running, if any; its error is raised here."""
        loading, self._loading = self._loading, None
        if loading is not None:
            loading.join()

    def settle(self) -> None:
        """Wait for the LOAD DATA still running, if any, dropping its error (the caller is
        already raising one, and rolls the transaction back)."""
        with contextlib.suppress(Exception):
            self.wait()

    def _local_files(self) -> bool:
        if self._load is None:  # asked once a transaction
            self.wait()
            self._load = loaddata.allowed(self._cur.connection)
        return self._load


class _Loading:
    """loaddata.run on a thread of its own (the connection's socket waits release the
    interpreter lock); join() waits for it and raises its error."""

    def __init__(self, cur: Any, table: str, columns: Sequence[str], name: str,
                 expected: int) -> None:
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="factstore-load", daemon=True,
                                       args=(cur, table, columns, name, expected))
        self.thread.start()

    def _run(self, *args: Any) -> None:
        try:
            loaddata.run(*args)
        except BaseException as exc:  # handed to join, in the caller's thread
            self.error = exc

    def join(self) -> None:
        self.thread.join()
        if self.error is not None:
            raise self.error


LOST_CONNECTION = {2003, 2006, 2013, 2055}  # can't connect, gone away, lost, lost (extended)


READ_ONLY = ("is read-only", "read only mode")  # a cluster standby's refusals
NO_PERMISSION = ("does not have the correct permissions on branch",
                 "cannot create a branch named")  # dolt_branch_control's refusals


@contextmanager
def _errors(what: str, backend: DoltServerBackend | None = None) -> Iterator[None]:
    """The one place where the server's errors (pymysql's) become factstore's; a write's
    retry of serialization failures looks at the raw error inside its own attempt first.
    A connection that dropped (the server stopped or was killed) says so. With backend, a
    write refused by a read-only server (a standby) names the primary."""
    import pymysql

    try:
        yield
    except pymysql.err.MySQLError as exc:
        error = _error(what, exc)
        if backend is not None and isinstance(error, Refused) and _read_only(exc):
            error = backend.standby_refusal(what)
        raise error from exc
    except OSError as exc:  # a socket error pymysql let through
        raise FactstoreError(f"{what} failed: lost the connection to the Dolt server "
                             f"({exc.strerror or exc}); is it running?") from exc


def _error(what: str, exc: Exception) -> FactstoreError:
    import pymysql

    code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
    detail = str(exc.args[-1]).strip() if exc.args else ""
    if isinstance(exc, pymysql.err.InterfaceError) or code in LOST_CONNECTION:
        return FactstoreError(f"{what} failed: lost the connection to the Dolt server"
                              f"{f' ({detail})' if detail else ''}; is it running?")
    if _read_only(exc):
        return Refused(f"{what} refused: the Dolt server is read-only ({detail}); write to "
                       "the primary")
    if any(text in detail for text in NO_PERMISSION):
        return Refused(f"{what} refused by the branch permissions: {detail} (propose a "
                       "branch, and have a merger merge it)")
    return FactstoreError(f"{what} failed: {detail or type(exc).__name__}")


def _read_only(exc: Exception) -> bool:
    detail = str(exc.args[-1]) if exc.args else ""
    return bool(exc.args) and exc.args[0] == 1105 and any(t in detail for t in READ_ONLY)


def http_remote(url: str) -> str:
    """An http(s)://host[:port]/db remote URL (a Dolt remotesapi), checked for its shape; a
    password in it is refused (it would be stored in dolt_remotes: use --user and
    DOLT_REMOTE_PASSWORD)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or \
            not parts.path.strip("/"):
        raise InvalidInput(f"remote: {url!r}: expected http(s)://HOST:PORT/DATABASE")
    if parts.password is not None or parts.username is not None:
        raise InvalidInput(f"remote: {parts.scheme}://…@{parts.hostname}: no user or password "
                           "in a remote URL (they would be stored with it): pass --user, and "
                           "the password as DOLT_REMOTE_PASSWORD")
    return url


PASSWORD_ENV = "DOLT_REMOTE_PASSWORD"  # where Dolt reads the password of a remote's --user


def _user(user: str | None) -> tuple[str, ...]:
    """Dolt's --user flag of push, pull and clone; the password is DOLT_REMOTE_PASSWORD in
    the environment of the process that talks to the remote (for a sql-server: the server)."""
    return ("--user", user) if user else ()


def parse_url(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    database = parts.path.lstrip("/")
    if parts.scheme != "mysql" or not parts.hostname or not DB_NAME.match(database):
        raise InvalidInput(f"bad server URL {url!r}: expected mysql://user:pass@host:port/db")
    return {
        "host": parts.hostname,
        "port": parts.port or 3306,
        "user": unquote(parts.username or "root"),
        "password": unquote(parts.password or ""),
        "database": database,
    }


NEEDS_RSA = "'cryptography' package is required"  # pymysql's word for an RSA password exchange


def _load_pymysql() -> Any:
    """pymysql, first imported without `cryptography` (about a sixth of a short command's
    start-up): pymysql needs it only for an RSA password exchange (sha256_password or
    caching_sha2_password over a plain connection), which pymysql_connect then loads it for.
    TLS is the standard library's ssl either way."""
    if "pymysql" not in sys.modules and "cryptography" not in sys.modules:
        sys.modules["cryptography"] = None  # type: ignore[assignment]  # an import of it fails
        try:
            import pymysql
        finally:
            if sys.modules.get("cryptography", 0) is None:
                del sys.modules["cryptography"]
    import pymysql

    return pymysql


@cache
def _connection_class() -> Any:
    """pymysql's Connection, but for the TLS context of its "preferred" mode (no TLS option
    given: TLS if the server offers it, unverified): pymysql builds it with the system's CA
    certificates loaded (a quarter of a short command's run), which an unverified context
    never reads. The same context without them; any TLS option given: pymysql's own. Its
    buffered results read their rows with factstore.backends.mysql_rows."""
    base: Any = _load_pymysql().connections.Connection

    class Connection(base):  # type: ignore[misc]
        def _create_ssl_ctx(self, sslp: Any) -> Any:
            if sslp != {}:
                return super()._create_ssl_ctx(sslp)
            import ssl

            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.verify_flags &= ~ssl.VERIFY_X509_STRICT
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            return ctx

        def _read_query_result(self, unbuffered: bool = False) -> Any:
            if unbuffered:
                return super()._read_query_result(unbuffered)
            self._result = None  # pymysql's own, with its rows read faster (mysql_rows)
            result = result_class()(self)
            result.read()
            self._result = result
            if result.server_status is not None:
                self.server_status = result.server_status
            return result.affected_rows

    return Connection


def pymysql_connect(**kwargs: Any) -> Any:
    """pymysql.connect(**kwargs); when the server asks for an RSA password exchange, with
    pymysql's password methods reloaded with `cryptography` (if installed), and again."""
    connection = _connection_class()
    try:
        return connection(**kwargs)
    except RuntimeError as exc:
        import importlib

        from pymysql import _auth

        if NEEDS_RSA not in str(exc) or getattr(_auth, "_have_cryptography", True):
            raise
        importlib.reload(_auth)  # the same module object: pymysql's connections see it
        if not getattr(_auth, "_have_cryptography", False):
            raise FactstoreError("the Dolt server asks for an RSA password exchange, which "
                                 "needs the `cryptography` package: install it") from exc
    return connection(**kwargs)


def _connect(params: dict[str, Any], database: str | None) -> Any:
    pymysql = _load_pymysql()
    try:
        conn = pymysql_connect(
            host=params["host"], port=params["port"], user=params["user"],
            password=params["password"], database=database, autocommit=True,
            charset="utf8mb4", connect_timeout=10, local_infile=True,
        )
    except pymysql.err.OperationalError as exc:
        code = exc.args[0] if exc.args else None
        if code == 1049:
            raise NotFound(f"no database {database!r} on the server (run `facts init`)") from exc
        raise FactstoreError(f"cannot reach Dolt server: {exc}") from exc
    except (pymysql.err.MySQLError, OSError) as exc:
        raise FactstoreError(f"cannot reach Dolt server at {params['host']}:{params['port']}: "
                             f"{exc}") from exc
    # LOAD DATA LOCAL's capability is offered at connect time, its files served only while
    # loaddata.load runs its own statement: not a file a server names in answer to another
    conn._local_infile = False
    return conn


def _no_lock(waiting: Callable[[], None] | None = None) -> contextlib.nullcontext[None]:
    """Backend.import_lock on a server: nothing (an import's write is one transaction)."""
    return contextlib.nullcontext()


class _ReadWhole:
    """Backend.query_blocks for a server: its rows in one block, the buffered result read
    whole before the statement returns (factstore.backends.mysql_rows' reader; pymysql's
    unbuffered result would read them row by row in Python)."""

    def query_tuples(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def query_blocks(self, sql: str, params: Sequence[Any] = (), size: int = 5000
                     ) -> Iterator[list[tuple[Any, ...]]]:
        rows = self.query_tuples(sql, params)
        return iter([rows] if rows else [])


class DoltServerBackend(_ReadWhole):
    kind = "dolt"

    def __init__(self, url: str, branch: str | None = None, *, peers: Sequence[str] = ()
                 ) -> None:
        """Connect to the database of url, on branch (default: the server's default).
        peers: the other servers of its cluster this store was told of (FACTS_URL,
        FACTS_READ_URL): a write refused here as on a standby names whichever is primary."""
        self.url = url
        self.peers = tuple(p for p in peers if p != url)
        self._params = parse_url(url)
        database = self._params["database"]
        if branch:  # Dolt serves every branch as database "db/branch"
            base = _connect(self._params, database)
            try:
                with base.cursor() as cur:
                    cur.execute("SELECT name FROM dolt_branches WHERE name = %s", (branch,))
                    if not cur.fetchall():
                        raise NotFound(f"no branch {branch!r}")
            finally:
                base.close()
            database = f"{database}/{branch}"
        self._conn = _connect(self._params, database)
        self._database = database
        self._branch = branch
        self._readers: list[Any] = []  # more connections, for query_all
        self._readers_lock = threading.Lock()

    @property
    def branch(self) -> str:
        """The branch this connection reads and writes: asked of the server when first
        needed (a read by id never needs it: one round trip less per command)."""
        if self._branch is None:
            self._branch = str(self.query("SELECT active_branch() AS b")[0]["b"])
        return self._branch

    @branch.setter
    def branch(self, value: str) -> None:
        self._branch = value

    def standby_refusal(self, what: str) -> Refused:
        """The one-line refusal of a write sent to a read-only server, naming the primary:
        the first of the peers that is primary now, else this standby's cluster peers."""
        from factstore.backends import cluster

        where = f"{self._params['host']}:{self._params['port']}"
        found = cluster.role(self)
        state = f"a cluster {found[0]} (epoch {found[1]})" if found else "read-only"
        primary = cluster.find_primary(self.peers)
        if primary:
            to = f"the primary is {cluster.redact(primary)}: point FACTS_URL at it"
        elif found:
            names = ", ".join(sorted({r.remote for r in cluster.replicas(self)})) or "none"
            to = (f"the primary is one of its cluster peers ({names}), none of the "
                  f"{len(self.peers)} other server(s) given in FACTS_URL/FACTS_READ_URL: "
                  "point FACTS_URL at the primary")
        else:
            to = "point FACTS_URL at the primary"
        return Refused(f"{what} refused: the Dolt server at {where} is {state} and takes no "
                       f"writes; {to}")

    @property
    def cache_dir(self) -> Path:
        """$XDG_CACHE_HOME/factstore/<server and database>: one folder per database, named by
        a digest so that no credential or odd character reaches a path."""
        home = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        where = f"{self._params['host']}:{self._params['port']}/{self._params['database']}"
        return Path(home) / "factstore" / hashlib.sha256(where.encode()).hexdigest()[:16]

    @classmethod
    def create(cls, url: str) -> DoltServerBackend:
        """Create an empty database; the caller applies the schema as its first commit."""
        params = parse_url(url)
        conn = _connect(params, None)
        try:
            with conn.cursor() as cur:
                cur.execute("SHOW DATABASES")
                if params["database"] in {r[0] for r in cur.fetchall()}:
                    raise InvalidInput(f"database {params['database']!r} already exists")
                cur.execute(f"CREATE DATABASE `{params['database']}`")
        finally:
            conn.close()
        return cls(url)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        with _errors("Dolt query"), self._conn.cursor() as cur:
            cur.execute(_mysql_sql(sql), tuple(params))
            return _rows(cur)

    def query_tuples(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with _errors("Dolt query"), self._conn.cursor() as cur:
            cur.execute(_mysql_sql(sql), tuple(params))
            return _plain_tuples(list(cur.fetchall()))

    def pin(self, at: str | None) -> str | None:
        if at is not None:
            return at
        marks = ", ".join("?" * len(COMMITTED))
        (row,) = self.query(  # one statement: the hash and the status of one moment
            f"SELECT HASHOF('HEAD') AS h, (SELECT COUNT(*) FROM dolt_status WHERE table_name "
            f"IN ({marks})) AS dirty", COMMITTED)
        return None if row["dirty"] else str(row["h"])

    def query_all(self, queries: Sequence[tuple[str, Sequence[Any]]]) -> list[list[Row]]:
        """Each query on one of up to READERS connections (this one and readers kept open
        for the next time), on threads: each takes the next query not yet taken."""
        if len(queries) < 2:
            return [self.query(sql, params) for sql, params in queries]
        with self._readers_lock:
            while len(self._readers) < min(READERS, len(queries)) - 1:
                self._readers.append(_connect(self._params, self._database))
            readers = self._readers[:max(READERS - 1, 0)]
        results: list[list[Row]] = [[] for _ in queries]
        errors: list[BaseException] = []
        left = iter(range(len(queries)))
        lock = threading.Lock()

        def run(conn: Any) -> None:
            try:
                while True:
                    with lock:
                        i = next(left, None)
                    if i is None or errors:
                        return
                    sql, params = queries[i]
                    with _errors("Dolt query"), conn.cursor() as cur:
                        cur.execute(_mysql_sql(sql), tuple(params))
                        results[i] = _rows(cur)
            except BaseException as exc:  # raised in the caller's thread
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(conn,), name="factstore-read",
                                    daemon=True) for conn in readers]
        for thread in threads:
            thread.start()
        run(self._conn)
        for thread in threads:
            thread.join()
        if errors:
            self._close_readers()  # one may have dropped: connect afresh next time
            raise errors[0]
        return results

    def _close_readers(self) -> None:
        import pymysql

        with self._readers_lock:
            readers, self._readers = self._readers, []
        for conn in readers:
            with contextlib.suppress(pymysql.err.MySQLError, OSError):
                conn.close()

    def write(self, body: WriteBody, author: str, stage: Sequence[str] = COMMITTED
              ) -> str | None:
        with self._write_lock():
            return self._write(body, author, stage)

    @contextmanager
    def _write_lock(self) -> Iterator[None]:
        """One writer per database, as on doltlite. Dolt merges concurrent transactions, and
        two that write identical rows merge cleanly: both compare-and-set updates from the
        same revision would succeed and one increment would vanish. A named lock taken before
        the transaction starts makes the second writer read the first one's commit."""
        name = f"factstore:{self._database}"
        with _errors("write lock"), self._conn.cursor() as cur:
            cur.execute("SELECT GET_LOCK(%s, %s)", (name, LOCK_TIMEOUT_S))
            (got,) = cur.fetchone()
        if got != 1:
            raise FactstoreError(f"store is busy (no write lock in {LOCK_TIMEOUT_S} s); try again")
        try:
            yield
        finally:
            if self._conn.open:  # a dropped connection released the lock with it
                with _errors("write lock"), self._conn.cursor() as cur:
                    cur.execute("SELECT RELEASE_LOCK(%s)", (name,))

    def _write(self, body: WriteBody, author: str, stage: Sequence[str]) -> str | None:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            with _errors("Dolt write", self):
                done, commit = self._attempt(body, author, stage, retry=attempt < MAX_ATTEMPTS)
            if done:
                return commit
        raise AssertionError("unreachable")

    def _attempt(self, body: WriteBody, author: str, stage: Sequence[str], *, retry: bool
                 ) -> tuple[bool, str | None]:
        """One try of a write: (True, commit or None), or (False, None) to try again after a
        serialization failure."""
        import pymysql

        self._conn.begin()
        try:
            with self._conn.cursor() as cur:
                tx = _Tx(cur)
                try:
                    message = body(tx)
                except BaseException:
                    tx.settle()  # the connection is free again before the rollback
                    raise
                tx.wait()
                if message is None:
                    self._conn.rollback()
                    return True, None
                cur.execute(f"CALL DOLT_ADD({', '.join(['%s'] * len(stage))})", tuple(stage))
                cur.execute("CALL DOLT_COMMIT('-m', %s, '--author', %s)", (message, author))
                (commit,) = cur.fetchone()
            self._conn.commit()
            return True, str(commit)
        except pymysql.err.MySQLError as exc:
            self._rollback()
            if retry and exc.args and exc.args[0] in RETRYABLE_ERRNOS:
                return False, None
            raise
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        """Roll the transaction back, if the connection is still there to do it (a dropped
        connection's transaction is rolled back by the server)."""
        import pymysql

        with contextlib.suppress(pymysql.err.MySQLError, OSError):
            self._conn.rollback()

    def record(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.query(sql, params)  # the connection autocommits: one SQL transaction

    def table_at(self, table: str, ref: str) -> tuple[str, list[Any]]:
        return f"`{table}` AS OF ?", [ref]

    def diff_from(self, table: str, from_commit: str, to_commit: str) -> tuple[str, list[Any]]:
        return "dolt_diff(?, ?, ?)", [from_commit, to_commit, table]

    def call(self, procedure: str, *args: str) -> list[Row]:
        marks = ", ".join(["%s"] * len(args))
        with _errors(procedure, self), self._conn.cursor() as cur:
            cur.execute(f"CALL {procedure.upper()}({marks})", args)
            return _rows(cur) if cur.description else []

    def tag(self, name: str, commit: str, message: str, author: str) -> None:
        self.call("dolt_tag", *(["-m", message] if message else []), "--author", author,
                  name, commit)

    def merge(self, branch: str, message: str, author: str, prefer: str | None,
              fast_forward: bool = False, keep: Callable[[Tx], None] | None = None
              ) -> tuple[str | None, list[tuple[str, Row]]]:
        with self._write_lock():
            return self._merge(branch, message, author, prefer, fast_forward, keep)

    def _merge(self, branch: str, message: str, author: str | None, prefer: str | None,
               fast_forward: bool, keep: Callable[[Tx], None] | None = None
               ) -> tuple[str | None, list[tuple[str, Row]]]:
        """The merge stops before its commit (--no-commit), so that the rows it changed get
        their revs raised (versioning.raise_merged_revs) in the same commit; a fast-forward
        moves the branch at once and needs nothing. Without author, the commit is the
        server user's (as DOLT_PULL's own)."""
        import pymysql

        flags = ("--no-commit",) if fast_forward else ("--no-ff", "--no-commit")
        by = ("--author", author) if author else ()
        # With autocommit on, Dolt rolls a conflicted merge back before it can be inspected.
        with _errors(f"merge of {branch!r}", self):
            self._conn.autocommit(False)
            try:
                with self._conn.cursor() as cur:
                    done, commit, conflicts, raised = self._merged(
                        cur, branch, (*flags, "-m", message), prefer, keep)
                    if done:
                        return commit, conflicts
                    try:
                        cur.execute(f"CALL DOLT_ADD({', '.join(['%s'] * len(COMMITTED))})",
                                    COMMITTED)
                        cur.execute(f"CALL DOLT_COMMIT('-m', %s{', %s, %s' if by else ''})",
                                    (message, *by))
                    except pymysql.MySQLError as exc:
                        # Dolt's `merge` permission (a protected main's mergers) lets a user
                        # merge, not stage and commit; with no rev to raise and no conflict
                        # resolved, the merge may commit itself: the same commit
                        if raised or conflicts or "permissions" not in str(exc):
                            raise
                        self._conn.rollback()
                        plain = (*(f for f in flags if f != "--no-commit"), "-m", message, *by)
                        cur.execute(f"CALL DOLT_MERGE({', '.join(['%s'] * (len(plain) + 1))})",
                                    (*plain, branch))
                    (commit, *_) = cur.fetchone()
                self._conn.commit()
                return str(commit), conflicts
            except BaseException:
                self._rollback()
                raise
            finally:
                if self._conn.open:
                    self._conn.autocommit(True)

    def _merged(self, cur: Any, branch: str, flags: tuple[str, ...], prefer: str | None,
                keep: Callable[[Tx], None] | None = None
                ) -> tuple[bool, str | None, list[tuple[str, Row]], int]:
        """Run DOLT_MERGE in the open transaction: (done, commit, conflicts, revs raised).
        Done when up to date or fast-forwarded (committed), or on conflicts with no side
        preferred (rolled back); otherwise the merge waits in the working set for its
        commit, revs raised."""
        cur.execute(f"CALL DOLT_MERGE({', '.join(['%s'] * (len(flags) + 1))})",
                    (*flags, branch))
        commit, _, conflicted, _ = cur.fetchone()
        conflicts: list[tuple[str, Row]] = []
        if conflicted:
            cur.execute("SELECT `table` FROM dolt_conflicts")
            tables, settled = versioning.conflicted(branch, [r[0] for r in cur.fetchall()])
            for table in tables:
                cur.execute(f"SELECT * FROM `dolt_conflicts_{table}`")
                conflicts += [(table, row) for row in _rows(cur)]
            left = versioning.settle_rows(_Tx(cur), conflicts, prefer)
            if left:
                self._conn.rollback()
                return True, None, left, 0
            for table in (*settled, *tables):  # as the tables now hold them
                cur.execute("CALL DOLT_CONFLICTS_RESOLVE('--ours', %s)", (table,))
        elif not versioning.merging(_Tx(cur)):  # up to date, or fast-forwarded
            self._conn.commit()
            return True, (str(commit) or None), [], 0
        if keep is not None:
            keep(_Tx(cur))
        raised = versioning.raise_merged_revs(_Tx(cur), self)
        return False, None, conflicts, raised

    import_lock = staticmethod(_no_lock)

    def on_branch(self, branch: str) -> DoltServerBackend:
        return DoltServerBackend(self.url, branch, peers=self.peers)

    @staticmethod
    def remote_url(url: str, *, create: bool = True) -> str:
        # Dolt keeps a file remote as a directory, which is what file:///dir names; the
        # server makes it on the first push (on its own machine). http(s)://host:port/db is
        # another Dolt's remotesapi (or DoltHub/DoltLab).
        local.file_url_path(url)
        if url.startswith(("http://", "https://")):
            http_remote(url)
        return url

    def push(self, remote: str, branch: str, user: str | None = None) -> None:
        self.call("dolt_push", *_user(user), remote, branch)
        for (tag,) in [(r["tag_name"],) for r in self.query("SELECT tag_name FROM dolt_tags")]:
            self.call("dolt_push", *_user(user), remote, tag)

    def push_branches(self, remote: str, names: Sequence[str], user: str | None = None
                      ) -> dict[str, str]:
        refused = {}
        for name in names:
            try:
                self.call("dolt_push", *_user(user), remote, name)
            except FactstoreError as exc:
                refused[name] = str(exc)
        return refused

    def set_branches(self, moves: Mapping[str, tuple[str | None, str]]) -> list[str]:
        with self._write_lock():  # an import's commit to its branch takes it too
            heads = versioning.branch_heads(self)  # read once: a clone may set hundreds
            done = [name for name, (now, _) in moves.items() if heads.get(name) == now]
            for name in done:
                self.call("dolt_branch", "-f", name, moves[name][1])  # ~8 ms each, in a tx too
        return done

    def fetch(self, remote: str, user: str | None = None) -> None:
        self.call("dolt_fetch", *_user(user), remote)

    def pull(self, remote: str, branch: str, author: str, user: str | None = None,
             prefer: str | None = None) -> list[tuple[str, Row]]:
        """Fetch, then merge the fetched branch like any merge (revs raised, one commit by
        author, rows settled as merge settles them); conflicts left merge nothing."""
        with self._write_lock():
            self.call("dolt_fetch", *_user(user), remote, branch)
            fetched = f"{remote}/{branch}"
            commit, conflicts = self._merge(fetched, f"Merge {fetched} into {self.branch}",
                                            author, prefer, fast_forward=True)
        return [] if commit else conflicts

    @classmethod
    def clone(cls, url: str, target: str, user: str | None = None) -> DoltServerBackend:
        cls.remote_url(url, create=False)
        params = parse_url(target)
        conn = _connect(params, None)
        try:
            with _errors(f"clone of {url}"), conn.cursor() as cur:
                marks = ", ".join(["%s"] * (len(_user(user)) + 2))
                cur.execute(f"CALL DOLT_CLONE({marks})", (*_user(user), url, params["database"]))
        finally:
            conn.close()
        return cls(target)

    def head(self) -> str:
        return str(self.query("SELECT HASHOF('HEAD') AS h")[0]["h"])

    def close(self) -> None:
        import pymysql

        self._close_readers()
        with contextlib.suppress(pymysql.err.MySQLError, OSError):  # gone, or closed before
            self._conn.close()


__all__ = [
    "BIG_BATCH", "BIG_STATEMENT", "DB_NAME", "LOCK_TIMEOUT_S", "LOST_CONNECTION", "MAX_ATTEMPTS",
    "NEEDS_RSA", "NO_PERMISSION", "PASSWORD_ENV", "READERS", "READ_ONLY", "RETRYABLE_ERRNOS",
    "DoltServerBackend", "http_remote", "parse_url", "pymysql_connect"
]
