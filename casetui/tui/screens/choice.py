"""Pick one of a few: the arrows and enter, or escape for none."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from casetui.tui.screens.modal import as_text, modal_css

T = TypeVar("T")


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
