"""Communications on a case: calls, letters, emails, texts, meetings, and reminders.

A communication is added, edited and deleted like a note, under the note's lock rules
(``note_rules.record_lock_check``): it locks ``lock_days`` after it was written, and a locked
one changes only with the ``override_lock`` grant and a reason; its date may be backdated no
further than a note's. Whoever may write the case adds one; changing someone else's is for
supervisors and administrators (``policy.ensure_may_change_written``).

A reminder (type "reminder") is the one communication the client receives: it goes out by
email on its send date (``casetui reminders send``) and may repeat as a task does. It is
refused for a client with no email address or whose record is not Active
(``reminder_refusal``, the rule of ``domain.reminders.recipient_problem``, which the sender asks
again before it sends). It starts "scheduled"; a scheduled or failed one can be cancelled —
the lock does not stop a cancel, which changes what will happen, not the record of what did;
what was sent, or is being sent, cannot be changed; deleting a sent one does not recall it, and
one being sent is deleted only once the sender has recorded how it went.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from casetui.domain.actor import Actor
from casetui.domain.dates import DateOrder, date_order, parse_date
from casetui.domain.enums import (
    CommunicationType,
    Direction,
    ReminderState,
    Repeats,
)
from casetui.domain.errors import BulkRefused, Refusal, RuleError, ValidationError
from casetui.domain.limits import DETAILS_MAX, SUMMARY_MAX
from casetui.domain.locking import NoteLock
from casetui.domain.models import Case, Communication
from casetui.domain.read_models.cases import CaseDetail
from casetui.domain.read_models.communications import (
    BulkCommunicationResult,
    CommunicationView,
    ReminderRecipient,
)
from casetui.domain.read_models.settings import SettingsView
from casetui.domain.recurrence import next_after
from casetui.domain.reminders import RecipientProblem, recipient_problem
from casetui.domain.timeline import COMMUNICATION, TimelineEntry
from casetui.services import audit, policy, validation
from casetui.services.access import (
    CaseAccess,
    case_access,
    writable_case_by_number,
    writable_case_of,
    writable_cases,
)
from casetui.services.bulk_notes import BULK_MAX_CASES
from casetui.services.exports import record_export
from casetui.services.note_rules import check_contact_at, record_lock_check
from casetui.services.notes import recompute_last_interaction
from casetui.services.records import save_versioned, saved_id, snapshot
from casetui.services.tasks import DUE_WINDOW, check_repeats
from casetui.services.work import Database, Work, reading, retry_collisions, writing

__all__ = [
    "BulkCommunicationContext", "CommunicationChanges", "CommunicationContext",
    "CommunicationInput", "ValidCommunication", "add_communication", "bulk_add_communications",
    "bulk_communication_context", "cancel_reminder", "communication_context",
    "delete_communication", "edit_communication", "list_communications", "may_bulk_communicate",
    "may_cancel", "may_delete", "may_edit", "next_occurrence", "open_communication",
    "reminder_refusal",
]  # fmt: skip

REMINDER = CommunicationType.REMINDER.value
ENTITY = "communication"  # in the audit trail
# What may still happen to a reminder in each state.
CANCELLABLE = (ReminderState.SCHEDULED.value, ReminderState.FAILED.value)
UNCHANGEABLE = (ReminderState.SENDING.value, ReminderState.SENT.value)  # what went, or is going
# Everything str.splitlines breaks at: a subject is one line, and a reminder's becomes an email
# header, where a line break would start a header of the sender's choosing.
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
# A day or a time as typed or as a value (the input classes have fields named date and time).
TypedDay = str | date
TypedTime = str | time


@dataclass(frozen=True)
class CommunicationInput:
    """A new communication as typed. ``date`` and ``time``: when it took place (a reminder:
    when it was arranged, today by default); ``send_on`` and the repeat: reminders only."""

    kind: str
    subject: str
    direction: str = Direction.OUT.value
    body: str = ""
    date: TypedDay = "today"
    time: TypedTime | None = None  # None: now for today, noon for an earlier day
    send_on: TypedDay | None = None
    repeats: str = Repeats.NONE.value
    rrule: str | None = None


@dataclass(frozen=True)
class CommunicationChanges:
    """An edit: only the fields given change."""

    kind: str | None = None
    direction: str | None = None
    subject: str | None = None
    body: str | None = None
    date: TypedDay | None = None
    time: TypedTime | None = None
    send_on: TypedDay | None = None
    repeats: str | None = None
    rrule: str | None = None


@dataclass(frozen=True)
class ValidCommunication:
    kind: str
    direction: str
    occurred_at: datetime
    subject: str
    body: str
    send_on: date | None
    repeats: str
    rrule: str | None

    @property
    def is_reminder(self) -> bool:
        return self.kind == REMINDER


# --- the rules of a reminder's recipient -----------------------------------------------------


def reminder_refusal(
    client_name: str, email: str | None, record_status: str, *, client_deleted: bool = False
) -> str | None:
    """Why reminders cannot go to this client, in words for the person writing one, or None
    when they can. The rule is ``domain.reminders.recipient_problem``, which the sender asks
    too before it sends one (the client's record may have changed since)."""
    problem = recipient_problem(email, record_status, client_deleted=client_deleted)
    if problem is RecipientProblem.DELETED:
        return f"{client_name}'s record was deleted; reminders go only to clients on record"
    if problem is RecipientProblem.NOT_ACTIVE:
        return f"{client_name}'s record is {record_status}; reminders go only to clients whose record is Active"
    if problem is RecipientProblem.NO_EMAIL:
        return f"{client_name} has no email address; a reminder goes by email: add one to the client's record first"
    return None


def _recipient_problem(recipient: ReminderRecipient) -> str | None:
    return reminder_refusal(
        recipient.client_name, recipient.email, recipient.record_status,
        client_deleted=recipient.client_deleted,
    )  # fmt: skip


def _check_recipient(work: Work, case: Case) -> None:
    assert case.id is not None
    recipient = work.communications.recipients([case.id])[case.id]
    problem = _recipient_problem(recipient)
    if problem:
        raise ValidationError("client", problem)


# --- fields ----------------------------------------------------------------------------------


def _order(work: Work) -> DateOrder:
    return date_order(work.settings.date_order)


def check_kind(value: str | None) -> str:
    """One of the types, however written: "SMS", "sms", "in person", "in-person"."""
    cleaned = " ".join((value or "").replace("_", " ").replace("-", " ").split())
    return validation.one_of(cleaned, "type", [t.value for t in CommunicationType])


def check_direction(value: str | None, kind: str) -> str:
    direction = validation.one_of(value, "direction", [d.value for d in Direction])
    if kind == REMINDER and direction != Direction.OUT.value:
        raise ValidationError("direction", "a reminder goes out to the client; it cannot be in")
    return direction


def check_subject(value: str | None) -> str:
    if isinstance(value, str) and any(ch in value.strip() for ch in LINE_BREAKS):
        raise ValidationError("subject", "must be one line")
    return validation.text(
        value, "subject", max_length=SUMMARY_MAX, required=True, single_line=True
    )


def check_body(value: str | None) -> str:
    return validation.text(value, "body", max_length=DETAILS_MAX)


def check_when(work: Work, day: str | date, at: str | time | None) -> datetime:
    """When it took place: today or up to ``lock_days`` back, as a note's contact date."""
    return check_contact_at(
        work, day, at, fields=("date", "time"), records="communications", order=_order(work)
    )


def check_send_on(work: Work, value: str | date | None) -> date:
    """A reminder's send date: today or a day to come, typed as a task's due date is."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError("send date", "is required for a reminder")
    today = work.today()
    day = (
        value
        if isinstance(value, date)
        else parse_date(value, today, prefer="future", field="send date", order=_order(work))
    )
    if day < today:
        raise ValidationError(
            "send date", f"{day.isoformat()} has passed; a reminder is sent today or later"
        )
    if day - today > DUE_WINDOW:
        raise ValidationError("send date", f"{day.isoformat()} is more than five years away")
    return day


def _no_send_fields(
    kind: str, send_on: str | date | None, repeats: str | None, rule: str | None
) -> None:
    if send_on is not None and not (isinstance(send_on, str) and not send_on.strip()):
        raise ValidationError(
            "send date", f"only a reminder has a send date; a {kind} is recorded, not sent"
        )
    if (repeats or Repeats.NONE.value).strip().lower() != Repeats.NONE.value or (
        rule or ""
    ).strip():
        raise ValidationError("repeats", f"only a reminder repeats; a {kind} is recorded once")


def validate_communication(work: Work, item: CommunicationInput) -> ValidCommunication:
    """Every field of a new communication checked, all refusals named at once."""
    fields = validation.Fields()
    kind = fields.check(check_kind, item.kind)
    reminder = kind == REMINDER
    # A reminder always goes out; nothing else need be said of its direction.
    direction = fields.check(
        check_direction, item.direction or Direction.OUT.value if reminder else item.direction,
        kind or "",
    )  # fmt: skip
    subject = fields.check(check_subject, item.subject)
    body = fields.check(check_body, item.body)
    occurred_at = fields.check(check_when, work, item.date, item.time)
    send_on: date | None = None
    repeats, rule = Repeats.NONE.value, None
    if reminder:
        send_on = fields.check(check_send_on, work, item.send_on)
        if send_on is not None:
            found = fields.check(check_repeats, item.repeats, item.rrule, send_on)
            if found is not None:
                repeats, rule = found[0].value, found[1]
    elif kind is not None:
        fields.check(_no_send_fields, kind, item.send_on, item.repeats, item.rrule)
    fields.done()
    return ValidCommunication(kind, direction, occurred_at, subject, body, send_on, repeats, rule)


# --- adding ----------------------------------------------------------------------------------


def _new_row(
    case_id: int,
    author_id: int,
    item: ValidCommunication,
    now: datetime,
    *,
    previous_id: int | None = None,
) -> Communication:
    """A communication as it is first written: a reminder starts scheduled, never tried."""
    return Communication(
        case_id=case_id,
        author_id=author_id,
        kind=item.kind,
        direction=item.direction,
        occurred_at=item.occurred_at,
        subject=item.subject,
        body=item.body,
        send_on=item.send_on,
        repeats=item.repeats,
        rrule=item.rrule,
        reminder_state=ReminderState.SCHEDULED.value if item.is_reminder else None,
        previous_id=previous_id,
        created_at=now,
        updated_at=now,
    )


def insert_communication(
    work: Work, actor: Actor, case: Case, item: ValidCommunication
) -> Communication:
    assert case.id is not None
    row = _new_row(case.id, actor.id, item, work.now())
    work.session.add(row)
    if not item.is_reminder and (
        case.last_interaction_at is None or item.occurred_at > case.last_interaction_at
    ):
        # A call or a letter is contact with the client, as a note is; a reminder is not.
        case.last_interaction_at = item.occurred_at
    return row


def next_occurrence(row: Communication, after: date, now: datetime) -> Communication | None:
    """A repeating reminder's next occurrence after ``after`` (the day it was sent), as a new
    scheduled reminder by the same author, not yet added; None when it does not repeat or its
    rule has run out. Days missed while it waited are not sent."""
    try:
        repeats = Repeats(row.repeats)
    except ValueError:
        return None
    if row.kind != REMINDER or repeats is Repeats.NONE or row.send_on is None or row.id is None:
        return None
    try:
        day = next_after(repeats, row.send_on, row.rrule, after)
    except ValidationError:  # a rule written before today's checks
        return None
    if day is None:
        return None
    # Arranged as long before its send date as the first one was.
    arranged = row.occurred_at + timedelta(days=(day - row.send_on).days)
    item = ValidCommunication(
        row.kind, row.direction, arranged, row.subject, row.body, day, row.repeats, row.rrule
    )
    return _new_row(row.case_id, row.author_id, item, now, previous_id=row.id)


def _view(work: Work, communication_id: int) -> CommunicationView:
    return work.communications.views(
        ids=[communication_id],
        lock_days=work.settings.lock_days,
        now=work.now(),
        include_deleted=True,
    )[0]


@retry_collisions
def add_communication(
    db: Database, actor: Actor, case_number: str, item: CommunicationInput
) -> CommunicationView:
    """One communication on one case; a reminder starts scheduled."""
    with writing(db, actor) as work:
        case = writable_case_by_number(work, case_number)
        valid = validate_communication(work, item)
        if valid.is_reminder:
            _check_recipient(work, case)
        row = insert_communication(work, actor, case, valid)
        work.session.flush()
        audit.record(
            work, actor, "communication.add", ENTITY, row.id, case_id=case.id,
            after=snapshot(row),
        )  # fmt: skip
        work.commit()
        return _view(work, saved_id(row))


# --- many cases at once ----------------------------------------------------------------------


def ensure_may_bulk_communicate(actor: Actor) -> None:
    """Writing to many cases at once is for writers holding the bulk_actions grant."""
    policy.ensure_bulk_writer(actor, "a bulk communication")


def may_bulk_communicate(actor: Actor) -> bool:
    return policy.can(ensure_may_bulk_communicate, actor)


def _bulk_targets(work: Work, numbers: list[str], reminder: bool) -> list[Case]:
    """Every case writable (and, for a reminder, every client reachable), or BulkRefused naming
    each case that refuses, whatever the reason."""
    outcome = "bulk reminder not written" if reminder else "bulk communication not written"
    try:
        targets = writable_cases(work, numbers, outcome)
        refusals: list[Refusal] = []
    except BulkRefused as refused:
        targets, refusals = [], list(refused.refusals)
    if reminder:
        refused_numbers = {r.case_number for r in refusals}
        found = work.cases.get_many_by_number([n for n in numbers if n not in refused_numbers])
        recipients = work.communications.recipients([saved_id(c) for c in found.values()])
        for number, case in found.items():
            recipient = recipients.get(saved_id(case))
            problem = _recipient_problem(recipient) if recipient else None
            if problem:
                refusals.append(Refusal(number, problem))
        place = {number: i for i, number in enumerate(numbers)}
        refusals.sort(key=lambda r: place.get(r.case_number, len(numbers)))
    if refusals:
        raise BulkRefused(refusals, outcome)
    return targets


@retry_collisions
def bulk_add_communications(
    db: Database, actor: Actor, case_numbers: Sequence[str], item: CommunicationInput
) -> BulkCommunicationResult:
    """The same communication (or reminder) on many cases: all written, or none and every
    refused case named (a case not the actor's to write; for a reminder, a client with no email
    address or a record that is not Active)."""
    ensure_may_bulk_communicate(actor)
    numbers = list(dict.fromkeys(n.strip() for n in case_numbers if n and n.strip()))
    if not numbers:
        raise ValidationError("cases", "choose at least one case")
    if len(numbers) > BULK_MAX_CASES:
        raise ValidationError(
            "cases",
            f"{len(numbers)} cases; a bulk communication may go to at most {BULK_MAX_CASES}",
        )
    with writing(db, actor) as work:
        valid = validate_communication(work, item)
        targets = _bulk_targets(work, numbers, valid.is_reminder)
        batch_id = str(uuid.uuid4())
        rows = [insert_communication(work, actor, case, valid) for case in targets]
        work.session.flush()
        for case, row in zip(targets, rows, strict=True):
            audit.record(
                work, actor, "communication.add", ENTITY, row.id, case_id=case.id,
                after=snapshot(row, batch_id=batch_id),
            )  # fmt: skip
        work.commit()
        return BulkCommunicationResult(
            batch_id=batch_id,
            communication_ids=tuple(saved_id(r) for r in rows),
            case_numbers=tuple(c.case_number for c in targets),
        )


# --- changing --------------------------------------------------------------------------------


def _writable(work: Work, actor: Actor, communication_id: int) -> tuple[Communication, Case]:
    row = work.communications.get(communication_id)
    case = writable_case_of(work, row)
    policy.ensure_may_change_written(actor, row, f"communication {row.id}")
    return row, case


def _lock(
    work: Work, actor: Actor, row: Communication, reason: str | None, doing: str
) -> str | None:
    return record_lock_check(
        work, actor, row.created_at, reason, doing, what=f"communication {row.id}"
    )


def _local(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return f"{local.date().isoformat()} {local:%H:%M}"


def state_words(row: Communication | CommunicationView, zone: ZoneInfo) -> str:
    """``reminder 12 was sent on 2026-11-23 09:00``: where a reminder stands, for refusals."""
    state = row.reminder_state if isinstance(row, Communication) else row.state
    if state == ReminderState.SENT.value and row.sent_at is not None:
        return f"reminder {row.id} was sent on {_local(row.sent_at, zone)}"
    if state == ReminderState.SENDING.value:
        since = f" since {_local(row.claimed_at, zone)}" if row.claimed_at else ""
        return f"reminder {row.id} is being sent{since}"
    return f"reminder {row.id} is {state}"


def _changes(work: Work, row: Communication, changes: CommunicationChanges) -> dict[str, object]:
    """The fields that change, checked, all refusals named at once."""
    fields = validation.Fields()
    values: dict[str, object] = {}
    reminder = row.kind == REMINDER
    if changes.kind is not None:
        kind = fields.check(check_kind, changes.kind)
        if kind is not None and kind != row.kind:
            if REMINDER in (kind, row.kind):
                fields.errors.append(
                    ValidationError(
                        "type",
                        "a reminder stays a reminder, and nothing else becomes one; "
                        "write a new one instead",
                    )  # fmt: skip
                )
            else:
                values["kind"] = kind
    if changes.direction is not None:
        values["direction"] = fields.check(check_direction, changes.direction, row.kind)
    if changes.subject is not None:
        values["subject"] = fields.check(check_subject, changes.subject)
    if changes.body is not None:
        values["body"] = fields.check(check_body, changes.body)
    if changes.date is not None or changes.time is not None:
        local = row.occurred_at.astimezone(work.zone)
        values["occurred_at"] = fields.check(
            check_when,
            work,
            changes.date if changes.date is not None else local.date(),
            changes.time if changes.time is not None else local.time(),
        )
    if reminder:
        send_on = row.send_on
        if changes.send_on is not None:
            send_on = fields.check(check_send_on, work, changes.send_on)
            values["send_on"] = send_on
        if send_on is not None and (
            changes.send_on is not None or changes.repeats is not None or changes.rrule is not None
        ):
            repeats_in = changes.repeats if changes.repeats is not None else row.repeats
            rule_in = changes.rrule if changes.rrule is not None else None
            if rule_in is None and repeats_in == Repeats.CUSTOM.value:
                rule_in = row.rrule
            found = fields.check(check_repeats, repeats_in, rule_in, send_on)
            if found is not None:
                values["repeats"], values["rrule"] = found[0].value, found[1]
    else:
        fields.check(_no_send_fields, row.kind, changes.send_on, changes.repeats, changes.rrule)
    fields.done()
    return {name: value for name, value in values.items() if getattr(row, name) != value}


def _reminder_after_edit(
    work: Work, row: Communication, case: Case, values: dict[str, object]
) -> dict[str, object]:
    """What an edit does to a reminder's delivery: nothing once it is sent or being sent; a
    new send date for a failed one schedules it again."""
    state = row.reminder_state
    sends = {"send_on", "repeats", "rrule"} & values.keys()
    if state in UNCHANGEABLE:
        raise RuleError(
            f"{state_words(row, work.zone)}; what was sent to the client cannot be changed"
        )
    if state == ReminderState.CANCELLED.value and sends:
        raise RuleError(
            f"reminder {row.id} is cancelled; write a new reminder to send it after all"
        )
    if not sends:
        return {}
    _check_recipient(work, case)
    if state == ReminderState.FAILED.value:
        return {
            "reminder_state": ReminderState.SCHEDULED.value,
            "attempts": 0,
            "next_attempt_at": None,
            "claimed_at": None,
        }
    return {}


def _save(
    work: Work,
    row: Communication,
    case: Case,
    expected_version: int | None,
    values: dict[str, object],
    *,
    action: str,
    override: str | None = None,
) -> CommunicationView:
    """Save from the version the person saw, keep the case's last interaction true, audit
    (an override with its reason) and commit."""
    before = snapshot(row)
    save_versioned(work, row, expected_version, {**values, "updated_at": work.now()})
    if row.kind != REMINDER and ({"occurred_at", "deleted_at"} & values.keys()):
        recompute_last_interaction(work, case)
    after = snapshot(row, override_reason=override) if override else snapshot(row)
    audit.record(
        work, work.actor, f"communication.override_{action}" if override else f"communication.{action}",
        ENTITY, row.id, case_id=case.id, before=before, after=after,
    )  # fmt: skip
    work.commit()
    return _view(work, saved_id(row))


def edit_communication(
    db: Database,
    actor: Actor,
    communication_id: int,
    changes: CommunicationChanges,
    *,
    expected_version: int | None = None,
    reason: str | None = None,
) -> CommunicationView:
    """Change the fields given. A locked communication needs the override_lock grant and a
    ``reason``; a reminder sent or being sent does not change; a new send date for a failed
    reminder schedules it again."""
    with writing(db, actor) as work:
        row, case = _writable(work, actor, communication_id)
        override = _lock(work, actor, row, reason, "editing")
        values = _changes(work, row, changes)
        if row.kind == REMINDER:
            values.update(_reminder_after_edit(work, row, case, values))
        if not values:
            raise ValidationError("communication", "nothing to change")
        return _save(work, row, case, expected_version, values, action="edit", override=override)


def delete_communication(
    db: Database,
    actor: Actor,
    communication_id: int,
    *,
    expected_version: int | None = None,
    reason: str | None = None,
) -> CommunicationView:
    """Soft delete: hidden from everyone, kept. A scheduled or failed reminder deleted is
    cancelled too; a sent one is not recalled (the email has gone); one being sent waits until
    the sender has recorded how it went."""
    with writing(db, actor) as work:
        row, case = _writable(work, actor, communication_id)
        override = _lock(work, actor, row, reason, "deleting")
        if row.reminder_state == ReminderState.SENDING.value:
            # Deleted now, the sender could no longer record whether it went.
            raise RuleError(
                f"{state_words(row, work.zone)}; it can be deleted once it has gone or failed "
                "(deleting does not recall it)"
            )
        values: dict[str, object] = {"deleted_at": work.now()}
        if row.reminder_state in CANCELLABLE:
            values.update(reminder_state=ReminderState.CANCELLED.value, next_attempt_at=None)
        return _save(work, row, case, expected_version, values, action="delete", override=override)


def cancel_reminder(
    db: Database, actor: Actor, communication_id: int, *, expected_version: int | None = None
) -> CommunicationView:
    """A scheduled or failed reminder is not sent (nor retried). Not stopped by the lock: it
    changes what will happen, not the record of what did."""
    with writing(db, actor) as work:
        row, case = _writable(work, actor, communication_id)
        if row.kind != REMINDER:
            raise RuleError(
                f"communication {row.id} is a record of a {row.kind}, not a reminder; "
                "only reminders are sent, and cancelled"
            )
        if row.reminder_state not in CANCELLABLE:
            raise RuleError(
                f"{state_words(row, work.zone)}; only a scheduled or failed reminder can be cancelled"
            )
        values: dict[str, object] = {
            "reminder_state": ReminderState.CANCELLED.value,
            "next_attempt_at": None,
        }
        return _save(work, row, case, expected_version, values, action="cancel")


# --- reading ---------------------------------------------------------------------------------


def open_communication(db: Database, actor: Actor, communication_id: int) -> CommunicationView:
    with reading(db, actor) as work:
        work.communications.get(communication_id)  # NotFound outside the actor's scope
        return _view(work, communication_id)


def list_communications(
    db: Database, actor: Actor, case_number: str, *, export: bool = False
) -> list[CommunicationView]:
    """A case's communications, newest first; ``export`` records the list as an export."""
    with reading(db, actor) as work:
        case_id = saved_id(work.cases.get_by_number(case_number))
        views = work.communications.views(
            case_id=case_id, lock_days=work.settings.lock_days, now=work.now()
        )
    if export:
        # A short write of its own, after the read, before the rows are handed out.
        with writing(db, actor) as work:
            record_export(
                work, actor, "communications", len(views), {"case": case_number},
                case_id=case_id,
            )  # fmt: skip
            work.commit()
    return views


# --- what the screens need -------------------------------------------------------------------


@dataclass(frozen=True)
class CommunicationContext:
    """Everything the communication editor needs before the first keystroke."""

    case: CaseDetail
    settings: SettingsView
    access: CaseAccess
    communication: CommunicationView | None
    recipient: ReminderRecipient
    reminder_problem: str | None  # why a reminder cannot go to this client now
    now: datetime


def communication_context(
    db: Database, actor: Actor, case_id: int, communication_id: int | None = None
) -> CommunicationContext:
    with reading(db, actor) as work:
        case = work.cases.detail(case_id)
        communication = None
        if communication_id is not None:
            found = work.communications.get(communication_id)
            if found.case_id != case_id:
                raise ValidationError("communication", f"{communication_id} is not on this case")
            communication = _view(work, communication_id)
        recipient = work.communications.recipients([case_id])[case_id]
        return CommunicationContext(
            case=case,
            settings=work.settings,
            access=case_access(work, case_id),
            communication=communication,
            recipient=recipient,
            reminder_problem=_recipient_problem(recipient),
            now=work.now(),
        )


@dataclass(frozen=True)
class BulkCommunicationContext:
    """The bulk communication's cases: who each is about (None: not visible), and which could
    not take a reminder, and why."""

    settings: SettingsView
    clients: dict[str, str | None]
    reminder_problems: dict[str, str]
    may_bulk: bool
    max_cases: int
    now: datetime


def bulk_communication_context(
    db: Database, actor: Actor, case_numbers: Sequence[str]
) -> BulkCommunicationContext:
    with reading(db, actor) as work:
        numbers = list(case_numbers)
        names = work.timeline.client_names(numbers)
        found = work.cases.get_many_by_number(numbers)
        recipients = work.communications.recipients([saved_id(c) for c in found.values()])
        problems: dict[str, str] = {}
        for number, case in found.items():
            recipient = recipients.get(saved_id(case))
            problem = _recipient_problem(recipient) if recipient else None
            if problem:
                problems[number] = problem
        return BulkCommunicationContext(
            settings=work.settings,
            clients={number: names.get(number) for number in numbers},
            reminder_problems=problems,
            may_bulk=may_bulk_communicate(actor),
            max_cases=BULK_MAX_CASES,
            now=work.now(),
        )


# The timeline's keys ask these, so a key is offered only where the services would act.


def _open_to(access: CaseAccess, entry: TimelineEntry, now: datetime) -> bool:
    """Whether the lock leaves the actor free to change this entry (perhaps by an override)."""
    created = entry.created_at
    return created is not None and access.note_lock(created, now) is not NoteLock.LOCKED


def may_edit(access: CaseAccess, entry: TimelineEntry, now: datetime) -> bool:
    return (
        entry.kind == COMMUNICATION
        and access.may_change_written(entry)
        and _open_to(access, entry, now)
        and entry.status not in UNCHANGEABLE
    )


def may_delete(access: CaseAccess, entry: TimelineEntry, now: datetime) -> bool:
    return (
        entry.kind == COMMUNICATION
        and access.may_change_written(entry)
        and _open_to(access, entry, now)
        and entry.status != ReminderState.SENDING.value
    )


def may_cancel(access: CaseAccess, entry: TimelineEntry) -> bool:
    return (
        entry.kind == COMMUNICATION
        and entry.status in CANCELLABLE
        and access.may_change_written(entry)
    )
