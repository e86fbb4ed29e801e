"""``casetui import clients``: one row a client, optionally with a case.

Each row is checked by the services' own rules (``clients.check_client``, ``cases.check_case``)
while the file is read, outside any write, so nobody waits on the import's checking; the
write then happens in one transaction, in chunks of rows through SQLAlchemy Core (the ORM
costs far more a row), with one audit event for the whole file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Table, insert
from sqlmodel import SQLModel

from casetui.domain.actor import Actor
from casetui.domain.enums import CaseStatus, Concern, RecordStatus, Repeats, TaskStatus
from casetui.domain.errors import Conflict, ImportRefused, RuleError
from casetui.domain.models import (
    Case,
    CaseTag,
    Client,
    ClientGroup,
    ClientWarning,
    FollowUpTask,
    Staff,
    TaskResponsible,
)
from casetui.domain.read_models.imports import ImportDuplicate, ImportLine, ImportReport
from casetui.repositories import name_terms
from casetui.repositories.imports import first_free_id, follow_ids
from casetui.services import audit, policy
from casetui.services.access import worker_refusal
from casetui.services.cases import (
    CaseInput,
    ValidCase,
    case_worker,
    check_case,
    next_in_series,
    number_in_use,
)
from casetui.services.clients import ClientInput, ValidClient, check_client
from casetui.services.imports import cells
from casetui.services.imports.columns import (
    CASE_FIELDS,
    CLIENT_FIELDS,
    Columns,
    match,
    parse_map,
    unnamed,
    unnamed_columns,
)
from casetui.services.imports.duplicates import Candidate, registered_already, within_file
from casetui.services.imports.rows import PREVIEW_MAX, Pace, Progress, Refusals, first_names
from casetui.services.imports.spreadsheet import Row, Sheet, open_sheet
from casetui.services.pathway_tasks import templates_by_pathway
from casetui.services.search import name_words
from casetui.services.work import Database, Work, reading, writing

WRITE_CHUNK = 1000  # rows a statement


@dataclass(frozen=True, slots=True)
class _Checked:
    row: int
    client: ValidClient
    case: ValidCase | None


class _Reader:
    """Checks the rows of one file, one at a time, keeping the ones that pass."""

    def __init__(self, work: Work, actor: Actor, columns: Columns, headers: Sequence[str]) -> None:
        self.work, self.actor, self.columns = work, actor, columns
        self.order = work.settings.date_order
        self.refusals = Refusals(columns)
        self.passed: list[_Checked] = []
        self.names: list[str] = []
        self.numbers: dict[str, tuple[int, str]] = {}  # lower-cased -> (row, as typed)
        self.workers: dict[str | None, Staff | RuleError] = {}
        self.case_columns = [f for f in CASE_FIELDS if columns.has(f)]
        self.headers = headers
        self.loose = len(headers) > 0 and not all(headers)
        self.unnamed: set[int] = set()
        self.rows = 0

    def cell(self, cells_: tuple[Any, ...], field: str) -> Any:
        return self.columns.cell(cells_, field)

    def text(self, cells_: tuple[Any, ...], field: str) -> str:
        return cells.text(self.cell(cells_, field))

    def read(self, row: Row) -> None:
        self.rows += 1
        found = row.cells
        if self.loose or len(found) > len(self.headers):
            self.unnamed |= unnamed(self.headers, found)
        if len(self.names) < 5:
            self.names.append(self.text(found, "name").strip())
        before = len(self.refusals.found)
        client = self._client(row.number, found)
        case = self._case(row.number, found) if self._has_case(found) else None
        if client is not None and len(self.refusals.found) == before:
            self.passed.append(_Checked(row.number, client, case))

    def _client(self, number: int, found: tuple[Any, ...]) -> ValidClient | None:
        try:
            born = cells.day(self.cell(found, "date_of_birth"), self.order, "date_of_birth")
        except RuleError as error:
            self.refusals.error(number, error, "date_of_birth")
            born = None
        typed = ClientInput(
            name=self.text(found, "name"),
            preferred_name=self.text(found, "preferred_name"),
            date_of_birth=born,
            email=self.text(found, "email"),
            phone=self.text(found, "phone"),
            client_type=self.text(found, "client_type"),
            warnings=cells.items(self.cell(found, "warning_indicators")),
            groups=cells.items(self.cell(found, "groups")),
        )
        try:
            return check_client(self.work, typed)
        except RuleError as error:
            self.refusals.error(number, error, "name")
            return None

    def _has_case(self, found: tuple[Any, ...]) -> bool:
        return any(self.text(found, f).strip() for f in self.case_columns)

    def _worker(self, username: str | None) -> Staff | RuleError:
        if username not in self.workers:
            try:
                staff = case_worker(self.work, self.actor, username)
                # Kept as read: the rows refer to it after this unit of work has ended.
                self.work.session.expunge(staff)
                self.workers[username] = staff
            except RuleError as error:
                self.workers[username] = error
        return self.workers[username]

    def _case(self, number: int, found: tuple[Any, ...]) -> ValidCase | None:
        try:
            opened = cells.day(self.cell(found, "opened_on"), self.order, "opened_on")
        except RuleError as error:
            self.refusals.error(number, error, "opened_on")
            opened = None
        worker = self._worker(self.text(found, "worker").strip() or None)
        typed = CaseInput(
            client_id=0,
            status=self.text(found, "status").strip() or CaseStatus.OPEN.value,
            concern=self.text(found, "concern").strip() or Concern.LOW.value,
            pathway=self.text(found, "pathway").strip() or None,
            tags=cells.items(self.cell(found, "tags")),
            case_number=self.text(found, "case_number").strip() or None,
            opened_on=opened,
            worker=self.text(found, "worker").strip() or None,
        )
        try:
            if isinstance(worker, RuleError):  # asked again, so its refusal joins the others
                case = check_case(self.work, self.actor, typed)
            else:
                case = check_case(self.work, self.actor, typed, worker=worker)
        except RuleError as error:
            self.refusals.error(number, error, "case_number")
            return None
        if case.case_number:
            key = case.case_number.lower()
            if key in self.numbers:
                self.refusals.add(
                    number, "case_number",
                    f"case number {case.case_number} is also in row {self.numbers[key][0]}",
                )  # fmt: skip
                return None
            self.numbers[key] = (number, case.case_number)
        return case

    def numbers_in_use(self) -> None:
        """Typed case numbers some case has or had: asked once for the whole file."""
        taken = self.work.cases.case_numbers_taken(typed for _, typed in self.numbers.values())
        for row, typed in sorted(self.numbers[key] for key in taken):
            self.refusals.add(row, "case_number", number_in_use(typed).args[0])


def _candidate(checked: _Checked) -> Candidate:
    client = checked.client
    return Candidate(
        row=checked.row, name=client.name, preferred_name=client.preferred_name,
        date_of_birth=client.date_of_birth, email=(client.email or "").lower() or None,
        digits=client.phone_digits, words=tuple(name_words(client.name, client.preferred_name)),
    )  # fmt: skip


def _duplicates(work: Work, passed: list[_Checked], pace: Pace) -> list[ImportDuplicate]:
    candidates = [_candidate(c) for c in passed]
    pace.say(f"checking {len(candidates):,} rows for possible duplicates")
    found = within_file(candidates)
    found += registered_already(work.session, candidates)
    return sorted(found, key=lambda d: (d.row, d.other_row is None))


def _duplicate_rule(duplicate: ImportDuplicate) -> tuple[str, str]:
    """The column a duplicate is refused in, and the rule's words."""
    ground = duplicate.reasons[0]
    field = "email" if "email" in ground else "phone" if "phone" in ground else "name"
    if duplicate.client_id is not None:
        other = f"client {duplicate.client_id} ({duplicate.other_name})"
    else:
        other = f"row {duplicate.other_row} ({duplicate.other_name})"
    why = "; ".join(duplicate.reasons)
    return field, f"possible duplicate of {other}: {why}; --allow-duplicates imports it anyway"


def _line(checked: _Checked) -> ImportLine:
    case = checked.case
    if case is None:
        detail = "client only"
    else:
        number = case.case_number or "new number"
        parts = [f"case {number}", case.status, case.concern, case.worker.username]
        parts += [p for p in (case.pathway,) if p]
        detail = " · ".join(parts)
    return ImportLine(checked.row, checked.client.name, detail)


def import_clients(
    db: Database,
    actor: Actor,
    path: Path,
    *,
    mapping: Sequence[str] | Mapping[str, str] = (),
    encoding: str | None = None,
    allow_duplicates: bool = False,
    commit: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Read and check every row (a dry run), or with ``commit`` write them all in one
    transaction — nothing when any row is refused (possible duplicates too, unless
    ``allow_duplicates``). The report says what was, or would be, written."""
    policy.ensure_administrator(actor, "importing clients")
    mapped = parse_map(mapping, CLIENT_FIELDS)
    pace = Pace(progress)
    with open_sheet(path, encoding) as sheet:
        columns = match(sheet.headers, "clients", CLIENT_FIELDS, mapped)
        pace.sheet = sheet
        with reading(db, actor) as work:
            settings = work.settings
            reader = _read(work, actor, sheet, columns, pace)
            duplicates = _duplicates(work, reader.passed, pace)
    refusals = reader.refusals
    if not allow_duplicates:
        for duplicate in duplicates:
            field, rule = _duplicate_rule(duplicate)
            refusals.add(duplicate.row, field, rule)
    refused = refusals.rows()
    passed = [c for c in reader.passed if c.row not in refused]
    report = ImportReport(
        kind="clients", file_name=path.name, sha256=sheet.sha256, read_as=sheet.read_as,
        rows=reader.rows, clients=len(passed), cases=sum(c.case is not None for c in passed),
        notes=0, committed=False, duplicates=tuple(duplicates), refused=refusals.sorted(),
        ignored_columns=columns.ignored + unnamed_columns(reader.unnamed),
        names=first_names(reader.names), preview=tuple(_line(c) for c in passed[:PREVIEW_MAX]),
    )  # fmt: skip
    if not commit:
        return report
    if refused:
        return report
    _write(db, actor, passed, report, settings, pace)
    return replace(report, committed=True)


def _read(work: Work, actor: Actor, sheet: Sheet, columns: Columns, pace: Pace) -> _Reader:
    reader = _Reader(work, actor, columns, sheet.headers)
    for row in sheet.rows():
        reader.read(row)
        pace.read(reader.rows)
    pace.read(reader.rows, done=True)
    reader.numbers_in_use()
    return reader


# --- writing ---------------------------------------------------------------------------------


def _still_allowed(work: Work, actor: Actor, passed: list[_Checked]) -> dict[int, Staff]:
    """The workers the rows name, as they are now: one may have left since the check."""
    wanted = {c.case.worker.id for c in passed if c.case is not None and c.case.worker.id}
    now: dict[int, Staff] = {}
    for staff_id in wanted:
        staff = work.session.get(Staff, staff_id)
        refusal = None if staff is None else worker_refusal(actor, staff)
        if staff is None or refusal is not None:
            raise Conflict(
                "a case worker the file names changed while it was checked; run the import again"
            )
        now[staff_id] = staff
    return now


def _case_numbers(work: Work, passed: list[_Checked]) -> list[str | None]:
    """Each row's case number: the typed one, else the next in the series (skipping the
    numbers typed in the file); None for a row without a case."""
    typed = [c.case.case_number for c in passed if c.case is not None and c.case.case_number]
    taken = work.cases.case_numbers_taken(typed)
    if taken:
        raise number_in_use(sorted(taken)[0])
    reserved = {n.lower() for n in typed}
    stem, sequence = next_in_series(work)
    numbers: list[str | None] = []
    for checked in passed:
        if checked.case is None:
            numbers.append(None)
        elif checked.case.case_number:
            numbers.append(checked.case.case_number)
        else:
            number = f"{stem}{sequence:06d}"
            while number.lower() in reserved:
                sequence += 1
                number = f"{stem}{sequence:06d}"
            numbers.append(number)
            sequence += 1
    return numbers


def _write(
    db: Database,
    actor: Actor,
    passed: list[_Checked],
    report: ImportReport,
    settings: object,
    pace: Pace,
) -> None:
    with writing(db, actor, alone=True) as work:
        if work.settings != settings:
            raise ImportRefused(
                "the organisation's settings changed while the file was checked; "
                "run the import again"
            )
        writer = _Writer(work, _still_allowed(work, actor, passed), _case_numbers(work, passed))
        for start in range(0, len(passed), WRITE_CHUNK):
            writer.write(passed[start : start + WRITE_CHUNK], start)
            pace.wrote(start + WRITE_CHUNK, len(passed), "clients")
        follow_ids(work.session, (Client, Case, FollowUpTask))
        audit.record(
            work, actor, "import.clients", "import", None,
            after={
                "file": report.file_name, "sha256": report.sha256, "read_as": report.read_as,
                "rows": report.rows, "clients": report.clients, "cases": report.cases,
                "possible_duplicates": len(report.duplicates), "tasks": writer.tasks_made,
            },
        )  # fmt: skip
        work.commit()


class _Writer:
    """Writes the checked rows a chunk at a time, each table in one statement a chunk.

    Ids are given here, so a chunk goes to the driver as one executemany with no RETURNING
    (SQLite would return ids one statement a row); writers queue (see ``UnitOfWork``), so no
    one else takes these ids meanwhile, and ``follow_ids`` moves PostgreSQL's sequences on.
    """

    def __init__(self, work: Work, workers: dict[int, Staff], numbers: list[str | None]) -> None:
        self.session, self.workers, self.numbers = work.session, workers, numbers
        self.now, self.today = work.now(), work.today()
        self.next_client = first_free_id(self.session, Client)
        self.next_case = first_free_id(self.session, Case)
        # A case opened on a pathway starts with the pathway's tasks, as one opened by hand.
        self.templates = templates_by_pathway(work)
        self.next_task = first_free_id(self.session, FollowUpTask)
        self.actor_id = work.actor.id
        self.tasks_made = 0

    def write(self, chunk: list[_Checked], start: int) -> None:
        session = self.session
        client_ids = list(range(self.next_client, self.next_client + len(chunk)))
        self.next_client += len(chunk)
        session.execute(
            insert(_table(Client)),
            [_client_values(i, c.client, self.now) for i, c in zip(client_ids, chunk, strict=True)],
        )
        name_terms.remember(
            session, [n for c in chunk for n in (c.client.name, c.client.preferred_name)]
        )
        pairs = list(zip(client_ids, chunk, strict=True))
        warnings = [{"client_id": i, "indicator": w} for i, c in pairs for w in c.client.warnings]
        groups = [{"client_id": i, "group_name": g} for i, c in pairs for g in c.client.groups]
        if warnings:
            session.execute(insert(_table(ClientWarning)), warnings)
        if groups:
            session.execute(insert(_table(ClientGroup)), groups)
        opening = [
            (client_id, checked.case, self.numbers[start + at])
            for at, (client_id, checked) in enumerate(pairs)
            if checked.case is not None
        ]
        if opening:
            self._cases(opening)

    def _cases(self, opening: list[tuple[int, ValidCase, str | None]]) -> None:
        case_ids = list(range(self.next_case, self.next_case + len(opening)))
        self.next_case += len(opening)
        rows: list[dict[str, Any]] = []
        tags: list[dict[str, Any]] = []
        tasks: list[dict[str, Any]] = []
        for case_id, (client_id, case, number) in zip(case_ids, opening, strict=True):
            assert case.worker.id is not None
            worker = self.workers[case.worker.id]
            closed = case.status == CaseStatus.CLOSED.value
            rows.append({
                "id": case_id, "case_number": number, "client_id": client_id,
                "status": case.status, "concern": case.concern, "primary_worker_id": worker.id,
                "team_id": worker.team_id, "pathway": case.pathway,
                "opened_on": case.opened_on or self.today,
                "closed_on": self.today if closed else None, "last_interaction_at": None,
                "next_task_due": None, "created_at": self.now, "deleted_at": None, "version": 1,
            })  # fmt: skip
            tags += [{"case_id": case_id, "tag": t} for t in case.tags]
            if not closed:
                tasks += self._pathway_tasks(rows[-1])
        worker_of = {row["id"]: row["primary_worker_id"] for row in rows}
        self.session.execute(insert(_table(Case)), rows)
        if tags:
            self.session.execute(insert(_table(CaseTag)), tags)
        if tasks:
            self.session.execute(insert(_table(FollowUpTask)), tasks)
            self.session.execute(
                insert(_table(TaskResponsible)),
                [{"task_id": t["id"], "staff_id": worker_of[t["case_id"]]} for t in tasks],
            )

    def _pathway_tasks(self, case: dict[str, Any]) -> list[dict[str, Any]]:
        """The pathway's tasks of a case about to be written; its next task date set."""
        made = self.templates.get((case["pathway"] or "").casefold(), [])
        rows = []
        for name, days in made:
            rows.append({
                "id": self.next_task, "case_id": case["id"], "note_id": None, "name": name,
                "due_on": case["opened_on"] + timedelta(days=days), "repeats": Repeats.NONE.value,
                "rrule": None, "assigned_to_client": False, "details": "",
                "status": TaskStatus.OPEN.value, "created_by_id": self.actor_id,
                "created_at": self.now, "completed_at": None, "previous_task_id": None,
                "version": 1,
            })  # fmt: skip
            self.next_task += 1
        if rows:
            case["next_task_due"] = min(r["due_on"] for r in rows)
            self.tasks_made += len(rows)
        return rows


def _table(model: type[SQLModel]) -> Table:
    return model.__table__  # type: ignore[attr-defined]


def _client_values(client_id: int, client: ValidClient, now: Any) -> dict[str, Any]:
    return {
        "id": client_id, "name": client.name, "preferred_name": client.preferred_name,
        "date_of_birth": client.date_of_birth, "email": client.email, "phone": client.phone,
        "phone_digits": client.phone_digits, "search_name": client.search_name,
        "client_type": client.client_type,
        "record_status": RecordStatus.ACTIVE.value, "created_at": now, "deleted_at": None,
        "version": 1,
    }  # fmt: skip
