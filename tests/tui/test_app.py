"""The app around the caseload: signing in, database problems, help, the command palette,
refetching after writes, and snapshots of each screen."""

from __future__ import annotations

from pathlib import Path

from casetui.db.engine import make_engine
from casetui.db.migrate import upgrade
from casetui.db.uow import Database
from casetui.services.cases import CaseInput, open_case
from casetui.services.clients import ClientInput, register_client
from casetui.tui.screens.caseload import CaseloadScreen
from casetui.tui.screens.help import HelpScreen
from casetui.tui.screens.login import WRONG, LoginScreen
from casetui.tui.screens.problem import ProblemScreen
from casetui.tui.widgets.case_table import CaseTable
from casetui.tui.widgets.safe_text import literal, visible

# --- showing text literally ---------------------------------------------------------------


def test_control_and_bidi_characters_become_visible():
    assert visible("a\x1b[2Jb") == "a␛[2Jb"
    assert visible("tab\there\nnext\x7f") == "tab␉here␤next␡".replace("␤", "\u240a")
    assert visible("\x9b31m") == "\\x9b31m"
    assert visible("left\u202eright\u2066") == "left\\u202eright\\u2066"
    assert visible("[bold]plain[/]") == "[bold]plain[/]"


def test_literal_text_never_parses_markup():
    text = literal("[bold red]x[/]")
    assert text.plain == "[bold red]x[/]"
    assert not text.spans


# --- signing in -----------------------------------------------------------------------------


async def test_login_refuses_a_wrong_password_and_accepts_the_right_one(
    db, caseworker, make_app, settle
):
    async with make_app(db, None, username=caseworker) as pilot:
        screen = pilot.app.screen
        assert isinstance(screen, LoginScreen)
        await pilot.press(*"wrong", "enter")
        await settle(pilot)
        assert str(screen.query_one("#login-error").render()) == WRONG
        assert screen.query_one("#login-password").value == ""
        await pilot.press(*"demo", "enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CaseloadScreen)
        assert pilot.app.actor is not None and pilot.app.actor.username == caseworker


async def test_a_password_from_the_environment_signs_in_without_asking(db, caseworker, make_app):
    async with make_app(db, None, username=caseworker, password="demo") as pilot:
        assert isinstance(pilot.app.screen, CaseloadScreen)


# --- database problems ----------------------------------------------------------------------


async def test_a_database_without_a_schema_shows_the_problem_and_retries(
    tmp_path: Path, make_app, settle
):
    database = Database(make_engine(f"sqlite:///{tmp_path / 'empty.db'}"))
    try:
        async with make_app(database, None, username="nobody") as pilot:
            screen = pilot.app.screen
            assert isinstance(screen, ProblemScreen)
            assert "casetui init" in str(screen.query_one("#problem-message").render())
            await pilot.press("r")
            await settle(pilot)
            assert isinstance(pilot.app.screen, ProblemScreen), "still no schema: still the problem"
            upgrade(database.engine)
            await pilot.press("r")
            await settle(pilot)
            assert isinstance(pilot.app.screen, LoginScreen), "schema there, nobody known: sign in"
    finally:
        database.dispose()


async def test_a_database_that_cannot_be_opened_is_a_problem_not_a_traceback(make_app):
    def cannot_open() -> Database:
        raise RuntimeError("no such driver")

    async with make_app(None, None, opener=cannot_open) as pilot:
        assert isinstance(pilot.app.screen, ProblemScreen)
        await pilot.press("q")
    assert pilot.app.return_code == 1


# --- help and the command palette -------------------------------------------------------------


async def test_help_lists_every_key_of_the_screen_and_the_app(db, actor_for, supervisor, make_app):
    async with make_app(db, actor_for(supervisor)) as pilot:
        await pilot.press("f1")
        help_screen = pilot.app.screen
        assert isinstance(help_screen, HelpScreen)
        described = {(a.group, a.description) for a in help_screen.actions}
        for expected in [
            ("Caseload table", "Open"), ("Caseload table", "Select"), ("Caseload table", "Page down"),
            ("Caseload", "Filter"), ("Caseload", "Filter by status"), ("Caseload", "Bulk note"),
            ("Caseload", "Sort by client"), ("Everywhere", "Help"), ("Everywhere", "Quit"),
        ]:  # fmt: skip
            assert expected in described
        shown = str(help_screen.query_one("#help-keys Static").render())
        assert "Filter by worker" in shown and "ctrl+p" in shown
        await pilot.press("escape")
        assert isinstance(pilot.app.screen, CaseloadScreen)


async def test_a_remapped_key_works_and_help_shows_it(db, actor_for, supervisor, make_app, settle):
    async with make_app(db, actor_for(supervisor)) as pilot:
        pilot.app.set_keymap({"caseload.pick_status": "f6"})
        await pilot.press("f6")
        await settle(pilot)
        assert type(pilot.app.screen).__name__ == "ChoicePicker"
        await pilot.press("escape", "f1")
        assert ("f6", "Filter by status") in {
            (a.key, a.description) for a in pilot.app.screen.actions
        }


async def test_the_command_palette_runs_screen_actions(db, actor_for, caseworker, make_app, settle):
    async with make_app(db, actor_for(caseworker)) as pilot:
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"workload")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert type(pilot.app.screen).__name__ == "WorkloadScreen"
        await pilot.press("c")
        assert isinstance(pilot.app.screen, CaseloadScreen)


# --- writes elsewhere show in the caseload ------------------------------------------------------


async def test_caseload_changed_fetches_the_rows_again(db, actor_for, make_app, settle):
    admin = actor_for("admin")
    async with make_app(db, admin) as pilot:
        table = pilot.app.screen.query_one(CaseTable)
        before = table.total
        client_id = register_client(db, admin, ClientInput(name="Newly Registered"))
        open_case(db, admin, CaseInput(client_id=client_id))
        pilot.app.caseload_changed()
        await settle(pilot)
        assert before is not None and table.total == before + 1


# --- snapshots ------------------------------------------------------------------------------------


def test_snapshot_caseload_80x24(
    db, actor_for, caseworker, snapshot_app, ready_for_snapshot, snap_compare
):
    app = snapshot_app(db, actor_for(caseworker))
    assert snap_compare(app, terminal_size=(80, 24), run_before=ready_for_snapshot)


def test_snapshot_caseload_120x40(
    db, actor_for, supervisor, snapshot_app, ready_for_snapshot, snap_compare
):
    app = snapshot_app(db, actor_for(supervisor))
    assert snap_compare(app, press=["space", "down", "space"], terminal_size=(120, 40),
                        run_before=ready_for_snapshot)  # fmt: skip


def test_snapshot_login(db, caseworker, snapshot_app, ready_for_snapshot, snap_compare):
    app = snapshot_app(db, None, username=caseworker)
    assert snap_compare(app, terminal_size=(80, 24), run_before=ready_for_snapshot)


def test_snapshot_help(db, actor_for, caseworker, snapshot_app, ready_for_snapshot, snap_compare):
    app = snapshot_app(db, actor_for(caseworker))
    assert snap_compare(app, press=["f1"], terminal_size=(80, 24), run_before=ready_for_snapshot)
