"""Calls, letters, emails, texts and meetings with clients, and reminders sent to them.

A few a case: a record of contact on about a third of the cases, in the weeks the case's notes
cover; a reminder on about one open case in five whose client may get one (an email address
and an Active record, the rule ``domain.reminders.recipient_problem`` keeps), in each state a
reminder can rest in: scheduled, sent, failed (its case's worker and navigator told, as the
sender tells them) and cancelled. None is left "sending": only a crash leaves that.

Drawn from a stream of its own, so a seed still gives every other record exactly as before.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol

from casetui.demo.bulk import BulkWriter, Row
from casetui.domain.enums import (
    CommunicationType,
    Direction,
    NotificationKind,
    ReminderState,
    Repeats,
)
from casetui.domain.reminders import MAX_ATTEMPTS, RETRY_WAITS, recipient_problem

COMMUNICATION_COLUMNS = (
    "id", "case_id", "author_id", "kind", "direction", "occurred_at", "subject", "body",
    "send_on", "repeats", "rrule", "reminder_state", "attempts", "next_attempt_at",
    "claimed_at", "sent_at", "message_id", "server_answer", "previous_id", "created_at",
    "updated_at", "deleted_at", "version",
)  # fmt: skip
NOTIFICATION_COLUMNS = (
    "id", "staff_id", "kind", "case_id", "event_key", "text", "created_at", "read_at",
)  # fmt: skip

CONTACT_SHARE = 0.33  # cases with calls, letters and the like on record
REMINDER_SHARE = 0.2  # open cases, of those whose client may get a reminder
STATE_SHARES = (
    (ReminderState.SENT, 50),
    (ReminderState.SCHEDULED, 32),
    (ReminderState.FAILED, 10),
    (ReminderState.CANCELLED, 8),
)
MAIL_DOMAIN = "reminders.example.org"

PHONE, EMAIL, SMS = CommunicationType.PHONE, CommunicationType.EMAIL, CommunicationType.SMS
LETTER, IN_PERSON = CommunicationType.LETTER, CommunicationType.IN_PERSON
IN, OUT = Direction.IN.value, Direction.OUT.value
KIND_SHARES = ((PHONE, 45), (EMAIL, 18), (SMS, 14), (LETTER, 13), (IN_PERSON, 10))
# What each kind of contact was about, by direction; {first} the client, {topic} the case's.
SUBJECTS: dict[tuple[CommunicationType, str], tuple[str, ...]] = {
    (PHONE, IN): (
        "{first} rang about {topic}",
        "{first} called back about {topic}",
        "{first} rang to rearrange Thursday's appointment",
    ),
    (PHONE, OUT): (
        "Called {first} about {topic}",
        "No answer; left a voicemail asking {first} to call back",
        "Called to confirm the appointment",
    ),
    (EMAIL, IN): (
        "{first} emailed a copy of the signed form",
        "{first} emailed with a question about {topic}",
    ),
    (EMAIL, OUT): (
        "Emailed {first} the checklist for {topic}",
        "Emailed the appointment details",
    ),
    (SMS, IN): ("{first} texted to say they are running late", "{first} texted a new number"),
    (SMS, OUT): ("Texted a reminder of the drop-in", "Texted {first} the office address"),
    (LETTER, IN): ("Letter from {first} with the documents asked for",),
    (LETTER, OUT): ("Appointment letter posted", "Posted the forms for {topic}"),
    (IN_PERSON, IN): ("{first} dropped in without an appointment", "{first} came to reception"),
    (IN_PERSON, OUT): ("Met {first} at the library", "Home visit to {first}"),
}
BODIES = (
    "",
    "Talked it through; nothing more needed for now.",
    "Agreed the next step; noted on the case.",
    "{first} will bring the paperwork to the next appointment.",
)
REMINDERS = (
    ("Your appointment on {weekday} at {time}",
     "Dear {first},\n\nThis is a reminder of your appointment with {worker} on {weekday} at "
     "{time}.\n\nIf you cannot come, please call us to rearrange.\n"),
    ("Please bring your ID and proof of address",
     "Dear {first},\n\nFor your next appointment please bring a photo ID and a letter showing "
     "your address (a bill or a bank statement).\n"),
    ("Job club starts on {weekday}",
     "Dear {first},\n\nJob club starts on {weekday} at {time}. Bring your CV if you have one.\n"),
    ("Your review meeting next week",
     "Dear {first},\n\n{worker} would like to review how things are going next week. We will "
     "call you to agree a time.\n"),
)  # fmt: skip
REFUSALS = (
    "550 5.1.1 <{email}>: Recipient address rejected: User unknown in virtual mailbox table",
    "552 5.2.2 <{email}>: Mailbox full",
    "421 4.4.2 Connection timed out (gave up after {tries} tries)",
)
TIMES = ("9:30", "10:00", "11:00", "13:30", "14:00", "15:30")


class Member(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def first_name(self) -> str: ...


class CaseOnRecord(Protocol):
    """What the communications of a case need to know of it (``caseload._CaseInHand``)."""

    id: int
    worker: Member
    navigator: Member | None
    called: str
    topics: tuple[str, ...]
    first_day: int  # ordinals: the span its notes fall in
    last_day: int
    closed: bool

    def touched(self, moment: datetime) -> None: ...


@dataclass(frozen=True)
class Recipient:
    name: str
    email: str | None
    record_status: str
    leaving: bool  # deleted with its cases at the end of the chunk


@dataclass
class Written:
    communications: list[Row] = field(default_factory=list)
    notifications: list[Row] = field(default_factory=list)
    reminders: int = 0

    def write(self, bulk: BulkWriter) -> None:
        """After the cases and staff they name."""
        bulk.insert("communication", COMMUNICATION_COLUMNS, self.communications)
        bulk.insert("notification", NOTIFICATION_COLUMNS, self.notifications)
        self.communications, self.notifications = [], []


def _at(day: int, minute: int) -> datetime:
    return datetime.fromordinal(day) + timedelta(minutes=minute)


def _draw(rng: random.Random, shares: Sequence[tuple[object, int]]) -> object:
    return rng.choices([v for v, _ in shares], weights=[w for _, w in shares])[0]


class CommunicationMaker:
    def __init__(self, rng: random.Random, bulk: BulkWriter, *, today: int) -> None:
        self.rng = rng
        self.bulk = bulk
        self.today = today
        self.last_day = today - 1
        self.next_id = bulk.first_free_id("communication")
        self.next_notification = bulk.first_free_id("notification")
        self.written = Written()
        self.count = 0

    def _take(self) -> int:
        taken = self.next_id
        self.next_id += 1
        self.count += 1
        return taken

    def for_case(self, case: CaseOnRecord, client: Recipient) -> datetime | None:
        """The case's communications; when the latest contact among them took place."""
        latest = None
        if self.rng.random() < CONTACT_SHARE:
            latest = self._contacts(case)
        may_remind = (
            not case.closed
            and not client.leaving
            and recipient_problem(client.email, client.record_status) is None
        )
        if may_remind and self.rng.random() < REMINDER_SHARE:
            self._reminder(case, client)
        return latest

    def _contacts(self, case: CaseOnRecord) -> datetime:
        rng, bulk = self.rng, self.bulk
        moments = sorted(
            _at(rng.randint(case.first_day, case.last_day), rng.randrange(8 * 60, 18 * 60, 5))
            for _ in range(rng.choice((1, 1, 1, 2, 2, 3)))
        )
        for moment in moments:
            kind = _draw(rng, KIND_SHARES)
            assert isinstance(kind, CommunicationType)
            direction = IN if rng.random() < 0.45 else OUT
            fill = {"first": case.called, "topic": rng.choice(case.topics)}
            subject = rng.choice(SUBJECTS[(kind, direction)]).format(**fill)
            body = rng.choice(BODIES).format(**fill)
            author = case.navigator if case.navigator and rng.random() < 0.15 else case.worker
            written = moment + timedelta(minutes=rng.randint(2, 240))
            if written.toordinal() >= self.today:
                written = moment
            case.touched(written)
            self.written.communications.append((
                self._take(), case.id, author.id, kind.value, direction, bulk.moment(moment),
                subject, body, None, Repeats.NONE.value, None, None, 0, None, None, None, None,
                None, None, bulk.moment(written), bulk.moment(written), None, 1,
            ))  # fmt: skip
        return moments[-1]

    def _reminder(self, case: CaseOnRecord, client: Recipient) -> None:
        rng, bulk = self.rng, self.bulk
        state = _draw(rng, STATE_SHARES)
        assert isinstance(state, ReminderState)
        if state is ReminderState.SCHEDULED:
            send_on = self.today + rng.randint(1, 21)
        else:
            send_on = rng.randint(max(case.first_day, self.today - 60), self.last_day)
        arranged_day = max(case.first_day, send_on - rng.randint(2, 14))
        arranged_day = min(arranged_day, self.last_day)
        arranged = _at(arranged_day, rng.randrange(9 * 60, 17 * 60, 5))
        # The day it reminds of: a weekday soon after the reminder goes.
        weekdays = [d for d in range(send_on + 1, send_on + 6) if date.fromordinal(d).weekday() < 5]
        fill = {
            "first": case.called, "worker": case.worker.first_name,
            "weekday": f"{date.fromordinal(rng.choice(weekdays)):%A}", "time": rng.choice(TIMES),
        }  # fmt: skip
        subject, body = (text.format(**fill) for text in rng.choice(REMINDERS))
        reminder_id = self._take()
        repeats = Repeats.NONE
        if state is ReminderState.SCHEDULED and rng.random() < 0.25:
            repeats = Repeats.WEEKLY if rng.random() < 0.6 else Repeats.MONTHLY
        # Sent at eight the morning it was due, the first thing the sender's cron line did.
        went = _at(send_on, 8 * 60 + rng.randint(0, 4))
        attempts, version = 0, 1
        claimed_at = sent_at = message_id = answer = None
        updated = arranged
        if state is ReminderState.SENT:
            claimed_at, sent_at, version = went, went + timedelta(seconds=1), 3
            updated = sent_at
            message_id = f"<{went:%Y%m%d%H%M}.{reminder_id}@{MAIL_DOMAIN}>"
            answer = f"250 2.0.0 Ok: queued as {rng.getrandbits(40):010X}"
        elif state is ReminderState.FAILED:
            refusal = rng.choice(REFUSALS)
            attempts = MAX_ATTEMPTS if refusal.startswith("4") else 1
            answer = refusal.format(email=client.email, tries=attempts)
            # Claimed and answered once a try; the last try after the waits between them.
            claimed_at = went + sum(RETRY_WAITS[: attempts - 1], timedelta())
            updated, version = claimed_at + timedelta(seconds=1), 1 + 2 * attempts
            message_id = f"<{went:%Y%m%d%H%M}.{reminder_id}@{MAIL_DOMAIN}>"
            self._told(case, client, reminder_id, subject, answer, updated)
        elif state is ReminderState.CANCELLED:
            updated = min(arranged + timedelta(days=rng.randint(0, 2)), _at(self.last_day, 17 * 60))
            version = 2
        case.touched(updated)
        self.written.communications.append((
            reminder_id, case.id, case.worker.id, CommunicationType.REMINDER.value, OUT,
            bulk.moment(arranged), subject, body, bulk.day(date.fromordinal(send_on)),
            repeats.value, None, state.value, attempts, None,
            bulk.moment(claimed_at) if claimed_at else None,
            bulk.moment(sent_at) if sent_at else None, message_id, answer, None,
            bulk.moment(arranged), bulk.moment(updated), None, version,
        ))  # fmt: skip
        self.written.reminders += 1

    def _told(
        self,
        case: CaseOnRecord,
        client: Recipient,
        reminder_id: int,
        subject: str,
        answer: str,
        at: datetime,
    ) -> None:
        """As the sender tells of a failed reminder (``notify_case``): the case's worker and
        navigator, once each; read by now unless it failed in the last few days."""
        read = at + timedelta(hours=self.rng.randint(1, 30))
        read_at = self.bulk.moment(read) if read.toordinal() < self.today - 3 else None
        text = f"Reminder to {client.name} not sent ({subject}): {answer}"
        told = {m.id: m for m in (case.worker, case.navigator) if m is not None}
        for member in told.values():
            self.written.notifications.append((
                self.next_notification, member.id, NotificationKind.REMINDER_FAILED.value,
                case.id, f"reminder-failed:{reminder_id}", text[:500], self.bulk.moment(at),
                read_at,
            ))  # fmt: skip
            self.next_notification += 1
