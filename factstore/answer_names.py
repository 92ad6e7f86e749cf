"""The names an answer's sentence writes, and whether a cited item's text names them: runs of
capitalised words with the words anyone may capitalise trimmed from their edges (factstore.verify
checks each against the cited items).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from factstore.resolver import LEGAL_SUFFIXES, TRANSLITERATE, full_name
from factstore.text import ANSWER_NON_NAMES
from factstore.verify_checks import HEDGES

INITIALISM = re.compile(r"(?:[A-Za-z]\.){2,}|[A-Z]\.")

# The resolver's legal forms, and a few more that end company names in answers ("K.K.").
SUFFIXES = LEGAL_SUFFIXES | {"kk", "asa", "sarl", "sro", "pvt", "pbc"}
NAME_TOKEN = re.compile(r"[^\s,;:()\[\]{}\"“”|/!?¦*]+")
JOINERS = frozenset({"of", "&"})
POSSESSIVE = re.compile(r"(?<=[\w.])['’]s?$")


@dataclass(frozen=True)
class Word:
    text: str  # as written, without a possessive or a full stop
    initial: bool  # first word of the sentence, or of a clause after a colon
    last: bool  # a possessive or a full stop ends the name here


def names(text: str, vocabulary: set[str]) -> list[str]:
    """Proper-name spans of a sentence that a cited item must mention: runs of capitalised
    words, with words anyone may capitalise trimmed from their edges."""
    spans: list[list[Word]] = [[]]
    for word in _words(text):
        capital = word is not None and word.text[0].isupper()
        joiner = word is not None and word.text.lower() in JOINERS and bool(spans[-1])
        if word is not None and (capital or joiner):
            spans[-1].append(word)
            if word.last:
                spans.append([])
        elif spans[-1]:
            spans.append([])
    found = (_trim(part, vocabulary) for span in spans for part in _split_acronyms(span))
    return list(dict.fromkeys(" ".join(w.text for w in core) for core in found if core))


def _words(text: str) -> Iterator[Word | None]:
    """The sentence's words; None where punctuation or a number stands between two."""
    end = 0
    for m in NAME_TOKEN.finditer(text):
        gap, raw, first, end = text[end:m.start()], m[0], end == 0, m.end()
        clean = POSSESSIVE.sub("", raw)
        if not INITIALISM.fullmatch(clean):
            clean = clean.rstrip(".")
        clean = clean.strip("'’-")
        if re.fullmatch(r"[A-Z]{2,}s", clean):  # "FTEs", "KPIs": the acronym itself
            clean = clean[:-1]
        # a comma ends a name, unless a legal form follows it: "Northwind Analytics, Inc."
        if gap.strip() and not (gap.strip() == "," and _legal(clean)):
            yield None
        if not clean or not clean[0].isalpha():
            yield None
            continue
        last = bool(POSSESSIVE.search(raw)) or raw.endswith(".")
        yield Word(clean, first or ":" in gap, last)


def _legal(word: str) -> bool:
    return full_name(word) in SUFFIXES


def _acronym(word: str) -> bool:
    letters = re.sub(r"[^A-Za-z]", "", word)
    return len(word) > 1 and letters.isupper() and not _legal(word)


def _split_acronyms(span: list[Word]) -> Iterator[list[Word]]:
    """'Acme Corporation ACV' is two claims: a name and a metric, each checked alone."""
    part: list[Word] = []
    for word in span:
        if _acronym(word.text):
            if part:
                yield part
            yield [word]
            part = []
        else:
            part.append(word)
    if part:
        yield part


def _trim(span: list[Word], vocabulary: set[str]) -> list[Word]:
    def generic(word: Word) -> bool:
        lower = word.text.lower().replace(".", "")
        if lower in ANSWER_NON_NAMES or lower in JOINERS:
            return True
        # an opening adverb, participle or qualifier ("Roughly", "Including", "Except") is no
        # name
        return word.initial and (lower in vocabulary or lower.endswith(("ly", "ing", "ed"))
                                 or bool(HEDGES.fullmatch(lower)))

    while span and generic(span[0]):
        span = span[1:]
    while span and (generic(span[-1]) or span[-1].text.lower() in JOINERS):
        span = span[:-1]
    if len(span) == 1 and _legal(span[0].text):
        return []
    return span


# Legal forms that tell two companies apart; "as" and "co" are too often ordinary words.
DISTINCT_SUFFIXES = SUFFIXES - {"as", "co", "ab", "sa", "lp"}


def named_in(name: str, text: str) -> bool:
    """Does the normalised text name it? A legal suffix the text does not write is tolerated,
    a different one is not: "Acme Corp" is not "Acme GmbH"."""
    padded = f" {text} "
    if f" {name} " in padded:
        return True
    words = name.split()
    core = list(words)
    while len(core) > 1 and core[-1] in SUFFIXES:
        core.pop()
    if len(core) == len(words):
        return False
    suffix, needle = words[len(core)], f" {' '.join(core)} "
    found = False
    at = padded.find(needle)
    while at >= 0:
        following = padded[at + len(needle):].split(" ", 1)[0]
        if following in DISTINCT_SUFFIXES and following != suffix:
            return False
        found = True
        at = padded.find(needle, at + 1)
    return found


def name_keys(text: str) -> list[str]:
    """A text normalised for names, and also with ä ö ü ø å æ written out ("Müller" is also
    "Mueller"), as German writes a name when the keyboard has no umlauts."""
    keys = [full_name(text)]
    if not text.isascii() and (other := full_name(text.translate(TRANSLITERATE))) != keys[0]:
        keys.append(other)
    return keys


__all__ = [
    "DISTINCT_SUFFIXES", "INITIALISM", "JOINERS", "NAME_TOKEN", "POSSESSIVE", "SUFFIXES", "Word",
    "name_keys", "named_in", "names",
]
