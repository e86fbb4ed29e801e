"""A spreadsheet's cells as the fields want them: text, dates as spreadsheets write them,
times, yes/no, lists. Each refusal names the field; nothing here knows the database.

Dates: ISO (1990-04-03, also 1990/04/03 and 19900403), day/month/year or month/day/year as
the organisation's ``date_order`` says (dmy, mdy; ymd reads only year-first dates), a month
written as a word (3 Apr 1990), Excel serial numbers (32966), and real date cells from XLSX.
A two-digit year is refused: 03/04/25 may be 1925 or 2025.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from casetui.domain.dates import parse_time
from casetui.domain.errors import ValidationError
from casetui.services.imports.spreadsheet import Cell

DATE_ORDERS = ("dmy", "mdy", "ymd")
_YEAR_FIRST = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:(?:[ t]|, ?).*)?$")
_YEAR_LAST = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2,4})(?:(?:[ t]|, ?).*)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL = re.compile(r"^\d{1,7}(?:\.\d+)?$")
_MONTH_WORD = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b")
_FOUR_DIGIT_YEAR = re.compile(r"\b\d{4}\b")
_SECONDS = re.compile(r"^(\d{1,2}):(\d{2}):\d{2}(?:\.\d+)?(\s*[ap]m)?$")
_LIST_SEPARATOR = re.compile(r"[;,]")
SERIAL_MAX = 2_958_465  # 9999-12-31, the last day a spreadsheet can hold
_WORDS_MAX = 40  # a date or time longer than this is not one
YES = frozenset({"yes", "y", "true", "t", "1", "x", "restricted"})
NO = frozenset({"no", "n", "false", "f", "0", ""})


def text(cell: Cell) -> str:
    """The cell as text, as the spreadsheet shows it: 7700900123, not 7700900123.0."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "yes" if cell else "no"
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() and abs(cell) < 1e16 else repr(cell)
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == time() else cell.isoformat(" ")
    if isinstance(cell, date | time):
        return cell.isoformat()
    return str(cell)


def items(cell: Cell) -> tuple[str, ...]:
    """Several values in one cell, separated by ``;`` or ``,``."""
    return tuple(v.strip() for v in _LIST_SEPARATOR.split(text(cell)) if v.strip())


def yes_no(cell: Cell, field: str) -> bool:
    if isinstance(cell, bool):
        return cell
    if isinstance(cell, int | float) and cell in (0, 1):
        return bool(cell)
    word = text(cell).strip().casefold()
    if word in YES:
        return True
    if word in NO:
        return False
    raise ValidationError(field, f"{word[:20]!r} is not yes or no")


def moment(cell: Cell, order: str, field: str) -> tuple[date | None, time | None]:
    """A date cell (None when empty) and the time it holds too, if any (a datetime cell,
    an Excel serial with a fraction, "2025-03-04 14:30")."""
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return None, None
    if isinstance(cell, datetime):
        return cell.date(), (cell.time() if cell.time() != time() else None)
    if isinstance(cell, date):
        return cell, None
    if isinstance(cell, bool | time | timedelta):
        raise ValidationError(field, f"{text(cell)[:20]!r} is not a date")
    if isinstance(cell, int | float):
        return _serial(float(cell), field)
    raw = text(cell).strip()
    if len(raw) > _WORDS_MAX:
        raise ValidationError(field, f"is too long to be a date ({len(raw)} characters)")
    return _written(raw, raw.lower(), order, field)


def day(cell: Cell, order: str, field: str) -> date | None:
    return moment(cell, order, field)[0]


def _serial(number: float, field: str) -> tuple[date, time | None]:
    """An Excel serial number: days since 30 December 1899, a fraction being the time."""
    if not 1 <= number <= SERIAL_MAX:
        raise ValidationError(field, f"{text(number)!r} is not a date")
    whole = int(number)
    if whole == 60:
        raise ValidationError(field, "serial 60 is 29 February 1900, a day that never was")
    # Spreadsheets count 1900 as a leap year: serials before its false 29 February are a day on.
    start = date(1899, 12, 31) if whole < 60 else date(1899, 12, 30)
    found = start + timedelta(days=whole)
    seconds = round((number - whole) * 86_400)
    at = (datetime.min + timedelta(seconds=seconds)).time() if 0 < seconds < 86_400 else None
    return found, at


def _real(year: int, month: int, dom: int, raw: str, field: str) -> date:
    try:
        return date(year, month, dom)
    except ValueError:
        raise ValidationError(field, f"{raw!r} is not a real date") from None


def _time_after(raw: str, start: int, field: str) -> time | None:
    """The time written after a date ("03/04/2025 14:30"), if any; midnight is none."""
    rest = raw[start:].strip(" ,tT")
    if not rest:
        return None
    at = time_of(rest, field)
    return at if at not in (None, time()) else None


def _written(raw: str, lowered: str, order: str, field: str) -> tuple[date, time | None]:
    if _SERIAL.match(lowered) and not _COMPACT.match(lowered):
        return _serial(float(lowered), field)
    compact = _COMPACT.match(lowered)
    if compact:
        year, month, dom = (int(g) for g in compact.groups())
        return _real(year, month, dom, raw, field), None
    first = _YEAR_FIRST.match(lowered)
    if first:
        year, month, dom = (int(g) for g in first.groups())
        return _real(year, month, dom, raw, field), _time_after(lowered, first.end(3), field)
    last = _YEAR_LAST.match(lowered)
    if last:
        a, b, year_text = last.groups()
        if len(year_text) != 4:
            raise ValidationError(field, f"{raw!r}: write the year with four digits")
        if order == "ymd":
            raise ValidationError(
                field,
                f"{raw!r}: the organisation reads dates year first (date_order ymd); "
                "write it as YYYY-MM-DD",
            )
        dom, month = (int(a), int(b)) if order == "dmy" else (int(b), int(a))
        found = _real(int(year_text), month, dom, raw, field)
        return found, _time_after(lowered, last.end(3), field)
    if _MONTH_WORD.search(lowered) and _FOUR_DIGIT_YEAR.search(lowered):
        from dateutil import parser as dateutil_parser  # slow to import; only such dates need it

        try:
            parsed = dateutil_parser.parse(lowered, dayfirst=order != "mdy")
        except (ValueError, OverflowError):
            pass
        else:
            return parsed.date(), (parsed.time() if parsed.time() != time() else None)
    raise ValidationError(
        field, f"could not read {raw[:_WORDS_MAX]!r} as a date (write it as YYYY-MM-DD)"
    )


def time_of(cell: Cell, field: str) -> time | None:
    """A time cell: 14:30, 14:30:00, 2:30 pm, a time or datetime cell, or a fraction of a day."""
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return None
    if isinstance(cell, datetime):
        return cell.time()
    if isinstance(cell, time):
        return cell.replace(second=0, microsecond=0)
    if isinstance(cell, timedelta):
        seconds = int(cell.total_seconds())
        if 0 <= seconds < 86_400:
            return time(seconds // 3600, seconds // 60 % 60)
        raise ValidationError(field, f"{text(cell)!r} is not a time of day")
    if isinstance(cell, float) and 0 <= cell < 1:
        minutes = round(cell * 1440) % 1440
        return time(minutes // 60, minutes % 60)
    if isinstance(cell, bool | date):
        raise ValidationError(field, f"{text(cell)[:20]!r} is not a time")
    raw = text(cell).strip().lower()
    if len(raw) > _WORDS_MAX:
        raise ValidationError(field, f"is too long to be a time ({len(raw)} characters)")
    written = _SECONDS.match(raw)
    if written:  # 14:30:00 as 14:30: a note's time is to the minute
        raw = f"{written.group(1)}:{written.group(2)}{written.group(3) or ''}"
    return parse_time(raw, field=field)
