"""The local files a backend touches besides its database: `file://` remotes, and what
creating an embedded store makes (so a failed init or clone can take it all away again).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from factstore.errors import FactstoreError, InvalidInput

# No store, remote or clone ever lives under these: they are the kernel's, not files.
SYSTEM_DIRS = (Path("/proc"), Path("/sys"), Path("/dev"))


def file_url_path(url: str) -> Path | None:
    """The local path a file:// URL names (None for any other URL); refused when it is not
    an absolute local path or leads (through symlinks too) under /proc, /sys or /dev."""
    if not url.startswith("file://"):
        return None
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
        raise InvalidInput(f"remote: {url!r}: a file URL names an absolute local path, as in "
                           "file:///shared/knowledge")
    path = Path(unquote(parts.path))
    try:
        real = path.resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop
        raise InvalidInput(f"remote: {url!r}: cannot follow {path} ({exc})") from None
    for system in SYSTEM_DIRS:
        if real == system or system in real.parents:
            raise InvalidInput(f"remote: {url!r} is under {system}, which holds no files a "
                               "store can live in")
    return path


def oserror(what: str, path: Path, exc: OSError) -> FactstoreError:
    """An OSError about path as one line: what failed, where, and the system's reason."""
    if path.is_symlink() and not path.exists():
        reason = "it is a symlink that leads nowhere (a loop, or a missing target)"
    else:
        reason = exc.strerror or str(exc)
    return FactstoreError(f"{what} {path}: {reason}")


def missing_folders(path: Path) -> list[Path]:
    """The folders above path that do not exist yet, innermost first."""
    return [p for p in (path.parent, *path.parent.parents) if not p.exists()]


def remove_created(files: list[Path], folders: list[Path]) -> None:
    """Take away what a failed create made: files, then folders (innermost first) that are
    empty; anything else, and anything that was there before, stays."""
    for file in files:
        with contextlib.suppress(OSError):
            os.unlink(file)
    for folder in folders:
        with contextlib.suppress(OSError):
            folder.rmdir()


__all__ = [
    "SYSTEM_DIRS", "file_url_path", "missing_folders", "oserror", "remove_created"
]
