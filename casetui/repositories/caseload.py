"""The caseload read in pages: keyset paging for paging down, plus the small lookups the
caseload screen needs (tags in use, every case number a filter matches).

Same filter and same order as ``CaseRepository.rows`` (``sort_column``); a test keeps keyset
pages equal to offset pages, page for page.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_, select
from sqlmodel import col

from casetui.domain.filters import CaseFilter
from casetui.domain.models import Case, CaseTag, Client
from casetui.domain.read_models.cases import CaseRow
from casetui.repositories.case_search import sort_column
from casetui.repositories.cases import CaseRepository
from casetui.repositories.scope import visible_cases

TAGS_IN_USE_MAX = 500
# Sort keys that always have a value: their keyset needs no "or missing" branch, which
# would stop SQLite from starting the scan at the anchor.
NEVER_MISSING = frozenset({"client", "case_number", "status", "concern"})


class CaseloadRepository(CaseRepository):
    """The actor's caseload, a page at a time."""

    _after: ColumnElement[bool] | None = None

    def _where(self, flt: CaseFilter) -> list[ColumnElement[bool]]:
        clauses = super()._where(flt)
        if self._after is not None:
            clauses.append(self._after)
        return clauses

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
            .join(Client, col(Client.id) == Case.client_id)
            .where(col(Case.id) == case_id, visible_cases(self.actor))
        ).first()
        if anchor is None:
            return None
        value = anchor[0]
        later_id = col(Case.id) < case_id if flt.descending else col(Case.id) > case_id
        if value is None:  # missing values come last, in id order
            return and_(column.is_(None), later_id)
        # A range the index can start from, then the ties after the anchor: "a > v OR (a = v
        # AND id > x)" reads the same rows but makes SQLite scan the whole index.
        from_value = column <= value if flt.descending else column >= value
        after_anchor = and_(from_value, or_(column != value, later_id))
        if flt.sort in NEVER_MISSING:
            return after_anchor
        return or_(after_anchor, column.is_(None))

    def case_numbers(self, flt: CaseFilter, *, limit: int) -> list[tuple[int, str]]:
        """(id, case number) of every case the filter matches, up to ``limit``, in order."""
        query = (
            select(col(Case.id), col(Case.case_number))
            .join(Client, col(Client.id) == Case.client_id)
            .where(and_(*self._where(flt)))
            .order_by(*self._order(flt))
            .limit(limit)
        )
        return [(row[0], row[1]) for row in self.session.execute(query)]

    def tags_in_use(self) -> list[str]:
        """Tags on cases the actor can see, for the tag filter's choices."""
        query = (
            select(col(CaseTag.tag))
            .join(Case, col(Case.id) == CaseTag.case_id)
            .where(visible_cases(self.actor))
            .distinct()
            .order_by(col(CaseTag.tag))
            .limit(TAGS_IN_USE_MAX)
        )
        return list(self.session.execute(query).scalars())
