"""Teams (administrators): add, rename, and choose their supervisors.

A supervisor is a staff member with the supervisor role; choosing one for a team puts them in
it, so their scope and the workload they see follow at once (each command signs in afresh;
the app, at its next sign-in). Their own cases move with them, as any member's do.
"""

from __future__ import annotations

from collections.abc import Sequence

from casetui.domain.actor import Actor
from casetui.domain.enums import Role
from casetui.domain.errors import Conflict, ValidationError
from casetui.domain.limits import NAME_MAX
from casetui.domain.models import Staff, Team
from casetui.domain.read_models.people import TeamView
from casetui.services import audit, policy, validation
from casetui.services.exports import exported
from casetui.services.records import save_versioned, saved_id, snapshot
from casetui.services.staff import team_named
from casetui.services.work import Database, Work, reading, writing

MANAGING = "managing teams"


def _name(raw: str | None) -> str:
    return validation.text(raw, "team name", max_length=NAME_MAX, required=True, single_line=True)


def _free(work: Work, name: str, keep: Team | None = None) -> None:
    wanted = name.casefold()
    for team in work.staff.teams():
        if team.name.casefold() == wanted and team is not keep:
            raise Conflict(f"there is a team named {team.name} already")


def _view(work: Work, team_id: int) -> TeamView:
    return next(t for t in work.staff.team_views() if t.id == team_id)


def list_teams(db: Database, actor: Actor, *, export: bool = False) -> list[TeamView]:
    policy.ensure_administrator(actor, MANAGING)
    with reading(db, actor) as work:
        teams = work.staff.team_views()
    if export:
        exported(db, actor, "teams", len(teams))
    return teams


def add_team(db: Database, actor: Actor, name: str, supervisors: Sequence[str] = ()) -> TeamView:
    """A new team, with its supervisors if named: all of it, or nothing when one is refused."""
    policy.ensure_administrator(actor, MANAGING)
    with writing(db, actor, alone=True) as work:
        cleaned = _name(name)
        _free(work, cleaned)
        team = Team(name=cleaned)
        work.session.add(team)
        work.session.flush()
        audit.record(work, actor, "team.create", "team", team.id, after=snapshot(team))
        for username in dict.fromkeys(supervisors):
            _add_supervisor(work, actor, team, username)
        work.commit()
        return _view(work, saved_id(team))


def edit_team(
    db: Database,
    actor: Actor,
    name: str,
    *,
    new_name: str | None = None,
    add_supervisors: Sequence[str] = (),
    remove_supervisors: Sequence[str] = (),
    expected_version: int | None = None,
) -> TeamView:
    """Rename a team and choose its supervisors, in one transaction. A supervisor taken off
    a team is left in no team until given one."""
    policy.ensure_administrator(actor, MANAGING)
    with writing(db, actor, alone=True) as work:
        team = team_named(work, name)
        if new_name is not None:
            cleaned = _name(new_name)
            if cleaned != team.name:
                _free(work, cleaned, keep=team)
                before = snapshot(team)
                save_versioned(work, team, expected_version, {"name": cleaned})
                audit.record(
                    work, actor, "team.rename", "team", team.id, before=before,
                    after=snapshot(team),
                )  # fmt: skip
        for username in dict.fromkeys(remove_supervisors):
            _remove_supervisor(work, actor, team, username)
        for username in dict.fromkeys(add_supervisors):
            _add_supervisor(work, actor, team, username)
        work.commit()
        return _view(work, saved_id(team))


def _supervisor(work: Work, username: str) -> Staff:
    cleaned = validation.text(
        username, "supervisor", max_length=64, required=True, single_line=True
    )
    row = work.staff.find(cleaned)
    if row is None or not row.active:
        raise ValidationError("supervisor", f"no active staff member {cleaned[:64]!r}")
    if row.role != Role.SUPERVISOR.value:
        raise ValidationError(
            "supervisor",
            f"{row.username} is {'an' if row.role[0] in 'aeiou' else 'a'} {row.role}; "
            "give them the supervisor role first",
        )
    return row


def _move(work: Work, actor: Actor, row: Staff, team: Team | None, action: str, of: Team) -> None:
    before = snapshot(row)
    save_versioned(work, row, None, {"team_id": team.id if team else None})
    moved = work.staff.move_cases_with(saved_id(row), row.team_id)
    audit.record(
        work, actor, action, "staff", row.id, before=before,
        after=snapshot(row, team=of.name, cases_moved=moved),
    )  # fmt: skip


def _add_supervisor(work: Work, actor: Actor, team: Team, username: str) -> None:
    row = _supervisor(work, username)
    if row.team_id != team.id:
        _move(work, actor, row, team, "team.supervisor_add", team)


def _remove_supervisor(work: Work, actor: Actor, team: Team, username: str) -> None:
    row = _supervisor(work, username)
    if row.team_id != team.id:
        raise ValidationError("supervisor", f"{row.username} does not supervise {team.name}")
    _move(work, actor, row, None, "team.supervisor_remove", team)
