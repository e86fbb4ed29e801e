"""``import_clients`` on SQLite and PostgreSQL: a dry run writes nothing and counts what a commit
would; a commit writes every client and case in one transaction or nothing; rows are refused
by the services' own rules, named by row and column; possible duplicates, in the file and
against the database, are refused unless allowed; administrators only; one audit event."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from casetui.domain.errors import ImportRefused, PermissionDenied
from casetui.domain.models import AuditEvent, Case, CaseTag, Client, ClientGroup, NameTerm
from casetui.services import cases as case_service
from casetui.services import clients as client_service
from casetui.services.clients import ClientInput
from casetui.services.imports import import_clients, import_notes
from casetui.services.search import search

from .conftest import World, WriteFile

HEADER = [
    "Name", "Preferred name", "Date of birth", "Email", "Phone", "Client type",
    "Warning indicators", "Groups", "Case number", "Worker", "Status", "Concern", "Pathway",
    "Tags", "Opened on",
]  # fmt: skip


def person(name: str, **cells: str) -> list[str]:
    row = dict.fromkeys(HEADER, "")
    row["Name"] = name
    for key, value in cells.items():
        row[key.replace("_", " ").capitalize()] = value
    return [row[h] for h in HEADER]


def count(world: World, table: type) -> int:
    return world.read(
        lambda uow: uow.session.execute(select(func.count()).select_from(table)).scalar_one()
    )


def imports(world: World) -> list[AuditEvent]:
    return [e for e in world.audit_events() if e.action.startswith("import.")]


# --- a dry run, then a commit ------------------------------------------------------------------


def test_a_dry_run_counts_what_a_commit_writes_and_writes_nothing(
    world: World, write_csv: WriteFile
) -> None:
    path = write_csv([
        HEADER,
        person("Zoë Smith", date_of_birth="03/04/1990", email="zoe@example.org",
               phone="07700 900123", worker="ana", concern="High", pathway="housing support",
               tags="rent; Arrears", warning_indicators="Safeguarding; interpreter needed",
               groups="Job club", client_type="direct service client"),
        person("Łukasz Nowak", preferred_name="Luke", worker="cara", status="Paused"),
        person("Ирина Петрова"),  # a client without a case
    ])  # fmt: skip
    before = world.dump()
    report = world.run(import_clients, world.admin, path)
    assert world.dump() == before
    assert (report.committed, report.clients, report.cases, report.refused) == (False, 3, 2, ())
    assert report.names == ("Zoë Smith", "Łukasz Nowak", "Ирина Петрова")
    assert [line.title for line in report.preview] == ["Zoë Smith", "Łukasz Nowak", "Ирина Петрова"]
    assert report.preview[2].detail == "client only"

    done = world.run(import_clients, world.admin, path, commit=True)
    assert (done.committed, done.clients, done.cases) == (True, 3, 2)
    rows = world.read(
        lambda uow: uow.session.execute(
            select(Client, Case).outerjoin(Case, Case.client_id == Client.id)
            .where(Client.name.in_(["Zoë Smith", "Łukasz Nowak", "Ирина Петрова"]))
            .order_by(Client.id)
        ).all()
    )  # fmt: skip
    (zoe, zoe_case), (lukasz, lukasz_case), (irina, no_case) = rows
    assert (zoe.date_of_birth, zoe.phone_digits, zoe.client_type) == (
        date(1990, 4, 3), "07700900123", "Direct Service Client",
    )  # fmt: skip
    assert (zoe_case.concern, zoe_case.pathway, zoe_case.primary_worker_id) == (
        "High", "Housing Support", world.ana.id,
    )  # fmt: skip
    assert zoe_case.team_id == world.north_id and lukasz_case.team_id == world.south_id
    assert (lukasz.preferred_name, lukasz_case.status) == ("Luke", "Paused")
    assert no_case is None and irina.record_status == "Active"
    # Numbered in the organisation's series, after the cases already there.
    assert zoe_case.case_number == "C-2026-000005"
    assert lukasz_case.case_number == "C-2026-000006"
    assert zoe_case.opened_on == date(2026, 11, 22)
    record = world.run(client_service.client_record, world.admin, zoe.id)
    assert record.client.warnings == ("Interpreter needed", "Safeguarding")
    assert record.client.groups == ("Job club",)
    assert record.cases[0].tags == ("arrears", "rent")
    terms = set(world.read(lambda uow: uow.session.execute(select(NameTerm.term)).scalars().all()))
    assert {"zoe", "lukasz", "luke", "ирина"} <= terms, "kept as search compares them"
    assert (zoe.search_name, lukasz.search_name) == ("zoe smith", "lukasz nowak luke")
    found = world.run(search, world.admin, "lukasz")
    assert [h.id for h in found if h.kind == "client"] == [lukasz.id]


def test_the_import_is_one_audit_event_with_the_files_sha256_and_counts(
    world: World, write_csv: WriteFile
) -> None:
    path = write_csv([HEADER, person("Ann Lee", worker="ben"), person("Bo Diaz")])
    events_before = len(world.audit_events())
    world.run(import_clients, world.admin, path, commit=True)
    events = world.audit_events()
    assert len(events) == events_before + 1
    event = events[-1]
    assert (event.action, event.entity, event.actor_username) == (
        "import.clients", "import", "admin",
    )  # fmt: skip
    after = json.loads(event.after or "{}")
    assert after["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (after["file"], after["rows"], after["clients"], after["cases"]) == (
        "people.csv", 2, 2, 1,
    )  # fmt: skip


def test_typed_case_numbers_and_opening_dates_are_kept(world: World, write_csv: WriteFile) -> None:
    path = write_csv([
        HEADER,
        person("Ann Lee", case_number="OLD-17", opened_on="2019-06-01", status="Closed"),
        person("Bo Diaz", case_number="OLD-18", opened_on="43466"),  # 2019-01-01 as a serial
        person("Cy Ray", worker="ana"),
    ])  # fmt: skip
    world.run(import_clients, world.admin, path, commit=True)
    cases = world.read(
        lambda uow: {
            c.case_number: (c.opened_on, c.closed_on, c.status)
            for c in uow.session.execute(select(Case).where(Case.id > 4)).scalars()
        }
    )
    assert cases == {
        "OLD-17": (date(2019, 6, 1), date(2026, 11, 22), "Closed"),
        "OLD-18": (date(2019, 1, 1), None, "Open"),
        "C-2026-000005": (date(2026, 11, 22), None, "Open"),
    }


# --- refusals ----------------------------------------------------------------------------------


def test_every_refused_row_is_named_by_row_column_and_rule(
    world: World, write_csv: WriteFile
) -> None:
    path = write_csv([
        HEADER,
        person("Fine Person"),
        person("", email="not-an-email"),
        person("Born Later", date_of_birth="2031-01-01", worker="audrey", concern="Huge"),
        person("Bad Lists", client_type="VIP", warning_indicators="Dangerous", pathway="Moon"),
        person("Taken", case_number=world.ana_case),
        person("Twice", case_number="NEW-1"),
        person("Again", case_number="new-1"),
        person("Odd Date", date_of_birth="31/02/1990", opened_on="2030-01-01"),
    ])  # fmt: skip
    report = world.run(import_clients, world.admin, path)
    found = {(r.row, r.column): r.rule for r in report.refused}
    assert found == {
        (3, "Name"): "is required",
        (3, "Email"): "'not-an-email' is not an email address",
        (4, "Date of birth"): "is in the future",
        (4, "Worker"): "audrey is an auditor and cannot hold cases",
        (4, "Concern"): "'Huge' is not one of: Low, Medium, High",
        (5, "Client type"): (
            "'VIP' is not one of: Potential Client, Direct Service Client, Case Management"
        ),
        (5, "Warning indicators"): found[(5, "Warning indicators")],
        (5, "Pathway"): found[(5, "Pathway")],
        (6, "Case number"): f"case number {world.ana_case} is already in use (now or before)",
        (8, "Case number"): "case number new-1 is also in row 7",
        (9, "Date of birth"): "'31/02/1990' is not a real date",
        (9, "Opened on"): "2030-01-01 is in the future",
    }
    assert found[(5, "Warning indicators")].startswith("'Dangerous' is not one of:")
    assert found[(5, "Pathway")].startswith("'Moon' is not one of: Housing Support")
    assert (report.clients, report.cases) == (2, 1)  # rows 2 and 7 (NEW-1)
    before = world.dump()
    refused = world.run(import_clients, world.admin, path, commit=True)
    assert refused.committed is False and world.dump() == before


def test_one_refused_row_in_fifty_thousand_and_nothing_is_written(
    world: World, write_csv: WriteFile
) -> None:
    rows = [["name", "date_of_birth", "worker", "tags"]]
    rows += [[f"Person {i:05d}", "", "ana" if i % 2 else "", "imported"] for i in range(50_000)]
    rows[25_001][1] = "30/02/1980"  # spreadsheet row 25,002
    path = write_csv(rows)
    before = world.dump()
    report = world.run(import_clients, world.admin, path, commit=True)
    assert report.committed is False
    assert [(r.row, r.column) for r in report.refused] == [(25_002, "date_of_birth")]
    assert (report.rows, report.clients, report.cases) == (50_000, 49_999, 49_999)
    assert world.dump() == before


def test_an_xlsx_with_real_date_cells_imports_like_a_csv(world: World, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Name", "DOB", "Phone", "Worker"])
    sheet.append(["Zoë Smith", date(1990, 4, 3), 7700900123, "ana"])
    sheet.append(["Ирина Петрова", 33000, None, None])
    path = tmp_path / "people.xlsx"
    book.save(path)
    report = world.run(
        import_clients, world.admin, path, mapping=["date_of_birth=DOB"], commit=True
    )
    assert (report.read_as, report.clients, report.cases) == ("XLSX", 2, 1)
    born = world.read(
        lambda uow: dict(
            uow.session.execute(
                select(Client.name, Client.date_of_birth).where(Client.id > 4)
            ).all()
        )
    )
    assert born == {"Zoë Smith": date(1990, 4, 3), "Ирина Петрова": date(1990, 5, 7)}


def test_dates_are_read_in_the_organisations_order(world: World, write_csv: WriteFile) -> None:
    path = write_csv([["name", "date of birth"], ["Ann Lee", "03/04/1990"]])
    assert _born(world, path) == date(1990, 4, 3)  # day first: the default
    world.sql("UPDATE organisation_settings SET date_order = 'mdy'")
    assert _born(world, path) == date(1990, 3, 4)


def _born(world: World, path: Path) -> date | None:
    report = world.run(import_clients, world.admin, path, commit=True, allow_duplicates=True)
    assert report.committed
    return world.read(
        lambda uow: uow.session.execute(
            select(Client.date_of_birth).order_by(Client.id.desc()).limit(1)
        ).scalar_one()
    )


def test_a_mapped_column_and_the_unknown_ones(world: World, write_csv: WriteFile) -> None:
    path = write_csv([
        ["Full Name", "Mobile", "Favourite colour", "", "name"],
        ["Ann Lee", "07700 900001", "blue", "", "ignored"],
        ["Bo Diaz", "", "", "stray", "", "more", ""],
    ])  # fmt: skip
    report = world.run(
        import_clients, world.admin, path, mapping={"name": "full name", "phone": "Mobile"}
    )
    assert report.refused == ()
    assert [line.title for line in report.preview] == ["Ann Lee", "Bo Diaz"]
    assert report.ignored_columns == (
        "Favourite colour", "name", "column D (no header)", "column F (no header)",
    )  # fmt: skip


def test_a_file_without_a_name_column_is_refused_whole(world: World, write_csv: WriteFile) -> None:
    with pytest.raises(ImportRefused, match="the file has no name column"):
        world.run(import_clients, world.admin, write_csv([["Surname"], ["Lee"]]))


# --- possible duplicates ------------------------------------------------------------------------


def test_duplicated_rows_in_the_file_are_refused_unless_allowed(
    world: World, write_csv: WriteFile
) -> None:
    ann = person("Ann Lee", date_of_birth="1990-04-03", email="ann@example.org")
    path = write_csv([
        HEADER, ann, person("Bo Diaz", phone="0161 496 0000"), ann,
        person("Anne Lee", date_of_birth="1990-04-03"),
        person("Someone Else", phone="(0161) 4960000"),
    ])  # fmt: skip
    report = world.run(import_clients, world.admin, path)
    assert [(d.row, d.other_row, d.reasons) for d in report.duplicates] == [
        (4, 2, ("same date of birth, similar name", "same email")),
        (5, 2, ("same date of birth, similar name",)),
        (6, 3, ("same phone",)),
    ]
    assert [(r.row, r.column) for r in report.refused] == [(4, "Name"), (5, "Name"), (6, "Phone")]
    assert "possible duplicate of row 2 (Ann Lee)" in report.refused[0].rule
    assert report.clients == 2
    before = world.dump()
    assert world.run(import_clients, world.admin, path, commit=True).committed is False
    assert world.dump() == before
    allowed = world.run(import_clients, world.admin, path, commit=True, allow_duplicates=True)
    assert (allowed.committed, allowed.clients, len(allowed.duplicates)) == (True, 5, 3)


def test_a_client_already_registered_is_a_possible_duplicate(
    world: World, write_csv: WriteFile
) -> None:
    registered = world.run(
        client_service.register_client,
        world.ana,
        ClientInput(name="Dana Novak", date_of_birth="1985-02-01", email="Dana@Example.org"),
    )
    path = write_csv([
        HEADER,
        person("Dana Nowak", date_of_birth="01/02/1985"),
        person("D. N.", email="dana@example.org"),
        person("Not Her", date_of_birth="01/02/1985"),
    ])  # fmt: skip
    report = world.run(import_clients, world.admin, path)
    assert [(d.row, d.client_id, d.other_name, d.reasons) for d in report.duplicates] == [
        (2, registered, "Dana Novak", ("same date of birth, similar name",)),
        (3, registered, "Dana Novak", ("same email",)),
    ]
    assert report.refused[0].rule.startswith(f"possible duplicate of client {registered} (Dana")
    assert report.clients == 1


# --- who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["sam", "ana", "audrey"])
def test_only_administrators_import_clients(world: World, write_csv: WriteFile, who: str) -> None:
    with pytest.raises(PermissionDenied, match="importing clients is for administrators"):
        world.run(import_clients, getattr(world, who), write_csv([["name"], ["Ann Lee"]]))


def test_clients_registered_by_import_are_found_like_any_other(
    world: World, write_csv: WriteFile
) -> None:
    world.run(
        import_clients, world.admin, write_csv([["name", "groups"], ["Søren Ødegård", "Job club"]]),
        commit=True,
    )  # fmt: skip
    found = world.run(client_service.list_clients, world.ana, "Søren")
    assert [c.name for c in found] == ["Søren Ødegård"]
    assert count(world, ClientGroup) == 1
    assert count(world, CaseTag) == 0


def test_clients_and_cases_added_one_at_a_time_after_an_import_take_free_ids(
    world: World, write_csv: WriteFile
) -> None:
    path = write_csv([["name", "worker"]] + [[f"Person {i}", "ana"] for i in range(30)])
    world.run(import_clients, world.admin, path, commit=True)
    client_id = world.run(client_service.register_client, world.ana, ClientInput(name="After"))
    opened = world.run(
        case_service.open_case, world.ana, case_service.CaseInput(client_id=client_id)
    )
    assert client_id == 4 + 30 + 1
    assert opened.case_number == "C-2026-000035"


SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def test_the_sample_files_import_cleanly(world: World) -> None:
    """README's example: the sample clients, then their past notes, with nothing refused."""
    clients = world.run(import_clients, world.admin, SAMPLES / "clients.csv", commit=True)
    assert (clients.committed, clients.clients, clients.cases, clients.refused) == (True, 5, 4, ())
    notes = world.run(import_notes, world.admin, SAMPLES / "notes.csv", commit=True)
    assert (notes.committed, notes.notes, notes.refused) == (True, 2, ())
