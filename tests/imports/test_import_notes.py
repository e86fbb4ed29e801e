"""``import_notes`` on SQLite and PostgreSQL: past notes for existing cases, dated before the
backdating bound, each marked imported and locked at once (to everyone without the
override_lock grant), one audit event with the file's sha256; administrators only."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from casetui.domain.errors import NoteLocked, PermissionDenied
from casetui.domain.locking import NoteLock
from casetui.domain.models import Case, CaseNote
from casetui.services import notes as note_service
from casetui.services.imports import import_notes
from casetui.services.note_rules import NoteChanges
from casetui.services.timeline import load_timeline

from .conftest import World, WriteFile

HEADER = [
    "case_number", "contact_date", "contact_time", "activity", "contact_type", "third_party",
    "summary", "details", "author", "restricted",
]  # fmt: skip


def note_row(world: World, summary: str, **cells: str) -> list[str]:
    row = dict.fromkeys(HEADER, "")
    row.update(case_number=world.ana_case, contact_date="2019-03-04", activity="Phone call")
    row.update(summary=summary, **cells)
    return [row[h] for h in HEADER]


def imported_notes(world: World) -> list[CaseNote]:
    return list(
        world.read(
            lambda uow: uow.session.execute(
                select(CaseNote).where(CaseNote.imported).order_by(CaseNote.id)
            ).scalars().all()
        )
    )  # fmt: skip


def test_past_notes_come_in_locked_and_dated_as_they_were(
    world: World, write_csv: WriteFile
) -> None:
    path = write_csv([
        HEADER,
        note_row(world, "Rang about rent", contact_time="14:30", author="ana",
                 details="She said:\nthe landlord came twice"),
        note_row(world, "Council visit", contact_date="04/03/2019 09:15", activity="home visit",
                 contact_type="3rd Party", third_party="City Council", restricted="yes"),
    ])  # fmt: skip
    before = world.dump()
    report = world.run(import_notes, world.admin, path)
    assert (report.committed, report.notes, report.refused) == (False, 2, ())
    assert world.dump() == before
    done = world.run(import_notes, world.admin, path, commit=True)
    assert (done.committed, done.notes) == (True, 2)
    first, second = imported_notes(world)
    assert first.contact_at == datetime(2019, 3, 4, 14, 30, tzinfo=UTC)  # London, winter
    assert (first.author_id, first.details) == (world.ana.id, "She said:\nthe landlord came twice")
    assert (second.author_id, second.activity_type, second.contact_type) == (
        world.admin.id, "Home visit", "3rd Party",
    )  # fmt: skip
    assert (second.third_party_org, second.restricted) == ("City Council", True)
    assert second.contact_at == datetime(2019, 3, 4, 9, 15, tzinfo=UTC)
    assert first.created_at == world.clock()  # written now; locked from now

    views = world.run(note_service.list_notes, world.ana, world.ana_case)
    imported = [v for v in views if v.imported]
    assert len(imported) == 2 and all(v.locked for v in imported)
    # Locked at once, even to their author: an addendum is the way to add to them.
    with pytest.raises(NoteLocked, match=r"locked since 2026-11-22 \(imported\)"):
        world.run(note_service.edit_note, world.ana, first.id, NoteChanges(summary="Changed"))
    world.run(note_service.add_addendum, world.ana, first.id, "Also: arrears", "Remembered")
    # The override_lock grant (every administrator's) still overrides, with a reason.
    edited = world.run(
        note_service.edit_note, world.admin, first.id, NoteChanges(summary="Rang about rent."),
        reason="typo in the old system",
    )  # fmt: skip
    assert edited.summary == "Rang about rent."


def test_the_timeline_asks_the_lock_of_an_imported_note(world: World, write_csv: WriteFile) -> None:
    world.run(import_notes, world.admin, write_csv([HEADER, note_row(world, "Old")]), commit=True)
    timeline = world.run(load_timeline, world.ana, world.case_id(world.ana_case))
    entry = next(e for e in timeline.entries if e.summary == "Old")
    assert entry.imported
    assert timeline.access.note_lock(entry.created_at, world.clock(), entry.imported) is (
        NoteLock.LOCKED
    )
    assert timeline.access.note_lock(entry.created_at, world.clock()) is NoteLock.OPEN


def test_the_import_is_one_audit_event_carrying_the_files_sha256(
    world: World, write_csv: WriteFile
) -> None:
    path = write_csv([HEADER] + [note_row(world, f"Call {i}") for i in range(30)])
    events_before = len(world.audit_events())
    world.run(import_notes, world.admin, path, commit=True)
    events = world.audit_events()
    assert len(events) == events_before + 1
    assert events[-1].action == "import.notes"
    after = json.loads(events[-1].after or "{}")
    assert after["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (after["notes"], after["cases"]) == (30, 1)


def test_the_cases_last_interaction_moves_forward_only(world: World, write_csv: WriteFile) -> None:
    world.note(world.ana, world.ana_case, "Today's call")
    path = write_csv([
        HEADER, note_row(world, "Long ago"),
        note_row(world, "Ben's old call", case_number=world.ben_case, contact_date="2020-01-02"),
    ])  # fmt: skip
    world.run(import_notes, world.admin, path, commit=True)
    last = world.read(
        lambda uow: dict(
            uow.session.execute(select(Case.case_number, Case.last_interaction_at)).all()
        )
    )
    assert last[world.ana_case] == world.clock()
    assert last[world.ben_case] == datetime(2020, 1, 2, 12, 0, tzinfo=UTC)


def test_refused_notes_are_named_and_nothing_is_written(world: World, write_csv: WriteFile) -> None:
    path = write_csv([
        HEADER,
        note_row(world, "Fine"),
        note_row(world, "No such case", case_number="C-1999-999999"),
        note_row(world, "", activity="Dancing", author="ghost", restricted="maybe"),
        note_row(world, "Tomorrow", contact_date="2026-11-23"),
        note_row(world, "Third party", contact_type="3rd Party"),
        note_row(world, "Bad date", contact_date="31/02/2019", contact_time="25:00"),
    ])  # fmt: skip
    before = world.dump()
    report = world.run(import_notes, world.admin, path, commit=True)
    assert report.committed is False and world.dump() == before
    found = {(r.row, r.column): r.rule for r in report.refused}
    assert found == {
        (3, "case_number"): "no case 'C-1999-999999'",
        (4, "author"): "no staff member 'ghost'",
        (4, "restricted"): "'maybe' is not yes or no",
        (4, "summary"): "is required",
        (4, "activity"): found[(4, "activity")],
        (5, "contact_date"): "2026-11-23 is in the future; notes record what has happened",
        (6, "third_party"): "is required for a 3rd Party contact",
        (7, "contact_date"): "'31/02/2019' is not a real date",
        (7, "contact_time"): "'25:00' is not a time",
    }
    assert found[(4, "activity")].startswith("'Dancing' is not one of: Phone call")
    assert report.notes == 1


@pytest.mark.parametrize("who", ["sam", "ana", "olga", "audrey"])
def test_only_administrators_import_notes(world: World, write_csv: WriteFile, who: str) -> None:
    path = write_csv([HEADER, note_row(world, "Old")])
    with pytest.raises(PermissionDenied, match="importing case notes is for administrators"):
        world.run(import_notes, getattr(world, who), path)
