"""Relations in a context pack: the relations of the entities a question names that it asks
about, as cited items, and the entities whose rules govern them (factstore.context).
"""

from __future__ import annotations

import heapq
import weakref
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from factstore.periods import valid_on as valid_at_day
from factstore.question import FILLER, GENERIC, Ask, root
from factstore.ranked import (
    TIER_CONTEXT,
    TIER_FACT,
    TIER_LOW,
    Found,
    Ranked,
    Row,
    Select,
    item_of,
)
from factstore.resolver import AliasIndex, full_name

RELATED_MOST = 30  # relations into one entity listed at most ("customers located in EMEA")

# Words that ask for the same relation in other words: "who owns X" finds X's parent_of and
# account_owner, "who manages X" its account owner. Compared by root.
RELATION_SYNONYMS = [
    {"own", "manag", "lead", "handl", "responsi", "look"},
    {"own", "parent", "subsidi", "acquir", "acquisi", "hold"},
    {"locat", "bas", "headqua", "region", "countri", "where"},
]
# Relations into an entity that put it under another's rules: a parent_of, owns or holds
# relation makes the parent's rules the child's (outgoing relations always do).
GOVERNING_INBOUND = {"parent", "own", "hold", "control"}
PREPOSITIONS = frozenset("by in of to at with from for on into under within".split())
# Relations by their target, for the latest alias index (one per store version), by id:
# built on the first question that needs relations into an entity.
_INTO: dict[int, tuple[weakref.ref[AliasIndex], dict[str, list[tuple[str, str, str]]]]] = {}


# --- relations ---------------------------------------------------------------------------


@dataclass
class Links:
    """Relations of the mentioned entities, valid at valid-at: as pack items when the question
    asks about them, and as the entities whose rules govern them (Builder._rules).

    Outgoing relations are read by primary key (src_id); incoming ones come from the alias
    index's list of relations (the table has no index on dst_id), and only when needed."""

    select: Select
    index: AliasIndex
    subjects: list[str]
    valid_at: date
    start_month: int
    _out: list[Row] | None = None
    _in: list[tuple[str, str, str]] | None = None

    def outgoing(self) -> list[Row]:
        if self._out is None:
            self._out = []
            if self.subjects:
                marks = ",".join("?" * len(self.subjects))
                rows = self.select("relations",
                                   f"src_id IN ({marks}) AND status <> 'retracted'",
                                   self.subjects)
                self._out = sorted(self._valid(rows), key=lambda r: (r["src_id"], r["rel"],
                                                                      r["dst_id"]))
        return self._out

    def incoming(self) -> list[tuple[str, str, str]]:
        """(src, rel, dst) of every relation into a mentioned entity, by the index."""
        if self._in is None:
            cached = _INTO.get(id(self.index))
            if cached is None or cached[0]() is not self.index:
                into: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
                for r in self.index.relations:  # once per store version: by their target
                    if r[0] in self.index.entities:
                        into[r[2]].append(r)
                cached = (weakref.ref(self.index), into)
                _INTO.clear()  # the latest index only
                _INTO[id(self.index)] = cached
            self._in = [r for s in self.subjects for r in cached[1].get(s, [])]
        return self._in

    def rows(self, keys: list[tuple[str, str, str]]) -> list[Row]:
        """The valid rows of relations given by key, in the order given."""
        if not keys:
            return []
        srcs, dsts = sorted({k[0] for k in keys}), sorted({k[2] for k in keys})
        rows = self.select("relations", f"src_id IN ({','.join('?' * len(srcs))}) AND "
                           f"dst_id IN ({','.join('?' * len(dsts))}) AND status <> 'retracted'",
                           [*srcs, *dsts])
        by_key = {(r["src_id"], r["rel"], r["dst_id"]): r for r in self._valid(rows)}
        return [by_key[k] for k in keys if k in by_key]

    def _valid(self, rows: list[Row]) -> list[Row]:
        return [r for r in rows if valid_at_day(r, self.valid_at, self.start_month)
                and r["src_id"] in self.index.entities and r["dst_id"] in self.index.entities]

    def governing(self) -> dict[str, set[str]]:
        """Entity -> the entities whose rules govern it: every entity it relates to (its
        region, segment, parent), and those that relate to it as parent, owner or holder."""
        found: dict[str, set[str]] = defaultdict(set)
        for r in self.outgoing():
            found[r["src_id"]].add(r["dst_id"])
        parents = [k for k in self.incoming() if _rel_roots(k[1]) & GOVERNING_INBOUND]
        for r in self.rows(parents):
            found[r["dst_id"]].add(r["src_id"])
        return found

    def items(self, ask: Ask, found: Found) -> list[Ranked]:
        """Relations the question asks about: their name shares a word with it ('Who manages
        X?' finds X managed_by Y, 'Who owns X?' X's parent_of and account_owner, see
        RELATION_SYNONYMS), or it names the kind of entity at the other end ('Which
        customers are located in Z?': customers related to Z; both when it does both). A
        question that names nothing gets the entity's outgoing relations as context."""
        ranked: list[Ranked] = []
        for rank, subject in enumerate(self.subjects):
            # words its facts explain ask for no relation ("What is X's region?")
            asked = {ask.root(i) for i in ask.positions
                     if i not in found.explained.get(subject, set())}
            named = {a for a in asked if a not in GENERIC}
            if "where" in ask.words.words:
                named.add("where")
            if ask.specific and not named and not asked:
                continue
            wanted = {a: set().union({a}, *(g for g in RELATION_SYNONYMS if a in g))
                      for a in named}
            links = [(r["src_id"], r["rel"], r["dst_id"]) for r in self.outgoing()
                     if r["src_id"] == subject]
            if named or asked:
                links += [k for k in self.incoming() if k[2] == subject and k[0] != subject]
            sorts: dict[tuple[str, str], tuple[frozenset[str], frozenset[str]]] = {}
            hits = []  # (relation, the words its name answers, the kind words its other end)
            for key in links:
                other = self.index.entities[key[2] if key[0] == subject else key[0]]["kind"]
                if (key[1], other) not in sorts:  # one relation name, one kind: judged once
                    sorts[(key[1], other)] = (
                        frozenset(a for a, group in wanted.items() if group & _rel_roots(key[1])),
                        frozenset({root(full_name(other))} & asked))
                hits.append((key, *sorts[(key[1], other)]))
            both = [h for h in hits if h[1] and h[2]]
            picked = both or [h for h in hits if h[1] or h[2]]
            tier = TIER_FACT
            if not picked and not ask.specific:
                picked, tier = [h for h in hits if h[0][0] == subject], TIER_CONTEXT
            ask.cover(set().union(*(h[1] | h[2] for h in {(h[1], h[2]): h for h in picked}
                                    .values())))
            keys = heapq.nsmallest(RELATED_MOST * 3, (h[0] for h in picked), key=lambda k: (
                k[0] != subject, self.index.entities[k[2] if k[0] == subject else k[0]]["name"],
                k))  # outgoing first, then by the other entity's name: the same on every read
            shown = self.rows(keys)[:RELATED_MOST]
            if len(picked) > len(shown) and len(picked) > RELATED_MOST:
                found.missing.append(
                    f"only {len(shown)} of {len(picked)} relations of "
                    f"{self.index.entities[subject]['name']} are listed: ask about one by name")
            ranked += [self._item(r, tier, (rank, n)) for n, r in enumerate(shown)]
        return ranked

    def _item(self, r: Row, tier: int, order: tuple[Any, ...]) -> Ranked:
        src, dst = (self.index.entities[r[k]]["name"] for k in ("src_id", "dst_id"))
        status = "current" if r["status"] == "active" else r["status"]
        item = item_of("relation", f"rel:{r['src_id']}/{r['rel']}/{r['dst_id']}", status,
                     relation_text(src, r["rel"], dst, r["valid_from"], r["valid_to"]), r,
                     subject=r["src_id"], predicate=r["rel"], value=r["dst_id"],
                     value_type="entity")
        return Ranked(tier if status == "current" else TIER_LOW, order, item)


@lru_cache(maxsize=4_096)
def _rel_roots(rel: str) -> frozenset[str]:
    return frozenset(root(w) for w in full_name(rel.replace("_", " ")).split()
                     if w not in PREPOSITIONS and w not in FILLER)


def relation_text(src: str, rel: str, dst: str, valid_from: str | None,
                  valid_to: str | None) -> str:
    """A relation as a sentence: located_in -> 'A is located in B', manages -> 'A manages
    B', reports_to -> 'A reports to B', account_owner -> 'The account owner of A is B';
    with the dates it holds between."""
    words = rel.split("_")
    phrase = " ".join(words)
    verb = words[0].endswith("s") and not words[0].endswith("ss")
    if verb:
        text = f"{src} {phrase} {dst}"
    elif words[-1] in PREPOSITIONS:
        text = f"{src} is {phrase} {dst}"
    else:
        text = f"The {phrase} of {src} is {dst}"
    if valid_from and valid_to:
        return f"{text} (from {valid_from} until {valid_to})"
    if valid_from or valid_to:
        return f"{text} ({'from ' + valid_from if valid_from else 'until ' + str(valid_to)})"
    return text


__all__ = [
    "GOVERNING_INBOUND", "PREPOSITIONS", "RELATED_MOST", "RELATION_SYNONYMS", "Links",
    "relation_text"
]
