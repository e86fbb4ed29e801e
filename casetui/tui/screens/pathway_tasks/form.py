"""A pathway task's name and its days after the case opens: enter saves, escape leaves it."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from casetui.domain.limits import SUMMARY_MAX
from casetui.tui.screens.modal import as_text, modal_css

TaskFields = tuple[str, str]  # name, days after opening, as typed: the service checks both


class PathwayTaskForm(ModalScreen[TaskFields | None]):
    DEFAULT_CSS = (
        modal_css("PathwayTaskForm")
        + """
    PathwayTaskForm Horizontal { height: auto; }
    PathwayTaskForm Horizontal Label { width: 22; padding-top: 1; }
    PathwayTaskForm #task-name { width: 1fr; }
    PathwayTaskForm #task-days { width: 10; }
    """
    )
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="pathway_task_form.cancel")]

    def __init__(self, title: str, name: str = "", days: int | None = None) -> None:
        super().__init__()
        self.title_text, self.name_value = title, name
        self.days_value = "" if days is None else str(days)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(as_text(self.title_text), classes="title")
            yield Static(
                Text("Made on each case opened on the pathway, for the case's worker."),
                classes="message",
            )
            with Horizontal():
                yield Label("Task")
                yield Input(self.name_value, max_length=SUMMARY_MAX, id="task-name",
                            placeholder="task name")  # fmt: skip
            with Horizontal():
                yield Label("Due after (days)")
                yield Input(self.days_value, max_length=4, id="task-days", type="integer",
                            placeholder="7")  # fmt: skip
            yield Label("", id="task-error", classes="error")
            yield Static(Text("enter saves · tab next field · escape cancels"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#task-name", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        name = self.query_one("#task-name", Input).value.strip()
        days = self.query_one("#task-days", Input).value.strip()
        if not name:
            self.query_one("#task-error", Label).update("task: is required")
            self.query_one("#task-name", Input).focus()
            return
        if not days:
            if event.input.id == "task-name":
                self.query_one("#task-days", Input).focus()
                return
            self.query_one("#task-error", Label).update("due after days: is required")
            return
        self.dismiss((name, days))

    def action_cancel(self) -> None:
        self.dismiss(None)
