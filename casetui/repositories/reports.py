"""The rows of the standard reports, streamed: plain columns, never ORM objects, read from one
cursor a batch at a time, so memory does not grow with the report.

PostgreSQL hands the rows over from a server-side cursor (``yield_per`` asks for
``stream_results``); SQLite's cursor steps through the result as it is read. Rows come case by
case (in the order the cases were opened), each case's oldest first: the order the indexes on
(case, date) give, so no database has to sort a million rows before the first is written. Every read goes
through the cases the actor may see (``visible_cases``); deleted clients and their cases only
for administrators who ask for them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Select,
    String,
    case,
    func,
    literal,
    select,
    true,
    type_coerce,
)
from sqlmodel import Session, col

from casetui.domain.actor import Actor
from casetui.domain.enums import ListKind, Role
from casetui.domain.models import (
    Case,
    CaseNote,
    Client,
    Communication,
    OrganisationListItem,
    Staff,
    SupportiveService,
    Team,
)
from casetui.repositories.scope import visible_cases


def _naive_utc(column: Any) -> Any:
    """A UTC datetime column read as the database holds it (naive UTC on both databases),
    without the per-value step that makes it aware: the report converts it once, to local."""
    return type_coerce(column, DateTime())


def _utc_text(column: Any, dialect: str) -> Any:
    """A UTC datetime column as ISO text in naive UTC ("YYYY-MM-DD HH:MM:SS..."): SQLite holds
    it so and hands it over as it is; PostgreSQL writes it out. Text, because the report turns
    it into local text through a cache of whole hours (see LocalClock) and a datetime object
    per value, parsed and then taken apart again, was a good part of the report's time."""
    if dialect == "postgresql":
        return type_coerce(func.to_char(column, "YYYY-MM-DD HH24:MI:SS"), String())
    return type_coerce(column, String())


# Rows fetched from the cursor at a time: large enough that fetching is cheap, small enough
# that a batch of long notes stays a few MB.
BATCH = 1000
Rows = Select[*tuple[Any, ...]]  # a select of several columns


@dataclass(frozen=True)
class CaseCriteria:
    """Which cases' records a report covers, and the window of time, already resolved to
    ids and UTC (``since``/``until`` for datetimes, ``first_day``/``last_day`` for dates)."""

    since: datetime | None = None  # contact or communication at or after
    until: datetime | None = None  # ... and before
    first_day: date | None = None  # a service on or after
    last_day: date | None = None  # ... and on or before
    team_id: int | None = None
    worker_id: int | None = None  # the case's primary worker
    pathway: str | None = None
    status: str | None = None  # the case's status
    include_deleted: bool = False  # administrators: deleted clients and their cases too
    after_case: int | None = None  # only cases with a higher id (a report's later part)


class ReportRepository:
    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor

    # --- the cases a report covers ----------------------------------------------------------

    def _cases(self, criteria: CaseCriteria) -> list[ColumnElement[bool]]:
        if criteria.include_deleted and self.actor.role is Role.ADMINISTRATOR:
            where: list[ColumnElement[bool]] = [true()]
        else:
            where = [visible_cases(self.actor), col(Client.deleted_at).is_(None)]
        if criteria.team_id is not None:
            where.append(col(Case.team_id) == criteria.team_id)
        if criteria.worker_id is not None:
            where.append(col(Case.primary_worker_id) == criteria.worker_id)
        if criteria.pathway is not None:
            where.append(col(Case.pathway) == criteria.pathway)
        if criteria.status is not None:
            where.append(col(Case.status) == criteria.status)
        if criteria.after_case is not None:
            where.append(col(Case.id) > criteria.after_case)
        return where

    def row_split(self, kind: str, criteria: CaseCriteria, share: float) -> int | None:
        """The id of the case that ends about the first ``share`` of the report's rows after
        ``criteria.after_case`` (None: no case left after it). Cases differ in rows (older
        ones have more notes), so rows are counted, case by case, from the index on (case,
        date) alone: the case filters and deleted rows are left out of the count, which only
        has to be near."""
        table, at, since, until = {
            "notes": (CaseNote, CaseNote.contact_at, criteria.since, criteria.until),
            "communications": (
                Communication, Communication.occurred_at, criteria.since, criteria.until,
            ),
            "services": (
                SupportiveService, SupportiveService.provided_on, criteria.first_day,
                criteria.last_day,
            ),
        }[kind]  # fmt: skip
        case_id = col(table.case_id)  # type: ignore[attr-defined]
        counted: tuple[Any, ...] = (case_id.label("case_id"), func.count().label("rows"))
        per_case: Rows = select(*counted).group_by(case_id)
        if criteria.after_case is not None:
            per_case = per_case.where(case_id > criteria.after_case)
        if since is not None:
            per_case = per_case.where(col(at) >= since)
        if until is not None:
            per_case = per_case.where(col(at) < until if kind != "services" else col(at) <= until)
        cases = per_case.subquery()
        # The running count in the database, so no list of every case comes back to Python.
        running = select(
            cases.c.case_id,
            func.sum(cases.c.rows).over(order_by=cases.c.case_id).label("so_far"),
            func.sum(cases.c.rows).over().label("total"),
        ).subquery()
        found = self.session.execute(
            select(running.c.case_id)
            .where(running.c.so_far >= running.c.total * share, running.c.so_far < running.c.total)
            .order_by(running.c.case_id)
            .limit(1)
        ).scalar_one_or_none()
        return None if found is None else int(found)

    def _dialect(self) -> str:
        return self.session.get_bind().dialect.name

    def _stream(self, query: Rows) -> Iterator[Sequence[Any]]:
        # Core, not the ORM: plain rows straight from the cursor, a batch at a time.
        connection = self.session.connection()
        result = connection.execution_options(yield_per=BATCH).execute(query)
        try:
            for batch in result.partitions():
                yield from batch
        finally:
            result.close()

    def _stream_plain(self, query: Rows) -> Iterator[Sequence[Any]]:
        """``_stream`` for a query whose columns the driver hands over as they are meant (whole
        numbers, text, true or false), as the DBAPI cursor's own tuples: no Row object made
        and no value converted for each of a million rows. The first batch comes through the
        result, which may have read a row ahead of it (PostgreSQL's server-side cursor); the
        rest straight from the cursor."""
        connection = self.session.connection()
        result = connection.execution_options(yield_per=BATCH).execute(query)
        try:
            batch: Sequence[Any] = result.fetchmany(BATCH)
            yield from batch
            if len(batch) == BATCH:
                cursor = result.cursor
                while batch := cursor.fetchmany(BATCH):
                    yield from batch
        finally:
            result.close()

    def _count(self, query: Rows) -> int:
        counted = select(func.count()).select_from(query.order_by(None).subquery())
        return int(self.session.execute(counted).scalar_one())

    # --- case notes -------------------------------------------------------------------------

    def _notes(self, criteria: CaseCriteria, *, details: bool) -> Rows:
        # A restricted note's details never leave the database unless asked for.
        shown_details: Any = (
            col(CaseNote.details)
            if details
            else case((col(CaseNote.restricted), literal("")), else_=col(CaseNote.details))
        )
        dialect = self._dialect()
        # The author and the team come as ids: a few hundred names, looked up once
        # (staff_usernames, team_names), cost less than two more joins on every row.
        query = (
            select(
                col(CaseNote.id),
                col(Case.case_number),
                col(Client.name),
                _utc_text(CaseNote.contact_at, dialect),
                col(CaseNote.activity_type),
                col(CaseNote.contact_type),
                col(CaseNote.third_party_org),
                col(CaseNote.author_id),
                col(CaseNote.summary),
                shown_details,
                col(CaseNote.restricted),
                col(Case.team_id),
                col(Case.pathway),
                col(Case.status),
                _utc_text(CaseNote.created_at, dialect),
                col(CaseNote.case_id),
            )  # fmt: skip
            .join(Case, col(Case.id) == CaseNote.case_id)
            .join(Client, col(Client.id) == Case.client_id)
            .where(col(CaseNote.deleted_at).is_(None), *self._cases(criteria))
        )
        if criteria.since is not None:
            query = query.where(col(CaseNote.contact_at) >= criteria.since)
        if criteria.until is not None:
            query = query.where(col(CaseNote.contact_at) < criteria.until)
        return query.order_by(col(Case.id), col(CaseNote.contact_at), col(CaseNote.id))

    def notes(self, criteria: CaseCriteria, *, details: bool) -> Iterator[Sequence[Any]]:
        """(id, case number, client, contact at, activity, contact type, third party, author
        id, summary, details, restricted, team id, pathway, case status, created at, case id),
        case by case, each case's oldest contact first; times as ISO text in naive UTC
        (``_utc_text``); restricted true or false as the database has it (on SQLite 1 or 0);
        a restricted note's details are empty unless ``details``."""
        return self._stream_plain(self._notes(criteria, details=details))

    def staff_usernames(self) -> dict[int, str]:
        """Every staff member's username by id (a note's author may since have left a team
        or the organisation: the report still names them)."""
        rows = self.session.execute(select(col(Staff.id), col(Staff.username)))
        return {staff_id: username for staff_id, username in rows}

    def team_names(self) -> dict[int, str]:
        rows = self.session.execute(select(col(Team.id), col(Team.name)))
        return {team_id: name for team_id, name in rows}

    def count_notes(self, criteria: CaseCriteria) -> int:
        return self._count(self._notes(criteria, details=False))

    # --- communications ---------------------------------------------------------------------

    def _communications(self, criteria: CaseCriteria) -> Rows:
        query = (
            select(
                col(Communication.id),
                col(Case.case_number),
                col(Client.name),
                _naive_utc(Communication.occurred_at),
                col(Communication.kind),
                col(Communication.direction),
                col(Communication.subject),
                col(Communication.body),
                col(Staff.username),
                col(Communication.reminder_state),
                _naive_utc(Communication.sent_at),
                col(Team.name),
                col(Case.pathway),
                col(Case.status),
                col(Case.id),
            )  # fmt: skip
            .join(Case, col(Case.id) == Communication.case_id)
            .join(Client, col(Client.id) == Case.client_id)
            .join(Staff, col(Staff.id) == Communication.author_id)
            .join(Team, col(Team.id) == Case.team_id, isouter=True)
            .where(col(Communication.deleted_at).is_(None), *self._cases(criteria))
        )
        if criteria.since is not None:
            query = query.where(col(Communication.occurred_at) >= criteria.since)
        if criteria.until is not None:
            query = query.where(col(Communication.occurred_at) < criteria.until)
        return query.order_by(col(Case.id), col(Communication.occurred_at), col(Communication.id))

    def communications(self, criteria: CaseCriteria) -> Iterator[Sequence[Any]]:
        """(id, case number, client, occurred at, type, direction, subject, body, author,
        reminder state, sent at (both naive UTC), team, pathway, case status, case id), case by
        case, oldest first."""
        return self._stream(self._communications(criteria))

    def count_communications(self, criteria: CaseCriteria) -> int:
        return self._count(self._communications(criteria))

    # --- supportive services ----------------------------------------------------------------

    def _services(self, criteria: CaseCriteria) -> Rows:
        query = (
            select(
                col(SupportiveService.id),
                col(Case.case_number),
                col(Client.name),
                col(SupportiveService.provided_on),
                col(SupportiveService.service_type),
                col(SupportiveService.provider),
                col(SupportiveService.amount),
                col(SupportiveService.grant),
                col(SupportiveService.justification),
                col(Staff.username),
                col(Team.name),
                col(Case.pathway),
                col(Case.status),
                col(Case.id),
            )  # fmt: skip
            .join(Case, col(Case.id) == SupportiveService.case_id)
            .join(Client, col(Client.id) == Case.client_id)
            .join(Staff, col(Staff.id) == SupportiveService.author_id)
            .join(Team, col(Team.id) == Case.team_id, isouter=True)
            .where(col(SupportiveService.deleted_at).is_(None), *self._cases(criteria))
        )
        if criteria.first_day is not None:
            query = query.where(col(SupportiveService.provided_on) >= criteria.first_day)
        if criteria.last_day is not None:
            query = query.where(col(SupportiveService.provided_on) <= criteria.last_day)
        return query.order_by(
            col(Case.id), col(SupportiveService.provided_on), col(SupportiveService.id)
        )

    def services(self, criteria: CaseCriteria) -> Iterator[Sequence[Any]]:
        """(id, case number, client, provided on, service type, provider, amount, grant,
        justification, author, team, pathway, case status, case id), case by case, oldest
        first."""
        return self._stream(self._services(criteria))

    def count_services(self, criteria: CaseCriteria) -> int:
        return self._count(self._services(criteria))

    # --- the words a filter may use ---------------------------------------------------------

    def pathway_named(self, name: str) -> str | None:
        """The organisation's spelling of a pathway (retired ones too), or None."""
        wanted = name.strip().casefold()
        values = self.session.execute(
            select(col(OrganisationListItem.value)).where(
                col(OrganisationListItem.kind) == ListKind.PATHWAY.value
            )
        ).scalars()
        return next((value for value in values if value.casefold() == wanted), None)
