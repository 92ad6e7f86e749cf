"""The review site's server-side latency as the store grows: the entity page and search.

    python bench/bench_web.py                      # doltlite at 1k and 100k facts
    python bench/bench_web.py --sizes 1000,100000 --backends doltlite,dolt

The stores are bench_context.py's (10 facts per customer over two quarters, an alias per
customer, 20 definitions, 10 rules) plus a located_in relation from each customer to one of
five regions. Each request goes through the whole ASGI app in-process (Starlette's test
client: routing, the store's reads, the template, the CSRF cookie; no network): the entity page
of a random customer (`/item/cN`), a search for a customer's name (`/search?q=Customer N`,
through the resolver) and for a defined term (`/search?q=ACV`). Reported: p50/p95 and the
ratio against the smallest store in the same run. Target (issue #15): p50 <= 100 ms at 100k
facts for the entity page and search.
"""

from __future__ import annotations

import factstore  # noqa: F401  (first: loads doltlite)

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_context import PREDICATES, QUARTERS, load, report
from starlette.testclient import TestClient

from factstore import FactStore
from factstore.backends.base import Tx
from factstore.web import Auth, build_app
from tests.doltserver import dolt_binary, running_server

AUTHOR = "Bench <bench@factstore.test>"
RUNS = 200
REGIONS = ("amer", "emea", "apac", "latam", "anz")


def add_regions(store: FactStore, customers: int) -> None:
    def body(tx: Tx) -> str:
        tx.executemany("INSERT INTO entities (id, kind, name, status, recorded_by, rev) "
                       "VALUES (?, 'region', ?, 'active', ?, 1)",
                       [(r, r.upper(), AUTHOR) for r in REGIONS])
        tx.executemany("INSERT INTO relations (src_id, rel, dst_id, status, recorded_by, rev) "
                       "VALUES (?, 'located_in', ?, 'active', ?, 1)",
                       [(f"c{i}", REGIONS[i % len(REGIONS)], AUTHOR) for i in range(customers)])
        return "Regions"

    store.backend.write(body, AUTHOR)


def measure(web: TestClient, urls: list[str], check: str) -> list[float]:
    web.get(urls[0])  # the alias index: built once per version
    out = []
    for url in urls:
        start = time.perf_counter()
        got = web.get(url)
        out.append((time.perf_counter() - start) * 1000)
        assert got.status_code == 200 and check in got.text, url
    return out


def run(backend: str, sizes: list[int], url_for: Callable[[int], str]) -> None:
    base: dict[str, float] = {}
    for n in sizes:
        started = time.perf_counter()
        store = load(url_for(n), n)
        customers = n // (len(PREDICATES) * len(QUARTERS))
        add_regions(store, customers)
        print(f"{backend} {n:,} facts loaded in {time.perf_counter() - started:.1f} s",
              flush=True)
        web = TestClient(build_app(store, Auth(user=AUTHOR)))
        rng = random.Random(7)
        picks = [rng.randrange(customers) for _ in range(RUNS)]
        cases = {
            "entity page": ([f"/item/c{i}" for i in picks], "located_in"),
            "search name": ([f"/search?q=Customer {i}" for i in picks], "/item/c"),
            "search term": (["/search?q=ACV"] * RUNS, "def:t1@finance"),
        }
        for label, (urls, check) in cases.items():
            p50 = report(f"{backend} {n:>7,} {label}", measure(web, urls, check),
                         base.get(label))
            base.setdefault(label, p50)
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--backends", default="doltlite")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        if "doltlite" in args.backends.split(","):
            run("doltlite", sizes, lambda n: str(Path(tmp) / f"w{n}.db"))
        if "dolt" in args.backends.split(","):
            binary = dolt_binary()
            if binary is None:
                sys.exit("no dolt binary (scripts/install-dolt.sh)")
            with running_server(binary, Path(tmp) / "dolt") as server:
                run("dolt", sizes, lambda n: f"{server.url}/w{n}")


if __name__ == "__main__":
    main()
