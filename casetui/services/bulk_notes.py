"""One note (and follow-up task) for many cases at once, after a group activity: all or nothing.

Every case is checked before anything is written; if any refuses, nothing is written and
every refused case is named. The checks run first without the write lock, then again under
it, and the writing itself is one insert per table (notes, tasks, audit events), so other
people's saves wait a moment, not the whole run, and never give up behind a bulk note.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Result, insert, or_, select, update
from sqlmodel import col

from casetui.domain.actor import Actor
from casetui.domain.errors import ValidationError
from casetui.domain.limits import BULK_MAX_CASES
from casetui.domain.models import Case, CaseNote, FollowUpTask, TaskResponsible
from casetui.domain.read_models.notes import BulkResult
from casetui.services import audit, policy
from casetui.services.access import writable_cases
from casetui.services.note_rules import NoteInput, ValidNote
from casetui.services.notes import note_values, validate_note_and_tasks
from casetui.services.records import saved_id, snapshot_of
from casetui.services.signoff import send_new_notes
from casetui.services.tasks import TaskInput, ValidTask, refresh_next_task_due, task_values
from casetui.services.work import Database, Work, reading, retry_collisions, writing


def ensure_may_bulk_note(actor: Actor) -> None:
    """Bulk notes are for writers holding the bulk_actions grant."""
    policy.ensure_bulk_writer(actor, "a bulk note")


def may_bulk_note(actor: Actor) -> bool:
    return policy.can(ensure_may_bulk_note, actor)


@retry_collisions
def bulk_add_notes(
    db: Database,
    actor: Actor,
    case_numbers: list[str] | tuple[str, ...],
    note: NoteInput,
    task: TaskInput | None = None,
) -> BulkResult:
    """The same note (and task) on many cases: all written, or none and every refusal named."""
    ensure_may_bulk_note(actor)
    numbers = list(dict.fromkeys(n.strip() for n in case_numbers if n and n.strip()))
    if not numbers:
        raise ValidationError("cases", "choose at least one case")
    if len(numbers) > BULK_MAX_CASES:
        raise ValidationError(
            "cases", f"{len(numbers)} cases; a bulk note may go to at most {BULK_MAX_CASES}"
        )
    with reading(db, actor) as work:
        # Everything that may refuse, asked before the write lock is taken: a refused bulk
        # note keeps nobody waiting.
        _checked(work, actor, numbers, note, task)
    with writing(db, actor) as work:
        # Asked again under the lock (a case may have been reassigned meanwhile): about a
        # tenth of a second for 5,000 cases, then only the inserts, a statement per table.
        valid, valid_task, targets = _checked(work, actor, numbers, note, task)
        batch_id = str(uuid.uuid4())
        note_ids = _write_notes(work, actor, targets, valid, batch_id)
        task_ids: list[int] = []
        if valid_task is not None:
            task_ids = _write_tasks(work, actor, targets, valid_task, note_ids)
        if valid.activity_type in work.settings.signoff_activity_types:
            send_new_notes(work, actor, note_ids, targets, valid.summary, batch_id)
        work.commit()
        return BulkResult(
            batch_id=batch_id,
            note_ids=tuple(note_ids),
            task_ids=tuple(task_ids),
            case_numbers=tuple(c.case_number for c in targets),
        )


def _checked(
    work: Work, actor: Actor, numbers: list[str], note: NoteInput, task: TaskInput | None
) -> tuple[ValidNote, ValidTask | None, list[Case]]:
    valid, valid_tasks = validate_note_and_tasks(work, actor, note, [task] if task else [])
    return valid, (valid_tasks[0] if valid_tasks else None), writable_cases(work, numbers)


def _write_notes(
    work: Work, actor: Actor, targets: list[Case], valid: ValidNote, batch_id: str
) -> list[int]:
    """One note per case, and each case's last interaction moved up to it."""
    connection = work.session.connection()
    case_ids = [saved_id(case) for case in targets]
    rows = [note_values(work, actor, case_id, valid, batch_id) for case_id in case_ids]
    connection.execute(insert(CaseNote), rows)
    # Each case's new note, read back by the batch in one query: RETURNING in the order given
    # would cost SQLite a statement per row.
    note_of_case = _ids_by(
        connection.execute(
            select(col(CaseNote.case_id), col(CaseNote.id)).where(
                col(CaseNote.batch_id) == batch_id
            )
        ),
        len(rows),
    )
    note_ids = [note_of_case[case_id] for case_id in case_ids]
    last = col(Case.last_interaction_at)
    # No version bump: a new note is not an edit of the case.
    connection.execute(
        update(Case)
        .where(col(Case.id).in_(case_ids), or_(last.is_(None), last < valid.contact_at))
        .values(last_interaction_at=valid.contact_at)
    )
    after = snapshot_of(CaseNote, rows[0], batch_id=batch_id)  # the same note on every case
    audit.record_many(
        work, actor, "note.add", "case_note",
        [audit.Entry(n, c, after) for n, c in zip(note_ids, case_ids, strict=True)],
    )  # fmt: skip
    return note_ids


def _write_tasks(
    work: Work, actor: Actor, targets: list[Case], task: ValidTask, note_ids: list[int]
) -> list[int]:
    """The follow-up task on every case, each tied to that case's new note."""
    connection = work.session.connection()
    case_ids = [saved_id(case) for case in targets]
    rows = [
        task_values(work, actor, case_id, task, note_id)
        for case_id, note_id in zip(case_ids, note_ids, strict=True)
    ]
    connection.execute(insert(FollowUpTask), rows)
    task_of_note = _ids_by(
        connection.execute(
            select(col(FollowUpTask.note_id), col(FollowUpTask.id)).where(
                col(FollowUpTask.note_id).in_(note_ids)
            )
        ),
        len(rows),
    )
    task_ids = [task_of_note[note_id] for note_id in note_ids]
    responsible = [
        {"task_id": task_id, "staff_id": staff_id}
        for task_id in task_ids
        for staff_id in task.responsible_ids
    ]
    if responsible:
        connection.execute(insert(TaskResponsible), responsible)
    refresh_next_task_due(work, case_ids)
    who = list(task.responsible_ids)
    audit.record_many(
        work, actor, "task.add", "follow_up_task",
        [
            audit.Entry(task_id, row["case_id"], snapshot_of(FollowUpTask, row, responsible=who))
            for task_id, row in zip(task_ids, rows, strict=True)
        ],
    )  # fmt: skip
    return task_ids


def _ids_by(found: Result[Any, Any], expected: int) -> dict[int, int]:
    """The ids of the rows just written, by the record each belongs to (one each)."""
    ids: dict[int, int] = {}
    for key, row_id in found:
        assert isinstance(key, int) and isinstance(row_id, int)
        ids[key] = row_id
    assert len(ids) == expected
    return ids
