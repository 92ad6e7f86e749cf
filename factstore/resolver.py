"""Resolving names to entities: which "Acme"?

Normalised aliases go into an index (exact keys, word tokens, acronyms, character trigrams) so
a query never scans every alias; rapidfuzz scores the shortlist; a networkx graph of relations
re-ranks by proximity to the entities the context mentions. The answer is `resolved`,
`ambiguous` (the caller decides) or `unknown`, and every candidate says why it scored what it
did.
"""

from __future__ import annotations

import gc
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

# Legal-form suffixes dropped when they end a name ("ACME Inc." == "Acme").
LEGAL_SUFFIXES = frozenset(
    "inc incorporated corp corporation co company ltd limited llc llp lp plc gmbh ag sa sas "
    "sarl srl spa nv bv oy ab as kg kgaa pty pte bhd".split()
)
STOPWORDS = frozenset("the of and for a an de der la le".split())
# Spellings of one legal form, so "Acme Corp" and "Acme Corporation" are the same full name.
LEGAL_FORMS = {"corporation": "corp", "incorporated": "inc", "limited": "ltd",
               "company": "co"}

RESOLVED_AT = 75  # best score needed to resolve
MARGIN = 8  # and its lead over the next entity
SHOWN_WITHIN = 20  # ambiguous answers list candidates this close to the best
FUZZY_CUTOFF = 70
NEAR_BONUS = {1: 15, 2: 8}  # graph distance to a context entity -> points


DOTTED_LETTER = re.compile(r"\b(\w)\.(?=\w\.)")
NOT_WORD = re.compile(r"[^\w]+")


def full_name(name: str) -> str:
    """Case, accents, punctuation, '&' and whitespace folded; legal forms spelled one way."""
    if name.isascii():  # most names: no accents to strip
        text = name.casefold()
    else:
        text = unicodedata.normalize("NFKD", name)
        text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("&", " and ")
    # "S.A." and "N.V." are suffixes written with dots: join single letters first.
    words = NOT_WORD.sub(" ", DOTTED_LETTER.sub(r"\1", text)).split()
    return " ".join([LEGAL_FORMS.get(w, w) for w in words])


def strip_legal_suffix(full: str) -> str:
    words = full.split()
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words)


def normalize(name: str) -> str:
    """full_name() with trailing legal suffixes dropped: the key aliases are stored under."""
    return strip_legal_suffix(full_name(name))


def acronym(normalized: str) -> str | None:
    """'international business machines' -> 'ibm' (two or more significant words)."""
    words = [w for w in normalized.split() if w not in STOPWORDS]
    return "".join(w[0] for w in words) if len(words) >= 2 else None


def _trigrams(text: str) -> set[str]:
    padded = f" {text} "
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


class Candidate(BaseModel):
    id: str
    name: str
    kind: str
    score: int
    reasons: list[str]


class Resolution(BaseModel):
    query: str
    status: Literal["resolved", "ambiguous", "unknown"]
    entity: dict[str, str] | None
    candidates: list[Candidate]


@dataclass
class _Alias:
    entity: str
    text: str
    normalized: str
    kind: str  # name, abbreviation, former, ticker, code, or "entity name"
    valid_from: str | None
    valid_to: str | None
    full: str = ""  # full_name(text): keeps the legal form


@dataclass
class AliasIndex:
    """Everything needed to resolve, built once per store version."""

    entities: dict[str, dict[str, Any]]
    aliases: list[_Alias] = field(default_factory=list)
    exact: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    tokens: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    grams: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    relations: list[dict[str, Any]] = field(default_factory=list)
    by_entity: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    graph: Any = None  # networkx.Graph of relations, built on first use of context

    @classmethod
    def build(cls, entities: list[dict[str, Any]], aliases: list[dict[str, Any]],
              relations: list[dict[str, Any]]) -> AliasIndex:
        index = cls(entities={e["id"]: e for e in entities}, relations=relations)
        # Millions of small lists and no cycles among them: the cyclic GC only slows this down.
        paused = gc.isenabled()
        gc.disable()
        try:
            index._add_all(entities, aliases)
        finally:
            if paused:
                gc.enable()
        return index

    def _add_all(self, entities: list[dict[str, Any]], aliases: list[dict[str, Any]]) -> None:
        index = self
        for e in entities:
            full = full_name(e["name"])
            index._add(_Alias(e["id"], e["name"], strip_legal_suffix(full), "entity name",
                              None, None, full))
        for a in aliases:
            if a["entity_id"] in index.entities:
                index._add(_Alias(a["entity_id"], a["alias"], a["normalized"], a["alias_kind"],
                                  a["valid_from"], a["valid_to"], full_name(a["alias"])))

    def _add(self, alias: _Alias) -> None:
        i = len(self.aliases)
        self.aliases.append(alias)
        key = alias.normalized
        self.exact[key].append(i)
        self.by_entity[alias.entity].append(i)
        words = key.split()
        if len(words) > 1:
            short = acronym(key)
            if short and short != key:
                self.exact[short].append(i)
        tokens, grams = self.tokens, self.grams  # this loop runs a million times at scale
        for token in set(words) - STOPWORDS:
            tokens[token].append(i)
        padded = f" {key} "
        for gram in {padded[j:j + 3] for j in range(len(padded) - 2)}:
            grams[gram].append(i)

    # -- shortlist and scoring --------------------------------------------------------------

    def shortlist(self, query: str, limit: int = 200, budget: int = 4_000) -> list[int]:
        """Aliases worth scoring: those sharing a token or the query's rarest trigrams.

        The work is bounded by `budget` postings, whatever the number of aliases: rare
        grams are read first, and common ones (which tell little) only while budget remains.
        """
        hits: Counter[int] = Counter()
        for token in set(query.split()) - STOPWORDS:
            bucket = self.tokens.get(token, ())
            if len(bucket) <= budget // 4:  # a token everybody has tells nothing
                hits.update(dict.fromkeys(bucket, 3))
        spent = 0
        grams = [b for b in (self.grams.get(g) for g in _trigrams(query)) if b]
        for bucket in sorted(grams, key=len):
            if spent + len(bucket) > budget:
                break
            spent += len(bucket)
            hits.update(bucket)
        return [i for i, _ in hits.most_common(limit)]

    def resolve(self, query: str, *, context: str | None = None, kind: str | None = None,
                on: str | None = None) -> Resolution:
        """Resolve one name. `on` is the date (YYYY-MM-DD) aliases are judged valid at."""
        q, q_full = normalize(query), full_name(query)
        found: dict[str, tuple[float, list[str]]] = {}
        if q in self.exact:
            for i in self.exact[q]:
                alias = self.aliases[i]
                score, how = 100.0, f"exact {alias.kind}"
                if q != alias.normalized:
                    how = "exact acronym"
                elif q_full != q and q_full != alias.full:  # the query names a legal form
                    score, how = 88.0, f"{how} {alias.text!r}, legal form differs"
                self._offer(found, alias, score, how, on)
        mentioned = self._mentions(context) if context else set()
        if q and q not in self.exact:
            self._fuzzy(found, q, on)
            self._fuzzy_near(found, q, mentioned, on)
        self._rerank(found, mentioned, kind)
        return self._decide(query, found)

    def _offer(self, found: dict[str, tuple[float, list[str]]], alias: _Alias, score: float,
               how: str, on: str | None) -> None:
        reasons = [f"{how} {alias.text!r}"] if how.startswith("fuzzy") else [how]
        if alias.kind == "former" or (on and alias.valid_to and alias.valid_to < on):
            until = f" until {alias.valid_to}" if alias.valid_to else ""
            reasons.append(f"former name{until}")
            score -= 5
        if on and alias.valid_from and on < alias.valid_from:
            reasons.append(f"alias only from {alias.valid_from}")
            score -= 5
        best = found.get(alias.entity)
        if best is None or score > best[0]:
            found[alias.entity] = (score, reasons)

    def _fuzzy(self, found: dict[str, tuple[float, list[str]]], q: str, on: str | None) -> None:
        from rapidfuzz import fuzz, process

        ids = self.shortlist(q)
        if not ids:
            return
        choices = [self.aliases[i].normalized for i in ids]
        for _, score, pos in process.extract(q, choices, scorer=fuzz.WRatio,
                                             score_cutoff=FUZZY_CUTOFF, limit=20):
            self._offer_fuzzy(found, q, self.aliases[ids[pos]], score, on)

    def _offer_fuzzy(self, found: dict[str, tuple[float, list[str]]], q: str, alias: _Alias,
                     wratio: float, on: str | None) -> None:
        from rapidfuzz import fuzz

        # WRatio rewards substrings; a plain ratio keeps "acme" from equalling "acme labs"
        blended = (wratio + fuzz.ratio(q, alias.normalized)) / 2
        self._offer(found, alias, blended, f"fuzzy {round(wratio)}", on)

    def _fuzzy_near(self, found: dict[str, tuple[float, list[str]]], q: str,
                    mentioned: set[str], on: str | None) -> None:
        """Entities next to what the context names are candidates too, even when the name's
        spelling kept them off the shortlist (the context narrows the search)."""
        from rapidfuzz import fuzz

        if not mentioned:
            return
        graph = self._graph()
        for named in mentioned:
            if named not in graph:
                continue
            for entity in graph.neighbors(named):
                if entity in found:
                    continue
                for i in self.by_entity.get(entity, ()):
                    alias = self.aliases[i]
                    score = fuzz.WRatio(q, alias.normalized)
                    if score >= FUZZY_CUTOFF:
                        self._offer_fuzzy(found, q, alias, score, on)

    def _graph(self) -> Any:
        import networkx as nx  # type: ignore[import-untyped]

        if self.graph is None:
            self.graph = nx.Graph()
            for r in self.relations:
                self.graph.add_edge(r["src_id"], r["dst_id"], rel=r["rel"])
        return self.graph

    def _rerank(self, found: dict[str, tuple[float, list[str]]], mentioned: set[str],
                kind: str | None) -> None:
        near = self._near(mentioned - set(found), set(found))
        for entity, (score, reasons) in list(found.items()):
            score = score * 0.85
            if entity in near:
                distance, via = near[entity]
                score += NEAR_BONUS[distance]
                reasons = [*reasons, via]
            if kind and self.entities[entity]["kind"] != kind:
                score -= 30
                reasons = [*reasons, f"kind {self.entities[entity]['kind']}, not {kind}"]
            found[entity] = (score, reasons)

    def _near(self, mentioned: set[str], candidates: set[str]) -> dict[str, tuple[int, str]]:
        """Candidates within two relations of an entity the context names exactly."""
        import networkx as nx

        if not mentioned:
            return {}
        self._graph()
        near: dict[str, tuple[int, str]] = {}
        for entity in candidates:
            if entity not in self.graph:
                continue
            lengths = nx.single_source_shortest_path(self.graph, entity, cutoff=2)
            for target in mentioned:
                path = lengths.get(target)
                if path and len(path) - 1 in NEAR_BONUS:
                    rel = self.graph.edges[path[0], path[1]]["rel"]
                    name = self.entities[target]["name"]
                    hit = (len(path) - 1, f"near {name} via {rel}")
                    if entity not in near or hit[0] < near[entity][0]:
                        near[entity] = hit
        return near

    def _mentions(self, text: str) -> set[str]:
        words = normalize(text).split()
        found: set[str] = set()
        for size in (3, 2, 1):
            for start in range(len(words) - size + 1):
                gram = " ".join(words[start:start + size])
                found |= {self.aliases[i].entity for i in self.exact.get(gram, ())}
        return found

    def _decide(self, query: str, found: dict[str, tuple[float, list[str]]]) -> Resolution:
        ranked = sorted(found.items(), key=lambda kv: -kv[1][0])
        candidates = [
            Candidate(id=e, name=self.entities[e]["name"], kind=self.entities[e]["kind"],
                      score=max(0, min(100, round(s))), reasons=r)
            for e, (s, r) in ranked
        ]
        if not candidates or ranked[0][1][0] < FUZZY_CUTOFF * 0.85:
            return Resolution(query=query, status="unknown", entity=None,
                              candidates=candidates[:5])
        best = ranked[0][1][0]
        second = ranked[1][1][0] if len(ranked) > 1 else 0.0
        if best >= RESOLVED_AT and best - second >= MARGIN:
            top = candidates[0]
            return Resolution(query=query, status="resolved",
                              entity={"id": top.id, "name": top.name, "kind": top.kind},
                              candidates=candidates[:5])
        close = [c for (_, (s, _)), c in zip(ranked, candidates, strict=True)
                 if best - s <= SHOWN_WITHIN]
        return Resolution(query=query, status="ambiguous", entity=None, candidates=close)
