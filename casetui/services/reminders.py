"""Sending reminders to clients: one pass over every reminder that is due.

For each due reminder, in this order:

1. **Take it** (one committed transaction): read it with its client as they are now, and ask
   the rule it was written under (``domain.reminders.recipient_problem``) again. A client
   whose record is no longer Active, or deleted, is refused (``cancelled``: the organisation
   does not write to them); a client without an email address too (the reminder ``failed``,
   the case's workers told). Otherwise the reminder is **claimed**: state
   ``sending``, the time and the Message-ID written by a compare-and-set on its version and
   state, so of two senders running at once exactly one claims it. Only then is the mail
   server given the message.
2. **Send it** over one connection kept for the pass.
3. **Record what the server said** (compare-and-set again, in the transaction that takes the
   next reminder, or one of its own after the last): ``sent`` (time, Message-ID, the server's
   answer; a repeating reminder's next occurrence is written in the same transaction),
   ``failed`` (5xx: the answer kept, the case's workers told), or back to ``scheduled`` with
   one more attempt and a wait before the next try (4xx, refused, timed out; the waits grow
   and after the last the reminder fails). When the message was handed over and no answer
   came, it stays ``sending``. Should the sender die before this is written, the reminder
   stays ``sending`` too: reported, never sent again on its own.

A reminder left ``sending`` (a sender killed mid-send, or no answer after the hand-over) is
never sent again on its own: every pass reports it until a person settles it (``settle``),
after looking for its Message-ID in the mail server's log.

Who sends: administrators, or an administrator account kept for the job (cron's). The
sender reads every case's reminders and the mail server's settings, which are theirs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from casetui.domain.actor import Actor
from casetui.domain.enums import NotificationKind, ReminderState
from casetui.domain.errors import NotFound, ValidationError
from casetui.domain.models import Communication
from casetui.domain.read_models.communications import ReminderRecipient
from casetui.domain.read_models.settings import SettingsView
from casetui.domain.reminders import (
    INTERRUPTED_AFTER,
    MAX_ATTEMPTS,
    RecipientProblem,
    ReminderOutcome,
    SendingPass,
    SendStatus,
    retry_wait,
)
from casetui.repositories.reminders import LeftSending, ReminderRepository
from casetui.services import audit, policy
from casetui.services.communications import next_occurrence
from casetui.services.mail import (
    Answer,
    Answered,
    Letter,
    LetterRefused,
    MailServer,
    MailServerProblem,
    MailServerUnreachable,
    Outbox,
    write_letter,
)
from casetui.services.notifications import notify_case
from casetui.services.work import Database, Work, reading, writing

SENDING = "sending reminders"


def mail_settings(db: Database, actor: Actor) -> SettingsView:
    """The settings the sender needs (its mail server): for those who may send."""
    policy.ensure_administrator(actor, SENDING)
    with reading(db, actor) as work:
        return work.settings


@dataclass(frozen=True)
class _Day:
    """The organisation's day and time zone, read once for a pass (not once a reminder)."""

    today: date
    zone: ZoneInfo


@dataclass(frozen=True)
class _Taken:
    """A reminder claimed by this pass: everything needed to send it and record the answer."""

    id: int
    version: int
    case_number: str
    letter: Letter


@dataclass(frozen=True)
class _Answered:
    """What the server said of a reminder this pass sent, not yet written down."""

    taken: _Taken
    answer: Answer


def send_due(
    db: Database,
    actor: Actor,
    server: MailServer,
    *,
    stop: Callable[[], bool] = lambda: False,
) -> SendingPass:
    """Try every due reminder once; report each, and each left ``sending`` before this pass.

    MailServerProblem is raised when the server cannot be used at all (not set up, its
    certificate not trusted, the sign-in refused) before any reminder was touched; after
    some were, the pass stops and says so in ``problem``. ``stop`` is asked between
    reminders: a pass asked to stop finishes the one in hand and leaves the rest as they are.
    """
    policy.ensure_administrator(actor, SENDING)
    with reading(db, actor) as work:
        found = ReminderRepository(work.session, actor)
        left = found.left_sending()
        day = _Day(work.today(), work.zone)
        due = found.due(day.today, work.now())
        outcomes = [_left_outcome(work, reminder) for reminder in left]
    unreachable: str | None = None
    answered: _Answered | None = None

    def step(reminder_id: int | None) -> _Taken | ReminderOutcome | None:
        """Write down the last answer and take the next reminder: one transaction."""
        nonlocal answered
        recorded, taken = _step(db, actor, server, day, answered, reminder_id, unreachable)
        answered = None
        if recorded is not None:
            outcomes.append(recorded)
        return taken

    def stopped(problem: str, left: int) -> SendingPass:
        step(None)
        return SendingPass(tuple(outcomes), problem, left=left)

    touched = False
    with Outbox(server) as outbox:
        for index, reminder_id in enumerate(due):
            if stop():
                return stopped("stopped when asked", len(due) - index)
            if unreachable is None and not outbox.is_open:
                try:
                    outbox.open()  # before any claim: a server that is down claims nothing
                except MailServerUnreachable as exc:
                    unreachable = exc.reason
                except MailServerProblem as exc:
                    if not touched:
                        raise
                    return stopped(str(exc), len(due) - index)
            taken = step(reminder_id)
            if taken is None:
                continue  # another sender has it, or a person changed it since the list was read
            touched = True
            if isinstance(taken, ReminderOutcome):
                outcomes.append(taken)
                continue
            try:
                answered = _Answered(taken, outbox.send(taken.letter))
            except MailServerUnreachable as exc:
                unreachable = exc.reason
                answered = _Answered(taken, Answer(Answered.TEMPORARY, exc.reason))
            except MailServerProblem as exc:  # on connecting again: nothing went
                answered = _Answered(taken, Answer(Answered.TEMPORARY, str(exc)))
                return stopped(str(exc), len(due) - index - 1)
        step(None)
    return SendingPass(tuple(outcomes))


def _step(
    db: Database,
    actor: Actor,
    server: MailServer,
    day: _Day,
    answered: _Answered | None,
    reminder_id: int | None,
    unreachable: str | None,
) -> tuple[ReminderOutcome | None, _Taken | ReminderOutcome | None]:
    """One transaction: the server's answer for the reminder sent last is written down, and
    the next reminder is taken. Its commit comes before the mail server hears of the next
    reminder; a claim in it waits for the disk, anything else need not (``commit_without_
    waiting_for_the_disk``). Returns the outcome recorded and what was taken."""
    if answered is None and reminder_id is None:
        return None, None
    with writing(db, actor) as work:
        reminders = ReminderRepository(work.session, actor)
        recorded = None
        if answered is not None:
            recorded = _record(work, reminders, day, answered.taken, answered.answer)
        taken = None
        if reminder_id is not None:
            taken = _take(work, reminders, server, day, reminder_id, unreachable)
        if not isinstance(taken, _Taken):
            reminders.commit_without_waiting_for_the_disk()
        work.commit()
        return recorded, taken


# --- taking a reminder -----------------------------------------------------------------------


def _refusal(to: ReminderRecipient) -> tuple[ReminderState, str] | None:
    """Why this client is not written to now (the rule a reminder was written under, asked
    again), and the state that leaves the reminder in: ``failed`` when a person can put it
    right (the workers are told), ``cancelled`` when the organisation does not write to the
    client at all."""
    problem = to.problem
    if problem is RecipientProblem.DELETED:
        return ReminderState.CANCELLED, "not sent: the client's record was deleted; cancelled"
    if problem is RecipientProblem.NOT_ACTIVE:
        return (
            ReminderState.CANCELLED,
            f"not sent: the client's record is {to.record_status}, not Active; cancelled",
        )
    if problem is RecipientProblem.NO_EMAIL:
        return ReminderState.FAILED, "not sent: the client has no email address"
    return None


def _take(
    work: Work,
    reminders: ReminderRepository,
    server: MailServer,
    day: _Day,
    reminder_id: int,
    unreachable: str | None,
) -> _Taken | ReminderOutcome | None:
    """Claim the reminder for this pass, or settle it without the server (a refusal, or a
    retry when the server is down). None: it is no longer this pass's to send, and nothing
    was written."""
    found = reminders.get_due(reminder_id, day.today, work.now())
    if found is None:
        return None
    row, to = found
    refusal = _refusal(to)
    letter: Letter | None = None
    if refusal is None and unreachable is None:
        try:
            letter = write_letter(
                server,
                client_name=to.client_name,
                email=to.email or "",
                subject=row.subject,
                body=row.body,
                at=work.now().astimezone(day.zone),
            )
        except LetterRefused as exc:
            refusal = ReminderState.FAILED, f"not sent: {exc.reason}"
    if refusal is not None:
        state, reason = refusal
        return _settle_unsent(work, reminders, row, to, state, reason)
    if unreachable is not None:
        return _temporary(work, reminders, day, row, to, ReminderState.SCHEDULED, unreachable)
    assert letter is not None
    claimed = reminders.move(
        row,
        ReminderState.SCHEDULED,
        reminder_state=ReminderState.SENDING.value,
        claimed_at=work.now(),
        message_id=letter.message_id,
    )
    if not claimed:
        return None
    _audit(work, work.actor, "reminder.sending", row, to_address=letter.recipient)
    return _Taken(reminder_id, row.version, to.case_number, letter)


def _settle_unsent(
    work: Work,
    reminders: ReminderRepository,
    row: Communication,
    to: ReminderRecipient,
    state: ReminderState,
    reason: str,
) -> ReminderOutcome | None:
    """Refused at send time: ``failed`` (the workers told) or ``cancelled``; reported skipped."""
    if state is ReminderState.FAILED:
        if _fail(work, reminders, row, to, ReminderState.SCHEDULED, reason) is None:
            return None
    else:
        if not reminders.move(
            row, ReminderState.SCHEDULED, reminder_state=state.value, server_answer=reason
        ):
            return None
        _audit(work, work.actor, "reminder.cancelled", row)
    return ReminderOutcome(_id(row), to.case_number, SendStatus.SKIPPED, reason)


# --- recording the answer --------------------------------------------------------------------


def _record(
    work: Work, reminders: ReminderRepository, day: _Day, taken: _Taken, answer: Answer
) -> ReminderOutcome:
    found = reminders.get(taken.id)
    row, to = found if found is not None else (None, None)
    if (
        row is None
        or to is None
        or row.version != taken.version
        or row.reminder_state != ReminderState.SENDING.value
    ):
        # A person settled or deleted it while it was with the server: theirs stands.
        said = {
            Answered.DELIVERED: SendStatus.SENT,
            Answered.PERMANENT: SendStatus.FAILED,
            Answered.TEMPORARY: SendStatus.RETRY,
            Answered.UNKNOWN: SendStatus.SKIPPED,
        }[answer.outcome]
        return ReminderOutcome(
            taken.id,
            taken.case_number,
            said,
            f"{answer.text}; the reminder was changed meanwhile and is left as it is now",
        )
    outcome: ReminderOutcome | None
    if answer.outcome is Answered.DELIVERED:
        outcome = _sent(work, reminders, day, row, to, answer.text)
    elif answer.outcome is Answered.PERMANENT:
        outcome = _fail(work, reminders, row, to, ReminderState.SENDING, answer.text)
    elif answer.outcome is Answered.TEMPORARY:
        outcome = _temporary(work, reminders, day, row, to, ReminderState.SENDING, answer.text)
    else:
        outcome = _unknown(work, reminders, row, to, answer.text)
    assert outcome is not None  # the version was checked above, in this transaction
    return outcome


def _sent(
    work: Work,
    reminders: ReminderRepository,
    day: _Day,
    row: Communication,
    to: ReminderRecipient,
    answer: str,
) -> ReminderOutcome | None:
    message_id = row.message_id or ""
    if not reminders.move(
        row,
        ReminderState.SENDING,
        reminder_state=ReminderState.SENT.value,
        sent_at=work.now(),
        server_answer=answer,
    ):
        return None
    following = _schedule_next(work, reminders, row, day.today)
    _audit(work, work.actor, "reminder.sent", row, next_occurrence=following)
    detail = f"sent as {message_id}"
    if following is not None:
        detail += f"; next on {following[1].isoformat()} (reminder {following[0]})"
    return ReminderOutcome(_id(row), to.case_number, SendStatus.SENT, detail)


def _fail(
    work: Work,
    reminders: ReminderRepository,
    row: Communication,
    to: ReminderRecipient,
    expected: ReminderState,
    reason: str,
    **values: object,
) -> ReminderOutcome | None:
    if not reminders.move(
        row,
        expected,
        reminder_state=ReminderState.FAILED.value,
        server_answer=reason,
        next_attempt_at=None,
        **values,
    ):
        return None
    _audit(work, work.actor, "reminder.failed", row)
    notify_case(
        work,
        row.case_id,
        NotificationKind.REMINDER_FAILED,
        f"Reminder to {to.client_name} not sent ({row.subject}): {reason}",
        event_key=f"reminder-failed:{row.id}",
    )
    return ReminderOutcome(_id(row), to.case_number, SendStatus.FAILED, reason)


def _temporary(
    work: Work,
    reminders: ReminderRepository,
    day: _Day,
    row: Communication,
    to: ReminderRecipient,
    expected: ReminderState,
    reason: str,
) -> ReminderOutcome | None:
    """A temporary failure: tried again after a growing wait, or failed after the last try."""
    attempts = row.attempts + 1
    wait = retry_wait(attempts)
    if wait is None:
        reason = f"{reason} (gave up after {attempts} tries)"
        return _fail(work, reminders, row, to, expected, reason, attempts=attempts)
    again = work.now() + wait
    if not reminders.move(
        row,
        expected,
        reminder_state=ReminderState.SCHEDULED.value,
        attempts=attempts,
        next_attempt_at=again,
        claimed_at=None,
        server_answer=reason,
    ):
        return None
    _audit(work, work.actor, "reminder.retry", row)
    when = again.astimezone(day.zone).strftime("%Y-%m-%d %H:%M")
    detail = f"{reason}; try {attempts + 1} of {MAX_ATTEMPTS} after {when}"
    return ReminderOutcome(_id(row), to.case_number, SendStatus.RETRY, detail)


def _unknown(
    work: Work,
    reminders: ReminderRepository,
    row: Communication,
    to: ReminderRecipient,
    answer: str,
) -> ReminderOutcome | None:
    """Handed over, no answer: left ``sending`` for a person, with what happened."""
    if not reminders.move(row, ReminderState.SENDING, server_answer=answer):
        return None
    _audit(work, work.actor, "reminder.unanswered", row)
    return ReminderOutcome(_id(row), to.case_number, SendStatus.SKIPPED, _check_words(row, answer))


def _schedule_next(
    work: Work, reminders: ReminderRepository, row: Communication, today: date
) -> tuple[int, date] | None:
    """A repeating reminder's next occurrence after today, written as a new reminder; None
    when it does not repeat or its rule has run out."""
    successor = next_occurrence(row, today, work.now())
    if successor is None or successor.send_on is None:
        return None
    successor_id = reminders.add_next(successor)
    audit.record(
        work,
        work.actor,
        "reminder.next",
        "communication",
        successor_id,
        case_id=row.case_id,
        after={
            "send_on": successor.send_on,
            "repeats": row.repeats,
            "rrule": row.rrule,
            "previous_id": row.id,
        },
    )
    return successor_id, successor.send_on


# --- left sending ----------------------------------------------------------------------------


def _check_words(row: Communication | LeftSending, answer: str | None) -> str:
    said = f" ({answer})" if answer else ""
    return (
        f"left sending{said}: never sent again on its own; look for Message-ID "
        f"{row.message_id or '(none)'} in the mail server's log, then casetui reminders settle "
        f"{row.id} --sent or --send-again"
    )


def _left_outcome(work: Work, reminder: LeftSending) -> ReminderOutcome:
    claimed = reminder.claimed_at
    if claimed is not None and work.now() - claimed < INTERRUPTED_AFTER:
        when = claimed.astimezone(work.zone).strftime("%H:%M:%S")
        detail = (
            f"claimed at {when} by another sender, still at work or interrupted: left to it; "
            f"Message-ID {reminder.message_id or '(none)'}"
        )
    else:
        when = claimed.astimezone(work.zone).strftime("%Y-%m-%d %H:%M") if claimed else "?"
        detail = f"interrupted while sending on {when}, " + _check_words(
            reminder, reminder.server_answer
        )
    return ReminderOutcome(reminder.id, reminder.case_number, SendStatus.SKIPPED, detail)


def settle(db: Database, actor: Actor, reminder_id: int, *, sent: bool) -> ReminderOutcome:
    """A person's word on a reminder left ``sending``, after checking the mail server: it went
    (``sent``: recorded so, and a repeating one's next occurrence is written), or it did not
    (scheduled again: the next pass sends it)."""
    policy.ensure_administrator(actor, "settling a reminder left sending")
    with writing(db, actor) as work:
        reminders = ReminderRepository(work.session, actor)
        found = reminders.get(reminder_id)
        if found is None:
            raise NotFound(f"no reminder {reminder_id}")
        row, to = found
        if row.reminder_state != ReminderState.SENDING.value:
            raise ValidationError(
                "reminder",
                f"reminder {reminder_id} is {row.reminder_state or 'not a reminder'}, not sending: "
                "there is nothing to settle",
            )
        checked = f"settled by {actor.username}"
        if sent:
            claimed_at = row.claimed_at or work.now()
            reminders.move(
                row,
                ReminderState.SENDING,
                reminder_state=ReminderState.SENT.value,
                sent_at=claimed_at,
                server_answer=f"{checked}: it went",
            )
            following = _schedule_next(work, reminders, row, work.today())
            _audit(work, actor, "reminder.settled", row, next_occurrence=following)
            detail = f"recorded as sent ({row.message_id or 'no Message-ID'})"
            if following is not None:
                detail += f"; next on {following[1].isoformat()} (reminder {following[0]})"
            status = SendStatus.SENT
        else:
            reminders.move(
                row,
                ReminderState.SENDING,
                reminder_state=ReminderState.SCHEDULED.value,
                claimed_at=None,
                next_attempt_at=None,
                server_answer=f"{checked}: it did not go, to be sent again",
            )
            _audit(work, actor, "reminder.settled", row)
            detail = "scheduled again: the next pass sends it"
            status = SendStatus.RETRY
        work.commit()
        return ReminderOutcome(reminder_id, to.case_number, status, detail)


# --- shared ----------------------------------------------------------------------------------


def _id(row: Communication) -> int:
    assert row.id is not None
    return row.id


def _audit(work: Work, actor: Actor, action: str, row: Communication, **extra: Any) -> None:
    """The reminder's delivery facts; never its body."""
    after: dict[str, Any] = {
        "state": row.reminder_state,
        "send_on": row.send_on,
        "attempts": row.attempts,
        "next_attempt_at": row.next_attempt_at,
        "claimed_at": row.claimed_at,
        "sent_at": row.sent_at,
        "message_id": row.message_id,
        "server_answer": row.server_answer,
        "version": row.version,
    }
    for key, value in extra.items():
        if value is not None:
            after[key] = list(value) if isinstance(value, tuple) else value
    audit.record(work, actor, action, "communication", row.id, case_id=row.case_id, after=after)
