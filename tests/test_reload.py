"""A nightly reload never undoes what people did since the file's last import."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from factstore import Conflict, FactStore, NotFound, Refused

from .conftest import Facts, new_store

EXPERT = "Priya Nair <priya@orvik.test>"
LOADER = "Nightly Load <etl@orvik.test>"

CRM = """\
factstore: 1
sources:
  - {id: "src:erp", title: ERP export, kind: system_of_record, authority: 80}
entities:
  - {id: tessaly-foods, kind: customer, name: Tessaly Foods}
  - {id: brannock, kind: customer, name: Brannock Freight}
definitions:
  - {id: "def:net-retention", term: Net retention, source: "src:erp",
     text: "Revenue kept from last year's customers"}
  - {id: "def:logo", term: Logo, text: "A paying customer account", source: "src:erp"}
facts:
  - {id: "fact:tessaly-arr", subject: tessaly-foods, predicate: arr, value: 410000, unit: EUR,
     source: "src:erp"}
  - {id: "fact:brannock-arr", subject: brannock, predicate: arr, value: 95000, unit: EUR,
     source: "src:erp"}
"""


def _write(tmp_path: Path, text: str, name: str = "crm-nightly.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _expert_changes(store: FactStore) -> None:
    store.correct_definition("def:net-retention",
                             "Recurring revenue kept from customers active a year ago, "
                             "after churn and contraction", author=EXPERT,
                             reason="Finance's board definition")
    store.retract("fact:brannock-arr", author=EXPERT, reason="account closed in the ERP late")


def test_a_reload_of_the_same_file_keeps_corrections_and_retractions(
        store: FactStore, tmp_path: Path) -> None:
    path = _write(tmp_path, CRM)
    store.import_file(path, author=LOADER)
    _expert_changes(store)
    head = store.head()
    result = store.import_file(path, author=LOADER)
    assert result.commit is None and store.head() == head
    assert store.get("def:net-retention")["text"].startswith("Recurring revenue kept")
    assert store.get("fact:brannock-arr")["status"] == "retracted"


def test_a_reload_whose_file_changed_other_rows_applies_them_and_keeps_the_correction(
        store: FactStore, tmp_path: Path) -> None:
    path = _write(tmp_path, CRM)
    store.import_file(path, author=LOADER)
    _expert_changes(store)
    _write(tmp_path, CRM.replace("value: 410000", "value: 432000"))
    result = store.import_file(path, author=LOADER, reason="nightly")
    assert result.changed == ["fact:tessaly-arr"]
    assert store.get("fact:tessaly-arr")["value"] == "432000"
    assert store.get("def:net-retention")["recorded_by"] == EXPERT
    assert store.get("fact:brannock-arr")["status"] == "retracted"
    assert store.log(1)[0].author == LOADER


def test_a_reload_that_changed_a_corrected_row_conflicts_and_writes_nothing(
        store: FactStore, tmp_path: Path) -> None:
    path = _write(tmp_path, CRM)
    store.import_file(path, author=LOADER)
    _expert_changes(store)
    head, log = store.head(), store.log()
    _write(tmp_path, CRM.replace("Revenue kept from last year's customers",
                                 "Revenue retained from prior-year cohort"))
    with pytest.raises(Conflict) as caught:
        store.import_file(path, author=LOADER)
    [conflict] = caught.value.details["conflicts"]
    assert conflict["id"] == "def:net-retention"
    assert conflict["base"]["text"] == "Revenue kept from last year's customers"
    assert conflict["store"]["text"].startswith("Recurring revenue kept")
    assert conflict["file"]["text"] == "Revenue retained from prior-year cohort"
    assert store.head() == head and store.log() == log
    with pytest.raises(Conflict):  # still a conflict: the refused import left no trace
        store.import_file(path, author=LOADER)



CAUGHT_UP = ("Recurring revenue kept from customers active a year ago, after churn and "
             "contraction")


@pytest.mark.parametrize("prefer", [None, "file", "store"])
def test_a_file_that_caught_up_with_a_correction_reloads_and_keeps_who_made_it(
        store: FactStore, tmp_path: Path, prefer: str | None) -> None:
    """The ERP now says what the expert corrected the definition to: that is no conflict,
    and the row keeps the expert's name and reason (with or without --prefer); a row the
    file changed otherwise still conflicts, alone."""
    path = _write(tmp_path, CRM)
    store.import_file(path, author=LOADER)
    _expert_changes(store)
    caught_up = CRM.replace("Revenue kept from last year's customers", CAUGHT_UP)
    _write(tmp_path, caught_up)
    result = store.import_file(path, author=LOADER, reason="nightly",
                               prefer=prefer)  # type: ignore[arg-type]
    assert result.changed == []
    row = store.get("def:net-retention")
    assert (row["text"], row["recorded_by"], row["reason"], row["rev"]) == (
        CAUGHT_UP, EXPERT, "Finance's board definition", 2)
    assert store.import_file(path, author=LOADER, reason="nightly").commit is None  # stays
    store.correct_fact("fact:tessaly-arr", 415000, author=EXPERT, reason="credit note")
    _write(tmp_path, caught_up.replace("value: 410000", "value: 433000"))
    if prefer is None:
        with pytest.raises(Conflict) as caught:
            store.import_file(path, author=LOADER, reason="nightly")
        assert [c["id"] for c in caught.value.details["conflicts"]] == ["fact:tessaly-arr"]
    else:
        store.import_file(path, author=LOADER, reason="nightly",
                          prefer=prefer)  # type: ignore[arg-type]
        assert store.get("fact:tessaly-arr")["value"] == (
            "433000" if prefer == "file" else "415000")
    assert store.get("def:net-retention")["recorded_by"] == EXPERT


def test_a_correction_taken_back_leaves_the_row_to_the_file(store: FactStore,
                                                            tmp_path: Path) -> None:
    """An expert corrects a fact and reverts the correction: the row says what the file
    said, only its bookkeeping moved, so the file's next change to it applies (it used to
    conflict, listing a store side equal to the base)."""
    path = _write(tmp_path, CRM)
    store.import_file(path, author=LOADER, reason="nightly")
    store.correct_fact("fact:tessaly-arr", 415000, author=EXPERT, reason="credit note")
    store.revert("fact:tessaly-arr", author=EXPERT, reason="credit note cancelled")
    _write(tmp_path, CRM.replace("value: 410000", "value: 433000"))
    result = store.import_file(path, author=LOADER, reason="nightly")
    assert result.changed == ["fact:tessaly-arr"]
    assert store.get("fact:tessaly-arr")["value"] == "433000"

def test_prefer_file_applies_the_files_version_as_one_authored_commit(
        store: FactStore, tmp_path: Path) -> None:
    path = _write(tmp_path, CRM)
    store.import_file(path, author=LOADER)
    _expert_changes(store)
    before = len(store.log())
    _write(tmp_path, CRM.replace("Revenue kept from last year's customers",
                                 "Revenue retained from prior-year cohort"))
    result = store.import_file(path, author=LOADER, prefer="file", reason="ERP is master")
    assert result.changed == ["def:net-retention"]
    assert store.get("def:net-retention")["text"] == "Revenue retained from prior-year cohort"
    assert store.get("fact:brannock-arr")["status"] == "retracted"  # not changed by the file
    log = store.log()
    assert len(log) == before + 1 and log[0].author == LOADER
    assert "ERP is master" in log[0].message


def test_prefer_store_keeps_the_correction_and_takes_the_rest(
        store: FactStore, tmp_path: Path) -> None:
    path = _write(tmp_path, CRM)
    store.import_file(path, author=LOADER)
    _expert_changes(store)
    _write(tmp_path, CRM.replace("Revenue kept from last year's customers", "Other text")
           .replace("A paying customer account", "A customer with a paid contract"))
    result = store.import_file(path, author=LOADER, prefer="store")
    assert result.changed == ["def:logo"]
    assert store.get("def:net-retention")["recorded_by"] == EXPERT
    assert store.get("def:logo")["text"] == "A customer with a paid contract"


def test_two_files_are_reloaded_independently(store: FactStore, tmp_path: Path) -> None:
    crm = _write(tmp_path, CRM)
    store.import_file(crm, author=LOADER)
    extra = _write(tmp_path, "factstore: 1\nfacts:\n  - {id: \"fact:tessaly-seats\", "
                   "subject: tessaly-foods, predicate: seats, value: 40, source: \"src:erp\"}\n",
                   name="seats.yaml")
    store.import_file(extra, author=LOADER)
    _expert_changes(store)
    assert store.import_file(crm, author=LOADER).commit is None
    assert store.get("fact:tessaly-seats")["value"] == "40"
    assert {b.name for b in store.branches(all=True)} >= {
        "imports/crm-nightly-yaml", "imports/seats-yaml"}
    assert {b.name for b in store.branches()} == {"main"}


def test_cli_reload_conflict_exits_5_with_base_store_and_file(facts: Facts, tmp_path: Path
                                                               ) -> None:
    path = _write(tmp_path, CRM)
    facts("import", str(path), "--by", LOADER)
    facts("correct", "def:net-retention", "--def", "Kept revenue, after churn",
          "--reason", "board definition", "--by", EXPERT)
    log = facts("log", "--json").output
    _write(tmp_path, CRM.replace("Revenue kept from last year's customers", "File text"))
    result = facts("import", str(path), "--by", LOADER, ok=False)
    assert result.exit_code == 5
    assert "def:net-retention" in result.output
    for side in ("base", "store", "file"):
        assert f"    {side}" in result.output
    assert facts("log", "--json").output == log
    out = json.loads(facts("import", str(path), "--by", LOADER, "--prefer", "file",
                           "--json").output)
    assert out["changed"] == ["def:net-retention"]
    assert facts.row("def:net-retention")["text"] == "File text"


def test_history_of_a_reloaded_row_names_the_import_and_the_expert(
        store: FactStore, tmp_path: Path) -> None:
    path = _write(tmp_path, CRM)
    store.import_file(path, author=LOADER)
    _expert_changes(store)
    _write(tmp_path, CRM.replace("Revenue kept from last year's customers", "File text"))
    store.import_file(path, author=LOADER, prefer="file")
    versions = store.history("def:net-retention").versions
    assert [v.author for v in versions] == [LOADER, EXPERT, LOADER]
    assert [v.row["text"] for v in versions if v.row] == [
        "File text", store.history("def:net-retention").versions[1].row["text"],
        "Revenue kept from last year's customers"]


def test_a_reload_over_someone_elses_uncommitted_change_is_refused(
        store: FactStore, tmp_path: Path) -> None:
    path = _write(tmp_path, CRM)
    store.import_file(path, author=LOADER)
    _write(tmp_path, CRM.replace("value: 410000", "value: 432000"))
    store.backend.query("UPDATE facts SET value = '1' WHERE id = 'fact:brannock-arr'")
    head = store.head()
    with pytest.raises(Refused, match="uncommitted changes in facts"):
        store.import_file(path, author=LOADER)
    assert store.head() == head


# --- the first import of a file name: a dated export, a restored or cloned store -------------


def test_a_dated_export_keeps_what_people_changed_since_the_last_file(
        store: FactStore, tmp_path: Path) -> None:
    """A nightly export named by its day is a new file name each night, with no import
    branch of its own: the rows a person changed since an earlier file said them stay (the
    file still says what that file said), the rows only the file changed are taken, and a
    row both changed is a conflict, as for a reload of one file name."""
    store.import_file(_write(tmp_path, CRM, "crm-2026-01-15.yaml"), author=LOADER)
    _expert_changes(store)
    result = store.import_file(_write(tmp_path, CRM.replace("value: 410000", "value: 432000"),
                                      "crm-2026-01-16.yaml"), author=LOADER, reason="nightly")
    assert result.changed == ["fact:tessaly-arr"]
    assert store.get("fact:tessaly-arr")["value"] == "432000"
    row = store.get("def:net-retention")
    assert (row["recorded_by"], row["reason"], row["rev"]) == (
        EXPERT, "Finance's board definition", 2)
    assert store.get("fact:brannock-arr")["status"] == "retracted"
    head = store.head()
    changed = _write(tmp_path, CRM.replace("Revenue kept from last year's customers",
                                           "File text"), "crm-2026-01-17.yaml")
    with pytest.raises(Conflict) as caught:
        store.import_file(changed, author=LOADER)
    [conflict] = caught.value.details["conflicts"]
    assert (conflict["id"], conflict["base"]["text"], conflict["file"]["text"]) == (
        "def:net-retention", "Revenue kept from last year's customers", "File text")
    assert conflict["store"]["text"].startswith("Recurring revenue kept")
    assert store.head() == head
    assert "imports/crm-2026-01-17-yaml" not in {b.name for b in store.branches(all=True)}
    store.import_file(changed, author=LOADER, prefer="store")
    assert store.get("def:net-retention")["recorded_by"] == EXPERT
    assert store.import_file(changed, author=LOADER).commit is None  # and it stays kept


def _empty_store_beside(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A second new store on the backend of this test's store."""
    folder = tmp_path / "restored"
    folder.mkdir()
    return new_store(_Param(request, request.node.callspec.params["store_url"]), folder, "r")


class _Param:
    """The test's request, with the param its store_url fixture had (new_store reads it)."""

    def __init__(self, request: pytest.FixtureRequest, param: str) -> None:
        self.param, self.getfixturevalue = param, request.getfixturevalue


def test_a_reload_into_a_restored_store_does_not_undo_corrections(
        facts: Facts, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """A store restored from an export has no import branches: the first reload of each
    file used to take every row the file says otherwise — the experts' corrections and
    retractions (a retraction the file's record does not name a status for stays anyway) —
    silently. Those rows are a conflict now (no file said the store's
    version); --prefer store keeps them, and the next reload of the file is a no-op."""
    path = _write(tmp_path, CRM)
    facts("import", str(path), "--by", LOADER)
    facts("correct", "def:net-retention", "--def", "Kept revenue, after churn", "--reason",
          "board definition", "--by", EXPERT)
    facts("retract", "fact:brannock-arr", "--reason", "closed", "--by", EXPERT)
    facts("export", "-o", str(tmp_path / "backup.yaml"))
    restored = Facts(_empty_store_beside(request, tmp_path))
    restored("import", str(tmp_path / "backup.yaml"), "--restore", "--by", LOADER)
    log = restored("log", "--json").output
    result = restored("import", str(path), "--by", LOADER, ok=False)
    assert result.exit_code == 5, result.output
    assert "otherwise than the store" in result.output
    assert "with no import branch (restored from an export" in result.output
    assert "--prefer store keeps the store's version" in result.output
    assert "1 row(s)" in result.output and "def:net-retention" in result.output
    assert "    base   (absent)" in result.output
    assert restored("log", "--json").output == log
    restored("import", str(path), "--by", LOADER, "--prefer", "store")
    assert restored.row("def:net-retention")["recorded_by"] == EXPERT
    assert restored.row("fact:brannock-arr")["status"] == "retracted"
    assert "Nothing changed" in restored("import", str(path), "--by", LOADER).output
    _write(tmp_path, CRM.replace("value: 410000", "value: 432000"))
    out = json.loads(restored("import", str(path), "--by", LOADER, "--json").output)
    assert out["changed"] == ["fact:tessaly-arr"]
    assert restored.row("def:net-retention")["text"] == "Kept revenue, after churn"


# --- a clone or pull of the store: the nightly job run from another copy -----------------------


def _clone_target(store_url: str, tmp_path: Path, name: str) -> tuple[str, str]:
    """Where a clone of this test's store goes (a folder, or a new database on the same Dolt
    server), and the URL its CLI opens."""
    if store_url.startswith("mysql://"):
        target = f"{store_url}_{name}"
        return target, target
    return str(tmp_path / name), str(tmp_path / name / ".facts" / "facts.db")


def _imported_and_corrected(facts: Facts, tmp_path: Path) -> Path:
    """The CRM file imported and two rows corrected by an expert (one by id, one by the
    entity's name); the file."""
    path = _write(tmp_path, CRM)
    facts("import", str(path), "-m", "nightly", "--by", LOADER)
    facts("correct", "def:net-retention", "--def", "Kept revenue, after churn", "--reason",
          "board definition", "--by", EXPERT)
    facts("correct", "Brannock Freight", "--predicate", "arr", "--value", "97000", "--reason",
          "signed amendment", "--by", EXPERT)
    return path


def _corrected_and_pushed(facts: Facts, tmp_path: Path) -> tuple[Path, str, str]:
    """The CRM file imported, two rows corrected by an expert (one by id, one by the
    entity's name), and the store pushed to a new file remote; the file, the remote and
    what the push printed."""
    path = _imported_and_corrected(facts, tmp_path)
    remote = f"file://{tmp_path / 'shared'}"
    facts("remote", "add", "origin", remote)
    return path, remote, facts("push").output


def _assert_corrections_kept(copy: Facts) -> None:
    row = copy.row("def:net-retention")
    assert (row["text"], row["recorded_by"], row["reason"]) == (
        "Kept revenue, after churn", EXPERT, "board definition")
    row = copy.row("fact:brannock-arr")
    assert (row["value"], row["recorded_by"], row["reason"]) == (
        "97000", EXPERT, "signed amendment")


def test_a_reload_in_a_clone_takes_the_files_change_and_keeps_the_corrections(
        facts: Facts, store_url: str, tmp_path: Path) -> None:
    """A data team member clones the knowledge base and runs the nightly reload there: the
    clone has the import branches the push sent, so the reload merges with what the file
    last said — its new value is taken, the experts' corrections (a row the file still says
    as before) kept with their author and reason. Without them every row the store holds
    otherwise than the file was a conflict (exit 5), the corrections and the file's own
    change alike."""
    path, remote, pushed = _corrected_and_pushed(facts, tmp_path)
    target, url = _clone_target(store_url, tmp_path, "copy")
    facts("clone", remote, target)
    copy = Facts(url)
    _write(tmp_path, CRM.replace("value: 410000", "value: 432000"))
    out = json.loads(copy("import", str(path), "-m", "nightly", "--by", LOADER,
                          "--json").output)
    assert out["changed"] == ["fact:tessaly-arr"]
    assert copy.row("fact:tessaly-arr")["value"] == "432000"
    _assert_corrections_kept(copy)
    assert "with imports/crm-nightly-yaml" in pushed, pushed


def test_a_pull_brings_the_import_branches_and_moves_them_up_never_back(
        facts: Facts, store_url: str, tmp_path: Path) -> None:
    """A store cloned before anything was imported, then pulled, reloads like its remote;
    a later pull moves its import branch up to the remote's newer one; an import branch
    that moved on its own here is kept as it is (pull: a note) and not forced onto the
    remote (push: a note, exit 0)."""
    remote = f"file://{tmp_path / 'shared'}"
    facts("remote", "add", "origin", remote)
    facts("push")
    target, url = _clone_target(store_url, tmp_path, "early")
    facts("clone", remote, target)
    copy = Facts(url)
    copy("pull", "--by", LOADER)  # a remote with no import branch: nothing to track
    branch = "imports/crm-nightly-yaml"
    path = _imported_and_corrected(facts, tmp_path)
    assert "with imports/crm-nightly-yaml" in facts("push").output
    again = facts("push").output  # sends no import branch the remote has as it is here
    assert again.startswith("Pushed main (") and "with" not in again, again
    assert f"with {branch}" in copy("pull", "--by", LOADER).output  # made here

    def heads(cli: Facts) -> dict[str, str]:
        return {b["name"]: b["commit"]
                for b in json.loads(cli("branches", "--all", "--json").output)}

    assert heads(copy)[branch] == heads(facts)[branch]
    _write(tmp_path, CRM.replace("value: 410000", "value: 432000"))
    facts("import", str(path), "-m", "nightly", "--by", LOADER)  # imported there first
    facts("push")
    assert f"with {branch}" in copy("pull", "--by", LOADER).output
    assert heads(copy)[branch] == heads(facts)[branch]  # moved up to the remote's
    assert "Nothing changed" in copy("import", str(path), "--by", LOADER).output
    _assert_corrections_kept(copy)
    # both import a different night apart: the copy's branch moved on its own
    _write(tmp_path, CRM.replace("value: 410000", "value: 440000"))
    copy("import", str(path), "-m", "nightly", "--by", LOADER)
    mine = heads(copy)[branch]
    _write(tmp_path, CRM.replace("value: 410000", "value: 440000").replace(
        "A paying customer account", "A customer paying us"))
    facts("import", str(path), "-m", "nightly", "--by", LOADER)
    facts("push")
    pulled = copy("pull", "--by", LOADER)
    assert heads(copy)[branch] == mine
    assert f"note: {branch} kept as it is" in pulled.stderr, pulled.output
    assert f"with {branch}" not in pulled.output
    pushed = copy("push")
    assert f"note: {branch} not pushed" in pushed.stderr, pushed.output
    assert pushed.exit_code == 0


def test_import_branches_are_set_only_where_they_still_are(store: FactStore,
                                                            tmp_path: Path) -> None:
    """What a clone or pull does to the import branches is a compare-and-set: one an import
    made or moved since they were read is left as that import put it."""
    store.import_file(_write(tmp_path, CRM), author=LOADER)
    first = store.head()
    store.import_file(_write(tmp_path, CRM.replace("410000", "420000")), author=LOADER)
    moved = store.head()
    branch = "imports/crm-nightly-yaml"
    assert store.backend.set_branches({branch: (None, first), "imports/other": ("0" * 32,
                                                                                 first)}) == []
    assert {b.name: b.commit for b in store.branches(all=True)}[branch] != first
    assert "imports/other" not in {b.name for b in store.branches(all=True)}
    mine = {b.name: b.commit for b in store.branches(all=True)}[branch]
    assert store.backend.set_branches({branch: (mine, first), "imports/new": (None, moved)}
                                      ) == [branch, "imports/new"]
    heads = {b.name: b.commit for b in store.branches(all=True)}
    assert (heads[branch], heads["imports/new"]) == (first, moved)


def test_an_import_on_a_branch_leaves_the_store_on_that_branch(store_url: str,
                                                                tmp_path: Path) -> None:
    """The import branch is written through a connection of its own; the store's own reads
    after the merge are of the branch it was opened on (on doltlite its connection is made
    anew after the import branch's commit) and see what the file brought."""
    import factstore

    with factstore.open_store(store_url) as store:
        store.propose("q3-load")
    with factstore.open_store(store_url, branch="q3-load") as store:
        store.import_file(_write(tmp_path, CRM), author=LOADER)
        assert store.backend.branch == "q3-load"
        assert store.get("fact:tessaly-arr")["value"] == "410000"
        store.import_file(_write(tmp_path, CRM.replace("410000", "420000")), author=LOADER)
        assert store.get("fact:tessaly-arr")["value"] == "420000"
    with factstore.open_store(store_url) as store:
        assert store.backend.branch == "main"
        with pytest.raises(NotFound):
            store.get("fact:tessaly-arr")


def test_a_branch_connection_closed_after_the_store_closes_quietly(tmp_path: Path) -> None:
    """The store's connection is made anew when its import-branch connection closes after a
    commit; a store already closed then is left alone."""
    import factstore
    from factstore.backends import versioning
    from factstore.backends.doltlite import DoltliteBackend

    url = str(tmp_path / "facts.db")
    factstore.init_store(url, author=LOADER).close()
    backend = DoltliteBackend(Path(url))
    versioning.create_branch(backend, "side", backend.head())
    side = backend.on_branch("side")
    side.write(lambda tx: (tx.execute("INSERT INTO config (name, value, recorded_by, rev) "
                                      "VALUES (?, ?, ?, 1)", ["note", "x", LOADER]),
                           "Note")[1], LOADER, stage=("config",))
    backend.close()
    side.close()  # used to raise: the store's connection was closed already
