"""A JSONL import streams (a chunk of lines at a time, in one transaction): the same rows as
the whole-file path, and nothing written when any chunk holds a problem — on both backends.
Chunks of three lines make every file here span several."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from factstore import FactStore, InvalidInput
from factstore.backends import versioning
from factstore.importers import load_file
from factstore.store.imports import import_branch

from .conftest import AUTHOR, FIXTURES
from .test_writes import _as_jsonl, _tables


@pytest.fixture(autouse=True, params=["here", "apart"])
def small_chunks(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test twice: the file read in this process, and read by a forked one (what a
    file over READ_APART bytes gets), whose first chunk is two lines."""
    monkeypatch.setattr("factstore.importers.JSONL_CHUNK", 3)
    if request.param == "apart":
        monkeypatch.setattr("factstore.store.streaming.READ_APART", 0)
        monkeypatch.setattr("factstore.store.streaming.FIRST_APART", 2)
    else:
        monkeypatch.setattr("factstore.store.streaming.READ_APART", 1 << 60)
    return str(request.param)


def _lines(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


SOURCE = {"type": "source", "id": "src:crm", "title": "CRM", "kind": "system_of_record",
          "authority": 90}


def _entity(i: int) -> dict[str, object]:
    return {"type": "entity", "id": f"c{i}", "kind": "customer", "name": f"Customer {i}"}


def _fact(i: int, subject: str = "c0") -> dict[str, object]:
    return {"type": "fact", "id": f"fact:f{i}", "subject": subject, "predicate": "arr",
            "value": i, "source": "src:crm"}


def _untouched(store: FactStore, head: str, path: Path) -> None:
    assert store.head() == head
    assert store.backend.query("SELECT id FROM facts") == []
    assert versioning.branch_head(store.backend, import_branch(path)) is None


def test_streamed_rows_are_the_whole_file_rows(store: FactStore, tmp_path: Path,
                                               store_url: str) -> None:
    import factstore

    jsonl = _as_jsonl(FIXTURES / "northwind.yaml", tmp_path / "northwind.jsonl")
    result = store.import_file(jsonl, author=AUTHOR, reason="load")
    other = (str(tmp_path / "other.db") if "://" not in store_url
             else store_url.rsplit("/", 1)[0] + "/w" + store_url.rsplit("/", 1)[1])
    factstore.init_store(other, author=AUTHOR).close()
    with factstore.open_store(other) as whole:
        whole.import_batch(load_file(jsonl), author=AUTHOR, message="whole", reason="load")
        assert _tables(store) == _tables(whole)
    assert len(result.changed) == sum(map(len, _tables(store).values()))
    again = store.import_file(jsonl, author=AUTHOR)
    assert again.commit is None and again.changed == []


def test_a_fact_may_come_before_its_subject(store: FactStore, tmp_path: Path) -> None:
    path = _lines(tmp_path / "late.jsonl",
                  [_fact(i, f"c{i}") for i in range(5)] + [SOURCE] + [_entity(i) for i in range(5)])
    result = store.import_file(path, author=AUTHOR)
    assert len(result.changed) == 11
    changed = _lines(path, [SOURCE, _entity(0), _fact(0), {**_fact(1, "c0"), "value": 7}])
    assert store.import_file(changed, author=AUTHOR).changed == ["fact:f1"]


@pytest.mark.parametrize(("tail", "words"), [
    ('{"type": "fact", "id": "fact:x", "subject": "c0", "predicate": "arr"}',
     r"late.jsonl: line 9: value: required field is missing"),
    ("{not json", r"late.jsonl: line 9: malformed JSON"),
    (json.dumps(_fact(1)), r"facts\[6\]: fact:f1 appears twice \(also facts\[1\]\)"),
    (json.dumps(_fact(9, "nobody")),
     r"facts\[6\] \(fact:f9\): subject: no entity 'nobody' in the file or the store"),
])
def test_a_problem_in_a_late_chunk_writes_nothing(store: FactStore, tmp_path: Path,
                                                  tail: str, words: str) -> None:
    path = _lines(tmp_path / "late.jsonl", [SOURCE, _entity(0)] + [_fact(i) for i in range(6)])
    with path.open("a", encoding="utf-8") as more:
        more.write(tail + "\n")
    head = store.head()
    with pytest.raises(InvalidInput, match=words):
        store.import_file(path, author=AUTHOR)
    _untouched(store, head, path)


def test_a_reference_to_the_store_is_found_in_any_chunk(store: FactStore, tmp_path: Path
                                                        ) -> None:
    store.import_file(_lines(tmp_path / "people.jsonl", [SOURCE, _entity(0), _entity(1)]),
                      author=AUTHOR)
    path = _lines(tmp_path / "facts.jsonl", [_fact(i, f"c{i % 2}") for i in range(7)])
    assert len(store.import_file(path, author=AUTHOR).changed) == 7


def _rule(name: str, applies_to: str = "c0", overrides: str | None = None
          ) -> dict[str, object]:
    return {"type": "rule", "id": f"rule:{name}", "applies_to": applies_to, "text": name,
            **({"overrides": overrides} if overrides else {})}


@pytest.mark.parametrize(("tail", "words"), [
    (json.dumps({**_fact(9), "supersedes": "fact:f33"}),
     r"facts\[6\] \(fact:f9\): supersedes: no fact 'fact:f33' in the file or the store; "
     r"did you mean fact:f3"),
    (json.dumps(_rule("exception", overrides="rule:bse")),
     r"rules\[1\] \(rule:exception\): overrides: no rule 'rule:bse' in the file or the "
     r"store; did you mean rule:base\?"),
    (json.dumps(_rule("exception", applies_to="kind:custmer")),
     r"rules\[1\] \(rule:exception\): applies_to: no entity is of kind 'custmer'; did you "
     r"mean kind:customer\?"),
])
def test_a_link_to_nothing_in_a_late_chunk_writes_nothing(store: FactStore, tmp_path: Path,
                                                          tail: str, words: str) -> None:
    """A fact's supersedes and a rule's overrides name a row of the file or the store, and a
    rule's kind:K one spelled as an entity's kind, as in a YAML file: a typo was written,
    silently unlinking the supersession or the exception."""
    path = _lines(tmp_path / "late.jsonl",
                  [SOURCE, _entity(0), _rule("base", "kind:customer")]
                  + [_fact(i) for i in range(6)])
    with path.open("a", encoding="utf-8") as more:
        more.write(tail + "\n")
    head = store.head()
    with pytest.raises(InvalidInput, match=words):
        store.import_file(path, author=AUTHOR)
    assert store.head() == head
    assert store.backend.query("SELECT id FROM facts") == []


@pytest.mark.parametrize("hashed", [False, True])
def test_a_link_is_found_in_any_chunk_and_in_the_store(
        store: FactStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hashed: bool
) -> None:
    """A supersedes or overrides may name a row of an earlier chunk (kept as a hash past a
    size), of a later one, or of the store."""
    if hashed:
        monkeypatch.setattr("factstore.store.streaming._Hashes.SMALL", 2)
    store.import_file(_lines(tmp_path / "first.jsonl",
                             [SOURCE, _entity(0), _fact(0), _rule("base", "kind:customer")]),
                      author=AUTHOR)
    path = _lines(tmp_path / "links.jsonl", [
        _fact(1), _fact(2), {**_fact(3), "supersedes": "fact:f8"},  # a later chunk's
        _fact(4), _fact(5), _fact(6),
        {**_fact(7), "supersedes": "fact:f1"},  # an earlier chunk's
        _fact(8), {**_fact(9), "supersedes": "fact:f0"},  # the store's
        _rule("exception", overrides="rule:base"), _rule("later", overrides="rule:last"),
        _entity(1), _entity(2), _rule("last", "kind:customer")])
    assert len(store.import_file(path, author=AUTHOR).changed) == 14
    assert store.backend.query("SELECT supersedes FROM facts WHERE id = 'fact:f7'") == [
        {"supersedes": "fact:f1"}]


def test_a_streamed_import_reports_its_progress(store_url: str, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                small_chunks: str) -> None:
    import factstore
    from factstore.store import imports as store_module

    monkeypatch.setattr(store_module, "IMPORT_PROGRESS_BYTES", 0)
    path = _lines(tmp_path / "p.jsonl", [SOURCE, _entity(0)] + [_fact(i) for i in range(4)])
    size = path.stat().st_size
    reports: list[tuple[str, int, int]] = []
    with factstore.open_store(store_url, progress=lambda *r: reports.append(r)) as store:
        store.import_file(path, author=AUTHOR)
    chunks = 2 if small_chunks == "here" else 3  # 3 + 3 lines, or 2 + 3 + 1
    assert [r[0] for r in reports] == ["importing p.jsonl"] * chunks + ["committing"] * 2
    assert reports[chunks - 1] == ("importing p.jsonl", size, size)


ALIAS = {"type": "alias", "entity": "c0", "alias": "Orvik", "kind": "name"}


def _whole(store_url: str, tmp_path: Path, name: str) -> str:
    """A second, empty store beside the test's (a whole-file import's rows to compare)."""
    import factstore

    other = (str(tmp_path / f"{name}.db") if "://" not in store_url
             else store_url.rsplit("/", 1)[0] + "/" + name + store_url.rsplit("/", 1)[1])
    factstore.init_store(other, author=AUTHOR).close()
    return other


def test_spellings_of_one_alias_in_different_chunks_are_one_row(
        store: FactStore, tmp_path: Path, store_url: str) -> None:
    import factstore

    records = [SOURCE, _entity(0), ALIAS, *[_fact(i) for i in range(4)],
               {**ALIAS, "alias": "ORVIK", "kind": "ticker"}, _fact(4),
               {**ALIAS, "alias": "orvik!", "kind": "code"}]
    path = _lines(tmp_path / "aliases.jsonl", records)
    result = store.import_file(path, author=AUTHOR)
    with factstore.open_store(_whole(store_url, tmp_path, "whole")) as whole:
        whole.import_batch(load_file(path), author=AUTHOR, message="whole")
        assert _tables(store) == _tables(whole)
    rows = store.backend.query("SELECT alias, spellings, rev FROM aliases")
    assert [(r["alias"], r["rev"]) for r in rows] == [("Orvik", 1)]
    assert [s["alias"] for s in json.loads(rows[0]["spellings"])] == ["ORVIK", "orvik!"]
    assert result.changed.count("alias:c0/orvik") == 1
    assert store.import_file(path, author=AUTHOR).commit is None  # nothing new


def test_a_spelling_in_a_later_chunk_changes_the_stored_row_once(
        store: FactStore, tmp_path: Path) -> None:
    first = [SOURCE, _entity(0), ALIAS, {**ALIAS, "alias": "ORVIK", "kind": "ticker"}]
    path = _lines(tmp_path / "aliases.jsonl", first)
    store.import_file(path, author=AUTHOR)  # both spellings in one chunk
    split = [SOURCE, _entity(0), ALIAS, _fact(0), _fact(1), _fact(2),
             {**ALIAS, "alias": "ORVIK", "kind": "ticker"}]
    again = store.import_file(_lines(path, split), author=AUTHOR)
    assert again.changed == ["fact:f0", "fact:f1", "fact:f2"]  # the alias row is as it was
    assert store.backend.query("SELECT rev FROM aliases") == [{"rev": 1}]
    more = store.import_file(_lines(path, [*split, {**ALIAS, "alias": "orvik!"}]),
                             author=AUTHOR)
    assert more.changed == ["alias:c0/orvik"]
    row = store.backend.query("SELECT spellings, rev FROM aliases")[0]
    assert row["rev"] == 2
    assert [s["alias"] for s in json.loads(row["spellings"])] == ["ORVIK", "orvik!"]


def test_a_spelling_given_twice_across_chunks_is_refused(store: FactStore, tmp_path: Path
                                                         ) -> None:
    records = [SOURCE, _entity(0), ALIAS, *[_fact(i) for i in range(4)], ALIAS]
    path = _lines(tmp_path / "aliases.jsonl", records)
    head = store.head()
    with pytest.raises(InvalidInput, match=r"aliases of c0: 'Orvik' is given twice"):
        store.import_file(path, author=AUTHOR)
    _untouched(store, head, path)


def test_a_missing_file_is_one_line_and_writes_nothing(store: FactStore, tmp_path: Path
                                                       ) -> None:
    head = store.head()
    with pytest.raises(InvalidInput, match=r"gone\.jsonl: no such file"):
        store.import_file(tmp_path / "gone.jsonl", author=AUTHOR)
    _untouched(store, head, tmp_path / "gone.jsonl")


def test_keys_whose_hashes_collide_are_told_apart_by_the_file(
        store: FactStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keys seen in earlier chunks are kept as hashes past a size (here two keys): with every
    key's hash the same, a file without a key twice still imports whole, and one with a key
    twice is refused at the right row."""
    monkeypatch.setattr("factstore.store.streaming._Hashes.SMALL", 2)
    monkeypatch.setattr("factstore.store.streaming.hash", lambda key: 7, raising=False)
    path = _lines(tmp_path / "same.jsonl", [SOURCE, _entity(0)] + [_fact(i) for i in range(8)])
    result = store.import_file(path, author=AUTHOR)
    assert len(result.changed) == 10
    assert len(store.backend.query("SELECT id FROM facts")) == 8
    twice = _lines(tmp_path / "twice.jsonl", [_fact(i) for i in range(8)] + [_fact(4)])
    head = store.head()
    with pytest.raises(InvalidInput, match=r"facts\[8\]: fact:f4 appears twice \(also "
                                           r"facts\[4\]\)"):
        store.import_file(twice, author=AUTHOR)
    assert store.head() == head


@pytest.mark.parametrize("small_chunks", ["apart"], indirect=True)  # a reader to kill
def test_a_reader_that_dies_is_one_line_and_writes_nothing(
        store: FactStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_chunks: str
) -> None:
    """The reading process killed after its first chunk: the import stops with an error
    naming it, and nothing is written."""
    import os

    from factstore import FactstoreError, importers

    chunks = importers.jsonl_chunks

    def first_only(path: Path, lines: int | None = None, first: int | None = None
                   ) -> Iterator[tuple[object, int]]:
        yield next(chunks(path, lines, first))
        os._exit(9)

    monkeypatch.setattr(importers, "jsonl_chunks", first_only)
    path = _lines(tmp_path / "dies.jsonl", [SOURCE, _entity(0)] + [_fact(i) for i in range(6)])
    head = store.head()
    with pytest.raises(FactstoreError, match=r"dies\.jsonl: the import's reader process "
                                             r"ended \(exit code 9\); nothing was written"):
        store.import_file(path, author=AUTHOR)
    _untouched(store, head, path)


@pytest.mark.parametrize("small_chunks", ["apart"], indirect=True)  # a reader to wait for
def test_staged_while_the_writer_waits(store: FactStore, tmp_path: Path, store_url: str,
                                       monkeypatch: pytest.MonkeyPatch, small_chunks: str
                                       ) -> None:
    """A writer waiting for a slow reader stages what it wrote (Tx.stage): a problem in a
    late chunk still leaves nothing written or staged, and a good file gives the rows of a
    whole-file import."""
    import time

    import factstore
    from factstore import importers
    from factstore.backends import dolt, doltlite

    chunks = importers.jsonl_chunks

    def slow(path: Path, lines: int | None = None, first: int | None = None
             ) -> Iterator[tuple[object, int]]:
        for chunk in chunks(path, lines, first):
            time.sleep(0.05)
            yield chunk

    staged: list[object] = []
    tx_class = doltlite._Tx if store.backend.kind == "doltlite" else dolt._Tx
    stage = tx_class.stage

    def counted(tx: object) -> None:
        staged.append(tx)
        stage(tx)  # type: ignore[arg-type]

    monkeypatch.setattr(importers, "jsonl_chunks", slow)
    monkeypatch.setattr(tx_class, "stage", counted)
    monkeypatch.setattr("factstore.store.streaming.STAGE_EVERY", 1)
    records = [SOURCE, _entity(0)] + [_fact(i) for i in range(9)]
    path = _lines(tmp_path / "slow.jsonl", [*records, {**_fact(10), "subject": "nobody"}])
    head = store.head()
    with pytest.raises(InvalidInput, match=r"subject: no entity 'nobody'"):
        store.import_file(path, author=AUTHOR)
    assert len(staged) >= 2
    _untouched(store, head, path)
    if store.backend.kind == "doltlite":
        assert store.backend.query("SELECT * FROM dolt_status") == []
    staged.clear()
    result = store.import_file(_lines(path, records), author=AUTHOR)
    assert len(staged) >= 2 and len(result.changed) == 11
    with factstore.open_store(_whole(store_url, tmp_path, "whole")) as whole:
        whole.import_batch(load_file(path), author=AUTHOR, message="whole", reason=None)
        assert _tables(store) == _tables(whole)


@pytest.mark.parametrize(("fact", "words"), [
    ({"value": "n/a", "value_type": "money"},
     r"line 8: value: 'n/a' is not a number \(value_type money\)"),
    ({"valid_from": "2026-02-30"}, r"line 8: valid_from: invalid date '2026-02-30'"),
    ({"valid_from": "2026-03-01", "valid_to": "2026-01-01"},
     r"line 8: valid_from 2026-03-01 is after valid_to 2026-01-01"),
])
def test_a_chunk_of_facts_alone_is_checked_like_any(store: FactStore, tmp_path: Path,
                                                     fact: dict[str, object], words: str
                                                     ) -> None:
    """A chunk holding only facts (most of a large file) is checked as a mixed one: a
    value that is not the number its type says, a date that is no day, dates out of order;
    and its numbers keep their digits."""
    facts = [{**_fact(i), "value": value} for i, value in enumerate([1.5, 2, 1e-7, 3, 4.25])]
    path = _lines(tmp_path / "facts.jsonl", [SOURCE, _entity(0), *facts, {**_fact(9), **fact}])
    head = store.head()
    with pytest.raises(InvalidInput, match=words):
        store.import_file(path, author=AUTHOR)
    _untouched(store, head, path)
    _lines(path, [SOURCE, _entity(0), *facts])
    with path.open("a", encoding="utf-8") as more:
        more.write('{"type": "fact", "id": "fact:g", "subject": "c0", "predicate": "arr", '
                   '"value": 1.50E-7, "value_type": "money"}\n')
    store.import_file(path, author=AUTHOR)
    assert {r["id"]: (r["value"], r["value_type"]) for r in store.backend.query(
        "SELECT id, value, value_type FROM facts")} == {
        "fact:f0": ("1.5", "number"), "fact:f1": ("2", "number"),
        "fact:f2": ("1e-07", "number"), "fact:f3": ("3", "number"),
        "fact:f4": ("4.25", "number"), "fact:g": ("1.50E-7", "money")}


def test_facts_without_a_capture_day_take_their_sources_as_read_so_far(
        store: FactStore, tmp_path: Path) -> None:
    """A fact that gives no captured_at takes its source's as the file gave it up to the
    fact's chunk, else the store's, else the day of the import (as when each chunk is
    written); one that gives its own keeps it."""
    from datetime import UTC, datetime

    old = {**SOURCE, "id": "src:old", "captured_at": "2025-01-01"}
    store.import_file(_lines(tmp_path / "sources.jsonl", [old]), author=AUTHOR)
    path = _lines(tmp_path / "dated.jsonl", [
        _entity(0), {**_fact(0), "source": "src:old"}, {**_fact(1), "source": "src:new"},
        {**_fact(2), "source": None}, {**_fact(4), "source": "src:old",
                                       "captured_at": "2024-01-01"},
        {**SOURCE, "id": "src:undated"}, {**_fact(5), "source": "src:undated"},
        {**SOURCE, "id": "src:new", "captured_at": "2025-06-01"},
        {**_fact(3), "source": "src:new"}])
    store.import_file(path, author=AUTHOR)
    today = datetime.now(UTC).date().isoformat()
    assert {r["id"]: r["captured_at"] for r in store.backend.query(
        "SELECT id, captured_at FROM facts")} == {
        "fact:f0": "2025-01-01", "fact:f1": today, "fact:f2": today,
        "fact:f3": "2025-06-01", "fact:f4": "2024-01-01", "fact:f5": today}


def test_packed_rows_leave_out_only_columns_that_take_null() -> None:
    """A packed chunk's INSERT leaves out the columns NULL in all its rows: only columns
    schema.sql lets be NULL, and none has a DEFAULT, so the row stored is the same."""
    from factstore.migrations import SCHEMA_FILE
    from factstore.store.streaming import _nullable

    code = [line for line in SCHEMA_FILE.read_text(encoding="utf-8").splitlines()
            if not line.lstrip().startswith("--")]
    assert not [line for line in code if "DEFAULT" in line.upper()]
    assert _nullable()["facts"] == {"unit", "period", "valid_from", "valid_to", "source_id",
                                    "quote", "confidence", "supersedes", "reason",
                                    "captured_at"}
    assert _nullable()["aliases"] == {"valid_from", "valid_to", "source_id", "reason",
                                      "spellings"}


def test_columns_empty_in_one_chunk_and_not_in_another(store: FactStore, tmp_path: Path,
                                                       store_url: str) -> None:
    """Chunks whose rows leave a column empty, and others that fill it, with no reason:
    the rows of a whole-file import."""
    import factstore

    records: list[dict[str, object]] = [SOURCE, {**_entity(0), "description": "d"},
                                        _entity(1), _entity(2)]
    records += [_fact(i) for i in range(3)]
    records += [{**_fact(i), "unit": "EUR", "quote": "q", "confidence": 0.5,
                 "valid_from": "2026-01-01", "captured_at": "2026-02-01"} for i in range(3, 6)]
    records += [{**_fact(6), "source": None, "supersedes": "fact:f0"}]
    path = _lines(tmp_path / "empty.jsonl", records)
    store.import_file(path, author=AUTHOR)
    with factstore.open_store(_whole(store_url, tmp_path, "whole")) as whole:
        whole.import_batch(load_file(path), author=AUTHOR, message="whole", reason=None)
        assert _tables(store) == _tables(whole)
