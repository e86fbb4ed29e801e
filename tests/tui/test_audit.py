"""The audit trail screen: reached from the caseload by those who may read it, filtered from
the keyboard, each event opened in full and shown exactly as stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from helpers_screens import (  # noqa: F401
    NOW,
    actor,
    cases_of,
    first_of_role,
    make_host,
    private_drafts,
    show,
    snapshot_of,
    wait_for,
)
from textual.widgets import DataTable, Static

from casetui.db.uow import Database
from casetui.domain.actor import Actor
from casetui.domain.enums import Role
from casetui.domain.filters import CaseFilter
from casetui.repositories.cases import CaseRepository
from casetui.services import cases as case_service
from casetui.services.bulk_notes import bulk_add_notes
from casetui.services.notes import NoteInput, add_note
from casetui.services.settings import get_settings
from casetui.tui.commands import key_actions
from casetui.tui.screens.audit_event import AuditEventScreen
from casetui.tui.screens.audit_trail import AuditTrailScreen
from casetui.tui.widgets.audit_text import change_summary
from casetui.tui.widgets.event_table import columns_for

MARKUP = "[bold red]Rent[/] arrears \x1b[2J plan"


@dataclass(frozen=True)
class Trail:
    admin: Actor
    worker: Actor
    case_number: str  # the worker's case with this test's notes and status change
    earlier_note: int  # written ten days before the others


def write_trail(db: Database, *, bulk: int = 0) -> Trail:
    """Notes by a caseworker (one ten days back, one with markup), a status change, and
    optionally a bulk note to ``bulk`` cases: all through the services, as the app writes."""
    admin, worker = actor(db, "admin"), first_of_role(db, Role.CASEWORKER)
    numbers = [number for _id, number in cases_of(db, worker)]
    earlier = Database(db.engine, clock=lambda: NOW - timedelta(days=10))
    kind = get_settings(earlier, worker).activity_types[0]
    first = add_note(
        earlier, worker, numbers[0], NoteInput(summary="Ten days back", activity_type=kind)
    )
    add_note(db, worker, numbers[0], NoteInput(summary=MARKUP, activity_type=kind))
    case_service.change_status(db, admin, numbers[0], "Paused")
    if bulk:
        with db.uow(write=False) as uow:
            every = [
                c.case_number
                for c in CaseRepository(uow.session, admin).rows(CaseFilter(), limit=bulk)
            ]
        bulk_add_notes(db, admin, every, NoteInput(summary="Group", activity_type=kind))
    return Trail(admin, worker, numbers[0], first.id)


async def open_trail(pilot, app) -> AuditTrailScreen:  # type: ignore[no-untyped-def]
    await wait_for(pilot, lambda: type(app.screen).__name__ == "CaseloadScreen")
    await pilot.press("a")
    await wait_for(pilot, lambda: isinstance(app.screen, AuditTrailScreen) and app.screen.page)
    return app.screen


async def apply(pilot, screen: AuditTrailScreen, box: str, text: str) -> None:  # type: ignore[no-untyped-def]
    """Type into one filter box and press enter, as a user would; wait for the new page."""
    before = screen.page
    screen.query_one(f"#audit-{box}").focus()
    await pilot.press("end", "ctrl+u", *text, "enter")
    refused = screen.query_one("#audit-in-force")
    await wait_for(pilot, lambda: screen.page is not before or refused.has_class("-error"))


def test_a_change_reads_as_before_and_after() -> None:
    assert change_summary('{"status":"Open","version":1}', '{"status":"Paused","version":2}') == (
        "status Open→Paused"
    )
    assert change_summary('{"version":1}', '{"version":2}') == "version 1→2"
    assert change_summary(None, '{"restricted":false,"summary":"Phoned","zone":"x"}') == (
        "+ summary=Phoned, zone=x"
    )
    assert change_summary('{"tags":["a","b"]}', None) == "− tags=a, b"
    # A note's own words wait for the opened event, where reading a restricted one is audited.
    restricted = '{"details":"Disclosed","restricted":true,"summary":"Visit"}'
    assert change_summary(None, restricted) == "+ summary=Visit, details=…, restricted=yes"
    assert change_summary('{"details":"a"}', '{"details":"b"}') == "details …→…"
    assert [c.key for c, _w in columns_for(78)] == ["when", "who", "action", "case", "change"]
    assert "record" in [c.key for c, _w in columns_for(118)]
    assert sum(w + 2 for _c, w in columns_for(78)) + 1 == 78


async def test_administrator_browses_and_filters_by_person_case_and_date(db: Database) -> None:
    trail = write_trail(db)
    app = make_host(db, trail.admin)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_trail(pilot, app)
        assert screen.page is not None
        newest = screen.page.events[0]
        assert (newest.action, newest.actor_username) == ("case.status", "admin")
        table = screen.query_one(DataTable)
        assert table.row_count == len(screen.page.events)
        assert "Open→Paused" in "".join(str(c) for c in table.get_row_at(0))

        await apply(pilot, screen, "person", trail.worker.username)
        assert {e.actor_username for e in screen.page.events} == {trail.worker.username}
        assert "status" not in {e.action.split(".")[-1] for e in screen.page.events}

        await apply(pilot, screen, "person", "")
        await apply(pilot, screen, "case", trail.case_number)
        assert {e.case_number for e in screen.page.events} == {trail.case_number}
        assert [e.action for e in screen.page.events][:3] == ["case.status", "note.add", "note.add"]

        await apply(pilot, screen, "since", "-12d")
        await apply(pilot, screen, "until", "-8d")
        assert [e.entity_id for e in screen.page.events] == [str(trail.earlier_note)]
        shown = str(screen.query_one("#audit-in-force", Static).render())
        assert "From Tue 2026-11-10" in shown and "To Sat 2026-11-14" in shown

        await apply(pilot, screen, "since", "someday")
        line = screen.query_one("#audit-in-force", Static)
        assert line.has_class("-error") and "from: could not understand" in str(line.render())


async def test_enter_opens_an_event_exactly_as_stored(db: Database) -> None:
    trail = write_trail(db)
    app = make_host(db, trail.admin)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_trail(pilot, app)
        assert screen.page is not None
        row = next(i for i, e in enumerate(screen.page.events) if e.action == "note.add")
        for _ in range(row):
            await pilot.press("down")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, AuditEventScreen) and app.screen.event)
        text = str(app.screen.query_one("#event", Static).render())
        # Markup stays as typed; the escape character is shown as JSON writes it, never sent.
        assert '"summary": "[bold red]Rent[/] arrears \\u001b[2J plan"' in text
        assert "\x1b" not in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)


async def test_pages_go_back_in_time_and_return(db: Database) -> None:
    trail = write_trail(db, bulk=60)  # a bulk note to 60 cases: more than a page of events
    app = make_host(db, trail.admin)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_trail(pilot, app)
        first = screen.page
        assert first is not None and first.older and not first.newer
        assert screen.check_action("newer", ()) is None
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: screen.page is not first)
        second = screen.page
        table = screen.query_one(DataTable)
        assert second is not None and second.newer and screen.page_number == 2
        assert table.cursor_row == 0
        newest, oldest = second.events[0], first.events[-1]
        assert (newest.at, newest.id) < (oldest.at, oldest.id)
        await pilot.press("left_square_bracket")
        await wait_for(pilot, lambda: screen.page is not second)
        assert [e.id for e in screen.page.events] == [e.id for e in first.events]  # type: ignore[union-attr]
        assert screen.page_number == 1
        assert table.cursor_row == len(first.events) - 1, "back up: on the event read last"


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.SUPERVISOR])
async def test_not_offered_to_those_who_may_not_read_it(db: Database, role: Role) -> None:
    app = make_host(db, first_of_role(db, role))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CaseloadScreen")
        caseload = app.screen
        assert caseload.check_action("audit_trail", ()) is False
        assert "Audit trail" not in {a.description for a in key_actions(caseload)}
        await pilot.press("a")
        await pilot.pause()
        assert app.screen is caseload


async def test_offered_to_an_auditor_in_help_and_the_palette(db: Database) -> None:
    app = make_host(db, first_of_role(db, Role.AUDITOR))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CaseloadScreen")
        offered = {a.description: a for a in key_actions(app.screen)}
        assert offered["Audit trail"].key == "a" and offered["Audit trail"].enabled
        assert offered["Audit trail"].in_footer


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_audit_trail_snapshot(snap_compare, db: Database, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    trail = write_trail(db)
    app = make_host(db, trail.admin)
    screen = AuditTrailScreen()
    assert snap_compare(
        app, terminal_size=size, run_before=snapshot_of(app, screen, lambda: bool(screen.page))
    )


def test_audit_event_snapshot_without_colour(  # type: ignore[no-untyped-def]
    snap_compare, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    trail = write_trail(db)
    app = make_host(db, trail.admin)
    screen = AuditTrailScreen()

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await snapshot_of(app, screen, lambda: bool(screen.page), ("down", "enter"))(pilot)
        await wait_for(pilot, lambda: isinstance(app.screen, AuditEventScreen) and app.screen.event)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
