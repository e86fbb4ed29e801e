"""The organisation's lists: added, retired (never deleted), brought back, renamed and moved;
records keep the word they were written with. SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest

from casetui.domain.enums import ListKind
from casetui.domain.errors import Conflict, StaleEdit, ValidationError
from casetui.domain.models import OrganisationListItem
from casetui.services import audit_trail, clients, notes
from casetui.services import lists as list_service
from casetui.services import settings as settings_service
from casetui.services.clients import ClientChanges, ClientInput

from .conftest import World


def _values(world: World, kind: str) -> list[tuple[str, bool, int]]:
    items = world.run(list_service.list_items_of, world.admin, kind)
    return [(i.value, i.retired, i.position) for i in items]


def _offered(world: World) -> tuple[str, ...]:
    return world.run(settings_service.get_settings, world.ana).pathways


def test_every_kind_has_a_command_line_name_and_a_title() -> None:
    assert set(list_service.KINDS.values()) == set(ListKind) == set(list_service.TITLES)
    assert list_service.kind_named("grants") is ListKind.FUNDING_GRANT
    assert list_service.kind_named("pathway") is ListKind.PATHWAY
    with pytest.raises(ValidationError, match="'colours' is not one of") as refused:
        list_service.kind_named("colours")
    assert refused.value.field == "list"


def test_an_added_item_goes_last_and_a_listed_one_is_refused(world: World) -> None:
    item = world.run(list_service.add_item, world.admin, "pathways", "Youth Justice")
    assert (item.value, item.retired, item.position) == ("Youth Justice", False, 6)
    assert _offered(world)[-1] == "Youth Justice"
    event = world.audit_events()[-1]
    assert (event.action, event.entity) == ("list.add", "list_item")
    before = world.dump()
    with pytest.raises(Conflict, match="'Youth Justice' is already in pathways"):
        world.run(list_service.add_item, world.admin, "pathways", "youth justice")
    with pytest.raises(ValidationError) as blank:
        world.run(list_service.add_item, world.admin, "pathways", "  ")
    assert blank.value.field == "value"
    assert world.dump() == before
    # An empty list of a new kind starts at the top.
    first = world.run(list_service.add_item, world.admin, "grants", "Lottery Fund")
    assert first.position == 0


def test_a_retired_item_is_not_offered_but_records_keep_it(world: World) -> None:
    client_id = world.ana_client
    world.run(
        clients.edit_client, world.ana, client_id, ClientChanges(client_type="Case Management")
    )
    note = world.note(world.ana, world.ana_case, "Rang", activity_type="SMS")
    world.run(list_service.retire_item, world.admin, "client_types", "case management")
    world.run(list_service.retire_item, world.admin, "activity_types", "SMS")

    offered = world.run(settings_service.get_settings, world.ana)
    assert "Case Management" not in offered.client_types and "SMS" not in offered.activity_types
    assert ("SMS", True, 4) in _values(world, "activity_types")
    record = world.run(clients.client_record, world.ana, client_id)
    assert record.client.client_type == "Case Management"
    assert world.run(notes.open_note, world.ana, note.id).activity_type == "SMS"
    # The note still saves with its own word; a new record may not take the retired one.
    notes.edit_note(world.db, world.ana, note.id, notes.NoteChanges(summary="Rang twice"))
    with pytest.raises(ValidationError, match="client type"):
        world.run(
            clients.register_client, world.ana, ClientInput("New", client_type="Case Management")
        )
    with pytest.raises(ValidationError, match="retired already"):
        world.run(list_service.retire_item, world.admin, "activity_types", "SMS")


def test_adding_a_retired_value_brings_it_back(world: World) -> None:
    world.run(list_service.retire_item, world.admin, "pathways", "Mental Health")
    assert "Mental Health" not in _offered(world)
    back = world.run(list_service.add_item, world.admin, "pathways", "mental health")
    assert (back.value, back.retired, back.position) == ("Mental Health", False, 2)
    assert "Mental Health" in _offered(world)
    assert [e.action for e in world.audit_events()[-2:]] == ["list.retire", "list.restore"]
    world.run(list_service.retire_item, world.admin, "pathways", "Mental Health")
    world.run(list_service.restore_item, world.admin, "pathways", "Mental Health")
    with pytest.raises(ValidationError, match="not retired"):
        world.run(list_service.restore_item, world.admin, "pathways", "Mental Health")


def test_a_rename_changes_the_list_and_never_the_records(world: World) -> None:
    note = world.note(world.ana, world.ana_case, "Visited", activity_type="Home visit")
    item = world.run(
        list_service.rename_item, world.admin, "activity_types", "Home visit", "Outreach visit"
    )
    assert item.value == "Outreach visit"
    assert world.run(notes.open_note, world.ana, note.id).activity_type == "Home visit"
    offered = world.run(settings_service.get_settings, world.ana).activity_types
    assert "Outreach visit" in offered and "Home visit" not in offered
    event = world.audit_events()[-1]
    assert json.loads(event.before or "{}")["value"] == "Home visit"
    assert json.loads(event.after or "{}")["value"] == "Outreach visit"
    with pytest.raises(Conflict, match="'Email' is already in activity_types"):
        world.run(list_service.rename_item, world.admin, "activity_types", "SMS", "email")
    with pytest.raises(ValidationError, match="'Home visit' is not in activity_types"):
        world.run(list_service.rename_item, world.admin, "activity_types", "Home visit", "X")


def test_an_item_moves_up_and_down_its_list(world: World) -> None:
    order = world.run(list_service.move_item, world.admin, "pathways", "Mental Health", -1)
    assert [i.value for i in order][:3] == [
        "Housing Support",
        "Mental Health",
        "Employment Pathway",
    ]
    assert [i.position for i in order] == list(range(len(order)))
    assert _offered(world)[:3] == ("Housing Support", "Mental Health", "Employment Pathway")
    world.run(list_service.move_item, world.admin, "pathways", "Housing Support", 1)
    assert _offered(world)[:2] == ("Mental Health", "Housing Support")
    assert world.audit_events()[-1].action == "list.move"
    with pytest.raises(ValidationError, match="first already"):
        world.run(list_service.move_item, world.admin, "pathways", "Mental Health", -1)
    with pytest.raises(ValidationError, match="last already"):
        world.run(list_service.move_item, world.admin, "pathways", "Benefits and Debt", 1)


def test_an_edit_from_an_old_version_is_refused(world: World) -> None:
    seen = next(i for i in world.run(list_service.list_items_of, world.admin, "groups"))
    world.run(list_service.rename_item, world.admin, "groups", seen.value, "Job club (Mon)")
    with pytest.raises(StaleEdit, match="was changed by Admin"):
        world.run(
            list_service.retire_item, world.admin, "groups", "Job club (Mon)",
            expected_version=seen.version,
        )  # fmt: skip


def test_nothing_is_ever_deleted(world: World) -> None:
    count = world.read(lambda uow: uow.session.query(OrganisationListItem).count())
    world.run(list_service.retire_item, world.admin, "groups", "Job club")
    world.run(list_service.rename_item, world.admin, "groups", "Peer support", "Peer mentoring")
    assert world.read(lambda uow: uow.session.query(OrganisationListItem).count()) == count


def test_the_audit_trail_offers_every_administration_action() -> None:
    written = {
        "sign_in.temporary", "staff.create", "staff.edit", "staff.password",
        "staff.deactivate", "staff.reactivate", "team.create", "team.rename",
        "team.supervisor_add", "team.supervisor_remove", "settings.update", "list.add",
        "list.retire", "list.restore", "list.rename", "list.move",
    }  # fmt: skip
    assert written <= set(audit_trail.ACTIONS)
