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
