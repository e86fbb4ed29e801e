"""The case timeline: notes, addenda, tasks and case changes as one light list.

Only what one timeline line shows is read here (no note details), so a case with ten
thousand entries loads in a few queries; the full note is read when someone expands it.
On SQLite the times stay as the stored text (which sorts in time order) and become
datetimes only for the lines on screen: parsing ten thousand of them up front is most
of the cost of opening a long timeline.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from sqlalchemy import String, select, type_coerce
from sqlmodel import Session

from casetui.domain.actor import Actor
from casetui.domain.models import (
    Case,
    CaseEvent,
    CaseNote,
    Client,
    FollowUpTask,
    NoteAddendum,
    Staff,
)
from casetui.domain.storable import storable
from casetui.repositories.scope import visible_cases

NOT_DELETED = CaseNote.deleted_at.is_(None)  # type: ignore[union-attr]
NOTE, ADDENDUM, TASK, EVENT = "note", "addendum", "task", "event"
Moment = datetime | str  # str: SQLite's stored UTC text, see moment()


def moment(value: Moment) -> datetime:
    """A timeline time as an aware UTC datetime."""
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value


class TimelineEntry(NamedTuple):
    """One timeline line. ``at`` orders the timeline: contact time, creation or change time."""

    kind: str
    id: int
    at: Moment
    author: str
    summary: str
    restricted: bool = False
    created_at: Moment | None = None  # notes: where the lock counts from
    note_id: int | None = None  # addenda and tasks: the note they belong to
    status: str | None = None  # tasks: open, done, cancelled
    due_on: date | None = None  # tasks
    repeats: str | None = None  # tasks
    detail: str | None = None  # notes: activity type; events: what changed
    version: int = 0
    author_id: int | None = None


class TimelineRepository:
    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor
        self._raw_times = session.get_bind().dialect.name == "sqlite"

    def _time(self, column: Any) -> Any:
        return type_coerce(column, String) if self._raw_times else column

    def entries(self, case_id: int) -> list[TimelineEntry]:
        """Every entry of one case the actor may see, newest first."""
        found = (
            self.notes(case_id) + self.addenda(case_id) + self.tasks(case_id) + self.events(case_id)
        )
        found.sort(key=lambda e: (e.at, e.kind, e.id), reverse=True)
        return found

    def _read(self, columns: tuple[Any, ...], query: Any) -> list[Any]:
        """Plain rows through the connection: no ORM objects for thousands of lines."""
        return list(self.session.connection().execute(query(select(*columns))))

    def notes(self, case_id: int) -> list[TimelineEntry]:
        columns = (
            CaseNote.id,
            self._time(CaseNote.contact_at),
            Staff.username,
            CaseNote.summary,
            CaseNote.restricted,
            self._time(CaseNote.created_at),
            CaseNote.activity_type,
            CaseNote.version,
            CaseNote.author_id,
        )
        rows = self._read(
            columns,
            lambda query: (
                query.join(Case, Case.id == CaseNote.case_id)
                .join(Staff, Staff.id == CaseNote.author_id)
                .where(CaseNote.case_id == case_id, NOT_DELETED, visible_cases(self.actor))
            ),
        )
        return [
            TimelineEntry(
                NOTE,
                i,
                at,
                who,
                summary,
                bool(restricted),
                created,
                detail=activity,
                version=v,
                author_id=author_id,
            )
            for i, at, who, summary, restricted, created, activity, v, author_id in rows
        ]

    def addenda(self, case_id: int) -> list[TimelineEntry]:
        columns = (
            NoteAddendum.id,
            self._time(NoteAddendum.created_at),
            Staff.username,
            NoteAddendum.reason,
            NoteAddendum.note_id,
            CaseNote.restricted,
        )
        rows = self._read(
            columns,
            lambda query: (
                query.join(CaseNote, CaseNote.id == NoteAddendum.note_id)
                .join(Case, Case.id == CaseNote.case_id)
                .join(Staff, Staff.id == NoteAddendum.author_id)
                .where(CaseNote.case_id == case_id, NOT_DELETED, visible_cases(self.actor))
            ),
        )
        return [
            TimelineEntry(ADDENDUM, i, at, who, reason, bool(restricted), note_id=note_id)
            for i, at, who, reason, note_id, restricted in rows
        ]

    def tasks(self, case_id: int) -> list[TimelineEntry]:
        columns = (
            FollowUpTask.id,
            self._time(FollowUpTask.created_at),
            Staff.username,
            FollowUpTask.name,
            FollowUpTask.note_id,
            FollowUpTask.status,
            FollowUpTask.due_on,
            FollowUpTask.repeats,
            FollowUpTask.version,
        )
        rows = self._read(
            columns,
            lambda query: (
                query.join(Case, Case.id == FollowUpTask.case_id)
                .join(Staff, Staff.id == FollowUpTask.created_by_id)
                .where(FollowUpTask.case_id == case_id, visible_cases(self.actor))
            ),
        )
        return [
            TimelineEntry(
                TASK,
                i,
                at,
                who,
                name,
                note_id=note_id,
                status=status,
                due_on=due,
                repeats=repeats,
                version=v,
            )
            for i, at, who, name, note_id, status, due, repeats, v in rows
        ]

    def events(self, case_id: int) -> list[TimelineEntry]:
        columns = (
            CaseEvent.id,
            self._time(CaseEvent.at),
            Staff.username,
            CaseEvent.kind,
            CaseEvent.before,
            CaseEvent.after,
        )
        rows = self._read(
            columns,
            lambda query: (
                query.join(Case, Case.id == CaseEvent.case_id)
                .join(Staff, Staff.id == CaseEvent.actor_id)
                .where(CaseEvent.case_id == case_id, visible_cases(self.actor))
            ),
        )
        return [
            TimelineEntry(EVENT, i, at, who, f"{before or '—'} → {after or '—'}", detail=kind)
            for i, at, who, kind, before, after in rows
        ]

    def client_names(self, case_numbers: list[str]) -> dict[str, str]:
        """Case number to client name, for the cases among these the actor may see."""
        names: dict[str, str] = {}
        case_numbers = [n for n in case_numbers if storable(n)]  # others name no stored case
        for start in range(0, len(case_numbers), 500):  # stay under SQLite's parameter limit
            chunk = case_numbers[start : start + 500]
            rows = self._read(
                (Case.case_number, Client.name),
                lambda query, chunk=chunk: query.join(Client, Client.id == Case.client_id).where(
                    Case.case_number.in_(chunk), visible_cases(self.actor)
                ),
            )  # type: ignore[attr-defined]
            names.update({number: name for number, name in rows})
        return names
