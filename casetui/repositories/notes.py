"""Case notes and their addenda, through the cases the actor may see."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlmodel import Session, col

from casetui.domain.actor import Actor
from casetui.domain.errors import NotFound
from casetui.domain.locking import is_locked, locks_at
from casetui.domain.models import Case, CaseNote, NoteAddendum, Staff
from casetui.domain.read_models.notes import AddendumView, NoteView
from casetui.domain.signoff import SignoffView
from casetui.domain.storable import storable_id
from casetui.repositories.scope import visible_cases
from casetui.repositories.signoff import SignoffRepository

# Ids asked for in one IN list: well under SQLite's limit on a statement's parameters.
IN_LIST_MAX = 500


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
        return self._views(self.session.execute(query).all(), lock_days, now)

    def of_case(
        self,
        case_id: int,
        *,
        contact_from: datetime | None = None,
        contact_before: datetime | None = None,
        after: tuple[datetime, int] | None = None,
        limit: int,
        lock_days: int,
        now: datetime,
    ) -> list[NoteView]:
        """A page of the case's notes, oldest first, contacts from ``contact_from`` up to (not
        including) ``contact_before``, following the note ``after`` (its contact time and id)."""
        columns = select(
            CaseNote, col(Case.case_number), col(Staff.username), col(Staff.display_name)
        )
        query = self._of_case(columns, case_id, contact_from, contact_before).join(
            Staff, col(Staff.id) == CaseNote.author_id
        )
        if after is not None:
            at, note_id = after
            query = query.where(
                or_(
                    col(CaseNote.contact_at) > at,
                    and_(col(CaseNote.contact_at) == at, col(CaseNote.id) > note_id),
                )
            )
        query = query.order_by(col(CaseNote.contact_at), col(CaseNote.id)).limit(limit)
        return self._views(self.session.execute(query).all(), lock_days, now)

    def count_of_case(
        self,
        case_id: int,
        *,
        contact_from: datetime | None = None,
        contact_before: datetime | None = None,
    ) -> int:
        """How many notes ``of_case`` gives, page after page."""
        query = select(func.count()).select_from(CaseNote)
        return int(
            self.session.execute(
                self._of_case(query, case_id, contact_from, contact_before)
            ).scalar_one()
        )

    def _of_case(
        self,
        query: Any,
        case_id: int,
        contact_from: datetime | None,
        contact_before: datetime | None,
    ) -> Any:
        """``query`` narrowed to the case's live notes the actor may see, in the contact range."""
        query = query.join(Case, col(Case.id) == CaseNote.case_id).where(
            col(CaseNote.case_id) == case_id,
            col(CaseNote.deleted_at).is_(None),
            visible_cases(self.actor),
        )
        if contact_from is not None:
            query = query.where(col(CaseNote.contact_at) >= contact_from)
        if contact_before is not None:
            query = query.where(col(CaseNote.contact_at) < contact_before)
        return query

    def _views(self, found: Sequence[Any], lock_days: int, now: datetime) -> list[NoteView]:
        ids = [note.id for note, *_ in found]
        addenda = self.addenda_for(ids)
        signoffs = SignoffRepository(self.session, self.actor).views(ids)
        return [
            note_view(
                note,
                number,
                username,
                display_name,
                addenda=tuple(addenda.get(note.id, ())),
                signoff=signoffs.get(note.id),
                lock_days=lock_days,
                now=now,
            )  # fmt: skip
            for note, number, username, display_name in found
        ]

    def addenda_for(self, note_ids: list[int]) -> dict[int, list[AddendumView]]:
        out: dict[int, list[AddendumView]] = defaultdict(list)
        rows: list[Any] = []
        for start in range(0, len(note_ids), IN_LIST_MAX):
            rows += self.session.execute(
                select(NoteAddendum, col(Staff.username))
                .join(Staff, col(Staff.id) == NoteAddendum.author_id)
                .join(CaseNote, col(CaseNote.id) == NoteAddendum.note_id)
                .join(Case, col(Case.id) == CaseNote.case_id)
                .where(
                    col(NoteAddendum.note_id).in_(note_ids[start : start + IN_LIST_MAX]),
                    visible_cases(self.actor),
                )
                .order_by(col(NoteAddendum.created_at), col(NoteAddendum.id))
            ).all()
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


def note_view(
    note: CaseNote,
    case_number: str,
    author: str,
    author_name: str,
    *,
    addenda: tuple[AddendumView, ...],
    signoff: SignoffView | None,
    lock_days: int,
    now: datetime,
) -> NoteView:
    """A note as the screens and commands see it, from its row and what goes with it."""
    assert note.id is not None
    return NoteView(
        id=note.id,
        case_id=note.case_id,
        case_number=case_number,
        author_id=note.author_id,
        author=author,
        author_name=author_name,
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
        locked=is_locked(
            note.created_at,
            lock_days,
            now,
            note.imported,
            signed_off=signoff is not None and signoff.approved,
        ),
        deleted=note.deleted_at is not None,
        addenda=addenda,
        imported=note.imported,
        signoff=signoff,
    )
