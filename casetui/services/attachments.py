"""Attachments: files on a case or on a note (an email chain printed to PDF, a letter scanned
in), kept in the database with their name, size, sha256 and a type read from the content.

- Adding needs write access to the case, as a note does; a file on a note goes with the note
  (a deleted note's files are out of sight) and is restricted when the note is. The file is
  read before the write lock is taken, never more than one byte past the organisation's limit.
- Reading one (saving it out) is for whoever may see the case. A restricted attachment is read
  as a restricted note is: by the same people, and never without an audit event. Every
  download is an audit event (who, which file, its sha256 and where it went), restricted or not.
- Deleting is soft, for the case's writers: who added it, a supervisor or an administrator. The
  bytes are kept, as a deleted note's text is, so the record and the audit trail stay whole.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import BinaryIO, Protocol

from casetui.domain.actor import Actor
from casetui.domain.enums import Role
from casetui.domain.errors import CasetuiError, NotFound, PermissionDenied, ValidationError
from casetui.domain.models import Attachment, Case, CaseNote
from casetui.domain.read_models.attachments import AttachmentView, SavedAttachment
from casetui.domain.storable import printable
from casetui.domain.timeline import ATTACHMENT, TimelineEntry
from casetui.repositories.attachments import AttachmentRepository
from casetui.services import attachment_files, audit, files_out, policy
from casetui.services.access import (
    CaseAccess,
    writable_case_by_number,
    writable_case_of,
)
from casetui.services.attachment_files import FileRead, file_name, limit_bytes
from casetui.services.exports import record_export
from casetui.services.records import snapshot
from casetui.services.work import Database, Work, reading, writing

__all__ = [
    "add_attachment", "attach_stream", "attachment_details", "delete_attachment",
    "list_attachments", "may_attach", "may_delete", "may_save", "save_attachment",
    "save_target",
]  # fmt: skip


def _attachments(work: Work) -> AttachmentRepository:
    return AttachmentRepository(work.session, work.actor)


# --- the rules -------------------------------------------------------------------------------


class Uploaded(Protocol):
    """What the delete rule reads of an attachment: a row or a read model will do."""

    @property
    def id(self) -> int | None: ...
    @property
    def uploaded_by_id(self) -> int: ...


@dataclass(frozen=True)
class _OnTimeline:
    id: int
    uploaded_by_id: int


def ensure_may_delete(actor: Actor, attachment: Uploaded) -> None:
    """Deleting someone else's attachment is for supervisors and administrators, as for notes."""
    if actor.role in (Role.SUPERVISOR, Role.ADMINISTRATOR) or attachment.uploaded_by_id == actor.id:
        return
    raise PermissionDenied(
        f"attachment {attachment.id} was added by someone else; only who added it, a "
        "supervisor or an administrator may delete it"
    )


def may_attach(access: CaseAccess) -> bool:
    """Add a file to the case or one of its notes: whoever may write on the case."""
    return access.write


def may_save(entry: TimelineEntry | None) -> bool:
    """Save a file out: whoever sees it on the timeline (the download is audited)."""
    return entry is not None and entry.kind == ATTACHMENT


def may_delete(access: CaseAccess, entry: TimelineEntry | None) -> bool:
    if entry is None or entry.kind != ATTACHMENT or not access.write:
        return False
    uploaded = _OnTimeline(entry.id, entry.author_id or 0)
    return policy.can(ensure_may_delete, access.actor, uploaded)


# --- adding ----------------------------------------------------------------------------------


def _target(work: Work, case_number: str, note_id: int | None) -> tuple[Case, CaseNote | None]:
    """The case (written on by the actor) and the note of it the file goes on, if any."""
    case = writable_case_by_number(work, case_number)
    if note_id is None:
        return case, None
    note = work.notes.get(note_id)  # out of sight or deleted: NotFound
    if note.case_id != case.id:
        raise ValidationError("note", f"note {note_id} is not on case {case.case_number}")
    return case, note


def _limit_for(db: Database, actor: Actor, case_number: str, note_id: int | None) -> int:
    """The size limit in MB, once the actor is known to be allowed to attach here: asked
    before the file is read, in a read of its own, so no write lock waits on the disk."""
    with reading(db, actor) as work:
        _target(work, case_number, note_id)
        return work.settings.attachment_limit_mb


def add_attachment(
    db: Database,
    actor: Actor,
    case_number: str,
    path: str | os.PathLike[str],
    *,
    note_id: int | None = None,
    restricted: bool = False,
) -> AttachmentView:
    """Attach the file at ``path`` (as typed: ``~`` is the home folder) to a case, or to one
    of its notes. A file over the organisation's limit is refused before it is read."""
    limit_mb = _limit_for(db, actor, case_number, note_id)
    name, read = attachment_files.read_file(path, limit_mb)
    return _keep(db, actor, case_number, note_id, name, read, restricted)


def attach_stream(
    db: Database,
    actor: Actor,
    case_number: str,
    name: str,
    stream: BinaryIO,
    *,
    note_id: int | None = None,
    restricted: bool = False,
) -> AttachmentView:
    """Attach what ``stream`` holds under ``name``; refused, and read no further, once it
    holds more than the limit."""
    limit_mb = _limit_for(db, actor, case_number, note_id)
    read = attachment_files.read_stream(stream, limit_mb)
    return _keep(db, actor, case_number, note_id, file_name(name), read, restricted)


def _keep(
    db: Database,
    actor: Actor,
    case_number: str,
    note_id: int | None,
    name: str,
    read: FileRead,
    restricted: bool,
) -> AttachmentView:
    with writing(db, actor) as work:
        case, note = _target(work, case_number, note_id)  # asked again: things may have moved
        limit_mb = work.settings.attachment_limit_mb
        if read.size > limit_bytes(limit_mb):
            raise ValidationError(
                "file",
                f"{name} is over the organisation's limit of {limit_mb} MB for an attachment",
            )
        assert case.id is not None
        row = Attachment(
            case_id=case.id,
            note_id=note.id if note is not None else None,
            name=name,
            size=read.size,
            media_type=read.media_type,
            sha256=read.sha256,
            restricted=bool(restricted),
            uploaded_by_id=actor.id,
            created_at=work.now(),
        )
        attachments = _attachments(work)
        attachments.add(row, read.content)
        assert row.id is not None
        audit.record(
            work, actor, "attachment.add", "attachment", row.id, case_id=case.id,
            after=snapshot(row, deleted=False),
        )  # fmt: skip
        work.commit()
        return attachments.views(attachment_ids=[row.id])[0]


# --- reading ---------------------------------------------------------------------------------


def _view(work: Work, attachment_id: int) -> AttachmentView:
    found = _attachments(work).views(attachment_ids=[attachment_id])
    if not found:
        raise NotFound(f"no attachment {attachment_id} that you can see")
    return found[0]


def attachment_details(db: Database, actor: Actor, attachment_id: int) -> AttachmentView:
    """What is known of a file without its bytes: name, size, type, sha256, who added it and
    when, and the note it is on."""
    with reading(db, actor) as work:
        return _view(work, attachment_id)


def list_attachments(
    db: Database, actor: Actor, case_number: str, *, export: bool = False
) -> list[AttachmentView]:
    """A case's attachments, oldest first (names and details, never the bytes); ``export``
    records the list as an export."""
    with (writing if export else reading)(db, actor) as work:
        case = work.cases.get_by_number(case_number)
        views = _attachments(work).views(case_id=case.id)
        if export:
            record_export(
                work, actor, "attachments", len(views), {"case": case_number}, case_id=case.id
            )
            work.commit()
        return views


def save_target(
    db: Database, actor: Actor, attachment_id: int, path: str | os.PathLike[str]
) -> tuple[str, bool]:
    """Where saving the attachment to ``path`` would write (a folder: into it, under the
    file's name), and whether a file is there already: the screen asks before replacing it."""
    with reading(db, actor) as work:
        view = _view(work, attachment_id)
    target = files_out.target_path(path, view.name)
    return str(target), files_out.exists(target)


def save_attachment(
    db: Database,
    actor: Actor,
    attachment_id: int,
    path: str | os.PathLike[str],
    *,
    overwrite: bool = False,
) -> SavedAttachment:
    """Save the attachment's bytes to ``path`` (``~`` expanded; a folder: into it under the
    file's name). An existing file is replaced only with ``overwrite``. The bytes go to a
    temporary file beside it first, and take the name only once the download is in the
    audit trail: no download goes unrecorded, and nobody sees half a file. The bytes are read
    a few MB at a time, hashed, and checked against the sha256 kept when they were added."""
    with reading(db, actor) as work:
        view = _view(work, attachment_id)
        target = files_out.target_path(path, view.name)
        if not overwrite and files_out.exists(target):
            raise ValidationError(
                "out", f"{printable(str(target))} already exists; nothing was replaced"
            )
        # Read a few MB at a time straight into the file, hashed on the way: never held whole.
        written = files_out.write_temporary(target, _attachments(work).chunks(attachment_id))
    temporary = written.path
    if written.size != view.size or written.sha256 != view.sha256:
        files_out.discard(temporary)
        raise CasetuiError(
            f"attachment {attachment_id} no longer matches its sha256 as stored; nothing was saved"
        )
    try:
        with writing(db, actor) as work:
            audit.record(
                work, actor, "attachment.download", "attachment", attachment_id,
                case_id=view.case_id,
                after={
                    "name": view.name, "size": view.size, "media_type": view.media_type,
                    "sha256": view.sha256, "note_id": view.note_id,
                    "restricted": view.restricted, "to": printable(str(target)),
                },
            )  # fmt: skip
            work.commit()
    except BaseException:
        files_out.discard(temporary)
        raise
    files_out.put_in_place(temporary, target, overwrite=overwrite)
    return SavedAttachment(view, str(target))


# --- deleting --------------------------------------------------------------------------------


def delete_attachment(db: Database, actor: Actor, attachment_id: int) -> AttachmentView:
    """Soft delete: out of sight for everyone; the row and its bytes are kept."""
    with writing(db, actor) as work:
        row = _attachments(work).get(attachment_id)
        writable_case_of(work, row)
        ensure_may_delete(actor, row)
        view = _view(work, attachment_id)
        before = snapshot(row, deleted=False)
        row.deleted_at = work.now()
        audit.record(
            work, actor, "attachment.delete", "attachment", attachment_id, case_id=row.case_id,
            before=before, after=snapshot(row, deleted=True),
        )  # fmt: skip
        work.commit()
        return replace(view, deleted=True)
