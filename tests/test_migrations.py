"""A store made by an earlier release opens and upgrades; a new store has every migration."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

import factstore
from factstore import migrations
from factstore.backends import versioning
from factstore.backends.base import Tx
from factstore.backends.dolt import DoltServerBackend
from factstore.backends.doltlite import DoltliteBackend

from .conftest import AUTHOR, FIXTURES


def _old_store(url: str, upto: str) -> None:
    """A store as a release whose schema ended at migration `upto` made it."""
    names = [m.name for m in migrations.migrations()]

    def body(tx: Tx) -> str:
        migrations.apply_in(tx, list(migrations.migrations()[:names.index(upto) + 1]))
        return "Initialise factstore schema"

    if url.startswith("mysql://"):
        server = DoltServerBackend.create(url)
        server.write(body, AUTHOR, stage=(".",))
        server.close()
        return
    with DoltliteBackend.creating(Path(url)) as backend:
        backend.write(body, AUTHOR, stage=(".",))
    backend.close()


@pytest.fixture(params=["doltlite", "dolt"])
def old_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "doltlite":
        return str(tmp_path / "facts.db")
    return f"{request.getfixturevalue('dolt_server').url}/m{uuid.uuid4().hex[:12]}"


def test_a_new_store_has_every_migration(store: factstore.FactStore) -> None:
    assert migrations.pending(store.backend) == []


def test_a_store_from_before_the_render_log_opens_upgraded_and_logs_packs(
        old_url: str) -> None:
    _old_store(old_url, "0001_initial")
    with factstore.open_store(old_url) as store:
        assert migrations.pending(store.backend) == []  # upgraded when opened
        upgrade = store.log(1, all_commits=True)[0]
        assert upgrade.message.startswith(
            "Upgrade the store's schema (0002_packs, 0003_spellings_captured, 0004_packs_copy)")
        store.import_file(FIXTURES / "northwind.yaml", author=AUTHOR)
        assert store.packs() == []
        pack = store.context("What was Acme GmbH's ARR?")
        assert [p.hash for p in store.packs()] == [pack.hash]
        assert store.replay(pack.hash).text == pack.text


def test_a_proposal_upgraded_apart_from_main_merges_its_correction(old_url: str) -> None:
    """A branch made before an upgrade and upgraded on its own (its proposer opened it first)
    records the migration at another time than main does: the merge settles that itself,
    and the branch's correction reaches main (it used to merge nothing, saying so)."""
    from factstore.models import Entity

    _old_store(old_url, "0003_spellings_captured")
    backend = (DoltServerBackend(old_url) if old_url.startswith("mysql://")
               else DoltliteBackend(Path(old_url)))
    versioning.create_branch(backend, "fix-x", backend.head())
    side = backend.on_branch("fix-x")

    def upgrade(tx: Tx) -> str:  # the proposer's upgrade, a while before main's
        migrations.apply_in(tx, migrations.pending(side),
                            {m.name: "2026-01-02T03:04:05+00:00" for m in migrations.migrations()})
        return "Upgrade the store's schema"

    side.write(upgrade, AUTHOR, stage=(".",))
    side.close()
    backend.close()
    with factstore.open_store(old_url, branch="fix-x") as proposal:
        proposal.add(Entity(id="ostrea", kind="customer", name="Ostrea Foods"), author=AUTHOR)
    with factstore.open_store(old_url) as store:  # main upgrades now
        result = store.approve("fix-x", author="Bea Lund <bea@example.test>")
        assert result.commit is not None and result.changed == ["ostrea"]
        assert store.get("ostrea")["name"] == "Ostrea Foods"
        assert migrations.pending(store.backend) == []
