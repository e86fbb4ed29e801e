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

import cli_org
import openpyxl
import pytest
from cli_org import plain_environment, runner, sqlite_org
from sqlalchemy import select

from casetui.domain.models import AuditEvent
from casetui.services import notes as note_service


@dataclass
class Org(cli_org.Org):
    north_case: str = ""
    south_case: str = ""

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
    staff = [("sam", "supervisor", "North"), ("ana", "caseworker", "North")]
    staff.append(("cara", "caseworker", "South"))
    with sqlite_org(tmp_path_factory, "cli_reports", staff=staff) as (url, db):
        org = Org(url, db)
        numbers = []
        for worker, name in (("ana", "Amal Haddad"), ("cara", "Жанна Иванова")):
            number = org.new_case(worker, name=name)
            numbers.append(number)
            note_service.add_note(
                db, org.actor(worker), number,
                note_service.NoteInput(summary=f"=Called {name}", activity_type="Phone call"),
            )  # fmt: skip
        org.north_case, org.south_case = numbers
        yield org


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    plain_environment(monkeypatch, tmp_path)


@pytest.fixture
def cli(org: Org, capsys: pytest.CaptureFixture[str]) -> Any:
    return runner(org.url, capsys, user="admin")


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
