"""The bulk note: one form, a preview of every case, one all-or-nothing save."""

from __future__ import annotations

import pytest
from helpers_screens import (  # noqa: F401
    cases_of,
    first_of_role,
    make_host,
    private_drafts,
    show,
    snapshot_of,
    wait_for,
)
from sqlalchemy import func, select
from textual.widgets import Input, OptionList

from casetui.db.uow import Database
from casetui.domain.enums import Role
from casetui.domain.models import Case, CaseNote, FollowUpTask
from casetui.tui.screens.bulk_note import BulkNoteScreen
from casetui.tui.screens.confirm import ConfirmScreen
from casetui.tui.widgets.task_form import TaskForm


async def fill_and_save(pilot, app, screen: BulkNoteScreen, *, with_task: bool = False) -> None:  # type: ignore[no-untyped-def]
    await wait_for(pilot, lambda: screen.original is not None)
    await pilot.pause()
    screen.query_one("#summary", Input).focus()
    await pilot.press(*"Job fair")
    screen.query_one("#activity-type").focus()
    await pilot.press("enter", "down", "enter")
    if with_task:
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: bool(screen.query(TaskForm)))
        await pilot.press(*"CV")
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
    await pilot.press("y")


def preview_lines(screen: BulkNoteScreen) -> list[str]:
    preview = screen.query_one("#preview", OptionList)
    return [str(preview.get_option_at_index(i).prompt) for i in range(preview.option_count)]


async def test_three_cases_get_one_note_each_in_one_batch(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    numbers = [number for _id, number in cases_of(db, worker)[:3]]
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await show(pilot, app, BulkNoteScreen(numbers))
        await wait_for(pilot, lambda: screen.query_one("#preview", OptionList).option_count == 3)
        assert all(any(n in line for line in preview_lines(screen)) for n in numbers)
        await fill_and_save(pilot, app, screen, with_task=True)
        await wait_for(pilot, lambda: screen not in app.screen_stack)
    with db.uow(write=False) as uow:
        rows = uow.session.execute(
            select(CaseNote.id, CaseNote.batch_id).where(CaseNote.summary == "Job fair")
        ).all()
        tasks = uow.session.execute(
            select(func.count())
            .select_from(FollowUpTask)
            .where(FollowUpTask.note_id.in_([r[0] for r in rows]))
        ).scalar_one()
    assert len(rows) == 3 and len({batch for _id, batch in rows}) == 1 and rows[0][1]
    assert tasks == 3


async def test_one_refused_case_writes_nothing_and_is_named(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    mine = [number for _id, number in cases_of(db, worker)[:2]]
    with db.uow(write=False) as uow:
        foreign = (
            uow.session.execute(
                select(Case.case_number)
                .where(Case.primary_worker_id != worker.id)
                .order_by(Case.id)
            )
            .scalars()
            .first()
        )
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await show(pilot, app, BulkNoteScreen([*mine, foreign]))
        await fill_and_save(pilot, app, screen)
        await wait_for(pilot, lambda: bool(screen.refusals))
        lines = preview_lines(screen)
        assert lines[0].startswith("REFUSED") and foreign in lines[0]
        assert foreign in str(screen.query_one("#bulk-status").render())
        assert screen in app.screen_stack
    with db.uow(write=False) as uow:
        written = uow.session.execute(
            select(func.count()).select_from(CaseNote).where(CaseNote.summary == "Job fair")
        ).scalar_one()
    assert written == 0


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_bulk_note_snapshot(snap_compare, db: Database, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    worker = first_of_role(db, Role.CASEWORKER)
    app = make_host(db, worker)
    screen = BulkNoteScreen([number for _id, number in cases_of(db, worker)[:4]])
    keys = ("ctrl+t",) if size[1] >= 40 else ()
    assert snap_compare(
        app,
        terminal_size=size,
        run_before=snapshot_of(app, screen, lambda: screen.original is not None, keys),
    )


async def test_c_on_a_changed_bulk_note_asks_before_leaving(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    numbers = [number for _, number in cases_of(db, worker)[:2]]
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await show(pilot, app, BulkNoteScreen(numbers))
        summary = screen.query_one("#summary", Input)
        await wait_for(pilot, lambda: screen.context is not None)
        summary.value = "Workshop at the library"
        await pilot.pause()
        app.action_caseload()
        await wait_for(
            pilot, lambda: isinstance(app.screen, ConfirmScreen) and bool(app.screen.children)
        )
        await pilot.pause()
        assert screen in app.screen_stack
