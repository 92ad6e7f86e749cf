"""The code's shape: one registry of tables that agrees with schema.sql and the models, Dolt's
version-control SQL only under backends/, small modules and classes, exact public names."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import factstore
from factstore import migrations
from factstore.cli.knowledge import LIST_COLUMNS
from factstore.models import MODELS, PROVENANCE
from factstore.schema import BOOKKEEPING, CONFIG, COMMITTED, RENDER_LOG, TABLES

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "factstore"
SOURCES = sorted([*PACKAGE.rglob("*.py"), *(ROOT / "cli").rglob("*.py")])


def _schema_columns() -> dict[str, list[str]]:
    """Table -> column names, from the CREATE TABLE and ALTER TABLE … ADD COLUMN statements
    of every migration."""
    tables: dict[str, list[str]] = {}
    for migration in migrations.migrations():
        for statement in migration.statements:
            found = re.match(r"CREATE TABLE (\w+) \((.*)\)\s*$", statement, re.S)
            if found:
                tables[found.group(1)] = [
                    line.split()[0] for line in found.group(2).splitlines()
                    if line.strip() and not line.strip().startswith("PRIMARY KEY")]
            added = re.match(r"ALTER TABLE (\w+) ADD COLUMN (\w+)", statement)
            if added:
                tables[added.group(1)].append(added.group(2))
    return tables


def test_schema_sql_declares_exactly_the_registry_tables_and_their_columns() -> None:
    declared = _schema_columns()
    assert set(declared) == {*TABLES, CONFIG, "schema_migrations", RENDER_LOG}
    for name, table in TABLES.items():
        # (columns a later migration adds come after the bookkeeping ones)
        assert len(set(declared[name])) == len(declared[name]), name
        assert set(declared[name]) == {*table.columns, *BOOKKEEPING}, name


def test_schema_sql_primary_keys_are_the_registry_keys() -> None:
    text = "\n".join(s for m in migrations.migrations() for s in m.statements)
    for name, table in TABLES.items():
        create = re.search(rf"CREATE TABLE {name} \((.*?)\n\)", text, re.S)
        assert create, name
        if len(table.key) == 1:
            assert f"{table.key[0]} VARCHAR(255) NOT NULL PRIMARY KEY" in create.group(1)
        else:
            assert f"PRIMARY KEY ({', '.join(table.key)})" in create.group(1)


def test_each_table_has_an_input_model_whose_fields_are_its_columns() -> None:
    """... and the provenance an export writes (recorded_by, reason), which are bookkeeping
    columns."""
    assert list(MODELS) == list(TABLES)
    assert set(PROVENANCE) < set(BOOKKEEPING)
    for name, model in MODELS.items():
        fields = {column for field, column in model._keys.items()
                  if field not in model._nested}
        assert fields | set(TABLES[name].derived) == {*TABLES[name].columns, *PROVENANCE}, name


def test_the_cli_lists_every_table_and_only_its_columns() -> None:
    assert list(LIST_COLUMNS) == list(TABLES)
    for name, columns in LIST_COLUMNS.items():
        assert set(columns) <= set(TABLES[name].columns), name


def test_a_write_commits_every_versioned_table_but_never_the_render_log() -> None:
    assert set(COMMITTED) == {*TABLES, CONFIG, "schema_migrations"}
    assert RENDER_LOG not in COMMITTED


def test_migrations_are_named_in_order_and_cover_every_table() -> None:
    names = [m.name for m in migrations.migrations()]
    assert names == sorted(names) and len(set(names)) == len(names)
    assert all(re.fullmatch(r"\d{4}_[a-z_]+", n) for n in names)


DOLT_VERSIONING = re.compile(
    r"\bdolt_(log|commit_ancestors|tags|branches|remotes|status|diff|history_|blame_|"
    r"conflicts|merge|branch|tag|remote|revert|push|pull|clone|checkout|add|commit|hashof|"
    r"at_|config|cluster|assume_cluster_role)|\bDOLT_\w+\(|\bHASHOF\(|\bactive_branch\(", re.I)


def _string_literals(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef,
                                       ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)}
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docstrings]


def test_sql_naming_dolt_version_control_appears_only_under_backends() -> None:
    outside = [p for p in SOURCES if PACKAGE / "backends" not in p.parents]
    offenders = [f"{p.relative_to(ROOT)}: {s[:60]!r}" for p in outside
                 for s in _string_literals(p) if DOLT_VERSIONING.search(s)]
    assert offenders == []


def test_no_module_over_800_lines_and_no_class_over_400() -> None:
    too_long = []
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > 800:
            too_long.append(f"{path.relative_to(ROOT)}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef) and node.end_lineno is not None:
                length = node.end_lineno - node.lineno + 1
                if length > 400:
                    too_long.append(f"{path.relative_to(ROOT)}: class {node.name} {length}")
    assert too_long == []


def test_the_package_exports_exactly_the_documented_names() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Python API", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"`([A-Za-z_]+)`", section.split("public names are", 1)[1]))
    assert set(factstore.__all__) == documented
    # dir(), not vars(): most names are imported on first use (factstore.__getattr__)
    public = {n for n in dir(factstore) if not n.startswith("_")
              and not isinstance(getattr(factstore, n), type(factstore))}
    assert public == set(factstore.__all__)


def _own_public_names(path: Path) -> set[str]:
    names = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return {n for n in names if not n.startswith("_")} - {"__all__"}


def test_every_module_says_what_it_exports() -> None:
    import importlib

    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "__main__.py":
            continue
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        module = importlib.import_module(name)
        exported = getattr(module, "__all__", None)
        if exported is None:
            wrong.append(f"{name}: no __all__")
            continue
        missing = _own_public_names(path) - set(exported)
        absent = [n for n in exported if not hasattr(module, n)]
        if missing or absent:
            wrong.append(f"{name}: not exported {sorted(missing)}, not defined {absent}")
    assert wrong == []


def test_every_package_directory_is_installed_by_a_plain_pip_install() -> None:
    """An editable install finds every folder; `pip install .` ships only the listed packages."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
                 ["packages"])
    found = {"factstore." + ".".join(init.parent.relative_to(PACKAGE).parts)
             for init in PACKAGE.rglob("__init__.py") if init.parent != PACKAGE}
    assert found | {"factstore", "factstore.cli"} == listed
