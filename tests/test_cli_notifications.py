"""``casetui notifications`` and ``notifications read``: one's own inbox from the command line,
what ``--json`` prints, and the refusals (exit 1, one line) and usage errors (exit 2)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import cli_org
import pytest
from cli_org import plain_environment, runner, sqlite_org
from sqlalchemy import select

from casetui.domain.models import AuditEvent
from casetui.services import cases as case_service
from casetui.services import tasks as task_service

KEYS = {"id", "kind", "case_number", "text", "created_at", "read"}
ZONE = ZoneInfo("Europe/London")  # the organisation's by default


def today() -> date:
    """The command line reads the real clock: so do these tests."""
    return datetime.now(ZONE).date()


@dataclass
class Org(cli_org.Org):
    ana_case: str = ""
    ben_case: str = ""


@pytest.fixture
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Org]:
    """sam supervises ana and ben; sam gives ana ben's case, and ana has a task due today."""
    staff = [("sam", "supervisor", "North")]
    staff += [(name, "caseworker", "North") for name in ("ana", "ben")]
    with sqlite_org(tmp_path_factory, "cli_notifications", staff=staff) as (url, db):
        org = Org(url, db)
        org.ana_case = org.new_case("ana", name="Amal Haddad")
        org.ben_case = org.new_case("ben", name="Bruno Keller")
        case_service.reassign(db, org.actor("sam"), org.ben_case, "ana")
        task = task_service.TaskInput(name="Ring the landlord", due=today())
        task_service.add_task(db, org.actor("ana"), org.ana_case, task)
        yield org


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    plain_environment(monkeypatch, tmp_path)


@pytest.fixture
def cli(org: Org, capsys: pytest.CaptureFixture[str]) -> Any:
    return runner(org.url, capsys, user="ana")


def test_json_lists_the_inbox_newest_first_with_the_task_due_delivered(org: Org, cli: Any) -> None:
    shown = cli("notifications", "--json").json
    assert [set(n) for n in shown] == [KEYS, KEYS]
    task, assigned = shown
    assert (task["kind"], task["case_number"], task["read"]) == ("task_due", org.ana_case, False)
    day = today()
    assert task["text"] == f"Task due today, {day.day} {day:%b %Y}: Ring the landlord"
    assert (assigned["kind"], assigned["case_number"]) == ("case_assigned", org.ben_case)
    assert assigned["text"] == "Assigned to you as primary worker by Sam"
    age = datetime.now(UTC) - datetime.fromisoformat(assigned["created_at"])
    assert timedelta(0) <= age < timedelta(minutes=5)
    assert task["id"] > assigned["id"]
    assert cli("notifications", "--json", user="ben").json == []  # ben gave nothing, got nothing


def test_json_is_an_export_in_the_audit_trail(org: Org, cli: Any) -> None:
    assert len(cli("notifications", "--unread", "--json").json) == 2
    with org.db.uow(write=False) as uow:
        event = (
            uow.session.execute(
                select(AuditEvent).order_by(AuditEvent.id.desc())  # type: ignore[attr-defined]
            )
            .scalars()
            .first()
        )
        assert event is not None
        assert (event.action, event.entity, json.loads(event.after or "{}")) == (
            "export", "notifications", {"rows": 2, "unread": True},
        )  # fmt: skip


def test_read_by_id_then_all_and_unread_lists_what_is_left(org: Org, cli: Any) -> None:
    task, assigned = cli("notifications", "--json").json
    done = cli("notifications", "read", str(assigned["id"]))
    assert (done.status, done.stdout) == (0, "1 marked read\n")
    assert [n["id"] for n in cli("notifications", "--unread", "--json").json] == [task["id"]]
    assert [n["read"] for n in cli("notifications", "--json").json] == [False, True]
    assert cli("notifications", "read", "--all").stdout == "1 marked read\n"
    assert cli("notifications", "--unread", "--json").json == []
    assert cli("notifications", "--unread").stdout == "no unread notifications\n"


def test_the_table_marks_the_unread(org: Org, cli: Any) -> None:
    assigned = cli("notifications", "--json").json[1]["id"]
    cli("notifications", "read", str(assigned))
    lines = cli("notifications").stdout.splitlines()
    assert lines[0].split() == ["ID", "NEW", "KIND", "CASE", "WHEN", "TEXT"]
    assert lines[1].split()[1:3] == ["*", "task_due"] and "Ring the landlord" in lines[1]
    assert lines[2].split()[1:3] == ["case_assigned", org.ben_case]  # read: no star
    assert today().isoformat() in lines[2]


def test_nobody_marks_another_persons_notifications(org: Org, cli: Any) -> None:
    theirs = cli("notifications", "--json", user="ana").json[0]["id"]
    refusal = cli("notifications", "read", str(theirs), user="ben").refusal
    assert refusal == f"refused: no notification {theirs} in your inbox"
    assert all(not n["read"] for n in cli("notifications", "--json").json)


def test_usage_errors(cli: Any) -> None:
    assert cli("notifications", "read").status == 2  # neither ids nor --all
    assert cli("notifications", "read", "1", "--all").status == 2
    assert cli("notifications", "read", "one").status == 2
    assert cli("notifications", "--bogus").status == 2
