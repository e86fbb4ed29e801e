"""Who may see which client: the clients' counterpart of ``scope.visible_cases``.

A client with a case is seen by whoever may see one of their cases; a client with no case yet
by everyone who may register clients (caseworkers, supervisors, administrators), so that
intake can find them again; administrators and auditors see every client. Deleted clients are
seen by nobody here.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, false, or_, select, true
from sqlmodel import col

from casetui.domain.actor import Actor
from casetui.domain.enums import Role
from casetui.domain.models import Case, Client
from casetui.repositories.scope import visible_cases

REGISTRARS = (Role.CASEWORKER, Role.SUPERVISOR, Role.ADMINISTRATOR)


def visible_clients(actor: Actor) -> ColumnElement[bool]:
    """The WHERE clause of every client read (correlated on ``client``)."""
    not_deleted = col(Client.deleted_at).is_(None)
    if actor.sees_everything:
        return not_deleted & true()
    if actor.role not in REGISTRARS:
        return false()
    cases_of_client = select(col(Case.id)).where(col(Case.client_id) == Client.id)
    caseless = ~exists(cases_of_client.correlate(Client))
    seen = exists(cases_of_client.where(visible_cases(actor)).correlate(Client))
    return not_deleted & or_(caseless, seen)
