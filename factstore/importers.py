"""Import documents (YAML, JSON, JSONL) -> a validated KnowledgeBatch.

Everything is validated before anything is written; the first problem becomes one line that
names the file, the record and the field. Dates stay strings until pydantic checks them, so a
date like 2026-02-30 is reported against its field rather than as a YAML parse error.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import operator
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar, Protocol, Union

import yaml
from pydantic import Field, TypeAdapter, ValidationError
from pydantic_core import from_json

from factstore.errors import InvalidInput
from factstore.checks import ID_CHARS
from factstore.models import (
    APPLIES_TO,
    ENTITY_ID,
    MODELS,
    PERIOD,
    PERIOD_FORMS,
    DocumentHeader,
    KnowledgeBatch,
    Record,
    check_records,
    omitted_of,
    record_type,
)
from factstore.schema import SINGULAR, TABLES
from factstore.text import (
    BASED_INT,
    DECIMAL_INT,
    FRACTION,
    LARGEST,
    MAX_TEXT_BYTES,
    NOT_FINITE,
    Number,
    parse_number,
)

# The sections a document's default_source applies to: every table whose rows name a source.
SOURCED = tuple(t.name for t in TABLES.values() if ("source_id", "sources") in t.references)


# --- YAML: the 1.2 core schema, and a budget for aliases -------------------------------------

CORE = "tag:yaml.org,2002:"
# Plain scalars that are not text, YAML 1.2 core: true/false, null, integers (decimal, 0o, 0x)
# and floats; PyYAML's YAML 1.1 set would read 00123 as 83, 1:20 as 80, yes as true, 1_000
# as 1000 and 2025-10-31 as a date. A leading zero keeps a value text (text.parse_number).
CORE_SCALARS = [
    ("bool", r"true|True|TRUE|false|False|FALSE", "tTfF"),
    ("null", r"~|null|Null|NULL|", "~nN"),
    ("int", rf"(?:{DECIMAL_INT.pattern}|{BASED_INT.pattern})", "-+0123456789"),
    ("float", FRACTION.pattern, "-+.0123456789"),
    ("float", r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)", "-+."),
]
# Text reached through aliases may come to this many times the file's size, and no more than
# ALIAS_CAP: past it, a small file could expand to gigabytes (an anchor of 60 KB repeated
# 20,000 times is 1.2 GB in a 1.4 MB file).
ALIAS_RATIO = 64
ALIAS_CAP = 64 << 20


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML read with the 1.2 core schema (dates and everything else reach pydantic as
    text) that counts what its aliases repeat."""

    # its own set, not PyYAML's 1.1 one (filled in below)
    yaml_implicit_resolvers: ClassVar[dict[str | None, list[tuple[str, re.Pattern[str]]]]] = {}

    def __init__(self, text: str, name: str = "input") -> None:
        super().__init__(text)
        self.name = name
        self.budget = min(ALIAS_RATIO * len(text), ALIAS_CAP)
        self.sizes: dict[yaml.Node, int] = {}

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node in self.constructed_objects:  # a node seen before: an alias
            self.budget -= self._expanded(node)
            if self.budget < 0:
                raise InvalidInput(
                    f"{self.name}: aliases repeat more text than {ALIAS_RATIO} times the "
                    f"file's size or {ALIAS_CAP >> 20} MiB (past it repeating the anchor at line "
                    f"{node.start_mark.line + 1}); write the text out instead")
        return super().construct_object(node, deep)

    def _expanded(self, root: yaml.Node) -> int:
        """How much text a node stands for once every alias in it is expanded: its scalars'
        length plus one per node. Iterative, each node measured once."""
        sizes, open_ = self.sizes, set()
        stack: list[tuple[yaml.Node, bool]] = [(root, False)]
        while stack:
            node, done = stack.pop()
            if node in sizes:
                continue
            if isinstance(node, yaml.ScalarNode):
                sizes[node] = len(node.value) + 1
                continue
            children = [n for pair in node.value for n in pair] \
                if isinstance(node, yaml.MappingNode) else list(node.value)
            if done:
                sizes[node] = 1 + sum(sizes[child] for child in children)
                open_.discard(node)
                continue
            if node in open_:
                raise InvalidInput(f"{self.name}: line {node.start_mark.line + 1}: an alias "
                                   "refers to a node that contains it")
            open_.add(node)
            stack.append((node, True))
            stack.extend((child, False) for child in children if child not in sizes)
        return sizes[root]

    def construct_yaml_bool(self, node: yaml.Node) -> bool:
        text = str(self.construct_scalar(node))
        if text not in ("true", "True", "TRUE", "false", "False", "FALSE"):
            raise yaml.constructor.ConstructorError(
                None, None, f"{text[:40]!r} is not a boolean (true or false)", node.start_mark)
        return text.lower() == "true"

    def construct_yaml_int(self, node: yaml.Node) -> Any:
        return self._number(node, "an integer", (DECIMAL_INT, BASED_INT))

    def construct_yaml_float(self, node: yaml.Node) -> Any:
        text = self.construct_scalar(node)
        special = {".inf": math.inf, "+.inf": math.inf, "-.inf": -math.inf, ".nan": math.nan}
        if text.lower() in special:
            return special[text.lower()]  # refused where it is used, naming the field
        return self._number(node, "a number", (DECIMAL_INT, FRACTION))

    def _number(self, node: yaml.Node, what: str, forms: tuple[re.Pattern[str], ...]) -> Any:
        text = self.construct_scalar(node)
        if not any(form.fullmatch(text) for form in forms):
            raise yaml.constructor.ConstructorError(
                None, None, f"{text[:40]!r} is not {what}", node.start_mark)
        return parse_number(text)


for _tag, _pattern, _first in CORE_SCALARS:
    _Loader.add_implicit_resolver(CORE + _tag, re.compile(rf"(?:{_pattern})\Z"),
                                  [*_first, ""] if _tag == "null" else list(_first))
# What plain scalars the importer reads as other than text, by first character (the export
# quotes a string that would read as one of them).
CORE_RESOLVERS = _Loader.yaml_implicit_resolvers
# Only the core schema's tags construct anything: !!binary, !!set, !!omap, !!timestamp and
# every other tag are refused as malformed YAML, not turned into bytes, sets or dates.
_Loader.yaml_constructors = {
    tag: constructor for tag, constructor in yaml.SafeLoader.yaml_constructors.items()
    if tag is None or tag in {CORE + t for t in ("str", "seq", "map", "null")}
}
for _tag in ("bool", "int", "float"):
    _Loader.add_constructor(CORE + _tag, getattr(_Loader, f"construct_yaml_{_tag}"))


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")  # a leading BOM is not content
    except FileNotFoundError:
        raise InvalidInput(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path.name}: cannot read ({exc})") from None


SCOPE = re.compile(r"[a-z][a-z0-9_]{0,63}")


@dataclass(frozen=True)
class ImportOptions:
    """What `facts import` may say about a file beyond its content: the scope of the
    definitions it brings (dbt, CSV glossaries), the table a CSV holds, the headers it
    renames (--map COLUMN=FIELD) and the source of its rows that name none."""

    scope: str | None = None
    table: str | None = None
    columns: tuple[tuple[str, str], ...] = ()
    source: str | None = None  # the source of a CSV's rows that name none

    def __post_init__(self) -> None:
        if self.scope is not None and not SCOPE.fullmatch(self.scope):
            raise InvalidInput(f"scope: {self.scope[:60]!r} is not a scope (lowercase letters, "
                               "digits and _, starting with a letter)")
        if self.source is not None and not re.fullmatch(rf"src:{ID_CHARS}+", self.source):
            raise InvalidInput(f"source: {self.source[:60]!r} is not a source id (src:NAME)")


class EntityNames(Protocol):
    """The store's exact lookups a CSV of facts needs: which of some ids exist in a table,
    and the entities a name that is no entity id names exactly (by name or alias)."""

    def entities_named(self, name: str) -> list[str]: ...

    def existing(self, table: str, ids: set[str]) -> set[str]: ...

    def near(self, target: str, ref: str) -> str:
        """'; did you mean …?' with the ids of `target` like ref, or ''."""
        ...


def load_file(path: Path, options: ImportOptions | None = None,
              store: EntityNames | None = None) -> KnowledgeBatch:
    """Read and validate an import file completely: factstore's own YAML, JSON or JSONL, a
    dbt project folder or semantic-layer YAML, a MetricFlow manifest, or a CSV."""
    options = options or ImportOptions()
    try:
        if path.is_dir() or (path.suffix.lower() in (".yml", ".yaml") and _is_dbt(path)):
            from factstore.import_dbt import load_dbt

            _only(options, path, scope=True)
            return validate_document(load_dbt(path, options.scope), where=path.name)
        if path.suffix.lower() in (".csv", ".tsv"):
            from factstore.import_csv import load_csv

            return load_csv(path, options, store)
        _only(options, path)
        if path.suffix == ".jsonl":
            return _jsonl_batch(path.name, _read(path))
        return validate_document(read_document(path), where=path.name)
    except RecursionError:  # the parsers say so themselves; this is the last line of defence
        raise InvalidInput(f"{path.name}: nested too deeply") from None


def _is_dbt(path: Path) -> bool:
    from factstore.import_dbt import is_dbt_yaml

    return is_dbt_yaml(_read(path))


def _only(options: ImportOptions, path: Path, *, scope: bool = False) -> None:
    """Options a format has no use for are refused, not ignored."""
    if options.scope is not None and not scope:
        raise InvalidInput(f"{path.name}: --scope applies to dbt/MetricFlow YAML and CSV "
                           "glossaries")
    if options.table is not None or options.columns or options.source is not None:
        raise InvalidInput(f"{path.name}: --table, --map and --source apply to CSV files")


def read_stream(name: str, text: str) -> list[Any]:
    """Every document of a YAML stream ('---' between them), as read_document reads one."""
    try:
        loader = _Loader(text, name)
        try:
            docs = []
            while loader.check_data():
                docs.append(loader.get_data())
            return docs
        finally:
            loader.dispose()
    except RecursionError:
        raise InvalidInput(f"{name}: nested too deeply") from None
    except yaml.YAMLError as exc:
        raise InvalidInput(_yaml_problem(name, exc)) from None


def read_document(path: Path) -> Any:
    """A YAML or JSON file (by suffix) parsed, dates left as text; one-line errors."""
    return _parse_document(path.name, _read(path), is_json=path.suffix == ".json")


def _parse_document(name: str, text: str, *, is_json: bool) -> Any:
    try:
        if is_json:  # numbers kept as written; NaN and Infinity refused where they are used
            return json.loads(text, parse_float=parse_number, parse_int=parse_number,
                              parse_constant=float)
        loader = _Loader(text, name)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except RecursionError:
        raise InvalidInput(f"{name}: nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{name}: malformed JSON at line {exc.lineno}: {exc.msg}") from None
    except yaml.YAMLError as exc:
        raise InvalidInput(_yaml_problem(name, exc)) from None


def _yaml_problem(name: str, exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    where = f" at line {mark.line + 1}" if mark else ""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return f"{name}: malformed YAML{where}: {problem}"


# Validators are built on first use, not at import: building them costs more than most CLI
# commands, and only imports need them.
@functools.cache
def section_records(section: str) -> TypeAdapter[list[Record]]:
    return MODELS[section].records()


@functools.cache
def _lines() -> TypeAdapter[list[tuple[Record]]]:
    """JSONL: every line a record of any kind, told apart by its "type"; validated in one
    pass. Each line goes in as a one-element array, so a record split over two lines is
    malformed JSON and two records on one line are one too many: a line is a record."""
    return TypeAdapter(list[tuple[Annotated[  # type: ignore[misc, arg-type, unused-ignore]
        Union[tuple(record_type(MODELS[s], kind) for kind, s in SINGULAR.items())],  # noqa: UP007
        Field(discriminator="type"),
    ]]])


def _jsonl_batch(name: str, text: str) -> KnowledgeBatch:
    """One record per line, all parsed and validated in one pass by pydantic-core (the JSON
    never becomes Python dicts first), then grouped by their type: what makes a 100k-fact
    import fast."""
    # Lines end at \n only (a \r before it is JSON whitespace): splitlines() would also
    # break inside strings at U+2028, U+0085 and the like, which JSON allows raw.
    return _jsonl_lines(name, text.split("\n"), 1)


# lines validated (and written) at a time by a streaming import: a chunk this size keeps
# the validator's work in the processor's caches (the reading process of a 100k-fact
# import spent 0.87 s of CPU in chunks of 10,000 lines, 0.71 s in chunks of 2,500)
JSONL_CHUNK = 2_500


def jsonl_chunks(path: Path, lines: int | None = None, first: int | None = None
                 ) -> Iterator[tuple[KnowledgeBatch, int]]:
    """A JSONL file read and validated `lines` (JSONL_CHUNK) lines at a time, in order (the
    first chunk `first` lines, when given): each chunk's batch and the characters read so far.
    Memory follows the chunk, not the file; a problem is the same one-line error, naming the
    file's line, as load_file's. Checks that span chunks (keys seen twice, references) are
    the caller's."""
    try:
        # newline="\n": lines end at \n only, as in _jsonl_batch (no \r or U+2028 splits)
        with path.open(encoding="utf-8-sig", newline="\n") as file:
            number, done, size = 1, 0, first or lines or JSONL_CHUNK
            while True:
                block = list(itertools.islice(file, size))
                if not block:
                    return
                done += sum(map(len, block))  # characters: progress only
                yield _jsonl_lines(path.name, block, number), done
                number += len(block)
                size = lines or JSONL_CHUNK
    except FileNotFoundError:
        raise InvalidInput(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path.name}: cannot read ({exc})") from None
    except RecursionError:
        raise InvalidInput(f"{path.name}: nested too deeply") from None


def _jsonl_lines(name: str, lines: list[str], first: int) -> KnowledgeBatch:
    """Lines `first`, `first` + 1, … of a JSONL file (each may end with its \n) validated."""
    kept = list(filter(str.strip, lines))  # blank lines are skipped
    numbers: Sequence[int] = range(first, first + len(lines))  # line number of each kept line
    if len(kept) < len(lines):
        numbers = [n for n, line in enumerate(lines, start=first) if line.strip()]
    lines = kept
    if not lines:  # only blank lines: nothing to import (not an error)
        return KnowledgeBatch.rows_from({})
    try:
        records = [one for (one,) in _lines().validate_json("[[" + "],[".join(lines) + "]]")]
    except ValidationError as exc:
        raise InvalidInput(f"{name}: {_jsonl_error(exc, numbers, lines)}") from None
    if len(records) != len(lines):  # a line that closes one array and opens another
        raise InvalidInput(f"{name}: {_not_one_record(numbers, lines)}")
    # A JSON string never spans lines: with no line over 16 Ki characters, no text can be
    # over 64 KiB of UTF-8, and the size checks can be skipped.
    sizes = max(map(len, lines), default=0) > MAX_TEXT_BYTES // 4
    groups: dict[str, Sequence[int]] = dict.fromkeys(MODELS, ())
    types = list(map(operator.itemgetter("type"), records))
    if types.count(types[0]) == len(types):  # a chunk of one kind: most of a large file's
        groups[SINGULAR[types[0]]] = range(len(records))
    else:
        lists: dict[str, list[int]] = {section: [] for section in MODELS}
        for index, kind in enumerate(types):
            lists[SINGULAR[kind]].append(index)
        groups.update(lists)
    facts = groups["facts"]
    values = [records[i]["value"] for i in facts] if len(facts) < len(records) else \
        list(map(operator.itemgetter("value"), records))
    if float in set(map(type, values)):  # facts whose value the parser read as a float
        _as_written(name, records, [i for i, v in zip(facts, values, strict=True)
                                    if type(v) is float], lines, numbers)
    sections: dict[str, list[Record]] = {}
    for section, indexes in groups.items():
        if not indexes:
            continue
        items = records if len(indexes) == len(records) else [records[i] for i in indexes]
        try:
            check_records(MODELS[section], items, sizes)
        except ValidationError as exc:
            err = exc.errors()[0]
            at = indexes[int(err["loc"][0])]
            raise InvalidInput(f"{name}: line {numbers[at]}: {_message(err)}") from None
        sections[section] = items
    batch = KnowledgeBatch.rows_from({k: list(v) for k, v in sections.items()})
    batch.omitted = _Omitted(sections, _JsonLines(lines, groups))
    return batch


def _as_written(name: str, records: list[Record], indexes: list[int], lines: list[str],
                numbers: Sequence[int]) -> None:
    """Fact values as their lines write them: pydantic-core reads a number with a fraction or
    an exponent as a float, which keeps about 17 digits, so those lines are read again, all in
    one call, each such number as a Number with its text (parse_number)."""
    try:
        written = json.loads("[" + ",".join(lines[i] for i in indexes) + "]",
                             parse_float=parse_number)
    except (ValueError, RecursionError):  # the validator read them: cannot happen
        return
    for index, record in zip(indexes, written, strict=True):
        value = record["value"]
        if type(value) is str:  # what parse_number makes of a number too long to keep
            raise InvalidInput(f"{name}: line {numbers[index]}: value: number is longer than "
                               "the 64 KiB limit")
        if isinstance(value, Number):
            records[index]["value"] = value


def _not_one_record(numbers: Sequence[int], lines: list[str]) -> str:
    """The first line that is not exactly one JSON value (errors only: parses line by line),
    in the standard library's words, else in those of pydantic-core's parser, which has
    limits of its own (nesting, the range of a number)."""
    for lineno, line in zip(numbers, lines, strict=True):
        try:
            json.loads(line, parse_int=parse_number)
            from_json("[[" + line + "]]")  # as _jsonl_batch reads it
        except json.JSONDecodeError as bad:
            return f"line {lineno}: malformed JSON: {bad.msg}"
        except RecursionError:
            return f"line {lineno}: malformed JSON: nested too deeply"
        except ValueError as bad:
            problem = re.sub(r" at line \d+ column \d+$", "", str(bad))
            if problem.startswith("recursion limit"):
                problem = "nested too deeply"
            return f"line {lineno}: malformed JSON: {problem}"
    return "malformed JSON"


def _jsonl_error(exc: ValidationError, numbers: Sequence[int], lines: list[str]) -> str:
    err = exc.errors()[0]
    if err["type"] == "json_invalid":
        return _not_one_record(numbers, lines)
    loc = list(err["loc"])
    first = loc.pop(0) if loc and isinstance(loc[0], int) else None
    where = f"line {numbers[first]}: " if isinstance(first, int) else ""
    if err["type"] == "too_long":
        return f"{where}more than one record on the line"
    if loc and loc[0] == 0:  # the line's one record
        loc.pop(0)
    if not loc and err["type"] in ("model_type", "dict_type", "model_attributes_type"):
        return f"{where}expected a JSON object"
    if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
        return f"{where}type: expected one of {', '.join(SINGULAR)}"
    if loc and loc[0] in SINGULAR:  # the union member: the record's own type, not a field
        loc.pop(0)
    return _describe(where, loc, err)


def validate_document(doc: Any, *, where: str) -> KnowledgeBatch:
    if not isinstance(doc, dict):
        raise InvalidInput(f"{where}: expected a mapping with 'factstore: 1' at the top")
    try:
        header = DocumentHeader.model_validate(doc)
    except ValidationError as exc:
        raise InvalidInput(f"{where}: {_first_error(exc, None, doc)}") from None
    sections = {name: list(getattr(header, name)) for name in MODELS}
    if header.default_source:
        for name in SOURCED:
            sections[name] = [_with_source(r, header.default_source) for r in sections[name]]
    validated: dict[str, list[Record]] = {}
    for name, model in MODELS.items():
        records = sections[name]
        try:
            validated[name] = section_records(name).validate_python(records)
            check_records(model, validated[name])
        except ValidationError as exc:
            raise InvalidInput(f"{where}: {_first_error(exc, name, records)}") from None
    batch = KnowledgeBatch.rows_from({k: list(v) for k, v in validated.items()},
                                     header.calendar)
    batch.omitted = _Omitted(validated, lambda section, i: sections[section][i])
    return batch


class _Omitted:
    """Which optional fields each top-level record left out, worked out only for the rows
    asked about (those a write finds stored): raw(section, i) is record i as parsed. Aliases
    and relations written inside their entity give every field. A class, not a closure, so
    a chunk pickles with its rows (a streamed import reads in another process): rows are
    found by identity, which one pickle of the batch keeps."""

    def __init__(self, records: dict[str, list[Record]], raw: Callable[[str, int], Any]
                 ) -> None:
        self.records, self.raw = records, raw
        self.where: dict[str, dict[int, int]] = {}

    def __call__(self, section: str, row: Record) -> list[str]:
        if section not in self.records:
            return []
        if section not in self.where:
            self.where[section] = {id(r): i for i, r in enumerate(self.records[section])}
        i = self.where[section].get(id(row))
        if i is None:
            return []
        # a fact's type left out is the one its value implies, as in a first import
        return [c for c in omitted_of(self.raw(section, i), MODELS[section])
                if c != "value_type"]

    def __getstate__(self) -> dict[str, Any]:
        return {"records": self.records, "raw": self.raw, "where": {}}


class _JsonLines:
    """raw for _Omitted: record i of a section as its line of a JSONL chunk says it."""

    def __init__(self, lines: list[str], groups: dict[str, Sequence[int]]) -> None:
        self.lines, self.groups = lines, groups

    def __call__(self, section: str, i: int) -> Any:
        return json.loads(self.lines[self.groups[section][i]], parse_float=parse_number)


def _with_source(record: Any, source: str) -> Any:
    if not isinstance(record, dict):
        return record
    out = dict(record)
    out.setdefault("source", source)
    for nested in ("aliases", "relations"):
        if isinstance(out.get(nested), list):
            out[nested] = [
                {**r, "source": r.get("source", source)} if isinstance(r, dict) else r
                for r in out[nested]
            ]
    return out


def _first_error(exc: ValidationError, section: str | None, records: Any) -> str:
    """One line: section[index] (id): field: what is wrong."""
    err = exc.errors()[0]
    loc = list(err["loc"])
    where = ""
    if section is not None and loc and isinstance(loc[0], int):
        index = int(loc.pop(0))
        record = records[index] if index < len(records) else None
        ident = record.get("id") if isinstance(record, dict) else None
        where = f"{section}[{index}]" + (f" ({_shown(ident)})" if ident else "") + ": "
    return _describe(where, loc, err)


def _shown(ident: Any) -> str:
    """A record's id or a field's name as an error names it: as written when it is plain
    ASCII, else quoted with escapes (an invisible character or a line break must not hide in
    the one-line message); cut at 80 characters."""
    text = str(ident)
    shown = text if text.isascii() and text.isprintable() else ascii(text)
    return shown if len(shown) <= 80 else shown[:79] + "…"


def describe_error(exc: ValidationError) -> str:
    """The first problem of a validation error as 'field: what is wrong'."""
    err = exc.errors()[0]
    return _describe("", list(err["loc"]), err)


def _describe(where: str, loc: list[Any], err: Any) -> str:
    """'where field: what is wrong'. Union members add their type name to the location; the
    user wrote a field, not a type, so those parts are dropped."""
    field = ".".join(_shown(p) if isinstance(p, str) else str(p) for p in loc
                     if not _is_type_tag(p))
    return f"{where}{field}: {_message(err)}" if field else f"{where}{_message(err)}"


def _is_type_tag(part: Any) -> bool:
    """A union member's tag pydantic puts in a location ('str', 'function-after[...]'), not a
    name the user wrote (a key like 'fact:a-b' has other characters)."""
    return isinstance(part, str) and (
        part in {"str", "int", "float", "bool", "none", "date"}
        or TYPE_TAG.fullmatch(part) is not None
    )


TYPE_TAG = re.compile(r"[a-z]+(-[a-z]+)+(\[.*\])?|[a-z]+\[.*\]", re.S)


def problem_message(err: Any) -> str:
    """What one pydantic error says is wrong, in the importers' words (no field name)."""
    return _message(err)


def _message(err: Any) -> str:
    kind, value = err["type"], err.get("input")
    if (isinstance(value, float) and not math.isfinite(value)) or \
            (type(value) is int and abs(value) > LARGEST):
        return NOT_FINITE  # every member of a union refused it; say why, once
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "required field is missing"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "expected a record (a mapping of fields)"
    if kind == "string_too_long" and err.get("ctx", {}).get("max_length") == MAX_TEXT_BYTES:
        return "text is longer than the 64 KiB limit"
    if kind == "string_pattern_mismatch" and isinstance(value, str):
        if ID_CHARS in err["ctx"]["pattern"] or err["ctx"]["pattern"] in (ENTITY_ID, APPLIES_TO):
            return _bad_id(value, err["ctx"]["pattern"])
        if "\x00" in value:
            return "text may not contain NUL characters"
        if not value.strip():
            return "must not be empty"
        if err["ctx"]["pattern"].startswith(r"^\d{4}-"):
            return f"expected a date YYYY-MM-DD, got {value!r}"
        if err["ctx"]["pattern"] == PERIOD:
            return f"expected a period such as {PERIOD_FORMS}, got {value[:60]!r}"
        return f"{value[:60]!r} is not a valid value here (expected {err['ctx']['pattern']})"
    return str(err["msg"]).removeprefix("Value error, ")


def _bad_id(value: str, pattern: str) -> str:
    """Why a value is not an id: the first character no id may hold, named by its code point
    (an invisible one would otherwise make the message look wrong), or the form it lacks."""
    shown = f"{value[:60]!r}"
    odd = next((ch for ch in value if not "!" <= ch <= "~"), None)
    if odd is not None:
        name = unicodedata.name(odd, "a control character")
        return (f"{shown} holds U+{ord(odd):04X} ({name}); ids are printable ASCII with no "
                "spaces")
    if pattern == ENTITY_ID:
        return f"{shown} is not an entity id (lowercase letters, digits, '.', '_', '-')"
    if pattern == APPLIES_TO:
        return f"{shown} is neither an entity id nor kind:KIND"
    prefix = pattern[1:pattern.index(":") + 1]
    return f"{shown} is not a valid id here (expected {prefix} and then printable ASCII)"


__all__ = [
    "ALIAS_CAP",
    "ALIAS_RATIO",
    "CORE",
    "CORE_RESOLVERS",
    "CORE_SCALARS",
    "JSONL_CHUNK",
    "SCOPE",
    "SOURCED",
    "TYPE_TAG",
    "EntityNames",
    "ImportOptions",
    "describe_error",
    "jsonl_chunks",
    "load_file",
    "problem_message",
    "read_document",
    "read_stream",
    "section_records",
    "validate_document"
]
