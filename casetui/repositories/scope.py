"""Who may see which case: the one place visibility is defined.

Every repository that reads cases, notes or tasks filters through ``visible_cases``, so a
caller that forgets a filter still cannot reach a case outside the actor's scope.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, false, or_, select, true

from casetui.domain.actor import Actor
from casetui.domain.enums import Role
from casetui.domain.models import Case, CaseNavigator


def assigned_to(actor: Actor) -> ColumnElement[bool]:
    """Cases where the actor is the primary worker or one of the further navigators."""
    navigator = exists(
        select(CaseNavigator.case_id).where(
            CaseNavigator.case_id == Case.id, CaseNavigator.staff_id == actor.id
        )
    )
    return or_(Case.primary_worker_id == actor.id, navigator)


def visible_cases(actor: Actor) -> ColumnElement[bool]:
    """The WHERE clause of every case read; soft-deleted cases are never visible here."""
    not_deleted = Case.deleted_at.is_(None)  # type: ignore[union-attr]
    if actor.role in (Role.ADMINISTRATOR, Role.AUDITOR):
        return not_deleted & true()
    if actor.role is Role.SUPERVISOR:
        team = Case.team_id == actor.team_id if actor.team_id is not None else false()
        return not_deleted & or_(team, assigned_to(actor))
    if actor.role is Role.CASEWORKER:
        return not_deleted & assigned_to(actor)
    return false()
