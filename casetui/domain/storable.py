"""Which strings a database can hold: PostgreSQL refuses NUL in text, and neither database
takes a lone surrogate (what Python makes of bytes that were not UTF-8, in a file name or
an argument). Writes refuse such text by field; look-ups treat it as matching nothing.
"""

from __future__ import annotations

import re

_SURROGATE = re.compile("[\ud800-\udfff]")


def unstorable(value: str) -> str | None:
    """Why ``value`` cannot be stored, or None when it can."""
    if "\x00" in value:
        return "contains a NUL character"
    if _SURROGATE.search(value):
        return "contains a character that is not valid text (a lone surrogate)"
    return None


def storable(value: str) -> bool:
    return unstorable(value) is None


def printable(value: str) -> str:
    """``value`` safe to store and show: NUL, controls and surrogates written as escapes."""
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in value)


# The id columns are 32-bit integers on PostgreSQL; a larger number names no row there.
ID_MIN, ID_MAX = -(2**31), 2**31 - 1


def storable_id(value: int) -> bool:
    """Whether ``value`` can be compared with an id column without the database refusing it."""
    return ID_MIN <= value <= ID_MAX
