"""What a caseworker's day reads: Today's lines, the missing-data list, a pathway's tasks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class TodayKind(StrEnum):
    TASK = "task"  # a task I am responsible for, due today or overdue
    STALE_CASE = "stale_case"  # my case with no contact for longer than the stale days
    FAILED_REMINDER = "failed_reminder"  # a reminder on my case that could not be sent
    SIGNOFF = "signoff"  # a note of my team waiting for my sign-off


# Which kind comes first on a day with several: what can be done at once before what waits.
TODAY_ORDER = (TodayKind.TASK, TodayKind.FAILED_REMINDER, TodayKind.SIGNOFF, TodayKind.STALE_CASE)


@dataclass(frozen=True)
class TodayItem:
    """One line of Today. ``id`` is the task's, the case's, the reminder's or the note's;
    ``due_on`` is when it fell due (a stale case: the day contact was last due)."""

    kind: TodayKind
    id: int
    case_id: int
    case_number: str
    client_name: str
    title: str
    due_on: date
    version: int = 0  # tasks: the version the snooze and the completion are made from

    def overdue(self, today: date) -> bool:
        return self.due_on < today


@dataclass(frozen=True)
class TodayList:
    items: tuple[TodayItem, ...]
    today: date
    stale_days: int


class MissingReason(StrEnum):
    NO_PATHWAY = "no_pathway"
    NO_RECENT_NOTE = "no_recent_note"
    NO_OPEN_TASK = "no_open_task"
    NO_CONCERN_REVIEW = "no_concern_review"
    NO_CONTACT_DETAILS = "no_contact_details"


# How each reason is called on screen, in the order the screen lists them.
MISSING_TITLES: dict[MissingReason, str] = {
    MissingReason.NO_PATHWAY: "Open cases without a pathway",
    MissingReason.NO_RECENT_NOTE: "Open cases without a note in the stale period",
    MissingReason.NO_OPEN_TASK: "Open cases without an open follow-up task",
    MissingReason.NO_CONCERN_REVIEW: "Open cases without a concern review",
    MissingReason.NO_CONTACT_DETAILS: "Clients without contact details (no email, no phone)",
}


@dataclass(frozen=True)
class MissingLine:
    """A case (or, for contact details, a client through one of their open cases)."""

    reason: MissingReason
    case_id: int
    case_number: str
    client_id: int
    client_name: str
    worker: str | None  # the primary worker's username


@dataclass(frozen=True)
class MissingData:
    """Counts per reason over the whole scope; lines, at most ``shown_max`` per reason."""

    worker: str | None  # the one worker asked about; None: everyone in the actor's scope
    counts: dict[MissingReason, int]
    lines: tuple[MissingLine, ...]
    stale_days: int
    since: date  # the stale period's first day
    shown_max: int


@dataclass(frozen=True)
class PathwayTaskView:
    """A follow-up task a pathway brings to each case opened on it."""

    id: int
    pathway: str
    name: str
    due_after_days: int
    position: int
    version: int
