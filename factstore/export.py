"""Export: the store's knowledge at one commit, in the import format.

The inverse of the importers, exact: importing an export into an empty store gives the same
rows. Each record also carries the row's provenance, `recorded_by` and `reason`, last; a normal
import accepts and ignores them (who imports, and why, is what gets recorded). Every
section is written flat (aliases and relations in their own sections, not inside their
entity); empty fields and defaults are left out, and a fact's value is written as the number or
boolean it was stored from whenever that reads back to the very same text.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import os
import re
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import chain, compress, repeat
from operator import and_, contains, is_, itemgetter, ne, not_
from pathlib import Path
from typing import Any, Literal, TextIO

import yaml

from factstore.errors import InvalidInput
from factstore.importers import CORE_RESOLVERS
from factstore.models import MODELS, PROVENANCE, Input
from factstore.schema import SINGULAR, alias_spellings

Row = dict[str, Any]
ExportFormat = Literal["yaml", "json", "jsonl", "csv"]
Writer = Callable[[str], Any]  # takes an export's text a piece at a time (a file's write)
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
    whole rows (aliases: rows of each spelling, as `spelled` gives them). Most rows leave out
    the same fields (the same cells are empty or default): the fields a row keeps are worked
    out once per such pattern, and each record is made by C-level zips, not a Python loop
    per field (that loop was most of a 100k-fact export)."""
    (fields,) = _fields(MODELS[section])
    # a cell is left out when it is null or its field's default; every default that is not
    # null is a status, which is never null (NOT NULL): one comparison per cell says both
    defaults = tuple(None if required else default for _, _, required, default in fields)
    if section == "facts":
        return _fact_records(fields, defaults, rows)
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
    return out


def _fact_records(fields: tuple[tuple[str, str, bool, Any], ...], defaults: tuple[Any, ...],
                  rows: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
    """records of facts: as of any section, with the value written as `_typed` writes it and
    its value_type left out when import would infer it. Whether it is left out is part of
    the row's pattern, so that a record is made with the fields it keeps, never one removed
    after: a dict that lost a field keeps the table it grew for its last (464 bytes for a
    fact's against 272, ~20 MB of a 100k-fact export's memory)."""
    names = [name for name, _, _, _ in fields]
    value, value_type = names.index("value"), names.index("value_type")
    plans: dict[tuple[tuple[bool, ...], bool], tuple[Any, tuple[str, ...]]] = {}
    out: list[dict[str, Any]] = []
    append = out.append
    for row in rows:
        typed, implied = _typed(row[value], row[value_type])
        key = (tuple(map(ne, row, defaults)), row[value_type] == implied)
        plan = plans.get(key)
        if plan is None:
            pattern, inferred = key  # inferred: import infers the value_type from the value
            kept = [i for i, cell in enumerate(row) if pattern[i] and cell is not None
                    and not (inferred and i == value_type)]
            plan = plans[key] = (_getter(kept), tuple(fields[i][0] for i in kept))
        record = dict(zip(plan[1], plan[0](row), strict=True))
        record["value"] = typed  # in its place: the value is never null
        append(record)
    return out


def spelled(rows: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
    """Alias rows of the aliases' `columns` and then `spellings`, one for each spelling a row
    holds (its own first), as `document` makes alias records of whole rows."""
    out: list[tuple[Any, ...]] = []
    names = columns("aliases")
    for row in rows:
        *cells, extra = row
        out.append(tuple(cells))
        for spelling in json.loads(extra) if extra else ():
            out.append(tuple(spelling.get(name, cell)
                             for name, cell in zip(names, cells, strict=True)))
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


@contextlib.contextmanager
def replacing(target: Path) -> Iterator[TextIO]:
    """A text file (UTF-8, lines as written: CSV's \r\n too) that becomes target once it is
    written whole: it is written beside target and renamed over it, so that an export cut
    short (an error, Ctrl-C, a full disk) leaves target as it was, never half a file. A
    symbolic link is written through: the file it points at is replaced, not the link."""
    real = Path(os.path.realpath(target))
    part = real.with_name(f".{real.name}.{os.getpid()}.part")
    try:
        with part.open("w", encoding="utf-8", newline="") as out:
            yield out
        if real.exists():
            shutil.copymode(real, part)  # (a file kept private stays so)
        os.replace(part, real)
    except OSError as exc:
        raise InvalidInput(f"{target}: cannot write ({exc.strerror or exc})") from None
    finally:
        part.unlink(missing_ok=True)


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


def yaml_pieces(doc: dict[str, Any], sections: Mapping[str, Iterable[Sequence[Sequence[Any]]]]
                ) -> Iterator[str]:
    """`dump(doc, "yaml")` of doc with each of these sections made of the records its rows
    (of the section's `columns`, in blocks: a block is taken when the one before is written,
    so that a reader may read them as they are taken) give, byte for byte, in pieces (a
    block's text each), without making the records: a section is written column by column,
    each distinct value's text worked out once (most recur; most strings are cleared by
    C-level passes over the whole column), and its records joined from their lines by C-level
    zips. A dict per row, written field by field, was most of a 100k-fact export's YAML. A
    section is written BLOCK rows at a time (each record's text is its own): the columns of a
    block stay in the processor's caches, where a whole 100k-fact section's did not (0.37 ->
    0.22 s, the same text)."""
    for key, value in doc.items():
        written = False
        for rows in _blocks(sections.get(key, ())):
            if not written:
                yield f"{key}:"
                written = True
            yield _section_yaml(key, rows)
        if written:
            yield "\n"
        else:
            yield from _yaml_parts({key: value})


def json_pieces(doc: dict[str, Any], sections: Mapping[str, Iterable[Sequence[Sequence[Any]]]],
                fmt: Literal["json", "jsonl"]) -> Iterator[str]:
    """`dump(doc, fmt)` of doc with each of these sections made of the records its rows give,
    as yaml_pieces takes them and gives its text, byte for byte: a block's text is made
    column by column (_section_json), each distinct value encoded once. A dict per row and
    an encoder call per record were most of a 100k-fact JSONL export (0.95 s)."""
    if fmt == "jsonl":  # a record per line, "type" first; no header
        for kind, name in SINGULAR.items():
            for rows in _blocks(sections.get(name, ())):
                yield _section_json(name, rows, f'{{"type": "{kind}"', ", ", "}\n")
        return
    # json.dumps(doc, indent=1): "{", each item on lines of its own, "}"; a section's records
    # as their blocks come, joined by ",\n" (its first without the comma)
    for index, (key, value) in enumerate(doc.items()):
        yield ",\n" if index else "{\n"
        opened = False
        for rows in _blocks(sections.get(key, ())):
            text = _section_json(key, rows, ",\n  {", ",\n   ", "\n  }", first=True)
            if text and not opened:
                yield f" {_encode(key)}: [{text[1:]}"
                opened = True
            elif text:
                yield text
        yield "\n ]" if opened else json.dumps({key: value}, ensure_ascii=False, indent=1)[2:-2]
    yield "\n}\n"


def _section_json(section: str, rows: Sequence[Sequence[Any]], opening: str, lead: str,
                  closing: str, first: bool = False) -> str:
    """The JSON text of the records `records(section, rows)` makes, each `opening`, its
    fields each led by `lead` and its name, then `closing` (JSONL: ', "id": …'; JSON
    indented: ',\n   "id": …'); first: the record's first field written without the lead's
    first character (its comma)."""
    if not rows:
        return ""
    (fields,) = _fields(MODELS[section])
    cells = list(zip(*rows, strict=True))
    names = [name for name, _, _, _ in fields]
    columns = [_json_cells(cells[i], f"{lead}{_encode(name)}: ", None if required else default)
               for i, (name, _, required, default) in enumerate(fields)]
    if section == "facts":
        value, value_type = names.index("value"), names.index("value_type")
        columns[value], columns[value_type] = _value_columns(
            cells[value], cells[value_type],
            lambda written: f"{lead}\"value\": {_JSONL.encode(written)}",
            lambda kind: f"{lead}\"value_type\": {_encode(kind)}")
    if not first:
        return "".join(chain.from_iterable(zip(repeat(opening), *columns, repeat(closing))))
    # each record's first field without its comma (a key: a stored row's is never left out)
    bodies = [text[1:] for text in map("".join, zip(*columns, strict=True))]
    closings: Iterable[str] = repeat(closing)
    if "" in bodies:  # a record of no field: "{}"
        closings = ["}" if text else closing for text in bodies]
    return "".join(chain.from_iterable(zip(repeat(opening), bodies, closings)))


def _value_columns(values: Sequence[str], kinds: Sequence[str], value: Callable[[Any], Any],
                   kind: Callable[[str], Any]) -> tuple[list[Any], list[Any]]:
    """The texts of facts' value and value_type fields (each written by its function): the
    value as `_typed` writes it, its value_type "" where import would infer it; each
    distinct pair worked out once."""
    pairs = list(zip(values, kinds, strict=True))
    texts = {}
    for text, stored in dict.fromkeys(pairs):
        written, implied = _typed(text, stored)
        texts[text, stored] = (value(written), "" if stored == implied else kind(stored))
    both = list(map(texts.__getitem__, pairs))
    return list(map(itemgetter(0), both)), list(map(itemgetter(1), both))


def _blocks(rows: Iterable[Sequence[Sequence[Any]]]) -> Iterator[Sequence[Sequence[Any]]]:
    """A section's rows as they are read, BLOCK rows at a time (a server's come whole)."""
    for part in rows:
        for start in range(0, len(part), BLOCK):
            yield part[start:start + BLOCK]


def _json_cells(cells: Sequence[Any], lead: str, absent: Any) -> list[str]:
    """Each cell's field text (lead and its JSON), "" when the record leaves it out (null,
    or its field's default); each distinct string encoded once."""
    kinds = set(map(type, cells))
    if kinds == {str} and len(set(cells[:64])) > 48 and absent not in cells:
        return list(map(lead.__add__, map(_encode, cells)))  # strings of their own: ids
    if not kinds <= {str, type(None)}:
        # numbers, cell by cell (1, 1.0 and True are one key of a dict, not one text)
        return ["" if cell is None or cell == absent else f"{lead}{_JSONL.encode(cell)}"
                for cell in cells]
    table = {cell: f"{lead}{_encode(cell)}" for cell in dict.fromkeys(cells)
             if cell is not None}
    table[None] = ""
    if absent is not None:
        table[absent] = ""
    return list(map(table.__getitem__, cells))


def _section_yaml(section: str, rows: Sequence[Sequence[Any]]) -> str:
    """The records `records(section, rows)` makes as `dump` writes them under their key,
    each line led by its newline (one concatenation per distinct value, not two)."""
    (fields,) = _fields(MODELS[section])
    cells = list(zip(*rows, strict=True))
    names = [name for name, _, _, _ in fields]
    typed = (names.index("value"), names.index("value_type")) if section == "facts" else ()
    lines = [None if i in typed else
             _lines(cells[i], f"\n{'- ' if i == 0 else '  '}{name}: ",
                    None if required else default, first=i == 0)
             for i, (name, _, required, default) in enumerate(fields)]
    if typed:
        value, value_type = typed
        lines[value], lines[value_type] = _value_columns(
            cells[value], cells[value_type], lambda written: _line(written, "\n  value: "),
            lambda kind: _line(kind, "\n  value_type: "))
    held = [column for column in lines if column is not None]  # fields some record holds
    whole: dict[int, str] = {}  # the rows holding a value not written here: PyYAML's text
    for column in held:
        if None in column:
            for i in compress(range(len(rows)), map(is_, column, repeat(None))):
                if i not in whole:
                    whole[i] = "\n" + _yaml(records(section, [rows[i]]))[:-1]
    for i, text in whole.items():
        for column in held:
            column[i] = ""
        held[0][i] = text
    return "".join(chain.from_iterable(zip(*held, strict=True)))


def _lines(cells: Sequence[Any], lead: str, absent: Any, first: bool
           ) -> list[str | None] | None:
    """Each cell's line in its record (lead and text): "" when the record leaves it out
    (null, or its field's default), None when it is not written here (a string PyYAML would
    double-quote, fold or escape; a first field left out, whose line would start the
    record). None for a field no record holds (but the first)."""
    gone = None if first else ""
    if (len(set(cells[:64])) > 48 and set(map(type, cells)) <= {str} and "" not in cells
            and absent not in cells):
        # strings of their own (an id, most quotes), none left out: every cell is a key
        out: list[str | None] = list(map(lead.__add__, cells))
        look = _looked_at(list(cells), WIDTH + 1 - len(lead))
        if look:
            for i in compress(range(len(cells)), map(look.__contains__, cells)):
                out[i] = _line(cells[i], lead)
        return out
    found = dict.fromkeys(cells)
    found.pop(None, None)
    found.pop(absent, None)
    if not found and not first:
        return None
    if not set(map(type, found)) <= {str}:
        # numbers, cell by cell (1, 1.0 and True are one key of a dict, not one text)
        return [gone if cell is None or cell == absent else _line(cell, lead)
                for cell in cells]
    empty = "" in found
    found.pop("", None)
    keys: list[str] = list(found)
    look = _looked_at(keys, WIDTH + 1 - len(lead))  # the lead's newline takes no column
    table: dict[Any, str | None] = dict(zip(keys, map(lead.__add__, keys), strict=True))
    for key in look:
        table[key] = _line(key, lead)
    if empty:
        table[""] = _line("", lead)
    table[None] = table[absent] = gone
    return list(map(table.__getitem__, cells))


def _looked_at(keys: list[str], room: int) -> set[str]:
    """Those of these distinct non-empty strings that `_string` may write otherwise than as
    they are, plain, in room columns: one not ASCII (`_string` decides those one by one),
    holding a control, #, ': ' or two spaces, starting with other than a letter, digit,
    _ ( / or $, ending in a space or colon, too long, or one an implicit resolver may read
    as other than a string (see _RESOLVED_FIRST). Each test is one C-level pass over the
    joined strings, or over their first or last characters or lengths, then one over the
    strings only if some string fails it."""
    look: set[str] = set()
    if not keys:
        return look
    joined = " ".join(keys)  # (the spaces only ever add a string to look at)
    if not joined.isascii():
        look.update(compress(keys, map(not_, map(str.isascii, keys))))
    if not joined.isprintable():
        look.update(compress(keys, map(not_, map(str.isprintable, keys))))
    for part in ("#", ": ", "  "):
        if part in joined:
            look.update(compress(keys, map(contains, keys, repeat(part))))
    starts = set(map(itemgetter(0), keys))
    if not starts <= _PLAIN_FIRST:
        look.update(compress(keys, map(not_, map(_PLAIN_FIRST.__contains__,
                                                 map(itemgetter(0), keys)))))
    if not starts.isdisjoint(_RESOLVED_FIRST):
        look.update(compress(keys, map(_RESOLVED_FIRST.__contains__,
                                       map(itemgetter(0), keys))))
    if max(map(len, keys)) > room:
        look.update(compress(keys, map(room.__lt__, map(len, keys))))
    if not starts.isdisjoint(_WORD_FIRST) and min(map(len, keys)) <= _WORDS_UP_TO:
        look.update(compress(keys, map(and_, map(_WORD_FIRST.__contains__,
                                                 map(itemgetter(0), keys)),
                                       map(_WORDS_UP_TO.__ge__, map(len, keys)))))
    if not set(map(itemgetter(-1), keys)).isdisjoint(" :"):
        look.update(compress(keys, map(" :".__contains__, map(itemgetter(-1), keys))))
    return look


def _line(value: Any, lead: str) -> str | None:
    """A value's line in a record (lead and text) as PyYAML writes it, or None when PyYAML
    writes it other than plain or single-quoted on one line. A lead starting with a newline
    takes no column."""
    column = len(lead.lstrip("\n"))
    text = _string(value, column) if type(value) is str else _scalar(value)
    return None if text is None else f"{lead}{text}"


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
        elif (text := _scalar(value)) is None:
            return None
        lines.append(f"{lead}{text}\n")
    return "".join(lines)


def _scalar(value: Any) -> str | None:
    """A number or boolean as PyYAML writes it (None: anything else, an infinite float)."""
    kind = type(value)
    if kind is int:
        return str(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is float and math.isfinite(value):
        text = repr(value).lower()  # SafeRepresenter.represent_float
        if "." not in text and "e" in text:
            text = text.replace("e", ".0e", 1)
        return text
    return None


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
_encode = json.encoder.encode_basestring  # a str as JSON writes it (ensure_ascii=False)
WIDTH = 100  # PyYAML folds a plain string at a space past this column
BLOCK = 5_000  # rows of a section yaml_pieces and json_pieces write at a time
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


# What `_looked_at` takes a closer look at. A plain string may start with these ASCII
# characters (PLAIN_SHAPE); an implicit resolver may read as other than a string one starting
# with a digit (a number, a date, 1:20), and, starting with a letter or ~ ! & * = <, only a
# word of at most five characters (yes, Off, null, ~, <<…): tests/test_export.py checks both
# against the resolvers.
_PLAIN_FIRST = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_(/$")
_RESOLVED_FIRST = frozenset("+-.0123456789")
_WORD_FIRST = frozenset(first for first in _Dumper.yaml_implicit_resolvers
                        if first is not None and first not in _RESOLVED_FIRST)
_WORDS_UP_TO = 5

def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = '"' if FRAGILE.search(text) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_str)


__all__ = [
    "BLOCK", "FIRST", "FRAGILE", "PLAIN_KEY", "PLAIN_SHAPE", "SUFFIX_FORMATS", "WIDTH",
    "ExportFormat", "Row", "Writer", "columns", "document", "dump", "format_for", "json_pieces",
    "records", "replacing", "spelled", "yaml_pieces"
]
