"""Teams: added, renamed (versioned), and given supervisors, whose scope and workload follow
their team from their next sign-in (every command signs in afresh). SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest

from casetui.domain.errors import Conflict, NotFound, StaleEdit, ValidationError
from casetui.services import auth, cases, workload
from casetui.services import staff as staff_service
from casetui.services import teams as team_service
from casetui.services.staff import StaffInput

from .conftest import World


@pytest.fixture(autouse=True)
def _no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "_sleep", lambda seconds: None)


def test_teams_list_with_their_supervisors_and_members(world: World) -> None:
    teams = world.run(team_service.list_teams, world.admin)
    assert [(t.name, t.supervisors, t.members) for t in teams] == [
        ("North", ("sam",), 4),
        ("South", (), 1),
    ]


def test_a_supervisor_chosen_for_a_new_team_sees_that_team_at_next_sign_in(
    world: World,
) -> None:
    world.run(staff_service.set_password, world.admin, "sam", "sams-long-password")
    world.run(
        staff_service.edit_staff, world.admin, "cara", staff_service.StaffChanges(team="North")
    )
    team = world.run(team_service.add_team, world.admin, "East", ["sam"])
    assert (team.name, team.supervisors, team.members) == ("East", ("sam",), 1)
    events = world.audit_events()[-2:]
    assert [e.action for e in events] == ["team.create", "team.supervisor_add"]
    assert json.loads(events[1].after or "{}")["team"] == "East"

    sam = auth.sign_in(world.db, "sam", "sams-long-password")
    assert sam.team_id == team.id
    with pytest.raises(NotFound):
        world.run(cases.show_case, sam, world.ana_case)
    assert [r.username for r in world.run(workload.workload, sam)] == ["sam"]

    world.run(team_service.edit_team, world.admin, "North", add_supervisors=["sam"])
    sam = auth.sign_in(world.db, "sam", "sams-long-password")
    assert world.run(cases.show_case, sam, world.cara_case).case_number == world.cara_case
    people = {r.username for r in world.run(workload.workload, sam)}
    assert {"ana", "ben", "cara", "olga"} <= people


def test_only_supervisors_supervise_and_names_are_unique(world: World) -> None:
    before = world.dump()
    with pytest.raises(ValidationError, match="ana is a caseworker") as refused:
        world.run(team_service.add_team, world.admin, "East", ["ana"])
    assert refused.value.field == "supervisor"
    assert world.dump() == before  # the team is not added without its supervisor
    with pytest.raises(Conflict, match="team named North"):
        world.run(team_service.add_team, world.admin, "north")
    with pytest.raises(ValidationError) as blank:
        world.run(team_service.add_team, world.admin, "  ")
    assert blank.value.field == "team name"
    with pytest.raises(ValidationError, match="no active staff member 'nobody'"):
        world.run(team_service.edit_team, world.admin, "North", add_supervisors=["nobody"])


def test_a_rename_is_versioned_and_audited(world: World) -> None:
    team = next(t for t in world.run(team_service.list_teams, world.admin) if t.name == "North")
    renamed = world.run(
        team_service.edit_team, world.admin, "North", new_name="North and West",
        expected_version=team.version,
    )  # fmt: skip
    assert (renamed.name, renamed.version) == ("North and West", team.version + 1)
    assert world.staff_row("ana").team_id == team.id
    event = world.audit_events()[-1]
    assert event.action == "team.rename"
    assert json.loads(event.before or "{}")["name"] == "North"
    with pytest.raises(StaleEdit, match="team North and West was changed by"):
        world.run(
            team_service.edit_team, world.admin, "North and West", new_name="Northern",
            expected_version=team.version,
        )  # fmt: skip
    with pytest.raises(Conflict):
        world.run(team_service.edit_team, world.admin, "South", new_name="NORTH AND WEST")


def test_a_supervisor_taken_off_a_team_is_in_none(world: World) -> None:
    team = world.run(team_service.edit_team, world.admin, "North", remove_supervisors=["sam"])
    assert team.supervisors == ()
    assert world.staff_row("sam").team_id is None
    with pytest.raises(ValidationError, match="does not supervise South"):
        world.run(team_service.edit_team, world.admin, "South", remove_supervisors=["sam"])


def test_a_new_supervisors_own_cases_move_with_them(world: World) -> None:
    person = StaffInput("sid", "Sid", role="supervisor", team="North")
    world.run(staff_service.create_staff, world.admin, person)
    world.run(cases.reassign, world.admin, world.ana_case, "sid")
    world.run(team_service.edit_team, world.admin, "South", add_supervisors=["sid"])
    detail = world.run(cases.show_case, world.admin, world.ana_case)
    assert detail.team_id == world.south_id
