"""Commands that write or read the knowledge itself: init, import, export, add, correct,
retract, show, list, config."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from factstore.errors import InvalidInput
from factstore.results import match_note
from factstore.text import parse_number, plain_number
from factstore.schema import NUMERIC, SINGULAR, TABLES
from factstore.store import init_store

from . import output
from .app import (
    Ctx,
    who,
    print_write,
    as_of_option,
    by_option,
    cli,
    json_option,
    pass_ctx,
    valid_at_option,
)


@cli.command()
@by_option
@json_option
@pass_ctx
def init(obj: Ctx, author: str | None, as_json: bool) -> None:
    """Create a store: ./.facts/ (embedded doltlite), or the database named by --url."""
    store = obj.adopt(init_store(obj.url, author=who(author)))
    if as_json:
        output.emit_json({"url": store.url, "commit": store.head()})
    else:
        output.line(f"Initialised factstore at {store.url}")


@cli.command("import")
@click.argument("file", metavar="PATH", type=click.Path(path_type=Path))
@click.option("-m", "--message", "reason", default=None, help="Why this load (commit body).")
@click.option("--restore", is_flag=True,
              help="Load an export into an empty store keeping who recorded each row and why.")
@click.option("--prefer", type=click.Choice(["file", "store"]), default=None,
              help="For rows changed both in the file and in the store since the file's last "
                   "import: take the file's version or keep the store's.")
@click.option("--scope", default=None, metavar="SCOPE",
              help="Scope of the definitions a dbt/MetricFlow project or a CSV glossary "
                   "brings (default: the metric's meta.scope, the CSV's scope column).")
@click.option("--table", type=click.Choice(["definitions", "facts"]), default=None,
              help="What a CSV holds (default: told by its columns).")
@click.option("--map", "columns", multiple=True, metavar="COLUMN=FIELD",
              help="Read a CSV column as this field (repeatable); COLUMN= leaves it out.")
@click.option("--source", default=None, metavar="SOURCE",
              help="The source of a CSV's rows that name none (an id, src:…, in the file "
                   "or the store).")
@by_option
@json_option
@pass_ctx
def import_(obj: Ctx, file: Path, reason: str | None, restore: bool, prefer: str | None,
            scope: str | None, table: str | None, columns: tuple[str, ...],
            source: str | None, author: str | None, as_json: bool) -> None:
    """Import a file as one commit (validated fully first; re-import is a no-op).

    PATH is a factstore YAML/JSON/JSONL file, a dbt project folder or one of its
    semantic-layer YAML files, a MetricFlow manifest, or a CSV glossary or fact table (header
    row; --map for other headers). A reload never undoes what people did since the file's last
    import: rows the file did not change keep the store's version; a row changed on both
    sides stops the import (exit 5, base / store / file listed, nothing written) unless
    --prefer says which side wins.

    \b
    Examples:
      facts import northwind.yaml
      facts import ./my_dbt_project --scope finance
      facts import glossary.csv --map "Begriff=term" --map "Notes="
      facts import sap-export.csv --source src:sap
    """
    from factstore.importers import ImportOptions

    mapping = []
    for item in columns:
        column, eq, field = item.partition("=")
        if not eq or not column.strip():
            raise InvalidInput(f"--map: expected COLUMN=FIELD, got {item!r}")
        mapping.append((column, field))
    options = ImportOptions(scope=scope, table=table, columns=tuple(mapping), source=source)
    store = obj.store()
    if restore:
        if prefer or scope or table or columns or source:
            raise InvalidInput("--restore loads an export as it is: --prefer, --scope, "
                               "--table, --map and --source do not apply")
        print_write(store.restore_file(file, author=who(author), reason=reason), as_json)
        return
    print_write(store.import_file(file, author=who(author), reason=reason, prefer=prefer,
                                  options=options), as_json)


@cli.command()
@click.option("-o", "--output", "target", default=None, metavar="FILE",
              type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Write here instead of standard output (.yaml, .yml, .json, .jsonl or "
                   ".csv).")
@click.option("--format", "fmt", type=click.Choice(["yaml", "json", "jsonl", "csv"]),
              default=None, help="Default: from the FILE's suffix, else yaml.")
@click.option("--table", type=click.Choice(["definitions", "facts"]), default=None,
              help="The one table a CSV holds (required with csv).")
@as_of_option
@pass_ctx
def export(obj: Ctx, target: Path | None, fmt: str | None, table: str | None,
           as_of: str | None) -> None:
    """The knowledge as an import file: `facts import` of it into an empty store gives the same
    rows, retracted ones included. For review, backup, or moving between backends. CSV
    holds one table: `facts export --format csv --table facts -o facts.csv`."""
    from factstore.export import format_for, replacing

    fmt = format_for(target, fmt)  # type: ignore[arg-type]
    if (fmt == "csv") != (table is not None):
        raise InvalidInput("--table goes with CSV, and CSV needs --table (definitions or facts)"
                           if fmt == "csv" else "--table applies to CSV exports")
    # written a block at a time as it is made from the rows; a file only once written whole
    store = obj.store()
    if target is None:
        done = store.export_text(fmt, table=table, as_of=as_of,
                                 write=lambda piece: click.echo(piece, nl=False))
    else:
        with replacing(target) as out:
            done = store.export_text(fmt, table=table, as_of=as_of, write=out.write)
    if fmt == "jsonl" and done.fiscal_year_start_month is not None:
        output.line(f"note: JSONL has no calendar; after importing, run `facts config set "
                    f"calendar.fiscal_year_start_month {done.fiscal_year_start_month}`",
                    err=True)
    if target is not None:
        output.line(f"Wrote {target} "
                    f"({', '.join(f'{s} {n}' for s, n in done.counts.items())})", err=True)


# -- add: one subcommand per kind of item, options generated from its model ------------------

class AddGroup(click.Group):
    """`facts add`: its subcommands are made from the input models when first asked for, so
    the other commands start without the models (and pydantic)."""

    pending = True  # branch_anywhere and add_examples leave it to decorate its own

    @property
    def commands(self) -> dict[str, click.Command]:  # type: ignore[override]
        if self.pending:
            self.pending = False
            from factstore.models import MODELS

            from .app import branch_anywhere
            from .examples import add_examples

            for kind, section in SINGULAR.items():
                _add_command(self, kind, MODELS[section])
            branch_anywhere(self)
            add_examples(self, "add ")
        return self._commands

    @commands.setter
    def commands(self, value: dict[str, click.Command]) -> None:
        self._commands = value


@cli.group(cls=AddGroup)
def add() -> None:
    """Add one item (one commit). Fields as in the import format. An id that exists is
    refused (exit 4) unless --update says to replace it."""


def _coerce(name: str, value: str, value_type: str | None) -> Any:
    """A value typed on the command line is a number when a file would read it as one, or
    as a pack writes it (1,300,000), unless its type is text; it keeps its digits as typed
    (00123 stays text, 12345678901234567.89 keeps every digit)."""
    if name == "value" and value_type in (None, *NUMERIC):
        number = parse_number(plain_number(value, numeric=value_type is not None))
        if isinstance(number, int | float):
            return number
    return value


# What a field of `facts add KIND` takes, where its name does not say it (choices of a fixed
# set are read from the model: see _field_help).
FIELD_HELP = {
    "uri": "Where the source is: a URL or a path.",
    "owner": "Who answers for the definition: a person or a team.",
    "formula": "How it is computed, as text.",
    "quote": "The source's own words for the value.",
    "valid_from": "First day it holds (YYYY-MM-DD).",
    "valid_to": "Last day it holds (YYYY-MM-DD).",
    "period": "The period of the value: FY26-Q3, FY26-H1, FY26, 2025-Q4, 2025-10 or 2025.",
    "source": "Id of the source that backs it (src:…).",
    "subject": "Id of the entity it is about.",
    "entity": "Id of the entity it names.",
    "src": "Id of the entity the relation goes from.",
    "dst": "Id of the entity the relation goes to.",
    "rel": "The relation's name, one word: account_owner, located_in, parent_of …",
    "predicate": "What the value is, one word: arr, seats, fill_rate …",
    "value": "The value: a number as written (1300000, 1,300,000, 0.94), a date, or text.",
    "unit": "Its unit or currency: EUR, seats, % …",
    "scope": "Whose definition it is, one word: finance, sales …",
    "authority": "How far it is trusted, 0-100 (a contract 100, a chat 10).",
    "captured_at": "The day it was taken from its source (YYYY-MM-DD).",
    "applies_to": "An entity's id, or kind:KIND for every entity of a kind.",
    "overrides": "Id of the rule this one is an exception to.",
    "supersedes": "Id of the fact this one replaces.",
    "confidence": "0-1.",
    "kind": "The kind of entity, one word: customer, person, city …",
}


def _field_help(name: str, field: Any) -> str | None:
    """An option's help: FIELD_HELP's words, or the choices of a field that has a fixed
    set of values."""
    import typing

    def literals(tp: Any) -> list[str]:
        if typing.get_origin(tp) is typing.Literal:
            return [str(a) for a in typing.get_args(tp)]
        return [v for arg in typing.get_args(tp) for v in literals(arg)]

    if name == "id":
        return ("Its id, for good: history, links and corrections follow it." if
                field.is_required() else "Its id (default: made from its term and scope, or "
                "its subject, predicate and period).")
    choices = literals(field.annotation)
    if choices:
        default = f" (default {field.default})" if isinstance(field.default, str) else ""
        return f"One of: {', '.join(choices)}{default}."
    return FIELD_HELP.get(name)


def _add_command(group: click.Group, kind: str, model: type[Any]) -> None:
    from factstore.models import PROVENANCE

    fields = {n: f for n, f in model.model_fields.items()
              if n not in ("aliases", "relations", *PROVENANCE)}  # --by and --reason say those

    @by_option
    @click.option("-m", "--reason", default=None, help="Why (commit body).")
    @click.option("--update", is_flag=True,
                  help="Replace the item if its id exists; fields not given keep their value.")
    @json_option
    @pass_ctx
    def command(obj: Ctx, author: str | None, reason: str | None, update: bool,
                as_json: bool, **values: Any) -> None:
        data = {n: _coerce(n, v, values.get("value_type")) for n, v in values.items()
                if v is not None}
        from factstore.store.writes import item_of_fields

        store = obj.store()
        item = item_of_fields(store, kind, data, update=update)
        print_write(store.add(item, author=who(author), reason=reason, update=update), as_json)

    for name, field in reversed(list(fields.items())):
        # a required field is checked by the model: with --update and an id, it may be left
        # out and keeps its stored value (factstore.store.writes.item_of_fields)
        required = field.is_required() and name != "id"
        help_text = (_field_help(name, field) or "") + (
            "  [required; with --update, kept when left out]" if required else "")
        command = click.option(f"--{name.replace('_', '-')}", name,
                               required=field.is_required() and name == "id", default=None,
                               help=help_text.strip() or None)(command)
    command.__doc__ = f"Add a {kind} (--update: replace one that exists)."
    group.command(kind)(command)


@cli.command()
@click.argument("name")
@click.option("--def", "definition", default=None, help="New definition text.")
@click.option("--value", default=None, help="New fact value.")
@click.option("--scope", default=None, help="Definition scope when the term has several.")
@click.option("--predicate", default=None, help="Which fact of the entity NAME.")
@click.option("--period", default=None, help="Which period's fact (e.g. FY26-Q3).")
@click.option("--quote", default=None,
              help="Quote from the source backing the new value (without it, a new value has "
                   "no quote: the old one backed the old value).")
@click.option("-m", "--reason", default=None, help="Why the correction (commit body); required.")
@click.option("--source", default=None,
              help="Source id backing it (e.g. src:finance-glossary); when several facts of "
                   "NAME match, also picks the one from this source.")
@click.option("--expect", default=None, metavar="COMMIT|REV",
              help="Fail with exit 5 if the row changed since this commit (or row rev).")
@by_option
@json_option
@pass_ctx
def correct(obj: Ctx, name: str, definition: str | None, value: str | None, scope: str | None,
            predicate: str | None, period: str | None, quote: str | None, reason: str | None,
            source: str | None, expect: str | None, author: str | None, as_json: bool) -> None:
    """Correct a definition (--def) or a fact (--value) in place, as one commit.

    NAME is an id, or exactly a term, entity name or alias (normalised: case, accents,
    punctuation and legal forms aside); anything else is refused with what it may mean. The
    old version stays in history.
    """
    if (definition is None) == (value is None):
        raise InvalidInput("pass exactly one of --def (definitions) or --value (facts)")
    store = obj.store()
    if definition is not None:
        result = store.correct_definition(name, definition, author=who(author),
                                          reason=reason, source=source, scope=scope,
                                          expect=expect)
    else:
        assert value is not None
        result = store.correct_fact(name, value, author=who(author), reason=reason,
                                    source=source, predicate=predicate, period=period,
                                    quote=quote, expect=expect)
    print_write(result, as_json)


@cli.command()
@click.argument("name", metavar="ID|NAME")
@click.option("-m", "--reason", required=True, help="Why it is retracted (commit body).")
@by_option
@json_option
@pass_ctx
def retract(obj: Ctx, name: str, reason: str, author: str | None, as_json: bool) -> None:
    """Retract a row (an id, or exactly a term, entity name or alias): kept with its history,
    left out of current answers."""
    print_write(obj.store().retract(name, author=who(author), reason=reason), as_json)


@cli.command()
@click.argument("name")
@as_of_option
@json_option
@pass_ctx
def show(obj: Ctx, name: str, as_of: str | None, as_json: bool) -> None:
    """Show one row by id or name: its source, who recorded it, when and why. A name that is
    not exact is followed only when the resolver is sure, and the output says so."""
    result = obj.store().show(name, as_of=as_of)
    if as_json:
        output.emit_json(result.model_dump())
        return
    output.matched(match_note(result.matched_by, result.matched_name, result.match_score))
    table = TABLES.get(result.table)
    hidden = {"normalized"} if table and "normalized" not in table.key else set()  # a lookup key
    pairs = [(k, v) for k, v in result.row.items() if v is not None and k not in hidden]
    if result.source:
        pairs.append(("source", f"{result.source['title']} ({result.source['id']}, "
                                f"authority {result.source['authority']})"))
    if result.last_change:
        lc = result.last_change
        pairs += [("last commit", lc.commit), ("by", lc.author), ("at", lc.date),
                  ("message", lc.message.splitlines()[0])]
    output.record(pairs, title=f"{result.table}: {result.id}")


LIST_COLUMNS = {
    "sources": ("id", "title", "kind", "authority", "captured_at"),
    "entities": ("id", "kind", "name"),
    "aliases": ("entity_id", "alias", "alias_kind", "valid_from", "valid_to"),
    "relations": ("src_id", "rel", "dst_id", "valid_from", "valid_to"),
    "definitions": ("id", "term", "scope", "text", "owner"),
    "facts": ("id", "subject_id", "predicate", "value", "unit", "period", "source_id", "status"),
    "rules": ("id", "applies_to", "overrides", "text"),
}


@cli.command("list")
@click.argument("table", type=click.Choice(list(LIST_COLUMNS)))
@click.option("--kind", default=None, help="Entity or source kind.")
@click.option("--subject", default=None,
              help="Facts about this entity (id, name or alias; a near name the resolver is "
                   "sure of is followed, and said so on stderr).")
@click.option("--status", default=None, help="Only rows with this status: active, proposed, "
                                             "deprecated, retracted (default: all but "
                                             "retracted).")
@as_of_option
@valid_at_option
@json_option
@pass_ctx
def list_(obj: Ctx, table: str, kind: str | None, subject: str | None, status: str | None,
          as_of: str | None, valid_at: str | None, as_json: bool) -> None:
    """List rows of one table."""
    listing = obj.store().listing(table, kind=kind, subject=subject, status=status,
                                  as_of=as_of, valid_at=valid_at)
    rows = listing.rows
    output.matched(listing.subject.note() if listing.subject else None)
    if as_json:
        output.emit_json(rows)
        return
    cols = LIST_COLUMNS[table]
    output.table(cols, [[r[c] for c in cols] for r in rows], title=f"{table} ({len(rows)})")


@cli.group(invoke_without_command=True)
@json_option
@click.pass_context
def config(ctx: click.Context, as_json: bool) -> None:
    """Store settings, versioned like the knowledge (calendar.fiscal_year_start_month)."""
    if ctx.invoked_subcommand is None:
        settings = ctx.find_object(Ctx).store().config()
        if as_json:
            output.emit_json(settings)
            return
        for name, value in settings.items():
            output.line(f"{name} = {value}")


@config.command("set")
@click.argument("name")
@click.argument("value")
@click.option("-m", "--reason", default=None, help="Why (commit body).")
@by_option
@json_option
@pass_ctx
def config_set(obj: Ctx, name: str, value: str, reason: str | None, author: str | None,
               as_json: bool) -> None:
    """Set a setting as one commit: facts config set calendar.fiscal_year_start_month 2."""
    print_write(obj.store().set_config(name, value, author=who(author), reason=reason),
                 as_json)
