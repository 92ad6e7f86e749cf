"""`facts export`: the knowledge as an import file, exact enough that importing it into an empty
store — on either backend — gives the same rows, retracted ones and the calendar included."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from factstore import FactStore
from factstore.export import _typed, dump
from factstore.schema import BOOKKEEPING, TABLES

from .conftest import AUTHOR, Facts


def _knowledge(store: FactStore, as_of: str | None = None) -> dict[str, list[str]]:
    """Every knowledge row (bookkeeping aside: who recorded it and why belong to the commit
    that wrote it), as sorted JSON lines per table, plus the settings."""
    at = store.resolve_ref(as_of) if as_of else None
    out = {}
    for name in TABLES:
        rows = store._core.select(name, "1 = 1", [], at)
        out[name] = sorted(json.dumps({k: v for k, v in r.items() if k not in BOOKKEEPING},
                                      sort_keys=True, default=str) for r in rows)
    out["config"] = sorted(f"{r['name']}={r['value']}"
                           for r in store._core.select("config", "1 = 1", [], at))
    return out


def test_an_export_imports_back_to_the_same_rows_across_backends(
    northwind: FactStore, store: FactStore, tmp_path: Path
) -> None:
    path = tmp_path / "northwind-export.yaml"
    path.write_text(dump(northwind.export(), "yaml"), encoding="utf-8")
    store.import_file(path, author=AUTHOR, reason="restore")
    assert _knowledge(store) == _knowledge(northwind)
    assert any('"status": "retracted"' in r for r in _knowledge(store)["facts"])
    before = store.head()
    assert store.import_file(path, author=AUTHOR).commit is None  # re-import: no-op
    assert store.head() == before


def test_as_of_exports_the_knowledge_at_that_ref(northwind: FactStore, store: FactStore,
                                                  tmp_path: Path) -> None:
    path = tmp_path / "q3.json"
    path.write_text(dump(northwind.export(as_of="FY26-Q3"), "json"), encoding="utf-8")
    store.import_file(path, author=AUTHOR)
    assert _knowledge(store) == _knowledge(northwind, as_of="FY26-Q3")
    assert _knowledge(store) != _knowledge(northwind)


def test_jsonl_export_round_trips_all_but_the_calendar(northwind: FactStore, store: FactStore,
                                                       tmp_path: Path) -> None:
    path = tmp_path / "northwind.jsonl"
    path.write_text(dump(northwind.export(), "jsonl"), encoding="utf-8")
    store.import_file(path, author=AUTHOR)
    ours, theirs = _knowledge(store), _knowledge(northwind)
    assert ours.pop("config") == [] and theirs.pop("config") == [
        "calendar.fiscal_year_start_month=2"]
    assert ours == theirs


@pytest.mark.parametrize(("text", "value_type", "written", "implied"), [
    ("1200000", "number", 1200000, "number"),
    ("41.5", "number", 41.5, "number"),
    ("1.2e6", "number", "1.2e6", "text"),  # float('1.2e6') would come back as '1200000.0'
    ("007", "number", "007", "text"),
    ("true", "bool", True, "bool"),
    ("yes", "bool", "yes", "text"),
    ("2026-03-31", "date", "2026-03-31", "text"),
    ("12", "text", "12", "text"),  # text that looks like a number stays text
])
def test_fact_values_are_written_typed_only_when_they_read_back_exactly(
    text: str, value_type: str, written: object, implied: str
) -> None:
    assert _typed(text, value_type) == (written, implied)


def test_an_explicit_value_type_survives_the_round_trip(store: FactStore, tmp_path: Path) -> None:
    path = tmp_path / "typed.yaml"
    path.write_text(
        "factstore: 1\nentities:\n  - {id: acme, kind: customer, name: Acme}\n"
        "facts:\n"
        "  - {id: 'fact:a', subject: acme, predicate: arr, value: '1.2e6', value_type: number}\n"
        "  - {id: 'fact:b', subject: acme, predicate: code, value: '12'}\n"
        "  - {id: 'fact:c', subject: acme, predicate: live, value: true}\n", encoding="utf-8")
    store.import_file(path, author=AUTHOR)
    facts = {f["id"]: f for f in store.export()["facts"]}
    assert facts["fact:a"]["value"] == "1.2e6" and facts["fact:a"]["value_type"] == "number"
    # no reason was given; no source, so the fact was captured on the day of the import
    assert facts["fact:b"] == {"id": "fact:b", "subject": "acme", "predicate": "code",
                               "value": "12", "recorded_by": AUTHOR,
                               "captured_at": datetime.now(UTC).date().isoformat()}
    assert facts["fact:c"]["value"] is True and "value_type" not in facts["fact:c"]


def test_cli_writes_a_file_by_its_suffix(facts: Facts, tmp_path: Path) -> None:
    from .test_writes import SMALL

    source = tmp_path / "small.yaml"
    source.write_text(SMALL, encoding="utf-8")
    facts("import", str(source), "--by", AUTHOR)
    out = tmp_path / "out.yml"
    result = facts("export", "-o", str(out))
    assert "Wrote" in result.output and "facts 2" in result.output
    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert doc["factstore"] == 1 and doc["calendar"] == {"fiscal_year_start_month": 2}
    assert [a["alias"] for a in doc["aliases"] if a["entity"] == "acme-corp"] == [
        "ACME Inc.", "Acme Widgets"]
    assert json.loads(facts("export", "--format", "json").output)["rules"][0]["id"] == \
        "rule:discount-approval"
    jsonl = facts("export", "--format", "jsonl").output
    assert "calendar.fiscal_year_start_month 2" in jsonl  # the note (stderr, mixed in here)
    for args in (["-o", str(tmp_path / "out.txt")],
                 ["-o", str(tmp_path / "out.json"), "--format", "jsonl"]):
        bad = facts("export", *args, ok=False)
        assert bad.exit_code == 2 and "suffix must name the format" in bad.output
    nowhere = facts("export", "-o", str(tmp_path / "no-such-dir" / "x.yaml"), ok=False)
    assert nowhere.exit_code == 2 and "cannot write" in nowhere.output


@settings(max_examples=300, deadline=None)
@given(text=st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                    min_size=1, max_size=40).filter(str.strip))
def test_any_text_survives_every_export_format(tmp_path_factory: pytest.TempPathFactory,
                                               text: str) -> None:
    """Control characters, line separators (U+2028, NEL), BOMs and YAML's own syntax come
    back from each format exactly as they went in."""
    from factstore.importers import load_file
    from factstore.models import MODELS as SECTIONS

    doc = {"factstore": 1, **{section: [] for section in SECTIONS},
           "sources": [{"id": "src:s", "title": text, "kind": "wiki", "authority": 1}],
           "entities": [{"id": "e", "kind": "customer", "name": text}],
           "facts": [{"id": "fact:f", "subject": "e", "predicate": "p", "value": text,
                      "quote": text}]}
    folder = tmp_path_factory.mktemp("any")
    for fmt in ("yaml", "json", "jsonl"):
        path = folder / f"doc.{fmt}"
        path.write_text(dump(doc, fmt), encoding="utf-8")  # type: ignore[arg-type]
        batch = load_file(path)
        assert (batch.sources[0]["title"], batch.entities[0]["name"],
                batch.facts[0]["value"], batch.facts[0]["quote"]) == (text,) * 4, fmt


def _provenance(store: FactStore) -> dict[str, list[tuple[str, str | None, str | None]]]:
    return {name: sorted((table.item_id(r), r["recorded_by"], r["reason"])
                         for r in store._core.select(name, "1 = 1", [], None))
            for name, table in TABLES.items()}


def test_a_restore_keeps_who_recorded_each_row_and_why(
    northwind: FactStore, store_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "backup.yaml"
    path.write_text(dump(northwind.export(), "yaml"), encoding="utf-8")
    facts = Facts(store_url)
    out = json.loads(facts("import", str(path), "--restore", "--by",
                           "Rami Haddad <rami@ops.test>", "-m", "disaster drill",
                           "--json").output)
    restored = factstore_open(store_url)
    assert _knowledge(restored) == _knowledge(northwind)
    assert _provenance(restored) == _provenance(northwind)
    assert len(out["changed"]) == sum(len(v) for v in _provenance(northwind).values()) + 1
    commit = restored.log(1)[0]
    assert commit.author == "Rami Haddad <rami@ops.test>" and "disaster drill" in commit.message
    restored.close()


def test_a_restore_into_a_store_that_holds_knowledge_is_refused(facts: Facts,
                                                               tmp_path: Path) -> None:
    facts("add", "entity", "--id", "kestrel", "--kind", "customer", "--name", "Kestrel Ltd",
          "--by", AUTHOR)
    path = tmp_path / "backup.yaml"
    facts("export", "-o", str(path))
    log = facts("log", "--json").output
    result = facts("import", str(path), "--restore", "--by", AUTHOR, ok=False)
    assert result.exit_code == 4 and "not empty" in result.output
    assert facts("log", "--json").output == log


def factstore_open(url: str) -> FactStore:
    import factstore

    return factstore.open_store(url)


TRICKY = ["plain", "src:crm", "yes", "No", "on", "~", "null", "1:20", "1e3", "0x1F", "0o17",
          "2025-10-31", "12", "-5", "- a", "a: b", "a:", "a #b", "#a", "a#b", "'q'", '"q"',
          "(x)", "/path", "$5", "x  y", "x ", "é clair", "\u00a0nbsp", "emoji \U0001F600",
          "a\u2028b", "tab\there", ".5", "...", "---", "? q", "!tag", "&a", "*a", "%p", "@a",
          "`b`", "[a]", "{a}", "a, b", "=", "<<", "Ünïcode", "\ufeffbom", "x" * 120,
          " ".join(["word"] * 30), "w" * 60 + " " + "v" * 30]


@settings(max_examples=300, deadline=None)
@given(values=st.lists(st.one_of(
    st.sampled_from(TRICKY), st.text(min_size=1, max_size=120),
    st.text(st.sampled_from("ab :#-1 .e\u00e9"), min_size=1, max_size=110),
    st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.booleans()),
    min_size=1, max_size=6))
def test_yaml_export_is_pyyaml_text_byte_for_byte(values: list[object]) -> None:
    """The YAML writer writes most records itself: its text must be PyYAML's exactly."""
    from factstore.export import _yaml

    record = {f"field_{'abcdef'[i]}": v for i, v in enumerate(values)}
    doc = {"factstore": 1, "calendar": {"fiscal_year_start_month": 2}, "sources": [],
           "facts": [record, {"id": "fact:x", "value": 1}, {"quote": values[0]}]}
    assert dump(doc, "yaml") == _yaml(doc)  # type: ignore[arg-type]
