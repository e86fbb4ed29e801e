"""Drawing the caseload table's lines: the header, a case, a placeholder, a message.

Each function is given what the line shows and the styles to draw it in: the widget's own
style (``base``) and its component classes (``component``, the widget's
``get_component_rich_style``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from casetui.domain.dates import relative_age
from casetui.domain.filters import CaseFilter
from casetui.domain.read_models.cases import CaseRow
from casetui.tui.widgets.case_table.columns import MARK_WIDTH, Column, due_label
from casetui.tui.widgets.safe_text import fit, visible

# Plain ASCII on purpose: symbol widths differ between terminals and would skew the columns.
WARNING_MARK = "!"
SELECTED_MARK = "●"
PLACEHOLDER = "…"
CONCERN_STYLES = {
    "High": "case-table--high",
    "Medium": "case-table--medium",
    "Low": "case-table--low",
}

ComponentStyle = Callable[[str], Style]


def message_line(text: str, width: int, base: Style, component: ComponentStyle) -> Strip:
    style = base + component("case-table--empty")
    return Strip([Segment(fit(" " + text, width), style)], width)


def header_line(
    columns: list[tuple[Column, int]],
    width: int,
    case_filter: CaseFilter,
    base: Style,
    component: ComponentStyle,
) -> Strip:
    header = base + component("case-table--header")
    sorted_style = base + component("case-table--sorted")
    arrow = "↓" if case_filter.descending else "↑"
    cells: list[tuple[str, Style]] = [(" " * MARK_WIDTH, header)]
    for number, (column, cell_width) in enumerate(columns):
        sorted_here = column.sort is not None and column.sort == case_filter.sort
        title = f"{column.title}{arrow}" if sorted_here else column.title
        if number:
            cells.append(("", header))
        cells.append((fit(title, cell_width), sorted_style if sorted_here else header))
    return join(cells, width, header)


def placeholder_line(
    columns: list[tuple[Column, int]],
    width: int,
    cursor: Style | None,
    base: Style,
    component: ComponentStyle,
) -> Strip:
    style = base + component("case-table--placeholder")
    if cursor is not None:
        style += cursor
    cells = [(" " * MARK_WIDTH, style)]
    for number, (_column, cell_width) in enumerate(columns):
        cells += [("", style)] if number else []
        cells.append((fit(PLACEHOLDER, cell_width), style))
    return join(cells, width, style)


def case_line(
    row: CaseRow,
    columns: list[tuple[Column, int]],
    width: int,
    cursor: Style | None,
    *,
    selected: bool,
    now: datetime | None,
    today: date | None,
    base: Style,
    component: ComponentStyle,
) -> Strip:
    row_style = base
    if row.status != "Open":
        row_style += component("case-table--quiet")
    if selected:
        mark = (SELECTED_MARK + " ", row_style + component("case-table--selected"))
    else:
        mark = (" " * MARK_WIDTH, row_style)
    cells: list[tuple[str, Style]] = [mark]
    for number, (column, cell_width) in enumerate(columns):
        if number:
            cells.append(("", row_style))  # the gap between columns
        cells.extend(_cell(column.key, row, cell_width, row_style, component, now, today))
    if cursor is not None:
        # The cursor's colours win; bold and italic from the cells stay readable.
        cells = [(text, cell_style + cursor) for text, cell_style in cells]
        row_style += cursor
    return join(cells, width, row_style)


def _cell(
    key: str,
    row: CaseRow,
    width: int,
    row_style: Style,
    style: ComponentStyle,
    now: datetime | None,
    today: date | None,
) -> list[tuple[str, Style]]:
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
        due = row.next_task_due
        label = due_label(due, today) if today is not None else ""
        late = due is not None and today is not None and due < today
        return [
            (fit(label, width), row_style + style("case-table--overdue") if late else row_style)
        ]
    if key == "last":
        text = relative_age(row.last_interaction_at, now) if now else ""
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


def join(cells: list[tuple[str, Style]], width: int, fill: Style) -> Strip:
    """Segments for the cells; an empty cell stands for the one-space gap between columns."""
    segments = [Segment(text or " ", style) for text, style in cells]
    return Strip(segments).adjust_cell_length(width, fill)
