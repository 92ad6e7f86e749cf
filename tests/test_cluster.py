"""A Dolt cluster on loopback (a primary and a standby, each its own DOLT_ROOT_PATH): reads
from the standby, writes refused there naming the primary, remotesapi remotes with a user,
and a failover during a write loop that loses no acknowledged commit. Also main protected by
Dolt's branch permissions (on the session's server).

The tests of this module share one cluster and run in order: the failover comes last.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pymysql
import pytest
from click.testing import CliRunner, Result

from factstore import init_store, open_store
from factstore.backends import cluster
from factstore.backends.dolt import DoltServerBackend
from factstore.cli import cli
from factstore.errors import FactstoreError, Refused

from .conftest import AUTHOR, FIXTURES
from .doltserver import ClusterNode, DoltServer, dolt_binary, running_cluster, running_server

pytestmark = pytest.mark.dolt_server

SEATS = "fact:acme-gmbh-seats-fy26q3"
QUESTION = "How many seats does Acme GmbH have in FY26-Q3?"


def _binary() -> str:
    binary = dolt_binary()
    if binary is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("no dolt binary — required under CI=true")
        pytest.skip("no dolt binary (run scripts/install-dolt.sh)")
    return binary


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ClusterNode, ClusterNode]]:
    with running_cluster(_binary(), tmp_path_factory.mktemp("cluster")) as found:
        yield found


def facts(*args: str, ok: bool = True) -> Result:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    if ok and result.exit_code != 0:
        raise AssertionError(f"facts {' '.join(args)} -> {result.exit_code}:\n{result.output}")
    return result


def _caught_up(standby_url: str, head: str, within_s: float) -> float:
    """Seconds until the standby's main is at head (fails after within_s)."""
    start = time.monotonic()
    while True:
        try:
            with open_store(standby_url) as standby:
                if standby.head() == head:
                    return time.monotonic() - start
        except FactstoreError:  # the database may not have reached the standby yet
            pass
        if time.monotonic() - start > within_s:
            raise AssertionError(f"the standby did not reach {head[:12]} in {within_s} s")
        time.sleep(0.02)


def test_reads_from_the_standby_match_the_primary_and_writes_there_are_refused(
        nodes: tuple[ClusterNode, ClusterNode]) -> None:
    primary, standby = nodes
    p, s = primary.url("kb"), standby.url("kb")
    init_store(p, author=AUTHOR).close()
    facts("--url", p, "import", str(FIXTURES / "northwind.yaml"), "--by", AUTHOR, "-m", "load")
    facts("--url", p, "correct", SEATS, "--value", "331", "--reason", "recount", "--by", AUTHOR)
    with open_store(p) as on_primary:
        head = on_primary.head()
        rows = on_primary.rows("facts")
        expected = on_primary.context(QUESTION, record=False)
    _caught_up(s, head, within_s=1.0)

    # every read command may run on the standby: the same rows, a byte-identical pack
    listed = facts("--url", p, "--read-url", s, "list", "facts", "--json")
    with open_store(p, read=True, read_url=s) as reader:
        assert reader.url == s and reader.rows("facts") == rows
    assert len(json.loads(listed.stdout)) == len([r for r in rows if r["status"] != "retracted"])
    shown = facts("--url", p, "--read-url", s, "show", SEATS, "--json")
    assert json.loads(shown.stdout)["row"]["value"] in ("331", 331)
    packed = facts("--url", p, "--read-url", s, "context", QUESTION)
    assert packed.stdout.encode() == expected.text.encode()
    assert "not logged" not in packed.stderr  # logged on the primary, which takes writes
    with open_store(p) as on_primary:
        logged = on_primary.packs()
        assert [lp.hash for lp in logged] == [expected.hash]
        assert on_primary.replay(expected.hash).text == expected.text
    deadline = time.monotonic() + 1.0  # the log row reaches the standby with the working set
    while time.monotonic() < deadline:
        with open_store(s) as on_standby:
            if [lp.hash for lp in on_standby.packs()] == [expected.hash]:
                break
        time.sleep(0.02)
    else:
        raise AssertionError("the pack logged on the primary did not reach the standby")

    # a write sent to the standby: exit 4, one line naming the primary
    refused = facts("--url", s, "--read-url", p, "correct", SEATS, "--value", "1",
                    "--reason", "wrong server", "--by", AUTHOR, ok=False)
    assert refused.exit_code == 4
    lines = refused.output.strip().splitlines()
    assert len(lines) == 1 and f"the primary is mysql://root@127.0.0.1:{primary.port}/kb" \
        in lines[0], lines
    alone = facts("--url", s, "correct", SEATS, "--value", "1", "--reason", "x", "--by",
                  AUTHOR, ok=False)
    assert alone.exit_code == 4 and "standby" in alone.output and "one" in alone.output

    # status: role, epoch and the standby's lag, for the write and the read servers
    status = json.loads(facts("--url", p, "--read-url", s, "status", "--json").stdout)
    assert [(x["use"], x["role"], x["epoch"]) for x in status] == [
        ("write", "primary", 1), ("read", "standby", 1)]
    assert status[0]["head"] == status[1]["head"] == head
    assert [r["remote"] for r in status[0]["replicas"]] == ["two"]


@pytest.fixture(scope="module")
def pushing_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DoltServer]:
    """A second Dolt server whose dolt_push/dolt_clone present a password to remotesapi."""
    with running_server(_binary(), tmp_path_factory.mktemp("pusher"),
                        {"DOLT_REMOTE_PASSWORD": "s3cret"}) as server:
        yield server


def test_remotesapi_remotes_with_a_user(nodes: tuple[ClusterNode, ClusterNode],
                                        pushing_server: DoltServer, tmp_path: Path) -> None:
    primary, _ = nodes
    root = pymysql.connect(host="127.0.0.1", port=primary.port, user="root", autocommit=True)
    with root.cursor() as cur:
        cur.execute("CREATE USER 'pusher'@'%' IDENTIFIED BY 's3cret'")
        cur.execute("GRANT ALL ON *.* TO 'pusher'@'%'")
    root.close()
    source = primary.url("shared")
    init_store(source, author=AUTHOR).close()
    facts("--url", source, "import", str(FIXTURES / "northwind.yaml"), "--by", AUTHOR, "-m", "x")
    remote = f"http://127.0.0.1:{primary.remotesapi_port}/shared"
    copy = f"{pushing_server.url}/copy"

    facts("clone", remote, copy, "--user", "pusher")
    facts("--url", copy, "correct", SEATS, "--value", "402", "--reason", "a", "--by", AUTHOR)
    facts("--url", copy, "push", "origin", "main", "--user", "pusher")
    with open_store(source) as shared:
        assert shared.get(SEATS)["value"] in ("402", 402)
        shared.correct_fact(SEATS, 403, author=AUTHOR, reason="b")
    facts("--url", copy, "pull", "origin", "main", "--user", "pusher", "--by", AUTHOR)
    with open_store(copy) as copied:
        assert copied.get(SEATS)["value"] in ("403", 403)
        assert [r.url for r in copied.remotes()] == [remote]

    # doltlite cannot speak remotesapi: exit 4, saying so, nothing made
    embedded = tmp_path / "facts.db"
    init_store(str(embedded), author=AUTHOR).close()
    added = facts("--url", str(embedded), "remote", "add", "origin", remote, ok=False)
    assert added.exit_code == 4 and "remotesapi" in added.output
    cloned = facts("clone", remote, str(tmp_path / "c"), ok=False)
    assert cloned.exit_code == 4 and not (tmp_path / "c").exists()
    with_password = facts("--url", copy, "remote", "add", "o2",
                          f"http://pusher:s3cret@127.0.0.1:{primary.remotesapi_port}/shared",
                          ok=False)
    assert with_password.exit_code == 2 and "s3cret" not in with_password.output


def _correct_until(stop: threading.Event, urls: list[str], acked: list[tuple[int, str]],
                   refused: list[str]) -> None:
    """Correct one fact again and again on whichever server is primary; a write refused
    (a standby, a server in the middle of its role change) is tried again, on the primary
    found anew, with the next value (the refused one may have landed without its answer
    coming back: it is not acknowledged, and not counted); a write counts once its commit
    hash came back."""
    value = 1000
    url = urls[0]
    while not stop.is_set():
        try:
            with open_store(url, read_url=",".join(urls)) as store:
                while not stop.is_set():
                    result = store.correct_fact(SEATS, value, author=AUTHOR, reason="loop")
                    assert result.commit
                    acked.append((value, result.commit))
                    value += 1
        except FactstoreError as exc:
            refused.append(str(exc))
            value += 1
            time.sleep(0.05)
            url = cluster.find_primary(urls) or url


def test_failover_during_a_write_loop_loses_no_acknowledged_commit(
        nodes: tuple[ClusterNode, ClusterNode]) -> None:
    primary, standby = nodes
    urls = [primary.url("loop"), standby.url("loop")]
    init_store(urls[0], author=AUTHOR).close()
    facts("--url", urls[0], "import", str(FIXTURES / "northwind.yaml"), "--by", AUTHOR, "-m", "x")
    acked: list[tuple[int, str]] = []
    refused: list[str] = []
    stop = threading.Event()
    writer = threading.Thread(target=_correct_until, args=(stop, urls, acked, refused))
    writer.start()
    try:
        while len(acked) < 10:
            time.sleep(0.05)
        old = DoltServerBackend(urls[0])
        new = DoltServerBackend(urls[1])
        epoch = cluster.switchover(old, new)
        old.close()
        new.close()
        before = len(acked)
        deadline = time.monotonic() + 30
        while len(acked) < before + 10 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        writer.join(timeout=60)
    assert len(acked) >= before + 10, refused[-3:]
    assert epoch == 2
    assert cluster.find_primary(urls) == urls[1]
    with open_store(urls[1]) as promoted:
        history = {c.commit for c in promoted.log(all_commits=True)}
        lost = [commit for _, commit in acked if commit not in history]
        assert lost == []
        assert promoted.get(SEATS)["value"] in (str(acked[-1][0]), acked[-1][0])
    _caught_up(urls[0], promoted_head(urls[1]), within_s=5.0)  # the old primary follows


def promoted_head(url: str) -> str:
    with open_store(url) as store:
        return store.head()


# --- protected main (Dolt's branch permissions, on the session's server) ---------------------


def _user(server: DoltServer, database: str, name: str) -> str:
    port = int(server.url.rsplit(":", 1)[1])
    root = pymysql.connect(host="127.0.0.1", port=port, user="root", autocommit=True)
    with root.cursor() as cur:
        cur.execute(f"CREATE USER '{name}'@'%' IDENTIFIED BY 'pw'")
        cur.execute(f"GRANT ALL ON `{database}`.* TO '{name}'@'%'")
    root.close()
    return f"mysql://{name}:pw@127.0.0.1:{port}/{database}"


def test_protected_main_takes_merges_from_mergers_only(dolt_server: DoltServer,
                                                       tmp_path: Path) -> None:
    from factstore.mcp_server import _propose

    database = f"p{uuid.uuid4().hex[:10]}"
    url = f"{dolt_server.url}/{database}"
    init_store(url, author=AUTHOR).close()
    facts("--url", url, "import", str(FIXTURES / "northwind.yaml"), "--by", AUTHOR, "-m", "x")
    tag = database[1:7]
    editor, agent, reviewer = (_user(dolt_server, database, f"{who}{tag}")
                               for who in ("ed", "mcp", "rev"))
    shown = facts("--url", url, "protect", "main", "--admin", "root", "--mergers", f"rev{tag}",
                  "--json")
    assert {(r["kind"], r["branch"], r["user"], r["permissions"])
            for r in json.loads(shown.stdout)} >= {
        ("branch", "main", "%", "read"), ("branch", "main", f"rev{tag}", "merge"),
        ("branch", "main", "root", "admin"), ("namespace", "main", "root", "create")}

    # an editor's correction on main, and the MCP server's user writing main: refused
    on_main = facts("--url", editor, "correct", SEATS, "--value", "1", "--reason", "x", "--by",
                    AUTHOR, ok=False)
    assert on_main.exit_code == 4 and "permissions" in on_main.output
    with open_store(agent) as as_agent:
        with pytest.raises(Refused):
            as_agent.correct_fact(SEATS, 2, author=AUTHOR, reason="x")
        # nor can a branch be forced onto main, the way round branch_control
        as_agent.propose("sneak")
        with pytest.raises(Refused):
            as_agent.backend.call("dolt_branch", "-f", "main", "sneak")
        # the MCP server's proposal on its own branch works
        proposed = _propose(as_agent, AUTHOR, SEATS, "agent-fix", "recount", None, None, "305",
                            None, None, None, None)
        assert proposed.commit
    facts("--url", editor, "propose", "ed-fix")
    facts("--url", editor, "--branch", "ed-fix", "correct", SEATS, "--value", "310",
          "--reason", "recount", "--by", AUTHOR)

    # merging: the editor may not, a merger may
    denied = facts("--url", editor, "merge", "ed-fix", "--by", AUTHOR, ok=False)
    assert denied.exit_code == 4
    facts("--url", reviewer, "merge", "ed-fix", "--by", "Rui Costa <rui@northwind.test>")
    with open_store(url) as store:
        assert store.get(SEATS)["value"] in ("310", 310)
    direct = facts("--url", reviewer, "correct", SEATS, "--value", "3", "--reason", "x", "--by",
                   AUTHOR, ok=False)
    assert direct.exit_code == 4

    embedded = tmp_path / "facts.db"
    init_store(str(embedded), author=AUTHOR).close()
    assert facts("--url", str(embedded), "protect", "main", "--admin", "root",
                 ok=False).exit_code == 4
