"""Attach a file (the timeline's ``u``): a path typed with completion, on the case or on the
highlighted note, restricted or not. The caller attaches it; a refusal comes back here."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, Static

from casetui.tui.screens.modal import as_text, modal_css
from casetui.tui.widgets.note_form import TickBox
from casetui.tui.widgets.path_input import PathInput
from casetui.tui.widgets.timeline_list import visible


@dataclass(frozen=True)
class AttachRequest:
    path: str
    on_note: bool  # on the highlighted note, rather than on the case
    restricted: bool  # marked restricted itself (on a restricted note it is anyway)


class AttachFileScreen(ModalScreen[AttachRequest | None]):
    """Which file, and where it goes. Returns the request; the caller attaches it."""

    DEFAULT_CSS = (
        modal_css("AttachFileScreen")
        + """
    AttachFileScreen > Vertical { width: 76; }
    AttachFileScreen Label.field { margin-top: 1; }
    AttachFileScreen Checkbox { width: auto; }
    """
    )
    BINDINGS = [
        Binding("ctrl+s", "attach", "Attach", id="attach.save"),
        Binding("escape", "cancel", "Cancel", id="attach.cancel"),
    ]

    def __init__(
        self,
        case_number: str,
        limit_mb: int,
        *,
        note_summary: str | None = None,
        note_restricted: bool = False,
        request: AttachRequest | None = None,
        error: str | None = None,
    ) -> None:
        super().__init__()
        self.case_number, self.limit_mb = case_number, limit_mb
        self.note_summary, self.note_restricted = note_summary, note_restricted
        self.request = request or AttachRequest("", note_summary is not None, False)
        self.error = error
        self.own_choice = self.request.restricted  # restricted, as ticked by the person

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(f"Attach a file to {visible(self.case_number)}"), classes="title")
            if self.note_summary is not None:
                yield TickBox(
                    Text(f"on the note: {visible(self.note_summary)}", no_wrap=True),
                    value=self.request.on_note,
                    id="attach-on-note",
                    compact=True,
                )
            yield Label("File", classes="field")
            yield PathInput(
                self.request.path, placeholder="~/Documents/letter.pdf", id="attach-path"
            )
            yield TickBox(
                "restricted: not for the client without review",
                value=self.request.restricted,
                id="attach-restricted",
                compact=True,
            )
            yield Static("", classes="hint", id="attach-restricted-hint")
            yield Label(as_text(self.error or ""), classes="error", id="attach-error")
            yield Static(
                f"tab completes · enter attaches · escape cancels\nUp to {self.limit_mb} MB. "
                "The type is read from the file itself, not from its name.",
                classes="hint",
            )

    def on_mount(self) -> None:
        self.query_one("#attach-path", Input).focus()
        self._follow_the_note()

    @property
    def on_note(self) -> bool:
        boxes = self.query("#attach-on-note")
        return bool(boxes) and boxes.first(Checkbox).value

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        if event.checkbox.id == "attach-on-note":
            self._follow_the_note()
        elif event.checkbox.id == "attach-restricted" and not event.checkbox.disabled:
            self.own_choice = event.value

    def _follow_the_note(self) -> None:
        """A file on a restricted note is restricted with it: said, and not to be unticked.
        Off the note again, the box shows the person's own choice."""
        follows = self.on_note and self.note_restricted
        restricted = self.query_one("#attach-restricted", Checkbox)
        restricted.disabled = follows
        with restricted.prevent(Checkbox.Changed):
            restricted.value = True if follows else self.own_choice
        hint = self.query_one("#attach-restricted-hint", Static)
        hint.update("the note is restricted, so the file is too" if follows else "")
        hint.display = follows

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_attach()

    def action_attach(self) -> None:
        path = self.query_one("#attach-path", Input).value
        if not path.strip():
            self.query_one("#attach-error", Label).update("file: give the path of a file")
            return
        # Only the person's own choice is kept: a file on a note follows the note as it changes.
        self.dismiss(AttachRequest(path, self.on_note, self.own_choice))

    def action_cancel(self) -> None:
        self.dismiss(None)
