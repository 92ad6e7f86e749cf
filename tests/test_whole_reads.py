"""health and export read the whole store: on a Dolt server at one pinned commit, health's
statements concurrently on connections of their own. Their answers must be the sequential
reads' exactly, at any ref, and a write landing while they read must not show."""

from __future__ import annotations

from pathlib import Path

import pytest

import factstore
from factstore import FactStore
from factstore.backends import dolt
from factstore.errors import NotFound
from factstore.export import dump

from .conftest import AUTHOR

NEW = """
factstore: 1
facts:
  - {id: "fact:zz-unsourced-%d", subject: kestrel, predicate: late_%d, value: 1}
"""


def _answers(store: FactStore, ref: str | None) -> tuple[object, ...]:
    exported = store.export(as_of=ref)
    return exported, store.export_text(as_of=ref), store.health(as_of=ref).findings


def test_concurrent_reads_give_what_sequential_reads_give(northwind: FactStore,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    """health's statements on four connections against one, and reads pinned at HEAD
    against the same at HEAD named: the same findings and export, at HEAD and at a tag."""
    for ref in (None, "FY26-Q3"):
        monkeypatch.setattr(dolt, "READERS", 1)
        one = _answers(northwind, ref)
        monkeypatch.setattr(dolt, "READERS", 4)
        assert _answers(northwind, ref) == one
        exported, text, _ = one
        assert text.text == dump(exported, "yaml")  # type: ignore[attr-defined]
    assert _answers(northwind, None) == _answers(northwind, northwind.head())


@pytest.mark.parametrize("store_url", ["dolt"], indirect=True)  # doltlite pins nothing: it
def test_a_write_while_the_store_is_read_does_not_show(  # reads through its one connection
        store: FactStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A commit landing just after the reads pinned HEAD (from another connection) is in
    none of them: not in health's concurrent statements, nor in export's reads of each
    table after the first."""
    (tmp_path / "trips.yaml").write_text(_TRIPS, encoding="utf-8")
    store.import_file(tmp_path / "trips.yaml", author=AUTHOR)
    pin = store.backend.pin
    pins: list[str | None] = []
    writes: list[str | None] = []

    def pin_then_write(at: str | None) -> str | None:
        pins.append(pin(at))
        new = tmp_path / f"new{len(writes)}.yaml"
        new.write_text(NEW % (len(writes), len(writes)), encoding="utf-8")
        with factstore.open_store(store.url) as other:
            writes.append(other.import_file(new, author=AUTHOR).commit)
        return pins[-1]

    monkeypatch.setattr(store.backend, "pin", pin_then_write)
    exported, text, found = _answers(store, None)
    monkeypatch.undo()
    assert None not in writes and len(set([*pins, *writes])) == 4 and store.head() == writes[2]
    assert pins[1:] == writes[:2]  # each read pinned the head before its own write
    assert exported == store.export(as_of=pins[0])
    assert text.text == store.export_text(as_of=pins[1]).text  # type: ignore[attr-defined]
    assert found == store.health(as_of=pins[2]).findings
    assert "zz-unsourced-0" not in str(exported) and "zz-unsourced-0" in text.text  # type: ignore[attr-defined]
    assert "zz-unsourced-1" not in text.text  # type: ignore[attr-defined]
    assert "zz-unsourced-1" in str(found) and "zz-unsourced-2" not in str(found)
    assert "zz-unsourced-2" in str(store.health().findings)


def test_uncommitted_changes_are_read_as_before(store: FactStore, tmp_path: Path) -> None:
    """A working set holding changes no commit has (another SQL user's UPDATE) is read as
    it is, as the sequential reads always did: nothing pins HEAD then."""
    (tmp_path / "trips.yaml").write_text(_TRIPS, encoding="utf-8")
    store.import_file(tmp_path / "trips.yaml", author=AUTHOR)
    store.backend.record("UPDATE facts SET quote = '' WHERE id = 'fact:kestrel-employees'")
    assert store.backend.pin(None) is None
    assert [f.ids for f in store.health().findings if f.check == "no_quote"] == [
        ["fact:kestrel-employees"]]
    assert next(f for f in store.export()["facts"]
                if f["id"] == "fact:kestrel-employees")["quote"] == ""


def test_health_at_the_first_commit_says_there_is_nothing_there(store: FactStore) -> None:
    first = store.backend.query("SELECT commit_hash AS h FROM dolt_log")[-1]["h"]
    with pytest.raises(NotFound, match="first commit"):
        store.health(as_of=first)


_TRIPS = """
factstore: 1
sources:
  - {id: "src:crm", title: CRM, kind: system_of_record, authority: 90}
entities:
  - {id: kestrel, kind: company, name: Kestrel}
facts:
  - {id: "fact:kestrel-employees", subject: kestrel, predicate: employees, value: 40,
     source: src:crm, quote: "40 people"}
  - {id: "fact:kestrel-arr", subject: kestrel, predicate: arr, value: 12, period: FY26,
     source: src:crm, quote: "ARR 12"}
"""
