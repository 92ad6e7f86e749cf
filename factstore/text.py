"""Text rules: how store text is cleaned before it is shown, how a value written in a file
reads as a number, and how questions and answers are read: month names, words that name
nothing, and how a period is written.

Two cleanings, for two places text goes:

- `clean_for_pack`: store text inside a context pack, where a line break or a bidi control
  could start a line of its own or reorder what a model reads, an invisible character could
  hide words, and a fullwidth bracket could pass for a citation; everything becomes one line.
- `clean_for_terminal`: a value printed on the terminal, where a control character could
  restyle or rewrite the screen; line breaks and tabs are kept, the caller lays them out.
"""

from __future__ import annotations

import functools
import math
import re
import sys
import unicodedata
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pydantic is imported by the models that use Number, not by every reader
    from pydantic import GetCoreSchemaHandler
    from pydantic_core import CoreSchema

# The most a text field may hold, in UTF-8 bytes (a number written out, in characters).
MAX_TEXT_BYTES = 64 * 1024

# --- cleaning -------------------------------------------------------------------------------

SPACES = dict.fromkeys(map(ord, "\n\r\t\v\f\x85\u2028\u2029"), " ")

# Characters that show as nothing: Unicode's default-ignorable code points (zero-width spaces
# and joiners, the soft hyphen, word joiner and invisible operators, bidi controls, variation
# selectors, Hangul fillers, tag characters U+E0000..U+E0FFF) and the non-characters. Hidden,
# they make two texts that differ look alike or carry words a reader never sees. Every other
# format character (category Cf) is removed as well, by category.
HIDDEN = [(0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160),
          (0x17B4, 0x17B5), (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E),
          (0x2060, 0x206F), (0x3164, 0x3164), (0xFDD0, 0xFDEF), (0xFE00, 0xFE0F),
          (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
          (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
          *((plane + 0xFFFE, plane + 0xFFFF) for plane in range(0, 0x110000, 0x10000))]
# Characters packs give a meaning ([n] citations, `|` between source fields, `<` `>` of tags
# and comments, `\` and backquotes in markdown, quotes, `&` and braces in xml and json), and
# lookalikes of each: their fullwidth, small and vertical forms (whatever NFKC turns into
# them) and other brackets and bars drawn alike. A lookalike is folded to the character,
# which each format then escapes, so it cannot pass for a citation or a tag.
STRUCTURE = "[]<>|\\`\"'&{}"
LOOKALIKES = {
    "[": "⟦⁅【〔〖〘〚﹝⦋⦍⦏❲", "]": "⟧⁆】〕〗〙〛﹞⦌⦎⦐❳",
    "<": "‹⟨〈\u2329❬❮❰⧼˂ᐸ", ">": "›⟩〉\u232a❭❯❱⧽˃ᐳ",
    "|": "ǀ∣│┃❘￨⏐¦׀", "\\": "∖⧵⧹", "`": "ˋ‵˴",
}
# A citation-like bracket whose digits are not ASCII ([３], [𝟐, ٣]): its digits are folded too.
OTHER_DIGITS = re.compile(r"\[[\d\s,\-–]*\]")


@functools.cache
def _pack_table() -> dict[int, str | None]:
    """What clean_for_pack translates beyond ASCII: hidden characters out, lookalikes folded."""
    table: dict[int, str | None] = {cp: None for low, high in HIDDEN
                                    for cp in range(low, high + 1)}
    for cp in [*range(0xA0, 0x2C00), *range(0x3000, 0x3040), *range(0xFE10, 0xFFF0)]:
        folded = unicodedata.normalize("NFKC", chr(cp))
        if folded in STRUCTURE and len(folded) == 1 and cp not in table:
            table[cp] = folded
    table.update({ord(ch): ascii_ch for ascii_ch, chars in LOOKALIKES.items() for ch in chars})
    return table


def _ascii_digits(match: re.Match[str]) -> str:
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in match[0])


def clean_for_pack(text: str) -> str:
    """Store text made safe to show in a context pack: line breaks become spaces; control
    characters (C0, C1, DEL), format characters (bidi controls, zero-width characters, tag
    characters…), other characters that show as nothing and non-characters are removed;
    lookalikes of the characters packs give a meaning are folded to them. Everything else is
    kept as is."""
    text = text.translate(SPACES)
    if not text.isascii():
        text = text.translate(_pack_table())
        if "[" in text:
            text = OTHER_DIGITS.sub(_ascii_digits, text)
    if text.isprintable():
        return text
    return "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cs", "Cf"))


# C0 controls but tab and newline, DEL, C1 controls.
TERMINAL_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_for_terminal(value: Any) -> str:
    """A value as one printable string for the terminal: control characters removed (tab and
    newline are kept), None as empty."""
    if value is None:
        return ""
    return TERMINAL_CONTROL.sub("", str(value))


# --- numbers as written ---------------------------------------------------------------------

# What reads as a number, in a YAML file and on a command line: YAML 1.2's core schema, except
# that a leading zero (00123, 01.5) keeps a value text, as codes are written. JSON has its own.
DECIMAL_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
BASED_INT = re.compile(r"0o[0-7]+|0x[0-9a-fA-F]+")
FRACTION = re.compile(r"[-+]?(?:\.[0-9]+(?:[eE][-+]?[0-9]+)?|(?:0|[1-9][0-9]*)"
                      r"(?:\.[0-9]*(?:[eE][-+]?[0-9]+)?|[eE][-+]?[0-9]+))")
# Beyond a float's range a number is refused: displays, checks and comparisons read values
# as floats.
LARGEST = int(sys.float_info.max)
NOT_FINITE = "not a finite number (NaN, infinities and numbers beyond ±1.8e308 are refused)"


class Number(float):
    """A number kept as its file wrote it, stored as `text`: 12345678901234567.89 keeps every
    digit and 1.50 its zero (a float keeps about 17 digits and prints its own way). Compares
    and computes as the float nearest to it. Made by `parse_number`, which never makes one
    that is infinite or longer than a text may be."""

    __slots__ = ("text",)
    text: str

    def __new__(cls, text: str) -> Number:
        number = super().__new__(cls, text)
        number.text = text
        return number

    def __repr__(self) -> str:
        return f"Number({self.text!r})"

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler
                                     ) -> CoreSchema:
        from pydantic_core import core_schema

        return core_schema.no_info_after_validator_function(
            _finite, core_schema.is_instance_schema(cls))


def _finite(number: Number) -> Number:
    if not math.isfinite(number):
        raise ValueError(NOT_FINITE)
    return number


def parse_number(text: str) -> int | float | str | None:
    """The number `text` writes (YAML 1.2 core, but for leading zeros), or None: an int for
    15, 0o17 and 0x0F; a Number for what an int would not write back the same (1.50, .5,
    6.02e23, +1, 12345678901234567.89). What must be refused comes back as what every field
    refuses, so that the error names the field: an infinity for a number out of range, the
    text itself for one longer than a text may be."""
    if len(text) > MAX_TEXT_BYTES:
        return text
    if BASED_INT.fullmatch(text):
        return int(text, 0)
    whole = DECIMAL_INT.fullmatch(text) is not None
    if whole and len(text) < 300 and str(int(text)) == text:
        return int(text)
    if not (whole or FRACTION.fullmatch(text)):
        return None
    number = Number(text)
    return number if math.isfinite(number) else float(number)


def plain_number(text: str, decimal: str = ".", *, numeric: bool = False) -> str:
    """A number as people and spreadsheets write it, in plain digits: with "." as the decimal
    mark, '1,234,567.50' -> '1234567.50' (groups of three only: '1,5' stays); with "," (a CSV
    separated by ';'), '1.234.567,50' -> '1234567.50' and '0,94' -> '0.94'. When the value is
    known to be a number (numeric: its type says so), digits grouped by spaces (plain, no-break
    or thin) or apostrophes, as much of Europe writes them, are read too, with either decimal
    mark: '185 000' -> '185000', '185 000,50' and "1'234.50" alike; a value of no known type
    is not (a phone number '22 555 0100' stays text); nor is German's way where no other reading
    is possible ('1.234.567,89', '1.234,50': german_number). Anything else is returned as it
    is."""
    if numeric and (m := _SPACED.fullmatch(text)):
        return m[1] + m[2] + m[4].replace(m[3], "") + (f".{m[5]}" if m[5] else "")
    if numeric and decimal == "." and (german := german_number(text)):
        return german
    group = "." if decimal == "," else ","
    m = re.fullmatch(rf"([-+]?)(\d{{1,3}}(?:{re.escape(group)}\d{{3}})+|\d+)"
                     rf"(?:{re.escape(decimal)}(\d+))?", text)
    if m is None or (group not in m[2] and (decimal == "." or m[3] is None)):
        return text
    return m[1] + m[2].replace(group, "") + (f".{m[3]}" if m[3] is not None else "")


def german_number(text: str) -> str | None:
    """A number as German writes it, in plain digits, when it can be read no other way:
    thousands grouped by two or more dots ('1.234.567' -> '1234567', '1.234.567,89'), or one
    dot group before a decimal comma ('1.234,50' -> '1234.50'); else None. One dot group alone
    ('185.000') reads as English does, a decimal point; a comma alone ('1,30') is left to the
    caller (a write refuses it rather than guess)."""
    m = _GERMAN.fullmatch(text)
    if m is None:
        return None
    whole, _, fraction = m[2].partition(",")
    return m[1] + whole.replace(".", "") + (f".{fraction}" if fraction else "")


def dot_group(text: str) -> str | None:
    """The other reading of a number written with one dot before three digits ('1.790',
    '12.500'): read as a decimal point, as plain_number does, it is 1.79; as much of Europe
    writes, a thousands group: '1790'. None for any other text (and for '0.125': nobody
    groups a leading zero)."""
    m = _DOT_GROUP.fullmatch(text)
    return m[1] + m[2] + m[3] if m else None


_DOT_GROUP = re.compile(r"([-+]?)([1-9]\d{0,2})\.(\d{3})")
_GERMAN = re.compile(r"([-+]?)(\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?|\d{1,3}\.\d{3},\d+)")


# Digits in groups of three parted by one kind of space or apostrophe, then a decimal part
# after "." or ",": sign, first group, separator, the other groups, decimals.
_SPACED = re.compile(r"([-+]?)(\d{1,3})([ \u00a0\u202f\u2009'\u2019])(\d{3}(?:\3\d{3})*)"
                     r"(?:[.,](\d+))?")


# --- months ---------------------------------------------------------------------------------

# Each month's names, its full name first, then the abbreviations in use ("Sept" as well as
# "Sep"). Every month has exactly one three-letter name, and every name starts with it.
_MONTHS = ["january jan", "february feb", "march mar", "april apr", "may", "june jun",
           "july jul", "august aug", "september sept sep", "october oct", "november nov",
           "december dec"]
# Lower case name -> month number: "january" and "jan" -> 1, "sept" and "sep" -> 9.
MONTH_NAMES: dict[str, int] = {name: number for number, names in enumerate(_MONTHS, start=1)
                               for name in names.split()}
# Abbreviations only: "jan" … "sept", not "may", which is the month's full name.
MONTH_ABBREVIATIONS = frozenset(name for names in _MONTHS for name in names.split()[1:])


# --- words that name nothing ----------------------------------------------------------------

# Words that open or join a question ("What", "Tell", "Compare", "In"): often capitalised,
# never part of a name, and never what the question is about.
QUESTION_WORDS = frozenset(
    "what when where which who whom whose why how is are was were do does did can could "
    "should would will has have had tell give list show compare our my we i in on at for "
    "from by to if per and or".split())
# Words of a question too common to say what it is about: long enough to count as content,
# but a rule that shares only these with a question is not relevant to it.
GENERIC_QUESTION_WORDS = frozenset(
    "about customer customers account accounts value current latest much many does have after "
    "before their there this that with what which when".split())
# Words an answer may capitalise without naming anything: sentence openers, months, business
# vocabulary ("Net Revenue Retention"), currency codes. The answer checker trims them from the
# edges of a name before asking the cited items to mention it; months come from MONTH_NAMES.
# Metric abbreviations (ARR, ACV) are not here on purpose: they must appear in a cited item.
ANSWER_NON_NAMES = frozenset([*"""
    a an the this that these those it its they their them we our us you your he she his her i
    in on at as by for from with without to of and or but nor so yet if when while whereas
    although though because since until after before during per via under over above below
    between among across about according based both each every all any some no not none only
    also however therefore thus hence then there here overall note meanwhile additionally
    moreover furthermore instead unlike like compared relative versus what which who whose
    where why how yes than other another same such most more less least many much few several
    either neither just still even already currently today now yesterday tomorrow approximately
    roughly nearly almost around up down out off own via meaning see answer summary important
    together altogether separately combined similarly likewise otherwise finally later earlier
    previously given assuming despite regarding against thereafter whereas short brief quick
    final bottom line tldr
    caveat caveats source sources cited citation citations item items pack context knowledge
    total net gross new annual annualised annualized recurring revenue revenues retention rate
    rates value values contract contracts customer customers account accounts seat seats score
    scores renewal renewals renewed date dates term terms payment payments discount discounts
    approval approvals price pricing list period periods quarter quarters quarterly year years
    yearly month months monthly week weeks day days fiscal end start current previous next last
    first second third fourth rule rules policy policies exception exceptions definition
    definitions fact facts finance financial sales team teams segment segments region regions
    metric metrics target targets plan plans quota quotas pipeline coverage bookings churn
    churned expansion margin margins headcount growth deferred recognised recognized
    subscription subscriptions fee fees invoice invoices invoiced services service product
    products data user users active logo logos number numbers amount amounts share status key
    figure figures success operations general standard notice approved public sector
    effective trailing twelve signed booked closed won lost open high low red amber green
    monday tuesday wednesday thursday friday saturday sunday
    usd eur gbp chf jpy aud cad nok sek dkk inr zar rs rupees crore crores cr lakh lakhs lac
    lacs us uk eu ceo cfo cto coo vp svp evp fy ytd qtd ttm
    yoy qoq kpi kpis sla ai llm fte s&m r&d g&a p&l
    one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty
    hundred thousand million billion half dozen none neither
    der die das des dem den ein eine einer eines einem einen im am vom zum zur beim von mit
    und oder bei für fuer nach laut gemäß gemaess rund etwa ca circa knapp gut über ueber
    unter insgesamt gesamt lag lagen liegt betrug betragen beträgt war waren ist sind wird
    es er sie dies diese dieser dieses damit somit jedoch aber auch hinweis quelle quellen
    umsatz umsätze umsatzerlöse auftragseingang deckungsbeitrag db marge kunde kunden
    quartal quartals quartale geschäftsjahr geschäftsjahres gj vorjahr vorjahres jahr jahres
    monat prozent tsd tausend mio millionen mrd milliarden euro franken plus minus
    januar jänner februar feber märz mai juni juli oktober okt dezember dez
    """.split(), *MONTH_NAMES])


# --- periods as written -------------------------------------------------------------------

# The three letters each month's names start with, January first: a question's word that
# starts with one ("Sept", "September") is read as that month.
MONTH_PREFIXES = tuple(dict.fromkeys(name[:3] for name in MONTH_NAMES))
# An ordinal word and its number: "the first half", "the 3rd quarter"
ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4,
            "4th": 4}
_ORDINAL = "|".join(ORDINALS)
_FY = "(?:FY|GJ)"  # GJ: Geschäftsjahr, the German for fiscal year ("Q2 GJ26")
# "the quarter ending December 2026", "the fiscal year ended 31 March 2027", "the half-year
# to September 2026": a period named by the month it ends in (unit, month, year)
ENDING = re.compile(
    r"(?i:\b(?P<unit>quarter|half[\s-]?year|half|(?:fiscal\s+)?year)[\s-]+"
    r"(?:end(?:ed|ing|s)?|to)\s+(?:on\s+)?(?:\d{1,2}(?:st|nd|rd|th)?\s+)?"
    r"(?P<month>" + "|".join(MONTH_PREFIXES) + r")[a-z]*\.?"
    r"\s+(?:\d{1,2}(?:st|nd|rd|th)?,?\s+)?(?P<year>\d{4}))\b")
# How a question names a period, most specific first, each with the kind of label it makes
# ("fy-part": FY26 Q3, "relative": last quarter …). A question's words are matched once: a
# later pattern does not read what an earlier one took. context.question_periods turns the
# matches into period labels.
QUESTION_PERIODS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"\b{_FY}\s?'?(\d{{2}}|\d{{4}})[\s-]?(Q[1-4]|H[12])\b", re.I), "fy-part"),
    (re.compile(rf"\b(Q[1-4]|H[12])[\s-](?:of\s)?{_FY}\s?'?(\d{{2}}|\d{{4}})\b", re.I),
     "part-fy"),
    (re.compile(r"\b(Q[1-4]|H[12])\s?'(\d{2})\b", re.I), "part-fy"),
    (re.compile(r"\b(\d{4})-(Q[1-4]|H[12])\b", re.I), "year-part"),
    (re.compile(r"\b(Q[1-4]|H[12])[\s-](\d{4})\b", re.I), "part-year"),
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), "day"),
    # "the quarter ending Sept 2026", "year ended 30 June 2026": the fiscal period that ends
    # in that month
    (ENDING, "ending"),
    # "the first half of FY27", "the third quarter of fiscal 2027", "the second quarter of 2026"
    (re.compile(r"\b(" + _ORDINAL + r")\s+(quarter|half)\s+of\s+"
                r"(?:the\s+)?(?:fiscal\s+(?:year\s+)?|FY\s?'?)(\d{2}|\d{4})\b", re.I),
     "ordinal-fy"),
    (re.compile(r"\b(" + _ORDINAL + r")\s+(quarter|half)\s+of\s+"
                r"(?:the\s+)?(?:calendar\s+(?:year\s+)?)?((?:19|20)\d{2})\b", re.I),
     "ordinal-year"),
    (re.compile(r"\b(" + _ORDINAL + r")\s+(quarter|half)\b"
                r"(?!\s+of\b)", re.I), "ordinal"),
    # "year to date", "YTD", "quarter-to-date": the fiscal year (quarter) valid-at is in
    (re.compile(r"\b(?:fiscal\s+)?(year|quarter)[\s-]to[\s-]date\b|\bF?(Y|Q)TD\b", re.I),
     "to-date"),
    (re.compile(r"\b(" + "|".join(MONTH_PREFIXES) + r")[a-z]*\.?\s+(\d{4})\b", re.I), "month"),
    (re.compile(rf"\b{_FY}\s?'?(\d{{2}}|\d{{4}})\b", re.I), "fy"),
    (re.compile(r"\b(?:in|during|year)\s+((?:19|20)\d{2})\b(?!\s+[a-z])", re.I), "year"),
    (re.compile(r"\b(last|previous|prior|this|current)\s+(fiscal\s+)?(quarter|year)\b", re.I),
     "relative"),
    (re.compile(r"\b(Q[1-4]|H[12])\b", re.I), "part"),
]
# A period an answer names (FY26-Q3, Q3 FY26, H1, 2025-Q3, 2025-10): masked before amounts are
# read, so that its digits are never taken for a number the cited items must state.
ANSWER_PERIOD = re.compile(
    r"""(?<![\w-])(?:
      (?:FY|GJ)\s?'?(?:\d{4}|\d{2})(?:\s?[-/]?\s?(?:Q[1-4]|H[12]))?
    | (?:Q[1-4]|H[12])(?:\s?[-/]?\s?(?:(?:FY|GJ)\s?'?(?:\d{4}|\d{2})|\d{4}))?
    | \d{4}\s?-\s?(?:Q[1-4]|H[12])
    | \d{4}-(?:0[1-9]|1[0-2])
    )(?![\w-])""",
    re.X,
)


# Currencies and scales an amount is written with (factstore.verify reads answers with them).
CURRENCIES = {"$": "USD", "us$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "dollars": "USD",
              "euro": "EUR", "euros": "EUR", "r$": "BRL", "₹": "INR", "zł": "PLN", "rs": "INR",
              "rs.": "INR", "rupees": "INR", "franken": "CHF"}
CODES = ("USD|EUR|GBP|CHF|JPY|AUD|CAD|NOK|SEK|DKK|ISK|PLN|CZK|HUF|RON|BGN|TRY|ILS|AED|SAR|INR|"
         "CNY|HKD|SGD|KRW|TWD|THB|IDR|MYR|PHP|NZD|ZAR|BRL|MXN|ARS|CLP|COP|PEN")
SCALES = {"k": 3, "thousand": 3, "m": 6, "mn": 6, "mm": 6, "million": 6, "b": 9, "bn": 9,
          "billion": 9, "lakh": 5, "lakhs": 5, "lac": 5, "lacs": 5, "crore": 7, "crores": 7,
          "cr": 7,  # Indian English: lakhs, crores ("Rs 106 crore", "₹4.5 Cr", "4.32 lakh")
          "tsd": 3, "tausend": 3, "mio": 6, "millionen": 6, "mrd": 9, "milliarden": 9}  # German


__all__ = [
    "ANSWER_NON_NAMES", "ANSWER_PERIOD", "BASED_INT", "CODES", "CURRENCIES", "DECIMAL_INT",
    "ENDING", "FRACTION",
    "GENERIC_QUESTION_WORDS", "HIDDEN", "LARGEST", "LOOKALIKES", "MAX_TEXT_BYTES",
    "MONTH_ABBREVIATIONS", "MONTH_NAMES", "MONTH_PREFIXES", "NOT_FINITE", "ORDINALS",
    "OTHER_DIGITS", "QUESTION_PERIODS", "QUESTION_WORDS", "SCALES", "SPACES", "STRUCTURE",
    "TERMINAL_CONTROL", "Number",
    "clean_for_pack", "clean_for_terminal", "dot_group", "german_number", "parse_number",
    "plain_number"
]
