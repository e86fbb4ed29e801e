"""The note editor, typed into as a caseworker would."""

from __future__ import annotations

import stat
from datetime import date, timedelta
from pathlib import Path

import pytest
from helpers_screens import (  # noqa: F401
    NOW,
    cases_of,
    first_of_role,
    make_host,
    private_drafts,
    show,
    snapshot_of,
    wait_for,
)
from sqlalchemy import select
from textual.widgets import Input, Label

from casetui.db.uow import Database
from casetui.domain.enums import Role
from casetui.domain.models import CaseNote, FollowUpTask, NoteAddendum, TaskResponsible
from casetui.drafts import DraftKey, DraftStore
from casetui.services.notes import NoteChanges, edit_note
from casetui.tui.screens.addendum import AddendumScreen
from casetui.tui.screens.choice import ChoiceScreen
from casetui.tui.screens.confirm import ConfirmScreen
from casetui.tui.screens.note_editor import NoteEditorScreen
from casetui.tui.screens.timeline import TimelineScreen
from casetui.tui.widgets.task_form import TaskForm
from casetui.tui.widgets.timeline_list import TimelineList


async def open_editor(pilot, app) -> NoteEditorScreen:  # type: ignore[no-untyped-def]
    await wait_for(
        pilot, lambda: isinstance(app.screen, NoteEditorScreen) and bool(app.screen.original)
    )
    await pilot.pause()
    return app.screen


async def type_into(pilot, widget, text: str) -> None:  # type: ignore[no-untyped-def]
    widget.focus()
    await pilot.pause()
    await pilot.press("end", "ctrl+u", *text)


async def test_note_with_a_weekly_task_is_saved(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    case_id, _number = cases_of(db, worker)[0]
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot, app, NoteEditorScreen(case_id))
        editor = await open_editor(pilot, app)
        await type_into(pilot, editor.query_one("#summary", Input), "Rang landlord")
        editor.query_one("#activity-type").focus()
        await pilot.press("enter", "down", "enter")
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: bool(editor.query(TaskForm)))
        task = editor.query_one(TaskForm)
        await type_into(pilot, task.query_one(".task-name", Input), "Repairs")
        await type_into(pilot, task.query_one(".task-due", Input), "friday")
        assert "understood as Fri 27 Nov 2026" in str(
            task.query_one(".task-due-hint", Label).render()
        )
        task.query_one(".task-repeats").focus()
        await pilot.press("enter", "down", "down", "enter")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, NoteEditorScreen))
    with db.uow(write=False) as uow:
        note = uow.session.execute(
            select(CaseNote).where(CaseNote.case_id == case_id, CaseNote.summary == "Rang landlord")
        ).scalar_one()
        task_row = uow.session.execute(
            select(FollowUpTask).where(FollowUpTask.note_id == note.id)
        ).scalar_one()
        responsible = (
            uow.session.execute(
                select(TaskResponsible.staff_id).where(TaskResponsible.task_id == task_row.id)
            )
            .scalars()
            .all()
        )
        assert note.author_id == worker.id and note.activity_type
        assert (task_row.name, task_row.repeats, task_row.due_on) == (
            "Repairs",
            "weekly",
            date(2026, 11, 27),
        )
        assert responsible == [worker.id]  # the author, chosen by default


async def test_empty_summary_is_named_under_its_field(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    case_id, _number = cases_of(db, worker)[0]
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot, app, NoteEditorScreen(case_id))
        editor = await open_editor(pilot, app)
        await pilot.press("ctrl+s")
        error = editor.query_one("#summary-error", Label)
        await wait_for(pilot, lambda: error.has_class("-shown"))
        assert str(error.render()) == "summary: is required"
        assert error.display and app.screen is editor
        # No activity was chosen either: that is named in the same go, under its own field.
        activity_error = editor.query_one("#activity-type-error", Label)
        assert activity_error.has_class("-shown")
        assert str(activity_error.render()).startswith("activity type:")
        # The focus is on the first refused field on screen (activity comes before summary).
        assert editor.query_one("#activity-type").has_focus


async def test_draft_is_offered_back_after_leaving(db: Database, tmp_path: Path) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    case_id, _number = cases_of(db, worker)[0]
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot, app, NoteEditorScreen(case_id))
        editor = await open_editor(pilot, app)
        await type_into(pilot, editor.query_one("#summary", Input), "Half [b]x[/b]")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        await pilot.press("down", "enter")  # "Close and keep the draft for later"
        await wait_for(pilot, lambda: not isinstance(app.screen, (ChoiceScreen, NoteEditorScreen)))

        draft_file = DraftStore().path(DraftKey(db.url, worker.username, case_id))
        assert draft_file.parent == tmp_path / "drafts"
        assert stat.S_IMODE(draft_file.stat().st_mode) == 0o600

        app.push_screen(NoteEditorScreen(case_id))
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        await pilot.press("enter")  # "Restore the draft"
        editor = await open_editor(pilot, app)
        await wait_for(pilot, lambda: editor.query_one("#summary", Input).value != "")
        assert editor.query_one("#summary", Input).value == "Half [b]x[/b]"


async def test_locked_note_offers_an_addendum_to_its_caseworker(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    with db.uow(write=False) as uow:
        note_id, case_id = uow.session.execute(
            select(CaseNote.id, CaseNote.case_id)
            .where(
                CaseNote.author_id == worker.id,
                CaseNote.deleted_at.is_(None),
                CaseNote.created_at < NOW - timedelta(days=30),
            )
            .order_by(CaseNote.id)
        ).first()
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot, app, TimelineScreen(case_id))
        listing = app.screen.query_one(TimelineList)
        await wait_for(pilot, lambda: bool(listing.entries))
        listing.move_to(listing.index_of(("note", note_id)))
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Add an addendum" in str(app.screen.message)
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, AddendumScreen))
        await pilot.press(*"Wrong phone")
        app.screen.query_one("#addendum-reason", Input).focus()
        await pilot.press(*"correction")
        await pilot.press("ctrl+s")
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, TimelineScreen) and isinstance(app.screen, TimelineScreen)
            ),
        )
    with db.uow(write=False) as uow:
        addendum = uow.session.execute(
            select(NoteAddendum).where(NoteAddendum.note_id == note_id)
        ).scalar_one()
        assert (addendum.text, addendum.reason, addendum.author_id) == (
            "Wrong phone",
            "correction",
            worker.id,
        )


async def test_editor_opened_on_a_locked_note_offers_an_addendum(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    with db.uow(write=False) as uow:
        note_id, case_id = uow.session.execute(
            select(CaseNote.id, CaseNote.case_id).where(
                CaseNote.author_id == worker.id, CaseNote.created_at < NOW - timedelta(days=30)
            )
        ).first()
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot, app, NoteEditorScreen(case_id, note_id))
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "locked since" in str(app.screen.message)
        await pilot.press("n")
        await wait_for(pilot, lambda: not isinstance(app.screen, (ConfirmScreen, NoteEditorScreen)))


async def test_stale_edit_keeps_the_typed_text(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    with db.uow(write=False) as uow:
        note_id, case_id = uow.session.execute(
            select(CaseNote.id, CaseNote.case_id)
            .where(
                CaseNote.author_id == worker.id,
                CaseNote.deleted_at.is_(None),
                CaseNote.created_at > NOW - timedelta(days=10),
            )
            .order_by(CaseNote.id)
        ).first()
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot, app, NoteEditorScreen(case_id, note_id))
        editor = await open_editor(pilot, app)
        # someone else saves first
        edit_note(db, worker, note_id, NoteChanges(details="their change"))
        await type_into(pilot, editor.query_one("#summary", Input), "Mine")
        await pilot.press("ctrl+s")
        status = editor.query_one("#editor-status")
        await wait_for(pilot, lambda: status.has_class("-problem"))
        assert "someone else saved this note" in str(status.render())
        assert editor.query_one("#summary", Input).value == "Mine" and app.screen is editor


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_note_editor_snapshot(snap_compare, db: Database, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    worker = first_of_role(db, Role.CASEWORKER)
    case_id, _number = cases_of(db, worker)[0]
    app = make_host(db, worker)
    screen = NoteEditorScreen(case_id)
    keys = ("ctrl+t",) if size[1] >= 40 else ()
    assert snap_compare(
        app,
        terminal_size=size,
        run_before=snapshot_of(app, screen, lambda: bool(screen.original), keys),
    )
