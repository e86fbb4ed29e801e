"""Case notes and their addenda, through the cases the actor may see."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from casetui.domain.actor import Actor
from casetui.domain.errors import NotFound
from casetui.domain.locking import is_locked, locks_at
from casetui.domain.models import Case, CaseNote, NoteAddendum, Staff
from casetui.domain.read_models import AddendumView, NoteView
from casetui.domain.storable import storable_id
from casetui.repositories.scope import visible_cases


class NoteRepository:
    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor

    def get(self, note_id: int, *, include_deleted: bool = False) -> CaseNote:
        if not storable_id(note_id):
            raise NotFound(f"no note {note_id} that you can see")
        query = (
            select(CaseNote)
            .join(Case, col(Case.id) == CaseNote.case_id)
            .where(col(CaseNote.id) == note_id, visible_cases(self.actor))
        )
        if not include_deleted:
            query = query.where(col(CaseNote.deleted_at).is_(None))
        note = self.session.execute(query).scalar_one_or_none()
        if note is None:
            raise NotFound(f"no note {note_id} that you can see")
        return note

    def views(
        self,
        *,
        case_id: int | None = None,
        note_ids: list[int] | None = None,
        lock_days: int,
        now: datetime,
        include_deleted: bool = False,
        limit: int | None = None,
    ) -> list[NoteView]:
        """Notes newest first, with their addenda, as read models."""
        query = (
            select(CaseNote, col(Case.case_number), col(Staff.username), col(Staff.display_name))
            .join(Case, col(Case.id) == CaseNote.case_id)
            .join(Staff, col(Staff.id) == CaseNote.author_id)
            .where(visible_cases(self.actor))
        )
        if case_id is not None:
            if not storable_id(case_id):
                return []
            query = query.where(col(CaseNote.case_id) == case_id)
        if note_ids is not None:
            query = query.where(col(CaseNote.id).in_([i for i in note_ids if storable_id(i)]))
        if not include_deleted:
            query = query.where(col(CaseNote.deleted_at).is_(None))
        query = query.order_by(col(CaseNote.contact_at).desc(), col(CaseNote.id).desc())
        if limit is not None:
            query = query.limit(limit)
        found = self.session.execute(query).all()
        addenda = self.addenda_for([note.id for note, *_ in found])
        return [
            NoteView(
                id=note.id,
                case_id=note.case_id,
                case_number=number,
                author_id=note.author_id,
                author=username,
                author_name=display_name,
                contact_at=note.contact_at,
                activity_type=note.activity_type,
                contact_type=note.contact_type,
                third_party_org=note.third_party_org,
                summary=note.summary,
                details=note.details,
                restricted=note.restricted,
                batch_id=note.batch_id,
                created_at=note.created_at,
                updated_at=note.updated_at,
                version=note.version,
                locks_at=locks_at(note.created_at, lock_days, note.imported),
                locked=is_locked(note.created_at, lock_days, now, note.imported),
                deleted=note.deleted_at is not None,
                addenda=tuple(addenda.get(note.id, ())),
                imported=note.imported,
            )
            for note, number, username, display_name in found
        ]

    def addenda_for(self, note_ids: list[int]) -> dict[int, list[AddendumView]]:
        out: dict[int, list[AddendumView]] = defaultdict(list)
        if not note_ids:
            return out
        rows = self.session.execute(
            select(NoteAddendum, col(Staff.username))
            .join(Staff, col(Staff.id) == NoteAddendum.author_id)
            .join(CaseNote, col(CaseNote.id) == NoteAddendum.note_id)
            .join(Case, col(Case.id) == CaseNote.case_id)
            .where(col(NoteAddendum.note_id).in_(note_ids), visible_cases(self.actor))
            .order_by(col(NoteAddendum.created_at), col(NoteAddendum.id))
        )
        for addendum, username in rows:
            out[addendum.note_id].append(
                AddendumView(
                    id=addendum.id,
                    note_id=addendum.note_id,
                    author=username,
                    created_at=addendum.created_at,
                    reason=addendum.reason,
                    text=addendum.text,
                )
            )
        return out
