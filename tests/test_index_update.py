"""The alias index of a new commit updated from the cache file of an older one (Dolt's diff
between the two) is the index a rebuild gives: after each kind of write, on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from factstore import FactStore, index_cache, open_store
from factstore.resolver import AliasIndex
from factstore.store.names import Names

from .conftest import AUTHOR, FIXTURES, Facts

QUERIES = [("Acme", None), ("Acme", "EMEA renewal"), ("acme gmbh", None), ("Bluefn Grup", None),
           ("Harbor Medical Systems", None), ("Initech", None), ("Kaito", "Asia-Pacific"),
           ("Globex Prime", None), ("Globx Prme", None), ("Acme Bayern", None),
           ("Acme Corporation Worldwide", "AMER"), ("Zephyr Logistics", None)]


@pytest.fixture
def builds(store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
           ) -> Iterator[list[str]]:
    """A store holding the fixtures, its alias index cached on disk whatever its size; yields
    the commits whose index was rebuilt from every row (the real builds, counted)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.setattr(Names, "index_cache_from", 0)
    built: list[str] = []
    build = Names._build

    def counted(self: Names, commit: str) -> AliasIndex:
        built.append(commit)
        return build(self, commit)

    monkeypatch.setattr(Names, "_build", counted)
    with open_store(store_url) as store:
        store.import_file(FIXTURES / "northwind.yaml", author=AUTHOR)
        store.resolve("Acme")
    yield built


def _same(updated: AliasIndex, rebuilt: AliasIndex) -> None:
    assert list(updated.entities) == list(rebuilt.entities)
    assert [updated.entities[e] for e in updated.entities] == [
        rebuilt.entities[e] for e in rebuilt.entities]
    for name in ("entity", "text", "normalized", "kind", "valid_from", "valid_to"):
        assert list(getattr(updated.aliases, name)) == list(getattr(rebuilt.aliases, name)), name
    for name in index_cache.POSTINGS:
        mine, theirs = getattr(updated, name), getattr(rebuilt, name)
        assert sorted(mine) == sorted(theirs), name
        assert {k: list(mine[k]) for k in mine} == {k: list(theirs[k]) for k in theirs}, name
    assert list(updated.relations) == list(rebuilt.relations)
    on = "2026-01-01"
    for query, context in QUERIES:
        assert updated.resolve(query, context=context, on=on) == rebuilt.resolve(
            query, context=context, on=on), query


def _check(url: str, built: list[str]) -> None:
    before = list(built)
    with open_store(url) as store:
        index = store._names.index(store.head())
        assert built == before, "rebuilt instead of updated"
        assert index.origin == index_cache.cache_path(store.backend.cache_dir, store.head())
        reference = _reference(store)
        _same(index, reference)


def _reference(store: FactStore) -> AliasIndex:
    from factstore.store import names as module

    names = module.Names(store._names.core)
    names.index_cache_from = 10**12
    return _ORIGINAL_BUILD(names, store.head())


_ORIGINAL_BUILD: Any = Names._build


def test_each_write_updates_the_cached_index_to_what_a_rebuild_gives(
        store_url: str, builds: list[str], facts: Facts, tmp_path: Path) -> None:
    writes: list[tuple[str, ...]] = [
        ("add", "entity", "--id", "globex", "--kind", "customer", "--name", "Globex Prime"),
        ("add", "alias", "--entity", "acme-gmbh", "--alias", "Acme Bayern"),
        ("add", "entity", "--id", "acme-corp", "--update", "--kind", "customer", "--name",
         "Acme Corporation Worldwide"),
        ("add", "relation", "--src", "globex", "--rel", "located_in", "--dst", "emea"),
        ("retract", "alias:acme-gmbh/acme bayern", "--reason", "wrong"),
        ("retract", "globex", "--reason", "gone"),
        ("add", "alias", "--entity", "acme-corp", "--alias", "ACME", "--kind", "ticker"),
    ]
    for argv in writes:
        facts(*argv, "--by", AUTHOR)
        _check(store_url, builds)
    with open_store(store_url) as store:
        store.import_file(FIXTURES / "northwind-q4.yaml", author=AUTHOR)
    _check(store_url, builds)


def test_a_diff_larger_than_update_most_rebuilds(store_url: str, builds: list[str],
                                                 facts: Facts,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Names, "update_most", 1)
    facts("add", "entity", "--id", "e1", "--kind", "customer", "--name", "Zephyr Logistics",
          "--by", AUTHOR)
    with open_store(store_url) as store:
        store.import_file(FIXTURES / "northwind-q4.yaml", author=AUTHOR)
        index = store._names.index(store.head())
        assert builds[-1] == store.head() and index.origin is None
        _same(index, _reference(store))


def test_a_commit_that_changes_no_name_links_the_cached_file(store_url: str,
                                                             builds: list[str]) -> None:
    with open_store(store_url) as store:
        old = index_cache.cache_path(store.backend.cache_dir, store.head())
        store.correct_fact("fact:acme-gmbh-seats-fy26q3", 310, author=AUTHOR, reason="recount")
    _check(store_url, builds)
    with open_store(store_url) as store:
        new = index_cache.cache_path(store.backend.cache_dir, store.head())
    assert new != old and new.stat().st_ino == old.stat().st_ino
