"""Communications and reminders on a case: fields, the note's lock rules, a reminder's
recipient and states, bulk all or nothing, and the audit trail, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from casetui.domain.actor import Actor
from casetui.domain.errors import (
    BulkRefused,
    NoteLocked,
    NotFound,
    PermissionDenied,
    RuleError,
    StaleEdit,
    ValidationError,
)
from casetui.domain.models import Case, Communication
from casetui.domain.read_models.communications import CommunicationView
from casetui.domain.timeline import COMMUNICATION
from casetui.repositories.timeline import TimelineRepository
from casetui.services import communications as comms
from casetui.services.communications import CommunicationChanges, CommunicationInput
from casetui.services.settings import SettingsChanges, update_settings
from casetui.services.timeline import load_timeline

from .conftest import World

DAY = timedelta(days=1)
TODAY = date(2026, 11, 22)  # a Sunday; the world's clock


def call(subject: str = "Rang about the rent", **fields: Any) -> CommunicationInput:
    fields.setdefault("kind", "phone")
    fields.setdefault("direction", "in")
    return CommunicationInput(subject=subject, **fields)


def reminder(subject: str = "Appointment on Friday", **fields: Any) -> CommunicationInput:
    fields.setdefault("send_on", "2026-11-25")
    return CommunicationInput(kind="reminder", subject=subject, **fields)


def give_email(world: World, *clients: int, email: str = "client@example.org") -> None:
    for client_id in clients:
        world.sql("UPDATE client SET email = :e WHERE id = :i", e=email, i=client_id)


def add(world: World, actor: Actor, number: str, item: CommunicationInput) -> CommunicationView:
    return world.run(comms.add_communication, actor, number, item)


def row(world: World, communication_id: int) -> Communication:
    return world.read(lambda uow: uow.session.get(Communication, communication_id))


def set_state(world: World, communication_id: int, state: str, **more: Any) -> None:
    """What the sender does to a reminder: a new state, a new version."""
    sets = ", ".join(f"{k} = :{k}" for k in more)
    world.sql(
        f"UPDATE communication SET reminder_state = :state, version = version + 1"
        f"{', ' + sets if sets else ''} WHERE id = :id",
        state=state,
        id=communication_id,
        **more,
    )


def events(world: World, prefix: str = "communication.") -> list[Any]:
    return [e for e in world.audit_events() if e.action.startswith(prefix)]


# --- adding ------------------------------------------------------------------------------------


def test_a_call_is_recorded_with_its_fields_and_audited(world: World) -> None:
    view = add(world, world.ana, world.ana_case, call(body="She asked about\nthe housing form"))
    assert (view.kind, view.direction, view.subject, view.author) == (
        "phone", "in", "Rang about the rent", "ana",
    )  # fmt: skip
    assert view.body == "She asked about\nthe housing form"
    assert view.occurred_at == datetime(2026, 11, 22, 10, 0, tzinfo=UTC)  # now, for today
    assert view.state is None and view.send_on is None and not view.is_reminder
    assert not view.locked and view.locks_at == view.created_at + 14 * DAY
    event = events(world)[-1]
    assert (event.action, event.entity, event.entity_id) == (
        "communication.add", "communication", str(view.id),
    )  # fmt: skip
    assert json.loads(event.after)["subject"] == "Rang about the rent"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("phone", "phone"), ("Email", "email"), ("sms", "SMS"), ("in-person", "in person"),
     ("In Person", "in person"), ("letter", "letter")],
)  # fmt: skip
def test_types_are_read_however_written(world: World, typed: str, stored: str) -> None:
    assert add(world, world.ana, world.ana_case, call(kind=typed)).kind == stored


def test_an_earlier_day_and_a_time(world: World) -> None:
    view = add(world, world.ana, world.ana_case, call(date="-3d", time="14:30"))
    assert view.occurred_at == datetime(2026, 11, 19, 14, 30, tzinfo=UTC)
    view = add(world, world.ana, world.ana_case, call(date="yesterday"))
    assert view.occurred_at == datetime(2026, 11, 21, 12, 0, tzinfo=UTC)  # noon, as notes


def test_a_date_in_numbers_is_read_in_the_organisations_order(world: World) -> None:
    world.run(update_settings, world.admin, SettingsChanges(date_order="mdy"))
    view = add(world, world.ana, world.ana_case, call(date="11/20/2026"))
    assert view.occurred_at.date() == date(2026, 11, 20)


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"date": "tomorrow"}, "date", "communications record what has happened"),
        ({"date": "-15d"}, "date", "communications may be backdated at most 14 days"),
        ({"time": "23:00"}, "time", "has not happened yet"),
        ({"kind": "carrier pigeon"}, "type", "is not one of"),
        ({"direction": "sideways"}, "direction", "is not one of"),
        ({"subject": ""}, "subject", "is required"),
        ({"subject": "x" * 201}, "subject", "the limit is 200"),
        ({"body": "x" * 20_001}, "body", "the limit is 20000"),
        ({"send_on": "+1w"}, "send date", "only a reminder has a send date"),
        ({"repeats": "weekly"}, "repeats", "only a reminder repeats"),
        ({"rrule": "FREQ=WEEKLY"}, "repeats", "only a reminder repeats"),
    ],
)
def test_each_field_is_checked_and_named(
    world: World, fields: dict[str, Any], field: str, words: str
) -> None:
    before = world.dump()
    with pytest.raises(ValidationError) as refused:
        add(world, world.ana, world.ana_case, call(**fields))
    assert refused.value.field == field and words in refused.value.message
    assert world.dump() == before


def test_every_refused_field_is_named_at_once(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        add(world, world.ana, world.ana_case, call(kind="fax", subject="", date="tomorrow"))
    assert [e.field for e in refused.value.errors] == ["type", "subject", "date"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "subject",
    ["Hi\r\nBcc: everyone@example.org", "Hi\nthere", "Hi\rthere", "A\x0bB", "A\x0cB",
     "A\x1cB", "A\x85B", "A\u2028B", "A\u2029B"],
    ids=["crlf-header", "lf", "cr", "vt", "ff", "fs", "nel", "line-sep", "para-sep"],
)  # fmt: skip
def test_a_subject_is_one_line_whatever_breaks_it(world: World, subject: str) -> None:
    give_email(world, world.ana_client)
    for item in (call(subject=subject), reminder(subject=subject)):
        with pytest.raises(ValidationError) as refused:
            add(world, world.ana, world.ana_case, item)
        assert (refused.value.field, refused.value.message) == ("subject", "must be one line")
    assert events(world) == []


def test_hostile_text_is_kept_exactly_as_typed(world: World) -> None:
    give_email(world, world.ana_client)
    subject = "[bold]Rent[/] \x1b[2J ‮ ünïcødé"
    body = "Line one\n\n  indented [red]x[/]\r\nBcc: someone@example.org\n\x1b]0;title\x07"
    view = add(world, world.ana, world.ana_case, reminder(subject=subject, body=body))
    assert (view.subject, view.body) == (subject, body.strip())
    stored = row(world, view.id)
    assert (stored.subject, stored.body) == (subject, body.strip())


def test_a_call_moves_the_cases_last_interaction_and_a_reminder_does_not(world: World) -> None:
    case_id = world.case_id(world.ana_case)

    def last() -> datetime | None:
        return world.read(lambda uow: uow.session.get(Case, case_id).last_interaction_at)

    give_email(world, world.ana_client)
    add(world, world.ana, world.ana_case, reminder())
    assert last() is None
    view = add(world, world.ana, world.ana_case, call(date="-2d", time="09:00"))
    assert last() == datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    world.run(comms.delete_communication, world.ana, view.id)
    assert last() is None


# --- reminders ---------------------------------------------------------------------------------


def test_a_reminder_starts_scheduled_and_goes_out(world: World) -> None:
    give_email(world, world.ana_client)
    view = add(world, world.ana, world.ana_case, reminder(body="See you at 10.", send_on="+3d"))
    assert (view.kind, view.direction, view.state) == ("reminder", "out", "scheduled")
    assert view.send_on == TODAY + 3 * DAY and view.repeats == "none" and view.attempts == 0
    assert view.sent_at is None and view.message_id is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("today", TODAY), ("tomorrow", TODAY + DAY), ("+1w", TODAY + 7 * DAY),
     ("friday", date(2026, 11, 27)), ("monday", date(2026, 11, 23)), ("2026-12-01", date(2026, 12, 1))],
)  # fmt: skip
def test_a_send_date_is_typed_as_a_task_due_date(world: World, typed: str, expected: date) -> None:
    give_email(world, world.ana_client)
    assert add(world, world.ana, world.ana_case, reminder(send_on=typed)).send_on == expected


def test_a_send_date_in_numbers_follows_the_organisations_order(world: World) -> None:
    give_email(world, world.ana_client)
    world.run(update_settings, world.admin, SettingsChanges(date_order="mdy"))
    assert add(world, world.ana, world.ana_case, reminder(send_on="12/03/2026")).send_on == date(
        2026, 12, 3
    )


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"send_on": None}, "send date", "is required for a reminder"),
        ({"send_on": "yesterday"}, "send date", "has passed"),
        ({"send_on": "+6y"}, "send date", "more than five years away"),
        ({"send_on": "someday"}, "send date", "could not understand"),
        ({"direction": "in"}, "direction", "a reminder goes out to the client"),
        ({"repeats": "hourly"}, "repeats", "is not one of"),
        ({"repeats": "custom", "rrule": "FREQ=HOURLY"}, "repeats", "daily at the finest"),
        ({"repeats": "custom"}, "repeats", "needs an RRULE"),
    ],
)
def test_a_reminders_own_fields_are_checked(
    world: World, fields: dict[str, Any], field: str, words: str
) -> None:
    give_email(world, world.ana_client)
    with pytest.raises(ValidationError) as refused:
        add(world, world.ana, world.ana_case, reminder(**fields))
    assert refused.value.field == field and words in refused.value.message


def test_a_reminder_repeats_by_the_tasks_choices_and_rrules(world: World) -> None:
    give_email(world, world.ana_client)
    weekly = add(world, world.ana, world.ana_case, reminder(repeats="weekly"))
    assert (weekly.repeats, weekly.rrule) == ("weekly", None)
    custom = add(
        world, world.ana, world.ana_case, reminder(repeats="custom", rrule="FREQ=WEEKLY;COUNT=3")
    )
    # As for tasks: a COUNT becomes the UNTIL it implies, so the series stays anchored.
    assert (custom.repeats, custom.rrule) == ("custom", "FREQ=WEEKLY;UNTIL=20261209")
    bare = add(world, world.ana, world.ana_case, reminder(rrule="rrule:freq=monthly"))
    assert (bare.repeats, bare.rrule) == ("custom", "FREQ=MONTHLY")


@pytest.mark.parametrize(
    ("email", "status", "words"),
    [
        (None, "Active", "has no email address"),
        ("   ", "Active", "has no email address"),
        ("amal@example.org", "Inactive", "record is Inactive"),
        ("amal@example.org", "Closed", "record is Closed"),
    ],
)
def test_a_reminder_is_refused_for_a_client_it_cannot_reach(
    world: World, email: str | None, status: str, words: str
) -> None:
    world.sql(
        "UPDATE client SET email = :e, record_status = :s WHERE id = :i",
        e=email, s=status, i=world.ana_client,
    )  # fmt: skip
    before = world.dump()
    with pytest.raises(ValidationError) as refused:
        add(world, world.ana, world.ana_case, reminder())
    assert refused.value.field == "client"
    assert words in refused.value.message and "Amal Haddad" in refused.value.message
    assert world.dump() == before
    # A record of a call is not sent: it needs neither.
    add(world, world.ana, world.ana_case, call())


def test_reminder_refusal_is_the_rule_the_sender_asks_too() -> None:
    assert comms.reminder_refusal("Amal", "amal@example.org", "Active") is None
    assert "no email address" in (comms.reminder_refusal("Amal", None, "Active") or "")
    assert "record is Inactive" in (comms.reminder_refusal("Amal", "a@b.org", "Inactive") or "")


# --- the lock ----------------------------------------------------------------------------------


@pytest.fixture(params=[14, 2], ids=["lock14", "lock2"])
def lock_days(request: pytest.FixtureRequest, world: World) -> int:
    days: int = request.param
    if days != 14:
        world.run(update_settings, world.admin, SettingsChanges(lock_days=days))
    return days


def edit(world: World, actor: Actor, cid: int, reason: str | None = None, **changes: Any) -> Any:
    changes.setdefault("subject", "Corrected subject")
    return world.run(
        comms.edit_communication, actor, cid, CommunicationChanges(**changes), reason=reason
    )


def test_the_author_may_edit_and_delete_until_it_locks(world: World, lock_days: int) -> None:
    first = add(world, world.ana, world.ana_case, call())
    second = add(world, world.ana, world.ana_case, call())
    world.clock.advance(lock_days * DAY - DAY)
    assert edit(world, world.ana, first.id).subject == "Corrected subject"
    assert world.run(comms.delete_communication, world.ana, second.id).deleted


@pytest.mark.parametrize("late", [timedelta(0), DAY], ids=["at_lock", "day_after"])
def test_a_locked_communication_is_not_edited_or_deleted(
    world: World, lock_days: int, late: timedelta
) -> None:
    view = add(world, world.ana, world.ana_case, call())
    world.clock.advance(lock_days * DAY + late)
    before = world.dump()
    lock_date = (view.created_at + lock_days * DAY).date().isoformat()
    with pytest.raises(NoteLocked) as refused:
        edit(world, world.ana, view.id)
    assert f"communication {view.id} is locked since {lock_date}" in str(refused.value)
    assert "override_lock" in str(refused.value)
    with pytest.raises(NoteLocked):
        world.run(comms.delete_communication, world.ana, view.id)
    # A reason alone does not open it: the grant does.
    with pytest.raises(NoteLocked):
        edit(world, world.ana, view.id, reason="typo")
    assert world.dump() == before


def test_the_override_grant_with_a_reason_edits_and_deletes_and_is_audited(
    world: World, lock_days: int
) -> None:
    first = add(world, world.olga, world.olga_case, call(subject="Rang the wrong client"))
    second = add(world, world.olga, world.olga_case, call())
    world.clock.advance(lock_days * DAY)
    with pytest.raises(NoteLocked):  # the grant alone, without a reason
        edit(world, world.olga, first.id)
    edit(world, world.olga, first.id, reason="Wrong name", subject="Rang the client")
    event = events(world)[-1]
    assert event.action == "communication.override_edit"
    assert json.loads(event.before)["subject"] == "Rang the wrong client"
    after = json.loads(event.after)
    assert (after["subject"], after["override_reason"]) == ("Rang the client", "Wrong name")
    world.run(comms.delete_communication, world.olga, second.id, reason="Duplicate")
    event = events(world)[-1]
    assert event.action == "communication.override_delete"
    assert json.loads(event.after)["deleted"] is True


def test_a_stale_edit_is_refused_naming_who_saved_first(world: World) -> None:
    view = add(world, world.ana, world.ana_case, call())
    edit(world, world.sam, view.id, subject="Sam's words")
    before = world.dump()
    with pytest.raises(StaleEdit) as refused:
        world.run(
            comms.edit_communication, world.ana, view.id,
            CommunicationChanges(subject="Mine"), expected_version=view.version,
        )  # fmt: skip
    assert "changed by Sam (sam)" in str(refused.value) and "your text is kept" in str(
        refused.value
    )
    assert world.dump() == before


def test_edits_change_only_what_is_given(world: World) -> None:
    view = add(world, world.ana, world.ana_case, call(body="Body", date="-1d", time="09:15"))
    changed = edit(world, world.ana, view.id, subject=None, kind="letter", direction="out")
    assert (changed.kind, changed.direction, changed.subject, changed.body) == (
        "letter", "out", view.subject, "Body",
    )  # fmt: skip
    moved = edit(world, world.ana, view.id, subject=None, date="-2d")
    assert moved.occurred_at == datetime(2026, 11, 20, 9, 15, tzinfo=UTC)
    assert moved.version == view.version + 2
    with pytest.raises(ValidationError) as refused:
        edit(world, world.ana, view.id, subject=view.subject)
    assert refused.value.message == "nothing to change"


def test_a_reminder_stays_a_reminder(world: World) -> None:
    give_email(world, world.ana_client)
    note = add(world, world.ana, world.ana_case, call())
    sent = add(world, world.ana, world.ana_case, reminder())
    for cid, kind in ((note.id, "reminder"), (sent.id, "email")):
        with pytest.raises(ValidationError) as refused:
            edit(world, world.ana, cid, subject=None, kind=kind)
        assert refused.value.field == "type"
    with pytest.raises(ValidationError) as refused:
        edit(world, world.ana, note.id, subject=None, send_on="+1w")
    assert refused.value.field == "send date"


# --- a reminder's states -----------------------------------------------------------------------


@pytest.fixture
def scheduled(world: World) -> CommunicationView:
    give_email(world, world.ana_client)
    return add(world, world.ana, world.ana_case, reminder(repeats="weekly"))


def test_a_scheduled_reminder_is_edited_and_rescheduled(world: World, scheduled: Any) -> None:
    view = edit(world, world.ana, scheduled.id, send_on="+10d", repeats="none", body="New")
    assert (view.send_on, view.repeats, view.body, view.state) == (
        TODAY + 10 * DAY, "none", "New", "scheduled",
    )  # fmt: skip


def test_a_scheduled_reminder_is_not_moved_once_the_client_cannot_be_reached(
    world: World, scheduled: Any
) -> None:
    world.sql("UPDATE client SET email = NULL WHERE id = :i", i=world.ana_client)
    with pytest.raises(ValidationError) as refused:
        edit(world, world.ana, scheduled.id, subject=None, send_on="+9d")
    assert refused.value.field == "client"
    assert edit(world, world.ana, scheduled.id).subject == "Corrected subject"  # words only


@pytest.mark.parametrize("state", ["sent", "sending"])
def test_what_was_sent_is_not_changed(world: World, scheduled: Any, state: str) -> None:
    set_state(
        world, scheduled.id, state,
        sent_at=datetime(2026, 11, 22, 9, 0, tzinfo=UTC) if state == "sent" else None,
        claimed_at=datetime(2026, 11, 22, 8, 59, tzinfo=UTC),
    )  # fmt: skip
    before = world.dump()
    for changes in ({"subject": "Other"}, {"subject": None, "body": "Other"},
                    {"subject": None, "send_on": "+9d"}):  # fmt: skip
        with pytest.raises(RuleError) as refused:
            edit(world, world.ana, scheduled.id, **changes)
        assert "what was sent to the client cannot be changed" in str(refused.value)
    words = (
        f"reminder {scheduled.id} was sent on 2026-11-22 09:00"
        if state == "sent"
        else f"reminder {scheduled.id} is being sent since 2026-11-22 08:59"
    )
    assert words in str(refused.value)
    with pytest.raises(RuleError, match="only a scheduled or failed reminder can be cancelled"):
        world.run(comms.cancel_reminder, world.ana, scheduled.id)
    assert world.dump() == before


def test_a_failed_reminder_given_a_new_send_date_is_scheduled_again(
    world: World, scheduled: Any
) -> None:
    set_state(world, scheduled.id, "failed", attempts=5, server_answer="550 no such mailbox")
    kept = edit(world, world.ana, scheduled.id)  # words only: still failed
    assert kept.state == "failed" and kept.attempts == 5
    again = edit(world, world.ana, scheduled.id, subject=None, send_on="+2d")
    assert (again.state, again.attempts, again.send_on) == ("scheduled", 0, TODAY + 2 * DAY)
    assert again.server_answer == "550 no such mailbox"  # what happened last time stays readable


def test_cancelling_a_reminder_and_what_then_remains(world: World, scheduled: Any) -> None:
    cancelled = world.run(
        comms.cancel_reminder, world.ana, scheduled.id, expected_version=scheduled.version
    )
    assert cancelled.state == "cancelled"
    event = events(world)[-1]
    assert event.action == "communication.cancel"
    assert (json.loads(event.before)["reminder_state"], json.loads(event.after)["reminder_state"]) == (
        "scheduled", "cancelled",
    )  # fmt: skip
    with pytest.raises(RuleError, match="already cancelled|is cancelled"):
        world.run(comms.cancel_reminder, world.ana, scheduled.id)
    with pytest.raises(RuleError, match="write a new reminder"):
        edit(world, world.ana, scheduled.id, subject=None, send_on="+9d")
    assert edit(world, world.ana, scheduled.id).state == "cancelled"  # its words may change


def test_a_failed_reminder_can_be_cancelled(world: World, scheduled: Any) -> None:
    set_state(world, scheduled.id, "failed", next_attempt_at=datetime(2026, 11, 23, tzinfo=UTC))
    assert world.run(comms.cancel_reminder, world.ana, scheduled.id).state == "cancelled"
    assert row(world, scheduled.id).next_attempt_at is None  # no retry waits on it


def test_the_lock_does_not_stop_a_cancel(world: World, scheduled: Any) -> None:
    world.run(
        comms.edit_communication, world.ana, scheduled.id, CommunicationChanges(send_on="+4w")
    )
    world.clock.advance(15 * DAY)
    with pytest.raises(NoteLocked):
        edit(world, world.ana, scheduled.id)
    assert world.run(comms.cancel_reminder, world.ana, scheduled.id).state == "cancelled"


def test_only_a_reminder_is_cancelled(world: World) -> None:
    view = add(world, world.ana, world.ana_case, call())
    with pytest.raises(RuleError, match="not a reminder"):
        world.run(comms.cancel_reminder, world.ana, view.id)


def test_a_stale_cancel_is_refused(world: World, scheduled: Any) -> None:
    edit(world, world.sam, scheduled.id)
    with pytest.raises(StaleEdit):
        world.run(
            comms.cancel_reminder, world.ana, scheduled.id, expected_version=scheduled.version
        )


def test_deleting_a_scheduled_reminder_cancels_it(world: World, scheduled: Any) -> None:
    world.run(comms.delete_communication, world.ana, scheduled.id)
    stored = row(world, scheduled.id)
    assert stored.deleted_at is not None and stored.reminder_state == "cancelled"


def test_deleting_a_sent_reminder_keeps_it_sent(world: World, scheduled: Any) -> None:
    sent_at = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
    set_state(world, scheduled.id, "sent", sent_at=sent_at, message_id="<1@casetui>")
    view = world.run(comms.delete_communication, world.ana, scheduled.id)
    assert view.deleted and view.state == "sent" and view.sent_at == sent_at
    assert events(world)[-1].action == "communication.delete"


# --- reading -----------------------------------------------------------------------------------


def test_a_cases_communications_newest_first_without_the_deleted(world: World) -> None:
    old = add(world, world.ana, world.ana_case, call(subject="Old", date="-2d"))
    new = add(world, world.ana, world.ana_case, call(subject="New"))
    gone = add(world, world.ana, world.ana_case, call(subject="Gone"))
    world.run(comms.delete_communication, world.ana, gone.id)
    listed = world.run(comms.list_communications, world.audrey, world.ana_case)
    assert [c.id for c in listed] == [new.id, old.id]
    with pytest.raises(NotFound):
        world.run(comms.list_communications, world.cara, world.ana_case)
    with pytest.raises(NotFound):
        world.run(comms.open_communication, world.cara, new.id)
    with pytest.raises(NotFound):
        world.run(comms.open_communication, world.ana, gone.id)


def test_a_listing_taken_out_is_an_export(world: World) -> None:
    add(world, world.ana, world.ana_case, call())
    world.run(comms.list_communications, world.ana, world.ana_case, export=True)
    event = world.audit_events()[-1]
    assert (event.action, event.entity) == ("export", "communications")
    assert json.loads(event.after) == {"rows": 1, "case": world.ana_case}


def test_the_timeline_shows_each_communication_and_a_reminders_state(world: World) -> None:
    give_email(world, world.ana_client)
    spoke = add(world, world.ana, world.ana_case, call())
    remind = add(world, world.ana, world.ana_case, reminder(repeats="weekly"))
    entries = world.read(
        lambda uow: TimelineRepository(uow.session, world.ana).entries(
            world.case_id(world.ana_case)
        )
    )
    shown = {e.id: e for e in entries if e.kind == COMMUNICATION}
    assert (shown[spoke.id].detail, shown[spoke.id].direction, shown[spoke.id].status) == (
        "phone", "in", None,
    )  # fmt: skip
    assert (shown[remind.id].status, shown[remind.id].due_on, shown[remind.id].repeats) == (
        "scheduled", date(2026, 11, 25), "weekly",
    )  # fmt: skip


# --- what the screens are told agrees with the services ----------------------------------------


@pytest.mark.parametrize("state", [None, "scheduled", "sending", "sent", "failed", "cancelled"])
@pytest.mark.parametrize("username", ["ana", "ben", "sam", "audrey"])
@pytest.mark.parametrize("locked", [False, True], ids=["open", "locked"])
def test_the_keys_offered_are_what_the_services_do(
    world: World, state: str | None, username: str, locked: bool
) -> None:
    give_email(world, world.ben_client)
    # Ben's case: ana is its navigator and did not write this one; sam supervises.
    item = call() if state is None else reminder()
    view = add(world, world.ben, world.ben_case, item)
    if state not in (None, "scheduled"):
        set_state(world, view.id, state, sent_at=datetime(2026, 11, 22, 9, 0, tzinfo=UTC))
    if locked:
        world.clock.advance(15 * DAY)
    actor = getattr(world, username)
    timeline = world.run(load_timeline, actor, world.case_id(world.ben_case))
    entry = next(e for e in timeline.entries if e.kind == COMMUNICATION)
    now = world.clock()

    def allowed(attempt: Any) -> bool:
        try:
            attempt()
        except (PermissionDenied, NotFound, NoteLocked, RuleError):
            return False
        return True

    offered = {
        "edit": comms.may_edit(timeline.access, entry, now),
        "delete": comms.may_delete(timeline.access, entry, now),
        "cancel": comms.may_cancel(timeline.access, entry),
    }
    # Tried in this order, each leaves the next what it found: an edit keeps the state, and
    # a delete is asked last.
    done = {
        "edit": allowed(lambda: edit(world, actor, view.id, subject="Checked")),
        "cancel": allowed(lambda: world.run(comms.cancel_reminder, actor, view.id)),
        "delete": allowed(lambda: world.run(comms.delete_communication, actor, view.id)),
    }
    assert offered == done


# --- many cases at once ------------------------------------------------------------------------


def test_one_communication_on_every_case_in_one_batch(world: World) -> None:
    result = world.run(
        comms.bulk_add_communications, world.sam, [world.ana_case, world.ben_case], call()
    )
    assert result.case_numbers == (world.ana_case, world.ben_case)
    written = [e for e in events(world) if e.action == "communication.add"]
    assert [int(e.entity_id) for e in written] == list(result.communication_ids)
    assert {json.loads(e.after)["batch_id"] for e in written} == {result.batch_id}


def test_a_bulk_communication_refused_on_one_case_writes_nothing(world: World) -> None:
    before = world.dump()
    with pytest.raises(BulkRefused) as refused:
        world.run(
            comms.bulk_add_communications, world.ana,
            [world.ana_case, world.cara_case, world.ben_case], call(),
        )  # fmt: skip
    assert [r.case_number for r in refused.value.refusals] == [world.cara_case]
    assert "bulk communication not written" in str(refused.value)
    assert world.dump() == before


def test_a_bulk_reminder_names_every_client_it_cannot_reach_and_writes_nothing(
    world: World,
) -> None:
    give_email(world, world.ana_client)  # ben's client has none
    world.sql("UPDATE client SET email = 'o@example.org', record_status = 'Inactive' "
              "WHERE id = (SELECT client_id FROM cases WHERE case_number = :n)", n=world.olga_case)  # fmt: skip
    before = world.dump()
    with pytest.raises(BulkRefused) as refused:
        world.run(
            comms.bulk_add_communications, world.sam,
            [world.olga_case, world.ana_case, world.cara_case, world.ben_case], reminder(),
        )  # fmt: skip
    reasons = {r.case_number: r.reason for r in refused.value.refusals}
    assert list(reasons) == [world.olga_case, world.cara_case, world.ben_case]  # as asked
    assert "record is Inactive" in reasons[world.olga_case]
    assert "no such case" in reasons[world.cara_case]  # South: not sam's to see
    assert "no email address" in reasons[world.ben_case]
    assert "bulk reminder not written" in str(refused.value)
    assert world.dump() == before
    # Leaving the refused cases out, the rest go.
    result = world.run(comms.bulk_add_communications, world.sam, [world.ana_case], reminder())
    assert len(result.communication_ids) == 1


def test_bulk_needs_the_grant_and_at_least_one_case(world: World) -> None:
    from dataclasses import replace

    bare = replace(world.ana, grants=frozenset())
    with pytest.raises(PermissionDenied, match="bulk_actions"):
        world.run(comms.bulk_add_communications, bare, [world.ana_case], call())
    with pytest.raises(ValidationError, match="choose at least one case"):
        world.run(comms.bulk_add_communications, world.ana, [" "], call())
    assert not comms.may_bulk_communicate(world.audrey) and comms.may_bulk_communicate(world.ana)


def test_the_bulk_preview_knows_which_clients_a_reminder_cannot_reach(world: World) -> None:
    give_email(world, world.ana_client)
    context = world.run(
        comms.bulk_communication_context, world.sam, [world.ana_case, world.ben_case, "C-NOPE"]
    )
    assert context.clients == {
        world.ana_case: "Amal Haddad", world.ben_case: "Bruno Keller", "C-NOPE": None,
    }  # fmt: skip
    assert list(context.reminder_problems) == [world.ben_case]
    assert context.may_bulk


def test_the_editor_context_says_whether_a_reminder_can_go(world: World) -> None:
    context = world.run(comms.communication_context, world.ana, world.case_id(world.ana_case))
    assert context.reminder_problem and "no email address" in context.reminder_problem
    give_email(world, world.ana_client, email="amal@example.org")
    view = add(world, world.ana, world.ana_case, reminder())
    context = world.run(
        comms.communication_context, world.ana, world.case_id(world.ana_case), view.id
    )
    assert context.reminder_problem is None and context.recipient.email == "amal@example.org"
    assert context.communication is not None and context.communication.id == view.id
    with pytest.raises(ValidationError):
        world.run(comms.communication_context, world.ana, world.case_id(world.ben_case), view.id)
