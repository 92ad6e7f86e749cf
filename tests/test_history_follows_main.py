"""Issue #11 on both backends: history, log and blame follow the current branch's first-parent
line (what main itself went through, each merge standing for what it brought in); render-log
commits are never versions of a row; diffs show what changed and every commit that changed it;
export carries who recorded each row and why."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from .conftest import AUTHOR, Facts, TWO

EXPERT = "Priya Nair <priya@northwind.test>"
BO = "Bo Lind <bo@northwind.test>"


def _load(facts: Facts, tmp_path: Path, text: str = TWO, name: str = "two.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(json.loads(facts("import", str(path), "--by", AUTHOR, "-m", "load",
                                "--json").output)["commit"])


def _json(facts: Facts, *args: str) -> object:
    return json.loads(facts(*args, "--json").output)


def _head(facts: Facts) -> str:
    return str(_json(facts, "log", "-n", "1")[0]["commit"])  # type: ignore[index]


def _discarded_branch(facts: Facts, store_url: str, tmp_path: Path) -> dict[str, str]:
    """acv: 100 on main; 120 on branch b (by BO); a pack is built on main (the render log);
    main corrects acv to 130; b is merged with --prefer ours, so 120 never reaches main."""
    _load(facts, tmp_path)
    facts("propose", "b")
    branch = Facts(store_url, "b")
    branch("correct", "fact:acv", "--value", "120", "--reason", "branch says 120", "--by", BO)
    facts("context", "What was Acme's acv in FY26-Q3?")
    facts("correct", "fact:acv", "--value", "130", "--reason", "main says 130", "--by", EXPERT)
    main_fix = _head(facts)
    merged = _json(facts, "merge", "b", "--prefer", "ours", "--by", AUTHOR)
    return {"main_fix": main_fix, "merge": merged["commit"],  # type: ignore[index]
            "merge_changed": merged["changed"],  # type: ignore[index]
            "branch_fix": _json(Facts(store_url, "b"), "log", "-n", "1")[0]["commit"]}  # type: ignore[index]


def _merged_branch(facts: Facts, store_url: str, tmp_path: Path) -> dict[str, str]:
    """acv: 100 on main, 120 on branch b (by BO); main changes seats; b merges cleanly."""
    _load(facts, tmp_path)
    facts("propose", "b")
    Facts(store_url, "b")("correct", "fact:acv", "--value", "120", "--reason",
                          "contract says 120", "--by", BO)
    facts("correct", "fact:seats", "--value", "11", "--reason", "one more seat", "--by",
          EXPERT)
    merged = _json(facts, "merge", "b", "--by", AUTHOR)
    return {"merge": merged["commit"], "merge_changed": merged["changed"]}  # type: ignore[index]


# --- 1. history, log and blame follow main ------------------------------------------------


def test_history_on_main_leaves_out_values_only_a_discarded_branch_had(
        facts: Facts, store_url: str, tmp_path: Path) -> None:
    seen = _discarded_branch(facts, store_url, tmp_path)
    versions = _json(facts, "history", "fact:acv")["versions"]  # type: ignore[index]
    assert [v["row"]["value"] for v in versions] == ["130", "100"]
    assert [v["author"] for v in versions] == [EXPERT, AUTHOR]
    assert seen["branch_fix"] not in {v["commit"] for v in versions}


def test_render_log_commits_are_never_versions_of_a_row(facts: Facts, store_url: str,
                                                       tmp_path: Path) -> None:
    _discarded_branch(facts, store_url, tmp_path)
    for name in ("fact:acv", "fact:seats"):
        versions = _json(facts, "history", name)["versions"]  # type: ignore[index]
        assert all("rendered context packs" not in v["message"] for v in versions), name
    assert len(_json(facts, "history", "fact:seats")["versions"]) == 1  # type: ignore[index]


def test_log_follows_main_and_shows_the_render_log_only_with_all(
        facts: Facts, store_url: str, tmp_path: Path) -> None:
    seen = _discarded_branch(facts, store_url, tmp_path)
    log = _json(facts, "log")
    commits = [c["commit"] for c in log]  # type: ignore[union-attr]
    assert commits[:2] == [seen["merge"], seen["main_fix"]]
    assert seen["branch_fix"] not in commits
    assert all("rendered context packs" not in c["message"] for c in log)  # type: ignore[union-attr]
    everything = _json(facts, "log", "--all")
    messages = [c["message"] for c in everything]  # type: ignore[union-attr]
    assert any(m.startswith("Record rendered context packs") for m in messages)
    assert seen["branch_fix"] in {c["commit"] for c in everything}  # type: ignore[union-attr]
    assert "--all" in facts("log", "--help").output


def test_merge_that_brought_a_row_is_one_version_by_the_merge_with_its_recorded_by(
        facts: Facts, store_url: str, tmp_path: Path) -> None:
    seen = _merged_branch(facts, store_url, tmp_path)
    versions = _json(facts, "history", "fact:acv")["versions"]  # type: ignore[index]
    assert [v["row"]["value"] for v in versions] == ["120", "100"]
    top = versions[0]
    assert top["commit"] == seen["merge"] and top["author"] == AUTHOR
    assert top["recorded_by"] == BO and top["reason"] == "contract says 120"
    text = facts("history", "fact:acv").output
    assert f"recorded by {BO}" in text


def test_blame_names_the_commit_that_last_changed_the_values_not_a_merge(
        facts: Facts, store_url: str, tmp_path: Path) -> None:
    seen = _discarded_branch(facts, store_url, tmp_path)
    one = _json(facts, "blame", "fact:acv")
    assert [(b["commit"], b["author"]) for b in one] == [  # type: ignore[union-attr]
        (seen["main_fix"], EXPERT)]
    table = {b["id"]: b for b in _json(facts, "blame", "facts")}  # type: ignore[union-attr]
    assert table["fact:acv"]["commit"] == seen["main_fix"]
    assert table["fact:seats"]["message"].startswith("Import two.yaml")
    shown = _json(facts, "show", "fact:acv")["last_change"]  # type: ignore[index]
    assert shown["commit"] == seen["main_fix"]


def test_blame_of_a_merged_change_names_the_merge_and_who_recorded_it(
        facts: Facts, store_url: str, tmp_path: Path) -> None:
    seen = _merged_branch(facts, store_url, tmp_path)
    for lines in (_json(facts, "blame", "fact:acv"), _json(facts, "blame", "facts")):
        acv = next(b for b in lines if b["id"] == "fact:acv")  # type: ignore[union-attr]
        assert (acv["commit"], acv["author"], acv["recorded_by"]) == (seen["merge"], AUTHOR,
                                                                      BO)
    seats = next(b for b in _json(facts, "blame", "facts")  # type: ignore[union-attr]
                 if b["id"] == "fact:seats")
    assert seats["author"] == EXPERT and seats["commit"] != seen["merge"]


def test_merge_reports_only_rows_whose_values_changed(facts: Facts, store_url: str,
                                                      tmp_path: Path) -> None:
    assert _discarded_branch(facts, store_url, tmp_path)["merge_changed"] == []


def test_merge_reports_the_rows_the_branch_brought(facts: Facts, store_url: str,
                                                   tmp_path: Path) -> None:
    assert _merged_branch(facts, store_url, tmp_path)["merge_changed"] == ["fact:acv"]


def test_log_of_one_row_lists_the_commits_of_its_versions_on_main(
        facts: Facts, store_url: str, tmp_path: Path) -> None:
    seen = _merged_branch(facts, store_url, tmp_path)
    touching = _json(facts, "log", "--id", "fact:acv")
    assert len(touching) == 2  # type: ignore[arg-type]
    assert touching[0]["commit"] == seen["merge"]  # type: ignore[index]


# --- 2. diffs show what changed, and every commit that changed it -------------------------

LONG = ("Customers with at least one paid, active subscription in the trailing 12 months, "
        "counted at quarter end, excluding {} accounts and internal test tenants")


def test_text_diff_shows_the_part_of_long_values_that_differs(facts: Facts,
                                                             tmp_path: Path) -> None:
    facts("add", "definition", "--term", "active customers", "--scope", "finance", "--text",
          LONG.format("trial"), "--by", AUTHOR)
    facts("tag", "before", "--by", AUTHOR)
    facts("correct", "active customers", "--def", LONG.format("pilot"), "--reason",
          "pilots are not customers", "--by", EXPERT)
    for text in (facts("diff", "before").output,
                 facts("history", "def:active-customers@finance").output):
        assert "trial accounts" in text and "pilot accounts" in text, text


def test_review_shows_the_part_of_long_values_that_differs(facts: Facts, store_url: str,
                                                          tmp_path: Path) -> None:
    facts("add", "definition", "--term", "active customers", "--scope", "finance", "--text",
          LONG.format("trial"), "--by", AUTHOR)
    facts("propose", "p")
    Facts(store_url, "p")("correct", "active customers", "--def", LONG.format("pilot"),
                          "--reason", "r", "--by", EXPERT)
    text = facts("review", "p").output
    assert "trial accounts" in text and "pilot accounts" in text, text


def test_diff_across_commits_names_every_commit_author_and_reason(facts: Facts,
                                                                 tmp_path: Path) -> None:
    _load(facts, tmp_path)
    facts("tag", "start", "--by", AUTHOR)
    facts("correct", "fact:acv", "--value", "110", "--reason", "first fix", "--by", BO)
    first = _head(facts)
    facts("correct", "fact:seats", "--value", "12", "--reason", "seats", "--by", BO)
    facts("correct", "fact:acv", "--value", "120", "--reason", "second fix", "--by", EXPERT)
    second = _head(facts)
    diff = _json(facts, "diff", "start")
    acv = next(c for c in diff["changes"] if c["id"] == "fact:acv")  # type: ignore[index]
    assert (acv["by"], acv["reason"]) == (EXPERT, "second fix")  # the newest, as before
    assert [(c["commit"], c["author"], c["reason"]) for c in acv["commits"]] == [
        (second, EXPERT, "second fix"), (first, BO, "first fix")]
    assert set(acv["commits"][0]) >= {"commit", "author", "date", "reason"}
    text = facts("diff", "start").output
    for commit, reason in ((first, "first fix"), (second, "second fix")):
        assert commit[:12] in text and reason in text


def test_a_diff_to_an_older_ref_names_no_commits(facts: Facts, tmp_path: Path) -> None:
    _load(facts, tmp_path)
    facts("tag", "start", "--by", AUTHOR)
    facts("correct", "fact:acv", "--value", "110", "--reason", "fix", "--by", BO)
    back = _json(facts, "diff", "HEAD", "start")
    assert [(c["id"], c["commits"]) for c in back["changes"]] == [  # type: ignore[index]
        ("fact:acv", [])]


def test_review_names_the_branch_commits_that_made_each_change(facts: Facts, store_url: str,
                                                              tmp_path: Path) -> None:
    _load(facts, tmp_path)
    facts("propose", "p")
    branch = Facts(store_url, "p")
    branch("correct", "fact:acv", "--value", "110", "--reason", "first", "--by", BO)
    branch("correct", "fact:acv", "--value", "120", "--reason", "second", "--by", EXPERT)
    facts("correct", "fact:seats", "--value", "11", "--reason", "main only", "--by", AUTHOR)
    review = _json(facts, "review", "p")
    (acv,) = review["changes"]  # type: ignore[index]
    assert [(c["author"], c["reason"]) for c in acv["commits"]] == [(EXPERT, "second"),
                                                                    (BO, "first")]


def test_diff_commit_list_of_a_merged_row_names_the_merge(facts: Facts, store_url: str,
                                                         tmp_path: Path) -> None:
    seen = _merged_branch(facts, store_url, tmp_path)
    diff = _json(facts, "diff", "HEAD~1", "HEAD")
    assert [c["id"] for c in diff["changes"]] == ["fact:acv"]  # type: ignore[index]
    (entry,) = diff["changes"][0]["commits"]  # type: ignore[index]
    assert (entry["commit"], entry["author"], entry["recorded_by"]) == (seen["merge"], AUTHOR,
                                                                        BO)


# --- 3. export carries provenance ----------------------------------------------------------


def test_export_carries_who_recorded_each_row_and_why(facts: Facts, tmp_path: Path) -> None:
    _load(facts, tmp_path)
    facts("correct", "fact:acv", "--value", "110", "--reason", "signed amendment", "--by", BO)
    doc = yaml.safe_load(facts("export").output)
    rows = [r for section in ("sources", "entities", "facts") for r in doc[section]]
    assert rows and all(r["recorded_by"] for r in rows)
    acv = next(f for f in doc["facts"] if f["id"] == "fact:acv")
    assert (acv["recorded_by"], acv["reason"]) == (BO, "signed amendment")
    seats = next(f for f in doc["facts"] if f["id"] == "fact:seats")
    assert (seats["recorded_by"], seats["reason"]) == (AUTHOR, "load")
    line = next(json.loads(x) for x in facts("export", "--format", "jsonl").output.splitlines()
                if '"fact:acv"' in x and x.startswith("{"))
    assert (line["recorded_by"], line["reason"]) == (BO, "signed amendment")


def test_a_normal_import_ignores_recorded_by_and_reason_in_records(facts: Facts,
                                                                   tmp_path: Path) -> None:
    text = TWO.replace("source: src:crm}\n  - {id: fact:seats",
                       "source: src:crm,\n     recorded_by: 'Someone Else <se@x.test>', "
                       "reason: 'from elsewhere'}\n  - {id: fact:seats")
    assert "recorded_by" in text
    _load(facts, tmp_path, text)
    row = _json(facts, "show", "fact:acv")["row"]  # type: ignore[index]
    assert (row["recorded_by"], row["reason"]) == (AUTHOR, "load")


def test_recorded_by_in_a_record_must_name_an_author(facts: Facts, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(TWO.replace("authority: 90}", "authority: 90, recorded_by: nobody}"),
                    encoding="utf-8")
    bad = facts("import", str(path), "--by", AUTHOR, ok=False)
    assert bad.exit_code == 2 and "recorded_by" in bad.output
