"""Finding, opening, creating and cloning a store: a path or `doltlite:///path` (embedded),
or `mysql://user:pass@host:port/db` (a Dolt sql-server); by default the `.facts/` folder here
or in the nearest parent, as git finds `.git`.

Reads may go elsewhere than writes: FACTS_URL names the store writes go to (a cluster's
primary), FACTS_READ_URL one or more (comma-separated) that reads may use (its standbys or
read replicas), tried in order; reads fall back to FACTS_URL when none answers.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import TYPE_CHECKING

from factstore import migrations
from factstore.authors import SYSTEM_AUTHOR, check_author, default_author
from factstore.backends.base import Backend, Tx
from factstore.errors import FactstoreError, NotFound
from factstore.resolver import Progress

if TYPE_CHECKING:
    from factstore.backends import cluster
    from factstore.store import FactStore

STORE_DIR = ".facts"
STORE_FILE = "facts.db"


def _doltlite_path(target: str) -> Path:
    path = Path(target.removeprefix("doltlite://")).expanduser()
    return path if path.suffix == ".db" else path / STORE_FILE


def find_store(start: Path | None = None) -> Path:
    """The .facts/ store in start or its nearest parent, as git finds .git."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / STORE_DIR / STORE_FILE
        if candidate.is_file():
            return candidate
    raise NotFound("no factstore here or in any parent folder (run `facts init`, or set FACTS_URL)")


def _backend(url: str | None, branch: str | None = None, peers: list[str] | None = None
             ) -> Backend:
    url = url or os.environ.get("FACTS_URL")
    if url and url.startswith("mysql://"):
        from factstore.backends.dolt import DoltServerBackend

        return DoltServerBackend(url, branch, peers=peers or ())
    from factstore.backends.doltlite import DoltliteBackend

    return DoltliteBackend(_doltlite_path(url) if url else find_store(), branch)


def read_urls(value: str | None = None) -> list[str]:
    """The stores reads may use: value, else FACTS_READ_URL; comma-separated, in order."""
    raw = value if value is not None else os.environ.get("FACTS_READ_URL", "")
    return [u.strip() for u in raw.split(",") if u.strip()]


def open_store(url: str | None = None, *, branch: str | None = None,
               progress: Progress | None = None, read: bool = False,
               read_url: str | None = None) -> FactStore:
    """Open an existing store: url, else FACTS_URL, else .facts/ here or in a parent; on its
    default branch, or on `branch` (reads and writes then stay on that branch). progress is
    told about long work (see FactStore); the library prints nothing itself.

    read=True: the caller only reads, so the first of read_url (else FACTS_READ_URL; a comma
    list) that answers is opened instead, and the packs it builds are logged in the store
    writes go to. A write through a store opened on a standby is refused (exit 4), naming
    whichever of these servers is primary."""
    from factstore.store import FactStore

    url = url or os.environ.get("FACTS_URL")
    readers = read_urls(read_url)
    peers = [u for u in dict.fromkeys((url, *readers)) if u]
    if read:
        for candidate in readers:
            try:
                backend = _backend(candidate, branch, peers)
            except FactstoreError:  # down, or the database not there yet: the next one
                continue
            log_to = None
            if url and url != candidate:
                log_to = functools.partial(_backend, url, backend.branch, peers)
            return FactStore(backend, progress, render_log=log_to)
    backend = _backend(url, branch=branch, peers=peers)
    store = FactStore(backend, progress)
    store._core.migrated.update(upgrade(backend))  # (no need to ask again what it has)
    return store


def upgrade(backend: Backend) -> set[str]:
    """Give a store made by an earlier release the schema this code reads and writes, as one
    commit, when it is opened. A store that cannot be written (read-only, a standby) is left
    as it is: reads of it fall back where a column is missing. Returns the migrations it
    has (none, when it was upgraded now or could not be read)."""
    try:
        done = migrations.applied(backend)
        if any(m.name not in done for m in migrations.migrations()):
            migrations.ensure(backend, migrations.LATEST, SYSTEM_AUTHOR)
            return set()
    except FactstoreError:
        return set()
    return done


def server_status(url: str | None = None, *, branch: str | None = None,
                  read_url: str | None = None) -> list[cluster.ServerStatus]:
    """Each store this process would use (the one writes go to, then each one reads may
    use): its role and epoch in a Dolt cluster, head, and its standbys' replication lag;
    `unreachable` with the reason for one that does not answer."""
    from factstore.backends import cluster

    url = url or os.environ.get("FACTS_URL")
    found = []
    for use, target in [("write", url), *[("read", u) for u in read_urls(read_url)]]:
        try:
            backend = _backend(target, branch)
        except FactstoreError as exc:
            found.append(cluster.ServerStatus(url=cluster.redact(target or STORE_DIR),
                                              use=use, kind="dolt" if target and
                                              target.startswith("mysql://") else "doltlite",
                                              role="unreachable", error=str(exc)))
            continue
        try:
            found.append(cluster.status(backend, use))
        finally:
            backend.close()
    return found


def clone_store(remote_url: str, target: str, *, user: str | None = None) -> FactStore:
    """Clone a remote into a new store: a folder/path (doltlite) or a mysql:// URL whose
    database does not exist yet (Dolt server). The remote is checked before anything is
    made; a failed clone leaves no folder or file behind. user: the remote's user (a Dolt
    remotesapi), its password DOLT_REMOTE_PASSWORD where the clone runs (the server). The
    remote's import branches (imports/NAME) in the cloned branch's history are made here."""
    from factstore.store import FactStore

    from factstore.store.import_branches import track_imports

    if target.startswith("mysql://"):
        from factstore.backends.dolt import DoltServerBackend

        store = FactStore(DoltServerBackend.clone(remote_url, target, user))
    else:
        from factstore.backends.doltlite import DoltliteBackend

        path = Path(target)
        if path.suffix != ".db":
            path = path / STORE_DIR / STORE_FILE
        store = FactStore(DoltliteBackend.clone(remote_url, path, user))
    # the remote's import branches (push sends them): the first reload of each file here
    # merges with what it last said there, as it would have in the store pushed from
    track_imports(store.backend, "origin", store.head())
    return store


def init_store(url: str | None = None, author: str | None = None) -> FactStore:
    """Create a store (./.facts/ by default) and commit the schema as its first commit."""
    from factstore.store import FactStore

    who = check_author(author or default_author() or SYSTEM_AUTHOR)

    def body(tx: Tx) -> str:
        migrations.apply_in(tx, list(migrations.migrations()))
        return "Initialise factstore schema"

    url = url or os.environ.get("FACTS_URL")
    if url and url.startswith("mysql://"):
        from factstore.backends.dolt import DoltServerBackend

        store = FactStore(DoltServerBackend.create(url))
        store.backend.write(body, who, stage=(".",))
        return store
    from factstore.backends.doltlite import DoltliteBackend

    # A failed init (a full disk, say) takes its file away again: an empty file left
    # behind would otherwise open later as a store with nothing in it.
    with DoltliteBackend.creating(_doltlite_path(url or STORE_DIR)) as backend:
        store = FactStore(backend)
        store.backend.write(body, who, stage=(".",))
    return store


__all__ = [
    "STORE_DIR", "STORE_FILE", "clone_store", "find_store", "init_store", "open_store",
    "read_urls", "server_status", "upgrade"
]
