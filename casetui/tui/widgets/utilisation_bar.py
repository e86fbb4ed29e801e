"""A utilisation bar that reads without colour: filled blocks, a percentage and a word."""

from __future__ import annotations

import math

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

AMBER_FROM = 0.85
RED_ABOVE = 1.0


def band(utilisation: float) -> str:
    """``ok`` under 85 %, ``near`` up to 100 %, ``over`` beyond."""
    if utilisation > RED_ABOVE:
        return "over"
    if utilisation >= AMBER_FROM:
        return "near"
    return "ok"


BAND_STYLE = {"ok": "green", "near": "yellow", "over": "bold red"}


def percent(utilisation: float) -> str:
    if math.isinf(utilisation):
        return "no capacity"
    return f"{utilisation * 100:.0f}%"


def utilisation_text(utilisation: float, width: int = 10, *, words: bool = True) -> Text:
    """``███████░░░  72%``; the blocks and the figure carry the meaning, colour only helps."""
    share = 1.0 if math.isinf(utilisation) else max(utilisation, 0.0)
    filled = min(round(share * width), width)
    kind = band(utilisation)
    style = BAND_STYLE[kind]
    text = Text(no_wrap=True, end="")
    text.append("█" * filled, style=style)
    text.append("░" * (width - filled), style="dim")
    text.append(f" {percent(utilisation):>4}", style=style if kind != "ok" else "")
    if words and kind != "ok":
        text.append(f" {kind}", style=style)
    return text


class UtilisationBar(Static):
    """One person's bar, for headers; the table draws the same text per row."""

    utilisation: reactive[float] = reactive(0.0)

    def __init__(self, utilisation: float = 0.0, *, width: int = 20, id: str | None = None) -> None:
        super().__init__(id=id)
        self.bar_width = width
        self.set_reactive(UtilisationBar.utilisation, utilisation)

    def render(self) -> Text:
        return utilisation_text(self.utilisation, self.bar_width)
