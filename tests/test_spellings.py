"""Spellings of one name are kept (#11.2), a fact keeps the day it was captured (#11.5), a
record that leaves a field out keeps the stored value while null clears it (#11.5), and exact
names are found without the alias index (#14.2)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from factstore import FactStore, index_cache, migrations, open_store
from factstore.backends import versioning
from factstore.backends.base import Tx
from factstore.resolver import AliasIndex
from factstore.store.names import Names

from .conftest import AUTHOR, FIXTURES, Facts
from .test_migrations import _old_backend, old_url  # noqa: F401  (a fixture)

EXPERT = "Priya Nair <priya@orvik.test>"

CRM = """\
factstore: 1
sources:
  - {id: "src:crm", title: CRM export, kind: system_of_record, authority: 80,
     captured_at: 2025-01-15}
entities:
  - id: orvik
    kind: customer
    name: Orvik Systems
    source: "src:crm"
    aliases:
      - {alias: Orvik, kind: name}
      - {alias: ORVIK, kind: ticker}
  - id: granite-point
    kind: customer
    name: Granite Point
    aliases:
      - {alias: Granite Point Corp, kind: name}
      - {alias: Granite Point Corporation, kind: former, valid_to: 2024-12-31}
facts:
  - {id: "fact:orvik-arr", subject: orvik, predicate: arr, value: 410000, unit: EUR,
     source: "src:crm", quote: "ARR 410k"}
  - {id: "fact:granite-arr", subject: granite-point, predicate: arr, value: 95000, unit: EUR,
     source: "src:crm", quote: "ARR 95k"}
"""


def _write(tmp_path: Path, text: str, name: str = "crm.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- spellings of one name (#11.2) -------------------------------------------------------------


def test_spellings_that_normalise_alike_import_and_each_resolves(store: FactStore,
                                                                 tmp_path: Path) -> None:
    path = _write(tmp_path, CRM)
    store.import_file(path, author=AUTHOR)
    for name, entity in (("Orvik", "orvik"), ("ORVIK", "orvik"), ("orvik", "orvik"),
                         ("Granite Point Corp", "granite-point"),
                         ("Granite Point Corporation", "granite-point")):
        answer = store.resolve(name)
        assert answer.status == "resolved" and answer.entity, name
        assert answer.entity["id"] == entity, name
        assert store.show(name).id == entity  # an exact read
    # kinds are kept: the ticker spelling is a ticker, the older legal name a former name
    rows = [r for r in store.rows("aliases") if r["entity_id"] == "orvik"]
    assert len(rows) == 1 and rows[0]["alias"] == "Orvik"
    assert [(s["alias"], s["alias_kind"]) for s in json.loads(rows[0]["spellings"])] == [
        ("ORVIK", "ticker")]
    index = store._names.index(store.head())
    assert {(a.text, a.kind) for a in index.aliases if a.entity == "orvik"} == {
        ("Orvik Systems", "entity name"), ("Orvik", "name"), ("ORVIK", "ticker")}
    # an export gives every spelling back as an alias record, and re-importing is a no-op
    exported = [(a["entity"], a["alias"], a.get("kind", "name"))
                for a in store.export()["aliases"]]
    assert ("orvik", "ORVIK", "ticker") in exported and ("orvik", "Orvik", "name") in exported
    assert ("granite-point", "Granite Point Corporation", "former") in exported
    head = store.head()
    assert store.import_file(path, author=AUTHOR).commit is None and store.head() == head


def test_the_same_spelling_twice_is_still_refused(facts: Facts, tmp_path: Path) -> None:
    path = _write(tmp_path, "factstore: 1\nentities:\n  - {id: orvik, kind: customer, name: "
                            "Orvik Systems, aliases: [{alias: Orvik}, {alias: Orvik}]}\n")
    result = facts("import", str(path), ok=False)
    assert result.exit_code == 2 and "'Orvik' is given twice" in result.output


def test_add_alias_of_a_second_spelling_and_exact_writes_by_either(store: FactStore, facts: Facts,
                                                                   tmp_path: Path) -> None:
    store.import_file(_write(tmp_path, CRM), author=AUTHOR)
    facts("add", "alias", "--entity", "granite-point", "--alias", "GRANITE POINT CORP",
          "--kind", "code", "--by", EXPERT)
    row = store.get("alias:granite-point/granite point")
    assert [s["alias"] for s in json.loads(row["spellings"])] == [
        "Granite Point Corporation", "GRANITE POINT CORP"]
    assert store.resolve("GRANITE POINT CORP").entity == {
        "id": "granite-point", "name": "Granite Point", "kind": "customer"}
    again = facts("add", "alias", "--entity", "granite-point", "--alias",
                  "GRANITE POINT CORP", "--by", EXPERT, ok=False)
    assert again.exit_code == 4
    # a write by either spelling acts on the entity
    store.correct_fact("ORVIK", 420000, predicate="arr", author=EXPERT, reason="Q2 invoice")
    store.correct_fact("Orvik", 430000, predicate="arr", author=EXPERT, reason="Q3 invoice")
    assert store.get("fact:orvik-arr")["value"] == "430000"
    store.retract("Granite Point Corporation", author=EXPERT, reason="lost")
    assert store.get("granite-point")["status"] == "retracted"


# --- a fact keeps the day it was captured (#11.5) ------------------------------------------


def test_re_dating_a_source_does_not_re_date_older_facts(store: FactStore,
                                                         tmp_path: Path) -> None:
    path = _write(tmp_path, CRM)
    store.import_file(path, author=AUTHOR)
    assert store.get("fact:orvik-arr")["captured_at"] == "2025-01-15"
    # the next export is captured later and holds a new fact; the old one is unchanged
    later = CRM.replace("captured_at: 2025-01-15", "captured_at: 2025-09-30") + (
        "  - {id: \"fact:orvik-seats\", subject: orvik, predicate: seats, value: 40, "
        "source: \"src:crm\", quote: \"40 seats\"}\n")
    store.import_file(_write(tmp_path, later), author=AUTHOR)
    assert store.get("src:crm")["captured_at"] == "2025-09-30"
    assert store.get("fact:orvik-arr")["captured_at"] == "2025-01-15"
    assert store.get("fact:orvik-seats")["captured_at"] == "2025-09-30"
    pack = store.context("What is Orvik's ARR?", valid_at="2025-10-01", format="json",
                         record=False)
    item = next(i for i in pack.items if i.id == "fact:orvik-arr")
    assert item.source and item.source.captured_at == "2025-01-15"
    health = store.health(valid_at="2025-10-01", max_age_days=90)
    stale = [f for f in health.findings if f.check == "stale_source"]
    assert [f.ids for f in stale] == [["src:crm"]]
    assert "facts were captured from 2025-01-15" in stale[0].detail
    # a correction is captured when it is made; an export carries the day
    store.correct_fact("fact:orvik-arr", 415000, author=EXPERT, reason="invoice")
    today = datetime.now(UTC).date().isoformat()
    assert store.get("fact:orvik-arr")["captured_at"] == today
    exported = {f["id"]: f for f in store.export()["facts"]}
    assert exported["fact:orvik-seats"]["captured_at"] == "2025-09-30"


# --- missing keeps, null clears (#11.5) ------------------------------------------------------

V1 = """\
factstore: 1
sources:
  - {id: "src:crm", title: CRM export, kind: system_of_record, authority: 80}
  - {id: "src:contract", title: Contract, kind: contract, authority: 90}
entities:
  - {id: orvik, kind: customer, name: Orvik Systems}
facts:
  - {id: "fact:orvik-arr", subject: orvik, predicate: arr, value: 410000, unit: EUR,
     SOURCE}
"""


def test_a_record_that_leaves_source_out_keeps_it_and_null_clears_it(
        store: FactStore, tmp_path: Path) -> None:
    store.import_file(_write(tmp_path, V1.replace("SOURCE", 'source: "src:crm"')),
                      author=AUTHOR)
    store.correct_fact("fact:orvik-arr", 415000, author=EXPERT, reason="invoice")
    # v2 says nothing of the source: the row keeps src:crm, and the correction stands
    store.import_file(_write(tmp_path, V1.replace("SOURCE", "quote: ARR 410k")), author=AUTHOR)
    row = store.get("fact:orvik-arr")
    assert (row["source_id"], row["value"], row["quote"]) == ("src:crm", "415000", "ARR 410k")
    # v3 says source: null: cleared (the store did not change the source)
    store.import_file(_write(tmp_path, V1.replace("SOURCE", "source: null, quote: ARR 410k")),
                      author=AUTHOR)
    assert store.get("fact:orvik-arr")["source_id"] is None
    assert store.get("fact:orvik-arr")["value"] == "415000"


def test_null_conflicts_when_the_store_changed_the_field_too(store: FactStore,
                                                             tmp_path: Path) -> None:
    store.import_file(_write(tmp_path, V1.replace("SOURCE", 'source: "src:crm"')),
                      author=AUTHOR)
    store.correct_fact("fact:orvik-arr", 415000, source="src:contract", author=EXPERT,
                       reason="the contract says so")
    store.import_file(_write(tmp_path, V1.replace("SOURCE", "unit: EUR")), author=AUTHOR)
    assert store.get("fact:orvik-arr")["source_id"] == "src:contract"
    head = store.head()
    with pytest.raises(Exception, match="changed 1 row"):
        store.import_file(_write(tmp_path, V1.replace("SOURCE", "source: null")),
                          author=AUTHOR)
    assert store.head() == head and store.get("fact:orvik-arr")["source_id"] == "src:contract"


def test_a_jsonl_record_that_leaves_source_out_keeps_it(store: FactStore,
                                                        tmp_path: Path) -> None:
    lines = [{"type": "source", "id": "src:crm", "title": "CRM", "kind": "wiki",
              "authority": 10},
             {"type": "entity", "id": "orvik", "kind": "customer", "name": "Orvik"},
             {"type": "fact", "id": "fact:o", "subject": "orvik", "predicate": "arr",
              "value": 1, "source": "src:crm"}]
    path = tmp_path / "crm.jsonl"
    path.write_text("\n".join(map(json.dumps, lines)), encoding="utf-8")
    store.import_file(path, author=AUTHOR)
    del lines[2]["source"]
    lines[2]["value"] = 2
    path.write_text("\n".join(map(json.dumps, lines)), encoding="utf-8")
    store.import_file(path, author=AUTHOR)
    assert (store.get("fact:o")["value"], store.get("fact:o")["source_id"]) == ("2", "src:crm")


# --- exact before fuzzy (#14.2) ------------------------------------------------------------


@pytest.fixture
def index_builds(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every time the alias index is built or read from its disk cache (the real functions,
    counted)."""
    calls: list[str] = []
    build, load = AliasIndex.build, index_cache.load

    def counted_build(*args: object, **kwargs: object) -> AliasIndex:
        calls.append("build")
        return build(*args, **kwargs)  # type: ignore[arg-type]

    def counted_load(*args: object, **kwargs: object) -> AliasIndex | None:
        calls.append("load")
        return load(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(AliasIndex, "build", counted_build)
    monkeypatch.setattr(index_cache, "load", counted_load)
    yield calls


def test_exact_names_are_found_without_the_alias_index(
        store: FactStore, facts: Facts, tmp_path: Path, index_builds: list[str]) -> None:
    store.import_file(_write(tmp_path, CRM), author=AUTHOR)
    index_builds.clear()
    assert json.loads(facts("show", "Orvik Systems", "--json").output)["id"] == "orvik"
    assert json.loads(facts("show", "ORVIK", "--json").output)["matched_by"] == "alias"
    facts("correct", "Orvik Systems", "--predicate", "arr", "--value", "420000",
          "--reason", "invoice", "--by", EXPERT)
    facts("history", "Granite Point Corp")
    facts("retract", "fact:granite-arr", "--reason", "lost", "--by", EXPERT)
    assert index_builds == []
    # a name that is not exact does need it
    facts("show", "Orvik Sytems", ok=False)
    assert index_builds


def test_exact_lookups_answer_as_the_alias_index_does(northwind: FactStore) -> None:
    """The SQL lookup and the alias index agree on every name and alias of the fixtures
    (and on near misses: neither finds them)."""
    names: Names = northwind._names
    head = northwind.head()
    queries = [e["name"] for e in northwind.rows("entities")]
    queries += [a["alias"] for a in northwind.rows("aliases")]
    queries += [q.upper() for q in queries] + [q + " Inc." for q in queries[:20]]
    queries += ["Acme", "ACME Corp", "Acme GmbH", "Nobody Here", "Bluefin"]
    for query in queries:
        by_sql = [(f.id, f.matched_by, f.matched_name) for f in names._exact_entities(query,
                                                                                      head)]
        by_index = [(f.id, f.matched_by, f.matched_name) for f in names._exact_in_index(query,
                                                                                        head)]
        assert by_sql == by_index, query
    for term in [d["term"] for d in northwind.rows("definitions")] + ["arr", "No Such Term"]:
        assert [d["id"] for d in names.terms(term)] == [
            d["id"] for d in northwind.rows("definitions")
            if d["term"].lower() == term.lower()], term


# --- the upgrade (#11.2, #11.5) ------------------------------------------------------------


OLD_ROWS = [  # what a release before 0003 wrote for CRM without its ticker spelling
    ("INSERT INTO sources (id, title, kind, authority, captured_at, status, recorded_by, rev) "
     "VALUES ('src:crm', 'CRM export', 'system_of_record', 80, '2025-01-15', 'active', ?, 1)"),
    ("INSERT INTO entities (id, kind, name, source_id, status, recorded_by, rev) "
     "VALUES ('orvik', 'customer', 'Orvik Systems', 'src:crm', 'active', ?, 1)"),
    ("INSERT INTO entities (id, kind, name, status, recorded_by, rev) "
     "VALUES ('granite-point', 'customer', 'Granite Point', 'active', ?, 1)"),
    ("INSERT INTO aliases (entity_id, normalized, alias, alias_kind, status, recorded_by, "
     "rev) VALUES ('orvik', 'orvik', 'Orvik', 'name', 'active', ?, 1)"),
    ("INSERT INTO aliases (entity_id, normalized, alias, alias_kind, status, recorded_by, "
     "rev) VALUES ('granite-point', 'granite point', 'Granite Point Corp', 'name', 'active', "
     "?, 1)"),
    ("INSERT INTO facts (id, subject_id, predicate, value, value_type, unit, source_id, quote, "
     "status, recorded_by, rev) VALUES ('fact:orvik-arr', 'orvik', 'arr', '410000', 'number', "
     "'EUR', 'src:crm', 'ARR 410k', 'active', ?, 1)"),
    ("INSERT INTO facts (id, subject_id, predicate, value, value_type, unit, source_id, quote, "
     "status, recorded_by, rev) VALUES ('fact:granite-arr', 'granite-point', 'arr', '95000', "
     "'number', 'EUR', 'src:crm', 'ARR 95k', 'active', ?, 1)"),
]


def test_a_store_from_before_0003_upgrades_and_history_diff_blame_cross_it(
        old_url: str, tmp_path: Path) -> None:  # noqa: F811
    """A store an earlier release wrote (its import of the file, the import branch, an
    expert's correction) is upgraded when opened, and nothing about the upgrade reads as a
    change of knowledge; the next reload merges through the old import branch."""
    backend = _old_backend(old_url, "0002_packs", OLD_ROWS, "crm.yaml")

    def correct(tx: Tx) -> str:
        tx.execute("UPDATE facts SET value = '420000', recorded_by = ?, reason = 'invoice', "
                   "rev = 2 WHERE id = 'fact:orvik-arr'", [EXPERT])
        return "Correct arr of orvik"

    versioning.create_branch(backend, "imports/crm-yaml", backend.head())
    backend.write(correct, EXPERT)
    before = backend.head()
    backend.close()

    with open_store(old_url) as store:
        assert migrations.pending(store.backend) == []
        upgraded = store.head()
        assert upgraded != before
        assert store.get("orvik")["normalized"] == "orvik systems"
        assert store.get("fact:orvik-arr")["captured_at"] == "2025-01-15"
        # the upgrade changed no knowledge: no diff, no version, no blame
        assert store.diff(before, upgraded).changes == []
        assert next(v.commit for v in store.history("fact:orvik-arr").versions) != upgraded
        assert store.blame("fact:orvik-arr")[0].recorded_by == EXPERT
        assert store.blame("Orvik")[0].commit != upgraded
        assert len(store.history("Orvik Systems").versions) == 1
        # an as-of read of a commit from before the upgrade still finds names exactly
        assert store.show("Orvik Systems", as_of=before).id == "orvik"
        assert store.show("Granite Point Corp", as_of=before).id == "granite-point"
        # a reload through the import branch made before the upgrade keeps the correction
        # and adds the new spelling (a second later: the branch's upgrade is recorded as the
        # store's was, or the two records of it would conflict)
        time.sleep(1.1)
        store.import_file(_write(tmp_path, CRM), author=AUTHOR)
        assert store.get("fact:orvik-arr")["value"] == "420000"
        assert store.resolve("ORVIK").entity == {"id": "orvik", "name": "Orvik Systems",
                                                 "kind": "customer"}
        changed = {c.id: set(c.fields) for c in store.diff(before, "HEAD").changes}
        assert changed["alias:orvik/orvik"] == {"spellings"}
        assert "fact:orvik-arr" not in changed


def test_a_fixture_upgrade_keeps_the_golden_set(tmp_path: Path) -> None:
    """Sanity: the fixtures load into a new store with every migration."""
    from factstore import init_store

    with init_store(str(tmp_path / "f.db"), author=AUTHOR) as store:
        store.import_file(FIXTURES / "northwind.yaml", author=AUTHOR)
        assert migrations.pending(store.backend) == []
