"""Crash and load drills (issue #16.5), a few trials each: kill -9 of `facts import` and of a
loop of `facts correct` at random moments, kill -9 of the Dolt server during writes, and
writers racing on one fact or each on its own, with and without --expect, readers
alongside. The full counts, with figures, are bench/drills.py; what each check means is in
tests/drills.py. And the checks themselves find what they look for.
"""

from __future__ import annotations

import factstore  # noqa: F401  (loads doltlite before sqlite3)

import random
import uuid
from pathlib import Path
from typing import Any

import pytest

from factstore import open_store

from . import drills
from .doltserver import dolt_binary, restartable_server


@pytest.fixture(params=["doltlite", "dolt"])
def new_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a drill makes its store: a file, or a database not yet on the test server."""
    if request.param == "doltlite":
        return str(tmp_path / "store" / "facts.db")
    server = request.getfixturevalue("dolt_server")
    return f"{server.url}/d{uuid.uuid4().hex[:12]}"


def _passed(figures: drills.Figures) -> None:
    assert figures.failures == [], "\n".join(figures.failures)
    assert figures.lost == 0


def test_killing_an_import_at_random_moments_leaves_whole_commits(new_url: str,
                                                                  tmp_path: Path) -> None:
    trials = 3 if "mysql" not in new_url else 2
    figures = drills.import_kill_drill(new_url, tmp_path, trials, 1000, random.Random(16),
                                       "import")
    _passed(figures)
    assert figures.trials == trials
    assert all(wait < drills.LOCK_LIMIT_S for wait in figures.lock_waits)


def test_killing_a_correction_loop_loses_no_acknowledged_correction(new_url: str,
                                                                     tmp_path: Path) -> None:
    trials = 3 if "mysql" not in new_url else 2
    figures = drills.correction_kill_drill(new_url, tmp_path, trials, random.Random(5),
                                           "correct", window=(0.0, 0.5))
    _passed(figures)
    assert figures.trials == trials and figures.acked > 0
    assert figures.killed_running == trials  # the loop never ends by itself


@pytest.mark.dolt_server
def test_killing_the_dolt_server_during_writes_loses_nothing(tmp_path: Path) -> None:
    binary = dolt_binary()
    if binary is None:
        pytest.skip("no dolt binary (run scripts/install-dolt.sh)")
    with restartable_server(binary, tmp_path / "server") as server:
        figures = drills.server_kill_drill(server, tmp_path, 2, 1000, random.Random(7),
                                           "server")
        assert server.starts == 3
    _passed(figures)
    assert figures.trials == 2


@pytest.mark.parametrize(("same_fact", "expect"), [(True, False), (True, True),
                                                   (False, False)])
def test_concurrent_corrections_lose_no_update_and_readers_see_no_error(
        new_url: str, tmp_path: Path, same_fact: bool, expect: bool) -> None:
    figures = drills.load_drill(new_url, tmp_path, 4, 5, same_fact=same_fact, expect=expect,
                                readers=1, name="load")
    _passed(figures)
    assert figures.trials == 20 and figures.acked + figures.conflicts == 20
    assert figures.acked >= (1 if same_fact else 20)  # each writer on its own fact: no conflict
    assert figures.reads > 0 and figures.read_errors == 0


# --- the checks find what they look for ---------------------------------------------------


def test_the_check_finds_uncommitted_rows_a_lying_commit_and_a_lost_acknowledgement(
        tmp_path: Path) -> None:
    url = str(tmp_path / "store" / "facts.db")
    start = drills.seed_store(url, tmp_path)
    who = drills.author("liar")
    with open_store(url) as store:
        def lie(tx: Any) -> str:
            tx.execute("UPDATE facts SET value = '6', recorded_by = ?, rev = rev + 1 "
                       "WHERE id = 'fact:loop'", [who])
            return "Correct p_loop of drill (fact:loop)\n\nReason: r\nvalue: 0 -> 5"

        store.backend.write(lie, who)

        def unsigned(tx: Any) -> str:
            tx.execute("UPDATE facts SET value = '7', rev = rev + 1 WHERE id = 'fact:shared'")
            return "Something"

        store.backend.write(unsigned, who)
        store.backend.record("UPDATE facts SET value = '9' WHERE id = 'fact:w1'")
    check = drills.check_store(url, start, ["0" * 32], 0, "probe")
    found = "\n".join(check.problems)
    assert "says value 0 -> 5, the row says 0 -> 6" in found
    assert "fact:shared recorded by Drill seed" in found
    assert "uncommitted changes after the kill" in found and "fact:w1" in found
    assert "acknowledged commit 000000000000 is not in the history" in found
