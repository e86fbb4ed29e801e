"""Staff administration: temporary passwords that must be changed, edits (versioned, audited,
cases following their worker's team), deactivation refused while someone holds cases, and
everyone's own password. On SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest

from casetui.domain.enums import Grant, Role
from casetui.domain.errors import (
    CasesStillHeld,
    Conflict,
    NotFound,
    PermissionDenied,
    SignInFailed,
    StaleEdit,
    ValidationError,
    ValidationErrors,
)
from casetui.repositories.cases import CaseRepository
from casetui.services import auth, cases
from casetui.services import staff as staff_service
from casetui.services.auth import PasswordChangeNeeded
from casetui.services.staff import StaffChanges, StaffInput

from .conftest import World

TEMPORARY = "first-day-7731"


@pytest.fixture(autouse=True)
def _no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "_sleep", lambda seconds: None)


def _add_dee(world: World, **fields: object) -> None:
    fields.setdefault("team", "North")
    person = StaffInput("dee", "Dee Okoro", **fields)  # type: ignore[arg-type]
    world.run(staff_service.add_staff, world.admin, person, TEMPORARY)


def _case_team(world: World, number: str) -> int | None:
    return world.read(
        lambda uow: CaseRepository(uow.session, world.admin).get_by_number(number).team_id
    )


# --- adding, and the temporary password ------------------------------------------------------


def test_a_new_account_signs_in_only_to_choose_its_own_password(world: World) -> None:
    _add_dee(world, role="supervisor", capacity_hours=20, extra_grants=("override_lock",))
    row = world.staff_row("dee")
    assert (row.role, row.capacity_hours, row.must_change_password) == ("supervisor", 20.0, True)
    assert set(row.grants.split()) == {"bulk_actions", "reports", "override_lock"}
    assert row.team_id == world.north_id

    with pytest.raises(PasswordChangeNeeded, match="casetui staff password"):
        auth.sign_in(world.db, "dee", TEMPORARY)
    assert world.audit_events()[-1].action == "sign_in.temporary"
    with pytest.raises(SignInFailed) as wrong:
        auth.sign_in(world.db, "dee", "not it at all")
    assert not isinstance(wrong.value, PasswordChangeNeeded)

    auth.change_own_password(world.db, "dee", TEMPORARY, "my own secret")
    assert auth.sign_in(world.db, "dee", "my own secret").username == "dee"
    assert world.staff_row("dee").must_change_password is False
    with pytest.raises(SignInFailed):
        auth.sign_in(world.db, "dee", TEMPORARY)
    actions = [e.action for e in world.audit_events()[-3:]]
    assert actions == ["staff.password", "sign_in", "sign_in.failed"]


def test_adding_names_every_field_refused_at_once(world: World) -> None:
    before = world.dump()
    person = StaffInput(
        "Dee Okoro", "", role="boss", team="Nowhere", capacity_hours=200, grants=("root",)
    )
    with pytest.raises(ValidationErrors) as refused:
        world.run(staff_service.add_staff, world.admin, person, "short")
    fields = {e.field for e in refused.value.errors}
    assert fields == {
        "username", "display name", "role", "team", "capacity hours", "grants",
        "temporary password",
    }  # fmt: skip
    assert "add it first" in str(refused.value)
    assert world.dump() == before


def test_a_taken_username_and_a_password_holding_it_are_refused(world: World) -> None:
    with pytest.raises(Conflict, match="username ana is taken"):
        world.run(staff_service.add_staff, world.admin, StaffInput("ana", "Ana"), TEMPORARY)
    with pytest.raises(ValidationError, match="must not contain the username") as refused:
        world.run(staff_service.add_staff, world.admin, StaffInput("dee", "Dee"), "dee-is-here")
    assert refused.value.field == "temporary password"


def test_own_password_is_checked_for_length_name_and_the_current_one(world: World) -> None:
    _add_dee(world)
    with pytest.raises(ValidationError, match="at least 8") as short:
        auth.change_own_password(world.db, "dee", TEMPORARY, "tiny")
    assert short.value.field == "new password"
    with pytest.raises(ValidationError, match="username"):
        auth.change_own_password(world.db, "dee", TEMPORARY, "DEE-forever-1")
    with pytest.raises(ValidationError, match="differ"):
        auth.change_own_password(world.db, "dee", TEMPORARY, TEMPORARY)
    failed_before = world.staff_row("dee").failed_sign_ins
    with pytest.raises(SignInFailed, match="password not changed"):
        auth.change_own_password(world.db, "dee", "a wrong guess", "a good new one")
    assert world.staff_row("dee").failed_sign_ins == failed_before + 1
    assert world.staff_row("dee").must_change_password is True


def test_an_administrator_resets_a_password_to_a_temporary_one(world: World) -> None:
    world.run(staff_service.set_password, world.ana, "ana", "anas-long-password")
    made_up = world.run(staff_service.reset_password, world.admin, "ana")
    assert len(made_up) == 14 and made_up.count("-") == 2
    with pytest.raises(SignInFailed):
        auth.sign_in(world.db, "ana", "anas-long-password")
    with pytest.raises(PasswordChangeNeeded):
        auth.sign_in(world.db, "ana", made_up)
    event = next(e for e in reversed(world.audit_events()) if e.action == "staff.password")
    assert json.loads(event.after or "{}") == {"username": "ana", "temporary": True}
    assert made_up not in f"{event.before} {event.after}"
    with pytest.raises(PermissionDenied, match="resetting a password is for administrators"):
        world.run(staff_service.reset_password, world.sam, "ana")


# --- editing -----------------------------------------------------------------------------------


def test_an_edit_is_versioned_audited_and_refused_when_stale(world: World) -> None:
    before = world.staff_row("ben")
    view = world.run(
        staff_service.edit_staff, world.admin, "ben",
        StaffChanges(display_name="Benjamin Hart", capacity_hours=30, grant=("reports",),
                     revoke=("bulk_actions",)),
        expected_version=before.version,
    )  # fmt: skip
    assert (view.display_name, view.capacity_hours, view.version) == (
        "Benjamin Hart",
        30.0,
        before.version + 1,
    )
    assert view.grants == frozenset({Grant.REPORTS})
    event = world.audit_events()[-1]
    assert (event.action, event.entity, event.entity_id) == ("staff.edit", "staff", str(before.id))
    assert json.loads(event.before or "{}")["display_name"] == "Ben"
    assert json.loads(event.after or "{}")["display_name"] == "Benjamin Hart"

    with pytest.raises(StaleEdit, match=r"changed by Admin \(admin\)") as stale:
        world.run(
            staff_service.edit_staff, world.admin, "ben", StaffChanges(capacity_hours=10),
            expected_version=before.version,
        )  # fmt: skip
    assert stale.value.current_version == before.version + 1
    assert world.staff_row("ben").capacity_hours == 30.0


def test_a_worker_moving_team_takes_their_cases_and_the_supervisors_scope_follows(
    world: World,
) -> None:
    assert _case_team(world, world.ana_case) == world.north_id
    world.run(staff_service.edit_staff, world.admin, "ana", StaffChanges(team="south"))
    assert _case_team(world, world.ana_case) == world.south_id
    assert world.staff_row("ana").team_id == world.south_id
    # ben's case, where ana is only a navigator, stays with ben's team.
    assert _case_team(world, world.ben_case) == world.north_id
    with pytest.raises(NotFound):
        world.run(cases.show_case, world.sam, world.ana_case)
    assert json.loads(world.audit_events()[-1].after or "{}")["cases_moved"] == 1
    world.run(staff_service.edit_staff, world.admin, "ana", StaffChanges(team=""))
    assert world.staff_row("ana").team_id is None
    assert _case_team(world, world.ana_case) is None


def test_an_edit_naming_no_team_that_exists_is_refused(world: World) -> None:
    with pytest.raises(ValidationError, match="no team 'East'") as refused:
        world.run(staff_service.edit_staff, world.admin, "ana", StaffChanges(team="East"))
    assert refused.value.field == "team"


def test_the_last_administrator_keeps_the_role(world: World) -> None:
    with pytest.raises(PermissionDenied, match="no active administrator"):
        world.run(staff_service.edit_staff, world.admin, "admin", StaffChanges(role="supervisor"))
    world.run(staff_service.edit_staff, world.admin, "sam", StaffChanges(role="administrator"))
    view = world.run(
        staff_service.edit_staff, world.admin, "admin", StaffChanges(role="supervisor")
    )
    assert view.role is Role.SUPERVISOR


def test_someone_holding_cases_cannot_become_an_auditor(world: World) -> None:
    before = world.dump()
    with pytest.raises(CasesStillHeld, match="primary worker on 1 open or paused case"):
        world.run(staff_service.edit_staff, world.admin, "ana", StaffChanges(role="auditor"))
    assert world.dump() == before


# --- deactivating ------------------------------------------------------------------------------


def test_deactivation_is_refused_while_they_hold_open_or_paused_cases(world: World) -> None:
    before = world.dump()
    with pytest.raises(CasesStillHeld) as refused:
        world.run(staff_service.deactivate_staff, world.admin, "ana")
    assert str(refused.value) == (
        "refused: ana is primary worker on 1 open or paused case; a supervisor must reassign "
        "them before they are deactivated"
    )
    assert world.dump() == before
    cases.change_status(world.db, world.ana, world.ana_case, "Paused")
    with pytest.raises(CasesStillHeld):
        world.run(staff_service.deactivate_staff, world.admin, "ana")
    cases.reassign(world.db, world.sam, world.ana_case, "ben")
    view = world.run(staff_service.deactivate_staff, world.admin, "ana")
    assert view.active is False


def test_deactivated_staff_cannot_sign_in_and_are_offered_to_nobody(world: World) -> None:
    world.run(staff_service.set_password, world.admin, "ana", "anas-long-password")
    cases.reassign(world.db, world.sam, world.ana_case, "ben")
    world.run(staff_service.deactivate_staff, world.admin, "ana")
    with pytest.raises(SignInFailed):
        auth.sign_in(world.db, "ana", "anas-long-password")
    offered = {s.username for s in cases.worker_choices(world.db, world.sam, world.ben_case)}
    assert "ana" not in offered and "olga" in offered
    with pytest.raises(ValidationError, match="no active staff member 'ana'"):
        cases.reassign(world.db, world.sam, world.ben_case, "ana")
    assert "ana" not in {s.username for s in world.run(staff_service.list_staff, world.sam)}
    every = world.run(staff_service.list_staff, world.admin, include_inactive=True)
    assert [s.active for s in every if s.username == "ana"] == [False]

    world.run(staff_service.reactivate_staff, world.admin, "ana")
    assert auth.sign_in(world.db, "ana", "anas-long-password").username == "ana"


def test_nobody_deactivates_themselves_or_someone_already_deactivated(world: World) -> None:
    with pytest.raises(PermissionDenied, match="your own account"):
        world.run(staff_service.deactivate_staff, world.admin, "admin")
    world.run(staff_service.deactivate_staff, world.admin, "audrey")
    with pytest.raises(ValidationError, match="already deactivated"):
        world.run(staff_service.deactivate_staff, world.admin, "audrey")
    with pytest.raises(ValidationError, match="active already"):
        world.run(staff_service.reactivate_staff, world.admin, "sam")


def test_deactivating_and_reactivating_are_audited(world: World) -> None:
    world.run(staff_service.deactivate_staff, world.admin, "audrey")
    world.run(staff_service.reactivate_staff, world.admin, "audrey")
    events = world.audit_events()[-2:]
    assert [e.action for e in events] == ["staff.deactivate", "staff.reactivate"]
    assert [json.loads(e.before or "{}")["active"] for e in events] == [True, False]
    assert [json.loads(e.after or "{}")["active"] for e in events] == [False, True]


def test_a_session_signed_in_before_deactivation_writes_no_more(world: World) -> None:
    ana = world.ana  # signed in before the administrator acts
    cases.reassign(world.db, world.sam, world.ana_case, "ben")
    world.run(staff_service.deactivate_staff, world.admin, "ana")
    before = world.dump()
    with pytest.raises(PermissionDenied, match="ana has been deactivated; nothing was saved"):
        world.note(ana, world.ben_case, "Written after leaving")
    assert world.dump() == before
    world.run(staff_service.reactivate_staff, world.admin, "ana")
    assert world.note(ana, world.ben_case, "Back again").summary == "Back again"
