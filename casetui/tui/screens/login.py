"""Signing in with a username and password, when the account has one."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input, Label, Static

from casetui.domain.actor import Actor
from casetui.domain.errors import CasetuiError, SignInFailed
from casetui.domain.limits import PASSWORD_MAX, USERNAME_MAX
from casetui.tui.database_away import Abandoned, patiently
from casetui.tui.widgets.footer import Footer
from casetui.tui.widgets.literal_fields import LiteralInput
from casetui.tui.widgets.safe_text import visible

if TYPE_CHECKING:
    from casetui.tui.app import CasetuiApp

WRONG = "Unknown user or wrong password."


class LoginScreen(Screen[Actor]):
    """Dismissed with the signed-in actor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "sign_in", "Sign in", id="login.sign_in"),
    ]
    HELP_TITLE = "Sign in"
    AUTO_FOCUS = "#login-username"

    def __init__(
        self,
        username: str | None = None,
        database: str = "",
        message: str = "",
        *,
        temporary: str | None = None,
    ) -> None:
        super().__init__()
        self.username = username or ""
        self.database = database
        self.first_message = message
        # A temporary password that was right (given in the environment): choose a new one.
        self._temporary = temporary
        self.busy = False

    @property
    def casetui(self) -> CasetuiApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with Vertical(id="login"):
            yield Static(Text("Sign in to casetui", style="bold"), id="login-title")
            yield Static(Text(visible(self.database), style="dim"), id="login-database")
            yield Label("Username", classes="login-label")
            yield LiteralInput(
                self.username, placeholder="username", max_length=USERNAME_MAX, id="login-username"
            )
            yield Label("Password", classes="login-label")
            yield LiteralInput(
                placeholder="password", password=True, max_length=PASSWORD_MAX, id="login-password"
            )
            yield Static("", id="login-error")
            yield Static(
                Text("enter signs in · tab moves · ctrl+q quits", style="dim"), id="login-keys"
            )
        yield Footer()

    def on_mount(self) -> None:
        if self.username:
            self.query_one("#login-password", Input).focus()
        if self.first_message:
            self._say(WRONG)  # the password from the environment did not work
        if self._temporary is not None and self.username:
            temporary, self._temporary = self._temporary, None
            self._choose_password(self.username, temporary)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if (
            event.input.id == "login-username"
            and not self.query_one("#login-password", Input).value
        ):
            self.query_one("#login-password", Input).focus()
            return
        self.action_sign_in()

    def action_sign_in(self) -> None:
        if self.busy:
            return
        username = self.query_one("#login-username", Input).value.strip()
        password = self.query_one("#login-password", Input).value
        if not username:
            self._say("Type your username.")
            self.query_one("#login-username", Input).focus()
            return
        self._waiting(True)
        self._say("Signing in…", style="dim")
        self._sign_in(username, password)

    def _waiting(self, busy: bool) -> None:
        """While an attempt is out, the fields take no keys: none typed then is lost later."""
        self.busy = busy
        for field in self.query(Input):
            field.disabled = busy

    def _choose_password(self, username: str, temporary: str) -> None:
        """A temporary password signs in only here: to the dialog that replaces it."""
        from casetui.tui.screens.new_password import NewPasswordScreen

        def chosen(new: str | None) -> None:
            if new is None:
                self._failed("Your password is temporary: choose your own to sign in.")
            else:
                self._say("Signing in…", style="dim")
                self._sign_in(username, new)

        self._waiting(True)
        self._say("Choose your own password to sign in.", style="dim")
        self.app.push_screen(NewPasswordScreen(username, temporary), chosen)

    @work(thread=True, exclusive=True, group="sign-in")
    def _sign_in(self, username: str, password: str) -> None:
        from casetui.services.auth import PasswordChangeNeeded, sign_in

        try:
            actor = patiently(self.app, lambda: sign_in(self.casetui.db, username, password))
        except Abandoned:
            return
        except PasswordChangeNeeded:
            self.app.call_from_thread(self._choose_password, username, password)
        except SignInFailed:
            self.app.call_from_thread(self._failed, WRONG)
        except CasetuiError as error:
            self.app.call_from_thread(self._failed, str(error))
        else:
            self.app.call_from_thread(self.dismiss, actor)

    def _failed(self, message: str) -> None:
        self._waiting(False)
        password = self.query_one("#login-password", Input)
        password.value = ""
        password.focus()
        self._say(message)

    def _say(self, message: str, style: str = "bold") -> None:
        self.query_one("#login-error", Static).update(Text(visible(message), style=style))
