"""Laid over any screen while the terminal is smaller than the screens can be drawn in."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

# The smallest terminal every screen fits without drawing outside its place.
MIN_WIDTH, MIN_HEIGHT = 40, 12


def too_small(width: int, height: int) -> bool:
    return width < MIN_WIDTH or height < MIN_HEIGHT


class TooSmall(Static):
    """Says how big the terminal is and how big it needs to be; removed once it is."""

    DEFAULT_CSS = """
    TooSmall {
        dock: top;
        width: 100%;
        height: 100%;
        background: $background;
        content-align: center middle;
        text-align: center;
    }
    """

    def show_size(self, width: int, height: int) -> None:
        words = Text(f"The terminal is too small: {width}×{height}.", style="bold")
        words.append(f"\ncasetui needs at least {MIN_WIDTH}×{MIN_HEIGHT}. ctrl+q quits.")
        self.update(words)
