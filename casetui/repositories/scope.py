"""Who may see which case: the one place visibility is defined.

Every repository that reads cases, notes or tasks filters through ``visible_cases``, so a
caller that forgets a filter still cannot reach a case outside the actor's scope.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, false, select, true, union

from casetui.domain.actor import Actor
from casetui.domain.enums import Role
from casetui.domain.models import Case, CaseNavigator


def _assigned_selects(actor: Actor) -> list[Select[tuple[int]]]:
    return [
        select(Case.id).where(Case.primary_worker_id == actor.id),  # type: ignore[list-item]
        select(CaseNavigator.case_id).where(CaseNavigator.staff_id == actor.id),  # type: ignore[list-item]
    ]


def _assigned_ids(actor: Actor) -> Select[tuple[int]]:
    # A UNION of two indexed look-ups; "worker = me OR EXISTS(navigator)" would scan every case.
    return union(*_assigned_selects(actor))  # type: ignore[return-value]


def assigned_to(actor: Actor) -> ColumnElement[bool]:
    """Cases where the actor is the primary worker or one of the further navigators."""
    return Case.id.in_(_assigned_ids(actor))  # type: ignore[union-attr]


def visible_cases(actor: Actor) -> ColumnElement[bool]:
    """The WHERE clause of every case read; soft-deleted cases are never visible here."""
    not_deleted = Case.deleted_at.is_(None)  # type: ignore[union-attr]
    if actor.role in (Role.ADMINISTRATOR, Role.AUDITOR):
        return not_deleted & true()
    if actor.role is Role.SUPERVISOR:
        if actor.team_id is None:
            return not_deleted & assigned_to(actor)
        # Flat, not nested: SQLite refuses a parenthesised UNION inside IN (...).
        team_or_assigned = union(
            select(Case.id).where(Case.team_id == actor.team_id), *_assigned_selects(actor)
        )
        return not_deleted & Case.id.in_(team_or_assigned)  # type: ignore[union-attr]
    if actor.role is Role.CASEWORKER:
        return not_deleted & assigned_to(actor)
    return false()


def audit_trail_visible(actor: Actor) -> ColumnElement[bool]:
    """The WHERE clause of every audit trail read: administrators and auditors read it all."""
    return true() if actor.role in (Role.ADMINISTRATOR, Role.AUDITOR) else false()
