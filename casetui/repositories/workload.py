"""Workload figures per staff member, in one aggregate query.

Allocated hours = the sum of concern weights of the cases where the person is primary
worker: Open cases in full, Paused at ``paused_factor``, Closed not at all.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, case, false, func, literal, select
from sqlmodel import Session, col

from casetui.domain.actor import Actor
from casetui.domain.enums import CaseStatus, Concern, Role
from casetui.domain.models import Case, Staff, Team
from casetui.domain.read_models.people import WorkloadRow
from casetui.domain.read_models.settings import SettingsView
from casetui.domain.storable import storable_id


class WorkloadRepository:
    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor

    def _people_scope(self) -> ColumnElement[bool]:
        """Supervisors see their team, administrators and auditors everyone, others themselves."""
        if self.actor.role in (Role.ADMINISTRATOR, Role.AUDITOR):
            return literal(True)
        if self.actor.role is Role.SUPERVISOR and self.actor.team_id is not None:
            return (col(Staff.team_id) == self.actor.team_id) | (col(Staff.id) == self.actor.id)
        if self.actor.role in (Role.CASEWORKER, Role.SUPERVISOR):
            return col(Staff.id) == self.actor.id
        return false()

    def rows(
        self,
        settings: SettingsView,
        *,
        team_id: int | None = None,
        staff_ids: list[int] | None = None,
        inactive_too: bool = False,
    ) -> list[WorkloadRow]:
        """``inactive_too``: deactivated people as well, such as a leaver whose cases are
        being moved on."""
        weight = case(
            (col(Case.concern) == Concern.LOW.value, settings.weight_low),
            (col(Case.concern) == Concern.MEDIUM.value, settings.weight_medium),
            (col(Case.concern) == Concern.HIGH.value, settings.weight_high),
            else_=0.0,
        )
        factor = case(
            (col(Case.status) == CaseStatus.OPEN.value, 1.0),
            (col(Case.status) == CaseStatus.PAUSED.value, settings.paused_factor),
            else_=0.0,
        )

        def count_of(concern: Concern) -> ColumnElement[Any]:
            return func.coalesce(
                func.sum(case((col(Case.concern) == concern.value, 1), else_=0)), 0
            )

        query = (
            select(
                col(Staff.id),
                col(Staff.username),
                col(Staff.display_name),
                col(Team.name),
                col(Staff.capacity_hours),
                func.coalesce(func.sum(weight * factor), 0.0),
                count_of(Concern.LOW),
                count_of(Concern.MEDIUM),
                count_of(Concern.HIGH),
            )
            .select_from(Staff)
            .join(Team, col(Team.id) == Staff.team_id, isouter=True)
            .join(
                Case,
                and_(
                    col(Case.primary_worker_id) == Staff.id,
                    col(Case.deleted_at).is_(None),
                    # Listed, not "not Closed": the index then seeks each person's live cases
                    # instead of reading past the years of closed ones.
                    col(Case.status).in_([CaseStatus.OPEN.value, CaseStatus.PAUSED.value]),
                ),
                isouter=True,
            )
            .where(self._people_scope())
            .where(col(Staff.role) != Role.AUDITOR.value)
            .group_by(
                col(Staff.id),
                col(Staff.username),
                col(Staff.display_name),
                col(Team.name),
                col(Staff.capacity_hours),
            )
        )
        if not inactive_too:
            query = query.where(col(Staff.active) == True)  # noqa: E712
        if team_id is not None:
            query = query.where(col(Staff.team_id) == team_id)
        if staff_ids is not None:
            query = query.where(col(Staff.id).in_([i for i in staff_ids if storable_id(i)]))
        rows = [
            WorkloadRow(
                staff_id=r[0],
                username=r[1],
                display_name=r[2],
                team=r[3],
                capacity_hours=float(r[4]),
                allocated_hours=round(float(r[5]), 2),
                cases_by_concern={"Low": int(r[6]), "Medium": int(r[7]), "High": int(r[8])},
            )
            for r in self.session.execute(query)
        ]
        rows.sort(key=lambda row: (-row.utilisation, row.display_name))
        return rows
