"""Relations in a context pack: the relations of the entities a question names that it asks
about, as cited items, and the entities whose rules govern them (factstore.context).
"""

from __future__ import annotations

import heapq
import weakref
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from factstore.periods import valid_on as valid_at_day
from factstore.question import FILLER, GENERIC, Ask, initials_at, root
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
# Nouns that ask for the entity above the one named, or below it ("X's parent company", "X's
# subsidiaries"), by root: a relation of X answers them only in that direction. A relation
# names its source as the one above ("owns", "parent_of", "holds", "controls") unless it ends
# in "by" ("owned_by", "acquired_by"), or names it as the one below ("subsidiary_of").
# ("owner", "holding" and "acquirer" share their roots with the verbs "owns", "holds",
# "acquired", which ask either way.)
ABOVE_NOUNS = frozenset({"parent"})
BELOW_NOUNS = frozenset({"subsidi", "child", "children"})
ABOVE_RELS = frozenset({"parent", "own", "hold", "control", "acquir"})
PREPOSITIONS = frozenset("by in of to at with from for on into under within as".split())
# A relation whose name ends in one of these puts its source somewhere (located_in,
# headquartered_in, berthed_at): what "where is X?" asks for, and its target is a place, not
# who anyone is. Read from relation names, whatever they are.
PLACE_PREPOSITIONS = frozenset("in at within near".split())
CHAIN_MOST = 3  # relations followed from an entity to the entities whose rules govern it
Key = tuple[str, str, str]  # (src_id, rel, dst_id)
# A relation of a subject, the question's words its name answers, the kind words its other end
Hit = tuple[Key, frozenset[str], frozenset[str]]


@dataclass
class Graph:
    """The store's relations by source and by target, and the entities that are places."""

    out: dict[str, list[Key]]
    into: dict[str, list[Key]]
    places: frozenset[str]
    names: frozenset[str]  # every relation name


# The graph of the latest alias index (one per store version), by id: built on the first
# question that needs more than the mentioned entities' own outgoing relations.
_GRAPH: dict[int, tuple[weakref.ref[AliasIndex], Graph]] = {}


def graph_of(index: AliasIndex) -> Graph:
    """The relations of the index's store, by end, built once per store version."""
    cached = _GRAPH.get(id(index))
    if cached is None or cached[0]() is not index:
        out: dict[str, list[Key]] = defaultdict(list)
        into: dict[str, list[Key]] = defaultdict(list)
        places = set()
        for r in index.relations:
            if r[0] in index.entities and r[2] in index.entities:
                out[r[0]].append(r)
                into[r[2]].append(r)
                if _last_word(r[1]) in PLACE_PREPOSITIONS:
                    places.add(r[2])
        names = frozenset(k[1] for keys in out.values() for k in keys)
        cached = (weakref.ref(index), Graph(out, into, frozenset(places), names))
        _GRAPH.clear()  # the latest index only
        _GRAPH[id(index)] = cached
    return cached[1]


def _last_word(rel: str) -> str:
    return rel.rsplit("_", 1)[-1].lower()


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
    spans: list[tuple[date, date]] = field(default_factory=list)  # the periods asked about
    definitions: list[Row] = field(default_factory=list)
    when: str = ""  # the periods asked about, as a note says them: " in 2024"
    _out: list[Row] | None = None
    _in: list[Key] | None = None
    _pending: dict[str, tuple[int, list[Hit]]] = field(default_factory=dict)
    _named: dict[str, frozenset[str]] = field(default_factory=dict)  # its words, by subject
    _words: dict[str, frozenset[str]] = field(default_factory=dict)  # see _defined
    # subject -> the entities at the other end of its relations picked by the kind the
    # question names ("customers" in "the ARR of our Perth customers"), in order shown
    members: dict[str, list[str]] = field(default_factory=dict)

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
            into = graph_of(self.index).into
            self._in = [r for s in self.subjects for r in into.get(s, [])]
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
        """Relations that hold at valid-at, or, when the question names periods, at some
        time in one of them ('Who managed X in 2024?')."""
        return [r for r in rows if self._holds(r)
                and r["src_id"] in self.index.entities and r["dst_id"] in self.index.entities]

    def _holds(self, r: Row) -> bool:
        if not self.spans:
            return valid_at_day(r, self.valid_at, self.start_month)
        start = date.fromisoformat(r["valid_from"]) if r["valid_from"] else date.min
        end = date.fromisoformat(r["valid_to"]) if r["valid_to"] else date.max
        return any(start <= b and a <= end for a, b in self.spans)

    def governing(self) -> dict[str, set[str]]:
        """Entity -> the entities whose rules govern it: every entity it relates to (its
        region, segment, parent), and those that relate to it as parent, owner or holder."""
        found: dict[str, set[str]] = defaultdict(set)
        for r in self.outgoing():
            found[r["src_id"]] |= {r["dst_id"], *self._chain(r["dst_id"], _last_word(r["rel"]))}
        parents = [k for k in self.incoming() if _rel_roots(k[1]) & GOVERNING_INBOUND]
        for r in self.rows(parents):
            found[r["dst_id"]].add(r["src_id"])
        return found

    def _chain(self, start: str, how: str) -> set[str]:
        """The entities a relation's target is in, in turn, by relations that end in the
        same preposition (X headquartered_in a port, the port located_in a country: the
        country's rules govern X; X part_of a group part_of a larger one), a few steps. A
        relation to someone (managed_by) passes nothing on."""
        if how not in PREPOSITIONS or how == "by":
            return set()
        out, found, frontier = graph_of(self.index).out, set(), [start]
        for _ in range(CHAIN_MOST - 1):
            keys = [k for e in frontier for k in out.get(e, []) if _last_word(k[1]) == how]
            frontier = [r["dst_id"] for r in self.rows(keys)
                        if r["dst_id"] not in found and r["dst_id"] != start]
            found |= set(frontier)
            if not frontier:
                break
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
            if ask.specific and not named and not asked and not ask.wh:
                continue
            wanted = {a: set().union({a}, *(g for g in RELATION_SYNONYMS if a in g))
                      for a in named}
            links = [(r["src_id"], r["rel"], r["dst_id"]) for r in self.outgoing()
                     if r["src_id"] == subject]
            if named or asked or ask.wh:
                links += [k for k in self.incoming() if k[2] == subject and k[0] != subject]
            sorts: dict[tuple[str, str], tuple[frozenset[str], frozenset[str]]] = {}
            hits: list[Hit] = []
            for key in links:
                other = self.index.entities[key[2] if key[0] == subject else key[0]]["kind"]
                if (key[1], other) not in sorts:  # one relation name, one kind: judged once
                    sorts[(key[1], other)] = (
                        frozenset(a for a, group in wanted.items() if group & _rel_roots(key[1]))
                        | _initials(key[1], ask, named),
                        frozenset({root(full_name(other))} & asked))
                hits.append((key, *sorts[(key[1], other)]))
            facing = [h for h in hits if _facing(h[0], subject, h[1])]
            if any(h[1] for h in hits) and not any(h[1] for h in facing):
                # "What is X's parent company?" of X owns Y: Y is no parent of X
                role = [i for i in ask.positions if ask.root(i) in ABOVE_NOUNS | BELOW_NOUNS]
                found.missing.append(f"no {ask.phrase(role)} of "
                                     f"{self.index.entities[subject]['name']}{self.when}")
                ask.cover(named)
                named, wanted = set(), {}
            hits = facing
            both = [h for h in hits if h[1] and h[2]]
            picked = both or [h for h in hits if h[1] or h[2]]
            tier = TIER_FACT
            if not picked and named:  # words a definition of the relation uses
                picked = [(h[0], frozenset(named & self._defined(h[0][1])), h[2])
                          for h in hits if named & self._defined(h[0][1])]
            if not picked and (absent := self._absent(wanted, named)):
                found.missing.append(f"no {' or '.join(absent)} relation of "
                                     f"{self.index.entities[subject]['name']}{self.when}")
                ask.cover(named)  # 'Who handles X?': the store's managed_by, none for X
            elif not picked and ask.wh:  # see answers_wh, once rules have had their say
                self._named[subject] = frozenset(named)
                self._pending[subject] = (rank, [(h[0], frozenset(named), h[2]) for h in hits
                                                 if self._answers(h[0], subject, ask.wh)])
            if not picked and not ask.specific:
                picked, tier = [h for h in hits if h[0][0] == subject], TIER_CONTEXT
            shown = self._show(subject, rank, picked, tier, ask, found)
            kinds = {h[0] for h in picked if h[2]}
            self.members[subject] = [
                str(r.item.value if r.item.subject == subject else r.item.subject)
                for r in shown if _key(r.item) in kinds]
            ranked += shown
        return ranked

    def answers_wh(self, ask: Ask, found: Found) -> list[Ranked]:
        """For 'Who …?' and 'Where …?' of an entity, in a verb no relation's name, synonym or
        definition uses ('Who looks after X?', 'Who bought X?', 'Where does X work from?'),
        and that none of its facts or rules answers: every relation of the entity that can
        answer who (its other end is not a place) or where (it puts the entity somewhere)."""
        ranked: list[Ranked] = []
        for subject, (rank, picked) in self._pending.items():
            if subject in found.answered or subject in found.ruled:
                continue
            ask.cover(set(self._named[subject]))  # what the relations (or this note) answer
            verb = [i for i in ask.positions if ask.root(i) in self._named[subject]]
            if verb:  # say that the relations shown are a guess at what the verb means
                found.missing.append(
                    f"no relation of {self.index.entities[subject]['name']} is named "
                    f"'{ask.phrase(verb)}'" + (f": listed are those that may say {ask.wh}"
                                               if picked else ""))
            ranked += self._show(subject, rank, picked, TIER_FACT, ask, found)
        return ranked

    def _show(self, subject: str, rank: int, picked: list[Hit], tier: int, ask: Ask,
              found: Found) -> list[Ranked]:
        """The picked relations of a subject as items, at most RELATED_MOST of them."""
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
        return [self._item(r, tier, (rank, n)) for n, r in enumerate(shown)]

    def _absent(self, wanted: dict[str, set[str]], named: set[str]) -> list[str]:
        """Relations of other entities the question's words name (their name, a synonym or
        their definition), as words: what the entity asked about lacks."""
        return [rel.replace("_", " ") for rel in sorted(graph_of(self.index).names)
                if any(g & _rel_roots(rel) for g in wanted.values())
                or named & self._defined(rel)]

    def _answers(self, key: Key, subject: str, wh: str) -> bool:
        """Does the relation answer 'who …?' (its other end is not a place) or 'where …?'
        (it puts the entity somewhere), whatever verb the question uses ('Who looks after
        X?', 'Who bought X?', 'Where does X work from?')?"""
        if wh == "where":
            return key[0] == subject and _last_word(key[1]) in PLACE_PREPOSITIONS
        if key[0] != subject:  # someone to X (its parent, the owner of its account)
            return key[0] not in graph_of(self.index).places
        # X managed_by Y, X's account_owner Y: Y is who; not X part_of, located_in,
        # classed_as Y (what X is in) nor X uses_product Y (what X does)
        return _last_word(key[1]) == "by" or not (
            _last_word(key[1]) in PREPOSITIONS or _verb(key[1]))

    def _defined(self, rel: str) -> frozenset[str]:
        """The words of the definitions of a relation's name ('Account manager: the person
        in charge of an operator's account' for managed_by)."""
        if rel not in self._words:  # once per relation name and pack
            own = _rel_roots(rel)
            self._words[rel] = frozenset(
                root(w) for d in self.definitions if own & {
                    root(w) for w in full_name(d["term"]).split() if w not in FILLER}
                for w in full_name(d["text"]).split() if w not in FILLER)
        return self._words[rel]

    def _item(self, r: Row, tier: int, order: tuple[Any, ...]) -> Ranked:
        src, dst = (self.index.entities[r[k]]["name"] for k in ("src_id", "dst_id"))
        status = "current" if r["status"] == "active" else r["status"]
        item = item_of("relation", f"rel:{r['src_id']}/{r['rel']}/{r['dst_id']}", status,
                     relation_text(src, r["rel"], dst, r["valid_from"], r["valid_to"]), r,
                     subject=r["src_id"], predicate=r["rel"], value=r["dst_id"],
                     value_type="entity")
        return Ranked(tier if status == "current" else TIER_LOW, order, item)


def _initials(rel: str, ask: Ask, named: set[str]) -> frozenset[str]:
    """The question's words a relation's name is the initials of: 'customer success
    manager' for csm, 'key account manager' for kam."""
    at = initials_at([rel.lower()], [ask.words.words[i] for i in ask.positions], ask.positions)
    return frozenset(ask.root(i) for i in at) & named


def _key(item: Any) -> Key:
    """A relation item's (src, rel, dst)."""
    return (str(item.subject), str(item.predicate), str(item.value))


@lru_cache(maxsize=4_096)
def _rel_roots(rel: str) -> frozenset[str]:
    return frozenset(root(w) for w in full_name(rel.replace("_", " ")).split()
                     if w not in PREPOSITIONS and w not in FILLER)


def _facing(key: Key, subject: str, said: frozenset[str]) -> bool:
    """Does a relation of the subject face the way the question's role nouns ask (ABOVE_NOUNS,
    BELOW_NOUNS)? True when it asks for no direction or the relation names none."""
    up, down = said & ABOVE_NOUNS, said & BELOW_NOUNS
    if not (up or down) or (up and down):
        return True
    roots = _rel_roots(key[1])
    if roots & {"subsidi", "child"} or (_last_word(key[1]) == "by" and roots & ABOVE_RELS):
        src_above = False  # X subsidiary_of Y, X owned_by Y: Y is above
    elif roots & ABOVE_RELS:
        src_above = True  # Y owns X, Y parent_of X
    else:
        return True
    other_above = src_above if key[2] == subject else not src_above
    return other_above if up else not other_above


def _verb(rel: str) -> bool:
    """Is a relation's name a verb ('manages', 'uses_product'), not a noun or adjective?"""
    first = rel.split("_")[0]
    return first.endswith("s") and not first.endswith("ss")


def relation_text(src: str, rel: str, dst: str, valid_from: str | None,
                  valid_to: str | None) -> str:
    """A relation as a sentence: located_in -> 'A is located in B', manages -> 'A manages
    B', reports_to -> 'A reports to B', account_owner -> 'The account owner of A is B';
    with the dates it holds between."""
    words = rel.split("_")
    phrase = " ".join(words)
    if _verb(rel):
        text = f"{src} {phrase} {dst}"
    elif words[-1] in PREPOSITIONS:
        text = f"{src} is {phrase} {dst}"
    else:
        text = f"The {phrase} of {src} is {dst}"
    return text + validity(valid_from, valid_to)


def validity(valid_from: str | None, valid_to: str | None) -> str:
    """' (from A until B)', ' (from A)', ' (until B)', or '' for a row valid always."""
    if valid_from and valid_to:
        return f" (from {valid_from} until {valid_to})"
    if valid_from or valid_to:
        return f" ({'from ' + valid_from if valid_from else 'until ' + str(valid_to)})"
    return ""


__all__ = [
    "ABOVE_NOUNS", "ABOVE_RELS", "BELOW_NOUNS", "CHAIN_MOST", "GOVERNING_INBOUND",
    "PLACE_PREPOSITIONS", "PREPOSITIONS", "RELATED_MOST", "RELATION_SYNONYMS", "Graph", "Hit",
    "Key", "Links", "graph_of", "relation_text", "validity"
]
