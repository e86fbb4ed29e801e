"""The subject-access review, from the keyboard: started from a client's record (``x``), every
held item stepped through one at a time, released with ``r``, withheld with ``w`` and a
reason, ``n`` and ``p`` to move, ``q`` to leave; the keys to decide only for those who may."""

from __future__ import annotations

import io
from typing import Any

import pytest
from helpers_screens import (  # noqa: F401
    actor,
    first_of_role,
    make_host,
    private_drafts,
    show,
    snapshot_of,
    wait_for,
)
from rich.console import Console
from sqlalchemy import case, func, select
from textual.widgets import Input, Static

from casetui.db.uow import Database
from casetui.domain.actor import Actor
from casetui.domain.enums import Role
from casetui.domain.models import AuditEvent, Case, CaseNote
from casetui.domain.subject_access import ItemState
from casetui.repositories.scope import visible_cases
from casetui.services import subject_access
from casetui.tui.screens.client_record import ClientRecordScreen
from casetui.tui.screens.confirm import ConfirmScreen
from casetui.tui.screens.reason import ReasonScreen
from casetui.tui.screens.sar_review import SarReviewScreen

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])


def client_with_held_notes(db: Database, person: Actor) -> int:
    """A client the person sees with a restricted note, the one with most 3rd Party notes."""
    with db.uow(write=False) as uow:
        third = func.sum(case((CaseNote.contact_type == "3rd Party", 1), else_=0))
        restricted = func.sum(case((CaseNote.restricted.is_(True), 1), else_=0))  # type: ignore[attr-defined]
        found = uow.session.execute(
            select(Case.client_id)
            .join(CaseNote, CaseNote.case_id == Case.id)
            .where(visible_cases(person), CaseNote.deleted_at.is_(None))  # type: ignore[union-attr]
            .group_by(Case.client_id)
            .having(restricted > 0)
            .order_by(third.desc(), Case.client_id)
        ).first()
        assert found is not None
        return int(found[0])


def shown(widget: Static) -> str:
    """What a Static shows, as plain text."""
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


def progress(screen: SarReviewScreen) -> str:
    return str(screen.query_one("#sar-progress", Static).render())


async def open_review(pilot: Any, app: Any, person: Actor, db: Database) -> SarReviewScreen:
    view = subject_access.start_request(db, person, client_with_held_notes(db, person))
    screen = SarReviewScreen(view.id)
    await show(pilot, app, screen)
    await wait_for(pilot, lambda: screen.detail is not None)
    return screen


async def test_stepping_through_held_items_releasing_and_withholding(db: Database) -> None:
    supervisor = first_of_role(db, Role.SUPERVISOR)
    app = make_host(db, supervisor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_review(pilot, app, supervisor, db)
        request = screen.request
        assert request is not None
        held = [i.item for i in request.reviewed]
        assert len(held) >= 3
        assert progress(screen).startswith(f"1 of {len(held)} held · {len(held)} undecided")
        first = screen.current
        assert first is not None and screen.detail is not None
        assert screen.detail.item.item == first.item == held[0]

        # r releases the item on screen and moves on, as git add -p does.
        await pilot.press("r")
        await wait_for(pilot, lambda: screen.current is not None and screen.current.item == held[1])
        await wait_for(
            pilot, lambda: screen.detail is not None and screen.detail.item.item == held[1]
        )
        assert progress(screen).startswith(f"2 of {len(held)} held · {len(held) - 1} undecided")

        # w asks why, then withholds.
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonScreen))
        app.screen.query_one(Input).value = "Names a neighbour"
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.current is not None and screen.current.item == held[2])
        await wait_for(pilot, lambda: screen.detail is not None)

        # p goes back to the one just withheld, which says who withheld it and why.
        await pilot.press("p")
        await wait_for(
            pilot, lambda: screen.detail is not None and screen.detail.item.item == held[1]
        )
        decision = str(screen.query_one("#sar-decision", Static).render())
        assert "WITHHELD" in decision and supervisor.username in decision
        assert "Names a neighbour" in decision
        await pilot.press("n")
        await wait_for(pilot, lambda: screen.current is not None and screen.current.item == held[2])

        await pilot.press("q")
        await wait_for(pilot, lambda: app.screen is not screen)

    states = {
        i.item: (i.state, i.reason)
        for i in subject_access.show_request(db, supervisor, request.id).items
    }
    assert states[held[0]] == (ItemState.RELEASED, None)
    assert states[held[1]] == (ItemState.WITHHELD, "Names a neighbour")
    assert states[held[2]][0] is ItemState.HELD


async def test_withholding_without_a_reason_is_not_possible(db: Database) -> None:
    supervisor = first_of_role(db, Role.SUPERVISOR)
    app = make_host(db, supervisor)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_review(pilot, app, supervisor, db)
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonScreen))
        await pilot.press("enter")  # empty: the dialog says a reason is required and stays
        await pilot.pause()
        assert isinstance(app.screen, ReasonScreen)
        assert "required" in str(app.screen.query_one("#reason-error").render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        assert screen.current is not None and screen.current.state is ItemState.HELD


async def test_reading_a_restricted_note_in_review_is_recorded(db: Database) -> None:
    supervisor = first_of_role(db, Role.SUPERVISOR)
    app = make_host(db, supervisor)

    def viewed() -> int:
        with db.uow(write=False) as uow:
            return len(
                uow.session.execute(
                    select(AuditEvent.id).where(
                        AuditEvent.action == "note.view_restricted",
                        AuditEvent.actor_username == supervisor.username,
                    )
                ).all()
            )

    before = viewed()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_review(pilot, app, supervisor, db)
        assert screen.request is not None
        for _ in range(len(screen.request.reviewed) - 1):
            if screen.detail is not None and screen.detail.restricted:
                break
            wanted = screen.position + 1
            await pilot.press("n")
            await wait_for(pilot, lambda w=wanted: screen.position == w)  # type: ignore[misc]
            await wait_for(pilot, lambda: screen.detail is not None)
        assert screen.detail is not None and screen.detail.restricted
        body = shown(screen.query_one("#sar-item", Static))
        assert "RESTRICTED" in body and screen.detail.text.splitlines()[0] in body
    assert viewed() > before


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.ADMINISTRATOR])
async def test_only_those_who_may_decide_are_offered_the_keys(db: Database, role: Role) -> None:
    person = first_of_role(db, role)
    app = make_host(db, person)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_review(pilot, app, person, db)
        offered = {a: screen.check_action(a, ()) is True for a in ("release", "withhold")}
        may = subject_access.may_decide(person)
        assert offered == {"release": may, "withhold": may}
        assert may is (role is Role.ADMINISTRATOR)
        assert screen.check_action("next", ()) is True
        assert screen.check_action("previous", ()) is None  # at the first: shown, not working
        if not may:
            await pilot.press("r")
            await pilot.pause()
            assert screen.current is not None and screen.current.state is ItemState.HELD


async def test_x_on_the_client_record_starts_a_request_then_reopens_it(db: Database) -> None:
    supervisor = first_of_role(db, Role.SUPERVISOR)
    client_id = client_with_held_notes(db, supervisor)
    app = make_host(db, supervisor)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        record = ClientRecordScreen(client_id)
        await show(pilot, app, record)
        await wait_for(pilot, lambda: record.view is not None)
        assert record.check_action("subject_access", ()) is True
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, SarReviewScreen))
        review = app.screen
        assert isinstance(review, SarReviewScreen)
        await wait_for(pilot, lambda: review.detail is not None)
        started = review.request_id
        await pilot.press("q")
        await wait_for(pilot, lambda: app.screen is record)
        # The request not yet exported opens again, rather than a second one.
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, SarReviewScreen))
        assert app.screen.request_id == started  # type: ignore[attr-defined]
    assert subject_access.current_request(db, supervisor, client_id) == started


async def test_caseworkers_without_the_grant_are_not_offered_x(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    client_id = client_with_held_notes(db, worker)
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24)) as pilot:
        record = ClientRecordScreen(client_id)
        await show(pilot, app, record)
        await wait_for(pilot, lambda: record.view is not None)
        assert record.check_action("subject_access", ()) is False
        assert subject_access.may_request(worker) is False


@SIZES
def test_review_snapshot(snap_compare, db: Database, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    supervisor = first_of_role(db, Role.SUPERVISOR)
    view = subject_access.start_request(db, supervisor, client_with_held_notes(db, supervisor))
    first = view.reviewed[0].item
    subject_access.decide(db, supervisor, view.id, first, "withhold", "Names a neighbour")
    screen = SarReviewScreen(view.id)
    app = make_host(db, supervisor)
    assert snap_compare(
        app,
        terminal_size=size,
        run_before=snapshot_of(app, screen, lambda: screen.detail is not None),
    )


@SIZES
def test_review_of_a_restricted_note_snapshot(
    snap_compare, db: Database, size: tuple[int, int]
) -> None:  # type: ignore[no-untyped-def]
    supervisor = first_of_role(db, Role.SUPERVISOR)
    view = subject_access.start_request(db, supervisor, client_with_held_notes(db, supervisor))
    restricted = next(
        i for i, item in enumerate(view.reviewed) if item.held_because == "restricted note"
    )
    screen = SarReviewScreen(view.id)
    app = make_host(db, supervisor)
    run_before = snapshot_of(app, screen, lambda: screen.detail is not None)

    async def to_the_restricted_note(pilot: Any) -> None:
        await run_before(pilot)
        for _ in range(restricted - screen.position):
            wanted = screen.position + 1
            await pilot.press("n")
            await wait_for(
                pilot,
                lambda w=wanted: screen.position == w and screen.detail is not None,  # type: ignore[misc]
            )
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=to_the_restricted_note)
