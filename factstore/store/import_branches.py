"""The import branches (`imports/NAME`: what each import file last said, see imports.py) of a
store cloned or pulled from a remote: made from the remote's, so that the next import of each
file there merges with what it last said, as it would have in the store pushed from. Kept out
of sharing.py, which loads the models (pydantic): `facts clone` needs only this.
"""

from __future__ import annotations

from factstore.backends import versioning
from factstore.backends.base import Backend

IMPORTS = "imports/"  # the branches that hold what each import file last said


def track_imports(backend: Backend, remote: str, head: str) -> dict[str, str]:
    """After a clone or pull: the local import branches the remote's give (its `imports/*`
    remote-tracking branches whose head is in `head`'s history, as push sends them). A
    missing one is made; one that the remote's descends from is moved up to it (the file
    was imported there since); one that moved on its own (this store imported the file
    since, whether or not the remote did too) is never moved: it is this store's base for
    its next import of that file (nor one an import moves while this runs: the branches are
    set only where they still are as read). Returns what was done: name -> "made" |
    "moved" | "kept" (kept: it and the remote's went apart, or it moved meanwhile)."""
    ours = {n: h for n, h in versioning.branch_heads(backend).items() if n.startswith(IMPORTS)}
    done: dict[str, str] = {}
    moves: dict[str, tuple[str | None, str]] = {}
    for name, theirs in sorted(versioning.remote_branch_heads(backend, remote).items()):
        if not name.startswith(IMPORTS) or ours.get(name) == theirs or \
                not versioning.is_ancestor(backend, theirs, head):
            continue
        mine = ours.get(name)
        if mine is None or versioning.is_ancestor(backend, mine, theirs):
            moves[name] = (mine, theirs)
        elif not versioning.is_ancestor(backend, theirs, mine):
            done[name] = "kept"
    set_now = set(backend.set_branches(moves)) if moves else set()
    for name, (mine, _) in moves.items():
        done[name] = "kept" if name not in set_now else "made" if mine is None else "moved"
    return dict(sorted(done.items()))


__all__ = ["IMPORTS", "track_imports"]
