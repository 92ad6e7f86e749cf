"""What the words of a context that name no entity say about a candidate (resolver.py): a
word of a neighbour's name is for it, one written like such a word is a slip for it, a word
of the names of a kind it is related to but not of its own is against it; and a context that
is a bare proper name the store does not hold ("Bjerringbro") is a town or party the store
cannot connect to it."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from factstore.name_keys import NAME_PARTICLES, normalize
from factstore.name_likeness import slip as _slip

if TYPE_CHECKING:
    from factstore.evidence import Evidence

SLIP_NEIGHBOURS_MOST = 50  # a candidate with more neighbours is not searched for slips
# lower-case words a proper name may hold between its capitalised ones ("Sá de Goiás")
CONNECTORS_IN_NAMES = frozenset("de do da dos das del la le les sur sous am an im ob bei aan op "
                                "on upon en y e et".split())
PROPER_NAME_WORDS_MOST = 4


def weigh_loose(entities: Mapping[str, Mapping[str, Any]], evidence: Evidence,
                mine: Mapping[str, Any], theirs: Iterable[str],
                kinds_of: dict[str, set[str]], whole: bool = False) -> None:
    """Words of the context that name no entity, each with the kinds of entity whose names
    have it: a word of the name of an entity next to the candidate (`mine`) is for it
    (near_words: "05 09" of its birth date 1918-05-09); one written like such a word
    ("tarlga" for its suburb Taralga, "2744" for its postcode 2474, "2014" in a birth date
    for its 2004) is a slip for it (near_slips); otherwise, a word of the names of a kind
    the candidate is related to, but not of its own (`theirs`: the neighbours that may be
    said against it), is against it (unexplained). A context that is `whole` one name (a
    proper name naming no entity) is for it only if one neighbour's name has each of its
    words, or a word written like it ("Frankfurt" for its Frankfurt am Main, not "Sainte
    Édith" for its Sainte-Marie: a town of its own)."""
    if not kinds_of:
        return
    slips = len(mine) <= SLIP_NEIGHBOURS_MOST  # a hub's neighbours: too many to compare
    own: dict[str, set[str]] = {}
    names: list[set[str]] = []
    for n in mine:
        if n in entities:
            row = entities[n]
            names.append(set(normalize(row["name"]).split()))
            own.setdefault(row["kind"], set()).update(names[-1])
    every = set().union(*own.values()) if own else set()
    against = {entities[n]["kind"] for n in theirs}
    for_it = not whole or any(all(w in name or (slips and any(_slip(w, x) for x in name))
                                  for w in kinds_of) for name in names)
    for word, kinds in kinds_of.items():
        if word in every:  # a part of its birth date, a word of its suburb's name
            if for_it:
                evidence.near_words.append(word)
            continue
        if slips and any(_slip(word, theirs) for theirs in every):
            if for_it:
                evidence.near_slips.append(word)
            continue
        if any(k in against for k in kinds):
            evidence.unexplained.append(word)
    if evidence.unexplained:
        evidence.contradicts.append(f"the context says {' '.join(evidence.unexplained)}, "
                                    f"not its {'/'.join(sorted(against))}")


def weigh_unplaced(adjacent: Mapping[str, Mapping[str, Any]],
                   entities: Mapping[str, Mapping[str, Any]], found: dict[str, Evidence],
                   said: str, named: Collection[str] = ()) -> None:
    """The context is a bare proper name that names no entity ("Bjerringbro", "Sainte
    Renédan"), or only entities (`named`) the candidate is not next to ("Carvalho", a
    company, for a company in another town): a town or party the store cannot connect to a
    candidate is against one that has neighbours (its town, its country) and nothing of the
    context for it, as another town the store does hold would be (nothing_near), and leaves
    it unresolved (Evidence.unplaced). Not for a question's other words, nor "EMEA
    renewal" (proper_name)."""
    for entity, evidence in found.items():
        mine = adjacent.get(entity)
        if mine and not (evidence.near or evidence.near_words or evidence.near_slips
                         or evidence.slips or evidence.unexplained or evidence.contradicts
                         or any(n in mine for n in named)):
            kinds = sorted({entities[n]["kind"] for n in mine if n in entities})
            evidence.contradicts.append(
                f"the context names {said}, which the store "
                f"{'cannot connect to it' if named else 'does not hold'}, "
                f"not its {'/'.join(kinds)}")
            evidence.unplaced = True


def proper_name(text: str) -> bool:
    """Is the text a bare proper name of one to four words ("Sainte Renédan", "Port
    Karenland", "Sá de Goiás", "Bad-Tölz"): each capitalised but not in capitals (an
    acronym, a term: "EMEA"), or a lower-case particle between them; no digits, no other
    words ("EMEA renewal", "Q3 review")."""
    words = text.replace("-", " ").split()
    if not 0 < len(words) <= PROPER_NAME_WORDS_MOST or not words[0][:1].isupper() \
            or not words[-1][:1].isupper():
        return False
    for word in words:
        if word[:1].isupper():
            plain = word.strip(".").replace("'", "").replace("\u2019", "")
            if not plain.isalpha() or (plain.isupper() and len(plain) > 1):
                return False
        elif word.casefold() not in NAME_PARTICLES and word not in CONNECTORS_IN_NAMES:
            return False
    return True


__all__ = ["CONNECTORS_IN_NAMES", "PROPER_NAME_WORDS_MOST", "SLIP_NEIGHBOURS_MOST",
           "proper_name", "weigh_loose", "weigh_unplaced"]
