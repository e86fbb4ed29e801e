"""The columns of each standard report: a name (the header cell) and what kind of value it holds.

The names of the notes report are the ones ``casetui import notes`` reads, so a report can be
read back by the importer. README has a table per report; keep the two together.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from casetui.domain.reports import ReportKind


class Kind(StrEnum):
    TEXT = "text"  # written as text, always: never a formula, a number or a link
    NUMBER = "number"  # a whole number (ids)
    DATE = "date"  # in the organisation's time zone
    TIME = "time"  # hours and minutes, in the organisation's time zone
    DATETIME = "datetime"  # to the minute, in the organisation's time zone
    MONEY = "money"  # an exact decimal with two places
    YES_NO = "yes_no"


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    width: int = 14  # in a spreadsheet, in characters


def _text(name: str, width: int = 18) -> Column:
    return Column(name, Kind.TEXT, width)


NOTE_COLUMNS = (
    Column("note_id", Kind.NUMBER, 9),
    _text("case_number", 13),
    _text("client_name", 22),
    Column("contact_date", Kind.DATE, 12),
    Column("contact_time", Kind.TIME, 8),
    _text("activity"),
    _text("contact_type"),
    _text("third_party"),
    _text("author", 12),
    _text("summary", 40),
    _text("details", 60),
    Column("restricted", Kind.YES_NO, 10),
    _text("team", 14),
    _text("pathway"),
    _text("case_status", 11),
    Column("created_at", Kind.DATETIME, 17),
)

COMMUNICATION_COLUMNS = (
    Column("communication_id", Kind.NUMBER, 9),
    _text("case_number", 13),
    _text("client_name", 22),
    Column("date", Kind.DATE, 12),
    _text("type", 10),
    _text("direction", 9),
    _text("subject", 40),
    _text("body", 60),
    _text("author", 12),
    _text("reminder_status", 12),
    Column("sent_at", Kind.DATETIME, 17),
    _text("team", 14),
    _text("pathway"),
    _text("case_status", 11),
)

SERVICE_COLUMNS = (
    Column("service_id", Kind.NUMBER, 9),
    _text("case_number", 13),
    _text("client_name", 22),
    Column("date", Kind.DATE, 12),
    _text("service_type"),
    _text("provider"),
    Column("amount", Kind.MONEY, 12),
    _text("currency", 8),
    _text("grant"),
    _text("justification", 50),
    _text("author", 12),
    _text("team", 14),
    _text("pathway"),
    _text("case_status", 11),
)

COLUMNS: dict[ReportKind, tuple[Column, ...]] = {
    ReportKind.NOTES: NOTE_COLUMNS,
    ReportKind.COMMUNICATIONS: COMMUNICATION_COLUMNS,
    ReportKind.SERVICES: SERVICE_COLUMNS,
}
