"""``casetui comms add`` and ``comms list``: what they print with ``--json``, how they refuse
(one line naming the rule, exit 1, nothing written) and their usage errors (exit 2).

Run in this process (``casetui.cli.main``) against a small organisation in one SQLite file per
module, on a fixed clock; each test works on a client and case of its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cli_org import Org, plain_environment, runner, sqlite_org
from sqlalchemy import select, text

from casetui.db.uow import Database
from casetui.domain.models import AuditEvent

KEYS = {
    "id", "case_number", "type", "direction", "date", "time", "subject", "body", "author",
    "created_at", "locked", "version", "send_on", "repeats", "status", "attempts", "sent_at",
    "message_id", "detail",
}  # fmt: skip
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)  # a Sunday


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Org]:
    staff = [("ana", "caseworker", "North"), ("cara", "caseworker", "South")]
    staff.append(("audrey", "auditor", None))
    with sqlite_org(tmp_path_factory, "cli_comms", staff=staff, clock=lambda: NOW) as (url, db):
        yield Org(url, db)


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, org: Org) -> None:
    plain_environment(monkeypatch, tmp_path)
    # The commands build their own database from the URL: give it the same fixed clock.
    import casetui.startup as startup

    opened = startup.open_database

    def on_the_fixed_clock(*args: Any, **kwargs: Any) -> Database:
        db = opened(*args, **kwargs)
        db.clock = lambda: NOW
        return db

    monkeypatch.setattr(startup, "open_database", on_the_fixed_clock)


@pytest.fixture
def cli(org: Org, capsys: pytest.CaptureFixture[str]) -> Any:
    return runner(org.url, capsys, user="ana")


def listed(cli: Any, number: str, user: str = "ana") -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = cli("comms", "list", "--case", number, "--json", user=user).json
    return rows


def test_a_call_added_prints_one_object_and_is_listed(org: Org, cli: Any) -> None:
    number = org.new_case()
    added = cli(
        "comms", "add", "--case", number, "--type", "phone", "--direction", "in",
        "--subject", "Rang about the rent", "--body", "Line one\nLine two", "--date", "-2d",
        "--time", "09:30", "--json",
    ).json  # fmt: skip
    assert set(added) == KEYS
    assert (added["type"], added["direction"], added["date"], added["time"]) == (
        "phone", "in", "2026-11-20", "09:30",
    )  # fmt: skip
    assert (added["subject"], added["body"], added["author"]) == (
        "Rang about the rent", "Line one\nLine two", "ana",
    )  # fmt: skip
    assert added["status"] is None and added["send_on"] is None and added["repeats"] is None
    assert listed(cli, number) == [added]


def test_a_reminder_by_type_or_by_send_date(org: Org, cli: Any) -> None:
    number = org.new_case(email="client@example.org")
    by_type = cli(
        "comms", "add", "--case", number, "--type", "reminder", "--direction", "out",
        "--subject", "Appointment on Friday", "--send-on", "friday", "--repeats", "weekly",
        "--json",
    ).json  # fmt: skip
    assert (by_type["type"], by_type["status"], by_type["send_on"], by_type["repeats"]) == (
        "reminder", "scheduled", "2026-11-27", "weekly",
    )  # fmt: skip
    assert (by_type["attempts"], by_type["sent_at"], by_type["message_id"], by_type["detail"]) == (
        0, None, None, None,
    )  # fmt: skip
    by_date = cli(
        "comms", "add", "--case", number, "--type", "email", "--direction", "out",
        "--subject", "Bring your ID", "--send-on", "+1w", "--rrule", "FREQ=MONTHLY;COUNT=2",
        "--json",
    ).json  # fmt: skip
    assert (by_date["type"], by_date["send_on"], by_date["repeats"]) == (
        "reminder", "2026-11-29", "FREQ=MONTHLY;UNTIL=20261229",
    )  # fmt: skip
    plain = cli(
        "comms", "add", "--case", number, "--type", "reminder", "--direction", "out",
        "--subject", "Tomorrow", "--send-on", "tomorrow",
    )  # fmt: skip
    assert plain.status == 0 and "scheduled, sends on 2026-11-23" in plain.stdout
    ids = [r["id"] for r in listed(cli, number)]
    assert len(ids) == 3 and ids[1:] == [by_date["id"], by_type["id"]]  # newest first


@pytest.mark.parametrize(
    ("client", "words"),
    [({}, "has no email address"), ({"email": "x@example.org", "status": "Inactive"}, "record is Inactive")],
)  # fmt: skip
def test_a_reminder_for_a_client_it_cannot_reach_is_refused(
    org: Org, cli: Any, client: dict[str, Any], words: str
) -> None:
    status = client.pop("status", None)
    number = org.new_case(**client)
    if status:
        with org.db.engine.begin() as conn:
            conn.execute(
                text("UPDATE client SET record_status = :s WHERE id = "
                     "(SELECT client_id FROM cases WHERE case_number = :n)"),
                {"s": status, "n": number},
            )  # fmt: skip
    done = cli(
        "comms", "add", "--case", number, "--type", "reminder", "--direction", "out",
        "--subject", "Appointment", "--send-on", "+2d",
    )  # fmt: skip
    assert words in done.refusal and "client:" in done.refusal
    assert listed(cli, number) == []


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--type", "fax"), "type: 'fax' is not one of"),
        (("--subject", "Hi\r\nBcc: all@example.org"), "subject: must be one line"),
        (("--date", "tomorrow"), "date: 2026-11-23 is in the future"),
        (("--type", "phone", "--send-on", "+1w"), "send date: only a reminder has a send date"),
        (("--type", "reminder", "--direction", "in", "--send-on", "+1w"), "a reminder goes out"),
        (("--type", "reminder"), "send date: is required for a reminder"),
        (("--type", "reminder", "--send-on", "-1d"), "send date: 2026-11-21 has passed"),
    ],
)
def test_refusals_name_the_field_and_write_nothing(
    org: Org, cli: Any, args: tuple[str, ...], words: str
) -> None:
    number = org.new_case(email="client@example.org")
    base = {"--type": "letter", "--direction": "out", "--subject": "Sent the form"}
    given = dict(zip(args[::2], args[1::2], strict=True))
    argv = [item for pair in {**base, **given}.items() for item in pair]
    assert words in cli("comms", "add", "--case", number, *argv).refusal
    assert listed(cli, number) == []


def test_scope_and_roles_are_the_services(org: Org, cli: Any) -> None:
    number = org.new_case()
    add = ("comms", "add", "--case", number, "--type", "letter", "--direction", "out",
           "--subject", "Sent the form")  # fmt: skip
    assert "no case" in cli(*add, user="cara").refusal  # another team's case: not in sight
    assert "read-only" in cli(*add, user="audrey").refusal
    assert cli(*add).status == 0
    assert len(listed(cli, number, user="audrey")) == 1  # auditors read
    assert "no case" in cli("comms", "list", "--case", number, user="cara").refusal


def test_a_listing_with_json_is_an_export_in_the_audit_trail(org: Org, cli: Any) -> None:
    number = org.new_case()
    listed(cli, number)
    with org.db.uow(write=False) as uow:
        event = uow.session.execute(
            select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)  # type: ignore[attr-defined]
        ).scalar_one()
        seen = (event.action, event.entity, json.loads(event.after or "{}")["case"])
    assert seen == ("export", "communications", number)


def test_the_plain_listing_shows_text_literally(org: Org, cli: Any) -> None:
    number = org.new_case(email="client@example.org")
    cli("comms", "add", "--case", number, "--type", "reminder", "--direction", "out",
        "--subject", "\x1b[2J[bold]Hi", "--send-on", "+3d")  # fmt: skip
    shown = cli("comms", "list", "--case", number)
    assert shown.status == 0 and "\x1b" not in shown.stdout
    assert "\\x1b[2J[bold]Hi" in shown.stdout and "scheduled 2026-11-25" in shown.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("comms", "add", "--type", "phone", "--direction", "in", "--subject", "x"),  # no --case
        ("comms", "add", "--case", "C-1", "--type", "phone", "--subject", "x"),  # no --direction
        ("comms", "add", "--case", "C-1", "--type", "phone", "--direction", "up", "--subject", "x"),
        ("comms", "list"),
        ("comms",),
    ],
)
def test_usage_errors_exit_2(cli: Any, args: tuple[str, ...]) -> None:
    assert cli(*args).status == 2
