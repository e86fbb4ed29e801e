"""Reading the audit trail: the filters as people type them, checked, and one page of events.

For administrators and auditors only; anyone else is refused with the rule's own words.
Opening an event that holds a restricted note's text is itself audited, as reading the
note is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from casetui.domain.actor import Actor
from casetui.domain.dates import parse_date
from casetui.domain.errors import NotFound, ValidationError
from casetui.domain.filters import Position
from casetui.domain.limits import AUDIT_ACTION_MAX, CASE_NUMBER_MAX, USERNAME_MAX
from casetui.domain.read_models.audit import AuditEventView
from casetui.repositories.audit import AuditFilter
from casetui.services import audit, policy, validation
from casetui.services.work import Database, Work, reading, writing

PAGE_SIZE = 50
# What the product records, for the action filter's suggestions; other actions still match.
ACTIONS = (
    "sign_in", "sign_in.failed", "staff.create", "staff.password", "team.create",
    "settings.defaults", "settings.update", "client.register", "client.edit",
    "client.join_group", "client.delete", "client.restore", "case.open", "case.status",
    "case.concern", "case.pathway", "case.reassign", "case.navigator_assign",
    "case.navigator_unassign", "case.tags", "case.number", "note.add", "note.edit", "note.override_edit", "note.delete",
    "note.override_delete", "note.restore", "note.addendum", "note.view_restricted",
    "task.add", "task.done", "task.cancelled", "demo.generate", "export",
    "sign_in.temporary", "staff.edit", "staff.deactivate", "staff.reactivate", "team.rename",
    "team.supervisor_add", "team.supervisor_remove", "list.add", "list.retire", "list.restore",
    "list.rename", "list.move",
    "import.clients", "import.notes",
    "communication.add", "communication.edit", "communication.override_edit",
    "communication.delete", "communication.override_delete", "communication.cancel",
    "attachment.add", "attachment.download", "attachment.delete",
    "notification.read",
    "sar.start", "sar.refresh", "sar.decide", "sar.export",
    "service.add", "service.edit", "service.delete",
    "signoff.request", "signoff.approve", "signoff.return", "list.signoff",
)  # fmt: skip


@dataclass(frozen=True)
class TrailQuery:
    """The audit trail's filters as typed; empty means any."""

    person: str = ""
    case_number: str = ""
    since: str = ""  # a date as the note editor takes them: 2026-11-03, today, -1w, monday
    until: str = ""
    action: str = ""


@dataclass(frozen=True)
class TrailPage:
    events: tuple[AuditEventView, ...]
    older: bool  # there are older events beyond the last one
    newer: bool  # there are newer events before the first one
    time_zone: str  # the organisation's, for showing each event's time
    since: date | None = None  # the dates the query's words meant, to show back
    until: date | None = None


def day_range(
    first: date | None, last: date | None, zone: ZoneInfo
) -> tuple[datetime | None, datetime | None]:
    """From the start of ``first`` to the end of ``last`` in ``zone``, as UTC instants."""

    def start_of(day: date) -> datetime:
        return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)

    since = start_of(first) if first else None
    until = start_of(last + timedelta(days=1)) if last and last < date.max else None
    return since, until


def _filter(
    uow: Work, actor: Actor, query: TrailQuery
) -> tuple[AuditFilter, date | None, date | None]:
    fields = validation.Fields()
    person = fields.check(
        validation.text, query.person, "person", max_length=USERNAME_MAX, single_line=True
    )
    number = fields.check(
        validation.text, query.case_number, "case", max_length=CASE_NUMBER_MAX, single_line=True
    )
    action = fields.check(
        validation.text, query.action, "action", max_length=AUDIT_ACTION_MAX, single_line=True
    )
    today = uow.today()
    first = fields.check(_day, query.since, "from", today)
    last = fields.check(_day, query.until, "to", today)
    fields.done()
    if first and last and last < first:
        raise ValidationError(
            "to", f"{last.isoformat()} is before the from date {first.isoformat()}"
        )
    case_id = None
    if number:
        case_id = uow.audit_trail.case_id(number)
        if case_id is None:
            raise NotFound(f"no case numbered {number}")
    since, until = day_range(first, last, uow.zone)
    found = AuditFilter(
        person=person.lower() or None, case_id=case_id, action=action.lower() or None,
        since=since, until=until,
    )  # fmt: skip
    return found, first, last


def _day(text: str, field: str, today: date) -> date | None:
    return parse_date(text, today, "past", field) if text.strip() else None


def browse(
    db: Database,
    actor: Actor,
    query: TrailQuery,
    *,
    older_than: Position | None = None,
    newer_than: Position | None = None,
    limit: int = PAGE_SIZE,
) -> TrailPage:
    """One page of events, newest first: the newest, or the page beyond a position."""
    with reading(db, actor) as uow:
        policy.ensure_audit_reader(actor)
        flt, first, last = _filter(uow, actor, query)
        found = uow.audit_trail.page(
            flt, older_than=older_than, newer_than=newer_than, limit=limit + 1
        )
        zone = uow.settings.time_zone
        if newer_than is not None and older_than is None:
            # Read upwards: the extra event, if any, is the newest one, beyond this page.
            events, newer, older = found[-limit:], len(found) > limit, True
        else:
            events, older, newer = found[:limit], len(found) > limit, older_than is not None
        return TrailPage(tuple(events), older, newer, zone, first, last)


def open_event(db: Database, actor: Actor, event_id: int) -> AuditEventView:
    """One event in full; opening a restricted note's text is recorded, as reading it is."""
    with writing(db, actor) as uow:
        policy.ensure_audit_reader(actor)
        event = uow.audit_trail.get(event_id)
        if event is None:
            raise NotFound(f"no audit event {event_id}")
        if event.entity == "case_note" and _shows_restricted_text(event):
            audit.record(
                uow, actor, "note.view_restricted", "case_note", event.entity_id,
                case_id=event.case_id, after={"audit_event": event.id},
            )  # fmt: skip
            uow.commit()
        return event


def _shows_restricted_text(event: AuditEventView) -> bool:
    for text in (event.before, event.after):
        try:
            data = json.loads(text) if text else None
        except ValueError:
            continue
        if isinstance(data, dict) and data.get("restricted") and data.get("details"):
            return True
    return False
