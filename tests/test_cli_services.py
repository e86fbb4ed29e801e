"""``casetui services add`` and ``services list``: the JSON keys SPEC names, amounts as exact
decimal strings, totals, refusals (one line naming the rule, exit 1) and usage errors (exit 2).

Run in this process (``casetui.cli.main``) on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from casetui.cli import main
from casetui.db.engine import make_engine
from casetui.db.migrate import upgrade
from casetui.db.uow import Database
from casetui.domain.models import AuditEvent, SupportiveService
from casetui.repositories.staff import actor_from, find_by_username
from casetui.services import cases as case_service
from casetui.services import clients as client_service
from casetui.services import lists as list_service
from casetui.services import staff as staff_service
from casetui.services.defaults import ensure_defaults
from casetui.services.work import writing

SERVICE_KEYS = {
    "id", "case_number", "service", "date", "provider", "amount", "grant", "justification",
}  # fmt: skip
PASSWORD = "demo-password"
GRANT = "Household Support Fund"


@dataclass
class Org:
    url: str
    db: Database
    ana_case: str
    cara_case: str

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
    """Ana (North) and cara (South) with a case each, sam supervising North, audrey auditing."""
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
        with db.uow(write=False) as uow:
            admin = actor_from(find_by_username(uow.session, "admin"))  # type: ignore[arg-type]
        for username, role, team in [
            ("ana", "caseworker", "North"),
            ("cara", "caseworker", "South"),
            ("audrey", "auditor", None),
        ]:
            staff_service.create_staff(
                db,
                admin,
                staff_service.StaffInput(
                    username, username.title(), role=role, team=team, password=PASSWORD
                ),
            )
        list_service.add_item(db, admin, "grants", GRANT)
        numbers = []
        for username, name in (("ana", "Amal Haddad"), ("cara", "Chidi Okafor")):
            with db.uow(write=False) as uow:
                worker = actor_from(find_by_username(uow.session, username))  # type: ignore[arg-type]
            client_id = client_service.register_client(
                db, worker, client_service.ClientInput(name=name)
            )
            case = case_service.open_case(db, worker, case_service.CaseInput(client_id=client_id))
            numbers.append(case.case_number)
        yield Org(database_url, db, numbers[0], numbers[1])
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
        """The one line a refusal prints."""
        assert self.status == 1, (self.stdout, self.stderr)
        lines = self.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("refused:"), self.stderr
        assert self.stdout == ""
        return lines[0]


@pytest.fixture
def cli(org: Org, capsys: pytest.CaptureFixture[str]) -> Any:
    def run(*args: str, user: str = "ana") -> Done:
        capsys.readouterr()
        try:
            status = main([*args, "--db", org.url, "--user", user])
        except SystemExit as exit_:  # argparse's usage errors
            status = int(exit_.code or 0)
        captured = capsys.readouterr()
        return Done(status, captured.out, captured.err)

    return run


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
