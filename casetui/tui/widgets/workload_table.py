"""The workload table: one line per person, drawn only where it is visible (Line API).

Textual's DataTable measures every cell of every row whenever its rows are replaced: 500
people took about 150 ms to show. The columns here have fixed widths, so a line costs
the same whoever else is in the list, and refreshing the figures costs one list.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from casetui.domain.read_models.people import WorkloadRow
from casetui.tui.widgets.list_keys import LIST_MOVES
from casetui.tui.widgets.safe_text import visible
from casetui.tui.widgets.utilisation_bar import utilisation_text

# (heading, width, right-aligned)
COLUMNS: tuple[tuple[str, int, bool], ...] = (
    ("Name", 15, False),
    ("Team", 10, False),
    ("Cap.", 5, True),
    ("Alloc.", 6, True),
    ("Utilisation", 20, False),
    ("L/M/H", 8, False),
)
BAR_WIDTH = 10


def hours(value: float) -> str:
    return f"{value:.1f}h" if value % 1 else f"{value:.0f}h"


def cells(row: WorkloadRow) -> list[Text]:
    """One person's cells, in COLUMNS order; names shown literally."""
    counts = row.cases_by_concern
    return [
        Text(visible(row.display_name)),
        Text(visible(row.team or "—")),
        Text(hours(row.capacity_hours)),
        Text(hours(row.allocated_hours)),
        utilisation_text(row.utilisation, BAR_WIDTH),
        Text(f"{counts.get('Low', 0)}/{counts.get('Medium', 0)}/{counts.get('High', 0)}"),
    ]


class WorkloadTable(ScrollView, can_focus=True):
    """A header line, then the people; arrows and page keys move, the screen acts on enter."""

    BINDINGS: ClassVar[list[BindingType]] = [*LIST_MOVES]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "workload-table--header",
        "workload-table--cursor",
        "workload-table--stripe",
    }
    DEFAULT_CSS = """
    WorkloadTable {
        height: 1fr;
        overflow-x: hidden;
        & > .workload-table--header { text-style: bold; background: $panel; }
        & > .workload-table--stripe { background: $surface-lighten-1; }
        & > .workload-table--cursor { background: $block-cursor-blurred-background; }
        &:focus > .workload-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: bold;
        }
    }
    """

    cursor_row: reactive[int] = reactive(0, init=False)

    class Chosen(Message):
        """A person was clicked: the screen opens their cases, as enter does."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[WorkloadRow] = []
        self._lines: dict[int, list[Text]] = {}  # cells per row, made once per set of rows

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def set_rows(self, rows: list[WorkloadRow]) -> None:
        """Show these people; the cursor stays on the same line number, as far as it can."""
        self.rows = list(rows)
        self._lines.clear()
        self.virtual_size = Size(self.size.width, len(self.rows) + 1)
        self.cursor_row = min(self.cursor_row, max(len(self.rows) - 1, 0))
        self.refresh()

    # --- drawing ------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            header = self.rich_style + self.get_component_rich_style("workload-table--header")
            titles = [Text(title) for title, _w, _r in COLUMNS]
            return self._line(titles, width, header)
        index = round(self.scroll_offset.y) + y - 1
        if index >= len(self.rows):
            return Strip.blank(width, self.rich_style)
        style = self.rich_style
        if index == self.cursor_row:
            style += self.get_component_rich_style("workload-table--cursor")
        elif index % 2:
            style += self.get_component_rich_style("workload-table--stripe")
        line = self._lines.get(index)
        if line is None:
            line = self._lines[index] = cells(self.rows[index])
        return self._line(line, width, style)

    def _line(self, texts: list[Text], width: int, style: Style) -> Strip:
        line = Text(" ", no_wrap=True, end="")
        for text, (_title, cell_width, right) in zip(texts, COLUMNS, strict=True):
            cell = text.copy()
            cell.truncate(cell_width, overflow="ellipsis")
            if right:
                cell.pad_left(cell_width - cell.cell_len)
            else:
                cell.pad_right(cell_width - cell.cell_len)
            line.append_text(cell)
            line.append(" ")
        line.truncate(width, overflow="ellipsis", pad=True)
        segments = [
            Segment(s.text, style + s.style if s.style else style)
            for s in line.render(self.app.console)
        ]
        return Strip(segments, line.cell_len).adjust_cell_length(width, style)

    # --- moving -------------------------------------------------------------------------

    def watch_cursor_row(self, old: int, new: int) -> None:
        for index in (old, new):
            self.refresh_line(index + 1)  # virtual lines: the header is line 0
        # Two lines from the row's own: the header takes the top line of the window.
        self.scroll_to_region(Region(0, new, 1, 2), animate=False, immediate=True, force=True)

    def move_to(self, index: int) -> None:
        if self.rows:
            self.cursor_row = max(0, min(index, len(self.rows) - 1))

    def action_cursor(self, step: int) -> None:
        self.move_to(self.cursor_row + step)

    def action_page(self, direction: int) -> None:
        self.move_to(
            self.cursor_row + direction * max(self.scrollable_content_region.height - 2, 1)
        )

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(len(self.rows) - 1)

    def on_click(self, event: object) -> None:
        offset = getattr(event, "y", None)
        if isinstance(offset, int) and offset >= 1 and self.rows:
            index = round(self.scroll_offset.y) + offset - 1
            if index < len(self.rows):
                if index == self.cursor_row:
                    self.post_message(self.Chosen())
                self.move_to(index)


__all__ = ["COLUMNS", "WorkloadTable", "cells", "hours"]
