"""Import documents (YAML, JSON, JSONL; DESIGN §10) -> a validated KnowledgeBatch.

Everything is validated before anything is written; the first problem becomes one line that
names the file, the record and the field. Dates stay strings until pydantic checks them, so a
date like 2026-02-30 is reported against its field rather than as a YAML parse error.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError

from factstore.errors import InvalidInput
from factstore.models import (
    Alias,
    Definition,
    DocumentHeader,
    Entity,
    Fact,
    KnowledgeBatch,
    Relation,
    Rule,
    Source,
)

SECTIONS: dict[str, type[BaseModel]] = {
    "sources": Source,
    "entities": Entity,
    "aliases": Alias,
    "relations": Relation,
    "definitions": Definition,
    "facts": Fact,
    "rules": Rule,
}
SINGULAR = {"source": "sources", "entity": "entities", "alias": "aliases",
            "relation": "relations", "definition": "definitions", "fact": "facts",
            "rule": "rules"}
SOURCED = ("entities", "aliases", "relations", "definitions", "facts", "rules")


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML without implicit timestamps: dates reach pydantic as text."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_file(path: Path) -> KnowledgeBatch:
    """Read and validate an import file completely."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: cannot read ({exc})") from None
    if path.suffix == ".jsonl":
        doc = _jsonl_document(path.name, text)
    else:
        doc = _parse_document(path.name, text, is_json=path.suffix == ".json")
    return validate_document(doc, where=path.name)


def _parse_document(name: str, text: str, *, is_json: bool) -> Any:
    try:
        return json.loads(text) if is_json else yaml.load(text, Loader=_Loader)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{name}: malformed JSON at line {exc.lineno}: {exc.msg}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InvalidInput(f"{name}: malformed YAML{where}: {problem}") from None


def _jsonl_document(name: str, text: str) -> dict[str, Any]:
    doc: dict[str, Any] = {"factstore": 1}
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"{name}: line {lineno}: malformed JSON: {exc.msg}") from None
        if not isinstance(record, dict) or record.get("type") not in SINGULAR:
            raise InvalidInput(
                f"{name}: line {lineno}: type: expected one of {', '.join(SINGULAR)}"
            )
        section = SINGULAR[record.pop("type")]
        doc.setdefault(section, []).append(record)
    return doc


def validate_document(doc: Any, *, where: str) -> KnowledgeBatch:
    if not isinstance(doc, dict):
        raise InvalidInput(f"{where}: expected a mapping with 'factstore: 1' at the top")
    try:
        header = DocumentHeader.model_validate(doc)
    except ValidationError as exc:
        raise InvalidInput(f"{where}: {_first_error(exc, None, doc)}") from None
    sections = {name: list(getattr(header, name)) for name in SECTIONS}
    if header.default_source:
        for name in SOURCED:
            sections[name] = [_with_source(r, header.default_source) for r in sections[name]]
    batch = KnowledgeBatch(calendar=header.calendar)
    for name, model in SECTIONS.items():
        records = sections[name]
        try:
            items = TypeAdapter(list[model]).validate_python(records)  # type: ignore[valid-type]
        except ValidationError as exc:
            raise InvalidInput(f"{where}: {_first_error(exc, name, records)}") from None
        setattr(batch, name, items)
    _flatten_entities(batch)
    return batch


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


def _flatten_entities(batch: KnowledgeBatch) -> None:
    """Aliases and relations written inside an entity become rows of their own tables."""
    for entity in batch.entities:
        for spec in entity.aliases:
            batch.aliases.append(Alias(entity=entity.id, **spec.model_dump()))
        for rel in entity.relations:
            batch.relations.append(Relation(src=entity.id, **rel.model_dump()))


def _first_error(exc: ValidationError, section: str | None, records: Any) -> str:
    """One line: section[index] (id): field: what is wrong."""
    err = exc.errors()[0]
    loc = list(err["loc"])
    where = ""
    if section is not None and loc and isinstance(loc[0], int):
        index = loc.pop(0)
        record = records[index] if index < len(records) else None
        ident = record.get("id") if isinstance(record, dict) else None
        where = f"{section}[{index}]" + (f" ({ident})" if ident else "") + ": "
    # Union members add their type name to the location; the user wrote a field, not a type.
    field = ".".join(str(p) for p in loc if not _is_type_tag(p)) or "record"
    return f"{where}{field}: {_message(err)}"


def _is_type_tag(part: Any) -> bool:
    return isinstance(part, str) and (
        part in {"str", "int", "float", "bool", "none", "date"} or "[" in part or "-" in part
    )


def _message(err: Any) -> str:
    if err["type"] == "extra_forbidden":
        return "unknown field"
    if err["type"] == "missing":
        return "required field is missing"
    msg = str(err["msg"])
    return msg.removeprefix("Value error, ")
