"""`facts export`: the knowledge as an import file, exact enough that importing it into an empty
store — on either backend — gives the same rows, retracted ones and the calendar included."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from factstore import FactStore
from factstore.export import _typed, dump
from factstore.schema import BOOKKEEPING, SINGULAR, TABLES

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


def test_an_export_cut_short_leaves_the_file_as_it_was(
        facts: Facts, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`facts export -o FILE` writes its text a block at a time beside FILE and renames it
    over FILE once whole: an error half way (a block that fails, a read refused, Ctrl-C)
    leaves FILE as it was, and no part file; written whole, FILE keeps its permissions."""
    from factstore import export

    from .test_writes import SMALL

    source = tmp_path / "small.yaml"
    source.write_text(SMALL, encoding="utf-8")
    facts("import", str(source), "--by", AUTHOR)
    out = tmp_path / "out" / "knowledge.jsonl"
    out.parent.mkdir()
    out.write_text("yesterday's export\n", encoding="utf-8")
    out.chmod(0o600)
    made = export._section_json
    blocks: list[str] = []

    def fails_on_the_third(*args: object, **kwargs: object) -> str:
        blocks.append(made(*args, **kwargs))  # type: ignore[arg-type]
        if len(blocks) == 3:
            raise KeyboardInterrupt
        return blocks[-1]

    monkeypatch.setattr(export, "BLOCK", 1)
    monkeypatch.setattr(export, "_section_json", fails_on_the_third)
    cut = facts("export", "-o", str(out), ok=False)
    assert cut.exit_code != 0 and len(blocks) == 3
    assert out.read_text(encoding="utf-8") == "yesterday's export\n"
    assert [p.name for p in out.parent.iterdir()] == ["knowledge.jsonl"]
    monkeypatch.undo()
    facts("export", "-o", str(out))
    written = out.read_text(encoding="utf-8")  # (the output has the calendar's note too)
    assert written.startswith('{"type": "source"') and written in facts(
        "export", "--format", "jsonl").output
    assert out.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in out.parent.iterdir()] == ["knowledge.jsonl"]
    link = tmp_path / "latest.jsonl"  # a link to the day's export is written through
    link.symlink_to(out)
    facts("export", "-o", str(link))
    assert link.is_symlink() and link.read_text(encoding="utf-8") == written


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


def _rows_text(rng: random.Random, pool: list[str], dense: bool = False) -> str | None:
    """A cell of text: often a TRICKY string, often one of its own, sometimes null; dense:
    always one of its own, and a string, as in a column of ids or quotes."""
    if dense:
        return f"{rng.choice(pool)} {rng.randrange(10**9)}"
    pick = rng.random()
    if pick < 0.1:
        return None
    if pick < 0.5:
        return rng.choice(pool)
    return f"{rng.choice(pool)} {rng.randrange(10**6)}"


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("count", [5, 200])
@pytest.mark.parametrize("block", [None, 7])
def test_yaml_written_from_rows_is_pyyaml_text_of_their_records(
        seed: int, count: int, block: int | None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The column-by-column writers (`yaml_pieces`, `json_pieces`) against PyYAML's and
    json's text of the records the same rows make, on rows of odd text (keys left out too):
    few rows (each value looked at), and many mostly distinct ones (a column of strings of
    their own is cleared in passes over it all); and with the sections written a few rows at
    a time (as a large store's are, BLOCK rows)."""
    from factstore import export
    from factstore.export import _yaml, columns, document, json_pieces, records, yaml_pieces
    from factstore.models import MODELS as SECTIONS

    if block:
        monkeypatch.setattr(export, "BLOCK", block)

    rng = random.Random(seed)
    pool = [*TRICKY, "active", "retracted", "", " lead", "trail ", "a\nb", "it's", "x" * 99]
    sections: dict[str, list[tuple[object, ...]]] = {}
    for section in SECTIONS:
        rows = []
        for i in range(count):
            row: list[object] = []
            for column in columns(section):
                if column in ("authority",):
                    row.append(rng.choice([0, 90, -5, 10**12]))
                elif column == "confidence":
                    row.append(rng.choice([None, 0.1, 1 / 3, 1.0, 1e-7, 1e22]))
                elif column == "value_type":
                    row.append(rng.choice(["text", "number", "bool", "date"]))
                elif column == "value":
                    row.append(rng.choice(["12", "1.5", "1e3", "007", "true", "yes", "-0",
                                           "2026-03-31", _rows_text(rng, pool) or "v"]))
                elif column in ("status", "alias_kind"):  # NOT NULL, with a default
                    row.append(rng.choice(["active", "active", "name", "name", "ticker",
                                           "retracted", "12", "a: b"]))
                elif column in ("id", "entity_id", "src_id"):
                    row.append(rng.choice([f"{section}:{i}", _rows_text(rng, pool), None])
                               if seed % 3 == 0 else f"{section}:{seed}-{i}")
                else:
                    row.append(_rows_text(rng, pool, dense=seed % 4 == 1))
            rows.append(tuple(row))
        sections[section] = rows
    doc = document({section: [] for section in SECTIONS}, 2 if seed % 2 else None)
    whole = {**doc, **{section: records(section, rows) for section, rows in sections.items()}}
    text = _yaml(whole)
    assert "".join(yaml_pieces(doc, {s: [rows] for s, rows in sections.items()})) == text \
        == dump(whole, "yaml")
    # read in blocks of any size, as a reader gives them (Backend.query_blocks)
    assert "".join(yaml_pieces(doc, {s: [rows[i:i + 3] for i in range(0, len(rows), 3)]
                                     for s, rows in sections.items()})) == text
    # and JSON, JSONL: the same writer's way, against json's text of the same records
    for fmt in ("json", "jsonl"):
        assert "".join(json_pieces(doc, {s: [rows[i:i + 3] for i in range(0, len(rows), 3)]
                                         for s, rows in sections.items()}, fmt)) \
            == dump(whole, fmt)


def test_what_the_column_writer_clears_no_resolver_reads_as_other_than_text() -> None:
    """`_looked_at` takes strings starting with a digit, + - or ., and words of at most five
    characters starting with a resolver's other first characters, for closer looks; it
    clears the rest on their shape alone. That holds only while the resolvers read nothing
    else as other than a string."""
    from factstore.export import (
        _RESOLVED_FIRST,
        _WORD_FIRST,
        _WORDS_UP_TO,
        _Dumper,
        _resolved,
        _string,
    )

    table = _Dumper.yaml_implicit_resolvers
    assert None not in table
    word_tags = {"bool", "null", "merge", "value", "yaml"}
    for first, resolvers in table.items():
        if first not in _RESOLVED_FIRST:
            assert first in _WORD_FIRST
            assert {tag.rsplit(":", 1)[1] for tag, _ in resolvers} <= word_tags, first
    # every word those resolvers take is short; longer strings starting alike are text
    words = ["yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False",
             "FALSE", "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL", "~", "=",
             "<<", "!", "&", "*"]
    assert all(_resolved(w) for w in words) and max(map(len, words)) <= _WORDS_UP_TO
    rng = random.Random(5)
    for first in sorted(_WORD_FIRST):
        for tail in ("", "es", "rue", "alse", "ull", "ff", "n", "<", "O", "x" * 5):
            text = first + tail
            if len(text) > _WORDS_UP_TO:
                assert not _resolved(text), text
        for _ in range(200):
            text = first + "".join(rng.choice("aeflnorstuyAEFLNORSTUY~<=!&*")
                                   for _ in range(rng.randrange(5, 9)))
            assert not _resolved(text), text
    assert _string("fact:c1-arr", 8) == "fact:c1-arr" and _string("No", 8) == "'No'"


ODD = ["yes", "No", "~", "null", "1:20", "1e3", "0x1F", "2025-10-31", "12", "-5", "- a",
       "a: b", "a:", "a #b", "#a", "a#b", "'q'", '"q"', "(x)", "/path", "$5", "x  y",
       "é clair", "emoji \U0001F600", "Ünïcode", "tab\there", "two\nlines", "...", "---",
       "? q", "!tag", "&a", "*a", "%p", "@a", "`b`", "[a]", "{a}", "a, b", "=", "<<",
       "x" * 120, " ".join(["word"] * 30), "it's \"quoted\" 'twice'", "back\\slash",
       "line\u2028sep", "del\x7f", "bell\x07"]


def test_odd_text_exports_as_pyyaml_writes_it_and_imports_back_unchanged(
    store: FactStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Strings YAML reads as other than text, or that need quoting, escaping or folding, in
    every section and in aliases of several spellings: `export_text` (what `facts export`
    writes) is PyYAML's text of `export()`, and its JSON, JSONL and CSV are `dump`'s and
    `dump_csv`'s, in blocks of any size; importing the YAML back changes nothing."""
    from factstore.import_csv import dump_csv
    from factstore.export import _yaml

    doc: dict[str, object] = {
        "factstore": 1,
        "sources": [{"id": f"src:s{i}", "title": text, "kind": "wiki", "authority": 10 + i,
                     "uri": text} for i, text in enumerate(ODD)],
        "entities": [{"id": f"e{i}", "kind": "customer", "name": f"{text} Co {i}",
                      "description": text, "source": f"src:s{i}"}
                     for i, text in enumerate(ODD)],
        "aliases": [{"entity": "e0", "alias": "Orvik"}, {"entity": "e0", "alias": "ORVIK",
                                                         "kind": "ticker"},
                    *({"entity": f"e{i}", "alias": f"{text} Alias"}
                      for i, text in enumerate(ODD) if i)],
        "definitions": [{"id": f"def:d{i}@finance", "term": f"term {i}", "scope": "finance",
                         "text": text, "formula": text} for i, text in enumerate(ODD)],
        "facts": [{"id": f"fact:f{i}", "subject": f"e{i}", "predicate": "note",
                   "value": text, "quote": text, "unit": "USD", "period": "FY26-Q3",
                   "source": f"src:s{i}", "confidence": [0.1, 1 / 3, 0.95][i % 3]}
                  for i, text in enumerate(ODD)]
                 + [{"id": "fact:n", "subject": "e1", "predicate": "arr", "value": 1200000},
                    {"id": "fact:x", "subject": "e1", "predicate": "x", "value": "1.2e6",
                     "value_type": "number"},
                    {"id": "fact:b", "subject": "e1", "predicate": "live", "value": True}],
        "rules": [{"id": f"rule:r{i}", "applies_to": "kind:customer", "text": text}
                  for i, text in enumerate(ODD)],
    }
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    store.import_file(path, author=AUTHOR, reason="odd: text # and 'quotes'")
    done = store.export_text()
    exported = store.export()
    assert done.text == _yaml(exported) == dump(exported, "yaml")
    assert done.counts == {name: len(exported[name]) for name in TABLES}
    assert done.counts["aliases"] == len(ODD) + 1  # ORVIK is a spelling of Orvik's row
    texts = {fmt: store.export_text(fmt).text for fmt in ("json", "jsonl")}
    assert texts == {fmt: dump(exported, fmt) for fmt in ("json", "jsonl")}
    assert json.loads(texts["json"]) == exported
    assert [json.loads(line) for line in texts["jsonl"].split("\n")[:-1]] == [
        {"type": kind, **record} for kind, name in SINGULAR.items() for record in exported[name]]
    csv = {table: store.export_text("csv", table=table) for table in ("definitions", "facts")}
    assert {t: c.text for t, c in csv.items()} == {t: dump_csv(exported[t], t) for t in csv}
    assert csv["facts"].counts == {"facts": len(exported["facts"])}
    from factstore import export

    monkeypatch.setattr(export, "BLOCK", 2)  # read and written two rows at a time
    assert store.export_text() == done
    assert {fmt: store.export_text(fmt).text for fmt in ("json", "jsonl")} == texts
    assert dump(store.export(), "json") == dump(exported, "json")
    monkeypatch.undo()
    back = tmp_path / "back.yaml"
    back.write_text(done.text, encoding="utf-8")
    head = store.head()
    assert store.import_file(back, author=AUTHOR).commit is None and store.head() == head


def test_export_text_is_the_text_of_the_export_at_any_ref(northwind: FactStore) -> None:
    for ref in (None, "FY26-Q3"):
        exported = northwind.export(as_of=ref)
        for fmt in ("yaml", "json", "jsonl"):
            done = northwind.export_text(fmt, as_of=ref)
            assert done.text == dump(exported, fmt)
            assert done.fiscal_year_start_month == exported.get("calendar", {}).get(
                "fiscal_year_start_month")


def test_a_large_export_reports_its_progress(northwind: FactStore,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """From EXPORT_PROGRESS_ROWS rows, an export reports ("exporting", rows read, the tables'
    rows) a block at a time, up to all of them (CSV: its table's), at any ref; below, nothing."""
    import factstore
    from factstore import export
    from factstore.store import reads

    reports: list[tuple[str, int, int]] = []
    monkeypatch.setattr(export, "BLOCK", 40)
    with factstore.open_store(northwind.url, progress=lambda *r: reports.append(r)) as store:
        store.export_text("jsonl")
        assert reports == []  # a small store: no bar
        monkeypatch.setattr(reads, "EXPORT_PROGRESS_ROWS", 0)
        for fmt, table, ref in (("yaml", None, None), ("json", None, "FY26-Q3"),
                                ("csv", "facts", None)):
            reports.clear()
            store.export_text(fmt, table=table, as_of=ref)
            total = sum(store.backend.query(f"SELECT COUNT(*) AS n FROM {name}")[0]["n"]
                        for name in ([table] if table else TABLES)) if ref is None else \
                reports[-1][2]
            assert {r[0] for r in reports} == {"exporting"} and reports[-1][1:] == (total, total)
            assert [r[1] for r in reports] == sorted(r[1] for r in reports), fmt


@pytest.mark.parametrize("block", [1, 3])
def test_an_export_read_in_blocks_is_the_export_read_whole(
        northwind: FactStore, block: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """export and export_text read each table a block of rows at a time (doltlite's reader
    gives BLOCK rows a block, a Dolt server's all of them in one): blocks of any size give
    the same records, their fields in the same order, and the same texts, at any ref."""
    from factstore import export

    for ref in (None, "FY26-Q3"):
        whole = northwind.export(as_of=ref)
        texts = {fmt: northwind.export_text(fmt, as_of=ref) for fmt in ("yaml", "json", "jsonl")}
        monkeypatch.setattr(export, "BLOCK", block)
        assert dump(northwind.export(as_of=ref), "json") == dump(whole, "json")
        assert {fmt: northwind.export_text(fmt, as_of=ref) for fmt in texts} == texts
        assert {fmt: text.text for fmt, text in texts.items()} == {
            fmt: dump(whole, fmt) for fmt in texts}
        monkeypatch.undo()
