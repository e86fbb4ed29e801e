"""Staff and teams. The directory of names is organisation-wide; private figures are not."""

from __future__ import annotations

import builtins

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from casetui.domain.actor import Actor
from casetui.domain.enums import CaseStatus, Grant, Role
from casetui.domain.errors import NotFound
from casetui.domain.models import Case, Staff, Team
from casetui.domain.read_models.people import StaffView, TeamView
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


def is_deactivated(session: Session, staff_id: int) -> bool:
    """Unscoped: whether the account acting was deactivated since it signed in."""
    active = session.execute(select(col(Staff.active)).where(col(Staff.id) == staff_id)).scalar()
    return active is False


class StaffRepository:
    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor

    def sees_private_figures(self, staff: Staff) -> bool:
        """Grants, capacity and password state: the person, their supervisor, administrators."""
        if staff.id == self.actor.id or self.actor.role in (Role.ADMINISTRATOR, Role.AUDITOR):
            return True
        return self.actor.role is Role.SUPERVISOR and staff.team_id == self.actor.team_id

    def _view(self, staff: Staff, team: str | None) -> StaffView:
        assert staff.id is not None
        if not self.sees_private_figures(staff):
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
                version=staff.version,
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
            must_change_password=staff.must_change_password,
            version=staff.version,
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

    def find(self, username: str) -> Staff | None:
        return find_by_username(self.session, username)

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

    def team_views(self) -> builtins.list[TeamView]:
        """Every team by name, with its active supervisors and how many active staff it has."""
        people = self.session.exec(
            select(col(Staff.team_id), col(Staff.username), col(Staff.role))
            .where(col(Staff.active) == True, col(Staff.team_id).is_not(None))  # noqa: E712
            .order_by(col(Staff.username))
        ).all()
        supervisors: dict[int, builtins.list[str]] = {}
        members: dict[int, int] = {}
        for team_id, username, role in people:
            assert team_id is not None
            members[team_id] = members.get(team_id, 0) + 1
            if role == Role.SUPERVISOR.value:
                supervisors.setdefault(team_id, []).append(username)
        views = []
        for team in self.teams():
            assert team.id is not None
            views.append(
                TeamView(
                    id=team.id,
                    name=team.name,
                    supervisors=tuple(supervisors.get(team.id, ())),
                    members=members.get(team.id, 0),
                    version=team.version,
                )
            )
        return views

    def cases_held(self, staff_id: int) -> int:
        """Open and paused cases (not deleted) where the person is the primary worker."""
        return int(
            self.session.execute(
                select(func.count())
                .select_from(Case)
                .where(
                    col(Case.primary_worker_id) == staff_id,
                    col(Case.status).in_([CaseStatus.OPEN.value, CaseStatus.PAUSED.value]),
                    col(Case.deleted_at).is_(None),
                )
            ).scalar_one()
        )

    def active_administrators(self) -> int:
        return int(
            self.session.execute(
                select(func.count())
                .select_from(Staff)
                .where(col(Staff.active) == True, col(Staff.role) == Role.ADMINISTRATOR.value)  # noqa: E712
            ).scalar_one()
        )

    def move_cases_with(self, staff_id: int, team_id: int | None) -> int:
        """A case's team is its primary worker's: when the worker moves, their cases follow.
        Returns how many cases moved."""
        result = self.session.execute(
            update(Case)
            .where(
                col(Case.primary_worker_id) == staff_id, col(Case.team_id).is_distinct_from(team_id)
            )
            .values(team_id=team_id)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)
