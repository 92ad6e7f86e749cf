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
import re
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
        lines = [json.dumps({"type": kind, **record}, ensure_ascii=False)
                 for kind, section in SINGULAR.items() for record in doc[section]]
        return "".join(line + "\n" for line in lines)
    return str(yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100))


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Safe YAML that keeps every string exact: one holding a character YAML reads as a line
    break or drops (NEL, LS, PS, controls but newline, DEL, BOM) is written double-quoted,
    where the emitter escapes it; plain and single-quoted styles would fold it."""


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
    "FIRST", "FRAGILE", "SUFFIX_FORMATS", "ExportFormat", "Row", "document", "dump", "format_for",
    "write"
]
