"""A long timeline is read a page at a time: the pages put together are the whole timeline.

Entries of different kinds often share a moment (a note and the task written with it), so
the keyset has to order ties the same way in SQL as in Python, in both directions.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from casetui.repositories.timeline import TimelineEntry, TimelineRepository
from casetui.services import cases as case_service
from casetui.services import notes as note_service
from casetui.services import timeline as timeline_service
from casetui.services.tasks import TaskInput, add_task

from .conftest import World


def case_id_of(world: World, number: str) -> int:
    from casetui.repositories.cases import CaseRepository

    return world.read(lambda uow: CaseRepository(uow.session, world.admin).get_by_number(number).id)


def grow(world: World) -> int:
    """Notes, tasks and changes on ana's case, many of them at the same moment."""
    number = world.ana_case
    for round_ in range(4):
        for i in range(3):
            world.run(
                note_service.add_note, world.ana, number,
                note_service.NoteInput(summary=f"round {round_} note {i}", activity_type="Phone call"),
            )  # fmt: skip
            world.run(add_task, world.ana, number, TaskInput(name=f"task {round_}.{i}", due="+1w"))
        world.run(case_service.change_concern, world.ana, number, ("High", "Low")[round_ % 2])
        world.clock.advance(timedelta(minutes=1))
    return case_id_of(world, number)


def read_in_pages(
    world: World, case_id: int, *, newest_first: bool, size: int
) -> list[TimelineEntry]:
    def read(uow):  # type: ignore[no-untyped-def]
        repository = TimelineRepository(uow.session, world.ana)
        found = repository.entries(case_id, newest_first=newest_first, limit=size)
        while len(found) % size == 0 and found:
            more = repository.entries(
                case_id, newest_first=newest_first, limit=size, after=found[-1]
            )
            if not more:
                break
            found += more
        return found

    return world.read(read)


@pytest.mark.parametrize("size", [1, 4, 7])
@pytest.mark.parametrize("newest_first", [True, False], ids=["newest first", "oldest first"])
def test_pages_put_together_are_the_whole_timeline(
    world: World, newest_first: bool, size: int
) -> None:
    case_id = grow(world)
    whole = world.read(lambda uow: TimelineRepository(uow.session, world.ana).entries(case_id))
    assert len(whole) >= 28
    expected = whole if newest_first else list(reversed(whole))
    assert read_in_pages(world, case_id, newest_first=newest_first, size=size) == expected


def test_opening_reads_the_first_page_and_counts_the_rest(world: World) -> None:
    case_id = grow(world)
    opened = timeline_service.load_timeline(world.db, world.ana, case_id, at_least=10)
    whole = world.read(lambda uow: TimelineRepository(uow.session, world.ana).entries(case_id))
    assert opened.entries == whole[:10]
    assert opened.total == len(whole)
    rest = timeline_service.more_entries(
        world.db, world.ana, case_id, opened.entries[-1], limit=len(whole)
    )
    assert opened.entries + rest == whole


def test_a_case_out_of_sight_has_no_pages_and_no_count(world: World) -> None:
    case_id = grow(world)

    def as_cara(uow):  # type: ignore[no-untyped-def]
        repository = TimelineRepository(uow.session, world.cara)
        return repository.entries(case_id, limit=5), repository.count(case_id)

    assert world.read(as_cara) == ([], 0)
