"""Text fields that draw what they hold literally.

A note saved with an escape sequence in it comes back into the editor: the field keeps the
value exactly, but draws each control character as a visible sign, so opening the note
never clears, recolours or retitles anyone's terminal.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Input, TextArea

from casetui.tui.widgets.safe_text import signs


class LiteralInput(Input):
    @property
    def _value(self) -> Text:
        if self.password:
            return super()._value
        text = Text(signs(self.value), no_wrap=True, overflow="ignore", end="")
        return self.highlighter(text) if self.highlighter is not None else text

    def _position_to_cell(self, position: int) -> int:
        return cell_len(signs(self.value[:position]))


class LiteralTextArea(TextArea):
    def get_line(self, line_index: int) -> Text:
        # Tabs stay: the text area lays them out itself.
        line = self.document.get_line(line_index)
        return Text(signs(line, keep_tabs=True), end="", no_wrap=True)
