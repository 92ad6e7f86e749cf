"""A JSONL import on a Dolt server against the server's own floor, in the same run.

    python bench/bench_server_import.py                      # 100k facts, 3 rounds
    python bench/bench_server_import.py --size 10000 --rounds 5 --against /work/main

Each round, in turn: the library's import of python -m bench's store file into a new database
with the server allowing LOAD DATA LOCAL (the import's bulk path), the same with it refused
(local_infile = 0: every row as INSERT statements), optionally a second checkout's import
(--against: its code, the same file and server), and two floors: suite.server_floor (LOAD
DATA LOCAL of the facts into one table, committed) and suite.server_floor_same_rows (every
row the first import wrote, into a new store's own tables, committed). Medians of the rounds,
and each series over each floor's median.
"""

from __future__ import annotations

import factstore  # noqa: F401  (first: loads doltlite)

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import suite  # noqa: E402
from tests.doltserver import dolt_binary, running_server  # noqa: E402


def set_local_infile(url: str, on: bool) -> None:
    import pymysql

    host, port = url.rsplit("@", 1)[1].split(":")
    conn = pymysql.connect(host=host, port=int(port), user="root", autocommit=True)
    with conn.cursor() as cur:
        cur.execute(f"SET GLOBAL local_infile = {int(on)}")
    conn.close()


def imported(url: str, data: Path, cwd: Path) -> float:
    """Seconds of one import_file into a new database, run by the checkout at cwd."""
    out = subprocess.run([sys.executable, "-c", suite.IMPORT_CHILD, url, str(data),
                          suite.AUTHOR], cwd=cwd, capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(cwd)})
    return float(json.loads(out.stdout)["seconds"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--against", type=Path, default=None,
                    help="another checkout (say the main branch's) to import with as well")
    args = ap.parse_args()
    binary = dolt_binary()
    if binary is None:
        sys.exit("no dolt binary (scripts/install-dolt.sh builds one)")
    work = Path(tempfile.mkdtemp(prefix="factstore-srvimport-"))
    data = work / "data.jsonl"
    customers = len(suite.write_jsonl(data, args.size))
    facts = customers * len(suite.PREDICATES) * len(suite.QUARTERS)
    times: dict[str, list[float]] = {}
    with running_server(binary, work / "dolt") as server:
        for n in range(args.rounds):
            times.setdefault("import, LOAD DATA", []).append(
                imported(f"{server.url}/load{n}", data, suite.ROOT))
            set_local_infile(server.url, False)
            try:
                times.setdefault("import, INSERT (local_infile=0)", []).append(
                    imported(f"{server.url}/insert{n}", data, suite.ROOT))
            finally:
                set_local_infile(server.url, True)
            if args.against:
                times.setdefault(f"import by {args.against}", []).append(
                    imported(f"{server.url}/against{n}", data, args.against))
            results = suite.Results()
            suite.server_floor(results, server.url, args.size, work)
            suite.server_floor_same_rows(results, server.url, args.size, facts, f"load{n}",
                                         work)
            for row in results.rows:
                times.setdefault(row["series"], []).append(row["value"] / 1000)
            print(f"round {n + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in times.items()),
                  flush=True)
    floors = {k: statistics.median(v) for k, v in times.items() if k.startswith("dolt floor")}
    print(f"{facts:,} facts, medians of {args.rounds} rounds (load average "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} at the end):")
    for name, values in times.items():
        median = statistics.median(values)
        ratios = ", ".join(f"{median / f:4.2f}x {k[len('dolt floor '):]}"
                           for k, f in floors.items())
        print(f"  {name:42} {median:6.2f} s {facts / median:8,.0f} facts/s = {ratios}")


if __name__ == "__main__":
    main()
