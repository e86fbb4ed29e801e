"""The intake's duplicate check: same date of birth and a similar name, same email, same phone;
across the whole organisation, deleted clients aside; opening follows who may see the client."""

from __future__ import annotations

from typing import Any

import pytest

from casetui.domain.actor import Actor
from casetui.services import cases as case_service
from casetui.services import clients as client_service
from casetui.services.clients import ClientInput
from casetui.services.search import possible_duplicates
from tests.services.conftest import World

SIMILAR_NAME = "same date of birth, similar name"


def _register(world: World, actor: Actor, **fields: Any) -> int:
    return world.run(client_service.register_client, actor, ClientInput(**fields))


def _check(world: World, actor: Actor, **fields: Any) -> dict[int, tuple[str, ...]]:
    found = world.run(possible_duplicates, actor, ClientInput(**fields))
    return {d.id: d.reasons for d in found}


@pytest.fixture
def kowalski(world: World) -> int:
    """Piotr Kowalski, a client of cara's (South team), with one case."""
    client_id = _register(
        world, world.cara, name="Piotr Kowalski", date_of_birth="1979-11-30",
        email="Piotr.K@Example.org", phone="07700 900123",
    )  # fmt: skip
    world.run(case_service.open_case, world.cara, case_service.CaseInput(client_id=client_id))
    return client_id


@pytest.mark.parametrize(
    "name", ["Piotr Kowalsky", "piotr kowalski", "Kowalski Piotr", "Peter Kowalski", "P Kowalskí"]
)
def test_same_birth_date_and_a_similar_name_is_a_possible_duplicate(
    world: World, kowalski: int, name: str
) -> None:
    found = _check(world, world.ana, name=name, date_of_birth="1979-11-30")
    assert found == {kowalski: (SIMILAR_NAME,)}


def test_a_similar_name_born_another_day_is_not(world: World, kowalski: int) -> None:
    assert _check(world, world.ana, name="Piotr Kowalski", date_of_birth="1979-11-29") == {}
    assert _check(world, world.ana, name="Piotr Kowalski") == {}, "a name alone is no ground"


def test_the_same_birth_date_with_an_unlike_name_is_not(world: World, kowalski: int) -> None:
    assert _check(world, world.ana, name="Grace Mbeki", date_of_birth="1979-11-30") == {}


def test_the_same_email_in_any_case_is_a_possible_duplicate(world: World, kowalski: int) -> None:
    found = _check(world, world.ana, name="Someone Else", email="  piotr.k@EXAMPLE.org ")
    assert found == {kowalski: ("same email",)}
    assert _check(world, world.ana, name="Someone Else", email="piotr.k@example.com") == {}


@pytest.mark.parametrize("phone", ["07700900123", "(07700) 900-123", "07700 900 123"])
def test_the_same_phone_however_written_is_a_possible_duplicate(
    world: World, kowalski: int, phone: str
) -> None:
    assert _check(world, world.ana, name="Someone Else", phone=phone) == {kowalski: ("same phone",)}
    assert _check(world, world.ana, name="Someone Else", phone="07700 900124") == {}


def test_every_ground_is_named_and_most_grounds_come_first(world: World, kowalski: int) -> None:
    sister = _register(world, world.admin, name="Anna Nowak", phone="07700 900123")
    found = world.run(
        possible_duplicates,
        world.ana,
        ClientInput(
            name="Piotr Kowalsky",
            date_of_birth="1979-11-30",
            email="piotr.k@example.org",
            phone="07700900123",
        ),  # fmt: skip
    )
    assert [(d.id, d.reasons) for d in found] == [
        (kowalski, (SIMILAR_NAME, "same email", "same phone")),
        (sister, ("same phone",)),
    ]


def test_the_check_looks_across_the_organisation_and_says_who_may_open(
    world: World, kowalski: int
) -> None:
    caseless = _register(world, world.admin, name="Maria Johnson", email="maria@example.org")
    for actor, may_open_kowalski in (
        (world.ana, False), (world.sam, False), (world.cara, True), (world.admin, True),
    ):  # fmt: skip
        (found,) = world.run(
            possible_duplicates, actor, ClientInput(name="P Kowalsky", date_of_birth="1979-11-30")
        )
        assert found.id == kowalski and found.may_open is may_open_kowalski, actor.username
        assert found.name == "Piotr Kowalski"
        assert found.case_numbers == (_case_numbers(world, kowalski)), actor.username
        (other,) = world.run(
            possible_duplicates, actor, ClientInput(name="M", email="maria@example.org")
        )
        assert other.id == caseless and other.may_open, "a client with no case is anyone's to open"
        assert other.case_numbers == ()


def _case_numbers(world: World, client_id: int) -> tuple[str, ...]:
    from sqlalchemy import select

    from casetui.domain.models import Case

    rows = world.read(
        lambda uow: (
            uow.session.execute(
                select(Case.case_number).where(Case.client_id == client_id).order_by(Case.id)
            )
            .scalars()
            .all()
        )
    )
    assert rows
    return tuple(rows)


def test_deleted_clients_are_never_possible_duplicates(world: World, kowalski: int) -> None:
    world.run(client_service.delete_client, world.admin, kowalski)
    draft = dict(name="Piotr Kowalski", date_of_birth="1979-11-30", email="piotr.k@example.org")
    assert _check(world, world.admin, **draft, phone="07700900123") == {}


def test_the_client_being_edited_is_not_its_own_duplicate(world: World, kowalski: int) -> None:
    draft = ClientInput(name="Piotr Kowalski", date_of_birth="1979-11-30", phone="07700900123")
    assert world.run(possible_duplicates, world.cara, draft, exclude_id=kowalski) == []
    assert [d.id for d in world.run(possible_duplicates, world.cara, draft)] == [kowalski]


@pytest.mark.parametrize(
    "draft",
    [
        ClientInput(name=""),
        ClientInput(name="Piotr Kowalski"),
        ClientInput(name="", date_of_birth="", email="  ", phone="()"),
        ClientInput(name="Piotr Kowalski", date_of_birth="30/11/19"),  # still being typed
        ClientInput(name="Piotr Kowalski", date_of_birth="not a date"),
    ],
)
def test_a_draft_with_nothing_to_compare_finds_nothing(
    world: World, kowalski: int, draft: ClientInput
) -> None:
    assert world.run(possible_duplicates, world.ana, draft) == []


def test_a_date_object_is_compared_as_typed_text_is(world: World, kowalski: int) -> None:
    from datetime import date

    draft = ClientInput(name="Piotr Kowalsky", date_of_birth=date(1979, 11, 30))
    assert [d.id for d in world.run(possible_duplicates, world.ana, draft)] == [kowalski]


# --- accents ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("registered", "typed"),
    [
        ("Zoë Ñúñez", "Zoe Nunez"),
        ("Zoe Nunez", "ZOË ÑÚÑEZ"),
        ("Łukasz Wiśniewski", "Lukasz Wisniewski"),
        ("Søren Ødegård", "Soren Odegard"),
        ("Ayşe Yılmaz", "Ayse Yilmaz"),
    ],
)
def test_names_are_compared_without_accents(world: World, registered: str, typed: str) -> None:
    client_id = _register(world, world.admin, name=registered, date_of_birth="1990-05-17")
    assert _check(world, world.ana, name=typed, date_of_birth="1990-05-17") == {
        client_id: (SIMILAR_NAME,)
    }
    assert _check(world, world.ana, name=typed, date_of_birth="1990-05-18") == {}
