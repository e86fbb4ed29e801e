"""A case file as a PDF: the client header, then every note oldest first with its addenda and
follow-up tasks, then the case's tasks written with no note.

Dates and times are the organisation's (``CaseFile.time_zone``). Every string a person typed
is printed as typed (``Document`` reads no markup); a restricted note says so in its heading.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from casetui.domain.case_file import CaseFile
from casetui.domain.read_models.notes import NoteView, TaskView
from casetui.services.printing.document import GREY, Document, line_height

# Notes laid out between two calls of ``progress``.
PROGRESS_EVERY = 25
INDENT = 6.0  # addenda and tasks, under their note
RESTRICTED = "Restricted: review before sharing with the client"

Progress = Callable[[int, int], None]


def when(moment: datetime, zone: ZoneInfo) -> str:
    """Wed 12 Mar 2025 14:30, in the organisation's time zone."""
    local = moment.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %Y %H:%M}"


def day(value: date) -> str:
    return f"{value:%a} {value.day} {value:%b %Y}"


def period(since: date | None, until: date | None) -> str:
    if since and until:
        return f"contact dates from {since.isoformat()} to {until.isoformat()}"
    if since:
        return f"contact dates from {since.isoformat()}"
    if until:
        return f"contact dates up to {until.isoformat()}"
    return "all"


def write_case_file(
    case_file: CaseFile,
    notes: Iterable[NoteView],
    tasks: Mapping[int, Sequence[TaskView]],
    progress: Progress | None = None,
) -> tuple[bytes, int]:
    """The PDF's bytes and its number of pages. ``notes`` come oldest first; ``tasks`` are
    each note's follow-up tasks by note id; ``progress(done, total)`` is told as notes are
    laid out."""
    zone = ZoneInfo(case_file.time_zone)
    case = case_file.case
    document = Document(
        title=f"Case file {case.case_number}",
        notice=case_file.notice,
        running_head=f"Case file · {case.case_number} · {case_file.client.name}",
        foot=f"{case.case_number} · printed {when(case_file.printed_at, zone)}",
        made_at=case_file.printed_at,
    )
    _header(document, case_file, zone)
    total, done = case_file.notes, 0
    for note in notes:
        _note(document, note, tasks.get(note.id, ()), zone)
        done += 1
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, total)
    if done == 0:
        document.paragraph("No notes in this period.", colour=GREY)
    if case_file.case_tasks:
        document.space(4.0)
        document.room_for(line_height(11) + 3 * line_height(9))
        document.paragraph("Follow-up tasks on the case, not from a note", size=11, bold=True)
        document.space(1.5)
        for task in case_file.case_tasks:
            _task(document, task, indent=0.0)
    if progress is not None:
        progress(done, total)
    return document.output(), document.pages


def _header(document: Document, case_file: CaseFile, zone: ZoneInfo) -> None:
    case, client = case_file.case, case_file.client
    document.paragraph(case_file.organisation, size=9, bold=True, colour=GREY)
    document.paragraph("Case file", size=16, bold=True)
    document.space(1.0)
    name = client.name
    if client.preferred_name:
        name += f' ("{client.preferred_name}")'
    document.paragraph(name, size=13, bold=True)
    document.space(1.5)
    document.pair("Case", case.case_number)
    if case.former_numbers:
        document.pair("Formerly", ", ".join(case.former_numbers))
    document.pair(
        "Date of birth", client.date_of_birth.isoformat() if client.date_of_birth else "not known"
    )
    worker = f"{case.worker_name} ({case.worker_username})" if case.worker_name else "none"
    document.pair("Worker", worker)
    status = f"{case.status} · {case.concern} concern · opened {case.opened_on.isoformat()}"
    if case.closed_on:
        status += f" · closed {case.closed_on.isoformat()}"
    document.pair("Status", status)
    if case.pathway:
        document.pair("Pathway", case.pathway)
    notes = f"{case_file.notes:,} {'note' if case_file.notes == 1 else 'notes'}, oldest first"
    document.pair("Notes", f"{period(case_file.since, case_file.until)}: {notes}")
    document.pair("Printed", f"{when(case_file.printed_at, zone)} by {case_file.printed_by}")
    document.pair("Times", f"in {case_file.time_zone}")
    document.space(2.5)
    document.rule()
    document.space(3.0)


def _note(document: Document, note: NoteView, tasks: Sequence[TaskView], zone: ZoneInfo) -> None:
    # The heading never ends a page: it goes over with at least the first lines of its note.
    document.room_for(line_height(10) + 4 * line_height(9))
    document.paragraph(f"{when(note.contact_at, zone)} · {note.activity_type}", size=10, bold=True)
    if note.restricted:
        document.paragraph(RESTRICTED, size=9, bold=True)
    contact = note.contact_type
    if note.third_party_org:
        contact += f" ({note.third_party_org})"
    document.paragraph(
        f"Contact: {contact} · Author: {note.author_name} ({note.author}) · note {note.id}",
        size=8.5,
        colour=GREY,
    )
    document.space(0.8)
    document.paragraph(note.summary, size=9.5, bold=True)
    if note.details.strip():
        document.space(0.5)
        document.paragraph(note.details)
    for addendum in note.addenda:
        document.space(1.5)
        document.room_for(3 * line_height(9))
        heading = f"Addendum by {addendum.author}, {when(addendum.created_at, zone)}"
        document.paragraph(heading, size=8.5, bold=True, indent=INDENT)
        document.paragraph(f"Reason: {addendum.reason}", size=8.5, indent=INDENT)
        document.paragraph(addendum.text, indent=INDENT)
    if tasks:
        document.space(1.5)
    for task in tasks:
        _task(document, task, indent=INDENT)
    document.space(2.5)
    document.rule()
    document.space(3.0)


def _task(document: Document, task: TaskView, *, indent: float) -> None:
    document.room_for(2 * line_height(9))
    responsible = ", ".join(task.responsible) or "nobody"
    if task.assigned_to_client:
        responsible += " (the client's task)"
    document.paragraph(f"Follow-up task: {task.name}", size=9, bold=True, indent=indent)
    facts = f"Due {day(task.due_on)} · {task.status} · responsible: {responsible}"
    if task.repeats != "none":
        facts += f" · repeats {task.rrule or task.repeats}"
    document.paragraph(facts, size=8.5, indent=indent)
    if task.details.strip():
        document.paragraph(task.details, size=8.5, indent=indent)
