"""Reading the audit trail: newest first a page at a time, by person, case, action and date,
for administrators and auditors only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from casetui.domain.actor import Actor
from casetui.domain.errors import NotFound, PermissionDenied, SignInFailed, ValidationError
from casetui.domain.models import AuditEvent
from casetui.domain.read_models.audit import AuditEventView
from casetui.repositories.audit import AuditFilter, AuditTrailRepository, Position
from casetui.services import audit_trail
from casetui.services import bulk_notes as bulk_note_service
from casetui.services import cases as case_service
from casetui.services import clients as client_service
from casetui.services import notes as note_service
from casetui.services.audit_trail import TrailPage, TrailQuery
from casetui.services.auth import sign_in
from casetui.services.settings import SettingsChanges, update_settings

from .conftest import World

EVERYTHING = TrailQuery()


def browse(world: World, reader: Actor, query: TrailQuery = EVERYTHING, **kwargs) -> TrailPage:  # type: ignore[no-untyped-def]
    return audit_trail.browse(world.db, reader, query, **kwargs)


def newest_first(events: list[AuditEvent]) -> list[int]:
    return [e.id for e in sorted(events, key=lambda e: (e.at, e.id), reverse=True)]  # type: ignore[misc]


def ids(events: tuple[AuditEventView, ...] | list[AuditEventView]) -> list[int]:
    return [e.id for e in events]


def busy_day(world: World) -> None:
    """Notes on two cases over an afternoon, a bulk note (events sharing one instant), a status."""
    for minutes in range(0, 60, 10):
        world.note(world.ana, world.ana_case, f"Call {minutes}")
        world.clock.advance(timedelta(minutes=10))
    world.run(bulk_note_service.bulk_add_notes, world.ana, [world.ana_case, world.ben_case],
              note_service.NoteInput(summary="Group session", activity_type="Phone call"))  # fmt: skip
    world.clock.advance(timedelta(minutes=5))
    world.run(case_service.change_status, world.ana, world.ana_case, "Paused")


@pytest.mark.parametrize("reader", ["admin", "audrey"])
def test_administrators_and_auditors_read_the_whole_trail(world: World, reader: str) -> None:
    busy_day(world)
    page = browse(world, getattr(world, reader), limit=1000)
    assert ids(page.events) == newest_first(world.audit_events())
    assert (page.older, page.newer) == (False, False)


@pytest.mark.parametrize("reader", ["sam", "ana"])
def test_supervisors_and_caseworkers_read_none_of_it(world: World, reader: str) -> None:
    actor: Actor = getattr(world, reader)
    with pytest.raises(PermissionDenied, match="administrators and auditors"):
        browse(world, actor)
    with pytest.raises(PermissionDenied):
        audit_trail.open_event(world.db, actor, 1)
    # The repository itself, asked directly, returns nothing to them.
    assert (
        world.read(lambda uow: AuditTrailRepository(uow.session, actor).page(AuditFilter())) == []
    )
    assert world.read(lambda uow: AuditTrailRepository(uow.session, actor).get(1)) is None


def test_pages_follow_one_another_and_lead_back(world: World) -> None:
    busy_day(world)
    expected = newest_first(world.audit_events())
    pages = [browse(world, world.admin, limit=4)]
    while pages[-1].older:
        last = pages[-1].events[-1]
        pages.append(browse(world, world.admin, older_than=Position.of(last), limit=4))
    assert [i for page in pages for i in ids(page.events)] == expected
    assert [p.newer for p in pages] == [False] + [True] * (len(pages) - 1)
    # Back up from the third page: the second page again, then the first.
    second = browse(world, world.admin, newer_than=Position.of(pages[2].events[0]), limit=4)
    assert ids(second.events) == ids(pages[1].events) and second.newer
    first = browse(world, world.admin, newer_than=Position.of(second.events[0]), limit=4)
    assert ids(first.events) == ids(pages[0].events) and not first.newer


def test_filter_by_person_includes_failed_sign_ins_as_them(world: World) -> None:
    busy_day(world)
    world.note(world.ben, world.ben_case, "Ben's own note")
    with pytest.raises(SignInFailed):
        sign_in(world.db, "ana", "not her password")
    page = browse(world, world.admin, TrailQuery(person=" Ana "), limit=1000)
    theirs = [e for e in world.audit_events() if e.actor_username == "ana"]
    assert ids(page.events) == newest_first(theirs)
    assert page.events[0].action == "sign_in.failed"


def test_filter_by_case_gathers_its_notes_tasks_and_changes(world: World) -> None:
    busy_day(world)
    case_id = world.case_id(world.ana_case)
    page = browse(world, world.admin, TrailQuery(case_number=world.ana_case), limit=1000)
    assert ids(page.events) == newest_first(
        [e for e in world.audit_events() if e.case_id == case_id]
    )
    assert {e.action for e in page.events} >= {"case.open", "note.add", "case.status"}
    assert {e.case_number for e in page.events} == {world.ana_case}


def test_a_deleted_clients_case_keeps_its_trail(world: World) -> None:
    world.run(client_service.delete_client, world.admin, world.cara_client)
    page = browse(world, world.audrey, TrailQuery(case_number=world.cara_case))
    assert [e.action for e in page.events] == ["case.open"]


def test_filter_by_action(world: World) -> None:
    busy_day(world)
    page = browse(world, world.admin, TrailQuery(action="case.status"))
    assert [(e.action, e.case_number) for e in page.events] == [("case.status", world.ana_case)]


def test_dates_are_days_in_the_organisations_time_zone(world: World) -> None:
    world.run(update_settings, world.admin, SettingsChanges(time_zone="Asia/Tokyo"))
    # 23:30 UTC on the 21st is 08:30 on the 22nd in Tokyo; 15:30 UTC on the 22nd is 00:30 the 23rd.
    world.clock.set(datetime(2026, 11, 21, 23, 30, tzinfo=UTC))
    on_22nd = world.note(world.ana, world.ana_case, "Tokyo morning").id
    world.clock.set(datetime(2026, 11, 22, 15, 30, tzinfo=UTC))
    on_23rd = world.note(world.ana, world.ana_case, "Tokyo after midnight").id

    def notes_on(since: str, until: str) -> list[str | None]:
        query = TrailQuery(action="note.add", since=since, until=until)
        return [e.entity_id for e in browse(world, world.admin, query).events]

    assert notes_on("2026-11-22", "2026-11-22") == [str(on_22nd)]
    assert notes_on("2026-11-23", "") == [str(on_23rd)]
    assert notes_on("", "yesterday") == [str(on_22nd)]  # today in Tokyo is the 23rd
    page = browse(world, world.admin, TrailQuery(since="-1d", until="today"))
    assert (page.since, page.until) == (
        datetime(2026, 11, 22).date(),
        datetime(2026, 11, 23).date(),
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (TrailQuery(since="the other day"), "from"),
        (TrailQuery(until="2026-02-30"), "to"),
        (TrailQuery(since="today", until="-1w"), "to"),
        (TrailQuery(person="x" * 65), "person"),
    ],
    ids=["words", "no-such-day", "backwards", "too-long"],
)
def test_filters_that_make_no_sense_name_their_field(
    world: World, query: TrailQuery, field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        browse(world, world.admin, query)
    assert refused.value.field == field


def test_an_unknown_case_number_is_named(world: World) -> None:
    with pytest.raises(NotFound, match="no case numbered NOPE-1"):
        browse(world, world.admin, TrailQuery(case_number="NOPE-1"))


def test_opening_a_restricted_notes_event_is_itself_audited(world: World) -> None:
    note = world.note(
        world.ana, world.ana_case, "Disclosure", details="Not for the client", restricted=True
    )
    added = next(
        e for e in world.audit_events() if e.action == "note.add" and e.entity_id == str(note.id)
    )
    plain = world.note(world.ana, world.ana_case, "Plain")
    plain_added = world.audit_events()[-1]
    assert plain_added.entity_id == str(plain.id)

    shown = audit_trail.open_event(world.db, world.audrey, added.id)  # type: ignore[arg-type]
    audit_trail.open_event(world.db, world.audrey, plain_added.id)  # type: ignore[arg-type]

    assert "Not for the client" in (shown.after or "")
    viewed = world.audit_events()[-1]
    assert (viewed.action, viewed.actor_username, viewed.entity_id) == (
        "note.view_restricted",
        "audrey",
        str(note.id),
    )
    assert [e.action for e in world.audit_events()].count("note.view_restricted") == 1


def test_the_action_filter_suggests_every_action_the_product_writes() -> None:
    from .test_audit_trail import WRITES

    written = {action for _prepare, _who, actions in WRITES.values() for action in actions}
    written |= {"sign_in", "sign_in.failed", "note.view_restricted", "note.override_delete"}
    assert written <= set(audit_trail.ACTIONS), written - set(audit_trail.ACTIONS)
