"""What the administration tabs share: a table that keeps its cursor on the same record
across a reload, the refusals they show, and a dialog for one word."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.widgets import Input, Label

from casetui.domain.errors import CasetuiError, StaleEdit, ValidationError, ValidationErrors
from casetui.domain.limits import NAME_MAX
from casetui.tui.screens.modal import modal_css
from casetui.tui.screens.reason import ReasonScreen
from casetui.tui.widgets.data_table import DataTable
from casetui.tui.widgets.safe_text import fit, visible


class AdminTable(DataTable[Text]):
    """Rows of text shown literally, cut to their columns; the cursor stays on its record."""

    DEFAULT_CSS = """
    AdminTable { height: 1fr; }
    AdminTable:nocolor > .datatable--cursor { text-style: bold reverse; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, id=id)
        self.keys: list[str] = []

    def fill(
        self,
        columns: Sequence[tuple[str, int]],
        rows: Sequence[tuple[str, Sequence[str]]],
        *,
        keep: str | None = None,
    ) -> None:
        """``columns``: (title, width); ``rows``: (key, cells). The cursor goes back to the row
        with key ``keep`` (else where it was)."""
        was = self.cursor_row
        current = (
            keep if keep is not None else (self.keys[was] if 0 <= was < len(self.keys) else None)
        )
        self.clear(columns=True)
        for title, width in columns:
            self.add_column(title, width=width)
        self.keys = [key for key, _cells in rows]
        for key, cells in rows:
            self.add_row(
                *[Text(fit(visible(c), w), no_wrap=True) for c, (_t, w) in zip(cells, columns, strict=True)],
                key=key,
            )  # fmt: skip
        if rows:
            row = (
                self.keys.index(current)
                if current in self.keys
                else min(max(was, 0), len(rows) - 1)
            )
            self.move_cursor(row=row)

    @property
    def current_key(self) -> str | None:
        return self.keys[self.cursor_row] if 0 <= self.cursor_row < len(self.keys) else None


def refusal_text(error: Exception) -> str:
    """A refusal as one line: every field named when several are refused."""
    if isinstance(error, ValidationErrors):
        return "refused: " + " · ".join(f"{e.field}: {e.message}" for e in error.errors)
    if isinstance(error, CasetuiError):
        return str(error)
    return "Something went wrong and nothing was saved. Details are in the log."


def field_errors(error: Exception) -> list[ValidationError]:
    if isinstance(error, ValidationErrors):
        return list(error.errors)
    if isinstance(error, ValidationError):
        return [error]
    return []


def is_stale(error: Exception) -> bool:
    return isinstance(error, StaleEdit)


class WordScreen(ReasonScreen):
    """One line of text (a team's name, a list's item), with the field named when empty."""

    DEFAULT_CSS = modal_css("WordScreen")

    def __init__(
        self, title: str, message: str, *, field: str, value: str = "", placeholder: str = ""
    ) -> None:
        super().__init__(title, message, placeholder=placeholder or field)
        self.field, self.initial = field, value

    def on_mount(self) -> None:
        box = self.query_one("#reason", Input)
        box.max_length = NAME_MAX
        box.value = self.initial
        box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        event.prevent_default()  # instead of ReasonScreen's handler, which Textual also calls
        if not event.value.strip():
            self.query_one("#reason-error", Label).update(f"{self.field}: is required")
            return
        self.dismiss(event.value.strip())


def grants_text(grants: Any) -> str:
    return ", ".join(sorted(g.value for g in grants))
