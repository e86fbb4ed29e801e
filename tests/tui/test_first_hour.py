"""What a new user met in the first hour in the app, each kept fixed: messages that outlive
their mistake, focus after a refused save, keys typed while signing in, an empty caseload, and
the time given to a note about an earlier day.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from helpers_screens import cases_of, first_of_role, make_host, show, wait_for  # noqa: F401
from test_note_editor import open_editor, type_into
from textual.pilot import Pilot
from textual.widgets import Input, Label, TextArea

from casetui.domain.enums import Role
from casetui.domain.filters import CaseFilter
from casetui.services.notes import NoteInput, add_note, open_note
from casetui.services.settings import get_settings
from casetui.services.work import Database
from casetui.tui.app import make_app
from casetui.tui.screens.login import LoginScreen
from casetui.tui.screens.note_editor import NoteEditorScreen
from casetui.tui.widgets.case_table.widget import empty_message
from casetui.tui.widgets.too_small import TooSmall


@asynccontextmanager
async def new_note(db: Database) -> AsyncIterator[tuple[Pilot[int], NoteEditorScreen]]:
    """A caseworker's note editor on one of their cases, ready for typing."""
    worker = first_of_role(db, Role.CASEWORKER)
    case_id, _number = cases_of(db, worker)[0]
    app = make_host(db, worker)
    async with app.run_test(size=(100, 40)) as pilot:
        await show(pilot, app, NoteEditorScreen(case_id))
        yield pilot, await open_editor(pilot, app)


def shown(editor: NoteEditorScreen, widget_id: str) -> bool:
    return editor.query_one(f"#{widget_id}-error", Label).has_class("-shown")


async def test_a_refusal_under_a_field_goes_once_the_field_changes(db: Database) -> None:
    async with new_note(db) as (pilot, editor):
        await type_into(pilot, editor.query_one("#contact-date", Input), "31/02")
        await type_into(pilot, editor.query_one("#summary", Input), "x" * 250)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: shown(editor, "summary") and shown(editor, "contact-date"))
        # Focus lands on the first refused field on screen, where the next keys should go.
        assert editor.focused is editor.query_one("#contact-date", Input)
        await type_into(pilot, editor.query_one("#summary", Input), "Rang the landlord")
        await wait_for(pilot, lambda: not shown(editor, "summary"))
        assert shown(editor, "contact-date"), "only the changed field's message goes"
        await type_into(pilot, editor.query_one("#contact-date", Input), "yesterday")
        await wait_for(pilot, lambda: not shown(editor, "contact-date"))


async def test_an_earlier_day_shows_the_time_it_will_be_saved_with(db: Database) -> None:
    async with new_note(db) as (pilot, editor):
        time_field = editor.query_one("#contact-time", Input)
        now = time_field.value
        await type_into(pilot, editor.query_one("#contact-date", Input), "-2d")
        await wait_for(pilot, lambda: time_field.value == "12:00")
        await type_into(pilot, editor.query_one("#contact-date", Input), "today")
        await wait_for(pilot, lambda: time_field.value == now)
        await type_into(pilot, time_field, "09:15")  # typed: it stays, whatever the date
        await type_into(pilot, editor.query_one("#contact-date", Input), "-2d")
        await pilot.pause()
        assert time_field.value == "09:15"


async def test_keys_typed_while_signing_in_are_not_taken_then_lost(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from casetui.services import auth

    answer = threading.Event()
    real_sign_in = auth.sign_in

    def slow_sign_in(*args: Any) -> Any:
        answer.wait(10)  # a slow server: the attempt is out while keys are typed
        return real_sign_in(*args)

    app = make_app(db, None, username="nobody", password=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))
        monkeypatch.setattr(auth, "sign_in", slow_sign_in)
        login = app.screen
        password = login.query_one("#login-password", Input)
        password.value = "wrong"
        login.action_sign_in()
        assert password.disabled and login.query_one("#login-username", Input).disabled
        await pilot.press("x", "y")
        assert password.value == "wrong", "no key typed while waiting lands in the field"
        answer.set()
        # The field comes back, then the focus with it (a refresh later on a busy machine).
        await wait_for(pilot, lambda: not password.disabled and app.focused is password)
        assert password.value == "" and app.focused is password


def test_an_empty_caseload_says_why() -> None:
    assert "No cases match" in empty_message(CaseFilter(query="zz"))
    assert "No cases match" in empty_message(CaseFilter(statuses=("Closed",)))
    assert "Press m" in empty_message(CaseFilter(mine=True))
    nothing_yet = empty_message(CaseFilter())
    assert "No cases match" not in nothing_yet and "casetui demo" in nothing_yet


async def test_details_near_their_limit_say_how_long_they_are(db: Database) -> None:
    async with new_note(db) as (pilot, editor):
        length = editor.query_one("#details-length", Label)
        details = editor.query_one("#details", TextArea)
        details.text = "x" * 1000
        await pilot.pause()
        assert not length.has_class("-shown")
        details.text = "x" * 18_500
        await wait_for(pilot, lambda: length.has_class("-shown"))
        assert str(length.render()) == "18,500 of 20,000 characters"


async def test_the_palette_key_covers_the_footers_edge_at_40x12(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    app = make_host(db, worker)
    async with app.run_test(size=(40, 12)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CaseloadScreen")
        await pilot.pause()
        palette = app.screen.query_one("FooterKey.-command-palette")
        # Keys that do not fit run on underneath it: none may show at the right edge.
        assert palette.region.right == 40
        assert not app.screen.query(TooSmall)


async def test_below_the_smallest_size_the_app_says_so(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    app = make_host(db, worker)
    async with app.run_test(size=(30, 10)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CaseloadScreen")
        await wait_for(pilot, lambda: bool(app.screen.query(TooSmall)))
        assert "30×10" in str(app.screen.query_one(TooSmall).render())
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: not app.screen.query(TooSmall))
        await pilot.resize_terminal(39, 24)
        await wait_for(pilot, lambda: bool(app.screen.query(TooSmall)))


async def test_editing_a_notes_words_leaves_its_time_alone(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    case_id, number = cases_of(db, worker)[0]
    kind = get_settings(db, worker).activity_types[0]
    note = add_note(
        db, worker, number,
        NoteInput("Rang the landlord", kind, contact_date="-2d", contact_time="14:30"),
    )  # fmt: skip
    app = make_host(db, worker)
    async with app.run_test(size=(100, 40)) as pilot:
        await show(pilot, app, NoteEditorScreen(case_id, note.id))
        editor = await open_editor(pilot, app)
        await pilot.pause()
        assert editor.query_one("#contact-time", Input).value == "14:30"
        await type_into(pilot, editor.query_one("#summary", Input), "Rang the landlord again")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, NoteEditorScreen))
    saved = open_note(db, worker, note.id)
    assert saved.summary == "Rang the landlord again"
    assert saved.contact_at == note.contact_at
