"""Export speed: `store.export()` (the document) and the YAML text `facts export` writes, on
stores of the suite's shape (bench/suite.py), against another checkout measured in the same run.

    python bench/bench_export.py --sizes 10000,100000 --backends doltlite,dolt --against ../main

Each measurement runs in a child process importing factstore from this checkout or from
--against (its PYTHONPATH first), alternating the two, ROUNDS times; a figure is the median of
every run of every round. Wall time is what counts; the child's CPU time (the `cpu` rows, with
that of any process it forks), and the Dolt server's (`srv`), say more on a loaded machine.
A checkout without `export_text` writes the text as it did then (`export_yaml`, or before that
`dump(export(), "yaml")`).
Target (issue #14): each <= 1 s at 100k facts, <= 10x its 10k time.
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

from suite import AUTHOR, IMPORT_CHILD, SERVER_CPU, write_jsonl  # noqa: E402

CHILD = """
import factstore, json, os, sys, time
from factstore.export import dump
url, runs, server = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
""" + SERVER_CPU + """
def cpu():  # this process's, and that of any child it waited for
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system
with factstore.open_store(url) as store:
    if hasattr(store, "export_text"):
        text = lambda: store.export_text().text
    elif hasattr(store, "export_yaml"):
        text = lambda: store.export_yaml().text
    else:
        text = lambda: dump(store.export(), "yaml")
    out = {"export": [], "yaml": [], "export cpu": [], "yaml cpu": [], "export srv": [],
           "yaml srv": []}
    text()  # warm: the first read of a store pays for opening it
    for _ in range(runs):
        for key, fn in (("export", store.export), ("yaml", text)):
            t, c, s = time.perf_counter(), cpu(), server_cpu()
            fn()
            out[key].append(time.perf_counter() - t)
            out[key + " cpu"].append(cpu() - c)
            out[key + " srv"].append(server_cpu() - s)
print(json.dumps(out))
"""


def measure(tree: Path, url: str, runs: int, server: int) -> dict[str, list[float]]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run([sys.executable, "-c", CHILD, url, str(runs), str(server)], env=env,
                         check=True, capture_output=True, text=True, cwd=tree).stdout
    return dict(json.loads(out))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--backends", default="doltlite,dolt")
    ap.add_argument("--against", type=Path, default=None, help="another checkout to compare")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--runs", type=int, default=3, help="of each read, per round")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    trees = {"this": HERE.parent, **({"against": args.against.resolve()} if args.against
                                     else {})}
    with tempfile.TemporaryDirectory(prefix="factstore-export-") as tmp:
        work = Path(tmp)
        stores: list[tuple[str, int, str, int]] = []
        server, pid = None, 0
        for backend in args.backends.split(","):
            if backend == "dolt":
                from tests.doltserver import dolt_binary, running_server, server_pid

                binary = dolt_binary()
                if binary is None:
                    print("dolt: skipped (no dolt binary; scripts/install-dolt.sh)")
                    continue
                server = running_server(binary, work / "dolt")
                running = server.__enter__()
                url_base, pid = running.url + "/", server_pid(running.data_dir)
            else:
                url_base = str(work) + "/"
            for size in sizes:
                data = work / f"data{size}.jsonl"
                if not data.exists():
                    write_jsonl(data, size)
                url = f"{url_base}s{size}" + (".db" if backend == "doltlite" else "")
                subprocess.run([sys.executable, "-c", IMPORT_CHILD, url, str(data), AUTHOR],
                               check=True, capture_output=True)
                stores.append((backend, size, url, pid if backend == "dolt" else 0))
        try:
            results: dict[tuple[str, int, str, str], list[float]] = {}
            for _ in range(args.rounds):
                for backend, size, url, pid in stores:
                    for name, tree in trees.items():
                        for key, seconds in measure(tree, url, args.runs, pid).items():
                            results.setdefault((backend, size, name, key), []).extend(seconds)
        finally:
            if server is not None:
                server.__exit__(None, None, None)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"medians of {args.rounds} rounds x {args.runs} runs; load average {load}")
    print(f"{'backend':9} {'size':>7} {'read':10} " + " ".join(f"{n:>9}" for n in trees)
          + ("    ratio" if len(trees) > 1 else ""))
    for backend, size, _, pid in stores:
        for key in ("export", "yaml", "export cpu", "yaml cpu",
                    *(("export srv", "yaml srv") if pid else ())):
            ms = [statistics.median(results[backend, size, name, key]) * 1000
                  for name in trees]
            ratio = f" {ms[0] / ms[1]:8.2f}x" if len(ms) > 1 else ""
            print(f"{backend:9} {size:>7} {key:10} " + " ".join(f"{m:7.0f}ms" for m in ms)
                  + ratio)


if __name__ == "__main__":
    main()
