"""Words of a note as the full-text indexes see them: runs of letters and digits, compared
case-folded and without accents (SQLite's ``unicode61 remove_diacritics 2``).

Shared by the search's look-ups, which test a word still being typed on the notes they read,
and by its snippets, which mark the words that matched.
"""

from __future__ import annotations

import re
import unicodedata

WORD = re.compile(r"[^\W_]+")


def words_of(text: str) -> list[str]:
    """The words of ``text``, case-folded, in order."""
    return [w.casefold() for w in WORD.findall(text)]


def plain(word: str) -> str:
    """Case-folded without accents: "Zoë" and "zoe" are one word to the index."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def matches(token: str, word: str, *, as_start: bool) -> bool:
    """Whether a word of a note is ``word`` (or, ``as_start``, starts with it)."""
    have, wanted = plain(token), plain(word)
    return have.startswith(wanted) if as_start else have == wanted


def has_word_starting(text: str, start: str) -> bool:
    wanted = plain(start)
    if text.isascii() and wanted not in text.lower():
        return False  # the quick answer for most notes read while a word is typed
    return any(plain(token).startswith(wanted) for token in WORD.findall(text))
