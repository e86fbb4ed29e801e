"""``casetui print``: the file written, what is printed about it (``--json``), progress on
stderr, and its refusals (one line naming the rule, exit 1) and usage errors (exit 2).

Run in this process (``casetui.cli.main``) against a SQLite file of its own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import cli_org
import pytest
from cli_org import plain_environment, runner, sqlite_org
from pdf_tools import page_count, text, words

from casetui.services import auth, notes


@dataclass
class Org:
    url: str
    case_number: str


@pytest.fixture
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Org]:
    staff = [("sam", "supervisor", "North"), ("ana", "caseworker", "North")]
    with sqlite_org(tmp_path_factory, "cli_print", staff=staff) as (url, db):
        made = cli_org.Org(url, db)
        number = made.new_case("ana", name="Дарья Ковальчук")
        for day in range(12, 0, -1):
            notes.add_note(
                db, made.actor("ana"), number,
                notes.NoteInput(f"Call on day {day}", "Phone call", contact_date=f"-{day}d"),
            )  # fmt: skip
        yield Org(url, number)


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    plain_environment(monkeypatch, tmp_path)
    monkeypatch.setattr(auth, "_sleep", lambda seconds: None)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)


@pytest.fixture
def cli(org: Org, capsys: pytest.CaptureFixture[str]) -> Any:
    return runner(org.url, capsys, user="sam")


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
