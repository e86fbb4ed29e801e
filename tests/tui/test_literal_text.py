"""Text people typed, on every part of the case screens, shows as typed and never as commands.

The caseload row and a note's one-line summary have their own tests; here the whole screen
is read back, cell by cell, after the case header, an opened note (details, third party,
addendum), an opened task and the note editor holding the note have been drawn: Rich
markup stays text, and no terminal control character reaches the terminal.
"""

from __future__ import annotations

import re
from typing import Any

from helpers_screens import actor, private_drafts, show, wait_for  # noqa: F401
from textual.widgets import Input, TextArea

from casetui.db.uow import Database
from casetui.domain.timeline import NOTE, TASK
from casetui.services.cases import CaseInput, open_case
from casetui.services.clients import ClientInput, register_client
from casetui.services.notes import NoteInput, add_addendum, add_note
from casetui.services.settings import get_settings
from casetui.services.tasks import TaskInput, add_task
from casetui.tui.app import make_app
from casetui.tui.screens.timeline import TimelineScreen
from casetui.tui.widgets.timeline_list import TimelineList

NAME = "[bold red]Zoë[/] \x1b[2J\u202eevil"
PREFERRED = "[i]Z[/i]\x07"
CASE_NUMBER = "C-[b]9[/b]"
TAG = "[blink]t[/]"
SUMMARY = "[/] unbalanced \x1b]0;owned\x07 %s {0}"
THIRD_PARTY = "[@click=app.quit]Acme[/]"
DETAILS = "first [bold]b[/bold]\nsecond \x1b[31mred\x1b[0m \x9b31m"
ADDENDUM = "[link=file:///etc/passwd]x[/link]"
REASON = "[u]why[/u]"
TASK_NAME = "[reverse]call[/] \u202eback"
TASK_DETAILS = ":warning: [dim]d[/dim]"
# Controls and the bidirectional overrides that would reorder what a line seems to say.
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def unsafe(drawn: str) -> list[str]:
    return UNSAFE.findall(drawn.replace("\n", ""))


def summary_field(app: Any) -> Input:
    return app.screen.query_one("#summary", Input)


def _screen_lines(app: Any) -> list[str]:
    """Every cell of the screen as drawn, one string per terminal line."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def _case_with_hostile_text(db: Database) -> tuple[int, int, int]:
    admin = actor(db, "admin")
    client_id = register_client(db, admin, ClientInput(name=NAME, preferred_name=PREFERRED))
    case = open_case(
        db, admin, CaseInput(client_id=client_id, tags=(TAG,), case_number=CASE_NUMBER)
    )
    note = add_note(
        db,
        admin,
        CASE_NUMBER,
        NoteInput(
            summary=SUMMARY,
            activity_type=get_settings(db, admin).activity_types[0],
            contact_type="3rd Party",
            third_party_org=THIRD_PARTY,
            details=DETAILS,
        ),
    )
    add_addendum(db, admin, note.id, ADDENDUM, REASON)
    task = add_task(
        db, admin, CASE_NUMBER, TaskInput(name=TASK_NAME, due="+1w", details=TASK_DETAILS)
    )
    return case.id, note.id, task.id


async def test_header_opened_note_and_task_show_typed_text_literally(db: Database) -> None:
    case_id, note_id, task_id = _case_with_hostile_text(db)
    app = make_app(db, actor(db, "admin"))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await show(pilot, app, TimelineScreen(case_id))
        listing = screen.query_one(TimelineList)
        await wait_for(pilot, lambda: listing.index_of((TASK, task_id)) is not None)
        for key in ((NOTE, note_id), (TASK, task_id)):
            listing.move_to(listing.index_of(key))
            await pilot.press("enter")
            entry = listing.entries[listing.index_of(key)]  # type: ignore[index]
            await wait_for(pilot, lambda entry=entry: listing.is_expanded(entry))
        await pilot.pause()
        drawn = "\n".join(_screen_lines(app))

        listing.move_to(listing.index_of((NOTE, note_id)))
        await pilot.press("e")
        await wait_for(
            pilot, lambda: app.screen.query("#summary") and bool(summary_field(app).value)
        )
        await pilot.pause()
        editing = "\n".join(_screen_lines(app))
        # The fields hold the text exactly, to be saved back as it was.
        assert summary_field(app).value == SUMMARY
        assert app.screen.query_one("#details", TextArea).text == DETAILS

    assert not unsafe(editing)
    for typed in ("C-[b]9[/b] · [bold red]Zoë[/] ␛[2J\\u202eevil", "[/] unbalanced ␛]0;owned␇ %s {0}",
                  "second ␛[31mred␛[0m �31m", THIRD_PARTY):  # fmt: skip
        assert typed in editing, typed
    for typed in (
        "[bold red]Zoë[/] ␛[2J\\u202eevil",  # the client, with the right-to-left mark shown
        '("[i]Z[/i]␇")',
        CASE_NUMBER,
        TAG,
        "[/] unbalanced ␛]0;owned␇ %s {0}",
        THIRD_PARTY,
        "first [bold]b[/bold]",
        "second ␛[31mred␛[0m \\x9b31m",
        ADDENDUM,
        REASON,
        "[reverse]call[/] \\u202eback",
        TASK_DETAILS,
    ):
        assert typed in drawn, typed
    assert not unsafe(drawn)
