"""Context packs: building one for a question (factstore.context ranks, factstore.render
writes), the render log every built pack is recorded in, and replay, which rebuilds a logged
pack byte for byte (or, when this version of factstore builds it differently from the same
knowledge, shows the copy the log kept).

The render log is written to the working set without a Dolt commit, so reads do not flood the
log; the next write commits whatever is pending as its own commit (StoreCore.flush). A store
that cannot take the row (read-only) still serves the pack, marked logged=False: logging
never fails a read.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from factstore import migrations
from factstore.authors import SYSTEM_AUTHOR, default_author
from factstore.backends.base import Backend
from factstore.context import Builder
from factstore.errors import FactstoreError, InvalidInput, NotFound
from factstore.results import ContextPack, LoggedPack, PackFormat, PackOptions
from factstore.periods import parse_day
from factstore.text import clean_for_pack
from factstore.schema import Row
from factstore.store.core import StoreCore
from factstore.store.names import LIVE, Names

MAX_QUESTION = 2_000  # characters: a question, not a document
RENDER_LOG_MIGRATION = "0002_packs"  # the render log's table
PACK_COPY_MIGRATION = "0004_packs_copy"  # its copy of each pack, which _record writes


class Packs:
    def __init__(self, core: StoreCore, names: Names,
                 log_to: Callable[[], Backend] | None = None) -> None:
        """log_to: where packs are logged, when not in this store (a read-only standby's
        packs go to the primary: see README, "Reading from standbys")."""
        self.core = core
        self.names = names
        self._log_to = log_to
        self._small: dict[str, tuple[list[Row], list[Row], int]] = {}
        self._logged_table = False
        self._copy_column = False

    def context(self, question: str, *, as_of: str | None = None, valid_at: str | None = None,
                scope: str | None = None, max_tokens: int | None = None,
                format: PackFormat = "md", record: bool = True) -> ContextPack:
        if not question.strip():
            raise InvalidInput("question: must not be empty")
        if len(question) > MAX_QUESTION:
            raise InvalidInput(f"question: {len(question)} characters; the limit is "
                               f"{MAX_QUESTION}")
        if max_tokens is not None and max_tokens < 1:
            raise InvalidInput(f"max-tokens: must be a positive number, got {max_tokens}")
        as_of = as_of.strip() if as_of else None
        head = self.core.head()
        commit = self.core.resolve_ref(as_of) if as_of else head
        # Relative periods ("last quarter") are read against valid-at: for a look back with
        # --as-of, the day of that commit, not today.
        day = parse_day(valid_at, "valid-at") if valid_at else self.core.commit_day(
            commit if as_of else None)
        options = PackOptions(as_of=as_of, valid_at=day.isoformat(),
                              scope=self._check_scope(scope, commit), max_tokens=max_tokens,
                              format=format)
        pack = self._build(question, commit, options, live=commit == head)
        if record:
            pack.logged = self._record(pack)
        return pack

    def replay(self, pack_hash: str) -> ContextPack:
        """The logged pack, rebuilt from the knowledge at its version; when this version of
        factstore builds it differently, the log's copy of it (from_log=True)."""
        logged = self._logged(pack_hash)
        pack = self._build(logged["question"], logged["version"],
                           PackOptions.model_validate_json(logged["options"]))
        pack.logged = True  # it is the logged pack, rebuilt
        if pack.hash == logged["hash"]:
            return pack
        kept = _copy(logged.get("pack"))
        if kept is None or kept.hash != logged["hash"]:
            raise FactstoreError(
                f"replay of pack {logged['hash'][:12]} gave {pack.hash[:12]}: the rendering "
                "changed since it was logged, and the log holds no copy of it (packs logged "
                "before factstore kept copies)")
        kept.logged = kept.from_log = True
        return kept

    def packs(self, limit: int | None = None, *, since: str | None = None,
              until: str | None = None, question: str | None = None) -> list[LoggedPack]:
        """The render log, newest first: built on or after `since` and on or before `until`
        (days), asking something that contains `question` (any case)."""
        if not self._has_log():
            return []
        where, params = ["1 = 1"], []
        if since:
            where.append("created_at >= ?")
            params.append(parse_day(since, "since").isoformat())
        if until:
            where.append("created_at < ?")
            params.append((parse_day(until, "until") + timedelta(days=1)).isoformat())
        rows = self.core.backend.query(
            "SELECT id, hash, version, question, options, items, created_at, created_by "
            f"FROM packs WHERE {' AND '.join(where)} ORDER BY created_at DESC, id", params)
        if question:
            wanted = question.casefold()
            rows = [r for r in rows if wanted in r["question"].casefold()]
        if limit:
            rows = rows[:limit]
        return [LoggedPack.model_validate({**r, "options": json.loads(r["options"]),
                                           "items": json.loads(r["items"])}) for r in rows]

    # -- building -------------------------------------------------------------------------

    def _build(self, question: str, commit: str, options: PackOptions,
               live: bool | None = None) -> ContextPack:
        """Build a pack from the knowledge at commit. At the branch head the live tables are
        read (indexed; Dolt's as-of reads scan), and the head is checked again afterwards: if
        a write landed meanwhile, the pack is rebuilt from the commit itself."""
        live = commit == self.core.head() if live is None else live
        definitions, rules, month = self._small_tables(commit)
        builder = Builder(select=lambda table, where, params: self.core.select(
                              table, where, params, None if live else commit),
                          index=self.names.index(commit), definitions=definitions, rules=rules,
                          start_month=month)
        pack = builder.build(question, commit, options)
        if live and self.core.head() != commit:
            return self._build(question, commit, options, live=False)
        return pack

    def _small_tables(self, commit: str) -> tuple[list[Row], list[Row], int]:
        """Definitions, rules and the fiscal calendar at a commit: small, read once."""
        cached = self._small.get(commit)
        if cached is None:
            cached = (self.core.select("definitions", LIVE, [], commit, "id"),
                      self.core.select("rules", LIVE, [], commit, "id"),
                      self.core.start_month(commit) or 1)
            self._small = {commit: cached}
        return cached

    def _check_scope(self, scope: str | None, commit: str) -> str | None:
        if scope is None:
            return None
        known = sorted({d["scope"] for d in self._small_tables(commit)[0] if d["scope"]})
        if scope not in known:
            raise InvalidInput(f"scope: {clean_for_pack(scope)[:60]!r} is not the scope of any "
                               f"definition ({', '.join(known) or 'none has one'})")
        return scope

    # -- the render log -------------------------------------------------------------------

    def _record(self, pack: ContextPack) -> bool:
        """Add the pack to the render log; False when the store would not take it (a
        read-only file or user), which the caller reports rather than fails on."""
        try:
            if self._log_to is not None:
                target = self._log_to()
                if target.branch != self.core.branch:
                    return False  # only a log of the same branch can replay it
                migrations.ensure(target, PACK_COPY_MIGRATION, SYSTEM_AUTHOR)
            else:
                target = self.core.backend
                if not self._copy_column:
                    migrations.ensure(target, PACK_COPY_MIGRATION, SYSTEM_AUTHOR)
                    self._logged_table = self._copy_column = True
            copy = base64.b64encode(zlib.compress(pack.model_dump_json().encode(), 9))
            target.record(
                "INSERT INTO packs (id, hash, version, question, options, items, created_at, "
                "created_by, pack) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [uuid.uuid4().hex, pack.hash, pack.version, pack.question,
                 pack.options.model_dump_json(), json.dumps([i.id for i in pack.items]),
                 datetime.now(UTC).isoformat(timespec="microseconds"), default_author(),
                 copy.decode("ascii")])
        except FactstoreError:
            return False
        return True

    def _logged(self, pack_hash: str) -> Row:
        if not re.fullmatch(r"[0-9a-f]{4,64}", pack_hash):
            raise InvalidInput(f"pack: expected a pack hash (4-64 hex digits), got {pack_hash!r}")
        rows = self.core.backend.query(
            "SELECT * FROM packs WHERE hash LIKE ? ORDER BY created_at", [pack_hash + "%"]
        ) if self._has_log() else []
        hashes = {r["hash"] for r in rows}
        if not rows:
            raise NotFound(f"no pack {pack_hash!r} in the render log of branch "
                           f"{self.core.branch}")
        if len(hashes) > 1:
            raise InvalidInput(f"pack: {pack_hash!r} is the start of {len(hashes)} pack hashes; "
                               "give more digits")
        return rows[0]

    def _has_log(self) -> bool:
        if not self._logged_table:
            self._logged_table = RENDER_LOG_MIGRATION in migrations.applied(self.core.backend)
        return self._logged_table


def _copy(text: str | None) -> ContextPack | None:
    """The render log's copy of a pack (None for a row logged before copies were kept)."""
    if not text:
        return None
    try:
        return ContextPack.model_validate_json(zlib.decompress(base64.b64decode(text)))
    except (ValueError, zlib.error):  # (pydantic's ValidationError is a ValueError)
        return None


__all__ = [
    "MAX_QUESTION", "PACK_COPY_MIGRATION", "RENDER_LOG_MIGRATION", "Packs"
]
