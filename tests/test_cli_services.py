"""``casetui services add`` and ``services list``: the JSON keys SPEC names, amounts as exact
decimal strings, totals, refusals (one line naming the rule, exit 1) and usage errors (exit 2).

Run in this process (``casetui.cli.main``) on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cli_org
import pytest
from cli_org import Done, build_org, plain_environment, runner
from sqlalchemy import select

from casetui.domain.models import AuditEvent, SupportiveService
from casetui.services import lists as list_service

SERVICE_KEYS = {
    "id", "case_number", "service", "date", "provider", "amount", "grant", "justification",
}  # fmt: skip
GRANT = "Household Support Fund"


@dataclass
class Org(cli_org.Org):
    ana_case: str = ""
    cara_case: str = ""

    def services(self) -> list[tuple[str, str]]:
        with self.db.uow(write=False) as uow:
            rows = uow.session.execute(select(SupportiveService).order_by(SupportiveService.id))
            return [(r.provider, str(r.amount)) for r in rows.scalars()]

    def audit_actions(self) -> list[tuple[str, str]]:
        with self.db.uow(write=False) as uow:
            rows = uow.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars()
            return [(e.action, e.entity) for e in rows]


@pytest.fixture
def org(database_url: str) -> Iterator[Org]:
    """Ana (North) and cara (South) with a case each, audrey auditing."""
    staff = [("ana", "caseworker", "North"), ("cara", "caseworker", "South")]
    db = build_org(database_url, staff=[*staff, ("audrey", "auditor", None)])
    try:
        made = Org(database_url, db)
        list_service.add_item(db, made.actor("admin"), "grants", GRANT)
        made.ana_case = made.new_case("ana", name="Amal Haddad")
        made.cara_case = made.new_case("cara", name="Chidi Okafor")
        yield made
    finally:
        db.dispose()


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    plain_environment(monkeypatch, tmp_path)


@pytest.fixture
def cli(org: Org, capsys: pytest.CaptureFixture[str]) -> Any:
    return runner(org.url, capsys, user="ana")


def add(cli: Any, case: str, amount: str, *extra: str, user: str = "ana") -> Done:
    return cli(
        "services", "add", "--case", case, "--service", "Travel", "--date", "2026-11-02",
        "--provider", "City Buses", "--amount", amount,
        "--justification", "Bus pass for the interview", *extra, user=user,
    )  # fmt: skip


def test_add_and_list_print_the_keys_spec_names(org: Org, cli: Any) -> None:
    added = add(cli, org.ana_case, "£1,234.5", "--grant", "household support fund", "--json").json
    assert set(added) == SERVICE_KEYS
    assert added == {
        "id": added["id"], "case_number": org.ana_case, "service": "Travel", "date": "2026-11-02",
        "provider": "City Buses", "amount": "1234.50", "grant": GRANT,
        "justification": "Bus pass for the interview",
    }  # fmt: skip
    plain = add(cli, org.ana_case, "7")
    assert plain.status == 0 and plain.stdout.startswith("supportive service ")
    assert f"added to {org.ana_case}: £7.00" in plain.stdout
    listed = cli("services", "list", "--case", org.ana_case, "--json").json
    # The latest given first; on the same day, the latest recorded.
    assert [s["amount"] for s in listed] == ["7.00", "1234.50"]
    assert listed[1] == added and all(set(s) == SERVICE_KEYS for s in listed)
    assert listed[0]["grant"] is None
    # Listing with --json is an export, and the trail says so.
    assert ("export", "services") in org.audit_actions()


def test_ten_pence_and_twenty_pence_total_thirty(org: Org, cli: Any) -> None:
    add(cli, org.ana_case, "0.10", "--grant", GRANT)
    add(cli, org.ana_case, "0.20")
    shown = cli("services", "list", "--case", org.ana_case)
    assert shown.status == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0].split() == ["ID", "DATE", "SERVICE", "PROVIDER", "AMOUNT", "GRANT", "BY"]
    assert "total £0.30 (2 services)" in lines
    assert f"  {GRANT}: £0.10" in lines and "  no grant: £0.20" in lines
    assert [amount for _, amount in org.services()] == ["0.10", "0.20"]


def test_a_relative_date_may_begin_with_a_dash(org: Org, cli: Any) -> None:
    done = cli(
        "services", "add", "--case", org.ana_case, "--service", "food", "--date", "-3d",
        "--provider", "Food bank", "--amount", "25", "--justification", "Voucher", "--json",
    ).json  # fmt: skip
    assert (done["service"], done["amount"]) == ("Food", "25.00")


REFUSED_AMOUNTS = {
    "-5": "amount: must not be negative",
    "12.505": "amount: has more than 2 decimal places",
    "10000000000": "amount: is more than the largest amount kept",
    "NaN": "amount: 'NaN' is not an amount",
    "inf": "amount: 'inf' is not an amount",
    "": "amount: is required",
    "$12": "amount: '$12' is in another currency",
}


def test_amounts_that_are_not_money_are_refused(org: Org, cli: Any) -> None:
    for amount, words in REFUSED_AMOUNTS.items():
        assert words in add(cli, org.ana_case, amount).refusal
    assert org.services() == []


def test_refusals_name_the_rule_and_write_nothing(org: Org, cli: Any) -> None:
    assert "service type: 'Yacht'" in cli(
        "services", "add", "--case", org.ana_case, "--service", "Yacht", "--date", "today",
        "--provider", "P", "--amount", "1", "--justification", "J",
    ).refusal  # fmt: skip
    assert "grant: 'Lottery'" in add(cli, org.ana_case, "1", "--grant", "Lottery").refusal
    assert (
        "justification: is required" in add(cli, org.ana_case, "1", "--justification", " ").refusal
    )
    assert "in the future" in add(cli, org.ana_case, "1", "--date", "+2d").refusal
    # A case outside the actor's scope is refused, never answered as if empty.
    assert "no case" in add(cli, org.cara_case, "1").refusal
    assert "read-only" in add(cli, org.ana_case, "1", user="audrey").refusal
    assert org.services() == []
    assert add(cli, org.ana_case, "1", "--justification").status == 2  # a value is missing
    assert cli("services", "add", "--case", org.ana_case).status == 2
    assert cli("services").status == 2


def test_list_is_scoped_to_the_actor(org: Org, cli: Any) -> None:
    add(cli, org.cara_case, "3.00", user="cara")
    assert "no case" in cli("services", "list", "--case", org.cara_case, "--json").refusal
    assert "no case" in cli("services", "list", "--case", org.cara_case).refusal
    seen = cli("services", "list", "--case", org.cara_case, "--json", user="audrey").json
    assert [s["amount"] for s in seen] == ["3.00"]
    assert cli("services", "list", "--case", org.ana_case, "--json").json == []


def test_stored_text_is_printed_literally(org: Org, cli: Any) -> None:
    done = cli(
        "services", "add", "--case", org.ana_case, "--service", "Travel", "--date", "today",
        "--provider", "Evil\x1b[2J Buses", "--amount", "1", "--justification", "Line one\nline two",
        "--json",
    ).json  # fmt: skip
    assert done["provider"] == "Evil\x1b[2J Buses"
    assert done["justification"] == "Line one\nline two"
    shown = cli("services", "list", "--case", org.ana_case)
    assert "\x1b" not in shown.stdout and "Evil\\x1b[2J Buses" in shown.stdout
