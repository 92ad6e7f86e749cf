"""Commands that share knowledge like code: propose, branches, review, merge, remote, push,
pull, clone."""

from __future__ import annotations

import click

from factstore.backends.dolt import PASSWORD_ENV
from factstore.store import clone_store

from . import output
from .app import (
    Ctx,
    complete_branches,
    complete_refs,
    who,
    print_write,
    by_option,
    cli,
    json_option,
    pass_ctx,
)


@cli.command()
@click.argument("name")
@click.option("--from", "from_ref", default="main", metavar="REF", shell_complete=complete_refs,
              help="Start point (main).")
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
@click.option("--all", "show_all", is_flag=True, help="Also the import branches (imports/NAME).")
@json_option
@pass_ctx
def branches(obj: Ctx, show_all: bool, as_json: bool) -> None:
    """List branches with their latest commit (--all: also imports/NAME, the branch that holds
    what each import file last said)."""
    found = obj.store().branches(all=show_all)
    if as_json:
        output.emit_json([b.model_dump() for b in found])
        return
    output.table(("", "branch", "commit", "author", "date", "message"),
                 [["*" if b.current else "", b.name, b.commit[:12], b.author, b.date,
                   b.message] for b in found])


@cli.command()
@click.argument("name", shell_complete=complete_branches)
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
@click.argument("name", shell_complete=complete_branches)
@click.option("--prefer", type=click.Choice(["ours", "theirs"]), default=None,
              help="Resolve conflicting rows with main's (ours) or the branch's (theirs) version.")
@by_option
@json_option
@pass_ctx
def merge(obj: Ctx, name: str, prefer: str | None, author: str | None, as_json: bool) -> None:
    """Merge branch NAME into main as one commit, by someone who made none of its commits
    (exit 4 otherwise: nobody approves their own proposal). Into another branch (--branch B,
    say main into a proposal to settle a conflict) anyone may merge. Conflicts: listed row
    by row, exit 5, nothing merged."""
    print_write(obj.store().merge(name, author=who(author), prefer=prefer), as_json)


@cli.group(invoke_without_command=True)
@json_option
@click.pass_context
def remote(ctx: click.Context, as_json: bool) -> None:
    """Dolt remotes: file:///dir on both backends; a Dolt remotesapi (http(s)://HOST:PORT/db)
    or DoltHub/DoltLab on a Dolt server store."""
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
    """Add a remote: facts remote add origin file:///shared/knowledge, or
    http://HOST:PORT/db (a Dolt sql-server's remotesapi; Dolt server stores only)."""
    obj.store().add_remote(name, url)
    output.line(f"Added remote {name}")


user_option = click.option(
    "--user", default=None, metavar="USER",
    help=f"The remote's user (a remotesapi with users); its password is {PASSWORD_ENV} in "
         "the environment of whatever talks to the remote: the Dolt server, for a server "
         "store.")


@cli.command()
@click.argument("remote_name", metavar="[REMOTE]", default="origin")
@click.argument("branch", required=False, shell_complete=complete_branches)
@user_option
@pass_ctx
def push(obj: Ctx, remote_name: str, branch: str | None, user: str | None) -> None:
    """Push a branch (default: the current one) and tags to a remote (default origin), with
    the import branches (imports/NAME) in its history: a clone or pull of the remote then
    reloads each file against what it last said, keeping the corrections made since."""
    pushed = obj.store().push(remote_name, branch, user=user)
    output.line(f"Pushed {pushed.branch} ({pushed.commit[:12]}) to {remote_name}" + (
        f", with {', '.join(pushed.imports)}" if pushed.imports else ""))
    for name, why in pushed.not_pushed.items():
        output.line(f"note: {name} not pushed: {remote_name} holds one that moved on apart "
                    f"from this store's ({why})", err=True)


@cli.command()
@click.argument("remote_name", metavar="[REMOTE]", default="origin")
@click.argument("branch", required=False, shell_complete=complete_branches)
@click.option("--prefer", type=click.Choice(["ours", "theirs"]), default=None,
              help="For rows both this store and the remote changed differently: keep this "
                   "store's (ours) or take the remote's (theirs).")
@user_option
@by_option
@pass_ctx
def pull(obj: Ctx, remote_name: str, branch: str | None, prefer: str | None,
         user: str | None, author: str | None) -> None:
    """Fetch a remote branch and merge it into the current one.

    A row both sides changed to the same values is no conflict (this store's is kept, with
    who recorded it); a row only one side changed in its values takes that side's."""
    pulled = obj.store().pull(remote_name, branch, author=who(author), user=user,
                              prefer=prefer)
    took = [name for name, done in pulled.imports.items() if done != "kept"]
    output.line(f"Pulled {remote_name}; HEAD is {pulled.commit[:12]}" + (
        f", with {', '.join(took)}" if took else ""))
    for name in (name for name, done in pulled.imports.items() if done == "kept"):
        output.line(f"note: {name} kept as it is: this store imported that file since, apart "
                    f"from {remote_name}'s (its next import here merges with what it last "
                    "said here)", err=True)


@cli.command()
@click.argument("url")
@click.argument("target")
@user_option
@pass_ctx
def clone(obj: Ctx, url: str, target: str, user: str | None) -> None:
    """Clone a remote into TARGET: a folder (gets .facts/) or a mysql:// URL (new database).
    URL: file:///dir, or http://HOST:PORT/db (a Dolt remotesapi, into a mysql:// TARGET)."""
    store = obj.adopt(clone_store(url, target, user=user))
    output.line(f"Cloned {url} into {store.url} at {store.head()[:12]}")
