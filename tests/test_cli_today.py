"""``casetui today``: one's Today list from the command line, what ``--json`` prints (SPEC's
``{kind, id, case_number, title, due_on}``), the table, and the export in the audit trail."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from casetui.domain.models import AuditEvent
from tests import test_cli_notifications as notifications_cli
from tests.test_cli_notifications import Org, today

# The organisation of the notifications tests: ana has a task due today on her own case.
org = notifications_cli.org
cli = notifications_cli.cli
_environment = notifications_cli._environment

KEYS = {"kind", "id", "case_number", "title", "due_on"}


def test_json_lists_my_task_due_today(org: Org, cli: Any) -> None:
    shown = cli("today", "--json").json
    assert [set(item) for item in shown] == [KEYS]
    (item,) = shown
    assert (item["kind"], item["case_number"], item["title"], item["due_on"]) == (
        "task", org.ana_case, "Ring the landlord", today().isoformat(),
    )  # fmt: skip
    assert isinstance(item["id"], int)


def test_the_table_names_the_case_and_the_client(org: Org, cli: Any) -> None:
    done = cli("today")
    assert done.status == 0, done.stderr
    header, line = done.stdout.splitlines()
    assert header.split() == ["DUE", "KIND", "CASE", "CLIENT", "WHAT"]
    assert org.ana_case in line and "Amal Haddad" in line and "Ring the landlord" in line


def test_nothing_due_says_so(org: Org, cli: Any) -> None:
    assert cli("today", user="ben").stdout == "nothing due today\n"
    assert cli("today", "--json", user="ben").json == []


def test_json_is_an_export_in_the_audit_trail(org: Org, cli: Any) -> None:
    assert len(cli("today", "--json").json) == 1
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
            "export", "today", {"rows": 1},
        )  # fmt: skip


def test_an_unknown_option_is_a_usage_error(cli: Any) -> None:
    assert cli("today", "--all").status == 2
