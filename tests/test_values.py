"""A value is stored as the file wrote it: YAML is read with the 1.2 core schema (YAML 1.1
would read 00123 as 83, 1:20 as 80, yes as true, 1_000 as 1000), numbers keep every digit they
were written with in YAML, JSON and JSONL, and NaN or an infinity is refused, naming the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from factstore.export import dump
from factstore.importers import load_file
from factstore.models import MODELS

from .conftest import AUTHOR, Facts

ENTITY = "entities: [{id: acme, kind: customer, name: Acme}]\n"

# (as written in YAML, stored value, stored value_type)
YAML_VALUES = [
    # YAML 1.1 traps: text, exactly as written
    ("00123", "00123", "text"), ("01.5", "01.5", "text"), ("1:20", "1:20", "text"),
    ("190:20:30", "190:20:30", "text"), ("yes", "yes", "text"), ("No", "No", "text"),
    ("on", "on", "text"), ("OFF", "OFF", "text"), ("y", "y", "text"), ("1_000", "1_000", "text"),
    ("0b101", "0b101", "text"), ("2025-10-31", "2025-10-31", "text"), ("1e", "1e", "text"),
    ("'0x1F'", "0x1F", "text"), ("'true'", "true", "text"),
    # YAML 1.2 core numbers and booleans
    ("0x1F", "31", "number"), ("0o17", "15", "number"), ("-12", "-12", "number"),
    ("true", "true", "bool"), ("FALSE", "false", "bool"),
    # numbers as written, every digit kept
    ("1.50", "1.50", "number"), ("12345678901234567.89", "12345678901234567.89", "number"),
    ("123456789012345678901234567890", "123456789012345678901234567890", "number"),
    ("6.02e23", "6.02e23", "number"), (".5", ".5", "number"), ("+1", "+1", "number"),
    ("1E-7", "1E-7", "number"),
]


def _stored(facts: Facts) -> dict[str, tuple[str, str]]:
    rows = json.loads(facts("list", "facts", "--json").output)
    return {r["id"]: (r["value"], r["value_type"]) for r in rows}


def test_yaml_values_are_stored_as_written(facts: Facts, tmp_path: Path) -> None:
    path = tmp_path / "values.yaml"
    path.write_text("factstore: 1\n" + ENTITY + "facts:\n" + "".join(
        f"  - {{id: 'fact:v{i}', subject: acme, predicate: p{i}, value: {written}}}\n"
        for i, (written, _, _) in enumerate(YAML_VALUES)), encoding="utf-8")
    facts("import", str(path), "--by", AUTHOR)
    assert _stored(facts) == {f"fact:v{i}": (value, kind)
                              for i, (_, value, kind) in enumerate(YAML_VALUES)}


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_json_numbers_keep_every_digit(facts: Facts, tmp_path: Path, suffix: str) -> None:
    numbers = ["12345678901234567.89", "1.50", "1E-7", "0.1", "100", "-2.5e3",
               "123456789012345678901234567890"]
    entity = '{"id": "acme", "kind": "customer", "name": "Acme"}'
    records = [f'{{"id": "fact:n{i}", "subject": "acme", "predicate": "p{i}", "value": {n}}}'
               for i, n in enumerate(numbers)]
    path = tmp_path / f"numbers{suffix}"
    if suffix == ".jsonl":
        path.write_text("".join(f'{{"type": "{kind}", {record[1:]}\n' for kind, record in
                                [("entity", entity), *(("fact", r) for r in records)]),
                        encoding="utf-8")
    else:
        path.write_text(f'{{"factstore": 1, "entities": [{entity}], '
                        f'"facts": [{", ".join(records)}]}}', encoding="utf-8")
    facts("import", str(path), "--by", AUTHOR)
    assert _stored(facts) == {f"fact:n{i}": (n, "number") for i, n in enumerate(numbers)}


# (file name, text, what the one line says)
NOT_FINITE = [
    ("nan.yaml", "facts: [{id: fact:a, subject: acme, predicate: p, value: .nan}]",
     "facts[0] (fact:a): value: not a finite number"),
    ("inf.yaml", "facts: [{id: fact:a, subject: acme, predicate: p, value: -.inf}]",
     "facts[0] (fact:a): value: not a finite number"),
    ("big.yaml", "facts: [{id: fact:a, subject: acme, predicate: p, value: 1e400}]",
     "facts[0] (fact:a): value: not a finite number"),
    ("hex.yaml", "facts: [{id: fact:a, subject: acme, predicate: p, value: 0x" + "f" * 300 + "}]",
     "facts[0] (fact:a): value: not a finite number"),
    ("nan.json", '{"factstore": 1, "facts": [{"id": "fact:a", "subject": "acme", '
     '"predicate": "p", "value": NaN}]}', "facts[0] (fact:a): value: not a finite number"),
    ("inf.json", '{"factstore": 1, "facts": [{"id": "fact:a", "subject": "acme", '
     '"predicate": "p", "value": 1e400}]}', "facts[0] (fact:a): value: not a finite number"),
    ("conf.json", '{"factstore": 1, "facts": [{"id": "fact:a", "subject": "acme", '
     '"predicate": "p", "value": 1, "confidence": Infinity}]}',
     "facts[0] (fact:a): confidence: not a finite number"),
    ("nan.jsonl", '{"type": "fact", "subject": "acme", "predicate": "p", "value": NaN}',
     "line 1: value: not a finite number"),
    ("inf.jsonl", '{"type": "fact", "subject": "acme", "predicate": "p", "value": -Infinity}',
     "line 1: value: not a finite number"),
    ("big.jsonl", '{"type": "fact", "subject": "acme", "predicate": "p", "value": 1e400}',
     "line 1: value: not a finite number"),
]


@pytest.mark.parametrize("name,text,words", NOT_FINITE, ids=[c[0] for c in NOT_FINITE])
def test_nan_and_infinities_are_refused_naming_the_field(facts: Facts, tmp_path: Path, name: str,
                                                         text: str, words: str) -> None:
    path = tmp_path / name
    path.write_text(text if name.endswith(".json") or name.endswith(".jsonl")
                    else "factstore: 1\n" + text + "\n", encoding="utf-8")
    log_before = facts("log", "--json").output
    result = facts("import", str(path), "--by", AUTHOR, ok=False)
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"error: {name}: {words} (NaN, infinities and numbers beyond ±1.8e308 are refused)"]
    assert facts("log", "--json").output == log_before


@pytest.mark.parametrize("fmt", ["yaml", "json", "jsonl"])
def test_values_survive_an_export_round_trip(tmp_path: Path, fmt: str) -> None:
    """Whatever the import stored, the export writes so that importing it stores it again."""
    source = tmp_path / "values.yaml"
    source.write_text("factstore: 1\n" + ENTITY + "facts:\n" + "".join(
        f"  - {{id: 'fact:v{i}', subject: acme, predicate: p{i}, value: {written}}}\n"
        for i, (written, _, _) in enumerate(YAML_VALUES)), encoding="utf-8")
    stored = load_file(source).facts
    doc = {"factstore": 1, **{section: [] for section in MODELS},
           "entities": [{"id": "acme", "kind": "customer", "name": "Acme"}],
           "facts": [{"id": f["id"], "subject": "acme", "predicate": f["predicate"],
                      **dict(zip(("value", "value_type"), _written(f), strict=True))}
                     for f in stored]}
    out = tmp_path / f"out.{fmt}"
    out.write_text(dump(doc, fmt), encoding="utf-8")  # type: ignore[arg-type]
    again = load_file(out).facts
    assert [(f["value"], f["value_type"]) for f in again] == \
        [(f["value"], f["value_type"]) for f in stored]


def _written(fact: dict[str, str]) -> tuple[object, str]:
    from factstore.export import _typed

    value, _ = _typed(fact["value"], fact["value_type"])
    return value, fact["value_type"]


def test_a_pack_shows_a_number_with_the_digits_it_was_stored_with(facts: Facts,
                                                                  tmp_path: Path) -> None:
    """A pack grouped numbers through a float: 4743092.50 BRL read '4,743,092.5 BRL' (the
    cents' zero gone), 12345678901234567.89 '1.2345678901234568e+16' and 6.02e23 a number
    with invented digits. They keep the stored digits now."""
    path = tmp_path / "faturamento.yaml"
    path.write_text("factstore: 1\n" + ENTITY + "facts:\n"
                    "  - {id: 'fact:r', subject: acme, predicate: revenue, value: 4743092.50, "
                    "value_type: money, unit: BRL, period: FY26-Q1}\n"
                    "  - {id: 'fact:b', subject: acme, predicate: backlog, "
                    "value: 12345678901234567.89, value_type: money, unit: BRL, period: FY26-Q1}\n"
                    "  - {id: 'fact:m', subject: acme, predicate: molecules, value: 6.02e23, "
                    "period: FY26-Q1}\n", encoding="utf-8")
    facts("import", str(path), "--by", AUTHOR)
    pack = facts("context", "Acme revenue, backlog and molecules in FY26-Q1?").output
    assert "revenue (FY26-Q1): 4,743,092.50 BRL" in pack
    assert "backlog (FY26-Q1): 12,345,678,901,234,567.89 BRL" in pack
    assert "molecules (FY26-Q1): 602,000,000,000,000,000,000,000" in pack
