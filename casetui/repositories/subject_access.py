"""Subject-access requests, and everything held about one client, through what the actor may see.

A request is in sight when its client is (``visible_clients``). Gathering reads the client's
cases through ``visible_cases`` and everything on them that is not deleted: a deleted note
takes its addenda and files with it, as on the timeline. Only ids, versions and what decides
whether an item is held are read here; the records themselves come from their own
repositories when they are shown or exported.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, text
from sqlmodel import Session, col

from casetui.domain.actor import Actor
from casetui.domain.enums import ContactType
from casetui.domain.errors import NotFound
from casetui.domain.models import (
    Attachment,
    Case,
    CaseNote,
    Client,
    Communication,
    FollowUpTask,
    NoteAddendum,
    Staff,
    SubjectAccessItem,
    SubjectAccessRequest,
    SupportiveService,
)
from casetui.domain.storable import storable_id
from casetui.domain.subject_access import (
    RESTRICTED_FILE,
    RESTRICTED_NOTE,
    THIRD_PARTY,
    GatheredItem,
    ItemKind,
    ServiceRecord,
    item_key,
)
from casetui.repositories.client_scope import visible_clients
from casetui.repositories.scope import visible_cases


def note_held_because(restricted: bool | None, contact_type: str | None) -> str | None:
    """Why a note is held for review, or None when it is released by rule."""
    reasons = []
    if restricted:
        reasons.append(RESTRICTED_NOTE)
    if contact_type == ContactType.THIRD_PARTY.value:
        reasons.append(THIRD_PARTY)
    return ", ".join(reasons) or None


def _on_note(note_id: int | None, held: str | None) -> str | None:
    return f"on note {note_id}: {held}" if note_id is not None and held else None


class SubjectAccessRepository:
    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor

    def one_snapshot(self) -> None:
        """From here to its end, this (reading) transaction sees the database as it is now,
        whatever is committed meanwhile: what an export writes out must agree with itself.
        SQLite's read transactions already do (WAL); PostgreSQL's need asking, first thing."""
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))

    # --- requests --------------------------------------------------------------------------

    def add(self, client_id: int, requested_by_id: int, at: datetime) -> SubjectAccessRequest:
        row = SubjectAccessRequest(
            client_id=client_id, requested_by_id=requested_by_id, created_at=at
        )
        self.session.add(row)
        self.session.flush()
        return row

    def get(self, request_id: int) -> SubjectAccessRequest:
        """The request, if the actor may see its client; else NotFound (existence not told)."""
        row = None
        if storable_id(request_id):
            row = self.session.execute(
                select(SubjectAccessRequest)
                .join(Client, col(Client.id) == SubjectAccessRequest.client_id)
                .where(col(SubjectAccessRequest.id) == request_id, visible_clients(self.actor))
            ).scalar_one_or_none()
        if row is None:
            raise NotFound(f"no subject-access request {request_id} that you can see")
        return row

    def latest_for_client(self, client_id: int, *, exported: bool) -> SubjectAccessRequest | None:
        """The client's newest request, exported or not yet, if the actor may see the client."""
        if not storable_id(client_id):
            return None
        done = col(SubjectAccessRequest.exported_at)
        return self.session.execute(
            select(SubjectAccessRequest)
            .join(Client, col(Client.id) == SubjectAccessRequest.client_id)
            .where(
                col(SubjectAccessRequest.client_id) == client_id,
                visible_clients(self.actor),
                done.is_not(None) if exported else done.is_(None),
            )
            .order_by(col(SubjectAccessRequest.id).desc())
            .limit(1)
        ).scalar_one_or_none()

    def items(self, request_id: int) -> list[SubjectAccessItem]:
        """The request's items as kept (the caller has the request in sight)."""
        return list(
            self.session.execute(
                select(SubjectAccessItem)
                .where(col(SubjectAccessItem.request_id) == request_id)
                .order_by(col(SubjectAccessItem.id))
            ).scalars()
        )

    def add_item(self, row: SubjectAccessItem) -> None:
        self.session.add(row)

    def remove_item(self, row: SubjectAccessItem) -> None:
        self.session.delete(row)

    def usernames(self, staff_ids: Iterable[int | None]) -> dict[int, str]:
        wanted = [i for i in set(staff_ids) if i is not None and storable_id(i)]
        if not wanted:
            return {}
        rows = self.session.execute(
            select(col(Staff.id), col(Staff.username)).where(col(Staff.id).in_(wanted))
        )
        return {staff_id: username for staff_id, username in rows}

    def display_names(self, usernames: Iterable[str]) -> dict[str, str]:
        """Staff names for the usernames the records carry (an addendum's author, a task's
        responsible people): the client reads names, not accounts."""
        wanted = sorted(set(usernames))
        found: dict[str, str] = {}
        for start in range(0, len(wanted), 500):  # stay under SQLite's parameter limit
            rows = self.session.execute(
                select(col(Staff.username), col(Staff.display_name)).where(
                    col(Staff.username).in_(wanted[start : start + 500])
                )
            )
            found.update({username: name for username, name in rows})
        return found

    # --- everything held about one client ---------------------------------------------------

    def client_version(self, client_id: int) -> int:
        found = self.session.execute(
            select(col(Client.version)).where(
                col(Client.id) == client_id, visible_clients(self.actor)
            )
        ).scalar_one_or_none()
        if found is None:
            raise NotFound(f"no client {client_id} that you can see")
        return int(found)

    def case_ids(self, client_id: int) -> list[int]:
        """The client's cases the actor may see, oldest first."""
        return list(
            self.session.execute(
                select(col(Case.id))
                .where(col(Case.client_id) == client_id, visible_cases(self.actor))
                .order_by(col(Case.opened_on), col(Case.id))
            ).scalars()
        )

    def live_cases(self, case_ids: Iterable[int]) -> list[int]:
        """Of these cases, the ones not deleted, whoever may see them: a request that gathered
        a case the actor cannot see is not the actor's to read."""
        wanted = [i for i in case_ids if storable_id(i)]
        return list(
            self.session.execute(
                select(col(Case.id)).where(col(Case.id).in_(wanted), col(Case.deleted_at).is_(None))
            ).scalars()
        )

    def _rows(self, query: Any, case_ids: Sequence[int]) -> list[Any]:
        """``query`` (joined to ``cases``) over the given cases, in chunks; each row as read."""
        rows: list[Any] = []
        for start in range(0, len(case_ids), 500):
            chunk = list(case_ids[start : start + 500])
            rows.extend(
                self.session.execute(
                    query.where(col(Case.id).in_(chunk), visible_cases(self.actor))
                ).all()
            )
        return rows

    def gather(self, client_id: int) -> list[GatheredItem]:
        """Every record held about the client that the actor may see, in reading order: the
        client, then each case (oldest first) with its notes (each followed by its addenda,
        files and tasks), its other tasks, communications, services and files."""
        found: list[GatheredItem] = [
            GatheredItem(
                item_key(ItemKind.CLIENT, client_id), ItemKind.CLIENT, client_id, None, None,
                self.client_version(client_id),
            )
        ]  # fmt: skip
        cases = self._rows(
            select(col(Case.id), col(Case.version))
            .order_by(col(Case.opened_on), col(Case.id)),
            self.case_ids(client_id),
        )  # fmt: skip
        case_ids = [case_id for case_id, _ in cases]
        notes = self._rows(
            select(
                col(CaseNote.id), col(CaseNote.case_id), col(CaseNote.restricted),
                col(CaseNote.contact_type), col(CaseNote.version),
            )
            .join(Case, col(Case.id) == CaseNote.case_id)
            .where(col(CaseNote.deleted_at).is_(None))
            .order_by(col(CaseNote.contact_at), col(CaseNote.id)),
            case_ids,
        )  # fmt: skip
        held_note = {n.id: note_held_because(n.restricted, n.contact_type) for n in notes}
        addenda = self._rows(
            select(col(NoteAddendum.id), col(NoteAddendum.note_id))
            .join(CaseNote, col(CaseNote.id) == NoteAddendum.note_id)
            .join(Case, col(Case.id) == CaseNote.case_id)
            .where(col(CaseNote.deleted_at).is_(None))
            .order_by(col(NoteAddendum.created_at), col(NoteAddendum.id)),
            case_ids,
        )
        # A task made from a note is held with it, even when that note has been deleted since:
        # its name may quote the note.
        tasks = self._rows(
            select(
                col(FollowUpTask.id), col(FollowUpTask.case_id), col(FollowUpTask.note_id),
                col(FollowUpTask.version), col(CaseNote.restricted), col(CaseNote.contact_type),
                col(CaseNote.deleted_at),
            )
            .join(Case, col(Case.id) == FollowUpTask.case_id)
            .outerjoin(CaseNote, col(CaseNote.id) == FollowUpTask.note_id)
            .order_by(col(FollowUpTask.created_at), col(FollowUpTask.id)),
            case_ids,
        )  # fmt: skip
        communications = self._rows(
            select(col(Communication.id), col(Communication.case_id), col(Communication.version))
            .join(Case, col(Case.id) == Communication.case_id)
            .where(col(Communication.deleted_at).is_(None))
            .order_by(col(Communication.occurred_at), col(Communication.id)),
            case_ids,
        )
        services = self._rows(
            select(
                col(SupportiveService.id), col(SupportiveService.case_id),
                col(SupportiveService.version),
            )
            .join(Case, col(Case.id) == SupportiveService.case_id)
            .where(col(SupportiveService.deleted_at).is_(None))
            .order_by(col(SupportiveService.provided_on), col(SupportiveService.id)),
            case_ids,
        )  # fmt: skip
        files = self._rows(
            select(
                col(Attachment.id), col(Attachment.case_id), col(Attachment.note_id),
                col(Attachment.restricted),
            )
            .join(Case, col(Case.id) == Attachment.case_id)
            .outerjoin(CaseNote, col(CaseNote.id) == Attachment.note_id)
            .where(
                col(Attachment.deleted_at).is_(None),
                or_(col(Attachment.note_id).is_(None), col(CaseNote.deleted_at).is_(None)),
            )
            .order_by(col(Attachment.created_at), col(Attachment.id)),
            case_ids,
        )  # fmt: skip

        addenda_of: dict[int, list[GatheredItem]] = defaultdict(list)
        for addendum_id, note_id in addenda:
            addenda_of[note_id].append(
                GatheredItem(
                    item_key(ItemKind.ADDENDUM, addendum_id), ItemKind.ADDENDUM, addendum_id,
                    None, _on_note(note_id, held_note.get(note_id)), None,
                )
            )  # fmt: skip
        files_of: dict[int | None, list[GatheredItem]] = defaultdict(list)
        for file_id, case_id, note_id, restricted in files:
            own = RESTRICTED_FILE if restricted else None
            why = ", ".join(r for r in (own, _on_note(note_id, held_note.get(note_id))) if r)
            owner = note_id if note_id in held_note else None
            files_of[owner].append(
                GatheredItem(
                    item_key(ItemKind.ATTACHMENT, file_id), ItemKind.ATTACHMENT, file_id,
                    case_id, why or None, None,
                )
            )  # fmt: skip
        tasks_of: dict[int | None, list[GatheredItem]] = defaultdict(list)
        for task_id, case_id, note_id, version, restricted, contact_type, deleted in tasks:
            from_note = _on_note(note_id, note_held_because(restricted, contact_type))
            owner = note_id if note_id in held_note and deleted is None else None
            tasks_of[owner].append(
                GatheredItem(
                    item_key(ItemKind.TASK, task_id), ItemKind.TASK, task_id, case_id, from_note,
                    version,
                )
            )  # fmt: skip

        notes_of: dict[int, list[Any]] = defaultdict(list)
        for note in notes:
            notes_of[note.case_id].append(note)
        case_files: dict[int, list[GatheredItem]] = defaultdict(list)
        for item in files_of[None]:
            assert item.case_id is not None
            case_files[item.case_id].append(item)
        case_tasks: dict[int, list[GatheredItem]] = defaultdict(list)
        for item in tasks_of[None]:
            assert item.case_id is not None
            case_tasks[item.case_id].append(item)
        case_comms: dict[int, list[Any]] = defaultdict(list)
        for row in communications:
            case_comms[row.case_id].append(row)
        case_services: dict[int, list[Any]] = defaultdict(list)
        for row in services:
            case_services[row.case_id].append(row)

        for case_id, version in cases:
            found.append(
                GatheredItem(
                    item_key(ItemKind.CASE, case_id), ItemKind.CASE, case_id, case_id, None,
                    version,
                )
            )  # fmt: skip
            for note in notes_of[case_id]:
                found.append(
                    GatheredItem(
                        item_key(ItemKind.NOTE, note.id), ItemKind.NOTE, note.id, case_id,
                        held_note[note.id], note.version,
                    )
                )  # fmt: skip
                for item in addenda_of[note.id] + files_of[note.id] + tasks_of[note.id]:
                    found.append(GatheredItem(**{**vars(item), "case_id": case_id}))
            found.extend(case_tasks[case_id])
            found.extend(
                GatheredItem(
                    item_key(ItemKind.COMMUNICATION, row.id), ItemKind.COMMUNICATION, row.id,
                    case_id, None, row.version,
                )
                for row in case_comms[case_id]
            )  # fmt: skip
            found.extend(
                GatheredItem(
                    item_key(ItemKind.SERVICE, row.id), ItemKind.SERVICE, row.id, case_id, None,
                    row.version,
                )
                for row in case_services[case_id]
            )  # fmt: skip
            found.extend(case_files[case_id])
        return found

    def services(self, case_ids: Sequence[int]) -> list[ServiceRecord]:
        """The cases' supportive services that are not deleted, oldest first."""
        rows = self._rows(
            select(SupportiveService, col(Case.case_number))
            .join(Case, col(Case.id) == SupportiveService.case_id)
            .where(col(SupportiveService.deleted_at).is_(None))
            .order_by(col(SupportiveService.provided_on), col(SupportiveService.id)),
            case_ids,
        )
        return [
            ServiceRecord(
                id=row.id, case_id=row.case_id, case_number=number,
                service_type=row.service_type, provided_on=row.provided_on,
                provider=row.provider, amount=row.amount, grant=row.grant,
                justification=row.justification,
            )
            for row, number in rows
        ]  # fmt: skip
