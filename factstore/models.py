"""The vocabulary of the product, as pydantic models.

Input models use extra="forbid" so a typo in a file is an error, never a silent default. Each
knows how to become the row it is stored as (`row()`); table and column names live in store.py.
"""

from __future__ import annotations

import functools
import operator
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date
from typing import Annotated, Any, ClassVar, Literal, NotRequired, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator
from pydantic_core import InitErrorDetails
from typing_extensions import TypedDict  # pydantic needs this one on Python < 3.12

from factstore.authors import AUTHOR_MAX, AUTHOR_PATTERN
from factstore.checks import ID_CHARS, ID_MAX, NONEMPTY_TEXT, NUMBER, TEXT_CHARS
from factstore.checks import value_text as value_text  # (it was defined here before)
from factstore.schema import AliasKind as AliasKind  # the column vocabularies, kept here too
from factstore.schema import SourceKind as SourceKind
from factstore.schema import Status as Status
from factstore.schema import ValueType as ValueType
from factstore.schema import NUMERIC, alias_spellings, dump_spellings, spelling_of
from factstore.schema import authority_of as authority_of  # (they were here before schema.py)
from factstore.schema import same_value as same_value
from factstore.results import (  # the plain results, as they were before results.py
    BlameLine as BlameLine,
    Branch as Branch,
    Commit as Commit,
    History as History,
    Listing as Listing,
    Match as Match,
    MatchedBy as MatchedBy,
    Remote as Remote,
    ShowResult as ShowResult,
    Tag as Tag,
    Version as Version,
    WriteResult as WriteResult,
    match_note as match_note,
)
from factstore.results import (  # the packs' results, as they were before results.py
    ContextPack as ContextPack,
    ItemKind as ItemKind,
    ItemStatus as ItemStatus,
    LoggedPack as LoggedPack,
    Mention as Mention,
    PackFormat as PackFormat,
    PackItem as PackItem,
    PackOptions as PackOptions,
    PackSource as PackSource,
)
from factstore.text import LARGEST, Number
from factstore.text import MAX_TEXT_BYTES as MAX_TEXT_BYTES  # the limit on text fields




# Constraints are checked by pydantic-core where it can (patterns, lengths) and once per record
# in Input.check for the rest, so a 100k-fact import is not 100k x fields Python calls.
# (TEXT_CHARS, NONEMPTY_TEXT, ID_CHARS, ID_MAX: factstore.checks, which checks a correction's
# fields to the same patterns without pydantic)
DATE_FIELDS = ("valid_from", "valid_to", "captured_at")

Text = Annotated[str, Field(max_length=MAX_TEXT_BYTES, pattern=NONEMPTY_TEXT)]
OptText = Annotated[str, Field(max_length=MAX_TEXT_BYTES, pattern=TEXT_CHARS)] | None
IsoDate = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")] | None
Word = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
# Ids, one rule for every table: printable ASCII, no spaces (U+0021..U+007E). No control,
# format or zero-width character, and no letter from another script, can make two ids that
# print alike. Entity ids are slugs (a subset); the others are their table's prefix and then
# printable ASCII. References to ids (source, subject, supersedes, overrides…) take the same.
ENTITY_ID = r"^[a-z0-9][a-z0-9._-]*$"
EntityId = Annotated[str, Field(pattern=ENTITY_ID, max_length=ID_MAX)]
APPLIES_TO = r"^(kind:[a-z][a-z0-9_]*|[a-z0-9][a-z0-9._-]*)$"  # a rule's: an entity or a kind

SourceId = Annotated[str, Field(pattern=rf"^src:{ID_CHARS}+$", max_length=ID_MAX)]
DefinitionId = Annotated[str, Field(pattern=rf"^def:{ID_CHARS}+$", max_length=ID_MAX)]
FactId = Annotated[str, Field(pattern=rf"^fact:{ID_CHARS}+$", max_length=ID_MAX)]
RuleId = Annotated[str, Field(pattern=rf"^rule:{ID_CHARS}+$", max_length=ID_MAX)]
Author = Annotated[str, Field(pattern=AUTHOR_PATTERN, max_length=AUTHOR_MAX)]
PERIOD = r"^(FY\d{2}(-(Q[1-4]|H[12]))?|\d{4}(-(Q[1-4]|H[12]|\d{2}(-\d{2})?))?)$"
PERIOD_FORMS = "FY26-Q3, FY26-H1, FY26, 2026-Q1, 2026-H2, 2026-03, 2026-03-31 or 2026"
Period = Annotated[str, Field(pattern=PERIOD)]


@functools.lru_cache(maxsize=4096)  # an import slugs the same few predicates and periods 100k times
def slug(text: str) -> str:
    """A readable, stable key fragment: 'Active customer' -> 'active-customer'."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or "x"


# An input field stored under another column name; records (TypedDict) use the column names,
# so a validated record is already (nearly) its table's row.
COLUMN_OF = {"source": "source_id", "subject": "subject_id", "entity": "entity_id",
             "src": "src_id", "dst": "dst_id"}


class Input(BaseModel):
    """One record as a Python caller builds it (`facts add`, the MCP tools, tests): fully
    checked on construction. Files are validated as plain records instead (`records()`)."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    _renamed: ClassVar[dict[str, str]] = {}  # this model's own field -> column renames
    _keys: ClassVar[dict[str, str]] = {}  # field -> its key in a record
    _dates: ClassVar[tuple[str, ...]] = ()
    _texts: ClassVar[tuple[str, ...]] = ()  # record keys
    _nested: ClassVar[dict[str, type[Input]]] = {}  # an entity's aliases and relations

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        fields = cls.model_fields
        cls._keys = {n: cls._renamed.get(n) or COLUMN_OF.get(n, n) for n in fields}
        cls._dates = tuple(n for n in fields if n in DATE_FIELDS)
        cls._texts = tuple(cls._keys[n] for n, f in fields.items()
                           if "str" in str(f.annotation) and n not in DATE_FIELDS)
        cls._nested = {n: get_args(f.annotation)[0] for n, f in fields.items()
                       if get_origin(f.annotation) is list
                       and issubclass(get_args(f.annotation)[0], Input)}

    @model_validator(mode="after")
    def _check(self) -> Input:
        problem = type(self).problem(self.record(), nested=False)  # nested ones checked theirs
        if problem:
            raise ValueError(problem)
        return self

    def record(self) -> Record:
        """This item as the record a file would have given (column-named keys)."""
        return {self._keys[n]: [spec.record() for spec in v] if n in self._nested else v
                for n, v in self.__dict__.items()}

    @classmethod
    def problem(cls, record: Record, sizes: bool = True, nested: bool = True) -> str | None:
        """What field patterns cannot say, as 'field: what is wrong': real calendar days, date
        order, size in UTF-8 bytes (sizes=False when the record's source text is too short to
        hold a long string). A model runs it on construction; a file's records are checked in
        bulk by check_records, which looks only at records that could have a problem."""
        for name in cls._dates:
            if record.get(name) is not None:
                try:
                    date.fromisoformat(record[name])
                except ValueError as exc:
                    return f"{name}: invalid date {record[name]!r} ({exc})"
        if len(cls._dates) > 1:
            start, end = record.get("valid_from"), record.get("valid_to")
            if start and end and start > end:
                return f"valid_from {start} is after valid_to {end}"
        for key in cls._texts if sizes else ():
            value = record.get(key)
            # a string of at most 16 Ki characters is at most 64 KiB of UTF-8
            if type(value) is str and len(value) > MAX_TEXT_BYTES // 4:
                size = len(value.encode("utf-8"))
                if size > MAX_TEXT_BYTES:
                    field = next(n for n, k in cls._keys.items() if k == key)
                    return f"{field}: text is {size} bytes; the limit is 64 KiB"
        for name, model in cls._nested.items() if nested else ():
            for i, spec in enumerate(record.get(name) or ()):
                problem = model.problem(spec)
                if problem:
                    return f"{name}[{i}].{problem}"
        return None

    @classmethod
    def records(cls, type_tag: str | None = None) -> TypeAdapter[list[Record]]:
        """A validator of lists of this model's records as plain dicts: the same fields,
        constraints and defaults, keyed by column name, without building a model per record
        (half the cost of a 100k-fact import). With type_tag, each record also carries
        `"type": type_tag` (JSONL). Run check_records on the result for what fields cannot say."""
        return TypeAdapter(list[record_type(cls, type_tag)])  # type: ignore[misc, arg-type, unused-ignore]


Record = dict[str, Any]
_RECORD_TYPES: dict[tuple[type[Input], str | None], Any] = {}


def record_type(model: type[Input], type_tag: str | None = None) -> Any:
    """The TypedDict that mirrors `model` field for field (nested models become theirs),
    keyed by column name and reading the field's own name from the input."""
    key = (model, type_tag)
    if key not in _RECORD_TYPES:
        fields: dict[str, Any] = {"type": Literal[type_tag]} if type_tag else {}
        for name, field in model.model_fields.items():
            ann: Any = field.annotation
            if name in model._nested:
                ann = list[record_type(model._nested[name])]  # type: ignore[misc]
            if field.metadata:
                ann = Annotated[(ann, *field.metadata)]
            if model._keys[name] != name:
                ann = Annotated[ann, Field(validation_alias=name)]
            if not field.is_required():
                # a list default ([]) made by a factory: pydantic deep-copies a mutable
                # default for every record that leaves it out (10k entities: 20k copies)
                default = (Field(default_factory=list) if field.default == []
                           else Field(default=field.default))
                ann = NotRequired[Annotated[ann, default]]
            fields[model._keys[name]] = ann
        typed = TypedDict(f"{model.__name__}Record", fields)  # type: ignore[misc]
        typed.__pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[attr-defined]
        _RECORD_TYPES[key] = typed
    return _RECORD_TYPES[key]


def check_records(model: type[Input], records: Sequence[Record], sizes: bool = True) -> None:
    """Input.problem of every record that could have one; the first raised as the
    ValidationError pydantic would raise for that list index, so callers report it like any
    other invalid field. Only records with a date or a nested list are looked at, and with
    sizes=False (the caller knows no string is long enough to pass 64 KiB) no others: one
    100k-fact import is 100k records with none of these."""
    if model._nested or (sizes and model._texts):
        suspects: Iterable[int] = range(len(records))
    else:
        found: set[int] = set()
        for name in model._dates:
            days = list(map(operator.itemgetter(name), records))
            if days.count(None) < len(days):  # (most files' facts give no date)
                found.update([i for i, day in enumerate(days) if day is not None])
        suspects = sorted(found)
    for index in suspects:
        problem = model.problem(records[index], sizes)
        if problem:
            raise ValidationError.from_exception_data(model.__name__, [InitErrorDetails(
                type="value_error", loc=(index,), input=records[index],
                ctx={"error": ValueError(problem)})])
    if model is Fact:
        _numbers(records)


def _numbers(records: Sequence[Record]) -> None:
    """A file's number, money or percent fact has a number for its value, as `add` and
    `correct` require (they check it themselves: a Fact built in Python is not refused for
    it): '3.271.404,5O' or 'n/a' with value_type money would be stored as text that packs
    show as an amount. A number written as text ('1250.50', '+1') is one."""
    if set(map(operator.itemgetter("value_type"), records)).isdisjoint(NUMERIC):
        return  # (no type given: the value's own is implied)
    for index, r in enumerate(records):
        value, kind = r["value"], r["value_type"]
        if kind in NUMERIC and (type(value) is bool or (
                type(value) is str and not NUMBER.fullmatch(value.removeprefix("+")))):
            raise ValidationError.from_exception_data("Fact", [InitErrorDetails(
                type="value_error", loc=(index,), input=r, ctx={"error": ValueError(
                    f"value: {value!r} is not a number (value_type {kind})")})])


# The bookkeeping a record may carry (an export writes them): who recorded the row and why.
PROVENANCE = ("recorded_by", "reason")


class Recorded(Input):
    """An item of one of the seven tables. Its record may say who recorded it and why, as an
    export writes them; a normal import ignores both (the row is recorded by whoever imports,
    with the import's reason)."""

    recorded_by: Author | None = None
    reason: OptText = None


class Source(Recorded):
    id: SourceId
    title: Text
    uri: OptText = None
    kind: SourceKind
    authority: Annotated[int, Field(ge=0, le=100)]
    captured_at: IsoDate = None
    status: Status = "active"


class AliasSpec(Recorded):
    """An alias as written inside its entity in an import file."""

    _renamed = {"kind": "alias_kind"}

    alias: Text
    kind: AliasKind = "name"
    valid_from: IsoDate = None
    valid_to: IsoDate = None
    source: SourceId | None = None
    status: Status = "active"


class Alias(AliasSpec):
    entity: EntityId


class RelationSpec(Recorded):
    rel: Word
    dst: EntityId
    valid_from: IsoDate = None
    valid_to: IsoDate = None
    source: SourceId | None = None
    status: Status = "active"


class Relation(RelationSpec):
    src: EntityId


class Entity(Recorded):
    id: EntityId
    kind: Word
    name: Text
    description: OptText = None
    source: SourceId | None = None
    status: Status = "active"
    aliases: list[AliasSpec] = []
    relations: list[RelationSpec] = []


class Definition(Recorded):
    id: DefinitionId | None = None
    term: Text
    scope: Word | None = None
    text: Text
    formula: OptText = None
    owner: Annotated[str, Field(max_length=255, pattern=TEXT_CHARS)] | None = None
    valid_from: IsoDate = None
    valid_to: IsoDate = None
    status: Status = "active"
    source: SourceId | None = None


class Fact(Recorded):
    id: FactId | None = None
    subject: EntityId
    predicate: Word
    # Strict but for text: a string the text rule refuses (too long, a NUL) is not read again
    # as a number or a boolean ("1.000…" over 64 KiB would be 1).
    value: (Annotated[str, Field(max_length=MAX_TEXT_BYTES, pattern=TEXT_CHARS)]
            | Annotated[bool, Field(strict=True)]
            | Annotated[int, Field(strict=True, ge=-LARGEST, le=LARGEST)]
            | Annotated[float, Field(strict=True, allow_inf_nan=False)] | Number)
    value_type: ValueType | None = None
    unit: Annotated[str, Field(max_length=64, pattern=TEXT_CHARS)] | None = None
    period: Period | None = None
    valid_from: IsoDate = None
    valid_to: IsoDate = None
    source: SourceId | None = None
    quote: OptText = None
    confidence: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] | None = None
    status: Status = "active"
    supersedes: FactId | None = None
    # The day the fact was captured; left out, its source's captured_at when it is written,
    # else the day of the write (see factstore.store.imports).
    captured_at: IsoDate = None


class Rule(Recorded):
    id: RuleId
    applies_to: Annotated[str, Field(pattern=APPLIES_TO, max_length=200)]
    text: Text
    overrides: RuleId | None = None
    valid_from: IsoDate = None
    valid_to: IsoDate = None
    status: Status = "active"
    source: SourceId | None = None


# The input model of each table, by table name (import sections are named after the tables).
MODELS: dict[str, type[Input]] = {
    "sources": Source, "entities": Entity, "aliases": Alias, "relations": Relation,
    "definitions": Definition, "facts": Fact, "rules": Rule,
}


class Calendar(Input):
    fiscal_year_start_month: Annotated[int, Field(ge=1, le=12)] = 1


class DocumentHeader(Input):
    """The top level of an import document; records are validated one by one afterwards so an
    error can name the record it is in."""

    factstore: Literal[1]
    calendar: Calendar | None = None
    default_source: SourceId | None = None
    sources: list[Any] = []
    entities: list[Any] = []
    aliases: list[Any] = []
    relations: list[Any] = []
    definitions: list[Any] = []
    facts: list[Any] = []
    rules: list[Any] = []


# --- from validated records to stored rows --------------------------------------------------


def definition_key(record: Record) -> str:
    return record["id"] or f"def:{slug(record['term'])}@{record['scope'] or 'global'}"


def fact_key(record: Record) -> str:
    if record["id"]:
        return str(record["id"])
    period = record["period"]
    tail = f"-{slug(period).replace('-', '')}" if period else ""  # -fy26q3
    return f"fact:{record['subject_id']}-{slug(record['predicate'])}{tail}"


def _fill_facts(rows: list[Record]) -> None:
    for r in rows:
        if r["id"] is None:
            r["id"] = fact_key(r)
        value = r["value"]
        if type(value) is str:  # the common cases without a function call
            implied = "text"
        elif type(value) is int:
            r["value"], implied = str(value), "number"
        else:
            r["value"], implied = value_text(value)
        if r["value_type"] is None:
            r["value_type"] = implied


def _fill_aliases(rows: list[Record]) -> None:
    """Normalised names; spellings of one normalised name of an entity become one row, the
    first spelling its own, the others in its `spellings` (the same spelling twice is left
    for the key check to name)."""
    from factstore.resolver import normalize

    groups: dict[tuple[str, str], Record] = {}
    kept: list[Record] = []
    for r in rows:
        r["normalized"] = normalize(r["alias"])[:255]
        r["spellings"] = None
        first = groups.setdefault((r["entity_id"], r["normalized"]), r)
        if first is r or r["alias"] in {s["alias"] for s in alias_spellings(first)}:
            kept.append(r)
            continue
        first["spellings"] = dump_spellings([*alias_spellings(first)[1:], spelling_of(r)])
    if len(kept) < len(rows):
        rows[:] = kept


def _fill_normalized(key: str) -> Callable[[list[Record]], None]:
    def fill(rows: list[Record]) -> None:
        from factstore.resolver import normalize

        for r in rows:
            r["normalized"] = normalize(r[key])[:255]
    return fill


def _fill_definitions(rows: list[Record]) -> None:
    _fill_normalized("term")(rows)
    for r in rows:
        r["id"] = definition_key(r)


# section -> what turns its validated records into its table's rows, in place
FILL: dict[str, Callable[[list[Record]], None]] = {
    "entities": _fill_normalized("name"), "aliases": _fill_aliases,
    "definitions": _fill_definitions, "facts": _fill_facts,
}


# (table, row) -> the optional columns the row's record left out (a file's record that says
# nothing of its source keeps the stored one; `source: null` clears it)
Omitted = Callable[[str, Record], Iterable[str]]


def optional_columns(model: type[Input]) -> dict[str, str]:
    """Field -> column of the fields a record may leave out to keep the stored value: the
    optional ones, but for ids (derived from the rest when left out) and provenance."""
    return {n: model._keys[n] for n, f in model.model_fields.items()
            if not f.is_required() and n not in model._nested and n != "id"
            and n not in PROVENANCE}


def omitted_of(raw: Mapping[str, Any], model: type[Input]) -> list[str]:
    """The optional columns a raw record (as parsed from a file) does not give."""
    return [c for n, c in optional_columns(model).items() if n not in raw]


@dataclass
class KnowledgeBatch:
    """Validated rows ready to write: what one import or `add` puts in one commit.

    Built from validated records (`rows_from`), which become their tables' rows in place:
    keys are column names, derived columns (ids, normalized aliases, value types) filled in,
    and aliases and relations written inside an entity moved to their own tables. Keys that
    are not columns (a JSONL record's "type") are ignored when written."""

    calendar: Calendar | None = None
    sources: list[Record] = dc_field(default_factory=list)
    entities: list[Record] = dc_field(default_factory=list)
    aliases: list[Record] = dc_field(default_factory=list)
    relations: list[Record] = dc_field(default_factory=list)
    definitions: list[Record] = dc_field(default_factory=list)
    facts: list[Record] = dc_field(default_factory=list)
    rules: list[Record] = dc_field(default_factory=list)
    # Which optional columns a row's record left out (they keep the stored value); None:
    # every record gave every field (or its default stands for it).
    omitted: Omitted | None = None

    @classmethod
    def rows_from(
        cls, records: dict[str, list[Record]], calendar: Calendar | None = None
    ) -> KnowledgeBatch:
        batch = cls(calendar=calendar, **records)  # type: ignore[arg-type]
        for entity in batch.entities:
            batch.aliases += [{**spec, "entity_id": entity["id"]} for spec in entity["aliases"]]
            batch.relations += [{**rel, "src_id": entity["id"]} for rel in entity["relations"]]
        for section, fill in FILL.items():
            fill(getattr(batch, section))  # the other sections' records are their rows
        return batch

    @classmethod
    def of(cls, section: str, item: Input) -> KnowledgeBatch:
        """A batch of one model instance (already checked on construction)."""
        return cls.rows_from({section: [item.record()]})


# --- results -------------------------------------------------------------------------------


class Result(BaseModel):
    """A result the store returns: its validator is built on first use, not at import, so a
    command pays only for the models it uses (most commands use two or three)."""

    model_config = ConfigDict(defer_build=True)


class ChangeCommit(Result):
    """One commit that changed a row's knowledge within a diff's range."""

    commit: str
    author: str  # of the commit (for a merge: who merged)
    date: str
    reason: str | None  # the row's, as that commit left it
    recorded_by: str | None  # the row's, as that commit left it


class Change(Result):
    table: str
    id: str
    op: Literal["added", "modified", "removed"]
    fields: dict[str, dict[str, Any]]
    by: str | None = None  # recorded_by of the row's newest version in the range
    reason: str | None = None
    commits: list[ChangeCommit] = []  # every commit on TO's line since FROM, newest first


class Diff(Result):
    from_: str = Field(alias="from")
    to: str
    from_commit: str
    to_commit: str
    changes: list[Change]
    summary: dict[str, dict[str, int]]

    model_config = ConfigDict(populate_by_name=True, defer_build=True)

    def as_json(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True)


__all__ = [
    "APPLIES_TO", "COLUMN_OF", "DATE_FIELDS", "ENTITY_ID", "FILL", "MODELS", "PERIOD",
    "PERIOD_FORMS", "PROVENANCE", "Alias", "AliasKind", "AliasSpec", "Author",
    "BlameLine", "Branch", "Calendar", "Change", "ChangeCommit", "Commit", "ContextPack",
    "Definition", "DefinitionId", "Diff", "DocumentHeader", "Entity", "EntityId", "Fact", "FactId",
    "History", "Input", "IsoDate", "ItemKind", "ItemStatus", "KnowledgeBatch", "Listing",
    "LoggedPack", "Match", "MatchedBy", "Mention", "Omitted", "OptText", "PackFormat", "PackItem",
    "PackOptions", "PackSource", "Period", "Record", "Recorded", "Relation", "RelationSpec",
    "Remote", "Result", "Rule", "RuleId", "ShowResult", "Source", "SourceId", "SourceKind",
    "Status", "Tag", "Text", "ValueType", "Version", "Word", "WriteResult", "authority_of",
    "check_records", "definition_key", "fact_key", "match_note", "omitted_of", "optional_columns",
    "record_type", "same_value", "slug", "value_text"
]
