"""Give a reason, in one line: overriding a lock, deleting a note."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from casetui.domain.limits import REASON_MAX
from casetui.tui.screens.modal import as_text, modal_css
from casetui.tui.widgets.literal_fields import LiteralInput


class ReasonScreen(ModalScreen[str | None]):
    """Ask why, in one line: overriding a lock, deleting a note."""

    DEFAULT_CSS = modal_css("ReasonScreen")
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="reason.cancel")]

    def __init__(self, title: str, message: str | Text, *, placeholder: str = "Reason") -> None:
        super().__init__()
        self.title_text, self.message, self.placeholder = title, message, placeholder

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(as_text(self.title_text), classes="title")
            yield Static(as_text(self.message), classes="message")
            yield LiteralInput(placeholder=self.placeholder, max_length=REASON_MAX, id="reason")
            yield Label("", classes="error", id="reason-error")
            yield Label("enter confirm · escape cancel", classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value.strip():
            self.query_one("#reason-error", Label).update("reason: is required")
            return
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
