"""One line of a case's timeline, as the timeline screens receive it from the services."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import NamedTuple

NOTE, ADDENDUM, TASK, EVENT = "note", "addendum", "task", "event"
COMMUNICATION, SERVICE, ATTACHMENT = "communication", "service", "attachment"
# A time as read for the timeline: a datetime, or on SQLite its stored UTC text, which sorts
# as time does and is turned into a datetime only for the lines on screen (see ``at``).
Stamp = datetime | str


def as_utc(value: Stamp) -> datetime:
    """A timeline time as an aware UTC datetime."""
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value


class TimelineEntry(NamedTuple):
    """One timeline line, ordered by ``stamp``: contact time, creation or change time."""

    kind: str
    id: int
    stamp: Stamp  # compare and page by this; show ``at``
    author: str
    summary: str
    restricted: bool = False
    created_stamp: Stamp | None = None  # notes and communications: where the lock counts from
    note_id: int | None = None  # addenda, tasks and attachments: the note they belong to
    status: str | None = None  # tasks: open, done, cancelled; reminders: their ReminderState
    due_on: date | None = None  # tasks; reminders: the send date; services: the date given
    repeats: str | None = None  # tasks and reminders
    # notes: activity type; events: what changed; communications: their type;
    # services: the grant; attachments: the detected media type
    detail: str | None = None
    version: int = 0
    author_id: int | None = None
    imported: bool = False  # notes: brought in from another system, locked from the start
    direction: str | None = None  # communications: in, out
    amount: Decimal | None = None  # services
    size: int | None = None  # attachments, in bytes
    signoff: str | None = None  # notes: the SignoffState of one sent for sign-off

    @property
    def at(self) -> datetime:
        return as_utc(self.stamp)

    @property
    def created_at(self) -> datetime | None:
        """Notes: when the note was written, which the lock counts from."""
        return None if self.created_stamp is None else as_utc(self.created_stamp)


def order_key(entry: TimelineEntry) -> tuple[Stamp, str, int]:
    """Timeline order, oldest to newest; ties by kind, then id, so every entry has one place."""
    return entry.stamp, entry.kind, entry.id
