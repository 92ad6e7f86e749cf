"""History speed: diff between two tags with 100 changed facts as the store grows, single-fact
revert, and an as-of read of one row at an old tag.

    python bench/bench_history.py          # doltlite at 10k, 100k, 1M facts; server at 10k, 100k
    python bench/bench_history.py --sizes 10000,100000 --backends doltlite

The baseline is the same operation at the smallest size, in the same run: the diff should cost
what the change costs, not what the store holds. Targets (issue #3): diff <= 200 ms at 1M and
<= 2x the 10k time; revert <= 20 ms embedded; as-of read <= 5 ms.
The facts are loaded with one bulk INSERT per store (what is measured is history, not import).
"""

from __future__ import annotations

import factstore  # noqa: F401  (first: loads doltlite)

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from factstore import FactStore, init_store, open_store
from factstore.backends.base import Tx
from tests.doltserver import dolt_binary, running_server

AUTHOR = "Bench <bench@factstore.test>"
CHANGED = 100
COLS = ("id, subject_id, predicate, value, value_type, unit, period, source_id, quote, status, "
        "recorded_by, reason, rev")


def load(url: str, n: int) -> FactStore:
    init_store(url, author=AUTHOR).close()
    store = open_store(url)

    def body(tx: Tx) -> str:
        tx.execute("INSERT INTO sources (id, title, kind, authority, status, recorded_by, rev) "
                   "VALUES ('src:bench', 'Bench', 'system_of_record', 90, 'active', ?, 1)",
                   [AUTHOR])
        tx.executemany("INSERT INTO entities (id, kind, name, status, recorded_by, rev) "
                       "VALUES (?, ?, ?, ?, ?, ?)",
                       [(f"e{i}", "customer", f"Customer {i}", "active", AUTHOR, 1)
                        for i in range(1000)])
        for start in range(0, n, 50_000):
            # placeholders only: pymysql batches such an INSERT into multi-row statements
            tx.executemany(
                f"INSERT INTO facts ({COLS}) VALUES ({', '.join('?' * 13)})",
                [(f"fact:{i}", f"e{i % 1000}", "arr", str(i), "number", "USD", "FY26-Q3",
                  "src:bench", f"ARR {i}", "active", AUTHOR, "load", 1)
                 for i in range(start, min(n, start + 50_000))])
        return f"Load {n} facts"

    store.backend.write(body, AUTHOR)
    store.tag("base", author=AUTHOR)
    store = _reopen(store, url)
    step = max(1, n // CHANGED)

    def change(tx: Tx) -> str:
        tx.executemany("UPDATE facts SET value = ?, reason = 'q4', rev = rev + 1 WHERE id = ?",
                       [(f"changed-{i}", f"fact:{i}") for i in range(0, n, step)][:CHANGED])
        return f"Change {CHANGED} facts"

    store.backend.write(change, AUTHOR)
    store.tag("next", author=AUTHOR)
    return store


def _reopen(store: FactStore, url: str) -> FactStore:
    store.close()
    return open_store(url)


def timed(fn: Callable[[], Any], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def measure(store: FactStore, n: int) -> dict[str, float]:
    diff = store.diff("base", "next")
    assert len(diff.changes) == CHANGED, len(diff.changes)
    step = max(1, n // CHANGED)
    diffs = timed(lambda: store.diff("base", "next"), 5)
    reads = timed(lambda: store.get("fact:0", as_of="base"), 30)
    ids = iter([f"fact:{i}" for i in range(0, n, step)][1:21])
    reverts = timed(lambda: store.revert(next(ids), author=AUTHOR, reason="bench"), 20)
    return {"diff": statistics.median(diffs), "asof": statistics.median(reads),
            "revert": statistics.median(reverts)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default=None, help="comma-separated fact counts")
    ap.add_argument("--backends", default="doltlite,dolt")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="factstore-bench-"))
    binary = dolt_binary()
    for backend in args.backends.split(","):
        default = "10000,100000,1000000" if backend == "doltlite" else "10000,100000"
        sizes = [int(s) for s in (args.sizes or default).split(",")]
        if backend == "dolt" and not binary:
            print("dolt: skipped (no dolt binary; run scripts/install-dolt.sh)")
            continue
        print(f"\n{backend}: diff of two tags with {CHANGED} changed facts; revert one fact; "
              "as-of read of one row at the older tag (medians)")
        ctx = running_server(binary, tmp / "dolt") if backend == "dolt" else None
        server = ctx.__enter__() if ctx else None
        try:
            baseline = None
            for n in sizes:
                url = f"{server.url}/h{n}" if server else str(tmp / f"h{n}.db")
                t = time.perf_counter()
                store = load(url, n)
                built = time.perf_counter() - t
                m = measure(store, n)
                store.close()
                baseline = baseline or m["diff"]
                print(f"  {n:>9,} facts (built in {built:5.1f} s): diff {m['diff']:7.1f} ms "
                      f"= {m['diff'] / baseline:4.2f}x the {sizes[0]:,} diff | revert "
                      f"{m['revert']:6.1f} ms | as-of read {m['asof']:6.2f} ms")
        finally:
            if ctx:
                ctx.__exit__(None, None, None)


if __name__ == "__main__":
    main()
