"""Possible duplicates among the file's rows and against the clients already registered, by
the intake's rule (``services.search``): the same date of birth and a similar name, the same
email, or the same phone. The database is asked a chunk of values at a time through the
check's own indexes, never once per row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from casetui.domain.read_models.imports import ImportDuplicate
from casetui.repositories import imports as registered
from casetui.repositories.imports import Registered, chunks
from casetui.services.search import (
    SAME_EMAIL,
    SAME_PHONE,
    SIMILAR_NAME,
    name_words,
    similar_name,
)

# People compared per date of birth, at most, as the intake's check: a birth date shared by
# more than this (a placeholder such as 1900-01-01) no longer says "the same person".
SAME_BIRTH_DATE_MAX = 500


@dataclass(frozen=True, slots=True)
class Candidate:
    """A row of the file as the duplicate check reads it."""

    row: int
    name: str
    preferred_name: str | None
    date_of_birth: date | None
    email: str | None  # lower-cased
    digits: str | None  # the phone's digits
    words: tuple[str, ...]  # search.name_words of the name and preferred name


def _alike(mine: tuple[str, ...], theirs: tuple[str, ...]) -> bool:
    # A shared word settles it at once (the rule's first ground); else ask the rule itself.
    return not set(mine).isdisjoint(theirs) or similar_name(mine, theirs)


@dataclass
class _Match:
    grounds: list[str]
    name: str
    row: int | None = None
    client_id: int | None = None


def _best(found: dict[object, _Match]) -> _Match | None:
    """The match with most grounds; of those, the earliest row or the lowest client id."""
    if not found:
        return None
    return min(found.values(), key=lambda m: (-len(m.grounds), m.row or 0, m.client_id or 0))


def _noted(found: dict[object, _Match], other: Candidate, ground: str) -> None:
    match = found.setdefault(other.row, _Match([], other.name, row=other.row))
    match.grounds.append(ground)


def within_file(candidates: Sequence[Candidate]) -> list[ImportDuplicate]:
    """Each row that may be the same person as an earlier row of the file."""
    by_email: dict[str, Candidate] = {}
    by_phone: dict[str, Candidate] = {}
    by_birth: dict[date, list[Candidate]] = defaultdict(list)
    duplicates: list[ImportDuplicate] = []
    for person in candidates:
        found: dict[object, _Match] = {}
        if person.date_of_birth is not None and person.words:
            born_alike = by_birth[person.date_of_birth]
            for other in born_alike[-SAME_BIRTH_DATE_MAX:]:
                if _alike(person.words, other.words):
                    _noted(found, other, SIMILAR_NAME)
            born_alike.append(person)
        if person.email:
            if person.email in by_email:
                _noted(found, by_email[person.email], SAME_EMAIL)
            else:
                by_email[person.email] = person
        if person.digits:
            if person.digits in by_phone:
                _noted(found, by_phone[person.digits], SAME_PHONE)
            else:
                by_phone[person.digits] = person
        best = _best(found)
        if best is not None:
            duplicates.append(
                ImportDuplicate(
                    row=person.row,
                    name=person.name,
                    reasons=tuple(best.grounds),
                    other_row=best.row,
                    other_name=best.name,
                )  # fmt: skip
            )
    return duplicates


def registered_already(session: Session, candidates: Sequence[Candidate]) -> list[ImportDuplicate]:
    """Each row that may be a client already registered (deleted ones aside)."""
    found: dict[int, dict[object, _Match]] = defaultdict(dict)

    def note(person: Candidate, others: Iterable[Registered], ground: str) -> None:
        for other in others:
            match = found[person.row].setdefault(
                other.id, _Match([], other.name, client_id=other.id)
            )
            match.grounds.append(ground)

    by_birth: dict[date, list[Candidate]] = defaultdict(list)
    for person in candidates:
        if person.date_of_birth is not None:
            by_birth[person.date_of_birth].append(person)
    for days in chunks(sorted(by_birth)):  # a chunk of birth dates a query
        people = registered.born_on(session, days)
        for day in days:
            born = [
                (other, tuple(name_words(other.name, other.preferred_name)))
                for other in people.get(day, [])[:SAME_BIRTH_DATE_MAX]
            ]
            for person in by_birth[day]:
                if person.words:
                    alike = [other for other, theirs in born if _alike(person.words, theirs)]
                    note(person, alike, SIMILAR_NAME)
    by_email: dict[str, list[Candidate]] = defaultdict(list)
    by_phone: dict[str, list[Candidate]] = defaultdict(list)
    for person in candidates:
        if person.email:
            by_email[person.email].append(person)
        if person.digits:
            by_phone[person.digits].append(person)
    for email, emailed in registered.emailed(session, by_email).items():
        for person in by_email.get(email, []):
            note(person, emailed, SAME_EMAIL)
    for digits, phoned in registered.phoned(session, by_phone).items():
        for person in by_phone.get(digits, []):
            note(person, phoned, SAME_PHONE)
    named = {c.row: c for c in candidates}
    best = {row: _best(matches) for row, matches in found.items()}
    numbers = registered.case_numbers_of(
        session, {m.client_id for m in best.values() if m is not None and m.client_id}
    )
    return [
        ImportDuplicate(
            row=row,
            name=named[row].name,
            reasons=tuple(match.grounds),
            client_id=match.client_id,
            other_name=match.name,
            case_numbers=tuple(numbers.get(match.client_id or 0, ())),
        )  # fmt: skip
        for row, match in sorted(best.items())
        if match is not None
    ]
