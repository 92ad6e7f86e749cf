"""The `facts` command as a person or a script meets it: wall time of one invocation, start-up
included, against the interpreter's floor measured in the same run (issue #14).

    python bench/bench_cli.py                        # doltlite, 100k facts / 10k entities
    python bench/bench_cli.py --facts 10000 --runs 5

The store is bench_context's (10 facts per customer, an alias per customer). Each command runs
as its own process, `--runs` times after one warm-up (which also writes the alias index's disk
cache where the store is large enough to keep one); reported: the median, and its ratio to the
median of the floor `python -c "import doltlite, sqlite3, click, json"`. Targets (#14.2): an
exact name by `show` and `resolve` within 3x the floor. "resolve fuzzy after correct" times a
misspelt name's `resolve` run right after a `correct` (not timed): the first fuzzy command
of a new commit, which finds no cache file of its own (it updates the last one, or rebuilt
the whole index before it could).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_context import load

FLOOR = [sys.executable, "-c", "import doltlite, sqlite3, click, json"]


def timed(argv: list[str], runs: int) -> float:
    """Median wall time of argv in ms, after one warm-up run; a failing command stops."""
    subprocess.run(argv, check=True, capture_output=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def timed_after(setup: Callable[[], list[str]], argv: list[str], runs: int) -> float:
    """timed(), each run after its own setup command (not timed)."""
    times = []
    for _ in range(runs + 1):  # the first is the warm-up
        subprocess.run(setup(), check=True, capture_output=True)
        start = time.perf_counter()
        done = subprocess.run(argv, capture_output=True)
        times.append((time.perf_counter() - start) * 1000)
        if done.returncode not in (0, 5):  # 5: ambiguous, an answer too
            raise RuntimeError(f"{argv} failed: {done.stderr.decode()[-2000:]}")
    return statistics.median(times[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--facts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    customers = args.facts // 10
    name = f"Customer {customers // 2}"
    typo = f"Custmer {customers // 2}"
    with tempfile.TemporaryDirectory() as tmp:
        url = str(Path(tmp) / "facts.db")
        load(url, args.facts).close()
        facts = [sys.executable, "-m", "factstore", "--url", url]
        commands = {
            "floor": FLOOR,
            "show FACT_ID --json": [*facts, "show", f"fact:c{customers // 2}-arr-FY26-Q3",
                                    "--json"],
            f'show "{name}"': [*facts, "show", name],
            f'show "{name}" --json': [*facts, "show", name, "--json"],
            f'resolve "{name}"': [*facts, "resolve", name],
        }
        results = {label: timed(argv, args.runs) for label, argv in commands.items()}
        values = iter(range(10**9))
        fact = f"fact:c{customers // 2}-acv-FY26-Q3"
        results[f'resolve "{typo}" after correct'] = timed_after(
            lambda: [*facts, "correct", fact, "--value", str(next(values)), "--reason", "bench",
                     "--by", "Bench <bench@example.com>"],
            [*facts, "resolve", typo], args.runs)
    floor = results["floor"]
    print(f"{args.facts} facts, {customers} entities, doltlite; median of {args.runs} runs")
    for label, ms in results.items():
        print(f"  {label:<40} {ms:8.0f} ms  {ms / floor:5.2f}x floor")


if __name__ == "__main__":
    main()
