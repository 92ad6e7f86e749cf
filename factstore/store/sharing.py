"""Sharing knowledge like code: branches for proposed corrections, review and merge, tags,
and Dolt remotes (push, pull; clone is in factstore.store.opening).
"""

from __future__ import annotations

import unicodedata
from typing import Any

from factstore.authors import check_author
from factstore.backends import versioning
from factstore.errors import Conflict, InvalidInput, NotFound, Refused
from factstore.models import Branch, Diff, Remote, Tag, WriteResult
from factstore.results import Pulled, Pushed
from factstore.schema import Row, knowledge, row_id
from factstore.store.core import StoreCore, message
from factstore.store.import_branches import IMPORTS as IMPORTS
from factstore.store.import_branches import track_imports
from factstore.store.timeline import Timeline

# Branches no proposal may take, compared as their NFKC case-folded forms: on a Dolt server a
# branch "MAIN" becomes the database's default branch for every new connection.
PROTECTED = frozenset({"main"})


def check_branch_name(name: str) -> str:
    """A name a new branch may have: ASCII letters, digits, '.', '_', '-', and not a protected
    branch in any case or look-alike spelling."""
    if not versioning.NAME.fullmatch(name) or not name.isascii():
        raise InvalidInput(f"branch: {name!r} is not a valid branch name (ASCII letters, "
                           "digits, '.', '_' and '-')")
    if unicodedata.normalize("NFKC", name).casefold() in PROTECTED:
        raise Refused(f"branch: {name!r} names the protected branch main; proposals go to "
                      "their own branch")
    return name


class Sharing:
    def __init__(self, core: StoreCore, timeline: Timeline) -> None:
        self.core = core
        self.timeline = timeline

    # -- branches, review, merge ----------------------------------------------------------

    def branches(self, *, all: bool = False) -> list[Branch]:
        """Branches, without the import branches (imports/NAME) unless all."""
        found = versioning.branches(self.core.backend)
        return found if all else [b for b in found if not b.name.startswith(IMPORTS)]

    def propose(self, name: str, *, from_ref: str = "main") -> str:
        check_branch_name(name)
        taken = [b.name for b in self.branches() if b.name.casefold() == name.casefold()]
        if taken:
            raise InvalidInput(f"branch {taken[0]!r} already exists")
        start = self.core.resolve_ref(from_ref)
        versioning.create_branch(self.core.backend, name, start)
        return start

    def abandon(self, name: str, *, at: str) -> None:
        """Delete a proposal branch that holds nothing of its own: it must still point at
        `at`, the commit it was created at (so no one's work can go with it)."""
        check_branch_name(name)
        found = [b for b in self.branches() if b.name == name]
        if not found:
            raise NotFound(f"no branch {name!r}")
        if found[0].commit != at:
            raise Refused(f"branch {name!r} has commits of its own; it is kept")
        versioning.delete_branch(self.core.backend, name)

    def review(self, name: str, *, into: str = "main") -> Diff:
        self._require_branch(name)
        return self.timeline.diff(versioning.merge_base(self.core.backend, into, name), name)

    def merge(self, name: str, *, author: str | None, prefer: str | None = None
              ) -> WriteResult:
        who = check_author(author)
        self._require_branch(name)
        self.core.require_clean(self.core.backend)  # Dolt refuses too, less clearly
        if prefer not in (None, "ours", "theirs"):
            raise InvalidInput("prefer: expected 'ours' or 'theirs'")
        branch = self.core.branch
        if name == branch:
            raise InvalidInput(f"cannot merge {name!r} into itself")
        text = message(f"Merge {name} into {branch}", None, None) + (
            f"\nConflicts resolved: prefer {prefer}" if prefer else "")
        commit, raw = self.core.flushed().merge(name, text, who, prefer)
        if raw and commit is None:
            conflicts = [conflict_sides(table, row) for table, row in raw]
            listed = "; ".join(c["id"] for c in conflicts)
            raise Conflict(f"merge of {name!r} conflicts on {len(conflicts)} row(s): {listed}; "
                           "nothing was merged (fix them on the branch, or --prefer "
                           "ours|theirs)", {"conflicts": conflicts})
        # what the merge did to this branch: its diff from its first parent (rows a conflict
        # kept as they were, or that only the branch's bookkeeping touched, did not change)
        changed = self.timeline.diff(f"{commit}~1", commit).changes if commit else []
        return WriteResult(commit=commit, changed=[c.id for c in changed])

    def _require_branch(self, name: str) -> None:
        if not versioning.has_branch(self.core.backend, name):
            raise NotFound(f"no branch {name!r}")

    # -- tags -----------------------------------------------------------------------------

    def tag(self, name: str, ref: str = "HEAD", *, message: str | None = None,
            author: str | None = None, force: bool = False) -> Tag:
        if not versioning.TAG_NAME.fullmatch(name):
            raise InvalidInput(f"tag: {name!r} is not a valid tag name")
        exists = versioning.has_tag(self.core.backend, name)
        if exists and not force:
            raise InvalidInput(f"tag {name!r} already exists (--force moves it)")
        commit = self.core.resolve_ref(ref)
        who = check_author(author)
        if exists:
            versioning.delete_tag(self.core.backend, name)
        self.core.backend.tag(name, commit, message or "", who)
        return next(t for t in self.tags() if t.name == name)

    def delete_tag(self, name: str) -> Tag:
        gone = next((t for t in self.tags() if t.name == name), None)
        if gone is None:
            raise NotFound(f"no tag {name!r}")
        versioning.delete_tag(self.core.backend, name)
        return gone

    def tags(self) -> list[Tag]:
        return versioning.tags(self.core.backend)

    # -- remotes --------------------------------------------------------------------------

    def remotes(self) -> list[Remote]:
        return versioning.remotes(self.core.backend)

    def add_remote(self, name: str, url: str) -> None:
        if not versioning.NAME.fullmatch(name):
            raise InvalidInput(f"remote: {name!r} is not a valid remote name")
        if any(r.name == name for r in self.remotes()):
            raise InvalidInput(f"remote {name!r} already exists")
        versioning.add_remote(self.core.backend, name, url)

    def push(self, remote: str = "origin", branch: str | None = None, *,
             user: str | None = None) -> Pushed:
        """Push a branch and the tags, and with them the import branches that are in the
        branch's history: a clone or pull of the remote then reloads each file against what
        it last said (Imports), not as a first import. An import branch the remote refuses
        (its own moved on apart from this one) stays as the remote has it: `not_pushed`."""
        self._require_remote(remote)
        name = branch or self.core.branch
        backend = self.core.flushed()
        backend.push(remote, name, user)
        commit = self.core.resolve_ref(name)
        # those the remote has as they are here (as a push or fetch last saw it) are skipped:
        # a dated nightly file leaves an import branch a night
        there = versioning.remote_branch_heads(backend, remote)
        imports = [n for n, head in sorted(versioning.branch_heads(backend).items())
                   if n.startswith(IMPORTS) and there.get(n) != head
                   and versioning.is_ancestor(backend, head, commit)]
        refused = backend.push_branches(remote, imports, user) if imports else {}
        return Pushed(branch=name, commit=commit,
                      imports=[n for n in imports if n not in refused], not_pushed=refused)

    def pull(self, remote: str = "origin", branch: str | None = None, *,
             author: str | None, user: str | None = None, prefer: str | None = None
             ) -> Pulled:
        who = check_author(author)
        self._require_remote(remote)
        if prefer not in (None, "ours", "theirs"):
            raise InvalidInput("prefer: expected 'ours' or 'theirs'")
        self.core.require_clean(self.core.backend)
        # every branch, the import branches too (before the merge: a failure merges nothing)
        self.core.backend.fetch(remote, user)
        raw = self.core.flushed().pull(remote, branch or self.core.branch, who, user, prefer)
        if raw:
            conflicts = [conflict_sides(table, row) for table, row in raw]
            raise Conflict(f"pull of {remote}/{branch or self.core.branch} conflicts on "
                           f"{len(conflicts)} row(s): {'; '.join(c['id'] for c in conflicts)}; "
                           "nothing was merged (--prefer ours keeps this store's rows, "
                           "--prefer theirs takes the remote's)", {"conflicts": conflicts})
        head = self.core.head()
        imports = track_imports(self.core.backend, remote, head)
        return Pulled(branch=self.core.branch, commit=head, imports=imports)

    def _require_remote(self, name: str) -> None:
        if not any(r.name == name for r in self.remotes()):
            raise NotFound(f"no remote {name!r} (add one with `facts remote add`)")


def conflict_sides(table: str, raw: Row, names: tuple[str, str, str] = ("base", "ours", "theirs")
                   ) -> dict[str, Any]:
    """A merge conflict row as {table, id, base, ours, theirs} (knowledge fields); `names`
    renames the three sides (an import calls them base, store, file)."""
    sides = {}
    for side, prefix in zip(names, ("base_", "our_", "their_"), strict=True):
        row = {k[len(prefix):]: v for k, v in raw.items()
               if k.startswith(prefix) and not k.endswith("diff_type")}
        sides[side] = None if all(v is None for v in row.values()) else knowledge(row)
    present = next(r for r in sides.values() if r)
    return {"table": table, "id": row_id(table, present), **sides}


__all__ = [
    "IMPORTS", "PROTECTED", "Sharing", "check_branch_name", "conflict_sides"
]
