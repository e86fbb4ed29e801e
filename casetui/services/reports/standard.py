"""The standard reports (SPEC part two, S0): case notes, communications and supportive
services, filtered by date range, team, worker, pathway and case status, written to CSV or XLSX.

Who may: the ``reports`` grant, checked here (the app hides its key by asking ``may_report``).
Rows are only those of the cases the actor may see; a team or worker outside that is refused,
never answered with an empty report. A restricted note's details are left out unless asked
for (``include_restricted``), and then each one written is recorded as read, as opening it on
the timeline is. Deleted clients and their cases are for administrators who ask for them.

The rows stream from one cursor into the file (a long CSV report hands its later cases to a
helper process: ``parts``); the file is written under a temporary name, hashed, recorded in the
audit trail (what, the filters, the row count, its sha256), and only then given its name.
"""

from __future__ import annotations

import time as clock
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, time, timedelta
from itertools import islice
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from casetui.domain.actor import Actor
from casetui.domain.dates import date_order, parse_date
from casetui.domain.enums import CaseStatus, Grant, Role
from casetui.domain.errors import PermissionDenied, ValidationError
from casetui.domain.limits import NAME_MAX, USERNAME_MAX
from casetui.domain.reports import (
    ReportCancelled,
    ReportDone,
    ReportFilters,
    ReportFormat,
    ReportKind,
    ReportProgress,
)
from casetui.domain.storable import printable, storable
from casetui.repositories.reports import CaseCriteria, ReportRepository
from casetui.services import audit, policy, validation
from casetui.services.exports import record_export
from casetui.services.reports import files, parts
from casetui.services.reports.columns import COLUMNS
from casetui.services.reports.rows import Restricted, report_rows
from casetui.services.reports.writers import open_writer
from casetui.services.work import Database, Work, reading, writing

DOING = "a report"
PROGRESS_EVERY = 2000  # rows a batch: between batches, progress is told and a stop heard


def may_report(actor: Actor) -> bool:
    """Whether the actor may run reports at all: the app's key asks this, the service checks it."""
    return policy.can(policy.ensure_grant, actor, Grant.REPORTS, DOING)


def ensure_may_report(actor: Actor, filters: ReportFilters, kind: ReportKind) -> None:
    policy.ensure_grant(actor, Grant.REPORTS, DOING)
    if filters.include_deleted:
        policy.ensure_administrator(actor, "a report with deleted clients")
    if filters.include_restricted and kind is not ReportKind.NOTES:
        raise ValidationError("include restricted", "only the notes report has restricted details")


# --- the filters, resolved and checked against the actor's scope --------------------------------


def _team(work: Work, name: str) -> tuple[int, str]:
    actor = work.actor
    team = work.staff.team_by_name(
        validation.text(name, "team", max_length=NAME_MAX, required=True)
    )
    if actor.role is Role.CASEWORKER:
        raise PermissionDenied(
            "caseworkers report on their own cases; a team's are its supervisor's"
        )
    if actor.role is Role.SUPERVISOR and team.id != actor.team_id:
        raise PermissionDenied(f"{team.name} is not your team")
    assert team.id is not None
    return team.id, team.name


def _worker(work: Work, username: str) -> int:
    actor = work.actor
    staff = work.staff.by_username(
        validation.text(username, "worker", max_length=USERNAME_MAX, required=True)
    )
    assert staff.id is not None
    if actor.sees_everything or staff.id == actor.id:
        return staff.id
    if (
        actor.role is Role.SUPERVISOR
        and actor.team_id is not None
        and staff.team_id == actor.team_id
    ):
        return staff.id
    if actor.role is Role.CASEWORKER:
        raise PermissionDenied("caseworkers report on their own cases only")
    raise PermissionDenied(f"{staff.username} is not in your team")


def _pathway(work: Work, reports: ReportRepository, name: str) -> str:
    typed = validation.text(name, "pathway", max_length=NAME_MAX, required=True)
    found = reports.pathway_named(typed)
    if found is None:
        shown = ", ".join(work.settings.pathways[:8])
        raise ValidationError("pathway", f"{typed[:60]!r} is not one of: {shown}")
    return found


def criteria_for(
    work: Work, reports: ReportRepository, filters: ReportFilters
) -> tuple[CaseCriteria, dict[str, object]]:
    """The filters as the query wants them, and as the audit trail records them."""
    today, zone = work.today(), work.zone
    order = date_order(work.settings.date_order)
    first = last = None
    if filters.date_from and filters.date_from.strip():
        first = parse_date(filters.date_from, today, field="from", order=order)
    if filters.date_to and filters.date_to.strip():
        last = parse_date(filters.date_to, today, field="to", order=order)
    if first is not None and last is not None and last < first:
        raise ValidationError("to", f"{last.isoformat()} is before {first.isoformat()}")
    team_id, team = _team(work, filters.team) if filters.team else (None, None)
    worker_id = _worker(work, filters.worker) if filters.worker else None
    pathway = _pathway(work, reports, filters.pathway) if filters.pathway else None
    status = (
        validation.one_of(filters.status, "status", [s.value for s in CaseStatus])
        if filters.status
        else None
    )
    # A day starts and ends at midnight where the organisation is, not in UTC.
    since = _midnight(first, zone) if first else None
    until = _midnight(last + timedelta(days=1), zone) if last else None
    criteria = CaseCriteria(
        since=since, until=until, first_day=first, last_day=last, team_id=team_id,
        worker_id=worker_id, pathway=pathway, status=status,
        include_deleted=filters.include_deleted,
    )  # fmt: skip
    recorded: dict[str, object] = {
        "from": first.isoformat() if first else None,
        "to": last.isoformat() if last else None,
        "team": team,
        "worker": filters.worker or None,
        "pathway": pathway,
        "status": status,
        "include_restricted": filters.include_restricted,
        "include_deleted": filters.include_deleted,
    }
    return criteria, recorded


def _midnight(day: Any, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(ZoneInfo("UTC"))


# --- the service -------------------------------------------------------------------------------


def count_rows(db: Database, actor: Actor, kind: ReportKind, filters: ReportFilters) -> int:
    """How many rows the report would have (the screen's progress bar): checked as the report
    itself is, recorded nowhere (no data leaves)."""
    ensure_may_report(actor, filters, kind)
    with reading(db, actor) as work:
        reports = ReportRepository(work.session, actor)
        criteria, _ = criteria_for(work, reports, filters)
        if kind is ReportKind.NOTES:
            return reports.count_notes(criteria)
        if kind is ReportKind.COMMUNICATIONS:
            return reports.count_communications(criteria)
        return reports.count_services(criteria)


def report_target(path: str) -> tuple[str, bool]:
    """The file ``path`` names, and whether one is there already (the screen asks before
    replacing it)."""
    target = files.target_path(path)
    return str(target), files.exists(target)


def run_report(
    db: Database,
    actor: Actor,
    kind: ReportKind,
    filters: ReportFilters,
    out: str,
    *,
    format: ReportFormat = ReportFormat.CSV,
    overwrite: bool = False,
    progress: Callable[[ReportProgress], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    split_after: int | None = parts.SPLIT_AFTER,
) -> ReportDone:
    """Write the report to ``out``, record it, and say what was written.

    ``progress`` hears of the rows written every few thousand rows and at the end;
    ``cancelled`` is asked as often, and when it says yes the report stops, its file is
    removed and ``ReportCancelled`` raised: nothing is kept, nothing recorded. A CSV report
    still going after ``split_after`` rows hands its later cases to a helper process
    (``parts``); None: never."""
    ensure_may_report(actor, filters, kind)
    if not storable(out):
        raise ValidationError("out", "contains a character no file name can hold")
    target = files.target_path(out)
    if not overwrite and files.exists(target):
        raise ValidationError(
            "out", f"{files.shown_path(str(target))} already exists; nothing was replaced"
        )
    started = clock.perf_counter()
    restricted = Restricted() if filters.include_restricted else None
    temporary = files.temporary_beside(target)
    try:
        with reading(db, actor) as work:
            reports = ReportRepository(work.session, actor)
            criteria, recorded = criteria_for(work, reports, filters)
            zone, currency = work.zone, work.settings.currency
            raw, rows = report_rows(
                reports, kind, criteria, zone=zone, currency=currency,
                details=filters.include_restricted, restricted=restricted,
            )  # fmt: skip

            def hand_over() -> parts.Helper | None:
                """The rows still ahead split: this process keeps the first of them, a
                helper writes the rest (None: nothing left to split)."""
                if raw.last_case is None:
                    return None
                # Started first: its interpreter starts while the split is found.
                helper = parts.Helper.spawn(files.temporary_beside(target))
                try:
                    ahead = replace(criteria, after_case=raw.last_case)
                    through = reports.row_split(kind.value, ahead, parts.KEPT_SHARE)
                    if through is None:
                        helper.stop()
                        return None
                    raw.through = through
                    helper.send(
                        db.engine.url.render_as_string(hide_password=False), actor, kind,
                        replace(criteria, after_case=through),
                        details=filters.include_restricted, zone=zone, currency=currency,
                    )  # fmt: skip
                except BaseException:
                    helper.stop()
                    raise
                return helper

            splits = (
                format is ReportFormat.CSV and split_after is not None and parts.cores() > 1
                # Another process can open the same database: a file or a server.
                and (db.sqlite_file is not None or not db.is_sqlite)
            )  # fmt: skip
            writing_ = _Writing(started, progress, cancelled)
            count, helped = writing_.write(
                temporary, kind, format, rows,
                (hand_over, split_after or 0) if splits else None,
            )  # fmt: skip
        if restricted is not None and helped is not None:
            for note_id, case_id in helped.restricted:
                restricted.notes.append(note_id)
                restricted.cases.append(case_id)
        sha256 = files.sha256_of(temporary)
        restricted_count = len(restricted.notes) if restricted is not None else 0
        recorded |= {
            "format": format.value,
            "file": printable(str(target)),
            "sha256": sha256,
        }
        if restricted is not None:
            recorded["restricted_details"] = restricted_count
        with writing(db, actor) as work:
            record_export(work, actor, f"{kind.value} report", count, recorded)
            if restricted is not None:
                for note_id, case_id in zip(restricted.notes, restricted.cases, strict=True):
                    audit.record(
                        work, actor, "note.view_restricted", "case_note", note_id,
                        case_id=case_id, after={"report": f"{kind.value} report"},
                    )  # fmt: skip
            work.commit()
    except BaseException:
        files.discard(temporary)
        raise
    files.put_in_place(temporary, target, overwrite=overwrite)
    seconds = clock.perf_counter() - started
    return ReportDone(
        kind, format, str(target), count, sha256, seconds, restricted_details=restricted_count
    )


class _Writing:
    """Rows to the file a batch at a time, telling the person how far it has got and hearing
    a stop; for a long CSV report, with a helper writing the later cases (see ``parts``)."""

    def __init__(
        self,
        started: float,
        progress: Callable[[ReportProgress], None] | None,
        cancelled: Callable[[], bool] | None,
    ) -> None:
        self.started = started
        self.progress = progress
        self.cancelled = cancelled
        self.count = 0
        self.helper: parts.Helper | None = None

    def tell(self) -> None:
        if self.progress is not None:
            rows = self.count + (self.helper.rows if self.helper is not None else 0)
            self.progress(ReportProgress(rows, clock.perf_counter() - self.started))

    def stopped(self) -> bool:
        return self.cancelled is not None and self.cancelled()

    def waiting(self) -> bool:
        """While the helper finishes: the progress told, and whether to stop."""
        self.tell()
        return self.stopped()

    def write(
        self,
        temporary: Path,
        kind: ReportKind,
        format: ReportFormat,
        rows: Iterator[tuple[Any, ...]],
        split: tuple[Callable[[], parts.Helper | None], int] | None,
    ) -> tuple[int, parts.HelperDone | None]:
        """The rows written (the helper's too), and what the helper wrote, if one did."""
        writer = open_writer(format, temporary, COLUMNS[kind], kind.value)
        try:
            try:
                # A few thousand rows at a time: the writer takes them in one call, and
                # between batches the person hears how far it has got and may stop it.
                while batch := list(islice(rows, PROGRESS_EVERY)):
                    writer.write_many(batch)
                    self.count += len(batch)
                    if self.stopped():
                        raise ReportCancelled()
                    if split is not None and self.count >= split[1]:
                        self.helper = split[0]()
                        split = None  # asked once
                    self.tell()
            finally:
                writer.close()
            helped = None
            if self.helper is not None:
                helped = self.helper.finish(self.waiting)
                self.helper.append_to(temporary)
        except BaseException:
            if self.helper is not None:
                self.helper.stop()
            raise
        if self.stopped():
            raise ReportCancelled()
        if helped is not None:
            self.count += helped.rows
            self.helper = None  # its rows are counted in now
        if self.count == 0 or helped is not None:
            self.tell()
        return self.count, helped
