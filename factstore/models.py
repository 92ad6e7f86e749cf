"""The vocabulary of the product, as pydantic models.

Input models use extra="forbid" so a typo in a file is an error, never a silent default. Each
knows how to become the row it is stored as (`row()`); table and column names live in store.py.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any, ClassVar, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails

MAX_TEXT_BYTES = 64 * 1024

SourceKind = Literal["system_of_record", "policy", "contract", "wiki", "expert", "email", "chat"]
AliasKind = Literal["name", "abbreviation", "former", "ticker", "code"]
Status = Literal["active", "proposed", "deprecated", "retracted"]
ValueType = Literal["number", "money", "percent", "text", "date", "bool"]


# Constraints are checked by pydantic-core where it can (patterns, lengths) and once per record
# in Input.check for the rest, so a 100k-fact import is not 100k x fields Python calls.
TEXT_CHARS = r"^[^\x00]*$"
NONEMPTY_TEXT = r"^[^\x00]*[^\x00\s][^\x00]*$"
DATE_FIELDS = ("valid_from", "valid_to", "captured_at")

Text = Annotated[str, Field(max_length=MAX_TEXT_BYTES, pattern=NONEMPTY_TEXT)]
OptText = Annotated[str, Field(max_length=MAX_TEXT_BYTES, pattern=TEXT_CHARS)] | None
IsoDate = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")] | None
Word = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
EntityId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=200)]
SourceId = Annotated[str, Field(pattern=r"^src:[^\s]+$", max_length=200)]
Author = Annotated[str, Field(pattern=r"^[^<>]+ <[^<>\s]*>$", max_length=255)]
Period = Annotated[
    str,
    Field(pattern=r"^(FY\d{2}(-(Q[1-4]|H[12]))?|\d{4}(-(Q[1-4]|H[12]|\d{2}(-\d{2})?))?)$"),
]


def slug(text: str) -> str:
    """A readable, stable key fragment: 'Active customer' -> 'active-customer'."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or "x"


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    _dates: ClassVar[tuple[str, ...]] = ()
    _texts: ClassVar[tuple[str, ...]] = ()
    _nested: ClassVar[tuple[str, ...]] = ()  # lists of Input (an entity's aliases, relations)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls._dates = tuple(n for n in cls.model_fields if n in DATE_FIELDS)
        cls._texts = tuple(n for n, f in cls.model_fields.items()
                           if "str" in str(f.annotation) and n not in DATE_FIELDS)
        cls._nested = tuple(n for n, f in cls.model_fields.items()
                            if get_origin(f.annotation) is list
                            and issubclass(get_args(f.annotation)[0], Input))

    def check(self, sizes: bool = True) -> None:
        """What patterns cannot say: real calendar days, date order, size in UTF-8 bytes
        (sizes=False when the record's source text is too short to hold a long string).

        Not a pydantic validator: calling one per record costs as much as all the field
        validation pydantic-core does, so importers check whole lists (check_items) and a
        KnowledgeBatch checks what it is built from."""
        values = self.__dict__
        for name in self._dates:
            if values[name] is not None:
                try:
                    date.fromisoformat(values[name])
                except ValueError as exc:
                    raise ValueError(f"{name}: invalid date {values[name]!r} ({exc})") from None
        if len(self._dates) > 1:
            start, end = values["valid_from"], values["valid_to"]
            if start and end and start > end:
                raise ValueError(f"valid_from {start} is after valid_to {end}")
        for name in self._texts if sizes else ():
            value = values[name]
            # a string of at most 16 Ki characters is at most 64 KiB of UTF-8
            if type(value) is str and len(value) > MAX_TEXT_BYTES // 4:
                size = len(value.encode("utf-8"))
                if size > MAX_TEXT_BYTES:
                    raise ValueError(f"{name}: text is {size} bytes; the limit is 64 KiB")
        for name in self._nested:
            for i, spec in enumerate(values[name]):
                try:
                    spec.check()
                except ValueError as exc:
                    raise ValueError(f"{name}[{i}].{exc}") from None


def check_items(items: Sequence[Input], sources: Sequence[str] | None = None) -> None:
    """Input.check() of every item; the first failure as the ValidationError pydantic would
    raise for that list index, so callers report it like any other invalid field. With the
    items' JSON `sources`, size checks are skipped for records too short to need them."""
    for index, item in enumerate(items):
        try:
            item.check(sources is None or len(sources[index]) > MAX_TEXT_BYTES // 4)
        except ValueError as exc:
            raise ValidationError.from_exception_data(type(item).__name__, [InitErrorDetails(
                type="value_error", loc=(index,), input=item, ctx={"error": exc})]) from None


class Source(Input):
    id: SourceId
    title: Text
    uri: OptText = None
    kind: SourceKind
    authority: Annotated[int, Field(ge=0, le=100)]
    captured_at: IsoDate = None

    def row(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "uri": self.uri, "kind": self.kind,
                "authority": self.authority, "captured_at": self.captured_at,
                "status": "active"}


class AliasSpec(Input):
    """An alias as written inside its entity in an import file."""

    alias: Text
    kind: AliasKind = "name"
    valid_from: IsoDate = None
    valid_to: IsoDate = None
    source: SourceId | None = None



class Alias(AliasSpec):
    entity: EntityId

    def row(self) -> dict[str, Any]:
        from factstore.resolver import normalize

        return {"entity_id": self.entity, "normalized": normalize(self.alias)[:255],
                "alias": self.alias, "alias_kind": self.kind, "valid_from": self.valid_from,
                "valid_to": self.valid_to, "source_id": self.source, "status": "active"}


class RelationSpec(Input):
    rel: Word
    dst: EntityId
    valid_from: IsoDate = None
    valid_to: IsoDate = None
    source: SourceId | None = None



class Relation(RelationSpec):
    src: EntityId

    def row(self) -> dict[str, Any]:
        return {"src_id": self.src, "rel": self.rel, "dst_id": self.dst,
                "valid_from": self.valid_from, "valid_to": self.valid_to,
                "source_id": self.source, "status": "active"}


class Entity(Input):
    id: EntityId
    kind: Word
    name: Text
    description: OptText = None
    source: SourceId | None = None
    aliases: list[AliasSpec] = []
    relations: list[RelationSpec] = []

    def row(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "name": self.name,
                "description": self.description, "source_id": self.source, "status": "active"}


class Definition(Input):
    id: Annotated[str, Field(pattern=r"^def:[^\s]+$", max_length=200)] | None = None
    term: Text
    scope: Word | None = None
    text: Text
    formula: OptText = None
    owner: Annotated[str, Field(max_length=255)] | None = None
    valid_from: IsoDate = None
    valid_to: IsoDate = None
    status: Status = "active"
    source: SourceId | None = None


    @property
    def key(self) -> str:
        return self.id or f"def:{slug(self.term)}@{self.scope or 'global'}"

    def row(self) -> dict[str, Any]:
        return {"id": self.key, "term": self.term, "scope": self.scope, "text": self.text,
                "formula": self.formula, "owner": self.owner, "valid_from": self.valid_from,
                "valid_to": self.valid_to, "source_id": self.source, "status": self.status}


def value_text(value: str | int | float | bool) -> tuple[str, str]:
    """A fact value as stored text, with the value_type it implies."""
    if isinstance(value, bool):
        return ("true" if value else "false"), "bool"
    if isinstance(value, int):
        return str(value), "number"
    if isinstance(value, float):
        return repr(value), "number"
    return value, "text"


class Fact(Input):
    id: Annotated[str, Field(pattern=r"^fact:[^\s]+$", max_length=200)] | None = None
    subject: EntityId
    predicate: Word
    value: Annotated[str, Field(max_length=MAX_TEXT_BYTES, pattern=TEXT_CHARS)] | int | float | bool
    value_type: ValueType | None = None
    unit: Annotated[str, Field(max_length=64)] | None = None
    period: Period | None = None
    valid_from: IsoDate = None
    valid_to: IsoDate = None
    source: SourceId | None = None
    quote: OptText = None
    confidence: Annotated[float, Field(ge=0, le=1)] | None = None
    status: Status = "active"
    supersedes: Annotated[str, Field(pattern=r"^fact:[^\s]+$")] | None = None


    @property
    def key(self) -> str:
        if self.id:
            return self.id
        tail = f"-{slug(self.period).replace('-', '')}" if self.period else ""  # -fy26q3
        return f"fact:{self.subject}-{slug(self.predicate)}{tail}"

    def row(self) -> dict[str, Any]:
        value = self.value
        if type(value) is str:  # the common case, without a function call
            text, implied = value, "text"
        else:
            text, implied = value_text(value)
        return {"id": self.id or self.key, "subject_id": self.subject, "predicate": self.predicate,
                "value": text, "value_type": self.value_type or implied, "unit": self.unit,
                "period": self.period, "valid_from": self.valid_from, "valid_to": self.valid_to,
                "source_id": self.source, "quote": self.quote, "confidence": self.confidence,
                "supersedes": self.supersedes, "status": self.status}


class Rule(Input):
    id: Annotated[str, Field(pattern=r"^rule:[^\s]+$", max_length=200)]
    applies_to: Annotated[str, Field(pattern=r"^(kind:[a-z][a-z0-9_]*|[a-z0-9][a-z0-9._-]*)$")]
    text: Text
    overrides: Annotated[str, Field(pattern=r"^rule:[^\s]+$")] | None = None
    valid_from: IsoDate = None
    valid_to: IsoDate = None
    status: Status = "active"
    source: SourceId | None = None


    def row(self) -> dict[str, Any]:
        return {"id": self.id, "applies_to": self.applies_to, "text": self.text,
                "overrides": self.overrides, "valid_from": self.valid_from,
                "valid_to": self.valid_to, "source_id": self.source, "status": self.status}


class Calendar(Input):
    fiscal_year_start_month: Annotated[int, Field(ge=1, le=12)] = 1


class DocumentHeader(Input):
    """The top level of an import document; records are validated one by one afterwards so an
    error can name the record it is in."""

    factstore: Literal[1]
    calendar: Calendar | None = None
    default_source: SourceId | None = None
    sources: list[dict[str, Any]] = []
    entities: list[dict[str, Any]] = []
    aliases: list[dict[str, Any]] = []
    relations: list[dict[str, Any]] = []
    definitions: list[dict[str, Any]] = []
    facts: list[dict[str, Any]] = []
    rules: list[dict[str, Any]] = []


class KnowledgeBatch(BaseModel):
    """Validated records ready to write: what one import or `add` puts in one commit."""

    model_config = ConfigDict(extra="forbid")

    calendar: Calendar | None = None
    sources: list[Source] = []
    entities: list[Entity] = []
    aliases: list[Alias] = []
    relations: list[Relation] = []
    definitions: list[Definition] = []
    facts: list[Fact] = []
    rules: list[Rule] = []

    @model_validator(mode="after")
    def _check_items(self) -> KnowledgeBatch:
        """Built from records (an API caller's, `add`'s): each is checked once here. The
        importers check their lists as they validate them and assign the result."""
        for name in type(self).model_fields:
            items = getattr(self, name)
            if isinstance(items, list):
                try:
                    check_items(items)
                except ValidationError as exc:
                    err = exc.errors()[0]
                    raise ValueError(f"{name}[{err['loc'][0]}]: "
                                     f"{str(err['msg']).removeprefix('Value error, ')}") from None
        return self


# --- results -------------------------------------------------------------------------------


class WriteResult(BaseModel):
    commit: str | None
    changed: list[str]


class Commit(BaseModel):
    commit: str
    author: str
    date: str
    message: str


class ShowResult(BaseModel):
    id: str
    table: str
    row: dict[str, Any]
    source: dict[str, Any] | None
    last_change: Commit | None


class Version(BaseModel):
    """One version of a row: the commit that made it and the row as that commit left it
    (None when the commit removed the row)."""

    commit: str
    author: str
    date: str
    message: str
    reason: str | None
    source: str | None
    row: dict[str, Any] | None


class History(BaseModel):
    id: str
    versions: list[Version]  # newest first


class Change(BaseModel):
    table: str
    id: str
    op: Literal["added", "modified", "removed"]
    fields: dict[str, dict[str, Any]]
    by: str | None = None  # recorded_by of the row's newest version in the range
    reason: str | None = None


class Diff(BaseModel):
    from_: str = Field(alias="from")
    to: str
    from_commit: str
    to_commit: str
    changes: list[Change]
    summary: dict[str, dict[str, int]]

    model_config = ConfigDict(populate_by_name=True)

    def as_json(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True)


class Tag(BaseModel):
    name: str
    commit: str
    tagger: str
    date: str
    message: str


# --- context packs (DESIGN §7) -------------------------------------------------------------

PackFormat = Literal["md", "xml", "json"]
ItemKind = Literal["fact", "definition", "rule", "alias"]
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


class PackSource(BaseModel):
    id: str
    title: str
    uri: str | None = None
    kind: str | None = None
    authority: int | None = None
    captured_at: str | None = None


class PackItem(BaseModel):
    """One numbered item of a pack. Text fields hold store text with control characters
    removed; renderers escape them, so they can never forge an item or a citation."""

    n: int
    kind: ItemKind
    id: str
    status: ItemStatus
    text: str  # the statement, e.g. "Acme GmbH - acv (FY26-Q3): 1,200,000 EUR"
    note: str | None = None  # e.g. "superseded by [3]"
    quote: str | None = None
    subject: str | None = None  # entity id (facts, aliases) or applies_to (rules)
    predicate: str | None = None
    period: str | None = None
    value: str | None = None  # as stored (facts)
    value_type: str | None = None
    unit: str | None = None
    scope: str | None = None  # definitions
    valid_from: str | None = None
    valid_to: str | None = None
    source: PackSource | None = None
    recorded_by: str | None = None


class Mention(BaseModel):
    """A span of the question and what it resolved to."""

    text: str
    status: Literal["resolved", "ambiguous"]
    entity: dict[str, str] | None = None  # id, name, kind when resolved
    candidates: list[dict[str, Any]] = Field(default_factory=list)  # when ambiguous


class PackOptions(BaseModel):
    """Everything besides the question and the commit that decides a pack's bytes."""

    as_of: str | None = None  # as given (a tag, quarter, hash…); the commit is `version`
    valid_at: str  # YYYY-MM-DD (today when not given, recorded so a replay is identical)
    scope: str | None = None
    max_tokens: int | None = None
    format: PackFormat = "md"


class ContextPack(BaseModel):
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


# --- answer verification (DESIGN §7, `facts verify`) -----------------------------------------

ProblemKind = Literal[
    "unknown_citation",  # [n] that is not an item of the pack
    "number",  # a number, amount or percentage no cited item states
    "currency",  # the cited amount is in another currency
    "date",  # a date no cited item states
    "entity",  # a name the cited items do not talk about
    "uncited",  # a numeric claim in a sentence without a citation
]


class Problem(BaseModel):
    kind: ProblemKind
    claim: str  # as written in the answer: "1.3M", "[7]", "Acme Corporation"
    reason: str  # one line: "1.3M does not match cited [2] (1,200,000 EUR)"


class SentenceCheck(BaseModel):
    text: str
    citations: list[int]  # in the order written, ranges expanded
    claims: list[str]  # numbers, amounts, percentages and dates found, as written
    abstains: bool = False  # says the pack lacks what was asked
    problems: list[Problem] = Field(default_factory=list)


class VerifySummary(BaseModel):
    sentences: int
    cited: int  # sentences with at least one citation
    claims: int
    failed: int  # sentences with at least one problem
    problems: int


class VerifyReport(BaseModel):
    ok: bool
    abstained: bool  # some sentence says the pack lacks the answer
    sentences: list[SentenceCheck]
    summary: VerifySummary

    @property
    def failures(self) -> list[SentenceCheck]:
        return [s for s in self.sentences if s.problems]
