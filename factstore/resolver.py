"""Resolving names to entities. For now: normalisation, the key aliases are stored under.

Normalised forms are what exact alias hits compare; the fuzzy index (rapidfuzz on a shortlist)
and graph context (networkx) build on them.
"""

from __future__ import annotations

import re
import unicodedata

# Legal-form suffixes dropped when they end a name ("ACME Inc." == "Acme").
LEGAL_SUFFIXES = frozenset(
    "inc incorporated corp corporation co company ltd limited llc llp lp plc gmbh ag sa sas "
    "sarl srl spa nv bv oy ab as kg kgaa pty pte bhd".split()
)


def normalize(name: str) -> str:
    """Case, accents, punctuation, '&', whitespace and trailing legal suffixes folded away."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("&", " and ")
    # "S.A." and "N.V." are suffixes written with dots: join single letters first.
    text = re.sub(r"\b(\w)\.(?=\w\.)", r"\1", text)
    text = re.sub(r"[^\w]+", " ", text).strip()
    words = text.split()
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words)
