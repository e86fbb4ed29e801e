"""Communications and reminders on the timeline, the editor and the bulk communication,
driven from the keyboard as a caseworker would."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

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
from sqlalchemy import select, text
from textual.widgets import Input, OptionList, Select

from casetui.db.uow import Database
from casetui.domain.actor import Actor
from casetui.domain.enums import Role
from casetui.domain.models import Case, Communication
from casetui.domain.timeline import COMMUNICATION
from casetui.services import communications as comms
from casetui.services.communications import CommunicationInput
from casetui.tui.screens.bulk_communication import BulkCommunicationScreen
from casetui.tui.screens.caseload import CaseloadScreen
from casetui.tui.screens.communication_editor import CommunicationEditorScreen
from casetui.tui.screens.confirm import ConfirmScreen
from casetui.tui.screens.timeline import TimelineScreen
from casetui.tui.widgets.case_table import CaseTable
from casetui.tui.widgets.communication_form import CommunicationForm
from casetui.tui.widgets.timeline_list import TimelineList

SENT_AT = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def reach(db: Database, number: str, email: str | None = "client@example.org") -> None:
    """The case's client's email address (None: none), their record Active."""
    with db.engine.begin() as conn:
        conn.execute(
            text("UPDATE client SET email = :e, record_status = 'Active' WHERE id = "
                 "(SELECT client_id FROM cases WHERE case_number = :n)"),
            {"e": email, "n": number},
        )  # fmt: skip


def sql(db: Database, statement: str, **params: Any) -> None:
    with db.engine.begin() as conn:
        conn.execute(text(statement), params)


def stored(db: Database, **where: Any) -> list[Communication]:
    with db.uow(write=False) as uow:
        query = select(Communication)
        for name, value in where.items():
            query = query.where(getattr(Communication, name) == value)
        rows = list(uow.session.execute(query).scalars())
        uow.session.expunge_all()
        return rows


def reminder(db: Database, worker: Actor, number: str, **fields: Any) -> Any:
    reach(db, number)
    fields.setdefault("send_on", "+3d")
    fields.setdefault("subject", "Appointment on Wednesday")
    return comms.add_communication(
        db, worker, number, CommunicationInput(kind="reminder", **fields)
    )


async def open_timeline(pilot: Any, app: Any, case_id: int) -> TimelineScreen:
    screen = await show(pilot, app, TimelineScreen(case_id))
    await wait_for(
        pilot, lambda: screen.data is not None and bool(screen.query_one(TimelineList).entries)
    )
    return screen  # type: ignore[return-value]


async def highlight(pilot: Any, screen: TimelineScreen, communication_id: int) -> None:
    listing = screen.query_one(TimelineList)
    await wait_for(pilot, lambda: listing.index_of((COMMUNICATION, communication_id)) is not None)
    listing.move_to(listing.index_of((COMMUNICATION, communication_id)))
    await pilot.pause()


async def editor_ready(pilot: Any, app: Any) -> CommunicationEditorScreen:
    await wait_for(
        pilot,
        lambda: (
            isinstance(app.screen, CommunicationEditorScreen)
            and app.screen.context is not None
            and bool(app.screen.query(CommunicationForm))
        ),
    )
    await pilot.pause()
    return app.screen  # type: ignore[no-any-return]


async def test_m_records_a_call_from_the_client(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    case_id, _number = cases_of(db, worker)[0]
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_timeline(pilot, app, case_id)
        assert screen.check_action("new_communication", ()) is True
        await pilot.press("m")
        editor = await editor_ready(pilot, app)
        editor.query_one("#comm-direction", Select).value = "in"
        editor.query_one("#comm-subject", Input).focus()
        await pilot.press(*"Rang about the rent")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        listing = screen.query_one(TimelineList)
        await wait_for(pilot, lambda: any(e.kind == COMMUNICATION for e in listing.entries))
        entry = next(e for e in listing.entries if e.kind == COMMUNICATION)
        line = listing.render_line(
            listing.line_of(listing.entries.index(entry)) - round(listing.scroll_y)
        )
        assert "Contact" in line.text and "← phone: Rang about the rent" in line.text
    [row] = stored(db, case_id=case_id)
    assert (row.kind, row.direction, row.subject, row.author_id) == (
        "phone", "in", "Rang about the rent", worker.id,
    )  # fmt: skip


async def test_a_reminder_for_a_client_without_email_is_refused_under_the_field(
    db: Database,
) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    case_id, number = cases_of(db, worker)[0]
    reach(db, number, None)
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot, app, CommunicationEditorScreen(case_id, kind="reminder"))
        editor = await editor_ready(pilot, app)
        form = editor.query_one(CommunicationForm)
        assert form.is_reminder and form.has_class("-reminder")
        assert "Cannot be sent" in str(editor.query_one("#comm-recipient").render())
        editor.query_one("#comm-subject", Input).focus()
        await pilot.press(*"Appointment")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: editor.query_one("#comm-recipient-error").has_class("-shown"))
        shown = str(editor.query_one("#comm-recipient-error").render())
        assert "client:" in shown and "no email address" in shown
        assert app.screen is editor and form.values()["subject"] == "Appointment"  # kept
    assert stored(db, case_id=case_id) == []


async def test_a_subject_with_a_line_break_is_refused_in_place(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    case_id, _number = cases_of(db, worker)[0]
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot, app, CommunicationEditorScreen(case_id))
        editor = await editor_ready(pilot, app)
        editor.query_one("#comm-subject", Input).value = "Hi\r\nBcc: everyone@example.org"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: editor.query_one("#comm-subject-error").has_class("-shown"))
        assert "subject: must be one line" in str(editor.query_one("#comm-subject-error").render())
    assert stored(db, case_id=case_id) == []


async def test_x_cancels_a_scheduled_reminder(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    case_id, number = cases_of(db, worker)[0]
    view = reminder(db, worker, number)
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_timeline(pilot, app, case_id)
        await highlight(pilot, screen, view.id)
        assert screen.check_action("cancel_reminder", ()) is True
        await pilot.press("X")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        listing = screen.query_one(TimelineList)
        await wait_for(
            pilot,
            lambda: any(e.id == view.id and e.status == "cancelled" for e in listing.entries),
        )
        assert screen.check_action("cancel_reminder", ()) is None  # nothing left to cancel
    assert stored(db, id=view.id)[0].reminder_state == "cancelled"


async def test_enter_shows_where_a_reminder_stands(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    case_id, number = cases_of(db, worker)[0]
    sending = reminder(db, worker, number, body="Bring your ID.\nSee you at 10.")
    sent = reminder(db, worker, number, repeats="weekly")
    sql(db, "UPDATE communication SET reminder_state = 'sending', claimed_at = :at, attempts = 1 "
        "WHERE id = :id", at=SENT_AT, id=sending.id)  # fmt: skip
    sql(db, "UPDATE communication SET reminder_state = 'sent', sent_at = :at, attempts = 1, "
        "message_id = '<42.casetui@example.org>', server_answer = '250 2.0.0 Ok: queued' "
        "WHERE id = :id", at=SENT_AT, id=sent.id)  # fmt: skip
    app = make_host(db, worker)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_timeline(pilot, app, case_id)
        listing = screen.query_one(TimelineList)
        for view in (sending, sent):
            await highlight(pilot, screen, view.id)
            await pilot.press("enter")
        await wait_for(pilot, lambda: len(listing._details) == 2)  # type: ignore[attr-defined]
        opened = {key: "\n".join(t.plain for t in lines) for key, lines in listing._details.items()}  # type: ignore[attr-defined]
    held = opened[(COMMUNICATION, sending.id)]
    assert "Being sent since Sun 22 Nov 2026 09:00" in held and "For a person to check" in held
    assert "Bring your ID.\nSee you at 10." in held
    went = opened[(COMMUNICATION, sent.id)]
    assert "Sent Sun 22 Nov 2026 09:00" in went and "Message id <42.casetui@example.org>" in went
    assert "The mail server's last answer: 250 2.0.0 Ok: queued" in went
    assert "repeats weekly" in went


async def test_deleting_a_sent_reminder_says_the_email_is_not_recalled(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    case_id, number = cases_of(db, worker)[0]
    view = reminder(db, worker, number)
    sql(db, "UPDATE communication SET reminder_state = 'sent', sent_at = :at, version = 2 "
        "WHERE id = :id", at=SENT_AT, id=view.id)  # fmt: skip
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_timeline(pilot, app, case_id)
        await highlight(pilot, screen, view.id)
        assert screen.check_action("edit", ()) is None  # what was sent does not change
        assert screen.check_action("delete", ()) is True
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        words = str(app.screen.query_one(".message").render())
        assert (
            "It was sent on Sun 22 Nov 2026 09:00; deleting it here does not recall the email."
            in words
        )
        await pilot.press("y")
        listing = screen.query_one(TimelineList)
        await wait_for(pilot, lambda: listing.index_of((COMMUNICATION, view.id)) is None)
    [row] = stored(db, id=view.id)
    assert row.deleted_at is not None and row.reminder_state == "sent"


async def test_e_edits_a_communication_and_a_locked_one_is_not_offered(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    case_id, number = cases_of(db, worker)[0]
    fresh = comms.add_communication(
        db, worker, number, CommunicationInput(kind="letter", subject="Sent the form", body="First")
    )
    old = comms.add_communication(
        db, worker, number, CommunicationInput(kind="email", subject="Old")
    )
    sql(db, "UPDATE communication SET created_at = :at WHERE id = :id",
        at=datetime(2026, 10, 1, tzinfo=UTC), id=old.id)  # fmt: skip
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_timeline(pilot, app, case_id)
        await highlight(pilot, screen, old.id)
        assert screen.check_action("edit", ()) is None and screen.check_action("delete", ()) is None
        await highlight(pilot, screen, fresh.id)
        await pilot.press("e")
        editor = await editor_ready(pilot, app)
        assert editor.query_one("#comm-subject", Input).value == "Sent the form"
        assert editor.check_action("cancel_reminder", ()) is False
        editor.query_one("#comm-subject", Input).value = "Sent the housing form"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
    [row] = stored(db, id=fresh.id)
    assert (row.subject, row.body, row.version) == ("Sent the housing form", "First", 2)


async def test_b_on_the_caseload_opens_the_bulk_communication(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    app = make_host(db, worker)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, CaseloadScreen) and bool(app.screen.query(CaseTable)),
        )
        table = app.screen.query_one(CaseTable)
        await wait_for(pilot, lambda: table.current is not None)
        number = table.current.case_number  # type: ignore[union-attr]
        assert app.screen.check_action("bulk_communication", ()) is True
        await pilot.press("B")
        await wait_for(pilot, lambda: isinstance(app.screen, BulkCommunicationScreen))
        assert app.screen.case_numbers == [number]  # type: ignore[attr-defined]


async def test_a_bulk_reminder_names_the_clients_it_cannot_reach_and_leaves_them_out(
    db: Database,
) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    numbers = [number for _id, number in cases_of(db, worker)[:3]]
    for number in numbers:
        reach(db, number)
    reach(db, numbers[1], None)
    app = make_host(db, worker)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await show(pilot, app, BulkCommunicationScreen(numbers))
        await wait_for(pilot, lambda: screen.original is not None)  # type: ignore[attr-defined]
        await pilot.pause()
        form = screen.query_one(CommunicationForm)
        form.query_one("#comm-type", Select).value = "reminder"
        form.query_one("#comm-subject", Input).value = "Job fair on Friday"
        await pilot.pause()
        preview = screen.query_one("#preview", OptionList)
        first = str(preview.get_option_at_index(0).prompt)
        assert first.startswith("REFUSED") and numbers[1] in first and "no email address" in first
        assert "saving writes nothing while they are in" in str(
            screen.query_one("#bulk-status").render()
        )
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: bool(screen.refusals))  # type: ignore[attr-defined]
        assert stored(db, subject="Job fair on Friday") == []  # all or nothing
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert screen.case_numbers == [numbers[0], numbers[2]]  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: screen not in app.screen_stack)
    written = stored(db, subject="Job fair on Friday")
    with db.uow(write=False) as uow:
        cases = {c.id: c.case_number for c in uow.session.execute(select(Case)).scalars()}
    assert sorted(cases[r.case_id] for r in written) == sorted([numbers[0], numbers[2]])
    assert {r.reminder_state for r in written} == {"scheduled"}


# --- pictures ----------------------------------------------------------------------------------


def _timeline_with_communications(db: Database) -> tuple[Actor, int, int]:
    worker = first_of_role(db, Role.CASEWORKER)
    case_id, number = cases_of(db, worker)[0]
    comms.add_communication(
        db, worker, number,
        CommunicationInput(kind="phone", direction="in", subject="Rang about the rent arrears",
                           date="-1d", time="15:10"),
    )  # fmt: skip
    comms.add_communication(
        db, worker, number,
        CommunicationInput(kind="letter", subject="Sent the housing benefit form", date="-2d"),
    )  # fmt: skip
    sent = reminder(db, worker, number, subject="Appointment on Monday", send_on="today")
    sql(db, "UPDATE communication SET reminder_state = 'sent', sent_at = :at, attempts = 1, "
        "message_id = '<7.casetui@example.org>' WHERE id = :id", at=SENT_AT, id=sent.id)  # fmt: skip
    later = reminder(
        db, worker, number, subject="Bring your payslips", send_on="2026-11-30",
        repeats="weekly", body="Please bring your last three payslips.\nThank you.",
    )  # fmt: skip
    return worker, case_id, later.id


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_timeline_with_communications_snapshot(
    snap_compare, db: Database, size: tuple[int, int]
) -> None:  # type: ignore[no-untyped-def]
    worker, case_id, _later = _timeline_with_communications(db)
    app = make_host(db, worker)
    screen = TimelineScreen(case_id)

    def ready() -> bool:
        return screen.data is not None and bool(screen.query_one(TimelineList)._details)  # type: ignore[attr-defined]

    async def run_before(pilot: Any) -> None:
        await show(pilot, app, screen)
        await wait_for(pilot, lambda: screen.data is not None)
        await pilot.press("enter")  # the newest: the reminder to come
        await wait_for(pilot, ready)
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_communication_editor_snapshot(snap_compare, db: Database, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    worker = first_of_role(db, Role.CASEWORKER)
    case_id, number = cases_of(db, worker)[0]
    reach(db, number, "client@example.org")
    app = make_host(db, worker)
    screen = CommunicationEditorScreen(case_id, kind="reminder")

    async def run_before(pilot: Any) -> None:
        await show(pilot, app, screen)
        await editor_ready(pilot, app)
        screen.query_one("#comm-subject", Input).value = "Appointment on Monday at 10"
        screen.query_one("#comm-subject", Input).focus()
        for field in screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_bulk_communication_snapshot(snap_compare, db: Database, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    worker = first_of_role(db, Role.CASEWORKER)
    numbers = [number for _id, number in cases_of(db, worker)[:4]]
    for number in numbers:
        reach(db, number)
    reach(db, numbers[2], None)
    app = make_host(db, worker)
    screen = BulkCommunicationScreen(numbers)

    async def run_before(pilot: Any) -> None:
        await show(pilot, app, screen)
        await wait_for(pilot, lambda: screen.original is not None)
        await pilot.pause()
        if size[1] >= 40:  # the larger one: a reminder, one client it cannot reach
            screen.query_one("#comm-type", Select).value = "reminder"
            screen.query_one("#comm-subject", Input).value = "Job fair on Friday at 10"
        for field in screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
