"""A predicate's words said in other words: the everyday words a question uses for the words
predicates are named with ("contract expiry date" for contract_end, "headcount" for
employees). factstore.context compares a question's words with predicate names through
alike_stem and alike_root."""

from __future__ import annotations

from collections.abc import Callable

from factstore.question import root, stem

# Everyday words a question uses for the words predicates are named with: "the contract expiry
# date" asks for contract_end, "headcount" for employees, "the agreement" for the contract,
# "turnover" for sales. Each group's words are one word when a question is compared with a
# predicate's name (both sides by stem, and by root). Words of plain business English only,
# never a company's own vocabulary.
WORDS_ALIKE = (
    "end ends ending expiry expiries expiration expirations expire expires expiring lapse",
    "start starts starting begin begins beginning commencement",
    "employees employee headcount headcounts staff workforce personnel",
    "contract contracts agreement agreements",
    "revenue revenues sales turnover",
    "sold sell sells selling",
)
# Words that say what kind of value a predicate holds, and so count as words of its name:
# "the contract end date" of contract_end (a date), "the on-time delivery rate" of
# on_time_delivery (a percent).
TYPE_WORDS = {
    "date": frozenset({"date", "dates", "day"}),
    "percent": frozenset({"rate", "rates", "percentage", "percent", "share", "ratio"}),
}


def _alike(key: Callable[[str], str]) -> dict[str, str]:
    return {key(w): key(group.split()[0]) for group in WORDS_ALIKE for w in group.split()}


ALIKE_STEMS = _alike(stem)
ALIKE_ROOTS = _alike(root)


def alike_stem(word: str) -> str:
    """stem(word), or the first word's stem of its WORDS_ALIKE group ('expiry' -> 'end')."""
    s = stem(word)
    return ALIKE_STEMS.get(s, s)


def alike_root(word: str) -> str:
    """root(word), or the first word's root of its WORDS_ALIKE group ('expires' -> 'end')."""
    r = root(word)
    return ALIKE_ROOTS.get(r, r)


__all__ = ["ALIKE_ROOTS", "ALIKE_STEMS", "TYPE_WORDS", "WORDS_ALIKE", "alike_root",
           "alike_stem"]
