"""The moving keys of the Line-API lists (timeline, workload): each implements the actions."""

from __future__ import annotations

from textual.binding import Binding, BindingType

LIST_MOVES: list[BindingType] = [
    Binding("up,k", "cursor(-1)", "Up", show=False),
    Binding("down,j", "cursor(1)", "Down", show=False),
    Binding("pageup", "page(-1)", "Page up", show=False),
    Binding("pagedown", "page(1)", "Page down", show=False),
    Binding("home", "first", "First", show=False),
    Binding("end", "last", "Last", show=False),
]
