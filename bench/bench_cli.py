"""The `facts` command as a person or a script meets it: wall time of one invocation, start-up
included, against the interpreter's floor measured in the same run (issue #14).

    python bench/bench_cli.py                        # doltlite, 100k facts / 10k entities
    python bench/bench_cli.py --facts 10000 --runs 5

The store is bench_context's (10 facts per customer, an alias per customer). Each command runs
as its own process, `--runs` times after one warm-up (which also writes the alias index's disk
cache where the store is large enough to keep one); reported: the median, and its ratio to the
median of the floor `python -c "import doltlite, sqlite3, click, json"`. Targets (#14): show
by id within 2.5x the floor, by exact name and `resolve` 3x, `correct` by id 3.5x, `context`
5x. The commands run with bytecode written (PYTHONDONTWRITEBYTECODE dropped), as an installed
package has it: compiling the package's sources again in every run is not start-up.
"resolve fuzzy after correct" times a misspelt name's `resolve` run right after a `correct`
(not timed): the first fuzzy command of a new commit, which finds no cache file of its own (it
updates the last one, or rebuilt the whole index before it could).
"""

from __future__ import annotations

import argparse
import itertools
import os
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


ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
       "FACTS_AUTHOR": "Bench <bench@factstore.test>"}


def timed(argv: Callable[[], list[str]], runs: int) -> float:
    """Median wall time of argv() in ms, after one warm-up run; a failing command stops."""
    subprocess.run(argv(), check=True, capture_output=True, env=ENV)
    times = []
    for _ in range(runs):
        command = argv()
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=ENV)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def timed_after(setup: Callable[[], list[str]], argv: list[str], runs: int) -> float:
    """timed(), each run after its own setup command (not timed)."""
    times = []
    for _ in range(runs + 1):  # the first is the warm-up
        subprocess.run(setup(), check=True, capture_output=True, env=ENV)
        start = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, env=ENV)
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
        fact = f"fact:c{customers // 2}-arr-FY26-Q3"
        values = itertools.count(1)
        question = f"What was {name}'s ACV in FY26-Q3?"
        commands: dict[str, Callable[[], list[str]]] = {
            "floor": lambda: FLOOR,
            "show FACT_ID --json": lambda: [*facts, "show", fact, "--json"],
            f'show "{name}"': lambda: [*facts, "show", name],
            f'show "{name}" --json': lambda: [*facts, "show", name, "--json"],
            f'resolve "{name}"': lambda: [*facts, "resolve", name],
            "correct FACT_ID --value N": lambda: [*facts, "correct", fact, "--value",
                                                  str(next(values)), "--reason", "bench"],
            f'context "{question}"': lambda: [*facts, "context", question],
        }
        results = {label: timed(argv, args.runs) for label, argv in commands.items()}
        acv = f"fact:c{customers // 2}-acv-FY26-Q3"
        results[f'resolve "{typo}" after correct'] = timed_after(
            lambda: [*facts, "correct", acv, "--value", str(next(values)), "--reason", "bench"],
            [*facts, "resolve", typo], args.runs)
    floor = results["floor"]
    print(f"{args.facts} facts, {customers} entities, doltlite; median of {args.runs} runs; "
          f"load average {os.getloadavg()[0]:.1f}")
    for label, ms in results.items():
        print(f"  {label:<40} {ms:8.0f} ms  {ms / floor:5.2f}x floor")


if __name__ == "__main__":
    main()
