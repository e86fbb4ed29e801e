"""A subject-access export as a PDF: everything released about the client, case by case, and
at the end the list of what was withheld and why.

Laid out from ``SarBundle`` alone, which holds nothing of a withheld item but its identifier,
kind and reason: nothing withheld can reach the page. Dates and times are the organisation's;
every string a person typed prints as typed (``Document`` reads no markup).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from casetui.domain.read_models.attachments import AttachmentView
from casetui.domain.read_models.cases import CaseDetail
from casetui.domain.read_models.communications import CommunicationView
from casetui.domain.read_models.notes import AddendumView, NoteView, TaskView
from casetui.domain.subject_access import SarBundle, ServiceRecord
from casetui.services.printing.case_file import day, when
from casetui.services.printing.document import GREY, Document, line_height

INDENT = 6.0  # addenda and tasks, under their note


def write_subject_access(bundle: SarBundle, files: dict[int, str]) -> tuple[bytes, int]:
    """The PDF's bytes and its number of pages; ``files`` names each released attachment's
    file in the folder."""
    stamp = when(bundle.exported_at, bundle.zone)
    document = Document(
        title=f"Subject-access request {bundle.request_id}",
        notice=bundle.notice,
        running_head=f"Subject-access request {bundle.request_id} · {bundle.client_name}",
        foot=f"Subject-access request {bundle.request_id} · exported {stamp}",
        made_at=bundle.exported_at,
    )
    _front(document, bundle, stamp)
    _client(document, bundle)
    by_case = _by_case(bundle)
    for case in bundle.cases:
        _case(document, bundle, case, by_case[case.id], files)
    # Records on a case whose own record was withheld still go out, under its number.
    shown = {case.id for case in bundle.cases}
    for case_id, records in sorted(by_case.items()):
        if case_id not in shown and records.any():
            _case(document, bundle, None, records, files)
    _withheld(document, bundle)
    return document.output(), document.pages


class _CaseRecords:
    """What was released on one case, gathered for its section."""

    def __init__(self) -> None:
        self.number = ""
        self.notes: list[NoteView] = []
        self.addenda: dict[int, list[AddendumView]] = defaultdict(list)
        self.tasks: dict[int | None, list[TaskView]] = defaultdict(list)
        self.communications: list[CommunicationView] = []
        self.services: list[ServiceRecord] = []
        self.attachments: list[AttachmentView] = []

    def any(self) -> bool:
        return bool(
            self.notes or self.addenda or self.tasks or self.communications or self.services
            or self.attachments
        )  # fmt: skip


def _by_case(bundle: SarBundle) -> dict[int, _CaseRecords]:
    records: dict[int, _CaseRecords] = defaultdict(_CaseRecords)
    note_case = {}
    for note in bundle.notes:
        records[note.case_id].notes.append(note)
        records[note.case_id].number = note.case_number
        note_case[note.id] = note.case_id
    for task in bundle.tasks:
        on_note = task.note_id if task.note_id in note_case else None
        records[task.case_id].tasks[on_note].append(task)
        records[task.case_id].number = task.case_number
    for communication in bundle.communications:
        records[communication.case_id].communications.append(communication)
        records[communication.case_id].number = communication.case_number
    for service in bundle.services:
        records[service.case_id].services.append(service)
        records[service.case_id].number = service.case_number
    for attachment in bundle.attachments:
        records[attachment.case_id].attachments.append(attachment)
        records[attachment.case_id].number = attachment.case_number
    addendum_case = bundle.addendum_cases
    for addendum in bundle.addenda:
        case_id = addendum_case.get(addendum.id)
        if case_id is not None:
            records[case_id].addenda[addendum.note_id].append(addendum)
    return records


# --- the first page --------------------------------------------------------------------------


def _front(document: Document, bundle: SarBundle, stamp: str) -> None:
    document.paragraph(bundle.organisation, size=9, bold=True, colour=GREY)
    document.paragraph("Subject-access request", size=16, bold=True)
    document.space(1.0)
    document.paragraph(bundle.client_name, size=13, bold=True)
    document.space(1.5)
    document.pair("Request", str(bundle.request_id))
    document.pair("Client", str(bundle.client_id))
    document.pair("Exported", stamp)
    document.pair("Times", f"in {bundle.zone}")
    counted = [
        ("client record", "client records", int(bundle.client is not None)),
        ("case", "cases", len(bundle.cases)),
        ("note", "notes", len(bundle.notes)),
        ("addendum", "addenda", len(bundle.addenda)),
        ("follow-up task", "follow-up tasks", len(bundle.tasks)),
        ("communication", "communications", len(bundle.communications)),
        ("supportive service", "supportive services", len(bundle.services)),
        ("file", "files", len(bundle.attachments)),
    ]
    parts = [f"{n} {one if n == 1 else many}" for one, many, n in counted if n]
    document.pair("Released", ", ".join(parts) or "nothing")
    document.pair(
        "Withheld",
        f"{len(bundle.withheld)} record(s), listed with the reasons at the end"
        if bundle.withheld
        else "nothing",
    )
    if bundle.attachments:
        document.pair("Files", "each released file is in the attachments folder beside this one")
    document.space(2.5)
    document.rule()
    document.space(3.0)


def _heading(document: Document, text: str) -> None:
    document.room_for(line_height(12) + 4 * line_height(9))
    document.paragraph(text, size=12, bold=True)
    document.space(1.5)


def _end_of_entry(document: Document) -> None:
    document.space(2.0)
    document.rule()
    document.space(2.5)


def _client(document: Document, bundle: SarBundle) -> None:
    _heading(document, "Client record")
    client = bundle.client
    if client is None:
        document.paragraph("The client record is withheld (see the end).", colour=GREY)
        _end_of_entry(document)
        return
    document.pair("Name", client.name)
    if client.preferred_name:
        document.pair("Preferred name", client.preferred_name)
    born = client.date_of_birth
    document.pair("Date of birth", born.isoformat() if born else "not recorded")
    document.pair("Email", client.email or "not recorded")
    document.pair("Phone", client.phone or "not recorded")
    document.pair("Client type", client.client_type or "none")
    document.pair("Record", client.status)
    document.pair("Warnings", ", ".join(client.warnings) or "none")
    document.pair("Groups", ", ".join(client.groups) or "none")
    document.pair("Registered", when(client.created_at, bundle.zone))
    _end_of_entry(document)


# --- a case ----------------------------------------------------------------------------------


def _case(
    document: Document,
    bundle: SarBundle,
    case: CaseDetail | None,
    records: _CaseRecords,
    files: dict[int, str],
) -> None:
    number = case.case_number if case is not None else records.number
    _heading(document, f"Case {number}")
    if case is None:
        document.paragraph("The case record is withheld (see the end).", colour=GREY)
    else:
        document.pair("Status", f"{case.status} · {case.concern} concern")
        document.pair("Worker", case.worker_name or "none")
        if case.navigators:
            document.pair("Also working", ", ".join(bundle.name_of(n) for n in case.navigators))
        document.pair("Pathway", case.pathway or "none")
        opened = f"opened {case.opened_on.isoformat()}"
        if case.closed_on:
            opened += f" · closed {case.closed_on.isoformat()}"
        document.pair("Dates", opened)
    document.space(2.5)
    for note in records.notes:
        _note(
            document, bundle, note, records.addenda.pop(note.id, []), records.tasks.pop(note.id, [])
        )
    orphans = [a for rows in records.addenda.values() for a in rows]
    if orphans:
        _subheading(document, "Addenda to notes that are withheld")
        for addendum in orphans:
            _addendum(document, bundle, addendum, indent=0.0, note_id=addendum.note_id)
        _end_of_entry(document)
    tasks = [t for rows in records.tasks.values() for t in rows]
    if tasks:
        _subheading(document, "Follow-up tasks")
        for task in tasks:
            _task(document, bundle, task, indent=0.0)
        _end_of_entry(document)
    if records.communications:
        _subheading(document, "Communications")
        for communication in records.communications:
            _communication(document, bundle, communication)
        _end_of_entry(document)
    if records.services:
        _subheading(document, "Supportive services")
        for service in records.services:
            _service(document, bundle, service)
        _end_of_entry(document)
    if records.attachments:
        _subheading(document, "Files")
        for attachment in records.attachments:
            _attachment(document, bundle, attachment, files.get(attachment.id, ""))
        _end_of_entry(document)


def _subheading(document: Document, text: str) -> None:
    document.room_for(line_height(10) + 3 * line_height(9))
    document.paragraph(text, size=10, bold=True)
    document.space(1.0)


def _note(
    document: Document,
    bundle: SarBundle,
    note: NoteView,
    addenda: Sequence[AddendumView],
    tasks: Sequence[TaskView],
) -> None:
    # The heading never ends a page: it goes over with at least the first lines of its note.
    document.room_for(line_height(10) + 4 * line_height(9))
    heading = f"{when(note.contact_at, bundle.zone)} · {note.activity_type}"
    document.paragraph(heading, size=10, bold=True)
    contact = note.contact_type
    if note.third_party_org:
        contact += f" ({note.third_party_org})"
    facts = f"Contact: {contact} · Written by {note.author_name} · note {note.id}"
    if note.restricted:
        facts += " · restricted, released after review"
    document.paragraph(facts, size=8.5, colour=GREY)
    document.space(0.8)
    document.paragraph(note.summary, size=9.5, bold=True)
    if note.details.strip():
        document.space(0.5)
        document.paragraph(note.details)
    for addendum in addenda:
        _addendum(document, bundle, addendum, indent=INDENT)
    if tasks:
        document.space(1.5)
    for task in tasks:
        _task(document, bundle, task, indent=INDENT)
    _end_of_entry(document)


def _addendum(
    document: Document,
    bundle: SarBundle,
    addendum: AddendumView,
    *,
    indent: float,
    note_id: int | None = None,
) -> None:
    document.space(1.5)
    document.room_for(3 * line_height(9))
    heading = (
        f"Addendum by {bundle.name_of(addendum.author)}, {when(addendum.created_at, bundle.zone)}"
    )
    if note_id is not None:
        heading += f" · to note {note_id}"
    document.paragraph(heading, size=8.5, bold=True, indent=indent)
    document.paragraph(f"Reason: {addendum.reason}", size=8.5, indent=indent)
    document.paragraph(addendum.text, indent=indent)


def _task(document: Document, bundle: SarBundle, task: TaskView, *, indent: float) -> None:
    document.room_for(2 * line_height(9))
    responsible = ", ".join(bundle.name_of(r) for r in task.responsible) or "nobody"
    if task.assigned_to_client:
        responsible += " (the client's task)"
    document.paragraph(f"Follow-up task: {task.name}", size=9, bold=True, indent=indent)
    facts = f"Due {day(task.due_on)} · {task.status} · responsible: {responsible}"
    if task.repeats != "none":
        facts += f" · repeats {task.rrule or task.repeats}"
    document.paragraph(facts, size=8.5, indent=indent)
    if task.details.strip():
        document.paragraph(task.details, size=8.5, indent=indent)
    document.space(1.0)


def _communication(document: Document, bundle: SarBundle, item: CommunicationView) -> None:
    document.room_for(line_height(9.5) + 3 * line_height(9))
    heading = f"{when(item.occurred_at, bundle.zone)} · {item.kind} · {item.direction}"
    document.paragraph(heading, size=9.5, bold=True)
    facts = f"Written by {item.author_name}"
    if item.send_on is not None:
        facts += f" · to send on {day(item.send_on)} · {item.state or ''}".rstrip(" ·")
    document.paragraph(facts, size=8.5, colour=GREY)
    document.paragraph(item.subject, size=9, bold=True)
    if item.body.strip():
        document.paragraph(item.body)
    document.space(1.5)


def _service(document: Document, bundle: SarBundle, service: ServiceRecord) -> None:
    document.room_for(3 * line_height(9))
    heading = f"{day(service.provided_on)} · {service.service_type} · {service.provider}"
    document.paragraph(heading, size=9.5, bold=True)
    amount = f"{service.amount:.2f} {bundle.currency}"
    if service.grant:
        amount += f" · paid from {service.grant}"
    document.paragraph(amount, size=8.5, colour=GREY)
    document.paragraph(service.justification)
    document.space(1.5)


def _attachment(
    document: Document, bundle: SarBundle, attachment: AttachmentView, file: str
) -> None:
    document.room_for(3 * line_height(9))
    document.paragraph(attachment.name, size=9.5, bold=True)
    facts = (
        f"{attachment.size:,} bytes · {attachment.media_type} · added "
        f"{when(attachment.created_at, bundle.zone)}"
    )
    if attachment.note_id is not None:
        facts += f" · on note {attachment.note_id}"
    document.paragraph(facts, size=8.5, colour=GREY)
    document.paragraph(f"In this folder as {file}", size=8.5)
    document.paragraph(f"sha256 {attachment.sha256}", size=8.0, colour=GREY)
    document.space(1.5)


# --- the end -----------------------------------------------------------------------------------


def _withheld(document: Document, bundle: SarBundle) -> None:
    _heading(document, "Withheld")
    if not bundle.withheld:
        document.paragraph("Nothing held about you was withheld.", colour=GREY)
        return
    document.paragraph(
        "These records are held about you but are not in this export, for the reasons given.",
        size=9,
    )
    document.space(1.5)
    for item in bundle.withheld:
        document.room_for(2 * line_height(9))
        document.paragraph(f"{item.item} ({item.kind})", size=9, bold=True)
        document.paragraph(f"Reason: {item.reason or 'not given'}", size=9, indent=INDENT)
        document.space(1.0)
