"""Crash and load drills with figures (issue #16.5): kill -9 of imports, of correction loops
and of the Dolt server at random moments, then many writers at once with readers alongside.

    python bench/drills.py                      # the full counts (45-60 min on 2 busy cores)
    python bench/drills.py --trials 5 --server-trials 2 --server-kills 2 --facts 5000 \\
        --each 5                                # a quick look
    python bench/drills.py --only load          # one group: import, correct, server, load

Each line: trials, failures (must be 0), lost updates (acknowledged writes missing from the
history, or a shared fact not holding its last acknowledged value; must be 0), how many kills
found the writer still running, acknowledged writes and conflicts (exit 5), the latency of
an acknowledged correction (p50/p95, the whole `facts correct` command run in-process,
opening the store included), the longest wait of the first write after a kill, and the reads
made meanwhile with their errors (must be 0). What is checked after each kill is described in
tests/drills.py. Exit status 1 if any drill failed.
"""

from __future__ import annotations

import factstore  # noqa: F401  (first: loads doltlite)

import argparse
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests import drills
from tests.doltserver import dolt_binary, restartable_server, running_server

GROUPS = ("import", "correct", "server", "load")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=50, help="kills per drill on doltlite")
    ap.add_argument("--server-trials", type=int, default=10,
                    help="kills per client drill on a Dolt server")
    ap.add_argument("--server-kills", type=int, default=10, help="kills of the Dolt server")
    ap.add_argument("--facts", type=int, default=50_000, help="facts in the imported file")
    ap.add_argument("--processes", type=int, default=16, help="writers on a Dolt server")
    ap.add_argument("--doltlite-processes", type=int, default=4, help="writers on doltlite")
    ap.add_argument("--each", type=int, default=50, help="corrections per writer")
    ap.add_argument("--readers", type=int, default=2, help="readers during the load drills")
    ap.add_argument("--seed", type=int, default=None, help="random seed (default: printed)")
    ap.add_argument("--only", default=",".join(GROUPS), help="comma-separated groups")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(10**6)
    rng = random.Random(seed)
    only = set(args.only.split(","))
    binary = dolt_binary()
    tmp = Path(tempfile.mkdtemp(prefix="factstore-drills-"))
    print(f"drills: seed {seed}, {args.facts:,}-fact import file, work in {tmp}")
    if binary is None:
        print("dolt sql-server: skipped, no dolt binary (scripts/install-dolt.sh builds one)")
    results: list[drills.Figures] = []

    def show(figures: drills.Figures, began: float) -> None:
        results.append(figures)
        print(f"{figures.line()}  ({time.monotonic() - began:.0f} s)", flush=True)
        for failure in figures.failures[:10]:
            print(f"    FAILED: {failure}", flush=True)

    def work(name: str) -> Path:
        folder = tmp / f"{name}-{uuid.uuid4().hex[:6]}"
        folder.mkdir()
        return folder

    if "import" in only:
        began, w = time.monotonic(), work("import")
        show(drills.import_kill_drill(str(w / "s" / "facts.db"), w, args.trials, args.facts,
                                      rng, "kill -9 facts import, doltlite"), began)
    if "correct" in only:
        began, w = time.monotonic(), work("correct")
        show(drills.correction_kill_drill(str(w / "s" / "facts.db"), w, args.trials, rng,
                                          "kill -9 facts correct loop, doltlite"), began)
    if binary and only & {"import", "correct", "load"}:
        with running_server(binary, tmp / "server") as server:
            if "import" in only:
                began, w = time.monotonic(), work("simport")
                show(drills.import_kill_drill(f"{server.url}/imports", w, args.server_trials,
                                              args.facts, rng,
                                              "kill -9 facts import, server"), began)
            if "correct" in only:
                began, w = time.monotonic(), work("scorrect")
                show(drills.correction_kill_drill(f"{server.url}/corrections", w,
                                                  args.server_trials, rng,
                                                  "kill -9 facts correct loop, server"), began)
            if "load" in only:
                load(server.url, args.processes, args, show, work, "server")
    if binary and "server" in only:
        began, w = time.monotonic(), work("kill")
        with restartable_server(binary, w / "server") as restartable:
            show(drills.server_kill_drill(restartable, w, args.server_kills, args.facts, rng,
                                          "kill -9 dolt sql-server during writes"), began)
    if "load" in only:
        load(None, args.doltlite_processes, args, show, work, "doltlite")
    failed = sum(len(f.failures) for f in results)
    lost = sum(f.lost for f in results)
    print(f"total: {len(results)} drills, {sum(f.trials for f in results)} trials, "
          f"{failed} failures, {lost} lost updates")
    sys.exit(1 if failed or lost else 0)


def load(server_url: str | None, processes: int, args: argparse.Namespace,
         show: Callable[[drills.Figures, float], None], work: Callable[[str], Path],
         where: str) -> None:
    """The four load drills: one shared fact or one each, with and without --expect."""
    for same in (True, False):
        for expect in (False, True):
            began, w = time.monotonic(), work("load")
            url = (f"{server_url}/load{uuid.uuid4().hex[:6]}" if server_url
                   else str(w / "s" / "facts.db"))
            name = (f"{processes} x {args.each} corrections, {where}, "
                    f"{'one fact' if same else 'own facts'}{', --expect' if expect else ''}")
            show(drills.load_drill(url, w, processes, args.each, same_fact=same,
                                   expect=expect, readers=args.readers, name=name), began)


if __name__ == "__main__":
    main()
