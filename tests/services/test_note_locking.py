"""Note locking and backdating, with the default lock period (14 days) and a short one (2)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from casetui.domain.actor import Actor
from casetui.domain.errors import NoteLocked, ValidationError
from casetui.domain.locking import is_locked
from casetui.domain.models import AuditEvent, CaseNote
from casetui.domain.read_models.notes import NoteView
from casetui.services import notes as note_service
from casetui.services.settings import SettingsChanges, update_settings

from .conftest import World

DAY = timedelta(days=1)


@pytest.fixture(params=[14, 2], ids=["lock14", "lock2"])
def lock_days(request: pytest.FixtureRequest, world: World) -> int:
    days: int = request.param
    if days != 14:
        world.run(update_settings, world.admin, SettingsChanges(lock_days=days))
    return days


def _summary(world: World, note_id: int) -> str:
    return world.read(lambda uow: uow.session.get(CaseNote, note_id).summary)


def _deleted(world: World, note_id: int) -> bool:
    return world.read(lambda uow: uow.session.get(CaseNote, note_id).deleted_at is not None)


def _edit(
    world: World,
    actor: Actor,
    note_id: int,
    summary: str = "Corrected summary",
    reason: str | None = None,
) -> NoteView:
    changes = note_service.NoteChanges(summary=summary)
    return world.run(note_service.edit_note, actor, note_id, changes, reason=reason)


def test_author_may_edit_the_day_before_the_note_locks(world: World, lock_days: int) -> None:
    note = world.note(world.ana, world.ana_case)
    world.clock.advance(lock_days * DAY - DAY)
    _edit(world, world.ana, note.id)
    assert _summary(world, note.id) == "Corrected summary"


def test_author_may_delete_the_day_before_the_note_locks(world: World, lock_days: int) -> None:
    note = world.note(world.ana, world.ana_case)
    world.clock.advance(lock_days * DAY - DAY)
    world.run(note_service.delete_note, world.ana, note.id)
    assert _deleted(world, note.id)


LATE = pytest.mark.parametrize("late", [timedelta(0), DAY], ids=["at_lock", "day_after"])


@LATE
def test_locked_note_cannot_be_edited(world: World, lock_days: int, late: timedelta) -> None:
    note = world.note(world.ana, world.ana_case, "Original summary")
    world.clock.advance(lock_days * DAY + late)
    before = world.dump()
    with pytest.raises(NoteLocked) as refused:
        _edit(world, world.ana, note.id)
    lock_date = (note.created_at + lock_days * DAY).date().isoformat()
    assert f"locked since {lock_date}" in str(refused.value)
    assert "override_lock" in str(refused.value)
    assert world.dump() == before


@LATE
def test_locked_note_cannot_be_deleted(world: World, lock_days: int, late: timedelta) -> None:
    note = world.note(world.ana, world.ana_case)
    world.clock.advance(lock_days * DAY + late)
    before = world.dump()
    with pytest.raises(NoteLocked) as refused:
        world.run(note_service.delete_note, world.ana, note.id)
    assert (note.created_at + lock_days * DAY).date().isoformat() in str(refused.value)
    assert world.dump() == before


def _last_event(world: World) -> AuditEvent:
    return world.audit_events()[-1]


def test_override_with_grant_and_reason_edits_a_locked_note_and_is_audited(
    world: World, lock_days: int
) -> None:
    note = world.note(world.olga, world.olga_case, "Met the wrong client")
    world.clock.advance(lock_days * DAY)
    view = _edit(
        world, world.olga, note.id, "Met the client at home", reason="Typo in the client's name"
    )
    assert view.summary == _summary(world, note.id) == "Met the client at home"
    event = _last_event(world)
    assert (event.action, event.actor_username, event.entity_id) == (
        "note.override_edit",
        "olga",
        str(note.id),
    )
    before, after = json.loads(event.before), json.loads(event.after)
    assert before["summary"] == "Met the wrong client"
    assert after["summary"] == "Met the client at home"
    assert after["override_reason"] == "Typo in the client's name"


def test_override_with_grant_and_reason_deletes_a_locked_note_and_is_audited(
    world: World, lock_days: int
) -> None:
    note = world.note(world.olga, world.olga_case)
    world.clock.advance(lock_days * DAY)
    world.run(note_service.delete_note, world.olga, note.id, reason="Written on the wrong case")
    assert _deleted(world, note.id)
    event = _last_event(world)
    assert event.action == "note.override_delete"
    assert json.loads(event.after)["override_reason"] == "Written on the wrong case"
    assert json.loads(event.before)["deleted"] is False


@pytest.mark.parametrize("reason", [None, "", "   "], ids=["none", "empty", "blank"])
def test_override_grant_without_a_reason_is_refused(
    world: World, lock_days: int, reason: str | None
) -> None:
    note = world.note(world.olga, world.olga_case)
    world.clock.advance(lock_days * DAY)
    before = world.dump()
    with pytest.raises(NoteLocked):
        _edit(world, world.olga, note.id, reason=reason)
    with pytest.raises(NoteLocked):
        world.run(note_service.delete_note, world.olga, note.id, reason=reason)
    assert world.dump() == before


@pytest.mark.parametrize("editor", ["ana", "sam"], ids=["author", "supervisor"])
def test_a_reason_without_the_override_grant_is_refused(
    world: World, lock_days: int, editor: str
) -> None:
    note = world.note(world.ana, world.ana_case)
    world.clock.advance(lock_days * DAY)
    before = world.dump()
    with pytest.raises(NoteLocked):
        _edit(world, getattr(world, editor), note.id, reason="I really need to")
    with pytest.raises(NoteLocked):
        world.run(
            note_service.delete_note, getattr(world, editor), note.id, reason="I really need to"
        )
    assert world.dump() == before


@pytest.mark.parametrize(
    "writer",
    ["ben", "ana", "sam", "admin"],
    ids=["author", "navigator", "supervisor", "administrator"],
)
def test_anyone_who_may_write_on_the_case_adds_an_addendum_to_a_locked_note(
    world: World, lock_days: int, writer: str
) -> None:
    note = world.note(world.ben, world.ben_case, "Home visit")
    world.clock.advance(lock_days * DAY + DAY)
    view = world.run(
        note_service.add_addendum,
        getattr(world, writer),
        note.id,
        "The landlord was there too",
        "left out",
    )
    assert view.locked
    assert [(a.author, a.text, a.reason) for a in view.addenda] == [
        (writer, "The landlord was there too", "left out")
    ]
    assert _summary(world, note.id) == "Home visit"


# --- backdating -------------------------------------------------------------------------------


def test_contact_date_may_go_back_exactly_the_lock_period(world: World, lock_days: int) -> None:
    earliest = (world.clock() - lock_days * DAY).date()
    view = world.note(world.ana, world.ana_case, contact_date=earliest.isoformat())
    assert view.contact_at.date() == earliest


def _refused_contact(world: World, field: str, **fields: object) -> None:
    before = world.dump()
    with pytest.raises(ValidationError) as refused:
        world.note(world.ana, world.ana_case, **fields)
    assert refused.value.field == field
    assert world.dump() == before


def test_contact_date_one_day_before_the_lock_period_is_refused(
    world: World, lock_days: int
) -> None:
    too_early = (world.clock() - (lock_days + 1) * DAY).date()
    _refused_contact(world, "contact date", contact_date=too_early.isoformat())


def test_contact_date_tomorrow_is_refused(world: World, lock_days: int) -> None:
    _refused_contact(world, "contact date", contact_date=(world.clock() + DAY).date().isoformat())


def test_contact_time_later_today_is_refused(world: World) -> None:
    # The clock says 10:00 in London (UTC in November).
    _refused_contact(world, "contact time", contact_date="today", contact_time="10:01")
    assert (
        world.note(world.ana, world.ana_case, contact_date="today", contact_time="10:00").contact_at
        == world.clock()
    )


# --- the lock boundary, for any lock period and any moment --------------------------------------


@st.composite
def lock_and_offset(draw: st.DrawFn) -> tuple[int, timedelta]:
    lock_days = draw(st.integers(min_value=1, max_value=30))
    if draw(st.booleans()):
        # Close to the boundary, where an off-by-one would show.
        seconds = draw(st.one_of(st.sampled_from([-1, 0, 1]), st.integers(-90_000, 90_000)))
        offset = lock_days * DAY + timedelta(seconds=seconds)
    else:
        offset = timedelta(seconds=draw(st.integers(0, 32 * 86_400)))
    return lock_days, max(offset, timedelta(0))


def test_service_refuses_exactly_when_is_locked_says_locked(world: World) -> None:
    start = world.clock()
    examples = 15 if world.is_postgres else 60

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(case=lock_and_offset())
    @example(case=(1, DAY))
    @example(case=(14, 14 * DAY - timedelta(seconds=1)))
    @example(case=(2, 2 * DAY))
    def check(case: tuple[int, timedelta]) -> None:
        lock_days, offset = case
        world.clock.set(start)
        world.run(update_settings, world.admin, SettingsChanges(lock_days=lock_days))
        note = world.note(world.ana, world.ana_case)
        world.clock.set(start + offset)
        locked = is_locked(note.created_at, lock_days, world.clock())
        assert locked == (offset >= lock_days * DAY)
        try:
            _edit(world, world.ana, note.id, f"Edited after {offset}")
        except NoteLocked:
            refused = True
        else:
            refused = False
        assert refused == locked
        assert _summary(world, note.id) == (
            "Phoned the client" if locked else f"Edited after {offset}"
        )

    check()


# --- the organisation's time zone -------------------------------------------------------------


@pytest.fixture
def auckland(world: World) -> World:
    """Noon UTC on 22 November is 01:00 on the 23rd in Auckland (UTC+13 in summer)."""
    world.run(update_settings, world.admin, SettingsChanges(time_zone="Pacific/Auckland"))
    world.clock.set(world.clock().replace(hour=12))
    return world


def test_backdating_bounds_follow_the_organisation_time_zone(auckland: World) -> None:
    w = auckland
    assert w.note(
        w.ana, w.ana_case, contact_date="2026-11-23", contact_time="00:30"
    ).contact_at == w.clock() - timedelta(minutes=30)
    assert w.note(w.ana, w.ana_case, contact_date="2026-11-09").contact_at.date() == date(
        2026, 11, 8
    )
    _refused_contact(w, "contact date", contact_date="2026-11-24")
    _refused_contact(w, "contact date", contact_date="2026-11-08")
    _refused_contact(w, "contact time", contact_date="today", contact_time="01:30")


def test_lock_message_names_the_lock_date_in_the_organisation_time_zone(auckland: World) -> None:
    w = auckland
    note = w.note(w.ana, w.ana_case)  # created 01:00 on 23 November, local time
    w.clock.advance(15 * DAY)
    with pytest.raises(NoteLocked, match="locked since 2026-12-07"):
        _edit(w, w.ana, note.id)
