"""A store made by an earlier release opens and upgrades; a new store has every migration."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path

import pytest

import factstore
from factstore import migrations
from factstore.backends import versioning
from factstore.backends.base import Tx
from factstore.backends.dolt import DoltServerBackend
from factstore.backends.doltlite import DoltliteBackend
from factstore.schema import alias_spellings

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


def _old_backend(url: str, upto: str, rows: Sequence[str] = (), imported: str = ""
                 ) -> DoltServerBackend | DoltliteBackend:
    """A backend open on a store as a release whose schema ended at `upto` made it, with
    `rows` (INSERTs whose one parameter is the author) written as its import of `imported`."""
    _old_store(url, upto)
    backend = (DoltServerBackend(url) if url.startswith("mysql://")
               else DoltliteBackend(Path(url)))
    if rows:
        def load(tx: Tx) -> str:
            for sql in rows:
                tx.execute(sql, [AUTHOR])
            return f"Import {imported}"

        backend.write(load, AUTHOR)
    return backend
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
            "Upgrade the store's schema (0002_packs, 0003_spellings_captured, 0004_packs_copy, "
            "0005_apostrophes_joined)")
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

    backend = _old_backend(old_url, "0003_spellings_captured")
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


# what a release before 0005 wrote: an apostrophe parted the word in every normalised key
BEFORE_0005 = [
    ("INSERT INTO entities (id, kind, name, status, recorded_by, rev, normalized) VALUES "
     "('oconnell', 'person', 'Siobhán O''Connell', 'active', ?, 1, 'siobhan o connell')"),
    ("INSERT INTO entities (id, kind, name, status, recorded_by, rev, normalized) VALUES "
     "('kildare-haulage', 'customer', 'Kildare Haulage Ltd', 'active', ?, 1, "
     "'kildare haulage')"),
    # two rows that are one name now, and one row whose two spellings are two names now
    ("INSERT INTO aliases (entity_id, normalized, alias, alias_kind, status, recorded_by, rev)"
     " VALUES ('kildare-haulage', 'o neill freight', 'O’Neill Freight', 'former', 'active', "
     "?, 3)"),
    ("INSERT INTO aliases (entity_id, normalized, alias, alias_kind, status, recorded_by, rev)"
     " VALUES ('kildare-haulage', 'oneill freight', 'ONeill Freight', 'name', 'active', ?, 1)"),
    ("INSERT INTO aliases (entity_id, normalized, alias, alias_kind, status, recorded_by, rev,"
     " spellings) VALUES ('kildare-haulage', 'd arcy lines', 'D Arcy Lines', 'name', "
     "'active', ?, 2, '[{\"alias\":\"D''Arcy Lines\",\"alias_kind\":\"abbreviation\","
     "\"source_id\":null,\"status\":\"active\",\"valid_from\":null,\"valid_to\":null}]')"),
    ("INSERT INTO definitions (id, term, scope, text, status, recorded_by, rev, normalized) "
     "VALUES ('def:o-and-m', 'O&M cost per km''s', 'ops', 'Operations and maintenance', "
     "'active', ?, 1, 'o and m cost per km s')"),
]


def test_a_store_from_before_0005_finds_its_names_then_upgrades_their_keys(
        old_url: str) -> None:
    """Names written with an apostrophe were stored as separate words ("siobhan o connell"):
    a commit from then is still read by those keys; the upgrade stores them as one word, so
    "Siobhan OConnell" and "ONeill Freight" are exact, an alias row whose spellings are now
    two names becomes two rows, two rows of one name one; the people and terms keep their
    history (the new key is no change of knowledge)."""
    backend = _old_backend(old_url, "0004_packs_copy", BEFORE_0005, "ireland.yaml")
    before = backend.head()
    backend.close()
    with factstore.open_store(old_url) as store:
        assert migrations.pending(store.backend) == []
        upgraded = store.head()
        assert upgraded != before
        # a commit from before the upgrade: found by the names as they were stored
        assert store.show("Siobhán O'Connell", as_of=before).id == "oconnell"
        assert store.show("O’Neill Freight", as_of=before).id == "kildare-haulage"
        # after it: written with or without the apostrophe
        for said in ("Siobhan OConnell", "Siobhán O’Connell", "SIOBHAN O'CONNELL"):
            assert store.show(said).id == "oconnell", said
        assert store.get("oconnell")["normalized"] == "siobhan oconnell"
        rows = {(r["normalized"], r["alias"], r["rev"]): alias_spellings(r)
                for r in store.rows("aliases")}
        assert sorted(rows) == [("d arcy lines", "D Arcy Lines", 2),
                                ("darcy lines", "D'Arcy Lines", 2),
                                ("oneill freight", "ONeill Freight", 1)]
        assert [s["alias"] for s in rows["oneill freight", "ONeill Freight", 1]] == [
            "ONeill Freight", "O’Neill Freight"]
        found = store.show("DArcy Lines")
        assert (found.id, found.matched_by, found.matched_name) == (
            "kildare-haulage", "alias", "D'Arcy Lines")
        assert [d["id"] for d in store._names.terms("O&M cost per km's")] == ["def:o-and-m"]
        assert store.resolve("Siobhan OConnell").status == "resolved"
        # the new keys are no change of the people's knowledge
        assert [c.id for c in store.diff(before, upgraded).changes
                if not c.id.startswith("alias:")] == []
        assert len(store.history("oconnell").versions) == 1
