"""Note-quality audits: the notes to score and the scores, through the cases the actor may see.

Who reads what: administrators and auditors every audit; supervisors those of the cases they
see (their team's); caseworkers only the scores of their own notes. Deleted notes are never
audited or listed (as reports leave them out); restricted notes are, their evidence naming the
cue rather than repeating the note's words.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select, true
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from casetui.domain.actor import Actor
from casetui.domain.enums import ListKind, Role
from casetui.domain.models import (
    Case,
    CaseNote,
    Client,
    NoteAudit,
    OrganisationListItem,
    Staff,
)
from casetui.domain.note_audit import Criterion
from casetui.repositories.scope import visible_cases

# Notes read for scoring at a time: the bulk run scores and writes a batch, then reads on.
BATCH = 1000
Rows = Select[*tuple[Any, ...]]  # a select of several columns


@dataclass(frozen=True)
class NoteSelection:
    """Which notes: a team's cases, a worker's notes, contact dates in [since, until)."""

    team_id: int | None = None
    author_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


def criteria(session: Session) -> list[Criterion]:
    """The organisation's audit criteria in use, in the list's order."""
    rows = session.execute(
        select(
            col(OrganisationListItem.value),
            col(OrganisationListItem.weight),
            col(OrganisationListItem.cues),
        )
        .where(
            col(OrganisationListItem.kind) == ListKind.AUDIT_CRITERION.value,
            col(OrganisationListItem.active).is_(True),
        )
        .order_by(col(OrganisationListItem.position), col(OrganisationListItem.id))
    ).all()
    return [Criterion(value, weight or 0, cue_lines(cues)) for value, weight, cues in rows]


def cue_lines(cues: str | None) -> tuple[str, ...]:
    return tuple(line.strip() for line in (cues or "").splitlines() if line.strip())


def criterion_items(session: Session) -> list[OrganisationListItem]:
    """Every audit criterion, retired ones too, in the list's order."""
    return list(
        session.execute(
            select(OrganisationListItem)
            .where(col(OrganisationListItem.kind) == ListKind.AUDIT_CRITERION.value)
            .order_by(col(OrganisationListItem.position), col(OrganisationListItem.id))
        ).scalars()
    )


class NoteAuditRepository:
    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor

    # --- scope ------------------------------------------------------------------------------

    def readable(self) -> ColumnElement[bool]:
        """Audits and notes the actor may read the scores of."""
        own = (
            col(CaseNote.author_id) == self.actor.id
            if self.actor.role is Role.CASEWORKER
            else true()
        )
        return and_(visible_cases(self.actor), col(CaseNote.deleted_at).is_(None), own)

    def auditable(self) -> ColumnElement[bool]:
        """Notes the actor may audit: their team's (all, for an administrator), not their own."""
        scope = [visible_cases(self.actor), col(CaseNote.deleted_at).is_(None)]
        if self.actor.role is not Role.ADMINISTRATOR:
            scope.append(col(Case.team_id) == self.actor.team_id)
        scope.append(col(CaseNote.author_id) != self.actor.id)
        return and_(*scope)

    @staticmethod
    def _selected(query: Rows, chosen: NoteSelection) -> Rows:
        if chosen.team_id is not None:
            query = query.where(col(Case.team_id) == chosen.team_id)
        if chosen.author_id is not None:
            query = query.where(col(CaseNote.author_id) == chosen.author_id)
        if chosen.since is not None:
            query = query.where(col(CaseNote.contact_at) >= chosen.since)
        if chosen.until is not None:
            query = query.where(col(CaseNote.contact_at) < chosen.until)
        return query

    # --- notes to score ---------------------------------------------------------------------

    def _to_score(self) -> Rows:
        return (
            select(
                col(CaseNote.id),
                col(CaseNote.case_id),
                col(CaseNote.author_id),
                col(CaseNote.contact_at),
                col(CaseNote.activity_type),
                col(CaseNote.contact_type),
                col(CaseNote.summary),
                col(CaseNote.details),
                col(CaseNote.restricted),
                col(Client.name),
                col(Client.preferred_name),
            )  # fmt: skip
            .join(Case, col(Case.id) == CaseNote.case_id)
            .join(Client, col(Client.id) == Case.client_id)
        )

    def note_to_score(self, note_id: int) -> Any | None:
        """One note the actor may audit, as the scorer reads it (None: not theirs to audit)."""
        return self.session.execute(
            self._to_score().where(col(CaseNote.id) == note_id, self.auditable())
        ).first()

    def unaudited_to_score(self, chosen: NoteSelection) -> Iterator[list[Any]]:
        """Every unaudited note the actor may audit in the selection, a batch at a time
        (by id, so a batch read after the last one's scores were written skips none)."""
        last = 0
        while True:
            query = (
                self._to_score()
                .outerjoin(NoteAudit, col(NoteAudit.note_id) == CaseNote.id)
                .where(col(NoteAudit.id).is_(None), self.auditable(), col(CaseNote.id) > last)
                .order_by(col(CaseNote.id))
                .limit(BATCH)
            )
            rows = list(self.session.execute(self._selected(query, chosen)).all())
            if not rows:
                return
            yield rows
            last = rows[-1][0]

    def count_unaudited_to_score(self, chosen: NoteSelection) -> int:
        query = (
            select(func.count())
            .select_from(CaseNote)
            .join(Case, col(Case.id) == CaseNote.case_id)
            .outerjoin(NoteAudit, col(NoteAudit.note_id) == CaseNote.id)
            .where(col(NoteAudit.id).is_(None), self.auditable())
        )
        return int(self.session.execute(self._selected(query, chosen)).scalar_one())

    # --- audits -----------------------------------------------------------------------------

    def audit_of(self, note_id: int) -> NoteAudit | None:
        """A note's audit, if the actor may read its score."""
        return self.session.execute(
            select(NoteAudit)
            .join(CaseNote, col(CaseNote.id) == NoteAudit.note_id)
            .join(Case, col(Case.id) == CaseNote.case_id)
            .where(col(NoteAudit.note_id) == note_id, self.readable())
        ).scalar_one_or_none()

    def audited(
        self, chosen: NoteSelection, limit: int | None, *, note_id: int | None = None
    ) -> list[Any]:
        """The newest-written audited notes: audit, note, case number, author, auditor."""
        author, auditor = aliased(Staff), aliased(Staff)
        query = (
            select(
                NoteAudit,
                col(CaseNote.contact_at),
                col(CaseNote.summary),
                col(Case.case_number),
                col(Case.id),
                col(author.username),
                col(author.display_name),
                col(auditor.username),
            )  # fmt: skip
            .join(CaseNote, col(CaseNote.id) == NoteAudit.note_id)
            .join(Case, col(Case.id) == CaseNote.case_id)
            .join(author, col(author.id) == CaseNote.author_id)
            .join(auditor, col(auditor.id) == NoteAudit.audited_by_id)
            .where(self.readable())
            .order_by(col(CaseNote.contact_at).desc(), col(CaseNote.id).desc())
            .limit(limit)
        )
        if note_id is not None:
            query = query.where(col(NoteAudit.note_id) == note_id)
        return list(self.session.execute(self._selected(query, chosen)).all())

    def unaudited(self, chosen: NoteSelection, limit: int | None) -> list[Any]:
        """Notes without an audit, newest first: id, contact, summary, case, author."""
        query = (
            select(
                col(CaseNote.id),
                col(CaseNote.contact_at),
                col(CaseNote.summary),
                col(Case.case_number),
                col(Case.id),
                col(Staff.username),
                col(Staff.display_name),
            )  # fmt: skip
            .join(Case, col(Case.id) == CaseNote.case_id)
            .join(Staff, col(Staff.id) == CaseNote.author_id)
            .outerjoin(NoteAudit, col(NoteAudit.note_id) == CaseNote.id)
            .where(col(NoteAudit.id).is_(None), self.readable())
            .order_by(col(CaseNote.contact_at).desc(), col(CaseNote.id).desc())
            .limit(limit)
        )
        return list(self.session.execute(self._selected(query, chosen)).all())

    def counts(self, chosen: NoteSelection) -> tuple[int, int]:
        """(audited, unaudited) notes the actor may read, in the selection."""
        audited = func.count(col(NoteAudit.id))
        query = (
            select(audited, func.count(col(CaseNote.id)) - audited)
            .select_from(CaseNote)
            .join(Case, col(Case.id) == CaseNote.case_id)
            .outerjoin(NoteAudit, col(NoteAudit.note_id) == CaseNote.id)
            .where(self.readable())
        )
        done, waiting = self.session.execute(self._selected(query, chosen)).one()
        return int(done), int(waiting)

    def scores(self, chosen: NoteSelection) -> list[Any]:
        """(author id, username, name, contact time, score) of every readable audit: the
        monthly trend is summed from these in the organisation's time zone."""
        query = (
            select(
                col(Staff.id),
                col(Staff.username),
                col(Staff.display_name),
                col(CaseNote.contact_at),
                col(NoteAudit.score),
            )  # fmt: skip
            .select_from(NoteAudit)
            .join(CaseNote, col(CaseNote.id) == NoteAudit.note_id)
            .join(Case, col(Case.id) == CaseNote.case_id)
            .join(Staff, col(Staff.id) == CaseNote.author_id)
            .where(self.readable())
        )
        return list(self.session.execute(self._selected(query, chosen)).all())
