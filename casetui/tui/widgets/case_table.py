"""The caseload table: a Line API view that fetches and draws only the rows on screen.

Rows come from the repository a page at a time, in thread workers, into a small LRU of
pages; rows not fetched yet paint as "…" until their page arrives. Paging down reads the
next page by keyset (after the last case of the page above), so it stays quick deep into
a large caseload.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from casetui.domain.dates import relative_age
from casetui.domain.read_models import CaseRow
from casetui.repositories.cases import CaseFilter
from casetui.tui.database_away import Abandoned, patiently
from casetui.tui.widgets.drawn_lines import DrawnLines
from casetui.tui.widgets.safe_text import fit, visible

if TYPE_CHECKING:
    from casetui.db.uow import Database, UnitOfWork
    from casetui.domain.actor import Actor

PAGE_SIZE = 100
PAGES_KEPT = 24
LOOK_AHEAD_SCREENS = 4  # screenfuls read below the one in view, once scrolling
COUNT_AFTER_SECONDS = 0.2  # the pause in typing before a filter's cases are counted
# Plain ASCII on purpose: symbol widths differ between terminals and would skew the columns.
WARNING_MARK = "!"
SELECTED_MARK = "●"
PLACEHOLDER = "…"
CONCERN_STYLES = {
    "High": "case-table--high",
    "Medium": "case-table--medium",
    "Low": "case-table--low",
}


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: int  # preferred
    min_width: int
    drop_order: int  # dropped first when narrow: highest first; 0 never
    sort: str | None = None  # the CaseFilter sort key, where the column sorts


COLUMNS: tuple[Column, ...] = (
    Column("client", "Client", 22, 14, 0, "client"),
    Column("case_number", "Case", 13, 13, 0, "case_number"),
    Column("worker", "Worker", 14, 10, 3, "worker"),
    Column("status", "Status", 6, 6, 0, "status"),
    Column("concern", "Concern", 7, 7, 0, "concern"),
    Column("pathway", "Pathway", 18, 10, 5, "pathway"),
    Column("tags", "Tags", 16, 8, 6),
    Column("last", "Last", 8, 8, 0, "last_interaction"),
    Column("next", "Task due", 8, 8, 2, "next_task"),
)
SORTABLE: tuple[Column, ...] = tuple(c for c in COLUMNS if c.sort)
MARK_WIDTH = 2
# Where spare width goes once every column has its least: first up to the preferred width,
# then up to a roomier one; the client's name takes whatever is left.
_GROW_ORDER = ("client", "worker", "next", "pathway", "tags", "case_number")
_ROOMY = {"client": 32, "worker": 20, "pathway": 24, "tags": 28}


def layout(width: int) -> list[tuple[Column, int]]:
    """The columns that fit ``width`` cells, with their widths (one space between columns)."""
    shown = list(COLUMNS)

    def least() -> int:
        return MARK_WIDTH + sum(c.min_width for c in shown) + len(shown) - 1

    for column in sorted(COLUMNS, key=lambda c: -c.drop_order):
        if least() <= width or column.drop_order == 0:
            break
        shown.remove(column)
    widths = {c.key: c.min_width for c in shown}
    spare = width - least()
    by_key = {c.key: c for c in shown}
    for targets in ({k: c.width for k, c in by_key.items()}, _ROOMY):
        for key in _GROW_ORDER:
            if key in widths and key in targets and spare > 0:
                grow = max(0, min(spare, targets[key] - widths[key]))
                widths[key] += grow
                spare -= grow
    if spare > 0:
        widths["client"] += spare
    return [(c, widths[c.key]) for c in shown]


def _span(days: int) -> str:
    if days < 14:
        return f"{days}d"
    if days < 60:
        return f"{days // 7}w"
    return f"{days // 30}mo"


def due_label(due: date | None, today: date) -> str:
    """``in 3d``, ``today``, ``2w late``: at most eight characters."""
    if due is None:
        return ""
    days = (due - today).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days < 0:
        return f"{_span(min(-days, 3650))} late"
    return f"in {_span(min(days, 3650))}"


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


@dataclass(frozen=True)
class Selection:
    """What space and ctrl+a chose: cases by id, or every case of a filter but some."""

    picked: dict[int, str]  # case id -> case number
    whole_filter: CaseFilter | None = None
    left_out: frozenset[int] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.picked) or self.whole_filter is not None


class CaseTable(ScrollView, can_focus=True):
    """Cases in pages: a cursor row, a selection mark, a header that stays put."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_case", "Open", id="caseload.open"),
        Binding("space", "toggle_select", "Select", id="caseload.select"),
        Binding("ctrl+a", "select_all", "Select all", show=False, id="caseload.select_all"),
        Binding("escape", "clear_selection", "Unselect", id="caseload.clear_selection"),
        Binding("up,k", "cursor(-1)", "Up", show=False, id="caseload.up"),
        Binding("down,j", "cursor(1)", "Down", show=False, id="caseload.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="caseload.page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="caseload.page_down"),
        Binding("home", "first", "First case", show=False, id="caseload.first"),
        Binding("end", "last", "Last case", show=False, id="caseload.last"),
    ]
    HELP_TITLE = "Caseload table"

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "case-table--header",
        "case-table--sorted",
        "case-table--cursor",
        "case-table--selected",
        "case-table--placeholder",
        "case-table--high",
        "case-table--medium",
        "case-table--low",
        "case-table--quiet",
        "case-table--overdue",
        "case-table--warning",
        "case-table--empty",
    }

    DEFAULT_CSS = """
    CaseTable {
        height: 1fr;
        overflow-x: hidden;
        scrollbar-size-vertical: 1;
    }
    CaseTable > .case-table--header { text-style: bold; background: $panel; }
    CaseTable > .case-table--sorted { text-style: bold underline; background: $panel; }
    CaseTable > .case-table--cursor { background: $block-cursor-blurred-background; }
    CaseTable:focus > .case-table--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: bold;
    }
    CaseTable > .case-table--selected { color: $accent; text-style: bold; }
    CaseTable > .case-table--placeholder { color: $text-muted; }
    CaseTable > .case-table--high { color: $error; text-style: bold; }
    CaseTable > .case-table--medium { color: $warning; }
    CaseTable > .case-table--low { color: $success; }
    CaseTable > .case-table--quiet { color: $text-muted; text-style: italic; }
    CaseTable > .case-table--overdue { color: $error; text-style: bold; }
    CaseTable > .case-table--warning { color: $warning; text-style: bold; }
    CaseTable > .case-table--empty { color: $text-muted; text-style: italic; }
    /* Without colour, high concern and late tasks still stand out. */
    CaseTable:nocolor > .case-table--high { color: $text; text-style: bold reverse; }
    CaseTable:nocolor > .case-table--overdue { color: $text; text-style: bold underline; }
    CaseTable:nocolor > .case-table--cursor { text-style: bold reverse; }
    """

    class Chosen(Message):
        """Enter on a case."""

        def __init__(self, row: CaseRow) -> None:
            super().__init__()
            self.row = row

    class StatusChanged(Message):
        """The visible window, the count or the selection changed; read ``status_text``."""

    class LoadFailed(Message):
        def __init__(self, error: Exception) -> None:
            super().__init__()
            self.error = error

    class PageArrived(Message, bubble=False):
        """From a worker: a page of rows (None when fetching it failed)."""

        def __init__(
            self, generation: int, page: int, rows: list[CaseRow] | None,
            now: datetime | None = None, today: date | None = None,
        ) -> None:  # fmt: skip
            super().__init__()
            self.generation, self.page, self.rows = generation, page, rows
            self.now, self.today = now, today

    class Counted(Message, bubble=False):
        def __init__(self, generation: int, total: int) -> None:
            super().__init__()
            self.generation, self.total = generation, total

    def __init__(self, source: CaseloadSource, case_filter: CaseFilter, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.source = source
        self.case_filter = case_filter
        self.cursor = 0
        self.total: int | None = None  # None until counted
        self._pages: OrderedDict[int, list[CaseRow]] = OrderedDict()
        self._pending: set[int] = set()
        self._generation = 0
        self._now: datetime | None = None
        self._today: date | None = None
        self._picked: dict[int, str] = {}
        self._whole_filter: CaseFilter | None = None
        self._left_out: set[int] = set()
        self._status: tuple[str, bool] | None = None
        self._failed = False  # the last fetch failed: say so, and how to try again
        self._previous: OrderedDict[int, list[CaseRow]] | None = None
        self._columns: list[tuple[Column, int]] = []
        self._layout_width = -1
        self._drawn = DrawnLines()  # case lines by what they show

    # --- what the screen asks ------------------------------------------------------------

    @property
    def current(self) -> CaseRow | None:
        """The highlighted case, if its page has arrived."""
        return self._row(self.cursor)

    @property
    def loaded_rows(self) -> int:
        return sum(len(rows) for rows in self._pages.values())

    @property
    def selection(self) -> Selection:
        return Selection(dict(self._picked), self._whole_filter, frozenset(self._left_out))

    @property
    def selected_count(self) -> int | None:
        """How many cases are selected; None while a whole-filter selection is being counted."""
        if self._whole_filter is None:
            return len(self._picked)
        if self.total is None:
            return None
        return max(0, self.total - len(self._left_out)) + len(self._picked)

    @property
    def status_text(self) -> str:
        rows = self._visible_rows()
        first = int(self.scroll_y)
        if self.total == 0:
            text = "no cases"
        elif self.total is None and not self._pages:
            text = "not fetched" if self._failed else "searching…" if self._previous else "loading…"
        else:
            known = self.total if self.total is not None else self.loaded_rows
            last = min(first + rows, known)
            of = f"{self.total:,}" if self.total is not None else f"{known:,}+"
            text = f"{first + 1:,}–{last:,} of {of}"
        count = self.selected_count
        if self._whole_filter is not None:
            text += f" · {'all' if count is None else f'{count:,}'} selected (whole filter)"
        elif count:
            text += f" · {count:,} selected"
        return text

    def show(self, case_filter: CaseFilter) -> None:
        """Show a new filter or sort from the top."""
        if self._whole_filter is not None and case_filter != self._whole_filter:
            self._whole_filter = None
            self._left_out.clear()
        self.case_filter = case_filter
        self.cursor = 0
        self.scroll_to(y=0, animate=False)
        self.reload()

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

    def clear_selection(self) -> None:
        self._picked.clear()
        self._whole_filter = None
        self._left_out.clear()
        self.refresh()
        self._post_status()

    # --- fetching ------------------------------------------------------------------------

    def _page_of(self, index: int) -> int:
        return max(0, index) // PAGE_SIZE

    def _row(self, index: int) -> CaseRow | None:
        rows = self._pages.get(index // PAGE_SIZE)
        if rows is None:
            return None
        offset = index % PAGE_SIZE
        return rows[offset] if offset < len(rows) else None

    def _start(self, generation: int, flt: CaseFilter, page: int) -> None:
        """The first fetch for a filter: the page in view, then (only if needed) the count."""
        self._pending.add(page)
        self.run_worker(
            lambda: self._fetch_start(generation, flt, page),
            thread=True,
            exclusive=True,
            group="caseload-start",
            exit_on_error=False,
        )

    def _fetch_start(self, generation: int, flt: CaseFilter, page: int) -> None:
        from textual.worker import get_current_worker

        worker = get_current_worker()

        def fetch() -> int | None:
            with self.source.reading() as reads:
                now, today = reads.clock()
                rows = reads.page(flt, offset=page * PAGE_SIZE)
                if worker.is_cancelled:
                    return None
                self.post_message(self.PageArrived(generation, page, rows, now, today))
                # A short first page is the whole caseload: no count needed.
                if page == 0 and len(rows) < PAGE_SIZE:
                    return len(rows)
            # Counting a broad filter reads every matching case: not for each keystroke of a
            # name being typed (each would slow the next), only once the typing pauses.
            time.sleep(COUNT_AFTER_SECONDS)
            if worker.is_cancelled:
                return None
            with self.source.reading() as reads:
                return reads.count(flt)

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
        first_after = after

        def fetch() -> None:
            after = first_after
            with self.source.reading() as reads:
                for number, page in enumerate(pages):
                    if number and pages[number - 1] != page - 1:
                        after = None
                    rows = reads.page(flt, offset=page * PAGE_SIZE, after=after)
                    self.post_message(self.PageArrived(generation, page, rows))
                    # Keyset from here on when this page is whole; counting rows otherwise.
                    after = rows[-1].id if len(rows) == PAGE_SIZE else None

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

    def loaded_rows_through(self, page: int) -> int:
        rows = self._pages.get(page)
        return page * PAGE_SIZE + (len(rows) if rows else 0)

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

    def _post_status(self) -> None:
        # Whether the cursor's case has arrived counts too: it decides the keys that act on it.
        status = (self.status_text, self.current is None)
        if status != self._status:
            self._status = status
            self.post_message(self.StatusChanged())

    # --- moving --------------------------------------------------------------------------

    def _visible_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _last_index(self) -> int:
        known = self.total if self.total is not None else self.loaded_rows
        return max(0, known - 1)

    def move_to(self, index: int) -> None:
        before = self.cursor
        self.cursor = max(0, min(index, self._last_index()))
        if self.cursor != before:
            self.refresh_line_of(before)
            self.refresh_line_of(self.cursor)
        self._scroll_to_cursor()
        self._ensure_pages()
        self._post_status()

    def refresh_line_of(self, index: int) -> None:
        self.refresh_line(index + 1)

    def _scroll_to_cursor(self) -> None:
        top, rows = int(self.scroll_y), self._visible_rows()
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + rows:
            self.scroll_to(y=self.cursor - rows + 1, animate=False)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._ensure_pages()
        self._post_status()

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, self.virtual_size.height)
        self._ensure_pages()
        self._post_status()

    def action_cursor(self, step: int) -> None:
        self.move_to(self.cursor + step)

    def action_page(self, direction: int) -> None:
        rows = self._visible_rows()
        self.scroll_to(y=max(0, int(self.scroll_y) + direction * rows), animate=False)
        self.move_to(self.cursor + direction * rows)

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(self._last_index())

    # --- choosing ------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_selection":
            return bool(self.selection)
        if action in ("open_case", "toggle_select"):
            return None if self.total == 0 else True
        return True

    def action_open_case(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(self.Chosen(row))

    def is_selected(self, row: CaseRow) -> bool:
        if row.id in self._picked:
            return True
        return self._whole_filter is not None and row.id not in self._left_out

    def action_toggle_select(self) -> None:
        row = self.current
        if row is None:
            return
        if self._whole_filter is not None and row.id not in self._picked:
            self._left_out.symmetric_difference_update({row.id})
        elif row.id in self._picked:
            del self._picked[row.id]
        else:
            self._picked[row.id] = row.case_number
        self.refresh_line_of(self.cursor)
        self.move_to(self.cursor + 1)
        self.refresh_bindings()
        self._post_status()

    def action_select_all(self) -> None:
        self._picked.clear()
        self._whole_filter = self.case_filter
        self._left_out.clear()
        self.refresh()
        self.refresh_bindings()
        self._post_status()

    def action_clear_selection(self) -> None:
        self.clear_selection()
        self.refresh_bindings()

    # --- drawing -------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._drawn.clear()  # a theme or focus change: the same rows draw in other colours

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if width != self._layout_width:  # the scrollbar came or went, or the terminal resized
            self._columns, self._layout_width = layout(width), width
            self._drawn.clear()
        if y == 0:
            return self._header(width)
        index = int(self.scroll_y) + y - 1
        if self.total == 0 and y == 1:
            return self._message("No cases match. Press x to clear the filters.", width)
        if self._failed and not self._pages and y == 1:
            return self._message(
                "The cases could not be fetched. Press ctrl+r to try again.", width
            )
        if self._previous is not None and not self._pages:
            rows = self._previous.get(index // PAGE_SIZE) or []
            offset = index % PAGE_SIZE
            if offset >= len(rows):
                return Strip.blank(width, self.rich_style)
            return self._case_line(rows[offset], width, None)
        if self.total is None and not self._pages and y == 1:
            return self._message("Loading cases…", width)
        if index > self._last_index() or (self.total is not None and index >= self.total):
            return Strip.blank(width, self.rich_style)
        cursor = (
            self.get_component_rich_style("case-table--cursor") if index == self.cursor else None
        )
        row = self._row(index)
        if row is None:
            return self._placeholder(width, cursor)
        return self._case_line(row, width, cursor)

    def _message(self, text: str, width: int) -> Strip:
        style = self.rich_style + self.get_component_rich_style("case-table--empty")
        return Strip([Segment(fit(" " + text, width), style)], width)

    def _header(self, width: int) -> Strip:
        header = self.rich_style + self.get_component_rich_style("case-table--header")
        sorted_style = self.rich_style + self.get_component_rich_style("case-table--sorted")
        arrow = "↓" if self.case_filter.descending else "↑"
        cells: list[tuple[str, Style]] = [(" " * MARK_WIDTH, header)]
        for number, (column, cell_width) in enumerate(self._columns):
            sorted_here = column.sort is not None and column.sort == self.case_filter.sort
            title = f"{column.title}{arrow}" if sorted_here else column.title
            if number:
                cells.append(("", header))
            cells.append((fit(title, cell_width), sorted_style if sorted_here else header))
        return self._join(cells, width, header)

    def _placeholder(self, width: int, cursor: Style | None) -> Strip:
        style = self.rich_style + self.get_component_rich_style("case-table--placeholder")
        if cursor is not None:
            style += cursor
        cells = [(" " * MARK_WIDTH, style)]
        for number, (_column, cell_width) in enumerate(self._columns):
            cells += [("", style)] if number else []
            cells.append((fit(PLACEHOLDER, cell_width), style))
        return self._join(cells, width, style)

    def _case_line(self, row: CaseRow, width: int, cursor: Style | None) -> Strip:
        key = (row, cursor, self.is_selected(row), self.rich_style)
        return self._drawn.get(key, lambda: self._draw_case_line(row, width, cursor))

    def _draw_case_line(self, row: CaseRow, width: int, cursor: Style | None) -> Strip:
        style = self.get_component_rich_style
        row_style = self.rich_style
        if row.status != "Open":
            row_style += style("case-table--quiet")
        if self.is_selected(row):
            mark = (SELECTED_MARK + " ", row_style + style("case-table--selected"))
        else:
            mark = (" " * MARK_WIDTH, row_style)
        cells: list[tuple[str, Style]] = [mark]
        for number, (column, cell_width) in enumerate(self._columns):
            if number:
                cells.append(("", row_style))  # the gap between columns
            cells.extend(self._cell(column.key, row, cell_width, row_style))
        if cursor is not None:
            # The cursor's colours win; bold and italic from the cells stay readable.
            cells = [(text, cell_style + cursor) for text, cell_style in cells]
            row_style += cursor
        return self._join(cells, width, row_style)

    def _cell(
        self, key: str, row: CaseRow, width: int, row_style: Style
    ) -> list[tuple[str, Style]]:
        style = self.get_component_rich_style
        if key == "client":
            name = visible(row.client_name)
            if row.warnings and width > 3:
                warning = row_style + style("case-table--warning")
                return [(WARNING_MARK + " ", warning), (fit(name, width - 2), row_style)]
            return [(fit(name, width), row_style)]
        if key == "concern":
            component = CONCERN_STYLES.get(row.concern)
            cell_style = row_style + style(component) if component else row_style
            return [(fit(visible(row.concern), width), cell_style)]
        if key == "next":
            today, due = self._today, row.next_task_due
            label = due_label(due, today) if today is not None else ""
            late = due is not None and today is not None and due < today
            return [
                (fit(label, width), row_style + style("case-table--overdue") if late else row_style)
            ]
        if key == "last":
            text = relative_age(row.last_interaction_at, self._now) if self._now else ""
        elif key == "worker":
            text = row.worker_name or "unassigned"
        elif key == "tags":
            text = ", ".join(row.tags)
        elif key == "pathway":
            text = row.pathway or ""
        elif key == "status":
            text = row.status
        else:
            text = row.case_number
        return [(fit(visible(text), width), row_style)]

    @staticmethod
    def _join(cells: list[tuple[str, Style]], width: int, fill: Style) -> Strip:
        """Segments for the cells; an empty cell stands for the one-space gap between columns."""
        segments = [Segment(text or " ", style) for text, style in cells]
        return Strip(segments).adjust_cell_length(width, fill)
