"""What the global search box was given, read once: name words, a date of birth, an email, a
phone number, a case number, note words; and the snippets that show where a result matched,
with ``[`` and ``]`` around each matching word.

Snippets are plain text: the screens and the command line show them literally.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from casetui.domain.limits import CASE_NUMBER_MAX, SEARCH_MAX
from casetui.domain.name_words import fold
from casetui.domain.note_words import WORD, matches, words_of
from casetui.domain.storable import storable
from casetui.repositories import name_terms

WORDS_MAX = 6  # words of a name or a note searched for; more narrow nothing worth the cost
# The last word of a note search is taken as the start of a word once it is this long; a
# shorter start ("a", "ph") stands for too many words to gather (every note holding one).
PREFIX_MIN = 3
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
# A date in numbers (7/3/1984, 07.03.84, 1984/03/07), read in the organisation's order like
# every date typed; with dashes only the ISO form, as "07-03-84" may start a phone number.
_IN_NUMBERS = re.compile(r"\d{1,2}([/.])\d{1,2}\1(\d{2}|\d{4})|\d{4}([/.])\d{1,2}\3\d{1,2}")
_PHONE = re.compile(r"\+?[\d\s().-]+")
SNIPPET_WORDS = 14  # words of a note's text around its first match
ELLIPSIS = "…"


@dataclass(frozen=True)
class Typed:
    """The search text, cut to SEARCH_MAX and read for each kind of record."""

    text: str
    name_words: tuple[str, ...]  # folded (name_words.fold); none with digits or an @
    note_words: tuple[str, ...]  # case-folded
    born: date | None = None
    email: str | None = None  # lower case, a prefix
    phone: str | None = None  # digits, a prefix
    numbers: tuple[str, ...] = ()  # case number prefixes: as typed, upper and lower case

    @property
    def last_is_prefix(self) -> bool:
        """The last note word is still being typed: it matches the words it starts."""
        return bool(self.note_words) and len(self.note_words[-1]) >= PREFIX_MIN

    @property
    def long_words(self) -> tuple[str, ...]:
        return tuple(w for w in self.name_words if len(w) >= 3)

    @property
    def short_words(self) -> tuple[str, ...]:
        return tuple(w for w in self.name_words if len(w) < 3)


def read_search_text(raw: str, *, in_numbers: Callable[[str], date | None]) -> Typed | None:
    """The typed text as each look-up wants it; None when there is nothing to look for.
    ``in_numbers`` reads a date typed in numbers the organisation's way (None when it is no
    date); it is asked only when the text is one."""
    kept = "".join(ch for ch in raw[: SEARCH_MAX * 2] if storable(ch))
    text = " ".join(kept.split())[:SEARCH_MAX].strip()
    if not text:
        return None
    born = _date_of_birth(text, in_numbers)
    email = text.lower() if "@" in text and " " not in text else None
    digits = "".join(ch for ch in text if ch.isdigit())
    phone = digits if born is None and len(digits) >= 3 and _PHONE.fullmatch(text) else None
    plain = born is None and email is None and phone is None
    # Names hold no digits: "C-2026-0042" looks for a case, not for clients named "C".
    is_name = plain and not digits and any(ch.isalpha() for ch in text)
    name_words = tuple(name_terms.words(text)[:WORDS_MAX]) if is_name else ()
    note_words = () if email else tuple(dict.fromkeys(words_of(text)))[:WORDS_MAX]
    numbers: tuple[str, ...] = ()
    if " " not in text and len(text) <= CASE_NUMBER_MAX:
        numbers = tuple(dict.fromkeys((text.upper(), text, text.lower())))
    return Typed(text, name_words, note_words, born, email, phone, numbers)


def _date_of_birth(text: str, in_numbers: Callable[[str], date | None]) -> date | None:
    """An ISO date (1990-03-04) or one in numbers (04/03/1990) in the organisation's order,
    as the whole text; None for anything else, or no such day (31/02/1990)."""
    iso = _ISO_DATE.fullmatch(text)
    if iso:
        try:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        except ValueError:
            return None
    return in_numbers(text) if _IN_NUMBERS.fullmatch(text) else None


# --- snippets ------------------------------------------------------------------------------


def mark_name(name: str, pieces: tuple[str, ...], starts: tuple[str, ...]) -> str:
    """The name with each word that holds one of ``pieces``, or starts with one of ``starts``,
    in brackets."""

    def marked(match: re.Match[str]) -> str:
        word = fold(match[0])
        hit = any(p in word for p in pieces) or any(word.startswith(s) for s in starts)
        return f"[{match[0]}]" if hit else match[0]

    return re.sub(r"\w+", marked, name)


def _note_word_matches(token: str, words: tuple[str, ...], last_is_prefix: bool) -> bool:
    last = len(words) - 1
    return any(
        matches(token, word, as_start=last_is_prefix and i == last) for i, word in enumerate(words)
    )


def holds_every_word(text: str, words: tuple[str, ...], last_is_prefix: bool) -> bool:
    tokens = WORD.findall(text)
    return all(
        any(_note_word_matches(t, (w,), last_is_prefix and i == len(words) - 1) for t in tokens)
        for i, w in enumerate(words)
    )


def mark_text(
    text: str, words: tuple[str, ...], last_is_prefix: bool, *, around: int = SNIPPET_WORDS
) -> str | None:
    """A short excerpt of ``text`` around its first matching word, each match in brackets;
    None when no word matches."""
    tokens = list(re.finditer(r"\S+", text))
    hits = [
        i
        for i, token in enumerate(tokens)
        if any(_note_word_matches(w, words, last_is_prefix) for w in WORD.findall(token[0]))
    ]
    if not hits:
        return None
    start = max(0, hits[0] - around // 3)
    end = min(len(tokens), start + around)
    shown = []
    for i in range(start, end):
        token = tokens[i][0]
        if i in hits:
            token = WORD.sub(
                lambda m: f"[{m[0]}]" if _note_word_matches(m[0], words, last_is_prefix) else m[0],
                token,
            )
        shown.append(token)
    excerpt = " ".join(shown)
    return (
        (ELLIPSIS + " " if start else "") + excerpt + (" " + ELLIPSIS if end < len(tokens) else "")
    )
