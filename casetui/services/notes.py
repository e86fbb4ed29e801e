"""Case notes: add (one case or many at once), edit, delete, restore, addenda.

The locking rules of the specification live here: a note locks ``lock_days`` after it was
created; a new note may be backdated at most ``lock_days`` and never dated after today; a
locked note changes only with the ``override_lock`` grant and a reason, or by an addendum.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, time

from sqlalchemy import func, select, update

from casetui.db.uow import UnitOfWork
from casetui.domain.actor import Actor
from casetui.domain.dates import parse_date, parse_time
from casetui.domain.enums import ContactType, Grant
from casetui.domain.errors import (
    BulkRefused,
    NoteLocked,
    NotFound,
    PermissionDenied,
    Refusal,
    ValidationError,
)
from casetui.domain.locking import earliest_contact_date, is_locked, locks_at
from casetui.domain.models import (
    DETAILS_MAX,
    NAME_MAX,
    SUMMARY_MAX,
    Case,
    CaseNote,
    NoteAddendum,
)
from casetui.domain.read_models import BulkResult, NoteView
from casetui.repositories.cases import CaseRepository
from casetui.repositories.notes import NoteRepository
from casetui.repositories.scope import assigned_to
from casetui.services import audit, context, policy, stale, validation
from casetui.services.tasks import TaskInput, ValidTask, insert_task, insert_tasks, validate_task

BULK_MAX_CASES = 5000
REASON_MAX = 500


@dataclass(frozen=True)
class NoteInput:
    summary: str
    activity_type: str
    contact_date: str | date = "today"
    contact_time: str | time | None = None  # None: now, for a note about today
    contact_type: str = ContactType.CLIENT.value
    third_party_org: str | None = None
    details: str = ""
    restricted: bool = False


@dataclass(frozen=True)
class NoteChanges:
    """An edit: only the fields given change."""

    summary: str | None = None
    details: str | None = None
    activity_type: str | None = None
    contact_type: str | None = None
    third_party_org: str | None = None
    restricted: bool | None = None
    contact_date: str | date | None = None
    contact_time: str | time | None = None


@dataclass(frozen=True)
class ValidNote:
    contact_at: datetime
    activity_type: str
    contact_type: str
    third_party_org: str | None
    summary: str
    details: str
    restricted: bool


# --- validation ------------------------------------------------------------------------


def _contact_at(uow: UnitOfWork, day_in: str | date, time_in: str | time | None) -> datetime:
    settings = context.settings(uow)
    today = context.today(uow)
    day = (
        day_in
        if isinstance(day_in, date)
        else parse_date(day_in, today, prefer="past", field="contact date")
    )
    if day > today:
        raise ValidationError(
            "contact date", f"{day.isoformat()} is in the future; notes record what has happened"
        )
    earliest = earliest_contact_date(today, settings.lock_days)
    if day < earliest:
        raise ValidationError(
            "contact date",
            f"{day.isoformat()} is before {earliest.isoformat()}; notes may be backdated "
            f"at most {settings.lock_days} days",
        )
    if time_in is None:
        at = (
            context.local_now(uow).time().replace(second=0, microsecond=0)
            if day == today
            else time(12, 0)
        )
    elif isinstance(time_in, time):
        at = time_in
    else:
        at = parse_time(time_in, field="contact time")
    contact_at = context.to_utc(uow, day, at)
    if contact_at > uow.now():
        raise ValidationError("contact time", f"{at.strftime('%H:%M')} today has not happened yet")
    return contact_at


def _contact(
    uow: UnitOfWork, contact_type: str, third_party_org: str | None
) -> tuple[str, str | None]:
    kind = validation.one_of(contact_type, "contact type", context.settings(uow).contact_types)
    org = validation.optional_text(third_party_org, "third-party organisation", max_length=NAME_MAX)
    if kind == ContactType.THIRD_PARTY.value and not org:
        raise ValidationError("third-party organisation", "is required for a 3rd Party contact")
    if kind != ContactType.THIRD_PARTY.value:
        org = None
    return kind, org


def validate_note(uow: UnitOfWork, note: NoteInput) -> ValidNote:
    fields = validation.Fields()
    summary = fields.check(
        validation.text,
        note.summary,
        "summary",
        max_length=SUMMARY_MAX,
        required=True,
        single_line=True,
    )
    activity = fields.check(
        validation.one_of, note.activity_type, "activity type", context.settings(uow).activity_types
    )
    kind, org = fields.check(_contact, uow, note.contact_type, note.third_party_org) or (None, None)
    details = fields.check(validation.text, note.details, "details", max_length=DETAILS_MAX)
    contact_at = fields.check(_contact_at, uow, note.contact_date, note.contact_time)
    fields.done()
    return ValidNote(contact_at, activity, kind, org, summary, details, bool(note.restricted))  # type: ignore[arg-type]


def _validate_all(
    uow: UnitOfWork, actor: Actor, note: NoteInput, tasks: list[TaskInput] | tuple[TaskInput, ...]
) -> tuple[ValidNote, list[ValidTask]]:
    """The note and its tasks, every refusal gathered before any is raised."""
    fields = validation.Fields()
    valid = fields.check(validate_note, uow, note)
    many = len(tasks) > 1
    valid_tasks = [
        fields.check(validate_task, uow, actor, t, label=f"task {i + 1}" if many else "task")
        for i, t in enumerate(tasks)
    ]
    fields.done()
    return valid, valid_tasks


def note_snapshot(note: CaseNote) -> dict[str, object]:
    return {
        "contact_at": note.contact_at,
        "activity_type": note.activity_type,
        "contact_type": note.contact_type,
        "third_party_org": note.third_party_org,
        "summary": note.summary,
        "details": note.details,
        "restricted": note.restricted,
        "version": note.version,
        "deleted": note.deleted_at is not None,
    }


# --- adding ------------------------------------------------------------------------------


def _insert_note(
    uow: UnitOfWork, actor: Actor, case: Case, note: ValidNote, batch_id: str | None
) -> CaseNote:
    now = uow.now()
    row = CaseNote(
        case_id=case.id,  # type: ignore[arg-type]
        author_id=actor.id,
        contact_at=note.contact_at,
        activity_type=note.activity_type,
        contact_type=note.contact_type,
        third_party_org=note.third_party_org,
        summary=note.summary,
        details=note.details,
        restricted=note.restricted,
        batch_id=batch_id,
        created_at=now,
        updated_at=now,
    )
    uow.session.add(row)
    if case.last_interaction_at is None or note.contact_at > case.last_interaction_at:
        # Writers are serialised (see UnitOfWork), so this read-then-write cannot go back in
        # time; no version bump: a new note is not an edit of the case.
        case.last_interaction_at = note.contact_at
    return row


def _views(uow: UnitOfWork, actor: Actor, note_ids: list[int]) -> list[NoteView]:
    return NoteRepository(uow.session, actor).views(
        note_ids=note_ids,
        lock_days=context.settings(uow).lock_days,
        now=uow.now(),
        include_deleted=True,
    )


def add_note(
    uow: UnitOfWork,
    actor: Actor,
    case_number: str,
    note: NoteInput,
    tasks: list[TaskInput] | tuple[TaskInput, ...] = (),
) -> NoteView:
    """One note on one case, with zero or more follow-up tasks, in one transaction."""
    cases = CaseRepository(uow.session, actor)
    case = cases.get_by_number(case_number)
    assert case.id is not None
    policy.ensure_case_writer(actor, case, assigned=cases.is_assigned(case.id))
    valid, valid_tasks = _validate_all(uow, actor, note, tasks)
    row = _insert_note(uow, actor, case, valid, None)
    uow.session.flush()
    audit.record(
        uow, actor, "note.add", "case_note", row.id, case_id=case.id, after=note_snapshot(row)
    )
    for task in valid_tasks:
        insert_task(uow, actor, case.id, task, note_id=row.id)
    uow.commit()
    return _views(uow, actor, [row.id])[0]  # type: ignore[list-item]


def _assigned_among(uow: UnitOfWork, actor: Actor, case_ids: list[int]) -> set[int]:
    """The cases among these the actor is assigned to, in one query: a bulk note holds the write
    lock, and a look-up per case kept everyone else waiting 50 s for 5,000 cases on SQLite."""
    query = select(Case.id).where(Case.id.in_(case_ids), assigned_to(actor))  # type: ignore[call-overload,union-attr]
    return set(uow.session.execute(query).scalars())


def bulk_add_notes(
    uow: UnitOfWork,
    actor: Actor,
    case_numbers: list[str] | tuple[str, ...],
    note: NoteInput,
    task: TaskInput | None = None,
) -> BulkResult:
    """The same note (and task) on many cases: all written, or none and every refusal named."""
    policy.ensure_writer(actor)
    policy.ensure_grant(actor, Grant.BULK_ACTIONS, "a bulk note")
    numbers = list(dict.fromkeys(n.strip() for n in case_numbers if n and n.strip()))
    if not numbers:
        raise ValidationError("cases", "choose at least one case")
    if len(numbers) > BULK_MAX_CASES:
        raise ValidationError(
            "cases", f"{len(numbers)} cases; a bulk note may go to at most {BULK_MAX_CASES}"
        )
    valid, valid_tasks = _validate_all(uow, actor, note, [task] if task else [])
    valid_task: ValidTask | None = valid_tasks[0] if valid_tasks else None

    found = CaseRepository(uow.session, actor).get_many_by_number(numbers)
    assigned = _assigned_among(uow, actor, [c.id for c in found.values()])  # type: ignore[misc]
    refusals: list[Refusal] = []
    targets: list[Case] = []
    for number in numbers:
        case = found.get(number)
        if case is None:
            refusals.append(Refusal(number, "no such case that you can see"))
            continue
        try:
            policy.ensure_case_writer(actor, case, assigned=case.id in assigned)
        except PermissionDenied as refused:
            refusals.append(Refusal(number, refused.args[0]))
            continue
        targets.append(case)
    if refusals:
        raise BulkRefused(refusals)

    batch_id = str(uuid.uuid4())
    rows = [_insert_note(uow, actor, case, valid, batch_id) for case in targets]
    uow.session.flush()
    for case, row in zip(targets, rows, strict=True):
        audit.record(
            uow,
            actor,
            "note.add",
            "case_note",
            row.id,
            case_id=case.id,
            after={**note_snapshot(row), "batch_id": batch_id},
        )
    task_ids: list[int] = []
    if valid_task is not None:
        written = insert_tasks(
            uow, actor, [(c.id, valid_task, r.id) for c, r in zip(targets, rows, strict=True)]
        )  # type: ignore[misc]
        task_ids = [t.id for t in written]  # type: ignore[misc]
    uow.commit()
    return BulkResult(
        batch_id=batch_id,
        note_ids=tuple(r.id for r in rows),  # type: ignore[misc]
        task_ids=tuple(task_ids),
        case_numbers=tuple(c.case_number for c in targets),
    )


# --- changing ----------------------------------------------------------------------------


def _writable_note(uow: UnitOfWork, actor: Actor, note_id: int) -> tuple[CaseNote, Case]:
    note = NoteRepository(uow.session, actor).get(note_id)
    cases = CaseRepository(uow.session, actor)
    case = cases.get(note.case_id)
    policy.ensure_case_writer(actor, case, assigned=cases.is_assigned(note.case_id))
    policy.ensure_may_change_note(actor, note)
    return note, case


def _lock_check(
    uow: UnitOfWork, actor: Actor, note: CaseNote, reason: str | None, doing: str
) -> str | None:
    """None when the note is open; the override reason when a locked note may still change."""
    lock_days = context.settings(uow).lock_days
    if not is_locked(note.created_at, lock_days, uow.now()):
        return None
    since = locks_at(note.created_at, lock_days).astimezone(context.zone(uow)).date().isoformat()
    cleaned = validation.text(reason, "reason", max_length=REASON_MAX)
    if not actor.has(Grant.OVERRIDE_LOCK) or not cleaned:
        raise NoteLocked(
            f"note {note.id} is locked since {since}; {doing} it needs the override_lock "
            "grant and a reason; anyone on the case may add an addendum instead"
        )
    return cleaned


def _recompute_last_interaction(uow: UnitOfWork, case: Case) -> None:
    latest = uow.session.execute(
        select(func.max(CaseNote.contact_at)).where(
            CaseNote.case_id == case.id,
            CaseNote.deleted_at.is_(None),  # type: ignore[union-attr]
        )
    ).scalar_one_or_none()
    # func.max bypasses the column type on SQLite; bring it back to an aware datetime.
    if isinstance(latest, str):
        latest = datetime.fromisoformat(latest)
    if latest is not None and latest.tzinfo is None:
        from datetime import UTC

        latest = latest.replace(tzinfo=UTC)
    case.last_interaction_at = latest


def _versioned_update(
    uow: UnitOfWork,
    actor: Actor,
    note: CaseNote,
    expected_version: int | None,
    values: dict[str, object],
) -> None:
    version = note.version if expected_version is None else expected_version
    if version != note.version:
        raise stale.note_refused(uow, actor, note.id, yours=version, now=note.version)  # type: ignore[arg-type]
    result = uow.session.execute(
        update(CaseNote)
        .where(CaseNote.id == note.id, CaseNote.version == version)  # type: ignore[arg-type]
        .values(**values, version=version + 1)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        now = uow.session.execute(
            select(CaseNote.version).where(CaseNote.id == note.id)
        ).scalar_one()  # type: ignore[call-overload]
        raise stale.note_refused(uow, actor, note.id, yours=version, now=now)  # type: ignore[arg-type]
    uow.session.refresh(note)


def edit_note(
    uow: UnitOfWork,
    actor: Actor,
    note_id: int,
    changes: NoteChanges,
    *,
    expected_version: int | None = None,
    reason: str | None = None,
) -> NoteView:
    note, case = _writable_note(uow, actor, note_id)
    override = _lock_check(uow, actor, note, reason, "editing")
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
            merged.activity_type, "activity type", context.settings(uow).activity_types
        ),
        "restricted": bool(merged.restricted),
    }
    values["contact_type"], values["third_party_org"] = _contact(
        uow, merged.contact_type, merged.third_party_org
    )
    if changes.contact_date is not None or changes.contact_time is not None:
        local = note.contact_at.astimezone(context.zone(uow))
        values["contact_at"] = _contact_at(
            uow,
            changes.contact_date if changes.contact_date is not None else local.date(),
            changes.contact_time if changes.contact_time is not None else local.time(),
        )
    before = note_snapshot(note)
    if all(before.get(k) == v for k, v in values.items()):
        raise ValidationError("note", "nothing to change")
    _versioned_update(uow, actor, note, expected_version, {**values, "updated_at": uow.now()})
    if "contact_at" in values:
        _recompute_last_interaction(uow, case)
    action = "note.override_edit" if override else "note.edit"
    after = {**note_snapshot(note), **({"override_reason": override} if override else {})}
    audit.record(
        uow, actor, action, "case_note", note.id, case_id=case.id, before=before, after=after
    )
    uow.commit()
    return _views(uow, actor, [note_id])[0]


def delete_note(
    uow: UnitOfWork,
    actor: Actor,
    note_id: int,
    *,
    expected_version: int | None = None,
    reason: str | None = None,
) -> NoteView:
    """Soft delete: hidden from everyone, kept, restorable by an administrator."""
    note, case = _writable_note(uow, actor, note_id)
    override = _lock_check(uow, actor, note, reason, "deleting")
    before = note_snapshot(note)
    _versioned_update(
        uow, actor, note, expected_version, {"deleted_at": uow.now(), "updated_at": uow.now()}
    )
    _recompute_last_interaction(uow, case)
    action = "note.override_delete" if override else "note.delete"
    after = {**note_snapshot(note), **({"override_reason": override} if override else {})}
    audit.record(
        uow, actor, action, "case_note", note.id, case_id=case.id, before=before, after=after
    )
    uow.commit()
    return _views(uow, actor, [note_id])[0]


def restore_note(uow: UnitOfWork, actor: Actor, note_id: int) -> NoteView:
    policy.ensure_administrator(actor, "restoring a deleted note")
    note = NoteRepository(uow.session, actor).get(note_id, include_deleted=True)
    if note.deleted_at is None:
        raise ValidationError("note", f"note {note_id} is not deleted")
    case = CaseRepository(uow.session, actor).get(note.case_id)
    before = note_snapshot(note)
    _versioned_update(uow, actor, note, None, {"deleted_at": None, "updated_at": uow.now()})
    _recompute_last_interaction(uow, case)
    audit.record(
        uow,
        actor,
        "note.restore",
        "case_note",
        note.id,
        case_id=case.id,
        before=before,
        after=note_snapshot(note),
    )
    uow.commit()
    return _views(uow, actor, [note_id])[0]


def add_addendum(uow: UnitOfWork, actor: Actor, note_id: int, text: str, reason: str) -> NoteView:
    """Append to a note, locked or not: the only way to add to a locked one."""
    note = NoteRepository(uow.session, actor).get(note_id)
    cases = CaseRepository(uow.session, actor)
    case = cases.get(note.case_id)
    policy.ensure_case_writer(actor, case, assigned=cases.is_assigned(note.case_id))
    body = validation.text(text, "addendum", max_length=DETAILS_MAX, required=True)
    # The addendum's reason column holds a summary's length; override reasons go to the audit.
    why = validation.text(reason, "reason", max_length=SUMMARY_MAX, required=True, single_line=True)
    row = NoteAddendum(
        note_id=note_id, author_id=actor.id, created_at=uow.now(), reason=why, text=body
    )
    uow.session.add(row)
    uow.session.flush()
    audit.record(
        uow,
        actor,
        "note.addendum",
        "note_addendum",
        row.id,
        case_id=case.id,
        after={"note_id": note_id, "reason": why, "text": body},
    )
    uow.commit()
    return _views(uow, actor, [note_id])[0]


def list_notes(uow: UnitOfWork, actor: Actor, case_number: str) -> list[NoteView]:
    """A case's notes, newest first. Restricted notes handed out in full are audited as viewed."""
    case = CaseRepository(uow.session, actor).get_by_number(case_number)
    views = NoteRepository(uow.session, actor).views(
        case_id=case.id, lock_days=context.settings(uow).lock_days, now=uow.now()
    )
    restricted = [v for v in views if v.restricted]
    for view in restricted:
        audit.record(uow, actor, "note.view_restricted", "case_note", view.id, case_id=case.id)
    if restricted:
        uow.commit()
    return views


__all__ = [
    "NoteChanges", "NoteInput", "NotFound", "add_addendum", "add_note", "bulk_add_notes",
    "delete_note", "edit_note", "list_notes", "restore_note",
]  # fmt: skip
