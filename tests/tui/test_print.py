"""Printing the case file from the timeline (``p``): the dialog, the file written, a file
already there, a date refused, and the dialog at both sizes."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers_screens import first_of_role, make_host, show, snapshot_of, wait_for
from textual.widgets import Input, ProgressBar, Static

from casetui.db.uow import Database
from casetui.domain.actor import Actor
from casetui.domain.enums import CaseStatus, Role
from casetui.domain.filters import CaseFilter
from casetui.services import caseload
from casetui.tui.screens.confirm import ConfirmScreen
from casetui.tui.screens.print_dialog import PrintDialog
from casetui.tui.screens.timeline import TimelineScreen


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``~`` is this test's own folder: the dialog's default path points there."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    return folder


def open_case(db: Database, person: Actor) -> tuple[int, str]:
    rows = caseload.list_cases(
        db, person, CaseFilter(statuses=(CaseStatus.OPEN.value,)), limit=1
    ).rows
    return rows[0].id, rows[0].case_number


async def open_dialog(pilot, app, db: Database, person: Actor) -> tuple[PrintDialog, str]:  # type: ignore[no-untyped-def]
    case_id, number = open_case(db, person)
    screen = await show(pilot, app, TimelineScreen(case_id))
    await wait_for(pilot, lambda: screen.data is not None)  # type: ignore[attr-defined]
    await pilot.press("p")
    await wait_for(pilot, lambda: isinstance(app.screen, PrintDialog))
    return app.screen, number


async def test_p_prints_the_case_file_to_the_suggested_path(db: Database, home: Path) -> None:
    supervisor = first_of_role(db, Role.SUPERVISOR)
    app = make_host(db, supervisor)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        dialog, number = await open_dialog(pilot, app, db, supervisor)
        path = dialog.query_one("#print-file", Input).value
        assert path == f"~/{number}-2026-11-22.pdf"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TimelineScreen), seconds=30)
        printed = home / f"{number}-2026-11-22.pdf"
        assert printed.read_bytes().startswith(b"%PDF-")
        said = [n.message for n in app._notifications]
        assert any(m.startswith(f"Printed {number} (") and str(printed) in m for m in said), said


async def test_a_file_already_there_is_replaced_only_when_asked(db: Database, home: Path) -> None:
    supervisor = first_of_role(db, Role.SUPERVISOR)
    app = make_host(db, supervisor)
    async with app.run_test(size=(100, 30)) as pilot:
        dialog, number = await open_dialog(pilot, app, db, supervisor)
        target = home / f"{number}-2026-11-22.pdf"
        target.write_text("an older print")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")  # keep it
        await wait_for(pilot, lambda: app.screen is dialog and not dialog.busy)
        assert target.read_text() == "an older print"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, TimelineScreen), seconds=30)
        assert target.read_bytes().startswith(b"%PDF-")


async def test_a_date_it_cannot_read_is_shown_under_its_field(db: Database, home: Path) -> None:
    supervisor = first_of_role(db, Role.SUPERVISOR)
    app = make_host(db, supervisor)
    async with app.run_test(size=(100, 30)) as pilot:
        dialog, _number = await open_dialog(pilot, app, db, supervisor)
        dialog.query_one("#print-from", Input).value = "the spring"
        await pilot.press("ctrl+s")
        error = dialog.query_one("#print-from-error", Static)
        await wait_for(pilot, lambda: error.has_class("-shown"))
        assert str(error.render()).startswith("from: ")
        assert app.screen is dialog and list(home.iterdir()) == []
        # The progress bar follows the notes laid out.
        dialog._progress(50, 200)
        bar = dialog.query_one("#print-progress", ProgressBar)
        assert (bar.progress, bar.total) == (50, 200)
        assert "Laid out 50 of 200 notes" in str(dialog.query_one("#print-status", Static).render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, TimelineScreen))


async def test_p_is_not_offered_without_the_reports_grant(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    app = make_host(db, worker)
    async with app.run_test(size=(100, 30)) as pilot:
        case_id, _number = open_case(db, worker)
        screen = await show(pilot, app, TimelineScreen(case_id))
        await wait_for(pilot, lambda: screen.data is not None)  # type: ignore[attr-defined]
        assert screen.check_action("print_case", ()) is False
        await pilot.press("p")
        await pilot.pause()
        assert app.screen is screen


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_print_dialog_snapshot(snap_compare, db: Database, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    supervisor = first_of_role(db, Role.SUPERVISOR)
    app = make_host(db, supervisor)
    case_id, _number = open_case(db, supervisor)
    screen = TimelineScreen(case_id)
    ready = lambda: screen.data is not None  # noqa: E731
    assert snap_compare(app, terminal_size=size, run_before=snapshot_of(app, screen, ready, ("p",)))
