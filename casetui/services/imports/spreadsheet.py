"""Reading a spreadsheet a row at a time, as its owner sees it in a spreadsheet program.

CSV: UTF-8 with or without a byte order mark; a file that is not valid UTF-8 is read as
Windows-1252 (what Excel writes on Windows) unless an encoding is named — never guessed
between single-byte encodings, which any byte sequence satisfies. The separator (comma,
semicolon or tab) is decided from the header line, then the csv module parses: a line break
inside a quoted cell stays in the cell. XLSX: the first sheet, streamed (openpyxl's read-only
mode), cells as typed values (text, numbers, dates, booleans).

Rows are numbered as a spreadsheet shows them (the header is row 1; blank rows count but are
not handed out). Nothing here knows the database.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import IO, Any, TypeVar

from casetui.domain.errors import ImportRefused

T = TypeVar("T")

# What a cell may hold: text from a CSV; from an XLSX also numbers, dates, times, booleans.
Cell = str | int | float | bool | date | datetime | time | timedelta | None

UTF8, WINDOWS_1252, XLSX = "UTF-8", "Windows-1252", "XLSX"
SEPARATORS = (",", ";", "\t")  # on a tie, the first listed wins
_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0"  # the old binary .xls
_CHUNK = 1 << 20
_HEADER_LINES_MAX = 50  # a header whose quotes do not close within this many lines is not one


def _windows_1252_gaps(error: UnicodeError) -> tuple[str, int]:
    """The five bytes Windows-1252 leaves undefined, read as the C1 controls (as browsers do),
    so a file is never refused over one stray byte; the cell they land in shows it."""
    assert isinstance(error, UnicodeDecodeError)
    return chr(error.object[error.start]), error.start + 1


codecs.register_error("casetui.windows-1252", _windows_1252_gaps)


@dataclass(frozen=True)
class Row:
    number: int  # as a spreadsheet shows it
    cells: tuple[Cell, ...]


@dataclass
class Sheet:
    """An opened spreadsheet: its header, how it was read, and its rows, read once."""

    path: Path
    sha256: str
    size: int
    read_as: str
    headers: tuple[str, ...]
    header_row: int
    _rows: Iterator[Row] = field(repr=False)
    _position: IO[bytes] | None = field(default=None, repr=False)
    _row_total: int | None = None
    rows_read: int = 0
    closers: list[IO[bytes] | IO[str]] = field(default_factory=list, repr=False)

    def rows(self) -> Iterator[Row]:
        for row in self._rows:
            self.rows_read += 1
            yield row

    def fraction_read(self) -> float | None:
        """How far through the file the rows handed out so far reach, 0 to 1, when known."""
        if self._position is not None and self.size:
            if self._position.closed:
                return 1.0
            return min(self._position.tell() / self.size, 1.0)
        if self._row_total:
            return min(self.rows_read / self._row_total, 1.0)
        return None

    def close(self) -> None:
        for stream in self.closers:
            stream.close()

    def __enter__(self) -> Sheet:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def open_sheet(path: Path, encoding: str | None = None) -> Sheet:
    """The spreadsheet at ``path``, its header read; ImportRefused when it cannot be read."""
    try:
        with path.open("rb") as stream:
            start = stream.read(8)
    except OSError as exc:
        raise ImportRefused(f"{path.name}: {exc.strerror or exc}") from None
    if start.startswith(_OLE2):
        raise ImportRefused(
            f"{path.name} is an old Excel .xls workbook; save it as .xlsx or CSV and import that"
        )
    if start.startswith(_ZIP) or path.suffix.lower() in (".xlsx", ".xlsm"):
        return _open_xlsx(path)
    return _open_csv(path, encoding)


def _digest(path: Path, *, check_utf8: bool) -> tuple[str, int, bool]:
    """The file's sha256, its size, and whether it is valid UTF-8 throughout."""
    sha = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    valid, size = check_utf8, 0
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            sha.update(chunk)
            size += len(chunk)
            if valid:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    valid = False
    if valid:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            valid = False
    return sha.hexdigest(), size, valid


def _named(encoding: str) -> tuple[str, str]:
    """The codec for an encoding someone named, and how to call it back to them."""
    try:
        info = codecs.lookup(encoding)
    except (LookupError, ValueError):
        raise ImportRefused(
            f"encoding: {encoding[:40]!r} is not an encoding this computer knows"
        ) from None
    if info.name in ("utf-8", "utf-8-sig"):
        return "utf-8-sig", UTF8  # a byte order mark is dropped either way
    return info.name, encoding


# --- CSV -------------------------------------------------------------------------------------


def _open_csv(path: Path, encoding: str | None) -> Sheet:
    sha, size, is_utf8 = _digest(path, check_utf8=encoding is None)
    if encoding is not None:
        codec, read_as = _named(encoding)
        errors = "strict"
    elif is_utf8:
        codec, read_as, errors = "utf-8-sig", UTF8, "strict"
    else:
        codec, read_as, errors = "cp1252", WINDOWS_1252, "casetui.windows-1252"
    raw = path.open("rb")
    text = io.TextIOWrapper(raw, encoding=codec, errors=errors, newline="")
    try:
        number, header_lines = _header_lines(path, text, read_as)
        separator = _separator("".join(header_lines))
        records = csv.reader(itertools.chain(header_lines, text), delimiter=separator)
        headers = _decoded(path, read_as, number, lambda: next(records))
    except BaseException:
        text.close()
        raise
    sheet = Sheet(
        path=path, sha256=sha, size=size, read_as=read_as, headers=_trimmed(headers),
        header_row=number, _rows=_csv_rows(path, read_as, records, number), _position=raw,
    )  # fmt: skip
    sheet.closers += [text, raw]  # held here too: the text stream closes the file when dropped
    return sheet


def _header_lines(path: Path, text: io.TextIOWrapper, read_as: str) -> tuple[int, list[str]]:
    """The header's row number (blank lines before it count) and its lines: more than one
    when a quoted header cell holds a line break."""
    number = 1
    while True:
        line = _decoded(path, read_as, number, text.readline)
        if not line:
            raise ImportRefused(f"{path.name} is empty: there is no header row")
        if line.strip(" \t\r\n"):
            break
        number += 1
    lines = [line]
    while "".join(lines).count('"') % 2 and len(lines) < _HEADER_LINES_MAX:
        more = _decoded(path, read_as, number, text.readline)
        if not more:
            break
        lines.append(more)
    return number, lines


def _separator(header: str) -> str:
    """Comma, semicolon or tab: whichever the header line holds most of outside quotes."""
    counts = dict.fromkeys(SEPARATORS, 0)
    quoted = False
    for ch in header:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(SEPARATORS, key=lambda s: counts[s])
    return best if counts[best] else ","


def _decoded(path: Path, read_as: str, row: int, read: Callable[[], T]) -> T:
    """``read()``, with a file that is not the encoding it is read as refused by line."""
    try:
        return read()
    except UnicodeDecodeError as exc:
        line, byte = _first_undecodable(path, exc.encoding)
        raise ImportRefused(
            f"{path.name} is not valid {read_as}: line {line} holds the byte 0x{byte:02x}; "
            "name the file's encoding with --encoding"
        ) from None
    except csv.Error as exc:
        raise ImportRefused(f"{path.name}, row {row}: {exc}") from None


def _first_undecodable(path: Path, encoding: str) -> tuple[int, int]:
    """The line (as a text editor counts them) and the byte where decoding first fails."""
    decoder = codecs.getincrementaldecoder(encoding)()
    lines, offset = 1, 0
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                at = max(exc.start - len(exc.object) + len(chunk), 0)
                return lines + chunk[:at].count(b"\n"), chunk[at] if at < len(chunk) else 0
            lines += chunk.count(b"\n")
            offset += len(chunk)
    return lines, 0


def _csv_rows(path: Path, read_as: str, records: Iterator[list[str]], header: int) -> Iterator[Row]:
    number = header
    while True:
        number += 1
        cells = _decoded(path, read_as, number, lambda: next(records, None))
        if cells is None:
            return
        if any(c.strip() for c in cells):
            yield Row(number, tuple(cells))


def _trimmed(cells: Sequence[Cell]) -> tuple[str, ...]:
    """Header cells as text, the empty ones at the end dropped."""
    texts = [_header_text(c) for c in cells]
    while texts and not texts[-1]:
        texts.pop()
    return tuple(texts)


def _header_text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).replace("\ufeff", "").strip()


# --- XLSX ------------------------------------------------------------------------------------


def _open_xlsx(path: Path) -> Sheet:
    from openpyxl import load_workbook  # imported here: it takes a while, and only XLSX needs it

    sha, size, _ = _digest(path, check_utf8=False)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is one refusal
        raise ImportRefused(
            f"{path.name} could not be read as an XLSX workbook ({type(exc).__name__}); "
            "save it again from the spreadsheet, or as CSV"
        ) from None
    try:
        sheet = book.worksheets[0]
        total = sheet.max_row if isinstance(sheet.max_row, int) and sheet.max_row > 1 else None
        # Some programs write a wrong size into the file; read every row there is instead.
        sheet.reset_dimensions()
        values = sheet.iter_rows(min_row=1, values_only=True)
        # Cells as openpyxl types them (text, numbers, dates, rich text): cells.text reads them.
        rows: Iterator[tuple[int, tuple[Any, ...]]] = enumerate(values, start=1)
        header = _xlsx_header(path, rows)
    except ImportRefused:
        book.close()
        raise
    except Exception as exc:  # noqa: BLE001
        book.close()
        raise ImportRefused(
            f"{path.name} could not be read as an XLSX workbook ({type(exc).__name__})"
        ) from None
    number, headers = header
    found = Sheet(
        path=path, sha256=sha, size=size, read_as=XLSX, headers=_trimmed(headers),
        header_row=number, _rows=_xlsx_rows(path, rows, book), _row_total=total,
    )  # fmt: skip
    return found


def _xlsx_header(
    path: Path, rows: Iterator[tuple[int, tuple[Cell, ...]]]
) -> tuple[int, tuple[Cell, ...]]:
    for number, cells in rows:
        if any(_filled(c) for c in cells):
            return number, cells
    raise ImportRefused(f"{path.name} is empty: its first sheet has no header row")


def _xlsx_rows(
    path: Path, rows: Iterator[tuple[int, tuple[Cell, ...]]], book: object
) -> Iterator[Row]:
    number = 0
    try:
        for number, cells in rows:
            if any(_filled(c) for c in cells):
                yield Row(number, tuple(cells))
    except ImportRefused:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged workbook is one refusal
        raise ImportRefused(
            f"{path.name}, row {number + 1}: the workbook is damaged ({type(exc).__name__})"
        ) from None
    finally:
        book.close()  # type: ignore[attr-defined]


def _filled(cell: Cell) -> bool:
    return cell is not None and not (isinstance(cell, str) and not cell.strip())


def column_letter(index: int) -> str:
    """A 0-based column index as a spreadsheet names the column: 0 is A, 26 is AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
