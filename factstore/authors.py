"""Who a write is by: 'Name <email>', from the caller, FACTS_AUTHOR or git's user config.

Writes without an author are refused; only the store's own bookkeeping (the schema commit,
the render log, a tag made without one) is by SYSTEM_AUTHOR.
"""

from __future__ import annotations

import os
import subprocess

from pydantic import TypeAdapter, ValidationError

from factstore.errors import InvalidInput, Refused
from factstore.models import Author

SYSTEM_AUTHOR = "factstore <factstore@localhost>"

_AUTHOR: TypeAdapter[str] = TypeAdapter(Author)


def check_author(author: str | None) -> str:
    """The author of a write, as 'Name <email>'; writes without one are refused."""
    if not author:
        raise Refused(
            "no author: pass --by 'Name <email>', set FACTS_AUTHOR, or set git user.name/email"
        )
    try:
        return _AUTHOR.validate_python(author.strip())
    except ValidationError:
        raise InvalidInput(f"author: expected 'Name <email>', got {author!r}") from None


def default_author() -> str | None:
    """FACTS_AUTHOR, else git's user.name and user.email, else None."""
    if os.environ.get("FACTS_AUTHOR"):
        return os.environ["FACTS_AUTHOR"]

    def git(key: str) -> str:
        try:
            out = subprocess.run(["git", "config", key], capture_output=True, text=True,
                                 timeout=5)
        except (OSError, subprocess.SubprocessError):
            return ""
        return out.stdout.strip()

    name, email = git("user.name"), git("user.email")
    return f"{name} <{email}>" if name and email else None


__all__ = [
    "SYSTEM_AUTHOR", "check_author", "default_author"
]
