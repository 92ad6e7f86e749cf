"""A merge never leaves a changed row with a rev that did not grow, on both backends.

`rev` is each row's compare-and-set counter: it only ever grows on a branch's line and changes
whenever the row changes. A merge whose row is the other side's (a conflict resolved for it)
or a cell-wise mix of both sides must give that row a rev above the receiving branch's, or a
correction `--expect`-ing the old rev would overwrite a row it has not seen.
"""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import AUTHOR, Facts, TWO

EXPERT = "Priya Nair <priya@northwind.test>"


def _revs(facts: Facts) -> dict[str, int]:
    """Every knowledge row's rev, by id."""
    found: dict[str, int] = {}
    for table in ("sources", "entities", "facts"):
        for row in json.loads(facts("list", table, "--json").output):
            found[str(row["id"])] = int(facts.row(str(row["id"]))["rev"])
    return found


def _log_length(facts: Facts) -> int:
    return len(json.loads(facts("log", "--json").output))


def _refused_with_expect(facts: Facts, item: str, rev: int) -> None:
    """A correction expecting the rev the row had before the merge is refused (exit 5)."""
    result = facts("correct", item, "--value", "999", "--reason", "stale read", "--by", EXPERT,
                   "--expect", str(rev), ok=False)
    assert result.exit_code == 5, result.output
    assert f"changed since rev {rev}" in result.output


def _load(facts: Facts, tmp_path: Path, text: str = TWO) -> Path:
    path = tmp_path / "crm.yaml"
    path.write_text(text, encoding="utf-8")
    facts("import", str(path), "--by", AUTHOR, "-m", "load")
    return path


def test_import_prefer_file_gives_the_files_row_a_rev_above_the_stores(
        facts: Facts, tmp_path: Path) -> None:
    path = _load(facts, tmp_path)
    facts("correct", "fact:acv", "--value", "125", "--reason", "recount", "--by", EXPERT,
          "--expect", "1")
    assert facts.row("fact:acv")["rev"] == 2
    others = {k: v for k, v in _revs(facts).items() if k != "fact:acv"}
    path.write_text(TWO.replace("value: 100", "value: 130"), encoding="utf-8")
    assert facts("import", str(path), "--by", AUTHOR, ok=False).exit_code == 5
    length = _log_length(facts)
    facts("import", str(path), "--by", AUTHOR, "--prefer", "file")
    assert _log_length(facts) == length + 1  # still one commit
    row = facts.row("fact:acv")
    assert (row["value"], row["rev"]) == ("130", 3)
    _refused_with_expect(facts, "fact:acv", 2)
    assert {k: v for k, v in _revs(facts).items() if k != "fact:acv"} == others
    facts("correct", "fact:acv", "--value", "131", "--reason", "fresh read", "--by", EXPERT,
          "--expect", "3")


def test_import_prefer_store_leaves_the_stores_row_and_rev(facts: Facts, tmp_path: Path
                                                           ) -> None:
    path = _load(facts, tmp_path)
    facts("correct", "fact:acv", "--value", "125", "--reason", "recount", "--by", EXPERT)
    path.write_text(TWO.replace("value: 100", "value: 130").replace("value: 10,", "value: 11,"),
                    encoding="utf-8")
    facts("import", str(path), "--by", AUTHOR, "--prefer", "store")
    acv, seats = facts.row("fact:acv"), facts.row("fact:seats")
    assert (acv["value"], acv["rev"]) == ("125", 2)
    assert (seats["value"], seats["rev"]) == ("11", 2)  # only the file changed it: its rev


def test_merge_prefer_theirs_gives_the_branchs_row_a_rev_above_mains(
        facts: Facts, store_url: str, tmp_path: Path) -> None:
    _load(facts, tmp_path)
    facts("propose", "fix")
    branch = Facts(store_url, "fix")
    branch("correct", "fact:acv", "--value", "120", "--reason", "contract", "--by", EXPERT)
    facts("correct", "fact:acv", "--value", "130", "--reason", "recount", "--by", AUTHOR)
    others = {k: v for k, v in _revs(facts).items() if k != "fact:acv"}
    assert facts("merge", "fix", "--by", AUTHOR, ok=False).exit_code == 5
    length = _log_length(facts)
    facts("merge", "fix", "--prefer", "theirs", "--by", AUTHOR)
    assert _log_length(facts) == length + 1
    row = facts.row("fact:acv")
    assert (row["value"], row["rev"]) == ("120", 3)
    _refused_with_expect(facts, "fact:acv", 2)
    assert {k: v for k, v in _revs(facts).items() if k != "fact:acv"} == others


def test_merge_prefer_theirs_keeps_a_branch_rev_that_is_already_higher(
        facts: Facts, store_url: str, tmp_path: Path) -> None:
    _load(facts, tmp_path)
    facts("propose", "fix")
    branch = Facts(store_url, "fix")
    branch("correct", "fact:acv", "--value", "120", "--reason", "contract", "--by", EXPERT)
    branch("correct", "fact:acv", "--value", "121", "--reason", "addendum", "--by", EXPERT)
    facts("correct", "fact:acv", "--value", "130", "--reason", "recount", "--by", AUTHOR)
    facts("merge", "fix", "--prefer", "theirs", "--by", AUTHOR)
    row = facts.row("fact:acv")
    assert (row["value"], row["rev"]) == ("121", 3)  # above main's 2 already: kept
    _refused_with_expect(facts, "fact:acv", 2)


def test_a_cell_wise_merge_of_two_sides_at_the_same_rev_raises_it(
        facts: Facts, store_url: str, tmp_path: Path) -> None:
    """main changed the value (rev 1 -> 2), the branch the quote (rev 1 -> 2), by the same
    author for the same reason: Dolt merges the cells cleanly into a row neither side had."""
    _load(facts, tmp_path)
    facts("propose", "quote")
    branch = Facts(store_url, "quote")
    branch("correct", "fact:acv", "--value", "100", "--quote", "CRM: ACV 100", "--reason",
           "Q3 audit", "--by", AUTHOR)
    branch("correct", "fact:seats", "--value", "12", "--reason", "Q3 audit", "--by", AUTHOR)
    branch("correct", "fact:seats", "--value", "14", "--reason", "Q3 audit", "--by", AUTHOR)
    facts("correct", "fact:acv", "--value", "130", "--reason", "Q3 audit", "--by", AUTHOR)
    before = _revs(facts)
    length = _log_length(facts)
    out = json.loads(facts("merge", "quote", "--by", EXPERT, "--json").output)
    assert sorted(out["changed"]) == ["fact:acv", "fact:seats"]
    assert _log_length(facts) == length + 1
    row = facts.row("fact:acv")
    assert (row["value"], row["quote"], row["rev"]) == ("130", "CRM: ACV 100", 3)
    _refused_with_expect(facts, "fact:acv", 2)
    seats = facts.row("fact:seats")
    assert (seats["value"], seats["rev"]) == ("14", 3)  # only the branch changed it: its rev
    after = _revs(facts)
    assert {k: v for k, v in after.items() if k not in ("fact:acv", "fact:seats")} == {
        k: v for k, v in before.items() if k not in ("fact:acv", "fact:seats")}


def test_a_fast_forward_merge_keeps_the_branchs_revs(facts: Facts, store_url: str,
                                                    tmp_path: Path) -> None:
    _load(facts, tmp_path)
    facts("propose", "ff")
    Facts(store_url, "ff")("correct", "fact:acv", "--value", "120", "--reason", "contract",
                           "--by", EXPERT)
    facts("merge", "ff", "--by", AUTHOR)
    assert facts.row("fact:acv")["rev"] == 2
    assert facts.row("fact:seats")["rev"] == 1


def _clone(facts: Facts, store_url: str, tmp_path: Path) -> Facts:
    """A clone of the store through a file remote `origin`, as another user's copy."""
    from factstore import clone_store

    remote = f"file://{tmp_path / 'remote'}"
    facts("remote", "add", "origin", remote)
    facts("push")
    if store_url.startswith("mysql://"):
        target = f"{store_url}_copy"
        clone_store(remote, target).close()
        return Facts(target)
    clone_store(remote, str(tmp_path / "copy")).close()
    return Facts(str(tmp_path / "copy" / ".facts" / "facts.db"))


def test_a_pull_that_merges_cells_of_both_sides_raises_the_rev(
        facts: Facts, store_url: str, tmp_path: Path) -> None:
    _load(facts, tmp_path)
    other = _clone(facts, store_url, tmp_path)
    other("correct", "fact:acv", "--value", "100", "--quote", "CRM: ACV 100", "--reason",
          "Q3 audit", "--by", AUTHOR)
    other("push", "origin", "main")
    facts("correct", "fact:acv", "--value", "130", "--reason", "Q3 audit", "--by", AUTHOR)
    before = _revs(facts)
    facts("pull", "origin", "main", "--by", AUTHOR)
    row = facts.row("fact:acv")
    assert (row["value"], row["quote"], row["rev"]) == ("130", "CRM: ACV 100", 3)
    _refused_with_expect(facts, "fact:acv", 2)
    assert {k: v for k, v in _revs(facts).items() if k != "fact:acv"} == {
        k: v for k, v in before.items() if k != "fact:acv"}


def test_a_pull_that_conflicts_merges_nothing(facts: Facts, store_url: str, tmp_path: Path
                                              ) -> None:
    _load(facts, tmp_path)
    other = _clone(facts, store_url, tmp_path)
    other("correct", "fact:acv", "--value", "120", "--reason", "contract", "--by", EXPERT)
    other("push", "origin", "main")
    facts("correct", "fact:acv", "--value", "130", "--reason", "recount", "--by", AUTHOR)
    log = facts("log", "--json").output
    result = facts("pull", "origin", "main", "--by", AUTHOR, ok=False)
    assert result.exit_code == 5, result.output
    assert "conflicts on 1 row(s): fact:acv" in result.output
    assert facts("log", "--json").output == log
    assert facts.row("fact:acv")["value"] == "130"
    facts("correct", "fact:acv", "--value", "131", "--reason", "still writable", "--by", AUTHOR)


def test_a_pull_of_the_same_correction_merges_and_prefer_settles_a_real_conflict(
        facts: Facts, store_url: str, tmp_path: Path) -> None:
    """Two copies that corrected a row to the same value pull each other without a conflict
    (the puller's row is kept, with who made it); two different values conflict until
    --prefer says which side wins; the pull's merge commit is by whoever pulled."""
    _load(facts, tmp_path)
    other = _clone(facts, store_url, tmp_path)
    other("correct", "fact:acv", "--value", "120", "--reason", "contract", "--by", EXPERT)
    other("push", "origin", "main")
    facts("correct", "fact:acv", "--value", "120", "--reason", "same contract", "--by", AUTHOR)
    facts("pull", "origin", "main", "--by", AUTHOR)
    row = facts.row("fact:acv")
    assert (row["value"], row["recorded_by"], row["reason"]) == ("120", AUTHOR, "same contract")
    assert json.loads(facts("log", "--json").output)[0]["author"] == AUTHOR
    facts("push", "origin", "main")
    other("pull", "origin", "main", "--by", EXPERT)  # both now say 120: nothing to settle
    other("correct", "fact:acv", "--value", "140", "--reason", "upsell", "--by", EXPERT)
    other("push", "origin", "main")
    facts("correct", "fact:acv", "--value", "135", "--reason", "recount", "--by", AUTHOR)
    result = facts("pull", "origin", "main", "--by", AUTHOR, ok=False)
    assert result.exit_code == 5 and "--prefer theirs" in result.output
    facts("pull", "origin", "main", "--by", AUTHOR, "--prefer", "theirs")
    assert facts.row("fact:acv")["value"] == "140"
