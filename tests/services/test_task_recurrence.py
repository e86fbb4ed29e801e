"""Completing a repeating task creates its next occurrence (dateutil's rrule), same people."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from dateutil.rrule import DAILY, MONTHLY, WEEKLY, rrule, rrulestr
from sqlalchemy import event, select

from casetui.domain.errors import RuleError
from casetui.domain.models import FollowUpTask
from casetui.services import tasks as task_service
from casetui.services.tasks import TaskInput

from .conftest import World


def _after(rule: rrule, due: date) -> date:
    start = datetime.combine(due, time())
    return rule.replace(dtstart=start).after(start).date()


def _rrule_after(text: str, due: date) -> date:
    start = datetime.combine(due, time())
    return rrulestr(text, dtstart=start).after(start).date()


WED = date(2026, 11, 25)
THU = date(2026, 11, 26)
DEC_1 = date(2026, 12, 1)
START = datetime(2026, 1, 1)

CASES = [
    pytest.param("daily", None, WED, _after(rrule(DAILY, dtstart=START), WED), id="daily"),
    pytest.param("weekly", None, WED, _after(rrule(WEEKLY, dtstart=START), WED), id="weekly"),
    pytest.param(
        "fortnightly",
        None,
        WED,
        _after(rrule(WEEKLY, interval=2, dtstart=START), WED),
        id="fortnightly",
    ),
    pytest.param(
        "monthly",
        None,
        date(2026, 11, 15),
        _after(rrule(MONTHLY, dtstart=START), date(2026, 11, 15)),
        id="monthly",
    ),
    pytest.param(
        "custom",
        "FREQ=WEEKLY;BYDAY=MO,TH",
        THU,
        _rrule_after("FREQ=WEEKLY;BYDAY=MO,TH", THU),
        id="rrule-mon-thu",
    ),
    pytest.param(
        "custom",
        "RRULE:FREQ=MONTHLY;BYMONTHDAY=1",
        DEC_1,
        _rrule_after("FREQ=MONTHLY;BYMONTHDAY=1", DEC_1),
        id="rrule-first-of-month",
    ),
]


def _task_rows(world: World) -> list[FollowUpTask]:
    return list(
        world.read(
            lambda uow: (
                uow.session.execute(select(FollowUpTask).order_by(FollowUpTask.id)).scalars().all()
            )
        )
    )


@pytest.mark.parametrize(("repeats", "rule", "due", "expected_next"), CASES)
def test_completing_a_repeating_task_creates_the_next_occurrence(
    world: World, repeats: str, rule: str | None, due: date, expected_next: date
) -> None:
    task = world.run(
        task_service.add_task, world.ana, world.ana_case,
        TaskInput(name="Check in", due=due, repeats=repeats, rrule=rule, responsible=("ana", "sam"), details="Ask about rent"),
    )  # fmt: skip
    done, following = world.run(task_service.complete_task, world.ana, task.id)

    assert done.status == "done" and done.completed_at == world.clock()
    assert following is not None
    assert following.due_on == expected_next
    assert (following.name, following.details, following.status) == (
        "Check in",
        "Ask about rent",
        "open",
    )
    assert following.responsible == ("ana", "sam")
    assert following.repeats == task.repeats and following.rrule == task.rrule
    first, second = _task_rows(world)
    assert (first.id, first.status) == (task.id, "done")
    assert (second.id, second.previous_task_id, second.case_id) == (
        following.id,
        task.id,
        first.case_id,
    )


def test_monthly_task_due_on_the_31st_moves_to_the_end_of_the_next_month(world: World) -> None:
    task = world.run(
        task_service.add_task,
        world.ana,
        world.ana_case,
        TaskInput(name="Rent review", due=date(2027, 1, 31), repeats="monthly"),
    )
    _, following = world.run(task_service.complete_task, world.ana, task.id)
    assert following is not None and following.due_on == date(2027, 2, 28)


def test_completing_a_one_off_task_creates_nothing_more(world: World) -> None:
    task = world.run(
        task_service.add_task,
        world.ana,
        world.ana_case,
        TaskInput(name="Book interpreter", due=WED),
    )
    done, following = world.run(task_service.complete_task, world.ana, task.id)
    assert following is None
    assert [(t.id, t.status) for t in _task_rows(world)] == [(task.id, "done")]


def test_a_rule_that_has_run_out_creates_nothing_more(world: World) -> None:
    task = world.run(
        task_service.add_task,
        world.ana,
        world.ana_case,
        TaskInput(name="Once", due=WED, repeats="custom", rrule="FREQ=DAILY;COUNT=1"),
    )
    _, following = world.run(task_service.complete_task, world.ana, task.id)
    assert following is None and len(_task_rows(world)) == 1


@pytest.mark.parametrize("repeats", ["none", "weekly"])
def test_completing_a_task_twice_is_refused(world: World, repeats: str) -> None:
    task = world.run(
        task_service.add_task,
        world.ana,
        world.ana_case,
        TaskInput(name="Call back", due=WED, repeats=repeats),
    )
    world.run(task_service.complete_task, world.ana, task.id)
    before = world.dump()
    with pytest.raises(RuleError):
        world.run(task_service.complete_task, world.ana, task.id)
    assert world.dump() == before


def _next_due_on_case(world: World) -> date | None:
    from casetui.repositories.cases import CaseRepository

    return world.read(
        lambda uow: (
            CaseRepository(uow.session, world.ana).get_by_number(world.ana_case).next_task_due
        )
    )


def test_the_case_keeps_its_earliest_open_task_due_date(world: World) -> None:
    assert _next_due_on_case(world) is None
    later = world.run(
        task_service.add_task, world.ana, world.ana_case, TaskInput(name="Later", due=DEC_1)
    )
    assert _next_due_on_case(world) == DEC_1
    sooner = world.run(
        task_service.add_task,
        world.ana,
        world.ana_case,
        TaskInput(name="Sooner", due=WED, repeats="weekly"),
    )
    assert _next_due_on_case(world) == WED
    _, following = world.run(task_service.complete_task, world.ana, sooner.id)
    # The next weekly occurrence (2 December) falls after the other open task (1 December).
    assert following is not None and following.due_on == date(2026, 12, 2)
    assert _next_due_on_case(world) == DEC_1
    world.run(task_service.complete_task, world.ana, later.id)
    assert _next_due_on_case(world) == date(2026, 12, 2)
    world.run(task_service.cancel_task, world.ana, following.id)
    assert _next_due_on_case(world) is None


def test_completing_a_repeating_task_refreshes_the_case_once_and_reads_both_tasks_once(
    world: World,
) -> None:
    """The save people make most under load after a note: no statement twice for one answer."""
    task = world.run(
        task_service.add_task, world.ana, world.ana_case,
        TaskInput(name="Check in", due=WED, repeats="weekly", responsible=("ana",)),
    )  # fmt: skip
    seen: list[str] = []

    def note(*args: object) -> None:
        seen.append(" ".join(str(args[2]).split()).lower())

    event.listen(world.db.engine, "before_cursor_execute", note)
    try:
        done, following = world.run(task_service.complete_task, world.ana, task.id)
    finally:
        event.remove(world.db.engine, "before_cursor_execute", note)
    assert following is not None and (done.status, following.status) == ("done", "open")
    assert len([s for s in seen if s.startswith("update cases set next_task_due")]) == 1
    # The tasks' read models are the one read ordered by due date (the scoped get is not).
    views = [s for s in seen if s.startswith("select follow_up_task.id") and "order by" in s]
    assert len(views) == 1
