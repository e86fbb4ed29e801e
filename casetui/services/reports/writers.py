"""Writing a report's rows to a file as they come: CSV or XLSX, neither ever holding the report.

Nothing here knows the database: rows arrive as plain values (text, whole numbers, dates,
times, datetimes, decimals, yes/no) in the order of the report's columns.

**CSV** is RFC 4180 (the csv module, minimal quoting, CRLF line endings) in UTF-8 with a byte
order mark, so spreadsheet programs read accented names right, with one header row. A text
cell a spreadsheet would run as a formula — one starting with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return — is written with a single quote in front (``'=SUM(A1)``), as OWASP
recommends against CSV injection: the spreadsheet shows it as text and runs nothing.

**XLSX** goes through xlsxwriter in constant-memory mode: each row is written out as soon as
the next begins. Text is written as text (``write_string``, never a formula, number or link),
so it needs no quote; dates, times and datetimes are date cells with a date format; amounts
are numbers shown with two decimals; yes/no are booleans. A sheet holds at most 1,048,576
rows, so a longer report goes on in a second sheet ("notes 2"), headed again.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Protocol

from casetui.domain.reports import ReportFormat
from casetui.services.reports.columns import Column, Kind

# What a spreadsheet takes for the start of a formula (OWASP, "CSV Injection").
FORMULA_STARTS = frozenset("=+-@\t\r")
XLSX_MAX_ROWS = 1_048_576  # rows in one sheet, the header included
XLSX_MAX_TEXT = 32_767  # characters in one cell


def spreadsheet_safe(text: str) -> str:
    """``text`` as a CSV cell a spreadsheet shows as text: a quote before a formula's start."""
    if text and text[0] in FORMULA_STARTS:
        return "'" + text
    return text


class ReportWriter(Protocol):
    def write_many(self, rows: Iterable[Sequence[Any]]) -> None: ...
    def close(self) -> None: ...


# --- CSV -------------------------------------------------------------------------------------


# A date cell takes a date or a local datetime (its day), a time cell a time or a local
# datetime (its hours and minutes), a datetime cell a local datetime (to the minute): one
# datetime serves a note's date and time cells alike. "%" formatting: isoformat is slower.


def _csv_date(value: date | None) -> str | None:
    return None if value is None else "%04d-%02d-%02d" % (value.year, value.month, value.day)  # noqa: UP031


def _csv_time(value: time | datetime | None) -> str | None:
    return None if value is None else "%02d:%02d" % (value.hour, value.minute)  # noqa: UP031


def _csv_datetime(value: datetime | None) -> str | None:
    if value is None:
        return None
    return "%04d-%02d-%02d %02d:%02d" % (  # noqa: UP031
        value.year, value.month, value.day, value.hour, value.minute,
    )  # fmt: skip


def _csv_money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _csv_yes_no(value: bool | None) -> str | None:
    return None if value is None else ("true" if value else "false")


_CSV: dict[Kind, Callable[[Any], Any] | None] = {
    Kind.TEXT: None,  # checked in line, below: the most common cell
    Kind.NUMBER: None,  # the csv module writes a whole number as its digits
    Kind.DATE: _csv_date,
    Kind.TIME: _csv_time,
    Kind.DATETIME: _csv_datetime,
    Kind.MONEY: _csv_money,
    Kind.YES_NO: _csv_yes_no,
}


class CsvReport:
    """RFC 4180 rows in UTF-8 with a BOM, formula-looking text quoted (see the module)."""

    def __init__(self, stream: IO[str], columns: Sequence[Column]) -> None:
        self._stream = stream
        self._out = csv.writer(stream, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        self._out.writerow([column.name for column in columns])
        # Only the cells that need changing are touched: this runs for every cell of every row.
        self._text = [i for i, column in enumerate(columns) if column.kind is Kind.TEXT]
        self._convert = [
            (i, convert)
            for i, column in enumerate(columns)
            if (convert := _CSV[column.kind]) is not None
        ]

    @classmethod
    def create(cls, path: Path, columns: Sequence[Column]) -> CsvReport:
        # newline="": the csv module writes the CRLF itself. The byte order mark is written
        # by hand: the utf-8-sig codec would encode every row in Python, not C.
        stream = path.open("w", encoding="utf-8", newline="", buffering=1 << 20)
        try:
            stream.write("\ufeff")
            return cls(stream, columns)
        except BaseException:
            stream.close()
            raise

    def _cells(self, row: Sequence[Any]) -> list[Any]:
        cells = list(row)
        starts = FORMULA_STARTS
        for i in self._text:
            text = cells[i]
            if text and text[0] in starts:
                cells[i] = "'" + text
        for i, convert in self._convert:
            cells[i] = convert(cells[i])
        return cells

    def write_many(self, rows: Iterable[Sequence[Any]]) -> None:
        self._out.writerows(map(self._cells, rows))

    def close(self) -> None:
        self._stream.close()


# --- XLSX ------------------------------------------------------------------------------------


def _xlsx_date(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _xlsx_time(value: time | datetime) -> time:
    return time(value.hour, value.minute)


def _xlsx_datetime(value: datetime) -> datetime:
    # A spreadsheet has no time zones: the local wall-clock time, to the minute.
    return datetime(value.year, value.month, value.day, value.hour, value.minute)


_XLSX_MOMENT: dict[Kind, Callable[[Any], date | time | datetime]] = {
    Kind.DATE: _xlsx_date,
    Kind.TIME: _xlsx_time,
    Kind.DATETIME: _xlsx_datetime,
}


class XlsxReport:
    """A workbook written a row at a time (xlsxwriter's constant-memory mode)."""

    def __init__(
        self, path: Path, columns: Sequence[Column], sheet: str, *, max_rows: int = XLSX_MAX_ROWS
    ) -> None:
        import xlsxwriter

        self._book = xlsxwriter.Workbook(
            str(path),
            {
                "constant_memory": True,
                # Belt and braces: text is written with write_string, which never converts.
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
                "tmpdir": str(path.parent),
            },
        )
        self._columns = list(columns)
        self._sheet_name = sheet
        self._max_rows = max_rows
        self._header = self._book.add_format({"bold": True})
        date_format = self._book.add_format({"num_format": "yyyy-mm-dd"})
        time_format = self._book.add_format({"num_format": "hh:mm"})
        datetime_format = self._book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        money_format = self._book.add_format({"num_format": "0.00"})
        self._formats = {
            Kind.DATE: date_format,
            Kind.TIME: time_format,
            Kind.DATETIME: datetime_format,
            Kind.MONEY: money_format,
        }
        self._sheets = 0
        self._new_sheet()

    def _new_sheet(self) -> None:
        self._sheets += 1
        name = self._sheet_name if self._sheets == 1 else f"{self._sheet_name} {self._sheets}"
        sheet = self._book.add_worksheet(name)
        for i, column in enumerate(self._columns):
            sheet.set_column(i, i, column.width)
            sheet.write_string(0, i, column.name, self._header)
        sheet.freeze_panes(1, 0)
        self._sheet = sheet
        self._row = 1
        self._cells = [self._cell_writer(i, column) for i, column in enumerate(self._columns)]

    def _cell_writer(self, i: int, column: Column) -> Callable[[int, Any], None]:
        sheet = self._sheet
        if column.kind is Kind.TEXT:

            def text(row: int, value: str | None) -> None:
                if not value:
                    return
                if len(value) > XLSX_MAX_TEXT:
                    # A cell cut short would misreport the record: refuse rather than lose it.
                    raise ValueError(
                        f"{column.name} holds {len(value):,} characters; an XLSX cell holds "
                        f"{XLSX_MAX_TEXT:,}: write this report as CSV"
                    )
                sheet.write_string(row, i, value)

            return text
        if column.kind is Kind.NUMBER:
            return lambda row, value: None if value is None else sheet.write_number(row, i, value)
        if column.kind is Kind.YES_NO:
            return lambda row, value: None if value is None else sheet.write_boolean(row, i, value)
        if column.kind is Kind.MONEY:
            money = self._formats[Kind.MONEY]
            # Two decimal places of at most 12 digits: exact in a double, as a spreadsheet keeps it.
            return lambda row, value: (
                None if value is None else sheet.write_number(row, i, float(value), money)
            )
        shown = self._formats[column.kind]
        as_cell = _XLSX_MOMENT[column.kind]
        return lambda row, value: (
            None if value is None else sheet.write_datetime(row, i, as_cell(value), shown)
        )

    def write_many(self, rows: Iterable[Sequence[Any]]) -> None:
        for row in rows:
            if self._row >= self._max_rows:
                self._new_sheet()
            at = self._row
            for cell, value in zip(self._cells, row, strict=True):
                cell(at, value)
            self._row += 1

    def close(self) -> None:
        self._book.close()


def open_writer(
    format: ReportFormat, path: Path, columns: Sequence[Column], sheet: str
) -> ReportWriter:
    if format is ReportFormat.XLSX:
        return XlsxReport(path, columns, sheet)
    return CsvReport.create(path, columns)
