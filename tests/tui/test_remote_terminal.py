"""What a terminal at the end of an SSH connection does to the app.

Keys arrive in bursts (everything typed during one round trip comes in one read), and the
connection can drop at any moment. tests/ssh drives the same over a real SSH session.
"""

from __future__ import annotations

import json

import pytest
from helpers_screens import (  # noqa: F401 - private_drafts keeps drafts in the test's folder
    cases_of,
    first_of_role,
    make_host,
    private_drafts,
    show,
    wait_for,
)
from textual import events
from textual.widgets import Input, TextArea

from casetui.db.uow import Database
from casetui.domain.enums import Role
from casetui.drafts import DraftKey, DraftStore
from casetui.tui.app import HUNG_UP
from casetui.tui.screens.note_editor import NoteEditorScreen

# What the terminal sends for these keys, as the driver would parse it.
KEY_NAMES = {"\t": "tab", "\x1b[Z": "shift+tab"}


def arrive_at_once(app, keys: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Queue every key before the app handles the first, as one read from the terminal does."""
    for key in keys:
        name = KEY_NAMES.get(key, key)
        app.post_message(events.Key(name, key if len(key) == 1 else None))


async def open_new_note(pilot, app, case_id: int) -> NoteEditorScreen:  # type: ignore[no-untyped-def]
    editor = NoteEditorScreen(case_id)
    await show(pilot, app, editor)
    await wait_for(pilot, lambda: bool(editor.original))
    await pilot.pause()
    return editor


async def test_keys_typed_after_tab_in_one_burst_go_to_the_next_field(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    case_id, _number = cases_of(db, worker)[0]
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_new_note(pilot, app, case_id)
        details = editor.query_one("#details", TextArea)
        details.focus()
        await pilot.pause()
        arrive_at_once(app, ["\x1b[Z", *"Rang landlord", "\t", *"Repairs booked"])
        await wait_for(pilot, lambda: details.text == "Repairs booked")
        assert editor.query_one("#summary", Input).value == "Rang landlord"


async def test_hang_up_keeps_the_words_typed_since_the_last_draft(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No draft from the typing pause or the interval: only the hang-up can write one here.
    monkeypatch.setattr("casetui.tui.screens.note_editor.drafts.DRAFT_DEBOUNCE", 600.0)
    monkeypatch.setattr("casetui.tui.screens.note_editor.drafts.DRAFT_EVERY", 600.0)
    worker = first_of_role(db, Role.CASEWORKER)
    case_id, _number = cases_of(db, worker)[0]
    app = make_host(db, worker)
    draft_file = DraftStore().path(DraftKey(db.url, worker.username, case_id))
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_new_note(pilot, app, case_id)
        editor.query_one("#summary", Input).focus()
        await pilot.pause()
        await pilot.press(*"Home visit")
        assert not draft_file.exists()
        app.hang_up()  # what SIGHUP does when the SSH connection drops
        # On disk before the app starts closing: a hung-up process may not get that far.
        assert json.loads(draft_file.read_text())["fields"]["note"]["summary"] == "Home visit"
    assert app.return_code == HUNG_UP
