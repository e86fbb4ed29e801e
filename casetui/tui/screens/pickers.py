"""A small modal list for choosing filter values: space ticks, enter applies, escape cancels."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import ClassVar, Generic, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static

from casetui.tui.widgets.footer import Footer
from casetui.tui.widgets.safe_text import literal, visible

Value = TypeVar("Value", bound=Hashable)


def tick_line(label: str, ticked: bool) -> Content:
    # "[x]" in words, not colour alone, so ticks read the same with NO_COLOR.
    return Content(f"[{'x' if ticked else ' '}] {visible(label)}")


class ChoicePicker(ModalScreen[tuple[Value, ...] | None], Generic[Value]):
    """Returns the ticked values in list order (empty: no filter), or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle", "Tick", id="picker.toggle"),
        Binding("enter", "apply", "Apply", priority=True, id="picker.apply"),
        Binding("escape", "cancel", "Cancel", id="picker.cancel"),
        Binding("x", "untick_all", "Untick all", id="picker.untick_all"),
    ]
    HELP_TITLE = "Choosing filter values"

    def __init__(
        self,
        title: str,
        choices: Sequence[tuple[str, Value]],
        chosen: Iterable[Value] = (),
        *,
        empty_means: str = "any",
    ) -> None:
        super().__init__()
        self.picker_title = title
        self.choices = list(choices)
        chosen = set(chosen)
        self.ticked = [value in chosen for _label, value in self.choices]
        self.empty_means = empty_means

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Static(literal(self.picker_title, "bold"), id="picker-title")
            yield OptionList(
                *(tick_line(label, ticked) for (label, _v), ticked in zip(self.choices, self.ticked, strict=True)),
                id="picker-list",
            )  # fmt: skip
            hint = f"space tick · enter apply · none ticked: {self.empty_means}"
            if not self.choices:
                hint = "nothing to choose from yet"
            yield Static(Text(hint, "dim"), id="picker-hint")
        yield Footer(compact=True)

    @property
    def option_list(self) -> OptionList:
        return self.query_one(OptionList)

    def on_mount(self) -> None:
        if self.choices:
            self.option_list.highlighted = 0

    def _show(self, index: int) -> None:
        label = self.choices[index][0]
        self.option_list.replace_option_prompt_at_index(index, tick_line(label, self.ticked[index]))

    def action_toggle(self) -> None:
        index = self.option_list.highlighted
        if index is None:
            return
        self.ticked[index] = not self.ticked[index]
        self._show(index)

    def action_untick_all(self) -> None:
        for index, ticked in enumerate(self.ticked):
            if ticked:
                self.ticked[index] = False
                self._show(index)

    def action_apply(self) -> None:
        self.dismiss(self.values())

    def action_cancel(self) -> None:
        self.dismiss(None)

    def values(self) -> tuple[Value, ...]:
        return tuple(value for (_l, value), t in zip(self.choices, self.ticked, strict=True) if t)
