"""The vocabulary of the product, as pydantic models.

Input models use extra="forbid" so a typo in a file is an error, never a silent default. Each
knows how to become the row it is stored as (`row()`); table and column names live in store.py.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

MAX_TEXT_BYTES = 64 * 1024

SourceKind = Literal["system_of_record", "policy", "contract", "wiki", "expert", "email", "chat"]
AliasKind = Literal["name", "abbreviation", "former", "ticker", "code"]
Status = Literal["active", "proposed", "deprecated", "retracted"]
ValueType = Literal["number", "money", "percent", "text", "date", "bool"]


def _check_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("text may not contain NUL characters")
    size = len(value.encode("utf-8"))
    if size > MAX_TEXT_BYTES:
        raise ValueError(f"text is {size} bytes; the limit is {MAX_TEXT_BYTES} (64 KiB)")
    return value


def _check_nonempty(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def _parse_date(value: Any) -> str | None:
    """Dates are ISO strings at the edges; reject anything that is not a real calendar day."""
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()[:10]
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError(f"expected a date YYYY-MM-DD, got {value!r}")
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError as exc:
        raise ValueError(f"invalid date {value!r} ({exc})") from None


Text = Annotated[str, AfterValidator(_check_text), AfterValidator(_check_nonempty)]
OptText = Annotated[str | None, AfterValidator(lambda v: None if v is None else _check_text(v))]
IsoDate = Annotated[str | None, BeforeValidator(_parse_date)]
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

    def _check_valid_range(self) -> None:
        valid_from = getattr(self, "valid_from", None)
        valid_to = getattr(self, "valid_to", None)
        if valid_from and valid_to and valid_from > valid_to:
            raise ValueError(f"valid_from {valid_from} is after valid_to {valid_to}")


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

    @model_validator(mode="after")
    def _range(self) -> AliasSpec:
        self._check_valid_range()
        return self


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

    @model_validator(mode="after")
    def _range(self) -> RelationSpec:
        self._check_valid_range()
        return self


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

    @model_validator(mode="after")
    def _range(self) -> Definition:
        self._check_valid_range()
        return self

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
    value: Annotated[str, AfterValidator(_check_text)] | int | float | bool
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

    @model_validator(mode="after")
    def _range(self) -> Fact:
        self._check_valid_range()
        return self

    @property
    def key(self) -> str:
        tail = f"-{slug(self.period)}" if self.period else ""
        return self.id or f"fact:{self.subject}-{slug(self.predicate)}{tail}"

    def row(self) -> dict[str, Any]:
        text, implied = value_text(self.value)
        return {"id": self.key, "subject_id": self.subject, "predicate": self.predicate,
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

    @model_validator(mode="after")
    def _range(self) -> Rule:
        self._check_valid_range()
        return self

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
