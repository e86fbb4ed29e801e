"""One person's cases, as the workload opens them: the caseload table's Line API and paging
(a person may hold thousands of cases), with fewer columns and no selection.

Rows are fetched a page at a time by keyset, as the caseload's are, and only the lines on
screen are drawn: opening a person with 5,000 cases costs what opening one with 50 does.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import BindingType
from textual.events import Click

from casetui.tui.widgets.case_table import CaseTable, Column
from casetui.tui.widgets.list_keys import LIST_MOVES

PERSON_COLUMNS: tuple[Column, ...] = (
    Column("case_number", "Case", 15, 13, 0),
    Column("client", "Client", 20, 14, 0),
    Column("status", "Status", 6, 6, 0),
    Column("concern", "Concern", 7, 7, 0),
    Column("pathway", "Pathway", 18, 10, 1),
)


class PersonCaseTable(CaseTable, inherit_bindings=False):
    """A header line, then the person's cases; the screen acts on the highlighted one."""

    BINDINGS: ClassVar[list[BindingType]] = [*LIST_MOVES]
    HELP_TITLE = "A person's cases"
    CASE_COLUMNS = PERSON_COLUMNS
    EMPTY_TEXT = "No open or paused cases."
    FAILED_TEXT = "The cases could not be fetched. Press escape, then enter to try again."

    def on_click(self, event: Click) -> None:
        """A click moves to the case; a click on the highlighted one opens it, as enter does."""
        if event.y < 1:
            return
        index = int(self.scroll_y) + event.y - 1
        row = self._row(index)
        if row is None:
            return
        if index == self.cursor:
            self.post_message(self.Chosen(row))
        self.move_to(index)


__all__ = ["PERSON_COLUMNS", "PersonCaseTable"]
