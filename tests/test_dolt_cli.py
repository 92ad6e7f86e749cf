"""What factstore writes through the server is plain Dolt: the real dolt CLI agrees."""

from __future__ import annotations

import re

from factstore import Definition, Entity, init_store, open_store

from .conftest import AUTHOR, DoltServer


def test_dolt_log_and_diff_show_factstore_commits(dolt_server: DoltServer) -> None:
    url = f"{dolt_server.url}/cli_check"
    init_store(url, author=AUTHOR).close()
    with open_store(url) as store:
        store.add(Entity(id="acme-corp", kind="customer", name="Acme"), author=AUTHOR)
        store.add(Definition(id="def:acv@finance", term="ACV", scope="finance",
                             text="Annual contract value"), author=AUTHOR)
        result = store.correct_definition("ACV", "Annualised recurring value",
                                          author="Bo Lind <bo@northwind.test>",
                                          reason="services reclassified")
        ours = store.log()

    log = _plain(dolt_server.cli("cli_check", "log", "--oneline", "-n", "4"))
    assert [line.split()[0] for line in log.splitlines()[:4]] == [
        c.commit for c in ours[:4]]
    full = _plain(dolt_server.cli("cli_check", "log", "-n", "1"))
    assert result.commit in full and "Author: Bo Lind <bo@northwind.test>" in full
    assert "Reason: services reclassified" in full

    diff = _plain(dolt_server.cli("cli_check", "diff", "HEAD~1", "HEAD"))
    changed = [line for line in diff.splitlines() if line.startswith(("| <", "| >"))]
    assert len(changed) == 2
    assert "Annual contract value" in changed[0] and "Annualised recurring value" in changed[1]


def _plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)
