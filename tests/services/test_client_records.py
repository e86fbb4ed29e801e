"""Client records: registering (alone or with a first case), who sees a client, editing the
record (versioned, audited), groups, and what ``client_access`` answers."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from casetui.domain.errors import (
    BulkRefused,
    NotFound,
    PermissionDenied,
    StaleEdit,
    ValidationError,
    ValidationErrors,
)
from casetui.domain.models import Case, Client, ClientGroup, NameTerm
from casetui.services import cases as case_service
from casetui.services import clients as client_service
from casetui.services.clients import ClientChanges, ClientInput

from .conftest import World

FULL = ClientInput(
    name="Dana Novak",
    preferred_name="Dee",
    date_of_birth="1990-04-03",
    email="dana.novak@example.org",
    phone="+44 (0)7700 900123",
    client_type="direct service client",  # matched as the list spells it
    warnings=("Safeguarding", "interpreter needed"),
    groups=("Job club",),
)


def _row(world: World, client_id: int) -> Client:
    return world.read(lambda uow: uow.session.get(Client, client_id))


def _terms(world: World) -> set[str]:
    return set(world.read(lambda uow: uow.session.execute(select(NameTerm.term)).scalars().all()))


def _caseless(world: World, name: str = "Nadia Petrova") -> int:
    """A client nobody holds a case for, registered by ana."""
    return world.run(client_service.register_client, world.ana, ClientInput(name=name))


# --- registering ---------------------------------------------------------------------------


def test_a_registered_client_keeps_every_field_in_the_organisations_spelling(world: World) -> None:
    client_id = world.run(client_service.register_client, world.ana, FULL)
    view = world.run(client_service.client_record, world.ana, client_id).client
    assert (view.name, view.preferred_name, view.date_of_birth, view.email, view.phone) == (
        "Dana Novak",
        "Dee",
        date(1990, 4, 3),
        "dana.novak@example.org",
        "+44 (0)7700 900123",
    )
    assert view.client_type == "Direct Service Client"
    assert view.warnings == ("Interpreter needed", "Safeguarding")
    assert view.groups == ("Job club",)
    assert (view.status, view.created_at, view.version) == ("Active", world.clock(), 1)
    assert _row(world, client_id).phone_digits == "4407700900123"
    assert {"dana", "novak", "dee"} <= _terms(world)
    event = world.audit_events()[-1]
    assert (event.action, event.entity_id) == ("client.register", str(client_id))
    assert json.loads(event.after or "{}")["groups"] == ["Job club"]


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("client_type", "Walk-in", "client type"),
        ("warnings", ("Bites",), "warning indicator"),
        ("groups", ("Chess club",), "group"),
        ("email", "dana.novak@example", "email"),
        ("email", "dana novak@example.org", "email"),
        ("date_of_birth", "2026-11-23", "date of birth"),
        ("date_of_birth", "+1w", "date of birth"),
        ("phone", "none given", "phone"),
        ("name", "  ", "name"),
    ],
)
def test_a_client_outside_the_rules_is_refused_and_nothing_written(
    world: World, field: str, value: Any, named: str
) -> None:
    before = world.dump()
    client = ClientInput(**{"name": "Dana Novak", field: value})
    with pytest.raises(ValidationError) as refused:
        world.run(client_service.register_client, world.ana, client)
    assert refused.value.field == named
    assert world.dump() == before


def test_every_wrong_field_is_named_at_once(world: World) -> None:
    client = ClientInput(name="", email="nope", date_of_birth="2030-01-01", groups=("Chess",))
    with pytest.raises(ValidationErrors) as refused:
        world.run(client_service.register_client, world.ana, client)
    assert [e.field for e in refused.value.errors] == ["name", "date of birth", "email", "group"]


def test_a_birthday_today_is_allowed(world: World) -> None:
    client = ClientInput(name="Born Today", date_of_birth=world.clock().date())
    client_id = world.run(client_service.register_client, world.ana, client)
    assert _row(world, client_id).date_of_birth == world.clock().date()


def test_auditors_never_register_clients(world: World) -> None:
    before = world.dump()
    with pytest.raises(PermissionDenied):
        world.run(client_service.register_client, world.audrey, ClientInput(name="Dana Novak"))
    assert world.dump() == before


def test_register_with_case_writes_the_client_and_the_case_together(world: World) -> None:
    detail = world.run(
        client_service.register_with_case,
        world.sam,
        ClientInput(name="Ewa Lis", groups=("Peer support",)),
        case_service.CaseInput(client_id=0, worker="ben", concern="High", tags=("rent",)),
    )
    assert (detail.client_name, detail.worker_username, detail.concern, detail.tags) == (
        "Ewa Lis",
        "ben",
        "High",
        ("rent",),
    )
    record = world.run(client_service.client_record, world.ben, detail.client_id)
    assert [c.case_number for c in record.cases] == [detail.case_number]
    assert [e.action for e in world.audit_events()[-2:]] == ["client.register", "case.open"]


@pytest.mark.parametrize(
    ("who", "case", "refusal"),
    [
        ("ana", case_service.CaseInput(client_id=0, worker="ben"), PermissionDenied),
        ("sam", case_service.CaseInput(client_id=0, worker="cara"), PermissionDenied),
        ("ana", case_service.CaseInput(client_id=0, pathway="Knitting"), ValidationError),
        ("ana", case_service.CaseInput(client_id=0, case_number="MINE-1"), PermissionDenied),
    ],
)
def test_register_with_case_writes_nothing_when_the_case_is_refused(
    world: World, who: str, case: case_service.CaseInput, refusal: type[Exception]
) -> None:
    before = world.dump()
    with pytest.raises(refusal):
        world.run(
            client_service.register_with_case, getattr(world, who), ClientInput("Ewa Lis"), case
        )
    assert world.dump() == before


# --- who sees a client ---------------------------------------------------------------------

SEES_ANAS_CLIENT = {"ana": True, "ben": False, "sam": True, "cara": False, "admin": True}


@pytest.mark.parametrize("username", ["ana", "ben", "sam", "cara", "olga", "admin", "audrey"])
def test_a_client_with_no_case_is_seen_by_everyone_who_registers_and_auditors(
    world: World, username: str
) -> None:
    client_id = _caseless(world)
    record = world.run(client_service.client_record, getattr(world, username), client_id)
    assert (record.client.name, record.cases) == ("Nadia Petrova", ())
    listed = world.run(client_service.list_clients, getattr(world, username))
    assert client_id in [c.id for c in listed]


@pytest.mark.parametrize("username", ["ana", "ben", "sam", "cara", "admin", "audrey"])
def test_a_client_with_cases_is_seen_by_whoever_sees_one_of_them(
    world: World, username: str
) -> None:
    actor = getattr(world, username)
    sees = SEES_ANAS_CLIENT.get(username, True)
    listed = [c.id for c in world.run(client_service.list_clients, actor)]
    assert (world.ana_client in listed) is sees
    if sees:
        record = world.run(client_service.client_record, actor, world.ana_client)
        assert [c.case_number for c in record.cases] == [world.ana_case]
    else:
        with pytest.raises(NotFound):
            world.run(client_service.client_record, actor, world.ana_client)


def test_a_record_counts_the_cases_out_of_sight_without_showing_them(world: World) -> None:
    # Cara (South) opens a second case for ana's client: ana sees one case and is told of one more.
    world.run(
        case_service.open_case,
        world.admin,
        case_service.CaseInput(client_id=world.ana_client, worker="cara"),
    )
    record = world.run(client_service.client_record, world.ana, world.ana_client)
    assert [c.case_number for c in record.cases] == [world.ana_case]
    assert record.cases_out_of_sight == 1
    everything = world.run(client_service.client_record, world.admin, world.ana_client)
    assert len(everything.cases) == 2 and everything.cases_out_of_sight == 0
    # Cara now sees the client through her own case.
    assert world.run(client_service.client_record, world.cara, world.ana_client).cases_out_of_sight


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("novak", {"Dana Novak"}),
        ("DEE", {"Dana Novak"}),
        ("example.org", {"Dana Novak"}),
        ("07700 900123", {"Dana Novak"}),
        ("1990-04-03", {"Dana Novak"}),
        ("haddad", {"Amal Haddad"}),
        ("okafor", set()),  # cara's client: out of ana's sight
        ("100%", set()),
    ],
)
def test_list_clients_finds_by_name_contact_details_and_birth_date(
    world: World, query: str, expected: set[str]
) -> None:
    world.run(client_service.register_client, world.ana, FULL)
    found = world.run(client_service.list_clients, world.ana, query)
    assert {c.name for c in found} == expected


@pytest.mark.parametrize("query", ["nunez", "ÑÚÑEZ", "zoe nu", "Zoë Ñúñez"])
def test_list_clients_finds_a_name_with_or_without_its_accents(world: World, query: str) -> None:
    accented = world.run(client_service.register_client, world.ana, ClientInput(name="Zoë Ñúñez"))
    plain = world.run(client_service.register_client, world.ana, ClientInput(name="Zoe Nunez"))
    found = world.run(client_service.list_clients, world.ana, query)
    assert {c.id for c in found} == {accented, plain}


def test_list_clients_as_an_export_is_audited(world: World) -> None:
    before = len(world.audit_events())
    rows = world.run(client_service.list_clients, world.sam, "a", export=True)
    new = world.audit_events()[before:]
    assert [(e.action, e.entity) for e in new] == [("export", "clients")]
    assert json.loads(new[0].after or "{}")["rows"] == len(rows) > 0


def test_the_deleted_list_is_for_administrators(world: World) -> None:
    world.run(client_service.delete_client, world.admin, world.ben_client)
    assert [c.id for c in world.run(client_service.deleted_clients, world.admin)] == [
        world.ben_client
    ]
    for who in (world.sam, world.ana, world.audrey):
        with pytest.raises(PermissionDenied):
            world.run(client_service.deleted_clients, who)
        with pytest.raises(PermissionDenied):
            world.run(client_service.list_clients, who, deleted=True)


# --- editing -------------------------------------------------------------------------------


def test_editing_details_status_type_warnings_and_groups(world: World) -> None:
    client_id = world.run(client_service.register_client, world.ana, FULL)
    world.run(case_service.open_case, world.ana, case_service.CaseInput(client_id=client_id))
    view = world.run(
        client_service.edit_client,
        world.ana,
        client_id,
        ClientChanges(
            name="Dana Nowak-Smith",
            preferred_name="",
            email="",
            phone="07700 900999",
            date_of_birth="1990-04-30",
            client_type="Case Management",
            status="inactive",
            add_warnings=("Risk to staff",),
            remove_warnings=("safeguarding",),
            add_groups=("Digital skills",),
            remove_groups=("Job club",),
        ),
        expected_version=1,
    )
    assert (view.name, view.preferred_name, view.email, view.phone) == (
        "Dana Nowak-Smith",
        None,
        None,
        "07700 900999",
    )
    assert (view.date_of_birth, view.client_type, view.status) == (
        date(1990, 4, 30),
        "Case Management",
        "Inactive",
    )
    assert view.warnings == ("Interpreter needed", "Risk to staff")
    assert view.groups == ("Digital skills",)
    assert view.version == 2
    assert _row(world, client_id).phone_digits == "07700900999"
    assert {"nowak", "smith"} <= _terms(world)
    event = world.audit_events()[-1]
    assert (event.action, event.actor_username) == ("client.edit", "ana")
    before, after = json.loads(event.before or "{}"), json.loads(event.after or "{}")
    assert (before["name"], after["name"]) == ("Dana Novak", "Dana Nowak-Smith")
    assert (before["record_status"], after["record_status"]) == ("Active", "Inactive")
    assert (before["groups"], after["groups"]) == (["Job club"], ["Digital skills"])
    assert after["warnings"] == ["Interpreter needed", "Risk to staff"]


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        (ClientChanges(name=""), "name"),
        (ClientChanges(status="Archived"), "record status"),
        (ClientChanges(client_type="Walk-in"), "client type"),
        (ClientChanges(add_warnings=("Bites",)), "warning indicator"),
        (ClientChanges(remove_warnings=("Safeguarding",)), "warning indicator"),
        (ClientChanges(add_groups=("Chess club",)), "group"),
        (ClientChanges(remove_groups=("Job club",)), "group"),
        (ClientChanges(email="at-nowhere"), "email"),
        (ClientChanges(date_of_birth="2027-01-01"), "date of birth"),
    ],
)
def test_an_edit_outside_the_rules_is_refused_and_nothing_written(
    world: World, changes: ClientChanges, named: str
) -> None:
    before = world.dump()
    with pytest.raises(ValidationError) as refused:
        world.run(client_service.edit_client, world.ana, world.ana_client, changes)
    assert refused.value.field == named
    assert world.dump() == before


def test_a_stale_client_edit_is_refused_naming_who_saved_first(world: World) -> None:
    saved_at = world.clock.advance(timedelta(minutes=4))
    world.run(
        client_service.edit_client,
        world.sam,
        world.ana_client,
        ClientChanges(phone="0161 496 0000"),
        expected_version=1,
    )
    typed = ClientChanges(name="Amal Haddad-Ali", status="Closed")
    before = world.dump()
    with pytest.raises(StaleEdit) as refused:
        world.run(
            client_service.edit_client, world.ana, world.ana_client, typed, expected_version=1
        )
    assert refused.value.changed_by == "Sam (sam)"
    assert refused.value.changed_at == saved_at
    assert refused.value.current_version == 2
    assert "what you typed is kept" in str(refused.value)
    assert world.dump() == before
    # What ana typed is hers to save again from the version she now sees.
    assert typed == ClientChanges(name="Amal Haddad-Ali", status="Closed")
    view = world.run(
        client_service.edit_client, world.ana, world.ana_client, typed, expected_version=2
    )
    assert (view.name, view.status, view.phone) == ("Amal Haddad-Ali", "Closed", "0161 496 0000")


def test_a_stale_edit_with_nothing_to_change_is_still_refused(world: World) -> None:
    world.run(client_service.edit_client, world.sam, world.ana_client, ClientChanges(phone="0161"))
    with pytest.raises(StaleEdit):
        world.run(
            client_service.edit_client,
            world.ana,
            world.ana_client,
            ClientChanges(name="Amal Haddad"),
            expected_version=1,
        )


def test_an_edit_that_changes_nothing_writes_nothing(world: World) -> None:
    before = world.dump()
    view = world.run(
        client_service.edit_client, world.ana, world.ana_client, ClientChanges(name="Amal Haddad")
    )
    assert view.version == 1
    assert world.dump() == before


def test_any_writer_edits_a_client_with_no_case(world: World) -> None:
    client_id = _caseless(world)
    for who in (world.cara, world.ben, world.sam):
        world.run(
            client_service.edit_client, who, client_id, ClientChanges(email=f"{who.username}@x.org")
        )
    assert _row(world, client_id).email == "sam@x.org"
    with pytest.raises(PermissionDenied):
        world.run(client_service.edit_client, world.audrey, client_id, ClientChanges(email=""))


# --- groups --------------------------------------------------------------------------------


def _groups(world: World) -> set[tuple[int, str]]:
    rows = world.read(lambda uow: uow.session.execute(select(ClientGroup)).scalars().all())
    return {(r.client_id, r.group_name) for r in rows}


def test_join_group_adds_every_client_of_the_cases(world: World) -> None:
    world.run(
        client_service.edit_client,
        world.admin,
        world.ben_client,
        ClientChanges(add_groups=("Job club",)),
    )
    joined = world.run(
        client_service.join_group, world.ana, "job CLUB", [world.ana_case, world.ben_case]
    )
    assert joined == 1  # ben's client was in the group already
    assert _groups(world) == {(world.ana_client, "Job club"), (world.ben_client, "Job club")}
    event = world.audit_events()[-1]
    assert (event.action, event.entity_id, event.actor_username) == (
        "client.join_group",
        str(world.ana_client),
        "ana",
    )
    assert json.loads(event.after or "{}")["groups"] == ["Job club"]
    assert _row(world, world.ana_client).version == 2


@pytest.mark.parametrize(
    ("who", "numbers", "refusal"),
    [
        ("ana", ["ana_case", "cara_case"], BulkRefused),
        ("sam", ["ana_case", "cara_case"], BulkRefused),
        ("ana", ["ana_case", "C-1999-000001"], BulkRefused),
        ("audrey", ["ana_case"], PermissionDenied),
    ],
)
def test_join_group_is_all_or_nothing(
    world: World, who: str, numbers: list[str], refusal: type[Exception]
) -> None:
    cases = [getattr(world, n, n) for n in numbers]
    before = world.dump()
    with pytest.raises(refusal) as refused:
        world.run(client_service.join_group, getattr(world, who), "Job club", cases)
    assert world.dump() == before
    if refusal is BulkRefused:
        assert str(refused.value).startswith("refused: nobody joined Job club, 1 case(s) refused")


def test_join_group_needs_the_bulk_actions_grant_and_a_listed_group(world: World) -> None:
    from dataclasses import replace

    no_grant = replace(world.ana, grants=frozenset())
    with pytest.raises(PermissionDenied, match="bulk_actions"):
        world.run(client_service.join_group, no_grant, "Job club", [world.ana_case])
    with pytest.raises(ValidationError) as refused:
        world.run(client_service.join_group, world.ana, "Chess club", [world.ana_case])
    assert refused.value.field == "group"
    assert _groups(world) == set()


# --- what the screens are told -------------------------------------------------------------


def test_client_access_of_a_deleted_client_offers_restore_to_administrators(world: World) -> None:
    world.run(client_service.delete_client, world.admin, world.ana_client)
    access = world.run(client_service.client_access, world.admin, world.ana_client)
    assert access == client_service.ClientAccess(
        edit=False, delete=False, restore=True, open_case=False
    )
    with pytest.raises(NotFound):
        world.run(client_service.client_access, world.sam, world.ana_client)


def test_a_case_whose_client_was_deleted_is_not_a_way_to_the_client(world: World) -> None:
    world.run(client_service.delete_client, world.admin, world.ana_client)
    rows = world.read(
        lambda uow: (
            uow.session.execute(select(Case.deleted_at).where(Case.client_id == world.ana_client))
            .scalars()
            .all()
        )
    )
    assert rows == [world.clock()]
    with pytest.raises(NotFound):
        world.run(client_service.client_record, world.admin, world.ana_client)


def test_a_birth_date_in_numbers_is_read_the_organisations_way(world: World) -> None:
    """03/04/1990 is 3 April where dates are written day first, and refused as ambiguous
    nowhere: the organisation's ``date_order`` settles it."""
    client_id = world.run(
        client_service.register_client,
        world.ana,
        ClientInput(name="Ola Berg", date_of_birth="3/4/1990"),
    )
    assert _row(world, client_id).date_of_birth == date(1990, 4, 3)

    from casetui.domain.models import OrganisationSettings

    with world.db.uow() as uow:  # the setting as an administrator would set it
        settings = uow.session.get(OrganisationSettings, 1)
        assert settings is not None
        settings.date_order = "mdy"
        uow.commit()
    client_id = world.run(
        client_service.register_client,
        world.ana,
        ClientInput(name="Per Berg", date_of_birth="3/4/1990"),
    )
    assert _row(world, client_id).date_of_birth == date(1990, 3, 4)
