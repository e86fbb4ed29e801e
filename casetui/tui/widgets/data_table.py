"""Textual's DataTable, repainted once it has measured its rows.

A DataTable measures new rows (its column widths, its scrollable size) at its next idle
moment, and keys the lines it has drawn on a count it only moves when it is resized. A paint
that falls between the rows arriving and that measuring (a busy machine, a slow terminal)
draws every column as narrow as its heading, and those cut lines were kept until something
else changed: an import preview showed "Date" for "Date of birth" until the cursor moved.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from textual.widgets import DataTable as TextualDataTable
from textual.widgets.data_table import RowKey

CellType = TypeVar("CellType")


class DataTable(TextualDataTable[CellType]):
    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        super()._update_dimensions(new_rows)
        self._update_count += 1  # the lines drawn before this were cut to the old widths
        self.refresh()
