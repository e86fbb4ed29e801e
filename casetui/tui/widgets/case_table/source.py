"""Where the caseload table's rows come from: the caseload service, as the actor sees it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from casetui.domain.filters import CaseFilter
from casetui.domain.read_models.cases import CaseRow
from casetui.services import caseload
from casetui.services.caseload import PAGE_SIZE, CasePage

if TYPE_CHECKING:
    from casetui.domain.actor import Actor
    from casetui.services.work import Database

__all__ = ["PAGE_SIZE", "CaseloadSource"]


@dataclass(frozen=True)
class CaseloadSource:
    """The table's reads, each asked of the caseload service (called from worker threads)."""

    db: Database
    actor: Actor

    def page(self, flt: CaseFilter, *, offset: int = 0) -> CasePage:
        """One page, with the clock (now, and today in the organisation's time zone) it was
        read by: one unit of work."""
        return caseload.first_page(self.db, self.actor, flt, offset=offset)

    def pages(
        self, flt: CaseFilter, numbers: Sequence[int], after: int | None
    ) -> Iterator[list[CaseRow]]:
        """The pages ``numbers`` in turn, all in one unit of work, open until the last is read;
        ``after`` is the last case above the first of them, if known."""
        return caseload.pages(self.db, self.actor, flt, numbers, after)

    def count(self, flt: CaseFilter) -> int:
        return caseload.count_cases(self.db, self.actor, flt)

    def case_numbers(self, flt: CaseFilter, limit: int) -> list[tuple[int, str]]:
        """(id, case number) of the filter's cases, in order, up to ``limit``."""
        return caseload.case_numbers(self.db, self.actor, flt, limit=limit)
