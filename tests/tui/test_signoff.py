"""Sign-off from the case timeline, typed in as people would: a caseworker sends a note with
``S``, the team's supervisor returns one with a comment and approves another, the approved
note refuses an edit and offers an addendum; an administrator marks an activity type as
needing sign-off with ``S`` on the lists tab. Snapshots of the dialog and of the timeline with
each state, at 80x24 and 120x40 and without colour."""

from __future__ import annotations

from typing import Any

import pytest
from helpers_screens import cases_of, first_of_role, make_host, show, wait_for
from sqlalchemy import select
from textual.widgets import Input, Label, OptionList

from casetui.db.uow import Database
from casetui.domain.actor import Actor
from casetui.domain.enums import Role
from casetui.domain.models import NoteSignoff, Staff
from casetui.repositories.staff import actor_from
from casetui.services import notes as note_service
from casetui.services import signoff
from casetui.tui.screens.administration.lists_tab import ListsTab
from casetui.tui.screens.confirm import ConfirmScreen
from casetui.tui.screens.signoff_dialog import SignoffScreen
from casetui.tui.screens.timeline import TimelineScreen
from casetui.tui.widgets.timeline_list import TimelineList


def team_caseworker(db: Database, supervisor: Actor) -> Actor:
    with db.uow(write=False) as uow:
        staff = (
            uow.session.execute(
                select(Staff)
                .where(Staff.role == Role.CASEWORKER.value, Staff.team_id == supervisor.team_id)
                .order_by(Staff.id)
            )
            .scalars()
            .first()
        )
        assert staff is not None
        return actor_from(staff)


def people(db: Database) -> tuple[Actor, Actor, int, str]:
    """The first supervisor, a caseworker of their team, and one of the caseworker's cases."""
    supervisor = first_of_role(db, Role.SUPERVISOR)
    worker = team_caseworker(db, supervisor)
    case_id, number = cases_of(db, worker)[0]
    return supervisor, worker, case_id, number


def write(db: Database, worker: Actor, number: str, summary: str) -> int:
    note = note_service.add_note(
        db, worker, number, note_service.NoteInput(summary=summary, activity_type="Home visit")
    )
    return note.id


def state(db: Database, note_id: int) -> str | None:
    with db.uow(write=False) as uow:
        row = uow.session.execute(
            select(NoteSignoff).where(NoteSignoff.note_id == note_id)
        ).scalar_one_or_none()
        return None if row is None else row.state


async def open_on(pilot: Any, app: Any, case_id: int, note_id: int) -> TimelineScreen:
    screen = await show(pilot, app, TimelineScreen(case_id))
    listing = screen.query_one(TimelineList)
    await wait_for(pilot, lambda: screen.data is not None and bool(listing.entries))
    listing.move_to(listing.index_of(("note", note_id)))
    await pilot.pause()
    return screen  # type: ignore[return-value]


def line_of(screen: TimelineScreen, note_id: int) -> str:
    listing = screen.query_one(TimelineList)
    index = listing.index_of(("note", note_id))
    assert index is not None
    entry = listing.entries[index]
    return listing.entry_text(entry, listing.size.width, False).plain


async def dialog(pilot: Any, app: Any) -> SignoffScreen:
    await pilot.press("S")
    await wait_for(pilot, lambda: isinstance(app.screen, SignoffScreen))
    await pilot.pause()
    return app.screen  # type: ignore[no-any-return]


def offered(screen: SignoffScreen) -> list[str]:
    options = screen.query_one(OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_a_caseworker_sends_a_note_and_it_shows_awaiting(db: Database) -> None:
    _supervisor, worker, case_id, number = people(db)
    note_id = write(db, worker, number, "Needs assessment at home")
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_on(pilot, app, case_id, note_id)
        assert screen.check_action("signoff", ()) is True
        box = await dialog(pilot, app)
        assert offered(box) == ["Send for sign-off"]
        assert not box.query("#signoff-comment")  # nothing to comment on when sending
        await pilot.press("enter")
        await wait_for(pilot, lambda: state(db, note_id) == "requested")
        await wait_for(pilot, lambda: "to sign off" in line_of(screen, note_id))
        # Waiting: nothing more for its author to do with it.
        assert screen.check_action("signoff", ()) is None


async def test_the_supervisor_returns_a_note_only_with_a_comment(db: Database) -> None:
    supervisor, worker, case_id, number = people(db)
    note_id = write(db, worker, number, "Visited, all fine")
    signoff.request_signoff(db, worker, note_id)
    app = make_host(db, supervisor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_on(pilot, app, case_id, note_id)
        box = await dialog(pilot, app)
        assert offered(box) == [
            "Approve: sign it off, which locks it",
            "Return it to its author with a comment",
        ]
        await pilot.press("down", "enter")
        error = box.query_one("#signoff-error", Label)
        await wait_for(pilot, lambda: "comment: is required" in str(error.render()))
        assert app.screen is box and state(db, note_id) == "requested"
        assert box.query_one("#signoff-comment", Input).has_focus
        await pilot.press(*"Say what you saw", "enter")
        await wait_for(pilot, lambda: state(db, note_id) == "returned")
        await wait_for(pilot, lambda: "returned" in line_of(screen, note_id))
    view = signoff.choices(db, worker, note_id)
    assert view.signoff is not None and view.signoff.comment == "Say what you saw"
    assert view.request  # the author may send it again


async def test_an_approved_note_offers_an_addendum_instead_of_an_edit(db: Database) -> None:
    supervisor, worker, case_id, number = people(db)
    note_id = write(db, worker, number, "Support plan agreed")
    signoff.request_signoff(db, worker, note_id)
    app = make_host(db, supervisor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_on(pilot, app, case_id, note_id)
        await dialog(pilot, app)
        await pilot.press("enter")  # Approve, the first choice
        await wait_for(pilot, lambda: state(db, note_id) == "approved")
        await wait_for(pilot, lambda: "signed off" in line_of(screen, note_id))
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_on(pilot, app, case_id, note_id)
        assert screen.check_action("signoff", ()) is None
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "signed off by a supervisor" in str(app.screen.message)  # type: ignore[attr-defined]


async def test_nobody_is_offered_their_own_note_and_readers_not_at_all(db: Database) -> None:
    supervisor, _worker, case_id, number = people(db)
    own = write(db, supervisor, number, "Supervision held")
    signoff.request_signoff(db, supervisor, own)
    for person, expected in ((supervisor, None), (first_of_role(db, Role.AUDITOR), False)):
        app = make_host(db, person)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_on(pilot, app, case_id, own)
            assert screen.check_action("signoff", ()) is expected


async def test_s_on_the_lists_tab_makes_an_activity_type_need_sign_off(db: Database) -> None:
    from test_administration import open_administration

    admin = first_of_role(db, Role.ADMINISTRATOR)
    app = make_host(db, admin)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_administration(pilot, app, "lists")
        tab = screen.query_one(ListsTab)
        assert tab.current is not None and tab.current.value == "Phone call"
        assert tab.check_action("toggle_signoff", ()) is True
        await pilot.press("S")
        await wait_for(pilot, lambda: tab.current is not None and tab.current.requires_signoff)
        row = "".join(str(c) for c in tab.table.get_row_at(tab.table.cursor_row))
        assert "needs sign-off" in row
    worker = team_caseworker(db, first_of_role(db, Role.SUPERVISOR))
    number = cases_of(db, worker)[0][1]
    sent = note_service.add_note(
        db, worker, number, note_service.NoteInput(summary="Rang", activity_type="Phone call")
    )
    assert sent.signoff is not None and sent.signoff.waiting


# --- snapshots -------------------------------------------------------------------------------

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])


def _three_states(db: Database) -> tuple[Actor, Actor, int, dict[str, int]]:
    supervisor, worker, case_id, number = people(db)
    ids = {
        name: write(db, worker, number, summary)
        for name, summary in (
            ("approved", "Benefits review: forms sent"),
            ("returned", "Visited, all fine"),
            ("waiting", "Needs assessment at home"),
        )
    }
    for note_id in ids.values():
        signoff.request_signoff(db, worker, note_id)
    signoff.approve(db, supervisor, ids["approved"], comment="Clear")
    signoff.return_note(db, supervisor, ids["returned"], "Say what you saw and what comes next")
    return supervisor, worker, case_id, ids


def _timeline_with_states(snap_compare: Any, db: Database, size: tuple[int, int]) -> bool:
    _supervisor, worker, case_id, ids = _three_states(db)
    app = make_host(db, worker)

    async def run_before(pilot: Any) -> None:
        await open_on(pilot, app, case_id, ids["returned"])
        await pilot.press("enter")  # opened: the comment is under it
        await wait_for(pilot, lambda: app.screen.query_one(TimelineList).is_expanded(
            app.screen.query_one(TimelineList).highlighted))  # fmt: skip
        await app.workers.wait_for_complete()
        await pilot.pause()

    return bool(snap_compare(app, terminal_size=size, run_before=run_before))


def _dialog(snap_compare: Any, db: Database, size: tuple[int, int]) -> bool:
    supervisor, _worker, case_id, ids = _three_states(db)
    app = make_host(db, supervisor)

    async def run_before(pilot: Any) -> None:
        await open_on(pilot, app, case_id, ids["waiting"])
        box = await dialog(pilot, app)
        await app.workers.wait_for_complete()
        for field in box.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    return bool(snap_compare(app, terminal_size=size, run_before=run_before))


@SIZES
def test_timeline_with_sign_off_states_snapshot(snap_compare, db: Database, size) -> None:  # type: ignore[no-untyped-def]
    assert _timeline_with_states(snap_compare, db, size)


@SIZES
def test_signoff_dialog_snapshot(snap_compare, db: Database, size) -> None:  # type: ignore[no-untyped-def]
    assert _dialog(snap_compare, db, size)


def test_timeline_with_sign_off_states_snapshot_without_colour(  # type: ignore[no-untyped-def]
    snap_compare, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert _timeline_with_states(snap_compare, db, (80, 24))


def test_signoff_dialog_snapshot_without_colour(  # type: ignore[no-untyped-def]
    snap_compare, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert _dialog(snap_compare, db, (80, 24))
