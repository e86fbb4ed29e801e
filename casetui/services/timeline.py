"""What the case screens read: the timeline, one note or task in full, the editor's lists.

Also the yes/no answers the screens need to offer keys, asked of ``policy`` so the screens
never hold a copy of the rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from casetui.db.uow import UnitOfWork
from casetui.domain.actor import Actor
from casetui.domain.enums import Grant, Role, TaskStatus
from casetui.domain.errors import NotFound
from casetui.domain.locking import is_locked
from casetui.domain.read_models import CaseDetail, NoteView, SettingsView, StaffView, TaskView
from casetui.repositories.cases import CaseRepository
from casetui.repositories.notes import NoteRepository
from casetui.repositories.tasks import TaskRepository
from casetui.repositories.timeline import NOTE, TASK, TimelineEntry, TimelineRepository
from casetui.services import audit, context, policy
from casetui.services.staff import list_staff


@dataclass(frozen=True)
class _NoteAuthor:
    id: int | None
    author_id: int


@dataclass(frozen=True)
class CaseAccess:
    """What the actor may do on one case, as the services would answer."""

    write: bool
    reassign: bool
    override_lock: bool
    actor: Actor

    def may_change_note(self, entry: TimelineEntry) -> bool:
        """Edit or delete this note, lock aside."""
        if not self.write or entry.kind != NOTE:
            return False
        # The rule reads only who wrote which note, so the timeline entry's fields suffice.
        note = _NoteAuthor(entry.id, entry.author_id or 0)
        return policy.can(policy.ensure_may_change_note, self.actor, note)

    def may_complete(self, entry: TimelineEntry) -> bool:
        return self.write and entry.kind == TASK and entry.status == TaskStatus.OPEN.value


# Entries read when a timeline opens: a few screens' worth, whatever the case's size.
TIMELINE_PAGE = 200


@dataclass(frozen=True)
class CaseTimeline:
    case: CaseDetail
    entries: list[TimelineEntry]  # the first of them in timeline order; ``total`` in all
    total: int
    newest_first: bool
    access: CaseAccess
    settings: SettingsView
    now: datetime


def case_access(uow: UnitOfWork, actor: Actor, case_id: int) -> CaseAccess:
    cases = CaseRepository(uow.session, actor)
    case = cases.get(case_id)
    write = policy.can(policy.ensure_case_writer, actor, case, assigned=cases.is_assigned(case_id))
    return CaseAccess(
        write=write,
        reassign=write and policy.can(policy.ensure_reassigner, actor),
        override_lock=actor.has(Grant.OVERRIDE_LOCK),
        actor=actor,
    )


def load_timeline(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    *,
    newest_first: bool = True,
    at_least: int = TIMELINE_PAGE,
) -> CaseTimeline:
    """The case and the first ``at_least`` entries of its timeline (more with ``more_entries``)."""
    detail = CaseRepository(uow.session, actor).detail(case_id)
    timeline = TimelineRepository(uow.session, actor)
    return CaseTimeline(
        case=detail,
        entries=timeline.entries(case_id, newest_first=newest_first, limit=at_least),
        total=timeline.count(case_id),
        newest_first=newest_first,
        access=case_access(uow, actor, case_id),
        settings=context.settings(uow),
        now=uow.now(),
    )


def more_entries(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    after: TimelineEntry,
    *,
    newest_first: bool = True,
    limit: int = TIMELINE_PAGE,
) -> list[TimelineEntry]:
    """The next ``limit`` timeline entries after ``after``, in the same order."""
    repository = TimelineRepository(uow.session, actor)
    return repository.entries(case_id, newest_first=newest_first, limit=limit, after=after)


def open_note(uow: UnitOfWork, actor: Actor, note_id: int) -> NoteView:
    """The whole note with its addenda; reading a restricted note is an audit event."""
    found = NoteRepository(uow.session, actor).views(
        note_ids=[note_id], lock_days=context.settings(uow).lock_days, now=uow.now()
    )
    if not found:
        raise NotFound(f"no note {note_id} that you can see")
    note = found[0]
    if note.restricted:
        audit.record(uow, actor, "note.view_restricted", "case_note", note.id, case_id=note.case_id)
        uow.commit()
    return note


def open_task(uow: UnitOfWork, actor: Actor, task_id: int) -> TaskView:
    TaskRepository(uow.session, actor).get(task_id)  # raises NotFound outside the actor's scope
    return TaskRepository(uow.session, actor).views(task_ids=[task_id])[0]


@dataclass(frozen=True)
class EditorContext:
    """Everything the note editor needs before the first keystroke."""

    case: CaseDetail
    settings: SettingsView
    staff: list[StaffView]
    access: CaseAccess
    note: NoteView | None
    now: datetime


def editor_context(
    uow: UnitOfWork, actor: Actor, case_id: int, note_id: int | None = None
) -> EditorContext:
    note = open_note(uow, actor, note_id) if note_id is not None else None
    if note is not None and note.case_id != case_id:
        raise NotFound(f"no note {note_id} on this case")
    staff = [s for s in list_staff(uow, actor) if s.role is not Role.AUDITOR]
    return EditorContext(
        case=CaseRepository(uow.session, actor).detail(case_id),
        settings=context.settings(uow),
        staff=staff,
        access=case_access(uow, actor, case_id),
        note=note,
        now=uow.now(),
    )


def note_locked(note: NoteView, lock_days: int, now: datetime) -> bool:
    return is_locked(note.created_at, lock_days, now)


@dataclass(frozen=True)
class BulkContext:
    """The bulk note's lists, and who each selected case is about (None: not visible)."""

    settings: SettingsView
    staff: list[StaffView]
    clients: dict[str, str | None]
    may_bulk: bool
    now: datetime


def bulk_context(uow: UnitOfWork, actor: Actor, case_numbers: list[str]) -> BulkContext:
    names = TimelineRepository(uow.session, actor).client_names(list(case_numbers))
    may_bulk = policy.can(policy.ensure_writer, actor) and policy.can(
        policy.ensure_grant, actor, Grant.BULK_ACTIONS, "a bulk note"
    )
    return BulkContext(
        settings=context.settings(uow),
        staff=[s for s in list_staff(uow, actor) if s.role is not Role.AUDITOR],
        clients={number: names.get(number) for number in case_numbers},
        may_bulk=may_bulk,
        now=uow.now(),
    )
