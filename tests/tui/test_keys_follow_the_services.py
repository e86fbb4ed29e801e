"""The keys a screen offers are the actions the services allow, for every kind of person.

Each role opens the caseload, a case's timeline and a client's record; the screen is asked which of its write
keys it offers (``check_action``), and the same actions are then tried through the services.
A key offered must be an action the services carry out; a key withheld, one they refuse.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers_screens import actor, first_of_role, make_host, show, wait_for
from sqlalchemy import text
from textual.widgets import DataTable

from casetui.domain.actor import Actor
from casetui.domain.enums import CaseStatus, Concern, Role
from casetui.domain.errors import NotFound, PermissionDenied
from casetui.domain.filters import CaseFilter
from casetui.domain.reports import ReportFilters, ReportKind
from casetui.domain.timeline import ATTACHMENT, COMMUNICATION, NOTE, SERVICE, TASK
from casetui.repositories.notifications import deliver
from casetui.services import (
    attachments,
    audit_trail,
    bulk_notes,
    caseload,
    cases,
    clients,
    communications,
    imports,
    note_audits,
    notes,
    notifications,
    print_case,
    reports,
    subject_access,
    supportive_services,
    tasks,
)
from casetui.services.clients import ClientChanges, ClientInput
from casetui.services.communications import CommunicationChanges, CommunicationInput
from casetui.services.notes import NoteChanges, NoteInput
from casetui.services.settings import get_settings
from casetui.services.supportive_services import ServiceChanges, ServiceInput
from casetui.services.tasks import TaskInput
from casetui.services.work import Database
from casetui.tui.screens.caseload import CaseloadScreen
from casetui.tui.screens.client_record import ClientRecordScreen
from casetui.tui.screens.services_panel import ServicesPanelScreen
from casetui.tui.screens.timeline import TimelineScreen
from casetui.tui.widgets.case_table import CaseTable
from casetui.tui.widgets.timeline_list import TimelineList

ROLES = [Role.CASEWORKER, Role.SUPERVISOR, Role.ADMINISTRATOR, Role.AUDITOR]
REFUSED = (PermissionDenied, NotFound)


def allowed(attempt: Callable[[], Any]) -> bool:
    """What the services answer: carried out, or refused by a rule of who may."""
    try:
        attempt()
    except REFUSED:
        return False
    return True


def first_open_case(db: Database, actor: Actor) -> tuple[int, str]:
    page = caseload.list_cases(db, actor, CaseFilter(statuses=(CaseStatus.OPEN.value,)), limit=1)
    assert page.rows, f"{actor.username} sees no open case"
    return page.rows[0].id, page.rows[0].case_number


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
async def test_timeline_keys_are_what_the_services_allow(
    db: Database, role: Role, tmp_path: Path
) -> None:
    person = first_of_role(db, role)
    admin = first_of_role(db, Role.ADMINISTRATOR)
    case_id, number = first_open_case(db, person)
    kind = get_settings(db, admin).activity_types[0]
    # Someone else's fresh note and an open task: the note and task keys have something to act on.
    row = caseload.list_cases(db, admin, CaseFilter(query=number, statuses=()), limit=1).rows[0]
    author = admin if person.id != admin.id else actor(db, row.worker_username)
    theirs = notes.add_note(db, author, number, NoteInput("By someone else", kind))
    task = tasks.add_task(db, admin, number, TaskInput(name="Ring back", due="+1w"))
    # Someone else's call and reminder (the client reachable by email): the communication keys.
    with db.engine.begin() as conn:
        conn.execute(
            text("UPDATE client SET email = 'client@example.org', record_status = 'Active' "
                 "WHERE id = :id"),
            {"id": row.client_id},
        )  # fmt: skip
    call = communications.add_communication(
        db, author, number, CommunicationInput(kind="phone", direction="in", subject="Rang in")
    )
    remind = communications.add_communication(
        db, author, number, CommunicationInput(kind="reminder", subject="Visit", send_on="+2d")
    )
    letter = b"%PDF-1.4\n%%EOF\n"
    their_file = attachments.attach_stream(db, author, number, "letter.pdf", io.BytesIO(letter))

    app = make_host(db, person)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await show(pilot, app, TimelineScreen(case_id))
        listing = screen.query_one(TimelineList)
        await wait_for(pilot, lambda: screen.access is not None and bool(listing.entries))

        def offered(action: str, on: tuple[str, int] | None = None) -> bool:
            if on is not None:
                listing.cursor = next(
                    i for i, e in enumerate(listing.entries) if (e.kind, e.id) == on
                )
            return screen.check_action(action, ()) is True

        keys = {
            "new_note": offered("new_note"),
            "new_task": offered("new_task"),
            "status": offered("status"),
            "concern": offered("concern"),
            "reassign": offered("reassign"),
            "edit": offered("edit", (NOTE, theirs.id)),
            "delete": offered("delete", (NOTE, theirs.id)),
            "addendum": offered("addendum", (NOTE, theirs.id)),
            "complete_task": offered("complete_task", (TASK, task.id)),
            "new_communication": offered("new_communication"),
            "edit_communication": offered("edit", (COMMUNICATION, call.id)),
            "delete_communication": offered("delete", (COMMUNICATION, call.id)),
            "cancel_reminder": offered("cancel_reminder", (COMMUNICATION, remind.id)),
            "attach": offered("attach"),
            "save_attachment": offered("save_attachment", (ATTACHMENT, their_file.id)),
            "delete_attachment": offered("delete", (ATTACHMENT, their_file.id)),
            "print_case": offered("print_case"),
            "audit_note": offered("audit_note", (NOTE, theirs.id)),
        }
        await pilot.press("escape")

    new_worker = (
        next(iter(cases.worker_choices(db, person, number)), None) if keys["reassign"] else None
    )
    services = {
        "new_note": allowed(lambda: notes.add_note(db, person, number, NoteInput("Called", kind))),
        "new_task": allowed(lambda: tasks.add_task(db, person, number, TaskInput("Visit", "+2d"))),
        "status": allowed(lambda: cases.change_status(db, person, number, CaseStatus.PAUSED.value)),
        "concern": allowed(
            lambda: cases.change_concern(
                db,
                person,
                number,
                Concern.HIGH.value if row.concern != Concern.HIGH.value else Concern.LOW.value,
            )
        ),  # fmt: skip
        "edit": allowed(
            lambda: notes.edit_note(db, person, theirs.id, NoteChanges(summary="Fixed"))
        ),
        "addendum": allowed(lambda: notes.add_addendum(db, person, theirs.id, "More", "Forgot")),
        "complete_task": allowed(lambda: tasks.complete_task(db, person, task.id)),
        "attach": allowed(
            lambda: attachments.attach_stream(db, person, number, "a.pdf", io.BytesIO(letter))
        ),
        "save_attachment": allowed(
            lambda: attachments.save_attachment(db, person, their_file.id, tmp_path / "a.pdf")
        ),
        "delete_attachment": allowed(
            lambda: attachments.delete_attachment(db, person, their_file.id)
        ),
        "print_case": allowed(
            lambda: print_case.print_case(db, person, number, tmp_path / "case-file.pdf")
        ),
        "audit_note": allowed(lambda: note_audits.audit_sheet(db, person, theirs.id)),
        "delete": allowed(lambda: notes.delete_note(db, person, theirs.id)),
        "new_communication": allowed(
            lambda: communications.add_communication(
                db, person, number, CommunicationInput(kind="letter", subject="Sent the form")
            )
        ),
        "edit_communication": allowed(
            lambda: communications.edit_communication(
                db, person, call.id, CommunicationChanges(subject="Rang in again")
            )
        ),
        "cancel_reminder": allowed(lambda: communications.cancel_reminder(db, person, remind.id)),
        "delete_communication": allowed(
            lambda: communications.delete_communication(db, person, call.id)
        ),
        "reassign": allowed(
            lambda: cases.reassign(
                db, person, number, new_worker.username if new_worker else person.username
            )
        ),
    }
    assert keys == services
    # Nobody is left with nothing to check: each role is offered something or refused something.
    assert any(keys.values()) or role is Role.AUDITOR


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
async def test_caseload_keys_are_what_the_services_allow(
    db: Database, role: Role, tmp_path: Path
) -> None:
    person = first_of_role(db, role)
    spreadsheet = tmp_path / "people.csv"
    spreadsheet.write_text("name\nAnn Lee\n")
    _case_id, number = first_open_case(db, person)
    kind = get_settings(db, person).activity_types[0]
    app = make_host(db, person)
    async with app.run_test(size=(120, 40)) as pilot:
        # Pushed is not yet composed: wait for the table itself.
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, CaseloadScreen) and bool(app.screen.query(CaseTable)),
        )
        screen = app.screen
        table = screen.query_one(CaseTable)
        await wait_for(pilot, lambda: table.current is not None)
        keys = {
            action: screen.check_action(action, ()) is True
            for action in (
                "new_note",
                "bulk_note",
                "bulk_communication",
                "audit_trail",
                "register",
                "deleted_clients",
                "import_spreadsheet",
                "reports",
                "audits",
            )
        }

    services = {
        "new_note": allowed(lambda: notes.add_note(db, person, number, NoteInput("Called", kind))),
        "bulk_note": allowed(
            lambda: bulk_notes.bulk_add_notes(db, person, [number], NoteInput("Group", kind))
        ),
        "bulk_communication": allowed(
            lambda: communications.bulk_add_communications(
                db, person, [number], CommunicationInput(kind="email", subject="Job fair")
            )
        ),
        "audit_trail": allowed(
            lambda: audit_trail.browse(db, person, audit_trail.TrailQuery(), limit=1)
        ),
        "register": allowed(
            lambda: clients.register_client(db, person, ClientInput(name="Walk In"))
        ),
        "deleted_clients": allowed(lambda: clients.deleted_clients(db, person)),
        "import_spreadsheet": allowed(lambda: imports.import_clients(db, person, spreadsheet)),
        "reports": allowed(
            lambda: reports.run_report(
                db, person, ReportKind.NOTES, ReportFilters(), str(tmp_path / "notes.csv")
            )
        ),
        "audits": allowed(lambda: note_audits.overview(db, person)),
    }
    assert keys == services


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
async def test_client_record_keys_are_what_the_services_allow(db: Database, role: Role) -> None:
    person = first_of_role(db, role)
    case_id, number = first_open_case(db, person)
    admin = first_of_role(db, Role.ADMINISTRATOR)
    client_id = (
        caseload.list_cases(db, admin, CaseFilter(query=number, statuses=()), limit=1)
        .rows[0]
        .client_id
    )
    app = make_host(db, person)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await show(pilot, app, ClientRecordScreen(client_id))
        await wait_for(pilot, lambda: screen.view is not None)  # type: ignore[attr-defined]
        actions = ("edit", "new_case", "add_navigator", "case_number", "subject_access", "delete")
        keys = {action: screen.check_action(action, ()) is True for action in actions}
        case = screen._case()  # type: ignore[attr-defined]
    assert case is not None
    # Someone the person could add, if anyone; else anyone at all, to see the refusal.
    offered = cases.navigator_choices(db, person, case.case_number)
    colleague = next(iter(offered or cases.navigator_choices(db, admin, case.case_number)), None)
    services = {
        "edit": allowed(
            lambda: clients.edit_client(db, person, client_id, ClientChanges(preferred_name="Sam"))
        ),
        "new_case": allowed(
            lambda: cases.open_case(db, person, cases.CaseInput(client_id=client_id))
        ),
        "add_navigator": colleague is not None
        and allowed(
            lambda: cases.assign_navigator(db, person, case.case_number, colleague.username)
        ),
        "case_number": allowed(
            lambda: cases.change_case_number(db, person, case.case_number, f"{number}-R")
        ),
        "subject_access": allowed(lambda: subject_access.start_request(db, person, client_id)),
        # Last: a deleted client's record has nothing left to try.
        "delete": allowed(lambda: clients.delete_client(db, person, client_id)),
    }
    assert keys == services
    assert any(keys.values()) or role is Role.AUDITOR


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
async def test_inbox_keys_are_what_the_services_allow(db: Database, role: Role) -> None:
    """Everyone has an inbox, auditors too: its keys act on their own notifications, and no
    key reaches someone else's."""
    from casetui.tui.screens.inbox import InboxScreen

    person = first_of_role(db, role)
    other = first_of_role(db, Role.AUDITOR if role is not Role.AUDITOR else Role.CASEWORKER)
    with db.uow() as uow:  # news for each, put there as a service would
        for staff_id, key in ((person.id, "keys-test"), (other.id, "keys-test-other")):
            deliver(uow.session, [staff_id], kind="case_assigned", case_id=None,
                    event_key=key, text="News", at=uow.now())  # fmt: skip
        uow.commit()
    theirs = notifications.inbox(db, other).notifications[0]
    app = make_host(db, person)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await show(pilot, app, InboxScreen())
        await wait_for(pilot, lambda: screen.highlighted is not None)  # type: ignore[attr-defined]
        actions = ("open", "mark_read", "mark_all_read")
        keys = {action: screen.check_action(action, ()) is True for action in actions}
        first = screen.highlighted  # type: ignore[attr-defined]
    assert theirs.id not in {n.id for n in notifications.inbox(db, person).notifications}
    assert not allowed(lambda: notifications.mark_read(db, person, [theirs.id]))
    services = {
        "open": allowed(lambda: notifications.open_notification(db, person, first.id)),
        "mark_read": allowed(lambda: notifications.mark_read(db, person, [first.id])),
        "mark_all_read": allowed(lambda: notifications.mark_all_read(db, person)),
    }
    assert keys == services == dict.fromkeys(actions, True)


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
async def test_timeline_service_keys_are_what_the_services_allow(db: Database, role: Role) -> None:
    """``v`` (record a service), ``e`` and ``d`` on someone else's service and on one's own, and
    the same keys in the services panel (``$``)."""
    person = first_of_role(db, role)
    admin = first_of_role(db, Role.ADMINISTRATOR)
    case_id, number = first_open_case(db, person)
    row = caseload.list_cases(db, admin, CaseFilter(query=number, statuses=()), limit=1).rows[0]
    author = admin if person.id != admin.id else actor(db, row.worker_username)

    def given(by: Actor) -> supportive_services.ServiceView:
        return supportive_services.add_service(
            db, by, number,
            ServiceInput("Travel", "today", "City Buses", "12.50", "Bus pass"),
        )  # fmt: skip

    theirs = given(author)
    # One's own: recorded while the person could, if they can at all.
    own = given(person) if role is not Role.AUDITOR else theirs

    app = make_host(db, person)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await show(pilot, app, TimelineScreen(case_id))
        listing = screen.query_one(TimelineList)
        await wait_for(pilot, lambda: screen.access is not None and bool(listing.entries))

        def offered(action: str, on: int | None = None) -> bool:
            if on is not None:
                listing.cursor = listing.index_of((SERVICE, on))  # type: ignore[assignment]
            return screen.check_action(action, ()) is True

        keys = {
            "new_service": offered("new_service"),
            "edit_theirs": offered("edit", theirs.id),
            "delete_theirs": offered("delete", theirs.id),
            "edit_own": offered("edit", own.id),
            "delete_own": offered("delete", own.id),
            "services_panel": offered("services_panel"),
        }
        await pilot.press("dollar_sign")
        await wait_for(pilot, lambda: isinstance(app.screen, ServicesPanelScreen))
        panel = app.screen
        await wait_for(pilot, lambda: panel.data is not None)  # type: ignore[attr-defined]
        table = panel.query_one(DataTable)

        def in_panel(action: str, on: int) -> bool:
            data = panel.data  # type: ignore[attr-defined]
            table.move_cursor(row=next(i for i, s in enumerate(data.services) if s.id == on))
            return panel.check_action(action, ()) is True

        panel_keys = {
            "new_service": panel.check_action("new_service", ()) is True,
            "edit_theirs": in_panel("edit", theirs.id),
            "delete_theirs": in_panel("delete", theirs.id),
            "edit_own": in_panel("edit", own.id),
            "delete_own": in_panel("delete", own.id),
        }
        await pilot.press("escape")

    def change(service_id: int) -> bool:
        return allowed(
            lambda: supportive_services.edit_service(
                db, person, service_id, ServiceChanges(amount="13")
            )
        )

    services = {
        "new_service": allowed(lambda: given(person)),
        "edit_theirs": change(theirs.id),
        "edit_own": change(own.id),
        "services_panel": allowed(lambda: supportive_services.case_services(db, person, case_id)),
        # Last: a deleted service has nothing left to try.
        "delete_theirs": allowed(lambda: supportive_services.delete_service(db, person, theirs.id)),
        "delete_own": own.id != theirs.id
        and allowed(lambda: supportive_services.delete_service(db, person, own.id)),
    }
    if own.id == theirs.id:  # the auditor has no service of their own: nothing to offer
        services["edit_own"] = services["edit_theirs"]
        services["delete_own"] = services["delete_theirs"]
    assert keys == services
    assert panel_keys == {k: v for k, v in services.items() if k != "services_panel"}
    assert keys["services_panel"] and (any(keys.values()) or role is Role.AUDITOR)
    if role is Role.CASEWORKER:  # their own service, not someone else's
        assert keys["edit_own"] and not keys["edit_theirs"]
