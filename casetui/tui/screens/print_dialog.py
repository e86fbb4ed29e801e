"""Print the case file (the timeline's ``p``): where to write the PDF, and which contact dates.

The file's path starts as ``~/<case number>-<today>.pdf``; the dates are optional, typed as the
note editor takes them (2026-01-31, -3m, monday). The print runs in a worker, with a progress
bar for a large case; an existing file is replaced only once the person says so.
"""

from __future__ import annotations

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, ProgressBar, Static

from casetui.domain.case_file import PrintedCaseFile
from casetui.domain.errors import ValidationError
from casetui.domain.limits import DATE_WORDS_MAX
from casetui.services import print_case
from casetui.tui.database_away import call_database
from casetui.tui.screens.confirm import ConfirmScreen
from casetui.tui.screens.modal import as_text, modal_css
from casetui.tui.widgets.literal_fields import LiteralInput
from casetui.tui.widgets.note_form import FORM_CSS, field_row, mark_focused_row
from casetui.tui.widgets.safe_text import visible

PATH_MAX = 4096
FIELDS = {"out": "print-file", "from": "print-from", "to": "print-to"}


class PrintDialog(ModalScreen[PrintedCaseFile | None]):
    """Dismissed with the printed file, or None when closed without printing."""

    HELP_TITLE = "Print the case file"
    DEFAULT_CSS = (
        modal_css("PrintDialog")
        + FORM_CSS.format(name="PrintDialog")
        + """
    PrintDialog > Vertical { width: 76; }
    PrintDialog .intro { color: $text-muted; margin-bottom: 1; }
    PrintDialog .field-label { width: 7; }
    PrintDialog .hint, PrintDialog .field-error { padding-left: 7; }
    PrintDialog #print-progress { display: none; margin-top: 1; }
    PrintDialog.-busy #print-progress { display: block; }
    PrintDialog #print-status { color: $text-muted; height: auto; }
    """
    )
    BINDINGS = [
        Binding("ctrl+s", "print", "Print", id="print.print"),
        Binding("escape", "cancel", "Cancel", id="print.cancel"),
    ]

    def __init__(self, case_number: str, client_name: str, path: str) -> None:
        super().__init__()
        self.case_number, self.client_name, self.path = case_number, client_name, path
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Print the case file", classes="title")
            yield Static(as_text(f"{self.case_number} · {self.client_name}"))
            yield Static(
                Text("A PDF of the case's notes, oldest first, with their addenda and tasks, "
                     "and the confidentiality notice on every page."), classes="intro",
            )  # fmt: skip
            yield field_row(
                "File", LiteralInput(self.path, max_length=PATH_MAX, id="print-file", compact=True)
            )
            yield Label("", classes="field-error", id="print-file-error")
            yield field_row(
                "From",
                LiteralInput(placeholder="the first note", max_length=DATE_WORDS_MAX,
                             id="print-from", compact=True),
            )  # fmt: skip
            yield Label("", classes="field-error", id="print-from-error")
            yield field_row(
                "To",
                LiteralInput(placeholder="the last note", max_length=DATE_WORDS_MAX,
                             id="print-to", compact=True),
            )  # fmt: skip
            yield Label("", classes="field-error", id="print-to-error")
            yield Label("contact dates: 2026-01-31, -3m, monday; empty: every note", classes="hint")
            yield ProgressBar(id="print-progress", show_eta=False)
            yield Static("", id="print-status")
            yield Label("enter or ctrl+s print · escape cancel", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#print-file", Input).focus()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        mark_focused_row(event.widget, True)

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        mark_focused_row(event.widget, False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # While the file is being written there is nothing to change or cancel.
        return None if self.busy and action in ("print", "cancel") else True

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_print()

    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(None)

    # --- printing ------------------------------------------------------------------------------

    def action_print(self, replace: bool = False) -> None:
        if self.busy:
            return
        values = {key: self.query_one(f"#{widget}", Input).value for key, widget in FIELDS.items()}
        self._clear_errors()
        self._busy(True)
        self._say("Printing…")
        self._print(values, replace)

    @work(thread=True, exclusive=True, group="print-case")
    def _print(self, values: dict[str, str], replace: bool) -> None:
        app = self.app
        db, actor = app.db, app.actor  # type: ignore[attr-defined]

        def progress(done: int, total: int) -> None:
            app.call_from_thread(self._progress, done, total)

        def run() -> PrintedCaseFile:
            return print_case.print_case(
                db, actor, self.case_number, values["out"], since=values["from"],
                until=values["to"], replace=replace, progress=progress,
            )  # fmt: skip

        call_database(self, run, self.dismiss, lambda error: self._refused(error, values))

    def _progress(self, done: int, total: int) -> None:
        bar = self.query_one("#print-progress", ProgressBar)
        bar.update(total=max(total, 1), progress=done)
        self._say(f"Laid out {done:,} of {total:,} notes…")

    def _refused(self, error: Exception, values: dict[str, str]) -> None:
        self._busy(False)
        self._say("")
        self._refocus()
        if isinstance(error, ValidationError):
            if error.field == "out" and "already exists" in error.message:
                question = error.message.replace("; nothing was replaced", "")
                self.app.push_screen(
                    ConfirmScreen("Replace the file?", f"{question}. Replace it with the case file?",
                                  yes="Replace", no="Keep it"),
                    lambda yes: self.action_print(replace=True) if yes else self._refocus(),
                )  # fmt: skip
                return
            widget = FIELDS.get(error.field)
            if widget is not None:
                label = self.query_one(f"#{widget}-error", Label)
                label.update(Text(f"{error.field}: {visible(error.message)}"))
                label.add_class("-shown")
                self.query_one(f"#{widget}", Input).focus()
                return
        self.app.show_error(error)  # type: ignore[attr-defined]

    def _refocus(self) -> None:
        self.query_one("#print-file", Input).focus()

    def _busy(self, busy: bool) -> None:
        self.busy = busy
        self.set_class(busy, "-busy")
        for widget in FIELDS.values():
            self.query_one(f"#{widget}", Input).disabled = busy
        self.refresh_bindings()

    def _clear_errors(self) -> None:
        for label in self.query(".field-error"):
            label.remove_class("-shown")

    def _say(self, words: str) -> None:
        self.query_one("#print-status", Static).update(Text(visible(words)))
