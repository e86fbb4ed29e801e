"""One note (and follow-up task) for many cases at once, after a group activity: all or nothing.

Every case is checked before anything is written; if any refuses, nothing is written and
every refused case is named.
"""

from __future__ import annotations

import uuid

from casetui.domain.actor import Actor
from casetui.domain.enums import Grant
from casetui.domain.errors import ValidationError
from casetui.domain.read_models import BulkResult
from casetui.services import audit, policy
from casetui.services.access import writable_cases
from casetui.services.note_rules import NoteInput
from casetui.services.notes import insert_note, validate_note_and_tasks
from casetui.services.records import saved_id, snapshot
from casetui.services.tasks import TaskInput, ValidTask, insert_tasks
from casetui.services.work import Database, writing

# The most cases one bulk note may go to; the caseload's "select all" stops here too.
BULK_MAX_CASES = 5000


def ensure_may_bulk_note(actor: Actor) -> None:
    """Bulk notes are for writers holding the bulk_actions grant."""
    policy.ensure_writer(actor)
    policy.ensure_grant(actor, Grant.BULK_ACTIONS, "a bulk note")


def may_bulk_note(actor: Actor) -> bool:
    return policy.can(ensure_may_bulk_note, actor)


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
    with writing(db, actor) as work:
        valid, valid_tasks = validate_note_and_tasks(work, actor, note, [task] if task else [])
        valid_task: ValidTask | None = valid_tasks[0] if valid_tasks else None
        targets = writable_cases(work, numbers)
        batch_id = str(uuid.uuid4())
        rows = [insert_note(work, actor, case, valid, batch_id) for case in targets]
        work.session.flush()
        for case, row in zip(targets, rows, strict=True):
            audit.record(
                work, actor, "note.add", "case_note", row.id, case_id=case.id,
                after=snapshot(row, batch_id=batch_id),
            )  # fmt: skip
        task_ids: list[int] = []
        if valid_task is not None:
            items: list[tuple[int, ValidTask, int | None]] = [
                (saved_id(c), valid_task, r.id) for c, r in zip(targets, rows, strict=True)
            ]
            task_ids = [saved_id(t) for t in insert_tasks(work, actor, items)]
        work.commit()
        return BulkResult(
            batch_id=batch_id,
            note_ids=tuple(saved_id(r) for r in rows),
            task_ids=tuple(task_ids),
            case_numbers=tuple(c.case_number for c in targets),
        )
