"""Two people writing at the same moment, each through their own connection to one database.

Every scenario runs on SQLite (two engines on one file) and on PostgreSQL (two engines on one
database), calls the services exactly as the app's workers do, and ends with the audit chain
verified. ``overlapping`` holds the first save open at its COMMIT while the second one starts,
so the second really runs during the first's transaction, not after it.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from casetui.db.uow import Database
from casetui.domain.actor import Actor
from casetui.domain.errors import BulkRefused, Conflict, StaleEdit
from casetui.domain.models import AuditEvent, Case, CaseNote
from casetui.repositories.cases import CaseRepository
from casetui.services import bulk_notes as bulk_note_service
from casetui.services import cases as case_service
from casetui.services import clients as client_service
from casetui.services import notes as note_service
from casetui.services.timeline import EditorContext, bulk_context, editor_context, load_timeline

from .conftest import CASELOAD, Office, Outcome, overlapping, together


def _open_editor(db: Database, actor: Actor, case_number: str, note_id: int) -> EditorContext:
    """What the note editor loads before the first keystroke (in a writing unit, as it does)."""
    with db.uow(write=False) as uow:
        case_id = CaseRepository(uow.session, actor).get_by_number(case_number).id
    assert case_id is not None
    return editor_context(db, actor, case_id, note_id)


def _note_row(office: Office, note_id: int) -> tuple[str, str, int]:
    row = office.read(lambda uow: uow.session.get(CaseNote, note_id))
    return row.summary, row.details, row.version


def _edits_of(office: Office, note_id: int) -> list[str]:
    """Who saved an edit of the note, oldest first, as the audit trail has it."""
    query = (
        select(AuditEvent.actor_username)
        .where(AuditEvent.entity == "case_note", AuditEvent.entity_id == str(note_id))
        .where(AuditEvent.action == "note.edit")
        .order_by(AuditEvent.id)  # type: ignore[arg-type]
    )
    return list(office.read(lambda uow: uow.session.execute(query).scalars().all()))


# --- (a) one note, two editors ---------------------------------------------------------------------


def test_second_of_two_saves_of_one_note_is_refused_as_stale_and_keeps_its_text(
    office: Office,
) -> None:
    people, case_number, note_id = (
        office.people,
        office.people.olga_cases[0],
        office.people.olga_note,
    )
    assert note_id is not None
    # Both open the note before either saves: each editor holds version 1.
    sam_opened = _open_editor(office.first, people.sam, case_number, note_id)
    olga_opened = _open_editor(office.second, people.olga, case_number, note_id)
    assert sam_opened.note is not None and olga_opened.note is not None
    assert sam_opened.note.version == olga_opened.note.version == 1

    sam_words = note_service.NoteChanges(summary="Phoned about the tenancy; landlord will wait")
    olga_words = note_service.NoteChanges(
        summary="Phoned: arrears plan agreed", details="Olga's account of the call, typed in full."
    )
    sam_save, olga_save = overlapping(
        office,
        lambda db: note_service.edit_note(
            db, people.sam, note_id, sam_words, expected_version=sam_opened.note.version
        ),
        lambda db: note_service.edit_note(
            db, people.olga, note_id, olga_words, expected_version=olga_opened.note.version
        ),
    )

    assert sam_save.error is None, repr(sam_save.error)
    assert sam_save.value.version == 2
    assert olga_save.queued, "the second save did not overlap the first one's transaction"
    assert isinstance(olga_save.error, StaleEdit), repr(olga_save.error)
    message = str(olga_save.error)
    assert message.startswith("refused:")
    assert f"note {note_id} was changed by" in message and "your text is kept" in message
    assert _note_row(office, note_id) == (sam_words.summary, "", 2)

    # Olga's words were refused, not lost: she reloads and saves them over version 2.
    reopened = _open_editor(office.second, people.olga, case_number, note_id)
    assert reopened.note is not None and reopened.note.summary == sam_words.summary
    saved = note_service.edit_note(
        office.second, people.olga, note_id, olga_words, expected_version=reopened.note.version
    )
    assert saved.version == 3
    assert _note_row(office, note_id) == (olga_words.summary, olga_words.details, 3)
    assert _edits_of(office, note_id) == ["sam", "olga"]
    office.assert_chain_intact()


# --- (b) a bulk note to 200 cases while one of them is reassigned -----------------------------------


def _counts(office: Office, summary: str) -> dict[str, Any]:
    return {
        "notes": office.scalar("SELECT count(*) FROM case_note WHERE summary = :s", s=summary),
        "batches": office.scalar(
            "SELECT count(DISTINCT batch_id) FROM case_note WHERE summary = :s", s=summary
        ),
        "note_events": office.scalar("SELECT count(*) FROM audit_event WHERE action = 'note.add'"),
        "cases_with_contact": office.scalar(
            "SELECT count(*) FROM cases WHERE last_interaction_at IS NOT NULL"
        ),
    }


@pytest.mark.parametrize("goes_first", ["bulk note", "reassign"])
def test_bulk_note_and_a_reassign_at_once_leave_all_or_nothing(
    office: Office, goes_first: str
) -> None:
    people, cases = office.people, list(office.people.olga_cases)
    assert len(cases) == CASELOAD
    moved = cases[117]
    summary = "Attended the tenancy rights workshop"
    # olga previews her bulk note; sam opens the case he is about to hand to ben.
    preview = bulk_context(office.second, people.olga, cases)
    assert preview.may_bulk and all(preview.clients.values())
    case_id = office.read(
        lambda uow: CaseRepository(uow.session, people.sam).get_by_number(moved).id
    )
    opened = load_timeline(office.first, people.sam, case_id).case
    assert (opened.worker_username, opened.version) == ("olga", 1)
    before = _counts(office, summary)

    def bulk_note(db: Database) -> Any:
        note = note_service.NoteInput(summary=summary, activity_type="Workshop")
        return bulk_note_service.bulk_add_notes(db, people.olga, cases, note)

    def reassign(db: Database) -> Any:
        return case_service.reassign(db, people.sam, moved, "ben", expected_version=opened.version)

    if goes_first == "bulk note":
        bulk, move = overlapping(office, bulk_note, reassign)
        assert move.queued, "the reassign did not overlap the bulk note's transaction"
    else:
        move, bulk = overlapping(office, reassign, bulk_note)
        assert bulk.queued, "the bulk note did not overlap the reassign's transaction"

    # The reassign goes through either way: a new note is not an edit of the case.
    assert move.error is None, repr(move.error)
    case = office.read(lambda uow: uow.session.get(Case, case_id))
    ben_id = people.ben.id
    assert (case.primary_worker_id, case.team_id, case.version) == (ben_id, people.ben.team_id, 2)
    after = _counts(office, summary)

    if goes_first == "bulk note":
        assert bulk.error is None, repr(bulk.error)
        assert len(bulk.value.note_ids) == CASELOAD
        assert (after["notes"], after["batches"]) == (CASELOAD, 1)
        assert after["note_events"] == before["note_events"] + CASELOAD
        assert after["cases_with_contact"] == CASELOAD
        contact = office.read(
            lambda uow: uow.session.execute(
                select(CaseNote.contact_at).where(
                    CaseNote.case_id == case_id, CaseNote.summary == summary
                )
            ).scalar_one()
        )
        assert case.last_interaction_at == contact
        reassign_after_notes = office.scalar(
            "SELECT count(*) FROM audit_event WHERE action = 'note.add' AND id > "
            "(SELECT id FROM audit_event WHERE action = 'case.reassign')"
        )
        assert reassign_after_notes == 0, "the trail shows the reassign inside the bulk note"
    else:
        # olga no longer holds the case: the whole bulk note is refused, naming it.
        assert isinstance(bulk.error, BulkRefused), repr(bulk.error)
        assert [r.case_number for r in bulk.error.refusals] == [moved]
        assert moved in str(bulk.error)
        assert after == {**before, "notes": 0, "batches": 0}
    office.assert_chain_intact()


# --- (c) two people open the first case with one case number ----------------------------------------


def _opens(actor: Actor, client_id: int, number: str | None) -> Any:
    case = case_service.CaseInput(client_id=client_id, case_number=number)
    return lambda db: case_service.open_case(db, actor, case)


def _one_wins(wins: Outcome, loses: Outcome, losers_number: str) -> None:
    assert wins.error is None, repr(wins.error)
    assert isinstance(loses.error, Conflict), repr(loses.error)
    message = str(loses.error)
    assert message.startswith("refused:") and losers_number in message


def test_two_people_opening_the_first_case_with_one_number_one_wins(new_office: Office) -> None:
    people = new_office.people
    assert new_office.scalar("SELECT count(*) FROM cases") == 0
    ana, ben = overlapping(
        new_office,
        _opens(people.ana, people.ana_client, "HOU-0001"),
        _opens(people.ben, people.ben_client, "HOU-0001"),
    )
    assert ben.queued, "ben's save did not overlap ana's transaction"
    _one_wins(ana, ben, "HOU-0001")
    assert ana.value.case_number == "HOU-0001"
    assert new_office.scalar("SELECT count(*) FROM cases") == 1
    assert new_office.scalar("SELECT client_id FROM cases") == people.ana_client
    new_office.assert_chain_intact()


def test_two_people_let_go_at_once_with_one_number_one_wins_each_time(new_office: Office) -> None:
    people = new_office.people
    for attempt in range(1, 7):
        # Numbers are unique whatever their letter case: every other time ben types it lower.
        number = f"RACE-{attempt}"
        bens_number = number if attempt % 2 else number.lower()
        ana_client = _new_client(new_office, people.ana, f"Ana's client {attempt}")
        ben_client = _new_client(new_office, people.ben, f"Ben's client {attempt}")
        ana, ben = together(
            new_office,
            _opens(people.ana, ana_client, number),
            _opens(people.ben, ben_client, bens_number),
        )
        if ana.error is None:
            _one_wins(ana, ben, bens_number)
        else:
            _one_wins(ben, ana, number)
        held = new_office.scalar(
            "SELECT count(*) FROM cases WHERE lower(case_number) = :n", n=number.lower()
        )
        assert held == 1, f"attempt {attempt}"
    assert new_office.scalar("SELECT count(*) FROM cases") == 6
    new_office.assert_chain_intact()


def _new_client(office: Office, worker: Actor, name: str) -> int:
    return client_service.register_client(
        office.first, worker, client_service.ClientInput(name=name)
    )


def test_two_first_cases_numbered_by_the_organisation_get_one_number_each(
    new_office: Office,
) -> None:
    people = new_office.people
    ana, ben = overlapping(
        new_office,
        _opens(people.ana, people.ana_client, None),
        _opens(people.ben, people.ben_client, None),
    )
    assert ana.error is None and ben.error is None, (ana.error, ben.error)
    first, second = ana.value.case_number, ben.value.case_number
    assert first.endswith("-000001") and second.endswith("-000002")
    assert first.rsplit("-", 1)[0] == second.rsplit("-", 1)[0]
    assert new_office.scalar("SELECT count(*) FROM cases") == 2
    new_office.assert_chain_intact()
