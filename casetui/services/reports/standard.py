"""The standard reports (SPEC part two, S0): case notes, communications and supportive
services, filtered by date range, team, worker, pathway and case status, written to CSV or XLSX.

Who may: the ``reports`` grant, checked here (the app hides its key by asking ``may_report``).
Rows are only those of the cases the actor may see; a team or worker outside that is refused,
never answered with an empty report. A restricted note's details are left out unless asked
for (``include_restricted``), and then each one written is recorded as read, as opening it on
the timeline is. Deleted clients and their cases are for administrators who ask for them.

The rows stream from one cursor into the file; the file is written under a temporary name,
hashed, recorded in the audit trail (what, the filters, the row count, its sha256), and only
then given its name.
"""

from __future__ import annotations

import time as clock
from array import array
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, time, timedelta
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
from casetui.services.reports import files
from casetui.services.reports.columns import COLUMNS
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


# --- rows as the file has them ---------------------------------------------------------------


class LocalClock:
    """Naive UTC to the organisation's wall-clock time, fast: the offset of each UTC day (for
    datetimes) or hour (for text) is found once and kept, and only a day or hour in which the
    clocks change asks the zone for every time in it.

    A report converts two times a row, in no order of time (case by case); asking the zone
    each time was a fifth of the work.
    """

    # Distinct hours kept at most (a year of notes touches 8,760): the memory stays the same
    # however long the report, and a report of many years only finds some hours again.
    HOURS_KEPT = 20_000

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        # UTC day (its ordinal) -> that day's offset, or None when the clocks change that day.
        self.days: dict[int, timedelta | None] = {}
        # UTC hour as text ("YYYY-MM-DD HH") -> how a time in it reads locally (see _hour).
        self.hours: dict[str, tuple[str, int, str] | None] = {}

    def exact(self, naive_utc: datetime) -> datetime:
        return naive_utc.replace(tzinfo=UTC).astimezone(self.zone).replace(tzinfo=None)

    def _day(self, ordinal: int) -> timedelta | None:
        midnight = datetime.fromordinal(ordinal)
        first = self.exact(midnight) - midnight
        last_moment = midnight + timedelta(days=1, microseconds=-1)
        # The same offset at both ends of the day: the clocks do not change in between.
        return first if self.exact(last_moment) - last_moment == first else None

    def local(self, naive_utc: datetime) -> datetime:
        ordinal = naive_utc.toordinal()
        try:
            offset = self.days[ordinal]
        except KeyError:
            offset = self.days[ordinal] = self._day(ordinal)
        return self.exact(naive_utc) if offset is None else naive_utc + offset

    def _hour(self, key: str) -> tuple[str, int, str] | None:
        """For the UTC hour ``key``: the local text of its first minute up to the minutes
        ("YYYY-MM-DD HH:"), how many minutes the offset adds beyond whole hours, and the same
        text an hour on (for minutes carried past the hour). None when the offset changes
        within the hour or is not a whole number of minutes: each time in it is then
        converted on its own."""
        start = datetime(int(key[0:4]), int(key[5:7]), int(key[8:10]), int(key[11:13]))
        first = self.exact(start) - start
        end = start + timedelta(hours=1, microseconds=-1)
        if self.exact(end) - end != first or first % timedelta(minutes=1):
            return None
        shift = int(first % timedelta(hours=1) // timedelta(minutes=1))
        local = start + first - timedelta(minutes=shift)  # on the local hour
        later = local + timedelta(hours=1)
        return _to_hour(local), shift, _to_hour(later)

    def wall(self, utc_text: str) -> str:
        """``utc_text`` (naive UTC, ISO: "YYYY-MM-DD HH:MM[:SS...]") as the organisation's
        wall-clock time, to the minute: "YYYY-MM-DD HH:MM"."""
        key = utc_text[:13]
        try:
            hour = self.hours[key]
        except KeyError:
            if len(self.hours) >= self.HOURS_KEPT:
                self.hours.clear()
            hour = self.hours[key] = self._hour(key)
        if hour is None:
            moment = self.exact(datetime.fromisoformat(utc_text))
            return _to_hour(moment) + _MINUTES[moment.minute]
        start, shift, later = hour
        if not shift:
            return start + utc_text[14:16]
        minute = int(utc_text[14:16]) + shift
        return start + _MINUTES[minute] if minute < 60 else later + _MINUTES[minute - 60]


_MINUTES = tuple(f"{minute:02d}" for minute in range(60))


def _to_hour(moment: datetime) -> str:
    return f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d} {moment.hour:02d}:"


class _Restricted:
    """The restricted notes whose details went into the file: recorded as read afterwards."""

    def __init__(self) -> None:
        self.notes = array("q")
        self.cases = array("q")


def _note_rows(
    rows: Iterator[Sequence[Any]],
    zone: ZoneInfo,
    restricted: _Restricted | None,
    authors: dict[int, str],
    teams: dict[int, str],
) -> Iterator[tuple[Any, ...]]:
    wall = LocalClock(zone).wall
    team_of = teams.get
    # Empty text as "" rather than None: the CSV writer joins a row of text in one step.
    for (
        note_id, number, client, contact_at, activity, contact_type, third_party, author_id,
        summary, details, is_restricted, team_id, pathway, status, created_at, case_id,
    ) in rows:  # fmt: skip
        contact = wall(contact_at)
        if is_restricted and restricted is not None:
            restricted.notes.append(note_id)
            restricted.cases.append(case_id)
        # Times as the writers take them in text: the local date, time, and date and time.
        yield (
            note_id, number, client, contact[:10], contact[11:], activity, contact_type,
            third_party or "", authors[author_id], summary, details, bool(is_restricted),
            team_of(team_id, ""), pathway or "", status, wall(created_at),
        )  # fmt: skip


def _communication_rows(rows: Iterator[Sequence[Any]], zone: ZoneInfo) -> Iterator[tuple[Any, ...]]:
    local = LocalClock(zone).local
    for (
        comm_id, number, client, occurred_at, kind, direction, subject, body, author, state,
        sent_at, team, pathway, status,
    ) in rows:  # fmt: skip
        sent = None if sent_at is None else local(sent_at)
        yield (
            comm_id, number, client, local(occurred_at), kind, direction,
            subject, body, author, state, sent, team, pathway, status,
        )  # fmt: skip


def _service_rows(rows: Iterator[Sequence[Any]], currency: str) -> Iterator[tuple[Any, ...]]:
    for (
        service_id, number, client, provided_on, service_type, provider, amount, grant,
        justification, author, team, pathway, status,
    ) in rows:  # fmt: skip
        yield (
            service_id, number, client, provided_on, service_type, provider, amount, currency,
            grant, justification, author, team, pathway, status,
        )  # fmt: skip


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
) -> ReportDone:
    """Write the report to ``out``, record it, and say what was written.

    ``progress`` hears of the rows written every few thousand rows and at the end;
    ``cancelled`` is asked as often, and when it says yes the report stops, its file is
    removed and ``ReportCancelled`` raised: nothing is kept, nothing recorded."""
    ensure_may_report(actor, filters, kind)
    if not storable(out):
        raise ValidationError("out", "contains a character no file name can hold")
    target = files.target_path(out)
    if not overwrite and files.exists(target):
        raise ValidationError(
            "out", f"{files.shown_path(str(target))} already exists; nothing was replaced"
        )
    started = clock.perf_counter()
    restricted = _Restricted() if filters.include_restricted else None
    temporary = files.temporary_beside(target)
    try:
        with reading(db, actor) as work:
            reports = ReportRepository(work.session, actor)
            criteria, recorded = criteria_for(work, reports, filters)
            zone = work.zone
            if kind is ReportKind.NOTES:
                raw = reports.notes(criteria, details=filters.include_restricted)
                authors, teams = reports.staff_usernames(), reports.team_names()
                rows = _note_rows(raw, zone, restricted, authors, teams)
            elif kind is ReportKind.COMMUNICATIONS:
                rows = _communication_rows(reports.communications(criteria), zone)
            else:
                rows = _service_rows(reports.services(criteria), work.settings.currency)
            count = _write(temporary, kind, format, rows, started, progress, cancelled)
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


def _write(
    temporary: Path,
    kind: ReportKind,
    format: ReportFormat,
    rows: Iterator[tuple[Any, ...]],
    started: float,
    progress: Callable[[ReportProgress], None] | None,
    cancelled: Callable[[], bool] | None,
) -> int:
    writer = open_writer(format, temporary, COLUMNS[kind], kind.value)
    count = 0
    try:
        # A few thousand rows at a time: the writer takes them in one call, and between
        # batches the person hears how far it has got and may stop it.
        while batch := list(islice(rows, PROGRESS_EVERY)):
            writer.write_many(batch)
            count += len(batch)
            if cancelled is not None and cancelled():
                raise ReportCancelled()
            if progress is not None:
                progress(ReportProgress(count, clock.perf_counter() - started))
    finally:
        writer.close()
    if cancelled is not None and cancelled():
        raise ReportCancelled()
    if progress is not None and count == 0:
        progress(ReportProgress(count, clock.perf_counter() - started))
    return count
