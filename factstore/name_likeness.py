"""How alike two words of names are, when a resolver weighs a name (resolver.py): a word that
is another's with a slip ("4605" for "4650", "tarlga" for "taralga"), and the rare words of a
query with no word like them in a candidate's name."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

SLIP_FROM = 5  # letters a context word needs to be read as a slip for another word
SLIP_ALIKE_FROM = 80  # ... and how alike the two must be (rapidfuzz ratio)


def slip(word: str, other: str) -> bool:
    """Is word another's with a slip? Numbers (postcodes, years, parts of dates) of as many
    digits: one digit changed, or two neighbours swapped; words of SLIP_FROM letters or
    more: alike by SLIP_ALIKE_FROM or better."""
    if word.isdigit() or other.isdigit():
        if len(word) != len(other) or len(word) < 3 or not (word.isdigit() and other.isdigit()):
            return False
        differ = [i for i in range(len(word)) if word[i] != other[i]]
        return len(differ) == 1 or (len(differ) == 2 and differ[1] == differ[0] + 1
                                    and word[differ[0]] == other[differ[1]]
                                    and word[differ[1]] == other[differ[0]])
    if min(len(word), len(other)) < SLIP_FROM:  # "last" is not "east"
        return False
    from rapidfuzz import fuzz

    return fuzz.ratio(word, other) >= SLIP_ALIKE_FROM


def unlike(rare: Sequence[str], said: Sequence[str], theirs: Sequence[str], like_from: int
           ) -> list[str]:
    """The rare words of the query (`said`) with no word like them in a name (`theirs`):
    less alike than like_from, even joined to a neighbour when the join is more like the
    word than the neighbour alone ("satte rley" is "satterley"; "charlotte reid" is no
    "charlotte clarke": "charlottereid" is less like "charlotte" than "charlotte" is). An
    initial is never unlike - a middle one is often left out ("James D. Anderson") - nor a
    word the name gives as its initial ("jay" for "Robert J. Greenberg")."""
    from rapidfuzz import fuzz

    def like(word: str) -> float:
        ways = [(word, word), *((a + b, b if word == a else a) for a, b in pairwise(said)
                                if word in (a, b))]
        return max((fuzz.ratio(p, t) for t in theirs for p, rest in ways
                    if p == word or fuzz.ratio(p, t) > fuzz.ratio(rest, t)), default=0)

    initials = {t for t in theirs if len(t) == 1}
    return [w for w in rare if len(w) > 1 and w[0] not in initials and like(w) < like_from]


__all__ = ["SLIP_ALIKE_FROM", "SLIP_FROM", "slip", "unlike"]
