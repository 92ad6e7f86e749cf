"""Every error factstore raises, and the exit code the CLI turns it into.

    FactstoreError            1  something went wrong that is not the caller's input
     ├── InvalidInput         2  bad usage or invalid input; nothing was written
     │    └── Ambiguous       2  a NAME matched several rows; carries the candidates
     ├── NotFound             3  no row, ref or store by that name
     ├── Refused              4  the write is not allowed (no author, protected branch)
     └── Conflict             5  stale base (the row changed since) or a merge conflict

Messages are one line a user can act on; the CLI prints them as-is.
"""

from __future__ import annotations

from typing import Any


class FactstoreError(Exception):
    exit_code = 1


class InvalidInput(FactstoreError):
    exit_code = 2


class Ambiguous(InvalidInput):
    def __init__(self, message: str, candidates: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.candidates = candidates


class NotFound(FactstoreError):
    exit_code = 3


class Refused(FactstoreError):
    exit_code = 4


class Conflict(FactstoreError):
    exit_code = 5

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.details = details or {}


__all__ = [
    "Ambiguous", "Conflict", "FactstoreError", "InvalidInput", "NotFound", "Refused"
]
