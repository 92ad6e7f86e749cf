"""CSV import speed, against importing the same facts as JSONL in the same run.

    python bench/bench_csv.py                       # 100k facts, embedded doltlite
    python bench/bench_csv.py --facts 20000 --repeat 3

Three files hold the same facts about 1,000 entities: JSONL (subjects by id), CSV with
subjects by id, and CSV with subjects by name (each resolved exactly through the alias index).
Each is imported --repeat times into a new store that holds only the entities; the report is
the best and median run of each and their ratio to JSONL.
"""

from __future__ import annotations

import factstore  # noqa: F401  (first: loads doltlite)

import argparse
import csv
import json
import statistics
import tempfile
import time
from pathlib import Path

from factstore import init_store, open_store

AUTHOR = "Bench <bench@factstore.test>"


def _files(folder: Path, n: int) -> tuple[Path, dict[str, Path]]:
    entities = [{"id": f"acct-{i}", "kind": "customer", "name": f"Konto {i} Straße, Ltd."}
                for i in range(1000)]
    base = folder / "entities.json"
    base.write_text(json.dumps({"factstore": 1, "sources": [
        {"id": "src:bench", "title": "Bench", "kind": "wiki", "authority": 50}],
        "entities": entities}), encoding="utf-8")
    facts = [(entities[i % 1000], f"p{i // 1000}", str(i * 7), "2025-10") for i in range(n)]
    jsonl = folder / "facts.jsonl"
    jsonl.write_text("".join(json.dumps({
        "type": "fact", "subject": e["id"], "predicate": p, "value": int(v), "unit": "EUR",
        "period": period, "source": "src:bench", "quote": "from the export, \"as is\""}) + "\n"
        for e, p, v, period in facts), encoding="utf-8")
    out: dict[str, Path] = {"jsonl": jsonl}
    for how in ("id", "name"):
        path = folder / f"facts-by-{how}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["subject", "predicate", "value", "unit", "period", "source",
                             "quote"])
            writer.writerows([e[how], p, v, "EUR", period, "src:bench",
                              "from the export, \"as is\""] for e, p, v, period in facts)
        out[f"csv by {how}"] = path
    return base, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facts", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        base, files = _files(folder, args.facts)
        times: dict[str, list[float]] = {name: [] for name in files}
        for run in range(args.repeat):
            for name, path in files.items():
                url = str(folder / f"{name.replace(' ', '-')}-{run}.db")
                init_store(url, author=AUTHOR).close()
                with open_store(url) as store:
                    store.import_file(base, author=AUTHOR)
                    start = time.perf_counter()
                    store.import_file(path, author=AUTHOR)
                    times[name].append(time.perf_counter() - start)
    reference = min(times["jsonl"])
    for name, runs in times.items():
        best = min(runs)
        print(f"{name:12} best {best:6.2f} s ({args.facts / best:8.0f} facts/s), median "
              f"{statistics.median(runs):6.2f} s, {best / reference:4.2f}x JSONL")


if __name__ == "__main__":
    main()
