"""The caseload table: a Line API view that fetches and draws only the rows on screen.

One module per job: ``columns`` (which columns fit a width), ``source`` (where the rows come
from), ``pages`` (fetching them a page at a time, and the pages kept), ``selection`` (what was
chosen), ``lines`` (drawing a line) and ``widget`` (the ``CaseTable`` itself: the cursor, the
keys, the drawing).
"""

from casetui.tui.widgets.case_table.columns import (
    COLUMNS,
    MARK_WIDTH,
    SORTABLE,
    Column,
    due_label,
    layout,
)
from casetui.tui.widgets.case_table.selection import Selection
from casetui.tui.widgets.case_table.source import CaseloadSource
from casetui.tui.widgets.case_table.widget import CaseTable

__all__ = [
    "COLUMNS",
    "MARK_WIDTH",
    "SORTABLE",
    "CaseTable",
    "CaseloadSource",
    "Column",
    "Selection",
    "due_label",
    "layout",
]
