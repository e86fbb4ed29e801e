"""The inbox (ctrl+n on every screen) and the unread count at the top right of every screen."""

from __future__ import annotations

import time
from datetime import UTC, datetime

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
from sqlalchemy import insert, select

from casetui.db.uow import Database
from casetui.domain.actor import Actor
from casetui.domain.enums import Role
from casetui.domain.models import Notification, Staff
from casetui.services import cases as case_service
from casetui.services import notifications
from casetui.tui.screens.caseload import CaseloadScreen
from casetui.tui.screens.inbox import InboxScreen
from casetui.tui.screens.search import SearchScreen
from casetui.tui.screens.timeline import TimelineScreen
from casetui.tui.unread import UnreadCount
from casetui.tui.widgets.inbox_list import InboxList


def badge_text(app: object) -> str | None:
    """What the corner of the current screen says, or None when it shows nothing."""
    badges = app.screen.query(UnreadCount)  # type: ignore[attr-defined]
    if not badges or not badges.first().display:
        return None
    return str(badges.first().render())


def given_a_case(db: Database, worker: Actor) -> str:
    """A supervisor of the worker's team gives them a case of a colleague's: news for them."""
    with db.uow(write=False) as uow:
        supervisor = uow.session.execute(
            select(Staff.username).where(
                Staff.role == "supervisor", Staff.team_id == worker.team_id
            )
        ).scalar_one()
        colleague = (
            uow.session.execute(
                select(Staff.username)
                .where(
                    Staff.role == "caseworker",
                    Staff.team_id == worker.team_id,
                    Staff.id != worker.id,
                    Staff.active.is_(True),  # type: ignore[attr-defined]
                )
                .order_by(Staff.id)
            )
            .scalars()
            .first()
        )
    assert colleague is not None
    number = cases_of(db, actor(db, colleague))[0][1]
    case_service.reassign(db, actor(db, supervisor), number, worker.username)
    return number


def unread(db: Database, person: Actor) -> int:
    return notifications.unread_count(db, person)


async def test_the_unread_count_is_in_the_corner_of_every_screen(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(
            pilot, lambda: isinstance(app.screen, CaseloadScreen) and app.unread is not None
        )
        count = unread(db, worker)
        assert count > 0  # the demo's overdue tasks, delivered by reading the count
        assert badge_text(app) == f"^n inbox: {count} unread"
        case_id = cases_of(db, worker)[0][0]
        await show(pilot, app, TimelineScreen(case_id))
        await wait_for(pilot, lambda: badge_text(app) is not None)
        assert badge_text(app) == f"^n inbox: {count} unread"
        # News arriving while the app is open shows after the next write the app makes or hears of.
        given_a_case(db, worker)  # with its overdue task, now the new worker's
        app.caseload_changed()
        now = unread(db, worker)
        assert now > count
        await wait_for(pilot, lambda: badge_text(app) == f"^n inbox: {now} unread")


async def test_ctrl_n_opens_the_inbox_from_any_screen_even_a_text_field(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen))
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen))
        await pilot.press(*"ab")  # typing in the search box
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: isinstance(app.screen, InboxScreen))
        await pilot.press("ctrl+n")  # already there: stays, not a second inbox
        assert sum(isinstance(s, InboxScreen) for s in app.screen_stack) == 1
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen))


async def test_the_inbox_lists_newest_first_and_r_marks_one_read(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    number = given_a_case(db, worker)
    app = make_host(db, worker)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await show(pilot, app, InboxScreen())
        listing = screen.query_one(InboxList)
        await wait_for(pilot, lambda: bool(listing.notifications))
        page = notifications.inbox(db, worker)
        ids = [n.id for n in listing.notifications]
        assert ids == [n.id for n in page.notifications] and ids == sorted(ids, reverse=True)
        at = next(i for i, n in enumerate(listing.notifications) if n.kind == "case_assigned")
        given = listing.notifications[at]
        assert given.case_number == number
        line = listing.line_text(given, 120).plain
        assert line.startswith("● Case assigned") and number in line
        assert "Assigned to you as primary worker by" in line and line.rstrip().endswith("just now")
        before = unread(db, worker)
        listing.move_to(at)
        await pilot.pause()
        await pilot.press("r")
        await wait_for(pilot, lambda: listing.notifications[at].read, seconds=3)
        assert listing.cursor == min(at + 1, listing.total - 1)  # on to the next, if any
        assert unread(db, worker) == before - 1
        assert listing.line_text(listing.notifications[at], 120).plain.startswith("  Case assigned")
        await wait_for(pilot, lambda: badge_text(app) == f"^n inbox: {before - 1} unread")
        assert str(screen.query_one("#inbox-title").render()) == (
            f"Inbox · {before - 1} unread of {page.total}"
        )


async def test_R_marks_all_read_and_u_shows_only_the_unread(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    given_a_case(db, worker)
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await show(pilot, app, InboxScreen())
        listing = screen.query_one(InboxList)
        await wait_for(pilot, lambda: bool(listing.notifications))
        total = listing.total
        await pilot.press("r")  # one read: the unread view holds one fewer
        await wait_for(pilot, lambda: listing.notifications[0].read)
        await pilot.press("u")
        await wait_for(pilot, lambda: screen.page is not None and listing.total == total - 1)
        assert not any(n.read for n in listing.notifications)
        await pilot.press("R")
        await wait_for(pilot, lambda: listing.total == 0 and screen.has_class("-empty"))
        assert unread(db, worker) == 0
        await wait_for(pilot, lambda: badge_text(app) == "^n inbox")
        assert not screen.check_action("mark_all_read", ())  # nothing left to mark
        await pilot.press("u")
        await wait_for(pilot, lambda: listing.total == total)
        assert all(n.read for n in listing.notifications)


async def test_enter_opens_the_case_and_marks_it_read(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    given_a_case(db, worker)
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await show(pilot, app, InboxScreen())
        listing = screen.query_one(InboxList)
        await wait_for(pilot, lambda: bool(listing.notifications))
        first = listing.notifications[0]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TimelineScreen))
        timeline: TimelineScreen = app.screen  # type: ignore[assignment]
        await wait_for(pilot, lambda: timeline.data is not None)
        assert timeline.data is not None and timeline.data.case.case_number == first.case_number
        newest = notifications.inbox(db, worker).notifications[0]
        assert newest.id == first.id and newest.read
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen and listing.notifications[0].read)


async def test_thousands_of_notifications_page_in_as_the_reader_goes(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    at = datetime(2026, 1, 1, tzinfo=UTC)
    with db.engine.begin() as conn:
        conn.execute(
            insert(Notification),
            [{"staff_id": worker.id, "kind": "case_assigned", "case_id": None,
              "event_key": f"older:{i}", "text": f"Older news {i}", "created_at": at}
             for i in range(5000)],
        )  # fmt: skip
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24)) as pilot:
        started = time.monotonic()
        screen = await show(pilot, app, InboxScreen())
        listing = screen.query_one(InboxList)
        await wait_for(pilot, lambda: bool(listing.notifications))
        assert listing.total > 5000 and len(listing.notifications) == notifications.PAGE
        await pilot.press("end")
        await wait_for(pilot, lambda: listing.cursor == listing.total - 1, seconds=30)
        assert listing.highlighted is not None and listing.highlighted.text == "Older news 0"
        assert len(listing.notifications) == listing.total
        assert time.monotonic() - started < 20


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_inbox_snapshot(snap_compare, db: Database, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    worker = first_of_role(db, Role.CASEWORKER)
    given_a_case(db, worker)
    app = make_host(db, worker)
    screen = InboxScreen()
    ready = lambda: screen.page is not None  # noqa: E731
    # One read (r moves on to the next): both looks in the picture.
    assert snap_compare(app, terminal_size=size, run_before=snapshot_of(app, screen, ready, ("r",)))


async def test_a_count_asked_for_as_the_app_closes_is_left_alone(db: Database) -> None:
    """Quitting the moment the caseload paints: following the count comes after the app has
    stopped running, and must not fail the exit."""
    from casetui.tui.app import make_app

    app = make_app(db)  # nobody signed in: nothing follows the count yet
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
    app.follow_unread()
    assert app.unread is None
