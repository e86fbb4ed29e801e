"""Letters, emails and reminders: one communication, who a reminder goes to, a bulk send."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from casetui.domain.reminders import RecipientProblem, recipient_problem


@dataclass(frozen=True)
class CommunicationView:
    """A call, letter, email, text, meeting or reminder on a case.

    The reminder fields are None (``repeats`` "none", ``attempts`` 0) on the other kinds."""

    id: int
    case_id: int
    case_number: str
    author_id: int
    author: str  # username
    author_name: str
    kind: str  # CommunicationType
    direction: str  # in, out
    occurred_at: datetime
    subject: str
    body: str
    created_at: datetime
    updated_at: datetime
    version: int
    locks_at: datetime
    locked: bool
    deleted: bool = False
    send_on: date | None = None
    repeats: str = "none"
    rrule: str | None = None
    state: str | None = None  # ReminderState
    attempts: int = 0
    next_attempt_at: datetime | None = None
    claimed_at: datetime | None = None  # when a sender took it to send
    sent_at: datetime | None = None
    message_id: str | None = None
    server_answer: str | None = None  # the mail server's last answer
    previous_id: int | None = None  # the occurrence a repeating reminder was made from

    @property
    def is_reminder(self) -> bool:
        return self.state is not None


@dataclass(frozen=True)
class ReminderRecipient:
    """Who a case's reminders would go to, as the reminder rule reads them."""

    case_id: int
    case_number: str
    client_name: str
    email: str | None
    record_status: str  # Active, Inactive, Closed
    client_deleted: bool = False

    @property
    def problem(self) -> RecipientProblem | None:
        """Why a reminder cannot go to this client now (``domain.reminders``), or None."""
        return recipient_problem(self.email, self.record_status, client_deleted=self.client_deleted)


@dataclass(frozen=True)
class BulkCommunicationResult:
    """One communication written to each case, all in one transaction."""

    batch_id: str  # kept in each one's audit event: which were written together
    communication_ids: tuple[int, ...]
    case_numbers: tuple[str, ...]
