"""When the database cannot be used: say why, offer a retry, never a traceback."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Static

from casetui.tui.widgets.footer import Footer
from casetui.tui.widgets.safe_text import visible


class ProblemScreen(Screen[bool]):
    """Dismissed with True when the user asks to try again."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "retry", "Try again", id="problem.retry"),
        Binding("q", "quit", "Quit", id="problem.quit"),
    ]
    HELP_TITLE = "Database problem"

    def __init__(self, title: str, message: str, advice: str = "") -> None:
        super().__init__()
        self.problem_title = title
        self.message = message
        self.advice = advice

    def compose(self) -> ComposeResult:
        with Vertical(id="problem"):
            yield Static(Text(self.problem_title, style="bold"), id="problem-title")
            yield Static(Text(visible(self.message)), id="problem-message")
            if self.advice:
                yield Static(Text(self.advice, style="italic"), id="problem-advice")
            yield Static(Text("r  try again    q  quit", style="dim"), id="problem-keys")
        yield Footer()

    def action_retry(self) -> None:
        self.dismiss(True)

    def action_quit(self) -> None:
        self.app.exit(1, return_code=1)  # casetui did not get to work: a failure for scripts
