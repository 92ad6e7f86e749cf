"""What the store's plain reads and writes return (a row shown, a listing, commits, a row's
history, branches, tags, a write's commit), as plain classes without pydantic.

The store makes these from its own rows, so there is nothing to validate; and the commands
that return them (`facts show`, `resolve`, `log`, `correct` …) then start without importing
pydantic, which alone costs more than the interpreter's floor. They offer the pydantic
methods callers use (`model_dump`, `model_copy`), with the same output. The results that are
read back from text (a logged pack's options, a diff, a pack) stay pydantic models in
factstore.models.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from typing import Any, Literal, TypeVar

_P = TypeVar("_P", bound="Plain")


def _dumped(value: Any, exclude_none: bool) -> Any:
    if isinstance(value, Plain):
        return value.model_dump(exclude_none=exclude_none)
    if isinstance(value, list):
        return [_dumped(v, exclude_none) for v in value]
    if isinstance(value, dict):
        return {k: _dumped(v, exclude_none) for k, v in value.items()}
    return value


@dataclasses.dataclass(kw_only=True)
class Plain:
    """A result as a keyword-only dataclass that dumps like a pydantic model."""

    def model_dump(self, *, include: Collection[str] | None = None,
                   exclude: Collection[str] | None = None, exclude_none: bool = False,
                   by_alias: bool = False) -> dict[str, Any]:
        """The fields as a dict, nested results and containers as new dicts and lists
        (by_alias is accepted for pydantic's sake: no field here has an alias)."""
        out = {}
        for f in dataclasses.fields(self):
            if (include is not None and f.name not in include) or (
                    exclude is not None and f.name in exclude):
                continue
            value = getattr(self, f.name)
            if value is None and exclude_none:
                continue
            out[f.name] = _dumped(value, exclude_none)
        return out

    def model_copy(self: _P, *, update: Mapping[str, Any] | None = None) -> _P:
        return dataclasses.replace(self, **(update or {}))


@dataclasses.dataclass(kw_only=True)
class WriteResult(Plain):
    commit: str | None
    changed: list[str]


@dataclasses.dataclass(kw_only=True)
class Commit(Plain):
    commit: str
    author: str
    date: str
    message: str


# How a NAME found its row: its id; exactly (normalised) a defined term, an entity's name or
# one of its aliases; or, for reads only, the one entity the resolver confidently names.
MatchedBy = Literal["id", "term", "name", "alias", "fuzzy"]


@dataclasses.dataclass(kw_only=True)
class Match(Plain):
    id: str
    matched_by: MatchedBy = "id"
    matched_name: str | None = None  # the stored term, name or alias the NAME matched
    match_score: int | None = None  # the resolver's score (fuzzy only)

    def note(self) -> str | None:
        """"matched 'Tern Bank' (fuzzy, score 91)"; None for an id, which needs no note."""
        return match_note(self.matched_by, self.matched_name, self.match_score)


def match_note(by: str, name: str | None, score: int | None) -> str | None:
    if by == "id":
        return None
    return f"matched {name!r} ({by}" + (f", score {score}" if score is not None else "") + ")"


@dataclasses.dataclass(kw_only=True)
class ShowResult(Plain):
    id: str
    table: str
    row: dict[str, Any]
    source: dict[str, Any] | None
    last_change: Commit | None
    matched_by: MatchedBy = "id"
    matched_name: str | None = None
    match_score: int | None = None


@dataclasses.dataclass(kw_only=True)
class Listing(Plain):
    """Rows of one table, and how --subject found its entity (None without --subject)."""

    rows: list[dict[str, Any]]
    subject: Match | None = None


@dataclasses.dataclass(kw_only=True)
class Version(Plain):
    """One version of a row: the commit that made it and the row as that commit left it
    (None when the commit removed the row). A merge that brought the row from a branch is the
    commit (by whoever merged); `recorded_by` and `reason` are the row's own."""

    commit: str
    author: str
    date: str
    message: str
    reason: str | None
    recorded_by: str | None = None
    source: str | None
    row: dict[str, Any] | None


@dataclasses.dataclass(kw_only=True)
class History(Plain):
    id: str
    versions: list[Version]  # newest first
    matched_by: MatchedBy = "id"
    matched_name: str | None = None
    match_score: int | None = None


@dataclasses.dataclass(kw_only=True)
class Tag(Plain):
    name: str
    commit: str
    tagger: str
    date: str
    message: str


@dataclasses.dataclass(kw_only=True)
class Branch(Plain):
    name: str
    commit: str
    author: str  # of its latest commit
    date: str
    message: str  # first line of its latest commit's message
    current: bool  # the branch this store reads and writes


@dataclasses.dataclass(kw_only=True)
class Remote(Plain):
    name: str
    url: str


@dataclasses.dataclass(kw_only=True)
class BlameLine(Plain):
    """Who last changed one row, in which commit."""

    id: str
    commit: str
    author: str
    date: str
    message: str  # first line
    recorded_by: str | None = None  # the row's (differs from author for a merged change)


__all__ = [
    "BlameLine", "Branch", "Commit", "History", "Listing", "Match", "MatchedBy", "Plain",
    "Remote", "ShowResult", "Tag", "Version", "WriteResult", "match_note"
]
