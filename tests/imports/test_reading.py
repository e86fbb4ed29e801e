"""Reading spreadsheets as their owners see them: encodings, separators, quoted line breaks,
blank rows, trailing columns, XLSX cells; dates as spreadsheets write them; headers matched
to fields. No database here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
import pytest

from casetui.domain.errors import ImportRefused, ValidationError
from casetui.services.imports import cells
from casetui.services.imports.columns import CLIENT_FIELDS, match, parse_map
from casetui.services.imports.spreadsheet import Row, column_letter, open_sheet

from .conftest import WriteFile


def read(path: Path, encoding: str | None = None) -> tuple[str, tuple[str, ...], list[Row]]:
    with open_sheet(path, encoding) as sheet:
        return sheet.read_as, sheet.headers, list(sheet.rows())


# --- encodings ---------------------------------------------------------------------------------


def test_utf8_with_a_byte_order_mark_reads_its_first_header_plainly(write_csv: WriteFile) -> None:
    path = write_csv([["Name", "Email"], ["Zoë Smith", "zoe@example.org"]], bom=True)
    read_as, headers, rows = read(path)
    assert (read_as, headers) == ("UTF-8", ("Name", "Email"))
    assert rows == [Row(2, ("Zoë Smith", "zoe@example.org"))]


def test_a_file_that_is_not_utf8_is_read_as_windows_1252(write_csv: WriteFile) -> None:
    names = ["Zoë Smith", "Ñúñez García", "Søren Ødegård", "Renée O’Brien"]  # ’ is 0x92 there
    path = write_csv([["name"], *[[n] for n in names]], encoding="cp1252")
    read_as, _, rows = read(path)
    assert read_as == "Windows-1252"
    assert [r.cells[0] for r in rows] == names


def test_utf8_names_beyond_windows_1252_stay_whole(write_csv: WriteFile) -> None:
    names = ["Łukasz Nowak", "Ирина Петрова", "Nguyễn Thị Hà", "陳大文"]
    read_as, _, rows = read(write_csv([["name"], *[[n] for n in names]]))
    assert read_as == "UTF-8"
    assert [r.cells[0] for r in rows] == names


def test_a_named_encoding_is_used_as_named(write_csv: WriteFile) -> None:
    path = write_csv([["name"], ["Łukasz Żółć"]], encoding="cp1250")
    read_as, _, rows = read(path, "cp1250")
    assert (read_as, rows[0].cells[0]) == ("cp1250", "Łukasz Żółć")
    # Left to itself the same file is Windows-1252, and the names show it wrong: the dry run
    # prints them so a person sees it.
    assert read(path)[2][0].cells[0] != "Łukasz Żółć"


def test_a_file_that_is_not_the_named_encoding_is_refused_naming_the_row(
    write_bytes: Callable[[bytes, str], Path],
) -> None:
    path = write_bytes(b"name\r\nAnna\r\nZo\xeb\r\n", "people.csv")
    with pytest.raises(ImportRefused, match="not valid UTF-8: line 3 holds the byte 0xeb"):
        read(path, "utf-8")


def test_an_unknown_encoding_is_refused(write_csv: WriteFile) -> None:
    with pytest.raises(ImportRefused, match="'klingon' is not an encoding"):
        read(write_csv([["name"], ["A"]]), "klingon")


def test_bytes_windows_1252_leaves_undefined_are_kept_visible_not_refused(
    write_bytes: Callable[[bytes, str], Path],
) -> None:
    _, _, rows = read(write_bytes(b"name\r\nA\x81B \xe9\r\n", "people.csv"))
    assert rows[0].cells == ("A\x81B é",)


# --- separators, quotes, blank rows, trailing columns -------------------------------------------


@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_the_separator_is_read_from_the_header_line(write_csv: WriteFile, separator: str) -> None:
    path = write_csv(
        [["Name", "Phone", "Tags"], ["Smith, Ann", "0161 496 0000", "rent; arrears"]],
        delimiter=separator,
    )
    _, headers, rows = read(path)
    assert headers == ("Name", "Phone", "Tags")
    assert rows[0].cells == ("Smith, Ann", "0161 496 0000", "rent; arrears")


def test_a_line_break_in_a_quoted_cell_stays_in_the_cell_and_rows_count_as_shown(
    write_bytes: Callable[[bytes, str], Path],
) -> None:
    data = (
        b"\r\n"  # a blank line before the header: the header is row 2
        b"name;details\r\n"
        b'Ann;"first line\r\nsecond line"\r\n'
        b"\r\n"
        b";\r\n"  # a row of empty cells is blank too
        b"Bob;x\r\n"
    )
    _, headers, rows = read(write_bytes(data, "people.csv"))
    assert headers == ("name", "details")
    assert rows == [Row(3, ("Ann", "first line\r\nsecond line")), Row(6, ("Bob", "x"))]


def test_a_header_cell_with_a_line_break_still_gives_the_separator(
    write_bytes: Callable[[bytes, str], Path],
) -> None:
    data = b'"date of\nbirth";name\n1990-04-03;Ann\n'
    _, headers, rows = read(write_bytes(data, "people.csv"))
    assert headers == ("date of\nbirth", "name")
    assert rows == [Row(2, ("1990-04-03", "Ann"))]  # one row, however many lines


def test_trailing_empty_columns_are_left_out(write_csv: WriteFile) -> None:
    path = write_csv([["name", "email", "", ""], ["Ann", "a@example.org", "", ""]])
    _, headers, rows = read(path)
    assert headers == ("name", "email")
    assert rows[0].cells[:2] == ("Ann", "a@example.org")


def test_an_empty_file_is_refused(write_bytes: Callable[[bytes, str], Path]) -> None:
    with pytest.raises(ImportRefused, match="is empty: there is no header row"):
        read(write_bytes(b"\r\n\r\n", "people.csv"))


def test_an_old_excel_workbook_is_refused_with_what_to_do(
    write_bytes: Callable[[bytes, str], Path],
) -> None:
    with pytest.raises(ImportRefused, match=r"old Excel \.xls workbook; save it as \.xlsx"):
        read(write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "people.xls"))


def test_a_damaged_workbook_is_one_refusal(write_bytes: Callable[[bytes, str], Path]) -> None:
    with pytest.raises(ImportRefused, match="could not be read as an XLSX workbook"):
        read(write_bytes(b"PK\x03\x04 not really a zip", "people.xlsx"))


# --- XLSX ----------------------------------------------------------------------------------------


def test_an_xlsx_first_sheet_is_read_with_its_typed_cells(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Name", "Date of birth", "Phone", None])
    sheet.append(["Zoë Smith", date(1990, 4, 3), 7700900123, None])
    sheet.append([])
    sheet.append(["Ирина Петрова", 33000, "07700 900456"])
    book.create_sheet("Other").append(["ignored"])
    path = tmp_path / "people.xlsx"
    book.save(path)
    read_as, headers, rows = read(path)
    assert (read_as, headers) == ("XLSX", ("Name", "Date of birth", "Phone"))
    assert [r.number for r in rows] == [2, 4]
    assert rows[0].cells[:3] == ("Zoë Smith", datetime(1990, 4, 3), 7700900123)
    assert cells.text(rows[0].cells[2]) == "7700900123"
    assert cells.day(rows[1].cells[1], "dmy", "date_of_birth") == date(1990, 5, 7)


# --- dates, times, yes and no -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "order", "meant"),
    [
        ("1990-04-03", "dmy", date(1990, 4, 3)),
        ("1990/04/03", "mdy", date(1990, 4, 3)),
        ("19900403", "dmy", date(1990, 4, 3)),
        ("03/04/1990", "dmy", date(1990, 4, 3)),
        ("03/04/1990", "mdy", date(1990, 3, 4)),
        ("3.4.1990", "dmy", date(1990, 4, 3)),
        ("03-04-1990 00:00", "dmy", date(1990, 4, 3)),
        ("1990-04-03T00:00:00", "mdy", date(1990, 4, 3)),
        ("3 Apr 1990", "mdy", date(1990, 4, 3)),
        ("April 3, 1990", "dmy", date(1990, 4, 3)),
        ("33000", "dmy", date(1990, 5, 7)),  # an Excel serial number
        ("1", "dmy", date(1900, 1, 1)),
        ("61", "dmy", date(1900, 3, 1)),
        (33000, "mdy", date(1990, 5, 7)),
        (33000.75, "mdy", date(1990, 5, 7)),
        (datetime(1990, 4, 3, 0, 0), "mdy", date(1990, 4, 3)),
        (date(1990, 4, 3), "ymd", date(1990, 4, 3)),
        ("", "dmy", None),
        (None, "dmy", None),
    ],
)
def test_dates_as_spreadsheets_write_them(written: object, order: str, meant: date | None) -> None:
    assert cells.day(written, order, "date_of_birth") == meant  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("written", "order", "rule"),
    [
        ("31/02/1990", "dmy", "is not a real date"),
        ("03/04/90", "dmy", "write the year with four digits"),
        ("03/04/1990", "ymd", "the organisation reads dates year first"),
        ("60", "dmy", "a day that never was"),
        ("0", "dmy", "is not a date"),
        ("next tuesday", "dmy", "could not read"),
        ("yesterday", "dmy", "could not read"),
        (True, "dmy", "is not a date"),
    ],
)
def test_dates_that_cannot_be_read_are_refused_naming_the_field(
    written: object, order: str, rule: str
) -> None:
    with pytest.raises(ValidationError, match=rule) as refused:
        cells.day(written, order, "date_of_birth")  # type: ignore[arg-type]
    assert refused.value.field == "date_of_birth"


def test_a_date_cell_may_carry_its_time() -> None:
    assert cells.moment("04/03/2019 09:15", "dmy", "contact_date") == (
        date(2019, 3, 4),
        time(9, 15),
    )
    assert cells.moment(33000.5, "dmy", "contact_date") == (date(1990, 5, 7), time(12, 0))
    assert cells.moment(datetime(2019, 3, 4, 14, 30), "dmy", "c") == (
        date(2019, 3, 4),
        time(14, 30),
    )


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("14:30", time(14, 30)),
        ("14:30:00", time(14, 30)),
        ("2:30 PM", time(14, 30)),
        (0.25, time(6, 0)),
        (time(9, 5, 33), time(9, 5)),
        ("", None),
    ],
)
def test_times_as_spreadsheets_write_them(written: object, meant: time | None) -> None:
    assert cells.time_of(written, "contact_time") == meant  # type: ignore[arg-type]


def test_yes_no_and_lists() -> None:
    assert [cells.yes_no(v, "restricted") for v in ("Yes", "n", "", "x", True, 0)] == [
        True, False, False, True, True, False,
    ]  # fmt: skip
    with pytest.raises(ValidationError, match="'maybe' is not yes or no"):
        cells.yes_no("maybe", "restricted")
    assert cells.items("Safeguarding; Interpreter needed,  ,Job club") == (
        "Safeguarding",
        "Interpreter needed",
        "Job club",
    )


# --- headers and --map -------------------------------------------------------------------------


def test_headers_match_fields_whatever_their_case_spaces_and_dashes() -> None:
    headers = ("Name", "DATE OF BIRTH", "e-mail", "Warning_Indicators", "Mobile", "", "Notes")
    columns = match(headers, "clients", CLIENT_FIELDS, {})
    assert columns.index == {"name": 0, "date_of_birth": 1, "email": 2, "warning_indicators": 3}
    assert columns.named("date_of_birth") == "DATE OF BIRTH"
    assert columns.ignored == ("Mobile", "Notes")


def test_map_names_the_column_for_a_field() -> None:
    mapping = parse_map(["name=Full Name", "EMAIL=e-mail"], CLIENT_FIELDS)
    assert mapping == {"name": "Full Name", "email": "e-mail"}
    columns = match(("Full Name", "e-mail", "name"), "clients", CLIENT_FIELDS, mapping)
    assert (columns.index, columns.ignored) == ({"name": 0, "email": 1}, ("name",))


@pytest.mark.parametrize(
    ("headers", "mapping", "rule"),
    [
        (("Surname", "Email"), {}, "the file has no name column"),
        (("Name", "name"), {}, "two columns are headed 'Name'"),
        (("Name",), {"email": "E-mail address"}, "the file has no column 'E-mail address'"),
        (("Name", "Mail"), {"email": "Mail", "phone": "Mail"}, "is mapped to email and phone"),
    ],
)
def test_headers_that_leave_a_question_are_refused(
    headers: tuple[str, ...], mapping: dict[str, str], rule: str
) -> None:
    with pytest.raises(ImportRefused, match=rule):
        match(headers, "clients", CLIENT_FIELDS, mapping)


def test_map_of_an_unknown_field_is_refused_listing_the_fields() -> None:
    with pytest.raises(ImportRefused, match="'surname' is not a field; the fields are name, "):
        parse_map(["surname=Last"], CLIENT_FIELDS)


def test_columns_are_named_as_a_spreadsheet_names_them() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 51, 701, 702)] == [
        "A", "Z", "AA", "AZ", "ZZ", "AAA",
    ]  # fmt: skip
