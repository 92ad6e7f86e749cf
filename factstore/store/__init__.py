"""FactStore: the one entry point to a store, a thin facade over one part per concern.

    part        module      what it does
    imports     imports.py  import a file (through its import branch), import a batch
    writes      writes.py   add, settings (one commit each)
    corrections corrections.py  correct, retract (one commit each, without pydantic)
    reads       reads.py    get, show, rows, config, health, export
    timeline    timeline.py log, history, blame, diff, revert (a row or a whole commit)
    sharing     sharing.py  branches, review, merge, tags, remotes
    names       names.py    resolve, name lookups and the alias index
    packs       packs.py    context packs, the render log, replay
    review      review.py   search, a row's page (labelled facts, every scope), proposals

They share a StoreCore (core.py): the backend, reads at a commit, refs, and writing one
commit. Opening, creating and cloning a store is opening.py.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from factstore.backends.base import Backend
from factstore.errors import NotFound
from factstore.schema import Row
from factstore.store.core import StoreCore
from factstore.store.opening import (
    clone_store,
    find_store,
    init_store,
    open_store,
    server_status,
)

# The store's parts are imported when a method first needs them: `facts show` reads a row
# and should not load packs, imports, review (and pydantic, rapidfuzz behind them).
DEFAULT_MAX_SOURCE_AGE = 180  # days: `facts health` calls an older source stale (reads.py)

if TYPE_CHECKING:
    from factstore.export import ExportFormat, Writer
    from factstore.importers import ImportOptions
    from factstore.models import ContextPack, Diff, KnowledgeBatch, LoggedPack, PackFormat
    from factstore.reports import HealthReport
    from factstore.resolver import Progress, Resolution
    from factstore.results import (
        BlameLine,
        Branch,
        Commit,
        ExportText,
        History,
        Listing,
        Pulled,
        Pushed,
        Remote,
        ShowResult,
        Tag,
        WriteResult,
    )
    from factstore.store.corrections import Corrections
    from factstore.store.imports import Imports
    from factstore.store.names import Names
    from factstore.store.packs import Packs
    from factstore.store.reads import Reads
    from factstore.store.review import ItemView, Proposal, Review, Search
    from factstore.store.sharing import Sharing
    from factstore.store.timeline import Timeline
    from factstore.store.writes import Item, Writes

__all__ = ["DEFAULT_MAX_SOURCE_AGE", "FactStore", "clone_store", "find_store", "init_store",
           "open_store", "server_status"]


class FactStore:
    def __init__(self, backend: Backend, progress: Progress | None = None, *,
                 render_log: Callable[[], Backend] | None = None) -> None:
        """progress, when given, is told about long work (building a large alias index,
        importing a large file) as (stage, done, total). render_log, when given, opens the
        store packs are logged in (the primary, for a store opened on a read-only standby);
        by default they are logged in this one."""
        self.backend = backend
        self._log_to: Backend | None = None
        self._core = StoreCore(backend, progress)
        self._render_log = render_log

    # The parts, each made on first use (with its module).

    @functools.cached_property
    def _names(self) -> Names:
        from factstore.store.names import Names
        return Names(self._core)

    @functools.cached_property
    def _timeline(self) -> Timeline:
        from factstore.store.timeline import Timeline
        return Timeline(self._core, self._names)

    @functools.cached_property
    def _reads(self) -> Reads:
        from factstore.store.reads import Reads
        return Reads(self._core, self._names, self._timeline)

    @functools.cached_property
    def _imports(self) -> Imports:
        from factstore.store.imports import Imports
        return Imports(self._core, self._names)

    @functools.cached_property
    def _writes(self) -> Writes:
        from factstore.store.writes import Writes
        return Writes(self._core, self._names, self._imports)

    @functools.cached_property
    def _corrections(self) -> Corrections:
        from factstore.store.corrections import Corrections
        return Corrections(self._core, self._names)

    @functools.cached_property
    def _sharing(self) -> Sharing:
        from factstore.store.sharing import Sharing
        return Sharing(self._core, self._timeline)

    @functools.cached_property
    def _packs(self) -> Packs:
        from factstore.store.packs import Packs
        opener = self._render_log
        return Packs(self._core, self._names, opener and self._log_backend(opener))

    @functools.cached_property
    def _review(self) -> Review:
        from factstore.store.review import Review
        return Review(self._core, self._names, self._timeline, self._sharing)

    def _log_backend(self, opener: Callable[[], Backend]) -> Callable[[], Backend]:
        def opened() -> Backend:
            self._log_to = self._log_to if self._log_to is not None else opener()
            return self._log_to
        return opened

    def __enter__(self) -> FactStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.backend.close()
        if self._log_to is not None:
            self._log_to.close()

    @property
    def url(self) -> str:
        return self.backend.url

    @property
    def branch(self) -> str:
        """The branch this store reads and writes."""
        return self._core.branch

    def head(self) -> str:
        return self._core.head()

    def resolve_ref(self, ref: str) -> str:
        """Any ref (commit, prefix, tag, branch, HEAD~N, date, fiscal quarter) -> full hash."""
        return self._core.resolve_ref(ref)

    def fiscal_start_month(self) -> int:
        return self._core.fiscal_start_month()

    # -- writes ---------------------------------------------------------------------------

    def import_file(self, path: Path, *, author: str | None, reason: str | None = None,
                    prefer: str | None = None, options: ImportOptions | None = None
                    ) -> WriteResult:
        """Import a file as one commit, validated completely first: YAML/JSON/JSONL, a dbt
        project folder or semantic-layer YAML, a MetricFlow manifest, or a CSV glossary or
        facts table (options: --scope, --table, --map; factstore.importers.ImportOptions).

        A reload never undoes what people did since the file's last import: a row changed
        both in the file and in the store is a Conflict (base / store / file), nothing
        written, unless prefer is 'file' or 'store' (see factstore.store.imports)."""
        return self._imports.import_file(path, author=author, reason=reason, prefer=prefer,
                                         options=options)

    def restore_file(self, path: Path, *, author: str | None, reason: str | None = None
                     ) -> WriteResult:
        """Load an export (`facts export`) into an empty store as one commit, keeping each
        row's recorded_by and reason; refused (Refused) when the store holds knowledge."""
        return self._imports.restore_file(path, author=author, reason=reason)

    def import_batch(self, batch: KnowledgeBatch, *, author: str | None, message: str,
                     reason: str | None = None, where: str = "input",
                     progress: Progress | None = None) -> WriteResult:
        """Upsert a validated batch as one commit: identical rows untouched, none deleted.
        progress, when given, hears of each table's rows as they are written."""
        return self._imports.import_batch(batch, author=author, message=message, reason=reason,
                                         where=where, progress=progress)

    def add(self, item: Item, *, author: str | None, reason: str | None = None,
            update: bool = False) -> WriteResult:
        """Add one item as one commit. An item whose key exists is refused (Refused) unless
        update=True; replacing keeps the stored value of each field the item leaves out."""
        return self._writes.add(item, author=author, reason=reason, update=update)

    def correct_definition(self, name: str, text: str, *, author: str | None,
                           reason: str | None, source: str | None = None,
                           scope: str | None = None, expect: str | None = None) -> WriteResult:
        """Replace a definition's text in place; its earlier version stays in history."""
        return self._corrections.correct_definition(
            name, text, author=author, reason=reason, source=source, scope=scope, expect=expect)

    def correct_fact(self, name: str, value: str | int | float, *, author: str | None,
                     reason: str | None, source: str | None = None,
                     predicate: str | None = None, period: str | None = None,
                     quote: str | None = None, expect: str | None = None) -> WriteResult:
        """Replace a fact's value in place (the earlier version stays in history). NAME: a
        fact id, or an entity's id, exact name or alias with predicate/period; `source` picks
        among facts differing only by source and becomes the new one; the quote is `quote`."""
        return self._corrections.correct_fact(
            name, value, author=author, reason=reason, source=source, predicate=predicate,
            period=period, quote=quote, expect=expect)

    def retract(self, name: str, *, author: str | None, reason: str | None) -> WriteResult:
        """Mark a row retracted (kept, with its history; left out of current answers). NAME
        is an id, or a term, entity name or alias matched exactly."""
        return self._corrections.retract(name, author=author, reason=reason)

    def set_config(self, name: str, value: str, *, author: str | None,
                   reason: str | None = None) -> WriteResult:
        """Set a store setting as one commit (versioned like the knowledge)."""
        return self._writes.set_config(name, value, author=author, reason=reason)

    # -- reads ----------------------------------------------------------------------------

    def get(self, item_id: str, *, as_of: str | None = None) -> Row:
        """The row of any id (entity slug, src:, def:, fact:, rule:, alias:, rel:)."""
        return self._reads.get(item_id, as_of=as_of)

    def show(self, name: str, *, as_of: str | None = None) -> ShowResult:
        """A row by id or name, with its source and the commit that last changed it; a name
        the resolver is sure of is followed, and `matched_by` says how the row was found."""
        return self._reads.show(name, as_of=as_of)

    def rows(self, table: str, *, kind: str | None = None, subject: str | None = None,
             status: str | None = None, as_of: str | None = None,
             valid_at: str | None = None) -> list[Row]:
        """Rows of one table (retracted ones only when asked for by status)."""
        return self._reads.rows(table, kind=kind, subject=subject, status=status, as_of=as_of,
                                valid_at=valid_at)

    def listing(self, table: str, *, kind: str | None = None, subject: str | None = None,
                status: str | None = None, as_of: str | None = None,
                valid_at: str | None = None) -> Listing:
        """`rows`, and how `subject` (an entity id, name, alias, or a name the resolver is
        sure of) was matched."""
        return self._reads.listing(table, kind=kind, subject=subject, status=status,
                                   as_of=as_of, valid_at=valid_at)

    def config(self) -> dict[str, str]:
        return self._reads.config()

    def health(self, *, as_of: str | None = None, valid_at: str | None = None,
               max_age_days: int = DEFAULT_MAX_SOURCE_AGE) -> HealthReport:
        """What to look at before trusting answers (factstore.health): facts without source
        or quote, stale sources, open conflicts, names shared by entities, unowned terms."""
        return self._reads.health(as_of=as_of, valid_at=valid_at, max_age_days=max_age_days)

    def export(self, *, as_of: str | None = None) -> dict[str, Any]:
        """The knowledge at HEAD (or a ref) as an import document: importing it into an empty
        store gives the same rows, retracted ones included (factstore.export)."""
        return self._reads.export(as_of=as_of)

    def export_text(self, fmt: ExportFormat = "yaml", *, table: str | None = None,
                    as_of: str | None = None, write: Writer | None = None) -> ExportText:
        """`export` as `facts export` writes it, from the rows (Reads.export_text)."""
        return self._reads.export_text(fmt, table=table, as_of=as_of, write=write)

    # -- history --------------------------------------------------------------------------

    def log(self, limit: int | None = None, *, author: str | None = None,
            since: str | None = None, until: str | None = None,
            item_id: str | None = None, all_commits: bool = False) -> list[Commit]:
        """This branch's commits, newest first: its first-parent line (a merge stands for what
        it brought in) without render-log commits, unless all_commits; filtered by author
        (name or email part), dates, or an id."""
        return self._timeline.log(limit, author=author, since=since, until=until,
                                  item_id=item_id, all_commits=all_commits)

    def history(self, name: str) -> History:
        """Every version of one row along this branch's first-parent line, newest first (found
        as `show` finds it)."""
        return self._timeline.history(name)

    def blame(self, target: str) -> list[BlameLine]:
        """Who last changed each row of a table, or one row by id or name."""
        return self._timeline.blame(target)

    def diff(self, from_ref: str, to_ref: str, *, table: str | None = None,
             item_id: str | None = None) -> Diff:
        """What the knowledge changed between two refs, row by row and field by field."""
        return self._timeline.diff(from_ref, to_ref, table=table, item_id=item_id)

    def revert(self, item_id: str, *, author: str | None, reason: str | None,
               to: str | None = None, commit: str | None = None) -> WriteResult:
        """Undo one row's change as a new commit; every other row stays as it is. The row is
        named by its id, or a term, entity name or alias matched exactly.

        Default: undo the row's latest change. `commit`: undo what that commit did to this
        row (exit 5 if the row changed again since). `to`: restore the row as it was at a ref.
        A row the undone change created is removed; a row it removed comes back.
        """
        return self._timeline.revert(item_id, author=author, reason=reason, to=to,
                                     commit=commit)

    def revert_commit(self, commit: str, *, author: str | None, reason: str | None
                      ) -> WriteResult:
        """Undo a whole commit as a new commit by author, with reason in its message; every
        row it changed goes back to how it was before it, under a new revision."""
        return self._timeline.revert_commit(commit, author=author, reason=reason)

    # -- branches, tags, remotes ----------------------------------------------------------

    def branches(self, *, all: bool = False) -> list[Branch]:
        """Branches with their latest commit; the import branches (imports/NAME, what each
        import file last said) only with all=True."""
        return self._sharing.branches(all=all)

    def propose(self, name: str, *, from_ref: str = "main") -> str:
        """Create a branch for proposed corrections; returns the commit it starts at."""
        return self._sharing.propose(name, from_ref=from_ref)

    def abandon(self, name: str, *, at: str) -> None:
        """Delete a proposal branch that holds nothing of its own (it still points at `at`,
        where propose created it); refused otherwise."""
        self._sharing.abandon(name, at=at)

    def review(self, name: str, *, into: str = "main") -> Diff:
        """What merging branch `name` would change: its diff from where it left `into`."""
        return self._sharing.review(name, into=into)

    def merge(self, name: str, *, author: str | None, prefer: str | None = None
              ) -> WriteResult:
        """Merge a branch into this one as one commit; into main it is an approval (`approve`).
        Conflicting rows stop it (Conflict: base/ours/theirs of each, nothing written) unless
        prefer is 'ours' or 'theirs'."""
        merge = self._review.approve if self.branch == "main" else self._sharing.merge
        return merge(name, author=author, prefer=prefer)

    def tag(self, name: str, ref: str = "HEAD", *, message: str | None = None,
            author: str | None = None, force: bool = False) -> Tag:
        """Name a commit (a quarter close, a release of the knowledge); force moves an
        existing tag of that name."""
        return self._sharing.tag(name, ref, message=message, author=author, force=force)

    def delete_tag(self, name: str) -> Tag:
        """Delete a tag; returns it as it was."""
        return self._sharing.delete_tag(name)

    def tags(self) -> list[Tag]:
        return self._sharing.tags()

    def remotes(self) -> list[Remote]:
        return self._sharing.remotes()

    def add_remote(self, name: str, url: str) -> None:
        """Add a Dolt remote: file:///dir (both backends), or a DoltHub/DoltLab URL (server)."""
        self._sharing.add_remote(name, url)

    def push(self, remote: str = "origin", branch: str | None = None, *,
             user: str | None = None) -> Pushed:
        """Push a branch (default: the current one), the tags and the import branches in
        its history (Sharing.push). user: the remote's user (remotesapi); its password is
        DOLT_REMOTE_PASSWORD where the push runs (a Dolt server store: the server's)."""
        return self._sharing.push(remote, branch, user=user)

    def pull(self, remote: str = "origin", branch: str | None = None, *,
             author: str | None, user: str | None = None, prefer: str | None = None) -> Pulled:
        """Fetch and merge a remote branch into the current one, as one commit by author, then
        the remote's import branches (track_imports): Pulled. prefer ("ours" or "theirs")
        settles the rows both sides changed differently."""
        return self._sharing.pull(remote, branch, author=author, user=user, prefer=prefer)

    def protect(self, branch: str, *, admins: Sequence[str], mergers: Sequence[str] = ()
                ) -> list[Row]:
        """Protect a branch with Dolt's branch permissions (a Dolt server only): admins do
        anything, mergers may merge into it, everyone else reads it and writes any other
        branch (proposals). Returns this database's permission rows."""
        from factstore.backends import cluster, versioning

        if not versioning.has_branch(self.backend, branch):
            raise NotFound(f"no branch {branch!r}")
        return cluster.protect(self.backend, branch, admins, mergers)

    def permissions(self) -> list[Row]:
        """This database's branch permission rows (empty on doltlite)."""
        from factstore.backends import cluster

        return cluster.permissions(self.backend)

    # -- names and packs ------------------------------------------------------------------

    def resolve(self, name: str, *, context: str | None = None, kind: str | None = None,
                as_of: str | None = None, valid_at: str | None = None) -> Resolution:
        """Which entity does a name mean? resolved / ambiguous / unknown, with reasons."""
        return self._names.resolve(name, context=context, kind=kind, as_of=as_of,
                                   valid_at=valid_at)

    def resolve_batch(self, path: Path, *, kind: str | None = None, as_of: str | None = None,
                      valid_at: str | None = None) -> Iterator[Resolution]:
        """Resolve every line of a JSONL file of {"query": …, "context": …} (context
        optional), in order, with one index; the file is checked before the first answer."""
        return self._names.resolve_batch(path, kind=kind, as_of=as_of, valid_at=valid_at)

    def context(self, question: str, *, as_of: str | None = None, valid_at: str | None = None,
                scope: str | None = None, max_tokens: int | None = None,
                format: PackFormat = "md", record: bool = True) -> ContextPack:
        """The knowledge that applies to a question, ranked and cited, rendered for a prompt.

        Recorded in the render log (unless record=False) so `replay` can rebuild it."""
        return self._packs.context(question, as_of=as_of, valid_at=valid_at, scope=scope,
                                   max_tokens=max_tokens, format=format, record=record)

    def replay(self, pack_hash: str) -> ContextPack:
        """Rebuild a logged pack from its commit, question and options: byte for byte."""
        return self._packs.replay(pack_hash)

    def packs(self, limit: int | None = None, *, since: str | None = None,
              until: str | None = None, question: str | None = None) -> list[LoggedPack]:
        """The render log, newest first (built since/until those days; asking `question`)."""
        return self._packs.packs(limit, since=since, until=until, question=question)

    # -- review ---------------------------------------------------------------------------

    def search(self, query: str) -> Search:
        """Ids, defined terms and names (through the resolver; former names marked) that a
        query may mean: one hit, or a choice, never a guess."""
        return self._review.search(query)

    def item(self, item_id: str) -> ItemView:
        """One row with what a page about it shows: an entity's aliases, relations and facts
        grouped by predicate and period, labelled as a pack labels them; every scope of a
        definition's term."""
        return self._review.item(item_id)

    def proposals(self) -> list[Proposal]:
        """Branches of proposed changes (all but main and the import branches)."""
        return self._review.proposals()

    def proposal(self, name: str) -> Proposal:
        """A proposal branch: its own commits, oldest first, and who proposed it."""
        return self._review.proposal(name)

    def propose_write(self, branch: str, write: Callable[[FactStore], WriteResult]
                      ) -> WriteResult:
        """Run one write on a new proposal branch made from this one; the branch is removed
        again when the write fails."""
        start = self.propose(branch, from_ref=self.branch)
        try:
            with open_store(self.url, branch=branch) as proposal:
                return write(proposal)
        except BaseException:
            self.abandon(branch, at=start)
            raise

    def approve(self, name: str, *, author: str | None, prefer: str | None = None
                ) -> WriteResult:
        """Merge a proposal into this branch as author, who must have made none of its
        commits (no one approves their own proposal); prefer as for merge."""
        return self._review.approve(name, author=author, prefer=prefer)

    def reject(self, name: str) -> None:
        """Delete a proposal branch without merging it."""
        self._review.reject(name)
