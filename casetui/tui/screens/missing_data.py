"""Missing data (the caseload's M): open cases without a pathway, a recent note, an open task or
a concern review, and clients without contact details, counted per reason; each line opens the
case's timeline, or for contact details the client's record. W picks one worker."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static

from casetui.domain.caseworker_day import MISSING_TITLES, MissingData, MissingLine, MissingReason
from casetui.domain.enums import Role
from casetui.domain.errors import CasetuiError
from casetui.domain.read_models.people import StaffView
from casetui.services import missing_data
from casetui.tui.database_away import call_database
from casetui.tui.widgets.data_table import DataTable
from casetui.tui.widgets.footer import Footer
from casetui.tui.widgets.safe_text import visible

if TYPE_CHECKING:
    from casetui.tui.app import CasetuiApp

SHORT = {
    MissingReason.NO_PATHWAY: "No pathway",
    MissingReason.NO_RECENT_NOTE: "No recent note",
    MissingReason.NO_OPEN_TASK: "No open task",
    MissingReason.NO_CONCERN_REVIEW: "No concern review",
    MissingReason.NO_CONTACT_DETAILS: "No contact details",
}
EVERYONE = ""


class MissingDataScreen(Screen[None]):
    HELP_TITLE = "Missing data"
    DEFAULT_CSS = """
    MissingDataScreen #missing-title { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    MissingDataScreen #missing-counts { height: auto; padding: 0 1; }
    MissingDataScreen #missing-rule { height: auto; padding: 0 1; color: $text-muted; }
    MissingDataScreen #missing-table { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "move(1)", "Next", show=False, id="missing.next"),
        Binding("k", "move(-1)", "Previous", show=False, id="missing.previous"),
        Binding("enter", "open", "Open", id="missing.open"),
        Binding("W", "pick_worker", "Worker", id="missing.pick_worker"),
        Binding("ctrl+r", "refresh", "Refresh", show=False, id="missing.refresh"),
        Binding("escape", "back", "Back", id="missing.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.worker: str | None = None
        self.found: MissingData | None = None

    @property
    def casetui(self) -> CasetuiApp:
        return self.app  # type: ignore[return-value]

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one("#missing-table", DataTable)

    def compose(self) -> ComposeResult:
        yield Static(Text("Missing data"), id="missing-title")
        yield Static("Loading…", id="missing-counts")
        yield Static("", id="missing-rule")
        table: DataTable[Any] = DataTable(id="missing-table", cursor_type="row", zebra_stripes=True)
        table.add_columns("Missing", "Case", "Client", "Worker")
        yield table
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "Missing data"
        self.table.focus()
        self.reload()

    def reload(self) -> None:
        self._load(self.worker, self.table.cursor_row)

    @work(thread=True, exclusive=True, group="missing-load")
    def _load(self, worker: str | None, row: int) -> None:
        app = self.casetui
        call_database(
            self,
            lambda: missing_data.missing_data(app.db, app.signed_in, worker),
            lambda found: self._show(found, row),
            self._refused,
        )

    def _show(self, found: MissingData, row: int) -> None:
        self.found = found
        whose = found.worker or _everyone_words(self.casetui.signed_in.role)
        self.query_one("#missing-title", Static).update(Text(f"Missing data · {whose}"))
        counts = Text()
        for reason, title in MISSING_TITLES.items():
            number = found.counts.get(reason, 0)
            counts.append(f"{number:>5,}  ", style="bold" if number else "dim")
            counts.append(title + "\n")
        counts.rstrip()
        self.query_one("#missing-counts", Static).update(counts)
        rule = (
            f"Stale period: {found.stale_days} days. A concern review is the concern set or "
            "changed within it; cases opened in it are not counted for notes or reviews."
        )
        if any(n > found.shown_max for n in found.counts.values()):
            rule += f" At most {found.shown_max} lines a reason are listed."
        self.query_one("#missing-rule", Static).update(Text(rule))
        table = self.table
        table.clear()
        for line in found.lines:
            table.add_row(
                SHORT[line.reason], line.case_number, Text(visible(line.client_name)),
                line.worker or "—", key=f"{line.reason.value}:{line.case_id}",
            )  # fmt: skip
        if found.lines:
            table.move_cursor(row=min(max(row, 0), len(found.lines) - 1))
        self.refresh_bindings()

    def _refused(self, error: CasetuiError) -> None:
        self.casetui.show_error(error)

    @property
    def highlighted(self) -> MissingLine | None:
        if self.found is None or not self.found.lines:
            return None
        row = self.query_one("#missing-table", DataTable).cursor_row
        return self.found.lines[row] if 0 <= row < len(self.found.lines) else None

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self.refresh_bindings()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        actor = self.casetui.actor
        if actor is None:
            return False
        if action in ("open", "move"):
            return True if self.is_mounted and self.highlighted is not None else None
        if action == "pick_worker":
            # A caseworker reads their own: there is nobody else to pick.
            return actor.role is not Role.CASEWORKER
        return True

    def action_move(self, step: int) -> None:
        if step > 0:
            self.table.action_cursor_down()
        else:
            self.table.action_cursor_up()

    def action_refresh(self) -> None:
        self.reload()

    def action_open(self) -> None:
        line = self.highlighted
        if line is None:
            return
        if line.reason is MissingReason.NO_CONTACT_DETAILS:
            from casetui.tui.screens.client_record import ClientRecordScreen

            self.app.push_screen(ClientRecordScreen(line.client_id))
        else:
            from casetui.tui.screens.timeline import TimelineScreen

            self.app.push_screen(TimelineScreen(line.case_id))

    def action_pick_worker(self) -> None:
        self._load_workers()

    @work(thread=True, exclusive=True, group="missing-workers")
    def _load_workers(self) -> None:
        app = self.casetui
        call_database(
            self,
            lambda: missing_data.missing_data_workers(app.db, app.signed_in),
            self._pick,
            self._refused,
        )

    def _pick(self, people: list[StaffView]) -> None:
        from casetui.tui.screens.choice import ChoiceScreen

        everyone = _everyone_words(self.casetui.signed_in.role)
        choices: list[tuple[str, str]] = [(everyone, EVERYONE)]
        choices += [(f"{visible(p.display_name)} ({p.username})", p.username) for p in people]

        def chosen(username: str | None) -> None:
            if username is not None:
                self.worker = username or None
                self.table.move_cursor(row=0)
                self.reload()

        self.app.push_screen(
            ChoiceScreen("Missing data of", choices, current=self.worker or EVERYONE), chosen
        )

    def action_back(self) -> None:
        self.dismiss(None)

    def on_screen_resume(self) -> None:
        if self.found is not None:
            self.reload()


def _everyone_words(role: Role) -> str:
    if role is Role.CASEWORKER:
        return "your cases"
    if role is Role.SUPERVISOR:
        return "your team"
    return "everyone"
