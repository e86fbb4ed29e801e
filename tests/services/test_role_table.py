"""The role table of the specification, action by action, for every kind of person.

Allowed: the database holds the change. Refused: PermissionDenied (or NotFound where the
case is out of sight, BulkRefused for a bulk note) and the database is exactly as before.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from casetui.domain.actor import Actor
from casetui.domain.enums import Grant
from casetui.domain.errors import BulkRefused, NotFound, PermissionDenied, ValidationError
from casetui.domain.filters import CaseFilter
from casetui.domain.models import (
    Attachment,
    AttachmentContent,
    Case,
    CaseNote,
    Client,
    ClientGroup,
    Communication,
    FollowUpTask,
    NoteAddendum,
    NoteAudit,
    NoteSignoff,
    Notification,
    OutcomeAssessment,
    Staff,
    SubjectAccessRequest,
    SupportiveService,
)
from casetui.domain.transfer import SketchMove
from casetui.repositories import notifications as inboxes
from casetui.repositories.cases import CaseRepository
from casetui.repositories.notes import NoteRepository
from casetui.repositories.staff import find_by_username
from casetui.repositories.tasks import TaskRepository
from casetui.services import attachments as attachment_service
from casetui.services import auth, note_audits, policy, subject_access, tasks
from casetui.services import bulk_notes as bulk_note_service
from casetui.services import cases as case_service
from casetui.services import clients as client_service
from casetui.services import communications as comms
from casetui.services import lists as list_service
from casetui.services import missing_data as missing_data_service
from casetui.services import notes as note_service
from casetui.services import notifications as notification_service
from casetui.services import outcomes as outcome_service
from casetui.services import pathway_tasks as pathway_task_service
from casetui.services import reminders as reminder_service
from casetui.services import settings as settings_service
from casetui.services import signoff as signoff_service
from casetui.services import staff as staff_service
from casetui.services import supportive_services as service_service
from casetui.services import teams as team_service
from casetui.services import timeline as timeline_service
from casetui.services import today as today_service
from casetui.services import transfer as transfer_service
from casetui.services import workload as workload_service
from casetui.services.mail import MailServer
from tests.mail.smtp_server import closed_port

from .conftest import World

ALLOWED = "allowed"


@dataclass(frozen=True)
class Subject:
    actor: str
    case: str


SUBJECTS = {
    "caseworker_assigned": Subject("ana", "ana_case"),
    "caseworker_not_assigned": Subject("ben", "ana_case"),
    "navigator": Subject("ana", "ben_case"),
    "supervisor_own_team": Subject("sam", "ana_case"),
    "supervisor_other_team": Subject("sam", "cara_case"),
    "administrator": Subject("admin", "cara_case"),
    "auditor": Subject("audrey", "ana_case"),
}

# Write on the case: its assigned workers, its team's supervisor, administrators.
WRITE = {
    "caseworker_assigned": ALLOWED,
    "caseworker_not_assigned": NotFound,
    "navigator": ALLOWED,
    "supervisor_own_team": ALLOWED,
    "supervisor_other_team": NotFound,
    "administrator": ALLOWED,
    "auditor": PermissionDenied,
}
# Someone else's note: supervisors and administrators of the case only.
OTHERS_NOTE = {**WRITE, "caseworker_assigned": PermissionDenied, "navigator": PermissionDenied}
SEE = {**WRITE, "auditor": ALLOWED}
SUPERVISORS = {
    **{name: PermissionDenied for name in SUBJECTS},
    "supervisor_own_team": ALLOWED,
    "supervisor_other_team": NotFound,
    "administrator": ALLOWED,
}
ADMINISTRATORS = {**{name: PermissionDenied for name in SUBJECTS}, "administrator": ALLOWED}
# Another team's worker is named, not out of sight: refused as not theirs to move.
TRANSFER = {**SUPERVISORS, "supervisor_other_team": PermissionDenied}
BULK = {
    **WRITE,
    "caseworker_not_assigned": BulkRefused,
    "supervisor_other_team": BulkRefused,
}
# Registering clients: everyone but auditors.
REGISTER = {**{name: ALLOWED for name in SUBJECTS}, "auditor": PermissionDenied}
# A case for the subject's client: the client must be in sight (else refused by field).
OPEN_FOR_SELF = {
    **WRITE,
    "caseworker_not_assigned": ValidationError,
    "supervisor_other_team": ValidationError,
}
# ...for olga (North): supervisors for their team, administrators for anyone.
OPEN_FOR_TEAM = {
    **OPEN_FOR_SELF,
    "caseworker_assigned": PermissionDenied,
    "navigator": PermissionDenied,
}
# ...for cara (South): administrators only.
OPEN_FOR_OTHER_TEAM = {**OPEN_FOR_TEAM, "supervisor_own_team": PermissionDenied}

Attempt = Callable[[], Any]
Landed = Callable[[Any], bool]
Prepare = Callable[[World, Actor, str], tuple[Attempt, Landed]]


def _note(w: World, note_id: int) -> CaseNote:
    return w.read(lambda uow: uow.session.get(CaseNote, note_id))


def _case(w: World, case_id: int) -> Case:
    return w.read(lambda uow: CaseRepository(uow.session, w.admin).get(case_id))


def _client_of(w: World, case_number: str) -> int:
    return w.read(
        lambda uow: CaseRepository(uow.session, w.admin).get_by_number(case_number).client_id
    )


def see_case(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    def attempt() -> str:
        return w.read(
            lambda uow: CaseRepository(uow.session, actor).get_by_number(number).case_number
        )

    return attempt, lambda seen: seen == number


def add_note(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    case_id = w.case_id(number)

    def landed(_: Any) -> bool:
        notes = w.read(
            lambda uow: NoteRepository(uow.session, w.admin).views(
                case_id=case_id, lock_days=14, now=uow.now()
            )
        )
        return [(n.summary, n.author) for n in notes] == [("Role table note", actor.username)]

    return lambda: w.note(actor, number, "Role table note"), landed


def add_task(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    case_id = w.case_id(number)

    def attempt() -> Any:
        return w.run(
            tasks.add_task,
            actor,
            number,
            tasks.TaskInput(name="Chase the landlord", due="2026-11-30"),
        )

    def landed(_: Any) -> bool:
        found = w.read(lambda uow: TaskRepository(uow.session, w.admin).views(case_id=case_id))
        return [t.name for t in found] == ["Chase the landlord"]

    return attempt, landed


def complete_task(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    task = w.run(
        tasks.add_task, w.admin, number, tasks.TaskInput(name="Call back", due="2026-11-30")
    )

    def landed(_: Any) -> bool:
        row = w.read(lambda uow: uow.session.get(FollowUpTask, task.id))
        return row is not None and row.status == "done" and row.completed_at is not None

    return lambda: w.run(tasks.complete_task, actor, task.id), landed


def _edit(w: World, actor: Actor, note_id: int) -> tuple[Attempt, Landed]:
    changes = note_service.NoteChanges(summary="Edited summary")
    return (
        lambda: w.run(note_service.edit_note, actor, note_id, changes),
        lambda _: _note(w, note_id).summary == "Edited summary",
    )


def _delete(w: World, actor: Actor, note_id: int) -> tuple[Attempt, Landed]:
    return (
        lambda: w.run(note_service.delete_note, actor, note_id),
        lambda _: _note(w, note_id).deleted_at is not None,
    )


def edit_own_note(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    return _edit(w, actor, w.raw_note(actor, number))


def edit_others_note(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    return _edit(w, actor, w.raw_note(w.olga, number))


def delete_own_note(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    return _delete(w, actor, w.raw_note(actor, number))


def delete_others_note(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    return _delete(w, actor, w.raw_note(w.olga, number))


def addendum(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    note_id = w.raw_note(w.olga, number)

    def landed(_: Any) -> bool:
        rows = w.read(
            lambda uow: (
                uow.session.query(NoteAddendum).filter(NoteAddendum.note_id == note_id).all()
            )
        )
        return [(a.text, a.author_id) for a in rows] == [("Also phoned the GP", actor.id)]

    return lambda: w.run(
        note_service.add_addendum, actor, note_id, "Also phoned the GP", "forgot"
    ), landed


def change_status(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    case_id = w.case_id(number)
    return (
        lambda: w.run(case_service.change_status, actor, number, "Paused"),
        lambda _: _case(w, case_id).status == "Paused",
    )


def change_concern(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    case_id = w.case_id(number)
    return (
        lambda: w.run(case_service.change_concern, actor, number, "High"),
        lambda _: _case(w, case_id).concern == "High",
    )


def reassign(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    case_id = w.case_id(number)
    target = w.olga if number == w.ben_case else w.ben
    return (
        lambda: w.run(case_service.reassign, actor, number, target.username),
        lambda _: _case(w, case_id).primary_worker_id == target.id,
    )


def _worker_of(w: World, number: str) -> str:
    worker = w.run(case_service.show_case, w.admin, number).worker_username
    assert worker is not None
    return worker


def transfer_preview(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    source, target = _worker_of(w, number), ("olga" if number == w.ben_case else "ben")
    return (
        lambda: w.run(transfer_service.plan_transfer, actor, source, [target]),
        lambda plan: [(m.case_number, m.to_username) for m in plan.moves] == [(number, target)],
    )


def transfer_caseload(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    """The commit of a preview an administrator made: the commit asks again who may."""
    case_id = w.case_id(number)
    target = w.olga if number == w.ben_case else w.ben
    plan = w.run(transfer_service.plan_transfer, w.admin, _worker_of(w, number), [target.username])
    return (
        lambda: w.run(transfer_service.commit_transfer, actor, plan),
        lambda _: _case(w, case_id).primary_worker_id == target.id,
    )


def _sketch(w: World, number: str) -> list[SketchMove]:
    target = "olga" if number == w.ben_case else "ben"
    version = _case(w, w.case_id(number)).version
    return [SketchMove(number, _worker_of(w, number), target, version)]


def what_if(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    sketch = _sketch(w, number)
    return (
        lambda: w.run(transfer_service.what_if, actor, sketch),
        lambda seen: [m.case_number for m in seen.moves] == [number],
    )


def what_if_commit(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    case_id = w.case_id(number)
    sketch = _sketch(w, number)
    target = w.staff_row(sketch[0].to_username).id
    return (
        lambda: w.run(transfer_service.commit_sketch, actor, sketch),
        lambda _: _case(w, case_id).primary_worker_id == target,
    )


def change_case_number(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    case_id = w.case_id(number)
    return (
        lambda: w.run(case_service.change_case_number, actor, number, "HB-0001"),
        lambda _: _case(w, case_id).case_number == "HB-0001",
    )


def _client(w: World, client_id: int) -> Client:
    return w.read(lambda uow: uow.session.get(Client, client_id))


def delete_client(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    client_id = _client_of(w, number)
    return (
        lambda: w.run(client_service.delete_client, actor, client_id),
        lambda _: _client(w, client_id).deleted_at is not None,
    )


def restore_client(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    client_id = _client_of(w, number)
    w.run(client_service.delete_client, w.admin, client_id)
    return (
        lambda: w.run(client_service.restore_client, actor, client_id),
        lambda _: _client(w, client_id).deleted_at is None,
    )


def restore_note(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    note_id = w.raw_note(w.olga, number)
    w.run(note_service.delete_note, w.admin, note_id)
    return (
        lambda: w.run(note_service.restore_note, actor, note_id),
        lambda _: _note(w, note_id).deleted_at is None,
    )


def bulk_note(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    case_id = w.case_id(number)
    note = note_service.NoteInput(summary="Group session", activity_type="Workshop")

    def landed(result: Any) -> bool:
        row = _note(w, result.note_ids[0])
        return (
            row.case_id == case_id and row.batch_id == result.batch_id and row.author_id == actor.id
        )

    return lambda: w.run(bulk_note_service.bulk_add_notes, actor, [number], note), landed


def register_client(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    client = client_service.ClientInput(name="Role Table Client", groups=("Job club",))
    return (
        lambda: w.run(client_service.register_client, actor, client),
        lambda client_id: _client(w, client_id).name == "Role Table Client",
    )


def register_with_case(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    client = client_service.ClientInput(name="Role Table Client")

    def landed(detail: Any) -> bool:
        return detail.client_name == "Role Table Client" and detail.worker_id == actor.id

    return (
        lambda: w.run(
            client_service.register_with_case, actor, client, case_service.CaseInput(client_id=0)
        ),
        landed,
    )


def _open_for(worker: str | None) -> Prepare:
    def prepare(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
        client_id = _client_of(w, number)
        case = case_service.CaseInput(client_id=client_id, worker=worker)

        def landed(detail: Any) -> bool:
            return (
                detail.client_id == client_id
                and detail.worker_username == (worker or actor.username)
                and _case(w, detail.id).client_id == client_id
            )

        return lambda: w.run(case_service.open_case, actor, case), landed

    return prepare


def show_case(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    return (
        lambda: w.run(case_service.show_case, actor, number),
        lambda detail: detail.case_number == number,
    )


def client_record(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    client_id = _client_of(w, number)
    return (
        lambda: w.run(client_service.client_record, actor, client_id),
        lambda record: number in [c.case_number for c in record.cases],
    )


def edit_client(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    client_id = _client_of(w, number)
    changes = client_service.ClientChanges(name="Renamed Client", email="renamed@example.org")
    return (
        lambda: w.run(client_service.edit_client, actor, client_id, changes),
        lambda _: _client(w, client_id).name == "Renamed Client",
    )


def record_status(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    client_id = _client_of(w, number)
    changes = client_service.ClientChanges(status="Closed")
    return (
        lambda: w.run(client_service.edit_client, actor, client_id, changes),
        lambda _: _client(w, client_id).record_status == "Closed",
    )


def delete_client_granted(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    return delete_client(w, _with(actor, Grant.DELETE_CLIENTS), number)


def change_case_number_granted(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    return change_case_number(w, _with(actor, Grant.CASE_NUMBERS), number)


def _navigators(w: World, case_id: int) -> tuple[str, ...]:
    return w.read(lambda uow: CaseRepository(uow.session, w.admin).detail(case_id).navigators)


def assign_navigator(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    case_id = w.case_id(number)
    before = _navigators(w, case_id)
    return (
        lambda: w.run(case_service.assign_navigator, actor, number, "olga"),
        lambda _: _navigators(w, case_id) == tuple(sorted({*before, "olga"})),
    )


def unassign_navigator(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    case_id = w.case_id(number)
    w.run(case_service.assign_navigator, w.admin, number, "olga")
    return (
        lambda: w.run(case_service.unassign_navigator, actor, number, "olga"),
        lambda _: "olga" not in _navigators(w, case_id),
    )


def join_group(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    client_id = _client_of(w, number)

    def landed(joined: Any) -> bool:
        rows = w.read(
            lambda uow: uow.session.execute(
                select(ClientGroup.group_name).where(ClientGroup.client_id == client_id)
            ).all()
        )
        return joined == 1 and [r[0] for r in rows] == ["Job club"]

    return lambda: w.run(client_service.join_group, actor, "Job club", [number]), landed


def edit_case(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    case_id = w.case_id(number)
    changes = case_service.CaseChanges(status="Paused", concern="High", add_tags=("rent",))

    def landed(_: Any) -> bool:
        case = _case(w, case_id)
        return (case.status, case.concern) == ("Paused", "High")

    return lambda: w.run(case_service.edit_case, actor, number, changes), landed


# --- communications and reminders: written like notes ----------------------------------------


def _communication(w: World, communication_id: int) -> Communication:
    return w.read(lambda uow: uow.session.get(Communication, communication_id))


def _reachable(w: World) -> None:
    """Every client has an email address (and an Active record): reminders may go to them."""
    w.sql("UPDATE client SET email = 'client@example.org'")


def _raw_communication(w: World, author: Actor, number: str, kind: str = "phone") -> int:
    """A communication by ``author`` put straight into the table (olga is on none of these
    cases): someone else's, to change."""
    with w.db.uow() as uow:
        case = CaseRepository(uow.session, w.admin).get_by_number(number)
        now = uow.now()
        reminder = kind == "reminder"
        row = Communication(
            case_id=case.id, author_id=author.id, kind=kind, direction="out", occurred_at=now,
            subject="Written earlier", created_at=now, updated_at=now,
            send_on=now.date() if reminder else None,
            reminder_state="scheduled" if reminder else None,
        )  # fmt: skip
        uow.session.add(row)
        uow.session.flush()
        communication_id = row.id
        uow.commit()
    assert communication_id is not None
    return communication_id


def add_communication(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    item = comms.CommunicationInput(kind="letter", direction="out", subject="Sent the form")
    return (
        lambda: w.run(comms.add_communication, actor, number, item),
        lambda view: _communication(w, view.id).author_id == actor.id,
    )


def add_reminder(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    _reachable(w)
    item = comms.CommunicationInput(kind="reminder", subject="Appointment", send_on="+2d")
    return (
        lambda: w.run(comms.add_communication, actor, number, item),
        lambda view: _communication(w, view.id).reminder_state == "scheduled",
    )


def _edit_communication(w: World, actor: Actor, cid: int) -> tuple[Attempt, Landed]:
    changes = comms.CommunicationChanges(subject="Edited subject")
    return (
        lambda: w.run(comms.edit_communication, actor, cid, changes),
        lambda _: _communication(w, cid).subject == "Edited subject",
    )


def _delete_communication(w: World, actor: Actor, cid: int) -> tuple[Attempt, Landed]:
    return (
        lambda: w.run(comms.delete_communication, actor, cid),
        lambda _: _communication(w, cid).deleted_at is not None,
    )


def _cancel_reminder(w: World, actor: Actor, cid: int) -> tuple[Attempt, Landed]:
    return (
        lambda: w.run(comms.cancel_reminder, actor, cid),
        lambda _: _communication(w, cid).reminder_state == "cancelled",
    )


def edit_own_communication(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    return _edit_communication(w, actor, _raw_communication(w, actor, number))


def edit_others_communication(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    return _edit_communication(w, actor, _raw_communication(w, w.olga, number))


def delete_own_communication(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    return _delete_communication(w, actor, _raw_communication(w, actor, number))


def delete_others_communication(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    return _delete_communication(w, actor, _raw_communication(w, w.olga, number))


def cancel_own_reminder(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    return _cancel_reminder(w, actor, _raw_communication(w, actor, number, "reminder"))


def cancel_others_reminder(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    return _cancel_reminder(w, actor, _raw_communication(w, w.olga, number, "reminder"))


def list_communications(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    cid = _raw_communication(w, w.olga, number)
    return (
        lambda: w.run(comms.list_communications, actor, number),
        lambda listed: [c.id for c in listed] == [cid],
    )


def bulk_communication(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    case_id = w.case_id(number)
    item = comms.CommunicationInput(kind="email", direction="out", subject="Job fair on Friday")

    def landed(result: Any) -> bool:
        row = _communication(w, result.communication_ids[0])
        return row.case_id == case_id and row.author_id == actor.id

    return lambda: w.run(comms.bulk_add_communications, actor, [number], item), landed


def bulk_reminder(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    _reachable(w)
    case_id = w.case_id(number)
    item = comms.CommunicationInput(kind="reminder", subject="Job fair", send_on="friday")

    def landed(result: Any) -> bool:
        row = _communication(w, result.communication_ids[0])
        return row.case_id == case_id and row.reminder_state == "scheduled"

    return lambda: w.run(comms.bulk_add_communications, actor, [number], item), landed


# --- attachments: added by the case's writers, read by whoever sees the case ---------------

LETTER = b"%PDF-1.4\n%%EOF\n"


def _raw_attachment(w: World, by: Actor, number: str) -> int:
    """A file added by ``by`` put straight into the tables (as if added before a change)."""
    case_id = w.case_id(number)
    with w.db.uow() as uow:
        row = Attachment(
            case_id=case_id, name="letter.pdf", size=len(LETTER), media_type="application/pdf",
            sha256=hashlib.sha256(LETTER).hexdigest(), uploaded_by_id=by.id,
            created_at=uow.now(),
        )  # fmt: skip
        uow.session.add(row)
        uow.session.flush()
        assert row.id is not None
        uow.session.add(AttachmentContent(attachment_id=row.id, content=LETTER))
        attachment_id = row.id
        uow.commit()
    return attachment_id


def _attachment(w: World, attachment_id: int) -> Attachment:
    return w.read(lambda uow: uow.session.get(Attachment, attachment_id))


def add_attachment(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    case_id = w.case_id(number)

    def landed(_: Any) -> bool:
        rows = w.read(
            lambda uow: uow.session.execute(
                select(Attachment.name, Attachment.uploaded_by_id).where(
                    Attachment.case_id == case_id
                )
            ).all()
        )
        return [tuple(r) for r in rows] == [("letter.pdf", actor.id)]

    return lambda: w.run(
        attachment_service.attach_stream, actor, number, "letter.pdf", io.BytesIO(LETTER)
    ), landed


def download_attachment(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    attachment_id = _raw_attachment(w, w.admin, number)
    folder = tempfile.TemporaryDirectory()  # removed once the test lets go of it
    out = Path(folder.name) / "letter.pdf"

    def landed(saved: Any) -> bool:
        return folder.name != "" and saved.path == str(out) and out.read_bytes() == LETTER

    return lambda: w.run(attachment_service.save_attachment, actor, attachment_id, out), landed


def _delete_attachment(w: World, actor: Actor, attachment_id: int) -> tuple[Attempt, Landed]:
    return (
        lambda: w.run(attachment_service.delete_attachment, actor, attachment_id),
        lambda _: _attachment(w, attachment_id).deleted_at is not None,
    )


def delete_own_attachment(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    return _delete_attachment(w, actor, _raw_attachment(w, actor, number))


def delete_others_attachment(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    return _delete_attachment(w, actor, _raw_attachment(w, w.olga, number))


# --- subject-access requests: the reports grant, for clients in sight; supervisors and
# administrators decide ------------------------------------------------------------------

# Supervisors, auditors and administrators hold the reports grant; caseworkers do not.
REPORTS = {
    **{name: PermissionDenied for name in SUBJECTS},
    "supervisor_own_team": ALLOWED,
    "supervisor_other_team": NotFound,
    "administrator": ALLOWED,
    "auditor": ALLOWED,
}
SAR_DECIDE = {**REPORTS, "auditor": PermissionDenied}


def _sar_request(w: World, number: str) -> int:
    """A request for the case's client, started by an administrator."""
    return w.run(subject_access.start_request, w.admin, _client_of(w, number)).id


def _sar_requests(w: World) -> list[tuple[int, int]]:
    return [
        tuple(r)  # type: ignore[misc]
        for r in w.read(
            lambda uow: uow.session.execute(
                select(SubjectAccessRequest.id, SubjectAccessRequest.requested_by_id)
            ).all()
        )
    ]


def sar_start(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    client_id = _client_of(w, number)
    return (
        lambda: w.run(subject_access.start_request, actor, client_id),
        lambda view: _sar_requests(w) == [(view.id, actor.id)] and view.client_id == client_id,
    )


def sar_show(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    request_id = _sar_request(w, number)
    return (
        lambda: w.run(subject_access.show_request, actor, request_id),
        lambda view: view.id == request_id and bool(view.items),
    )


def sar_decide(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    request_id = _sar_request(w, number)
    item = f"case:{w.case_id(number)}"

    def landed(_: Any) -> bool:
        shown = w.run(subject_access.show_request, w.admin, request_id)
        found = next(i for i in shown.items if i.item == item)
        return (found.state.value, found.reason, found.decided_by) == (
            "withheld", "Role table", actor.username,
        )  # fmt: skip

    def attempt() -> Any:
        return w.run(subject_access.decide, actor, request_id, item, "withhold", "Role table")

    return attempt, landed


def sar_export(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    request_id = _sar_request(w, number)  # nothing held: a client with a case and no notes
    folder = tempfile.TemporaryDirectory()  # removed once the test lets go of it
    out = Path(folder.name) / "bundle"

    def landed(done: Any) -> bool:
        return (
            folder.name != ""
            and done.folder == str(out)
            and (out / "SHA256SUMS").is_file()
            and (out / "subject-access.json").is_file()
        )

    return lambda: w.run(subject_access.export_request, actor, request_id, out), landed


# --- supportive services: recorded by case writers, changed as notes are ------------------


def _raw_service(w: World, author: Actor, number: str) -> int:
    """A service by ``author`` put straight into the table, as a note is by ``raw_note``."""
    case_id = w.case_id(number)
    with w.db.uow() as uow:
        now = uow.now()
        row = SupportiveService(
            case_id=case_id, author_id=author.id, service_type="Travel", provided_on=now.date(),
            provider="City Buses", amount=Decimal("12.50"), justification="Bus pass",
            created_at=now, updated_at=now,
        )  # fmt: skip
        uow.session.add(row)
        uow.session.flush()
        service_id = row.id
        uow.commit()
    assert service_id is not None
    return service_id


def _service(w: World, service_id: int) -> SupportiveService:
    return w.read(lambda uow: uow.session.get(SupportiveService, service_id))


def add_service(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    case_id = w.case_id(number)
    service = service_service.ServiceInput(
        service_type="Food", provided_on="today", provider="Food bank", amount="0.10",
        justification="Voucher while the claim is decided",
    )  # fmt: skip

    def landed(_: Any) -> bool:
        rows = w.read(
            lambda uow: (
                uow.session.execute(
                    select(SupportiveService).where(SupportiveService.case_id == case_id)
                )
                .scalars()
                .all()
            )
        )
        return [(r.service_type, r.amount, r.author_id) for r in rows] == [
            ("Food", Decimal("0.10"), actor.id)
        ]

    return lambda: w.run(service_service.add_service, actor, number, service), landed


def _edit_service(w: World, actor: Actor, service_id: int) -> tuple[Attempt, Landed]:
    changes = service_service.ServiceChanges(amount="13.75")
    return (
        lambda: w.run(service_service.edit_service, actor, service_id, changes),
        lambda _: _service(w, service_id).amount == Decimal("13.75"),
    )


def _delete_service(w: World, actor: Actor, service_id: int) -> tuple[Attempt, Landed]:
    return (
        lambda: w.run(service_service.delete_service, actor, service_id),
        lambda _: _service(w, service_id).deleted_at is not None,
    )


def edit_own_service(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    return _edit_service(w, actor, _raw_service(w, actor, number))


def edit_others_service(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    return _edit_service(w, actor, _raw_service(w, w.olga, number))


def delete_own_service(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    return _delete_service(w, actor, _raw_service(w, actor, number))


def delete_others_service(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    return _delete_service(w, actor, _raw_service(w, w.olga, number))


def list_services(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    service_id = _raw_service(w, w.olga, number)
    return (
        lambda: w.run(service_service.list_services, actor, number),
        lambda listed: [(s.id, s.amount) for s in listed] == [(service_id, Decimal("12.50"))],
    )


def service_totals(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    _raw_service(w, w.olga, number)
    _raw_service(w, w.olga, number)
    return (
        lambda: w.run(service_service.service_totals, actor, number),
        lambda totals: (totals.amount, totals.services) == (Decimal("25.00"), 2),
    )


# --- administration: administrators only, but for one's own password -----------------------

EVERYONE = {name: ALLOWED for name in SUBJECTS}


def _staff_row(w: World, username: str) -> Any:
    return w.read(lambda uow: find_by_username(uow.session, username))


def _hire_dee(w: World) -> None:
    w.run(staff_service.create_staff, w.admin, staff_service.StaffInput("dee", "Dee", team="South"))


def add_staff(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    person = staff_service.StaffInput("dee", "Dee", team="South")
    return (
        lambda: w.run(staff_service.add_staff, actor, person, "first-day-7731"),
        lambda _: _staff_row(w, "dee").must_change_password is True,
    )


def edit_staff(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    changes = staff_service.StaffChanges(capacity_hours=20, grant=("reports",))
    return (
        lambda: w.run(staff_service.edit_staff, actor, "ben", changes),
        lambda _: _staff_row(w, "ben").capacity_hours == 20,
    )


def deactivate_staff(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    _hire_dee(w)
    return (
        lambda: w.run(staff_service.deactivate_staff, actor, "dee"),
        lambda _: _staff_row(w, "dee").active is False,
    )


def reactivate_staff(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    _hire_dee(w)
    w.run(staff_service.deactivate_staff, w.admin, "dee")
    return (
        lambda: w.run(staff_service.reactivate_staff, actor, "dee"),
        lambda _: _staff_row(w, "dee").active is True,
    )


def reset_password(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    return (
        lambda: w.run(staff_service.reset_password, actor, "ben"),
        lambda password: _staff_row(w, "ben").must_change_password and len(password) > 8,
    )


def change_own_password(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    w.run(staff_service.set_password, w.admin, actor.username, "the first password")

    def attempt() -> None:
        auth.change_own_password(w.db, actor.username, "the first password", "a better secret")

    return attempt, lambda _: auth.sign_in(w.db, actor.username, "a better secret").id == actor.id


def list_teams(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    return (
        lambda: w.run(team_service.list_teams, actor),
        lambda teams: [t.name for t in teams] == ["North", "South"],
    )


def add_team(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    return (
        lambda: w.run(team_service.add_team, actor, "East", ["sam"]),
        lambda team: team.supervisors == ("sam",) and _staff_row(w, "sam").team_id == team.id,
    )


def edit_team(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    return (
        lambda: w.run(team_service.edit_team, actor, "South", new_name="South and East"),
        lambda team: team.name == "South and East",
    )


def show_settings(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    return (
        lambda: w.run(settings_service.show_settings, actor),
        lambda shown: shown.lock_days == 14,
    )


def set_setting(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    return (
        lambda: w.run(settings_service.set_setting, actor, "stale_days", "21"),
        lambda _: w.run(settings_service.get_settings, w.admin).stale_days == 21,
    )


def _signoff_state(w: World, note_id: int) -> str | None:
    row = w.read(
        lambda uow: uow.session.execute(
            select(NoteSignoff).where(NoteSignoff.note_id == note_id)  # type: ignore[arg-type]
        ).scalar_one_or_none()
    )
    return None if row is None else row.state


def request_signoff(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    """Send someone else's note on the case for sign-off: anyone who may write the case."""
    note_id = w.raw_note(w.olga, number)
    return (
        lambda: w.run(signoff_service.request_signoff, actor, note_id),
        lambda _: _signoff_state(w, note_id) == "requested",
    )


def _waiting(w: World, number: str) -> int:
    note_id = w.raw_note(w.olga, number)
    w.run(signoff_service.request_signoff, w.admin, note_id)
    return note_id


def approve_signoff(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    note_id = _waiting(w, number)
    return (
        lambda: w.run(signoff_service.approve, actor, note_id),
        lambda _: _signoff_state(w, note_id) == "approved",
    )


def return_signoff(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    note_id = _waiting(w, number)
    return (
        lambda: w.run(signoff_service.return_note, actor, note_id, "Say what happens next"),
        lambda _: _signoff_state(w, note_id) == "returned",
    )


def require_signoff(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    return (
        lambda: w.run(list_service.set_requires_signoff, actor, "Assessment", True),
        lambda _: (
            w.run(settings_service.get_settings, w.admin).signoff_activity_types == ("Assessment",)
        ),
    )


def show_list(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    return (
        lambda: w.run(list_service.list_items_of, actor, "groups"),
        lambda items: items[0].value == "Job club",
    )


def _groups(w: World) -> tuple[str, ...]:
    return w.run(settings_service.get_settings, w.admin).groups


def add_list_item(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    return (
        lambda: w.run(list_service.add_item, actor, "groups", "Choir"),
        lambda _: _groups(w)[-1] == "Choir",
    )


def retire_list_item(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    return (
        lambda: w.run(list_service.retire_item, actor, "groups", "Job club"),
        lambda _: "Job club" not in _groups(w),
    )


def rename_list_item(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    return (
        lambda: w.run(list_service.rename_item, actor, "groups", "Job club", "Jobs club"),
        lambda _: _groups(w)[0] == "Jobs club",
    )


def move_list_item(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    return (
        lambda: w.run(list_service.move_item, actor, "groups", "Job club", 1),
        lambda _: _groups(w)[1] == "Job club",
    )


# --- a caseworker's day: pathways' tasks (administrators), snoozing, Today, missing data ------


def add_pathway_task(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    return (
        lambda: w.run(pathway_task_service.add_pathway_task, actor, "Mental Health", "GP", 7),
        lambda _: [t.name for t in _pathway_tasks(w, "Mental Health")] == ["GP"],
    )


def _pathway_tasks(w: World, pathway: str) -> list[Any]:
    return w.run(pathway_task_service.pathway_tasks, w.admin, pathway)


def _a_pathway_task(w: World, *names: str) -> int:
    for name in names:
        w.run(pathway_task_service.add_pathway_task, w.admin, "Housing Support", name, 3)
    return _pathway_tasks(w, "Housing Support")[0].id


def edit_pathway_task(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    task_id = _a_pathway_task(w, "Visit")
    return (
        lambda: w.run(pathway_task_service.edit_pathway_task, actor, task_id, due_after_days=9),
        lambda _: [t.due_after_days for t in _pathway_tasks(w, "Housing Support")] == [9],
    )


def remove_pathway_task(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    task_id = _a_pathway_task(w, "Visit")
    return (
        lambda: w.run(pathway_task_service.remove_pathway_task, actor, task_id),
        lambda _: _pathway_tasks(w, "Housing Support") == [],
    )


def move_pathway_task(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    task_id = _a_pathway_task(w, "Visit", "Call")
    return (
        lambda: w.run(pathway_task_service.move_pathway_task, actor, task_id, 1),
        lambda _: [t.name for t in _pathway_tasks(w, "Housing Support")] == ["Call", "Visit"],
    )


def snooze_task(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    task = w.run(
        tasks.add_task, w.admin, number, tasks.TaskInput(name="Call back", due="2026-11-20")
    )

    def landed(_: Any) -> bool:
        row = w.read(lambda uow: uow.session.get(FollowUpTask, task.id))
        return row is not None and row.due_on.isoformat() == "2026-11-25"

    return lambda: w.run(tasks.snooze_task, actor, task.id, 3), landed


def today_list(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    task = w.run(
        tasks.add_task,
        w.admin,
        number,
        tasks.TaskInput(name="Call back", due="2026-11-20", responsible=(actor.username,)),
    ) if actor.role.value != "auditor" else None  # fmt: skip

    def sees_the_case() -> bool:
        try:
            see_case(w, actor, number)[0]()
        except NotFound:
            return False
        return True

    # A task naming the actor is theirs today on a case they see, never on one out of sight.
    expected = [task.id] if task and sees_the_case() else []

    def landed(found: Any) -> bool:
        return [i.id for i in found.items] == expected

    return lambda: w.run(today_service.today_list, actor), landed


def missing_data_of_the_worker(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    worker = w.read(
        lambda uow: CaseRepository(uow.session, w.admin).get_by_number(number).primary_worker_id
    )
    username = w.read(lambda uow: uow.session.get(Staff, worker).username)
    return (
        lambda: w.run(missing_data_service.missing_data, actor, username),
        lambda found: (
            [line.case_number for line in found.lines if line.reason == "no_pathway"] == [number]
        ),
    )


# Whose missing data: one's own, a supervisor's team's, everyone's for administrators and
# auditors.
MISSING_DATA = {
    **{name: PermissionDenied for name in SUBJECTS},
    "caseworker_assigned": ALLOWED,
    "supervisor_own_team": ALLOWED,
    "administrator": ALLOWED,
    "auditor": ALLOWED,
}


# --- reminders: the sender and settling one left sending are for administrators ----------------


def _reminder(w: World, number: str, state: str = "scheduled") -> int:
    """A reminder due today, written by an administrator through the communications service,
    to a client whose email address is then taken off the record (the sender refuses it
    before the server)."""
    client_id = w.read(
        lambda uow: CaseRepository(uow.session, w.admin).get_by_number(number).client_id
    )
    client_service.edit_client(
        w.db, w.admin, client_id, client_service.ClientChanges(email="client@example.org")
    )
    item = comms.CommunicationInput(kind="reminder", subject="Appointment", send_on="today")
    reminder_id = w.run(comms.add_communication, w.admin, number, item).id
    client_service.edit_client(w.db, w.admin, client_id, client_service.ClientChanges(email=""))
    if state == "sending":
        # As a sender killed between its claim and the hand-over leaves it: only a crash gets
        # there, so the state is written here.
        w.sql(
            "UPDATE communication SET reminder_state = 'sending', claimed_at = :at WHERE id = :id",
            at=w.clock(),
            id=reminder_id,
        )
    return reminder_id


def _reminder_state(w: World, reminder_id: int) -> str | None:
    return w.read(lambda uow: uow.session.get(Communication, reminder_id)).reminder_state


def send_reminders(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    reminder_id = _reminder(w, number)
    # Nothing listens there: the one reminder is refused (no email address) before the server.
    server = MailServer("127.0.0.1", closed_port(), "starttls", "r@org.example", "Org")
    return (
        lambda: w.run(reminder_service.send_due, actor, server),
        lambda _: _reminder_state(w, reminder_id) == "failed",
    )


def settle_reminder(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    reminder_id = _reminder(w, number, state="sending")
    return (
        lambda: w.run(reminder_service.settle, actor, reminder_id, sent=False),
        lambda _: _reminder_state(w, reminder_id) == "scheduled",
    )


def _notification_for(w: World, person: Actor, case_number: str) -> int:
    """News of the case for ``person``, put in their inbox as a service would."""
    case_id = w.case_id(case_number)
    with w.db.uow() as uow:
        inboxes.deliver(uow.session, [person.id], kind="case_assigned", case_id=case_id,
                        event_key="role-table", text="News", at=uow.now())  # fmt: skip
        uow.commit()
    found = w.read(
        lambda uow: uow.session.execute(
            select(Notification.id).where(Notification.staff_id == person.id)
        ).scalar_one()
    )
    return int(found)


def _read_at(w: World, notification_id: int) -> object:
    return w.read(lambda uow: uow.session.get(Notification, notification_id)).read_at


def mark_own_notification_read(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    mine = _notification_for(w, actor, number)
    return (
        lambda: w.run(notification_service.mark_read, actor, [mine]),
        lambda _: _read_at(w, mine) is not None,
    )


def mark_others_notification_read(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    theirs = _notification_for(w, w.cara, number)  # cara is nobody's subject here
    return (
        lambda: w.run(notification_service.mark_read, actor, [theirs]),
        lambda _: _read_at(w, theirs) is not None,
    )


# Note audits: supervisors of the case's team and administrators audit; everyone reads the
# scores in their sight (caseworkers their own notes' only).
AUDIT_RUN = {**SUPERVISORS, "supervisor_other_team": PermissionDenied}
READ_AUDITS = {
    **{name: PermissionDenied for name in SUBJECTS},
    "caseworker_assigned": ALLOWED,
    "supervisor_own_team": ALLOWED,
    "administrator": ALLOWED,
    "auditor": ALLOWED,
}
CASE_AUTHORS = {"ana_case": "ana", "ben_case": "ben", "cara_case": "cara"}
CASE_TEAMS = {"ana_case": "North", "ben_case": "North", "cara_case": "South"}


def _numbered(w: World, number: str) -> str:
    return next(name for name in CASE_AUTHORS if getattr(w, name) == number)


def _audit_of(w: World, note_id: int) -> NoteAudit | None:
    return w.read(
        lambda uow: uow.session.execute(
            select(NoteAudit).where(NoteAudit.note_id == note_id)
        ).scalar_one_or_none()
    )


def audit_note(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    note_id = w.raw_note(w.olga, number, "To be audited")
    return (
        lambda: w.run(note_audits.audit_note, actor, note_id),
        lambda _: _audit_of(w, note_id) is not None,
    )


def run_audits(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    note_id = w.raw_note(w.olga, number, "To be audited")
    team = CASE_TEAMS[_numbered(w, number)]
    return (
        lambda: w.run(note_audits.run_audits, actor, team=team),
        lambda _: _audit_of(w, note_id) is not None,
    )


def override_criterion(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    note_id = w.raw_note(w.olga, number, "To be audited")
    w.run(note_audits.audit_note, w.admin, note_id)

    def attempt() -> Any:
        return w.run(
            note_audits.override_criterion, actor, note_id, "Enough detail", True, "Said enough"
        )

    def landed(_: Any) -> bool:
        found = _audit_of(w, note_id)
        return found is not None and found.version == 2 and '"overridden_by":"' in found.criteria

    return attempt, landed


def read_audits(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    author = CASE_AUTHORS[_numbered(w, number)]
    note_id = w.raw_note(getattr(w, author), number, "Audited")
    w.run(note_audits.audit_note, w.admin, note_id)
    return (
        lambda: w.run(note_audits.list_audited, actor, worker=author),
        lambda found: [a.note_id for a in found] == [note_id],
    )


# A note's audit dialog: the score to whoever may read it; a note out of sight is not found.
READ_AUDIT_SHEET = {
    **READ_AUDITS,
    "caseworker_not_assigned": NotFound,
    "supervisor_other_team": NotFound,
}


def read_audit_sheet(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    author = CASE_AUTHORS[_numbered(w, number)]
    note_id = w.raw_note(getattr(w, author), number, "Audited")
    w.run(note_audits.audit_note, w.admin, note_id)
    return (
        lambda: w.run(note_audits.audit_sheet, actor, note_id),
        lambda sheet: sheet.audit is not None and sheet.audit.note_id == note_id,
    )


def set_criterion(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    def landed(_: Any) -> bool:
        views = w.run(note_audits.criteria_views, w.admin)
        return next(c.weight for c in views if c.name == "Enough detail") == 25

    return lambda: w.run(note_audits.set_criterion, actor, "Enough detail", weight=25), landed


# --- outcome assessments: by the case's writers; one worker's grid within one's scope --------

# A caseworker's own cases, a supervisor's team's, anyone's for administrators and auditors.
OUTCOMES_OF_WORKER = {
    **SEE,
    "caseworker_not_assigned": PermissionDenied,
    "navigator": PermissionDenied,
    "supervisor_other_team": PermissionDenied,
}


def assess_outcome(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    case_id = w.case_id(number)

    def landed(_: Any) -> bool:
        rows = w.read(
            lambda uow: uow.session.execute(
                select(
                    OutcomeAssessment.case_id,
                    OutcomeAssessment.stage,
                    OutcomeAssessment.level,
                    OutcomeAssessment.assessed_by_id,
                )  # fmt: skip
            ).all()
        )
        return [tuple(r) for r in rows] == [(case_id, "Housing", "medium", actor.id)]

    return lambda: w.run(
        outcome_service.assess, actor, number, "Housing", "medium", "some", "Tenancy offered"
    ), landed


def case_outcomes(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    case_id = w.case_id(number)
    w.run(outcome_service.assess, w.admin, number, "Engagement", "high", "strong")
    return (
        lambda: w.run(outcome_service.case_outcomes, actor, case_id),
        lambda found: found.current["Engagement"].level == "high",
    )


def outcomes_of_worker(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
    case_id = w.case_id(number)
    worker = _case(w, case_id).primary_worker_id
    username = next(s.username for s in (w.ana, w.ben, w.cara, w.olga) if s.id == worker)
    return (
        lambda: w.run(outcome_service.outcome_grid, actor, worker=username),
        lambda grid: (
            number in [r.case_number for r in grid.rows]
            and {r.worker_id for r in grid.rows} == {worker}
        ),
    )


# Everyone has an inbox of their own, and only their own.
NOBODY_ELSES = {name: NotFound for name in SUBJECTS}

TABLE: dict[str, tuple[Prepare, dict[str, Any]]] = {
    "see_case": (see_case, SEE),
    "add_note": (add_note, WRITE),
    "add_task": (add_task, WRITE),
    "complete_task": (complete_task, WRITE),
    "edit_own_note": (edit_own_note, WRITE),
    "edit_others_note": (edit_others_note, OTHERS_NOTE),
    "delete_own_note": (delete_own_note, WRITE),
    "delete_others_note": (delete_others_note, OTHERS_NOTE),
    "addendum": (addendum, WRITE),
    "change_status": (change_status, WRITE),
    "change_concern": (change_concern, WRITE),
    "reassign": (reassign, SUPERVISORS),
    # A whole caseload: those who may reassign, within a supervisor's own team.
    "transfer_preview": (transfer_preview, TRANSFER),
    "transfer_caseload": (transfer_caseload, TRANSFER),
    "what_if": (what_if, SUPERVISORS),
    "what_if_commit": (what_if_commit, SUPERVISORS),
    # Only administrators hold case_numbers and delete_clients by default.
    "change_case_number": (change_case_number, ADMINISTRATORS),
    "delete_client": (delete_client, ADMINISTRATORS),
    "restore_client": (restore_client, ADMINISTRATORS),
    "restore_note": (restore_note, ADMINISTRATORS),
    "bulk_note": (bulk_note, BULK),
    "register_client": (register_client, REGISTER),
    "register_with_case": (register_with_case, REGISTER),
    "open_case_for_self": (_open_for(None), OPEN_FOR_SELF),
    "open_case_for_team": (_open_for("olga"), OPEN_FOR_TEAM),
    "open_case_for_other_team": (_open_for("cara"), OPEN_FOR_OTHER_TEAM),
    "show_case": (show_case, SEE),
    "client_record": (client_record, SEE),
    "edit_client": (edit_client, WRITE),
    "record_status": (record_status, WRITE),
    "edit_case": (edit_case, WRITE),
    "add_communication": (add_communication, WRITE),
    "add_reminder": (add_reminder, WRITE),
    "edit_own_communication": (edit_own_communication, WRITE),
    "edit_others_communication": (edit_others_communication, OTHERS_NOTE),
    "delete_own_communication": (delete_own_communication, WRITE),
    "delete_others_communication": (delete_others_communication, OTHERS_NOTE),
    "cancel_own_reminder": (cancel_own_reminder, WRITE),
    "cancel_others_reminder": (cancel_others_reminder, OTHERS_NOTE),
    "list_communications": (list_communications, SEE),
    "bulk_communication": (bulk_communication, BULK),
    "bulk_reminder": (bulk_reminder, BULK),
    "add_attachment": (add_attachment, WRITE),
    "download_attachment": (download_attachment, SEE),
    "delete_own_attachment": (delete_own_attachment, WRITE),
    "delete_others_attachment": (delete_others_attachment, OTHERS_NOTE),
    "sar_start": (sar_start, REPORTS),
    "sar_show": (sar_show, REPORTS),
    "sar_decide": (sar_decide, SAR_DECIDE),
    "sar_export": (sar_export, REPORTS),
    # With the grant, as far as the case or client is the person's to write.
    "delete_client_granted": (delete_client_granted, WRITE),
    "change_case_number_granted": (change_case_number_granted, WRITE),
    "assign_navigator": (assign_navigator, SUPERVISORS),
    "unassign_navigator": (unassign_navigator, SUPERVISORS),
    "join_group": (join_group, BULK),
    "add_service": (add_service, WRITE),
    "edit_own_service": (edit_own_service, WRITE),
    "edit_others_service": (edit_others_service, OTHERS_NOTE),
    "delete_own_service": (delete_own_service, WRITE),
    "delete_others_service": (delete_others_service, OTHERS_NOTE),
    "list_services": (list_services, SEE),
    "service_totals": (service_totals, SEE),
    "add_staff": (add_staff, ADMINISTRATORS),
    "edit_staff": (edit_staff, ADMINISTRATORS),
    "deactivate_staff": (deactivate_staff, ADMINISTRATORS),
    "reactivate_staff": (reactivate_staff, ADMINISTRATORS),
    "reset_password": (reset_password, ADMINISTRATORS),
    "change_own_password": (change_own_password, EVERYONE),
    "list_teams": (list_teams, ADMINISTRATORS),
    "add_team": (add_team, ADMINISTRATORS),
    "edit_team": (edit_team, ADMINISTRATORS),
    "show_settings": (show_settings, ADMINISTRATORS),
    "set_setting": (set_setting, ADMINISTRATORS),
    "show_list": (show_list, ADMINISTRATORS),
    "add_list_item": (add_list_item, ADMINISTRATORS),
    "retire_list_item": (retire_list_item, ADMINISTRATORS),
    "rename_list_item": (rename_list_item, ADMINISTRATORS),
    "move_list_item": (move_list_item, ADMINISTRATORS),
    "request_signoff": (request_signoff, WRITE),
    # Its team's supervisors and administrators; never the note's author (tests/services/
    # test_signoff.py), whose note this is not.
    "approve_signoff": (approve_signoff, SUPERVISORS),
    "return_signoff": (return_signoff, SUPERVISORS),
    "require_signoff": (require_signoff, ADMINISTRATORS),
    "send_reminders": (send_reminders, ADMINISTRATORS),
    "settle_reminder": (settle_reminder, ADMINISTRATORS),
    "mark_own_notification_read": (mark_own_notification_read, EVERYONE),
    "mark_others_notification_read": (mark_others_notification_read, NOBODY_ELSES),
    "audit_note": (audit_note, SUPERVISORS),
    "run_audits": (run_audits, AUDIT_RUN),
    "override_audit_criterion": (override_criterion, SUPERVISORS),
    "read_audits": (read_audits, READ_AUDITS),
    "read_audit_sheet": (read_audit_sheet, READ_AUDIT_SHEET),
    "set_audit_criterion": (set_criterion, ADMINISTRATORS),
    "add_pathway_task": (add_pathway_task, ADMINISTRATORS),
    "edit_pathway_task": (edit_pathway_task, ADMINISTRATORS),
    "remove_pathway_task": (remove_pathway_task, ADMINISTRATORS),
    "move_pathway_task": (move_pathway_task, ADMINISTRATORS),
    "snooze_task": (snooze_task, WRITE),
    "today": (today_list, EVERYONE),
    "missing_data": (missing_data_of_the_worker, MISSING_DATA),
    "assess_outcome": (assess_outcome, WRITE),
    "case_outcomes": (case_outcomes, SEE),
    "outcomes_of_worker": (outcomes_of_worker, OUTCOMES_OF_WORKER),
}


def _check(world: World, actor: Actor, prepare: Prepare, number: str, expected: Any) -> None:
    attempt, landed = prepare(world, actor, number)
    before = world.dump()
    if expected == ALLOWED:
        result = attempt()
        assert landed(result)
    else:
        with pytest.raises(expected):
            attempt()
        assert world.dump() == before


@pytest.mark.parametrize("action", list(TABLE))
@pytest.mark.parametrize("subject", list(SUBJECTS))
def test_role_table(world: World, subject: str, action: str) -> None:
    prepare, expectations = TABLE[action]
    who = SUBJECTS[subject]
    _check(
        world, getattr(world, who.actor), prepare, getattr(world, who.case), expectations[subject]
    )


# --- grants on top of roles -----------------------------------------------------------------


def _with(actor: Actor, *grants: Grant) -> Actor:
    return replace(actor, grants=actor.grants | frozenset(grants))


def _without(actor: Actor, grant: Grant) -> Actor:
    return replace(actor, grants=actor.grants - {grant})


def test_case_numbers_grant_lets_a_caseworker_renumber_their_case(world: World) -> None:
    _check(world, _with(world.ana, Grant.CASE_NUMBERS), change_case_number, world.ana_case, ALLOWED)


def test_case_numbers_grant_does_not_reach_cases_out_of_sight(world: World) -> None:
    _check(
        world, _with(world.ana, Grant.CASE_NUMBERS), change_case_number, world.cara_case, NotFound
    )


def test_delete_clients_grant_lets_a_caseworker_delete_their_client(world: World) -> None:
    _check(world, _with(world.ana, Grant.DELETE_CLIENTS), delete_client, world.ana_case, ALLOWED)


def test_delete_clients_grant_does_not_reach_clients_out_of_sight(world: World) -> None:
    _check(world, _with(world.ana, Grant.DELETE_CLIENTS), delete_client, world.cara_case, NotFound)


def test_bulk_communication_needs_the_bulk_actions_grant(world: World) -> None:
    _check(
        world,
        _without(world.ana, Grant.BULK_ACTIONS),
        bulk_communication,
        world.ana_case,
        PermissionDenied,
    )


def test_bulk_note_needs_the_bulk_actions_grant(world: World) -> None:
    _check(
        world, _without(world.ana, Grant.BULK_ACTIONS), bulk_note, world.ana_case, PermissionDenied
    )


def test_reports_grant_lets_a_caseworker_start_a_request_for_their_client(world: World) -> None:
    _check(world, _with(world.ana, Grant.REPORTS), sar_start, world.ana_case, ALLOWED)


def test_reports_grant_does_not_let_a_caseworker_decide(world: World) -> None:
    _check(world, _with(world.ana, Grant.REPORTS), sar_decide, world.ana_case, PermissionDenied)


def test_deciding_on_a_request_needs_the_reports_grant(world: World) -> None:
    _check(world, _without(world.sam, Grant.REPORTS), sar_decide, world.ana_case, PermissionDenied)


def test_supervisor_cannot_reassign_to_someone_outside_the_team(world: World) -> None:
    def to_cara(w: World, actor: Actor, number: str) -> tuple[Attempt, Landed]:
        return lambda: w.run(case_service.reassign, actor, number, "cara"), lambda _: False

    _check(world, world.sam, to_cara, world.ana_case, PermissionDenied)


# --- reads: the caseload, notes and tasks are scoped whatever the filter ---------------------

VISIBLE = {
    "ana": {"ana_case", "ben_case"},
    "ben": {"ben_case"},
    "cara": {"cara_case"},
    "olga": {"olga_case"},
    "sam": {"ana_case", "ben_case", "olga_case"},
    "admin": {"ana_case", "ben_case", "cara_case", "olga_case"},
    "audrey": {"ana_case", "ben_case", "cara_case", "olga_case"},
}


@pytest.mark.parametrize("username", list(VISIBLE))
def test_caseload_holds_only_the_cases_the_actor_may_see(world: World, username: str) -> None:
    actor = getattr(world, username)
    everyone = [world.admin, world.sam, world.ana, world.ben, world.cara, world.olga]
    expected = {getattr(world, name) for name in VISIBLE[username]}
    filters = [
        CaseFilter(statuses=()),
        CaseFilter(statuses=(), worker_ids=tuple(s.id for s in everyone)),
        *(CaseFilter(statuses=(), query=getattr(world, name)) for name in VISIBLE["admin"]),
        *(CaseFilter(statuses=(), worker_ids=(s.id,)) for s in everyone),
    ]

    def caseload(uow: Any) -> list[tuple[set[str], int]]:
        repo = CaseRepository(uow.session, actor)
        return [({r.case_number for r in repo.rows(f, limit=100)}, repo.count(f)) for f in filters]

    results = world.read(caseload)
    assert results[0] == (expected, len(expected))
    for numbers, count in results[1:]:
        assert numbers <= expected
        assert count == len(numbers)


@pytest.mark.parametrize("username", list(VISIBLE))
def test_notes_and_tasks_of_unseen_cases_stay_hidden(world: World, username: str) -> None:
    actor = getattr(world, username)
    for attr in VISIBLE["admin"]:
        w_case = getattr(world, attr)
        world.note(world.admin, w_case, f"Note on {w_case}")
        world.run(
            tasks.add_task,
            world.admin,
            w_case,
            tasks.TaskInput(name=f"Task on {w_case}", due="+1w"),
        )
    expected = {getattr(world, name) for name in VISIBLE[username]}

    def read(uow: Any) -> tuple[set[str], set[str]]:
        notes = NoteRepository(uow.session, actor).views(lock_days=14, now=uow.now())
        found = TaskRepository(uow.session, actor).views()
        return {n.case_number for n in notes}, {t.case_number for t in found}

    assert world.read(read) == (expected, expected)
    for attr in VISIBLE["admin"].difference(VISIBLE[username]):
        with pytest.raises(NotFound):
            world.run(note_service.list_notes, actor, getattr(world, attr))


# --- workload and audit trail visibility -----------------------------------------------------

NORTH = {"sam", "ana", "ben", "olga"}
EVERYONE_WITH_CASES = {"admin", "sam", "ana", "ben", "cara", "olga"}


@pytest.mark.parametrize(
    ("username", "team", "expected"),
    [
        ("ana", None, {"ana"}),
        ("sam", None, NORTH),
        ("sam", "North", NORTH),
        ("admin", None, EVERYONE_WITH_CASES),
        ("admin", "South", {"cara"}),
        ("audrey", None, EVERYONE_WITH_CASES),
    ],
)
def test_workload_shows_self_team_or_everyone(
    world: World, username: str, team: str | None, expected: set[str]
) -> None:
    rows = world.run(workload_service.workload, getattr(world, username), team=team)
    assert {r.username for r in rows} == expected


@pytest.mark.parametrize(
    ("username", "team"), [("sam", "South"), ("ana", "North"), ("ana", "South")]
)
def test_workload_of_a_team_not_yours_is_refused(world: World, username: str, team: str) -> None:
    with pytest.raises(PermissionDenied):
        world.run(workload_service.workload, getattr(world, username), team=team)


@pytest.mark.parametrize(
    ("username", "allowed"),
    [("admin", True), ("audrey", True), ("sam", False), ("ana", False), ("olga", False)],
)
def test_audit_trail_is_for_administrators_and_auditors(
    world: World, username: str, allowed: bool
) -> None:
    actor = getattr(world, username)
    if allowed:
        policy.ensure_audit_reader(actor)
    else:
        with pytest.raises(PermissionDenied):
            policy.ensure_audit_reader(actor)


# --- what the screens are told: the same answers as the services ----------------------------

REFUSED = (PermissionDenied, NotFound, ValidationError, BulkRefused)


def _allowed(attempt: Attempt) -> bool:
    try:
        attempt()
    except REFUSED:
        return False
    return True


def _client_attempts(w: World, actor: Actor, client_id: int) -> dict[str, Attempt]:
    return {
        "edit": lambda: w.run(
            client_service.edit_client,
            actor,
            client_id,
            client_service.ClientChanges(preferred_name="Checked"),
        ),
        "open_case": lambda: w.run(
            case_service.open_case, actor, case_service.CaseInput(client_id=client_id)
        ),
        "delete": lambda: w.run(client_service.delete_client, actor, client_id),
        "restore": lambda: w.run(client_service.restore_client, actor, client_id),
    }


def _client_access_matches(w: World, actor: Actor, client_id: int, action: str) -> None:
    try:
        access = w.run(client_service.client_access, actor, client_id)
    except NotFound:
        offered = False
    else:
        offered = getattr(access, action)
    assert _allowed(_client_attempts(w, actor, client_id)[action]) is offered


@pytest.mark.parametrize("granted", [False, True], ids=["", "delete_clients"])
@pytest.mark.parametrize("action", ["edit", "open_case", "delete", "restore"])
@pytest.mark.parametrize("subject", list(SUBJECTS))
def test_client_access_answers_what_the_services_do(
    world: World, subject: str, action: str, granted: bool
) -> None:
    who = SUBJECTS[subject]
    actor = getattr(world, who.actor)
    actor = _with(actor, Grant.DELETE_CLIENTS) if granted else actor
    _client_access_matches(world, actor, _client_of(world, getattr(world, who.case)), action)


@pytest.mark.parametrize("action", ["edit", "open_case", "delete", "restore"])
@pytest.mark.parametrize("username", ["ana", "sam", "cara", "admin", "audrey"])
def test_client_access_of_a_client_with_no_case(world: World, username: str, action: str) -> None:
    client_id = world.run(
        client_service.register_client, world.cara, client_service.ClientInput("Nadia Petrova")
    )
    _client_access_matches(
        world, _with(getattr(world, username), Grant.DELETE_CLIENTS), client_id, action
    )


@pytest.mark.parametrize("username", ["sam", "admin"])
def test_client_access_of_a_deleted_client(world: World, username: str) -> None:
    world.run(client_service.delete_client, world.admin, world.ana_client)
    _client_access_matches(world, getattr(world, username), world.ana_client, "restore")


@pytest.mark.parametrize("granted", [False, True], ids=["", "case_numbers"])
@pytest.mark.parametrize("subject", list(SUBJECTS))
def test_case_access_answers_what_the_services_do(
    world: World, subject: str, granted: bool
) -> None:
    who = SUBJECTS[subject]
    actor = getattr(world, who.actor)
    actor = _with(actor, Grant.CASE_NUMBERS) if granted else actor
    number = getattr(world, who.case)
    try:
        access = world.run(timeline_service.load_timeline, actor, world.case_id(number)).access
    except NotFound:
        change_number = navigators = False
    else:
        change_number, navigators = access.change_number, access.navigators
    choices = world.run(case_service.navigator_choices, actor, number) if navigators else []
    assert bool(choices) is navigators
    navigator = choices[0].username if choices else "olga"
    assert (
        _allowed(lambda: world.run(case_service.assign_navigator, actor, number, navigator))
        is navigators
    )
    assert (
        _allowed(lambda: world.run(case_service.change_case_number, actor, number, "HB-0009"))
        is change_number
    )
