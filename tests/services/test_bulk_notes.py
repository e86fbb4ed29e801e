"""Bulk notes: one transaction, all or nothing, every refused case named."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from casetui.domain.errors import BulkRefused, ValidationError
from casetui.domain.models import CaseNote, FollowUpTask, TaskResponsible
from casetui.services import bulk_notes as bulk_note_service
from casetui.services import notes as note_service
from casetui.services.tasks import TaskInput

from .conftest import World

WORKSHOP = note_service.NoteInput(summary="CV workshop at the library", activity_type="Workshop")
FOLLOW_UP = TaskInput(name="Send the CV template", due="2026-11-27")
MISSING = "C-1999-999999"


def _notes(world: World) -> list[CaseNote]:
    return list(
        world.read(
            lambda uow: uow.session.execute(select(CaseNote).order_by(CaseNote.id)).scalars().all()
        )
    )


def _tasks(world: World) -> list[FollowUpTask]:
    return list(
        world.read(
            lambda uow: (
                uow.session.execute(select(FollowUpTask).order_by(FollowUpTask.id)).scalars().all()
            )
        )
    )


def test_one_refused_case_writes_nothing_and_every_refusal_is_named(world: World) -> None:
    before = world.dump()
    with pytest.raises(BulkRefused) as refused:
        world.run(
            bulk_note_service.bulk_add_notes,
            world.ana,
            [world.ana_case, world.cara_case, world.ben_case, MISSING],
            WORKSHOP,
            FOLLOW_UP,
        )
    assert [r.case_number for r in refused.value.refusals] == [world.cara_case, MISSING]
    assert world.cara_case in str(refused.value) and MISSING in str(refused.value)
    assert world.dump() == before


@pytest.mark.parametrize("stranger", ["cara_case", "missing"])
def test_a_single_refused_case_is_enough_to_write_nothing(world: World, stranger: str) -> None:
    number = MISSING if stranger == "missing" else world.cara_case
    before = world.dump()
    with pytest.raises(BulkRefused) as refused:
        world.run(
            bulk_note_service.bulk_add_notes,
            world.ana,
            [world.ana_case, number, world.ben_case],
            WORKSHOP,
        )
    assert [r.case_number for r in refused.value.refusals] == [number]
    assert world.dump() == before


def test_invalid_note_in_a_bulk_writes_nothing(world: World) -> None:
    before = world.dump()
    with pytest.raises(ValidationError):
        world.run(
            bulk_note_service.bulk_add_notes,
            world.ana,
            [world.ana_case, world.ben_case],
            note_service.NoteInput(summary="", activity_type="Workshop"),
        )
    assert world.dump() == before


def test_bulk_writes_one_note_and_one_task_per_case_sharing_a_batch(world: World) -> None:
    result = world.run(
        bulk_note_service.bulk_add_notes,
        world.ana,
        [world.ana_case, world.ben_case],
        WORKSHOP,
        FOLLOW_UP,
    )
    notes = _notes(world)
    tasks = _tasks(world)
    case_ids = {world.case_id(world.ana_case), world.case_id(world.ben_case)}

    assert {n.case_id for n in notes} == case_ids and len(notes) == 2
    assert {n.batch_id for n in notes} == {result.batch_id} and result.batch_id
    assert {n.summary for n in notes} == {"CV workshop at the library"}
    assert set(result.note_ids) == {n.id for n in notes}
    assert set(result.case_numbers) == {world.ana_case, world.ben_case}

    assert len(tasks) == 2 and set(result.task_ids) == {t.id for t in tasks}
    assert {(t.case_id, t.note_id) for t in tasks} == {(n.case_id, n.id) for n in notes}
    responsible = world.read(
        lambda uow: uow.session.execute(select(TaskResponsible.staff_id)).scalars().all()
    )
    assert list(responsible) == [world.ana.id, world.ana.id]


def test_bulk_without_a_task_writes_notes_only(world: World) -> None:
    world.run(
        bulk_note_service.bulk_add_notes, world.ana, [world.ana_case, world.ben_case], WORKSHOP
    )
    assert len(_notes(world)) == 2
    assert _tasks(world) == []


def test_duplicate_cases_in_a_bulk_collapse(world: World) -> None:
    result = world.run(
        bulk_note_service.bulk_add_notes,
        world.ana,
        [world.ana_case, world.ben_case, world.ana_case, f" {world.ben_case} "],
        WORKSHOP,
    )
    assert sorted(result.case_numbers) == sorted([world.ana_case, world.ben_case])
    assert sorted(n.case_id for n in _notes(world)) == sorted(
        [world.case_id(world.ana_case), world.case_id(world.ben_case)]
    )


def test_each_bulk_has_its_own_batch(world: World) -> None:
    first = world.run(
        bulk_note_service.bulk_add_notes, world.ana, [world.ana_case, world.ben_case], WORKSHOP
    )
    second = world.run(
        bulk_note_service.bulk_add_notes, world.ana, [world.ana_case, world.ben_case], WORKSHOP
    )
    assert first.batch_id != second.batch_id
