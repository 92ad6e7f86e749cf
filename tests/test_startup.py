"""A command loads only what it uses: `facts show --help` starts without the heavy modules, and
the reads a person types most (`show`, `list`, `log`, `history`, `resolve` of an exact name)
without pydantic or the fuzzy matcher either: the input models, packs and imports are
imported on first use."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import factstore

from .conftest import AUTHOR, TWO

HEAVY = ("networkx", "numpy", "rich", "mcp", "yaml", "factstore.importers")
# What a plain read does not need: pydantic (more than the interpreter's own start-up), the
# models built with it, the fuzzy matcher (an exact name needs none), the other parts.
LAZY = ("pydantic", "pydantic_core", "rapidfuzz", "factstore.models", "factstore.reports",
        "factstore.context", "factstore.store.packs", "factstore.store.imports",
        "factstore.store.review", "factstore.store.writes", "factstore.backends.cluster")


def _loaded(*args: str) -> set[str]:
    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "factstore", *args],
                         capture_output=True, text=True, timeout=60, check=True)
    loaded = set(re.findall(r"\|\s+([\w.]+)$", run.stderr, re.M))
    assert "factstore.cli" in loaded  # the report is real
    return loaded


def test_show_help_loads_none_of_the_heavy_modules() -> None:
    assert sorted(_loaded("show", "--help") & {*HEAVY, *LAZY}) == []


def test_reads_by_id_and_exact_name_start_without_pydantic(store_url: str,
                                                            tmp_path: Path) -> None:
    path = tmp_path / "two.yaml"
    path.write_text(TWO, encoding="utf-8")
    with factstore.open_store(store_url) as store:
        store.import_file(path, author=AUTHOR)
    for argv in (["show", "fact:acv", "--json"], ["show", "Acme"], ["list", "facts"],
                 ["log"], ["history", "fact:acv", "--json"], ["resolve", "Acme"],
                 ["resolve", "Acme", "--json"]):
        assert sorted(_loaded("--url", store_url, *argv) & {*HEAVY, *LAZY}) == [], argv


def test_a_write_loads_the_models_it_validates_with() -> None:
    """(the guard above is real: pydantic is what `add` uses)"""
    assert {"pydantic", "factstore.models"} <= _loaded("add", "fact", "--help")
