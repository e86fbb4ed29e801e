"""The report writers alone (no database): RFC 4180 CSV with a BOM and formula-looking text
quoted, XLSX with typed cells, a second sheet past a sheet's last row, no cell cut short."""

from __future__ import annotations

import csv
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
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
