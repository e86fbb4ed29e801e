"""Save an attachment to a file (the timeline's ``w``): a path typed with completion. Over SSH
there is no viewer to open it in, so the file is saved where it can be fetched or opened."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from casetui.tui.screens.modal import as_text, modal_css
from casetui.tui.widgets.path_input import PathInput
from casetui.tui.widgets.timeline_list import file_size, visible


class SaveAttachmentScreen(ModalScreen[str | None]):
    """Where to save the file. Returns the path as typed; the caller saves it."""

    DEFAULT_CSS = (
        modal_css("SaveAttachmentScreen")
        + """
    SaveAttachmentScreen > Vertical { width: 76; }
    SaveAttachmentScreen Label.field { margin-top: 1; }
    """
    )
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="save_attachment.save"),
        Binding("escape", "cancel", "Cancel", id="save_attachment.cancel"),
    ]

    def __init__(
        self,
        name: str,
        size: int,
        media_type: str,
        *,
        restricted: bool = False,
        path: str | None = None,
        error: str | None = None,
    ) -> None:
        super().__init__()
        self.file_name, self.file_size, self.media_type = name, size, media_type
        self.restricted = restricted
        self.path = f"~/{name}" if path is None else path
        self.error = error

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Save a file", classes="title")
            about = Text(visible(self.file_name), style="bold")
            about.append(f" · {file_size(self.file_size)} · {visible(self.media_type)}", style="")
            yield Static(about, classes="message")
            said = "Saving it is recorded in the audit trail."
            if self.restricted:
                said = "Restricted: review before sharing with the client. " + said
            yield Static(said, classes="hint")
            yield Label("Save to", classes="field")
            yield PathInput(self.path, placeholder="~/letter.pdf", id="save-path")
            yield Label(as_text(self.error or ""), classes="error", id="save-error")
            yield Static(
                "tab completes · enter saves · escape cancels\nA folder: the file is saved in "
                "it under its own name. An existing file is replaced only if you say so.",
                classes="hint",
            )

    def on_mount(self) -> None:
        self.query_one("#save-path", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        path = self.query_one("#save-path", Input).value
        if not path.strip():
            self.query_one("#save-error", Label).update("out: give a path to save the file to")
            return
        self.dismiss(path)

    def action_cancel(self) -> None:
        self.dismiss(None)
