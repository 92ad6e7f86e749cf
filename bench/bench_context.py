"""Context pack build time as the store grows.

    python bench/bench_context.py                      # doltlite at 1k, 10k and 100k facts
    python bench/bench_context.py --sizes 1000,100000 --backends doltlite,dolt

Each store has 10 facts per customer (ARR, ACV, seats … over quarters), an alias per customer,
20 definitions and 10 rules. Questions name a random customer, a term and a quarter, as a user
would ("What was Customer 417's ACV in FY26-Q3?"). Reported: p50/p95 of `store.context()`
(building and rendering, without and with the render-log write), and the ratio against the
smallest store in the same run: a pack should cost what the question touches, not what the
store holds. Target (issue #5): p50 <= 30 ms at 100k facts.
"""

from __future__ import annotations

import factstore  # noqa: F401  (first: loads doltlite)

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from factstore import FactStore, init_store, open_store
from factstore.backends.base import Tx
from factstore.resolver import normalize
from tests.doltserver import dolt_binary, running_server

AUTHOR = "Bench <bench@factstore.test>"
PREDICATES = ("arr", "acv", "seats", "health_score", "renewal_date")
QUARTERS = ("FY26-Q2", "FY26-Q3")
TERMS = ("ARR", "ACV", "seats", "health score")
RUNS = 200


def load(url: str, n: int) -> FactStore:
    customers = n // (len(PREDICATES) * len(QUARTERS))
    init_store(url, author=AUTHOR).close()
    store = open_store(url)

    def body(tx: Tx) -> str:
        tx.execute("INSERT INTO sources (id, title, kind, authority, status, recorded_by, rev) "
                   "VALUES ('src:crm', 'CRM export', 'system_of_record', 90, 'active', ?, 1)",
                   [AUTHOR])
        tx.executemany("INSERT INTO entities (id, kind, name, normalized, status, recorded_by, "
                       "rev) VALUES (?, 'customer', ?, ?, 'active', ?, 1)",
                       [(f"c{i}", f"Customer {i}", f"customer {i}", AUTHOR)
                        for i in range(customers)])
        tx.executemany("INSERT INTO aliases (entity_id, normalized, alias, alias_kind, status, "
                       "recorded_by, rev) VALUES (?, ?, ?, 'code', 'active', ?, 1)",
                       [(f"c{i}", f"cust {i}", f"CUST {i}", AUTHOR) for i in range(customers)])
        terms = [TERMS[i % len(TERMS)] if i < 4 else f"Term {i}" for i in range(20)]
        tx.executemany("INSERT INTO definitions (id, term, normalized, scope, text, status, "
                       "recorded_by, rev) VALUES (?, ?, ?, ?, ?, 'active', ?, 1)",
                       [(f"def:t{i}@finance", term, normalize(term), "finance",
                         f"Definition number {i}.", AUTHOR) for i, term in enumerate(terms)])
        tx.executemany("INSERT INTO rules (id, applies_to, text, status, recorded_by, rev) "
                       "VALUES (?, 'kind:customer', ?, 'active', ?, 1)",
                       [(f"rule:r{i}", f"Rule {i} about discounts and renewals.", AUTHOR)
                        for i in range(10)])
        rows = [(f"fact:c{c}-{p}-{q}", f"c{c}", p, str(1000 + c), "number", q, "src:crm",
                 "active", AUTHOR, 1)
                for c in range(customers) for p in PREDICATES for q in QUARTERS]
        for start in range(0, len(rows), 50_000):
            tx.executemany("INSERT INTO facts (id, subject_id, predicate, value, value_type, "
                           "period, source_id, status, recorded_by, rev) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows[start:start + 50_000])
        return f"Load {len(rows)} facts"

    store.backend.write(body, AUTHOR)
    store.close()
    return open_store(url)


def measure(store: FactStore, customers: int, record: bool) -> list[float]:
    rng = random.Random(7)
    questions = [f"What was Customer {rng.randrange(customers)}'s "
                 f"{rng.choice(TERMS)} in {rng.choice(QUARTERS)}?" for _ in range(RUNS)]
    store.context(questions[0], record=False)  # the alias index: built once per version
    out = []
    for q in questions:
        start = time.perf_counter()
        pack = store.context(q, record=record, valid_at="2025-11-01")
        out.append((time.perf_counter() - start) * 1000)
        assert pack.items, q
    return out


def report(label: str, times: list[float], base: float | None) -> float:
    p50 = statistics.median(times)
    p95 = statistics.quantiles(times, n=20)[18]
    ratio = f"{p50 / base:5.2f}x the smallest" if base else "baseline"
    print(f"{label:34} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  {ratio}", flush=True)
    return p50


def run(backend: str, sizes: list[int], url_for: object) -> None:
    base: dict[bool, float] = {}
    for n in sizes:
        started = time.perf_counter()
        store = load(url_for(n), n)  # type: ignore[operator]
        print(f"{backend} {n:,} facts loaded in {time.perf_counter() - started:.1f} s", flush=True)
        customers = n // (len(PREDICATES) * len(QUARTERS))
        for record in (False, True):
            label = f"{backend} {n:>7,} context" + (" + log" if record else "")
            p50 = report(label, measure(store, customers, record), base.get(record))
            base.setdefault(record, p50)
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--backends", default="doltlite")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        if "doltlite" in args.backends:
            run("doltlite", sizes, lambda n: str(Path(tmp) / f"c{n}.db"))
        if "dolt" in args.backends.split(","):
            binary = dolt_binary()
            if binary is None:
                sys.exit("no dolt binary (scripts/install-dolt.sh)")
            with running_server(binary, Path(tmp) / "dolt") as server:
                run("dolt", sizes, lambda n: f"{server.url}/c{n}")


if __name__ == "__main__":
    main()
