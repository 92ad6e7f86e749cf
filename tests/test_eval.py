"""`facts eval`: the golden set passes on the fixtures, and a set with wrong expectations is
caught check by check, with exact metrics — on both backends."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from factstore import FactStore
from factstore.errors import InvalidInput
from factstore.evaluate import evaluate, load_golden

from .conftest import FIXTURES, Facts

WRONG = """
cases:
  - question: What was Acme GmbH's ACV in FY26-Q3?
    must: ['fact:acme-gmbh-acv-fy26q3', 'fact:acme-gmbh-acv-fy26q2']   # q2: not in the pack
    must_not: ['def:acv@sales']                                          # it is
    status: {'fact:acme-gmbh-acv-fy26q3': superseded}                    # it is current
    first: 'def:acv@finance'
    entities: [acme-corp]
  - question: What is Veridian Pharma's ACV for FY26-Q3?
    must: ['fact:veridian-pharma-acv-fy26q3-contract']
  - question: What was Acme's ACV in FY26-Q3 in Lisbon?
    ambiguous: {Acme: [acme-corp]}                                       # two candidates
    unknown: [Lisbon]
    missing: ['no fact for churn']                                       # says nothing
"""


def _golden(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "golden.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_fixture_golden_set_passes(northwind: FactStore) -> None:
    report = evaluate(northwind.context, load_golden(FIXTURES / "golden.yaml"))
    assert [r.problems for r in report.cases if not r.ok] == []
    m = report.metrics
    assert (m.passed, m.recall, m.precision, m.wrong_current_rate, m.abstention_accuracy) == (
        m.cases, 1.0, 1.0, 0.0, 1.0)
    assert northwind.packs() == []  # evaluation builds packs without logging them


def test_wrong_expectations_are_each_caught(northwind: FactStore, tmp_path: Path) -> None:
    report = evaluate(northwind.context, load_golden(_golden(tmp_path, WRONG)))
    first, second, third = report.cases
    assert first.problems == [
        "missing fact:acme-gmbh-acv-fy26q2",
        "must not contain def:acv@sales (shown as current)",
        "fact:acme-gmbh-acv-fy26q3 is current, expected superseded",
        "[1] is fact:acme-gmbh-acv-fy26q3, expected def:acv@finance",
        "resolved ['acme-gmbh'], expected ['acme-corp']",
    ]
    assert second.ok and second.version == northwind.head()
    assert third.problems == ["'Acme' should be ambiguous between ['acme-corp'], got "
                              "ambiguous ['acme-corp', 'acme-gmbh']",
                              "should say not found: 'no fact for churn', says nothing"]
    m = report.metrics
    assert (m.cases, m.passed) == (3, 1)
    assert m.recall == round(2 / 3, 4)  # found 2 of the 3 must ids
    assert m.precision == round(2 / 3, 4)  # judged shown: two must ids and def:acv@sales
    assert m.wrong_current_rate == round(1 / 3, 4)  # case 1 shows as current what it says isn't
    assert m.abstention_accuracy == round(1 / 3, 4)  # Lisbon listed unknown: yes; Acme's
    #                                                    candidates and the churn note: no


def test_a_case_the_store_cannot_run_stops_the_run(northwind: FactStore, tmp_path: Path
                                                   ) -> None:
    for option, words in [("scope: marketing", "cases[0]: scope: 'marketing' is not"),
                          ("as_of: no-such-tag", "cases[0]: unknown ref 'no-such-tag'")]:
        path = _golden(tmp_path, f"cases:\n  - {{question: What is ACV?, {option}}}\n")
        with pytest.raises(InvalidInput, match=re.escape(words)):
            evaluate(northwind.context, load_golden(path))


def test_cli_strict_json_and_bad_files(northwind: FactStore, tmp_path: Path) -> None:
    cli = Facts(northwind.url)
    ok = cli("eval", str(FIXTURES / "golden.yaml"), "--strict")
    assert "cases passed; recall 100.0%" in ok.output
    wrong = cli("eval", str(_golden(tmp_path, WRONG)), "--strict", ok=False)
    assert wrong.exit_code == 1 and "FAIL #0" in wrong.output
    data = json.loads(cli("eval", str(_golden(tmp_path, WRONG)), "--json").output)
    assert data["metrics"]["passed"] == 1 and len(data["cases"]) == 3
    for text, words in [
        ("cases:\n  - {question: Hi, colour: red}\n", "cases[0]: colour: unknown field"),
        ("cases: []\n", "cases: List should have at least 1 item"),
        ("cases:\n  - {question: Hi, max_tokens: 0}\n", "cases[0]: max_tokens"),
        ("nothing: here\n", "cases: required field is missing"),
        ("cases: [\n", "malformed YAML"),
        ("cases:\n  - {question: Hi, valid_at: 2025-02-30}\n",
         "cases[0]: valid_at: '2025-02-30' is not a real day"),
        ("cases:\n  - {question: Hi, status: {'fact:a-b': bogus}}\n",
         "cases[0]: status.fact:a-b: Input should be"),
        ("cases:\n  - {question: Hi, unknown: [Lisbon]}\n",
         "cases[0]: 'Lisbon' is not in the question"),
        ("cases:\n  - {question: Hi, must: ['x'], must_not: ['x']}\n",
         "cases[0]: x is in both must and must_not"),
    ]:
        bad = cli("eval", str(_golden(tmp_path, text)), ok=False)
        assert bad.exit_code == 2 and words in bad.output, bad.output
    with pytest.raises(InvalidInput, match="no such file"):
        load_golden(tmp_path / "missing.yaml")
