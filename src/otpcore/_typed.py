"""Reading a code as a person typed it.

The grammar, in one place so that every verifier applies the same one:

- spaces anywhere are dropped (apps display "123 456", phones insert
  no-break and narrow spaces, a Japanese IME types the ideographic space);
- a hyphen is dropped only between two digits ("123-456"), so a sign
  ("-123456") is still refused;
- what is left must be exactly ``digits`` characters, each a decimal digit
  of some script (Unicode category Nd), read as its value, so 123456
  typed in Arabic-Indic digits (U+0660 to U+0669), Persian digits (U+06F0
  to U+06F9) or full-width digits from a Japanese IME (U+FF10 to U+FF19)
  all mean 123456. Superscripts, fractions, circled and other numeric
  characters that are not decimal digits are refused.

Anything else reads as no code at all: the caller answers "no match", never
an exception, because this is user input.
"""

from __future__ import annotations

import unicodedata
from typing import Final

__all__ = ["read_code"]

_SPACES: Final = " \u00a0\u2007\u202f\u3000"
_HYPHENS: Final = "-\u2010\u2011\uff0d"
_DROP_SPACES: Final = str.maketrans("", "", _SPACES)
_UNIFY_HYPHENS: Final = str.maketrans(dict.fromkeys(_HYPHENS, "-"))
# Longer input cannot be a code with separators; refusing it early bounds the
# work an attacker can make a verifier do.
_MAX_TYPED_LENGTH: Final = 64
_ASCII_ZERO: Final = 0x30


def read_code(typed: object, digits: int) -> str | None:
    """Return ``typed`` as ``digits`` ASCII digits, or None if it is not one.

    Args:
        typed: What the user submitted; any object.
        digits: The code length the generator produces.

    Returns:
        The code in ASCII digits, or None when ``typed`` does not follow the
        grammar in this module's docstring.
    """
    if not isinstance(typed, str):
        return None
    if len(typed) == digits and typed.isascii() and typed.isdigit():
        return typed
    if len(typed) > _MAX_TYPED_LENGTH:
        return None
    groups = typed.translate(_DROP_SPACES).translate(_UNIFY_HYPHENS)
    parts = groups.split("-")
    if "" in parts:
        return None
    code = "".join(parts)
    if len(code) != digits or not code.isdecimal():
        return None
    return "".join(chr(_ASCII_ZERO + unicodedata.decimal(c)) for c in code)
