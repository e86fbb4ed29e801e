"""``casetui signoff request``, ``approve`` and ``return``: what they print, their JSON object,
how they refuse (one line naming the rule, exit 1) and their usage errors (2).

Run in this process (``casetui.cli.main``) against a small organisation in one SQLite file per
module; each test writes notes of its own, so the order does not matter.
"""

from __future__ import annotations

import itertools
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
_names = itertools.count(1)


@dataclass
class Org:
    url: str
    db: Database

    def note(self, author: str = "ana") -> tuple[int, str]:
        """A note by ``author`` on a new case of ana's; its id and the case number."""
        with self.db.uow(write=False) as uow:
            ana = actor_from(find_by_username(uow.session, "ana"))  # type: ignore[arg-type]
            writer = actor_from(find_by_username(uow.session, author))  # type: ignore[arg-type]
        client_id = client_service.register_client(
            self.db, ana, client_service.ClientInput(name=f"Client Number{next(_names)}")
        )
        number = case_service.open_case(
            self.db, ana, case_service.CaseInput(client_id=client_id)
        ).case_number
        note = note_service.add_note(
            self.db, writer, number,
            note_service.NoteInput(summary="Needs assessment", activity_type="Assessment"),
        )  # fmt: skip
        return note.id, number


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Org]:
    path = tmp_path_factory.mktemp("cli_signoff") / "casetui.db"
    db = Database(make_engine(f"sqlite:///{path}"))
    upgrade(db.engine)
    with writing(db, None) as work:
        ensure_defaults(work)
        work.commit()
    admin = staff_service.create_staff(
        db,
        None,
        staff_service.StaffInput("admin", "Admin", role="administrator", password=PASSWORD),
    )
    with db.uow(write=False) as uow:
        acting = actor_from(find_by_username(uow.session, admin.username))  # type: ignore[arg-type]
    for username, role, team in [("sam", "supervisor", "North"), ("ana", "caseworker", "North")]:
        staff_service.create_staff(
            db, acting,
            staff_service.StaffInput(username, username.title(), role=role, team=team,
                                     password=PASSWORD),
        )  # fmt: skip
    try:
        yield Org(f"sqlite:///{path}", db)
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


KEYS = {
    "note_id", "case_number", "state", "requested_by", "requested_at", "decided_by",
    "decided_at", "comment", "version",
}  # fmt: skip


def test_request_then_approve_locks_the_note(org: Org, cli: Any) -> None:
    note_id, number = org.note()
    sent = cli("signoff", "request", str(note_id), "--json", user="ana").json
    assert set(sent) == KEYS
    assert (sent["state"], sent["requested_by"], sent["case_number"]) == (
        "requested",
        "ana",
        number,
    )
    done = cli("signoff", "approve", str(note_id), "--comment", "Good")
    assert done.status == 0 and done.stdout == (
        f"note {note_id} on {number} signed off; it is locked now (an addendum adds to it)\n"
    )
    listed = cli("notes", "list", "--case", number, "--json", user="ana").json
    assert [(n["id"], n["signoff"], n["locked"]) for n in listed] == [(note_id, "approved", True)]
    refused = cli("notes", "edit", str(note_id), "--summary", "Later", user="ana").refusal
    assert f"note {note_id} was signed off on" in refused and "addendum" in refused


def test_return_needs_a_comment_and_the_author_may_send_again(org: Org, cli: Any) -> None:
    note_id, _ = org.note()
    assert cli("signoff", "request", str(note_id), user="ana").status == 0
    assert cli("signoff", "return", str(note_id)).status == 2  # --comment is required
    back = cli("signoff", "return", str(note_id), "--comment", "Next steps?", "--json").json
    assert (back["state"], back["decided_by"], back["comment"]) == (
        "returned",
        "sam",
        "Next steps?",
    )
    unread = cli("notifications", "--unread", "--json", user="ana").json
    assert [n["kind"] for n in unread] == ["signoff_returned"]
    assert "Next steps?" in unread[0]["text"]
    again = cli("signoff", "request", str(note_id), "--json", user="ana").json
    assert (again["state"], again["version"], again["comment"]) == ("requested", 3, None)


def test_refusals_name_the_rule(org: Org, cli: Any) -> None:
    own, _ = org.note("sam")
    cli("signoff", "request", str(own))
    assert "nobody signs off their own note" in cli("signoff", "approve", str(own)).refusal
    note_id, _ = org.note()
    assert "not waiting for sign-off" in cli("signoff", "approve", str(note_id)).refusal
    cli("signoff", "request", str(note_id), user="ana")
    assert (
        "supervisors of the case's team"
        in cli("signoff", "approve", str(note_id), user="ana").refusal
    )
    assert "no note 999999" in cli("signoff", "request", "999999", user="ana").refusal
    assert cli("signoff", "approve", "not-a-number").status == 2
