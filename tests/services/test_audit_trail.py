"""Every write leaves an audit event; the hash chain shows any edit, deletion or forgery."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy.exc import DBAPIError

from casetui.domain.models import AuditEvent
from casetui.services import audit
from casetui.services import bulk_notes as bulk_note_service
from casetui.services import cases as case_service
from casetui.services import clients as client_service
from casetui.services import notes as note_service
from casetui.services import staff as staff_service
from casetui.services import tasks as task_service
from casetui.services.settings import SettingsChanges, update_settings
from casetui.services.tasks import TaskInput

from .conftest import World

Write = Callable[[], object]


def _note_id(w: World) -> int:
    return w.note(w.ana, w.ana_case, "To be changed").id


def _task_id(w: World, repeats: str = "none") -> int:
    return w.run(
        task_service.add_task,
        w.ana,
        w.ana_case,
        TaskInput(name="Call back", due="+1w", repeats=repeats),
    ).id


NOTE = note_service.NoteInput(summary="Phoned the client", activity_type="Phone call")


def register_client(w: World) -> Write:
    return lambda: w.run(
        client_service.register_client, w.ana, client_service.ClientInput(name="Dana Novak")
    )


def delete_client(w: World) -> Write:
    return lambda: w.run(client_service.delete_client, w.admin, w.ana_client)


def restore_client(w: World) -> Write:
    w.run(client_service.delete_client, w.admin, w.ana_client)
    return lambda: w.run(client_service.restore_client, w.admin, w.ana_client)


def open_case(w: World) -> Write:
    return lambda: w.run(
        case_service.open_case, w.ana, case_service.CaseInput(client_id=w.ana_client)
    )


def change_status(w: World) -> Write:
    return lambda: w.run(case_service.change_status, w.ana, w.ana_case, "Paused")


def change_concern(w: World) -> Write:
    return lambda: w.run(case_service.change_concern, w.ana, w.ana_case, "High")


def reassign(w: World) -> Write:
    return lambda: w.run(case_service.reassign, w.sam, w.ana_case, "ben")


def change_case_number(w: World) -> Write:
    return lambda: w.run(case_service.change_case_number, w.admin, w.ana_case, "HB-0001")


def register_with_case(w: World) -> Write:
    return lambda: w.run(
        client_service.register_with_case,
        w.ana,
        client_service.ClientInput(name="Ewa Lis"),
        case_service.CaseInput(client_id=0),
    )


def edit_client(w: World) -> Write:
    return lambda: w.run(
        client_service.edit_client,
        w.ana,
        w.ana_client,
        client_service.ClientChanges(email="amal@example.org", add_warnings=("Safeguarding",)),
    )


def join_group(w: World) -> Write:
    return lambda: w.run(client_service.join_group, w.ana, "Job club", [w.ana_case, w.ben_case])


def edit_case(w: World) -> Write:
    changes = case_service.CaseChanges(pathway="Housing Support", add_tags=("rent",))
    return lambda: w.run(case_service.edit_case, w.ana, w.ben_case, changes)


def assign_navigator(w: World) -> Write:
    return lambda: w.run(case_service.assign_navigator, w.sam, w.ana_case, "olga")


def unassign_navigator(w: World) -> Write:
    w.run(case_service.assign_navigator, w.admin, w.ben_case, "olga")
    return lambda: w.run(case_service.unassign_navigator, w.sam, w.ben_case, "olga")


def set_tags(w: World) -> Write:
    return lambda: w.run(case_service.set_tags, w.ana, w.ana_case, ["housing", "debt"])


def add_note(w: World) -> Write:
    return lambda: w.run(note_service.add_note, w.ana, w.ana_case, NOTE)


def add_note_with_task(w: World) -> Write:
    return lambda: w.run(
        note_service.add_note, w.ana, w.ana_case, NOTE, [TaskInput(name="Call back", due="+1w")]
    )


def bulk_note_with_task(w: World) -> Write:
    cases = [w.ana_case, w.ben_case]
    return lambda: w.run(
        bulk_note_service.bulk_add_notes, w.ana, cases, NOTE, TaskInput(name="Call back", due="+1w")
    )


def edit_note(w: World) -> Write:
    note_id = _note_id(w)
    return lambda: w.run(
        note_service.edit_note, w.ana, note_id, note_service.NoteChanges(summary="Changed")
    )


def override_edit(w: World) -> Write:
    note_id = _note_id(w)
    w.clock.advance(timedelta(days=30))
    return lambda: w.run(
        note_service.edit_note,
        w.admin,
        note_id,
        note_service.NoteChanges(summary="Changed"),
        reason="typo",
    )


def delete_note(w: World) -> Write:
    note_id = _note_id(w)
    return lambda: w.run(note_service.delete_note, w.ana, note_id)


def restore_note(w: World) -> Write:
    note_id = _note_id(w)
    w.run(note_service.delete_note, w.ana, note_id)
    return lambda: w.run(note_service.restore_note, w.admin, note_id)


def addendum(w: World) -> Write:
    note_id = _note_id(w)
    return lambda: w.run(note_service.add_addendum, w.ana, note_id, "More", "forgot")


def add_task(w: World) -> Write:
    return lambda: w.run(
        task_service.add_task, w.ana, w.ana_case, TaskInput(name="Call back", due="+1w")
    )


def complete_task(w: World) -> Write:
    task_id = _task_id(w)
    return lambda: w.run(task_service.complete_task, w.ana, task_id)


def complete_repeating_task(w: World) -> Write:
    task_id = _task_id(w, "weekly")
    return lambda: w.run(task_service.complete_task, w.ana, task_id)


def cancel_task(w: World) -> Write:
    task_id = _task_id(w)
    return lambda: w.run(task_service.cancel_task, w.ana, task_id)


def change_settings(w: World) -> Write:
    return lambda: w.run(update_settings, w.admin, SettingsChanges(lock_days=7))


def create_staff(w: World) -> Write:
    return lambda: w.run(
        staff_service.create_staff, w.admin, staff_service.StaffInput("dee", "Dee", team="East")
    )


WRITES: dict[str, tuple[Callable[[World], Write], str, list[str]]] = {
    "register_client": (register_client, "ana", ["client.register"]),
    "delete_client": (delete_client, "admin", ["client.delete"]),
    "restore_client": (restore_client, "admin", ["client.restore"]),
    "open_case": (open_case, "ana", ["case.open"]),
    "change_status": (change_status, "ana", ["case.status"]),
    "change_concern": (change_concern, "ana", ["case.concern"]),
    "reassign": (reassign, "sam", ["case.reassign"]),
    "change_case_number": (change_case_number, "admin", ["case.number"]),
    "register_with_case": (register_with_case, "ana", ["client.register", "case.open"]),
    "edit_client": (edit_client, "ana", ["client.edit"]),
    "join_group": (join_group, "ana", ["client.join_group"] * 2),
    "edit_case": (edit_case, "ana", ["case.pathway", "case.tags"]),
    "assign_navigator": (assign_navigator, "sam", ["case.navigator_assign"]),
    "unassign_navigator": (unassign_navigator, "sam", ["case.navigator_unassign"]),
    "set_tags": (set_tags, "ana", ["case.tags"]),
    "add_note": (add_note, "ana", ["note.add"]),
    "add_note_with_task": (add_note_with_task, "ana", ["note.add", "task.add"]),
    "bulk_note_with_task": (bulk_note_with_task, "ana", ["note.add"] * 2 + ["task.add"] * 2),
    "edit_note": (edit_note, "ana", ["note.edit"]),
    "override_edit": (override_edit, "admin", ["note.override_edit"]),
    "delete_note": (delete_note, "ana", ["note.delete"]),
    "restore_note": (restore_note, "admin", ["note.restore"]),
    "addendum": (addendum, "ana", ["note.addendum"]),
    "add_task": (add_task, "ana", ["task.add"]),
    "complete_task": (complete_task, "ana", ["task.done"]),
    "complete_repeating_task": (complete_repeating_task, "ana", ["task.done", "task.add"]),
    "cancel_task": (cancel_task, "ana", ["task.cancelled"]),
    "change_settings": (change_settings, "admin", ["settings.update"]),
    "create_staff": (create_staff, "admin", ["team.create", "staff.create"]),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_every_write_adds_audit_events(world: World, write: str) -> None:
    prepare, username, actions = WRITES[write]
    attempt = prepare(world)
    already = len(world.audit_events())
    attempt()
    new = world.audit_events()[already:]
    assert [e.action for e in new] == actions
    assert {e.actor_username for e in new} == {username}
    assert all(e.at == world.clock() for e in new)


def test_chain_verifies_after_a_sequence_of_writes(world: World) -> None:
    # These take ana's case or client away from her, so they come last.
    last = ["reassign", "change_case_number", "delete_client"]
    for name in [n for n in WRITES if n not in last] + last:
        WRITES[name][0](world)()
        world.clock.advance(timedelta(minutes=7))
    check = world.read(audit.verify)
    assert check.ok, check.problem
    assert check.events == len(world.audit_events()) > 40


def _allow_tampering(world: World) -> None:
    """Take away the database's own refusal, as someone with the server's keys could."""
    if world.db.is_sqlite:
        world.sql("DROP TRIGGER audit_event_no_update")
        world.sql("DROP TRIGGER audit_event_no_delete")
    else:
        world.sql("ALTER TABLE audit_event DISABLE TRIGGER USER")


def _tail(world: World) -> AuditEvent:
    return world.audit_events()[-1]


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_event SET after = '{}' WHERE id = 3", "DELETE FROM audit_event WHERE id = 3"],
    ids=["update", "delete"],
)
def test_database_refuses_to_change_an_audit_event(world: World, statement: str) -> None:
    before = world.audit_events()
    with pytest.raises(DBAPIError, match="append-only"):
        world.sql(statement)
    assert [(e.id, e.after) for e in world.audit_events()] == [(e.id, e.after) for e in before]


@pytest.mark.postgres
@pytest.mark.parametrize("db", ["postgres"], indirect=True)  # SQLite has no TRUNCATE
def test_database_refuses_to_truncate_the_audit_trail(world: World) -> None:
    with pytest.raises(DBAPIError, match="append-only"):
        world.sql("TRUNCATE audit_event")


def test_edited_event_breaks_the_chain_at_that_event(world: World) -> None:
    _allow_tampering(world)
    world.sql(
        "UPDATE audit_event SET after = :after WHERE id = 5",
        after=json.dumps({"username": "mallory"}),
    )
    check = world.read(audit.verify)
    assert (check.ok, check.broken_at) == (False, 5)


def test_edited_and_rehashed_event_breaks_the_chain_at_the_next_event(world: World) -> None:
    _allow_tampering(world)
    event = next(e for e in world.audit_events() if e.id == 5)
    event.after = json.dumps({"username": "mallory"})
    world.sql(
        "UPDATE audit_event SET after = :after, hash = :hash WHERE id = 5",
        after=event.after,
        hash=audit.event_hash(event),
    )
    assert world.read(audit.verify).broken_at == 6


def test_deleted_event_breaks_the_chain(world: World) -> None:
    _allow_tampering(world)
    world.sql("DELETE FROM audit_event WHERE id = 5")
    check = world.read(audit.verify)
    assert (check.ok, check.broken_at) == (False, 6)


def test_forged_event_with_a_wrong_previous_hash_breaks_the_chain(world: World) -> None:
    last = _tail(world)
    forged = AuditEvent(
        id=last.id + 1, at=world.clock(), actor_id=world.admin.id, actor_username="admin",
        action="note.delete", entity="case_note", entity_id="1", prev_hash="f" * 64, hash="",
    )  # fmt: skip
    forged.hash = audit.event_hash(forged)
    with world.db.uow() as uow:
        uow.session.add(forged)
        uow.commit()
    check = world.read(audit.verify)
    assert (check.ok, check.broken_at) == (False, last.id + 1)


def test_forged_event_with_a_wrong_own_hash_breaks_the_chain(world: World) -> None:
    last = _tail(world)
    forged = AuditEvent(
        id=last.id + 1, at=world.clock(), actor_id=None, actor_username="system",
        action="note.delete", entity="case_note", entity_id="1", prev_hash=last.hash, hash="0" * 64,
    )  # fmt: skip
    with world.db.uow() as uow:
        uow.session.add(forged)
        uow.commit()
    assert world.read(audit.verify).broken_at == last.id + 1


def test_untouched_chain_verifies(world: World) -> None:
    check = world.read(audit.verify)
    assert check.ok and check.events == len(world.audit_events())


def test_reading_a_restricted_note_in_a_list_is_audited(world: World) -> None:
    note = world.note(
        world.ana,
        world.ana_case,
        "Disclosure",
        details="Not for the client's eyes",
        restricted=True,
    )
    listed = world.run(note_service.list_notes, world.sam, world.ana_case)
    shown = any(n.id == note.id and n.details == "Not for the client's eyes" for n in listed)
    viewed = [
        e
        for e in world.audit_events()
        if e.action == "note.view_restricted" and e.entity_id == str(note.id)
    ]
    assert not shown or [e.actor_username for e in viewed] == ["sam"]
