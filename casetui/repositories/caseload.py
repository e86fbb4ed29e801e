"""The caseload read in pages: keyset paging for paging down, plus the small lookups the
caseload screen needs (tags in use, every case number a filter matches).

Same filter and same order as ``CaseRepository.rows``: the ordering is restated here with
``NULLS LAST`` (which lets SQLite walk an index for the default sort) and a test keeps the
two orders equal, page for page.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import aliased

from casetui.domain.models import Case, CaseTag, Client, Staff
from casetui.domain.read_models import CaseRow
from casetui.repositories.cases import CaseFilter, CaseRepository
from casetui.repositories.scope import visible_cases

TAGS_IN_USE_MAX = 500
# Sort keys that always have a value: their keyset needs no "or missing" branch, which
# would stop SQLite from starting the scan at the anchor.
NEVER_MISSING = frozenset({"client", "case_number", "status", "concern"})


def _worker_name() -> ColumnElement[Any]:
    # A correlated lookup rather than the outer-joined alias, so it also works in WHERE.
    return (
        select(func.lower(Staff.display_name))
        .where(Staff.id == Case.primary_worker_id)  # type: ignore[arg-type]
        .correlate(Case)
        .scalar_subquery()
    )


def sort_column(sort: str) -> ColumnElement[Any]:
    """The value a caseload sort key orders by; unknown keys sort by last interaction."""
    columns: dict[str, ColumnElement[Any]] = {
        "client": func.lower(Client.name),
        "case_number": Case.case_number,  # type: ignore[dict-item]
        "worker": _worker_name(),
        "status": case({"Open": 1, "Paused": 2, "Closed": 3}, value=Case.status, else_=0),
        "concern": case({"Low": 1, "Medium": 2, "High": 3}, value=Case.concern, else_=0),
        "pathway": Case.pathway,  # type: ignore[dict-item]
        "last_interaction": Case.last_interaction_at,  # type: ignore[dict-item]
        "next_task": Case.next_task_due,  # type: ignore[dict-item]
    }
    return columns.get(sort, columns["last_interaction"])


class CaseloadRepository(CaseRepository):
    """The actor's caseload, a page at a time."""

    _after: ColumnElement[bool] | None = None

    def _where(self, flt: CaseFilter) -> list[ColumnElement[bool]]:
        clauses = super()._where(flt)
        if self._after is not None:
            clauses.append(self._after)
        return clauses

    def _order(self, flt: CaseFilter, worker: type[Staff]) -> list[ColumnElement[object]]:
        column = sort_column(flt.sort)
        ordered = column.desc() if flt.descending else column.asc()
        tiebreak = Case.id.desc() if flt.descending else Case.id.asc()  # type: ignore[union-attr]
        return [ordered.nulls_last(), tiebreak]

    def page(
        self, flt: CaseFilter, *, offset: int = 0, limit: int = 100, after: int | None = None
    ) -> list[CaseRow]:
        """Rows ``offset`` onwards, or, given ``after`` (a case id), the rows following that case."""
        if after is None:
            return self.rows(flt, offset=offset, limit=limit)
        clause = self._following(flt, after)
        if clause is None:  # the anchor case went away: fall back to counting rows
            return self.rows(flt, offset=offset, limit=limit)
        self._after = clause
        try:
            return self.rows(flt, offset=0, limit=limit)
        finally:
            self._after = None

    def _following(self, flt: CaseFilter, case_id: int) -> ColumnElement[bool] | None:
        column = sort_column(flt.sort)
        anchor = self.session.execute(
            select(column)
            .select_from(Case)
            .join(Client, Client.id == Case.client_id)  # type: ignore[arg-type]
            .where(Case.id == case_id, visible_cases(self.actor))  # type: ignore[arg-type]
        ).first()
        if anchor is None:
            return None
        value = anchor[0]
        later_id = Case.id < case_id if flt.descending else Case.id > case_id  # type: ignore[operator]
        if value is None:  # missing values come last, in id order
            return and_(column.is_(None), later_id)  # type: ignore[arg-type]
        # A range the index can start from, then the ties after the anchor: "a > v OR (a = v
        # AND id > x)" reads the same rows but makes SQLite scan the whole index.
        from_value = column <= value if flt.descending else column >= value
        after_anchor = and_(from_value, or_(column != value, later_id))  # type: ignore[arg-type]
        if flt.sort in NEVER_MISSING:
            return after_anchor
        return or_(after_anchor, column.is_(None))  # type: ignore[arg-type]

    def case_numbers(self, flt: CaseFilter, *, limit: int) -> list[tuple[int, str]]:
        """(id, case number) of every case the filter matches, up to ``limit``, in order."""
        worker = aliased(Staff)
        query = (
            select(Case.id, Case.case_number)  # type: ignore[call-overload]
            .join(Client, Client.id == Case.client_id)
            .where(and_(*self._where(flt)))
            .order_by(*self._order(flt, worker))
            .limit(limit)
        )
        return [(row[0], row[1]) for row in self.session.execute(query)]

    def tags_in_use(self) -> list[str]:
        """Tags on cases the actor can see, for the tag filter's choices."""
        query = (
            select(CaseTag.tag)  # type: ignore[call-overload]
            .join(Case, Case.id == CaseTag.case_id)
            .where(visible_cases(self.actor))
            .distinct()
            .order_by(CaseTag.tag)
            .limit(TAGS_IN_USE_MAX)
        )
        return list(self.session.execute(query).scalars())
