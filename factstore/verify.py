"""Checking an LLM answer against the context pack it was given (`facts verify`).

An answer passes when each sentence says only what its citations say:

- every citation `[n]` (also `[1][2]`, `[1, 2]`, `[1-3]`) is an item of the pack;
- every number, amount, percentage and date in a cited sentence is stated by a cited item
  (its value, text, quote, note, valid_from/valid_to), within the rounding the answer's own
  precision implies: "1.2M" stands for 1,150,000..1,250,000, "1,200,000" for itself; an
  amount of 1,000 or more may also be the sum or difference of two cited ones ("grew by
  1.46M"); a percentage must match a stated percentage; a month ("October 2025") fails only
  against cited items that state dates, none of them in that month;
- a cited amount in a currency ("EUR 630K") is not matched by the same figure in another;
- every proper name in a cited sentence is named by a cited item (its text, quote, subject
  or source title), so "Acme Corporation's ACV ... [2]" fails when [2] is about Acme GmbH;
- a period a cited sentence names (FY26-Q2, "the second quarter of fiscal 2026", H1, 2025-10,
  October 2025 ...) equals or lies within a cited item's period or validity, and a figure is
  the one of the period its clause names (factstore.verify_checks; the fiscal calendar is the
  caller's `fiscal_start_month`, else every calendar is tried);
- a value only non-current cited items state (outranked, superseded, conflicting, deprecated,
  proposed, overridden) is not given as the answer unless the sentence says so: a qualifier
  ("an older report", "sources conflict", "proposed", "by default" ...) or the rival's value
  beside it (factstore.verify_checks);
- a sentence without a citation states no number, amount, percentage or date;
- a clause saying the pack lacks the answer ("I don't know", "the pack does not
  contain ...") needs no citation for the numbers it names; the report marks it `abstains`.

Not numeric claims: period labels (FY26-Q3, FY26, Q3, H1, 2025-Q3, 2025-10; checked as periods
instead), bare years (2027), ordinals (first, 3rd), codes (CUST-1001, NW-OF-2025-0151),
citations, list numbering.
Not names: words any sentence may capitalise (months, "Total", "Net Revenue Retention",
currency codes ...), the first word of a sentence when it is an ordinary word, and legal
suffixes ("Kestrel Bank" is named by "Kestrel Bank plc"; "Acme Corp" is not by "Acme GmbH").

Known limits (the checker reads patterns, not meaning):
- a sentence with several citations is checked against all of them together;
- numbers written as words ("sixty days", "two thirds") and bare years are not checked;
- other derived numbers (growth rates, shares, small sums) fail unless an item states them;
- a name the cited items do not write fails even when it is true context from elsewhere
  ("Acme Corporation, a customer in the Americas"), and so may a plural ("the two Acmes") or
  an unusual opening word;
- a name is accepted when a cited item mentions it at all, even to say it is not meant
  ("Acme GmbH (not Acme Corporation)");
- abstention is recognised by its wording; whether the pack really lacks the answer is not
  judged;
- periods named relative to another ("the prior quarter", "year over year") and bare years
  are not checked; a figure is paired with a period only inside one clause that names one;
- qualifiers are recognised by their words (see factstore.verify_checks), not understood.
"""

from __future__ import annotations

import itertools
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from pydantic import ValidationError

from factstore.errors import InvalidInput

from factstore.results import ContextPack, PackItem
from factstore.reports import Problem, SentenceCheck, VerifyReport, VerifySummary
from factstore.render import check_pack
from factstore.answer_names import (DISTINCT_SUFFIXES, INITIALISM, JOINERS, NAME_TOKEN,
                                    POSSESSIVE, SUFFIXES, Word, name_keys, named_in, names)
from factstore.resolver import full_name
from factstore.schema import NUMERIC
from factstore.text import (ANSWER_PERIOD, CODES, CURRENCIES,
                            MONTH_ABBREVIATIONS, MONTH_NAMES, SCALES)
from factstore.verify_checks import (
    initials_in,
    year_problems,
    Claim,
    Period,
    clauses,
    month_period,
    period_problems,
    read_endings,
    read_periods,
    status_problems,
    value_claims,
)

# --- citations ------------------------------------------------------------------------------

CITATION = re.compile(r"\[\s*\d+(?:\s*[-–,]\s*\d+)*\s*\]")
MAX_RANGE = 50  # "[1-3]" expands; "[1-900]" is two citations, not nine hundred


def citation_numbers(marker: str) -> list[int]:
    """The item numbers one marker cites: "[1, 3-5]" -> [1, 3, 4, 5]."""
    numbers: list[int] = []
    for part in marker.strip("[] ").split(","):
        low, dash, high = re.sub(r"\s", "", part).replace("–", "-").partition("-")
        if not dash:
            numbers.append(int(low))
        elif int(low) <= int(high) and int(high) - int(low) < MAX_RANGE:
            numbers.extend(range(int(low), int(high) + 1))
        else:
            numbers.extend((int(low), int(high)))
    return numbers


def citations(text: str) -> list[int]:
    """Every item number the text cites, in order, each once."""
    found = (n for m in CITATION.finditer(text) for n in citation_numbers(m[0]))
    return list(dict.fromkeys(found))


# --- sentences ------------------------------------------------------------------------------

LIST_MARKER = re.compile(r"^\s*(?:[-*+•>]|\d{1,2}[.)]|#{1,6})\s+")
MARKUP = re.compile(r"\*\*|__|`")
SENTENCE_END = re.compile(r"[.!?]+[\"'’”)]*(?=\s|$)")
ABBREVIATIONS = frozenset(
    "e.g. i.e. etc. vs. approx. incl. excl. esp. inc. corp. ltd. co. no. nos. mr. mrs. ms. "
    "dr. st. jr. sr. fig. est. cf. al. dept. avg. min. max. ca. p. pp. sec. para. rs. "
    # German: Mio. Mrd. Tsd. (scales), bzw. ggü. vgl. inkl. zzgl. ggf. Nr. Abs.
    "mio. mrd. tsd. bzw. ggü. vgl. inkl. zzgl. ggf. nr. abs. gj. vj. rd.".split()
    + [f"{name}." for name in MONTH_ABBREVIATIONS]
)
NEVER_END = frozenset({"e.g.", "i.e.", "cf.", "vs."})
# Words that start a new sentence after an abbreviation ("... Orbital Freight Inc. It churned").
STARTERS = frozenset(
    "the this that these those it its they their we our he she in on at for as however also "
    "there both each all a an so but and if when with according based per under since after "
    "before overall note i der die das im es sie er dies damit".split()
)


def split_sentences(answer: str) -> list[str]:
    """Sentences of an answer, with markdown list markers and emphasis removed. A citation
    written after the full stop ("... 1.2M. [2]") belongs to the sentence before it."""
    sentences: list[str] = []
    for block in _blocks(answer):
        for sentence in _split_block(block):
            lead = re.match(rf"(?:\s*{CITATION.pattern})+", sentence)
            if lead and sentences:
                sentences[-1] = f"{sentences[-1]} {lead[0].strip()}"
                sentence = sentence[lead.end():].strip()
            if sentence:
                sentences.append(sentence)
    return sentences


def _blocks(answer: str) -> Iterator[str]:
    """Paragraphs, list items and table rows; a line wrapped inside a sentence (the line
    before it ends without a full stop, colon, citation or table bar) continues its block."""
    block: list[str] = []
    for raw in answer.splitlines():
        line = raw.strip()
        marker = LIST_MARKER.match(raw)
        continues = (block and line and not marker
                     and not re.search(r"[.!?:\]|]$", block[-1]))
        if block and not continues:
            yield " ".join(block)
            block = []
        if line:
            block.append(LIST_MARKER.sub("", raw).strip() if marker else line)
    if block:
        yield " ".join(block)


def _split_block(block: str) -> Iterator[str]:
    text = " ".join(MARKUP.sub("", block).split())
    start = 0
    for end in SENTENCE_END.finditer(text):
        if _ends_sentence(text, end):
            yield text[start:end.end()].strip()
            start = end.end()
    if text[start:].strip():
        yield text[start:].strip()


def _ends_sentence(text: str, end: re.Match[str]) -> bool:
    rest = text[end.end():].lstrip()
    if not rest:
        return True
    word = text[:end.start() + 1].split()[-1].lstrip("([\"'“")
    following = rest.split()[0].rstrip(".")
    if word[:-1].isdigit() and len(word) <= 3 and following in CAPITALISED_MONTHS:
        return False  # a German day: "bis zum 30. September 2027"
    if word.endswith(".") and (word.lower() in ABBREVIATIONS or INITIALISM.fullmatch(word)):
        following = re.sub(r"\W", "", rest.split()[0]).lower()
        return word.lower() not in NEVER_END and following in STARTERS
    return not rest[0].islower()


# --- numbers, amounts, percentages, dates ----------------------------------------------------

MASK = "¦"  # replaces what is read, keeping offsets; no pattern matches it
NUMBER = re.compile(
    rf"""(?<![\w.])
    (?:(?P<pre>US\$|R\$|[$€£¥₹]|Rs\.|Rs(?![A-Za-z])|(?:{CODES})(?![A-Za-z]))\s?)?
    (?P<num>(?P<de>\d{{1,3}}(?:\.\d{{3}}){{2,}}(?:,\d+)?|\d{{1,3}}\.\d{{3}},\d+)
      |\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d{{1,2}}(?:,\d{{2}})+,\d{{3}}(?:\.\d+)?
      |\d{{1,3}}(?P<space>[\x20\u00a0\u202f\u2009'’])\d{{3}}(?:(?P=space)\d{{3}})*(?:[.,]\d+)?
      |(?<!\d,)(?P<comma>\d+,(?:\d{{1,2}}|\d{{4,}}))(?![.,]?\d)
      |\d+(?:\.\d+)?)
    (?:(?P<scale>[kKmMbB]|MM)(?![A-Za-z])
      |\s?(?P<word>thousand|million|billion|mn|bn|lakhs?|lacs?|crores?|[cC]r)\b
      |\s?(?P<de_word>(?:Mio|Mrd|Tsd)\.|(?:Mio|Mrd|Tsd|Millionen|Milliarden|Tausend)\b))?
    (?:\s?(?P<pct>%|percent\b|per\ cent\b|Prozent\b))?
    (?:\s?(?P<x>x)(?![A-Za-z]))?
    (?:\s?(?P<post>(?:{CODES})\b|dollars\b|[eE]uros?\b|Franken\b|zł|rupees\b|€))?
    (?![\w])""",
    re.X,
)

# Month names as a date in an answer writes them: capitalised ("Sept", "October").
CAPITALISED_MONTHS = {name.capitalize(): number for name, number in MONTH_NAMES.items()}
# German names where they differ ("30. September 2027" needs none; Austria writes Jänner)
GERMAN_MONTHS = {"Januar": 1, "Jänner": 1, "Februar": 2, "Feber": 2, "März": 3, "Maerz": 3,
                 "Mai": 5, "Juni": 6, "Juli": 7, "Oktober": 10, "Okt": 10, "Dezember": 12,
                 "Dez": 12}
CAPITALISED_MONTHS |= GERMAN_MONTHS
MONTH = "(?P<month>" + "|".join(sorted(CAPITALISED_MONTHS, key=len, reverse=True)) + r")\b\.?"
DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th|\.)?"  # "31st October", German "31. Oktober"
YEAR = r"(?P<year>\d{4})(?!\d)"
# Most specific first: each match is masked before the next pattern runs.
DATE_PATTERNS = [
    re.compile(r"(?<![\w-])(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?![\w-])"),
    re.compile(rf"(?<![\d.,]){DAY}\s+(?:of\s+)?{MONTH},?\s+{YEAR}"),
    re.compile(rf"{MONTH}\s+{DAY},?\s+{YEAR}"),
    re.compile(r"(?<![\w/.])(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<year>\d{4})(?![\w/])"),
    re.compile(rf"{MONTH},?\s+{YEAR}"),
    re.compile(rf"(?<![\d.,]){DAY}\s+(?:of\s+)?{MONTH}"),
    re.compile(rf"{MONTH}\s+{DAY}(?![\d.,%]|\s*(?:[kKmMbB%]|million|percent)\b)"),
]
CURRENCY_CODE = re.compile(CODES)
CODE = re.compile(r"(?<![\w-])#?[A-Z][A-Za-z]*(?:-[A-Za-z0-9]+)+(?![\w-])")

DayParts = tuple[int | None, int, int | None]  # (year, month, day); None where not written


@dataclass(frozen=True)
class Amount:
    """A number as written: 1.2M is 1,200,000 give or take half of its last digit (100,000)."""

    text: str
    start: int
    value: Decimal
    step: Decimal
    percent: bool
    currency: str | None

    def matches(self, other: Amount) -> bool:
        if self.percent and not other.percent:
            return False
        return abs(self.value - other.value) <= self.step / 2


@dataclass(frozen=True)
class DateClaim:
    text: str
    start: int
    readings: tuple[DayParts, ...]  # 03/04/2025 reads two ways

    def matches(self, stated: DayParts) -> bool:
        return any(_same_day(reading, stated) for reading in self.readings)

    @property
    def month_only(self) -> bool:
        return all(year is not None and day is None for year, _, day in self.readings)


def _same_day(claim: DayParts, stated: DayParts) -> bool:
    """Fields either side leaves out match anything: "1 April" in a quote about 2025 states
    1 April 2025; except that a day stated only as a month does not state the day."""
    year, month, day = claim
    return (month == stated[1] and (year is None or stated[0] is None or year == stated[0])
            and (day is None or day == stated[2]))


@dataclass
class Scan:
    """What a piece of text states: amounts, dates, and the text left for names."""

    amounts: list[Amount] = field(default_factory=list)
    dates: list[DateClaim] = field(default_factory=list)
    periods: list[Period] = field(default_factory=list)
    names_text: str = ""

    @property
    def claims(self) -> list[tuple[int, str]]:
        """(offset, text as written) of every amount and date, in reading order."""
        return sorted([(a.start, a.text) for a in self.amounts]
                      + [(d.start, d.text) for d in self.dates])


def scan(text: str) -> Scan:
    """Read dates, then mask period labels and codes, then read amounts, so that no digit is
    read twice and "FY26-Q3" or "CUST-1001" are never numbers."""
    found = Scan()
    text = CITATION.sub(_masked, text)
    endings = read_endings(text)  # "the quarter ending December 2026": not the month alone
    for p in endings:
        text = text[:p.start] + MASK * len(p.text) + text[p.start + len(p.text):]
    for pattern in DATE_PATTERNS:
        read = [(m, r) for m in pattern.finditer(text) if (r := _readings(m))]
        found.dates.extend(DateClaim(m[0].strip(" .,"), m.start(), r) for m, r in read)
        for m, _ in read:
            text = text[:m.start()] + _masked(m) + text[m.end():]
    found.periods = read_periods(text)
    for p in found.periods:
        text = text[:p.start] + MASK * len(p.text) + text[p.start + len(p.text):]
    found.periods = sorted([*found.periods, *endings], key=lambda p: p.start)
    text = ANSWER_PERIOD.sub(_masked, text)
    numbers = CODE.sub(lambda m: _masked(m) if re.search(r"\d", m[0]) else m[0], text)
    read_numbers = [(m, a) for m in NUMBER.finditer(numbers) if (a := _amount(m)) is not None]
    found.amounts = [a for _, a in read_numbers]
    for m, _ in read_numbers:  # codes stay: "CUST-1001" is a name a cited item must hold
        text = text[:m.start()] + _masked(m) + text[m.end():]
    found.names_text = text
    return found


def _masked(m: re.Match[str]) -> str:
    return MASK * len(m[0])


def _readings(m: re.Match[str]) -> tuple[DayParts, ...]:
    groups = m.groupdict()
    year = int(groups["year"]) if groups.get("year") else None
    if groups.get("a"):  # 31/10/2025 or 10/31/2025
        first, second = int(groups["a"]), int(groups["b"])
        candidates: list[DayParts] = [(year, second, first), (year, first, second)]
    else:
        month = groups["month"]
        number = int(month) if month.isdigit() else CAPITALISED_MONTHS[month]
        candidates = [(year, number, int(groups["day"]) if groups.get("day") else None)]
    return tuple(dict.fromkeys(c for c in candidates if _real_day(c)))


def _real_day(parts: DayParts) -> bool:
    year, month, day = parts
    try:
        date(year or 2024, month, day or 1)  # 2024: a leap year, so 29 February is real
    except ValueError:
        return False
    return year is None or 1900 <= year <= 2200


def _amount(m: re.Match[str]) -> Amount | None:
    # thousands grouped by commas (1,234.5), spaces (1 234,5 or 1 234.5: much of Europe) or
    # apostrophes (4'500'000: Switzerland),
    # or as German writes them, by dots before a decimal comma (1.234.567 or 1.234,50), and a
    # decimal comma that cannot be a thousands comma (1,2 Mio.; 12,5 %)
    num = m["num"]
    if m["space"]:
        num = num.replace(m["space"], "").replace(",", ".")
    elif m["de"]:
        num = num.replace(".", "").replace(",", ".")
    elif m["comma"]:
        num = num.replace(",", ".")
    value = Decimal(digits := num.replace(",", ""))
    scale = (m["scale"] or m["word"] or m["de_word"] or "").rstrip(".")
    marked = scale or m["pre"] or m["post"] or m["pct"] or m["x"] or m["space"] or m["de"] \
        or "," in m["num"]
    if not marked and len(digits) == 4 and 1900 <= value <= 2100:
        return None  # a year: "in 2027"
    exponent = SCALES[scale.lower()] if scale else 0
    places = len(digits.partition(".")[2])
    written = m["pre"] or m["post"]
    return Amount(
        text=m[0].strip(),
        start=m.start(),
        value=value.scaleb(exponent),
        step=Decimal(1).scaleb(exponent - places),
        percent=bool(m["pct"]),
        currency=CURRENCIES.get(written.lower(), written.upper()) if written else None,
    )


def iso_day(text: str | None) -> DayParts | None:
    """"2025-10-31" -> (2025, 10, 31); "2025-10" -> (2025, 10, None); else None."""
    if not text:
        return None
    if m := re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?", text.strip()):
        parts = (int(m[1]), int(m[2]), int(m[3]) if m[3] else None)
        return parts if _real_day(parts) else None
    return None


# --- what the cited items state --------------------------------------------------------------


@dataclass
class Evidence:
    """One pack item as the checker reads it."""

    item: PackItem
    amounts: list[Amount]
    days: set[DayParts]
    names: list[str]  # normalised texts that may name things: text, quote, subject, source
    shown: str  # the item's value as printed in a problem: "1,200,000 EUR"
    about: str  # what the item talks about: "Acme GmbH", "a rule for every customer"
    periods: list[Period]  # periods its text, quote or note writes


def evidence(item: PackItem) -> Evidence:
    texts = [t for t in (item.text, item.quote, item.note) if t]
    scans = [scan(t) for t in texts]
    amounts = [a for s in scans for a in s.amounts]
    days = {reading for s in scans for d in s.dates for reading in d.readings}
    days |= {d for d in map(iso_day, (item.valid_from, item.valid_to, item.period)) if d}
    if item.value_type == "date" and (day := iso_day(item.value)):
        days.add(day)
    stated = _decimal(item.value) if item.value_type in NUMERIC else None
    if stated is not None:
        amounts.append(Amount(item.value or "", 0, stated, Decimal(0),
                              item.value_type == "percent", None))
    unit = (item.unit or "").upper()
    currency = (item.value_type == "money" and bool(unit)) or (
        item.value_type == "number" and bool(CURRENCY_CODE.fullmatch(unit)))
    if stated is not None and currency:
        # the fact's own figure, written without a currency in its quote ("ACV 1.2M"), is
        # in the fact's unit: a money fact's, or a currency code of a number's (a CSV export
        # with a currency column gives numbers, 1234567.89 in EUR)
        amounts = [replace(a, currency=unit) if a.currency is None and a.value == stated else a
                   for a in amounts]
    sources = [item.subject.replace("kind:", "") if item.subject else None,
               item.source.title if item.source else None]
    names = [key for t in [*texts, *sources] if t for key in name_keys(t)]
    return Evidence(item, amounts, days, names, _shown(item), _about(item),
                    [p for s in scans for p in s.periods])


def _decimal(text: str | None) -> Decimal | None:
    try:
        number = Decimal(text) if text else None
    except InvalidOperation:
        return None
    return number if number is not None and number.is_finite() else None


def _shown(item: PackItem) -> str:
    if item.kind == "fact":
        _, sep, value = item.text.rpartition("): ")
        if not sep:
            _, sep, value = item.text.partition(": ")
        if sep:
            return _short(value)
    return _short(item.text)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _about(item: PackItem) -> str:
    if item.kind == "fact":
        return f"about {item.text.partition(' - ')[0]}"
    if item.kind == "alias":
        return f"about {item.text.partition(' is also known as')[0]}"
    if item.kind == "definition":
        return f"defines {item.text.partition(' (')[0]}"
    if item.kind == "relation":
        return f"relates {_short(item.text)}"
    subject = item.subject or "?"
    if subject.startswith("kind:"):
        return f"a rule for every {subject[5:]}"
    return f"a rule for {subject}"


# --- abstention -----------------------------------------------------------------------------

KNOWLEDGE = (r"(?:pack|context|knowledge(?:\s+base)?|(?:provided|available|given|supplied)\s+"
             r"(?:information|items|facts|sources|documents|data|context|knowledge)|"
             r"sources?|documents?|information|data|items|facts|records)")
ABSTAIN = re.compile(
    rf"""\b(?:
      i\s+(?:do\s+not|don['’]t)\s+know
    | i\s+(?:cannot|can['’]t|am\s+unable\s+to|could\s+not|couldn['’]t)\s+
        (?:say|tell|answer|determine|find|confirm|verify)
    | {KNOWLEDGE}\s+(?:does|do|did)\s*(?:not|n['’]t)\s+
        (?:contain|include|mention|say|state|specify|provide|cover|give|have|show)
    | not\s+(?:in|included\s+in|found\s+in|available\s+in|covered\s+(?:in|by)|mentioned\s+in|
        stated\s+in|present\s+in|part\s+of)\s+the\s+(?:\w+\s+){{0,2}}?{KNOWLEDGE}
    | no\s+(?:information|data|facts?|figures?|records?|details|value)\s+
        (?:on|about|for|regarding|is\s+available|was\s+found|in\s+the)
    | (?:not\s+enough|insufficient)\s+(?:information|data|context)
    | cannot\s+be\s+(?:determined|answered)\s+from
    )""",
    re.X | re.I,
)
CLAUSE_END = re.compile(r"[;:—]|\s-\s|\b(?:but|however|although|while)\b", re.I)


def abstaining_clauses(text: str) -> list[range]:
    """Offsets of the clauses that say the pack lacks something: in "The pack has no Q4
    figure; Q3 ARR was $14.2M" the second clause still states an amount."""
    bounds = [0, *(m.start() for m in CLAUSE_END.finditer(text)), len(text)]
    return [range(a, b) for a, b in itertools.pairwise(bounds)
            if ABSTAIN.search(text, a, b)]


# --- the check ------------------------------------------------------------------------------


def read_answer(path: Path) -> str:
    """An answer from a file, or standard input for '-': UTF-8 text, not empty."""
    name = path.name
    try:
        answer = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{name}: not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise InvalidInput(f"{name}: cannot read ({exc.strerror})") from None
    if not answer.strip():
        raise InvalidInput(f"{name}: the answer is empty; nothing to verify")
    return answer


def load_pack(path: Path) -> ContextPack:
    """A pack written by `facts context --json`, checked to be unedited."""
    try:
        pack = ContextPack.model_validate_json(path.read_bytes())
    except ValidationError as exc:
        from factstore.importers import describe_error

        raise InvalidInput(f"{path.name}: not a context pack (facts context --json): "
                           f"{describe_error(exc)}") from None
    except OSError as exc:
        raise InvalidInput(f"{path.name}: cannot read ({exc.strerror})") from None
    check_pack(pack, path.name)
    return pack


def verify(answer: str, pack: ContextPack, *, fiscal_start_month: int | None = None
           ) -> VerifyReport:
    """Check an answer against the pack it was written from; see the module docstring.
    `fiscal_start_month` is the store's fiscal calendar (`FactStore.fiscal_start_month()`;
    by default the one the pack carries): without either, a fiscal period and a calendar one
    are judged on every calendar."""
    if fiscal_start_month is None:
        fiscal_start_month = pack.fiscal_year_start_month
    items = {item.n: evidence(item) for item in pack.items}
    for e in (e for e in items.values() if e.item.kind == "rule"):  # a rule governs the
        e.names += [full_name(m.entity["name"]) for m in pack.entities if m.entity]  # asked
    vocabulary = _lower_words([answer, *(i.text for i in pack.items),
                               *(i.quote or "" for i in pack.items)])
    checks = [_check(sentence, items, vocabulary, fiscal_start_month)
              for sentence in split_sentences(answer)]
    failed = [c for c in checks if c.problems]
    summary = VerifySummary(
        sentences=len(checks),
        cited=sum(1 for c in checks if c.citations),
        claims=sum(len(c.claims) for c in checks),
        failed=len(failed),
        problems=sum(len(c.problems) for c in checks),
    )
    return VerifyReport(ok=not failed, abstained=any(c.abstains for c in checks),
                        sentences=checks, summary=summary)


def _lower_words(texts: Iterable[str]) -> set[str]:
    """Words written in lower case somewhere: a sentence's capitalised first word that is
    one of them is an ordinary word, not a name."""
    return {w for t in texts for w in re.findall(r"(?<![\w'’])[a-z][a-z'’-]+", t)}


def _check(sentence: str, items: dict[int, Evidence], vocabulary: set[str],
           fiscal_start_month: int | None) -> SentenceCheck:
    cited_numbers = citations(sentence)
    body = CITATION.sub(lambda m: MASK * len(m[0]), sentence)
    found = scan(body)
    abstaining = abstaining_clauses(body)
    check = SentenceCheck(text=sentence, citations=cited_numbers,
                          claims=[text for _, text in found.claims], abstains=bool(abstaining))
    problems = check.problems
    for n in cited_numbers:
        if n not in items:
            problems.append(Problem(kind="unknown_citation", claim=f"[{n}]",
                                    reason=f"cites [{n}]; {_pack_items(items)}"))
    cited = [items[n] for n in cited_numbers if n in items]
    if cited:
        problems.extend(_amount_problems(found.amounts, cited))
        problems.extend(_date_problems(found.dates, cited))
        problems.extend(_name_problems(found.names_text, cited, vocabulary))
        problems.extend(_time_and_status(sentence, body, found, cited, abstaining,
                                         fiscal_start_month))
    elif not cited_numbers:
        problems.extend(Problem(kind="uncited", claim=claim,
                                reason=f"uncited numeric claim: {claim}")
                        for at, claim in found.claims
                        if not any(at in clause for clause in abstaining))
    return check


def _time_and_status(sentence: str, body: str, found: Scan, cited: list[Evidence],
                     abstaining: list[range], fiscal_start_month: int | None
                     ) -> Iterator[Problem]:
    """The period and status checks of factstore.verify_checks, on what the sentence states
    outside the clauses that say the pack lacks something."""
    def said(at: int) -> bool:
        return not any(at in clause for clause in abstaining)

    stated = [day for e in cited for day in e.days]
    claims = [Claim(a.text, a.start, frozenset(e.item.n for e in cited
                                               if any(a.matches(s) for s in e.amounts)),
                    figure=True) for a in found.amounts]
    claims += [Claim(d.text, d.start, frozenset(e.item.n for e in cited
                                                if any(d.matches(day) for day in e.days)))
               for d in found.dates]
    claims += value_claims(body, [e.item for e in cited])
    periods = [*found.periods, *(month_period(d.text, d.start, year or 0, month)
                                 for d in found.dates if d.month_only and not stated
                                 for year, month, _ in d.readings[:1])]
    markers = [(m.start(), m.end(), citation_numbers(m[0])) for m in CITATION.finditer(sentence)]
    parts = clauses(body, markers)
    items = [e.item for e in cited]
    named = {e.item.n: e.periods for e in cited}
    yield from period_problems(body, [p for p in periods if said(p.start)],
                               [c for c in claims if said(c.start)], items, named, parts,
                               fiscal_start_month)
    yield from year_problems(body, items, fiscal_start_month, said)
    yield from status_problems(body, [c for c in claims if said(c.start)], items, parts)


def _pack_items(items: dict[int, Evidence]) -> str:
    if not items:
        return "the pack has no items"
    numbers = sorted(items)
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    shown = ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else f"{r[0]}" for r in runs)
    return f"the pack has item {shown}" if len(numbers) == 1 else f"the pack has items {shown}"


def _refs(cited: list[Evidence], what: str = "shown") -> str:
    return ", ".join(f"[{e.item.n}] ({getattr(e, what)})" for e in cited)


def _amount_problems(amounts: list[Amount], cited: list[Evidence]) -> Iterator[Problem]:
    figures = [s for e in cited for s in e.amounts]
    for amount in amounts:
        matches = [(e, s) for e in cited for s in e.amounts if amount.matches(s)]
        if not matches:
            if not _sum_or_difference(amount, figures):
                yield Problem(kind="number", claim=amount.text,
                              reason=f"{amount.text} does not match cited {_refs(cited)}")
        elif amount.currency and all(s.currency not in (None, amount.currency)
                                     for _, s in matches):
            e, other = matches[0]
            yield Problem(kind="currency", claim=amount.text,
                          reason=f"{amount.text} is in {amount.currency}; cited [{e.item.n}] "
                                 f"states {other.currency} ({e.shown})")


def _sum_or_difference(amount: Amount, stated: list[Amount]) -> bool:
    """Is it the sum or difference of two cited figures ("ARR grew by 1.46M")? Only for
    amounts of at least 1,000, so that small counts (net 30 + net 60) cannot add up by chance."""
    if amount.percent or amount.value < 1000:
        return False
    figures = sorted({s.value for s in stated if not s.percent and s.value >= 1000})
    return any(abs(amount.value - total) <= amount.step / 2
               for a, b in itertools.combinations(figures, 2) for total in (a + b, b - a))


def _date_problems(dates: list[DateClaim], cited: list[Evidence]) -> Iterator[Problem]:
    stated = [day for e in cited for day in e.days]
    for claim in dates:
        # "In October 2025, NRR was 112%" uses a month as a period: only a stated date
        # can contradict it.
        if claim.month_only and not stated:
            continue
        if not any(claim.matches(day) for day in stated):
            yield Problem(kind="date", claim=claim.text,
                          reason=f"{claim.text} does not match a date in cited {_refs(cited)}")


def _name_problems(text: str, cited: list[Evidence], vocabulary: set[str]) -> Iterator[Problem]:
    for name in names(text, vocabulary):
        keys = [k for k in name_keys(name) if k]
        if keys and not any(named_in(key, t) or initials_in(key, t) for key in keys
                            for e in cited for t in e.names):  # "DSO" of "days sales outstanding"
            yield Problem(kind="entity", claim=name,
                          reason=f"{name} is not named in cited {_refs(cited, 'about')}")


__all__ = [
    "ABBREVIATIONS", "ABSTAIN", "CAPITALISED_MONTHS", "CITATION", "CLAUSE_END", "CODE",
    "CURRENCY_CODE",
    "DATE_PATTERNS", "DAY", "DISTINCT_SUFFIXES", "GERMAN_MONTHS", "INITIALISM", "JOINERS",
    "KNOWLEDGE", "LIST_MARKER", "MARKUP", "MASK", "MAX_RANGE", "MONTH", "NAME_TOKEN", "NEVER_END",
    "NUMBER", "POSSESSIVE", "SENTENCE_END", "STARTERS", "SUFFIXES", "YEAR", "Amount",
    "DateClaim", "DayParts", "Evidence", "Scan", "Word", "abstaining_clauses", "citation_numbers",
    "citations", "evidence", "iso_day", "load_pack", "named_in", "names", "read_answer", "scan",
    "split_sentences", "verify"
]
