"""A dialog holding just one follow-up task (the timeline's ``t``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from casetui.domain.read_models.people import StaffView
from casetui.tui.widgets.task_form import TaskForm, task_field
from casetui.tui.widgets.timeline_list import visible


class TaskDialog(ModalScreen[dict[str, Any] | None]):
    """A new task on its own, straight on the case. Returns the form's values; the caller saves."""

    DEFAULT_CSS = """
    TaskDialog { align: center middle; }
    TaskDialog > Vertical {
        width: 80; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    TaskDialog VerticalScroll { height: auto; max-height: 20; }
    TaskDialog .title { text-style: bold; }
    TaskDialog .error { color: $text-error; text-style: bold; }
    TaskDialog .hint-line { color: $text-muted; }
    TaskDialog TaskForm { border-top: none; margin-top: 0; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="task.save"),
        Binding("escape", "cancel", "Cancel", id="task.cancel"),
    ]

    def __init__(
        self,
        title: str,
        *,
        staff: Sequence[StaffView],
        author: str,
        today: date,
        values: dict[str, Any] | None = None,
        error: tuple[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.form = TaskForm(staff=staff, author=author, today=today, removable=False)
        self.initial, self.error = values, error

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(visible(self.title_text)), classes="title")
            with VerticalScroll():
                yield self.form
            yield Label("", classes="error", id="task-error")
            yield Label("ctrl+s save · escape cancel", classes="hint-line")

    def on_mount(self) -> None:
        if self.initial:
            self.form.load(self.initial)
        self.form.query_one(".task-name", Input).focus()
        if self.error:
            self.show_error(*self.error)

    def show_error(self, field: str, message: str) -> None:
        found = task_field(field)
        if found is not None:
            self.form.show_error(found[1], message, field)
        else:
            self.query_one("#task-error", Label).update(Text(f"{field}: {visible(message)}"))

    def action_save(self) -> None:
        self.dismiss(self.form.values())

    def action_cancel(self) -> None:
        self.dismiss(None)
