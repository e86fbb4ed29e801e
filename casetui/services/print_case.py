"""Printing a case file (S1): a PDF of a case's notes, all of them or a range of contact dates.

Who may: the ``reports`` grant, as for every report and export, on a case the actor may see
(the repositories' scope; any other case is not found). A restricted note prints for whoever
may read it — everyone who may see the case, as on the timeline — marked restricted, and each
one printed is recorded as read (``note.view_restricted``), as opening it is.

The file: laid out by ``printing.case_file`` from read models, written to a temporary file
beside the target (owner-only), recorded in the audit trail (an ``export`` of a
``case_file``: the case, the dates, the notes printed, the pages and the file's sha256), and
only then given its name. An existing file is never replaced unless ``replace`` is asked for.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import date, datetime

from casetui.domain.actor import Actor
from casetui.domain.case_file import CaseFile, PrintedCaseFile
from casetui.domain.dates import parse_date
from casetui.domain.enums import Grant
from casetui.domain.errors import ValidationError
from casetui.domain.read_models.notes import NoteView, TaskView
from casetui.services import audit, files_out, policy, validation
from casetui.services.audit_trail import day_range
from casetui.services.exports import record_export
from casetui.services.work import Database, reading, writing

__all__ = ["ensure_may_print", "may_print", "print_case", "suggested_name"]

NOTES_PAGE = 500  # notes read at a time, laid out as they come
Progress = Callable[[int, int], None]


def ensure_may_print(actor: Actor) -> None:
    policy.ensure_grant(actor, Grant.REPORTS, "printing a case file")


def may_print(actor: Actor) -> bool:
    return policy.can(ensure_may_print, actor)


def suggested_name(case_number: str, today: date) -> str:
    """C-0042-2026-11-22.pdf: the case and the day, in characters any file system takes."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", case_number).strip("._") or "case"
    return f"{safe[:60]}-{today.isoformat()}.pdf"


def _day(text: str, field: str, today: date) -> date | None:
    return parse_date(text, today, "past", field) if text.strip() else None


def print_case(
    db: Database,
    actor: Actor,
    case_number: str,
    out: str | os.PathLike[str],
    *,
    since: str = "",
    until: str = "",
    replace: bool = False,
    progress: Progress | None = None,
) -> PrintedCaseFile:
    """Print the case's notes with contact dates from ``since`` to ``until`` (as typed: a date,
    today, -1m; empty: no bound) to ``out`` (a folder: into it, under ``suggested_name``).
    ``progress(done, total)`` is told as notes are laid out."""
    ensure_may_print(actor)
    with reading(db, actor) as work:
        case = work.cases.get_by_number(case_number)
        case_id, number = case.id, case.case_number
        assert case_id is not None
        today = work.today()
        fields = validation.Fields()
        first = fields.check(_day, since, "from", today)
        last = fields.check(_day, until, "to", today)
        fields.done()
        if first and last and last < first:
            raise ValidationError(
                "to", f"{last.isoformat()} is before the from date {first.isoformat()}"
            )
        target = files_out.target_path(out, suggested_name(number, today))
        if not replace and files_out.exists(target):
            # Before the work; asked again, in one step, as the file is put in place.
            raise ValidationError(
                "out", f"{files_out.shown_path(str(target))} already exists; nothing was replaced"
            )
        contact_from, contact_before = day_range(first, last, work.zone)
        settings = work.settings
        detail = work.cases.detail(case_id)
        tasks = _tasks_by_note(work.tasks.views(case_id=case_id))
        case_tasks = tuple(
            task
            for task in tasks.pop(None, [])
            if _within(task.created_at, contact_from, contact_before)
        )
        total = work.notes.count_of_case(
            case_id, contact_from=contact_from, contact_before=contact_before
        )
        case_file = CaseFile(
            organisation=settings.name,
            notice=settings.confidentiality_notice,
            time_zone=settings.time_zone,
            case=detail,
            client=work.clients.view(detail.client_id),
            printed_at=work.now(),
            printed_by=f"{actor.display_name} ({actor.username})",
            since=first,
            until=last,
            notes=total,
            case_tasks=case_tasks,
        )
        printed: list[NoteView] = []

        def notes() -> Iterator[NoteView]:
            after: tuple[datetime, int] | None = None
            while True:
                page = work.notes.of_case(
                    case_id, contact_from=contact_from, contact_before=contact_before,
                    after=after, limit=NOTES_PAGE, lock_days=settings.lock_days, now=work.now(),
                )  # fmt: skip
                for note in page:
                    printed.append(note)
                    yield note
                if len(page) < NOTES_PAGE:
                    return
                after = (page[-1].contact_at, page[-1].id)

        # Imported here: fpdf2 is loaded by the first print, not by every start of the app.
        from casetui.services.printing.case_file import write_case_file

        note_tasks = {note_id: rows for note_id, rows in tasks.items() if note_id is not None}
        content, pages = write_case_file(case_file, notes(), note_tasks, progress)
    restricted = [note.id for note in printed if note.restricted]
    written = files_out.write_temporary(target, [content])
    temporary, digest = written.path, written.sha256
    try:
        with writing(db, actor) as work:
            for note_id in restricted:
                audit.record(
                    work, actor, "note.view_restricted", "case_note", note_id, case_id=case_id
                )
            record_export(
                work, actor, "case_file", len(printed),
                {
                    "case": number,
                    "from": first.isoformat() if first else None,
                    "to": last.isoformat() if last else None,
                    "restricted": len(restricted),
                    "pages": pages,
                    "sha256": digest,
                    "file": str(target),
                },
                case_id=case_id,
            )  # fmt: skip
            work.commit()
    except BaseException:
        files_out.discard(temporary)
        raise
    files_out.put_in_place(temporary, target, overwrite=replace)
    return PrintedCaseFile(
        path=str(target),
        case_number=number,
        notes=len(printed),
        restricted=len(restricted),
        pages=pages,
        size=len(content),
        sha256=digest,
        since=first,
        until=last,
    )


def _tasks_by_note(tasks: list[TaskView]) -> dict[int | None, list[TaskView]]:
    """Each note's follow-up tasks (``None``: the case's own), by due date."""
    grouped: dict[int | None, list[TaskView]] = defaultdict(list)
    for task in tasks:
        grouped[task.note_id].append(task)
    return grouped


def _within(moment: datetime, since: datetime | None, before: datetime | None) -> bool:
    return (since is None or moment >= since) and (before is None or moment < before)
