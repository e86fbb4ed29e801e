"""The reports screen (``P`` on the caseload, with the reports grant): filters, the output
path and format, a progress bar with rows and rate, the report in a thread worker, escape
stopping it."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from helpers_screens import first_of_role, make_host, show, snapshot_of, wait_for
from textual.widgets import Input, Select

from casetui.db.uow import Database
from casetui.domain.enums import Role
from casetui.domain.reports import ReportProgress
from casetui.tui.screens.caseload import CaseloadScreen
from casetui.tui.screens.confirm import ConfirmScreen
from casetui.tui.screens.reports import ReportsScreen
from casetui.tui.widgets.case_table import CaseTable


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


async def open_reports(pilot, app) -> ReportsScreen:  # type: ignore[no-untyped-def]
    await wait_for(
        pilot, lambda: isinstance(app.screen, CaseloadScreen) and bool(app.screen.query(CaseTable))
    )
    await pilot.press("P")
    await wait_for(pilot, lambda: isinstance(app.screen, ReportsScreen))
    screen = app.screen
    assert isinstance(screen, ReportsScreen)
    await wait_for(pilot, lambda: bool(screen.query("#report-out")))
    return screen


async def test_a_supervisor_writes_the_notes_report(db: Database, tmp_path: Path) -> None:
    supervisor = first_of_role(db, Role.SUPERVISOR)
    out = tmp_path / "team-notes.csv"
    app = make_host(db, supervisor)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        screen = await open_reports(pilot, app)
        screen.query_one("#report-out", Input).value = str(out)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.done is not None)
        done = screen.done
        assert done is not None and done.rows > 0
        status = str(screen.query_one("#reports-status").render())
        assert status.startswith(f"Wrote {done.rows:,} rows to {out}")
        rate = str(screen.query_one("#reports-rate").render())
        assert rate.startswith(f"{done.rows:,} of {done.rows:,} rows · ")
        assert screen.check_action("run", ()) is True
    rows = rows_of(out)
    assert len(rows) == done.rows
    assert all(r["details"] == "" for r in rows if r["restricted"] == "true")


async def test_filters_and_xlsx_reach_the_service(db: Database, tmp_path: Path) -> None:
    admin = first_of_role(db, Role.ADMINISTRATOR)
    worker = first_of_role(db, Role.CASEWORKER)
    app = make_host(db, admin)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_reports(pilot, app)
        screen.query_one("#report-format", Select).value = "xlsx"
        await pilot.pause()
        out_field = screen.query_one("#report-out", Input)
        assert out_field.value == "~/notes-report-2026-11-22.xlsx"  # the suggestion follows
        screen.query_one("#report-kind", Select).value = "services"
        await pilot.pause()
        assert out_field.value == "~/services-report-2026-11-22.xlsx"
        assert screen.query_one("#report-restricted").disabled
        screen.query_one("#report-kind", Select).value = "notes"
        screen.query_one("#report-worker", Input).value = worker.username
        screen.query_one("#report-from", Input).value = "2026-01-01"
        out_field.value = str(tmp_path / "mine.xlsx")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.done is not None)
        assert screen.done is not None and screen.done.format.value == "xlsx"
    assert (tmp_path / "mine.xlsx").read_bytes()[:2] == b"PK"


async def test_a_refusal_is_shown_on_the_screen(db: Database, tmp_path: Path) -> None:
    supervisor = first_of_role(db, Role.SUPERVISOR)
    app = make_host(db, supervisor)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_reports(pilot, app)
        screen.query_one("#report-team", Input).value = "No Such Team"
        screen.query_one("#report-out", Input).value = str(tmp_path / "x.csv")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not screen.running and "refused" in str(
            screen.query_one("#reports-status").render()))  # fmt: skip
        assert "no team" in str(screen.query_one("#reports-status").render())
    assert not (tmp_path / "x.csv").exists()


async def test_an_existing_file_is_replaced_only_when_confirmed(
    db: Database, tmp_path: Path
) -> None:
    admin = first_of_role(db, Role.ADMINISTRATOR)
    out = tmp_path / "notes.csv"
    out.write_text("keep")
    app = make_host(db, admin)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_reports(pilot, app)
        screen.query_one("#report-out", Input).value = str(out)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is screen)
        assert out.read_text() == "keep" and screen.done is None
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: screen.done is not None)
    assert out.read_text(encoding="utf-8-sig").startswith("note_id,")


async def test_escape_stops_a_running_report_and_leaves_no_file(
    db: Database, tmp_path: Path
) -> None:
    admin = first_of_role(db, Role.ADMINISTRATOR)
    out = tmp_path / "stopped.csv"
    app = make_host(db, admin)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_reports(pilot, app)
        screen.query_one("#report-out", Input).value = str(out)
        screen.action_run()
        assert screen.running and screen.check_action("run", ()) is None
        assert screen.check_action("stop", ()) and not screen.check_action("close", ())
        await pilot.press("escape")  # while it runs: stops it
        await wait_for(pilot, lambda: not screen.running)
        assert "no file was written" in str(screen.query_one("#reports-status").render())
        assert app.screen is screen  # stopped, not closed
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen))
    assert list(tmp_path.glob("*stopped*")) == []


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.SUPERVISOR, Role.AUDITOR])
async def test_the_key_is_offered_only_with_the_reports_grant(db: Database, role: Role) -> None:
    person = first_of_role(db, role)
    app = make_host(db, person)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen))
        caseload = app.screen
        offered = caseload.check_action("reports", ())
        await pilot.press("P")
        await pilot.pause()
        opened = isinstance(app.screen, ReportsScreen)
    assert offered is (role is not Role.CASEWORKER)
    assert opened is offered


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_reports_snapshot(snap_compare, db: Database, size) -> None:  # type: ignore[no-untyped-def]
    app = make_host(db, first_of_role(db, Role.ADMINISTRATOR))
    screen = ReportsScreen()
    assert snap_compare(app, terminal_size=size, run_before=snapshot_of(app, screen, lambda: True))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_reports_with_progress_snapshot(snap_compare, db: Database, size) -> None:  # type: ignore[no-untyped-def]
    app = make_host(db, first_of_role(db, Role.SUPERVISOR))
    screen = ReportsScreen()

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await show(pilot, app, screen)
        # A report part-way: the bar, the rows and the rate, as the worker reports them.
        screen.running = True
        screen.refresh_bindings()
        screen.query_one("#reports-progress-row").add_class("-shown")
        screen._counted(97_268)
        screen.show_progress(ReportProgress(40_000, 0.5))
        for field in app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
