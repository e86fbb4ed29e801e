"""A caseworker's day on SQLite and PostgreSQL: a pathway's tasks (kept by administrators, made
when a case opens on the pathway), Today's lines and their order, snoozing a task, and the
missing-data list per worker."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from casetui.domain.caseworker_day import MissingReason, TodayKind
from casetui.domain.errors import PermissionDenied, RuleError, StaleEdit, ValidationError
from casetui.domain.models import CaseNote, FollowUpTask, NoteSignoff, TaskResponsible
from casetui.services import cases as case_service
from casetui.services import clients as client_service
from casetui.services import communications as comms
from casetui.services import missing_data, tasks
from casetui.services import pathway_tasks as templates
from casetui.services.today import today_list

from .conftest import World


def _housing(world: World, *tasks_: tuple[str, int]) -> None:
    for name, days in tasks_:
        world.run(templates.add_pathway_task, world.admin, "Housing Support", name, days)


def _tasks_of(world: World, number: str) -> list[tuple[str, date, list[int], int]]:
    case_id = world.case_id(number)

    def read(uow: Any) -> list[tuple[str, date, list[int], int]]:
        rows = uow.session.execute(
            select(FollowUpTask).where(FollowUpTask.case_id == case_id).order_by(FollowUpTask.id)
        ).scalars()
        return [
            (
                t.name,
                t.due_on,
                list(
                    uow.session.execute(
                        select(TaskResponsible.staff_id).where(TaskResponsible.task_id == t.id)
                    ).scalars()
                ),
                t.created_by_id,
            )
            for t in rows
        ]

    return world.read(read)


def _open(world: World, actor: Any, **case: Any) -> str:
    client_id = world.run(
        client_service.register_client, actor, client_service.ClientInput("Dana Whitfield")
    )
    detail = world.run(
        case_service.open_case, actor, case_service.CaseInput(client_id=client_id, **case)
    )
    return detail.case_number


# --- a pathway's tasks ---------------------------------------------------------------------------


def test_an_administrator_keeps_a_pathways_tasks_in_order_and_audited(world: World) -> None:
    _housing(world, ("Check the tenancy", 3), ("Visit the home", 7), ("Review rent arrears", 14))
    found = world.run(templates.pathway_tasks, world.admin, "housing support")
    assert [(t.name, t.due_after_days, t.position) for t in found] == [
        ("Check the tenancy", 3, 0), ("Visit the home", 7, 1), ("Review rent arrears", 14, 2),
    ]  # fmt: skip
    visit = found[1]
    edited = world.run(
        templates.edit_pathway_task, world.admin, visit.id, name="Home visit", due_after_days=10,
        expected_version=visit.version,
    )  # fmt: skip
    assert (edited.name, edited.due_after_days) == ("Home visit", 10)
    with pytest.raises(StaleEdit):
        world.run(
            templates.edit_pathway_task, world.admin, visit.id, name="Stale",
            expected_version=visit.version,
        )  # fmt: skip
    moved = world.run(templates.move_pathway_task, world.admin, found[2].id, -2)
    assert [t.name for t in moved] == ["Review rent arrears", "Check the tenancy", "Home visit"]
    left = world.run(templates.remove_pathway_task, world.admin, found[0].id)
    assert [(t.name, t.position) for t in left] == [("Review rent arrears", 0), ("Home visit", 1)]
    actions = [e.action for e in world.audit_events() if e.entity == "pathway_task"]
    assert actions == ["pathway_task.add"] * 3 + [
        "pathway_task.edit", "pathway_task.move", "pathway_task.remove",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("pathway", "name", "days", "field"),
    [
        ("Nowhere", "Call", 3, "pathway"),
        ("Housing Support", "", 3, "task name"),
        ("Housing Support", "Call", -1, "due after days"),
        ("Housing Support", "Call", 731, "due after days"),
        ("Housing Support", "Call", "soon", "due after days"),
    ],
)
def test_a_pathway_task_is_refused_by_field(
    world: World, pathway: str, name: str, days: Any, field: str
) -> None:
    before = world.dump()
    with pytest.raises(ValidationError) as refused:
        world.run(templates.add_pathway_task, world.admin, pathway, name, days)
    assert field in str(refused.value)
    assert world.dump() == before


def test_opening_a_case_on_a_pathway_makes_its_tasks_for_the_cases_worker(
    world: World, today: date
) -> None:
    _housing(world, ("Check the tenancy", 3), ("Visit the home", 0))
    # A supervisor opens it for olga: the tasks are olga's, written by the supervisor.
    number = _open(world, world.sam, worker="olga", pathway="Housing Support")
    assert _tasks_of(world, number) == [
        ("Check the tenancy", today + timedelta(days=3), [world.olga.id], world.sam.id),
        ("Visit the home", today, [world.olga.id], world.sam.id),
    ]
    shown = world.run(case_service.show_case, world.admin, number)
    assert world.read(lambda uow: _next_due(uow, shown.id)) == today
    added = [e for e in world.audit_events() if e.action == "task.add"]
    assert len(added) == 2


def _next_due(uow: Any, case_id: int) -> date | None:
    from casetui.domain.models import Case

    return uow.session.get(Case, case_id).next_task_due


def test_a_case_brought_in_with_an_earlier_opening_day_has_its_tasks_due_from_then(
    world: World, today: date
) -> None:
    _housing(world, ("Check the tenancy", 3))
    opened = today - timedelta(days=10)
    number = _open(world, world.ana, pathway="Housing Support", opened_on=opened)
    assert [due for _, due, _, _ in _tasks_of(world, number)] == [opened + timedelta(days=3)]


def test_no_tasks_without_a_pathway_or_for_a_closed_case(world: World) -> None:
    _housing(world, ("Check the tenancy", 3))
    assert _tasks_of(world, _open(world, world.ana)) == []
    assert _tasks_of(world, _open(world, world.ana, pathway="Mental Health")) == []
    closed = _open(world, world.ana, pathway="Housing Support", status="Closed")
    assert _tasks_of(world, closed) == []


def test_a_refused_case_leaves_no_tasks_behind(world: World) -> None:
    _housing(world, ("Check the tenancy", 3))
    before = world.dump()
    with pytest.raises(PermissionDenied):
        # ana may not open a case for cara: nothing of it, its tasks included, is written.
        world.run(
            case_service.open_case, world.ana,
            case_service.CaseInput(client_id=world.ana_client, worker="cara",
                                   pathway="Housing Support"),
        )  # fmt: skip
    assert world.dump() == before


# --- Today --------------------------------------------------------------------------------------


def _task(world: World, actor: Any, number: str, name: str, due: str, *who: str) -> int:
    item = tasks.TaskInput(name=name, due=due, responsible=who)
    return world.run(tasks.add_task, actor, number, item).id


def test_today_lists_my_due_tasks_quiet_cases_failed_reminders_and_sign_offs(
    world: World,
) -> None:
    overdue = _task(world, world.ana, world.ana_case, "Chase the landlord", "2026-11-19")
    due = _task(world, world.ana, world.ana_case, "Call back", "2026-11-22")
    _task(world, world.ana, world.ana_case, "Next week", "2026-11-29")
    # Naming nobody still on the case (ben cannot see it): the primary worker's, as in the inbox.
    orphan = _task(world, world.ana, world.ana_case, "Ben's", "2026-11-20", "ben")
    navigating = _task(world, world.admin, world.ben_case, "On ben's case", "2026-11-21", "ana")
    bens = _task(world, world.admin, world.ben_case, "Ben's own", "2026-11-21", "ben")
    listed = world.run(today_list, world.ana)
    assert [(i.kind, i.id, i.due_on.isoformat()) for i in listed.items] == [
        (TodayKind.TASK, overdue, "2026-11-19"),
        (TodayKind.TASK, orphan, "2026-11-20"),
        (TodayKind.TASK, navigating, "2026-11-21"),
        (TodayKind.TASK, due, "2026-11-22"),
    ]
    assert listed.items[0].overdue(listed.today) and not listed.items[3].overdue(listed.today)
    assert listed.items[0].case_number == world.ana_case
    assert listed.items[0].client_name == "Amal Haddad"
    assert [i.id for i in world.run(today_list, world.ben).items] == [bens]


def test_a_case_with_no_contact_for_longer_than_the_stale_days_is_on_today(
    world: World,
) -> None:
    world.clock.advance(timedelta(days=31))  # the cases opened 31 days ago, never contacted
    items = world.run(today_list, world.ana).items
    assert [(i.kind, i.case_number, i.title) for i in items] == [
        (TodayKind.STALE_CASE, world.ana_case, "No contact since it opened 31 days ago"),
    ]
    world.note(world.ana, world.ana_case, contact_date="-5d")
    assert world.run(today_list, world.ana).items == ()
    world.clock.advance(timedelta(days=27))  # that contact is now 32 days ago
    (quiet,) = world.run(today_list, world.ana).items
    assert (quiet.title, quiet.due_on) == (
        "No contact for 32 days",
        world.clock().date() - timedelta(days=2),
    )


def test_a_failed_reminder_on_my_case_is_on_today(world: World) -> None:
    world.run(
        client_service.edit_client, world.admin, world.ana_client,
        client_service.ClientChanges(email="amal@example.org"),
    )  # fmt: skip
    item = comms.CommunicationInput(kind="reminder", subject="Appointment", send_on="today")
    reminder = world.run(comms.add_communication, world.ana, world.ana_case, item).id
    assert world.run(today_list, world.ana).items == ()
    world.sql("UPDATE communication SET reminder_state = 'failed' WHERE id = :id", id=reminder)
    (failed,) = world.run(today_list, world.ana).items
    assert (failed.kind, failed.id, failed.title) == (
        TodayKind.FAILED_REMINDER,
        reminder,
        "Appointment",
    )
    assert world.run(today_list, world.cara).items == ()


def _signoff(world: World, note_id: int, state: str = "requested") -> None:
    with world.db.uow() as uow:
        note = uow.session.get(CaseNote, note_id)
        assert note is not None
        uow.session.add(
            NoteSignoff(note_id=note_id, state=state, requested_by_id=note.author_id,
                        requested_at=uow.now())
        )  # fmt: skip
        uow.commit()


def test_notes_waiting_for_my_sign_off_are_on_a_supervisors_today(world: World) -> None:
    anas = world.note(world.ana, world.ana_case, "Home visit with the family").id
    _signoff(world, anas)
    _signoff(world, world.note(world.sam, world.ben_case, "Sam's own").id)
    _signoff(world, world.note(world.ben, world.ben_case, "Signed already").id, "approved")
    _signoff(world, world.note(world.cara, world.cara_case, "Another team").id)
    items = world.run(today_list, world.sam).items
    assert [(i.kind, i.id, i.title) for i in items] == [
        (TodayKind.SIGNOFF, anas, "Home visit with the family")
    ]
    assert world.run(today_list, world.ana).items == ()


def test_an_administrator_s_today_has_the_notes_no_supervisor_is_asked_to_sign_off(
    world: World,
) -> None:
    """South has no supervisor, so its notes go to the administrators (as their notifications
    do); North's go to sam, and a note of sam's own to the administrators too."""
    _signoff(world, world.note(world.ana, world.ana_case, "North: sam decides").id)
    souths = world.note(world.cara, world.cara_case, "South has no supervisor").id
    _signoff(world, souths)
    sams = world.note(world.sam, world.ben_case, "Sam's own").id
    _signoff(world, sams)
    items = world.run(today_list, world.admin).items
    assert sorted((i.kind, i.id) for i in items) == sorted(
        [(TodayKind.SIGNOFF, souths), (TodayKind.SIGNOFF, sams)]
    )
    assert world.run(today_list, world.audrey).items == (), "auditors decide nothing"


def test_today_puts_the_oldest_first_whatever_its_kind(world: World) -> None:
    world.clock.advance(timedelta(days=40))
    task = _task(world, world.ana, world.ana_case, "Old task", "2026-12-01")
    items = world.run(today_list, world.ana).items
    # The case fell quiet on 22 December (opened 22 November, 30 stale days); the task was due
    # on 1 December.
    assert [(i.kind, i.due_on.isoformat()) for i in items] == [
        (TodayKind.TASK, "2026-12-01"), (TodayKind.STALE_CASE, "2026-12-22"),
    ]  # fmt: skip
    assert items[0].id == task


def test_snoozing_a_task_moves_it_off_today_and_is_audited(world: World, today: date) -> None:
    task_id = _task(world, world.ana, world.ana_case, "Call back", "2026-11-19")
    (item,) = world.run(today_list, world.ana).items
    snoozed = world.run(tasks.snooze_task, world.ana, task_id, 1, expected_version=item.version)
    assert snoozed.due_on == today + timedelta(days=1)
    assert world.run(today_list, world.ana).items == ()
    shown = world.run(case_service.show_case, world.ana, world.ana_case)
    assert world.read(lambda uow: _next_due(uow, shown.id)) == today + timedelta(days=1)
    (event,) = [e for e in world.audit_events() if e.action == "task.snooze"]
    assert '"2026-11-19"' in (event.before or "") and '"2026-11-23"' in (event.after or "")
    with pytest.raises(StaleEdit):
        world.run(tasks.snooze_task, world.ana, task_id, 3, expected_version=item.version)
    world.run(tasks.complete_task, world.ana, task_id)
    with pytest.raises(RuleError):
        world.run(tasks.snooze_task, world.ana, task_id, 3)
    with pytest.raises(ValidationError):
        world.run(tasks.snooze_task, world.ana, task_id, 0)


# --- missing data -------------------------------------------------------------------------------


def _counts(world: World, actor: Any, worker: str | None = None) -> dict[str, int]:
    found = world.run(missing_data.missing_data, actor, worker)
    return {reason.value: n for reason, n in found.counts.items()}


def test_missing_data_counts_each_reason_and_clears_as_the_data_arrives(world: World) -> None:
    assert _counts(world, world.ana) == {
        "no_pathway": 1, "no_recent_note": 0, "no_open_task": 1, "no_concern_review": 0,
        "no_contact_details": 1,
    }  # fmt: skip
    world.clock.advance(timedelta(days=31))  # older than the stale period now
    assert _counts(world, world.ana)["no_recent_note"] == 1
    assert _counts(world, world.ana)["no_concern_review"] == 1
    world.note(world.ana, world.ana_case)
    world.run(case_service.change_concern, world.ana, world.ana_case, "Medium")
    world.run(
        case_service.edit_case, world.ana, world.ana_case,
        case_service.CaseChanges(pathway="Mental Health"),
    )  # fmt: skip
    _task(world, world.ana, world.ana_case, "Call back", "+3d")
    world.run(
        client_service.edit_client, world.ana, world.ana_client,
        client_service.ClientChanges(phone="07700 900123"),
    )  # fmt: skip
    assert set(_counts(world, world.ana).values()) == {0}
    found = world.run(missing_data.missing_data, world.ana)
    assert found.lines == ()


def test_missing_data_lines_name_the_case_client_and_worker(world: World) -> None:
    found = world.run(missing_data.missing_data, world.sam)
    no_pathway = [(line.case_number, line.worker) for line in found.lines
                  if line.reason is MissingReason.NO_PATHWAY]  # fmt: skip
    assert no_pathway == [
        (world.ana_case, "ana"),
        (world.ben_case, "ben"),
        (world.olga_case, "olga"),
    ]
    contact = [line for line in found.lines if line.reason is MissingReason.NO_CONTACT_DETAILS]
    assert [(line.client_id, line.client_name) for line in contact][0] == (
        world.ana_client, "Amal Haddad",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("username", "worker", "no_pathway"),
    [
        ("ana", None, 1), ("ana", "ana", 1), ("sam", None, 3), ("sam", "ben", 1),
        ("admin", None, 4), ("admin", "cara", 1), ("audrey", None, 4),
    ],
)  # fmt: skip
def test_missing_data_reads_ones_own_a_teams_or_everyones(
    world: World, username: str, worker: str | None, no_pathway: int
) -> None:
    assert _counts(world, getattr(world, username), worker)["no_pathway"] == no_pathway


@pytest.mark.parametrize(
    ("username", "worker", "refusal"),
    [
        ("ana", "ben", PermissionDenied), ("sam", "cara", PermissionDenied),
        ("admin", "nobody", ValidationError), ("admin", "audrey", ValidationError),
    ],
)  # fmt: skip
def test_missing_data_of_someone_out_of_reach_is_refused(
    world: World, username: str, worker: str, refusal: type[Exception]
) -> None:
    with pytest.raises(refusal):
        world.run(missing_data.missing_data, getattr(world, username), worker)


def test_the_worker_picker_offers_whom_one_may_read(world: World) -> None:
    def names(actor: Any) -> list[str]:
        return sorted(s.username for s in world.run(missing_data.missing_data_workers, actor))

    assert names(world.ana) == ["ana"]
    assert names(world.sam) == ["ana", "ben", "olga", "sam"]
    assert names(world.admin) == ["admin", "ana", "ben", "cara", "olga", "sam"]
