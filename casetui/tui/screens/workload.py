"""Workload: who carries how many hours of cases; enter opens a person's cases."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from casetui.domain.read_models import WorkloadRow
from casetui.services.workload import workload
from casetui.tui.database_away import call_database
from casetui.tui.screens.person_cases import PersonCasesScreen
from casetui.tui.widgets.footer import Footer
from casetui.tui.widgets.workload_table import WorkloadTable

LEGEND = "█ allocated of weekly capacity · near: 85–100% · over: above 100%"


class WorkloadScreen(Screen[None]):
    """Everyone the actor may see, highest utilisation first; enter opens a person's cases."""

    HELP_TITLE = "Workload"

    DEFAULT_CSS = """
    WorkloadScreen #workload-title { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    WorkloadScreen #workload-legend { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        # Before the table's own enter, so the footer offers it by name.
        Binding("enter", "open_person", "Cases", id="workload.open_person", priority=True),
        Binding("g", "reload", "Refresh", id="workload.refresh"),
        Binding("escape", "back", "Back", id="workload.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[WorkloadRow] = []

    def compose(self) -> ComposeResult:
        yield Static(Text("Workload"), id="workload-title")
        yield Static(Text(LEGEND), id="workload-legend")
        table = WorkloadTable(id="workload-table")
        yield table
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(WorkloadTable).focus()
        self.action_reload()

    def on_screen_resume(self) -> None:
        if self.rows:
            self.action_reload()

    @work(thread=True, exclusive=True, group="workload-load")
    def action_reload(self) -> None:
        db, actor = self.app.db, self.app.actor

        def read() -> list[WorkloadRow]:
            return workload(db, actor)

        call_database(self, read, self._show)

    def _show(self, rows: list[WorkloadRow]) -> None:
        self.rows = rows
        self.query_one(WorkloadTable).set_rows(rows)
        over = sum(1 for r in rows if r.utilisation > 1)
        title = f"Workload · {len(rows)} {'person' if len(rows) == 1 else 'people'}"
        title += f" · {over} over capacity" if over else ""
        self.query_one("#workload-title", Static).update(Text(title))

    def action_open_person(self) -> None:
        table = self.query_one(WorkloadTable)
        if self.rows and 0 <= table.cursor_row < len(self.rows):
            self.app.push_screen(PersonCasesScreen(self.rows[table.cursor_row]))

    def on_workload_table_chosen(self, event: WorkloadTable.Chosen) -> None:
        event.stop()
        self.action_open_person()

    def action_back(self) -> None:
        self.dismiss(None)


__all__ = ["WorkloadScreen"]
