"""`health` reads only the facts it can find something about (the engine picks them); its
findings must be those of every fact — on both backends, at HEAD and at an older commit."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from factstore import FactStore
from factstore.health import CHECKS, findings
from factstore.store import reads

from .conftest import AUTHOR
from .test_health import TRIPS

MORE = """
factstore: 1
facts:
  - {id: "fact:kestrel-blank", subject: kestrel, predicate: blank, value: 1, source: src:crm,
     quote: "\\u2003\\t "}
  - {id: "fact:kestrel-spaced", subject: kestrel, predicate: spaced, value: 2, source: src:crm,
     quote: " ok "}
  - {id: "fact:acme-plain", subject: acme-corp, predicate: plain, value: 3, source: src:crm,
     quote: "fine"}
  - {id: "fact:acme-nel", subject: acme-corp, predicate: nel, value: 4, source: src:crm,
     quote: "\\u0085"}
  - {id: "fact:acme-wide", subject: acme-corp, predicate: wide, value: 5, source: src:crm,
     quote: "\\u3000wide"}
"""


def _everything(store: FactStore, at: str | None) -> list[object]:
    core = store._reads.core  # type: ignore[attr-defined]
    tables = {t: core.select(t, "1 = 1", [], at)
              for t in ("sources", "entities", "aliases", "definitions", "facts")}
    return findings(tables, core.commit_day(at), reads.DEFAULT_MAX_SOURCE_AGE)  # type: ignore[arg-type]


@pytest.mark.parametrize("shared_at_most", [5000, 0])
def test_health_finds_what_every_fact_would_show(store: FactStore, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 shared_at_most: int) -> None:
    monkeypatch.setattr(reads, "SHARED_AT_MOST", shared_at_most)
    (tmp_path / "trips.yaml").write_text(TRIPS, encoding="utf-8")
    (tmp_path / "more.yaml").write_text(MORE, encoding="utf-8")
    store.import_file(tmp_path / "trips.yaml", author=AUTHOR, reason="health test")
    before = store.head()
    store.import_file(tmp_path / "more.yaml", author=AUTHOR, reason="more")
    for at in (None, before):
        found = store.health(as_of=at).findings
        assert found == _everything(store, at)
    checks = {f.check for f in store.health().findings}
    assert {"no_source", "no_quote", "conflict"} <= checks
    blank = [f.ids for f in store.health().findings if f.check == "no_quote"]
    assert ["fact:kestrel-blank"] in blank and ["fact:kestrel-spaced"] not in blank
    assert ["fact:acme-nel"] in blank and ["fact:acme-wide"] not in blank


# every kind of finding, and what the engine's choice of facts must get right: a period left
# out beside one given, a fact without a period beside another, a fact captured
# before its source was re-dated, a retracted fact in a shared group
EVERY = """
factstore: 1
facts:
  - {id: "fact:gmbh-a", subject: acme-gmbh, predicate: a, value: 1, source: src:crm,
     quote: "1"}
  - {id: "fact:gmbh-a-fy26", subject: acme-gmbh, predicate: a, value: 2, period: FY26,
     source: src:billing, quote: "2"}
  - {id: "fact:kestrel-size", subject: kestrel, predicate: size, value: 10, source: src:crm,
     quote: "10"}
  - {id: "fact:kestrel-size-billing", subject: kestrel, predicate: size, value: 12,
     source: src:billing, quote: "12"}
  - {id: "fact:acme-early", subject: acme-corp, predicate: early, value: 5, source: src:crm,
     quote: "5", captured_at: 2025-01-02}
  - {id: "fact:acme-gone", subject: acme-corp, predicate: arr, value: 95, period: FY26-Q3,
     source: src:billing, quote: "95"}
"""


@pytest.mark.parametrize(("shared_at_most", "flagged_at_most"), [(5000, 5000), (0, 5000),
                                                                 (5000, 0)])
def test_every_kind_of_finding_as_from_every_fact(store: FactStore, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  shared_at_most: int,
                                                  flagged_at_most: int) -> None:
    monkeypatch.setattr(reads, "SHARED_AT_MOST", shared_at_most)
    monkeypatch.setattr(reads, "FLAGGED_AT_MOST", flagged_at_most)
    commits = []
    for name, text in (("trips", TRIPS), ("more", MORE), ("every", EVERY)):
        (tmp_path / f"{name}.yaml").write_text(text, encoding="utf-8")
        store.import_file(tmp_path / f"{name}.yaml", author=AUTHOR, reason=name)
        commits.append(store.head())
    store.retract("fact:acme-gone", author=AUTHOR, reason="wrong")
    for at in (None, *commits):
        found = store.health(as_of=at).findings
        assert found == _everything(store, at)
    found = store.health().findings
    assert {f.check for f in found} == set(CHECKS)
    assert ["fact:kestrel-size", "fact:kestrel-size-billing"] in [f.ids for f in found]
    assert not any("fact:gmbh-a-fy26" in f.ids for f in found)
    assert any("its facts were captured from 2025-01-02" in f.detail for f in found)


def test_stale_sources_on_any_day_and_limit_as_from_every_fact(store: FactStore,
                                                               tmp_path: Path) -> None:
    """health groups only the facts old enough to make their source stale on its day: on the
    days around a limit (fact:acme-early, captured 2025-01-02, is 30 days old on 2025-02-01,
    stale from the day after), and with limits of none, days or beyond the calendar, it
    finds what every fact shows."""
    core = store._reads.core  # type: ignore[attr-defined]
    for name, text in (("trips", TRIPS), ("every", EVERY)):
        (tmp_path / f"{name}.yaml").write_text(text, encoding="utf-8")
        store.import_file(tmp_path / f"{name}.yaml", author=AUTHOR, reason=name)
    tables = {t: core.select(t, "1 = 1", [], None)
              for t in ("sources", "entities", "aliases", "definitions", "facts")}
    stale = []
    for day in ("2025-01-31", "2025-02-01", "2025-02-02", "2026-06-30", "9999-12-31"):
        for limit in (0, 30, 180, 10**6, 10**7):
            found = store.health(valid_at=day, max_age_days=limit).findings
            assert found == findings(tables, date.fromisoformat(day), limit), (day, limit)
            stale.append(any("2025-01-02" in f.detail for f in found))
    assert any(stale) and not all(stale)


def test_the_written_out_whitespace_is_what_str_strip_removes() -> None:
    assert [chr(c) for c in range(0x110000) if chr(c).isspace()] == reads.WHITESPACE


# names the engine picks as perhaps shared (_shared_keys) that health leaves out, or keeps:
# an alias of a retracted entity, a retracted alias, a name beside an alias, a legal form
# aside; and a name whose key is empty (every name is read then)
NAMES = """
factstore: 1
entities:
  - {id: kite, kind: customer, name: Kite}
  - {id: gone-co, kind: customer, name: Gone Co, aliases: [{alias: Kite Ltd, kind: former}]}
  - {id: orvik, kind: customer, name: Orvik AS}
  - {id: falk, kind: customer, name: Falk, aliases: [{alias: ORVIK, kind: ticker}]}
  - {id: birch, kind: customer, name: Birch, aliases: [{alias: Alder, kind: abbreviation}]}
  - {id: alder, kind: customer, name: Alder Group}
"""


@pytest.mark.parametrize(("dashed", "grouped"), [(False, True), (True, True), (False, False)])
def test_shared_names_as_from_every_name(store: FactStore, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch, dashed: bool,
                                         grouped: bool) -> None:
    """On either backend, the engine picking the names (reads.NAMES_GROUPED) or not."""
    monkeypatch.setattr(reads, "NAMES_GROUPED", ("doltlite", "dolt") if grouped else ())
    commits = []
    extra = "  - {id: dashes, kind: customer, name: '---'}\n" if dashed else ""
    for name, text in (("trips", TRIPS), ("names", NAMES + extra)):
        (tmp_path / f"{name}.yaml").write_text(text, encoding="utf-8")
        store.import_file(tmp_path / f"{name}.yaml", author=AUTHOR, reason=name)
        commits.append(store.head())
    store.retract("gone-co", author=AUTHOR, reason="gone")
    commits.append(store.head())
    store.retract("alder", author=AUTHOR, reason="an alias, not a name")
    for at in (None, *commits):
        found = store.health(as_of=at).findings
        assert found == _everything(store, at)
    shared = [f.ids for f in store.health().findings if f.check == "shared_alias"]
    assert shared == [["acme-corp", "acme-gmbh"], ["falk", "orvik"]]
