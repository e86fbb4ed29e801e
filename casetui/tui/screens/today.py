"""Today (the caseload's t): what falls to the signed-in person now, the most overdue first.

j and k move; n writes a note on the line's case, x completes a task, z snoozes it, enter opens
the case's timeline at the line. The list is read again after each, the cursor kept in place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static

from casetui.domain.caseworker_day import TodayItem, TodayKind, TodayList
from casetui.domain.errors import CasetuiError
from casetui.domain.timeline import COMMUNICATION, NOTE, TASK
from casetui.services import policy, tasks
from casetui.services.today import today_list
from casetui.tui.database_away import call_database
from casetui.tui.widgets.data_table import DataTable
from casetui.tui.widgets.footer import Footer
from casetui.tui.widgets.safe_text import fit, visible

if TYPE_CHECKING:
    from casetui.tui.app import CasetuiApp

KIND_WORDS = {
    TodayKind.TASK: "Task",
    TodayKind.STALE_CASE: "No contact",
    TodayKind.FAILED_REMINDER: "Reminder",
    TodayKind.SIGNOFF: "Sign-off",
}
# Where on the timeline each kind of line opens.
TIMELINE_ENTRY = {
    TodayKind.TASK: TASK,
    TodayKind.FAILED_REMINDER: COMMUNICATION,
    TodayKind.SIGNOFF: NOTE,
}
SNOOZE_CHOICES = [("Until tomorrow", 1), ("For 3 days", 3), ("For a week", 7)]


class TodayScreen(Screen[None]):
    HELP_TITLE = "Today"
    DEFAULT_CSS = """
    TodayScreen #today-title { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    TodayScreen #today-table { height: 1fr; }
    TodayScreen #today-empty { height: auto; padding: 1 2; color: $text-muted; display: none; }
    TodayScreen.-empty #today-empty { display: block; }
    TodayScreen.-empty #today-table { display: none; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "move(1)", "Next", show=False, id="today.next"),
        Binding("k", "move(-1)", "Previous", show=False, id="today.previous"),
        Binding("enter", "open", "Open", id="today.open"),
        Binding("n", "new_note", "Note", id="today.new_note"),
        Binding("x", "complete", "Done", id="today.complete"),
        Binding("z", "snooze", "Snooze", id="today.snooze"),
        Binding("ctrl+r", "refresh", "Refresh", show=False, id="today.refresh"),
        Binding("escape", "back", "Back", id="today.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.found: TodayList | None = None

    @property
    def casetui(self) -> CasetuiApp:
        return self.app  # type: ignore[return-value]

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one("#today-table", DataTable)

    def compose(self) -> ComposeResult:
        yield Static(Text("Today"), id="today-title")
        yield DataTable(id="today-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="today-empty")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "Today"
        self.table.focus()
        self.reload()

    # --- reading ------------------------------------------------------------------------------

    def reload(self) -> None:
        self._load(self.table.cursor_row)

    @work(thread=True, exclusive=True, group="today-load")
    def _load(self, row: int) -> None:
        app = self.casetui
        call_database(
            self, lambda: today_list(app.db, app.signed_in), lambda found: self._show(found, row)
        )

    def _show(self, found: TodayList, row: int) -> None:
        self.found = found
        table = self.table
        table.clear(columns=True)
        # The client's name only where there is room for it beside what is due.
        width = self.size.width or self.app.size.width
        client = 22 if width >= 100 else 0
        what = max(20, width - 13 - 10 - 14 - client - 2 * (5 if client else 4) - 2)
        table.add_column("Due", width=13)
        table.add_column("", width=10)
        table.add_column("Case", width=14)
        table.add_column("What", width=what)
        if client:
            table.add_column("Client", width=client)
        for item in found.items:
            overdue = item.overdue(found.today)
            due = Text(_due_words(item, found), style="bold" if overdue else "")
            cells = [due, KIND_WORDS[item.kind], item.case_number,
                     Text(fit(visible(item.title), what), no_wrap=True)]  # fmt: skip
            if client:
                cells.append(Text(fit(visible(item.client_name), client), no_wrap=True))
            table.add_row(*cells, key=f"{item.kind.value}:{item.id}")
        if found.items:
            # The line that was under the cursor is done with: the next one takes its place.
            table.move_cursor(row=min(max(row, 0), len(found.items) - 1))
        overdue = sum(1 for i in found.items if i.overdue(found.today))
        count = len(found.items)
        title = f"Today · {count} item{'' if count == 1 else 's'}"
        if overdue:
            title += f" · {overdue} overdue"
        self.query_one("#today-title", Static).update(Text(title))
        self.set_class(not found.items, "-empty")
        if not found.items:
            self.query_one("#today-empty", Static).update(
                Text("Nothing is due today. Your tasks due or overdue, your cases with no "
                     f"contact for more than {found.stale_days} days, reminders that failed on "
                     "your cases and notes waiting for your sign-off appear here.")
            )  # fmt: skip
        self.refresh_bindings()

    @property
    def highlighted(self) -> TodayItem | None:
        if self.found is None or not self.found.items:
            return None
        row = self.query_one("#today-table", DataTable).cursor_row
        return self.found.items[row] if 0 <= row < len(self.found.items) else None

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self.refresh_bindings()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    # --- which keys are on offer --------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        actor = self.casetui.actor
        if actor is None:
            return False
        item = self.highlighted if self.is_mounted else None
        if action in ("open", "move"):
            return True if item is not None else None
        if action == "new_note":
            if not policy.can(policy.ensure_writer, actor):
                return False
            return True if item is not None else None
        if action in ("complete", "snooze"):
            if not policy.can(policy.ensure_writer, actor):
                return False
            return True if item is not None and item.kind is TodayKind.TASK else None
        return True

    # --- acting -------------------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        if step > 0:
            self.table.action_cursor_down()
        else:
            self.table.action_cursor_up()

    def action_refresh(self) -> None:
        self.reload()

    def action_open(self) -> None:
        from casetui.tui.screens.timeline import TimelineScreen

        item = self.highlighted
        if item is None:
            return
        kind = TIMELINE_ENTRY.get(item.kind)
        self.app.push_screen(TimelineScreen(item.case_id, at=(kind, item.id) if kind else None))

    def action_new_note(self) -> None:
        from casetui.tui.screens.note_editor import NoteEditorScreen

        item = self.highlighted
        if item is not None:
            self.app.push_screen(NoteEditorScreen(item.case_id))

    def action_complete(self) -> None:
        item = self.highlighted
        if item is None or item.kind is not TodayKind.TASK:
            return
        app = self.casetui

        def write() -> object:
            return tasks.complete_task(
                app.db, app.signed_in, item.id, expected_version=item.version
            )

        self._write(write, f"Done: {visible(item.title)}")

    def action_snooze(self) -> None:
        from casetui.tui.screens.choice import ChoiceScreen

        item = self.highlighted
        if item is None or item.kind is not TodayKind.TASK:
            return

        def chosen(days: int | None) -> None:
            if days:
                self._snooze(item, days)

        title = f"Snooze {visible(item.title)}"
        self.app.push_screen(ChoiceScreen(title, SNOOZE_CHOICES), chosen)

    def _snooze(self, item: TodayItem, days: int) -> None:
        app = self.casetui

        def write() -> object:
            return tasks.snooze_task(
                app.db, app.signed_in, item.id, days, expected_version=item.version
            )

        self._write(write, f"Snoozed: {visible(item.title)}")

    @work(thread=True, exclusive=True, group="today-write")
    def _write(self, write: Any, done: str) -> None:
        call_database(self, write, lambda _r: self._written(done), self._refused)

    def _written(self, done: str) -> None:
        self.notify(done, markup=False)
        self.casetui.caseload_changed()
        self.reload()

    def _refused(self, error: CasetuiError) -> None:
        self.casetui.show_error(error)
        self.reload()

    def action_back(self) -> None:
        self.dismiss(None)

    def on_screen_resume(self) -> None:
        # Back from a note or a case: what was due may be done now.
        if self.found is not None:
            self.reload()


def _due_words(item: TodayItem, found: TodayList) -> str:
    days = (found.today - item.due_on).days
    if days <= 0:
        return "today"
    return f"{days}d overdue"
