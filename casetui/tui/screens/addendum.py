"""Write an addendum to a note: the text to add and why."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static, TextArea

from casetui.domain.limits import SUMMARY_MAX
from casetui.tui.screens.modal import as_text, modal_css
from casetui.tui.widgets.literal_fields import LiteralInput
from casetui.tui.widgets.literal_text_area import LiteralTextArea
from casetui.tui.widgets.timeline_list import visible


class AddendumScreen(ModalScreen[tuple[str, str] | None]):
    """Write an addendum: the text to add and why. The caller saves it."""

    DEFAULT_CSS = (
        modal_css("AddendumScreen")
        + """
    AddendumScreen TextArea { height: 6; }
    AddendumScreen Label.field { margin-top: 1; }
    """
    )
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="addendum.save"),
        Binding("escape", "cancel", "Cancel", id="addendum.cancel"),
    ]

    def __init__(
        self,
        note_summary: str,
        *,
        text: str = "",
        reason: str = "",
        error: str | None = None,
        intro: str | None = None,
    ) -> None:
        super().__init__()
        self.note_summary, self.text, self.reason = note_summary, text, reason
        self.error, self.intro = error, intro

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Add an addendum", classes="title")
            summary = Text("To: ")
            summary.append(visible(self.note_summary))
            yield Static(summary)
            if self.intro:
                yield Static(as_text(self.intro), classes="hint")
            yield Label("Addendum", classes="field")
            yield LiteralTextArea(
                self.text, id="addendum-text", soft_wrap=True, show_line_numbers=False
            )
            yield Label("Reason", classes="field")
            yield LiteralInput(
                self.reason,
                placeholder="Why this is added",
                max_length=SUMMARY_MAX,
                id="addendum-reason",
            )
            yield Label(as_text(self.error or ""), classes="error", id="addendum-error")
            yield Label("ctrl+s save · escape cancel", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#addendum-text", TextArea).focus()

    def action_save(self) -> None:
        self.dismiss(
            (
                self.query_one("#addendum-text", TextArea).text,
                self.query_one("#addendum-reason", Input).value,
            )
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
