"""Follow-up tasks: add, complete (a repeating one makes its next occurrence), cancel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlmodel import col

from casetui.domain.actor import Actor
from casetui.domain.dates import parse_date
from casetui.domain.enums import Repeats, Role, TaskStatus
from casetui.domain.errors import RuleError, ValidationError
from casetui.domain.limits import DETAILS_MAX, SUMMARY_MAX
from casetui.domain.models import (
    Case,
    FollowUpTask,
    Staff,
    TaskResponsible,
)
from casetui.domain.read_models.notes import TaskView
from casetui.domain.recurrence import next_due, validate_rrule
from casetui.domain.storable import storable
from casetui.services import audit, validation
from casetui.services.access import writable_case_by_number, writable_case_of
from casetui.services.records import save_versioned, saved_id, snapshot, stale
from casetui.services.work import Database, Work, retry_collisions, writing

# How far ahead or back a due date may sensibly be.
DUE_WINDOW = timedelta(days=5 * 366)


@dataclass(frozen=True)
class TaskInput:
    name: str
    due: str | date
    repeats: str = Repeats.NONE.value
    rrule: str | None = None
    responsible: tuple[str, ...] = ()  # usernames; nobody named means the author
    assigned_to_client: bool = False
    details: str = ""


@dataclass(frozen=True)
class ValidTask:
    name: str
    due_on: date
    repeats: Repeats
    rrule: str | None
    responsible_ids: tuple[int, ...]
    assigned_to_client: bool
    details: str


def validate_task(uow: Work, actor: Actor, task: TaskInput, *, label: str = "task") -> ValidTask:
    name = validation.text(
        task.name, f"{label} name", max_length=SUMMARY_MAX, required=True, single_line=True
    )
    today = uow.today()
    if isinstance(task.due, date):
        due_on = task.due
    else:
        due_on = parse_date(task.due, today, prefer="future", field=f"{label} due date")
    if abs(due_on - today) > DUE_WINDOW:
        raise ValidationError(
            f"{label} due date", f"{due_on.isoformat()} is more than five years away"
        )
    repeats, rule = check_repeats(task.repeats, task.rrule, due_on, field=f"{label} repeats")
    details = validation.text(task.details, f"{label} details", max_length=DETAILS_MAX)
    usernames = [u.strip() for u in task.responsible if u and u.strip()] or [actor.username]
    found = {
        staff.username: staff
        for staff in uow.session.execute(
            # Names no database can hold match no one (and are named below), never a crash.
            select(Staff).where(col(Staff.username).in_([u for u in usernames if storable(u)]))
        ).scalars()
    }
    ids: list[int] = []
    for username in dict.fromkeys(usernames):
        staff = found.get(username)
        if staff is None or not staff.active:
            raise ValidationError(
                f"{label} responsible", f"no active staff member {username[:64]!r}"
            )
        if staff.role == Role.AUDITOR.value:
            raise ValidationError(
                f"{label} responsible", f"{username} is an auditor and cannot hold tasks"
            )
        assert staff.id is not None
        ids.append(staff.id)
    return ValidTask(
        name, due_on, repeats, rule, tuple(ids), bool(task.assigned_to_client), details
    )


def check_repeats(
    repeats_in: str | None, rrule: str | None, start: date, *, field: str = "repeats"
) -> tuple[Repeats, str | None]:
    """How a task (or a reminder) first due on ``start`` repeats: one of the fixed choices, or
    a custom RRULE (checked and tidied by ``validate_rrule``, which names the field "repeats")."""
    try:
        repeats = Repeats((repeats_in or "none").strip().lower())
    except ValueError:
        allowed = ", ".join(r.value for r in Repeats)
        raise ValidationError(field, f"{repeats_in!r} is not one of: {allowed}") from None
    rule = None
    if repeats is Repeats.CUSTOM or (rrule and repeats is Repeats.NONE):
        rule = validate_rrule(rrule or "", start)
        repeats = Repeats.CUSTOM
    return repeats, rule


def insert_task(
    uow: Work,
    actor: Actor,
    case_id: int,
    task: ValidTask,
    *,
    note_id: int | None = None,
    previous_task_id: int | None = None,
) -> FollowUpTask:
    return insert_tasks(uow, actor, [(case_id, task, note_id)], previous_task_id=previous_task_id)[
        0
    ]


def task_values(
    uow: Work,
    actor: Actor,
    case_id: int,
    task: ValidTask,
    note_id: int | None,
    previous_task_id: int | None = None,
) -> dict[str, Any]:
    """The columns of a new open task: one row as the ORM or a bulk insert writes it."""
    return {
        "case_id": case_id,
        "note_id": note_id,
        "name": task.name,
        "due_on": task.due_on,
        "repeats": task.repeats.value,
        "rrule": task.rrule,
        "assigned_to_client": task.assigned_to_client,
        "details": task.details,
        "status": TaskStatus.OPEN.value,
        "created_by_id": actor.id,
        "created_at": uow.now(),
        "completed_at": None,
        "previous_task_id": previous_task_id,
        "version": 1,
    }


def insert_tasks(
    uow: Work,
    actor: Actor,
    items: list[tuple[int, ValidTask, int | None]],
    *,
    previous_task_id: int | None = None,
) -> list[FollowUpTask]:
    """Write tasks as (case id, task, note id): one flush for all, however many cases."""
    rows = [
        FollowUpTask(**task_values(uow, actor, case_id, task, note_id, previous_task_id))
        for case_id, task, note_id in items
    ]
    uow.session.add_all(rows)
    uow.session.flush()
    uow.session.add_all(
        TaskResponsible(task_id=saved_id(row), staff_id=sid)
        for row, (_, task, _) in zip(rows, items, strict=True)
        for sid in task.responsible_ids
    )
    uow.session.flush()
    refresh_next_task_due(uow, list({case_id for case_id, _, _ in items}))
    for row, (case_id, task, _) in zip(rows, items, strict=True):
        audit.record(
            uow,
            actor,
            "task.add",
            "follow_up_task",
            row.id,
            case_id=case_id,
            after=snapshot(row, responsible=list(task.responsible_ids)),
        )
    return rows


def refresh_next_task_due(uow: Work, case_ids: list[int]) -> None:
    """Keep each case's earliest open task date, which the caseload shows and sorts by."""
    earliest = (
        select(func.min(FollowUpTask.due_on))
        .where(
            col(FollowUpTask.case_id) == col(Case.id),
            col(FollowUpTask.status) == TaskStatus.OPEN.value,
        )
        .correlate(Case)
        .scalar_subquery()
    )
    # Core, not the ORM: the ORM would compare every case it holds against the statement.
    uow.session.connection().execute(
        update(Case).where(col(Case.id).in_(case_ids)).values(next_task_due=earliest)
    )
    for case_id in case_ids:
        cached = uow.session.identity_map.get((Case, (case_id,), None))
        if cached is not None:
            uow.session.expire(cached, ["next_task_due"])


@retry_collisions
def add_task(db: Database, actor: Actor, case_number: str, task: TaskInput) -> TaskView:
    with writing(db, actor) as work:
        case = writable_case_by_number(work, case_number)
        assert case.id is not None
        row = insert_task(work, actor, case.id, validate_task(work, actor, task))
        work.commit()
        assert row.id is not None
        return work.tasks.views(task_ids=[row.id])[0]


def _finish(
    work: Work, actor: Actor, task_id: int, status: TaskStatus, expected_version: int | None
) -> FollowUpTask:
    """Done or cancelled, audited; the case's next task due is the caller's to refresh."""
    row = work.tasks.get(task_id)
    writable_case_of(work, row)
    if expected_version is not None and expected_version != row.version:
        # Someone finished or cancelled it since this person saw it: say who and when.
        raise stale(work, row, yours=expected_version, now=row.version)
    if row.status != TaskStatus.OPEN.value:
        raise RuleError(f"task {task_id} is already {row.status}")
    before = snapshot(row, responsible=[])
    save_versioned(
        work, row, expected_version, {"status": status.value, "completed_at": work.now()}
    )
    audit.record(
        work, actor, f"task.{status.value}", "follow_up_task", task_id, case_id=row.case_id,
        before=before, after=snapshot(row, responsible=[]),
    )  # fmt: skip
    return row


@retry_collisions
def complete_task(
    db: Database, actor: Actor, task_id: int, *, expected_version: int | None = None
) -> tuple[TaskView, TaskView | None]:
    """Mark done; a repeating task gets its next occurrence, with the same people."""
    with writing(db, actor) as work:
        row = _finish(work, actor, task_id, TaskStatus.DONE, expected_version)
        following_id: int | None = None
        due = next_due(Repeats(row.repeats), row.due_on, row.rrule)
        if due is None:
            refresh_next_task_due(work, [row.case_id])
        else:
            valid = ValidTask(
                row.name, due, Repeats(row.repeats), row.rrule,
                tuple(work.tasks.responsible_ids(task_id)), row.assigned_to_client, row.details,
            )  # fmt: skip
            # Writing the next occurrence refreshes the case's next task due, once for both.
            nxt = insert_task(
                work, actor, row.case_id, valid, note_id=row.note_id, previous_task_id=task_id
            )
            following_id = saved_id(nxt)
        # Both answers in one read: the task done and the one that follows it.
        ids = [task_id] if following_id is None else [task_id, following_id]
        views = {view.id: view for view in work.tasks.views(task_ids=ids)}
        work.commit()
        return views[task_id], (views[following_id] if following_id is not None else None)


@retry_collisions
def cancel_task(
    db: Database, actor: Actor, task_id: int, *, expected_version: int | None = None
) -> TaskView:
    with writing(db, actor) as work:
        row = _finish(work, actor, task_id, TaskStatus.CANCELLED, expected_version)
        refresh_next_task_due(work, [row.case_id])
        cancelled = work.tasks.views(task_ids=[task_id])[0]
        work.commit()
        return cancelled


SNOOZE_MAX_DAYS = 90  # further off is a new due date, set on the task itself


def snooze_task(
    db: Database, actor: Actor, task_id: int, days: int, *, expected_version: int | None = None
) -> TaskView:
    """Put an open task off until ``days`` after today (an overdue one too: from today)."""
    if not 1 <= days <= SNOOZE_MAX_DAYS:
        raise ValidationError("snooze", f"must be from 1 to {SNOOZE_MAX_DAYS} days")
    with writing(db, actor) as work:
        row = work.tasks.get(task_id)
        writable_case_of(work, row)
        if expected_version is not None and expected_version != row.version:
            raise stale(work, row, yours=expected_version, now=row.version)
        if row.status != TaskStatus.OPEN.value:
            raise RuleError(f"task {task_id} is already {row.status}")
        before = snapshot(row, responsible=[])
        save_versioned(work, row, expected_version, {"due_on": work.today() + timedelta(days)})
        work.session.refresh(row)
        refresh_next_task_due(work, [row.case_id])
        audit.record(
            work, actor, "task.snooze", "follow_up_task", task_id, case_id=row.case_id,
            before=before, after=snapshot(row, responsible=[]),
        )  # fmt: skip
        work.commit()
        return work.tasks.views(task_ids=[task_id])[0]


__all__ = [
    "TaskInput", "ValidTask", "add_task", "cancel_task", "complete_task", "snooze_task",
]  # fmt: skip
