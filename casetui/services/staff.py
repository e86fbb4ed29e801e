"""Staff accounts and teams: administrators manage them; everyone sees the directory."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from casetui.domain.actor import Actor
from casetui.domain.enums import DEFAULT_GRANTS, Grant, Role
from casetui.domain.errors import Conflict, PermissionDenied, ValidationError
from casetui.domain.limits import NAME_MAX, PASSWORD_MAX
from casetui.domain.models import Staff, Team
from casetui.domain.read_models import StaffView
from casetui.domain.storable import printable, unstorable
from casetui.repositories.staff import StaffRepository, find_by_username
from casetui.services import audit, policy, validation
from casetui.services.exports import exported
from casetui.services.passwords import hash_password
from casetui.services.records import saved_id, snapshot
from casetui.services.work import Database, Work, reading, writing

USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")


@dataclass(frozen=True)
class StaffInput:
    username: str
    display_name: str
    role: str = Role.CASEWORKER.value
    team: str | None = None
    capacity_hours: float = 37.5
    password: str | None = None
    grants: tuple[str, ...] | None = None  # None: the role's defaults


def _username(raw: str) -> str:
    name = validation.text(raw, "username", max_length=64, required=True, single_line=True)
    if not set(name) <= USERNAME_CHARS:
        raise ValidationError("username", "use lower-case letters, digits, '.', '_' or '-'")
    return name


def _password(raw: str | None) -> str | None:
    if raw is None:
        return None
    if len(raw) < 4 or len(raw) > PASSWORD_MAX:
        raise ValidationError("password", f"must be 4 to {PASSWORD_MAX} characters")
    problem = unstorable(raw)
    if problem:
        # Only the hash is stored, but no terminal or script could type such a password again.
        raise ValidationError("password", problem)
    return hash_password(raw)


def _grants(raw: tuple[str, ...]) -> frozenset[Grant]:
    known = {g.value: g for g in Grant}
    unknown = [g for g in raw if g not in known]
    if unknown:
        shown = printable(str(unknown[0])[:40])
        raise ValidationError("grants", f"{shown!r} is not one of: {', '.join(known)}")
    return frozenset(known[g] for g in raw)


def ensure_team(uow: Work, actor: Actor | None, name: str) -> Team:
    cleaned = validation.text(name, "team", max_length=NAME_MAX, required=True, single_line=True)
    team = uow.session.execute(select(Team).where(col(Team.name) == cleaned)).scalar_one_or_none()
    if team is None:
        team = Team(name=cleaned)
        uow.session.add(team)
        uow.session.flush()
        audit.record(uow, actor, "team.create", "team", team.id, after={"name": cleaned})
    return team


def create_staff(db: Database, actor: Actor | None, staff: StaffInput) -> StaffView:
    """``actor`` None only when ``casetui init`` creates the first account of a new database."""
    with writing(db, actor) as uow:
        if actor is not None:
            policy.ensure_administrator(actor, "managing staff")
        elif uow.session.execute(select(func.count()).select_from(Staff)).scalar_one():
            raise PermissionDenied("adding staff is for a signed-in administrator")
        username = _username(staff.username)
        try:
            role = Role(staff.role)
        except ValueError:
            raise ValidationError(
                "role", f"{staff.role!r} is not one of: {', '.join(r.value for r in Role)}"
            ) from None
        if find_by_username(uow.session, username) is not None:
            raise Conflict(f"the username {username} is taken")
        if not 0 <= staff.capacity_hours <= 168:
            raise ValidationError("capacity hours", "must be between 0 and 168 a week")
        grants = DEFAULT_GRANTS[role] if staff.grants is None else _grants(staff.grants)
        team = ensure_team(uow, actor, staff.team) if staff.team else None
        row = Staff(
            username=username,
            display_name=validation.text(
                staff.display_name,
                "display name",
                max_length=NAME_MAX,
                required=True,
                single_line=True,
            ),
            role=role.value,
            grants=" ".join(sorted(g.value for g in grants)),
            team_id=team.id if team else None,
            capacity_hours=float(staff.capacity_hours),
            password_hash=_password(staff.password),
            created_at=uow.now(),
        )
        uow.session.add(row)
        try:
            uow.session.flush()
        except IntegrityError as exc:
            raise Conflict(f"the username {username} is taken") from exc
        audit.record(
            uow, actor, "staff.create", "staff", row.id, after=snapshot(row), username="system"
        )
        uow.commit()
        return StaffRepository(uow.session, actor or _system(row)).get(saved_id(row))


def _system(row: Staff) -> Actor:
    return Actor(
        id=row.id or 0,
        username="system",
        display_name="system",
        role=Role.ADMINISTRATOR,
        team_id=None,
    )


def list_staff(
    db: Database, actor: Actor, *, include_inactive: bool = False, export: bool = False
) -> list[StaffView]:
    """The staff directory; ``export`` records it as an export first."""
    with reading(db, actor) as work:
        people = work.staff.list(include_inactive=include_inactive)
    if export:
        exported(db, actor, "staff", len(people))
    return people


def set_password(db: Database, actor: Actor, username: str, password: str) -> None:
    with writing(db, actor) as uow:
        target = uow.staff.by_username(username)
        if target.id != actor.id:
            policy.ensure_administrator(actor, "setting someone else's password")
        target.password_hash = _password(password)
        target.failed_sign_ins = 0
        audit.record(
            uow, actor, "staff.password", "staff", target.id, after={"username": target.username}
        )
        uow.commit()
