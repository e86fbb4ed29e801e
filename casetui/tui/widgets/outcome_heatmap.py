"""The insights heatmap: a line per case, a cell per outcome stage, drawn only where it is
visible (Line API), so thousands of cases paint as fast as forty.

Colour says the level (red low, amber medium, green high) and dim says limited confidence;
every cell also carries its letter, and without colour (NO_COLOR) a "?" marks limited
confidence, so the map reads the same in black and white.
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.binding import BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from casetui.domain.outcomes import Cell, OutcomeRow
from casetui.tui.widgets.drawn_lines import DrawnLines
from casetui.tui.widgets.list_keys import LIST_MOVES
from casetui.tui.widgets.safe_text import visible

NUMBER_WIDTH = 13
NAME_WIDTH = 18
CELL_MIN, CELL_MAX = 4, 14
LETTER = {"low": "L", "medium": "M", "high": "H"}
# Strong and some confidence in full colour; limited in a paler one, and dim.
COLOURS = {
    "low": ("#c0392b", "#7b4a45"),
    "medium": ("#d68910", "#7d6440"),
    "high": ("#1e8449", "#4b6b57"),
}
LEGEND = "L low · M medium · H high · ? or dim: limited confidence · · not assessed"


def cell_text(cell: Cell, width: int, *, marker: bool) -> str:
    """A cell's letters, centred: "M", "M?" with the marker for limited confidence, or "·"."""
    if cell is None:
        return "·".center(width)
    level, confidence = cell
    letter = LETTER.get(level, "?")
    if marker and confidence == "limited":
        letter += "?"
    return letter.center(width)


def cell_style(cell: Cell, *, colour: bool) -> Style:
    if cell is None:
        return Style(dim=True)
    limited = cell[1] == "limited"
    if not colour:
        return Style(bold=not limited, dim=limited)
    strong, pale = COLOURS.get(cell[0], ("#555555", "#444444"))
    return Style(
        bgcolor=pale if limited else strong, color="#ffffff", dim=limited, bold=not limited
    )


class OutcomeHeatmap(ScrollView, can_focus=True):
    """A header line of stages, then the cases; arrows, j/k and page keys move, enter opens."""

    BINDINGS: ClassVar[list[BindingType]] = [*LIST_MOVES]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "outcome-heatmap--header",
        "outcome-heatmap--cursor",
    }
    DEFAULT_CSS = """
    OutcomeHeatmap {
        height: 1fr;
        overflow-x: hidden;
        & > .outcome-heatmap--header { text-style: bold; background: $panel; }
        & > .outcome-heatmap--cursor { background: $block-cursor-blurred-background; }
        &:focus > .outcome-heatmap--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: bold;
        }
    }
    """

    cursor_row: reactive[int] = reactive(0, init=False)

    class Chosen(Message):
        """Enter or a second click on a case: the screen opens its timeline."""

        def __init__(self, row: OutcomeRow) -> None:
            super().__init__()
            self.row = row

    def __init__(self, *, colour: bool = True, id: str | None = None) -> None:
        super().__init__(id=id)
        self.stages: tuple[str, ...] = ()
        self.rows: list[OutcomeRow] = []
        self.colour = colour
        self._drawn = DrawnLines()

    @property
    def current(self) -> OutcomeRow | None:
        if 0 <= self.cursor_row < len(self.rows):
            return self.rows[self.cursor_row]
        return None

    def set_rows(self, stages: tuple[str, ...], rows: list[OutcomeRow]) -> None:
        self.stages, self.rows = stages, rows
        self._drawn.clear()
        self.virtual_size = Size(self.size.width, len(rows) + 1)
        self.cursor_row = min(self.cursor_row, max(len(rows) - 1, 0))
        self.refresh()

    def on_resize(self) -> None:
        self._drawn.clear()
        self.virtual_size = Size(self.size.width, len(self.rows) + 1)

    # --- drawing ------------------------------------------------------------------------

    def cell_width(self, width: int) -> int:
        if not self.stages:
            return CELL_MIN
        spare = width - 1 - NUMBER_WIDTH - 1 - NAME_WIDTH - 1
        return max(CELL_MIN, min(CELL_MAX, spare // len(self.stages)))

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            style = self.rich_style + self.get_component_rich_style("outcome-heatmap--header")
            return self._drawn.get(("header", width, style), lambda: self._header(width, style))
        index = round(self.scroll_offset.y) + y - 1
        if index >= len(self.rows):
            return Strip.blank(width, self.rich_style)
        style = self.rich_style
        at_cursor = index == self.cursor_row
        if at_cursor:
            style += self.get_component_rich_style("outcome-heatmap--cursor")
        key = (index, at_cursor, width, self.has_focus)
        return self._drawn.get(key, lambda: self._case_line(self.rows[index], width, style))

    def _fixed(self, number: str, name: str, style: Style) -> list[Segment]:
        return [
            # Every segment styled: the NO_COLOR filter reads each segment's style.
            Segment(" ", style),
            Segment(_fit(number, NUMBER_WIDTH) + " ", style),
            Segment(_fit(name, NAME_WIDTH) + " ", style),
        ]

    def _header(self, width: int, style: Style) -> Strip:
        cell = self.cell_width(width)
        segments = self._fixed("Case", "Client", style)
        segments += [Segment(_fit(stage, cell - 1) + " ", style) for stage in self.stages]
        return Strip(segments).adjust_cell_length(width, style)

    def _case_line(self, row: OutcomeRow, width: int, style: Style) -> Strip:
        cell = self.cell_width(width)
        segments = self._fixed(visible(row.case_number), visible(row.client_name), style)
        marker = not self.colour
        for value in row.cells:
            look = cell_style(value, colour=self.colour)
            # Without colour the cursor's line runs through the cells, as through the names.
            look = look if self.colour else style + look
            segments.append(Segment(cell_text(value, cell - 1, marker=marker), look))
            segments.append(Segment(" ", style))
        return Strip(segments).adjust_cell_length(width, style)

    # --- moving -------------------------------------------------------------------------

    def watch_cursor_row(self, old: int, new: int) -> None:
        for index in (old, new):
            self.refresh_line(index + 1)  # virtual lines: the header is line 0
        self.scroll_to_region(Region(0, new, 1, 2), animate=False, immediate=True, force=True)

    def watch_has_focus(self, _focused: bool) -> None:
        self.refresh()

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
                    self.post_message(self.Chosen(self.rows[index]))
                self.move_to(index)


def _fit(text: str, width: int) -> str:
    """Cut to ``width`` cells with an ellipsis, or pad to it."""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)


__all__ = ["LEGEND", "OutcomeHeatmap", "cell_style", "cell_text"]
