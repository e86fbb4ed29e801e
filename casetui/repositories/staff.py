"""Staff and teams. The directory of names is organisation-wide; private figures are not."""

from __future__ import annotations

import builtins

from sqlmodel import Session, col, select

from casetui.domain.actor import Actor
from casetui.domain.enums import Grant, Role
from casetui.domain.errors import NotFound
from casetui.domain.models import Staff, Team
from casetui.domain.read_models import StaffView
from casetui.domain.storable import storable, storable_id


def parse_grants(text: str) -> frozenset[Grant]:
    known = {g.value for g in Grant}
    return frozenset(Grant(g) for g in text.split() if g in known)


def actor_from(staff: Staff) -> Actor:
    assert staff.id is not None
    return Actor(
        id=staff.id,
        username=staff.username,
        display_name=staff.display_name,
        role=Role(staff.role),
        team_id=staff.team_id,
        grants=parse_grants(staff.grants),
    )


def find_by_username(session: Session, username: str) -> Staff | None:
    """Unscoped: used by sign-in, before anyone is acting."""
    if not storable(username):
        return None  # no account holds a NUL or a lone surrogate; the database would refuse it
    return session.exec(select(Staff).where(Staff.username == username)).first()


class StaffRepository:
    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor

    def _sees_private_figures(self, staff: Staff) -> bool:
        """Grants, capacity and password state: the person, their supervisor, administrators."""
        if staff.id == self.actor.id or self.actor.role in (Role.ADMINISTRATOR, Role.AUDITOR):
            return True
        return self.actor.role is Role.SUPERVISOR and staff.team_id == self.actor.team_id

    def _view(self, staff: Staff, team: str | None) -> StaffView:
        assert staff.id is not None
        if not self._sees_private_figures(staff):
            return StaffView(
                id=staff.id,
                username=staff.username,
                display_name=staff.display_name,
                role=Role(staff.role),
                team=team,
                team_id=staff.team_id,
                capacity_hours=0.0,
                active=staff.active,
                grants=frozenset(),
                has_password=False,
            )
        return StaffView(
            id=staff.id,
            username=staff.username,
            display_name=staff.display_name,
            role=Role(staff.role),
            team=team,
            team_id=staff.team_id,
            capacity_hours=staff.capacity_hours,
            active=staff.active,
            grants=parse_grants(staff.grants),
            has_password=staff.password_hash is not None,
        )

    def list(
        self, *, include_inactive: bool = False, team_id: int | None = None
    ) -> list[StaffView]:
        query = select(Staff, col(Team.name)).join(
            Team, col(Team.id) == Staff.team_id, isouter=True
        )
        if not include_inactive:
            query = query.where(Staff.active == True)  # noqa: E712
        if team_id is not None:
            query = query.where(Staff.team_id == team_id)
        rows = self.session.exec(query.order_by(col(Staff.display_name), col(Staff.id)))
        return [self._view(staff, team) for staff, team in rows]

    def get(self, staff_id: int) -> StaffView:
        if not storable_id(staff_id):
            raise NotFound(f"no staff member {staff_id}")
        row = self.session.exec(
            select(Staff, col(Team.name))
            .join(Team, col(Team.id) == Staff.team_id, isouter=True)
            .where(Staff.id == staff_id)
        ).first()
        if row is None:
            raise NotFound(f"no staff member {staff_id}")
        return self._view(*row)

    def by_username(self, username: str) -> Staff:
        staff = find_by_username(self.session, username)
        if staff is None:
            raise NotFound(f"no staff member {username!r}")
        return staff

    def team_by_name(self, name: str) -> Team:
        team = None
        if storable(name):
            team = self.session.exec(select(Team).where(Team.name == name)).first()
        if team is None:
            raise NotFound(f"no team {name!r}")
        return team

    # builtins.list: within the class, plain "list" names the method above.
    def teams(self) -> builtins.list[Team]:
        return list(self.session.exec(select(Team).order_by(Team.name)))
