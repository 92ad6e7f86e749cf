"""Commands on the knowledge's history: log, tag, tags, diff, history, blame, revert."""

from __future__ import annotations

import click

from factstore.errors import InvalidInput

from . import output
from .app import (
    Ctx,
    who,
    print_write,
    by_option,
    cli,
    json_option,
    pass_ctx,
)


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
    made = obj.store().tag(name, ref, message=message, author=who(author))
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


@cli.command()
@click.argument("item_id", metavar="[ID]", required=False)
@click.option("--to", "to_ref", default=None, metavar="REF",
              help="Restore the row as it was at REF instead of undoing its last change.")
@click.option("--commit", default=None, metavar="HASH",
              help="With ID: undo what HASH did to that row only. Without ID: undo the whole "
                   "commit.")
@click.option("--reason", default=None, help="Why (in the commit message); required.")
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
        result = store.revert_commit(commit, author=who(author), reason=reason)
    else:
        if commit is not None and to_ref is not None:
            raise InvalidInput("pass at most one of --commit and --to")
        result = store.revert(item_id, author=who(author), reason=reason, to=to_ref,
                              commit=commit)
    print_write(result, as_json)
