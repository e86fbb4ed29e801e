"""The line above the caseload: a type-to-filter box and the filters in force."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static

from casetui.domain.filters import ACTIVE_STATUSES, CaseFilter
from casetui.tui.widgets.literal_fields import LiteralInput
from casetui.tui.widgets.safe_text import visible

QUERY_MAX = 100
SORT_NAMES = {
    "client": "client", "case_number": "case number", "worker": "worker", "status": "status",
    "concern": "concern", "pathway": "pathway", "last_interaction": "last interaction",
    "next_task": "next task",
}  # fmt: skip


class FilterInput(LiteralInput):
    """The filter box; enter, escape and down go back to the table, keeping the text."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "done", "Back to the cases", id="caseload.filter_done"),
        Binding("down", "done", "Back to the cases", show=False, id="caseload.filter_down"),
    ]

    HELP_TITLE = "Filter box"

    class Done(Message):
        pass

    def action_done(self) -> None:
        self.post_message(self.Done())


def describe(flt: CaseFilter, worker_names: dict[int, str]) -> Text:
    """The filters in force, in words, built from user values without markup."""
    parts: list[tuple[str, str]] = []
    parts.append(("", "Mine" if flt.mine else "All I can see"))
    if flt.statuses != ACTIVE_STATUSES:
        parts.append(("Status ", ", ".join(flt.statuses) or "any"))
    if flt.concerns:
        parts.append(("Concern ", ", ".join(flt.concerns)))
    if flt.worker_ids:
        names = [worker_names.get(i, f"#{i}") for i in flt.worker_ids]
        parts.append(("Worker ", ", ".join(names)))
    if flt.pathways:
        parts.append(("Pathway ", ", ".join(flt.pathways)))
    if flt.tags:
        parts.append(("Tag ", ", ".join(flt.tags)))
    arrow = "↓" if flt.descending else "↑"
    parts.append(("Sort ", f"{SORT_NAMES.get(flt.sort, flt.sort)} {arrow}"))
    line = Text(no_wrap=True, overflow="ellipsis")
    for number, (label, value) in enumerate(parts):
        if number:
            line.append(" · ", style="dim")
        line.append(label, style="dim")
        line.append(visible(value), style="bold")
    return line


class FilterBar(Vertical):
    """Posts ``FilterBar.QueryChanged`` on every keystroke in the box."""

    DEFAULT_CSS = """
    FilterBar { height: auto; }
    FilterBar FilterInput, FilterBar FilterInput:focus { border: none; height: 1; padding: 0 1; }
    FilterBar #filters-in-force { height: 1; padding: 0 1; }
    """

    class QueryChanged(Message):
        def __init__(self, query: str) -> None:
            super().__init__()
            self.query = query

    def compose(self) -> ComposeResult:
        yield FilterInput(
            placeholder="/ to filter by name, case number or tag",
            max_length=QUERY_MAX,
            id="filter-query",
        )
        yield Static(self._in_force, id="filters-in-force")

    @property
    def query_input(self) -> FilterInput:
        return self.query_one(FilterInput)

    _in_force: Text | str = ""

    def show_filters(self, flt: CaseFilter, worker_names: dict[int, str]) -> None:
        # Kept as well as shown: the screen may ask before this bar has composed its line.
        in_force = describe(flt, worker_names)
        if in_force == self._in_force:
            return  # typing in the box changes the query alone, which this line leaves out
        self._in_force = in_force
        for line in self.query("#filters-in-force").results(Static):
            line.update(in_force, layout=False)  # one line high whatever it says

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.QueryChanged(event.value))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(FilterInput.Done())
