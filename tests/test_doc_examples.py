"""Every example in docs/ and the README runs, and prints what the page says it prints (the
format is described in tests/doc_examples.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .doc_examples import ROOT, Block, blocks, commands, output_matches, run_page

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_every_example_of_the_page_runs(page: Path, tmp_path: Path) -> None:
    run_page(page, tmp_path)


def test_the_docs_index_links_every_page_and_every_link_resolves() -> None:
    index = (ROOT / "docs" / "README.md").read_text(encoding="utf-8")
    for page in PAGES[1:]:
        if page.name != "README.md":
            assert f"]({page.name})" in index, page.name
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([\w./-]+\.md)(?:#[\w-]+)?\)", text):
            assert (page.parent / target).resolve().exists(), f"{page.name}: {target}"


def test_the_readme_tour_is_run() -> None:
    tour = [b for b in blocks(ROOT / "README.md") if b.lang in ("sh", "console") and not b.skip]
    assert any("facts init" in b.text and "facts import" in b.text for b in tour)


def test_the_example_format() -> None:
    assert output_matches(["Committed ...: 3 changed (...)"], "Committed 1a2b: 3 changed (x, y)\n")
    assert output_matches(["a\tb", "...", "z"], "a  b\nc\nd\nz\n")
    assert output_matches(["a", "...", "z"], "a\nz")
    assert not output_matches(["a", "z"], "a\nb\nz")
    assert not output_matches(["a...b"], "a\nb")  # within a line only
    block = Block("p.md", 1, "console", "$ facts show X   # exit 3: none\nerror: x\n\n"
                                         "$ facts log \\\n  -n 1\n")
    shown, log = commands(block)
    assert (shown.exit_code, shown.expected, log.text.split(), log.expected) == (
        3, ["error: x", ""], ["facts", "log", "-n", "1"], None)
