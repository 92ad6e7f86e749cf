"""Commands for a store served by Dolt servers: status (role, epoch, replication lag of each
server the store is reached through) and protect (Dolt's branch permissions on main)."""

from __future__ import annotations

import click

from factstore.store import server_status

from . import output
from .app import Ctx, cli, json_option, pass_ctx


@cli.command()
@json_option
@pass_ctx
def status(obj: Ctx, as_json: bool) -> None:
    """Each server the store is reached through (FACTS_URL for writes, then each of
    FACTS_READ_URL): its role and epoch in a Dolt cluster, its head, and the replication lag
    of its standbys. Exits 1 when a server does not answer."""
    found = server_status(obj.url, branch=obj.branch, read_url=obj.read_url)
    if as_json:
        output.emit_json([s.model_dump() for s in found])
    else:
        output.table(("use", "store", "role", "epoch", "branch", "head"),
                     [[s.use, s.url, s.role, "" if s.epoch is None else s.epoch,
                       s.branch or "", (s.head or "")[:12]] for s in found])
        for s in found:
            for r in s.replicas:
                lag = "?" if r.lag_ms is None else f"{r.lag_ms} ms"
                output.line(f"  {s.url} -> {r.remote} ({r.database}): {r.role} epoch "
                            f"{r.epoch}, lag {lag}, last update {r.last_update or 'never'}"
                            + (f", error: {r.error}" if r.error else ""))
            if s.error:
                output.line(f"  {s.url}: {s.error}", err=True)
    if any(s.role == "unreachable" for s in found):
        raise SystemExit(1)


@cli.command()
@click.argument("branch")
@click.option("--admin", "admins", multiple=True, required=True, metavar="USER",
              help="Server user who may do anything on BRANCH and edit its permissions "
                   "(repeatable).")
@click.option("--mergers", "mergers", multiple=True, metavar="USER…",
              help="Server users who may merge into BRANCH but never write it directly (the "
                   "review site's user); several after one --mergers, or repeat it.")
@json_option
@click.argument("more_mergers", nargs=-1, metavar="")
@pass_ctx
def protect(obj: Ctx, branch: str, admins: tuple[str, ...], mergers: tuple[str, ...],
            as_json: bool, more_mergers: tuple[str, ...]) -> None:
    """Protect BRANCH (main) with Dolt's branch permissions (a Dolt sql-server store only):
    `facts protect main --admin ops --mergers review alice`. Mergers may merge into it;
    everyone else only reads it and writes any other branch (proposals, the MCP server);
    only admins may create or move a branch of its name. Exit 4 on doltlite."""
    rows = obj.store().protect(branch, admins=admins, mergers=[*mergers, *more_mergers])
    if as_json:
        output.emit_json(rows)
        return
    output.table(("kind", "branch", "user", "host", "permissions"),
                 [[r["kind"], r["branch"], r["user"], r["host"], r["permissions"]]
                  for r in rows])
