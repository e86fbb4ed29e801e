"""Reminders delivered to clients by email, end to end, against a real SMTP server on 127.0.0.1
(aiosmtpd with STARTTLS and a trustme certificate, AUTH with a username and password), on
SQLite and on PostgreSQL.

What is checked is what the server received (every message parsed back) and what the
database holds: each reminder delivered once and only once, whatever the server answers,
whoever else is sending, and even when a sender is killed mid-send.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from casetui.db.engine import make_engine
from casetui.db.uow import Database
from casetui.domain.actor import Actor
from casetui.domain.enums import NotificationKind
from casetui.domain.errors import PermissionDenied, RuleError, StaleEdit, ValidationError
from casetui.domain.limits import SUMMARY_MAX
from casetui.domain.models import Communication, Notification
from casetui.domain.reminders import MAX_ATTEMPTS, RETRY_WAITS, SendingPass, SendStatus
from casetui.services import clients as client_service
from casetui.services import communications as comms
from casetui.services import reminders as reminder_service
from casetui.services import settings as settings_service
from casetui.services import staff as staff_service
from casetui.services.mail import MailServer, MailServerProblem, mail_server, write_letter
from tests.mail.smtp_server import (
    PASSWORD,
    USERNAME,
    Certificates,
    SmtpServer,
    closed_port,
    make_certificates,
    running,
    silent_listener,
)

from .conftest import World

# Implicit TLS: the session is encrypted from the first byte, which aiosmtpd does not count.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
ROOT = Path(__file__).resolve().parents[2]
SENDER = "reminders@org.example"
EMAILS = {
    "ana_client": "amal.haddad@example.org",
    "ben_client": "bruno.keller@example.org",
    "cara_client": "chidi.okafor@example.org",
}


@pytest.fixture(scope="session")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return make_certificates(tmp_path_factory.mktemp("certificates"))


@pytest.fixture
def smtp(certificates: Certificates) -> Iterator[SmtpServer]:
    with running(certificates) as server:
        yield server


@pytest.fixture
def mailing(world: World, smtp: SmtpServer) -> World:
    """The world with its mail server set up and its clients' email addresses."""
    configure(world, smtp.port)
    for client_attr, email in EMAILS.items():
        set_email(world, getattr(world, client_attr), email)
    return world


def configure(world: World, port: int, tls: str = "starttls") -> None:
    for key, value in (
        ("name", "Northfield Advice"),
        ("smtp_host", "127.0.0.1"),
        ("smtp_port", str(port)),
        ("smtp_tls", tls),
        ("smtp_username", USERNAME),
        ("smtp_sender", SENDER),
    ):
        settings_service.set_setting(world.db, world.admin, key, value)


def set_email(world: World, client_id: int, email: str) -> None:
    client_service.edit_client(
        world.db, world.admin, client_id, client_service.ClientChanges(email=email)
    )


def writer(world: World, case_number: str) -> Actor:
    """The caseworker who holds the case: the one who writes its reminders."""
    return {world.ana_case: world.ana, world.ben_case: world.ben, world.cara_case: world.cara}[
        case_number
    ]


def remind(
    world: World,
    case_number: str,
    subject: str = "Your appointment on Tuesday",
    body: str = "Dear client,\nsee you on Tuesday at 10:00.\n",
    *,
    send_on: date | str = "today",
    repeats: str = "none",
    rrule: str | None = None,
) -> int:
    """A reminder written as the case's worker writes one: through the communications
    service, which checks the client may get it and leaves it scheduled."""
    item = comms.CommunicationInput(
        kind="reminder", subject=subject, body=body, send_on=send_on, repeats=repeats, rrule=rrule
    )
    view = world.run(comms.add_communication, writer(world, case_number), case_number, item)
    assert view.state == "scheduled"
    return view.id


def record_call(world: World, case_number: str, subject: str) -> int:
    """A phone call recorded on the case: a communication that is never sent."""
    item = comms.CommunicationInput(kind="phone", direction="in", subject=subject)
    return world.run(comms.add_communication, writer(world, case_number), case_number, item).id


def server_of(
    world: World, certificates: Certificates, *, timeout: float = 5.0, password: str = PASSWORD
) -> MailServer:
    settings = reminder_service.mail_settings(world.db, world.admin)
    return mail_server(settings, password=password, ca_file=certificates.ca_file, timeout=timeout)


def send(world: World, certificates: Certificates, **options: Any) -> SendingPass:
    return reminder_service.send_due(
        world.db, world.admin, server_of(world, certificates, **options)
    )


def reminder(world: World, reminder_id: int) -> Communication:
    found = world.read(lambda uow: uow.session.get(Communication, reminder_id))
    assert found is not None
    return found


def statuses(done: SendingPass) -> dict[int, str]:
    return {outcome.id: outcome.status.value for outcome in done.outcomes}


def notifications(world: World) -> list[tuple[int, str, str]]:
    rows = world.read(lambda uow: uow.session.execute(select(Notification)).scalars().all())
    return sorted((row.staff_id, row.kind, row.event_key) for row in rows)


def actions(world: World, reminder_id: int) -> list[str]:
    """What the sender (or a person settling it) recorded of a reminder, in order."""
    return [
        event.action
        for event in world.audit_events()
        if event.entity == "communication"
        and event.entity_id == str(reminder_id)
        and event.action.startswith("reminder.")
    ]


@contextmanager
def sender_of_its_own(world: World, server: MailServer) -> Iterator[Callable[[], SendingPass]]:
    """A sending pass started in a thread, on a database connection of its own, as a second
    ``casetui reminders send`` would run; the context gives a function that waits for it."""
    url = world.db.engine.url.render_as_string(hide_password=False)
    own = Database(make_engine(url), clock=world.clock)
    done: list[SendingPass] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            done.append(reminder_service.send_due(own, world.admin, server))
        except BaseException as exc:  # noqa: BLE001 - reported by the waiting function
            failed.append(exc)

    thread = threading.Thread(target=run)
    thread.start()

    def finished() -> SendingPass:
        thread.join(timeout=60)
        assert not thread.is_alive() and failed == []
        return done[0]

    try:
        yield finished
    finally:
        thread.join(timeout=60)
        own.dispose()


# --- delivered ---------------------------------------------------------------------------------


def test_a_due_reminder_goes_to_the_client_with_proper_headers(
    mailing: World, smtp: SmtpServer, certificates: Certificates
) -> None:
    world = mailing
    reminder_id = remind(world, world.ana_case)

    done = send(world, certificates)

    assert [(o.id, o.case_number, o.status) for o in done.outcomes] == [
        (reminder_id, world.ana_case, SendStatus.SENT)
    ]
    [received] = smtp.received
    assert received.mail_from == SENDER
    assert received.recipients == ("amal.haddad@example.org",)
    message = received.message
    assert message["From"] == f"Northfield Advice <{SENDER}>"
    assert message["To"] == "Amal Haddad <amal.haddad@example.org>"
    assert message["Subject"] == "Your appointment on Tuesday"
    assert parsedate_to_datetime(str(message["Date"])) == world.clock()
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    assert message["Auto-Submitted"] == "auto-generated"
    assert received.body == "Dear client,\nsee you on Tuesday at 10:00.\n"
    row = reminder(world, reminder_id)
    assert str(message["Message-ID"]) == row.message_id
    assert row.message_id is not None and row.message_id.endswith("@org.example>")
    assert (row.reminder_state, row.sent_at, row.attempts) == ("sent", world.clock(), 0)
    assert row.server_answer is not None and row.server_answer.startswith("250")
    assert done.outcomes[0].detail == f"sent as {row.message_id}"
    assert actions(world, reminder_id) == ["reminder.sending", "reminder.sent"]
    # The sender's events say who, when and where to, never what the reminder said (that is in
    # the event of its writing, as for any communication).
    sending = [e for e in world.audit_events() if e.action.startswith("reminder.")]
    trail = " ".join(e.after or "" for e in sending)
    assert "see you on Tuesday" not in trail and row.message_id in trail
    [written] = [e for e in world.audit_events() if e.action == "communication.add"]
    assert (written.actor_username, written.entity_id) == ("ana", str(reminder_id))

    assert send(world, certificates).outcomes == ()  # nothing is due any more
    assert len(smtp.received) == 1


def test_tls_from_the_first_byte(mailing: World, certificates: Certificates) -> None:
    world = mailing
    with running(certificates, tls="tls") as tls_server:
        configure(world, tls_server.port, tls="tls")
        reminder_id = remind(world, world.ben_case, "Bring your tenancy agreement")
        done = send(world, certificates)
        assert statuses(done) == {reminder_id: "sent"}
        assert [m.recipients for m in tls_server.received] == [("bruno.keller@example.org",)]


def test_only_due_reminders_go(
    mailing: World, smtp: SmtpServer, certificates: Certificates
) -> None:
    world = mailing
    today = world.clock().date()
    due_today = remind(world, world.ana_case, "Today", send_on=today)
    remind(world, world.ana_case, "Tomorrow", send_on=today + timedelta(days=1))
    record_call(world, world.ana_case, "A phone call, not a reminder")
    deleted = remind(world, world.ana_case, "Deleted")
    world.run(comms.delete_communication, world.ana, deleted)
    cancelled = remind(world, world.ana_case, "Cancelled")
    world.run(comms.cancel_reminder, world.ana, cancelled)

    assert statuses(send(world, certificates)) == {due_today: "sent"}
    assert list(smtp.subjects()) == ["Today"]


def test_the_day_is_the_organisations(
    mailing: World, smtp: SmtpServer, certificates: Certificates
) -> None:
    """At 23:30 UTC it is already tomorrow in Auckland: tomorrow's reminder is due there."""
    world = mailing
    settings_service.set_setting(world.db, world.admin, "time_zone", "Pacific/Auckland")
    world.clock.set(datetime(2026, 11, 22, 23, 30, tzinfo=UTC))
    tomorrow = remind(world, world.ana_case, send_on=date(2026, 11, 23))
    assert statuses(send(world, certificates)) == {tomorrow: "sent"}


# --- what the server answers -------------------------------------------------------------------


def test_a_temporary_refusal_is_tried_again_after_its_wait(
    mailing: World, smtp: SmtpServer, certificates: Certificates
) -> None:
    world = mailing
    reminder_id = remind(world, world.ana_case)
    smtp.answer_next("451 4.7.1 Greylisted, try again later")

    first = send(world, certificates)
    assert statuses(first) == {reminder_id: "retry"}
    assert "451 4.7.1 Greylisted" in first.outcomes[0].detail
    row = reminder(world, reminder_id)
    assert (row.reminder_state, row.attempts) == ("scheduled", 1)
    assert row.next_attempt_at == world.clock() + RETRY_WAITS[0]
    assert row.claimed_at is None and "451" in (row.server_answer or "")

    assert send(world, certificates).outcomes == ()  # still waiting
    world.clock.advance(RETRY_WAITS[0])
    assert statuses(send(world, certificates)) == {reminder_id: "sent"}
    assert len(smtp.received) == 1
    assert actions(world, reminder_id) == [
        "reminder.sending", "reminder.retry", "reminder.sending", "reminder.sent",
    ]  # fmt: skip


def test_waits_grow_and_the_last_temporary_failure_fails_it(
    mailing: World, smtp: SmtpServer, certificates: Certificates
) -> None:
    world = mailing
    reminder_id = remind(world, world.ben_case)
    waits = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        smtp.answer_next("421 4.3.2 System not accepting network messages")
        done = send(world, certificates)
        row = reminder(world, reminder_id)
        if attempt < MAX_ATTEMPTS:
            assert statuses(done) == {reminder_id: "retry"}
            assert row.next_attempt_at is not None
            waits.append(row.next_attempt_at - world.clock())
            world.clock.set(row.next_attempt_at)
    assert waits == list(RETRY_WAITS) and waits == sorted(waits)
    assert statuses(done) == {reminder_id: "failed"}
    assert (row.reminder_state, row.attempts) == ("failed", MAX_ATTEMPTS)
    assert f"gave up after {MAX_ATTEMPTS} tries" in (row.server_answer or "")
    assert smtp.received == []
    # ben's case: ben is its worker and ana its navigator; both hear, nobody else.
    key = f"reminder-failed:{reminder_id}"
    assert notifications(world) == sorted(
        [(world.ben.id, "reminder_failed", key), (world.ana.id, "reminder_failed", key)]
    )


def test_a_permanent_refusal_fails_at_once_and_tells_the_worker(
    mailing: World, smtp: SmtpServer, certificates: Certificates
) -> None:
    world = mailing
    reminder_id = remind(world, world.ana_case, "Rent statement")
    smtp.answer_next("550 5.1.1 No such mailbox here")

    done = send(world, certificates)

    assert statuses(done) == {reminder_id: "failed"}
    assert done.outcomes[0].detail == "550 5.1.1 No such mailbox here"
    row = reminder(world, reminder_id)
    assert (row.reminder_state, row.server_answer) == ("failed", "550 5.1.1 No such mailbox here")
    assert notifications(world) == [
        (world.ana.id, NotificationKind.REMINDER_FAILED.value, f"reminder-failed:{reminder_id}")
    ]
    text = world.read(lambda uow: uow.session.execute(select(Notification.text)).scalar_one())
    assert "Amal Haddad" in text and "Rent statement" in text and "550" in text
    assert actions(world, reminder_id) == ["reminder.sending", "reminder.failed"]
    assert send(world, certificates).outcomes == ()  # failed is final: never tried again


def test_a_server_that_is_down_leaves_every_reminder_to_retry(
    mailing: World, smtp: SmtpServer, certificates: Certificates
) -> None:
    world = mailing
    ids = [remind(world, world.ana_case, f"Reminder {n}") for n in range(3)]
    configure(world, closed_port())

    done = send(world, certificates)

    assert statuses(done) == dict.fromkeys(ids, "retry")
    assert all("refused the connection" in o.detail for o in done.outcomes)
    for reminder_id in ids:
        row = reminder(world, reminder_id)
        # Never claimed: a server that cannot be reached is not handed anything.
        assert (row.reminder_state, row.attempts, row.claimed_at) == ("scheduled", 1, None)
        assert actions(world, reminder_id) == ["reminder.retry"]

    configure(world, smtp.port)  # back up
    world.clock.advance(RETRY_WAITS[0])
    assert statuses(send(world, certificates)) == dict.fromkeys(ids, "sent")
    assert sorted(smtp.subjects()) == ["Reminder 0", "Reminder 1", "Reminder 2"]


def test_a_server_that_never_answers_times_out_and_is_tried_again(
    mailing: World, certificates: Certificates
) -> None:
    world = mailing
    reminder_id = remind(world, world.ana_case)
    with silent_listener() as port:
        configure(world, port)
        done = send(world, certificates, timeout=0.3)
    assert statuses(done) == {reminder_id: "retry"}
    assert "did not answer within 0.3 s" in done.outcomes[0].detail
    assert reminder(world, reminder_id).reminder_state == "scheduled"


def test_no_answer_after_the_hand_over_is_left_for_a_person(
    mailing: World, smtp: SmtpServer, certificates: Certificates
) -> None:
    world = mailing
    stalled = remind(world, world.ana_case, "Stalls")
    after = remind(world, world.ana_case, "After it")
    smtp.stall_when(lambda envelope: b"Stalls" in (envelope.original_content or b""))

    done = send(world, certificates, timeout=0.5)

    assert statuses(done) == {stalled: "skipped", after: "sent"}
    row = reminder(world, stalled)
    assert row.reminder_state == "sending"
    assert "no answer" in done.outcomes[0].detail and str(row.message_id) in done.outcomes[0].detail
    assert "no answer" in (row.server_answer or "")
    # Later passes report it and never send it again on their own.
    world.clock.advance(timedelta(days=1))
    later = send(world, certificates)
    assert statuses(later) == {stalled: "skipped"}
    assert "interrupted while sending" in later.outcomes[0].detail
    assert f"casetui reminders settle {stalled}" in later.outcomes[0].detail
    assert smtp.subjects() == {"Stalls": 1, "After it": 1}


# --- the mail server cannot be used: nothing changes ----------------------------------------


@pytest.mark.parametrize("problem", ["wrong password", "untrusted certificate", "no host"])
def test_a_server_that_cannot_be_used_changes_nothing(
    mailing: World, smtp: SmtpServer, certificates: Certificates, problem: str
) -> None:
    world = mailing
    remind(world, world.ana_case)
    if problem == "no host":
        settings_service.set_setting(world.db, world.admin, "smtp_host", "")
    before = world.dump()
    with pytest.raises(MailServerProblem) as refused:
        if problem == "wrong password":
            send(world, certificates, password="not the password")
        elif problem == "untrusted certificate":
            server = server_of(world, certificates)
            untrusted = MailServer(**{**server.__dict__, "ca_file": None})
            reminder_service.send_due(world.db, world.admin, untrusted)
        else:
            send(world, certificates)
    words = {
        "wrong password": "refused the sign-in: 535",
        "untrusted certificate": "could not be verified",
        "no host": "no smtp_host",
    }[problem]
    assert words in str(refused.value)
    assert world.dump() == before
    assert smtp.received == []


def test_a_password_is_never_sent_unencrypted(mailing: World, certificates: Certificates) -> None:
    settings_service.set_setting(mailing.db, mailing.admin, "smtp_tls", "none")
    with pytest.raises(MailServerProblem, match="never sent unencrypted"):
        server_of(mailing, certificates)


def test_a_password_smtplib_cannot_send_is_refused_before_anything(
    mailing: World, certificates: Certificates
) -> None:
    with pytest.raises(MailServerProblem, match="outside ASCII"):
        server_of(mailing, certificates, password="pässwörd")


# --- refused when the client changed since ------------------------------------------------------


def test_a_client_whose_email_was_removed_is_not_written_to(
    mailing: World, smtp: SmtpServer, certificates: Certificates
) -> None:
    world = mailing
    reminder_id = remind(world, world.ana_case)
    set_email(world, world.ana_client, "")

    done = send(world, certificates)

    assert statuses(done) == {reminder_id: "skipped"}
    assert done.outcomes[0].detail == "not sent: the client has no email address"
    row = reminder(world, reminder_id)
    assert (row.reminder_state, row.server_answer, row.claimed_at) == (
        "failed", "not sent: the client has no email address", None,
    )  # fmt: skip
    assert notifications(world) == [
        (world.ana.id, "reminder_failed", f"reminder-failed:{reminder_id}")
    ]
    assert smtp.received == []


@pytest.mark.parametrize("status", ["Inactive", "Closed"])
def test_a_client_no_longer_active_is_not_written_to(
    mailing: World, smtp: SmtpServer, certificates: Certificates, status: str
) -> None:
    world = mailing
    reminder_id = remind(world, world.ana_case)
    client_service.edit_client(
        world.db, world.admin, world.ana_client, client_service.ClientChanges(status=status)
    )

    done = send(world, certificates)

    assert statuses(done) == {reminder_id: "skipped"}
    assert f"record is {status}, not Active; cancelled" in done.outcomes[0].detail
    assert reminder(world, reminder_id).reminder_state == "cancelled"
    assert notifications(world) == []  # nobody hears of an inactive client's case by default
    assert smtp.received == []
    assert actions(world, reminder_id) == ["reminder.cancelled"]


def test_a_deleted_client_is_not_written_to(
    mailing: World, smtp: SmtpServer, certificates: Certificates
) -> None:
    world = mailing
    reminder_id = remind(world, world.ana_case)
    client_service.delete_client(world.db, world.admin, world.ana_client)
    # The case went with the client: its reminders are out of everyone's sight, and stay.
    assert send(world, certificates).outcomes == ()
    assert reminder(world, reminder_id).reminder_state == "scheduled"
    assert smtp.received == []


# --- hostile text ------------------------------------------------------------------------------

HOSTILE_BODIES = {
    "dot lines": "Line one\n.\nLine three\n..\n.leading dot\n.",
    "crlf mixed": "Windows line\r\nOld Mac line\rUnix line\n",
    "long line": "word " * 400 + "\n" + "x" * 3000 + "\n",
    "non-ascii": "Zoë, ваш прием — 予約 📅 مرحبا\né (e + \u0301)\n",
    "looks like headers": "\nBcc: victim@example.org\nSubject: forged\n\nFrom me\n>From you\n",
    "controls": "tab\there, bell \x07, escape \x1b[31m, end\n",
}


@pytest.mark.parametrize("name", list(HOSTILE_BODIES))
def test_bodies_arrive_exactly_as_written(
    mailing: World, smtp: SmtpServer, certificates: Certificates, name: str
) -> None:
    world = mailing
    body = HOSTILE_BODIES[name]
    reminder_id = remind(world, world.ana_case, f"Body: {name}", body)

    assert statuses(send(world, certificates)) == {reminder_id: "sent"}

    [received] = smtp.received
    stored = reminder(world, reminder_id).body
    assert stored == body.strip()  # as typed, the outer white space trimmed as in every field
    written = stored.replace("\r\n", "\n").replace("\r", "\n")
    assert received.body == (written if written.endswith("\n") else written + "\n")
    assert received.recipients == ("amal.haddad@example.org",)
    assert all(len(line) <= 998 for line in received.data.split(b"\r\n"))  # RFC 5322
    assert received.data.isascii()  # 7-bit clean: any server on the way takes it


HOSTILE_SUBJECTS = {
    "bcc injection": (
        "Appointment\r\nBcc: victim@example.org",
        "Appointment Bcc: victim@example.org",
    ),
    "lone lf": ("Appointment\nX-Evil: yes", "Appointment X-Evil: yes"),
    "non-ascii": ("Rendez-vous à 10h — ☎ 予約", "Rendez-vous à 10h — ☎ 予約"),
    "long": ("Reminder " + "ü" * (SUMMARY_MAX - 9), "Reminder " + "ü" * (SUMMARY_MAX - 9)),
    "encoded-word lookalike": ("=?utf-8?q?Bcc=3A_x?=", "=?utf-8?q?Bcc=3A_x?="),
}


@pytest.mark.parametrize("name", list(HOSTILE_SUBJECTS))
def test_subjects_cannot_add_headers_and_round_trip(
    mailing: World, smtp: SmtpServer, certificates: Certificates, name: str
) -> None:
    world = mailing
    subject, arrives = HOSTILE_SUBJECTS[name]
    if any(ch in subject for ch in "\r\n"):
        # The communications service refuses a subject of more than one line...
        with pytest.raises(ValidationError, match="must be one line"):
            remind(world, world.ana_case, subject)
        # ...so it is written past it, as an old import might have left it: the sender's own
        # guard must hold too.
        reminder_id = remind(world, world.ana_case, "Appointment")
        world.sql("UPDATE communication SET subject = :s WHERE id = :id", s=subject, id=reminder_id)
    else:
        reminder_id = remind(world, world.ana_case, subject)

    assert statuses(send(world, certificates)) == {reminder_id: "sent"}

    [received] = smtp.received
    message = received.message
    assert received.recipients == ("amal.haddad@example.org",)
    assert message["Subject"] == arrives
    assert message["Bcc"] is None and message["X-Evil"] is None
    assert sorted(message.keys()) == sorted(
        ["Date", "Message-ID", "From", "To", "Subject", "Auto-Submitted", "Content-Type",
         "Content-Transfer-Encoding", "MIME-Version"]
    )  # fmt: skip


def test_a_client_name_with_line_breaks_cannot_add_headers(
    mailing: World, smtp: SmtpServer, certificates: Certificates
) -> None:
    world = mailing
    # Written past the services' checks, as an old import might have left it.
    world.sql(
        "UPDATE client SET name = :name WHERE id = :id",
        name="Amal\r\nBcc: victim@example.org",
        id=world.ana_client,
    )
    reminder_id = remind(world, world.ana_case)
    assert statuses(send(world, certificates)) == {reminder_id: "sent"}
    [received] = smtp.received
    [to] = received.message["To"].addresses
    assert (to.display_name, to.addr_spec) == (
        "Amal Bcc: victim@example.org", "amal.haddad@example.org",
    )  # fmt: skip
    assert received.message["Bcc"] is None
    assert received.recipients == ("amal.haddad@example.org",)


def test_the_email_library_itself_refuses_line_breaks_in_headers(
    mailing: World, certificates: Certificates
) -> None:
    """The second guard, under ``one_line``: a header with CR or LF is never written."""
    message = EmailMessage(policy=policy.SMTP)
    with pytest.raises(ValueError, match="linefeed or carriage return"):
        message["Subject"] = "Hello\r\nBcc: victim@example.org"
    letter = write_letter(
        server_of(mailing, certificates),
        client_name="Zoë\nO'Brien",
        email="zoe@example.org",
        subject="a\r\nb",
        body="text",
        at=mailing.clock(),
    )
    assert (letter.message["To"], letter.message["Subject"]) == (
        "Zoë O'Brien <zoe@example.org>", "a b",
    )  # fmt: skip


@pytest.mark.parametrize(
    "address", ["not-an-address", "two@at@example.org", "spaced out@example.org", "x@"]
)
def test_an_address_mail_cannot_use_fails_the_reminder(
    mailing: World, smtp: SmtpServer, certificates: Certificates, address: str
) -> None:
    world = mailing
    # Written past the client service's check of addresses, as an old import might have left it.
    world.sql("UPDATE client SET email = :email WHERE id = :id", email=address, id=world.ana_client)
    reminder_id = remind(world, world.ana_case)
    done = send(world, certificates)
    assert statuses(done) == {reminder_id: "skipped"}
    assert (
        "not one mail can use" in done.outcomes[0].detail or "no domain" in done.outcomes[0].detail
    )
    assert reminder(world, reminder_id).reminder_state == "failed"
    assert smtp.received == []


# --- repeating reminders -----------------------------------------------------------------------


def test_a_repeating_reminder_schedules_its_next_occurrence_when_sent(
    mailing: World, smtp: SmtpServer, certificates: Certificates
) -> None:
    world = mailing
    today = world.clock().date()
    weekly = remind(world, world.ana_case, "Weekly check-in", send_on=today, repeats="weekly")

    done = send(world, certificates)

    [successor] = world.read(
        lambda uow: (
            uow.session.execute(select(Communication).where(Communication.previous_id == weekly))
            .scalars()
            .all()
        )
    )
    assert (successor.send_on, successor.reminder_state, successor.repeats) == (
        today + timedelta(days=7), "scheduled", "weekly",
    )  # fmt: skip
    assert (successor.subject, successor.body, successor.case_id) == (
        "Weekly check-in", reminder(world, weekly).body, world.case_id(world.ana_case),
    )  # fmt: skip
    assert f"next on {successor.send_on.isoformat()} (reminder {successor.id})" in (
        done.outcomes[0].detail
    )
    # The next one is not due yet; a week later it goes, and makes the one after.
    assert send(world, certificates).outcomes == ()
    world.clock.advance(timedelta(days=7))
    assert statuses(send(world, certificates)) == {successor.id: "sent"}
    assert smtp.subjects() == {"Weekly check-in": 2}


def test_a_late_repeating_reminder_does_not_catch_up_missed_days(
    mailing: World, certificates: Certificates
) -> None:
    world = mailing
    today = world.clock().date()
    daily = remind(world, world.ana_case, send_on=today, repeats="daily")
    world.clock.advance(timedelta(days=5))  # the sender did not run for five days
    today = world.clock().date()
    send(world, certificates)
    following = world.read(
        lambda uow: uow.session.execute(
            select(Communication.send_on).where(Communication.previous_id == daily)
        ).scalar_one()
    )
    assert following == today + timedelta(days=1)


def test_a_custom_rule_that_has_run_out_makes_no_next_occurrence(
    mailing: World, certificates: Certificates
) -> None:
    world = mailing
    today = world.clock().date()
    last = remind(
        world, world.ana_case, send_on=today, repeats="custom",
        rrule=f"FREQ=WEEKLY;UNTIL={today:%Y%m%d}",
    )  # fmt: skip
    assert statuses(send(world, certificates)) == {last: "sent"}
    assert (
        world.read(
            lambda uow: uow.session.execute(
                select(Communication).where(Communication.previous_id == last)
            ).all()
        )
        == []
    )


def test_a_failed_repeating_reminder_makes_no_next_occurrence(
    mailing: World, smtp: SmtpServer, certificates: Certificates
) -> None:
    world = mailing
    weekly = remind(world, world.ana_case, repeats="weekly")
    smtp.answer_next("554 5.7.1 Rejected")
    assert statuses(send(world, certificates)) == {weekly: "failed"}
    assert world.read(lambda uow: uow.session.execute(select(Communication)).all()).__len__() == 1


# --- never twice: racing senders, a sender killed mid-batch ------------------------------------


def test_two_senders_racing_deliver_each_reminder_once(
    mailing: World, smtp: SmtpServer, certificates: Certificates
) -> None:
    world = mailing
    ids = [
        remind(world, case, f"Race {n} on {case}")
        for n in range(12)
        for case in (world.ana_case, world.ben_case, world.cara_case)
    ]
    server = server_of(world, certificates)
    url = world.db.engine.url.render_as_string(hide_password=False)
    start = threading.Barrier(2)
    passes: list[SendingPass] = []
    errors: list[BaseException] = []

    def sender() -> None:
        own = Database(make_engine(url), clock=world.clock)  # a sender of its own
        try:
            start.wait()
            passes.append(reminder_service.send_due(own, world.admin, server))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []

    sent = [o.id for done in passes for o in done.outcomes if o.status is SendStatus.SENT]
    assert sorted(sent) == sorted(ids)  # each sent by exactly one of them
    assert set(smtp.message_ids().values()) == {1} and len(smtp.message_ids()) == len(ids)
    assert set(smtp.subjects().values()) == {1}
    assert {reminder(world, i).reminder_state for i in ids} == {"sent"}


def test_a_sender_killed_mid_batch_never_sends_twice(
    mailing: World, smtp: SmtpServer, certificates: Certificates, tmp_path: Path
) -> None:
    world = mailing
    ids = [remind(world, world.ana_case, f"Batch {n}") for n in range(6)]
    staff_service.set_password(world.db, world.admin, "admin", "admin-password-1")
    smtp.stall_when(lambda envelope: b"Batch 2" in (envelope.original_content or b""))
    url = world.db.engine.url.render_as_string(hide_password=False)
    env = {
        **os.environ,
        "CASETUI_PASSWORD": "admin-password-1",
        "CASETUI_SMTP_PASSWORD": PASSWORD,
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    sender = subprocess.Popen(
        [sys.executable, "-m", "casetui", "--db", url, "--user", "admin", "reminders", "send",
         "--json", "--ca-file", str(certificates.ca_file)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert smtp.stalled.wait(60), sender.stderr.read().decode() if sender.stderr else ""
        sender.send_signal(signal.SIGKILL)
        sender.wait(10)
    finally:
        if sender.poll() is None:
            sender.kill()
        sender.communicate()
    smtp.release()
    assert sender.returncode == -signal.SIGKILL
    states = {i: reminder(world, i).reminder_state for i in ids}
    assert states == {ids[0]: "sent", ids[1]: "sent", ids[2]: "sending",
                      ids[3]: "scheduled", ids[4]: "scheduled", ids[5]: "scheduled"}  # fmt: skip

    # The next pass, once the claim is old enough to be an interrupted sender's.
    world.clock.set(datetime.now(UTC) + timedelta(minutes=11))
    second = send(world, certificates)

    assert statuses(second) == {ids[2]: "skipped", ids[3]: "sent", ids[4]: "sent", ids[5]: "sent"}
    interrupted = next(o for o in second.outcomes if o.id == ids[2])
    assert interrupted.detail.startswith("interrupted while sending")
    assert str(reminder(world, ids[2]).message_id) in interrupted.detail
    assert smtp.subjects() == {f"Batch {n}": 1 for n in range(6)}  # the stalled one too, once
    assert set(smtp.message_ids().values()) == {1}

    # A person checks the server's log and settles it; it is then never reported again.
    settled = reminder_service.settle(world.db, world.admin, ids[2], sent=True)
    assert settled.status is SendStatus.SENT
    assert reminder(world, ids[2]).reminder_state == "sent"
    assert send(world, certificates).outcomes == ()
    assert len(smtp.received) == 6


def test_a_claim_this_young_may_be_another_senders_and_is_left_to_it(
    mailing: World, smtp: SmtpServer, certificates: Certificates
) -> None:
    world = mailing
    reminder_id = remind(world, world.ana_case)
    smtp.stall_when(lambda envelope: True)
    with sender_of_its_own(world, server_of(world, certificates, timeout=30)) as first_pass:
        assert smtp.stalled.wait(30)  # the first sender holds it, waiting for the server
        world.clock.advance(timedelta(minutes=2))
        done = send(world, certificates)
        assert statuses(done) == {reminder_id: "skipped"}
        assert "by another sender, still at work or interrupted" in done.outcomes[0].detail
        smtp.release()
        assert statuses(first_pass()) == {reminder_id: "sent"}
    assert len(smtp.received) == 1


def test_settling_as_not_sent_sends_it_on_the_next_pass(
    mailing: World, smtp: SmtpServer, certificates: Certificates
) -> None:
    world = mailing
    reminder_id = remind(world, world.ana_case)
    # As a sender killed between its claim and the hand-over leaves a reminder: claimed, and
    # nothing sent. Only a crash gets there (test_a_sender_killed_mid_batch_never_sends_twice
    # makes one), so the state is written here.
    world.sql(
        "UPDATE communication SET reminder_state = 'sending', claimed_at = :at WHERE id = :id",
        at=world.clock() - timedelta(hours=1),
        id=reminder_id,
    )
    with pytest.raises(PermissionDenied):
        reminder_service.settle(world.db, world.ana, reminder_id, sent=False)
    settled = reminder_service.settle(world.db, world.admin, reminder_id, sent=False)
    assert settled.status is SendStatus.RETRY
    assert statuses(send(world, certificates)) == {reminder_id: "sent"}
    with pytest.raises(ValidationError, match="not sending"):
        reminder_service.settle(world.db, world.admin, reminder_id, sent=True)
    assert actions(world, reminder_id)[0] == "reminder.settled"


# --- a person and the sender at once: each move of the sender is a new version ---------------


def change(world: World, reminder_id: int, version: int | None, **changes: Any) -> Any:
    return world.run(
        comms.edit_communication, world.ana, reminder_id, comms.CommunicationChanges(**changes),
        expected_version=version,
    )  # fmt: skip


def test_an_edit_opened_before_the_reminder_went_overwrites_nothing(
    mailing: World, smtp: SmtpServer, certificates: Certificates
) -> None:
    world = mailing
    reminder_id = remind(world, world.ana_case, "Appointment on Tuesday")
    # Ana opens it in the editor...
    opened = world.run(
        comms.communication_context, world.ana, world.case_id(world.ana_case), reminder_id
    ).communication
    assert opened is not None and opened.state == "scheduled"
    # ...while the sender claims it and sends it: two new versions.
    assert statuses(send(world, certificates)) == {reminder_id: "sent"}
    assert reminder(world, reminder_id).version == opened.version + 2

    before = world.dump()
    for changes in ({"subject": "Appointment on Wednesday"}, {"send_on": "+3d"}):
        with pytest.raises(RuleError) as refused:
            change(world, reminder_id, opened.version, **changes)
        assert f"reminder {reminder_id} was sent on 2026-11-22 10:00" in str(refused.value)
    with pytest.raises(RuleError, match="only a scheduled or failed reminder can be cancelled"):
        world.run(comms.cancel_reminder, world.ana, reminder_id, expected_version=opened.version)
    with pytest.raises(StaleEdit, match="changed by Admin \\(admin\\)"):
        world.run(
            comms.delete_communication, world.ana, reminder_id, expected_version=opened.version
        )
    assert world.dump() == before
    assert smtp.subjects() == {"Appointment on Tuesday": 1}


def test_an_edit_from_before_a_retry_is_stale_and_naming_the_sender(
    mailing: World, smtp: SmtpServer, certificates: Certificates
) -> None:
    world = mailing
    reminder_id = remind(world, world.ana_case, "Appointment on Tuesday")
    opened = world.run(comms.open_communication, world.ana, reminder_id)
    smtp.answer_next("451 4.7.1 Greylisted, try again later")
    assert statuses(send(world, certificates)) == {reminder_id: "retry"}  # scheduled again

    before = world.dump()
    with pytest.raises(StaleEdit) as refused:
        change(world, reminder_id, opened.version, subject="Appointment on Wednesday")
    assert "changed by Admin (admin)" in str(refused.value)
    assert refused.value.current_version == opened.version + 2
    with pytest.raises(StaleEdit):
        world.run(comms.cancel_reminder, world.ana, reminder_id, expected_version=opened.version)
    assert world.dump() == before

    # Reopened, the edit saves and the retry stands: it goes after its wait, as edited.
    reopened = world.run(comms.open_communication, world.ana, reminder_id)
    edited = change(world, reminder_id, reopened.version, subject="Appointment on Wednesday")
    assert (edited.state, edited.attempts) == ("scheduled", 1)
    world.clock.advance(RETRY_WAITS[0])
    assert statuses(send(world, certificates)) == {reminder_id: "sent"}
    assert smtp.subjects() == {"Appointment on Wednesday": 1}


def test_a_reminder_the_sender_holds_is_not_cancelled_edited_or_deleted(
    mailing: World, smtp: SmtpServer, certificates: Certificates
) -> None:
    world = mailing
    reminder_id = remind(world, world.ana_case, "Appointment on Tuesday")
    opened = world.run(comms.open_communication, world.ana, reminder_id)
    smtp.stall_when(lambda envelope: True)
    with sender_of_its_own(world, server_of(world, certificates, timeout=30)) as sending:
        assert smtp.stalled.wait(30)  # handed to the server, no answer yet
        assert reminder(world, reminder_id).reminder_state == "sending"
        before = world.dump()
        for version in (opened.version, None):  # from the screen, and from the command line
            with pytest.raises(RuleError, match=f"reminder {reminder_id} is being sent since"):
                world.run(comms.cancel_reminder, world.ana, reminder_id, expected_version=version)
            with pytest.raises(RuleError, match="is being sent"):
                change(world, reminder_id, version, subject="Appointment on Wednesday")
            with pytest.raises(RuleError, match="is being sent"):
                world.run(
                    comms.delete_communication, world.ana, reminder_id, expected_version=version
                )
        assert world.dump() == before
        smtp.release()
        assert statuses(sending()) == {reminder_id: "sent"}
    row = reminder(world, reminder_id)
    assert (row.reminder_state, row.deleted_at) == ("sent", None)
    assert smtp.subjects() == {"Appointment on Tuesday": 1}


# --- the case's workers hear of a failed reminder, nobody else --------------------------------


def test_a_failed_reminder_is_told_to_the_cases_worker_and_navigators_only(
    mailing: World, smtp: SmtpServer, certificates: Certificates
) -> None:
    """Sam, the supervisor, writes it on Ben's case (Ana navigates it): Ben and Ana hear when
    it fails; its author, the sender's account and everyone else do not."""
    world = mailing
    item = comms.CommunicationInput(kind="reminder", subject="Rent statement", send_on="today")
    reminder_id = world.run(comms.add_communication, world.sam, world.ben_case, item).id
    smtp.answer_next("550 5.1.1 No such mailbox here")
    assert statuses(send(world, certificates)) == {reminder_id: "failed"}
    key = f"reminder-failed:{reminder_id}"
    assert notifications(world) == sorted(
        [(world.ben.id, "reminder_failed", key), (world.ana.id, "reminder_failed", key)]
    )


# --- who sends, and stopping ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["sam", "ana", "audrey"])
def test_only_administrators_send_reminders(
    mailing: World, smtp: SmtpServer, certificates: Certificates, who: str
) -> None:
    world = mailing
    remind(world, world.ana_case)
    server = server_of(world, certificates)
    before = world.dump()
    with pytest.raises(PermissionDenied, match="sending reminders is for administrators"):
        reminder_service.send_due(world.db, getattr(world, who), server)
    with pytest.raises(PermissionDenied):
        reminder_service.mail_settings(world.db, getattr(world, who))
    assert world.dump() == before and smtp.received == []


def test_a_pass_asked_to_stop_finishes_the_reminder_in_hand(
    mailing: World, smtp: SmtpServer, certificates: Certificates
) -> None:
    world = mailing
    ids = [remind(world, world.ana_case, f"Stop {n}") for n in range(4)]
    asked = iter([False, False, True])
    done = reminder_service.send_due(
        world.db, world.admin, server_of(world, certificates), stop=lambda: next(asked)
    )
    assert statuses(done) == {ids[0]: "sent", ids[1]: "sent"}
    assert (done.problem, done.left) == ("stopped when asked", 2)
    assert {reminder(world, i).reminder_state for i in ids[2:]} == {"scheduled"}
