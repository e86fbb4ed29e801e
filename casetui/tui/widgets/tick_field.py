"""A form field holding several values ticked from a list: warnings, groups.

One line in the form, reading "[x] Safeguarding, [x] Interpreter needed" (or "none"), so it
reads the same without colour; enter or space opens the list to tick values in.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Static

from casetui.tui.widgets.safe_text import visible


class TickField(Static, can_focus=True):
    DEFAULT_CSS = """
    TickField { width: 1fr; height: auto; background: $boost; padding: 0 1; }
    TickField:focus { background: $block-cursor-background; color: $block-cursor-foreground; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,space", "choose", "Choose", id="tick_field.choose"),
    ]

    class Changed(Message):
        def __init__(self, field: TickField) -> None:
            super().__init__()
            self.field = field

    def __init__(
        self, title: str, offered: Sequence[str], ticked: Sequence[str] = (), *, id: str
    ) -> None:
        super().__init__(id=id)
        self.picker_title = title
        self.offered = list(offered) + [t for t in ticked if t not in offered]
        self.ticked: tuple[str, ...] = tuple(t for t in self.offered if t in set(ticked))

    def on_mount(self) -> None:
        self._show()

    def _show(self) -> None:
        line = Text()
        if not self.ticked:
            line.append("none", style="italic")
        for index, value in enumerate(self.ticked):
            line.append(", " if index else "")
            line.append("[x] " + visible(value))
        line.append("  (enter to choose)", style="dim")
        self.update(line)

    def action_choose(self) -> None:
        from casetui.tui.screens.pickers import ChoicePicker

        def chosen(values: tuple[str, ...] | None) -> None:
            if values is not None and values != self.ticked:
                self.ticked = values
                self._show()
                self.post_message(self.Changed(self))

        picker = ChoicePicker(
            self.picker_title, [(v, v) for v in self.offered], self.ticked, empty_means="none"
        )
        self.app.push_screen(picker, chosen)
