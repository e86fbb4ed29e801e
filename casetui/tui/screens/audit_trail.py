"""The audit trail: who did what to which record, newest first, one page at a time.

A page is one keyset read of the repository, so the screen is as quick on millions of events
as on a few. Everything shown came from users or from the database and is shown literally.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Static

from casetui.domain.errors import RuleError, ValidationErrors
from casetui.domain.filters import Position
from casetui.domain.limits import (
    AUDIT_ACTION_MAX,
    CASE_NUMBER_MAX,
    DATE_WORDS_MAX,
    USERNAME_MAX,
)
from casetui.services import audit_trail
from casetui.services.audit_trail import TrailPage, TrailQuery
from casetui.tui.database_away import call_database
from casetui.tui.screens.audit_event import AuditEventScreen
from casetui.tui.widgets.data_table import DataTable
from casetui.tui.widgets.event_table import EventTable, cell, columns_for
from casetui.tui.widgets.filter_field import FilterField
from casetui.tui.widgets.footer import Footer
from casetui.tui.widgets.safe_text import fit, visible

if TYPE_CHECKING:
    from casetui.tui.app import CasetuiApp


def describe_error(error: RuleError) -> str:
    """Every refused filter at once, by the name of its box."""
    if isinstance(error, ValidationErrors):
        return "refused: " + " · ".join(f"{e.field}: {e.message}" for e in error.errors)
    return str(error)


class AuditTrailScreen(Screen[None]):
    """Events newest first; filters by person, case, dates and action; enter opens one."""

    HELP_TITLE = "Audit trail"
    AUTO_FOCUS = "EventTable"
    DEFAULT_CSS = """
    AuditTrailScreen #audit-title { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    AuditTrailScreen #audit-filters { height: 1; }
    AuditTrailScreen #audit-filters FilterField, AuditTrailScreen #audit-filters FilterField:focus {
        border: none; height: 1; padding: 0 1; width: 1fr; background: $surface;
    }
    AuditTrailScreen #audit-filters FilterField:focus { background: $boost; text-style: bold; }
    AuditTrailScreen #audit-filters #audit-action { width: 2fr; }
    AuditTrailScreen #audit-in-force { height: 1; padding: 0 1; color: $text-muted; }
    AuditTrailScreen #audit-in-force.-error { color: $text-error; text-style: bold; }
    AuditTrailScreen DataTable { height: 1fr; }
    AuditTrailScreen DataTable:nocolor > .datatable--cursor { text-style: bold reverse; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_filters", "Filter", id="audit.filter"),
        Binding("right_square_bracket", "older", "Older", id="audit.older"),
        Binding("left_square_bracket", "newer", "Newer", id="audit.newer"),
        # Not in the footer, to leave room at 80 columns; help and ctrl+p list them.
        Binding("g", "newest", "Newest", show=False, id="audit.newest"),
        Binding("x", "clear_filters", "Clear filters", show=False, id="audit.clear_filters"),
        Binding("escape", "back", "Back", id="audit.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.query_in_force = TrailQuery()
        self.page: TrailPage | None = None
        self.page_number = 1
        self._width = -1

    def compose(self) -> ComposeResult:
        yield Static(Text("Audit trail"), id="audit-title")
        with Horizontal(id="audit-filters"):
            yield FilterField(placeholder="/ person", max_length=USERNAME_MAX, id="audit-person")
            yield FilterField(
                placeholder="case number", max_length=CASE_NUMBER_MAX, id="audit-case"
            )
            yield FilterField(placeholder="from date", max_length=DATE_WORDS_MAX, id="audit-since")
            yield FilterField(placeholder="to date", max_length=DATE_WORDS_MAX, id="audit-until")
            yield FilterField(
                placeholder="action",
                max_length=AUDIT_ACTION_MAX,
                suggester=SuggestFromList(audit_trail.ACTIONS, case_sensitive=False),
                id="audit-action",
            )
        yield Static(Text("All events, newest first"), id="audit-in-force")
        yield EventTable(cursor_type="row", zebra_stripes=True, id="audit-table")
        yield Footer(compact=True)

    @property
    def casetui(self) -> CasetuiApp:
        return self.app  # type: ignore[return-value]

    def on_mount(self) -> None:
        self.title = "Audit trail"
        self._load(self.query_in_force)

    def on_resize(self) -> None:
        table = self.query_one(DataTable)
        if self.size.width != self._width:
            self._width = self.size.width
            self._fill(table)

    # --- loading ----------------------------------------------------------------------------

    def typed_query(self) -> TrailQuery:
        def value(name: str) -> str:
            return self.query_one(f"#audit-{name}", FilterField).value

        return TrailQuery(
            person=value("person"), case_number=value("case"), since=value("since"),
            until=value("until"), action=value("action"),
        )  # fmt: skip

    @work(thread=True, exclusive=True, group="audit-load")
    def _load(
        self,
        query: TrailQuery,
        older_than: Position | None = None,
        newer_than: Position | None = None,
        step: int = 0,
    ) -> None:
        app = self.casetui

        def read() -> TrailPage:
            return audit_trail.browse(
                app.db, app.signed_in, query, older_than=older_than, newer_than=newer_than
            )

        def failed(error: Exception) -> None:
            if isinstance(error, RuleError):  # a filter that makes no sense: said beside them
                self._refused(error)
            else:
                app.show_error(error)

        call_database(self, read, lambda page: self._show(query, page, step), failed)

    def _refused(self, error: RuleError) -> None:
        line = self.query_one("#audit-in-force", Static)
        line.set_class(True, "-error")
        line.update(Text(visible(describe_error(error)), no_wrap=True, overflow="ellipsis"))

    def _show(self, query: TrailQuery, page: TrailPage, step: int) -> None:
        self.query_in_force, self.page = query, page
        self.page_number = 1 if step == 0 else max(1, self.page_number + step)
        line = self.query_one("#audit-in-force", Static)
        line.set_class(False, "-error")
        line.update(self._in_force_text(query, page))
        # Older events are read from the top down; newer ones, coming back, from the bottom up.
        self._fill(self.query_one(DataTable), cursor=-1 if step < 0 else 0)
        self._show_title()
        self.refresh_bindings()

    def _in_force_text(self, query: TrailQuery, page: TrailPage) -> Text:
        parts: list[tuple[str, str]] = []
        if query.person.strip():
            parts.append(("Person ", query.person.strip().lower()))
        if query.case_number.strip():
            parts.append(("Case ", query.case_number.strip()))
        if page.since:
            parts.append(("From ", f"{page.since:%a %Y-%m-%d}"))
        if page.until:
            parts.append(("To ", f"{page.until:%a %Y-%m-%d}"))
        if query.action.strip():
            parts.append(("Action ", query.action.strip().lower()))
        line = Text(no_wrap=True, overflow="ellipsis")
        if not parts:
            line.append("All events, newest first · times in " + page.time_zone)
            return line
        for number, (label, value) in enumerate(parts):
            if number:
                line.append(" · ")
            line.append(label)
            line.append(visible(value), style="bold")
        return line

    def _show_title(self) -> None:
        page = self.page
        title = Text("Audit trail")
        if page is not None:
            count = len(page.events)
            title.append(
                f" · page {self.page_number} · {count} {'event' if count == 1 else 'events'}"
            )
            if page.older:
                title.append(" · ] older")
            if page.newer:
                title.append(" · [ newer")
        self.query_one("#audit-title", Static).update(title)

    def _fill(self, table: DataTable[str], cursor: int | None = None) -> None:
        """The page's events in the columns this width has room for; the cursor on row
        ``cursor`` (-1: the last), or where it was."""
        keep = table.cursor_row if cursor is None else cursor
        table.clear(columns=True)
        width = table.size.width or self.size.width
        layout = columns_for(width)
        for column, cell_width in layout:
            table.add_column(column.title, width=cell_width, key=column.key)
        page = self.page
        if page is None:
            return
        zone = ZoneInfo(page.time_zone)
        for event in page.events:
            cells = [fit(visible(cell(c.key, event, zone)), w) for c, w in layout]
            table.add_row(*[Text(text, no_wrap=True) for text in cells], key=str(event.id))
        if page.events:
            last = len(page.events) - 1
            table.move_cursor(row=last if keep < 0 else min(keep, last))

    # --- keys -------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        page = self.page
        if action == "older":
            return None if page is None or not page.older else True
        if action == "newer":
            return None if page is None or not page.newer else True
        if action == "open_event":
            return None if page is None or not page.events else True
        if action == "focus_filters":
            return not isinstance(self.focused, FilterField)
        return True

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one(DataTable).focus()
        self._load(self.typed_query())

    def action_focus_filters(self) -> None:
        self.query_one("#audit-person", FilterField).focus()

    def action_older(self) -> None:
        if self.page is not None and self.page.older and self.page.events:
            last = Position.of(self.page.events[-1])
            self._load(self.query_in_force, older_than=last, step=1)

    def action_newer(self) -> None:
        if self.page is not None and self.page.newer and self.page.events:
            first = Position.of(self.page.events[0])
            self._load(self.query_in_force, newer_than=first, step=-1)

    def action_newest(self) -> None:
        self._load(self.query_in_force)

    def action_clear_filters(self) -> None:
        for field in self.query(FilterField):
            field.value = ""
        self._load(TrailQuery())

    def action_back(self) -> None:
        self.dismiss(None)

    def action_open_event(self) -> None:
        table = self.query_one(DataTable)
        if self.page is not None and 0 <= table.cursor_row < len(self.page.events):
            event = self.page.events[table.cursor_row]
            self.app.push_screen(AuditEventScreen(event.id, self.page.time_zone))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()  # a click on a row: enter itself is the table's own binding above
        self.action_open_event()


__all__ = ["AuditTrailScreen"]
