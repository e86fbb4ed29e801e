"""Keys that arrive together (fast typing over a slow SSH link) are applied in the order typed.

Textual inserts a printable key in the field at once, but runs a field's own key bindings
(backspace, delete, the arrows) only after the key has travelled up to the app, so in a
burst "x, backspace, y" the y used to land first and the backspace then deleted it.
"""

from __future__ import annotations

import pytest
from textual import events
from textual.app import App, ComposeResult

from casetui.tui.widgets.literal_fields import LiteralInput
from casetui.tui.widgets.literal_text_area import LiteralTextArea


class Fields(App[None]):
    def compose(self) -> ComposeResult:
        yield LiteralInput("Cjos", id="line")
        yield LiteralTextArea("Cjos", id="area")


def burst(app: App[None], keys: list[str]) -> None:
    """Hand the keys to the app all at once, the way one read from the terminal does."""
    for key in keys:
        character = key if len(key) == 1 else None
        app.post_message(events.Key(key, character))


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (["x", "backspace", "y"], "Cjosy"),
        (["backspace", "backspace", "backspace", "backspace", "a", "b", "c"], "abc"),
        (["left", "left", "z"], "Cjzos"),
        (["backspace", "h", "e"], "Cjohe"),
    ],
)
@pytest.mark.parametrize("field", ["line", "area"])
async def test_a_burst_of_keys_is_applied_in_order(
    field: str, keys: list[str], expected: str
) -> None:
    app = Fields()
    async with app.run_test() as pilot:
        widget = app.query_one(f"#{field}")
        widget.focus()
        await pilot.pause()
        if isinstance(widget, LiteralTextArea):
            widget.move_cursor((0, 4))
        else:
            widget.cursor_position = 4
        burst(app, keys)
        await pilot.pause()
        await pilot.pause()
        text = widget.text if isinstance(widget, LiteralTextArea) else widget.value
        assert text == expected
