"""Staff inboxes: who a case's news goes to, the rows that carry it, and each person's own.

``case_recipients`` and ``deliver`` are not scoped to the acting staff member: a note
written by one person notifies others. ``Inbox`` is: made for one staff member, every read
and write of it touches only their own notifications.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, cast, exists, func, literal, or_, select, update
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from casetui.domain.enums import RecordStatus, TaskStatus
from casetui.domain.models import (
    Case,
    CaseNavigator,
    Client,
    FollowUpTask,
    Notification,
    Staff,
    TaskResponsible,
)
from casetui.domain.read_models.inbox import NotificationView
from casetui.domain.storable import storable_id

# Rows a single INSERT carries when many events are delivered at once.
INSERT_CHUNK = 500


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
    return _insert_new(session, rows)


def _insert_new(session: Session, rows: Sequence[Mapping[str, object]]) -> int:
    """Insert the notifications nobody has yet (by person and event); how many were new."""
    # The dialect's own insert, imported here: SQLite need not load PostgreSQL's dialect.
    insert: Any
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    new = 0
    for start in range(0, len(rows), INSERT_CHUNK):
        statement = insert(Notification).values(list(rows[start : start + INSERT_CHUNK]))
        # Counted from RETURNING: a driver's rowcount for INSERT ... ON CONFLICT is not reliable.
        returning = statement.on_conflict_do_nothing().returning(col(Notification.id))
        new += len(session.execute(returning).all())
    return new


@dataclass(frozen=True, slots=True)
class DueTask:
    """An open task due on or before a day, on a case of the inbox's owner."""

    task_id: int
    case_id: int
    due_on: date
    name: str


def task_due_key(task_id: int, due_on: date) -> str:
    """The event of a task falling due: a new due date (snoozed, moved) is a new event."""
    return f"task-due:{task_id}:{due_on.isoformat()}"


class Inbox:
    """One staff member's notifications; nothing here reads or changes anyone else's."""

    def __init__(self, session: Session, staff_id: int) -> None:
        self.session = session
        self.staff_id = staff_id

    # --- tasks falling due --------------------------------------------------------------------

    def due_tasks_untold(
        self, today: date, *, closed_clients_too: bool, told_too: bool = False
    ) -> list[DueTask]:
        """Open tasks due today or before that this person is responsible for, on cases they
        are assigned to, of which their inbox has not yet been told (at this due date; with
        ``told_too``, all of them: the Today list).

        Responsible: named on the task; a task naming nobody still assigned to the case is
        its primary worker's. Read from the person's cases (as primary worker, then as
        navigator) with a task due, through the tasks' (case, status, due date) index, so the
        cost follows their cases and due tasks, not every task they ever held."""
        me = self.staff_id
        mine = exists().where(
            col(TaskResponsible.task_id) == FollowUpTask.id, col(TaskResponsible.staff_id) == me
        )
        responsible = aliased(TaskResponsible)
        navigator = aliased(CaseNavigator)
        someone_on_the_case = exists().where(
            col(responsible.task_id) == FollowUpTask.id,
            or_(
                col(responsible.staff_id) == Case.primary_worker_id,
                exists()
                .where(
                    col(navigator.case_id) == Case.id,
                    col(navigator.staff_id) == responsible.staff_id,
                )
                .correlate(Case, responsible),  # the enclosing rows, not tables of its own
            ),
        )
        told = exists().where(
            col(Notification.staff_id) == me, col(Notification.event_key) == self._due_key()
        )
        live = [
            col(FollowUpTask.status) == TaskStatus.OPEN.value,
            col(FollowUpTask.due_on) <= today,
            col(Case.deleted_at).is_(None),
            # The case's earliest open task, kept by the task services for the caseload: only
            # cases with a task due are looked into (a third of the time for 4,500 cases).
            col(Case.next_task_due) <= today,
        ]
        if not told_too:
            live.append(~told)
        if not closed_clients_too:
            live.append(col(Client.record_status) == RecordStatus.ACTIVE.value)

        def tasks_of(cases: Any, *conditions: ColumnElement[bool]) -> list[DueTask]:
            query = (
                cases.join(FollowUpTask, col(FollowUpTask.case_id) == Case.id)
                .join(Client, col(Client.id) == Case.client_id)
                .where(*live, *conditions)
            )
            return [DueTask(*row) for row in self.session.execute(query)]

        columns = (
            col(FollowUpTask.id), col(FollowUpTask.case_id), col(FollowUpTask.due_on),
            col(FollowUpTask.name),
        )  # fmt: skip
        as_worker = tasks_of(
            select(*columns).select_from(Case).where(col(Case.primary_worker_id) == me),
            or_(mine, ~someone_on_the_case),
        )
        as_navigator = tasks_of(
            select(*columns)
            .select_from(CaseNavigator)
            .join(Case, col(Case.id) == CaseNavigator.case_id)
            .where(col(CaseNavigator.staff_id) == me),
            mine,
        )
        found = {task.task_id: task for task in as_worker + as_navigator}
        return sorted(found.values(), key=lambda task: (task.due_on, task.task_id))

    def _due_key(self) -> ColumnElement[str]:
        """``task_due_key`` written in SQL, so the inbox is asked in the same query."""
        day: ColumnElement[str]
        if self.session.get_bind().dialect.name == "postgresql":
            # Not a cast: a date's text would follow the server's DateStyle.
            day = func.to_char(FollowUpTask.due_on, "YYYY-MM-DD")
        else:
            day = cast(FollowUpTask.due_on, String)  # SQLite keeps dates as ISO text
        return literal("task-due:") + cast(FollowUpTask.id, String) + literal(":") + day

    def deliver(self, events: Iterable[tuple[str, int | None, str, str]], at: datetime) -> int:
        """(kind, case id, event key, text) for this person, each once; how many were new."""
        rows = [
            {"staff_id": self.staff_id, "kind": kind, "case_id": case_id, "event_key": key,
             "text": text, "created_at": at}
            for kind, case_id, key, text in events
        ]  # fmt: skip
        return _insert_new(self.session, rows)

    # --- reading ------------------------------------------------------------------------------

    def _own(self, *, unread_only: bool = False) -> list[ColumnElement[bool]]:
        conditions = [col(Notification.staff_id) == self.staff_id]
        if unread_only:
            conditions.append(col(Notification.read_at).is_(None))
        return conditions

    def count(self, *, unread_only: bool = False) -> int:
        query = (
            select(func.count())
            .select_from(Notification)
            .where(*self._own(unread_only=unread_only))
        )
        return int(self.session.execute(query).scalar_one())

    def page(
        self, *, unread_only: bool = False, before: int | None = None, limit: int | None = None
    ) -> list[NotificationView]:
        """Newest first; ``before``: the id of the last one already shown."""
        query = (
            select(
                col(Notification.id), col(Notification.kind), col(Notification.case_id),
                col(Case.case_number), col(Notification.text), col(Notification.created_at),
                col(Notification.read_at),
            )
            .outerjoin(Case, col(Case.id) == Notification.case_id)
            .where(*self._own(unread_only=unread_only))
            .order_by(col(Notification.id).desc())
        )  # fmt: skip
        if before is not None:
            query = query.where(col(Notification.id) < before)
        if limit is not None:
            query = query.limit(limit)
        return [NotificationView(*row) for row in self.session.execute(query)]

    def owned(self, ids: Iterable[int]) -> set[int]:
        """Which of ``ids`` are this person's notifications."""
        wanted = [i for i in set(ids) if storable_id(i)]
        found: set[int] = set()
        for start in range(0, len(wanted), INSERT_CHUNK):
            chunk = wanted[start : start + INSERT_CHUNK]
            found.update(
                self.session.execute(
                    select(col(Notification.id)).where(
                        *self._own(), col(Notification.id).in_(chunk)
                    )
                ).scalars()
            )
        return found

    def case_of(self, notification_id: int) -> int | None:
        return self.session.execute(
            select(col(Notification.case_id)).where(
                *self._own(), col(Notification.id) == notification_id
            )
        ).scalar_one_or_none()

    # --- marking read -------------------------------------------------------------------------

    def mark_read(self, ids: Sequence[int], at: datetime) -> int:
        """Mark these (all this person's: asked first) read; how many were unread."""
        changed = 0
        for start in range(0, len(ids), INSERT_CHUNK):
            chunk = list(ids[start : start + INSERT_CHUNK])
            changed += self._mark(at, col(Notification.id).in_(chunk))
        return changed

    def mark_all_read(self, at: datetime) -> int:
        return self._mark(at)

    def _mark(self, at: datetime, *conditions: ColumnElement[bool]) -> int:
        statement = (
            update(Notification)
            .where(*self._own(unread_only=True), *conditions)
            .values(read_at=at)
            .returning(col(Notification.id))
        )
        # Core, not the ORM: nothing this session holds needs matching against the update.
        return len(self.session.connection().execute(statement).all())
