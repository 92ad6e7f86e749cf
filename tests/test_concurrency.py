"""Concurrent writers never lose an update (compare-and-set on the row revision), and never
leave a torn alias-index cache file."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from factstore import Conflict, FactStore, index_cache, open_store
from factstore.importers import load_file
from factstore.store.names import Names

from .conftest import AUTHOR, FIXTURES

SEED = """factstore: 1
sources: [{id: src:ops, title: Ops, kind: expert, authority: 50}]
entities: [{id: acme, kind: customer, name: Acme}]
facts: [{id: fact:counter, subject: acme, predicate: tickets, value: 0, source: src:ops}]
"""


def _increment(url: str, times: int) -> int:
    """Read-modify-write `times` increments, retrying on conflict; returns conflicts seen."""
    conflicts = 0
    with open_store(url) as store:
        done = 0
        while done < times:
            row = store.get("fact:counter")
            try:
                store.correct_fact("fact:counter", str(int(row["value"]) + 1), author=AUTHOR,
                                   reason="increment", expect=str(row["rev"]))
                done += 1
            except Conflict:
                conflicts += 1
    return conflicts


def test_four_processes_incrementing_one_fact_lose_nothing(store: FactStore, store_url: str,
                                                           tmp_path: Path) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text(SEED, encoding="utf-8")
    store.import_batch(load_file(seed), author=AUTHOR, message="seed")
    commits_before = len(store.log())
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(4) as pool:
        pool.starmap(_increment, [(store_url, 8)] * 4)
    assert store.get("fact:counter")["value"] == "32"
    assert store.get("fact:counter")["rev"] == 33
    assert len(store.log()) == commits_before + 32


def _resolve_with_cache(url: str, cache_home: str) -> list[str]:
    """Resolve a few names in a fresh process, writing the index cache from any size."""
    import os

    os.environ["XDG_CACHE_HOME"] = cache_home
    Names.index_cache_from = 0
    with open_store(url) as opened:
        return [str(opened.resolve(name).entity) for name in ("Acme GmbH", "IBM", "Initech")]


def test_processes_building_one_index_cache_at_once_leave_one_whole_file(
        store: FactStore, store_url: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    store.import_file(FIXTURES / "northwind.yaml", author=AUTHOR)
    cache_home = str(tmp_path / "user-cache")
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(4) as pool:
        answers = pool.starmap(_resolve_with_cache, [(store_url, cache_home)] * 4)
    assert all(a == answers[0] for a in answers)
    monkeypatch.setenv("XDG_CACHE_HOME", cache_home)
    folder = store.backend.cache_dir
    assert [p.name for p in folder.iterdir()] == [index_cache.cache_path(folder,
                                                                         store.head()).name]
    assert index_cache.load(folder, store.head()) is not None
