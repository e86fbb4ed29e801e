"""The standard reports on both databases: who may, what they see, and that the file holds the
rows the database holds — read back with the csv module and with openpyxl.

The world (tests/services/conftest.py): North team — supervisor sam, caseworkers ana, ben and
olga; South — cara. ana is a navigator on ben's case. Supervisors and auditors hold the
reports grant; caseworkers do not.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from casetui.domain.actor import Actor
from casetui.domain.enums import Grant
from casetui.domain.errors import NotFound, PermissionDenied, ValidationError
from casetui.domain.models import AuditEvent, Communication, SupportiveService
from casetui.domain.reports import (
    ReportCancelled,
    ReportFilters,
    ReportFormat,
    ReportKind,
)
from casetui.services import clients as client_service
from casetui.services.reports import count_rows, may_report, run_report
from casetui.services.reports.columns import COLUMNS
from casetui.services.reports.rows import LocalClock
from casetui.services.reports.writers import FORMULA_STARTS
from tests.services.conftest import World

LONDON = ZoneInfo("Europe/London")
NOTES, COMMS, SERVICES = ReportKind.NOTES, ReportKind.COMMUNICATIONS, ReportKind.SERVICES


def with_reports(actor: Actor) -> Actor:
    return replace(actor, grants=actor.grants | {Grant.REPORTS})


def report(
    world: World,
    actor: Actor,
    kind: ReportKind,
    out: Path,
    format: ReportFormat = ReportFormat.CSV,
    **filters: Any,
) -> Any:
    return run_report(world.db, actor, kind, ReportFilters(**filters), str(out), format=format)


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte order mark"
    with path.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream))
    return rows[0], rows[1:]


OOXML_ESCAPE = re.compile("_x([0-9A-Fa-f]{4})_")


def ooxml_text(value: Any) -> Any:
    """Text as a spreadsheet program shows it: OOXML writes control characters as _xHHHH_
    (and a literal "_x0041_" as "_x005F_x0041_"); openpyxl hands the escapes back as they are."""
    if not isinstance(value, str):
        return value
    return OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value)


def read_xlsx(path: Path) -> tuple[list[str], list[list[Any]]]:
    book = openpyxl.load_workbook(path, read_only=True)
    rows = [
        [ooxml_text(v) for v in row]
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
    ]
    book.close()
    return [str(h) for h in rows[0]], rows[1:]


def local(at: datetime) -> datetime:
    return at.astimezone(LONDON)


def safe(text_value: str | None) -> str:
    """What a text cell of the CSV holds: the documented quote before a formula's start."""
    if not text_value:
        return ""
    return "'" + text_value if text_value[0] in FORMULA_STARTS else text_value


def db_notes(world: World, *, details: bool = False) -> list[dict[str, Any]]:
    """Every live note of a live client, straight from the tables (no report code)."""
    query = text(
        """
        SELECT n.id, c.case_number, cl.name AS client, n.contact_at, n.activity_type,
               n.contact_type, n.third_party_org, s.username, n.summary, n.details,
               n.restricted, t.name AS team, c.pathway, c.status, n.created_at, c.id AS case_id
        FROM case_note n JOIN cases c ON c.id = n.case_id JOIN client cl ON cl.id = c.client_id
        JOIN staff s ON s.id = n.author_id LEFT JOIN team t ON t.id = c.team_id
        WHERE n.deleted_at IS NULL AND c.deleted_at IS NULL AND cl.deleted_at IS NULL
        ORDER BY c.id, n.contact_at, n.id
        """
    )
    with world.db.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(text(str(query)))]
    for row in rows:
        for key in ("contact_at", "created_at"):
            value = row[key]
            if isinstance(value, str):
                value = datetime.fromisoformat(value)
            row[key] = value.replace(tzinfo=UTC)
        row["restricted"] = bool(row["restricted"])
        if row["restricted"] and not details:
            row["details"] = ""
    return rows


def expected_csv_note(row: dict[str, Any]) -> list[str]:
    contact, created = local(row["contact_at"]), local(row["created_at"])
    return [
        str(row["id"]), safe(row["case_number"]), safe(row["client"]),
        contact.date().isoformat(), contact.strftime("%H:%M"), safe(row["activity_type"]),
        safe(row["contact_type"]), safe(row["third_party_org"]), safe(row["username"]),
        safe(row["summary"]), safe(row["details"]), "true" if row["restricted"] else "false",
        safe(row["team"]), safe(row["pathway"]), safe(row["status"]),
        created.strftime("%Y-%m-%d %H:%M"),
    ]  # fmt: skip


def raw_note(
    world: World,
    case_number: str,
    *,
    summary: str = "Written elsewhere",
    details: str = "",
    contact_at: datetime | None = None,
    restricted: bool = False,
    author: Actor | None = None,
) -> int:
    """A note put straight into the table: text the services' own forms would trim."""
    at = contact_at or world.clock()
    author = author or world.admin
    case_id = world.case_id(case_number)
    naive = at.astimezone(UTC).replace(tzinfo=None)
    with world.db.engine.begin() as conn:
        return int(
            conn.execute(
                text(
                    "INSERT INTO case_note (case_id, author_id, contact_at, activity_type, "
                    "contact_type, summary, details, restricted, created_at, updated_at, version, "
                    "imported) VALUES (:case, :author, :at, 'Phone call', 'Client', :summary, "
                    ":details, :restricted, :at, :at, 1, false) RETURNING id"
                ),
                {"case": case_id, "author": author.id, "at": naive, "summary": summary,
                 "details": details, "restricted": restricted},
            ).scalar_one()
        )  # fmt: skip


def add_communication(world: World, case_number: str, **fields: Any) -> int:
    now = world.clock()
    values: dict[str, Any] = {
        "case_id": world.case_id(case_number), "author_id": world.admin.id, "kind": "phone",
        "direction": "out", "occurred_at": now, "subject": "Called about the rent",
        "body": "", "created_at": now, "updated_at": now,
    }  # fmt: skip
    values.update(fields)
    with world.db.uow() as uow:
        row = Communication(**values)
        uow.session.add(row)
        uow.session.flush()
        row_id = row.id
        uow.commit()
    assert row_id is not None
    return row_id


def add_service(world: World, case_number: str, **fields: Any) -> int:
    now = world.clock()
    values: dict[str, Any] = {
        "case_id": world.case_id(case_number), "author_id": world.admin.id,
        "service_type": "Bus pass", "provided_on": now.date(), "provider": "City Transport",
        "amount": Decimal("12.50"), "grant": "Hardship fund",
        "justification": "Travel to the job interview", "created_at": now, "updated_at": now,
    }  # fmt: skip
    values.update(fields)
    with world.db.uow() as uow:
        row = SupportiveService(**values)
        uow.session.add(row)
        uow.session.flush()
        row_id = row.id
        uow.commit()
    assert row_id is not None
    return row_id


def exports(world: World) -> list[AuditEvent]:
    return [e for e in world.audit_events() if e.action == "export"]


@pytest.fixture
def noted(world: World) -> World:
    """A note on every case of the world, by its worker."""
    world.note(world.ana, world.ana_case, "Ana's client phoned")
    world.note(world.ben, world.ben_case, "Ben's client phoned")
    world.note(world.cara, world.cara_case, "Cara's client phoned")
    world.note(world.olga, world.olga_case, "Olga's client phoned")
    return world


def summaries(path: Path) -> set[str]:
    header, rows = read_csv(path)
    return {row[header.index("summary")] for row in rows}


def case_numbers(path: Path) -> set[str]:
    header, rows = read_csv(path)
    return {row[header.index("case_number")] for row in rows}


# --- who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(ReportKind))
def test_a_report_needs_the_reports_grant(world: World, tmp_path: Path, kind: ReportKind) -> None:
    out = tmp_path / "r.csv"
    before = world.dump()
    with pytest.raises(PermissionDenied, match="reports grant"):
        report(world, world.ana, kind, out)
    assert [p for p in tmp_path.iterdir() if not p.name.startswith("casetui.db")] == []
    assert world.dump() == before
    assert not may_report(world.ana)
    assert may_report(world.sam) and may_report(world.audrey) and may_report(world.admin)
    with pytest.raises(PermissionDenied):
        count_rows(world.db, world.ana, kind, ReportFilters())


@pytest.mark.parametrize("kind", list(ReportKind))
def test_each_report_reads_only_the_cases_the_actor_may_see(
    noted: World, tmp_path: Path, kind: ReportKind
) -> None:
    world = noted
    for number in (world.ana_case, world.ben_case, world.cara_case, world.olga_case):
        add_communication(world, number, subject=f"About {number}")
        add_service(world, number, justification=f"For {number}")
    north = {world.ana_case, world.ben_case, world.olga_case}
    everyone = north | {world.cara_case}
    seen = {
        "sam": north,
        "audrey": everyone,
        "admin": everyone,
        "ana": {world.ana_case, world.ben_case},  # ben's as its navigator
    }
    for name, expected in seen.items():
        actor = with_reports(getattr(world, name))
        out = tmp_path / f"{name}-{kind.value}.csv"
        done = report(world, actor, kind, out)
        assert case_numbers(out) == expected, name
        assert done.rows == len(expected)
        assert count_rows(world.db, actor, kind, ReportFilters()) == len(expected)


@pytest.mark.parametrize("kind", list(ReportKind))
def test_a_team_or_worker_outside_the_scope_is_refused_never_empty(
    noted: World, tmp_path: Path, kind: ReportKind
) -> None:
    world = noted
    ana = with_reports(world.ana)
    refusals: list[tuple[Actor, dict[str, str]]] = [
        (world.sam, {"team": "South"}),
        (world.sam, {"worker": "cara"}),
        (ana, {"worker": "ben"}),
        (ana, {"team": "North"}),
        (ana, {"team": "South"}),
    ]
    for actor, filters in refusals:
        with pytest.raises(PermissionDenied):
            report(world, actor, kind, tmp_path / "refused.csv", **filters)
        assert not (tmp_path / "refused.csv").exists()
    with pytest.raises(NotFound):
        report(world, world.sam, kind, tmp_path / "refused.csv", worker="nobody")
    with pytest.raises(NotFound):
        report(world, world.sam, kind, tmp_path / "refused.csv", team="West")
    assert not [e for e in exports(world) if f"{kind.value} report" == e.entity]


def test_team_and_worker_filters_within_scope(noted: World, tmp_path: Path) -> None:
    world = noted
    report(world, world.sam, NOTES, tmp_path / "team.csv", team="North")
    assert case_numbers(tmp_path / "team.csv") == {world.ana_case, world.ben_case, world.olga_case}
    report(world, world.sam, NOTES, tmp_path / "ben.csv", worker="ben")
    assert case_numbers(tmp_path / "ben.csv") == {world.ben_case}
    report(world, world.admin, NOTES, tmp_path / "south.csv", team="South")
    assert case_numbers(tmp_path / "south.csv") == {world.cara_case}
    ana = with_reports(world.ana)
    report(world, ana, NOTES, tmp_path / "mine.csv", worker="ana")
    # The case's primary worker: ben's case, which ana navigates, is not hers.
    assert case_numbers(tmp_path / "mine.csv") == {world.ana_case}


def test_pathway_and_status_filters(noted: World, tmp_path: Path) -> None:
    world = noted
    world.sql(
        "UPDATE cases SET pathway = 'Housing Support' WHERE case_number IN (:a, :b)",
        a=world.ana_case, b=world.cara_case,
    )  # fmt: skip
    world.sql("UPDATE cases SET status = 'Closed' WHERE case_number = :a", a=world.cara_case)
    report(world, world.admin, NOTES, tmp_path / "p.csv", pathway="housing support")
    assert case_numbers(tmp_path / "p.csv") == {world.ana_case, world.cara_case}
    report(world, world.admin, NOTES, tmp_path / "s.csv", status="closed")
    assert case_numbers(tmp_path / "s.csv") == {world.cara_case}
    header, rows = read_csv(tmp_path / "s.csv")
    assert rows[0][header.index("case_status")] == "Closed"
    with pytest.raises(ValidationError, match="pathway"):
        report(world, world.admin, NOTES, tmp_path / "x.csv", pathway="Astronomy")
    with pytest.raises(ValidationError, match="status"):
        report(world, world.admin, NOTES, tmp_path / "x.csv", status="Finished")


# --- what the files hold -----------------------------------------------------------------------


def test_the_notes_csv_is_the_rows_of_the_database(noted: World, tmp_path: Path) -> None:
    world = noted
    world.note(
        world.sam, world.ben_case, "Met the landlord, \"urgent\"", contact_type="3rd Party",
        third_party_org="Acme Housing, Ltd", details="Line one\nLine two, with a comma\r\nthree",
    )  # fmt: skip
    out = tmp_path / "notes.csv"
    done = report(world, world.admin, NOTES, out)
    header, rows = read_csv(out)
    assert header == [c.name for c in COLUMNS[NOTES]]
    assert rows == [expected_csv_note(r) for r in db_notes(world)]
    assert done.rows == len(rows) == 5
    raw = out.read_bytes()
    assert raw.count(b"\r\n") >= len(rows) + 1 and b"\r\n" in raw.split(b"\r\n", 1)[0] + b"\r\n"
    # Every record ends with CRLF; a bare LF is only ever inside a quoted cell.
    assert raw.endswith(b"\r\n")


# Text a database may hold: anything but NUL and lone surrogates (refused by the services).
hostile = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs",), blacklist_characters="\x00"
    ),
    max_size=40,
) | st.sampled_from(
    ["=SUM(A1:A9)", "+1", "-2+3", "@cmd", "\tTabbed", "\rReturn", "'=already quoted",
     'say "hi", then go', "a\nb", "a\r\nb", "Ñúñez Ωμέγα Жанна 李", "=HYPERLINK(\"x\")"]
)  # fmt: skip


@settings(
    max_examples=10,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    deadline=None,
)
@given(summary=hostile, details=hostile, client=hostile)
def test_hostile_text_reads_back_from_csv_and_xlsx(
    world: World, tmp_path_factory: pytest.TempPathFactory, summary: str, details: str, client: str
) -> None:
    folder = tmp_path_factory.mktemp("hostile")
    world.sql("UPDATE client SET name = :n WHERE id = :c", n=client or "x", c=world.ana_client)
    raw_note(world, world.ana_case, summary=summary, details=details)
    done = report(world, world.admin, NOTES, folder / "n.csv")
    header, rows = read_csv(folder / "n.csv")
    expected = [expected_csv_note(r) for r in db_notes(world)]
    assert rows == expected
    assert done.rows == len(expected)
    report(world, world.admin, NOTES, folder / "n.xlsx", ReportFormat.XLSX)
    xheader, xrows = read_xlsx(folder / "n.xlsx")
    assert xheader == header
    for got, row in zip(xrows, db_notes(world), strict=True):
        assert got[header.index("summary")] == (row["summary"] or None)
        assert got[header.index("details")] == (row["details"] or None)
        assert got[header.index("client_name")] == (row["client"] or None)


def test_nul_is_refused_before_it_reaches_a_report(world: World) -> None:
    with pytest.raises(ValidationError, match="NUL"):
        world.note(world.ana, world.ana_case, "Phoned\x00")
    with pytest.raises(ValidationError, match="NUL"):
        world.note(world.ana, world.ana_case, "Phoned", details="a\x00b")


def test_formula_looking_text_is_quoted_in_csv_and_text_in_xlsx(
    world: World, tmp_path: Path
) -> None:
    starts = ["=1+2", "+44 20", "-3 days", "@home", "\tindented", "\rreturned"]
    for i, summary in enumerate(starts):
        raw_note(
            world, world.ana_case, summary=summary, contact_at=world.clock() + timedelta(minutes=i)
        )
    report(world, world.admin, NOTES, tmp_path / "n.csv")
    assert [r for r in summaries(tmp_path / "n.csv")] and summaries(tmp_path / "n.csv") == {
        "'" + s for s in starts
    }
    report(world, world.admin, NOTES, tmp_path / "n.xlsx", ReportFormat.XLSX)
    header, rows = read_xlsx(tmp_path / "n.xlsx")
    assert [r[header.index("summary")] for r in rows] == starts
    book = openpyxl.load_workbook(tmp_path / "n.xlsx")
    sheet = book.active
    assert sheet is not None
    cells = [sheet.cell(row=i + 2, column=header.index("summary") + 1) for i in range(len(starts))]
    assert {c.data_type for c in cells} == {"s"}, "strings, never formulas"


def test_the_notes_xlsx_holds_the_rows_as_typed_cells(noted: World, tmp_path: Path) -> None:
    world = noted
    out = tmp_path / "notes.xlsx"
    done = report(world, world.admin, NOTES, out, ReportFormat.XLSX)
    header, rows = read_xlsx(out)
    assert header == [c.name for c in COLUMNS[NOTES]]
    expected = db_notes(world)
    assert done.rows == len(rows) == len(expected)
    for got, row in zip(rows, expected, strict=True):
        contact, created = local(row["contact_at"]), local(row["created_at"])
        cell = dict(zip(header, got, strict=True))
        assert cell["note_id"] == row["id"]
        assert cell["case_number"] == row["case_number"]
        assert cell["client_name"] == row["client"]
        assert cell["contact_date"] == datetime.combine(contact.date(), time(0))
        assert cell["contact_time"] == time(contact.hour, contact.minute)
        assert cell["summary"] == row["summary"]
        assert cell["restricted"] is False
        assert cell["team"] == row["team"]
        assert cell["created_at"] == created.replace(tzinfo=None, second=0, microsecond=0)
    book = openpyxl.load_workbook(out)
    sheet = book.active
    assert sheet is not None
    assert sheet.cell(row=2, column=header.index("contact_date") + 1).number_format == "yyyy-mm-dd"
    assert sheet.cell(row=2, column=header.index("contact_date") + 1).is_date


def test_communications_report_columns(world: World, tmp_path: Path) -> None:
    sent = datetime(2026, 7, 1, 22, 30, tzinfo=UTC)  # 23:30 in London (BST)
    add_communication(
        world, world.ana_case, kind="reminder", direction="out", subject="=Your appointment",
        body="Tomorrow at 10,\nbring ID", reminder_state="sent", sent_at=sent,
        send_on=date(2026, 7, 1), occurred_at=sent,
    )  # fmt: skip
    add_communication(world, world.ben_case, kind="letter", direction="in", subject="Rent letter")
    out = tmp_path / "c.csv"
    report(world, world.admin, COMMS, out)
    header, rows = read_csv(out)
    assert header == [c.name for c in COLUMNS[COMMS]]
    first = dict(zip(header, rows[0], strict=True))
    assert first["case_number"] == world.ana_case and first["client_name"] == "Amal Haddad"
    assert first["date"] == "2026-07-01" and first["sent_at"] == "2026-07-01 23:30"
    assert first["type"] == "reminder" and first["reminder_status"] == "sent"
    assert first["subject"] == "'=Your appointment" and first["body"] == "Tomorrow at 10,\nbring ID"
    assert first["author"] == "admin" and first["team"] == "North"
    second = dict(zip(header, rows[1], strict=True))
    assert (
        second["reminder_status"] == "" and second["sent_at"] == "" and second["direction"] == "in"
    )
    report(world, world.admin, COMMS, tmp_path / "c.xlsx", ReportFormat.XLSX)
    xheader, xrows = read_xlsx(tmp_path / "c.xlsx")
    cell = dict(zip(xheader, xrows[0], strict=True))
    assert cell["subject"] == "=Your appointment"
    assert cell["sent_at"] == datetime(2026, 7, 1, 23, 30)


def test_services_report_amounts_are_exact(world: World, tmp_path: Path) -> None:
    add_service(world, world.ana_case, amount=Decimal("12.50"))
    add_service(world, world.ana_case, amount=Decimal("1234567890.05"), grant=None)
    add_service(world, world.cara_case, amount=Decimal("0.10"))
    out = tmp_path / "s.csv"
    report(world, world.admin, SERVICES, out)
    header, rows = read_csv(out)
    assert header == [c.name for c in COLUMNS[SERVICES]]
    amounts = [row[header.index("amount")] for row in rows]
    assert amounts == ["12.50", "1234567890.05", "0.10"]
    assert {row[header.index("currency")] for row in rows} == {"GBP"}
    assert rows[1][header.index("grant")] == ""
    report(world, world.admin, SERVICES, tmp_path / "s.xlsx", ReportFormat.XLSX)
    xheader, xrows = read_xlsx(tmp_path / "s.xlsx")
    got = [Decimal(str(r[xheader.index("amount")])).quantize(Decimal("0.01")) for r in xrows]
    assert got == [Decimal("12.50"), Decimal("1234567890.05"), Decimal("0.10")]
    book = openpyxl.load_workbook(tmp_path / "s.xlsx")
    sheet = book.active
    assert sheet is not None
    assert sheet.cell(row=2, column=xheader.index("amount") + 1).number_format == "0.00"


# --- dates ----------------------------------------------------------------------------------


def test_date_range_uses_the_organisations_days(world: World, tmp_path: Path) -> None:
    # 23:30 UTC on 1 July is 00:30 on 2 July in London (summer time).
    late = raw_note(
        world,
        world.ana_case,
        summary="Late call",
        contact_at=datetime(2026, 7, 1, 23, 30, tzinfo=UTC),
    )
    early = raw_note(
        world,
        world.ana_case,
        summary="Early call",
        contact_at=datetime(2026, 7, 1, 22, 59, tzinfo=UTC),
    )
    report(
        world, world.admin, NOTES, tmp_path / "a.csv", date_from="2026-07-02", date_to="2026-07-02"
    )
    assert summaries(tmp_path / "a.csv") == {"Late call"}
    report(
        world, world.admin, NOTES, tmp_path / "b.csv", date_from="2026-07-01", date_to="2026-07-01"
    )
    assert summaries(tmp_path / "b.csv") == {"Early call"}
    header, rows = read_csv(tmp_path / "a.csv")
    assert rows[0][header.index("contact_date")] == "2026-07-02"
    assert rows[0][header.index("contact_time")] == "00:30"
    assert late != early
    with pytest.raises(ValidationError, match="to"):
        report(
            world,
            world.admin,
            NOTES,
            tmp_path / "c.csv",
            date_from="2026-07-02",
            date_to="2026-07-01",
        )


def test_services_date_range_is_by_day(world: World, tmp_path: Path) -> None:
    add_service(world, world.ana_case, provided_on=date(2026, 3, 31), provider="March")
    add_service(world, world.ana_case, provided_on=date(2026, 4, 1), provider="April")
    add_service(world, world.ana_case, provided_on=date(2026, 6, 30), provider="June")
    add_service(world, world.ana_case, provided_on=date(2026, 7, 1), provider="July")
    out = tmp_path / "q.csv"
    report(world, world.admin, SERVICES, out, date_from="2026-04-01", date_to="2026-06-30")
    header, rows = read_csv(out)
    assert [r[header.index("provider")] for r in rows] == ["April", "June"]


@settings(max_examples=200, deadline=None)
@given(
    moment=st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2060, 1, 1)),
    zone=st.sampled_from(["Europe/London", "America/New_York", "Australia/Lord_Howe",
                          "Asia/Kathmandu", "Pacific/Chatham", "UTC", "America/St_Johns"]),
)  # fmt: skip
def test_the_local_clock_agrees_with_the_zone(moment: datetime, zone: str) -> None:
    clock = LocalClock(ZoneInfo(zone))
    # Warm it on a nearby moment first, as a report's rows in time order do.
    for naive in (moment - timedelta(minutes=37), moment, moment + timedelta(hours=5)):
        expected = naive.replace(tzinfo=UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None)
        assert clock.local(naive) == expected


@settings(max_examples=300, deadline=None)
@given(
    moment=st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2060, 1, 1)),
    zone=st.sampled_from(["Europe/London", "America/New_York", "Australia/Lord_Howe",
                          "Asia/Kathmandu", "Pacific/Chatham", "UTC", "America/St_Johns",
                          "Europe/Amsterdam", "Asia/Kolkata"]),
    seconds=st.booleans(),
)  # fmt: skip
def test_the_wall_clock_text_agrees_with_the_zone(
    moment: datetime, zone: str, seconds: bool
) -> None:
    """UTC as the database hands it over in text, to local text to the minute: by whole hours
    kept, carried into the next hour for zones with minutes in their offset, and each time on
    its own in an hour when the clocks change or the offset has seconds (Amsterdam's 1930s)."""
    clock = LocalClock(ZoneInfo(zone))
    for naive in (moment - timedelta(minutes=37), moment, moment + timedelta(hours=5)):
        expected = naive.replace(tzinfo=UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None)
        stored = naive.isoformat(" ") if seconds else naive.strftime("%Y-%m-%d %H:%M:%S")
        assert clock.wall(stored) == expected.strftime("%Y-%m-%d %H:%M"), stored


# --- restricted notes and deleted clients ------------------------------------------------------


def test_restricted_details_are_left_out_unless_asked_for(world: World, tmp_path: Path) -> None:
    note = world.note(
        world.ana, world.ana_case, "Safeguarding", details="Named the abuser", restricted=True
    )
    out = tmp_path / "n.csv"
    done = report(world, world.sam, NOTES, out)
    header, rows = read_csv(out)
    row = dict(zip(header, rows[0], strict=True))
    assert row["summary"] == "Safeguarding" and row["details"] == "" and row["restricted"] == "true"
    assert b"Named the abuser" not in out.read_bytes()
    assert done.restricted_details == 0
    assert not [e for e in world.audit_events() if e.action == "note.view_restricted"]

    report(world, world.sam, NOTES, tmp_path / "full.csv", include_restricted=True)
    header, rows = read_csv(tmp_path / "full.csv")
    assert rows[0][header.index("details")] == "Named the abuser"
    viewed = [e for e in world.audit_events() if e.action == "note.view_restricted"]
    assert [(e.entity_id, e.actor_username) for e in viewed] == [(str(note.id), "sam")]
    event = exports(world)[-1]
    assert json.loads(event.after or "{}")["restricted_details"] == 1

    report(
        world, world.sam, NOTES, tmp_path / "full.xlsx", ReportFormat.XLSX, include_restricted=True
    )
    xheader, xrows = read_xlsx(tmp_path / "full.xlsx")
    assert xrows[0][xheader.index("details")] == "Named the abuser"
    report(world, world.sam, NOTES, tmp_path / "short.xlsx", ReportFormat.XLSX)
    xheader, xrows = read_xlsx(tmp_path / "short.xlsx")
    assert xrows[0][xheader.index("details")] is None
    assert xrows[0][xheader.index("restricted")] is True


def test_include_restricted_is_only_for_the_notes_report(world: World, tmp_path: Path) -> None:
    for kind in (COMMS, SERVICES):
        with pytest.raises(ValidationError, match="restricted"):
            report(world, world.admin, kind, tmp_path / "x.csv", include_restricted=True)


def test_restricted_notes_out_of_sight_stay_out(world: World, tmp_path: Path) -> None:
    world.note(world.cara, world.cara_case, "South secret", details="Hidden", restricted=True)
    report(world, world.sam, NOTES, tmp_path / "n.csv", include_restricted=True)
    assert b"Hidden" not in (tmp_path / "n.csv").read_bytes()
    assert b"South secret" not in (tmp_path / "n.csv").read_bytes()


def test_closed_and_inactive_clients_are_reported(noted: World, tmp_path: Path) -> None:
    world = noted
    world.sql("UPDATE client SET record_status = 'Closed' WHERE id = :c", c=world.ana_client)
    world.sql("UPDATE client SET record_status = 'Inactive' WHERE id = :c", c=world.ben_client)
    report(world, world.sam, NOTES, tmp_path / "n.csv")
    assert {world.ana_case, world.ben_case} <= case_numbers(tmp_path / "n.csv")


def test_deleted_clients_only_for_administrators_who_ask(noted: World, tmp_path: Path) -> None:
    world = noted
    client_service.delete_client(world.db, world.admin, world.ben_client)
    report(world, world.admin, NOTES, tmp_path / "a.csv")
    assert world.ben_case not in case_numbers(tmp_path / "a.csv")
    report(world, world.admin, NOTES, tmp_path / "b.csv", include_deleted=True)
    assert world.ben_case in case_numbers(tmp_path / "b.csv")
    for actor in (world.sam, world.audrey):
        with pytest.raises(PermissionDenied, match="administrators"):
            report(world, actor, NOTES, tmp_path / "c.csv", include_deleted=True)
    report(world, world.sam, NOTES, tmp_path / "d.csv")
    assert world.ben_case not in case_numbers(tmp_path / "d.csv")
    after = json.loads(exports(world)[-2].after or "{}")
    assert after["include_deleted"] is True


# --- the audit event and the file ----------------------------------------------------------------


@pytest.mark.parametrize("format", list(ReportFormat))
def test_the_report_is_an_audit_event_with_the_files_sha256(
    noted: World, tmp_path: Path, format: ReportFormat
) -> None:
    world = noted
    out = tmp_path / f"north.{format.value}"
    done = report(
        world, world.sam, NOTES, out, format, team="North", date_from="2026-11-01",
        date_to="2026-11-30", status="Open",
    )  # fmt: skip
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert done.sha256 == digest
    event = exports(world)[-1]
    assert (event.actor_username, event.entity) == ("sam", "notes report")
    after = json.loads(event.after or "{}")
    assert after == {
        "rows": 3, "from": "2026-11-01", "to": "2026-11-30", "team": "North", "worker": None,
        "pathway": None, "status": "Open", "include_restricted": False,
        "include_deleted": False, "format": format.value, "file": str(out), "sha256": digest,
    }  # fmt: skip
    assert out.stat().st_mode & 0o077 == 0, "case notes: readable by their owner only"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_an_existing_file_is_not_replaced(world: World, tmp_path: Path) -> None:
    out = tmp_path / "taken.csv"
    out.write_text("mine")
    with pytest.raises(ValidationError, match="already exists"):
        report(world, world.admin, NOTES, out)
    assert out.read_text() == "mine"
    done = run_report(world.db, world.admin, NOTES, ReportFilters(), str(out), overwrite=True)
    assert done.rows == 0 and out.read_text(encoding="utf-8-sig").startswith("note_id,")


def test_a_missing_folder_is_refused_before_reading(world: World, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="does not exist"):
        report(world, world.admin, NOTES, tmp_path / "nowhere" / "n.csv")
    with pytest.raises(ValidationError, match="folder"):
        report(world, world.admin, NOTES, tmp_path)
    assert not exports(world)


def test_a_cancelled_report_leaves_no_file_and_no_event(noted: World, tmp_path: Path) -> None:
    world = noted
    out = tmp_path / "n.csv"
    with pytest.raises(ReportCancelled):
        run_report(world.db, world.admin, NOTES, ReportFilters(), str(out), cancelled=lambda: True)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".part"] == []
    assert not exports(world)


def test_progress_is_told_rows_and_rate(noted: World, tmp_path: Path) -> None:
    world = noted
    heard = []
    run_report(
        world.db, world.admin, NOTES, ReportFilters(), str(tmp_path / "n.csv"),
        progress=heard.append,
    )  # fmt: skip
    assert heard and heard[-1].rows == 4 and heard[-1].rate >= 0


def test_the_query_streams_in_batches(noted: World, tmp_path: Path) -> None:
    """A server-side cursor on PostgreSQL, a stepped cursor on SQLite: yield_per is asked."""
    from sqlalchemy import event

    world = noted
    options: list[dict[str, Any]] = []

    def seen(
        conn: Any, clauseelement: Any, multiparams: Any, params: Any, execution_options: Any
    ) -> None:
        if "case_note" in str(clauseelement):
            options.append(dict(execution_options))

    event.listen(world.db.engine, "before_execute", seen)
    try:
        report(world, world.admin, NOTES, tmp_path / "n.csv")
    finally:
        event.remove(world.db.engine, "before_execute", seen)
    assert any(o.get("yield_per") for o in options)
    with world.db.engine.connect() as conn:
        assert conn.execute(select(AuditEvent.id).limit(1)).first() is not None
