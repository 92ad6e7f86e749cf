"""What evidence about a name weighs, and the answer it makes (the resolver finds the evidence,
resolver.py; bench/bench_resolver.py measures and fits the weights).

Each candidate entity's evidence (Evidence) becomes numbers (Evidence.features), weighed by a
ResolverConfig into a weight in log-odds; "nobody" - the name is not in the store - is one more
alternative. A candidate's probability is exp(its weight) over the sum over every alternative;
decide() resolves the best one at the config's operating point.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar, Literal

from factstore.results import Plain


LEVELS = ("exact_full", "exact", "legal_form_differs", "acronym", "leading_words", "words",
          "fuzzy")


@dataclass(frozen=True, kw_only=True)
class ResolverConfig:
    """What each piece of evidence weighs, in natural log-odds, and the operating point.

    A candidate's weight is the sum of its evidence (Evidence.features() times weights());
    "nobody" (the name is not in the store) is one more alternative, of weight `nobody`. A
    candidate's probability - its score / 100 - is exp(its weight) over the sum of
    exp(weight) of every alternative. The best candidate is `resolved` when its probability
    reaches `resolve_at`; a candidate is listed (and the answer is not `unknown`) when its
    probability against nobody alone reaches `listed_from`. PRESETS["default"] was fitted
    and its operating point chosen on the tuning halves of the labelled sets of
    bench/bench_resolver.py, and is measured there on the held-out halves.

    A frozen dataclass (not a pydantic model: `facts resolve` starts without pydantic), which
    checks its fields as pydantic did: numbers, numbers by int, a ValueError otherwise.
    """

    model_fields: ClassVar[dict[str, dataclasses.Field[Any]]]  # as pydantic names them

    # how the best alias matches the name (one level per candidate)
    exact_full: float  # the name and the same legal form ("Acme GmbH" for "Acme GmbH")
    exact: float  # the name, a legal form on one side at most (or an abbreviation, a ticker)
    legal_form_differs: float  # the name, another legal form ("Acme Corp" for "Acme GmbH")
    acronym: float  # the initials of a name of several words ("IBM")
    leading_words: float  # the first words of a longer name ("Tern" for "Tern Systems")
    words: float  # words of a longer name, not its first ones ("Smith" for "John Smith")
    fuzzy: dict[int, float]  # whole-name similarity (0-100) at least -> weight
    rare_word: float  # a fuzzy match with no word like one of the query's rare ones
    form_differs: float  # a name not exact whose legal form is another than the query's
    former: float  # the alias is a former name, or ended before the day asked about
    not_yet_valid: float  # the alias starts after the day asked about
    common: float  # per unit of log(how many entities would have the name's words by chance):
    #                "Peter Koch" may well be someone the store does not hold, "Vexora Plover"
    #                hardly anyone else
    word_differs: float = 0.0  # per word of the query (2 at most) that is another word like
    #                            one of the name's, not a slip of it: "charlotte" for
    #                            "charles" (3 or more edits apart, neither inside the other)
    common_word: float = 0.0  # a name of one word, per unit of log(how many entities have
    #                           it): a "jack" alone may be any of many, a "Tern" only Tern
    other_word: float = 0.0  # per word of the query (2 at most) that many stored names carry
    #                          (a name in its own right) with no word like it in this one:
    #                          "charlotte" for "charles orchard", "mason" for "charlotte ..."
    cut_short: float = 0.0  # words of a longer name, when the query ends in a legal form: it
    #                         said the whole name ("Diadortel GmbH" is not "Diadortel Materials")
    # the context
    near: dict[int, float]  # relations between the candidate and an entity the context names
    near_hub: dict[int, float]  # ... per unit of log(how many entities are that near it too):
    #                             a city of sixty companies tells less than a street of three
    near_most: int  # context entities that count, nearest first
    contradicts: float  # per kind of entity the context names that the candidate is related
    #                     to, but not to the one named (the context says Munich, it is in Berlin)
    slips: float  # per contradiction by a name like its own ("4605" for its "4650")
    partial: float = 0.0  # per entity next to it the context names that is a part of a name
    #                       the context says against it (the year of a birth date not its own)
    near_words: float = 0.0  # per word of the context (3 at most) that names no entity but
    #                          is a word of the name of one next to it ("05" of its 1918-05-09)
    near_slips: float = 0.0  # per word of the context (3 at most) that names no entity but
    #                          is written like a word of the name of one next to it ("tarlga"
    #                          for its suburb Taralga)
    nothing_near: float  # the context says something against it and nothing for it (the
    #                      country it shares with another town the context names is not for
    #                      it: "Stahr" in Jülich, the Stahr of the store is in Bonn); two
    #                      near_words are something for it (its birth date's month and day)
    unexplained: float  # per word of the context (3 at most) that names no entity but is
    #                     a word of the names of a kind of entity the candidate is related to,
    #                     none of which has it (the context's birth date is not the candidate's)
    kind_differs: float  # not the kind asked for
    nobody: float  # the name is not in the store
    # the operating point
    resolve_at: float
    listed_from: float
    listed_most: int = 10
    # the search
    fuzzy_from: int = 70  # whole-name similarity a fuzzy candidate needs
    near_fuzzy_from: int = 55  # ... when it is next to an entity the context names
    rare_word_from: int = 80  # similarity of a word to a rare word of the query to be like it
    near_search_most: int = 5_000  # neighbours of a context entity searched by name
    words_most: int = 200  # aliases holding the query's rarest word enumerated, else counted

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value, kind = getattr(self, f.name), str(f.type)
            try:
                if kind.startswith("dict"):
                    value = {int(k): _number(w) for k, w in value.items()}
                else:
                    value = _whole(value) if kind == "int" else _number(value)
            except (TypeError, ValueError, AttributeError):
                raise ValueError(f"{f.name}: expected {kind}, got {value!r}") from None
            object.__setattr__(self, f.name, value)

    def model_dump(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def model_copy(self, *, update: Mapping[str, Any] | None = None) -> ResolverConfig:
        return dataclasses.replace(self, **(update or {}))

    @cached_property
    def weights(self) -> dict[str, float]:
        """Feature (Evidence.features) -> weight."""
        return {**{n: getattr(self, n) for n in (*LEVELS[:-1], *WEIGHTS)},
                **{f"fuzzy{b}": w for b, w in self.fuzzy.items()},
                **{f"near{d}": w for d, w in self.near.items()},
                **{f"near{d}_hub": w for d, w in self.near_hub.items()}}

    def with_weights(self, weights: Mapping[str, float]) -> ResolverConfig:
        """This config with other weights (named as weights() names them)."""
        update: dict[str, Any] = {n: w for n, w in weights.items() if n in type(self).model_fields}
        for prefix, field_name in (("fuzzy", "fuzzy"), ("near", "near")):
            update[field_name] = {int(n[len(prefix):]): w for n, w in weights.items()
                                  if n.startswith(prefix) and n[len(prefix):].isdigit()}
        update["near_hub"] = {int(n[4]): w for n, w in weights.items() if n.endswith("_hub")}
        return self.model_copy(update={k: v for k, v in update.items() if v != {}})

    def band(self, similarity: int) -> int | None:
        return next((b for b in sorted(self.fuzzy, reverse=True) if similarity >= b), None)


ResolverConfig.model_fields = {f.name: f for f in dataclasses.fields(ResolverConfig)}


def _number(value: Any) -> float:
    if not isinstance(value, int | float | str):
        raise TypeError(value)
    return float(value)


def _whole(value: Any) -> int:
    number = _number(value)
    if not number.is_integer():
        raise ValueError(value)
    return int(number)


# weights of ResolverConfig other than the levels and the per-distance ones
WEIGHTS = ("rare_word", "form_differs", "former", "not_yet_valid", "common", "word_differs",
           "common_word", "other_word", "cut_short", "contradicts",
           "slips", "partial", "near_words", "near_slips",
           "nothing_near", "unexplained", "kind_differs", "nobody")
ALIAS_FEATURES = frozenset({*LEVELS, "rare_word", "form_differs", "former", "not_yet_valid",
                            "word_differs", "other_word", "cut_short"})

# Fitted by `python bench/bench_resolver.py tune` on the tuning halves of every labelled set
# (see bench/resolver_tuning.py), its output pasted here; docs/resolver.md gives the
# precision and recall it has on the held-out halves.
DEFAULT = ResolverConfig(
    exact_full=5.95, exact=5.95, legal_form_differs=-1.29, acronym=5.95, leading_words=5.95,
    words=-1.76, fuzzy={50: -6.74, 60: -5.29, 70: -3.78, 75: -3.56, 80: -0.67, 85: 1.93,
                        89: 3.04, 93: 3.04, 97: 3.04},
    rare_word=-5.17, form_differs=-5.18, former=-2.02, not_yet_valid=0.0, common=-0.75,
    word_differs=-0.08, common_word=-0.39, other_word=-5.3, cut_short=-6.23,
    near={1: 10.5, 2: 0.0, 3: 0.0}, near_hub={1: -1.51, 2: -0.0}, near_most=3,
    contradicts=-0.05, slips=2.48, partial=-4.47, near_words=1.91, near_slips=5.34,
    nothing_near=-4.61, unexplained=-2.88, kind_differs=-4.82, nobody=1.35, resolve_at=0.985,
    listed_from=0.2)
PRESETS: dict[str, ResolverConfig] = {
    "default": DEFAULT,
    # fewer answers resolved, fewer of them wrong (for writes nobody reviews)
    "strict": DEFAULT.model_copy(update={"resolve_at": 0.995}),
    # more answers resolved, more of them wrong (for a person who checks each one)
    "lenient": DEFAULT.model_copy(update={"resolve_at": 0.9}),
}


@dataclass
class Evidence:
    """Why one entity may be the one a name means: its best-matching alias, the context."""

    level: str  # one of LEVELS
    similarity: int  # whole-name similarity, 0-100 (100 for the exact levels)
    how: str  # the reason the name matched
    rare_word: str | None = None  # the reason, when a rare word of the query is not in it
    form_differs: str | None = None  # the reason, when its legal form is not the query's
    former: str | None = None  # the reason, when the alias is a former one
    not_yet_valid: str | None = None
    common: float | None = None  # log of how many entities would have its words by chance
    differs: list[tuple[str, str]] = field(default_factory=list)  # (query word, its like)
    cut_short: str | None = None  # the reason, when the query said a whole, shorter name
    other_words: list[str] = field(default_factory=list)  # common words of the query, none like
    common_word: float | None = None  # a name of one word: log of how many entities have it
    # (relations away, log of how many entities are that near the named one, reason)
    near: list[tuple[int, float, str]] = field(default_factory=list)
    contradicts: list[str] = field(default_factory=list)
    slips: list[str] = field(default_factory=list)  # contradictions by a near spelling
    partial: int = 0  # context entities next to it, parts of a name said against it
    implied: list[str] = field(default_factory=list)  # context entities next to it that
    #                     another next to it implies (its birth year beside its birth date)
    near_words: list[str] = field(default_factory=list)  # context words of its neighbours'
    near_slips: list[str] = field(default_factory=list)  # context words like its neighbours'
    unexplained: list[str] = field(default_factory=list)  # context words against it
    kind_differs: str | None = None
    # the context is one proper name, of a place or party the store does not hold or cannot
    # connect to this one (context_words.weigh_unplaced): never resolved, however rare
    unplaced: bool = False
    alone: bool = False  # no other entity (nor unlisted alias) may be meant: see features()

    def features(self, config: ResolverConfig) -> dict[str, float]:
        """The evidence as numbers: one per level (fuzzy: per band of similarity), and
        counts of the rest. weight() is their sum, weighed by config.weights."""
        near = sorted(self.near)[:config.near_most]
        found = {f"fuzzy{config.band(self.similarity)}" if self.level == "fuzzy"
                 else self.level: 1.0}
        for name, value in (
                ("rare_word", self.rare_word is not None),
                ("form_differs", self.form_differs is not None),
                # a former name tells one holder of it from another, the current one; the
                # only entity that ever held it is what it means ("Quillon Automation")
                ("former", self.former is not None and not self.alone),
                ("not_yet_valid", self.not_yet_valid is not None), ("common", self.common or 0.0),
                ("word_differs", min(2, len(self.differs))),
                ("other_word", min(2, len(self.other_words))),
                ("cut_short", self.cut_short is not None),
                ("common_word", self.common_word or 0.0),
                ("near1", sum(d == 1 for d, _, _ in near)),
                ("near2", sum(d == 2 for d, _, _ in near)),
                ("near1_hub", sum(h for d, h, _ in near if d == 1)),
                ("near2_hub", sum(h for d, h, _ in near if d == 2)),
                ("near3", sum(d == 3 for d, _, _ in near)),
                ("contradicts", len(self.contradicts) - bool(self.unexplained)),
                ("slips", len(self.slips)),
                ("partial", min(2, self.partial)),
                ("near_words", min(3, len(self.near_words))),
                ("near_slips", min(3, len(self.near_slips))),
                ("nothing_near", bool(self.contradicts or self.slips)
                 and not any(d < 3 for d, _, _ in self.near) and not self.near_slips
                 and len(self.near_words) < 2),
                ("unexplained", min(3, len(self.unexplained))),
                ("kind_differs", self.kind_differs is not None)):
            if value:
                found[name] = float(value)
        return found

    def weight(self, config: ResolverConfig) -> float:
        weights = config.weights
        return sum(weights.get(n, -20.0) * v for n, v in self.features(config).items())

    def alias_weight(self, config: ResolverConfig) -> float:
        """The part of weight() that comes from the alias (to keep an entity's best one)."""
        weights = config.weights
        return sum(weights.get(n, -20.0) * v for n, v in self.features(config).items()
                   if n in ALIAS_FEATURES or n.startswith("fuzzy"))

    def reasons(self) -> list[str]:
        return [self.how, *(r for r in (self.rare_word, self.form_differs, self.cut_short,
                                         self.former, self.not_yet_valid) if r),
                *(f"{mine!r} is another name than {theirs!r}" for mine, theirs in self.differs),
                *(f"{word!r} is a name many others have, unlike its words"
                  for word in self.other_words),
                *(via for _, _, via in sorted(self.near)), *self.implied,
                *([f"the context says {' '.join(self.near_words)}, as names near it do"]
                  if self.near_words else []),
                *([f"the context says {' '.join(self.near_slips)}, like names near it"]
                  if self.near_slips else []), *self.contradicts, *self.slips,
                *([self.kind_differs] if self.kind_differs else [])]


@dataclass(kw_only=True)
class Candidate(Plain):
    id: str
    name: str
    kind: str
    score: int
    reasons: list[str]


@dataclass(kw_only=True)
class Resolution(Plain):
    """A name's answer (a plain result: see factstore.results)."""

    query: str
    status: Literal["resolved", "ambiguous", "unknown"]
    entity: dict[str, str] | None
    candidates: list[Candidate]

    def not_sure(self) -> str | None:
        """What a person says of an `ambiguous` answer with one candidate (a near miss below
        the operating point: a typo, a legal form left off): 'not sure: did you mean
        Halvorsen Marine ASA (halvorsen, score 90)?'. None for any other answer."""
        if self.status != "ambiguous" or len(self.candidates) != 1:
            return None
        return not_sure(self.candidates[0].name, self.candidates[0].id,
                        self.candidates[0].score)


def not_sure(name: str, ident: str, score: int) -> str:
    """The words for one candidate the resolver is not sure of, the same in every output."""
    return f"not sure: did you mean {name} ({ident}, score {score})?"


def decide(query: str, found: dict[str, Evidence], unlisted: int, config: ResolverConfig,
           entities: Mapping[str, dict[str, Any]]) -> Resolution:
    """The answer: each candidate's probability (its score), and resolved / ambiguous /
    unknown by the config's operating point. unlisted: aliases holding the query's rarest
    word that were not looked at, each one more alternative of weight `words`."""
    ranked = sorted(((e.weight(config), entity, e) for entity, e in found.items()),
                    key=lambda t: -t[0])
    top = ranked[0][0] if ranked else config.nobody
    mass = math.exp(config.nobody - top) + unlisted * math.exp(config.words - top) + sum(
        math.exp(w - top) for w, _, _ in ranked)

    def alone(weight: float) -> float:  # its probability were it the only candidate
        return 1 / (1 + math.exp(config.nobody - weight))

    status: Literal["resolved", "ambiguous", "unknown"]
    if not ranked or alone(top) < config.listed_from:
        status, shown = "unknown", ranked[:5]
    elif 1 / mass >= config.resolve_at and not ranked[0][2].unplaced:
        status, shown = "resolved", ranked[:5]
    else:
        status = "ambiguous"
        shown = [t for t in ranked if alone(t[0]) >= config.listed_from][
            :config.listed_most]
    candidates = [  # made only for the candidates shown
        Candidate(id=entity, name=entities[entity]["name"],
                  kind=entities[entity]["kind"],
                  score=round(100 * math.exp(w - top) / mass), reasons=e.reasons())
        for w, entity, e in shown
    ]
    best = candidates[0] if status == "resolved" else None
    return Resolution(query=query, status=status,
                      entity={"id": best.id, "name": best.name, "kind": best.kind} if best
                      else None, candidates=candidates)


__all__ = [
    "ALIAS_FEATURES", "DEFAULT", "LEVELS", "PRESETS", "WEIGHTS", "Candidate", "Evidence",
    "Resolution", "ResolverConfig", "decide", "not_sure"
]
