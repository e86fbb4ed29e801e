"""The report writers alone (no database): RFC 4180 CSV with a BOM and formula-looking text
quoted, XLSX with typed cells, a second sheet past a sheet's last row, no cell cut short."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casetui.domain.reports import ReportFormat
from casetui.services.reports.columns import Column, Kind
from casetui.services.reports.writers import (
    FORMULA_STARTS,
    XLSX_MAX_TEXT,
    CsvReport,
    XlsxReport,
    open_writer,
    spreadsheet_safe,
)

COLUMNS = (
    Column("id", Kind.NUMBER),
    Column("text", Kind.TEXT),
    Column("day", Kind.DATE),
    Column("at", Kind.TIME),
    Column("when", Kind.DATETIME),
    Column("amount", Kind.MONEY),
    Column("flag", Kind.YES_NO),
)
MOMENT = datetime(2026, 3, 29, 1, 30, 59)
ROW = (7, "=1+1", MOMENT, MOMENT, MOMENT, Decimal("12.50"), True)


def test_csv_is_rfc_4180_with_a_bom_and_one_header(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    writer = open_writer(ReportFormat.CSV, path, COLUMNS, "r")
    writer.write_many([ROW, (8, 'say "hi",\nbye', date(2026, 1, 2), time(9, 5), None, None, False)])
    writer.close()
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfid,text,day,at,when,amount,flag\r\n")
    assert raw.endswith(b"\r\n")
    assert b'"say ""hi"",\nbye"' in raw  # quoted only where needed, quotes doubled
    with path.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream))
    assert rows[1] == ["7", "'=1+1", "2026-03-29", "01:30", "2026-03-29 01:30", "12.50", "true"]
    assert rows[2] == ["8", 'say "hi",\nbye', "2026-01-02", "09:05", "", "", "false"]


@pytest.mark.parametrize("start", sorted(FORMULA_STARTS))
def test_every_formula_start_is_quoted(start: str) -> None:
    assert spreadsheet_safe(f"{start}cmd|' /C calc'!A0") == f"'{start}cmd|' /C calc'!A0"


@given(st.text())
def test_spreadsheet_safe_only_ever_adds_one_quote(text: str) -> None:
    safe = spreadsheet_safe(text)
    assert safe in (text, "'" + text)
    assert not safe or safe[0] not in FORMULA_STARTS


def test_xlsx_cells_are_typed(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    writer = XlsxReport(path, COLUMNS, "notes")
    writer.write_many([ROW])
    writer.close()
    book = openpyxl.load_workbook(path)
    sheet = book["notes"]
    assert [c.value for c in sheet[1]] == [c.name for c in COLUMNS]
    values = [c.value for c in sheet[2]]
    assert values == [7, "=1+1", datetime(2026, 3, 29), time(1, 30), datetime(2026, 3, 29, 1, 30),
                      12.5, True]  # fmt: skip
    assert sheet["B2"].data_type == "s"
    assert sheet["C2"].number_format == "yyyy-mm-dd" and sheet["F2"].number_format == "0.00"


def test_a_long_report_goes_on_in_a_second_sheet(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    writer = XlsxReport(path, COLUMNS, "notes", max_rows=4)  # a header and three rows a sheet
    writer.write_many([(i, f"row {i}", None, None, None, None, None) for i in range(7)])
    writer.close()
    book = openpyxl.load_workbook(path, read_only=True)
    assert book.sheetnames == ["notes", "notes 2", "notes 3"]
    ids = [
        row[0] for sheet in book.worksheets for row in sheet.iter_rows(min_row=2, values_only=True)
    ]
    headers = [next(sheet.iter_rows(values_only=True))[0] for sheet in book.worksheets]
    book.close()
    assert ids == list(range(7)) and headers == ["id", "id", "id"]


def test_a_cell_too_long_for_xlsx_is_refused_not_cut(tmp_path: Path) -> None:
    writer = XlsxReport(tmp_path / "r.xlsx", COLUMNS, "notes")
    with pytest.raises(ValueError, match="write this report as CSV"):
        writer.write_many([(1, "x" * (XLSX_MAX_TEXT + 1), None, None, None, None, None)])
    writer.close()


def test_csv_writer_takes_any_text_stream(tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = CsvReport(stream, COLUMNS[:2])
        writer.write_many([(1, "@home")])
    assert path.read_bytes() == b"id,text\r\n1,'@home\r\n"


# --- rows joined without the csv module: the same bytes ----------------------------------------

TEXTS = (
    Column("id", Kind.NUMBER),
    Column("a", Kind.TEXT),
    Column("b", Kind.TEXT),
    Column("flag", Kind.YES_NO),
    Column("c", Kind.TEXT),
)
# Characters that decide how a cell is written, often enough that hypothesis meets them.
DECIDING = st.sampled_from([",", '"', "\r", "\n", "\t", "=", "+", "-", "@", " ", "'", "é"])
CELL = st.none() | st.text(alphabet=DECIDING | st.characters(codec="utf-8"), max_size=12)


def by_csv_module(rows: list[tuple[object, ...]], columns: tuple[Column, ...]) -> bytes:
    """The file as the csv module alone writes it: every cell quoted by it, a formula's
    start quoted first, None and the other kinds as the writer documents them."""
    lines = io.StringIO(newline="")
    out = csv.writer(lines, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    out.writerow([column.name for column in columns])
    for row in rows:
        cells: list[object] = []
        for column, value in zip(columns, row, strict=True):
            if column.kind is Kind.TEXT:
                cells.append(spreadsheet_safe(value) if isinstance(value, str) else value)
            elif column.kind is Kind.YES_NO:
                cells.append(None if value is None else ("true" if value else "false"))
            else:
                cells.append(value)
        out.writerow(cells)
    return ("\ufeff" + lines.getvalue()).encode("utf-8")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 10**9), CELL, CELL, st.booleans() | st.none(), CELL),
        max_size=8,
    )
)
def test_csv_rows_are_byte_for_byte_what_the_csv_module_writes(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[object, ...]]
) -> None:
    path = tmp_path_factory.mktemp("csv") / "r.csv"
    writer = CsvReport.create(path, TEXTS)
    writer.write_many(rows)
    writer.close()
    assert path.read_bytes() == by_csv_module(rows, TEXTS)


def test_times_given_as_text_are_written_as_they_are(tmp_path: Path) -> None:
    """A report of many rows hands its local times over as text, already as the file has
    them: the CSV writes them as they are, the XLSX as the same date cells as a datetime."""
    as_text = (7, "=1+1", "2026-03-29", "01:30", "2026-03-29 01:30", Decimal("12.50"), True)
    csv_paths = (tmp_path / "text.csv", tmp_path / "datetime.csv")
    for path, row in zip(csv_paths, (as_text, ROW), strict=True):
        writer = CsvReport.create(path, COLUMNS)
        writer.write_many([row])
        writer.close()
    assert csv_paths[0].read_bytes() == csv_paths[1].read_bytes()
    cells = []
    for name, row in (("text", as_text), ("datetime", ROW)):
        path = tmp_path / f"{name}.xlsx"
        xlsx = XlsxReport(path, COLUMNS, "notes")
        xlsx.write_many([row])
        xlsx.close()
        sheet = openpyxl.load_workbook(path)["notes"]
        cells.append([(c.value, c.number_format) for c in sheet[2]])
    assert cells[0] == cells[1]
