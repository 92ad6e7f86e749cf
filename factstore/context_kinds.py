"""Which kinds of entity a context names say the same thing twice (resolver.py): everyone
born on 1941-02-11 is born in 1941, everyone in Kyoto is in Japan. When a candidate is next
to both, the second says nothing the first did not, and counts once with it; two kinds that
vary apart (a suburb and a postcode) are two pieces of evidence.

Read from the store's own relations, never from a table of kinds: kind A implies kind B when
nearly every entity of kind A that two or more entities are next to has one entity of kind B
that all of them are next to as well."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import islice
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from factstore.evidence import Evidence

IMPLIES_FROM = 0.9  # share of the entities of kind A whose neighbours share one of kind B
IMPLIES_SEEN_FROM = 5  # ... of at least this many such entities (fewer tell nothing)
IMPLIES_SEEN_MOST = 200  # entities of kind A looked at


def kind_implies(adjacent: Mapping[str, Mapping[str, Any]],
                 entities: Mapping[str, Mapping[str, Any]], a: str, b: str) -> bool:
    """Does kind a imply kind b? Looked at on the first IMPLIES_SEEN_MOST entities of kind a
    that two or more entities are next to, in the order of the relations graph
    (`adjacent`, whose entities come in the order of the relations: a person's attributes
    right after it, not after every person): the same answer whatever was asked before."""
    members = (e for e, theirs in adjacent.items()
               if len(theirs) >= 2 and e in entities and entities[e]["kind"] == a)
    seen = shared = 0
    for entity in islice(members, IMPLIES_SEEN_MOST):
        seen += 1
        common: set[str] | None = None
        for neighbour in adjacent[entity]:
            theirs = {m for m in adjacent[neighbour]
                      if m in entities and entities[m]["kind"] == b}
            common = theirs if common is None else common & theirs
            if not common:
                break
        shared += bool(common)
    return seen >= IMPLIES_SEEN_FROM and shared >= IMPLIES_FROM * seen


def said_by(adjacent: Mapping[str, Mapping[str, Any]], entities: Mapping[str, Mapping[str, Any]],
            implies: dict[tuple[str, str], bool], agreeing: Sequence[str]) -> dict[str, str]:
    """The entities a context names next to a candidate (`agreeing`) that another of them
    implies (its kind implies theirs: a birth date its year, a city its country), each with
    the name of the one that does; the more specific (fewer neighbours) implies first.
    `implies` caches kind_implies() per pair of kinds (the index keeps it)."""
    found: dict[str, str] = {}
    ranked = sorted(agreeing, key=lambda t: (len(adjacent[t]), t))
    for a in ranked:
        for b in ranked:
            kinds = entities[a]["kind"], entities[b]["kind"]
            if a == b or a in found or b in found or kinds[0] == kinds[1]:
                continue
            if kinds not in implies:
                implies[kinds] = kind_implies(adjacent, entities, *kinds)
            if implies[kinds]:
                found[b] = entities[a]["name"]
    return found


def said_with(adjacent: Mapping[str, Mapping[str, Any]],
              entities: Mapping[str, Mapping[str, Any]], implies: dict[tuple[str, str], bool],
              evidence: Evidence, against: Sequence[str],
              near_at: dict[str, tuple[int, str]]) -> None:
    """Context entities near a candidate (`near_at`: each one's place in evidence.near and
    the neighbour of the candidate it is near by) that one said against it (`against`)
    stands by as well are no support, and leave evidence.near: "Jülich, Germany" for the
    Stahr of Bonn names Germany because Jülich is there (Germany is near Stahr through its
    own town, Bonn, and is Jülich's country too); so is a birth year next to the candidate
    beside a birth date said against it, where the store shows that the one kind implies
    the other."""
    gone: set[int] = set()
    for t in against:
        for g, (at, via) in near_at.items():
            if at in gone or g not in adjacent[t]:
                continue
            kinds = entities[t]["kind"], entities[g]["kind"]
            if via != g:  # through its own entity of the kind said against it
                said = entities[via]["kind"] == kinds[0]
            else:
                if kinds not in implies:
                    implies[kinds] = kind_implies(adjacent, entities, *kinds)
                said = kinds[0] != kinds[1] and implies[kinds]
            if said:
                gone.add(at)
                evidence.implied.append(f"{entities[g]['name']} goes with "
                                        f"{entities[t]['name']}, said against it")
    if gone:
        evidence.near = [n for i, n in enumerate(evidence.near) if i not in gone]
        near_at.clear()


__all__ = ["IMPLIES_FROM", "IMPLIES_SEEN_FROM", "IMPLIES_SEEN_MOST", "kind_implies", "said_by",
           "said_with"]
