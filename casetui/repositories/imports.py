"""The look-ups an import makes for many rows at once: registered clients sharing a date of
birth, an email or a phone with the file's rows (the intake's duplicate check, a chunk of
values per query through the same indexes: date of birth, ``lower(email)``, ``phone_digits``),
case numbers already used, the staff the file names, and the cases notes go on.

Organisation-wide on purpose, like the intake's check: an import is an administrator's, and a
client served by another team must still be noticed before they are registered twice.
Deleted clients are never candidates.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from sqlalchemy import func, select, text
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, SQLModel, col

from casetui.domain.actor import Actor
from casetui.domain.models import Case, Client, FormerCaseNumber, Staff
from casetui.domain.storable import storable
from casetui.repositories.scope import visible_cases

CHUNK = 500  # values per IN (...): well under SQLite's parameter limit
T = TypeVar("T")


@dataclass(frozen=True)
class Registered:
    """A registered client, as much as a duplicate check shows."""

    id: int
    name: str
    preferred_name: str | None
    date_of_birth: date | None
    email: str | None
    phone_digits: str | None


def chunks(values: Collection[T], size: int = CHUNK) -> Iterator[list[T]]:
    ordered = list(values)
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def _registered(session: Session, condition: ColumnElement[bool]) -> list[Registered]:
    rows = session.execute(
        select(
            col(Client.id), col(Client.name), col(Client.preferred_name),
            col(Client.date_of_birth), col(Client.email), col(Client.phone_digits),
        ).where(col(Client.deleted_at).is_(None), condition)
    )  # fmt: skip
    return [Registered(*row) for row in rows]


def born_on(session: Session, days: Collection[date]) -> dict[date, list[Registered]]:
    """Registered clients born on each of ``days`` (one chunk of days at a time, please:
    a day is shared by a few dozen people in a million)."""
    found: dict[date, list[Registered]] = defaultdict(list)
    for chunk in chunks(days):
        for person in _registered(session, col(Client.date_of_birth).in_(chunk)):
            assert person.date_of_birth is not None
            found[person.date_of_birth].append(person)
    return found


def emailed(session: Session, emails: Collection[str]) -> dict[str, list[Registered]]:
    """Registered clients by lower-cased email, compared with ``lower(email)`` (its index)."""
    found: dict[str, list[Registered]] = defaultdict(list)
    for chunk in chunks([e for e in emails if storable(e)]):
        for person in _registered(session, func.lower(Client.email).in_(chunk)):
            found[(person.email or "").lower()].append(person)
    return found


def phoned(session: Session, digits: Collection[str]) -> dict[str, list[Registered]]:
    found: dict[str, list[Registered]] = defaultdict(list)
    for chunk in chunks(digits):
        for person in _registered(session, col(Client.phone_digits).in_(chunk)):
            found[person.phone_digits or ""].append(person)
    return found


def case_numbers_of(session: Session, client_ids: Collection[int]) -> dict[int, list[str]]:
    """Each client's live case numbers, oldest case first."""
    numbers: dict[int, list[str]] = defaultdict(list)
    for chunk in chunks(client_ids):
        rows = session.execute(
            select(col(Case.client_id), col(Case.case_number))
            .where(col(Case.client_id).in_(chunk), col(Case.deleted_at).is_(None))
            .order_by(col(Case.opened_on), col(Case.id))
        )
        for client_id, number in rows:
            numbers[client_id].append(number)
    return numbers


def staff_named(session: Session, usernames: Collection[str]) -> dict[str, Staff]:
    """Staff members by username, active or not (a note's author may have left since)."""
    found: dict[str, Staff] = {}
    for chunk in chunks([u for u in usernames if storable(u)]):
        rows = session.execute(select(Staff).where(col(Staff.username).in_(chunk))).scalars()
        found.update({staff.username: staff for staff in rows})
    return found


def live_cases(session: Session, case_ids: Collection[int]) -> set[int]:
    """Which of these cases still exist, not deleted: asked again just before writing."""
    found: set[int] = set()
    for chunk in chunks(case_ids):
        found.update(
            session.execute(
                select(col(Case.id)).where(col(Case.id).in_(chunk), col(Case.deleted_at).is_(None))
            ).scalars()
        )
    return found


def case_ids(session: Session, actor: Actor, numbers: Collection[str]) -> dict[str, int]:
    """The cases with these numbers (current, else former) that ``actor`` may see, by the
    number asked for: ids only, as an import of many notes needs no more."""
    wanted = [n for n in numbers if storable(n)]
    found: dict[str, int] = {}
    for chunk in chunks(wanted):
        rows = session.execute(
            select(col(Case.case_number), col(Case.id)).where(
                col(Case.case_number).in_(chunk), visible_cases(actor)
            )
        )
        found.update({number: case_id for number, case_id in rows})
    for chunk in chunks([n for n in wanted if n not in found]):
        rows = session.execute(
            select(col(FormerCaseNumber.case_number), col(Case.id))
            .join(Case, col(Case.id) == FormerCaseNumber.case_id)
            .where(col(FormerCaseNumber.case_number).in_(chunk), visible_cases(actor))
        )
        found.update({number: case_id for number, case_id in rows})
    return found


def first_free_id(session: Session, table: type[SQLModel]) -> int:
    """The id after the highest in ``table``: many rows are then written with their ids, in
    one statement, by a writer holding the write lock (see ``UnitOfWork``)."""
    highest = session.execute(select(func.max(table.id))).scalar_one_or_none()  # type: ignore[attr-defined]
    return int(highest or 0) + 1


def follow_ids(session: Session, tables: Collection[type[SQLModel]]) -> None:
    """PostgreSQL: each table's id sequence moved past the ids written, so the next row
    added one at a time takes a free one. (SQLite takes the highest id plus one itself.)"""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        name = table.__tablename__
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), max(id)) "
                f"FROM {name} HAVING max(id) IS NOT NULL"
            )
        )
