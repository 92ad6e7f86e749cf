"""Text rules: how store text is cleaned before it is shown, and the words questions and
answers are read with.

Two cleanings, for two places text goes:

- `clean_for_pack`: store text inside a context pack, where a line break or a bidi control
  could start a line of its own or reorder what a model reads; everything becomes one line.
- `clean_for_terminal`: a value printed on the terminal, where a control character could
  restyle or rewrite the screen; line breaks and tabs are kept, the caller lays them out.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# --- cleaning -------------------------------------------------------------------------------

# Characters that rearrange or break lines when displayed: bidi overrides and isolates,
# line and paragraph separators.
INVISIBLE = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F,
                           0xFEFF, 0xFFFE, 0xFFFF])
SPACES = dict.fromkeys(map(ord, "\n\r\t\v\f\x85\u2028\u2029"), " ")


def clean_for_pack(text: str) -> str:
    """Store text made safe to show in a context pack: line breaks become spaces, control
    characters (C0, C1, DEL), bidi controls and non-characters are removed. Everything else is
    kept as is."""
    text = text.translate(SPACES).translate(INVISIBLE)
    if text.isprintable():
        return text
    return "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cs"))


# C0 controls but tab and newline, DEL, C1 controls.
TERMINAL_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_for_terminal(value: Any) -> str:
    """A value as one printable string for the terminal: control characters removed (tab and
    newline are kept), None as empty."""
    if value is None:
        return ""
    return TERMINAL_CONTROL.sub("", str(value))


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
