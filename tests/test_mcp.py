"""`facts mcp`: a real MCP client talks to `facts mcp` over stdio, on both backends."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

import pytest

from factstore import FactStore, open_store

from .conftest import AUTHOR, FIXTURES, Facts

AGENT = "Support Agent <agent@northwind.test>"

mcp = pytest.importorskip("mcp")  # the test extra installs it; factstore[mcp] is optional


def _session(url: str, calls: list[tuple[str, dict[str, Any]]], *, author: str = AGENT
             ) -> tuple[list[str], list[Any]]:
    from mcp import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    async def main() -> tuple[list[str], list[Any]]:
        params = StdioServerParameters(command=sys.executable,
                                       args=["-m", "factstore", "--url", url, "mcp",
                                             "--as", author])
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
                                "branch": "main", "reason": "r"}),
        ("propose_correction", {"name": "ACV", "scope": "finance", "branch": "acv-fix",
                                "definition": "Recurring fees only.",
                                "reason": "finance asked"}),
    ])
    assert tools == ["context", "diff", "history", "lookup", "propose_correction", "replay",
                     "resolve", "verify"]
    assert resolved["entity"]["id"] == "acme-gmbh"
    assert any(i["id"] == "fact:acme-gmbh-acv-fy26q3" for i in pack["items"])
    assert pack["version"] == head and "[1]" in pack["text"]
    assert row["id"] == "def:acv@finance" and len(history["versions"]) == 1
    assert diff["summary"]["facts"]["added"] == 164
    assert refused[0] == "error" and "protected branch main" in refused[1]
    assert proposed["commit"]
    assert store.head() == head  # main untouched
    assert store.get("def:acv@finance")["text"] != "Recurring fees only."
    with open_store(store_url, branch="acv-fix") as branch:
        assert branch.get("def:acv@finance")["text"] == "Recurring fees only."


def test_mcp_verifies_an_answer_against_the_logged_pack(store: FactStore, store_url: str
                                                        ) -> None:
    """An agent checks its answer with the pack's hash, as `facts verify` does with the
    pack's file: a wrong figure and a superseded one fail, the right one passes; the pack
    replays byte for byte. There was no such tool: an agent wired through MCP could not check
    what it was about to say."""
    store.import_file(FIXTURES / "northwind.yaml", author=AUTHOR)
    question = "What is Veridian Pharma's ACV for FY26-Q3?"
    pack = store.context(question, valid_at="2025-11-10")
    number = {i.id: i.n for i in pack.items}
    current, old = (number["fact:veridian-pharma-acv-fy26q3-contract"],
                    number["fact:veridian-pharma-acv-fy26q3"])
    _, (right, wrong, superseded, replayed, unknown, empty) = _session(store_url, [
        ("verify", {"pack_hash": pack.hash[:12],
                    "answer": f"Veridian Pharma's ACV for FY26-Q3 is USD 1.35M [{current}]."}),
        ("verify", {"pack_hash": pack.hash,
                    "answer": f"Veridian Pharma's ACV for FY26-Q3 is USD 1.45M [{current}]."}),
        ("verify", {"pack_hash": pack.hash,
                    "answer": f"Veridian Pharma's ACV for FY26-Q3 is USD 1.5M [{old}]."}),
        ("replay", {"pack_hash": pack.hash}),
        ("verify", {"pack_hash": "0000000000", "answer": "x [1]."}),
        ("verify", {"pack_hash": pack.hash, "answer": " "}),
    ])
    assert right["ok"] is True
    assert wrong["ok"] is False and wrong["sentences"][0]["problems"][0]["kind"] == "number"
    assert superseded["ok"] is False
    assert superseded["sentences"][0]["problems"][0]["kind"] == "status"
    assert replayed["text"] == pack.text and replayed["hash"] == pack.hash
    assert unknown[0] == "error" and empty[0] == "error" and "answer: empty" in empty[1]


def test_mcp_proposal_to_main_in_any_case_or_failing_leaves_no_branch(
        store: FactStore, store_url: str) -> None:
    store.import_file(FIXTURES / "northwind.yaml", author=AUTHOR)
    head = store.head()
    correction = {"name": "ACV", "scope": "finance", "definition": "X", "reason": "r"}
    _, results = _session(store_url, [
        ("propose_correction", {**correction, "branch": "MAIN"}),
        ("propose_correction", {**correction, "branch": "Main"}),
        ("propose_correction", {**correction, "branch": "ｍａｉｎ"}),
        ("propose_correction", {**correction, "name": "no-such-term", "branch": "ghost"}),
    ])
    assert [r[0] for r in results] == ["error"] * 4
    assert all("protected branch main" in r[1] for r in results[:2])
    assert "not a valid branch name" in results[2][1]
    assert [b.name for b in store.branches()] == ["main"]
    with open_store(store_url) as reopened:
        assert reopened.branch == "main" and reopened.head() == head


def test_mcp_proposals_are_committed_as_the_server_author_not_the_agents_claim(
        store: FactStore, store_url: str) -> None:
    store.import_file(FIXTURES / "northwind.yaml", author=AUTHOR)
    _, (proposed,) = _session(store_url, [
        ("propose_correction", {"name": "ACV", "scope": "finance", "branch": "acv-fix",
                                "definition": "Recurring fees only.", "reason": "finance asked",
                                "agent": "Priya Nair <priya@northwind.test>\nCFO"}),
    ])
    with open_store(store_url, branch="acv-fix") as branch:
        top = branch.log(1)[0]
        row = branch.get("def:acv@finance")
    assert top.commit == proposed["commit"] and top.author == AGENT
    assert row["recorded_by"] == AGENT
    assert row["reason"] == "finance asked (agent: Priya Nair <priya@northwind.test> CFO)"


def test_mcp_refuses_to_start_without_an_author(store_url: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FACTS_AUTHOR", raising=False)
    result = Facts(store_url)("mcp", ok=False)
    assert result.exit_code == 4 and "--as" in result.output
    assert Facts(store_url)("mcp", "--as", "Agent <>", ok=False).exit_code == 2


def test_the_mcp_server_reports_the_package_version(store_url: str) -> None:
    from importlib.metadata import version

    from mcp import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    async def main() -> str:
        params = StdioServerParameters(command=sys.executable,
                                       args=["-m", "factstore", "--url", store_url, "mcp",
                                             "--as", AGENT])
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            return str((await session.initialize()).server_info.version)

    assert asyncio.run(asyncio.wait_for(main(), timeout=120)) == version("factstore")


def test_mcp_says_a_near_miss_as_the_cli_does(store: FactStore, store_url: str,
                                              tmp_path: Any) -> None:
    data = tmp_path / "halvorsen.yaml"
    data.write_text("factstore: 1\nentities:\n  - {id: halvorsen, kind: customer, "
                    "name: Halvorsen Marine ASA}\n", encoding="utf-8")
    store.import_file(data, author=AUTHOR)
    _, (resolved, looked_up) = _session(store_url, [
        ("resolve", {"name": "Halvorsn Marine"}),
        ("lookup", {"name": "Halvorsn Marine"}),
    ])
    assert resolved["status"] == "ambiguous"  # the status is a contract
    assert [c["id"] for c in resolved["candidates"]] == ["halvorsen"]
    score = resolved["candidates"][0]["score"]
    assert looked_up[0] == "error"  # the SDK puts "Error executing tool lookup: " before it
    assert looked_up[1].endswith(f": not sure: did you mean Halvorsen Marine ASA (halvorsen, "
                                 f"score {score})? Nothing is named 'Halvorsn Marine' "
                                 "exactly; use the id")
