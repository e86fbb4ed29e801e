"""``casetui clients``, ``cases open|show|edit`` and ``groups add``: what they print with
``--json``, how they refuse (one line naming the rule, exit 1) and their usage errors (exit 2).

Run in this process (``casetui.cli.main``), against a small organisation of one SQLite file per
module; each test works on clients and cases of its own, so the order does not matter.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cli_org
import pytest
from cli_org import build_org, plain_environment, runner, sqlite_org

from casetui.services import clients as client_service

CLIENT_KEYS = {
    "id", "name", "preferred_name", "date_of_birth", "email", "phone", "client_type", "status",
    "warning_indicators", "groups", "created_at",
}  # fmt: skip
CASE_KEYS = {
    "case_number", "client_name", "status", "concern", "worker", "pathway", "tags",
    "last_interaction",
}  # fmt: skip
CASE_SHOW_KEYS = CASE_KEYS | {"navigators", "client_id", "opened_on", "former_numbers"}


class Org(cli_org.Org):
    def case_of(self, client_id: int) -> str:
        record = client_service.client_record(self.db, self.actor("admin"), client_id)
        return record.cases[0].case_number


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Org]:
    with sqlite_org(tmp_path_factory, "cli_clients") as (url, db):
        yield Org(url, db)


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    plain_environment(monkeypatch, tmp_path)


@pytest.fixture
def cli(org: Org, capsys: pytest.CaptureFixture[str]) -> Any:
    return runner(org.url, capsys, user="admin")


def _search_importable() -> None:
    pytest.importorskip("casetui.services.search")


# --- clients add -----------------------------------------------------------------------------


def test_clients_add_prints_the_client_and_possible_duplicates(org: Org, cli: Any) -> None:
    _search_importable()
    first = cli(
        "clients", "add", "--name", "Zofia Wisniewska", "--dob", "1984-02-29",
        "--email", "zofia@example.org", "--phone", "0161 555 0101", "--type", "Potential Client",
        "--warning", "Safeguarding", "--group", "Job club", "--group", "Peer support", "--json",
        user="ana",
    ).json  # fmt: skip
    assert set(first) == CLIENT_KEYS | {"possible_duplicates"}
    assert (first["name"], first["date_of_birth"], first["client_type"], first["status"]) == (
        "Zofia Wisniewska",
        "1984-02-29",
        "Potential Client",
        "Active",
    )
    assert first["warning_indicators"] == ["Safeguarding"]
    assert first["groups"] == ["Job club", "Peer support"]
    assert first["possible_duplicates"] == []
    again = cli(
        "clients", "add", "--name", "Zofia Wisniewski", "--dob", "1984-02-29", "--json", user="sam"
    ).json  # fmt: skip
    assert again["id"] != first["id"]
    assert first["id"] in [d["id"] for d in again["possible_duplicates"]]
    duplicate = next(d for d in again["possible_duplicates"] if d["id"] == first["id"])
    assert {"id", "name", "date_of_birth", "case_numbers"} <= set(duplicate)


def test_clients_add_refusals_name_the_rule_and_write_nothing(org: Org, cli: Any) -> None:
    _search_importable()
    before = cli("clients", "list", "--json").json
    assert "email" in cli("clients", "add", "--name", "Bad Email", "--email", "nope").refusal
    assert "group" in cli("clients", "add", "--name", "Bad Group", "--group", "Chess").refusal
    assert "auditor" in cli("clients", "add", "--name", "By Audrey", user="audrey").refusal
    assert cli("clients", "list", "--json").json == before
    assert cli("clients", "add").status == 2  # --name is required


# --- clients show, list, edit ----------------------------------------------------------------


def test_clients_show_json_is_the_record_and_its_case_numbers(org: Org, cli: Any) -> None:
    client_id = org.new_client("ana", preferred_name="Kay", date_of_birth="1979-12-01")
    shown = cli("clients", "show", str(client_id), "--json", user="ana").json
    assert set(shown) == CLIENT_KEYS | {"cases"}
    assert (shown["id"], shown["preferred_name"], shown["date_of_birth"]) == (
        client_id,
        "Kay",
        "1979-12-01",
    )
    assert shown["cases"] == [org.case_of(client_id)]
    text = cli("clients", "show", str(client_id), user="ana").stdout
    assert org.case_of(client_id) in text and "Kay" in text


def test_clients_show_of_a_client_out_of_sight_is_refused(org: Org, cli: Any) -> None:
    client_id = org.new_client("ana")
    assert f"no client {client_id}" in cli("clients", "show", str(client_id), user="cara").refusal
    assert cli("clients", "show", "abc").status == 2
    assert cli("clients", "show", "0").status == 2


def test_clients_list_json_is_scoped_and_an_audited_export(org: Org, cli: Any) -> None:
    anas = org.new_client("ana", name="Listed Anaclient")
    caras = org.new_client("cara", name="Listed Caraclient")
    caseless = org.new_client("cara", name="Listed Nocase", with_case=False)
    rows = cli("clients", "list", "--query", "listed", "--json", user="ana").json
    assert all(set(r) == CLIENT_KEYS for r in rows)
    assert [r["id"] for r in rows] == [anas, caseless]
    everyone = cli("clients", "list", "--query", "listed", "--json", user="audrey").json
    assert [r["id"] for r in everyone] == [anas, caras, caseless]
    import sqlite3

    with sqlite3.connect(org.url.removeprefix("sqlite:///")) as connection:
        last = connection.execute(
            "SELECT actor_username, entity, after FROM audit_event WHERE action = 'export'"
            " ORDER BY id DESC LIMIT 1"
        ).fetchone()
    assert (last[0], last[1], json.loads(last[2])["rows"]) == ("audrey", "clients", 3)
    table = cli("clients", "list", "--query", "listed", user="ana").stdout
    assert "Listed Anaclient" in table and "Listed Caraclient" not in table


def test_clients_edit_changes_the_record(org: Org, cli: Any) -> None:
    client_id = org.new_client("ana", email="old@example.org", warnings=("Safeguarding",))
    edited = cli(
        "clients", "edit", str(client_id), "--name", "Renamed Person", "--email", "",
        "--status", "Inactive", "--type", "Case Management", "--remove-warning", "Safeguarding",
        "--add-warning", "Risk to staff", "--add-group", "Job club", "--json", user="ana",
    ).json  # fmt: skip
    assert set(edited) == CLIENT_KEYS
    assert (edited["name"], edited["email"], edited["status"], edited["client_type"]) == (
        "Renamed Person",
        None,
        "Inactive",
        "Case Management",
    )
    assert (edited["warning_indicators"], edited["groups"]) == (["Risk to staff"], ["Job club"])
    assert "saved" in cli("clients", "edit", str(client_id), "--phone", "0161", user="sam").stdout


def test_clients_edit_refusals_and_usage(org: Org, cli: Any) -> None:
    client_id = org.new_client("ana")
    before = cli("clients", "show", str(client_id), "--json").json
    assert "record status" in cli("clients", "edit", str(client_id), "--status", "Gone").refusal
    assert "date of birth" in cli("clients", "edit", str(client_id), "--dob", "2999-01-01").refusal
    assert "no client" in cli("clients", "edit", str(client_id), "--name", "X", user="cara").refusal
    assert (
        "read-only" in cli("clients", "edit", str(client_id), "--name", "X", user="audrey").refusal
    )
    done = cli("clients", "edit", str(client_id))
    assert done.status == 2 and "at least one change" in done.stderr
    assert cli("clients", "show", str(client_id), "--json").json == before


# --- clients delete and restore --------------------------------------------------------------


def test_clients_delete_and_restore(org: Org, cli: Any) -> None:
    client_id = org.new_client("ana", name="Deleted Soonclient")
    number = org.case_of(client_id)
    assert "delete_clients" in cli("clients", "delete", str(client_id), user="ana").refusal
    assert cli("clients", "delete", str(client_id)).status == 0
    # Gone from every list and show, for everyone, administrators included.
    for user in ("ana", "admin"):
        assert cli("clients", "list", "--query", "Soonclient", "--json", user=user).json == []
        listed = cli("cases", "list", "--status", "Open", "--limit", "0", "--json", user=user).json
        assert number not in [c["case_number"] for c in listed]
        assert "no case" in cli("cases", "show", number, user=user).refusal
        assert "no client" in cli("clients", "show", str(client_id), user=user).refusal
    deleted = cli("clients", "list", "--deleted", "--json").json
    assert client_id in [c["id"] for c in deleted]
    assert "administrators" in cli("clients", "list", "--deleted", user="sam").refusal
    assert "administrators" in cli("clients", "restore", str(client_id), user="sam").refusal
    assert "already deleted" in cli("clients", "delete", str(client_id)).refusal
    assert cli("clients", "restore", str(client_id)).status == 0
    assert cli("cases", "show", number, "--json", user="ana").json["client_id"] == client_id
    assert "not deleted" in cli("clients", "restore", str(client_id)).refusal


# --- cases open, show, edit ------------------------------------------------------------------


def test_cases_open_json_has_the_cases_list_keys(org: Org, cli: Any) -> None:
    client_id = org.new_client("ana", with_case=False)
    opened = cli(
        "cases", "open", "--client", str(client_id), "--concern", "High", "--pathway",
        "Housing Support", "--tag", "rent", "--tag", "Arrears", "--json", user="ana",
    ).json  # fmt: skip
    assert set(opened) == CASE_KEYS
    assert (opened["worker"], opened["concern"], opened["status"], opened["pathway"]) == (
        "ana",
        "High",
        "Open",
        "Housing Support",
    )
    assert opened["tags"] == ["arrears", "rent"] and opened["last_interaction"] is None
    team = cli("cases", "open", "--client", str(client_id), "--worker", "ben", "--json", user="sam")
    assert team.json["worker"] == "ben"
    numbered = cli("cases", "open", "--client", str(client_id), "--number", "CLI-0001", "--json")
    assert numbered.json["case_number"] == "CLI-0001"


def test_cases_open_refusals(org: Org, cli: Any) -> None:
    client_id = org.new_client("ana", with_case=False)
    open_ = ("cases", "open", "--client", str(client_id))
    assert "themselves" in cli(*open_, "--worker", "ben", user="ana").refusal
    assert "not in your team" in cli(*open_, "--worker", "cara", user="sam").refusal
    assert "case_numbers" in cli(*open_, "--number", "MINE-1", user="ana").refusal
    assert "concern" in cli(*open_, "--concern", "Extreme", user="ana").refusal
    assert "read-only" in cli(*open_, user="audrey").refusal
    assert cli("clients", "show", str(client_id), "--json").json["cases"] == []
    assert cli("cases", "open", "--client", "x").status == 2
    assert cli("cases", "open").status == 2


def test_cases_show_json_and_a_former_number(org: Org, cli: Any) -> None:
    client_id = org.new_client("ana")
    number = org.case_of(client_id)
    shown = cli("cases", "show", number, "--json", user="ana").json
    assert set(shown) == CASE_SHOW_KEYS
    assert (shown["case_number"], shown["client_id"], shown["navigators"]) == (
        number,
        client_id,
        [],
    )
    assert shown["former_numbers"] == []
    new = f"RN-{client_id}"
    cli("cases", "edit", number, "--number", new)
    by_old = cli("cases", "show", number, "--json", user="ana").json
    assert (by_old["case_number"], by_old["former_numbers"]) == (new, [number])
    assert f"was {number}" in cli("cases", "show", new, user="ana").stdout
    assert "no case" in cli("cases", "show", number, user="cara").refusal


def test_cases_edit_makes_every_change_or_none(org: Org, cli: Any) -> None:
    client_id = org.new_client("ana")
    number = org.case_of(client_id)
    before = cli("cases", "show", number, "--json").json
    refused = cli("cases", "edit", number, "--status", "Paused", "--worker", "cara", user="sam")
    assert "not in your team" in refused.refusal
    assert cli("cases", "show", number, "--json").json == before
    edited = cli(
        "cases", "edit", number, "--status", "Paused", "--concern", "Medium", "--pathway",
        "Mental Health", "--worker", "ben", "--add-navigator", "ana", "--add-tag", "rent",
        "--json", user="sam",
    ).json  # fmt: skip
    assert set(edited) == CASE_SHOW_KEYS
    assert (edited["status"], edited["concern"], edited["pathway"], edited["worker"]) == (
        "Paused",
        "Medium",
        "Mental Health",
        "ben",
    )
    assert (edited["navigators"], edited["tags"]) == (["ana"], ["rent"])
    unassigned = cli(
        "cases", "edit", number, "--remove-navigator", "ana", "--pathway", "", user="sam"
    )
    assert unassigned.status == 0
    assert cli("cases", "show", number, "--json").json["navigators"] == []
    assert "case_numbers" in cli("cases", "edit", number, "--number", "X-1", user="sam").refusal
    assert "reassigning" in cli("cases", "edit", number, "--worker", "ana", user="ben").refusal
    assert cli("cases", "edit", number).status == 2


def test_a_taken_number_is_refused_current_or_former(org: Org, cli: Any) -> None:
    first, second = org.case_of(org.new_client("ana")), org.case_of(org.new_client("ana"))
    cli("cases", "edit", first, "--number", f"T-{first}")
    for taken in (first, f"T-{first}".lower()):
        assert "already in use" in cli("cases", "edit", second, "--number", taken).refusal


# --- groups add ------------------------------------------------------------------------------


def test_groups_add_is_all_or_nothing(org: Org, cli: Any) -> None:
    mine = [org.new_client("ana"), org.new_client("ana")]
    theirs = org.new_client("cara")
    numbers = [org.case_of(c) for c in mine]
    refused = cli(
        "groups", "add", "Digital skills", "--case", numbers[0], "--case", org.case_of(theirs),
        user="ana",
    ).refusal  # fmt: skip
    assert org.case_of(theirs) in refused and "nobody joined Digital skills" in refused
    assert cli("clients", "show", str(mine[0]), "--json").json["groups"] == []
    done = cli(
        "groups", "add", "Digital skills", "--case", numbers[0], "--case", numbers[1], user="ana"
    )
    assert done.status == 0 and "2 client(s)" in done.stdout
    for client_id in mine:
        assert cli("clients", "show", str(client_id), "--json").json["groups"] == ["Digital skills"]
    assert "group" in cli("groups", "add", "Chess", "--case", numbers[0], user="ana").refusal
    assert (
        "read-only" in cli("groups", "add", "Job club", "--case", numbers[0], user="audrey").refusal
    )
    assert cli("groups", "add", "Job club").status == 2


# --- the same commands on PostgreSQL ---------------------------------------------------------


@pytest.mark.postgres
def test_client_and_case_commands_on_postgres(
    postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    db = build_org(postgres_url, staff=())
    try:
        pg = Org(postgres_url, db)
        client_id = pg.new_client("admin", with_case=False, name="Piotr Zielinski")
    finally:
        db.dispose()
    run = runner(postgres_url, capsys, user="admin")

    opened = run("cases", "open", "--client", str(client_id), "--number", "PG-1", "--json").json
    assert opened["case_number"] == "PG-1"
    run("cases", "edit", "PG-1", "--number", "PG-2", "--concern", "High")
    shown = run("cases", "show", "PG-1", "--json").json
    assert (shown["case_number"], shown["former_numbers"], shown["concern"]) == (
        "PG-2",
        ["PG-1"],
        "High",
    )
    assert "already in use" in run("cases", "edit", "PG-2", "--number", "pg-1").refusal
    edited = run("clients", "edit", str(client_id), "--status", "Closed", "--json").json
    assert edited["status"] == "Closed"
    assert run("groups", "add", "Job club", "--case", "PG-2").status == 0
    listed = run("clients", "list", "--query", "zielinski", "--json").json
    assert [(c["id"], c["groups"]) for c in listed] == [(client_id, ["Job club"])]
    assert run("clients", "delete", str(client_id)).status == 0
    assert "no case" in run("cases", "show", "PG-2").refusal
