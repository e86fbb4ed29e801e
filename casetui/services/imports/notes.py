"""``casetui import notes``: past case notes for existing cases (administrators only).

Each row is checked by the note rules (``note_rules.validate_note``) except the backdating
bound, which is for new notes, not history; each note is written marked imported and so
locked at once (``domain.locking``), and the whole file is one audit event with its sha256.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import and_, bindparam, insert, or_, update

from casetui.domain.actor import Actor
from casetui.domain.enums import ContactType
from casetui.domain.errors import Conflict, ImportRefused, RuleError
from casetui.domain.models import Case, CaseNote, Staff
from casetui.domain.read_models.imports import ImportLine, ImportReport
from casetui.repositories import imports as lookups
from casetui.services import audit, policy
from casetui.services.imports import cells
from casetui.services.imports.columns import (
    NOTE_FIELDS,
    Columns,
    match,
    unnamed,
    unnamed_columns,
)
from casetui.services.imports.rows import PREVIEW_MAX, Pace, Progress, Refusals, first_names
from casetui.services.imports.spreadsheet import Row, Sheet, open_sheet
from casetui.services.note_rules import NoteInput, ValidNote, validate_note
from casetui.services.work import Database, Work, reading, writing

WRITE_CHUNK = 1000


@dataclass(frozen=True, slots=True)
class _Checked:
    row: int
    case_number: str
    note: ValidNote
    author: str  # username


class _Reader:
    def __init__(self, work: Work, columns: Columns, headers: Sequence[str]) -> None:
        self.work, self.columns, self.headers = work, columns, headers
        self.order = work.settings.date_order
        self.refusals = Refusals(columns)
        self.passed: list[_Checked] = []
        self.names: list[str] = []
        self.authors: dict[str, bool] = {}  # username -> a staff member?
        self.case_numbers: list[tuple[int, str]] = []  # (row, case number) of every row
        self.loose = not all(headers)
        self.unnamed: set[int] = set()
        self.rows = 0

    def text(self, found: tuple[Any, ...], field: str) -> str:
        return cells.text(self.columns.cell(found, field))

    def read(self, row: Row) -> None:
        self.rows += 1
        found, number = row.cells, row.number
        if self.loose or len(found) > len(self.headers):
            self.unnamed |= unnamed(self.headers, found)
        if len(self.names) < 5:
            self.names.append(self.text(found, "summary").strip())
        before = len(self.refusals.found)
        case_number = self.text(found, "case_number").strip()
        if not case_number:
            self.refusals.add(number, "case_number", "is required")
        else:
            self.case_numbers.append((number, case_number))
        author = self._author(number, found)
        note = self._note(number, found)
        if note is not None and len(self.refusals.found) == before:
            self.passed.append(_Checked(number, case_number, note, author))

    def _author(self, number: int, found: tuple[Any, ...]) -> str:
        username = self.text(found, "author").strip() or self.work.actor.username
        if username not in self.authors:
            self.authors[username] = bool(lookups.staff_named(self.work.session, [username]))
        if not self.authors[username]:
            self.refusals.add(number, "author", f"no staff member {username[:64]!r}")
        return username

    def _note(self, number: int, found: tuple[Any, ...]) -> ValidNote | None:
        try:
            day, at_in_date = cells.moment(
                self.columns.cell(found, "contact_date"), self.order, "contact_date"
            )
        except RuleError as error:
            self.refusals.error(number, error, "contact_date")
            day, at_in_date = None, None
        try:
            at = cells.time_of(self.columns.cell(found, "contact_time"), "contact_time")
        except RuleError as error:
            self.refusals.error(number, error, "contact_time")
            at = None
        try:
            restricted = cells.yes_no(self.columns.cell(found, "restricted"), "restricted")
        except RuleError as error:
            self.refusals.error(number, error, "restricted")
            restricted = False
        typed = NoteInput(
            summary=self.text(found, "summary"),
            activity_type=self.text(found, "activity"),
            contact_date=day if day is not None else "",
            contact_time=at or at_in_date,
            contact_type=self.text(found, "contact_type").strip() or ContactType.CLIENT.value,
            third_party_org=self.text(found, "third_party"),
            details=self.text(found, "details"),
            restricted=restricted,
        )
        try:
            return validate_note(self.work, typed, imported=True)
        except RuleError as error:
            self.refusals.error(number, error, "summary")
            return None

    def cases(self) -> dict[str, int]:
        """The cases the notes go on, looked up for the whole file at once."""
        wanted = {number for _, number in self.case_numbers}
        found = lookups.case_ids(self.work.session, self.work.actor, wanted)
        for row, number in self.case_numbers:
            if number not in found:
                self.refusals.add(row, "case_number", f"no case {number[:40]!r}")
        return found


def import_notes(
    db: Database,
    actor: Actor,
    path: Path,
    *,
    encoding: str | None = None,
    commit: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Past notes for existing cases: checked (a dry run), or with ``commit`` all written in
    one transaction, each marked imported and locked; nothing when any row is refused."""
    policy.ensure_administrator(actor, "importing case notes")
    pace = Pace(progress)
    with open_sheet(path, encoding) as sheet:
        columns = match(sheet.headers, "notes", NOTE_FIELDS, {})
        pace.sheet = sheet
        with reading(db, actor) as work:
            settings = work.settings
            reader, case_ids = _read(work, sheet, columns, pace)
    refused = reader.refusals.rows()
    passed = [c for c in reader.passed if c.row not in refused]
    report = ImportReport(
        kind="notes", file_name=path.name, sha256=sheet.sha256, read_as=sheet.read_as,
        rows=reader.rows, clients=0, cases=0, notes=len(passed), committed=False,
        refused=reader.refusals.sorted(),
        ignored_columns=columns.ignored + unnamed_columns(reader.unnamed),
        names=first_names(reader.names), preview=tuple(_line(c) for c in passed[:PREVIEW_MAX]),
    )  # fmt: skip
    if not commit or refused:
        return report
    _write(db, actor, passed, case_ids, report, settings, pace)
    return replace(report, committed=True)


def _read(work: Work, sheet: Sheet, columns: Columns, pace: Pace) -> tuple[_Reader, dict[str, int]]:
    reader = _Reader(work, columns, sheet.headers)
    for row in sheet.rows():
        reader.read(row)
        pace.read(reader.rows)
    pace.read(reader.rows, done=True)
    return reader, reader.cases()


def _line(checked: _Checked) -> ImportLine:
    when = checked.note.contact_at.date().isoformat()
    return ImportLine(checked.row, checked.case_number, f"{when} · {checked.note.summary}")


def _write(
    db: Database,
    actor: Actor,
    passed: list[_Checked],
    case_ids: dict[str, int],
    report: ImportReport,
    settings: object,
    pace: Pace,
) -> None:
    note_table, case_table = CaseNote.__table__, Case.__table__  # type: ignore[attr-defined]
    with writing(db, actor, alone=True) as work:
        if work.settings != settings:
            raise ImportRefused(
                "the organisation's settings changed while the file was checked; "
                "run the import again"
            )
        wanted = {case_ids[c.case_number] for c in passed}
        if lookups.live_cases(work.session, wanted) != wanted:
            raise Conflict("a case the file names was deleted while it was checked")
        authors = lookups.staff_named(work.session, {c.author for c in passed})
        if len(authors) != len({c.author for c in passed}):
            raise Conflict("an author the file names changed while it was checked")
        now = work.now()
        latest: dict[int, datetime] = {}
        for start in range(0, len(passed), WRITE_CHUNK):
            chunk = passed[start : start + WRITE_CHUNK]
            rows = []
            for checked in chunk:
                case_id = case_ids[checked.case_number]
                rows.append(_note_values(checked, case_id, authors[checked.author], now))
                at = checked.note.contact_at
                if case_id not in latest or at > latest[case_id]:
                    latest[case_id] = at
            work.session.execute(insert(note_table), rows)
            pace.wrote(start + len(chunk), len(passed), "notes")
        # Each case's last interaction, moved forward only (an old note does not move it back).
        work.session.execute(
            update(case_table)
            .where(
                and_(
                    case_table.c.id == bindparam("target_case"),
                    or_(
                        case_table.c.last_interaction_at.is_(None),
                        case_table.c.last_interaction_at < bindparam("at"),
                    ),
                )
            )
            .values(last_interaction_at=bindparam("at")),
            [{"target_case": case_id, "at": at} for case_id, at in latest.items()],
        )
        audit.record(
            work, actor, "import.notes", "import", None,
            after={
                "file": report.file_name, "sha256": report.sha256, "read_as": report.read_as,
                "rows": report.rows, "notes": report.notes, "cases": len(latest),
            },
        )  # fmt: skip
        work.commit()


def _note_values(checked: _Checked, case_id: int, author: Staff, now: datetime) -> dict[str, Any]:
    note = checked.note
    return {
        "case_id": case_id, "author_id": author.id, "contact_at": note.contact_at,
        "activity_type": note.activity_type, "contact_type": note.contact_type,
        "third_party_org": note.third_party_org, "summary": note.summary,
        "details": note.details, "restricted": note.restricted, "batch_id": None,
        "created_at": now, "updated_at": now, "deleted_at": None, "version": 1,
        "imported": True,
    }  # fmt: skip
