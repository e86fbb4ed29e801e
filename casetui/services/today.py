"""Today (the caseload's t, ``casetui today``): what falls to the signed-in person now.

Their tasks due today or overdue, their open cases with no contact for longer than the
organisation's stale days, the reminders that failed on their cases and the notes of their team
waiting for their sign-off: the oldest first, so what is most overdue is at the top.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from casetui.domain.actor import Actor
from casetui.domain.caseworker_day import TODAY_ORDER, TodayItem, TodayKind, TodayList
from casetui.repositories.today import TodayRepository
from casetui.services.exports import exported
from casetui.services.work import Database, reading


def _day(at: datetime, zone: ZoneInfo) -> date:
    return at.astimezone(zone).date()


def today_list(db: Database, actor: Actor, *, export: bool = False) -> TodayList:
    with reading(db, actor) as work:
        found = TodayRepository(work.session, actor)
        today, zone, stale_days = work.today(), work.zone, work.settings.stale_days
        items: list[TodayItem] = []
        for task_id, case_id, number, client, name, due_on, version in found.due_tasks(today):
            items.append(TodayItem(TodayKind.TASK, task_id, case_id, number, client, name,
                                   due_on, version))  # fmt: skip
        quiet_since = work.now() - timedelta(days=stale_days)
        opened_before = today - timedelta(days=stale_days)
        for case_id, number, client, last, opened_on in found.quiet_cases(
            quiet_since, opened_before
        ):
            since = _day(last, zone) if last is not None else opened_on
            title = (
                f"No contact for {(today - since).days} days"
                if last is not None
                else f"No contact since it opened {(today - since).days} days ago"
            )
            items.append(TodayItem(TodayKind.STALE_CASE, case_id, case_id, number, client, title,
                                   since + timedelta(days=stale_days)))  # fmt: skip
        for reminder_id, case_id, number, client, subject, send_on, at in found.failed_reminders():
            items.append(TodayItem(TodayKind.FAILED_REMINDER, reminder_id, case_id, number,
                                   client, subject, send_on or _day(at, zone)))  # fmt: skip
        for note_id, case_id, number, client, summary, requested_at in found.signoffs_waiting():
            items.append(TodayItem(TodayKind.SIGNOFF, note_id, case_id, number, client, summary,
                                   _day(requested_at, zone)))  # fmt: skip
    items.sort(key=lambda i: (i.due_on, TODAY_ORDER.index(i.kind), i.case_number, i.id))
    if export:
        exported(db, actor, "today", len(items))
    return TodayList(tuple(items), today, stale_days)
