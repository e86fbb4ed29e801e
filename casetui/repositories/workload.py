"""Workload figures per staff member, in one aggregate query.

Allocated hours = the sum of concern weights of the cases where the person is primary
worker: Open cases in full, Paused at ``paused_factor``, Closed not at all.
"""

from __future__ import annotations

from sqlalchemy import and_, case, false, func, literal, select
from sqlmodel import Session

from casetui.domain.actor import Actor
from casetui.domain.enums import CaseStatus, Concern, Role
from casetui.domain.models import Case, Staff, Team
from casetui.domain.read_models import SettingsView, WorkloadRow
from casetui.domain.storable import storable_id


class WorkloadRepository:
    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor

    def _people_scope(self):  # type: ignore[no-untyped-def]
        """Supervisors see their team, administrators and auditors everyone, others themselves."""
        if self.actor.role in (Role.ADMINISTRATOR, Role.AUDITOR):
            return literal(True)
        if self.actor.role is Role.SUPERVISOR and self.actor.team_id is not None:
            return (Staff.team_id == self.actor.team_id) | (Staff.id == self.actor.id)
        if self.actor.role in (Role.CASEWORKER, Role.SUPERVISOR):
            return Staff.id == self.actor.id
        return false()

    def rows(
        self,
        settings: SettingsView,
        *,
        team_id: int | None = None,
        staff_ids: list[int] | None = None,
    ) -> list[WorkloadRow]:
        weight = case(
            (Case.concern == Concern.LOW.value, settings.weight_low),
            (Case.concern == Concern.MEDIUM.value, settings.weight_medium),
            (Case.concern == Concern.HIGH.value, settings.weight_high),
            else_=0.0,
        )
        factor = case(
            (Case.status == CaseStatus.OPEN.value, 1.0),
            (Case.status == CaseStatus.PAUSED.value, settings.paused_factor),
            else_=0.0,
        )

        def count_of(concern: Concern):  # type: ignore[no-untyped-def]
            return func.coalesce(func.sum(case((Case.concern == concern.value, 1), else_=0)), 0)

        query = (
            select(
                Staff.id,
                Staff.username,
                Staff.display_name,
                Team.name,
                Staff.capacity_hours,
                func.coalesce(func.sum(weight * factor), 0.0),
                count_of(Concern.LOW),
                count_of(Concern.MEDIUM),
                count_of(Concern.HIGH),
            )
            .select_from(Staff)
            .join(Team, Team.id == Staff.team_id, isouter=True)
            .join(
                Case,
                and_(
                    Case.primary_worker_id == Staff.id,
                    Case.deleted_at.is_(None),  # type: ignore[union-attr]
                    # Listed, not "not Closed": the index then seeks each person's live cases
                    # instead of reading past the years of closed ones.
                    Case.status.in_([CaseStatus.OPEN.value, CaseStatus.PAUSED.value]),  # type: ignore[attr-defined]
                ),
                isouter=True,
            )
            .where(Staff.active == True, self._people_scope())  # noqa: E712
            .where(Staff.role != Role.AUDITOR.value)
            .group_by(Staff.id, Staff.username, Staff.display_name, Team.name, Staff.capacity_hours)
        )
        if team_id is not None:
            query = query.where(Staff.team_id == team_id)
        if staff_ids is not None:
            query = query.where(Staff.id.in_([i for i in staff_ids if storable_id(i)]))  # type: ignore[union-attr]
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
