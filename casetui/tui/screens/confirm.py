"""Small modal questions: yes or no, pick one of a few, give a reason, write an addendum."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from casetui.tui.widgets.literal_fields import LiteralInput, LiteralTextArea
from casetui.tui.widgets.timeline_list import visible

T = TypeVar("T")


def modal_css(name: str) -> str:
    """The shared look of a centred dialog, scoped to one screen class."""
    return f"""
    {name} {{ align: center middle; }}
    {name} > Vertical {{
        width: 70; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 1;
    }}
    {name} .title {{ text-style: bold; width: 1fr; }}
    {name} .message {{ margin: 1 0 0 0; }}
    {name} .error {{ color: $text-error; text-style: bold; }}
    {name} .buttons {{ height: auto; align-horizontal: right; }}
    {name} Button {{ margin-left: 1; min-width: 10; }}
    {name} .hint {{ color: $text-muted; margin-top: 1; }}
    """


def as_text(value: str | Text) -> Text:
    """Plain strings become literal text: no markup, control characters shown."""
    return value if isinstance(value, Text) else Text(visible(value, keep_newlines=True))


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question; escape means no."""

    DEFAULT_CSS = modal_css("ConfirmScreen")
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(
        self, title: str, message: str | Text, *, yes: str = "Yes", no: str = "No"
    ) -> None:
        super().__init__()
        self.title_text, self.message = title, message
        self.yes, self.no = yes, no

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(as_text(self.title_text), classes="title")
            yield Static(as_text(self.message), classes="message")
            with Horizontal(classes="buttons"):
                yield Button(self.no, id="no")
                yield Button(self.yes, id="yes", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class ChoiceScreen(ModalScreen[T | None], Generic[T]):
    """Pick one of a list with the arrows and enter; escape picks nothing."""

    DEFAULT_CSS = (
        modal_css("ChoiceScreen")
        + """
    ChoiceScreen OptionList, ChoiceScreen OptionList:focus { height: auto; max-height: 16; border: none; padding: 0; }
    """
    )
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="choice.cancel")]

    def __init__(
        self,
        title: str,
        choices: Sequence[tuple[str | Text, T]],
        *,
        current: T | None = None,
        message: str | Text | None = None,
    ) -> None:
        super().__init__()
        self.title_text, self.message = title, message
        self.choices = list(choices)
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(as_text(self.title_text), classes="title")
            if self.message:
                yield Static(as_text(self.message), classes="message")
            yield OptionList(*[Option(as_text(label)) for label, _ in self.choices])
            yield Label("enter choose · escape cancel", classes="hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        values = [value for _, value in self.choices]
        options.highlighted = values.index(self.current) if self.current in values else 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.choices[event.option_index][1])

    def action_cancel(self) -> None:
        self.dismiss(None)


class ReasonScreen(ModalScreen[str | None]):
    """Ask why, in one line: overriding a lock, deleting a note."""

    DEFAULT_CSS = modal_css("ReasonScreen")
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="reason.cancel")]

    def __init__(self, title: str, message: str | Text, *, placeholder: str = "Reason") -> None:
        super().__init__()
        self.title_text, self.message, self.placeholder = title, message, placeholder

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(as_text(self.title_text), classes="title")
            yield Static(as_text(self.message), classes="message")
            yield LiteralInput(placeholder=self.placeholder, max_length=500, id="reason")
            yield Label("", classes="error", id="reason-error")
            yield Label("enter confirm · escape cancel", classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value.strip():
            self.query_one("#reason-error", Label).update("reason: is required")
            return
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


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
                self.reason, placeholder="Why this is added", max_length=200, id="addendum-reason"
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
