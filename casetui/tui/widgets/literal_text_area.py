"""A multi-line text field that draws what it holds literally (see ``literal_fields``).

Apart from the one-line field because Textual's TextArea takes a while to import: the screens
that write notes load it, the caseload's first paint does not.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import TextArea

from casetui.tui.widgets.literal_fields import KeysInOrder
from casetui.tui.widgets.safe_text import signs


class LiteralTextArea(KeysInOrder, TextArea):
    def get_line(self, line_index: int) -> Text:
        # Tabs stay: the text area lays them out itself.
        line = self.document.get_line(line_index)
        return Text(signs(line, keep_tabs=True), end="", no_wrap=True)
