"""A filter box of the audit trail: escape goes back to the events, keeping the text."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType

from casetui.tui.widgets.data_table import DataTable
from casetui.tui.widgets.literal_fields import LiteralInput


class FilterField(LiteralInput):
    """One of the filter boxes; escape goes back to the events, keeping the text."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "done", "Back to the events", id="audit.filter_done"),
    ]
    HELP_TITLE = "Filter boxes"

    def action_done(self) -> None:
        self.screen.query_one(DataTable).focus()
