"""Workload: bars that read without colour, a person's cases, reassigning from there."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from helpers_screens import (  # noqa: F401
    actor,
    first_of_role,
    make_host,
    private_drafts,
    show,
    snapshot_of,
    wait_for,
)
from sqlalchemy import select
from textual.widgets import Static

from casetui.db.uow import Database
from casetui.demo.bulk import BulkWriter
from casetui.demo.caseload import CASE_COLUMNS, CLIENT_COLUMNS
from casetui.domain.enums import Role
from casetui.domain.models import Case, Staff
from casetui.domain.name_words import search_name
from casetui.services import caseload
from casetui.tui.screens.choice import ChoiceScreen
from casetui.tui.screens.person_cases import PersonCasesScreen
from casetui.tui.screens.workload import WorkloadScreen
from casetui.tui.widgets.utilisation_bar import band, utilisation_text
from casetui.tui.widgets.workload_table import WorkloadTable


def test_bars_read_without_colour() -> None:
    assert utilisation_text(0.5, 10).plain == "█████░░░░░  50%"
    assert utilisation_text(0.9, 10).plain == "█████████░  90% near"
    assert utilisation_text(1.25, 10).plain == "██████████ 125% over"
    assert [band(u) for u in (0.84, 0.85, 1.0, 1.01)] == ["ok", "near", "near", "over"]


async def test_reassigning_from_a_person_moves_their_hours(db: Database) -> None:
    supervisor = first_of_role(db, Role.SUPERVISOR)
    app = make_host(db, supervisor)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await show(pilot, app, WorkloadScreen())
        await wait_for(pilot, lambda: bool(screen.rows))
        table = screen.query_one(WorkloadTable)
        assert "%" in table.render_line(1).text
        busiest = screen.rows[0]
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: isinstance(app.screen, PersonCasesScreen) and bool(app.screen.cases)
        )
        person: PersonCasesScreen = app.screen  # type: ignore[assignment]
        before = person.person.allocated_hours
        case = person.cases[0]
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: app.screen is person and person.person.allocated_hours < before
        )
        # The list fetched again since the reassign: its count and rows are the new ones.
        await wait_for(pilot, lambda: person.table.total is not None and bool(person.cases))
        assert all(c.id != case.id for c in person.cases)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        await wait_for(
            pilot,
            lambda: (
                next(r for r in screen.rows if r.staff_id == busiest.staff_id).allocated_hours
                < before
            ),
        )
    with db.uow(write=False) as uow:
        worker = uow.session.execute(
            select(Case.primary_worker_id).where(Case.id == case.id)
        ).scalar_one()
    assert worker != busiest.staff_id


async def test_caseworkers_see_themselves_and_cannot_reassign(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await show(pilot, app, WorkloadScreen())
        await wait_for(pilot, lambda: bool(screen.rows))
        assert [r.staff_id for r in screen.rows] == [worker.id]
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: isinstance(app.screen, PersonCasesScreen) and bool(app.screen.cases)
        )
        assert app.screen.check_action("reassign", ()) is False
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, PersonCasesScreen)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_workload_snapshot(snap_compare, db: Database, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app = make_host(db, actor(db, "admin"))
    screen = WorkloadScreen()
    assert snap_compare(
        app, terminal_size=size, run_before=snapshot_of(app, screen, lambda: bool(screen.rows))
    )


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_person_cases_snapshot(snap_compare, db: Database, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app = make_host(db, first_of_role(db, Role.SUPERVISOR))
    screen = WorkloadScreen()

    def ready() -> bool:
        person = app.screen
        # Counted too: the title says how many.
        return (
            isinstance(person, PersonCasesScreen)
            and bool(person.cases)
            and (person.table.total is not None)
        )

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await snapshot_of(app, screen, lambda: bool(screen.rows), ("enter",))(pilot)
        await wait_for(pilot, ready)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def _give_cases(db: Database, worker_id: int, count: int) -> None:
    """``count`` more open cases for one person, written in bulk as the demo writes them."""
    with db.uow() as uow:
        team = uow.session.execute(select(Staff.team_id).where(Staff.id == worker_id)).scalar_one()
        bulk = BulkWriter(uow.session.connection())
        first_client, first_case = bulk.first_free_id("client"), bulk.first_free_id("cases")
        when = datetime(2026, 11, 1, 9, 0)
        names = [f"Zz Many {n:05d}" for n in range(count)]  # after every demo client's name
        bulk.insert("client", CLIENT_COLUMNS, [
            (first_client + n, name, None, None, None, None, None, search_name(name, None), None,
             "Active", bulk.moment(when), None, 1)
            for n, name in enumerate(names)
        ])  # fmt: skip
        bulk.insert("cases", CASE_COLUMNS, [
            (first_case + n, f"M-{n:06d}", first_client + n, "Open", "Low", worker_id, team, None,
             bulk.day(when.date()), None, None, bulk.moment(when), None, 1)
            for n in range(count)
        ])  # fmt: skip
        bulk.finish()
        uow.commit()


async def test_a_person_with_thousands_of_cases_opens_a_page_at_a_time(db: Database) -> None:
    supervisor = first_of_role(db, Role.SUPERVISOR)
    app = make_host(db, supervisor)
    async with app.run_test(size=(80, 24)) as pilot:
        people = await show(pilot, app, WorkloadScreen())
        await wait_for(pilot, lambda: bool(people.rows))
        busiest = people.rows[0]
        _give_cases(db, busiest.staff_id, 3000)
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, PersonCasesScreen) and app.screen.table.total is not None
            ),
        )
        person: PersonCasesScreen = app.screen  # type: ignore[assignment]
        table = person.table
        total = table.total
        assert total is not None and total > 3000
        title = person.query_one("#person-title", Static)
        await wait_for(pilot, lambda: f"{total:,} open or paused" in str(title.render()))
        # A few pages fetched, not every case; the lines are drawn, no widget per row.
        assert 0 < len(person.cases) < total
        assert not table.children
        # The ends of the list are the ends of the person's cases as the caseload sorts them.
        ends = [
            caseload.list_cases(db, supervisor, replace(person.case_filter, descending=d), limit=1)
            .rows[0]
            .id
            for d in (False, True)
        ]
        first = table.current
        assert first is not None and first.id == ends[0]
        await pilot.press("end")
        await wait_for(pilot, lambda: table.current is not None and table.cursor == total - 1)
        assert table.current.id == ends[1]
        assert len(person.cases) < total
        await pilot.press("home")
        await wait_for(pilot, lambda: table.current == first)
        await pilot.press("down", "pagedown")
        await wait_for(pilot, lambda: table.current is not None)
        assert table.cursor == 1 + table.scrollable_content_region.height - 1
        assert app.screen.check_action("reassign", ()) is True
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "TimelineScreen")
