"""Note audits on screen, pressed as a supervisor and a caseworker would: the audits screen (Q on
the caseload), a note's audit dialog (enter there, Q on the timeline) with its audit and override
keys, a month of the team's notes audited at once, and the score in a note's read-out.
Snapshots of each part of the screen and of the dialogs at 80x24 and 120x40, and without colour."""

from __future__ import annotations

from datetime import date

import pytest
from helpers_screens import (  # noqa: F401
    first_of_role,
    make_host,
    private_drafts,
    show,
    snapshot_of,
    wait_for,
)
from sqlalchemy import func, select
from textual.widgets import DataTable, Input, ProgressBar, Static

from casetui.db.uow import Database
from casetui.domain.enums import Role
from casetui.domain.models import NoteAudit
from casetui.domain.timeline import NOTE
from casetui.services import note_audits
from casetui.tui.screens.audit_run import AuditRunScreen, last_month
from casetui.tui.screens.audits import AuditsScreen
from casetui.tui.screens.note_audit import CommentScreen, NoteAuditScreen
from casetui.tui.screens.timeline import TimelineScreen
from casetui.tui.widgets.timeline_list import TimelineList

TODAY = date(2026, 11, 22)  # the demo's, on the tests' fixed clock


def audits_in(db: Database) -> int:
    with db.uow(write=False) as uow:
        return int(uow.session.execute(select(func.count(NoteAudit.id))).scalar_one())


def words(widget: Static) -> str:
    return str(widget.render())


async def open_audits(pilot, app) -> AuditsScreen:  # type: ignore[no-untyped-def]
    """From the caseload, with its key, as a user does."""
    await wait_for(pilot, lambda: type(app.screen).__name__ == "CaseloadScreen")
    await wait_for(pilot, lambda: app.screen.check_action("audits", ()) is True)
    await pilot.press("Q")
    await wait_for(pilot, lambda: isinstance(app.screen, AuditsScreen))
    screen = app.screen
    await wait_for(pilot, lambda: screen.overview is not None)
    await pilot.pause()
    return screen


async def dialog_ready(pilot, app) -> NoteAuditScreen:  # type: ignore[no-untyped-def]
    await wait_for(
        pilot, lambda: isinstance(app.screen, NoteAuditScreen) and app.screen.sheet is not None
    )
    await pilot.pause()
    return app.screen


# --- the audits screen --------------------------------------------------------------------------


async def test_a_supervisor_reads_the_scores_and_opens_a_notes_audit(db: Database) -> None:
    supervisor = first_of_role(db, Role.SUPERVISOR)
    expected = note_audits.overview(db, supervisor)
    assert expected.audited and expected.unaudited and expected.trends
    app = make_host(db, supervisor)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_audits(pilot, app)
        title = words(screen.query_one("#audits-title", Static))
        assert f"{expected.audited_count:,} audited" in title
        assert f"{expected.unaudited_count:,} not yet" in title
        table = screen.query_one("#audited-table", DataTable)
        assert table.row_count == len(expected.audited)
        first = expected.audited[0]
        cells = [str(c) for c in table.get_row_at(0)]
        assert first.case_number in cells[1] and cells[3].strip() == str(first.score)
        assert screen.check_action("run", ()) is True
        await pilot.press("enter")
        dialog = await dialog_ready(pilot, app)
        assert dialog.sheet.audit is not None and dialog.sheet.audit.note_id == first.note_id
        assert f"Score {first.score}/100" in words(dialog.query_one("#note-audit-score", Static))
        criteria = dialog.query_one(DataTable)
        assert criteria.row_count == len(first.criteria)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        # The other parts: the notes not audited yet, and each worker's trend with its figures.
        await pilot.press("right_square_bracket")
        assert screen.part == "unaudited"
        unaudited = screen.query_one("#unaudited-table", DataTable)
        assert unaudited.row_count == len(expected.unaudited)
        await pilot.press("right_square_bracket")
        assert screen.part == "trends"
        trend = expected.trends[0]
        figures = words(screen.query_one("#trend-figures", Static))
        assert trend.display_name in figures and f"average {trend.average}" in figures
        newest = trend.months[-1]
        assert f"{newest.average} ({newest.notes})" in figures


async def test_a_caseworker_sees_their_own_scores_and_cannot_audit(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    app = make_host(db, worker)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_audits(pilot, app)
        overview = screen.overview
        assert overview is not None and overview.audited
        assert {a.author for a in overview.audited} == {worker.username}
        assert [t.username for t in overview.trends] == [worker.username]
        assert screen.check_action("run", ()) is False
        await pilot.press("a")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("enter")
        dialog = await dialog_ready(pilot, app)
        assert dialog.check_action("audit", ()) is False
        assert dialog.check_action("override", ()) is False


async def test_a_month_of_the_teams_notes_is_audited_at_once(db: Database) -> None:
    supervisor = first_of_role(db, Role.SUPERVISOR)
    first, last = last_month(TODAY)
    waiting = note_audits.count_to_audit(
        db, supervisor, date_from=first.isoformat(), date_to=last.isoformat()
    )
    assert waiting > 0
    before = audits_in(db)
    app = make_host(db, supervisor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_audits(pilot, app)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AuditRunScreen))
        dialog = app.screen
        assert dialog.query_one("#run-from", Input).value == "2026-10-01"
        assert dialog.query_one("#run-to", Input).value == "2026-10-31"
        await wait_for(pilot, lambda: dialog.to_audit == waiting)
        assert f"{waiting:,} notes to audit" in words(dialog.query_one("#run-count", Static))
        seen: list[float] = []
        bar = dialog.query_one(ProgressBar)
        bar.watch_progress = lambda progress: seen.append(progress)  # type: ignore[method-assign]
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen)
        await wait_for(pilot, lambda: any("notes audited" in n.message for n in app._notifications))
        await wait_for(
            pilot,
            lambda: (
                screen.overview is not None
                and screen.overview.unaudited_count
                == note_audits.overview(db, supervisor).unaudited_count
            ),
        )
    assert audits_in(db) == before + waiting
    assert seen and seen[-1] == waiting


async def test_dates_that_cannot_be_read_are_said_and_nothing_runs(db: Database) -> None:
    supervisor = first_of_role(db, Role.SUPERVISOR)
    before = audits_in(db)
    app = make_host(db, supervisor)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_audits(pilot, app)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AuditRunScreen))
        dialog = app.screen
        await wait_for(pilot, lambda: dialog.to_audit is not None)
        await pilot.press("tab", "end", *["backspace"] * 10, *"2026-09-01")  # the "to" date
        count = dialog.query_one("#run-count", Static)
        await wait_for(pilot, lambda: "before" in words(count))
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog and not dialog.running
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, AuditsScreen))
    assert audits_in(db) == before


# --- the audit dialog ------------------------------------------------------------------------


async def test_an_override_needs_a_comment_and_changes_the_score(db: Database) -> None:
    supervisor = first_of_role(db, Role.SUPERVISOR)
    audit = next(
        a
        for a in note_audits.list_audited(db, supervisor, limit=50)
        if any(not c.met for c in a.criteria)
    )
    missed = next(n for n, c in enumerate(audit.criteria) if not c.met)
    app = make_host(db, supervisor)
    async with app.run_test(size=(120, 40)) as pilot:
        await show(pilot, app, NoteAuditScreen(audit.note_id))
        dialog = await dialog_ready(pilot, app)
        dialog.query_one(DataTable).move_cursor(row=missed)
        await pilot.pause()
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, CommentScreen))
        await pilot.press("enter")
        assert "comment: is required" in str(app.screen.query_one("#reason-error").render())
        await pilot.press(*"Risk discussed on the phone")
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: (
                app.screen is dialog
                and dialog.sheet.audit is not None
                and dialog.sheet.audit.version == audit.version + 1
            ),
        )
        assert dialog.changed
        assert "* Set to met by" in words(dialog.query_one("#note-audit-why", Static))
    after = note_audits.note_audit(db, supervisor, audit.note_id)
    assert after is not None
    changed = after.criteria[missed]
    assert (changed.met, changed.overridden_by, changed.comment) == (
        True, supervisor.username, "Risk discussed on the phone",
    )  # fmt: skip
    assert after.score > audit.score


async def test_an_override_of_an_audit_changed_meanwhile_is_refused_and_shown_afresh(
    db: Database,
) -> None:
    supervisor = first_of_role(db, Role.SUPERVISOR)
    admin = first_of_role(db, Role.ADMINISTRATOR)
    audit = note_audits.list_audited(db, supervisor, limit=1)[0]
    app = make_host(db, supervisor)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await show(pilot, app, NoteAuditScreen(audit.note_id))
        dialog = await dialog_ready(pilot, app)
        # An administrator audits it again while the dialog is open.
        note_audits.audit_note(db, admin, audit.note_id)
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, CommentScreen))
        await pilot.press(*"Checked with the worker", "enter")
        await wait_for(
            pilot,
            lambda: any("Someone else saved first" in (n.title or "") for n in app._notifications),
        )
        await wait_for(
            pilot,
            lambda: (
                dialog.sheet.audit is not None and dialog.sheet.audit.version == audit.version + 1
            ),
        )
    after = note_audits.note_audit(db, supervisor, audit.note_id)
    assert after is not None and not any(c.overridden_by for c in after.criteria)


async def test_a_is_scores_an_unaudited_note_from_its_dialog(db: Database) -> None:
    supervisor = first_of_role(db, Role.SUPERVISOR)
    waiting = note_audits.list_unaudited(db, supervisor, limit=50)
    note = next(n for n in waiting if note_audits.audit_sheet(db, supervisor, n.note_id).may_audit)
    app = make_host(db, supervisor)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot, app, NoteAuditScreen(note.note_id, note.summary))
        dialog = await dialog_ready(pilot, app)
        assert "Not audited yet" in words(dialog.query_one("#note-audit-score", Static))
        assert dialog.check_action("override", ()) is None
        await pilot.press("a")
        await wait_for(pilot, lambda: dialog.sheet.audit is not None)
        assert "Score " in words(dialog.query_one("#note-audit-score", Static))
    assert note_audits.note_audit(db, supervisor, note.note_id) is not None


# --- the timeline -------------------------------------------------------------------------------


async def test_the_timeline_opens_a_notes_audit_and_its_read_out_carries_the_score(
    db: Database,
) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    audit = note_audits.list_audited(db, worker, limit=1)[0]
    app = make_host(db, worker)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await show(pilot, app, TimelineScreen(audit.case_id))
        listing = screen.query_one(TimelineList)
        await wait_for(pilot, lambda: screen.data is not None and bool(listing.entries))
        if listing.index_of((NOTE, audit.note_id)) is None:
            await pilot.press("f")  # the oldest first: an audited note is an older one
            await wait_for(pilot, lambda: listing.index_of((NOTE, audit.note_id)) is not None)
        listing.move_to(listing.index_of((NOTE, audit.note_id)))
        await pilot.pause()
        assert screen.check_action("audit_note", ()) is True
        await pilot.press("enter")
        await wait_for(pilot, lambda: (NOTE, audit.note_id) in listing._details)
        read_out = [line.plain for line in listing._details[(NOTE, audit.note_id)]]
        assert f"Audit: {audit.score}/100" in "\n".join(read_out)
        await pilot.press("Q")
        dialog = await dialog_ready(pilot, app)
        assert dialog.sheet.audit is not None and dialog.sheet.audit.score == audit.score


# --- snapshots -------------------------------------------------------------------------------


def still(run_before):  # type: ignore[no-untyped-def]
    """Then every animation finished (the tabs' underline slides): the same picture each run."""

    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await run_before(pilot)
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()

    return run


SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
PART_KEYS = {"audited": (), "unaudited": ("right_square_bracket",),
             "trends": ("right_square_bracket", "right_square_bracket")}  # fmt: skip
PARTS = pytest.mark.parametrize("part", list(PART_KEYS))


@SIZES
@PARTS
def test_audits_screen_snapshot(snap_compare, db: Database, size, part: str) -> None:  # type: ignore[no-untyped-def]
    app = make_host(db, first_of_role(db, Role.SUPERVISOR))
    screen = AuditsScreen()
    ready = lambda: screen.overview is not None  # noqa: E731
    run_before = snapshot_of(app, screen, ready, PART_KEYS[part])
    assert snap_compare(app, terminal_size=size, run_before=still(run_before))


@PARTS
def test_audits_screen_snapshot_without_colour(  # type: ignore[no-untyped-def]
    snap_compare, db: Database, part: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_host(db, first_of_role(db, Role.SUPERVISOR))
    screen = AuditsScreen()
    ready = lambda: screen.overview is not None  # noqa: E731
    run_before = snapshot_of(app, screen, ready, PART_KEYS[part])
    assert snap_compare(app, terminal_size=(80, 24), run_before=still(run_before))


def _audit_dialog_snapshot(snap_compare, db: Database, size) -> bool:  # type: ignore[no-untyped-def]
    supervisor = first_of_role(db, Role.SUPERVISOR)
    app = make_host(db, supervisor)
    screen = AuditsScreen()

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await snapshot_of(app, screen, lambda: screen.overview is not None)(pilot)
        await pilot.press("down", "enter")
        dialog = await dialog_ready(pilot, app)
        table = dialog.query_one(DataTable)
        # The criteria are laid out a refresh after they arrive; a busy machine can take a
        # picture in between (the table still no lines high).
        await wait_for(pilot, lambda: table.row_count > 2 and table.size.height > table.row_count)
        table.move_cursor(row=2)
        await app.workers.wait_for_complete()
        await pilot.pause()

    return snap_compare(app, terminal_size=size, run_before=still(run_before))


@SIZES
def test_audit_dialog_snapshot(snap_compare, db: Database, size) -> None:  # type: ignore[no-untyped-def]
    assert _audit_dialog_snapshot(snap_compare, db, size)


def test_audit_dialog_snapshot_without_colour(  # type: ignore[no-untyped-def]
    snap_compare, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert _audit_dialog_snapshot(snap_compare, db, (80, 24))


@SIZES
def test_audit_run_dialog_snapshot(snap_compare, db: Database, size) -> None:  # type: ignore[no-untyped-def]
    app = make_host(db, first_of_role(db, Role.SUPERVISOR))
    screen = AuditsScreen()

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await snapshot_of(app, screen, lambda: screen.overview is not None)(pilot)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AuditRunScreen))
        await wait_for(pilot, lambda: app.screen.to_audit is not None)
        for field in app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=still(run_before))


# --- the criteria, in administration ----------------------------------------------------------


async def open_criteria(pilot, app):  # type: ignore[no-untyped-def]
    """A from the caseload, ] to the Lists tab, the audit criteria picked."""
    from textual.widgets import Select

    from casetui.tui.screens.administration import AdministrationScreen
    from casetui.tui.screens.administration.lists_tab import ListsTab

    await wait_for(pilot, lambda: type(app.screen).__name__ == "CaseloadScreen")
    await pilot.press("A")
    await wait_for(pilot, lambda: isinstance(app.screen, AdministrationScreen))
    screen = app.screen
    for _ in range(3):
        await pilot.press("right_square_bracket")
    tab = screen.query_one(ListsTab)
    await wait_for(pilot, lambda: tab.loaded and screen.tab == "lists")
    assert tab.check_action("criterion", ()) is False  # activity types have no weight
    tab.query_one("#list-kind", Select).value = "audit_criterion"
    await wait_for(pilot, lambda: bool(tab.criteria) and len(tab.table.keys) == len(tab.items))
    tab.table.focus()
    await pilot.pause()
    return screen, tab


async def test_w_sets_a_criterions_weight_and_cues_and_a_refusal_keeps_the_typing(
    db: Database,
) -> None:
    from casetui.tui.screens.administration.criterion_dialog import CriterionScreen

    admin = first_of_role(db, Role.ADMINISTRATOR)
    app = make_host(db, admin)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, tab = await open_criteria(pilot, app)
        steps = next(i for i in tab.items if i.value == "Actions and next steps")
        tab.table.move_cursor(row=tab.table.keys.index(str(steps.id)))
        await pilot.pause()
        assert tab.check_action("criterion", ()) is True
        assert "weight 20 · built-in cues" in str(tab.table.get_row(str(steps.id))[2])
        await pilot.press("W")
        await wait_for(pilot, lambda: isinstance(app.screen, CriterionScreen))
        await pilot.press("end", "backspace", "backspace", *"250")
        await pilot.press("enter", *"next visit", "enter", *"plan")
        await pilot.press("ctrl+s")
        # Refused by the service: the dialog again, with what was typed and why.
        await wait_for(
            pilot, lambda: isinstance(app.screen, CriterionScreen) and bool(app.screen.error)
        )
        dialog = app.screen
        assert "weight" in str(dialog.query_one("#criterion-error").render())
        assert dialog.query_one("#criterion-weight", Input).value == "250"
        await pilot.press("end", "backspace", "backspace", "backspace", *"30", "ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        await wait_for(pilot, lambda: tab.criteria[steps.id].weight == 30)
        assert "weight 30 · 2 own cues" in str(tab.table.get_row(str(steps.id))[2])
    found = {c.name: c for c in note_audits.criteria_views(db, admin)}
    assert (found["Actions and next steps"].weight, found["Actions and next steps"].cues) == (
        30, ("next visit", "plan"),
    )  # fmt: skip


def _criterion_snapshot(snap_compare, db: Database, size) -> bool:  # type: ignore[no-untyped-def]
    from casetui.tui.screens.administration.criterion_dialog import CriterionScreen

    app = make_host(db, first_of_role(db, Role.ADMINISTRATOR))

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        _screen, tab = await open_criteria(pilot, app)
        tab.table.move_cursor(row=3)
        await pilot.pause()
        await pilot.press("W")
        await wait_for(pilot, lambda: isinstance(app.screen, CriterionScreen))
        await app.workers.wait_for_complete()
        for field in app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    return snap_compare(app, terminal_size=size, run_before=still(run_before))


@SIZES
def test_criterion_dialog_snapshot(snap_compare, db: Database, size) -> None:  # type: ignore[no-untyped-def]
    assert _criterion_snapshot(snap_compare, db, size)


def test_criterion_dialog_snapshot_without_colour(  # type: ignore[no-untyped-def]
    snap_compare, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert _criterion_snapshot(snap_compare, db, (80, 24))
