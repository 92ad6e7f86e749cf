"""The Northwind fixtures load, and the README's demo story holds on both backends."""

from __future__ import annotations

import json

from .conftest import AUTHOR, FIXTURES, Facts

EXPERT = "Priya Nair <priya@northwind.test>"


def test_readme_demo_ends_with_the_correction_on_top_of_the_log(facts: Facts) -> None:
    facts("import", str(FIXTURES / "northwind.yaml"), "--by", AUTHOR, "-m", "FY26-Q3 load")
    new_text = "Annualised value of recurring contract revenue, excl. one-off fees"
    out = facts("correct", "ACV", "--scope", "finance", "--def", new_text, "--reason",
                "Finance reclassified services", "--source", "src:finance-glossary-v3",
                "--by", EXPERT, "--json")
    commit = json.loads(out.output)["commit"]
    shown = json.loads(facts("show", "def:acv@finance", "--json").output)
    assert shown["row"]["text"] == new_text
    assert shown["last_change"] == {**shown["last_change"], "commit": commit, "author": EXPERT}
    top = json.loads(facts("log", "-n", "1", "--json").output)[0]
    assert (top["commit"], top["author"]) == (commit, EXPERT)


def test_fixtures_are_big_enough_for_the_stories_built_on_them(facts: Facts) -> None:
    facts("import", str(FIXTURES / "northwind.yaml"), "--by", AUTHOR)
    count = {t: len(json.loads(facts("list", t, "--json").output))
             for t in ("entities", "definitions", "facts", "sources", "rules")}
    assert count["entities"] >= 30 and count["definitions"] >= 10 and count["facts"] >= 100
    assert count["sources"] >= 5 and count["rules"] >= 4
    acme = facts("show", "Acme", ok=False)
    assert acme.exit_code == 2 and "acme-corp" in acme.output and "acme-gmbh" in acme.output


def test_next_quarter_file_applies_on_top_and_reimport_is_a_no_op(facts: Facts) -> None:
    facts("import", str(FIXTURES / "northwind.yaml"), "--by", AUTHOR)
    q4 = facts("import", str(FIXTURES / "northwind-q4.yaml"), "--by", AUTHOR, "--json")
    changed = json.loads(q4.output)["changed"]
    assert "fact:acme-corp-acv-fy26q4" in changed
    assert "def:active-customer@sales" in changed
    again = facts("import", str(FIXTURES / "northwind-q4.yaml"), "--by", AUTHOR, "--json")
    assert json.loads(again.output) == {"commit": None, "changed": []}
    retracted = json.loads(facts("show", "fact:halcyon-media-churn-risk-fy26q3", "--json").output)
    assert retracted["row"]["status"] == "retracted"
