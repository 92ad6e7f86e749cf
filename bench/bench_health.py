"""health at 10k and 100k facts on both backends, A/B: this checkout's code against another
(`--base`, e.g. an export of main) on the same stores, in the same run, rounds alternating.

    python bench/bench_health.py --base /tmp/main-export
    python bench/bench_health.py --base /tmp/main-export --sizes 10000 --backends doltlite

The stores are the suite's (bench/suite.py: its JSONL import, a quarter's change, 21
corrections superseding facts), built once by this checkout's code. Each timing is a child
process started in the code root it measures (so `import factstore` loads that code), which
opens the store, runs health once to warm up, then prints the median of --runs calls. Target
(issue #14): health <= 1 s at 100k facts and <= 10x its 10k time.
"""

from __future__ import annotations

import factstore  # noqa: F401  (first: loads doltlite)

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import suite  # noqa: E402

from tests.doltserver import dolt_binary, running_server  # noqa: E402

TIME_CHILD = r"""
import factstore, json, statistics, sys, time
url, runs = sys.argv[1], int(sys.argv[2])
with factstore.open_store(url) as store:
    first = store.health()
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        report = store.health()
        out.append((time.perf_counter() - t) * 1000)
    assert report.findings == first.findings
print(json.dumps({"ms": statistics.median(out), "file": factstore.__file__,
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


def timed(root: Path, url: str, runs: int) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-c", TIME_CHILD, url, str(runs)], cwd=root,
                         check=True, capture_output=True, text=True).stdout
    result: dict[str, object] = json.loads(out)
    assert str(result["file"]).startswith(str(root)), result["file"]
    return result


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
    table: list[tuple[str, int, str, float]] = []
    with tempfile.TemporaryDirectory(prefix="factstore-health-") as tmp:
        work = Path(tmp)

        def measure(backend: str, url_for: object) -> None:
            for size in sizes:
                url = url_for(f"h{size}")  # type: ignore[operator]
                build(url, size, work)
                got: dict[str, list[float]] = {name: [] for name in roots}
                seen: dict[str, object] = {}
                for _ in range(args.rounds):
                    for name, root in roots.items():
                        result = timed(root, url, args.runs)
                        got[name].append(float(result["ms"]))  # type: ignore[arg-type]
                        seen[name] = result["findings"]
                same = seen["base"] == seen["this"]
                for name in roots:
                    ms = statistics.median(got[name])
                    table.append((backend, size, name, ms))
                    print(f"{backend:8} {size:>7,} {name:4} {ms:9.1f} ms  "
                          f"(rounds: {', '.join(f'{m:.0f}' for m in got[name])}) "
                          f"same findings: {same}", flush=True)

        for backend in args.backends.split(","):
            if backend == "doltlite":
                measure(backend, lambda name: str(work / f"{name}.db"))
                continue
            binary = dolt_binary()
            if binary is None:
                print("dolt: skipped (no dolt binary; scripts/install-dolt.sh builds one)")
                continue
            with running_server(binary, work / "dolt") as server:
                measure(backend, lambda name: f"{server.url}/{name}")
    print("\nbackend  size     base ms   this ms   this/base  this 100k/10k")
    ms = {(b, s, n): v for b, s, n, v in table}
    for backend in args.backends.split(","):
        for size in sizes:
            if (backend, size, "this") not in ms:
                continue
            base, this = ms[(backend, size, "base")], ms[(backend, size, "this")]
            grow = this / ms[(backend, sizes[0], "this")]
            print(f"{backend:8} {size:>7,} {base:9.1f} {this:9.1f} {this / base:9.2f}x "
                  f"{grow:9.1f}x")


if __name__ == "__main__":
    main()
