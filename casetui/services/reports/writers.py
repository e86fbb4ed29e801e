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
# Any cell given as text is taken as already written the way the file has it (a report of many
# rows hands its times over so: "YYYY-MM-DD", "HH:MM", "YYYY-MM-DD HH:MM"). Every cell becomes
# text here, an empty one "" (as the csv module writes None).


def _csv_number(value: int | None) -> str:
    return "" if value is None else str(value)


def _csv_date(value: date | None) -> str:
    return "" if value is None else "%04d-%02d-%02d" % (value.year, value.month, value.day)  # noqa: UP031


def _csv_time(value: time | datetime | None) -> str:
    return "" if value is None else "%02d:%02d" % (value.hour, value.minute)  # noqa: UP031


def _csv_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return "%04d-%02d-%02d %02d:%02d" % (  # noqa: UP031
        value.year, value.month, value.day, value.hour, value.minute,
    )  # fmt: skip


def _csv_money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _csv_yes_no(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


_CSV: dict[Kind, Callable[[Any], str] | None] = {
    Kind.TEXT: None,  # checked for a formula's start, below: the most common cell
    Kind.NUMBER: _csv_number,
    Kind.DATE: _csv_date,
    Kind.TIME: _csv_time,
    Kind.DATETIME: _csv_datetime,
    Kind.MONEY: _csv_money,
    Kind.YES_NO: _csv_yes_no,
}


class CsvReport:
    """RFC 4180 rows in UTF-8 with a BOM, formula-looking text quoted (see the module).

    Most rows need nothing of the csv module: no cell holds a quote or a carriage return, and
    no text starts like a formula. Those are joined with commas here, a cell holding a comma
    or a line break put in quotes as the csv module would; any other row goes through the csv
    module itself. The
    file is the same byte for byte either way (tests/test_report_writers.py). Each check is a
    search for one character, which runs at the speed of memory; a search for two (",-") is
    several times slower and is made once. A batch's rows go to the file in one write.
    """

    def __init__(self, stream: IO[str], columns: Sequence[Column], *, header: bool = True) -> None:
        self._stream = stream
        self._lines: list[str] = []
        # The csv module writes its rows into the batch's lines, not the file.
        self._out = csv.writer(
            _Lines(self._lines), quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n"
        )
        self._commas = len(columns) - 1
        # Only the cells that need changing are touched: this runs for every cell of every row.
        self._text = [i for i, column in enumerate(columns) if column.kind is Kind.TEXT]
        self._convert = [
            (i, convert)
            for i, column in enumerate(columns)
            if (convert := _CSV[column.kind]) is not None
        ]
        if header:
            self._out.writerow([column.name for column in columns])
            self._flush()

    @classmethod
    def create(cls, path: Path, columns: Sequence[Column], *, header: bool = True) -> CsvReport:
        """A new file at ``path``; without ``header``, the rows alone (a later part of a
        report, to be appended to the first: no byte order mark, no header row)."""
        # newline="": the rows carry their own CRLF. The byte order mark is written by hand:
        # the utf-8-sig codec would encode every row in Python, not C.
        stream = path.open("w", encoding="utf-8", newline="", buffering=1 << 20)
        try:
            if header:
                stream.write("\ufeff")
            return cls(stream, columns, header=header)
        except BaseException:
            stream.close()
            raise

    def _starts_formula(self, cells: list[str]) -> bool:
        starts = FORMULA_STARTS
        return any(cells[i][:1] in starts for i in self._text)

    def _by_csv_module(self, cells: list[str]) -> None:
        starts = FORMULA_STARTS
        for i in self._text:
            text = cells[i]
            if text and text[0] in starts:
                cells[i] = "'" + text
        self._out.writerow(cells)

    def write_many(self, rows: Iterable[Sequence[Any]]) -> None:
        add = self._lines.append
        convert = self._convert
        commas = self._commas
        for row in rows:
            cells = list(row)
            for i, to_text in convert:
                value = cells[i]
                if value.__class__ is not str:
                    cells[i] = to_text(value)
            try:
                line = ",".join(cells)
            except TypeError:  # a text cell empty (None) or not text: as the csv module would
                cells = ["" if cell is None else str(cell) for cell in cells]
                line = ",".join(cells)
            if (
                '"' in line or "\r" in line
                # Might a cell start like a formula? Each starts the line or follows a comma;
                # any of these characters anywhere, and the cells are looked at one by one.
                or (
                    ("=" in line or "+" in line or "@" in line or "\t" in line
                     or line[:1] == "-" or ",-" in line)
                    and self._starts_formula(cells)
                )
            ):  # fmt: skip
                self._by_csv_module(cells)
            elif line.count(",") == commas and "\n" not in line:
                add(line + "\r\n")
            else:  # a comma or a line break in a cell, and nothing else to quote
                quoted = [
                    '"' + cell + '"' if "," in cell or "\n" in cell else cell for cell in cells
                ]
                add(",".join(quoted) + "\r\n")
        self._flush()

    def _flush(self) -> None:
        self._stream.write("".join(self._lines))
        self._lines.clear()

    def close(self) -> None:
        self._stream.close()


class _Lines:
    """A file for the csv module that keeps each line it writes in a list."""

    def __init__(self, lines: list[str]) -> None:
        self.write = lines.append


# --- XLSX ------------------------------------------------------------------------------------


def _xlsx_date(value: date | str) -> date:
    if isinstance(value, str):
        return date.fromisoformat(value)
    return value.date() if isinstance(value, datetime) else value


def _xlsx_time(value: time | datetime | str) -> time:
    if isinstance(value, str):
        value = time.fromisoformat(value)
    return time(value.hour, value.minute)


def _xlsx_datetime(value: datetime | str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
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
