"""The README documents every command, and the public API is what __init__ says it is."""

from __future__ import annotations

from pathlib import Path

import factstore
from factstore.cli import cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _commands() -> list[str]:
    names = []
    for name, command in cli.commands.items():
        sub = getattr(command, "commands", None)
        names += [f"{name} {s}" for s in sub] if sub else [name]
    return names


def test_every_command_is_documented_in_the_readme() -> None:
    undocumented = [c for c in _commands() if f"facts {c.split()[0]}" not in README]
    assert undocumented == []


def test_every_command_has_help_text() -> None:
    for name, command in cli.commands.items():
        assert command.help or command.short_help, name


def test_public_api_is_exported() -> None:
    for name in factstore.__all__:
        assert hasattr(factstore, name), name
    assert {"FactStore", "open_store", "init_store"} <= set(factstore.__all__)


def test_every_add_option_says_what_it_takes() -> None:
    """`facts add KIND --help` names the choices of a field with a fixed set (a source's
    kind, a value's type, a status) and the form of dates and periods; only fields whose
    name says it all (a title, a name, a term, a text) go without."""
    from click.testing import CliRunner

    plain = {"title", "name", "description", "term", "text", "alias"}
    add = cli.commands["add"]
    for kind, command in add.commands.items():  # type: ignore[attr-defined]
        for option in command.params:
            if option.name not in plain and option.name not in ("author", "reason", "update",
                                                                 "as_json", "branch"):
                assert option.help, f"facts add {kind} --{option.name}"
    out = CliRunner().invoke(cli, ["add", "fact", "--help"]).output
    assert "One of: number, money, percent, text, date, bool." in out
    assert "FY26-Q3" in out and "YYYY-MM-DD" in out
