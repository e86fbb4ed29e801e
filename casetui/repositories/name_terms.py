"""The words of clients' names, kept once each, for finding a misspelt name.

Every write of a client's name hands its words here (``remember``); a search compares a typed
word with these words (a few thousand even for a large agency) rather than with every client.
A word no longer used by anyone stays: it then finds nobody, which costs nothing. Words are
kept folded (``domain/name_words.words``: "Ñúñez" is kept as "nunez").
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlmodel import Session, col

from casetui.domain.models import NameTerm
from casetui.domain.name_words import words

__all__ = ["remember", "words"]


def remember(session: Session, names: Iterable[str | None]) -> None:
    """Record the words of these names, in the caller's transaction."""
    wanted = {w for name in names for w in words(name)}
    if not wanted:
        return
    known = set(
        session.execute(select(col(NameTerm.term)).where(col(NameTerm.term).in_(wanted))).scalars()
    )
    new = [{"term": t} for t in sorted(wanted - known)]
    if not new:
        return
    # Two people registering a "Nowak" at once must not refuse one of them over a shared word.
    # The dialect's own insert, imported here: SQLite need not load PostgreSQL's dialect.
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        session.execute(postgresql.insert(NameTerm).values(new).on_conflict_do_nothing())
    else:
        from sqlalchemy.dialects import sqlite

        session.execute(sqlite.insert(NameTerm).values(new).on_conflict_do_nothing())
