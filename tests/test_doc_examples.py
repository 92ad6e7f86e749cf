"""Every example in docs/ and the README runs, and prints what the page says it prints (the
format is described in tests/doc_examples.py); every command's --help shows an example whose
commands and options exist."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest

from factstore.cli import cli

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
        for target, anchor in re.findall(r"\]\(([\w./-]*\.md)?(?:#([\w-]+))?\)", text):
            path = (page.parent / target).resolve() if target else page
            assert path.exists(), f"{page.name}: {target}"
            assert not anchor or anchor in _anchors(path), f"{page.name}: {target}#{anchor}"


def _anchors(page: Path) -> set[str]:
    """The anchors GitHub gives a page's headings."""
    headings = re.findall(r"^#+ (.+)$", page.read_text(encoding="utf-8"), re.M)
    return {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings}


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


def _leaf_commands() -> list[tuple[str, click.Command]]:
    found = []
    for name, command in cli.commands.items():
        found.append((name, command))
        if isinstance(command, click.Group):
            found += [(f"{name} {sub}", c) for sub, c in command.commands.items()]
    return found


def _help(path: str) -> str:
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, [*path.split(), "--help"], prog_name="facts",
                                terminal_width=100)
    assert result.exit_code == 0, path
    return result.output


@pytest.mark.parametrize("path", [p for p, _ in _leaf_commands()])
def test_every_command_help_has_an_example_that_parses(path: str) -> None:
    text = _help(path)
    examples = [line.strip()[2:] for line in text.splitlines() if line.strip().startswith("$ ")]
    assert examples, f"facts {path} --help shows no example ($ facts …)"
    assert any(f"facts {path}" in e for e in examples), path
    for example in examples:
        words = shlex.split(example, comments=True)
        if "|" in words:
            words = words[words.index("|") + 1:]
        words = words[:words.index(">")] if ">" in words else words
        assert words[0] == "facts", example
        _parses(words[1:], example)


def _parses(args: list[str], example: str) -> None:
    """The example's command and options exist and take what it gives them: click's own parser
    and types, nothing runs (a file an example names need not exist here)."""
    command: click.Command = cli
    name = "facts"
    parent: click.Context | None = None
    while True:
        try:
            ctx = command.make_context(name, list(args), parent=parent)
        except click.BadParameter as exc:
            assert isinstance(getattr(exc.param, "type", None), click.Path), f"{example}: {exc}"
            return
        except click.UsageError as exc:
            raise AssertionError(f"{example}: {exc}") from None
        if not isinstance(command, click.Group):
            return
        rest = [*getattr(ctx, "_protected_args", []), *ctx.args]
        if not rest:
            return
        found = command.get_command(ctx, rest[0])
        assert found is not None, f"{example}: no command {rest[0]}"
        name, command, args, parent = rest[0], found, rest[1:], ctx
