"""The embedded store's own record of where its branches were: `facts.db.head` beside the
database file, so a store that lost commits says so instead of opening at an older commit.

doltlite keeps a store in one file. Cut short (a half-copied file, a disk that lost its tail),
the file still opens, at whatever older commit its remaining bytes hold, or, when empty, as a
brand-new repository. So after every commit, merge, revert, pull and clone the backend writes
the head of each branch here (atomically: a new file renamed over the old one), and on open
the branch's head must be the recorded commit or descend from it.

The record is advisory and best effort: a store without one (made by an earlier release,
copied without it) opens unchecked; failing to write it (a full disk) leaves the previous
record, which the store still descends from. Deleting it accepts the store as it is. A Dolt
server keeps its own durability and has no such file.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
from pathlib import Path

from factstore.errors import FactstoreError

SUFFIX = ".head"
FORMAT = 1


def record_path(db: Path) -> Path:
    return db.with_name(db.name + SUFFIX)


def recorded(db: Path) -> dict[str, str]:
    """Branch -> the last commit factstore saw on it; {} when there is no readable record."""
    try:
        data = json.loads(record_path(db).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    branches = data.get("branches") if isinstance(data, dict) else None
    if not isinstance(branches, dict):
        return {}
    return {str(k): str(v) for k, v in branches.items() if isinstance(v, str)}


def remember(db: Path, heads: dict[str, str]) -> None:
    """Write the branches' heads, replacing the record in one rename; best effort."""
    target = record_path(db)
    text = json.dumps({"factstore_head": FORMAT, "branches": dict(sorted(heads.items()))},
                      indent=1) + "\n"
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent)
        os.chmod(tmp, stat.S_IMODE(db.stat().st_mode))  # readable by whoever reads the store
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
        tmp = None
    except OSError:
        pass  # the previous record stays, and the store still descends from it
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def lost(db: Path, problem: str, *, branch: str | None = None, expected: str | None = None,
         found: str | None = None) -> FactstoreError:
    """The one-line error for a store that lost commits (or holds no store at all): what was
    expected, what is there, and how to recover."""
    where = f"{db}: {problem}"
    if expected and found:
        where += (f": branch {branch} was last committed at {expected[:12]} (recorded in "
                  f"{record_path(db).name}), but the file now holds {found[:12]}, which does "
                  "not descend from it")
    elif expected:
        where += f" (branch {branch} was last committed at {expected[:12]})"
    accept = f"; to accept the store as it is now, delete {record_path(db)}" if found else ""
    return FactstoreError(
        f"{where}. Nothing was changed. To recover, clone the store again from a remote "
        "(facts clone URL FOLDER), or import an export into a new store (facts init, then "
        f"facts import FILE){accept}")


__all__ = [
    "FORMAT", "SUFFIX", "lost", "record_path", "recorded", "remember"
]
