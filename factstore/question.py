"""Reading a question: the periods it names, its words, and what they name.

    question -> periods ("Q3 FY26" -> FY26-Q3, "last quarter" relative to valid-at)
             -> words, each remembering whether it was capitalised, possessive, and what
                took it (an entity, a defined term, a period, a name the store lacks)
             -> entities (factstore.mentions): exact names and aliases (longest first),
                then capitalised spans by fuzzy match and lower-case first words of names;
                a name-like span that resolves to nothing, or stays ambiguous, is kept as
                such so the pack can say so
             -> the words left over: what the question asks about (`asked`)

factstore.context turns what this finds into a pack. Words are compared by `root()`, a crude
stem ("manages", "managed", "manager", "management" -> "manag"), on both sides: the question
and the store's predicates, relation names and rule texts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from itertools import pairwise
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any


from factstore.errors import InvalidInput
from factstore.periods import fiscal_quarter_of, fiscal_year_of, period_range
from factstore.resolver import (
    STOPWORDS,
    full_name,
    strip_legal_suffix,
)
from factstore.text import (
    ANSWER_NON_NAMES,
    GENERIC_QUESTION_WORDS,
    MONTH_NAMES,
    ORDINALS,
    QUESTION_PERIODS,
    QUESTION_WORDS,
)

MAX_GRAM = 5  # longest name looked up as one mention, in words

# --- periods the question mentions -------------------------------------------------------


def _fy(text: str) -> int:
    return int(text) % 100


def question_periods(question: str, valid_at: date, start_month: int) -> list[str]:
    """Periods a question names, as period labels: 'Q3 FY26' -> FY26-Q3, 'last quarter' ->
    the fiscal quarter before valid_at's, a bare 'Q3' -> Q3 of valid_at's fiscal year."""
    found: list[tuple[int, str]] = []
    for m in _period_matches(question):
        try:
            label = _period_label(m[1], m[2], valid_at, start_month)
            if label:
                period_range(label, start_month)  # a period the calendar can place
        except (ValueError, InvalidInput):  # year 0, year 10000, 2025-02-30: written as a
            label = None  # period, but none the calendar has; its words are used up
        if label:
            found.append((m[0], label))
    return list(dict.fromkeys(label for _, label in sorted(found)))


def _period_matches(text: str) -> list[tuple[int, re.Match[str], str]]:
    """Every span of text written as a period, each character read once."""
    found = []
    taken = [False] * len(text)
    for pattern, how in QUESTION_PERIODS:
        for m in pattern.finditer(text):
            if any(taken[m.start():m.end()]):
                continue
            taken[m.start():m.end()] = [True] * (m.end() - m.start())
            found.append((m.start(), m, how))
    return found


def _period_label(m: re.Match[str], how: str, valid_at: date, start_month: int) -> str | None:
    g = [x.upper() if x else x for x in m.groups()]
    this_fy = fiscal_year_of(valid_at, start_month)
    if how == "fy-part":
        return f"FY{_fy(g[0]):02d}-{g[1]}"
    if how == "part-fy":
        return f"FY{_fy(g[1]):02d}-{g[0]}"
    if how == "year-part":
        return f"{g[0]}-{g[1]}"
    if how == "part-year":
        return f"{g[1]}-{g[0]}"
    if how == "day":
        try:
            return date(int(g[0]), int(g[1]), int(g[2])).isoformat()
        except ValueError:
            return None
    if how == "month":
        return f"{g[1]}-{MONTH_NAMES[g[0][:3].lower()]:02d}"
    if how == "ending":  # the fiscal quarter, half or year whose last month it names
        month = MONTH_NAMES[g[1][:3].lower()]
        day = date(int(g[2]), month, 1)
        quarter = fiscal_quarter_of(day, start_month)
        unit = g[0].removeprefix("FISCAL").strip()  # (the fiscal year ended …)
        if unit == "QUARTER":
            return quarter
        fy = quarter.split("-")[0]
        return fy if unit == "YEAR" else f"{fy}-H{1 if quarter[-1] in '12' else 2}"  # half
    if how.startswith("ordinal"):  # "the first half of FY27", "the third quarter"
        number = ORDINALS[g[0].lower()]
        if g[1] == "HALF" and number > 2:
            return None
        part = f"{g[1][0]}{number}"
        if how == "ordinal-year":
            return f"{g[2]}-{part}"
        return f"FY{(_fy(g[2]) if how == 'ordinal-fy' else this_fy % 100):02d}-{part}"
    if how == "to-date":  # year (quarter) to date: the fiscal year (quarter) valid_at is in
        if (g[0] or g[1]) in ("QUARTER", "Q"):
            return fiscal_quarter_of(valid_at, start_month)
        return f"FY{this_fy % 100:02d}"
    if how == "fy":
        return f"FY{_fy(g[0]):02d}"
    if how == "year":
        return g[0]
    if how == "part":
        return f"FY{this_fy % 100:02d}-{g[0]}"
    which, unit = g[0].lower(), g[2].lower()
    back = which in ("last", "previous", "prior")
    if unit == "quarter":
        day = valid_at
        if back:
            start, _ = period_range(fiscal_quarter_of(valid_at, start_month), start_month)
            day = start - timedelta(days=1)
        return fiscal_quarter_of(day, start_month)
    return f"FY{(this_fy - back) % 100:02d}"


# --- words -------------------------------------------------------------------------------

POSSESSIVE = re.compile(r"['’]s\b|(?<=s)['’](?=\s|$|[?!.,;:])")
PERIODISH = re.compile(r"^(fy\d+|q[1-4]|h[12]|\d+)$")
SENTENCE_END = re.compile(r"[.?!:;]$")

# Words that say nothing about what is asked: pronouns, verbs of asking, time words, modal
# verbs. Compared by root, so "defined" and "definitions" are covered by "define".
FILLER_WORDS = frozenset([*"""
    me us you it its they them their this that these those there here please know tell give
    show find get need needed needs want say says said see look about everything anything
    something all any some info information detail details overview summary summarise
    summarize describe explain latest current currently now today be been being so than then
    also into over under above below more less most least should would might must may can
    could will shall much many else other only just still ever exactly define definition mean
    meaning last previous prior next quarter year fiscal month week day period value number
    amount right now well total size count big large small like unlike such similar similarly
    usually typically generally normally often really actually whether ones
    """.split(), *QUESTION_WORDS, *STOPWORDS, *MONTH_NAMES])
# Articles and prepositions of other languages (German, French, Spanish, Portuguese, Italian,
# Dutch) of three letters or more (shorter ones never ask, see Words.asked), none of them an
# English word: beside a metric's name they do not make it a longer name ("der GMV von X").
FOREIGN_FUNCTION_WORDS = frozenset("""
    der das dem des von vom zum zur beim für fuer mit und ein eine einer eines einem einen
    les aux une pour avec dans sur los las del unos unas para por dos uma umas uns com pelo
    pela nos nas num numa della delle dello degli dei nel nella nei het een voor
    """.split())

# Words that ask about rules: a question with one of them gets the rules governing its
# entities even when it shares no other word with them.
RULE_WORDS = frozenset("""
    rule policy term process procedure guideline condition requirement regulation govern apply
    allow permit obligation restriction compliance
    """.split())
# Words that ask what an entity must, may or has to do ("When do customers like X need to
# pay?", "When is X's invoice due?"): for an entity with no fact about what the question
# names, they ask for the rules governing it. Compared by root, on every free word (several
# of them are FILLER_WORDS).
OBLIGATION_WORDS = frozenset("""
    must need required require obliged allowed permitted due deadline pay payable settle
    """.split())


# Of those, the words that ask for a duty whatever else the question names (a fact of the
# entity may explain its other words: "What must X do if its defect rate is above 0.5%?").
MODAL_WORDS = frozenset("must need required require obliged allowed permitted".split())


@lru_cache(maxsize=65_536)
def root(word: str) -> str:
    """A crude stem, the same on both sides of a comparison: approve/approval/approves ->
    'approv', payment/payable/pays -> 'pay', owner/ownership/owns -> 'own'."""
    w = word.lower()
    for _ in range(2):
        for suffix in SUFFIXES:
            if w.endswith(suffix) and len(w) - len(suffix) >= 3:
                w = w[:-len(suffix)]
                break
        else:
            break
    if w.endswith("y"):
        w = w[:-1] + "i"
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    return w[:7]


SUFFIXES = ("ations", "ation", "ments", "ment", "ings", "ing", "ions", "ion", "ships", "ship",
            "ers", "er", "ed", "es", "able", "ible", "als", "al", "ly", "s")
FILLER = frozenset(map(root, FILLER_WORDS)) | FILLER_WORDS
RULE_ROOTS = frozenset(map(root, RULE_WORDS))
OBLIGATION_ROOTS = frozenset(map(root, OBLIGATION_WORDS))
MODAL_ROOTS = frozenset(map(root, MODAL_WORDS))
GENERIC = frozenset(map(root, GENERIC_QUESTION_WORDS)) | GENERIC_QUESTION_WORDS
NON_NAMES = ANSWER_NON_NAMES | FILLER_WORDS
DETERMINERS = frozenset("the a an our my your their his her its this that these those".split())


def stem(word: str) -> str:
    """Plural to singular, no more: the key definitions and predicates are matched by."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") \
        else word


@dataclass
class Words:
    """The question as normalised words, each remembering whether it was capitalised, ended
    in a possessive, started a sentence, and what took it ('' while free)."""

    words: list[str]
    capital: list[bool]
    origin: list[int]  # the whitespace-separated token of the question each word came from
    tokens: list[str]
    possessive: list[bool]
    opens: list[bool]  # the word starts the question or a sentence of it
    took: list[str] = field(default_factory=list)
    term_of: dict[int, str] = field(default_factory=dict)  # position -> the term it is in
    loose_term: str = ""  # what a meaning question asks for that no term is named whole

    @classmethod
    def of(cls, question: str) -> Words:
        words, capital, origin, possessive, opens = [], [], [], [], []
        raw = question.split()
        tokens = POSSESSIVE.sub("", question).split()
        if len(raw) != len(tokens):  # a lone "'s": the possessive is not worth a mismatch
            raw = tokens
        for i, token in enumerate(tokens):
            parts = full_name(token).split()
            for j, word in enumerate(parts):
                words.append(word)
                capital.append(token[:1].isupper())
                origin.append(i)
                possessive.append(j == len(parts) - 1 and POSSESSIVE.search(raw[i]) is not None)
                opens.append(j == 0 and (i == 0 or bool(SENTENCE_END.search(raw[i - 1]))))
        return cls(words, capital, origin, tokens, possessive, opens, [""] * len(words))

    @property
    def taken(self) -> list[bool]:
        return [bool(t) for t in self.took]

    def around(self, start: int, end: int) -> str:
        """The question without words start..end and without the periods it names: the
        context a name is resolved in (the name itself in it would count as context for
        itself, and a year such as 2026 would count against an entity whose neighbours'
        names hold four-digit codes)."""
        first, last = self.origin[start], self.origin[end - 1]
        text = " ".join(self.tokens[:first] + self.tokens[last + 1:])
        for _, m, _ in sorted(_period_matches(text), key=lambda f: -f[0]):  # 'in the quarter
            text = text[:m.start()] + text[m.end():]  # ending Sept 2026' says when, not whose
        return " ".join(text.split())

    def said(self, start: int, end: int) -> str:
        """The question's own text for words start..end, punctuation around it trimmed."""
        text = " ".join(self.tokens[self.origin[start]:self.origin[end - 1] + 1])
        return text.strip(" ?!.,;:'\"()[]")

    def grams(self, longest: int) -> Iterable[tuple[int, int, str]]:
        """(start, end, text) of every run of free words, longest first."""
        for size in range(min(longest, len(self.words)), 0, -1):
            for start in range(len(self.words) - size + 1):
                if not any(self.took[start:start + size]):
                    yield start, start + size, " ".join(self.words[start:start + size])

    def take(self, start: int, end: int, what: str) -> None:
        self.took[start:end] = [what] * (end - start)

    def stems(self) -> list[str]:
        return [stem(w) for w in self.words]

    def take_periods(self, question: str) -> None:
        """Words written as periods ('Q3 FY26', 'last quarter', 'in 2025') are not what the
        question asks about."""
        text = " ".join(self.tokens)
        starts = [m.start() for m in re.finditer(r"\S+", text)]
        for _, m, _ in _period_matches(text):
            for i, o in enumerate(self.origin):
                if not self.took[i] and m.start() <= starts[o] < m.end():
                    self.took[i] = "period"

    def asked(self) -> list[int]:
        """Free words that may say what the question is about, by position. A word of two
        letters in lower case is a function word in most languages ('of', 'da', 'im', 'no'
        in "o GMV da Coop São João no FY26-Q3"); in capitals it may be an abbreviation."""
        return [i for i, w in enumerate(self.words)
                if not self.took[i] and w not in FILLER and root(w) not in FILLER
                and not PERIODISH.match(w) and (
                    len(w) > 2 or (len(w) == 2 and self.tokens[self.origin[i]].isupper()))]


def find_terms(words: Words, definitions: list[dict[str, Any]]) -> list[str]:
    """Defined terms the question uses ('active customers' finds 'Active customer')."""
    by_key: dict[str, str] = {}
    for d in definitions:
        key = " ".join(stem(w) for w in strip_legal_suffix(full_name(d["term"])).split())
        by_key.setdefault(key, d["term"])
    stems = words.stems()
    found: list[str] = []
    for size in range(min(MAX_GRAM, len(stems)), 0, -1):
        for start in range(len(stems) - size + 1):
            if any(words.took[start:start + size]):
                continue
            term = by_key.get(" ".join(stems[start:start + size]))
            if term is not None:
                words.take(start, start + size, "term")
                words.term_of.update(dict.fromkeys(range(start, start + size), term))
                found.append(term)
    for term in dict.fromkeys(by_key.values()):  # 'gross merchandise value' for GMV, and
        at = _term_initials(words, term)         # 'DSO' for Days sales outstanding
        if at:
            for r in runs(sorted(at)):
                words.take(r[0], r[-1] + 1, "term")
            words.term_of.update(dict.fromkeys(at, term))
            found.append(term)
    if not found and MEANING_WORDS & set(words.words):
        found = _terms_asked_for(words, list(dict.fromkeys(by_key.values())))
    return list(dict.fromkeys(found))


# Words that ask what a term means ("What is the churn definition?", "What does active mean?").
MEANING_WORDS = frozenset("define defined defines definition definitions mean means meaning "
                          "meant".split())


def _terms_asked_for(words: Words, terms: list[str]) -> list[str]:
    """For a question that asks what something means and names no term whole: the terms
    sharing the most of its words ('the churn definition for customer success' is Churned
    customer's), those words taken as the term's; what it asked is kept (Words.loose_term)
    for the pack to say that no term is defined as that ('a customer': Active customer is
    not what a customer is)."""
    free = {i: root(w) for i, w in enumerate(words.words)
            if not words.took[i] and root(w) not in FILLER and w not in FILLER}
    best: list[tuple[str, set[int]]] = []
    most = 0
    for term in terms:
        own = {root(w) for w in full_name(term).split()} - FILLER
        at = {i for i, r in free.items() if r in own}
        shared = len({free[i] for i in at})
        if shared and shared >= most:
            best = ([] if shared > most else best) + [(term, at)]
            most = shared
    if best:  # said in the pack: no term is defined as what was asked
        words.loose_term = " ".join(words.said(r[0], r[-1] + 1) for r in runs(sorted(free)))
    for term, at in best:
        words.term_of.update(dict.fromkeys(at, term))
        for r in runs(sorted(at)):
            words.take(r[0], r[-1] + 1, "term")
    return [term for term, _ in best]


def _term_initials(words: Words, term: str) -> set[int]:
    """Where the question writes a defined term by its initials or spells out the words an
    abbreviated term stands for (see initials_at). Only free words that are not function
    words ('are rules regarding' is not ARR), and a lower-case word that is an ordinary word
    ('it' for 'Invoice terms') is not an abbreviation."""
    free = [i for i, took in enumerate(words.took) if not took
            and words.words[i] not in STOPWORDS and words.words[i] not in QUESTION_WORDS]
    said = [words.words[i] for i in free]
    at = initials_at(full_name(term).split(), said, free)
    return {i for i in at if len(at) > 1 or words.tokens[words.origin[i]].strip(
        " ?!.,;:'\"()[]").isupper() or words.words[i] not in FILLER}


# --- a metric said in a definition's words ------------------------------------------------

# The ways a stranger says what a definition's text says in other words: each group's words are
# one word when a question is compared with a definition ("worth per year" is "yearly value",
# "what X pays us a year" is "annual value"). Only time units and what a thing is worth: any
# other word must be the definition's own (by root).
SAME_SENSE = {
    "~year": "year years yearly annual annually annualised annualized annum",
    "~quarter": "quarter quarters quarterly",
    "~month": "month months monthly",
    "~value": "value worth pay pays paid paying spend spends spent amount",
    "~contract": "contract contracts deal deals agreement agreements",
}
SENSE = {root(w): sense for sense, said in SAME_SENSE.items() for w in said.split()}
IN_PASSING = frozenset({"each", "every"})  # "pays each quarter" says "pays in a quarter"
# Words of a question about rules or duties ('terms', 'must', 'due'): no metric answers it.
DUTY_ROOTS = (RULE_ROOTS | OBLIGATION_ROOTS) - SENSE.keys()
WORDED_FROM = 2  # words (senses) a question must share with a definition, all of its own


FIRST_SENTENCE = re.compile(r"(?<=[.;!?])\s")


def _sense(word: str) -> str:
    return SENSE.get(root(word)) or root(word)


def _first_sentence(text: str) -> str:
    """What a definition says a thing is: its text up to the first full stop. What follows
    qualifies it ('Usage overages are counted only once invoiced') and is not its name."""
    return FIRST_SENTENCE.split(text, maxsplit=1)[0]


@lru_cache(maxsize=4096)
def _senses_of(text: str) -> tuple[str, ...]:
    """A definition's words as senses, in order, without function words."""
    return tuple(_sense(w) for w in full_name(text).split()
                 if len(w) > 1 and w not in STOPWORDS and w not in QUESTION_WORDS)


def worded_term(words: Words, definitions: list[dict[str, Any]], neutral: set[str]
                ) -> tuple[str, set[int]] | None:
    """The defined term the question names in its definition's words: 'How much is the X
    contract worth per year?' for ACV, "the yearly value of a customer's signed contract".
    Every word of the question left free (not a name, period or term) that says what is
    asked must be a word of the term or of the first sentence of its text, which says what
    the term is (by root, or by SAME_SENSE), and at least WORDED_FROM of them; filler,
    generic words and `neutral` ones (entity kinds, scopes: 'customer') neither count nor
    stand in the way, so "customer headcount" is not ACV because both say customer. Of
    several terms the one whose sentence says them in the fewest neighbouring words, then
    with more of the question's neighbours side by side; a tie between two terms is None (a
    'no fact for ...' is better than a guess between metrics), and so is a question about
    rules, duties or dates ('When must X pay?'). Returns the term and the positions of the
    words that name it."""
    if "when" in words.words or any(
            not words.took[i] and root(w) in DUTY_ROOTS for i, w in enumerate(words.words)):
        return None  # a date or a duty is a rule's to say, not a metric's
    at: list[int] = []
    said: list[str | None] = []  # the sense of each word at `at`, None for a neutral one
    passing: set[int] = set()
    for i, w in enumerate(words.words):
        if words.took[i] or len(w) < 2 or w in STOPWORDS or w in QUESTION_WORDS \
                or PERIODISH.match(w):
            continue
        if w in IN_PASSING:
            passing.add(i)
            continue
        r = root(w)
        at.append(i)
        said.append(SENSE.get(r) or (None if w in FILLER or r in FILLER or r in GENERIC
                                     or r in neutral else r))
    need = {s for s in said if s}
    if len(need) < WORDED_FROM:
        return None
    pairs = {frozenset(p) for p in pairwise(said) if p[0] and p[1] and p[0] != p[1]}
    best: dict[str, tuple[int, int, str]] = {}  # casefolded term -> (window, -pairs, term)
    for d in definitions:
        senses = _senses_of(f"{d['term']} {_first_sentence(d['text'] or '')}")
        if need <= set(senses):
            near = len(pairs & {frozenset(p) for p in pairwise(senses)})
            key = d["term"].casefold()
            best[key] = min(best.get(key, (len(senses) + 1, 0, "")),
                            (_window(senses, need), -near, d["term"]))
    ranked = sorted(best.values())
    if not ranked or (len(ranked) > 1 and ranked[1][:2] == ranked[0][:2]):
        return None
    return ranked[0][2], {*at, *passing}


def _window(senses: tuple[str, ...], need: set[str]) -> int:
    """The fewest neighbouring words of a definition that hold every sense in need: 4 for
    'first-year total contract value' and {year, contract, value}, 12 when 'multi-year'
    comes at the end of the sentence."""
    best, last = len(senses) + 1, {}
    for i, sense in enumerate(senses):
        if sense in need:
            last[sense] = i
            if len(last) == len(need):
                best = min(best, i - min(last.values()) + 1)
    return best


def names_predicate(term: str, predicate: str) -> bool:
    """Is a defined term the name of a predicate: the same words ('Active customers',
    active_customer), or one the initials of the other ('ACV', annual_contract_value;
    'Annual contract value', acv)?"""
    a = full_name(term).split()
    b = full_name(predicate.replace("_", " ")).split()
    if [stem(w) for w in a] == [stem(w) for w in b]:
        return True
    return any(len(x) == 1 and len(y) >= INITIALS_FROM and "".join(w[0] for w in y) == x[0]
               for x, y in ((a, b), (b, a)))


# --- what the question asks ------------------------------------------------------------


@dataclass
class Ask:
    """What the question asks about besides its names: its words left over and the words of
    its defined terms (by position), and which of them something in the pack explains."""

    words: Words
    terms: list[str]
    positions: list[int]  # words that are not filler nor names, in question order
    covered: set[int] = field(default_factory=set)  # explained by a relation, rule or scope
    scoped: set[int] = field(default_factory=set)  # words that are a definition's scope only
    worded: tuple[str, set[int]] | None = None  # a term said in its definition's words
    counted: set[int] = field(default_factory=set)  # 'how many X': X is asked, never generic

    @classmethod
    def of(cls, words: Words, terms: list[str], definitions: list[dict[str, Any]]) -> Ask:
        ask = cls(words, terms, sorted({*words.asked(), *words.term_of}))
        said = words.words
        ask.counted = {i for i in ask.positions
                       if i >= 2 and said[i - 2] == "how" and said[i - 1] == "many"}
        ask.cover({root(w) for d in definitions for name in ("scope", "owner") if d.get(name)
                   for w in full_name(d[name]).replace("_", " ").split()})  # "as finance"
        ask.scoped = set(ask.covered)
        return ask

    def root(self, i: int) -> str:
        return root(self.words.words[i])

    @property
    def about_rules(self) -> bool:
        return any(self.root(i) in RULE_ROOTS for i in self.positions)

    @property
    def obliged(self) -> bool:
        """Does the question ask what must, may or has to be done (OBLIGATION_WORDS)?"""
        words = self.words
        return any(not words.took[i] and root(w) in OBLIGATION_ROOTS
                   for i, w in enumerate(words.words))

    @property
    def modal(self) -> bool:
        """Does the question ask what must, may or has to be done in so many words ('must',
        'need to', 'required', 'allowed'), not by a verb of paying or a deadline?"""
        return any(not self.words.took[i] and root(w) in MODAL_ROOTS
                   for i, w in enumerate(self.words.words))

    @property
    def wh(self) -> str | None:
        """'who' or 'where' when the question asks who or where (an entity related to the
        one it names, whatever its verb), else None."""
        said = set(self.words.words)
        return "who" if said & {"who", "whom", "whose"} else "where" if "where" in said \
            else None

    @property
    def specific(self) -> bool:
        """Does the question name something to look for? ('Tell me about X' does not; 'Who
        looks after X?' asks for a relation.)"""
        return bool(self.terms) or self.wh is not None or any(
            self.root(i) not in GENERIC or i in self.counted for i in self.positions)

    def cover(self, roots: set[str]) -> None:
        self.covered |= {i for i in self.positions if self.root(i) in roots}

    def attribute(self, *, terms: bool = True) -> list[int]:
        """Words that say what is asked and that no relation, rule or scope explains."""
        return [i for i in self.positions if i not in self.covered
                and (self.root(i) not in GENERIC or i in self.counted)
                and self.root(i) not in RULE_ROOTS
                and (terms or i not in self.words.term_of)]

    def phrase(self, positions: list[int]) -> str:
        """The question's own words at positions, each run of neighbours kept together."""
        return " and ".join(self.words.said(r[0], r[-1] + 1) for r in runs(positions))


def runs(positions: list[int]) -> list[list[int]]:
    """Positions grouped into runs of neighbours: [3, 4, 7] -> [[3, 4], [7]]."""
    runs: list[list[int]] = []
    for i in sorted(set(positions)):
        if runs and i == runs[-1][-1] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


INITIALS_FROM, INITIALS_MOST = 2, 5  # letters of an abbreviation matched to words' initials


def initials_at(key: list[str], said: list[str], positions: list[int]) -> set[int]:
    """Where the question writes a predicate by its initials, or spells out the words a
    predicate is the initials of: 'annual recurring revenue' for arr, 'ARR' (or 'A.R.R.')
    for annual_recurring_revenue, 'cac' for customer_acquisition_cost. Neighbouring free
    words only, two to five of them, the first a letter each; a filler word may sit inside
    ('cost of acquisition' is not 'ca' nor 'coa')."""
    if len(key) == 1 and INITIALS_FROM <= len(key[0]) <= INITIALS_MOST and key[0].isalpha():
        size = len(key[0])  # the predicate is an abbreviation: its letters in a row of words
        for j in range(len(said) - size + 1):
            run = positions[j:j + size]
            if run[-1] - run[0] == size - 1 and "".join(w[0] for w in said[j:j + size]) \
                    == key[0] and all(len(w) > 1 for w in said[j:j + size]):
                return set(run)
        return set()
    if INITIALS_FROM <= len(key) <= INITIALS_MOST and all(w.isalpha() for w in key):
        letters = "".join(w[0] for w in key)  # the question abbreviates a predicate's words
        return {positions[j] for j, w in enumerate(said) if w == letters}
    return set()


__all__ = [
    "DETERMINERS", "DUTY_ROOTS", "FILLER", "FILLER_WORDS", "FIRST_SENTENCE",
    "FOREIGN_FUNCTION_WORDS", "GENERIC", "INITIALS_FROM", "INITIALS_MOST", "IN_PASSING",
    "MAX_GRAM", "MEANING_WORDS", "MODAL_ROOTS", "MODAL_WORDS", "NON_NAMES", "OBLIGATION_ROOTS",
    "OBLIGATION_WORDS", "PERIODISH", "POSSESSIVE", "RULE_ROOTS", "RULE_WORDS", "SAME_SENSE",
    "SENSE", "SENTENCE_END", "SUFFIXES", "WORDED_FROM", "Ask", "Words", "find_terms",
    "initials_at", "names_predicate", "question_periods", "root", "runs", "stem",
    "worded_term",
]
