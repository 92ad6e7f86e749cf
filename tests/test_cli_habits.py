"""The CLI behaves as git and dolt users expect: --branch after the command, tag -d and
--force, and shell completion of commands, options, tags and branches."""

from __future__ import annotations

import json
import os
from pathlib import Path

from click.testing import CliRunner

from factstore.cli import cli

from .conftest import AUTHOR, FIXTURES, Facts


def test_branch_after_the_command_writes_to_that_branch(facts: Facts) -> None:
    facts("import", str(FIXTURES / "northwind.yaml"), "--by", AUTHOR)
    facts("propose", "fix-seats")
    facts("correct", "fact:acme-gmbh-seats-fy26q3", "--value", "330", "--reason", "count",
          "--by", AUTHOR, "--branch", "fix-seats")
    on_branch = json.loads(facts("show", "fact:acme-gmbh-seats-fy26q3", "--branch",
                                 "fix-seats", "--json").output)
    on_main = json.loads(facts("show", "fact:acme-gmbh-seats-fy26q3", "--json").output)
    assert on_branch["row"]["value"] == "330" and on_main["row"]["value"] != "330"


def test_every_write_takes_its_reason_as_m_as_import_and_git_do(facts: Facts) -> None:
    """`-m` is the reason of every write that takes one (import's message, git's -m), not
    only --reason: correct, retract, add, config set, revert."""
    facts("import", str(FIXTURES / "northwind.yaml"), "--by", AUTHOR, "-m", "load")
    seats = "fact:acme-gmbh-seats-fy26q3"
    facts("correct", seats, "--value", "330", "-m", "recount", "--by", AUTHOR)
    facts("config", "set", "calendar.fiscal_year_start_month", "3", "-m", "new year",
          "--by", AUTHOR)
    facts("add", "source", "--id", "src:memo", "--title", "Memo", "--kind", "wiki",
          "--authority", "40", "-m", "a memo", "--by", AUTHOR)
    facts("retract", "src:memo", "-m", "wrong memo", "--by", AUTHOR)
    facts("revert", seats, "-m", "recount undone", "--by", AUTHOR)
    log = facts("log", "--json").output
    for reason in ("recount", "new year", "a memo", "wrong memo", "recount undone"):
        assert reason in log, reason
    for command in ("correct", "retract", "revert"):
        assert "-m, --reason" in facts(command, "--help").output


def test_two_different_branches_before_and_after_the_command_are_refused(facts: Facts) -> None:
    facts("propose", "a")
    facts("propose", "b")
    result = Facts(facts.url, "a")("log", "--branch", "b", ok=False)
    assert result.exit_code == 2 and "two branches" in result.output


def test_only_commands_that_use_a_branch_offer_branch() -> None:
    """init, clone, completion and users add read and write no branch of a store: a --branch
    there would be taken and ignored."""
    runner = CliRunner()
    for command in (["init"], ["clone"], ["completion"], ["users", "add"]):
        shown = runner.invoke(cli, [*command, "--help"]).output
        assert "--branch" not in shown, command
        assert runner.invoke(cli, [*command, "--branch", "x"]).exit_code == 2, command
    for command in (["show"], ["correct"], ["import"], ["serve"]):
        assert "--branch" in runner.invoke(cli, [*command, "--help"]).output, command


def test_tag_delete_and_force(facts: Facts) -> None:
    facts("import", str(FIXTURES / "northwind.yaml"), "--by", AUTHOR)
    first = json.loads(facts("tag", "q3-close", "--by", AUTHOR, "--json").output)["commit"]
    facts("import", str(FIXTURES / "northwind-q4.yaml"), "--by", AUTHOR)
    again = facts("tag", "q3-close", "--by", AUTHOR, ok=False)
    assert again.exit_code == 2 and "--force" in again.output
    moved = json.loads(facts("tag", "q3-close", "--force", "--by", AUTHOR, "--json").output)
    assert moved["commit"] != first
    facts("tag", "-d", "q3-close")
    assert json.loads(facts("tags", "--json").output) == []
    assert facts("tag", "-d", "q3-close", ok=False).exit_code == 3


def _complete(url: str, words: list[str]) -> list[str]:
    """What bash completion offers for the last word (click's completion entry point)."""
    env = {"_FACTS_COMPLETE": "bash_complete", "COMP_WORDS": " ".join(["facts", *words]),
           "COMP_CWORD": str(len(words)), "FACTS_URL": url}
    result = CliRunner().invoke(cli, [], prog_name="facts", env=env)
    return [line.split(",", 1)[1] for line in result.output.splitlines() if "," in line]


def test_bash_completion_offers_commands_options_tables_tags_and_branches(facts: Facts) -> None:
    facts("import", str(FIXTURES / "northwind.yaml"), "--by", AUTHOR)
    facts("tag", "FY26-Q3", "--by", AUTHOR)
    facts("propose", "fix-acv")
    assert {"correct", "context", "completion"} <= set(_complete(facts.url, ["co"]))
    assert "--predicate" in _complete(facts.url, ["correct", "ACV", "--pre"])
    assert _complete(facts.url, ["list", "de"]) == ["definitions"]
    assert _complete(facts.url, ["diff", "FY"]) == ["FY26-Q3"]
    assert _complete(facts.url, ["merge", "fix"]) == ["fix-acv"]
    assert _complete(facts.url, ["log", "--branch", "fi"]) == ["fix-acv"]


def test_completion_prints_a_script_for_each_shell(facts: Facts) -> None:
    for shell in ("bash", "zsh", "fish"):
        script = facts("completion", shell).output
        assert "_FACTS_COMPLETE" in script, shell
    assert os.environ.get("_FACTS_COMPLETE") is None


def test_a_reader_that_stops_early_gets_no_error(facts: Facts, tmp_path: Path) -> None:
    """`facts list facts | head -1`: the closed pipe is the reader's choice, not an error."""
    import subprocess
    import sys

    rows = [{"id": f"fact:gauge-{n}", "subject": "gauge", "predicate": f"reading_{n}",
             "value": str(n), "period": "FY26-Q1"} for n in range(1500)]  # > a pipe's buffer
    meter = {"id": "src:meter", "title": "Meter", "kind": "system_of_record", "authority": 50}
    data = {"factstore": 1, "sources": [meter],
            "default_source": "src:meter",
            "entities": [{"id": "gauge", "kind": "device", "name": "Gauge"}], "facts": rows}
    path = tmp_path / "many.json"
    path.write_text(json.dumps(data))
    facts("import", str(path), "-m", "load")
    listing = subprocess.Popen(
        [sys.executable, "-m", "factstore", "--url", facts.url, "list", "facts"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "FACTS_AUTHOR": AUTHOR})
    assert listing.stdout is not None and listing.stderr is not None
    listing.stdout.readline()
    listing.stdout.close()
    err = listing.stderr.read().decode()
    assert listing.wait() == 0, err
    assert err == ""
