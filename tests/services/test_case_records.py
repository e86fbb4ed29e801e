"""Cases from the client record: opening one (for whom, which number), showing one by its
current or former number, changing its number, navigators, and several changes in one edit."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from casetui.domain.actor import Actor
from casetui.domain.enums import Grant
from casetui.domain.errors import Conflict, NotFound, PermissionDenied, StaleEdit, ValidationError
from casetui.domain.models import CaseEvent, CaseNavigator, FormerCaseNumber
from casetui.repositories.cases import CaseRepository
from casetui.services import audit_trail
from casetui.services import cases as case_service
from casetui.services import clients as client_service
from casetui.services import notes as note_service
from casetui.services import timeline as timeline_service
from casetui.services.cases import CaseChanges, CaseInput

from .conftest import World


def _with(actor: Actor, *grants: Grant) -> Actor:
    return replace(actor, grants=actor.grants | frozenset(grants))


def _caseless(world: World) -> int:
    return world.run(
        client_service.register_client, world.ana, client_service.ClientInput("Nadia Petrova")
    )


# --- opening a case ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "worker", "allowed"),
    [
        ("ana", None, True),
        ("ana", "ana", True),
        ("ana", "ben", False),  # caseworkers open cases for themselves
        ("sam", "ben", True),
        ("sam", "sam", True),
        ("sam", "cara", False),  # not in sam's team
        ("admin", "cara", True),
        ("admin", "ben", True),
        ("admin", "audrey", False),  # auditors hold no cases
        ("audrey", None, False),
    ],
)
def test_who_may_open_a_case_for_whom(
    world: World, who: str, worker: str | None, allowed: bool
) -> None:
    client_id = _caseless(world)
    attempt = CaseInput(client_id=client_id, worker=worker)
    if allowed:
        detail = world.run(case_service.open_case, getattr(world, who), attempt)
        assert detail.worker_username == (worker or who)
        assert detail.status == "Open" and detail.opened_on == world.clock().date()
        return
    before = world.dump()
    with pytest.raises((PermissionDenied, ValidationError)):
        world.run(case_service.open_case, getattr(world, who), attempt)
    assert world.dump() == before


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("ana", {"ana"}),
        ("sam", {"sam", "ana", "ben", "olga"}),
        ("admin", {"admin", "sam", "ana", "ben", "cara", "olga"}),
        ("audrey", set()),
    ],
)
def test_opening_workers_are_whom_the_actor_may_open_cases_for(
    world: World, who: str, expected: set[str]
) -> None:
    offered = world.run(case_service.opening_workers, getattr(world, who))
    assert {s.username for s in offered} == expected
    client_id = _caseless(world)
    for staff in offered:  # each one the service then accepts
        world.run(
            case_service.open_case,
            getattr(world, who),
            CaseInput(client_id=client_id, worker=staff.username),
        )


def test_a_new_case_takes_the_next_number_of_the_series(world: World) -> None:
    year = world.clock().year
    first = world.run(case_service.show_case, world.admin, world.ana_case).case_number
    assert first == f"C-{year}-000001"
    detail = world.run(case_service.open_case, world.ana, CaseInput(client_id=_caseless(world)))
    assert detail.case_number == f"C-{year}-000005"


def test_a_typed_case_number_needs_the_grant_and_must_be_free(world: World) -> None:
    client_id = _caseless(world)
    with pytest.raises(PermissionDenied, match="case_numbers"):
        world.run(
            case_service.open_case, world.ana, CaseInput(client_id=client_id, case_number="HB-7")
        )
    numbered = _with(world.ana, Grant.CASE_NUMBERS)
    detail = world.run(
        case_service.open_case, numbered, CaseInput(client_id=client_id, case_number="HB-7")
    )
    assert detail.case_number == "HB-7"
    for taken in ("HB-7", "hb-7", world.ben_case):
        with pytest.raises(Conflict):
            world.run(
                case_service.open_case,
                numbered,
                CaseInput(client_id=client_id, case_number=taken),
            )


def test_a_client_out_of_sight_gets_no_case(world: World) -> None:
    before = world.dump()
    with pytest.raises(ValidationError) as refused:
        world.run(case_service.open_case, world.ana, CaseInput(client_id=world.cara_client))
    assert refused.value.field == "client"
    assert world.dump() == before


# --- case numbers --------------------------------------------------------------------------


def _renumber(world: World, new: str = "HB-0001") -> None:
    world.run(case_service.change_case_number, world.admin, world.ana_case, new)


def test_a_changed_number_keeps_the_old_one_findable(world: World) -> None:
    _renumber(world)
    detail = world.run(case_service.show_case, world.ana, world.ana_case)
    assert (detail.case_number, detail.former_numbers) == ("HB-0001", (world.ana_case,))
    assert world.run(case_service.show_case, world.ana, "HB-0001").id == detail.id
    found = world.read(
        lambda uow: CaseRepository(uow.session, world.ana).get_by_number(world.ana_case)
    )
    assert found.case_number == "HB-0001"
    # Every by-number path accepts it: notes written and listed through the old number.
    note = world.note(world.ana, world.ana_case, "Through the old number")
    assert note.case_number == "HB-0001"
    listed = world.run(note_service.list_notes, world.ana, world.ana_case)
    assert [n.id for n in listed] == [note.id]
    rows = world.read(lambda uow: uow.session.execute(select(FormerCaseNumber)).scalars().all())
    assert [(r.case_number, r.changed_at) for r in rows] == [(world.ana_case, world.clock())]


def test_the_audit_trail_of_a_case_is_found_by_a_former_number(world: World) -> None:
    _renumber(world)
    page = audit_trail.browse(
        world.db, world.audrey, audit_trail.TrailQuery(case_number=world.ana_case), limit=100
    )
    assert [e.action for e in page.events] == ["case.number", "case.open"]
    assert {e.case_number for e in page.events} == {"HB-0001"}


def test_a_former_number_is_never_anyone_elses(world: World) -> None:
    _renumber(world)
    # Not found by those who may not see the case.
    with pytest.raises(NotFound):
        world.run(case_service.show_case, world.cara, world.ana_case)
    numbered = _with(world.cara, Grant.CASE_NUMBERS)
    before = world.dump()
    for taken in (world.ana_case, world.ana_case.lower(), "hb-0001"):
        with pytest.raises(Conflict):
            world.run(case_service.change_case_number, numbered, world.cara_case, taken)
        with pytest.raises(Conflict):
            world.run(
                case_service.open_case,
                numbered,
                CaseInput(client_id=world.cara_client, case_number=taken),
            )
    assert world.dump() == before


def test_the_series_does_not_hand_out_a_former_number_again(world: World) -> None:
    year = world.clock().year
    # The newest number of the series is renumbered away: the next one still follows it.
    world.run(case_service.change_case_number, world.admin, world.olga_case, "OLGA-1")
    detail = world.run(case_service.open_case, world.ana, CaseInput(client_id=_caseless(world)))
    assert detail.case_number == f"C-{year}-000005"


def test_a_case_shows_every_former_number_oldest_first(world: World) -> None:
    _renumber(world, "HB-0001")
    world.clock.advance(timedelta(minutes=1))
    world.run(case_service.change_case_number, world.admin, "HB-0001", "HB-0002")
    detail = world.run(case_service.show_case, world.admin, world.ana_case)
    assert (detail.case_number, detail.former_numbers) == ("HB-0002", (world.ana_case, "HB-0001"))
    events = world.read(
        lambda uow: uow.session.execute(
            select(CaseEvent.kind, CaseEvent.before, CaseEvent.after).order_by(CaseEvent.id)
        ).all()
    )
    assert [tuple(e) for e in events] == [
        ("case_number", world.ana_case, "HB-0001"),
        ("case_number", "HB-0001", "HB-0002"),
    ]


def test_changing_a_number_needs_the_grant(world: World) -> None:
    before = world.dump()
    with pytest.raises(PermissionDenied, match="case_numbers"):
        world.run(case_service.change_case_number, world.sam, world.ana_case, "HB-0001")
    assert world.dump() == before


# --- navigators ----------------------------------------------------------------------------


def _navigators(world: World, number: str) -> tuple[str, ...]:
    return world.run(case_service.show_case, world.admin, number).navigators


def test_a_supervisor_assigns_and_unassigns_a_navigator_of_their_team(world: World) -> None:
    detail = world.run(case_service.assign_navigator, world.sam, world.ana_case, "olga")
    assert detail.navigators == ("olga",) and detail.version == 2
    # Olga now sees and writes on the case.
    world.note(world.olga, world.ana_case, "Olga's first call")
    events = world.run(timeline_service.load_timeline, world.ana, detail.id).entries
    assert any(e.detail == "navigator" and "olga" in e.summary for e in events)
    audit = world.audit_events()[-2]  # the note came after
    assert audit.action == "case.navigator_assign"
    assert (
        json.loads(audit.before or "{}")["navigators"],
        json.loads(audit.after or "{}")["navigators"],
    ) == ([], ["olga"])

    detail = world.run(
        case_service.unassign_navigator, world.sam, world.ana_case, "olga", expected_version=2
    )
    assert detail.navigators == () and detail.version == 3
    assert world.audit_events()[-1].action == "case.navigator_unassign"
    with pytest.raises(NotFound):
        world.run(case_service.show_case, world.olga, world.ana_case)


@pytest.mark.parametrize(
    ("who", "number", "navigator", "refusal"),
    [
        ("ana", "ana_case", "olga", PermissionDenied),  # caseworkers do not reassign
        ("sam", "ana_case", "cara", PermissionDenied),  # not in sam's team
        ("sam", "cara_case", "olga", NotFound),  # not sam's team's case
        ("admin", "ana_case", "audrey", ValidationError),  # auditors hold no cases
        ("admin", "ana_case", "ana", ValidationError),  # already the case worker
        ("admin", "ben_case", "ana", ValidationError),  # already a navigator
        ("admin", "ana_case", "nobody", ValidationError),
        ("audrey", "ana_case", "olga", PermissionDenied),
    ],
)
def test_a_navigator_outside_the_rules_is_refused(
    world: World, who: str, number: str, navigator: str, refusal: type[Exception]
) -> None:
    before = world.dump()
    with pytest.raises(refusal):
        world.run(
            case_service.assign_navigator, getattr(world, who), getattr(world, number), navigator
        )
    assert world.dump() == before


def test_an_administrator_assigns_anyone_who_holds_cases(world: World) -> None:
    detail = world.run(case_service.assign_navigator, world.admin, world.ana_case, "cara")
    assert detail.navigators == ("cara",)
    assert world.run(case_service.show_case, world.cara, world.ana_case).id == detail.id


def test_unassigning_someone_who_is_no_navigator_is_refused(world: World) -> None:
    before = world.dump()
    with pytest.raises(ValidationError) as refused:
        world.run(case_service.unassign_navigator, world.sam, world.ana_case, "ben")
    assert refused.value.field == "navigator"
    assert world.dump() == before


def test_a_stale_navigator_change_is_refused(world: World) -> None:
    world.run(case_service.change_concern, world.ana, world.ana_case, "High")
    with pytest.raises(StaleEdit) as refused:
        world.run(
            case_service.assign_navigator, world.sam, world.ana_case, "olga", expected_version=1
        )
    assert refused.value.changed_by == "Ana (ana)"
    assert _navigators(world, world.ana_case) == ()


@pytest.mark.parametrize(
    ("who", "number", "expected"),
    [
        ("sam", "ana_case", {"sam", "ben", "olga"}),
        ("sam", "ben_case", {"sam", "olga"}),  # ben is its worker, ana a navigator already
        ("admin", "cara_case", {"admin", "sam", "ana", "ben", "olga"}),
        ("ana", "ana_case", set()),
    ],
)
def test_navigator_choices_are_whom_the_service_accepts(
    world: World, who: str, number: str, expected: set[str]
) -> None:
    actor, case_number = getattr(world, who), getattr(world, number)
    offered = world.run(case_service.navigator_choices, actor, case_number)
    assert {s.username for s in offered} == expected
    for staff in offered:
        world.run(case_service.assign_navigator, actor, case_number, staff.username)


def test_reassigning_to_a_navigator_takes_them_off_the_navigators(world: World) -> None:
    world.run(case_service.reassign, world.sam, world.ben_case, "ana")
    detail = world.run(case_service.show_case, world.admin, world.ben_case)
    assert (detail.worker_username, detail.navigators) == ("ana", ())


# --- several changes in one edit -----------------------------------------------------------


def test_edit_case_makes_every_change_in_one_go(world: World) -> None:
    world.run(case_service.set_tags, world.admin, world.ana_case, ["rent", "arrears"])
    detail = world.run(
        case_service.edit_case,
        world.admin,
        world.ana_case,
        CaseChanges(
            status="Paused",
            concern="High",
            pathway="Housing Support",
            worker="ben",
            add_tags=("Benefits",),
            remove_tags=("rent",),
            add_navigators=("olga",),
            number="HB-0042",
        ),
    )
    assert (detail.case_number, detail.status, detail.concern, detail.pathway) == (
        "HB-0042",
        "Paused",
        "High",
        "Housing Support",
    )
    assert (detail.worker_username, detail.navigators, detail.tags) == (
        "ben",
        ("olga",),
        ("arrears", "benefits"),
    )
    assert detail.former_numbers == (world.ana_case,)
    actions = [e.action for e in world.audit_events()[-7:]]
    assert actions == [
        "case.status",
        "case.concern",
        "case.pathway",
        "case.reassign",
        "case.navigator_assign",
        "case.tags",
        "case.number",
    ]
    cleared = world.run(case_service.edit_case, world.admin, "HB-0042", CaseChanges(pathway=""))
    assert cleared.pathway is None


@pytest.mark.parametrize(
    ("who", "changes", "refusal"),
    [
        ("ana", CaseChanges(status="Paused", worker="ben"), PermissionDenied),
        ("ana", CaseChanges(status="Paused", number="HB-1"), PermissionDenied),
        ("ana", CaseChanges(status="Paused", pathway="Knitting"), ValidationError),
        ("ana", CaseChanges(concern="High", remove_tags=("never-tagged",)), ValidationError),
        ("sam", CaseChanges(status="Closed", add_navigators=("cara",)), PermissionDenied),
        ("admin", CaseChanges(status="Closed", number="C-2026-000002"), Conflict),
        ("admin", CaseChanges(status="Open"), ValidationError),  # already Open
    ],
)
def test_edit_case_is_all_or_nothing(
    world: World, who: str, changes: CaseChanges, refusal: type[Exception]
) -> None:
    before = world.dump()
    with pytest.raises(refusal):
        world.run(case_service.edit_case, getattr(world, who), world.ana_case, changes)
    assert world.dump() == before


def test_edit_case_of_a_case_out_of_sight_is_not_found(world: World) -> None:
    with pytest.raises(NotFound):
        world.run(case_service.edit_case, world.ana, world.cara_case, CaseChanges(concern="High"))


# --- what the screens are told -------------------------------------------------------------


def _navigator_rows(world: World) -> set[tuple[int, int]]:
    rows = world.read(lambda uow: uow.session.execute(select(CaseNavigator)).scalars().all())
    return {(r.case_id, r.staff_id) for r in rows}


def test_the_seeded_navigator_is_the_only_one(world: World) -> None:
    # The role table's navigator rows rely on this: ana navigates ben's case, nobody else's.
    assert _navigator_rows(world) == {(world.case_id(world.ben_case), world.ana.id)}
