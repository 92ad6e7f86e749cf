"""Resolving names to entities: which "Acme"?

Normalised aliases go into an index (exact keys, word tokens, acronyms, character trigrams;
name_index.py files them) so a query never scans every alias; rapidfuzz scores the shortlist;
a networkx graph of relations re-ranks by proximity to the entities the context mentions. The
answer is `resolved`, `ambiguous` (the caller decides) or `unknown`, and every candidate says
why it scored what it did.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from factstore import name_index
from factstore.name_index import (
    REPORT_EVERY, Postings, gc_paused, gram_postings, most_common, top_vectorised, trigrams,
)
from factstore.name_index import Progress as Progress  # the store's modules import it here

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
NEAR_CUTOFF = 55  # for entities next to one the context names
NEAR_SEARCH_MOST = 5_000  # neighbours of a context entity searched by name
NEAR_BONUS = {1: 15, 2: 8}  # graph distance to a context entity -> points
NEAR_MOST = 30  # points from the context, however many of its entities a candidate is near


DOTTED_LETTER = re.compile(r"\b(\w)\.(?=\w\.)")
NOT_WORD = re.compile(r"[^\w]+")
# NOT_WORD for ASCII text, as a translation table: several times faster than the regex
ASCII_NOT_WORD = str.maketrans({c: " " for c in map(chr, range(128))
                                if not (c.isalnum() or c == "_")})


def full_name(name: str) -> str:
    """Case, accents, punctuation, '&' and whitespace folded; legal forms spelled one way."""
    if name.isascii():  # most names: no accents to strip, and lower() is casefold()
        text = name.lower()
    else:
        text = unicodedata.normalize("NFKD", name)
        text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("&", " and ")
    if "." in text:  # "S.A." and "N.V." are suffixes written with dots: join single letters
        text = DOTTED_LETTER.sub(r"\1", text)
    text = text.translate(ASCII_NOT_WORD) if text.isascii() else NOT_WORD.sub(" ", text)
    return " ".join([LEGAL_FORMS.get(w, w) for w in text.split()])


def strip_legal_suffix(full: str) -> str:
    if full.rpartition(" ")[2] not in LEGAL_SUFFIXES:  # most names end in no legal form
        return full
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

    @property
    def full(self) -> str:
        """full_name(text): keeps the legal form (only exact hits need it)."""
        return full_name(self.text)


@dataclass
class AliasTable:
    """Every alias as columns; an _Alias is made only when one is read (a million objects
    would cost seconds to build and to load). Index i is the alias id used by the postings."""

    entity: Sequence[str]
    text: Sequence[str]
    normalized: Sequence[str]
    kind: Sequence[str]
    valid_from: Sequence[str | None]
    valid_to: Sequence[str | None]

    @classmethod
    def of(cls, rows: dict[str, dict[str, Any]], aliases: list[dict[str, Any]]) -> AliasTable:
        """Each entity's name, then the aliases of known entities, in order."""
        entities = list(rows.values())
        aliases = [a for a in aliases if a["entity_id"] in rows]
        none: list[str | None] = [None] * len(entities)
        return cls([e["id"] for e in entities] + [a["entity_id"] for a in aliases],
                   [e["name"] for e in entities] + [a["alias"] for a in aliases],
                   [normalize(e["name"]) for e in entities] + [a["normalized"] for a in aliases],
                   ["entity name"] * len(entities) + [a["alias_kind"] for a in aliases],
                   none + [a["valid_from"] for a in aliases],
                   none + [a["valid_to"] for a in aliases])

    def __len__(self) -> int:
        return len(self.entity)

    def __getitem__(self, i: int) -> _Alias:
        text = self.text[i]
        return _Alias(self.entity[i], text, self.normalized[i], self.kind[i],
                      self.valid_from[i], self.valid_to[i])

    def __iter__(self) -> Iterator[_Alias]:
        return (self[i] for i in range(len(self)))


@dataclass
class AliasIndex:
    """Everything needed to resolve, built once per store version (and cached on disk by the
    store, see index_cache.py)."""

    entities: Mapping[str, dict[str, Any]]
    aliases: AliasTable
    exact: Postings  # normalised name or acronym -> alias ids
    tokens: Postings  # word -> alias ids
    grams: Postings  # character trigram of the normalised name -> alias ids
    by_entity: Postings  # entity id -> alias ids
    relations: list[tuple[str, str, str]]  # (src_id, rel, dst_id)
    graph: Any = None  # networkx.Graph of relations, built on first use of context
    origin: Path | None = None  # the cache file it was loaded from (None: built here)

    @classmethod
    def build(cls, entities: list[dict[str, Any]], aliases: list[dict[str, Any]],
              relations: list[dict[str, Any]], progress: Progress | None = None) -> AliasIndex:
        rows = {e["id"]: e for e in entities}
        table = AliasTable.of(rows, aliases)
        with gc_paused():
            exact, tokens, by_entity = _key_postings(table, progress)
            grams = gram_postings(table.normalized, progress)
        return cls(rows, table, exact, tokens, grams, by_entity,
                   [(r["src_id"], r["rel"], r["dst_id"]) for r in relations])

    # -- shortlist and scoring --------------------------------------------------------------

    def shortlist(self, query: str, limit: int = 200, budget: int = 4_000) -> list[int]:
        """Aliases worth scoring: those sharing a token or the query's rarest trigrams.

        The work is bounded by `budget` postings, whatever the number of aliases: rare
        grams are read first, and common ones (which tell little) only while budget remains.
        """
        picked: list[tuple[Sequence[int], int]] = []  # (bucket, points per alias in it)
        for token in set(query.split()) - STOPWORDS:
            bucket = self.tokens.bucket(token)
            if 0 < len(bucket) <= budget // 4:  # a token everybody has tells nothing
                picked.append((bucket, 3))
        spent = 0
        for size, gram in sorted((self.grams.size(g), g) for g in trigrams(query)):
            if spent + size > budget:
                break
            if size:
                spent += size
                picked.append((self.grams.bucket(gram), 1))
        if len(self.aliases) >= name_index.VECTORISE_FROM:
            return top_vectorised(picked, limit)
        hits: Counter[int] = Counter()
        for bucket, points in picked:
            hits.update(dict.fromkeys(bucket, points) if points > 1 else bucket)
        return most_common(hits, limit)

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
        # Even after an exact hit the context may point at another entity (two people of one
        # name) - unless the query gave a full legal name that matched exactly: "Acme
        # Corporation" is that company, whatever short name a neighbour of the context has.
        full_hit = q_full != q and any(self.aliases[i].full == q_full for i in self.exact.get(
            q, ()))
        if q and not full_hit:
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
        normalized = self.aliases.normalized
        choices = [normalized[i] for i in ids]
        for _, score, pos in process.extract(q, choices, scorer=fuzz.WRatio,
                                             score_cutoff=FUZZY_CUTOFF, limit=20):
            self._offer_fuzzy(found, q, self.aliases[ids[pos]], score, on)

    def _offer_fuzzy(self, found: dict[str, tuple[float, list[str]]], q: str, alias: _Alias,
                     wratio: float, on: str | None) -> None:
        from rapidfuzz import fuzz

        # WRatio rewards substrings; a whole-name ratio keeps "acme" from equalling "acme
        # labs", and sorting the words first lets "smith john" equal "john smith"
        whole = max(fuzz.ratio(q, alias.normalized), fuzz.token_sort_ratio(q, alias.normalized))
        blended = (wratio + whole) / 2
        self._offer(found, alias, blended, f"fuzzy {round(wratio)}", on)

    def _fuzzy_near(self, found: dict[str, tuple[float, list[str]]], q: str,
                    mentioned: set[str], on: str | None) -> None:
        """Entities next to what the context names are candidates too, even when the name's
        spelling kept them off the shortlist (the context narrows the search). An entity
        with more than NEAR_SEARCH_MOST neighbours narrows nothing and is skipped."""
        from rapidfuzz import fuzz, process

        if not mentioned:
            return
        graph = self._graph()
        for named in mentioned:
            if named not in graph or graph.degree(named) > NEAR_SEARCH_MOST:
                continue
            ids = [i for entity in graph.neighbors(named) if entity not in found
                   for i in self.by_entity.bucket(entity)]
            choices = [self.aliases.normalized[i] for i in ids]
            for _, score, pos in process.extract(q, choices, scorer=fuzz.WRatio,
                                                 score_cutoff=NEAR_CUTOFF, limit=None):
                self._offer_fuzzy(found, q, self.aliases[ids[pos]], score, on)

    def _graph(self) -> Any:
        import networkx as nx  # type: ignore[import-untyped]

        if self.graph is None:
            self.graph = nx.Graph()
            for src, rel, dst in self.relations:
                self.graph.add_edge(src, dst, rel=rel)
        return self.graph

    def _rerank(self, found: dict[str, tuple[float, list[str]]], mentioned: set[str],
                kind: str | None) -> None:
        near = self._near(mentioned - set(found), set(found))
        for entity, (score, reasons) in list(found.items()):
            score = score * 0.85
            if entity in near:
                # each entity of the context it is near is one more piece of evidence
                hits = sorted(near[entity])
                score += min(NEAR_MOST, sum(NEAR_BONUS[distance] for distance, _ in hits))
                reasons = [*reasons, *(via for _, via in hits)]
            if kind and self.entities[entity]["kind"] != kind:
                score -= 30
                reasons = [*reasons, f"kind {self.entities[entity]['kind']}, not {kind}"]
            found[entity] = (score, reasons)

    def _near(self, mentioned: set[str], candidates: set[str]
              ) -> dict[str, list[tuple[int, str]]]:
        """For each candidate, the entities the context names exactly that lie within two
        relations of it: (distance, reason) for each."""
        import networkx as nx

        if not mentioned:
            return {}
        self._graph()
        near: dict[str, list[tuple[int, str]]] = {}
        for entity in candidates:
            if entity not in self.graph:
                continue
            lengths = nx.single_source_shortest_path(self.graph, entity, cutoff=2)
            for target in mentioned:
                path = lengths.get(target)
                if path and len(path) - 1 in NEAR_BONUS:
                    rel = self.graph.edges[path[0], path[1]]["rel"]
                    name = self.entities[target]["name"]
                    near.setdefault(entity, []).append((len(path) - 1,
                                                        f"near {name} via {rel}"))
        return near

    def _mentions(self, text: str) -> set[str]:
        words = normalize(text).split()
        found: set[str] = set()
        for size in (3, 2, 1):
            for start in range(len(words) - size + 1):
                gram = words[start:start + size]
                if all(w in STOPWORDS or len(w) < 2 for w in gram):  # "of" is no mention
                    continue  # (even if it is the acronym of Orbital Freight)
                found |= {self.aliases.entity[i] for i in self.exact.bucket(" ".join(gram))}
        return found

    def _decide(self, query: str, found: dict[str, tuple[float, list[str]]]) -> Resolution:
        ranked = sorted(found.items(), key=lambda kv: -kv[1][0])
        best = ranked[0][1][0] if ranked else 0.0
        second = ranked[1][1][0] if len(ranked) > 1 else 0.0
        status: Literal["resolved", "ambiguous", "unknown"]
        if not ranked or best < FUZZY_CUTOFF * 0.85:
            status = "unknown"
        elif best >= RESOLVED_AT and best - second >= MARGIN:
            status = "resolved"
        else:
            status = "ambiguous"
            ranked = [kv for kv in ranked if best - kv[1][0] <= SHOWN_WITHIN]
        candidates = [  # made only for the candidates shown
            Candidate(id=e, name=self.entities[e]["name"], kind=self.entities[e]["kind"],
                      score=max(0, min(100, round(s))), reasons=r)
            for e, (s, r) in (ranked if status == "ambiguous" else ranked[:5])
        ]
        top = candidates[0] if status == "resolved" else None
        return Resolution(query=query, status=status,
                          entity={"id": top.id, "name": top.name, "kind": top.kind} if top
                          else None, candidates=candidates)

def _key_postings(table: AliasTable, progress: Progress | None
                  ) -> tuple[Postings, Postings, Postings]:
    """Exact keys (with acronyms), word tokens and each entity's aliases."""
    exact: dict[str, int] = {}
    tokens: dict[str, int] = {}
    exact_keys, exact_ids, token_keys, token_ids = (array("i") for _ in range(4))
    total = len(table)
    for i, key in enumerate(table.normalized):
        exact_keys.append(exact.setdefault(key, len(exact)))
        exact_ids.append(i)
        words = [w for w in key.split() if w not in STOPWORDS]
        if len(words) > 1:
            short = "".join(w[0] for w in words)  # acronym(key)
            if short != key:
                exact_keys.append(exact.setdefault(short, len(exact)))
                exact_ids.append(i)
        for token in set(words):
            token_keys.append(tokens.setdefault(token, len(tokens)))
            token_ids.append(i)
        if progress and i % REPORT_EVERY == 0:
            progress("indexing names", i, total)
    entities = {entity: slot for slot, entity in enumerate(dict.fromkeys(table.entity))}
    by_entity = Postings.group(entities, array("i", map(entities.__getitem__, table.entity)),
                               None)
    if progress:
        progress("indexing names", total, total)
    return (Postings.group(exact, exact_keys, exact_ids),
            Postings.group(tokens, token_keys, token_ids), by_entity)
