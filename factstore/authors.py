"""Who a write is by: 'Name <email>', from the caller, FACTS_AUTHOR or git's user config.

Writes (tags included) without an author are refused; only the store's own bookkeeping (the
schema commit, the render log) is by SYSTEM_AUTHOR. An author is a visible name and an email:
no line breaks, control, bidi or zero-width characters, which would let an author line in
`facts log` or `dolt log` show someone else's name.
"""

from __future__ import annotations

import os
import re
import subprocess
import unicodedata

from factstore.errors import InvalidInput, Refused

SYSTEM_AUTHOR = "factstore <factstore@localhost>"
# 'Name <email>': the rule of the models' Author too (checked here with re, not pydantic, so
# that a write does not build a validator for one string).
AUTHOR_PATTERN = r"^[^<>]+ <[^<>\s]*>$"
AUTHOR_MAX = 255  # characters
EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+")
# Unicode categories an author may not contain: controls (Cc: line breaks, escapes), format
# characters (Cf: bidi overrides and isolates, zero-width spaces and joiners), line and
# paragraph separators (Zl, Zp), unassigned and private-use code points.
HIDDEN = frozenset({"Cc", "Cf", "Zl", "Zp", "Cn", "Co", "Cs"})


def check_author(author: str | None) -> str:
    """The author of a write, as 'Name <email>'; writes without one are refused."""
    if not author:
        raise Refused(
            "no author: pass --by 'Name <email>', set FACTS_AUTHOR, or set git user.name/email"
        )
    hidden = sorted({f"U+{ord(c):04X}" for c in author if unicodedata.category(c) in HIDDEN})
    if hidden:
        raise InvalidInput(f"author: {author!r} contains invisible or control characters "
                           f"({', '.join(hidden[:5])}); expected 'Name <email>'")
    who = author.strip()
    if len(who) > AUTHOR_MAX or not re.fullmatch(AUTHOR_PATTERN, who):
        raise InvalidInput(f"author: expected 'Name <email>', got {author!r}")
    name, email = who[:-1].rsplit(" <", 1)
    if not any(c.isalnum() for c in name):
        raise InvalidInput(f"author: {author!r} has no visible name; expected 'Name <email>'")
    if not EMAIL.fullmatch(email):
        raise InvalidInput(f"author: {author!r} has no email; expected 'Name <email>'")
    return " ".join(name.split()) + f" <{email}>"


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
    "AUTHOR_MAX", "AUTHOR_PATTERN", "EMAIL", "HIDDEN", "SYSTEM_AUTHOR", "check_author",
    "default_author"
]
