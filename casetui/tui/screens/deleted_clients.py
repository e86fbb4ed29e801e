"""Administrators: the deleted clients, newest first, and restoring one with their cases."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static

from casetui.domain.errors import CasetuiError
from casetui.domain.read_models.clients import ClientView
from casetui.services import clients
from casetui.tui.database_away import call_database
from casetui.tui.screens.confirm import ConfirmScreen
from casetui.tui.widgets.data_table import DataTable
from casetui.tui.widgets.footer import Footer
from casetui.tui.widgets.safe_text import visible

if TYPE_CHECKING:
    from casetui.tui.app import CasetuiApp


class DeletedClientsScreen(Screen[None]):
    HELP_TITLE = "Deleted clients"
    DEFAULT_CSS = """
    DeletedClientsScreen #deleted-title { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    DeletedClientsScreen #deleted-table { height: 1fr; }
    DeletedClientsScreen #deleted-status { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "restore", "Restore", id="deleted.restore"),
        Binding("escape", "back", "Back", id="deleted.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.found: list[ClientView] = []

    @property
    def casetui(self) -> CasetuiApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(Text("Deleted clients"), id="deleted-title")
        table: DataTable[Any] = DataTable(id="deleted-table", cursor_type="row", zebra_stripes=True)
        table.add_columns("Client", "Born", "Deleted", "Record")
        yield table
        yield Static("Loading…", id="deleted-status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "Deleted clients"
        self.query_one(DataTable).focus()
        self._load()

    @work(thread=True, exclusive=True, group="deleted-load")
    def _load(self) -> None:
        app = self.casetui

        def read() -> list[ClientView]:
            return clients.deleted_clients(app.db, app.signed_in)

        call_database(self, read, self._show, self._refused)

    def _show(self, found: list[ClientView]) -> None:
        self.found = found
        table = self.query_one(DataTable)
        table.clear()
        for c in found:
            deleted = c.deleted_at.date().isoformat() if c.deleted_at else ""
            born = c.date_of_birth.isoformat() if c.date_of_birth else "—"
            table.add_row(Text(visible(c.name)), born, deleted, c.status, key=str(c.id))
        words = f"{len(found)} deleted client(s) · r restores the highlighted one with its cases"
        self.query_one("#deleted-status", Static).update(words if found else "No deleted clients.")
        self.refresh_bindings()

    def _chosen(self) -> ClientView | None:
        row = self.query_one(DataTable).cursor_row
        return self.found[row] if 0 <= row < len(self.found) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "restore":
            return self._chosen() is not None or None
        return True

    def action_restore(self) -> None:
        client = self._chosen()
        if client is None:
            return
        message = Text(f"{visible(client.name)} and the cases deleted with them come back whole.")
        self.app.push_screen(
            ConfirmScreen("Restore this client?", message, yes="Restore"),
            lambda yes: self._restore(client.id) if yes else None,
        )

    @work(thread=True, exclusive=True, group="deleted-write")
    def _restore(self, client_id: int) -> None:
        app = self.casetui

        def write() -> None:
            clients.restore_client(app.db, app.signed_in, client_id)

        call_database(self, write, lambda _r: self._restored(), self._refused)

    def _restored(self) -> None:
        self.notify("Client restored with their cases")
        self.casetui.caseload_changed()
        self._load()

    def _refused(self, error: CasetuiError) -> None:
        self.casetui.show_error(error)

    def action_back(self) -> None:
        self.dismiss(None)
