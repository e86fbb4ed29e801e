"""Cases as the acting staff member may see them: the caseload, one case, its people.

Which cases a caseload filter matches, and in which order, is built in ``case_search``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    any_,
    bindparam,
    cast,
    func,
    literal_column,
    select,
)
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from casetui.domain.actor import Actor
from casetui.domain.errors import NotFound
from casetui.domain.filters import CaseFilter
from casetui.domain.models import (
    Case,
    CaseNavigator,
    CaseTag,
    Client,
    ClientWarning,
    FormerCaseNumber,
    Staff,
)
from casetui.domain.read_models.cases import CaseDetail, CaseRow
from casetui.domain.storable import storable, storable_id
from casetui.repositories.case_search import CaseSearch, caseload_order
from casetui.repositories.scope import assigned_to, visible_cases

ROWS_MAX = 2**62  # within SQLite's and PostgreSQL's 64-bit LIMIT and OFFSET


class CaseRepository:
    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor
        self._search = CaseSearch(session, actor)  # the filter, and which queries match many

    def _core(self, query: Any) -> Any:
        """Run a read of plain columns on the session's connection: the caseload's pages are
        columns, not entities, and skipping the ORM's bookkeeping halves the Python time."""
        return self.session.connection().execute(query)

    # --- one case -------------------------------------------------------------------

    def get_by_number(self, case_number: str) -> Case:
        """The case with this number, or the case that had it before a change of number."""
        found = None
        if storable(case_number):  # text no database can hold is no stored case number
            found = self.session.execute(
                select(Case).where(col(Case.case_number) == case_number, visible_cases(self.actor))
            ).scalar_one_or_none()
            if found is None:
                found = self.session.execute(
                    select(Case)
                    .join(FormerCaseNumber, col(FormerCaseNumber.case_id) == Case.id)
                    .where(
                        col(FormerCaseNumber.case_number) == case_number,
                        visible_cases(self.actor),
                    )
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
        """The cases with these numbers, current or former, keyed by the number asked for."""
        wanted = [n for n in case_numbers if storable(n)]
        found: dict[str, Case] = {}
        for start in range(0, len(wanted), 500):  # stay under SQLite's parameter limit
            chunk = wanted[start : start + 500]
            rows = self.session.execute(
                select(Case).where(col(Case.case_number).in_(chunk), visible_cases(self.actor))
            ).scalars()
            found.update({row.case_number: row for row in rows})
        former = [n for n in wanted if n not in found]
        for start in range(0, len(former), 500):
            chunk = former[start : start + 500]
            pairs = self.session.execute(
                select(col(FormerCaseNumber.case_number), Case)
                .join(Case, col(Case.id) == FormerCaseNumber.case_id)
                .where(col(FormerCaseNumber.case_number).in_(chunk), visible_cases(self.actor))
            ).all()
            found.update({number: row for number, row in pairs})
        return found

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
            former_numbers=tuple(self.former_numbers(case_.id)),
            created_at=case_.created_at,
        )

    def former_numbers(self, case_id: int) -> list[str]:
        """The numbers the case had before, oldest first (shown as "was C-0042")."""
        return list(
            self.session.execute(
                select(col(FormerCaseNumber.case_number))
                .where(col(FormerCaseNumber.case_id) == case_id)
                .order_by(col(FormerCaseNumber.changed_at), col(FormerCaseNumber.id))
            ).scalars()
        )

    # --- the caseload ---------------------------------------------------------------

    def _where(self, flt: CaseFilter) -> list[ColumnElement[bool]]:
        return self._search.where(flt)

    def count(self, flt: CaseFilter) -> int:
        if len(flt.statuses) > 1:
            # One count a status: each reads its slice of the status index, where a single
            # "status IN (...)" looks to the planner like most of the table and is scanned.
            return sum(self.count(replace(flt, statuses=(status,))) for status in flt.statuses)
        where = and_(*self._where(flt))
        query = select(func.count()).select_from(Case)
        if self._search.tests_names_row_by_row(flt.query.strip()):
            # Only a broad query tests the client's name row by row; the rest need no client.
            query = query.join(Client, col(Client.id) == Case.client_id)
        return int(self._core(query.where(where)).scalar_one())

    def _order(self, flt: CaseFilter) -> list[ColumnElement[Any]]:
        return caseload_order(flt)

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
        """Any case's current or former number, in any letter case. Unscoped on purpose:
        numbers are unique across the organisation, and a former number stays findable."""
        if not storable(case_number):
            return False
        lowered = case_number.lower()
        current = select(col(Case.id)).where(func.lower(cast(Case.case_number, String)) == lowered)
        former = select(col(FormerCaseNumber.id)).where(
            func.lower(cast(FormerCaseNumber.case_number, String)) == lowered
        )
        return (
            self.session.execute(current.limit(1)).first() is not None
            or self.session.execute(former.limit(1)).first() is not None
        )

    def case_numbers_taken(self, case_numbers: Iterable[str]) -> set[str]:
        """Which of these numbers (lower-cased) a case has or had, as ``case_number_taken``
        asks of one: a single pass over each table however many are asked (an import's)."""
        wanted = sorted({n.lower() for n in case_numbers if storable(n)})
        if not wanted:
            return set()
        taken: set[str] = set()
        for table in (Case, FormerCaseNumber):
            lowered = func.lower(cast(col(table.case_number), String))
            if self.session.get_bind().dialect.name == "postgresql":
                from sqlalchemy.dialects.postgresql import ARRAY

                one_of = lowered == any_(bindparam("numbers", wanted, type_=ARRAY(String)))
            else:
                # One JSON parameter, not one per number: SQLite limits those.
                listed: Select[Any] = select(literal_column("value")).select_from(
                    func.json_each(json.dumps(wanted))
                )
                one_of = lowered.in_(listed)
            taken.update(self.session.execute(select(lowered).where(one_of)).scalars())
        return taken
