"""What the case screens read: the timeline, one task in full, the editors' lists and choices.

Each read opens its own unit of work and answers with read models, with the actor's
``CaseAccess`` (from ``access``) so the screens offer only the keys the services would allow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from casetui.domain.actor import Actor
from casetui.domain.errors import NotFound
from casetui.domain.read_models.cases import CaseDetail
from casetui.domain.read_models.notes import NoteView, TaskView
from casetui.domain.read_models.people import StaffView
from casetui.domain.read_models.settings import SettingsView
from casetui.domain.timeline import TimelineEntry
from casetui.services.access import CaseAccess, case_access, holders
from casetui.services.bulk_notes import BULK_MAX_CASES, may_bulk_note
from casetui.services.notes import read_note
from casetui.services.work import Database, reading, writing

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


def load_timeline(
    db: Database,
    actor: Actor,
    case_id: int,
    *,
    newest_first: bool = True,
    at_least: int = TIMELINE_PAGE,
) -> CaseTimeline:
    """The case and the first ``at_least`` entries of its timeline (more with ``more_entries``)."""
    with reading(db, actor) as work:
        return CaseTimeline(
            case=work.cases.detail(case_id),
            entries=work.timeline.entries(case_id, newest_first=newest_first, limit=at_least),
            total=work.timeline.count(case_id),
            newest_first=newest_first,
            access=case_access(work, case_id),
            settings=work.settings,
            now=work.now(),
        )


def more_entries(
    db: Database,
    actor: Actor,
    case_id: int,
    after: TimelineEntry,
    *,
    newest_first: bool = True,
    limit: int = TIMELINE_PAGE,
) -> list[TimelineEntry]:
    """The next ``limit`` timeline entries after ``after``, in the same order."""
    with reading(db, actor) as work:
        return work.timeline.entries(case_id, newest_first=newest_first, limit=limit, after=after)


def open_task(db: Database, actor: Actor, task_id: int) -> TaskView:
    with reading(db, actor) as work:
        work.tasks.get(task_id)  # raises NotFound outside the actor's scope
        return work.tasks.views(task_ids=[task_id])[0]


def case_holders(db: Database, actor: Actor) -> list[StaffView]:
    """Who may hold cases and tasks (active, not auditors): the pickers' people."""
    with reading(db, actor) as work:
        return holders(work)


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
    db: Database, actor: Actor, case_id: int, note_id: int | None = None
) -> EditorContext:
    # A write when it opens a note (a restricted one's reading is recorded in the audit trail);
    # a new note's editor only reads, and need not queue behind every writer.
    with (writing if note_id is not None else reading)(db, actor) as work:
        note = read_note(work, actor, note_id) if note_id is not None else None
        if note is not None and note.case_id != case_id:
            raise NotFound(f"no note {note_id} on this case")
        return EditorContext(
            case=work.cases.detail(case_id),
            settings=work.settings,
            staff=holders(work),
            access=case_access(work, case_id),
            note=note,
            now=work.now(),
        )


@dataclass(frozen=True)
class BulkContext:
    """The bulk note's lists, and who each selected case is about (None: not visible)."""

    settings: SettingsView
    staff: list[StaffView]
    clients: dict[str, str | None]
    may_bulk: bool
    max_cases: int
    now: datetime


def bulk_context(db: Database, actor: Actor, case_numbers: list[str]) -> BulkContext:
    with reading(db, actor) as work:
        names = work.timeline.client_names(list(case_numbers))
        return BulkContext(
            settings=work.settings,
            staff=holders(work),
            clients={number: names.get(number) for number in case_numbers},
            may_bulk=may_bulk_note(actor),
            max_cases=BULK_MAX_CASES,
            now=work.now(),
        )
