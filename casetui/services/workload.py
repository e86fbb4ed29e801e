"""The workload figures, visible as the specification says: self, team, or everyone."""

from __future__ import annotations

from casetui.db.uow import UnitOfWork
from casetui.domain.actor import Actor
from casetui.domain.enums import Role
from casetui.domain.errors import PermissionDenied
from casetui.domain.read_models import WorkloadRow
from casetui.repositories.staff import StaffRepository
from casetui.repositories.workload import WorkloadRepository
from casetui.services import context


def workload(uow: UnitOfWork, actor: Actor, *, team: str | None = None) -> list[WorkloadRow]:
    """Sorted by utilisation, highest first."""
    team_id = None
    if team:
        found = StaffRepository(uow.session, actor).team_by_name(team)
        if actor.role is Role.CASEWORKER:
            raise PermissionDenied("caseworkers see their own workload only")
        if actor.role is Role.SUPERVISOR and found.id != actor.team_id:
            raise PermissionDenied(f"you supervise another team than {team}")
        team_id = found.id
    return WorkloadRepository(uow.session, actor).rows(context.settings(uow), team_id=team_id)


def workload_of(uow: UnitOfWork, actor: Actor, staff_ids: list[int]) -> list[WorkloadRow]:
    return WorkloadRepository(uow.session, actor).rows(context.settings(uow), staff_ids=staff_ids)
