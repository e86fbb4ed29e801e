"""The caseload table widget: the cursor, the selection, the keys, and drawing the rows on screen.

Its rows arrive a page at a time (``pages``); each line is drawn by ``lines``.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import date, datetime
from typing import TYPE_CHECKING, ClassVar

from rich.style import Style
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from casetui.domain.filters import ACTIVE_STATUSES, CaseFilter
from casetui.domain.read_models.cases import CaseRow
from casetui.tui.widgets.case_table.columns import COLUMNS, Column, layout
from casetui.tui.widgets.case_table.lines import (
    case_line,
    header_line,
    message_line,
    placeholder_line,
)
from casetui.tui.widgets.case_table.pages import PagedRows
from casetui.tui.widgets.case_table.selection import Selection
from casetui.tui.widgets.case_table.source import CaseloadSource
from casetui.tui.widgets.drawn_lines import DrawnLines

if TYPE_CHECKING:
    from casetui.services.caseload import CasePage


def empty_message(flt: CaseFilter) -> str:
    """What an empty caseload means: filters that match nothing, or no cases to show yet."""
    narrowed = flt.query.strip() or flt.concerns or flt.worker_ids or flt.pathways or flt.tags
    if narrowed or set(flt.statuses) != set(ACTIVE_STATUSES):
        return "No cases match. Press x to clear the filters."
    if flt.mine:
        return "No open or paused cases of yours. Press m to see every case you may see."
    return "No open or paused cases yet. `casetui demo` fills a new database with demo data."


class CaseTable(PagedRows, ScrollView, can_focus=True):
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
    # What a table of this kind shows, and says when it has no rows or could not fetch them
    # (None: what the filter's empty caseload means, ``empty_message``).
    CASE_COLUMNS: ClassVar[tuple[Column, ...]] = COLUMNS
    EMPTY_TEXT: ClassVar[str | None] = None
    FAILED_TEXT: ClassVar[str] = "The cases could not be fetched. Press ctrl+r to try again."

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

    def __init__(
        self,
        source: CaseloadSource,
        case_filter: CaseFilter,
        read_ahead: tuple[CaseFilter, CasePage] | None = None,
        **kwargs: object,
    ) -> None:
        """``read_ahead``: the first page of a filter, read already (at sign-in), shown in
        the first paint when the table shows that filter."""
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.source = source
        self.case_filter = case_filter
        self._read_ahead = read_ahead
        self.cursor = 0
        self.total: int | None = None  # None until counted
        # Not textual.cache.LRUCache: here a page is in use while it is in or near view
        # (_ensure_pages moves those to the end), not whenever it is read. LRUCache counts every
        # get as use, has no values() to count the loaded rows without getting each page, and
        # keeps the old rows when a page is set again.
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

    def fetched_rows(self) -> list[CaseRow]:
        """The rows of the pages at hand for the list as it is now, in order (none of the list
        before a reload: those stay drawn until the new ones arrive)."""
        return [row for page in sorted(self._pages) for row in self._pages[page]]

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

    def clear_selection(self) -> None:
        self._picked.clear()
        self._whole_filter = None
        self._left_out.clear()
        self.refresh()
        self._post_status()

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
            self._columns, self._layout_width = layout(width, self.CASE_COLUMNS), width
            self._drawn.clear()
        if y == 0:
            return self._header(width)
        index = int(self.scroll_y) + y - 1
        if self.total == 0 and y == 1:
            return self._message(self.EMPTY_TEXT or empty_message(self.case_filter), width)
        if self._failed and not self._pages and y == 1:
            return self._message(self.FAILED_TEXT, width)
        if self._previous is not None and not self._pages:
            previous = self._previous_row(index)
            if previous is None:
                return Strip.blank(width, self.rich_style)
            return self._case_line(previous, width, None)
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
        return message_line(text, width, self.rich_style, self.get_component_rich_style)

    def _header(self, width: int) -> Strip:
        return header_line(
            self._columns, width, self.case_filter, self.rich_style, self.get_component_rich_style
        )

    def _placeholder(self, width: int, cursor: Style | None) -> Strip:
        return placeholder_line(
            self._columns, width, cursor, self.rich_style, self.get_component_rich_style
        )

    def _case_line(self, row: CaseRow, width: int, cursor: Style | None) -> Strip:
        selected = self.is_selected(row)
        key = (row, cursor, selected, self.rich_style)
        return self._drawn.get(key, lambda: self._draw_case_line(row, width, cursor, selected))

    def _draw_case_line(
        self, row: CaseRow, width: int, cursor: Style | None, selected: bool
    ) -> Strip:
        return case_line(
            row, self._columns, width, cursor, selected=selected, now=self._now,
            today=self._today, base=self.rich_style, component=self.get_component_rich_style,
        )  # fmt: skip
