"""A stale edit (someone else saved the same note or case first) is refused; nothing changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from casetui.domain.errors import StaleEdit
from casetui.domain.models import CaseNote
from casetui.services import cases as case_service
from casetui.services import notes as note_service

from .conftest import World


def _refused_as_stale(world: World, attempt: Callable[[], Any]) -> None:
    before = world.dump()
    with pytest.raises(StaleEdit):
        attempt()
    assert world.dump() == before


def test_note_edit_with_an_older_version_is_refused(world: World) -> None:
    note = world.note(world.ana, world.ana_case, "First words")
    assert note.version == 1
    world.run(
        note_service.edit_note,
        world.sam,
        note.id,
        note_service.NoteChanges(summary="Supervisor's words"),
        expected_version=1,
    )

    _refused_as_stale(
        world,
        lambda: world.run(
            note_service.edit_note,
            world.ana,
            note.id,
            note_service.NoteChanges(summary="Ana's words"),
            expected_version=1,
        ),
    )
    row = world.read(lambda uow: uow.session.get(CaseNote, note.id))
    assert (row.summary, row.version) == ("Supervisor's words", 2)


def test_note_edit_with_the_current_version_goes_through(world: World) -> None:
    note = world.note(world.ana, world.ana_case, "First words")
    view = world.run(
        note_service.edit_note,
        world.ana,
        note.id,
        note_service.NoteChanges(summary="Second"),
        expected_version=1,
    )
    assert (view.summary, view.version) == ("Second", 2)


def test_note_delete_with_an_older_version_is_refused(world: World) -> None:
    note = world.note(world.ana, world.ana_case, "First words")
    world.run(
        note_service.edit_note, world.sam, note.id, note_service.NoteChanges(summary="Changed")
    )
    _refused_as_stale(
        world, lambda: world.run(note_service.delete_note, world.ana, note.id, expected_version=1)
    )


def _bump_case(world: World) -> None:
    """Someone else changes the case first: its version moves from 1 to 2."""
    world.run(case_service.change_concern, world.sam, world.ana_case, "Medium", expected_version=1)


def test_status_change_with_an_older_version_is_refused(world: World) -> None:
    _bump_case(world)
    _refused_as_stale(
        world,
        lambda: world.run(
            case_service.change_status, world.ana, world.ana_case, "Paused", expected_version=1
        ),
    )
    assert (
        world.run(
            case_service.change_status, world.ana, world.ana_case, "Paused", expected_version=2
        ).status
        == "Paused"
    )


def test_reassign_with_an_older_version_is_refused(world: World) -> None:
    _bump_case(world)
    _refused_as_stale(
        world,
        lambda: world.run(
            case_service.reassign, world.sam, world.ana_case, "ben", expected_version=1
        ),
    )
    assert (
        world.run(
            case_service.reassign, world.sam, world.ana_case, "ben", expected_version=2
        ).worker_username
        == "ben"
    )


def test_concern_change_with_an_older_version_is_refused(world: World) -> None:
    _bump_case(world)
    _refused_as_stale(
        world,
        lambda: world.run(
            case_service.change_concern, world.ana, world.ana_case, "High", expected_version=1
        ),
    )
