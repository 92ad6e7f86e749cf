"""The `facts` group, what every command shares (options, the store it opens, printing a
write), and the one place library errors become exit codes (FactsGroup)."""

from __future__ import annotations

import sys
from typing import Any

import click

from factstore.errors import Ambiguous, Conflict, FactstoreError, InvalidInput
from factstore.results import WriteResult
from factstore.authors import default_author
from factstore.store import FactStore, open_store

from . import output

EPILOG = "Exit codes: 0 ok, 1 error, 2 bad input, 3 not found, 4 refused, 5 conflict."


class FactsGroup(click.Group):
    """Turns library errors into one line on stderr and the documented exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FactstoreError as exc:
            _fail(ctx, exc)
        except ValueError as exc:  # pydantic's ValidationError is one (imported only if used)
            if not _invalid(exc):
                raise
            from factstore.importers import describe_error

            _fail(ctx, InvalidInput(describe_error(exc)))  # type: ignore[arg-type]
        except BrokenPipeError:  # `facts list … | head`: the reader has what it wanted
            _quiet_stdout()
            ctx.exit(0)
        except OSError as exc:  # the last resort: a file or folder the library did not expect
            where = f" ({exc.filename})" if exc.filename else ""
            _fail(ctx, FactstoreError(f"{exc.strerror or exc}{where}"))
        finally:
            if isinstance(ctx.obj, Ctx):
                ctx.obj.progress.close()  # a bar left open by a crash


def _invalid(exc: ValueError) -> bool:
    """Whether exc is pydantic's ValidationError (never, when pydantic was not loaded)."""
    import sys

    core = sys.modules.get("pydantic_core")
    return core is not None and isinstance(exc, core.ValidationError)


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's own flush at exit cannot fail again
    on the closed pipe (and print a traceback)."""
    import os
    import sys

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _fail(ctx: click.Context, exc: FactstoreError) -> None:
    if isinstance(ctx.obj, Ctx):
        ctx.obj.progress.close()  # before the message, so a bar never draws over it
    output.line(f"error: {exc}", err=True)
    if isinstance(exc, Ambiguous):
        for c in exc.candidates:
            detail = ", ".join(str(c[k]) for k in ("scope", "period", "status", "valid")
                               if c.get(k) and c[k] != "active")
            label = f"{c.get('label') or ''}" + (f" ({detail})" if detail else "")
            output.line(f"  candidate: {c['id']}  {label}", err=True)
    if isinstance(exc, Conflict):
        for c in exc.details.get("conflicts", []):
            output.line(f"  conflict {c['table']} {c['id']}:", err=True)
            for side in [k for k in c if k not in ("table", "id")]:  # base/ours/theirs
                shown = "(absent)" if side == "base" and c[side] is None else \
                    output.summary(c[side], 300)  # no base: the row was not there
                output.line(f"    {side:6} {shown}", err=True)
        for label in ("undone", "current"):
            if exc.details.get(label):
                output.line(f"  {label}: {output.summary(exc.details[label], 300)}", err=True)
    ctx.exit(exc.exit_code)


# Commands that only read: with FACTS_READ_URL they run against a standby or read replica.
READ_COMMANDS = frozenset({
    "blame", "branches", "context", "diff", "eval", "export", "health", "history", "list",
    "log", "packs", "replay", "resolve", "review", "show", "tags",
})


class Ctx:
    def __init__(self, url: str | None, branch: str | None, read_url: str | None = None
                 ) -> None:
        self.url = url
        self.branch = branch
        self.read_url = read_url
        self._store: FactStore | None = None
        self.progress = output.ProgressBar()

    def store(self) -> FactStore:
        """The store this command uses: for a command of READ_COMMANDS, the first of
        FACTS_READ_URL that answers (else FACTS_URL); for any other, FACTS_URL's."""
        if self._store is None:
            current = click.get_current_context(silent=True)
            read = current is not None and current.info_name in READ_COMMANDS
            self._store = open_store(self.url, branch=self.branch, progress=self.progress,
                                     read=read, read_url=self.read_url)
        return self._store

    def adopt(self, store: FactStore) -> FactStore:
        """A store this command created (init, clone): closed with the command."""
        self._store = store
        return store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


pass_ctx = click.make_pass_decorator(Ctx)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")
as_of_option = click.option(
    "--as-of", default=None, metavar="REF", shell_complete=lambda c, p, i: complete_refs(c, p, i),
    help="Read the store as it was at a commit, tag, branch, date or fiscal quarter (FY26-Q3).")
valid_at_option = click.option("--valid-at", default=None, metavar="DATE",
                               help="Only what was true on that day (valid time).")
by_option = click.option(
    "--by", "author", default=None, metavar="'NAME <EMAIL>'",
    help="Author of the commit (default: FACTS_AUTHOR, then git user.name/email).",
)


def who(author: str | None) -> str | None:
    return author or default_author()


def print_write(result: WriteResult, as_json: bool) -> None:
    if as_json:
        output.emit_json(result.model_dump())
    elif result.commit is None:
        output.line("Nothing changed; no commit made.")
    elif not result.changed:  # a merge of what the branch already held, values and all
        output.line(f"Committed {result.commit[:12]}: no row's values changed")
    else:
        shown = ", ".join(result.changed[:8]) + (" …" if len(result.changed) > 8 else "")
        output.line(f"Committed {result.commit[:12]}: {len(result.changed)} changed ({shown})")


@click.group(cls=FactsGroup, epilog=EPILOG)
@click.option("--url", envvar="FACTS_URL", default=None, metavar="URL",
              help="Store: a path, doltlite:///path/facts.db, or mysql://user:pass@host:port/db "
                   "(env FACTS_URL). Default: .facts/ here or in a parent folder.")
@click.option("--read-url", envvar="FACTS_READ_URL", default=None, metavar="URL[,URL…]",
              help="Stores the read-only commands use (a cluster's standbys, read replicas), "
                   "tried in order; writes still go to --url (env FACTS_READ_URL). Packs "
                   "built there are logged in --url's store.")
@click.option("--branch", envvar="FACTS_BRANCH", default=None, metavar="BRANCH",
              shell_complete=lambda c, p, i: complete_branches(c, p, i),
              help="Read and write on this branch (default: main). Env FACTS_BRANCH.")
@click.version_option(package_name="factstore")
@click.pass_context
def cli(ctx: click.Context, url: str | None, read_url: str | None, branch: str | None) -> None:
    """factstore: company knowledge outside model weights, versioned by Dolt."""
    ctx.obj = Ctx(url, branch, read_url)
    ctx.call_on_close(ctx.obj.close)




def _late_branch(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """--branch given after the command (`facts correct … --branch fix-x`), as git users type
    it: the same as before it."""
    if not value or ctx.resilient_parsing:
        return
    obj = ctx.find_object(Ctx)
    if obj is None:
        return
    if obj.branch not in (None, value):
        raise click.BadParameter(f"two branches given: {obj.branch!r} and {value!r}")
    obj.branch = value


# Commands that read and write no branch of a store: a --branch of theirs would be ignored
NO_BRANCH = frozenset({"init", "clone", "completion", "users"})


def branch_anywhere(group: click.Group) -> None:
    """Give every command under group a --branch option of its own (the group keeps its),
    but those that read and write no branch (NO_BRANCH)."""
    for name, command in group.commands.items():
        if getattr(command, "pending", False) or name in NO_BRANCH:
            continue  # (a group that makes its commands on first use decorates them then)
        if isinstance(command, click.Group):
            branch_anywhere(command)
        elif not any(p.name == "late_branch" for p in command.params):
            command.params.append(click.Option(
                ["--branch", "late_branch"], metavar="BRANCH", expose_value=False,
                callback=_late_branch, shell_complete=complete_branches,
                help="Read and write on this branch (the same as `facts --branch B …`)."))


def _completion_store() -> FactStore | None:
    """The store a completion reads names from, or None (completion never fails)."""
    ctx = click.get_current_context(silent=True)
    root = ctx.find_root() if ctx else None
    url = root.params.get("url") if root else None
    try:
        return open_store(url)
    except FactstoreError:
        return None


def complete_branches(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    store = _completion_store()
    if store is None:
        return []
    with store:
        return [b.name for b in store.branches() if b.name.startswith(incomplete)]


def complete_refs(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """Tags, then branches, that start with what was typed."""
    store = _completion_store()
    if store is None:
        return []
    with store:
        names = [t.name for t in store.tags()] + [b.name for b in store.branches()]
    return [n for n in dict.fromkeys(names) if n.startswith(incomplete)]


def main() -> None:
    odd = _not_utf8(sys.argv[1:])
    if odd:
        click.echo(f"error: {odd}", err=True)
        sys.exit(2)
    cli(prog_name="facts")


def _not_utf8(args: list[str]) -> str | None:
    """What is wrong with the first argument that is not UTF-8 text (Python hands such bytes
    over as lone surrogates, which no store can hold), or None."""
    for i, arg in enumerate(args):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            raw = arg.encode("utf-8", "surrogateescape")
            after = f" (after {args[i - 1]})" if i and args[i - 1].startswith("-") else ""
            return f"argument {i + 1}{after} is not valid UTF-8: {raw!r}"
    return None


@cli.command()
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell: str) -> None:
    """Print the shell completion script for SHELL (commands, options, table, tag and branch
    names): eval "$(facts completion bash)" in ~/.bashrc."""
    from click.shell_completion import get_completion_class

    complete = get_completion_class(shell)
    assert complete is not None
    click.echo(complete(cli, {}, "facts", "_FACTS_COMPLETE").source())
