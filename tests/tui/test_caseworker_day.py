"""Today (t), missing data (M) and a pathway's tasks (administration, k on a pathway): what a
person sees and what their keys do, and snapshots at 80x24 and 120x40, and without colour."""

from __future__ import annotations

from typing import Any

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

from casetui.db.uow import Database
from casetui.domain.caseworker_day import TodayKind
from casetui.domain.enums import Role
from casetui.services import pathway_tasks
from casetui.services.today import today_list
from casetui.tui.screens.missing_data import MissingDataScreen
from casetui.tui.screens.note_editor import NoteEditorScreen
from casetui.tui.screens.pathway_tasks import PathwayTaskForm, PathwayTasksScreen
from casetui.tui.screens.timeline import TimelineScreen
from casetui.tui.screens.today import TodayScreen

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])


def _tasks_today(db: Database, who: Any) -> list[int]:
    return [i.id for i in today_list(db, who).items if i.kind is TodayKind.TASK]


async def test_today_moves_completes_snoozes_and_opens(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    before = _tasks_today(db, worker)
    assert len(before) >= 2
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CaseloadScreen")
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen) and app.screen.found)
        screen = app.screen
        assert isinstance(screen, TodayScreen)
        first = screen.highlighted
        assert first is not None and first.kind is TodayKind.TASK
        await pilot.press("j")
        assert screen.highlighted != first
        await pilot.press("k")
        assert screen.highlighted == first
        await pilot.press("x")  # done: off the list, the next in its place
        await wait_for(pilot, lambda: first.id not in _tasks_today(db, worker))
        await wait_for(pilot, lambda: screen.found is not None and first not in screen.found.items)
        for _ in range(len(screen.found.items)):  # j on to the next task
            if screen.highlighted is not None and screen.highlighted.kind is TodayKind.TASK:
                break
            await pilot.press("j")
        second = screen.highlighted
        assert second is not None and second.kind is TodayKind.TASK
        await pilot.press("z")
        await pilot.pause()
        await pilot.press("enter")  # until tomorrow
        await wait_for(pilot, lambda: second.id not in _tasks_today(db, worker))
        await wait_for(pilot, lambda: screen.found is not None and second not in screen.found.items)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NoteEditorScreen))
        assert app.screen.case_id == screen.highlighted.case_id  # type: ignore[union-attr]
        app.pop_screen()
        await wait_for(pilot, lambda: app.screen is screen)
        item = screen.highlighted
        assert item is not None
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TimelineScreen))
        assert app.screen.case_id == item.case_id  # type: ignore[attr-defined]


async def test_today_with_nothing_due_says_so(db: Database) -> None:
    auditor = first_of_role(db, Role.AUDITOR)
    app = make_host(db, auditor)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await show(pilot, app, TodayScreen())
        await wait_for(pilot, lambda: screen.found is not None)
        assert screen.has_class("-empty")
        assert "Nothing is due today" in str(screen.query_one("#today-empty").render())
        # An auditor writes nothing: no note, done or snooze on offer.
        assert screen.check_action("new_note", ()) is False


async def test_missing_data_counts_picks_a_worker_and_opens_a_line(db: Database) -> None:
    supervisor = first_of_role(db, Role.SUPERVISOR)
    app = make_host(db, supervisor)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CaseloadScreen")
        await pilot.press("M")
        await wait_for(
            pilot, lambda: isinstance(app.screen, MissingDataScreen) and app.screen.found
        )
        screen = app.screen
        assert isinstance(screen, MissingDataScreen) and screen.found is not None
        team = sum(screen.found.counts.values())
        assert team > 0 and {line.worker for line in screen.found.lines} > {supervisor.username}
        await pilot.press("W")
        await pilot.pause()
        await pilot.press("down", "enter")  # the first worker listed after "your team"
        await wait_for(pilot, lambda: screen.worker is not None and screen.found.worker)
        assert {line.worker for line in screen.found.lines} <= {screen.worker}
        line = screen.highlighted
        assert line is not None
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is not screen)
        assert getattr(app.screen, "case_id", None) == line.case_id or (
            getattr(app.screen, "client_id", None) == line.client_id
        )


async def test_an_administrator_edits_a_pathways_tasks_from_the_lists_tab(db: Database) -> None:
    admin = first_of_role(db, Role.ADMINISTRATOR)
    app = make_host(db, admin)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await show(pilot, app, PathwayTasksScreen("Housing Support"))
        await wait_for(pilot, lambda: bool(screen.tasks))
        assert [t.name for t in screen.tasks] == [
            "Check the tenancy agreement", "Home visit", "Review rent arrears",
        ]  # fmt: skip
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, PathwayTaskForm))
        await pilot.press(*"Landlord call", "enter", "1", "0", "enter")
        await wait_for(pilot, lambda: len(screen.tasks) == 4)
        assert (screen.tasks[-1].name, screen.tasks[-1].due_after_days) == ("Landlord call", 10)
        assert screen.current is not None and screen.current.name == "Landlord call"
        await pilot.press("K")
        await wait_for(pilot, lambda: screen.tasks[2].name == "Landlord call")
        await pilot.press("d")
        await wait_for(pilot, lambda: len(screen.tasks) == 3)
        kept = pathway_tasks.pathway_tasks(db, admin, "Housing Support")
        assert "Landlord call" not in [t.name for t in kept]


async def test_k_on_the_lists_tab_is_offered_for_pathways_alone(db: Database) -> None:
    from casetui.domain.enums import ListKind
    from casetui.tui.screens.administration import AdministrationScreen
    from casetui.tui.screens.administration.lists_tab import ListsTab

    admin = first_of_role(db, Role.ADMINISTRATOR)
    app = make_host(db, admin)
    async with app.run_test(size=(120, 40)) as pilot:
        await show(pilot, app, AdministrationScreen())
        tab = app.screen.query_one(ListsTab)
        await wait_for(pilot, lambda: tab.loaded)
        assert tab.check_action("pathway_tasks", ()) is False
        tab.kind = ListKind.PATHWAY
        tab.reload()
        await wait_for(pilot, lambda: bool(tab.items) and tab.items[0].kind == "pathway")
        assert tab.check_action("pathway_tasks", ()) is True
        tab.action_pathway_tasks()
        await wait_for(pilot, lambda: isinstance(app.screen, PathwayTasksScreen))


# --- snapshots -----------------------------------------------------------------------------------


def laid_out(screen: Any, loaded: Any) -> Any:
    """Loaded, and its table measured: a DataTable sizes its columns on the next idle moment,
    and a busy machine can take the picture in between (columns as narrow as their titles)."""

    def ready() -> bool:
        if not loaded():
            return False
        table = screen.table
        return table.row_count == 0 or table.virtual_size.height > table.row_count

    return ready


@SIZES
def test_today_snapshot(snap_compare, db: Database, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app = make_host(db, first_of_role(db, Role.CASEWORKER))
    screen = TodayScreen()
    ready = laid_out(screen, lambda: bool(screen.found))
    assert snap_compare(app, terminal_size=size, run_before=snapshot_of(app, screen, ready))


@SIZES
def test_missing_data_snapshot(snap_compare, db: Database, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app = make_host(db, first_of_role(db, Role.SUPERVISOR))
    screen = MissingDataScreen()
    ready = laid_out(screen, lambda: bool(screen.found))
    assert snap_compare(app, terminal_size=size, run_before=snapshot_of(app, screen, ready))


@SIZES
def test_pathway_tasks_snapshot(snap_compare, db: Database, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app = make_host(db, first_of_role(db, Role.ADMINISTRATOR))
    screen = PathwayTasksScreen("Benefits and Debt")
    assert snap_compare(
        app, terminal_size=size, run_before=snapshot_of(app, screen, lambda: bool(screen.tasks))
    )


@pytest.mark.parametrize("which", ["today", "missing_data", "pathway_tasks"])
def test_snapshots_without_colour(  # type: ignore[no-untyped-def]
    snap_compare, db: Database, monkeypatch: pytest.MonkeyPatch, which: str
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    screen: Any
    if which == "today":
        who, screen = Role.CASEWORKER, TodayScreen()
        ready = laid_out(screen, lambda: bool(screen.found))
    elif which == "missing_data":
        who, screen = Role.SUPERVISOR, MissingDataScreen()
        ready = laid_out(screen, lambda: bool(screen.found))
    else:
        who, screen = Role.ADMINISTRATOR, PathwayTasksScreen("Benefits and Debt")
        ready = lambda: bool(screen.tasks)  # noqa: E731
    app = make_host(db, first_of_role(db, who))
    assert snap_compare(app, terminal_size=(80, 24), run_before=snapshot_of(app, screen, ready))
