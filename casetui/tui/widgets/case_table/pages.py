"""Fetching the caseload table's rows a page at a time, and the pages it keeps.

Rows come from the caseload service in thread workers, into a small LRU of pages; rows not
fetched yet paint as "…" until their page arrives. Paging down reads the next page by keyset
(after the last case of the page above), so it stays quick deep into a large caseload. Every
new filter or reload starts a new generation: pages of an older one are dropped on arrival.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Mapping
from typing import TYPE_CHECKING

from textual.geometry import Size

from casetui.domain.filters import CaseFilter
from casetui.domain.read_models.cases import CaseRow
from casetui.tui.database_away import Abandoned, patiently
from casetui.tui.widgets.case_table.source import PAGE_SIZE

if TYPE_CHECKING:
    from casetui.services.caseload import CasePage
    from casetui.tui.widgets.case_table.widget import CaseTable

PAGES_KEPT = 24
LOOK_AHEAD_SCREENS = 4  # screenfuls read below the one in view, once scrolling
COUNT_AFTER_SECONDS = 0.2  # the pause in typing before a filter's cases are counted


def row_at(pages: Mapping[int, list[CaseRow]], index: int) -> CaseRow | None:
    """The row at ``index``, if its page is among ``pages``."""
    rows = pages.get(index // PAGE_SIZE)
    if rows is None:
        return None
    offset = index % PAGE_SIZE
    return rows[offset] if offset < len(rows) else None


class PagedRows:
    """Mixed into ``CaseTable``: the page store, the workers that fill it, and their messages."""

    # The store (_pages, _pending, _generation, _previous, _failed, the clock the rows were
    # read by, and a first page read ahead) is set up in CaseTable.__init__, with the rest of
    # the table's state.

    @property
    def loaded_rows(self) -> int:
        return sum(len(rows) for rows in self._pages.values())

    def loaded_rows_through(self, page: int) -> int:
        rows = self._pages.get(page)
        return page * PAGE_SIZE + (len(rows) if rows else 0)

    def reload(self) -> None:
        """Fetch again (after a write), keeping the cursor where it was."""
        self._failed = False
        self._generation += 1
        # The old rows stay on screen until the first new page arrives, so typing does not flicker.
        self._previous = self._pages if self._pages else self._previous
        self._pages = OrderedDict()
        self._pending.clear()
        self.total = None
        self._start(self._generation, self.case_filter, self._page_of(self.cursor))
        if self._previous is None:  # nothing to keep showing: say the cases are loading
            self.refresh()
        # Else the old rows stay as drawn until the new ones arrive: no frame spent redrawing
        # the same lines on every keystroke.
        self._post_status()

    def _page_of(self, index: int) -> int:
        return max(0, index) // PAGE_SIZE

    def _row(self, index: int) -> CaseRow | None:
        return row_at(self._pages, index)

    def _previous_row(self, index: int) -> CaseRow | None:
        """A row of the filter before, shown until the first page of the new one arrives."""
        return row_at(self._previous or {}, index)

    def _start(self, generation: int, flt: CaseFilter, page: int) -> None:
        """The first fetch for a filter: the page in view, then (only if needed) the count.
        A first page read ahead for this filter (at sign-in) is shown at once, in the
        screen's first paint; the worker then only counts."""
        known, self._read_ahead = self._read_ahead, None
        if known is not None and (known[0], page) != (flt, 0):
            known = None
        self._pending.add(page)
        if known is not None:
            first = known[1]
            self.on_case_table_page_arrived(
                self.PageArrived(generation, page, first.rows, first.now, first.today)
            )
        self.run_worker(
            lambda: self._fetch_start(generation, flt, page, known[1] if known else None),
            thread=True,
            exclusive=True,
            group="caseload-start",
            exit_on_error=False,
        )

    def _fetch_start(
        self, generation: int, flt: CaseFilter, page: int, known: CasePage | None = None
    ) -> None:
        from textual.worker import get_current_worker

        worker = get_current_worker()

        def fetch() -> int | None:
            if known is None:
                first = self.source.page(flt, offset=page * PAGE_SIZE)
                if worker.is_cancelled:
                    return None
                self.post_message(
                    self.PageArrived(generation, page, first.rows, first.now, first.today)
                )
            else:
                first = known  # shown already (``_start``)
            rows = first.rows
            # A short first page is the whole caseload: no count needed.
            if page == 0 and len(rows) < PAGE_SIZE:
                return len(rows)
            # Counting a broad filter reads every matching case: not for each keystroke of a
            # name being typed (each would slow the next), only once the typing pauses.
            time.sleep(COUNT_AFTER_SECONDS)
            if worker.is_cancelled:
                return None
            return self.source.count(flt)

        try:
            total = patiently(self.app, fetch)
        except Abandoned:
            return
        except Exception as error:  # noqa: BLE001 - shown to the user, never a traceback
            self.post_message(self.LoadFailed(error))
            self.post_message(self.PageArrived(generation, page, None))
            return
        if total is not None and not worker.is_cancelled:
            self.post_message(self.Counted(generation, total))

    def _fetch_pages(
        self, generation: int, flt: CaseFilter, pages: list[int], after: int | None
    ) -> None:
        """Fetch ``pages`` in turn; ``after`` is the last case above the first of them, if known."""

        def fetch() -> None:
            # Read to the end, so the unit of work the pages share closes with the last of them.
            for number, rows in enumerate(self.source.pages(flt, pages, after)):
                self.post_message(self.PageArrived(generation, pages[number], rows))

        try:
            # A newer filter or scroll makes these pages unwanted: stop waiting for them.
            patiently(self.app, fetch, wanted=lambda: generation == self._generation)
        except Abandoned:
            return
        except Exception as error:  # noqa: BLE001 - shown to the user, never a traceback
            self.post_message(self.LoadFailed(error))
            for page in pages:
                self.post_message(self.PageArrived(generation, page, None))

    def _ensure_pages(self) -> None:
        if self._generation == 0 or not self.is_mounted:
            return
        top = int(self.scroll_y)
        rows = self._visible_rows()
        # Once scrolling, the screenful in view and three more below, so paging down finds its
        # rows waiting; at the top (a new filter, every keystroke) no more than the next screen.
        ahead = LOOK_AHEAD_SCREENS if top else 2
        wanted = range(self._page_of(top), self._page_of(top + ahead * rows) + 1)
        limit = None if self.total is None else self._page_of(max(0, self.total - 1))
        missing = [
            p for p in wanted
            if p not in self._pages and p not in self._pending and (limit is None or p <= limit)
        ]  # fmt: skip
        for page in wanted:
            if page in self._pages:
                self._pages.move_to_end(page)
        if not missing or (self.total is None and not self._pages):
            return
        self._pending.update(missing)
        generation, flt = self._generation, self.case_filter
        above = self._pages.get(missing[0] - 1)
        after = above[-1].id if above and len(above) == PAGE_SIZE else None
        self.run_worker(
            lambda: self._fetch_pages(generation, flt, missing, after),
            thread=True,
            group="caseload-pages",
            exit_on_error=False,
        )

    def on_case_table_page_arrived(self, message: CaseTable.PageArrived) -> None:
        if message.generation != self._generation:
            return
        self._pending.discard(message.page)
        self._failed = message.rows is None
        self._previous = None
        if message.now is not None and message.today is not None:
            if (message.now, message.today) != (self._now, self._today):
                self._drawn.clear()  # "3d ago" and "due today" read differently now
            self._now, self._today = message.now, message.today
        if message.rows is not None:
            self._pages[message.page] = message.rows
            self._pages.move_to_end(message.page)
            while len(self._pages) > PAGES_KEPT:
                self._pages.popitem(last=False)
        if self.total is None:
            self._set_virtual_height(self.loaded_rows_through(message.page))
        self.refresh()
        self._ensure_pages()
        self._post_status()

    def on_case_table_counted(self, message: CaseTable.Counted) -> None:
        if message.generation != self._generation:
            return
        self.total = message.total
        self._set_virtual_height(message.total)
        if self.cursor >= message.total:
            self.cursor = max(0, message.total - 1)
            self._scroll_to_cursor()
        self.refresh()
        self._ensure_pages()
        self._post_status()

    def _set_virtual_height(self, rows: int) -> None:
        self.virtual_size = Size(self.size.width, rows + 1)
