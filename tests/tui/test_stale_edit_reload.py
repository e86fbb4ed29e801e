"""Someone else saved first: the editor keeps every typed field and shows their version.

"Someone else" is a service call between the editor opening the note and the user saving,
as another person's casetui would make it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from helpers_screens import (  # noqa: F401
    NOW,
    first_of_role,
    make_host,
    private_drafts,
    show,
    wait_for,
)
from sqlalchemy import select
from textual.widgets import Input, TextArea

from casetui.db.uow import Database
from casetui.domain.actor import Actor
from casetui.domain.enums import Role
from casetui.domain.models import Case, CaseNote
from casetui.drafts import DraftStore
from casetui.services import cases
from casetui.services.notes import NoteChanges, edit_note
from casetui.tui.screens.choice import ChoiceScreen
from casetui.tui.screens.note_editor import NoteEditorScreen
from casetui.tui.screens.person_cases import PersonCasesScreen
from casetui.tui.screens.timeline import TimelineScreen
from casetui.tui.widgets.latest_note import LatestNote, merge_latest


def test_merge_takes_their_changes_keeps_mine_and_names_clashes() -> None:
    base = {"summary": "a", "details": "b", "restricted": False, "activity_type": "Visit"}
    mine = {"summary": "mine", "details": "b", "restricted": True, "activity_type": "Visit"}
    theirs = {"summary": "theirs", "details": "new", "restricted": False, "activity_type": "Visit"}
    merged = merge_latest(base, mine, theirs)
    assert merged.taken == {"details": "new"}
    assert merged.clashes == {"summary": "theirs"}
    assert merged.kept == ("restricted",)
    # Without the version the draft started from, every difference is shown as a clash.
    assert merge_latest(None, mine, theirs).clashes == {
        "summary": "theirs",
        "details": "new",
        "restricted": False,
    }


def _recent_note(db: Database, author: Actor) -> tuple[int, int]:
    with db.uow(write=False) as uow:
        found = uow.session.execute(
            select(CaseNote.id, CaseNote.case_id)
            .where(
                CaseNote.author_id == author.id,
                CaseNote.deleted_at.is_(None),  # type: ignore[union-attr]
                CaseNote.created_at > NOW - timedelta(days=10),
            )
            .order_by(CaseNote.id)
        ).first()
    assert found is not None
    return found[0], found[1]


def _note(db: Database, note_id: int) -> CaseNote:
    with db.uow(write=False) as uow:
        note = uow.session.get(CaseNote, note_id)
        assert note is not None
        uow.session.expunge(note)
        return note


async def _type(pilot: Any, widget: Input, text: str) -> None:
    widget.focus()
    await pilot.pause()
    await pilot.press("end", "ctrl+u", *text)


async def test_their_version_comes_in_beside_mine_and_the_second_save_goes_through(
    db: Database,
) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    supervisor = first_of_role(db, Role.ADMINISTRATOR)
    note_id, case_id = _recent_note(db, worker)
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot, app, NoteEditorScreen(case_id, note_id))
        await wait_for(
            pilot, lambda: isinstance(app.screen, NoteEditorScreen) and bool(app.screen.original)
        )
        editor: NoteEditorScreen = app.screen  # type: ignore[assignment]
        # the other person saves both fields first
        edit_note(db, supervisor, note_id, NoteChanges(summary="Theirs", details="Their notes"))
        await _type(pilot, editor.query_one("#summary", Input), "Mine")
        await pilot.press("ctrl+s")
        status = editor.query_one("#editor-status")
        await wait_for(pilot, lambda: status.has_class("-problem"))
        words = str(status.render())
        assert supervisor.display_name in words and "ctrl+l" in words
        assert editor.check_action("load_latest", ()) is True
        assert editor.query_one("#summary", Input).value == "Mine"

        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: bool(editor.query(LatestNote)))
        panel = editor.query_one(LatestNote)
        shown = str(panel.render())
        assert "Theirs" in shown and "you changed it too" in shown
        assert "Their notes" in shown and "only they changed it" in shown
        # Mine stays where I typed it; what only they changed is now in the form.
        assert editor.query_one("#summary", Input).value == "Mine"
        assert editor.query_one("#details", TextArea).text == "Their notes"
        key = editor.draft_key
        draft = DraftStore().load(key)
        assert draft is not None and draft.fields["note"]["summary"] == "Mine"

        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, NoteEditorScreen))
    saved = _note(db, note_id)
    assert (saved.summary, saved.details, saved.version) == ("Mine", "Their notes", 3)
    assert DraftStore().load(key) is None


def _notices(app: Any) -> list[str]:
    seen: list[str] = []
    real = app.notify

    def notify(message: str, **options: Any) -> None:
        seen.append(str(message))
        real(message, **options)

    app.notify = notify
    return seen


async def test_a_stale_case_change_says_who_and_shows_the_case_as_it_is(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    admin = first_of_role(db, Role.ADMINISTRATOR)
    with db.uow(write=False) as uow:
        case = (
            uow.session.execute(
                select(Case).where(Case.primary_worker_id == worker.id, Case.status == "Open")
            )
            .scalars()
            .first()
        )
        assert case is not None
        number, case_id, concern = case.case_number, case.id, case.concern
    new_concern = "High" if concern != "High" else "Low"
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24)) as pilot:
        notices = _notices(app)
        timeline = await show(pilot, app, TimelineScreen(case_id))
        await wait_for(pilot, lambda: timeline.data is not None)
        cases.change_concern(db, admin, number, new_concern)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: timeline.data is not None and timeline.data.case.concern == new_concern,
        )
        assert any("Not changed" in n and admin.display_name in n for n in notices)
        assert app.screen is timeline
    with db.uow(write=False) as uow:
        assert uow.session.get(Case, case_id).status == "Open"  # type: ignore[union-attr]


async def test_a_stale_reassign_from_the_workload_refreshes_the_list(db: Database) -> None:
    supervisor = first_of_role(db, Role.SUPERVISOR)
    admin = first_of_role(db, Role.ADMINISTRATOR)
    app = make_host(db, supervisor)
    async with app.run_test(size=(80, 24)) as pilot:
        notices = _notices(app)
        from casetui.tui.screens.workload import WorkloadScreen

        people = await show(pilot, app, WorkloadScreen())
        await wait_for(pilot, lambda: bool(people.rows))
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: isinstance(app.screen, PersonCasesScreen) and bool(app.screen.cases)
        )
        person: PersonCasesScreen = app.screen  # type: ignore[assignment]
        case = person.cases[0]
        cases.change_concern(
            db, admin, case.case_number, "High" if case.concern != "High" else "Low"
        )
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        await pilot.press("enter")
        await wait_for(pilot, lambda: any("Not changed" in n for n in notices))
        await wait_for(pilot, lambda: person.cases and person.cases[0].version == case.version + 1)
        assert app.screen is person
    with db.uow(write=False) as uow:
        assert uow.session.get(Case, case.id).primary_worker_id == case.worker_id  # type: ignore[union-attr]
