"""Reading the caseload: pages for the table, counts, the filter's choices, and the list the
command line prints (an export when it is ``--json``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from casetui.domain.actor import Actor
from casetui.domain.enums import Role
from casetui.domain.filters import CaseFilter
from casetui.domain.read_models.cases import CaseRow
from casetui.domain.read_models.people import StaffView
from casetui.repositories.cases import ROWS_MAX
from casetui.services.access import holders
from casetui.services.exports import exported
from casetui.services.work import Database, reading

# Rows in one page of the caseload table.
PAGE_SIZE = 100


@dataclass(frozen=True)
class CasePage:
    rows: list[CaseRow]
    now: datetime
    today: date  # in the organisation's time zone
    matching: int | None = None  # a listing cut short: how many cases the filter matches

    @property
    def cut(self) -> bool:
        return self.matching is not None and self.matching > len(self.rows)


def first_page(db: Database, actor: Actor, flt: CaseFilter, *, offset: int = 0) -> CasePage:
    """One page of the caseload, with the clock the rows were read by."""
    with reading(db, actor) as work:
        rows = work.cases.page(flt, offset=offset, limit=PAGE_SIZE)
        return CasePage(rows, work.now(), work.today())


def pages(
    db: Database, actor: Actor, flt: CaseFilter, numbers: Sequence[int], after: int | None
) -> Iterator[list[CaseRow]]:
    """The pages ``numbers`` in turn, read in one unit of work; ``after`` is the last case
    above the first of them, if known: whole pages then follow each other by keyset."""
    with reading(db, actor) as work:
        for index, page in enumerate(numbers):
            if index and numbers[index - 1] != page - 1:
                after = None
            rows = work.cases.page(flt, offset=page * PAGE_SIZE, limit=PAGE_SIZE, after=after)
            yield rows
            # Keyset from here on when this page is whole; counting rows otherwise.
            after = rows[-1].id if len(rows) == PAGE_SIZE else None


def count_cases(db: Database, actor: Actor, flt: CaseFilter) -> int:
    with reading(db, actor) as work:
        return work.cases.count(flt)


def case_numbers(
    db: Database, actor: Actor, flt: CaseFilter, *, limit: int
) -> list[tuple[int, str]]:
    """(id, case number) of every case the filter matches, up to ``limit``, in order."""
    with reading(db, actor) as work:
        return work.cases.case_numbers(flt, limit=limit)


@dataclass(frozen=True)
class FilterChoices:
    """What the caseload's pickers offer."""

    pathways: list[str]
    tags: list[str]
    workers: list[StaffView]


def filter_choices(db: Database, actor: Actor, kind: str) -> FilterChoices:
    """The choices of one picker (``pathway``, ``tag`` or ``worker``); the others are empty."""
    with reading(db, actor) as work:
        return FilterChoices(
            pathways=list(work.settings.pathways) if kind == "pathway" else [],
            tags=work.cases.tags_in_use() if kind == "tag" else [],
            workers=holders(work) if kind == "worker" else [],
        )


def list_cases(
    db: Database, actor: Actor, flt: CaseFilter, *, limit: int | None, export: bool = False
) -> CasePage:
    """The cases a filter matches, at most ``limit`` (None: all), saying how many match in all
    when the list is cut; ``export`` records the list as an export before handing it out."""
    with reading(db, actor) as work:
        rows = work.cases.rows(flt, limit=ROWS_MAX if limit is None else limit + 1)
        matching = None
        if limit is not None and len(rows) > limit:
            rows, matching = rows[:limit], work.cases.count(flt)
        page = CasePage(rows, work.now(), work.today(), matching)
    if export:
        details = {"query": flt.query, "statuses": list(flt.statuses), "mine": flt.mine}
        exported(db, actor, "cases", len(rows), details)
    return page


def starting_filter(actor: Actor) -> CaseFilter:
    """What the caseload shows first: a caseworker's own cases, everyone else's whole view."""
    return CaseFilter(mine=actor.role is Role.CASEWORKER)
