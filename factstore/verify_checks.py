"""The answer checker's checks of period and status; `factstore.verify` runs them per sentence.

Period. A period a cited sentence names - FY26-Q2, Q2 FY26, FY2026 Q2, Q2'26, "the second
quarter of fiscal 2026", "fiscal Q2 2026", H1 FY26, FY26, 2025-Q3, Q3 2025, 2025-10, October
2025, or a bare Q2 or "first half" - must equal or lie within the period of a cited item that has
one (its `period`, else its `valid_from`..`valid_to`), or be a period a cited item writes (a Q3
item's quote about "Q2 sales and marketing expense"). A bare quarter or half is read in the
cited item's year. And a clause that names exactly one period takes its figures from an item of
that period: "ARR was $2.25M in FY26-Q3 [1][2]" fails when 2.25M is only [2]'s, the FY26-Q2
figure. Fiscal periods are placed with the store's fiscal calendar when the caller gives it
(`fiscal_start_month`); without it, a fiscal period and a calendar one (a month, 2025-Q3)
disagree only when no fiscal calendar could make them agree. A period in a clause that says
something is missing ("no FY26-Q4 figure yet") is not a claim.

Status. An item labelled outranked, superseded, conflicting, deprecated, proposed or overridden
is context, not the answer. A figure, date or text value that only such cited items state
(no cited current item states it too), and any sentence whose citations are all such items,
must say so, either:

- with a qualifier (HEDGES: outdated, previously, an earlier or older figure, superseded,
  replaced, conflicting, disputed, sources differ, another source says, lower-authority,
  unverified, proposed, pending, not yet approved, would, deprecated, no longer, in general, by
  default, standard, except, unlike …), not negated ("not disputed"), in the claim's clause, in
  a clause citing that item, or in a clause that cites nothing; or
- by contrast: the sentence also states a value of a rival it cites - the current item that
  outranks, supersedes or overrides it (named by either item's note, or a fact about the same
  subject and predicate, or the exception to an overridden rule), or the other side of a
  conflict. "An older report said 250,000 [4], but the current figure is 240,000 [3]" and
  "sources conflict: 300 [2] vs 320 [5]" pass; "the value was 250,000 [4]" fails.

Known limits: periods named relative to another ("the prior quarter", "year over year") and
bare years are not read; a figure is paired with a period only inside a clause that names one.
Qualifiers are read as words, not understood ("the corrected figure" is none, and a qualifier
meant for another item still counts when it stands in the same clause); a non-current item's
number that a current cited item also states is not flagged; a rule or definition is checked
through its numbers, or when only non-current items are cited.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date

from factstore.errors import InvalidInput
from factstore.models import PackItem
from factstore.reports import Problem
from factstore.periods import period_range
from factstore.text import ENDING, MONTH_NAMES, ORDINALS

# --- periods as an answer writes them --------------------------------------------------------

_PART = r"(?P<part>Q[1-4]|H[12])"
_FY = r"(?:(?:FY|GJ)\s?|(?i:fiscal\s+(?:year\s+)?))'?(?P<fy>\d{4}|\d{2})"  # FY26, GJ26
_SPELLED = (r"(?i:(?P<ord>" + "|".join(ORDINALS) + r")\s+(?P<fiscal>fiscal\s+)?"
            r"(?P<unit>quarter|half))")
# Most specific first; each match is taken out of the text before the next pattern runs.
PERIOD_PATTERNS = [re.compile(rf"(?<![\w-]){p}(?![\w-])") for p in (
    rf"{_FY}\s?[-/]?\s?{_PART}",  # FY26-Q3, FY26 Q3, fiscal 2026 Q3
    rf"{_PART}\s?[-/]?\s?(?:of\s+)?{_FY}",  # Q3 FY26, Q3-FY2026, H1 of fiscal 2026
    rf"(?i:fiscal)\s+{_PART}\s+(?:of\s+)?'?(?P<fy>\d{{4}}|\d{{2}})",  # fiscal Q3 2026
    rf"{_PART}'(?P<fy>\d{{2}})",  # Q3'26
    rf"{_SPELLED}\s+of\s+(?:the\s+)?{_FY}",  # the third quarter of fiscal 2026 / of FY26
    rf"{_SPELLED}\s+of\s+(?i:calendar\s+(?:year\s+)?)?(?P<year>\d{{4}})",  # of 2025
    rf"(?P<year>\d{{4}})\s?-\s?{_PART}",  # 2025-Q3
    rf"(?i:calendar\s+)?{_PART}\s+(?:of\s+)?(?P<year>\d{{4}})",  # Q3 2025, calendar Q3 2025
    r"(?i:calendar\s+(?:year\s+)?)(?P<year>\d{4})",  # calendar 2025
    r"(?P<year>\d{4})-(?P<month>0[1-9]|1[0-2])",  # 2025-10
    _FY,  # FY26, fiscal 2026
    _SPELLED,  # the second quarter, the first half: the year is the cited item's
    _PART,  # Q3, H1
)]
QUARTERS_OF = {"H1": {"Q1", "Q2"}, "H2": {"Q3", "Q4"}}
ENDING_MONTHS = {"quarter": 3, "half": 6, "year": 12}  # the first a unit's words hold


@dataclass(frozen=True)
class Period:
    """A period as written: fiscal (FY26-Q3), calendar (2025-Q3, 2025-10) or, when no year is
    written (Q3, "the first half"), neither."""

    text: str
    start: int
    fiscal: bool | None  # None: no year written
    year: int | None  # a fiscal year is named by the calendar year it ends in
    part: str | None  # Q1..Q4, H1, H2, a month "01".."12", or None for the whole year
    months: int = 0  # of a period written by the month it ends in (ENDING): 3, 6 or 12

    @property
    def label(self) -> str | None:
        if self.year is None:
            return None
        name = f"FY{self.year % 100:02d}" if self.fiscal else f"{self.year}"
        name = f"{name}-{self.part}" if self.part else name
        return f"{self.months} months to {name}" if self.months else name

    def span(self, start_month: int) -> tuple[date, date] | None:
        if self.months and self.year and self.part:  # the months up to the one it ends in
            last = period_range(f"{self.year}-{self.part}", 1)[1]
            first = self.year * 12 + int(self.part) - self.months
            return date(first // 12, first % 12 + 1, 1), last
        try:
            return period_range(self.label, start_month) if self.label else None
        except InvalidInput:
            return None


def read_periods(text: str) -> list[Period]:
    """The periods a text names, in reading order; the rest of the text is untouched."""
    found: list[Period] = []
    taken = [False] * len(text)
    for pattern in PERIOD_PATTERNS:
        for m in pattern.finditer(text):
            if any(taken[m.start():m.end()]):
                continue
            taken[m.start():m.end()] = [True] * (m.end() - m.start())
            if period := _period(m):
                found.append(period)
    return sorted(found, key=lambda p: p.start)


def read_endings(text: str) -> list[Period]:
    """The periods a text names by the month they end in ("the quarter ending December
    2026"): the quarter, half or year up to that month, whatever the fiscal calendar."""
    found = []
    for m in ENDING.finditer(text):
        unit = m["unit"].lower()
        months = next(n for name, n in ENDING_MONTHS.items() if name in unit)
        month = MONTH_NAMES[m["month"][:3].lower()]
        found.append(Period(m[0], m.start(), False, int(m["year"]), f"{month:02d}", months))
    return found


def _period(m: re.Match[str]) -> Period | None:
    g = m.groupdict()
    part = g.get("part")
    if g.get("ord"):
        number = ORDINALS[g["ord"].lower()]
        if g["unit"].lower() == "half" and number > 2:
            return None
        part = f"{g['unit'][0].upper()}{number}"
    if g.get("month"):
        part = g["month"]
    fiscal: bool | None = None
    year = None
    if g.get("fy"):
        fiscal, year = True, _year(g["fy"])
    elif g.get("year"):
        fiscal, year = bool(g.get("fiscal")), _year(g["year"])
    if year is not None and not 1900 <= year <= 2199:
        return None
    return Period(m[0], m.start(), fiscal, year, part)


def _year(digits: str) -> int:
    return 2000 + int(digits) if len(digits) == 2 else int(digits)


def month_period(text: str, start: int, year: int, month: int) -> Period:
    """A month written as a date ("October 2025"), as a calendar period."""
    return Period(text, start, False, year, f"{month:02d}")


# --- when an item holds ------------------------------------------------------------------------

CALENDARS = range(1, 13)  # every fiscal year start, for a pack whose calendar is not known


def item_span(item: PackItem, start_month: int) -> tuple[date, date] | None:
    """The days an item is about: its period, else its validity, else the day a date-valued
    fact states (a contract's end date: "ends in FY26" is a claim about it); None when it has
    none of them."""
    if item.period:
        try:
            return period_range(item.period, start_month)
        except InvalidInput:
            pass
    if item.valid_from or item.valid_to:
        try:
            return (date.fromisoformat(item.valid_from) if item.valid_from else date.min,
                    date.fromisoformat(item.valid_to) if item.valid_to else date.max)
        except ValueError:
            return None
    if item.kind == "fact" and item.value_type == "date" and item.value:
        try:
            day = date.fromisoformat(item.value)
        except ValueError:
            return None
        return day, day
    return None


def timed(item: PackItem) -> bool:
    """Is the item about a time? An alias's dates say when a name held, not what a period
    was."""
    return item.kind != "alias" and item_span(item, 1) is not None


def dated_within(claim: Period, item: PackItem, start_month: int | None) -> bool:
    """Does the claimed period hold the date a date-valued fact states ("renews in FY28" of a
    renewal date 2027-03-01 recorded in FY26-Q3)?"""
    if item.value_type != "date" or not item.value:
        return False
    try:
        day = date.fromisoformat(item.value)
    except ValueError:
        return False
    for month in [start_month] if start_month else CALENDARS:
        span = claim.span(month)
        if span and span[0] <= day <= span[1]:
            return True
    return False


def _own_period(item: PackItem) -> Period | None:
    found = read_periods(item.period or "")
    return found[0] if len(found) == 1 and found[0].text == item.period else None


def within_item(claim: Period, item: PackItem, start_month: int | None) -> bool:
    """Does the claimed period equal or lie within the item's, on the given calendar (or on
    any calendar, when it is not known)?"""
    if claim.year is None:  # "Q3": the item's own year, read as the item's period is written
        own = _own_period(item)
        if own is None or own.year is None:
            return True  # a validity range: no year to read a bare quarter in
        claim = replace(claim, fiscal=own.fiscal, year=own.year)
    for month in [start_month] if start_month else CALENDARS:
        inner, outer = claim.span(month), item_span(item, month)
        if inner and outer and outer[0] <= inner[0] and inner[1] <= outer[1]:
            return True
    return False


def within_named(claim: Period, named: Period, start_month: int | None) -> bool:
    """Is the claimed period one a cited item writes ("Q2" in a quote), or inside it?"""
    if claim.year is None or named.year is None:
        return claim.part == named.part or (
            claim.part is not None and claim.part in QUARTERS_OF.get(named.part or "", ()))
    for month in [start_month] if start_month else CALENDARS:
        inner, outer = claim.span(month), named.span(month)
        if inner and outer and outer[0] <= inner[0] and inner[1] <= outer[1]:
            return True
    return False


# --- clauses ---------------------------------------------------------------------------------

CLAUSE_BREAK = re.compile(
    r"[;:—–()]|\s-\s|,\s*(?:(?:up|down)\s+)?from\b|\b(?:but|however|although|though|while|"
    r"whereas|unlike|except|versus|vs|compared\s+(?:with|to)|relative\s+to|against|than)\b",
    re.I)
AND = re.compile(r"\band\b", re.I)
# A period named relative to another ("the prior quarter", "a year earlier", "year over year"):
# a clause holding one compares two periods, so its figures are not all of the one it names.
RELATIVE = re.compile(
    r"\b(?:prior|previous|preceding|last|next|following|earlier|later|same)\s+(?:fiscal\s+)?"
    r"(?:quarter|year|month|half|period)s?\b|\b(?:a|one)\s+(?:quarter|year|month)\s+"
    r"(?:earlier|before|ago|later)\b|\b(?:year|quarter|month)[-\s]on[-\s]|"
    r"\b(?:year|quarter|month)[-\s]over[-\s]|\b(?:yoy|qoq|mom)\b", re.I)


@dataclass(frozen=True)
class Clause:
    span: range
    cites: frozenset[int]


def clauses(body: str, markers: Sequence[tuple[int, int, Sequence[int]]]) -> list[Clause]:
    """The sentence cut at clause words and punctuation, and after each citation marker
    (start, end, numbers): "an older report said 250,000 [4]" | ", but the current figure is
    240,000 [3]"."""
    cuts = {0, len(body), *(m.start() for m in CLAUSE_BREAK.finditer(body)),
            *(end for _, end, _ in markers)}
    bounds = sorted(cuts)
    found = []
    for a, b in itertools.pairwise(bounds):
        cites = frozenset(n for start, _, numbers in markers if a <= start < b for n in numbers)
        found.append(Clause(range(a, b), cites))
    return found


def clause_at(parts: Sequence[Clause], offset: int) -> Clause:
    return next((c for c in parts if offset in c.span), Clause(range(offset, offset + 1),
                                                               frozenset()))


# --- the period check --------------------------------------------------------------------------

NEGATION = re.compile(r"\b(?:no|not|never|nor|neither|without|missing|unavailable|lacks?)\b|"
                      r"n['’]t\b", re.I)


@dataclass(frozen=True)
class Claim:
    """A figure, date or value a sentence states, and the cited items that state it."""

    text: str
    start: int
    stated_by: frozenset[int]
    figure: bool = False  # a number or amount: it belongs to the period of its clause


def period_problems(body: str, periods: Sequence[Period], claims: Sequence[Claim],
                    cited: Sequence[PackItem], named: dict[int, list[Period]],
                    parts: Sequence[Clause], start_month: int | None) -> Iterator[Problem]:
    """See the module docstring. `named`: the periods each cited item writes."""
    items = {item.n: item for item in cited}
    about = [item for item in cited if timed(item)]
    if not about:
        return

    def holds(period: Period, item: PackItem) -> bool:
        return (not timed(item) or within_item(period, item, start_month)
                or dated_within(period, item, start_month)
                or any(within_named(period, n, start_month) for n in named.get(item.n, [])))

    claimed = [p for p in periods
               if not NEGATION.search(body, *_bounds(clause_at(parts, p.start)))]
    wrong = set()
    for period in claimed:
        if not any(holds(period, item) for item in about) and not any(
                within_named(period, n, start_month) for item in cited
                for n in named.get(item.n, [])):
            wrong.add(period.start)
            yield Problem(kind="period", claim=period.text,
                          reason=f"{period.text} is not the period of cited "
                                 f"{_when(about)}")
    for clause in (piece for c in parts for piece in _pieces(body, c)):
        inside = [p for p in claimed if p.start in clause.span and p.start not in wrong]
        if len({(p.label, p.part) for p in inside}) != 1 or RELATIVE.search(body, *_bounds(clause)):
            continue
        period = inside[0]
        for claim in claims:
            if not claim.figure or claim.start not in clause.span or not claim.stated_by:
                continue
            stating = [items[n] for n in sorted(claim.stated_by)]
            if not any(holds(period, item) for item in stating):
                yield Problem(kind="period", claim=period.text,
                              reason=f"{claim.text} is the figure of cited {_when(stating)}, "
                                     f"not of {period.text}")
                break


def _pieces(body: str, clause: Clause) -> Iterator[Clause]:
    """A clause cut before each "and": "112% in Q2 and 110% in Q3" pairs each figure with its
    own period."""
    cuts = [clause.span.start, *(m.start() for m in AND.finditer(body, *_bounds(clause))),
            clause.span.stop]
    for a, b in itertools.pairwise(cuts):
        yield Clause(range(a, b), clause.cites)


def _bounds(clause: Clause) -> tuple[int, int]:
    return clause.span.start, clause.span.stop


def _when(items: Sequence[PackItem]) -> str:
    def one(item: PackItem) -> str:
        if item.period:
            return item.period
        if item.valid_from or item.valid_to:
            return f"valid {item.valid_from or '…'}..{item.valid_to or '…'}"
        return f"dated {item.value}"

    return ", ".join(f"[{item.n}] ({one(item)})" for item in items)


# --- the status check --------------------------------------------------------------------------

NOT_CURRENT = frozenset({"outranked", "superseded", "conflicting", "deprecated", "proposed",
                         "overridden"})
_TIME_NOUN = r"(?:quarters?|years?|months?|weeks?|days?|periods?|halves|half|fiscal|seasons?)"
# Words that tell a reader an item is not the value to use, by kind of status.
HEDGES = re.compile(
    rf"""\b(?:
    # no longer the value: outdated, superseded, replaced, an earlier or older figure
      out[-\s]?dated | out\ of\ date | obsolete | stale | superseded | supersed(?:es|ing)
    | outranked | overridden | overrid(?:es|ing) | overruled | replac(?:ed|es|ing|ement)
    | deprecated | retired | withdrawn | discontinued | phased\ out | legacy | no\ longer
    | (?:since|later|subsequently|then|been)\s+(?:\w+\s+)?
        (?:corrected|revised|restated|amended|updated|replaced|superseded|changed)
    | before\s+(?:the\s+|its\s+|a\s+)?(?:correction|revision|restatement|update|change)
    | (?:un|pre-?)(?:corrected|revised)
    | previously | formerly | originally | initially | at\ first | used\ to | once\ was
    | (?:old|older|earlier|previous|prior|original|initial|former)
        (?!\s+(?:this|that|in|on|than)\b)(?!\s+{_TIME_NOUN}\b)
    # no single value: sources conflict
    | conflict\w* | disagree\w* | disput\w* | discrepan\w* | inconsisten\w* | contradict\w*
    | mismatch\w* | diverg\w* | differ(?:s|ed|ing|ence|ences)? | different\s+(?:figures?|values?|
        numbers?|counts?|amounts?) | unresolved | unreconciled | not\ (?:yet\ )?reconciled
    | unclear | uncertain | ambiguous | (?:two|several|multiple|both)\s+sources
    | sources\s+(?:vary|differ|disagree|conflict|split)
    | (?:another|other|a\ second|a\ different|a\ separate|one)\s+(?:\w+\s+)?
        (?:source|report|system|record|export|estimate|figure|document)s?
    # a weaker source
    | lower[-\s](?:authority|ranked|ranking|priority|confidence|quality)
    | less\ (?:authoritative|reliable|trusted|credible|official) | unofficial(?:ly)?
    | unverified | unconfirmed | informal(?:ly)? | anecdotal(?:ly)? | rumou?r\w*
    | reportedly | allegedly | claimed
    # not decided yet
    | propos\w* | pending | draft\w* | tentative(?:ly)? | provisional(?:ly)?
    | under\s+(?:review|discussion|consideration|negotiation) | awaiting | not\s+yet
    | yet\s+to\s+be | (?:if|once|until)\s+(?:it\s+is\s+)?(?:approved|adopted|accepted|signed)
    | would | planned | suggested | recommend\w*
    # a general rule an exception replaces here
    | in\ general | generally | by\ default | default | normally | usually | typically
    | ordinarily | as\ a\ rule | standard | general\s+(?:rule|policy|terms) | except\w*
    | (?:does|do|did)\s*(?:not|n['’]t)\s+apply | not\ applicable | instead | rather\ than
    | unlike | other\s+customers | (?:most|all|every)\s+other
    )\b""",
    re.X | re.I,
)
NEGATED = re.compile(r"\b(?:not|no|never|without|hardly|is\s+n['’]t|isn['’]t|wasn['’]t|"
                     r"aren['’]t|weren['’]t)\s+(?:\w+\s+)?$", re.I)


def hedged(text: str, start: int, end: int) -> bool:
    """Does text[start:end] qualify what it says with a word of HEDGES, not negated?"""
    return any(not NEGATED.search(text, max(start, m.start() - 40), m.start())
               for m in HEDGES.finditer(text, start, end))


def value_claims(body: str, cited: Sequence[PackItem]) -> list[Claim]:
    """Text values of cited facts ("Gold", "EUR") that the sentence writes."""
    values: dict[str, set[int]] = {}
    for item in cited:
        if item.kind == "fact" and item.value and item.value_type not in (
                "number", "money", "percent", "date") and len(item.value.strip()) > 1:
            values.setdefault(item.value.strip().casefold(), set()).add(item.n)
    found = []
    for value, numbers in values.items():
        for m in re.finditer(rf"(?<!\w){re.escape(value)}(?!\w)", body, re.I):
            found.append(Claim(m[0], m.start(), frozenset(numbers)))
    return found


def status_problems(body: str, claims: Sequence[Claim], cited: Sequence[PackItem],
                    parts: Sequence[Clause]) -> Iterator[Problem]:
    """See the module docstring: one problem per non-current item the sentence presents as
    the answer without saying so."""
    items = {item.n: item for item in cited}
    current = {n for n, item in items.items() if item.status not in NOT_CURRENT}
    for item in cited:
        if item.status not in NOT_CURRENT:
            continue
        alone = [c for c in claims if item.n in c.stated_by and not c.stated_by & current]
        if not alone and (current or any(c.stated_by for c in claims)):
            continue  # it states nothing here, and the sentence rests on other items
        scope = [c for c in parts if item.n in c.cites or not c.cites
                 or any(claim.start in c.span for claim in alone)]
        if any(hedged(body, c.span.start, c.span.stop) for c in scope):
            continue
        rivals = {r.n for r in cited if _rivals(item, r)}
        if any(c.stated_by & rivals for c in claims):
            continue
        standing = item.note if (item.note or "").startswith(item.status) else \
            item.status + (f" ({item.note})" if item.note else "")
        if alone:
            yield Problem(kind="status", claim=alone[0].text,
                          reason=f"{alone[0].text} is from cited [{item.n}], which is "
                                 f"{standing}; the sentence gives it as the answer without "
                                 f"saying so")
        else:
            yield Problem(kind="status", claim=f"[{item.n}]",
                          reason=f"cited [{item.n}] is {standing}; the sentence rests on it "
                                 f"without saying so")


BARE_YEAR = re.compile(r"\b(?:in|during)\s+((?:19|20)\d{2})\b(?![-/.]\d|'|’)", re.I)
# "since 2024": when something began, which a cited item's start must be in
SINCE_YEAR = re.compile(r"\bsince\s+((?:19|20)\d{2})\b(?![-/.]\d|'|’)", re.I)


def year_problems(body: str, cited: Sequence[PackItem], start_month: int | None,
                  said: Callable[[int], bool]) -> Iterator[Problem]:
    """A bare year ("in 2024") is too loose to be the period of a quarter's figure, but one
    that no cited item's time overlaps on any calendar is wrong: "12,400 tonnes in 2024 [1]"
    of a fact about FY26-Q1 (July to September 2025). "Since 2024" says when something
    began: a cited item's time must begin in that year ("managed by Y since 2024 [1]" of a
    relation from 2026-07-01 fails)."""
    about = [item for item in cited if timed(item)]
    taken = {range(p.start, p.start + len(p.text)) for p in read_periods(body)}
    for m in BARE_YEAR.finditer(body) if about else ():
        if not said(m.start(1)) or any(m.start(1) in r for r in taken) or NEGATION.search(
                body, max(0, m.start() - 40), m.start()):
            continue
        year = int(m[1])
        spans = [item_span(item, month) for item in about
                 for month in ([start_month] if start_month else CALENDARS)]
        if not any(span and span[0] <= date(year, 12, 31) and date(year, 1, 1) <= span[1]
                   for span in spans):
            yield Problem(kind="period", claim=m[1],
                          reason=f"{m[1]} is not the time of cited {_when(about)}")
    for m in SINCE_YEAR.finditer(body) if about else ():
        if not said(m.start(1)) or NEGATION.search(body, max(0, m.start() - 40), m.start()):
            continue
        starts = {span[0].year for item in about
                  for month in ([start_month] if start_month else CALENDARS)
                  if (span := item_span(item, month)) and span[0] != date.min}
        if starts and int(m[1]) not in starts:  # "managed by Y since 2024" of one from 2026
            yield Problem(kind="period", claim=m[0],
                          reason=f"{m[0]} is not when cited {_when(about)} begins")


def initials_in(key: str, text: str) -> bool:
    """Is key (one word of two to five letters) the initials of neighbouring words of text
    ('dso' in 'days sales outstanding (fy26-q1): 38 days')?"""
    if " " in key or not 2 <= len(key) <= 5 or not key.isalpha():
        return False
    words = text.split()
    return any("".join(w[0] for w in words[j:j + len(key)]) == key
               for j in range(len(words) - len(key) + 1))


def _rivals(item: PackItem, other: PackItem) -> bool:
    """Is `other` what replaces `item` here (or the other side of its conflict)?"""
    if other.n == item.n:
        return False
    if item.status == "conflicting":
        if other.status not in ("conflicting", "current"):
            return False
    elif other.status in NOT_CURRENT:
        return False
    noted = any(f"[{b.n}]" in (a.note or "") for a, b in ((item, other), (other, item)))
    same_fact = (item.kind == other.kind == "fact" and item.subject == other.subject
                 and item.predicate == other.predicate
                 and (item.period == other.period or not (item.period and other.period)))
    same_term = (item.kind == other.kind == "definition"
                 and item.text.partition(" (")[0] == other.text.partition(" (")[0])
    exception = (item.kind == other.kind == "rule" and item.status == "overridden"
                 and other.status == "exception")
    return noted or same_fact or same_term or exception


__all__ = [
    "AND", "BARE_YEAR", "CALENDARS", "CLAUSE_BREAK", "ENDING_MONTHS", "HEDGES",
    "NEGATED", "NEGATION",
    "NOT_CURRENT", "PERIOD_PATTERNS", "QUARTERS_OF", "RELATIVE", "SINCE_YEAR",
    "Claim", "Clause",
    "Period", "clause_at", "clauses", "dated_within", "hedged", "initials_in", "item_span",
    "month_period", "period_problems", "read_endings", "read_periods", "status_problems", "timed",
    "value_claims", "within_item", "within_named", "year_problems"
]
