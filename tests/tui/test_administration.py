"""The administration screen: reached with A from the caseload by administrators only; each
tab's main action done from the keyboard, the services' refusals shown in place; and the
forced password change at first sign-in."""

from __future__ import annotations

from typing import Any

import pytest
from helpers_screens import (  # noqa: F401
    actor,
    cases_of,
    first_of_role,
    make_host,
    private_drafts,
    show,
    snapshot_of,
    wait_for,
)
from textual.widgets import Input, Label, Select, Static

from casetui.db.uow import Database
from casetui.domain.enums import Role
from casetui.domain.errors import PermissionDenied
from casetui.services import auth, settings, staff, teams
from casetui.services.auth import PasswordChangeNeeded
from casetui.tui.app import make_app
from casetui.tui.screens.administration import AdministrationScreen
from casetui.tui.screens.administration.lists_tab import ListsTab
from casetui.tui.screens.administration.settings_tab import SettingsTab
from casetui.tui.screens.administration.staff_form import StaffFormScreen
from casetui.tui.screens.administration.staff_tab import StaffTab, state
from casetui.tui.screens.administration.teams_tab import TeamsTab
from casetui.tui.screens.caseload import CaseloadScreen
from casetui.tui.screens.choice import ChoiceScreen
from casetui.tui.screens.confirm import ConfirmScreen
from casetui.tui.screens.new_password import NewPasswordScreen

ROLES = [Role.CASEWORKER, Role.SUPERVISOR, Role.ADMINISTRATOR, Role.AUDITOR]


@pytest.fixture(autouse=True)
def _no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "_sleep", lambda seconds: None)


async def open_administration(pilot: Any, app: Any, tab: str = "staff") -> AdministrationScreen:
    """A from the caseload, then ] to the tab, its data loaded."""
    await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen))
    await pilot.press("A")
    await wait_for(pilot, lambda: isinstance(app.screen, AdministrationScreen))
    screen = app.screen
    for _ in range(("staff", "teams", "settings", "lists").index(tab)):
        await pilot.press("right_square_bracket")
    await wait_for(pilot, lambda: loaded(screen, tab))
    return screen


def loaded(screen: AdministrationScreen, tab: str) -> bool:
    if tab == "settings":
        return screen.query_one(SettingsTab).view is not None
    kind = {"staff": StaffTab, "teams": TeamsTab, "lists": ListsTab}[tab]
    return bool(screen.query_one(kind).loaded) and screen.tab == tab


async def type_into(pilot: Any, field: Input, text: str) -> None:
    field.focus()
    await pilot.press("end", "ctrl+u", *text)


def notified(app: Any, words: str) -> bool:
    return any(words in str(n.message) for n in app._notifications)


# --- who sees it -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
async def test_only_administrators_are_offered_administration(db: Database, role: Role) -> None:
    person = first_of_role(db, role)
    app = make_host(db, person)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen))
        offered = app.screen.check_action("administration", ())
        await pilot.press("A")
        await pilot.pause()
        opened = isinstance(app.screen, AdministrationScreen)
    try:
        teams.list_teams(db, person)
        allowed = True
    except PermissionDenied:
        allowed = False
    assert offered is allowed and opened is allowed
    assert allowed is (role is Role.ADMINISTRATOR)


# --- staff -------------------------------------------------------------------------------------


async def test_adding_someone_shows_their_temporary_password_once(db: Database) -> None:
    app = make_host(db, actor(db, "admin"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_administration(pilot, app)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, StaffFormScreen))
        form = app.screen
        await type_into(pilot, form.query_one("#username", Input), "zara")
        await type_into(pilot, form.query_one("#display-name", Input), "Zara Ahmed")
        form.query_one("#team", Select).value = teams.list_teams(db, actor(db, "admin"))[0].name
        await type_into(pilot, form.query_one("#capacity", Input), "30")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        shown = str(app.screen.query_one(".message", Static).render())
        password = shown.split("password:")[1].split()[0]
        await pilot.press("enter")
        tab = screen.query_one(StaffTab)
        await wait_for(pilot, lambda: any(p.username == "zara" for p in tab.people))
        assert tab.current is not None and tab.current.username == "zara"
        assert state(tab.current) == "temporary password"
    added = staff.staff_member(db, actor(db, "admin"), "zara")
    assert (added.display_name, added.capacity_hours, added.must_change_password) == (
        "Zara Ahmed",
        30.0,
        True,
    )
    with pytest.raises(PasswordChangeNeeded):
        auth.sign_in(db, "zara", password)


async def test_the_form_shows_each_refusal_under_its_field(db: Database) -> None:
    app = make_host(db, actor(db, "admin"))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_administration(pilot, app)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, StaffFormScreen))
        form = app.screen
        await type_into(pilot, form.query_one("#username", Input), "Not Valid")
        await type_into(pilot, form.query_one("#capacity", Input), "500")
        await pilot.press("ctrl+s")
        errors = form.query_one("#username-error", Label), form.query_one("#capacity-error", Label)
        await wait_for(pilot, lambda: all(e.has_class("-shown") for e in errors))
        assert "lower-case letters" in str(errors[0].render())
        assert "between 0 and 168" in str(errors[1].render())
        assert form.query_one("#display-name-error", Label).has_class("-shown")
        assert isinstance(app.screen, StaffFormScreen)  # nothing saved; the form stays


async def test_deactivating_someone_who_holds_cases_is_refused_with_the_count(
    db: Database,
) -> None:
    admin = actor(db, "admin")
    worker = first_of_role(db, Role.CASEWORKER)
    app = make_host(db, admin)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_administration(pilot, app)
        tab = screen.query_one(StaffTab)
        tab.table.move_cursor(row=tab.table.keys.index(worker.username))
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: notified(app, "a supervisor must reassign them"))
        assert staff.staff_member(db, admin, worker.username).active is True


async def test_deactivate_reactivate_and_reset_a_password(db: Database) -> None:
    admin = actor(db, "admin")
    staff.create_staff(db, admin, staff.StaffInput("yusuf", "Yusuf Ali", team=None))
    app = make_host(db, admin)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_administration(pilot, app)
        tab = screen.query_one(StaffTab)
        tab.table.move_cursor(row=tab.table.keys.index("yusuf"))
        await pilot.pause()
        assert tab.check_action("reactivate", ()) is not True
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: tab.current is not None and not tab.current.active)
        assert "deactivated" in "".join(str(c) for c in tab.table.get_row_at(tab.table.cursor_row))
        await pilot.press("r")
        await wait_for(pilot, lambda: tab.current is not None and tab.current.active)

        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        shown = str(app.screen.query_one(".message", Static).render())
        password = shown.split("password:")[1].split()[0]
    with pytest.raises(PasswordChangeNeeded):
        auth.sign_in(db, "yusuf", password)


async def test_an_edit_is_saved_from_the_form(db: Database) -> None:
    admin = actor(db, "admin")
    worker = first_of_role(db, Role.CASEWORKER)
    app = make_host(db, admin)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_administration(pilot, app)
        tab = screen.query_one(StaffTab)
        tab.table.move_cursor(row=tab.table.keys.index(worker.username))
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, StaffFormScreen))
        form = app.screen
        await type_into(pilot, form.query_one("#capacity", Input), "18")
        form.query_one("#grant-reports").focus()
        await pilot.press("space", "ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, AdministrationScreen))
        await wait_for(pilot, lambda: tab.current is not None and tab.current.capacity_hours == 18)
    saved = staff.staff_member(db, admin, worker.username)
    assert saved.capacity_hours == 18 and "reports" in {g.value for g in saved.grants}


# --- teams -------------------------------------------------------------------------------------


async def test_a_team_is_added_and_given_a_supervisor(db: Database) -> None:
    admin = actor(db, "admin")
    supervisor = first_of_role(db, Role.SUPERVISOR)
    app = make_host(db, admin)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_administration(pilot, app, "teams")
        tab = screen.query_one(TeamsTab)
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is not screen)
        await pilot.press(*"East Team", "enter")
        await wait_for(pilot, lambda: any(t.name == "East Team" for t in tab.teams))
        assert tab.current is not None and tab.current.name == "East Team"
        await pilot.press("s")
        await wait_for(pilot, lambda: app.screen is not screen)
        picker = app.screen
        place = [value for _label, value in picker.choices].index(supervisor.username)
        for _ in range(place):
            await pilot.press("down")
        await pilot.press("space", "enter")
        await wait_for(pilot, lambda: tab.current is not None and tab.current.supervisors)
    east = next(t for t in teams.list_teams(db, admin) if t.name == "East Team")
    assert east.supervisors == (supervisor.username,)
    assert auth.sign_in(db, supervisor.username, "demo").team_id == east.id


# --- settings ----------------------------------------------------------------------------------


async def test_settings_save_and_say_what_they_change(db: Database) -> None:
    admin = actor(db, "admin")
    app = make_host(db, admin)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_administration(pilot, app, "settings")
        tab = screen.query_one(SettingsTab)
        await type_into(pilot, tab.query_one("#setting-lock-days", Input), "0")
        await type_into(pilot, tab.query_one("#setting-currency", Input), "pounds")
        await pilot.press("ctrl+s")
        errors = [tab.query_one(f"#setting-{k}-error", Label) for k in ("lock-days", "currency")]
        await wait_for(pilot, lambda: all(e.has_class("-shown") for e in errors))
        assert "lock days: must be a whole number from 1 to 365" in str(errors[0].render())
        assert settings.get_settings(db, admin).lock_days == 14

        await type_into(pilot, tab.query_one("#setting-lock-days", Input), "7")
        await type_into(pilot, tab.query_one("#setting-currency", Input), "eur")
        await pilot.press("ctrl+s")
        said = tab.query_one("#settings-said", Static)
        await wait_for(pilot, lambda: "Saved" in str(said.render()))
        assert "more notes locked" in str(said.render())
        assert tab.query_one("#setting-currency", Input).value == "EUR"
        assert not any(e.has_class("-shown") for e in errors)
    saved = settings.get_settings(db, admin)
    assert (saved.lock_days, saved.currency) == (7, "EUR")


async def test_leaving_with_unsaved_settings_asks_first(db: Database) -> None:
    app = make_host(db, actor(db, "admin"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_administration(pilot, app, "settings")
        await type_into(pilot, screen.query_one("#setting-stale-days", Input), "9")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is screen)
        await pilot.press("escape", "y")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen))


# --- lists -------------------------------------------------------------------------------------


async def test_list_items_are_added_moved_retired_and_restored(db: Database) -> None:
    admin = actor(db, "admin")
    app = make_host(db, admin)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_administration(pilot, app, "lists")
        tab = screen.query_one(ListsTab)
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is not screen)
        await pilot.press(*"Court visit", "enter")
        await wait_for(pilot, lambda: tab.items and tab.items[-1].value == "Court visit")
        assert tab.current is not None and tab.current.value == "Court visit"
        await pilot.press("K")
        await wait_for(pilot, lambda: tab.items[-2].value == "Court visit")
        await pilot.press("x")
        await wait_for(pilot, lambda: tab.current is not None and tab.current.retired)
        row = "".join(str(c) for c in tab.table.get_row_at(tab.table.cursor_row))
        assert "retired" in row
        assert "Court visit" not in settings.get_settings(db, admin).activity_types
        await pilot.press("x")
        await wait_for(pilot, lambda: tab.current is not None and not tab.current.retired)
    assert settings.get_settings(db, admin).activity_types[-2] == "Court visit"


async def test_another_list_is_picked_and_an_item_renamed(db: Database) -> None:
    admin = actor(db, "admin")
    app = make_host(db, admin)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_administration(pilot, app, "lists")
        tab = screen.query_one(ListsTab)
        tab.query_one("#list-kind", Select).value = "pathway"
        first = settings.get_settings(db, admin).pathways[0]
        await wait_for(pilot, lambda: bool(tab.items) and tab.items[0].value == first)
        await pilot.press("e")
        await wait_for(pilot, lambda: app.screen is not screen)
        await pilot.press("end", "ctrl+u", *"Housing First", "enter")
        await wait_for(pilot, lambda: tab.items[0].value == "Housing First")
    assert settings.get_settings(db, admin).pathways[0] == "Housing First"


# --- the first sign-in with a temporary password -------------------------------------------------


async def test_a_temporary_password_leads_straight_to_choosing_ones_own(db: Database) -> None:
    admin = actor(db, "admin")
    staff.add_staff(db, admin, staff.StaffInput("zara", "Zara Ahmed"), "first-day-7731")
    app = make_app(db, None, username="zara")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: bool(app.screen.query("#login-password")))
        password = app.screen.query_one("#login-password", Input)
        await wait_for(pilot, lambda: app.screen.focused is password)
        await pilot.press(*"first-day-7731", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, NewPasswordScreen))
        await pilot.press(*"short", "enter", *"short", "enter")
        error = app.screen.query_one("#new-password-error", Label)
        await wait_for(pilot, lambda: "at least 8" in str(error.render()))
        await pilot.press(*"my own secret 42", "enter", *"my own secret 42", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen))
        assert app.actor is not None and app.actor.username == "zara"
    assert auth.sign_in(db, "zara", "my own secret 42").username == "zara"


async def test_a_temporary_password_from_the_environment_asks_for_a_new_one(
    db: Database,
) -> None:
    admin = actor(db, "admin")
    staff.add_staff(db, admin, staff.StaffInput("zara", "Zara Ahmed"), "first-day-7731")
    app = make_app(db, None, username="zara", password="first-day-7731")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, NewPasswordScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "LoginScreen")
        said = str(app.screen.query_one("#login-error", Static).render())
        assert "temporary" in said


# --- pictures ----------------------------------------------------------------------------------


SNAPSHOTS = [
    ("staff", (80, 24)),
    ("staff", (120, 40)),
    ("teams", (80, 24)),
    ("settings", (80, 24)),
    ("lists", (80, 24)),
]


@pytest.mark.parametrize(
    ("tab", "size"), SNAPSHOTS, ids=[f"{tab}-{w}x{h}" for tab, (w, h) in SNAPSHOTS]
)
def test_administration_snapshot(  # type: ignore[no-untyped-def]
    snap_compare, snapshot_app, db: Database, tab: str, size: tuple[int, int]
) -> None:
    app = snapshot_app(db, actor(db, "admin"))

    async def run_before(pilot: Any) -> None:
        await open_administration(pilot, app, tab)
        await app.workers.wait_for_complete()  # the unread count in the corner too
        for field in app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


async def test_a_note_keeps_its_retired_activity_in_the_editor(db: Database) -> None:
    from casetui.services.lists import retire_item
    from casetui.services.notes import NoteInput, add_note
    from casetui.tui.screens.note_editor import NoteEditorScreen

    admin = actor(db, "admin")
    worker = first_of_role(db, Role.CASEWORKER)
    number = cases_of(db, worker)[0]
    note = add_note(
        db, worker, number[1], NoteInput(summary="Wrote a letter", activity_type="Letter")
    )
    retire_item(db, admin, "activity_types", "Letter")
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await show(pilot, app, NoteEditorScreen(number[0], note.id))
        await wait_for(pilot, lambda: bool(editor.original))
        assert editor.query_one("#activity-type", Select).value == "Letter"
        offered = [value for _label, value in editor.query_one("#activity-type", Select)._options]
        assert offered.count("Letter") == 1
