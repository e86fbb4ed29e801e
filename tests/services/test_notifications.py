"""Each person's inbox: cases assigned to them, their tasks falling due, marking read (S4).

News reaches exactly the staff assigned to the case (its primary worker and navigators), never
the rest of the team or the supervisor unless assigned, and nothing of closed or inactive
clients unless the organisation says so.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from casetui.domain.actor import Actor
from casetui.domain.enums import NotificationKind
from casetui.domain.errors import NotFound, ValidationError
from casetui.domain.models import AuditEvent, Notification
from casetui.services import cases as case_service
from casetui.services import clients as client_service
from casetui.services import notifications
from casetui.services import settings as settings_service
from casetui.services import tasks as task_service
from casetui.services.cases import CaseChanges, CaseInput
from casetui.services.tasks import TaskInput
from casetui.services.work import writing

from .conftest import World

ASSIGNED = NotificationKind.CASE_ASSIGNED.value
TASK_DUE = NotificationKind.TASK_DUE.value


def everyone(world: World) -> list[Actor]:
    return [world.admin, world.sam, world.ana, world.ben, world.cara, world.audrey, world.olga]


def inboxes(world: World) -> dict[str, list[tuple[str, str | None, str]]]:
    """Everybody's notifications as (kind, case number, text), newest first; empty inboxes left
    out. Read through the service, so the task-due ones are delivered as a reader would see."""
    found: dict[str, list[tuple[str, str | None, str]]] = {}
    for person in everyone(world):
        page = world.run(notifications.inbox, person)
        if page.notifications:
            found[person.username] = [(n.kind, n.case_number, n.text) for n in page.notifications]
    return found


def rows(world: World) -> list[Notification]:
    return list(
        world.read(
            lambda uow: (
                uow.session.execute(select(Notification).order_by(Notification.id)).scalars().all()
            )
        )
    )


# --- a case assigned to you ------------------------------------------------------------------


def test_a_reassigned_case_tells_its_new_worker_and_nobody_else(world: World) -> None:
    world.run(case_service.reassign, world.sam, world.ana_case, "ben")
    assert inboxes(world) == {
        "ben": [(ASSIGNED, world.ana_case, "Assigned to you as primary worker by Sam")]
    }


def test_a_new_navigator_is_told_and_the_case_worker_and_team_are_not(world: World) -> None:
    world.run(case_service.assign_navigator, world.sam, world.ana_case, "olga")
    assert inboxes(world) == {
        "olga": [(ASSIGNED, world.ana_case, "Assigned to you as navigator by Sam")]
    }


def test_a_case_opened_for_someone_else_tells_them(world: World) -> None:
    client_id = world.run(
        client_service.register_client, world.admin, client_service.ClientInput("Nadia Petrova")
    )
    detail = world.run(case_service.open_case, world.admin, CaseInput(client_id, worker="cara"))
    assert inboxes(world) == {
        "cara": [(ASSIGNED, detail.case_number, "Assigned to you as primary worker by Admin")]
    }


def test_registering_a_client_with_a_case_for_someone_else_tells_them(world: World) -> None:
    detail = world.run(
        client_service.register_with_case,
        world.sam,
        client_service.ClientInput("Nadia Petrova"),
        CaseInput(client_id=0, worker="olga"),
    )
    assert inboxes(world) == {
        "olga": [(ASSIGNED, detail.case_number, "Assigned to you as primary worker by Sam")]
    }


def test_nobody_is_told_of_what_they_did_themselves(world: World) -> None:
    client_id = world.run(
        client_service.register_client, world.ana, client_service.ClientInput("Nadia Petrova")
    )
    world.run(case_service.open_case, world.ana, CaseInput(client_id))  # ana's own case
    world.run(case_service.assign_navigator, world.sam, world.ana_case, "sam")
    world.run(case_service.reassign, world.sam, world.olga_case, "sam")
    assert inboxes(world) == {}


def test_one_edit_tells_each_person_it_assigns_once(world: World) -> None:
    world.run(
        case_service.edit_case,
        world.sam,
        world.ana_case,
        CaseChanges(worker="ben", add_navigators=("olga",), status="Paused"),
    )
    assert inboxes(world) == {
        "ben": [(ASSIGNED, world.ana_case, "Assigned to you as primary worker by Sam")],
        "olga": [(ASSIGNED, world.ana_case, "Assigned to you as navigator by Sam")],
    }


def test_a_case_given_back_later_is_news_again(world: World) -> None:
    world.run(case_service.reassign, world.sam, world.ana_case, "ben")
    world.run(case_service.reassign, world.sam, world.ana_case, "ana")
    world.run(case_service.reassign, world.sam, world.ana_case, "ben")
    told = inboxes(world)
    assert [kind for kind, _, _ in told["ben"]] == [ASSIGNED, ASSIGNED]
    assert [kind for kind, _, _ in told["ana"]] == [ASSIGNED]


def test_a_closed_clients_case_tells_nobody_unless_the_organisation_says_so(world: World) -> None:
    changes = client_service.ClientChanges(status="Inactive")
    world.run(client_service.edit_client, world.admin, world.ana_client, changes)
    world.run(case_service.reassign, world.sam, world.ana_case, "ben")
    assert inboxes(world) == {}
    world.run(settings_service.set_setting, world.admin, "notify_closed_clients", "yes")
    world.run(case_service.assign_navigator, world.sam, world.ana_case, "olga")
    assert set(inboxes(world)) == {"olga"}


def test_an_inactive_staff_member_is_not_told(world: World) -> None:
    world.run(case_service.assign_navigator, world.sam, world.ana_case, "olga")
    world.sql("UPDATE staff SET active = :no WHERE username = 'olga'", no=False)
    with writing(world.db, world.sam) as work:
        told = notifications.tell_assigned(
            work, world.case_id(world.ana_case), world.olga.id, "navigator", 99
        )
        work.commit()
    assert told == 0


# --- tasks falling due -------------------------------------------------------------------------


def add_task(world: World, actor: Actor, number: str, due: date, *responsible: str) -> int:
    task = TaskInput(name="Ring the landlord", due=due, responsible=responsible)
    return world.run(task_service.add_task, actor, number, task).id


def due_keys(world: World, person: Actor) -> list[str]:
    world.run(notifications.unread_count, person)
    return [r.event_key for r in rows(world) if r.staff_id == person.id and r.kind == TASK_DUE]


def test_a_task_due_today_is_in_the_inbox_without_any_job_running(
    world: World, today: date
) -> None:
    task_id = add_task(world, world.ana, world.ana_case, today)
    add_task(world, world.ana, world.ana_case, today + timedelta(days=1))  # not yet
    assert world.run(notifications.unread_count, world.ana) == 1
    page = world.run(notifications.inbox, world.ana)
    (shown,) = page.notifications
    assert (shown.kind, shown.case_number, shown.read) == (TASK_DUE, world.ana_case, False)
    assert shown.text == f"Task due today, {today.day} {today:%b %Y}: Ring the landlord"
    assert due_keys(world, world.ana) == [f"task-due:{task_id}:{today.isoformat()}"]


def test_a_task_due_is_delivered_once_and_again_for_a_new_due_date(
    world: World, today: date
) -> None:
    task_id = add_task(world, world.ana, world.ana_case, today - timedelta(days=3))
    for _ in range(3):
        assert world.run(notifications.unread_count, world.ana) == 1
    assert world.run(notifications.deliver_due_tasks, world.ana) == 0
    # Snoozed to tomorrow: nothing new today...
    world.sql("UPDATE follow_up_task SET due_on = :day WHERE id = :id",
              day=today + timedelta(days=1), id=task_id)  # fmt: skip
    assert world.run(notifications.unread_count, world.ana) == 1
    # ...and news again once tomorrow comes.
    world.clock.advance(timedelta(days=1))
    assert world.run(notifications.unread_count, world.ana) == 2
    texts = [n.text for n in world.run(notifications.inbox, world.ana).notifications]
    assert texts[0].startswith("Task due today") and texts[1].startswith("Task overdue, due")


def test_a_task_due_reaches_its_responsible_staff_on_the_case_only(
    world: World, today: date
) -> None:
    # ben's case: ben the worker, ana a navigator. A task for ana alone tells ana alone.
    add_task(world, world.ben, world.ben_case, today, "ana")
    # Both of them responsible: both told.
    add_task(world, world.ben, world.ben_case, today, "ana", "ben")
    told = inboxes(world)
    assert set(told) == {"ana", "ben"}
    assert len(told["ana"]) == 2 and len(told["ben"]) == 1


def test_a_task_nobody_on_the_case_holds_is_the_case_workers(world: World, today: date) -> None:
    # sam is responsible but is not assigned to ana's case: the case's own worker is told.
    add_task(world, world.sam, world.ana_case, today, "sam")
    # So for ana on olga's case: that ana is a navigator elsewhere (ben's case) does not count.
    add_task(world, world.sam, world.olga_case, today, "ana")
    # A task naming nobody at all (written before responsibility was kept) likewise.
    nobody = add_task(world, world.ana, world.ana_case, today)
    world.sql("DELETE FROM task_responsible WHERE task_id = :id", id=nobody)
    told = inboxes(world)
    assert set(told) == {"ana", "olga"} and len(told["ana"]) == 2 and len(told["olga"]) == 1


def test_finished_tasks_and_closed_clients_tasks_are_not_news(world: World, today: date) -> None:
    done = add_task(world, world.ana, world.ana_case, today)
    world.run(task_service.complete_task, world.ana, done)
    add_task(world, world.ben, world.ben_case, today, "ben")
    changes = client_service.ClientChanges(status="Closed")
    world.run(client_service.edit_client, world.admin, world.ben_client, changes)
    assert inboxes(world) == {}
    world.run(settings_service.set_setting, world.admin, "notify_closed_clients", "yes")
    assert set(inboxes(world)) == {"ben"}


def test_reading_an_inbox_with_nothing_new_writes_nothing(world: World, today: date) -> None:
    add_task(world, world.ana, world.ana_case, today)
    world.run(notifications.unread_count, world.ana)
    before = world.dump()
    world.run(notifications.unread_count, world.ana)
    world.run(notifications.inbox, world.ana)
    assert world.dump() == before


# --- reading and marking read ----------------------------------------------------------------------


def three_for_ana(world: World) -> list[int]:
    world.run(case_service.reassign, world.sam, world.ben_case, "olga")  # ana stays navigator
    world.run(case_service.reassign, world.sam, world.olga_case, "ana")
    world.run(case_service.assign_navigator, world.sam, world.olga_case, "ben")
    world.run(case_service.reassign, world.sam, world.ben_case, "ana")
    world.run(case_service.assign_navigator, world.admin, world.cara_case, "ana")
    return [n.id for n in world.run(notifications.inbox, world.ana).notifications]


def test_the_inbox_is_newest_first_and_pages_on(world: World) -> None:
    ids = three_for_ana(world)
    assert len(ids) == 3 and ids == sorted(ids, reverse=True)
    first = world.run(notifications.inbox, world.ana, limit=2)
    assert [n.id for n in first.notifications] == ids[:2]
    assert (first.total, first.unread) == (3, 3)
    rest = world.run(notifications.inbox, world.ana, before=ids[1], limit=2)
    assert [n.id for n in rest.notifications] == ids[2:]
    numbers = [n.case_number for n in world.run(notifications.inbox, world.ana).notifications]
    assert numbers == [world.cara_case, world.ben_case, world.olga_case]


def test_marking_read_one_by_one_and_all(world: World) -> None:
    ids = three_for_ana(world)
    assert world.run(notifications.mark_read, world.ana, [ids[1]]) == 1
    assert world.run(notifications.mark_read, world.ana, [ids[1]]) == 0  # already read
    page = world.run(notifications.inbox, world.ana)
    assert [n.read for n in page.notifications] == [False, True, False]
    assert world.run(notifications.unread_count, world.ana) == 2
    unread = world.run(notifications.inbox, world.ana, unread_only=True)
    assert [n.id for n in unread.notifications] == [ids[0], ids[2]] and unread.total == 2
    assert world.run(notifications.mark_all_read, world.ana) == 2
    assert world.run(notifications.unread_count, world.ana) == 0
    audits = [e for e in world.audit_events() if e.action == "notification.read"]
    assert [json.loads(e.after or "{}") for e in audits] == [
        {"ids": [ids[1]], "newly_read": 1},
        {"ids": [ids[1]], "newly_read": 0},
        {"all": True, "newly_read": 2},
    ]


def test_nobody_marks_another_persons_notifications(world: World) -> None:
    ids = three_for_ana(world)
    bens = [n.id for n in world.run(notifications.inbox, world.ben).notifications]
    before = world.dump()
    for attempt in ([bens[0]], [ids[0], bens[0]], [10**20], [-1]):
        with pytest.raises(NotFound, match="in your inbox"):
            world.run(notifications.mark_read, world.ana, attempt)
    with pytest.raises(NotFound):
        world.run(notifications.open_notification, world.ana, bens[0])
    with pytest.raises(ValidationError):
        world.run(notifications.mark_read, world.ana, [])
    assert world.dump() == before
    # Marking all of one's own read leaves everyone else's as it was.
    world.run(notifications.mark_all_read, world.ben)
    assert world.run(notifications.unread_count, world.ana) == 3


def test_opening_a_notification_marks_it_read_and_gives_its_case(world: World) -> None:
    ids = three_for_ana(world)
    case_id = world.run(notifications.open_notification, world.ana, ids[0])
    assert case_id == world.case_id(world.cara_case)
    assert world.run(notifications.unread_count, world.ana) == 2
    # A case since taken away: the notification is read, the case is not opened.
    world.run(case_service.unassign_navigator, world.admin, world.cara_case, "ana")
    with pytest.raises(NotFound, match="no longer one you can see"):
        world.run(notifications.open_notification, world.ana, ids[0])


def test_a_listing_for_scripts_is_an_export(world: World) -> None:
    three_for_ana(world)
    world.run(notifications.inbox, world.ana, limit=None, unread_only=True, export=True)
    event = world.read(
        lambda uow: (
            uow.session.execute(select(AuditEvent).order_by(AuditEvent.id.desc()))  # type: ignore[attr-defined]
            .scalars()
            .first()
        )
    )
    assert (event.action, event.entity, event.actor_id) == ("export", "notifications", world.ana.id)
    assert json.loads(event.after or "{}") == {"rows": 3, "unread": True}
