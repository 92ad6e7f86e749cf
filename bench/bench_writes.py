"""Write speed: correction latency and bulk import, against plain sqlite3 measured in this run.

    python bench/bench_writes.py                 # both backends (server if a dolt binary exists)
    python bench/bench_writes.py --corrections 300 --facts 100000

The sqlite3 baselines run in a child process that never loads doltlite (once doltlite is
loaded, this process's sqlite3 *is* doltlite), on the same machine, in the same run.
Targets (issue #2): correction <= 10 ms embedded, <= 30 ms server; import >= 50k facts/s.
"""

from __future__ import annotations

import factstore  # noqa: F401  (first: loads doltlite)

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from factstore import FactStore, init_store, open_store
from tests.doltserver import dolt_binary, running_server

AUTHOR = "Bench <bench@factstore.test>"

BASELINE = r"""
import json, sqlite3, sys, time, statistics
path, n, rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
assert "doltlite" not in sys.modules
conn = sqlite3.connect(path, isolation_level=None)
conn.execute("CREATE TABLE facts (id TEXT PRIMARY KEY, subject_id TEXT, predicate TEXT,"
             " value TEXT, value_type TEXT, unit TEXT, period TEXT, source_id TEXT, quote TEXT,"
             " status TEXT, recorded_by TEXT, reason TEXT, rev INT)")
conn.execute("INSERT INTO facts (id, value, rev) VALUES ('f', '0', 1)")
lat = []
for i in range(n):
    t = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE facts SET value = ?, rev = rev + 1 WHERE id = 'f' AND rev = ?",
                 (str(i), i + 1))
    conn.execute("COMMIT")
    lat.append(time.perf_counter() - t)
data = [(f"fact:{i}", f"e{i % 1000}", "arr", str(i), "number", "USD", "FY26-Q3", "src:bench",
         "quote", "active", "Bench <b@x>", "load", 1) for i in range(rows)]
t = time.perf_counter()
conn.execute("BEGIN")
conn.executemany("INSERT INTO facts VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", data)
conn.execute("COMMIT")
imp = time.perf_counter() - t
print(json.dumps({"lat": lat, "import_s": imp}))
"""


def baseline(tmp: Path, n: int, rows: int) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-c", BASELINE, str(tmp / "plain.sqlite"), str(n),
                          str(rows)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def seed(store: FactStore) -> None:
    doc = Path(tempfile.mkdtemp()) / "seed.yaml"
    doc.write_text(
        "factstore: 1\nsources:\n  - {id: src:bench, title: Bench, kind: wiki, authority: 50}\n"
        "entities:\n  - {id: acme, kind: customer, name: Acme}\n"
        "facts:\n  - {id: fact:f, subject: acme, predicate: arr, value: 0, source: src:bench}\n",
        encoding="utf-8")
    store.import_file(doc, author=AUTHOR, reason="seed")


def corrections(url: str, n: int) -> list[float]:
    init_store(url, author=AUTHOR).close()
    with open_store(url) as store:
        seed(store)
        lat = []
        for i in range(1, n + 1):
            t = time.perf_counter()
            store.correct_fact("fact:f", str(i), author=AUTHOR, reason="bench")
            lat.append(time.perf_counter() - t)
    return lat


def facts_file(tmp: Path, rows: int) -> Path:
    path = tmp / "facts.jsonl"
    with path.open("w", encoding="utf-8") as out:
        out.write(json.dumps({"type": "source", "id": "src:bench", "title": "Bench",
                              "kind": "system_of_record", "authority": 90}) + "\n")
        for e in range(1000):
            out.write(json.dumps({"type": "entity", "id": f"e{e}", "kind": "customer",
                                  "name": f"Customer {e}"}) + "\n")
        for i in range(rows):
            out.write(json.dumps({"type": "fact", "id": f"fact:{i}", "subject": f"e{i % 1000}",
                                  "predicate": "arr", "value": i, "unit": "USD",
                                  "period": "FY26-Q3", "source": "src:bench",
                                  "quote": f"ARR {i}"}) + "\n")
    return path


def import_rate(url: str, path: Path) -> tuple[float, float]:
    """(seconds for the whole import_file, seconds of which were parse + validate)."""
    from factstore.importers import load_file

    init_store(url, author=AUTHOR).close()
    t = time.perf_counter()
    load_file(path)
    parse = time.perf_counter() - t
    with open_store(url) as store:
        t = time.perf_counter()
        result = store.import_file(path, author=AUTHOR, reason="bench")
        total = time.perf_counter() - t
    assert result.commit
    return total, parse


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] * 1000 if len(values) > 1 else 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corrections", type=int, default=200)
    ap.add_argument("--facts", type=int, default=100_000)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="factstore-bench-"))
    base = baseline(tmp, args.corrections, args.facts)
    base_lat = base["lat"]  # type: ignore[index]
    targets = [("doltlite", str(tmp / "bench.db"), 10.0)]
    binary = dolt_binary()
    with _maybe_server(binary, tmp) as server:
        if server:
            targets.append(("dolt sql-server", f"{server.url}/bench", 30.0))
        b50 = pct(base_lat, 50)  # type: ignore[arg-type]
        print(f"correction latency, {args.corrections} corrections of one fact "
              f"(read + compare-and-set UPDATE + Dolt commit)")
        print(f"  {'sqlite3 UPDATE+COMMIT (baseline)':34} p50 {b50:7.2f} ms  "
              f"p95 {pct(base_lat, 95):7.2f} ms")  # type: ignore[arg-type]
        for name, url, target in targets:
            lat = corrections(url, args.corrections)
            p50, p95 = pct(lat, 50), pct(lat, 95)
            print(f"  {'factstore on ' + name:34} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  "
                  f"= {p50 / b50:6.1f}x baseline  (target p50 <= {target:.0f} ms: "
                  f"{'ok' if p50 <= target else 'MISSED'})")
        path = facts_file(tmp, args.facts)
        base_rate = args.facts / base["import_s"]  # type: ignore[operator]
        print(f"\nimport of {args.facts} facts (+1000 entities), JSONL file -> one commit")
        print(f"  {'sqlite3 executemany (baseline)':34} {base_rate:10,.0f} facts/s")
        for name, url, _ in targets:
            url = url.replace("bench.db", "import.db").replace("/bench", "/bench_import")
            total, parse = import_rate(url, path)
            rate = args.facts / total
            print(f"  {'factstore on ' + name:34} {rate:10,.0f} facts/s  "
                  f"({total:.2f} s, of which parse+validate {parse:.2f} s) "
                  f"= {base_rate / rate:5.1f}x slower than baseline  (target >= 50,000/s: "
                  f"{'ok' if rate >= 50_000 else 'MISSED'})")


class _maybe_server:
    def __init__(self, binary: str | None, tmp: Path) -> None:
        self._cm = running_server(binary, tmp / "dolt") if binary else None

    def __enter__(self):  # type: ignore[no-untyped-def]
        return self._cm.__enter__() if self._cm else None

    def __exit__(self, *exc: object) -> None:
        if self._cm:
            self._cm.__exit__(*exc)


if __name__ == "__main__":
    main()
