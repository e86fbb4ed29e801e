"""Editing a client's details. Saved from the version opened: if someone saved the record
since, the save is refused, what was typed stays, and the message names who saved first."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from casetui.domain.errors import CasetuiError, StaleEdit, ValidationError
from casetui.domain.read_models.clients import ClientView
from casetui.domain.read_models.settings import SettingsView
from casetui.services import clients
from casetui.services.clients import ClientChanges
from casetui.tui.database_away import call_database
from casetui.tui.screens.choice import ChoiceScreen
from casetui.tui.widgets.client_form import ClientForm
from casetui.tui.widgets.footer import Footer
from casetui.tui.widgets.safe_text import visible

if TYPE_CHECKING:
    from casetui.tui.app import CasetuiApp


class ClientEditScreen(Screen[bool]):
    """Dismissed with True once saved."""

    HELP_TITLE = "Edit a client"
    DEFAULT_CSS = """
    ClientEditScreen #client-edit-title { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    ClientEditScreen #client-edit-status { height: auto; padding: 0 1; color: $text-muted; }
    ClientEditScreen #client-edit-status.-problem { color: $text-error; text-style: bold; }
    ClientEditScreen #client-edit-body { height: 1fr; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="client_edit.save"),
        Binding("escape", "close", "Close", id="client_edit.close"),
    ]

    def __init__(self, client: ClientView, settings: SettingsView) -> None:
        super().__init__()
        self.client = client
        self.settings = settings
        self.saving = False
        self._original: tuple[object, ...] | None = None

    @property
    def casetui(self) -> CasetuiApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(Text(f"Edit {visible(self.client.name)}"), id="client-edit-title")
        yield Static("ctrl+s saves · escape closes", id="client-edit-status")
        s = self.settings
        with VerticalScroll(id="client-edit-body"):
            yield ClientForm(
                client_types=s.client_types, warning_indicators=s.warning_indicators,
                groups=s.groups, today=self.casetui.db.clock().date(),
                date_order=s.date_order, client=self.client,
            )  # fmt: skip
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "Edit a client"
        self._original = self.query_one(ClientForm).snapshot()
        self.query_one("#client-name").focus()

    def set_status(self, words: str, *, problem: bool = False) -> None:
        status = self.query_one("#client-edit-status", Static)
        status.update(Text(words))
        status.set_class(problem, "-problem")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save":
            return not self.saving
        return True

    def action_save(self) -> None:
        form = self.query_one(ClientForm)
        form.clear_errors()
        changes = form.client_changes()
        if changes == ClientChanges():
            self.dismiss(False)
            return
        self.saving = True
        self.query_one("#client-edit-body").disabled = True
        self.set_status("Saving…")
        self._save(changes)

    @work(thread=True, exclusive=True, group="client-edit-save")
    def _save(self, changes: ClientChanges) -> None:
        app, client = self.casetui, self.client

        def write() -> ClientView:
            return clients.edit_client(app.db, app.signed_in, client.id, changes,
                                       expected_version=client.version)  # fmt: skip

        call_database(self, write, self._saved, self._refused)

    def _saved(self, _client: ClientView) -> None:
        self.notify("Client saved")
        self.casetui.caseload_changed()
        self.dismiss(True)

    def _refused(self, error: CasetuiError) -> None:
        self.saving = False
        self.query_one("#client-edit-body").disabled = False
        self.refresh_bindings()
        if isinstance(error, ValidationError) and self.query_one(ClientForm).show_errors(error):
            self.set_status("Not saved: see the message under the field.", problem=True)
            return
        if isinstance(error, StaleEdit):
            self.set_status(
                f"Not saved: {visible(str(error))}. What you typed is still here: close, look "
                "at the record as it is now, and make your change again.",
                problem=True,
            )
            return
        self.set_status(f"Not saved: {visible(str(error))}", problem=True)

    def holds_unsaved_work(self) -> bool:
        return (
            self._original is not None and self.query_one(ClientForm).snapshot() != self._original
        )

    def action_close(self) -> None:
        if not self.holds_unsaved_work():
            self.dismiss(False)
            return
        self.app.push_screen(
            ChoiceScreen(
                "Leave without saving?",
                [("Keep editing", "stay"), ("Discard my changes", "discard")],
                message="Your changes to this client are not saved.",
            ),
            lambda choice: self.dismiss(False) if choice == "discard" else None,
        )
