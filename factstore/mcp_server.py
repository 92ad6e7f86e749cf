"""`facts mcp`: the store's reads, and proposals on branches, as MCP tools over stdio.

Optional (`pip install 'factstore[mcp]'`, the official `mcp` SDK 2.x). Every tool is one
FactStore call and returns that call's JSON; errors come back as tool errors carrying the
same one-line message the CLI prints. The one tool that writes, propose_correction, writes
to a proposal branch only, never to main (review and merge it with `facts review`/`merge`).

The agent does not choose who it is: the server's author is fixed when it starts (`facts mcp
--as "Agent <email>"`, else FACTS_AUTHOR) and every proposal is committed as that author. What
the agent says about itself goes into the commit's reason, as text.
"""

from __future__ import annotations

import contextlib
from typing import Any

from factstore.authors import check_author
from factstore.errors import FactstoreError, InvalidInput, Refused
from factstore.store import FactStore, open_store
from factstore.store.sharing import check_branch_name
from factstore.text import clean_for_pack

MAX_AGENT = 200  # characters of what the agent says about itself

INSTRUCTIONS = (
    "factstore holds the company's versioned knowledge. Call `context` with the user's "
    "question and answer only from the pack it returns, citing items as [n]; say you do not "
    "know when the pack lacks the answer. Use `resolve` when a name may mean several "
    "entities. Check your answer with `verify` (the pack's hash and your answer) before "
    "giving it. Corrections go to a branch with `propose_correction` for a human to review."
)


def server_author(author: str | None) -> str:
    """The author every proposal of this server is committed as; refused without one."""
    if not author:
        raise Refused("facts mcp needs an author for the agent's proposals: pass "
                      "--as 'Agent Name <email>' or set FACTS_AUTHOR")
    return check_author(author)


def build_server(store: FactStore, author: str) -> Any:
    """An MCPServer whose tools read an open store; proposals are committed by author."""
    author = server_author(author)
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError

    from importlib.metadata import version

    server = MCPServer("factstore", version=version("factstore"), instructions=INSTRUCTIONS,
                       log_level="WARNING")

    def call(fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            result = fn(*args, **kwargs)
        except FactstoreError as exc:
            raise ToolError(str(exc)) from None
        return result.model_dump(by_alias=True) if hasattr(result, "model_dump") else result

    @server.tool()
    def resolve(name: str, context: str | None = None, kind: str | None = None
                ) -> dict[str, Any]:
        """Which entity a name means: resolved, ambiguous (with candidates) or unknown."""
        return call(store.resolve, name, context=context, kind=kind)  # type: ignore[no-any-return]

    @server.tool()
    def context(question: str, as_of: str | None = None, valid_at: str | None = None,
                scope: str | None = None, max_tokens: int | None = None,
                format: str = "md") -> dict[str, Any]:
        """The knowledge that answers a question: a ranked pack of items cited [n], with the
        knowledge version; `text` is the rendered pack to put in the prompt. Logged for
        replay."""
        if format not in ("md", "xml", "json"):
            raise ToolError(f"format: expected md, xml or json, got {format!r}")
        return call(store.context, question, as_of=as_of,  # type: ignore[no-any-return]
                    valid_at=valid_at, scope=scope, max_tokens=max_tokens, format=format)

    @server.tool()
    def replay(pack_hash: str) -> dict[str, Any]:
        """A logged pack (its `hash`, or a prefix), rebuilt byte for byte from the knowledge
        at its version: what a model was given, and from which rows."""
        return call(store.replay, pack_hash)  # type: ignore[no-any-return]

    @server.tool()
    def verify(answer: str, pack_hash: str) -> dict[str, Any]:
        """Check an answer against the logged pack it was written from (the `hash` that
        `context` returned): citations exist; numbers, amounts, dates, names and periods
        match the cited items; an outranked, superseded, conflicting or overridden item is
        not given as the answer without saying so; uncited numbers are flagged. `ok` false
        means the answer must not be given as it is."""
        return call(_verify, store, answer, pack_hash)  # type: ignore[no-any-return]

    @server.tool()
    def lookup(name: str, as_of: str | None = None) -> dict[str, Any]:
        """One row by id or name (term, alias), with its source and last change."""
        return call(store.show, name, as_of=as_of)  # type: ignore[no-any-return]

    @server.tool()
    def history(name: str) -> dict[str, Any]:
        """Every version of one row: commit, author, date, reason, source."""
        return call(store.history, name)  # type: ignore[no-any-return]

    @server.tool()
    def diff(from_ref: str, to_ref: str = "HEAD") -> dict[str, Any]:
        """What the knowledge changed between two refs (tags, quarters, commits)."""
        return call(store.diff, from_ref, to_ref)  # type: ignore[no-any-return]

    @server.tool()
    def propose_correction(name: str, branch: str, reason: str,
                           definition: str | None = None, value: str | None = None,
                           scope: str | None = None, predicate: str | None = None,
                           period: str | None = None, source: str | None = None,
                           agent: str | None = None) -> dict[str, Any]:
        """Correct a definition (`definition`) or a fact (`value`) on a proposal branch,
        created from main when new. Never writes to main. The commit's author is fixed by
        the server; `agent` (optional) says who you are, and is recorded with the reason."""
        return call(_propose, store, author, name, branch,  # type: ignore[no-any-return]
                    reason, agent, definition, value, scope, predicate, period, source)

    return server


def _verify(store: FactStore, answer: str, pack_hash: str) -> Any:
    from factstore.verify import verify

    if not answer or not answer.strip():
        raise InvalidInput("answer: empty")
    return verify(answer, store.replay(pack_hash))


def _propose(main: FactStore, author: str, name: str, branch: str, reason: str,
             agent: str | None, definition: str | None, value: str | None, scope: str | None,
             predicate: str | None, period: str | None, source: str | None) -> Any:
    """Validate everything that can be checked first; create the branch only then, and
    delete it again when the write fails on a branch this call created."""
    check_branch_name(branch)
    if (definition is None) == (value is None):
        raise InvalidInput("pass exactly one of definition or value")
    if not reason or not reason.strip():
        raise InvalidInput("reason: a proposal needs a reason")
    if agent and agent.strip():
        reason = f"{reason} (agent: {clean_for_pack(agent).strip()[:MAX_AGENT]})"
    start = None if branch in {b.name for b in main.branches()} else main.propose(branch)
    try:
        with open_store(main.url, branch=branch) as proposal:
            if definition is not None:
                return proposal.correct_definition(name, definition, scope=scope,
                                                   author=author, reason=reason, source=source)
            return proposal.correct_fact(name, value or "", predicate=predicate,
                                         period=period, author=author, reason=reason,
                                         source=source)
    except BaseException:
        if start is not None:
            with contextlib.suppress(FactstoreError):  # the write's error is the one to tell
                main.abandon(branch, at=start)
        raise


def serve(store: FactStore, author: str) -> None:
    build_server(store, author).run("stdio")


__all__ = [
    "INSTRUCTIONS", "MAX_AGENT", "build_server", "serve", "server_author"
]
