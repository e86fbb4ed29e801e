"""Who may see which case: the one place visibility is defined.

Every repository that reads cases, notes or tasks filters through ``visible_cases``, so a
caller that forgets a filter still cannot reach a case outside the actor's scope.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, CompoundSelect, Select, false, select, true, union
from sqlmodel import col

from casetui.domain.actor import Actor
from casetui.domain.enums import Role
from casetui.domain.models import Case, CaseNavigator


def _assigned_selects(actor: Actor) -> list[Select[Any]]:
    """Case ids, one column each."""
    return [
        select(col(Case.id)).where(col(Case.primary_worker_id) == actor.id),
        select(col(CaseNavigator.case_id)).where(col(CaseNavigator.staff_id) == actor.id),
    ]


def _assigned_ids(actor: Actor) -> CompoundSelect[Any]:
    # A UNION of two indexed look-ups; "worker = me OR EXISTS(navigator)" would scan every case.
    return union(*_assigned_selects(actor))


def assigned_to(actor: Actor) -> ColumnElement[bool]:
    """Cases where the actor is the primary worker or one of the further navigators."""
    return col(Case.id).in_(_assigned_ids(actor))


def sees_only_assigned(actor: Actor) -> bool:
    """Whether the actor sees only the cases assigned to them (``visible_cases`` is then
    ``assigned_to``): a caseworker, or a supervisor without a team."""
    return actor.role is Role.CASEWORKER or (
        actor.role is Role.SUPERVISOR and actor.team_id is None
    )


def visible_cases(actor: Actor) -> ColumnElement[bool]:
    """The WHERE clause of every case read; soft-deleted cases are never visible here."""
    not_deleted = col(Case.deleted_at).is_(None)
    if actor.role in (Role.ADMINISTRATOR, Role.AUDITOR):
        return not_deleted & true()
    if actor.role is Role.SUPERVISOR:
        if actor.team_id is None:
            return not_deleted & assigned_to(actor)
        # Flat, not nested: SQLite refuses a parenthesised UNION inside IN (...).
        team_or_assigned = union(
            select(col(Case.id)).where(col(Case.team_id) == actor.team_id),
            *_assigned_selects(actor),
        )
        return not_deleted & col(Case.id).in_(team_or_assigned)
    if actor.role is Role.CASEWORKER:
        return not_deleted & assigned_to(actor)
    return false()


def audit_trail_visible(actor: Actor) -> ColumnElement[bool]:
    """The WHERE clause of every audit trail read: administrators and auditors read it all."""
    return true() if actor.role in (Role.ADMINISTRATOR, Role.AUDITOR) else false()
