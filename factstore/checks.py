"""The checks of a correction's few new fields, without pydantic: a new fact value, a new
definition text, a source id and a quote, held to the same patterns and limits as the input
models' fields (factstore.models) and refused the same way (one line naming the field).

A correction writes one or two fields of a row that is already valid; building an input model
for them would import pydantic and build the model's schema, which together cost more than
the rest of a `facts correct` on a server. tests/test_checks.py holds these checks to the
models' verdicts on the same values.
"""

from __future__ import annotations

import math
import re
from typing import Any

from factstore.errors import InvalidInput
from factstore.text import LARGEST, MAX_TEXT_BYTES, NOT_FINITE, Number

# The patterns and limits the models use too (factstore.models imports them from here: one
# definition); pydantic-core's regular expressions call White_Space what \s matches, spelled out
# here since Python's \s also takes U+001C..U+001F.
TEXT_CHARS = r"^[^\x00]*$"
NONEMPTY_TEXT = r"^[^\x00]*[^\x00\s][^\x00]*$"
ID_CHARS = "[!-~]"
SOURCE_ID = rf"^src:{ID_CHARS}+$"
ID_MAX = 200  # characters of an id (every table's)
# a number as a fact's value may be written in text: digits, a point, an exponent
NUMBER = re.compile(r"-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")
WHITE_SPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_SAYS_SOMETHING = re.compile(f"[^\x00{WHITE_SPACE}]")
_SOURCE_ID = re.compile(SOURCE_ID)
_SURROGATE = re.compile("[\ud800-\udfff]")


def check_text(field: str, value: Any, *, required: bool) -> str:
    """A text field: a string without NUL, at most 64 KiB of UTF-8, and (required) with
    something other than white space in it."""
    if not isinstance(value, str):
        raise InvalidInput(f"{field}: expected text, got {type(value).__name__}")
    if "\x00" in value:
        raise InvalidInput(f"{field}: a NUL character is not allowed in text")
    _check_unicode(field, value)
    if required and _SAYS_SOMETHING.search(value) is None:
        raise InvalidInput(f"{field}: empty; it needs some text")
    _check_size(field, value)
    return value


def check_source_id(field: str, value: Any) -> str:
    """A source id: src: and then printable ASCII (no spaces), at most 200 characters."""
    if not isinstance(value, str):
        raise InvalidInput(f"{field}: expected a source id, got {type(value).__name__}")
    if len(value) > ID_MAX or not _SOURCE_ID.fullmatch(value):
        raise InvalidInput(f"{field}: {value[:80]!r} is not a source id (src: and then "
                           f"printable ASCII without spaces, at most {ID_MAX} characters)")
    return value


def check_fact_value(value: Any) -> str | int | float | bool:
    """A fact's value as the Fact model takes it: text (no NUL, at most 64 KiB), a boolean,
    an int (beyond the largest float but still rounding to one: that float), or a finite
    float (a Number keeps its digits)."""
    if isinstance(value, str):
        return check_text("value", value, required=False)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        if -LARGEST <= value <= LARGEST:
            return value
        try:  # the model's float branch takes an int a float can still hold (rounded)
            return float(value)
        except OverflowError:
            raise InvalidInput(f"value: {NOT_FINITE}") from None
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidInput(f"value: {NOT_FINITE}")
        return value
    raise InvalidInput(f"value: expected text or a number, got {type(value).__name__}")


def value_text(value: str | int | float | bool) -> tuple[str, str]:
    """A fact value as stored text, with the value_type it implies: a number read from a file
    as written, a float built in Python as its shortest repr."""
    if isinstance(value, bool):
        return ("true" if value else "false"), "bool"
    if isinstance(value, int):
        return str(value), "number"
    if isinstance(value, Number):
        return value.text, "number"
    if isinstance(value, float):
        return repr(value), "number"
    return value, "text"


def _check_unicode(field: str, value: str) -> None:
    """Text a store can hold is UTF-8: a lone surrogate (what Python makes of bytes that are not
    UTF-8, e.g. in a command-line argument) is refused, as the models refuse it."""
    odd = _SURROGATE.search(value)
    if odd is not None:
        raise InvalidInput(f"{field}: not valid UTF-8 text (a lone surrogate U+{ord(odd[0]):04X} "
                           f"at character {odd.start() + 1})")


def _check_size(field: str, value: str) -> None:
    # a string of at most 16 Ki characters is at most 64 KiB of UTF-8
    if len(value) > MAX_TEXT_BYTES // 4:
        size = len(value.encode("utf-8"))
        if size > MAX_TEXT_BYTES:
            raise InvalidInput(f"{field}: text is {size} bytes; the limit is 64 KiB")


__all__ = [
    "ID_CHARS", "ID_MAX", "NONEMPTY_TEXT", "NUMBER", "SOURCE_ID", "TEXT_CHARS", "WHITE_SPACE",
    "check_fact_value", "check_source_id", "check_text", "value_text"
]
