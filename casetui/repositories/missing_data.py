"""Open cases with something missing, and clients with no way to reach them, within what the
actor may see: each reason one query for its count and one for its first lines, never a look
at each case in turn."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlmodel import Session, col

from casetui.domain.actor import Actor
from casetui.domain.caseworker_day import MissingReason
from casetui.domain.enums import CaseStatus
from casetui.domain.models import Case, CaseEvent, CaseNote, Client, Staff
from casetui.repositories.scope import visible_cases


def _blank(column: Any) -> ColumnElement[bool]:
    return or_(column.is_(None), func.trim(column) == "")


class MissingDataRepository:
    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor

    def _conditions(
        self, reason: MissingReason, since: datetime, opened_by: date
    ) -> list[ColumnElement[bool]]:
        if reason is MissingReason.NO_PATHWAY:
            return [_blank(col(Case.pathway))]
        if reason is MissingReason.NO_OPEN_TASK:
            # Kept right by the task services: no open task, no date.
            return [col(Case.next_task_due).is_(None)]
        if reason is MissingReason.NO_RECENT_NOTE:
            noted = exists().where(
                col(CaseNote.case_id) == Case.id,
                col(CaseNote.contact_at) >= since,
                col(CaseNote.deleted_at).is_(None),
            )
            return [col(Case.opened_on) <= opened_by, ~noted]
        if reason is MissingReason.NO_CONCERN_REVIEW:
            reviewed = exists().where(
                col(CaseEvent.case_id) == Case.id,
                col(CaseEvent.kind) == "concern",
                col(CaseEvent.at) >= since,
            )
            return [col(Case.opened_on) <= opened_by, ~reviewed]
        return [_blank(col(Client.email)), _blank(col(Client.phone))]

    def _scope(self, worker_id: int | None, team_id: int | None) -> list[ColumnElement[bool]]:
        conditions = [
            col(Case.status) == CaseStatus.OPEN.value,
            visible_cases(self.actor),
        ]
        if worker_id is not None:
            conditions.append(col(Case.primary_worker_id) == worker_id)
        if team_id is not None:
            conditions.append(col(Case.team_id) == team_id)
        return conditions

    def count(
        self,
        reason: MissingReason,
        since: datetime,
        opened_by: date,
        *,
        worker_id: int | None,
        team_id: int | None,
    ) -> int:
        counted = (
            func.count(func.distinct(col(Client.id)))
            if reason is MissingReason.NO_CONTACT_DETAILS
            else func.count()
        )
        query = (
            select(counted)
            .select_from(Case)
            .join(Client, col(Client.id) == Case.client_id)
            .where(*self._scope(worker_id, team_id), *self._conditions(reason, since, opened_by))
        )
        return int(self.session.execute(query).scalar_one())

    def lines(
        self,
        reason: MissingReason,
        since: datetime,
        opened_by: date,
        *,
        worker_id: int | None,
        team_id: int | None,
        limit: int,
    ) -> Sequence[Any]:
        """(case id, case number, client id, client, worker's username), by case number; a
        client without contact details once, through their first open case."""
        conditions = [*self._scope(worker_id, team_id), *self._conditions(reason, since, opened_by)]
        query = (
            select(
                col(Case.id),
                col(Case.case_number),
                col(Client.id),
                col(Client.name),
                col(Staff.username),
            )  # fmt: skip
            .join(Client, col(Client.id) == Case.client_id)
            .join(Staff, col(Staff.id) == Case.primary_worker_id, isouter=True)
            .where(*conditions)
        )
        if reason is MissingReason.NO_CONTACT_DETAILS:
            first = (
                select(func.min(col(Case.id)))
                .join(Client, col(Client.id) == Case.client_id)
                .where(*conditions)
                .group_by(col(Client.id))
            )
            query = query.where(col(Case.id).in_(first))
        return self.session.execute(query.order_by(col(Case.case_number)).limit(limit)).all()
