"""Case notes on one case: add, edit, delete, restore, addenda, and the notes of a case.

The rules a note must meet live in ``note_rules``; a note for many cases at once in
``bulk_notes``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import col

from casetui.domain.actor import Actor
from casetui.domain.errors import NotFound, ValidationError
from casetui.domain.limits import DETAILS_MAX, SUMMARY_MAX
from casetui.domain.models import Case, CaseNote, NoteAddendum
from casetui.domain.read_models.notes import NoteView
from casetui.repositories.notes import note_view
from casetui.services import audit, policy, validation
from casetui.services.access import writable_case_by_number, writable_case_of
from casetui.services.exports import record_export
from casetui.services.note_rules import (
    NoteChanges,
    NoteInput,
    ValidNote,
    check_contact,
    check_contact_at,
    lock_check,
    validate_note,
)
from casetui.services.records import save_versioned, saved_id, snapshot
from casetui.services.signoff import send_new_note
from casetui.services.tasks import TaskInput, ValidTask, insert_task, validate_task
from casetui.services.work import Database, Work, retry_collisions, writing

__all__ = [
    "NoteChanges", "NoteInput", "NotFound", "add_addendum", "add_note", "delete_note",
    "edit_note", "list_notes", "restore_note",
]  # fmt: skip


def note_values(
    work: Work, actor: Actor, case_id: int, note: ValidNote, batch_id: str | None
) -> dict[str, Any]:
    """The columns of a new note: one row as the ORM or a bulk insert writes it."""
    now = work.now()
    return {
        "case_id": case_id,
        "author_id": actor.id,
        "contact_at": note.contact_at,
        "activity_type": note.activity_type,
        "contact_type": note.contact_type,
        "third_party_org": note.third_party_org,
        "summary": note.summary,
        "details": note.details,
        "restricted": note.restricted,
        "batch_id": batch_id,
        "created_at": now,
        "updated_at": now,
        "deleted_at": None,
        "version": 1,
        "imported": False,
    }


def insert_note(
    work: Work, actor: Actor, case: Case, note: ValidNote, batch_id: str | None
) -> CaseNote:
    assert case.id is not None
    row = CaseNote(**note_values(work, actor, case.id, note, batch_id))
    work.session.add(row)
    if case.last_interaction_at is None or note.contact_at > case.last_interaction_at:
        # Writers are serialised (see UnitOfWork), so this read-then-write cannot go back in
        # time; no version bump: a new note is not an edit of the case.
        case.last_interaction_at = note.contact_at
    return row


def validate_note_and_tasks(
    work: Work, actor: Actor, note: NoteInput, tasks: list[TaskInput] | tuple[TaskInput, ...]
) -> tuple[ValidNote, list[ValidTask]]:
    """The note and its tasks, every refusal gathered before any is raised."""
    fields = validation.Fields()
    valid = fields.check(validate_note, work, note)
    many = len(tasks) > 1
    valid_tasks = [
        fields.check(validate_task, work, actor, t, label=f"task {i + 1}" if many else "task")
        for i, t in enumerate(tasks)
    ]
    fields.done()
    return valid, valid_tasks


def _view(work: Work, note_id: int) -> NoteView:
    return work.notes.views(
        note_ids=[note_id], lock_days=work.settings.lock_days, now=work.now(), include_deleted=True
    )[0]


@retry_collisions
def add_note(
    db: Database,
    actor: Actor,
    case_number: str,
    note: NoteInput,
    tasks: list[TaskInput] | tuple[TaskInput, ...] = (),
) -> NoteView:
    """One note on one case, with zero or more follow-up tasks, in one transaction."""
    with writing(db, actor) as work:
        case = writable_case_by_number(work, case_number)
        assert case.id is not None
        valid, valid_tasks = validate_note_and_tasks(work, actor, note, tasks)
        row = insert_note(work, actor, case, valid, None)
        work.session.flush()
        assert row.id is not None
        audit.record(
            work, actor, "note.add", "case_note", row.id, case_id=case.id, after=snapshot(row)
        )
        for task in valid_tasks:
            insert_task(work, actor, case.id, task, note_id=row.id)
        sent = valid.activity_type in work.settings.signoff_activity_types
        if sent:
            send_new_note(work, actor, row, case)
        work.commit()
        # The note as written, from the rows in hand: a new note has no addenda yet, and
        # reading it all back took a third of a save's time.
        return note_view(
            row, case.case_number, actor.username, actor.display_name, addenda=(),
            signoff=work.signoffs.views([row.id]).get(row.id) if sent else None,
            lock_days=work.settings.lock_days, now=work.now(),
        )  # fmt: skip


# --- changing ----------------------------------------------------------------------------


def _writable_note(work: Work, actor: Actor, note_id: int) -> tuple[CaseNote, Case]:
    note = work.notes.get(note_id)
    case = writable_case_of(work, note)
    policy.ensure_may_change_note(actor, note)
    return note, case


def recompute_last_interaction(work: Work, case: Case) -> None:
    """The case's latest contact with the client: its notes' and its communications' (not
    reminders: those are sent, not contacts)."""
    latest = work.session.execute(
        select(func.max(CaseNote.contact_at)).where(
            col(CaseNote.case_id) == case.id,
            col(CaseNote.deleted_at).is_(None),
        )
    ).scalar_one_or_none()
    # func.max bypasses the column type on SQLite; bring it back to an aware datetime.
    if isinstance(latest, str):
        latest = datetime.fromisoformat(latest)
    if latest is not None and latest.tzinfo is None:
        latest = latest.replace(tzinfo=UTC)
    assert case.id is not None
    contact = work.communications.latest_contact(case.id)
    if contact is not None and (latest is None or contact > latest):
        latest = contact
    case.last_interaction_at = latest


def _save_change(
    work: Work,
    note: CaseNote,
    case: Case,
    expected_version: int | None,
    values: dict[str, object],
    *,
    action: str,
    override: str | None = None,
    recount: bool = True,
) -> NoteView:
    """Save a change to a note from the version the person saw, audit it (an override with its
    reason), keep the case's last interaction true, and commit."""
    before = snapshot(note)
    save_versioned(work, note, expected_version, {**values, "updated_at": work.now()})
    if recount:
        recompute_last_interaction(work, case)
    after = snapshot(note, override_reason=override) if override else snapshot(note)
    audit.record(
        work, work.actor, f"note.override_{action}" if override else f"note.{action}",
        "case_note", note.id, case_id=case.id, before=before, after=after,
    )  # fmt: skip
    work.commit()
    return _view(work, saved_id(note))


@retry_collisions
def edit_note(
    db: Database,
    actor: Actor,
    note_id: int,
    changes: NoteChanges,
    *,
    expected_version: int | None = None,
    reason: str | None = None,
) -> NoteView:
    with writing(db, actor) as work:
        note, case = _writable_note(work, actor, note_id)
        override = lock_check(work, actor, note, reason, "editing")
        current = NoteInput(
            summary=note.summary,
            activity_type=note.activity_type,
            contact_type=note.contact_type,
            third_party_org=note.third_party_org,
            details=note.details,
            restricted=note.restricted,
        )
        merged = replace(
            current,
            **{k: v for k, v in vars(changes).items() if v is not None and k in vars(current)},
        )
        values: dict[str, object] = {
            "summary": validation.text(
                merged.summary, "summary", max_length=SUMMARY_MAX, required=True, single_line=True
            ),
            "details": validation.text(merged.details, "details", max_length=DETAILS_MAX),
            "activity_type": note.activity_type
            if changes.activity_type is None
            else validation.one_of(
                merged.activity_type, "activity type", work.settings.activity_types
            ),
            "restricted": bool(merged.restricted),
        }
        values["contact_type"], values["third_party_org"] = check_contact(
            work, merged.contact_type, merged.third_party_org
        )
        if changes.contact_date is not None or changes.contact_time is not None:
            local = note.contact_at.astimezone(work.zone)
            values["contact_at"] = check_contact_at(
                work,
                changes.contact_date if changes.contact_date is not None else local.date(),
                changes.contact_time if changes.contact_time is not None else local.time(),
            )
        if all(snapshot(note).get(k) == v for k, v in values.items()):
            raise ValidationError("note", "nothing to change")
        return _save_change(
            work, note, case, expected_version, values, action="edit", override=override,
            recount="contact_at" in values,
        )  # fmt: skip


@retry_collisions
def delete_note(
    db: Database,
    actor: Actor,
    note_id: int,
    *,
    expected_version: int | None = None,
    reason: str | None = None,
) -> NoteView:
    """Soft delete: hidden from everyone, kept, restorable by an administrator."""
    with writing(db, actor) as work:
        note, case = _writable_note(work, actor, note_id)
        override = lock_check(work, actor, note, reason, "deleting")
        return _save_change(
            work, note, case, expected_version, {"deleted_at": work.now()}, action="delete",
            override=override,
        )  # fmt: skip


def restore_note(db: Database, actor: Actor, note_id: int) -> NoteView:
    policy.ensure_administrator(actor, "restoring a deleted note")
    with writing(db, actor) as work:
        note = work.notes.get(note_id, include_deleted=True)
        if note.deleted_at is None:
            raise ValidationError("note", f"note {note_id} is not deleted")
        case = work.cases.get(note.case_id)
        return _save_change(work, note, case, None, {"deleted_at": None}, action="restore")


@retry_collisions
def add_addendum(db: Database, actor: Actor, note_id: int, text: str, reason: str) -> NoteView:
    """Append to a note, locked or not: the only way to add to a locked one."""
    with writing(db, actor) as work:
        note = work.notes.get(note_id)
        case = writable_case_of(work, note)
        body = validation.text(text, "addendum", max_length=DETAILS_MAX, required=True)
        # The addendum's reason column holds a summary's length; override reasons go to the audit.
        why = validation.text(
            reason, "reason", max_length=SUMMARY_MAX, required=True, single_line=True
        )
        row = NoteAddendum(
            note_id=note_id, author_id=actor.id, created_at=work.now(), reason=why, text=body
        )
        work.session.add(row)
        work.session.flush()
        audit.record(
            work, actor, "note.addendum", "note_addendum", row.id, case_id=case.id,
            after={"note_id": note_id, "reason": why, "text": body},
        )  # fmt: skip
        work.commit()
        return _view(work, note_id)


# --- reading -----------------------------------------------------------------------------


def open_note(db: Database, actor: Actor, note_id: int) -> NoteView:
    """The whole note with its addenda; reading a restricted note is an audit event."""
    with writing(db, actor) as work:
        return read_note(work, actor, note_id)


def read_note(work: Work, actor: Actor, note_id: int) -> NoteView:
    """``open_note`` inside a writing unit of work another service holds: reading a restricted
    note records an audit event and commits it."""
    found = work.notes.views(note_ids=[note_id], lock_days=work.settings.lock_days, now=work.now())
    if not found:
        raise NotFound(f"no note {note_id} that you can see")
    note = found[0]
    if note.restricted:
        audit.record(
            work, actor, "note.view_restricted", "case_note", note.id, case_id=note.case_id
        )
        work.commit()
    return note


def list_notes(
    db: Database, actor: Actor, case_number: str, *, export: bool = False
) -> list[NoteView]:
    """A case's notes, newest first. Restricted notes handed out in full are audited as viewed;
    ``export`` records the list as an export too."""
    with writing(db, actor) as work:
        case = work.cases.get_by_number(case_number)
        views = work.notes.views(case_id=case.id, lock_days=work.settings.lock_days, now=work.now())
        for view in views:
            if view.restricted:
                audit.record(
                    work, actor, "note.view_restricted", "case_note", view.id, case_id=case.id
                )
        if export:
            record_export(work, actor, "notes", len(views), {"case": case_number}, case_id=case.id)
        work.commit()
        return views
