"""Insights from the caseload (``O``): the heatmap of the demo's assessed cases, one worker's
cases, the per-worker comparison (``v``), enter to a case; and the timeline's ``O`` dialog,
which adds an assessment and shows the stage's history. Snapshots at 80x24 and 120x40, and
without colour."""

from __future__ import annotations

from zoneinfo import ZoneInfo

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
from sqlalchemy import select
from textual.widgets import Select, Static, TextArea

from casetui.db.uow import Database
from casetui.domain.enums import Role
from casetui.domain.models import OutcomeAssessment
from casetui.tui.commands import key_actions
from casetui.tui.screens.choice import ChoiceScreen
from casetui.tui.screens.insights import InsightsScreen
from casetui.tui.screens.outcome_dialog import OutcomeDialog
from casetui.tui.screens.timeline import TimelineScreen
from casetui.tui.widgets.outcome_heatmap import OutcomeHeatmap, cell_text

LONDON = ZoneInfo("Europe/London")


def _loaded(screen: InsightsScreen) -> bool:
    return screen.grid is not None and bool(screen.heatmap.rows)


async def test_o_on_the_caseload_opens_the_heatmap_of_the_cases_in_sight(db: Database) -> None:
    supervisor = first_of_role(db, Role.SUPERVISOR)
    app = make_host(db, supervisor)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CaseloadScreen")
        offered = {a.description: a for a in key_actions(app.screen)}
        assert offered["Insights"].key == "O" and offered["Insights"].enabled
        await pilot.press("O")
        await wait_for(pilot, lambda: isinstance(app.screen, InsightsScreen))
        screen = app.screen
        assert isinstance(screen, InsightsScreen)
        await wait_for(pilot, lambda: _loaded(screen))
        grid = screen.grid
        assert grid is not None and len(grid.stages) == 6
        # The demo assessed most cases: many cells are filled, some are not.
        cells = [c for row in grid.rows for c in row.cells]
        assert sum(c is not None for c in cells) > len(cells) // 2
        assert any(c is None for c in cells)
        title = str(screen.query_one("#insights-title", Static).render())
        assert f"{len(grid.rows)} cases · all workers · heatmap" in title
        narrative = str(screen.query_one("#insights-narrative", Static).render())
        assert narrative.startswith(f"Of {len(grid.rows)} open or paused cases")
        # Enter opens the highlighted case's timeline.
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TimelineScreen))
        assert app.screen.case_id == grid.rows[1].case_id  # type: ignore[attr-defined]


async def test_one_workers_cases_and_the_comparison(db: Database) -> None:
    supervisor = first_of_role(db, Role.SUPERVISOR)
    app = make_host(db, supervisor)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = InsightsScreen()
        await show(pilot, app, screen)
        await wait_for(pilot, lambda: _loaded(screen))
        everyone = screen.grid
        assert everyone is not None and len(everyone.by_worker) > 1
        await pilot.press("v")
        assert screen.comparing and screen.query_one("#insights-comparison").display
        assert not screen.heatmap.display
        table = str(screen.query_one("#comparison-table", Static).render())
        for worker in everyone.by_worker:
            assert worker.worker[:12] in table
        assert not screen.check_action("open_case", ())  # enter is the heatmap's
        await pilot.press("v")
        assert not screen.comparing and screen.heatmap.display

        await pilot.press("W")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        picker = app.screen
        assert isinstance(picker, ChoiceScreen)
        names = [value for _label, value in picker.choices]
        assert names[0] == ""  # all workers first
        chosen = everyone.by_worker[0]
        picker.dismiss(chosen.username)
        await wait_for(pilot, lambda: screen.grid is not everyone and screen.grid is not None)
        grid = screen.grid
        assert grid is not None and grid.worker == chosen.worker
        assert {r.worker_id for r in grid.rows} == {chosen.worker_id}
        assert len(grid.rows) == chosen.cases


async def test_a_caseworker_may_pick_only_their_own_cases(db: Database) -> None:
    caseworker = first_of_role(db, Role.CASEWORKER)
    app = make_host(db, caseworker)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = InsightsScreen()
        await show(pilot, app, screen)
        await wait_for(pilot, lambda: _loaded(screen))
        assert screen.grid is not None and screen.grid.rows
        await pilot.press("W")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        picker = app.screen
        assert [v for _l, v in picker.choices] == ["", caseworker.username]  # type: ignore[attr-defined]


def test_cells_read_without_colour() -> None:
    assert cell_text(("low", "limited"), 4, marker=True).strip() == "L?"
    assert cell_text(("high", "strong"), 4, marker=True).strip() == "H"
    assert cell_text(("medium", "limited"), 4, marker=False).strip() == "M"
    assert cell_text(None, 4, marker=True).strip() == "·"


def _assessments(db: Database, case_id: int) -> list[tuple[str, str, str, str]]:
    with db.uow(write=False) as uow:
        rows = uow.session.execute(
            select(
                OutcomeAssessment.stage,
                OutcomeAssessment.level,
                OutcomeAssessment.confidence,
                OutcomeAssessment.evidence,
            )  # fmt: skip
            .where(OutcomeAssessment.case_id == case_id)
            .order_by(OutcomeAssessment.id)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


async def _choose(pilot: object, select_: Select[str], value: str) -> None:
    """Open a select with enter and move to ``value`` with the arrows, as a person would."""
    select_.focus()
    await pilot.press("enter")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    for _ in range(6):
        if select_.value == value:
            break
        await pilot.press("down", "enter")  # type: ignore[attr-defined]
        await pilot.pause()  # type: ignore[attr-defined]
        if select_.value != value:
            await pilot.press("enter")  # type: ignore[attr-defined]
    assert select_.value == value


async def test_o_on_the_timeline_adds_an_assessment_and_keeps_the_earlier(db: Database) -> None:
    caseworker = first_of_role(db, Role.CASEWORKER)
    case_id, _number = cases_of(db, caseworker)[0]
    before = _assessments(db, case_id)
    app = make_host(db, caseworker)
    async with app.run_test(size=(120, 40)) as pilot:
        timeline = TimelineScreen(case_id)
        await show(pilot, app, timeline)
        await wait_for(pilot, lambda: timeline.data is not None)
        await pilot.press("O")
        await wait_for(pilot, lambda: isinstance(app.screen, OutcomeDialog))
        dialog = app.screen
        assert isinstance(dialog, OutcomeDialog)
        await wait_for(pilot, lambda: dialog.data is not None)
        stage = dialog.query_one("#stage", Select).value
        assert isinstance(stage, str) and dialog.data is not None
        history = str(dialog.query_one("#outcome-history", Static).render())
        if stage in dialog.data.current:
            assert history.startswith("Now: ")
        else:
            assert history == "Not assessed at this stage yet."
        await _choose(pilot, dialog.query_one("#level", Select), "medium")
        await _choose(pilot, dialog.query_one("#confidence", Select), "limited")
        dialog.query_one("#evidence", TextArea).focus()
        await pilot.press(*"Keeps most appointments")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is timeline)
    after = _assessments(db, case_id)
    assert after[: len(before)] == before
    assert after[len(before) :] == [(stage, "medium", "limited", "Keeps most appointments")]


async def test_a_refusal_lands_under_its_field(db: Database) -> None:
    caseworker = first_of_role(db, Role.CASEWORKER)
    case_id, _number = cases_of(db, caseworker)[0]
    before = _assessments(db, case_id)
    app = make_host(db, caseworker)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = OutcomeDialog(case_id, LONDON)
        await show(pilot, app, dialog)
        await wait_for(pilot, lambda: dialog.data is not None)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not dialog.saving and "Not saved" in _status(dialog))
        assert str(dialog.query_one("#level-error", Static).render()) == "is required"
        assert app.screen is dialog
    assert _assessments(db, case_id) == before


def _status(dialog: OutcomeDialog) -> str:
    return str(dialog.query_one("#outcome-status", Static).render())


async def test_an_auditor_reads_the_history_but_saves_nothing(db: Database) -> None:
    auditor = first_of_role(db, Role.AUDITOR)
    case_id = cases_of(db, first_of_role(db, Role.CASEWORKER))[0][0]
    app = make_host(db, auditor)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = OutcomeDialog(case_id, LONDON)
        await show(pilot, app, dialog)
        await wait_for(pilot, lambda: dialog.data is not None)
        assert dialog.check_action("save", ()) is False
        assert dialog.query_one("#level", Select).disabled
        assert "only the case's writers" in _status(dialog)


# --- snapshots ---------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_insights_snapshot(snap_compare, db: Database, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app = make_host(db, first_of_role(db, Role.SUPERVISOR))
    screen = InsightsScreen()
    assert snap_compare(
        app, terminal_size=size, run_before=snapshot_of(app, screen, lambda: _loaded(screen))
    )


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_comparison_snapshot(snap_compare, db: Database, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app = make_host(db, first_of_role(db, Role.SUPERVISOR))
    screen = InsightsScreen()
    ready = snapshot_of(app, screen, lambda: _loaded(screen), ("v",))
    assert snap_compare(app, terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_outcome_dialog_snapshot(snap_compare, db: Database, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    caseworker = first_of_role(db, Role.CASEWORKER)
    case_id, stage = _assessed_case(db, caseworker)
    app = make_host(db, caseworker)
    dialog = OutcomeDialog(case_id, LONDON, stage=stage)
    ready = snapshot_of(app, dialog, lambda: dialog.data is not None)
    assert snap_compare(app, terminal_size=size, run_before=ready)


def _assessed_case(db: Database, worker: object) -> tuple[int, str]:
    """The worker's first open case and stage with an earlier assessment kept: history."""
    from sqlalchemy import func

    ids = [case_id for case_id, _ in cases_of(db, worker)]  # type: ignore[arg-type]
    with db.uow(write=False) as uow:
        found = uow.session.execute(
            select(OutcomeAssessment.case_id, OutcomeAssessment.stage)
            .where(OutcomeAssessment.case_id.in_(ids))  # type: ignore[attr-defined]
            .group_by(OutcomeAssessment.case_id, OutcomeAssessment.stage)
            .having(func.count() > 1)
            .order_by(OutcomeAssessment.case_id)
        ).first()
    assert found is not None
    return found[0], found[1]


@pytest.mark.parametrize("view", ["heatmap", "comparison", "dialog"])
def test_snapshots_without_colour(  # type: ignore[no-untyped-def]
    snap_compare, db: Database, monkeypatch: pytest.MonkeyPatch, view: str
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    if view == "dialog":
        caseworker = first_of_role(db, Role.CASEWORKER)
        app = make_host(db, caseworker)
        case_id, stage = _assessed_case(db, caseworker)
        dialog = OutcomeDialog(case_id, LONDON, stage=stage)
        ready = snapshot_of(app, dialog, lambda: dialog.data is not None)
    else:
        app = make_host(db, first_of_role(db, Role.SUPERVISOR))
        screen = InsightsScreen()
        keys = ("v",) if view == "comparison" else ()
        ready = snapshot_of(app, screen, lambda: _loaded(screen), keys)
    assert snap_compare(app, terminal_size=(80, 24), run_before=ready)


async def test_without_colour_the_map_marks_limited_confidence(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_host(db, first_of_role(db, Role.SUPERVISOR))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = InsightsScreen()
        await show(pilot, app, screen)
        await wait_for(pilot, lambda: _loaded(screen))
        heatmap = screen.query_one(OutcomeHeatmap)
        assert heatmap.colour is False
        shown = "\n".join(
            "".join(s.text for s in heatmap.render_line(y)) for y in range(1, heatmap.size.height)
        )
        assert "?" in shown and " H " in shown and " L" in shown
