"""Failover during a write loop, on a loopback Dolt cluster (a primary and a standby): how long
writes stop, and whether any acknowledged correction goes missing (it must not).

    python bench/failover.py                      # 5 switchovers, 20 acknowledged writes each side
    python bench/failover.py --trials 10 --writes 50

Each trial: one writer corrects a fact again and again on whichever server is primary (found
anew after a refusal); after --writes acknowledged commits the primary is demoted and the
standby promoted at the next epoch (cluster.switchover), and the loop goes on until --writes
more are acknowledged on the new primary. Then every acknowledged commit is looked for in the
new primary's history. Also measured: how long a commit takes to reach the standby.
"""

from __future__ import annotations

import factstore  # noqa: F401  (first: loads doltlite)

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from factstore import init_store, open_store
from factstore.backends import cluster
from factstore.backends.dolt import DoltServerBackend
from factstore.errors import FactstoreError
from tests.doltserver import dolt_binary, running_cluster

AUTHOR = "Bench <bench@factstore.test>"
SEATS = "fact:acme-gmbh-seats-fy26q3"
FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "northwind.yaml"


class Loop:
    """The writer: acknowledged (value, commit, seconds, when) and refusals."""

    def __init__(self, urls: list[str]) -> None:
        self.urls = urls
        self.acked: list[tuple[int, str, float, float]] = []
        self.refused = 0
        self.stop = threading.Event()

    def run(self) -> None:
        value, url = 1000, self.urls[0]
        while not self.stop.is_set():
            try:
                with open_store(url, read_url=",".join(self.urls)) as store:
                    while not self.stop.is_set():
                        start = time.perf_counter()
                        result = store.correct_fact(SEATS, value, author=AUTHOR, reason="loop")
                        done = time.perf_counter()
                        self.acked.append((value, str(result.commit), done - start, done))
                        value += 1
            except FactstoreError:
                self.refused += 1
                value += 1  # the refused one may have landed unacknowledged
                time.sleep(0.02)
                url = cluster.find_primary(self.urls) or url


def _wait(loop: Loop, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while len(loop.acked) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    if len(loop.acked) < count:
        raise SystemExit(f"the write loop stalled at {len(loop.acked)} acknowledged writes")


def replication_delay(primary: str, standby: str, samples: int) -> list[float]:
    """Seconds from a commit's acknowledgement on the primary to its head on the standby."""
    found = []
    with open_store(primary) as store, open_store(standby) as reader:
        for n in range(samples):
            commit = store.correct_fact(SEATS, 500 + n, author=AUTHOR, reason="lag").commit
            start = time.perf_counter()
            while reader.head() != commit:
                reader.close()
                reader = open_store(standby)
            found.append(time.perf_counter() - start)
    return found


def trial(urls: list[str], writes: int) -> dict[str, Any]:
    loop = Loop(urls)
    writer = threading.Thread(target=loop.run)
    writer.start()
    try:
        _wait(loop, writes)
        old, new = DoltServerBackend(urls[0]), DoltServerBackend(urls[1])
        switch_start = time.perf_counter()
        epoch = cluster.switchover(old, new)
        switched = time.perf_counter()
        old.close()
        new.close()
        before = len(loop.acked)
        _wait(loop, before + writes)
    finally:
        loop.stop.set()
        writer.join(timeout=60)
    with open_store(urls[1]) as promoted:
        history = {c.commit for c in promoted.log(all_commits=True)}
        last = promoted.get(SEATS)["value"]
    lost = [c for _, c, _, _ in loop.acked if c not in history]
    last_before = loop.acked[before - 1][3]
    first_after = next(t for _, _, _, t in loop.acked[before:] if t > switched)
    latencies = [s * 1000 for _, _, s, _ in loop.acked]
    return {"epoch": epoch, "acknowledged": len(loop.acked), "lost": len(lost),
            "refused_writes": loop.refused, "switchover_ms": (switched - switch_start) * 1000,
            "write_gap_ms": (first_after - last_before) * 1000,
            "last_value_ok": str(last) == str(loop.acked[-1][0]),
            "p50_ms": statistics.median(latencies),
            "p95_ms": statistics.quantiles(latencies, n=20)[-1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--writes", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    binary = dolt_binary()
    if binary is None:
        raise SystemExit("no dolt binary (scripts/install-dolt.sh)")
    with tempfile.TemporaryDirectory() as tmp, running_cluster(binary, Path(tmp)) as nodes:
        one, two = nodes
        results = []
        delays: list[float] = []
        for n in range(args.trials):
            primary, standby = (one, two) if n % 2 == 0 else (two, one)
            urls = [primary.url(f"f{n}"), standby.url(f"f{n}")]
            init_store(urls[0], author=AUTHOR).close()
            with open_store(urls[0]) as store:
                store.import_file(FIXTURE, author=AUTHOR)
            delays += replication_delay(urls[0], urls[1], 10)
            results.append(trial(urls, args.writes))
    summary = {"trials": len(results),
               "acknowledged": sum(r["acknowledged"] for r in results),
               "lost": sum(r["lost"] for r in results),
               "failures": sum(1 for r in results if r["lost"] or not r["last_value_ok"]),
               "replication_ms_p50": statistics.median(delays) * 1000,
               "replication_ms_max": max(delays) * 1000, "runs": results}
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    print(f"{'trial':>5} {'epoch':>5} {'acked':>6} {'lost':>4} {'refused':>7} "
          f"{'switch ms':>9} {'gap ms':>7} {'p50 ms':>7} {'p95 ms':>7}")
    for n, r in enumerate(results):
        print(f"{n:>5} {r['epoch']:>5} {r['acknowledged']:>6} {r['lost']:>4} "
              f"{r['refused_writes']:>7} {r['switchover_ms']:>9.0f} {r['write_gap_ms']:>7.0f} "
              f"{r['p50_ms']:>7.1f} {r['p95_ms']:>7.1f}")
    print(f"trials {summary['trials']}, acknowledged {summary['acknowledged']}, lost "
          f"{summary['lost']}, failures {summary['failures']}; commit reaches the standby in "
          f"{summary['replication_ms_p50']:.0f} ms (median), {summary['replication_ms_max']:.0f}"
          " ms (max)")


if __name__ == "__main__":
    main()
