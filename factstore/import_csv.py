"""CSV glossaries and fact tables: import (a header row, --map COLUMN=FIELD for other
headers) and export, the one the inverse of the other.

A CSV holds one table. Its header names the fields (case, spaces and hyphens aside):
- a glossary (definitions): term, definition, and optionally id, scope, formula, owner,
  valid_from, valid_to, status, source;
- facts: subject, predicate, value, and optionally id, value_type, unit, period, valid_from,
  valid_to, source, quote, confidence, status, supersedes.
The table is told by its columns (a `term` column: a glossary; `subject` or `predicate`:
facts), or named with --table. `--map "Begriff=term"` reads another header as a field, and
`--map "Notes="` leaves a column out. An empty cell is an absent field. A subject is an entity
id, or exactly (normalised) an entity's name or alias; a name that is unknown, or that names
several entities, is an error naming its row: nothing is guessed. Rows are numbered as a
spreadsheet shows them, the header being row 1. A value is a number or a boolean when it reads
as one and no value_type says otherwise (the export writes value_type, so a value stays as
stored). Every error is one line naming the file, the row and the column; nothing is written.
"""

from __future__ import annotations

import csv
import io
import itertools
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from factstore.errors import InvalidInput
from factstore.importers import (
    EntityNames,
    ImportOptions,
    problem_message,
    section_records,
)
from factstore.models import MODELS, KnowledgeBatch, Record, check_records, value_text
from factstore.schema import NUMERIC
from factstore.text import BASED_INT, MAX_TEXT_BYTES, parse_number, plain_number

# The columns of each table, in the order an export writes them.
COLUMNS: dict[str, tuple[str, ...]] = {
    "definitions": ("id", "term", "scope", "definition", "formula", "owner", "valid_from",
                    "valid_to", "status", "source"),
    "facts": ("id", "subject", "predicate", "value", "value_type", "unit", "period",
              "valid_from", "valid_to", "source", "quote", "confidence", "status",
              "supersedes"),
}
REQUIRED = {"definitions": ("term", "definition"), "facts": ("subject", "predicate", "value")}
FIELD_OF = {"definition": "text"}  # a column whose field has another name
COLUMN_OF = {field: column for column, field in FIELD_OF.items()}
TABLES = tuple(COLUMNS)


def _key(header: str) -> str:
    return "_".join(header.strip().lower().replace("-", " ").split())


def _read(path: Path) -> tuple[list[list[str]], str]:
    """The CSV's rows, and its separator."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InvalidInput(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path.name}: cannot read ({exc})") from None
    delimiter = "\t" if path.suffix.lower() == ".tsv" else _delimiter(text)
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter,
                               strict=True)), delimiter
    except csv.Error as exc:
        raise InvalidInput(f"{path.name}: malformed CSV: {exc}") from None


def _delimiter(text: str) -> str:
    """A CSV's separator, told by its header line: the one of , ; and tab it holds most
    (a spreadsheet saved with a comma as decimal mark writes ';'), else ','."""
    header = text.split("\n", 1)[0]
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _fields(name: str, header: list[str], options: ImportOptions) -> tuple[str, list[str | None]]:
    """(the table, each column's field or None for a column left out)."""
    mapped: dict[int, str | None] = {}
    for column, target in options.columns:
        at = [i for i, h in enumerate(header) if h.strip() == column.strip()] or \
            [i for i, h in enumerate(header) if _key(h) == _key(column)]
        if not at:
            raise InvalidInput(f"{name}: --map {column}={target}: no column {column!r} in the "
                               "header")
        mapped[at[0]] = _key(target) or None
    fields = [mapped[i] if i in mapped else _key(h) for i, h in enumerate(header)]
    table: str | None = options.table
    if table is None:
        present = set(fields)
        table = "definitions" if "term" in present else \
            "facts" if present & {"subject", "predicate"} else None
    if table not in COLUMNS:
        raise InvalidInput(
            f"{name}: header: expected a glossary (term, definition, …) or facts (subject, "
            "predicate, value, …); name the columns with --map COLUMN=FIELD or pass --table")
    known = set(COLUMNS[table]) | set(COLUMN_OF)
    fields = [COLUMN_OF.get(f, f) if f else None for f in fields]  # text -> definition
    for i, field in enumerate(fields):
        if field is not None and field not in known:
            raise InvalidInput(
                f"{name}: column {header[i]!r}: not a field of {table} (fields: "
                f"{', '.join(COLUMNS[table])}); use --map '{header[i]}=FIELD', or "
                f"--map '{header[i]}=' to leave it out")
        if field is not None and fields.index(field) != i:
            raise InvalidInput(f"{name}: columns {header[fields.index(field)]!r} and "
                               f"{header[i]!r} both give {field}")
    for field in REQUIRED[table]:
        if field not in fields:
            raise InvalidInput(f"{name}: header: no {field} column (map one with --map "
                               f"COLUMN={field})")
    return table, fields


def load_csv(path: Path, options: ImportOptions, store: EntityNames | None) -> KnowledgeBatch:
    """Read and validate a CSV glossary or fact table completely."""
    name = path.name
    rows, delimiter = _read(path)
    decimal = "," if delimiter == ";" else "."
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise InvalidInput(f"{name}: no header row")
    header = rows[0]
    table, fields = _fields(name, header, options)
    if options.scope is not None and table != "definitions":
        raise InvalidInput(f"{name}: --scope applies to glossaries (definitions)")
    records: list[Record] = []
    numbers: list[int] = []  # each record's row, the header being row 1
    used = [(i, field) for i, field in enumerate(fields) if field is not None]
    for number, cells in enumerate(rows[1:], start=2):
        if not "".join(cells).strip():
            continue
        if len(cells) > len(header):
            raise InvalidInput(f"{name}: row {number}: {len(cells)} cells for "
                               f"{len(header)} columns")
        if len(cells) < len(header):
            cells = cells + [""] * (len(header) - len(cells))
        record = {field: cells[i] for i, field in used
                  if cells[i] and not cells[i].isspace()}
        records.append(_typed(record, table, options, decimal))
        numbers.append(number)
    # no cell over 16 Ki characters: no text can be over 64 KiB of UTF-8 (sizes unchecked)
    sizes = max(map(len, itertools.chain.from_iterable(rows)), default=0) > MAX_TEXT_BYTES // 4
    where = _Where(name, header, fields, numbers)
    problems = _references(records, table, store, where)
    if table == "facts":
        for index, bad in problems.items():  # validated with a stand-in, reported by row
            if "subject" in bad:
                records[index]["subject"] = "x"
    problems.update(_invalid(records, table, where, sizes))
    if problems:
        index = min(problems)
        raise InvalidInput(next(iter(problems[index].values())))
    batch = KnowledgeBatch.rows_from({table: records})
    _unique(getattr(batch, table), where)
    return batch


def _typed(record: dict[str, Any], table: str, options: ImportOptions, decimal: str
           ) -> Record:
    """A row's cells as the import format's fields: `definition` is the text, a value a
    number or boolean when it reads as one (and no value_type is given; as a spreadsheet
    writes it too, see text.plain_number), the default scope and source."""
    if options.source is not None and "source" not in record:
        record["source"] = options.source
    if table == "definitions":
        if "definition" in record:
            record["text"] = record.pop("definition")
        if options.scope is not None and "scope" not in record:
            record["scope"] = options.scope
        return record
    value = record.get("value")
    if value is not None and record.get("value_type") in (None, *NUMERIC):
        # a spreadsheet that writes decimal commas groups thousands with spaces: "2 190 000,50"
        value = record["value"] = plain_number(
            value, decimal, numeric=record.get("value_type") is not None or decimal == ",")
    if value is not None and "value_type" not in record:
        number = None if BASED_INT.fullmatch(value) else parse_number(value)
        if value in ("true", "false"):
            record["value"] = value == "true"
        elif number is not None and not isinstance(number, str):
            record["value"] = number
    if "confidence" in record:
        number = parse_number(record["confidence"])
        record["confidence"] = record["confidence"] if number is None else number
    return record


class _Where:
    """Names a record's row and a field's column in an error."""

    def __init__(self, name: str, header: list[str], fields: list[str | None],
                 numbers: list[int]) -> None:
        self.name, self.numbers = name, numbers
        self.columns = {f: header[i] for i, f in enumerate(fields) if f is not None}

    def __call__(self, index: int, field: str | None, problem: str) -> str:
        field = COLUMN_OF.get(field or "", field)
        column = f", column {self.columns.get(field, field)!r}" if field else ""
        return f"{self.name}: row {self.numbers[index]}{column}: {problem}"


def _references(records: list[Record], table: str, store: EntityNames | None, where: _Where
                ) -> dict[int, dict[str, str]]:
    """Subjects resolved exactly to entity ids (in place), and sources that exist: the
    problems found, by record index, then field."""
    problems: dict[int, dict[str, str]] = {}
    if store is None:
        return problems
    sources = {r["source"] for r in records if "source" in r}
    known = store.existing("sources", sources) if sources else set()
    if table == "facts":
        names = {r["subject"] for r in records}
        ids = store.existing("entities", names)
        named = {n: [n] if n in ids else store.entities_named(n) for n in names}
    first: list[int] = []  # the first row with a problem: the one said, with a suggestion

    def near(index: int, target: str, ref: str) -> str:
        first[:] = first or [index]
        return store.near(target, ref) if first == [index] else ""

    for index, record in enumerate(records):
        if table == "facts":
            found = named[record["subject"]]
            if len(found) == 1:
                record["subject"] = found[0]
            else:
                text = record["subject"]
                problem = (f"no entity has the id, name or alias {text!r}"
                           f"{near(index, 'entities', text)}" if not found else
                           f"{text!r} names {len(found)} entities ({', '.join(found)}); use "
                           "the entity id")
                problems.setdefault(index, {})["subject"] = where(index, "subject", problem)
        if "source" in record and record["source"] not in known:
            problems.setdefault(index, {})["source"] = where(
                index, "source", f"no source {record['source']!r} in the store"
                f"{near(index, 'sources', record['source'])}")
    return problems


def _invalid(records: list[Record], table: str, where: _Where, sizes: bool
             ) -> dict[int, dict[str, str]]:
    """The first problem pydantic finds in each record, by record index."""
    problems: dict[int, dict[str, str]] = {}
    try:
        validated = section_records(table).validate_python(records)
    except ValidationError as exc:
        for err in exc.errors():
            loc = list(err["loc"])
            index = int(loc[0])
            field = next((p for p in loc[1:] if isinstance(p, str)), None)
            problems.setdefault(index, {str(field): where(index, field, problem_message(err))})
        return problems
    try:
        check_records(MODELS[table], validated, sizes)
    except ValidationError as exc:
        err = exc.errors()[0]
        index = int(err["loc"][0])
        field, _, problem = problem_message(err).partition(": ")
        if field not in COLUMNS[table] and field not in ("text",):
            field, problem = "", problem_message(err)
        problems[index] = {field: where(index, field or None, problem)}
        return problems
    records[:] = validated
    return problems


def _unique(rows: list[Record], where: _Where) -> None:
    seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        if row["id"] in seen:
            raise InvalidInput(where(index, None, f"{row['id']} appears twice (also row "
                                                  f"{where.numbers[seen[row['id']]]})"))
        seen[row["id"]] = index


# --- export ---------------------------------------------------------------------------------


def dump_csv(records: list[Record], table: str, header: bool = True) -> str:
    """One table's records of an export (factstore.export.document) as CSV, with every column
    (header: its line of column names first): `facts import` of it gives the same rows."""
    if table not in COLUMNS:
        raise InvalidInput(f"--table: CSV holds definitions or facts, not {table!r}")
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    if header:
        writer.writerow(COLUMNS[table])
    for record in records:
        writer.writerow([_cell(record, table, column) for column in COLUMNS[table]])
    return out.getvalue()


def _cell(record: Record, table: str, column: str) -> str:
    key = FIELD_OF.get(column, column)
    if table == "facts" and column in ("value", "value_type"):
        text, implied = value_text(record["value"])
        return text if column == "value" else str(record.get("value_type") or implied)
    value = record.get(key)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value_text(value)[0] if isinstance(value, int | float) else str(value)


__all__ = ["COLUMNS", "COLUMN_OF", "FIELD_OF", "REQUIRED", "TABLES", "dump_csv", "load_csv"]
