"""The database goes away while the app is open: a message, retries, and nothing typed lost.

PostgreSQL "restarting" is this test's own throwaway database refusing connections and
having its connections ended (the shared server is never stopped); SQLite "locked" is
another connection holding the write lock.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from helpers_screens import (  # noqa: F401
    NOW,
    cases_of,
    first_of_role,
    make_host,
    private_drafts,
    show,
    wait_for,
)
from postgres_outage import postgres_away
from sqlalchemy import select
from textual.widgets import Input, Select

import casetui.db.engine as engine_module
from casetui.db.engine import make_engine
from casetui.db.migrate import upgrade
from casetui.db.uow import Database
from casetui.demo import generate_demo
from casetui.domain.enums import Role
from casetui.domain.errors import DatabaseUnavailable
from casetui.domain.models import CaseNote
from casetui.drafts import DraftStore
from casetui.tui import database_away
from casetui.tui.database_away import (
    Abandoned,
    DatabaseAwayBar,
    DatabaseWentAway,
    RetryGate,
    patiently,
)
from casetui.tui.screens.caseload import CaseloadScreen
from casetui.tui.screens.note_editor import NoteEditorScreen
from casetui.tui.widgets.case_table import CaseTable


def bar_text(app: Any) -> str:
    bars = app.screen.query(DatabaseAwayBar)
    return str(bars.first().render()) if bars else ""


async def type_a_note(pilot: Any, editor: NoteEditorScreen, summary: str) -> None:
    field = editor.query_one("#summary", Input)
    field.focus()
    await pilot.pause()
    await pilot.press(*summary)
    editor.query_one("#activity-type", Select).focus()
    await pilot.press("enter", "down", "enter")
    await pilot.pause()


def saved_summaries(db: Database, case_id: int) -> list[str]:
    with db.uow(write=False) as uow:
        found = uow.session.execute(select(CaseNote.summary).where(CaseNote.case_id == case_id))
        return list(found.scalars())


class FakeApp:
    """What ``patiently`` asks of the app, recording what it is told."""

    def __init__(self) -> None:
        self.retry_gate = RetryGate()
        self.is_running = True
        self.database_away = False
        self.told: list[str] = []

    def post_message(self, message: object) -> None:
        self.database_away = isinstance(message, DatabaseWentAway)
        self.told.append("away" if self.database_away else "back")


def failing(times: int, error: DatabaseUnavailable) -> Any:
    calls = {"n": 0}

    def call() -> str:
        calls["n"] += 1
        if calls["n"] <= times:
            raise error
        return "rows"

    return call


def test_patiently_tries_again_until_the_database_answers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(database_away, "RETRY_PAUSES", (0.01, 0.02))
    app = FakeApp()
    gone = DatabaseUnavailable("gone", transient=True)
    assert patiently(app, failing(3, gone)) == "rows"  # type: ignore[arg-type]
    assert app.told == ["away", "away", "away", "back"]
    assert [database_away.pause_before(n) for n in (1, 2, 3)] == [0.01, 0.02, 0.02]


def test_patiently_does_not_repeat_a_write_that_may_have_happened() -> None:
    app = FakeApp()
    in_doubt = DatabaseUnavailable("lost while committing", transient=True, in_doubt=True)
    with pytest.raises(DatabaseUnavailable):
        patiently(app, failing(1, in_doubt))  # type: ignore[arg-type]
    broken = DatabaseUnavailable("no such table")  # not worth retrying either
    with pytest.raises(DatabaseUnavailable):
        patiently(app, failing(1, broken))  # type: ignore[arg-type]
    assert app.told == []


def test_patiently_stops_waiting_when_nobody_wants_the_answer() -> None:
    app = FakeApp()
    gone = DatabaseUnavailable("gone", transient=True)
    with pytest.raises(Abandoned):
        patiently(app, failing(5, gone), wanted=lambda: False)  # type: ignore[arg-type]
    assert app.told == ["away"]


@pytest.fixture
def demo_on_postgres(postgres_url: str) -> Iterator[Database]:
    database = Database(make_engine(postgres_url), clock=lambda: NOW)
    try:
        upgrade(database.engine)
        generate_demo(database, cases=24, staff=6, seed=7, today=date(2026, 11, 22))
        yield database
    finally:
        database.dispose()


@pytest.mark.postgres
async def test_postgres_going_away_keeps_the_note_and_saves_it_when_back(
    demo_on_postgres: Database, postgres_url: str
) -> None:
    db = demo_on_postgres
    worker = first_of_role(db, Role.CASEWORKER)
    case_id, _number = cases_of(db, worker)[0]
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await show(pilot, app, NoteEditorScreen(case_id))
        assert isinstance(editor, NoteEditorScreen)
        await wait_for(pilot, lambda: bool(editor.original))
        key = editor.draft_key
        with postgres_away(postgres_url):
            await type_a_note(pilot, editor, "Rang GP")
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: "The database went away" in bar_text(app))
            assert "not currently accepting connections" in bar_text(app)
            assert app.check_action("retry_database", ()) is True  # f5 is offered
            # The editor stays, holding the text, and the draft is on disk.
            assert app.screen is editor
            summary = editor.query_one("#summary", Input).value
            assert summary == "Rang GP"
            draft = DraftStore().load(key)
            assert draft is not None and draft.fields["note"]["summary"] == summary
        # Back: the waiting save goes through on its own, and the caseload shows again.
        await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen), seconds=20)
        table = app.screen.query_one(CaseTable)
        await wait_for(pilot, lambda: (table.total or 0) > 0 and not bar_text(app))
        assert app.check_action("retry_database", ()) is False
    assert "Rang GP" in saved_summaries(db, case_id)
    assert DraftStore().load(key) is None


async def test_a_locked_sqlite_file_waits_and_saves_on_f5(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_MS", 150)
    quick = Database(make_engine(db.engine.url.render_as_string(False)), clock=db.clock)
    worker = first_of_role(quick, Role.CASEWORKER)
    case_id, _number = cases_of(quick, worker)[0]
    other = sqlite3.connect(str(quick.sqlite_file), isolation_level=None)
    app = make_host(quick, worker)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            editor = await show(pilot, app, NoteEditorScreen(case_id))
            assert isinstance(editor, NoteEditorScreen)
            await wait_for(pilot, lambda: bool(editor.original))
            await type_a_note(pilot, editor, "Wrote it")
            other.execute("BEGIN EXCLUSIVE")  # another program writing
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: "locked by another program" in bar_text(app))
            assert bar_text(app).startswith("Waiting for another save to finish — retrying")
            assert app.screen is editor
            assert editor.query_one("#summary", Input).value == "Wrote it"
            other.execute("COMMIT")
            await pilot.press("f5")
            await wait_for(pilot, lambda: not isinstance(app.screen, NoteEditorScreen))
            assert not bar_text(app)
    finally:
        other.close()
        quick.dispose()
    assert "Wrote it" in saved_summaries(db, case_id)
