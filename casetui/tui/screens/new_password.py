"""Choose your own password, typed twice: at the first sign-in with a temporary one."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from casetui.domain.errors import CasetuiError, SignInFailed, ValidationError
from casetui.domain.limits import PASSWORD_MAX
from casetui.tui.database_away import call_database
from casetui.tui.screens.modal import as_text, modal_css
from casetui.tui.widgets.literal_fields import LiteralInput


class NewPasswordScreen(ModalScreen[str | None]):
    """Saves the new password (the services check it) and is dismissed with it; escape: None."""

    DEFAULT_CSS = modal_css("NewPasswordScreen")
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="new_password.cancel")]
    HELP_TITLE = "Choose your password"

    def __init__(self, username: str, current: str) -> None:
        super().__init__()
        self.username = username
        self._current = current
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(as_text("Choose your own password"), classes="title")
            yield Static(
                as_text(
                    f"The password you signed in with is temporary. Choose one only you know "
                    f"for {self.username}: at least 8 characters, without your username."
                ),
                classes="message",
            )
            yield LiteralInput(
                placeholder="new password", password=True, max_length=PASSWORD_MAX, id="new-1"
            )
            yield LiteralInput(
                placeholder="the same again", password=True, max_length=PASSWORD_MAX, id="new-2"
            )
            yield Label("", classes="error", id="new-password-error")
            yield Label("enter save · escape cancel", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#new-1", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        first, again = self.query_one("#new-1", Input), self.query_one("#new-2", Input)
        if event.input is first and not again.value:
            again.focus()
            return
        if self.busy:
            return
        if first.value != again.value:
            self._say("The two passwords differ; type them again.")
            first.value = again.value = ""
            first.focus()
            return
        self.busy = True
        self._say("Saving…")
        self._save(first.value)

    @work(thread=True, exclusive=True, group="new-password")
    def _save(self, new: str) -> None:
        from casetui.services.auth import change_own_password

        app = self.app
        call_database(
            self,
            lambda: change_own_password(app.db, self.username, self._current, new),  # type: ignore[attr-defined]
            lambda _: self.dismiss(new),
            self._refused,
        )

    def _refused(self, error: Exception) -> None:
        self.busy = False
        if isinstance(error, ValidationError):
            self._say(f"{error.field}: {error.message}".capitalize())
        elif isinstance(error, SignInFailed | CasetuiError):
            self._say(str(error))
        else:
            self._say("Something went wrong and nothing was saved.")
        for field in self.query(Input):
            field.value = ""
        self.query_one("#new-1", Input).focus()

    def _say(self, message: str) -> None:
        self.query_one("#new-password-error", Label).update(as_text(message))

    def action_cancel(self) -> None:
        self.dismiss(None)
