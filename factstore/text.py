"""Text rules: how store text is cleaned before it is shown.

- `clean_for_pack`: store text inside a context pack, where a line break or a bidi control
  could start a line of its own or reorder what a model reads; everything becomes one line.
"""

from __future__ import annotations

import unicodedata

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

