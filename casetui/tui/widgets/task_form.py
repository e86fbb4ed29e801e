"""One follow-up task's fields, and a service's refusal shown under the field it names."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, SelectionList, TextArea
from textual.widgets.option_list import OptionDoesNotExist

from casetui.domain.enums import Repeats
from casetui.domain.errors import ValidationError
from casetui.domain.read_models.people import StaffView
from casetui.services.tasks import TaskInput
from casetui.tui.widgets.literal_fields import LiteralInput
from casetui.tui.widgets.literal_text_area import LiteralTextArea
from casetui.tui.widgets.note_form import (
    FORM_CSS,
    NOTE_FIELDS,
    NoteForm,
    TickBox,
    field_row,
    mark_focused_row,
    understood,
)
from casetui.tui.widgets.timeline_list import visible

REPEAT_CHOICES = [
    ("Does not repeat", Repeats.NONE.value),
    ("Every day", Repeats.DAILY.value),
    ("Every week", Repeats.WEEKLY.value),
    ("Every two weeks", Repeats.FORTNIGHTLY.value),
    ("Every month", Repeats.MONTHLY.value),
    ("Custom (RRULE)", Repeats.CUSTOM.value),
]
# "task name", "task 2 due date", or the recurrence checker's bare "repeats".
_TASK_FIELD = re.compile(r"^(?:task(?: (\d+))? )?(name|due date|repeats|responsible|details)$")
_WIDGETS = {
    "name": "task-name",
    "due date": "task-due",
    "repeats": "task-repeats",
    "responsible": "task-responsible",
    "details": "task-details",
}


def task_field(field: str) -> tuple[int | None, str] | None:
    """Which task (1-based, None when not numbered) and which of its fields a message names."""
    match = _TASK_FIELD.match(field)
    if match is None or (
        match.group(1) is None and not field.startswith("task") and field != "repeats"
    ):
        return None
    return (int(match.group(1)) if match.group(1) else None), match.group(2)


class StaffPicker(SelectionList[str]):
    """Staff to tick; a ticked person reads ``[x]``, so the choice shows without colour."""

    def render_line(self, y: int) -> Strip:
        line = super().render_line(y)
        segments = list(line)
        try:
            option = self.get_option_at_index(round(self.scroll_offset.y) + y)
        except OptionDoesNotExist:
            return line
        if len(segments) < 3:
            return line
        ticked = option.value in self._selected
        segments[0:3] = [
            Segment("[", segments[1].style),
            Segment("x" if ticked else " ", segments[1].style),
            Segment("]", segments[1].style),
        ]
        return Strip(segments, line.cell_length)


def task_input(values: dict[str, Any]) -> TaskInput:
    custom = values["repeats"] == Repeats.CUSTOM.value
    return TaskInput(
        name=values["name"],
        due=values["due"],
        repeats=values["repeats"],
        rrule=values["rrule"] if custom else None,
        responsible=tuple(values["responsible"]),
        assigned_to_client=values["assigned_to_client"],
        details=values["details"],
    )


class TaskForm(Vertical):
    """Name, due date, repeats (with an RRULE when custom), who is responsible, details."""

    DEFAULT_CSS = (
        FORM_CSS.format(name="TaskForm")
        + """
    TaskForm { border-top: solid $primary; padding-top: 0; margin-top: 1; }
    TaskForm .task-title { text-style: bold; width: 1fr; }
    TaskForm .rrule-row { display: none; }
    TaskForm.-custom .rrule-row { display: block; }
    TaskForm SelectionList { height: auto; max-height: 5; width: 1fr; background: $boost; }
    TaskForm TextArea { height: 3; }
    TaskForm .task-head { height: 1; }
    TaskForm .task-head Button { min-width: 8; height: 1; border: none; margin: 0; }
    """
    )

    class Changed(Message):
        pass

    class RemoveRequested(Message):
        def __init__(self, form: TaskForm) -> None:
            super().__init__()
            self.form = form

    def __init__(
        self,
        *,
        staff: Sequence[StaffView],
        author: str,
        today: date,
        number: int = 1,
        removable: bool = True,
    ) -> None:
        super().__init__()
        self.staff = list(staff)
        self.author = author
        self.today = today
        self.number = number
        self.removable = removable

    def compose(self) -> ComposeResult:
        with Horizontal(classes="task-head"):
            yield Label(f"Follow-up task {self.number}", classes="task-title")
            if self.removable:
                yield Button("Remove task", classes="remove-task", compact=True)
        yield field_row(
            "Task name",
            LiteralInput(classes="task-name", compact=True, placeholder="What needs doing"),
        )
        yield Label("", classes="field-error task-name-error")
        yield field_row(
            "Due",
            LiteralInput(
                "+1w", classes="task-due", compact=True, placeholder="+1w, friday, 2026-12-01"
            ),
        )
        yield Label("", classes="hint task-due-hint")
        yield Label("", classes="field-error task-due-error")
        yield field_row(
            "Repeats",
            Select(REPEAT_CHOICES, allow_blank=False, classes="task-repeats", compact=True),
        )
        yield Horizontal(
            Label("RRULE", classes="field-label"),
            LiteralInput(classes="task-rrule", compact=True, placeholder="FREQ=WEEKLY;BYDAY=MO,TH"),
            classes="row rrule-row",
        )
        yield Label("", classes="field-error task-repeats-error")
        # The author first: they are ticked already, and the list shows five at a time.
        ordered = sorted(self.staff, key=lambda s: s.username != self.author)
        people = [
            (
                Text(f"{visible(s.display_name)} ({visible(s.username)})"),
                s.username,
                s.username == self.author,
            )
            for s in ordered
        ]
        yield field_row(
            "Responsible", StaffPicker(*people, classes="task-responsible", compact=True)
        )
        yield Label("", classes="field-error task-responsible-error")
        yield field_row(
            "For client", TickBox("the client does this task", classes="task-client", compact=True)
        )
        yield field_row(
            "Details",
            LiteralTextArea(
                classes="task-details", compact=True, soft_wrap=True, tab_behavior="focus"
            ),
        )
        yield Label("", classes="field-error task-details-error")

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        mark_focused_row(event.widget, True)

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        mark_focused_row(event.widget, False)

    def on_mount(self) -> None:
        self._show_due_hint()

    def set_number(self, number: int) -> None:
        self.number = number
        self.query_one(".task-title", Label).update(f"Follow-up task {number}")

    # --- values ---------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        return {
            "name": self.query_one(".task-name", Input).value,
            "due": self.query_one(".task-due", Input).value,
            "repeats": str(self.query_one(".task-repeats", Select).value),
            "rrule": self.query_one(".task-rrule", Input).value,
            "responsible": list(self.query_one(".task-responsible", SelectionList).selected),
            "assigned_to_client": self.query_one(".task-client", TickBox).value,
            "details": self.query_one(".task-details", TextArea).text,
        }

    def load(self, values: dict[str, Any]) -> None:
        for key, selector in (
            ("name", ".task-name"),
            ("due", ".task-due"),
            ("rrule", ".task-rrule"),
        ):
            if isinstance(values.get(key), str):
                self.query_one(selector, Input).value = values[key]
        if values.get("repeats") in {v for _, v in REPEAT_CHOICES}:
            self.query_one(".task-repeats", Select).value = values["repeats"]
        if isinstance(values.get("responsible"), list):
            people = self.query_one(".task-responsible", SelectionList)
            people.deselect_all()
            for username in values["responsible"]:
                if any(s.username == username for s in self.staff):
                    people.select(username)
        if isinstance(values.get("assigned_to_client"), bool):
            self.query_one(".task-client", TickBox).value = values["assigned_to_client"]
        if isinstance(values.get("details"), str):
            self.query_one(".task-details", TextArea).text = values["details"]
        self._show_due_hint()

    def task_input(self) -> TaskInput:
        return task_input(self.values())

    # --- messages ---------------------------------------------------------------------------

    def show_error(self, field: str, message: str, label: str) -> None:
        widget = _WIDGETS[field]
        error = self.query_one(f".{widget}-error", Label)
        error.update(Text(f"{label}: {visible(message)}"))
        error.add_class("-shown")
        target = ".task-rrule" if field == "repeats" and self.has_class("-custom") else f".{widget}"
        self.query_one(target).focus()

    def clear_errors(self) -> None:
        for label in self.query(".field-error"):
            label.remove_class("-shown")

    def _show_due_hint(self) -> None:
        words, ok = understood(
            self.query_one(".task-due", Input).value, self.today, "future", "due date"
        )
        self.query_one(".task-due-hint", Label).update(
            Text(visible(words), style="" if ok else "bold")
        )

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.has_class("task-due"):
            self._show_due_hint()
        self.post_message(self.Changed())

    def on_select_changed(self, event: Select.Changed) -> None:
        self.set_class(event.value == Repeats.CUSTOM.value, "-custom")
        self.post_message(self.Changed())

    def on_selection_list_selected_changed(self, _event: SelectionList.SelectedChanged) -> None:
        self.post_message(self.Changed())

    def on_checkbox_changed(self, _event: TickBox.Changed) -> None:
        self.post_message(self.Changed())

    def on_text_area_changed(self, _event: TextArea.Changed) -> None:
        self.post_message(self.Changed())

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.has_class("remove-task"):
            event.stop()
            self.post_message(self.RemoveRequested(self))


def show_field_errors(root: Widget, exc: ValidationError) -> bool:
    """Show every field a service refused under that field, the first one focused.

    False when none of them is on ``root``'s note or task forms.
    """
    errors = sorted(getattr(exc, "errors", [exc]), key=_place_on_screen)
    # Shown last to first, so the focus ends on the first refused field on screen, where the
    # next keys typed should go.
    return any([_show_one(root, error) for error in reversed(errors)])


def _place_on_screen(error: ValidationError) -> tuple[int, int]:
    """The note's fields top to bottom, then each task's in turn."""
    if error.field in NOTE_FIELDS:
        return 0, list(NOTE_FIELDS).index(error.field)
    found = task_field(error.field)
    number = (found[0] or 1) if found else 99
    return number, 0


def _show_one(root: Widget, exc: ValidationError) -> bool:
    if root.query_one(NoteForm).show_error(exc.field, exc.message):
        return True
    found = task_field(exc.field)
    forms = list(root.query(TaskForm))
    if found is None or not forms:
        return False
    number, field = found
    if number is not None and number <= len(forms):
        target = forms[number - 1]
    elif field == "repeats":
        target = next((f for f in forms if f.has_class("-custom")), forms[0])
    else:
        target = forms[0]
    target.show_error(field, exc.message, exc.field)
    return True
