"""Supervisor sign-off of notes: sending, approving, returning, and what an approval locks."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from casetui.domain.actor import Actor
from casetui.domain.enums import NotificationKind, SignoffState
from casetui.domain.errors import (
    NoteLocked,
    NotFound,
    PermissionDenied,
    StaleEdit,
    ValidationError,
)
from casetui.domain.models import AuditEvent, NoteSignoff, Notification
from casetui.services import bulk_notes, signoff
from casetui.services import lists as list_service
from casetui.services import notes as note_service
from casetui.services import timeline as timeline_service

from .conftest import World

WAITING = NotificationKind.SIGNOFF_WAITING.value
RETURNED = NotificationKind.SIGNOFF_RETURNED.value


def _inbox(world: World, person: Actor) -> list[tuple[str, str]]:
    """A person's sign-off notifications as (kind, text), oldest first."""
    kinds = (WAITING, RETURNED)
    return world.read(
        lambda uow: [
            (n.kind, n.text)
            for n in uow.session.execute(
                select(Notification)
                .where(Notification.staff_id == person.id, Notification.kind.in_(kinds))  # type: ignore[attr-defined]
                .order_by(Notification.id)  # type: ignore[arg-type]
            ).scalars()
        ]
    )


def _row(world: World, note_id: int) -> NoteSignoff | None:
    return world.read(
        lambda uow: uow.session.execute(
            select(NoteSignoff).where(NoteSignoff.note_id == note_id)  # type: ignore[arg-type]
        ).scalar_one_or_none()
    )


def _sent(world: World, author: Actor | None = None, summary: str = "Assessed needs") -> int:
    """A note on ana's case by ``author`` (ana), sent for sign-off by its author."""
    author = author or world.ana
    note = world.note(author, world.ana_case, summary)
    world.run(signoff.request_signoff, author, note.id)
    return note.id


def _actions(world: World) -> list[tuple[str, str | None]]:
    return [(e.action, e.entity) for e in world.audit_events() if e.action.startswith("signoff.")]


# --- sending ------------------------------------------------------------------------------------


def test_a_request_notifies_the_teams_supervisors_and_is_audited(world: World) -> None:
    note_id = _sent(world)
    row = _row(world, note_id)
    assert row is not None and row.state == SignoffState.REQUESTED.value and row.version == 1
    assert row.requested_by_id == world.ana.id
    assert _inbox(world, world.sam) == [
        (WAITING, f"Note to sign off on {world.ana_case} from Ana: Assessed needs")
    ]
    # Not the sender, not the rest of the team, not another team's people.
    for person in (world.ana, world.ben, world.olga, world.cara, world.admin):
        assert _inbox(world, person) == []
    assert _actions(world) == [("signoff.request", "note_signoff")]
    after = json.loads(world.audit_events()[-1].after or "{}")
    assert after["state"] == "requested" and after["note_id"] == note_id


def test_a_team_without_a_supervisor_asks_the_administrators(world: World) -> None:
    note = world.note(world.cara, world.cara_case, "South has no supervisor")
    world.run(signoff.request_signoff, world.cara, note.id)
    assert [k for k, _ in _inbox(world, world.admin)] == [WAITING]
    assert _inbox(world, world.sam) == []


def test_the_only_supervisors_own_note_goes_to_the_administrators(world: World) -> None:
    _sent(world, world.sam, "Supervision note")
    assert [k for k, _ in _inbox(world, world.admin)] == [WAITING]
    assert _inbox(world, world.sam) == []


def test_a_note_waiting_or_signed_off_is_not_sent_again(world: World) -> None:
    note_id = _sent(world)
    with pytest.raises(ValidationError, match="already waiting for sign-off"):
        world.run(signoff.request_signoff, world.ana, note_id)
    world.run(signoff.approve, world.sam, note_id)
    before = world.dump()
    with pytest.raises(ValidationError, match="signed off already"):
        world.run(signoff.request_signoff, world.ana, note_id)
    assert world.dump() == before


def test_a_deleted_note_cannot_be_sent(world: World) -> None:
    note = world.note(world.ana, world.ana_case)
    world.run(note_service.delete_note, world.ana, note.id)
    with pytest.raises(NotFound):
        world.run(signoff.request_signoff, world.ana, note.id)


def test_the_author_may_edit_a_note_while_it_waits(world: World) -> None:
    note_id = _sent(world)
    edited = world.run(
        note_service.edit_note, world.ana, note_id, note_service.NoteChanges(summary="Fuller")
    )
    assert edited.summary == "Fuller" and edited.signoff is not None and edited.signoff.waiting


# --- deciding -----------------------------------------------------------------------------------


def test_nobody_signs_off_their_own_note(world: World) -> None:
    own = _sent(world, world.sam, "Supervision note")
    before = world.dump()
    for decide in (
        lambda: world.run(signoff.approve, world.sam, own),
        lambda: world.run(signoff.return_note, world.sam, own, "Needs more"),
    ):
        with pytest.raises(PermissionDenied, match="nobody signs off their own note"):
            decide()
    assert world.dump() == before
    # An administrator's own note too, whatever the role may otherwise do.
    note = world.note(world.admin, world.cara_case, "Admin's note")
    world.run(signoff.request_signoff, world.admin, note.id)
    with pytest.raises(PermissionDenied, match="nobody signs off their own note"):
        world.run(signoff.approve, world.admin, note.id)
    # Someone else may.
    assert world.run(signoff.approve, world.admin, own).approved


def test_an_approved_note_is_locked_but_takes_an_addendum(world: World) -> None:
    note_id = _sent(world)
    view = world.run(signoff.approve, world.sam, note_id, comment="Clear and complete")
    assert view.approved and view.decided_by == "sam" and view.comment == "Clear and complete"
    before = world.dump()
    with pytest.raises(NoteLocked, match=f"note {note_id} was signed off on 2026-11-22"):
        world.run(
            note_service.edit_note, world.ana, note_id, note_service.NoteChanges(summary="Later")
        )
    with pytest.raises(NoteLocked, match="signed off"):
        world.run(note_service.delete_note, world.ana, note_id)
    # The supervisor is refused too: the lock is not a matter of authorship.
    with pytest.raises(NoteLocked):
        world.run(note_service.delete_note, world.sam, note_id)
    assert world.dump() == before
    noted = world.run(note_service.add_addendum, world.ana, note_id, "Also rang the GP", "forgot")
    assert [a.text for a in noted.addenda] == ["Also rang the GP"]
    assert noted.locked and noted.signed_off
    entries = world.run(timeline_service.load_timeline, world.ana, world.case_id(world.ana_case))
    [entry] = [e for e in entries.entries if e.kind == "note" and e.id == note_id]
    assert entry.signoff == "approved"


def test_the_override_lock_grant_still_overrides_a_signed_off_note(world: World) -> None:
    note_id = _sent(world)
    world.run(signoff.approve, world.sam, note_id)
    changes = note_service.NoteChanges(summary="Corrected by an administrator")
    with pytest.raises(NoteLocked, match="override_lock grant and a reason"):
        world.run(note_service.edit_note, world.admin, note_id, changes)
    edited = world.run(note_service.edit_note, world.admin, note_id, changes, reason="Typo")
    assert edited.summary == "Corrected by an administrator"
    assert [e.action for e in world.audit_events()][-1] == "note.override_edit"


def test_a_returned_note_tells_its_author_and_may_be_sent_again(world: World) -> None:
    note_id = _sent(world)
    with pytest.raises(ValidationError, match="comment: is required"):
        world.run(signoff.return_note, world.sam, note_id, "  ")
    view = world.run(signoff.return_note, world.sam, note_id, "Say what happens next")
    assert view.returned and view.comment == "Say what happens next" and view.version == 2
    assert _inbox(world, world.ana) == [
        (
            RETURNED,
            f"Note returned by Sam on {world.ana_case}: Say what happens next "
            "(note: Assessed needs)",
        )
    ]
    # Returned: editable, and the author sends it again; the supervisors hear of it again.
    world.run(
        note_service.edit_note,
        world.ana,
        note_id,
        note_service.NoteChanges(details="Next: housing referral by Friday"),
    )
    again = world.run(signoff.request_signoff, world.ana, note_id, expected_version=2)
    assert again.waiting and again.version == 3 and again.comment is None
    assert [k for k, _ in _inbox(world, world.sam)] == [WAITING, WAITING]
    assert _actions(world) == [
        ("signoff.request", "note_signoff"),
        ("signoff.return", "note_signoff"),
        ("signoff.request", "note_signoff"),
    ]


def test_caseworkers_and_auditors_do_not_decide(world: World) -> None:
    note_id = _sent(world, world.sam)
    for person in (world.ana, world.ben, world.audrey):
        with pytest.raises(PermissionDenied, match="supervisors of the case's team"):
            world.run(signoff.approve, person, note_id)


def test_a_supervisor_of_another_team_assigned_to_the_case_does_not_decide(world: World) -> None:
    """Sam sees cara's case once assigned to it, but it is South's to sign off."""
    note = world.note(world.cara, world.cara_case, "South note")
    world.run(signoff.request_signoff, world.cara, note.id)
    world.sql(
        "INSERT INTO case_navigator (case_id, staff_id) VALUES (:c, :s)",
        c=world.case_id(world.cara_case),
        s=world.sam.id,
    )
    with pytest.raises(PermissionDenied, match="is not in your team"):
        world.run(signoff.approve, world.sam, note.id)


def test_only_a_waiting_note_is_decided(world: World) -> None:
    note = world.note(world.ana, world.ana_case)
    with pytest.raises(ValidationError, match="not waiting for sign-off"):
        world.run(signoff.approve, world.sam, note.id)
    note_id = _sent(world)
    world.run(signoff.approve, world.sam, note_id)
    with pytest.raises(ValidationError, match="not waiting for sign-off"):
        world.run(signoff.return_note, world.admin, note_id, "Too late")


def test_a_stale_decision_is_refused(world: World) -> None:
    note_id = _sent(world)
    world.run(signoff.return_note, world.admin, note_id, "Add the risk indicators")
    before = world.dump()
    # Sam read it waiting (version 1); an administrator returned it meanwhile.
    with pytest.raises(StaleEdit, match=f"the sign-off of note {note_id} was changed by Admin"):
        world.run(signoff.approve, world.sam, note_id, expected_version=1)
    assert world.dump() == before
    # Sent again (version 3): still not the version Sam read.
    world.run(signoff.request_signoff, world.ana, note_id)
    with pytest.raises(StaleEdit, match=f"the sign-off of note {note_id} was changed by Ana"):
        world.run(signoff.return_note, world.sam, note_id, "Thin", expected_version=1)
    assert world.run(signoff.approve, world.sam, note_id, expected_version=3).approved


def test_a_note_edited_since_it_was_read_is_not_approved_unread(world: World) -> None:
    note_id = _sent(world)
    world.run(
        note_service.edit_note, world.ana, note_id, note_service.NoteChanges(summary="Changed")
    )
    before = world.dump()
    with pytest.raises(StaleEdit, match=f"note {note_id} was changed by Ana"):
        world.run(signoff.approve, world.sam, note_id, note_version=1)
    assert world.dump() == before
    assert world.run(signoff.approve, world.sam, note_id, note_version=2).approved


# --- activity types that require sign-off --------------------------------------------------------


def _require(world: World, activity: str = "Assessment") -> None:
    item = world.run(list_service.set_requires_signoff, world.admin, activity, True)
    assert item.requires_signoff


def test_a_new_note_of_a_type_that_requires_sign_off_is_sent_as_it_is_saved(world: World) -> None:
    _require(world)
    sent = world.note(world.ana, world.ana_case, "Needs assessment", activity_type="Assessment")
    plain = world.note(world.ana, world.ana_case, "Rang about rent")
    assert sent.signoff is not None and sent.signoff.waiting and sent.signoff.requested_by == "ana"
    assert plain.signoff is None
    assert [k for k, _ in _inbox(world, world.sam)] == [WAITING]
    # One transaction: a note refused is not sent either.
    with pytest.raises(ValidationError):
        world.note(world.ana, world.ana_case, "", activity_type="Assessment")
    assert world.read(lambda uow: len(uow.session.execute(select(NoteSignoff)).all())) == 1


def test_a_saved_note_is_answered_as_reading_it_back_shows_it(world: World) -> None:
    """``add_note`` answers with the note from the rows it wrote, not read back: the same view
    as opening it, with and without a sign-off sent as it was saved."""
    _require(world)
    for activity in ("Assessment", "Phone call"):
        saved = world.note(world.ana, world.ana_case, "Talked it through", activity_type=activity)
        assert saved == world.run(note_service.open_note, world.ana, saved.id)
        assert (saved.signoff is not None) == (activity == "Assessment")


def test_a_bulk_note_of_such_a_type_sends_every_note_and_tells_once(world: World) -> None:
    _require(world, "Workshop")
    result = world.run(
        bulk_notes.bulk_add_notes,
        world.ana,
        [world.ana_case, world.ben_case],
        note_service.NoteInput(summary="Tenancy workshop", activity_type="Workshop"),
    )
    rows = [_row(world, n) for n in result.note_ids]
    assert [r.state if r else None for r in rows] == ["requested", "requested"]
    assert _inbox(world, world.sam) == [
        (WAITING, "2 notes to sign off (2 cases) from Ana: Tenancy workshop")
    ]
    events = [e for e in world.audit_events() if e.action == "signoff.request"]
    assert sorted(int(e.entity_id or 0) for e in events) == sorted(r.id for r in rows if r)


def test_requiring_sign_off_is_for_administrators_and_audited(world: World) -> None:
    with pytest.raises(PermissionDenied):
        world.run(list_service.set_requires_signoff, world.sam, "Assessment", True)
    _require(world)
    with pytest.raises(ValidationError, match="already requires sign-off"):
        world.run(list_service.set_requires_signoff, world.admin, "Assessment", True)
    event = world.audit_events()[-1]
    assert event.action == "list.signoff"
    assert json.loads(event.after or "{}")["requires_signoff"] is True
    cleared = world.run(list_service.set_requires_signoff, world.admin, "Assessment", False)
    assert not cleared.requires_signoff
    assert world.note(world.ana, world.ana_case, "x", activity_type="Assessment").signoff is None


# --- what the screens are offered ----------------------------------------------------------------


def _offered(world: World, actor: Actor, note_id: int) -> tuple[bool, bool]:
    try:
        found = world.run(signoff.choices, actor, note_id)
    except NotFound:
        return False, False
    return found.request, found.decide


def _may(attempt: Any) -> bool:
    try:
        attempt()
    except (PermissionDenied, NotFound, ValidationError):
        return False
    return True


@pytest.mark.parametrize("username", ["ana", "ben", "sam", "admin", "audrey", "cara"])
def test_choices_and_case_access_answer_what_the_writes_do(world: World, username: str) -> None:
    actor = getattr(world, username)
    case_id = world.case_id(world.ana_case)
    for state in ("none", "requested", "returned", "approved"):
        note = world.note(world.sam if username == "ana" else world.ana, world.ana_case, state)
        if state != "none":
            world.run(signoff.request_signoff, world.admin, note.id)
        if state == "returned":
            world.run(signoff.return_note, world.admin, note.id, "More, please")
        if state == "approved":
            world.run(signoff.approve, world.admin, note.id)
        request, decide = _offered(world, actor, note.id)
        try:
            timeline = world.run(timeline_service.load_timeline, actor, case_id)
        except NotFound:
            keyed = False
        else:
            [entry] = [e for e in timeline.entries if e.kind == "note" and e.id == note.id]
            keyed = timeline.access.may_signoff(entry)
        assert keyed is (request or decide), (state, request, decide)
        if decide:
            assert _may(lambda n=note.id: world.run(signoff.approve, actor, n))
        elif request:
            assert _may(lambda n=note.id: world.run(signoff.request_signoff, actor, n))
        else:
            assert not _may(lambda n=note.id: world.run(signoff.request_signoff, actor, n))
            assert not _may(lambda n=note.id: world.run(signoff.approve, actor, n))


def test_waiting_for_me_lists_the_teams_notes_but_never_ones_own(world: World) -> None:
    ana_note = _sent(world)
    own = _sent(world, world.sam, "Sam's own")
    cara_note = world.note(world.cara, world.cara_case, "South")
    world.run(signoff.request_signoff, world.cara, cara_note.id)
    assert [v.note_id for v in world.run(signoff.waiting_for_me, world.sam)] == [ana_note]
    assert [v.note_id for v in world.run(signoff.waiting_for_me, world.admin)] == [
        ana_note,
        own,
        cara_note.id,
    ]
    assert world.run(signoff.waiting_for_me, world.ana) == []
    assert not world.read(
        lambda uow: uow.session.execute(
            select(AuditEvent).where(AuditEvent.action == "signoff.approve")  # type: ignore[arg-type]
        ).all()
    )


def test_whoever_a_request_tells_finds_it_waiting_on_their_today(world: World) -> None:
    """One rule says who decides: the request's notifications and each person's Today list
    agree on every kind of note (a team with its supervisor, the only supervisor's own note,
    a team with no supervisor)."""
    from casetui.domain.caseworker_day import TodayKind
    from casetui.services.today import today_list

    notes = [_sent(world), _sent(world, world.sam, "Sam's own")]
    cara_note = world.note(world.cara, world.cara_case, "South")
    world.run(signoff.request_signoff, world.cara, cara_note.id)
    notes.append(cara_note.id)
    told: dict[str, set[str]] = {}
    for person in (world.admin, world.sam, world.ana, world.cara, world.audrey):
        told[person.username] = {
            text.rsplit(": ", 1)[-1] for kind, text in _inbox(world, person) if kind == WAITING
        }
        waiting = {
            item.title
            for item in world.run(today_list, person).items
            if item.kind is TodayKind.SIGNOFF and item.id in notes
        }
        assert waiting == told[person.username], person.username
    assert told[world.sam.username] == {"Assessed needs"}
    assert told[world.admin.username] == {"Sam's own", "South"}
