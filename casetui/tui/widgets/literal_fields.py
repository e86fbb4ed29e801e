"""Text fields that draw what they hold literally, and take keys in the order typed.

A note saved with an escape sequence in it comes back into the editor: the field keeps the
value exactly, but draws each control character as a visible sign, so opening the note
never clears, recolours or retitles anyone's terminal.

Keys typed fast over a slow SSH link arrive together. Textual inserts a printable key in the
field at once, but runs the field's own bindings (backspace, delete, the arrows) only once the
key has gone up to the app: in "x, backspace, y" the y landed first and the backspace took it
away. These fields run their own bindings as the key arrives, in its turn.

The multi-line field is in ``literal_text_area``: Textual's TextArea takes a while to import,
and the caseload's filter line, painted at start, needs only the one-line field.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.widgets import Input

from casetui.tui.widgets.safe_text import signs


class KeysInOrder:
    """Runs the widget's own (non-priority) binding for a key when the key reaches it."""

    async def _on_key(self, event: events.Key) -> None:
        if not event.is_printable and await self._run_own_binding(event):
            event.stop()
            event.prevent_default()
            return
        await super()._on_key(event)  # type: ignore[misc]

    async def _run_own_binding(self, event: events.Key) -> bool:
        widget = self  # a Widget: this class only ever comes before Input or TextArea
        for key in event.aliases:
            for binding in widget._bindings.key_to_bindings.get(key, ()):  # type: ignore[attr-defined]
                # Priority bindings were offered first by the app, as ever.
                if not binding.priority and await widget.app.run_action(binding.action, widget):  # type: ignore[attr-defined]
                    return True
        return False


class LiteralInput(KeysInOrder, Input):
    @property
    def _value(self) -> Text:
        if self.password:
            return super()._value
        text = Text(signs(self.value), no_wrap=True, overflow="ignore", end="")
        return self.highlighter(text) if self.highlighter is not None else text

    def _position_to_cell(self, position: int) -> int:
        if self.password:  # drawn as one dot a character
            return super()._position_to_cell(position)
        return cell_len(signs(self.value[:position]))
