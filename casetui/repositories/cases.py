"""Cases as the acting staff member may see them: the caseload, one case, its people."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    SQLColumnExpression,
    String,
    and_,
    bindparam,
    case,
    cast,
    false,
    func,
    literal_column,
    or_,
    select,
    text,
    union,
)
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from casetui.domain.actor import Actor
from casetui.domain.enums import CaseStatus
from casetui.domain.errors import NotFound
from casetui.domain.filters import CaseFilter
from casetui.domain.models import (
    Case,
    CaseNavigator,
    CaseTag,
    Client,
    ClientWarning,
    Staff,
)
from casetui.domain.read_models import CaseDetail, CaseRow
from casetui.domain.storable import storable, storable_id
from casetui.repositories.scope import assigned_to, visible_cases

KNOWN_STATUSES = frozenset(status.value for status in CaseStatus)
# A filter matching more cases than this, in any status, tests the caseload's rows one by one
# in caseload order (stopping at a full page) instead of gathering every match first.
BROAD_MATCHES = 10_000
# Which queries matched many, remembered across reads: typing and erasing a name asks again
# for each prefix. Only the speed of a read depends on it, never which cases it finds.
_BROAD_SEEN: dict[tuple[str, int, str], bool] = {}
BROAD_SEEN_KEPT = 1_000

ROWS_MAX = 2**62  # within SQLite's and PostgreSQL's 64-bit LIMIT and OFFSET


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _status_in(statuses: tuple[str, ...]) -> ColumnElement[bool]:
    """``status IN (...)``; the product's own statuses written as literals, so the planners
    can match the open-and-paused index (migration 0004), whose condition they must see."""
    if set(statuses) <= KNOWN_STATUSES:
        listed: Any = bindparam("statuses", list(statuses), expanding=True, literal_execute=True)
        return col(Case.status).in_(listed)
    return col(Case.status).in_(statuses)


def _worker_name() -> ColumnElement[Any]:
    # A correlated lookup rather than an outer-joined alias, so it also works in WHERE.
    return (
        select(func.lower(Staff.display_name))
        .where(col(Staff.id) == Case.primary_worker_id)
        .correlate(Case)
        .scalar_subquery()
    )


def sort_column(sort: str) -> SQLColumnExpression[Any]:
    """The value a caseload sort key orders by; unknown keys sort by last interaction."""
    columns: dict[str, SQLColumnExpression[Any]] = {
        "client": func.lower(Client.name),
        "case_number": col(Case.case_number),
        "worker": _worker_name(),
        "status": case({"Open": 1, "Paused": 2, "Closed": 3}, value=Case.status, else_=0),
        "concern": case({"Low": 1, "Medium": 2, "High": 3}, value=Case.concern, else_=0),
        "pathway": col(Case.pathway),
        "last_interaction": col(Case.last_interaction_at),
        "next_task": col(Case.next_task_due),
    }
    return columns.get(sort, columns["last_interaction"])


class CaseRepository:
    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor
        self._broad: dict[str, bool] = {}  # query -> matches many cases (see _matching)

    def _core(self, query: Any) -> Any:
        """Run a read of plain columns on the session's connection: the caseload's pages are
        columns, not entities, and skipping the ORM's bookkeeping halves the Python time."""
        return self.session.connection().execute(query)

    # --- one case -------------------------------------------------------------------

    def get_by_number(self, case_number: str) -> Case:
        found = None
        if storable(case_number):  # text no database can hold is no stored case number
            found = self.session.execute(
                select(Case).where(col(Case.case_number) == case_number, visible_cases(self.actor))
            ).scalar_one_or_none()
        if found is None:
            # The same answer whether the case is missing or just not the actor's.
            raise NotFound(f"no case {case_number!r} that you can see")
        return found

    def get(self, case_id: int) -> Case:
        row = None
        if storable_id(case_id):  # a larger number names no case (nor can PostgreSQL compare it)
            row = self.session.execute(
                select(Case).where(col(Case.id) == case_id, visible_cases(self.actor))
            ).scalar_one_or_none()
        if row is None:
            raise NotFound(f"no case {case_id} that you can see")
        return row

    def get_many_by_number(self, case_numbers: Sequence[str]) -> dict[str, Case]:
        rows = self.session.execute(
            select(Case).where(
                col(Case.case_number).in_([n for n in case_numbers if storable(n)]),
                visible_cases(self.actor),
            )
        ).scalars()
        return {row.case_number: row for row in rows}

    def is_assigned(self, case_id: int) -> bool:
        return storable_id(case_id) and (
            self.session.execute(
                select(col(Case.id)).where(col(Case.id) == case_id, assigned_to(self.actor))
            ).first()
            is not None
        )

    def detail(self, case_id: int) -> CaseDetail:
        worker = aliased(Staff)
        row = None
        if storable_id(case_id):
            row = self.session.execute(
                select(Case, Client, worker)
                .join(Client, col(Client.id) == Case.client_id)
                .join(worker, col(worker.id) == Case.primary_worker_id, isouter=True)
                .where(col(Case.id) == case_id, visible_cases(self.actor))
            ).first()
        if row is None:
            raise NotFound(f"no case {case_id} that you can see")
        case_, client, staff = row
        navigators = self.session.execute(
            select(col(Staff.username))
            .join(CaseNavigator, col(CaseNavigator.staff_id) == Staff.id)
            .where(col(CaseNavigator.case_id) == case_id)
            .order_by(Staff.username)
        ).scalars()
        return CaseDetail(
            id=case_.id,
            case_number=case_.case_number,
            client_id=client.id,
            client_name=client.name,
            preferred_name=client.preferred_name,
            status=case_.status,
            concern=case_.concern,
            worker_id=case_.primary_worker_id,
            worker_username=staff.username if staff else None,
            worker_name=staff.display_name if staff else None,
            team_id=case_.team_id,
            pathway=case_.pathway,
            opened_on=case_.opened_on,
            closed_on=case_.closed_on,
            last_interaction_at=case_.last_interaction_at,
            version=case_.version,
            tags=tuple(self.tags_for([case_.id]).get(case_.id, ())),
            warnings=tuple(self.warnings_for([client.id]).get(client.id, ())),
            navigators=tuple(navigators),
        )

    # --- the caseload ---------------------------------------------------------------

    def _where(self, flt: CaseFilter) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = [visible_cases(self.actor)]
        if flt.statuses:
            clauses.append(_status_in(flt.statuses))
        if flt.concerns:
            clauses.append(col(Case.concern).in_(flt.concerns))
        if flt.mine:
            clauses.append(assigned_to(self.actor))
        if flt.worker_ids:
            clauses.append(col(Case.primary_worker_id).in_(flt.worker_ids))
        if flt.pathways:
            clauses.append(col(Case.pathway).in_(flt.pathways))
        typed = (flt.query, *flt.tags, *flt.pathways, *flt.statuses, *flt.concerns)
        if not all(storable(t) for t in typed):
            return [false()]  # nothing stored holds such text
        for tag in flt.tags:
            clauses.append(
                select(col(CaseTag.case_id))
                .where(col(CaseTag.case_id) == Case.id, col(CaseTag.tag) == tag)
                .exists()
            )
        query = flt.query.strip()
        if query:
            clauses.append(self._matching(query))
        return clauses

    def _matching(self, query: str) -> ColumnElement[bool]:
        """Cases whose client's name holds ``query``, whose number starts with it, or tagged it.

        Two ways to find them, the same cases either way:

        * few matches: a UNION of three indexed look-ups (the name through FTS5 on SQLite or
          pg_trgm on PostgreSQL, the number as a range on its unique index, the tag by
          equality), so a rare name is found without reading every case;
        * many matches (a query under three letters, "C-20", a common trigram): the cases are
          read in caseload order and each is tested, which stops as soon as a page is full,
          where gathering a million matches to show a hundred would take seconds.

        A capped count of each look-up decides (``_matches_many``), once per query.
        """
        lowered = query.lower()
        number = query.upper()
        in_range = and_(
            col(Case.case_number) >= number, col(Case.case_number) < number + "\U0010ffff"
        )
        tagged = select(col(CaseTag.case_id)).where(col(CaseTag.tag) == lowered)
        pattern = f"%{_like_escape(lowered)}%"
        named = or_(
            func.lower(Client.name).like(pattern, escape="\\"),
            func.lower(Client.preferred_name).like(pattern, escape="\\"),
        )
        row_by_row = or_(named, in_range, col(Case.id).in_(tagged))
        if len(lowered) < 3:
            return row_by_row
        clients: Select[Any] | CompoundSelect[Any]  # client ids
        if self.session.get_bind().dialect.name == "sqlite":
            phrase = '"' + query.replace('"', '""') + '"'
            clients = (
                select(literal_column("rowid"))
                .select_from(text("client_search"))
                .where(text("client_search MATCH :phrase").bindparams(phrase=phrase))
            )
        else:
            # One look-up per trigram index: with "name OR preferred name" PostgreSQL reads
            # every client instead (it prices the two index scans above one table scan).
            clients = union(
                select(col(Client.id)).where(func.lower(Client.name).like(pattern, escape="\\")),
                select(col(Client.id)).where(
                    func.lower(Client.preferred_name).like(pattern, escape="\\")
                ),
            )
        numbered = select(col(Case.id)).where(in_range)
        if self._matches_many(lowered, (clients, numbered, tagged)):
            return row_by_row
        matching: CompoundSelect[Any] = union(  # case ids
            select(col(Case.id)).where(col(Case.client_id).in_(clients)),
            numbered,
            tagged,
        )
        return col(Case.id).in_(matching)

    def _matches_many(self, query: str, look_ups: tuple[Any, Any, Any]) -> bool:
        """Whether the look-ups (names, numbers, tag) find more than BROAD_MATCHES rows between
        them, in any status or scope: what gathering them would read. Each stops counting at
        the cap."""
        database = self.session.get_bind().engine.url.render_as_string()
        seen_key = (database, BROAD_MATCHES, query)
        if query not in self._broad and seen_key in _BROAD_SEEN:
            self._broad[query] = _BROAD_SEEN[seen_key]
        if query not in self._broad:
            # Typing on: a longer query holds every name and number a shorter one ruled out,
            # so once a start of it matched few, only its tag (a whole word) needs counting.
            narrowed = any(
                _BROAD_SEEN.get((database, BROAD_MATCHES, query[:end])) is False
                for end in range(3, len(query))
            )
            capped = [
                select(func.count()).select_from(look_up.limit(BROAD_MATCHES + 1).subquery())
                .scalar_subquery()
                for look_up in (look_ups[2:] if narrowed else look_ups)
            ]  # fmt: skip
            total = self._core(select(sum(capped[1:], capped[0]))).scalar_one()
            self._broad[query] = int(total) > BROAD_MATCHES
            if len(_BROAD_SEEN) >= BROAD_SEEN_KEPT:
                _BROAD_SEEN.clear()
            _BROAD_SEEN[seen_key] = self._broad[query]
        return self._broad[query]

    def _tests_names_row_by_row(self, query: str) -> bool:
        """Whether a filter on ``query`` reads each case's client name (see ``_matching``)."""
        return bool(query) and (len(query) < 3 or self._broad.get(query.lower(), False))

    def count(self, flt: CaseFilter) -> int:
        if len(flt.statuses) > 1:
            # One count a status: each reads its slice of the status index, where a single
            # "status IN (...)" looks to the planner like most of the table and is scanned.
            return sum(self.count(replace(flt, statuses=(status,))) for status in flt.statuses)
        where = and_(*self._where(flt))
        query = select(func.count()).select_from(Case)
        if self._tests_names_row_by_row(flt.query.strip()):
            # Only a broad query tests the client's name row by row; the rest need no client.
            query = query.join(Client, col(Client.id) == Case.client_id)
        return int(self._core(query.where(where)).scalar_one())

    def _order(self, flt: CaseFilter) -> list[ColumnElement[Any]]:
        column = sort_column(flt.sort)
        ordered = column.desc() if flt.descending else column.asc()
        tiebreak = col(Case.id).desc() if flt.descending else col(Case.id).asc()
        # Missing values last either way, the way people read a list; NULLS LAST (rather than
        # "IS NULL" first) also lets SQLite walk an index for the default sort.
        return [ordered.nulls_last(), tiebreak]

    def rows(self, flt: CaseFilter, *, offset: int = 0, limit: int = 50) -> list[CaseRow]:
        worker = aliased(Staff)
        query = (
            select(
                col(Case.id),
                col(Case.case_number),
                col(Client.id),
                col(Client.name),
                col(Case.status),
                col(Case.concern),
                col(Case.primary_worker_id),
                col(worker.username),
                col(worker.display_name),
                col(Case.pathway),
                col(Case.last_interaction_at),
                col(Case.next_task_due),
                col(Case.version),
            )
            .join(Client, col(Client.id) == Case.client_id)
            .join(worker, col(worker.id) == Case.primary_worker_id, isouter=True)
            .where(and_(*self._where(flt)))
            .order_by(*self._order(flt))
            # A number past what either database counts in simply means "all of them".
            .offset(min(max(offset, 0), ROWS_MAX))
            .limit(min(max(limit, 0), ROWS_MAX))
        )
        found = self._core(query).all()
        case_ids = [r[0] for r in found]
        tags = self.tags_for(case_ids)
        warnings = self.warnings_for([r[2] for r in found])
        return [
            CaseRow(
                id=r[0],
                case_number=r[1],
                client_id=r[2],
                client_name=r[3],
                status=r[4],
                concern=r[5],
                worker_id=r[6],
                worker_username=r[7],
                worker_name=r[8],
                pathway=r[9],
                last_interaction_at=r[10],
                tags=tuple(tags.get(r[0], ())),
                warnings=tuple(warnings.get(r[2], ())),
                next_task_due=r[11],
                version=r[12],
            )
            for r in found
        ]

    # --- per-page extras, fetched for the visible rows only -----------------------------

    def tags_for(self, case_ids: Iterable[int]) -> dict[int, list[str]]:
        ids = list(case_ids)
        out: dict[int, list[str]] = defaultdict(list)
        if ids:
            for case_id, tag in self._core(
                select(col(CaseTag.case_id), col(CaseTag.tag))
                .join(Case, col(Case.id) == CaseTag.case_id)
                .where(col(CaseTag.case_id).in_(ids), visible_cases(self.actor))
                .order_by(col(CaseTag.tag))
            ):
                out[case_id].append(tag)
        return out

    def warnings_for(self, client_ids: Iterable[int]) -> dict[int, list[str]]:
        ids = list(client_ids)
        out: dict[int, list[str]] = defaultdict(list)
        if ids:
            # Per client, through the client's own cases (an index), not every case there is.
            seen = (
                select(col(Case.id))
                .where(col(Case.client_id) == ClientWarning.client_id, visible_cases(self.actor))
                .exists()
            )
            for client_id, indicator in self._core(
                select(col(ClientWarning.client_id), col(ClientWarning.indicator))
                .where(col(ClientWarning.client_id).in_(ids), seen)
                .order_by(col(ClientWarning.indicator))
            ):
                out[client_id].append(indicator)
        return out

    def case_number_taken(self, case_number: str) -> bool:
        """Unscoped on purpose: numbers are unique across the organisation."""
        return storable(case_number) and (
            self.session.execute(
                select(col(Case.id)).where(
                    func.lower(cast(Case.case_number, String)) == case_number.lower()
                )
            ).first()
            is not None
        )
