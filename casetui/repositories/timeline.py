"""The case timeline: notes, addenda, tasks and case changes as one light list.

Only what one timeline line shows is read here (no note details), and only a page at a
time: each kind of entry is read in timeline order from a keyset (the last entry already
shown), limited, and the four merged. A case with ten thousand entries opens on its newest
two hundred; the rest arrive as the reader scrolls. On SQLite the times stay as the stored
text (which sorts in time order) and become datetimes only for the lines on screen.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import String, and_, func, or_, select, type_coerce
from sqlmodel import Session, col

from casetui.domain.actor import Actor
from casetui.domain.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseNote,
    Client,
    Communication,
    FollowUpTask,
    NoteAddendum,
    NoteSignoff,
    Staff,
    SupportiveService,
)
from casetui.domain.storable import storable
from casetui.domain.timeline import (
    ADDENDUM,
    ATTACHMENT,
    COMMUNICATION,
    EVENT,
    NOTE,
    SERVICE,
    TASK,
    Stamp,
    TimelineEntry,
    order_key,
)
from casetui.repositories.scope import visible_cases

NOT_DELETED = col(CaseNote.deleted_at).is_(None)


class _Page(NamedTuple):
    """Which slice of a timeline to read: its direction, size and keyset."""

    newest_first: bool = True
    limit: int | None = None
    after: TimelineEntry | None = None

    def beyond(self, kind: str, at: Any, id_: Any, key_at: Stamp) -> Any:
        """Rows of ``kind`` that come after the keyset entry in this page's direction.

        The same comparison as ``order_key`` on (at, kind, id), with kind fixed per query.
        """
        assert self.after is not None
        later = (lambda a, b: a < b) if self.newest_first else (lambda a, b: a > b)
        if kind == self.after.kind:
            return or_(later(at, key_at), and_(at == key_at, later(id_, self.after.id)))
        if later(kind, self.after.kind):
            return or_(later(at, key_at), at == key_at)
        return later(at, key_at)


EVERYTHING = _Page()

# Where each kind of entry is kept (an addendum belongs to its case through its note).
_TABLES: dict[str, Any] = {
    NOTE: CaseNote, ADDENDUM: NoteAddendum, TASK: FollowUpTask, EVENT: CaseEvent,
    COMMUNICATION: Communication, SERVICE: SupportiveService, ATTACHMENT: Attachment,
}  # fmt: skip
# Kinds whose rows are soft-deleted: a deleted one is not on the timeline.
_SOFT_DELETED = (CaseNote, Communication, SupportiveService, Attachment)


class TimelineRepository:
    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor
        self._raw_times = session.get_bind().dialect.name == "sqlite"

    def _time(self, column: Any) -> Any:
        return type_coerce(column, String) if self._raw_times else column

    def entries(
        self,
        case_id: int,
        *,
        newest_first: bool = True,
        limit: int | None = None,
        after: TimelineEntry | None = None,
    ) -> list[TimelineEntry]:
        """The case's entries the actor may see in timeline order: all, or ``limit`` of them
        following ``after`` (an entry of an earlier page)."""
        page = _Page(newest_first, limit, after)
        found = (
            self.notes(case_id, page)
            + self.addenda(case_id, page)
            + self.tasks(case_id, page)
            + self.events(case_id, page)
            + self.communications(case_id, page)
            + self.services(case_id, page)
            + self.attachments(case_id, page)
        )
        found.sort(key=order_key, reverse=newest_first)
        return found if limit is None else found[:limit]

    def count(self, case_id: int) -> int:
        """How many entries ``entries`` would give in all."""
        connection = self.session.connection()
        return sum(
            connection.execute(
                self._of_case(kind, case_id, select(func.count()).select_from(table))
            ).scalar_one()
            for kind, table in _TABLES.items()
        )

    def _of_case(self, kind: str, case_id: int, query: Any) -> Any:
        """``query`` narrowed to the case's rows of ``kind`` that the actor may see: the one
        place reading a page and counting them both take their rows from."""
        if kind == ADDENDUM:
            query = query.join(CaseNote, CaseNote.id == NoteAddendum.note_id)
        table = CaseNote if kind in (NOTE, ADDENDUM) else _TABLES[kind]
        query = query.join(Case, Case.id == table.case_id).where(
            table.case_id == case_id, visible_cases(self.actor)
        )
        if kind == ATTACHMENT:
            # A note's attachment goes with its note: a deleted note's is not shown.
            query = query.outerjoin(CaseNote, CaseNote.id == Attachment.note_id).where(
                or_(col(Attachment.note_id).is_(None), NOT_DELETED)
            )
        return query.where(col(table.deleted_at).is_(None)) if table in _SOFT_DELETED else query

    def _read(
        self, kind: str, columns: tuple[Any, ...], at: Any, id_: Any, query: Any, page: _Page
    ) -> list[Any]:
        """Plain rows through the connection (no ORM objects), in timeline order from the
        page's keyset, at most the page's limit of them."""
        at = self._time(at)
        statement = query(select(*columns))
        if page.after is not None:
            statement = statement.where(
                page.beyond(kind, at, id_, self._key_time(page.after.stamp))
            )
        if page.limit is not None:
            ordered = (at.desc(), id_.desc()) if page.newest_first else (at.asc(), id_.asc())
            statement = statement.order_by(*ordered).limit(page.limit)
        return list(self.session.connection().execute(statement))

    def _key_time(self, value: Stamp) -> Stamp:
        """A keyset time in the form the column compares with: stored text on SQLite."""
        if self._raw_times and isinstance(value, datetime):
            return f"{value.astimezone(UTC):%Y-%m-%d %H:%M:%S.%f}"
        return value

    def notes(self, case_id: int, page: _Page = EVERYTHING) -> list[TimelineEntry]:
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
            CaseNote.imported,
            NoteSignoff.state,
        )
        rows = self._read(
            NOTE,
            columns,
            CaseNote.contact_at,
            CaseNote.id,
            # The sign-off's state rides along in the page's one query (one row a note at most).
            lambda query: (
                self._of_case(NOTE, case_id, query)
                .join(Staff, Staff.id == CaseNote.author_id)
                .outerjoin(NoteSignoff, NoteSignoff.note_id == CaseNote.id)
            ),
            page,
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
                imported=bool(imported),
                signoff=signoff,
            )
            for i, at, who, summary, restricted, created, activity, v, author_id, imported, signoff
            in rows
        ]  # fmt: skip

    def addenda(self, case_id: int, page: _Page = EVERYTHING) -> list[TimelineEntry]:
        columns = (
            NoteAddendum.id,
            self._time(NoteAddendum.created_at),
            Staff.username,
            NoteAddendum.reason,
            NoteAddendum.note_id,
            CaseNote.restricted,
        )
        rows = self._read(
            ADDENDUM,
            columns,
            NoteAddendum.created_at,
            NoteAddendum.id,
            lambda query: self._of_case(ADDENDUM, case_id, query).join(
                Staff, Staff.id == NoteAddendum.author_id
            ),
            page,
        )
        return [
            TimelineEntry(ADDENDUM, i, at, who, reason, bool(restricted), note_id=note_id)
            for i, at, who, reason, note_id, restricted in rows
        ]

    def tasks(self, case_id: int, page: _Page = EVERYTHING) -> list[TimelineEntry]:
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
            TASK,
            columns,
            FollowUpTask.created_at,
            FollowUpTask.id,
            lambda query: self._of_case(TASK, case_id, query).join(
                Staff, Staff.id == FollowUpTask.created_by_id
            ),
            page,
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

    def events(self, case_id: int, page: _Page = EVERYTHING) -> list[TimelineEntry]:
        columns = (
            CaseEvent.id,
            self._time(CaseEvent.at),
            Staff.username,
            CaseEvent.kind,
            CaseEvent.before,
            CaseEvent.after,
        )
        rows = self._read(
            EVENT,
            columns,
            CaseEvent.at,
            CaseEvent.id,
            lambda query: self._of_case(EVENT, case_id, query).join(
                Staff, Staff.id == CaseEvent.actor_id
            ),
            page,
        )
        return [
            TimelineEntry(EVENT, i, at, who, f"{before or '—'} → {after or '—'}", detail=kind)
            for i, at, who, kind, before, after in rows
        ]

    def communications(self, case_id: int, page: _Page = EVERYTHING) -> list[TimelineEntry]:
        columns = (
            Communication.id,
            self._time(Communication.occurred_at),
            Staff.username,
            Communication.subject,
            self._time(Communication.created_at),
            Communication.kind,
            Communication.direction,
            Communication.reminder_state,
            Communication.send_on,
            Communication.repeats,
            Communication.version,
            Communication.author_id,
        )
        rows = self._read(
            COMMUNICATION,
            columns,
            Communication.occurred_at,
            Communication.id,
            lambda query: self._of_case(COMMUNICATION, case_id, query).join(
                Staff, Staff.id == Communication.author_id
            ),
            page,
        )
        return [
            TimelineEntry(
                COMMUNICATION,
                i,
                at,
                who,
                subject,
                created_stamp=created,
                status=state,
                due_on=send_on,
                repeats=repeats,
                detail=kind,
                version=v,
                author_id=author_id,
                direction=direction,
            )
            for i, at, who, subject, created, kind, direction, state, send_on, repeats, v, author_id in rows
        ]

    def services(self, case_id: int, page: _Page = EVERYTHING) -> list[TimelineEntry]:
        columns = (
            SupportiveService.id,
            self._time(SupportiveService.created_at),
            Staff.username,
            SupportiveService.service_type,
            SupportiveService.provided_on,
            SupportiveService.grant,
            SupportiveService.amount,
            SupportiveService.version,
            SupportiveService.author_id,
        )
        rows = self._read(
            SERVICE,
            columns,
            SupportiveService.created_at,
            SupportiveService.id,
            lambda query: self._of_case(SERVICE, case_id, query).join(
                Staff, Staff.id == SupportiveService.author_id
            ),
            page,
        )
        return [
            TimelineEntry(
                SERVICE,
                i,
                at,
                who,
                service,
                due_on=given,
                detail=grant,
                version=v,
                author_id=author_id,
                amount=amount,
            )
            for i, at, who, service, given, grant, amount, v, author_id in rows
        ]

    def attachments(self, case_id: int, page: _Page = EVERYTHING) -> list[TimelineEntry]:
        columns = (
            Attachment.id,
            self._time(Attachment.created_at),
            Staff.username,
            Attachment.name,
            Attachment.restricted,
            func.coalesce(CaseNote.restricted, False),
            Attachment.note_id,
            Attachment.media_type,
            Attachment.size,
            Attachment.uploaded_by_id,
        )
        rows = self._read(
            ATTACHMENT,
            columns,
            Attachment.created_at,
            Attachment.id,
            lambda query: self._of_case(ATTACHMENT, case_id, query).join(
                Staff, Staff.id == Attachment.uploaded_by_id
            ),
            page,
        )
        return [
            TimelineEntry(
                ATTACHMENT,
                i,
                at,
                who,
                name,
                # Restricted with its note, or on its own.
                bool(restricted) or bool(note_restricted),
                note_id=note_id,
                detail=media_type,
                author_id=uploader,
                size=size,
            )
            for i, at, who, name, restricted, note_restricted, note_id, media_type, size, uploader in rows
        ]

    def client_names(self, case_numbers: list[str]) -> dict[str, str]:
        """Case number to client name, for the cases among these the actor may see."""
        names: dict[str, str] = {}
        case_numbers = [n for n in case_numbers if storable(n)]  # others name no stored case
        for start in range(0, len(case_numbers), 500):  # stay under SQLite's parameter limit
            chunk = case_numbers[start : start + 500]
            query = (
                select(col(Case.case_number), col(Client.name))
                .join(Client, col(Client.id) == Case.client_id)
                .where(col(Case.case_number).in_(chunk), visible_cases(self.actor))
            )
            rows = self.session.connection().execute(query)
            names.update({number: name for number, name in rows})
        return names
