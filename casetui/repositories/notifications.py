"""Staff inboxes: who a case's news goes to, and the rows that carry it.

Unlike the other repositories this one is not scoped to the acting staff member: a note
written by one person notifies others. What each person then reads of their own inbox is
read by the notifications service with their id.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from casetui.domain.enums import RecordStatus
from casetui.domain.models import Case, CaseNavigator, Client, Notification, Staff


def case_recipients(session: Session, case_id: int, *, closed_clients_too: bool) -> set[int] | None:
    """The active staff assigned to the case: its primary worker and its navigators (S4).
    None, nobody at all, for a deleted case or, unless ``closed_clients_too``, for a client
    whose record is closed or inactive."""
    case = session.execute(
        select(col(Case.primary_worker_id), col(Client.record_status))
        .join(Client, col(Client.id) == Case.client_id)
        .where(col(Case.id) == case_id, col(Case.deleted_at).is_(None))
    ).first()
    if case is None:
        return None
    worker_id, record_status = case
    if not closed_clients_too and record_status != RecordStatus.ACTIVE:
        return None
    navigators = session.execute(
        select(col(CaseNavigator.staff_id)).where(col(CaseNavigator.case_id) == case_id)
    ).scalars()
    assigned = {worker_id, *navigators} - {None}
    if not assigned:
        return set()
    active = session.execute(
        select(col(Staff.id)).where(col(Staff.id).in_(assigned), col(Staff.active).is_(True))
    ).scalars()
    return set(active)


def deliver(
    session: Session,
    staff_ids: Iterable[int],
    *,
    kind: str,
    case_id: int | None,
    event_key: str,
    text: str,
    at: datetime,
) -> int:
    """One notification per person for this event, in the caller's transaction. An event
    already delivered to someone (the same ``event_key``) is not delivered to them again.
    Returns how many were new."""
    rows = [
        {
            "staff_id": staff_id,
            "kind": kind,
            "case_id": case_id,
            "event_key": event_key,
            "text": text,
            "created_at": at,
        }
        for staff_id in sorted(set(staff_ids))
    ]
    if not rows:
        return 0
    # The dialect's own insert, imported here: SQLite need not load PostgreSQL's dialect.
    statement: Any
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        statement = postgresql.insert(Notification).values(rows).on_conflict_do_nothing()
    else:
        from sqlalchemy.dialects import sqlite

        statement = sqlite.insert(Notification).values(rows).on_conflict_do_nothing()
    # Counted from RETURNING: a driver's rowcount for INSERT ... ON CONFLICT is not reliable.
    return len(session.execute(statement.returning(col(Notification.id))).all())
