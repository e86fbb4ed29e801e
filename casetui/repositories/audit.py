"""The audit trail, newest first, a page at a time: never the whole table.

Pages are keyset pages on (at, id): each filter has an index that begins with it and goes on
with (at, id), so a page starts at its anchor and reads only the rows it returns, however
long the trail. Only administrators and auditors read any of it (``audit_trail_visible``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, or_, select
from sqlmodel import Session, col

from casetui.domain.actor import Actor
from casetui.domain.filters import Position
from casetui.domain.models import AuditEvent, Case, FormerCaseNumber
from casetui.domain.read_models.audit import AuditEventView
from casetui.repositories.scope import audit_trail_visible

_at = col(AuditEvent.at)
_event_id = col(AuditEvent.id)
_COLUMNS = select(
    _event_id, _at, col(AuditEvent.actor_username), col(AuditEvent.action),
    col(AuditEvent.entity), col(AuditEvent.entity_id), col(AuditEvent.case_id),
    col(AuditEvent.before), col(AuditEvent.after),
)  # fmt: skip


@dataclass(frozen=True)
class AuditFilter:
    """Which events: all of them, or by person, case, action and a time range (UTC)."""

    person: str | None = None  # a username: their events, and failed sign-ins as them
    case_id: int | None = None  # the case's own events and its notes', tasks' and addenda's
    action: str | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive


class AuditTrailRepository:
    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor

    def case_id(self, case_number: str) -> int | None:
        """The case with this number, or that had it before, deleted or not: its trail
        outlives it."""
        found = self.session.execute(
            select(col(Case.id)).where(
                col(Case.case_number) == case_number, audit_trail_visible(self.actor)
            )
        ).first()
        if found is None:
            found = self.session.execute(
                select(col(FormerCaseNumber.case_id)).where(
                    col(FormerCaseNumber.case_number) == case_number,
                    audit_trail_visible(self.actor),
                )
            ).first()
        return found[0] if found else None

    def page(
        self,
        flt: AuditFilter,
        *,
        older_than: Position | None = None,
        newer_than: Position | None = None,
        limit: int = 50,
    ) -> list[AuditEventView]:
        """Up to ``limit`` events, newest first: the newest of all, or the ones just older
        than ``older_than``, or the ones just newer than ``newer_than``."""
        clauses = [audit_trail_visible(self.actor), *self._where(flt)]
        if older_than is not None:
            # A range the index starts from, then ties by id: see CaseloadRepository._following.
            clauses.append(_at <= older_than.at)
            clauses.append(or_(_at < older_than.at, _event_id < older_than.id))
        going_up = newer_than is not None and older_than is None
        if going_up:
            assert newer_than is not None
            clauses.append(_at >= newer_than.at)
            clauses.append(or_(_at > newer_than.at, _event_id > newer_than.id))
        order = (_at.asc(), _event_id.asc()) if going_up else (_at.desc(), _event_id.desc())
        rows = self.session.execute(_COLUMNS.where(and_(*clauses)).order_by(*order).limit(limit))
        views = self._views(rows.all())
        return views[::-1] if going_up else views

    def get(self, event_id: int) -> AuditEventView | None:
        found = self.session.execute(
            _COLUMNS.where(_event_id == event_id, audit_trail_visible(self.actor))
        ).all()
        return self._views(found)[0] if found else None

    def _views(self, rows: Sequence[Row[Any]]) -> list[AuditEventView]:
        numbers = self._case_numbers({row.case_id for row in rows if row.case_id is not None})
        return [
            AuditEventView(
                id=row.id,
                at=row.at,
                actor_username=row.actor_username,
                action=row.action,
                entity=row.entity,
                entity_id=row.entity_id,
                case_id=row.case_id,
                case_number=numbers.get(row.case_id) if row.case_id is not None else None,
                before=row.before,
                after=row.after,
            )
            for row in rows
        ]

    @staticmethod
    def _where(flt: AuditFilter) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        if flt.person is not None:
            clauses.append(col(AuditEvent.actor_username) == flt.person)
        if flt.case_id is not None:
            clauses.append(col(AuditEvent.case_id) == flt.case_id)
        if flt.action is not None:
            clauses.append(col(AuditEvent.action) == flt.action)
        if flt.since is not None:
            clauses.append(_at >= flt.since)
        if flt.until is not None:
            clauses.append(_at < flt.until)
        return clauses

    def _case_numbers(self, case_ids: set[int]) -> dict[int, str]:
        """One look-up for the page's cases (by primary key), rather than a join per event."""
        if not case_ids:
            return {}
        rows = self.session.execute(
            select(col(Case.id), col(Case.case_number)).where(col(Case.id).in_(sorted(case_ids)))
        )
        return {case_id: number for case_id, number in rows}
