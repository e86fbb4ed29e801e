"""The global search's look-ups: clients, cases and notes, each through an index, scoped to the
acting staff member (clients by ``client_scope.visible_clients``, cases and notes by
``scope.visible_cases``), deleted records left out, newest first, at most ``limit`` each.

Clients are found by ``client.search_name``, their names' words folded (``domain/name_words``):
the words looked for come folded too, so "nunez" finds "Ñúñez". Full text differs by database
(SQLite: FTS5 tables of migrations 0005 and 0007; PostgreSQL: pg_trgm and a GIN ``tsvector``
index); each look-up says which path it takes, and ``tests/test_query_plans.py`` checks none
reads a whole table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    and_,
    bindparam,
    column,
    exists,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
    union,
)
from sqlmodel import Session, col

from casetui.domain.actor import Actor
from casetui.domain.models import Case, CaseNote, Client, FormerCaseNumber
from casetui.domain.note_words import has_word_starting
from casetui.repositories import similar_names
from casetui.repositories.client_scope import case_in_sight, visible_clients
from casetui.repositories.scope import visible_cases

# Past this many visible cases a search walks an index of everyone's records (the newest
# notes holding the words, case numbers in order) and keeps the visible ones. Up to it, it
# starts from the actor's cases and tests each: a caseworker's few hundred notes among
# millions that hold a common word, their twenty cases among a million numbered "C-2026-".
FEW_CASES = 400
# A word still being typed: notes read and tested a batch at a time, up to WALK_MAX, before
# the full-text index is asked to gather every note holding a word it starts (see _typing).
WALK_BATCH = 100
# PostgreSQL: a note word held by fewer notes than this is read through the GIN index alone.
PG_FEW_NOTES = 2_000
WALK_MAX = 600
SCOPED_READS = 10  # everyone's notes read per note of theirs, in a batch, for part of the agency
TOP = "\U0010ffff"  # after every character: ``x <= s < x + TOP`` is "s starts with x"

_NAME_SEARCH = table("client_name_search", column("rowid"))
_NOTE_SEARCH = table("note_search", column("rowid"))

Rows = Select[*tuple[Any, ...]]  # a select of several columns


@dataclass(frozen=True)
class ClientFound:
    id: int
    name: str
    preferred_name: str | None
    date_of_birth: date | None
    email: str | None
    phone: str | None


@dataclass(frozen=True)
class CaseFound:
    id: int
    case_number: str
    matched: str  # the number that matched: the current one or a former one
    client_id: int
    client_name: str
    status: str


@dataclass(frozen=True)
class NoteFound:
    id: int
    case_id: int
    case_number: str
    client_id: int
    summary: str
    details: str
    restricted: bool
    contact_at: datetime


def _starting(column_: Any, prefix: str) -> ColumnElement[bool]:
    """``column`` starts with ``prefix``, as a range its index can read."""
    return and_(column_ >= prefix, column_ < prefix + TOP)


def _fts_phrase(text: str) -> str:
    """One FTS5 string: typed text never reaches FTS5's own syntax."""
    return '"' + text.replace('"', '""') + '"'


def _word_start(word: str) -> ColumnElement[bool]:
    """A word of the name or preferred name starts with ``word`` (checked on found rows)."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return (" " + col(Client.search_name)).like(f"% {escaped}%", escape="\\")


def _pg_name_holds(words: Sequence[str]) -> ColumnElement[bool]:
    """PostgreSQL: the name or preferred name holds one of ``words`` (tested on a row)."""
    return or_(*(col(Client.search_name).like(_like_anywhere(w), escape="\\") for w in words))


def _pg_names_holding(words: Sequence[str]) -> CompoundSelect[Any]:
    """PostgreSQL: ids of clients whose name or preferred name holds one of ``words``, one
    look-up of the trigram index (0007's) per word, so each is gathered through it."""
    return union(
        *(
            select(col(Client.id)).where(
                col(Client.search_name).like(_like_anywhere(w), escape="\\")
            )
            for w in words
        )
    )


def _like_anywhere(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class SearchRepository:
    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor
        self.sqlite = session.get_bind().dialect.name == "sqlite"
        self._few: bool | None = None  # sees at most FEW_CASES cases; asked when needed

    # --- clients -------------------------------------------------------------------------

    def _clients(self) -> Rows:
        return select(
            col(Client.id), col(Client.name), col(Client.preferred_name),
            col(Client.date_of_birth), col(Client.email), col(Client.phone),
        ).where(visible_clients(self.actor))  # fmt: skip

    def _found_clients(self, query: Rows) -> list[ClientFound]:
        return [ClientFound(*row) for row in self.session.execute(query)]

    def clients_named(
        self, groups: Sequence[Sequence[str]], starts: Sequence[str], limit: int
    ) -> list[ClientFound]:
        """Clients whose name or preferred name holds one word of each group (every one at
        least three letters), and has a word starting with each of ``starts``; newest first."""
        if not groups and not starts:
            return []
        if not groups:
            return self._clients_starting(starts, limit)
        query = self._clients().where(*(_word_start(s) for s in starts))
        if self.sqlite:
            fts = " AND ".join("(" + " OR ".join(_fts_phrase(w) for w in g) + ")" for g in groups)
            query = (
                query.join_from(Client, _NAME_SEARCH, _NAME_SEARCH.c.rowid == Client.id)
                .where(literal_column("client_name_search").op("MATCH")(fts))
                .order_by(_NAME_SEARCH.c.rowid.desc())
            )
        else:
            # The longest word's clients gathered through the trigram index, the others
            # checked on them.
            gather, *others = sorted(groups, key=lambda g: -len(g[0]))
            query = query.where(col(Client.id).in_(_pg_names_holding(gather)))
            query = query.where(*(_pg_name_holds(group) for group in others))
            query = query.order_by(col(Client.id).desc())
        return self._found_clients(query.limit(limit))

    def _clients_starting(self, starts: Sequence[str], limit: int) -> list[ClientFound]:
        """Only short words typed ("jo", "a"): names starting with the first, through the
        name index, and on SQLite names with a later word starting with it when it has two
        letters (the trigram " jo"); every other short word is checked on the rows found."""
        first, others = starts[0], starts[1:]
        checks = [_word_start(s) for s in others]
        plain = col(Client.search_name)
        by_start = (
            self._clients().where(_starting(plain, first), *checks).order_by(plain).limit(limit)
        )
        found = self._found_clients(by_start)
        later: Rows | None = None
        if self.sqlite and len(first) == 2:
            later = (
                self._clients()
                .join_from(Client, _NAME_SEARCH, _NAME_SEARCH.c.rowid == Client.id)
                .where(literal_column("client_name_search").op("MATCH")(_fts_phrase(" " + first)))
                .where(*checks)
                .order_by(_NAME_SEARCH.c.rowid.desc())
            )
        elif not self.sqlite and similar_names.has_trigram_indexes(self.session):
            later = (
                self._clients()
                .where(plain.like(_like_anywhere(" " + first), escape="\\"), *checks)
                .order_by(col(Client.id).desc())
            )
        if later is not None:
            seen = {c.id for c in found}
            found += [c for c in self._found_clients(later.limit(limit)) if c.id not in seen]
        return sorted(found, key=lambda c: -c.id)[:limit]

    def similar_words(self, typed: str) -> list[str]:
        """Words of clients' names alike to ``typed`` (see ``similar_names``)."""
        return similar_names.similar_words(self.session, typed)

    def clients_born(self, day: date, limit: int) -> list[ClientFound]:
        query = self._clients().where(col(Client.date_of_birth) == day)
        return self._found_clients(query.order_by(col(Client.id).desc()).limit(limit))

    def clients_emailed(self, prefix: str, limit: int) -> list[ClientFound]:
        """Emails starting with ``prefix`` (lower case), through ``ix_client_lower_email``."""
        email = func.lower(Client.email)
        query = self._clients().where(_starting(email, prefix)).order_by(email)
        return self._found_clients(query.limit(limit))

    def clients_phoned(self, digits: str, limit: int) -> list[ClientFound]:
        """Phone numbers whose digits start with ``digits``, through ``ix_client_phone_digits``."""
        phone = col(Client.phone_digits)
        query = self._clients().where(_starting(phone, digits)).order_by(phone)
        return self._found_clients(query.limit(limit))

    # --- cases ---------------------------------------------------------------------------

    def cases_numbered(self, prefixes: Sequence[str], limit: int) -> list[CaseFound]:
        """Cases whose current number, or a former one, starts with one of ``prefixes``:
        current numbers first, each in number order."""
        if not prefixes:
            return []
        if self._few_visible_cases():
            return self._few_cases_numbered(prefixes, limit)
        current, former = col(Case.case_number), col(FormerCaseNumber.case_number)
        found: dict[int, CaseFound] = {}
        for prefix in prefixes:
            rows = self.session.execute(
                self._cases().where(_starting(current, prefix)).order_by(current).limit(limit)
            )
            for case_id, number, client_id, name, status in rows:
                found.setdefault(
                    case_id, CaseFound(case_id, number, number, client_id, name, status)
                )
        for prefix in prefixes:
            # From the former numbers' own index to their cases, kept if the actor's.
            rows = self.session.execute(
                self._cases()
                .add_columns(former)
                .join(FormerCaseNumber, col(FormerCaseNumber.case_id) == Case.id)
                .where(_starting(former, prefix))
                .order_by(former)
                .limit(limit)
            )
            for case_id, number, client_id, name, status, old in rows:
                found.setdefault(case_id, CaseFound(case_id, number, old, client_id, name, status))
        return list(found.values())[:limit]

    def _cases(self, *, one_at_a_time: bool = True) -> Rows:
        """Cases with their client's name: tested one at a time as an index walks them, or
        (``one_at_a_time=False``) gathered as the actor's set."""
        in_sight = case_in_sight(self.actor) if one_at_a_time else visible_cases(self.actor)
        return (
            select(col(Case.id), col(Case.case_number), col(Case.client_id), col(Client.name),
                   col(Case.status))
            .join(Client, col(Client.id) == Case.client_id)
            .where(in_sight)
        )  # fmt: skip

    def _few_cases_numbered(self, prefixes: Sequence[str], limit: int) -> list[CaseFound]:
        """The actor's few cases, read whole and tested here: walking the number index from
        "C-2026" to find a caseworker's twenty cases among a million would read them all."""
        cases = {row[0]: row for row in self.session.execute(self._cases(one_at_a_time=False))}
        formers = self.session.execute(
            select(col(FormerCaseNumber.case_id), col(FormerCaseNumber.case_number))
            .join(Case, col(Case.id) == FormerCaseNumber.case_id)
            .where(visible_cases(self.actor))
        ).all()
        now = sorted(
            (number, case_id)
            for case_id, number, *_ in cases.values()
            if number.startswith(tuple(prefixes))
        )
        was = sorted((old, case_id) for case_id, old in formers if old.startswith(tuple(prefixes)))
        found: dict[int, CaseFound] = {}
        for matched, case_id in [*now, *was]:
            if case_id not in cases:
                continue  # became the actor's between the two reads
            _, number, client_id, name, status = cases[case_id]
            found.setdefault(case_id, CaseFound(case_id, number, matched, client_id, name, status))
        return list(found.values())[:limit]

    # --- notes ---------------------------------------------------------------------------

    def notes_with(
        self, words: Sequence[str], *, last_is_prefix: bool, limit: int
    ) -> list[NoteFound]:
        """Live notes of visible cases whose summary or details hold every word (the last one
        as the start of a word when ``last_is_prefix``), newest first."""
        if not words:
            return []
        if not self.sqlite:
            return self._pg_notes(words, last_is_prefix, limit)
        if self._few_visible_cases():
            return self._few_notes(words, last_is_prefix, limit)
        if not last_is_prefix:
            return self._found_notes(self._newest_holding(words).limit(limit))
        return self._typing(words, limit)

    def _pg_notes(self, words: Sequence[str], prefix: bool, limit: int) -> list[NoteFound]:
        """PostgreSQL: asked for the newest notes holding a word, the planner walks every note
        newest first and tests each (right for a common word, about 6 s at 100,000 cases for
        one that few or no notes hold). So the GIN index is asked first, alone, for at most
        PG_FEW_NOTES matches: fewer means the word is rare, and just those notes are read;
        as many means it is common, and the newest-first walk stops early."""
        matches = _pg_note_words(words, prefix)
        # Index scans off for the probe only: the bitmap scan reads the GIN index, never the
        # notes in order. SET LOCAL lasts to the end of the transaction, so both are put back.
        self.session.execute(text("SET LOCAL enable_indexscan = off"))
        self.session.execute(text("SET LOCAL enable_seqscan = off"))
        try:
            probe = select(col(CaseNote.id)).where(matches).limit(PG_FEW_NOTES)
            few = list(self.session.execute(probe).scalars())
        finally:
            self.session.execute(text("SET LOCAL enable_indexscan = on"))
            self.session.execute(text("SET LOCAL enable_seqscan = on"))
        if len(few) < PG_FEW_NOTES:
            if not few:
                return []
            query = self._notes().where(col(CaseNote.id).in_(few))
        else:
            query = self._notes().where(matches)
        return self._found_notes(query.order_by(col(CaseNote.id).desc()).limit(limit))

    def _notes(self) -> Rows:
        """Live notes of cases in sight, each case tested as its notes are visited."""
        return (
            select(
                col(CaseNote.id), col(CaseNote.case_id), col(Case.case_number),
                col(Case.client_id), col(CaseNote.summary), col(CaseNote.details),
                col(CaseNote.restricted), col(CaseNote.contact_at),
            )
            .join(Case, col(Case.id) == CaseNote.case_id)
            .where(case_in_sight(self.actor), col(CaseNote.deleted_at).is_(None))
        )  # fmt: skip

    def _found_notes(self, query: Rows) -> list[NoteFound]:
        return [NoteFound(*row) for row in self.session.execute(query)]

    def _newest_holding(self, words: Sequence[str], *, prefix: bool = False) -> Rows:
        """SQLite: notes holding every word, as the full-text index hands them over: newest
        first, one at a time, so a LIMIT stops the read."""
        return (
            self._notes()
            .join_from(CaseNote, _NOTE_SEARCH, _NOTE_SEARCH.c.rowid == CaseNote.id)
            .where(_note_search_matches(words, prefix))
            .order_by(_NOTE_SEARCH.c.rowid.desc())
        )

    def _typing(self, words: Sequence[str], limit: int) -> list[NoteFound]:
        """SQLite, a word still being typed ("hou"): FTS5 would gather the notes of every word
        it starts (housing, house, hours: millions) before handing over the newest. So the
        newest notes holding the other words are read a batch at a time, those in sight kept
        and tested here; only when WALK_MAX of them hold too few is the index asked to gather.
        Someone who sees part of the agency reads more of everyone's notes per batch (ids
        only), as fewer of them are theirs."""
        whole, start = words[:-1], words[-1]
        batch = WALK_BATCH if self.actor.sees_everything else WALK_BATCH * SCOPED_READS
        found: list[NoteFound] = []
        before: int | None = None
        read = 0
        while read < WALK_MAX * (batch // WALK_BATCH):
            newest = self._newest_ids(whole, before, batch)
            notes = self._notes_by_id(newest)
            found += [n for n in notes if _has_word_starting(n, start)]
            if len(found) >= limit or len(newest) < batch:
                return found[:limit]  # enough, or every candidate read
            before, read = newest[-1], read + len(newest)
        return self._found_notes(self._newest_holding(words, prefix=True).limit(limit))

    def _newest_ids(self, words: Sequence[str], before: int | None, count: int) -> list[int]:
        """Ids of the newest live notes holding every word (any note, without words), before
        ``before``: everyone's, read from an index alone."""
        if words:
            rowid = _NOTE_SEARCH.c.rowid
            query = (
                select(rowid).select_from(_NOTE_SEARCH).where(_note_search_matches(words, False))
            )
            if before is not None:
                query = query.where(rowid < before)
            query = query.order_by(rowid.desc())
        else:
            # Notes by id alone: joined to their cases in one read, SQLite would first build a
            # Bloom filter over every case.
            query = select(col(CaseNote.id)).where(col(CaseNote.deleted_at).is_(None))
            if before is not None:
                query = query.where(col(CaseNote.id) < before)
            query = query.order_by(col(CaseNote.id).desc())
        return list(self.session.execute(query.limit(count)).scalars())

    def _few_notes(self, words: Sequence[str], prefix: bool, limit: int) -> list[NoteFound]:
        """SQLite, staff who see few cases: their notes holding the whole words, each asked of
        the index (a caseworker's notes holding "phoned" are a handful among millions, and
        walking every match would read them all); a word being typed is tested here."""
        whole = words[:-1] if prefix else words
        ids = select(col(CaseNote.id)).join(Case, col(Case.id) == CaseNote.case_id)
        ids = ids.where(visible_cases(self.actor), col(CaseNote.deleted_at).is_(None))
        if whole:
            one_note = (
                select(_NOTE_SEARCH.c.rowid)
                .where(_note_search_matches(whole, False), _NOTE_SEARCH.c.rowid == CaseNote.id)
                .correlate(CaseNote)
            )
            ids = ids.where(exists(one_note))
        candidates = list(self.session.execute(ids.order_by(col(CaseNote.id).desc())).scalars())
        if not prefix:
            return self._notes_by_id(candidates[:limit])
        found: list[NoteFound] = []
        for at in range(0, min(len(candidates), WALK_MAX), WALK_BATCH):
            notes = self._notes_by_id(candidates[at : at + WALK_BATCH])
            found += [n for n in notes if _has_word_starting(n, words[-1])]
            if len(found) >= limit:
                return found[:limit]
        if len(candidates) <= WALK_MAX:
            return found
        # Many notes and few holding the start: the index gathers those that do, once.
        gathered = (
            select(_NOTE_SEARCH.c.rowid).select_from(_NOTE_SEARCH)
            .where(_note_search_matches(words, True))
        )  # fmt: skip
        query = self._notes().where(col(CaseNote.id).in_(gathered))
        return self._found_notes(query.order_by(col(CaseNote.id).desc()).limit(limit))

    def _notes_by_id(self, ids: Sequence[int]) -> list[NoteFound]:
        if not ids:
            return []
        query = self._notes().where(col(CaseNote.id).in_(list(ids)))
        return self._found_notes(query.order_by(col(CaseNote.id).desc()))

    def _few_visible_cases(self) -> bool:
        """Whether the actor sees at most FEW_CASES cases (counted once, up to that)."""
        if self._few is None:
            self._few = False
            if not self.actor.sees_everything:
                visible = select(col(Case.id)).where(visible_cases(self.actor)).limit(FEW_CASES + 1)
                counted = select(func.count()).select_from(visible.subquery())
                self._few = int(self.session.execute(counted).scalar_one()) <= FEW_CASES
        return self._few


def _note_search_matches(words: Sequence[str], prefix: bool) -> ColumnElement[bool]:
    """``note_search MATCH``: every word, each quoted, the last as a start when ``prefix``."""
    fts = " ".join(_fts_phrase(w) for w in words) + ("*" if prefix else "")
    return literal_column("note_search").op("MATCH")(fts)


def _has_word_starting(note: NoteFound, start: str) -> bool:
    return has_word_starting(note.summary, start) or has_word_starting(note.details, start)


# The expression of ``ix_case_note_words`` (migration 0005), written the same way so the
# planner matches it to the index.
NOTE_WORDS: ColumnElement[Any] = literal_column(
    "to_tsvector('simple', case_note.summary || ' ' || case_note.details)"
)


def _pg_note_words(words: Sequence[str], prefix: bool) -> ColumnElement[bool]:
    """Every word in the note, through ``ix_case_note_words``; each word quoted."""
    lexemes = ["'" + w.replace("'", "''").replace("\\", "\\\\") + "'" for w in words]
    if prefix:
        lexemes[-1] += ":*"
    query = func.to_tsquery(
        literal_column("'simple'"), bindparam("note_words", " & ".join(lexemes))
    )
    return NOTE_WORDS.op("@@")(query)
