"""Note locking, as pure arithmetic: services enforce it, read models display it.

A note brought in from another system (``imported``) is locked from the moment it arrives:
its lock period ran out in the system it came from. A note a supervisor has signed off is
locked from the moment of the sign-off, whatever its age.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import Enum

DEFAULT_LOCK_DAYS = 14


class NoteLock(Enum):
    """What the lock leaves a person free to do with a note (services decide which)."""

    OPEN = "open"  # not locked yet: edit and delete as any note
    OVERRIDE = "override"  # locked, but this person may override it, giving a reason
    LOCKED = "locked"  # locked for this person: an addendum is the way to add to it


def locks_at(created_at: datetime, lock_days: int, imported: bool = False) -> datetime:
    return created_at if imported else created_at + timedelta(days=lock_days)


def is_locked(
    created_at: datetime,
    lock_days: int,
    now: datetime,
    imported: bool = False,
    *,
    signed_off: bool = False,
) -> bool:
    """Locked from the moment ``lock_days`` have passed since the note was created (an
    imported note: from the moment it was imported; a signed-off note: from its sign-off)."""
    return signed_off or now >= locks_at(created_at, lock_days, imported)


def earliest_contact_date(today: date, lock_days: int) -> date:
    """A new note may not be backdated past the lock period."""
    return today - timedelta(days=lock_days)


def time_left(
    created_at: datetime, lock_days: int, now: datetime, imported: bool = False
) -> timedelta:
    return max(locks_at(created_at, lock_days, imported) - now, timedelta(0))


def describe_lock(
    created_at: datetime,
    lock_days: int,
    now: datetime,
    imported: bool = False,
    *,
    signed_off_at: datetime | None = None,
) -> str:
    """``locks in 3d 4h``, ``locked since 2026-11-08`` or ``signed off 2026-11-20, locked``
    for the editor and the timeline.

    The date is given in ``now``'s time zone: pass the organisation's local time.
    """
    if signed_off_at is not None:
        return f"signed off {signed_off_at.astimezone(now.tzinfo).date().isoformat()}, locked"
    when = locks_at(created_at, lock_days, imported)
    if now >= when:
        since = f"locked since {when.astimezone(now.tzinfo).date().isoformat()}"
        return f"{since} (imported)" if imported else since
    left = when - now
    days, hours = left.days, left.seconds // 3600
    if days:
        return f"locks in {days}d {hours}h"
    minutes = (left.seconds % 3600) // 60
    return f"locks in {hours}h {minutes}m" if hours else f"locks in {minutes}m"
