"""Reminders: who may get one, how long a temporary failure waits before the next try, and
what one pass of the sender reports for each reminder it looked at.

A reminder's life: ``scheduled`` -> ``sending`` (claimed by one sender, committed before the
mail server hears of it) -> ``sent`` | ``failed`` | back to ``scheduled`` with one more
attempt and a time before which it is not tried again. One left ``sending`` was claimed by a
sender that never said how it ended: it is reported for a person to check, never sent again
on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from casetui.domain.enums import RecordStatus


class RecipientProblem(StrEnum):
    """Why a reminder cannot go to a client now."""

    DELETED = "deleted"  # the client's record was deleted
    NOT_ACTIVE = "not active"  # the organisation writes only to clients whose record is Active
    NO_EMAIL = "no email"  # a reminder goes by email


def recipient_problem(
    email: str | None, record_status: str, *, client_deleted: bool = False
) -> RecipientProblem | None:
    """The one rule of who may get a reminder (SPEC: "only when the client has an email address
    and an Active record"), or None when this client may. Asked when a reminder is written or
    moved, and again by the sender just before it sends one: the record may have changed since.
    A record that is not Active comes first: adding an email address would not help then."""
    if client_deleted:
        return RecipientProblem.DELETED
    if record_status != RecordStatus.ACTIVE.value:
        return RecipientProblem.NOT_ACTIVE
    if not (email or "").strip():
        return RecipientProblem.NO_EMAIL
    return None


# The waits after the 1st, 2nd, ... temporary failure (4xx, refused, timed out); the try after
# the last wait is the last one: another temporary failure then fails the reminder.
RETRY_WAITS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=25),
    timedelta(minutes=125),
    timedelta(minutes=625),
)
MAX_ATTEMPTS = len(RETRY_WAITS) + 1
# A reminder claimed longer ago than this by a sender that has not finished it was left by an
# interrupted sender; a younger one may still be in another sender's hands.
INTERRUPTED_AFTER = timedelta(minutes=10)


def retry_wait(attempts: int) -> timedelta | None:
    """The wait after ``attempts`` temporary failures, or None when that was the last try."""
    if attempts < 1 or attempts >= MAX_ATTEMPTS:
        return None
    return RETRY_WAITS[attempts - 1]


class SendStatus(StrEnum):
    """What ``reminders send`` says of each reminder (SPEC: the ``--json`` statuses)."""

    SENT = "sent"
    FAILED = "failed"  # a permanent answer (5xx), or the last try of a temporary one
    RETRY = "retry"  # a temporary answer: tried again after its wait
    SKIPPED = "skipped"  # not sent in this pass; the detail says why


@dataclass(frozen=True)
class ReminderOutcome:
    """One line of a sending pass: ``{"id", "case_number", "status", "detail"}``."""

    id: int
    case_number: str
    status: SendStatus
    detail: str


@dataclass(frozen=True)
class SendingPass:
    """What one pass did. ``problem``: why it stopped early (the mail server refused to work
    with us, or the sender was asked to stop); ``left`` due reminders were not tried."""

    outcomes: tuple[ReminderOutcome, ...]
    problem: str | None = None
    left: int = 0

    def count(self, status: SendStatus) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status is status)
