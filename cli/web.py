"""`facts serve` (the review site) and `facts users add` (its users file)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from factstore.errors import InvalidInput

from . import output
from .app import Ctx, cli, pass_ctx


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but loopback needs --users or "
                   "--trust-header.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535))
@click.option("--user", "user", default=None, metavar="'NAME <EMAIL>'",
              help="Single local user: everyone reaching the site acts as this person.")
@click.option("--users", "users_file", default=None, metavar="FILE",
              type=click.Path(dir_okay=False, path_type=Path),
              help="Users file (facts users add): people sign in with a password.")
@click.option("--trust-header", default=None, metavar="HEADER",
              help="Take who is acting from this header, set by a trusted reverse proxy "
                   "(e.g. X-Forwarded-User: an email or 'Name <email>').")
@click.option("--approvers", default=None, metavar="EMAILS",
              help="Comma-separated emails of who may approve proposals (default: the "
                   "users file's 'approver' role, else anyone signed in but the author).")
@pass_ctx
def serve(obj: Ctx, host: str, port: int, user: str | None, users_file: Path | None,
          trust_header: str | None, approvers: str | None) -> None:
    """Serve the review site: search, entity and definition pages, history, diffs,
    proposals (approved by someone other than their author), health.

    Needs `pip install 'factstore[web]'`. Corrections and retractions made on the site go to
    a proposal branch; reverting one row writes to main at once."""
    try:
        import uvicorn

        from factstore.web import Auth, build_app
        from factstore.web.auth import read_users
    except ImportError as exc:
        raise click.ClickException(f"facts serve needs the web extra: pip install "
                                   f"'factstore[web]' ({exc.name} is missing)") from None
    if users_file is not None and not users_file.exists():
        raise InvalidInput(f"users: no file {users_file}")
    auth = Auth(user=user, users=read_users(users_file) if users_file else {},
                trust_header=trust_header,
                approvers=frozenset(e.strip().casefold() for e in approvers.split(",")
                                    if e.strip()) if approvers else None)
    auth.check_host(host)
    app = build_app(obj.store(), auth)
    output.line(f"factstore review site on http://{host}:{port}/ (store {obj.store().url})",
                err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")


@cli.group()
def users() -> None:
    """The users file of `facts serve --users FILE`."""


@users.command("add")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("author", metavar="'NAME <EMAIL>'")
@click.option("--role", "roles", multiple=True, type=click.Choice(["approver"]),
              help="A role (repeatable): approver.")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
def users_add(file: Path, author: str, roles: tuple[str, ...], password_stdin: bool) -> None:
    """Add a person to FILE (or replace their password and roles), storing only a scrypt
    hash of the password."""
    from factstore.web.auth import add_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    add_user(file, author, password, list(roles))
    output.line(f"{file}: {author}{' (' + ', '.join(roles) + ')' if roles else ''}")
