"""Workload: bars that read without colour, a person's cases, reassigning from there."""

from __future__ import annotations

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

from casetui.db.uow import Database
from casetui.domain.enums import Role
from casetui.domain.models import Case
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


def test_person_cases_snapshot(snap_compare, db: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_host(db, first_of_role(db, Role.SUPERVISOR))
    screen = WorkloadScreen()

    def ready() -> bool:
        return isinstance(app.screen, PersonCasesScreen) and bool(app.screen.cases)

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await snapshot_of(app, screen, lambda: bool(screen.rows), ("enter",))(pilot)
        await wait_for(pilot, ready)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
