"""The app's DataTable: a paint before the table has measured its new rows is not kept."""

from __future__ import annotations

import html

from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable as TextualDataTable

from casetui.tui.widgets.data_table import DataTable

ROWS = [
    (4, Text("refused", style="bold reverse"), "Date of birth", "'31/02/1990' is not a real date"),
    (2, "new", "Zoë Smith", "case new number · Open · Low"),
]


class OneTable(App[None]):
    def __init__(self, table: TextualDataTable[object]) -> None:
        super().__init__()
        self.table = table

    def compose(self) -> ComposeResult:
        yield self.table


async def drawn_after_an_early_paint(table: TextualDataTable[object]) -> str:
    app = OneTable(table)
    async with app.run_test(size=(100, 10)) as pilot:
        await pilot.pause()
        table.clear(columns=True)
        table.add_columns("Row", "", "Name", "Detail")
        table.add_rows(ROWS)
        table.render_line(1)  # a paint on a busy machine, before the table's idle moment
        for _ in range(3):
            await pilot.pause()
        return html.unescape(app.export_screenshot()).replace("\xa0", " ")


async def test_columns_are_drawn_at_their_measured_width() -> None:
    drawn = await drawn_after_an_early_paint(DataTable(cursor_type="row"))
    assert "Date of birth" in drawn
    assert "'31/02/1990' is not a real date" in drawn


async def test_textual_s_own_table_would_keep_the_narrow_lines() -> None:
    """What the app's table mends: if Textual mends it itself, this fails, and the app's
    table can go."""
    drawn = await drawn_after_an_early_paint(TextualDataTable(cursor_type="row"))
    assert "Date of birth" not in drawn
