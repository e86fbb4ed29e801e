"""A stale edit's refusal says who saved first and when, so the user knows what to reload."""

from __future__ import annotations

from datetime import timedelta

import pytest

from casetui.domain.errors import StaleEdit
from casetui.services import cases as case_service
from casetui.services import notes as note_service
from casetui.services import tasks as task_service

from .conftest import World


def test_a_stale_note_edit_names_who_saved_first_and_when(world: World) -> None:
    note = world.note(world.ana, world.ana_case, "First words")
    saved_at = world.clock.advance(timedelta(minutes=7))
    world.run(
        note_service.edit_note,
        world.sam,
        note.id,
        note_service.NoteChanges(details="Supervisor's words"),
        expected_version=1,
    )
    world.clock.advance(timedelta(minutes=5))

    with pytest.raises(StaleEdit) as refused:
        world.run(
            note_service.edit_note,
            world.ana,
            note.id,
            note_service.NoteChanges(summary="Ana's words"),
            expected_version=1,
        )

    assert refused.value.changed_by == "Sam (sam)"
    assert refused.value.changed_at == saved_at
    assert refused.value.current_version == 2
    # The organisation's zone is Europe/London by default: 10:07 UTC in November is 10:07.
    assert "changed by Sam (sam) on 22 Nov 10:07" in str(refused.value)
    assert "yours: version 1, now: version 2" in str(refused.value)


def test_a_stale_note_delete_names_the_last_editor_not_the_author(world: World) -> None:
    note = world.note(world.ana, world.ana_case, "First words")
    world.run(note_service.edit_note, world.admin, note.id, note_service.NoteChanges(details="x"))
    with pytest.raises(StaleEdit) as refused:
        world.run(note_service.delete_note, world.ana, note.id, expected_version=1)
    assert refused.value.changed_by == "Admin (admin)"


def test_a_stale_case_change_names_who_changed_the_case(world: World) -> None:
    world.run(case_service.change_concern, world.sam, world.ana_case, "High", expected_version=1)
    with pytest.raises(StaleEdit) as refused:
        world.run(
            case_service.change_status, world.ana, world.ana_case, "Paused", expected_version=1
        )
    assert refused.value.changed_by == "Sam (sam)"
    assert refused.value.current_version == 2
    assert f"case {world.ana_case} was changed by Sam (sam) on 22 Nov 10:00" in str(refused.value)


def test_a_task_finished_by_someone_else_names_who_and_when(world: World) -> None:
    task = world.run(
        task_service.add_task, world.ana, world.ana_case, task_service.TaskInput("Ring GP", "+1w")
    )
    done_at = world.clock.advance(timedelta(minutes=3))
    world.run(task_service.complete_task, world.sam, task.id, expected_version=task.version)
    with pytest.raises(StaleEdit) as refused:
        world.run(task_service.cancel_task, world.ana, task.id, expected_version=task.version)
    assert refused.value.changed_by == "Sam (sam)"
    assert refused.value.changed_at == done_at
    assert refused.value.current_version == task.version + 1
    assert f"task {task.id} was changed by Sam (sam) on 22 Nov 10:03" in str(refused.value)
