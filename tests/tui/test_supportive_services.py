"""Supportive services from the case timeline, typed in as a caseworker would: ``v`` records
one, enter opens it, ``e`` and ``d`` change and delete it, ``$`` shows the case's services with
their totals. Snapshots of the editor and the panel at 80x24 and 120x40."""

from __future__ import annotations

from decimal import Decimal

import pytest
from helpers_screens import (  # noqa: F401
    cases_of,
    first_of_role,
    make_host,
    private_drafts,
    show,
    snapshot_of,
    wait_for,
)
from sqlalchemy import select
from textual.widgets import DataTable, Input, Label, Select, Static, TextArea

from casetui.db.uow import Database
from casetui.domain.actor import Actor
from casetui.domain.enums import Role
from casetui.domain.models import SupportiveService
from casetui.domain.timeline import SERVICE
from casetui.services import lists as list_service
from casetui.services import supportive_services as services
from casetui.services.supportive_services import ServiceChanges, ServiceInput
from casetui.tui.screens.confirm import ConfirmScreen
from casetui.tui.screens.service_editor import ServiceEditorScreen
from casetui.tui.screens.services_panel import ServicesPanelScreen
from casetui.tui.screens.timeline import TimelineScreen
from casetui.tui.widgets.service_form import ServiceForm
from casetui.tui.widgets.timeline_list import TimelineList

FUND = "Household Support Fund"


def with_grant(db: Database) -> None:
    list_service.add_item(db, first_of_role(db, Role.ADMINISTRATOR), "grants", FUND)


def give(
    db: Database, worker: Actor, number: str, amount: str, grant: str | None = None
) -> services.ServiceView:
    return services.add_service(
        db, worker, number,
        ServiceInput("Travel", "2026-11-20", "City Buses", amount, "Bus pass for the interview",
                     grant),
    )  # fmt: skip


def rows(db: Database, case_id: int) -> list[tuple[str, Decimal, str | None, bool]]:
    with db.uow(write=False) as uow:
        found = uow.session.execute(
            select(SupportiveService)
            .where(SupportiveService.case_id == case_id)
            .order_by(SupportiveService.id)
        ).scalars()
        return [(r.provider, r.amount, r.grant, r.deleted_at is not None) for r in found]


async def open_timeline(pilot, app, case_id: int) -> TimelineScreen:  # type: ignore[no-untyped-def]
    screen = await show(pilot, app, TimelineScreen(case_id))
    listing = screen.query_one(TimelineList)
    await wait_for(pilot, lambda: screen.data is not None and bool(listing.entries))
    return screen  # type: ignore[return-value]


async def editor_ready(pilot, app) -> ServiceEditorScreen:  # type: ignore[no-untyped-def]
    await wait_for(
        pilot, lambda: isinstance(app.screen, ServiceEditorScreen) and bool(app.screen.original)
    )
    await pilot.pause()
    return app.screen


async def type_into(pilot, widget, text: str) -> None:  # type: ignore[no-untyped-def]
    widget.focus()
    await pilot.pause()
    await pilot.press("end", "ctrl+u", *text)


async def choose(pilot, select: Select, steps: int) -> None:  # type: ignore[type-arg]
    """Open a list and go down ``steps`` options, as a user does: enter, down…, enter."""
    select.focus()
    await pilot.pause()
    await pilot.press("enter", *(["down"] * steps), "enter")
    await pilot.pause()


async def fill(pilot, editor: ServiceEditorScreen, amount: str, *, grant: bool = False) -> None:  # type: ignore[no-untyped-def]
    form = editor.query_one(ServiceForm)
    await choose(pilot, form.query_one("#service-type", Select), 1)  # the first type
    await type_into(pilot, form.query_one("#service-date", Input), "-2d")
    await type_into(pilot, form.query_one("#provider", Input), "City Buses")
    await type_into(pilot, form.query_one("#amount", Input), amount)
    if grant:
        await choose(pilot, form.query_one("#grant", Select), 1)
    area = form.query_one("#justification", TextArea)
    area.focus()
    await pilot.pause()
    await pilot.press(*"Bus pass for the interview")


# --- recording, opening, changing, deleting ---------------------------------------------------


async def test_v_records_a_service_and_the_timeline_shows_it_in_pounds(db: Database) -> None:
    with_grant(db)
    worker = first_of_role(db, Role.CASEWORKER)
    case_id, _number = cases_of(db, worker)[0]
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_timeline(pilot, app, case_id)
        assert screen.check_action("new_service", ()) is True
        await pilot.press("v")
        editor = await editor_ready(pilot, app)
        form = editor.query_one(ServiceForm)
        assert "understood as Sun 22 Nov 2026" in str(
            form.query_one("#service-date-hint", Label).render()
        )
        await fill(pilot, editor, "£1,234.5", grant=True)
        assert "understood as Fri 20 Nov 2026" in str(
            form.query_one("#service-date-hint", Label).render()
        )
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        listing = screen.query_one(TimelineList)
        await wait_for(pilot, lambda: any(e.kind == SERVICE for e in listing.entries))
        entry = next(e for e in listing.entries if e.kind == SERVICE)
        assert entry.amount == Decimal("1234.50")
        index = listing.entries.index(entry)
        line = listing.render_line(listing.line_of(index) - round(listing.scroll_offset.y)).text
        assert "Travel · £1,234.50 · 20 Nov" in line
    assert rows(db, case_id) == [("City Buses", Decimal("1234.50"), FUND, False)]


async def test_an_amount_that_is_not_money_is_refused_under_its_field(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    case_id, _number = cases_of(db, worker)[0]
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot, app, ServiceEditorScreen(case_id))
        editor = await editor_ready(pilot, app)
        await fill(pilot, editor, "12.505")
        await pilot.press("ctrl+s")
        error = editor.query_one("#amount-error", Label)
        await wait_for(pilot, lambda: error.has_class("-shown"))
        assert "more than 2 decimal places" in str(error.render())
        assert app.screen is editor and editor.focused is editor.query_one("#amount")
        # What was typed is still there: corrected, it saves.
        assert editor.query_one("#provider", Input).value == "City Buses"
        await type_into(pilot, editor.query_one("#amount", Input), "12.50")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is not editor)
    assert rows(db, case_id) == [("City Buses", Decimal("12.50"), None, False)]


async def test_enter_opens_a_service_with_its_justification(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    case_id, number = cases_of(db, worker)[0]
    given = give(db, worker, number, "0.10")
    app = make_host(db, worker)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_timeline(pilot, app, case_id)
        listing = screen.query_one(TimelineList)
        listing.move_to(listing.index_of((SERVICE, given.id)))
        await pilot.press("enter")
        await wait_for(pilot, lambda: (SERVICE, given.id) in listing._details)
        shown = "\n".join(t.plain for t in listing._details[(SERVICE, given.id)])
        assert "Travel · £0.10" in shown
        assert "Given Fri 20 Nov 2026 by City Buses" in shown
        assert "Paid from no grant" in shown
        assert "Justification: Bus pass for the interview" in shown


async def test_e_changes_and_d_deletes_a_service(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    case_id, number = cases_of(db, worker)[0]
    given = give(db, worker, number, "12.50")
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_timeline(pilot, app, case_id)
        listing = screen.query_one(TimelineList)
        listing.move_to(listing.index_of((SERVICE, given.id)))
        await pilot.pause()
        assert screen.check_action("edit", ()) is True
        assert screen.check_action("delete", ()) is True
        await pilot.press("e")
        editor = await editor_ready(pilot, app)
        assert editor.query_one("#amount", Input).value == "12.50"
        assert editor.query_one("#service-type", Select).value == "Travel"
        await type_into(pilot, editor.query_one("#amount", Input), "13")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        await wait_for(
            pilot,
            lambda: any(e.amount == Decimal("13.00") for e in listing.entries if e.kind == SERVICE),
        )
        assert rows(db, case_id) == [("City Buses", Decimal("13.00"), None, False)]
        listing.move_to(listing.index_of((SERVICE, given.id)))
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: listing.index_of((SERVICE, given.id)) is None)
    assert rows(db, case_id) == [("City Buses", Decimal("13.00"), None, True)]


async def test_a_stale_save_keeps_what_was_typed_and_offers_their_version(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    supervisor = first_of_role(db, Role.ADMINISTRATOR)
    case_id, number = cases_of(db, worker)[0]
    given = give(db, worker, number, "12.50")
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot, app, ServiceEditorScreen(case_id, given.id))
        editor = await editor_ready(pilot, app)
        services.edit_service(db, supervisor, given.id, ServiceChanges(amount="20"))
        await type_into(pilot, editor.query_one("#amount", Input), "15")
        await pilot.press("ctrl+s")
        status = editor.query_one("#service-status", Static)
        await wait_for(pilot, lambda: "Not saved" in str(status.render()))
        assert "changed this service" in str(status.render())
        assert editor.query_one("#amount", Input).value == "15"
        assert editor.check_action("load_latest", ()) is True
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: bool(editor.query("#amount")) and editor.context is not None)
        await wait_for(pilot, lambda: editor.query_one("#amount", Input).value == "20.00")
    assert rows(db, case_id) == [("City Buses", Decimal("20.00"), None, False)]


async def test_escape_with_changes_asks_before_throwing_them_away(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    case_id, _number = cases_of(db, worker)[0]
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot, app, ServiceEditorScreen(case_id))
        editor = await editor_ready(pilot, app)
        await type_into(pilot, editor.query_one("#provider", Input), "Food bank")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is not editor)
        assert type(app.screen).__name__ == "ChoiceScreen"
        await pilot.press("escape")  # keep editing
        await wait_for(pilot, lambda: app.screen is editor)
        assert editor.query_one("#provider", Input).value == "Food bank"
    assert rows(db, case_id) == []


# --- the panel ---------------------------------------------------------------------------------


async def test_dollar_shows_the_services_with_totals_per_grant(db: Database) -> None:
    with_grant(db)
    worker = first_of_role(db, Role.CASEWORKER)
    case_id, number = cases_of(db, worker)[0]
    give(db, worker, number, "0.10", FUND)
    give(db, worker, number, "0.20")
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_timeline(pilot, app, case_id)
        await pilot.press("dollar_sign")
        await wait_for(pilot, lambda: isinstance(app.screen, ServicesPanelScreen))
        panel = app.screen
        await wait_for(pilot, lambda: panel.data is not None)  # type: ignore[attr-defined]
        totals = str(panel.query_one("#services-totals", Static).render())
        assert "Total £0.30 · 2 services" in totals
        assert f"{FUND}: £0.10 (1 service)" in totals and "No grant: £0.20 (1 service)" in totals
        assert panel.query_one(DataTable).row_count == 2
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: panel.query_one(DataTable).row_count == 1)
        await wait_for(
            pilot, lambda: "Total £0.10" in str(panel.query_one("#services-totals").render())
        )
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)


async def test_an_auditor_sees_the_services_and_changes_none(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    auditor = first_of_role(db, Role.AUDITOR)
    case_id, number = cases_of(db, worker)[0]
    given = give(db, worker, number, "5.00")
    app = make_host(db, auditor)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_timeline(pilot, app, case_id)
        listing = screen.query_one(TimelineList)
        listing.move_to(listing.index_of((SERVICE, given.id)))
        await pilot.pause()
        offered = {a: screen.check_action(a, ()) for a in ("new_service", "edit", "delete")}
        assert offered == {"new_service": False, "edit": False, "delete": False}
        assert screen.check_action("services_panel", ()) is True
        await pilot.press("v", "e", "d")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("dollar_sign")
        await wait_for(pilot, lambda: isinstance(app.screen, ServicesPanelScreen))
        panel = app.screen
        await wait_for(pilot, lambda: panel.data is not None)  # type: ignore[attr-defined]
        assert [panel.check_action(a, ()) for a in ("new_service", "edit", "delete")] == [
            False,
            False,
            False,
        ]


# --- snapshots -------------------------------------------------------------------------------

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])


@SIZES
def test_service_editor_snapshot(snap_compare, db: Database, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    """``e`` on a service on the timeline: the dialog over the case it belongs to."""
    with_grant(db)
    worker = first_of_role(db, Role.CASEWORKER)
    case_id, number = cases_of(db, worker)[0]
    given = give(db, worker, number, "1234.5", FUND)
    app = make_host(db, worker)

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        screen = await open_timeline(pilot, app, case_id)
        listing = screen.query_one(TimelineList)
        listing.move_to(listing.index_of((SERVICE, given.id)))
        await pilot.press("e")
        editor = await editor_ready(pilot, app)
        for field in editor.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@SIZES
def test_services_panel_snapshot(snap_compare, db: Database, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    with_grant(db)
    worker = first_of_role(db, Role.CASEWORKER)
    case_id, number = cases_of(db, worker)[0]
    give(db, worker, number, "0.10", FUND)
    give(db, worker, number, "0.20")
    give(db, worker, number, "1,250.00", FUND)
    app = make_host(db, worker)
    screen = ServicesPanelScreen(case_id)
    ready = lambda: screen.data is not None  # noqa: E731
    assert snap_compare(app, terminal_size=size, run_before=snapshot_of(app, screen, ready))
