"""News of a case reaches the staff assigned to it, and nobody else (S4)."""

from __future__ import annotations

from sqlalchemy import select

from casetui.domain.enums import NotificationKind
from casetui.domain.models import Notification
from casetui.services import clients as client_service
from casetui.services import settings as settings_service
from casetui.services.notifications import notify_case
from casetui.services.work import writing

from .conftest import World


def tell(world: World, case_number: str, key: str, **kwargs: object) -> int:
    with writing(world.db, world.admin) as work:
        told = notify_case(
            work,
            world.case_id(case_number),
            NotificationKind.CASE_ASSIGNED,
            "Case assigned to you:\nline two",
            key,
            **kwargs,  # type: ignore[arg-type]
        )
        work.commit()
        return told


def inboxes(world: World) -> dict[int, list[tuple[str, str]]]:
    rows = world.read(lambda uow: uow.session.execute(select(Notification)).scalars().all())
    found: dict[int, list[tuple[str, str]]] = {}
    for row in rows:
        found.setdefault(row.staff_id, []).append((row.event_key, row.text))
    return found


def test_the_primary_worker_and_navigators_are_told_once(world: World) -> None:
    # ben's case has ana as its navigator.
    assert tell(world, world.ben_case, "assigned:1") == 2
    assert tell(world, world.ben_case, "assigned:1") == 0  # the same event is not said twice
    assert inboxes(world) == {
        world.ben.id: [("assigned:1", "Case assigned to you: line two")],
        world.ana.id: [("assigned:1", "Case assigned to you: line two")],
    }


def test_whoever_did_it_is_not_told(world: World) -> None:
    assert tell(world, world.ben_case, "assigned:2", not_to=world.ben.id) == 1
    assert set(inboxes(world)) == {world.ana.id}


def test_staff_the_event_names_are_told_too(world: World) -> None:
    assert tell(world, world.ana_case, "assigned:3", also=frozenset({world.cara.id})) == 2
    assert set(inboxes(world)) == {world.ana.id, world.cara.id}


def test_a_closed_clients_case_tells_nobody_unless_the_organisation_says_so(world: World) -> None:
    world.run(
        client_service.edit_client,
        world.admin,
        world.ana_client,
        client_service.ClientChanges(status="Closed"),
    )
    assert tell(world, world.ana_case, "assigned:4", also=frozenset({world.cara.id})) == 0
    world.run(settings_service.set_setting, world.admin, "notify_closed_clients", "yes")
    assert tell(world, world.ana_case, "assigned:4") == 1
