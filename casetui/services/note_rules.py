"""The rules a case note must meet: valid fields, contact dates within the lock period, the lock.

A note locks ``lock_days`` after it was created, or when a supervisor signs it off; a new
note may be backdated at most ``lock_days`` and never dated after today; a locked note
changes only with the ``override_lock`` grant and a reason, or by an addendum. The screens ask ``lock_state`` (via
``CaseAccess``) rather than keep a copy of this.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from casetui.domain.actor import Actor
from casetui.domain.dates import DateOrder, parse_date, parse_time
from casetui.domain.enums import ContactType, Grant
from casetui.domain.errors import NoteLocked, ValidationError
from casetui.domain.limits import DETAILS_MAX, NAME_MAX, REASON_MAX, SUMMARY_MAX
from casetui.domain.locking import NoteLock, earliest_contact_date, is_locked, locks_at
from casetui.domain.models import CaseNote
from casetui.services import validation
from casetui.services.work import Work


@dataclass(frozen=True)
class NoteInput:
    summary: str
    activity_type: str
    contact_date: str | date = "today"
    contact_time: str | time | None = None  # None: now, for a note about today
    contact_type: str = ContactType.CLIENT.value
    third_party_org: str | None = None
    details: str = ""
    restricted: bool = False


@dataclass(frozen=True)
class NoteChanges:
    """An edit: only the fields given change."""

    summary: str | None = None
    details: str | None = None
    activity_type: str | None = None
    contact_type: str | None = None
    third_party_org: str | None = None
    restricted: bool | None = None
    contact_date: str | date | None = None
    contact_time: str | time | None = None


@dataclass(frozen=True)
class ValidNote:
    contact_at: datetime
    activity_type: str
    contact_type: str
    third_party_org: str | None
    summary: str
    details: str
    restricted: bool


# --- validation ------------------------------------------------------------------------


def default_contact_time(day: date, today: date, local_now: datetime) -> time:
    """A contact time not given: now for a note about today, noon for an earlier day. The
    note editor shows the same until a time is typed; the command line leaves it to this."""
    return local_now.time().replace(second=0, microsecond=0) if day == today else time(12, 0)


def check_contact_at(
    uow: Work,
    day_in: str | date,
    time_in: str | time | None,
    *,
    imported: bool = False,
    fields: tuple[str, str] = ("contact date", "contact time"),
    records: str = "notes",
    order: DateOrder | None = None,
) -> datetime:
    """When the contact took place: not in the future, and no earlier than the backdating
    bound unless the note is ``imported`` (history brought in from another system).

    Communications are bounded the same way: they name their own ``fields`` and ``records``,
    and read a date in numbers in the organisation's ``order``."""
    day_field, time_field = fields
    settings = uow.settings
    today = uow.today()
    day = (
        day_in
        if isinstance(day_in, date)
        else parse_date(day_in, today, prefer="past", field=day_field, order=order)
    )
    if day > today:
        raise ValidationError(
            day_field, f"{day.isoformat()} is in the future; {records} record what has happened"
        )
    earliest = earliest_contact_date(today, settings.lock_days)
    if day < earliest and not imported:
        raise ValidationError(
            day_field,
            f"{day.isoformat()} is before {earliest.isoformat()}; {records} may be backdated "
            f"at most {settings.lock_days} days",
        )
    if time_in is None:
        at = default_contact_time(day, today, uow.local_now())
    elif isinstance(time_in, time):
        at = time_in
    else:
        at = parse_time(time_in, field=time_field)
    contact_at = uow.to_utc(day, at)
    if contact_at > uow.now():
        raise ValidationError(time_field, f"{at.strftime('%H:%M')} today has not happened yet")
    return contact_at


def check_contact(
    uow: Work, contact_type: str, third_party_org: str | None
) -> tuple[str, str | None]:
    kind = validation.one_of(contact_type, "contact type", uow.settings.contact_types)
    org = validation.optional_text(third_party_org, "third-party organisation", max_length=NAME_MAX)
    if kind == ContactType.THIRD_PARTY.value and not org:
        raise ValidationError("third-party organisation", "is required for a 3rd Party contact")
    if kind != ContactType.THIRD_PARTY.value:
        org = None
    return kind, org


def validate_note(uow: Work, note: NoteInput, *, imported: bool = False) -> ValidNote:
    """Every field of a new note checked, all refusals named at once; an ``imported`` note
    may be dated before the backdating bound."""
    fields = validation.Fields()
    summary = fields.check(
        validation.text,
        note.summary,
        "summary",
        max_length=SUMMARY_MAX,
        required=True,
        single_line=True,
    )
    activity = fields.check(
        validation.one_of, note.activity_type, "activity type", uow.settings.activity_types
    )
    kind, org = fields.check(check_contact, uow, note.contact_type, note.third_party_org) or (
        None,
        None,
    )
    details = fields.check(validation.text, note.details, "details", max_length=DETAILS_MAX)
    contact_at = fields.check(
        check_contact_at, uow, note.contact_date, note.contact_time, imported=imported
    )
    fields.done()
    return ValidNote(contact_at, activity, kind, org, summary, details, bool(note.restricted))


# --- the lock ----------------------------------------------------------------------------------


def lock_state(
    actor: Actor,
    created_at: datetime,
    lock_days: int,
    now: datetime,
    imported: bool = False,
    *,
    signed_off: bool = False,
) -> NoteLock:
    """Whether ``actor`` may edit or delete a note created at ``created_at``, lock-wise; an
    imported note is locked from the start, a signed-off one from its sign-off."""
    if not is_locked(created_at, lock_days, now, imported, signed_off=signed_off):
        return NoteLock.OPEN
    return NoteLock.OVERRIDE if actor.has(Grant.OVERRIDE_LOCK) else NoteLock.LOCKED


def lock_check(
    uow: Work, actor: Actor, note: CaseNote, reason: str | None, doing: str
) -> str | None:
    """None when the note is open; the override reason when a locked note may still change."""
    assert note.id is not None
    return record_lock_check(
        uow, actor, note.created_at, reason, doing,
        what=f"note {note.id}", imported=bool(note.imported),
        instead="anyone on the case may add an addendum instead",
        signed_off_at=uow.signoffs.approved_at(note.id),
    )  # fmt: skip


def record_lock_check(
    uow: Work,
    actor: Actor,
    created_at: datetime,
    reason: str | None,
    doing: str,
    *,
    what: str,
    imported: bool = False,
    instead: str | None = None,
    signed_off_at: datetime | None = None,
) -> str | None:
    """The note lock, for any record locked like a note (a note, a communication): None when
    it is open; the override reason when a locked record may still change; else NoteLocked.
    ``signed_off_at``: when a supervisor signed the note off, which locks it there and then."""
    lock_days = uow.settings.lock_days
    signed_off = signed_off_at is not None
    state = lock_state(actor, created_at, lock_days, uow.now(), imported, signed_off=signed_off)
    if state is NoteLock.OPEN:
        return None
    if signed_off_at is not None:
        locked = f"was signed off on {signed_off_at.astimezone(uow.zone).date().isoformat()}"
    else:
        when = locks_at(created_at, lock_days, imported).astimezone(uow.zone).date().isoformat()
        locked = f"is locked since {when} (imported)" if imported else f"is locked since {when}"
    cleaned = validation.text(reason, "reason", max_length=REASON_MAX)
    if state is NoteLock.LOCKED or not cleaned:
        raise NoteLocked(
            f"{what} {locked}; {doing} it needs the override_lock "
            "grant and a reason" + (f"; {instead}" if instead else "")
        )
    return cleaned
