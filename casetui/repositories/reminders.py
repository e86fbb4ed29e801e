"""Reminders waiting to go to clients, and the compare-and-set writes that move one along.

Every read goes through the cases the actor may see (the sender runs as an administrator, who
sees every case not deleted). Every write names the version and state it expects and changes
nothing when another sender or a person got there first: the caller is told by ``False``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, or_, select, text, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col

from casetui.domain.actor import Actor
from casetui.domain.enums import CommunicationType, ReminderState
from casetui.domain.models import Case, Client, Communication
from casetui.domain.read_models.communications import ReminderRecipient
from casetui.domain.storable import storable_id
from casetui.repositories.scope import visible_cases


@dataclass(frozen=True)
class LeftSending:
    """A reminder some sender claimed and never finished."""

    id: int
    case_number: str
    claimed_at: datetime | None
    message_id: str | None
    server_answer: str | None


class ReminderRepository:
    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor

    def _reminders(self, *columns: Any) -> Any:
        return (
            select(*columns)
            .join(Case, col(Case.id) == Communication.case_id)
            .where(
                visible_cases(self.actor),
                col(Communication.kind) == CommunicationType.REMINDER.value,
                col(Communication.deleted_at).is_(None),
            )
        )

    @staticmethod
    def _is_due(today: date, now: datetime) -> tuple[Any, ...]:
        """Due: scheduled, its day come, and its wait after a temporary failure over."""
        return (
            col(Communication.reminder_state) == ReminderState.SCHEDULED.value,
            col(Communication.send_on) <= today,
            or_(
                col(Communication.next_attempt_at).is_(None),
                col(Communication.next_attempt_at) <= now,
            ),
        )

    def due(self, today: date, now: datetime) -> list[int]:
        """The reminders due, oldest send date first."""
        query = self._reminders(col(Communication.id)).where(*self._is_due(today, now))
        order = (col(Communication.send_on), col(Communication.id))
        return list(self.session.execute(query.order_by(*order)).scalars())

    def left_sending(self) -> list[LeftSending]:
        query = self._reminders(
            col(Communication.id),
            col(Case.case_number),
            col(Communication.claimed_at),
            col(Communication.message_id),
            col(Communication.server_answer),
        ).where(col(Communication.reminder_state) == ReminderState.SENDING.value)
        rows = self.session.execute(query.order_by(col(Communication.id))).all()
        return [LeftSending(*row) for row in rows]

    def get(self, reminder_id: int) -> tuple[Communication, ReminderRecipient] | None:
        """The reminder (not deleted, on a case in sight) with its case and client as now."""
        return self._get(reminder_id)

    def get_due(
        self, reminder_id: int, today: date, now: datetime
    ) -> tuple[Communication, ReminderRecipient] | None:
        """As ``get``, only while it is still due: a person may have moved or cancelled it, or
        another sender taken it, since the list of due reminders was read."""
        return self._get(reminder_id, *self._is_due(today, now))

    def _get(
        self, reminder_id: int, *conditions: Any
    ) -> tuple[Communication, ReminderRecipient] | None:
        if not storable_id(reminder_id):
            return None
        found = self.session.execute(
            self._reminders(
                Communication,
                col(Case.case_number),
                col(Client.name),
                col(Client.email),
                col(Client.record_status),
                col(Client.deleted_at),
            )
            .join(Client, col(Client.id) == Case.client_id)
            .where(col(Communication.id) == reminder_id, *conditions)
        ).first()
        if found is None:
            return None
        row, number, name, email, record_status, client_deleted_at = found
        recipient = ReminderRecipient(
            row.case_id, number, name, email, record_status,
            client_deleted=client_deleted_at is not None,
        )  # fmt: skip
        return row, recipient

    def move(self, row: Communication, expected_state: ReminderState, **values: object) -> bool:
        """Write ``values`` if the reminder is still at ``row``'s version and in
        ``expected_state``; the version moves on. False: someone else changed it first."""
        result = cast(
            CursorResult[Any],
            self.session.execute(
                update(Communication)
                .where(
                    col(Communication.id) == row.id,
                    col(Communication.version) == row.version,
                    col(Communication.reminder_state) == expected_state.value,
                    col(Communication.deleted_at).is_(None),
                )
                .values(**values, version=row.version + 1)
                .execution_options(synchronize_session=False)
            ),
        )
        if result.rowcount != 1:
            return False
        # The row as the database now holds it, without reading it back.
        for name, value in {**values, "version": row.version + 1}.items():
            set_committed_value(row, name, value)
        return True

    def commit_without_waiting_for_the_disk(self) -> None:
        """Let this transaction's commit return before PostgreSQL has flushed it to disk.

        Only for what a sender records after the server answered: should the database server
        crash before the flush, the reminder is back as it was, claimed and ``sending``, which
        is reported for a person and never sent again. A claim always waits for the disk.
        """
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(text("SET LOCAL synchronous_commit TO OFF"))

    def add_next(self, row: Communication) -> int:
        """Write ``row`` (the next occurrence of a repeating reminder); its id."""
        self.session.add(row)
        self.session.flush()
        assert row.id is not None
        return row.id
