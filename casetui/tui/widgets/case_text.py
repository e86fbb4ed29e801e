"""How a case, a note and a task read on screen: every user string shown literally."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from rich.text import Text

from casetui.domain.locking import describe_lock
from casetui.domain.read_models.cases import CaseDetail
from casetui.domain.read_models.notes import NoteView, TaskView
from casetui.domain.signoff import SignoffView
from casetui.domain.timeline import TimelineEntry
from casetui.tui.widgets.timeline_list import short_date, visible


def signoff_words(view: SignoffView | None, zone: ZoneInfo) -> str:
    """Where the note stands, in a line or two: who sent it, who decided, what they said."""
    if view is None:
        return "Not sent for sign-off."
    sent = f"Sent by {view.requested_by} {long_date(view.requested_at, zone)}"
    if view.waiting:
        return f"Awaiting sign-off. {sent}."
    decided = long_date(view.decided_at, zone) if view.decided_at else ""
    said = f": “{view.comment}”" if view.comment else ""
    verb = "Signed off" if view.approved else "Returned"
    return f"{verb} by {view.decided_by} {decided}{said}. {sent}."


def long_date(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %Y} {local:%H:%M}"


def case_header(case: CaseDetail) -> Text:
    """Client, case and the warning indicators, every user string shown literally."""
    head = Text()
    head.append(visible(case.client_name), style="bold")
    if case.preferred_name:
        head.append(f' ("{visible(case.preferred_name)}")')
    head.append(f"  {visible(case.case_number)}", style="bold")
    head.append(f"  {case.status} · {case.concern} concern")
    head.append("\nWorker: ")
    head.append(visible(case.worker_name or "none"))
    head.append(f" · Pathway: {visible(case.pathway or 'none')}")
    if case.tags:
        head.append(f" · Tags: {visible(', '.join(case.tags))}")
    if case.warnings:
        head.append("\nWarnings: ", style="bold reverse")
        head.append(" " + visible(", ".join(case.warnings)), style="bold")
    return head


def note_lines(note: NoteView, lock_days: int, now: datetime, zone: ZoneInfo) -> list[Text]:
    contact = (
        f"Contact {long_date(note.contact_at, zone)} · {note.activity_type} · {note.contact_type}"
    )
    if note.third_party_org:
        contact += f" · {note.third_party_org}"
    # The summary in full: the one-line row above cuts it at the screen's width.
    lines = [Text(visible(note.summary), style="bold"), Text(visible(contact))]
    written = f"Written by {note.author_name} ({note.author}) {long_date(note.created_at, zone)}"
    lock = describe_lock(
        note.created_at, lock_days, now.astimezone(zone), note.imported,
        signed_off_at=note.signed_off_at,
    )  # fmt: skip
    written += f" · {lock}"
    if note.restricted:
        written += " · restricted: review before sharing with the client"
    lines.append(Text(visible(written)))
    if note.signoff is not None:
        lines.append(Text(visible(signoff_words(note.signoff, zone)), style="italic"))
    if note.details.strip():
        lines.append(Text(visible(note.details, keep_newlines=True)))
    for addendum in note.addenda:
        heading = f"Addendum {long_date(addendum.created_at, zone)} by {addendum.author} — {addendum.reason}"
        lines.append(Text(visible(heading), style="bold"))
        lines.append(Text(visible(addendum.text, keep_newlines=True)))
    return lines


def addendum_lines(addendum_id: int, note: NoteView, zone: ZoneInfo) -> list[Text]:
    """One addendum opened on its own: the note it belongs to, then why and what was added."""
    addendum = next((a for a in note.addenda if a.id == addendum_id), None)
    lines = [Text(visible(f"To the note “{note.summary}” of {long_date(note.contact_at, zone)}"))]
    if addendum is not None:
        lines.append(Text(visible(f"Reason: {addendum.reason}"), style="bold"))
        lines.append(Text(visible(addendum.text, keep_newlines=True)))
    return lines


def task_lines(task: TaskView, zone: ZoneInfo) -> list[Text]:
    due = f"Due {task.due_on:%a} {short_date(task.due_on).strip()} · {task.status}"
    if task.repeats != "none":
        due += f" · repeats {task.rrule or task.repeats}"
    if task.assigned_to_client:
        due += " · the client's task"
    lines = [
        Text(visible(task.name), style="bold"),
        Text(visible(due)),
        Text(visible("Responsible: " + ", ".join(task.responsible))),
    ]
    if task.completed_at:
        lines.append(Text(f"Finished {long_date(task.completed_at, zone)}"))
    if task.details.strip():
        lines.append(Text(visible(task.details, keep_newlines=True)))
    return lines


def event_lines(entry: TimelineEntry, zone: ZoneInfo) -> list[Text]:
    """A change to the case, opened: who made it and when."""
    return [Text(visible(f"Changed by {entry.author} {long_date(entry.at, zone)}"))]
