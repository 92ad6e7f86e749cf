"""Export: the store's knowledge at one commit, in the import format.

The inverse of the importers, exact: importing an export into an empty store gives the same
rows. Each record also carries the row's provenance, `recorded_by` and `reason`, last; a normal
import accepts and ignores them (who imports, and why, is what gets recorded). Every
section is written flat (aliases and relations in their own sections, not inside their
entity); empty fields and defaults are left out, and a fact's value is written as the number or
boolean it was stored from whenever that reads back to the very same text.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Iterator, Sequence
from operator import itemgetter, ne
from pathlib import Path
from typing import Any, Literal

import yaml

from factstore.errors import InvalidInput
from factstore.importers import CORE_RESOLVERS
from factstore.models import MODELS, PROVENANCE, Input
from factstore.schema import SINGULAR, alias_spellings

Row = dict[str, Any]
ExportFormat = Literal["yaml", "json", "jsonl", "csv"]
FIRST = ("entity", "src")  # an alias's entity, a relation's source: written first


def document(tables: dict[str, list[Row]], fiscal_year_start_month: int | None) -> dict[str, Any]:
    """The import document for these rows (each table's rows in its key order)."""
    doc: dict[str, Any] = {"factstore": 1}
    if fiscal_year_start_month is not None:
        doc["calendar"] = {"fiscal_year_start_month": fiscal_year_start_month}
    for section, model in MODELS.items():
        rows = tables[section]
        if section == "aliases":  # each spelling of a name is an alias record of its own
            rows = [{**row, **spelled} for row in rows for spelled in alias_spellings(row)]
        doc[section] = [_record(model, section, row) for row in rows]
    return doc


@functools.cache
def _fields(model: type[Input]) -> tuple[tuple[tuple[str, str, bool, Any], ...], ...]:
    """A record's fields in the order it writes them (an alias's entity, a relation's source
    first; provenance last), each (field, its column, required, default), worked out once:
    asked of pydantic for each of 100k rows, it was most of an export's time."""
    fields = [(name, model._keys[name], field.is_required(), field.default)
              for name, field in model.model_fields.items() if name not in model._nested]
    first = [f for k in FIRST for f in fields if f[0] == k]
    last = [f for k in PROVENANCE for f in fields if f[0] == k]
    return tuple(first + [f for f in fields if f not in first and f not in last] + last),


def _record(model: type[Input], section: str, row: Row) -> dict[str, Any]:
    (fields,) = _fields(model)
    # one comprehension per row (a loop of assignments was most of a 100k-fact export)
    out = {name: cell for name, key, required, default in fields
           if (cell := row[key]) is not None and (required or cell != default)}
    if section == "facts":
        value, implied = _typed(row["value"], row["value_type"])
        out["value"] = value  # in its place: the value is never null
        if row["value_type"] == implied:
            out.pop("value_type", None)  # import infers it from the value
    return out


def columns(section: str) -> list[str]:
    """The columns a section's records are made of, in the order `records` takes them."""
    (fields,) = _fields(MODELS[section])
    return [key for _, key, _, _ in fields]


def records(section: str, rows: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
    """The section's records from rows of its `columns`, the same as `document` makes from
    whole rows (not aliases: a row of those may hold several spellings). Most rows leave out
    the same fields (the same cells are empty or default): the fields a row keeps are worked
    out once per such pattern, and each record is made by C-level zips, not a Python loop
    per field (that loop was most of a 100k-fact export)."""
    (fields,) = _fields(MODELS[section])
    # a cell is left out when it is null or its field's default; every default that is not
    # null is a status, which is never null (NOT NULL): one comparison per cell says both
    defaults = tuple(None if required else default for _, _, required, default in fields)
    plans: dict[tuple[bool, ...], tuple[Any, tuple[str, ...]]] = {}
    out: list[dict[str, Any]] = []
    append = out.append
    for row in rows:
        pattern = tuple(map(ne, row, defaults))
        plan = plans.get(pattern)
        if plan is None:
            kept = [i for i, cell in enumerate(row) if pattern[i] and cell is not None]
            plan = plans[pattern] = (_getter(kept), tuple(fields[i][0] for i in kept))
        append(dict(zip(plan[1], plan[0](row), strict=True)))
    if section == "facts":
        names = [name for name, _, _, _ in fields]
        value, value_type = names.index("value"), names.index("value_type")
        for record, row in zip(out, rows, strict=True):
            typed, implied = _typed(row[value], row[value_type])
            record["value"] = typed  # in its place: the value is never null
            if row[value_type] == implied:
                record.pop("value_type", None)  # import infers it from the value
    return out


def _getter(indexes: list[int]) -> Any:
    """A function of a row giving the cells at these indexes, as a tuple."""
    if len(indexes) == 1:
        (index,) = indexes
        return lambda row: (row[index],)
    return itemgetter(*indexes) if indexes else lambda row: ()


def _typed(text: str, value_type: str) -> tuple[Any, str]:
    """(the value to write, the value_type import would infer from it): a number or boolean
    only when it reads back as exactly the stored text (factstore.models.value_text: an int
    as str() writes it, a float as its repr)."""
    if value_type == "bool" and text in ("true", "false"):
        return text == "true", "bool"
    if value_type == "number":
        try:
            whole = int(text)
        except ValueError:
            pass
        else:
            if str(whole) == text:
                return whole, "number"
        try:
            number = float(text)
        except ValueError:
            pass
        else:
            if repr(number) == text:
                return number, "number"
    return text, "text"


SUFFIX_FORMATS: dict[str, ExportFormat] = {".yaml": "yaml", ".yml": "yaml", ".json": "json",
                                           ".jsonl": "jsonl", ".csv": "csv"}


def format_for(target: Path | None, fmt: ExportFormat | None) -> ExportFormat:
    """The format of an export: a file's suffix must name it (`facts import` reads the
    format from the suffix), and --format may only agree; to standard output, YAML unless
    told otherwise."""
    if target is None:
        return fmt or "yaml"
    named = SUFFIX_FORMATS.get(target.suffix)
    if named is None or fmt not in (None, named):
        raise InvalidInput(f"{target.name}: the suffix must name the format (.yaml, .yml, "
                           ".json, .jsonl or .csv): `facts import` reads the format from it")
    return named


def write(doc: dict[str, Any], fmt: ExportFormat, target: Path) -> None:
    try:
        target.write_text(dump(doc, fmt), encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"{target}: cannot write ({exc.strerror})") from None


def dump(doc: dict[str, Any], fmt: ExportFormat) -> str:
    """The document as text. JSONL has no place for the calendar: callers say so when one is
    set (`facts config set` restores it)."""
    if fmt == "json":
        return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
    if fmt == "jsonl":
        encode = _JSONL.encode  # one encoder: json.dumps with options builds one per call
        return "".join(encode({"type": kind, **record}) + "\n"
                       for kind, section in SINGULAR.items() for record in doc[section])
    return "".join(_yaml_parts(doc))


def _yaml(data: Any) -> str:
    """PyYAML's text for data: the reference every YAML export is byte for byte equal to."""
    return str(yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                         width=WIDTH))


def _yaml_parts(doc: dict[str, Any]) -> Iterator[str]:
    """The YAML document in pieces, PyYAML's text exactly: a section's records are written
    directly when every value is one PyYAML writes plain (most of a large store), else that
    record alone through PyYAML (a record at the top level or in a section is indented
    alike, so its text is the same). PyYAML builds a node per value in Python: about 18 s
    for a 100k-fact store, against under 2 s this way."""
    for key, value in doc.items():
        if not (isinstance(value, list) and value and isinstance(key, str)
                and PLAIN_KEY.fullmatch(key)):
            yield _yaml({key: value})
            continue
        yield f"{key}:\n"
        seen: dict[tuple[str, int], str | None] = {}  # most values recur: a kind, a source
        leads: dict[tuple[Any, bool], str | None] = {}  # and every key
        for record in value:
            yield _plain_record(record, seen, leads) or _yaml([record])


def _plain_record(record: Any, seen: dict[tuple[str, int], str | None],
                  leads: dict[tuple[Any, bool], str | None]) -> str | None:
    """A record as PyYAML writes it in a block sequence, or None when a value is not one
    this writes: a string PyYAML would double-quote, fold or escape, a nested list or
    mapping, an infinite float. `seen` remembers what was decided of each string at its
    column, `leads` each key's start of line ("- key: " first, else "  key: "; None: not
    plain)."""
    if not isinstance(record, dict) or not record:
        return None
    lines, first = [], True
    for key, value in record.items():
        lead = leads.get((key, first))
        if lead is None:
            if (key, first) in leads or not (isinstance(key, str) and PLAIN_KEY.fullmatch(key)):
                leads[key, first] = None
                return None
            lead = leads[key, first] = f"{'- ' if first else '  '}{key}: "
        first = False
        kind = type(value)
        if kind is str:
            at = (value, len(lead))
            text = seen[at] if at in seen else seen.setdefault(at, _string(*at))
            if text is None:
                return None
        elif kind is int:
            text = str(value)
        elif kind is bool:
            text = "true" if value else "false"
        elif kind is float and math.isfinite(value):
            text = repr(value).lower()  # SafeRepresenter.represent_float
            if "." not in text and "e" in text:
                text = text.replace("e", ".0e", 1)
        else:
            return None
        lines.append(f"{lead}{text}\n")
    return "".join(lines)


def _string(text: str, column: int) -> str | None:
    """A string as PyYAML writes it on one line starting at column, or None when it might
    not. Only a string that could be plain is written here (PLAIN_SHAPE). It is plain
    unless an implicit resolver reads it as other than a string (a number, a boolean,
    null, a date, 1:20…), single-quoted if one does; and only if it would not be folded
    (it fits the width, or has no space to fold at)."""
    if "  " in text or ": " in text or "#" in text or not PLAIN_SHAPE.fullmatch(text):
        return None
    written = "'" + text.replace("'", "''") + "'" if _resolved(text) else text
    return None if column + len(written) > WIDTH and " " in text else written


@functools.cache
def _resolvers(first: str) -> tuple[Any, ...]:
    """The match functions of the implicit resolvers for text starting with first."""
    table = _Dumper.yaml_implicit_resolvers
    return tuple(pattern.match
                 for _, pattern in [*table.get(first, ()), *table.get(None, ())])


def _resolved(text: str) -> bool:
    """Whether an implicit resolver reads this plain text as other than a string."""
    for match in _resolvers(text[0]):  # noqa: SIM110  (a generator in any() costs more)
        if match(text):
            return True
    return False


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Safe YAML that keeps every string exact: one holding a character YAML reads as a line
    break or drops (NEL, LS, PS, controls but newline, DEL, BOM) is written double-quoted,
    where the emitter escapes it; plain and single-quoted styles would fold it."""


_JSONL = json.JSONEncoder(ensure_ascii=False)
WIDTH = 100  # PyYAML folds a plain string at a space past this column
PLAIN_KEY = re.compile(r"[a-z][a-z_]*")
# A string PyYAML may write plain: it starts with a letter, digit or one of _ ( / $, holds no
# control, line-break, astral or BOM character (libyaml escapes those), no #, no ': ', no
# two spaces, and does not end in a space or colon.
_PRINTABLE = "\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd"
# (no #, ': ' or two spaces: _string tests those as substrings, faster than a look-ahead)
PLAIN_SHAPE = re.compile(f"[A-Za-z0-9_(/${_PRINTABLE}][\x20-\x7e{_PRINTABLE}]*(?<![ :])",
                         re.S)
FRAGILE = re.compile("[\x00-\x09\x0b-\x1f\x7f\x85\u2028\u2029\ufeff]")
# A string is quoted when a plain scalar would read as anything else, to the importer (YAML 1.2
# core: 1e3, 0x1F) or to a YAML 1.1 reader (yes, 1:20, 2025-10-31).
_Dumper.yaml_implicit_resolvers = {
    first: [*yaml.SafeDumper.yaml_implicit_resolvers.get(first, []),
            *CORE_RESOLVERS.get(first, [])]
    for first in {*yaml.SafeDumper.yaml_implicit_resolvers, *CORE_RESOLVERS}
}


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = '"' if FRAGILE.search(text) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_str)


__all__ = [
    "FIRST", "FRAGILE", "PLAIN_KEY", "PLAIN_SHAPE", "SUFFIX_FORMATS", "WIDTH", "ExportFormat",
    "Row", "columns", "document", "dump", "format_for", "records", "write"
]
