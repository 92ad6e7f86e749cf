"""`facts`: the command line. Each command parses options, calls one FactStore method, prints.

No SQL and no business rules here. Library errors become exit codes in one place (FactsGroup).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError

from factstore.errors import Ambiguous, Conflict, FactstoreError, InvalidInput
from factstore.importers import describe_error
from factstore.models import MODELS
from factstore.schema import SINGULAR
from factstore.models import ContextPack, WriteResult
from factstore.render import check_pack
from factstore.authors import default_author
from factstore.store import FactStore, clone_store, init_store, open_store

from . import output

EPILOG = "Exit codes: 0 ok, 1 error, 2 bad input, 3 not found, 4 refused, 5 conflict."


class FactsGroup(click.Group):
    """Turns library errors into one line on stderr and the documented exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FactstoreError as exc:
            _fail(ctx, exc)
        except ValidationError as exc:
            _fail(ctx, InvalidInput(describe_error(exc)))
        finally:
            if isinstance(ctx.obj, Ctx):
                ctx.obj.progress.close()  # a bar left open by a crash


def _fail(ctx: click.Context, exc: FactstoreError) -> None:
    if isinstance(ctx.obj, Ctx):
        ctx.obj.progress.close()  # before the message, so a bar never draws over it
    output.line(f"error: {exc}", err=True)
    if isinstance(exc, Ambiguous):
        for c in exc.candidates:
            detail = ", ".join(str(c[k]) for k in ("scope", "period") if c.get(k))
            label = f"{c.get('label') or ''}" + (f" ({detail})" if detail else "")
            output.line(f"  candidate: {c['id']}  {label}", err=True)
    if isinstance(exc, Conflict):
        for c in exc.details.get("conflicts", []):
            output.line(f"  conflict {c['table']} {c['id']}:", err=True)
            for side in ("base", "ours", "theirs"):
                output.line(f"    {side:6} {output.summary(c[side], 300)}", err=True)
        for label in ("undone", "current"):
            if exc.details.get(label):
                output.line(f"  {label}: {output.summary(exc.details[label], 300)}", err=True)
    ctx.exit(exc.exit_code)


class Ctx:
    def __init__(self, url: str | None, branch: str | None) -> None:
        self.url = url
        self.branch = branch
        self._store: FactStore | None = None
        self.progress = output.ProgressBar()

    def store(self) -> FactStore:
        if self._store is None:
            self._store = open_store(self.url, branch=self.branch, progress=self.progress)
        return self._store


pass_ctx = click.make_pass_decorator(Ctx)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")
as_of_option = click.option(
    "--as-of", default=None, metavar="REF",
    help="Read the store as it was at a commit, tag, branch, date or fiscal quarter (FY26-Q3).")
valid_at_option = click.option("--valid-at", default=None, metavar="DATE",
                               help="Only what was true on that day (valid time).")
by_option = click.option(
    "--by", "author", default=None, metavar="'NAME <EMAIL>'",
    help="Author of the commit (default: FACTS_AUTHOR, then git user.name/email).",
)


def _author(author: str | None) -> str | None:
    return author or default_author()


def _print_write(result: WriteResult, as_json: bool) -> None:
    if as_json:
        output.emit_json(result.model_dump())
    elif result.commit is None:
        output.line("Nothing changed; no commit made.")
    else:
        shown = ", ".join(result.changed[:8]) + (" …" if len(result.changed) > 8 else "")
        output.line(f"Committed {result.commit[:12]}: {len(result.changed)} changed ({shown})")


@click.group(cls=FactsGroup, epilog=EPILOG)
@click.option("--url", envvar="FACTS_URL", default=None, metavar="URL",
              help="Store: a path, doltlite:///path/facts.db, or mysql://user:pass@host:port/db "
                   "(env FACTS_URL). Default: .facts/ here or in a parent folder.")
@click.option("--branch", envvar="FACTS_BRANCH", default=None, metavar="BRANCH",
              help="Read and write on this branch (default: main). Env FACTS_BRANCH.")
@click.version_option(package_name="factstore")
@click.pass_context
def cli(ctx: click.Context, url: str | None, branch: str | None) -> None:
    """factstore: company knowledge outside model weights, versioned by Dolt."""
    ctx.obj = Ctx(url, branch)
    ctx.call_on_close(lambda: ctx.obj._store and ctx.obj._store.close())


@cli.command()
@by_option
@json_option
@pass_ctx
def init(obj: Ctx, author: str | None, as_json: bool) -> None:
    """Create a store: ./.facts/ (embedded doltlite), or the database named by --url."""
    store = init_store(obj.url, author=_author(author))
    obj._store = store
    if as_json:
        output.emit_json({"url": store.url, "commit": store.head()})
    else:
        output.line(f"Initialised factstore at {store.url}")


@cli.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("-m", "--message", "reason", default=None, help="Why this load (commit body).")
@by_option
@json_option
@pass_ctx
def import_(obj: Ctx, file: Path, reason: str | None, author: str | None, as_json: bool) -> None:
    """Import a YAML/JSON/JSONL file as one commit (validated fully first; re-import is a no-op)."""
    _print_write(obj.store().import_file(file, author=_author(author), reason=reason), as_json)


@cli.command()
@click.option("-o", "--output", "target", default=None, metavar="FILE",
              type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Write here instead of standard output (.yaml, .yml, .json or .jsonl).")
@click.option("--format", "fmt", type=click.Choice(["yaml", "json", "jsonl"]), default=None,
              help="Default: from the FILE's suffix, else yaml.")
@as_of_option
@pass_ctx
def export(obj: Ctx, target: Path | None, fmt: str | None, as_of: str | None) -> None:
    """The knowledge as an import file: `facts import` of it into an empty store gives the same
    rows, retracted ones included. For review, backup, or moving between backends."""
    from factstore.export import dump

    suffixes = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".jsonl": "jsonl"}
    if target is not None:
        if suffixes.get(target.suffix) is None or fmt not in (None, suffixes[target.suffix]):
            raise InvalidInput(f"{target.name}: the suffix must name the format (.yaml, .yml, "
                               ".json or .jsonl): `facts import` reads the format from it")
        fmt = suffixes[target.suffix]
    doc = obj.store().export(as_of=as_of)
    text = dump(doc, fmt or "yaml")  # type: ignore[arg-type]
    if fmt == "jsonl" and "calendar" in doc:
        month = doc["calendar"]["fiscal_year_start_month"]
        output.line(f"note: JSONL has no calendar; after importing, run `facts config set "
                    f"calendar.fiscal_year_start_month {month}`", err=True)
    if target is None:
        click.echo(text, nl=False)
    else:
        try:
            target.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InvalidInput(f"{target}: cannot write ({exc.strerror})") from None
        counts = ", ".join(f"{section} {len(doc[section])}" for section in MODELS)
        output.line(f"Wrote {target} ({counts})", err=True)


# -- add: one subcommand per kind of item, options generated from its model ------------------

ADDABLE: dict[str, type[Any]] = {kind: MODELS[section] for kind, section in SINGULAR.items()}


@cli.group()
def add() -> None:
    """Add or update one item (one commit). Fields as in the import format."""


def _coerce(name: str, value: str) -> Any:
    if name == "value":  # numbers typed on a command line are numbers
        for kind in (int, float):
            try:
                return kind(value)
            except ValueError:
                pass
    return value


def _add_command(kind: str, model: type[Any]) -> None:
    fields = {n: f for n, f in model.model_fields.items() if n not in ("aliases", "relations")}

    @by_option
    @click.option("--reason", default=None, help="Why (commit body).")
    @json_option
    @pass_ctx
    def command(obj: Ctx, author: str | None, reason: str | None, as_json: bool,
                **values: Any) -> None:
        data = {n: _coerce(n, v) for n, v in values.items() if v is not None}
        item = model.model_validate(data)
        _print_write(obj.store().add(item, author=_author(author), reason=reason), as_json)

    for name, field in reversed(list(fields.items())):
        command = click.option(f"--{name.replace('_', '-')}", name,
                               required=field.is_required(), default=None)(command)
    command.__doc__ = f"Add or update a {kind}."
    add.command(kind)(command)


for _kind, _model in ADDABLE.items():
    _add_command(_kind, _model)


@cli.command()
@click.argument("name")
@click.option("--def", "definition", default=None, help="New definition text.")
@click.option("--value", default=None, help="New fact value.")
@click.option("--scope", default=None, help="Definition scope when the term has several.")
@click.option("--predicate", default=None, help="Which fact of the entity NAME.")
@click.option("--period", default=None, help="Which period's fact (e.g. FY26-Q3).")
@click.option("--quote", default=None, help="Quote from the source backing the new value.")
@click.option("--reason", default=None, help="Why the correction (commit body).")
@click.option("--source", default=None, help="Source id backing it (e.g. src:finance-glossary).")
@click.option("--expect", default=None, metavar="COMMIT|REV",
              help="Fail with exit 5 if the row changed since this commit (or row rev).")
@by_option
@json_option
@pass_ctx
def correct(obj: Ctx, name: str, definition: str | None, value: str | None, scope: str | None,
            predicate: str | None, period: str | None, quote: str | None, reason: str | None,
            source: str | None, expect: str | None, author: str | None, as_json: bool) -> None:
    """Correct a definition (--def) or a fact (--value) in place, as one commit.

    NAME is a term, alias, entity name or id. The old version stays in history.
    """
    if (definition is None) == (value is None):
        raise InvalidInput("pass exactly one of --def (definitions) or --value (facts)")
    store = obj.store()
    if definition is not None:
        result = store.correct_definition(name, definition, author=_author(author),
                                          reason=reason, source=source, scope=scope,
                                          expect=expect)
    else:
        assert value is not None
        result = store.correct_fact(name, value, author=_author(author), reason=reason,
                                    source=source, predicate=predicate, period=period,
                                    quote=quote, expect=expect)
    _print_write(result, as_json)


@cli.command()
@click.argument("item_id", metavar="ID")
@click.option("--reason", required=True, help="Why it is retracted (commit body).")
@by_option
@json_option
@pass_ctx
def retract(obj: Ctx, item_id: str, reason: str, author: str | None, as_json: bool) -> None:
    """Retract a row: kept with its history, left out of current answers."""
    _print_write(obj.store().retract(item_id, author=_author(author), reason=reason), as_json)


@cli.command()
@click.argument("name")
@as_of_option
@json_option
@pass_ctx
def show(obj: Ctx, name: str, as_of: str | None, as_json: bool) -> None:
    """Show one row by id or name: its source, who recorded it, when and why."""
    result = obj.store().show(name, as_of=as_of)
    if as_json:
        output.emit_json(result.model_dump())
        return
    pairs = [(k, v) for k, v in result.row.items() if v is not None]
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
@click.option("--subject", default=None, help="Facts about this entity id.")
@click.option("--status", default=None, help="Only rows with this status (default: all but "
                                             "retracted).")
@as_of_option
@valid_at_option
@json_option
@pass_ctx
def list_(obj: Ctx, table: str, kind: str | None, subject: str | None, status: str | None,
          as_of: str | None, valid_at: str | None, as_json: bool) -> None:
    """List rows of one table."""
    rows = obj.store().rows(table, kind=kind, subject=subject, status=status, as_of=as_of,
                            valid_at=valid_at)
    if as_json:
        output.emit_json(rows)
        return
    cols = LIST_COLUMNS[table]
    output.table(cols, [[r[c] for c in cols] for r in rows], title=f"{table} ({len(rows)})")


@cli.command()
@click.option("-n", "--limit", type=int, default=None, help="Show at most N commits.")
@click.option("--author", default=None, help="Only commits whose author contains this.")
@click.option("--since", default=None, metavar="DATE", help="Only commits on or after DATE.")
@click.option("--until", default=None, metavar="DATE", help="Only commits on or before DATE.")
@click.option("--id", "item_id", default=None, help="Only commits that changed this row.")
@json_option
@pass_ctx
def log(obj: Ctx, limit: int | None, author: str | None, since: str | None, until: str | None,
        item_id: str | None, as_json: bool) -> None:
    """Commits, newest first: who changed the knowledge, when and why."""
    commits = obj.store().log(limit, author=author, since=since, until=until, item_id=item_id)
    if as_json:
        output.emit_json([c.model_dump() for c in commits])
        return
    output.table(("commit", "author", "date", "message"),
                 [[c.commit[:12], c.author, c.date, c.message.splitlines()[0]]
                  for c in commits])


@cli.command()
@click.argument("name")
@click.argument("ref", default="HEAD")
@click.option("-m", "--message", default=None, help="Tag message (optional).")
@by_option
@json_option
@pass_ctx
def tag(obj: Ctx, name: str, ref: str, message: str | None, author: str | None,
        as_json: bool) -> None:
    """Name a commit (default HEAD), such as a quarter close: facts tag FY26-Q3"""
    made = obj.store().tag(name, ref, message=message, author=_author(author))
    if as_json:
        output.emit_json(made.model_dump())
    else:
        output.line(f"Tagged {made.commit[:12]} as {made.name}")


@cli.command()
@json_option
@pass_ctx
def tags(obj: Ctx, as_json: bool) -> None:
    """List tags, newest first."""
    found = obj.store().tags()
    if as_json:
        output.emit_json([t.model_dump() for t in found])
        return
    output.table(("tag", "commit", "tagger", "date", "message"),
                 [[t.name, t.commit[:12], t.tagger, t.date, t.message] for t in found])


@cli.command()
@click.argument("from_ref", metavar="FROM")
@click.argument("to_ref", metavar="TO", default="HEAD")
@click.option("--table", default=None, help="Only this table.")
@click.option("--id", "item_id", default=None, help="Only this row.")
@json_option
@pass_ctx
def diff(obj: Ctx, from_ref: str, to_ref: str, table: str | None, item_id: str | None,
         as_json: bool) -> None:
    """What the knowledge changed between two refs (tags, quarters, commits, dates)."""
    result = obj.store().diff(from_ref, to_ref, table=table, item_id=item_id)
    if as_json:
        output.emit_json(result.as_json())
        return
    output.changelog(result)


@cli.command()
@click.argument("name")
@json_option
@pass_ctx
def history(obj: Ctx, name: str, as_json: bool) -> None:
    """Every version of one row: commit, author, date, reason, source, value."""
    result = obj.store().history(name)
    if as_json:
        output.emit_json(result.model_dump())
        return
    output.table(("commit", "author", "date", "reason", "source", "row"),
                 [[v.commit[:12], v.author, v.date, v.reason, v.source,
                   output.summary(v.row)] for v in result.versions],
                 title=f"history of {result.id}")


@cli.command()
@click.argument("target", metavar="TABLE|ID")
@json_option
@pass_ctx
def blame(obj: Ctx, target: str, as_json: bool) -> None:
    """Who last changed each row of a table (or one row), in which commit."""
    rows = obj.store().blame(target)
    if as_json:
        output.emit_json([r.model_dump() for r in rows])
        return
    output.table(("id", "commit", "author", "date", "message"),
                 [[r.id, r.commit[:12], r.author, r.date, r.message] for r in rows])


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
@click.option("--reason", default=None, help="Why (commit body).")
@by_option
@json_option
@pass_ctx
def config_set(obj: Ctx, name: str, value: str, reason: str | None, author: str | None,
               as_json: bool) -> None:
    """Set a setting as one commit: facts config set calendar.fiscal_year_start_month 2."""
    _print_write(obj.store().set_config(name, value, author=_author(author), reason=reason),
                 as_json)


@cli.command()
@click.argument("item_id", metavar="[ID]", required=False)
@click.option("--to", "to_ref", default=None, metavar="REF",
              help="Restore the row as it was at REF instead of undoing its last change.")
@click.option("--commit", default=None, metavar="HASH",
              help="With ID: undo what HASH did to that row only. Without ID: undo the whole "
                   "commit (Dolt's revert).")
@click.option("--reason", default=None, help="Why (commit body); required with an ID.")
@by_option
@json_option
@pass_ctx
def revert(obj: Ctx, item_id: str | None, to_ref: str | None, commit: str | None,
           reason: str | None, author: str | None, as_json: bool) -> None:
    """Undo one row's change as a new commit; its neighbours stay as they are.

    A row the undone change created is removed; a row it removed comes back. If the row changed
    again after --commit HASH, nothing is written and the exit code is 5.
    """
    store = obj.store()
    if item_id is None:
        if commit is None or to_ref is not None:
            raise InvalidInput("pass an ID to revert one row, or --commit HASH alone to "
                               "revert a whole commit")
        result = store.revert_commit(commit, author=_author(author))
    else:
        if commit is not None and to_ref is not None:
            raise InvalidInput("pass at most one of --commit and --to")
        result = store.revert(item_id, author=_author(author), reason=reason, to=to_ref,
                              commit=commit)
    _print_write(result, as_json)


@cli.command()
@click.argument("name")
@click.option("--from", "from_ref", default="main", metavar="REF", help="Start point (main).")
@json_option
@pass_ctx
def propose(obj: Ctx, name: str, from_ref: str, as_json: bool) -> None:
    """Create a branch for proposed corrections; then write to it with --branch NAME."""
    start = obj.store().propose(name, from_ref=from_ref)
    if as_json:
        output.emit_json({"branch": name, "commit": start})
    else:
        output.line(f"Created branch {name} at {start[:12]}; write to it with "
                    f"`facts --branch {name} …`, then `facts review {name}`.")


@cli.command()
@json_option
@pass_ctx
def branches(obj: Ctx, as_json: bool) -> None:
    """List branches with their latest commit."""
    found = obj.store().branches()
    if as_json:
        output.emit_json([b.model_dump() for b in found])
        return
    output.table(("", "branch", "commit", "author", "date", "message"),
                 [["*" if b.current else "", b.name, b.commit[:12], b.author, b.date,
                   b.message] for b in found])


@cli.command()
@click.argument("name")
@json_option
@pass_ctx
def review(obj: Ctx, name: str, as_json: bool) -> None:
    """What merging branch NAME into main would change (a semantic diff)."""
    result = obj.store().review(name)
    if as_json:
        output.emit_json(result.as_json())
    else:
        output.changelog(result)


@cli.command()
@click.argument("name")
@click.option("--prefer", type=click.Choice(["ours", "theirs"]), default=None,
              help="Resolve conflicting rows with main's (ours) or the branch's (theirs) version.")
@by_option
@json_option
@pass_ctx
def merge(obj: Ctx, name: str, prefer: str | None, author: str | None, as_json: bool) -> None:
    """Merge branch NAME into main as one commit. Conflicts: listed row by row, exit 5,
    nothing merged."""
    _print_write(obj.store().merge(name, author=_author(author), prefer=prefer), as_json)


@cli.group(invoke_without_command=True)
@json_option
@click.pass_context
def remote(ctx: click.Context, as_json: bool) -> None:
    """Dolt remotes: file:///dir on both backends; DoltHub/DoltLab URLs on a Dolt server."""
    if ctx.invoked_subcommand is None:
        remotes = ctx.find_object(Ctx).store().remotes()
        if as_json:
            output.emit_json([r.model_dump() for r in remotes])
            return
        for r in remotes:
            output.line(f"{r.name}\t{r.url}")


@remote.command("add")
@click.argument("name")
@click.argument("url")
@pass_ctx
def remote_add(obj: Ctx, name: str, url: str) -> None:
    """Add a remote: facts remote add origin file:///shared/knowledge."""
    obj.store().add_remote(name, url)
    output.line(f"Added remote {name}")


@cli.command()
@click.argument("remote_name", metavar="[REMOTE]", default="origin")
@click.argument("branch", required=False)
@pass_ctx
def push(obj: Ctx, remote_name: str, branch: str | None) -> None:
    """Push a branch (default: the current one) and tags to a remote (default origin)."""
    commit = obj.store().push(remote_name, branch)
    output.line(f"Pushed {branch or obj.store().branch} ({commit[:12]}) to {remote_name}")


@cli.command()
@click.argument("remote_name", metavar="[REMOTE]", default="origin")
@click.argument("branch", required=False)
@pass_ctx
def pull(obj: Ctx, remote_name: str, branch: str | None) -> None:
    """Fetch a remote branch and merge it into the current one."""
    head = obj.store().pull(remote_name, branch)
    output.line(f"Pulled {remote_name}; HEAD is {head[:12]}")


@cli.command()
@click.argument("url")
@click.argument("target")
@pass_ctx
def clone(obj: Ctx, url: str, target: str) -> None:
    """Clone a remote into TARGET: a folder (gets .facts/) or a mysql:// URL (new database)."""
    store = clone_store(url, target)
    obj._store = store
    output.line(f"Cloned {url} into {store.url} at {store.head()[:12]}")


@cli.command()
@click.argument("name", required=False)
@click.option("--context", default=None, help="Text around the name (other entities, a region).")
@click.option("--kind", default=None, help="Expected entity kind (customer, region, …).")
@click.option("--batch", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help='JSONL file, one {"query": …, "context": …} per line.')
@as_of_option
@valid_at_option
@json_option
@pass_ctx
def resolve(obj: Ctx, name: str | None, context: str | None, kind: str | None,
            batch: Path | None, as_of: str | None, valid_at: str | None, as_json: bool) -> None:
    """Which entity does NAME mean? resolved, ambiguous (with candidates) or unknown."""
    store = obj.store()
    if (name is None) == (batch is None):
        raise InvalidInput("pass a NAME or --batch FILE")
    if batch is not None:
        for query, ctx in _batch_queries(batch):
            result = store.resolve(query, context=ctx, kind=kind, as_of=as_of, valid_at=valid_at)
            click.echo(json.dumps(result.model_dump(), ensure_ascii=False))
        return
    assert name is not None
    result = store.resolve(name, context=context, kind=kind, as_of=as_of, valid_at=valid_at)
    if as_json:
        output.emit_json(result.model_dump())
        return
    output.line(f"{result.status}: " + (f"{result.entity['id']} ({result.entity['name']})"
                                        if result.entity else clean_query(name)))
    output.table(("id", "name", "kind", "score", "reasons"),
                 [[c.id, c.name, c.kind, c.score, "; ".join(c.reasons)]
                  for c in result.candidates])


@cli.command()
@click.argument("question")
@as_of_option
@valid_at_option
@click.option("--scope", default=None, help="Definitions of this scope first (finance, sales …).")
@click.option("--max-tokens", type=click.IntRange(min=1), default=None,
              help="Leave out the lowest-priority items until the pack fits (estimate).")
@click.option("--format", "fmt", type=click.Choice(["md", "xml", "json"]), default="md",
              show_default=True, help="How the pack is written for the prompt.")
@json_option
@pass_ctx
def context(obj: Ctx, question: str, as_of: str | None, valid_at: str | None,
            scope: str | None, max_tokens: int | None, fmt: str, as_json: bool) -> None:
    """The knowledge that answers QUESTION, cited [1], [2] … for a prompt.

    Prints the pack (pipe it into a model); with --json the whole pack with its items and hash,
    the input of `facts verify --pack`. Every pack is logged: `facts replay HASH`."""
    pack = obj.store().context(question, as_of=as_of, valid_at=valid_at, scope=scope,
                               max_tokens=max_tokens, format=fmt)  # type: ignore[arg-type]
    _print_pack(pack, as_json)
    output.line(f"pack {pack.hash[:12]} at {pack.version[:12]}: {len(pack.items)} items"
                + (f", {len(pack.trimmed)} left out" if pack.trimmed else ""), err=True)


def _print_pack(pack: ContextPack, as_json: bool) -> None:
    if as_json:
        output.emit_json(pack.model_dump())
    else:
        click.echo(pack.text, nl=False)


@cli.command()
@click.argument("pack_hash", metavar="HASH")
@json_option
@pass_ctx
def replay(obj: Ctx, pack_hash: str, as_json: bool) -> None:
    """Rebuild a logged pack byte for byte: what the model saw, and why."""
    _print_pack(obj.store().replay(pack_hash), as_json)


@cli.command()
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Newest N only.")
@json_option
@pass_ctx
def packs(obj: Ctx, limit: int | None, as_json: bool) -> None:
    """The render log: every context pack built on this branch, newest first."""
    logged = obj.store().packs(limit)
    if as_json:
        output.emit_json([p.model_dump() for p in logged])
        return
    output.table(("hash", "when", "version", "by", "items", "question"),
                 [[p.hash[:12], p.created_at, p.version[:12], p.created_by or "",
                   len(p.items), p.question] for p in logged])


@cli.command()
@click.argument("answer_file", metavar="ANSWER_FILE",
                type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--pack", "pack_file", required=True, metavar="PACK.json",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The pack the answer was written from (`facts context --json`).")
@json_option
def verify(answer_file: Path, pack_file: Path, as_json: bool) -> None:
    """Check an answer (a file, or - for stdin) against its pack: every [n] exists; numbers,
    amounts, percentages, dates and names in a cited sentence match the cited items; uncited
    numeric claims are flagged. Exit 1 when anything fails."""
    from factstore.verify import verify as check

    try:
        answer = sys.stdin.read() if str(answer_file) == "-" else answer_file.read_text(
            encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{answer_file.name}: not UTF-8 text ({exc.reason})") from None
    if not answer.strip():
        raise InvalidInput(f"{answer_file.name}: the answer is empty; nothing to verify")
    try:
        pack = ContextPack.model_validate_json(pack_file.read_bytes())
    except ValidationError as exc:
        raise InvalidInput(f"{pack_file.name}: not a context pack (facts context --json): "
                           f"{describe_error(exc)}") from None
    check_pack(pack, pack_file.name)
    report = check(answer, pack)
    if as_json:
        output.emit_json(report.model_dump())
    else:
        for sentence in report.failures:
            output.line(f"FAIL {sentence.text}")
            for problem in sentence.problems:
                output.line(f"  - {problem.reason}")
        s = report.summary
        verdict = "ok" if report.ok else f"{s.failed} of {s.sentences} sentences failed"
        output.line(f"{verdict} (sentences {s.sentences}, cited {s.cited}, claims checked "
                    f"{s.claims})" + ("; the answer says the pack lacks something"
                                      if report.abstained else ""))
    if not report.ok:
        sys.exit(1)


@cli.command("eval")
@click.argument("golden", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--strict", is_flag=True, help="Exit 1 when any case fails (for CI).")
@json_option
@pass_ctx
def eval_(obj: Ctx, golden: Path, strict: bool, as_json: bool) -> None:
    """How well packs answer a golden set (fixtures/golden.yaml shows the format): recall,
    precision, wrong-current rate, abstention accuracy, and what failed in each case."""
    from factstore.evaluate import evaluate, load_golden

    cases = load_golden(golden)
    report = evaluate(obj.store().context, cases)
    if as_json:
        output.emit_json(report.model_dump())
    else:
        for result in report.cases:
            if not result.ok:
                output.line(f"FAIL #{result.index} {result.question}")
                for problem in result.problems:
                    output.line(f"  - {problem}")
        m = report.metrics

        def pct(value: float | None) -> str:
            return "n/a" if value is None else f"{value:.1%}"

        output.line(f"{m.passed} of {m.cases} cases passed; recall {pct(m.recall)}, precision "
                    f"{pct(m.precision)}, wrong-current rate {pct(m.wrong_current_rate)}, "
                    f"abstention accuracy {pct(m.abstention_accuracy)}")
    if strict and report.metrics.passed < report.metrics.cases:
        sys.exit(1)


@cli.command()
@as_of_option
@click.option("--valid-at", default=None, metavar="DATE",
              help="Measure source freshness from this day (default: today; with --as-of, the "
                   "commit's day).")
@click.option("--max-age-days", type=int, default=180, show_default=True,
              help="A source captured longer ago than this is stale.")
@click.option("--strict", is_flag=True, help="Exit 1 when there is any finding (for CI).")
@click.option("--limit", type=click.IntRange(min=0), default=10, show_default=True,
              help="Findings shown per check on screen (--json always has all).")
@json_option
@pass_ctx
def health(obj: Ctx, as_of: str | None, valid_at: str | None, max_age_days: int, strict: bool,
           limit: int, as_json: bool) -> None:
    """What to fix before trusting answers: facts with no source or no quote, stale sources,
    open conflicts (equal top authority, different values), names several entities share,
    definitions with no owner."""
    report = obj.store().health(as_of=as_of, valid_at=valid_at, max_age_days=max_age_days)
    if as_json:
        output.emit_json(report.model_dump())
    else:
        output.table(("check", "findings"), [[c, n] for c, n in report.counts.items()],
                     title=f"Knowledge health at {report.commit[:12]} (sources stale after "
                           f"{report.max_age_days} days, counted to {report.valid_at})")
        for check, count in report.counts.items():
            shown = [f for f in report.findings if f.check == check][:limit]
            for finding in shown:
                output.line(f"{check:13} {', '.join(finding.ids)}: {finding.detail}")
            if count > len(shown):
                output.line(f"{check:13} … and {count - len(shown)} more (--json lists all)")
    if strict and not report.ok:
        sys.exit(1)


@cli.command()
@pass_ctx
def mcp(obj: Ctx) -> None:
    """Serve the store to an agent over MCP (stdio): tools resolve, context, lookup, history,
    diff, propose_correction (writes to a proposal branch only). Needs factstore[mcp]."""
    try:
        from factstore.mcp_server import serve
        import mcp as _sdk  # noqa: F401
    except ImportError:
        raise InvalidInput("facts mcp needs the MCP SDK: pip install 'factstore[mcp]'") from None
    serve(obj.store())


def clean_query(text: str) -> str:
    return repr(output.clean_for_terminal(text))


def _batch_queries(path: Path) -> list[tuple[str, str | None]]:
    """All lines validated before any is answered: a bad line names its number."""
    queries = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"{path.name}: line {lineno}: malformed JSON: {exc.msg}") from None
        if not isinstance(item, dict) or not isinstance(item.get("query"), str) or not (
                set(item) <= {"query", "context"}) or not isinstance(item.get("context", ""), str):
            raise InvalidInput(f'{path.name}: line {lineno}: expected {{"query": TEXT, '
                               '"context": TEXT (optional)}')
        queries.append((item["query"], item.get("context")))
    return queries


def main() -> None:
    cli(prog_name="facts")


if __name__ == "__main__":
    sys.exit(main())
