"""A correction's fields are checked without pydantic (factstore.checks); these hold those
checks to the input models' verdicts on the same values, and a refused correction writes
nothing."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from factstore import FactStore, checks, models
from factstore.errors import InvalidInput
from factstore.text import LARGEST, MAX_TEXT_BYTES, Number

from .conftest import AUTHOR, TWO, Facts

TEXTS = ["ok", "", " ", "\t\n", "\u3000", "\x1c", "a\x00b", "\x00", "é" * (MAX_TEXT_BYTES // 2),
         "é" * (MAX_TEXT_BYTES // 2 + 1), "x" * MAX_TEXT_BYTES, "x" * (MAX_TEXT_BYTES + 1),
         "\u200b", "line\n", "a\udcffb", "\ud800", "x" * MAX_TEXT_BYTES + "\udfff"]
SOURCES = ["src:crm", "src:a/b-c.d", "src:", "src:a b", "crm", "src:é", "src:a\n",
           "src:" + "x" * 196, "src:" + "x" * 197, 7]
VALUES: list[Any] = [*TEXTS, 0, -1, True, False, 1.5, float("inf"), float("nan"), LARGEST,
                     LARGEST + 1, -LARGEST - 1, 2 ** 1024, -(2 ** 1024), Number("1.50"), None, [1]]


def _model_says(build: Any) -> bool:
    try:
        build()
    except ValidationError:
        return False
    return True


def _check_says(check: Any) -> bool:
    try:
        check()
    except InvalidInput:
        return False
    return True


def test_the_patterns_are_the_models() -> None:
    """The models take their patterns from checks: one definition of each."""
    hints = {name: repr(hint) for name, hint in (
        ("Text", models.Text), ("OptText", models.OptText), ("SourceId", models.SourceId))}
    assert checks.NONEMPTY_TEXT.replace("\\", "\\\\") in hints["Text"]
    assert checks.TEXT_CHARS.replace("\\", "\\\\") in hints["OptText"]
    assert checks.SOURCE_ID in hints["SourceId"]
    assert f"max_length={checks.ID_MAX}" in hints["SourceId"]


@pytest.mark.parametrize("text", TEXTS)
def test_a_definition_text_is_refused_as_the_model_refuses_it(text: str) -> None:
    assert _check_says(lambda: checks.check_text("text", text, required=True)) == \
        _model_says(lambda: models.Definition(term="x", text=text))


@pytest.mark.parametrize("text", TEXTS)
def test_a_quote_is_refused_as_the_model_refuses_it(text: str) -> None:
    assert _check_says(lambda: checks.check_text("quote", text, required=False)) == \
        _model_says(lambda: models.Fact(subject="a", predicate="p", value=1, quote=text))


@pytest.mark.parametrize("source", SOURCES)
def test_a_source_id_is_refused_as_the_model_refuses_it(source: Any) -> None:
    assert _check_says(lambda: checks.check_source_id("source", source)) == \
        _model_says(lambda: models.Fact(subject="a", predicate="p", value=1, source=source))


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_a_fact_value_is_refused_as_the_model_refuses_it(value: Any) -> None:
    assert _check_says(lambda: checks.check_fact_value(value)) == \
        _model_says(lambda: models.Fact(subject="a", predicate="p", value=value))
    if _check_says(lambda: checks.check_fact_value(value)):  # and stored as the same text
        fact = models.Fact(subject="a", predicate="p", value=value)
        assert checks.value_text(checks.check_fact_value(value)) == \
            checks.value_text(fact.value)


def test_a_correction_refuses_a_bad_source_quote_or_text_naming_the_field(
        store: FactStore, tmp_path: Any) -> None:
    path = tmp_path / "two.yaml"
    path.write_text(TWO + "definitions: [{term: ACV, scope: finance, text: Annual value}]\n",
                    encoding="utf-8")
    store.import_file(path, author=AUTHOR)
    head = store.head()
    with pytest.raises(InvalidInput, match=r"^source: "):
        store.correct_fact("fact:acv", "1", source="crm", author=AUTHOR, reason="r")
    with pytest.raises(InvalidInput, match=r"^quote: "):
        store.correct_fact("fact:acv", "1", quote="a\x00b", author=AUTHOR, reason="r")
    with pytest.raises(InvalidInput, match=r"^text: "):
        store.correct_definition("ACV", " ", author=AUTHOR, reason="r")
    with pytest.raises(InvalidInput, match=r"^text: not valid UTF-8"):  # bytes that were not
        store.correct_definition("ACV", "a\udcffb", author=AUTHOR, reason="r")
    with pytest.raises(InvalidInput, match=r"^reason: not valid UTF-8"):
        store.correct_fact("fact:acv", "1", author=AUTHOR, reason="r\udcff")
    assert store.head() == head


def test_an_argument_that_is_not_utf8_is_refused_naming_it(facts: Facts, tmp_path: Any) -> None:
    """Bytes that are not UTF-8 on the command line (a Latin-1 terminal, a bad paste) are one
    line naming the argument and exit 2 before anything is opened, not a traceback."""
    import os
    import subprocess
    import sys

    path = tmp_path / "two.yaml"
    path.write_text(TWO + "definitions: [{term: ACV, scope: finance, text: Annual value}]\n",
                    encoding="utf-8")
    facts("import", str(path))
    head = facts("log", "-n", "1").output
    for args in ([b"show", b"Acme \xff"],
                 [b"correct", b"ACV", b"--def", b"New", b"--reason", b"caf\xe9"]):
        run = subprocess.run([sys.executable, "-m", "factstore", "--url", facts.url, *args],
                             capture_output=True, env={**os.environ, "FACTS_AUTHOR": AUTHOR})
        assert run.returncode == 2, run.stderr
        assert run.stderr.decode().count("\n") == 1
        assert b"is not valid UTF-8" in run.stderr
    assert b"(after --reason)" in run.stderr
    assert facts("log", "-n", "1").output == head
