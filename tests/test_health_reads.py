"""`health` reads only the facts it can find something about (the engine picks them); its
findings must be those of every fact — on both backends, at HEAD and at an older commit."""

from __future__ import annotations

from pathlib import Path

import pytest

from factstore import FactStore
from factstore.health import findings
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


def test_the_written_out_whitespace_is_what_str_strip_removes() -> None:
    assert [chr(c) for c in range(0x110000) if chr(c).isspace()] == reads.WHITESPACE
