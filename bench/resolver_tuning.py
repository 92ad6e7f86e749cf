"""Fitting the resolver's weights and choosing its operating point, on tuning halves only.

Every query of a tuning half is one choice among its alternatives: each candidate entity the
resolver found (its evidence as numbers, Evidence.features), "nobody" (the name is not in the
store), and the aliases too many to look at, if any. The weights are those of a conditional
logit (the resolver's own probability model) fitted by maximum likelihood, each set counting
as at most CAP queries (sets from one source together), so that no set's peculiarities
dominate. The true alternative is the
true entity when the resolver found it, else nobody (not resolving is then the best answer).

The operating point (resolve_at) is chosen on out-of-fold scores, never on scores of the
queries the weights were fitted on (those are optimistic): the tuning halves are split by true
entity into FOLDS folds; for each fold the weights are fitted on the others (the same rounds,
floors and order) and the fold's queries scored with them; the scores of every fold pooled,
resolve_at is the lowest probability at which every set keeps, with CONFIDENCE, false
accepts <= FALSE_ACCEPTS and wrong answers <= 1 - PRECISION of those resolved: the upper
Clopper-Pearson bound on k of n, not k/n, must be under the target (where n is too small
for even 0 of n to show that, 0 is required). The weights shipped with it are then fitted on
all the tuning halves. The held-out halves are used for neither.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from factstore.evidence import ResolverConfig
from factstore.resolver import AliasIndex
from resolver_sets import LabelledSet

CAP = 1_000  # queries a source counts as, at most, in the fit


def source(set_name: str) -> str:
    """Sets made by one process count as one: Febrl1-4 are one generator's, RLdata500 and
    RLdata10000 another's."""
    return set_name.rstrip("0123456789")
PRECISION = 0.97  # the targets, met by the upper bound of k of n (below), not by k/n
FALSE_ACCEPTS = 0.01
CONFIDENCE = 0.8  # one-sided: the rate is under the bound with this probability
FOLDS = 4  # out-of-fold scores: the weights that score a query were fitted without it
RIDGE = 0.0002  # pulls every weight a little towards 0: nothing is fitted on a handful of cases
# bounds keep every weight's sign what its evidence means
NEGATIVE = ("near1_hub", "near2_hub", "contradicts", "nothing_near", "unexplained",
            "common", "word_differs", "common_word", "other_word", "cut_short",
            "kind_differs", "partial", "rare_word", "form_differs",
            "former", "not_yet_valid")
BOUNDS = {"near1": (0, None), "near2": (0, None), "near3": (0, None), "near_slips": (0, None),
          "near_words": (0, None),
          **{n: (None, 0) for n in NEGATIVE}}


@dataclass
class Choice:
    """One query: its alternatives' features (rows), offsets, and which one is true."""

    set_name: str
    truth: str  # the true entity (its fold: fold_of)
    in_store: bool
    truth_row: int  # the row of the true alternative
    rows: list[dict[str, float]]
    offsets: list[float]
    ids: list[str | None]  # entity of each row (None: nobody or the aliases not looked at)


def feature_names(config: ResolverConfig) -> list[str]:
    return list(config.weights)


def collect(labelled: LabelledSet, index: AliasIndex, config: ResolverConfig, half: str,
            on: str) -> list[Choice]:
    choices = []
    for query in labelled.queries:
        if query.half != half:
            continue
        found, unlisted = index.evidence(query.text, context=query.context, kind=query.kind,
                                         on=on, config=config)
        ids: list[str | None] = list(found)
        rows = [found[e].features(config) for e in found]  # type: ignore[index]
        offsets = [0.0] * len(rows)
        ids.append(None)
        rows.append({"nobody": 1.0})
        offsets.append(0.0)
        if unlisted:
            ids.append(None)
            rows.append({"words": 1.0})
            offsets.append(math.log(unlisted))
        truth = ids.index(query.truth) if query.in_store and query.truth in found else len(
            found)
        choices.append(Choice(labelled.name, query.truth, query.in_store, truth, rows, offsets,
                              ids))
    return choices


def fit(choices: list[Choice], config: ResolverConfig) -> dict[str, float]:
    from scipy.optimize import minimize

    names = feature_names(config)
    column = {n: i for i, n in enumerate(names)}
    sizes: dict[str, int] = {}  # queries per source
    for c in choices:
        sizes[source(c.set_name)] = sizes.get(source(c.set_name), 0) + 1
    rows, offsets, segment, truth, weight = [], [], [], [], []
    for k, c in enumerate(choices):
        truth.append(len(rows) + c.truth_row)
        weight.append(min(CAP, sizes[source(c.set_name)]) / sizes[source(c.set_name)])
        for features, offset in zip(c.rows, c.offsets, strict=True):
            row = np.zeros(len(names))
            for name, value in features.items():
                row[column[name]] = value
            rows.append(row)
            offsets.append(offset)
            segment.append(k)
    x, off = np.array(rows), np.array(offsets)
    seg, true_rows, w_choice = np.array(segment), np.array(truth), np.array(weight)
    starts = np.flatnonzero(np.r_[True, seg[1:] != seg[:-1]])

    def loss(w: Any) -> tuple[float, Any]:
        u = x @ w + off
        top = np.maximum.reduceat(u, starts)
        e = np.exp(u - top[seg])
        z = np.add.reduceat(e, starts)
        p = e / z[seg]
        nll = (np.log(z) + top - u[true_rows]) @ w_choice
        grad = (x * (p * w_choice[seg])[:, None]).sum(0) - x[true_rows].T @ w_choice
        return (nll / w_choice.sum() + RIDGE * (w @ w) / len(w),
                grad / w_choice.sum() + 2 * RIDGE * w / len(w))

    start = np.array([config.weights[n] for n in names])
    bounds = [BOUNDS.get(n, (None, None)) for n in names]
    result = minimize(loss, start, jac=True, method="L-BFGS-B", bounds=bounds)
    return dict(zip(names, (round(float(v), 2) for v in result.x), strict=True))


def probabilities(choice: Choice, config: ResolverConfig) -> list[float]:
    weights = config.weights
    u = [sum(weights.get(n, -20.0) * v for n, v in row.items()) + off
         for row, off in zip(choice.rows, choice.offsets, strict=True)]
    top = max(u)
    e = [math.exp(v - top) for v in u]
    return [v / sum(e) for v in e]


class Point(NamedTuple):
    """One set's answers at one resolve_at, as rates and as k of n."""

    precision: float
    recall: float
    false_accepts: float
    absent: int  # queries not in the store
    accepted: int  # ... answered resolved
    resolved: int  # queries in the store answered resolved
    wrong: int  # ... to another entity


Scored = tuple[str, bool, float, bool]  # set, in store, p of the best candidate, it is true


def scored(choice: Choice, config: ResolverConfig) -> Scored:
    p = probabilities(choice, config)
    rows = [i for i, e in enumerate(choice.ids) if e is not None]
    if not rows:
        return choice.set_name, choice.in_store, 0.0, False
    top = max(rows, key=p.__getitem__)
    return choice.set_name, choice.in_store, p[top], top == choice.truth_row


def sweep(best: list[Scored], grid: list[float]) -> dict[float, dict[str, Point]]:
    """For each resolve_at of grid, per set: what the scored queries give."""
    out: dict[float, dict[str, Point]] = {}
    for at in grid:
        per: dict[str, list[int]] = {}
        for name, in_store, p, right in best:
            t = per.setdefault(name, [0, 0, 0, 0, 0])  # found, resolved, correct, absent, acc
            if in_store:
                t[0] += 1
                t[1] += p >= at
                t[2] += p >= at and right
            else:
                t[3] += 1
                t[4] += p >= at
        out[at] = {n: Point(t[2] / t[1] if t[1] else 1.0, t[2] / t[0] if t[0] else 1.0,
                            t[4] / t[3] if t[3] else 0.0, t[3], t[4], t[1], t[1] - t[2])
                   for n, t in per.items()}
    return out


def upper(k: int, n: int) -> float:
    """The one-sided Clopper-Pearson upper bound of a rate seen k times in n, at CONFIDENCE."""
    from scipy.stats import beta

    return 0.0 if n == 0 else 1.0 if k >= n else float(beta.ppf(CONFIDENCE, k + 1, n - k))


def meets(k: int, n: int, target: float) -> bool:
    """k of n is under target with CONFIDENCE, or is 0 where n is too small to show that."""
    return k == 0 or upper(k, n) <= target


def operating_point(table: dict[float, dict[str, Point]]) -> float:
    """The lowest resolve_at at which every set meets FALSE_ACCEPTS and PRECISION (as k of
    n with a margin: meets)."""
    for at in sorted(table):
        if all(meets(t.accepted, t.absent, FALSE_ACCEPTS)
               and meets(t.wrong, t.resolved, 1 - PRECISION) for t in table[at].values()):
            return at
    return max(table)


GRID = [round(0.5 + i / 200, 3) for i in range(100)]  # resolve_at 0.5 .. 0.995
# No labelled set has enough acronym queries, nor names asked without any context, to weigh
# them (every query of these sets comes with context); the rule they follow instead: a name
# met exactly, a unique acronym ("IBM") or first word of one name ("Tern" for Tern Systems)
# with nothing else said resolves alone at any resolve_at up to SURE: their weight is floored
# there (the acronym and the first word never above an exact name's).
FLOORED = ("exact", "acronym", "leading_words")
SURE = 0.99
ALONE_COMMONNESS = 0.0  # log(1): one namesake expected by chance, the name's holder itself


def fold_of(truth: str) -> int:
    return int.from_bytes(hashlib.blake2b(f"fold:{truth}".encode(), digest_size=8).digest()
                          ) % FOLDS


def fitted(sets: dict[str, LabelledSet], indexes: dict[str, AliasIndex], start: ResolverConfig,
           rounds: int, on: str, without: int | None = None
           ) -> tuple[ResolverConfig, list[Choice]]:
    """Fit the weights on the tuning halves, but for fold `without` (gathering the evidence
    again after each round, since which alias of an entity is its best depends on them), floor
    FLOORED; with the last choices gathered (every tuning query's)."""
    config, choices = start, []
    for _ in range(rounds):
        choices = [c for name, s in sets.items()
                   for c in collect(s, indexes[name], config, "tune", on)]
        config = config.with_weights(fit([c for c in choices if fold_of(c.truth) != without],
                                         config))
    # ... even when its words are as common as one namesake by chance: the floor makes up for
    # the commonness penalty of ALONE_COMMONNESS, which no name whose words no other entity
    # holds exceeds (an entity's own spellings are one holder: AliasIndex._commonness)
    floor = round(config.nobody + math.log(SURE / (1 - SURE))
                  - config.common * ALONE_COMMONNESS, 2)
    exact = max(config.exact, floor)  # and the name with its legal form no less
    config = config.with_weights({"exact": exact, "exact_full": max(config.exact_full, exact)})
    config = config.with_weights({n: min(max(config.weights[n], floor), config.exact)
                                  for n in FLOORED})
    # a more similar name never weighs less than a less similar one (the fit may say so by
    # chance, where a band holds few cases)
    bands, weights, least = sorted(config.fuzzy), {}, -math.inf
    for band in bands:
        least = max(least, config.fuzzy[band])
        weights[f"fuzzy{band}"] = least
    return config.with_weights(weights), choices


def tune(sets: dict[str, LabelledSet], start: ResolverConfig, rounds: int, on: str
         ) -> tuple[ResolverConfig, dict[float, dict[str, Point]], dict[float, dict[str, Point]]]:
    """The config fitted on all the tuning halves, with the operating point chosen on their
    out-of-fold scores; those scores' table, and the in-sample one (for comparison only)."""
    indexes = {name: AliasIndex.build(s.entities, s.aliases, s.relations)
               for name, s in sets.items()}
    out_of_fold: list[Scored] = []
    for fold in range(FOLDS):
        config, choices = fitted(sets, indexes, start, rounds, on, without=fold)
        out_of_fold += [scored(c, config) for c in choices if fold_of(c.truth) == fold]
    table = sweep(out_of_fold, GRID)
    config, choices = fitted(sets, indexes, start, rounds, on)
    in_sample = sweep([scored(c, config) for c in choices], GRID)
    return config.model_copy(update={"resolve_at": operating_point(table)}), table, in_sample


# Where the fit starts: every piece of evidence a guess of its sign and size, nothing fitted.
START = ResolverConfig(
    exact_full=9.0, exact=8.0, legal_form_differs=4.0, acronym=5.0, leading_words=5.0,
    words=3.0, fuzzy={97: 7.0, 93: 6.0, 89: 5.0, 85: 4.0, 80: 3.0, 75: 2.0, 70: 1.0, 60: 0.0,
                      50: -1.0},
    rare_word=-1.0, form_differs=-1.0, former=-0.5, not_yet_valid=-0.5, common=-0.5,
    word_differs=-1.0, common_word=-0.5, other_word=-1.0, cut_short=-1.0,
    near={1: 2.5, 2: 1.5, 3: 0.5},
    near_hub={1: 0.0, 2: 0.0}, near_most=3, contradicts=-1.5,
    slips=-0.5, partial=-1.0, near_words=0.5, near_slips=0.5, nothing_near=-1.0,
    unexplained=-1.0,
    kind_differs=-4.0, nobody=5.5,
    resolve_at=0.9, listed_from=0.2)
