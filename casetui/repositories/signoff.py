"""Notes sent for a supervisor's sign-off, through the cases the actor may see.

``deciders`` is not scoped to the acting staff member: a caseworker's request is news for
their team's supervisors, whom the caseworker need not be able to read about.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute, aliased
from sqlmodel import Session, col

from casetui.domain.actor import Actor
from casetui.domain.enums import Role, SignoffState
from casetui.domain.models import Case, CaseNote, NoteSignoff, Staff
from casetui.domain.signoff import SignoffView
from casetui.domain.storable import storable_id
from casetui.repositories.scope import visible_cases

# Ids asked for in one IN list: well under SQLite's limit on a statement's parameters.
IN_LIST_MAX = 500

_REQUESTER = aliased(Staff, name="requester")
_DECIDER = aliased(Staff, name="decider")


class SignoffRepository:
    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor

    def row(self, note_id: int) -> NoteSignoff | None:
        """The note's sign-off row, if it was ever sent and the actor may see its case."""
        if not storable_id(note_id):
            return None
        return self.session.execute(
            select(NoteSignoff)
            .join(CaseNote, col(CaseNote.id) == NoteSignoff.note_id)
            .join(Case, col(Case.id) == CaseNote.case_id)
            .where(col(NoteSignoff.note_id) == note_id, visible_cases(self.actor))
        ).scalar_one_or_none()

    def approved_at(self, note_id: int) -> datetime | None:
        """When the note was signed off; None while it is not (never sent, waiting, returned)."""
        found = self.row(note_id)
        if found is None or found.state != SignoffState.APPROVED.value:
            return None
        return found.decided_at

    def _views_query(self) -> Any:
        return (
            select(
                NoteSignoff,
                col(CaseNote.case_id),
                col(Case.case_number),
                col(CaseNote.author_id),
                col(CaseNote.summary),
                col(_REQUESTER.username),
                col(_DECIDER.username),
            )
            .join(CaseNote, col(CaseNote.id) == NoteSignoff.note_id)
            .join(Case, col(Case.id) == CaseNote.case_id)
            .join(_REQUESTER, col(_REQUESTER.id) == NoteSignoff.requested_by_id)
            .outerjoin(_DECIDER, col(_DECIDER.id) == NoteSignoff.decided_by_id)
            .where(visible_cases(self.actor))
        )

    def views(self, note_ids: Sequence[int]) -> dict[int, SignoffView]:
        """The sign-off of each of these notes that was ever sent, by note id: one query a
        page of notes, whatever its length."""
        wanted = [i for i in note_ids if storable_id(i)]
        found: dict[int, SignoffView] = {}
        for start in range(0, len(wanted), IN_LIST_MAX):
            rows = self.session.execute(
                self._views_query().where(
                    col(NoteSignoff.note_id).in_(wanted[start : start + IN_LIST_MAX])
                )
            ).all()
            found.update((view.note_id, view) for view in map(_view, rows))
        return found

    def waiting_for_me(self, *, limit: int = 200) -> list[SignoffView]:
        """Notes waiting for the actor's sign-off, oldest request first: a supervisor's team's
        (an administrator's: everyone's), never the actor's own notes."""
        if self.actor.role not in (Role.SUPERVISOR, Role.ADMINISTRATOR):
            return []
        query = self._views_query().where(
            col(NoteSignoff.state) == SignoffState.REQUESTED.value,
            col(CaseNote.deleted_at).is_(None),
            col(CaseNote.author_id) != self.actor.id,
        )
        if self.actor.role is Role.SUPERVISOR:
            query = query.where(col(Case.team_id) == self.actor.team_id)
        query = query.order_by(col(NoteSignoff.requested_at), col(NoteSignoff.id)).limit(limit)
        return [_view(row) for row in self.session.execute(query).all()]


def asked_to_decide(
    decider_id: Any, role: Any, team_id: Any, author_id: Any, case_team_id: Any
) -> ColumnElement[bool]:
    """The one rule of who is asked to sign off a note, as SQL: the case's team's active
    supervisors but the note's author; where that leaves nobody (no supervisor, the case no
    team, or the note the only supervisor's own), the active administrators but its author.

    Each argument is a column or a value: the staff table's columns to find the deciders of
    one note (``deciders``), one person's values to find the notes they decide (Today).
    """
    other = aliased(Staff, name="other_supervisor")
    another_supervisor = [
        col(other.active).is_(True),
        col(other.role) == Role.SUPERVISOR.value,
        _equal(other.team_id, case_team_id),
    ]
    if author_id is not None:  # with no author to leave out, any supervisor of the team counts
        another_supervisor.append(col(other.id) != author_id)
    team_has_another_supervisor = select(col(other.id)).where(*another_supervisor).exists()
    return and_(
        true() if author_id is None else _compared(decider_id, author_id, operator.ne),
        or_(
            and_(_equal(role, Role.SUPERVISOR.value), _equal(team_id, case_team_id)),
            and_(_equal(role, Role.ADMINISTRATOR.value), ~team_has_another_supervisor),
        ),
    )


def _is_sql(value: Any) -> bool:
    return isinstance(value, ColumnElement | InstrumentedAttribute)


def _equal(one: Any, other: Any) -> ColumnElement[bool]:
    """``one = other``, either a column or a value; a missing value (no team) equals nothing,
    as in SQL, rather than becoming ``IS NULL``."""
    if one is None or other is None:
        return false()
    return _compared(one, other, operator.eq)


def _compared(one: Any, other: Any, op: Callable[[Any, Any], Any]) -> ColumnElement[bool]:
    """``op`` on a column and a value (either side), or decided here on two values."""
    if not _is_sql(one) and not _is_sql(other):
        return true() if op(one, other) else false()
    column, value = (one, other) if _is_sql(one) else (other, one)
    return op(column, value)


def deciders(session: Session, team_id: int | None, *, besides: int | None = None) -> set[int]:
    """Who is asked to sign off a note of a case of ``team_id`` written by ``besides``
    (``asked_to_decide``)."""
    return set(
        session.execute(
            select(col(Staff.id)).where(
                col(Staff.active).is_(True),
                asked_to_decide(Staff.id, Staff.role, Staff.team_id, besides, team_id),
            )
        ).scalars()
    )


def _view(row: Any) -> SignoffView:
    signoff, case_id, number, author_id, summary, requested_by, decided_by = row
    return SignoffView(
        id=signoff.id,
        note_id=signoff.note_id,
        case_id=case_id,
        case_number=number,
        state=signoff.state,
        note_author_id=author_id,
        note_summary=summary,
        requested_by=requested_by,
        requested_at=signoff.requested_at,
        decided_by=decided_by,
        decided_at=signoff.decided_at,
        comment=signoff.comment,
        version=signoff.version,
    )
