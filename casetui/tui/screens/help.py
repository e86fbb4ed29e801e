"""Every key of the screen underneath and of the app, grouped (F1 or ?)."""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from casetui.tui.commands import KeyAction, key_actions
from casetui.tui.widgets.footer import Footer
from casetui.tui.widgets.safe_text import visible


def help_text(actions: list[KeyAction]) -> Text:
    groups: dict[str, list[KeyAction]] = {}
    for action in actions:
        groups.setdefault(action.group, []).append(action)
    width = max((cell_len(a.key) for a in actions), default=4) + 2
    text = Text()
    for number, (group, members) in enumerate(groups.items()):
        if number:
            text.append("\n")
        text.append(visible(group) + "\n", style="bold underline")
        for action in members:
            style = "" if action.enabled else "dim"
            text.append("  " + action.key.ljust(width), style="bold " + style)
            text.append(action.description, style=style)
            if not action.enabled:
                text.append(" (not available here)", style="dim italic")
            text.append("\n")
    text.append(
        "\nText fields use the usual editing keys. ctrl+p finds any action by name.", style="dim"
    )
    return text


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,f1,question_mark", "close", "Close help", id="help.close"),
        Binding("up,k", "scroll(-1)", "Scroll up", show=False, id="help.up"),
        Binding("down,j", "scroll(1)", "Scroll down", show=False, id="help.down"),
    ]
    HELP_TITLE = "Help"

    def __init__(self, about: Screen[object]) -> None:
        super().__init__()
        self.about_title = getattr(about, "HELP_TITLE", None) or about.title or "this screen"
        self.actions = key_actions(about)

    def compose(self) -> ComposeResult:
        with Vertical(id="help"):
            yield Static(
                Text(f"Keys — {visible(str(self.about_title))}", style="bold"), id="help-title"
            )
            with VerticalScroll(id="help-keys"):
                yield Static(help_text(self.actions))
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#help-keys").focus()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll(self, step: int) -> None:
        self.query_one("#help-keys", VerticalScroll).scroll_relative(y=step, animate=False)
