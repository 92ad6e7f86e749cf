"""The names a question mentions: exact names and aliases (longest first), then capitalised
spans and lower-case first words of names by fuzzy match; a name-like span that resolves to
nothing, or stays ambiguous, is kept as such so the pack can say so (question.Words holds
the question's words and what took them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz

from factstore.question import (
    DETERMINERS,
    FILLER,
    FOREIGN_FUNCTION_WORDS,
    MAX_GRAM,
    NON_NAMES,
    PERIODISH,
    Words,
    root,
)
from factstore.name_forms import written_as_form
from factstore.name_keys import NAME_PARTICLES, legal_form
from factstore.resolver import (STOPWORDS, TRANSLITERATE, AliasIndex, full_name,
                                strip_legal_suffix)
from factstore.results import Mention
from factstore.text import QUESTION_WORDS, clean_for_pack

if TYPE_CHECKING:
    from factstore.evidence import Resolution

TRIM = " ?!,;:'\"()[]"  # around a token, what is no part of a legal form written in it
FUZZY_MENTION_AT = 80  # a capitalised span with no exact alias must resolve this well
CLOSE_FIRST_WORD = 80  # a name that does not resolve may mean a candidate whose first word
#                        is this close to its own (rapidfuzz ratio)


def find_entities(words: Words, index: AliasIndex, on: str, *, fuzzy: bool = False
                  ) -> list[tuple[int, Mention]]:
    """Entities named in the question, with the word they start at: exact names and aliases
    (longest first); with fuzzy, capitalised spans left over that resolve by fuzzy match, and
    those that look like names but resolve to nothing (`unknown`) or to several entities
    (`ambiguous`), and lower-case first words of names (_lower_case_names). Ambiguous exact
    names are kept as such."""
    found: list[tuple[int, Mention]] = []
    spans = [_trimmed(words, s, e) for s, e in _capital_runs(words)] if fuzzy else [
        (start, end) for start, end, gram in list(words.grams(MAX_GRAM))
        if not _not_a_name(gram) and not _function_word(words, start, end)
        and strip_legal_suffix(gram) in index.exact]
    if fuzzy:
        found += _lower_case_names(words, index, on)
    for start, end in spans:
        if start >= end or any(words.took[start:end]):
            continue
        answer = index.resolve(" ".join(words.words[start:end]),
                               context=words.around(start, end), on=on, question=True)
        said = words.said(start, end)
        if fuzzy and answer.status != "resolved" and not said.isascii():
            # "Boesch Förderanlagen": umlauts written out in one word and not in the next
            # meet no key folded one way; written out in every word, they meet the name's
            spelled = index.resolve(said.translate(TRANSLITERATE),
                                    context=words.around(start, end), on=on, question=True)
            answer = spelled if spelled.status == "resolved" else answer
        if not fuzzy:
            answer, end, said = _with_form(words, index, on, start, end, answer, said)
            if answer.status == "unknown":
                continue
            if answer.entity:  # "Halcyon Media" of Halcyon Media Group Ltd:
                end = _rest_of_name(words, end, answer.entity["name"])  # not "Media" alone
                said = words.said(start, end)
            mention = _mention(said, answer)
        elif answer.status == "resolved" and answer.candidates[0].score >= FUZZY_MENTION_AT:
            mention = _mention(said, answer)
        elif not _name_like(words, start, end):
            continue
        elif close := _close(words.words[start], answer.candidates):
            mention = _mention(said, answer.model_copy(update={  # "Ostrava": Ostrava Motors?
                "status": "ambiguous", "entity": None, "candidates": close}))
        else:
            mention = Mention(text=clean_for_pack(said), status="unknown")
        words.take(start, end, "entity" if mention.entity else "name")
        found.append((start, mention))
    return found


# Words after which a word in lower case is an ordinary noun ("the summit", "a pioneer", "any
# harvest", "how much grant funding"), not a company called Summit, Pioneer or Harvest Moon.
COMMON_BEFORE = DETERMINERS | frozenset("""
    any some each every no which what whose another other one much many more most less least
    few several all both enough such
    """.split())
# Words that stand inside names between two others ("Brisa do Norte", "Bank of Ireland"):
# a lower-case run of a name's words goes on across one
CONNECTORS = NAME_PARTICLES | {"de", "do", "of", "la", "le", "y", "e"}
# how a lower-case name must meet its entity (not as an acronym: "fee" is no initials)
LOWER_NAME_LEVELS = ("exact", "leading words")


def _lower_case_names(words: Words, index: AliasIndex, on: str) -> list[tuple[int, Mention]]:
    """Names written in lower case that are not all of a stored name: the first words of one
    ("østerbro's revenue" for Østerbro Cykler ApS, "how much did kawasemi sell") or a name
    met exactly under another spelling. Only a word no determiner introduces ("the summit",
    "a pioneer" are ordinary nouns), that is no function, question or period word and not
    of two letters ("as", "mx": see _function_word), with the neighbouring such words after
    it up to a possessive; the longest of those runs that the resolver resolves by an exact
    name or as the first words of a longer one, never by a near spelling nor as initials
    ("fee" is no Fjord Energy Exchange): a lower-case word
    that resolves to nothing, or only fuzzily, is an ordinary word and no mention at all."""
    found: list[tuple[int, Mention]] = []
    free = [_lower_word(words, i) for i in range(len(words.words))]
    start = 0
    while start < len(words.words):
        if not free[start] or (start and words.words[start - 1] in COMMON_BEFORE):
            start += 1
            continue
        last = start
        while last + 1 - start < MAX_GRAM and not words.possessive[last]:
            if last + 1 < len(free) and free[last + 1]:
                last += 1
            elif last + 2 < len(free) and free[last + 2] and not words.possessive[last + 1] \
                    and words.words[last + 1] in CONNECTORS and not words.took[last + 1]:
                last += 2  # "brisa do norte": a particle inside a name, a word after it
            else:
                break
        for end in range(last + 1, start, -1):
            answer = index.resolve(" ".join(words.words[start:end]),
                                   context=words.around(start, end), on=on, question=True)
            how = answer.candidates[0].reasons[0] if answer.candidates else ""
            if answer.status == "resolved" and answer.candidates[0].score >= FUZZY_MENTION_AT \
                    and how.startswith(LOWER_NAME_LEVELS) and how != "exact acronym":
                words.take(start, end, "entity")
                found.append((start, _mention(words.said(start, end), answer)))
                start = end
                break
        else:
            start += 1
    return found


def _lower_word(words: Words, i: int) -> bool:
    """A free word in lower case that may be a word of a name."""
    w = words.words[i]
    return not words.took[i] and not words.capital[i] and len(w) > 2 and w not in NON_NAMES \
        and root(w) not in FILLER and w not in QUESTION_WORDS and w not in STOPWORDS \
        and w not in FOREIGN_FUNCTION_WORDS and not PERIODISH.match(w) and not w.isdigit()


def _with_form(words: Words, index: AliasIndex, on: str, start: int, end: int,
               answer: Resolution, said: str) -> tuple[Resolution, int, str]:
    """A name met exactly with a legal form written as one, its own last word ("Kiel AG") or
    the word after it ("Krupka s.r.o."): the name resolved as written, form and all (its
    words, normalised, do not say the form was written as one), when that is answered
    otherwise: the form may say it is not the town but Kiel Werft AG or Krupka Nářadí s.r.o.
    Returns the answer, where the name ends, and its text."""
    after, written = end, said
    if not legal_form(said):  # the question's next token, as it was written
        if end >= len(words.words) or words.took[end] or words.possessive[end - 1] \
                or words.origin[end] == words.origin[end - 1]:
            return answer, end, said
        while after < len(words.words) and words.origin[after] == words.origin[end]:
            after += 1
        # (said() trims a final dot: "s.r.o." is a form, "s.r.o" is not)
        written = f"{said} {words.tokens[words.origin[end]].strip(TRIM)}"
        if any(words.took[end:after]) or not legal_form(written):
            return answer, end, said
    if not written_as_form(written):
        return answer, end, said
    formed = index.resolve(written, context=words.around(start, after), on=on,
                           question=True)
    if formed.status == "unknown" or (formed.status, formed.entity) == (answer.status,
                                                                         answer.entity):
        return answer, end, said
    return formed, after, written


def _rest_of_name(words: Words, end: int, name: str) -> int:
    """Where a name found by an alias ends, taking the capitalised words after it that are
    words of the entity's own name."""
    own = set(full_name(name).split())
    while end < len(words.words) and words.capital[end] and not words.took[end] \
            and words.words[end] in own and not words.possessive[end - 1]:
        end += 1
    return end


def unique_mentions(found: list[tuple[int, Mention]]) -> list[Mention]:
    """In question order, each entity (or ambiguous or unknown name) once."""
    mentions: dict[str, Mention] = {}
    for _, m in sorted(found, key=lambda x: x[0]):
        mentions.setdefault(m.entity["id"] if m.entity else "?" + m.text, m)
    return list(mentions.values())


def _function_word(words: Words, start: int, end: int) -> bool:
    """A word of two letters in lower case ('as', 'us', 'in'): a function word, never the
    acronym of a name ("What counts as a customer?" is not about the Automotive Segment, AS);
    in capitals it may be one."""
    return end - start == 1 and len(words.words[start]) <= 2 \
        and not words.tokens[words.origin[start]].isupper()


def _not_a_name(gram: str) -> bool:
    words = gram.split()
    return all(w in STOPWORDS or w in QUESTION_WORDS or len(w) < 2 or PERIODISH.match(w)
               for w in words)


def _capital_runs(words: Words) -> list[tuple[int, int]]:
    runs, start = [], None
    for i, word in enumerate([*words.words, ""]):
        ok = (i < len(words.words) and words.capital[i] and not words.took[i]
              and word not in QUESTION_WORDS and word not in STOPWORDS
              and not PERIODISH.match(word))
        if ok and start is None:
            start = i
        elif not ok and start is not None:
            runs.append((start, i))
            start = None
        if ok and words.possessive[i] and start is not None:  # "Orvane's Tessaly Foods"
            runs.append((start, i + 1))
            start = None
    return runs


def _trimmed(words: Words, start: int, end: int) -> tuple[int, int]:
    """A capitalised run without the ordinary words at its edges ('Net Revenue' of 'Net
    Revenue Orvane', the 'Total' of 'Total Orvane Ltd')."""
    while start < end and words.words[start] in NON_NAMES:
        start += 1
    while end > start and words.words[end - 1] in NON_NAMES and not words.possessive[end - 1]:
        end -= 1
    return start, end


def _name_like(words: Words, start: int, end: int) -> bool:
    """Does a capitalised span look like the name of a company (or person, place)? A legal
    form ('Quillfeather Ltd'), several capitalised words, a possessive ('Orvane's'), or one
    word in mid-sentence that is not an acronym ('in Lisbon'). A sentence's first word, a
    bare acronym ('NPS') and a word after a determiner ('the Board') may be anything."""
    span = words.words[start:end]
    if len(span) >= 2:  # "Quillfeather Ltd", "Orvane Freight"
        return True
    if words.possessive[end - 1]:
        return True
    token = words.tokens[words.origin[start]].strip(" ?!.,;:'\"()[]")
    after = words.words[start - 1] if start else ""
    return not words.opens[start] and not token.isupper() and len(span[0]) > 1 \
        and after not in DETERMINERS  # "the Board", "our Treasury": a common noun


SHOWN_WITHIN = 20  # score points (0-100) of the best: the candidates a near miss may mean


def _close(first: str, candidates: list[Any]) -> list[Any]:
    """The candidates a name that did not resolve may still mean: names that start with
    (nearly) its first word ('Ostrava' -> Ostrava Motors, 'Veridan' -> Veridian Pharma), not
    those sharing a common word ('Larkspur Analytics' is not 'Northwind Analytics Cloud')."""
    if not candidates:
        return []
    best = candidates[0].score
    return [c for c in candidates if c.score >= best - SHOWN_WITHIN
            and fuzz.ratio(first, (full_name(c.name).split() or [""])[0]) >= CLOSE_FIRST_WORD]


def _mention(text: str, answer: Any) -> Mention:
    if answer.status == "resolved":
        return Mention(text=clean_for_pack(text), status="resolved",
                       entity={k: clean_for_pack(v) for k, v in answer.entity.items()})
    return Mention(text=clean_for_pack(text), status="ambiguous",
                   candidates=[{"id": c.id, "name": clean_for_pack(c.name), "kind": c.kind,
                                "score": c.score} for c in answer.candidates])


__all__ = [
    "CLOSE_FIRST_WORD", "COMMON_BEFORE", "CONNECTORS", "FUZZY_MENTION_AT", "LOWER_NAME_LEVELS",
    "SHOWN_WITHIN", "TRIM",
    "find_entities", "unique_mentions",
]
