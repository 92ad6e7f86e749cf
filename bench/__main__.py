"""`python -m bench`: every benchmark at 10k / 100k / 1M facts on both backends, each beside
its baseline measured in the same run; writes results/DATE.json, results/REPORT.md and its
plots (matplotlib: `pip install -e '.[bench]'`).

    python -m bench                      # the full run (long: the 1M stores take a while)
    python -m bench --quick              # seconds: tiny stores, doltlite only, few repeats
    python -m bench --sizes 10000,100000 --backends doltlite --out /tmp/bench

The steps (bench/suite.py): import (library and CLI) against sqlite3 executemany and the Dolt
server's LOAD DATA; corrections against sqlite3 UPDATE+COMMIT and a git repository of YAML
files; a quarter diff against `git diff`; resolve against naive rapidfuzz extractOne; context
packs (also --as-of), replay, health and export at each size; the `facts` commands a person
types against `python -c "import doltlite, sqlite3, click, json"`. The focused scripts
(bench_writes.py, bench_context.py, bench_history.py, bench_resolver.py) stay for one question
at a time; the suite shares their data and helpers.
"""

from __future__ import annotations

import factstore  # noqa: F401  (first: loads doltlite)

import argparse
import datetime
import json
import os
import shlex
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import report  # noqa: E402
import suite  # noqa: E402


def bar(plan: suite.Plan, label: str) -> None:
    """One line on stderr: how far the run is and which step is running."""
    total = max(plan.total, plan.done + 1)
    filled = int(30 * plan.done / total)
    elapsed = time.perf_counter() - plan.started
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {plan.done + 1:>3}/{total} "
                     f"{elapsed:6.0f} s  {label[:60]:<60}")
    sys.stderr.flush()


def main(argv: list[str] | None = None) -> Path:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a short run (seconds), doltlite only")
    ap.add_argument("--sizes", default=None, help="facts per store, comma-separated")
    ap.add_argument("--backends", default=None, help="doltlite,dolt")
    ap.add_argument("--server-sizes", default=None,
                    help="facts per store on the Dolt server, if not --sizes (its 1M stores "
                         "take long)")
    ap.add_argument("--out", type=Path, default=HERE / "results",
                    help="folder for DATE.json, REPORT.md and plots/")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in (args.sizes or ("200,1000" if args.quick else
                                             "10000,100000,1000000")).split(",")]
    backends = (args.backends or ("doltlite" if args.quick else "doltlite,dolt")).split(",")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="factstore-bench-") as work:
        server_sizes = [int(s) for s in args.server_sizes.split(",")] \
            if args.server_sizes else sizes
        plan = suite.Plan(sizes=sizes, server_sizes=server_sizes, backends=backends,
                          runs=3 if args.quick else 7,
                          cli_runs=1 if args.quick else 7, quick=args.quick, work=Path(work),
                          progress=bar)
        plan.total = len(sizes) * 2  # the sqlite3 and git baselines
        for backend in backends:
            for size in sizes if backend == "doltlite" else server_sizes:
                plan.total += 6 + 2 * (backend == "dolt") + (not args.quick or size == max(sizes))
                plan.total += backend == "doltlite" and not args.quick
        results = suite.Results()
        suite.run(plan, results)
        sys.stderr.write("\n")
    now = datetime.datetime.now(datetime.UTC)
    data = {
        "meta": {
            "date": now.strftime("%Y-%m-%d %H:%M UTC"),
            "command": "python -m bench " + shlex.join(argv if argv is not None
                                                       else sys.argv[1:]),
            "machine": f"{os.cpu_count()} cores, load average "
                       f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} at the end",
            "sizes": sizes, "server_sizes": server_sizes, "backends": backends,
            "seconds": time.perf_counter() - plan.started,
        },
        "notes": results.notes,
        "rows": results.rows,
    }
    name = now.strftime("%Y-%m-%d") + ("-quick" if args.quick else "") + ".json"
    (args.out / name).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    path = report.render(data, args.out, name)
    print(f"{path} ({len(results.rows)} figures, {data['meta']['seconds']:.0f} s)")
    return path


if __name__ == "__main__":
    main()
