"""Repeating follow-up tasks: the next due date after one is completed."""

from __future__ import annotations

from datetime import date, datetime, time

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, rrule, rrulestr

from casetui.domain.enums import Repeats
from casetui.domain.errors import ValidationError

RRULE_MAX = 500


def validate_rrule(text: str, start: date) -> str:
    """Check an RFC 5545 RRULE (with or without the ``RRULE:`` prefix); return it tidied."""
    rule = (text or "").strip()
    if rule.upper().startswith("RRULE:"):
        rule = rule[6:]
    if not rule:
        raise ValidationError("repeats", "a custom repeat needs an RRULE such as FREQ=WEEKLY;BYDAY=MO")
    if len(rule) > RRULE_MAX:
        raise ValidationError("repeats", f"the RRULE is longer than {RRULE_MAX} characters")
    try:
        rrulestr(rule, dtstart=datetime.combine(start, time()))
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ValidationError("repeats", f"not a valid RRULE: {exc}") from exc
    return rule.upper()


def next_due(repeats: Repeats, due_on: date, rule: str | None = None) -> date | None:
    """The occurrence after ``due_on``; None when the task does not repeat or the rule ran out."""
    start = datetime.combine(due_on, time())
    if repeats is Repeats.NONE:
        return None
    if repeats is Repeats.CUSTOM:
        if not rule:
            return None
        recurrence = rrulestr(rule, dtstart=start)
    else:
        freq, interval = {
            Repeats.DAILY: (DAILY, 1),
            Repeats.WEEKLY: (WEEKLY, 1),
            Repeats.FORTNIGHTLY: (WEEKLY, 2),
            Repeats.MONTHLY: (MONTHLY, 1),
        }[repeats]
        # bymonthday=-1 would be wrong for the 31st: dateutil skips short months, so
        # a task due on the 31st moves to the last day of the next month instead.
        if freq == MONTHLY and due_on.day > 28:
            from dateutil.relativedelta import relativedelta

            return due_on + relativedelta(months=1)
        recurrence = rrule(freq, interval=interval, dtstart=start)
    following = recurrence.after(start, inc=False)  # type: ignore[union-attr]
    return following.date() if following else None
