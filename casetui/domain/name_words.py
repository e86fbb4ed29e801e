"""Names as search and the duplicate check compare them: case-folded and without accents, so
that "Zoë Ñúñez" is "zoe nunez" to whoever types it on a plain keyboard, and "Łukasz" is
"lukasz".

Letters of other scripts are kept as they are (their marks aside). Both sides of every
comparison go through ``fold``: a client's stored words (``name_term``, ``client.search_name``)
and the words typed.
"""

from __future__ import annotations

import re
import unicodedata

from casetui.domain.limits import NAME_MAX

_WORD = re.compile(r"\w+")
# Latin letters NFKD does not take apart into a base letter and an accent (after casefold,
# so their capitals are here too).
_PLAIN_LETTERS = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ð": "d", "ħ": "h", "ı": "i", "ŧ": "t", "þ": "th",
     "ß": "ss", "æ": "ae", "œ": "oe"}
)  # fmt: skip
# ``client.search_name`` holds at most this many characters: a name and a preferred name,
# lengthened a little by folding (ß is ss), and short enough for any index on it.
SEARCH_NAME_MAX = 600


def fold(text: str) -> str:
    """Case-folded, accents and other marks taken off, compatibility forms made plain
    (NFKD): "Ñúñez" -> "nunez", "ＺＯＥ" -> "zoe"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    # casefold again: NFKD can give capitals ("ℌ" is H), and casefold can give marks ("İ").
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    kept = "".join(ch for ch in kept if not unicodedata.combining(ch))
    # NFC puts back what NFKD took apart without a mark: Hangul syllables.
    return unicodedata.normalize("NFC", kept.translate(_PLAIN_LETTERS))


def words(text: str | None) -> list[str]:
    """A name's words as search compares them: folded, in order, each once."""
    return list(dict.fromkeys(w[:NAME_MAX] for w in _WORD.findall(fold(text or ""))))


def search_name(name: str | None, preferred_name: str | None) -> str:
    """What ``client.search_name`` holds: the words of both names, folded, one space apart."""
    return " ".join(words(f"{name or ''} {preferred_name or ''}"))[:SEARCH_NAME_MAX]
