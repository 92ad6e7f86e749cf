"""A command loads only what it uses: `facts show --help` starts without the heavy modules, and
the reads a person types most (`show`, `list`, `log`, `history`, `resolve` of an exact name,
`context`) without pydantic either, and but for `context` without the fuzzy matcher: the
input models, packs and imports are imported on first use."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import factstore

from .conftest import AUTHOR, TWO

HEAVY = ("networkx", "numpy", "rich", "mcp", "yaml", "factstore.importers")
# What a plain read does not need: pydantic (more than the interpreter's own start-up), the
# models built with it, the parts that write, urllib.request (xml.sax.saxutils loads it),
# cryptography (pymysql's RSA password exchange, which a Dolt server rarely asks for).
LAZY = ("cryptography", "pydantic", "pydantic_core", "factstore.models", "factstore.reports",
        "factstore.store.imports", "factstore.store.review", "factstore.store.writes",
        "factstore.backends.cluster", "urllib.request")


def _loaded(*args: str) -> set[str]:
    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "factstore", *args],
                         capture_output=True, text=True, timeout=60, check=True)
    loaded = set(re.findall(r"\|\s+([\w.]+)$", run.stderr, re.M))
    assert "factstore.cli" in loaded  # the report is real
    return loaded


def _load_two(store_url: str, tmp_path: Path) -> None:
    """The store with TWO imported (an entity and two facts to read and correct)."""
    path = tmp_path / "two.yaml"
    path.write_text(TWO, encoding="utf-8")
    with factstore.open_store(store_url) as store:
        store.import_file(path, author=AUTHOR)


def test_show_help_loads_none_of_the_heavy_modules() -> None:
    assert sorted(_loaded("show", "--help") & {*HEAVY, *LAZY}) == []


def test_reads_by_id_and_exact_name_start_without_pydantic(store_url: str,
                                                            tmp_path: Path) -> None:
    _load_two(store_url, tmp_path)
    for argv in (["show", "fact:acv", "--json"], ["show", "Acme"], ["list", "facts"],
                 ["log"], ["history", "fact:acv", "--json"], ["resolve", "Acme"],
                 ["resolve", "Acme", "--json"], ["context", "What is Acme's ACV in FY26-Q3?"]):
        loaded = _loaded("--url", store_url, *argv)
        assert sorted(loaded & {*HEAVY, *LAZY}) == [], argv
        if argv[0] != "context":  # (a pack matches the question's words fuzzily)
            assert "rapidfuzz" not in loaded and "factstore.store.packs" not in loaded, argv


def test_a_correction_and_a_retraction_start_without_pydantic(store_url: str,
                                                                tmp_path: Path) -> None:
    """They change a field or two of a valid row: checked by factstore.checks, no model."""
    _load_two(store_url, tmp_path)
    by = ["--by", AUTHOR]
    for argv in (["correct", "fact:acv", "--value", "120", "--reason", "r", *by],
                 ["correct", "Acme", "--predicate", "seats", "--value", "11", "--source",
                  "src:crm", "--quote", "eleven", "--reason", "r", *by],
                 ["retract", "fact:seats", "--reason", "r", *by]):
        loaded = _loaded("--url", store_url, *argv)
        assert sorted(loaded & {*HEAVY, *LAZY}) == [], argv
        assert "rapidfuzz" not in loaded, argv


def test_a_write_loads_the_models_it_validates_with() -> None:
    """(the guard above is real: pydantic is what `add` uses)"""
    assert {"pydantic", "factstore.models"} <= _loaded("add", "fact", "--help")
