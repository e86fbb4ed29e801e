"""The workload figures, visible as the specification says: self, team, or everyone."""

from __future__ import annotations

from casetui.domain.actor import Actor
from casetui.domain.enums import Role
from casetui.domain.errors import PermissionDenied
from casetui.domain.read_models.people import WorkloadRow
from casetui.services.exports import exported
from casetui.services.work import Database, reading


def workload(
    db: Database, actor: Actor, *, team: str | None = None, export: bool = False
) -> list[WorkloadRow]:
    """Sorted by utilisation, highest first; ``export`` records it as an export first."""
    with reading(db, actor) as uow:
        team_id = None
        if team:
            found = uow.staff.team_by_name(team)
            if actor.role is Role.CASEWORKER:
                raise PermissionDenied("caseworkers see their own workload only")
            if actor.role is Role.SUPERVISOR and found.id != actor.team_id:
                raise PermissionDenied(f"you supervise another team than {team}")
            team_id = found.id
        rows = uow.workload.rows(uow.settings, team_id=team_id)
    if export:
        exported(db, actor, "workload", len(rows), {"team": team})
    return rows


def workload_of(db: Database, actor: Actor, staff_ids: list[int]) -> list[WorkloadRow]:
    with reading(db, actor) as uow:
        return uow.workload.rows(uow.settings, staff_ids=staff_ids)
