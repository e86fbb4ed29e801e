"""Notifications: news of a case for the staff assigned to it (S4), and each person's inbox.

``notify_case`` is called by the service that made the news, in its own transaction, so a
notification exists exactly when what it tells of was saved. Tasks falling due are the one
event nobody's write makes: reading an inbox (or its unread count) first tells its owner of
their tasks due today or overdue, so no job has to run for them to appear.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from casetui.domain.actor import Actor
from casetui.domain.enums import NotificationKind
from casetui.domain.errors import NotFound, ValidationError
from casetui.domain.read_models.inbox import InboxPage
from casetui.repositories import notifications as inboxes
from casetui.repositories.notifications import DueTask, Inbox, task_due_key
from casetui.services import audit
from casetui.services.exports import exported
from casetui.services.work import Database, Work, reading, writing

TEXT_MAX = 500
PAGE = 200  # notifications read at a time by the inbox screen


def notify_case(
    work: Work,
    case_id: int,
    kind: NotificationKind,
    text: str,
    event_key: str,
    *,
    also: frozenset[int] = frozenset(),
    not_to: int | None = None,
    only: frozenset[int] | None = None,
) -> int:
    """Tell the case's primary worker and navigators (and ``also``, staff the event names, such
    as a newly assigned navigator) what happened. ``not_to``: whoever did it, who need not be
    told. ``only``: news for some of them alone (a case assigned to one person). Nobody hears
    of a closed or inactive client's case unless the organisation says so.
    Returns how many people were told for the first time."""
    closed_too = work.settings.notify_closed_clients
    assigned = inboxes.case_recipients(work.session, case_id, closed_clients_too=closed_too)
    if assigned is None:
        return 0
    told = (assigned | also) - {not_to}
    if only is not None:
        told &= only
    return inboxes.deliver(
        work.session,
        (staff_id for staff_id in told if staff_id is not None),
        kind=kind.value,
        case_id=case_id,
        event_key=event_key[:120],
        text=_one_line(text)[:TEXT_MAX],
        at=work.now(),
    )


def tell(
    work: Work,
    staff_ids: Iterable[int],
    case_id: int | None,
    kind: NotificationKind,
    text: str,
    event_key: str,
) -> int:
    """News for the people named, whatever their place on the case: a note waiting for a
    supervisor's sign-off, a note returned to its author. Returns how many were told."""
    return inboxes.deliver(
        work.session,
        staff_ids,
        kind=kind.value,
        case_id=case_id,
        event_key=event_key[:120],
        text=_one_line(text)[:TEXT_MAX],
        at=work.now(),
    )


def tell_assigned(work: Work, case_id: int, staff_id: int, as_what: str, version: int) -> int:
    """A case given to ``staff_id`` (as primary worker or navigator) by the acting person: the
    one it was given to is told, unless they gave it to themselves. ``version``: the case's,
    after the change, so being given the same case again later is news again."""
    actor = work.actor
    return notify_case(
        work,
        case_id,
        NotificationKind.CASE_ASSIGNED,
        f"Assigned to you as {as_what} by {actor.display_name}",
        f"case-assigned:{case_id}:{staff_id}:{version}",
        only=frozenset({staff_id}),
        not_to=actor.id,
    )


def _one_line(text: str) -> str:
    """A notification is one line in an inbox: user text's line breaks become spaces."""
    return " ".join(text.split())


# --- tasks falling due ---------------------------------------------------------------------------


def _due_text(task: DueTask, today: date) -> str:
    day = f"{task.due_on.day} {task.due_on:%b %Y}"
    when = f"due today, {day}" if task.due_on >= today else f"overdue, due {day}"
    return _one_line(f"Task {when}: {task.name}")[:TEXT_MAX]


def _untold(work: Work, actor: Actor) -> list[DueTask]:
    inbox = Inbox(work.session, actor.id)
    closed_too = work.settings.notify_closed_clients
    return inbox.due_tasks_untold(work.today(), closed_clients_too=closed_too)


def deliver_due_tasks(db: Database, actor: Actor) -> int:
    """Tell ``actor`` of their tasks due today or overdue not yet in their inbox, each once
    per due date. Asked in a read; written, in a short write of its own, only when there is
    something new. Returns how many were delivered."""
    with reading(db, actor) as work:
        if not _untold(work, actor):
            return 0
    with writing(db, actor) as work:
        today = work.today()
        events = [
            (NotificationKind.TASK_DUE.value, task.case_id, task_due_key(task.task_id, task.due_on),
             _due_text(task, today))
            for task in _untold(work, actor)
        ]  # fmt: skip
        delivered = Inbox(work.session, actor.id).deliver(events, work.now())
        work.commit()
        return delivered


# --- reading one's inbox ---------------------------------------------------------------------------


def unread_count(db: Database, actor: Actor) -> int:
    """How many of ``actor``'s notifications are unread, tasks fallen due included."""
    deliver_due_tasks(db, actor)
    with reading(db, actor) as work:
        return Inbox(work.session, actor.id).count(unread_only=True)


def inbox(
    db: Database,
    actor: Actor,
    *,
    unread_only: bool = False,
    before: int | None = None,
    limit: int | None = PAGE,
    export: bool = False,
) -> InboxPage:
    """``actor``'s notifications, newest first: ``limit`` of them (None: all), after the one
    with id ``before`` when paging on. The first page first delivers tasks fallen due.
    ``export`` records the list as an export (``--json``) before it is handed out."""
    if before is None:
        deliver_due_tasks(db, actor)
    with reading(db, actor) as work:
        own = Inbox(work.session, actor.id)
        page = InboxPage(
            tuple(own.page(unread_only=unread_only, before=before, limit=limit)),
            total=own.count(unread_only=unread_only),
            unread=own.count(unread_only=True),
        )
    if export:
        exported(db, actor, "notifications", len(page.notifications), {"unread": unread_only})
    return page


# --- marking read ------------------------------------------------------------------------------------


def mark_read(db: Database, actor: Actor, ids: Iterable[int]) -> int:
    """Mark these of ``actor``'s notifications read: all of them, or none when any is not in
    their inbox. Returns how many were unread."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        raise ValidationError("notifications", "name at least one, or mark them all read")
    with writing(db, actor) as work:
        own = Inbox(work.session, actor.id)
        theirs = own.owned(wanted)
        missing = next((i for i in wanted if i not in theirs), None)
        if missing is not None:
            raise NotFound(f"no notification {missing} in your inbox")
        newly = own.mark_read(wanted, work.now())
        _audit_read(work, actor, wanted, newly)
        work.commit()
        return newly


def mark_all_read(db: Database, actor: Actor) -> int:
    """Mark every one of ``actor``'s notifications read; how many were unread."""
    with writing(db, actor) as work:
        newly = Inbox(work.session, actor.id).mark_all_read(work.now())
        if newly:
            audit.record(work, actor, "notification.read", "notification", None,
                         after={"all": True, "newly_read": newly})  # fmt: skip
        work.commit()
        return newly


def open_notification(db: Database, actor: Actor, notification_id: int) -> int | None:
    """Mark one of ``actor``'s notifications read and return its case's id, to open; None for
    news of no case. Refused (once marked read) when the case is no longer theirs to see."""
    with writing(db, actor) as work:
        own = Inbox(work.session, actor.id)
        if notification_id not in own.owned([notification_id]):
            raise NotFound(f"no notification {notification_id} in your inbox")
        case_id = own.case_of(notification_id)
        newly = own.mark_read([notification_id], work.now())
        if newly:
            _audit_read(work, actor, [notification_id], newly)
        work.commit()
    if case_id is None:
        return None
    with reading(db, actor) as work:
        try:
            work.cases.get(case_id)
        except NotFound:
            raise NotFound("that case is no longer one you can see") from None
    return case_id


def _audit_read(work: Work, actor: Actor, ids: list[int], newly: int) -> None:
    audit.record(
        work, actor, "notification.read", "notification", ids[0] if len(ids) == 1 else None,
        after={"ids": ids, "newly_read": newly},
    )  # fmt: skip


__all__ = [
    "PAGE",
    "deliver_due_tasks",
    "inbox",
    "mark_all_read",
    "mark_read",
    "notify_case",
    "open_notification",
    "tell_assigned",
    "unread_count",
]
