"""Caseload transfer (T) and the what-if sketch (H) on the workload screen, and T on the staff
tab: pick, preview with the bars before and after, commit in one go or cancel."""

from __future__ import annotations

import pytest
from helpers_screens import actor, make_host, show, wait_for
from sqlalchemy import select

from casetui.db.uow import Database
from casetui.demo import DemoSummary
from casetui.domain.models import Case, Staff
from casetui.tui.screens.choice import ChoiceScreen
from casetui.tui.screens.confirm import ConfirmScreen
from casetui.tui.screens.person_cases import CasePickScreen
from casetui.tui.screens.pickers import ChoicePicker
from casetui.tui.screens.transfer_preview import TransferPreviewScreen
from casetui.tui.screens.workload import WorkloadScreen
from casetui.tui.widgets.workload_table import WorkloadTable


def _held_by(db: Database, username: str) -> int:
    with db.uow(write=False) as uow:
        return len(
            uow.session.execute(
                select(Case.id)
                .join(Staff, Staff.id == Case.primary_worker_id)
                .where(Staff.username == username, Case.status.in_(["Open", "Paused"]))  # type: ignore[attr-defined]
            ).all()
        )


def _move_to(screen: WorkloadScreen, username: str) -> None:
    table = screen.query_one(WorkloadTable)
    table.move_to(next(i for i, r in enumerate(screen.rows) if r.username == username))


async def _tick(pilot, picker: ChoicePicker, usernames: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def,type-arg]
    for index, (_label, value) in enumerate(picker.choices):
        if value in usernames:
            picker.option_list.highlighted = index
            await pilot.press("space")


async def _preview(pilot, app, demo: DemoSummary) -> TransferPreviewScreen:  # type: ignore[no-untyped-def]
    leaver = demo.leaver
    assert leaver is not None
    screen = await show(pilot, app, WorkloadScreen())
    await wait_for(pilot, lambda: bool(screen.rows))
    _move_to(screen, leaver.username)
    await pilot.press("T")
    await wait_for(pilot, lambda: isinstance(app.screen, ChoicePicker))
    await _tick(pilot, app.screen, leaver.colleagues)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, TransferPreviewScreen))
    return app.screen  # type: ignore[no-any-return]


async def test_transfer_from_the_workload_moves_the_whole_caseload(
    db: Database, demo: DemoSummary
) -> None:
    leaver = demo.leaver
    assert leaver is not None
    app = make_host(db, actor(db, leaver.supervisor))
    async with app.run_test(size=(80, 24)) as pilot:
        preview = await _preview(pilot, app, demo)
        assert len(preview.plan.moves) == leaver.cases
        assert _held_by(db, leaver.username) == leaver.cases  # a preview moves nothing
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, WorkloadScreen))
        screen: WorkloadScreen = app.screen  # type: ignore[assignment]
        await wait_for(
            pilot,
            lambda: (
                next(r for r in screen.rows if r.username == leaver.username).allocated_hours == 0
            ),
        )
    assert _held_by(db, leaver.username) == 0


async def test_cancelling_the_preview_moves_nothing(db: Database, demo: DemoSummary) -> None:
    leaver = demo.leaver
    assert leaver is not None
    app = make_host(db, actor(db, leaver.supervisor))
    async with app.run_test(size=(80, 24)) as pilot:
        await _preview(pilot, app, demo)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, WorkloadScreen))
    assert _held_by(db, leaver.username) == leaver.cases


async def test_what_if_sketch_moves_bars_and_commits_in_one_go(
    db: Database, demo: DemoSummary
) -> None:
    leaver = demo.leaver
    assert leaver is not None
    app = make_host(db, actor(db, leaver.supervisor))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await show(pilot, app, WorkloadScreen())
        await wait_for(pilot, lambda: bool(screen.rows))
        _move_to(screen, leaver.username)
        before = next(r for r in screen.rows if r.username == leaver.username).allocated_hours
        await pilot.press("H")
        assert screen.sketching and "WHAT-IF" in str(screen.query_one("#workload-title").render())
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: isinstance(app.screen, CasePickScreen) and bool(app.screen.cases)
        )
        picked = app.screen.cases[0]  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen and len(screen.sketch) == 1)
        await wait_for(
            pilot,
            lambda: (
                next(r for r in screen.rows if r.username == leaver.username).allocated_hours
                < before
            ),
        )
        assert _held_by(db, leaver.username) == leaver.cases  # the sketch wrote nothing
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not screen.sketching)
    with db.uow(write=False) as uow:
        worker = uow.session.execute(
            select(Staff.username)
            .join(Case, Case.primary_worker_id == Staff.id)
            .where(Case.id == picked.id)
        ).scalar_one()
    assert worker != leaver.username


async def test_a_stale_case_refuses_the_sketch_which_is_kept_naming_it(
    db: Database, demo: DemoSummary
) -> None:
    from casetui.services import cases

    leaver = demo.leaver
    assert leaver is not None
    app = make_host(db, actor(db, leaver.supervisor))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await show(pilot, app, WorkloadScreen())
        await wait_for(pilot, lambda: bool(screen.rows))
        _move_to(screen, leaver.username)
        await pilot.press("H", "enter")
        await wait_for(
            pilot, lambda: isinstance(app.screen, CasePickScreen) and bool(app.screen.cases)
        )
        picked = app.screen.cases[0]  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(screen.sketched) == 1)
        concern = "High" if picked.concern != "High" else "Low"
        cases.change_concern(db, actor(db, "admin"), picked.case_number, concern)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.stale == picked.case_number)
        assert screen.sketching and len(screen.sketch) == 1
        banner = str(screen.query_one("#workload-sketch").render())
        assert picked.case_number in banner and "changed since sketched" in banner
        # Escape asks before the sketch is thrown away.
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen is screen and not screen.sketching)
    assert _held_by(db, leaver.username) == leaver.cases


async def test_the_staff_tab_transfers_the_highlighted_person(
    db: Database, demo: DemoSummary
) -> None:
    from casetui.tui.screens.administration.staff_tab import StaffTab
    from casetui.tui.screens.caseload import CaseloadScreen

    leaver = demo.leaver
    assert leaver is not None
    app = make_host(db, actor(db, "admin"))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen))
        await pilot.press("A")
        await wait_for(pilot, lambda: bool(app.screen.query(StaffTab)))
        tab = app.screen.query_one(StaffTab)
        await wait_for(pilot, lambda: tab.loaded)
        tab.table.move_cursor(row=tab.table.keys.index(leaver.username))
        await pilot.press("T")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoicePicker))
        await _tick(pilot, app.screen, leaver.colleagues)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TransferPreviewScreen))
        assert app.screen.plan.source == leaver.username  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, TransferPreviewScreen))
        await wait_for(pilot, lambda: _held_by(db, leaver.username) == 0)


# --- snapshots: the preview and the what-if sketch, 80x24 and 120x40, and without colour ------


async def _sketched(pilot, app, demo: DemoSummary) -> None:  # type: ignore[no-untyped-def]
    leaver = demo.leaver
    assert leaver is not None
    screen = await show(pilot, app, WorkloadScreen())
    await wait_for(pilot, lambda: bool(screen.rows))
    _move_to(screen, leaver.username)
    await pilot.press("H", "enter")
    await wait_for(pilot, lambda: isinstance(app.screen, CasePickScreen) and bool(app.screen.cases))
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
    await pilot.press("enter")
    await wait_for(pilot, lambda: app.screen is screen and len(screen.sketched) == 1)
    await app.workers.wait_for_complete()
    await pilot.pause()


SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])


@SIZES
def test_transfer_preview_snapshot(snap_compare, db: Database, demo: DemoSummary, size) -> None:  # type: ignore[no-untyped-def]
    assert demo.leaver is not None
    app = make_host(db, actor(db, demo.leaver.supervisor))

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _preview(pilot, app, demo)
        await app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_transfer_preview_snapshot_without_colour(  # type: ignore[no-untyped-def]
    snap_compare, db: Database, demo: DemoSummary, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    test_transfer_preview_snapshot(snap_compare, db, demo, (80, 24))


@SIZES
def test_what_if_snapshot(snap_compare, db: Database, demo: DemoSummary, size) -> None:  # type: ignore[no-untyped-def]
    assert demo.leaver is not None
    app = make_host(db, actor(db, demo.leaver.supervisor))

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _sketched(pilot, app, demo)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_what_if_snapshot_without_colour(  # type: ignore[no-untyped-def]
    snap_compare, db: Database, demo: DemoSummary, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    test_what_if_snapshot(snap_compare, db, demo, (80, 24))


@pytest.mark.parametrize("role", ["caseworker", "supervisor", "administrator", "auditor"])
async def test_transfer_and_what_if_keys_are_what_the_services_allow(
    db: Database, role: str
) -> None:
    from helpers_screens import first_of_role

    from casetui.domain.enums import Role
    from casetui.domain.errors import PermissionDenied
    from casetui.services import transfer

    person = first_of_role(db, Role(role))
    app = make_host(db, person)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await show(pilot, app, WorkloadScreen())
        await wait_for(pilot, lambda: bool(screen.rows))
        offered = {
            "transfer": screen.check_action("transfer", ()) is True,
            "what_if": screen.check_action("what_if", ()) is True,
        }
        someone = screen.rows[0].username

    def allowed(call) -> bool:  # type: ignore[no-untyped-def]
        try:
            call()
        except PermissionDenied:
            return False
        return True

    services = {
        "transfer": allowed(lambda: transfer.recipients(db, person, someone)),
        "what_if": allowed(lambda: transfer.what_if(db, person, [])),
    }
    assert offered == services
    assert any(offered.values()) is (role in ("supervisor", "administrator"))
