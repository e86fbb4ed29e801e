"""Files on cases and notes, through the cases the actor may see.

An attachment is in sight when its case is, it is not deleted, and the note it is on (if any)
is not deleted either: a deleted note takes its files out of sight with it, as the timeline
does. The bytes are read only by ``content``, one attachment at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlmodel import Session, col

from casetui.domain.actor import Actor
from casetui.domain.errors import NotFound
from casetui.domain.models import Attachment, AttachmentContent, Case, CaseNote, Staff
from casetui.domain.read_models.attachments import AttachmentView
from casetui.domain.storable import storable_id
from casetui.repositories.scope import visible_cases

Rows = Select[*tuple[Any, ...]]  # a select of one or several columns
CHUNK = 4 << 20  # bytes read at a time when a file is saved out


class AttachmentRepository:
    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor

    def _in_sight(self, query: Rows) -> Rows:
        return (
            query.join(Case, col(Case.id) == Attachment.case_id)
            .outerjoin(CaseNote, col(CaseNote.id) == Attachment.note_id)
            .where(
                visible_cases(self.actor),
                col(Attachment.deleted_at).is_(None),
                or_(col(Attachment.note_id).is_(None), col(CaseNote.deleted_at).is_(None)),
            )
        )

    def get(self, attachment_id: int) -> Attachment:
        """The attachment, if the actor may see it; else NotFound (existence is not told)."""
        if storable_id(attachment_id):
            query = self._in_sight(select(Attachment)).where(col(Attachment.id) == attachment_id)
            found = self.session.execute(query).scalar_one_or_none()
            if found is not None:
                return found
        raise NotFound(f"no attachment {attachment_id} that you can see")

    def views(
        self, *, case_id: int | None = None, attachment_ids: list[int] | None = None
    ) -> list[AttachmentView]:
        """Attachments in sight, oldest first."""
        query = self._in_sight(
            select(
                Attachment,
                col(Case.case_number),
                col(CaseNote.summary),
                func.coalesce(col(CaseNote.restricted), False),
                col(Staff.username),
                col(Staff.display_name),
            )
        ).join(Staff, col(Staff.id) == Attachment.uploaded_by_id)
        if case_id is not None:
            if not storable_id(case_id):
                return []
            query = query.where(col(Attachment.case_id) == case_id)
        if attachment_ids is not None:
            wanted = [i for i in attachment_ids if storable_id(i)]
            query = query.where(col(Attachment.id).in_(wanted))
        query = query.order_by(col(Attachment.created_at), col(Attachment.id))
        return [
            AttachmentView(
                id=row.id,
                case_id=row.case_id,
                case_number=number,
                note_id=row.note_id,
                note_summary=note_summary,
                name=row.name,
                size=row.size,
                media_type=row.media_type,
                sha256=row.sha256,
                # Restricted with its note, or on its own.
                restricted=bool(row.restricted) or bool(note_restricted),
                uploaded_by_id=row.uploaded_by_id,
                uploaded_by=username,
                uploaded_by_name=display_name,
                created_at=row.created_at,
                deleted=row.deleted_at is not None,
            )
            for row, number, note_summary, note_restricted, username, display_name in (
                self.session.execute(query)
            )
        ]

    def chunks(self, attachment_id: int, size: int = CHUNK) -> Iterator[bytes]:
        """The bytes of an attachment in sight, ``size`` at a time, from the start: a file
        saved out is never held whole (PostgreSQL hands bytea over as text twice its size)."""
        start = 1  # SQL counts from 1
        while True:
            query = self._in_sight(
                select(func.substr(col(AttachmentContent.content), start, size)).join(
                    Attachment, col(Attachment.id) == AttachmentContent.attachment_id
                )
            ).where(col(AttachmentContent.attachment_id) == attachment_id)
            found = self.session.execute(query).first()
            if found is None:
                raise NotFound(f"no attachment {attachment_id} that you can see")
            piece = bytes(found[0] or b"")
            if piece:
                yield piece
            if len(piece) < size:
                return
            start += size

    def add(self, row: Attachment, content: bytes) -> Attachment:
        """Keep the file and its bytes; the row has its id afterwards."""
        self.session.add(row)
        self.session.flush()
        assert row.id is not None
        self.session.add(AttachmentContent(attachment_id=row.id, content=content))
        self.session.flush()
        return row
