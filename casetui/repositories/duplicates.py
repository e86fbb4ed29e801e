"""The intake's duplicate check: clients already registered who share a date of birth, an
email or a phone number with the person being registered.

Deliberately organisation-wide (SPEC: the check "searches the whole organisation"), unlike
every other read: a client served by another team must still be noticed before they are
registered twice. It hands out only what the check shows (name, birth date, case numbers)
and, through ``client_scope``, whether the reader may open each one. Deleted clients are
never candidates. Every look-up is one index: date of birth, ``lower(email)``,
``phone_digits``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlmodel import Session, col

from casetui.domain.actor import Actor
from casetui.domain.models import Case, Client
from casetui.repositories.client_scope import visible_clients

# Clients compared per ground, at most: a date of birth is shared by a few dozen people in a
# million; more than this on one email or phone is no longer one person's.
CANDIDATES_MAX = 500

Rows = Select[*tuple[Any, ...]]  # a select of several columns


@dataclass(frozen=True)
class Registered:
    id: int
    name: str
    preferred_name: str | None
    date_of_birth: date | None


class DuplicateRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _live(self) -> Rows:
        return select(
            col(Client.id), col(Client.name), col(Client.preferred_name), col(Client.date_of_birth)
        ).where(col(Client.deleted_at).is_(None))

    def _found(self, query: Rows, exclude: int | None) -> list[Registered]:
        if exclude is not None:
            query = query.where(col(Client.id) != exclude)
        rows = self.session.execute(query.order_by(col(Client.id)).limit(CANDIDATES_MAX))
        return [Registered(*row) for row in rows]

    def born_on(self, day: date, *, exclude: int | None = None) -> list[Registered]:
        return self._found(self._live().where(col(Client.date_of_birth) == day), exclude)

    def emailed(self, email: str, *, exclude: int | None = None) -> list[Registered]:
        """``email`` in lower case, compared with ``lower(email)`` (its index)."""
        return self._found(self._live().where(func.lower(Client.email) == email), exclude)

    def phoned(self, digits: str, *, exclude: int | None = None) -> list[Registered]:
        return self._found(self._live().where(col(Client.phone_digits) == digits), exclude)

    def case_numbers(self, client_ids: Collection[int]) -> dict[int, list[str]]:
        """Each client's live case numbers, oldest case first."""
        numbers: dict[int, list[str]] = defaultdict(list)
        if not client_ids:
            return numbers
        rows = self.session.execute(
            select(col(Case.client_id), col(Case.case_number))
            .where(col(Case.client_id).in_(list(client_ids)), col(Case.deleted_at).is_(None))
            .order_by(col(Case.opened_on), col(Case.id))
        )
        for client_id, number in rows:
            numbers[client_id].append(number)
        return numbers

    def openable(self, actor: Actor, client_ids: Collection[int]) -> set[int]:
        """Which of these clients ``actor`` may open: the visibility rule, not this check's."""
        if not client_ids:
            return set()
        rows = self.session.execute(
            select(col(Client.id)).where(
                col(Client.id).in_(list(client_ids)), visible_clients(actor)
            )
        )
        return set(rows.scalars())
