"""The ``casetui`` command, run as a user runs it: a separate process, exit status, stdout, stderr.

One demo database per test module (per xdist worker); tests that write compare before and
after on cases of their own, so their order does not matter.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from casetui.startup import password_for

SCRIPT = Path(sys.executable).with_name("casetui")
CASE_KEYS = {
    "case_number",
    "client_name",
    "status",
    "concern",
    "worker",
    "pathway",
    "tags",
    "last_interaction",
}
NOTE_KEYS = {
    "id",
    "case_number",
    "author",
    "contact_date",
    "created_at",
    "activity",
    "contact_type",
    "summary",
    "locked",
    "restricted",
}
WEIGHTS = {"Low": 1.0, "Medium": 2.0, "High": 4.0}
STATUS_FACTOR = {"Open": 1.0, "Paused": 0.25}


def _demo_importable() -> bool:
    try:
        return importlib.util.find_spec("casetui.demo") is not None and hasattr(
            importlib.import_module("casetui.demo"), "generate_demo"
        )
    except ImportError:
        return False


needs_demo = pytest.mark.skipif(
    not _demo_importable(), reason="casetui.demo.generate_demo is not importable yet"
)


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASETUI_")}
    env.update(
        CASETUI_PASSWORD="demo",
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        NO_COLOR="1",
    )
    return env


@dataclass
class Cli:
    db: str
    env: dict[str, str]

    def __call__(
        self, *args: str, user: str | None = "admin", db: str | None = None, script: bool = False
    ) -> subprocess.CompletedProcess[str]:
        program = [str(SCRIPT)] if script else [sys.executable, "-m", "casetui"]
        tail = ["--db", db or self.db] + (["--user", user] if user else [])
        return subprocess.run(
            [*program, *args, *tail],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=180,
            check=False,
        )

    def ok(self, *args: str, **kwargs: Any) -> str:
        done = self(*args, **kwargs)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def json(self, *args: str, **kwargs: Any) -> list[dict[str, Any]]:
        rows = json.loads(self.ok(*args, "--json", **kwargs))
        assert isinstance(rows, list)
        return rows


ALL_STATUSES = ("--status", "Open", "--status", "Paused", "--status", "Closed", "--limit", "10000")


@dataclass
class Demo:
    cli: Cli
    staff: list[dict[str, Any]]
    cases: list[dict[str, Any]]  # every case, as the administrator sees them

    def role(self, role: str) -> list[str]:
        return [s["username"] for s in self.staff if s["role"] == role]

    def caseworker_with_open_cases(self, at_least: int) -> tuple[str, list[str]]:
        for name in self.role("caseworker"):
            mine = [
                c["case_number"]
                for c in self.cases
                if c["worker"] == name and c["status"] == "Open"
            ]
            if len(mine) >= at_least:
                return name, mine
        raise AssertionError("the demo has no caseworker with enough open cases")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    if not _demo_importable():
        pytest.skip("casetui.demo.generate_demo is not importable yet")
    home = tmp_path_factory.mktemp("cli")
    cli = Cli(f"sqlite:///{home / 'x.db'}", _env(home))
    cli.ok("init", user=None)
    cli.ok("demo", "--cases", "60", "--staff", "10", "--seed", "3", user=None)
    return Demo(cli, cli.json("staff", "list"), cli.json("cases", "list", *ALL_STATUSES))


@pytest.fixture
def cli(demo: Demo) -> Cli:
    return demo.cli


@pytest.fixture
def bare_cli(tmp_path: Path) -> Cli:
    """For what needs no demo data: usage errors, a database without a schema."""
    return Cli(f"sqlite:///{tmp_path / 'empty.db'}", _env(tmp_path))


def _one_line_refusal(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 1, (done.stdout, done.stderr)
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("refused:")
    return lines[0]


# --- lists ------------------------------------------------------------------------------------


def test_staff_list_json_keys(demo: Demo) -> None:
    assert demo.staff and all(
        set(s) == {"username", "display_name", "role", "team"} for s in demo.staff
    )
    assert {"administrator", "supervisor", "caseworker", "auditor"} <= {
        s["role"] for s in demo.staff
    }
    assert {"admin": "administrator"}.items() <= {
        s["username"]: s["role"] for s in demo.staff
    }.items()


def test_installed_script_runs_the_same_command(demo: Demo, cli: Cli) -> None:
    assert json.loads(cli.ok("staff", "list", "--json", script=True)) == demo.staff


def test_cases_list_json_keys_and_default_statuses(demo: Demo, cli: Cli) -> None:
    rows = cli.json("cases", "list", "--limit", "10000")
    assert rows and all(set(r) == CASE_KEYS for r in rows)
    assert all(isinstance(r["tags"], list) for r in rows)
    assert {r["status"] for r in rows} == {"Open", "Paused"}
    active = {c["case_number"] for c in demo.cases if c["status"] != "Closed"}
    assert {r["case_number"] for r in rows} == active


def test_cases_list_status_closed_lists_only_closed(demo: Demo, cli: Cli) -> None:
    rows = cli.json("cases", "list", "--status", "Closed", "--limit", "10000")
    assert rows and {r["status"] for r in rows} == {"Closed"}
    assert len(rows) == sum(c["status"] == "Closed" for c in demo.cases)


def test_cases_list_mine_and_scope(demo: Demo, cli: Cli) -> None:
    supervisor = demo.role("supervisor")[0]
    seen = {r["case_number"] for r in cli.json("cases", "list", *ALL_STATUSES, user=supervisor)}
    mine = {
        r["case_number"]
        for r in cli.json("cases", "list", "--mine", *ALL_STATUSES, user=supervisor)
    }
    own = {c["case_number"] for c in demo.cases if c["worker"] == supervisor}
    assert own <= mine < seen < {c["case_number"] for c in demo.cases}


def test_cases_list_query_and_limit(demo: Demo, cli: Cli) -> None:
    target = demo.cases[0]
    by_number = cli.json("cases", "list", *ALL_STATUSES, "--query", target["case_number"])
    assert [r["case_number"] for r in by_number] == [target["case_number"]]
    surname = target["client_name"].split()[-1]
    by_name = cli.json("cases", "list", *ALL_STATUSES, "--query", surname.upper())
    assert target["case_number"] in {r["case_number"] for r in by_name}
    assert all(surname.lower() in r["client_name"].lower() for r in by_name)
    assert len(cli.json("cases", "list", "--limit", "3")) == 3


def test_user_and_db_work_before_and_after_the_command(demo: Demo, cli: Cli) -> None:
    name, _ = demo.caseworker_with_open_cases(1)
    after = cli.ok("cases", "list", "--json", user=name)
    program = [
        sys.executable,
        "-m",
        "casetui",
        "--user",
        name,
        "--db",
        cli.db,
        "cases",
        "list",
        "--json",
    ]
    before = subprocess.run(
        program, capture_output=True, text=True, env=cli.env, timeout=180, check=False
    )
    assert before.returncode == 0, before.stderr
    assert json.loads(before.stdout) == json.loads(after)
    assert {r["case_number"] for r in json.loads(after)} < {c["case_number"] for c in demo.cases}


def test_notes_list_json_keys(demo: Demo, cli: Cli) -> None:
    notes = cli.json("notes", "list", "--case", demo.cases[0]["case_number"])
    assert notes and all(set(n) >= NOTE_KEYS for n in notes)
    assert {n["case_number"] for n in notes} == {demo.cases[0]["case_number"]}
    assert all(isinstance(n["locked"], bool) and isinstance(n["restricted"], bool) for n in notes)


# --- notes add and edit --------------------------------------------------------------------------


def _notes(cli: Cli, case_number: str) -> list[dict[str, Any]]:
    return cli.json("notes", "list", "--case", case_number)


def test_notes_add_single(demo: Demo, cli: Cli) -> None:
    name, mine = demo.caseworker_with_open_cases(1)
    cli.ok(
        "notes",
        "add",
        "--case",
        mine[0],
        "--activity",
        "Phone call",
        "--summary",
        "Single note from the CLI",
        user=name,
    )
    newest = _notes(cli, mine[0])[0]
    assert (newest["summary"], newest["author"], newest["activity"], newest["locked"]) == (
        "Single note from the CLI", name, "Phone call", False,
    )  # fmt: skip


def test_notes_add_with_several_cases_is_one_bulk_note(demo: Demo, cli: Cli) -> None:
    name, mine = demo.caseworker_with_open_cases(2)
    args = [
        "notes",
        "add",
        "--case",
        mine[0],
        "--case",
        mine[1],
        "--activity",
        "Workshop",
        "--summary",
        "Bulk note from the CLI",
    ]
    cli.ok(*args, user=name)
    newest = [_notes(cli, number)[0] for number in mine[:2]]
    assert [n["summary"] for n in newest] == ["Bulk note from the CLI"] * 2
    assert newest[0]["batch_id"] and newest[0]["batch_id"] == newest[1]["batch_id"]


def test_bulk_note_with_a_refused_case_writes_nothing(demo: Demo, cli: Cli) -> None:
    name, mine = demo.caseworker_with_open_cases(2)
    visible = {r["case_number"] for r in cli.json("cases", "list", *ALL_STATUSES, user=name)}
    stranger = next(c["case_number"] for c in demo.cases if c["case_number"] not in visible)
    before = [_notes(cli, number) for number in mine[:2]]
    refused = cli("notes", "add", "--case", mine[0], "--case", stranger, "--case", mine[1],
                  "--activity", "Workshop", "--summary", "Should not be written", user=name)  # fmt: skip
    assert stranger in _one_line_refusal(refused)
    assert [_notes(cli, number) for number in mine[:2]] == before


def test_notes_add_with_bad_input_names_the_field(demo: Demo, cli: Cli) -> None:
    name, mine = demo.caseworker_with_open_cases(1)
    before = _notes(cli, mine[0])
    refused = cli(
        "notes", "add", "--case", mine[0], "--activity", "Juggling", "--summary", "x", user=name
    )
    assert "activity type" in _one_line_refusal(refused)
    assert _notes(cli, mine[0]) == before


def _locked_note(demo: Demo, cli: Cli) -> dict[str, Any]:
    for case in demo.cases:
        locked = [n for n in _notes(cli, case["case_number"]) if n["locked"]]
        if locked:
            return locked[-1]
    raise AssertionError("the demo has no locked note")


def test_notes_edit_of_a_locked_note_needs_a_reason(demo: Demo, cli: Cli) -> None:
    note = _locked_note(demo, cli)
    refused = cli("notes", "edit", str(note["id"]), "--summary", "Changed without a reason")
    message = _one_line_refusal(refused)
    assert f"note {note['id']} is locked since" in message and "--reason" in message

    cli.ok(
        "notes",
        "edit",
        str(note["id"]),
        "--summary",
        "Corrected with a reason",
        "--reason",
        "wrong client named",
    )
    edited = next(n for n in _notes(cli, note["case_number"]) if n["id"] == note["id"])
    assert (edited["summary"], edited["locked"]) == ("Corrected with a reason", True)


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["notes", "add", "--case", "C-1"], id="notes-add-missing-summary"),
        pytest.param(["notes", "edit", "1"], id="notes-edit-nothing-to-change"),
        pytest.param(["notes", "edit", "one", "--summary", "x"], id="notes-edit-id-not-a-number"),
        pytest.param(["cases", "list", "--status", "Sleeping"], id="cases-unknown-status"),
        pytest.param(["cases", "list", "--limit", "-1"], id="cases-limit-negative"),
        pytest.param(["frobnicate"], id="unknown-command"),
    ],
)
def test_usage_errors_exit_2(bare_cli: Cli, args: list[str]) -> None:
    done = bare_cli(*args)
    assert done.returncode == 2, done.stderr
    assert "usage" in done.stderr


# --- workload, audit, schema ---------------------------------------------------------------------


def test_workload_json_matches_the_cases_list(demo: Demo, cli: Cli) -> None:
    rows = cli.json("workload")
    assert rows and all(
        {"username", "capacity_hours", "allocated_hours", "utilisation", "cases_by_concern"}
        <= set(r)
        for r in rows
    )
    active = [c for c in demo.cases if c["status"] != "Closed"]
    for row in rows:
        theirs = [c for c in active if c["worker"] == row["username"]]
        counts = Counter(c["concern"] for c in theirs)
        assert row["cases_by_concern"] == {k: counts.get(k, 0) for k in ("Low", "Medium", "High")}
        hours = sum(WEIGHTS[c["concern"]] * STATUS_FACTOR[c["status"]] for c in theirs)
        assert row["allocated_hours"] == pytest.approx(hours)
        assert row["utilisation"] == pytest.approx(hours / row["capacity_hours"], abs=1e-4)
    utilisation = [r["utilisation"] for r in rows]
    assert utilisation == sorted(utilisation, reverse=True)


def test_workload_of_another_team_is_refused(demo: Demo, cli: Cli) -> None:
    supervisor = demo.role("supervisor")[0]
    own_team = next(s["team"] for s in demo.staff if s["username"] == supervisor)
    other_team = next(s["team"] for s in demo.staff if s["team"] and s["team"] != own_team)
    assert {r["username"] for r in cli.json("workload", "--team", own_team, user=supervisor)}
    _one_line_refusal(cli("workload", "--team", other_team, user=supervisor))


def test_audit_verify_passes(cli: Cli) -> None:
    assert "intact" in cli.ok("audit", "verify")


def test_audit_verify_is_refused_to_caseworkers(demo: Demo, cli: Cli) -> None:
    _one_line_refusal(cli("audit", "verify", user=demo.role("caseworker")[0]))


def test_database_without_schema_says_to_run_init(bare_cli: Cli) -> None:
    done = bare_cli("cases", "list")
    assert done.returncode == 1
    assert len(done.stderr.splitlines()) == 1 and "casetui init" in done.stderr


@needs_demo
def test_demo_refuses_a_database_that_already_has_data(tmp_path: Path) -> None:
    cli = Cli(f"sqlite:///{tmp_path / 'x.db'}", _env(tmp_path))
    cli.ok("init", "--admin", "admin", user=None)
    refused = cli("demo", "--cases", "60", "--staff", "10", "--seed", "3", user=None)
    assert "empty database" in _one_line_refusal(refused)
    assert [s["username"] for s in cli.json("staff", "list")] == ["admin"]


@needs_demo
@pytest.mark.postgres
def test_init_demo_and_cases_list_on_postgres(postgres_url: str, tmp_path: Path) -> None:
    cli = Cli(postgres_url, _env(tmp_path))
    cli.ok("init", user=None)
    cli.ok("demo", "--cases", "60", "--staff", "10", "--seed", "3", user=None)
    rows = cli.json("cases", "list", "--limit", "10000")
    assert rows and all(set(r) == CASE_KEYS for r in rows)
    assert {r["status"] for r in rows} <= {"Open", "Paused"}
    assert "intact" in cli.ok("audit", "verify")


def test_demo_again_on_demo_data_leaves_it_and_succeeds(demo: Demo, cli: Cli) -> None:
    """The README's quick start can be run twice: the second run opens the same data."""
    before = cli.json("cases", "list", *ALL_STATUSES)
    again = cli.ok("demo", "--cases", "60", "--staff", "10", "--seed", "3", user=None)
    assert "already holds demo data" in again
    assert cli.json("cases", "list", *ALL_STATUSES) == before


def test_every_json_list_is_an_audited_export(demo: Demo, cli: Cli) -> None:
    """--json hands data to scripts: each one is an audit event naming what and how much."""
    import sqlite3

    path = cli.db.removeprefix("sqlite:///")

    def exports() -> list[tuple[str, str, str]]:
        with sqlite3.connect(path) as connection:
            return connection.execute(
                "SELECT actor_username, entity, after FROM audit_event"
                " WHERE action = 'export' ORDER BY id"
            ).fetchall()

    before = len(exports())
    number = demo.cases[0]["case_number"]
    listed = {
        "staff": cli.json("staff", "list"),
        "cases": cli.json("cases", "list"),
        "notes": cli.json("notes", "list", "--case", number),
        "workload": cli.json("workload"),
    }
    cli.ok("cases", "list")  # a table for a person to read is not an export
    found = exports()[before:]
    assert [(who, what) for who, what, _after in found] == [("admin", w) for w in listed]
    for (_who, what, after), rows in zip(found, listed.values(), strict=True):
        assert json.loads(after)["rows"] == len(rows), what
    assert json.loads(found[2][2])["case"] == number
    assert cli.ok("audit", "verify").startswith("audit trail intact")


# --- what a new user met in the first hour ---------------------------------------------------------


def _run(
    cli: Cli, *args: str, user: str | None = "admin", **env: str
) -> subprocess.CompletedProcess[str]:
    tail = ["--db", cli.db] + (["--user", user] if user else [])
    return subprocess.run(
        [sys.executable, "-m", "casetui", *args, *tail],
        capture_output=True,
        text=True,
        env={**cli.env, **env},
        stdin=subprocess.DEVNULL,
        timeout=180,
        check=False,
    )


# --- the first administrator ------------------------------------------------------------------


def test_init_admin_for_an_account_that_exists_says_so_and_leaves_it(demo: Demo, cli: Cli) -> None:
    done = _run(cli, "init", "--admin", "admin", user=None)
    assert done.returncode == 0, done.stderr
    assert "admin already exists, as administrator" in done.stdout
    assert "Error" not in done.stderr
    assert cli.json("staff", "list") == demo.staff


def test_init_admin_without_a_password_or_a_terminal_refuses(tmp_path: Path) -> None:
    cli = Cli(f"sqlite:///{tmp_path / 'new.db'}", _env(tmp_path))
    env = {k: v for k, v in cli.env.items() if k != "CASETUI_PASSWORD"}
    done = subprocess.run(
        [sys.executable, "-m", "casetui", "init", "--admin", "boss", "--db", cli.db],
        capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=120,
        check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout
    assert "CASETUI_PASSWORD" in done.stderr and "the account was not created" in done.stderr
    # Nothing half-done: the account is still to be made, and made with a password it works.
    again = _run(cli, "init", "--admin", "boss", user=None, CASETUI_PASSWORD="s3cret-enough")
    assert again.returncode == 0, again.stderr
    assert "administrator boss created" in again.stdout
    signed_in = _run(cli, "staff", "list", user="boss", CASETUI_PASSWORD="s3cret-enough")
    assert signed_in.returncode == 0, signed_in.stderr


# --- listings ---------------------------------------------------------------------------------


@pytest.mark.parametrize("listing", [["cases", "list"], ["staff", "list"], ["notes", "list"]])
def test_a_listing_read_by_head_ends_quietly(demo: Demo, cli: Cli, listing: list[str]) -> None:
    args = [*listing, "--case", demo.cases[0]["case_number"]] if listing[0] == "notes" else listing
    command = [sys.executable, "-m", "casetui", *args, *ALL_STATUSES * (listing[0] == "cases")]
    command += ["--db", cli.db, "--user", "admin"]
    shell = (
        " ".join(f"'{part}'" for part in command) + " | head -c 1 >/dev/null; echo ${PIPESTATUS[0]}"
    )
    done = subprocess.run(
        ["bash", "-c", shell], capture_output=True, text=True, env=cli.env, timeout=180,
        check=False,
    )  # fmt: skip
    assert done.stderr == ""
    assert done.stdout.strip() in ("0", "141")  # finished first, or stopped as Unix tools stop


def test_a_cut_listing_says_so_on_stderr_and_limit_0_lists_all(demo: Demo, cli: Cli) -> None:
    total = len([c for c in demo.cases if c["status"] != "Closed"])
    assert total > 5
    cut = _run(cli, "cases", "list", "--limit", "5", "--json")
    assert cut.returncode == 0, cut.stderr
    assert cut.stderr.strip() == f"5 of {total} shown; --limit N to see more, --limit 0 for all"
    assert cut.stdout.lstrip().startswith("[")  # the JSON on stdout holds only the rows
    whole = _run(cli, "cases", "list", "--limit", "0", "--json")
    assert whole.returncode == 0 and whole.stderr == ""
    assert whole.stdout.count('"case_number"') == total
    assert "default: 50" in _run(cli, "cases", "list", "--help").stdout


def test_a_relative_date_after_date_is_its_value(demo: Demo, cli: Cli) -> None:
    number = demo.cases[0]["case_number"]
    done = _run(cli, "notes", "add", "--case", number, "--activity", "Phone call",
               "--summary", "Rang three days ago", "--date", "-3d", "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    added = next(n for n in _notes(cli, number) if n["summary"] == "Rang three days ago")
    today = next(n for n in _notes(cli, number))["created_at"][:10]
    assert added["contact_date"] < today
    assert added["contact_time"] == "12:00"  # an earlier day with no time given: noon


# --- opening and signing in ---------------------------------------------------------------------


def test_a_database_casetui_cannot_use_is_named(bare_cli: Cli) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "casetui", "staff", "list", "--db", "mysql://x"],
        capture_output=True, text=True, env=bare_cli.env, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert "SQLite files and PostgreSQL" in done.stderr
    assert "ModuleNotFoundError" not in done.stderr and len(done.stderr.splitlines()) == 1


def test_an_os_user_who_is_no_staff_member_is_told_how_to_choose(demo: Demo, cli: Cli) -> None:
    env = {k: v for k, v in cli.env.items() if k != "CASETUI_PASSWORD"}
    done = subprocess.run(
        [sys.executable, "-m", "casetui", "staff", "list", "--db", cli.db],
        capture_output=True, text=True, env={**env, "USER": "nobody-here", "LOGNAME": "nobody-here"},
        stdin=subprocess.DEVNULL, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    if "no staff account named" not in done.stderr:  # the OS name may come from elsewhere
        pytest.skip(f"the OS user here is not taken from USER: {done.stderr.strip()}")
    assert "--user NAME" in done.stderr


def test_no_database_password_is_asked_for_a_file() -> None:
    asked: list[bool] = []
    assert password_for("sqlite:///x.db", lambda: asked.append(True) or "pw") is None
    assert asked == []


@pytest.mark.postgres
def test_no_database_password_is_asked_when_the_server_wants_none(postgres_url: str) -> None:
    asked: list[bool] = []
    assert password_for(postgres_url, lambda: asked.append(True) or "pw") is None
    assert asked == []  # trust authentication: nothing to ask, nothing printed


@pytest.mark.postgres
def test_no_keyring_message_when_no_password_is_needed(postgres_url: str, tmp_path: Path) -> None:
    cli = Cli(postgres_url, _env(tmp_path))
    assert _run(cli, "init", user=None).returncode == 0
    done = _run(cli, "audit", "verify", user=None)
    assert "keyring" not in done.stderr


# --- notes --------------------------------------------------------------------------------------


def test_a_locked_note_takes_an_addendum_from_the_command_line(demo: Demo, cli: Cli) -> None:
    note = _locked_note(demo, cli)
    refused = _run(cli, "notes", "edit", str(note["id"]), "--summary", "Changed")
    assert f"casetui notes addendum {note['id']}" in refused.stderr
    done = _run(cli, "notes", "addendum", str(note["id"]), "--text", "Also rang the GP",
               "--reason", "Forgot to record it")  # fmt: skip
    assert done.returncode == 0, done.stderr
    after = next(n for n in _notes(cli, note["case_number"]) if n["id"] == note["id"])
    assert [(a["reason"], a["text"]) for a in after["addenda"]][-1] == (
        "Forgot to record it", "Also rang the GP",
    )  # fmt: skip
    assert after["locked"] is True and after["summary"] == note["summary"]


def test_the_first_administrators_password_is_asked_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from casetui.cli import init as init_command
    from casetui.domain.errors import ValidationError
    from casetui.startup import open_database

    db = open_database(f"sqlite:///{tmp_path / 'new.db'}")
    typed = iter(["first-try", "second-try"])
    monkeypatch.setattr("getpass.getpass", lambda _prompt: next(typed))
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    with pytest.raises(ValidationError, match="the two passwords differ"):
        init_command._new_password(db, "boss")
    typed = iter(["same-words", "same-words"])
    assert init_command._new_password(db, "boss") == "same-words"
    db.dispose()
