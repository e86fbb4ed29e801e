"""Staff accounts: administrators add, edit, deactivate and reactivate them and hand out
temporary passwords; everyone sees the directory and changes their own password
(``auth.change_own_password``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from casetui.domain.actor import Actor
from casetui.domain.enums import DEFAULT_GRANTS, Grant, Role
from casetui.domain.errors import (
    CasesStillHeld,
    Conflict,
    PermissionDenied,
    RuleError,
    ValidationError,
)
from casetui.domain.limits import NAME_MAX, PASSWORD_MAX, USERNAME_MAX
from casetui.domain.models import Staff, Team
from casetui.domain.read_models.people import StaffView
from casetui.domain.storable import printable, unstorable
from casetui.repositories.staff import StaffRepository, find_by_username
from casetui.services import audit, policy, validation
from casetui.services.exports import exported
from casetui.services.passwords import hash_password, password_problem, temporary_password
from casetui.services.records import save_versioned, saved_id, snapshot, stale
from casetui.services.work import Database, Work, reading, writing

USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")
CAPACITY_MAX = 168.0  # hours in a week
MANAGING = "managing staff"


@dataclass(frozen=True)
class StaffInput:
    username: str
    display_name: str
    role: str = Role.CASEWORKER.value
    team: str | None = None
    capacity_hours: float = 37.5
    password: str | None = None
    grants: tuple[str, ...] | None = None  # None: the role's defaults
    extra_grants: tuple[str, ...] = ()  # on top of ``grants`` (or the role's defaults)


@dataclass(frozen=True)
class StaffChanges:
    """An edit of a staff member. None leaves a field as it is; a ``team`` of "" takes them
    out of any team. ``grant`` and ``revoke`` add and take away grants."""

    display_name: str | None = None
    role: str | None = None
    team: str | None = None
    capacity_hours: float | None = None
    grant: tuple[str, ...] = ()
    revoke: tuple[str, ...] = ()


# --- the fields, checked ---------------------------------------------------------------------


def _username(raw: str) -> str:
    name = validation.text(
        raw, "username", max_length=USERNAME_MAX, required=True, single_line=True
    )
    if not set(name) <= USERNAME_CHARS:
        raise ValidationError("username", "use lower-case letters, digits, '.', '_' or '-'")
    return name


def _display_name(raw: str | None) -> str:
    return validation.text(
        raw, "display name", max_length=NAME_MAX, required=True, single_line=True
    )


def _role(raw: str) -> Role:
    try:
        return Role((raw or "").strip().lower())
    except ValueError:
        shown = printable(str(raw)[:40])
        raise ValidationError(
            "role", f"{shown!r} is not one of: {', '.join(r.value for r in Role)}"
        ) from None


def _capacity(raw: float) -> float:
    if not isinstance(raw, int | float) or not math.isfinite(raw) or not 0 <= raw <= CAPACITY_MAX:
        raise ValidationError("capacity hours", "must be between 0 and 168 a week")
    return float(raw)


def _password(raw: str | None) -> str | None:
    """An account's password as ``casetui init`` and the demo set them (4 characters and up)."""
    if raw is None:
        return None
    if len(raw) < 4 or len(raw) > PASSWORD_MAX:
        raise ValidationError("password", f"must be 4 to {PASSWORD_MAX} characters")
    problem = unstorable(raw)
    if problem:
        # Only the hash is stored, but no terminal or script could type such a password again.
        raise ValidationError("password", problem)
    return hash_password(raw)


def _temporary(raw: str, username: str) -> str:
    """A temporary password handed out by an administrator: the rules of a chosen one."""
    problem = password_problem(raw, username) if isinstance(raw, str) else "must be text"
    if problem:
        raise ValidationError("temporary password", problem)
    return hash_password(raw)


def _grants(raw: tuple[str, ...]) -> frozenset[Grant]:
    known = {g.value: g for g in Grant}
    unknown = [g for g in raw if g not in known]
    if unknown:
        shown = printable(str(unknown[0])[:40])
        raise ValidationError("grants", f"{shown!r} is not one of: {', '.join(known)}")
    return frozenset(known[g] for g in raw)


def _grant_text(grants: frozenset[Grant]) -> str:
    return " ".join(sorted(g.value for g in grants))


def ensure_team(uow: Work, actor: Actor | None, name: str) -> Team:
    """The team named ``name``, made if missing: for ``casetui init``, the demo and tests. An
    administrator's own edits name a team that exists (``teams.team_named``)."""
    cleaned = validation.text(name, "team", max_length=NAME_MAX, required=True, single_line=True)
    team = uow.session.execute(select(Team).where(col(Team.name) == cleaned)).scalar_one_or_none()
    if team is None:
        team = Team(name=cleaned)
        uow.session.add(team)
        uow.session.flush()
        audit.record(uow, actor, "team.create", "team", team.id, after={"name": cleaned})
    return team


def team_named(work: Work, name: str) -> Team:
    """An existing team, matched however its letters are cased; else refused naming the field."""
    cleaned = validation.text(name, "team", max_length=NAME_MAX, required=True, single_line=True)
    wanted = cleaned.casefold()
    team = next((t for t in work.staff.teams() if t.name.casefold() == wanted), None)
    if team is None:
        raise ValidationError("team", f"no team {cleaned[:60]!r}; add it first")
    return team


# --- adding ----------------------------------------------------------------------------------


def create_staff(db: Database, actor: Actor | None, staff: StaffInput) -> StaffView:
    """An account with a password of its own (or none): the first administrator (``actor``
    None, on a new database), the demo, and scripts. Teams are made as needed. Administrators
    add people with a temporary password through ``add_staff``."""
    with writing(db, actor, alone=True) as uow:
        if actor is not None:
            policy.ensure_administrator(actor, MANAGING)
        elif uow.session.execute(select(func.count()).select_from(Staff)).scalar_one():
            raise PermissionDenied("adding staff is for a signed-in administrator")
        username = _username(staff.username)
        role = _role(staff.role)
        if find_by_username(uow.session, username) is not None:
            raise Conflict(f"the username {username} is taken")
        capacity = _capacity(staff.capacity_hours)
        grants = DEFAULT_GRANTS[role] if staff.grants is None else _grants(staff.grants)
        grants |= _grants(staff.extra_grants)
        team = ensure_team(uow, actor, staff.team) if staff.team else None
        row = Staff(
            username=username,
            display_name=_display_name(staff.display_name),
            role=role.value,
            grants=_grant_text(grants),
            team_id=team.id if team else None,
            capacity_hours=capacity,
            password_hash=_password(staff.password),
            created_at=uow.now(),
        )
        _insert(uow, actor, row)
        uow.commit()
        return StaffRepository(uow.session, actor or _system(row)).get(saved_id(row))


def add_staff(db: Database, actor: Actor, staff: StaffInput, temporary: str) -> StaffView:
    """A new account (administrators) whose ``temporary`` password signs in only to choose
    their own. Every field is checked before any is refused; the team must exist."""
    policy.ensure_administrator(actor, MANAGING)
    with writing(db, actor, alone=True) as work:
        fields = validation.Fields()
        username = fields.check(_username, staff.username)
        display_name = fields.check(_display_name, staff.display_name)
        role = fields.check(_role, staff.role)
        team = fields.check(team_named, work, staff.team) if staff.team else None
        capacity = fields.check(_capacity, staff.capacity_hours)
        grants = fields.check(_grants, staff.grants) if staff.grants is not None else None
        extra = fields.check(_grants, tuple(staff.extra_grants))
        password = fields.check(_temporary, temporary, username or "")
        fields.done()
        if find_by_username(work.session, username) is not None:
            raise Conflict(f"the username {username} is taken")
        row = Staff(
            username=username,
            display_name=display_name,
            role=role.value,
            grants=_grant_text((DEFAULT_GRANTS[role] if grants is None else grants) | extra),
            team_id=team.id if team else None,
            capacity_hours=capacity,
            password_hash=password,
            must_change_password=True,
            created_at=work.now(),
        )
        _insert(work, actor, row)
        work.commit()
        return work.staff.get(saved_id(row))


def _insert(work: Work, actor: Actor | None, row: Staff) -> None:
    work.session.add(row)
    try:
        work.session.flush()
    except IntegrityError as exc:
        raise Conflict(f"the username {row.username} is taken") from exc
    audit.record(
        work, actor, "staff.create", "staff", row.id, after=snapshot(row), username="system"
    )


def _system(row: Staff) -> Actor:
    return Actor(
        id=row.id or 0,
        username="system",
        display_name="system",
        role=Role.ADMINISTRATOR,
        team_id=None,
    )


# --- reading ---------------------------------------------------------------------------------


def list_staff(
    db: Database, actor: Actor, *, include_inactive: bool = False, export: bool = False
) -> list[StaffView]:
    """The staff directory; ``export`` records it as an export first."""
    if include_inactive:
        policy.ensure_administrator(actor, "the list of deactivated staff")
    with reading(db, actor) as work:
        people = work.staff.list(include_inactive=include_inactive)
    if export:
        exported(db, actor, "staff", len(people), {"inactive": include_inactive})
    return people


def staff_member(db: Database, actor: Actor, username: str) -> StaffView:
    """One account in full: one's own, a supervisor's team member's, or (administrators and
    auditors) anyone's."""
    with reading(db, actor) as work:
        row = work.staff.by_username(username)
        if not work.staff.sees_private_figures(row):
            raise PermissionDenied(
                "another person's account is shown to administrators and their supervisor"
            )
        return work.staff.get(saved_id(row))


# --- editing ---------------------------------------------------------------------------------


def _last_administrator(work: Work, row: Staff, doing: str) -> RuleError | None:
    if (
        row.role == Role.ADMINISTRATOR.value
        and row.active
        and work.staff.active_administrators() <= 1
    ):
        return PermissionDenied(
            f"{doing} {row.username} would leave no active administrator; make someone else "
            "an administrator first"
        )
    return None


def _holding_cases(work: Work, row: Staff, doing: str) -> CasesStillHeld | None:
    held = work.staff.cases_held(saved_id(row))
    if not held:
        return None
    cases = "case" if held == 1 else "cases"
    return CasesStillHeld(
        f"{row.username} is primary worker on {held:,} open or paused {cases}; a supervisor "
        f"must reassign them before {doing}"
    )


def edit_staff(
    db: Database,
    actor: Actor,
    username: str,
    changes: StaffChanges,
    *,
    expected_version: int | None = None,
) -> StaffView:
    """Name, role, team, capacity and grants, from the version the administrator saw. A
    person's cases move with them to their new team, so the team's supervisor sees them."""
    policy.ensure_administrator(actor, MANAGING)
    with writing(db, actor, alone=True) as work:
        row = work.staff.by_username(username)
        fields = validation.Fields()
        values: dict[str, object] = {}
        if changes.display_name is not None:
            values["display_name"] = fields.check(_display_name, changes.display_name)
        role: Role | None = None
        if changes.role is not None:
            role = fields.check(_role, changes.role)
            values["role"] = role.value if role else None
        if changes.team is not None:
            team = fields.check(team_named, work, changes.team) if changes.team.strip() else None
            values["team_id"] = team.id if team else None
        if changes.capacity_hours is not None:
            values["capacity_hours"] = fields.check(_capacity, changes.capacity_hours)
        added = fields.check(_grants, tuple(changes.grant))
        revoked = fields.check(_grants, tuple(changes.revoke))
        fields.done()
        both = added & revoked
        if both:
            shown = ", ".join(sorted(g.value for g in both))
            raise ValidationError("grants", f"{shown} is both granted and revoked")
        held = {Grant(g) for g in row.grants.split() if g in {x.value for x in Grant}}
        values["grants"] = _grant_text(frozenset((held | added) - revoked))
        values = {k: v for k, v in values.items() if getattr(row, k) != v}
        if not values:
            if expected_version is not None and expected_version != row.version:
                raise stale(work, row, yours=expected_version, now=row.version)
            return work.staff.get(saved_id(row))
        if "role" in values and row.role == Role.ADMINISTRATOR.value:
            refusal = _last_administrator(work, row, "changing the role of")
            if refusal is not None:
                raise refusal
        if role is Role.AUDITOR:
            refusal = _holding_cases(work, row, "they become an auditor (auditors hold no cases)")
            if refusal is not None:
                raise refusal
        before = snapshot(row)
        save_versioned(work, row, expected_version, values)
        moved = 0
        if "team_id" in values:
            moved = work.staff.move_cases_with(saved_id(row), row.team_id)
        audit.record(
            work, actor, "staff.edit", "staff", row.id, before=before,
            after=snapshot(row, cases_moved=moved) if moved else snapshot(row),
        )  # fmt: skip
        work.commit()
        return work.staff.get(saved_id(row))


def deactivate_staff(
    db: Database, actor: Actor, username: str, *, expected_version: int | None = None
) -> StaffView:
    """They can no longer sign in and are offered to nobody as a worker; their records stay.
    Refused while they are primary worker on an open or paused case."""
    policy.ensure_administrator(actor, MANAGING)
    with writing(db, actor, alone=True) as work:
        row = work.staff.by_username(username)
        if not row.active:
            raise ValidationError("staff", f"{row.username} is already deactivated")
        if row.id == actor.id:
            raise PermissionDenied("you cannot deactivate your own account")
        refusal = _last_administrator(work, row, "deactivating") or _holding_cases(
            work, row, "they are deactivated"
        )
        if refusal is not None:
            raise refusal
        before = snapshot(row)
        save_versioned(work, row, expected_version, {"active": False})
        audit.record(
            work, actor, "staff.deactivate", "staff", row.id, before=before, after=snapshot(row)
        )
        work.commit()
        return work.staff.get(saved_id(row))


def reactivate_staff(
    db: Database, actor: Actor, username: str, *, expected_version: int | None = None
) -> StaffView:
    policy.ensure_administrator(actor, MANAGING)
    with writing(db, actor, alone=True) as work:
        row = work.staff.by_username(username)
        if row.active:
            raise ValidationError("staff", f"{row.username} is active already")
        before = snapshot(row)
        save_versioned(work, row, expected_version, {"active": True, "failed_sign_ins": 0})
        audit.record(
            work, actor, "staff.reactivate", "staff", row.id, before=before, after=snapshot(row)
        )
        work.commit()
        return work.staff.get(saved_id(row))


def reset_password(db: Database, actor: Actor, username: str, temporary: str | None = None) -> str:
    """A new temporary password for someone (administrators): it signs in only to choose
    their own. Made up here when none is given; returned, to be shown once and never kept."""
    policy.ensure_administrator(actor, "resetting a password")
    with writing(db, actor, alone=True) as work:
        row = work.staff.by_username(username)
        password = temporary if temporary is not None else temporary_password()
        hashed = _temporary(password, row.username)
        save_versioned(
            work, row, None,
            {"password_hash": hashed, "must_change_password": True, "failed_sign_ins": 0},
        )  # fmt: skip
        audit.record(
            work, actor, "staff.password", "staff", row.id,
            after={"username": row.username, "temporary": True},
        )  # fmt: skip
        work.commit()
        return password


def set_password(db: Database, actor: Actor, username: str, password: str) -> None:
    """A password that is not temporary: one's own (signed in already), or an administrator
    setting someone's, as scripts did before temporary passwords."""
    with writing(db, actor, alone=True) as uow:
        target = uow.staff.by_username(username)
        if target.id != actor.id:
            policy.ensure_administrator(actor, "setting someone else's password")
        save_versioned(
            uow, target, None,
            {"password_hash": _password(password), "failed_sign_ins": 0,
             "must_change_password": False},
        )  # fmt: skip
        audit.record(
            uow, actor, "staff.password", "staff", target.id, after={"username": target.username}
        )
        uow.commit()
