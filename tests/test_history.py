"""Knowledge history on both backends: tags, quarters, as-of, valid-at, diff, history, log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from factstore import FactStore, InvalidInput, Refused, open_store
from factstore.periods import period_range

from .conftest import AUTHOR, FIXTURES, Facts, TWO

EXPERT = "Priya Nair <priya@northwind.test>"
NEW_ACV = "Annualised value of recurring contract revenue, excl. one-off fees"


@pytest.fixture
def quarters(facts: Facts) -> dict[str, object]:
    """The quarter scenario: Q3 load, tag, Q4 load + ACV correction, tag."""
    facts("import", str(FIXTURES / "northwind.yaml"), "--by", AUTHOR, "-m", "FY26-Q3 load")
    facts("tag", "FY26-Q3", "-m", "Q3 close", "--by", AUTHOR)
    q4 = json.loads(facts("import", str(FIXTURES / "northwind-q4.yaml"), "--by", AUTHOR,
                          "-m", "FY26-Q4 load", "--json").output)
    facts("correct", "ACV", "--scope", "finance", "--def", NEW_ACV, "--reason",
          "services reclassified", "--by", EXPERT)
    facts("tag", "FY26-Q4", "--by", AUTHOR)
    return {"q4_changed": set(q4["changed"])}


def test_quarter_diff_lists_exactly_the_quarters_changes(facts: Facts,
                                                         quarters: dict[str, set[str]]) -> None:
    diff = json.loads(facts("diff", "FY26-Q3", "FY26-Q4", "--json").output)
    assert set(diff) == {"from", "to", "from_commit", "to_commit", "changes", "summary"}
    ids = {c["id"] for c in diff["changes"]}
    expected = {i for i in quarters["q4_changed"] if not i.startswith("config:")}
    assert ids == expected | {"def:acv@finance"}
    acv = next(c for c in diff["changes"] if c["id"] == "def:acv@finance")
    assert acv["op"] == "modified" and set(acv["fields"]) == {"text"}
    assert acv["fields"]["text"]["to"] == NEW_ACV
    assert acv["by"] == EXPERT and acv["reason"] == "services reclassified"
    retracted = next(c for c in diff["changes"]
                     if c["id"] == "fact:halcyon-media-churn-risk-fy26q3")
    assert retracted["fields"]["status"] == {"from": "active", "to": "retracted"}
    assert diff["summary"]["definitions"]["modified"] == 2


def test_show_as_of_quarter_tags_gives_each_quarters_definition(
        facts: Facts, quarters: dict[str, set[str]]) -> None:
    old = json.loads(facts("show", "def:acv@finance", "--as-of", "FY26-Q3", "--json").output)
    new = json.loads(facts("show", "def:acv@finance", "--as-of", "FY26-Q4", "--json").output)
    assert old["row"]["text"] != NEW_ACV and new["row"]["text"] == NEW_ACV
    assert old["last_change"]["author"] == AUTHOR
    assert new["last_change"]["author"] == EXPERT


def test_text_diff_reads_like_a_changelog(facts: Facts, quarters: dict[str, set[str]]) -> None:
    text = facts("diff", "FY26-Q3", "FY26-Q4").output
    assert "~ def:acv@finance  text:" in text
    assert f"[by {EXPERT}: 'services reclassified']" in text
    assert "+ fact:acme-corp-acv-fy26q4" in text


def test_history_shows_every_version_newest_first(facts: Facts,
                                                 quarters: dict[str, set[str]]) -> None:
    history = json.loads(facts("history", "def:acv@finance", "--json").output)
    versions = history["versions"]
    assert [v["author"] for v in versions] == [EXPERT, AUTHOR]
    assert versions[0]["reason"] == "services reclassified"
    assert versions[0]["row"]["text"] == NEW_ACV
    assert set(versions[0]) == {"commit", "author", "date", "message", "reason",
                                "recorded_by", "source", "row"}
    assert versions[0]["recorded_by"] == EXPERT


def test_log_filters_by_author_and_id(facts: Facts, quarters: dict[str, set[str]]) -> None:
    mine = json.loads(facts("log", "--author", "priya", "--json").output)
    assert [c["author"] for c in mine] == [EXPERT]
    touching = json.loads(facts("log", "--id", "def:acv@finance", "--json").output)
    assert len(touching) == 2
    assert json.loads(facts("log", "--until", "2001-01-01", "--json").output) == []


def test_blame_names_the_last_author_of_each_row(facts: Facts,
                                                 quarters: dict[str, set[str]]) -> None:
    blame = json.loads(facts("blame", "definitions", "--json").output)
    by_id = {r["id"]: r["author"] for r in blame}
    assert by_id["def:acv@finance"] == EXPERT and by_id["def:acv@sales"] == AUTHOR


def test_a_tag_wins_over_the_quarter_of_the_same_name(store: FactStore) -> None:
    first = store.head()
    store.set_config("calendar.fiscal_year_start_month", "2", author=AUTHOR)
    # a quarter far in the future means "the last commit before its end": HEAD
    assert store.resolve_ref("FY40-Q1") == store.head()
    store.tag("FY40-Q1", first, author=AUTHOR)
    assert store.resolve_ref("FY40-Q1") == first
    assert store.resolve_ref(store.head()[:10]) == store.head()
    assert store.resolve_ref("HEAD~1") == first


@pytest.mark.parametrize("ref", ["nope", "FY19-Q1", "2001-01-01", "HEAD~999"])
def test_bad_refs_exit_2_and_unknown_ids_exit_3(facts: Facts, ref: str) -> None:
    result = facts("list", "facts", "--as-of", ref, ok=False)
    assert result.exit_code == 2 and result.output.startswith("error: ")
    assert facts("history", "fact:nothing-here", ok=False).exit_code == 3


def test_config_set_is_a_commit_and_drives_quarters(facts: Facts, store: FactStore) -> None:
    out = json.loads(facts("config", "set", "calendar.fiscal_year_start_month", "2", "--by",
                           AUTHOR, "--json").output)
    assert out["changed"] == ["config:calendar.fiscal_year_start_month"]
    assert store.fiscal_start_month() == 2
    assert facts("config", "set", "calendar.fiscal_year_start_month", "13", "--by", AUTHOR,
                 ok=False).exit_code == 2


def test_valid_at_keeps_what_was_true_that_day(facts: Facts, quarters: dict) -> None:
    q3 = json.loads(facts("list", "facts", "--subject", "acme-corp", "--valid-at",
                          "2025-09-15", "--json").output)
    periods = {f["period"] for f in q3}
    assert "FY26-Q3" in periods and "FY26-Q4" not in periods
    q4 = json.loads(facts("list", "facts", "--subject", "acme-corp", "--valid-at",
                          "2025-12-01", "--json").output)
    assert "FY26-Q4" in {f["period"] for f in q4}


def test_fiscal_periods_follow_the_start_month() -> None:
    assert [d.isoformat() for d in period_range("FY26-Q3", 2)] == ["2025-08-01", "2025-10-31"]
    assert [d.isoformat() for d in period_range("FY26", 1)] == ["2026-01-01", "2026-12-31"]
    assert [d.isoformat() for d in period_range("FY26-H2", 7)] == ["2026-01-01", "2026-06-30"]
    assert [d.isoformat() for d in period_range("2025-02")] == ["2025-02-01", "2025-02-28"]
    with pytest.raises(InvalidInput):
        period_range("Q3")


def test_history_of_a_removed_path_is_not_found(store: FactStore, tmp_path: Path) -> None:
    with pytest.raises(Exception) as info:
        store.history("fact:never")
    assert type(info.value).__name__ == "NotFound"


def _load(facts: Facts, tmp_path: Path, text: str, name: str, who: str = AUTHOR) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return json.loads(facts("import", str(path), "--by", who, "-m", name, "--json").output)[
        "commit"]


def test_revert_one_fact_leaves_its_neighbour_from_the_same_commit(facts: Facts,
                                                                 tmp_path: Path) -> None:
    _load(facts, tmp_path, TWO, "one.yaml")
    bad = _load(facts, tmp_path, TWO.replace("value: 100", "value: 999")
                .replace("value: 10,", "value: 12,"), "bad.yaml", "Bo Lind <bo@northwind.test>")
    out = json.loads(facts("revert", "fact:acv", "--reason", "typo in the load", "--by",
                           EXPERT, "--json").output)
    assert out["changed"] == ["fact:acv"]
    rows = {f["id"]: f["value"] for f in json.loads(facts("list", "facts", "--json").output)}
    assert rows == {"fact:acv": "100", "fact:seats": "12"}
    versions = json.loads(facts("history", "fact:acv", "--json").output)["versions"]
    assert [v["row"]["value"] for v in versions] == ["100", "999", "100"]
    assert [v["author"] for v in versions] == [EXPERT, "Bo Lind <bo@northwind.test>", AUTHOR]
    assert [v["reason"] for v in versions] == ["typo in the load", "bad.yaml", "one.yaml"]
    assert versions[1]["commit"] == bad
    assert versions[0]["row"]["rev"] == 3


def test_revert_of_a_commit_after_a_later_change_exits_5(facts: Facts, tmp_path: Path) -> None:
    _load(facts, tmp_path, TWO, "one.yaml")
    bad = _load(facts, tmp_path, TWO.replace("value: 100", "value: 999"), "bad.yaml")
    facts("correct", "fact:acv", "--value", "150", "--reason", "later fix", "--by", AUTHOR)
    head = json.loads(facts("log", "-n", "1", "--json").output)
    result = facts("revert", "fact:acv", "--commit", bad, "--reason", "r", "--by", AUTHOR,
                   ok=False)
    assert result.exit_code == 5
    assert "changed again" in result.output and "value=999" in result.output
    assert json.loads(facts("log", "-n", "1", "--json").output) == head


def test_revert_removes_a_created_row_and_to_ref_brings_it_back(facts: Facts,
                                                                tmp_path: Path) -> None:
    first = _load(facts, tmp_path, TWO, "one.yaml")
    facts("add", "fact", "--subject", "acme", "--predicate", "arr", "--value", "5",
          "--source", "src:crm", "--by", AUTHOR)
    facts("revert", "fact:acme-arr", "--reason", "wrong account", "--by", AUTHOR)
    assert facts("show", "fact:acme-arr", ok=False).exit_code == 3
    history = json.loads(facts("history", "fact:acme-arr", "--json").output)["versions"]
    assert history[0]["row"] is None and len(history) == 2
    facts("revert", "fact:acme-arr", "--to", "HEAD~1", "--reason", "it was right",
          "--by", AUTHOR)
    assert facts.row("fact:acme-arr")["value"] == "5"
    nothing = facts("revert", "fact:seats", "--to", first, "--reason", "r", "--by", AUTHOR,
                    ok=False)
    assert nothing.exit_code == 2


def test_revert_never_removes_an_entity_other_rows_still_name(facts: Facts) -> None:
    """Undoing an entity's creation while a fact names it would leave the fact pointing at
    nothing (and an export that no longer imports): refused, and nothing written."""
    facts("add", "entity", "--id", "initech", "--kind", "customer", "--name", "Initech",
          "--by", AUTHOR)
    facts("add", "fact", "--subject", "initech", "--predicate", "arr", "--value", "5",
          "--by", AUTHOR)
    log = facts("log", "--json").output
    refused = facts("revert", "initech", "--reason", "made by mistake", "--by", AUTHOR,
                    ok=False)
    assert refused.exit_code == 4 and "still named by fact:initech-arr" in refused.output
    assert facts("log", "--json").output == log
    created = json.loads(log)[1]["commit"]  # the commit that added initech
    whole = facts("revert", "--commit", created, "--reason", "r", "--by", AUTHOR, ok=False)
    assert whole.exit_code == 4 and "still named by fact:initech-arr" in whole.output
    assert facts("log", "--json").output == log
    facts("revert", "fact:initech-arr", "--reason", "made by mistake", "--by", AUTHOR)
    facts("revert", "initech", "--reason", "made by mistake", "--by", AUTHOR)
    assert facts("show", "initech", ok=False).exit_code == 3


def test_revert_whole_commit_undoes_every_row_it_changed(facts: Facts, tmp_path: Path) -> None:
    _load(facts, tmp_path, TWO, "one.yaml")
    bad = _load(facts, tmp_path, TWO.replace("value: 100", "value: 999")
                .replace("value: 10,", "value: 12,"), "bad.yaml")
    out = json.loads(facts("revert", "--commit", bad, "--reason", "bad load", "--by", EXPERT,
                           "--json").output)
    assert sorted(out["changed"]) == ["fact:acv", "fact:seats"]
    rows = {f["id"]: f["value"] for f in json.loads(facts("list", "facts", "--json").output)}
    assert rows == {"fact:acv": "100", "fact:seats": "10"}
    top = json.loads(facts("log", "-n", "1", "--json").output)[0]
    assert top["author"] == EXPERT and top["message"].startswith("Revert")


def test_revert_of_unknown_row_or_unrelated_commit_writes_nothing(facts: Facts,
                                                                  tmp_path: Path) -> None:
    first = _load(facts, tmp_path, TWO, "one.yaml")
    facts("correct", "fact:acv", "--value", "150", "--reason", "fix", "--by", AUTHOR)
    head = json.loads(facts("log", "--json").output)
    assert facts("revert", "fact:nope", "--reason", "r", "--by", AUTHOR,
                 ok=False).exit_code == 3
    unrelated = json.loads(facts("log", "-n", "1", "--json").output)[0]["commit"]
    assert facts("revert", "fact:seats", "--commit", unrelated, "--reason", "r", "--by",
                 AUTHOR, ok=False).exit_code == 2
    assert facts("revert", "fact:acv", "--commit", "nope", "--reason", "r", "--by", AUTHOR,
                 ok=False).exit_code == 2
    assert json.loads(facts("log", "--json").output) == head
    assert first


def test_propose_review_merge(facts: Facts, store_url: str, tmp_path: Path) -> None:
    _load(facts, tmp_path, TWO, "one.yaml")
    facts("propose", "fix-acv")
    branch = Facts(store_url, "fix-acv")
    branch("correct", "fact:acv", "--value", "120", "--reason", "contract says 120", "--by",
           EXPERT)
    main_rows = facts.row("fact:acv")
    assert main_rows["value"] == "100"  # the proposal is not on main yet
    review = json.loads(facts("review", "fix-acv", "--json").output)
    assert [(c["id"], c["fields"]["value"]) for c in review["changes"]] == [
        ("fact:acv", {"from": "100", "to": "120"})]
    out = json.loads(facts("merge", "fix-acv", "--by", AUTHOR, "--json").output)
    assert out["changed"] == ["fact:acv"]
    assert facts.row("fact:acv")["value"] == "120"
    names = {b["name"] for b in json.loads(facts("branches", "--json").output)}
    assert names == {"main", "fix-acv"}


def test_conflicting_merge_lists_rows_and_leaves_main_alone(facts: Facts, store_url: str,
                                                            tmp_path: Path) -> None:
    _load(facts, tmp_path, TWO, "one.yaml")
    facts("propose", "p1")
    Facts(store_url, "p1")("correct", "fact:acv", "--value", "120", "--reason", "b",
                           "--by", EXPERT)
    facts("correct", "fact:acv", "--value", "130", "--reason", "m", "--by", AUTHOR)
    before = (facts("log", "--json").output, facts("list", "facts", "--json").output)
    result = facts("merge", "p1", "--by", AUTHOR, ok=False)
    assert result.exit_code == 5
    assert "conflict facts fact:acv" in result.output
    assert "value=100" in result.output and "value=130" in result.output
    assert "value=120" in result.output
    assert (facts("log", "--json").output, facts("list", "facts", "--json").output) == before
    facts("merge", "p1", "--prefer", "theirs", "--by", AUTHOR)
    assert facts.row("fact:acv")["value"] == "120"


def test_unknown_branch_exits_3(facts: Facts) -> None:
    assert facts("review", "nope", ok=False).exit_code == 3
    assert facts("merge", "nope", "--by", AUTHOR, ok=False).exit_code == 3


def test_push_to_a_file_remote_and_clone_gives_same_log_and_rows(
        facts: Facts, store_url: str, tmp_path: Path) -> None:
    from factstore import clone_store

    _load(facts, tmp_path, TWO, "one.yaml")
    facts("tag", "v1", "--by", AUTHOR)
    remote = f"file://{tmp_path / 'remote'}"
    facts("remote", "add", "origin", remote)
    facts("push")
    if store_url.startswith("mysql://"):
        target = store_url.rsplit("/", 1)[0] + "/" + store_url.rsplit("/", 1)[1] + "_clone"
    else:
        target = str(tmp_path / "elsewhere")
    with clone_store(remote, target) as copy, open_store(store_url) as original:
        assert [c.commit for c in copy.log()] == [c.commit for c in original.log()]
        assert copy.rows("facts") == original.rows("facts")
        assert [t.name for t in copy.tags()] == ["v1"]
    facts("correct", "fact:acv", "--value", "101", "--reason", "r", "--by", AUTHOR)
    facts("push", "origin", "main")
    pulled = Facts(target if target.startswith("mysql://") else
                   str(Path(target) / ".facts" / "facts.db"))
    pulled("pull", "origin", "main", "--by", EXPERT)
    assert pulled.row("fact:acv")["value"] == "101"


def test_push_to_unknown_remote_exits_3(facts: Facts) -> None:
    assert facts("push", "nowhere", ok=False).exit_code == 3


def _proposed(facts: Facts, store_url: str, tmp_path: Path, name: str, value: str,
              reason: str) -> Facts:
    """The store loaded, and a proposal `name` whose one commit, by EXPERT, corrects
    fact:acv; the CLI on that branch."""
    _load(facts, tmp_path, TWO, "one.yaml")
    facts("propose", name)
    branch = Facts(store_url, name)
    branch("correct", "fact:acv", "--value", value, "--reason", reason, "--by", EXPERT)
    return branch


def test_conflict_fixed_on_the_branch_then_re_merged(facts: Facts, store_url: str,
                                                    tmp_path: Path) -> None:
    branch = _proposed(facts, store_url, tmp_path, "p2", "120", "b")
    facts("correct", "fact:acv", "--value", "130", "--reason", "m", "--by", AUTHOR)
    assert facts("merge", "p2", "--by", AUTHOR, ok=False).exit_code == 5
    # the fix, on the branch: take main in, keeping the branch's value for the conflict
    branch("merge", "main", "--prefer", "ours", "--by", EXPERT)
    with open_store(store_url) as store:  # main's commits it took in are not the proposal's
        assert {c.author for c in store.proposal("p2").commits} == {EXPERT}
    facts("merge", "p2", "--by", AUTHOR)
    assert facts.row("fact:acv")["value"] == "120"


def test_nobody_merges_their_own_proposal(facts: Facts, store_url: str, tmp_path: Path
                                          ) -> None:
    _proposed(facts, store_url, tmp_path, "mine", "140", "recount")
    head = json.loads(facts("log", "--json").output)[0]["commit"]
    refused = facts("merge", "mine", "--by", EXPERT.upper(), ok=False)  # same email, any case
    assert refused.exit_code == 4 and "someone else must approve it" in refused.output
    with open_store(store_url) as store, pytest.raises(Refused):  # from Python, the same
        store.merge("mine", author=EXPERT)
    assert json.loads(facts("log", "--json").output)[0]["commit"] == head
    facts("merge", "mine", "--by", AUTHOR)
    assert facts.row("fact:acv")["value"] == "140"
    assert facts("merge", "mine", "--by", AUTHOR, ok=False).exit_code == 4  # nothing left


def test_main_merged_into_a_branch_by_whoever_wrote_main(facts: Facts, store_url: str,
                                                         tmp_path: Path) -> None:
    """Taking main into one's proposal approves nothing: its author may do it."""
    branch = _proposed(facts, store_url, tmp_path, "mine", "140", "recount")
    facts("correct", "fact:seats", "--value", "12", "--reason", "count", "--by", EXPERT)
    branch("merge", "main", "--by", EXPERT)
    assert branch.row("fact:seats")["value"] == "12"
    assert facts("merge", "mine", "--by", EXPERT, ok=False).exit_code == 4


def test_a_commit_message_says_none_for_a_field_cleared_or_restored(facts: Facts) -> None:
    """A correction that drops a quote, and the revert that restores it, say '(none)' in
    the commit message as history and diff do; it said 'None', which a quote can be."""
    facts("import", str(FIXTURES / "northwind.yaml"), "--by", AUTHOR, "-m", "load")
    facts("correct", "fact:acme-corp-acv-fy26q3", "--value", "1300000", "--reason",
          "signed amendment", "--by", EXPERT)
    facts("revert", "fact:acme-corp-acv-fy26q3", "--reason", "amendment not signed",
          "--by", EXPERT)
    revert, correct = json.loads(facts("log", "-n", "2", "--json").output)
    assert "\nquote: ACV 1.2M -> (none)" in correct["message"], correct["message"]
    assert "\nquote: (none) -> ACV 1.2M" in revert["message"], revert["message"]
    assert "None" not in correct["message"] + revert["message"]
