"""``casetui print``: the file written, what is printed about it (``--json``), progress on
stderr, and its refusals (one line naming the rule, exit 1) and usage errors (exit 2).

Run in this process (``casetui.cli.main``) against a SQLite file of its own.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from pdf_tools import page_count, text, words

from casetui.cli import main
from casetui.db.engine import make_engine
from casetui.db.migrate import upgrade
from casetui.db.uow import Database
from casetui.repositories.staff import actor_from, find_by_username
from casetui.services import auth, notes
from casetui.services import cases as case_service
from casetui.services import clients as client_service
from casetui.services import staff as staff_service
from casetui.services.defaults import ensure_defaults
from casetui.services.work import writing

PASSWORD = "print-password"


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


@dataclass
class Org:
    url: str
    case_number: str


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    path = tmp_path / "casetui.db"
    db = Database(make_engine(f"sqlite:///{path}"))
    try:
        upgrade(db.engine)
        with writing(db, None) as work:
            ensure_defaults(work)
            work.commit()
        staff_service.create_staff(
            db, None, staff_service.StaffInput("admin", "Admin", role="administrator", password=PASSWORD)
        )  # fmt: skip
        with db.uow(write=False) as uow:
            admin = actor_from(find_by_username(uow.session, "admin"))  # type: ignore[arg-type]
        for username, role in (("sam", "supervisor"), ("ana", "caseworker")):
            staff_service.create_staff(
                db, admin,
                staff_service.StaffInput(username, username.title(), role=role, team="North",
                                         password=PASSWORD),
            )  # fmt: skip
        with db.uow(write=False) as uow:
            ana = actor_from(find_by_username(uow.session, "ana"))  # type: ignore[arg-type]
        client_id = client_service.register_client(
            db, ana, client_service.ClientInput(name="Дарья Ковальчук")
        )
        number = case_service.open_case(
            db, ana, case_service.CaseInput(client_id=client_id)
        ).case_number
        for day in range(12, 0, -1):
            notes.add_note(
                db, ana, number,
                notes.NoteInput(f"Call on day {day}", "Phone call", contact_date=f"-{day}d"),
            )  # fmt: skip
        yield Org(f"sqlite:///{path}", number)
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
    monkeypatch.setattr(auth, "_sleep", lambda seconds: None)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)


@pytest.fixture
def cli(org: Org, capsys: pytest.CaptureFixture[str]) -> Any:
    def run(*args: str, user: str = "sam") -> Done:
        capsys.readouterr()
        try:
            status = main([*args, "--db", org.url, "--user", user])
        except SystemExit as exit_:  # argparse's usage errors
            status = int(exit_.code or 0)
        captured = capsys.readouterr()
        return Done(status, captured.out, captured.err)

    return run


def test_print_writes_the_case_file_and_says_where(cli: Any, org: Org, tmp_path: Path) -> None:
    target = tmp_path / "case.pdf"
    done = cli("print", "--case", org.case_number, "--out", str(target))
    assert done.status == 0, done.stderr
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    pages = page_count(target)
    assert done.stdout == (
        f"printed {org.case_number} (12 notes, {pages} pages) to {target}\nsha256 {digest}\n"
    )
    flat = words(text(target))
    assert "Дарья Ковальчук" in flat and "Call on day 12" in flat and "Call on day 1 " in flat


def test_print_json_and_a_date_range_given_as_typed(cli: Any, org: Org, tmp_path: Path) -> None:
    # "--from -5d" as the README writes it: a relative date, not an option.
    printed = cli(
        "print", "--case", org.case_number, "--from", "-5d", "--to", "yesterday",
        "--out", str(tmp_path), "--json",
    ).json  # fmt: skip
    today = printed["to"] and date.fromisoformat(printed["to"]) + timedelta(days=1)
    target = tmp_path / f"{org.case_number}-{today}.pdf"
    assert printed == {
        "case_number": org.case_number, "file": str(target),
        "from": (today - timedelta(days=5)).isoformat(),
        "to": (today - timedelta(days=1)).isoformat(), "notes": 5, "restricted": 0, "pages": 1,
        "size": target.stat().st_size, "sha256": hashlib.sha256(target.read_bytes()).hexdigest(),
    }  # fmt: skip
    flat = words(text(target))
    assert "Call on day 5" in flat and "Call on day 6" not in flat


def test_print_refuses_an_existing_file_unless_forced(cli: Any, org: Org, tmp_path: Path) -> None:
    target = tmp_path / "case.pdf"
    target.write_text("kept")
    refusal = cli("print", "--case", org.case_number, "--out", str(target)).refusal
    assert refusal == (
        f"refused: out: {target} already exists; nothing was replaced (--force replaces it)"
    )
    assert target.read_text() == "kept"
    assert cli("print", "--case", org.case_number, "--out", str(target), "--force").status == 0
    assert target.read_bytes().startswith(b"%PDF-")


def test_print_needs_the_reports_grant(cli: Any, org: Org, tmp_path: Path) -> None:
    refusal = cli("print", "--case", org.case_number, "--out", str(tmp_path / "x.pdf"), user="ana")
    assert refusal.refusal == "refused: printing a case file needs the reports grant"
    assert not (tmp_path / "x.pdf").exists()


def test_print_of_a_case_nobody_can_see_is_refused(cli: Any, tmp_path: Path) -> None:
    assert "no case" in cli("print", "--case", "C-9999", "--out", str(tmp_path / "x.pdf")).refusal


def test_print_usage_errors(cli: Any, org: Org) -> None:
    assert cli("print", "--case", org.case_number).status == 2  # no --out
    assert cli("print", "--out", "x.pdf").status == 2  # no --case
