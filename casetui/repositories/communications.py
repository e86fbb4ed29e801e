"""Communications and reminders, through the cases the actor may see."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlmodel import Session, col

from casetui.domain.actor import Actor
from casetui.domain.enums import CommunicationType
from casetui.domain.errors import NotFound
from casetui.domain.locking import is_locked, locks_at
from casetui.domain.models import Case, Client, Communication, Staff
from casetui.domain.read_models.communications import CommunicationView, ReminderRecipient
from casetui.domain.storable import storable_id
from casetui.repositories.scope import visible_cases


class CommunicationRepository:
    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor

    def get(self, communication_id: int, *, include_deleted: bool = False) -> Communication:
        if not storable_id(communication_id):
            raise NotFound(f"no communication {communication_id} that you can see")
        query = (
            select(Communication)
            .join(Case, col(Case.id) == Communication.case_id)
            .where(col(Communication.id) == communication_id, visible_cases(self.actor))
        )
        if not include_deleted:
            query = query.where(col(Communication.deleted_at).is_(None))
        row = self.session.execute(query).scalar_one_or_none()
        if row is None:
            raise NotFound(f"no communication {communication_id} that you can see")
        return row

    def views(
        self,
        *,
        case_id: int | None = None,
        ids: Sequence[int] | None = None,
        lock_days: int,
        now: datetime,
        include_deleted: bool = False,
    ) -> list[CommunicationView]:
        """Communications newest first, as read models."""
        query = (
            select(
                Communication, col(Case.case_number), col(Staff.username), col(Staff.display_name)
            )
            .join(Case, col(Case.id) == Communication.case_id)
            .join(Staff, col(Staff.id) == Communication.author_id)
            .where(visible_cases(self.actor))
        )
        if case_id is not None:
            if not storable_id(case_id):
                return []
            query = query.where(col(Communication.case_id) == case_id)
        if ids is not None:
            query = query.where(col(Communication.id).in_([i for i in ids if storable_id(i)]))
        if not include_deleted:
            query = query.where(col(Communication.deleted_at).is_(None))
        query = query.order_by(col(Communication.occurred_at).desc(), col(Communication.id).desc())
        return [
            _view(row, number, username, name, lock_days, now)
            for row, number, username, name in self.session.execute(query).all()
        ]

    def recipients(self, case_ids: Sequence[int]) -> dict[int, ReminderRecipient]:
        """Who each case's reminders would go to: its client's name, email and record status."""
        found: dict[int, ReminderRecipient] = {}
        wanted = [i for i in dict.fromkeys(case_ids) if storable_id(i)]
        for start in range(0, len(wanted), 500):  # stay under SQLite's parameter limit
            rows = self.session.execute(
                select(
                    col(Case.id),
                    col(Case.case_number),
                    col(Client.name),
                    col(Client.email),
                    col(Client.record_status),
                    col(Client.deleted_at),
                )
                .join(Client, col(Client.id) == Case.client_id)
                .where(col(Case.id).in_(wanted[start : start + 500]), visible_cases(self.actor))
            ).all()
            for case_id, number, name, email, status, deleted_at in rows:
                found[case_id] = ReminderRecipient(
                    case_id, number, name, email, status, client_deleted=deleted_at is not None
                )
        return found

    def latest_contact(self, case_id: int) -> datetime | None:
        """When the case's latest communication with the client took place (reminders are
        sent, not contacts), for the case's last interaction."""
        latest = self.session.execute(
            select(func.max(Communication.occurred_at)).where(
                col(Communication.case_id) == case_id,
                col(Communication.deleted_at).is_(None),
                col(Communication.kind) != CommunicationType.REMINDER.value,
            )
        ).scalar_one_or_none()
        return _aware(latest)


def _aware(value: datetime | str | None) -> datetime | None:
    # func.max bypasses the column type on SQLite; bring it back to an aware datetime.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def _view(
    row: Communication, number: str, username: str, name: str, lock_days: int, now: datetime
) -> CommunicationView:
    assert row.id is not None
    return CommunicationView(
        id=row.id,
        case_id=row.case_id,
        case_number=number,
        author_id=row.author_id,
        author=username,
        author_name=name,
        kind=row.kind,
        direction=row.direction,
        occurred_at=row.occurred_at,
        subject=row.subject,
        body=row.body,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
        locks_at=locks_at(row.created_at, lock_days),
        locked=is_locked(row.created_at, lock_days, now),
        deleted=row.deleted_at is not None,
        send_on=row.send_on,
        repeats=row.repeats,
        rrule=row.rrule,
        state=row.reminder_state,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        claimed_at=row.claimed_at,
        sent_at=row.sent_at,
        message_id=row.message_id,
        server_answer=row.server_answer,
        previous_id=row.previous_id,
    )
