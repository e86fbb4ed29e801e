"""``casetui audits run``, ``audits list`` and ``audits trend``: the JSON keys SPEC names,
progress on stderr only, and a worker or team outside the actor's scope refused (exit 1).

Run in this process (``casetui.cli.main``) on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from casetui.cli import main
from casetui.db.engine import make_engine
from casetui.db.migrate import upgrade
from casetui.db.uow import Database
from casetui.repositories.staff import actor_from, find_by_username
from casetui.services import cases as case_service
from casetui.services import clients as client_service
from casetui.services import notes as note_service
from casetui.services import staff as staff_service
from casetui.services.defaults import ensure_defaults
from casetui.services.work import writing

PASSWORD = "demo-password"
GOOD = (
    "Visited Amal at home with her sister. We discussed the letter from the landlord about "
    "rent arrears; Amal is worried she could lose the flat. No risk to her safety was seen "
    "today. Agreed that I will call the housing office on Friday and refer her to advice."
)


@dataclass
class Org:
    url: str
    notes: dict[str, int]
    cases: dict[str, str]


@pytest.fixture
def org(database_url: str) -> Iterator[Org]:
    """North: sam supervising ana; South: cara; an administrator and audrey auditing."""
    db = Database(make_engine(database_url))
    try:
        upgrade(db.engine)
        with writing(db, None) as work:
            ensure_defaults(work)
            work.commit()
        staff_service.create_staff(
            db,
            None,
            staff_service.StaffInput("admin", "Admin", role="administrator", password=PASSWORD),
        )

        def actor(username: str) -> Any:
            with db.uow(write=False) as uow:
                return actor_from(find_by_username(uow.session, username))  # type: ignore[arg-type]

        for username, role, team in [
            ("sam", "supervisor", "North"), ("ana", "caseworker", "North"),
            ("cara", "caseworker", "South"), ("audrey", "auditor", None),
        ]:  # fmt: skip
            staff_service.create_staff(
                db, actor("admin"),
                staff_service.StaffInput(username, username.title(), role=role, team=team, password=PASSWORD),
            )  # fmt: skip
        notes, cases = {}, {}
        for username, name, summary, details in (
            ("ana", "Amal Haddad", "Home visit", GOOD),
            ("cara", "Chidi Okafor", "Spoke to client, all fine", ""),
        ):
            worker = actor(username)
            client_id = client_service.register_client(
                db, worker, client_service.ClientInput(name=name)
            )
            case = case_service.open_case(db, worker, case_service.CaseInput(client_id=client_id))
            note = note_service.add_note(
                db, worker, case.case_number,
                note_service.NoteInput(
                    summary=summary, details=details, activity_type="Home visit",
                    contact_date="yesterday", contact_time="10:30",
                ),
            )  # fmt: skip
            notes[username], cases[username] = note.id, case.case_number
        yield Org(database_url, notes, cases)
    finally:
        db.dispose()


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("CASETUI_DATABASE_URL", "CASETUI_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CASETUI_PASSWORD", PASSWORD)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")


@dataclass
class Done:
    status: int
    stdout: str
    stderr: str

    @property
    def json(self) -> Any:
        assert self.status == 0, self.stderr
        return json.loads(self.stdout)

    @property
    def refusal(self) -> str:
        assert self.status == 1, (self.stdout, self.stderr)
        lines = self.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("refused:"), self.stderr
        assert self.stdout == ""
        return lines[0]


@pytest.fixture
def cli(org: Org, capsys: pytest.CaptureFixture[str]) -> Any:
    def run(*args: str, user: str = "sam") -> Done:
        capsys.readouterr()
        try:
            status = main([*args, "--db", org.url, "--user", user])
        except SystemExit as exit_:
            status = int(exit_.code or 0)
        captured = capsys.readouterr()
        return Done(status, captured.out, captured.err)

    return run


def test_run_then_list_prints_the_keys_spec_names(org: Org, cli: Any) -> None:
    unaudited = cli("audits", "list", "--unaudited", "--json").json
    assert [n["note_id"] for n in unaudited] == [org.notes["ana"]]
    done = cli("audits", "run", "--json")
    assert done.json == {"audited": 1, "average": 100}
    assert "auditing notes: 1 of 1" in done.stderr
    listed = cli("audits", "list", "--json").json
    assert [set(a) for a in listed] == [{"note_id", "case_number", "author", "score", "criteria"}]
    (only,) = listed
    assert (only["note_id"], only["case_number"], only["author"], only["score"]) == (
        org.notes["ana"], org.cases["ana"], "ana", 100,
    )  # fmt: skip
    assert [set(c) for c in only["criteria"]] == [{"name", "met", "evidence"}] * 7
    assert only["criteria"][3]["evidence"] == "next steps: 'Agreed that I will call the housing…'"
    assert cli("audits", "list", "--unaudited", "--json").json == []


def test_the_administrator_runs_for_a_team_with_dates(org: Org, cli: Any) -> None:
    done = cli(
        "audits", "run", "--team", "South", "--from", "-7d", "--to", "today", "--json", user="admin"
    )
    assert done.json == {"audited": 1, "average": 10}
    trend = cli("audits", "trend", "--json", user="audrey").json
    assert [(t["worker"], t["average"], t["notes"]) for t in trend] == [("cara", 10, 1)]
    assert set(trend[0]["months"][0]) == {"month", "average", "notes"}
    table = cli("audits", "list", user="audrey")
    assert table.status == 0 and "cara" in table.stdout


@pytest.mark.parametrize(
    ("args", "user"),
    [
        (("audits", "run", "--team", "South"), "sam"),
        (("audits", "run", "--worker", "cara"), "sam"),
        (("audits", "run"), "ana"),
        (("audits", "run"), "audrey"),
        (("audits", "list", "--worker", "cara"), "sam"),
        (("audits", "list", "--worker", "sam"), "ana"),
        (("audits", "trend", "--worker", "cara", "--json"), "ana"),
    ],
)
def test_outside_scope_is_refused_never_empty(cli: Any, args: tuple[str, ...], user: str) -> None:
    assert cli(*args, user=user).refusal


def test_a_caseworker_lists_their_own_scores(org: Org, cli: Any) -> None:
    cli("audits", "run", user="admin")
    mine = cli("audits", "list", "--json", user="ana").json
    assert [a["author"] for a in mine] == ["ana"]
    assert [t["worker"] for t in cli("audits", "trend", "--json", user="ana").json] == ["ana"]


def test_usage_errors_exit_2(cli: Any) -> None:
    assert cli("audits").status == 2
    assert cli("audits", "list", "--score").status == 2
