"""Where the caseload table's rows come from: pages and counts read as the actor sees them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from casetui.domain.read_models import CaseRow
from casetui.repositories.cases import CaseFilter

if TYPE_CHECKING:
    from casetui.db.uow import Database, UnitOfWork
    from casetui.domain.actor import Actor

PAGE_SIZE = 100


class CaseloadReads:
    """Reads for the table inside one read-only unit of work (used from worker threads)."""

    def __init__(self, uow: UnitOfWork, actor: Actor) -> None:
        from casetui.repositories.caseload import CaseloadRepository

        self.uow = uow
        self.repository = CaseloadRepository(uow.session, actor)

    def page(self, flt: CaseFilter, *, offset: int, after: int | None = None) -> list[CaseRow]:
        return self.repository.page(flt, offset=offset, limit=PAGE_SIZE, after=after)

    def count(self, flt: CaseFilter) -> int:
        return self.repository.count(flt)

    def clock(self) -> tuple[datetime, date]:
        """Now, and today in the organisation's time zone."""
        from casetui.services import context

        return self.uow.now(), context.today(self.uow)

    def case_numbers(self, flt: CaseFilter, limit: int) -> list[tuple[int, str]]:
        return self.repository.case_numbers(flt, limit=limit)


@dataclass(frozen=True)
class CaseloadSource:
    """Where the table's rows come from: the database, as the signed-in actor sees it."""

    db: Database
    actor: Actor

    @contextmanager
    def reading(self) -> Iterator[CaseloadReads]:
        with self.db.uow(write=False) as uow:
            yield CaseloadReads(uow, self.actor)
