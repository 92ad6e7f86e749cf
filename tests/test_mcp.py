"""`facts mcp`: a real MCP client talks to `facts mcp` over stdio, on both backends."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

import pytest

from factstore import FactStore, open_store

from .conftest import AUTHOR, FIXTURES

mcp = pytest.importorskip("mcp")  # the test extra installs it; factstore[mcp] is optional


def _session(url: str, calls: list[tuple[str, dict[str, Any]]]) -> tuple[list[str], list[Any]]:
    from mcp import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    async def main() -> tuple[list[str], list[Any]]:
        params = StdioServerParameters(command=sys.executable,
                                       args=["-m", "factstore", "--url", url, "mcp"])
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            tools = sorted(t.name for t in (await session.list_tools()).tools)
            results = []
            for name, args in calls:
                result = await session.call_tool(name, args)
                text = result.content[0].text
                results.append(("error", text) if result.is_error else json.loads(text))
            return tools, results

    return asyncio.run(asyncio.wait_for(main(), timeout=120))


def test_mcp_tools_read_and_propose_on_a_branch_only(store: FactStore, store_url: str) -> None:
    store.import_file(FIXTURES / "northwind.yaml", author=AUTHOR)
    head = store.head()
    tools, (resolved, pack, row, history, diff, refused, proposed) = _session(store_url, [
        ("resolve", {"name": "Acme", "context": "EMEA renewal"}),
        ("context", {"question": "What was Acme GmbH's ACV in FY26-Q3?"}),
        ("lookup", {"name": "def:acv@finance"}),
        ("history", {"name": "def:acv@finance"}),
        ("diff", {"from_ref": "HEAD~1"}),
        ("propose_correction", {"name": "ACV", "scope": "finance", "definition": "X",
                                "branch": "main", "author": AUTHOR, "reason": "r"}),
        ("propose_correction", {"name": "ACV", "scope": "finance", "branch": "acv-fix",
                                "definition": "Recurring fees only.", "author": AUTHOR,
                                "reason": "finance asked"}),
    ])
    assert tools == ["context", "diff", "history", "lookup", "propose_correction", "resolve"]
    assert resolved["entity"]["id"] == "acme-gmbh"
    assert any(i["id"] == "fact:acme-gmbh-acv-fy26q3" for i in pack["items"])
    assert pack["version"] == head and "[1]" in pack["text"]
    assert row["id"] == "def:acv@finance" and len(history["versions"]) == 1
    assert diff["summary"]["facts"]["added"] == 164
    assert refused[0] == "error" and "not 'main'" in refused[1]
    assert proposed["commit"]
    assert store.head() == head  # main untouched
    assert store.get("def:acv@finance")["text"] != "Recurring fees only."
    with open_store(store_url, branch="acv-fix") as branch:
        assert branch.get("def:acv@finance")["text"] == "Recurring fees only."
