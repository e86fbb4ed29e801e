"""``casetui staff``, ``teams``, ``settings`` and ``lists``: what they print (``--json``), how
they refuse (one line naming the rule, exit 1) and their usage errors (exit 2); a temporary
password refuses every command but ``staff password``.

Run in this process (``casetui.cli.main``) against one SQLite file per test: these commands
change the organisation itself, so no test may see another's changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_org import plain_environment, runner, sqlite_org

from casetui.cli.parser import LIST_KINDS, SETTING_KEYS
from casetui.db.uow import Database
from casetui.repositories.staff import actor_from, find_by_username
from casetui.services import auth, lists, settings
from casetui.services import cases as case_service
from casetui.services import clients as client_service


@pytest.fixture
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Database]]:
    staff = [("sam", "supervisor", "North"), ("ana", "caseworker", "North")]
    with sqlite_org(tmp_path_factory, "cli_administration", staff=staff) as (url, db):
        yield url, db


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    plain_environment(monkeypatch, tmp_path)
    monkeypatch.delenv("CASETUI_NEW_PASSWORD", raising=False)
    monkeypatch.setattr(auth, "_sleep", lambda seconds: None)
    # As a script runs: no terminal to ask for a password.
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)


@pytest.fixture
def cli(
    org: tuple[str, Database], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Any:
    return runner(org[0], capsys, user="admin", monkeypatch=monkeypatch)


def test_the_command_line_names_match_the_services() -> None:
    assert SETTING_KEYS == settings.SETTING_KEYS
    assert tuple(lists.KINDS) == LIST_KINDS


# --- staff -------------------------------------------------------------------------------------


def test_staff_add_then_first_sign_in_must_change_the_password(cli: Any) -> None:
    added = cli(
        "staff", "add", "dee", "--name", "Dee Okoro", "--role", "caseworker", "--team", "north",
        "--capacity", "30", "--grant", "reports", "--json", CASETUI_NEW_PASSWORD="first-day-7731",
    ).json  # fmt: skip
    assert added == {
        "username": "dee", "display_name": "Dee Okoro", "role": "caseworker", "team": "North",
        "capacity_hours": 30.0, "grants": ["bulk_actions", "reports"], "active": True,
        "must_change_password": True,
    }  # fmt: skip
    refused = cli("cases", "list", user="dee", CASETUI_PASSWORD="first-day-7731").refusal
    assert "temporary" in refused and "casetui staff password" in refused
    changed = cli(
        "staff", "password", user="dee",
        CASETUI_PASSWORD="first-day-7731", CASETUI_NEW_PASSWORD="a secret of mine",
    )  # fmt: skip
    assert (changed.status, changed.stdout) == (0, "password changed for dee\n")
    assert cli("cases", "list", user="dee", CASETUI_PASSWORD="a secret of mine").status == 0
    shown = cli("staff", "show", "dee", "--json", user="dee", CASETUI_PASSWORD="a secret of mine")
    assert shown.json["must_change_password"] is False


def test_staff_add_without_a_temporary_password_or_a_terminal_is_refused(cli: Any) -> None:
    refused = cli("staff", "add", "dee", "--name", "Dee", "--role", "caseworker").refusal
    assert "temporary password" in refused and "CASETUI_NEW_PASSWORD" in refused
    assert "dee" not in [s["username"] for s in cli("staff", "list", "--json").json]


def test_staff_refusals_name_the_rule(cli: Any) -> None:
    new = {"CASETUI_NEW_PASSWORD": "first-day-7731"}
    by_ana = cli("staff", "add", "dee", "--name", "D", "--role", "caseworker", user="ana", **new)
    assert by_ana.refusal == "refused: managing staff is for administrators"
    assert "role" in cli("staff", "add", "dee", "--name", "D", "--role", "boss", **new).refusal
    assert "team" in cli("staff", "edit", "ana", "--team", "East").refusal
    assert cli("staff", "deactivate", "admin").refusal == (
        "refused: you cannot deactivate your own account"
    )
    assert cli("staff", "add", "dee", "--role", "caseworker", **new).status == 2  # --name
    assert cli("staff", "edit", "ana").status == 2  # nothing to change
    assert (
        cli("staff", "add", "dee", "--name", "D", "--role", "x", "--capacity", "lots").status == 2
    )


def test_staff_edit_prints_the_account(cli: Any) -> None:
    done = cli(
        "staff", "edit", "ana", "--name", "Ana Silva", "--capacity", "22.5", "--grant",
        "override_lock", "--revoke", "bulk_actions", "--json",
    ).json  # fmt: skip
    assert (done["display_name"], done["capacity_hours"], done["grants"]) == (
        "Ana Silva",
        22.5,
        ["override_lock"],
    )
    plain = cli("staff", "edit", "ana", "--team", "")
    assert plain.status == 0 and "ana saved (version 3)" in plain.stdout


def test_deactivation_says_how_many_cases_a_supervisor_must_move_first(
    cli: Any, org: tuple[str, Database]
) -> None:
    db = org[1]
    with db.uow(write=False) as uow:
        ana = actor_from(find_by_username(uow.session, "ana"))  # type: ignore[arg-type]
    for name in ("Amal Haddad", "Bruno Keller"):
        client_id = client_service.register_client(db, ana, client_service.ClientInput(name))
        case_service.open_case(db, ana, case_service.CaseInput(client_id=client_id))
    assert cli("staff", "deactivate", "ana").refusal == (
        "refused: ana is primary worker on 2 open or paused cases; a supervisor must reassign "
        "them before they are deactivated"
    )
    assert cli("staff", "deactivate", "sam").stdout.startswith("sam deactivated")
    assert cli("cases", "list", user="sam").refusal.startswith("refused: sign-in failed")
    listed = cli("staff", "list", "--all", "--json").json
    assert {s["username"]: s["active"] for s in listed}["sam"] is False
    assert "sam" not in [s["username"] for s in cli("staff", "list", "--json").json]
    assert cli("staff", "reactivate", "sam").status == 0
    assert cli("cases", "list", user="sam").status == 0


def test_staff_password_for_someone_else_gives_a_temporary_one(cli: Any) -> None:
    done = cli("staff", "password", "ana", CASETUI_NEW_PASSWORD="reset-day-4410")
    assert done.status == 0 and "temporary password set for ana" in done.stdout
    assert (
        "temporary" in cli("cases", "list", user="ana", CASETUI_PASSWORD="reset-day-4410").refusal
    )
    by_sam = cli("staff", "password", "ana", user="sam", CASETUI_NEW_PASSWORD="reset-day-4410")
    assert by_sam.refusal == "refused: resetting a password is for administrators"


def test_own_password_needs_the_current_one_and_a_good_new_one(cli: Any) -> None:
    wrong = cli("staff", "password", user="ana", CASETUI_PASSWORD="not it",
                CASETUI_NEW_PASSWORD="a secret of mine")  # fmt: skip
    assert "wrong password" in wrong.refusal
    short = cli("staff", "password", user="ana", CASETUI_NEW_PASSWORD="short")
    assert short.refusal == "refused: new password: must be at least 8 characters"
    named = cli("staff", "password", user="ana", CASETUI_NEW_PASSWORD="i-am-ana-really")
    assert "must not contain the username" in named.refusal
    missing = cli("staff", "password", user="ana")
    assert "CASETUI_NEW_PASSWORD" in missing.refusal


# --- teams -------------------------------------------------------------------------------------


def test_teams_add_list_and_edit(cli: Any) -> None:
    added = cli("teams", "add", "East", "--supervisor", "sam", "--json").json
    assert added == {"name": "East", "supervisors": ["sam"], "members": 1}
    assert cli("teams", "list", "--json").json == [
        {"name": "East", "supervisors": ["sam"], "members": 1},
        {"name": "North", "supervisors": [], "members": 1},
    ]
    edited = cli(
        "teams", "edit", "East", "--rename", "East and Coast", "--remove-supervisor", "sam",
        "--json",
    ).json  # fmt: skip
    assert edited == {"name": "East and Coast", "supervisors": [], "members": 0}
    plain = cli("teams", "list")
    assert plain.stdout.splitlines()[0].split() == ["TEAM", "SUPERVISORS", "MEMBERS"]
    assert "ana is a caseworker" in cli("teams", "edit", "North", "--supervisor", "ana").refusal
    assert "team named North" in cli("teams", "add", "NORTH").refusal
    assert (
        cli("teams", "list", user="sam").refusal == "refused: managing teams is for administrators"
    )
    assert cli("teams", "edit", "North").status == 2


# --- settings ----------------------------------------------------------------------------------


def test_settings_show_json_is_one_object_of_every_key(cli: Any) -> None:
    shown = cli("settings", "show", "--json").json
    assert list(shown) == list(SETTING_KEYS)
    assert shown["lock_days"] == 14 and shown["notify_closed_clients"] is False
    assert shown["weight_high"] == 4.0 and shown["smtp_host"] is None
    text = cli("settings", "show").stdout.splitlines()
    assert text[1].split() == ["lock_days", "14"]


def test_settings_set_says_what_changes_for_notes_written(cli: Any) -> None:
    done = cli("settings", "set", "lock_days", "7")
    assert done.stdout.splitlines() == [
        "lock_days is 7",
        "notes written before 7 days ago are now locked: 0 more notes locked",
        "new notes may be dated at most 7 days back",
    ]
    zone = cli("settings", "set", "time_zone", "Pacific/Auckland").stdout
    assert "stored times do not change" in zone
    assert cli("settings", "set", "notify_closed_clients", "on").stdout == (
        "notify_closed_clients is yes\n"
    )
    assert cli("settings", "show", "--json").json["notify_closed_clients"] is True


def test_settings_set_refusals_name_the_field(cli: Any) -> None:
    assert cli("settings", "set", "lock_days", "366").refusal == (
        "refused: lock days: must be a whole number from 1 to 365"
    )
    assert "smtp sender" in cli("settings", "set", "smtp_sender", "nobody").refusal
    assert "administrators" in cli("settings", "set", "stale_days", "9", user="sam").refusal
    assert "administrators" in cli("settings", "show", user="ana").refusal
    assert cli("settings", "set", "colour", "blue").status == 2


# --- lists -------------------------------------------------------------------------------------


def test_lists_show_add_retire(cli: Any) -> None:
    pathways = cli("lists", "show", "pathways", "--json").json
    assert pathways[0] == {"value": "Housing Support", "retired": False, "position": 0}
    assert all(set(p) == {"value", "retired", "position"} for p in pathways)
    assert cli("lists", "add", "pathways", "Youth Justice").status == 0
    assert cli("lists", "add", "pathways", "youth justice").refusal == (
        "refused: 'Youth Justice' is already in pathways"
    )
    assert cli("lists", "retire", "pathways", "Mental Health").status == 0
    after = {p["value"]: p for p in cli("lists", "show", "pathways", "--json").json}
    assert after["Mental Health"]["retired"] is True
    assert after["Youth Justice"]["position"] == len(pathways)
    assert cli("lists", "add", "pathways", "Mental Health").status == 0
    assert cli("lists", "show", "pathways", "--json").json[2]["retired"] is False
    every = cli("lists", "show", "--json").json
    assert {e["kind"] for e in every} >= {"activity_types", "pathways", "groups"}
    assert cli("lists", "show", "colours").status == 2
    assert "administrators" in cli("lists", "add", "groups", "Choir", user="ana").refusal


def test_lists_rename_and_move(cli: Any) -> None:
    done = cli("lists", "rename", "groups", "Job club", "Jobs club")
    assert "records written before keep Job club" in done.stdout
    cli("lists", "move", "groups", "Jobs club", "down")
    values = [g["value"] for g in cli("lists", "show", "groups", "--json").json]
    assert values[:2] == ["Parenting course", "Jobs club"]
    assert "first already" in cli("lists", "move", "groups", "Parenting course", "up").refusal


def test_staff_show_is_for_oneself_a_supervisor_and_administrators(cli: Any) -> None:
    assert cli("staff", "show", "ana", "--json", user="ana").json["username"] == "ana"
    assert cli("staff", "show", "ana", "--json", user="sam").json["capacity_hours"] == 37.5
    assert cli("staff", "show", "sam", user="ana").refusal == (
        "refused: another person's account is shown to administrators and their supervisor"
    )
    assert "no staff member 'nobody'" in cli("staff", "show", "nobody").refusal
