"""Names that look like a typed word: "Jonhson" for Johnson, "Kowalsky" for Kowalski.

The words of every client's name are kept once each in ``name_term`` (``name_terms.remember``).
A typed word is compared with a few of them, never with every client: candidates come from an
index (SQLite: the FTS5 trigram table ``name_term_search``; PostgreSQL: pg_trgm's ``%`` on
``ix_name_term_trgm``, or without pg_trgm only the words starting the same way), and the
likeness itself is decided here in Python, the same way on both databases (``alike``).
The kept words and the typed ones are folded alike (``domain/name_words``): "nunex" is a slip
for "Ñúñez" as much as for "Nunez".
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import Select, func, literal_column, select, text
from sqlmodel import Session, col

from casetui.domain.models import NameTerm

# Likeness: trigram similarity as pg_trgm computes it, or a small edit distance (a slip of
# the finger, two letters swapped), whichever says "alike".
TRIGRAM_ALIKE = 0.45
SHORTEST_FUZZY = 3  # shorter words are only completed, never guessed at
CANDIDATES = 200  # words compared in Python per typed word, at most
SIMILAR_KEPT = 12  # alike words searched for per typed word, closest first
# Which databases have pg_trgm, asked once per database.
_TRIGRAMS: dict[str, bool] = {}


def trigrams(word: str) -> set[str]:
    """pg_trgm's trigrams of one word: two spaces before it and one after."""
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def trigram_similarity(a: str, b: str) -> float:
    ta, tb = trigrams(a), trigrams(b)
    return len(ta & tb) / len(ta | tb)


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, changes, neighbours swapped."""
    if abs(len(a) - len(b)) > 2:
        return 3  # further than any distance this module accepts
    before: list[int] = []
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], before[j - 2] + 1)
        before, row = row, current
    return row[-1]


def allowed_edits(word: str) -> int:
    return 0 if len(word) < 4 else 1 if len(word) < 7 else 2


def letters_apart(a: str, b: str) -> int:
    """How many letters one word has that the other lacks, counted both ways. An edit changes
    it by two at most, so words more than twice ``k`` letters apart are more than ``k`` edits
    apart: the cheap answer before the edit distance's slow one."""
    shared = sum(min(a.count(letter), b.count(letter)) for letter in set(a) & set(b))
    return len(a) + len(b) - 2 * shared


@lru_cache(maxsize=1 << 16)  # an import compares the same few thousand words again and again
def likeness(typed: str, word: str) -> float:
    """How alike two folded words are, 0 (not alike) to 1 (the same)."""
    if typed == word:
        return 1.0
    similarity = trigram_similarity(typed, word)
    if similarity >= TRIGRAM_ALIKE:
        return similarity
    allowed = allowed_edits(typed)  # 0: only the same word, settled above
    if (
        abs(len(typed) - len(word)) <= allowed  # each edit changes the length by one at most
        and letters_apart(typed, word) <= 2 * allowed
        and edit_distance(typed, word) <= allowed
    ):
        return max(similarity, TRIGRAM_ALIKE)
    return 0.0


def alike(typed: str, word: str) -> bool:
    return len(typed) >= SHORTEST_FUZZY and likeness(typed, word) > 0


def similar_words(session: Session, typed: str) -> list[str]:
    """Words of clients' names alike to ``typed`` (folded), closest first, without ``typed``
    itself."""
    if len(typed) < SHORTEST_FUZZY:
        return []
    found = set(_starting_alike(session, typed))
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        found.update(_sharing_trigrams_sqlite(session, typed))
    elif _has_pg_trgm(session):
        found.update(_sharing_trigrams_postgres(session, typed))
    scored = sorted(
        ((likeness(typed, w), w) for w in found if w != typed and alike(typed, w)),
        key=lambda pair: (-pair[0], pair[1]),
    )
    return [w for _score, w in scored[:SIMILAR_KEPT]]


def _lengths(typed: str) -> tuple[int, int]:
    spread = 2 if len(typed) < 7 else 3
    return len(typed) - spread, len(typed) + spread


def _starting_alike(session: Session, typed: str) -> list[str]:
    """Words starting with the typed word's first two letters and of about its length: the
    misspellings trigrams miss, where a short word shares no inner trigram ("Jonhson")."""
    start = typed[:2]
    shortest, longest = _lengths(typed)
    term = col(NameTerm.term)
    query = (
        select(term)
        .where(term >= start, term < start + "\U0010ffff")
        .where(func.length(term).between(shortest, longest))
        .limit(CANDIDATES)
    )
    return list(session.execute(query).scalars())


def _fts_trigrams(typed: str) -> str:
    """An FTS5 query for words sharing any trigram with ``typed``; each one quoted."""
    grams = dict.fromkeys(typed[i : i + 3] for i in range(len(typed) - 2))
    return " OR ".join('"' + g.replace('"', '""') + '"' for g in grams)


def _sharing_trigrams_sqlite(session: Session, typed: str) -> list[str]:
    """The words sharing most trigrams with ``typed``, best first, through the FTS5 index."""
    shortest, longest = _lengths(typed)
    matching: Select[Any] = (
        select(literal_column("rowid"))
        .select_from(text("name_term_search"))
        .where(text("name_term_search MATCH :grams").bindparams(grams=_fts_trigrams(typed)))
        .order_by(text("rank"))
        .limit(CANDIDATES)
    )
    term = col(NameTerm.term)
    query = select(term).where(
        col(NameTerm.id).in_(matching), func.length(term).between(shortest, longest)
    )
    return list(session.execute(query).scalars())


def _sharing_trigrams_postgres(session: Session, typed: str) -> list[str]:
    """pg_trgm's similar words (``%``, through ``ix_name_term_trgm``), closest first."""
    term = col(NameTerm.term)
    query = (
        select(term).where(term.op("%")(typed)).order_by(term.op("<->")(typed)).limit(CANDIDATES)
    )
    return list(session.execute(query).scalars())


def _has_pg_trgm(session: Session) -> bool:
    """Whether this PostgreSQL database has pg_trgm (and so the trigram indexes of 0002/0005)."""
    database = session.get_bind().engine.url.render_as_string()
    if database not in _TRIGRAMS:
        found = session.execute(
            text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        ).first()
        _TRIGRAMS[database] = found is not None
    return _TRIGRAMS[database]


def has_trigram_indexes(session: Session) -> bool:
    """PostgreSQL with pg_trgm: name look-ups may use ``LIKE '%...%'`` through GIN indexes."""
    return session.get_bind().dialect.name == "postgresql" and _has_pg_trgm(session)
