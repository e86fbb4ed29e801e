"""``casetui report notes|communications|services``: the file it writes, what it prints, how
it refuses (one line naming the rule, exit 1) and its usage errors (exit 2).

Run in this process (``casetui.cli.main``) against one small SQLite organisation per module;
the rules themselves are tested on both databases in tests/services/test_reports.py.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select

from casetui.cli import main
from casetui.db.engine import make_engine
from casetui.db.migrate import upgrade
from casetui.db.uow import Database
from casetui.domain.models import AuditEvent
from casetui.repositories.staff import actor_from, find_by_username
from casetui.services import cases as case_service
from casetui.services import clients as client_service
from casetui.services import notes as note_service
from casetui.services import staff as staff_service
from casetui.services.defaults import ensure_defaults
from casetui.services.work import writing

PASSWORD = "demo-password"


@dataclass
class Org:
    url: str
    db: Database
    north_case: str
    south_case: str

    def exports(self) -> list[AuditEvent]:
        with self.db.uow(write=False) as uow:
            events = list(
                uow.session.execute(
                    select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.id)
                ).scalars()
            )
            uow.session.expunge_all()  # else closing the unit of work expires them
            return events


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Org]:
    path = tmp_path_factory.mktemp("cli_reports") / "casetui.db"
    db = Database(make_engine(f"sqlite:///{path}"))
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
        ("sam", "supervisor", "North"),
        ("ana", "caseworker", "North"),
        ("cara", "caseworker", "South"),
    ]:
        staff_service.create_staff(
            db, actor("admin"),
            staff_service.StaffInput(username, username.title(), role=role, team=team, password=PASSWORD),
        )  # fmt: skip
    numbers = []
    for worker, name in (("ana", "Amal Haddad"), ("cara", "Жанна Иванова")):
        client_id = client_service.register_client(
            db, actor(worker), client_service.ClientInput(name=name)
        )
        case = case_service.open_case(
            db, actor(worker), case_service.CaseInput(client_id=client_id)
        )
        numbers.append(case.case_number)
        note_service.add_note(
            db, actor(worker), case.case_number,
            note_service.NoteInput(summary=f"=Called {name}", activity_type="Phone call"),
        )  # fmt: skip
    try:
        yield Org(f"sqlite:///{path}", db, numbers[0], numbers[1])
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
    def refusal(self) -> str:
        assert self.status == 1, (self.stdout, self.stderr)
        lines = self.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("refused:"), self.stderr
        assert self.stdout == ""
        return lines[0]


@pytest.fixture
def cli(org: Org, capsys: pytest.CaptureFixture[str]) -> Any:
    def run(*args: str, user: str = "admin") -> Done:
        capsys.readouterr()
        try:
            status = main([*args, "--db", org.url, "--user", user])
        except SystemExit as exit_:  # argparse's usage errors
            status = int(exit_.code or 0)
        captured = capsys.readouterr()
        return Done(status, captured.out, captured.err)

    return run


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


def test_notes_report_to_csv(cli: Any, org: Org, tmp_path: Path) -> None:
    out = tmp_path / "notes.csv"
    done = cli("report", "notes", "--out", str(out))
    assert done.status == 0, done.stderr
    rows = read_csv(out)
    assert [r["case_number"] for r in rows] == [org.north_case, org.south_case]
    assert rows[1]["client_name"] == "Жанна Иванова"
    assert rows[0]["summary"] == "'=Called Amal Haddad"
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert done.stdout == f"wrote {out} (2 rows, csv, sha256 {digest})\n"
    assert "2 rows in" in done.stderr
    event = org.exports()[-1]
    assert event.entity == "notes report" and json.loads(event.after or "{}")["sha256"] == digest


def test_the_format_follows_the_file_name_or_the_option(cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "notes.xlsx"
    assert cli("report", "notes", "--out", str(out)).status == 0
    book = openpyxl.load_workbook(out, read_only=True)
    assert book.sheetnames == ["notes"]
    book.close()
    odd = tmp_path / "notes.data"
    assert cli("report", "notes", "--format", "xlsx", "--out", str(odd)).status == 0
    assert odd.read_bytes()[:2] == b"PK"


def test_filters_reach_the_report(cli: Any, org: Org, tmp_path: Path) -> None:
    out = tmp_path / "south.csv"
    done = cli(
        "report", "notes", "--team", "South", "--from", "-30d", "--to", "today", "--out", str(out)
    )
    assert done.status == 0, done.stderr
    assert [r["case_number"] for r in read_csv(out)] == [org.south_case]
    after = json.loads(org.exports()[-1].after or "{}")
    assert after["team"] == "South" and after["from"] and after["to"]


def test_refusals_are_one_line_and_exit_1(cli: Any, org: Org, tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    assert "reports grant" in cli("report", "notes", "--out", str(out), user="ana").refusal
    assert (
        "not your team"
        in cli("report", "notes", "--team", "South", "--out", str(out), user="sam").refusal
    )
    assert (
        "not in your team"
        in cli("report", "services", "--worker", "cara", "--out", str(out), user="sam").refusal
    )
    assert (
        "administrators"
        in cli("report", "notes", "--include-deleted", "--out", str(out), user="sam").refusal
    )
    assert "no team" in cli("report", "notes", "--team", "West", "--out", str(out)).refusal
    assert not out.exists()
    out.write_text("keep me")
    assert "already exists" in cli("report", "notes", "--out", str(out)).refusal
    assert out.read_text() == "keep me"


def test_usage_errors_exit_2(cli: Any, tmp_path: Path) -> None:
    assert cli("report", "notes").status == 2  # --out is required
    assert cli("report", "invoices", "--out", str(tmp_path / "x.csv")).status == 2
    assert cli("report", "notes", "--format", "pdf", "--out", str(tmp_path / "x.csv")).status == 2


def test_communications_and_services_reports_run(cli: Any, tmp_path: Path) -> None:
    for kind in ("communications", "services"):
        out = tmp_path / f"{kind}.csv"
        done = cli("report", kind, "--out", str(out))
        assert done.status == 0, done.stderr
        assert "(0 rows, csv" in done.stdout
        assert out.read_bytes().startswith(b"\xef\xbb\xbf")
