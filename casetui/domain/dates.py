"""Dates as people type them: ISO dates, ``today``, ``yesterday``, ``-3d``, ``+1w``, weekdays.

Relative forms are resolved against *today in the organisation's time zone*, which the
caller passes in, so the parser itself never reads a clock.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Literal

from dateutil.relativedelta import FR, MO, SA, SU, TH, TU, WE, relativedelta

from casetui.domain.errors import ValidationError

Direction = Literal["past", "future"]
# How the organisation writes a date in numbers (the setting ``date_order``): 03/04/1990 is
# 3 April (dmy), March 4 (mdy); ymd reads 1990/04/03.
DateOrder = Literal["dmy", "mdy", "ymd"]

_WEEKDAYS = {
    "monday": MO, "mon": MO,
    "tuesday": TU, "tue": TU, "tues": TU,
    "wednesday": WE, "wed": WE,
    "thursday": TH, "thu": TH, "thur": TH, "thurs": TH,
    "friday": FR, "fri": FR,
    "saturday": SA, "sat": SA,
    "sunday": SU, "sun": SU,
}  # fmt: skip
_OFFSET = re.compile(
    r"^([+-])\s*(\d{1,4})\s*(d|day|days|w|wk|week|weeks|m|month|months|y|year|years)?$"
)
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_WITH_MORE = re.compile(r"^\d{4}-\d{2}-\d{2}[t ]")
# Day and month both written as numbers (03/04/2026) mean different days to different people.
_AMBIGUOUS = re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b")
_NUMERIC = re.compile(r"^(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})$")
_MONTH_NAME = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b")
MAX_INPUT = 40


def parse_date(
    text: str,
    today: date,
    prefer: Direction = "past",
    field: str = "date",
    *,
    order: DateOrder | None = None,
) -> date:
    """Turn what a user typed into a date, or raise ValidationError naming ``field``.

    ``prefer`` settles bare weekday names: a contact date of ``monday`` is the last
    Monday (today if it is Monday); a due date of ``monday`` is the next one. ``order`` reads
    03/04/1990 the organisation's way; without it such a date is refused as ambiguous.
    """
    raw = (text or "").strip().lower()
    if not raw:
        raise ValidationError(field, "is required")
    if len(raw) > MAX_INPUT:
        raise ValidationError(field, f"is too long to be a date ({len(raw)} characters)")
    if raw in ("today", "now", "t"):
        return today
    if raw in ("yesterday", "y"):
        return today - timedelta(days=1)
    if raw == "tomorrow":
        return today + timedelta(days=1)
    match = _OFFSET.match(raw)
    if match:
        sign = 1 if match.group(1) == "+" else -1
        amount = int(match.group(2)) * sign
        unit = (match.group(3) or "d")[0]
        delta = {
            "d": relativedelta(days=amount),
            "w": relativedelta(weeks=amount),
            "m": relativedelta(months=amount),
            "y": relativedelta(years=amount),
        }[unit]
        try:
            return today + delta
        except (OverflowError, ValueError) as exc:
            raise ValidationError(field, f"{text.strip()!r} is out of range") from exc
    words = raw.split()
    if len(words) in (1, 2) and words[-1] in _WEEKDAYS:
        weekday = _WEEKDAYS[words[-1]]
        qualifier = words[0] if len(words) == 2 else None
        if qualifier not in (None, "last", "next", "this"):
            raise ValidationError(field, f"could not understand {text.strip()!r}")
        if qualifier == "last":
            # Strictly before today, as "next" is strictly after it.
            return today + relativedelta(days=-1, weekday=weekday(-1))
        if qualifier is None and prefer == "past":
            return today + relativedelta(weekday=weekday(-1))
        if qualifier == "next":
            return today + relativedelta(days=1, weekday=weekday(+1))
        return today + relativedelta(weekday=weekday(+1))
    if _ISO.match(raw):
        try:
            return date.fromisoformat(raw)
        except ValueError as exc:
            raise ValidationError(field, f"{text.strip()!r} is not a real date") from exc
    if _ISO_WITH_MORE.match(raw):
        # "2026-11-03T10:00" or "2026-11-03 10am": the date part is unambiguous, the rest is time.
        return parse_date(raw[:10], today, prefer, field)
    numeric = _NUMERIC.match(raw)
    if numeric and order is not None:
        return _in_order(numeric.groups(), order, today, text.strip(), field)
    if _AMBIGUOUS.search(raw):
        raise ValidationError(field, f"{text.strip()!r} is ambiguous; write it as YYYY-MM-DD")
    if _MONTH_NAME.search(raw):
        # "22 Nov 2026", "Nov 3": month names make day and month unambiguous.
        # Imported here: dateutil's parser takes 40 ms to import, on every start otherwise.
        from dateutil import parser as dateutil_parser

        try:
            default = datetime.combine(today, time())
            return dateutil_parser.parse(raw, default=default, dayfirst=True).date()
        except (ValueError, OverflowError):
            pass
    raise ValidationError(
        field, f"could not understand {text.strip()!r} (try 2026-11-03, today, -3d, +1w, monday)"
    )


def date_order(setting: str) -> DateOrder:
    """The organisation's ``date_order`` setting as a DateOrder (dmy when unknown)."""
    orders: dict[str, DateOrder] = {"dmy": "dmy", "mdy": "mdy", "ymd": "ymd"}
    return orders.get(setting, "dmy")


def _in_order(
    parts: tuple[str, ...], order: DateOrder, today: date, typed: str, field: str
) -> date:
    """Three numbers read in the organisation's order; a two-digit year is the latest one not
    after this year (a birth year of 84 is 1984)."""
    values = dict(zip(order, (int(p) for p in parts), strict=True))
    year = values["y"]
    if year < 100:
        year += 2000 if 2000 + year <= today.year else 1900
    try:
        return date(year, values["m"], values["d"])
    except ValueError as exc:
        wanted = "/".join({"d": "DD", "m": "MM", "y": "YYYY"}[c] for c in order)
        raise ValidationError(field, f"{typed!r} is not a real date (read as {wanted})") from exc


_TIME = re.compile(r"^(\d{1,2})(?::?(\d{2}))?\s*(am|pm)?$")


def parse_time(text: str, field: str = "time") -> time:
    """``14:30``, ``1430``, ``9``, ``2pm``, ``2:15pm``."""
    raw = (text or "").strip().lower()
    if not raw:
        raise ValidationError(field, "is required")
    match = _TIME.match(raw)
    if not match:
        raise ValidationError(field, f"could not understand {text.strip()[:20]!r} (try 14:30)")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    suffix = match.group(3)
    if suffix:
        if not 1 <= hour <= 12:
            raise ValidationError(field, f"{text.strip()!r} is not a time")
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if hour > 23 or minute > 59:
        raise ValidationError(field, f"{text.strip()!r} is not a time")
    return time(hour, minute)


def relative_age(then: datetime | None, now: datetime) -> str:
    """``3d ago`` style text for the caseload's last interaction column."""
    if then is None:
        return "never"
    seconds = (now - then).total_seconds()
    if seconds < 0:
        return "just now"
    minutes = seconds / 60
    if minutes < 60:
        return f"{int(minutes)}m ago" if minutes >= 1 else "just now"
    hours = minutes / 60
    if hours < 24:
        return f"{int(hours)}h ago"
    days = hours / 24
    if days < 14:
        return f"{int(days)}d ago"
    if days < 60:
        return f"{int(days // 7)}w ago"
    if days < 730:
        return f"{int(days // 30)}mo ago"
    return f"{int(days // 365)}y ago"
