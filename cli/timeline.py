"""Commands on the knowledge's history: log, tag, tags, diff, history, blame, revert."""

from __future__ import annotations

import click

from factstore.errors import InvalidInput
from factstore.results import match_note

from . import output
from .app import (
    Ctx,
    complete_refs,
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
@click.option("--all", "all_commits", is_flag=True,
              help="Every commit: also render-log commits and those merges brought in.")
@json_option
@pass_ctx
def log(obj: Ctx, limit: int | None, author: str | None, since: str | None, until: str | None,
        item_id: str | None, all_commits: bool, as_json: bool) -> None:
    """Commits, newest first: who changed the knowledge, when and why.

    The current branch's own line (its first parents): a merge stands for what it brought
    in, and commits that only record rendered context packs are left out, unless --all."""
    commits = obj.store().log(limit, author=author, since=since, until=until, item_id=item_id,
                              all_commits=all_commits)
    if as_json:
        output.emit_json([c.model_dump() for c in commits])
        return
    output.table(("commit", "author", "date", "message"),
                 [[c.commit[:12], c.author, c.date, c.message.splitlines()[0]]
                  for c in commits])


@cli.command()
@click.argument("name", shell_complete=complete_refs)
@click.argument("ref", default="HEAD", shell_complete=complete_refs)
@click.option("-m", "--message", default=None, help="Tag message (optional).")
@click.option("-d", "--delete", is_flag=True, help="Delete the tag NAME instead.")
@click.option("-f", "--force", is_flag=True, help="Move the tag NAME to REF if it exists.")
@by_option
@json_option
@pass_ctx
def tag(obj: Ctx, name: str, ref: str, message: str | None, delete: bool, force: bool,
        author: str | None, as_json: bool) -> None:
    """Name a commit (default HEAD), such as a quarter close: facts tag FY26-Q3

    `facts tag -d NAME` deletes a tag; `facts tag --force NAME REF` moves one."""
    if delete:
        if force or ref != "HEAD" or message:
            raise InvalidInput("-d takes only the tag NAME")
        gone = obj.store().delete_tag(name)
        if as_json:
            output.emit_json(gone.model_dump())
        else:
            output.line(f"Deleted tag {gone.name} (was {gone.commit[:12]})")
        return
    made = obj.store().tag(name, ref, message=message, author=who(author), force=force)
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
@click.argument("from_ref", metavar="FROM", shell_complete=complete_refs)
@click.argument("to_ref", metavar="TO", default="HEAD", shell_complete=complete_refs)
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
    """Every version of one row on this branch's line: commit, author, date, reason, source,
    and what it changed."""
    result = obj.store().history(name)
    if as_json:
        output.emit_json(result.model_dump())
        return
    output.matched(match_note(result.matched_by, result.matched_name, result.match_score))
    changes = output.version_changes(result.versions)
    output.table(("commit", "author", "date", "reason", "source", "change"),
                 [[v.commit[:12], output.by_whom(v.author, v.recorded_by), v.date, v.reason,
                   v.source, change] for v, change in zip(result.versions, changes, strict=True)],
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
                 [[r.id, r.commit[:12], output.by_whom(r.author, r.recorded_by), r.date,
                   r.message] for r in rows])


@cli.command()
@click.argument("item_id", metavar="[ID]", required=False)
@click.option("--to", "to_ref", default=None, metavar="REF", shell_complete=complete_refs,
              help="Restore the row as it was at REF instead of undoing its last change.")
@click.option("--commit", default=None, metavar="HASH",
              help="With ID: undo what HASH did to that row only. Without ID: undo the whole "
                   "commit.")
@click.option("-m", "--reason", default=None, help="Why (in the commit message); required.")
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
