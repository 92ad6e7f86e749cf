"""health at 10k and 100k facts on both backends, A/B: this checkout's code against another
(`--base`, e.g. an export of main) on the same stores, in the same run, rounds alternating.

    python bench/bench_health.py --base /tmp/main-export
    python bench/bench_health.py --base /tmp/main-export --sizes 10000 --backends doltlite

The stores are the suite's (bench/suite.py: its JSONL import, a quarter's change, 21
corrections superseding facts), built once by this checkout's code. Each timing is a child
process started in the code root it measures (so `import factstore` loads that code), which
opens the store, runs health once to warm up, then prints the median of --runs calls: wall
time, and, as the machine may be shared, CPU time (this process's, and the Dolt server
process's during the calls), which other work on the machine moves far less than wall time.
Target (issue #14): health <= 1 s at 100k facts and <= 10x its 10k time.
"""

from __future__ import annotations

import factstore  # noqa: F401  (first: loads doltlite)

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import suite  # noqa: E402

from tests.doltserver import dolt_binary, running_server, server_pid  # noqa: E402

TIME_CHILD = r"""
import factstore, json, os, statistics, sys, time
url, runs, server = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
""" + suite.SERVER_CPU + r"""
with factstore.open_store(url) as store:
    first = store.health()
    wall, cpu, served = [], [], []
    for _ in range(runs):
        t, c, s = time.perf_counter(), time.process_time(), server_cpu()
        report = store.health()
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        served.append((server_cpu() - s) * 1000)
    assert report.findings == first.findings
print(json.dumps({"ms": statistics.median(wall), "cpu_ms": statistics.median(cpu),
                  "server_cpu_ms": statistics.median(served), "file": factstore.__file__,
                  "findings": [f.model_dump() for f in report.findings]}))
"""


def build(url: str, size: int, work: Path) -> None:
    from factstore import init_store, open_store

    data = work / f"data{size}.jsonl"
    who = suite.write_jsonl(data, size)
    init_store(url, author=suite.AUTHOR).close()
    with open_store(url) as store:
        store.import_file(data, author=suite.AUTHOR, reason="bench")
        change = work / f"quarter{size}.jsonl"
        suite.quarter_change(change, len(who))
        store.import_file(change, author=suite.AUTHOR, reason="next quarter")
        for i in range(21):
            store.correct_fact(f"fact:c{(i * 7919) % len(who)}-arr-fy26-q3", i,
                               author=suite.AUTHOR, reason="bench")


def timed(root: Path, url: str, runs: int, server: int = 0) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-c", TIME_CHILD, url, str(runs), str(server)],
                         cwd=root, check=True, capture_output=True, text=True).stdout
    result: dict[str, Any] = json.loads(out)
    assert str(result["file"]).startswith(str(root)), result["file"]
    return result


METRICS = (("ms", "wall"), ("cpu_ms", "cpu"), ("server_cpu_ms", "server cpu"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", type=Path, required=True, help="the code root to compare with")
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--backends", default="doltlite,dolt")
    ap.add_argument("--rounds", type=int, default=3, help="A/B rounds, alternating")
    ap.add_argument("--runs", type=int, default=5, help="health calls per child (median)")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    roots = {"base": args.base.resolve(), "this": ROOT}
    found: dict[tuple[str, int, str], dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="factstore-health-") as tmp:
        work = Path(tmp)

        def measure(backend: str, url_for: Callable[[str], str], server: int = 0) -> None:
            for size in sizes:
                url = url_for(f"h{size}")
                build(url, size, work)
                got: dict[str, list[dict[str, Any]]] = {name: [] for name in roots}
                for _ in range(args.rounds):
                    for name, root in roots.items():
                        got[name].append(timed(root, url, args.runs, server))
                same = got["base"][-1]["findings"] == got["this"][-1]["findings"]
                for name in roots:
                    medians = {key: statistics.median(r[key] for r in got[name])
                               for key, _ in METRICS}
                    found[(backend, size, name)] = medians
                    rounds = ", ".join(f"{r['ms']:.0f}" for r in got[name])
                    print(f"{backend:8} {size:>7,} {name:4} " + "  ".join(
                        f"{label} {medians[key]:7.1f} ms" for key, label in METRICS
                        if key != "server_cpu_ms" or server) +
                        f"  (wall by round: {rounds})  same findings: {same}", flush=True)

        for backend in args.backends.split(","):
            if backend == "doltlite":
                measure(backend, lambda name: str(work / f"{name}.db"))
                continue
            binary = dolt_binary()
            if binary is None:
                print("dolt: skipped (no dolt binary; scripts/install-dolt.sh builds one)")
                continue
            with running_server(binary, work / "dolt") as server:
                measure(backend, lambda name: f"{server.url}/{name}",
                        server_pid(server.data_dir))
    print("\nmedians of the rounds, this code / base (the same run)")
    for (backend, size, name), medians in found.items():
        if name != "this":
            continue
        base = found[(backend, size, "base")]
        grow = medians["ms"] / found[(backend, sizes[0], "this")]["ms"]
        print(f"{backend:8} {size:>7,}  " + "  ".join(
            f"{label} {base[key]:.0f} -> {medians[key]:.0f} ms "
            f"({medians[key] / base[key] if base[key] else float('nan'):.2f}x)"
            for key, label in METRICS if key != "server_cpu_ms" or base[key]) +
            f"  this {size:,}/{sizes[0]:,}: {grow:.1f}x")


if __name__ == "__main__":
    main()
