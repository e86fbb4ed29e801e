"""A report's rows as its file has them: times made local, names looked up, restricted
details noted. Shared by the report itself (``standard``) and its helper (``parts``).

The rows come from ``ReportRepository`` case by case, each ending with the case's id
(``CASE_ID``), which ``CasesThrough`` watches so that a report can stop after a given case
and leave the rest to a helper.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from casetui.domain.reports import ReportKind
from casetui.repositories.reports import CaseCriteria, ReportRepository

CASE_ID = -1  # where each raw row holds its case's id


class CasesThrough:
    """Raw rows, case by case, that can be told to stop after a case (``through``): the rest
    is then a helper's. Remembers the last case whose rows it has handed on."""

    def __init__(self, rows: Iterator[Sequence[Any]]) -> None:
        self._rows = rows
        self.last_case: int | None = None
        self.through: int | None = None

    def __iter__(self) -> Iterator[Sequence[Any]]:
        try:
            for row in self._rows:
                case_id = row[CASE_ID]
                through = self.through
                if through is not None and case_id > through:
                    return
                self.last_case = case_id
                yield row
        finally:
            close = getattr(self._rows, "close", None)
            if close is not None:
                close()  # the cursor, now: not whenever the collector gets to it


def report_rows(
    reports: ReportRepository,
    kind: ReportKind,
    criteria: CaseCriteria,
    *,
    zone: ZoneInfo,
    currency: str,
    details: bool,
    restricted: Restricted | None,
) -> tuple[CasesThrough, Iterator[tuple[Any, ...]]]:
    """The report's raw rows (to stop after a case) and the same rows as the file has them."""
    if kind is ReportKind.NOTES:
        raw = CasesThrough(reports.notes(criteria, details=details))
        authors, teams = reports.staff_usernames(), reports.team_names()
        return raw, note_rows(iter(raw), zone, restricted, authors, teams)
    if kind is ReportKind.COMMUNICATIONS:
        raw = CasesThrough(reports.communications(criteria))
        return raw, communication_rows(iter(raw), zone)
    raw = CasesThrough(reports.services(criteria))
    return raw, service_rows(iter(raw), currency)


class LocalClock:
    """Naive UTC to the organisation's wall-clock time, fast: the offset of each UTC day is
    found once and kept, and only a day in which the clocks change (or whose offset has
    seconds in it, as some zones' had before 1940) asks the zone for every time in it.

    A report converts two times a row, in no order of time (case by case); asking the zone
    each time was a fifth of the work. Days, not hours, are kept: a report of a few years
    touches a few thousand days but tens of thousands of hours, and a cache of hours that had
    to be emptied and filled again cost more than the conversions it saved.
    """

    # Distinct days kept at most (a century is 36,525): enough for any report, and the memory
    # stays the same however long the report.
    DAYS_KEPT = 40_000

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        # UTC day (its ordinal) -> that day's offset, or None when the clocks change that day.
        self.days: dict[int, timedelta | None] = {}
        # UTC day as text ("YYYY-MM-DD") -> how its times read locally (see _wall_day).
        self.wall_days: dict[str, tuple[str, str, str, int] | None] = {}

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

    def _wall_day(self, key: str) -> tuple[str, str, str, int] | None:
        """For the UTC day ``key``: the local dates ("YYYY-MM-DD ") of the day before, the day
        itself and the day after, and the offset in minutes. None when the offset changes
        within the day or is not a whole number of minutes: each time is then converted on
        its own."""
        day = date.fromisoformat(key)
        offset = self._day(day.toordinal())
        if offset is None or offset % timedelta(minutes=1):
            return None
        return (
            f"{day - timedelta(days=1)} ", f"{day} ", f"{day + timedelta(days=1)} ",
            offset // timedelta(minutes=1),
        )  # fmt: skip

    def wall(self, utc_text: str) -> str:
        """``utc_text`` (naive UTC, ISO: "YYYY-MM-DD HH:MM[:SS...]") as the organisation's
        wall-clock time, to the minute: "YYYY-MM-DD HH:MM"."""
        key = utc_text[:10]
        try:
            day = self.wall_days[key]
        except KeyError:
            if len(self.wall_days) >= self.DAYS_KEPT:
                self.wall_days.clear()
            day = self.wall_days[key] = self._wall_day(key)
        if day is None:
            moment = self.exact(datetime.fromisoformat(utc_text))
            return f"{moment:%Y-%m-%d} " + _CLOCK[moment.hour * 60 + moment.minute]
        before, same, after, shift = day
        minute = _MINUTE_OF[utc_text[11:16]] + shift
        if minute < 0:
            return before + _CLOCK[minute + MINUTES_A_DAY]
        if minute >= MINUTES_A_DAY:
            return after + _CLOCK[minute - MINUTES_A_DAY]
        return same + _CLOCK[minute]


MINUTES_A_DAY = 24 * 60
# Every minute of a day as the clock shows it ("HH:MM"), by its number from midnight.
_CLOCK = tuple(f"{minute // 60:02d}:{minute % 60:02d}" for minute in range(MINUTES_A_DAY))
# And back: "HH:MM" to its minute of the day (a look-up costs less than reading two numbers).
_MINUTE_OF = {shown: minute for minute, shown in enumerate(_CLOCK)}


class Restricted:
    """The restricted notes whose details went into the file: recorded as read afterwards."""

    def __init__(self) -> None:
        self.notes = array("q")
        self.cases = array("q")


def note_rows(
    rows: Iterator[Sequence[Any]],
    zone: ZoneInfo,
    restricted: Restricted | None,
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


def communication_rows(rows: Iterator[Sequence[Any]], zone: ZoneInfo) -> Iterator[tuple[Any, ...]]:
    local = LocalClock(zone).local
    for (
        comm_id, number, client, occurred_at, kind, direction, subject, body, author, state,
        sent_at, team, pathway, status, _case_id,
    ) in rows:  # fmt: skip
        sent = None if sent_at is None else local(sent_at)
        yield (
            comm_id, number, client, local(occurred_at), kind, direction,
            subject, body, author, state, sent, team, pathway, status,
        )  # fmt: skip


def service_rows(rows: Iterator[Sequence[Any]], currency: str) -> Iterator[tuple[Any, ...]]:
    for (
        service_id, number, client, provided_on, service_type, provider, amount, grant,
        justification, author, team, pathway, status, _case_id,
    ) in rows:  # fmt: skip
        yield (
            service_id, number, client, provided_on, service_type, provider, amount, currency,
            grant, justification, author, team, pathway, status,
        )  # fmt: skip
