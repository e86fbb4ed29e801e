"""Intake, the client record and global search, driven from the keyboard."""

from __future__ import annotations

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
from sqlalchemy import select
from textual.widgets import Input
from textual.widgets._toast import Toast, ToastRack

from casetui.db.uow import Database
from casetui.domain.enums import Role
from casetui.domain.models import AuditEvent, Case, Client
from casetui.services import clients
from casetui.services.clients import ClientChanges, ClientInput
from casetui.tui.screens.caseload import CaseloadScreen
from casetui.tui.screens.choice import ChoiceScreen
from casetui.tui.screens.client_edit import ClientEditScreen
from casetui.tui.screens.client_record import ClientRecordScreen
from casetui.tui.screens.confirm import ConfirmScreen
from casetui.tui.screens.intake import IntakeScreen
from casetui.tui.screens.search import SearchScreen
from casetui.tui.screens.timeline import TimelineScreen


def a_client_of(db: Database, worker_id: int) -> Client:
    """A client (with a date of birth) of one of the worker's live cases."""
    with db.uow(write=False) as uow:
        row = (
            uow.session.execute(
                select(Client)
                .join(Case, Case.client_id == Client.id)
                .where(
                    Case.primary_worker_id == worker_id,
                    Client.date_of_birth.is_not(None),  # type: ignore[union-attr]
                    Client.deleted_at.is_(None),  # type: ignore[union-attr]
                )
                .order_by(Client.id)
            )
            .scalars()
            .first()
        )
        assert row is not None
        uow.session.expunge(row)
        return row


async def type_into(pilot, field_id: str, text: str) -> None:  # type: ignore[no-untyped-def]
    pilot.app.screen.query_one(f"#{field_id}", Input).focus()
    await pilot.pause()
    await pilot.press(*text)


async def test_registering_a_client_shows_possible_duplicates_then_opens_the_case(
    db: Database,
) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    known = a_client_of(db, worker.id)
    assert known.date_of_birth is not None
    app = make_host(db, worker)
    # Notifications on: a confirmation that cannot be drawn must fail here, not in use.
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen))
        await pilot.press("r")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, IntakeScreen) and bool(app.screen.query("#client-name")),
        )
        intake: IntakeScreen = app.screen  # type: ignore[assignment]
        # The same person typed again, the surname misspelt by one letter.
        first, *rest = known.name.split()
        await type_into(pilot, "client-name", f"{first} {' '.join(rest)}x")
        await type_into(pilot, "date-of-birth", known.date_of_birth.isoformat())
        await wait_for(pilot, lambda: any(d.id == known.id for d in intake.duplicates))
        assert "similar name" in " ".join(intake.duplicates[0].reasons)
        # Saving anyway asks first; then the new client and case exist and the timeline opens.
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TimelineScreen))
        # The confirmation is drawn (a toast), and the app carries on.
        rack = app.screen.get_child_by_type(ToastRack)
        await wait_for(pilot, lambda: bool(rack.query(Toast)))
        await pilot.pause(0.2)
        assert app.is_running
        assert any("opened for" in n.message for n in app._notifications)
    with db.uow(write=False) as uow:
        names = (
            uow.session.execute(
                select(Client.name).where(Client.name == f"{first} {' '.join(rest)}x")
            )
            .scalars()
            .all()
        )
    assert len(names) == 1


async def test_a_refused_intake_keeps_what_was_typed(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24)) as pilot:
        intake = await show(pilot, app, IntakeScreen())
        await wait_for(pilot, lambda: bool(intake.query("#client-name")))
        await type_into(pilot, "client-name", "Mira Okafor")
        await type_into(pilot, "email", "not an address")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: intake.query_one("#email-error").has_class("-shown"))
        assert intake.query_one("#client-name", Input).value == "Mira Okafor"
        assert intake.query_one("#email", Input).value == "not an address"
        assert app.screen is intake


async def test_the_record_changes_status_and_a_stale_edit_keeps_the_typing(
    db: Database,
) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    known = a_client_of(db, worker.id)
    app = make_host(db, worker)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        record = await show(pilot, app, ClientRecordScreen(known.id))
        await wait_for(pilot, lambda: record.view is not None)  # type: ignore[attr-defined]
        before = record.view.record.client.status  # type: ignore[attr-defined]
        wanted = "Closed" if before != "Closed" else "Active"
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        statuses = ["Active", "Inactive", "Closed"]
        moves = statuses.index(wanted) - statuses.index(before)
        await pilot.press(*(["down"] * moves if moves > 0 else ["up"] * -moves), "enter")
        await wait_for(
            pilot,
            lambda: record.view is not None and record.view.record.client.status == wanted,  # type: ignore[attr-defined]
        )
        # Someone else saves the record while it is being edited here.
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientEditScreen))
        editor: ClientEditScreen = app.screen  # type: ignore[assignment]
        admin = actor(db, "admin")
        clients.edit_client(db, admin, known.id, ClientChanges(phone="07700 900 001"))
        await type_into(pilot, "preferred-name", "Kit")
        await pilot.press("ctrl+s")
        await wait_for(
            pilot, lambda: "Not saved" in str(editor.query_one("#client-edit-status").render())
        )
        assert app.screen is editor
        assert editor.query_one("#preferred-name", Input).value.endswith("Kit")


async def test_search_finds_a_misspelt_client_and_opens_the_record(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    known = a_client_of(db, worker.id)
    surname = known.name.split()[-1]
    misspelt = surname[:-2] + surname[-1] + surname[-2]  # the last two letters swapped
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen))
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen))
        search: SearchScreen = app.screen  # type: ignore[assignment]
        await pilot.press(*misspelt)
        await wait_for(
            pilot, lambda: any(h is not None and h.id == known.id for h in search.hits), seconds=15
        )
        index = next(i for i, h in enumerate(search.hits) if h is not None and h.id == known.id)
        search.query_one("#search-results").focus()
        search.query_one("#search-results").highlighted = index  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientRecordScreen))


async def test_deleting_from_the_record_names_what_will_disappear(db: Database) -> None:
    admin = actor(db, "admin")
    client_id = clients.register_client(db, admin, ClientInput(name="Temporary Person"))
    app = make_host(db, admin)
    async with app.run_test(size=(80, 24)) as pilot:
        record = await show(pilot, app, ClientRecordScreen(client_id))
        await wait_for(pilot, lambda: record.view is not None)  # type: ignore[attr-defined]
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Temporary Person" in str(app.screen.query_one(".message").render())
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen))
    with db.uow(write=False) as uow:
        assert uow.session.get(Client, client_id).deleted_at is not None  # type: ignore[union-attr]
        actions = (
            uow.session.execute(
                select(AuditEvent.action).where(AuditEvent.entity_id == str(client_id))
            )
            .scalars()
            .all()
        )
    assert "client.delete" in actions


async def test_an_auditor_reads_the_record_without_write_keys(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    known = a_client_of(db, worker.id)
    app = make_host(db, actor(db, "auditor"))
    async with app.run_test(size=(80, 24)) as pilot:
        record = await show(pilot, app, ClientRecordScreen(known.id))
        await wait_for(pilot, lambda: record.view is not None)  # type: ignore[attr-defined]
        writes = ("edit", "record_status", "client_type", "warnings", "groups", "new_case",
                  "delete", "restore", "add_navigator", "remove_navigator", "case_number")  # fmt: skip
        assert [a for a in writes if record.check_action(a, ())] == []
        assert record.check_action("open_case", ())


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_intake_snapshot(snap_compare, db: Database, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app = make_host(db, first_of_role(db, Role.CASEWORKER))
    screen = IntakeScreen()
    assert snap_compare(
        app, terminal_size=size,
        run_before=snapshot_of(app, screen, lambda: screen.context is not None),
    )  # fmt: skip


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_client_record_snapshot(snap_compare, db: Database, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    worker = first_of_role(db, Role.CASEWORKER)
    screen = ClientRecordScreen(a_client_of(db, worker.id).id)
    app = make_host(db, worker)
    assert snap_compare(
        app,
        terminal_size=size,
        run_before=snapshot_of(app, screen, lambda: screen.view is not None),
    )


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_search_snapshot(snap_compare, db: Database, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    worker = first_of_role(db, Role.CASEWORKER)
    surname = a_client_of(db, worker.id).name.split()[-1]
    screen = SearchScreen(surname)
    app = make_host(db, worker)
    assert snap_compare(
        app, terminal_size=size, run_before=snapshot_of(app, screen, lambda: bool(screen.hits))
    )
