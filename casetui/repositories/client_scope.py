"""Who may see which client, and a case tested one row at a time: the one place client
visibility is defined, for the client record, search and the duplicate check alike.

A client with a case is seen by whoever may see one of their cases; a client with no case yet
by everyone who may register clients (caseworkers, supervisors, administrators), so that
intake can find them again; administrators and auditors see every client. Deleted clients are
seen by nobody here.

``visible_cases`` (scope.py) gathers a person's cases as a set (a UNION of indexed look-ups),
right for reading their cases; a search that visits clients or notes one at a time would
build that set again inside every correlated test (a supervisor's team: thousands of cases,
each time). ``case_in_sight`` is the same rule written on the case's own columns, for a case
already in hand; tests/services/test_global_search.py keeps the two equal for every role, and
``visible_clients`` equal to "no case, or a case in ``visible_cases``".
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, false, or_, select, true
from sqlmodel import col

from casetui.domain.actor import Actor
from casetui.domain.enums import Role
from casetui.domain.models import Case, CaseNavigator, Client

REGISTRARS = (Role.CASEWORKER, Role.SUPERVISOR, Role.ADMINISTRATOR)


def case_in_sight(actor: Actor) -> ColumnElement[bool]:
    """``visible_cases`` for one case row at a time (correlated on ``cases``)."""
    not_deleted = col(Case.deleted_at).is_(None)
    if actor.sees_everything:
        return not_deleted & true()
    navigates = exists(
        select(col(CaseNavigator.case_id)).where(
            col(CaseNavigator.case_id) == Case.id, col(CaseNavigator.staff_id) == actor.id
        )
    )
    assigned = or_(col(Case.primary_worker_id) == actor.id, navigates)
    if actor.role is Role.SUPERVISOR and actor.team_id is not None:
        return not_deleted & or_(col(Case.team_id) == actor.team_id, assigned)
    if actor.role in (Role.SUPERVISOR, Role.CASEWORKER):
        return not_deleted & assigned
    return false()


def visible_clients(actor: Actor) -> ColumnElement[bool]:
    """The WHERE clause of every client read (correlated on ``client``)."""
    not_deleted = col(Client.deleted_at).is_(None)
    if actor.sees_everything:
        return not_deleted & true()
    if actor.role not in REGISTRARS:
        return false()
    cases_of_client = select(col(Case.id)).where(col(Case.client_id) == Client.id)
    # OFFSET 0: else PostgreSQL answers "no case" by hashing every case's client once per
    # search (a read of the whole table); this way it looks the client up in ix_cases_client_id.
    caseless = ~exists(cases_of_client.offset(0).correlate(Client))
    seen = exists(cases_of_client.where(case_in_sight(actor)).correlate(Client))
    return not_deleted & or_(caseless, seen)
