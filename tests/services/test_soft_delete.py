"""Deleting notes and clients is soft: hidden, kept, and restorable by an administrator."""

from __future__ import annotations

from datetime import datetime

import pytest

from casetui.db.uow import UnitOfWork
from casetui.domain.errors import NotFound, PermissionDenied, ValidationError
from casetui.domain.filters import CaseFilter
from casetui.domain.models import CaseNote, Client
from casetui.repositories.cases import CaseRepository
from casetui.repositories.notes import NoteRepository
from casetui.services import caseload as caseload_service
from casetui.services import cases as case_service
from casetui.services import clients as client_service
from casetui.services import notes as note_service
from casetui.services import timeline as timeline_service
from casetui.services import workload as workload_service

from .conftest import World


def _visible_note_ids(
    world: World, *, include_deleted: bool = False
) -> tuple[list[int], list[int]]:
    """(ids from NoteRepository.views, ids from list_notes) of ana's case, as ana sees them."""
    case_id = world.case_id(world.ana_case)
    views = world.read(
        lambda uow: NoteRepository(uow.session, world.ana).views(
            case_id=case_id, lock_days=14, now=uow.now(), include_deleted=include_deleted
        )
    )
    listed = world.run(note_service.list_notes, world.ana, world.ana_case)
    return [v.id for v in views], [n.id for n in listed]


def test_deleted_note_disappears_and_restore_brings_it_back(world: World) -> None:
    kept = world.note(world.ana, world.ana_case, "Kept")
    gone = world.note(world.ana, world.ana_case, "Deleted by mistake")
    assert set(_visible_note_ids(world)[0]) == {kept.id, gone.id}

    world.run(note_service.delete_note, world.ana, gone.id)
    assert _visible_note_ids(world) == ([kept.id], [kept.id])
    with pytest.raises(NotFound):
        world.run(note_service.edit_note, world.ana, gone.id, note_service.NoteChanges(summary="x"))

    world.run(note_service.restore_note, world.admin, gone.id)
    views, listed = _visible_note_ids(world)
    assert set(views) == set(listed) == {kept.id, gone.id}


def test_deleted_note_is_kept_in_the_database(world: World) -> None:
    note = world.note(world.ana, world.ana_case, "Still here underneath")
    world.run(note_service.delete_note, world.ana, note.id)
    row = world.read(lambda uow: uow.session.get(CaseNote, note.id))
    assert (
        row is not None
        and row.summary == "Still here underneath"
        and row.deleted_at == world.clock()
    )
    views, _ = _visible_note_ids(world, include_deleted=True)
    assert views == [note.id]


def test_restoring_a_note_that_is_not_deleted_is_refused(world: World) -> None:
    note = world.note(world.ana, world.ana_case)
    with pytest.raises(ValidationError):
        world.run(note_service.restore_note, world.admin, note.id)


def _last_interaction(world: World) -> datetime | None:
    return world.read(
        lambda uow: (
            CaseRepository(uow.session, world.admin)
            .get_by_number(world.ana_case)
            .last_interaction_at
        )
    )


def test_deleting_the_latest_note_recomputes_the_last_interaction(world: World) -> None:
    older = world.note(
        world.ana,
        world.ana_case,
        "Yesterday's call",
        contact_date="yesterday",
        contact_time="15:30",
    )
    latest = world.note(
        world.ana,
        world.ana_case,
        "This morning's visit",
        contact_date="today",
        contact_time="09:00",
    )
    assert _last_interaction(world) == latest.contact_at

    world.run(note_service.delete_note, world.ana, latest.id)
    assert _last_interaction(world) == older.contact_at

    world.run(note_service.restore_note, world.admin, latest.id)
    assert _last_interaction(world) == latest.contact_at

    world.run(note_service.delete_note, world.ana, latest.id)
    world.run(note_service.delete_note, world.ana, older.id)
    assert _last_interaction(world) is None


def _client(world: World, client_id: int) -> Client:
    return world.read(lambda uow: uow.session.get(Client, client_id))


def test_deleted_client_is_kept_and_restore_brings_it_back(world: World) -> None:
    world.run(client_service.delete_client, world.admin, world.ana_client)
    row = _client(world, world.ana_client)
    assert row.name == "Amal Haddad" and row.deleted_at == world.clock()
    with pytest.raises(ValidationError) as refused:
        world.run(
            case_service.open_case, world.ana, case_service.CaseInput(client_id=world.ana_client)
        )
    assert refused.value.field == "client"
    with pytest.raises(ValidationError):
        world.run(client_service.delete_client, world.admin, world.ana_client)

    world.run(client_service.restore_client, world.admin, world.ana_client)
    assert _client(world, world.ana_client).deleted_at is None
    world.run(case_service.open_case, world.ana, case_service.CaseInput(client_id=world.ana_client))


def test_deleted_client_is_hidden_from_the_caseload(world: World) -> None:
    world.run(client_service.delete_client, world.admin, world.ana_client)

    def caseload(uow: UnitOfWork) -> set[str]:
        return {
            r.client_name
            for r in CaseRepository(uow.session, world.ana).rows(CaseFilter(statuses=()))
        }

    assert "Amal Haddad" not in world.read(caseload)
    with pytest.raises(NotFound):
        world.read(lambda uow: CaseRepository(uow.session, world.ana).get_by_number(world.ana_case))

    world.run(client_service.restore_client, world.admin, world.ana_client)
    assert "Amal Haddad" in world.read(caseload)


# --- a deleted client vanishes from every read, for everyone ----------------------------------

READERS = ["ana", "sam", "admin", "audrey"]


def _delete_ana_client_with_a_note(world: World) -> int:
    world.note(world.ana, world.ana_case, "Before the record was deleted")
    case_id = world.case_id(world.ana_case)
    world.run(client_service.delete_client, world.admin, world.ana_client)
    return case_id


@pytest.mark.parametrize("username", READERS)
def test_a_deleted_client_leaves_the_cases_list(world: World, username: str) -> None:
    actor = getattr(world, username)
    listed = caseload_service.list_cases(world.db, actor, CaseFilter(statuses=()), limit=None)
    assert world.ana_case in {r.case_number for r in listed.rows}
    _delete_ana_client_with_a_note(world)
    listed = caseload_service.list_cases(world.db, actor, CaseFilter(statuses=()), limit=None)
    assert world.ana_case not in {r.case_number for r in listed.rows}
    assert "Amal Haddad" not in {r.client_name for r in listed.rows}
    page = caseload_service.first_page(world.db, actor, CaseFilter(statuses=(), query="Amal"))
    assert page.rows == []


@pytest.mark.parametrize("username", READERS)
def test_a_deleted_clients_case_cannot_be_shown_nor_its_timeline_opened(
    world: World, username: str
) -> None:
    actor = getattr(world, username)
    case_id = _delete_ana_client_with_a_note(world)
    with pytest.raises(NotFound):
        world.run(case_service.show_case, actor, world.ana_case)
    with pytest.raises(NotFound):
        world.run(timeline_service.load_timeline, actor, case_id)
    with pytest.raises(NotFound):
        world.run(note_service.list_notes, actor, world.ana_case)


@pytest.mark.parametrize("username", READERS)
def test_a_deleted_client_leaves_the_clients_list_and_record(world: World, username: str) -> None:
    actor = getattr(world, username)
    _delete_ana_client_with_a_note(world)
    assert world.ana_client not in [c.id for c in world.run(client_service.list_clients, actor)]
    assert world.run(client_service.list_clients, actor, "Haddad") == []
    with pytest.raises(NotFound):
        world.run(client_service.client_record, actor, world.ana_client)


def test_a_deleted_client_leaves_the_workload(world: World) -> None:
    def ana_hours() -> tuple[float, dict[str, int]]:
        rows = world.run(workload_service.workload, world.sam)
        row = next(r for r in rows if r.username == "ana")
        return row.allocated_hours, row.cases_by_concern

    assert ana_hours()[0] == 1.0
    _delete_ana_client_with_a_note(world)
    hours, by_concern = ana_hours()
    assert hours == 0.0 and sum(by_concern.values()) == 0
    world.run(client_service.restore_client, world.admin, world.ana_client)
    assert ana_hours()[0] == 1.0


def test_a_deleted_client_is_not_found_by_search(world: World) -> None:
    search = pytest.importorskip("casetui.services.search")
    assert any(
        h.client_id == world.ana_client for h in search.search(world.db, world.ana, "Haddad")
    )
    _delete_ana_client_with_a_note(world)
    for who in (world.ana, world.admin):
        hits = search.search(world.db, who, "Haddad")
        assert all(h.client_id != world.ana_client for h in hits)
        assert all(h.case_number != world.ana_case for h in hits)
        assert search.search(world.db, who, "deleted") == []


def test_a_deleted_clients_former_case_number_finds_nothing(world: World) -> None:
    world.run(case_service.change_case_number, world.admin, world.ana_case, "HB-0001")
    world.run(client_service.delete_client, world.admin, world.ana_client)
    for number in ("HB-0001", world.ana_case):
        with pytest.raises(NotFound):
            world.run(case_service.show_case, world.admin, number)


def test_restoring_brings_back_the_cases_deleted_with_the_client(world: World) -> None:
    _delete_ana_client_with_a_note(world)
    world.run(client_service.restore_client, world.admin, world.ana_client)
    detail = world.run(case_service.show_case, world.ana, world.ana_case)
    assert detail.client_id == world.ana_client
    assert [n.summary for n in world.run(note_service.list_notes, world.ana, world.ana_case)] == [
        "Before the record was deleted"
    ]


def test_a_caseworker_with_the_grant_deletes_a_client_nobody_holds_a_case_for(
    world: World,
) -> None:
    from dataclasses import replace

    from casetui.domain.enums import Grant

    client_id = world.run(
        client_service.register_client, world.cara, client_service.ClientInput("Nadia Petrova")
    )
    with pytest.raises(PermissionDenied):
        world.run(client_service.delete_client, world.ana, client_id)
    granted = replace(world.ana, grants=world.ana.grants | {Grant.DELETE_CLIENTS})
    world.run(client_service.delete_client, granted, client_id)
    assert _client(world, client_id).deleted_at == world.clock()
    with pytest.raises(NotFound):
        world.run(client_service.restore_client, world.admin, 10_000)
    with pytest.raises(ValidationError):
        world.run(client_service.restore_client, world.admin, world.ben_client)
