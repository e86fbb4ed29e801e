"""What an import of clients found: refusals, duplicates, each line, the whole report."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ImportRefusal:
    """A row the import will not write: its number as a spreadsheet shows it (the header is
    row 1), the file's column and the rule that refused it."""

    row: int
    column: str
    rule: str


@dataclass(frozen=True)
class ImportDuplicate:
    """A row that may be someone already registered (``client_id``) or already in the file
    (``other_row``), and why."""

    row: int
    name: str
    reasons: tuple[str, ...]
    other_row: int | None = None
    client_id: int | None = None
    other_name: str = ""
    case_numbers: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportLine:
    """One row the import would write, as the preview shows it."""

    row: int
    title: str  # the client's name; for a note, its case number
    detail: str  # the case it opens; for a note, its date and summary


@dataclass(frozen=True)
class ImportReport:
    """What an import read and would write (a dry run) or wrote (``committed``).

    The counts are what committing writes once the refused rows are taken out of the file."""

    kind: str  # "clients" or "notes"
    file_name: str
    sha256: str
    read_as: str  # "UTF-8", "Windows-1252", another encoding named, or "XLSX"
    rows: int  # rows read, blank rows aside
    clients: int
    cases: int
    notes: int
    committed: bool
    duplicates: tuple[ImportDuplicate, ...] = ()
    refused: tuple[ImportRefusal, ...] = ()
    ignored_columns: tuple[str, ...] = ()  # columns it does not know, as the file names them
    names: tuple[str, ...] = ()  # the first names (or summaries) read, to see the encoding is right
    preview: tuple[ImportLine, ...] = ()  # the first rows it would write

    @property
    def refused_rows(self) -> int:
        return len({r.row for r in self.refused})
