"""Repeating follow-up tasks: the next due date after one is completed.

Custom repeats are RFC 5545 RRULEs, limited to what a task can mean: whole days, at least
one occurrence. A COUNT is turned into the UNTIL date it implies when the rule is saved, so
the series stays anchored however many times it is completed.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Literal, Protocol, cast

from dateutil.relativedelta import relativedelta
from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule, rrulestr

from casetui.domain.enums import Repeats
from casetui.domain.errors import ValidationError

RRULE_MAX = 500
# How far ahead a rule must produce an occurrence to be accepted.
HORIZON = relativedelta(years=10)
_WHOLE_DAY_FREQS = (YEARLY, MONTHLY, WEEKLY, DAILY)
_SUB_DAY_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")
# The frequencies rrule takes: dateutil's YEARLY (0) to SECONDLY (6).
_Frequency = Literal[0, 1, 2, 3, 4, 5, 6]


class _RuleFields(Protocol):
    """What dateutil parsed out of a rule. It keeps these private, with no accessor, so its
    type stubs leave them out."""

    _freq: int
    _interval: int
    _until: datetime | None
    _count: int | None


def _fields(recurrence: rrule) -> _RuleFields:
    return cast(_RuleFields, recurrence)


def _refuse(message: str) -> ValidationError:
    return ValidationError("repeats", message)


def _parts(rule: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for part in rule.split(";"):
        key, sep, value = part.partition("=")
        if not sep or not key or not value:
            raise _refuse(f"{part!r} is not NAME=VALUE")
        if key in parts:
            raise _refuse(f"{key} is given twice")
        parts[key] = value
    return parts


def validate_rrule(text: str, start: date) -> str:
    """Check a custom repeat for a task first due on ``start``; return it tidied."""
    rule = (text or "").strip().upper()
    if rule.startswith("RRULE:"):
        rule = rule[6:].strip()
    if not rule:
        raise _refuse("a custom repeat needs an RRULE such as FREQ=WEEKLY;BYDAY=MO")
    if len(rule) > RRULE_MAX:
        raise _refuse(f"the RRULE is longer than {RRULE_MAX} characters")
    if any(ch in rule for ch in ":\n\r") or not rule.isprintable():
        raise _refuse("give one RRULE line only (FREQ=...;...), without DTSTART, EXDATE or RDATE")
    parts = _parts(rule)
    if "UNTIL" in parts:
        # A task falls due on a day; a UTC marker only trips dateutil's time zone check.
        parts["UNTIL"] = parts["UNTIL"].removesuffix("Z")
    if any(key in parts for key in _SUB_DAY_PARTS):
        raise _refuse("tasks repeat by whole days; leave out BYHOUR, BYMINUTE and BYSECOND")
    if not _month_days_exist(parts):
        raise _refuse("this rule has no date in the next ten years")
    tidy = ";".join(f"{k}={v}" for k, v in parts.items())
    begin = datetime.combine(start, time())
    try:
        recurrence = rrulestr(tidy, dtstart=begin)
        if not isinstance(recurrence, rrule):
            raise _refuse("give one RRULE line only")
        fields = _fields(recurrence)
        if fields._freq not in _WHOLE_DAY_FREQS:  # noqa: SLF001 - dateutil exposes no accessor
            raise _refuse(
                "tasks repeat daily at the finest (FREQ=DAILY, WEEKLY, MONTHLY or YEARLY)"
            )
        if fields._interval < 1:  # noqa: SLF001
            raise _refuse("INTERVAL must be 1 or more")
        until = fields._until  # noqa: SLF001
        horizon = begin + HORIZON
        bounded = recurrence.replace(count=None, until=min(until, horizon) if until else horizon)
        occurrences = list(bounded.xafter(begin, count=2, inc=True))
        last = _last_of_count(recurrence, fields._count, horizon) if fields._count else None  # noqa: SLF001
    except ValidationError:
        raise
    except Exception as exc:  # noqa: BLE001 - dateutil raises many types for bad rules
        raise _refuse(f"not a valid RRULE: {exc}") from exc
    if not occurrences:
        raise _refuse("this rule has no date in the next ten years")
    if last is not None:
        parts.pop("COUNT")
        parts["UNTIL"] = last.strftime("%Y%m%d")
        tidy = ";".join(f"{k}={v}" for k, v in parts.items())
        if len(tidy) > RRULE_MAX:
            raise _refuse(f"the RRULE is longer than {RRULE_MAX} characters")
    return tidy


# The most days each month can have (February in a leap year).
_LONGEST_MONTH = {
    1: 31,
    2: 29,
    3: 31,
    4: 30,
    5: 31,
    6: 30,
    7: 31,
    8: 31,
    9: 30,
    10: 31,
    11: 30,
    12: 31,
}


def _month_days_exist(parts: dict[str, str]) -> bool:
    """False for days no month given has (BYMONTH=2;BYMONTHDAY=31): dateutil would search
    every year to 9999 for one, seconds of a frozen save. Anything unreadable is left to it."""
    if "BYMONTHDAY" not in parts:
        return True
    try:
        days = [int(d) for d in parts["BYMONTHDAY"].split(",")]
        months = [int(m) for m in parts["BYMONTH"].split(",")] if "BYMONTH" in parts else []
    except ValueError:
        return True
    lengths = [_LONGEST_MONTH[m] for m in months if m in _LONGEST_MONTH] or [31]
    return any(0 < abs(day) <= length for day in days for length in lengths)


def _last_of_count(recurrence: rrule, count: int, horizon: datetime) -> datetime | None:
    """The date a COUNT ends on, read no further than the horizon: a count that runs past it
    (COUNT=2200000000) would otherwise be walked day by day to the year 9999."""
    within = list(recurrence.replace(count=None, until=horizon))[:count]
    if len(within) < count:
        raise _refuse("this rule runs on past ten years; give fewer occurrences or an UNTIL date")
    return within[-1] if within else None


def next_due(repeats: Repeats, due_on: date, rule: str | None = None) -> date | None:
    """The occurrence after ``due_on``; None when the task does not repeat or the rule ran out."""
    if repeats is Repeats.NONE:
        return None
    if repeats is Repeats.MONTHLY:
        # dateutil skips months too short for the day (31 Jan -> 31 Mar); a task due on the
        # 31st is due again on the last day of the next month instead.
        return due_on + relativedelta(months=1)
    start = datetime.combine(due_on, time())
    if repeats is Repeats.CUSTOM:
        if not rule:
            return None
        recurrence = rrulestr(rule, dtstart=start)
        if not isinstance(recurrence, rrule):  # validate_rrule lets no other kind be saved
            raise _refuse("give one RRULE line only")
        fields = _fields(recurrence)
        until = fields._until  # noqa: SLF001
        # Bounded, so a rule that never occurs again does not search to the year 9999.
        bounded = (
            recurrence
            if fields._count  # noqa: SLF001
            else recurrence.replace(until=min(until, start + HORIZON) if until else start + HORIZON)
        )
    else:
        fixed: dict[Repeats, tuple[_Frequency, int]] = {
            Repeats.DAILY: (DAILY, 1),
            Repeats.WEEKLY: (WEEKLY, 1),
            Repeats.FORTNIGHTLY: (WEEKLY, 2),
        }
        freq, interval = fixed[repeats]
        bounded = rrule(freq, interval=interval, dtstart=start)
    following = bounded.after(start, inc=False)
    return following.date() if following else None


def next_after(
    repeats: Repeats, start: date, rule: str | None, after: date, *, steps: int = 5000
) -> date | None:
    """The first occurrence of a series from ``start`` that falls after ``after``: a reminder
    sent late is not sent again for the days it missed. None when the series does not repeat,
    has run out, or has no such day within ``steps`` occurrences."""
    day = start
    for _ in range(steps):
        following = next_due(repeats, day, rule)
        if following is None:
            return None
        day = following
        if day > after:
            return day
    return None
