"""What the store returns that it makes from its own rows (a row shown, a listing, commits, a
row's history, branches, tags, a write's commit, a context pack), as dataclasses.

The store makes these from its own rows, so there is nothing to validate; and the commands
that return them (`facts show`, `resolve`, `log`, `correct`, `context` …) then start without
importing pydantic, which alone costs more than the interpreter's floor. They offer the
pydantic methods callers use (`model_dump`, `model_copy`, `model_dump_json`), with the same
output; `model_validate` and `model_validate_json`, for what is read back (a logged pack, a
pack file), validate with pydantic, imported then.
"""

from __future__ import annotations

import dataclasses
import json
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


@dataclasses.dataclass(kw_only=True, repr=False, eq=False)
class Plain:
    """A result as a keyword-only dataclass that dumps like a pydantic model. Its subclasses
    share this class's __repr__ and __eq__ (a dataclass's own are compiled per class: most
    of the cost of defining one, paid by every command at start-up)."""

    def __repr__(self) -> str:
        shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in dataclasses.fields(self))
        return f"{type(self).__qualname__}({shown})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, f.name) == getattr(other, f.name)
                   for f in dataclasses.fields(self))

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

    def model_dump_json(self) -> str:
        """model_dump() as compact JSON, as pydantic writes it."""
        return json.dumps(self.model_dump(), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def model_validate(cls: type[_P], data: Any) -> _P:
        """Validated by pydantic (imported for it): what is read back from text or JSON."""
        return _adapter(cls).validate_python(data)  # type: ignore[no-any-return]

    @classmethod
    def model_validate_json(cls: type[_P], data: str | bytes) -> _P:
        return _adapter(cls).validate_json(data)  # type: ignore[no-any-return]


_ADAPTERS: dict[type[Plain], Any] = {}


def _adapter(cls: type[Plain]) -> Any:
    if cls not in _ADAPTERS:
        from pydantic import TypeAdapter

        _ADAPTERS[cls] = TypeAdapter(cls)
    return _ADAPTERS[cls]


@dataclasses.dataclass(kw_only=True, repr=False, eq=False)
class WriteResult(Plain):
    commit: str | None
    changed: list[str]


@dataclasses.dataclass(kw_only=True, repr=False, eq=False)
class Commit(Plain):
    commit: str
    author: str
    date: str
    message: str


# How a NAME found its row: its id; exactly (normalised) a defined term, an entity's name or
# one of its aliases; or, for reads only, the one entity the resolver confidently names.
MatchedBy = Literal["id", "term", "name", "alias", "fuzzy"]


@dataclasses.dataclass(kw_only=True, repr=False, eq=False)
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


@dataclasses.dataclass(kw_only=True, repr=False, eq=False)
class ShowResult(Plain):
    id: str
    table: str
    row: dict[str, Any]
    source: dict[str, Any] | None
    last_change: Commit | None
    matched_by: MatchedBy = "id"
    matched_name: str | None = None
    match_score: int | None = None


@dataclasses.dataclass(kw_only=True, repr=False, eq=False)
class Listing(Plain):
    """Rows of one table, and how --subject found its entity (None without --subject)."""

    rows: list[dict[str, Any]]
    subject: Match | None = None


@dataclasses.dataclass(kw_only=True, repr=False, eq=False)
class ExportText(Plain):
    """An export as the text of one format, how many records each section holds, and the
    calendar's first month when the store sets one (a JSONL or CSV text has no place for it)."""

    text: str
    counts: dict[str, int]
    fiscal_year_start_month: int | None = None


@dataclasses.dataclass(kw_only=True, repr=False, eq=False)
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


@dataclasses.dataclass(kw_only=True, repr=False, eq=False)
class History(Plain):
    id: str
    versions: list[Version]  # newest first
    matched_by: MatchedBy = "id"
    matched_name: str | None = None
    match_score: int | None = None


@dataclasses.dataclass(kw_only=True, repr=False, eq=False)
class Tag(Plain):
    name: str
    commit: str
    tagger: str
    date: str
    message: str


@dataclasses.dataclass(kw_only=True, repr=False, eq=False)
class Branch(Plain):
    name: str
    commit: str
    author: str  # of its latest commit
    date: str
    message: str  # first line of its latest commit's message
    current: bool  # the branch this store reads and writes


@dataclasses.dataclass(kw_only=True, repr=False, eq=False)
class Remote(Plain):
    name: str
    url: str


@dataclasses.dataclass(kw_only=True, repr=False, eq=False)
class Pulled(Plain):
    """A pull: the branch merged into and its new head, and what became of the remote's
    import branches in the merged history (name -> "made", "moved" up to the remote's, or
    "kept": this store imported the file since, apart from the remote, and keeps its own)."""

    branch: str
    commit: str
    imports: dict[str, str]


@dataclasses.dataclass(kw_only=True, repr=False, eq=False)
class Pushed(Plain):
    """A push: the branch and its commit, and the import branches sent along with it (those
    whose head is in the branch's history and that the remote did not have as they are here
    already); `not_pushed`: import branches the remote refused, as it holds another of its
    own (name -> the engine's reason)."""

    branch: str
    commit: str
    imports: list[str]
    not_pushed: dict[str, str]


@dataclasses.dataclass(kw_only=True, repr=False, eq=False)
class BlameLine(Plain):
    """Who last changed one row, in which commit."""

    id: str
    commit: str
    author: str
    date: str
    message: str  # first line
    recorded_by: str | None = None  # the row's (differs from author for a merged change)


@dataclasses.dataclass(kw_only=True, repr=False, eq=False)
class LoggedPack(Plain):
    """One entry of the render log: a pack as built, enough to rebuild it (`replay`)."""

    id: str
    hash: str
    version: str
    question: str
    options: dict[str, Any]
    items: list[str]
    created_at: str
    created_by: str | None


# --- context packs -------------------------------------------------------------------

PackFormat = Literal["md", "xml", "json"]
ItemKind = Literal["fact", "definition", "rule", "alias", "relation"]
# What an item is to the question: the value to use, or context around it.
ItemStatus = Literal[
    "current",  # the value to use
    "conflicting",  # a different value from a source of equal authority: no winner
    "outranked",  # a different value from a source of lower authority
    "superseded",  # replaced by another fact (its `supersedes`)
    "deprecated",  # marked deprecated in the store
    "proposed",  # proposed, not yet accepted
    "exception",  # a rule that overrides a general rule for this entity
    "overridden",  # a general rule an exception replaces for this entity
    "alias",  # another name of a mentioned entity
    "former",  # a former name
]


@dataclasses.dataclass(kw_only=True, repr=False, eq=False)
class PackSource(Plain):
    id: str
    title: str
    uri: str | None = None
    kind: str | None = None
    authority: int | None = None
    captured_at: str | None = None


@dataclasses.dataclass(kw_only=True, repr=False, eq=False)
class PackItem(Plain):
    """One numbered item of a pack. Text fields hold store text with control characters
    removed; renderers escape them, so they can never forge an item or a citation."""

    n: int
    kind: ItemKind
    id: str
    status: ItemStatus
    text: str  # the statement, e.g. "Acme GmbH - acv (FY26-Q3): 1,200,000 EUR"
    note: str | None = None  # e.g. "superseded by [3]"
    quote: str | None = None
    subject: str | None = None  # entity id (facts, aliases, relation source) or applies_to
    predicate: str | None = None
    period: str | None = None
    value: str | None = None  # as stored (facts); the other entity's id (relations)
    value_type: str | None = None
    unit: str | None = None
    scope: str | None = None  # definitions
    valid_from: str | None = None
    valid_to: str | None = None
    source: PackSource | None = None
    recorded_by: str | None = None


@dataclasses.dataclass(kw_only=True, repr=False, eq=False)
class Mention(Plain):
    """A span of the question and what it resolved to: an entity, several (ambiguous), or
    nothing the store holds (unknown)."""

    text: str
    status: Literal["resolved", "ambiguous", "unknown"]
    entity: dict[str, str] | None = None  # id, name, kind when resolved
    candidates: list[dict[str, Any]] = dataclasses.field(default_factory=list)  # when ambiguous


@dataclasses.dataclass(kw_only=True, repr=False, eq=False)
class PackOptions(Plain):
    """Everything besides the question and the commit that decides a pack's bytes."""

    as_of: str | None = None  # as given (a tag, quarter, hash…); the commit is `version`
    valid_at: str  # YYYY-MM-DD (today when not given, recorded so a replay is identical)
    scope: str | None = None
    max_tokens: int | None = None
    format: PackFormat = "md"


@dataclasses.dataclass(kw_only=True, repr=False, eq=False)
class ContextPack(Plain):
    hash: str  # sha256 of `text`
    version: str  # the commit the knowledge was read at
    question: str
    options: PackOptions
    terms: list[str]  # defined terms the question mentions
    periods: list[str]  # periods the question mentions, resolved (FY26-Q3, 2025-10 …)
    entities: list[Mention]
    items: list[PackItem]
    trimmed: list[str]  # ids left out to fit max_tokens, lowest priority first
    text: str  # the rendered pack, in options.format
    missing: list[str] = dataclasses.field(default_factory=list)  # what was asked for and not found
    # the store's fiscal year start month at the pack's version, for `facts verify` to place
    # fiscal periods (not part of the text; None in a pack built before it was kept)
    fiscal_year_start_month: int | None = None
    # Written to the render log. False: not asked to (eval), or the store would not take it
    # (read-only); the pack itself is the same either way.
    logged: bool = False
    # replay: the render log's copy, shown because this version of factstore builds the pack
    # differently from the same knowledge (an upgrade changed how packs are built)
    from_log: bool = False


__all__ = [
    "BlameLine", "Branch", "Commit", "ContextPack", "ExportText", "History", "ItemKind",
    "ItemStatus", "Listing", "LoggedPack", "Match", "MatchedBy", "Mention", "PackFormat",
    "PackItem", "PackOptions", "PackSource", "Plain", "Pulled", "Pushed", "Remote",
    "ShowResult", "Tag", "Version", "WriteResult", "match_note"
]
